#!/bin/sh
# tpm-mgmt events (issue 5) on the logs tcsd serves (issue 4 item 8): our
# tcsd on an embedded TPM with the captured firmware log and IMA list of
# tests/fixtures/ima as firmware_log_file / kernel_log_file. Checks the
# decoding (PC client event types in PCRs 0-7, IMA file names in PCR 10
# not called EV_PREBOOT_CERT), --pcr, --json and its count.
# Needs: $TCSD (our daemon; tells where the build is), python3.
set -u

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "$dir/out" ] && cat "$dir/out"; [ -f "$dir/tcsd.log" ] && cat "$dir/tcsd.log"; exit 1; }

TCSD=${TCSD:-../../tcsd/tcsd}
[ -x "$TCSD" ] || skip "no tcsd binary at $TCSD"
top=$(cd "$(dirname "$TCSD")/.." && pwd)
mgmt=$top/tools/.libs/tpm-mgmt
[ -x "$mgmt" ] || mgmt=$top/tools/tpm-mgmt
[ -x "$mgmt" ] || skip "tpm-mgmt is not built"
fix=$(cd "$(dirname "$0")/../fixtures/ima" 2>/dev/null && pwd) ||
	fix=$(cd "${srcdir:-.}/../fixtures/ima" && pwd) || skip "no tests/fixtures/ima"
[ -f "$fix/native.binary_runtime_measurements" ] || skip "no IMA fixture"
command -v python3 >/dev/null 2>&1 || skip "python3 needed"
export LD_LIBRARY_PATH="$top/tspi/.libs"

dir=$(mktemp -d "${TMPDIR:-/tmp}/tss12-tools-events-XXXXXX") || exit 1
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
mkdir "$dir/tpm" "$dir/ps"
# As root tcsd runs as tss: the fixtures are copied where tss can read them.
cp "$fix/native.binary_runtime_measurements" "$fix/native.binary_bios_measurements" "$dir/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/tcsd.conf" <<CONF
port = $port
device = libtpms:$dir/tpm
system_ps_file = $dir/ps/system.data
unix_socket = $dir/tcsd.sock
firmware_log_file = $dir/native.binary_bios_measurements
firmware_pcrs = 0,1,2,3,4,5,6,7
kernel_log_file = $dir/native.binary_runtime_measurements
kernel_pcrs = 10
CONF
if [ "$(id -u)" -eq 0 ]; then
	chmod 755 "$dir"
	chown tss:tss "$dir/tpm" "$dir/ps" 2>/dev/null || skip "no tss user"
	chown root:tss "$dir/tcsd.conf"
	chmod 644 "$dir"/native.*
fi
chmod 640 "$dir/tcsd.conf"
"$TCSD" -f -c "$dir/tcsd.conf" > "$dir/tcsd.log" 2>&1 &
pid=$!
tries=100
until python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$port)))" 2>/dev/null; do
	kill -0 "$pid" 2>/dev/null || fail "tcsd did not start"
	tries=$((tries - 1))
	[ $tries -gt 0 ] || fail "tcsd did not listen"
	sleep 0.1
done
export TSS_TCSD_HOSTNAME=127.0.0.1 TSS_TCSD_PORT=$port
passed=0
ok() { passed=$((passed + 1)); echo "  ok: $*"; }
m() { "$mgmt" "$@" < /dev/null > "$dir/out" 2> "$dir/err" || fail "tpm-mgmt $*: exit $?: $(cat "$dir/err")"; }

m events --pcr 10
n10=$(grep -c ' PCR-10 ' "$dir/out")
[ "$n10" = 10 ] || fail "events --pcr 10: $n10 events, the IMA list has 10"
grep -q 'PCR-10 untyped (IMA/application) *[0-9a-f]\{40\} "boot_aggregate"' "$dir/out" ||
	fail "events --pcr 10: no boot_aggregate line"
grep -q '"/bin/busybox"' "$dir/out" || fail "events --pcr 10: no /bin/busybox"
grep -q 'EV_PREBOOT_CERT' "$dir/out" && fail "IMA events called EV_PREBOOT_CERT"
ok "IMA events in PCR 10: 10, file names, not called EV_PREBOOT_CERT"

m events --pcr 0
grep -q ' PCR-00 EV_SEPARATOR ' "$dir/out" || fail "events --pcr 0: no separator"
grep -v -q ' PCR-00 ' "$dir/out" && fail "events --pcr 0 shows other PCRs"
m events
n_fw=$(grep -c ' PCR-0[0-7] EV_' "$dir/out")
[ "$n_fw" -ge 8 ] || fail "firmware events: $n_fw with PC client types, expected a separator per PCR at least"
grep -q ' PCR-0[0-7] \(unknown\|untyped\)' "$dir/out" && fail "a firmware event without its type name"
ok "firmware events in PCRs 0-7 ($n_fw) with their PC client types; --pcr 0 shows PCR 0 only"

m events
total=$(grep -c ' PCR-[0-9][0-9] ' "$dir/out")
[ "$total" = $((n_fw + 10)) ] || fail "events: $total, expected $n_fw firmware + 10 IMA events"
m --json events
python3 - "$dir/out" "$total" <<'PY' || fail "events --json"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["ok"] is True, doc
ev = doc["events"]
assert doc["count"] == len(ev) == int(sys.argv[2]), (doc["count"], len(ev), sys.argv[2])
ima = [e for e in ev if e["pcr"] == 10]
assert len(ima) == 10 and all(e["type_name"].startswith("untyped") for e in ima), ima[:1]
assert bytes.fromhex(ima[0]["data"]) == b"boot_aggregate", ima[0]
assert all(len(e["digest"]) == 40 for e in ev)
PY
ok "all events ($total), --json with the same count and decoding"

"$mgmt" events --pcr 24 < /dev/null > "$dir/out" 2>&1
[ $? = 2 ] || fail "events --pcr 24: not a usage error"
ok "events --pcr 24: usage error (exit 2)"
echo "PASS: $passed groups"
