/*
 * A TCS daemon for tests that talk TSS: TrouSerS' tcsd (Debian's
 * /usr/sbin/tcsd, 0.3.15) or ours, each on a swtpm of its own, on free
 * loopback ports in a fresh temporary directory. Plain C, no cmocka.
 *
 * Which daemon: test_tcsd_start() reads $TSS12_TEST_TCSD = "trousers",
 * "ours" (the default; on swtpm) or "embedded" (ours on an in-process
 * libtpms TPM, device = libtpms:DIR/tpm).
 * trousers_tcsd_start() always starts TrouSerS' one.
 *
 * TrouSerS' tcsd runs as `tcsd -e -f -c CONF` with TCSD_TCP_DEVICE_PORT
 * pointing at swtpm (started with --flags not-need-init,startup-clear);
 * 0.3.15 insists that CONF is owned by root:tss with mode 0640, so it
 * needs root (and a `tss` user); otherwise the start fails with -EPERM
 * and the test should skip. Ours runs as `tcsd -f -c CONF` with
 * `device = swtpm:tcp://...` and a Unix socket in the directory.
 *
 * Processes are stopped only through the PIDs started here.
 * Functions return 0 or a negative errno and print why on stderr.
 */
#ifndef TSS12_TROUSERS_TCSD_H
#define TSS12_TROUSERS_TCSD_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "harness.h"

/* Default TrouSerS daemon; $TROUSERS_TCSD overrides. */
#define TROUSERS_TCSD_PATH "/usr/sbin/tcsd"

enum test_tcsd_kind {
	TEST_TCSD_TROUSERS,
	TEST_TCSD_OURS,
};

struct test_tcsd {
	enum test_tcsd_kind kind;
	pid_t pid;			/* -1 when not running */
	int port;			/* TCP port the daemon listens on */
	char dir[PATH_MAX];		/* temp dir: conf, ps, logs, swtpm state */
	char conf[PATH_MAX + 32];
	char log[PATH_MAX + 32];	/* the daemon's stdout/stderr */
	char unix_socket[PATH_MAX + 32];	/* ours only */
	struct harness_swtpm tpm;
};

/* Starts TrouSerS' tcsd on a fresh swtpm (EK created). -ENOENT: no tcsd; -EPERM: not root. */
int trousers_tcsd_start(struct test_tcsd *t);
/* Starts our tcsd ($TSS12_TCSD or ../../tcsd/tcsd) on a fresh swtpm. -ENOENT: not built. */
int ours_tcsd_start(struct test_tcsd *t);
/* Starts our tcsd on an embedded libtpms TPM (no swtpm). */
int ours_tcsd_start_embedded(struct test_tcsd *t);
/* Starts the daemon $TSS12_TEST_TCSD names. */
int test_tcsd_start(struct test_tcsd *t);
/* "trousers" or "ours". */
const char *test_tcsd_name(const struct test_tcsd *t);

/* SIGTERM (SIGKILL after 5 s) to the daemon, then swtpm; removes the directory. */
int test_tcsd_stop(struct test_tcsd *t);
/* SIGKILL to the daemon only (a crash). */
int test_tcsd_kill(struct test_tcsd *t);

/*
 * Points TSS clients of this process and its children at the daemon:
 * TSS_TCSD_HOSTNAME=127.0.0.1 and TSS_TCSD_PORT (and, for ours,
 * TSS12_TCSD_SOCKET).
 */
void test_tcsd_setenv(const struct test_tcsd *t);

/* Copies the daemon's log to stderr (for failed tests). */
void test_tcsd_dump_log(const struct test_tcsd *t);

/* Convenience for main(): start or skip (exit 77) with the reason. */
void test_tcsd_start_or_skip(struct test_tcsd *t);

/*
 * Lower level, for the wire-level tests of our tcsd (test_tcsd_*.c) that
 * write their own configurations (an embedded libtpms TPM, a Unix
 * socket), restart the daemon and check how it exits.
 */
/* ours_tcsd_spawn flags: -d (debug log), -e (TPM from TCSD_TCP_DEVICE_*). */
#define OURS_TCSD_DEBUG		0x1u
#define OURS_TCSD_ENV_DEVICE	0x2u
/*
 * Forks `BIN -f [-d] [-e] -c CONF`, its stdout and stderr appended to LOG.
 * The child's PID, or -1 (fork failed).
 */
pid_t ours_tcsd_spawn(const char *bin, const char *conf, const char *log, unsigned int flags);
/*
 * Waits up to 10 s until the Unix socket SOCK accepts a connection.
 * 0 when it does; -ECHILD when PID exited first, -ETIMEDOUT when it did
 * not listen in time (then PID is SIGKILLed and reaped). On failure LOG
 * is copied to stderr.
 */
int ours_tcsd_wait_unix(pid_t pid, const char *sock, const char *log);
/*
 * SIGTERM to PID, then waits for it: up to bound_ms (then SIGKILL), or
 * for ever when bound_ms < 0. The wait status, or -1 when PID could not
 * be reaped.
 */
int ours_tcsd_stop_pid(pid_t pid, long bound_ms);

#endif /* TSS12_TROUSERS_TCSD_H */
