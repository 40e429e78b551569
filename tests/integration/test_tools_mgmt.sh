#!/bin/sh
# tpm-mgmt's own subcommands against our tcsd on an embedded TPM (issue 5):
# status, pcr, events, key, random, seal/unseal (files and pipes),
# bind/unbind, sign/verify, quote, the compatible subcommands, --json on
# each (valid JSON, "ok" as the exit status says), --help of every
# command, secret sources, progress lines on a terminal (script(1)), and
# the documented exit codes of bad paths.
# The body runs under with_tcsd (TSS12_TEST_TCSD=embedded).
# Needs: $TCSD (our daemon; tells where the build is), python3.
set -u

skip() { echo "SKIP: $*"; exit 77; }

if [ "${1:-}" != --inside ]; then
	TCSD=${TCSD:-../../tcsd/tcsd}
	[ -x "$TCSD" ] || skip "no tcsd binary at $TCSD"
	top=$(cd "$(dirname "$TCSD")/.." && pwd)
	[ -x "$top/tools/tpm-mgmt" ] || skip "tpm-mgmt is not built"
	[ -x "$top/tests/integration/with_tcsd" ] || skip "with_tcsd is not built"
	command -v python3 >/dev/null 2>&1 || skip "python3 needed to check the JSON"
	command -v setsid >/dev/null 2>&1 || skip "setsid (util-linux) missing"
	export TOP="$top" TSS12_TEST_TCSD=embedded
	exec "$top/tests/integration/with_tcsd" sh "$0" --inside
fi

# ---- inside: a fresh daemon is at TSS_TCSD_HOSTNAME/TSS_TCSD_PORT ----
mgmt=$TOP/tools/.libs/tpm-mgmt
[ -x "$mgmt" ] || mgmt=$TOP/tools/tpm-mgmt
export LD_LIBRARY_PATH="$TOP/tspi/.libs"
dir=$(mktemp -d "${TMPDIR:-/tmp}/tss12-tools-mgmt-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM
passed=0

fail() { echo "FAIL: $*"; [ -f "$dir/err" ] && cat "$dir/err"; exit 1; }
ok() { passed=$((passed + 1)); echo "  ok: $*"; }
# t EXPECTED-EXIT NAME ARGS...: tpm-mgmt ARGS, no terminal, must exit EXPECTED.
t() {
	want=$1 name=$2
	shift 2
	setsid -w "$mgmt" "$@" < /dev/null > "$dir/out" 2> "$dir/err"
	got=$?
	[ "$got" = "$want" ] || { cat "$dir/out"; fail "$name: exit $got, expected $want"; }
}
# j EXPECTED-EXIT NAME ARGS...: as t with --json; stdout must be one JSON
# object whose "ok" matches the exit status.
j() {
	want=$1 name=$2
	shift 2
	t "$want" "$name (--json)" --json "$@"
	python3 - "$dir/out" "$want" <<'PY' || fail "$name: bad JSON: $(cat "$dir/out")"
import json, sys
doc = json.load(open(sys.argv[1]))
assert isinstance(doc, dict), doc
assert doc["ok"] == (sys.argv[2] == "0"), doc
PY
}
has() { grep -q -- "$1" "$dir/$2" || fail "$3: '$1' missing from $2: $(cat "$dir/$2")"; }

# --help everywhere (exit 0, a Usage line).
t 0 help --help
has "Usage: tpm-mgmt" out help
for c in status pcr events key random seal unseal bind unbind sign verify quote \
	version selftest takeownership changeownerauth clear setenable setactive setownable \
	setclearable setpresence setoperatorauth resetdalock getpubek restrictpubek restrictsrk \
	createek revokeek nvdefine nvrelease nvread nvwrite nvinfo sealdata unsealdata; do
	setsid -w "$mgmt" "$c" --help < /dev/null > "$dir/out" 2>&1
	grep -q "Usage:" "$dir/out" || fail "$c --help: no usage text"
done
ok "--help of every command"
t 2 "no command"
t 2 "unknown command" frobnicate
has "unknown command" err "unknown command"
t 2 "bad option" status --bogus
t 2 "compat bad option" getpubek --bogus
ok "usage errors exit 2"

# Before ownership.
t 0 status status
has "Owner: *none" out status
has "software TPM" out status
j 0 status status
t 5 "unseal an empty file" unseal -z -i /dev/null
j 0 version version
t 0 random random 16 --hex
[ "$(tr -d '\n' < "$dir/out" | wc -c)" = 32 ] || fail "random 16 --hex: $(cat "$dir/out")"
j 0 random random 8
t 2 "random 0" random 0
ok "status, version, random (unowned)"

# Ownership through the compatible subcommand, secrets from a file.
printf 'owner-1\nowner-1\nsrk-1\nsrk-1\n' > "$dir/secrets"
t 0 takeownership --secret-file "$dir/secrets" takeownership
t 0 "status owned" status -o --insecure-secret=owner-1
has "Owner: *yes" out "status owned"
has "Disabled *no" out "status flags"
t 3 "status wrong owner secret" status -o --insecure-secret=wrong
has "secret is wrong" err "wrong owner secret hint"
TPM_MGMT_OWNER_SECRET=owner-1 t 0 "status owner from env" status -o
t 0 getpubek getpubek --insecure-secret=owner-1
has "Public Endorsement Key" out getpubek
ok "takeownership / status with secrets from file, env, --insecure-secret; wrong one exits 3"

# PCRs and events.
t 0 "pcr read" pcr read
[ "$(grep -c '^PCR-' "$dir/out")" = 24 ] || fail "pcr read: not 24 PCRs"
j 0 "pcr read" pcr read 0 16
t 0 "pcr extend" pcr extend 16 --data "hello"
has "PCR-16: " out "pcr extend"
printf 'hello' > "$dir/hello"
expected=$(python3 -c 'import hashlib; print(hashlib.sha1(b"\0"*20 + hashlib.sha1(b"hello").digest()).hexdigest())')
has "$expected" out "pcr extend value"
t 0 "pcr reset" pcr reset 16
t 0 "pcr read 16" pcr read 16
has "PCR-16: 0000000000000000000000000000000000000000" out "pcr reset"
t 0 "pcr extend file" pcr extend 16 --file "$dir/hello"
has "$expected" out "pcr extend --file"
t 2 "pcr extend no data" pcr extend 16
t 2 "pcr read bad index" pcr read 24
t 5 "pcr extend missing file" pcr extend 16 --file "$dir/none"
t 0 events events
j 0 events events
# --event: logged, and the PCR is the replay of what the log records.
t 0 "pcr reset before event" pcr reset 16
t 0 "pcr extend --event" pcr extend 16 --data hello --event "tss12 measured hello"
has "logged event type 0x5" out "pcr extend --event"
# TSS 1.2: SHA-1(index || SHA-1(data) || type || event) is extended.
logged=$(python3 -c 'import hashlib, struct
d = struct.pack(">I", 16) + hashlib.sha1(b"hello").digest() + struct.pack(">I", 5) + b"tss12 measured hello"
print(hashlib.sha1(d).hexdigest())')
has "extended $logged" out "pcr extend --event digest"
has "PCR-16: $(python3 -c "import hashlib; print(hashlib.sha1(b'\0'*20 + bytes.fromhex('$logged')).hexdigest())")" out "pcr extend --event value"
j 0 "events --pcr 16" events --pcr 16
python3 - "$dir/out" "$logged" <<'PY' || fail "events --pcr 16: the logged event: $(cat "$dir/out")"
import json, sys
ev = json.load(open(sys.argv[1]))["events"]
assert len(ev) == 1, ev
assert ev[0]["pcr"] == 16 and ev[0]["type"] == 5 and ev[0]["digest"] == sys.argv[2], ev
assert bytes.fromhex(ev[0]["data"]) == b"tss12 measured hello", ev
PY
j 0 "pcr extend --event-type" pcr extend 16 --digest 0000000000000000000000000000000000000001 --event x --event-type 13
t 2 "pcr extend bad --event-type" pcr extend 16 --data a --event x --event-type 0x1ffffffff
has "event-type" err "bad --event-type message"
long=$(python3 -c 'print("e" * 4097)')
t 2 "pcr extend --event too long" pcr extend 16 --data a --event "$long"
ok "pcr read/extend/reset, events, extend with a logged event"

# Seal / unseal: files, pipes, PCRs, bad paths.
echo "the secret the TPM keeps" > "$dir/plain"
TPM_MGMT_SRK_SECRET=srk-1 t 0 seal seal -i "$dir/plain" -o "$dir/sealed" -p 16
has "BEGIN TSS" "sealed" "seal output"
TPM_MGMT_SRK_SECRET=srk-1 t 0 unseal unseal -i "$dir/sealed"
cmp -s "$dir/out" "$dir/plain" || fail "unseal: wrong plaintext"
TPM_MGMT_SRK_SECRET=srk-1 setsid -w "$mgmt" seal < "$dir/plain" 2>/dev/null |
	TPM_MGMT_SRK_SECRET=srk-1 setsid -w "$mgmt" unseal > "$dir/piped" 2>/dev/null
cmp -s "$dir/piped" "$dir/plain" || fail "seal | unseal through pipes"
TPM_MGMT_SRK_SECRET=srk-1 j 0 unseal unseal -i "$dir/sealed"
TPM_MGMT_SRK_SECRET=wrong t 3 "unseal wrong SRK secret" unseal -i "$dir/sealed"
t 0 "pcr extend 16 again" pcr extend 16 --data changed
TPM_MGMT_SRK_SECRET=srk-1 t 6 "unseal after the PCR changed" unseal -i "$dir/sealed"
has "PCR values differ" err "PCR hint"
TPM_MGMT_SRK_SECRET=srk-1 t 5 "unseal missing file" unseal -i "$dir/none"
echo garbage > "$dir/garbage"
TPM_MGMT_SRK_SECRET=srk-1 t 5 "unseal garbage" unseal -i "$dir/garbage"
has "not a sealed file" err "unseal garbage"
ok "seal/unseal (files, pipes, JSON, PCR-bound; wrong secret 3, changed PCR 6, bad file 5)"

# Keys: bind/unbind, sign/verify, quote, registration.
printf 'srk-1\n' > "$dir/srk"
t 0 "key create bind" --secret-file "$dir/srk" key create -t bind --no-auth -o "$dir/bind.key"
echo "bound message" > "$dir/msg"
t 0 bind bind -k "$dir/bind.key" -i "$dir/msg" -o "$dir/msg.bound"
t 0 unbind --secret-file "$dir/srk" unbind -k "$dir/bind.key" -i "$dir/msg.bound"
cmp -s "$dir/out" "$dir/msg" || fail "unbind: wrong plaintext"
uuid=12345678-1234-1234-1234-123456789abc
TPM_MGMT_SRK_SECRET=srk-1 TPM_MGMT_KEY_SECRET=key-1 t 0 "key create sign" \
	key create -t sign -o "$dir/sign.key" --register "$uuid"
TPM_MGMT_SRK_SECRET=srk-1 TPM_MGMT_KEY_SECRET=key-1 t 0 sign sign -k "$dir/sign.key" -i "$dir/msg" -o "$dir/msg.sig"
t 0 verify verify -k "$dir/sign.key" -i "$dir/msg" --signature "$dir/msg.sig"
has "signature OK" out verify
echo tampered >> "$dir/msg"
t 7 "verify tampered" verify -k "$dir/sign.key" -i "$dir/msg" --signature "$dir/msg.sig"
j 7 "verify tampered" verify -k "$dir/sign.key" -i "$dir/msg" --signature "$dir/msg.sig"
TPM_MGMT_SRK_SECRET=srk-1 TPM_MGMT_KEY_SECRET=wrong t 3 "sign wrong key secret" \
	sign -k "$dir/sign.key" -i "$dir/msg"
TPM_MGMT_SRK_SECRET=srk-1 TPM_MGMT_KEY_SECRET=key-1 t 0 "sign by uuid" sign -U "$uuid" -i "$dir/msg" -o /dev/null
TPM_MGMT_SRK_SECRET=srk-1 TPM_MGMT_KEY_SECRET=key-1 j 0 quote quote -k "$dir/sign.key" -p 0 -p 16
TPM_MGMT_SRK_SECRET=srk-1 TPM_MGMT_KEY_SECRET=key-1 t 0 quote quote -k "$dir/sign.key" -p 16 \
	--nonce 00112233445566778899aabbccddeeff00112233
has "signature: " out quote
t 2 "quote without PCRs" quote -k "$dir/sign.key"
t 0 "key list" key list
has "$uuid" out "key list"
j 0 "key list" key list
t 0 "key unregister" key unregister "$uuid"
t 0 "key list after" key list
grep -q "$uuid" "$dir/out" && fail "key still listed after unregister"
t 1 "key unregister again" key unregister "$uuid"
t 0 "key register" key register --uuid "$uuid" --key "$dir/sign.key"
t 2 "key bad uuid" key unregister not-a-uuid
t 5 "bind missing key" bind -k "$dir/none" -i "$dir/msg"
ok "keys: bind/unbind, sign/verify (tampered: 7), quote, list/register/unregister"

# Compatible subcommands with secrets from the sources; no secrets on the command line.
TPM_MGMT_OWNER_SECRET=owner-1 t 0 setenable setenable -s
has "Disabled status: false" out setenable
TPM_MGMT_OWNER_SECRET=owner-1 j 0 setpresence setpresence -s
t 2 "nvdefine refuses a secret in argv" nvdefine -i 1 -s 1 -p OWNERWRITE -o owner-1
has "visible to every user" err "secret on the command line"
# Every option that takes a secret as its value refuses it (tpm_* names accept it).
for args in "nvdefine -i 1 -s 1 -p OWNERWRITE --pwdo=owner-1" "nvdefine -i 1 -s 1 -p AUTHWRITE -apw" \
	"nvdefine -i 1 -s 1 -p AUTHWRITE --pwda=pw" "nvrelease -i 1 -oowner-1" \
	"nvrelease -i 1 --pwdo=owner-1" "nvwrite -i 1 -d x -ppw" "nvwrite -i 1 -d x --password=pw" \
	"nvread -i 1 -ppw" "nvread -i 1 --password=pw"; do
	# shellcheck disable=SC2086 # split on purpose
	t 2 "$args refuses a secret in argv" $args
	has "visible to every user" err "$args: secret on the command line"
done
if nm -D "$TOP/tspi/.libs/libtspi.so.1" 2>/dev/null | grep -q ' T Tspi_NV_DefineSpace$'; then
	TPM_MGMT_OWNER_SECRET=owner-1 t 0 nvdefine nvdefine -i 0x11003 -s 8 -p OWNERWRITE --pwdo
	has "Successfully created NVRAM area" out nvdefine
	j 0 nvinfo nvinfo -n
	has "0x00011003" out "nvinfo --json"
	TPM_MGMT_NV_SECRET=owner-1 t 0 nvwrite nvwrite -i 0x11003 -d abc --password
	j 0 nvread nvread -i 0x11003 -s 3
	has '"data": "616263"' out "nvread --json"
	TPM_MGMT_OWNER_SECRET=wrong t 3 "nvrelease wrong owner secret" nvrelease -i 0x11003 --pwdo
	TPM_MGMT_OWNER_SECRET=owner-1 t 0 nvrelease nvrelease -i 0x11003 --pwdo
	ok "NV subcommands (secrets from env, JSON; wrong owner secret 3)"
else
	echo "  skipped: NV subcommands (our libtspi has no Tspi_NV_DefineSpace yet)"
fi
# Progress lines for slow operations, only on a terminal and never in
# --json output: a pseudo-terminal from script(1) (util-linux). The TPM is
# owned here (owner-1, SRK srk-1).
# tty EXPECTED-EXIT NAME ARGS...: tpm-mgmt ARGS with a terminal; output
# (both streams) in out.
tty() {
	want=$1 name=$2
	shift 2
	script -qec "$(printf "'%s' " "$mgmt" "$@")" /dev/null < /dev/null > "$dir/out" 2>&1
	got=$?
	[ "$got" = "$want" ] || { cat "$dir/out"; fail "$name on a terminal: exit $got, expected $want"; }
}
if command -v script >/dev/null 2>&1; then
	tty 0 "selftest" selftest
	has "self test (seconds on real chips)" out "selftest progress on a terminal"
	tty 0 "selftest --json" --json selftest
	grep -q "self test (seconds" "$dir/out" && fail "selftest --json: progress text in JSON output"
	t 0 "selftest without a terminal" selftest
	grep -q "self test (seconds" "$dir/out" "$dir/err" && fail "selftest: progress text without a terminal"
	# Already owned: the progress line comes first, then the refusal with its hint.
	tty 6 "takeownership" takeownership -y -z
	has "Taking ownership (the TPM creates the SRK" out "takeownership progress"
	has "already has an owner, or taking ownership is switched off" out "takeownership hint"
	TPM_MGMT_SRK_SECRET=srk-1 tty 0 "key create" key create -t sign --no-auth -o "$dir/progress.key"
	has "Creating the key in the TPM" out "key create progress"
	TPM_MGMT_SRK_SECRET=srk-1 tty 0 "seal" seal -i "$dir/msg" -o "$dir/progress.sealed"
	has "Sealing (the TPM creates" out "seal progress"
	ok "progress on a terminal (self test, ownership, key creation, seal), none in JSON or without one"
else
	echo "  skipped: progress on a terminal (no script(1))"
fi

t 0 "setpresence -a" setpresence -a
t 0 "clear --force" clear --force
has "Successfuly Cleared" out "clear --force"
t 0 "status after clear" status
has "Owner: *none" out "status after clear"
# OwnerClear leaves the TPM disabled: the error says how to enable it, and
# following the advice works.
t 6 "takeownership on a disabled TPM" takeownership -y -z
has "the TPM is disabled: enable it in firmware setup, or run \`tpm-mgmt setenable -e --force\`" \
	err "disabled hint"
t 0 "setpresence -a (the hint's software-TPM step)" setpresence -a
t 0 "setenable -e --force (as the hint says)" setenable -e --force
t 0 "takeownership after enabling" takeownership -y -z
t 0 "status after enabling" status
has "Owner: *yes" out "status after enabling"
ok "errors say what to do (TPM disabled), and the advice works"
ok "compatible subcommands (secrets from env, refused in argv), clear"

echo "PASS: $passed groups"
