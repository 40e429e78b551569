/*
 * libFuzzer target for libima's binary IMA list parser. The first byte
 * picks the byte order (auto, LE, BE) and whether template digests are
 * verified. A list that parses is replayed and written back in its own
 * order, which must give the input byte for byte (the writer and parser
 * agree); an error must name an offset inside the input.
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
	static const enum ima_byte_order orders[] = { IMA_ORDER_AUTO, IMA_ORDER_LE, IMA_ORDER_BE };
	uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN];
	struct ima_log *log = NULL;
	struct ima_error err;
	struct buf_writer w;

	if (size < 1)
		return 0;
	if (ima_log_parse_binary(data + 1, size - 1, orders[data[0] % 3],
				 (data[0] & 0x80) ? 0 : IMA_PARSE_NO_VERIFY, &log, &err) != 0) {
		if (log != NULL || err.offset > size - 1 || err.msg[0] == '\0')
			abort();
		return 0;
	}
	if (ima_log_replay(log, pcrs, NULL) != 0)
		abort();
	buf_writer_init_dynamic(&w, IMA_FILE_MAX);
	if (ima_log_write_binary(log, log->order, &w) != 0 || buf_writer_len(&w) != size - 1 ||
	    (size > 1 && memcmp(w.data, data + 1, size - 1) != 0))
		abort();
	buf_writer_free(&w);
	ima_log_free(log);
	return 0;
}
