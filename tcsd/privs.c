/*
 * Dropping root. tcsd started as root opens what only root may open (the
 * TPM device, the kernel's event logs, listening sockets), then becomes
 * the tss user for good before it reads a single byte from a client.
 *
 * TrouSerS before 0.3.15 called setuid() alone and kept root's group and
 * supplementary groups (CVE-2020-24330). Here the order is the safe one
 * (supplementary groups, then gid, then uid) and every step is checked
 * afterwards: a daemon that could get root back refuses to run.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "tcsd.h"

int tcsd_privs_lookup(uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	errno = 0;
	if ((pw = getpwnam(TCSD_USER_NAME)) == NULL) {
		log_error("user \"%s\" does not exist (%s); create it (make install does, with "
			  "systemd-sysusers or useradd --system %s)", TCSD_USER_NAME,
			  errno != 0 ? strerror(errno) : "no such user", TCSD_USER_NAME);
		return -1;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		log_error("user \"%s\" has uid or gid 0; it must be an unprivileged user",
			  TCSD_USER_NAME);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* Checks the result of the drop; any way back to root is fatal. */
static int verify_dropped(uid_t uid, gid_t gid)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	gid_t groups[8];
	int n;

	if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0) {
		log_error("cannot read back the process ids: %s", strerror(errno));
		return -1;
	}
	if (ruid != uid || euid != uid || suid != uid || rgid != gid || egid != gid ||
	    sgid != gid) {
		log_error("privilege drop incomplete: uid %u/%u/%u gid %u/%u/%u",
			  (unsigned int)ruid, (unsigned int)euid, (unsigned int)suid,
			  (unsigned int)rgid, (unsigned int)egid, (unsigned int)sgid);
		return -1;
	}
	n = getgroups((int)(sizeof(groups) / sizeof(groups[0])), groups);
	if (n < 0 || n > 1 || (n == 1 && groups[0] != gid)) {
		log_error("privilege drop kept supplementary groups (%d)", n);
		return -1;
	}
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0) {
		log_error("privilege drop failed: root could be regained");
		return -1;
	}
	return 0;
}

int tcsd_privs_drop(void)
{
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0) {
		log_info("not started as root: running as uid %u, no privilege change",
			 (unsigned int)geteuid());
		return 0;
	}
	if (tcsd_privs_lookup(&uid, &gid) != 0)
		return -1;
	/* Supplementary groups first: afterwards we may no longer change them. */
	if (setgroups(0, NULL) != 0) {
		log_error("setgroups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(gid, gid, gid) != 0) {
		log_error("setresgid(%u): %s", (unsigned int)gid, strerror(errno));
		return -1;
	}
	if (setresuid(uid, uid, uid) != 0) {
		log_error("setresuid(%u): %s", (unsigned int)uid, strerror(errno));
		return -1;
	}
	if (verify_dropped(uid, gid) != 0)
		return -1;
	/* Nothing tcsd runs afterwards may gain privileges (setuid binaries). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		log_warn("PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	log_info("dropped privileges to user %s (uid %u, gid %u)", TCSD_USER_NAME,
		 (unsigned int)uid, (unsigned int)gid);
	return 0;
}

int tcsd_privs_check_ps_dir(const char *ps_file)
{
	char dir[4096];
	const char *slash = strrchr(ps_file, '/');
	struct stat st;
	size_t n;

	if (slash == NULL)
		return 0;
	n = slash == ps_file ? 1 : (size_t)(slash - ps_file);
	if (n >= sizeof(dir)) {
		log_error("%s: path too long", ps_file);
		return -1;
	}
	memcpy(dir, ps_file, n);
	dir[n] = '\0';
	if (lstat(dir, &st) != 0) {
		log_error("%s: the directory of system_ps_file must exist: %s", dir,
			  strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_error("%s: not a directory (symbolic links are not followed)", dir);
		return -1;
	}
	if (st.st_mode & S_IWOTH && !(st.st_mode & S_ISVTX)) {
		log_error("%s: writable by everyone; system.data would be open to "
			  "replacement", dir);
		return -1;
	}
	return 0;
}

/*
 * TrouSerS' tcsd leaves system.data owned by root, mode 0600, so a machine
 * switching to tss12 would have registered keys tss cannot read. As root,
 * before the drop, an existing system.data owned by root is handed to the
 * tss user. Only a plain file with one link is touched, opened without
 * following links, so this cannot be turned into a chown of another file
 * (CVE-2020-24332's lesson).
 */
int tcsd_privs_adopt_ps_file(const char *ps_file)
{
	struct stat st;
	uid_t uid;
	gid_t gid;
	int fd, rc = -1;

	if (geteuid() != 0)
		return 0;
	fd = open(ps_file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;	/* created later, as tss */
		log_error("%s: %s", ps_file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		log_error("%s: %s", ps_file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		log_error("%s: not a plain file with a single link; refusing to use it",
			  ps_file);
		goto out;
	}
	if (st.st_uid != 0) {
		rc = 0;		/* already someone's: ps.c checks it is ours */
		goto out;
	}
	if (tcsd_privs_lookup(&uid, &gid) != 0)
		goto out;
	if (fchown(fd, uid, gid) != 0 || fchmod(fd, 0600) != 0) {
		log_error("%s: cannot hand it to user %s: %s", ps_file, TCSD_USER_NAME,
			  strerror(errno));
		goto out;
	}
	log_info("%s was owned by root (TrouSerS); it now belongs to %s", ps_file,
		 TCSD_USER_NAME);
	rc = 0;
out:
	close(fd);
	return rc;
}
