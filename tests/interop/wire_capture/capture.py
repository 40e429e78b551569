#!/usr/bin/env python3
"""Record real TCSD wire traffic between Debian's libtspi and tcsd.

Starts swtpm (TPM 1.2), TrouSerS' tcsd on top of it (tcsd -e), and a TCP
proxy in front of tcsd; runs TrouSerS clients (tpm-tools and the small
C program next to this script) through the proxy and writes every
request/response packet as hex under OUTDIR (default
tests/unit/vectors/tcsd/), named <ordinal>.req.hex / .rsp.hex (the first
exchange of each ordinal; later ones get -2, -3, ... suffixes).

Needs root (tcsd insists on a root:tss 0640 config), swtpm, swtpm_setup,
tcsd, tpm-tools, cc and libtspi-dev. Not run by make: the captured
vectors are committed and the unit tests decode them.

Usage: capture.py [OUTDIR]
"""
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

def ordinal_names():
    """TCSD ordinal -> lower-case name, from tss12's own common/tcsd_ordinals.h."""
    names = {}
    with open(os.path.join(TOP, "common", "tcsd_ordinals.h")) as f:
        for line in f:
            m = re.match(r"\s*TCSD_ORD_(\w+) = (\d+),", line)
            if m:
                names[int(m.group(2))] = m.group(1).lower()
    return names


ORDINALS = ordinal_names()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_pair():
    """Two consecutive free ports (swtpm data + control)."""
    for _ in range(100):
        p = free_port()
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", p))
                b.bind(("127.0.0.1", p + 1))
            return p
        except OSError:
            continue
    raise RuntimeError("no free port pair")


def wait_port(port, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on port %d" % port)


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def recv_packet(sock):
    hdr = recv_exact(sock, 28)
    if hdr is None:
        return None
    size = struct.unpack(">I", hdr[:4])[0]
    if size < 28 or size > (1 << 20):
        raise RuntimeError("implausible packet size %d" % size)
    rest = recv_exact(sock, size - 28)
    if rest is None:
        return None
    return hdr + rest


class Proxy:
    """Forwards whole packets, strictly request then response."""

    def __init__(self, listen_port, target_port):
        self.target_port = target_port
        self.exchanges = []  # (ordinal, request bytes, response bytes)
        self.lock = threading.Lock()
        self.srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", listen_port))
        self.srv.listen(8)
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while True:
            try:
                client, _ = self.srv.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(client,), daemon=True).start()

    def serve(self, client):
        server = socket.create_connection(("127.0.0.1", self.target_port))
        try:
            while True:
                req = recv_packet(client)
                if req is None:
                    return
                server.sendall(req)
                rsp = recv_packet(server)
                if rsp is None:
                    return
                client.sendall(rsp)
                ordinal = struct.unpack(">I", req[4:8])[0]
                with self.lock:
                    self.exchanges.append((ordinal, req, rsp))
        finally:
            client.close()
            server.close()


def write_vector(outdir, name, req, rsp, origin):
    for suffix, data in ((".req.hex", req), (".rsp.hex", rsp)):
        with open(os.path.join(outdir, name + suffix), "w") as f:
            f.write("# %s; captured by tests/interop/wire_capture/capture.py\n" % origin)
            for i in range(0, len(data), 32):
                f.write(data[i:i + 32].hex() + "\n")


def trousers_version():
    try:
        out = subprocess.check_output(["dpkg-query", "-W", "-f=${Version}", "trousers"])
        return out.decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return "(unknown version)"


def main():
    if os.geteuid() != 0:
        print("capture.py: needs root (tcsd wants a root:tss config)", file=sys.stderr)
        return 77
    for prog in ("swtpm", "swtpm_setup", "tcsd", "tpm_version", "cc"):
        if shutil.which(prog) is None and not os.path.exists("/usr/sbin/" + prog):
            print("capture.py: %s not found" % prog, file=sys.stderr)
            return 77
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "tests/unit/vectors/tcsd")
    os.makedirs(outdir, exist_ok=True)

    version = trousers_version()
    work = tempfile.mkdtemp(prefix="tss12-capture-")
    os.chmod(work, 0o755)
    procs = []
    try:
        state = os.path.join(work, "tpm")
        os.mkdir(state)
        subprocess.run(["swtpm_setup", "--tpm-state", state, "--createek"],
                       check=True, stdout=subprocess.DEVNULL)
        sport = free_port_pair()
        procs.append(subprocess.Popen(
            ["swtpm", "socket", "--tpmstate", "dir=" + state,
             "--server", "type=tcp,port=%d" % sport,
             "--ctrl", "type=tcp,port=%d" % (sport + 1),
             "--flags", "not-need-init,startup-clear"]))
        wait_port(sport)

        tss_gid = int(subprocess.check_output(["getent", "group", "tss"]).split(b":")[2])
        psdir = os.path.join(work, "ps")
        os.mkdir(psdir)
        os.chown(psdir, 0, tss_gid)
        os.chmod(psdir, 0o770)
        tport = free_port()
        conf = os.path.join(work, "tcsd.conf")
        with open(conf, "w") as f:
            f.write("port = %d\nsystem_ps_file = %s/system.data\n" % (tport, psdir))
        os.chown(conf, 0, tss_gid)
        os.chmod(conf, 0o640)
        env = dict(os.environ, TCSD_TCP_DEVICE_PORT=str(sport),
                   TCSD_TCP_DEVICE_HOSTNAME="127.0.0.1")
        tcsd_log = open(os.path.join(work, "tcsd.log"), "w")
        procs.append(subprocess.Popen(["/usr/sbin/tcsd", "-e", "-f", "-c", conf], env=env,
                                      stdout=tcsd_log, stderr=subprocess.STDOUT))
        wait_port(tport)

        pport = free_port()
        proxy = Proxy(pport, tport)
        cenv = dict(os.environ, TSS_TCSD_HOSTNAME="127.0.0.1", TSS_TCSD_PORT=str(pport),
                    HOME=work)

        client = os.path.join(work, "client")
        subprocess.run(["cc", "-o", client, os.path.join(HERE, "tspi_client.c"), "-ltspi"],
                       check=True)
        for cmd in (["tpm_version"], ["tpm_getpubek"], [client]):
            r = subprocess.run(cmd, env=cenv, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=60)
            print("capture.py: %s -> %d" % (cmd[0], r.returncode))
            sys.stdout.write(r.stdout.decode(errors="replace"))

        # Requests libtspi would not send, straight to tcsd, for its
        # error replies: an unknown context handle, an unknown ordinal.
        raw = {
            "error-badcontext": bytes.fromhex(
                "00000026" "00000020" "00000002" "00000002" "0000001c" "00000008"
                "0000001e" "0303" "deadbeef" "00000000"),
            "error-badordinal": bytes.fromhex(
                "00000021" "000000c8" "00000001" "00000001" "0000001c" "00000004"
                "0000001d" "03" "00000001"),
        }
        for name, req in raw.items():
            with socket.create_connection(("127.0.0.1", tport)) as s:
                s.sendall(req)
                rsp = recv_packet(s)
            write_vector(outdir, name, req, rsp, "raw request -> TrouSerS tcsd " + version)

        seen = {}
        for ordinal, req, rsp in proxy.exchanges:
            name = ORDINALS.get(ordinal, "ord%d" % ordinal)
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = "%s-%d" % (name, seen[name])
            write_vector(outdir, name, req, rsp,
                         "TrouSerS libtspi -> tcsd " + version + ", over swtpm")
        print("capture.py: %d exchanges written to %s" % (len(proxy.exchanges), outdir))
        return 0
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
