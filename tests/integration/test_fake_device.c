/*
 * Fault injection: tpmdd over a fake swtpm (loopback sockets) and a fake
 * character device (a raw pseudo-terminal) that answer with truncated,
 * oversized, lying, mistagged and garbage responses, or not at all.
 * Each must be refused with the right TDDL error, must leave the caller's
 * buffer untouched past its capacity (canaries here; AddressSanitizer in
 * the sanitizer build), and the next well-formed exchange must work.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "fake_tpm.h"
#include "harness.h"
#include "log.h"
#include "tpmdd.h"
#include "tpmdd_backend.h"

#define CANARY_LEN	64
#define CANARY		0xA5
#define ORD_GET_RANDOM	0x46u
#define ORD_CREATE_EK	0x78u	/* a LONG-duration ordinal: 30 s with the fake */

struct fault_case {
	const char *name;
	enum fake_fault fault;
	TSS_RESULT expect;
	long min_ms;		/* a time-out must not come early */
};

struct fixture {
	const struct fault_case *c;
	struct fake_tpm *fake;
	struct tpmdd *tpm;
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

/* A well-formed command: header, then a UINT32 parameter. */
static size_t build_cmd(BYTE *out, size_t cap, uint32_t ordinal, uint32_t param)
{
	struct buf_writer w;

	buf_writer_init_fixed(&w, out, cap);
	buf_put_u16(&w, 0x00C1);
	buf_put_u32(&w, 14);
	buf_put_u32(&w, ordinal);
	buf_put_u32(&w, param);
	assert_int_equal(buf_writer_error(&w), 0);
	return buf_writer_len(&w);
}

static void assert_canary(const BYTE *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p[i], CANARY);
}

/*
 * Sends GetRandom(16) and checks the fake's well-formed answer, which
 * must be the answer to this very command (its sequence number is the
 * fake's latest), not a late one.
 */
static void expect_good(struct tpmdd *tpm, struct fake_tpm *fake)
{
	BYTE cmd[16], rsp[TPMDD_BUFSIZE + CANARY_LEN];
	size_t cmd_len = build_cmd(cmd, sizeof(cmd), ORD_GET_RANDOM, 16);
	size_t len = TPMDD_BUFSIZE;
	struct buf_reader r;
	uint16_t tag = 0;
	uint32_t size = 0, result = 1, n = 0, seq = 0;

	memset(rsp, CANARY, sizeof(rsp));
	assert_int_equal(tpmdd_transmit(tpm, cmd, cmd_len, rsp, &len), TSS_SUCCESS);
	assert_int_equal(len, FAKE_TPM_GOOD_LEN);
	buf_reader_init(&r, rsp, len);
	buf_get_u16(&r, &tag);
	buf_get_u32(&r, &size);
	buf_get_u32(&r, &result);
	buf_get_u32(&r, &n);
	buf_get_u32(&r, &seq);
	assert_int_equal(buf_reader_error(&r), 0);
	assert_int_equal(tag, 0x00C4);
	assert_int_equal(size, FAKE_TPM_GOOD_LEN);
	assert_int_equal(result, 0);
	assert_int_equal(n, 16);
	assert_int_equal(seq, fake_tpm_commands(fake));
	for (size_t i = 18; i < FAKE_TPM_GOOD_LEN; i++)
		assert_int_equal(rsp[i], FAKE_TPM_GOOD_BYTE);
	assert_canary(rsp + FAKE_TPM_GOOD_LEN, sizeof(rsp) - FAKE_TPM_GOOD_LEN);
}

static int setup_swtpm(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	fx->c = *state;
	fx->fake = fake_tpm_start_swtpm();
	if (fx->fake == NULL || tpmdd_open(fake_tpm_uri(fx->fake), &fx->tpm) != TSS_SUCCESS) {
		fake_tpm_stop(fx->fake);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int setup_pty(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	fx->c = *state;
	fx->fake = fake_tpm_start_pty();
	if (fx->fake == NULL || tpmdd_open(fake_tpm_uri(fx->fake), &fx->tpm) != TSS_SUCCESS) {
		fake_tpm_stop(fx->fake);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	tpmdd_close(fx->tpm);
	fake_tpm_stop(fx->fake);
	free(fx);
	return 0;
}

/* One armed fault through tpmdd_transmit, then a good exchange. */
static void test_fault(void **state)
{
	struct fixture *fx = *state;
	const struct fault_case *c = fx->c;
	BYTE cmd[16], rsp[TPMDD_BUFSIZE + CANARY_LEN];
	size_t cmd_len = build_cmd(cmd, sizeof(cmd), ORD_GET_RANDOM, 16);
	size_t len = TPMDD_BUFSIZE;
	long t0, elapsed;
	TSS_RESULT rc;

	expect_good(fx->tpm, fx->fake);
	memset(rsp, CANARY, sizeof(rsp));
	fake_tpm_arm(fx->fake, c->fault);
	t0 = now_ms();
	rc = tpmdd_transmit(fx->tpm, cmd, cmd_len, rsp, &len);
	elapsed = now_ms() - t0;
	print_message("%s: %s after %ld ms\n", c->name, tpmdd_strerror(rc), elapsed);
	assert_int_equal(rc, TDDL_ERROR(c->expect));
	assert_int_equal(len, 0);
	assert_canary(rsp + TPMDD_BUFSIZE, CANARY_LEN);
	assert_true(elapsed >= c->min_ms);
	assert_true(elapsed < 5000);

	/* A late answer must have arrived, and been thrown away, first. */
	if (c->fault == FAKE_LATE)
		sleep_ms(3 * FAKE_TPM_SHORT_MS);
	expect_good(fx->tpm, fx->fake);
	expect_good(fx->tpm, fx->fake);
}

static const struct fault_case swtpm_cases[] = {
	{ "swtpm truncated+close", FAKE_TRUNCATED_CLOSE, TDDL_E_IOERROR, 0 },
	{ "swtpm truncated+stall", FAKE_TRUNCATED_STALL, TDDL_E_TIMEOUT, FAKE_TPM_SHORT_MS - 50 },
	{ "swtpm short header", FAKE_SHORT_HEADER, TDDL_E_TIMEOUT, FAKE_TPM_SHORT_MS - 50 },
	{ "swtpm paramSize 5000", FAKE_OVERSIZED, TDDL_E_BADTAG, 0 },
	{ "swtpm paramSize 2^32-1", FAKE_HUGE_SIZE, TDDL_E_BADTAG, 0 },
	{ "swtpm paramSize 6", FAKE_SIZE_BELOW_HEADER, TDDL_E_BADTAG, 0 },
	{ "swtpm paramSize < sent", FAKE_SIZE_SMALLER, TDDL_E_BADTAG, 0 },
	{ "swtpm request tag", FAKE_WRONG_TAG, TDDL_E_BADTAG, 0 },
	{ "swtpm garbage", FAKE_GARBAGE, TDDL_E_BADTAG, 0 },
	{ "swtpm silent", FAKE_SILENT, TDDL_E_TIMEOUT, FAKE_TPM_SHORT_MS - 50 },
	{ "swtpm late", FAKE_LATE, TDDL_E_TIMEOUT, FAKE_TPM_SHORT_MS - 50 },
};

static const struct fault_case pty_cases[] = {
	/* One read() brings what the device has: fewer bytes than promised. */
	{ "pty truncated", FAKE_TRUNCATED_STALL, TDDL_E_BADTAG, 0 },
	{ "pty short header", FAKE_SHORT_HEADER, TDDL_E_BADTAG, 0 },
	{ "pty paramSize 5000", FAKE_OVERSIZED, TDDL_E_BADTAG, 0 },
	{ "pty paramSize 2^32-1", FAKE_HUGE_SIZE, TDDL_E_BADTAG, 0 },
	{ "pty paramSize 6", FAKE_SIZE_BELOW_HEADER, TDDL_E_BADTAG, 0 },
	{ "pty paramSize < sent", FAKE_SIZE_SMALLER, TDDL_E_BADTAG, 0 },
	{ "pty request tag", FAKE_WRONG_TAG, TDDL_E_BADTAG, 0 },
	{ "pty garbage", FAKE_GARBAGE, TDDL_E_BADTAG, 0 },
	{ "pty late", FAKE_LATE, TDDL_E_TIMEOUT, FAKE_TPM_SHORT_MS - 50 },
};

/*
 * The backend alone, with a buffer smaller than the response: the
 * header is refused before a byte of the body lands in the buffer.
 */
static void backend_small_buffer(const struct tpmdd_backend *be, const char *uri,
				 struct fake_tpm *fake)
{
	const char *arg = strchr(uri, ':') + 1;
	BYTE cmd[16], rsp[24 + CANARY_LEN];
	size_t cmd_len = build_cmd(cmd, sizeof(cmd), ORD_GET_RANDOM, 16);
	size_t len = 99;
	void *st = NULL;

	assert_int_equal(be->open(arg, &st), TSS_SUCCESS);
	/* A good 30-byte response does not fit 24 bytes. */
	memset(rsp, CANARY, sizeof(rsp));
	assert_int_not_equal(be->transmit(st, cmd, cmd_len, rsp, 24, &len, 2000), TSS_SUCCESS);
	assert_int_equal(len, 0);
	assert_canary(rsp + 24, CANARY_LEN);
	/* Neither does one that claims 5000 bytes. */
	fake_tpm_arm(fake, FAKE_OVERSIZED);
	memset(rsp, CANARY, sizeof(rsp));
	assert_int_equal(be->transmit(st, cmd, cmd_len, rsp, 24, &len, 2000),
			 TDDL_ERROR(TDDL_E_BADTAG));
	assert_int_equal(len, 0);
	assert_canary(rsp + 24, CANARY_LEN);
	/* With room, the next exchange is in step again. */
	{
		BYTE big[TPMDD_BUFSIZE];

		if (be == &tpmdd_backend_dev)
			sleep_ms(50);	/* the pty's leftover bytes settle */
		assert_int_equal(be->transmit(st, cmd, cmd_len, big, sizeof(big), &len, 2000),
				 TSS_SUCCESS);
		assert_int_equal(len, FAKE_TPM_GOOD_LEN);
	}
	be->close(st);
}

static void test_swtpm_backend_small_buffer(void **state)
{
	struct fake_tpm *fake = fake_tpm_start_swtpm();

	(void)state;
	assert_non_null(fake);
	backend_small_buffer(&tpmdd_backend_swtpm, fake_tpm_uri(fake), fake);
	fake_tpm_stop(fake);
}

static void test_dev_backend_small_buffer(void **state)
{
	struct fake_tpm *fake = fake_tpm_start_pty();

	(void)state;
	assert_non_null(fake);
	backend_small_buffer(&tpmdd_backend_dev, fake_tpm_uri(fake), fake);
	fake_tpm_stop(fake);
}

/* ---- cancel ---- */

struct cancel_arg {
	struct tpmdd *tpm;
	long delay_ms;
	TSS_RESULT rc;
};

static void *cancel_later(void *p)
{
	struct cancel_arg *a = p;

	sleep_ms(a->delay_ms);
	a->rc = tpmdd_cancel(a->tpm);
	return NULL;
}

/* A LONG command the fake never answers (or answers late) is cancelled. */
static void cancel_long_command(struct fixture *fx, enum fake_fault fault)
{
	BYTE cmd[16], rsp[TPMDD_BUFSIZE + CANARY_LEN];
	size_t cmd_len = build_cmd(cmd, sizeof(cmd), ORD_CREATE_EK, 0);
	size_t len = TPMDD_BUFSIZE;
	struct cancel_arg a = { .tpm = fx->tpm, .delay_ms = 100, .rc = 1 };
	pthread_t thr;
	long t0, elapsed;

	expect_good(fx->tpm, fx->fake);
	/* Nothing in flight: a cancel says so (TSS 1.2 Tddli_Cancel) and harms nothing. */
	assert_int_equal(tpmdd_cancel(fx->tpm), TDDL_ERROR(TDDL_E_COMMAND_COMPLETED));
	expect_good(fx->tpm, fx->fake);

	memset(rsp, CANARY, sizeof(rsp));
	fake_tpm_arm(fx->fake, fault);
	assert_int_equal(pthread_create(&thr, NULL, cancel_later, &a), 0);
	t0 = now_ms();
	assert_int_equal(tpmdd_transmit(fx->tpm, cmd, cmd_len, rsp, &len),
			 TDDL_ERROR(TDDL_E_COMMAND_ABORTED));
	elapsed = now_ms() - t0;
	pthread_join(thr, NULL);
	print_message("cancelled after %ld ms\n", elapsed);
	assert_int_equal(a.rc, TSS_SUCCESS);
	assert_int_equal(len, 0);
	assert_canary(rsp, sizeof(rsp));
	assert_true(elapsed < 1000);	/* the LONG deadline is 30 s */

	/* The abandoned command's late answer must not be taken for the next one's. */
	if (fault == FAKE_LATE)
		sleep_ms(3 * FAKE_TPM_SHORT_MS);
	expect_good(fx->tpm, fx->fake);
	expect_good(fx->tpm, fx->fake);
}

static void test_swtpm_cancel(void **state)
{
	cancel_long_command(*state, FAKE_SILENT);
}

static void test_swtpm_cancel_late(void **state)
{
	cancel_long_command(*state, FAKE_LATE);
}

static void test_pty_cancel_late(void **state)
{
	cancel_long_command(*state, FAKE_LATE);
}

/* ---- the TPM disappears ---- */

static void test_swtpm_unplug(void **state)
{
	struct fixture *fx = *state;
	BYTE cmd[16], rsp[TPMDD_BUFSIZE];
	size_t cmd_len = build_cmd(cmd, sizeof(cmd), ORD_GET_RANDOM, 16);
	size_t len = sizeof(rsp);

	expect_good(fx->tpm, fx->fake);
	fake_tpm_unplug(fx->fake);
	/* Between commands: the closed connection is noticed, nothing listens. */
	assert_int_equal(tpmdd_transmit(fx->tpm, cmd, cmd_len, rsp, &len),
			 TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND));
	assert_int_equal(len, 0);
}

static void test_pty_unplug(void **state)
{
	struct fixture *fx = *state;
	BYTE cmd[16], rsp[TPMDD_BUFSIZE];
	size_t cmd_len = build_cmd(cmd, sizeof(cmd), ORD_GET_RANDOM, 16);
	size_t len = sizeof(rsp);
	TSS_RESULT rc;

	expect_good(fx->tpm, fx->fake);
	fake_tpm_unplug(fx->fake);
	assert_int_equal(tpmdd_transmit(fx->tpm, cmd, cmd_len, rsp, &len),
			 TDDL_ERROR(TDDL_E_IOERROR));
	assert_int_equal(len, 0);
	/* Then the node is gone (or dead): still a clean error, never success. */
	len = sizeof(rsp);
	rc = tpmdd_transmit(fx->tpm, cmd, cmd_len, rsp, &len);
	print_message("after unplug: %s\n", tpmdd_strerror(rc));
	assert_int_not_equal(rc, TSS_SUCCESS);
	assert_int_equal(len, 0);
}

/* ---- control channel ---- */

/*
 * CMD_INIT only for a TPM that is not running: reopening must not reset
 * it. (swtpm serves one data connection at a time, like the one-opener
 * Linux driver, so the first handle is closed first.)
 */
static void test_swtpm_init_once(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fake_tpm_inits(fx->fake), 1);
	expect_good(fx->tpm, fx->fake);
	tpmdd_close(fx->tpm);
	fx->tpm = NULL;
	assert_int_equal(tpmdd_open(fake_tpm_uri(fx->fake), &fx->tpm), TSS_SUCCESS);
	assert_int_equal(fake_tpm_inits(fx->fake), 1);
	assert_int_equal(fake_tpm_connections(fx->fake), 2);
	expect_good(fx->tpm, fx->fake);
}

static void test_swtpm_nothing_listens(void **state)
{
	struct tpmdd *tpm = NULL;
	char uri[64];
	int port = 0;

	(void)state;
	assert_int_equal(harness_free_tcp_ports(2, &port), 0);
	snprintf(uri, sizeof(uri), "swtpm:tcp://127.0.0.1:%d", port);
	assert_int_equal(tpmdd_open(uri, &tpm), TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND));
	assert_null(tpm);
}

#define FAULT_TEST(setup, c) \
	cmocka_unit_test_prestate_setup_teardown(test_fault, setup, teardown, (void *)&(c))
#define FIXTURE_TEST(fn, setup) \
	cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, NULL)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FAULT_TEST(setup_swtpm, swtpm_cases[0]),
		FAULT_TEST(setup_swtpm, swtpm_cases[1]),
		FAULT_TEST(setup_swtpm, swtpm_cases[2]),
		FAULT_TEST(setup_swtpm, swtpm_cases[3]),
		FAULT_TEST(setup_swtpm, swtpm_cases[4]),
		FAULT_TEST(setup_swtpm, swtpm_cases[5]),
		FAULT_TEST(setup_swtpm, swtpm_cases[6]),
		FAULT_TEST(setup_swtpm, swtpm_cases[7]),
		FAULT_TEST(setup_swtpm, swtpm_cases[8]),
		FAULT_TEST(setup_swtpm, swtpm_cases[9]),
		FAULT_TEST(setup_swtpm, swtpm_cases[10]),
		FAULT_TEST(setup_pty, pty_cases[0]),
		FAULT_TEST(setup_pty, pty_cases[1]),
		FAULT_TEST(setup_pty, pty_cases[2]),
		FAULT_TEST(setup_pty, pty_cases[3]),
		FAULT_TEST(setup_pty, pty_cases[4]),
		FAULT_TEST(setup_pty, pty_cases[5]),
		FAULT_TEST(setup_pty, pty_cases[6]),
		FAULT_TEST(setup_pty, pty_cases[7]),
		FAULT_TEST(setup_pty, pty_cases[8]),
		cmocka_unit_test(test_swtpm_backend_small_buffer),
		cmocka_unit_test(test_dev_backend_small_buffer),
		FIXTURE_TEST(test_swtpm_cancel, setup_swtpm),
		FIXTURE_TEST(test_swtpm_cancel_late, setup_swtpm),
		FIXTURE_TEST(test_pty_cancel_late, setup_pty),
		FIXTURE_TEST(test_swtpm_unplug, setup_swtpm),
		FIXTURE_TEST(test_pty_unplug, setup_pty),
		FIXTURE_TEST(test_swtpm_init_once, setup_swtpm),
		cmocka_unit_test(test_swtpm_nothing_listens),
	};

	_Static_assert(sizeof(swtpm_cases) / sizeof(swtpm_cases[0]) == 11, "swtpm cases listed");
	_Static_assert(sizeof(pty_cases) / sizeof(pty_cases[0]) == 9, "pty cases listed");
	log_init("test_fake_device", LOG_SINK_STDERR, getenv("TSS12_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
