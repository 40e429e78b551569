/*
 * libFuzzer target for common/tpm_structs.c.
 *
 * The first input byte picks a structure (modulo the table size), the rest
 * is handed to its _decode. Whatever decodes must encode back to exactly
 * the same bytes: the parsers accept only what the builders write, so a
 * structure can never change meaning on its way through the stack.
 * Seeds: tests/fuzz/corpus/tpm_structs/, one file per vector of
 * tests/unit/vectors/, prefixed with the selector byte of the table below.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tpm_structs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct target {
	int (*roundtrip)(const uint8_t *p, size_t n);
};

/*
 * Decode; on success encode, compare, free. Returns 1 if the round trip
 * broke, 0 otherwise (a refused input is fine).
 */
#define ROUNDTRIP(name)                                                    \
	static int roundtrip_##name(const uint8_t *p, size_t n)           \
	{                                                                  \
		struct tpm_##name s;                                       \
		uint8_t *enc = NULL;                                       \
		size_t enc_len = 0;                                        \
		int broken;                                                \
                                                                           \
		if (tpm_##name##_decode(p, n, &s) != 0)                    \
			return 0;                                          \
		broken = tpm_##name##_encode(&s, &enc, &enc_len) != 0 ||   \
			 enc_len != n || memcmp(enc, p, n) != 0;           \
		free(enc);                                                 \
		tpm_##name##_free(&s);                                     \
		return broken;                                             \
	}

ROUNDTRIP(version)
ROUNDTRIP(pcr_selection)
ROUNDTRIP(pcr_info)
ROUNDTRIP(pcr_info_long)
ROUNDTRIP(pcr_info_short)
ROUNDTRIP(rsa_key_parms)
ROUNDTRIP(symmetric_key_parms)
ROUNDTRIP(key_parms)
ROUNDTRIP(store_pubkey)
ROUNDTRIP(pubkey)
ROUNDTRIP(key)
ROUNDTRIP(stored_data)
ROUNDTRIP(bound_data)
ROUNDTRIP(symmetric_key)
ROUNDTRIP(certify_info)
ROUNDTRIP(certify_info2)
ROUNDTRIP(quote_info)
ROUNDTRIP(quote_info2)
ROUNDTRIP(identity_contents)
ROUNDTRIP(identity_req)
ROUNDTRIP(identity_proof)
ROUNDTRIP(sym_ca_attestation)
ROUNDTRIP(asym_ca_contents)
ROUNDTRIP(migrationkeyauth)
ROUNDTRIP(counter_value)
ROUNDTRIP(current_ticks)
ROUNDTRIP(nv_attributes)
ROUNDTRIP(nv_data_public)
ROUNDTRIP(cap_version_info)
ROUNDTRIP(permanent_flags)
ROUNDTRIP(stclear_flags)

/* The composite also feeds its digest and value lookups. */
static int roundtrip_pcr_composite(const uint8_t *p, size_t n)
{
	struct tpm_pcr_composite c;
	uint8_t *enc = NULL, digest[TPM_STRUCT_DIGEST_LEN];
	size_t enc_len = 0;
	int broken;

	if (tpm_pcr_composite_decode(p, n, &c) != 0)
		return 0;
	broken = tpm_pcr_composite_encode(&c, &enc, &enc_len) != 0 || enc_len != n ||
		 memcmp(enc, p, n) != 0;
	broken |= tpm_pcr_composite_digest(&c, digest) != 0;
	for (int pcr = tpm_pcr_selection_next(&c.select, -1); pcr >= 0;
	     pcr = tpm_pcr_selection_next(&c.select, pcr))
		broken |= tpm_pcr_composite_value(&c, (unsigned int)pcr) == NULL;
	free(enc);
	return broken;
}

/* Selector byte = index here; keep in step with the seed corpus names. */
static const struct target targets[] = {
	{ roundtrip_version },            /* 0 */
	{ roundtrip_pcr_selection },      /* 1 */
	{ roundtrip_pcr_composite },      /* 2 */
	{ roundtrip_pcr_info },           /* 3 */
	{ roundtrip_pcr_info_long },      /* 4 */
	{ roundtrip_pcr_info_short },     /* 5 */
	{ roundtrip_rsa_key_parms },      /* 6 */
	{ roundtrip_symmetric_key_parms },/* 7 */
	{ roundtrip_key_parms },          /* 8 */
	{ roundtrip_store_pubkey },       /* 9 */
	{ roundtrip_pubkey },             /* 10 */
	{ roundtrip_key },                /* 11 */
	{ roundtrip_stored_data },        /* 12 */
	{ roundtrip_bound_data },         /* 13 */
	{ roundtrip_symmetric_key },      /* 14 */
	{ roundtrip_certify_info },       /* 15 */
	{ roundtrip_certify_info2 },      /* 16 */
	{ roundtrip_quote_info },         /* 17 */
	{ roundtrip_quote_info2 },        /* 18 */
	{ roundtrip_identity_contents },  /* 19 */
	{ roundtrip_identity_req },       /* 20 */
	{ roundtrip_identity_proof },     /* 21 */
	{ roundtrip_sym_ca_attestation }, /* 22 */
	{ roundtrip_asym_ca_contents },   /* 23 */
	{ roundtrip_migrationkeyauth },   /* 24 */
	{ roundtrip_counter_value },      /* 25 */
	{ roundtrip_current_ticks },      /* 26 */
	{ roundtrip_nv_attributes },      /* 27 */
	{ roundtrip_nv_data_public },     /* 28 */
	{ roundtrip_cap_version_info },   /* 29 */
	{ roundtrip_permanent_flags },    /* 30 */
	{ roundtrip_stclear_flags },      /* 31 */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;

	if (!quiet) {
		log_init("fuzz_tpm_structs", LOG_SINK_NONE, LOG_LVL_ERROR);
		quiet = 1;
	}
	if (size < 1)
		return 0;
	if (targets[data[0] % (sizeof(targets) / sizeof(targets[0]))].roundtrip(data + 1,
										 size - 1))
		abort();
	return 0;
}
