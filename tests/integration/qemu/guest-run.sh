#!/bin/sh
# Runs inside the QEMU guest (as /guest/run.sh, busybox sh, root), where
# the kernel's tpm_tis driver owns a TPM 1.2: checks that tpmdd's dev:
# backend sees through /dev/tpm0 what the kernel shows in sysfs.
# Prints one "CHECK name OK|FAIL detail" line per check, plus blocks
# between "@@@ BEGIN x" and "@@@ END x" that the host checks itself
# (JSON, IMA log), since the guest has no python.
#
# /guest/tpmdd is the dynamically linked test binary; /guest/lib holds its
# libraries and the dynamic loader (ld.so), so it runs without a root fs.
# /guest/env (optional) sets ASAN_OPTIONS and the like.

[ -r /guest/env ] && . /guest/env
L=/guest/lib
S=/sys/class/tpm/tpm0/device
O=/tmp/out
E=/tmp/err

tpmdd() { "$L/ld.so" --library-path "$L" /guest/tpmdd "$@"; }

ok() { echo "CHECK $1 OK ${2:-}"; }
fail() {
	echo "CHECK $1 FAIL ${2:-}"
	echo "  rc=$rc stdout: $(head -c 400 "$O" 2>/dev/null | tr '\n' '|')"
	echo "  stderr: $(head -c 1500 "$E" 2>/dev/null | tr '\n' '|')"
}
# run ARGS...: tpmdd's output in $O and $E, its exit status in $rc.
run() {
	tpmdd "$@" >"$O" 2>"$E"
	rc=$?
}
# The value of "NAME: value" in a sysfs-style file.
field() { sed -n "s/^$1: *//p" "$2" | head -n 1; }

# ---- the kernel's side ----
rc=-
if [ -c /dev/tpm0 ] && [ -r "$S/caps" ] && grep -q '^TCG version: 1\.2' "$S/caps"; then
	ok tpm0_bound "driver $(basename "$(readlink "$S/driver")")"
else
	fail tpm0_bound "no /dev/tpm0 or no TPM 1.2 in $S/caps"
fi
cat "$S/caps" >/tmp/caps.sysfs 2>/dev/null
for f in caps enabled active owned temp_deactivated durations timeouts; do
	[ -r "$S/$f" ] && echo "SYSFS $f $(tr '\n' ' ' <"$S/$f")"
done

# ---- version ----
run --device dev:/dev/tpm0 version
if [ "$rc" = 0 ] && grep -q '^TPM 1\.2 ' "$O" && [ ! -s "$E" ]; then
	ok version "$(head -n 1 "$O")"
else
	fail version "expected TPM 1.2, exit 0, nothing on stderr"
fi
# sysfs: "Manufacturer: 0x49424d00"; tpmdd: "Manufacturer: IBM (0x49424D00)"
k=$(field Manufacturer /tmp/caps.sysfs | tr 'A-F' 'a-f')
t=$(sed -n 's/^Manufacturer: .*(\(0x[0-9A-Fa-f]*\))$/\1/p' "$O" | tr 'A-F' 'a-f')
if [ -n "$k" ] && [ "$k" = "$t" ]; then
	ok version_manufacturer "$k"
else
	fail version_manufacturer "kernel '$k', tpmdd '$t'"
fi
k=$(field 'Firmware version' /tmp/caps.sysfs)
t=$(field 'Firmware version' "$O")
if [ -n "$k" ] && [ "$k" = "$t" ]; then
	ok version_firmware "$k"
else
	fail version_firmware "kernel '$k', tpmdd '$t'"
fi

# ---- pcrs: tpmdd prints the layout of sysfs pcrs ----
run --device dev:/dev/tpm0 pcrs
cp "$O" /tmp/pcrs.tpmdd
cat "$S/pcrs" >/tmp/pcrs.sysfs 2>&1
if [ "$rc" = 0 ] && [ "$(wc -l </tmp/pcrs.tpmdd)" = 24 ] && cmp -s /tmp/pcrs.tpmdd /tmp/pcrs.sysfs; then
	ok pcrs_match "24 PCRs identical to $S/pcrs"
else
	fail pcrs_match "tpmdd pcrs differs from $S/pcrs"
	diff /tmp/pcrs.sysfs /tmp/pcrs.tpmdd | head -n 30
fi
p10=$(grep '^PCR-10:' /tmp/pcrs.tpmdd)
if [ -n "$p10" ] && echo "${p10#PCR-10:}" | grep -q '[1-9A-F]'; then
	ok pcr10_nonzero "$p10"
else
	fail pcr10_nonzero "PCR-10 is '$p10' (IMA did not extend it?)"
fi
echo "@@@ BEGIN pcr10"
echo "$p10"
echo "@@@ END pcr10"
echo "@@@ BEGIN imalog"
cat /sys/kernel/security/ima/ascii_runtime_measurements 2>&1
echo "@@@ END imalog"

# ---- caps as JSON: checked on the host ----
run --device dev:/dev/tpm0 --json caps
if [ "$rc" = 0 ] && [ ! -s "$E" ]; then
	ok caps_json_rc
else
	fail caps_json_rc "tpmdd --json caps"
fi
echo "@@@ BEGIN caps.json"
cat "$O"
echo "@@@ END caps.json"

# ---- random ----
run --device dev:/dev/tpm0 random 32
if [ "$rc" = 0 ] && [ "$(wc -l <"$O")" = 1 ] && grep -Eq '^[0-9a-f]{64}$' "$O"; then
	ok random32 "$(cat "$O")"
else
	fail random32 "expected one line of 64 hex digits"
fi
run --device dev:/dev/tpm0 random 3000
if [ "$rc" = 0 ] && grep -Eq '^[0-9a-f]{6000}$' "$O"; then
	ok random3000 "6000 hex digits"
else
	fail random3000 "expected 6000 hex digits"
fi

# ---- flags agree with sysfs ----
run --device dev:/dev/tpm0 flags
bad=""
for f in enabled active owned temp_deactivated; do
	[ -r "$S/$f" ] || continue
	k=$(cat "$S/$f")
	t=$(awk -v f="$f" '$1 == f { print $2 }' "$O")
	[ "$k" = "$t" ] || bad="$bad $f(kernel $k, tpmdd $t)"
done
if [ "$rc" = 0 ] && [ -z "$bad" ]; then
	ok flags_agree "enabled $(cat "$S/enabled") active $(cat "$S/active") owned $(cat "$S/owned")"
else
	fail flags_agree "disagree:$bad"
fi

# ---- raw commands ----
# TPM_GetRandom(16), TPM Main Part 3 §13.6: a 30-byte TPM_TAG_RSP_COMMAND answer.
run --device dev:/dev/tpm0 raw "00c1 0000000e 00000046 00000010"
if [ "$rc" = 0 ] && grep -Eq '^00c40000001e0000000000000010[0-9a-f]{32}$' "$O"; then
	ok raw_getrandom "$(cat "$O")"
else
	fail raw_getrandom "expected 00c4 0000001e 00000000 00000010 + 16 bytes"
fi
# TPM_PCRRead(99): the TPM's TPM_BADINDEX comes back through the kernel, exit 1.
run --device dev:/dev/tpm0 raw "00c1 0000000e 00000015 00000063"
if [ "$rc" = 1 ] && grep -Eq '^00c40000000a00000002$' "$O" && grep -q TPM_BADINDEX "$E"; then
	ok raw_tpm_error "TPM_BADINDEX, exit 1"
else
	fail raw_tpm_error "expected TPM_BADINDEX and exit 1"
fi

# ---- pubek: the kernel reads it with TPM_ReadPubek, as tpmdd does ----
run --device dev:/dev/tpm0 pubek
if cat "$S/pubek" >/tmp/pubek.sysfs 2>/dev/null && [ -s /tmp/pubek.sysfs ]; then
	# Same fields; the kernel's %ph is lower case with trailing blanks.
	a=$(tr -s ' \n' '  ' </tmp/pubek.sysfs | tr 'a-f' 'A-F' | sed 's/ *$//')
	b=$(tr -s ' \n' '  ' <"$O" | tr 'a-f' 'A-F' | sed 's/ *$//')
	if [ "$rc" = 0 ] && [ "$a" = "$b" ]; then
		ok pubek "identical to $S/pubek"
	else
		fail pubek "differs from $S/pubek"
	fi
else
	# An owned TPM usually has TPM_ReadPubek disabled: both must refuse.
	if [ "$rc" = 1 ] && grep -q 'refuses to reveal' "$E"; then
		ok pubek "kernel and tpmdd both refused (TPM_DISABLED_CMD)"
	else
		fail pubek "the kernel could not read $S/pubek; tpmdd should have said why"
	fi
fi

# ---- the kernel allows one opener: the second gets EBUSY ----
# sleep ignores its stdin: it only keeps the device open.
# shellcheck disable=SC2217
sleep 60 </dev/tpm0 &
holder=$!
i=0
while [ "$(readlink /proc/$holder/fd/0 2>/dev/null)" != /dev/tpm0 ] && [ $i -lt 100 ]; do
	i=$((i + 1))
	usleep 20000
done
run --device dev:/dev/tpm0 version
if [ "$rc" = 1 ] && grep -q 'in use' "$E"; then
	ok busy_in_use "$(head -n 1 "$E")"
else
	fail busy_in_use "expected exit 1 and 'in use' while pid $holder holds /dev/tpm0"
fi
kill "$holder"
wait "$holder" 2>/dev/null
run --device dev:/dev/tpm0 version
if [ "$rc" = 0 ] && grep -q '^TPM 1\.2 ' "$O"; then
	ok busy_released "works again once the other opener closed"
else
	fail busy_released "tpmdd fails after the other opener closed"
fi

# ---- device selection ----
run --device dev:/dev/tpm0 version
cp "$O" /tmp/version.explicit
unset TPMDD_DEVICE
run --json version
if [ "$rc" = 0 ] && grep -q '"backend": "dev"' "$O" && grep -q '"software": false' "$O" &&
	grep -q '"tpm": "1.2"' "$O"; then
	run version
	if [ "$rc" = 0 ] && cmp -s "$O" /tmp/version.explicit; then
		ok default_device "no --device, no TPMDD_DEVICE: /dev/tpm0"
	else
		fail default_device "default output differs from --device dev:/dev/tpm0"
	fi
else
	fail default_device "no --device, no TPMDD_DEVICE: expected the dev backend"
fi
# TPMDD_DEVICE wins over the /dev/tpm0 default.
TPMDD_DEVICE=dev:/dev/tpm7 tpmdd version >"$O" 2>"$E"
rc=$?
if [ "$rc" = 1 ] && grep -q '/dev/tpm7' "$E"; then
	ok env_device_wins "TPMDD_DEVICE=dev:/dev/tpm7 used, not /dev/tpm0"
else
	fail env_device_wins "expected exit 1 naming /dev/tpm7"
fi

# ---- the C test: threads sharing a handle, cancel, one opener ----
if [ -e /guest/test_dev_kernel ]; then
	"$L/ld.so" --library-path "$L" /guest/test_dev_kernel >"$O" 2>"$E"
	rc=$?
	sed 's/^/  | /' "$O" "$E"
	if [ "$rc" = 0 ] && cat "$O" "$E" | grep -q 'PASSED.* 6 test'; then
		ok dev_kernel "$(grep '^cancel:' "$O")"
	else
		fail dev_kernel "test_dev_kernel failed"
	fi
fi
