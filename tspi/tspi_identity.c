/*
 * libtspi: identities: Tspi_TPM_CollateIdentityRequest and
 * Tspi_TPM_ActivateIdentity (TSS 1.2 §4.3.4.5.22-23; TPM 1.2 Part 3
 * §15.1-15.2). The privacy-CA formats live in common/privacy_ca.c, which
 * writes them exactly as TrouSerS' libtspi does, so that CAs built for
 * TrouSerS accept our requests and our activations open theirs.
 *
 * Authorisation, as TrouSerS 0.3.15 does it:
 *  - MakeIdentity: an OSAP session on the owner carries the new AIK's
 *    usage secret (ADIP encAuth) and authorises as the owner; an OIAP
 *    session authorises the SRK when the SRK needs it;
 *  - ActivateIdentity: OIAP sessions for the AIK (when it needs auth)
 *    and for the owner.
 * Credentials put into the identity proof: those the TPM object holds
 * (Tspi_SetAttribData TSS_TSPATTRIB_TPM_CREDENTIAL) win over those the
 * TCS read from tcsd.conf's endorsement_cred / platform_cred /
 * conformance_cred files.
 * The TPM object's COLLATEIDENTITY / ACTIVATEIDENTITY callbacks, when
 * set, do the symmetric and asymmetric work instead (TSS 1.2 §4.3.4.4.2).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tss/tspi.h"
#include "tss/tss_error.h"
#include "tss/tpm.h"
#include "tss/tpm_ordinal.h"

#include "auth.h"
#include "buf.h"
#include "crypto.h"
#include "keys.h"
#include "log.h"
#include "obj.h"
#include "privacy_ca.h"
#include "rpc.h"
#include "secret.h"
#include "session.h"
#include "tpm_structs.h"

/* Largest key blob and identityBinding accepted from the TCS. */
#define ID_KEY_MAX 4096u
#define ID_BINDING_MAX TPM_STRUCT_BLOB_MAX
/* Credentials as a TPM_IDENTITY_PROOF can carry them. */
#define ID_CRED_MAX TPM_STRUCT_CREDENTIAL_MAX
/* A label larger than this cannot go into a TPM_IDENTITY_PROOF. */
#define ID_LABEL_MAX TPM_STRUCT_BLOB_MAX

/* TSS_ALG_* of CollateIdentityRequest -> TPM_ALG_* of the session key. */
static const struct {
	TSS_ALGORITHM_ID tss;
	UINT32 tpm;
} sym_algs[] = {
	{ TSS_ALG_AES, TPM_ALG_AES128 },
	{ TSS_ALG_3DES, TPM_ALG_3DES },
};

static bool sym_alg_tpm(TSS_ALGORITHM_ID tss, UINT32 *tpm)
{
	for (size_t i = 0; i < sizeof(sym_algs) / sizeof(sym_algs[0]); i++) {
		if (sym_algs[i].tss == tss) {
			*tpm = sym_algs[i].tpm;
			return true;
		}
	}
	return false;
}

/* A callback the application set on the TPM object (zeroed when none). */
static TSS_RESULT tpm_callback(struct obj *tpm, TSS_FLAG flag, TSS_CALLBACK *cb)
{
	UINT32 len = 0;
	BYTE *data = NULL;
	TSS_RESULT rc;

	memset(cb, 0, sizeof(*cb));
	if (tpm->cls->get_data == NULL)
		return TSS_SUCCESS;
	if ((rc = tpm->cls->get_data(tpm, flag, 0, &len, &data)) != TSS_SUCCESS)
		return rc;
	if (len == sizeof(*cb))
		memcpy(cb, data, sizeof(*cb));
	ctx_free(tpm->ctx, data);
	return TSS_SUCCESS;
}

/*
 * A credential set on the TPM object replaces the TCS's one (TrouSerS'
 * obj_tpm_get_cred); an empty attribute leaves the TCS's in place.
 */
static TSS_RESULT tpm_credential(struct obj *tpm, TSS_FLAG sub, uint8_t **cred, uint32_t *len)
{
	UINT32 n = 0;
	BYTE *data = NULL;
	uint8_t *copy;
	TSS_RESULT rc;

	if (tpm->cls->get_data == NULL)
		return TSS_SUCCESS;
	if ((rc = tpm->cls->get_data(tpm, TSS_TSPATTRIB_TPM_CREDENTIAL, sub, &n, &data)) !=
	    TSS_SUCCESS)
		return rc;
	if (n > 0 && n <= ID_CRED_MAX && (copy = malloc(n)) != NULL) {
		memcpy(copy, data, n);
		free(*cred);
		*cred = copy;
		*len = n;
	} else if (n > ID_CRED_MAX) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
	} else if (n > 0) {
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
	}
	ctx_free(tpm->ctx, data);
	return rc;
}

/* ---- TPM_MakeIdentity ---- */

struct make_identity {
	struct obj *tpm, *srk, *idkey;
	BYTE label_digest[20];
	/* results, malloc'd */
	uint8_t *id_key, *binding, *cred[3];	/* EK, platform, conformance */
	uint32_t id_key_len, binding_len, cred_len[3];
};

static void make_identity_free(struct make_identity *mi)
{
	free(mi->id_key);
	free(mi->binding);
	for (size_t i = 0; i < 3; i++)
		free(mi->cred[i]);
}

/*
 * Runs TPM_MakeIdentity through the TCS: the AIK's usage secret goes in
 * under ADIP with an owner OSAP session (Part 1 §14.5), the SRK is
 * authorised by OIAP when it needs it. On success mi holds the wrapped
 * AIK, identityBinding and the TCS's credentials.
 */
static TSS_RESULT make_identity_call(struct make_identity *mi)
{
	struct tspi_ctx *ctx = mi->tpm->ctx;
	struct session owner = { 0 }, srk = { 0 };
	bool have_owner = false, have_srk = false, srk_auth = rsakey_needs_auth(mi->srk);
	BYTE secret[20], encauth[20], ord_be[4], rc_be[4] = { 0 }, len_be[4], digest[20];
	TPM_AUTH owner_auth, srk_auth_data;
	uint8_t *tmpl = NULL;
	size_t tmpl_len = 0;
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if ((rc = rsakey_get_blob(mi->idkey, &tmpl, &tmpl_len)) != TSS_SUCCESS)
		return rc;
	if ((rc = secret_get(ctx, rsakey_usage_policy(mi->idkey), true, secret)) != TSS_SUCCESS)
		goto out;
	if ((rc = session_osap(ctx, mi->tpm->usage_policy, mi->tpm->handle, TPM_ET_OWNER,
			       TPM_KH_OWNER, &owner)) != TSS_SUCCESS)
		goto out;
	have_owner = true;
	if ((rc = session_encauth(&owner, secret, encauth)) != TSS_SUCCESS)
		goto out;
	buf_store_be32(ord_be, TPM_ORD_MakeIdentity);
	if (CRYPTO_SHA1_PIECES(digest, { ord_be, 4 }, { encauth, 20 }, { mi->label_digest, 20 },
			       { tmpl, tmpl_len }) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if (srk_auth) {
		if ((rc = session_oiap(ctx, rsakey_usage_policy(mi->srk), mi->srk->handle, &srk)) !=
		    TSS_SUCCESS)
			goto out;
		have_srk = true;
		if ((rc = session_auth(&srk, TPM_ORD_MakeIdentity, digest, &srk_auth_data)) !=
		    TSS_SUCCESS)
			goto out;
	}
	if ((rc = session_auth(&owner, TPM_ORD_MakeIdentity, digest, &owner_auth)) != TSS_SUCCESS)
		goto out;

	if ((rc = rpc_begin(ctx, TCSD_ORD_MAKEIDENTITY, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_encauth(m, encauth);
	rpc_put_digest(m, mi->label_digest);
	rpc_put_u32(m, (UINT32)tmpl_len);
	rpc_put_bytes(m, tmpl, (UINT32)tmpl_len);
	if (srk_auth)
		rpc_put_auth(m, &srk_auth_data);
	rpc_put_auth(m, &owner_auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (srk_auth)
		rpc_get_auth(m, &srk_auth_data);
	rpc_get_auth(m, &owner_auth);
	rpc_get_sized(m, ID_KEY_MAX, &mi->id_key_len, &mi->id_key);
	rpc_get_sized(m, ID_BINDING_MAX, &mi->binding_len, &mi->binding);
	for (size_t i = 0; i < 3; i++)
		rpc_get_sized(m, ID_CRED_MAX, &mi->cred_len[i], &mi->cred[i]);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	/* Output digest: idKey, then identityBindingSize and identityBinding. */
	buf_store_be32(len_be, mi->binding_len);
	if (CRYPTO_SHA1_PIECES(digest, { rc_be, 4 }, { ord_be, 4 }, { mi->id_key, mi->id_key_len },
			       { len_be, 4 }, { mi->binding, mi->binding_len }) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if ((rc = session_verify(&owner, digest, &owner_auth)) != TSS_SUCCESS)
		goto out;
	if (srk_auth)
		rc = session_verify(&srk, digest, &srk_auth_data);
out:
	rpc_end(m);
	if (have_srk)
		session_end(&srk, rc);
	if (have_owner)
		session_end(&owner, rc);
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(encauth, sizeof(encauth));
	free(tmpl);
	return rc;
}

/* The TPM_IDENTITY_PROOF the CA will see, encoded (Part 2 §12.7). */
static TSS_RESULT build_proof(const struct make_identity *mi, const BYTE *label,
			      UINT32 label_len, uint8_t **out, size_t *out_len)
{
	struct tpm_identity_proof proof;
	int err;

	memset(&proof, 0, sizeof(proof));
	proof.ver = (struct tpm_version){ 1, 1, 0, 0 };
	if ((err = tpm_key_to_pubkey(&rsakey_of(mi->idkey)->key, &proof.identity_key)) != 0)
		return keys_errno_result(err);
	/* Borrowed pointers: only identity_key is freed below. */
	proof.label_area = (uint8_t *)label;
	proof.label_area_len = label_len;
	proof.identity_binding = mi->binding;
	proof.identity_binding_len = mi->binding_len;
	proof.endorsement_credential = mi->cred[0];
	proof.endorsement_credential_len = mi->cred_len[0];
	proof.platform_credential = mi->cred[1];
	proof.platform_credential_len = mi->cred_len[1];
	proof.conformance_credential = mi->cred[2];
	proof.conformance_credential_len = mi->cred_len[2];
	err = tpm_identity_proof_encode(&proof, out, out_len);
	tpm_pubkey_free(&proof.identity_key);
	return keys_errno_result(err);
}

/*
 * How TrouSerS calls the collate callback, which is not the
 * Tspicb_CollateIdentity of <tss/tspi.h>: both blob sizes are in/out
 * pointers (asymSize, asymBlob, symSize, symBlob). Applications written
 * for TrouSerS expect this form.
 */
typedef TSS_RESULT collate_cb_fn(PVOID app_data, UINT32 proof_len, BYTE *proof,
				 TSS_ALGORITHM_ID alg, UINT32 *asym_len, BYTE *asym,
				 UINT32 *sym_len, BYTE *sym);

/*
 * The application's Tspicb_CollateIdentity encrypts the proof itself;
 * the request is then assembled around its two blobs as TrouSerS does
 * (buffers of the proof's size + 32 bytes for padding).
 */
static TSS_RESULT collate_with_callback(const TSS_CALLBACK *cb, const struct tpm_pubkey *ca,
					TSS_ALGORITHM_ID alg, UINT32 tpm_alg, uint8_t *proof,
					size_t proof_len, uint8_t **req, size_t *req_len)
{
	collate_cb_fn *fn = (collate_cb_fn *)cb->callback;
	struct tpm_identity_req r;
	UINT32 asym_len = (UINT32)proof_len + 32, sym_len = (UINT32)proof_len + 32;
	TSS_RESULT rc;

	memset(&r, 0, sizeof(r));
	r.asym_blob = calloc(1, asym_len);
	r.sym_blob = calloc(1, sym_len);
	if (r.asym_blob == NULL || r.sym_blob == NULL) {
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	if ((rc = fn(cb->appData, (UINT32)proof_len, proof, alg, &asym_len, r.asym_blob, &sym_len,
		     r.sym_blob)) != TSS_SUCCESS) {
		log_debug("tspi: CollateIdentityRequest callback returned 0x%x", rc);
		goto out;
	}
	if (asym_len > proof_len + 32 || sym_len > proof_len + 32) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	r.asym_blob_len = asym_len;
	r.sym_blob_len = sym_len;
	r.asym_algorithm = ca->algorithm_parms;
	r.asym_algorithm.parms = NULL;
	r.asym_algorithm.parms_len = 0;
	r.sym_algorithm.algorithm_id = tpm_alg;
	r.sym_algorithm.enc_scheme = TPM_ES_NONE;
	r.sym_algorithm.kind = TPM_PARMS_NONE;
	rc = keys_errno_result(tpm_identity_req_encode(&r, req, req_len));
out:
	free(r.asym_blob);
	free(r.sym_blob);
	return rc;
}

TSS_RESULT Tspi_TPM_CollateIdentityRequest(TSS_HTPM hTPM, TSS_HKEY hKeySRK, TSS_HKEY hCAPubKey,
					   UINT32 ulIdentityLabelLength,
					   BYTE *rgbIdentityLabelData, TSS_HKEY hIdentityKey,
					   TSS_ALGORITHM_ID algID,
					   UINT32 *pulTCPAIdentityReqLength,
					   BYTE **prgbTCPAIdentityReq)
{
	struct make_identity mi;
	struct obj *ca;
	struct tpm_pubkey ca_pub = { 0 };
	struct rsakey *idk;
	TSS_CALLBACK cb;
	uint8_t *proof = NULL, *req = NULL;
	size_t proof_len = 0, req_len = 0;
	UINT32 tpm_alg = 0;
	static const TSS_FLAG cred_attr[3] = { TSS_TPMATTRIB_EKCERT, TSS_TPMATTRIB_PLATFORMCERT,
					       TSS_TPMATTRIB_TPM_CC };
	TSS_RESULT rc;

	memset(&mi, 0, sizeof(mi));
	if (pulTCPAIdentityReqLength == NULL || prgbTCPAIdentityReq == NULL ||
	    (rgbIdentityLabelData == NULL && ulIdentityLabelLength != 0) ||
	    ulIdentityLabelLength > ID_LABEL_MAX)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &mi.tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(mi.tpm->ctx, hKeySRK, OBJ_RSAKEY, &mi.srk)) != TSS_SUCCESS ||
	    (rc = obj_lookup_in(mi.tpm->ctx, hCAPubKey, OBJ_RSAKEY, &ca)) != TSS_SUCCESS ||
	    (rc = obj_lookup_in(mi.tpm->ctx, hIdentityKey, OBJ_RSAKEY, &mi.idkey)) != TSS_SUCCESS)
		goto out;
	/* Session keys: AES-128 or 3DES; single DES is refused (TrouSerS allows it). */
	if (!sym_alg_tpm(algID, &tpm_alg)) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if ((rc = tpm_callback(mi.tpm, TSS_TSPATTRIB_TPM_CALLBACK_COLLATEIDENTITY, &cb)) !=
	    TSS_SUCCESS)
		goto out;
	idk = rsakey_of(mi.idkey);
	if (idk->key_set || idk->key.key_usage != TPM_KEY_IDENTITY) {
		log_error("tspi: CollateIdentityRequest needs a fresh identity key template");
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	/* The CA's TPM_PUBKEY, as the label digest and the request name it. */
	if (tpm_key_to_pubkey(&rsakey_of(ca)->key, &ca_pub) != 0 ||
	    ca_pub.algorithm_parms.kind != TPM_PARMS_RSA || ca_pub.pub_key.key_len == 0) {
		log_error("tspi: CollateIdentityRequest: the CA key object holds no RSA public key");
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if (cb.callback == NULL &&
	    ca_pub.algorithm_parms.enc_scheme != TPM_ES_RSAESOAEP_SHA1_MGF1 &&
	    ca_pub.algorithm_parms.enc_scheme != TPM_ES_RSAESPKCSv15) {
		/* TrouSerS would fall back to raw RSA; that would leak the session key's structure. */
		log_error("tspi: the CA key's encryption scheme 0x%x cannot carry a request",
			  ca_pub.algorithm_parms.enc_scheme);
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if ((rc = keys_errno_result(privca_label_digest(rgbIdentityLabelData, ulIdentityLabelLength,
							&ca_pub, mi.label_digest))) != TSS_SUCCESS)
		goto out;

	if ((rc = make_identity_call(&mi)) != TSS_SUCCESS)
		goto out;
	/* The AIK now exists: the key object holds its wrapped blob, not loaded. */
	if ((rc = rsakey_set_blob(mi.idkey, mi.id_key, mi.id_key_len)) != TSS_SUCCESS)
		goto out;
	idk->loaded = false;
	idk->tcs_handle = 0;
	for (size_t i = 0; i < 3; i++)
		if ((rc = tpm_credential(mi.tpm, cred_attr[i], &mi.cred[i], &mi.cred_len[i])) !=
		    TSS_SUCCESS)
			goto out;
	if ((rc = build_proof(&mi, rgbIdentityLabelData, ulIdentityLabelLength, &proof,
			      &proof_len)) != TSS_SUCCESS)
		goto out;
	if (cb.callback != NULL)
		rc = collate_with_callback(&cb, &ca_pub, algID, tpm_alg, proof, proof_len, &req,
					   &req_len);
	else
		rc = keys_errno_result(
			privca_seal_request(&ca_pub, tpm_alg, proof, proof_len, &req, &req_len));
	if (rc != TSS_SUCCESS)
		goto out;
	rc = keys_out_bytes(mi.tpm->ctx, req, req_len, pulTCPAIdentityReqLength,
			    prgbTCPAIdentityReq);
out:
	if (proof != NULL) {
		OPENSSL_cleanse(proof, proof_len);
		free(proof);
	}
	free(req);
	tpm_pubkey_free(&ca_pub);
	make_identity_free(&mi);
	obj_release(mi.tpm);
	return rc;
}

/* ---- TPM_ActivateIdentity ---- */

/*
 * Runs TPM_ActivateIdentity on the loaded AIK: the TPM decrypts blob
 * with its EK and releases the session key if it names this AIK. The
 * TPM_SYMMETRIC_KEY comes back in *key.
 */
static TSS_RESULT activate_call(struct obj *tpm, struct obj *idkey, const BYTE *blob,
				UINT32 blob_len, struct tpm_symmetric_key *key)
{
	struct tspi_ctx *ctx = tpm->ctx;
	struct session owner = { 0 }, id = { 0 };
	bool have_owner = false, have_id = false, id_auth = rsakey_needs_auth(idkey);
	BYTE ord_be[4], rc_be[4] = { 0 }, len_be[4], digest[20];
	TPM_AUTH owner_auth, id_auth_data;
	uint8_t *sym = NULL;
	uint32_t sym_len = 0;
	struct rpc_msg *m = NULL;
	UINT32 handle;
	TSS_RESULT rc;

	memset(key, 0, sizeof(*key));
	if ((rc = rsakey_tcs_handle(idkey, &handle)) != TSS_SUCCESS)
		return rc;
	buf_store_be32(ord_be, TPM_ORD_ActivateIdentity);
	buf_store_be32(len_be, blob_len);
	if (CRYPTO_SHA1_PIECES(digest, { ord_be, 4 }, { len_be, 4 }, { blob, blob_len }) != 0)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	if (id_auth) {
		if ((rc = session_oiap(ctx, rsakey_usage_policy(idkey), idkey->handle, &id)) !=
		    TSS_SUCCESS)
			goto out;
		have_id = true;
		if ((rc = session_auth(&id, TPM_ORD_ActivateIdentity, digest, &id_auth_data)) !=
		    TSS_SUCCESS)
			goto out;
	}
	if ((rc = session_oiap(ctx, tpm->usage_policy, tpm->handle, &owner)) != TSS_SUCCESS)
		goto out;
	have_owner = true;
	if ((rc = session_auth(&owner, TPM_ORD_ActivateIdentity, digest, &owner_auth)) !=
	    TSS_SUCCESS)
		goto out;
	if ((rc = rpc_begin(ctx, TCSD_ORD_ACTIVATETPMIDENTITY, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, handle);
	rpc_put_u32(m, blob_len);
	rpc_put_bytes(m, blob, blob_len);
	if (id_auth)
		rpc_put_auth(m, &id_auth_data);
	rpc_put_auth(m, &owner_auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (id_auth)
		rpc_get_auth(m, &id_auth_data);
	rpc_get_auth(m, &owner_auth);
	rpc_get_sized(m, 256, &sym_len, &sym);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if (CRYPTO_SHA1_PIECES(digest, { rc_be, 4 }, { ord_be, 4 }, { sym, sym_len }) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if (id_auth && (rc = session_verify(&id, digest, &id_auth_data)) != TSS_SUCCESS)
		goto out;
	if ((rc = session_verify(&owner, digest, &owner_auth)) != TSS_SUCCESS)
		goto out;
	if (tpm_symmetric_key_decode(sym, sym_len, key) != 0) {
		log_error("tspi: ActivateIdentity: the TCS returned a malformed session key");
		rc = TSP_ERROR(TSS_E_COMM_FAILURE);
	}
out:
	rpc_end(m);
	if (have_id)
		session_end(&id, rc);
	if (have_owner)
		session_end(&owner, rc);
	if (sym != NULL) {
		OPENSSL_cleanse(sym, sym_len);
		free(sym);
	}
	return rc;
}

/* The application's Tspicb_ActivateIdentity decrypts the credential itself. */
static TSS_RESULT activate_with_callback(const TSS_CALLBACK *cb,
					 const struct tpm_symmetric_key *key,
					 const BYTE *sym_ca, UINT32 sym_ca_len, uint8_t **cred,
					 size_t *cred_len)
{
	Tspicb_ActivateIdentity fn = (Tspicb_ActivateIdentity)cb->callback;
	struct tpm_sym_ca_attestation att;
	uint8_t *key_blob = NULL, *buf = NULL;
	size_t key_blob_len = 0;
	UINT32 n = sym_ca_len;
	TSS_RESULT rc;

	*cred = NULL;
	*cred_len = 0;
	if (tpm_sym_ca_attestation_decode(sym_ca, sym_ca_len, &att) != 0)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = keys_errno_result(tpm_symmetric_key_encode(key, &key_blob, &key_blob_len))) !=
	    TSS_SUCCESS)
		goto out;
	if ((buf = calloc(1, n > 0 ? n : 1)) == NULL) {
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	if ((rc = fn(cb->appData, (UINT32)key_blob_len, key_blob, att.credential_len,
		     att.credential, &n, buf)) != TSS_SUCCESS) {
		log_debug("tspi: ActivateIdentity callback returned 0x%x", rc);
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if (n > sym_ca_len) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	*cred = buf;
	*cred_len = n;
	buf = NULL;
out:
	if (key_blob != NULL) {
		OPENSSL_cleanse(key_blob, key_blob_len);
		free(key_blob);
	}
	free(buf);
	tpm_sym_ca_attestation_free(&att);
	return rc;
}

TSS_RESULT Tspi_TPM_ActivateIdentity(TSS_HTPM hTPM, TSS_HKEY hIdentKey,
				     UINT32 ulAsymCAContentsBlobLength, BYTE *rgbAsymCAContentsBlob,
				     UINT32 ulSymCAAttestationBlobLength,
				     BYTE *rgbSymCAAttestationBlob, UINT32 *pulCredentialLength,
				     BYTE **prgbCredential)
{
	struct obj *tpm, *idkey;
	struct tpm_symmetric_key key;
	struct tpm_sym_ca_attestation att;
	TSS_CALLBACK cb;
	uint8_t *cred = NULL;
	size_t cred_len = 0;
	TSS_RESULT rc;
	int err;

	memset(&key, 0, sizeof(key));
	if (pulCredentialLength == NULL || prgbCredential == NULL ||
	    rgbAsymCAContentsBlob == NULL || rgbSymCAAttestationBlob == NULL ||
	    ulAsymCAContentsBlobLength == 0 || ulAsymCAContentsBlobLength > CRYPTO_RSA_MAX_BYTES)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	/* A credential blob that does not parse is refused before the TPM is asked. */
	if (tpm_sym_ca_attestation_decode(rgbSymCAAttestationBlob, ulSymCAAttestationBlobLength,
					  &att) != 0) {
		log_error("tspi: ActivateIdentity: the CA's attestation blob does not parse");
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
	tpm_sym_ca_attestation_free(&att);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(tpm->ctx, hIdentKey, OBJ_RSAKEY, &idkey)) != TSS_SUCCESS)
		goto out;
	if ((rc = tpm_callback(tpm, TSS_TSPATTRIB_TPM_CALLBACK_ACTIVATEIDENTITY, &cb)) !=
	    TSS_SUCCESS)
		goto out;
	if ((rc = activate_call(tpm, idkey, rgbAsymCAContentsBlob, ulAsymCAContentsBlobLength,
				&key)) != TSS_SUCCESS)
		goto out;
	if (cb.callback != NULL) {
		rc = activate_with_callback(&cb, &key, rgbSymCAAttestationBlob,
					    ulSymCAAttestationBlobLength, &cred, &cred_len);
	} else {
		err = privca_recover_credential(&key, rgbSymCAAttestationBlob,
						ulSymCAAttestationBlobLength, &cred, &cred_len);
		if (err != 0) {
			log_error("tspi: ActivateIdentity: the credential does not decrypt (%d)",
				  err);
			rc = err == -ENOMEM ? TSP_ERROR(TSS_E_OUTOFMEMORY)
					    : TSP_ERROR(TSS_E_BAD_PARAMETER);
		}
	}
	if (rc != TSS_SUCCESS)
		goto out;
	rc = keys_out_bytes(tpm->ctx, cred, cred_len, pulCredentialLength, prgbCredential);
out:
	if (cred != NULL) {
		OPENSSL_cleanse(cred, cred_len);
		free(cred);
	}
	tpm_symmetric_key_free(&key);
	obj_release(tpm);
	return rc;
}
