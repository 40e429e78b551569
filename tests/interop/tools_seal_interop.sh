#!/bin/sh
# Sealed files across tss12's tools and Debian's tpm-tools, both ways
# (issue 5), on our tcsd with an embedded TPM:
#   Debian tpm_sealdata  -> tss12 tpm_unsealdata, tpm-mgmt unseal, libtpm_unseal
#   tss12 tpm_sealdata / tpm-mgmt seal -> Debian tpm_unsealdata and libtpm_unseal.so.1
# with and without PCRs; and tpm-mgmt itself on Debian's (TrouSerS') libtspi.
# Needs: $TOP_BUILDDIR (tcsd, tools, with_tcsd built), tpm-tools, libtpm-unseal1, $CC.
set -u

skip() { echo "SKIP: $*"; exit 77; }

if [ "${1:-}" != --inside ]; then
	top=${TOP_BUILDDIR:-../..}
	top=$(cd "$top" && pwd)
	[ -x "$top/tcsd/tcsd" ] || skip "tcsd is not built"
	[ -x "$top/tools/tpm-mgmt" ] || skip "tpm-mgmt is not built"
	[ -x "$top/tests/integration/with_tcsd" ] || skip "with_tcsd is not built"
	for p in tpm_sealdata tpm_unsealdata tpm_takeownership setsid; do
		command -v "$p" >/dev/null 2>&1 || skip "$p not installed (Debian tpm-tools)"
	done
	export TOP="$top" TSS12_TCSD="$top/tcsd/tcsd" TSS12_TEST_TCSD=embedded
	exec "$top/tests/integration/with_tcsd" sh "$0" --inside
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/tss12-seal-interop-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM
fail() { echo "FAIL: $*"; [ -f "$dir/err" ] && cat "$dir/err"; exit 1; }
ok() { echo "  ok: $*"; }

mgmt=$TOP/tools/.libs/tpm-mgmt
[ -x "$mgmt" ] || mgmt=$TOP/tools/tpm-mgmt
ours_lib=$TOP/tspi/.libs
mkdir "$dir/bin"
for n in tpm_sealdata tpm_unsealdata tpm_takeownership; do ln -s "$mgmt" "$dir/bin/$n"; done
# ours CMD...: a tss12 tool on tss12's libtspi. deb CMD...: Debian's, on Debian's libtspi.
ours() { LD_LIBRARY_PATH="$ours_lib" PATH="$dir/bin:$PATH" setsid -w "$@" < /dev/null 2> "$dir/err"; }
deb() { PATH="/usr/sbin:/usr/bin:$PATH" setsid -w "$@" < /dev/null 2> "$dir/err"; }

ours tpm_takeownership -y -z || fail "tpm_takeownership -y -z"
head -c 3000 /dev/urandom > "$dir/plain"

deb tpm_sealdata -z -i "$dir/plain" -o "$dir/deb.sealed" || fail "Debian tpm_sealdata"
deb tpm_sealdata -z -p 0 -p 16 -i "$dir/plain" -o "$dir/deb-pcr.sealed" || fail "Debian tpm_sealdata -p"
ours tpm_sealdata -z -i "$dir/plain" -o "$dir/ours.sealed" || fail "tss12 tpm_sealdata"
ours tpm_sealdata -z -p 0 -p 16 -i "$dir/plain" -o "$dir/ours-pcr.sealed" || fail "tss12 tpm_sealdata -p"
LD_LIBRARY_PATH="$ours_lib" "$mgmt" seal -z -p 7 < "$dir/plain" > "$dir/mgmt.sealed" 2> "$dir/err" ||
	fail "tpm-mgmt seal"

# Same armour, line for line, apart from the (random) contents.
for f in deb ours mgmt; do
	sed -n '1,2p;/^-----ENC KEY-----$/,/^Symmetric Key: AES-256-CBC$/p;/^-----ENC DAT-----$/p;$p' \
		"$dir/$f.sealed" > "$dir/$f.shape"
	awk 'length > 64 { exit 1 }' "$dir/$f.sealed" || fail "$f: base64 lines longer than 64"
done
cmp -s "$dir/deb.shape" "$dir/ours.shape" || fail "armour differs: $(diff "$dir/deb.shape" "$dir/ours.shape")"
cmp -s "$dir/deb.shape" "$dir/mgmt.shape" || fail "tpm-mgmt armour differs"
ok "the same armour (BEGIN TSS / TSS KEY / ENC KEY / Symmetric Key: AES-256-CBC / ENC DAT / END TSS)"

for f in deb deb-pcr ours ours-pcr mgmt; do
	ours tpm_unsealdata -z -i "$dir/$f.sealed" -o "$dir/out" || fail "tss12 tpm_unsealdata $f"
	cmp -s "$dir/out" "$dir/plain" || fail "tss12 tpm_unsealdata $f: wrong data"
	deb tpm_unsealdata -z -i "$dir/$f.sealed" -o "$dir/out" || fail "Debian tpm_unsealdata $f"
	cmp -s "$dir/out" "$dir/plain" || fail "Debian tpm_unsealdata $f: wrong data"
	LD_LIBRARY_PATH="$ours_lib" "$mgmt" unseal -z -i "$dir/$f.sealed" > "$dir/out" 2> "$dir/err" ||
		fail "tpm-mgmt unseal $f"
	cmp -s "$dir/out" "$dir/plain" || fail "tpm-mgmt unseal $f: wrong data"
done
ok "Debian-sealed files unseal with tss12 and tss12-sealed ones with Debian (with/without PCRs)"

# libtpm_unseal: tss12's library and Debian's libtpm_unseal.so.1 on each other's files.
CC=${CC:-cc}
src=$dir/unseal.c
cat > "$src" <<'C'
#include <stdio.h>
#include <string.h>
#include <tpm_tools/tpm_unseal.h>
int main(int argc, char **argv)
{
	unsigned char *data = NULL;
	int size = 0, rc = tpmUnsealFile(argv[1], &data, &size, 1);

	if (rc != 0) {
		fprintf(stderr, "tpmUnsealFile: %d: %s\n", rc, tpmUnsealStrerror(rc));
		return rc == -2 ? 3 : 1;
	}
	fwrite(data, 1, (size_t)size, stdout);
	tpmUnsealShred(data, size);
	(void)argc;
	return 0;
}
C
srcdir_top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck disable=SC2086
$CC ${TEST_CFLAGS:-} -o "$dir/unseal-ours" "$src" -I"$srcdir_top/tools" -I"$srcdir_top/include" \
	-L"$TOP/tools/.libs" -ltpm_unseal 2> "$dir/err" || fail "cannot build against libtpm_unseal"
debian_lib=$(ls /usr/lib/*/libtpm_unseal.so.1 2>/dev/null | head -n 1)
for f in deb ours mgmt; do
	LD_LIBRARY_PATH="$TOP/tools/.libs:$ours_lib" "$dir/unseal-ours" "$dir/$f.sealed" > "$dir/out" \
		2> "$dir/err" || fail "tss12 libtpm_unseal on $f"
	cmp -s "$dir/out" "$dir/plain" || fail "tss12 libtpm_unseal on $f: wrong data"
	if [ -n "$debian_lib" ]; then
		# The same program, loading Debian's library (same soname) and libtspi.
		mkdir -p "$dir/deblib"
		ln -sf "$debian_lib" "$dir/deblib/libtpm_unseal.so.1"
		# Debian's library leaks its cipher context: no LeakSanitizer verdict on it.
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		LD_LIBRARY_PATH="$dir/deblib" "$dir/unseal-ours" "$dir/$f.sealed" > "$dir/out" \
			2> "$dir/err" || fail "Debian libtpm_unseal on $f"
		cmp -s "$dir/out" "$dir/plain" || fail "Debian libtpm_unseal on $f: wrong data"
	fi
done
echo "not sealed" > "$dir/garbage"
LD_LIBRARY_PATH="$TOP/tools/.libs:$ours_lib" "$dir/unseal-ours" "$dir/garbage" > /dev/null 2> "$dir/err"
[ $? = 3 ] || fail "libtpm_unseal accepted garbage"
grep -q "No TSS header present" "$dir/err" || fail "libtpm_unseal: wrong message for garbage"
ok "tpmUnsealFile(): tss12's library${debian_lib:+ and Debian's} on all files; garbage refused"

# tpm-mgmt on Debian's (TrouSerS') libtspi: no LD_LIBRARY_PATH.
setsid -w "$mgmt" status < /dev/null > "$dir/out" 2> "$dir/err" || fail "tpm-mgmt status on TrouSerS' libtspi"
grep -q "Owner: *yes" "$dir/out" || fail "tpm-mgmt status on TrouSerS' libtspi: $(cat "$dir/out")"
setsid -w "$mgmt" unseal -z -i "$dir/ours.sealed" < /dev/null > "$dir/out" 2> "$dir/err" ||
	fail "tpm-mgmt unseal on TrouSerS' libtspi"
cmp -s "$dir/out" "$dir/plain" || fail "tpm-mgmt unseal on TrouSerS' libtspi: wrong data"
setsid -w "$mgmt" pcr read 0 < /dev/null > "$dir/out" 2> "$dir/err" || fail "tpm-mgmt pcr read on TrouSerS' libtspi"
setsid -w "$mgmt" getpubek -z < /dev/null > "$dir/out" 2> "$dir/err" || fail "tpm-mgmt getpubek on TrouSerS' libtspi"
ok "tpm-mgmt status, unseal, pcr read, getpubek on TrouSerS' libtspi"
echo "PASS"
