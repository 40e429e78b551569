/*
 * libFuzzer target for the bounded reader: the first bytes are a small
 * program of reads (which primitive, which cap), the rest is the input.
 * Whatever the program, no read may go outside the input, and a reader
 * must never report more bytes consumed than it was given.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define PROGRAM_LEN 16

static void run_op(struct buf_reader *r, uint8_t op)
{
	const uint8_t *p;
	uint8_t *dup;
	uint8_t tmp[32];
	uint32_t n32;
	uint16_t n16;
	struct buf_reader sub;

	switch (op % 12) {
	case 0: buf_get_u8(r, NULL); break;
	case 1: buf_get_u16(r, NULL); break;
	case 2: buf_get_u32_le(r, NULL); break;
	case 3: buf_get_u64(r, NULL); break;
	case 4: buf_get_bytes(r, tmp, op % sizeof(tmp)); break;
	case 5: buf_skip(r, op); break;
	case 6:
		if (buf_get_sized_ptr(r, &p, &n32, 1u << (op % 24)) == 0 && n32 > 0)
			memcpy(tmp, p, n32 < sizeof(tmp) ? n32 : sizeof(tmp));
		break;
	case 7:
		if (buf_get_sized_dup(r, &dup, &n32, 4096) == 0)
			free(dup);
		break;
	case 8:
		if (buf_get_sized16_ptr(r, &p, &n16, (uint16_t)(op * 97)) == 0 && n16 > 0)
			memcpy(tmp, p, n16 < sizeof(tmp) ? n16 : sizeof(tmp));
		break;
	case 9:
		if (buf_get_sized_sub(r, &sub, UINT32_MAX) == 0) {
			buf_get_u32(&sub, NULL);
			buf_get_sized_ptr(&sub, &p, &n32, UINT32_MAX);
			if (sub.off > sub.len)
				abort();
		}
		break;
	case 10: buf_get_ptr(r, &p, (size_t)op << 20); break;
	default:
		if (buf_get_dup(r, &dup, op % 40) == 0)
			free(dup);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf_reader r;
	size_t prog = size < PROGRAM_LEN ? size : PROGRAM_LEN;
	size_t i;

	buf_reader_init(&r, data + prog, size - prog);
	for (i = 0; i < prog; i++) {
		run_op(&r, data[i]);
		if (r.off > r.len || buf_remaining(&r) > size - prog)
			abort();
	}
	return 0;
}
