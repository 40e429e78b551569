/*
 * libtspi: administration: the operator's auth, the DIR, ordinal-audit
 * digests and self-test certification (TSS 1.2 §4.3.4.4; TPM 1.2 Part 3
 * TPM_SetOperatorAuth, TPM_DirWriteAuth/DirRead, TPM_GetAuditDigest(Signed),
 * TPM_CertifySelfTest). The owner-authorised ones run an OIAP session
 * with the TPM object's usage policy (the owner secret); the key-signed
 * ones with the key's usage policy when the key needs authorisation.
 * The status flags, SetCapability and the ordinal-audit attribute live
 * with the TPM object (tspi_tpm.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "buf.h"
#include "crypto.h"
#include "keys.h"
#include "log.h"
#include "obj.h"
#include "rpc.h"
#include "secret.h"
#include "session.h"
#include "tpm_structs.h"

/* A signature from up to a 4096-bit key. */
#define ADMIN_SIG_MAX 512u
/* TPM_COUNTER_VALUE on the wire: tag, label[4], counter. */
#define COUNTER_VALUE_SIZE 10u
/* Audited ordinals per TCS answer, and in all (the TPM has ~256 ordinals). */
#define AUDIT_LIST_MAX 1024u
/* "Test Passed" || nonce || ordinal, what TPM_CertifySelfTest signs the SHA-1 of. */
static const char test_passed[] = "Test Passed";

/* ---- operator ---- */

/*
 * TPM_SetOperatorAuth takes the operator secret in the clear and needs
 * physical presence instead of authorisation. As in TrouSerS the policy
 * must be an operator policy; it becomes the TPM object's operator policy.
 */
TSS_RESULT Tspi_TPM_SetOperatorAuth(TSS_HTPM hTPM, TSS_HPOLICY hOperatorPolicy)
{
	struct tspi_policy *pol;
	struct rpc_msg *m = NULL;
	struct obj *o;
	BYTE secret[SECRET_LEN];
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	memset(secret, 0, sizeof(secret));
	pol = secret_policy(o->ctx, hOperatorPolicy);
	if (pol == NULL) {
		rc = TSP_ERROR(TSS_E_INVALID_HANDLE);
		goto out;
	}
	if (pol->type != TSS_POLICY_OPERATOR) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if ((rc = secret_get(o->ctx, hOperatorPolicy, true, secret)) != TSS_SUCCESS)
		goto out;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_SETOPERATORAUTH, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_secret(m, secret);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	o->operator_policy = hOperatorPolicy;
out:
	rpc_end(m);
	OPENSSL_cleanse(secret, sizeof(secret));
	obj_release(o);
	return rc;
}

/* ---- DIR ---- */

/* TPM_DirWriteAuth's TCSD parameters: UINT32 dirIndex, DIGEST newContents. */
struct dir_write_args {
	UINT32 index;
	BYTE value[20];
};

static void put_dir_write(struct rpc_msg *m, const void *arg)
{
	const struct dir_write_args *a = arg;

	rpc_put_u32(m, a->index);
	rpc_put_digest(m, a->value);
}

/* TPM_DirWriteAuth: the data is zero-padded to a TPM_DIRVALUE (20 bytes), as in TrouSerS. */
TSS_RESULT Tspi_TPM_DirWrite(TSS_HTPM hTPM, UINT32 ulDirIndex, UINT32 ulDirDataLength,
			     BYTE *rgbDirData)
{
	struct dir_write_args a = { .index = ulDirIndex };
	BYTE idx_be[4];
	struct obj *o;
	TSS_RESULT rc;

	if (rgbDirData == NULL || ulDirDataLength == 0 || ulDirDataLength > sizeof(a.value))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	memcpy(a.value, rgbDirData, ulDirDataLength);
	buf_store_be32(idx_be, ulDirIndex);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	{
		const struct crypto_iov params[] = { { idx_be, 4 }, { a.value, 20 } };

		rc = tpm_owner_cmd(o, TPM_ORD_DirWriteAuth, TCSD_ORD_DIRWRITEAUTH, params, 2,
				   put_dir_write, &a);
	}
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_TPM_DirRead(TSS_HTPM hTPM, UINT32 ulDirIndex, UINT32 *pulDirDataLength,
			    BYTE **prgbDirData)
{
	struct rpc_msg *m = NULL;
	struct obj *o;
	BYTE value[20];
	TSS_RESULT rc;

	if (pulDirDataLength == NULL || prgbDirData == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulDirDataLength = 0;
	*prgbDirData = NULL;
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_DIRREAD, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, ulDirIndex);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_digest(m, value);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	rc = keys_out_bytes(o->ctx, value, sizeof(value), pulDirDataLength, prgbDirData);
out:
	rpc_end(m);
	obj_release(o);
	return rc;
}

/* ---- audit digests ---- */

/* A TPM_COUNTER_VALUE as the TPM wrote it (Part 2 §21.1). */
static TSS_RESULT decode_counter(const BYTE *p, UINT32 len, TPM_COUNTER_VALUE *v)
{
	struct buf_reader r;

	memset(v, 0, sizeof(*v));
	buf_reader_init(&r, p, len);
	buf_get_u16(&r, &v->tag);
	buf_get_bytes(&r, v->label, sizeof(v->label));
	buf_get_u32(&r, &v->counter);
	if (buf_reader_done(&r) != 0) {
		log_error("tspi: malformed TPM_COUNTER_VALUE (%u bytes)", len);
		memset(v, 0, sizeof(*v));
		return TSP_ERROR(TSS_E_COMM_FAILURE);
	}
	return TSS_SUCCESS;
}

/*
 * TPM_GetAuditDigest, as many times as the TPM says "more". The ordinal
 * list is handed over as the TPM wrote it (big-endian UINT32s), which is
 * what TrouSerS' libtspi gives applications.
 */
static TSS_RESULT audit_digest_unsigned(struct obj *tpm, BYTE digest[20], TPM_COUNTER_VALUE *cv,
					UINT32 *ord_count, UINT32 **ords)
{
	struct tspi_ctx *ctx = tpm->ctx;
	BYTE *list = NULL, *counter = NULL, *chunk = NULL;
	UINT32 start = 0, count = 0, n, cv_len;
	TSS_BOOL more = TRUE;
	TSS_RESULT rc = TSS_SUCCESS;

	while (more) {
		struct rpc_msg *m = NULL;
		BYTE *grown;

		free(counter);
		counter = chunk = NULL;
		cv_len = n = 0;
		if ((rc = rpc_begin(ctx, TCSD_ORD_GETAUDITDIGEST, &m)) != TSS_SUCCESS)
			goto out;
		rpc_put_u32(m, start);
		if ((rc = rpc_call(m)) == TSS_SUCCESS) {
			rpc_get_digest(m, digest);
			rpc_get_sized(m, 64, &cv_len, &counter);
			rpc_get_bool(m, &more);
			rpc_get_u32(m, &n);
			if (n > AUDIT_LIST_MAX)
				n = AUDIT_LIST_MAX + 1;	/* refused by rpc_get_bytes below */
			rpc_get_bytes(m, n * 4, AUDIT_LIST_MAX * 4, &chunk);
			rc = rpc_get_done(m);
		}
		rpc_end(m);
		if (rc != TSS_SUCCESS)
			goto out;
		if (count + n > AUDIT_LIST_MAX || (more && n == 0)) {
			log_error("tspi: GetAuditDigest: %u ordinals, more %d", count + n, more);
			free(chunk);
			rc = TSP_ERROR(TSS_E_COMM_FAILURE);
			goto out;
		}
		grown = realloc(list, ((size_t)count + n) * 4 + 1);
		if (grown == NULL) {
			free(chunk);
			rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
			goto out;
		}
		list = grown;
		if (n > 0)
			memcpy(list + (size_t)count * 4, chunk, (size_t)n * 4);
		free(chunk);
		chunk = NULL;
		count += n;
		if (more) {
			const BYTE *last = list + ((size_t)count - 1) * 4;

			start = ((UINT32)last[0] << 24 | (UINT32)last[1] << 16 |
				 (UINT32)last[2] << 8 | last[3]) + 1;
		}
	}
	if ((rc = decode_counter(counter, cv_len, cv)) != TSS_SUCCESS)
		goto out;
	*ords = ctx_memdup(ctx, list, (size_t)count * 4);
	if (*ords == NULL) {
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	*ord_count = count;
out:
	free(counter);
	free(list);
	return rc;
}

/* What TPM_GetAuditDigestSigned answered. */
struct audit_signed {
	BYTE *counter, *sig;
	UINT32 counter_len, sig_len;
	BYTE audit[20], ordinals[20];
};

static TSS_RESULT audit_signed_call(struct obj *tpm, struct obj *key, bool close_audit,
				    const BYTE nonce[20], struct audit_signed *as)
{
	BYTE len_be[4];
	BYTE close_b = close_audit ? 1 : 0;
	bool auth_needed = rsakey_needs_auth(key);
	struct session s = { 0 };
	struct rpc_msg *m = NULL;
	TPM_AUTH auth;
	UINT32 handle;
	TSS_RESULT rc;

	if ((rc = rsakey_tcs_handle(key, &handle)) != TSS_SUCCESS)
		return rc;
	/* TrouSerS' wire form: the AUTH slot is always there, zeros for "none". */
	memset(&auth, 0, sizeof(auth));
	if (auth_needed &&
	    (rc = session_oiap_begin(tpm->ctx, rsakey_usage_policy(key), key->handle,
				     TPM_ORD_GetAuditDigestSigned,
				     (struct crypto_iov[]){ { &close_b, 1 }, { nonce, 20 } }, 2, &s,
				     &auth)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(tpm->ctx, TCSD_ORD_GETAUDITDIGESTSIGNED, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, handle);
	rpc_put_bool(m, close_audit);
	rpc_put_nonce(m, nonce);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (auth_needed)
		rpc_get_auth(m, &auth);
	rpc_get_sized(m, 64, &as->counter_len, &as->counter);
	rpc_get_digest(m, as->audit);
	rpc_get_digest(m, as->ordinals);
	rpc_get_sized(m, ADMIN_SIG_MAX, &as->sig_len, &as->sig);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS || !auth_needed)
		goto out;
	buf_store_be32(len_be, as->sig_len);
	rc = SESSION_VERIFY_PIECES(&s, &auth, { as->counter, as->counter_len }, { as->audit, 20 },
				   { as->ordinals, 20 }, { len_be, 4 }, { as->sig, as->sig_len });
out:
	rpc_end(m);
	if (auth_needed)
		session_end(&s, rc);
	return rc;
}

/* TPM_SIGN_INFO (Part 2 §12.1): tag, fixed[4], replay, dataLen, data. Malloc'd. */
static TSS_RESULT sign_info(const char fixed[4], const BYTE nonce[20], const struct crypto_iov *data,
			    size_t count, BYTE **out, size_t *out_len)
{
	struct buf_writer w;
	size_t total = 0, i;

	for (i = 0; i < count; i++)
		total += data[i].n;
	buf_writer_init_dynamic(&w, 4096);
	buf_put_u16(&w, TPM_TAG_SIGNINFO);
	buf_put_bytes(&w, fixed, 4);
	buf_put_bytes(&w, nonce, 20);
	buf_put_u32(&w, (uint32_t)total);
	for (i = 0; i < count; i++)
		buf_put_bytes(&w, data[i].p, data[i].n);
	if (buf_writer_error(&w) != 0 || (*out = buf_writer_steal(&w, out_len)) == NULL) {
		buf_writer_free(&w);
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	}
	return TSS_SUCCESS;
}

/*
 * Verifies sig over SHA1(signed) with the key (val == NULL), or hands the
 * signed bytes and the signature to the application (val != NULL).
 */
static TSS_RESULT verify_or_hand_over(struct obj *key, const BYTE *signed_data, size_t len,
				      const BYTE *sig, UINT32 sig_len, TSS_VALIDATION *val)
{
	struct tpm_pubkey pub = { 0 };
	BYTE digest[20];
	TSS_RESULT rc;

	if (val != NULL) {
		val->rgbData = ctx_memdup(key->ctx, signed_data, len);
		val->rgbValidationData = ctx_memdup(key->ctx, sig, sig_len);
		if (val->rgbData == NULL || val->rgbValidationData == NULL) {
			if (val->rgbData != NULL)
				ctx_free(key->ctx, val->rgbData);
			if (val->rgbValidationData != NULL)
				ctx_free(key->ctx, val->rgbValidationData);
			val->rgbData = val->rgbValidationData = NULL;
			return TSP_ERROR(TSS_E_OUTOFMEMORY);
		}
		val->ulDataLength = (UINT32)len;
		val->ulValidationDataLength = sig_len;
		return TSS_SUCCESS;
	}
	if (crypto_sha1(signed_data, len, digest) != 0 ||
	    tpm_key_to_pubkey(&rsakey_of(key)->key, &pub) != 0)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	rc = keys_verify_signature(&pub, digest, sizeof(digest), sig, sig_len);
	tpm_pubkey_free(&pub);
	if (rc != TSS_SUCCESS) {
		log_error("tspi: the TPM's signature does not verify");
		return TSP_ERROR(TSS_E_VERIFICATION_FAILED);
	}
	return TSS_SUCCESS;
}

/* The anti-replay nonce: the application's (validation data) or a fresh one. */
static TSS_RESULT pick_nonce(const TSS_VALIDATION *val, BYTE nonce[20])
{
	if (val != NULL) {
		if (val->rgbExternalData == NULL || val->ulExternalDataLength < 20)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		memcpy(nonce, val->rgbExternalData, 20);
		return TSS_SUCCESS;
	}
	return auth_random_nonce(nonce) == 0 ? TSS_SUCCESS : TSP_ERROR(TSS_E_INTERNAL_ERROR);
}

/*
 * Without a key: the audit digest, the audit counter and every audited
 * ordinal (TPM_GetAuditDigest). With a key: TPM_GetAuditDigestSigned,
 * closing the audit session if closeAudit; the signature is checked here
 * unless pValidationData asks the caller to (then it gets TPM_SIGN_INFO
 * "ADIG" and the signature).
 */
TSS_RESULT Tspi_TPM_GetAuditDigest(TSS_HTPM hTPM, TSS_HKEY hKey, TSS_BOOL closeAudit,
				   UINT32 *pulAuditDigestSize, BYTE **prgbAuditDigest,
				   TPM_COUNTER_VALUE *pCounterValue,
				   TSS_VALIDATION *pValidationData, UINT32 *ordSize,
				   UINT32 **ordList)
{
	struct audit_signed as = { 0 };
	struct obj *tpm, *key = NULL;
	BYTE digest[20], nonce[20], *info = NULL;
	size_t info_len = 0;
	TSS_RESULT rc;

	if (pulAuditDigestSize == NULL || prgbAuditDigest == NULL || pCounterValue == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if (hKey == 0 && (ordSize == NULL || ordList == NULL))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulAuditDigestSize = 0;
	*prgbAuditDigest = NULL;
	if (ordSize != NULL && ordList != NULL) {
		*ordSize = 0;
		*ordList = NULL;
	}
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	if (hKey == 0) {
		rc = audit_digest_unsigned(tpm, digest, pCounterValue, ordSize, ordList);
		if (rc == TSS_SUCCESS) {
			rc = keys_out_bytes(tpm->ctx, digest, sizeof(digest), pulAuditDigestSize,
					    prgbAuditDigest);
			if (rc != TSS_SUCCESS) {
				ctx_free(tpm->ctx, *ordList);
				*ordList = NULL;
				*ordSize = 0;
			}
		}
		goto out;
	}
	if ((rc = obj_lookup_in(tpm->ctx, hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		goto out;
	if ((rc = pick_nonce(pValidationData, nonce)) != TSS_SUCCESS)
		goto out;
	if ((rc = audit_signed_call(tpm, key, closeAudit, nonce, &as)) != TSS_SUCCESS)
		goto out;
	{
		const struct crypto_iov data[] = {
			{ as.audit, 20 }, { as.counter, as.counter_len }, { as.ordinals, 20 },
		};

		if ((rc = sign_info("ADIG", nonce, data, 3, &info, &info_len)) != TSS_SUCCESS)
			goto out;
	}
	if ((rc = decode_counter(as.counter, as.counter_len, pCounterValue)) != TSS_SUCCESS)
		goto out;
	if ((rc = verify_or_hand_over(key, info, info_len, as.sig, as.sig_len, pValidationData)))
		goto out;
	rc = keys_out_bytes(tpm->ctx, as.audit, 20, pulAuditDigestSize, prgbAuditDigest);
out:
	free(info);
	free(as.counter);
	free(as.sig);
	obj_release(tpm);
	return rc;
}

/* ---- self test ---- */

/*
 * TPM_CertifySelfTest: the key signs SHA1("Test Passed" || antiReplay ||
 * ordinal). A TPM 1.2 may refuse it (TPM_BAD_ORDINAL: libtpms implements
 * it only for TPM 1.1); the TPM's answer is passed on.
 */
TSS_RESULT Tspi_TPM_CertifySelfTest(TSS_HTPM hTPM, TSS_HKEY hKey,
				    TSS_VALIDATION *pValidationData)
{
	BYTE ord_be[4], len_be[4], nonce[20];
	BYTE signed_data[sizeof(test_passed) - 1 + 20 + 4];
	struct session s = { 0 };
	struct rpc_msg *m = NULL;
	struct obj *tpm, *key;
	bool auth_needed = false;
	BYTE *sig = NULL;
	UINT32 sig_len = 0, handle;
	TPM_AUTH auth;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(tpm->ctx, hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		goto out;
	if ((rc = rsakey_tcs_handle(key, &handle)) != TSS_SUCCESS)
		goto out;
	if ((rc = pick_nonce(pValidationData, nonce)) != TSS_SUCCESS)
		goto out;
	buf_store_be32(ord_be, TPM_ORD_CertifySelfTest);
	auth_needed = rsakey_needs_auth(key);
	if (auth_needed &&
	    (rc = session_oiap_begin(tpm->ctx, rsakey_usage_policy(key), key->handle,
				     TPM_ORD_CertifySelfTest,
				     (struct crypto_iov[]){ { nonce, 20 } }, 1, &s, &auth)) !=
	    TSS_SUCCESS)
		goto out_nosession;
	if ((rc = rpc_begin(tpm->ctx, TCSD_ORD_CERTIFYSELFTEST, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, handle);
	rpc_put_nonce(m, nonce);
	if (auth_needed)
		rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (auth_needed)
		rpc_get_auth(m, &auth);
	rpc_get_sized(m, ADMIN_SIG_MAX, &sig_len, &sig);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if (auth_needed) {
		buf_store_be32(len_be, sig_len);
		if ((rc = SESSION_VERIFY_PIECES(&s, &auth, { len_be, 4 }, { sig, sig_len })) !=
		    TSS_SUCCESS)
			goto out;
	}
	memcpy(signed_data, test_passed, sizeof(test_passed) - 1);
	memcpy(signed_data + sizeof(test_passed) - 1, nonce, 20);
	memcpy(signed_data + sizeof(test_passed) - 1 + 20, ord_be, 4);
	rc = verify_or_hand_over(key, signed_data, sizeof(signed_data), sig, sig_len,
				 pValidationData);
out:
	if (auth_needed)
		session_end(&s, rc);
out_nosession:
	rpc_end(m);
	free(sig);
	obj_release(tpm);
	return rc;
}
