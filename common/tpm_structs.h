/*
 * TPM 1.2 structures (TPM Main Specification Part 2, "Structures") as
 * plain C structs, with one parser and one builder each over common/buf.h.
 *
 * These are the stack's internal view of the bytes a TPM emits and eats;
 * the TSS API structs of <tss/tpm.h> are a different, public thing.
 *
 * For every structure tpm_<name>:
 *   int  tpm_<name>_get(struct buf_reader *r, struct tpm_<name> *out);
 *        Zeroes *out, reads one structure. On failure the reader's sticky
 *        error is set and returned, everything allocated is freed and
 *        *out is zeroed again.
 *   void tpm_<name>_put(struct buf_writer *w, const struct tpm_<name> *in);
 *        Appends the structure. Inconsistent input (a length above its
 *        cap, a selection too large, a composite whose values do not
 *        match its selection) sets the writer's sticky error: -EINVAL or
 *        -E2BIG.
 *   void tpm_<name>_free(struct tpm_<name> *s);
 *        Frees owned memory, wipes it with OPENSSL_cleanse, zeroes *s.
 *        Safe on a zeroed or already freed struct.
 *   int  tpm_<name>_decode(const uint8_t *p, size_t n, struct tpm_<name> *out);
 *        _get over p[0..n) that must consume every byte (-EBADMSG if not).
 *   int  tpm_<name>_encode(const struct tpm_<name> *in, uint8_t **p, size_t *n);
 *        _put into fresh heap memory the caller frees.
 *
 * Errors are negative errno values: -EBADMSG for input that ends early
 * (or, from _decode, goes on after the structure), -E2BIG for a length
 * above the cap documented below, -EINVAL for a wrong tag, version, fixed
 * value or an inconsistent length, -ENOMEM.
 *
 * Variable-length members are owned heap copies (x, x_len), except where
 * the spec or a cap below gives a small upper bound; those are arrays.
 * Nested structures are embedded by value.
 */
#ifndef TSS12_TPM_STRUCTS_H
#define TSS12_TPM_STRUCTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* SHA-1 digests, nonces, auth values and PCR values are 20 bytes (Part 2 §5.4). */
#define TPM_STRUCT_DIGEST_LEN 20

/*
 * Caps. A TPM 1.2 never emits more; anything above is refused with -E2BIG
 * so that no untrusted size drives a larger allocation.
 */
/* PCRs: 24 on every PC-client TPM 1.2 and in libtpms (TPM_NUM_PCR). */
#define TPM_STRUCT_NUM_PCR_MAX 24
#define TPM_STRUCT_PCR_SELECT_MAX (TPM_STRUCT_NUM_PCR_MAX / 8)
/* RSA modulus: up to 4096 bits, twice the largest key a TPM 1.2 makes. */
#define TPM_STRUCT_RSA_MODULUS_MAX 512
/* RSA public exponent: 65537 needs 3 bytes; 0 bytes means 65537. */
#define TPM_STRUCT_RSA_EXPONENT_MAX 8
/* Symmetric IVs and keys: AES-256 needs 16 and 32 bytes. */
#define TPM_STRUCT_SYM_IV_MAX 32
#define TPM_STRUCT_SYM_KEY_MAX 64
/*
 * One opaque part of a key or data blob (encData, pcrInfo, sealInfo, key
 * parms, migration authority, bound payload, vendor data): a 2048-bit key
 * wrapped under a 4096-bit parent is 512 bytes, so 4 KiB is generous.
 */
#define TPM_STRUCT_BLOB_MAX 4096
/* Certificates and credentials in identity structures (X.509 EK certs are ~1-2 KiB). */
#define TPM_STRUCT_CREDENTIAL_MAX 16384
/* The encrypted TPM_IDENTITY_PROOF inside a TPM_IDENTITY_REQ holds three credentials. */
#define TPM_STRUCT_IDENTITY_BLOB_MAX 65536
/* Upper bound on any one encoded structure (for _encode). */
#define TPM_STRUCT_ENCODE_MAX (1u << 20)

/* ---- Part 2 §5.1, §5.3: TPM_STRUCT_VER and TPM_VERSION (same 4-byte layout) ---- */

struct tpm_version {
	uint8_t major;
	uint8_t minor;
	uint8_t rev_major;
	uint8_t rev_minor;
};

/* ---- Part 2 §8: PCR structures ---- */

/* pcr_select[i / 8] bit (i % 8) selects PCR i (§8.1). */
struct tpm_pcr_selection {
	uint16_t size_of_select; /* 0..TPM_STRUCT_PCR_SELECT_MAX */
	uint8_t pcr_select[TPM_STRUCT_PCR_SELECT_MAX];
};

struct tpm_pcr_composite {
	struct tpm_pcr_selection select;
	uint32_t n_values; /* must equal the number of selected PCRs */
	uint8_t pcr_value[TPM_STRUCT_NUM_PCR_MAX][TPM_STRUCT_DIGEST_LEN];
};

struct tpm_pcr_info {
	struct tpm_pcr_selection pcr_selection;
	uint8_t digest_at_release[TPM_STRUCT_DIGEST_LEN];
	uint8_t digest_at_creation[TPM_STRUCT_DIGEST_LEN];
};

/* Localities are TPM_LOCALITY_SELECTION bit masks; bits 5-7 are reserved (§8.6). */
struct tpm_pcr_info_long {
	uint8_t locality_at_creation;
	uint8_t locality_at_release;
	struct tpm_pcr_selection creation_pcr_selection;
	struct tpm_pcr_selection release_pcr_selection;
	uint8_t digest_at_creation[TPM_STRUCT_DIGEST_LEN];
	uint8_t digest_at_release[TPM_STRUCT_DIGEST_LEN];
};

struct tpm_pcr_info_short {
	struct tpm_pcr_selection pcr_selection;
	uint8_t locality_at_release;
	uint8_t digest_at_release[TPM_STRUCT_DIGEST_LEN];
};

/* ---- Part 2 §10: keys ---- */

struct tpm_rsa_key_parms {
	uint32_t key_length; /* bits */
	uint32_t num_primes;
	uint32_t exponent_len; /* 0 means the default 65537 */
	uint8_t exponent[TPM_STRUCT_RSA_EXPONENT_MAX];
};

struct tpm_symmetric_key_parms {
	uint32_t key_length; /* bits */
	uint32_t block_size; /* bits */
	uint32_t iv_len;
	uint8_t iv[TPM_STRUCT_SYM_IV_MAX];
};

/* How the parms field of a TPM_KEY_PARMS was understood. */
enum tpm_parms_kind {
	TPM_PARMS_NONE = 0, /* parmSize 0 */
	TPM_PARMS_RSA,      /* TPM_ALG_RSA: TPM_RSA_KEY_PARMS in .rsa */
	TPM_PARMS_SYM,      /* DES, 3DES, AES*: TPM_SYMMETRIC_KEY_PARMS in .sym */
	TPM_PARMS_OPAQUE,   /* any other algorithm: raw bytes in .parms */
};

struct tpm_key_parms {
	uint32_t algorithm_id;
	uint16_t enc_scheme;
	uint16_t sig_scheme;
	enum tpm_parms_kind kind;
	struct tpm_rsa_key_parms rsa;
	struct tpm_symmetric_key_parms sym;
	uint8_t *parms; /* TPM_PARMS_OPAQUE only */
	uint32_t parms_len;
};

struct tpm_store_pubkey {
	uint8_t *key; /* RSA modulus, big-endian */
	uint32_t key_len;
};

struct tpm_pubkey {
	struct tpm_key_parms algorithm_parms;
	struct tpm_store_pubkey pub_key;
};

/*
 * TPM_KEY (§10.2) and TPM_KEY12 (§10.3) in one struct: they differ in the
 * first four bytes (TPM_STRUCT_VER 1.1.x.x vs tag 0x0028 + fill 0) and in
 * the type of PCRInfo (TPM_PCR_INFO vs TPM_PCR_INFO_LONG). _get accepts
 * either and sets key12.
 */
struct tpm_key {
	bool key12;
	struct tpm_version ver; /* TPM_KEY only; major.minor must be 1.1 */
	uint16_t key_usage;
	uint32_t key_flags;
	uint8_t auth_data_usage;
	struct tpm_key_parms algorithm_parms;
	bool has_pcr_info; /* PCRInfoSize != 0 */
	struct tpm_pcr_info pcr_info;           /* TPM_KEY */
	struct tpm_pcr_info_long pcr_info_long; /* TPM_KEY12 */
	struct tpm_store_pubkey pub_key;
	uint8_t *enc_data; /* wiped on free */
	uint32_t enc_data_len;
};

/* ---- Part 2 §9: stored and bound data ---- */

/* TPM_STORED_DATA (§9.1) and TPM_STORED_DATA12 (§9.2, tag 0x0016), like tpm_key. */
struct tpm_stored_data {
	bool sd12;
	struct tpm_version ver; /* TPM_STORED_DATA only; 1.1.x.x */
	uint16_t et;            /* TPM_STORED_DATA12 only */
	bool has_seal_info;
	struct tpm_pcr_info seal_info;           /* TPM_STORED_DATA */
	struct tpm_pcr_info_long seal_info_long; /* TPM_STORED_DATA12 */
	uint8_t *enc_data;
	uint32_t enc_data_len;
};

/* §9.5; the payload length is implied: _get takes every remaining byte. */
struct tpm_bound_data {
	struct tpm_version ver; /* 1.1.x.x */
	uint8_t payload;        /* TPM_PT_BIND */
	uint8_t *payload_data;  /* wiped on free */
	uint32_t payload_data_len;
};

/* §9.4; the key bytes are secret and wiped on free. */
struct tpm_symmetric_key {
	uint32_t alg_id;
	uint16_t enc_scheme;
	uint16_t size;
	uint8_t data[TPM_STRUCT_SYM_KEY_MAX];
};

/* ---- Part 2 §11: signed structures ---- */

struct tpm_certify_info {
	struct tpm_version version; /* 1.1.x.x */
	uint16_t key_usage;
	uint32_t key_flags;
	uint8_t auth_data_usage;
	struct tpm_key_parms algorithm_parms;
	uint8_t pubkey_digest[TPM_STRUCT_DIGEST_LEN];
	uint8_t data[TPM_STRUCT_DIGEST_LEN];
	bool parent_pcr_status;
	bool has_pcr_info;
	struct tpm_pcr_info pcr_info;
};

/* §11.2, tag 0x0029, returned by CertifyKey for TPM_KEY12 keys with PCRs. */
struct tpm_certify_info2 {
	uint8_t payload_type;
	uint16_t key_usage;
	uint32_t key_flags;
	uint8_t auth_data_usage;
	struct tpm_key_parms algorithm_parms;
	uint8_t pubkey_digest[TPM_STRUCT_DIGEST_LEN];
	uint8_t data[TPM_STRUCT_DIGEST_LEN];
	bool parent_pcr_status;
	bool has_pcr_info;
	struct tpm_pcr_info_short pcr_info;
	uint8_t *migration_authority;
	uint32_t migration_authority_len;
};

/* §11.3: version 1.1.x.x, then "QUOT". */
struct tpm_quote_info {
	struct tpm_version version;
	uint8_t digest_value[TPM_STRUCT_DIGEST_LEN];
	uint8_t external_data[TPM_STRUCT_DIGEST_LEN];
};

/* §11.4: tag 0x0036, then "QUT2". */
struct tpm_quote_info2 {
	uint8_t external_data[TPM_STRUCT_DIGEST_LEN];
	struct tpm_pcr_info_short info_short;
};

/* ---- Part 2 §12: identity structures ---- */

struct tpm_identity_contents {
	struct tpm_version ver; /* 1.1.x.x */
	uint32_t ordinal;       /* TPM_ORD_MakeIdentity */
	uint8_t label_priv_ca_digest[TPM_STRUCT_DIGEST_LEN];
	struct tpm_pubkey identity_pub_key;
};

struct tpm_identity_req {
	struct tpm_key_parms asym_algorithm;
	struct tpm_key_parms sym_algorithm;
	uint8_t *asym_blob;
	uint32_t asym_blob_len;
	uint8_t *sym_blob;
	uint32_t sym_blob_len;
};

struct tpm_identity_proof {
	struct tpm_version ver; /* 1.1.x.x */
	struct tpm_pubkey identity_key;
	uint8_t *label_area;
	uint32_t label_area_len;
	uint8_t *identity_binding;
	uint32_t identity_binding_len;
	uint8_t *endorsement_credential;
	uint32_t endorsement_credential_len;
	uint8_t *platform_credential;
	uint32_t platform_credential_len;
	uint8_t *conformance_credential;
	uint32_t conformance_credential_len;
};

struct tpm_sym_ca_attestation {
	struct tpm_key_parms algorithm;
	uint8_t *credential;
	uint32_t credential_len;
};

/* The session key is secret: wiped on free. */
struct tpm_asym_ca_contents {
	struct tpm_symmetric_key session_key;
	uint8_t id_digest[TPM_STRUCT_DIGEST_LEN];
};

/* ---- Part 2 §5: miscellaneous ---- */

/* §5.12 */
struct tpm_migrationkeyauth {
	struct tpm_pubkey migration_key;
	uint16_t migration_scheme;
	uint8_t digest[TPM_STRUCT_DIGEST_LEN];
};

/* §5.13, tag 0x000E */
struct tpm_counter_value {
	uint8_t label[4];
	uint32_t counter;
};

/* §15.1, tag 0x0014 */
struct tpm_current_ticks {
	uint64_t current_ticks;
	uint16_t tick_rate;
	uint8_t tick_nonce[TPM_STRUCT_DIGEST_LEN];
};

/* ---- Part 2 §19: NV storage ---- */

/* §19.2, tag 0x0017; attributes are TPM_NV_PER_* bits. */
struct tpm_nv_attributes {
	uint32_t attributes;
};

/* §19.3, tag 0x0018 */
struct tpm_nv_data_public {
	uint32_t nv_index;
	struct tpm_pcr_info_short pcr_info_read;
	struct tpm_pcr_info_short pcr_info_write;
	struct tpm_nv_attributes permission;
	bool b_read_st_clear;
	bool b_write_st_clear;
	bool b_write_define;
	uint32_t data_size;
};

/* ---- Part 2 §21.6: TPM_CAP_VERSION_INFO, tag 0x0030 ---- */

struct tpm_cap_version_info {
	struct tpm_version version;
	uint16_t spec_level;
	uint8_t errata_rev;
	uint8_t tpm_vendor_id[4];
	uint8_t *vendor_specific; /* at most TPM_STRUCT_BLOB_MAX bytes */
	uint16_t vendor_specific_len;
};

/* ---- Part 2 §7: flags, as GetCapability(TPM_CAP_FLAG) returns them ---- */

/*
 * §7.1, tag 0x001F: the 20 booleans of spec revision 103 and later
 * (libtpms). A TPM_BOOL other than 0 or 1 is refused.
 */
struct tpm_permanent_flags {
	bool disable;
	bool ownership;
	bool deactivated;
	bool read_pubek;
	bool disable_owner_clear;
	bool allow_maintenance;
	bool physical_presence_lifetime_lock;
	bool physical_presence_hw_enable;
	bool physical_presence_cmd_enable;
	bool cekp_used;
	bool tpm_post;
	bool tpm_post_lock;
	bool fips;
	bool operator_;
	bool enable_revoke_ek;
	bool nv_locked;
	bool read_srk_pub;
	bool tpm_established;
	bool maintenance_done;
	bool disable_full_da_logic_info;
};

/* §7.2, tag 0x0020 */
struct tpm_stclear_flags {
	bool deactivated;
	bool disable_force_clear;
	bool physical_presence;
	bool physical_presence_lock;
	bool b_global_lock;
};

/* ---- parse / build / free / decode / encode ---- */

#define TPM_STRUCT_DECLARE(name)                                                       \
	int tpm_##name##_get(struct buf_reader *r, struct tpm_##name *out);            \
	void tpm_##name##_put(struct buf_writer *w, const struct tpm_##name *in);      \
	void tpm_##name##_free(struct tpm_##name *s);                                  \
	int tpm_##name##_decode(const uint8_t *p, size_t n, struct tpm_##name *out);   \
	int tpm_##name##_encode(const struct tpm_##name *in, uint8_t **p, size_t *n)

/*
 * One line per structure; each declares tpm_<name>_get, _put, _free,
 * _decode and _encode with the contracts described at the top.
 */
TPM_STRUCT_DECLARE(version);
TPM_STRUCT_DECLARE(pcr_selection);
TPM_STRUCT_DECLARE(pcr_composite);
TPM_STRUCT_DECLARE(pcr_info);
TPM_STRUCT_DECLARE(pcr_info_long);
TPM_STRUCT_DECLARE(pcr_info_short);
TPM_STRUCT_DECLARE(rsa_key_parms);
TPM_STRUCT_DECLARE(symmetric_key_parms);
TPM_STRUCT_DECLARE(key_parms);
TPM_STRUCT_DECLARE(store_pubkey);
TPM_STRUCT_DECLARE(pubkey);
TPM_STRUCT_DECLARE(key);
TPM_STRUCT_DECLARE(stored_data);
TPM_STRUCT_DECLARE(bound_data);
TPM_STRUCT_DECLARE(symmetric_key);
TPM_STRUCT_DECLARE(certify_info);
TPM_STRUCT_DECLARE(certify_info2);
TPM_STRUCT_DECLARE(quote_info);
TPM_STRUCT_DECLARE(quote_info2);
TPM_STRUCT_DECLARE(identity_contents);
TPM_STRUCT_DECLARE(identity_req);
TPM_STRUCT_DECLARE(identity_proof);
TPM_STRUCT_DECLARE(sym_ca_attestation);
TPM_STRUCT_DECLARE(asym_ca_contents);
TPM_STRUCT_DECLARE(migrationkeyauth);
TPM_STRUCT_DECLARE(counter_value);
TPM_STRUCT_DECLARE(current_ticks);
TPM_STRUCT_DECLARE(nv_attributes);
TPM_STRUCT_DECLARE(nv_data_public);
TPM_STRUCT_DECLARE(cap_version_info);
TPM_STRUCT_DECLARE(permanent_flags);
TPM_STRUCT_DECLARE(stclear_flags);

/* ---- PCR selection helpers ---- */

/*
 * Fills sel from a bit mask (bit i = PCR i) with size_of_select bytes.
 * -EINVAL if size_of_select exceeds TPM_STRUCT_PCR_SELECT_MAX or the mask
 * selects a PCR that does not fit.
 */
int tpm_pcr_selection_from_mask(struct tpm_pcr_selection *sel, uint32_t mask,
				uint16_t size_of_select);
/* Bit i set iff PCR i is selected. */
uint32_t tpm_pcr_selection_to_mask(const struct tpm_pcr_selection *sel);
bool tpm_pcr_selection_is_selected(const struct tpm_pcr_selection *sel, unsigned int pcr);
/* Selects one more PCR, growing size_of_select as needed; -EINVAL past the last PCR. */
int tpm_pcr_selection_select(struct tpm_pcr_selection *sel, unsigned int pcr);
unsigned int tpm_pcr_selection_count(const struct tpm_pcr_selection *sel);
/* The lowest selected PCR above 'after' (pass -1 to start), or -1 when none is left. */
int tpm_pcr_selection_next(const struct tpm_pcr_selection *sel, int after);

/*
 * Fills a composite from a selection and the n values of the selected PCRs
 * (n * 20 bytes, ascending PCR order); -EINVAL if n does not match the
 * selection.
 */
int tpm_pcr_composite_set(struct tpm_pcr_composite *comp, const struct tpm_pcr_selection *sel,
			  const uint8_t *values, size_t n);
/* The value of one selected PCR within a composite, or NULL. */
const uint8_t *tpm_pcr_composite_value(const struct tpm_pcr_composite *comp, unsigned int pcr);
/*
 * TPM_COMPOSITE_HASH: SHA-1 over the encoded TPM_PCR_COMPOSITE (Part 2
 * §5.4.1), the value in digestAtRelease, QUOTE_INFO and PCR_INFO_SHORT.
 */
int tpm_pcr_composite_digest(const struct tpm_pcr_composite *comp,
			     uint8_t digest[TPM_STRUCT_DIGEST_LEN]);

/* ---- key helpers ---- */

/* The TPM_PUBKEY of a key (parms and modulus), as a fresh copy. */
int tpm_key_to_pubkey(const struct tpm_key *key, struct tpm_pubkey *out);

#endif /* TSS12_TPM_STRUCTS_H */
