/*
 * tpmdd over a real `swtpm socket` TPM 1.2 emulator, started by the
 * harness on free loopback ports (and on Unix sockets): version, PCR
 * extend/read against a SHA-1 replay, GetRandom, cancel, the emulator
 * killed mid-command and restarted, and URIs that must be refused.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "crypto.h"
#include "harness.h"
#include "log.h"
#include "tpm1_cmd.h"
#include "tpmdd.h"

#define TEST_PCR	10u
#define ORD_GET_RANDOM	0x46u

struct fixture {
	char dir[PATH_MAX];
	struct harness_swtpm sw;
	struct tpmdd *tpm;
	struct tpm1_chan ch;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int start(void **state, unsigned int flags)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char statedir[PATH_MAX + 8];
	TSS_RESULT rc;

	if (fx == NULL || harness_mkdtemp("swtpm", fx->dir, sizeof(fx->dir)) != 0)
		goto fail;
	snprintf(statedir, sizeof(statedir), "%s/st", fx->dir);
	if (harness_swtpm_start(&fx->sw, statedir, flags) != 0)
		goto fail;
	rc = tpmdd_open(harness_swtpm_uri(&fx->sw), &fx->tpm);
	if (rc != TSS_SUCCESS) {
		fprintf(stderr, "tpmdd_open(%s): %s\n", harness_swtpm_uri(&fx->sw), tpmdd_strerror(rc));
		harness_swtpm_dump_log(&fx->sw);
		goto fail;
	}
	tpm1_chan_tpmdd(&fx->ch, fx->tpm);
	*state = fx;
	return 0;
fail:
	if (fx != NULL) {
		harness_swtpm_stop(&fx->sw);
		if (fx->dir[0])
			harness_rmtree(fx->dir);
		free(fx);
	}
	return -1;
}

static int setup_tcp(void **state)
{
	return start(state, 0);
}

static int setup_unix(void **state)
{
	return start(state, HARNESS_SWTPM_UNIX);
}

static int setup_manufactured(void **state)
{
	return start(state, HARNESS_SWTPM_CREATEEK);
}

static int setup_unix_no_init(void **state)
{
	return start(state, HARNESS_SWTPM_UNIX | HARNESS_SWTPM_NOT_NEED_INIT);
}

static int setup_tcp_no_init(void **state)
{
	return start(state, HARNESS_SWTPM_NOT_NEED_INIT);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	tpmdd_close(fx->tpm);
	harness_swtpm_stop(&fx->sw);
	harness_rmtree(fx->dir);
	free(fx);
	return 0;
}

static void check_version(const struct tpm1_chan *ch)
{
	struct tpm1_version_info v;

	assert_int_equal(tpm1_get_version_info(ch, &v), TSS_SUCCESS);
	assert_int_equal(v.major, 1);
	assert_int_equal(v.minor, 2);
	assert_int_equal(v.spec_level, 2);
	assert_memory_equal(v.vendor_id, "IBM", 3);	/* libtpms keeps IBM's id */
}

static void test_version(void **state)
{
	struct fixture *fx = *state;

	check_version(&fx->ch);
	assert_string_equal(tpmdd_backend_name(fx->tpm), "swtpm");
	assert_true(tpmdd_is_software(fx->tpm));
}

/* PCR_new = SHA-1(PCR_old || digest) (TPM 1.2 Part 3 §16.1). */
static void extend_and_replay(const struct tpm1_chan *ch, int rounds)
{
	BYTE pcr[TPM1_DIGEST_SIZE], expect[TPM1_DIGEST_SIZE], in[TPM1_DIGEST_SIZE];
	BYTE out[TPM1_DIGEST_SIZE], now[TPM1_DIGEST_SIZE], next[TPM1_DIGEST_SIZE];

	assert_int_equal(tpm1_pcr_read(ch, TEST_PCR, pcr), TSS_SUCCESS);
	memcpy(expect, pcr, sizeof(expect));
	for (int i = 0; i < rounds; i++) {
		char event[32];

		snprintf(event, sizeof(event), "tss12 event %d", i);
		assert_int_equal(crypto_sha1(event, strlen(event), in), 0);
		/* crypto_* clear their output first: never alias it with an input. */
		assert_int_equal(CRYPTO_SHA1_PIECES(next, { expect, sizeof(expect) },
						    { in, sizeof(in) }), 0);
		memcpy(expect, next, sizeof(expect));
		assert_int_equal(tpm1_extend(ch, TEST_PCR, in, out), TSS_SUCCESS);
		assert_memory_equal(out, expect, sizeof(out));
	}
	assert_int_equal(tpm1_pcr_read(ch, TEST_PCR, now), TSS_SUCCESS);
	assert_memory_equal(now, expect, sizeof(now));
	assert_memory_not_equal(now, pcr, sizeof(now));
}

static void test_pcr_extend_replay(void **state)
{
	struct fixture *fx = *state;

	extend_and_replay(&fx->ch, 5);
}

static void test_get_random(void **state)
{
	struct fixture *fx = *state;
	static const uint32_t sizes[] = { 1, 16, 20, 128, 1024 };
	BYTE a[1024], b[1024];
	uint32_t got = 0;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(tpm1_get_random(&fx->ch, sizes[i], a, &got), TSS_SUCCESS);
		/* The TPM may return fewer bytes than asked, never more. */
		assert_true(got >= 1 && got <= sizes[i]);
	}
	assert_int_equal(tpm1_get_random(&fx->ch, 32, a, &got), TSS_SUCCESS);
	assert_int_equal(got, 32);
	assert_int_equal(tpm1_get_random(&fx->ch, 32, b, &got), TSS_SUCCESS);
	assert_int_equal(got, 32);
	assert_memory_not_equal(a, b, 32);
}

/* ---- cancel ---- */

struct bg_cmd {
	struct tpmdd *tpm;
	BYTE cmd[32];
	size_t cmd_len;
	BYTE rsp[TPMDD_BUFSIZE];
	size_t rsp_len;
	TSS_RESULT rc;
	long elapsed_ms;
};

static void *bg_transmit(void *p)
{
	struct bg_cmd *b = p;
	long t0 = now_ms();

	b->rsp_len = sizeof(b->rsp);
	b->rc = tpmdd_transmit(b->tpm, b->cmd, b->cmd_len, b->rsp, &b->rsp_len);
	b->elapsed_ms = now_ms() - t0;
	return NULL;
}

/* TPM_GetRandom(n), built by hand to run on a thread of its own. */
static void bg_get_random(struct bg_cmd *b, struct tpmdd *tpm, uint32_t n)
{
	struct buf_writer w;

	memset(b, 0, sizeof(*b));
	b->tpm = tpm;
	buf_writer_init_fixed(&w, b->cmd, sizeof(b->cmd));
	buf_put_u16(&w, 0x00C1);
	buf_put_u32(&w, 14);
	buf_put_u32(&w, ORD_GET_RANDOM);
	buf_put_u32(&w, n);
	assert_int_equal(buf_writer_error(&w), 0);
	b->cmd_len = buf_writer_len(&w);
}

/*
 * A TPM that hangs mid-command (the emulator stopped with SIGSTOP):
 * tpmdd_cancel() ends the wait at once, and once the emulator runs
 * again the next command gets its own answer.
 */
static void test_cancel_hung_tpm(void **state)
{
	struct fixture *fx = *state;
	struct bg_cmd b;
	pthread_t thr;
	long t0;

	bg_get_random(&b, fx->tpm, 16);
	assert_int_equal(harness_swtpm_pause(&fx->sw), 0);
	assert_int_equal(pthread_create(&thr, NULL, bg_transmit, &b), 0);
	sleep_ms(200);
	t0 = now_ms();
	assert_int_equal(tpmdd_cancel(fx->tpm), TSS_SUCCESS);
	pthread_join(thr, NULL);
	print_message("cancel returned the transmit in %ld ms (it ran %ld ms)\n",
		      now_ms() - t0, b.elapsed_ms);
	assert_int_equal(b.rc, TDDL_ERROR(TDDL_E_COMMAND_ABORTED));
	assert_int_equal(b.rsp_len, 0);
	assert_true(now_ms() - t0 < 1000);
	assert_int_equal(harness_swtpm_resume(&fx->sw), 0);

	check_version(&fx->ch);
	extend_and_replay(&fx->ch, 1);
}

/*
 * A real long command: TPM_CreateEndorsementKeyPair generates an RSA-2048
 * key (the state was not manufactured, so there is no EK yet). Cancelled
 * while it runs, it ends promptly, either aborted or, if the emulator
 * was faster than the cancel, done; the TPM stays usable either way.
 */
struct ek_job {
	struct tpm1_chan ch;
	struct tpm1_pubkey ek;
	TSS_RESULT rc;
	long elapsed_ms;
};

static void *bg_create_ek(void *p)
{
	struct ek_job *j = p;
	long t0 = now_ms();

	j->rc = tpm1_create_ek(&j->ch, &j->ek);
	j->elapsed_ms = now_ms() - t0;
	return NULL;
}

static void test_cancel_keygen(void **state)
{
	struct fixture *fx = *state;
	struct ek_job *j = calloc(1, sizeof(*j));
	pthread_t thr;
	TSS_RESULT rc;

	assert_non_null(j);
	j->ch = fx->ch;
	assert_int_equal(pthread_create(&thr, NULL, bg_create_ek, j), 0);
	sleep_ms(5);
	rc = tpmdd_cancel(fx->tpm);
	/* COMMAND_COMPLETED: the key was made before the cancel came. */
	assert_true(rc == TSS_SUCCESS || rc == TDDL_ERROR(TDDL_E_COMMAND_COMPLETED));
	pthread_join(thr, NULL);
	print_message("CreateEndorsementKeyPair: %s after %ld ms\n", tpmdd_strerror(j->rc),
		      j->elapsed_ms);
	assert_true(j->rc == TSS_SUCCESS || j->rc == TDDL_ERROR(TDDL_E_COMMAND_ABORTED));
	assert_true(j->elapsed_ms < 2000);
	free(j);
	check_version(&fx->ch);
}

/* ---- the emulator dies and comes back ---- */

/* Runs fn with stderr captured into buf (log lines go there). */
struct capture {
	int saved;
	char path[PATH_MAX + 16];
};

static void capture_begin(struct capture *c, const char *dir)
{
	int fd;

	snprintf(c->path, sizeof(c->path), "%s/stderr.log", dir);
	fflush(stderr);
	c->saved = dup(2);
	fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(c->saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
}

static void capture_end(struct capture *c, char *buf, size_t cap)
{
	FILE *f;
	size_t n;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	f = fopen(c->path, "r");
	assert_non_null(f);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
	fputs(buf, stderr);	/* still visible in the test log */
}

static void test_kill_mid_command_then_restart(void **state)
{
	struct fixture *fx = *state;
	BYTE zero[TPM1_DIGEST_SIZE] = { 0 }, pcr[TPM1_DIGEST_SIZE];
	struct capture cap;
	struct bg_cmd b;
	pthread_t thr;
	char log[8192];
	BYTE rsp[TPMDD_BUFSIZE];
	size_t len = sizeof(rsp);

	extend_and_replay(&fx->ch, 2);

	/* Stopped, then killed, while our command waits for its answer. */
	bg_get_random(&b, fx->tpm, 16);
	assert_int_equal(harness_swtpm_pause(&fx->sw), 0);
	assert_int_equal(pthread_create(&thr, NULL, bg_transmit, &b), 0);
	sleep_ms(200);
	assert_int_equal(harness_swtpm_kill(&fx->sw), 0);
	pthread_join(thr, NULL);
	print_message("mid-command kill: %s after %ld ms\n", tpmdd_strerror(b.rc), b.elapsed_ms);
	assert_int_equal(b.rc, TDDL_ERROR(TDDL_E_IOERROR));
	assert_int_equal(b.rsp_len, 0);
	assert_true(b.elapsed_ms < 1500);

	/* Nothing listens now. */
	assert_int_equal(tpmdd_transmit(fx->tpm, b.cmd, b.cmd_len, rsp, &len),
			 TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND));
	assert_int_equal(len, 0);

	/* Same ports, same state: the next command reconnects and works. */
	assert_int_equal(harness_swtpm_restart(&fx->sw), 0);
	capture_begin(&cap, fx->dir);
	len = sizeof(rsp);
	b.rc = tpmdd_transmit(fx->tpm, b.cmd, b.cmd_len, rsp, &len);
	capture_end(&cap, log, sizeof(log));
	assert_int_equal(b.rc, TSS_SUCCESS);
	assert_int_equal(len, 14 + 16);
	assert_non_null(strstr(log, "restarted; reconnected"));

	/* A power cycle: PCR 10 starts from zero again (TPM_Startup(ST_CLEAR)). */
	assert_int_equal(tpm1_pcr_read(&fx->ch, TEST_PCR, pcr), TSS_SUCCESS);
	assert_memory_equal(pcr, zero, sizeof(pcr));
	extend_and_replay(&fx->ch, 2);
	check_version(&fx->ch);
}

static void test_kill_between_commands(void **state)
{
	struct fixture *fx = *state;
	struct tpm1_version_info v;

	check_version(&fx->ch);
	assert_int_equal(harness_swtpm_kill(&fx->sw), 0);
	assert_int_equal(tpm1_get_version_info(&fx->ch, &v), TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND));
	assert_int_equal(tpm1_get_version_info(&fx->ch, &v), TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND));
	assert_int_equal(harness_swtpm_restart(&fx->sw), 0);
	check_version(&fx->ch);
}

/* A graceful stop (SIGTERM) is survived the same way. */
static void test_stop_and_restart(void **state)
{
	struct fixture *fx = *state;

	extend_and_replay(&fx->ch, 1);
	assert_int_equal(harness_swtpm_stop(&fx->sw), 0);
	assert_int_equal(harness_swtpm_restart(&fx->sw), 0);
	check_version(&fx->ch);
	extend_and_replay(&fx->ch, 1);
}

/* swtpm_setup --createek manufactured the state: the EK is there. */
static void test_manufactured_ek(void **state)
{
	struct fixture *fx = *state;
	struct tpm1_pubkey *ek = calloc(1, sizeof(*ek));

	assert_non_null(ek);
	assert_int_equal(tpm1_read_pubek(&fx->ch, ek), TSS_SUCCESS);
	assert_int_equal(ek->key_bits, 2048);
	assert_int_equal(ek->modulus_len, 256);
	/* A second EK cannot be created (TPM_DISABLED_CMD). */
	assert_int_not_equal(tpm1_create_ek(&fx->ch, ek), TSS_SUCCESS);
	free(ek);
}

/*
 * An emulator started with not-need-init, reached through its data
 * socket only (swtpm:unix:PATH without ctrl=): no control channel at all.
 */
static void test_unix_without_ctrl(void **state)
{
	struct fixture *fx = *state;
	struct tpmdd *tpm = NULL;
	struct tpm1_chan ch;
	char uri[PATH_MAX + 16];

	tpmdd_close(fx->tpm);
	fx->tpm = NULL;
	snprintf(uri, sizeof(uri), "swtpm:unix:%s", fx->sw.data_path);
	assert_int_equal(tpmdd_open(uri, &tpm), TSS_SUCCESS);
	tpm1_chan_tpmdd(&ch, tpm);
	check_version(&ch);
	extend_and_replay(&ch, 2);
	fx->tpm = tpm;
}

/*
 * TrouSerS' TCSD_TCP_DEVICE_* setup (tcsd -e): a TCP data channel and no
 * control channel at all (ctrl=none); the emulator runs not-need-init.
 * Nothing may be sent to the port after the data port.
 */
static void test_tcp_without_ctrl(void **state)
{
	struct fixture *fx = *state;
	struct tpmdd *tpm = NULL;
	struct tpm1_chan ch;
	char uri[64];

	tpmdd_close(fx->tpm);
	fx->tpm = NULL;
	snprintf(uri, sizeof(uri), "swtpm:tcp://127.0.0.1:%d,ctrl=none", fx->sw.port);
	assert_int_equal(tpmdd_open(uri, &tpm), TSS_SUCCESS);
	tpm1_chan_tpmdd(&ch, tpm);
	check_version(&ch);
	extend_and_replay(&ch, 3);
	fx->tpm = tpm;
}

/* ---- URIs ---- */

static void test_bad_uris(void **state)
{
	static const char *const bad[] = {
		"swtpm:",
		"swtpm:tcp://",
		"swtpm:tcp://127.0.0.1",
		"swtpm:tcp://127.0.0.1:",
		"swtpm:tcp://:2321",
		"swtpm:tcp://127.0.0.1:0",
		"swtpm:tcp://127.0.0.1:65536",
		"swtpm:tcp://127.0.0.1:65535",		/* control would be 65536 */
		"swtpm:tcp://127.0.0.1:-1",
		"swtpm:tcp://127.0.0.1:+5",
		"swtpm:tcp://127.0.0.1:12a",
		"swtpm:tcp://127.0.0.1:123456",
		"swtpm:tcp://127.0.0.1:2321,",
		"swtpm:tcp://127.0.0.1:2321,ctrl=",
		"swtpm:tcp://127.0.0.1:2321,ctrl=x",
		"swtpm:tcp://127.0.0.1:2321,ctrl=0",
		"swtpm:tcp://127.0.0.1:2321,ctrl=None",
		"swtpm:tcp://127.0.0.1:2321,ctrl=none,ctrl=2322",
		"swtpm:tcp://127.0.0.1:2321,port=5",
		"swtpm:tcp://127.0.0.1:2321,ctrl=2322,ctrl=2323",
		"swtpm:tcp://[::1:2321",
		"swtpm:tcp://[::1]2321",
		"swtpm:tcp://[]:2321",
		"swtpm:tcp://::1:2321",
		"swtpm:udp://127.0.0.1:2321",
		"swtpm:127.0.0.1:2321",
		"swtpm:unix:",
		"swtpm:unix:,ctrl=/tmp/c",
		"swtpm:unix:/tmp/d,ctrl=",
		"swtpm:unix:/tmp/ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
			"ddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
	};
	struct tpmdd *tpm = (struct tpmdd *)&tpm;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TSS_RESULT rc = tpmdd_open(bad[i], &tpm);

		if (rc != TDDL_ERROR(TSS_E_BAD_PARAMETER))
			fail_msg("%s: got 0x%x, expected BAD_PARAMETER", bad[i], rc);
		assert_null(tpm);
	}
}

/* Well-formed URIs with nobody behind them. */
static void test_nothing_listens(void **state)
{
	struct tpmdd *tpm = NULL;
	char dir[PATH_MAX], uri[2 * PATH_MAX + 64];
	int port = 0;
	char forms[5][64];

	(void)state;
	assert_int_equal(harness_free_tcp_ports(2, &port), 0);
	snprintf(forms[0], sizeof(forms[0]), "127.0.0.1:%d", port);
	snprintf(forms[1], sizeof(forms[1]), "[::1]:%d", port);
	snprintf(forms[2], sizeof(forms[2]), "localhost:%d", port);
	snprintf(forms[3], sizeof(forms[3]), "127.0.0.1:%d,ctrl=%d", port, port + 1);
	snprintf(forms[4], sizeof(forms[4]), "127.0.0.1:%d,ctrl=none", port);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(uri, sizeof(uri), "swtpm:tcp://%s", forms[i]);
		assert_int_equal(tpmdd_open(uri, &tpm), TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND));
		assert_null(tpm);
	}
	assert_int_equal(harness_mkdtemp("swtpm-none", dir, sizeof(dir)), 0);
	snprintf(uri, sizeof(uri), "swtpm:unix:%s/data,ctrl=%s/ctrl", dir, dir);
	assert_int_equal(tpmdd_open(uri, &tpm), TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND));
	assert_null(tpm);
	assert_int_equal(harness_rmtree(dir), 0);
}

/* The harness's own promises: temp dirs go away, ports are free. */
static void test_harness(void **state)
{
	char dir[PATH_MAX], sub[PATH_MAX + 16], link[PATH_MAX + 16];
	int port = 0;
	FILE *f;

	(void)state;
	assert_int_equal(harness_mkdtemp("harness", dir, sizeof(dir)), 0);
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	snprintf(link, sizeof(link), "%s/a/etc", dir);
	snprintf(sub, sizeof(sub), "%s/a", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/a/b/f", dir);
	f = fopen(sub, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(symlink("/etc", link), 0);	/* must be unlinked, not followed */
	assert_int_equal(harness_rmtree(dir), 0);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(access("/etc/passwd", F_OK), 0);

	assert_int_equal(harness_free_tcp_ports(2, &port), 0);
	assert_true(port > 0 && port < 65535);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_harness),
		cmocka_unit_test(test_bad_uris),
		cmocka_unit_test(test_nothing_listens),
		cmocka_unit_test_setup_teardown(test_version, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_pcr_extend_replay, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_get_random, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_hung_tpm, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_keygen, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_kill_mid_command_then_restart, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_kill_between_commands, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_stop_and_restart, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_version, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_pcr_extend_replay, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_hung_tpm, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_kill_mid_command_then_restart, setup_unix, teardown),
		cmocka_unit_test_setup_teardown(test_unix_without_ctrl, setup_unix_no_init, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_without_ctrl, setup_tcp_no_init, teardown),
		cmocka_unit_test_setup_teardown(test_manufactured_ek, setup_manufactured, teardown),
	};

	log_init("test_swtpm", LOG_SINK_STDERR, getenv("TSS12_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	if (harness_swtpm_path() == NULL)
		harness_skip("swtpm not found ($SWTPM or PATH); install swtpm");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
