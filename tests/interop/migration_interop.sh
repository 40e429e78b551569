#!/bin/sh
# Key migration across TrouSerS' libtspi and ours on one tcsd and TPM:
# migration_peer.c is built against Debian's libtspi and against ours;
# each converts (TPM_MS_MIGRATE) or loads (TPM_MS_REWRAP) the migration
# blob the other made for a storage key, then signs with the migrated
# key; then each runs a whole certified-migration (CMK) round and
# KeyControlOwner / OwnerGetSRKPubKey. Runs on TrouSerS' tcsd (with_tcsd's default) and again on ours
# (TSS12_TEST_TCSD=embedded). Skips (77) without Debian's libtspi-dev;
# a daemon that cannot run is skipped by with_tcsd.
set -u

top_srcdir=${TOP_SRCDIR:-../..}
top_builddir=${TOP_BUILDDIR:-../..}
cc=${CC:-cc}
libdir=$top_builddir/tspi/.libs
with_tcsd=$top_builddir/tests/integration/with_tcsd
src=$top_srcdir/tests/interop/migration_peer.c

[ -f /usr/include/tss/tspi.h ] || { echo "SKIP: Debian's libtspi-dev is not installed"; exit 77; }
[ -e "$libdir/libtspi.so.1" ] || { echo "FAIL: $libdir/libtspi.so.1 not built"; exit 1; }
[ -x "$with_tcsd" ] || { echo "FAIL: $with_tcsd not built"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tss12-migration-interop.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

$cc -o "$work/peer_trousers" "$src" -ltspi -lcrypto || { echo "FAIL: building against TrouSerS"; exit 1; }
san=$(printf '%s\n' ${TEST_CFLAGS:-} | grep -e '^-fsanitize' -e '^-fno-sanitize' | tr '\n' ' ')
$cc $san -I"$top_srcdir/include" -o "$work/peer_ours" "$src" -L"$libdir" -ltspi -lcrypto \
	-Wl,-rpath,"$(cd "$libdir" && pwd)" || { echo "FAIL: building against ours"; exit 1; }
case $(ldd "$work/peer_ours" | awk '/libtspi\.so\.1/ { print $3 }') in
*/tspi/.libs/*) ;;
*) echo "FAIL: peer_ours would not load our libtspi"; exit 1 ;;
esac

export WORK="$work"
steps='
	set -e
	T=$WORK/peer_trousers
	O=$WORK/peer_ours
	W=$WORK/run
	rm -rf "$W"; mkdir "$W"
	step() { echo "== $*"; "$@" || { echo "FAIL: $*"; exit 1; }; }
	step $T own
	step $T dest $W/dest
	for scheme in migrate rewrap; do
		step $T export $W/dest $scheme $W/t.blob $W/t.rnd $W/t.mod
		step $O import $W/dest $scheme $W/t.blob $W/t.rnd $W/t.mod
		step $O export $W/dest $scheme $W/o.blob $W/o.rnd $W/o.mod
		step $T import $W/dest $scheme $W/o.blob $W/o.rnd $W/o.mod
	done
	echo "migration blobs cross both ways: ok"
	# Every CMK ordinal, by each libtspi, on this tcsd.
	step $T cmk
	step $O cmk
	step $T keycontrol
	step $O keycontrol
'
status=0
ran=0
for daemon in trousers embedded; do
	echo "=== on ${daemon} tcsd"
	TSS12_TEST_TCSD=$daemon "$with_tcsd" sh -c "$steps"
	rc=$?
	case $rc in
	0) ran=1 ;;
	77) echo "SKIP: no $daemon tcsd here" ;;
	*) status=1 ;;
	esac
done
[ $status -eq 0 ] && [ $ran -eq 0 ] && exit 77
exit $status
