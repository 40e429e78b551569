#!/bin/sh
# System persistent storage and the key cache across the switch between
# TrouSerS' tcsd (Debian, 0.3.15) and ours, on one swtpm and one
# system.data, driven by Debian's libtspi (ps_trousers.c):
#   1. TrouSerS: take ownership, register keys 1..4 (2 under 1), use key 2.
#   2. Ours, on TrouSerS' file: the same keys enumerate and work (chain
#      loads, a parent that needs auth, sign, bind, seal under a
#      registered key and under the SRK, tpm_sealdata | tpm_unsealdata);
#      unregister key 4, register it again, unregister it; restart and
#      check the keys are still there; the file we wrote has TrouSerS'
#      layout; a second tcsd on the same file is refused.
#   3. TrouSerS again, on the file we wrote: keys 1..3 are there and work.
# Needs root (TrouSerS' tcsd insists on a root:tss config), a tss user,
# swtpm, tpm-tools, libtspi-dev, $CC, python3.
set -u

skip() { echo "SKIP: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	for f in "$dir"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done
	exit 1
}

TCSD=${TCSD:-${TOP_BUILDDIR:-.}/tcsd/tcsd}
TROUSERS_TCSD=${TROUSERS_TCSD:-/usr/sbin/tcsd}
[ -x "$TCSD" ] || skip "no tcsd binary at $TCSD"
[ -x "$TROUSERS_TCSD" ] || skip "TrouSerS' tcsd not installed ($TROUSERS_TCSD)"
[ "$(id -u)" = 0 ] || skip "TrouSerS' tcsd needs a root:tss config file: run as root"
id tss >/dev/null 2>&1 || skip "no tss user"
for p in swtpm swtpm_setup tpm_takeownership tpm_sealdata tpm_unsealdata python3; do
	command -v "$p" >/dev/null 2>&1 || skip "$p not installed"
done
[ -f /usr/include/tss/tspi.h ] || skip "libtspi-dev not installed"

dir=$(mktemp -d "${TMPDIR:-/tmp}/tss12-ps-trousers-XXXXXX") || exit 1
swtpm_pid=
tcsd_pid=
stop_tcsd() {
	if [ -n "$tcsd_pid" ]; then
		kill -TERM "$tcsd_pid" 2>/dev/null
		wait "$tcsd_pid" 2>/dev/null
		tcsd_pid=
	fi
}
cleanup() {
	stop_tcsd
	if [ -n "$swtpm_pid" ]; then kill -TERM "$swtpm_pid" 2>/dev/null; wait "$swtpm_pid" 2>/dev/null; fi
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Two consecutive free ports (swtpm's data and control channels).
free_port_pair() {
	python3 -c '
import socket
while True:
    a = socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 1))
    except OSError:
        continue
    print(p)
    break'
}

accepting() {
	python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null
}

# The PS directory belongs to tss, as /var/lib/tpm does.
chmod 755 "$dir"
mkdir "$dir/ps" "$dir/tpm"
chown tss:tss "$dir/ps" "$dir/tpm"
chmod 700 "$dir/ps"
ps_file=$dir/ps/system.data

CC=${CC:-cc}
src=${TOP_SRCDIR:+$TOP_SRCDIR/tests/interop/}ps_trousers.c
[ -f "$src" ] || src=$(dirname "$0")/ps_trousers.c
$CC -o "$dir/ps_trousers" "$src" -ltspi || fail "cannot build ps_trousers"
client=$dir/ps_trousers

swtpm_setup --tpmstate "$dir/tpm" --createek > "$dir/swtpm_setup.log" 2>&1 ||
	fail "swtpm_setup"
# Ports found free can be taken by a parallel test before swtpm binds
# them: try again with others rather than fail.
for attempt in 1 2 3 4 5; do
	tpm_port=$(free_port_pair)
	swtpm socket --tpmstate dir="$dir/tpm" \
		--server type=tcp,port="$tpm_port",bindaddr=127.0.0.1 \
		--ctrl type=tcp,port=$((tpm_port + 1)),bindaddr=127.0.0.1 \
		--flags not-need-init,startup-clear --log file="$dir/swtpm.log" &
	swtpm_pid=$!
	tries=50
	while [ $tries -gt 0 ] && kill -0 "$swtpm_pid" 2>/dev/null && ! accepting "$tpm_port"; do
		sleep 0.1
		tries=$((tries - 1))
	done
	accepting "$tpm_port" && break
	kill -TERM "$swtpm_pid" 2>/dev/null
	wait "$swtpm_pid" 2>/dev/null
	swtpm_pid=""
	echo "swtpm on port $tpm_port did not start (attempt $attempt): $(cat "$dir/swtpm.log" 2>/dev/null)"
done
[ -n "$swtpm_pid" ] || fail "swtpm did not start"

tcsd_port=$(free_port)
export TSS_TCSD_HOSTNAME=127.0.0.1 TSS_TCSD_PORT=$tcsd_port

wait_port() {
	i=0
	while ! python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$tcsd_port)))" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "$1 did not start listening"
		kill -0 "$tcsd_pid" 2>/dev/null || fail "$1 exited during start-up"
		sleep 0.1
	done
}

start_trousers() {
	cat > "$dir/trousers.conf" <<EOF
port = $tcsd_port
system_ps_file = $ps_file
EOF
	chown root:tss "$dir/trousers.conf"
	chmod 0640 "$dir/trousers.conf"
	TCSD_TCP_DEVICE_PORT=$tpm_port TCSD_TCP_DEVICE_HOSTNAME=127.0.0.1 \
		"$TROUSERS_TCSD" -e -f -c "$dir/trousers.conf" >> "$dir/trousers.log" 2>&1 &
	tcsd_pid=$!
	wait_port "TrouSerS' tcsd"
}

write_ours_conf() {
	cat > "$dir/ours.conf" <<EOF
port = $tcsd_port
system_ps_file = $ps_file
device = swtpm:tcp://127.0.0.1:$tpm_port
unix_socket = $dir/ours.sock
EOF
	chmod 0644 "$dir/ours.conf"
}

start_ours() {
	write_ours_conf
	"$TCSD" -f -c "$dir/ours.conf" >> "$dir/ours.log" 2>&1 &
	tcsd_pid=$!
	wait_port "our tcsd"
}

run() {
	out=$("$client" "$@" 2>&1) || fail "ps_trousers $* ($1 against $phase): $out"
	echo "$phase: ps_trousers $*: ok"
}

# ---- 1. TrouSerS writes system.data ----
# TrouSerS' key cache keeps stale TPM handles of keys its clients loaded
# (a later LoadKeyByUUID may hand out whatever key now has that handle),
# so every client run against it gets a freshly started daemon.
phase=trousers
run_trousers() {
	start_trousers
	run "$@"
	stop_tcsd
}
start_trousers
out=$(tpm_takeownership -y -z 2>&1) || fail "tpm_takeownership -y -z: $out"
stop_tcsd
for k in 1 2 3 4; do run_trousers register $k; done
run_trousers expect 1,2,3,4
run_trousers use 2
[ -s "$ps_file" ] || fail "TrouSerS wrote no system.data"
# TrouSerS (root until it drops) leaves the file root's; give it to tss,
# whom our daemon runs as (see the report: a migration step for packaging).
chown tss:tss "$ps_file"

# ---- 2. Ours reads it, uses the keys, writes it ----
phase=ours
start_ours
run expect 1,2,3,4
run use-chain 2
run use 2
run use 3
run use 4
run use 1
run seal
printf 'sealed by tpm_sealdata\n' > "$dir/plain"
tpm_sealdata -z -i "$dir/plain" -o "$dir/sealed" > "$dir/sealdata.log" 2>&1 ||
	fail "tpm_sealdata -z against our tcsd"
out=$(tpm_unsealdata -z -i "$dir/sealed" 2>&1) || fail "tpm_unsealdata -z: $out"
[ "$out" = "sealed by tpm_sealdata" ] || fail "tpm_unsealdata gave: $out"
echo "$phase: tpm_sealdata | tpm_unsealdata: ok"
run unregister 4
run expect 1,2,3
run register 4
run expect 1,2,3,4
run use 4
run unregister 4
run expect 1,2,3

# A second daemon on the same file is refused, with a clear message.
tcsd2_port=$(free_port)
# (It gets a TPM of its own: swtpm serves one client at a time.)
mkdir "$dir/tpm2" && chown tss:tss "$dir/tpm2"
sed -e "s/^port = .*/port = $tcsd2_port/" -e "s|^unix_socket = .*|unix_socket = $dir/ours2.sock|" \
	-e "s|^device = .*|device = libtpms:$dir/tpm2|" "$dir/ours.conf" > "$dir/ours2.conf"
chmod 0644 "$dir/ours2.conf"
"$TCSD" -f -c "$dir/ours2.conf" > "$dir/ours2.log" 2>&1 &
second=$!
i=0
while kill -0 "$second" 2>/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
if kill -0 "$second" 2>/dev/null; then
	kill -TERM "$second"; wait "$second" 2>/dev/null
	fail "a second tcsd started on the same system.data"
fi
wait "$second" 2>/dev/null
grep -q "in use by another process" "$dir/ours2.log" ||
	fail "the second tcsd did not say why it stopped: $(cat "$dir/ours2.log")"
echo "$phase: a second tcsd on the same file is refused: ok"

# A restarted daemon still finds the keys.
stop_tcsd
start_ours
run expect 1,2,3
run use 2
stop_tcsd

# The file is TrouSerS' format: version 1, three keys plus the SRK.
hdr=$(od -An -tx1 -N5 "$ps_file" | tr -d ' \n')
[ "$hdr" = "0104000000" ] || fail "system.data header is $hdr, expected 0104000000"
ls -l "$ps_file" | grep -q '^-rw-------' || fail "system.data is not mode 0600: $(ls -l "$ps_file")"
echo "$phase: system.data layout: ok"

# ---- 3. TrouSerS reads what we wrote ----
phase=trousers-again
run_trousers expect 1,2,3
run_trousers use 2
run_trousers use 3

# Our daemon logged no sanitizer reports (when built with them) and no crash.
if grep -q "Sanitizer\|runtime error" "$dir/ours.log"; then
	fail "our tcsd reported memory errors"
fi
echo "PASS"
