/* Loader for the hex test-vector files; the format is described in vectors.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

static int hex_nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_key_char(int c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.';
}

/* Records "# key=value" comment lines; other comments are ignored. */
static int parse_comment(const char *line, size_t n, struct vector *v)
{
	size_t i = 1, kstart, klen, vstart, vlen;
	struct vector_kv *grown;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	kstart = i;
	while (i < n && is_key_char((unsigned char)line[i]))
		i++;
	klen = i - kstart;
	if (klen == 0 || i >= n || line[i] != '=')
		return 0;
	vstart = i + 1;
	vlen = n - vstart;
	while (vlen > 0 && isspace((unsigned char)line[vstart + vlen - 1]))
		vlen--;

	grown = realloc(v->fields, (v->nfields + 1) * sizeof(*grown));
	if (grown == NULL)
		return -ENOMEM;
	v->fields = grown;
	grown[v->nfields].key = strndup(line + kstart, klen);
	grown[v->nfields].value = strndup(line + vstart, vlen);
	if (grown[v->nfields].key == NULL || grown[v->nfields].value == NULL) {
		free(grown[v->nfields].key);
		free(grown[v->nfields].value);
		return -ENOMEM;
	}
	v->nfields++;
	return 0;
}

int vector_parse(const char *text, size_t text_len, struct vector *v)
{
	size_t pos = 0, out = 0;
	int hi = -1, rc = 0;

	memset(v, 0, sizeof(*v));
	/* Two hex digits per byte at most: the text length bounds the data. */
	v->data = malloc(text_len / 2 + 1);
	if (v->data == NULL)
		return -ENOMEM;

	while (pos < text_len) {
		size_t end = pos;

		while (end < text_len && text[end] != '\n')
			end++;
		if (text[pos] == '#') {
			if ((rc = parse_comment(text + pos, end - pos, v)) != 0)
				goto out;
		} else {
			for (size_t i = pos; i < end; i++) {
				int c = (unsigned char)text[i], nib;

				if (isspace(c))
					continue;
				if ((nib = hex_nibble(c)) < 0) {
					rc = -EBADMSG;
					goto out;
				}
				if (hi < 0) {
					hi = nib;
				} else {
					v->data[out++] = (uint8_t)(hi << 4 | nib);
					hi = -1;
				}
			}
		}
		pos = end + 1;
	}
	if (hi >= 0)
		rc = -EBADMSG;	/* odd number of hex digits */
	v->len = out;
out:
	if (rc != 0)
		vector_free(v);
	return rc;
}

static int read_file(const char *name, char **text, size_t *len)
{
	char path[4096];
	FILE *f = NULL;
	char *buf = NULL;
	size_t n;
	int rc;

	*text = NULL;
	*len = 0;
	/* Names are plain file names below vectors/, never paths out of it. */
	if (strstr(name, "..") != NULL)
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/vectors/%s", SRCDIR, name) >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	buf = malloc(VECTOR_MAX_FILE + 1);
	if (buf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	n = fread(buf, 1, VECTOR_MAX_FILE + 1, f);
	if (ferror(f)) {
		rc = -EIO;
		goto out;
	}
	if (n > VECTOR_MAX_FILE) {
		rc = -E2BIG;
		goto out;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

int vector_load_full(const char *name, struct vector *v)
{
	char *text;
	size_t len;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = read_file(name, &text, &len)) != 0)
		return rc;
	rc = vector_parse(text, len, v);
	free(text);
	return rc;
}

int vector_load(const char *name, uint8_t **data, size_t *len)
{
	struct vector v;
	int rc;

	*data = NULL;
	*len = 0;
	if ((rc = vector_load_full(name, &v)) != 0)
		return rc;
	*data = v.data;
	*len = v.len;
	v.data = NULL;
	vector_free(&v);
	return 0;
}

void vector_free(struct vector *v)
{
	for (size_t i = 0; i < v->nfields; i++) {
		free(v->fields[i].key);
		free(v->fields[i].value);
	}
	free(v->fields);
	free(v->data);
	memset(v, 0, sizeof(*v));
}

const char *vector_field(const struct vector *v, const char *key)
{
	for (size_t i = 0; i < v->nfields; i++)
		if (strcmp(v->fields[i].key, key) == 0)
			return v->fields[i].value;
	return NULL;
}

int vector_field_hex(const struct vector *v, const char *key, uint8_t *out, size_t n)
{
	const char *s = vector_field(v, key);

	if (s == NULL)
		return -ENOENT;
	return vector_unhex(s, out, n);
}

int vector_unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		int hi = hex_nibble((unsigned char)s[2 * i]);
		int lo = hex_nibble((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EBADMSG;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int vector_field_u32(const struct vector *v, const char *key, uint32_t *out)
{
	const char *s = vector_field(v, key);
	char *end;
	unsigned long val;

	*out = 0;
	if (s == NULL)
		return -ENOENT;
	errno = 0;
	val = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || val > UINT32_MAX)
		return -EBADMSG;
	*out = (uint32_t)val;
	return 0;
}
