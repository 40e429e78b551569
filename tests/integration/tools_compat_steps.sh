#!/bin/sh
# The tpm-tools command sequence of the compatibility test (issue 5):
# every tpm_* command, happy and bad paths, run with whatever tpm_*
# programs come first in $PATH (tss12's links to tpm-mgmt, or Debian's
# tpm-tools) against the daemon TSS_TCSD_HOSTNAME/TSS_TCSD_PORT name.
# It writes WORKDIR/transcript: per step the exit status, stdout and the
# stderr lines scripts look at. test_tools_compat.sh runs it twice and
# compares the transcripts; the normalisations below are the documented
# deliberate differences (see tpm-mgmt(1), COMPATIBILITY):
#   - the EK modulus (every fresh TPM has its own EK);
#   - tpm_version's stderr (Debian's prints uninitialised bytes there);
#   - NV steps run only when NV=1 (the libtspi under test has Tspi_NV_*);
#   - "Not implemented" answers are the libtspi's, not the tool's: their
#     layer (TCS from TrouSerS' libtspi, TSP from a tss12 stub) is masked.
# Not a test by itself. Usage: tools_compat_steps.sh WORKDIR
# Needs an unowned software TPM whose physical presence can be asserted.
set -u

work=${1:?usage: tools_compat_steps.sh WORKDIR}
out=$work/transcript
: > "$out"

# run NAME [SECRETS] -- CMD...: records status, stdout and stderr; SECRETS
# (one per line) are typed on stdin with no terminal (setsid), as people do.
run() {
	name=$1
	shift
	secrets=
	if [ "$1" != -- ]; then secrets=$1; shift; fi
	shift
	if [ -n "$secrets" ]; then
		printf '%s\n' "$secrets" | setsid -w "$@" > "$work/o" 2> "$work/e"
	else
		setsid -w "$@" < /dev/null > "$work/o" 2> "$work/e"
	fi
	rc=$?
	{
		echo "== $name: exit $rc"
		# The EK's modulus differs per TPM: keep the shape, drop the bytes.
		sed -e '/^	[0-9a-f]\{8\}\( [0-9a-f]\{8\}\)*$/d' -e "s|$work|WORK|g" "$work/o"
		echo "-- stderr"
		case "$1" in
		tpm_version) ;;
		*) sed -e "s|$work|WORK|g" \
			-e 's/0x0000[23]006 - layer=t[cs][sp], code=0006 (6), Not implemented/<not implemented>/' \
			"$work/e" ;;
		esac
	} >> "$out"
	return $rc
}

echo "hello from the tools compatibility test" > "$work/plain"

run version -- tpm_version
run version-v -- tpm_version -v
run version-help -- tpm_version --help
run version-badopt -- tpm_version --bogus
run takeown-help -- tpm_takeownership -h
run takeown-badopt -- tpm_takeownership -q
run badloglevel -- tpm_selftest -l loud
run selftest -- tpm_selftest
run selftest-r -- tpm_selftest -r
run selftest-debug -- tpm_selftest -l debug
run getpubek-unowned -- tpm_getpubek
run setownable-unowned -- tpm_setownable -s -z
run takeownership -- tpm_takeownership -y -z
run takeownership-again -- tpm_takeownership -y -z
run takeownership-info -- tpm_takeownership -y -z -l info
run getpubek-owner -- tpm_getpubek -z
run getpubek-info -- tpm_getpubek -z -l info
for tool in tpm_setenable tpm_setactive tpm_setownable tpm_setclearable tpm_setpresence \
	tpm_restrictpubek tpm_restrictsrk; do
	run "$tool-status" -- "$tool" -s -z
done
# A wrong owner secret (few of these: the TPM locks out after some, Part 1 §19.5).
run setenable-typed-wrong wrong -- tpm_setenable -s
# The dictionary-attack lockout and the operator secret (TPM_ResetLockValue,
# TPM_SetOperatorAuth: admin ordinals served since issue 4).
run resetdalock-help -- tpm_resetdalock -h
run resetdalock-badopt -- tpm_resetdalock -x
run resetdalock -- tpm_resetdalock -z
run setoperatorauth-help -- tpm_setoperatorauth -h
run setoperatorauth-nopresence -- tpm_setoperatorauth -z
run setoperatorauth-presence -- tpm_setpresence -a
run setoperatorauth-typed "operator
operator" -- tpm_setoperatorauth
run setoperatorauth-mismatch "operator
other" -- tpm_setoperatorauth
# End of input at a prompt: getpass() gives "", an empty secret.
run setoperatorauth-eof -- tpm_setoperatorauth
run setoperatorauth -- tpm_setoperatorauth -z
run restrictsrk-default -- tpm_restrictsrk -z
run restrictsrk-restrict -- tpm_restrictsrk -r -z
run restrictsrk-after -- tpm_restrictsrk -s -z
run restrictsrk-allow -- tpm_restrictsrk -a -z
run restrictpubek-restrict -- tpm_restrictpubek -r -z
run setownable-prevent -- tpm_setownable -p -z
run setownable-allow -- tpm_setownable -a -z
run setownable-after -- tpm_setownable -s -z
run setclearable-info -- tpm_setclearable -s -z -l info

# Sealing: files, stdin/stdout, PCRs; unsealing, and its bad paths.
run sealdata -- tpm_sealdata -z -i "$work/plain" -o "$work/sealed"
run unsealdata -- tpm_unsealdata -z -i "$work/sealed"
run unsealdata-file -- tpm_unsealdata -z -i "$work/sealed" -o "$work/unsealed"
cmp -s "$work/plain" "$work/unsealed" && echo "unsealed file matches" >> "$out"
run sealdata-pcrs -- tpm_sealdata -z -p 0 -p 7 -p 16 -i "$work/plain" -o "$work/sealed-pcr"
run unsealdata-pcrs -- tpm_unsealdata -z -i "$work/sealed-pcr"
setsid -w tpm_sealdata -z < "$work/plain" > "$work/sealed-stdin" 2>/dev/null
run unsealdata-stdin-sealed -- tpm_unsealdata -z -i "$work/sealed-stdin"
run unsealdata-typed-wrong wrong -- tpm_unsealdata -i "$work/sealed"
run sealdata-typed-wrong wrong -- tpm_sealdata -i "$work/plain" -o "$work/nothing"
run unsealdata-missing -- tpm_unsealdata -z -i "$work/does-not-exist"
run unsealdata-noinput -- tpm_unsealdata -z
run sealdata-missing -- tpm_sealdata -z -i "$work/does-not-exist" -o "$work/nothing"
head -n 3 "$work/sealed" > "$work/truncated"
run unsealdata-truncated -- tpm_unsealdata -z -i "$work/truncated"
echo "not sealed at all" > "$work/garbage"
run unsealdata-garbage -- tpm_unsealdata -z -i "$work/garbage"
sed 's/Symmetric Key: AES-256-CBC/Symmetric Key: DES-CBC/' "$work/sealed" > "$work/wrongcipher"
run unsealdata-wrongcipher -- tpm_unsealdata -z -i "$work/wrongcipher"
run unsealdata-outdir -- tpm_unsealdata -z -i "$work/sealed" -o "$work/no/such/dir/out"

# Owner and SRK secrets.
run changeownerauth-nothing -- tpm_changeownerauth -z
run changeownerauth-owner "new-owner
new-owner" -- tpm_changeownerauth -o -z
run getpubek-old-secret -- tpm_getpubek -z
run changeownerauth-mismatch "new-owner
a
b" -- tpm_changeownerauth -o
run changeownerauth-srk "new-owner
new-srk
new-srk" -- tpm_changeownerauth -s
run unsealdata-new-srk new-srk -- tpm_unsealdata -i "$work/sealed"
run changeownerauth-back "new-owner" -- tpm_changeownerauth -o -s -r
run unsealdata-wk-again -- tpm_unsealdata -z -i "$work/sealed"

if [ "${NV:-0}" = 1 ]; then
	run nvdefine-noindex -- tpm_nvdefine -s 32 -y
	run nvdefine-noperm -- tpm_nvdefine -i 0x00011001 -s 32 -y
	run nvdefine-perms -- tpm_nvdefine -p '?'
	run nvdefine -- tpm_nvdefine -i 0x00011001 -s 32 -p OWNERWRITE -y
	run nvdefine-auth -- tpm_nvdefine -i 0x00011002 -s 16 -p 'AUTHREAD|AUTHWRITE' -y -z
	run nvinfo -- tpm_nvinfo
	run nvinfo-list -- tpm_nvinfo -n
	run nvinfo-one -- tpm_nvinfo -i 0x00011001
	run nvwrite -- tpm_nvwrite -i 0x00011001 -d "nv data" -z
	run nvwrite-fill -- tpm_nvwrite -i 0x00011001 -n 8 -s 4 -m 0x41 -z
	run nvwrite-toolong -- tpm_nvwrite -i 0x00011001 -n 30 -d "too long" -z
	run nvwrite-nodata -- tpm_nvwrite -i 0x00011001 -s 4 -z
	run nvread -- tpm_nvread -i 0x00011001
	run nvread-part -- tpm_nvread -i 0x00011001 -s 4 -n 2
	run nvread-file -- tpm_nvread -i 0x00011001 -f "$work/nvdata"
	run nvread-index0 -- tpm_nvread -s 4
	run nvwrite-auth -- tpm_nvwrite -i 0x00011002 -d secret -z
	run nvread-auth -- tpm_nvread -i 0x00011002 -z
	run nvread-auth-wrong wrong -- tpm_nvread -i 0x00011002 --password
	run nvrelease -- tpm_nvrelease -i 0x00011001 -y
	run nvrelease-auth -- tpm_nvrelease -i 0x00011002 -y
	run nvrelease-again -- tpm_nvrelease -i 0x00011001 -y
	run nvinfo-empty -- tpm_nvinfo -n
else
	echo "(NV steps skipped: NV=${NV:-0})" >> "$out"
fi

# The EK: this TPM has one already (the TPM refuses a second, Part 3 §14.1),
# and it is not revocable; the argument checks come first.
run createek-help -- tpm_createek -h
run createek-r-nothing -- tpm_createek -r
run createek-r-g-noout -- tpm_createek -r -g
run createek-r-i-missing -- tpm_createek -r -i "$work/does-not-exist"
printf 'short' > "$work/short-secret"
run createek-r-i-short -- tpm_createek -r -i "$work/short-secret"
run revokeek-noinput -- tpm_revokeek
run revokeek-missing -- tpm_revokeek -i "$work/does-not-exist"
head -c 20 /dev/zero > "$work/ek-secret"
run revokeek-not-revocable -- tpm_revokeek -i "$work/ek-secret"

# A wrong owner secret for ResetLockValue may disable it until the next
# TPM_Startup (Part 3, TPM_ResetLockValue): last, so the lockout count
# above stays low.
run resetdalock-eof -- tpm_resetdalock
run resetdalock-disabled -- tpm_resetdalock -z

run setpresence-assert -- tpm_setpresence -a
run setpresence-after -- tpm_setpresence -s -z
run clear-force -- tpm_clear --force
run getpubek-after-clear -- tpm_getpubek -z
# Temporary deactivation lasts until the next TPM_Startup: the very last step.
run setactive-temp -- tpm_setactive -t -z
run setactive-after-temp -- tpm_setactive -s -z
exit 0
