/*
 * The dev: backend against a real kernel TPM 1.2 driver (Linux
 * drivers/char/tpm/tpm-dev-common.c): the things a command line cannot
 * reach. test_qemu_dev.sh runs this inside its QEMU guest, where tpm_tis
 * owns a swtpm TPM 1.2; on a host with a TPM 1.2 at /dev/tpm0 it runs
 * there too, and without one it skips (77).
 *
 * - one handle shared by threads: every caller gets its own response;
 * - cancel while the kernel runs the command: the abandoned response is
 *   read and dropped, never taken for the next command's answer (told
 *   apart by size: GetRandom(16) vs GetRandom(32));
 * - the kernel's one-opener rule seen in-process: a second tpmdd_open
 *   gets TDDL_E_ALREADY_OPENED until the first handle is closed;
 * - a caller buffer too small for the response, then a normal command;
 * - an ordinal the TPM does not know comes back as the TPM's own answer.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <tss/tpm_error.h>

#include "buf.h"
#include "log.h"
#include "tpm1_cmd.h"
#include "tpmdd.h"

#define DEVICE		"/dev/tpm0"
#define THREADS		4
#define PER_THREAD	25
#define CANCEL_ROUNDS	40

/* TPM_GetRandom(n), TPM Main Part 3 §13.6. */
static void get_random_cmd(BYTE cmd[14], uint32_t n)
{
	struct buf_writer w;

	buf_writer_init_fixed(&w, cmd, 14);
	buf_put_u16(&w, 0x00C1);	/* TPM_TAG_RQU_COMMAND */
	buf_put_u32(&w, 14);
	buf_put_u32(&w, 0x46);		/* TPM_ORD_GetRandom */
	buf_put_u32(&w, n);
	assert_int_equal(buf_writer_error(&w), 0);
}

/*
 * Parses a GetRandom response: 0 and the byte count when it is a
 * well-formed success, -1 otherwise.
 */
static int parse_random(const BYTE *rsp, size_t len, uint32_t *n)
{
	struct buf_reader r;
	uint16_t tag = 0;
	uint32_t size = 0, result = 0;

	*n = 0;
	buf_reader_init(&r, rsp, len);
	buf_get_u16(&r, &tag);
	buf_get_u32(&r, &size);
	buf_get_u32(&r, &result);
	buf_get_u32(&r, n);
	buf_skip(&r, *n);
	if (buf_reader_error(&r) || tag != 0x00C4 || size != len || result != 0 ||
	    buf_remaining(&r) != 0)
		return -1;
	return 0;
}

/* Sends GetRandom(n) and checks that the answer is the one to this command. */
static TSS_RESULT random_roundtrip(struct tpmdd *tpm, uint32_t n, bool *mine)
{
	BYTE cmd[14], rsp[TPMDD_BUFSIZE];
	size_t len = sizeof(rsp);
	uint32_t got = 0;
	TSS_RESULT rc;

	get_random_cmd(cmd, n);
	*mine = false;
	rc = tpmdd_transmit(tpm, cmd, sizeof(cmd), rsp, &len);
	/* A TPM may return fewer bytes than asked; never more. */
	if (rc == TSS_SUCCESS)
		*mine = parse_random(rsp, len, &got) == 0 && got <= n &&
			(n != 32 || got > 16);
	return rc;
}

static int open_device(void **state)
{
	struct tpmdd *tpm = NULL;

	if (tpmdd_open("dev:" DEVICE, &tpm) != TSS_SUCCESS)
		return -1;
	*state = tpm;
	return 0;
}

static int close_device(void **state)
{
	tpmdd_close(*state);
	return 0;
}

/* ---- threads sharing one handle ---- */

struct worker {
	struct tpmdd *tpm;
	int ok;
};

static void *worker_run(void *p)
{
	struct worker *w = p;
	bool mine;

	for (int i = 0; i < PER_THREAD; i++)
		if (random_roundtrip(w->tpm, 16, &mine) == TSS_SUCCESS && mine)
			w->ok++;
	return NULL;
}

static void test_threads_share_handle(void **state)
{
	struct worker w[THREADS];
	pthread_t thr[THREADS];

	memset(w, 0, sizeof(w));
	for (int i = 0; i < THREADS; i++) {
		w[i].tpm = *state;
		assert_int_equal(pthread_create(&thr[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(thr[i], NULL);
		assert_int_equal(w[i].ok, PER_THREAD);
	}
}

/* ---- cancel, then the next command gets its own answer ---- */

struct canceller {
	struct tpmdd *tpm;
	atomic_bool stop;
};

static void *cancel_run(void *p)
{
	struct canceller *c = p;

	while (!atomic_load(&c->stop))
		tpmdd_cancel(c->tpm);
	return NULL;
}

static void test_cancel_then_next_command(void **state)
{
	struct tpmdd *tpm = *state;
	int aborted = 0, completed = 0;

	for (int i = 0; i < CANCEL_ROUNDS; i++) {
		struct canceller c = { .tpm = tpm };
		pthread_t thr;
		TSS_RESULT rc;
		bool mine = false;

		atomic_init(&c.stop, false);
		assert_int_equal(pthread_create(&thr, NULL, cancel_run, &c), 0);
		rc = random_roundtrip(tpm, 16, &mine);
		atomic_store(&c.stop, true);
		pthread_join(thr, NULL);
		if (rc == TSS_SUCCESS) {
			assert_true(mine);
			completed++;
		} else {
			assert_int_equal(rc, TDDL_ERROR(TDDL_E_COMMAND_ABORTED));
			aborted++;
		}
		/* The next command's answer, not the abandoned 16-byte one. */
		assert_int_equal(random_roundtrip(tpm, 32, &mine), TSS_SUCCESS);
		assert_true(mine);
	}
	print_message("cancel: %d aborted, %d completed before the cancel landed\n",
		      aborted, completed);
	assert_int_equal(aborted + completed, CANCEL_ROUNDS);
}

/* ---- one opener ---- */

static void test_second_open_busy(void **state)
{
	struct tpmdd *second = NULL;
	bool mine = false;

	(void)state;
	/* The fixture's handle holds the device. */
	assert_int_equal(tpmdd_open("dev:" DEVICE, &second), TDDL_ERROR(TDDL_E_ALREADY_OPENED));
	assert_null(second);
	/* The first handle is unharmed. */
	assert_int_equal(random_roundtrip(*state, 16, &mine), TSS_SUCCESS);
	assert_true(mine);
}

static void test_reopen_after_close(void **state)
{
	struct tpmdd *tpm = NULL;
	bool mine = false;

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(tpmdd_open("dev:" DEVICE, &tpm), TSS_SUCCESS);
		assert_int_equal(random_roundtrip(tpm, 16, &mine), TSS_SUCCESS);
		assert_true(mine);
		tpmdd_close(tpm);
		tpm = NULL;
	}
}

/* ---- buffers and odd commands ---- */

static void test_small_caller_buffer(void **state)
{
	BYTE cmd[14], rsp[20];
	size_t len = sizeof(rsp);
	bool mine = false;

	get_random_cmd(cmd, 16);	/* a 30-byte answer */
	assert_int_equal(tpmdd_transmit(*state, cmd, sizeof(cmd), rsp, &len),
			 TDDL_ERROR(TDDL_E_INSUFFICIENT_BUFFER));
	assert_int_equal(random_roundtrip(*state, 32, &mine), TSS_SUCCESS);
	assert_true(mine);
}

static void test_unknown_ordinal(void **state)
{
	/* Ordinal 0x7FF0 is not a TPM 1.2 command: TPM_BAD_ORDINAL (Part 2 §16). */
	static const BYTE cmd[] = { 0x00, 0xC1, 0, 0, 0, 10, 0, 0, 0x7F, 0xF0 };
	BYTE rsp[TPMDD_BUFSIZE];
	size_t len = sizeof(rsp);
	bool mine = false;

	assert_int_equal(tpmdd_transmit(*state, cmd, sizeof(cmd), rsp, &len), TSS_SUCCESS);
	assert_int_equal(len, 10);
	assert_int_equal(tpm1_header_code(rsp, len), TPM_E_BAD_ORDINAL);
	assert_int_equal(random_roundtrip(*state, 16, &mine), TSS_SUCCESS);
	assert_true(mine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_threads_share_handle, open_device, close_device),
		cmocka_unit_test_setup_teardown(test_cancel_then_next_command, open_device,
						close_device),
		cmocka_unit_test_setup_teardown(test_second_open_busy, open_device, close_device),
		cmocka_unit_test(test_reopen_after_close),
		cmocka_unit_test_setup_teardown(test_small_caller_buffer, open_device, close_device),
		cmocka_unit_test_setup_teardown(test_unknown_ordinal, open_device, close_device),
	};
	struct tpmdd *tpm = NULL;
	struct tpm1_chan ch;
	struct tpm1_version_info v;
	TSS_RESULT rc;

	log_init("test_dev_kernel", LOG_SINK_STDERR,
		 getenv("TSS12_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	if (access(DEVICE, F_OK) != 0) {
		printf("SKIP: no " DEVICE " (test_qemu_dev.sh runs this test in a QEMU guest)\n");
		return 77;
	}
	/* Only a TPM 1.2 that nobody else holds is tested. */
	rc = tpmdd_open("dev:" DEVICE, &tpm);
	if (rc == TDDL_ERROR(TDDL_E_ALREADY_OPENED)) {
		printf("SKIP: " DEVICE " is in use by another program\n");
		return 77;
	}
	if (rc != TSS_SUCCESS) {
		printf("SKIP: cannot open " DEVICE ": %s\n", tpmdd_strerror(rc));
		return 77;
	}
	tpm1_chan_tpmdd(&ch, tpm);
	rc = tpm1_get_version_info(&ch, &v);
	tpmdd_close(tpm);
	if (rc != TSS_SUCCESS || v.major != 1 || v.minor != 2) {
		printf("SKIP: " DEVICE " is not a TPM 1.2\n");
		return 77;
	}
	return cmocka_run_group_tests_name("dev backend on the kernel's " DEVICE, tests,
					   NULL, NULL);
}
