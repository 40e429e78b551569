/*
 * Integration-test harness (plain C, no cmocka; the benchmarks use it
 * too): temporary directories, free loopback ports, and swtpm emulators
 * started, paused, killed and restarted as child processes.
 *
 * Rules it keeps: everything lives in a fresh mkdtemp() directory under
 * $TMPDIR (or /tmp); ports are found by binding port 0 on 127.0.0.1,
 * never fixed (other programs may hold 2321/2322); an emulator is
 * signalled only through the PID this harness got when it started it.
 *
 * Functions return 0 or a negative errno and print why on stderr.
 */
#ifndef TSS12_HARNESS_H
#define TSS12_HARNESS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Exit status that makes automake report a test as skipped. */
#define HARNESS_EXIT_SKIP 77

/* Creates $TMPDIR/tss12-PREFIX-XXXXXX (mode 0700); out holds PATH_MAX bytes. */
int harness_mkdtemp(const char *prefix, char *out, size_t out_cap);
/* Removes path and everything below it; symlinks are removed, not followed. */
int harness_rmtree(const char *path);

/*
 * Finds count (1 or 2) consecutive free TCP ports on 127.0.0.1: the
 * first is bound with port 0, the rest are checked by binding them too.
 */
int harness_free_tcp_ports(int count, int *first_port);

/* $SWTPM, else `swtpm` found in PATH; NULL when there is none. */
const char *harness_swtpm_path(void);
/* $SWTPM_SETUP, else `swtpm_setup` in PATH; NULL when there is none. */
const char *harness_swtpm_setup_path(void);

/* Manufacture the state first: swtpm_setup --createek (about 1.5 s). */
#define HARNESS_SWTPM_CREATEEK		0x1u
/*
 * Start with --flags not-need-init,startup-clear, for clients that never
 * speak the control channel (TrouSerS' tcsd -e). tss12's own swtpm
 * backend sends CMD_INIT and TPM_Startup itself, so tests leave it off.
 */
#define HARNESS_SWTPM_NOT_NEED_INIT	0x2u
/* Data and control channels on Unix sockets in the state directory. */
#define HARNESS_SWTPM_UNIX		0x4u

struct harness_swtpm {
	pid_t pid;			/* -1 when not running */
	unsigned int flags;
	int port;			/* data port; control is port + 1 (TCP) */
	char state_dir[PATH_MAX];	/* --tpmstate dir=, also holds swtpm.log */
	char data_path[PATH_MAX];	/* Unix sockets (HARNESS_SWTPM_UNIX) */
	char ctrl_path[PATH_MAX];
	char uri[PATH_MAX * 2 + 32];	/* "swtpm:tcp://127.0.0.1:P" or "swtpm:unix:..." */
};

/*
 * Starts swtpm socket on state_dir (created if missing) and returns once
 * it accepts connections (at most 10 s). Retries with other ports if the
 * chosen ones were taken meanwhile.
 */
int harness_swtpm_start(struct harness_swtpm *t, const char *state_dir, unsigned int flags);
/* SIGTERM, then SIGKILL after 5 s; reaps the child. */
int harness_swtpm_stop(struct harness_swtpm *t);
/* SIGKILL at once (a crash); reaps the child. */
int harness_swtpm_kill(struct harness_swtpm *t);
/* Starts it again on the same ports and state directory. */
int harness_swtpm_restart(struct harness_swtpm *t);
/* SIGSTOP / SIGCONT: a TPM that hangs mid-command, deterministically. */
int harness_swtpm_pause(struct harness_swtpm *t);
int harness_swtpm_resume(struct harness_swtpm *t);
/* The tpmdd URI of the running emulator. */
const char *harness_swtpm_uri(const struct harness_swtpm *t);
/* Copies the emulator's log to stderr (for failed tests). */
void harness_swtpm_dump_log(const struct harness_swtpm *t);

/* Prints "SKIP: why" and exits 77. */
void harness_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* TSS12_HARNESS_H */
