#!/bin/sh
# The NV sequence of Debian's tpm-tools (tpm_nvdefine, tpm_nvwrite,
# tpm_nvread, tpm_nvinfo, tpm_nvrelease), run against whatever daemon
# TSS_TCSD_HOSTNAME / TSS_TCSD_PORT name, with whatever libtspi.so.1 the
# loader picks. Not a test by itself: nv_tools.sh runs it.
#
# Usage: nv_tools_steps.sh WORKDIR
# Needs an unowned TPM. Exits 0 when every step gave the expected exit
# status and output, 1 at the first failure (with the tool's output).
set -u

work=${1:?usage: nv_tools_steps.sh WORKDIR}
last=

fail() { echo "FAIL: $*"; [ -n "$last" ] && printf '%s\n' "$last"; exit 1; }
ok() { echo "  ok: $*"; }
# run NAME CMD...: the command must succeed; its output is kept in $last.
run() {
	name=$1
	shift
	last=$("$@" 2>&1) || fail "$name (status $?)"
}
# refused NAME CMD...: the command must fail; its output is kept in $last.
refused() {
	name=$1
	shift
	if last=$("$@" 2>&1); then fail "$name succeeded"; fi
}
expect_out() { printf '%s\n' "$last" | grep -q -- "$1" || fail "$2: output lacks '$1'"; }
lacks_out() { printf '%s\n' "$last" | grep -q -- "$1" && fail "$2: output has '$1'"; return 0; }

run "tpm_takeownership -y -z" tpm_takeownership -y -z
run "tpm_nvinfo -n (none yet)" tpm_nvinfo -n
expect_out "The following NVRAM areas have been defined:" "tpm_nvinfo -n"
lacks_out "0x00011000" "tpm_nvinfo -n"
ok "tpm_nvinfo -n lists no area of ours"

# An owner-protected area.
run "tpm_nvdefine owner area" tpm_nvdefine -i 0x11000 -s 32 -p "OWNERWRITE|OWNERREAD" -y
expect_out "Successfully created NVRAM area at index 0x11000 (69632)" tpm_nvdefine
ok "tpm_nvdefine -p OWNERWRITE|OWNERREAD"
refused "tpm_nvdefine twice" tpm_nvdefine -i 0x11000 -s 32 -p "OWNERWRITE|OWNERREAD" -y
ok "tpm_nvdefine of a defined index refused"
run "tpm_nvinfo -i" tpm_nvinfo -i 0x11000
expect_out "NVRAM index   : 0x00011000 (69632)" "tpm_nvinfo -i"
expect_out "Permissions   : 0x00020002 (OWNERREAD|OWNERWRITE)" "tpm_nvinfo -i"
expect_out "Size          : 32 (0x20)" "tpm_nvinfo -i"
expect_out "bWriteDefine  : FALSE" "tpm_nvinfo -i"
ok "tpm_nvinfo -i shows permissions and size"
run "tpm_nvwrite (owner)" tpm_nvwrite -i 0x11000 -z -d "hello nv"
expect_out "Successfully wrote 8 bytes at offset 0 to NVRAM index 0x11000" tpm_nvwrite
ok "tpm_nvwrite with the owner secret"
run "tpm_nvread -f (owner)" tpm_nvread -i 0x11000 -z -s 8 -f "$work/read.bin"
printf 'hello nv' > "$work/want.bin"
cmp -s "$work/read.bin" "$work/want.bin" || fail "tpm_nvread -f: file differs"
ok "tpm_nvread -f gives the data back"
run "tpm_nvread (hex dump)" tpm_nvread -i 0x11000 -z -s 8
expect_out "00000000  68 65 6c 6c 6f 20 6e 76" "tpm_nvread"
ok "tpm_nvread dumps it"
run "tpm_nvwrite at an offset" tpm_nvwrite -i 0x11000 -z -n 28 -d "tail"
run "tpm_nvread at an offset" tpm_nvread -i 0x11000 -z -n 28 -s 4
expect_out "0000001c  74 61 69 6c" "tpm_nvread -n 28"
ok "write and read at an offset"
refused "tpm_nvwrite past the end" tpm_nvwrite -i 0x11000 -z -n 30 -d "toolong"
expect_out "beyond the NVRAM area's size of 32 bytes" "tpm_nvwrite past the end"
ok "tpm_nvwrite past the end refused"

# An area with its own secret.
run "tpm_nvdefine auth area" tpm_nvdefine -i 0x11001 -s 16 -p "AUTHREAD|AUTHWRITE" -y \
	--pwda=nvpass
expect_out "Successfully created NVRAM area at index 0x11001" "tpm_nvdefine auth"
run "tpm_nvwrite (area secret)" tpm_nvwrite -i 0x11001 --password=nvpass -d "area secret"
expect_out "Successfully wrote 11 bytes" "tpm_nvwrite auth"
run "tpm_nvread (area secret)" tpm_nvread -i 0x11001 --password=nvpass -s 11
expect_out "61 72 65 61 20 73 65 63 72 65 74" "tpm_nvread auth"
ok "auth area: write and read with its secret"
refused "tpm_nvread with a wrong secret" tpm_nvread -i 0x11001 --password=wrong -s 11
expect_out "Authentication failed" "tpm_nvread wrong secret"
ok "auth area: a wrong secret is refused (TPM_AUTHFAIL)"

# PCR-bound area (tpm_nvdefine binds to the PCRs' current values).
run "tpm_nvdefine PCR area" tpm_nvdefine -i 0x11002 -s 8 -p OWNERWRITE -y -r 8 -w 9
run "tpm_nvinfo PCR area" tpm_nvinfo -i 0x11002
expect_out "PCRs.*: 8" "tpm_nvinfo PCR area (read PCRs)"
expect_out "PCRs.*: 9" "tpm_nvinfo PCR area (write PCRs)"
expect_out "Permissions   : 0x00000002 (OWNERWRITE)" "tpm_nvinfo PCR area"
run "tpm_nvwrite PCR area" tpm_nvwrite -i 0x11002 -z -d "12345678"
run "tpm_nvread PCR area" tpm_nvread -i 0x11002 -s 8
expect_out "31 32 33 34 35 36 37 38" "tpm_nvread PCR area"
ok "PCR-bound area: define, info, write, read"

run "tpm_nvinfo -n" tpm_nvinfo -n
for i in 0x00011000 0x00011001 0x00011002; do expect_out "$i" "tpm_nvinfo -n"; done
run "tpm_nvinfo (all)" tpm_nvinfo
expect_out "Size          : 16 (0x10)" "tpm_nvinfo"
expect_out "Size          : 8 (0x8)" "tpm_nvinfo"
ok "tpm_nvinfo lists the three areas"

for i in 0x11000 0x11001 0x11002; do
	run "tpm_nvrelease $i" tpm_nvrelease -i $i -y
	expect_out "Successfully released NVRAM area at index $i" "tpm_nvrelease $i"
done
refused "tpm_nvrelease twice" tpm_nvrelease -i 0x11000 -y
expect_out "NVRAM area does not exist" "tpm_nvrelease twice"
run "tpm_nvinfo -n (after release)" tpm_nvinfo -n
lacks_out "0x0001100" "tpm_nvinfo -n after release"
ok "tpm_nvrelease removes them"
exit 0
