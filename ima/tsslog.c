/*
 * tcsd's application event log file (format in ima_log.h): what
 * LogPcrEvent recorded, kept across daemon restarts. Each record carries
 * its own SHA-1 so that a torn append (power loss between the size and
 * the data reaching the disk) is told apart from a valid record.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "ima_log.h"
#include "ima_priv.h"

#define TSSLOG_VERSION 1u
/* The largest body: 4 u32 fields, the version, and the two capped byte strings. */
#define TSSLOG_BODY_MAX (20u + TSSLOG_VALUE_MAX + TSSLOG_EVENT_MAX)

void tsslog_free(struct tsslog *log)
{
	if (log == NULL)
		return;
	for (size_t i = 0; i < log->count; i++) {
		free(log->events[i].value);
		free(log->events[i].event);
	}
	free(log->events);
	free(log);
}

void tsslog_put_header(struct buf_writer *w)
{
	buf_put_bytes(w, TSSLOG_MAGIC, 8);
	buf_put_u32(w, TSSLOG_VERSION);
}

void tsslog_put_record(struct buf_writer *w, uint32_t pcr, uint32_t type, const uint8_t version[4],
		       const uint8_t *value, uint32_t value_len, const uint8_t *event,
		       uint32_t event_len)
{
	uint8_t sum[IMA_SHA1_LEN];
	size_t start = buf_writer_len(w), at;

	if (value_len > TSSLOG_VALUE_MAX || event_len > TSSLOG_EVENT_MAX) {
		buf_writer_fail(w, -E2BIG);
		return;
	}
	at = buf_put_u32_later(w);
	buf_put_u32(w, pcr);
	buf_put_u32(w, type);
	buf_put_bytes(w, version, 4);
	buf_put_sized(w, value, value_len);
	buf_put_sized(w, event, event_len);
	buf_patch_u32(w, at, (uint32_t)(buf_writer_len(w) - at - 4));
	if (buf_writer_error(w) != 0)
		return;
	if (crypto_sha1(w->data + start, buf_writer_len(w) - start, sum) != 0) {
		buf_writer_fail(w, -EIO);
		return;
	}
	buf_put_bytes(w, sum, sizeof(sum));
}

static int parse_record(struct buf_reader *r, size_t idx, struct tsslog_event *ev,
			struct ima_error *err)
{
	struct buf_reader body;
	const uint8_t *start = r->data + r->off, *sum;
	uint8_t want[IMA_SHA1_LEN];
	size_t at = r->off;
	uint32_t len;

	ev->offset = at;
	if (buf_get_u32(r, &len) != 0)
		return ima_fail(err, -EBADMSG, idx, at, "truncated record size");
	if (len > TSSLOG_BODY_MAX)
		return ima_fail(err, -E2BIG, idx, at, "record size %u above %u", len,
				TSSLOG_BODY_MAX);
	if (buf_get_sub(r, &body, len) != 0 || buf_get_ptr(r, &sum, IMA_SHA1_LEN) != 0)
		return ima_fail(err, -EBADMSG, idx, at, "record of %u bytes is cut short", len);
	if (crypto_sha1(start, (size_t)len + 4, want) != 0)
		return ima_fail(err, -EIO, idx, at, "SHA-1 failed");
	if (memcmp(want, sum, IMA_SHA1_LEN) != 0)
		return ima_fail(err, -EBADMSG, idx, at + 4 + len, "record checksum mismatch");
	buf_get_u32(&body, &ev->pcr);
	buf_get_u32(&body, &ev->type);
	buf_get_bytes(&body, ev->version, sizeof(ev->version));
	buf_get_sized_dup(&body, &ev->value, &ev->value_len, TSSLOG_VALUE_MAX);
	buf_get_sized_dup(&body, &ev->event, &ev->event_len, TSSLOG_EVENT_MAX);
	if (buf_reader_done(&body) != 0)
		return ima_fail(err, -EBADMSG, idx, at + 4 + body.off,
				"malformed record body");
	return 0;
}

int tsslog_parse(const uint8_t *data, size_t len, struct tsslog **out, size_t *good_len,
		 struct ima_error *err)
{
	struct tsslog *log;
	struct buf_reader r;
	uint8_t magic[8];
	uint32_t version = 0;
	size_t cap = 0;
	int rc = 0;

	*out = NULL;
	*good_len = 0;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	log = calloc(1, sizeof(*log));
	if (log == NULL)
		return ima_fail(err, -ENOMEM, 0, 0, "out of memory");
	if (len == 0) {
		*out = log;
		return 0;
	}
	buf_reader_init(&r, data, len);
	buf_get_bytes(&r, magic, sizeof(magic));
	buf_get_u32(&r, &version);
	if (buf_reader_error(&r) != 0 || memcmp(magic, TSSLOG_MAGIC, 8) != 0 ||
	    version != TSSLOG_VERSION) {
		tsslog_free(log);
		return ima_fail(err, -EBADMSG, 0, 0, "not a tss12 event log (version %u)",
				version);
	}
	*good_len = r.off;
	while (buf_remaining(&r) != 0) {
		if (log->count == cap) {
			size_t n = cap ? cap * 2 : 32;
			struct tsslog_event *p = realloc(log->events, n * sizeof(*p));

			if (p == NULL) {
				tsslog_free(log);
				return ima_fail(err, -ENOMEM, cap, r.off, "out of memory");
			}
			log->events = p;
			cap = n;
		}
		memset(&log->events[log->count], 0, sizeof(log->events[0]));
		rc = parse_record(&r, log->count, &log->events[log->count], err);
		if (rc != 0) {
			free(log->events[log->count].value);
			free(log->events[log->count].event);
			break;
		}
		log->count++;
		*good_len = r.off;
	}
	*out = log;
	return rc;
}
