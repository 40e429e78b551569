#!/bin/sh
# tss12 from a fresh clone: Debian packages, build, then the main job with
# tss12's own tools: tcsd on an embedded libtpms TPM 1.2, `tpm-mgmt status`,
# take ownership, seal a secret to PCRs and unseal it (and see the TPM
# refuse once a PCR changes).
#
# Usage: scripts/quickstart.sh [--stop] [STATE_DIR]
#   STATE_DIR  where the TPM state, configuration, logs and secrets live
#              (default: $TSS12_STATE_DIR, else a new temporary directory)
#   --stop     stop tcsd at the end (default: leave it running)
# Either way the last lines print the command for the other choice.
# TSS12_BUILD_DIR names an existing build to use instead of building
# build/normal (scripts/build.sh).
set -eu

stop=no
dir=${TSS12_STATE_DIR:-}
for arg in "$@"; do
	case "$arg" in
	--stop) stop=yes ;;
	-h | --help) sed -n '2,14p' "$0"| sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "usage: $0 [--stop] [STATE_DIR]" >&2; exit 2 ;;
	*) dir=$arg ;;
	esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
if [ -n "${TSS12_BUILD_DIR:-}" ]; then
	build=$(cd "$TSS12_BUILD_DIR" && pwd)
else
	"$top/scripts/build.sh" normal
	build=$top/build/normal
fi
state=${dir:-$(mktemp -d "${TMPDIR:-/tmp}/tss12.XXXXXX")}
mkdir -p "$state"
state=$(cd "$state" && pwd)
# tpm-mgmt from the build tree (the libtool wrapper finds our libtspi.so.1).
mgmt=$build/tools/tpm-mgmt

step() { printf '\n== %s\n' "$*"; }
show() { printf '$ tpm-mgmt %s\n' "$*"; "$mgmt" "$@"; }

if [ -f "$state/tcsd.pid" ] && kill -0 "$(cat "$state/tcsd.pid")" 2>/dev/null; then
	echo "tcsd already runs for $state (PID $(cat "$state/tcsd.pid")): stop it first," >&2
	echo "  kill $(cat "$state/tcsd.pid")   or choose another directory." >&2
	exit 1
fi
if [ -d "$state/tpm" ]; then
	echo "$state already holds a TPM (maybe owned): choose an empty directory." >&2
	exit 1
fi

# tcsd on its own embedded TPM. As root it drops to the tss user, which
# must own the TPM state and the persistent storage (as /var/lib/tpm).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$state/tpm" "$state/ps"
conf=$state/tcsd.conf
cat >"$conf" <<CONF
port = $port
device = libtpms:$state/tpm
system_ps_file = $state/ps/system.data
unix_socket = $state/tcsd.sock
pid_file = $state/tcsd.pid
CONF
if [ "$(id -u)" -eq 0 ]; then
	chmod 755 "$state"
	chown tss:tss "$state/tpm" "$state/ps"
	chmod 700 "$state/tpm" "$state/ps"
	chown root:tss "$conf"
fi
chmod 640 "$conf"

step "tcsd -f -c $conf   (TPM: libtpms:$state/tpm, TCP 127.0.0.1:$port)"
# Its own session: the daemon outlives this script unless --stop.
setsid "$build/tcsd/tcsd" -f -c "$conf" >"$state/tcsd.log" 2>&1 &
tcsd_pid=$!
stop_tcsd() { kill -TERM "$tcsd_pid" 2>/dev/null && wait "$tcsd_pid" 2>/dev/null || :; }
trap 'status=$?; [ $status -eq 0 ] || { stop_tcsd; echo "failed; the daemon log is $state/tcsd.log" >&2; }' EXIT
tries=100
until python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$port)))" 2>/dev/null; do
	kill -0 "$tcsd_pid" 2>/dev/null || { cat "$state/tcsd.log" >&2; exit 1; }
	tries=$((tries - 1))
	[ $tries -gt 0 ] || { echo "tcsd did not start; see $state/tcsd.log" >&2; exit 1; }
	sleep 0.1
done
export TSS_TCSD_HOSTNAME=127.0.0.1 TSS_TCSD_PORT=$port

step "the TPM before ownership"
show status

step "take ownership: a random owner secret (kept in $state/owner.secret), well-known SRK secret"
umask 077
"$mgmt" random 16 --hex >"$state/owner.secret"
# --secret-file answers the prompts in order: the owner secret and its confirmation.
sed p "$state/owner.secret" >"$state/owner.secret2"
show --secret-file "$state/owner.secret2" takeownership -z
rm -f "$state/owner.secret2"
umask 022

step "seal a secret to PCRs 7 and 16"
show pcr extend 16 --data "quickstart: the state we trust"
echo "the secret the TPM keeps" >"$state/secret.txt"
show seal -z -p 7 -p 16 -i "$state/secret.txt" -o "$state/secret.sealed"
echo "   sealed: $(wc -c <"$state/secret.sealed") bytes in $state/secret.sealed (tpm_sealdata's format)"

step "unseal it"
show unseal -z -i "$state/secret.sealed"

step "change PCR 16: the TPM refuses to unseal"
show pcr extend 16 --data "something else ran"
if "$mgmt" unseal -z -i "$state/secret.sealed"; then
	echo "unsealed although PCR 16 changed!" >&2
	exit 1
else
	echo "   refused (exit $?), as it should"
fi

step "restore PCR 16 (reset, same measurement): unseal works again"
show pcr reset 16
show pcr extend 16 --data "quickstart: the state we trust" >/dev/null
show unseal -z -i "$state/secret.sealed"

step "the TPM now (flags need the owner secret: --secret-file)"
show --secret-file "$state/owner.secret" status -o

start_cmd="setsid $build/tcsd/tcsd -f -c $conf >$state/tcsd.log 2>&1 &"
use_cmd="export TSS_TCSD_HOSTNAME=127.0.0.1 TSS_TCSD_PORT=$port; $mgmt status"
trap - EXIT
if [ "$stop" = yes ]; then
	stop_tcsd
	step "done; tcsd stopped (state in $state)"
	echo "Start it again:  $start_cmd"
	echo "then use it:     $use_cmd"
else
	step "done; tcsd keeps running (PID $tcsd_pid), state in $state"
	echo "Use it:   $use_cmd"
	echo "Stop it:  kill $tcsd_pid"
fi
