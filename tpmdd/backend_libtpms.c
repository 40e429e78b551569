/*
 * libtpms backend: a TPM 1.2 in this process. Its state lives in three
 * files of STATEDIR ("permall", "volatilestate", "savestate", the names
 * libtpms asks for), each replaced atomically. A lock file keeps a
 * second process off the same state; libtpms itself is one TPM per
 * process, so a second handle in this process is refused too.
 *
 * Cancel: libtpms' TPM 1.2 does not support TPMLIB_CancelCommand (it
 * returns TPM_FAIL). So LONG-duration commands (key generation) run on a
 * worker thread while the caller waits for either the answer or a
 * cancel; a cancelled command finishes in the background and its answer
 * is dropped (the TPM's state does reflect it: an aborted TakeOwnership
 * may still install an owner, as on hardware that ignores a cancel). The
 * next command waits for the worker. Everything else runs in the
 * caller's thread with no extra hop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tss/platform.h>

#include "buf.h"
#include "duration.h"
#include "libtpms_glue.h"
#include "log.h"
#include "tpm1_cmd.h"
#include "tpmdd_backend.h"

#define LOCK_NAME ".lock"
/* permall of a TPM 1.2 with full NV is well below 1 MiB. */
#define STATE_FILE_MAX (4u * 1024 * 1024)

struct lt_state {
	char *dir;
	int dirfd;
	int lockfd;

	unsigned char *rsp;		/* libtpms' response buffer; it may realloc */
	uint32_t rsp_size;
	BYTE cmd[TPMDD_BUFSIZE];	/* libtpms takes a non-const command */
	uint32_t cmd_len;

	/* The worker running a LONG command. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t worker;
	bool worker_running;		/* started and not yet joined */
	bool worker_done;
	TSS_RESULT worker_rc;
	uint32_t worker_rsp_len;
	atomic_bool cancel;		/* set by lt_cancel, then mu taken to wake */
};

/* libtpms has one global TPM: this is it, for the NVRAM callbacks. */
static atomic_bool lt_in_use;
static struct lt_state *lt_current;

/* ---- NVRAM callbacks ---- */

/* libtpms only uses a few fixed names; refuse anything path-like. */
static bool state_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 32)
		return false;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')))
			return false;
	return true;
}

static int nv_load(const char *name, unsigned char **data, uint32_t *length)
{
	struct lt_state *s = lt_current;
	unsigned char *p = NULL;
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd = -1;
	int rc = -1;

	*data = NULL;
	*length = 0;
	if (s == NULL || !state_name_ok(name))
		return -1;
	fd = openat(s->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 1;	/* nothing stored yet */
	if (fd < 0) {
		log_error("libtpms: cannot open %s/%s: %s", s->dir, name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > STATE_FILE_MAX) {
		log_error("libtpms: %s/%s is not a plausible state file", s->dir, name);
		goto out;
	}
	/* libtpms releases the buffer with free(). */
	if ((p = malloc((size_t)st.st_size)) == NULL)
		goto out;
	while (got < (size_t)st.st_size) {
		n = read(fd, p + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("libtpms: reading %s/%s failed", s->dir, name);
			goto out;
		}
		got += (size_t)n;
	}
	*data = p;
	*length = (uint32_t)got;
	p = NULL;
	rc = 0;
out:
	free(p);
	close(fd);
	return rc;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Replaces STATEDIR/name atomically: a new file beside it (never
 * following a planted link), written and synced, renamed over the old
 * one, and the directory synced so the rename survives a crash.
 */
static int nv_store(const char *name, const unsigned char *data, uint32_t length)
{
	struct lt_state *s = lt_current;
	char tmp[64];
	int fd = -1;
	int rc = -1;

	if (s == NULL || !state_name_ok(name))
		return -1;
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	/* We hold the lock, so a leftover temp file is from a crash of ours. */
	unlinkat(s->dirfd, tmp, 0);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("libtpms: cannot create %s/%s: %s", s->dir, tmp, strerror(errno));
		return -1;
	}
	if (write_all(fd, data, length) != 0 || fsync(fd) != 0) {
		log_error("libtpms: writing %s/%s failed: %s", s->dir, tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (renameat(s->dirfd, tmp, s->dirfd, name) != 0) {
		log_error("libtpms: cannot replace %s/%s: %s", s->dir, name, strerror(errno));
		goto out;
	}
	if (fsync(s->dirfd) != 0)
		log_warn("libtpms: fsync of %s failed: %s", s->dir, strerror(errno));
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlinkat(s->dirfd, tmp, 0);
	return rc;
}

static int nv_delete(const char *name, bool must_exist)
{
	struct lt_state *s = lt_current;

	if (s == NULL || !state_name_ok(name))
		return -1;
	if (unlinkat(s->dirfd, name, 0) != 0) {
		if (errno == ENOENT && !must_exist)
			return 0;
		log_error("libtpms: cannot delete %s/%s: %s", s->dir, name, strerror(errno));
		return -1;
	}
	return 0;
}

static const struct ltg_nvram lt_nvram = {
	.load = nv_load,
	.store = nv_store,
	.remove = nv_delete,
};

/* ---- running commands ---- */

/* One command through libtpms, in the calling thread; checked response. */
static TSS_RESULT lt_process(struct lt_state *s, const BYTE *cmd, size_t cmd_len,
			     uint32_t *rsp_len)
{
	uint32_t trc;

	*rsp_len = 0;
	if (cmd != s->cmd) {
		memcpy(s->cmd, cmd, cmd_len);
		s->cmd_len = (uint32_t)cmd_len;
	}
	trc = ltg_process(&s->rsp, rsp_len, &s->rsp_size, s->cmd, s->cmd_len);
	if (trc != 0) {
		log_error("libtpms: TPMLIB_Process failed: 0x%x", trc);
		*rsp_len = 0;
		return TDDL_ERROR(TDDL_E_IOERROR);
	}
	return TSS_SUCCESS;
}

/*
 * Copies a finished response out. The core checks it against its header
 * (tpmdd_rsp_check) before anyone reads it; here only the size matters.
 */
static TSS_RESULT lt_copy_out(struct lt_state *s, uint32_t len, BYTE *rsp, size_t rsp_cap,
			      size_t *rsp_len)
{
	if (len > rsp_cap) {
		log_error("libtpms: response of %u bytes exceeds %zu", len, rsp_cap);
		return TDDL_ERROR(TDDL_E_BADTAG);
	}
	memcpy(rsp, s->rsp, len);
	*rsp_len = len;
	return TSS_SUCCESS;
}

static void *lt_worker(void *arg)
{
	struct lt_state *s = arg;
	uint32_t len = 0;
	TSS_RESULT rc;

	rc = lt_process(s, s->cmd, s->cmd_len, &len);
	pthread_mutex_lock(&s->mu);
	s->worker_rc = rc;
	s->worker_rsp_len = len;
	s->worker_done = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Waits for a worker whose caller gave up on it; drops its answer. */
static void lt_join_worker(struct lt_state *s)
{
	if (!s->worker_running)
		return;
	pthread_join(s->worker, NULL);
	s->worker_running = false;
}

static void deadline_after(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static TSS_RESULT lt_transmit_long(struct lt_state *s, const BYTE *cmd, size_t cmd_len,
				   BYTE *rsp, size_t rsp_cap, size_t *rsp_len,
				   unsigned int timeout_ms)
{
	struct timespec deadline;
	TSS_RESULT rc;
	int err = 0;

	memcpy(s->cmd, cmd, cmd_len);
	s->cmd_len = (uint32_t)cmd_len;
	pthread_mutex_lock(&s->mu);
	s->worker_done = false;
	if (atomic_load(&s->cancel)) {
		pthread_mutex_unlock(&s->mu);
		return TDDL_ERROR(TDDL_E_COMMAND_ABORTED);
	}
	if ((err = pthread_create(&s->worker, NULL, lt_worker, s)) != 0) {
		pthread_mutex_unlock(&s->mu);
		log_error("libtpms: cannot start a worker thread: %s", strerror(err));
		return TDDL_ERROR(TDDL_E_FAIL);
	}
	s->worker_running = true;
	deadline_after(&deadline, timeout_ms);
	while (!s->worker_done && !atomic_load(&s->cancel) && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&s->cv, &s->mu, &deadline);
	if (!s->worker_done) {
		rc = atomic_load(&s->cancel) ? TDDL_ERROR(TDDL_E_COMMAND_ABORTED) :
					       TDDL_ERROR(TDDL_E_TIMEOUT);
		pthread_mutex_unlock(&s->mu);
		if (rc == TDDL_ERROR(TDDL_E_TIMEOUT))
			log_error("libtpms: command 0x%x still running after %u ms",
				  tpm1_header_code(cmd, cmd_len), timeout_ms);
		return rc;
	}
	pthread_mutex_unlock(&s->mu);
	lt_join_worker(s);
	if (s->worker_rc != TSS_SUCCESS)
		return s->worker_rc;
	return lt_copy_out(s, s->worker_rsp_len, rsp, rsp_cap, rsp_len);
}

static TSS_RESULT lt_transmit(void *state, const BYTE *cmd, size_t cmd_len,
			      BYTE *rsp, size_t rsp_cap, size_t *rsp_len, unsigned int timeout_ms)
{
	struct lt_state *s = state;
	uint32_t len = 0;
	TSS_RESULT rc;

	*rsp_len = 0;
	if (cmd_len > sizeof(s->cmd))
		return TDDL_ERROR(TSS_E_BAD_PARAMETER);
	lt_join_worker(s);
	if (tpmdd_ordinal_class(tpm1_header_code(cmd, cmd_len)) == TPMDD_DURATION_LONG)
		return lt_transmit_long(s, cmd, cmd_len, rsp, rsp_cap, rsp_len, timeout_ms);

	if ((rc = lt_process(s, cmd, cmd_len, &len)) != TSS_SUCCESS)
		return rc;
	return lt_copy_out(s, len, rsp, rsp_cap, rsp_len);
}

static void lt_cancel_clear(void *state)
{
	struct lt_state *s = state;

	atomic_store(&s->cancel, false);
}

static TSS_RESULT lt_cancel(void *state)
{
	struct lt_state *s = state;

	atomic_store(&s->cancel, true);
	pthread_mutex_lock(&s->mu);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return TSS_SUCCESS;
}

/* ---- manufacturing ---- */

static TSS_RESULT lt_chan_transmit(void *ctx, const BYTE *cmd, size_t cmd_len,
				   BYTE *rsp, size_t *rsp_len)
{
	struct lt_state *s = ctx;
	size_t cap = *rsp_len;
	uint32_t len = 0;
	TSS_RESULT rc;

	*rsp_len = 0;
	if ((rc = tpmdd_cmd_check(cmd, cmd_len, NULL)) != TSS_SUCCESS)
		return rc;
	if ((rc = lt_process(s, cmd, cmd_len, &len)) != TSS_SUCCESS)
		return rc;
	if (len > cap)
		return TDDL_ERROR(TDDL_E_INSUFFICIENT_BUFFER);
	if ((rc = tpmdd_rsp_check(s->rsp, len)) != TSS_SUCCESS)
		return rc;
	return lt_copy_out(s, len, rsp, cap, rsp_len);
}

/* Power-cycles the library TPM: it comes back waiting for TPM_Startup. */
static TSS_RESULT lt_restart(struct lt_state *s)
{
	uint32_t trc;

	ltg_stop();
	if ((trc = ltg_start(&lt_nvram)) != 0) {
		log_error("libtpms: cannot start the TPM from %s (0x%x)", s->dir, trc);
		return TDDL_ERROR(TDDL_E_FAIL);
	}
	return TSS_SUCCESS;
}

#define MFG_STEP(what, call)							\
	do {									\
		if ((rc = (call)) != TSS_SUCCESS) {				\
			log_error("libtpms: manufacturing the TPM in %s: %s failed: 0x%x", \
				  s->dir, what, rc);				\
			return rc;						\
		}								\
	} while (0)

/*
 * Turns a blank TPM into what a new platform ships, as swtpm_setup
 * does: enabled, activated, an endorsement key, owner install allowed,
 * no owner. PhysicalSetDeactivated only takes effect at the next
 * TPM_Startup, hence the power cycle in the middle.
 */
static TSS_RESULT lt_manufacture(struct lt_state *s)
{
	struct tpm1_chan ch = { .transmit = lt_chan_transmit, .ctx = s };
	struct tpm1_pubkey ek;
	TSS_RESULT rc;

	log_info("libtpms: manufacturing a new TPM 1.2 in %s", s->dir);
	MFG_STEP("TPM_Startup", tpm1_startup_clear(&ch));
	MFG_STEP("TSC_PhysicalPresence", tpm1_assert_physical_presence(&ch));
	MFG_STEP("TPM_PhysicalEnable", tpm1_physical_enable(&ch));
	MFG_STEP("TPM_PhysicalSetDeactivated", tpm1_physical_set_deactivated(&ch, false));
	MFG_STEP("restart", lt_restart(s));
	MFG_STEP("TPM_Startup", tpm1_startup_clear(&ch));
	MFG_STEP("TSC_PhysicalPresence", tpm1_assert_physical_presence(&ch));
	/*
	 * Tests of TPM_CreateRevocableEK (issue 4) need a TPM without an EK:
	 * TSS12_LIBTPMS_NO_EK=1 leaves it out, as a platform whose owner
	 * makes a revocable EK would ship.
	 */
	if (getenv("TSS12_LIBTPMS_NO_EK") == NULL)
		MFG_STEP("TPM_CreateEndorsementKeyPair", tpm1_create_ek(&ch, &ek));
	else
		log_info("libtpms: TSS12_LIBTPMS_NO_EK: no endorsement key made");
	MFG_STEP("TPM_SetOwnerInstall", tpm1_set_owner_install(&ch, true));
	/* Leave it as if just powered on; the core sends TPM_Startup. */
	MFG_STEP("restart", lt_restart(s));
	return TSS_SUCCESS;
}

#undef MFG_STEP

/*
 * Present while a TPM is being made: libtpms writes its state files as
 * the manufacturing commands run, so a process killed in the middle
 * would leave a TPM without an EK (or still disabled) that the next open
 * took for finished. With the mark still there it is made again instead.
 */
#define MFG_MARK ".manufacturing"

static bool mfg_mark_present(int dirfd)
{
	return faccessat(dirfd, MFG_MARK, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static TSS_RESULT mfg_mark_set(struct lt_state *s)
{
	int fd = openat(s->dirfd, MFG_MARK, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0 || fsync(fd) != 0 || fsync(s->dirfd) != 0) {
		log_error("libtpms: cannot mark %s/%s: %s", s->dir, MFG_MARK, strerror(errno));
		if (fd >= 0)
			close(fd);
		return TDDL_ERROR(TDDL_E_IOERROR);
	}
	close(fd);
	return TSS_SUCCESS;
}

static TSS_RESULT mfg_mark_clear(struct lt_state *s)
{
	if (unlinkat(s->dirfd, MFG_MARK, 0) != 0 || fsync(s->dirfd) != 0) {
		log_error("libtpms: cannot remove %s/%s: %s", s->dir, MFG_MARK, strerror(errno));
		return TDDL_ERROR(TDDL_E_IOERROR);
	}
	return TSS_SUCCESS;
}

/* Removes the state files, so that the TPM is made anew. */
static void drop_state_files(struct lt_state *s)
{
	unlinkat(s->dirfd, "permall", 0);
	unlinkat(s->dirfd, "volatilestate", 0);
	unlinkat(s->dirfd, "savestate", 0);
}

/* ---- open and close ---- */

/* Creates STATEDIR (0700) if needed and opens it; refuses unsafe ones. */
static TSS_RESULT open_state_dir(const char *dir, int *dirfd)
{
	struct stat st;
	int fd;

	*dirfd = -1;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_error("libtpms: cannot create state directory %s: %s", dir, strerror(errno));
		return TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		log_error("libtpms: cannot open state directory %s: %s", dir, strerror(errno));
		return TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND);
	}
	if (fstat(fd, &st) != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		log_error("libtpms: state directory %s is writable by others; "
			  "refusing it (chmod 700 it)", dir);
		close(fd);
		return TDDL_ERROR(TSS_E_BAD_PARAMETER);
	}
	if (st.st_uid != geteuid())
		log_warn("libtpms: state directory %s belongs to uid %u, not to us",
			 dir, (unsigned int)st.st_uid);
	*dirfd = fd;
	return TSS_SUCCESS;
}

/* Takes STATEDIR/.lock, or says who holds it. */
static TSS_RESULT lock_state_dir(struct lt_state *s)
{
	char pid[32];
	ssize_t n;
	int fd;

	fd = openat(s->dirfd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("libtpms: cannot open %s/%s: %s", s->dir, LOCK_NAME, strerror(errno));
		return TDDL_ERROR(TDDL_E_FAIL);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		memset(pid, 0, sizeof(pid));
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? strcspn(pid, "\n") : 0] = '\0';
		log_error("libtpms: state directory %s is in use by pid %s", s->dir,
			  pid[0] ? pid : "(unknown)");
		close(fd);
		return TDDL_ERROR(TDDL_E_ALREADY_OPENED);
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		log_warn("libtpms: cannot record our pid in %s/%s", s->dir, LOCK_NAME);
	s->lockfd = fd;
	return TSS_SUCCESS;
}

static void lt_free(struct lt_state *s)
{
	if (s->lockfd >= 0)
		close(s->lockfd);	/* releases the flock */
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->rsp);
	free(s->dir);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static TSS_RESULT lt_open(const char *arg, void **state)
{
	struct lt_state *s = NULL;
	pthread_condattr_t ca;
	bool blank, running = false;
	uint32_t trc;
	TSS_RESULT rc;

	*state = NULL;
	if (arg[0] == '\0')
		return TDDL_ERROR(TSS_E_BAD_PARAMETER);
	if (atomic_exchange(&lt_in_use, true)) {
		log_error("libtpms: this process already runs an embedded TPM "
			  "(libtpms holds one per process)");
		return TDDL_ERROR(TDDL_E_ALREADY_OPENED);
	}
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->dir = strdup(arg)) == NULL) {
		free(s);
		atomic_store(&lt_in_use, false);
		return TDDL_ERROR(TSS_E_OUTOFMEMORY);
	}
	s->dirfd = -1;
	s->lockfd = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);

	if ((rc = open_state_dir(s->dir, &s->dirfd)) != TSS_SUCCESS)
		goto out;
	if ((rc = lock_state_dir(s)) != TSS_SUCCESS)
		goto out;
	if (mfg_mark_present(s->dirfd)) {
		log_warn("libtpms: the TPM in %s was not finished (interrupted while being "
			 "made); making it again", s->dir);
		drop_state_files(s);
	}
	blank = faccessat(s->dirfd, "permall", F_OK, AT_SYMLINK_NOFOLLOW) != 0 &&
		errno == ENOENT;
	if (blank && (rc = mfg_mark_set(s)) != TSS_SUCCESS)
		goto out;

	lt_current = s;
	if ((trc = ltg_start(&lt_nvram)) != 0) {
		log_error("libtpms: cannot start the TPM from %s (0x%x); "
			  "is the state damaged?", s->dir, trc);
		rc = TDDL_ERROR(TDDL_E_FAIL);
		goto out;
	}
	running = true;
	if (blank && (rc = lt_manufacture(s)) != TSS_SUCCESS) {
		/* Start over next time rather than keep a half-made TPM. */
		ltg_stop();
		running = false;
		drop_state_files(s);
		goto out;
	}
	if (blank && (rc = mfg_mark_clear(s)) != TSS_SUCCESS)
		goto out;
	*state = s;
	s = NULL;
	rc = TSS_SUCCESS;
out:
	if (s) {
		if (running)
			ltg_stop();
		lt_current = NULL;
		lt_free(s);
		atomic_store(&lt_in_use, false);
	}
	return rc;
}

static void lt_close(void *state)
{
	struct lt_state *s = state;

	if (s == NULL)
		return;
	lt_join_worker(s);
	ltg_stop();
	lt_current = NULL;
	lt_free(s);
	atomic_store(&lt_in_use, false);
}

const struct tpmdd_backend tpmdd_backend_libtpms = {
	.scheme = "libtpms",
	.software = true,
	.open = lt_open,
	.close = lt_close,
	.transmit = lt_transmit,
	.cancel = lt_cancel,
	.cancel_clear = lt_cancel_clear,
};
