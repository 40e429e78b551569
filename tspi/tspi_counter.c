/*
 * libtspi: monotonic counters and ticks: Tspi_TPM_ReadCounter,
 * Tspi_TPM_ReadCurrentTicks, Tspi_Hash_TickStampBlob (TSS 1.2
 * §4.3.4.4, §4.3.4.15; TPM 1.2 Part 3, "Monotonic counter", "Tick").
 *
 * The TSS 1.2 API has no entry point that creates, increments or
 * releases a counter: TrouSerS offers them only at the TCS
 * (TCSD_ORD_CREATECOUNTER ... RELEASECOUNTEROWNER, served by our tcsd in
 * tcsd/tcs_counter.c), and its libtspi reads the TPM's active counter
 * only. We do the same.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "crypto.h"
#include "keys.h"
#include "log.h"
#include "obj.h"
#include "rpc.h"
#include "session.h"

/* TPM_CURRENT_TICKS: tag, currentTicks, tickRate, tickNonce (Part 2 §15.1). */
#define CURRENT_TICKS_SIZE (2u + 8u + 2u + 20u)
/* A signature from up to a 4096-bit key. */
#define TICK_SIG_MAX 512u
/* The TPM's "no counter is active" value (Part 2, TPM_CAP_PROP_ACTIVE_COUNTER). */
#define NO_ACTIVE_COUNTER 0xffffffffu

/*
 * The active counter's id: TPM_GetCapability(TPM_CAP_PROPERTY,
 * TPM_CAP_PROP_ACTIVE_COUNTER), a big-endian UINT32. (TrouSerS' libtspi
 * copies it without byte swapping, so on little-endian hosts it reads
 * the wrong counter unless the id is 0; we decode it.) Not cached: a
 * counter can be released and another become active at any time.
 */
static TSS_RESULT active_counter(struct tspi_ctx *ctx, UINT32 *id)
{
	struct buf_reader r;
	BYTE sub[4], *resp = NULL;
	UINT32 len = 0;
	TSS_RESULT rc;

	*id = NO_ACTIVE_COUNTER;
	buf_store_be32(sub, TPM_CAP_PROP_ACTIVE_COUNTER);
	if ((rc = tpm_get_capability(ctx, TPM_CAP_PROPERTY, sub, sizeof(sub), 64, &len, &resp)) !=
	    TSS_SUCCESS)
		return rc;
	buf_reader_init(&r, resp, len);
	buf_get_u32(&r, id);
	if (buf_reader_done(&r) != 0) {
		log_error("tspi: active counter capability of %u bytes", len);
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	free(resp);
	return rc;
}

TSS_RESULT Tspi_TPM_ReadCounter(TSS_HTPM hTPM, UINT32 *counterValue)
{
	TPM_COUNTER_VALUE value;
	struct rpc_msg *m = NULL;
	struct obj *o;
	UINT32 id = 0;
	TSS_RESULT rc;

	if (counterValue == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*counterValue = 0;
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = active_counter(o->ctx, &id)) != TSS_SUCCESS)
		goto out;
	if (id == NO_ACTIVE_COUNTER) {
		rc = TSP_ERROR(TSS_E_NO_ACTIVE_COUNTER);
		goto out;
	}
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_READCOUNTER, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, id);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_counter_value(m, &value);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	*counterValue = value.counter;
out:
	rpc_end(m);
	obj_release(o);
	return rc;
}

/* Decodes a TPM_CURRENT_TICKS (big-endian fields) into the TSS struct. */
static TSS_RESULT decode_ticks(const BYTE *p, UINT32 len, TPM_CURRENT_TICKS *t)
{
	struct buf_reader r;

	memset(t, 0, sizeof(*t));
	buf_reader_init(&r, p, len);
	buf_get_u16(&r, &t->tag);
	buf_get_u64(&r, &t->currentTicks);
	buf_get_u16(&r, &t->tickRate);
	buf_get_bytes(&r, t->tickNonce.nonce, sizeof(t->tickNonce.nonce));
	if (buf_reader_done(&r) != 0 || t->tag != TPM_TAG_CURRENT_TICKS) {
		log_error("tspi: malformed TPM_CURRENT_TICKS (%u bytes)", len);
		memset(t, 0, sizeof(*t));
		return TSP_ERROR(TSS_E_COMM_FAILURE);
	}
	return TSS_SUCCESS;
}

TSS_RESULT Tspi_TPM_ReadCurrentTicks(TSS_HTPM hTPM, TPM_CURRENT_TICKS *tickCount)
{
	struct rpc_msg *m = NULL;
	struct obj *o;
	BYTE *ticks = NULL;
	UINT32 len = 0;
	TSS_RESULT rc;

	if (tickCount == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_READCURRENTTICKS, &m)) != TSS_SUCCESS)
		goto out;
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_sized(m, 256, &len, &ticks);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	rc = decode_ticks(ticks, len, tickCount);
out:
	free(ticks);
	rpc_end(m);
	obj_release(o);
	return rc;
}

/* What TPM_TickStampBlob answered. */
struct tick_stamp {
	BYTE *sig, *ticks;
	UINT32 sig_len, ticks_len;
};

/* Runs TPM_TickStampBlob, with the key's usage auth (OIAP) when it needs one. */
static TSS_RESULT tick_stamp_call(struct obj *key, const BYTE nonce[20], const BYTE digest[20],
				  struct tick_stamp *ts)
{
	BYTE len_be[4];
	bool auth_needed = rsakey_needs_auth(key);
	struct session s = { 0 };
	struct rpc_msg *m = NULL;
	TPM_AUTH auth;
	UINT32 handle;
	TSS_RESULT rc;

	if ((rc = rsakey_tcs_handle(key, &handle)) != TSS_SUCCESS)
		return rc;
	if (auth_needed &&
	    (rc = session_oiap_begin(key->ctx, rsakey_usage_policy(key), key->handle,
				     TPM_ORD_TickStampBlob,
				     (struct crypto_iov[]){ { nonce, 20 }, { digest, 20 } }, 2, &s,
				     &auth)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(key->ctx, TCSD_ORD_TICKSTAMPBLOB, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, handle);
	rpc_put_nonce(m, nonce);
	rpc_put_digest(m, digest);
	if (auth_needed)
		rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (auth_needed)
		rpc_get_auth(m, &auth);
	rpc_get_sized(m, TICK_SIG_MAX, &ts->sig_len, &ts->sig);
	rpc_get_sized(m, 256, &ts->ticks_len, &ts->ticks);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS || !auth_needed)
		goto out;
	/* Output digest: the TPM's parameter order, ticks before the signature. */
	buf_store_be32(len_be, ts->sig_len);
	rc = SESSION_VERIFY_PIECES(&s, &auth, { ts->ticks, ts->ticks_len }, { len_be, 4 },
				   { ts->sig, ts->sig_len });
out:
	rpc_end(m);
	if (auth_needed)
		session_end(&s, rc);
	return rc;
}

/*
 * TPM_TickStampBlob signs TPM_SIGN_INFO {tag, "TSTP", antiReplay,
 * dataLen, digestToStamp || TPM_CURRENT_TICKS} (Part 3, TickStampBlob).
 * As in TrouSerS the caller supplies the nonce in pValidationData and
 * verifies: rgbData gets the TPM_SIGN_INFO, rgbValidationData the
 * signature.
 */
TSS_RESULT Tspi_Hash_TickStampBlob(TSS_HHASH hHash, TSS_HKEY hIdentKey,
				   TSS_VALIDATION *pValidationData)
{
	struct tick_stamp ts = { 0 };
	struct buf_writer w;
	struct obj *hash, *key;
	TPM_CURRENT_TICKS t;
	BYTE *value = NULL, *info = NULL, *sig = NULL;
	BYTE digest[20];
	UINT32 value_len = 0;
	size_t info_len = 0;
	TSS_RESULT rc;

	if (pValidationData == NULL || pValidationData->rgbExternalData == NULL ||
	    pValidationData->ulExternalDataLength != 20)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hHash, OBJ_HASH, &hash)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(hash->ctx, hIdentKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		goto out;
	/* The public call, under the context lock we hold (it is recursive). */
	if ((rc = Tspi_Hash_GetHashValue(hHash, &value_len, &value)) != TSS_SUCCESS)
		goto out;
	if (value_len != sizeof(digest)) {
		rc = TSP_ERROR(TSS_E_HASH_INVALID_LENGTH);
		goto out;
	}
	memcpy(digest, value, sizeof(digest));
	if ((rc = tick_stamp_call(key, pValidationData->rgbExternalData, digest, &ts)))
		goto out;
	if ((rc = decode_ticks(ts.ticks, ts.ticks_len, &t)) != TSS_SUCCESS)
		goto out;
	buf_writer_init_dynamic(&w, 256);
	buf_put_u16(&w, TPM_TAG_SIGNINFO);
	buf_put_bytes(&w, "TSTP", 4);
	buf_put_bytes(&w, pValidationData->rgbExternalData, 20);
	buf_put_u32(&w, (uint32_t)(sizeof(digest) + ts.ticks_len));
	buf_put_bytes(&w, digest, sizeof(digest));
	buf_put_bytes(&w, ts.ticks, ts.ticks_len);
	if (buf_writer_error(&w) != 0 || (info = buf_writer_steal(&w, &info_len)) == NULL) {
		buf_writer_free(&w);
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	pValidationData->rgbData = ctx_memdup(hash->ctx, info, info_len);
	sig = ctx_memdup(hash->ctx, ts.sig, ts.sig_len);
	if (pValidationData->rgbData == NULL || sig == NULL) {
		if (pValidationData->rgbData != NULL)
			ctx_free(hash->ctx, pValidationData->rgbData);
		if (sig != NULL)
			ctx_free(hash->ctx, sig);
		pValidationData->rgbData = NULL;
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	pValidationData->ulDataLength = (UINT32)info_len;
	pValidationData->rgbValidationData = sig;
	pValidationData->ulValidationDataLength = ts.sig_len;
out:
	if (value != NULL)
		ctx_free(hash->ctx, value);
	free(info);
	free(ts.sig);
	free(ts.ticks);
	obj_release(hash);
	return rc;
}
