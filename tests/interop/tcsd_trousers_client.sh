#!/bin/sh
# Debian's TrouSerS client side (tpm-tools, libtspi) against tss12's tcsd
# on an embedded TPM (issue 3 interop (a)): a libtspi program, then the
# tpm-tools sequence of tpmtools_steps.sh: tpm_version, tpm_selftest,
# tpm_getpubek, tpm_takeownership -y -z, tpm_sealdata | tpm_unsealdata,
# tpm_changeownerauth (owner and SRK, secrets typed), tpm_setpresence,
# tpm_clear --force.
# Needs: $TCSD (our daemon), tpm-tools, libtspi-dev, $CC.
set -u

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "$dir/tcsd.log" ] && tail -n 40 "$dir/tcsd.log"; exit 1; }

TCSD=${TCSD:-${TOP_BUILDDIR:-.}/tcsd/tcsd}
[ -x "$TCSD" ] || skip "no tcsd binary at $TCSD"
for p in tpm_version tpm_selftest tpm_getpubek tpm_takeownership tpm_clear tpm_setpresence \
	tpm_sealdata tpm_unsealdata tpm_changeownerauth tpm_restrictpubek tpm_setclearable setsid; do
	command -v "$p" >/dev/null 2>&1 || skip "$p not installed (Debian tpm-tools)"
done
[ -f /usr/include/tss/tspi.h ] || skip "libtspi-dev not installed"

dir=$(mktemp -d "${TMPDIR:-/tmp}/tss12-interop-tcsd-XXXXXX") || exit 1
pid=
cleanup() {
	if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

# As root tcsd becomes tss; the embedded TPM's state lives in a tss directory.
if [ "$(id -u)" = 0 ]; then
	id tss >/dev/null 2>&1 || skip "running as root without a tss user"
	chown tss:tss "$dir" && chmod 755 "$dir"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])') ||
	skip "python3 needed to find a free port"
cat > "$dir/tcsd.conf" <<EOF
port = $port
system_ps_file = $dir/system.data
device = libtpms:$dir/tpm
unix_socket = $dir/tcsd.sock
EOF
chmod 644 "$dir/tcsd.conf"

"$TCSD" -f -c "$dir/tcsd.conf" > "$dir/tcsd.log" 2>&1 &
pid=$!
i=0
while [ ! -S "$dir/tcsd.sock" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "tcsd did not start"
	kill -0 "$pid" 2>/dev/null || fail "tcsd exited"
	sleep 0.1
done

export TSS_TCSD_HOSTNAME=127.0.0.1 TSS_TCSD_PORT=$port

CC=${CC:-cc}
src=${TOP_SRCDIR:+$TOP_SRCDIR/tests/interop/}tcsd_trousers_client.c
[ -f "$src" ] || src=$(dirname "$0")/tcsd_trousers_client.c
$CC -o "$dir/client" "$src" -ltspi -lcrypto || fail "cannot build the libtspi client"
"$dir/client" || fail "libtspi client"

# The tpm-tools sequence (tpmtools_steps.sh): version, selftest, pubEK,
# take ownership, seal/unseal, owner and SRK secret changes, clear.
steps=${TOP_SRCDIR:+$TOP_SRCDIR/tests/interop/}tpmtools_steps.sh
[ -f "$steps" ] || steps=$(dirname "$0")/tpmtools_steps.sh
mkdir "$dir/steps" || fail "mkdir"
sh "$steps" "$dir/steps" ours || fail "tpm-tools steps against our tcsd"

kill -TERM "$pid"
wait "$pid"
status=$?
pid=
[ $status -eq 0 ] || fail "tcsd exit status $status after SIGTERM"
echo "PASS"
