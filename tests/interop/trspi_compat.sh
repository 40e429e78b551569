#!/bin/sh
# Differential test of the Trspi_* helpers: trspi_compat.c is built once
# against TrouSerS (Debian's libtspi-dev) and once against tss12's
# common/trspi.c (libtsscommon), run in the C and a UTF-8 locale, and the
# outputs must be identical (error texts, UTF-16 conversions, blobs).
#
# Environment: CC, TOP_SRCDIR, TOP_BUILDDIR (set by tests/interop/Makefile.am);
# TSS12_LIBTSSCOMMON overrides the path of the static libtsscommon.
set -u

: "${CC:=cc}"
: "${TOP_SRCDIR:?TOP_SRCDIR must be set}"
: "${TOP_BUILDDIR:?TOP_BUILDDIR must be set}"
common_lib=${TSS12_LIBTSSCOMMON:-$TOP_BUILDDIR/common/.libs/libtsscommon.a}
src=$TOP_SRCDIR/tests/interop/trspi_compat.c

if [ ! -f /usr/include/trousers/trousers.h ] || [ ! -f /usr/include/tss/tspi.h ]; then
	echo "SKIP: TrouSerS headers not installed (libtspi-dev)"
	exit 77
fi
if [ ! -f "$common_lib" ]; then
	echo "SKIP: $common_lib not built"
	exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/trspi_compat.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

crypto_libs=$(pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)
# A sanitizer build of libtsscommon needs the same -fsanitize flags to link.
san_flags=
for f in ${TEST_CFLAGS:-}; do
	case $f in -fsanitize=*|-fno-sanitize*) san_flags="$san_flags $f" ;; esac
done

# TrouSerS: Debian's headers and library only.
if ! $CC -std=c11 -o "$work/trousers" "$src" -ltspi 2>"$work/cc1.log"; then
	cat "$work/cc1.log"
	echo "SKIP: cannot link against libtspi"
	exit 77
fi
# tss12: our headers, our library; libtspi must not be involved.
if ! $CC -std=c11 $san_flags -I"$TOP_SRCDIR/include" -o "$work/tss12" "$src" "$common_lib" \
	$crypto_libs 2>"$work/cc2.log"; then
	cat "$work/cc2.log"
	echo "FAIL: trspi_compat.c does not build against tss12"
	exit 1
fi
if nm -u "$work/tss12" | grep -q 'Tspi_\|Trspi_\|tspi'; then
	echo "FAIL: the tss12 build resolves Trspi_* outside libtsscommon"
	exit 1
fi

utf8=C.UTF-8
locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' || utf8=$(locale -a 2>/dev/null | grep -i 'utf-\?8' | head -n 1)

status=0
for loc in C $utf8; do
	"$work/trousers" "$loc" >"$work/trousers.$loc.out" || { echo "FAIL: TrouSerS run ($loc)"; exit 1; }
	"$work/tss12" "$loc" >"$work/tss12.$loc.out" || { echo "FAIL: tss12 run ($loc)"; exit 1; }
	lines=$(wc -l <"$work/tss12.$loc.out")
	if [ "$lines" -lt 16384 ]; then
		echo "FAIL: only $lines lines of output in locale $loc"
		status=1
	elif diff -u "$work/trousers.$loc.out" "$work/tss12.$loc.out" >"$work/diff.$loc"; then
		echo "PASS: $lines lines identical in locale $loc"
	else
		echo "FAIL: output differs from TrouSerS in locale $loc:"
		head -n 60 "$work/diff.$loc"
		status=1
	fi
done
exit $status
