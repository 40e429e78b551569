/*
 * Unit tests for TPM 1.2 structure marshalling (common/tpm_structs.c).
 *
 * Every structure is driven through the same table of checks over its
 * vectors (tests/unit/vectors/): round trip byte for byte, every
 * truncation refused with -EBADMSG and nothing leaked (run under ASan or
 * valgrind), trailing bytes refused, wrong tags refused, lengths above
 * their caps refused with -E2BIG, and any single corrupted byte either
 * refused or re-encoded to exactly the corrupted input. Then the
 * per-structure facts: field values of the real (libtpms) vectors, the
 * builders' refusals, and the PCR helpers.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <tss/platform.h>
#include <tss/tpm.h>

#include "buf.h"
#include "tpm_structs.h"
#include "vectors.h"

/* ---- one generic view of every structure's codec ---- */

struct codec {
	const char *name;
	size_t size;
	int (*decode)(const uint8_t *p, size_t n, void *out);
	int (*encode)(const void *in, uint8_t **p, size_t *n);
	void (*free)(void *s);
};

#define WRAP(n)                                                                      \
	static int dec_##n(const uint8_t *p, size_t len, void *s)                    \
	{                                                                            \
		return tpm_##n##_decode(p, len, s);                                  \
	}                                                                            \
	static int enc_##n(const void *s, uint8_t **p, size_t *len)                  \
	{                                                                            \
		return tpm_##n##_encode(s, p, len);                                  \
	}                                                                            \
	static void free_##n(void *s)                                                \
	{                                                                            \
		tpm_##n##_free(s);                                                   \
	}                                                                            \
	static const struct codec codec_##n = { #n, sizeof(struct tpm_##n), dec_##n, \
						enc_##n, free_##n };

WRAP(version)
WRAP(pcr_selection)
WRAP(pcr_composite)
WRAP(pcr_info)
WRAP(pcr_info_long)
WRAP(pcr_info_short)
WRAP(rsa_key_parms)
WRAP(symmetric_key_parms)
WRAP(key_parms)
WRAP(store_pubkey)
WRAP(pubkey)
WRAP(key)
WRAP(stored_data)
WRAP(bound_data)
WRAP(symmetric_key)
WRAP(certify_info)
WRAP(certify_info2)
WRAP(quote_info)
WRAP(quote_info2)
WRAP(identity_contents)
WRAP(identity_req)
WRAP(identity_proof)
WRAP(sym_ca_attestation)
WRAP(asym_ca_contents)
WRAP(migrationkeyauth)
WRAP(counter_value)
WRAP(current_ticks)
WRAP(nv_attributes)
WRAP(nv_data_public)
WRAP(cap_version_info)
WRAP(permanent_flags)
WRAP(stclear_flags)

#define NONE (-1)

/* A vector file and where its tag and one capped length field sit. */
struct vec_case {
	const char *file;
	const struct codec *codec;
	int tag_off;       /* a byte that makes the tag/version/fixed value wrong, or NONE */
	int cap_off;       /* offset of a capped length field, or NONE */
	int cap_width;     /* 2 or 4 */
	uint32_t cap_bad;  /* smallest value above the cap */
	bool implied_tail; /* TPM_BOUND_DATA: the payload runs to the end */
};

static const struct vec_case cases[] = {
	/* captured from libtpms by vectors/capture_unauth.c */
	{ "tpm_pubkey.hex", &codec_pubkey, NONE, 24, 4, TPM_STRUCT_RSA_MODULUS_MAX + 1, false },
	{ "tpm_key_parms.hex", &codec_key_parms, NONE, 8, 4, TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_rsa_key_parms.hex", &codec_rsa_key_parms, NONE, 8, 4,
	  TPM_STRUCT_RSA_EXPONENT_MAX + 1, false },
	{ "tpm_store_pubkey.hex", &codec_store_pubkey, NONE, 0, 4, TPM_STRUCT_RSA_MODULUS_MAX + 1,
	  false },
	{ "tpm_cap_version_info.hex", &codec_cap_version_info, 1, 13, 2, TPM_STRUCT_BLOB_MAX + 1,
	  false },
	{ "tpm_permanent_flags.hex", &codec_permanent_flags, 1, NONE, 0, 0, false },
	{ "tpm_stclear_flags.hex", &codec_stclear_flags, 1, NONE, 0, 0, false },
	{ "tpm_current_ticks.hex", &codec_current_ticks, 1, NONE, 0, 0, false },
	{ "tpm_nv_data_public.hex", &codec_nv_data_public, 1, 6, 2, TPM_STRUCT_PCR_SELECT_MAX + 1,
	  false },
	{ "tpm_pcr_info_short.hex", &codec_pcr_info_short, NONE, 0, 2,
	  TPM_STRUCT_PCR_SELECT_MAX + 1, false },
	{ "tpm_pcr_selection.hex", &codec_pcr_selection, NONE, 0, 2, TPM_STRUCT_PCR_SELECT_MAX + 1,
	  false },
	{ "tpm_nv_attributes.hex", &codec_nv_attributes, 1, NONE, 0, 0, false },
	/* captured from libtpms by helper C's vectors/capture_auth.c */
	{ "tpm_pubkey_ek.hex", &codec_pubkey, NONE, 24, 4, TPM_STRUCT_RSA_MODULUS_MAX + 1, false },
	{ "tpm_key.hex", &codec_key, 0, 35, 4, TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_key_srk.hex", &codec_key, 0, 35, 4, TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_key_identity.hex", &codec_key, 0, 35, 4, TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_key12.hex", &codec_key, 1, 35, 4, TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_stored_data.hex", &codec_stored_data, 1, 4, 4, TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_stored_data12.hex", &codec_stored_data, 1, 4, 4, TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_pcr_info.hex", &codec_pcr_info, NONE, 0, 2, TPM_STRUCT_PCR_SELECT_MAX + 1, false },
	{ "tpm_pcr_info_long.hex", &codec_pcr_info_long, 1, 4, 2, TPM_STRUCT_PCR_SELECT_MAX + 1,
	  false },
	{ "tpm_pcr_info_short_quote2.hex", &codec_pcr_info_short, NONE, 0, 2,
	  TPM_STRUCT_PCR_SELECT_MAX + 1, false },
	{ "tpm_pcr_composite.hex", &codec_pcr_composite, NONE, 5, 4,
	  TPM_STRUCT_NUM_PCR_MAX * TPM_STRUCT_DIGEST_LEN + 1, false },
	{ "tpm_quote_info.hex", &codec_quote_info, 5, NONE, 0, 0, false },
	{ "tpm_quote_info2.hex", &codec_quote_info2, 3, 26, 2, TPM_STRUCT_PCR_SELECT_MAX + 1, false },
	{ "tpm_cap_version_info_quote2.hex", &codec_cap_version_info, 1, 13, 2,
	  TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_certify_info.hex", &codec_certify_info, 1, 19, 4, TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_counter_value.hex", &codec_counter_value, 1, NONE, 0, 0, false },
	{ "tpm_identity_contents.hex", &codec_identity_contents, 1, 52, 4,
	  TPM_STRUCT_RSA_MODULUS_MAX + 1, false },
	{ "tpm_migrationkeyauth.hex", &codec_migrationkeyauth, NONE, 24, 4,
	  TPM_STRUCT_RSA_MODULUS_MAX + 1, false },
	/* spec-derived: no TPM emits these bare (see each file's comment) */
	{ "tpm_version_spec.hex", &codec_version, NONE, NONE, 0, 0, false },
	{ "tpm_pcr_info_spec.hex", &codec_pcr_info, NONE, 0, 2, TPM_STRUCT_PCR_SELECT_MAX + 1,
	  false },
	{ "tpm_pcr_info_long_spec.hex", &codec_pcr_info_long, 1, 4, 2,
	  TPM_STRUCT_PCR_SELECT_MAX + 1, false },
	{ "tpm_pcr_composite_spec.hex", &codec_pcr_composite, NONE, 5, 4,
	  TPM_STRUCT_NUM_PCR_MAX * TPM_STRUCT_DIGEST_LEN + 1, false },
	{ "tpm_key_spec.hex", &codec_key, 0, 35, 4, TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_key12_spec.hex", &codec_key, 1, 35, 4, TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_stored_data_spec.hex", &codec_stored_data, 1, 4, 4, TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_stored_data12_spec.hex", &codec_stored_data, 1, 4, 4, TPM_STRUCT_BLOB_MAX + 1,
	  false },
	{ "tpm_bound_data.hex", &codec_bound_data, 4, NONE, 0, 0, true },
	{ "tpm_symmetric_key.hex", &codec_symmetric_key, NONE, 6, 2, TPM_STRUCT_SYM_KEY_MAX + 1,
	  false },
	{ "tpm_symmetric_key_parms.hex", &codec_symmetric_key_parms, NONE, 8, 4,
	  TPM_STRUCT_SYM_IV_MAX + 1, false },
	{ "tpm_asym_ca_contents.hex", &codec_asym_ca_contents, NONE, 6, 2,
	  TPM_STRUCT_SYM_KEY_MAX + 1, false },
	{ "tpm_sym_ca_attestation.hex", &codec_sym_ca_attestation, NONE, 0, 4,
	  TPM_STRUCT_CREDENTIAL_MAX + 1, false },
	{ "tpm_identity_req.hex", &codec_identity_req, NONE, 0, 4, TPM_STRUCT_BLOB_MAX + 1, false },
	{ "tpm_identity_proof.hex", &codec_identity_proof, 1, 4, 4, TPM_STRUCT_BLOB_MAX + 1,
	  false },
	{ "tpm_migrationkeyauth_spec.hex", &codec_migrationkeyauth, NONE, 24, 4,
	  TPM_STRUCT_RSA_MODULUS_MAX + 1, false },
	{ "tpm_quote_info_spec.hex", &codec_quote_info, 5, NONE, 0, 0, false },
	{ "tpm_quote_info2_spec.hex", &codec_quote_info2, 3, 26, 2, TPM_STRUCT_PCR_SELECT_MAX + 1,
	  false },
	{ "tpm_certify_info_spec.hex", &codec_certify_info, 1, 19, 4, TPM_STRUCT_BLOB_MAX + 1,
	  false },
	{ "tpm_certify_info2_spec.hex", &codec_certify_info2, 1, 19, 4, TPM_STRUCT_BLOB_MAX + 1,
	  false },
	{ "tpm_counter_value_spec.hex", &codec_counter_value, 1, NONE, 0, 0, false },
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* Holds any of the structs; the largest is far below this. */
union any_struct {
	struct tpm_key key;
	struct tpm_identity_proof proof;
	struct tpm_pcr_composite comp;
	uint8_t bytes[4096];
};

static void load(const char *file, uint8_t **p, size_t *n)
{
	int rc = vector_load(file, p, n);

	if (rc != 0)
		fail_msg("vector %s: %d", file, rc);
	assert_true(*n > 0);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static void expect_roundtrip(const struct codec *c, const uint8_t *p, size_t n)
{
	union any_struct s, s2;
	uint8_t *enc = NULL, *enc2 = NULL;
	size_t enc_len = 0, enc2_len = 0;

	assert_true(c->size <= sizeof(s));
	assert_int_equal(c->decode(p, n, &s), 0);
	assert_int_equal(c->encode(&s, &enc, &enc_len), 0);
	assert_int_equal(enc_len, n);
	assert_memory_equal(enc, p, n);
	/* put -> get -> put */
	assert_int_equal(c->decode(enc, enc_len, &s2), 0);
	assert_int_equal(c->encode(&s2, &enc2, &enc2_len), 0);
	assert_int_equal(enc2_len, enc_len);
	assert_memory_equal(enc2, enc, enc_len);
	c->free(&s);
	assert_true(all_zero(&s, c->size));
	c->free(&s2);
	c->free(&s2); /* free twice is harmless */
	free(enc);
	free(enc2);
}

static void put_be(uint8_t *p, int width, uint32_t v)
{
	for (int i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

static void vectors_generic(void **state)
{
	for (size_t k = 0; k < N_CASES; k++) {
		const struct vec_case *vc = &cases[k];
		const struct codec *c = vc->codec;
		union any_struct s;
		uint8_t *p = NULL, *q;
		size_t n = 0;

		load(vc->file, &p, &n);
		expect_roundtrip(c, p, n);

		/* Every proper prefix ends early. */
		for (size_t cut = 0; cut < n; cut++) {
			int rc;

			memset(&s, 0xa5, sizeof(s));
			rc = c->decode(p, cut, &s);
			if (vc->implied_tail && cut >= 5) {
				/* a shorter payload is still a TPM_BOUND_DATA */
				assert_int_equal(rc, 0);
				c->free(&s);
				continue;
			}
			if (rc != -EBADMSG)
				fail_msg("%s cut at %zu: %d", vc->file, cut, rc);
			assert_true(all_zero(&s, c->size));
		}

		q = malloc(n + 1);
		assert_non_null(q);
		memcpy(q, p, n);

		/* One byte too many. */
		q[n] = 0;
		if (!vc->implied_tail) {
			assert_int_equal(c->decode(q, n + 1, &s), -EBADMSG);
			assert_true(all_zero(&s, c->size));
		}

		/* Wrong tag, version or fixed value. */
		if (vc->tag_off != NONE) {
			q[vc->tag_off] ^= 0xfe;
			if (c->decode(q, n, &s) != -EINVAL)
				fail_msg("%s: wrong tag accepted", vc->file);
			assert_true(all_zero(&s, c->size));
			q[vc->tag_off] ^= 0xfe;
		}

		/* A length just above its cap, and the largest value the field holds. */
		if (vc->cap_off != NONE) {
			put_be(q + vc->cap_off, vc->cap_width, vc->cap_bad);
			if (c->decode(q, n, &s) != -E2BIG)
				fail_msg("%s: over-cap length accepted", vc->file);
			assert_true(all_zero(&s, c->size));
			put_be(q + vc->cap_off, vc->cap_width, UINT32_MAX);
			assert_int_equal(c->decode(q, n, &s), -E2BIG);
			memcpy(q, p, n);
		}

		/*
		 * Any corrupted byte is refused, or what was accepted encodes
		 * back to exactly the corrupted input.
		 */
		for (size_t i = 0; i < n; i++) {
			static const uint8_t flips[] = { 0x01, 0x80, 0xff };

			for (size_t f = 0; f < sizeof(flips); f++) {
				uint8_t *enc = NULL;
				size_t enc_len = 0;

				q[i] = p[i] ^ flips[f];
				if (c->decode(q, n, &s) == 0) {
					assert_int_equal(c->encode(&s, &enc, &enc_len), 0);
					assert_int_equal(enc_len, n);
					assert_memory_equal(enc, q, n);
					free(enc);
					c->free(&s);
				} else {
					assert_true(all_zero(&s, c->size));
				}
			}
			q[i] = p[i];
		}
		free(q);
		free(p);
	}
}

/* ---- field values of the libtpms vectors ---- */

static void real_pubkey(void **state)
{
	struct tpm_pubkey pk;
	uint8_t *p = NULL;
	size_t n = 0;

	load("tpm_pubkey.hex", &p, &n);
	assert_int_equal(tpm_pubkey_decode(p, n, &pk), 0);
	assert_int_equal(pk.algorithm_parms.algorithm_id, TPM_ALG_RSA);
	assert_int_equal(pk.algorithm_parms.enc_scheme, TPM_ES_RSAESOAEP_SHA1_MGF1);
	assert_int_equal(pk.algorithm_parms.sig_scheme, TPM_SS_NONE);
	assert_int_equal(pk.algorithm_parms.kind, TPM_PARMS_RSA);
	assert_int_equal(pk.algorithm_parms.rsa.key_length, 2048);
	assert_int_equal(pk.algorithm_parms.rsa.num_primes, 2);
	assert_int_equal(pk.algorithm_parms.rsa.exponent_len, 0);
	assert_int_equal(pk.pub_key.key_len, 256);
	assert_true(pk.pub_key.key[0] & 0x80); /* a full 2048-bit modulus */
	tpm_pubkey_free(&pk);
	assert_null(pk.pub_key.key);
	free(p);
}

static void real_cap_version_info(void **state)
{
	struct tpm_cap_version_info vi;
	uint8_t *p = NULL;
	size_t n = 0;

	load("tpm_cap_version_info.hex", &p, &n);
	assert_int_equal(tpm_cap_version_info_decode(p, n, &vi), 0);
	assert_int_equal(vi.version.major, 1);
	assert_int_equal(vi.version.minor, 2);
	assert_memory_equal(vi.tpm_vendor_id, "IBM", 4);
	assert_int_equal(vi.vendor_specific_len, 0);
	assert_null(vi.vendor_specific);
	tpm_cap_version_info_free(&vi);
	free(p);
}

static void real_flags(void **state)
{
	struct tpm_permanent_flags pf;
	struct tpm_stclear_flags sf;
	uint8_t *p = NULL;
	size_t n = 0;

	/* A fresh, enabled, active, unowned TPM with an EK. */
	load("tpm_permanent_flags.hex", &p, &n);
	assert_int_equal(n, 22);
	assert_int_equal(tpm_permanent_flags_decode(p, n, &pf), 0);
	assert_false(pf.disable);
	assert_true(pf.ownership);
	assert_false(pf.deactivated);
	assert_true(pf.read_pubek);
	assert_false(pf.nv_locked);
	assert_false(pf.disable_full_da_logic_info);
	/* A TPM_BOOL of 2 is refused. */
	p[2] = 2;
	assert_int_equal(tpm_permanent_flags_decode(p, n, &pf), -EINVAL);
	assert_true(all_zero(&pf, sizeof(pf)));
	free(p);

	load("tpm_stclear_flags.hex", &p, &n);
	assert_int_equal(tpm_stclear_flags_decode(p, n, &sf), 0);
	assert_true(sf.physical_presence);
	assert_false(sf.deactivated);
	assert_false(sf.b_global_lock);
	free(p);
}

static void real_nv_data_public(void **state)
{
	struct tpm_nv_data_public nv;
	uint8_t *p = NULL;
	size_t n = 0;

	load("tpm_nv_data_public.hex", &p, &n);
	assert_int_equal(tpm_nv_data_public_decode(p, n, &nv), 0);
	assert_int_equal(nv.nv_index, 0x00011101);
	assert_int_equal(nv.permission.attributes, TPM_NV_PER_AUTHWRITE);
	assert_int_equal(nv.data_size, 32);
	assert_int_equal(tpm_pcr_selection_to_mask(&nv.pcr_info_read.pcr_selection), 1u << 16);
	assert_int_equal(nv.pcr_info_read.locality_at_release, 0x1f);
	assert_int_equal(tpm_pcr_selection_count(&nv.pcr_info_write.pcr_selection), 0);
	assert_false(nv.b_read_st_clear || nv.b_write_st_clear || nv.b_write_define);
	/* The nested TPM_NV_ATTRIBUTES tag is checked too. */
	p[6 + 26 + 26 + 1] ^= 1;
	assert_int_equal(tpm_nv_data_public_decode(p, n, &nv), -EINVAL);
	free(p);
}

static void real_current_ticks(void **state)
{
	struct tpm_current_ticks t;
	uint8_t *p = NULL;
	size_t n = 0;

	load("tpm_current_ticks.hex", &p, &n);
	assert_int_equal(n, 32);
	assert_int_equal(tpm_current_ticks_decode(p, n, &t), 0);
	assert_true(t.current_ticks > 0);
	assert_int_equal(t.tick_rate, 1); /* libtpms counts microseconds */
	free(p);
}

/* The composite read with TPM_PcrRead hashes to what TPM_Quote and TPM_Quote2 signed. */
static void real_quote_digests(void **state)
{
	struct tpm_pcr_composite comp;
	struct tpm_quote_info qi;
	struct tpm_quote_info2 qi2;
	uint8_t digest[20], *p = NULL;
	size_t n = 0;

	load("tpm_pcr_composite.hex", &p, &n);
	assert_int_equal(tpm_pcr_composite_decode(p, n, &comp), 0);
	assert_int_equal(tpm_pcr_selection_to_mask(&comp.select), (1u << 0) | (1u << 16));
	assert_int_equal(comp.n_values, 2);
	assert_int_equal(tpm_pcr_composite_digest(&comp, digest), 0);
	free(p);

	load("tpm_quote_info.hex", &p, &n);
	assert_int_equal(tpm_quote_info_decode(p, n, &qi), 0);
	assert_memory_equal(qi.digest_value, digest, 20);
	free(p);

	load("tpm_quote_info2.hex", &p, &n);
	assert_int_equal(tpm_quote_info2_decode(p, n, &qi2), 0);
	assert_memory_equal(qi2.info_short.digest_at_release, digest, 20);
	assert_int_equal(tpm_pcr_selection_to_mask(&qi2.info_short.pcr_selection),
			 (1u << 0) | (1u << 16));
	free(p);
}

static void real_key12_and_sealx(void **state)
{
	struct tpm_key key;
	struct tpm_stored_data sd;
	uint8_t *p = NULL;
	size_t n = 0;

	load("tpm_key12.hex", &p, &n);
	assert_int_equal(tpm_key_decode(p, n, &key), 0);
	assert_true(key.key12);
	assert_int_equal(key.key_usage, TPM_KEY_SIGNING);
	assert_true(key.has_pcr_info);
	assert_int_equal(tpm_pcr_selection_to_mask(&key.pcr_info_long.release_pcr_selection),
			 (1u << 0) | (1u << 16));
	assert_int_equal(key.algorithm_parms.kind, TPM_PARMS_RSA);
	assert_int_equal(key.pub_key.key_len, key.algorithm_parms.rsa.key_length / 8);
	assert_true(key.enc_data_len > 0);
	tpm_key_free(&key);
	free(p);

	load("tpm_key_srk.hex", &p, &n);
	assert_int_equal(tpm_key_decode(p, n, &key), 0);
	assert_false(key.key12);
	assert_int_equal(key.key_usage, TPM_KEY_STORAGE);
	tpm_key_free(&key);
	free(p);

	load("tpm_stored_data12.hex", &p, &n);
	assert_int_equal(tpm_stored_data_decode(p, n, &sd), 0);
	assert_true(sd.sd12);
	assert_true(sd.has_seal_info);
	assert_int_equal(tpm_pcr_selection_to_mask(&sd.seal_info_long.release_pcr_selection),
			 (1u << 0) | (1u << 16));
	tpm_stored_data_free(&sd);
	free(p);

	load("tpm_stored_data.hex", &p, &n);
	assert_int_equal(tpm_stored_data_decode(p, n, &sd), 0);
	assert_false(sd.sd12);
	assert_true(sd.has_seal_info);
	assert_int_equal(tpm_pcr_selection_to_mask(&sd.seal_info.pcr_selection),
			 (1u << 0) | (1u << 16));
	tpm_stored_data_free(&sd);
	free(p);
}

/* ---- decoder refusals the generic table does not reach ---- */

static int decode_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned int v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return (int)n;
}

static void decode_refusals(void **state)
{
	uint8_t b[256];
	int n;
	struct tpm_pcr_composite comp;
	struct tpm_key_parms kp;
	struct tpm_pcr_info_long pil;
	struct tpm_key key;

	/* Composite: valueSize not a multiple of 20. */
	n = decode_hex("000301000000000013" "00000000000000000000000000000000000000", b, sizeof(b));
	assert_int_equal(tpm_pcr_composite_decode(b, (size_t)n, &comp), -EINVAL);
	/* Composite: two values for one selected PCR. */
	n = decode_hex("000301000000000028"
		       "0000000000000000000000000000000000000000"
		       "0000000000000000000000000000000000000000", b, sizeof(b));
	assert_int_equal(tpm_pcr_composite_decode(b, (size_t)n, &comp), -EINVAL);
	assert_true(all_zero(&comp, sizeof(comp)));

	/* Key parms: RSA parms with a byte left over inside parmSize. */
	n = decode_hex("00000001000300010000000d" "00000800000000020000000000", b, sizeof(b));
	assert_int_equal(tpm_key_parms_decode(b, (size_t)n, &kp), -EBADMSG);
	/* Key parms of an unknown algorithm are kept as bytes. */
	n = decode_hex("0000000a000100010000000301020300", b, sizeof(b));
	assert_int_equal(tpm_key_parms_decode(b, (size_t)n - 1, &kp), 0);
	assert_int_equal(kp.kind, TPM_PARMS_OPAQUE);
	assert_int_equal(kp.parms_len, 3);
	assert_memory_equal(kp.parms, "\x01\x02\x03", 3);
	tpm_key_parms_free(&kp);
	assert_null(kp.parms);

	/* PCR_INFO_LONG: reserved locality bits. */
	n = decode_hex("000621010003000000000300000000000000000000000000000000000000000000"
		       "000000000000000000000000000000000000000000", b, sizeof(b));
	assert_int_equal(n, 54);
	assert_int_equal(tpm_pcr_info_long_decode(b, (size_t)n, &pil), -EINVAL);
	b[2] = 0x01;
	assert_int_equal(tpm_pcr_info_long_decode(b, (size_t)n, &pil), 0);

	/* TPM_KEY12 with a non-zero fill. */
	{
		uint8_t *p = NULL;
		size_t len = 0;

		load("tpm_key12_spec.hex", &p, &len);
		assert_int_equal(tpm_key_decode(p, len, &key), 0);
		assert_true(key.key12);
		assert_true(key.has_pcr_info);
		assert_int_equal(key.pcr_info_long.locality_at_release, 0x1f);
		tpm_key_free(&key);
		p[3] = 1;
		assert_int_equal(tpm_key_decode(p, len, &key), -EINVAL);
		/* A TPM_KEY whose version is 1.2 is not a TPM_KEY. */
		free(p);
		load("tpm_key_spec.hex", &p, &len);
		p[1] = 2;
		assert_int_equal(tpm_key_decode(p, len, &key), -EINVAL);
		/* PCRInfoSize larger than the TPM_PCR_INFO inside it. */
		p[1] = 1;
		p[38] += 1;
		assert_int_equal(tpm_key_decode(p, len, &key), -EBADMSG);
		free(p);
	}

	/* A reader already failed yields a zeroed struct and its error. */
	{
		struct buf_reader r;
		struct tpm_pubkey pk;

		buf_reader_init(&r, b, 0);
		buf_get_u8(&r, NULL);
		memset(&pk, 0xa5, sizeof(pk));
		assert_int_equal(tpm_pubkey_get(&r, &pk), -EBADMSG);
		assert_true(all_zero(&pk, sizeof(pk)));
	}
}

/* ---- builder refusals ---- */

static int encode_err_key(const struct tpm_key *k)
{
	uint8_t *p = NULL;
	size_t n = 0;
	int rc = tpm_key_encode(k, &p, &n);

	assert_true(rc != 0 || p != NULL);
	free(p);
	return rc;
}

static void put_refusals(void **state)
{
	struct tpm_key key;
	struct tpm_pcr_composite comp;
	struct tpm_bound_data bd;
	struct tpm_pcr_selection sel;
	uint8_t *p = NULL, *kb = NULL;
	size_t n = 0, kn = 0;

	load("tpm_key_spec.hex", &kb, &kn);
	assert_int_equal(tpm_key_decode(kb, kn, &key), 0);
	assert_int_equal(encode_err_key(&key), 0);

	key.ver.minor = 2;
	assert_int_equal(encode_err_key(&key), -EINVAL);
	key.ver.minor = 1;

	key.pcr_info.pcr_selection.size_of_select = TPM_STRUCT_PCR_SELECT_MAX + 1;
	assert_int_equal(encode_err_key(&key), -E2BIG);
	key.pcr_info.pcr_selection.size_of_select = 3;

	key.algorithm_parms.rsa.exponent_len = TPM_STRUCT_RSA_EXPONENT_MAX + 1;
	assert_int_equal(encode_err_key(&key), -E2BIG);
	key.algorithm_parms.rsa.exponent_len = 0;

	/* RSA parms claimed for a non-RSA algorithm cannot be parsed back. */
	key.algorithm_parms.algorithm_id = TPM_ALG_SHA;
	assert_int_equal(encode_err_key(&key), -EINVAL);
	key.algorithm_parms.algorithm_id = TPM_ALG_RSA;

	key.enc_data_len = TPM_STRUCT_BLOB_MAX + 1;
	assert_int_equal(encode_err_key(&key), -E2BIG);
	key.enc_data_len = 256;

	key.key12 = true; /* a TPM_KEY12 with a reserved locality bit */
	key.has_pcr_info = true;
	key.pcr_info_long.locality_at_release = 0x20;
	assert_int_equal(encode_err_key(&key), -EINVAL);
	tpm_key_free(&key);
	free(kb);

	memset(&comp, 0, sizeof(comp));
	assert_int_equal(tpm_pcr_selection_from_mask(&comp.select, 0x3, 3), 0);
	comp.n_values = 1;
	assert_int_equal(tpm_pcr_composite_encode(&comp, &p, &n), -EINVAL);
	assert_null(p);
	comp.n_values = TPM_STRUCT_NUM_PCR_MAX + 1;
	assert_int_equal(tpm_pcr_composite_encode(&comp, &p, &n), -E2BIG);

	memset(&bd, 0, sizeof(bd));
	bd.ver.major = bd.ver.minor = 1;
	bd.payload = TPM_PT_SEAL;
	assert_int_equal(tpm_bound_data_encode(&bd, &p, &n), -EINVAL);
	bd.payload = TPM_PT_BIND;
	assert_int_equal(tpm_bound_data_encode(&bd, &p, &n), 0);
	assert_int_equal(n, 5);
	free(p);

	memset(&sel, 0, sizeof(sel));
	sel.size_of_select = 200;
	assert_int_equal(tpm_pcr_selection_encode(&sel, &p, &n), -E2BIG);

	/* A full fixed writer reports -ENOSPC, and nothing after it is written. */
	{
		uint8_t mem[3];
		struct buf_writer w;
		struct tpm_counter_value cv = { { 'a', 'b', 'c', 'd' }, 5 };

		buf_writer_init_fixed(&w, mem, sizeof(mem));
		tpm_counter_value_put(&w, &cv);
		assert_int_equal(buf_writer_error(&w), -ENOSPC);
	}
}

/* ---- helpers ---- */

static void pcr_selection_helpers(void **state)
{
	struct tpm_pcr_selection sel;

	assert_int_equal(tpm_pcr_selection_from_mask(&sel, 0x810001, 3), 0);
	assert_int_equal(sel.size_of_select, 3);
	assert_int_equal(sel.pcr_select[0], 0x01);
	assert_int_equal(sel.pcr_select[1], 0x00);
	assert_int_equal(sel.pcr_select[2], 0x81);
	assert_int_equal(tpm_pcr_selection_to_mask(&sel), 0x810001);
	assert_int_equal(tpm_pcr_selection_count(&sel), 3);
	assert_true(tpm_pcr_selection_is_selected(&sel, 0));
	assert_false(tpm_pcr_selection_is_selected(&sel, 1));
	assert_true(tpm_pcr_selection_is_selected(&sel, 23));
	assert_false(tpm_pcr_selection_is_selected(&sel, 24));
	assert_false(tpm_pcr_selection_is_selected(&sel, 1000));
	assert_int_equal(tpm_pcr_selection_next(&sel, -1), 0);
	assert_int_equal(tpm_pcr_selection_next(&sel, 0), 16);
	assert_int_equal(tpm_pcr_selection_next(&sel, 16), 23);
	assert_int_equal(tpm_pcr_selection_next(&sel, 23), -1);

	/* The mask must fit the size; the size must fit the cap. */
	assert_int_equal(tpm_pcr_selection_from_mask(&sel, 0x10000, 2), -EINVAL);
	assert_int_equal(sel.size_of_select, 0);
	assert_int_equal(tpm_pcr_selection_from_mask(&sel, 1, 4), -EINVAL);
	assert_int_equal(tpm_pcr_selection_from_mask(&sel, 0, 0), 0);
	assert_int_equal(tpm_pcr_selection_count(&sel), 0);
	assert_int_equal(tpm_pcr_selection_next(&sel, -1), -1);

	/* Selecting grows sizeOfSelect only as far as needed. */
	assert_int_equal(tpm_pcr_selection_select(&sel, 10), 0);
	assert_int_equal(sel.size_of_select, 2);
	assert_int_equal(tpm_pcr_selection_to_mask(&sel), 1u << 10);
	assert_int_equal(tpm_pcr_selection_select(&sel, 23), 0);
	assert_int_equal(sel.size_of_select, 3);
	assert_int_equal(tpm_pcr_selection_select(&sel, 24), -EINVAL);
	assert_int_equal(tpm_pcr_selection_select(&sel, 2), 0);
	assert_int_equal(tpm_pcr_selection_to_mask(&sel), (1u << 23) | (1u << 10) | (1u << 2));
}

static void pcr_composite_helpers(void **state)
{
	/* Known answers computed independently (Python hashlib) over the encodings. */
	static const uint8_t pcr0_zero[20] = {
		0xcd, 0x45, 0x31, 0x66, 0xfb, 0x4d, 0xc0, 0x20, 0x3f, 0x00,
		0x35, 0x42, 0xf9, 0x44, 0xb9, 0xd4, 0x69, 0xdd, 0xb1, 0xf9,
	};
	static const uint8_t spec_vector[20] = {
		0x79, 0xf6, 0x9b, 0xd7, 0x76, 0xd5, 0xad, 0x14, 0x25, 0x5b,
		0x1d, 0xd3, 0xe3, 0x12, 0x53, 0xb8, 0x30, 0xc0, 0x1f, 0x9f,
	};
	struct tpm_pcr_selection sel;
	struct tpm_pcr_composite comp;
	uint8_t zeros[20] = { 0 }, digest[20], values[2][20];
	uint8_t *p = NULL;
	size_t n = 0;

	assert_int_equal(tpm_pcr_selection_from_mask(&sel, 1, 3), 0);
	assert_int_equal(tpm_pcr_composite_set(&comp, &sel, zeros, 1), 0);
	assert_int_equal(tpm_pcr_composite_digest(&comp, digest), 0);
	assert_memory_equal(digest, pcr0_zero, 20);
	assert_ptr_equal(tpm_pcr_composite_value(&comp, 0), comp.pcr_value[0]);
	assert_null(tpm_pcr_composite_value(&comp, 1));
	/* Wrong number of values for the selection. */
	assert_int_equal(tpm_pcr_composite_set(&comp, &sel, zeros, 2), -EINVAL);

	load("tpm_pcr_composite_spec.hex", &p, &n);
	assert_int_equal(tpm_pcr_composite_decode(p, n, &comp), 0);
	assert_int_equal(tpm_pcr_composite_digest(&comp, digest), 0);
	assert_memory_equal(digest, spec_vector, 20);
	assert_memory_equal(tpm_pcr_composite_value(&comp, 15), p + 9 + 20, 20);
	memcpy(values, comp.pcr_value, sizeof(values));
	assert_int_equal(tpm_pcr_composite_set(&comp, &comp.select, &values[0][0], 2), 0);
	assert_int_equal(tpm_pcr_composite_digest(&comp, digest), 0);
	assert_memory_equal(digest, spec_vector, 20);
	/* An inconsistent composite has no digest. */
	comp.n_values = 1;
	assert_int_equal(tpm_pcr_composite_digest(&comp, digest), -EINVAL);
	assert_true(all_zero(digest, sizeof(digest)));
	free(p);
}

static void key_to_pubkey(void **state)
{
	struct tpm_key key;
	struct tpm_pubkey pk;
	uint8_t *p = NULL, *enc = NULL;
	size_t n = 0, enc_len = 0;

	load("tpm_key_spec.hex", &p, &n);
	assert_int_equal(tpm_key_decode(p, n, &key), 0);
	assert_false(key.key12);
	assert_int_equal(key.key_usage, TPM_KEY_BIND);
	assert_int_equal(tpm_key_to_pubkey(&key, &pk), 0);
	assert_int_equal(tpm_pubkey_encode(&pk, &enc, &enc_len), 0);
	/* algorithmParms at 11, then PCRInfo (4 + 45), then the pubKey. */
	assert_int_equal(enc_len, 24 + 4 + 256);
	assert_memory_equal(enc, p + 11, 24);
	assert_memory_equal(enc + 24, p + 11 + 24 + 4 + 45, 4 + 256);
	tpm_pubkey_free(&pk);
	tpm_key_free(&key);
	assert_true(all_zero(&key, sizeof(key)));
	free(enc);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vectors_generic),
		cmocka_unit_test(real_pubkey),
		cmocka_unit_test(real_cap_version_info),
		cmocka_unit_test(real_flags),
		cmocka_unit_test(real_nv_data_public),
		cmocka_unit_test(real_current_ticks),
		cmocka_unit_test(real_quote_digests),
		cmocka_unit_test(real_key12_and_sealx),
		cmocka_unit_test(decode_refusals),
		cmocka_unit_test(put_refusals),
		cmocka_unit_test(pcr_selection_helpers),
		cmocka_unit_test(pcr_composite_helpers),
		cmocka_unit_test(key_to_pubkey),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
