#!/bin/sh
# tpmdd's dev: backend against the real Linux TPM 1.2 driver: boots
# Debian's stock kernel in QEMU with a swtpm TPM 1.2 on tpm-tis (so the
# kernel's tpm_tis owns it and IMA extends PCR 10), runs the built tpmdd
# there (qemu/guest-run.sh) and compares what it reads through /dev/tpm0
# with what the kernel shows in sysfs. The guest prints "CHECK name
# OK|FAIL" lines on its serial console; the host adds the checks that
# need python (JSON, IMA log replay) and fails on any FAIL or any
# missing check.
#
# Needs TPMDD (the built binary), qemu-system-x86_64, swtpm, busybox-static,
# cpio, python3; skips (77) without them. TEST_DEV_KERNEL (the built
# qemu/test_dev_kernel.c) is run in the guest too. The kernel is downloaded
# from the Debian archive once and cached: see qemu/boot.sh for
# TSS12_QEMU_CACHE, TSS12_QEMU_KERNEL and TSS12_QEMU_TIMEOUT. KEEP=1 keeps
# the temporary directory (console log, initramfs) for a post-mortem.

srcdir=${srcdir:-$(dirname "$0")}
Q="$srcdir/qemu"

if [ -z "${TPMDD:-}" ] || [ ! -x "$TPMDD" ]; then
	echo "SKIP: TPMDD is not set to the built tpmdd binary"
	exit 77
fi
command -v "${QEMU:-qemu-system-x86_64}" >/dev/null 2>&1 ||
	{ echo "SKIP: qemu-system-x86_64 is not installed (Debian: qemu-system-x86)"; exit 77; }
PY=$(command -v python3) || { echo "SKIP: python3 is needed to check the guest's JSON"; exit 77; }
# The guest has no root file system: tpmdd goes in with its libraries and
# loader, which must be those of a real ELF file, not a libtool wrapper.
if [ "$(head -c 4 "$TPMDD" | od -An -c | tr -d ' ')" != '177ELF' ]; then
	echo "FAIL: $TPMDD is not an ELF executable (a libtool wrapper?)"
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/tss12-qemu-XXXXXX") || exit 1
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

# ---- what the guest gets: tpmdd, its libraries, the loader, run.sh ----
G="$T/guest"
mkdir -p "$G/lib" "$T/w"
# guest_binary FILE NAME: FILE goes to /guest/NAME, its libraries (by
# soname) to /guest/lib, its dynamic loader to /guest/lib/ld.so.
guest_binary() {
	cp "$1" "$G/$2" || exit 1
	ldd "$1" >"$T/ldd" 2>&1 || { cat "$T/ldd"; echo "FAIL: ldd $1"; exit 1; }
	while read -r a b c _; do
		case "$a $b" in
		*" =>")	# libfoo.so.N => /path (addr)
			[ -n "$c" ] && [ "${c#/}" != "$c" ] || { echo "FAIL: ldd $1: $a not found"; exit 1; }
			cp -L "$c" "$G/lib/$a" || exit 1 ;;
		/*)	cp -L "$a" "$G/lib/ld.so" || exit 1 ;;
		esac
	done <"$T/ldd"
	[ -f "$G/lib/ld.so" ] || { echo "FAIL: no dynamic loader in ldd $1"; cat "$T/ldd"; exit 1; }
}
guest_binary "$TPMDD" tpmdd
# The C test of what the command line cannot reach (threads, cancel).
dev_kernel=""
if [ -n "${TEST_DEV_KERNEL:-}" ] && [ -x "$TEST_DEV_KERNEL" ]; then
	guest_binary "$TEST_DEV_KERNEL" test_dev_kernel
	dev_kernel=dev_kernel
else
	echo "note: TEST_DEV_KERNEL is not set to the built test_dev_kernel; not run in the guest"
fi
cp "$Q/guest-run.sh" "$G/run.sh" && chmod 755 "$G/run.sh" || exit 1
# Sanitizer settings of this run (scripts/test.sh sets them) go along.
: >"$G/env"
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	val=""
	eval "val=\${$v:-}"
	case "$val" in
	*\'*) echo "note: $v has a quote; not passed to the guest" ;;
	?*) echo "export $v='$val'" >>"$G/env" ;;
	esac
done

# ---- boot ----
sh "$Q/boot.sh" "$T/w" "$G"
rc=$?
[ "$rc" = 77 ] && exit 77
C="$T/console.txt"
tr -d '\r' <"$T/w/console.log" >"$C" 2>/dev/null
if [ "$rc" != 0 ]; then
	echo "FAIL: the guest did not run (boot.sh exit $rc); console tail:"
	tail -n 40 "$C"
	exit 1
fi

# ---- host-side checks on what the guest printed ----
"$PY" - "$C" >>"$C.host" <<'EOF'
import hashlib, json, re, sys

lines = open(sys.argv[1], errors="replace").read().split("\n")

def block(name):
    try:
        i = lines.index("@@@ BEGIN " + name)
        j = lines.index("@@@ END " + name, i)
    except ValueError:
        return None
    return lines[i + 1:j]

def check(name, good, detail=""):
    print("CHECK %s %s %s" % (name, "OK" if good else "FAIL", detail))

sysfs = {}
for l in lines:
    if l.startswith("SYSFS "):
        _, key, val = (l.split(" ", 2) + [""])[:3]
        sysfs[key] = val.strip()

# caps as JSON: valid, and agreeing with the kernel's sysfs files.
caps = block("caps.json")
try:
    d = json.loads("\n".join(caps or []))
    ok = isinstance(d, dict)
except ValueError as e:
    d, ok = {}, False
    check("caps_json", False, "invalid JSON: %s" % e)
if ok:
    m = re.search(r"Manufacturer: (0x[0-9a-fA-F]+)", sysfs.get("caps", ""))
    want = {
        "tcg_version": "1.2",
        "pcrs": 24,
        "backend": "dev",
        "software": False,
        "manufacturer_id": m.group(1).lower() if m else None,
    }
    got = dict((k, d.get(k)) for k in want)
    if isinstance(got["manufacturer_id"], str):
        got["manufacturer_id"] = got["manufacturer_id"].lower()
    for f in ("enabled", "active", "owned", "temp_deactivated"):
        if f in sysfs:
            want["flags." + f] = sysfs[f] == "1"
            got["flags." + f] = d.get("flags", {}).get(f)
    bad = ["%s=%r (kernel: %r)" % (k, got[k], want[k]) for k in want if got[k] != want[k]]
    check("caps_json", not bad, "; ".join(bad) or "valid, agrees with sysfs caps and flags")

    # The kernel reports what the TPM said unless it had to fix the units
    # ("[adjusted]"); then only plausibility is checked.
    for name, key, keys in (("durations", "durations_us", ("short", "medium", "long")),
                            ("timeouts", "timeouts_us", ("a", "b", "c", "d"))):
        k = sysfs.get(name, "").split()
        t = d.get(key) or {}
        tv = [t.get(x) for x in keys]
        if len(k) == len(keys) + 1 and k[-1] == "[original]":
            kv = [int(x) for x in k[:-1]]
            check("caps_" + name, kv == tv, "kernel %s, tpmdd %s" % (kv, tv))
        else:
            good = all(isinstance(x, int) and x > 0 for x in tv)
            check("caps_" + name, good, "kernel '%s' (not original), tpmdd %s" % (" ".join(k), tv))

# PCR 10 is what IMA's log replays to (SHA-1 template hashes, ima_hash=sha1).
p10 = block("pcr10") or [""]
pcr = p10[0].partition(":")[2].replace(" ", "").lower()
log = [l.split() for l in (block("imalog") or []) if l.strip()]
acc, replays = b"\0" * 20, []
for e in log:
    if len(e) >= 2 and e[0] == "10" and len(e[1]) == 40:
        h = bytes.fromhex(e[1])
        # A violation is logged as zeros but extended as ones.
        acc = hashlib.sha1(acc + (b"\xff" * 20 if h == b"\0" * 20 else h)).digest()
        replays.append(acc.hex())
check("pcr10_ima_log", len(pcr) == 40 and pcr in replays,
      "PCR-10 %s, %d IMA log entries" % (pcr, len(replays)))
EOF

expected="tpm0_bound version version_manufacturer version_firmware pcrs_match
pcr10_nonzero caps_json_rc random32 random3000 flags_agree raw_getrandom
raw_tpm_error pubek busy_in_use busy_released default_device env_device_wins
caps_json caps_durations caps_timeouts pcr10_ima_log $dev_kernel"

cat "$C" "$C.host" | grep '^CHECK ' >"$T/checks"
sed -n '/^@@@ guest init/,$p' "$C" | grep -v '^@@@ BEGIN caps.json' | head -n 200 >"$T/guestlog"
cat "$T/checks"
failures=$(grep -c '^CHECK [^ ]* FAIL' "$T/checks")
missing=""
for c in $expected; do
	grep -q "^CHECK $c " "$T/checks" || missing="$missing $c"
done
n=$(wc -l <"$T/checks")
if [ "$failures" != 0 ] || [ -n "$missing" ]; then
	echo "--- guest console ---"
	cat "$T/guestlog"
	[ -n "$missing" ] && echo "FAIL: checks missing:$missing"
	echo "FAIL: $failures of $n checks failed"
	exit 1
fi
echo "all $n checks passed"
exit 0
