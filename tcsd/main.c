/*
 * tcsd: the TCS daemon. Start-up order (see tcsd.h): configuration, TPM,
 * event logs, listeners, privilege drop, persistent storage, key cache,
 * then serve. Everything that needs root happens before the drop;
 * everything that reads client bytes happens after it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "tcsd.h"
#include "tpm_exec.h"
#include "tpmdd.h"

static struct tcsd_config conf;
static struct tcsd_options opts;
static _Atomic uint32_t remote_ops_groups;

const struct tcsd_config *tcsd_config(void)
{
	return &conf;
}

uint32_t tcsd_remote_ops_groups(void)
{
	return atomic_load(&remote_ops_groups);
}

void tcsd_set_remote_ops_groups(uint32_t groups)
{
	atomic_store(&remote_ops_groups, groups);
}

static const char *config_path(void)
{
	return opts.config_file != NULL ? opts.config_file : TCSD_DEFAULT_CONFIG_FILE;
}

static bool str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

/*
 * SIGHUP: remote_ops (who may do what) takes effect at once; options
 * that shape listeners, the TPM or files need a restart, which is said.
 * A file that no longer parses leaves the running configuration alone.
 */
static int reload(void)
{
	struct tcsd_config fresh;
	int rc = -1;

	tcsd_conf_defaults(&fresh);
	if (tcsd_conf_load(&fresh, config_path(), true) != 0 ||
	    tcsd_conf_finish(&fresh, &opts) != 0) {
		log_error("reload failed; the running configuration stays in force");
		goto out;
	}
	if (fresh.remote_ops_groups != tcsd_remote_ops_groups()) {
		if ((fresh.remote_ops_groups == 0) != (conf.remote_ops_groups == 0))
			log_warn("remote_ops changed between empty and set: the listeners keep "
				 "their addresses until tcsd restarts");
		tcsd_set_remote_ops_groups(fresh.remote_ops_groups);
		log_info("remote_ops now: %s", fresh.remote_ops ? fresh.remote_ops : "(none)");
	}
	if (fresh.port != conf.port || str_differs(fresh.device, conf.device) ||
	    str_differs(fresh.unix_socket, conf.unix_socket) ||
	    str_differs(fresh.system_ps_file, conf.system_ps_file) ||
	    fresh.firmware_pcrs != conf.firmware_pcrs || fresh.kernel_pcrs != conf.kernel_pcrs ||
	    fresh.disable_ipv4 != conf.disable_ipv4 || fresh.disable_ipv6 != conf.disable_ipv6)
		log_warn("%s: changes other than remote_ops take effect when tcsd restarts",
			 config_path());
	rc = 0;
out:
	tcsd_conf_free(&fresh);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcsd [-f] [-d] [-e] [-c FILE] [--device URI] [--unix-socket PATH]\n"
		"  -f, --foreground    stay in the foreground, log to stderr\n"
		"  -d, --debug         log debug messages\n"
		"  -c, --config FILE   configuration file (default %s)\n"
		"  -e                  TPM from TCSD_TCP_DEVICE_HOSTNAME / TCSD_TCP_DEVICE_PORT\n"
		"                      (TrouSerS' software-TPM environment)\n"
		"      --device URI    TPM: dev:/dev/tpm0, swtpm:tcp://HOST:PORT, swtpm:unix:PATH,\n"
		"                      libtpms:STATEDIR (overrides \"device\" in the file)\n"
		"      --unix-socket PATH  Unix socket (\"none\": TCP only)\n"
		"  -h, --help          this text\n",
		TCSD_DEFAULT_CONFIG_FILE);
}

static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "device", required_argument, NULL, 'D' },
		{ "unix-socket", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "fdc:eh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			opts.foreground = true;
			break;
		case 'd':
			opts.debug = true;
			break;
		case 'c':
			opts.config_file = optarg;
			break;
		case 'e':
			opts.tcp_device_env = true;
			break;
		case 'D':
			opts.device = optarg;
			break;
		case 'U':
			opts.unix_socket = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tcsd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

/*
 * Background mode: the parent waits until the daemon is ready (or has
 * failed) and exits with its verdict, so that "tcsd && next" and a
 * systemd Type=forking unit see start-up errors.
 */
static int daemonize(int *ready_fd)
{
	int pipefd[2], devnull;
	pid_t pid;
	char verdict = 1;

	*ready_fd = -1;
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0) {
		close(pipefd[1]);
		if (read(pipefd[0], &verdict, 1) != 1)
			verdict = 1;
		_exit(verdict == 0 ? 0 : 1);
	}
	close(pipefd[0]);
	if (setsid() < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		return -1;
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		if (devnull > STDERR_FILENO)
			close(devnull);
	}
	*ready_fd = pipefd[1];
	return 0;
}

static void report_ready(int *ready_fd, bool ok)
{
	char verdict = ok ? 0 : 1;

	if (*ready_fd < 0)
		return;
	if (write(*ready_fd, &verdict, 1) != 1)
		log_warn("cannot tell the parent process that tcsd started");
	close(*ready_fd);
	*ready_fd = -1;
}

static int write_pid_file(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		log_error("%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int open_tpm(struct tpmdd **tpm)
{
	TSS_RESULT rc;

	if ((rc = tpmdd_open(conf.device, tpm)) != TSS_SUCCESS) {
		log_error("cannot open the TPM %s: %s", conf.device, tpmdd_strerror(rc));
		return -1;
	}
	if (tpmdd_is_software(*tpm))
		log_warn("the TPM is a software TPM (%s): keys and measurements are not protected "
			 "by hardware", tpmdd_uri(*tpm));
	tcsd_tpm_set(*tpm);
	return tcsd_tpm_probe() == TSS_SUCCESS ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct tpmdd *tpm = NULL;
	sigset_t mask;
	int ready_fd = -1, status = 1;
	bool listening = false, ps_open = false, evlog_open = false, cache_open = false;
	bool embedded;
	TSS_RESULT rc;

	if (parse_args(argc, argv) != 0)
		return 2;
	/* Before any thread exists: every thread inherits the mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	umask(077);

	log_init("tcsd", opts.foreground ? LOG_SINK_STDERR : LOG_SINK_SYSLOG,
		 opts.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);

	tcsd_conf_defaults(&conf);
	if (tcsd_conf_load(&conf, config_path(), true) != 0 ||
	    tcsd_conf_finish(&conf, &opts) != 0) {
		if (!opts.foreground)
			fprintf(stderr, "tcsd: configuration error (details in the system log; "
				"tcsd -f shows them here)\n");
		goto out;
	}
	tcsd_set_remote_ops_groups(conf.remote_ops_groups);

	if (!opts.foreground && daemonize(&ready_fd) != 0) {
		log_error("cannot run in the background: %s", strerror(errno));
		goto out;
	}

	/*
	 * A device node is opened as root; an embedded TPM's state directory
	 * belongs to the user tcsd runs as, so it is opened after the drop.
	 */
	embedded = strncmp(conf.device, "libtpms:", 8) == 0;
	if (!embedded && open_tpm(&tpm) != 0)
		goto out;
	if (tcsd_contexts_init() != 0 || tcsd_dispatch_init() != 0)
		goto out;
	/* The kernel's measurement logs are readable by root only. */
	if (evlog_init(&conf) != TSS_SUCCESS)
		goto out;
	evlog_open = true;
	if (tcsd_server_open(&conf) != 0)
		goto out;
	listening = true;
	if (conf.pid_file != NULL && write_pid_file(conf.pid_file) != 0)
		goto out;
	if (tcsd_privs_check_ps_dir(conf.system_ps_file) != 0 ||
	    tcsd_privs_adopt_ps_file(conf.system_ps_file) != 0 || tcsd_privs_drop() != 0)
		goto out;
	if (embedded && open_tpm(&tpm) != 0)
		goto out;
	/* As tss: system.data is created by the user that owns its directory. */
	if (ps_init(&conf) != TSS_SUCCESS)
		goto out;
	ps_open = true;
	if (keycache_init() != TSS_SUCCESS)
		goto out;
	cache_open = true;

	log_info("tcsd ready (TPM %s, %u connections at most)", tpmdd_uri(tpm),
		 conf.max_connections);
	report_ready(&ready_fd, true);
	if (tcsd_server_run(reload) != 0)
		goto out;
	listening = false;
	status = 0;
out:
	report_ready(&ready_fd, false);
	if (listening)
		tcsd_server_close();
	if (cache_open)
		keycache_shutdown();
	if (ps_open)
		ps_shutdown();
	if (evlog_open)
		evlog_shutdown();
	if (tpm != NULL) {
		/* Keeps the TPM's volatile state should power go next (Part 3 §3.3). */
		if (status == 0 && (rc = tcsd_tpm_save_state()) != TSS_SUCCESS)
			log_warn("TPM_SaveState: 0x%x", rc);
		tpmdd_close(tpm);
	}
	if (status == 0 && conf.pid_file != NULL)
		unlink(conf.pid_file);
	if (status == 0)
		log_info("tcsd stopped");
	tcsd_conf_free(&conf);
	return status;
}
