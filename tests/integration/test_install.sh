#!/bin/sh
# `make install` (issue 3: the tss user, tcsd.conf, the state directory).
#
# What can honestly be tested without changing this machine:
#  1. a staged install (make install DESTDIR=...) puts every file where it
#     belongs (tcsd, libtspi, headers; tpm-mgmt, its 24 tpm_* links,
#     libtpm_unseal and every man page, which must format without groff
#     warnings), with TrouSerS' modes (tcsd.conf 0640, state dir 0700),
#     does not overwrite an existing tcsd.conf, and leaves the live system
#     alone; uninstall removes what it installed and keeps a changed
#     tcsd.conf;
#  2. the sysusers.d file really creates the tss user and group, checked
#     with systemd-sysusers --root on an empty directory tree;
#  3. dist/tss12-setup-user.sh (the fallback run by a real install) makes
#     the right decisions: it runs with stand-ins for id, getent,
#     systemd-sysusers, groupadd, useradd, chown and chmod (PATH holds
#     only them) that record their arguments, in every situation: root
#     with and without systemd-sysusers, group present or not, user
#     present, not root, DESTDIR, --dry-run, useradd failing.
# Not tested: that the real useradd/chown work on a live system (they
# would create a user here).
set -u

top_srcdir=${srcdir:-.}/../..
top_builddir=../..
setup=$top_srcdir/dist/tss12-setup-user.sh
sysusers=$top_srcdir/dist/tss12.sysusers
shipped_conf=$top_srcdir/dist/tcsd.conf
fails=0
checks=0

ok() { checks=$((checks + 1)); echo "ok: $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION CMD...
	d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
mode_of() { stat -c %a "$1" 2>/dev/null; }

for f in "$setup" "$sysusers" "$shipped_conf"; do
	[ -f "$f" ] || { echo "FAIL: $f missing"; exit 1; }
done
[ -f "$top_builddir/tcsd/Makefile" ] || { echo "SKIP: not in a configured build tree"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tss12-install.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/root

# ---- 1. staged install ----
MAKE=${MAKE:-make}
# (make may add "Entering directory" or jobserver lines: only NAME=VALUE counts)
dirs=$($MAKE -s --no-print-directory -C "$top_builddir/tcsd" print-install-dirs 2>/dev/null |
	grep -E '^[a-z]+dir=') || { echo "FAIL: print-install-dirs"; exit 1; }
eval "$dirs"
if ! $MAKE -C "$top_builddir" install DESTDIR="$root" USER_SETUP=yes > "$work/install.log" 2>&1; then
	tail -n 30 "$work/install.log"
	echo "FAIL: make install DESTDIR=..."
	exit 1
fi
check "tcsd installed in sbindir" test -x "$root$sbindir/tcsd"
check "libtspi.so.1 installed" test -e "$root$libdir/libtspi.so.1"
check "tss/tspi.h installed" test -f "$root$includedir/tss/tspi.h"
check "sysusers.d file installed as tss12.conf" cmp -s "$sysusers" "$root$sysusersdir/tss12.conf"
check "tcsd.conf installed" cmp -s "$shipped_conf" "$root$sysconfdir/tcsd.conf"
check "tcsd.conf mode 0640 (TrouSerS' rule)" test "$(mode_of "$root$sysconfdir/tcsd.conf")" = 640
check "state directory exists" test -d "$root$tpmstatedir"
check "state directory mode 0700" test "$(mode_of "$root$tpmstatedir")" = 700
check "staged install leaves the live system alone" \
	grep -q "staged install (DESTDIR=$root)" "$work/install.log"
if grep -q "^running: \|would run: " "$work/install.log"; then
	bad "the staged install ran a user or ownership command"
else
	ok "no user or ownership command during the staged install"
fi

# tools/ (issue 5): tpm-mgmt, its tpm_* links, libtpm_unseal, the man pages.
tdirs=$($MAKE -s --no-print-directory -C "$top_builddir/tools" print-install-dirs 2>/dev/null |
	grep -E '^[a-z0-9_]+=') || { echo "FAIL: tools print-install-dirs"; exit 1; }
eval "$tdirs"
check "tpm-mgmt installed in bindir" test -x "$root$bindir/tpm-mgmt"
n_links=0
for n in $compat_names; do
	[ "$(readlink "$root$bindir/$n")" = tpm-mgmt ] || bad "$n is not a link to tpm-mgmt in bindir"
	n_links=$((n_links + 1))
done
check "all 24 tpm_* names installed as links to tpm-mgmt ($n_links)" test "$n_links" = 24
check "libtpm_unseal.so.1 installed" test -e "$root$libdir/libtpm_unseal.so.1"
check "libtpm_unseal exports tpmUnsealFile" \
	sh -c "nm -D --defined-only '$root$libdir/libtpm_unseal.so.1' | grep -q ' T tpmUnsealFile\$'"
check "tpm_tools/tpm_unseal.h installed" test -f "$root$includedir/tpm_tools/tpm_unseal.h"
for page in "$man1dir/tpm-mgmt.1" "$man1dir/tpm_compat.1" "$man8dir/tcsd.8" \
	"$man5dir/tcsd.conf.5" "$man3dir/tpmUnsealFile.3"; do
	check "man page $(basename "$page") installed" test -s "$root$page"
	if command -v groff >/dev/null 2>&1; then
		groff -man -Tutf8 -ww -z "$root$page" > "$work/groff.log" 2>&1
		check "man page $(basename "$page") formats without warnings" test ! -s "$work/groff.log"
	fi
done
n_pages=0
for n in $compat_names; do
	grep -qx '.so man1/tpm_compat.1' "$root$man1dir/$n.1" 2>/dev/null ||
		bad "man page $n.1 missing or not a link to tpm_compat(1)"
	n_pages=$((n_pages + 1))
done
check "a man page for each tpm_* name ($n_pages)" test "$n_pages" = 24
# The installed program runs under a link's name (against the staged libtspi).
LD_LIBRARY_PATH="$root$libdir" "$root$bindir/tpm_version" --help > "$work/help.out" 2>&1
check "installed tpm_version --help prints tpm-tools' usage" grep -q "^Usage: .*tpm_version \\[options\\]" "$work/help.out"
$MAKE -C "$top_builddir/tools" uninstall DESTDIR="$root" > "$work/uninstall-tools.log" 2>&1 ||
	bad "make -C tools uninstall"
check "tools uninstall removes tpm-mgmt" test ! -e "$root$bindir/tpm-mgmt"
left=$(for n in $compat_names; do
	[ -e "$root$bindir/$n" ] || [ -L "$root$bindir/$n" ] && echo "$n"
	[ -e "$root$man1dir/$n.1" ] && echo "$n.1"
done)
check "tools uninstall removes the tpm_* links and their pages" test -z "$left"
check "tools uninstall removes the man pages" test ! -e "$root$man1dir/tpm-mgmt.1"
check "tools uninstall removes libtpm_unseal" test ! -e "$root$libdir/libtpm_unseal.so.1"

# An administrator's tcsd.conf survives a second install and uninstall.
echo "# changed by the administrator" >> "$root$sysconfdir/tcsd.conf"
cp "$root$sysconfdir/tcsd.conf" "$work/changed.conf"
$MAKE -C "$top_builddir/tcsd" install DESTDIR="$root" USER_SETUP=yes > "$work/install2.log" 2>&1 ||
	bad "second make install"
check "existing tcsd.conf kept by a second install" cmp -s "$work/changed.conf" "$root$sysconfdir/tcsd.conf"
check "second install says so" grep -q "tcsd.conf exists: kept" "$work/install2.log"
$MAKE -C "$top_builddir/tcsd" uninstall DESTDIR="$root" > "$work/uninstall.log" 2>&1 ||
	bad "make uninstall"
check "uninstall removes tcsd" test ! -e "$root$sbindir/tcsd"
check "uninstall removes the sysusers.d file" test ! -e "$root$sysusersdir/tss12.conf"
check "uninstall keeps a changed tcsd.conf" cmp -s "$work/changed.conf" "$root$sysconfdir/tcsd.conf"
cp "$shipped_conf" "$root$sysconfdir/tcsd.conf"
$MAKE -C "$top_builddir/tcsd" uninstall DESTDIR="$root" > "$work/uninstall2.log" 2>&1 ||
	bad "second make uninstall"
check "uninstall removes an unchanged tcsd.conf" test ! -e "$root$sysconfdir/tcsd.conf"
check "uninstall removes the empty state directory" test ! -e "$root$tpmstatedir"

# (USER_SETUP=yes: the hook runs even in a build configured without it,
# such as make distcheck's, so the script's staged-install path is tested.)
# ---- 1b. a real install (no DESTDIR) into a temporary prefix ----
# Only as root on a machine that has the tss user already: then the hook
# hands the files to tss for real, and creates nobody.
if [ "$(id -u)" = 0 ] && getent passwd tss >/dev/null 2>&1 && getent group tss >/dev/null 2>&1; then
	p=$work/prefix
	if $MAKE -C "$top_builddir/tcsd" install prefix="$p" USER_SETUP=yes > "$work/install3.log" 2>&1; then
		check "root install: tcsd.conf owned root:tss" \
			test "$(stat -c %U:%G "$p/etc/tcsd.conf")" = root:tss
		check "root install: tcsd.conf mode 0640" test "$(mode_of "$p/etc/tcsd.conf")" = 640
		check "root install: state dir owned tss:tss" \
			test "$(stat -c %U:%G "$p/var/lib/tpm")" = tss:tss
		check "root install: state dir mode 0700" test "$(mode_of "$p/var/lib/tpm")" = 700
		check "root install: no user created (tss existed)" grep -q "user tss exists" "$work/install3.log"
	else
		tail -n 20 "$work/install3.log"
		bad "make install prefix=TMP as root"
	fi
	$MAKE -C "$top_builddir/tcsd" uninstall prefix="$p" > /dev/null 2>&1 || bad "uninstall prefix=TMP"
else
	echo "note: not root or no tss user: the real (non-staged) install is not exercised"
fi

# ---- 2. the sysusers.d file, applied to an empty root ----
if command -v systemd-sysusers >/dev/null 2>&1; then
	mkdir -p "$work/sysroot/etc"
	# (with --root, a relative file name would be looked up under the root)
	abs_sysusers=$(cd "$(dirname "$sysusers")" && pwd)/$(basename "$sysusers")
	if systemd-sysusers --root="$work/sysroot" "$abs_sysusers" > "$work/sysusers.log" 2>&1; then
		line=$(grep '^tss:' "$work/sysroot/etc/passwd")
		check "sysusers.d: tss user, home /var/lib/tpm, nologin" \
			test "${line#tss:x:*:*:}" = "TPM software stack:/var/lib/tpm:/usr/sbin/nologin"
		gid=$(echo "$line" | cut -d: -f4)
		check "sysusers.d: tss group is the user's primary group" \
			grep -q "^tss:x:$gid:" "$work/sysroot/etc/group"
		uid=$(echo "$line" | cut -d: -f3)
		check "sysusers.d: a system uid (< 1000)" test "$uid" -lt 1000
	else
		cat "$work/sysusers.log"
		bad "systemd-sysusers --root rejects the sysusers.d file"
	fi
else
	echo "note: systemd-sysusers not installed; sysusers.d file not applied"
fi

# ---- 3. the fallback's decisions, with stand-in commands ----
stubs=$work/stubs
state=$work/stub-state
mkdir -p "$stubs" "$state"
for cmd in id getent systemd-sysusers groupadd useradd chown chmod; do
	cat > "$stubs/$cmd" <<EOF
#!/bin/sh
echo "$cmd \$*" >> "$state/log"
case "$cmd \$1" in
"id -u") read -r u < "$state/uid"; echo "\$u"; exit 0 ;;
"getent passwd") test -e "$state/user"; exit \$? ;;
"getent group") test -e "$state/group"; exit \$? ;;
"systemd-sysusers "*) : > "$state/user"; : > "$state/group"; exit 0 ;;
"groupadd "*) : > "$state/group"; exit 0 ;;
"useradd "*) test -e "$state/useradd-fails" && exit 1; : > "$state/user"; exit 0 ;;
esac
exit 0
EOF
	chmod +x "$stubs/$cmd"
done

# scenario NAME UID USER_EXISTS GROUP_EXISTS HAVE_SYSUSERS [ARGS...]
# ($useradd_fails = yes: the useradd stand-in fails)
useradd_fails=no
scenario() {
	name=$1 uid=$2 user=$3 group=$4 sysu=$5
	shift 5
	rm -f "$state"/*
	echo "$uid" > "$state/uid"
	[ "$user" = yes ] && : > "$state/user"
	[ "$group" = yes ] && : > "$state/group"
	[ "$useradd_fails" = yes ] && : > "$state/useradd-fails"
	if [ "$sysu" = yes ]; then
		chmod +x "$stubs/systemd-sysusers"
	else
		chmod -x "$stubs/systemd-sysusers"
	fi
	: > "$state/log"
	PATH=$stubs /bin/sh "$setup" --sysusers /S/tss12.conf --statedir /V/lib/tpm "$@" \
		> "$work/$name.out" 2>&1
	echo $? > "$work/$name.status"
	grep -v '^id \|^getent ' "$state/log" > "$work/$name.cmds"
}
# expect NAME "EXPECTED COMMANDS" (one per line, in order; no getent/id)
expect() {
	printf '%s\n' "$2" | sed '/^$/d' > "$work/$1.want"
	if cmp -s "$work/$1.want" "$work/$1.cmds" && [ "$(cat "$work/$1.status")" = 0 ]; then
		ok "setup-user: $1"
	else
		bad "setup-user: $1"
		echo "  wanted:"; sed 's/^/    /' "$work/$1.want"
		echo "  got (status $(cat "$work/$1.status")):"; sed 's/^/    /' "$work/$1.cmds"
		sed 's/^/  | /' "$work/$1.out"
	fi
}

scenario root-sysusers 0 no no yes --new-conf /E/tcsd.conf
expect root-sysusers "systemd-sysusers /S/tss12.conf
chown root:tss /E/tcsd.conf
chmod 0640 /E/tcsd.conf
chown tss:tss /V/lib/tpm
chmod 0700 /V/lib/tpm"

scenario root-useradd 0 no no no --new-conf /E/tcsd.conf
expect root-useradd "groupadd --system tss
useradd --system -g tss -d /var/lib/tpm -s /usr/sbin/nologin -c TPM software stack tss
chown root:tss /E/tcsd.conf
chmod 0640 /E/tcsd.conf
chown tss:tss /V/lib/tpm
chmod 0700 /V/lib/tpm"

scenario root-group-exists 0 no yes no
expect root-group-exists "useradd --system -g tss -d /var/lib/tpm -s /usr/sbin/nologin -c TPM software stack tss
chown tss:tss /V/lib/tpm
chmod 0700 /V/lib/tpm"

scenario root-user-exists 0 yes yes yes
expect root-user-exists "chown tss:tss /V/lib/tpm
chmod 0700 /V/lib/tpm"

scenario not-root 1000 no no yes --new-conf /E/tcsd.conf
expect not-root ""
check "setup-user: not root prints the commands to run" \
	grep -q "systemd-sysusers /S/tss12.conf" "$work/not-root.out"

scenario destdir 0 no no yes --destdir /tmp/stage --new-conf /E/tcsd.conf
expect destdir ""
check "setup-user: DESTDIR is reported" grep -q "staged install" "$work/destdir.out"

scenario dry-run 0 no no no --dry-run --new-conf /E/tcsd.conf
expect dry-run ""
check "setup-user: --dry-run prints useradd" \
	grep -q "would run: useradd --system -g tss -d /var/lib/tpm -s /usr/sbin/nologin" \
	"$work/dry-run.out"
check "setup-user: --dry-run prints the conf chown" \
	grep -q "would run: chown root:tss /E/tcsd.conf" "$work/dry-run.out"

useradd_fails=yes
scenario useradd-fails 0 no yes no --new-conf /E/tcsd.conf
useradd_fails=no
expect useradd-fails "useradd --system -g tss -d /var/lib/tpm -s /usr/sbin/nologin -c TPM software stack tss"
check "setup-user: a failed useradd is reported, files not chowned" \
	grep -q "could not create the tss user" "$work/useradd-fails.out"

if PATH=$stubs /bin/sh "$setup" --statedir /V > /dev/null 2>&1; then
	bad "setup-user: missing --sysusers accepted"
else
	ok "setup-user: missing --sysusers is a usage error"
fi

echo "$checks checks, $fails failed"
[ "$fails" = 0 ]
