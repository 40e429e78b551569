/*
 * with_tcsd [--trousers|--ours] COMMAND [ARG...]
 *
 * Starts a tcsd on a fresh swtpm (trousers_tcsd.h; default from
 * $TSS12_TEST_TCSD), runs COMMAND with TSS_TCSD_HOSTNAME/TSS_TCSD_PORT
 * pointing at it, stops everything and exits with COMMAND's status.
 * Exits 77 when no such daemon can run here. For interop scripts.
 * The daemon's temporary directory is in $WITH_TCSD_DIR for COMMAND.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trousers_tcsd.h"

int main(int argc, char **argv)
{
	struct test_tcsd d;
	int first = 1, status = 0, rc;
	pid_t pid;

	if (argc > 1 && strcmp(argv[1], "--trousers") == 0) {
		setenv("TSS12_TEST_TCSD", "trousers", 1);
		first++;
	} else if (argc > 1 && strcmp(argv[1], "--ours") == 0) {
		setenv("TSS12_TEST_TCSD", "ours", 1);
		first++;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: with_tcsd [--trousers|--ours] COMMAND [ARG...]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	rc = test_tcsd_start(&d);
	if (rc == -ENOENT || rc == -EPERM)
		harness_skip("no usable tcsd (%s)", strerror(-rc));
	if (rc != 0) {
		fprintf(stderr, "with_tcsd: cannot start the tcsd: %s\n", strerror(-rc));
		return 1;
	}
	test_tcsd_setenv(&d);
	setenv("WITH_TCSD_DIR", d.dir, 1);
	pid = fork();
	if (pid == 0) {
		execvp(argv[first], argv + first);
		fprintf(stderr, "with_tcsd: %s: %s\n", argv[first], strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = 1 << 8;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		test_tcsd_dump_log(&d);
	test_tcsd_stop(&d);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
