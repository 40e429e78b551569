/*
 * Tspi_ChangeAuth for keys and sealed data: TPM_ChangeAuth (Part 3 §17.1)
 * re-encrypts the entity's private part under its parent with a new
 * usage secret. The new secret travels ADIP-encrypted under an OSAP
 * session on the parent (auth 1); the old secret authorises the entity
 * through OIAP (auth 2). The owner's and SRK's secrets change through
 * TPM_ChangeAuthOwner, both here (owner_change_auth): the owner's for
 * the TPM object (tspi_tpm.c), the SRK's for Tspi_ChangeAuth(hSRK, hTPM, ...).
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

#define CHANGEAUTH_DATA_MAX 4096

/*
 * Runs TPM_ChangeAuth for the private part enc (of entity type et) under
 * parent; returns the new private part (malloc'd).
 */
static TSS_RESULT change_auth_tpm(struct obj *entity, TSS_HPOLICY entity_policy,
				  struct obj *parent, struct obj *new_policy, UINT16 et,
				  const uint8_t *enc, size_t enc_len, uint8_t **out, UINT32 *out_len)
{
	struct session ps, es;
	bool have_ps = false, have_es = false;
	TPM_AUTH pauth, eauth;
	BYTE new_secret[20], enc_auth[20], digest[20];
	UINT32 parent_handle;
	uint8_t pid_be[2] = { TPM_PID_ADCP >> 8, TPM_PID_ADCP & 0xff };
	uint8_t et_be[2] = { (uint8_t)(et >> 8), (uint8_t)et };
	uint8_t len_be[4] = { (uint8_t)(enc_len >> 24), (uint8_t)(enc_len >> 16),
			      (uint8_t)(enc_len >> 8), (uint8_t)enc_len };
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	*out = NULL;
	*out_len = 0;
	if ((rc = rsakey_tcs_handle(parent, &parent_handle)) != TSS_SUCCESS)
		return rc;
	if ((rc = secret_get(entity->ctx, new_policy->handle, true, new_secret)) != TSS_SUCCESS)
		return rc;
	if ((rc = session_osap(entity->ctx, rsakey_usage_policy(parent), parent->handle,
			       TPM_ET_KEYHANDLE, parent_handle, &ps)) != TSS_SUCCESS)
		goto out;
	have_ps = true;
	if ((rc = session_encauth(&ps, new_secret, enc_auth)) != TSS_SUCCESS)
		goto out;
	if ((rc = keys_errno_result(auth_digest_request(
		     TPM_ORD_ChangeAuth,
		     (struct crypto_iov[]){ { pid_be, 2 }, { enc_auth, 20 }, { et_be, 2 },
					    { len_be, 4 }, { enc, enc_len } },
		     5, digest))) != TSS_SUCCESS)
		goto out;
	if ((rc = session_auth(&ps, TPM_ORD_ChangeAuth, digest, &pauth)) != TSS_SUCCESS)
		goto out;
	if ((rc = session_oiap(entity->ctx, entity_policy, entity->handle, &es)) != TSS_SUCCESS)
		goto out;
	have_es = true;
	if ((rc = session_auth(&es, TPM_ORD_ChangeAuth, digest, &eauth)) != TSS_SUCCESS)
		goto out;

	if ((rc = rpc_begin(entity->ctx, TCSD_ORD_CHANGEAUTH, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, parent_handle);
	rpc_put_u16(m, TPM_PID_ADCP);
	rpc_put_encauth(m, enc_auth);
	rpc_put_u16(m, et);
	rpc_put_sized(m, enc, (uint32_t)enc_len);
	rpc_put_auth(m, &pauth);
	rpc_put_auth(m, &eauth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_auth(m, &pauth);
	rpc_get_auth(m, &eauth);
	rpc_get_sized(m, CHANGEAUTH_DATA_MAX, out_len, out);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	buf_store_be32(len_be, *out_len);
	if ((rc = keys_errno_result(auth_digest_response(
		     0, TPM_ORD_ChangeAuth,
		     (struct crypto_iov[]){ { len_be, 4 }, { *out, *out_len } }, 2, digest))) !=
	    TSS_SUCCESS)
		goto out;
	if ((rc = session_verify(&ps, digest, &pauth)) != TSS_SUCCESS)
		goto out;
	rc = session_verify(&es, digest, &eauth);
out:
	if (have_es)
		session_end(&es, rc);
	if (have_ps)
		session_end(&ps, rc);
	rpc_end(m);
	OPENSSL_cleanse(new_secret, sizeof(new_secret));
	OPENSSL_cleanse(enc_auth, sizeof(enc_auth));
	if (rc != TSS_SUCCESS) {
		free(*out);
		*out = NULL;
		*out_len = 0;
	}
	return rc;
}

/*
 * TPM_ChangeAuthOwner (Part 3 §17.2) changes the owner's secret
 * (entity_type TPM_ET_OWNER, Tspi_ChangeAuth on the TPM object) or the
 * SRK's (TPM_ET_SRK: Tspi_ChangeAuth(hSRK, hTPM, hPolicy), as
 * tpm_changeownerauth -s does), authorised by the owner either way: an
 * OSAP session on the owner (the TPM object tpm, whose usage policy holds
 * the owner secret) carries the ADIP-encrypted new secret, and the reply
 * is HMACed with that session's shared secret of the old owner secret.
 * On success target (the TPM or the SRK object) takes new_policy as its
 * usage policy (TSS 1.2 §4.3.4.1.1).
 */
TSS_RESULT owner_change_auth(struct obj *tpm, UINT16 entity_type, struct obj *target,
			     struct obj *new_policy)
{
	BYTE new_secret[20], enc[20], in_digest[20];
	BYTE ord_be[4] = { TPM_ORD_ChangeAuthOwner >> 24, (TPM_ORD_ChangeAuthOwner >> 16) & 0xff,
			   (TPM_ORD_ChangeAuthOwner >> 8) & 0xff, TPM_ORD_ChangeAuthOwner & 0xff };
	BYTE pid_be[2] = { TPM_PID_ADCP >> 8, TPM_PID_ADCP & 0xff };
	BYTE et_be[2] = { (BYTE)(entity_type >> 8), (BYTE)(entity_type & 0xff) };
	struct session s;
	struct rpc_msg *m = NULL;
	TPM_AUTH auth;
	TSS_RESULT rc;

	memset(&s, 0, sizeof(s));
	if ((rc = secret_get(tpm->ctx, new_policy->handle, true, new_secret)) != TSS_SUCCESS)
		return rc;
	if ((rc = session_osap(tpm->ctx, tpm->usage_policy, tpm->handle, TPM_ET_OWNER,
			       TPM_KH_OWNER, &s)) != TSS_SUCCESS)
		goto out;
	if ((rc = session_encauth(&s, new_secret, enc)) != TSS_SUCCESS)
		goto out;
	if (CRYPTO_SHA1_PIECES(in_digest, { ord_be, 4 }, { pid_be, 2 }, { enc, 20 },
			       { et_be, 2 }) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if ((rc = session_auth(&s, TPM_ORD_ChangeAuthOwner, in_digest, &auth)) != TSS_SUCCESS)
		goto out;
	if ((rc = rpc_begin(tpm->ctx, TCSD_ORD_CHANGEAUTHOWNER, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u16(m, TPM_PID_ADCP);
	rpc_put_encauth(m, enc);
	rpc_put_u16(m, entity_type);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_auth(m, &auth);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if ((rc = session_verify_outputs(&s, &auth, NULL, 0)) != TSS_SUCCESS)
		goto out;
	target->usage_policy = new_policy->handle;
out:
	rpc_end(m);
	session_end(&s, rc);
	OPENSSL_cleanse(new_secret, sizeof(new_secret));
	OPENSSL_cleanse(enc, sizeof(enc));
	return rc;
}

TSS_RESULT rsakey_change_auth(struct obj *o, struct obj *parent, struct obj *new_policy)
{
	struct rsakey *rk = rsakey_of(o);
	uint8_t *enc = NULL;
	UINT32 enc_len = 0;
	TSS_RESULT rc;

	/* The SRK's "parent" is the TPM object (TrouSerS' Tspi_ChangeAuth). */
	if (parent != NULL && parent->type == OBJ_TPM && new_policy != NULL) {
		if (!rk->loaded || rk->tcs_handle != TPM_KH_SRK)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		return owner_change_auth(parent, TPM_ET_SRK, o, new_policy);
	}
	if (parent == NULL || parent->type != OBJ_RSAKEY || new_policy == NULL)
		return TSP_ERROR(TSS_E_INVALID_HANDLE);
	if (!rk->key_set || rk->key.enc_data_len == 0)
		return TSP_ERROR(TSS_E_KEY_NOT_SET);
	if ((rc = change_auth_tpm(o, rsakey_usage_policy(o), parent, new_policy, TPM_ET_KEY,
				  rk->key.enc_data, rk->key.enc_data_len, &enc, &enc_len)) !=
	    TSS_SUCCESS)
		return rc;
	OPENSSL_cleanse(rk->key.enc_data, rk->key.enc_data_len);
	free(rk->key.enc_data);
	rk->key.enc_data = enc;
	rk->key.enc_data_len = enc_len;
	rsakey_drop_raw(rk);
	o->usage_policy = new_policy->handle;
	/* The copy in the TPM still has the old secret: bring in the new one. */
	if (rk->loaded) {
		(void)tcs_evict_key(o->ctx, rk->tcs_handle);
		rk->loaded = false;
		rk->tcs_handle = 0;
		rc = rsakey_load(o, parent);
	}
	return rc;
}

TSS_RESULT encdata_change_auth(struct obj *o, struct obj *parent, struct obj *new_policy)
{
	struct encdata *e = o->data;
	struct tpm_stored_data sd;
	uint8_t *enc = NULL, *blob = NULL;
	size_t blob_len = 0;
	UINT32 enc_len = 0;
	TSS_RESULT rc;

	memset(&sd, 0, sizeof(sd));
	if (parent == NULL || parent->type != OBJ_RSAKEY || new_policy == NULL)
		return TSP_ERROR(TSS_E_INVALID_HANDLE);
	if (e->blob == NULL)
		return TSP_ERROR(TSS_E_ENC_NO_DATA);
	if (e->type != TSS_ENCDATA_SEAL || tpm_stored_data_decode(e->blob, e->blob_len, &sd) != 0)
		return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
	if ((rc = change_auth_tpm(o, o->usage_policy ? o->usage_policy : o->ctx->default_policy,
				  parent, new_policy, TPM_ET_DATA, sd.enc_data, sd.enc_data_len,
				  &enc, &enc_len)) != TSS_SUCCESS)
		goto out;
	OPENSSL_cleanse(sd.enc_data, sd.enc_data_len);
	free(sd.enc_data);
	sd.enc_data = enc;
	sd.enc_data_len = enc_len;
	enc = NULL;
	if ((rc = keys_errno_result(tpm_stored_data_encode(&sd, &blob, &blob_len))) != TSS_SUCCESS)
		goto out;
	if ((rc = encdata_set_blob(e, blob, blob_len)) != TSS_SUCCESS)
		goto out;
	o->usage_policy = new_policy->handle;
out:
	tpm_stored_data_free(&sd);
	free(enc);
	free(blob);
	return rc;
}
