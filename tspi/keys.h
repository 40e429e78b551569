/*
 * Key, enc-data, PCR-composite and hash objects: their per-object data
 * and the helpers other TSP modules need (tspi_tpm.c takes ownership with
 * an SRK key object, quotes with a key and a PCR composite).
 *
 * Everything here runs with the object's context locked (obj.h).
 */
#ifndef TSS12_TSPI_KEYS_H
#define TSS12_TSPI_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "tpm_structs.h"
#include "tss/tcs_structs.h"
#include "tss/tspi.h"

struct obj;
struct rpc_msg;
struct tspi_ctx;

/* ---- RSA key objects (tspi_key.c) ---- */

struct rsakey {
	struct tpm_key key;	/* template, or the parsed blob once key_set */
	bool key_set;		/* holds a real blob: the template is frozen */
	bool loaded;		/* tcs_handle is valid */
	UINT32 tcs_handle;	/* TCS key handle (TPM_KH_SRK for the SRK) */
	UINT32 ps_type;		/* TSS_PS_TYPE_USER/SYSTEM once registered, else 0 */
	TSS_UUID uuid;		/* valid when ps_type != 0 */
	UINT32 pcr_info_type;	/* TSS_PCRS_STRUCT_INFO or _INFO_LONG */
	/*
	 * The blob exactly as the TPM or storage gave it: authorisation
	 * digests cover these bytes, so they are sent back unchanged. NULL
	 * after any local change (then key is encoded afresh).
	 */
	uint8_t *raw;
	size_t raw_len;
	/* TSS_TSPATTRIB_KEY_CMKINFO: CMK_CreateKey's inputs (tspi_key.c, tspi_migrate.c). */
	BYTE cmk_ma_approval[20];
	BYTE cmk_ma_digest[20];
};

/* Forgets the raw blob after the key was changed locally. */
void rsakey_drop_raw(struct rsakey *rk);

/* The rsakey of an object known to be OBJ_RSAKEY. */
struct rsakey *rsakey_of(struct obj *o);

/* The key's TPM_PUBKEY (parms and modulus), encoded, malloc'd (tspi_key.c). */
TSS_RESULT rsakey_get_pubkey_blob(struct obj *key, uint8_t **blob, size_t *len);

/* A new key object in ctx from a wrapped TPM_KEY/TPM_KEY12 blob (not loaded). */
TSS_RESULT rsakey_new_from_blob(struct tspi_ctx *ctx, const uint8_t *blob, size_t len,
				struct obj **out);
/* The encoded blob (or template while no blob is set), malloc'd. */
TSS_RESULT rsakey_get_blob(struct obj *key, uint8_t **blob, size_t *len);
/* Replaces the key with a blob (e.g. the SRK after TakeOwnership); key_set becomes true. */
TSS_RESULT rsakey_set_blob(struct obj *key, const uint8_t *blob, size_t len);
/* TSS_E_KEY_NOT_LOADED unless the key has a TCS handle. */
TSS_RESULT rsakey_tcs_handle(struct obj *key, UINT32 *handle);
/* The key's usage policy handle (its own, else the context default). */
TSS_HPOLICY rsakey_usage_policy(struct obj *key);
/* Whether using the key needs authorisation (authDataUsage != TPM_AUTH_NEVER). */
bool rsakey_needs_auth(struct obj *key);
/* The public key as an OpenSSL key, for software verification / encryption. */
TSS_RESULT rsakey_evp(struct obj *key, EVP_PKEY **out);
/* Loads key under parent (TCS LoadKeyByBlob), authorised by the parent's usage policy. */
TSS_RESULT rsakey_load(struct obj *key, struct obj *parent);
/* TCS_EvictKey: the TCS drops this context's claim on a key handle. */
TSS_RESULT tcs_evict_key(struct tspi_ctx *ctx, UINT32 tcs_handle);
/*
 * TPM_UnBind / TPM_Sign on a loaded key: in is the sized input; the
 * sized output (<= max bytes) comes back as heap memory in *out, with the
 * key's usage authorisation (OIAP) when it needs one.
 */
TSS_RESULT rsakey_sized_cmd(struct obj *key, UINT32 tpm_ord, UINT32 tcsd_ord, const BYTE *in,
			    UINT32 in_len, UINT32 max, BYTE **out, UINT32 *out_len);
/* Tspi_ChangeAuth for keys (tspi_changeauth.c). */
TSS_RESULT rsakey_change_auth(struct obj *o, struct obj *parent, struct obj *new_policy);
/*
 * TPM_ChangeAuthOwner authorised by the owner of tpm: entity_type
 * TPM_ET_OWNER or TPM_ET_SRK; on success target's usage policy is
 * new_policy (tspi_changeauth.c).
 */
TSS_RESULT owner_change_auth(struct obj *tpm, UINT16 entity_type, struct obj *target,
			     struct obj *new_policy);

/* ---- The TPM object (tspi_tpm.c) ---- */

/*
 * TPM_GetCapability through the TCS (Part 3 §7.1): the raw answer, at
 * most max bytes, in *resp (malloc'd; NULL and *len 0 on failure).
 */
TSS_RESULT tpm_get_capability(struct tspi_ctx *ctx, UINT32 area, const BYTE *sub, UINT32 sub_len,
			      UINT32 max, UINT32 *len, BYTE **resp);

/*
 * An owner-authorised command (OIAP on the TPM object's usage policy)
 * whose only output is the auth trailer: params are the encoded input
 * parameters after the ordinal (hashed into the 1S digest), put() writes
 * them in TCSD form.
 */
TSS_RESULT tpm_owner_cmd(struct obj *tpm, UINT32 tpm_ord, UINT32 tcsd_ord,
			 const struct crypto_iov *params, size_t n_params,
			 void (*put)(struct rpc_msg *m, const void *arg), const void *arg);

/* ---- PCR composite objects (tspi_pcrs.c) ---- */

struct pcrs {
	UINT32 type;				/* TSS_PCRS_STRUCT_INFO / _LONG / _SHORT */
	struct tpm_pcr_selection select;	/* INFO: the one; LONG/SHORT: release */
	struct tpm_pcr_selection creation_select; /* LONG only */
	uint8_t values[TPM_STRUCT_NUM_PCR_MAX][TPM_STRUCT_DIGEST_LEN];
	uint8_t locality_at_release;		/* LONG/SHORT, default TSS_LOCALITY_ALL */
	uint8_t locality_at_creation;
	uint8_t digest_at_release[TPM_STRUCT_DIGEST_LEN];
	uint8_t digest_at_creation[TPM_STRUCT_DIGEST_LEN];
};

struct pcrs *pcrs_of(struct obj *o);

/*
 * The PCR info structure a Seal or CreateWrapKey sends, encoded: type 0
 * means the composite's own structure type (as TrouSerS). Malloc'd.
 */
TSS_RESULT pcrs_build_info(struct obj *pcrs, UINT32 type, uint8_t **out, size_t *out_len);
/* The TPM_PCR_SELECTION of the composite, encoded (Quote's targetPCR). */
TSS_RESULT pcrs_build_selection(struct obj *pcrs, uint8_t **out, size_t *out_len);
/* Records PCR values read back (Quote): composite's selected PCRs, in order. */
TSS_RESULT pcrs_set_composite(struct obj *pcrs, const struct tpm_pcr_composite *comp);
/* Recomputes digest_at_release from the selection and values. */
TSS_RESULT pcrs_update_digest(struct pcrs *p);

/* ---- Enc-data objects (tspi_data.c) ---- */

struct encdata {
	UINT32 type;		/* TSS_ENCDATA_SEAL / BIND / LEGACY */
	uint8_t *blob;		/* TPM_STORED_DATA(12) or bound ciphertext */
	size_t blob_len;
	UINT32 seal_protect;	/* TSS_TSPATTRIB_ENCDATASEAL_* */
};

/* Replaces the blob (a copy; at most 4096 bytes). */
TSS_RESULT encdata_set_blob(struct encdata *e, const uint8_t *p, size_t n);
/* Tspi_ChangeAuth for sealed data (tspi_changeauth.c). */
TSS_RESULT encdata_change_auth(struct obj *o, struct obj *parent, struct obj *new_policy);

/* ---- Hash objects (tspi_hash.c) ---- */

struct hashobj {
	UINT32 alg;		/* TSS_HASH_SHA1 / TSS_HASH_OTHER */
	uint8_t *value;
	size_t value_len;
	uint8_t *user_data;	/* SetUserMessageData */
	size_t user_data_len;
};

/*
 * TSS 1.2 §4.3.4.15.6; TrouSerS 0.3.15 neither declares nor exports it,
 * so <tss/tspi.h> does not either: data for TickStampBlob.
 */
TSS_RESULT Tspi_Hash_SetUserMessageData(TSS_HHASH hHash, UINT32 ulDataLength, BYTE *rgbData);

/* ---- Verification helpers (tspi_hash.c), also for Quote/Quote2/CertifyKey ---- */

/*
 * Checks sig over 'data' with the RSA public key in pubkey for the key's
 * signature scheme: TPM_SS_RSASSAPKCS1v15_SHA1 (data is a 20-byte digest),
 * TPM_SS_RSASSAPKCS1v15_DER (data as is), TPM_SS_RSASSAPKCS1v15_INFO
 * (data is a 20-byte digest, like SHA1). Mismatch:
 * TSP_ERROR(TSS_E_FAIL) as TrouSerS answers.
 */
TSS_RESULT keys_verify_signature(const struct tpm_pubkey *pubkey, const uint8_t *data,
				 size_t data_len, const uint8_t *sig, size_t sig_len);

/* ---- Small helpers shared by these modules ---- */

struct session;
/*
 * session_auth() with the nonceOdd already chosen in s->s (by
 * auth_session_new_nonce_odd): for commands whose input digest depends
 * on it (CreateWrapKey's migration encAuth, Sealx's masked data).
 * continueAuthSession is FALSE.
 */
TSS_RESULT keys_session_auth_prepared(struct session *s, UINT32 ordinal, const BYTE digest[20],
				      TPM_AUTH *auth);

/* TSS result for a negative errno from common/ (-ENOMEM -> OUTOFMEMORY, ...). */
TSS_RESULT keys_errno_result(int err);
/* Hands len bytes to the application as context memory (Tspi_Context_FreeMemory). */
TSS_RESULT keys_out_bytes(struct tspi_ctx *ctx, const void *p, size_t len, UINT32 *out_len,
			  BYTE **out);
/* A TPM_PCR_SELECTION, encoded, as context memory (tspi_key.c). */
TSS_RESULT keys_out_selection(struct tspi_ctx *ctx, const struct tpm_pcr_selection *sel,
			      UINT32 *len, BYTE **data);

#endif /* TSS12_TSPI_KEYS_H */
