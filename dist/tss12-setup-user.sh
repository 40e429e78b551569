#!/bin/sh
# Run by `make install` (tcsd/Makefile.am, install-data-hook) after the
# files are in place: makes sure the `tss` user and group exist and gives
# the freshly installed tcsd.conf and the state directory to them, as
# TrouSerS 0.3.15 wants them (tcsd.conf root:tss 0640, the directory of
# system.data tss:tss 0700).
#
# usage: tss12-setup-user.sh [--dry-run] --sysusers FILE --statedir DIR
#                            [--new-conf FILE] [--destdir DIR]
#
#   --sysusers FILE  the installed sysusers.d file (tss12.conf)
#   --statedir DIR   $(localstatedir)/lib/tpm, where system.data lives
#   --new-conf FILE  tcsd.conf, when this install put it there (a file
#                    that was there before is the administrator's: left alone)
#   --destdir DIR    $(DESTDIR): a staged install (package build, distcheck)
#                    touches nothing on the live system; the package's own
#                    post-install step creates the user (systemd-sysusers)
#   --dry-run        print the commands instead of running them
#
# It never fails the install: what it cannot do (not root, no useradd) is
# printed with the command an administrator should run. Only programs
# found on PATH are used (id, getent, systemd-sysusers, groupadd, useradd,
# chown, chmod), so tests can stand in for them.
set -u

user=tss
group=tss
nologin=/usr/sbin/nologin
sysusers=
statedir=
conf=
destdir=
dry=false

while [ $# -gt 0 ]; do
	case $1 in
	--dry-run) dry=true ;;
	--sysusers) sysusers=${2:?}; shift ;;
	--statedir) statedir=${2:?}; shift ;;
	--new-conf) conf=${2:?}; shift ;;
	--destdir) destdir=$2; shift ;;
	*) echo "tss12-setup-user: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ -z "$sysusers" ] || [ -z "$statedir" ]; then
	echo "usage: tss12-setup-user.sh [--dry-run] --sysusers FILE --statedir DIR" \
		"[--new-conf FILE] [--destdir DIR]" >&2
	exit 2
fi

say() { echo "tss12-setup-user: $*"; }
# run CMD...: runs it (or prints it with --dry-run); 0 when it worked.
run() {
	if $dry; then
		echo "would run: $*"
		return 0
	fi
	echo "running: $*"
	"$@"
}
have() { command -v "$1" >/dev/null 2>&1; }

howto() {
	say "create it with: systemd-sysusers $sysusers"
	say "or: groupadd --system $group && useradd --system -g $group -d /var/lib/tpm" \
		"-s $nologin -c 'TPM software stack' $user"
	[ -n "$conf" ] && say "then: chown root:$group $conf && chmod 0640 $conf"
	say "and: chown $user:$group $statedir && chmod 0700 $statedir"
}

if [ -n "$destdir" ]; then
	say "staged install (DESTDIR=$destdir): the live system is left alone;"
	say "the package must create the $user user on the target (systemd-sysusers tss12.conf)"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	if getent passwd "$user" >/dev/null 2>&1; then
		say "not root: $user exists, but the files installed are not handed to it"
	else
		say "not root: the $user user and group tcsd runs as are missing"
	fi
	howto
	exit 0
fi

# ---- root, installing for real ----
created=false
if getent passwd "$user" >/dev/null 2>&1; then
	say "user $user exists"
elif have systemd-sysusers; then
	run systemd-sysusers "$sysusers" && created=true
else
	if ! getent group "$group" >/dev/null 2>&1; then
		run groupadd --system "$group" || say "warning: groupadd failed"
	fi
	run useradd --system -g "$group" -d /var/lib/tpm -s "$nologin" \
		-c "TPM software stack" "$user" && created=true
fi
if ! $dry && ! getent passwd "$user" >/dev/null 2>&1; then
	say "warning: could not create the $user user; tcsd will refuse to start as root"
	howto
	exit 0
fi
if $created && ! $dry; then say "created the $user user and group"; fi

# TrouSerS 0.3.15 insists on root:tss 0640 for its config; ours accepts it.
if [ -n "$conf" ]; then
	run chown "root:$group" "$conf" || say "warning: chown $conf failed"
	run chmod 0640 "$conf" || say "warning: chmod $conf failed"
fi
# system.data is created by tcsd after it dropped to tss (CVE-2020-24332).
run chown "$user:$group" "$statedir" || say "warning: chown $statedir failed"
run chmod 0700 "$statedir" || say "warning: chmod $statedir failed"
exit 0
