#!/bin/sh
# Counters, ticks, tick stamps, auditing, DIR and status flags of Debian's
# libtspi (TrouSerS) on OUR tcsd (embedded in swtpm), and the same client
# built against our libtspi for comparison: tspi_admin_peer.c built twice.
# The active counter is made over the TCSD wire by admin_counter_tool (the
# TSS API has no CreateCounter). Skips (77) without Debian's libtspi-dev,
# swtpm or a usable tcsd.
set -u
. "$(dirname "$0")/interop_lib.sh"

tool=$top_builddir/tests/integration/admin_counter_tool
interop_start tspi-admin-interop "$tool"
interop_build_peers "$top_srcdir/tests/interop/tspi_admin_peer.c"

export TOOL="$tool"
"$with_tcsd" --ours sh -c '
	set -e
	. "$INTEROP_LIB"
	export TSS_USER_PS_FILE=$WORK/user.data
	step $T own
	step $T nocounter
	step $O nocounter
	out=$("$TOOL" create) || { echo "FAIL: admin_counter_tool create"; exit 1; }
	set -- $out
	echo "== counter $1 is active with value $2"
	# TrouSerS reads the active counter id without byte swapping; with
	# libtpms the first counter id is 0, which reads the same either way.
	step $T counter "$2"
	step $O counter "$2"
	step "$TOOL" release "$1"
	step $T nocounter
	for p in $T $O; do
		step $p ticks
		step $p tickstamp
		step $p audit
		step $p dir
		step $p status
	done
	echo "counters, ticks, auditing, DIR and status through both libtspis on our tcsd: ok"
'
