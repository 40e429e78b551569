#!/bin/sh
# tss12's tpm_* commands (links to tpm-mgmt) against Debian's tpm-tools
# 1.3.9: the same command sequence (tools_compat_steps.sh), each on a
# fresh tcsd with an embedded TPM; the transcripts (exit status, output,
# error messages) must be identical. tss12's run uses our libtspi,
# Debian's run Debian's libtspi; both talk to our tcsd.
# Needs: $TCSD (our daemon, tells where the build is), tpm-tools, setsid.
set -u

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

TCSD=${TCSD:-../../tcsd/tcsd}
[ -x "$TCSD" ] || skip "no tcsd binary at $TCSD"
top=$(cd "$(dirname "$TCSD")/.." && pwd)
mgmt=$top/tools/.libs/tpm-mgmt
[ -x "$mgmt" ] || mgmt=$top/tools/tpm-mgmt
[ -x "$mgmt" ] || skip "tpm-mgmt is not built ($top/tools)"
with=$top/tests/integration/with_tcsd
[ -x "$with" ] || skip "with_tcsd is not built"
steps=$(dirname "$0")/tools_compat_steps.sh
[ -f "$steps" ] || steps=${srcdir:-.}/tools_compat_steps.sh
command -v setsid >/dev/null 2>&1 || skip "setsid (util-linux) missing"
names="tpm_version tpm_selftest tpm_takeownership tpm_changeownerauth tpm_clear tpm_setenable
tpm_setactive tpm_setownable tpm_setclearable tpm_setpresence tpm_setoperatorauth
tpm_resetdalock tpm_getpubek tpm_restrictpubek tpm_restrictsrk tpm_createek tpm_revokeek
tpm_nvdefine tpm_nvrelease tpm_nvread tpm_nvwrite tpm_nvinfo tpm_sealdata tpm_unsealdata"
for n in $names; do
	[ -x "/usr/sbin/$n" ] || [ -x "/usr/bin/$n" ] || skip "Debian's $n not installed (tpm-tools)"
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/tss12-tools-compat-XXXXXX") || exit 1
[ -n "${KEEP:-}" ] || trap 'rm -rf "$dir"' EXIT INT TERM
mkdir "$dir/bin" "$dir/ours" "$dir/debian"
for n in $names; do ln -s "$mgmt" "$dir/bin/$n"; done
chmod 755 "$dir" "$dir/ours" "$dir/debian"

# NV commands need Tspi_NV_* in our libtspi (a strong definition, not the stub).
NV=0
if nm -D "$top/tspi/.libs/libtspi.so.1" 2>/dev/null | grep -q ' T Tspi_NV_DefineSpace$'; then
	NV=1
else
	echo "NOTE: our libtspi has no Tspi_NV_DefineSpace yet: the NV steps are skipped"
fi
export NV TSS12_TEST_TCSD=embedded

PATH="$dir/bin:$PATH" LD_LIBRARY_PATH="$top/tspi/.libs" "$with" sh "$steps" "$dir/ours" ||
	fail "the steps did not run with tss12's tools"
PATH="/usr/sbin:/usr/bin:$PATH" "$with" sh "$steps" "$dir/debian" ||
	fail "the steps did not run with Debian's tpm-tools"

# The transcripts must not be empty or trivially equal.
for who in ours debian; do
	grep -q "^== takeownership: exit 0" "$dir/$who/transcript" || fail "$who: takeownership failed"
	grep -q "^unsealed file matches" "$dir/$who/transcript" || fail "$who: seal/unseal failed"
	grep -q "TPM Successfuly Cleared" "$dir/$who/transcript" || fail "$who: clear failed"
done
if ! diff -a -u "$dir/debian/transcript" "$dir/ours/transcript"; then
	fail "tss12's tpm_* commands differ from Debian's tpm-tools (above: - Debian, + tss12)"
fi
echo "PASS: $(grep -c '^== ' "$dir/ours/transcript") steps, identical to Debian's tpm-tools"
