/*
 * The event log end to end: our tcsd ($TCSD) on an embedded TPM serves
 * the firmware log and the IMA list captured from a real Linux guest
 * (tests/fixtures/ima, firmware_pcrs = 0-7, kernel_pcrs = 10) and the
 * events applications log through Tspi_TPM_PcrExtend; our libtspi reads
 * them with Tspi_TPM_GetEvent/GetEvents/GetEventLog and they must be the
 * logs' records, replaying to the PCR values the guest's TPM held.
 * Application events survive a clean restart, a SIGKILL, and a torn
 * record at the end of their file.
 *
 * With "--peer PROGRAM" (test_evlog_interop.sh), PROGRAM, built against
 * Debian's libtspi (evlog_peer.c), also logs an event and dumps the whole
 * log through TrouSerS' library, which must print what ours read.
 *
 * With "--trousers" (test_evlog_trousers.sh), our libtspi logs and reads
 * application events through TrouSerS' tcsd instead (its default
 * configuration: no firmware or kernel PCRs, events kept in memory).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <tss/tspi.h>
#include <tss/tss_error.h>

#include "harness.h"
#include "ima_log.h"
#include "trousers_tcsd.h"
#include "tspi_kit.h"

static char dir[PATH_MAX], conf_path[PATH_MAX + 32], sock_path[PATH_MAX + 32];
static char log_path[PATH_MAX + 32], ps_dir[PATH_MAX + 8];
static const char *tcsd_bin;
static pid_t tcsd_pid = -1;
static int tcsd_port;

/* ---- the daemon ---- */

static const char *kernel_log = FIXTURES "/native.binary_runtime_measurements";

static void write_conf(void)
{
	char text[4 * PATH_MAX];
	FILE *f;

	snprintf(text, sizeof(text),
		 "port = %d\nsystem_ps_file = %s/system.data\ndevice = libtpms:%s/tpm\n"
		 "unix_socket = %s\n"
		 "firmware_log_file = %s/native.binary_bios_measurements\n"
		 "kernel_log_file = %s\n"
		 "firmware_pcrs = 0,1,2,3,4,5,6,7\nkernel_pcrs = 10\n",
		 tcsd_port, ps_dir, dir, sock_path, FIXTURES, kernel_log);
	f = fopen(conf_path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", conf_path);
		exit(1);
	}
	chmod(conf_path, 0644);
}

static void start_tcsd(void)
{
	tcsd_pid = ours_tcsd_spawn(tcsd_bin, conf_path, log_path, 0);
	if (tcsd_pid < 0 || ours_tcsd_wait_unix(tcsd_pid, sock_path, log_path) != 0) {
		fprintf(stderr, "our tcsd did not start\n");
		exit(1);
	}
}

static void stop_tcsd(void)
{
	if (tcsd_pid > 0)
		ours_tcsd_stop_pid(tcsd_pid, 10000);
	tcsd_pid = -1;
}

static void kill_tcsd(void)
{
	if (tcsd_pid > 0) {
		kill(tcsd_pid, SIGKILL);
		waitpid(tcsd_pid, NULL, 0);
	}
	tcsd_pid = -1;
}

/* ---- what the fixtures say ---- */

struct fixtures {
	struct ima_log *ima;
	struct biosl_log *bios;
	uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN];
};

static void load_fixtures(struct fixtures *fx)
{
	struct ima_error err;
	uint32_t present;
	uint8_t *d;
	size_t n;

	if (ima_read_file(FIXTURES "/native.binary_runtime_measurements", IMA_FILE_MAX, &d, &n) ||
	    ima_log_parse_binary(d, n, IMA_ORDER_AUTO, 0, &fx->ima, &err) != 0)
		exit(1);
	free(d);
	if (ima_read_file(FIXTURES "/native.binary_bios_measurements", IMA_FILE_MAX, &d, &n) ||
	    biosl_parse(d, n, &fx->bios, &err) != 0)
		exit(1);
	free(d);
	if (ima_read_file(FIXTURES "/native.pcrs", IMA_FILE_MAX, &d, &n) ||
	    ima_parse_sysfs_pcrs((char *)d, n, fx->pcrs, &present, &err) != 0)
		exit(1);
	free(d);
}

/* ---- the TSS side ---- */

static TSS_HCONTEXT ctx;
static TSS_HTPM tpm;

static void connect_tss(void)
{
	TSS_RESULT rc = Tspi_Context_Create(&ctx);

	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Connect(ctx, NULL);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_GetTpmObject(ctx, &tpm);
	if (rc != TSS_SUCCESS) {
		fprintf(stderr, "cannot connect to our tcsd: 0x%x\n", rc);
		exit(1);
	}
}

static void disconnect_tss(void)
{
	Tspi_Context_FreeMemory(ctx, NULL);
	Tspi_Context_Close(ctx);
	ctx = 0;
}

static void extend(uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN], uint32_t pcr, const BYTE *value,
		   UINT32 len)
{
	static const uint8_t ff[IMA_SHA1_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[IMA_SHA1_LEN];
	uint8_t in[2 * IMA_SHA1_LEN];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;

	if (pcr >= IMA_NUM_PCRS || len != IMA_SHA1_LEN || md == NULL)
		exit(1);
	/* An IMA violation is logged as zeros and extended as ones. */
	memcpy(in, pcrs[pcr], IMA_SHA1_LEN);
	memcpy(in + IMA_SHA1_LEN, memcmp(value, zero, IMA_SHA1_LEN) == 0 && pcr == 10 ? ff : value,
	       IMA_SHA1_LEN);
	EVP_DigestInit_ex(md, EVP_sha1(), NULL);
	EVP_DigestUpdate(md, in, sizeof(in));
	EVP_DigestFinal_ex(md, pcrs[pcr], &n);
	EVP_MD_CTX_free(md);
}

/* One event as a line (the peer prints the same form). */
static void event_line(FILE *f, const TSS_PCR_EVENT *ev)
{
	fprintf(f, "%u %u.%u.%u.%u 0x%x ", ev->ulPcrIndex, ev->versionInfo.bMajor,
		ev->versionInfo.bMinor, ev->versionInfo.bRevMajor, ev->versionInfo.bRevMinor,
		ev->eventType);
	for (UINT32 i = 0; i < ev->ulPcrValueLength; i++)
		fprintf(f, "%02x", ev->rgbPcrValue[i]);
	fputc(' ', f);
	for (UINT32 i = 0; i < ev->ulEventLength; i++)
		fprintf(f, "%02x", ev->rgbEvent[i]);
	fputc('\n', f);
}

/* The firmware and kernel PCRs as our libtspi reads them. */
static void test_kernel_logs(const struct fixtures *fx)
{
	uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN];
	TSS_PCR_EVENT *evs = NULL, ev;
	UINT32 n = 0, bios_on_2 = 0;
	TSS_RESULT rc;
	bool same = true;

	/* PCR 10: every IMA record, in order, the template digest and the file name. */
	n = 100;
	rc = Tspi_TPM_GetEvents(tpm, 10, 0, &n, &evs);
	check(rc == TSS_SUCCESS && n == fx->ima->count, "GetEvents(PCR 10): 0x%x, %u events (%zu)",
	      rc, n, fx->ima->count);
	for (UINT32 i = 0; rc == TSS_SUCCESS && i < n && i < fx->ima->count; i++) {
		const struct ima_event *m = &fx->ima->events[i];

		same = same && evs[i].ulPcrIndex == 10 && evs[i].ulPcrValueLength == 20 &&
		       memcmp(evs[i].rgbPcrValue, m->template_digest, 20) == 0 &&
		       evs[i].ulEventLength == strlen(m->file_name) &&
		       memcmp(evs[i].rgbEvent, m->file_name, evs[i].ulEventLength) == 0;
	}
	check(same, "the IMA events are the list's records (digest, name)");
	if (rc == TSS_SUCCESS && n >= 3)
		check(evs[0].ulEventLength == 14 && memcmp(evs[0].rgbEvent, "boot_aggregate", 14) == 0,
		      "the first IMA event is boot_aggregate");
	/* A window: events 2.. of PCR 10, at most 3. */
	n = 3;
	rc = Tspi_TPM_GetEvents(tpm, 10, 2, &n, &evs);
	check(rc == TSS_SUCCESS && n == 3 &&
		      memcmp(evs[0].rgbPcrValue, fx->ima->events[2].template_digest, 20) == 0,
	      "GetEvents(PCR 10, 2, 3): 0x%x, %u", rc, n);
	/* One firmware event: SeaBIOS's "Calling INT 19h" on PCR 4. */
	memset(&ev, 0, sizeof(ev));
	rc = Tspi_TPM_GetEvent(tpm, 4, 0, &ev);
	check(rc == TSS_SUCCESS && ev.eventType == 5 /* EV_ACTION */ && ev.ulEventLength == 15 &&
		      memcmp(ev.rgbEvent, "Calling INT 19h", 15) == 0,
	      "GetEvent(PCR 4, 0): 0x%x, type %u", rc, ev.eventType);
	for (size_t i = 0; i < fx->bios->count; i++)
		bios_on_2 += fx->bios->events[i].pcr == 2;
	n = 100;
	rc = Tspi_TPM_GetEvents(tpm, 2, 0, &n, &evs);
	check(rc == TSS_SUCCESS && n == bios_on_2, "GetEvents(PCR 2): %u firmware events (%u)", n,
	      bios_on_2);
	rc = Tspi_TPM_GetEvent(tpm, 4, 5, &ev);
	check(rc != TSS_SUCCESS, "GetEvent past the end of PCR 4: 0x%x", rc);

	/* The whole log replays to what the guest's TPM held. */
	n = 0;
	rc = Tspi_TPM_GetEventLog(tpm, &n, &evs);
	check(rc == TSS_SUCCESS && n >= fx->ima->count + fx->bios->count,
	      "GetEventLog: 0x%x, %u events", rc, n);
	memset(pcrs, 0, sizeof(pcrs));
	for (UINT32 i = 0; rc == TSS_SUCCESS && i < n; i++)
		if (evs[i].ulPcrIndex < 11 && !(evs[i].ulPcrIndex < 8 && evs[i].eventType == 3))
			extend(pcrs, evs[i].ulPcrIndex, evs[i].rgbPcrValue,
			       evs[i].ulPcrValueLength);
	check(memcmp(pcrs, fx->pcrs, 8 * IMA_SHA1_LEN) == 0,
	      "the firmware events replay to PCRs 0-7 of the guest");
	check(memcmp(pcrs[10], fx->pcrs[10], IMA_SHA1_LEN) == 0,
	      "the IMA events replay to PCR 10 of the guest");
	Tspi_Context_FreeMemory(ctx, NULL);
}

/* Tspi_TPM_PcrExtend with an event, on an application PCR and on a kernel one. */
static void log_events(UINT32 pcr, int count, const char *tag)
{
	for (int i = 0; i < count; i++) {
		char text[64];
		BYTE data[20], *value = NULL;
		UINT32 value_len = 0;
		TSS_PCR_EVENT ev;
		TSS_RESULT rc;

		memset(data, 0x40 + i, sizeof(data));
		snprintf(text, sizeof(text), "%s event %d", tag, i);
		memset(&ev, 0, sizeof(ev));
		ev.eventType = 0x0d;	/* EV_IPL */
		ev.ulEventLength = (UINT32)strlen(text);
		ev.rgbEvent = (BYTE *)text;
		rc = Tspi_TPM_PcrExtend(tpm, pcr, sizeof(data), data, &ev, &value_len, &value);
		check(rc == TSS_SUCCESS, "PcrExtend(PCR %u) with event \"%s\": 0x%x", pcr, text, rc);
	}
}

/* The application events of pcr are count events "<tag> event i", in order. */
static void expect_app_events(UINT32 pcr, UINT32 count, const char *tag, const char *when)
{
	TSS_PCR_EVENT *evs = NULL;
	UINT32 n = 1000;
	TSS_RESULT rc = Tspi_TPM_GetEvents(tpm, pcr, 0, &n, &evs);
	bool same = rc == TSS_SUCCESS && n == count;

	for (UINT32 i = 0; same && i < n; i++) {
		char text[64];

		snprintf(text, sizeof(text), "%s event %u", tag, i);
		same = evs[i].ulPcrIndex == pcr && evs[i].eventType == 0x0d &&
		       evs[i].ulEventLength == strlen(text) &&
		       memcmp(evs[i].rgbEvent, text, evs[i].ulEventLength) == 0 &&
		       evs[i].ulPcrValueLength == 20 && evs[i].versionInfo.bMajor == 1;
	}
	check(same, "%s: PCR %u has its %u events (0x%x, %u)", when, pcr, count, rc, n);
	Tspi_Context_FreeMemory(ctx, NULL);
}

/* Runs the Debian-libtspi peer against our tcsd; its output goes to out. */
static int run_peer(const char *peer, const char *out, char *const args[])
{
	char port[16];
	pid_t pid;
	int st, fd;

	snprintf(port, sizeof(port), "%d", tcsd_port);
	pid = fork();
	if (pid == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		setenv("TSS_TCSD_HOSTNAME", "127.0.0.1", 1);
		setenv("TSS_TCSD_PORT", port, 1);
		unsetenv("TSS12_TCSD_SOCKET");
		/* libtool's wrapper of this test points here at our libtspi: not for the peer. */
		unsetenv("LD_LIBRARY_PATH");
		unsetenv("LD_PRELOAD");
		execv(peer, args);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* What our libtspi reads, in the peer's form. */
static bool dump_ours(const char *path)
{
	TSS_PCR_EVENT *evs = NULL;
	UINT32 n = 0;
	FILE *f = fopen(path, "w");
	TSS_RESULT rc = Tspi_TPM_GetEventLog(tpm, &n, &evs);

	if (f == NULL)
		return false;
	for (UINT32 i = 0; rc == TSS_SUCCESS && i < n; i++)
		event_line(f, &evs[i]);
	fclose(f);
	Tspi_Context_FreeMemory(ctx, NULL);
	return rc == TSS_SUCCESS;
}

static bool same_file(const char *a, const char *b)
{
	uint8_t *x = NULL, *y = NULL;
	size_t nx = 0, ny = 0;
	bool same = ima_read_file(a, 1 << 24, &x, &nx) == 0 &&
		    ima_read_file(b, 1 << 24, &y, &ny) == 0 && nx == ny && nx > 0 &&
		    memcmp(x, y, nx) == 0;

	free(x);
	free(y);
	return same;
}

static void test_peer(const char *peer, const char *when, bool log_one)
{
	char ours[PATH_MAX + 32], theirs[PATH_MAX + 32], *dump[] = { (char *)peer,
								     (char *)"dump", NULL };
	char *ext[] = { (char *)peer, (char *)"extend", (char *)"23", (char *)"peer event 0",
			NULL };
	int rc;

	snprintf(ours, sizeof(ours), "%s/ours.txt", dir);
	snprintf(theirs, sizeof(theirs), "%s/theirs.txt", dir);
	if (log_one) {
		rc = run_peer(peer, theirs, ext);
		check(rc == 0, "%s: Debian's libtspi logs an event on PCR 23 (exit %d)", when, rc);
		expect_app_events(23, 1, "peer", "our libtspi reads it");
	}
	rc = run_peer(peer, theirs, dump);
	check(rc == 0 && dump_ours(ours) && same_file(ours, theirs),
	      "%s: Debian's libtspi reads the same event log as ours (exit %d)", when, rc);
}

/* Our libtspi against TrouSerS' tcsd: LogPcrEvent and the three readers. */
static int against_trousers(void)
{
	struct test_tcsd t;
	TSS_PCR_EVENT *evs = NULL, ev;
	UINT32 n = 0;
	TSS_RESULT rc;
	int r = trousers_tcsd_start(&t);

	if (r == -ENOENT || r == -EPERM)
		harness_skip("TrouSerS' tcsd cannot run here (%s)", strerror(-r));
	if (r != 0)
		return 1;
	test_tcsd_setenv(&t);
	unsetenv("TSS12_TCSD_SOCKET");
	connect_tss();
	log_events(16, 3, "app");
	expect_app_events(16, 3, "app", "TrouSerS' tcsd");
	memset(&ev, 0, sizeof(ev));
	rc = Tspi_TPM_GetEvent(tpm, 16, 1, &ev);
	check(rc == TSS_SUCCESS && ev.ulEventLength == 11 && memcmp(ev.rgbEvent, "app event 1", 11) == 0,
	      "GetEvent(16, 1) from TrouSerS' tcsd: 0x%x", rc);
	rc = Tspi_TPM_GetEventLog(tpm, &n, &evs);
	check(rc == TSS_SUCCESS && n == 3, "GetEventLog from TrouSerS' tcsd: 0x%x, %u events", rc, n);
	rc = Tspi_TPM_GetEvent(tpm, 16, 3, &ev);
	check(rc != TSS_SUCCESS, "GetEvent past the end: 0x%x", rc);
	disconnect_tss();
	return kit_daemon_down(&t);
}

int main(int argc, char **argv)
{
	const char *peer = argc == 3 && strcmp(argv[1], "--peer") == 0 ? argv[2] : NULL;
	char evfile[PATH_MAX + 64], env[PATH_MAX + 32];
	struct fixtures fx;
	struct passwd *pw;
	struct stat st;
	int fd;

	tcsd_bin = getenv("TCSD");
	if (tcsd_bin == NULL || access(tcsd_bin, X_OK) != 0)
		harness_skip("no tcsd binary ($TCSD=%s)", tcsd_bin ? tcsd_bin : "unset");
	signal(SIGPIPE, SIG_IGN);
	if (argc == 2 && strcmp(argv[1], "--trousers") == 0)
		return against_trousers();
	memset(&fx, 0, sizeof(fx));
	load_fixtures(&fx);
	if (harness_mkdtemp("evlog", dir, sizeof(dir)) != 0)
		harness_skip("temporary directory path too long for a unix socket");
	snprintf(ps_dir, sizeof(ps_dir), "%s/ps", dir);
	mkdir(ps_dir, 0700);
	if (geteuid() == 0) {
		if ((pw = getpwnam("tss")) == NULL)
			harness_skip("running as root without a tss user");
		if (chown(dir, pw->pw_uid, pw->pw_gid) != 0 || chmod(dir, 0755) != 0 ||
		    chown(ps_dir, pw->pw_uid, pw->pw_gid) != 0)
			return 1;
	}
	if (harness_free_tcp_ports(1, &tcsd_port) != 0)
		return 1;
	snprintf(conf_path, sizeof(conf_path), "%s/tcsd.conf", dir);
	snprintf(sock_path, sizeof(sock_path), "%s/tcsd.sock", dir);
	snprintf(log_path, sizeof(log_path), "%s/tcsd.log", dir);
	snprintf(evfile, sizeof(evfile), "%s/pcr_events.data", ps_dir);
	snprintf(env, sizeof(env), "%s", sock_path);
	setenv("TSS12_TCSD_SOCKET", env, 1);
	setenv("TSS_TCSD_HOSTNAME", "127.0.0.1", 1);
	snprintf(env, sizeof(env), "%d", tcsd_port);
	setenv("TSS_TCSD_PORT", env, 1);
	write_conf();
	start_tcsd();
	connect_tss();

	test_kernel_logs(&fx);
	log_events(16, 3, "app");
	expect_app_events(16, 3, "app", "logged");
	{
		BYTE data[20] = { 0 }, *value = NULL;
		UINT32 value_len = 0;
		TSS_PCR_EVENT ev = { .ulEventLength = 3, .rgbEvent = (BYTE *)"ima" };
		TSS_RESULT rc = Tspi_TPM_PcrExtend(tpm, 10, sizeof(data), data, &ev, &value_len,
						   &value);

		check(rc != TSS_SUCCESS, "PcrExtend with an event on kernel PCR 10 is refused: 0x%x",
		      rc);
	}
	if (peer != NULL)
		test_peer(peer, "first start", true);
	disconnect_tss();

	/* A clean restart. */
	stop_tcsd();
	start_tcsd();
	connect_tss();
	expect_app_events(16, 3, "app", "after a restart");
	log_events(14, 2, "crash");
	disconnect_tss();

	/* SIGKILL right after the events were acknowledged. */
	kill_tcsd();
	start_tcsd();
	connect_tss();
	expect_app_events(14, 2, "crash", "after SIGKILL");
	expect_app_events(16, 3, "app", "after SIGKILL");
	disconnect_tss();

	/* A torn record at the end of the file (power lost mid-append) is cut off. */
	stop_tcsd();
	fd = open(evfile, O_WRONLY | O_APPEND);
	check(fd >= 0 && write(fd, "\0\0\0\x40torn", 8) == 8, "a torn record appended to %s",
	      evfile);
	if (fd >= 0)
		close(fd);
	stat(evfile, &st);
	{
		off_t torn = st.st_size;

		start_tcsd();
		connect_tss();
		expect_app_events(16, 3, "app", "after a torn record");
		expect_app_events(14, 2, "crash", "after a torn record");
		stat(evfile, &st);
		check(st.st_size == torn - 8, "the torn record was cut (%lld -> %lld bytes)",
		      (long long)torn, (long long)st.st_size);
		log_events(15, 1, "after");
		expect_app_events(15, 1, "after", "appending after the cut");
		test_kernel_logs(&fx);
		if (peer != NULL)
			test_peer(peer, "after restarts", false);
		disconnect_tss();
	}
	stop_tcsd();

	/* A damaged kernel log: its PCR fails, saying where; the others still answer. */
	kernel_log = FIXTURES "/corrupt/ima_bad_template_name.bin";
	write_conf();
	start_tcsd();
	connect_tss();
	{
		TSS_PCR_EVENT *evs = NULL;
		UINT32 n = 100;
		TSS_RESULT rc = Tspi_TPM_GetEvents(tpm, 10, 0, &n, &evs);
		uint8_t *text = NULL;
		size_t len = 0;

		check(rc != TSS_SUCCESS, "GetEvents(PCR 10) from a damaged IMA list fails: 0x%x", rc);
		check(ima_read_file(log_path, 1 << 24, &text, &len) == 0 &&
			      strstr((char *)text, "record 1 at offset 97: unknown template") != NULL,
		      "the daemon's log names the record and offset");
		free(text);
		expect_app_events(16, 3, "app", "with a damaged IMA list");
		n = 100;
		rc = Tspi_TPM_GetEvents(tpm, 4, 0, &n, &evs);
		check(rc == TSS_SUCCESS && n == 2, "the firmware log still answers: 0x%x, %u", rc, n);
		Tspi_Context_FreeMemory(ctx, NULL);
	}
	disconnect_tss();
	stop_tcsd();
	if (checks_failed() != 0) {
		FILE *f = fopen(log_path, "r");
		char line[512];

		while (f != NULL && fgets(line, sizeof(line), f) != NULL)
			fputs(line, stderr);
		if (f != NULL)
			fclose(f);
	}
	if (getenv("TSS12_KEEP_TMP") == NULL)
		harness_rmtree(dir);
	ima_log_free(fx.ima);
	biosl_log_free(fx.bios);
	return checks_finish();
}
