#!/bin/sh
# ABI check of our public headers (include/tss, include/trousers) against
# TrouSerS 0.3.x as installed by Debian's libtspi-dev.
#
# The comparison itself is in abi_check.py: it discovers every macro,
# typedef, struct member and prototype in the reference headers and
# compares values, types, layouts and prototypes with ours, compiling
# each side in isolation with $CC.
#
# Afterwards the checker checks itself: it is run on a copy of our headers
# with known defects planted in it and must report each of them. Without
# that, a checker that silently compared nothing would pass.
#
# Environment: CC (compiler under test), TOP_SRCDIR (source tree),
# CLANG (AST dumper, default clang), ABI_REFERENCE (default /usr/include).

set -u

here=$(cd "$(dirname "$0")" && pwd)
TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$here/../.." && pwd)}
CC=${CC:-cc}
CLANG=${CLANG:-clang}
REF=${ABI_REFERENCE:-/usr/include}
OURS=$TOP_SRCDIR/include

skip() {
	echo "abi_check: SKIP: $*"
	exit 77
}

[ -f "$REF/tss/tspi.h" ] && [ -f "$REF/trousers/trousers.h" ] ||
	skip "TrouSerS headers not found under $REF (install libtspi-dev)"
command -v python3 >/dev/null 2>&1 || skip "python3 not found"
command -v "${CLANG%% *}" >/dev/null 2>&1 || skip "clang not found (needed for the AST dump)"

check() {
	python3 "$here/abi_check.py" --ours "$1" --reference "$REF" \
		--cc "$CC" --clang "$CLANG"
}

# ---- 1. the real comparison -------------------------------------------
check "$OURS"
rc=$?
if [ $rc -ne 0 ]; then
	echo "abi_check: FAIL: our headers differ from $REF (exit $rc)"
	exit 1
fi

# ---- 2. the checker must notice planted defects ------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/abi_selftest.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cp -R "$OURS" "$tmp/include" || exit 1
m=$tmp/include/tss

# Change a file with sed and make sure the change took: a self-test whose
# mutation silently did not apply would prove nothing.
mutate() {
	file=$1; expr=$2
	cp "$file" "$file.orig"
	sed "$expr" "$file.orig" > "$file"
	if cmp -s "$file" "$file.orig"; then
		echo "abi_check: FAIL: self-test mutation '$expr' did not apply to $file"
		exit 1
	fi
	rm -f "$file.orig"
}

# value and type of constants, an initialiser macro
printf '#undef TPM_ORD_OIAP\n#define TPM_ORD_OIAP ((UINT32)0x0B)\n' >> "$m/tpm_ordinal.h"
printf '#undef TSS_KEY_SIZE_2048\n#define TSS_KEY_SIZE_2048 0x300\n' >> "$m/tss_defines.h"
printf '#undef TSS_UUID_SK\n#define TSS_UUID_SK {0, 0, 0, 0, 0, {0, 0, 0, 0, 0, 7}}\n' >> "$m/tss_defines.h"
# a member that changes width, hence every later offset
mutate "$m/tpm.h" 's/UINT16\([[:space:]]*\)fill;/UINT32\1fill;/'
# an incompatible prototype
mutate "$m/tspi.h" 's/Tspi_Context_Create(TSS_HCONTEXT \*/Tspi_Context_Create(UINT16 */'
# a header we do not ship: the reference's would be picked up instead
rm -f "$m/tcs_defines.h"

out=$(check "$tmp/include" 2>&1)
rc=$?
if [ $rc -ne 1 ]; then
	echo "$out"
	echo "abi_check: FAIL: self-test: checker exited $rc on defective headers, expected 1"
	exit 1
fi
missed=0
for want in \
	'constant differs: TPM_ORD_OIAP ' \
	'constant differs: TSS_KEY_SIZE_2048 (reference uint 0x300, ours int 0x300)' \
	'macro expansion differs: TSS_UUID_SK ' \
	'type incompatible: member struct tdTPM_KEY12.fill' \
	'layout differs: sizeof TPM_KEY12 ' \
	'layout differs: offset struct tdTPM_KEY12.encData ' \
	'prototype incompatible: Tspi_Context_Create' \
	'header missing: tss/tcs_defines.h' \
	'our headers include a reference header: ' ; do
	case $out in
	*"abi: FAIL: $want"*) ;;
	*) echo "abi_check: FAIL: self-test: planted defect not reported: $want"
	   missed=$((missed + 1)) ;;
	esac
done
if [ $missed -ne 0 ]; then
	echo "$out"
	exit 1
fi
echo "abi_check: self-test: all 9 planted defects reported"
exit 0
