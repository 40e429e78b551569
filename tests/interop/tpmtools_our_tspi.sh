#!/bin/sh
# Debian's tpm-tools binaries with OUR libtspi.so.1 first on the library
# path (issue 3 interop (b)), against TrouSerS' tcsd and against ours,
# each on a fresh swtpm: the sequence of tpmtools_steps.sh (tpm_version,
# tpm_selftest, tpm_getpubek, tpm_takeownership -y -z, tpm_sealdata piped
# to tpm_unsealdata, tpm_changeownerauth for owner and SRK with typed
# secrets, tpm_clear: --force after tpm_setpresence -a against ours, -z
# against TrouSerS', which lacks PhysicalPresence) must pass, with our
# library really loaded.
# Skips (77) without tpm-tools, swtpm or a usable tcsd.
set -u

top_builddir=${TOP_BUILDDIR:-../..}
libdir=$top_builddir/tspi/.libs
with_tcsd=$top_builddir/tests/integration/with_tcsd

for t in tpm_version tpm_selftest tpm_getpubek tpm_takeownership tpm_sealdata tpm_unsealdata \
	tpm_changeownerauth tpm_clear tpm_setpresence tpm_restrictpubek tpm_setclearable setsid; do
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

steps=${TOP_SRCDIR:+$TOP_SRCDIR/tests/interop/}tpmtools_steps.sh
[ -f "$steps" ] || steps=$(dirname "$0")/tpmtools_steps.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/tss12-tpmtools-ours.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
abs_libdir=$(cd "$libdir" && pwd)

# A sanitizer build's libtspi carries the ASan runtime as a dependency.
# It cannot come first in tpm-tools' (uninstrumented) list of libraries:
# preloading it would also check tpm-tools, which fails on its own
# (tpm_version prints a vendor string with no NUL, whatever the library).
# So ASan starts late: our code keeps its stack, global and UBSan checks,
# heap checks are lost; leaks of tpm-tools are not ours to report.
san_env=
if ldd "$libdir/libtspi.so.1" | grep -q 'libasan\.so'; then
	san_env="export ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"
fi

# The loader really maps ours at run time (not only in ldd's view).
check='
	set -e
	export LD_LIBRARY_PATH="'"$abs_libdir"'"
	'"$san_env"'
	LD_DEBUG=libs tpm_version 2>&1 >/dev/null | grep -q "calling init: '"$abs_libdir"'/libtspi.so.1" ||
		{ echo "FAIL: tpm_version did not run with our libtspi"; exit 1; }
	mkdir -p "$STEPS_DIR"
	sh "'"$steps"'" "$STEPS_DIR" "$DAEMON"
'

ran=0
for daemon in trousers ours; do
	STEPS_DIR=$work/$daemon DAEMON=$daemon \
		TSS12_TCSD=${TSS12_TCSD:-$top_builddir/tcsd/tcsd} "$with_tcsd" --$daemon sh -c "$check"
	rc=$?
	case $rc in
	0) echo "tpm-tools with our libtspi against $daemon tcsd: ok"; ran=$((ran + 1)) ;;
	77) echo "note: no $daemon tcsd here, skipped" ;;
	*) echo "FAIL: against $daemon tcsd (status $rc)"; exit 1 ;;
	esac
done
[ $ran -gt 0 ] || exit 77
exit 0
