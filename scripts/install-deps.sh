#!/bin/sh
# Install every Debian 12 package tss12 needs to build and test.
# Idempotent: skips apt-get when everything is already present.
set -eu

PACKAGES="build-essential autoconf automake libtool pkg-config
libssl-dev libtpms-dev libcmocka-dev
swtpm swtpm-tools
libtspi-dev trousers tpm-tools
clang libclang-rt-14-dev valgrind
python3 xxd
qemu-system-x86 busybox-static cpio"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done

[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "tss12: installing Debian packages:$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# trousers' postinst tries to start tcsd; policy-rc.d keeps it from doing so.
$SUDO env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
	apt-get install -y -q --no-install-recommends $missing
