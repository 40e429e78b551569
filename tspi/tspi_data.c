/*
 * Enc-data objects (TSS 1.2 §4.3.4.14): sealed data (TPM_Seal / Sealx and
 * TPM_Unseal, Part 3 §10.1, §10.7, §10.2) and bound data (encrypted here
 * to the key's public part, decrypted by TPM_UnBind, Part 3 §10.3).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <tss/tpm_ordinal.h>

#include "auth.h"
#include "buf.h"
#include "crypto.h"
#include "keys.h"
#include "log.h"
#include "obj.h"
#include "rpc.h"
#include "secret.h"
#include "session.h"

/* TrouSerS refuses requests above its 4 KiB transmit buffer; sealed blobs fit well below. */
#define DATA_MAX 4096

static struct encdata *encdata_of(struct obj *o)
{
	return o->data;
}

static TSS_HPOLICY encdata_usage_policy(struct obj *o)
{
	return o->usage_policy ? o->usage_policy : o->ctx->default_policy;
}

static TSS_RESULT encdata_create(struct obj *o, TSS_FLAG init_flags)
{
	struct encdata *e;

	if (init_flags != TSS_ENCDATA_SEAL && init_flags != TSS_ENCDATA_BIND &&
	    init_flags != TSS_ENCDATA_LEGACY)
		return TSP_ERROR(TSS_E_INVALID_OBJECT_INITFLAG);
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	e->type = init_flags;
	e->seal_protect = TSS_TSPATTRIB_ENCDATASEAL_NOPROTECT;
	o->data = e;
	o->usage_policy = o->ctx->default_policy;
	return TSS_SUCCESS;
}

static void encdata_clear(struct encdata *e)
{
	if (e->blob != NULL)
		OPENSSL_cleanse(e->blob, e->blob_len);
	free(e->blob);
	e->blob = NULL;
	e->blob_len = 0;
}

static void encdata_destroy(struct obj *o)
{
	struct encdata *e = o->data;

	if (e == NULL)
		return;
	encdata_clear(e);
	free(e);
	o->data = NULL;
}

TSS_RESULT encdata_set_blob(struct encdata *e, const uint8_t *p, size_t n)
{
	uint8_t *copy;

	if (n == 0 || n > DATA_MAX)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	copy = malloc(n);
	if (copy == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	memcpy(copy, p, n);
	encdata_clear(e);
	e->blob = copy;
	e->blob_len = n;
	return TSS_SUCCESS;
}

/* ---- Seal / Sealx ---- */

TSS_RESULT Tspi_Data_Seal(TSS_HENCDATA hEncData, TSS_HKEY hEncKey, UINT32 ulDataLength,
			  BYTE *rgbDataToSeal, TSS_HPCRS hPcrComposite)
{
	struct obj *eo, *key, *pcrs;
	struct encdata *e;
	struct session s;
	bool have_session = false, sealx;
	TPM_AUTH auth;
	BYTE data_secret[20], enc_auth[20], digest[20];
	uint8_t *pcr_info = NULL, *in = NULL, *sealed = NULL;
	size_t pcr_info_len = 0;
	uint8_t pcr_len_be[4], in_len_be[4];
	UINT32 key_handle, sealed_len = 0, ordinal;
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if (rgbDataToSeal == NULL || ulDataLength == 0 || ulDataLength > DATA_MAX)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hEncData, OBJ_ENCDATA, &eo)) != TSS_SUCCESS)
		return rc;
	e = encdata_of(eo);
	if ((rc = obj_lookup_in(eo->ctx, hEncKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		goto out;
	if (e->type != TSS_ENCDATA_SEAL) {
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		goto out;
	}
	if ((rc = rsakey_tcs_handle(key, &key_handle)) != TSS_SUCCESS)
		goto out;
	sealx = e->seal_protect == TSS_TSPATTRIB_ENCDATASEAL_PROTECT;
	ordinal = sealx ? TPM_ORD_Sealx : TPM_ORD_Seal;

	/* Sealx needs a TPM_PCR_INFO_LONG, even an empty one (Part 3 §10.7). */
	if (hPcrComposite != 0) {
		if ((rc = obj_lookup_in(eo->ctx, hPcrComposite, OBJ_PCRS, &pcrs)) != TSS_SUCCESS)
			goto out;
		if ((rc = pcrs_build_info(pcrs, sealx ? TSS_PCRS_STRUCT_INFO_LONG : 0, &pcr_info,
					  &pcr_info_len)) != TSS_SUCCESS)
			goto out;
	} else if (sealx) {
		struct tpm_pcr_info_long empty;

		memset(&empty, 0, sizeof(empty));
		empty.locality_at_creation = 1;
		empty.locality_at_release = 0x1f;
		empty.creation_pcr_selection.size_of_select = 3;
		empty.release_pcr_selection.size_of_select = 3;
		if ((rc = keys_errno_result(tpm_pcr_info_long_encode(&empty, &pcr_info,
								     &pcr_info_len))) != TSS_SUCCESS)
			goto out;
	}

	if ((rc = secret_get(eo->ctx, encdata_usage_policy(eo), true, data_secret)) != TSS_SUCCESS)
		goto out;
	if ((rc = session_osap(eo->ctx, rsakey_usage_policy(key), hEncKey, TPM_ET_KEYHANDLE,
			       key_handle, &s)) != TSS_SUCCESS)
		goto out;
	have_session = true;
	if ((rc = session_encauth(&s, data_secret, enc_auth)) != TSS_SUCCESS)
		goto out;
	in = malloc(ulDataLength);
	if (in == NULL) {
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	if (sealx) {
		/* The data travels masked with this command's nonces (Part 3 §10.7 step 9). */
		if ((rc = keys_errno_result(auth_session_new_nonce_odd(&s.s))) != TSS_SUCCESS)
			goto out;
		if (auth_session_sealx_xor(&s.s, rgbDataToSeal, ulDataLength, in) != 0) {
			rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
	} else {
		memcpy(in, rgbDataToSeal, ulDataLength);
	}
	buf_store_be32(pcr_len_be, (uint32_t)pcr_info_len);
	buf_store_be32(in_len_be, ulDataLength);
	if ((rc = keys_errno_result(auth_digest_request(
		     ordinal,
		     (struct crypto_iov[]){ { enc_auth, 20 }, { pcr_len_be, 4 },
					    { pcr_info, pcr_info_len }, { in_len_be, 4 },
					    { in, ulDataLength } },
		     5, digest))) != TSS_SUCCESS)
		goto out;
	if (sealx)
		rc = keys_session_auth_prepared(&s, ordinal, digest, &auth);
	else
		rc = session_auth(&s, ordinal, digest, &auth);
	if (rc != TSS_SUCCESS)
		goto out;

	if ((rc = rpc_begin(eo->ctx, sealx ? TCSD_ORD_SEALX : TCSD_ORD_SEAL, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, key_handle);
	rpc_put_encauth(m, enc_auth);
	/* TrouSerS leaves out an empty pcrInfo PBYTE here, and its tcsd expects that. */
	rpc_put_u32(m, (uint32_t)pcr_info_len);
	if (pcr_info_len > 0)
		rpc_put_bytes(m, pcr_info, (uint32_t)pcr_info_len);
	rpc_put_sized(m, in, ulDataLength);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_auth(m, &auth);
	rpc_get_sized(m, DATA_MAX, &sealed_len, &sealed);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if ((rc = SESSION_VERIFY_PIECES(&s, &auth, { sealed, sealed_len })) != TSS_SUCCESS)
		goto out;
	rc = encdata_set_blob(e, sealed, sealed_len);
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	OPENSSL_cleanse(data_secret, sizeof(data_secret));
	OPENSSL_cleanse(enc_auth, sizeof(enc_auth));
	if (in != NULL)
		OPENSSL_cleanse(in, ulDataLength);
	free(in);
	free(pcr_info);
	free(sealed);
	obj_release(eo);
	return rc;
}

/* ---- Unseal: the key's session (OSAP, for Sealx unmasking) and the data's OIAP ---- */

TSS_RESULT Tspi_Data_Unseal(TSS_HENCDATA hEncData, TSS_HKEY hKey, UINT32 *pulUnsealedDataLength,
			    BYTE **prgbUnsealedData)
{
	struct obj *eo, *key;
	struct encdata *e;
	struct session ks, ds;
	bool have_ks = false, have_ds = false, masked = false;
	TPM_AUTH kauth, dauth;
	BYTE digest[20];
	struct auth_session before;
	UINT32 key_handle, out_len = 0;
	uint8_t *secret = NULL, *plain = NULL;
	uint8_t len_be[4];
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	memset(&before, 0, sizeof(before));
	if (pulUnsealedDataLength == NULL || prgbUnsealedData == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulUnsealedDataLength = 0;
	*prgbUnsealedData = NULL;
	if ((rc = obj_acquire(hEncData, OBJ_ENCDATA, &eo)) != TSS_SUCCESS)
		return rc;
	e = encdata_of(eo);
	if ((rc = obj_lookup_in(eo->ctx, hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		goto out;
	if (e->blob == NULL) {
		rc = TSP_ERROR(TSS_E_ENC_NO_DATA);
		goto out;
	}
	if ((rc = rsakey_tcs_handle(key, &key_handle)) != TSS_SUCCESS)
		goto out;
	/* A TPM_STORED_DATA12 (tag 0x0016) with a non-zero et was sealed with Sealx. */
	if (e->blob_len >= 4 && e->blob[0] == 0x00 && e->blob[1] == 0x16 &&
	    (e->blob[2] != 0 || e->blob[3] != 0))
		masked = true;

	if ((rc = keys_errno_result(auth_digest_request(
		     TPM_ORD_Unseal, (struct crypto_iov[]){ { e->blob, e->blob_len } }, 1,
		     digest))) != TSS_SUCCESS)
		goto out;
	if (rsakey_needs_auth(key) || masked) {
		if ((rc = session_osap(eo->ctx, rsakey_usage_policy(key), hKey, TPM_ET_KEYHANDLE,
				       key_handle, &ks)) != TSS_SUCCESS)
			goto out;
		have_ks = true;
		if ((rc = session_auth(&ks, TPM_ORD_Unseal, digest, &kauth)) != TSS_SUCCESS)
			goto out;
		before = ks.s;
	}
	if ((rc = session_oiap(eo->ctx, encdata_usage_policy(eo), hEncData, &ds)) != TSS_SUCCESS)
		goto out;
	have_ds = true;
	if ((rc = session_auth(&ds, TPM_ORD_Unseal, digest, &dauth)) != TSS_SUCCESS)
		goto out;

	if ((rc = rpc_begin(eo->ctx, TCSD_ORD_UNSEAL, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, key_handle);
	rpc_put_sized(m, e->blob, (uint32_t)e->blob_len);
	if (have_ks)
		rpc_put_auth(m, &kauth);
	rpc_put_auth(m, &dauth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	/* tcsd always answers with two AUTHs, an empty one when the key had none. */
	rpc_get_auth(m, have_ks ? &kauth : &dauth);
	rpc_get_auth(m, &dauth);
	rpc_get_sized(m, DATA_MAX, &out_len, &secret);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	buf_store_be32(len_be, out_len);
	if ((rc = keys_errno_result(auth_digest_response(
		     0, TPM_ORD_Unseal,
		     (struct crypto_iov[]){ { len_be, 4 }, { secret, out_len } }, 2, digest))) !=
	    TSS_SUCCESS)
		goto out;
	if (have_ks && (rc = session_verify(&ks, digest, &kauth)) != TSS_SUCCESS)
		goto out;
	if ((rc = session_verify(&ds, digest, &dauth)) != TSS_SUCCESS)
		goto out;
	if (masked && out_len > 0) {
		/* Unmask with the nonces the command went out with (Part 3 §10.8 step 13). */
		plain = malloc(out_len);
		if (plain == NULL) {
			rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
			goto out;
		}
		if (auth_session_sealx_xor(&before, secret, out_len, plain) != 0) {
			rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
		rc = keys_out_bytes(eo->ctx, plain, out_len, pulUnsealedDataLength,
				    prgbUnsealedData);
	} else {
		rc = keys_out_bytes(eo->ctx, secret, out_len, pulUnsealedDataLength,
				    prgbUnsealedData);
	}
out:
	if (have_ds)
		session_end(&ds, rc);
	if (have_ks)
		session_end(&ks, rc);
	rpc_end(m);
	OPENSSL_cleanse(&before, sizeof(before));
	if (secret != NULL)
		OPENSSL_cleanse(secret, out_len);
	if (plain != NULL)
		OPENSSL_cleanse(plain, out_len);
	free(secret);
	free(plain);
	obj_release(eo);
	return rc;
}

/* ---- Bind (software) / Unbind (TPM) ---- */

TSS_RESULT Tspi_Data_Bind(TSS_HENCDATA hEncData, TSS_HKEY hEncKey, UINT32 ulDataLength,
			  BYTE *rgbDataToBind)
{
	struct obj *eo, *key;
	struct tpm_key *k;
	struct tpm_bound_data bd;
	EVP_PKEY *pk = NULL;
	uint8_t *plain = NULL, cipher[CRYPTO_RSA_MAX_BYTES];
	size_t plain_len = 0, cipher_len = 0;
	bool raw;
	int err;
	TSS_RESULT rc;

	if (rgbDataToBind == NULL || ulDataLength == 0)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hEncData, OBJ_ENCDATA, &eo)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(eo->ctx, hEncKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		goto out;
	k = &rsakey_of(key)->key;
	if (k->key_usage != TPM_KEY_BIND && k->key_usage != TPM_KEY_LEGACY) {
		rc = TSP_ERROR(TSS_E_INVALID_KEYUSAGE);
		goto out;
	}
	if (k->pub_key.key_len < ulDataLength) {
		rc = TSP_ERROR(TSS_E_ENC_INVALID_LENGTH);
		goto out;
	}
	if ((rc = rsakey_evp(key, &pk)) != TSS_SUCCESS)
		goto out;
	/*
	 * TrouSerS' three cases: a legacy PKCS#1 v1.5 key encrypts the data
	 * as it is; any other key wraps it in a TPM_BOUND_DATA (Part 2 §9.5)
	 * first, then PKCS#1 v1.5 or OAEP with the "TCPA" label.
	 */
	raw = k->algorithm_parms.enc_scheme == TPM_ES_RSAESPKCSv15 &&
	      k->key_usage == TPM_KEY_LEGACY;
	if (!raw) {
		memset(&bd, 0, sizeof(bd));
		bd.ver.major = 1;
		bd.ver.minor = 1;
		bd.payload = TPM_PT_BIND;
		bd.payload_data = rgbDataToBind;
		bd.payload_data_len = ulDataLength;
		if ((rc = keys_errno_result(tpm_bound_data_encode(&bd, &plain, &plain_len))) !=
		    TSS_SUCCESS)
			goto out;
	}
	if (k->algorithm_parms.enc_scheme == TPM_ES_RSAESPKCSv15)
		err = crypto_rsa_encrypt_pkcs1v15(pk, raw ? rgbDataToBind : plain,
						  raw ? ulDataLength : plain_len, cipher,
						  sizeof(cipher), &cipher_len);
	else if (k->algorithm_parms.enc_scheme == TPM_ES_RSAESOAEP_SHA1_MGF1)
		err = crypto_rsa_encrypt_oaep_tcpa(pk, plain, plain_len, cipher, sizeof(cipher),
						   &cipher_len);
	else {
		rc = TSP_ERROR(TSS_E_INVALID_ENCSCHEME);
		goto out;
	}
	if (err != 0) {
		/* Too long for the padding scheme, in practice. */
		rc = TSP_ERROR(TSS_E_ENC_INVALID_LENGTH);
		goto out;
	}
	rc = encdata_set_blob(encdata_of(eo), cipher, cipher_len);
out:
	if (plain != NULL)
		OPENSSL_cleanse(plain, plain_len);
	free(plain);
	crypto_rsa_free(pk);
	obj_release(eo);
	return rc;
}

TSS_RESULT Tspi_Data_Unbind(TSS_HENCDATA hEncData, TSS_HKEY hKey, UINT32 *pulUnboundDataLength,
			    BYTE **prgbUnboundData)
{
	struct obj *eo, *key;
	struct encdata *e;
	UINT32 out_len = 0;
	uint8_t *plain = NULL;
	TSS_RESULT rc;

	if (pulUnboundDataLength == NULL || prgbUnboundData == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulUnboundDataLength = 0;
	*prgbUnboundData = NULL;
	if ((rc = obj_acquire(hEncData, OBJ_ENCDATA, &eo)) != TSS_SUCCESS)
		return rc;
	e = encdata_of(eo);
	if ((rc = obj_lookup_in(eo->ctx, hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		goto out;
	if (e->blob == NULL) {
		rc = TSP_ERROR(TSS_E_ENC_NO_DATA);
		goto out;
	}
	if ((rc = rsakey_sized_cmd(key, TPM_ORD_UnBind, TCSD_ORD_UNBIND, e->blob,
				   (UINT32)e->blob_len, DATA_MAX, &plain, &out_len)) != TSS_SUCCESS)
		goto out;
	rc = keys_out_bytes(eo->ctx, plain, out_len, pulUnboundDataLength, prgbUnboundData);
out:
	if (plain != NULL)
		OPENSSL_cleanse(plain, out_len);
	free(plain);
	obj_release(eo);
	return rc;
}

/* ---- attributes ---- */

/* The sealed blob parsed, for the PCR attributes. */
static TSS_RESULT encdata_parse(struct encdata *e, struct tpm_stored_data *sd)
{
	if (e->blob == NULL)
		return TSP_ERROR(TSS_E_ENC_NO_DATA);
	if (e->type != TSS_ENCDATA_SEAL || tpm_stored_data_decode(e->blob, e->blob_len, sd) != 0)
		return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
	return TSS_SUCCESS;
}

static TSS_RESULT encdata_get_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *val)
{
	struct encdata *e = encdata_of(o);
	struct tpm_stored_data sd;
	TSS_RESULT rc;

	*val = 0;
	if (flag == TSS_TSPATTRIB_ENCDATA_SEAL) {
		if (sub != TSS_TSPATTRIB_ENCDATASEAL_PROTECT_MODE)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		*val = e->seal_protect;
		return TSS_SUCCESS;
	}
	if (flag != TSS_TSPATTRIB_ENCDATA_PCR_LONG)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if (sub != TSS_TSPATTRIB_ENCDATAPCRLONG_LOCALITY_ATCREATION &&
	    sub != TSS_TSPATTRIB_ENCDATAPCRLONG_LOCALITY_ATRELEASE)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	if ((rc = encdata_parse(e, &sd)) != TSS_SUCCESS)
		return rc;
	if (!sd.sd12 || !sd.has_seal_info)
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
	else if (sub == TSS_TSPATTRIB_ENCDATAPCRLONG_LOCALITY_ATCREATION)
		*val = sd.seal_info_long.locality_at_creation;
	else
		*val = sd.seal_info_long.locality_at_release;
	tpm_stored_data_free(&sd);
	return rc;
}

static TSS_RESULT encdata_set_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 val)
{
	struct encdata *e = encdata_of(o);

	if (flag != TSS_TSPATTRIB_ENCDATA_SEAL)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if (sub != TSS_TSPATTRIB_ENCDATASEAL_PROTECT_MODE)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	if (val != TSS_TSPATTRIB_ENCDATASEAL_NOPROTECT && val != TSS_TSPATTRIB_ENCDATASEAL_PROTECT)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
	e->seal_protect = val;
	return TSS_SUCCESS;
}

static TSS_RESULT encdata_get_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *len,
				   BYTE **data)
{
	struct encdata *e = encdata_of(o);
	struct tpm_stored_data sd;
	TSS_RESULT rc;

	*len = 0;
	*data = NULL;
	if (flag == TSS_TSPATTRIB_ENCDATA_BLOB) {
		if (sub != TSS_TSPATTRIB_ENCDATABLOB_BLOB)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		if (e->blob == NULL)
			return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		return keys_out_bytes(o->ctx, e->blob, e->blob_len, len, data);
	}
	if (flag != TSS_TSPATTRIB_ENCDATA_PCR && flag != TSS_TSPATTRIB_ENCDATA_PCR_LONG)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if ((rc = encdata_parse(e, &sd)) != TSS_SUCCESS)
		return rc;
	if (!sd.has_seal_info || (flag == TSS_TSPATTRIB_ENCDATA_PCR) == sd.sd12) {
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
	} else if (flag == TSS_TSPATTRIB_ENCDATA_PCR) {
		if (sub == TSS_TSPATTRIB_ENCDATAPCR_DIGEST_ATCREATION)
			rc = keys_out_bytes(o->ctx, sd.seal_info.digest_at_creation, 20, len, data);
		else if (sub == TSS_TSPATTRIB_ENCDATAPCR_DIGEST_ATRELEASE)
			rc = keys_out_bytes(o->ctx, sd.seal_info.digest_at_release, 20, len, data);
		else if (sub == TSS_TSPATTRIB_ENCDATAPCR_SELECTION)
			rc = keys_out_selection(o->ctx, &sd.seal_info.pcr_selection, len, data);
		else
			rc = TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	} else {
		const struct tpm_pcr_info_long *il = &sd.seal_info_long;

		if (sub == TSS_TSPATTRIB_ENCDATAPCRLONG_DIGEST_ATCREATION)
			rc = keys_out_bytes(o->ctx, il->digest_at_creation, 20, len, data);
		else if (sub == TSS_TSPATTRIB_ENCDATAPCRLONG_DIGEST_ATRELEASE)
			rc = keys_out_bytes(o->ctx, il->digest_at_release, 20, len, data);
		else if (sub == TSS_TSPATTRIB_ENCDATAPCRLONG_CREATION_SELECTION)
			rc = keys_out_selection(o->ctx, &il->creation_pcr_selection, len, data);
		else if (sub == TSS_TSPATTRIB_ENCDATAPCRLONG_RELEASE_SELECTION)
			rc = keys_out_selection(o->ctx, &il->release_pcr_selection, len, data);
		else
			rc = TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
	tpm_stored_data_free(&sd);
	return rc;
}

static TSS_RESULT encdata_set_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 len,
				   const BYTE *data)
{
	if (flag != TSS_TSPATTRIB_ENCDATA_BLOB)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if (sub != TSS_TSPATTRIB_ENCDATABLOB_BLOB)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	if (data == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	return encdata_set_blob(encdata_of(o), data, len);
}


const struct obj_class obj_class_encdata = {
	.type = OBJ_ENCDATA,
	.name = "encdata",
	.create = encdata_create,
	.destroy = encdata_destroy,
	.get_u32 = encdata_get_u32,
	.set_u32 = encdata_set_u32,
	.get_data = encdata_get_data,
	.set_data = encdata_set_data,
	.change_auth = encdata_change_auth,
	.policy_kinds = (1u << TSS_POLICY_USAGE) | (1u << TSS_POLICY_MIGRATION),
};
