#!/bin/sh
# Boots Debian 12's stock kernel under QEMU (TCG) with a swtpm TPM 1.2 on
# tpm-tis, so that the kernel's own tpm_tis driver binds it: /dev/tpm0 and
# /sys/class/tpm/tpm0 exist and IMA extends PCR 10 (boot_aggregate under
# ima_policy=tcb). The initramfs is busybox-static plus GUESTDIR, copied to
# /guest; the guest's init (init.sh next to this script) runs /guest/run.sh
# and powers off. Everything the guest prints lands in WORKDIR/console.log.
#
# Usage: boot.sh WORKDIR GUESTDIR
#   WORKDIR   a fresh directory of the caller's: initramfs, TPM state,
#             swtpm socket and logs go there
#   GUESTDIR  files for /guest; GUESTDIR/run.sh is run by the guest's init
# Environment:
#   TSS12_QEMU_CACHE    where the extracted kernel is kept between runs
#                       (default ${XDG_CACHE_HOME:-$HOME/.cache}/tss12/qemu)
#   TSS12_QEMU_KERNEL   use this bzImage instead (no download)
#   TSS12_QEMU_TIMEOUT  seconds before a hung guest is killed (default 120)
#   TSS12_QEMU_TPM_OWNED=1  give the TPM an owner (default: unowned)
#   QEMU, SWTPM, SWTPM_SETUP, BUSYBOX   the programs (default: from PATH)
# Exit status: 0 the guest ran and powered off; 77 something this host
# lacks (message starts with SKIP:); 1 failure.
#
# The kernel comes from Debian's archive (apt-get download of the package
# linux-image-amd64 depends on), is extracted, never installed, and only
# its bzImage is kept: tpm_tis, the TPM core and IMA are built in (=y).
# KVM is not used: on hosts with only nested or PVM KVM a stock kernel
# hangs, and TCG boots this guest in a few seconds.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
W=${1:?usage: boot.sh WORKDIR GUESTDIR}
G=${2:?usage: boot.sh WORKDIR GUESTDIR}
TIMEOUT=${TSS12_QEMU_TIMEOUT:-120}
CACHE=${TSS12_QEMU_CACHE:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/tss12/qemu}

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "boot.sh: $*" >&2; exit 1; }

# ---- programs ----
QEMU=${QEMU:-$(command -v qemu-system-x86_64 || true)}
SWTPM=${SWTPM:-$(command -v swtpm || true)}
SWTPM_SETUP=${SWTPM_SETUP:-$(command -v swtpm_setup || true)}
BUSYBOX=${BUSYBOX:-$(command -v busybox || true)}
[ -n "$QEMU" ] || skip "qemu-system-x86_64 is not installed (Debian: qemu-system-x86)"
[ -n "$SWTPM" ] && [ -n "$SWTPM_SETUP" ] || skip "swtpm / swtpm_setup are not installed (Debian: swtpm swtpm-tools)"
[ -n "$BUSYBOX" ] || skip "busybox is not installed (Debian: busybox-static)"
# The initramfs has no libc: busybox must be the static build.
ldd "$BUSYBOX" >/dev/null 2>&1 && skip "$BUSYBOX is dynamically linked; install busybox-static"
command -v cpio >/dev/null || skip "cpio is not installed"
command -v gzip >/dev/null || skip "gzip is not installed"

# ---- kernel: cached between runs, downloaded once ----
kernel_from_archive() {
	command -v apt-cache >/dev/null && command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
		skip "no apt/dpkg to fetch a Debian kernel; set TSS12_QEMU_KERNEL to a bzImage"
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		# Lists not fetched yet (fresh container): use an older cached kernel if any.
		KERNEL=$(ls "$CACHE"/vmlinuz-* 2>/dev/null | tail -n 1 || true)
		[ -n "$KERNEL" ] && return 0
		skip "apt does not know linux-image-amd64 (run apt-get update), or set TSS12_QEMU_KERNEL"
	fi
	kver=${pkg#linux-image-}
	KERNEL="$CACHE/vmlinuz-$kver"
	[ -s "$KERNEL" ] && return 0
	if ! mkdir -p "$CACHE" 2>/dev/null || [ ! -w "$CACHE" ]; then
		echo "boot.sh: note: cannot write $CACHE; the kernel is downloaded for this run only"
		CACHE="$W/kernel"
		mkdir -p "$CACHE"
		KERNEL="$CACHE/vmlinuz-$kver"
	fi
	dl=$(mktemp -d "$CACHE/dl-XXXXXX") || die "cannot write to $CACHE"
	echo "boot.sh: downloading $pkg into $CACHE (once)"
	if ! (cd "$dl" && apt-get download -q "$pkg") >"$dl/apt.log" 2>&1; then
		cat "$dl/apt.log"
		rm -rf "$dl"
		skip "cannot download $pkg from the Debian archive"
	fi
	# Only boot/vmlinuz-* is kept; the .deb and the modules are dropped.
	if ! dpkg-deb --fsys-tarfile "$dl"/"$pkg"_*.deb | (cd "$dl" && tar -x ./boot); then
		rm -rf "$dl"
		die "cannot extract $pkg"
	fi
	[ -s "$dl/boot/vmlinuz-$kver" ] || { rm -rf "$dl"; die "$pkg has no boot/vmlinuz-$kver"; }
	# rename(2) is atomic: a concurrent run sees the whole file or none.
	mv -f "$dl/boot/vmlinuz-$kver" "$KERNEL"
	rm -rf "$dl"
	# Kernels of earlier Debian point releases are not needed any more.
	for old in "$CACHE"/vmlinuz-*; do
		[ "$old" = "$KERNEL" ] || rm -f "$old"
	done
}

if [ -n "${TSS12_QEMU_KERNEL:-}" ]; then
	KERNEL=$TSS12_QEMU_KERNEL
	[ -r "$KERNEL" ] || die "TSS12_QEMU_KERNEL=$KERNEL is not readable"
else
	kernel_from_archive
fi
echo "boot.sh: kernel $KERNEL"

# ---- initramfs: busybox, our init, the caller's files ----
IR="$W/initramfs"
mkdir -p "$IR/bin" "$IR/dev" "$IR/proc" "$IR/sys" "$IR/tmp" "$IR/guest"
cp "$BUSYBOX" "$IR/bin/busybox"
cp "$here/init.sh" "$IR/init"
chmod 755 "$IR/init" "$IR/bin/busybox"
cp -R "$G"/. "$IR/guest/"
(cd "$IR" && find . | cpio -o -H newc --quiet | gzip -1) >"$W/initramfs.cpio.gz" ||
	die "cannot build the initramfs"
rm -rf "$IR"

# ---- TPM 1.2 (no --tpm2): an EK; enabled and active ----
# Unowned by default, so that TPM_ReadPubek works and the kernel's
# pubek file can be compared; TSS12_QEMU_TPM_OWNED=1 takes ownership
# (well-known owner and SRK secrets), which disables TPM_ReadPubek.
own=""
[ "${TSS12_QEMU_TPM_OWNED:-0}" = 1 ] && own="--take-ownership --owner-well-known --srk-well-known"
mkdir -p "$W/tpm"
# shellcheck disable=SC2086
timeout 60 "$SWTPM_SETUP" --tpm-state "$W/tpm" --createek $own >"$W/swtpm_setup.log" 2>&1 || {
	cat "$W/swtpm_setup.log"
	die "swtpm_setup failed"
}

SOCK="$W/swtpm.sock"
"$SWTPM" socket --tpmstate dir="$W/tpm" --ctrl type=unixio,path="$SOCK" \
	--log file="$W/swtpm.log",level=1 </dev/null >>"$W/swtpm.log" 2>&1 &
SWTPM_PID=$!
stop_swtpm() {
	kill "$SWTPM_PID" 2>/dev/null || true
	wait "$SWTPM_PID" 2>/dev/null || true
}
trap stop_swtpm EXIT
trap 'exit 1' INT TERM HUP
i=0
while [ ! -S "$SOCK" ]; do
	kill -0 "$SWTPM_PID" 2>/dev/null || { cat "$W/swtpm.log"; die "swtpm exited"; }
	i=$((i + 1))
	[ "$i" -le 100 ] || die "swtpm did not create $SOCK"
	sleep 0.05
done

# ---- boot ----
# -nodefaults: no NIC (its option ROM costs boot time) and no VGA.
# ima_policy=tcb measures boot_aggregate into PCR 10 before init runs.
start=$(date +%s)
rc=0
timeout -k 5 "$TIMEOUT" "$QEMU" -nodefaults -no-user-config -accel tcg -smp 1 -m 512 \
	-display none -monitor none -serial file:"$W/console.log" -no-reboot \
	-kernel "$KERNEL" -initrd "$W/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 ima_policy=tcb ima_hash=sha1 ima_template=ima" \
	-chardev socket,id=chrtpm,path="$SOCK" \
	-tpmdev emulator,id=tpm0,chardev=chrtpm \
	-device tpm-tis,tpmdev=tpm0 >"$W/qemu.log" 2>&1 || rc=$?
echo "boot.sh: guest ran $(($(date +%s) - start)) s"
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "boot.sh: the guest did not power off within $TIMEOUT s; killed"
	exit 1
fi
if [ "$rc" != 0 ]; then
	cat "$W/qemu.log"
	die "qemu failed (exit $rc)"
fi
exit 0
