/*
 * libFuzzer target for libima's ASCII IMA list parser: no crash, no
 * overread; a parsed list replays; an error names an offset inside the
 * input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "ima_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN];
	struct ima_log *log = NULL;
	struct ima_error err;

	if (ima_log_parse_ascii((const char *)data, size, 0, &log, &err) != 0) {
		if (log != NULL || err.offset > size || err.msg[0] == '\0')
			abort();
		return 0;
	}
	if (ima_log_replay(log, pcrs, NULL) != 0)
		abort();
	ima_log_free(log);
	return 0;
}
