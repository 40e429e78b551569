#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

extern char **environ;

#define START_BOUND_MS	10000
#define STOP_BOUND_MS	5000
#define START_ATTEMPTS	5

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void harness_skip(const char *fmt, ...)
{
	va_list ap;

	fputs("SKIP: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	exit(HARNESS_EXIT_SKIP);
}

int harness_mkdtemp(const char *prefix, char *out, size_t out_cap)
{
	const char *base = getenv("TMPDIR");
	int n;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	n = snprintf(out, out_cap, "%s/tss12-%s-XXXXXX", base, prefix != NULL ? prefix : "test");
	if (n < 0 || (size_t)n >= out_cap)
		return -ENAMETOOLONG;
	if (mkdtemp(out) == NULL) {
		int err = errno;

		fprintf(stderr, "harness: mkdtemp %s: %s\n", out, strerror(err));
		return -err;
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT) {
		fprintf(stderr, "harness: removing %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int harness_rmtree(const char *path)
{
	/* Depth first, physical: a symlink is unlinked, never followed. */
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return errno != 0 ? -errno : -EIO;
	return 0;
}

/* Binds 127.0.0.1:port (0 = any) and returns the socket and the port. */
static int bind_loopback(int port, int *bound_port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	int one = 1;

	if (fd < 0)
		return -errno;
	/* Ports in TIME_WAIT (thousands, after a busy test) are usable too. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	*bound_port = ntohs(sin.sin_port);
	return fd;
}

int harness_free_tcp_ports(int count, int *first_port)
{
	int attempt;

	*first_port = 0;
	if (count < 1 || count > 2)
		return -EINVAL;
	for (attempt = 0; attempt < 100; attempt++) {
		int fds[2] = { -1, -1 }, port = 0, other = 0, i;
		bool ok = true;

		fds[0] = bind_loopback(0, &port);
		if (fds[0] < 0)
			return fds[0];
		if (count == 2) {
			if (port >= 65535)
				ok = false;
			else if ((fds[1] = bind_loopback(port + 1, &other)) < 0)
				ok = false;
		}
		for (i = 0; i < 2; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		if (ok) {
			*first_port = port;
			return 0;
		}
	}
	fprintf(stderr, "harness: no two consecutive free loopback ports\n");
	return -EADDRINUSE;
}

/* An executable named name in PATH, into buf. */
static const char *find_in_path(const char *name, char *buf, size_t cap)
{
	const char *path = getenv("PATH");
	const char *p;

	if (path == NULL)
		path = "/usr/bin:/bin";
	for (p = path; *p != '\0';) {
		size_t n = strcspn(p, ":");
		int len = snprintf(buf, cap, "%.*s/%s", (int)n, p, name);

		if (n > 0 && len > 0 && (size_t)len < cap && access(buf, X_OK) == 0)
			return buf;
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}

static const char *program(const char *env, const char *name, char *buf, size_t cap)
{
	const char *v = getenv(env);

	if (v != NULL && v[0] != '\0')
		return access(v, X_OK) == 0 ? v : NULL;
	return find_in_path(name, buf, cap);
}

const char *harness_swtpm_path(void)
{
	static char buf[PATH_MAX];

	return program("SWTPM", "swtpm", buf, sizeof(buf));
}

const char *harness_swtpm_setup_path(void)
{
	static char buf[PATH_MAX];

	return program("SWTPM_SETUP", "swtpm_setup", buf, sizeof(buf));
}

/* Runs argv with stdout/stderr appended to log; returns its exit status. */
static int run_child(char *const argv[], const char *log, pid_t *out_pid, bool wait_for_it)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc, status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "harness: cannot run %s: %s\n", argv[0], strerror(rc));
		return -rc;
	}
	if (out_pid != NULL)
		*out_pid = pid;
	if (!wait_for_it)
		return 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int manufacture(struct harness_swtpm *t, const char *log)
{
	const char *setup = harness_swtpm_setup_path();
	char *argv[] = { (char *)setup, "--tpm-state", t->state_dir, "--createek", NULL };
	int rc;

	if (setup == NULL) {
		fprintf(stderr, "harness: swtpm_setup not found ($SWTPM_SETUP or PATH)\n");
		return -ENOENT;
	}
	rc = run_child(argv, log, NULL, true);
	if (rc != 0) {
		fprintf(stderr, "harness: swtpm_setup --createek failed (%d); see %s\n", rc, log);
		return -EIO;
	}
	return 0;
}

/* Can a client connect? Probing the control channel leaves data alone. */
static bool accepts(const struct harness_swtpm *t)
{
	int fd = -1, rc;

	if (t->flags & HARNESS_SWTPM_UNIX) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		size_t len = strlen(t->ctrl_path);

		if (len >= sizeof(sun.sun_path))
			return false;
		memcpy(sun.sun_path, t->ctrl_path, len);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	} else {
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_port = htons((uint16_t)(t->port + 1)),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		};

		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	}
	if (fd >= 0)
		close(fd);
	return rc == 0;
}

/* Spawns swtpm on t's ports/paths and waits until it accepts or exits. */
static int spawn_swtpm(struct harness_swtpm *t)
{
	const char *swtpm = harness_swtpm_path();
	char tpmstate[PATH_MAX + 8], server[PATH_MAX + 64], ctrl[PATH_MAX + 64];
	char logopt[PATH_MAX + 32], log[PATH_MAX + 16];
	char *argv[16];
	int argc = 0, status, rc;
	long start;

	if (swtpm == NULL) {
		fprintf(stderr, "harness: swtpm not found ($SWTPM or PATH)\n");
		return -ENOENT;
	}
	snprintf(log, sizeof(log), "%s/swtpm.log", t->state_dir);
	snprintf(tpmstate, sizeof(tpmstate), "dir=%s", t->state_dir);
	snprintf(logopt, sizeof(logopt), "file=%s,level=0", log);
	if (t->flags & HARNESS_SWTPM_UNIX) {
		snprintf(server, sizeof(server), "type=unixio,path=%s", t->data_path);
		snprintf(ctrl, sizeof(ctrl), "type=unixio,path=%s", t->ctrl_path);
	} else {
		snprintf(server, sizeof(server), "type=tcp,port=%d,bindaddr=127.0.0.1", t->port);
		snprintf(ctrl, sizeof(ctrl), "type=tcp,port=%d,bindaddr=127.0.0.1", t->port + 1);
	}
	argv[argc++] = (char *)swtpm;
	argv[argc++] = "socket";
	argv[argc++] = "--tpmstate";
	argv[argc++] = tpmstate;
	argv[argc++] = "--server";
	argv[argc++] = server;
	argv[argc++] = "--ctrl";
	argv[argc++] = ctrl;
	argv[argc++] = "--log";
	argv[argc++] = logopt;
	if (t->flags & HARNESS_SWTPM_NOT_NEED_INIT) {
		argv[argc++] = "--flags";
		argv[argc++] = "not-need-init,startup-clear";
	}
	argv[argc] = NULL;

	if ((rc = run_child(argv, log, &t->pid, false)) != 0)
		return rc;
	for (start = now_ms(); now_ms() - start < START_BOUND_MS; sleep_ms(10)) {
		pid_t w = waitpid(t->pid, &status, WNOHANG);

		if (w == t->pid) {
			t->pid = -1;
			return -EADDRINUSE;	/* most likely: a port was taken meanwhile */
		}
		if (accepts(t))
			return 0;
	}
	fprintf(stderr, "harness: swtpm (pid %d) did not accept connections in %d ms\n",
		(int)t->pid, START_BOUND_MS);
	harness_swtpm_kill(t);
	return -ETIMEDOUT;
}

int harness_swtpm_start(struct harness_swtpm *t, const char *state_dir, unsigned int flags)
{
	char log[PATH_MAX + 16];
	int attempt, rc = -EIO;

	memset(t, 0, sizeof(*t));
	t->pid = -1;
	t->flags = flags;
	if (snprintf(t->state_dir, sizeof(t->state_dir), "%s", state_dir) >= (int)sizeof(t->state_dir))
		return -ENAMETOOLONG;
	if (mkdir(t->state_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	snprintf(log, sizeof(log), "%s/swtpm.log", t->state_dir);
	if ((flags & HARNESS_SWTPM_CREATEEK) && (rc = manufacture(t, log)) != 0)
		return rc;

	for (attempt = 0; attempt < START_ATTEMPTS; attempt++) {
		if (flags & HARNESS_SWTPM_UNIX) {
			if (snprintf(t->data_path, sizeof(t->data_path), "%s/data.sock", t->state_dir) >= 100 ||
			    snprintf(t->ctrl_path, sizeof(t->ctrl_path), "%s/ctrl.sock", t->state_dir) >= 100)
				return -ENAMETOOLONG;	/* sun_path holds 108 bytes */
			snprintf(t->uri, sizeof(t->uri), "swtpm:unix:%s,ctrl=%s", t->data_path, t->ctrl_path);
		} else {
			if ((rc = harness_free_tcp_ports(2, &t->port)) != 0)
				return rc;
			snprintf(t->uri, sizeof(t->uri), "swtpm:tcp://127.0.0.1:%d", t->port);
		}
		rc = spawn_swtpm(t);
		if (rc != -EADDRINUSE)
			break;
	}
	if (rc != 0) {
		fprintf(stderr, "harness: could not start swtpm (%s)\n", strerror(-rc));
		harness_swtpm_dump_log(t);
	}
	return rc;
}

int harness_swtpm_restart(struct harness_swtpm *t)
{
	long start = now_ms();
	int rc;

	if (t->pid > 0)
		return -EBUSY;
	/* The old listener's ports can linger briefly; retry on the same ones. */
	do {
		rc = spawn_swtpm(t);
		if (rc != -EADDRINUSE)
			break;
		sleep_ms(100);
	} while (now_ms() - start < START_BOUND_MS);
	if (rc != 0) {
		fprintf(stderr, "harness: could not restart swtpm (%s)\n", strerror(-rc));
		harness_swtpm_dump_log(t);
	}
	return rc;
}

/* Waits for the child to exit, for at most bound_ms (-1: forever). */
static int reap(struct harness_swtpm *t, long bound_ms)
{
	long start = now_ms();
	int status;

	for (;;) {
		pid_t w = waitpid(t->pid, &status, bound_ms < 0 ? 0 : WNOHANG);

		if (w == t->pid || (w < 0 && errno == ECHILD)) {
			t->pid = -1;
			return 0;
		}
		if (w < 0 && errno != EINTR)
			return -errno;
		if (bound_ms >= 0 && now_ms() - start >= bound_ms)
			return -ETIMEDOUT;
		sleep_ms(10);
	}
}

int harness_swtpm_stop(struct harness_swtpm *t)
{
	if (t->pid <= 0)
		return 0;
	kill(t->pid, SIGCONT);	/* a paused emulator cannot act on SIGTERM */
	kill(t->pid, SIGTERM);
	if (reap(t, STOP_BOUND_MS) == 0)
		return 0;
	fprintf(stderr, "harness: swtpm (pid %d) ignored SIGTERM; killing it\n", (int)t->pid);
	return harness_swtpm_kill(t);
}

int harness_swtpm_kill(struct harness_swtpm *t)
{
	if (t->pid <= 0)
		return 0;
	if (kill(t->pid, SIGKILL) < 0 && errno != ESRCH)
		return -errno;
	return reap(t, -1);
}

int harness_swtpm_pause(struct harness_swtpm *t)
{
	return t->pid > 0 && kill(t->pid, SIGSTOP) == 0 ? 0 : -ESRCH;
}

int harness_swtpm_resume(struct harness_swtpm *t)
{
	return t->pid > 0 && kill(t->pid, SIGCONT) == 0 ? 0 : -ESRCH;
}

const char *harness_swtpm_uri(const struct harness_swtpm *t)
{
	return t->uri;
}

void harness_swtpm_dump_log(const struct harness_swtpm *t)
{
	char path[PATH_MAX + 16], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/swtpm.log", t->state_dir);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	fprintf(stderr, "---- %s ----\n", path);
	while (fgets(line, sizeof(line), f) != NULL)
		fputs(line, stderr);
	fprintf(stderr, "---- end ----\n");
	fclose(f);
}
