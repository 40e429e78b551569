#!/bin/sh
# Data and keys cross between TrouSerS' libtspi and ours on one tcsd and
# TPM (TrouSerS' tcsd by default, ours with TSS12_TEST_TCSD=ours):
# tspi_keys_peer.c is built twice, against Debian's libtspi and against
# ours, and each one unseals, unbinds and loads what the other made:
# sealed blobs (no PCRs, TPM_PCR_INFO, TPM_PCR_INFO_LONG), keys in system
# persistent storage and in user.data (TSS_USER_PS_FILE).
# Skips (77) without Debian's libtspi-dev, swtpm or a usable tcsd.
set -u
. "$(dirname "$0")/interop_lib.sh"

interop_start tspi-keys-interop
interop_build_peers "$top_srcdir/tests/interop/tspi_keys_peer.c"

"$with_tcsd" sh -c '
	set -e
	. "$INTEROP_LIB"
	export TSS_USER_PS_FILE=$WORK/user.data
	step $T own
	for mode in none info; do
		step $T seal $WORK/t.$mode $mode
		step $O unseal $WORK/t.$mode
		step $O seal $WORK/o.$mode $mode
		step $T unseal $WORK/o.$mode
	done
	# TrouSerS 0.3.15 cannot seal to a TPM_PCR_INFO_LONG (the TPM answers
	# TPM_BADINDEX); it can unseal the TPM_STORED_DATA12 ours makes.
	step $O seal $WORK/o.long long
	step $T unseal $WORK/o.long
	for ps in system user; do
		step $T register $ps 1
		step $O bind $ps 1 $WORK/b1.$ps
		step $T unbind $ps 1 $WORK/b1.$ps
		step $O unbind $ps 1 $WORK/b1.$ps
		step $O register $ps 2
		step $T bind $ps 2 $WORK/b2.$ps
		step $T unbind $ps 2 $WORK/b2.$ps
		step $O unbind $ps 2 $WORK/b2.$ps
		step $O unregister $ps 1
		step $T unregister $ps 2
	done
	echo "sealed, bound and registered data crosses both ways: ok"
'
