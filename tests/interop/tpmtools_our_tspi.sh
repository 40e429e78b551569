#!/bin/sh
# Debian's tpm-tools binaries with OUR libtspi.so.1 first on the library
# path, against a tcsd on swtpm (TrouSerS' by default, ours with
# TSS12_TEST_TCSD=ours): tpm_version and tpm_selftest must succeed and
# must really have loaded our library.
# Skips (77) without tpm-tools, swtpm or a usable tcsd.
set -u

top_builddir=${TOP_BUILDDIR:-../..}
libdir=$top_builddir/tspi/.libs
with_tcsd=$top_builddir/tests/integration/with_tcsd

for t in tpm_version tpm_selftest; do
	command -v $t >/dev/null 2>&1 || { echo "SKIP: $t not installed"; exit 77; }
done
[ -e "$libdir/libtspi.so.1" ] || { echo "FAIL: $libdir/libtspi.so.1 not built"; exit 1; }
[ -x "$with_tcsd" ] || { echo "FAIL: $with_tcsd not built"; exit 1; }

# The loader must pick ours, not /usr/lib's.
loaded=$(LD_LIBRARY_PATH=$libdir ldd "$(command -v tpm_version)" | awk '/libtspi\.so\.1/ { print $3 }')
case $loaded in
$libdir/*) ;;
*) echo "FAIL: tpm_version would load '$loaded', not ours"; exit 1 ;;
esac

exec "$with_tcsd" sh -c '
	set -e
	export LD_LIBRARY_PATH="'"$libdir"'"
	out=$(tpm_version)
	echo "$out"
	echo "$out" | grep -q "TPM 1.2 Version Info" || { echo "FAIL: tpm_version output"; exit 1; }
	echo "$out" | grep -q "Chip Version:" || { echo "FAIL: no chip version"; exit 1; }
	out=$(tpm_selftest -l debug)
	echo "$out"
	echo "$out" | grep -q "tpm_selftest succeeded" || { echo "FAIL: tpm_selftest"; exit 1; }
	echo "tpm_version, tpm_selftest: ok with our libtspi"
'
