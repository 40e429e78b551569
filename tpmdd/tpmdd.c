/*
 * The tpmdd core: URI dispatch, one command in flight per handle,
 * command and response validation, deadlines from the ordinal's duration
 * class, and the start-up and self-test handling a TPM may need before it
 * answers (TPM Main Part 3 §3.1 Startup, §4.2 ContinueSelfTest; the same
 * recovery Linux drivers/char/tpm does at probe time).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

#define TPMDD_URI_MAX 4096

/* Waits between TPM_RETRY / TPM_DOING_SELFTEST answers, growing. */
#define RETRY_WAIT_FIRST_MS 5
#define RETRY_WAIT_MAX_MS 100

struct tpmdd {
	const struct tpmdd_backend *be;
	void *state;
	char *uri;
	pthread_mutex_t lock;		/* held for the whole of a command */
	/*
	 * Cancel works without lock (the command in flight holds it) and
	 * without a second lock on the hot path. A cancel racing with the end
	 * of a command may hit the next one: it asked to stop "the command
	 * in flight", and that is one. A cancel that finds nothing in flight
	 * is forgotten at the start of the next command (delivered).
	 */
	atomic_bool busy;		/* a command is in the backend */
	atomic_bool cancelled;		/* tpmdd_cancel() hit the command in flight */
	atomic_bool delivered;		/* ... and told the backend */
	struct tpmdd_durations dur;
	/* Responses for callers whose buffer is below TPMDD_BUFSIZE. */
	BYTE bounce[TPMDD_BUFSIZE];
};

/* Scheme -> backend. */
static const struct tpmdd_backend *const backends[] = {
	&tpmdd_backend_dev,
	&tpmdd_backend_swtpm,
	&tpmdd_backend_libtpms,
};

#define URI_FORMS "dev:PATH, swtpm:tcp://HOST:PORT[,ctrl=PORT], " \
		  "swtpm:unix:PATH[,ctrl=PATH] or libtpms:STATEDIR"

/* ---- header checks ---- */

static bool is_request_tag(uint16_t tag)
{
	return tag == TPM_TAG_RQU_COMMAND || tag == TPM_TAG_RQU_AUTH1_COMMAND ||
	       tag == TPM_TAG_RQU_AUTH2_COMMAND;
}

static bool is_response_tag(uint16_t tag)
{
	return tag == TPM_TAG_RSP_COMMAND || tag == TPM_TAG_RSP_AUTH1_COMMAND ||
	       tag == TPM_TAG_RSP_AUTH2_COMMAND;
}

TSS_RESULT tpmdd_cmd_check(const BYTE *cmd, size_t cmd_len, UINT32 *ordinal)
{
	struct buf_reader r;
	uint16_t tag = 0;
	uint32_t size = 0, ord = 0;

	if (ordinal)
		*ordinal = 0;
	if (cmd == NULL || cmd_len < TPM1_HEADER_SIZE || cmd_len > TPMDD_BUFSIZE) {
		log_error("TPM command of %zu bytes refused: must be %d to %d bytes",
			  cmd_len, TPM1_HEADER_SIZE, TPMDD_BUFSIZE);
		return TDDL_ERROR(TSS_E_BAD_PARAMETER);
	}
	buf_reader_init(&r, cmd, cmd_len);
	buf_get_u16(&r, &tag);
	buf_get_u32(&r, &size);
	buf_get_u32(&r, &ord);
	if (!is_request_tag(tag)) {
		log_error("TPM command refused: tag 0x%04x is not a request tag", tag);
		return TDDL_ERROR(TSS_E_BAD_PARAMETER);
	}
	if (size != cmd_len) {
		log_error("TPM command refused: paramSize %u but %zu bytes given", size, cmd_len);
		return TDDL_ERROR(TSS_E_BAD_PARAMETER);
	}
	if (ordinal)
		*ordinal = ord;
	return TSS_SUCCESS;
}

/* Reads and checks a response header; gives paramSize and the result code. */
static TSS_RESULT rsp_header(const BYTE *hdr, size_t hdr_len, size_t cap, size_t *size,
			     uint32_t *result)
{
	struct buf_reader r;
	uint16_t tag = 0;
	uint32_t n = 0;

	*size = 0;
	*result = 0;
	if (hdr == NULL || hdr_len < TPM1_HEADER_SIZE) {
		log_error("TPM response truncated: %zu bytes, the header alone is %d",
			  hdr_len, TPM1_HEADER_SIZE);
		return TDDL_ERROR(TDDL_E_BADTAG);
	}
	buf_reader_init(&r, hdr, hdr_len);
	buf_get_u16(&r, &tag);
	buf_get_u32(&r, &n);
	buf_get_u32(&r, result);
	if (!is_response_tag(tag)) {
		log_error("TPM response refused: tag 0x%04x is not a response tag", tag);
		return TDDL_ERROR(TDDL_E_BADTAG);
	}
	if (n < TPM1_HEADER_SIZE || n > cap) {
		log_error("TPM response refused: paramSize %u outside %d..%zu",
			  n, TPM1_HEADER_SIZE, cap);
		return TDDL_ERROR(TDDL_E_BADTAG);
	}
	*size = n;
	return TSS_SUCCESS;
}

/* A whole response, consistent with its header; gives the result code. */
static TSS_RESULT rsp_parse(const BYTE *rsp, size_t len, uint32_t *result)
{
	size_t size;
	TSS_RESULT rc;

	if ((rc = rsp_header(rsp, len, len, &size, result)) != TSS_SUCCESS)
		return rc;
	if (size != len) {
		log_error("TPM response refused: paramSize %zu but %zu bytes received", size, len);
		return TDDL_ERROR(TDDL_E_BADTAG);
	}
	return TSS_SUCCESS;
}

TSS_RESULT tpmdd_rsp_header_size(const BYTE *hdr, size_t hdr_len, size_t cap, size_t *size)
{
	size_t n;
	uint32_t result;
	TSS_RESULT rc = rsp_header(hdr, hdr_len, cap, &n, &result);

	if (size)
		*size = n;
	return rc;
}

TSS_RESULT tpmdd_rsp_check(const BYTE *rsp, size_t len)
{
	uint32_t result;

	return rsp_parse(rsp, len, &result);
}

/* ---- URIs ---- */

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

TSS_RESULT tpmdd_uri_parse(const char *uri, const struct tpmdd_backend **backend,
			   const char **arg)
{
	const char *colon;
	size_t i, scheme_len;

	*backend = NULL;
	*arg = NULL;
	if (uri == NULL || strnlen(uri, TPMDD_URI_MAX) == TPMDD_URI_MAX || !printable(uri))
		goto bad;
	colon = strchr(uri, ':');
	if (colon == NULL || colon[1] == '\0')
		goto bad;
	scheme_len = (size_t)(colon - uri);
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strlen(backends[i]->scheme) == scheme_len &&
		    strncmp(uri, backends[i]->scheme, scheme_len) == 0) {
			*backend = backends[i];
			*arg = colon + 1;
			break;
		}
	}
	if (*backend == NULL)
		goto bad;
	/* swtpm takes one of two transports; the backend parses the rest. */
	if (*backend == &tpmdd_backend_swtpm &&
	    strncmp(*arg, "tcp://", 6) != 0 && strncmp(*arg, "unix:", 5) != 0)
		goto bad;
	return TSS_SUCCESS;
bad:
	*backend = NULL;
	*arg = NULL;
	log_error("bad TPM URI '%s': use " URI_FORMS, uri && printable(uri) ? uri : "?");
	return TDDL_ERROR(TSS_E_BAD_PARAMETER);
}

/* ---- time ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- sending ---- */

/*
 * One round trip through the backend, response checked against its
 * header. Called with tpm->lock held.
 */
static TSS_RESULT exec_once(struct tpmdd *tpm, const BYTE *cmd, size_t cmd_len,
			    BYTE *rsp, size_t rsp_cap, size_t *rsp_len, unsigned int timeout_ms,
			    uint32_t *result)
{
	TSS_RESULT rc;

	*rsp_len = 0;
	*result = 0;
	if (atomic_load(&tpm->cancelled))
		rc = TDDL_ERROR(TDDL_E_COMMAND_ABORTED);
	else
		rc = tpm->be->transmit(tpm->state, cmd, cmd_len, rsp, rsp_cap, rsp_len, timeout_ms);
	if (rc != TSS_SUCCESS) {
		*rsp_len = 0;
		return rc;
	}
	if (*rsp_len > rsp_cap || (rc = rsp_parse(rsp, *rsp_len, result)) != TSS_SUCCESS) {
		*rsp_len = 0;
		return rc != TSS_SUCCESS ? rc : TDDL_ERROR(TDDL_E_BADTAG);
	}
	return TSS_SUCCESS;
}

/* A command the core sends on its own (Startup, ContinueSelfTest). */
static TSS_RESULT exec_internal(struct tpmdd *tpm, uint32_t ordinal, const BYTE *params,
				size_t params_len, uint32_t *result)
{
	BYTE cmd[TPM1_HEADER_SIZE + 8], rsp[64];
	struct buf_writer w;
	size_t rsp_len = 0;

	*result = 0;
	buf_writer_init_fixed(&w, cmd, sizeof(cmd));
	buf_put_u16(&w, TPM_TAG_RQU_COMMAND);
	buf_put_u32(&w, (uint32_t)(TPM1_HEADER_SIZE + params_len));
	buf_put_u32(&w, ordinal);
	buf_put_bytes(&w, params, params_len);
	if (buf_writer_error(&w) != 0)
		return TDDL_ERROR(TSS_E_BAD_PARAMETER);
	return exec_once(tpm, cmd, buf_writer_len(&w), rsp, sizeof(rsp), &rsp_len,
			 tpmdd_ordinal_timeout_ms(&tpm->dur, ordinal), result);
}

/*
 * Sends a checked command, recovering from the states a TPM can be in
 * after power-on: not started (TPM_INVALID_POSTINIT: send
 * TPM_Startup(ST_CLEAR), the state a fresh boot gives), self test not
 * run (TPM_NEEDS_SELFTEST: send TPM_ContinueSelfTest), or busy
 * (TPM_DOING_SELFTEST, TPM_RETRY: wait a little and resend, within the
 * command's deadline). Each recovery is tried once per command.
 */
static TSS_RESULT exec_recover(struct tpmdd *tpm, const BYTE *cmd, size_t cmd_len,
			       uint32_t ordinal, BYTE *rsp, size_t rsp_cap, size_t *rsp_len)
{
	unsigned int timeout_ms = tpmdd_ordinal_timeout_ms(&tpm->dur, ordinal);
	uint64_t deadline = 0;	/* set at the first busy answer: no clock read otherwise */
	unsigned int wait_ms = RETRY_WAIT_FIRST_MS;
	bool started = false, selftested = false;
	uint32_t result, sub;
	TSS_RESULT rc;

	for (;;) {
		rc = exec_once(tpm, cmd, cmd_len, rsp, rsp_cap, rsp_len, timeout_ms, &result);
		if (rc != TSS_SUCCESS)
			return rc;

		if (result == TPM_E_INVALID_POSTINIT && ordinal != TPM_ORD_Startup && !started) {
			static const BYTE st_clear[2] = { 0, TPM_ST_CLEAR };

			started = true;
			log_info("TPM not started; sending TPM_Startup(ST_CLEAR)");
			rc = exec_internal(tpm, TPM_ORD_Startup, st_clear, sizeof(st_clear), &sub);
			if (rc != TSS_SUCCESS)
				return rc;
			if (sub != TPM_SUCCESS)
				log_warn("TPM_Startup(ST_CLEAR) failed: 0x%x", sub);
			continue;
		}
		if (result == TPM_E_NEEDS_SELFTEST && ordinal != TPM_ORD_ContinueSelfTest &&
		    !selftested) {
			selftested = true;
			log_info("TPM needs its self test; sending TPM_ContinueSelfTest");
			rc = exec_internal(tpm, TPM_ORD_ContinueSelfTest, NULL, 0, &sub);
			if (rc != TSS_SUCCESS)
				return rc;
			if (sub != TPM_SUCCESS && sub != TPM_E_DOING_SELFTEST)
				log_warn("TPM_ContinueSelfTest failed: 0x%x", sub);
			continue;
		}
		if (result == TPM_E_DOING_SELFTEST || result == TPM_E_RETRY) {
			uint64_t t = now_ms();

			if (deadline == 0)
				deadline = t + timeout_ms;
			/* Past the deadline the TPM's own answer goes back. */
			if (t + wait_ms >= deadline)
				return TSS_SUCCESS;
			sleep_ms(wait_ms);
			if (atomic_load(&tpm->cancelled))
				return TDDL_ERROR(TDDL_E_COMMAND_ABORTED);
			wait_ms = wait_ms * 2 > RETRY_WAIT_MAX_MS ? RETRY_WAIT_MAX_MS : wait_ms * 2;
			continue;
		}
		return TSS_SUCCESS;
	}
}

TSS_RESULT tpmdd_transmit(struct tpmdd *tpm, const BYTE *cmd, size_t cmd_len,
			  BYTE *rsp, size_t *rsp_len)
{
	size_t cap, len = 0;
	uint32_t ordinal = 0;
	BYTE *buf;
	TSS_RESULT rc;

	if (tpm == NULL || rsp == NULL || rsp_len == NULL)
		return TDDL_ERROR(TSS_E_BAD_PARAMETER);
	cap = *rsp_len;
	*rsp_len = 0;
	if ((rc = tpmdd_cmd_check(cmd, cmd_len, &ordinal)) != TSS_SUCCESS)
		return rc;

	pthread_mutex_lock(&tpm->lock);
	/* No cancel can land now (not busy): forget an earlier one. */
	if (atomic_load_explicit(&tpm->delivered, memory_order_relaxed)) {
		atomic_store(&tpm->delivered, false);
		atomic_store(&tpm->cancelled, false);
		if (tpm->be->cancel_clear)
			tpm->be->cancel_clear(tpm->state);
	}
	/* Large enough buffers take the response directly: no copy. */
	buf = cap >= TPMDD_BUFSIZE ? rsp : tpm->bounce;
	/* In flight, start-up and self-test recovery included. */
	atomic_store_explicit(&tpm->busy, true, memory_order_release);
	rc = exec_recover(tpm, cmd, cmd_len, ordinal, buf, TPMDD_BUFSIZE, &len);
	atomic_store_explicit(&tpm->busy, false, memory_order_release);
	if (rc == TSS_SUCCESS && buf != rsp) {
		if (len > cap) {
			log_error("TPM response of %zu bytes does not fit the caller's %zu", len, cap);
			rc = TDDL_ERROR(TDDL_E_INSUFFICIENT_BUFFER);
		} else {
			memcpy(rsp, buf, len);
			*rsp_len = len;
		}
	} else if (rc == TSS_SUCCESS) {
		*rsp_len = len;
	}
	pthread_mutex_unlock(&tpm->lock);
	return rc;
}

TSS_RESULT tpmdd_cancel(struct tpmdd *tpm)
{
	TSS_RESULT rc;

	if (tpm == NULL)
		return TDDL_ERROR(TSS_E_BAD_PARAMETER);
	/* Not under tpm->lock: the command in flight holds it. */
	if (!atomic_load(&tpm->busy)) {
		/* Nothing in flight (TSS 1.2 Tddli_Cancel's COMMAND_COMPLETED). */
		rc = TDDL_ERROR(TDDL_E_COMMAND_COMPLETED);
	} else {
		atomic_store(&tpm->delivered, true);
		atomic_store(&tpm->cancelled, true);
		rc = tpm->be->cancel ? tpm->be->cancel(tpm->state) : TDDL_ERROR(TSS_E_NOTIMPL);
	}
	return rc;
}

/* ---- open and close ---- */

/*
 * Reads the TPM's durations (TPM_CAP_PROP_DURATION). The first command
 * a handle sends, so it also starts a TPM that was just powered on.
 */
static TSS_RESULT read_durations(struct tpmdd *tpm)
{
	struct tpm1_chan ch;
	uint32_t us[3];
	TSS_RESULT rc;

	tpm1_chan_tpmdd(&ch, tpm);
	rc = tpm1_get_durations(&ch, us);
	if (ERROR_LAYER(rc) == TSS_LAYER_TDDL && rc != TDDL_ERROR(TDDL_E_BADTAG))
		return rc;	/* the TPM does not talk to us at all */
	if (rc != TSS_SUCCESS) {
		log_info("TPM did not report its durations (0x%x); using defaults "
			 "%u/%u/%u us", rc, TPMDD_DEFAULT_SHORT_US, TPMDD_DEFAULT_MEDIUM_US,
			 TPMDD_DEFAULT_LONG_US);
		tpmdd_durations_default(&tpm->dur);
		return TSS_SUCCESS;
	}
	tpmdd_durations_from_tpm(&tpm->dur, us[0], us[1], us[2]);
	return TSS_SUCCESS;
}

TSS_RESULT tpmdd_open_backend(const struct tpmdd_backend *backend, const char *arg,
			      const char *uri, struct tpmdd **out)
{
	struct tpmdd *tpm = NULL;
	bool locked = false;
	TSS_RESULT rc;

	*out = NULL;
	tpm = calloc(1, sizeof(*tpm));
	if (tpm == NULL || (tpm->uri = strdup(uri)) == NULL) {
		rc = TDDL_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	tpm->be = backend;
	atomic_init(&tpm->busy, false);
	atomic_init(&tpm->cancelled, false);
	atomic_init(&tpm->delivered, false);
	tpmdd_durations_default(&tpm->dur);
	rc = TDDL_ERROR(TSS_E_FAIL);
	if (pthread_mutex_init(&tpm->lock, NULL) != 0)
		goto out;
	locked = true;
	if ((rc = backend->open(arg, &tpm->state)) != TSS_SUCCESS)
		goto out;
	if ((rc = read_durations(tpm)) != TSS_SUCCESS) {
		log_error("%s: the TPM does not answer: %s", uri, tpmdd_strerror(rc));
		backend->close(tpm->state);
		goto out;
	}
	*out = tpm;
	tpm = NULL;
out:
	if (tpm) {
		if (locked)
			pthread_mutex_destroy(&tpm->lock);
		free(tpm->uri);
		free(tpm);
	}
	return rc;
}

TSS_RESULT tpmdd_open(const char *uri, struct tpmdd **out)
{
	const struct tpmdd_backend *backend;
	const char *arg;
	TSS_RESULT rc;

	if (out == NULL)
		return TDDL_ERROR(TSS_E_BAD_PARAMETER);
	*out = NULL;
	if ((rc = tpmdd_uri_parse(uri, &backend, &arg)) != TSS_SUCCESS)
		return rc;
	return tpmdd_open_backend(backend, arg, uri, out);
}

void tpmdd_close(struct tpmdd *tpm)
{
	if (tpm == NULL)
		return;
	/* Waits for a command still in flight in another thread. */
	pthread_mutex_lock(&tpm->lock);
	tpm->be->close(tpm->state);
	pthread_mutex_unlock(&tpm->lock);
	pthread_mutex_destroy(&tpm->lock);
	free(tpm->uri);
	free(tpm);
}

/* ---- properties ---- */

const char *tpmdd_backend_name(const struct tpmdd *tpm)
{
	return tpm ? tpm->be->scheme : NULL;
}

const char *tpmdd_uri(const struct tpmdd *tpm)
{
	return tpm ? tpm->uri : NULL;
}

bool tpmdd_is_software(const struct tpmdd *tpm)
{
	return tpm ? tpm->be->software : false;
}

void tpmdd_get_durations(const struct tpmdd *tpm, UINT32 us[3], bool *from_tpm)
{
	int i;

	for (i = 0; i < TPMDD_DURATION_CLASSES; i++)
		us[i] = tpm->dur.us[i];
	if (from_tpm)
		*from_tpm = tpm->dur.from_tpm;
}

static const struct {
	TSS_RESULT rc;
	const char *msg;
} tddl_messages[] = {
	{ TSS_SUCCESS, "success" },
	{ TDDL_ERROR(TDDL_E_FAIL), "TPM driver failure" },
	{ TDDL_ERROR(TDDL_E_TIMEOUT), "the TPM did not answer in time" },
	{ TDDL_ERROR(TDDL_E_ALREADY_OPENED), "the TPM is already in use" },
	{ TDDL_ERROR(TDDL_E_ALREADY_CLOSED), "the TPM connection is closed" },
	{ TDDL_ERROR(TDDL_E_INSUFFICIENT_BUFFER), "the TPM response does not fit the buffer" },
	{ TDDL_ERROR(TDDL_E_COMMAND_COMPLETED), "the command had already completed" },
	{ TDDL_ERROR(TDDL_E_COMMAND_ABORTED), "the command was cancelled" },
	{ TDDL_ERROR(TDDL_E_IOERROR), "I/O error talking to the TPM" },
	{ TDDL_ERROR(TDDL_E_BADTAG), "malformed TPM response" },
	{ TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND), "no TPM found there" },
	{ TDDL_ERROR(TSS_E_BAD_PARAMETER), "bad parameter" },
	{ TDDL_ERROR(TSS_E_OUTOFMEMORY), "out of memory" },
	{ TDDL_ERROR(TSS_E_NOTIMPL), "not implemented" },
};

const char *tpmdd_strerror(TSS_RESULT rc)
{
	const char *s;
	size_t i;

	for (i = 0; i < sizeof(tddl_messages) / sizeof(tddl_messages[0]); i++)
		if (tddl_messages[i].rc == rc)
			return tddl_messages[i].msg;
	if (ERROR_LAYER(rc) == TSS_LAYER_TPM && (s = tpm1_rc_desc(rc)) != NULL)
		return s;
	if (ERROR_LAYER(rc) == TSS_LAYER_TPM)
		return "the TPM refused the command";
	return "unknown error";
}
