#!/bin/sh
# Counters, ticks, tick stamps, auditing, DIR and status flags of Debian's
# libtspi (TrouSerS) on OUR tcsd (embedded in swtpm), and the same client
# built against our libtspi for comparison: tspi_admin_peer.c built twice.
# The active counter is made over the TCSD wire by admin_counter_tool (the
# TSS API has no CreateCounter). Skips (77) without Debian's libtspi-dev,
# swtpm or a usable tcsd.
set -u

top_srcdir=${TOP_SRCDIR:-../..}
top_builddir=${TOP_BUILDDIR:-../..}
cc=${CC:-cc}
libdir=$top_builddir/tspi/.libs
with_tcsd=$top_builddir/tests/integration/with_tcsd
tool=$top_builddir/tests/integration/admin_counter_tool
src=$top_srcdir/tests/interop/tspi_admin_peer.c

[ -f /usr/include/tss/tspi.h ] || { echo "SKIP: Debian's libtspi-dev is not installed"; exit 77; }
[ -e "$libdir/libtspi.so.1" ] || { echo "FAIL: $libdir/libtspi.so.1 not built"; exit 1; }
[ -x "$with_tcsd" ] || { echo "FAIL: $with_tcsd not built"; exit 1; }
[ -x "$tool" ] || { echo "FAIL: $tool not built"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tss12-tspi-admin-interop.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

$cc -o "$work/peer_trousers" "$src" -ltspi || { echo "FAIL: building against TrouSerS"; exit 1; }
san=$(printf '%s\n' ${TEST_CFLAGS:-} | grep -e '^-fsanitize' -e '^-fno-sanitize' | tr '\n' ' ')
$cc $san -I"$top_srcdir/include" -o "$work/peer_ours" "$src" -L"$libdir" -ltspi \
	-Wl,-rpath,"$(cd "$libdir" && pwd)" || { echo "FAIL: building against ours"; exit 1; }
loaded=$(ldd "$work/peer_ours" | awk '/libtspi\.so\.1/ { print $3 }')
case $loaded in
*/tspi/.libs/*) ;;
*) echo "FAIL: peer_ours would load '$loaded'"; exit 1 ;;
esac

export WORK="$work" TOOL="$tool"
"$with_tcsd" --ours sh -c '
	set -e
	T=$WORK/peer_trousers
	O=$WORK/peer_ours
	export TSS_USER_PS_FILE=$WORK/user.data
	step() { echo "== $*"; "$@" || { echo "FAIL: $*"; exit 1; }; }
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
