/*
 * TCS key functions: loading keys (by blob and by UUID), evicting and
 * creating them, reading their public part, FlushSpecific; the system
 * persistent storage functions (register, unregister, enumerate, blobs by
 * UUID or by public key); and the glue that gives the key cache its TPM
 * and the daemon its system.data.
 *
 * Parameter lists are TrouSerS' (src/tcs/rpc/tcstp/rpc_key.c, rpc_ps.c);
 * TPM commands are TPM 1.2 Part 3 §10 (storage) and §27 (key contexts).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <tss/tcs_error.h>
#include <tss/tpm.h>
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>
#include <tss/tss_defines.h>
#include <tss/tss_error.h>

#include "crypto.h"
#include "keycache.h"
#include "log.h"
#include "ps.h"
#include "tcs_keys.h"
#include "tcsd.h"
#include "tcsd_ordinals.h"
#include "tpm_exec.h"
#include "tpm_structs.h"

/* A wrapped key is at most a 4096-bit key under a 4096-bit parent: 2 KiB. */
#define KEY_BLOB_MAX PS_BLOB_MAX
/* TPM_KEY(12) parameters for CreateWrapKey and similar. */
#define KEY_INFO_MAX PS_BLOB_MAX

/* ------------------------------------------------------------------ */
/* Running a TPM command on a cached key                               */
/* ------------------------------------------------------------------ */

TSS_RESULT tcs_key_exec(struct tcsd_client *cl, const struct tcs_key_cmd *kc,
			struct tcsd_tpm_rsp *rsp)
{
	struct tcsd_tpm_cmd cmd;
	TCS_CONTEXT_HANDLE ctx = tcsd_request_context(cl);
	TSS_RESULT rc = TSS_SUCCESS;

	for (int attempt = 0; attempt < 2; attempt++) {
		UINT32 tpm1 = 0, tpm2 = 0;
		bool have2 = false;

		if (kc->has_key2) {
			rc = keycache_acquire_pair(ctx, kc->key, kc->key2, &tpm1, &tpm2);
			have2 = true;
		} else {
			rc = keycache_acquire(ctx, kc->key, &tpm1);
		}
		if (rc != TSS_SUCCESS)
			return rc;
		tcsd_tpm_cmd_init(&cmd, kc->ordinal);
		buf_put_u32(&cmd.w, tpm1);
		if (have2)
			buf_put_u32(&cmd.w, tpm2);
		buf_put_bytes(&cmd.w, kc->params, kc->params_len);
		rc = tcsd_tpm_exec(cl, &cmd, kc->auth1, kc->auth2, rsp);
		if (rc == TPM_E_INVALID_KEYHANDLE) {
			/* Our table and the TPM disagree (a TPM reset): resynchronise. */
			keycache_tpm_lost(kc->key);
			if (have2)
				keycache_tpm_lost(kc->key2);
		}
		if (have2)
			keycache_release(kc->key2);
		keycache_release(kc->key);
		/* With auth the session state has moved on: the client must retry. */
		if (rc != TPM_E_INVALID_KEYHANDLE || kc->auth1 != NULL)
			break;
	}
	return rc;
}

void tcs_key_params_init(struct tcs_key_params *p)
{
	buf_writer_init_fixed(&p->w, p->mem, sizeof(p->mem));
}

TSS_RESULT tcs_key_exec_params(struct tcsd_client *cl, struct tcs_key_cmd *kc,
			       struct tcs_key_params *p, struct tcsd_tpm_rsp *rsp)
{
	if (buf_writer_error(&p->w) != 0)
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	kc->params = p->mem;
	kc->params_len = buf_writer_len(&p->w);
	return tcs_key_exec(cl, kc, rsp);
}

TSS_RESULT tcs_key_exec_sized_reply(struct tcsd_client *cl, struct tcs_key_cmd *kc,
				    struct tcs_key_params *p, struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_rsp rsp;
	const uint8_t *res = NULL;
	uint32_t res_len = 0, idx = 0;
	TSS_RESULT rc;

	if ((rc = tcs_key_exec_params(cl, kc, p, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_ptr(&rsp.params, &res, &res_len, TCS_DATA_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 3);
	if (kc->auth1 != NULL)
		tcsd_put_auth_out(out, idx++, kc->auth1);
	tcsd_put_sized(out, &idx, res, res_len);
	return TSS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* The key cache's own TPM commands                                     */
/* ------------------------------------------------------------------ */

static TSS_RESULT op_load_key(void *arg, UINT32 parent_tpm, const BYTE *blob, size_t len,
			      UINT32 *tpm_handle)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TSS_RESULT rc;

	*tpm_handle = 0;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_LoadKey2);
	buf_put_u32(&cmd.w, parent_tpm);
	buf_put_bytes(&cmd.w, blob, len);
	if ((rc = tcsd_tpm_exec(NULL, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_u32(&rsp.params, tpm_handle);
	return tcsd_tpm_rsp_done(&rsp);
}

static TSS_RESULT op_flush(void *arg, UINT32 tpm_handle)
{
	return tcsd_tpm_flush(tpm_handle, TPM_RT_KEY);
}

/* TPM_SaveKeyContext (Part 3 §27.2.1): the TPM releases the key itself. */
static TSS_RESULT op_save_context(void *arg, UINT32 tpm_handle, BYTE **blob, size_t *len)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	uint8_t *p = NULL;
	uint32_t n = 0;
	TSS_RESULT rc;

	*blob = NULL;
	*len = 0;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_SaveKeyContext);
	buf_put_u32(&cmd.w, tpm_handle);
	if ((rc = tcsd_tpm_exec(NULL, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_dup(&rsp.params, &p, &n, TCSD_TPM_BUFSIZE);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS || n == 0) {
		free(p);
		return rc != TSS_SUCCESS ? rc : TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	*blob = p;
	*len = n;
	return TSS_SUCCESS;
}

static TSS_RESULT op_load_context(void *arg, const BYTE *blob, size_t len, UINT32 *tpm_handle)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TSS_RESULT rc;

	*tpm_handle = 0;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_LoadKeyContext);
	buf_put_sized(&cmd.w, blob, len);
	if ((rc = tcsd_tpm_exec(NULL, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_u32(&rsp.params, tpm_handle);
	return tcsd_tpm_rsp_done(&rsp);
}

static TSS_RESULT op_loaded_handles(void *arg, UINT32 *handles, size_t max, size_t *count)
{
	return tcsd_tpm_get_handles(TPM_RT_KEY, handles, max, count);
}

TSS_RESULT keycache_init(void)
{
	const struct tcsd_tpm_metrics *m = tcsd_tpm_metrics();
	struct keycache_tpm_ops ops = {
		.load_key = op_load_key,
		.flush = op_flush,
		.save_context = op_save_context,
		.load_context = op_load_context,
		.loaded_handles = op_loaded_handles,
		.has_key_context = m->has_save_key_context &&
				   tcsd_tpm_has_ordinal(TPM_ORD_LoadKeyContext),
		.max_keys = m->max_keys,
	};

	return keycache_setup(&ops);
}

void keycache_shutdown(void)
{
	keycache_teardown();
}

TSS_RESULT ps_init(const struct tcsd_config *conf)
{
	struct ps_store *ps = NULL;
	int err;

	if ((err = ps_open(conf->system_ps_file, &ps)) != 0) {
		log_error("cannot use the system persistent storage %s: %s", conf->system_ps_file,
			  strerror(-err));
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	ps_set_system(ps);
	return TSS_SUCCESS;
}

void ps_shutdown(void)
{
	struct ps_store *ps = ps_system();

	ps_set_system(NULL);
	ps_close(ps);
}

void tcs_keys_srk_installed(const BYTE *srk_blob, size_t len)
{
	struct ps_store *ps = ps_system();

	if (ps == NULL)
		return;
	if (ps_store_srk(ps, srk_blob, len) != TSS_SUCCESS)
		log_error("could not record the new SRK in %s; LoadKeyByUUID(SRK) still works",
			  ps_path(ps));
}

/* ------------------------------------------------------------------ */
/* Loading keys                                                         */
/* ------------------------------------------------------------------ */

/*
 * TPM_LoadKey2 of blob under the cached key parent for ctx, making room
 * first and retrying after TPM_RESOURCES when that is safe (no auth: a
 * failed authorised command has used up the client's nonces).
 */
static TSS_RESULT load_under(struct tcsd_client *cl, TCS_KEY_HANDLE parent, const BYTE *blob,
			     size_t len, TPM_AUTH *auth, const TSS_UUID *uuid,
			     TCS_KEY_HANDLE *out, UINT32 *tpm_out)
{
	TCS_CONTEXT_HANDLE ctx = tcsd_request_context(cl);
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	UINT32 parent_tpm = 0, tpm_handle = 0;
	TSS_RESULT rc;

	*out = 0;
	*tpm_out = 0;
	for (int attempt = 0; attempt < 64; attempt++) {
		/* Not under tcsd_lock: acquire may wait for another command's slot. */
		if ((rc = keycache_acquire(ctx, parent, &parent_tpm)) != TSS_SUCCESS)
			return rc;
		/* Room, load and record in one go, so no other load takes the slot. */
		tcsd_lock();
		(void)keycache_make_room();
		tcsd_tpm_cmd_init(&cmd, TPM_ORD_LoadKey2);
		buf_put_u32(&cmd.w, parent_tpm);
		buf_put_bytes(&cmd.w, blob, len);
		rc = tcsd_tpm_exec(cl, &cmd, auth, NULL, &rsp);
		if (rc == TSS_SUCCESS) {
			buf_get_u32(&rsp.params, &tpm_handle);
			if ((rc = tcsd_tpm_rsp_done(&rsp)) == TSS_SUCCESS)
				rc = keycache_add(ctx, parent, blob, len, tpm_handle, auth == NULL,
						  uuid, out);
			if (rc != TSS_SUCCESS && tpm_handle != 0)
				(void)tcsd_tpm_flush(tpm_handle, TPM_RT_KEY);
		} else if (rc == TPM_E_INVALID_KEYHANDLE) {
			keycache_tpm_lost(parent);
		}
		tcsd_unlock();
		keycache_release(parent);
		if (auth != NULL)
			break;
		if (rc == TPM_E_RESOURCES || rc == TPM_E_NOSPACE) {
			if (keycache_evict_one() != TSS_SUCCESS)
				break;
			continue;
		}
		if (rc != TPM_E_INVALID_KEYHANDLE || attempt > 0)
			break;
	}
	if (rc == TSS_SUCCESS)
		*tpm_out = tpm_handle;
	return rc;
}

/*
 * LoadKeyByBlob: ctx, UINT32 parent, UINT32+PBYTE blob, AUTH?
 *   -> [AUTH], UINT32 tcsKeyHandle, UINT32 slot (TPM handle)
 * (TrouSerS answers LoadKey2ByBlob's TPM_LoadKey2 here too.)
 */
static TSS_RESULT tcs_load_key_by_blob(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				       struct tcsd_packet_writer *out)
{
	TCS_CONTEXT_HANDLE ctx = tcsd_request_context(cl);
	TCS_KEY_HANDLE parent = 0, handle = 0;
	const uint8_t *blob = NULL;
	uint32_t blob_len = 0, idx = 2, slot = 0, i = 0;
	TPM_AUTH auth, *pauth;
	struct tpm_key key;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &parent);
	tcsd_get_sized_ptr(in, &idx, &blob, &blob_len, KEY_BLOB_MAX);
	tcsd_get_optional_auth(in, idx, &auth, &pauth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	/* The TPM would refuse it too, but only after a slot was made for it. */
	if (tpm_key_decode(blob, blob_len, &key) != 0) {
		log_debug("%s: LoadKeyByBlob with a blob that is no TPM_KEY", cl->name);
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	}
	tpm_key_free(&key);
	if (pauth == NULL && keycache_share_blob(ctx, parent, blob, blob_len, &handle) ==
	    TSS_SUCCESS) {
		/* The same key already loaded under the same parent: share it. */
		if ((rc = keycache_acquire(ctx, handle, &slot)) == TSS_SUCCESS)
			keycache_release(handle);
		else
			(void)keycache_evict(ctx, handle);
	}
	if (handle == 0 || slot == 0) {
		rc = load_under(cl, parent, blob, blob_len, pauth, NULL, &handle, &slot);
		if (rc != TSS_SUCCESS)
			return rc;
	}
	tcsd_writer_init_reply(out, 3);
	if (pauth != NULL)
		tcsd_put_auth_out(out, i++, pauth);
	tcsd_put_u32(out, i++, handle);
	tcsd_put_u32(out, i++, slot);
	return TSS_SUCCESS;
}

/*
 * The SRK's blob when system.data has none (ownership taken through
 * another stack): its standard parameters, the modulus withheld as
 * TrouSerS stores it. TPM 1.2 Part 3 §6.1: RSA 2048, OAEP, storage.
 */
static TSS_RESULT synthetic_srk_blob(uint8_t **blob, size_t *len)
{
	struct tpm_key k = { 0 };
	uint8_t zeros[256] = { 0 };

	k.ver.major = 1;
	k.ver.minor = 1;
	k.key_usage = TPM_KEY_STORAGE;
	k.auth_data_usage = TPM_AUTH_ALWAYS;
	k.algorithm_parms.algorithm_id = TPM_ALG_RSA;
	k.algorithm_parms.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1;
	k.algorithm_parms.sig_scheme = TPM_SS_NONE;
	k.algorithm_parms.kind = TPM_PARMS_RSA;
	k.algorithm_parms.rsa.key_length = 2048;
	k.algorithm_parms.rsa.num_primes = 2;
	k.pub_key.key = zeros;
	k.pub_key.key_len = sizeof(zeros);
	return tpm_key_encode(&k, blob, len) == 0 ? TSS_SUCCESS : TCS_ERROR(TSS_E_OUTOFMEMORY);
}

/* The registered blob of uuid (the SRK's may be synthetic). */
static TSS_RESULT registered_blob(const TSS_UUID *uuid, struct ps_key *key)
{
	struct ps_store *ps = ps_system();
	TSS_RESULT rc = TCS_ERROR(TSS_E_PS_KEY_NOTFOUND);

	memset(key, 0, sizeof(*key));
	if (ps != NULL)
		rc = ps_get_key(ps, uuid, key);
	if (rc == TCS_ERROR(TSS_E_PS_KEY_NOTFOUND) && ps_uuid_equal(uuid, &ps_srk_uuid)) {
		key->uuid = ps_srk_uuid;
		key->flags = PS_FLAG_VALID | PS_FLAG_PARENT_PS_SYSTEM;
		rc = synthetic_srk_blob(&key->blob, &key->blob_len);
	}
	return rc;
}

/*
 * LoadKeyByUUID without the client's auth: the key if cached, else its
 * parent chain from system PS, then the key. A parent that needs auth
 * stops the walk with TCS_E_KM_LOADFAILED and info filled in, so that
 * the TSP can supply the auth (TrouSerS' TCSP_LoadKeyByUUID_Internal).
 */
static TSS_RESULT load_by_uuid(struct tcsd_client *cl, const TSS_UUID *uuid,
			       TCS_LOADKEY_INFO *info, unsigned int depth, TCS_KEY_HANDLE *out)
{
	TCS_CONTEXT_HANDLE ctx = tcsd_request_context(cl);
	struct ps_key key = { 0 };
	TCS_KEY_HANDLE parent = 0;
	UINT32 slot;
	TSS_RESULT rc;

	*out = 0;
	if (keycache_share_uuid(ctx, uuid, out) == TSS_SUCCESS)
		return TSS_SUCCESS;
	if (depth > PS_CHAIN_MAX)
		return TCS_ERROR(TCS_E_KM_LOADFAILED);
	if ((rc = registered_blob(uuid, &key)) != TSS_SUCCESS)
		return rc;
	if ((rc = load_by_uuid(cl, &key.parent_uuid, info, depth + 1, &parent)) != TSS_SUCCESS)
		goto out;
	rc = load_under(cl, parent, key.blob, key.blob_len, NULL, uuid, out, &slot);
	if (rc == TPM_E_AUTHFAIL && info != NULL) {
		uint8_t ord[4] = { 0, 0, 0, (uint8_t)TPM_ORD_LoadKey2 };

		/* The TSP signs LoadKey2's input digest: ordinal || inKey. */
		info->keyUUID = *uuid;
		info->parentKeyUUID = key.parent_uuid;
		if (CRYPTO_SHA1_PIECES(info->paramDigest.digest, { ord, sizeof(ord) },
				       { key.blob, key.blob_len }) != 0)
			rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
		else
			rc = TCS_ERROR(TCS_E_KM_LOADFAILED);
		/* The parent stays loaded for the TSP's second, authorised round. */
		goto out;
	}
	/* Otherwise the parent stays ours only while the child needs it. */
	(void)keycache_evict(ctx, parent);
out:
	ps_key_free(&key);
	return rc;
}

/*
 * LoadKeyByUUID: ctx, UUID, LOADKEY_INFO? -> UINT32 handle, [LOADKEY_INFO]
 * On TCS_E_KM_LOADFAILED the reply carries the LOADKEY_INFO alone.
 */
static TSS_RESULT tcs_load_key_by_uuid(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				       struct tcsd_packet_writer *out)
{
	TSS_UUID uuid;
	TCS_LOADKEY_INFO info, *pinfo = NULL;
	TCS_KEY_HANDLE handle = 0;
	TSS_RESULT rc;

	memset(&info, 0, sizeof(info));
	tcsd_get_uuid(in, 1, &uuid);
	if (tcsd_param_present(in, 2) && tcsd_get_loadkey_info(in, 2, &info) == 0)
		pinfo = &info;
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;

	if (pinfo != NULL && !ps_uuid_equal(&info.parentKeyUUID, &ps_null_uuid)) {
		/* Second round: the TSP authorises loading keyUUID under its parent. */
		struct ps_key key;
		TCS_KEY_HANDLE parent;
		UINT32 slot;

		if ((rc = registered_blob(&info.keyUUID, &key)) != TSS_SUCCESS)
			return TCS_ERROR(TSS_E_PS_KEY_NOTFOUND);
		if (!keycache_uuid_handle(&info.parentKeyUUID, &parent)) {
			ps_key_free(&key);
			return TCS_ERROR(TCS_E_KM_LOADFAILED);
		}
		rc = load_under(cl, parent, key.blob, key.blob_len, &info.authData, &info.keyUUID,
				&handle, &slot);
		ps_key_free(&key);
		(void)keycache_evict(tcsd_request_context(cl), parent);
		/*
		 * TrouSerS answers with the handle of info.keyUUID, which is
		 * the wrong key when it is only a parent of the UUID asked for;
		 * we go on down the chain (info.keyUUID is now cached).
		 */
		if (rc == TSS_SUCCESS && !ps_uuid_equal(&info.keyUUID, &uuid)) {
			TCS_KEY_HANDLE mid = handle;

			rc = load_by_uuid(cl, &uuid, pinfo, 0, &handle);
			(void)keycache_evict(tcsd_request_context(cl), mid);
		}
	} else {
		rc = load_by_uuid(cl, &uuid, pinfo, 0, &handle);
	}
	if (rc == TCS_ERROR(TCS_E_KM_LOADFAILED) && pinfo != NULL) {
		tcsd_writer_init_reply(out, 1);
		tcsd_put_loadkey_info(out, 0, pinfo);
		return rc;
	}
	if (rc != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 2);
	tcsd_put_u32(out, 0, handle);
	if (pinfo != NULL)
		tcsd_put_loadkey_info(out, 1, pinfo);
	return TSS_SUCCESS;
}

/* EvictKey: ctx, UINT32 key -> nothing. */
static TSS_RESULT tcs_evict_key(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				struct tcsd_packet_writer *out)
{
	TCS_KEY_HANDLE key = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &key);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	return keycache_evict(tcsd_request_context(cl), key);
}

/*
 * FlushSpecific: ctx, UINT32 handle, UINT32 resourceType -> nothing.
 * Keys and auth sessions are virtual handles here, so they go through
 * the key cache and the session table; other resources pass through.
 */
static TSS_RESULT tcs_flush_specific(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				     struct tcsd_packet_writer *out)
{
	TCS_CONTEXT_HANDLE ctx = tcsd_request_context(cl);
	UINT32 handle = 0, type = 0, tpm_handle = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &handle);
	tcsd_get_u32(in, 2, &type);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	switch (type) {
	case TPM_RT_KEY:
		return keycache_evict(ctx, handle);
	case TPM_RT_AUTH:
		tcsd_lock();
		rc = tcs_auth_acquire(ctx, handle, &tpm_handle);
		if (rc == TSS_SUCCESS) {
			rc = tcsd_tpm_flush(tpm_handle, TPM_RT_AUTH);
			tcs_auth_release(ctx, handle, true);
		}
		tcsd_unlock();
		return rc;
	case TPM_RT_TRANS:
		return tcs_transport_flush(ctx, handle);
	default:
		return tcsd_tpm_flush(handle, type);
	}
}

/*
 * CreateWrapKey: ctx, UINT32 parent, ENCAUTH usage, ENCAUTH migration,
 * UINT32+PBYTE keyInfo, AUTH -> UINT32+PBYTE key, AUTH (Part 3 §10.4).
 */
static TSS_RESULT tcs_create_wrap_key(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				      struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_CreateWrapKey };
	struct tcsd_tpm_rsp rsp;
	struct buf_writer w;
	BYTE params[KEY_INFO_MAX + 64];
	TPM_ENCAUTH usage, migration;
	const uint8_t *info = NULL, *blob = NULL;
	uint32_t info_len = 0, idx = 4, n;
	TPM_AUTH auth;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_encauth(in, 2, &usage);
	tcsd_get_encauth(in, 3, &migration);
	tcsd_get_sized_ptr(in, &idx, &info, &info_len, KEY_INFO_MAX);
	tcsd_get_auth_in(in, idx, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	buf_writer_init_fixed(&w, params, sizeof(params));
	buf_put_bytes(&w, usage.authdata, sizeof(usage.authdata));
	buf_put_bytes(&w, migration.authdata, sizeof(migration.authdata));
	buf_put_bytes(&w, info, info_len);
	kc.params = params;
	kc.params_len = buf_writer_len(&w);
	kc.auth1 = &auth;
	if (buf_writer_error(&w))
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = tcs_key_exec(cl, &kc, &rsp)) != TSS_SUCCESS)
		return rc;
	/* The answer is a whole TPM_KEY(12): everything before the auth trailer. */
	n = (uint32_t)buf_remaining(&rsp.params);
	buf_get_ptr(&rsp.params, &blob, n);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	idx = 0;
	tcsd_writer_init_reply(out, 3);
	tcsd_put_sized(out, &idx, blob, n);
	tcsd_put_auth_out(out, idx, &auth);
	return TSS_SUCCESS;
}

/* GetPubKey: ctx, UINT32 key, AUTH? -> [AUTH], UINT32+PBYTE TPM_PUBKEY (Part 3 §10.6). */
static TSS_RESULT tcs_get_pub_key(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				  struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_GetPubKey };
	struct tcsd_tpm_rsp rsp;
	const uint8_t *pub = NULL;
	uint32_t n, idx = 0;
	TPM_AUTH auth;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_optional_auth(in, 2, &auth, &kc.auth1);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if ((rc = tcs_key_exec(cl, &kc, &rsp)) != TSS_SUCCESS)
		return rc;
	n = (uint32_t)buf_remaining(&rsp.params);
	buf_get_ptr(&rsp.params, &pub, n);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 3);
	if (kc.auth1 != NULL)
		tcsd_put_auth_out(out, idx++, kc.auth1);
	tcsd_put_sized(out, &idx, pub, n);
	return TSS_SUCCESS;
}

const struct tcsd_handler tcs_key_handlers[] = {
	{ TCSD_ORD_LOADKEYBYBLOB, tcs_load_key_by_blob },
	{ TCSD_ORD_LOADKEYBYUUID, tcs_load_key_by_uuid },
	{ TCSD_ORD_EVICTKEY, tcs_evict_key },
	{ TCSD_ORD_CREATEWRAPKEY, tcs_create_wrap_key },
	{ TCSD_ORD_GETPUBKEY, tcs_get_pub_key },
	{ TCSD_ORD_FLUSHSPECIFIC, tcs_flush_specific },
	{ 0, NULL },
};

/* ------------------------------------------------------------------ */
/* System persistent storage                                            */
/* ------------------------------------------------------------------ */

static struct ps_store *system_ps(TSS_RESULT *rc)
{
	struct ps_store *ps = ps_system();

	*rc = ps != NULL ? TSS_SUCCESS : TCS_ERROR(TSS_E_INTERNAL_ERROR);
	return ps;
}

/*
 * RegisterKey: ctx, UUID parent, UUID key, UINT32+PBYTE blob,
 * UINT32+PBYTE vendorData -> nothing.
 */
static TSS_RESULT tcs_register_key(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				   struct tcsd_packet_writer *out)
{
	TSS_UUID parent, uuid;
	const uint8_t *blob = NULL, *vendor = NULL;
	uint32_t blob_len = 0, vendor_len = 0, idx = 3;
	struct ps_store *ps;
	TSS_RESULT rc;

	tcsd_get_uuid(in, 1, &parent);
	tcsd_get_uuid(in, 2, &uuid);
	tcsd_get_sized_ptr(in, &idx, &blob, &blob_len, KEY_BLOB_MAX);
	tcsd_get_sized_ptr(in, &idx, &vendor, &vendor_len, PS_VENDOR_DATA_MAX);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if ((ps = system_ps(&rc)) == NULL)
		return rc;
	rc = ps_register(ps, &uuid, &parent, blob, blob_len, vendor, vendor_len);
	if (rc == TSS_SUCCESS)
		log_info("%s: registered key %08x-... in system PS", cl->name, uuid.ulTimeLow);
	return rc;
}

/* UnregisterKey: ctx, UUID -> nothing. */
static TSS_RESULT tcs_unregister_key(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				     struct tcsd_packet_writer *out)
{
	TSS_UUID uuid;
	struct ps_store *ps;
	TSS_RESULT rc;

	tcsd_get_uuid(in, 1, &uuid);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if ((ps = system_ps(&rc)) == NULL)
		return rc;
	return ps_unregister(ps, &uuid);
}

/* TrouSerS reports TPM_KEY12 keys as version 1.2.0.0, TPM_KEY ones as stored. */
static void key_version(const struct ps_key *k, TSS_VERSION *v, BYTE *auth_usage)
{
	struct tpm_key key;

	memset(v, 0, sizeof(*v));
	*auth_usage = 0;
	if (tpm_key_decode(k->blob, k->blob_len, &key) != 0)
		return;
	if (key.key12) {
		v->bMajor = 1;
		v->bMinor = 2;
	} else {
		v->bMajor = key.ver.major;
		v->bMinor = key.ver.minor;
		v->bRevMajor = key.ver.rev_major;
		v->bRevMinor = key.ver.rev_minor;
	}
	*auth_usage = key.auth_data_usage;
	tpm_key_free(&key);
}

/*
 * EnumRegisteredKeys(2): ctx, UUID? -> UINT32 n, n x KM_KEYINFO(2).
 * Without a UUID every key; with one the chain up to the SRK.
 */
static TSS_RESULT enumerate(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			    struct tcsd_packet_writer *out, bool two)
{
	TSS_UUID uuid;
	bool have_uuid = false;
	struct ps_key *keys = NULL;
	size_t n = 0;
	struct ps_store *ps;
	TSS_RESULT rc;

	if (tcsd_param_present(in, 1)) {
		tcsd_get_uuid(in, 1, &uuid);
		have_uuid = true;
	}
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if ((ps = system_ps(&rc)) == NULL)
		return rc;
	if ((rc = ps_enumerate(ps, have_uuid ? &uuid : NULL, &keys, &n)) != TSS_SUCCESS)
		return rc;
	if (tcsd_writer_init_reply(out, (uint32_t)n + 1) != 0) {
		ps_key_list_free(keys, n);
		return TCS_ERROR(TSS_E_OUTOFMEMORY);
	}
	tcsd_put_u32(out, 0, (UINT32)n);
	for (size_t i = 0; i < n; i++) {
		TSS_KM_KEYINFO2 info;

		memset(&info, 0, sizeof(info));
		key_version(&keys[i], &info.versionInfo, &info.bAuthDataUsage);
		info.keyUUID = keys[i].uuid;
		info.parentKeyUUID = keys[i].parent_uuid;
		info.fIsLoaded = keycache_uuid_loaded(&keys[i].uuid) ? TRUE : FALSE;
		info.ulVendorDataLength = (UINT32)keys[i].vendor_data_len;
		info.rgbVendorData = keys[i].vendor_data;
		info.persistentStorageType = TSS_PS_TYPE_SYSTEM;
		info.persistentStorageTypeParent = keys[i].flags & PS_FLAG_PARENT_PS_SYSTEM
							   ? TSS_PS_TYPE_SYSTEM : TSS_PS_TYPE_USER;
		if (two) {
			tcsd_put_km_keyinfo2(out, (uint32_t)i + 1, &info);
		} else {
			TSS_KM_KEYINFO one;

			memset(&one, 0, sizeof(one));
			one.versionInfo = info.versionInfo;
			one.keyUUID = info.keyUUID;
			one.parentKeyUUID = info.parentKeyUUID;
			one.bAuthDataUsage = info.bAuthDataUsage;
			one.fIsLoaded = info.fIsLoaded;
			one.ulVendorDataLength = info.ulVendorDataLength;
			one.rgbVendorData = info.rgbVendorData;
			tcsd_put_km_keyinfo(out, (uint32_t)i + 1, &one);
		}
	}
	ps_key_list_free(keys, n);
	return tcsd_writer_error(out) == 0 ? TSS_SUCCESS : TCS_ERROR(TSS_E_INTERNAL_ERROR);
}

static TSS_RESULT tcs_enum_registered_keys(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					   struct tcsd_packet_writer *out)
{
	return enumerate(cl, in, out, false);
}

static TSS_RESULT tcs_enum_registered_keys2(struct tcsd_client *cl,
					    struct tcsd_packet_reader *in,
					    struct tcsd_packet_writer *out)
{
	return enumerate(cl, in, out, true);
}

/* GetRegisteredKeyBlob: ctx, UUID -> UINT32+PBYTE. */
static TSS_RESULT tcs_get_registered_key_blob(struct tcsd_client *cl,
					      struct tcsd_packet_reader *in,
					      struct tcsd_packet_writer *out)
{
	TSS_UUID uuid;
	struct ps_key key;
	uint32_t idx = 0;
	TSS_RESULT rc;

	tcsd_get_uuid(in, 1, &uuid);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if ((rc = registered_blob(&uuid, &key)) == TCS_ERROR(TSS_E_PS_KEY_NOTFOUND)) {
		/* An owner-evict key is named but never registered: the cache may know it. */
		BYTE *blob;
		size_t len;

		if (keycache_owner_evict_blob(&uuid, &blob, &len) != TSS_SUCCESS)
			return rc;
		tcsd_writer_init_reply(out, 2);
		tcsd_put_sized(out, &idx, blob, (uint32_t)len);
		free(blob);
		return TSS_SUCCESS;
	}
	if (rc != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 2);
	tcsd_put_sized(out, &idx, key.blob, (uint32_t)key.blob_len);
	ps_key_free(&key);
	return TSS_SUCCESS;
}

/*
 * GetRegisteredKeyByPublicInfo: ctx, UINT32 algID, UINT32+PBYTE modulus
 * -> UINT32+PBYTE blob. TrouSerS knows RSA keys only (TSS_E_FAIL else).
 */
static TSS_RESULT tcs_get_registered_key_by_public_info(struct tcsd_client *cl,
							 struct tcsd_packet_reader *in,
							 struct tcsd_packet_writer *out)
{
	UINT32 alg = 0;
	const uint8_t *pub = NULL;
	uint32_t pub_len = 0, idx = 2;
	struct ps_key key;
	struct ps_store *ps;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &alg);
	tcsd_get_sized_ptr(in, &idx, &pub, &pub_len, PS_PUB_DATA_MAX);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (alg != TPM_ALG_RSA)
		return TCS_ERROR(TSS_E_FAIL);
	if ((ps = system_ps(&rc)) == NULL)
		return rc;
	if ((rc = ps_get_key_by_pub(ps, pub, pub_len, &key)) != TSS_SUCCESS)
		return rc;
	idx = 0;
	tcsd_writer_init_reply(out, 2);
	tcsd_put_sized(out, &idx, key.blob, (uint32_t)key.blob_len);
	ps_key_free(&key);
	return TSS_SUCCESS;
}

const struct tcsd_handler tcs_ps_handlers[] = {
	{ TCSD_ORD_REGISTERKEY, tcs_register_key },
	{ TCSD_ORD_UNREGISTERKEY, tcs_unregister_key },
	{ TCSD_ORD_ENUMREGISTEREDKEYS, tcs_enum_registered_keys },
	{ TCSD_ORD_ENUMREGISTEREDKEYS2, tcs_enum_registered_keys2 },
	{ TCSD_ORD_GETREGISTEREDKEYBLOB, tcs_get_registered_key_blob },
	{ TCSD_ORD_GETREGISTEREDKEYBYPUBLICINFO, tcs_get_registered_key_by_public_info },
	{ 0, NULL },
};
