/*
 * TPM 1.2 structure marshalling (TPM Main Specification Part 2); see
 * tpm_structs.h for the contracts. Each _get reads like the structure's
 * table in Part 2: one line per field, sticky reader errors checked once
 * at the end. Every byte goes through common/buf.h.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* platform.h first: it pulls in tpm.h in the order TrouSerS' headers need. */
#include <tss/platform.h>
#include <tss/tpm.h>

#include "buf.h"
#include "crypto.h"
#include "log.h"
#include "tpm_structs.h"

/* ---- small shared pieces ---- */

static void free_wiped(uint8_t **p, uint32_t len)
{
	if (*p != NULL) {
		OPENSSL_cleanse(*p, len);
		free(*p);
		*p = NULL;
	}
}

/* Marks the reader failed with -EINVAL and says why, once. */
static int reject(struct buf_reader *r, const char *what)
{
	if (buf_reader_error(r) == 0)
		log_debug("tpm_structs: %s", what);
	return buf_reader_fail(r, -EINVAL);
}

static void get_tag(struct buf_reader *r, uint16_t want, const char *what)
{
	uint16_t tag = 0;

	if (buf_get_u16(r, &tag) == 0 && tag != want) {
		log_debug("tpm_structs: %s tag 0x%04x, want 0x%04x", what, tag, want);
		buf_reader_fail(r, -EINVAL);
	}
}

static void get_fixed(struct buf_reader *r, const char fixed[4], const char *what)
{
	uint8_t got[4];

	if (buf_get_bytes(r, got, sizeof(got)) == 0 && memcmp(got, fixed, sizeof(got)) != 0)
		reject(r, what);
}

/* A TPM_BOOL is one byte that must be 0 or 1 (Part 2 §2.2.1). */
static void get_bool(struct buf_reader *r, bool *v)
{
	uint8_t b = 0;

	*v = false;
	if (buf_get_u8(r, &b) != 0)
		return;
	if (b > 1) {
		reject(r, "TPM_BOOL neither 0 nor 1");
		return;
	}
	*v = b == 1;
}

/*
 * Structures that carry a TPM_STRUCT_VER must say 1.1 (Part 2 §5.1); the
 * revision bytes were vendor firmware numbers on 1.1b TPMs, so keys made
 * there keep whatever they hold.
 */
static void get_version_1_1(struct buf_reader *r, struct tpm_version *v, const char *what)
{
	if (tpm_version_get(r, v) == 0 && (v->major != 1 || v->minor != 1)) {
		log_debug("tpm_structs: %s version %u.%u, want 1.1", what, v->major, v->minor);
		buf_reader_fail(r, -EINVAL);
	}
}

static void put_version_1_1(struct buf_writer *w, const struct tpm_version *v)
{
	if (v->major != 1 || v->minor != 1)
		buf_writer_fail(w, -EINVAL);
	tpm_version_put(w, v);
}

/* Bits 5-7 of a TPM_LOCALITY_SELECTION are reserved (Part 2 §8.6). */
#define LOCALITY_RESERVED 0xe0

static void get_locality(struct buf_reader *r, uint8_t *loc)
{
	if (buf_get_u8(r, loc) == 0 && (*loc & LOCALITY_RESERVED) != 0)
		reject(r, "reserved locality bits set");
}

static void put_locality(struct buf_writer *w, uint8_t loc)
{
	if ((loc & LOCALITY_RESERVED) != 0)
		buf_writer_fail(w, -EINVAL);
	buf_put_u8(w, loc);
}

/* A sized byte field whose length the caller's struct states; checks the cap. */
static void put_sized_capped(struct buf_writer *w, const uint8_t *p, uint32_t n, uint32_t max)
{
	if (n > max)
		buf_writer_fail(w, -E2BIG);
	buf_put_sized(w, p, n);
}

/*
 * A nested structure behind a UINT32 size (PCRInfo, sealInfo, parms):
 * the size is written first and patched once the content is known.
 */
static size_t put_sized_begin(struct buf_writer *w)
{
	return buf_put_u32_later(w);
}

static void put_sized_end(struct buf_writer *w, size_t at)
{
	if (buf_writer_error(w) == 0)
		buf_patch_u32(w, at, (uint32_t)(buf_writer_len(w) - at - 4));
}

/* Finishes a _get: on failure, undo and hand back the reader's error. */
#define GET_DONE(r, out, free_fn)                      \
	do {                                           \
		if (buf_reader_error(r) != 0)          \
			free_fn(out);                  \
		return buf_reader_error(r);            \
	} while (0)

/* ---- TPM_STRUCT_VER / TPM_VERSION ---- */

int tpm_version_get(struct buf_reader *r, struct tpm_version *out)
{
	memset(out, 0, sizeof(*out));
	buf_get_u8(r, &out->major);
	buf_get_u8(r, &out->minor);
	buf_get_u8(r, &out->rev_major);
	buf_get_u8(r, &out->rev_minor);
	GET_DONE(r, out, tpm_version_free);
}

void tpm_version_put(struct buf_writer *w, const struct tpm_version *in)
{
	buf_put_u8(w, in->major);
	buf_put_u8(w, in->minor);
	buf_put_u8(w, in->rev_major);
	buf_put_u8(w, in->rev_minor);
}

void tpm_version_free(struct tpm_version *s)
{
	memset(s, 0, sizeof(*s));
}

/* ---- TPM_PCR_SELECTION (§8.1) ---- */

int tpm_pcr_selection_get(struct buf_reader *r, struct tpm_pcr_selection *out)
{
	memset(out, 0, sizeof(*out));
	if (buf_get_u16(r, &out->size_of_select) == 0 &&
	    out->size_of_select > TPM_STRUCT_PCR_SELECT_MAX) {
		log_debug("tpm_structs: sizeOfSelect %u above %u", out->size_of_select,
			  TPM_STRUCT_PCR_SELECT_MAX);
		buf_reader_fail(r, -E2BIG);
	}
	if (buf_reader_error(r) == 0)
		buf_get_bytes(r, out->pcr_select, out->size_of_select);
	GET_DONE(r, out, tpm_pcr_selection_free);
}

void tpm_pcr_selection_put(struct buf_writer *w, const struct tpm_pcr_selection *in)
{
	if (in->size_of_select > TPM_STRUCT_PCR_SELECT_MAX) {
		buf_writer_fail(w, -E2BIG);
		return;
	}
	buf_put_u16(w, in->size_of_select);
	buf_put_bytes(w, in->pcr_select, in->size_of_select);
}

void tpm_pcr_selection_free(struct tpm_pcr_selection *s)
{
	memset(s, 0, sizeof(*s));
}

int tpm_pcr_selection_from_mask(struct tpm_pcr_selection *sel, uint32_t mask,
				uint16_t size_of_select)
{
	memset(sel, 0, sizeof(*sel));
	if (size_of_select > TPM_STRUCT_PCR_SELECT_MAX)
		return -EINVAL;
	if (size_of_select < 4 && (mask >> (8 * size_of_select)) != 0)
		return -EINVAL;
	sel->size_of_select = size_of_select;
	for (unsigned int i = 0; i < size_of_select; i++)
		sel->pcr_select[i] = (uint8_t)(mask >> (8 * i));
	return 0;
}

uint32_t tpm_pcr_selection_to_mask(const struct tpm_pcr_selection *sel)
{
	uint32_t mask = 0;

	for (unsigned int i = 0; i < sel->size_of_select && i < TPM_STRUCT_PCR_SELECT_MAX; i++)
		mask |= (uint32_t)sel->pcr_select[i] << (8 * i);
	return mask;
}

bool tpm_pcr_selection_is_selected(const struct tpm_pcr_selection *sel, unsigned int pcr)
{
	if (pcr / 8 >= sel->size_of_select || pcr / 8 >= TPM_STRUCT_PCR_SELECT_MAX)
		return false;
	return (sel->pcr_select[pcr / 8] >> (pcr % 8)) & 1;
}

int tpm_pcr_selection_select(struct tpm_pcr_selection *sel, unsigned int pcr)
{
	if (pcr >= TPM_STRUCT_NUM_PCR_MAX || sel->size_of_select > TPM_STRUCT_PCR_SELECT_MAX)
		return -EINVAL;
	if (pcr / 8 >= sel->size_of_select)
		sel->size_of_select = (uint16_t)(pcr / 8 + 1);
	sel->pcr_select[pcr / 8] |= (uint8_t)(1u << (pcr % 8));
	return 0;
}

unsigned int tpm_pcr_selection_count(const struct tpm_pcr_selection *sel)
{
	unsigned int n = 0;

	for (int pcr = tpm_pcr_selection_next(sel, -1); pcr >= 0;
	     pcr = tpm_pcr_selection_next(sel, pcr))
		n++;
	return n;
}

int tpm_pcr_selection_next(const struct tpm_pcr_selection *sel, int after)
{
	for (int pcr = after < 0 ? 0 : after + 1; pcr < TPM_STRUCT_NUM_PCR_MAX; pcr++)
		if (tpm_pcr_selection_is_selected(sel, (unsigned int)pcr))
			return pcr;
	return -1;
}

/* ---- TPM_PCR_COMPOSITE (§8.2) ---- */

int tpm_pcr_composite_get(struct buf_reader *r, struct tpm_pcr_composite *out)
{
	uint32_t value_size = 0;

	memset(out, 0, sizeof(*out));
	tpm_pcr_selection_get(r, &out->select);
	if (buf_get_u32(r, &value_size) == 0) {
		if (value_size > sizeof(out->pcr_value))
			buf_reader_fail(r, -E2BIG);
		else if (value_size % TPM_STRUCT_DIGEST_LEN != 0)
			reject(r, "PCR composite valueSize not a multiple of 20");
	}
	out->n_values = value_size / TPM_STRUCT_DIGEST_LEN;
	for (uint32_t i = 0; i < out->n_values && buf_reader_error(r) == 0; i++)
		buf_get_bytes(r, out->pcr_value[i], TPM_STRUCT_DIGEST_LEN);
	/* §8.2: one value per selected PCR, in order. */
	if (buf_reader_error(r) == 0 && out->n_values != tpm_pcr_selection_count(&out->select))
		reject(r, "PCR composite values do not match its selection");
	GET_DONE(r, out, tpm_pcr_composite_free);
}

void tpm_pcr_composite_put(struct buf_writer *w, const struct tpm_pcr_composite *in)
{
	if (in->n_values > TPM_STRUCT_NUM_PCR_MAX) {
		buf_writer_fail(w, -E2BIG);
		return;
	}
	if (in->n_values != tpm_pcr_selection_count(&in->select))
		buf_writer_fail(w, -EINVAL);
	tpm_pcr_selection_put(w, &in->select);
	buf_put_u32(w, in->n_values * TPM_STRUCT_DIGEST_LEN);
	for (uint32_t i = 0; i < in->n_values; i++)
		buf_put_bytes(w, in->pcr_value[i], TPM_STRUCT_DIGEST_LEN);
}

void tpm_pcr_composite_free(struct tpm_pcr_composite *s)
{
	memset(s, 0, sizeof(*s));
}

int tpm_pcr_composite_set(struct tpm_pcr_composite *comp, const struct tpm_pcr_selection *sel,
			  const uint8_t *values, size_t n)
{
	/* sel or values may point into comp itself: copy before clearing. */
	struct tpm_pcr_selection s = *sel;
	uint8_t v[TPM_STRUCT_NUM_PCR_MAX][TPM_STRUCT_DIGEST_LEN];

	if (s.size_of_select > TPM_STRUCT_PCR_SELECT_MAX || n != tpm_pcr_selection_count(&s) ||
	    (n > 0 && values == NULL)) {
		memset(comp, 0, sizeof(*comp));
		return -EINVAL;
	}
	if (n > 0)
		memcpy(v, values, n * TPM_STRUCT_DIGEST_LEN);
	memset(comp, 0, sizeof(*comp));
	comp->select = s;
	comp->n_values = (uint32_t)n;
	if (n > 0)
		memcpy(comp->pcr_value, v, n * TPM_STRUCT_DIGEST_LEN);
	return 0;
}

const uint8_t *tpm_pcr_composite_value(const struct tpm_pcr_composite *comp, unsigned int pcr)
{
	uint32_t i = 0;

	for (int p = tpm_pcr_selection_next(&comp->select, -1); p >= 0;
	     p = tpm_pcr_selection_next(&comp->select, p), i++) {
		if (i >= comp->n_values)
			return NULL;
		if ((unsigned int)p == pcr)
			return comp->pcr_value[i];
	}
	return NULL;
}

int tpm_pcr_composite_digest(const struct tpm_pcr_composite *comp,
			     uint8_t digest[TPM_STRUCT_DIGEST_LEN])
{
	uint8_t mem[2 + TPM_STRUCT_PCR_SELECT_MAX + 4 + sizeof(comp->pcr_value)];
	struct buf_writer w;
	int rc;

	memset(digest, 0, TPM_STRUCT_DIGEST_LEN);
	buf_writer_init_fixed(&w, mem, sizeof(mem));
	tpm_pcr_composite_put(&w, comp);
	rc = buf_writer_error(&w);
	if (rc == 0)
		rc = crypto_sha1(mem, buf_writer_len(&w), digest);
	return rc;
}

/* ---- TPM_PCR_INFO (§8.3), TPM_PCR_INFO_LONG (§8.4), TPM_PCR_INFO_SHORT (§8.5) ---- */

int tpm_pcr_info_get(struct buf_reader *r, struct tpm_pcr_info *out)
{
	memset(out, 0, sizeof(*out));
	tpm_pcr_selection_get(r, &out->pcr_selection);
	buf_get_bytes(r, out->digest_at_release, TPM_STRUCT_DIGEST_LEN);
	buf_get_bytes(r, out->digest_at_creation, TPM_STRUCT_DIGEST_LEN);
	GET_DONE(r, out, tpm_pcr_info_free);
}

void tpm_pcr_info_put(struct buf_writer *w, const struct tpm_pcr_info *in)
{
	tpm_pcr_selection_put(w, &in->pcr_selection);
	buf_put_bytes(w, in->digest_at_release, TPM_STRUCT_DIGEST_LEN);
	buf_put_bytes(w, in->digest_at_creation, TPM_STRUCT_DIGEST_LEN);
}

void tpm_pcr_info_free(struct tpm_pcr_info *s)
{
	memset(s, 0, sizeof(*s));
}

int tpm_pcr_info_long_get(struct buf_reader *r, struct tpm_pcr_info_long *out)
{
	memset(out, 0, sizeof(*out));
	get_tag(r, TPM_TAG_PCR_INFO_LONG, "TPM_PCR_INFO_LONG");
	get_locality(r, &out->locality_at_creation);
	get_locality(r, &out->locality_at_release);
	tpm_pcr_selection_get(r, &out->creation_pcr_selection);
	tpm_pcr_selection_get(r, &out->release_pcr_selection);
	buf_get_bytes(r, out->digest_at_creation, TPM_STRUCT_DIGEST_LEN);
	buf_get_bytes(r, out->digest_at_release, TPM_STRUCT_DIGEST_LEN);
	GET_DONE(r, out, tpm_pcr_info_long_free);
}

void tpm_pcr_info_long_put(struct buf_writer *w, const struct tpm_pcr_info_long *in)
{
	buf_put_u16(w, TPM_TAG_PCR_INFO_LONG);
	put_locality(w, in->locality_at_creation);
	put_locality(w, in->locality_at_release);
	tpm_pcr_selection_put(w, &in->creation_pcr_selection);
	tpm_pcr_selection_put(w, &in->release_pcr_selection);
	buf_put_bytes(w, in->digest_at_creation, TPM_STRUCT_DIGEST_LEN);
	buf_put_bytes(w, in->digest_at_release, TPM_STRUCT_DIGEST_LEN);
}

void tpm_pcr_info_long_free(struct tpm_pcr_info_long *s)
{
	memset(s, 0, sizeof(*s));
}

int tpm_pcr_info_short_get(struct buf_reader *r, struct tpm_pcr_info_short *out)
{
	memset(out, 0, sizeof(*out));
	tpm_pcr_selection_get(r, &out->pcr_selection);
	get_locality(r, &out->locality_at_release);
	buf_get_bytes(r, out->digest_at_release, TPM_STRUCT_DIGEST_LEN);
	GET_DONE(r, out, tpm_pcr_info_short_free);
}

void tpm_pcr_info_short_put(struct buf_writer *w, const struct tpm_pcr_info_short *in)
{
	tpm_pcr_selection_put(w, &in->pcr_selection);
	put_locality(w, in->locality_at_release);
	buf_put_bytes(w, in->digest_at_release, TPM_STRUCT_DIGEST_LEN);
}

void tpm_pcr_info_short_free(struct tpm_pcr_info_short *s)
{
	memset(s, 0, sizeof(*s));
}

/*
 * The PCRInfo / sealInfo fields: a UINT32 size, then either nothing or
 * exactly one structure of the type the container fixes.
 */
static void get_sized_pcr_info(struct buf_reader *r, bool *has, struct tpm_pcr_info *info)
{
	struct buf_reader sub;

	if (buf_get_sized_sub(r, &sub, TPM_STRUCT_BLOB_MAX) != 0)
		return;
	*has = buf_remaining(&sub) > 0;
	if (*has && (tpm_pcr_info_get(&sub, info) != 0 || buf_reader_done(&sub) != 0))
		buf_reader_fail(r, buf_reader_error(&sub) ? buf_reader_error(&sub) : -EBADMSG);
}

static void get_sized_pcr_info_long(struct buf_reader *r, bool *has, struct tpm_pcr_info_long *info)
{
	struct buf_reader sub;

	if (buf_get_sized_sub(r, &sub, TPM_STRUCT_BLOB_MAX) != 0)
		return;
	*has = buf_remaining(&sub) > 0;
	if (*has && (tpm_pcr_info_long_get(&sub, info) != 0 || buf_reader_done(&sub) != 0))
		buf_reader_fail(r, buf_reader_error(&sub) ? buf_reader_error(&sub) : -EBADMSG);
}

static void get_sized_pcr_info_short(struct buf_reader *r, bool *has,
				     struct tpm_pcr_info_short *info)
{
	struct buf_reader sub;

	if (buf_get_sized_sub(r, &sub, TPM_STRUCT_BLOB_MAX) != 0)
		return;
	*has = buf_remaining(&sub) > 0;
	if (*has && (tpm_pcr_info_short_get(&sub, info) != 0 || buf_reader_done(&sub) != 0))
		buf_reader_fail(r, buf_reader_error(&sub) ? buf_reader_error(&sub) : -EBADMSG);
}

static void put_sized_pcr_info(struct buf_writer *w, bool has, const struct tpm_pcr_info *info)
{
	size_t at = put_sized_begin(w);

	if (has)
		tpm_pcr_info_put(w, info);
	put_sized_end(w, at);
}

static void put_sized_pcr_info_long(struct buf_writer *w, bool has,
				    const struct tpm_pcr_info_long *info)
{
	size_t at = put_sized_begin(w);

	if (has)
		tpm_pcr_info_long_put(w, info);
	put_sized_end(w, at);
}

static void put_sized_pcr_info_short(struct buf_writer *w, bool has,
				     const struct tpm_pcr_info_short *info)
{
	size_t at = put_sized_begin(w);

	if (has)
		tpm_pcr_info_short_put(w, info);
	put_sized_end(w, at);
}

/* ---- TPM_RSA_KEY_PARMS (§10.1.1), TPM_SYMMETRIC_KEY_PARMS (§10.1.2) ---- */

int tpm_rsa_key_parms_get(struct buf_reader *r, struct tpm_rsa_key_parms *out)
{
	memset(out, 0, sizeof(*out));
	buf_get_u32(r, &out->key_length);
	buf_get_u32(r, &out->num_primes);
	if (buf_get_u32(r, &out->exponent_len) == 0 &&
	    out->exponent_len > TPM_STRUCT_RSA_EXPONENT_MAX)
		buf_reader_fail(r, -E2BIG);
	if (buf_reader_error(r) == 0)
		buf_get_bytes(r, out->exponent, out->exponent_len);
	GET_DONE(r, out, tpm_rsa_key_parms_free);
}

void tpm_rsa_key_parms_put(struct buf_writer *w, const struct tpm_rsa_key_parms *in)
{
	if (in->exponent_len > TPM_STRUCT_RSA_EXPONENT_MAX) {
		buf_writer_fail(w, -E2BIG);
		return;
	}
	buf_put_u32(w, in->key_length);
	buf_put_u32(w, in->num_primes);
	buf_put_sized(w, in->exponent, in->exponent_len);
}

void tpm_rsa_key_parms_free(struct tpm_rsa_key_parms *s)
{
	memset(s, 0, sizeof(*s));
}

int tpm_symmetric_key_parms_get(struct buf_reader *r, struct tpm_symmetric_key_parms *out)
{
	memset(out, 0, sizeof(*out));
	buf_get_u32(r, &out->key_length);
	buf_get_u32(r, &out->block_size);
	if (buf_get_u32(r, &out->iv_len) == 0 && out->iv_len > TPM_STRUCT_SYM_IV_MAX)
		buf_reader_fail(r, -E2BIG);
	if (buf_reader_error(r) == 0)
		buf_get_bytes(r, out->iv, out->iv_len);
	GET_DONE(r, out, tpm_symmetric_key_parms_free);
}

void tpm_symmetric_key_parms_put(struct buf_writer *w, const struct tpm_symmetric_key_parms *in)
{
	if (in->iv_len > TPM_STRUCT_SYM_IV_MAX) {
		buf_writer_fail(w, -E2BIG);
		return;
	}
	buf_put_u32(w, in->key_length);
	buf_put_u32(w, in->block_size);
	buf_put_sized(w, in->iv, in->iv_len);
}

void tpm_symmetric_key_parms_free(struct tpm_symmetric_key_parms *s)
{
	memset(s, 0, sizeof(*s));
}

/* ---- TPM_KEY_PARMS (§10.1) ---- */

/* The algorithms whose parms are a TPM_SYMMETRIC_KEY_PARMS (§10.1, §4.3). */
static const uint32_t symmetric_algs[] = {
	TPM_ALG_DES, TPM_ALG_3DES, TPM_ALG_AES128, TPM_ALG_AES192, TPM_ALG_AES256,
};

static enum tpm_parms_kind parms_kind(uint32_t alg, uint32_t parm_size)
{
	if (parm_size == 0)
		return TPM_PARMS_NONE;
	if (alg == TPM_ALG_RSA)
		return TPM_PARMS_RSA;
	for (size_t i = 0; i < sizeof(symmetric_algs) / sizeof(symmetric_algs[0]); i++)
		if (alg == symmetric_algs[i])
			return TPM_PARMS_SYM;
	return TPM_PARMS_OPAQUE;
}

/* The parms field, whose layout the algorithm decides; sub holds exactly parmSize bytes. */
static int get_parms(struct buf_reader *sub, struct tpm_key_parms *out)
{
	int rc = 0;

	out->kind = parms_kind(out->algorithm_id, (uint32_t)buf_remaining(sub));
	switch (out->kind) {
	case TPM_PARMS_RSA:
		rc = tpm_rsa_key_parms_get(sub, &out->rsa);
		break;
	case TPM_PARMS_SYM:
		rc = tpm_symmetric_key_parms_get(sub, &out->sym);
		break;
	case TPM_PARMS_OPAQUE:
		out->parms_len = (uint32_t)buf_remaining(sub);
		rc = buf_get_dup(sub, &out->parms, out->parms_len);
		break;
	default:
		break;
	}
	/* parmSize must cover the parms exactly. */
	return rc != 0 ? rc : buf_reader_done(sub);
}

int tpm_key_parms_get(struct buf_reader *r, struct tpm_key_parms *out)
{
	struct buf_reader sub;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_get_u32(r, &out->algorithm_id);
	buf_get_u16(r, &out->enc_scheme);
	buf_get_u16(r, &out->sig_scheme);
	if (buf_get_sized_sub(r, &sub, TPM_STRUCT_BLOB_MAX) == 0 && (rc = get_parms(&sub, out)) != 0)
		buf_reader_fail(r, rc);
	GET_DONE(r, out, tpm_key_parms_free);
}

void tpm_key_parms_put(struct buf_writer *w, const struct tpm_key_parms *in)
{
	size_t at;

	buf_put_u32(w, in->algorithm_id);
	buf_put_u16(w, in->enc_scheme);
	buf_put_u16(w, in->sig_scheme);
	at = put_sized_begin(w);
	switch (in->kind) {
	case TPM_PARMS_NONE:
		break;
	case TPM_PARMS_RSA:
		tpm_rsa_key_parms_put(w, &in->rsa);
		break;
	case TPM_PARMS_SYM:
		tpm_symmetric_key_parms_put(w, &in->sym);
		break;
	case TPM_PARMS_OPAQUE:
		if (in->parms_len > TPM_STRUCT_BLOB_MAX)
			buf_writer_fail(w, -E2BIG);
		buf_put_bytes(w, in->parms, in->parms_len);
		break;
	default:
		buf_writer_fail(w, -EINVAL);
		break;
	}
	put_sized_end(w, at);
	/* What we write must parse back as the same kind. */
	if (buf_writer_error(w) == 0 &&
	    parms_kind(in->algorithm_id, (uint32_t)(buf_writer_len(w) - at - 4)) != in->kind)
		buf_writer_fail(w, -EINVAL);
}

void tpm_key_parms_free(struct tpm_key_parms *s)
{
	free_wiped(&s->parms, s->parms_len);
	memset(s, 0, sizeof(*s));
}

/* ---- TPM_STORE_PUBKEY (§10.4), TPM_PUBKEY (§10.5) ---- */

int tpm_store_pubkey_get(struct buf_reader *r, struct tpm_store_pubkey *out)
{
	memset(out, 0, sizeof(*out));
	buf_get_sized_dup(r, &out->key, &out->key_len, TPM_STRUCT_RSA_MODULUS_MAX);
	GET_DONE(r, out, tpm_store_pubkey_free);
}

void tpm_store_pubkey_put(struct buf_writer *w, const struct tpm_store_pubkey *in)
{
	put_sized_capped(w, in->key, in->key_len, TPM_STRUCT_RSA_MODULUS_MAX);
}

void tpm_store_pubkey_free(struct tpm_store_pubkey *s)
{
	free_wiped(&s->key, s->key_len);
	memset(s, 0, sizeof(*s));
}

int tpm_pubkey_get(struct buf_reader *r, struct tpm_pubkey *out)
{
	memset(out, 0, sizeof(*out));
	tpm_key_parms_get(r, &out->algorithm_parms);
	tpm_store_pubkey_get(r, &out->pub_key);
	GET_DONE(r, out, tpm_pubkey_free);
}

void tpm_pubkey_put(struct buf_writer *w, const struct tpm_pubkey *in)
{
	tpm_key_parms_put(w, &in->algorithm_parms);
	tpm_store_pubkey_put(w, &in->pub_key);
}

void tpm_pubkey_free(struct tpm_pubkey *s)
{
	tpm_key_parms_free(&s->algorithm_parms);
	tpm_store_pubkey_free(&s->pub_key);
}

/* ---- TPM_KEY (§10.2), TPM_KEY12 (§10.3) ---- */

/* Reads two bytes without consuming them; 0 if they are not there. */
static uint16_t peek_u16(const struct buf_reader *r)
{
	struct buf_reader copy = *r;
	uint16_t v = 0;

	buf_get_u16(&copy, &v);
	return v;
}

/* A TPM_STRUCT_VER of 1.1 starts with these two bytes. */
#define VERSION_1_1_PREFIX 0x0101

int tpm_key_get(struct buf_reader *r, struct tpm_key *out)
{
	uint16_t fill = 0;

	memset(out, 0, sizeof(*out));
	out->key12 = peek_u16(r) == TPM_TAG_KEY12;
	if (out->key12) {
		get_tag(r, TPM_TAG_KEY12, "TPM_KEY12");
		/* §10.3: fill is 0; libtpms refuses anything else too. */
		if (buf_get_u16(r, &fill) == 0 && fill != 0)
			reject(r, "TPM_KEY12 fill not 0");
	} else {
		get_version_1_1(r, &out->ver, "TPM_KEY");
	}
	buf_get_u16(r, &out->key_usage);
	buf_get_u32(r, &out->key_flags);
	buf_get_u8(r, &out->auth_data_usage);
	tpm_key_parms_get(r, &out->algorithm_parms);
	if (out->key12)
		get_sized_pcr_info_long(r, &out->has_pcr_info, &out->pcr_info_long);
	else
		get_sized_pcr_info(r, &out->has_pcr_info, &out->pcr_info);
	tpm_store_pubkey_get(r, &out->pub_key);
	buf_get_sized_dup(r, &out->enc_data, &out->enc_data_len, TPM_STRUCT_BLOB_MAX);
	GET_DONE(r, out, tpm_key_free);
}

void tpm_key_put(struct buf_writer *w, const struct tpm_key *in)
{
	if (in->key12) {
		buf_put_u16(w, TPM_TAG_KEY12);
		buf_put_u16(w, 0);
	} else {
		put_version_1_1(w, &in->ver);
	}
	buf_put_u16(w, in->key_usage);
	buf_put_u32(w, in->key_flags);
	buf_put_u8(w, in->auth_data_usage);
	tpm_key_parms_put(w, &in->algorithm_parms);
	if (in->key12)
		put_sized_pcr_info_long(w, in->has_pcr_info, &in->pcr_info_long);
	else
		put_sized_pcr_info(w, in->has_pcr_info, &in->pcr_info);
	tpm_store_pubkey_put(w, &in->pub_key);
	put_sized_capped(w, in->enc_data, in->enc_data_len, TPM_STRUCT_BLOB_MAX);
}

void tpm_key_free(struct tpm_key *s)
{
	tpm_key_parms_free(&s->algorithm_parms);
	tpm_store_pubkey_free(&s->pub_key);
	free_wiped(&s->enc_data, s->enc_data_len);
	OPENSSL_cleanse(s, sizeof(*s));
}

int tpm_key_to_pubkey(const struct tpm_key *key, struct tpm_pubkey *out)
{
	const struct tpm_key_parms *kp = &key->algorithm_parms;

	memset(out, 0, sizeof(*out));
	out->algorithm_parms = *kp;
	out->algorithm_parms.parms = NULL;
	out->algorithm_parms.parms_len = 0;
	if (kp->kind == TPM_PARMS_OPAQUE && kp->parms_len > 0) {
		out->algorithm_parms.parms = malloc(kp->parms_len);
		if (out->algorithm_parms.parms == NULL)
			goto fail;
		memcpy(out->algorithm_parms.parms, kp->parms, kp->parms_len);
		out->algorithm_parms.parms_len = kp->parms_len;
	}
	if (key->pub_key.key_len > 0) {
		out->pub_key.key = malloc(key->pub_key.key_len);
		if (out->pub_key.key == NULL)
			goto fail;
		memcpy(out->pub_key.key, key->pub_key.key, key->pub_key.key_len);
		out->pub_key.key_len = key->pub_key.key_len;
	}
	return 0;
fail:
	tpm_pubkey_free(out);
	return -ENOMEM;
}

/* ---- TPM_STORED_DATA (§9.1), TPM_STORED_DATA12 (§9.2) ---- */

int tpm_stored_data_get(struct buf_reader *r, struct tpm_stored_data *out)
{
	memset(out, 0, sizeof(*out));
	out->sd12 = peek_u16(r) == TPM_TAG_STORED_DATA12;
	if (out->sd12) {
		get_tag(r, TPM_TAG_STORED_DATA12, "TPM_STORED_DATA12");
		buf_get_u16(r, &out->et);
		get_sized_pcr_info_long(r, &out->has_seal_info, &out->seal_info_long);
	} else {
		get_version_1_1(r, &out->ver, "TPM_STORED_DATA");
		get_sized_pcr_info(r, &out->has_seal_info, &out->seal_info);
	}
	buf_get_sized_dup(r, &out->enc_data, &out->enc_data_len, TPM_STRUCT_BLOB_MAX);
	GET_DONE(r, out, tpm_stored_data_free);
}

void tpm_stored_data_put(struct buf_writer *w, const struct tpm_stored_data *in)
{
	if (in->sd12) {
		buf_put_u16(w, TPM_TAG_STORED_DATA12);
		buf_put_u16(w, in->et);
		put_sized_pcr_info_long(w, in->has_seal_info, &in->seal_info_long);
	} else {
		put_version_1_1(w, &in->ver);
		put_sized_pcr_info(w, in->has_seal_info, &in->seal_info);
	}
	put_sized_capped(w, in->enc_data, in->enc_data_len, TPM_STRUCT_BLOB_MAX);
}

void tpm_stored_data_free(struct tpm_stored_data *s)
{
	free_wiped(&s->enc_data, s->enc_data_len);
	memset(s, 0, sizeof(*s));
}

/* ---- TPM_BOUND_DATA (§9.5) ---- */

int tpm_bound_data_get(struct buf_reader *r, struct tpm_bound_data *out)
{
	size_t rest;

	memset(out, 0, sizeof(*out));
	get_version_1_1(r, &out->ver, "TPM_BOUND_DATA");
	if (buf_get_u8(r, &out->payload) == 0 && out->payload != TPM_PT_BIND)
		reject(r, "TPM_BOUND_DATA payload not TPM_PT_BIND");
	/* The payload runs to the end of the (decrypted) block. */
	rest = buf_remaining(r);
	if (rest > TPM_STRUCT_BLOB_MAX)
		buf_reader_fail(r, -E2BIG);
	out->payload_data_len = (uint32_t)(buf_reader_error(r) == 0 ? rest : 0);
	buf_get_dup(r, &out->payload_data, out->payload_data_len);
	GET_DONE(r, out, tpm_bound_data_free);
}

void tpm_bound_data_put(struct buf_writer *w, const struct tpm_bound_data *in)
{
	put_version_1_1(w, &in->ver);
	if (in->payload != TPM_PT_BIND)
		buf_writer_fail(w, -EINVAL);
	buf_put_u8(w, in->payload);
	if (in->payload_data_len > TPM_STRUCT_BLOB_MAX)
		buf_writer_fail(w, -E2BIG);
	buf_put_bytes(w, in->payload_data, in->payload_data_len);
}

void tpm_bound_data_free(struct tpm_bound_data *s)
{
	free_wiped(&s->payload_data, s->payload_data_len);
	OPENSSL_cleanse(s, sizeof(*s));
}

/* ---- TPM_SYMMETRIC_KEY (§9.4) ---- */

int tpm_symmetric_key_get(struct buf_reader *r, struct tpm_symmetric_key *out)
{
	memset(out, 0, sizeof(*out));
	buf_get_u32(r, &out->alg_id);
	buf_get_u16(r, &out->enc_scheme);
	if (buf_get_u16(r, &out->size) == 0 && out->size > TPM_STRUCT_SYM_KEY_MAX)
		buf_reader_fail(r, -E2BIG);
	if (buf_reader_error(r) == 0)
		buf_get_bytes(r, out->data, out->size);
	GET_DONE(r, out, tpm_symmetric_key_free);
}

void tpm_symmetric_key_put(struct buf_writer *w, const struct tpm_symmetric_key *in)
{
	if (in->size > TPM_STRUCT_SYM_KEY_MAX) {
		buf_writer_fail(w, -E2BIG);
		return;
	}
	buf_put_u32(w, in->alg_id);
	buf_put_u16(w, in->enc_scheme);
	buf_put_sized16(w, in->data, in->size);
}

void tpm_symmetric_key_free(struct tpm_symmetric_key *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

/* ---- TPM_CERTIFY_INFO (§11.1), TPM_CERTIFY_INFO2 (§11.2) ---- */

int tpm_certify_info_get(struct buf_reader *r, struct tpm_certify_info *out)
{
	memset(out, 0, sizeof(*out));
	get_version_1_1(r, &out->version, "TPM_CERTIFY_INFO");
	buf_get_u16(r, &out->key_usage);
	buf_get_u32(r, &out->key_flags);
	buf_get_u8(r, &out->auth_data_usage);
	tpm_key_parms_get(r, &out->algorithm_parms);
	buf_get_bytes(r, out->pubkey_digest, TPM_STRUCT_DIGEST_LEN);
	buf_get_bytes(r, out->data, TPM_STRUCT_DIGEST_LEN);
	get_bool(r, &out->parent_pcr_status);
	get_sized_pcr_info(r, &out->has_pcr_info, &out->pcr_info);
	GET_DONE(r, out, tpm_certify_info_free);
}

void tpm_certify_info_put(struct buf_writer *w, const struct tpm_certify_info *in)
{
	put_version_1_1(w, &in->version);
	buf_put_u16(w, in->key_usage);
	buf_put_u32(w, in->key_flags);
	buf_put_u8(w, in->auth_data_usage);
	tpm_key_parms_put(w, &in->algorithm_parms);
	buf_put_bytes(w, in->pubkey_digest, TPM_STRUCT_DIGEST_LEN);
	buf_put_bytes(w, in->data, TPM_STRUCT_DIGEST_LEN);
	buf_put_u8(w, in->parent_pcr_status ? 1 : 0);
	put_sized_pcr_info(w, in->has_pcr_info, &in->pcr_info);
}

void tpm_certify_info_free(struct tpm_certify_info *s)
{
	tpm_key_parms_free(&s->algorithm_parms);
	memset(s, 0, sizeof(*s));
}

int tpm_certify_info2_get(struct buf_reader *r, struct tpm_certify_info2 *out)
{
	uint8_t fill = 0;

	memset(out, 0, sizeof(*out));
	get_tag(r, TPM_TAG_CERTIFY_INFO2, "TPM_CERTIFY_INFO2");
	if (buf_get_u8(r, &fill) == 0 && fill != 0)
		reject(r, "TPM_CERTIFY_INFO2 fill not 0");
	buf_get_u8(r, &out->payload_type);
	buf_get_u16(r, &out->key_usage);
	buf_get_u32(r, &out->key_flags);
	buf_get_u8(r, &out->auth_data_usage);
	tpm_key_parms_get(r, &out->algorithm_parms);
	buf_get_bytes(r, out->pubkey_digest, TPM_STRUCT_DIGEST_LEN);
	buf_get_bytes(r, out->data, TPM_STRUCT_DIGEST_LEN);
	get_bool(r, &out->parent_pcr_status);
	get_sized_pcr_info_short(r, &out->has_pcr_info, &out->pcr_info);
	buf_get_sized_dup(r, &out->migration_authority, &out->migration_authority_len,
			  TPM_STRUCT_BLOB_MAX);
	GET_DONE(r, out, tpm_certify_info2_free);
}

void tpm_certify_info2_put(struct buf_writer *w, const struct tpm_certify_info2 *in)
{
	buf_put_u16(w, TPM_TAG_CERTIFY_INFO2);
	buf_put_u8(w, 0);
	buf_put_u8(w, in->payload_type);
	buf_put_u16(w, in->key_usage);
	buf_put_u32(w, in->key_flags);
	buf_put_u8(w, in->auth_data_usage);
	tpm_key_parms_put(w, &in->algorithm_parms);
	buf_put_bytes(w, in->pubkey_digest, TPM_STRUCT_DIGEST_LEN);
	buf_put_bytes(w, in->data, TPM_STRUCT_DIGEST_LEN);
	buf_put_u8(w, in->parent_pcr_status ? 1 : 0);
	put_sized_pcr_info_short(w, in->has_pcr_info, &in->pcr_info);
	put_sized_capped(w, in->migration_authority, in->migration_authority_len,
			 TPM_STRUCT_BLOB_MAX);
}

void tpm_certify_info2_free(struct tpm_certify_info2 *s)
{
	tpm_key_parms_free(&s->algorithm_parms);
	free_wiped(&s->migration_authority, s->migration_authority_len);
	memset(s, 0, sizeof(*s));
}

/* ---- TPM_QUOTE_INFO (§11.3), TPM_QUOTE_INFO2 (§11.4) ---- */

static const char quote_fixed[4] = { 'Q', 'U', 'O', 'T' };
static const char quote2_fixed[4] = { 'Q', 'U', 'T', '2' };

int tpm_quote_info_get(struct buf_reader *r, struct tpm_quote_info *out)
{
	memset(out, 0, sizeof(*out));
	get_version_1_1(r, &out->version, "TPM_QUOTE_INFO");
	get_fixed(r, quote_fixed, "TPM_QUOTE_INFO fixed is not \"QUOT\"");
	buf_get_bytes(r, out->digest_value, TPM_STRUCT_DIGEST_LEN);
	buf_get_bytes(r, out->external_data, TPM_STRUCT_DIGEST_LEN);
	GET_DONE(r, out, tpm_quote_info_free);
}

void tpm_quote_info_put(struct buf_writer *w, const struct tpm_quote_info *in)
{
	put_version_1_1(w, &in->version);
	buf_put_bytes(w, quote_fixed, sizeof(quote_fixed));
	buf_put_bytes(w, in->digest_value, TPM_STRUCT_DIGEST_LEN);
	buf_put_bytes(w, in->external_data, TPM_STRUCT_DIGEST_LEN);
}

void tpm_quote_info_free(struct tpm_quote_info *s)
{
	memset(s, 0, sizeof(*s));
}

int tpm_quote_info2_get(struct buf_reader *r, struct tpm_quote_info2 *out)
{
	memset(out, 0, sizeof(*out));
	get_tag(r, TPM_TAG_QUOTE_INFO2, "TPM_QUOTE_INFO2");
	get_fixed(r, quote2_fixed, "TPM_QUOTE_INFO2 fixed is not \"QUT2\"");
	buf_get_bytes(r, out->external_data, TPM_STRUCT_DIGEST_LEN);
	tpm_pcr_info_short_get(r, &out->info_short);
	GET_DONE(r, out, tpm_quote_info2_free);
}

void tpm_quote_info2_put(struct buf_writer *w, const struct tpm_quote_info2 *in)
{
	buf_put_u16(w, TPM_TAG_QUOTE_INFO2);
	buf_put_bytes(w, quote2_fixed, sizeof(quote2_fixed));
	buf_put_bytes(w, in->external_data, TPM_STRUCT_DIGEST_LEN);
	tpm_pcr_info_short_put(w, &in->info_short);
}

void tpm_quote_info2_free(struct tpm_quote_info2 *s)
{
	memset(s, 0, sizeof(*s));
}

/* ---- TPM_IDENTITY_CONTENTS (§12.5) ---- */

int tpm_identity_contents_get(struct buf_reader *r, struct tpm_identity_contents *out)
{
	memset(out, 0, sizeof(*out));
	get_version_1_1(r, &out->ver, "TPM_IDENTITY_CONTENTS");
	buf_get_u32(r, &out->ordinal);
	buf_get_bytes(r, out->label_priv_ca_digest, TPM_STRUCT_DIGEST_LEN);
	tpm_pubkey_get(r, &out->identity_pub_key);
	GET_DONE(r, out, tpm_identity_contents_free);
}

void tpm_identity_contents_put(struct buf_writer *w, const struct tpm_identity_contents *in)
{
	put_version_1_1(w, &in->ver);
	buf_put_u32(w, in->ordinal);
	buf_put_bytes(w, in->label_priv_ca_digest, TPM_STRUCT_DIGEST_LEN);
	tpm_pubkey_put(w, &in->identity_pub_key);
}

void tpm_identity_contents_free(struct tpm_identity_contents *s)
{
	tpm_pubkey_free(&s->identity_pub_key);
	memset(s, 0, sizeof(*s));
}

/* ---- TPM_IDENTITY_REQ (§12.6): the sizes come first, the blobs last ---- */

int tpm_identity_req_get(struct buf_reader *r, struct tpm_identity_req *out)
{
	uint32_t asym_size = 0, sym_size = 0;

	memset(out, 0, sizeof(*out));
	buf_get_u32(r, &asym_size);
	buf_get_u32(r, &sym_size);
	if (buf_reader_error(r) == 0 &&
	    (asym_size > TPM_STRUCT_BLOB_MAX || sym_size > TPM_STRUCT_IDENTITY_BLOB_MAX))
		buf_reader_fail(r, -E2BIG);
	tpm_key_parms_get(r, &out->asym_algorithm);
	tpm_key_parms_get(r, &out->sym_algorithm);
	/* buf_get_dup checks each size against what is left before allocating. */
	if (buf_get_dup(r, &out->asym_blob, asym_size) == 0)
		out->asym_blob_len = asym_size;
	if (buf_get_dup(r, &out->sym_blob, sym_size) == 0)
		out->sym_blob_len = sym_size;
	GET_DONE(r, out, tpm_identity_req_free);
}

void tpm_identity_req_put(struct buf_writer *w, const struct tpm_identity_req *in)
{
	if (in->asym_blob_len > TPM_STRUCT_BLOB_MAX ||
	    in->sym_blob_len > TPM_STRUCT_IDENTITY_BLOB_MAX) {
		buf_writer_fail(w, -E2BIG);
		return;
	}
	buf_put_u32(w, in->asym_blob_len);
	buf_put_u32(w, in->sym_blob_len);
	tpm_key_parms_put(w, &in->asym_algorithm);
	tpm_key_parms_put(w, &in->sym_algorithm);
	buf_put_bytes(w, in->asym_blob, in->asym_blob_len);
	buf_put_bytes(w, in->sym_blob, in->sym_blob_len);
}

void tpm_identity_req_free(struct tpm_identity_req *s)
{
	tpm_key_parms_free(&s->asym_algorithm);
	tpm_key_parms_free(&s->sym_algorithm);
	free_wiped(&s->asym_blob, s->asym_blob_len);
	free_wiped(&s->sym_blob, s->sym_blob_len);
	memset(s, 0, sizeof(*s));
}

/* ---- TPM_IDENTITY_PROOF (§12.7): five sizes, the key, then five areas ---- */

struct proof_area {
	size_t data_off; /* offsetof the uint8_t * member */
	size_t len_off;  /* offsetof the uint32_t length member */
	uint32_t max;
};

static const struct proof_area proof_areas[] = {
	{ offsetof(struct tpm_identity_proof, label_area),
	  offsetof(struct tpm_identity_proof, label_area_len), TPM_STRUCT_BLOB_MAX },
	{ offsetof(struct tpm_identity_proof, identity_binding),
	  offsetof(struct tpm_identity_proof, identity_binding_len), TPM_STRUCT_BLOB_MAX },
	{ offsetof(struct tpm_identity_proof, endorsement_credential),
	  offsetof(struct tpm_identity_proof, endorsement_credential_len),
	  TPM_STRUCT_CREDENTIAL_MAX },
	{ offsetof(struct tpm_identity_proof, platform_credential),
	  offsetof(struct tpm_identity_proof, platform_credential_len),
	  TPM_STRUCT_CREDENTIAL_MAX },
	{ offsetof(struct tpm_identity_proof, conformance_credential),
	  offsetof(struct tpm_identity_proof, conformance_credential_len),
	  TPM_STRUCT_CREDENTIAL_MAX },
};

#define N_PROOF_AREAS (sizeof(proof_areas) / sizeof(proof_areas[0]))

static uint8_t **proof_data(struct tpm_identity_proof *p, size_t i)
{
	return (uint8_t **)((char *)p + proof_areas[i].data_off);
}

static uint32_t *proof_len(struct tpm_identity_proof *p, size_t i)
{
	return (uint32_t *)((char *)p + proof_areas[i].len_off);
}

static const uint8_t *proof_cdata(const struct tpm_identity_proof *p, size_t i)
{
	return *(uint8_t *const *)((const char *)p + proof_areas[i].data_off);
}

static uint32_t proof_clen(const struct tpm_identity_proof *p, size_t i)
{
	return *(const uint32_t *)((const char *)p + proof_areas[i].len_off);
}

int tpm_identity_proof_get(struct buf_reader *r, struct tpm_identity_proof *out)
{
	uint32_t sizes[N_PROOF_AREAS] = { 0 };

	memset(out, 0, sizeof(*out));
	get_version_1_1(r, &out->ver, "TPM_IDENTITY_PROOF");
	for (size_t i = 0; i < N_PROOF_AREAS; i++)
		if (buf_get_u32(r, &sizes[i]) == 0 && sizes[i] > proof_areas[i].max)
			buf_reader_fail(r, -E2BIG);
	tpm_pubkey_get(r, &out->identity_key);
	for (size_t i = 0; i < N_PROOF_AREAS; i++)
		if (buf_get_dup(r, proof_data(out, i), sizes[i]) == 0)
			*proof_len(out, i) = sizes[i];
	GET_DONE(r, out, tpm_identity_proof_free);
}

void tpm_identity_proof_put(struct buf_writer *w, const struct tpm_identity_proof *in)
{
	put_version_1_1(w, &in->ver);
	for (size_t i = 0; i < N_PROOF_AREAS; i++) {
		if (proof_clen(in, i) > proof_areas[i].max)
			buf_writer_fail(w, -E2BIG);
		buf_put_u32(w, proof_clen(in, i));
	}
	tpm_pubkey_put(w, &in->identity_key);
	for (size_t i = 0; i < N_PROOF_AREAS; i++)
		buf_put_bytes(w, proof_cdata(in, i), proof_clen(in, i));
}

void tpm_identity_proof_free(struct tpm_identity_proof *s)
{
	tpm_pubkey_free(&s->identity_key);
	for (size_t i = 0; i < N_PROOF_AREAS; i++)
		free_wiped(proof_data(s, i), *proof_len(s, i));
	memset(s, 0, sizeof(*s));
}

/* ---- TPM_SYM_CA_ATTESTATION (§12.8), TPM_ASYM_CA_CONTENTS (§12.9) ---- */

int tpm_sym_ca_attestation_get(struct buf_reader *r, struct tpm_sym_ca_attestation *out)
{
	uint32_t cred_size = 0;

	memset(out, 0, sizeof(*out));
	if (buf_get_u32(r, &cred_size) == 0 && cred_size > TPM_STRUCT_CREDENTIAL_MAX)
		buf_reader_fail(r, -E2BIG);
	tpm_key_parms_get(r, &out->algorithm);
	if (buf_get_dup(r, &out->credential, cred_size) == 0)
		out->credential_len = cred_size;
	GET_DONE(r, out, tpm_sym_ca_attestation_free);
}

void tpm_sym_ca_attestation_put(struct buf_writer *w, const struct tpm_sym_ca_attestation *in)
{
	if (in->credential_len > TPM_STRUCT_CREDENTIAL_MAX) {
		buf_writer_fail(w, -E2BIG);
		return;
	}
	buf_put_u32(w, in->credential_len);
	tpm_key_parms_put(w, &in->algorithm);
	buf_put_bytes(w, in->credential, in->credential_len);
}

void tpm_sym_ca_attestation_free(struct tpm_sym_ca_attestation *s)
{
	tpm_key_parms_free(&s->algorithm);
	free_wiped(&s->credential, s->credential_len);
	memset(s, 0, sizeof(*s));
}

int tpm_asym_ca_contents_get(struct buf_reader *r, struct tpm_asym_ca_contents *out)
{
	memset(out, 0, sizeof(*out));
	tpm_symmetric_key_get(r, &out->session_key);
	buf_get_bytes(r, out->id_digest, TPM_STRUCT_DIGEST_LEN);
	GET_DONE(r, out, tpm_asym_ca_contents_free);
}

void tpm_asym_ca_contents_put(struct buf_writer *w, const struct tpm_asym_ca_contents *in)
{
	tpm_symmetric_key_put(w, &in->session_key);
	buf_put_bytes(w, in->id_digest, TPM_STRUCT_DIGEST_LEN);
}

void tpm_asym_ca_contents_free(struct tpm_asym_ca_contents *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

/* ---- TPM_MIGRATIONKEYAUTH (§5.12) ---- */

int tpm_migrationkeyauth_get(struct buf_reader *r, struct tpm_migrationkeyauth *out)
{
	memset(out, 0, sizeof(*out));
	tpm_pubkey_get(r, &out->migration_key);
	buf_get_u16(r, &out->migration_scheme);
	buf_get_bytes(r, out->digest, TPM_STRUCT_DIGEST_LEN);
	GET_DONE(r, out, tpm_migrationkeyauth_free);
}

void tpm_migrationkeyauth_put(struct buf_writer *w, const struct tpm_migrationkeyauth *in)
{
	tpm_pubkey_put(w, &in->migration_key);
	buf_put_u16(w, in->migration_scheme);
	buf_put_bytes(w, in->digest, TPM_STRUCT_DIGEST_LEN);
}

void tpm_migrationkeyauth_free(struct tpm_migrationkeyauth *s)
{
	tpm_pubkey_free(&s->migration_key);
	OPENSSL_cleanse(s, sizeof(*s));
}

/* ---- TPM_COUNTER_VALUE (§5.13), TPM_CURRENT_TICKS (§15.1) ---- */

int tpm_counter_value_get(struct buf_reader *r, struct tpm_counter_value *out)
{
	memset(out, 0, sizeof(*out));
	get_tag(r, TPM_TAG_COUNTER_VALUE, "TPM_COUNTER_VALUE");
	buf_get_bytes(r, out->label, sizeof(out->label));
	buf_get_u32(r, &out->counter);
	GET_DONE(r, out, tpm_counter_value_free);
}

void tpm_counter_value_put(struct buf_writer *w, const struct tpm_counter_value *in)
{
	buf_put_u16(w, TPM_TAG_COUNTER_VALUE);
	buf_put_bytes(w, in->label, sizeof(in->label));
	buf_put_u32(w, in->counter);
}

void tpm_counter_value_free(struct tpm_counter_value *s)
{
	memset(s, 0, sizeof(*s));
}

int tpm_current_ticks_get(struct buf_reader *r, struct tpm_current_ticks *out)
{
	memset(out, 0, sizeof(*out));
	get_tag(r, TPM_TAG_CURRENT_TICKS, "TPM_CURRENT_TICKS");
	buf_get_u64(r, &out->current_ticks);
	buf_get_u16(r, &out->tick_rate);
	buf_get_bytes(r, out->tick_nonce, TPM_STRUCT_DIGEST_LEN);
	GET_DONE(r, out, tpm_current_ticks_free);
}

void tpm_current_ticks_put(struct buf_writer *w, const struct tpm_current_ticks *in)
{
	buf_put_u16(w, TPM_TAG_CURRENT_TICKS);
	buf_put_u64(w, in->current_ticks);
	buf_put_u16(w, in->tick_rate);
	buf_put_bytes(w, in->tick_nonce, TPM_STRUCT_DIGEST_LEN);
}

void tpm_current_ticks_free(struct tpm_current_ticks *s)
{
	memset(s, 0, sizeof(*s));
}

/* ---- TPM_NV_ATTRIBUTES (§19.2), TPM_NV_DATA_PUBLIC (§19.3) ---- */

int tpm_nv_attributes_get(struct buf_reader *r, struct tpm_nv_attributes *out)
{
	memset(out, 0, sizeof(*out));
	get_tag(r, TPM_TAG_NV_ATTRIBUTES, "TPM_NV_ATTRIBUTES");
	buf_get_u32(r, &out->attributes);
	GET_DONE(r, out, tpm_nv_attributes_free);
}

void tpm_nv_attributes_put(struct buf_writer *w, const struct tpm_nv_attributes *in)
{
	buf_put_u16(w, TPM_TAG_NV_ATTRIBUTES);
	buf_put_u32(w, in->attributes);
}

void tpm_nv_attributes_free(struct tpm_nv_attributes *s)
{
	memset(s, 0, sizeof(*s));
}

int tpm_nv_data_public_get(struct buf_reader *r, struct tpm_nv_data_public *out)
{
	memset(out, 0, sizeof(*out));
	get_tag(r, TPM_TAG_NV_DATA_PUBLIC, "TPM_NV_DATA_PUBLIC");
	buf_get_u32(r, &out->nv_index);
	tpm_pcr_info_short_get(r, &out->pcr_info_read);
	tpm_pcr_info_short_get(r, &out->pcr_info_write);
	tpm_nv_attributes_get(r, &out->permission);
	get_bool(r, &out->b_read_st_clear);
	get_bool(r, &out->b_write_st_clear);
	get_bool(r, &out->b_write_define);
	buf_get_u32(r, &out->data_size);
	GET_DONE(r, out, tpm_nv_data_public_free);
}

void tpm_nv_data_public_put(struct buf_writer *w, const struct tpm_nv_data_public *in)
{
	buf_put_u16(w, TPM_TAG_NV_DATA_PUBLIC);
	buf_put_u32(w, in->nv_index);
	tpm_pcr_info_short_put(w, &in->pcr_info_read);
	tpm_pcr_info_short_put(w, &in->pcr_info_write);
	tpm_nv_attributes_put(w, &in->permission);
	buf_put_u8(w, in->b_read_st_clear ? 1 : 0);
	buf_put_u8(w, in->b_write_st_clear ? 1 : 0);
	buf_put_u8(w, in->b_write_define ? 1 : 0);
	buf_put_u32(w, in->data_size);
}

void tpm_nv_data_public_free(struct tpm_nv_data_public *s)
{
	memset(s, 0, sizeof(*s));
}

/* ---- TPM_CAP_VERSION_INFO (§21.6) ---- */

int tpm_cap_version_info_get(struct buf_reader *r, struct tpm_cap_version_info *out)
{
	memset(out, 0, sizeof(*out));
	get_tag(r, TPM_TAG_CAP_VERSION_INFO, "TPM_CAP_VERSION_INFO");
	tpm_version_get(r, &out->version);
	buf_get_u16(r, &out->spec_level);
	buf_get_u8(r, &out->errata_rev);
	buf_get_bytes(r, out->tpm_vendor_id, sizeof(out->tpm_vendor_id));
	if (buf_get_u16(r, &out->vendor_specific_len) == 0 &&
	    out->vendor_specific_len > TPM_STRUCT_BLOB_MAX)
		buf_reader_fail(r, -E2BIG);
	buf_get_dup(r, &out->vendor_specific, out->vendor_specific_len);
	GET_DONE(r, out, tpm_cap_version_info_free);
}

void tpm_cap_version_info_put(struct buf_writer *w, const struct tpm_cap_version_info *in)
{
	buf_put_u16(w, TPM_TAG_CAP_VERSION_INFO);
	tpm_version_put(w, &in->version);
	buf_put_u16(w, in->spec_level);
	buf_put_u8(w, in->errata_rev);
	buf_put_bytes(w, in->tpm_vendor_id, sizeof(in->tpm_vendor_id));
	if (in->vendor_specific_len > TPM_STRUCT_BLOB_MAX)
		buf_writer_fail(w, -E2BIG);
	buf_put_sized16(w, in->vendor_specific, in->vendor_specific_len);
}

void tpm_cap_version_info_free(struct tpm_cap_version_info *s)
{
	free(s->vendor_specific);
	memset(s, 0, sizeof(*s));
}

/* ---- TPM_PERMANENT_FLAGS (§7.1), TPM_STCLEAR_FLAGS (§7.2): tag + TPM_BOOLs ---- */

/* Wire order of the booleans, as Part 2 lists them. */
static const size_t permanent_flag_offs[] = {
	offsetof(struct tpm_permanent_flags, disable),
	offsetof(struct tpm_permanent_flags, ownership),
	offsetof(struct tpm_permanent_flags, deactivated),
	offsetof(struct tpm_permanent_flags, read_pubek),
	offsetof(struct tpm_permanent_flags, disable_owner_clear),
	offsetof(struct tpm_permanent_flags, allow_maintenance),
	offsetof(struct tpm_permanent_flags, physical_presence_lifetime_lock),
	offsetof(struct tpm_permanent_flags, physical_presence_hw_enable),
	offsetof(struct tpm_permanent_flags, physical_presence_cmd_enable),
	offsetof(struct tpm_permanent_flags, cekp_used),
	offsetof(struct tpm_permanent_flags, tpm_post),
	offsetof(struct tpm_permanent_flags, tpm_post_lock),
	offsetof(struct tpm_permanent_flags, fips),
	offsetof(struct tpm_permanent_flags, operator_),
	offsetof(struct tpm_permanent_flags, enable_revoke_ek),
	offsetof(struct tpm_permanent_flags, nv_locked),
	offsetof(struct tpm_permanent_flags, read_srk_pub),
	offsetof(struct tpm_permanent_flags, tpm_established),
	offsetof(struct tpm_permanent_flags, maintenance_done),
	offsetof(struct tpm_permanent_flags, disable_full_da_logic_info),
};

static const size_t stclear_flag_offs[] = {
	offsetof(struct tpm_stclear_flags, deactivated),
	offsetof(struct tpm_stclear_flags, disable_force_clear),
	offsetof(struct tpm_stclear_flags, physical_presence),
	offsetof(struct tpm_stclear_flags, physical_presence_lock),
	offsetof(struct tpm_stclear_flags, b_global_lock),
};

static void get_flags(struct buf_reader *r, void *flags, const size_t *offs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		get_bool(r, (bool *)((char *)flags + offs[i]));
}

static void put_flags(struct buf_writer *w, const void *flags, const size_t *offs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_put_u8(w, *(const bool *)((const char *)flags + offs[i]) ? 1 : 0);
}

#define N_PERMANENT_FLAGS (sizeof(permanent_flag_offs) / sizeof(permanent_flag_offs[0]))
#define N_STCLEAR_FLAGS (sizeof(stclear_flag_offs) / sizeof(stclear_flag_offs[0]))

int tpm_permanent_flags_get(struct buf_reader *r, struct tpm_permanent_flags *out)
{
	memset(out, 0, sizeof(*out));
	get_tag(r, TPM_TAG_PERMANENT_FLAGS, "TPM_PERMANENT_FLAGS");
	get_flags(r, out, permanent_flag_offs, N_PERMANENT_FLAGS);
	GET_DONE(r, out, tpm_permanent_flags_free);
}

void tpm_permanent_flags_put(struct buf_writer *w, const struct tpm_permanent_flags *in)
{
	buf_put_u16(w, TPM_TAG_PERMANENT_FLAGS);
	put_flags(w, in, permanent_flag_offs, N_PERMANENT_FLAGS);
}

void tpm_permanent_flags_free(struct tpm_permanent_flags *s)
{
	memset(s, 0, sizeof(*s));
}

int tpm_stclear_flags_get(struct buf_reader *r, struct tpm_stclear_flags *out)
{
	memset(out, 0, sizeof(*out));
	get_tag(r, TPM_TAG_STCLEAR_FLAGS, "TPM_STCLEAR_FLAGS");
	get_flags(r, out, stclear_flag_offs, N_STCLEAR_FLAGS);
	GET_DONE(r, out, tpm_stclear_flags_free);
}

void tpm_stclear_flags_put(struct buf_writer *w, const struct tpm_stclear_flags *in)
{
	buf_put_u16(w, TPM_TAG_STCLEAR_FLAGS);
	put_flags(w, in, stclear_flag_offs, N_STCLEAR_FLAGS);
}

void tpm_stclear_flags_free(struct tpm_stclear_flags *s)
{
	memset(s, 0, sizeof(*s));
}

/* ---- whole-buffer decode / encode, identical for every structure ---- */

#define TPM_STRUCT_CODEC(name)                                                          \
	int tpm_##name##_decode(const uint8_t *p, size_t n, struct tpm_##name *out)     \
	{                                                                               \
		struct buf_reader r;                                                    \
		int rc;                                                                 \
                                                                                        \
		buf_reader_init(&r, p, n);                                              \
		rc = tpm_##name##_get(&r, out);                                         \
		if (rc == 0 && (rc = buf_reader_done(&r)) != 0)                         \
			tpm_##name##_free(out);                                         \
		return rc;                                                              \
	}                                                                               \
                                                                                        \
	int tpm_##name##_encode(const struct tpm_##name *in, uint8_t **p, size_t *n)    \
	{                                                                               \
		struct buf_writer w;                                                    \
		int rc;                                                                 \
                                                                                        \
		*p = NULL;                                                              \
		*n = 0;                                                                 \
		buf_writer_init_dynamic(&w, TPM_STRUCT_ENCODE_MAX);                     \
		tpm_##name##_put(&w, in);                                               \
		rc = buf_writer_error(&w);                                              \
		if (rc != 0) {                                                          \
			buf_writer_free(&w);                                            \
			return rc;                                                      \
		}                                                                       \
		*p = buf_writer_steal(&w, n);                                           \
		return *p != NULL ? 0 : -ENOMEM;                                        \
	}

TPM_STRUCT_CODEC(version)
TPM_STRUCT_CODEC(pcr_selection)
TPM_STRUCT_CODEC(pcr_composite)
TPM_STRUCT_CODEC(pcr_info)
TPM_STRUCT_CODEC(pcr_info_long)
TPM_STRUCT_CODEC(pcr_info_short)
TPM_STRUCT_CODEC(rsa_key_parms)
TPM_STRUCT_CODEC(symmetric_key_parms)
TPM_STRUCT_CODEC(key_parms)
TPM_STRUCT_CODEC(store_pubkey)
TPM_STRUCT_CODEC(pubkey)
TPM_STRUCT_CODEC(key)
TPM_STRUCT_CODEC(stored_data)
TPM_STRUCT_CODEC(bound_data)
TPM_STRUCT_CODEC(symmetric_key)
TPM_STRUCT_CODEC(certify_info)
TPM_STRUCT_CODEC(certify_info2)
TPM_STRUCT_CODEC(quote_info)
TPM_STRUCT_CODEC(quote_info2)
TPM_STRUCT_CODEC(identity_contents)
TPM_STRUCT_CODEC(identity_req)
TPM_STRUCT_CODEC(identity_proof)
TPM_STRUCT_CODEC(sym_ca_attestation)
TPM_STRUCT_CODEC(asym_ca_contents)
TPM_STRUCT_CODEC(migrationkeyauth)
TPM_STRUCT_CODEC(counter_value)
TPM_STRUCT_CODEC(current_ticks)
TPM_STRUCT_CODEC(nv_attributes)
TPM_STRUCT_CODEC(nv_data_public)
TPM_STRUCT_CODEC(cap_version_info)
TPM_STRUCT_CODEC(permanent_flags)
TPM_STRUCT_CODEC(stclear_flags)
