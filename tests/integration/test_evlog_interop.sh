#!/bin/sh
# test_evlog once more, with evlog_peer.c built against Debian's libtspi
# (TrouSerS 0.3.15): TrouSerS' library logs an event through our tcsd and
# reads the whole event log (firmware, IMA, application events) the same
# as ours, before and after daemon restarts.
# Skips (77) without Debian's libtspi-dev.
set -u
srcdir=${srcdir:-$(dirname "$0")}
cc=${CC:-cc}
[ -f /usr/include/tss/tspi.h ] || { echo "SKIP: Debian's libtspi-dev is not installed"; exit 77; }
[ -x ./test_evlog ] || { echo "FAIL: test_evlog not built"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tss12-evlog-peer.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
# Only /usr/include and Debian's library: none of ours.
$cc -o "$work/evlog_peer" "$srcdir/evlog_peer.c" -ltspi ||
	{ echo "FAIL: building evlog_peer against Debian's libtspi"; exit 1; }
case $(env -u LD_LIBRARY_PATH ldd "$work/evlog_peer" | awk '/libtspi\.so\.1/ { print $3 }') in
*/tspi/.libs/*|"") echo "FAIL: evlog_peer does not load Debian's libtspi"; exit 1 ;;
esac
./test_evlog --peer "$work/evlog_peer"
