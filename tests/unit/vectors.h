/*
 * Test-vector files for the unit tests.
 *
 * A vector file lives in tests/unit/vectors/ and holds:
 *   - comment lines starting with '#'; the first one says how the bytes
 *     were obtained;
 *   - optional header fields, written as comment lines of the form
 *     "# key=value" (key made of letters, digits, '_', '-' or '.', directly
 *     followed by '='), e.g. "# nonce_odd=0a1b...";
 *   - the data: hex digits, with any whitespace or newlines between them.
 *
 * The files are read from SRCDIR "/vectors/", SRCDIR being set by
 * tests/unit/Makefile.am, so tests work in out-of-tree builds.
 */
#ifndef TSS12_TEST_VECTORS_H
#define TSS12_TEST_VECTORS_H

#include <stddef.h>
#include <stdint.h>

/* Largest vector file accepted, so a broken file cannot exhaust memory. */
#define VECTOR_MAX_FILE (1024 * 1024)

struct vector_kv {
	char *key;
	char *value;
};

struct vector {
	uint8_t *data;
	size_t len;
	struct vector_kv *fields;
	size_t nfields;
};

/*
 * Loads the data bytes of vectors/<name> into fresh heap memory (*data,
 * *len; free() it). Returns 0 or a negative errno: -ENOENT when missing,
 * -EBADMSG when the file holds something that is not hex.
 */
int vector_load(const char *name, uint8_t **data, size_t *len);

/* Loads data and header fields; release with vector_free(). */
int vector_load_full(const char *name, struct vector *v);
void vector_free(struct vector *v);

/* The value of header field key, or NULL if the file has none. */
const char *vector_field(const struct vector *v, const char *key);

/*
 * Decodes header field key, which must be exactly n bytes of hex, into
 * out. Returns 0, -ENOENT if absent, -EBADMSG if not n bytes of hex.
 */
int vector_field_hex(const struct vector *v, const char *key, uint8_t *out, size_t n);

/* Decodes header field key as an unsigned integer (decimal or 0x hex). */
int vector_field_u32(const struct vector *v, const char *key, uint32_t *out);

/* Decodes exactly n bytes from a string of 2n hex digits (0, or -EBADMSG). */
int vector_unhex(const char *hex, uint8_t *out, size_t n);

/* Parses a text in the vector format held in memory (for the loader's own tests). */
int vector_parse(const char *text, size_t text_len, struct vector *v);

#endif /* TSS12_TEST_VECTORS_H */
