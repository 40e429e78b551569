/*
 * Bounded byte-buffer reader and writer: the one place in tss12 where
 * bytes that cross a trust boundary are measured before they are read.
 *
 * Reader: every buf_get_* checks the remaining length itself, by
 * subtraction, and sets a sticky error on failure; later calls fail too,
 * so a parser may check once at the end. Outputs are zeroed on entry
 * and a NULL output pointer skips the value.
 *
 * Writer: every buf_put_* appends or sets the sticky error; a command is
 * built whole and checked once with buf_writer_error().
 *
 * Integers are big-endian (TPM and TCSD wire order) unless the name says
 * _le (TrouSerS' system.data, IMA and BIOS logs on x86).
 *
 * Errors are negative errno values: -EBADMSG for input that ends early,
 * -E2BIG for a length above its cap, -ENOSPC when a writer is full,
 * -ENOMEM when allocation fails, -EINVAL for misuse.
 */
#ifndef TSS12_BUF_H
#define TSS12_BUF_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf_reader {
	const uint8_t *data;
	size_t len;
	size_t off;
	int err;
};

static inline void buf_reader_init(struct buf_reader *r, const void *data, size_t len)
{
	r->data = data;
	r->len = data != NULL ? len : 0;
	r->off = 0;
	r->err = 0;
}

static inline size_t buf_remaining(const struct buf_reader *r)
{
	return r->err ? 0 : r->len - r->off;
}

/*
 * The single bounds check of the reader: consumes n bytes and returns
 * where they start, or fails for good (NULL, sticky -EBADMSG). Written as
 * a subtraction so that no n, however large, can wrap around. Inline,
 * like the fixed-width getters below, because every TPM command and
 * response passes through them.
 */
static inline const uint8_t *buf_consume(struct buf_reader *r, size_t n)
{
	const uint8_t *p;

	if (r->err)
		return NULL;
	if (n > r->len - r->off) {
		r->err = -EBADMSG;
		return NULL;
	}
	p = r->data + r->off;
	r->off += n;
	return p;
}
int buf_reader_error(const struct buf_reader *r);
/* The sticky error, or -EBADMSG if bytes are left over. */
int buf_reader_done(const struct buf_reader *r);
/* Marks the reader failed, e.g. when a parsed value is semantically bad. */
int buf_reader_fail(struct buf_reader *r, int err);

static inline int buf_get_u8(struct buf_reader *r, uint8_t *v)
{
	const uint8_t *p = buf_consume(r, 1);

	if (v != NULL)
		*v = p != NULL ? p[0] : 0;
	return r->err;
}

static inline int buf_get_u16(struct buf_reader *r, uint16_t *v)
{
	const uint8_t *p = buf_consume(r, 2);

	if (v != NULL)
		*v = p != NULL ? (uint16_t)(p[0] << 8 | p[1]) : 0;
	return r->err;
}

static inline int buf_get_u32(struct buf_reader *r, uint32_t *v)
{
	const uint8_t *p = buf_consume(r, 4);

	if (v != NULL)
		*v = p != NULL ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
				 (uint32_t)p[2] << 8 | p[3] : 0;
	return r->err;
}

int buf_get_u64(struct buf_reader *r, uint64_t *v);
int buf_get_u16_le(struct buf_reader *r, uint16_t *v);
int buf_get_u32_le(struct buf_reader *r, uint32_t *v);
int buf_get_u64_le(struct buf_reader *r, uint64_t *v);

/* Copies exactly n bytes into dst (which may be NULL to skip them). */
int buf_get_bytes(struct buf_reader *r, void *dst, size_t n);
int buf_skip(struct buf_reader *r, size_t n);
/* Borrows n bytes in place; *p stays valid as long as the input does. */
int buf_get_ptr(struct buf_reader *r, const uint8_t **p, size_t n);
/* Copies n bytes into fresh heap memory (n == 0 gives *out == NULL). */
int buf_get_dup(struct buf_reader *r, uint8_t **out, size_t n);

/*
 * Length-prefixed fields: a UINT32 (or UINT16) size, then that many
 * bytes. The size must not exceed max, nor the bytes that remain.
 */
int buf_get_sized_ptr(struct buf_reader *r, const uint8_t **p, uint32_t *n, uint32_t max);
int buf_get_sized_dup(struct buf_reader *r, uint8_t **out, uint32_t *n, uint32_t max);
int buf_get_sized16_ptr(struct buf_reader *r, const uint8_t **p, uint16_t *n, uint16_t max);

/* A nested reader over the next n bytes; the outer reader skips them. */
int buf_get_sub(struct buf_reader *r, struct buf_reader *sub, size_t n);
/* A nested reader over a UINT32-length-prefixed field. */
int buf_get_sized_sub(struct buf_reader *r, struct buf_reader *sub, uint32_t max);

struct buf_writer {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
	bool dynamic;
	int err;
};

/* Writes into caller memory of cap bytes; never allocates. */
void buf_writer_init_fixed(struct buf_writer *w, void *mem, size_t cap);
/* Writes into heap memory that grows on demand up to max bytes. */
void buf_writer_init_dynamic(struct buf_writer *w, size_t max);
/* Wipes and frees a dynamic writer's memory; a fixed writer is reset. */
void buf_writer_free(struct buf_writer *w);
int buf_writer_error(const struct buf_writer *w);
/* Marks the writer failed, e.g. when the value to encode is inconsistent. */
void buf_writer_fail(struct buf_writer *w, int err);
size_t buf_writer_len(const struct buf_writer *w);
/* Hands a dynamic writer's memory to the caller (NULL on error). */
uint8_t *buf_writer_steal(struct buf_writer *w, size_t *len);

void buf_put_u8(struct buf_writer *w, uint8_t v);
void buf_put_u16(struct buf_writer *w, uint16_t v);
void buf_put_u32(struct buf_writer *w, uint32_t v);
void buf_put_u64(struct buf_writer *w, uint64_t v);
void buf_put_u16_le(struct buf_writer *w, uint16_t v);
void buf_put_u32_le(struct buf_writer *w, uint32_t v);
void buf_put_u64_le(struct buf_writer *w, uint64_t v);
void buf_put_bytes(struct buf_writer *w, const void *p, size_t n);
void buf_put_zeros(struct buf_writer *w, size_t n);
/* A UINT32 length followed by the bytes; n above UINT32_MAX is an error. */
void buf_put_sized(struct buf_writer *w, const void *p, size_t n);
void buf_put_sized16(struct buf_writer *w, const void *p, size_t n);

/* Remembers where a UINT32 goes that is known only later (a size field). */
size_t buf_put_u32_later(struct buf_writer *w);
void buf_patch_u32(struct buf_writer *w, size_t at, uint32_t v);

/*
 * A big-endian integer into a fixed array, no writer: for the fields of a
 * digest hashed piecewise (the 1S/1H1 digests of Part 1 §13.x).
 */
static inline void buf_store_be16(uint8_t out[2], uint16_t v)
{
	out[0] = (uint8_t)(v >> 8);
	out[1] = (uint8_t)v;
}

static inline void buf_store_be32(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

#endif /* TSS12_BUF_H */
