/*
 * libFuzzer target for tcsd's event-log file format (libima tsslog_*):
 * whatever the bytes, the parser keeps a good prefix that ends inside
 * the input, and writing its records again reproduces that prefix.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ima_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsslog *log = NULL;
	struct ima_error err;
	struct buf_writer w;
	size_t good = 0;
	int rc;

	rc = tsslog_parse(data, size, &log, &good, &err);
	if (good > size || (rc != 0 && err.msg[0] == '\0'))
		abort();
	if (log == NULL)
		return 0;
	buf_writer_init_dynamic(&w, 64u << 20);
	if (log->count > 0 || size > 0)
		tsslog_put_header(&w);
	for (size_t i = 0; i < log->count; i++) {
		const struct tsslog_event *ev = &log->events[i];

		tsslog_put_record(&w, ev->pcr, ev->type, ev->version, ev->value, ev->value_len, ev->event,
				  ev->event_len);
	}
	if (buf_writer_error(&w) != 0 || buf_writer_len(&w) != good ||
	    (good > 0 && memcmp(w.data, data, good) != 0))
		abort();
	buf_writer_free(&w);
	tsslog_free(log);
	return 0;
}
