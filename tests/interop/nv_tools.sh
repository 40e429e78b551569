#!/bin/sh
# NV storage interop (issue 4 item 1): Debian's tpm_nvdefine, tpm_nvwrite,
# tpm_nvread, tpm_nvinfo and tpm_nvrelease run the sequence of
# nv_tools_steps.sh (output text and exit status checked)
#   1. with Debian's libtspi against OUR tcsd,
#   2. with OUR libtspi.so.1 first on the library path against our tcsd,
#   3. with OUR libtspi against TrouSerS' tcsd (skipped when it cannot run),
# each on a fresh swtpm started by tests/integration/with_tcsd.
# Skips (77) without tpm-tools or swtpm.
set -u

top_builddir=${TOP_BUILDDIR:-../..}
libdir=$top_builddir/tspi/.libs
with_tcsd=$top_builddir/tests/integration/with_tcsd

for t in tpm_nvdefine tpm_nvwrite tpm_nvread tpm_nvinfo tpm_nvrelease tpm_takeownership cmp; do
	command -v $t >/dev/null 2>&1 || { echo "SKIP: $t not installed"; exit 77; }
done
[ -e "$libdir/libtspi.so.1" ] || { echo "FAIL: $libdir/libtspi.so.1 not built"; exit 1; }
[ -x "$with_tcsd" ] || { echo "FAIL: $with_tcsd not built"; exit 1; }
abs_libdir=$(cd "$libdir" && pwd)

steps=${TOP_SRCDIR:+$TOP_SRCDIR/tests/interop/}nv_tools_steps.sh
[ -f "$steps" ] || steps=$(dirname "$0")/nv_tools_steps.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/tss12-nv-tools.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# A sanitizer build's libtspi needs the ASan runtime, which cannot come
# first in an uninstrumented tool: start it late and keep tpm-tools'
# own leaks out of the report (as tpmtools_our_tspi.sh does).
san_env=:
if ldd "$libdir/libtspi.so.1" | grep -q 'libasan\.so'; then
	san_env="export ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"
fi

# Ours: the loader must really map our library (not only in ldd's view).
ours='
	set -e
	export LD_LIBRARY_PATH="'"$abs_libdir"'"
	'"$san_env"'
	LD_DEBUG=libs tpm_nvinfo -n 2>&1 >/dev/null |
		grep -q "calling init: '"$abs_libdir"'/libtspi.so.1" ||
		{ echo "FAIL: tpm_nvinfo did not run with our libtspi"; exit 1; }
	mkdir -p "$STEPS_DIR"
	sh "'"$steps"'" "$STEPS_DIR"
'
# Debian's: nothing of ours on the library path.
debian='
	set -e
	unset LD_LIBRARY_PATH
	mkdir -p "$STEPS_DIR"
	sh "'"$steps"'" "$STEPS_DIR"
'

ran=0
for combo in debian:ours ours:ours ours:trousers; do
	lib=${combo%%:*}
	daemon=${combo#*:}
	if [ "$lib" = ours ]; then script=$ours; else script=$debian; fi
	STEPS_DIR=$work/$lib-$daemon TSS12_TCSD=${TSS12_TCSD:-$top_builddir/tcsd/tcsd} \
		"$with_tcsd" --$daemon sh -c "$script"
	rc=$?
	case $rc in
	0) echo "tpm_nv* with $lib libtspi against $daemon tcsd: ok"; ran=$((ran + 1)) ;;
	77) echo "note: no $daemon tcsd here; $lib libtspi against it skipped" ;;
	*) echo "FAIL: tpm_nv* with $lib libtspi against $daemon tcsd (status $rc)"; exit 1 ;;
	esac
done
[ $ran -gt 0 ] || exit 77
exit 0
