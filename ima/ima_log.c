/*
 * The IMA measurement list: binary and ASCII parsers, the writer, replay
 * and boot_aggregate. Formats (Linux security/integrity/ima):
 *
 *   binary record (ima_fs.c, ima_measurements_show):
 *     u32 pcr, u8[20] template digest, u32 name_len, name,
 *     u32 template_data_len (absent for the 'ima' template), template data
 *   template data (ima_template_lib.c): per field u32 len + bytes; the
 *     'ima' template instead has its 20-byte digest without a length and
 *     its name as u32 strlen + bytes (no NUL).
 *   template digest (ima_crypto.c, ima_calc_field_array_hash): SHA-1 of
 *     the template data; for 'ima' SHA-1(digest || name zero-padded to
 *     256 bytes). A violation is logged as all zeros and extended as all
 *     0xFF (ima_api.c, ima_add_violation).
 *
 * Integers are in the writing kernel's byte order, little-endian with
 * ima_canonical_fmt.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "crypto.h"
#include "ima_log.h"
#include "ima_priv.h"

/* ---- errors ---- */

int ima_fail(struct ima_error *err, int code, size_t record, size_t offset, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	err->code = code;
	err->record = record;
	err->offset = offset;
	snprintf(err->msg, sizeof(err->msg), "record %zu at offset %zu: %s", record, offset, what);
	return code;
}

/* ---- byte order ---- */

int ima_get_u32(struct buf_reader *r, enum ima_byte_order o, uint32_t *v)
{
	return o == IMA_ORDER_BE ? buf_get_u32(r, v) : buf_get_u32_le(r, v);
}

void ima_put_u32(struct buf_writer *w, enum ima_byte_order o, uint32_t v)
{
	if (o == IMA_ORDER_BE)
		buf_put_u32(w, v);
	else
		buf_put_u32_le(w, v);
}

/* ---- templates and fields ---- */

enum field_kind {
	F_DIGEST,		/* 'd': 16 or 20 bytes, no algorithm */
	F_DIGEST_ALGO,		/* "<algo>:" '\0' digest ("<type>:<algo>:" for d-ngv2) */
	F_STRING,		/* NUL-terminated */
	F_HEX,			/* opaque bytes, hex in ASCII */
	F_UINT,			/* 0, 1, 2, 4 or 8 bytes, decimal in ASCII */
};

struct field_def {
	const char *id;
	enum field_kind kind;
	bool required;		/* the kernel never leaves it empty */
	uint32_t ascii_uint_len;	/* F_UINT width when rebuilt from ASCII */
};

static const struct field_def field_defs[] = {
	{ "d", F_DIGEST, true, 0 },
	{ "n", F_STRING, true, 0 },
	{ "d-ng", F_DIGEST_ALGO, true, 0 },
	{ "d-ngv2", F_DIGEST_ALGO, true, 0 },
	{ "n-ng", F_STRING, true, 0 },
	{ "sig", F_HEX, false, 0 },
	{ "buf", F_HEX, false, 0 },
	{ "d-modsig", F_DIGEST_ALGO, false, 0 },
	{ "modsig", F_HEX, false, 0 },
	{ "evmsig", F_HEX, false, 0 },
	{ "xattrnames", F_STRING, false, 0 },
	{ "xattrlengths", F_HEX, false, 0 },
	{ "xattrvalues", F_HEX, false, 0 },
	{ "iuid", F_UINT, false, 4 },
	{ "igid", F_UINT, false, 4 },
	{ "imode", F_UINT, false, 2 },
};

/* The kernel's built-in templates (ima_template.c, builtin_templates[]). */
static const struct {
	const char *name;
	const char *fmt;
} builtin_templates[] = {
	{ "ima", "d|n" },
	{ "ima-ng", "d-ng|n-ng" },
	{ "ima-ngv2", "d-ngv2|n-ng" },
	{ "ima-sig", "d-ng|n-ng|sig" },
	{ "ima-sigv2", "d-ngv2|n-ng|sig" },
	{ "ima-buf", "d-ng|n-ng|buf" },
	{ "ima-modsig", "d-ng|n-ng|sig|d-modsig|modsig" },
	{ "evm-sig", "d-ng|n-ng|evmsig|xattrnames|xattrlengths|xattrvalues|iuid|igid|imode" },
};

/* Digest sizes of the kernel's hash_algo_name[] entries IMA can use. */
static const struct {
	const char *name;
	uint32_t len;
} hash_algos[] = {
	{ "md5", 16 },	       { "sha1", 20 },	       { "rmd160", 20 },     { "sha224", 28 },
	{ "sha256", 32 },      { "sha384", 48 },       { "sha512", 64 },     { "sm3", 32 },
	{ "streebog256", 32 }, { "streebog512", 64 },  { "sha3-256", 32 },   { "sha3-384", 48 },
	{ "sha3-512", 64 },    { "wp256", 32 },	       { "wp384", 48 },	     { "wp512", 64 },
	{ "tgr128", 16 },      { "tgr160", 20 },       { "tgr192", 24 },
};

struct template_def {
	bool is_ima;			/* the original 'ima' template */
	unsigned n;
	const struct field_def *fields[IMA_MAX_FIELDS];
};

static const struct field_def *field_by_id(const char *id, size_t len)
{
	for (size_t i = 0; i < sizeof(field_defs) / sizeof(field_defs[0]); i++)
		if (strlen(field_defs[i].id) == len && memcmp(field_defs[i].id, id, len) == 0)
			return &field_defs[i];
	return NULL;
}

/*
 * A built-in name, or a format string of known field ids (the name the
 * kernel shows for a template given with ima_template_fmt=).
 */
static bool template_resolve(const char *name, struct template_def *t)
{
	const char *fmt = name, *p;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < sizeof(builtin_templates) / sizeof(builtin_templates[0]); i++) {
		if (strcmp(builtin_templates[i].name, name) == 0) {
			fmt = builtin_templates[i].fmt;
			t->is_ima = i == 0;
			break;
		}
	}
	for (p = fmt;;) {
		const char *bar = strchr(p, '|');
		size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);
		const struct field_def *f = field_by_id(p, len);

		if (f == NULL || t->n == IMA_MAX_FIELDS)
			return false;
		t->fields[t->n++] = f;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return true;
}

static int hash_len(const char *algo, size_t len)
{
	for (size_t i = 0; i < sizeof(hash_algos) / sizeof(hash_algos[0]); i++)
		if (strlen(hash_algos[i].name) == len && memcmp(hash_algos[i].name, algo, len) == 0)
			return (int)hash_algos[i].len;
	return -1;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/*
 * Checks one field's bytes and fills the decoded members of ev from the
 * first digest and name fields. at: the field's offset in the input.
 */
static int field_check(struct ima_event *ev, const struct template_def *t, unsigned i,
		       size_t idx, size_t at, struct ima_error *err)
{
	const struct field_def *f = t->fields[i];
	const uint8_t *d = ev->fields[i].data;
	uint32_t len = ev->fields[i].len;
	const uint8_t *nul;

	if (len == 0) {
		if (f->required)
			return ima_fail(err, -EBADMSG, idx, at, "field '%s' is empty", f->id);
		return 0;
	}
	switch (f->kind) {
	case F_DIGEST:
		if (len != 16 && len != IMA_SHA1_LEN)
			return ima_fail(err, -EBADMSG, idx, at, "bad digest length %u in field '%s'",
					len, f->id);
		if (ev->file_digest == NULL) {
			ev->file_digest = d;
			ev->file_digest_len = len;
			snprintf(ev->hash_algo, sizeof(ev->hash_algo), "%s",
				 len == 16 ? "md5" : "sha1");
		}
		return 0;
	case F_DIGEST_ALGO: {
		size_t z, a;
		int want;

		nul = memchr(d, 0, len < 40 ? len : 40);
		if (nul == NULL || nul == d || nul[-1] != ':')
			return ima_fail(err, -EBADMSG, idx, at,
					"field '%s' lacks its \"<algo>:\" prefix", f->id);
		z = (size_t)(nul - d);
		/* d-ngv2 has "<type>:<algo>:": the algorithm follows the last ':' before it. */
		for (a = z - 1; a > 0 && d[a - 1] != ':'; a--)
			;
		want = hash_len((const char *)d + a, z - 1 - a);
		if (want < 0)
			return ima_fail(err, -EBADMSG, idx, at, "unknown hash algorithm '%.*s'",
					(int)(z - 1 - a), (const char *)d + a);
		/* A violation carries 20 zero bytes whatever the algorithm. */
		if (len - z - 1 != (uint32_t)want &&
		    !(ev->violation && len - z - 1 == IMA_SHA1_LEN))
			return ima_fail(err, -EBADMSG, idx, at,
					"bad digest length %u for %.*s in field '%s'",
					len - (uint32_t)z - 1, (int)(z - 1 - a), (const char *)d + a,
					f->id);
		if (ev->file_digest == NULL && strcmp(f->id, "d-modsig") != 0) {
			ev->file_digest = nul + 1;
			ev->file_digest_len = len - (uint32_t)z - 1;
			snprintf(ev->hash_algo, sizeof(ev->hash_algo), "%.*s", (int)(z - 1 - a),
				 (const char *)d + a);
		}
		return 0;
	}
	case F_STRING:
		nul = memchr(d, 0, len);
		if (t->is_ima) {
			/* The 'ima' name: no NUL, at most IMA_EVENT_NAME_MAX bytes. */
			if (nul != NULL)
				return ima_fail(err, -EBADMSG, idx, at, "NUL inside the event name");
		} else if (nul != d + len - 1) {
			return ima_fail(err, -EBADMSG, idx, at,
					"field '%s' is not one NUL-terminated string", f->id);
		}
		if (ev->file_name == NULL && f->id[0] == 'n') {
			size_t n = t->is_ima ? len : len - 1;

			ev->file_name = malloc(n + 1);
			if (ev->file_name == NULL)
				return ima_fail(err, -ENOMEM, idx, at, "out of memory");
			memcpy(ev->file_name, d, n);
			ev->file_name[n] = '\0';
		}
		return 0;
	case F_UINT:
		if (len != 1 && len != 2 && len != 4 && len != 8)
			return ima_fail(err, -EBADMSG, idx, at, "bad integer length %u in field '%s'",
					len, f->id);
		return 0;
	case F_HEX:
		return 0;
	}
	return 0;
}

/*
 * Splits ev->template_data into fields (lengths in order o; for 'ima'
 * the fixed layout), checks them and, unless told not to, the template
 * digest. base: offset of the template data in the input.
 */
static int event_finish(struct ima_event *ev, const struct template_def *t,
			enum ima_byte_order o, unsigned flags, size_t idx, size_t base,
			struct ima_error *err)
{
	uint8_t digest[IMA_SHA1_LEN];
	int rc;

	ev->violation = all_zero(ev->template_digest, IMA_SHA1_LEN);
	if (t->is_ima) {
		/* template_data = 20-byte digest || name (built by the caller). */
		ev->num_fields = 2;
		ev->fields[0] = (struct ima_field){ "d", ev->template_data, IMA_SHA1_LEN };
		ev->fields[1] = (struct ima_field){ "n", ev->template_data + IMA_SHA1_LEN,
						    ev->template_data_len - IMA_SHA1_LEN };
		for (unsigned i = 0; i < 2; i++)
			if ((rc = field_check(ev, t, i, idx, base, err)) != 0)
				return rc;
	} else {
		struct buf_reader r;

		buf_reader_init(&r, ev->template_data, ev->template_data_len);
		for (unsigned i = 0; i < t->n; i++) {
			size_t at = base + r.off;
			const uint8_t *p;
			uint32_t len;

			if (ima_get_u32(&r, o, &len) != 0)
				return ima_fail(err, -EBADMSG, idx, at,
						"template data ends before field %u ('%s')", i,
						t->fields[i]->id);
			if (buf_get_ptr(&r, &p, len) != 0)
				return ima_fail(err, -EBADMSG, idx, at,
						"field '%s' claims %u bytes, %zu left",
						t->fields[i]->id, len,
						ev->template_data_len - (at - base) - 4);
			ev->fields[i] = (struct ima_field){ t->fields[i]->id, p, len };
			ev->num_fields = i + 1;
			if ((rc = field_check(ev, t, i, idx, at + 4, err)) != 0)
				return rc;
		}
		if (buf_remaining(&r) != 0)
			return ima_fail(err, -EBADMSG, idx, base + r.off,
					"%zu bytes after the last field of '%s'", buf_remaining(&r),
					ev->template_name);
	}
	if (ev->violation || (flags & IMA_PARSE_NO_VERIFY))
		return 0;
	if (t->is_ima) {
		uint8_t name[IMA_EVENT_NAME_MAX + 1];

		memset(name, 0, sizeof(name));
		memcpy(name, ev->fields[1].data, ev->fields[1].len);
		rc = CRYPTO_SHA1_PIECES(digest, { ev->template_data, IMA_SHA1_LEN },
					{ name, sizeof(name) });
	} else {
		rc = crypto_sha1(ev->template_data, ev->template_data_len, digest);
	}
	if (rc != 0)
		return ima_fail(err, -EIO, idx, base, "SHA-1 failed");
	if (memcmp(digest, ev->template_digest, IMA_SHA1_LEN) != 0)
		return ima_fail(err, -EBADMSG, idx, base,
				"template digest does not match the template data");
	return 0;
}

static void event_free(struct ima_event *ev)
{
	free(ev->template_data);
	free(ev->file_name);
	memset(ev, 0, sizeof(*ev));
}

void ima_log_free(struct ima_log *log)
{
	if (log == NULL)
		return;
	for (size_t i = 0; i < log->count; i++)
		event_free(&log->events[i]);
	free(log->events);
	free(log);
}

/* Makes room for one more event (grows by doubling; count is capped by the input size). */
static int log_grow(struct ima_log *log, size_t *cap)
{
	struct ima_event *p;
	size_t n;

	if (log->count < *cap)
		return 0;
	n = *cap ? *cap * 2 : 64;
	p = realloc(log->events, n * sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	log->events = p;
	*cap = n;
	return 0;
}

static bool printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return false;
	return true;
}

static int parse_binary_record(struct buf_reader *r, enum ima_byte_order o, unsigned flags,
			       size_t idx, struct ima_event *ev, struct ima_error *err)
{
	struct template_def t;
	const uint8_t *name, *p;
	uint32_t name_len, len;
	size_t at = r->off;

	ev->offset = at;
	if (ima_get_u32(r, o, &ev->pcr) != 0)
		return ima_fail(err, -EBADMSG, idx, at, "truncated PCR index (%zu bytes left)",
				r->len - at);
	if (ev->pcr >= IMA_NUM_PCRS)
		return ima_fail(err, -EBADMSG, idx, at, "PCR index %u out of range (wrong byte order?)",
				ev->pcr);
	at = r->off;
	if (buf_get_bytes(r, ev->template_digest, IMA_SHA1_LEN) != 0)
		return ima_fail(err, -EBADMSG, idx, at, "truncated template digest");
	at = r->off;
	if (ima_get_u32(r, o, &name_len) != 0)
		return ima_fail(err, -EBADMSG, idx, at, "truncated template name length");
	if (name_len == 0 || name_len > IMA_TEMPLATE_NAME_MAX)
		return ima_fail(err, -EBADMSG, idx, at, "template name length %u out of range",
				name_len);
	at = r->off;
	if (buf_get_ptr(r, &name, name_len) != 0)
		return ima_fail(err, -EBADMSG, idx, at, "template name claims %u bytes, %zu left",
				name_len, r->len - at);
	if (!printable(name, name_len))
		return ima_fail(err, -EBADMSG, idx, at, "template name is not printable");
	memcpy(ev->template_name, name, name_len);
	ev->template_name[name_len] = '\0';
	if (!template_resolve(ev->template_name, &t))
		return ima_fail(err, -EBADMSG, idx, at, "unknown template '%s'", ev->template_name);
	at = r->off;
	if (t.is_ima) {
		const uint8_t *d;

		if (buf_get_ptr(r, &d, IMA_SHA1_LEN) != 0)
			return ima_fail(err, -EBADMSG, idx, at, "truncated 'ima' file digest");
		if (ima_get_u32(r, o, &len) != 0)
			return ima_fail(err, -EBADMSG, idx, at + IMA_SHA1_LEN,
					"truncated event name length");
		if (len > IMA_EVENT_NAME_MAX)
			return ima_fail(err, -EBADMSG, idx, at + IMA_SHA1_LEN,
					"event name length %u above %u", len, IMA_EVENT_NAME_MAX);
		if (buf_get_ptr(r, &p, len) != 0)
			return ima_fail(err, -EBADMSG, idx, at + IMA_SHA1_LEN + 4,
					"event name claims %u bytes, %zu left", len,
					r->len - at - IMA_SHA1_LEN - 4);
		ev->template_data_len = IMA_SHA1_LEN + len;
		ev->template_data = malloc(ev->template_data_len);
		if (ev->template_data == NULL)
			return ima_fail(err, -ENOMEM, idx, at, "out of memory");
		memcpy(ev->template_data, d, IMA_SHA1_LEN);
		memcpy(ev->template_data + IMA_SHA1_LEN, p, len);
		return event_finish(ev, &t, o, flags, idx, at, err);
	}
	if (ima_get_u32(r, o, &len) != 0)
		return ima_fail(err, -EBADMSG, idx, at, "truncated template data length");
	if (len > IMA_TEMPLATE_DATA_MAX)
		return ima_fail(err, -E2BIG, idx, at, "template data length %u above %u", len,
				IMA_TEMPLATE_DATA_MAX);
	if (len > buf_remaining(r))
		return ima_fail(err, -EBADMSG, idx, at, "template data claims %u bytes, %zu left",
				len, buf_remaining(r));
	if (buf_get_dup(r, &ev->template_data, len) != 0)
		return ima_fail(err, -ENOMEM, idx, at, "out of memory");
	ev->template_data_len = len;
	return event_finish(ev, &t, o, flags, idx, at + 4, err);
}

int ima_log_parse_binary(const uint8_t *data, size_t len, enum ima_byte_order order,
			 unsigned flags, struct ima_log **out, struct ima_error *err)
{
	struct ima_log *log = NULL;
	struct buf_reader r;
	size_t cap = 0;
	int rc;

	*out = NULL;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	buf_reader_init(&r, data, len);
	if (order == IMA_ORDER_AUTO) {
		uint32_t le = 0, be = 0;
		struct buf_reader peek = r;

		/* IMA's PCR is below 24 (CONFIG_IMA_MEASURE_PCR_IDX, policy pcr=). */
		order = IMA_ORDER_LE;
		if (buf_get_u32_le(&peek, &le) == 0 && le >= IMA_NUM_PCRS) {
			peek = r;
			if (buf_get_u32(&peek, &be) == 0 && be < IMA_NUM_PCRS)
				order = IMA_ORDER_BE;
		}
	}
	log = calloc(1, sizeof(*log));
	if (log == NULL)
		return ima_fail(err, -ENOMEM, 0, 0, "out of memory");
	log->order = order;
	while (buf_remaining(&r) != 0) {
		if (log_grow(log, &cap) != 0) {
			rc = ima_fail(err, -ENOMEM, log->count, r.off, "out of memory");
			goto out;
		}
		memset(&log->events[log->count], 0, sizeof(log->events[0]));
		rc = parse_binary_record(&r, order, flags, log->count, &log->events[log->count],
					 err);
		log->count++;	/* freed with the log even when it failed half-way */
		if (rc != 0)
			goto out;
	}
	*out = log;
	log = NULL;
	rc = 0;
out:
	ima_log_free(log);
	return rc;
}

/* ---- ASCII ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex text of even length into w; false on a non-hex character. */
static bool put_hex(struct buf_writer *w, const char *s, size_t n)
{
	if (n % 2 != 0)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		buf_put_u8(w, (uint8_t)(hi << 4 | lo));
	}
	return true;
}

/* One field's ASCII text rebuilt into its binary value. */
static int ascii_field(struct buf_writer *w, const struct field_def *f, bool is_ima,
		       const char *s, size_t n, size_t idx, size_t at, struct ima_error *err)
{
	const char *colon;
	unsigned long long v = 0;

	if (n == 0)
		return 0;
	switch (f->kind) {
	case F_DIGEST:
	case F_HEX:
		if (!put_hex(w, s, n))
			return ima_fail(err, -EBADMSG, idx, at, "field '%s' is not hex", f->id);
		return 0;
	case F_DIGEST_ALGO:
		/* ASCII shows "<algo>:" then the digest in hex. */
		colon = NULL;
		for (size_t i = 0; i < n; i++)
			if (s[i] == ':')
				colon = s + i;
		if (colon == NULL)
			return ima_fail(err, -EBADMSG, idx, at, "field '%s' lacks \"<algo>:\"",
					f->id);
		buf_put_bytes(w, s, (size_t)(colon - s) + 1);
		buf_put_u8(w, 0);
		if (!put_hex(w, colon + 1, n - (size_t)(colon - s) - 1))
			return ima_fail(err, -EBADMSG, idx, at + (size_t)(colon - s) + 1,
					"digest of field '%s' is not hex", f->id);
		return 0;
	case F_STRING:
		if (memchr(s, 0, n) != NULL)
			return ima_fail(err, -EBADMSG, idx, at, "NUL in field '%s'", f->id);
		buf_put_bytes(w, s, n);
		if (!is_ima)
			buf_put_u8(w, 0);
		return 0;
	case F_UINT:
		for (size_t i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9' || v > UINT32_MAX)
				return ima_fail(err, -EBADMSG, idx, at, "field '%s' is not a number",
						f->id);
			v = v * 10 + (unsigned)(s[i] - '0');
		}
		if (f->ascii_uint_len == 2)
			buf_put_u16_le(w, (uint16_t)v);
		else
			buf_put_u32_le(w, (uint32_t)v);
		return 0;
	}
	return 0;
}

static int parse_ascii_line(const char *line, size_t n, size_t base, unsigned flags,
			    size_t idx, struct ima_event *ev, struct ima_error *err)
{
	struct template_def t;
	struct buf_writer w;
	size_t i = 0, start;
	uint32_t pcr = 0;
	int rc;

	ev->offset = base;
	while (i < n && line[i] == ' ')
		i++;
	start = i;
	while (i < n && line[i] >= '0' && line[i] <= '9' && i - start < 3)
		pcr = pcr * 10 + (uint32_t)(line[i++] - '0');
	if (i == start || i == n || line[i] != ' ')
		return ima_fail(err, -EBADMSG, idx, base + start, "no PCR index");
	if (pcr >= IMA_NUM_PCRS)
		return ima_fail(err, -EBADMSG, idx, base + start, "PCR index %u out of range", pcr);
	ev->pcr = pcr;
	start = ++i;
	for (unsigned k = 0; k < IMA_SHA1_LEN; k++, i += 2) {
		int hi = i + 1 < n ? hexval((unsigned char)line[i]) : -1;
		int lo = i + 1 < n ? hexval((unsigned char)line[i + 1]) : -1;

		if (hi < 0 || lo < 0)
			return ima_fail(err, -EBADMSG, idx, base + i,
					"template digest is not 40 hex digits");
		ev->template_digest[k] = (uint8_t)(hi << 4 | lo);
	}
	if (i == n || line[i] != ' ')
		return ima_fail(err, -EBADMSG, idx, base + i, "no template name");
	start = ++i;
	while (i < n && line[i] != ' ')
		i++;
	if (i == start || i - start > IMA_TEMPLATE_NAME_MAX ||
	    !printable((const uint8_t *)line + start, i - start))
		return ima_fail(err, -EBADMSG, idx, base + start, "bad template name");
	memcpy(ev->template_name, line + start, i - start);
	ev->template_name[i - start] = '\0';
	if (!template_resolve(ev->template_name, &t))
		return ima_fail(err, -EBADMSG, idx, base + start, "unknown template '%s'",
				ev->template_name);
	buf_writer_init_dynamic(&w, IMA_TEMPLATE_DATA_MAX);
	for (unsigned f = 0; f < t.n; f++) {
		size_t len_at = 0, before;

		if (i == n || line[i] != ' ') {
			rc = ima_fail(err, -EBADMSG, idx, base + i, "missing field '%s'",
				      t.fields[f]->id);
			goto out;
		}
		start = ++i;
		while (i < n && line[i] != ' ')
			i++;
		if (!t.is_ima)
			len_at = buf_put_u32_later(&w);
		before = buf_writer_len(&w);
		rc = ascii_field(&w, t.fields[f], t.is_ima, line + start, i - start, idx,
				 base + start, err);
		if (rc != 0)
			goto out;
		if (t.is_ima && f == 0 && buf_writer_len(&w) - before != IMA_SHA1_LEN) {
			rc = ima_fail(err, -EBADMSG, idx, base + start,
				      "'ima' digest is not 40 hex digits");
			goto out;
		}
		if (!t.is_ima) {
			/* Lengths as an x86 or ima_canonical_fmt kernel hashed them. */
			uint32_t len = (uint32_t)(buf_writer_len(&w) - before);

			buf_patch_u32(&w, len_at,
				      (len & 0xff) << 24 | (len & 0xff00) << 8 |
					      (len >> 8 & 0xff00) | len >> 24);
		}
	}
	if (i != n) {
		rc = ima_fail(err, -EBADMSG, idx, base + i, "text after the last field");
		goto out;
	}
	if (t.is_ima && buf_writer_len(&w) - IMA_SHA1_LEN > IMA_EVENT_NAME_MAX) {
		rc = ima_fail(err, -EBADMSG, idx, base, "event name above %u bytes",
			      IMA_EVENT_NAME_MAX);
		goto out;
	}
	if (buf_writer_error(&w) != 0) {
		rc = ima_fail(err, buf_writer_error(&w), idx, base, "template data too large");
		goto out;
	}
	{
		size_t len;

		ev->template_data = buf_writer_steal(&w, &len);
		if (ev->template_data == NULL) {
			rc = ima_fail(err, -ENOMEM, idx, base, "out of memory");
			goto out;
		}
		ev->template_data_len = (uint32_t)len;
	}
	rc = event_finish(ev, &t, IMA_ORDER_LE, flags, idx, base, err);
out:
	buf_writer_free(&w);
	return rc;
}

int ima_log_parse_ascii(const char *text, size_t len, unsigned flags, struct ima_log **out,
			struct ima_error *err)
{
	struct ima_log *log;
	size_t cap = 0, off = 0;
	int rc = 0;

	*out = NULL;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	log = calloc(1, sizeof(*log));
	if (log == NULL)
		return ima_fail(err, -ENOMEM, 0, 0, "out of memory");
	log->order = IMA_ORDER_LE;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n;

		if (nl == NULL) {
			rc = ima_fail(err, -EBADMSG, log->count, off, "last line has no newline");
			goto out;
		}
		n = (size_t)(nl - (text + off));
		if (log_grow(log, &cap) != 0) {
			rc = ima_fail(err, -ENOMEM, log->count, off, "out of memory");
			goto out;
		}
		memset(&log->events[log->count], 0, sizeof(log->events[0]));
		rc = parse_ascii_line(text + off, n, off, flags, log->count,
				      &log->events[log->count], err);
		log->count++;
		if (rc != 0)
			goto out;
		off += n + 1;
	}
	*out = log;
	log = NULL;
out:
	ima_log_free(log);
	return rc;
}

/* ---- writer ---- */

int ima_log_write_binary(const struct ima_log *log, enum ima_byte_order order,
			 struct buf_writer *w)
{
	if (order == IMA_ORDER_AUTO)
		return -EINVAL;
	for (size_t i = 0; i < log->count; i++) {
		const struct ima_event *ev = &log->events[i];
		size_t name_len = strlen(ev->template_name);
		uint8_t digest[IMA_SHA1_LEN];
		struct buf_writer td;
		struct template_def t;

		if (!template_resolve(ev->template_name, &t))
			return -EINVAL;
		ima_put_u32(w, order, ev->pcr);
		if (t.is_ima) {
			buf_put_bytes(w, ev->template_digest, IMA_SHA1_LEN);
			ima_put_u32(w, order, (uint32_t)name_len);
			buf_put_bytes(w, ev->template_name, name_len);
			buf_put_bytes(w, ev->fields[0].data, ev->fields[0].len);
			ima_put_u32(w, order, ev->fields[1].len);
			buf_put_bytes(w, ev->fields[1].data, ev->fields[1].len);
			continue;
		}
		/* Field lengths in the new order, and the digest a kernel of that order logs. */
		buf_writer_init_dynamic(&td, IMA_TEMPLATE_DATA_MAX);
		for (unsigned f = 0; f < ev->num_fields; f++) {
			ima_put_u32(&td, order, ev->fields[f].len);
			buf_put_bytes(&td, ev->fields[f].data, ev->fields[f].len);
		}
		memcpy(digest, ev->template_digest, IMA_SHA1_LEN);
		if (buf_writer_error(&td) == 0 && !ev->violation && order != log->order &&
		    crypto_sha1(td.data, buf_writer_len(&td), digest) != 0)
			buf_writer_fail(&td, -EIO);
		buf_put_bytes(w, digest, IMA_SHA1_LEN);
		ima_put_u32(w, order, (uint32_t)name_len);
		buf_put_bytes(w, ev->template_name, name_len);
		ima_put_u32(w, order, (uint32_t)buf_writer_len(&td));
		buf_put_bytes(w, td.data, buf_writer_len(&td));
		if (buf_writer_error(&td) != 0)
			buf_writer_fail(w, buf_writer_error(&td));
		buf_writer_free(&td);
	}
	return buf_writer_error(w);
}

const struct ima_field *ima_event_field(const struct ima_event *ev, const char *id)
{
	for (unsigned i = 0; i < ev->num_fields; i++)
		if (strcmp(ev->fields[i].id, id) == 0)
			return &ev->fields[i];
	return NULL;
}

/* ---- replay ---- */

int ima_extend(uint8_t pcr[IMA_SHA1_LEN], const uint8_t digest[IMA_SHA1_LEN])
{
	uint8_t next[IMA_SHA1_LEN];

	/* Not in place: crypto_sha1_iov zeroes its output before hashing. */
	if (CRYPTO_SHA1_PIECES(next, { pcr, IMA_SHA1_LEN }, { digest, IMA_SHA1_LEN }) != 0)
		return -EIO;
	memcpy(pcr, next, IMA_SHA1_LEN);
	return 0;
}

int ima_log_replay(const struct ima_log *log, uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN],
		   uint32_t *extended)
{
	static const uint8_t ff[IMA_SHA1_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	memset(pcrs, 0, IMA_NUM_PCRS * IMA_SHA1_LEN);
	if (extended != NULL)
		*extended = 0;
	for (size_t i = 0; i < log->count; i++) {
		const struct ima_event *ev = &log->events[i];

		if (ev->pcr >= IMA_NUM_PCRS)
			return -EINVAL;
		if (ima_extend(pcrs[ev->pcr], ev->violation ? ff : ev->template_digest) != 0)
			return -EIO;
		if (extended != NULL)
			*extended |= 1u << ev->pcr;
	}
	return 0;
}

int ima_boot_aggregate(const uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN], uint8_t out[IMA_SHA1_LEN])
{
	/* ima_calc_boot_aggregate: PCR 0-7 for SHA-1 (8 and 9 only for other banks). */
	return crypto_sha1(pcrs, 8 * IMA_SHA1_LEN, out) != 0 ? -EIO : 0;
}

int ima_parse_sysfs_pcrs(const char *text, size_t len, uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN],
			 uint32_t *present, struct ima_error *err)
{
	size_t off = 0, line = 0;

	memset(pcrs, 0, IMA_NUM_PCRS * IMA_SHA1_LEN);
	*present = 0;
	for (; off < len; line++) {
		const char *s = text + off;
		const char *nl = memchr(s, '\n', len - off);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - off, i = 7;
		unsigned idx;

		/* "PCR-NN: " then 20 bytes "XX " */
		if (n < 7 || memcmp(s, "PCR-", 4) != 0 || s[4] < '0' || s[4] > '9' ||
		    s[5] < '0' || s[5] > '9' || s[6] != ':')
			return ima_fail(err, -EBADMSG, line, off, "not a \"PCR-NN:\" line");
		idx = (unsigned)(s[4] - '0') * 10 + (unsigned)(s[5] - '0');
		if (idx >= IMA_NUM_PCRS)
			return ima_fail(err, -EBADMSG, line, off, "PCR %u out of range", idx);
		for (unsigned k = 0; k < IMA_SHA1_LEN; k++) {
			int hi, lo;

			if (i + 2 < n && s[i] == ' ')
				i++;
			hi = i + 1 < n ? hexval((unsigned char)s[i]) : -1;
			lo = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
			if (hi < 0 || lo < 0)
				return ima_fail(err, -EBADMSG, line, off + i, "bad PCR byte");
			pcrs[idx][k] = (uint8_t)(hi << 4 | lo);
			i += 2;
		}
		*present |= 1u << idx;
		off += n + (nl != NULL);
	}
	return 0;
}

/* ---- files ---- */

int ima_read_fd(int fd, size_t max, uint8_t **data, size_t *len)
{
	size_t cap = 4096, n = 0;
	uint8_t *p = malloc(cap + 1), *q;
	ssize_t got;

	*data = NULL;
	*len = 0;
	if (p == NULL)
		return -ENOMEM;
	if (lseek(fd, 0, SEEK_SET) < 0 && errno != ESPIPE)
		goto fail;
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(p);
				return -EFBIG;
			}
			cap *= 2;
			if ((q = realloc(p, cap + 1)) == NULL) {
				free(p);
				return -ENOMEM;
			}
			p = q;
		}
		got = read(fd, p + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > max) {
		free(p);
		return -EFBIG;
	}
	p[n] = 0;
	*data = p;
	*len = n;
	return 0;
fail:
	{
		int e = errno;

		free(p);
		return -e;
	}
}

int ima_read_file(const char *path, size_t max, uint8_t **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), rc;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return -errno;
	rc = ima_read_fd(fd, max, data, len);
	close(fd);
	return rc;
}
