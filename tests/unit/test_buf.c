/* Unit tests for the bounded reader/writer (common/buf.c): every edge. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"

static void reader_empty(void **state)
{
	struct buf_reader r;
	uint8_t u8 = 0xAA;
	uint32_t u32 = 0xAAAAAAAA;
	const uint8_t *p = (const uint8_t *)"x";

	buf_reader_init(&r, NULL, 0);
	assert_int_equal(buf_remaining(&r), 0);
	assert_int_equal(buf_reader_done(&r), 0);
	/* Zero bytes can always be taken, even from nothing. */
	assert_int_equal(buf_get_bytes(&r, NULL, 0), 0);
	assert_int_equal(buf_get_ptr(&r, &p, 0), 0);
	assert_int_equal(buf_get_u8(&r, &u8), -EBADMSG);
	assert_int_equal(u8, 0);
	/* The error is sticky and outputs are zeroed. */
	assert_int_equal(buf_get_u32(&r, &u32), -EBADMSG);
	assert_int_equal(u32, 0);
	assert_int_equal(buf_reader_done(&r), -EBADMSG);
}

static void reader_integers(void **state)
{
	static const uint8_t in[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	};
	struct buf_reader r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	buf_reader_init(&r, in, sizeof(in));
	assert_int_equal(buf_get_u8(&r, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(buf_get_u16(&r, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(buf_get_u32(&r, &u32), 0);
	assert_int_equal(u32, 0x04050607);
	assert_int_equal(buf_get_u64(&r, &u64), 0);
	assert_true(u64 == 0x08090a0b0c0d0e0fULL);
	assert_int_equal(buf_reader_done(&r), 0);

	buf_reader_init(&r, in, sizeof(in));
	assert_int_equal(buf_get_u16_le(&r, &u16), 0);
	assert_int_equal(u16, 0x0201);
	assert_int_equal(buf_get_u32_le(&r, &u32), 0);
	assert_int_equal(u32, 0x06050403);
	assert_int_equal(buf_get_u64_le(&r, &u64), 0);
	assert_true(u64 == 0x0e0d0c0b0a090807ULL);
	assert_int_equal(buf_remaining(&r), 1);
	assert_int_equal(buf_reader_done(&r), -EBADMSG);
}

/* A value that needs one byte more than is left fails at every width. */
static void reader_truncated(void **state)
{
	static const uint8_t in[8] = { 0 };
	struct buf_reader r;
	uint16_t u16 = 1;
	uint32_t u32 = 1;
	uint64_t u64 = 1;

	buf_reader_init(&r, in, 1);
	assert_int_equal(buf_get_u16(&r, &u16), -EBADMSG);
	assert_int_equal(u16, 0);
	buf_reader_init(&r, in, 3);
	assert_int_equal(buf_get_u32(&r, &u32), -EBADMSG);
	assert_int_equal(u32, 0);
	buf_reader_init(&r, in, 7);
	assert_int_equal(buf_get_u64(&r, &u64), -EBADMSG);
	assert_true(u64 == 0);
	/* A failed read consumes nothing useful: later reads fail too. */
	assert_int_equal(buf_get_u8(&r, NULL), -EBADMSG);
	assert_int_equal(buf_remaining(&r), 0);
}

static void reader_exact_fit(void **state)
{
	static const uint8_t in[] = { 0, 0, 0, 3, 'a', 'b', 'c' };
	struct buf_reader r;
	const uint8_t *p;
	uint32_t n;

	buf_reader_init(&r, in, sizeof(in));
	assert_int_equal(buf_get_sized_ptr(&r, &p, &n, 3), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "abc", 3);
	assert_int_equal(buf_reader_done(&r), 0);

	/* One byte short: the size is checked before anything is read. */
	buf_reader_init(&r, in, sizeof(in) - 1);
	assert_int_equal(buf_get_sized_ptr(&r, &p, &n, 3), -EBADMSG);
	assert_null(p);
	assert_int_equal(n, 0);
}

/* Sizes near 2^32 and SIZE_MAX must not wrap any bounds check. */
static void reader_huge_lengths(void **state)
{
	static const uint8_t ffff[] = { 0xff, 0xff, 0xff, 0xff, 1, 2, 3 };
	static const uint8_t fffe[] = { 0xff, 0xff, 0xff, 0xfe, 1, 2, 3 };
	struct buf_reader r;
	const uint8_t *p;
	uint8_t *dup = (uint8_t *)&r;
	uint32_t n;

	buf_reader_init(&r, ffff, sizeof(ffff));
	assert_int_equal(buf_get_sized_ptr(&r, &p, &n, UINT32_MAX), -EBADMSG);
	buf_reader_init(&r, fffe, sizeof(fffe));
	assert_int_equal(buf_get_sized_dup(&r, &dup, &n, UINT32_MAX), -EBADMSG);
	assert_null(dup);
	/* The cap is applied before the remaining length. */
	buf_reader_init(&r, ffff, sizeof(ffff));
	assert_int_equal(buf_get_sized_ptr(&r, &p, &n, 4096), -E2BIG);

	buf_reader_init(&r, ffff, sizeof(ffff));
	assert_int_equal(buf_skip(&r, 2), 0);
	assert_int_equal(buf_get_bytes(&r, NULL, SIZE_MAX), -EBADMSG);
	buf_reader_init(&r, ffff, sizeof(ffff));
	assert_int_equal(buf_skip(&r, 1), 0);
	assert_int_equal(buf_get_ptr(&r, &p, SIZE_MAX - 0), -EBADMSG);
	assert_null(p);
	buf_reader_init(&r, ffff, sizeof(ffff));
	assert_int_equal(buf_get_dup(&r, &dup, (size_t)UINT32_MAX + 1), -EBADMSG);
	assert_null(dup);
}

static void reader_sized16(void **state)
{
	static const uint8_t in[] = { 0x00, 0x03, 0x01, 0x80, 0xff, 0x00 };
	static const uint8_t big[] = { 0xff, 0xff, 0x01 };
	struct buf_reader r;
	const uint8_t *p;
	uint16_t n;

	buf_reader_init(&r, in, sizeof(in));
	assert_int_equal(buf_get_sized16_ptr(&r, &p, &n, 3), 0);
	assert_int_equal(n, 3);
	assert_int_equal(p[1], 0x80);
	assert_int_equal(buf_reader_done(&r), -EBADMSG);

	buf_reader_init(&r, in, sizeof(in));
	assert_int_equal(buf_get_sized16_ptr(&r, &p, &n, 2), -E2BIG);
	buf_reader_init(&r, big, sizeof(big));
	assert_int_equal(buf_get_sized16_ptr(&r, &p, &n, UINT16_MAX), -EBADMSG);
}

/* Nested length-prefixed fields: an inner reader cannot see past its end. */
static void reader_nested(void **state)
{
	static const uint8_t in[] = {
		0, 0, 0, 6,		/* outer size */
		0, 0, 0, 2, 'h', 'i',	/* inner sized field */
		0xEE,			/* byte after the outer field */
	};
	static const uint8_t lying[] = {
		0, 0, 0, 4,		/* outer size */
		0, 0, 0, 9, 'x', 'y',	/* inner claims 9, outer holds 0 */
	};
	struct buf_reader r, outer, inner;
	const uint8_t *p;
	uint32_t n;
	uint8_t tail;

	buf_reader_init(&r, in, sizeof(in));
	assert_int_equal(buf_get_sized_sub(&r, &outer, 64), 0);
	assert_int_equal(buf_remaining(&outer), 6);
	assert_int_equal(buf_get_sized_ptr(&outer, &p, &n, 64), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(p, "hi", 2);
	assert_int_equal(buf_reader_done(&outer), 0);
	assert_int_equal(buf_get_u8(&r, &tail), 0);
	assert_int_equal(tail, 0xEE);
	assert_int_equal(buf_reader_done(&r), 0);

	/* The inner size is judged against the outer field, not the input. */
	buf_reader_init(&r, lying, sizeof(lying));
	assert_int_equal(buf_get_sized_sub(&r, &outer, 64), 0);
	assert_int_equal(buf_get_sized_sub(&outer, &inner, 64), -EBADMSG);
	assert_int_equal(buf_reader_error(&inner), -EBADMSG);
	assert_int_equal(buf_remaining(&inner), 0);
	/* The outer reader is unaffected by its child's failure. */
	assert_int_equal(buf_reader_error(&r), 0);
	assert_int_equal(buf_remaining(&r), 2);

	/* A sub-reader of a failed reader is failed too. */
	buf_reader_init(&r, lying, 2);
	assert_int_equal(buf_get_sub(&r, &inner, 4), -EBADMSG);
	assert_int_equal(buf_reader_error(&inner), -EBADMSG);
}

static void reader_dup_and_fail(void **state)
{
	static const uint8_t in[] = { 0, 0, 0, 2, 0xAB, 0xCD, 0 };
	struct buf_reader r;
	uint8_t *copy;
	uint32_t n;

	buf_reader_init(&r, in, sizeof(in));
	assert_int_equal(buf_get_sized_dup(&r, &copy, &n, 16), 0);
	assert_non_null(copy);
	assert_int_equal(n, 2);
	assert_int_equal(copy[1], 0xCD);
	free(copy);
	/* A zero-length copy allocates nothing. */
	assert_int_equal(buf_get_dup(&r, &copy, 0), 0);
	assert_null(copy);
	/* A semantic failure stops the reader like a truncation does. */
	assert_int_equal(buf_reader_fail(&r, -EINVAL), -EINVAL);
	assert_int_equal(buf_get_u8(&r, NULL), -EINVAL);
	assert_int_equal(buf_reader_fail(&r, -E2BIG), -EINVAL);
	assert_int_equal(buf_reader_done(&r), -EINVAL);
}

static void writer_fixed(void **state)
{
	uint8_t mem[12];	/* 8 usable bytes, then a canary */
	struct buf_writer w;

	memset(mem, 0x5A, sizeof(mem));
	buf_writer_init_fixed(&w, mem, 8);
	buf_put_u16(&w, 0x0102);
	buf_put_u32(&w, 0x03040506);
	buf_put_u16_le(&w, 0x0807);
	assert_int_equal(buf_writer_error(&w), 0);
	assert_int_equal(buf_writer_len(&w), 8);
	assert_memory_equal(mem, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	/* Full: the next byte is refused, and nothing is written. */
	buf_put_u8(&w, 0xFF);
	assert_int_equal(buf_writer_error(&w), -ENOSPC);
	assert_int_equal(buf_writer_len(&w), 8);
	assert_memory_equal(mem + 8, "\x5A\x5A\x5A\x5A", 4);
	/* The error is sticky even for writes that would fit. */
	buf_put_bytes(&w, NULL, 0);
	assert_int_equal(buf_writer_error(&w), -ENOSPC);
	/* A fixed writer cannot hand its memory away. */
	assert_null(buf_writer_steal(&w, NULL));
}

static void writer_dynamic(void **state)
{
	struct buf_writer w;
	uint8_t block[300];
	uint8_t *out;
	size_t len;
	size_t at;
	struct buf_reader r;
	uint32_t v;

	memset(block, 0x33, sizeof(block));
	buf_writer_init_dynamic(&w, 1024);
	at = buf_put_u32_later(&w);
	buf_put_sized(&w, block, sizeof(block));
	buf_put_sized16(&w, "ab", 2);
	buf_put_u64(&w, 0x1122334455667788ULL);
	buf_put_u64_le(&w, 1);
	buf_put_u32_le(&w, 2);
	buf_put_zeros(&w, 3);
	buf_patch_u32(&w, at, (uint32_t)buf_writer_len(&w));
	assert_int_equal(buf_writer_error(&w), 0);
	out = buf_writer_steal(&w, &len);
	assert_non_null(out);
	assert_int_equal(len, 4 + 4 + 300 + 2 + 2 + 8 + 8 + 4 + 3);

	buf_reader_init(&r, out, len);
	assert_int_equal(buf_get_u32(&r, &v), 0);
	assert_int_equal(v, len);
	assert_int_equal(buf_get_u32(&r, &v), 0);
	assert_int_equal(v, 300);
	free(out);
}

static void writer_limits(void **state)
{
	struct buf_writer w;
	static uint8_t big[64];

	buf_writer_init_dynamic(&w, 16);
	buf_put_bytes(&w, big, 16);
	assert_int_equal(buf_writer_error(&w), 0);
	buf_put_u8(&w, 1);
	assert_int_equal(buf_writer_error(&w), -ENOSPC);
	buf_writer_free(&w);

	buf_writer_init_dynamic(&w, 64);
	buf_put_sized(&w, big, (size_t)UINT32_MAX + 1);
	assert_int_equal(buf_writer_error(&w), -E2BIG);
	buf_writer_free(&w);

	buf_writer_init_dynamic(&w, 64);
	buf_put_sized16(&w, big, (size_t)UINT16_MAX + 1);
	assert_int_equal(buf_writer_error(&w), -E2BIG);
	buf_writer_free(&w);

	/* NULL data with a length is a caller bug, reported not crashed. */
	buf_writer_init_dynamic(&w, 64);
	buf_put_bytes(&w, NULL, 4);
	assert_int_equal(buf_writer_error(&w), -EINVAL);
	assert_null(buf_writer_steal(&w, NULL));

	/* Patching outside what was written is refused. */
	buf_writer_init_dynamic(&w, 64);
	buf_put_u16(&w, 7);
	buf_patch_u32(&w, 0, 1);
	assert_int_equal(buf_writer_error(&w), -EINVAL);
	buf_writer_free(&w);

	buf_writer_init_dynamic(&w, 64);
	buf_put_u32(&w, 7);
	buf_patch_u32(&w, SIZE_MAX, 1);
	assert_int_equal(buf_writer_error(&w), -EINVAL);
	buf_writer_free(&w);
}

/* Writer output read back by the reader: the two agree on every width. */
static void round_trip(void **state)
{
	uint8_t mem[64];
	struct buf_writer w;
	struct buf_reader r;
	uint16_t a, b;
	uint32_t c, d;
	uint64_t e, f;

	buf_writer_init_fixed(&w, mem, sizeof(mem));
	buf_put_u16(&w, 0xBEEF);
	buf_put_u16_le(&w, 0xBEEF);
	buf_put_u32(&w, 0xDEADBEEF);
	buf_put_u32_le(&w, 0xDEADBEEF);
	buf_put_u64(&w, UINT64_MAX - 1);
	buf_put_u64_le(&w, UINT64_MAX - 1);
	assert_int_equal(buf_writer_error(&w), 0);

	buf_reader_init(&r, mem, buf_writer_len(&w));
	buf_get_u16(&r, &a);
	buf_get_u16_le(&r, &b);
	buf_get_u32(&r, &c);
	buf_get_u32_le(&r, &d);
	buf_get_u64(&r, &e);
	buf_get_u64_le(&r, &f);
	assert_int_equal(buf_reader_done(&r), 0);
	assert_int_equal(a, 0xBEEF);
	assert_int_equal(b, 0xBEEF);
	assert_int_equal(c, 0xDEADBEEF);
	assert_int_equal(d, 0xDEADBEEF);
	assert_true(e == UINT64_MAX - 1);
	assert_true(f == UINT64_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reader_empty),
		cmocka_unit_test(reader_integers),
		cmocka_unit_test(reader_truncated),
		cmocka_unit_test(reader_exact_fit),
		cmocka_unit_test(reader_huge_lengths),
		cmocka_unit_test(reader_sized16),
		cmocka_unit_test(reader_nested),
		cmocka_unit_test(reader_dup_and_fail),
		cmocka_unit_test(writer_fixed),
		cmocka_unit_test(writer_dynamic),
		cmocka_unit_test(writer_limits),
		cmocka_unit_test(round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
