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
. "$(dirname "$0")/interop_lib.sh"

interop_start migration-interop
interop_build_peers "$top_srcdir/tests/interop/migration_peer.c" -lcrypto

steps='
	set -e
	. "$INTEROP_LIB"
	W=$WORK/run
	rm -rf "$W"; mkdir "$W"
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
