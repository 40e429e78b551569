#!/bin/sh
# The tpmdd probe command, run for real on an embedded libtpms TPM:
# output formats, JSON validity, exit codes and messages.
# Needs TPMDD (the built binary); python3 for the JSON checks.

if [ -z "${TPMDD:-}" ] || [ ! -x "$TPMDD" ]; then
	echo "SKIP: TPMDD is not set to the built tpmdd binary"
	exit 77
fi
PY=$(command -v python3 || true)

T=$(mktemp -d "${TMPDIR:-/tmp}/tss12-cli-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
DEV="libtpms:$T/tpm"
failures=0
checks=0

fail() {
	echo "FAIL: $*"
	echo "  stdout: $(head -c 600 "$T/out")"
	echo "  stderr: $(head -c 600 "$T/err")"
	failures=$((failures + 1))
}

# run EXPECTED_EXIT ARGS...: runs tpmdd, output in $T/out and $T/err.
run() {
	want=$1
	shift
	checks=$((checks + 1))
	"$TPMDD" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "tpmdd $* exited $rc, expected $want"
		return 1
	fi
	return 0
}

out_has() { grep -Eq -- "$1" "$T/out" || fail "stdout lacks /$1/ ($2)"; }
err_has() { grep -Eq -- "$1" "$T/err" || fail "stderr lacks /$1/ ($2)"; }

json_ok() {
	[ -n "$PY" ] || return 0
	"$PY" -m json.tool "$T/out" >/dev/null 2>&1 || fail "invalid JSON from: $1"
}

# json_check 'python expression over d' what
json_check() {
	[ -n "$PY" ] || return 0
	"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" \
		"$T/out" || fail "JSON check failed: $2"
}

# ---- the views ----

run 0 --device "$DEV" version &&
	out_has '^TPM 1\.2 ' "TPM version" &&
	out_has '^Manufacturer: [^ ]+ \(0x[0-9A-F]{8}\)$' "manufacturer" &&
	out_has '^Firmware version: [0-9]+\.[0-9]+$' "firmware version" &&
	err_has 'software TPM' "software TPM warning"

run 0 --device "$DEV" pcrs &&
	{ n=$(grep -Ec '^PCR-[0-9]{2}:( [0-9A-F]{2}){20} $' "$T/out");
	  [ "$n" = 24 ] || fail "pcrs printed $n well-formed PCR lines, expected 24";
	  [ "$(wc -l <"$T/out")" = 24 ] || fail "pcrs printed extra lines"; }

run 0 --device "$DEV" caps &&
	out_has '^TCG version: 1\.2' "caps TCG version" &&
	out_has '^Durations: short [0-9]+ us' "caps durations" &&
	out_has '^PCRs: 24$' "caps PCR count" &&
	out_has '^Key slots: [0-9]+$' "caps key slots" &&
	out_has '^Enabled: 1$' "caps enabled" &&
	out_has '^Owned: 0$' "caps owned"

run 0 --device "$DEV" flags &&
	out_has '^enabled +1$' "flags enabled" &&
	out_has '^active +1$' "flags active" &&
	out_has '^owned +0$' "flags owned"

run 0 --device "$DEV" pubek &&
	out_has '^Modulus length: 256$' "pubek modulus length" &&
	out_has '^Algorithm: 00 00 00 01$' "pubek algorithm"

run 0 --device "$DEV" random 16 &&
	{ grep -Eq '^[0-9a-f]{32}$' "$T/out" || fail "random 16 is not 32 hex digits"; }
run 0 --device "$DEV" random 0 &&
	{ [ "$(cat "$T/out")" = "" ] || fail "random 0 printed bytes"; }
run 0 --device "$DEV" random 5000 &&
	{ grep -Eq '^[0-9a-f]{10000}$' "$T/out" || fail "random 5000 is not 10000 hex digits"; }

# TPM_GetRandom(4) as raw bytes: a 0xC4 response with 4 bytes.
run 0 --device "$DEV" raw "00c1 0000000e 00000046 00000004" &&
	{ grep -Eq '^00c4000000120000000000000004[0-9a-f]{8}$' "$T/out" ||
	  fail "raw GetRandom response malformed"; }
# TPM_PCRRead(99): the TPM's own error comes back, exit 1.
run 1 --device "$DEV" raw "00c1000000 0e 00000015 00000063" &&
	{ grep -Eq '^00c4000000 ?0a00000002$' "$T/out" || fail "raw PCRRead(99) response"; } &&
	err_has 'TPM_BADINDEX' "raw error name"

# ---- JSON ----

for view in version caps flags pcrs pubek "random 8"; do
	# shellcheck disable=SC2086
	run 0 --device "$DEV" --json $view && json_ok "$view"
done
run 0 --device "$DEV" --json version &&
	json_check 'd["tpm"] == "1.2" and len(d["manufacturer"]) > 0 and d["software"]' "version"
run 0 --device "$DEV" --json pcrs &&
	json_check 'len(d["pcrs"]) == 24 and all(len(p) == 40 for p in d["pcrs"])' "pcrs"
run 0 --device "$DEV" --json flags &&
	json_check 'd["enabled"] and d["active"] and not d["owned"]' "flags"
run 0 --device "$DEV" --json caps &&
	json_check 'd["pcrs"] == 24 and d["durations_us"]["long"] > 0 and d["flags"]["enabled"]' "caps"
run 0 --device "$DEV" --json random 8 &&
	json_check 'len(d["random"]) == 16' "random"
run 0 --device "$DEV" --json raw "00c10000000a00000053" &&
	json_ok "raw ContinueSelfTest"

# ---- device selection ----

TPMDD_DEVICE="$DEV" run 0 version || true
if [ ! -e /dev/tpm0 ]; then
	env -u TPMDD_DEVICE "$TPMDD" version >"$T/out" 2>"$T/err"
	rc=$?
	checks=$((checks + 1))
	[ "$rc" = 2 ] || fail "no device: exit $rc, expected 2"
	err_has '--device libtpms:' "no-device advice (libtpms)"
	err_has '--device swtpm:tcp://' "no-device advice (swtpm)"
else
	echo "note: /dev/tpm0 exists; not checking the no-device message"
fi

# ---- errors ----

run 2 --device "nosuch:x" version && err_has 'dev:PATH' "bad URI names the accepted forms"
run 2 --device "swtpm:udp://1.2.3.4:5" version && err_has 'swtpm:tcp://' "bad swtpm URI"
run 1 --device "dev:$T/no-such-tpm" version && err_has 'cannot open' "missing device"
run 2 && err_has 'no command' "no command"
run 2 --device "$DEV" frobnicate && err_has "unknown command" "unknown command"
run 2 --device "$DEV" version extra && err_has 'no arguments' "extra argument"
run 2 --device "$DEV" random && err_has 'one argument' "missing argument"
run 2 --device "$DEV" random abc && err_has 'number' "random abc"
run 2 --device "$DEV" random -1
run 2 --device "$DEV" random -- -1 && err_has 'number' "random -1"
run 2 --device "$DEV" random 99999999 && err_has 'number' "random too large"
run 2 --device "$DEV" raw zz && err_has 'hex' "raw bad hex"
run 2 --device "$DEV" raw 00c1 && err_has 'well-formed' "raw too short"
run 2 --device "$DEV" raw 00c1000000ff00000046 && err_has 'well-formed' "raw wrong paramSize"
run 2 --bogus-option && true
run 0 --help && out_has 'Exit status' "help documents exit codes"

# A state directory others may write to is refused with a reason.
mkdir "$T/open" && chmod 777 "$T/open"
run 2 --device "libtpms:$T/open" version && err_has 'writable by others' "unsafe state dir"

echo "$checks runs, $failures failures"
[ "$failures" = 0 ]
