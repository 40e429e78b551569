/*
 * TCS daemons for TSS-level tests (see trousers_tcsd.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trousers_tcsd.h"

#define TCSD_START_BOUND_MS 15000
#define TCSD_STOP_BOUND_MS 5000

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

static int write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return -errno;
	}
	fputs(text, f);
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

static bool port_open(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* Whether the Unix socket at sock accepts a connection. */
static bool unix_open(const char *sock)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;
	bool ok;

	if (strlen(sock) >= sizeof(sun.sun_path))
		return false;
	memcpy(sun.sun_path, sock, strlen(sock) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

static void reap_now(struct test_tcsd *t, long bound_ms)
{
	long start = now_ms();
	int status;

	if (t->pid <= 0)
		return;
	for (;;) {
		pid_t r = waitpid(t->pid, &status, WNOHANG);

		if (r == t->pid || (r < 0 && errno == ECHILD))
			break;
		if (bound_ms >= 0 && now_ms() - start > bound_ms) {
			kill(t->pid, SIGKILL);
			waitpid(t->pid, &status, 0);
			break;
		}
		sleep_ms(20);
	}
	t->pid = -1;
}

/*
 * Runs argv with env additions, stdout/stderr into t->log; waits for the
 * TCP port and, for ours, the Unix socket (our tcsd opens it last).
 */
static int spawn_daemon(struct test_tcsd *t, char *const argv[], char *const env[])
{
	long start;
	int logfd, status;
	pid_t pid;

	logfd = open(t->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(logfd);
		return e;
	}
	if (pid == 0) {
		size_t i;

		for (i = 0; env[i] != NULL; i++)
			putenv(env[i]);
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(logfd);
	t->pid = pid;

	start = now_ms();
	while (now_ms() - start < TCSD_START_BOUND_MS) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			t->pid = -1;
			fprintf(stderr, "trousers_tcsd: %s exited during start-up (status 0x%x)\n",
				argv[0], status);
			test_tcsd_dump_log(t);
			return -ECHILD;
		}
		if (port_open(t->port) && (t->unix_socket[0] == '\0' || unix_open(t->unix_socket)))
			return 0;
		sleep_ms(25);
	}
	fprintf(stderr, "trousers_tcsd: %s did not listen on port %d%s%s\n", argv[0], t->port,
		t->unix_socket[0] != '\0' ? " and " : "", t->unix_socket);
	test_tcsd_dump_log(t);
	kill(pid, SIGKILL);
	reap_now(t, -1);
	return -ETIMEDOUT;
}

/* Temp dir (0755 so a daemon that dropped to `tss` can reach its files), ps/ owned by tss. */
static int prepare_dir(struct test_tcsd *t, const char *prefix, char *ps_dir, size_t cap)
{
	struct passwd *pw;
	int rc;

	memset(t, 0, sizeof(*t));
	t->pid = -1;
	t->tpm.pid = -1;
	if ((rc = harness_mkdtemp(prefix, t->dir, sizeof(t->dir))) != 0)
		return rc;
	if (chmod(t->dir, 0755) != 0)
		return -errno;
	snprintf(ps_dir, cap, "%s/ps", t->dir);
	if (mkdir(ps_dir, 0700) != 0)
		return -errno;
	pw = getpwnam("tss");
	if (geteuid() == 0 && pw != NULL && chown(ps_dir, pw->pw_uid, pw->pw_gid) != 0)
		return -errno;
	snprintf(t->conf, sizeof(t->conf), "%s/tcsd.conf", t->dir);
	snprintf(t->log, sizeof(t->log), "%s/tcsd.log", t->dir);
	return harness_free_tcp_ports(1, &t->port);
}

int trousers_tcsd_start(struct test_tcsd *t)
{
	const char *tcsd = getenv("TROUSERS_TCSD");
	char ps_dir[PATH_MAX + 8], text[3 * PATH_MAX], state[PATH_MAX + 16];
	char env_port[64];
	char *argv[6], *env[4];
	struct group *gr;
	int rc;

	if (tcsd == NULL || *tcsd == '\0')
		tcsd = TROUSERS_TCSD_PATH;
	if (access(tcsd, X_OK) != 0) {
		fprintf(stderr, "trousers_tcsd: no TrouSerS tcsd at %s\n", tcsd);
		return -ENOENT;
	}
	/* 0.3.15 wants its conf owned by root:tss, 0640: only root can arrange that. */
	gr = getgrnam("tss");
	if (geteuid() != 0 || gr == NULL) {
		fprintf(stderr, "trousers_tcsd: TrouSerS' tcsd needs root and a tss group\n");
		return -EPERM;
	}
	if ((rc = prepare_dir(t, "trousers-tcsd", ps_dir, sizeof(ps_dir))) != 0)
		goto fail;
	t->kind = TEST_TCSD_TROUSERS;
	snprintf(state, sizeof(state), "%s/swtpm", t->dir);
	rc = harness_swtpm_start(&t->tpm, state,
				 HARNESS_SWTPM_CREATEEK | HARNESS_SWTPM_NOT_NEED_INIT);
	if (rc != 0)
		goto fail;

	snprintf(text, sizeof(text),
		 "port = %d\nsystem_ps_file = %s/system.data\n"
		 "firmware_log_file = /dev/null\nkernel_log_file = /dev/null\n",
		 t->port, ps_dir);
	if ((rc = write_file(t->conf, text, 0640)) != 0)
		goto fail;
	if (chown(t->conf, 0, gr->gr_gid) != 0 || chmod(t->conf, 0640) != 0) {
		rc = -errno;
		goto fail;
	}

	snprintf(env_port, sizeof(env_port), "TCSD_TCP_DEVICE_PORT=%d", t->tpm.port);
	env[0] = env_port;
	env[1] = (char *)"TCSD_TCP_DEVICE_HOSTNAME=127.0.0.1";
	env[2] = (char *)"TCSD_USE_TCP_DEVICE=1";
	env[3] = NULL;
	argv[0] = (char *)tcsd;
	argv[1] = (char *)"-e";
	argv[2] = (char *)"-f";
	argv[3] = (char *)"-c";
	argv[4] = t->conf;
	argv[5] = NULL;
	if ((rc = spawn_daemon(t, argv, env)) != 0)
		goto fail;
	return 0;
fail:
	test_tcsd_stop(t);
	return rc;
}

static int ours_tcsd_start_on(struct test_tcsd *t, bool embedded)
{
	const char *tcsd = getenv("TSS12_TCSD");
	char ps_dir[PATH_MAX + 8], text[6 * PATH_MAX], state[PATH_MAX * 2 + 64];
	char *argv[5], *env[1] = { NULL };
	int rc;

	if (tcsd == NULL || *tcsd == '\0')
		tcsd = "../../tcsd/tcsd";
	if (access(tcsd, X_OK) != 0) {
		fprintf(stderr, "trousers_tcsd: our tcsd is not built (%s)\n", tcsd);
		return -ENOENT;
	}
	if ((rc = prepare_dir(t, "our-tcsd", ps_dir, sizeof(ps_dir))) != 0)
		goto fail;
	t->kind = TEST_TCSD_OURS;
	t->tpm.pid = -1;
	if (embedded) {
		/* libtpms in the daemon's process, manufactured in an empty directory. */
		snprintf(state, sizeof(state), "%s/tpm", t->dir);
		if (mkdir(state, 0700) != 0) {
			rc = -errno;
			fprintf(stderr, "trousers_tcsd: mkdir %s: %s\n", state, strerror(errno));
			goto fail;
		}
		/* Started as root, the daemon drops to `tss` before it opens the TPM. */
		struct passwd *pw = getpwnam("tss");
		if (geteuid() == 0 && pw != NULL && chown(state, pw->pw_uid, pw->pw_gid) != 0) {
			rc = -errno;
			fprintf(stderr, "trousers_tcsd: chown %s: %s\n", state, strerror(errno));
			goto fail;
		}
		snprintf(state, sizeof(state), "libtpms:%s/tpm", t->dir);
	} else {
		snprintf(state, sizeof(state), "%s/swtpm", t->dir);
		if ((rc = harness_swtpm_start(&t->tpm, state, HARNESS_SWTPM_CREATEEK)) != 0)
			goto fail;
		snprintf(state, sizeof(state), "%s", harness_swtpm_uri(&t->tpm));
	}
	snprintf(t->unix_socket, sizeof(t->unix_socket), "%s/tcsd.sock", t->dir);
	snprintf(text, sizeof(text),
		 "port = %d\nsystem_ps_file = %s/system.data\ndevice = %s\nunix_socket = %s\n",
		 t->port, ps_dir, state, t->unix_socket);
	if ((rc = write_file(t->conf, text, 0600)) != 0)
		goto fail;
	argv[0] = (char *)tcsd;
	argv[1] = (char *)"-f";
	argv[2] = (char *)"-c";
	argv[3] = t->conf;
	argv[4] = NULL;
	if ((rc = spawn_daemon(t, argv, env)) != 0)
		goto fail;
	return 0;
fail:
	test_tcsd_stop(t);
	return rc;
}

int ours_tcsd_start(struct test_tcsd *t)
{
	return ours_tcsd_start_on(t, false);
}

int ours_tcsd_start_embedded(struct test_tcsd *t)
{
	return ours_tcsd_start_on(t, true);
}

static int test_tcsd_start_once(struct test_tcsd *t)
{
	const char *which = getenv("TSS12_TEST_TCSD");

	if (which != NULL && strcmp(which, "trousers") == 0)
		return trousers_tcsd_start(t);
	if (which != NULL && strcmp(which, "embedded") == 0)
		return ours_tcsd_start_embedded(t);
	if (which != NULL && *which != '\0' && strcmp(which, "ours") != 0) {
		fprintf(stderr, "trousers_tcsd: TSS12_TEST_TCSD=%s: say ours, embedded or trousers\n",
			which);
		return -EINVAL;
	}
	return ours_tcsd_start(t);
}

int test_tcsd_start(struct test_tcsd *t)
{
	int attempt, rc = -EADDRINUSE;

	/* Tests run in parallel: a port found free can be taken before it is bound. */
	for (attempt = 0; attempt < 5 && rc == -EADDRINUSE; attempt++) {
		rc = test_tcsd_start_once(t);
		if (rc == -EADDRINUSE)
			sleep_ms(100 + 100 * attempt);
	}
	return rc;
}

const char *test_tcsd_name(const struct test_tcsd *t)
{
	return t->kind == TEST_TCSD_OURS ? "ours" : "trousers";
}

int test_tcsd_kill(struct test_tcsd *t)
{
	if (t->pid <= 0)
		return -ESRCH;
	kill(t->pid, SIGKILL);
	reap_now(t, -1);
	return 0;
}

int test_tcsd_stop(struct test_tcsd *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGTERM);
		reap_now(t, TCSD_STOP_BOUND_MS);
	}
	if (t->tpm.pid > 0)
		harness_swtpm_stop(&t->tpm);
	if (t->dir[0] != '\0' && getenv("TSS12_KEEP_TMP") == NULL)
		harness_rmtree(t->dir);
	t->dir[0] = '\0';
	return 0;
}

void test_tcsd_setenv(const struct test_tcsd *t)
{
	char port[16];

	snprintf(port, sizeof(port), "%d", t->port);
	setenv("TSS_TCSD_HOSTNAME", "127.0.0.1", 1);
	setenv("TSS_TCSD_PORT", port, 1);
	if (t->kind == TEST_TCSD_OURS)
		setenv("TSS12_TCSD_SOCKET", t->unix_socket, 1);
}

static void dump_file(const char *name, const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return;
	fprintf(stderr, "---- %s tcsd log ----\n", name);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fprintf(stderr, "---- end of log ----\n");
	fclose(f);
}

void test_tcsd_dump_log(const struct test_tcsd *t)
{
	dump_file(test_tcsd_name(t), t->log);
}

void test_tcsd_start_or_skip(struct test_tcsd *t)
{
	int rc = test_tcsd_start(t);

	if (rc == -ENOENT || rc == -EPERM)
		harness_skip("no usable tcsd (%s)", strerror(-rc));
	if (rc != 0) {
		fprintf(stderr, "FAIL: cannot start the tcsd: %s\n", strerror(-rc));
		exit(1);
	}
}

/* ---- our tcsd, driven directly ---- */

pid_t ours_tcsd_spawn(const char *bin, const char *conf, const char *log, unsigned int flags)
{
	char *argv[7];
	size_t n = 0;
	pid_t pid;

	argv[n++] = (char *)"tcsd";
	argv[n++] = (char *)"-f";
	if (flags & OURS_TCSD_DEBUG)
		argv[n++] = (char *)"-d";
	if (flags & OURS_TCSD_ENV_DEVICE)
		argv[n++] = (char *)"-e";
	argv[n++] = (char *)"-c";
	argv[n++] = (char *)conf;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(bin, argv);
		_exit(127);
	}
	return pid;
}

int ours_tcsd_wait_unix(pid_t pid, const char *sock, const char *log)
{
	long start = now_ms();
	int status;

	while (now_ms() - start < 10000) {
		if (unix_open(sock))
			return 0;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "tcsd exited during start-up (status 0x%x)\n", status);
			dump_file("our", log);
			return -ECHILD;
		}
		sleep_ms(50);
	}
	fprintf(stderr, "tcsd did not start listening on %s within 10 s\n", sock);
	dump_file("our", log);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -ETIMEDOUT;
}

int ours_tcsd_stop_pid(pid_t pid, long bound_ms)
{
	long start = now_ms();
	int status = -1;

	if (pid <= 0 || kill(pid, SIGTERM) != 0)
		return -1;
	for (;;) {
		pid_t r = waitpid(pid, &status, bound_ms < 0 ? 0 : WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (bound_ms >= 0 && now_ms() - start > bound_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return status;
		}
		if (bound_ms >= 0)
			sleep_ms(20);
	}
}
