/*
 * RSA key objects: templates from TSS_KEY_* init flags, TPM_CreateWrapKey,
 * loading and unloading through the TCS, public-key retrieval.
 *
 * A key object holds a struct tpm_key. Until a real blob is set (by
 * CreateKey, a blob attribute, or loading from storage) it is a template
 * whose fields the application may still change with SetAttrib*; after
 * that it is frozen (TSS_E_INVALID_OBJ_ACCESS), as in TrouSerS.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <tss/tpm_ordinal.h>

#include "auth.h"
#include "buf.h"
#include "keys.h"
#include "log.h"
#include "obj.h"
#include "rpc.h"
#include "secret.h"
#include "session.h"

/* Cap on a wrapped key blob from the TCS: 4096-bit parent, generous PCR info. */
#define KEY_BLOB_MAX 4096
#define PUBKEY_BLOB_MAX 1024

/* TSS_KEY_* init flags that exist (TSS 1.2 §2.3.2.16). */
#define KEY_INITFLAGS_VALID                                                                  \
	(TSS_KEY_AUTHORIZATION | TSS_KEY_AUTHORIZATION_PRIV_USE_ONLY | TSS_KEY_VOLATILE |   \
	 TSS_KEY_MIGRATABLE | TSS_KEY_TYPE_BITMASK | TSS_KEY_SIZE_BITMASK |                  \
	 TSS_KEY_CERTIFIED_MIGRATABLE | TSS_KEY_STRUCT_BITMASK | TSS_KEY_TEMPLATE_BITMASK)

/* ---- small shared helpers ---- */

TSS_RESULT keys_errno_result(int err)
{
	if (err == 0)
		return TSS_SUCCESS;
	if (err == -ENOMEM)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	if (err == -EBADMSG || err == -E2BIG || err == -EINVAL)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
	return TSP_ERROR(TSS_E_INTERNAL_ERROR);
}

TSS_RESULT keys_out_bytes(struct tspi_ctx *ctx, const void *p, size_t len, UINT32 *out_len,
			  BYTE **out)
{
	*out_len = 0;
	*out = NULL;
	if (len > UINT32_MAX)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	*out = ctx_memdup(ctx, p, len);
	if (*out == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	*out_len = (UINT32)len;
	return TSS_SUCCESS;
}

struct rsakey *rsakey_of(struct obj *o)
{
	return o->data;
}

TSS_HPOLICY rsakey_usage_policy(struct obj *key)
{
	return key->usage_policy ? key->usage_policy : key->ctx->default_policy;
}

bool rsakey_needs_auth(struct obj *key)
{
	return rsakey_of(key)->key.auth_data_usage != TPM_AUTH_NEVER;
}

TSS_RESULT rsakey_tcs_handle(struct obj *key, UINT32 *handle)
{
	struct rsakey *k = rsakey_of(key);

	*handle = 0;
	if (!k->loaded)
		return TSP_ERROR(TSS_E_KEY_NOT_LOADED);
	*handle = k->tcs_handle;
	return TSS_SUCCESS;
}

/*
 * TPM_UnBind and TPM_Sign (Part 3 §10.4, §13.1) have one shape: the key
 * handle and one sized input in, one sized output back, authorised with
 * the key's usage secret through OIAP when the key needs it (the HMACs
 * cover the sized input and, on the way back, the sized output).
 */
TSS_RESULT rsakey_sized_cmd(struct obj *key, UINT32 tpm_ord, UINT32 tcsd_ord, const BYTE *in,
			    UINT32 in_len, UINT32 max, BYTE **out, UINT32 *out_len)
{
	struct session s;
	bool have_session = false;
	TPM_AUTH auth;
	BYTE digest[20];
	UINT32 handle;
	struct rpc_msg *m = NULL;
	struct buf_writer lw;
	uint8_t len_be[4];
	TSS_RESULT rc;

	*out = NULL;
	*out_len = 0;
	if ((rc = rsakey_tcs_handle(key, &handle)) != TSS_SUCCESS)
		return rc;
	if (rsakey_needs_auth(key)) {
		buf_writer_init_fixed(&lw, len_be, sizeof(len_be));
		buf_put_u32(&lw, in_len);
		if ((rc = session_oiap(key->ctx, rsakey_usage_policy(key), key->handle, &s)) !=
		    TSS_SUCCESS)
			goto out;
		have_session = true;
		if ((rc = keys_errno_result(auth_digest_request(
			     tpm_ord, (struct crypto_iov[]){ { len_be, 4 }, { in, in_len } }, 2,
			     digest))) != TSS_SUCCESS)
			goto out;
		if ((rc = session_auth(&s, tpm_ord, digest, &auth)) != TSS_SUCCESS)
			goto out;
	}
	if ((rc = rpc_begin(key->ctx, tcsd_ord, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, handle);
	rpc_put_sized(m, in, in_len);
	if (have_session)
		rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (have_session)
		rpc_get_auth(m, &auth);
	rpc_get_sized(m, max, out_len, out);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if (have_session) {
		buf_writer_init_fixed(&lw, len_be, sizeof(len_be));
		buf_put_u32(&lw, *out_len);
		rc = SESSION_VERIFY_PIECES(&s, &auth, { len_be, 4 }, { *out, *out_len });
	}
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	if (rc != TSS_SUCCESS) {
		/* Unbound data is plain text: wiped whatever the output is. */
		if (*out != NULL)
			OPENSSL_cleanse(*out, *out_len);
		free(*out);
		*out = NULL;
		*out_len = 0;
	}
	return rc;
}

void rsakey_drop_raw(struct rsakey *rk)
{
	free(rk->raw);
	rk->raw = NULL;
	rk->raw_len = 0;
}

TSS_RESULT rsakey_get_blob(struct obj *key, uint8_t **blob, size_t *len)
{
	struct rsakey *rk = rsakey_of(key);

	*blob = NULL;
	*len = 0;
	if (rk->raw != NULL) {
		*blob = malloc(rk->raw_len);
		if (*blob == NULL)
			return TSP_ERROR(TSS_E_OUTOFMEMORY);
		memcpy(*blob, rk->raw, rk->raw_len);
		*len = rk->raw_len;
		return TSS_SUCCESS;
	}
	return keys_errno_result(tpm_key_encode(&rk->key, blob, len));
}

/* Keeps the exact bytes of a blob that was just parsed into rk->key. */
static TSS_RESULT rsakey_keep_raw(struct rsakey *rk, const uint8_t *blob, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (copy == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	memcpy(copy, blob, len);
	rsakey_drop_raw(rk);
	rk->raw = copy;
	rk->raw_len = len;
	return TSS_SUCCESS;
}

TSS_RESULT rsakey_set_blob(struct obj *key, const uint8_t *blob, size_t len)
{
	struct rsakey *k = rsakey_of(key);
	struct tpm_key parsed;
	int err;

	if ((err = tpm_key_decode(blob, len, &parsed)) != 0) {
		log_error("tspi: key blob of %zu bytes does not parse (%d)", len, err);
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
	}
	tpm_key_free(&k->key);
	k->key = parsed;
	k->key_set = true;
	k->pcr_info_type = parsed.key12 ? TSS_PCRS_STRUCT_INFO_LONG : TSS_PCRS_STRUCT_INFO;
	return rsakey_keep_raw(k, blob, len);
}

TSS_RESULT rsakey_get_pubkey_blob(struct obj *key, uint8_t **blob, size_t *len)
{
	struct tpm_pubkey pk;
	TSS_RESULT rc;

	*blob = NULL;
	*len = 0;
	if (rsakey_of(key)->key.pub_key.key_len == 0)
		return TSP_ERROR(TSS_E_KEY_NOT_SET);
	if ((rc = keys_errno_result(tpm_key_to_pubkey(&rsakey_of(key)->key, &pk))) != TSS_SUCCESS)
		return rc;
	rc = keys_errno_result(tpm_pubkey_encode(&pk, blob, len));
	tpm_pubkey_free(&pk);
	return rc;
}

TSS_RESULT rsakey_evp(struct obj *key, EVP_PKEY **out)
{
	const struct tpm_key *k = &rsakey_of(key)->key;
	int err;

	*out = NULL;
	if (k->algorithm_parms.kind != TPM_PARMS_RSA || k->pub_key.key_len == 0)
		return TSP_ERROR(TSS_E_KEY_NOT_SET);
	err = crypto_rsa_import_public(k->pub_key.key, k->pub_key.key_len,
				       k->algorithm_parms.rsa.exponent,
				       k->algorithm_parms.rsa.exponent_len, out);
	if (err != 0) {
		log_error("tspi: the key's public part is not a usable RSA key (%d)", err);
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
	}
	return TSS_SUCCESS;
}

/* ---- templates ---- */

/* TSS key type -> TPM_KEY_USAGE and default schemes (TrouSerS' choices). */
static const struct key_type_row {
	UINT32 tss_type;
	UINT16 usage;
	UINT16 enc_scheme;
	UINT16 sig_scheme;
} key_types[] = {
	{ TSS_KEY_TYPE_SIGNING, TPM_KEY_SIGNING, TPM_ES_NONE, TPM_SS_RSASSAPKCS1v15_SHA1 },
	{ TSS_KEY_TYPE_STORAGE, TPM_KEY_STORAGE, TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE },
	{ TSS_KEY_TYPE_IDENTITY, TPM_KEY_IDENTITY, TPM_ES_NONE, TPM_SS_RSASSAPKCS1v15_SHA1 },
	{ TSS_KEY_TYPE_AUTHCHANGE, TPM_KEY_AUTHCHANGE, TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE },
	{ TSS_KEY_TYPE_BIND, TPM_KEY_BIND, TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE },
	{ TSS_KEY_TYPE_LEGACY, TPM_KEY_LEGACY, TPM_ES_RSAESOAEP_SHA1_MGF1,
	  TPM_SS_RSASSAPKCS1v15_SHA1 },
	{ TSS_KEY_TYPE_MIGRATE, TPM_KEY_MIGRATE, TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE },
};

/* TSS_KEY_SIZE_* -> bits; index is the flag's value >> 8. */
static const UINT32 key_sizes[] = { 2048, 512, 1024, 2048, 4096, 8192, 16384 };

/* TSS_KEYUSAGE_* <-> TPM_KEY_* (attribute KEYINFO_USAGE). */
static const struct {
	UINT32 tss;
	UINT16 tpm;
} key_usages[] = {
	{ TSS_KEYUSAGE_BIND, TPM_KEY_BIND },	     { TSS_KEYUSAGE_IDENTITY, TPM_KEY_IDENTITY },
	{ TSS_KEYUSAGE_LEGACY, TPM_KEY_LEGACY },     { TSS_KEYUSAGE_SIGN, TPM_KEY_SIGNING },
	{ TSS_KEYUSAGE_STORAGE, TPM_KEY_STORAGE },   { TSS_KEYUSAGE_AUTHCHANGE, TPM_KEY_AUTHCHANGE },
	{ TSS_KEYUSAGE_MIGRATE, TPM_KEY_MIGRATE },
};

/* TSS_SS_* / TSS_ES_* <-> TPM_SS_* / TPM_ES_*. */
static const struct {
	UINT32 tss;
	UINT16 tpm;
} sig_schemes[] = {
	{ TSS_SS_NONE, TPM_SS_NONE },
	{ TSS_SS_RSASSAPKCS1V15_SHA1, TPM_SS_RSASSAPKCS1v15_SHA1 },
	{ TSS_SS_RSASSAPKCS1V15_DER, TPM_SS_RSASSAPKCS1v15_DER },
	{ TSS_SS_RSASSAPKCS1V15_INFO, TPM_SS_RSASSAPKCS1v15_INFO },
}, enc_schemes[] = {
	{ TSS_ES_NONE, TPM_ES_NONE },
	{ TSS_ES_RSAESPKCSV15, TPM_ES_RSAESPKCSv15 },
	{ TSS_ES_RSAESOAEP_SHA1_MGF1, TPM_ES_RSAESOAEP_SHA1_MGF1 },
	{ TSS_ES_SYM_CNT, TPM_ES_SYM_CNT },
	{ TSS_ES_SYM_OFB, TPM_ES_SYM_OFB },
	{ TSS_ES_SYM_CBC_PKCS5PAD, TPM_ES_SYM_CBC_PKCS5PAD },
};

#define TABLE_LEN(t) (sizeof(t) / sizeof((t)[0]))

static void key_set_struct(struct tpm_key *k, bool key12)
{
	k->key12 = key12;
	if (!key12) {
		/* TPM_KEY carries TPM_STRUCT_VER 1.1.0.0 even on 1.2 TPMs (Part 2 §10.2). */
		k->ver.major = 1;
		k->ver.minor = 1;
		k->ver.rev_major = 0;
		k->ver.rev_minor = 0;
		k->key_flags &= ~(UINT32)TPM_PCRIGNOREDONREAD;
	} else {
		memset(&k->ver, 0, sizeof(k->ver));
		/* TrouSerS marks every TPM_KEY12 so; quotes of its PCRs then need no auth. */
		k->key_flags |= TPM_PCRIGNOREDONREAD;
	}
}

/*
 * Builds the template TrouSerS builds for these flags; unset type and
 * size mean legacy and 2048 bits.
 */
static TSS_RESULT key_template(TSS_FLAG flags, bool ctx_v12, struct rsakey *rk)
{
	struct tpm_key *k = &rk->key;
	UINT32 type = flags & TSS_KEY_TYPE_BITMASK;
	UINT32 size_idx = (flags & TSS_KEY_SIZE_BITMASK) >> 8;
	UINT32 kstruct = flags & TSS_KEY_STRUCT_BITMASK;
	size_t i;

	memset(k, 0, sizeof(*k));
	if ((flags & ~(UINT32)KEY_INITFLAGS_VALID) != 0 || size_idx >= TABLE_LEN(key_sizes) ||
	    (kstruct != TSS_KEY_STRUCT_DEFAULT && kstruct != TSS_KEY_STRUCT_KEY &&
	     kstruct != TSS_KEY_STRUCT_KEY12))
		return TSP_ERROR(TSS_E_INVALID_OBJECT_INITFLAG);
	if (kstruct == TSS_KEY_STRUCT_DEFAULT)
		kstruct = ctx_v12 ? TSS_KEY_STRUCT_KEY12 : TSS_KEY_STRUCT_KEY;
	if ((flags & TSS_KEY_CERTIFIED_MIGRATABLE) && kstruct == TSS_KEY_STRUCT_KEY)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	key_set_struct(k, kstruct == TSS_KEY_STRUCT_KEY12);
	rk->pcr_info_type = k->key12 ? TSS_PCRS_STRUCT_INFO_LONG : TSS_PCRS_STRUCT_INFO;

	/* An empty key is filled later from a blob. */
	if ((flags & ~(UINT32)TSS_KEY_STRUCT_BITMASK) == TSS_KEY_EMPTY_KEY)
		return TSS_SUCCESS;

	if (flags & TSS_KEY_TSP_SRK)
		flags = (flags & ~(UINT32)(TSS_KEY_TYPE_BITMASK | TSS_KEY_SIZE_BITMASK |
					   TSS_KEY_MIGRATABLE | TSS_KEY_VOLATILE)) |
			TSS_KEY_TYPE_STORAGE | TSS_KEY_SIZE_2048;
	type = flags & TSS_KEY_TYPE_BITMASK;
	size_idx = (flags & TSS_KEY_SIZE_BITMASK) >> 8;
	if (type == TSS_KEY_TYPE_DEFAULT)
		type = TSS_KEY_TYPE_LEGACY;
	for (i = 0; i < TABLE_LEN(key_types); i++)
		if (key_types[i].tss_type == type)
			break;
	if (i == TABLE_LEN(key_types))
		return TSP_ERROR(TSS_E_INVALID_OBJECT_INITFLAG);

	k->key_usage = key_types[i].usage;
	k->algorithm_parms.algorithm_id = TPM_ALG_RSA;
	k->algorithm_parms.enc_scheme = key_types[i].enc_scheme;
	k->algorithm_parms.sig_scheme = key_types[i].sig_scheme;
	k->algorithm_parms.kind = TPM_PARMS_RSA;
	k->algorithm_parms.rsa.key_length = key_sizes[size_idx];
	k->algorithm_parms.rsa.num_primes = 2;
	k->algorithm_parms.rsa.exponent_len = 0;
	if (flags & TSS_KEY_VOLATILE)
		k->key_flags |= TPM_VOLATILE;
	if (flags & TSS_KEY_MIGRATABLE)
		k->key_flags |= TPM_MIGRATABLE;
	/* A CMK is migratable, under the control of its authorities (Part 3 §11.5). */
	if (flags & TSS_KEY_CERTIFIED_MIGRATABLE)
		k->key_flags |= TPM_MIGRATEAUTHORITY | TPM_MIGRATABLE;
	if (flags & TSS_KEY_AUTHORIZATION)
		k->auth_data_usage = TPM_AUTH_ALWAYS;
	else if (flags & TSS_KEY_AUTHORIZATION_PRIV_USE_ONLY)
		k->auth_data_usage = TPM_AUTH_PRIV_USE_ONLY;
	else
		k->auth_data_usage = TPM_AUTH_NEVER;
	return TSS_SUCCESS;
}

static TSS_RESULT rsakey_create(struct obj *o, TSS_FLAG init_flags)
{
	struct rsakey *rk = calloc(1, sizeof(*rk));
	TSS_RESULT rc;

	if (rk == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	rc = key_template(init_flags, o->ctx->connection_version == TSS_TSPATTRIB_CONTEXT_VERSION_V1_2,
			  rk);
	if (rc != TSS_SUCCESS) {
		free(rk);
		return rc;
	}
	o->data = rk;
	/* New keys use the context's default policy until another is assigned (TrouSerS). */
	o->usage_policy = o->ctx->default_policy;
	return TSS_SUCCESS;
}

static void rsakey_destroy(struct obj *o)
{
	struct rsakey *rk = o->data;

	if (rk == NULL)
		return;
	tpm_key_free(&rk->key);
	rsakey_drop_raw(rk);
	OPENSSL_cleanse(rk, sizeof(*rk));
	free(rk);
	o->data = NULL;
}

TSS_RESULT rsakey_new_from_blob(struct tspi_ctx *ctx, const uint8_t *blob, size_t len,
				struct obj **out)
{
	struct rsakey *rk;
	struct obj *o = NULL;
	TSS_RESULT rc;
	int err;

	*out = NULL;
	rk = calloc(1, sizeof(*rk));
	if (rk == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	if ((err = tpm_key_decode(blob, len, &rk->key)) != 0) {
		log_error("tspi: key blob of %zu bytes does not parse (%d)", len, err);
		free(rk);
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
	rk->key_set = true;
	rk->pcr_info_type = rk->key.key12 ? TSS_PCRS_STRUCT_INFO_LONG : TSS_PCRS_STRUCT_INFO;
	if ((rc = rsakey_keep_raw(rk, blob, len)) != TSS_SUCCESS ||
	    (rc = obj_add(ctx, &obj_class_rsakey, rk, &o)) != TSS_SUCCESS) {
		tpm_key_free(&rk->key);
		rsakey_drop_raw(rk);
		free(rk);
		return rc;
	}
	o->usage_policy = ctx->default_policy;
	*out = o;
	return TSS_SUCCESS;
}

/* ---- TPM_CreateWrapKey (Part 3 §10.4) ---- */

/*
 * session_auth() picks a fresh nonceOdd itself, but CreateWrapKey's
 * digest depends on the nonceOdd (the migration encAuth uses it). This
 * authorises with the nonceOdd already in s->s, for secret-holding
 * policies; callback policies get the application's HMAC the same way.
 */
TSS_RESULT keys_session_auth_prepared(struct session *s, UINT32 ordinal, const BYTE digest[20],
				      TPM_AUTH *auth)
{
	BYTE hmac[20];
	TSS_RESULT rc = TSS_SUCCESS;

	memset(auth, 0, sizeof(*auth));
	s->ordinal = ordinal;
	s->continue_session = false;
	s->s.continue_session = false;
	if (!s->open)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	if (s->callback) {
		rc = secret_callback_hmac(s->ctx, s->policy, s->authorized, false, ordinal, false,
					  s->s.nonce_even, s->s.nonce_odd,
					  s->s.type == AUTH_SESSION_OSAP ? s->nonce_even_osap : NULL,
					  s->s.type == AUTH_SESSION_OSAP ? s->nonce_odd_osap : NULL,
					  digest, hmac);
	} else if (auth_request_hmac(&s->s, s->secret, digest, hmac) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	if (rc != TSS_SUCCESS)
		return rc;
	auth->AuthHandle = s->s.handle;
	memcpy(auth->NonceOdd.nonce, s->s.nonce_odd, 20);
	memcpy(auth->NonceEven.nonce, s->s.nonce_even, 20);
	auth->fContinueAuthSession = FALSE;
	memcpy(auth->HMAC.authdata, hmac, 20);
	OPENSSL_cleanse(hmac, sizeof(hmac));
	secret_used(s->ctx, s->policy);
	return TSS_SUCCESS;
}

/* Fills k's PCR info from the PCR composite object hPcrs (context locked). */
static TSS_RESULT key_bind_pcrs(struct obj *key, TSS_HPCRS hPcrs, struct tpm_key *k)
{
	struct obj *pcrs;
	struct buf_reader r;
	uint8_t *pcr_info = NULL;
	size_t pcr_info_len = 0;
	TSS_RESULT rc;

	if ((rc = obj_lookup_in(key->ctx, hPcrs, OBJ_PCRS, &pcrs)) != TSS_SUCCESS)
		return rc;
	if ((rc = pcrs_build_info(pcrs, k->key12 ? TSS_PCRS_STRUCT_INFO_LONG : TSS_PCRS_STRUCT_INFO,
				  &pcr_info, &pcr_info_len)) != TSS_SUCCESS)
		return rc;
	buf_reader_init(&r, pcr_info, pcr_info_len);
	if (k->key12) {
		tpm_pcr_info_long_free(&k->pcr_info_long);
		tpm_pcr_info_long_get(&r, &k->pcr_info_long);
	} else {
		tpm_pcr_info_free(&k->pcr_info);
		tpm_pcr_info_get(&r, &k->pcr_info);
	}
	rc = buf_reader_done(&r) != 0 ? TSP_ERROR(TSS_E_INTERNAL_ERROR) : TSS_SUCCESS;
	if (rc == TSS_SUCCESS)
		k->has_pcr_info = true;
	free(pcr_info);
	return rc;
}

TSS_RESULT Tspi_Key_CreateKey(TSS_HKEY hKey, TSS_HKEY hWrappingKey, TSS_HPCRS hPcrComposite)
{
	struct obj *key, *parent;
	struct rsakey *rk;
	struct session s;
	bool have_session = false;
	TPM_AUTH auth;
	BYTE usage_secret[20], mig_secret[20], enc_usage[20], enc_mig[20], digest[20];
	uint8_t *info = NULL, *wrapped = NULL;
	size_t info_len = 0;
	UINT32 parent_handle, wrapped_len = 0;
	struct rpc_msg *m = NULL;
	struct tpm_key tmpl;
	TSS_HPOLICY mig_policy;
	bool cmk;
	UINT32 ord;
	TSS_RESULT rc;

	memset(&tmpl, 0, sizeof(tmpl));
	if ((rc = obj_acquire(hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		return rc;
	rk = rsakey_of(key);
	if ((rc = obj_lookup_in(key->ctx, hWrappingKey, OBJ_RSAKEY, &parent)) != TSS_SUCCESS)
		goto out;
	if (rk->key_set) {
		/* TrouSerS refuses to overwrite a key that already has a blob. */
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		goto out;
	}
	if ((rc = rsakey_tcs_handle(parent, &parent_handle)) != TSS_SUCCESS)
		goto out;

	/* The template, with PCR info if the key is to be bound to PCRs. */
	if ((rc = rsakey_get_blob(key, &info, &info_len)) != TSS_SUCCESS)
		goto out;
	if (hPcrComposite != 0) {
		if ((rc = keys_errno_result(tpm_key_decode(info, info_len, &tmpl))) != TSS_SUCCESS ||
		    (rc = key_bind_pcrs(key, hPcrComposite, &tmpl)) != TSS_SUCCESS)
			goto out;
		free(info);
		info = NULL;
		if ((rc = keys_errno_result(tpm_key_encode(&tmpl, &info, &info_len))) != TSS_SUCCESS)
			goto out;
	}

	/* The new key's secrets travel ADIP-encrypted under an OSAP session on the parent. */
	if ((rc = secret_get(key->ctx, rsakey_usage_policy(key), true, usage_secret)) != TSS_SUCCESS)
		goto out;
	/*
	 * A certified migratable key gets its migrationAuth from the TPM
	 * (TPM_CMK_CreateKey, Part 3 §11.5), bound to the approved migration
	 * authorities whose digest and approval the application copied into
	 * TSS_TSPATTRIB_KEY_CMKINFO, as with TrouSerS.
	 */
	cmk = (rk->key.key_flags & TPM_MIGRATEAUTHORITY) != 0;
	ord = cmk ? TPM_ORD_CMK_CreateKey : TPM_ORD_CreateWrapKey;
	if (cmk) {
		memset(mig_secret, 0, sizeof(mig_secret));
	} else if (rk->key.key_flags & TPM_MIGRATABLE) {
		mig_policy = key->migration_policy;
		if (mig_policy == 0) {
			rc = TSP_ERROR(TSS_E_KEY_NO_MIGRATION_POLICY);
			goto out;
		}
		if ((rc = secret_get(key->ctx, mig_policy, true, mig_secret)) != TSS_SUCCESS)
			goto out;
	} else {
		memcpy(mig_secret, usage_secret, sizeof(mig_secret));
	}
	if ((rc = session_osap(key->ctx, rsakey_usage_policy(parent), hWrappingKey,
			       TPM_ET_KEYHANDLE, parent_handle, &s)) != TSS_SUCCESS)
		goto out;
	have_session = true;
	/*
	 * dataMigrationAuth is encrypted with the nonceOdd of this very
	 * command (Part 3 §10.4 step 8), which the HMAC also covers: pick the
	 * nonceOdd first, then digest, then authorise with that nonceOdd.
	 */
	if ((rc = keys_errno_result(auth_session_new_nonce_odd(&s.s))) != TSS_SUCCESS)
		goto out;
	if ((rc = session_encauth(&s, usage_secret, enc_usage)) != TSS_SUCCESS)
		goto out;
	if ((rc = keys_errno_result(auth_session_encauth_odd(&s.s, mig_secret, enc_mig))) !=
	    TSS_SUCCESS)
		goto out;
	{
		uint8_t ord_be[4] = { (uint8_t)(ord >> 24), (uint8_t)(ord >> 16),
				      (uint8_t)(ord >> 8), (uint8_t)ord };
		int err;

		if (cmk)
			err = crypto_sha1_iov(
				(struct crypto_iov[]){ { ord_be, 4 }, { enc_usage, 20 },
						       { info, info_len },
						       { rk->cmk_ma_approval, 20 },
						       { rk->cmk_ma_digest, 20 } },
				5, digest);
		else
			err = crypto_sha1_iov((struct crypto_iov[]){ { ord_be, 4 }, { enc_usage, 20 },
								     { enc_mig, 20 }, { info, info_len } },
					      4, digest);
		if (err != 0) {
			rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
	}
	if ((rc = keys_session_auth_prepared(&s, ord, digest, &auth)) != TSS_SUCCESS)
		goto out;

	if ((rc = rpc_begin(key->ctx, cmk ? TCSD_ORD_CMK_CREATEKEY : TCSD_ORD_CREATEWRAPKEY, &m)) !=
	    TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, parent_handle);
	rpc_put_encauth(m, enc_usage);
	if (cmk) {
		rpc_put_digest(m, rk->cmk_ma_approval);
		rpc_put_digest(m, rk->cmk_ma_digest);
	} else {
		rpc_put_encauth(m, enc_mig);
	}
	rpc_put_sized(m, info, (uint32_t)info_len);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_sized(m, KEY_BLOB_MAX, &wrapped_len, &wrapped);
	rpc_get_auth(m, &auth);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if ((rc = SESSION_VERIFY_PIECES(&s, &auth, { wrapped, wrapped_len })) != TSS_SUCCESS)
		goto out;
	if ((rc = rsakey_set_blob(key, wrapped, wrapped_len)) != TSS_SUCCESS)
		goto out;
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	OPENSSL_cleanse(usage_secret, sizeof(usage_secret));
	OPENSSL_cleanse(mig_secret, sizeof(mig_secret));
	OPENSSL_cleanse(enc_usage, sizeof(enc_usage));
	OPENSSL_cleanse(enc_mig, sizeof(enc_mig));
	tpm_key_free(&tmpl);
	free(info);
	free(wrapped);
	obj_release(key);
	return rc;
}

/*
 * ---- loading ----
 * TCSD LoadKeyByBlob. TrouSerS 0.3.15's tcsd runs it as TPM_LoadKey2
 * (Part 3 §10.5) on a 1.2 TPM, and its libtspi authorises it so: the
 * input digest names TPM_ORD_LoadKey2 and the output digest covers no
 * key handle. (Checked on the wire against Debian's tcsd + libtspi.)
 */

/* Loads key (context locked) under parent; authorises with the parent's usage policy. */
TSS_RESULT rsakey_load(struct obj *key, struct obj *parent)
{
	struct rsakey *rk = rsakey_of(key);
	struct session s;
	bool have_session = false;
	TPM_AUTH auth;
	BYTE digest[20];
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	UINT32 parent_handle, tcs_handle = 0, tpm_handle = 0;
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if (!rk->key_set)
		return TSP_ERROR(TSS_E_KEY_NOT_SET);
	if ((rc = rsakey_tcs_handle(parent, &parent_handle)) != TSS_SUCCESS)
		return rc;
	if ((rc = rsakey_get_blob(key, &blob, &blob_len)) != TSS_SUCCESS)
		return rc;
	if (rsakey_needs_auth(parent)) {
		if ((rc = session_oiap(key->ctx, rsakey_usage_policy(parent), parent->handle, &s)) !=
		    TSS_SUCCESS)
			goto out;
		have_session = true;
		if ((rc = keys_errno_result(auth_digest_request(
			     TPM_ORD_LoadKey2, (struct crypto_iov[]){ { blob, blob_len } }, 1,
			     digest))) != TSS_SUCCESS)
			goto out;
		if ((rc = session_auth(&s, TPM_ORD_LoadKey2, digest, &auth)) != TSS_SUCCESS)
			goto out;
	}
	if ((rc = rpc_begin(key->ctx, TCSD_ORD_LOADKEYBYBLOB, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, parent_handle);
	rpc_put_sized(m, blob, (uint32_t)blob_len);
	if (have_session)
		rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (have_session)
		rpc_get_auth(m, &auth);
	rpc_get_u32(m, &tcs_handle);
	/* TrouSerS also returns the TPM slot (unused here: handles are not in the HMAC). */
	if (rpc_has_more(m))
		rpc_get_u32(m, &tpm_handle);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if (have_session) {
		if ((rc = session_verify_outputs(&s, &auth, NULL, 0)) != TSS_SUCCESS)
			goto out;
	}
	rk->tcs_handle = tcs_handle;
	rk->loaded = true;
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	free(blob);
	return rc;
}

TSS_RESULT Tspi_Key_LoadKey(TSS_HKEY hKey, TSS_HKEY hUnwrappingKey)
{
	struct obj *key, *parent;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(key->ctx, hUnwrappingKey, OBJ_RSAKEY, &parent)) == TSS_SUCCESS)
		rc = rsakey_load(key, parent);
	obj_release(key);
	return rc;
}

TSS_RESULT Tspi_Context_LoadKeyByBlob(TSS_HCONTEXT hContext, TSS_HKEY hUnwrappingKey,
				      UINT32 ulBlobLength, BYTE *rgbBlobData, TSS_HKEY *phKey)
{
	struct obj *ctxo, *parent, *key = NULL;
	TSS_RESULT rc;

	if (phKey == NULL || rgbBlobData == NULL || ulBlobLength == 0)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*phKey = 0;
	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &ctxo)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(ctxo->ctx, hUnwrappingKey, OBJ_RSAKEY, &parent)) != TSS_SUCCESS)
		goto out;
	if ((rc = rsakey_new_from_blob(ctxo->ctx, rgbBlobData, ulBlobLength, &key)) != TSS_SUCCESS)
		goto out;
	if ((rc = rsakey_load(key, parent)) != TSS_SUCCESS) {
		obj_remove(key);
		goto out;
	}
	*phKey = key->handle;
out:
	obj_release(ctxo);
	return rc;
}

TSS_RESULT Tspi_Key_UnloadKey(TSS_HKEY hKey)
{
	struct obj *key;
	struct rsakey *rk;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		return rc;
	rk = rsakey_of(key);
	if (!rk->loaded) {
		rc = TSP_ERROR(TSS_E_KEY_NOT_LOADED);
		goto out;
	}
	if ((rc = tcs_evict_key(key->ctx, rk->tcs_handle)) == TSS_SUCCESS) {
		rk->loaded = false;
		rk->tcs_handle = 0;
	}
out:
	obj_release(key);
	return rc;
}

TSS_RESULT tcs_evict_key(struct tspi_ctx *ctx, UINT32 tcs_handle)
{
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if ((rc = rpc_begin(ctx, TCSD_ORD_EVICTKEY, &m)) == TSS_SUCCESS) {
		rpc_put_u32(m, tcs_handle);
		rc = rpc_call(m);
	}
	rpc_end(m);
	return rc;
}

/* TPM_GetPubKey (Part 3 §10.5): the loaded key's TPM_PUBKEY; refreshes the object. */
TSS_RESULT Tspi_Key_GetPubKey(TSS_HKEY hKey, UINT32 *pulPubKeyLength, BYTE **prgbPubKey)
{
	struct obj *key;
	struct rsakey *rk;
	struct session s;
	bool have_session = false;
	TPM_AUTH auth;
	BYTE digest[20];
	UINT32 handle, len = 0;
	BYTE *pub = NULL;
	struct rpc_msg *m = NULL;
	struct tpm_pubkey pk;
	TSS_RESULT rc;

	memset(&pk, 0, sizeof(pk));
	if (pulPubKeyLength == NULL || prgbPubKey == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulPubKeyLength = 0;
	*prgbPubKey = NULL;
	if ((rc = obj_acquire(hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		return rc;
	rk = rsakey_of(key);
	if ((rc = rsakey_tcs_handle(key, &handle)) != TSS_SUCCESS)
		goto out;
	if (rsakey_needs_auth(key)) {
		if ((rc = session_oiap(key->ctx, rsakey_usage_policy(key), key->handle, &s)) !=
		    TSS_SUCCESS)
			goto out;
		have_session = true;
		if ((rc = keys_errno_result(auth_digest_request(TPM_ORD_GetPubKey, NULL, 0,
								digest))) != TSS_SUCCESS)
			goto out;
		if ((rc = session_auth(&s, TPM_ORD_GetPubKey, digest, &auth)) != TSS_SUCCESS)
			goto out;
	}
	if ((rc = rpc_begin(key->ctx, TCSD_ORD_GETPUBKEY, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, handle);
	if (have_session)
		rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (have_session)
		rpc_get_auth(m, &auth);
	rpc_get_sized(m, PUBKEY_BLOB_MAX, &len, &pub);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if (have_session) {
		if ((rc = SESSION_VERIFY_PIECES(&s, &auth, { pub, len })) != TSS_SUCCESS)
			goto out;
	}
	if (tpm_pubkey_decode(pub, len, &pk) != 0) {
		log_error("tspi: GetPubKey returned a malformed TPM_PUBKEY");
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	/* Keep the object's copy in step (e.g. the SRK, whose stored blob has no modulus). */
	if (rk->key.pub_key.key_len == 0) {
		tpm_key_parms_free(&rk->key.algorithm_parms);
		tpm_store_pubkey_free(&rk->key.pub_key);
		rk->key.algorithm_parms = pk.algorithm_parms;
		rk->key.pub_key = pk.pub_key;
		memset(&pk, 0, sizeof(pk));
		/* The stored blob stays as it was: only the object learnt the public part. */
	}
	rc = keys_out_bytes(key->ctx, pub, len, pulPubKeyLength, prgbPubKey);
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	tpm_pubkey_free(&pk);
	free(pub);
	obj_release(key);
	return rc;
}

/* ---- Tspi_Key_WrapKey: importing a software key ---- */

/* TPM_STORE_ASYMKEY (Part 2 §10.6): payload, two secrets, a digest, the prime. */
#define STORE_ASYMKEY_FIXED (1 + 20 + 20 + 20 + 4)

/*
 * The wrapped key the TPM itself would have made (Part 2 §10.6): the
 * application set the public modulus (TSS_TSPATTRIB_RSAKEY_INFO) and one
 * prime (TSS_TSPATTRIB_KEYBLOB_PRIVATE_KEY) of a software key; the TSP
 * builds TPM_STORE_ASYMKEY {TPM_PT_ASYM, usageAuth, migrationAuth,
 * pubDataDigest, prime} and encrypts it with OAEP "TCPA" under the
 * wrapping key's public key. pubDataDigest is SHA-1 over the TPM_KEY
 * without encDataSize and encData. A key that is not migratable would
 * need tpmProof as its migrationAuth, which no TSP knows: the TPM refuses
 * to load it, so the application should make the key migratable.
 */
TSS_RESULT Tspi_Key_WrapKey(TSS_HKEY hKey, TSS_HKEY hWrappingKey, TSS_HPCRS hPcrComposite)
{
	struct obj *key, *parent;
	struct rsakey *rk;
	struct tpm_key k;
	uint8_t *pub_part = NULL, *blob = NULL;
	size_t pub_len = 0, blob_len = 0, enc_len = 0;
	BYTE usage[20], mig[20], digest[20];
	BYTE plain[STORE_ASYMKEY_FIXED + TPM_STRUCT_RSA_MODULUS_MAX];
	BYTE enc[TPM_STRUCT_RSA_MODULUS_MAX];
	struct buf_writer w;
	EVP_PKEY *wrap = NULL;
	TSS_HPOLICY mig_policy;
	TSS_RESULT rc;

	memset(&k, 0, sizeof(k));
	if ((rc = obj_acquire(hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		return rc;
	rk = rsakey_of(key);
	if ((rc = obj_lookup_in(key->ctx, hWrappingKey, OBJ_RSAKEY, &parent)) != TSS_SUCCESS)
		goto out;
	if (rk->key.pub_key.key_len == 0 || rk->key.enc_data == NULL ||
	    rk->key.enc_data_len == 0) {
		log_error("tspi: WrapKey needs the key's modulus and private prime");
		rc = TSP_ERROR(TSS_E_KEY_NOT_SET);
		goto out;
	}
	/* One prime of the key: half the modulus (TPM_STORE_PRIVKEY, Part 2 §10.7). */
	if (rk->key.enc_data_len > rk->key.pub_key.key_len / 2 + 1) {
		rc = TSP_ERROR(TSS_E_ENC_INVALID_LENGTH);
		goto out;
	}
	if ((rc = rsakey_evp(parent, &wrap)) != TSS_SUCCESS)
		goto out;

	/* The public part as it will be in the blob: a copy without encData. */
	if ((rc = rsakey_get_blob(key, &blob, &blob_len)) != TSS_SUCCESS)
		goto out;
	if ((rc = keys_errno_result(tpm_key_decode(blob, blob_len, &k))) != TSS_SUCCESS)
		goto out;
	free(blob);
	blob = NULL;
	if (hPcrComposite != 0 && (rc = key_bind_pcrs(key, hPcrComposite, &k)) != TSS_SUCCESS)
		goto out;
	if (k.enc_data != NULL)
		OPENSSL_cleanse(k.enc_data, k.enc_data_len);
	free(k.enc_data);
	k.enc_data = NULL;
	k.enc_data_len = 0;
	if ((rc = keys_errno_result(tpm_key_encode(&k, &pub_part, &pub_len))) != TSS_SUCCESS)
		goto out;
	if (pub_len < 4 || crypto_sha1(pub_part, pub_len - 4, digest) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}

	if ((rc = secret_get(key->ctx, rsakey_usage_policy(key), true, usage)) != TSS_SUCCESS)
		goto out;
	mig_policy = key->migration_policy ? key->migration_policy : rsakey_usage_policy(key);
	if ((rc = secret_get(key->ctx, mig_policy, true, mig)) != TSS_SUCCESS)
		goto out;
	buf_writer_init_fixed(&w, plain, sizeof(plain));
	buf_put_u8(&w, TPM_PT_ASYM);
	buf_put_bytes(&w, usage, sizeof(usage));
	buf_put_bytes(&w, mig, sizeof(mig));
	buf_put_bytes(&w, digest, sizeof(digest));
	buf_put_sized(&w, rk->key.enc_data, rk->key.enc_data_len);
	if (buf_writer_error(&w) != 0) {
		rc = TSP_ERROR(TSS_E_ENC_INVALID_LENGTH);
		goto out;
	}
	if (crypto_rsa_encrypt_oaep_tcpa(wrap, plain, buf_writer_len(&w), enc, sizeof(enc),
					 &enc_len) != 0) {
		log_error("tspi: WrapKey: the key does not fit under the wrapping key");
		rc = TSP_ERROR(TSS_E_ENC_INVALID_LENGTH);
		goto out;
	}
	if ((k.enc_data = malloc(enc_len)) == NULL) {
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	memcpy(k.enc_data, enc, enc_len);
	k.enc_data_len = (uint32_t)enc_len;
	if ((rc = keys_errno_result(tpm_key_encode(&k, &blob, &blob_len))) != TSS_SUCCESS)
		goto out;
	rc = rsakey_set_blob(key, blob, blob_len);
out:
	OPENSSL_cleanse(usage, sizeof(usage));
	OPENSSL_cleanse(mig, sizeof(mig));
	OPENSSL_cleanse(plain, sizeof(plain));
	crypto_rsa_free(wrap);
	tpm_key_free(&k);
	free(pub_part);
	free(blob);
	obj_release(key);
	return rc;
}

/* ---- TPM_CertifyKey (Part 3 §14.1) ---- */

#define CERTIFY_INFO_MAX 1024
#define SIGNATURE_MAX 512

/*
 * The certifying key signs a TPM_CERTIFY_INFO(2) about hKey. Sessions
 * as TrouSerS: an OIAP session for each key that needs authorisation
 * (certifying key first on the wire), both over SHA-1(ordinal ||
 * antiReplay). With pValidationData the application supplies the nonce
 * and gets the certifyInfo and the signature; without, the TSP checks
 * the signature itself (TSS_E_VERIFICATION_FAILED when it is bad).
 */
TSS_RESULT Tspi_Key_CertifyKey(TSS_HKEY hKey, TSS_HKEY hCertifyingKey,
			       TSS_VALIDATION *pValidationData)
{
	struct obj *key, *cert;
	struct session ks, cs;
	bool need_key, need_cert, have_ks = false, have_cs = false;
	TPM_AUTH kauth, cauth, zero;
	BYTE nonce[20], digest[20], info_digest[20], sig_len_be[4];
	BYTE *info = NULL, *sig = NULL;
	UINT32 key_handle, cert_handle, info_len = 0, sig_len = 0;
	struct tpm_pubkey pk;
	struct rpc_msg *m = NULL;
	struct buf_writer lw;
	TSS_RESULT rc;

	memset(&pk, 0, sizeof(pk));
	memset(&zero, 0, sizeof(zero));
	if ((rc = obj_acquire(hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(key->ctx, hCertifyingKey, OBJ_RSAKEY, &cert)) != TSS_SUCCESS ||
	    (rc = rsakey_tcs_handle(key, &key_handle)) != TSS_SUCCESS ||
	    (rc = rsakey_tcs_handle(cert, &cert_handle)) != TSS_SUCCESS)
		goto out;
	if (pValidationData != NULL) {
		if (pValidationData->ulExternalDataLength < sizeof(nonce) ||
		    pValidationData->rgbExternalData == NULL) {
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			goto out;
		}
		memcpy(nonce, pValidationData->rgbExternalData, sizeof(nonce));
	} else if (crypto_random(nonce, sizeof(nonce)) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	need_key = rsakey_needs_auth(key);
	need_cert = rsakey_needs_auth(cert);
	/* The TPM takes one session for the key, or two; never the certifier's alone. */
	if (need_cert && !need_key) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if ((rc = keys_errno_result(auth_digest_request(
		     TPM_ORD_CertifyKey, (struct crypto_iov[]){ { nonce, 20 } }, 1, digest))) !=
	    TSS_SUCCESS)
		goto out;
	if (need_cert) {
		if ((rc = session_oiap(key->ctx, rsakey_usage_policy(cert), cert->handle, &cs)) !=
		    TSS_SUCCESS)
			goto out;
		have_cs = true;
		if ((rc = session_auth(&cs, TPM_ORD_CertifyKey, digest, &cauth)) != TSS_SUCCESS)
			goto out;
	}
	if (need_key) {
		if ((rc = session_oiap(key->ctx, rsakey_usage_policy(key), key->handle, &ks)) !=
		    TSS_SUCCESS)
			goto out;
		have_ks = true;
		if ((rc = session_auth(&ks, TPM_ORD_CertifyKey, digest, &kauth)) != TSS_SUCCESS)
			goto out;
	}
	if ((rc = rpc_begin(key->ctx, TCSD_ORD_CERTIFYKEY, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, cert_handle);
	rpc_put_u32(m, key_handle);
	rpc_put_nonce(m, nonce);
	/* Both AUTHs always travel; zeros stand for none (TrouSerS' wire form). */
	rpc_put_auth(m, need_cert ? &cauth : &zero);
	rpc_put_auth(m, need_key ? &kauth : &zero);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (need_cert)
		rpc_get_auth(m, &cauth);
	if (need_key)
		rpc_get_auth(m, &kauth);
	rpc_get_sized(m, CERTIFY_INFO_MAX, &info_len, &info);
	rpc_get_sized(m, SIGNATURE_MAX, &sig_len, &sig);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	buf_writer_init_fixed(&lw, sig_len_be, sizeof(sig_len_be));
	buf_put_u32(&lw, sig_len);
	if ((need_cert || need_key) &&
	    (rc = keys_errno_result(auth_digest_response(
		     0, TPM_ORD_CertifyKey,
		     (struct crypto_iov[]){ { info, info_len }, { sig_len_be, 4 }, { sig, sig_len } },
		     3, digest))) != TSS_SUCCESS)
		goto out;
	if (need_cert && (rc = session_verify(&cs, digest, &cauth)) != TSS_SUCCESS)
		goto out;
	if (need_key && (rc = session_verify(&ks, digest, &kauth)) != TSS_SUCCESS)
		goto out;
	if (pValidationData == NULL) {
		if (crypto_sha1(info, info_len, info_digest) != 0 ||
		    (rc = keys_errno_result(tpm_key_to_pubkey(&rsakey_of(cert)->key, &pk))) !=
			    TSS_SUCCESS) {
			rc = rc != TSS_SUCCESS ? rc : TSP_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
		if (keys_verify_signature(&pk, info_digest, sizeof(info_digest), sig, sig_len) !=
		    TSS_SUCCESS) {
			log_error("tspi: CertifyKey: the signature does not verify");
			rc = TSP_ERROR(TSS_E_VERIFICATION_FAILED);
		}
		goto out;
	}
	pValidationData->rgbData = ctx_memdup(key->ctx, info, info_len);
	pValidationData->rgbValidationData = ctx_memdup(key->ctx, sig, sig_len);
	if (pValidationData->rgbData == NULL || pValidationData->rgbValidationData == NULL) {
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	pValidationData->ulDataLength = info_len;
	pValidationData->ulValidationDataLength = sig_len;
out:
	if (have_cs)
		session_end(&cs, rc);
	if (have_ks)
		session_end(&ks, rc);
	rpc_end(m);
	tpm_pubkey_free(&pk);
	free(info);
	free(sig);
	obj_release(key);
	return rc;
}

/* ---- attributes ---- */

static UINT32 key_usage_to_tss(UINT16 tpm, bool *ok)
{
	size_t i;

	for (i = 0; i < TABLE_LEN(key_usages); i++)
		if (key_usages[i].tpm == tpm) {
			*ok = true;
			return key_usages[i].tss;
		}
	*ok = false;
	return 0;
}

static bool scheme_lookup(bool sig, UINT32 tss, UINT16 tpm, bool to_tpm, UINT32 *out)
{
	size_t i, n = sig ? TABLE_LEN(sig_schemes) : TABLE_LEN(enc_schemes);

	for (i = 0; i < n; i++) {
		UINT32 t = sig ? sig_schemes[i].tss : enc_schemes[i].tss;
		UINT16 p = sig ? sig_schemes[i].tpm : enc_schemes[i].tpm;

		if (to_tpm && t == tss) {
			*out = p;
			return true;
		}
		if (!to_tpm && p == tpm) {
			*out = t;
			return true;
		}
	}
	return false;
}

static TSS_RESULT rsakey_get_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *val)
{
	struct rsakey *rk = o->data;
	const struct tpm_key *k = &rk->key;
	bool ok;

	*val = 0;
	if (flag == TSS_TSPATTRIB_KEY_REGISTER) {
		*val = rk->ps_type == TSS_PS_TYPE_USER	   ? TSS_TSPATTRIB_KEYREGISTER_USER
		       : rk->ps_type == TSS_PS_TYPE_SYSTEM ? TSS_TSPATTRIB_KEYREGISTER_SYSTEM
							   : TSS_TSPATTRIB_KEYREGISTER_NO;
		return TSS_SUCCESS;
	}
	if (flag == TSS_TSPATTRIB_RSAKEY_INFO) {
		if (sub == TSS_TSPATTRIB_KEYINFO_RSA_KEYSIZE)
			*val = k->algorithm_parms.rsa.key_length;
		else if (sub == TSS_TSPATTRIB_KEYINFO_RSA_PRIMES)
			*val = k->algorithm_parms.rsa.num_primes;
		else
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		return TSS_SUCCESS;
	}
	if (flag == TSS_TSPATTRIB_KEY_PCR_LONG) {
		if (!k->key12)
			return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		if (sub == TSS_TSPATTRIB_KEYPCRLONG_LOCALITY_ATCREATION)
			*val = k->pcr_info_long.locality_at_creation;
		else if (sub == TSS_TSPATTRIB_KEYPCRLONG_LOCALITY_ATRELEASE)
			*val = k->pcr_info_long.locality_at_release;
		else
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		return TSS_SUCCESS;
	}
	if (flag != TSS_TSPATTRIB_KEY_INFO)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	switch (sub) {
	case TSS_TSPATTRIB_KEYINFO_SIZE:
		*val = k->algorithm_parms.rsa.key_length;
		break;
	case TSS_TSPATTRIB_KEYINFO_USAGE:
		*val = key_usage_to_tss(k->key_usage, &ok);
		if (!ok)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
		break;
	case TSS_TSPATTRIB_KEYINFO_KEYFLAGS:
		*val = ((k->key_flags & TPM_REDIRECTION) ? TSS_KEYFLAG_REDIRECTION : 0) |
		       ((k->key_flags & TPM_MIGRATABLE) ? TSS_KEYFLAG_MIGRATABLE : 0) |
		       ((k->key_flags & TPM_VOLATILE) ? TSS_KEYFLAG_VOLATILEKEY : 0) |
		       ((k->key_flags & TPM_MIGRATEAUTHORITY) ? TSS_KEYFLAG_CERTIFIED_MIGRATABLE
							      : 0);
		break;
	case TSS_TSPATTRIB_KEYINFO_AUTHUSAGE:
	case TSS_TSPATTRIB_KEYINFO_AUTHDATAUSAGE:
		*val = k->auth_data_usage != TPM_AUTH_NEVER;
		break;
	case TSS_TSPATTRIB_KEYINFO_ALGORITHM:
		*val = k->algorithm_parms.algorithm_id == TPM_ALG_RSA ? TSS_ALG_RSA
								       : k->algorithm_parms.algorithm_id;
		break;
	case TSS_TSPATTRIB_KEYINFO_SIGSCHEME:
		if (!scheme_lookup(true, 0, k->algorithm_parms.sig_scheme, false, val))
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
		break;
	case TSS_TSPATTRIB_KEYINFO_ENCSCHEME:
		if (!scheme_lookup(false, 0, k->algorithm_parms.enc_scheme, false, val))
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
		break;
	case TSS_TSPATTRIB_KEYINFO_MIGRATABLE:
		*val = (k->key_flags & TPM_MIGRATABLE) != 0;
		break;
	case TSS_TSPATTRIB_KEYINFO_REDIRECTED:
		*val = (k->key_flags & TPM_REDIRECTION) != 0;
		break;
	case TSS_TSPATTRIB_KEYINFO_VOLATILE:
		*val = (k->key_flags & TPM_VOLATILE) != 0;
		break;
	case TSS_TSPATTRIB_KEYINFO_CMK:
		*val = (k->key_flags & TPM_MIGRATEAUTHORITY) != 0;
		break;
	case TSS_TSPATTRIB_KEYINFO_KEYSTRUCT:
		*val = k->key12 ? TSS_KEY_STRUCT_KEY12 : TSS_KEY_STRUCT_KEY;
		break;
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
	return TSS_SUCCESS;
}

static TSS_RESULT key_flag_set(struct tpm_key *k, UINT32 bit, UINT32 on)
{
	if (on)
		k->key_flags |= bit;
	else
		k->key_flags &= ~bit;
	return TSS_SUCCESS;
}

static TSS_RESULT rsakey_set_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 val)
{
	struct rsakey *rk = o->data;
	struct tpm_key *k = &rk->key;
	UINT32 tpm;
	size_t i;

	if (flag == TSS_TSPATTRIB_RSAKEY_INFO) {
		if (rk->key_set)
			return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		if (sub == TSS_TSPATTRIB_KEYINFO_RSA_KEYSIZE)
			k->algorithm_parms.rsa.key_length = val;
		else if (sub == TSS_TSPATTRIB_KEYINFO_RSA_PRIMES)
			k->algorithm_parms.rsa.num_primes = val;
		else
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		return TSS_SUCCESS;
	}
	if (flag != TSS_TSPATTRIB_KEY_INFO)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if (rk->key_set)
		return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
	switch (sub) {
	case TSS_TSPATTRIB_KEYINFO_SIZE:
		k->algorithm_parms.rsa.key_length = val;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_KEYINFO_USAGE:
		for (i = 0; i < TABLE_LEN(key_usages); i++)
			if (key_usages[i].tss == val) {
				k->key_usage = key_usages[i].tpm;
				return TSS_SUCCESS;
			}
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
	case TSS_TSPATTRIB_KEYINFO_KEYFLAGS:
		k->key_flags = (k->key_flags & TPM_PCRIGNOREDONREAD) |
			       ((val & TSS_KEYFLAG_REDIRECTION) ? TPM_REDIRECTION : 0) |
			       ((val & TSS_KEYFLAG_MIGRATABLE) ? TPM_MIGRATABLE : 0) |
			       ((val & TSS_KEYFLAG_VOLATILEKEY) ? TPM_VOLATILE : 0) |
			       ((val & TSS_KEYFLAG_CERTIFIED_MIGRATABLE) ? TPM_MIGRATEAUTHORITY : 0);
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_KEYINFO_AUTHUSAGE:
	case TSS_TSPATTRIB_KEYINFO_AUTHDATAUSAGE:
		k->auth_data_usage = val ? TPM_AUTH_ALWAYS : TPM_AUTH_NEVER;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_KEYINFO_ALGORITHM:
		if (val != TSS_ALG_RSA)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
		k->algorithm_parms.algorithm_id = TPM_ALG_RSA;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_KEYINFO_SIGSCHEME:
		if (!scheme_lookup(true, val, 0, true, &tpm))
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
		k->algorithm_parms.sig_scheme = (UINT16)tpm;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_KEYINFO_ENCSCHEME:
		if (!scheme_lookup(false, val, 0, true, &tpm))
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
		k->algorithm_parms.enc_scheme = (UINT16)tpm;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_KEYINFO_MIGRATABLE:
		return key_flag_set(k, TPM_MIGRATABLE, val);
	case TSS_TSPATTRIB_KEYINFO_REDIRECTED:
		return key_flag_set(k, TPM_REDIRECTION, val);
	case TSS_TSPATTRIB_KEYINFO_VOLATILE:
		return key_flag_set(k, TPM_VOLATILE, val);
	case TSS_TSPATTRIB_KEYINFO_CMK:
		return key_flag_set(k, TPM_MIGRATEAUTHORITY, val);
	case TSS_TSPATTRIB_KEYINFO_KEYSTRUCT:
		if (val != TSS_KEY_STRUCT_KEY && val != TSS_KEY_STRUCT_KEY12)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
		key_set_struct(k, val == TSS_KEY_STRUCT_KEY12);
		rk->pcr_info_type = k->key12 ? TSS_PCRS_STRUCT_INFO_LONG : TSS_PCRS_STRUCT_INFO;
		return TSS_SUCCESS;
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
}

/* Encodes a TPM_PCR_SELECTION into context memory (also for tspi_data.c). */
TSS_RESULT keys_out_selection(struct tspi_ctx *ctx, const struct tpm_pcr_selection *sel,
			      UINT32 *len, BYTE **data)
{
	uint8_t *p = NULL;
	size_t n = 0;
	TSS_RESULT rc;

	if ((rc = keys_errno_result(tpm_pcr_selection_encode(sel, &p, &n))) != TSS_SUCCESS)
		return rc;
	rc = keys_out_bytes(ctx, p, n, len, data);
	free(p);
	return rc;
}

static TSS_RESULT rsakey_get_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *len,
				  BYTE **data)
{
	struct rsakey *rk = o->data;
	const struct tpm_key *k = &rk->key;
	static const uint8_t default_exponent[3] = { 0x01, 0x00, 0x01 };
	uint8_t *p = NULL;
	size_t n = 0;
	struct tpm_pubkey pk;
	TSS_RESULT rc;

	*len = 0;
	*data = NULL;
	if (flag == TSS_TSPATTRIB_KEY_CMKINFO) {
		if (sub == TSS_TSPATTRIB_KEYINFO_CMK_MA_APPROVAL)
			return keys_out_bytes(o->ctx, rk->cmk_ma_approval, 20, len, data);
		if (sub == TSS_TSPATTRIB_KEYINFO_CMK_MA_DIGEST)
			return keys_out_bytes(o->ctx, rk->cmk_ma_digest, 20, len, data);
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
	if (flag == TSS_TSPATTRIB_KEY_BLOB) {
		if (sub == TSS_TSPATTRIB_KEYBLOB_BLOB) {
			if ((rc = rsakey_get_blob(o, &p, &n)) != TSS_SUCCESS)
				return rc;
		} else if (sub == TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY) {
			if ((rc = keys_errno_result(tpm_key_to_pubkey(k, &pk))) != TSS_SUCCESS)
				return rc;
			rc = keys_errno_result(tpm_pubkey_encode(&pk, &p, &n));
			tpm_pubkey_free(&pk);
			if (rc != TSS_SUCCESS)
				return rc;
		} else if (sub == TSS_TSPATTRIB_KEYBLOB_PRIVATE_KEY) {
			return keys_out_bytes(o->ctx, k->enc_data, k->enc_data_len, len, data);
		} else {
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		}
		rc = keys_out_bytes(o->ctx, p, n, len, data);
		free(p);
		return rc;
	}
	if (flag == TSS_TSPATTRIB_RSAKEY_INFO) {
		if (sub == TSS_TSPATTRIB_KEYINFO_RSA_EXPONENT) {
			if (k->algorithm_parms.rsa.exponent_len == 0)
				return keys_out_bytes(o->ctx, default_exponent,
						      sizeof(default_exponent), len, data);
			return keys_out_bytes(o->ctx, k->algorithm_parms.rsa.exponent,
					      k->algorithm_parms.rsa.exponent_len, len, data);
		}
		if (sub == TSS_TSPATTRIB_KEYINFO_RSA_MODULUS) {
			if (k->pub_key.key_len == 0)
				return TSP_ERROR(TSS_E_KEY_NOT_SET);
			return keys_out_bytes(o->ctx, k->pub_key.key, k->pub_key.key_len, len, data);
		}
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
	if (flag == TSS_TSPATTRIB_KEY_UUID) {
		if (rk->ps_type == 0)
			return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		return keys_out_bytes(o->ctx, &rk->uuid, sizeof(rk->uuid), len, data);
	}
	if (flag == TSS_TSPATTRIB_KEY_INFO && sub == TSS_TSPATTRIB_KEYINFO_VERSION) {
		/* TSS_VERSION: the blob's 1.1 version, or 1.2.0.0 for TPM_KEY12 (TrouSerS). */
		TSS_VERSION v = { 1, 2, 0, 0 };

		if (!k->key12) {
			v.bMajor = k->ver.major;
			v.bMinor = k->ver.minor;
			v.bRevMajor = k->ver.rev_major;
			v.bRevMinor = k->ver.rev_minor;
		}
		return keys_out_bytes(o->ctx, &v, sizeof(v), len, data);
	}
	if (flag == TSS_TSPATTRIB_KEY_PCR) {
		if (k->key12)
			return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		if (!k->has_pcr_info)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		if (sub == TSS_TSPATTRIB_KEYPCR_DIGEST_ATCREATION)
			return keys_out_bytes(o->ctx, k->pcr_info.digest_at_creation, 20, len, data);
		if (sub == TSS_TSPATTRIB_KEYPCR_DIGEST_ATRELEASE)
			return keys_out_bytes(o->ctx, k->pcr_info.digest_at_release, 20, len, data);
		if (sub == TSS_TSPATTRIB_KEYPCR_SELECTION)
			return keys_out_selection(o->ctx, &k->pcr_info.pcr_selection, len, data);
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
	if (flag == TSS_TSPATTRIB_KEY_PCR_LONG) {
		if (!k->key12)
			return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		if (!k->has_pcr_info)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		if (sub == TSS_TSPATTRIB_KEYPCRLONG_DIGEST_ATCREATION)
			return keys_out_bytes(o->ctx, k->pcr_info_long.digest_at_creation, 20, len,
					      data);
		if (sub == TSS_TSPATTRIB_KEYPCRLONG_DIGEST_ATRELEASE)
			return keys_out_bytes(o->ctx, k->pcr_info_long.digest_at_release, 20, len,
					      data);
		if (sub == TSS_TSPATTRIB_KEYPCRLONG_CREATION_SELECTION)
			return keys_out_selection(o->ctx, &k->pcr_info_long.creation_pcr_selection,
						  len, data);
		if (sub == TSS_TSPATTRIB_KEYPCRLONG_RELEASE_SELECTION)
			return keys_out_selection(o->ctx, &k->pcr_info_long.release_pcr_selection,
						  len, data);
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
	return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
}

static TSS_RESULT rsakey_set_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 len,
				  const BYTE *data)
{
	struct rsakey *rk = o->data;
	struct tpm_key *k = &rk->key;
	struct tpm_pubkey pk;
	uint8_t *copy;

	if (flag == TSS_TSPATTRIB_KEY_CMKINFO) {
		/* A TPM_HMAC and a TPM_DIGEST, from the migdata object (TSS 1.2 §4.3.4.6). */
		if (len != 20)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		if (sub == TSS_TSPATTRIB_KEYINFO_CMK_MA_APPROVAL)
			memcpy(rk->cmk_ma_approval, data, 20);
		else if (sub == TSS_TSPATTRIB_KEYINFO_CMK_MA_DIGEST)
			memcpy(rk->cmk_ma_digest, data, 20);
		else
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		return TSS_SUCCESS;
	}
	if (flag == TSS_TSPATTRIB_KEY_BLOB) {
		if (sub == TSS_TSPATTRIB_KEYBLOB_BLOB) {
			if (rk->loaded)
				return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
			return rsakey_set_blob(o, data, len);
		}
		if (sub == TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY) {
			if (tpm_pubkey_decode(data, len, &pk) != 0)
				return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
			tpm_key_parms_free(&k->algorithm_parms);
			tpm_store_pubkey_free(&k->pub_key);
			k->algorithm_parms = pk.algorithm_parms;
			k->pub_key = pk.pub_key;
			rsakey_drop_raw(rk);
			return TSS_SUCCESS;
		}
		if (sub == TSS_TSPATTRIB_KEYBLOB_PRIVATE_KEY) {
			if (len > TPM_STRUCT_BLOB_MAX)
				return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
			copy = malloc(len ? len : 1);
			if (copy == NULL)
				return TSP_ERROR(TSS_E_OUTOFMEMORY);
			memcpy(copy, data, len);
			if (k->enc_data != NULL)
				OPENSSL_cleanse(k->enc_data, k->enc_data_len);
			free(k->enc_data);
			k->enc_data = copy;
			k->enc_data_len = len;
			rsakey_drop_raw(rk);
			return TSS_SUCCESS;
		}
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
	if (flag == TSS_TSPATTRIB_RSAKEY_INFO) {
		if (rk->key_set)
			return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		if (sub == TSS_TSPATTRIB_KEYINFO_RSA_EXPONENT) {
			if (len > sizeof(k->algorithm_parms.rsa.exponent))
				return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
			memcpy(k->algorithm_parms.rsa.exponent, data, len);
			k->algorithm_parms.rsa.exponent_len = len;
			return TSS_SUCCESS;
		}
		if (sub == TSS_TSPATTRIB_KEYINFO_RSA_MODULUS) {
			if (len == 0 || len > TPM_STRUCT_RSA_MODULUS_MAX)
				return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
			copy = malloc(len);
			if (copy == NULL)
				return TSP_ERROR(TSS_E_OUTOFMEMORY);
			memcpy(copy, data, len);
			tpm_store_pubkey_free(&k->pub_key);
			k->pub_key.key = copy;
			k->pub_key.key_len = len;
			return TSS_SUCCESS;
		}
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
	return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
}


const struct obj_class obj_class_rsakey = {
	.type = OBJ_RSAKEY,
	.name = "rsakey",
	.create = rsakey_create,
	.destroy = rsakey_destroy,
	.get_u32 = rsakey_get_u32,
	.set_u32 = rsakey_set_u32,
	.get_data = rsakey_get_data,
	.set_data = rsakey_set_data,
	.change_auth = rsakey_change_auth,
	.policy_kinds = (1u << TSS_POLICY_USAGE) | (1u << TSS_POLICY_MIGRATION),
};
