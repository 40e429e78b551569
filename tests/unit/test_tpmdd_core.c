/*
 * Unit tests of the tpmdd core: URI parsing, the duration table, command
 * and response header checks, and the core's behaviour (start-up and
 * self-test recovery, retries, buffers, cancel, one command in flight)
 * over a scripted backend.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <tss/platform.h>
#include <tss/tpm.h>
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>
#include <tss/tss_error.h>

#include "buf.h"
#include "duration.h"
#include "log.h"
#include "tpm1_cmd.h"
#include "tpmdd_backend.h"

#define BAD_PARAM TDDL_ERROR(TSS_E_BAD_PARAMETER)
#define BADTAG TDDL_ERROR(TDDL_E_BADTAG)

/* ---- URIs ---- */

static void test_uri_good(void **state)
{
	const struct {
		const char *uri;
		const struct tpmdd_backend *be;
		const char *arg;
	} good[] = {
		{ "dev:/dev/tpm0", &tpmdd_backend_dev, "/dev/tpm0" },
		{ "swtpm:tcp://127.0.0.1:2321", &tpmdd_backend_swtpm, "tcp://127.0.0.1:2321" },
		{ "swtpm:tcp://localhost:2321,ctrl=2400", &tpmdd_backend_swtpm,
		  "tcp://localhost:2321,ctrl=2400" },
		{ "swtpm:unix:/run/swtpm.sock,ctrl=/run/ctrl.sock", &tpmdd_backend_swtpm,
		  "unix:/run/swtpm.sock,ctrl=/run/ctrl.sock" },
		{ "libtpms:/var/lib/tss12/tpm", &tpmdd_backend_libtpms, "/var/lib/tss12/tpm" },
		{ "libtpms:relative/dir", &tpmdd_backend_libtpms, "relative/dir" },
	};
	const struct tpmdd_backend *be;
	const char *arg;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(tpmdd_uri_parse(good[i].uri, &be, &arg), TSS_SUCCESS);
		assert_ptr_equal(be, good[i].be);
		assert_string_equal(arg, good[i].arg);
	}
	assert_string_equal(tpmdd_backend_libtpms.scheme, "libtpms");
	assert_true(tpmdd_backend_libtpms.software);
	assert_true(tpmdd_backend_swtpm.software);
	assert_false(tpmdd_backend_dev.software);
}

static void test_uri_bad(void **state)
{
	static const char *const bad[] = {
		"", "dev", "dev:", "/dev/tpm0", "tpm0", ":x", "foo:/x", "DEV:/dev/tpm0",
		"devx:/dev/tpm0", "swtpm:", "swtpm:127.0.0.1:2321", "swtpm:udp://1.2.3.4:5",
		"swtpm:tcp:/x", "libtpms:", "libtpms", "dev:/dev/tpm0\n", "libtpms:/tmp/\x01x",
	};
	const struct tpmdd_backend *be = &tpmdd_backend_dev;
	const char *arg = "x";
	struct tpmdd *tpm = (struct tpmdd *)&arg;
	char longuri[5000];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tpmdd_uri_parse(bad[i], &be, &arg), BAD_PARAM);
		assert_null(be);
		assert_null(arg);
		assert_int_equal(tpmdd_open(bad[i], &tpm), BAD_PARAM);
		assert_null(tpm);
	}
	assert_int_equal(tpmdd_uri_parse(NULL, &be, &arg), BAD_PARAM);
	assert_int_equal(tpmdd_open(NULL, &tpm), BAD_PARAM);
	assert_int_equal(tpmdd_open("dev:/dev/tpm0", NULL), BAD_PARAM);

	memcpy(longuri, "libtpms:", 8);
	memset(longuri + 8, 'a', sizeof(longuri) - 9);
	longuri[sizeof(longuri) - 1] = '\0';
	assert_int_equal(tpmdd_uri_parse(longuri, &be, &arg), BAD_PARAM);
}

/* ---- durations ---- */

static void test_duration_classes(void **state)
{
	static const uint32_t longs[] = {
		TPM_ORD_TakeOwnership, TPM_ORD_CreateWrapKey, TPM_ORD_MakeIdentity,
		TPM_ORD_CreateEndorsementKeyPair, TPM_ORD_CreateRevocableEK,
		TPM_ORD_SelfTestFull, TPM_ORD_ContinueSelfTest, TPM_ORD_ChangeAuthAsymStart,
		TPM_ORD_CMK_CreateKey, TPM_ORD_DAA_Join, TPM_ORD_DAA_Sign, TPM_ORD_FieldUpgrade,
		TPM_ORD_ExecuteTransport,
	};
	static const uint32_t mediums[] = {
		TPM_ORD_Quote, TPM_ORD_Quote2, TPM_ORD_Seal, TPM_ORD_Unseal, TPM_ORD_LoadKey,
		TPM_ORD_LoadKey2, TPM_ORD_Sign, TPM_ORD_UnBind, TPM_ORD_CertifyKey,
		TPM_ORD_ActivateIdentity, TPM_ORD_SaveState, TPM_ORD_ChangeAuth,
	};
	static const uint32_t shorts[] = {
		TPM_ORD_OIAP, TPM_ORD_OSAP, TPM_ORD_Extend, TPM_ORD_PcrRead, TPM_ORD_GetRandom,
		TPM_ORD_GetCapability, TPM_ORD_Startup, TPM_ORD_ReadPubek, TPM_ORD_FlushSpecific,
		TPM_ORD_PhysicalEnable, TPM_ORD_PhysicalSetDeactivated, TPM_ORD_SetOwnerInstall,
		TPM_ORD_NV_ReadValue, TPM_ORD_GetTicks, TSC_ORD_PhysicalPresence,
		TSC_ORD_ResetEstablishmentBit,
	};
	size_t i;

	for (i = 0; i < sizeof(longs) / sizeof(longs[0]); i++)
		assert_int_equal(tpmdd_ordinal_class(longs[i]), TPMDD_DURATION_LONG);
	for (i = 0; i < sizeof(mediums) / sizeof(mediums[0]); i++)
		assert_int_equal(tpmdd_ordinal_class(mediums[i]), TPMDD_DURATION_MEDIUM);
	for (i = 0; i < sizeof(shorts) / sizeof(shorts[0]); i++)
		assert_int_equal(tpmdd_ordinal_class(shorts[i]), TPMDD_DURATION_SHORT);
	/* Unknown ordinals get the most patient class. */
	assert_int_equal(tpmdd_ordinal_class(0), TPMDD_DURATION_LONG);
	assert_int_equal(tpmdd_ordinal_class(0xff), TPMDD_DURATION_LONG);
	assert_int_equal(tpmdd_ordinal_class(0x100), TPMDD_DURATION_LONG);
	assert_int_equal(tpmdd_ordinal_class(0x20000001), TPMDD_DURATION_LONG);
	assert_int_equal(tpmdd_ordinal_class(UINT32_MAX), TPMDD_DURATION_LONG);
}

static void test_durations_values(void **state)
{
	struct tpmdd_durations d;

	tpmdd_durations_default(&d);
	assert_false(d.from_tpm);
	assert_int_equal(d.us[0], TPMDD_DEFAULT_SHORT_US);
	assert_int_equal(d.us[2], TPMDD_DEFAULT_LONG_US);

	/* Sane values are taken as reported. */
	tpmdd_durations_from_tpm(&d, 750000, 2000000, 60000000);
	assert_true(d.from_tpm);
	assert_false(d.adjusted);
	assert_int_equal(d.us[0], 750000);
	assert_int_equal(d.us[1], 2000000);
	assert_int_equal(d.us[2], 60000000);
	assert_int_equal(tpmdd_ordinal_timeout_ms(&d, TPM_ORD_GetRandom), 750);
	assert_int_equal(tpmdd_ordinal_timeout_ms(&d, TPM_ORD_Quote), 2000);
	assert_int_equal(tpmdd_ordinal_timeout_ms(&d, TPM_ORD_TakeOwnership), 60000);

	/* Milliseconds instead of microseconds (the Broadcom quirk). */
	tpmdd_durations_from_tpm(&d, 750, 2000, 60000);
	assert_true(d.adjusted);
	assert_int_equal(d.us[0], 750000);
	assert_int_equal(d.us[2], 60000000);

	/* Zero and absurd values fall back to the defaults. */
	tpmdd_durations_from_tpm(&d, 0, 0, 0);
	assert_true(d.adjusted);
	assert_int_equal(d.us[0], TPMDD_DEFAULT_SHORT_US);
	assert_int_equal(d.us[1], TPMDD_DEFAULT_MEDIUM_US);
	assert_int_equal(d.us[2], TPMDD_DEFAULT_LONG_US);
	tpmdd_durations_from_tpm(&d, 1000000, UINT32_MAX, 3000000);
	assert_int_equal(d.us[1], TPMDD_DEFAULT_MEDIUM_US);
	/* ... and a longer class never gets less than a shorter one. */
	assert_true(d.us[2] >= d.us[1]);
	/* Timeouts never round to zero. */
	tpmdd_durations_from_tpm(&d, 10000, 10000, 10000);
	assert_int_equal(tpmdd_ordinal_timeout_ms(&d, TPM_ORD_GetRandom), 10);
}

/* ---- header checks ---- */

static size_t mk(BYTE *b, uint16_t tag, uint32_t size, uint32_t code, size_t total)
{
	struct buf_writer w;

	memset(b, 0, total);
	buf_writer_init_fixed(&w, b, total < 10 ? 10 : total);
	buf_put_u16(&w, tag);
	buf_put_u32(&w, size);
	buf_put_u32(&w, code);
	return total;
}

static void test_rsp_header(void **state)
{
	BYTE b[TPMDD_BUFSIZE + 16];
	size_t size = 99;

	/* Exact fit. */
	mk(b, TPM_TAG_RSP_COMMAND, 30, 0, 30);
	assert_int_equal(tpmdd_rsp_header_size(b, 10, 30, &size), TSS_SUCCESS);
	assert_int_equal(size, 30);
	assert_int_equal(tpmdd_rsp_check(b, 30), TSS_SUCCESS);
	mk(b, TPM_TAG_RSP_AUTH1_COMMAND, 10, 0, 10);
	assert_int_equal(tpmdd_rsp_check(b, 10), TSS_SUCCESS);
	mk(b, TPM_TAG_RSP_AUTH2_COMMAND, TPMDD_BUFSIZE, 0, TPMDD_BUFSIZE);
	assert_int_equal(tpmdd_rsp_check(b, TPMDD_BUFSIZE), TSS_SUCCESS);

	/* Truncated header. */
	mk(b, TPM_TAG_RSP_COMMAND, 10, 0, 10);
	assert_int_equal(tpmdd_rsp_header_size(b, 9, 4096, &size), BADTAG);
	assert_int_equal(size, 0);
	assert_int_equal(tpmdd_rsp_header_size(b, 0, 4096, &size), BADTAG);
	assert_int_equal(tpmdd_rsp_header_size(NULL, 10, 4096, &size), BADTAG);
	assert_int_equal(tpmdd_rsp_check(b, 9), BADTAG);

	/* Wrong tags: a request tag, zero, a TPM 2.0 tag. */
	mk(b, TPM_TAG_RQU_COMMAND, 10, 0, 10);
	assert_int_equal(tpmdd_rsp_check(b, 10), BADTAG);
	mk(b, 0, 10, 0, 10);
	assert_int_equal(tpmdd_rsp_check(b, 10), BADTAG);
	mk(b, 0x8001, 10, 0, 10);
	assert_int_equal(tpmdd_rsp_check(b, 10), BADTAG);

	/* paramSize below the header, above the cap, or not the length. */
	mk(b, TPM_TAG_RSP_COMMAND, 9, 0, 10);
	assert_int_equal(tpmdd_rsp_header_size(b, 10, 4096, &size), BADTAG);
	mk(b, TPM_TAG_RSP_COMMAND, 0, 0, 10);
	assert_int_equal(tpmdd_rsp_header_size(b, 10, 4096, &size), BADTAG);
	mk(b, TPM_TAG_RSP_COMMAND, 4097, 0, 10);
	assert_int_equal(tpmdd_rsp_header_size(b, 10, 4096, &size), BADTAG);
	assert_int_equal(tpmdd_rsp_header_size(b, 10, 4097, &size), TSS_SUCCESS);
	mk(b, TPM_TAG_RSP_COMMAND, UINT32_MAX, 0, 10);
	assert_int_equal(tpmdd_rsp_header_size(b, 10, SIZE_MAX, &size), TSS_SUCCESS);
	assert_int_equal(tpmdd_rsp_check(b, 10), BADTAG);
	mk(b, TPM_TAG_RSP_COMMAND, 20, 0, 30);
	assert_int_equal(tpmdd_rsp_check(b, 30), BADTAG);	/* trailing bytes */
	mk(b, TPM_TAG_RSP_COMMAND, 30, 0, 20);
	assert_int_equal(tpmdd_rsp_check(b, 20), BADTAG);	/* body missing */
}

static void test_cmd_check(void **state)
{
	BYTE b[TPMDD_BUFSIZE + 1];
	UINT32 ord = 1;

	mk(b, TPM_TAG_RQU_COMMAND, 14, TPM_ORD_GetRandom, 14);
	assert_int_equal(tpmdd_cmd_check(b, 14, &ord), TSS_SUCCESS);
	assert_int_equal(ord, TPM_ORD_GetRandom);
	mk(b, TPM_TAG_RQU_AUTH2_COMMAND, TPMDD_BUFSIZE, 7, TPMDD_BUFSIZE);
	assert_int_equal(tpmdd_cmd_check(b, TPMDD_BUFSIZE, &ord), TSS_SUCCESS);
	mk(b, TPM_TAG_RQU_COMMAND, 10, TPM_ORD_ContinueSelfTest, 10);
	assert_int_equal(tpmdd_cmd_check(b, 10, NULL), TSS_SUCCESS);

	assert_int_equal(tpmdd_cmd_check(b, 9, &ord), BAD_PARAM);
	assert_int_equal(ord, 0);
	assert_int_equal(tpmdd_cmd_check(b, 0, &ord), BAD_PARAM);
	assert_int_equal(tpmdd_cmd_check(NULL, 10, &ord), BAD_PARAM);
	mk(b, TPM_TAG_RQU_COMMAND, TPMDD_BUFSIZE + 1, 1, TPMDD_BUFSIZE + 1);
	assert_int_equal(tpmdd_cmd_check(b, TPMDD_BUFSIZE + 1, &ord), BAD_PARAM);
	mk(b, TPM_TAG_RQU_COMMAND, 14, 1, 20);
	assert_int_equal(tpmdd_cmd_check(b, 20, &ord), BAD_PARAM);
	mk(b, TPM_TAG_RQU_COMMAND, 20, 1, 14);
	assert_int_equal(tpmdd_cmd_check(b, 14, &ord), BAD_PARAM);
	mk(b, TPM_TAG_RSP_COMMAND, 14, 1, 14);
	assert_int_equal(tpmdd_cmd_check(b, 14, &ord), BAD_PARAM);
}

/* ---- the core over a scripted backend ---- */

#define MAX_SEEN 64

static struct fake {
	/* Answers one command: fills rsp, returns a TSS result. */
	TSS_RESULT (*answer)(const BYTE *cmd, size_t len, BYTE *rsp, size_t cap, size_t *rsp_len);
	uint32_t seen[MAX_SEEN];	/* ordinals in the order sent */
	int nseen;
	int calls;			/* per-ordinal scripts count with this */
	atomic_int inside;		/* concurrent transmits: must stay <= 1 */
	atomic_int max_inside;
	atomic_bool cancelled;
	bool block_until_cancel;
	unsigned int delay_us;
	bool no_durations;		/* GetCapability(DURATION) -> TPM_BAD_MODE */
} fk;

static size_t reply(BYTE *rsp, uint32_t result, const BYTE *body, size_t body_len)
{
	struct buf_writer w;

	buf_writer_init_fixed(&w, rsp, TPMDD_BUFSIZE);
	buf_put_u16(&w, TPM_TAG_RSP_COMMAND);
	buf_put_u32(&w, (uint32_t)(10 + body_len));
	buf_put_u32(&w, result);
	buf_put_bytes(&w, body, body_len);
	return buf_writer_len(&w);
}

/* Default script: durations for GetCapability, success for everything else. */
static TSS_RESULT answer_ok(const BYTE *cmd, size_t len, BYTE *rsp, size_t cap, size_t *rsp_len)
{
	static const BYTE dur[] = { 0, 0, 0, 12, 0, 0x0b, 0x71, 0xb0, 0, 0x1e, 0x84, 0x80,
				    0x03, 0x93, 0x87, 0x00 };	/* 750 ms, 2 s, 60 s */
	uint32_t ord = tpm1_header_code(cmd, len);

	if (ord == TPM_ORD_GetCapability && fk.no_durations)
		*rsp_len = reply(rsp, TPM_E_BAD_MODE, NULL, 0);
	else if (ord == TPM_ORD_GetCapability)
		*rsp_len = reply(rsp, 0, dur, sizeof(dur));
	else
		*rsp_len = reply(rsp, 0, (const BYTE *)"\0\0\0\0", 4);
	return TSS_SUCCESS;
}

static TSS_RESULT fake_open(const char *arg, void **state)
{
	*state = &fk;
	return strcmp(arg, "fail") == 0 ? TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND) : TSS_SUCCESS;
}

static void fake_close(void *state)
{
}

static TSS_RESULT fake_transmit(void *state, const BYTE *cmd, size_t cmd_len, BYTE *rsp,
				size_t rsp_cap, size_t *rsp_len, unsigned int timeout_ms)
{
	int in = atomic_fetch_add(&fk.inside, 1) + 1;
	TSS_RESULT rc;

	if (in > atomic_load(&fk.max_inside))
		atomic_store(&fk.max_inside, in);
	assert_true(timeout_ms > 0);
	if (fk.nseen < MAX_SEEN)
		fk.seen[fk.nseen++] = tpm1_header_code(cmd, cmd_len);
	if (fk.delay_us)
		usleep(fk.delay_us);
	if (fk.block_until_cancel && tpm1_header_code(cmd, cmd_len) != TPM_ORD_GetCapability) {
		while (!atomic_load(&fk.cancelled))
			usleep(1000);
		atomic_fetch_sub(&fk.inside, 1);
		return TDDL_ERROR(TDDL_E_COMMAND_ABORTED);
	}
	rc = fk.answer(cmd, cmd_len, rsp, rsp_cap, rsp_len);
	fk.calls++;
	atomic_fetch_sub(&fk.inside, 1);
	return rc;
}

static TSS_RESULT fake_cancel(void *state)
{
	atomic_store(&fk.cancelled, true);
	return TSS_SUCCESS;
}

static const struct tpmdd_backend fake_backend = {
	.scheme = "fake",
	.software = true,
	.open = fake_open,
	.close = fake_close,
	.transmit = fake_transmit,
	.cancel = fake_cancel,
};

static int fake_setup(void **state)
{
	memset(&fk, 0, sizeof(fk));
	fk.answer = answer_ok;
	return 0;
}

static struct tpmdd *fake_open_tpm(void)
{
	struct tpmdd *tpm = NULL;

	assert_int_equal(tpmdd_open_backend(&fake_backend, "x", "fake:x", &tpm), TSS_SUCCESS);
	assert_non_null(tpm);
	fk.nseen = 0;
	fk.calls = 0;
	return tpm;
}

static size_t get_random_cmd(BYTE *cmd, uint32_t n)
{
	struct buf_writer w;

	buf_writer_init_fixed(&w, cmd, 14);
	buf_put_u16(&w, TPM_TAG_RQU_COMMAND);
	buf_put_u32(&w, 14);
	buf_put_u32(&w, TPM_ORD_GetRandom);
	buf_put_u32(&w, n);
	return buf_writer_len(&w);
}

static void test_core_open(void **state)
{
	struct tpmdd *tpm = NULL;
	UINT32 us[3];
	bool from_tpm = false;

	tpm = fake_open_tpm();
	tpmdd_get_durations(tpm, us, &from_tpm);
	assert_true(from_tpm);
	assert_int_equal(us[0], 750000);
	assert_int_equal(us[1], 2000000);
	assert_int_equal(us[2], 60000000);
	assert_string_equal(tpmdd_backend_name(tpm), "fake");
	assert_string_equal(tpmdd_uri(tpm), "fake:x");
	assert_true(tpmdd_is_software(tpm));
	tpmdd_close(tpm);

	/* A TPM that does not report durations gets the defaults. */
	fk.no_durations = true;
	tpm = fake_open_tpm();
	tpmdd_get_durations(tpm, us, &from_tpm);
	assert_false(from_tpm);
	assert_int_equal(us[2], TPMDD_DEFAULT_LONG_US);
	tpmdd_close(tpm);

	/* A backend that fails to open gives its error and no handle. */
	tpm = (struct tpmdd *)state;
	assert_int_equal(tpmdd_open_backend(&fake_backend, "fail", "fake:fail", &tpm),
			 TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND));
	assert_null(tpm);
}

static TSS_RESULT answer_postinit(const BYTE *cmd, size_t len, BYTE *rsp, size_t cap,
				  size_t *rsp_len)
{
	static bool started;
	uint32_t ord = tpm1_header_code(cmd, len);

	if (fk.calls == 0)
		started = false;
	if (ord == TPM_ORD_Startup) {
		struct buf_reader r;
		uint16_t type = 0;

		buf_reader_init(&r, cmd, len);
		buf_skip(&r, 10);
		buf_get_u16(&r, &type);
		assert_int_equal(type, TPM_ST_CLEAR);
		started = true;
		*rsp_len = reply(rsp, 0, NULL, 0);
		return TSS_SUCCESS;
	}
	if (!started) {
		*rsp_len = reply(rsp, TPM_E_INVALID_POSTINIT, NULL, 0);
		return TSS_SUCCESS;
	}
	return answer_ok(cmd, len, rsp, cap, rsp_len);
}

static void test_core_postinit(void **state)
{
	BYTE cmd[14], rsp[TPMDD_BUFSIZE];
	size_t rsp_len = sizeof(rsp);
	struct tpmdd *tpm = fake_open_tpm();

	fk.answer = answer_postinit;
	assert_int_equal(tpmdd_transmit(tpm, cmd, get_random_cmd(cmd, 4), rsp, &rsp_len),
			 TSS_SUCCESS);
	assert_int_equal(tpm1_header_code(rsp, rsp_len), TPM_SUCCESS);
	assert_int_equal(fk.nseen, 3);
	assert_int_equal(fk.seen[0], TPM_ORD_GetRandom);
	assert_int_equal(fk.seen[1], TPM_ORD_Startup);
	assert_int_equal(fk.seen[2], TPM_ORD_GetRandom);
	tpmdd_close(tpm);
}

/* Always INVALID_POSTINIT: the core tries Startup once, then gives up. */
static TSS_RESULT answer_never_started(const BYTE *cmd, size_t len, BYTE *rsp, size_t cap,
				       size_t *rsp_len)
{
	*rsp_len = reply(rsp, TPM_E_INVALID_POSTINIT, NULL, 0);
	return TSS_SUCCESS;
}

static void test_core_postinit_once(void **state)
{
	BYTE cmd[14], rsp[TPMDD_BUFSIZE];
	size_t rsp_len = sizeof(rsp);
	struct tpmdd *tpm = fake_open_tpm();

	fk.answer = answer_never_started;
	assert_int_equal(tpmdd_transmit(tpm, cmd, get_random_cmd(cmd, 4), rsp, &rsp_len),
			 TSS_SUCCESS);
	assert_int_equal(tpm1_header_code(rsp, rsp_len), TPM_E_INVALID_POSTINIT);
	assert_int_equal(fk.nseen, 3);
	tpmdd_close(tpm);
}

static TSS_RESULT answer_selftest(const BYTE *cmd, size_t len, BYTE *rsp, size_t cap,
				  size_t *rsp_len)
{
	static int state_;
	uint32_t ord = tpm1_header_code(cmd, len);

	if (fk.calls == 0)
		state_ = 0;
	if (ord == TPM_ORD_ContinueSelfTest) {
		state_ = 1;
		*rsp_len = reply(rsp, 0, NULL, 0);
		return TSS_SUCCESS;
	}
	if (state_ == 0) {
		*rsp_len = reply(rsp, TPM_E_NEEDS_SELFTEST, NULL, 0);
		return TSS_SUCCESS;
	}
	/* Then two "busy" answers before the real one. */
	if (state_ < 3) {
		state_++;
		*rsp_len = reply(rsp, state_ == 2 ? TPM_E_DOING_SELFTEST : TPM_E_RETRY, NULL, 0);
		return TSS_SUCCESS;
	}
	return answer_ok(cmd, len, rsp, cap, rsp_len);
}

static void test_core_selftest_retry(void **state)
{
	BYTE cmd[14], rsp[TPMDD_BUFSIZE];
	size_t rsp_len = sizeof(rsp);
	struct tpmdd *tpm = fake_open_tpm();

	fk.answer = answer_selftest;
	assert_int_equal(tpmdd_transmit(tpm, cmd, get_random_cmd(cmd, 4), rsp, &rsp_len),
			 TSS_SUCCESS);
	assert_int_equal(tpm1_header_code(rsp, rsp_len), TPM_SUCCESS);
	assert_int_equal(fk.nseen, 5);
	assert_int_equal(fk.seen[1], TPM_ORD_ContinueSelfTest);
	assert_int_equal(fk.seen[4], TPM_ORD_GetRandom);
	tpmdd_close(tpm);
}

static TSS_RESULT answer_bad_length(const BYTE *cmd, size_t len, BYTE *rsp, size_t cap,
				    size_t *rsp_len)
{
	*rsp_len = reply(rsp, 0, (const BYTE *)"abcd", 4) - 1;	/* one byte short */
	return TSS_SUCCESS;
}

static TSS_RESULT answer_bad_tag(const BYTE *cmd, size_t len, BYTE *rsp, size_t cap,
				 size_t *rsp_len)
{
	*rsp_len = reply(rsp, 0, NULL, 0);
	rsp[1] = 0xc1;
	return TSS_SUCCESS;
}

static TSS_RESULT answer_big(const BYTE *cmd, size_t len, BYTE *rsp, size_t cap,
			     size_t *rsp_len)
{
	static BYTE body[100];

	*rsp_len = reply(rsp, 0, body, sizeof(body));
	return TSS_SUCCESS;
}

static TSS_RESULT answer_io_error(const BYTE *cmd, size_t len, BYTE *rsp, size_t cap,
				  size_t *rsp_len)
{
	return TDDL_ERROR(TDDL_E_IOERROR);
}

static void test_core_bad_responses(void **state)
{
	BYTE cmd[14], rsp[TPMDD_BUFSIZE];
	size_t rsp_len;
	struct tpmdd *tpm = fake_open_tpm();
	size_t n = get_random_cmd(cmd, 4);

	fk.answer = answer_bad_length;
	rsp_len = sizeof(rsp);
	assert_int_equal(tpmdd_transmit(tpm, cmd, n, rsp, &rsp_len), BADTAG);
	assert_int_equal(rsp_len, 0);

	fk.answer = answer_bad_tag;
	rsp_len = sizeof(rsp);
	assert_int_equal(tpmdd_transmit(tpm, cmd, n, rsp, &rsp_len), BADTAG);
	assert_int_equal(rsp_len, 0);

	fk.answer = answer_io_error;
	rsp_len = sizeof(rsp);
	assert_int_equal(tpmdd_transmit(tpm, cmd, n, rsp, &rsp_len), TDDL_ERROR(TDDL_E_IOERROR));
	assert_int_equal(rsp_len, 0);

	/* Responses to small buffers: fits exactly, or does not fit. */
	fk.answer = answer_big;
	rsp_len = 110;
	assert_int_equal(tpmdd_transmit(tpm, cmd, n, rsp, &rsp_len), TSS_SUCCESS);
	assert_int_equal(rsp_len, 110);
	rsp_len = 109;
	assert_int_equal(tpmdd_transmit(tpm, cmd, n, rsp, &rsp_len),
			 TDDL_ERROR(TDDL_E_INSUFFICIENT_BUFFER));
	assert_int_equal(rsp_len, 0);

	/* Malformed commands never reach the backend. */
	fk.nseen = 0;
	rsp_len = sizeof(rsp);
	assert_int_equal(tpmdd_transmit(tpm, cmd, 13, rsp, &rsp_len), BAD_PARAM);
	assert_int_equal(tpmdd_transmit(tpm, cmd, 9, rsp, &rsp_len), BAD_PARAM);
	assert_int_equal(tpmdd_transmit(tpm, NULL, 14, rsp, &rsp_len), BAD_PARAM);
	assert_int_equal(tpmdd_transmit(tpm, cmd, n, NULL, &rsp_len), BAD_PARAM);
	assert_int_equal(tpmdd_transmit(tpm, cmd, n, rsp, NULL), BAD_PARAM);
	assert_int_equal(tpmdd_transmit(NULL, cmd, n, rsp, &rsp_len), BAD_PARAM);
	assert_int_equal(fk.nseen, 0);
	tpmdd_close(tpm);
}

struct sender {
	struct tpmdd *tpm;
	TSS_RESULT rc;
	int n;
};

static void *send_loop(void *arg)
{
	struct sender *s = arg;
	BYTE cmd[14], rsp[TPMDD_BUFSIZE];
	size_t rsp_len;
	int i;

	for (i = 0; i < s->n; i++) {
		rsp_len = sizeof(rsp);
		s->rc = tpmdd_transmit(s->tpm, cmd, get_random_cmd(cmd, 4), rsp, &rsp_len);
		if (s->rc != TSS_SUCCESS)
			break;
	}
	return NULL;
}

static void test_core_one_in_flight(void **state)
{
	struct tpmdd *tpm = fake_open_tpm();
	struct sender s[4];
	pthread_t t[4];
	int i;

	fk.delay_us = 200;
	for (i = 0; i < 4; i++) {
		s[i] = (struct sender){ .tpm = tpm, .n = 25 };
		assert_int_equal(pthread_create(&t[i], NULL, send_loop, &s[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(s[i].rc, TSS_SUCCESS);
	}
	assert_int_equal(atomic_load(&fk.max_inside), 1);
	assert_int_equal(fk.calls, 100);
	tpmdd_close(tpm);
}

static void test_core_cancel(void **state)
{
	struct tpmdd *tpm = fake_open_tpm();
	struct sender s = { .tpm = tpm, .n = 1 };
	struct timespec a, b;
	pthread_t t;

	/* Nothing in flight: a no-op that does not poison the next command. */
	assert_int_equal(tpmdd_cancel(tpm), TDDL_ERROR(TDDL_E_COMMAND_COMPLETED));
	assert_false(atomic_load(&fk.cancelled));
	send_loop(&s);
	assert_int_equal(s.rc, TSS_SUCCESS);

	fk.block_until_cancel = true;
	assert_int_equal(pthread_create(&t, NULL, send_loop, &s), 0);
	while (atomic_load(&fk.inside) == 0)
		usleep(1000);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(tpmdd_cancel(tpm), TSS_SUCCESS);
	pthread_join(t, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(s.rc, TDDL_ERROR(TDDL_E_COMMAND_ABORTED));
	assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 500);

	/* The handle carries the next command. */
	fk.block_until_cancel = false;
	send_loop(&s);
	assert_int_equal(s.rc, TSS_SUCCESS);
	assert_int_equal(tpmdd_cancel(NULL), BAD_PARAM);
	tpmdd_close(tpm);
}

static void test_strerror(void **state)
{
	assert_string_equal(tpmdd_strerror(TSS_SUCCESS), "success");
	assert_non_null(strstr(tpmdd_strerror(TDDL_ERROR(TDDL_E_COMMAND_ABORTED)), "cancel"));
	assert_non_null(strstr(tpmdd_strerror(TDDL_ERROR(TDDL_E_ALREADY_OPENED)), "in use"));
	assert_non_null(strstr(tpmdd_strerror(TPM_E_DISABLED_CMD), "disabled"));
	assert_non_null(tpmdd_strerror(0xfff));
	assert_non_null(tpmdd_strerror(TDDL_ERROR(0x7ff)));
	assert_string_equal(tpm1_rc_name(TPM_E_NEEDS_SELFTEST), "TPM_NEEDS_SELFTEST");
	assert_null(tpm1_rc_name(0x7777));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_good),
		cmocka_unit_test(test_uri_bad),
		cmocka_unit_test(test_duration_classes),
		cmocka_unit_test(test_durations_values),
		cmocka_unit_test(test_rsp_header),
		cmocka_unit_test(test_cmd_check),
		cmocka_unit_test_setup(test_core_open, fake_setup),
		cmocka_unit_test_setup(test_core_postinit, fake_setup),
		cmocka_unit_test_setup(test_core_postinit_once, fake_setup),
		cmocka_unit_test_setup(test_core_selftest_retry, fake_setup),
		cmocka_unit_test_setup(test_core_bad_responses, fake_setup),
		cmocka_unit_test_setup(test_core_one_in_flight, fake_setup),
		cmocka_unit_test_setup(test_core_cancel, fake_setup),
		cmocka_unit_test(test_strerror),
	};

	log_init("test_tpmdd_core", LOG_SINK_NONE, LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
