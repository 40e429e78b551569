#!/bin/sh
# Transport sessions across implementations: transport_peer.c built
# against Debian's libtspi (TrouSerS 0.3.15) runs encrypted, logged and
# exclusive sessions on OUR tcsd (embedded libtpms TPM); built against
# ours, the same on ours, as a control. Skips (77) without Debian's
# libtspi-dev.
set -u

top_srcdir=${TOP_SRCDIR:-../..}
top_builddir=${TOP_BUILDDIR:-../..}
cc=${CC:-cc}
libdir=$top_builddir/tspi/.libs
with_tcsd=$top_builddir/tests/integration/with_tcsd
src=$top_srcdir/tests/interop/transport_peer.c

[ -f /usr/include/tss/tspi.h ] || { echo "SKIP: Debian's libtspi-dev is not installed"; exit 77; }
[ -e "$libdir/libtspi.so.1" ] || { echo "FAIL: $libdir/libtspi.so.1 not built"; exit 1; }
[ -x "$with_tcsd" ] || { echo "FAIL: $with_tcsd not built"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tss12-transport-interop.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

$cc -o "$work/peer_trousers" "$src" -ltspi -lcrypto ||
	{ echo "FAIL: building against TrouSerS"; exit 1; }
san=$(printf '%s\n' ${TEST_CFLAGS:-} | grep -e '^-fsanitize' -e '^-fno-sanitize' | tr '\n' ' ')
$cc $san -I"$top_srcdir/include" -o "$work/peer_ours" "$src" -L"$libdir" -ltspi -lcrypto \
	-Wl,-rpath,"$(cd "$libdir" && pwd)" || { echo "FAIL: building against ours"; exit 1; }
case $(ldd "$work/peer_trousers" | awk '/libtspi\.so\.1/ { print $3 }') in
*/tspi/.libs/*) echo "FAIL: peer_trousers would load our libtspi"; exit 1 ;;
esac

# Our tcsd, fast: the embedded TPM. Each run gets a fresh TPM.
TSS12_TEST_TCSD=embedded
export TSS12_TEST_TCSD
status=0
for peer in peer_trousers peer_ours; do
	for mode in encrypted exclusive; do
		echo "== $peer $mode on our tcsd"
		"$with_tcsd" "$work/$peer" $mode
		rc=$?
		[ $rc -eq 77 ] && exit 77
		[ $rc -eq 0 ] || { echo "FAIL: $peer $mode"; status=1; }
	done
done
exit $status
