#!/bin/sh
# Our libtspi.so.1 against the binaries that use TrouSerS' one:
#  1. its soname is libtspi.so.1;
#  2. every Tspi_*/Trspi_* symbol Debian's tpm-tools binaries and
#     libtpm_unseal import is defined by ours, with the same version node
#     (TrouSerS' symbols carry none: objdump shows "Base");
#  3. every Tspi_*/Trspi_* TrouSerS' libtspi.so.1 exports, ours exports
#     too (openCryptoki and other applications may import any of them);
#  4. ours exports nothing else (no internal helpers leak into the ABI).
# Skips (77) when objdump, tpm-tools or TrouSerS' library are missing.
set -u

top_builddir=${TOP_BUILDDIR:-../..}
ours=$top_builddir/tspi/.libs/libtspi.so.1
trousers=${TROUSERS_LIBTSPI:-/usr/lib/x86_64-linux-gnu/libtspi.so.1}

command -v objdump >/dev/null 2>&1 || { echo "SKIP: no objdump"; exit 77; }
command -v dpkg >/dev/null 2>&1 || { echo "SKIP: no dpkg to find tpm-tools"; exit 77; }
[ -e "$ours" ] || { echo "FAIL: $ours not built"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tss12-abi-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
checks=0

# name<TAB>version for the defined dynamic symbols of a library. Weak
# definitions count: the dynamic linker binds them like global ones
# (tspi_notimpl.c's stubs are weak so that real implementations win).
defined() {
	objdump -T "$1" | awk '($2 == "g" || $2 == "w") && $0 !~ /\*UND\*/ { print $NF "\t" $(NF-1) }' |
		sort -u
}

checks=$((checks + 1))
soname=$(objdump -p "$ours" | awk '$1 == "SONAME" { print $2 }')
if [ "$soname" != "libtspi.so.1" ]; then
	echo "FAIL: soname is '$soname', want libtspi.so.1"
	fail=1
fi

defined "$ours" >"$tmp/ours"

users=$(dpkg -L tpm-tools libtpm-unseal1 2>/dev/null | grep -E '/s?bin/|libtpm_unseal\.so\.1$' || true)
if [ -z "$users" ]; then
	echo "SKIP: tpm-tools is not installed"
	exit 77
fi
for bin in $users; do
	[ -f "$bin" ] || continue
	objdump -T "$bin" | awk '/\*UND\*/ && $NF ~ /^(Tspi|Trspi)_/ { print $NF "\t" $(NF-1) }'
done | sort -u >"$tmp/imports"
n=$(wc -l <"$tmp/imports")
if [ "$n" -lt 10 ]; then
	echo "FAIL: only $n libtspi imports found in tpm-tools: objdump output changed?"
	fail=1
fi
while IFS='	' read -r name version; do
	checks=$((checks + 1))
	if ! grep -q "^$name	" "$tmp/ours"; then
		echo "FAIL: $name (imported by tpm-tools) is not exported"
		fail=1
		continue
	fi
	have=$(awk -F '\t' -v n="$name" '$1 == n { print $2 }' "$tmp/ours")
	if [ "$version" != "$have" ]; then
		echo "FAIL: $name has version '$have', tpm-tools wants '$version'"
		fail=1
	fi
done <"$tmp/imports"

if [ -e "$trousers" ]; then
	defined "$trousers" | awk -F '\t' '$1 ~ /^(Tspi|Trspi)_/' >"$tmp/trousers"
	while IFS='	' read -r name version; do
		checks=$((checks + 1))
		if ! grep -q "^$name	" "$tmp/ours"; then
			echo "FAIL: $name (exported by TrouSerS) is not exported"
			fail=1
		fi
	done <"$tmp/trousers"
else
	echo "note: $trousers not found, full-surface check skipped"
fi

checks=$((checks + 1))
extra=$(awk -F '\t' '$1 !~ /^(Tspi|Trspi)_/ && $1 != "_init" && $1 != "_fini"' "$tmp/ours")
if [ -n "$extra" ]; then
	echo "FAIL: internal symbols exported:"
	echo "$extra" | head -20
	fail=1
fi

echo "$checks checks ($n tpm-tools imports), $([ $fail = 0 ] && echo ok || echo FAILED)"
exit $fail
