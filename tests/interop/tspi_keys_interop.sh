#!/bin/sh
# Data and keys cross between TrouSerS' libtspi and ours on one tcsd and
# TPM (TrouSerS' tcsd by default, ours with TSS12_TEST_TCSD=ours):
# tspi_keys_peer.c is built twice, against Debian's libtspi and against
# ours, and each one unseals, unbinds and loads what the other made:
# sealed blobs (no PCRs, TPM_PCR_INFO, TPM_PCR_INFO_LONG), keys in system
# persistent storage and in user.data (TSS_USER_PS_FILE).
# Skips (77) without Debian's libtspi-dev, swtpm or a usable tcsd.
set -u

top_srcdir=${TOP_SRCDIR:-../..}
top_builddir=${TOP_BUILDDIR:-../..}
cc=${CC:-cc}
libdir=$top_builddir/tspi/.libs
with_tcsd=$top_builddir/tests/integration/with_tcsd
src=$top_srcdir/tests/interop/tspi_keys_peer.c

[ -f /usr/include/tss/tspi.h ] || { echo "SKIP: Debian's libtspi-dev is not installed"; exit 77; }
[ -e "$libdir/libtspi.so.1" ] || { echo "FAIL: $libdir/libtspi.so.1 not built"; exit 1; }
[ -x "$with_tcsd" ] || { echo "FAIL: $with_tcsd not built"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tss12-tspi-keys-interop.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# TrouSerS' build sees only /usr/include; ours only our headers and library.
$cc -o "$work/peer_trousers" "$src" -ltspi || { echo "FAIL: building against TrouSerS"; exit 1; }
# In a sanitizer build our libtspi needs the ASan runtime first: the
# program that links it is built with the same -fsanitize flags.
san=$(printf '%s\n' ${TEST_CFLAGS:-} | grep -e '^-fsanitize' -e '^-fno-sanitize' | tr '\n' ' ')
$cc $san -I"$top_srcdir/include" -o "$work/peer_ours" "$src" -L"$libdir" -ltspi \
	-Wl,-rpath,"$(cd "$libdir" && pwd)" || { echo "FAIL: building against ours"; exit 1; }
loaded=$(ldd "$work/peer_ours" | awk '/libtspi\.so\.1/ { print $3 }')
case $loaded in
*/tspi/.libs/*) ;;
*) echo "FAIL: peer_ours would load '$loaded'"; exit 1 ;;
esac

export WORK="$work"
"$with_tcsd" sh -c '
	set -e
	T=$WORK/peer_trousers
	O=$WORK/peer_ours
	export TSS_USER_PS_FILE=$WORK/user.data
	step() { echo "== $*"; "$@" || { echo "FAIL: $*"; exit 1; }; }
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
