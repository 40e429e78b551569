#!/bin/sh
# Sets tss12 up from a fresh clone (Debian packages, build) and runs the
# main job: our tcsd on an embedded libtpms TPM 1.2, driven by Debian's
# tpm-tools running on OUR libtspi.so.1 - take ownership, seal a secret to
# the SRK and unseal it - after a look at the TPM through the tpmdd probe.
# Everything lives in TSS12_STATE_DIR (default: a new temporary directory).
# tpm-mgmt, tss12's own CLI, replaces tpm-tools here when it lands.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh" normal

build=$top/build/normal
state=${TSS12_STATE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/tss12.XXXXXX")}
mkdir -p "$state"
state=$(cd "$state" && pwd)

step() { printf '\n== %s\n' "$*"; }

step "tpmdd --device libtpms:$state/probe version, pcrs"
"$build/tpmdd/tpmdd" --device "libtpms:$state/probe" version
"$build/tpmdd/tpmdd" --device "libtpms:$state/probe" pcrs | head -n 4
echo "   ... (24 PCRs)"

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
CONF
if [ "$(id -u)" -eq 0 ]; then
	chmod 755 "$state"
	chown tss:tss "$state/tpm" "$state/ps"
	chmod 700 "$state/tpm" "$state/ps"
	chown root:tss "$conf"
fi
chmod 640 "$conf"

step "tcsd -f -c $conf   (TPM: libtpms:$state/tpm, TCP 127.0.0.1:$port)"
"$build/tcsd/tcsd" -f -c "$conf" 2>"$state/tcsd.log" &
tcsd_pid=$!
trap 'kill -TERM $tcsd_pid 2>/dev/null; wait $tcsd_pid 2>/dev/null' EXIT
tries=100
until python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$port)))" 2>/dev/null; do
	kill -0 "$tcsd_pid" 2>/dev/null || { cat "$state/tcsd.log" >&2; exit 1; }
	tries=$((tries - 1))
	[ $tries -gt 0 ] || { echo "tcsd did not start; see $state/tcsd.log" >&2; exit 1; }
	sleep 0.1
done

# Debian's tpm-tools, loading our libtspi.so.1, talking to our tcsd.
export LD_LIBRARY_PATH="$build/tspi/.libs" TSS_TCSD_HOSTNAME=127.0.0.1 TSS_TCSD_PORT=$port

step "tpm_version"
# Debian's tpm_version echoes a few uninitialised bytes to stderr (it does
# with TrouSerS' libtspi too); keep them off the screen unless it fails.
tpm_version 2>"$state/tpm_version.err" || { cat "$state/tpm_version.err" >&2; exit 1; }
step "tpm_takeownership -y -z   (owner and SRK secrets: the well-known secret)"
tpm_takeownership -y -z && echo "   the TPM is owned"
step "tpm_sealdata -z | tpm_unsealdata -z"
echo "the secret the TPM keeps" >"$state/secret.txt"
tpm_sealdata -z -i "$state/secret.txt" -o "$state/secret.sealed"
echo "   sealed: $(wc -c <"$state/secret.sealed") bytes in $state/secret.sealed"
tpm_unsealdata -z -i "$state/secret.sealed" -o "$state/secret.out"
echo "   unsealed: $(cat "$state/secret.out")"
cmp -s "$state/secret.txt" "$state/secret.out"

step "done; tcsd stopped"
echo "Start it again with: $build/tcsd/tcsd -f -c $conf"
echo "and point TSS clients at it: TSS_TCSD_HOSTNAME=127.0.0.1 TSS_TCSD_PORT=$port"
