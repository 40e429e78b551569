#!/bin/sh
# TSS client benchmark, issue 3: tss12 and TrouSerS side by side, each on a
# fresh swtpm of its own, tss12 on the embedded TPM as well, and the raw-TPM
# floors (the same TPM commands without a TSS) on both TPM kinds.
#
# Usage: run_bench_tss.sh [BUILD_DIR] [REPORT.json]
#   BUILD_DIR   a configured tss12 build directory (default: the current one)
#   REPORT.json where the combined results go (default: BUILD_DIR/bench_tss.json)
# Environment:
#   BENCH_SCALE=X      multiplies every latency iteration count (default 1)
#   BENCH_SECONDS=S    seconds per throughput point (default 2)
#   BENCH_CLIENTS=L    client counts for throughput (default 1,4,16,64)
#   BENCH_SKIP=LIST    any of: raw trousers embedded unix (runs to leave out)
#
# TrouSerS' tcsd needs root (its conf must be root:tss 0640); without root
# that run is skipped and the ratios are left out. Everything runs on free
# loopback ports in fresh temporary directories; the daemons and emulators
# are stopped through the PIDs this script (or with_tcsd) started.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-.}" && pwd)
report=${2:-$build/bench_tss.json}
scale=${BENCH_SCALE:-1}
seconds=${BENCH_SECONDS:-2}
clients=${BENCH_CLIENTS:-1,4,16,64}
skip=${BENCH_SKIP:-}
bench_dir=$build/tests/bench

skipped() { case " $skip " in *" $1 "*) return 0 ;; esac; return 1; }
say() { printf '%s\n' "$*" >&2; }

[ -f "$build/config.h" ] || { say "run_bench_tss: $build is not a configured build directory"; exit 2; }
command -v python3 >/dev/null || { say "run_bench_tss: python3 is needed for the report"; exit 2; }

say "== building (make -C $build) =="
make -s -C "$build/common" >/dev/null
make -s -C "$build/tpmdd" >/dev/null
make -s -C "$build/tcsd" >/dev/null
make -s -C "$build/tspi" >/dev/null
make -s -C "$build/tests/integration" libharness.la with_tcsd >/dev/null
make -s -C "$bench_dir" bench_tss bench_tpm_raw >/dev/null

# The peer build: the same source against Debian's headers and TrouSerS'
# libtspi. Only this binary ever links TrouSerS.
have_trousers=no
if ! skipped trousers && [ -f /usr/include/tss/tspi.h ] && [ -x /usr/sbin/tcsd ]; then
	${CC:-cc} -O2 -pthread -DHAVE_CONFIG_H -I"$build" "$here/bench_tss.c" \
		-o "$bench_dir/bench_tss_trousers" -ltspi
	if [ "$(id -u)" = 0 ] && getent group tss >/dev/null; then
		have_trousers=yes
	else
		say "run_bench_tss: TrouSerS' tcsd needs root and a tss group; skipping that run"
	fi
fi

SWTPM=${SWTPM:-$(command -v swtpm || true)}
SWTPM_SETUP=${SWTPM_SETUP:-$(command -v swtpm_setup || true)}
TSS12_TCSD=$build/tcsd/tcsd
export SWTPM SWTPM_SETUP TSS12_TCSD
[ -n "$SWTPM" ] || { say "run_bench_tss: swtpm is not installed"; exit 77; }

out=$(mktemp -d "${TMPDIR:-/tmp}/tss12-bench-XXXXXX")
tcsd_pid=
cleanup() {
	if [ -n "$tcsd_pid" ]; then
		kill "$tcsd_pid" 2>/dev/null || true
		wait "$tcsd_pid" 2>/dev/null || true
	fi
	rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

with_tcsd=$build/tests/integration/with_tcsd
bench="$bench_dir/bench_tss --scale $scale --seconds $seconds --clients $clients"
raw="$bench_dir/bench_tpm_raw --scale $scale"
start=$(date +%s)

# 1. Raw floor on swtpm (a fresh one of its own).
if ! skipped raw; then
	$raw --swtpm --label raw-swtpm --json "$out/raw-swtpm.json"
fi

# 2. tss12 on swtpm: TCP as TrouSerS clients use it, then our Unix socket
#    (with_tcsd sets TSS12_TCSD_SOCKET; without TSS_TCSD_* libtspi prefers it).
unix_run=true
if ! skipped unix; then
	unix_run="env -u TSS_TCSD_HOSTNAME -u TSS_TCSD_PORT $bench --label tss12-swtpm-unix \
		--only ctx,random,tput-random --json $out/tss12-swtpm-unix.json"
fi
$with_tcsd --ours sh -c "$bench --label tss12-swtpm --json $out/tss12-swtpm.json && $unix_run"

# 3. TrouSerS (Debian's tcsd and libtspi) on swtpm, default configuration.
if [ "$have_trousers" = yes ]; then
	$with_tcsd --trousers "$bench_dir/bench_tss_trousers" --scale "$scale" \
		--seconds "$seconds" --clients "$clients" --label trousers-swtpm \
		--json "$out/trousers-swtpm.json"
fi

# 4. The embedded TPM: raw floor, then our tcsd with device = libtpms:DIR.
if ! skipped embedded; then
	if ! skipped raw; then
		$raw --libtpms --label raw-libtpms --json "$out/raw-libtpms.json"
	fi
	emb=$out/embedded
	mkdir -p "$emb/ps" "$emb/tpm"
	chmod 755 "$out" "$emb"
	# As root tcsd drops to tss: the state and system.data must be theirs.
	if [ "$(id -u)" = 0 ] && getent passwd tss >/dev/null; then
		chown tss:tss "$emb/ps" "$emb/tpm"
	fi
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$emb/tcsd.conf" <<EOF
port = $port
system_ps_file = $emb/ps/system.data
device = libtpms:$emb/tpm
unix_socket = $emb/tcsd.sock
EOF
	"$TSS12_TCSD" -f -c "$emb/tcsd.conf" >"$emb/tcsd.log" 2>&1 &
	tcsd_pid=$!
	i=0
	until [ -S "$emb/tcsd.sock" ]; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$tcsd_pid" 2>/dev/null; then
			say "run_bench_tss: our tcsd did not start on the embedded TPM:"
			cat "$emb/tcsd.log" >&2
			exit 1
		fi
		sleep 0.05
	done
	TSS_TCSD_HOSTNAME=127.0.0.1 TSS_TCSD_PORT=$port \
		$bench --label tss12-embedded --json "$out/tss12-embedded.json"
	if ! skipped unix; then
		env -u TSS_TCSD_HOSTNAME -u TSS_TCSD_PORT TSS12_TCSD_SOCKET="$emb/tcsd.sock" \
			$bench --label tss12-embedded-unix --only ctx,random,tput-random \
			--json "$out/tss12-embedded-unix.json"
	fi
	kill "$tcsd_pid"
	wait "$tcsd_pid" || true
	tcsd_pid=
fi

say "== run took $(( $(date +%s) - start )) s =="
python3 "$here/bench_tss_report.py" "$out" "$report"
