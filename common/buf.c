/* Bounded byte-buffer reader and writer; see buf.h for the contract. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"

int buf_reader_error(const struct buf_reader *r)
{
	return r->err;
}

int buf_reader_done(const struct buf_reader *r)
{
	if (r->err)
		return r->err;
	return r->off == r->len ? 0 : -EBADMSG;
}

int buf_reader_fail(struct buf_reader *r, int err)
{
	if (r->err == 0)
		r->err = err < 0 ? err : -EINVAL;
	return r->err;
}

int buf_get_u64(struct buf_reader *r, uint64_t *v)
{
	uint32_t hi = 0, lo = 0;

	buf_get_u32(r, &hi);
	buf_get_u32(r, &lo);
	if (v != NULL)
		*v = r->err ? 0 : (uint64_t)hi << 32 | lo;
	return r->err;
}

int buf_get_u16_le(struct buf_reader *r, uint16_t *v)
{
	const uint8_t *p = buf_consume(r, 2);

	if (v != NULL)
		*v = p != NULL ? (uint16_t)(p[1] << 8 | p[0]) : 0;
	return r->err;
}

int buf_get_u32_le(struct buf_reader *r, uint32_t *v)
{
	const uint8_t *p = buf_consume(r, 4);

	if (v != NULL)
		*v = p != NULL ? (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
				 (uint32_t)p[1] << 8 | p[0] : 0;
	return r->err;
}

int buf_get_u64_le(struct buf_reader *r, uint64_t *v)
{
	uint32_t lo = 0, hi = 0;

	buf_get_u32_le(r, &lo);
	buf_get_u32_le(r, &hi);
	if (v != NULL)
		*v = r->err ? 0 : (uint64_t)hi << 32 | lo;
	return r->err;
}

int buf_get_bytes(struct buf_reader *r, void *dst, size_t n)
{
	const uint8_t *p = buf_consume(r, n);

	if (dst != NULL && n > 0) {
		if (p != NULL)
			memcpy(dst, p, n);
		else
			memset(dst, 0, n);
	}
	return r->err;
}

int buf_skip(struct buf_reader *r, size_t n)
{
	buf_consume(r, n);
	return r->err;
}

int buf_get_ptr(struct buf_reader *r, const uint8_t **p, size_t n)
{
	const uint8_t *q = buf_consume(r, n);

	if (p != NULL)
		*p = q;
	return r->err;
}

int buf_get_dup(struct buf_reader *r, uint8_t **out, size_t n)
{
	const uint8_t *p;
	uint8_t *copy = NULL;

	if (out != NULL)
		*out = NULL;
	p = buf_consume(r, n);
	if (p == NULL || out == NULL || n == 0)
		return r->err;
	copy = malloc(n);
	if (copy == NULL)
		return buf_reader_fail(r, -ENOMEM);
	memcpy(copy, p, n);
	*out = copy;
	return 0;
}

/* Reads a UINT32 size and checks it against both max and what is left. */
static int get_size(struct buf_reader *r, uint32_t *n, uint32_t max)
{
	uint32_t size;

	*n = 0;
	if (buf_get_u32(r, &size) != 0)
		return r->err;
	if (size > max)
		return buf_reader_fail(r, -E2BIG);
	if (size > r->len - r->off)
		return buf_reader_fail(r, -EBADMSG);
	*n = size;
	return 0;
}

int buf_get_sized_ptr(struct buf_reader *r, const uint8_t **p, uint32_t *n, uint32_t max)
{
	uint32_t size = 0;

	if (p != NULL)
		*p = NULL;
	if (n != NULL)
		*n = 0;
	if (get_size(r, &size, max) != 0 || buf_get_ptr(r, p, size) != 0)
		return r->err;
	if (n != NULL)
		*n = size;
	return 0;
}

int buf_get_sized_dup(struct buf_reader *r, uint8_t **out, uint32_t *n, uint32_t max)
{
	uint32_t size = 0;

	if (out != NULL)
		*out = NULL;
	if (n != NULL)
		*n = 0;
	if (get_size(r, &size, max) != 0 || buf_get_dup(r, out, size) != 0)
		return r->err;
	if (n != NULL)
		*n = size;
	return 0;
}

int buf_get_sized16_ptr(struct buf_reader *r, const uint8_t **p, uint16_t *n, uint16_t max)
{
	uint16_t size = 0;

	if (p != NULL)
		*p = NULL;
	if (n != NULL)
		*n = 0;
	if (buf_get_u16(r, &size) != 0)
		return r->err;
	if (size > max)
		return buf_reader_fail(r, -E2BIG);
	if (buf_get_ptr(r, p, size) != 0)
		return r->err;
	if (n != NULL)
		*n = size;
	return 0;
}

int buf_get_sub(struct buf_reader *r, struct buf_reader *sub, size_t n)
{
	const uint8_t *p = buf_consume(r, n);

	buf_reader_init(sub, p, p != NULL ? n : 0);
	if (r->err)
		sub->err = r->err;
	return r->err;
}

int buf_get_sized_sub(struct buf_reader *r, struct buf_reader *sub, uint32_t max)
{
	uint32_t size = 0;

	if (get_size(r, &size, max) != 0) {
		buf_reader_init(sub, NULL, 0);
		sub->err = r->err;
		return r->err;
	}
	return buf_get_sub(r, sub, size);
}

void buf_writer_init_fixed(struct buf_writer *w, void *mem, size_t cap)
{
	w->data = mem;
	w->len = 0;
	w->cap = mem != NULL ? cap : 0;
	w->max = w->cap;
	w->dynamic = false;
	w->err = 0;
}

void buf_writer_init_dynamic(struct buf_writer *w, size_t max)
{
	w->data = NULL;
	w->len = 0;
	w->cap = 0;
	w->max = max;
	w->dynamic = true;
	w->err = 0;
}

void buf_writer_free(struct buf_writer *w)
{
	if (w->dynamic && w->data != NULL) {
		OPENSSL_cleanse(w->data, w->cap);
		free(w->data);
		w->data = NULL;
		w->cap = 0;
	}
	w->len = 0;
	w->err = 0;
}

int buf_writer_error(const struct buf_writer *w)
{
	return w->err;
}

void buf_writer_fail(struct buf_writer *w, int err)
{
	if (w->err == 0)
		w->err = err < 0 ? err : -EINVAL;
}

size_t buf_writer_len(const struct buf_writer *w)
{
	return w->len;
}

uint8_t *buf_writer_steal(struct buf_writer *w, size_t *len)
{
	uint8_t *data;

	if (len != NULL)
		*len = 0;
	if (w->err || !w->dynamic) {
		buf_writer_free(w);
		return NULL;
	}
	data = w->data;
	if (len != NULL)
		*len = w->len;
	w->data = NULL;
	w->cap = 0;
	w->len = 0;
	return data;
}

/*
 * The single bounds check of the writer: make room for n more bytes and
 * return where they go. Growth wipes the old memory: commands often hold
 * auth values.
 */
static uint8_t *reserve(struct buf_writer *w, size_t n)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (n > w->max - w->len) {
		w->err = -ENOSPC;
		return NULL;
	}
	if (n > w->cap - w->len) {
		size_t want = w->len + n;
		size_t cap = w->cap > 0 ? w->cap : 64;
		uint8_t *grown;

		while (cap < want)
			cap = cap > w->max / 2 ? w->max : cap * 2;
		grown = malloc(cap);
		if (grown == NULL) {
			w->err = -ENOMEM;
			return NULL;
		}
		if (w->data != NULL) {
			memcpy(grown, w->data, w->len);
			OPENSSL_cleanse(w->data, w->cap);
			free(w->data);
		}
		w->data = grown;
		w->cap = cap;
	}
	p = w->data + w->len;
	w->len += n;
	return p;
}

void buf_put_u8(struct buf_writer *w, uint8_t v)
{
	uint8_t *p = reserve(w, 1);

	if (p != NULL)
		p[0] = v;
}

void buf_put_u16(struct buf_writer *w, uint16_t v)
{
	uint8_t *p = reserve(w, 2);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

static void store_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void buf_put_u32(struct buf_writer *w, uint32_t v)
{
	uint8_t *p = reserve(w, 4);

	if (p != NULL)
		store_u32(p, v);
}

void buf_put_u64(struct buf_writer *w, uint64_t v)
{
	buf_put_u32(w, (uint32_t)(v >> 32));
	buf_put_u32(w, (uint32_t)v);
}

void buf_put_u16_le(struct buf_writer *w, uint16_t v)
{
	uint8_t *p = reserve(w, 2);

	if (p != NULL) {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
	}
}

void buf_put_u32_le(struct buf_writer *w, uint32_t v)
{
	uint8_t *p = reserve(w, 4);

	if (p != NULL) {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		p[3] = (uint8_t)(v >> 24);
	}
}

void buf_put_u64_le(struct buf_writer *w, uint64_t v)
{
	buf_put_u32_le(w, (uint32_t)v);
	buf_put_u32_le(w, (uint32_t)(v >> 32));
}

void buf_put_bytes(struct buf_writer *w, const void *p, size_t n)
{
	uint8_t *dst;

	if (n > 0 && p == NULL) {
		buf_writer_fail(w, -EINVAL);
		return;
	}
	dst = reserve(w, n);
	if (dst != NULL && n > 0)
		memcpy(dst, p, n);
}

void buf_put_zeros(struct buf_writer *w, size_t n)
{
	uint8_t *dst = reserve(w, n);

	if (dst != NULL && n > 0)
		memset(dst, 0, n);
}

void buf_put_sized(struct buf_writer *w, const void *p, size_t n)
{
	if (n > UINT32_MAX) {
		buf_writer_fail(w, -E2BIG);
		return;
	}
	buf_put_u32(w, (uint32_t)n);
	buf_put_bytes(w, p, n);
}

void buf_put_sized16(struct buf_writer *w, const void *p, size_t n)
{
	if (n > UINT16_MAX) {
		buf_writer_fail(w, -E2BIG);
		return;
	}
	buf_put_u16(w, (uint16_t)n);
	buf_put_bytes(w, p, n);
}

size_t buf_put_u32_later(struct buf_writer *w)
{
	size_t at = w->len;

	buf_put_u32(w, 0);
	return at;
}

void buf_patch_u32(struct buf_writer *w, size_t at, uint32_t v)
{
	if (w->err)
		return;
	if (at > w->len || w->len - at < 4) {
		w->err = -EINVAL;
		return;
	}
	store_u32(w->data + at, v);
}
