/*
 * Hash objects (TSS 1.2 §4.3.4.15): a value to sign or verify, set
 * directly or hashed here with SHA-1; TPM_Sign (Part 3 §13.1) and the
 * software check of a signature, also used by Quote and CertifyKey.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <tss/tpm_ordinal.h>

#include "auth.h"
#include "crypto.h"
#include "keys.h"
#include "log.h"
#include "obj.h"
#include "rpc.h"
#include "secret.h"
#include "session.h"

/* TSS_HASH_OTHER values are signed as they are: never more than a 4096-bit modulus. */
#define HASH_VALUE_MAX 512
#define HASH_USER_DATA_MAX 4096
#define SIGNATURE_MAX 512

struct hash_state {
	struct hashobj h;
	EVP_MD_CTX *running; /* UpdateHashValue's SHA-1 over everything so far */
};

static struct hash_state *hash_of(struct obj *o)
{
	return o->data;
}

static TSS_RESULT hash_create(struct obj *o, TSS_FLAG init_flags)
{
	struct hash_state *hs;

	if (init_flags != TSS_HASH_DEFAULT && init_flags != TSS_HASH_SHA1 &&
	    init_flags != TSS_HASH_OTHER)
		return TSP_ERROR(TSS_E_INVALID_OBJECT_INITFLAG);
	hs = calloc(1, sizeof(*hs));
	if (hs == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	hs->h.alg = init_flags == TSS_HASH_OTHER ? TSS_HASH_OTHER : TSS_HASH_SHA1;
	o->data = hs;
	return TSS_SUCCESS;
}

static void hash_destroy(struct obj *o)
{
	struct hash_state *hs = o->data;

	if (hs == NULL)
		return;
	EVP_MD_CTX_free(hs->running);
	free(hs->h.value);
	free(hs->h.user_data);
	free(hs);
	o->data = NULL;
}

static TSS_RESULT hash_store(struct hash_state *hs, const BYTE *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);

	if (copy == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	memcpy(copy, p, n);
	free(hs->h.value);
	hs->h.value = copy;
	hs->h.value_len = n;
	return TSS_SUCCESS;
}

TSS_RESULT Tspi_Hash_SetHashValue(TSS_HHASH hHash, UINT32 ulHashValueLength, BYTE *rgbHashValue)
{
	struct obj *o;
	struct hash_state *hs;
	TSS_RESULT rc;

	if (rgbHashValue == NULL || ulHashValueLength == 0)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hHash, OBJ_HASH, &o)) != TSS_SUCCESS)
		return rc;
	hs = hash_of(o);
	if ((hs->h.alg == TSS_HASH_SHA1 && ulHashValueLength != CRYPTO_SHA1_LEN) ||
	    ulHashValueLength > HASH_VALUE_MAX)
		rc = TSP_ERROR(TSS_E_HASH_INVALID_LENGTH);
	else
		rc = hash_store(hs, rgbHashValue, ulHashValueLength);
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_Hash_GetHashValue(TSS_HHASH hHash, UINT32 *pulHashValueLength,
				  BYTE **prgbHashValue)
{
	struct obj *o;
	struct hash_state *hs;
	TSS_RESULT rc;

	if (pulHashValueLength == NULL || prgbHashValue == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulHashValueLength = 0;
	*prgbHashValue = NULL;
	if ((rc = obj_acquire(hHash, OBJ_HASH, &o)) != TSS_SUCCESS)
		return rc;
	hs = hash_of(o);
	if (hs->h.value == NULL)
		rc = TSP_ERROR(TSS_E_HASH_NO_DATA);
	else
		rc = keys_out_bytes(o->ctx, hs->h.value, hs->h.value_len, pulHashValueLength,
				    prgbHashValue);
	obj_release(o);
	return rc;
}

/* Appends data to the SHA-1 of everything hashed so far; the value is that digest. */
TSS_RESULT Tspi_Hash_UpdateHashValue(TSS_HHASH hHash, UINT32 ulDataLength, BYTE *rgbData)
{
	struct obj *o;
	struct hash_state *hs;
	EVP_MD_CTX *fin = NULL;
	uint8_t digest[CRYPTO_SHA1_LEN];
	unsigned int dlen = 0;
	TSS_RESULT rc;

	if (rgbData == NULL && ulDataLength != 0)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hHash, OBJ_HASH, &o)) != TSS_SUCCESS)
		return rc;
	hs = hash_of(o);
	if (hs->h.alg != TSS_HASH_SHA1) {
		/* The TSP can only hash with algorithms it knows (TrouSerS: same). */
		rc = TSP_ERROR(TSS_E_FAIL);
		goto out;
	}
	if (hs->running == NULL) {
		hs->running = EVP_MD_CTX_new();
		if (hs->running == NULL ||
		    EVP_DigestInit_ex(hs->running, EVP_sha1(), NULL) != 1) {
			EVP_MD_CTX_free(hs->running);
			hs->running = NULL;
			rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
	}
	fin = EVP_MD_CTX_new();
	if (fin == NULL || EVP_DigestUpdate(hs->running, rgbData, ulDataLength) != 1 ||
	    EVP_MD_CTX_copy_ex(fin, hs->running) != 1 ||
	    EVP_DigestFinal_ex(fin, digest, &dlen) != 1 || dlen != CRYPTO_SHA1_LEN) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	rc = hash_store(hs, digest, sizeof(digest));
out:
	EVP_MD_CTX_free(fin);
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_Hash_SetUserMessageData(TSS_HHASH hHash, UINT32 ulDataLength, BYTE *rgbData)
{
	struct obj *o;
	struct hash_state *hs;
	uint8_t *copy;
	TSS_RESULT rc;

	if ((rgbData == NULL && ulDataLength != 0) || ulDataLength > HASH_USER_DATA_MAX)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hHash, OBJ_HASH, &o)) != TSS_SUCCESS)
		return rc;
	hs = hash_of(o);
	copy = malloc(ulDataLength ? ulDataLength : 1);
	if (copy == NULL) {
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
	} else {
		if (ulDataLength)
			memcpy(copy, rgbData, ulDataLength);
		free(hs->h.user_data);
		hs->h.user_data = copy;
		hs->h.user_data_len = ulDataLength;
	}
	obj_release(o);
	return rc;
}

/* TPM_Sign with the key's scheme over the hash value. */
TSS_RESULT Tspi_Hash_Sign(TSS_HHASH hHash, TSS_HKEY hKey, UINT32 *pulSignatureLength,
			  BYTE **prgbSignature)
{
	struct obj *ho, *key;
	struct hash_state *hs;
	UINT32 sig_len = 0;
	BYTE *sig = NULL;
	TSS_RESULT rc;

	if (pulSignatureLength == NULL || prgbSignature == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulSignatureLength = 0;
	*prgbSignature = NULL;
	if ((rc = obj_acquire(hHash, OBJ_HASH, &ho)) != TSS_SUCCESS)
		return rc;
	hs = hash_of(ho);
	if ((rc = obj_lookup_in(ho->ctx, hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		goto out;
	if (hs->h.value == NULL) {
		rc = TSP_ERROR(TSS_E_HASH_NO_DATA);
		goto out;
	}
	if ((rc = rsakey_sized_cmd(key, TPM_ORD_Sign, TCSD_ORD_SIGN, hs->h.value,
				   (UINT32)hs->h.value_len, SIGNATURE_MAX, &sig, &sig_len)) !=
	    TSS_SUCCESS)
		goto out;
	rc = keys_out_bytes(ho->ctx, sig, sig_len, pulSignatureLength, prgbSignature);
out:
	free(sig);
	obj_release(ho);
	return rc;
}

TSS_RESULT keys_verify_signature(const struct tpm_pubkey *pubkey, const uint8_t *data,
				 size_t data_len, const uint8_t *sig, size_t sig_len)
{
	const struct tpm_key_parms *parms = &pubkey->algorithm_parms;
	EVP_PKEY *pk = NULL;
	TSS_RESULT rc = TSS_SUCCESS;
	int err;

	if (parms->algorithm_id != TPM_ALG_RSA || parms->kind != TPM_PARMS_RSA)
		return TSP_ERROR(TSS_E_INVALID_SIGSCHEME);
	if (crypto_rsa_import_public(pubkey->pub_key.key, pubkey->pub_key.key_len,
				     parms->rsa.exponent, parms->rsa.exponent_len, &pk) != 0)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	switch (parms->sig_scheme) {
	case TPM_SS_RSASSAPKCS1v15_SHA1:
	case TPM_SS_RSASSAPKCS1v15_INFO:
		if (data_len != CRYPTO_SHA1_LEN) {
			rc = TSP_ERROR(TSS_E_HASH_INVALID_LENGTH);
			goto out;
		}
		err = crypto_rsa_verify_sha1(pk, data, sig, sig_len);
		break;
	case TPM_SS_RSASSAPKCS1v15_DER:
		err = crypto_rsa_verify_der(pk, data, data_len, sig, sig_len);
		break;
	default:
		rc = TSP_ERROR(TSS_E_INVALID_SIGSCHEME);
		goto out;
	}
	if (err == -EBADMSG)
		rc = TSP_ERROR(TSS_E_FAIL);
	else if (err != 0)
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
out:
	crypto_rsa_free(pk);
	return rc;
}

TSS_RESULT Tspi_Hash_VerifySignature(TSS_HHASH hHash, TSS_HKEY hKey, UINT32 ulSignatureLength,
				     BYTE *rgbSignature)
{
	struct obj *ho, *key;
	struct hash_state *hs;
	struct tpm_pubkey pk;
	TSS_RESULT rc;

	memset(&pk, 0, sizeof(pk));
	if (rgbSignature == NULL || ulSignatureLength == 0)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hHash, OBJ_HASH, &ho)) != TSS_SUCCESS)
		return rc;
	hs = hash_of(ho);
	if ((rc = obj_lookup_in(ho->ctx, hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		goto out;
	if (hs->h.value == NULL) {
		rc = TSP_ERROR(TSS_E_HASH_NO_DATA);
		goto out;
	}
	if (rsakey_of(key)->key.pub_key.key_len == 0) {
		rc = TSP_ERROR(TSS_E_KEY_NOT_SET);
		goto out;
	}
	if ((rc = keys_errno_result(tpm_key_to_pubkey(&rsakey_of(key)->key, &pk))) != TSS_SUCCESS)
		goto out;
	rc = keys_verify_signature(&pk, hs->h.value, hs->h.value_len, rgbSignature,
				   ulSignatureLength);
out:
	tpm_pubkey_free(&pk);
	obj_release(ho);
	return rc;
}

const struct obj_class obj_class_hash = {
	.type = OBJ_HASH,
	.name = "hash",
	.create = hash_create,
	.destroy = hash_destroy,
};
