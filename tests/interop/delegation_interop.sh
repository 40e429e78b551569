#!/bin/sh
# Delegations cross between Debian's libtspi (TrouSerS 0.3.15) and ours on
# OUR tcsd (embedded libtpms TPM): delegation_peer.c is built against each
# library; a family and an owner delegation made by TrouSerS' libtspi are
# used (DSAP), verified and revoked through ours, a row TrouSerS caches is
# used by ours, a blob ours makes is verified by TrouSerS, and both list the
# same tables. TrouSerS' libtspi opens DSAP sessions only for OSAP-type
# commands, so the OIAP-type TPM_OwnerReadPubek through a delegation is
# exercised with ours only.
# Skips (77) without Debian's libtspi-dev.
set -u
. "$(dirname "$0")/interop_lib.sh"

interop_start delegation-interop
interop_build_peers "$top_srcdir/tests/interop/delegation_peer.c"

# Our tcsd: on the embedded TPM unless the caller chose another daemon.
TSS12_TEST_TCSD=${TSS12_TEST_TCSD:-embedded}
export TSS12_TEST_TCSD
"$with_tcsd" sh -c '
	set -e
	. "$INTEROP_LIB"
	step $T own
	step $T family $WORK/fam
	step $T delegate $WORK/fam $WORK/blob.t
	step $O use $WORK/blob.t
	step $O verify $WORK/blob.t
	step $T verify $WORK/blob.t
	step $O delegate $WORK/fam $WORK/blob.o
	step $T verify $WORK/blob.o
	step $O use $WORK/blob.o
	step $T cache $WORK/blob.t 1
	step $O use-row 1
	$T tables $WORK/fam > $WORK/tables.t || { echo "FAIL: TrouSerS tables"; exit 1; }
	$O tables $WORK/fam > $WORK/tables.o || { echo "FAIL: our tables"; exit 1; }
	cat $WORK/tables.o
	cmp -s $WORK/tables.t $WORK/tables.o || { echo "FAIL: the libraries list different tables"; cat $WORK/tables.t; exit 1; }
	step $O invalidate $WORK/fam
	step $O refused $WORK/blob.t
	if $T verify $WORK/blob.t 2>/dev/null; then echo "FAIL: TrouSerS verifies a revoked blob"; exit 1; fi
	echo "delegations cross both ways: ok"
'
