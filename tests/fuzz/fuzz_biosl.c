/*
 * libFuzzer target for libima's TPM 1.2 firmware log parser. A log that
 * parses replays, and written back it is the input up to the zero
 * padding the parser skips.
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
	uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN];
	struct biosl_log *log = NULL;
	struct ima_error err;
	struct buf_writer w;

	if (biosl_parse(data, size, &log, &err) != 0) {
		if (log != NULL || err.offset > size || err.msg[0] == '\0')
			abort();
		return 0;
	}
	if (biosl_replay(log, pcrs, NULL) != 0)
		abort();
	for (size_t i = 0; i < log->count; i++)
		(void)biosl_event_type_name(log->events[i].type);
	buf_writer_init_dynamic(&w, 64u << 20);
	if (biosl_write(log, &w) != 0 || buf_writer_len(&w) > size ||
	    (buf_writer_len(&w) > 0 && memcmp(w.data, data, buf_writer_len(&w)) != 0))
		abort();
	buf_writer_free(&w);
	biosl_log_free(log);
	return 0;
}
