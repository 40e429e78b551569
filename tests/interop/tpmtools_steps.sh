#!/bin/sh
# The tpm-tools sequence of the interop matrix (issue 3, (a) and (b)),
# run against whatever daemon TSS_TCSD_HOSTNAME / TSS_TCSD_PORT name,
# with whatever libtspi.so.1 the loader picks (the caller sets
# LD_LIBRARY_PATH for ours). Not a test by itself: tcsd_trousers_client.sh
# and tpmtools_our_tspi.sh run it.
#
# Usage: tpmtools_steps.sh WORKDIR [ours|trousers]
# Needs an unowned TPM whose EK exists and physical presence can be
# asserted by command (a software TPM). Exits 0 when every step passed,
# 1 at the first failure with the tool's output. The second argument
# names the daemon: TrouSerS' tcsd does not implement the TCS
# PhysicalPresence call (it answers TSS_E_NOTIMPL), so against it the
# TPM is cleared with the owner's secret (tpm_clear -z) instead of
# tpm_clear --force.
#
# Secrets are typed on stdin with no controlling terminal (setsid), so
# tpm-tools' getpass() reads them from there, as from a person.
set -u

work=${1:?usage: tpmtools_steps.sh WORKDIR [ours|trousers]}
daemon=${2:-ours}
last=

fail() { echo "FAIL: $*"; [ -n "$last" ] && printf '%s\n' "$last"; exit 1; }
ok() { echo "  ok: $*"; }
# run NAME CMD...: the command must succeed; its output is kept in $last.
run() {
	name=$1
	shift
	last=$("$@" 2>&1) || fail "$name (status $?)"
}
# typed "SECRETS" CMD...: CMD with SECRETS (one per line) on stdin and no tty.
typed() {
	secrets=$1
	shift
	printf '%s\n' "$secrets" | setsid -w "$@"
}
expect_out() { printf '%s\n' "$last" | grep -q "$1" || fail "$2: output lacks '$1'"; }

command -v setsid >/dev/null 2>&1 || { echo "setsid (util-linux) missing"; exit 1; }

run tpm_version tpm_version
expect_out "Chip Version: *1\.2\." tpm_version
ok tpm_version

run tpm_selftest tpm_selftest -l debug
expect_out "tpm_selftest succeeded" tpm_selftest
ok tpm_selftest

run "tpm_getpubek (unowned)" tpm_getpubek
expect_out "Public Endorsement Key" tpm_getpubek
expect_out "Size: *2048" tpm_getpubek
ok "tpm_getpubek (no owner yet)"

run "tpm_takeownership -y -z" tpm_takeownership -y -z
ok "tpm_takeownership -y -z"
# A second owner cannot be installed.
if last=$(tpm_takeownership -y -z 2>&1); then fail "second tpm_takeownership succeeded"; fi
ok "second tpm_takeownership refused"

run "tpm_getpubek -z" tpm_getpubek -z
expect_out "Public Endorsement Key" "tpm_getpubek -z"
ok "tpm_getpubek -z (owner auth)"
# TakeOwnership clears readPubek (Part 3 §6.1): reading it needs the owner now.
# (It then asks for the owner secret: an empty line, and no terminal to hang on.)
if last=$(typed "" tpm_getpubek 2>&1); then fail "tpm_getpubek without owner auth after TakeOwnership"; fi
run "tpm_restrictpubek -s -z" tpm_restrictpubek -s -z
expect_out "readable by: owner" "tpm_restrictpubek -s -z"
run "tpm_setclearable -s -z" tpm_setclearable -s -z
expect_out "Owner Clear Disabled: false" "tpm_setclearable -s -z"
ok "owner status (tpm_restrictpubek -s, tpm_setclearable -s)"

# Seal under the SRK (well-known secret), unseal, compare.
head -c 100 /dev/urandom | od -An -tx1 > "$work/plain"
run "tpm_sealdata -z" tpm_sealdata -z -i "$work/plain" -o "$work/sealed"
grep -q -- "-----BEGIN TSS-----" "$work/sealed" || fail "tpm_sealdata: no TSS armour"
run "tpm_unsealdata -z" tpm_unsealdata -z -i "$work/sealed" -o "$work/unsealed"
cmp -s "$work/plain" "$work/unsealed" || fail "unsealed data differ from the plaintext"
# Sealed to PCR 16 too, then through a pipe to stdout.
run "tpm_sealdata -z -p 16" tpm_sealdata -z -p 16 -i "$work/plain" -o "$work/sealed16"
last=$(tpm_unsealdata -z -i "$work/sealed16" 2>&1 > "$work/unsealed16") ||
	fail "tpm_unsealdata -z (PCR 16) (status $?)"
cmp -s "$work/plain" "$work/unsealed16" || fail "PCR-bound unsealed data differ"
# Damaged blob: unseal must fail, not return garbage.
# One base64 character of the TPM-sealed symmetric key (second line after
# "Symmetric Key:") changes: the TPM must refuse to unseal it.
awk '/^Symmetric Key:/ { n = NR + 2 }
	NR == n { c = substr($0, 30, 1); $0 = substr($0, 1, 29) (c == "A" ? "B" : "A") substr($0, 31) }
	{ print }' "$work/sealed" > "$work/damaged"
if cmp -s "$work/sealed" "$work/damaged"; then fail "could not damage the blob"; fi
if tpm_unsealdata -z -i "$work/damaged" -o "$work/garbage" >/dev/null 2>&1; then
	fail "a damaged sealed blob unsealed"
fi
ok "tpm_sealdata | tpm_unsealdata (SRK, SRK+PCR 16, damaged blob refused)"

# Owner secret: well-known -> "owner-pw-1" (typed, twice).
last=$(typed "owner-pw-1
owner-pw-1" tpm_changeownerauth -o -z 2>&1) || fail "tpm_changeownerauth -o -z (status $?)"
last=$(typed "owner-pw-1" tpm_getpubek 2>&1) || fail "tpm_getpubek with the new owner secret"
expect_out "Public Endorsement Key" "tpm_getpubek (new owner secret)"
if last=$(tpm_getpubek -z 2>&1); then fail "the old (well-known) owner secret still works"; fi
expect_out "Authentication failed" "tpm_getpubek -z after the change"
if last=$(typed "wrong" tpm_getpubek 2>&1); then fail "a wrong owner secret works"; fi
ok "tpm_changeownerauth -o -z (new secret works, old and wrong ones fail)"

# SRK secret: well-known -> "srk-pw-1", with the owner's secret typed first.
last=$(typed "owner-pw-1
srk-pw-1
srk-pw-1" tpm_changeownerauth -s 2>&1) || fail "tpm_changeownerauth -s (status $?)"
last=$(typed "srk-pw-1" tpm_sealdata -i "$work/plain" -o "$work/sealed2" 2>&1) ||
	fail "tpm_sealdata with the new SRK secret"
last=$(typed "srk-pw-1" tpm_unsealdata -i "$work/sealed2" -o "$work/unsealed2" 2>&1) ||
	fail "tpm_unsealdata with the new SRK secret"
cmp -s "$work/plain" "$work/unsealed2" || fail "unsealed (SRK secret) data differ"
if tpm_unsealdata -z -i "$work/sealed2" -o "$work/garbage2" >/dev/null 2>&1; then
	fail "unseal with the old (well-known) SRK secret succeeded"
fi
ok "tpm_changeownerauth -s (seal/unseal with the new SRK secret, old one fails)"

# Owner back to well-known with the current secret typed (-r).
last=$(typed "owner-pw-1" tpm_changeownerauth -o -r 2>&1) ||
	fail "tpm_changeownerauth -o -r (status $?)"
run "tpm_getpubek -z (well-known again)" tpm_getpubek -z
ok "tpm_changeownerauth -o -r (back to the well-known secret)"

# OwnerClear with a wrong secret: refused, TPM still owned.
if last=$(typed "wrong" tpm_clear 2>&1); then fail "tpm_clear with a wrong owner secret"; fi
run "tpm_getpubek -z (still owned)" tpm_getpubek -z
ok "tpm_clear with a wrong secret refused"

if [ "$daemon" = trousers ]; then
	# TrouSerS' tcsd refuses PhysicalPresence (TSS_E_NOTIMPL, layer TCS).
	if last=$(tpm_setpresence -a 2>&1); then fail "TrouSerS' tcsd accepted PhysicalPresence"; fi
	expect_out "0x00002006" "tpm_setpresence -a against TrouSerS' tcsd"
	run "tpm_clear -z" tpm_clear -z
	expect_out "TPM Successfuly Cleared" "tpm_clear -z"
	what="tpm_clear -z (TrouSerS' tcsd has no PhysicalPresence)"
else
	# ForceClear needs physical presence, asserted by command (software TPM).
	run "tpm_setpresence -a" tpm_setpresence -a
	run "tpm_setpresence -s -z" tpm_setpresence -s -z
	expect_out "Physical Presence: true" "tpm_setpresence -s after -a"
	run "tpm_clear --force" tpm_clear --force
	expect_out "TPM Successfuly Cleared" "tpm_clear --force"
	what="tpm_setpresence -a, tpm_clear --force"
fi
# The owner is gone: owner-authorised commands fail now.
if last=$(tpm_getpubek -z 2>&1); then fail "tpm_getpubek -z works after the clear"; fi
ok "$what (owner gone)"
echo "tpm-tools steps: all passed"
