#!/bin/busybox sh
# /init of the test guest (boot.sh puts it into the initramfs): mounts the
# pseudo file systems, silences kernel messages on the console so they
# cannot split the lines the test greps for, runs /guest/run.sh, powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
dmesg -n 1
echo "@@@ guest init, uptime $(cut -d' ' -f1 /proc/uptime) s"
# The kernel's view of the TPM, for the log when a check fails.
dmesg | grep -E 'tpm|TPM|ima:' | head -n 20
if [ -x /guest/run.sh ]; then
	cd /tmp && /guest/run.sh 2>&1
else
	echo "@@@ no /guest/run.sh"
fi
echo "@@@ guest done, uptime $(cut -d' ' -f1 /proc/uptime) s"
sync
poweroff -f
