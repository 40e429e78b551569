#!/bin/sh
# Tspi_EncodeDER_TssBlob / Tspi_DecodeBER_TssBlob, ours against Debian's
# libtspi (TrouSerS 0.3.15): tssblob_peer.c built against each. Encodings
# must be byte-identical (every blob type, size queries, the size limit,
# the errors); our decoder reads TrouSerS' encodings and both read the
# minimal DER an OpenSSL-built TrouSerS writes, with the same answers on
# malformed input. No daemon needed. Skips (77) without libtspi-dev.
set -u

top_srcdir=${TOP_SRCDIR:-../..}
top_builddir=${TOP_BUILDDIR:-../..}
cc=${CC:-cc}
libdir=$top_builddir/tspi/.libs
src=$top_srcdir/tests/interop/tssblob_peer.c

[ -f /usr/include/tss/tspi.h ] || { echo "SKIP: Debian's libtspi-dev is not installed"; exit 77; }
[ -e "$libdir/libtspi.so.1" ] || { echo "FAIL: $libdir/libtspi.so.1 not built"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tss12-tssblob-interop.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

$cc -o "$work/theirs" "$src" -ltspi || { echo "FAIL: building against TrouSerS"; exit 1; }
san=$(printf '%s\n' ${TEST_CFLAGS:-} | grep -e '^-fsanitize' -e '^-fno-sanitize' | tr '\n' ' ')
$cc $san -I"$top_srcdir/include" -o "$work/ours" "$src" -L"$libdir" -ltspi \
	-Wl,-rpath,"$(cd "$libdir" && pwd)" || { echo "FAIL: building against ours"; exit 1; }
case $(ldd "$work/theirs" | awk '/libtspi\.so\.1/ { print $3 }') in
*/tspi/.libs/*) echo "FAIL: theirs would load our libtspi"; exit 1 ;;
esac

status=0
checks=0
# same ARGS...: both libraries must print the same line.
same() {
	checks=$((checks + 1))
	a=$("$work/theirs" "$@") b=$("$work/ours" "$@")
	if [ "$a" != "$b" ]; then
		echo "FAIL: $1 $2 ${4:-}: TrouSerS '$(echo "$a" | cut -c1-120)' ours '$(echo "$b" | cut -c1-120)'"
		status=1
	fi
}

raw=00112233445566778899aabbccddeeff
for type in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	same encode "$type" "$raw"
done
same encode 2 "$raw" 0		# size query
same encode 2 "$raw" 35		# one byte short
same encode 2 "$raw" 36
same encode 2 "" 64		# no blob
big=$(head -c 65519 /dev/zero | od -An -v -tx1 | tr -d ' \n')
same encode 1 "$big" 0
same encode 1 "${big}00" 0	# one byte past the two-byte lengths

# Our decoder reads what TrouSerS writes, for every type.
for type in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do
	checks=$((checks + 1))
	der=$("$work/theirs" encode "$type" "$raw" | sed 's/.*der=//')
	got=$("$work/ours" decode "$der")
	[ "$got" = "rc=0x0 type=$type size=16 raw=$raw" ] ||
		{ echo "FAIL: ours decoding TrouSerS' type $type: $got"; status=1; }
done

# Minimal DER (OpenSSL's i2d): both read it the same way, good and bad.
same decode 300e02010102010b0201030403aabbcc
same decode 300e02010102010b0201030403aabbcc 0	# size query
same decode 300e02010102010b0201030403aabbcc 2	# buffer too small
same decode 300e02010202010b0201030403aabbcc	# structVersion 2
same decode 300e02010102010f0201030403aabbcc	# blobType 15
same decode 300e02010102010b0201030403aabb	# truncated
same decode 310e02010102010b0201030403aabbcc	# not a SEQUENCE

echo "$checks comparisons"
[ $status -eq 0 ] && echo "PASS: tssblob interop"
exit $status
