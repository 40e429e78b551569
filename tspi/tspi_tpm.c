/*
 * The TPM object (TSS 1.2 §4.3.4.4): capabilities, random numbers, PCRs,
 * self test, the endorsement key, ownership, status flags and the event
 * log. Owner-authorised commands run an OIAP session with the TPM
 * object's usage policy (the owner secret), through session.c.
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

/* Largest capability / key / log answers accepted from the TCS. */
#define TPM_CAP_RESP_MAX 4096u
#define TPM_BLOB_MAX 4096u
#define TPM_RANDOM_MAX 4096u
#define TPM_EVENTS_MAX 100000u

/* The TPM object's own data: callbacks and credentials for identity work. */
struct tpm_obj {
	TSS_CALLBACK cb_collate;
	TSS_CALLBACK cb_activate;
	BYTE *cred[4];		/* EK cert, TPM CC, platform cert, platform CC */
	UINT32 cred_len[4];
};

static TSS_RESULT tpm_create(struct obj *o, TSS_FLAG init_flags)
{
	o->data = calloc(1, sizeof(struct tpm_obj));
	return o->data != NULL ? TSS_SUCCESS : TSP_ERROR(TSS_E_OUTOFMEMORY);
}

static void tpm_destroy(struct obj *o)
{
	struct tpm_obj *t = o->data;
	size_t i;

	for (i = 0; i < 4; i++)
		free(t->cred[i]);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
	o->data = NULL;
}

/* Hands n bytes to the application as context memory. */
static TSS_RESULT out_bytes(struct tspi_ctx *ctx, const void *p, size_t n, UINT32 *len, BYTE **out)
{
	*out = ctx_memdup(ctx, p, n);
	if (*out == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	*len = (UINT32)n;
	return TSS_SUCCESS;
}

/* ---- capabilities ---- */

struct cap_map {
	UINT32 tss;
	UINT32 tpm;
	bool raw;	/* answer passed through as the TPM sent it (no endian swap) */
};

static const struct cap_map property_map[] = {
	{ TSS_TPMCAP_PROP_PCR, TPM_CAP_PROP_PCR, false },
	{ TSS_TPMCAP_PROP_DIR, TPM_CAP_PROP_DIR, false },
	{ TSS_TPMCAP_PROP_KEYS, TPM_CAP_PROP_SLOTS, false },
	{ TSS_TPMCAP_PROP_MANUFACTURER, TPM_CAP_PROP_MANUFACTURER, true },
	{ TSS_TPMCAP_PROP_COUNTERS, TPM_CAP_PROP_COUNTERS, false },
	{ TSS_TPMCAP_PROP_MAXCOUNTERS, TPM_CAP_PROP_MAX_COUNTERS, false },
	{ TSS_TPMCAP_PROP_MIN_COUNTER, TPM_CAP_PROP_MIN_COUNTER, false },
	{ TSS_TPMCAP_PROP_ACTIVECOUNTER, TPM_CAP_PROP_ACTIVE_COUNTER, false },
	{ TSS_TPMCAP_PROP_TRANSESSIONS, TPM_CAP_PROP_TRANSSESS, false },
	{ TSS_TPMCAP_PROP_MAXTRANSESSIONS, TPM_CAP_PROP_MAX_TRANSSESS, false },
	{ TSS_TPMCAP_PROP_SESSIONS, TPM_CAP_PROP_SESSIONS, false },
	{ TSS_TPMCAP_PROP_MAXSESSIONS, TPM_CAP_PROP_MAX_SESSIONS, false },
	{ TSS_TPMCAP_PROP_FAMILYROWS, TPM_CAP_PROP_FAMILYROWS, false },
	{ TSS_TPMCAP_PROP_DELEGATEROWS, TPM_CAP_PROP_DELEGATE_ROW, false },
	{ TSS_TPMCAP_PROP_OWNER, TPM_CAP_PROP_OWNER, false },
	{ TSS_TPMCAP_PROP_MAXKEYS, TPM_CAP_PROP_MAX_KEYS, false },
	{ TSS_TPMCAP_PROP_AUTHSESSIONS, TPM_CAP_PROP_AUTHSESS, false },
	{ TSS_TPMCAP_PROP_MAXAUTHSESSIONS, TPM_CAP_PROP_MAX_AUTHSESS, false },
	{ TSS_TPMCAP_PROP_CONTEXTS, TPM_CAP_PROP_CONTEXT, false },
	{ TSS_TPMCAP_PROP_MAXCONTEXTS, TPM_CAP_PROP_MAX_CONTEXT, false },
	{ TSS_TPMCAP_PROP_DAASESSIONS, TPM_CAP_PROP_SESSION_DAA, false },
	{ TSS_TPMCAP_PROP_MAXDAASESSIONS, TPM_CAP_PROP_DAA_MAX, false },
	{ TSS_TPMCAP_PROP_TISTIMEOUTS, TPM_CAP_PROP_TIS_TIMEOUT, false },
	{ TSS_TPMCAP_PROP_STARTUPEFFECTS, TPM_CAP_PROP_STARTUP_EFFECT, true },
	{ TSS_TPMCAP_PROP_MAXCONTEXTCOUNTDIST, TPM_CAP_PROP_CONTEXT_DIST, false },
	{ TSS_TPMCAP_PROP_CMKRESTRICTION, TPM_CAP_PROP_CMK_RESTRICTION, false },
	{ TSS_TPMCAP_PROP_DURATION, TPM_CAP_PROP_DURATION, false },
	{ TSS_TPMCAP_PROP_MAXNVAVAILABLE, TPM_CAP_PROP_NV_AVAILABLE, false },
	{ TSS_TPMCAP_PROP_INPUTBUFFERSIZE, TPM_CAP_PROP_INPUT_BUFFER, false },
};

static const struct cap_map alg_map[] = {
	{ TSS_ALG_RSA, TPM_ALG_RSA, false },
	{ TSS_ALG_AES128, TPM_ALG_AES128, false },
	{ TSS_ALG_AES192, TPM_ALG_AES192, false },
	{ TSS_ALG_AES256, TPM_ALG_AES256, false },
	{ TSS_ALG_3DES, TPM_ALG_3DES, false },
	{ TSS_ALG_DES, TPM_ALG_DES, false },
	{ TSS_ALG_SHA, TPM_ALG_SHA, false },
	{ TSS_ALG_HMAC, TPM_ALG_HMAC, false },
	{ TSS_ALG_MGF1, TPM_ALG_MGF1, false },
	{ TSS_ALG_XOR, TPM_ALG_XOR, false },
};

static const struct cap_map es_map[] = {
	{ TSS_ES_NONE, TPM_ES_NONE, false },
	{ TSS_ES_RSAESPKCSV15, TPM_ES_RSAESPKCSv15, false },
	{ TSS_ES_RSAESOAEP_SHA1_MGF1, TPM_ES_RSAESOAEP_SHA1_MGF1, false },
	{ TSS_ES_SYM_CNT, TPM_ES_SYM_CNT, false },
	{ TSS_ES_SYM_OFB, TPM_ES_SYM_OFB, false },
	{ TSS_ES_SYM_CBC_PKCS5PAD, TPM_ES_SYM_CBC_PKCS5PAD, false },
};

static const struct cap_map *cap_lookup(const struct cap_map *map, size_t n, UINT32 tss)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (map[i].tss == tss)
			return &map[i];
	return NULL;
}

#define MAP_LOOKUP(map, v) cap_lookup((map), sizeof(map) / sizeof((map)[0]), (v))

TSS_RESULT tpm_get_capability(struct tspi_ctx *ctx, UINT32 area, const BYTE *sub, UINT32 sub_len,
			      UINT32 max, UINT32 *len, BYTE **resp)
{
	struct rpc_msg *m;
	TSS_RESULT rc;

	*len = 0;
	*resp = NULL;
	if ((rc = rpc_begin(ctx, TCSD_ORD_GETCAPABILITY, &m)) != TSS_SUCCESS)
		return rc;
	rpc_put_u32(m, area);
	rpc_put_u32(m, sub_len);
	rpc_put_bytes(m, sub, sub_len);
	if ((rc = rpc_call(m)) == TSS_SUCCESS) {
		rpc_get_sized(m, max, len, resp);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	if (rc != TSS_SUCCESS) {
		free(*resp);
		*resp = NULL;
		*len = 0;
	}
	return rc;
}

/* TPM_GetCapabilityOwner (Part 3 §7.3): the permanent and volatile flag bit maps. */
static TSS_RESULT owner_flags(struct obj *tpm, UINT32 *non_volatile, UINT32 *volatile_flags)
{
	BYTE nv_be[4], v_be[4];
	struct tspi_ctx *ctx = tpm->ctx;
	struct rpc_msg *m = NULL;
	struct session s = { 0 };
	TSS_VERSION ver;
	TPM_AUTH auth;
	TSS_RESULT rc;

	*non_volatile = *volatile_flags = 0;
	if ((rc = session_oiap_begin(ctx, tpm->usage_policy, tpm->handle,
				     TPM_ORD_GetCapabilityOwner, NULL, 0, &s, &auth)) !=
	    TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(ctx, TCSD_ORD_GETCAPABILITYOWNER, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_version(m, &ver);
	rpc_get_u32(m, non_volatile);
	rpc_get_u32(m, volatile_flags);
	rpc_get_auth(m, &auth);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	buf_store_be32(nv_be, *non_volatile);
	buf_store_be32(v_be, *volatile_flags);
	rc = SESSION_VERIFY_PIECES(&s, &auth, { &ver, 4 }, { nv_be, 4 }, { v_be, 4 });
out:
	rpc_end(m);
	session_end(&s, rc);
	return rc;
}

TSS_RESULT Tspi_TPM_GetCapability(TSS_HTPM hTPM, TSS_FLAG capArea, UINT32 ulSubCapLength,
				  BYTE *rgbSubCap, UINT32 *pulRespDataLength, BYTE **prgbRespData)
{
	const struct cap_map *e = NULL;
	UINT32 area, sub = 0, in_sub = 0, len = 0, nv, vol;
	bool need_sub = false, raw = false;
	BYTE sub_be[4], *resp = NULL, flags[8];
	struct obj *o;
	TSS_RESULT rc;

	if (pulRespDataLength == NULL || prgbRespData == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if (rgbSubCap != NULL && ulSubCapLength == sizeof(UINT32))
		memcpy(&in_sub, rgbSubCap, sizeof(in_sub));

	switch (capArea) {
	case TSS_TPMCAP_ORD:
		area = TPM_CAP_ORD, need_sub = true, sub = in_sub;
		break;
	case TSS_TPMCAP_ALG:
	case TSS_TPMCAP_AUTH_ENCRYPT:
		area = capArea == TSS_TPMCAP_ALG ? TPM_CAP_ALG : TPM_CAP_AUTH_ENCRYPT;
		need_sub = true;
		e = MAP_LOOKUP(alg_map, in_sub);
		sub = e != NULL ? e->tpm : in_sub;
		break;
	case TSS_TPMCAP_PROPERTY:
		area = TPM_CAP_PROPERTY, need_sub = true;
		e = MAP_LOOKUP(property_map, in_sub);
		if (e == NULL && ulSubCapLength == sizeof(UINT32) && rgbSubCap != NULL)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		sub = e != NULL ? e->tpm : 0;
		raw = e != NULL && e->raw;
		break;
	case TSS_TPMCAP_VERSION:
		area = TPM_CAP_VERSION, raw = true;
		break;
	case TSS_TPMCAP_VERSION_VAL:
		area = TPM_CAP_VERSION_VAL, raw = true;
		break;
	case TSS_TPMCAP_MFR:
		area = TPM_CAP_MFR, raw = true;
		break;
	case TSS_TPMCAP_NV_LIST:
		area = TPM_CAP_NV_LIST, raw = true;
		break;
	case TSS_TPMCAP_NV_INDEX:
		area = TPM_CAP_NV_INDEX, need_sub = true, sub = in_sub;
		break;
	case TSS_TPMCAP_SYM_MODE:
		area = TPM_CAP_SYM_MODE, need_sub = true, sub = in_sub;
		break;
	case TSS_TPMCAP_HANDLE:
		area = TPM_CAP_HANDLE, need_sub = true, sub = in_sub;
		break;
	case TSS_TPMCAP_TRANS_ES:
		area = TPM_CAP_TRANS_ES, need_sub = true;
		e = MAP_LOOKUP(es_map, in_sub);
		sub = e != NULL ? e->tpm : in_sub;
		break;
	case TSS_TPMCAP_FLAG:
		area = 0;
		break;
	default:
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
	if (need_sub && (ulSubCapLength != sizeof(UINT32) || rgbSubCap == NULL))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if (capArea == TSS_TPMCAP_FLAG) {
		/* TrouSerS answers this with owner-authorised flags: nonVolatile || volatile. */
		if ((rc = owner_flags(o, &nv, &vol)) == TSS_SUCCESS) {
			buf_store_be32(flags, nv);
			buf_store_be32(flags + 4, vol);
			rc = out_bytes(o->ctx, flags, sizeof(flags), pulRespDataLength, prgbRespData);
		}
		goto out;
	}
	/* The sub-capability goes big-endian, with the length the application gave. */
	buf_store_be32(sub_be, sub);
	rc = tpm_get_capability(o->ctx, area, sub_be, ulSubCapLength == sizeof(UINT32) ? 4 : 0,
				TPM_CAP_RESP_MAX, &len, &resp);
	if (rc != TSS_SUCCESS)
		goto out;
	/* Numbers come back in host order, as TrouSerS converts them (TSS 1.2 §4.3.4.4.3). */
	if (!raw && len == 4) {
		UINT32 v = (UINT32)resp[0] << 24 | (UINT32)resp[1] << 16 | (UINT32)resp[2] << 8 | resp[3];

		memcpy(resp, &v, 4);
	} else if (!raw && len == 2) {
		UINT16 v = (UINT16)(resp[0] << 8 | resp[1]);

		memcpy(resp, &v, 2);
	}
	rc = out_bytes(o->ctx, resp, len, pulRespDataLength, prgbRespData);
out:
	free(resp);
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_TPM_GetCapabilitySigned(TSS_HTPM hTPM, TSS_HKEY hKey, TSS_FLAG capArea,
					UINT32 ulSubCapLength, BYTE *rgbSubCap,
					TSS_VALIDATION *pValidationData, UINT32 *pulRespDataLength,
					BYTE **prgbRespData)
{
	/* Withdrawn for a vulnerability; TrouSerS does not implement it either. */
	return TSP_ERROR(TSS_E_NOTIMPL);
}

/* ---- random numbers ---- */

TSS_RESULT Tspi_TPM_GetRandom(TSS_HTPM hTPM, UINT32 ulRandomDataLength, BYTE **prgbRandomData)
{
	struct rpc_msg *m = NULL;
	BYTE *bytes = NULL, *out;
	UINT32 n = 0;
	struct obj *o;
	TSS_RESULT rc;

	if (prgbRandomData == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if (ulRandomDataLength == 0) {
		/* TrouSerS returns success and no bytes. */
		*prgbRandomData = NULL;
		goto out;
	}
	out = ctx_alloc(o->ctx, ulRandomDataLength);
	if (out == NULL) {
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	/* The TPM may return fewer bytes than asked (Part 3 §13.6): ask again for the rest. */
	for (UINT32 got = 0; got < ulRandomDataLength; got += n) {
		UINT32 want = ulRandomDataLength - got;

		if (want > TPM_RANDOM_MAX)
			want = TPM_RANDOM_MAX;
		if ((rc = rpc_begin(o->ctx, TCSD_ORD_GETRANDOM, &m)) != TSS_SUCCESS)
			break;
		rpc_put_u32(m, want);
		if ((rc = rpc_call(m)) == TSS_SUCCESS) {
			rpc_get_sized(m, want, &n, &bytes);
			rc = rpc_get_done(m);
		}
		rpc_end(m);
		m = NULL;
		if (rc == TSS_SUCCESS && n == 0)
			rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		if (rc != TSS_SUCCESS)
			break;
		memcpy(out + got, bytes, n);
		OPENSSL_cleanse(bytes, n);
		free(bytes);
		bytes = NULL;
	}
	if (rc != TSS_SUCCESS)
		ctx_free(o->ctx, out);
	else
		*prgbRandomData = out;
out:
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_TPM_StirRandom(TSS_HTPM hTPM, UINT32 ulEntropyDataLength, BYTE *rgbEntropyData)
{
	struct rpc_msg *m;
	struct obj *o;
	TSS_RESULT rc;

	/* TPM_StirRandom takes at most 255 bytes (Part 3 §13.7). */
	if (ulEntropyDataLength > 255 || (rgbEntropyData == NULL && ulEntropyDataLength != 0))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_STIRRANDOM, &m)) == TSS_SUCCESS) {
		rpc_put_u32(m, ulEntropyDataLength);
		rpc_put_bytes(m, rgbEntropyData, ulEntropyDataLength);
		rc = rpc_call(m);
		rpc_end(m);
	}
	obj_release(o);
	return rc;
}

/* ---- PCRs ---- */

TSS_RESULT Tspi_TPM_PcrRead(TSS_HTPM hTPM, UINT32 ulPcrIndex, UINT32 *pulPcrValueLength,
			    BYTE **prgbPcrValue)
{
	struct rpc_msg *m;
	BYTE value[20];
	struct obj *o;
	TSS_RESULT rc;

	if (pulPcrValueLength == NULL || prgbPcrValue == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_PCRREAD, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, ulPcrIndex);
	if ((rc = rpc_call(m)) == TSS_SUCCESS) {
		rpc_get_digest(m, value);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	if (rc == TSS_SUCCESS)
		rc = out_bytes(o->ctx, value, sizeof(value), pulPcrValueLength, prgbPcrValue);
out:
	obj_release(o);
	return rc;
}

static TSS_RESULT log_pcr_event(struct tspi_ctx *ctx, const TSS_PCR_EVENT *ev)
{
	struct rpc_msg *m;
	UINT32 number;
	TSS_RESULT rc;

	if ((rc = rpc_begin(ctx, TCSD_ORD_LOGPCREVENT, &m)) != TSS_SUCCESS)
		return rc;
	rpc_put_pcr_event(m, ev);
	if ((rc = rpc_call(m)) == TSS_SUCCESS) {
		rpc_get_u32(m, &number);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	return rc;
}

TSS_RESULT Tspi_TPM_PcrExtend(TSS_HTPM hTPM, UINT32 ulPcrIndex, UINT32 ulPcrDataLength,
			      BYTE *pbPcrData, TSS_PCR_EVENT *pPcrEvent,
			      UINT32 *pulPcrValueLength, BYTE **prgbPcrValue)
{
	BYTE digest[20], value[20], idx_be[4], type_be[4];
	struct rpc_msg *m;
	struct obj *o;
	TSS_RESULT rc;

	if (pulPcrValueLength == NULL || prgbPcrValue == NULL ||
	    (ulPcrDataLength > 0 && pbPcrData == NULL))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if (pPcrEvent != NULL) {
		if (pPcrEvent->ulEventLength > 0 && pPcrEvent->rgbEvent == NULL)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		/* TSS 1.2 §2.6.2 (TSS_PCR_EVENT.rgbPcrValue): what gets extended for a logged event. */
		buf_store_be32(idx_be, ulPcrIndex);
		buf_store_be32(type_be, pPcrEvent->eventType);
		if (CRYPTO_SHA1_PIECES(digest, { idx_be, 4 }, { pbPcrData, ulPcrDataLength },
				       { type_be, 4 },
				       { pPcrEvent->rgbEvent, pPcrEvent->ulEventLength }) != 0)
			return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	} else {
		if (ulPcrDataLength != sizeof(digest))
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		memcpy(digest, pbPcrData, sizeof(digest));
	}
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_EXTEND, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, ulPcrIndex);
	rpc_put_digest(m, digest);
	if ((rc = rpc_call(m)) == TSS_SUCCESS) {
		rpc_get_digest(m, value);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	if (rc != TSS_SUCCESS)
		goto out;
	if (pPcrEvent != NULL) {
		/* The event as logged: index, version 1.1, the value extended (TrouSerS). */
		pPcrEvent->ulPcrIndex = ulPcrIndex;
		pPcrEvent->versionInfo.bMajor = 1;
		pPcrEvent->versionInfo.bMinor = 1;
		pPcrEvent->versionInfo.bRevMajor = 0;
		pPcrEvent->versionInfo.bRevMinor = 0;
		pPcrEvent->rgbPcrValue = ctx_memdup(o->ctx, digest, sizeof(digest));
		if (pPcrEvent->rgbPcrValue == NULL) {
			rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
			goto out;
		}
		pPcrEvent->ulPcrValueLength = sizeof(digest);
		if ((rc = log_pcr_event(o->ctx, pPcrEvent)) != TSS_SUCCESS)
			goto out;
	}
	rc = out_bytes(o->ctx, value, sizeof(value), pulPcrValueLength, prgbPcrValue);
out:
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_TPM_PcrReset(TSS_HTPM hTPM, TSS_HPCRS hPcrComposite)
{
	uint8_t *sel = NULL;
	size_t sel_len = 0;
	struct obj *o, *pcrs;
	struct rpc_msg *m;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(o->ctx, hPcrComposite, OBJ_PCRS, &pcrs)) != TSS_SUCCESS)
		goto out;
	if ((rc = pcrs_build_selection(pcrs, &sel, &sel_len)) != TSS_SUCCESS)
		goto out;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_PCRRESET, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, (UINT32)sel_len);
	rpc_put_bytes(m, sel, (UINT32)sel_len);
	rc = rpc_call(m);
	rpc_end(m);
out:
	free(sel);
	obj_release(o);
	return rc;
}

/* ---- self test ---- */

TSS_RESULT Tspi_TPM_SelfTestFull(TSS_HTPM hTPM)
{
	struct rpc_msg *m;
	struct obj *o;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_SELFTESTFULL, &m)) == TSS_SUCCESS) {
		rc = rpc_call(m);
		rpc_end(m);
	}
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_TPM_GetTestResult(TSS_HTPM hTPM, UINT32 *pulTestResultLength,
				  BYTE **prgbTestResult)
{
	struct rpc_msg *m;
	BYTE *res = NULL;
	UINT32 n = 0;
	struct obj *o;
	TSS_RESULT rc;

	if (pulTestResultLength == NULL || prgbTestResult == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_GETTESTRESULT, &m)) != TSS_SUCCESS)
		goto out;
	if ((rc = rpc_call(m)) == TSS_SUCCESS) {
		rpc_get_sized(m, TPM_BLOB_MAX, &n, &res);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	if (rc == TSS_SUCCESS)
		rc = out_bytes(o->ctx, res, n, pulTestResultLength, prgbTestResult);
	free(res);
out:
	obj_release(o);
	return rc;
}

/* Tspi_TPM_CertifySelfTest: tspi_admin.c. */

/* ---- endorsement key ---- */

/* TPM_ReadPubek (Part 3 §27.6): checksum = SHA1(pubEndorsementKey || antiReplay). */
static TSS_RESULT read_pubek(struct tspi_ctx *ctx, const BYTE nonce[20], BYTE **pub,
			     UINT32 *pub_len, BYTE checksum[20])
{
	struct rpc_msg *m;
	TSS_RESULT rc;

	*pub = NULL;
	*pub_len = 0;
	if ((rc = rpc_begin(ctx, TCSD_ORD_READPUBEK, &m)) != TSS_SUCCESS)
		return rc;
	rpc_put_nonce(m, nonce);
	if ((rc = rpc_call(m)) == TSS_SUCCESS) {
		rpc_get_u32(m, pub_len);
		rpc_get_bytes(m, *pub_len, TPM_BLOB_MAX, pub);
		rpc_get_digest(m, checksum);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	if (rc == TSS_SUCCESS && *pub_len == 0)
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
	if (rc != TSS_SUCCESS) {
		free(*pub);
		*pub = NULL;
		*pub_len = 0;
	}
	return rc;
}

/* TPM_OwnerReadPubek (Part 3 §27.7), owner-authorised. */
static TSS_RESULT owner_read_pubek(struct obj *tpm, BYTE **pub, UINT32 *pub_len)
{
	struct session s = { 0 };
	struct rpc_msg *m = NULL;
	TPM_AUTH auth;
	TSS_RESULT rc;

	*pub = NULL;
	*pub_len = 0;
	if ((rc = session_oiap_begin(tpm->ctx, tpm->usage_policy, tpm->handle,
				     TPM_ORD_OwnerReadPubek, NULL, 0, &s, &auth)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(tpm->ctx, TCSD_ORD_OWNERREADPUBEK, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_auth(m, &auth);
	rpc_get_u32(m, pub_len);
	rpc_get_bytes(m, *pub_len, TPM_BLOB_MAX, pub);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	rc = SESSION_VERIFY_PIECES(&s, &auth, { *pub, *pub_len });
out:
	rpc_end(m);
	session_end(&s, rc);
	if (rc != TSS_SUCCESS) {
		free(*pub);
		*pub = NULL;
		*pub_len = 0;
	}
	return rc;
}

/* A key object holding only a public key (the EK), as TrouSerS makes one. */
static TSS_RESULT pubkey_object(struct tspi_ctx *ctx, const BYTE *pub, UINT32 len,
				TSS_HKEY *out)
{
	TSS_HKEY h = 0;
	TSS_RESULT rc;

	*out = 0;
	rc = Tspi_Context_CreateObject(ctx->handle, TSS_OBJECT_TYPE_RSAKEY,
				       TSS_KEY_SIZE_2048 | TSS_KEY_TYPE_LEGACY, &h);
	if (rc != TSS_SUCCESS)
		return rc;
	rc = Tspi_SetAttribData(h, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY, len,
				(BYTE *)pub);
	if (rc != TSS_SUCCESS) {
		Tspi_Context_CloseObject(ctx->handle, h);
		return rc;
	}
	*out = h;
	return TSS_SUCCESS;
}

TSS_RESULT Tspi_TPM_GetPubEndorsementKey(TSS_HTPM hTPM, TSS_BOOL fOwnerAuthorized,
					 TSS_VALIDATION *pValidationData,
					 TSS_HKEY *phEndorsementPubKey)
{
	BYTE nonce[20], checksum[20], expect[20];
	BYTE *pub = NULL, *data;
	UINT32 pub_len = 0;
	struct obj *o;
	TSS_RESULT rc;

	if (phEndorsementPubKey == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if (fOwnerAuthorized) {
		rc = owner_read_pubek(o, &pub, &pub_len);
		goto have_key;
	}
	if (pValidationData != NULL) {
		if (pValidationData->ulExternalDataLength != sizeof(nonce) ||
		    pValidationData->rgbExternalData == NULL) {
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			goto out;
		}
		memcpy(nonce, pValidationData->rgbExternalData, sizeof(nonce));
	} else if (auth_random_nonce(nonce) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if ((rc = read_pubek(o->ctx, nonce, &pub, &pub_len, checksum)) != TSS_SUCCESS)
		goto out;
	if (pValidationData != NULL) {
		/* The caller checks: data = pubEK || nonce, validation = checksum. */
		data = ctx_alloc(o->ctx, (size_t)pub_len + sizeof(nonce));
		pValidationData->rgbValidationData = ctx_memdup(o->ctx, checksum, sizeof(checksum));
		if (data == NULL || pValidationData->rgbValidationData == NULL) {
			rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
			goto out;
		}
		memcpy(data, pub, pub_len);
		memcpy(data + pub_len, nonce, sizeof(nonce));
		pValidationData->rgbData = data;
		pValidationData->ulDataLength = pub_len + sizeof(nonce);
		pValidationData->ulValidationDataLength = sizeof(checksum);
	} else {
		if (CRYPTO_SHA1_PIECES(expect, { pub, pub_len }, { nonce, sizeof(nonce) }) != 0) {
			rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
		if (!crypto_memeq(expect, checksum, sizeof(expect))) {
			log_error("tspi: TPM_ReadPubek checksum does not match the key");
			rc = TSP_ERROR(TSS_E_EK_CHECKSUM);
			goto out;
		}
	}
have_key:
	if (rc == TSS_SUCCESS)
		rc = pubkey_object(o->ctx, pub, pub_len, phEndorsementPubKey);
out:
	free(pub);
	obj_release(o);
	return rc;
}

/* ---- ownership ---- */

/* The EK as an OpenSSL key: from a key object, or read from the TPM (checked). */
static TSS_RESULT ek_public(struct obj *tpm, TSS_HKEY hEk, EVP_PKEY **ek)
{
	BYTE nonce[20], checksum[20], expect[20];
	struct tpm_pubkey pk = { 0 };
	struct obj *key;
	BYTE *pub = NULL;
	UINT32 len = 0;
	TSS_RESULT rc;

	*ek = NULL;
	if (hEk != 0) {
		if ((rc = obj_lookup_in(tpm->ctx, hEk, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
			return rc;
		return rsakey_evp(key, ek);
	}
	if (auth_random_nonce(nonce) != 0)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	if ((rc = read_pubek(tpm->ctx, nonce, &pub, &len, checksum)) != TSS_SUCCESS)
		return rc;
	if (CRYPTO_SHA1_PIECES(expect, { pub, len }, { nonce, 20 }) != 0 ||
	    !crypto_memeq(expect, checksum, 20)) {
		rc = TSP_ERROR(TSS_E_EK_CHECKSUM);
		goto out;
	}
	if (tpm_pubkey_decode(pub, len, &pk) != 0 || pk.algorithm_parms.kind != TPM_PARMS_RSA) {
		log_error("tspi: the TPM's endorsement key is not an RSA TPM_PUBKEY");
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if (crypto_rsa_import_public(pk.pub_key.key, pk.pub_key.key_len,
				     pk.algorithm_parms.rsa.exponent,
				     pk.algorithm_parms.rsa.exponent_len, ek) != 0)
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
out:
	tpm_pubkey_free(&pk);
	free(pub);
	return rc;
}

TSS_RESULT Tspi_TPM_TakeOwnership(TSS_HTPM hTPM, TSS_HKEY hKeySRK, TSS_HKEY hEndorsementPubKey)
{
	BYTE owner[20], srk_secret[20], enc_owner[CRYPTO_RSA_MAX_BYTES],
	     enc_srk[CRYPTO_RSA_MAX_BYTES], in_digest[20];
	BYTE ord_be[4], proto_be[2], eo_len_be[4], es_len_be[4];
	size_t eo_len = 0, es_len = 0, srk_info_len = 0;
	uint8_t *srk_info = NULL;
	BYTE *srk_blob = NULL;
	UINT32 srk_len = 0;
	struct session s = { 0 };
	struct rpc_msg *m = NULL;
	EVP_PKEY *ek = NULL;
	struct obj *o, *srk;
	TPM_AUTH auth;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(o->ctx, hKeySRK, OBJ_RSAKEY, &srk)) != TSS_SUCCESS)
		goto out;
	if ((rc = ek_public(o, hEndorsementPubKey, &ek)) != TSS_SUCCESS)
		goto out;
	/* Part 3 §6.1: both secrets travel OAEP-encrypted to the EK. */
	if ((rc = secret_get(o->ctx, o->usage_policy, true, owner)) != TSS_SUCCESS ||
	    (rc = secret_get(o->ctx, rsakey_usage_policy(srk), true, srk_secret)) != TSS_SUCCESS)
		goto out;
	if (crypto_rsa_encrypt_oaep_tcpa(ek, owner, 20, enc_owner, sizeof(enc_owner), &eo_len) ||
	    crypto_rsa_encrypt_oaep_tcpa(ek, srk_secret, 20, enc_srk, sizeof(enc_srk), &es_len)) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if ((rc = rsakey_get_blob(srk, &srk_info, &srk_info_len)) != TSS_SUCCESS)
		goto out;

	buf_store_be32(ord_be, TPM_ORD_TakeOwnership);
	proto_be[0] = TPM_PID_OWNER >> 8;
	proto_be[1] = TPM_PID_OWNER & 0xff;
	buf_store_be32(eo_len_be, (UINT32)eo_len);
	buf_store_be32(es_len_be, (UINT32)es_len);
	if (CRYPTO_SHA1_PIECES(in_digest, { ord_be, 4 }, { proto_be, 2 }, { eo_len_be, 4 },
			       { enc_owner, eo_len }, { es_len_be, 4 }, { enc_srk, es_len },
			       { srk_info, srk_info_len }) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	/* Authorised by the new owner secret itself (Part 3 §6.1, OIAP). */
	if ((rc = session_oiap(o->ctx, o->usage_policy, o->handle, &s)) != TSS_SUCCESS)
		goto out;
	session_keep_open(&s, false);
	if ((rc = session_auth(&s, TPM_ORD_TakeOwnership, in_digest, &auth)) != TSS_SUCCESS)
		goto out;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_TAKEOWNERSHIP, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u16(m, TPM_PID_OWNER);
	rpc_put_sized(m, enc_owner, (UINT32)eo_len);
	rpc_put_sized(m, enc_srk, (UINT32)es_len);
	rpc_put_sized(m, srk_info, (UINT32)srk_info_len);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_auth(m, &auth);
	rpc_get_u32(m, &srk_len);
	rpc_get_bytes(m, srk_len, TPM_BLOB_MAX, &srk_blob);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if ((rc = SESSION_VERIFY_PIECES(&s, &auth, { srk_blob, srk_len })) != TSS_SUCCESS)
		goto out;
	rc = rsakey_set_blob(srk, srk_blob, srk_len);
out:
	rpc_end(m);
	session_end(&s, rc);
	OPENSSL_cleanse(owner, sizeof(owner));
	OPENSSL_cleanse(srk_secret, sizeof(srk_secret));
	free(srk_info);
	free(srk_blob);
	crypto_rsa_free(ek);
	obj_release(o);
	return rc;
}

TSS_RESULT tpm_owner_cmd(struct obj *tpm, UINT32 tpm_ord, UINT32 tcsd_ord,
			 const struct crypto_iov *params, size_t n_params,
			 void (*put)(struct rpc_msg *m, const void *arg), const void *arg)
{
	struct session s = { 0 };
	struct rpc_msg *m = NULL;
	TPM_AUTH auth;
	TSS_RESULT rc;

	if ((rc = session_oiap_begin(tpm->ctx, tpm->usage_policy, tpm->handle, tpm_ord, params,
				     n_params, &s, &auth)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(tpm->ctx, tcsd_ord, &m)) != TSS_SUCCESS)
		goto out;
	put(m, arg);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_auth(m, &auth);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	rc = session_verify_outputs(&s, &auth, NULL, 0);
out:
	rpc_end(m);
	session_end(&s, rc);
	return rc;
}

static void put_nothing(struct rpc_msg *m, const void *arg)
{
}

static void put_bool(struct rpc_msg *m, const void *arg)
{
	rpc_put_bool(m, *(const BYTE *)arg != 0);
}

/* Owner-authorised commands with no parameter (OwnerClear, ...) or one BOOL (OwnerSetDisable). */
static TSS_RESULT owner_simple(struct obj *tpm, UINT32 tpm_ord, UINT32 tcsd_ord,
			       const BYTE *param, size_t param_len, bool param_is_bool)
{
	const struct crypto_iov params[] = { { param, param_len } };

	return tpm_owner_cmd(tpm, tpm_ord, tcsd_ord, params, param_len > 0 ? 1 : 0,
			     param_len > 0 && param_is_bool ? put_bool : put_nothing, param);
}

/* TPM_SetCapability with a UINT32 sub-capability and a BOOL value, owner-authorised. */
struct set_cap_args {
	UINT32 area;
	BYTE sub_be[4];
	BYTE value;
};

static void put_set_cap(struct rpc_msg *m, const void *arg)
{
	const struct set_cap_args *a = arg;

	rpc_put_u32(m, a->area);
	rpc_put_u32(m, 4);
	rpc_put_bytes(m, a->sub_be, 4);
	rpc_put_u32(m, 1);
	rpc_put_bytes(m, &a->value, 1);
}

static TSS_RESULT set_capability_bool(struct obj *tpm, UINT32 area, UINT32 sub, bool value)
{
	struct set_cap_args a = { .area = area, .value = value ? 1 : 0 };
	BYTE area_be[4], four_be[4], one_be[4];

	buf_store_be32(a.sub_be, sub);
	buf_store_be32(area_be, area);
	buf_store_be32(four_be, 4);
	buf_store_be32(one_be, 1);
	{
		const struct crypto_iov params[] = {
			{ area_be, 4 }, { four_be, 4 }, { a.sub_be, 4 }, { one_be, 4 }, { &a.value, 1 },
		};

		return tpm_owner_cmd(tpm, TPM_ORD_SetCapability, TCSD_ORD_SETCAPABILITY, params,
				     5, put_set_cap, &a);
	}
}

/* TPM_SetOrdinalAuditStatus: ordinal, then BOOL state. */
struct audit_args {
	UINT32 ordinal;
	BYTE state;
};

static void put_audit(struct rpc_msg *m, const void *arg)
{
	const struct audit_args *a = arg;

	rpc_put_u32(m, a->ordinal);
	rpc_put_bool(m, a->state != 0);
}

static TSS_RESULT set_ordinal_audit(struct obj *tpm, UINT32 ordinal, bool audit)
{
	struct audit_args a = { .ordinal = ordinal, .state = audit ? 1 : 0 };
	BYTE ord_be[4];

	buf_store_be32(ord_be, ordinal);
	{
		const struct crypto_iov params[] = { { ord_be, 4 }, { &a.state, 1 } };

		return tpm_owner_cmd(tpm, TPM_ORD_SetOrdinalAuditStatus,
				     TCSD_ORD_SETORDINALAUDITSTATUS, params, 2, put_audit, &a);
	}
}

/* A TCS call with no parameters beyond an optional BOOL (physical-presence commands). */
static TSS_RESULT tcs_simple(struct tspi_ctx *ctx, UINT32 tcsd_ord, int bool_param)
{
	struct rpc_msg *m;
	TSS_RESULT rc;

	if ((rc = rpc_begin(ctx, tcsd_ord, &m)) != TSS_SUCCESS)
		return rc;
	if (bool_param >= 0)
		rpc_put_bool(m, bool_param != 0);
	rc = rpc_call(m);
	rpc_end(m);
	return rc;
}

TSS_RESULT Tspi_TPM_ClearOwner(TSS_HTPM hTPM, TSS_BOOL fForcedClear)
{
	struct obj *o;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if (fForcedClear)	/* physical presence, no auth (Part 3 §6.4) */
		rc = tcs_simple(o->ctx, TCSD_ORD_FORCECLEAR, -1);
	else
		rc = owner_simple(o, TPM_ORD_OwnerClear, TCSD_ORD_OWNERCLEAR, NULL, 0, false);
	/* Every session died with the owner (Part 3 §6.3): forget the cached ones. */
	if (rc == TSS_SUCCESS)
		session_cache_free(o->ctx);
	obj_release(o);
	return rc;
}

/* ---- status flags ---- */

/*
 * Where each TSS_TPMSTATUS_* lives in GetCapabilityOwner's bit maps:
 * bit n is capability flag index n + 1 (Part 2 §7.1, §7.2, §17).
 * "invert": the TSS flag says the opposite of the TPM's (DISABLEPUBEKREAD
 * is TRUE when readPubek is FALSE).
 */
static const struct {
	TSS_FLAG flag;
	bool volatile_map;
	unsigned int bit;
	bool invert;
} status_bits[] = {
	{ TSS_TPMSTATUS_DISABLED, false, 0, false },
	{ TSS_TPMSTATUS_OWNERSETDISABLE, false, 0, false },
	{ TSS_TPMSTATUS_SETOWNERINSTALL, false, 1, false },
	{ TSS_TPMSTATUS_DEACTIVATED, false, 2, false },
	{ TSS_TPMSTATUS_PHYSICALSETDEACTIVATED, false, 2, false },
	{ TSS_TPMSTATUS_DISABLEPUBEKREAD, false, 3, true },
	{ TSS_TPMSTATUS_DISABLEOWNERCLEAR, false, 4, false },
	{ TSS_TPMSTATUS_ALLOWMAINTENANCE, false, 5, false },
	{ TSS_TPMSTATUS_PHYSPRES_LIFETIMELOCK, false, 6, false },
	{ TSS_TPMSTATUS_PHYSPRES_HWENABLE, false, 7, false },
	{ TSS_TPMSTATUS_PHYSPRES_CMDENABLE, false, 8, false },
	{ TSS_TPMSTATUS_CEKP_USED, false, 9, false },
	{ TSS_TPMSTATUS_TPMPOST, false, 10, false },
	{ TSS_TPMSTATUS_TPMPOSTLOCK, false, 11, false },
	{ TSS_TPMSTATUS_FIPS, false, 12, false },
	{ TSS_TPMSTATUS_OPERATORINSTALLED, false, 13, false },
	{ TSS_TPMSTATUS_ENABLEREVOKEEK, false, 14, false },
	{ TSS_TPMSTATUS_NV_LOCK, false, 15, false },
	{ TSS_TPMSTATUS_DISABLEPUBSRKREAD, false, 16, true },
	{ TSS_TPMSTATUS_TPM_ESTABLISHED, false, 17, false },
	{ TSS_TPMSTATUS_MAINTENANCEUSED, false, 18, false },
	{ TSS_TPMSTATUS_SETTEMPDEACTIVATED, true, 0, false },
	{ TSS_TPMSTATUS_DISABLEFORCECLEAR, true, 1, false },
	{ TSS_TPMSTATUS_PHYSPRESENCE, true, 2, false },
	{ TSS_TPMSTATUS_PHYSPRES_LOCK, true, 3, false },
};

TSS_RESULT Tspi_TPM_GetStatus(TSS_HTPM hTPM, TSS_FLAG statusFlag, TSS_BOOL *pfTpmState)
{
	UINT32 nv = 0, vol = 0;
	struct obj *o;
	TSS_RESULT rc;
	size_t i;

	if (pfTpmState == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	/* No TPM command reports it (TrouSerS answers the same). */
	if (statusFlag == TSS_TPMSTATUS_POSTINITIALISE)
		return TSP_ERROR(TSS_E_NOTIMPL);
	for (i = 0; i < sizeof(status_bits) / sizeof(status_bits[0]); i++)
		if (status_bits[i].flag == statusFlag)
			break;
	if (i == sizeof(status_bits) / sizeof(status_bits[0]))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = owner_flags(o, &nv, &vol)) == TSS_SUCCESS) {
		bool set = ((status_bits[i].volatile_map ? vol : nv) >> status_bits[i].bit) & 1;

		*pfTpmState = set != status_bits[i].invert;
	}
	obj_release(o);
	return rc;
}

/* TSC_PhysicalPresence (Part 3 §5.6 of the TSC spec) through the TCS. */
static TSS_RESULT physical_presence(struct tspi_ctx *ctx, UINT16 pp)
{
	struct rpc_msg *m;
	TSS_RESULT rc;

	if ((rc = rpc_begin(ctx, TCSD_ORD_PHYSICALPRESENCE, &m)) != TSS_SUCCESS)
		return rc;
	rpc_put_u16(m, pp);
	rc = rpc_call(m);
	rpc_end(m);
	return rc;
}

/*
 * TPM_SetTempDeactivated: a 1.2 TPM takes it with the operator's
 * authorisation when an operator policy is assigned (Part 3 §9.3), a 1.1
 * TPM without any (TrouSerS picks by the TCS's TPM version the same way).
 */
static TSS_RESULT set_temp_deactivated(struct obj *tpm)
{
	BYTE ord_be[4], in_digest[20];
	struct session s = { 0 };
	struct rpc_msg *m = NULL;
	TPM_AUTH auth;
	TSS_RESULT rc;

	if (tpm->ctx->tcs_tpm_version < 2)
		return tcs_simple(tpm->ctx, TCSD_ORD_SETTEMPDEACTIVATED, -1);
	buf_store_be32(ord_be, TPM_ORD_SetTempDeactivated);
	if (tpm->operator_policy != 0) {
		if (crypto_sha1(ord_be, 4, in_digest) != 0)
			return TSP_ERROR(TSS_E_INTERNAL_ERROR);
		if ((rc = session_oiap(tpm->ctx, tpm->operator_policy, tpm->handle, &s)))
			return rc;
		if ((rc = session_auth(&s, TPM_ORD_SetTempDeactivated, in_digest, &auth)))
			goto out;
	}
	if ((rc = rpc_begin(tpm->ctx, TCSD_ORD_SETTEMPDEACTIVATED2, &m)) != TSS_SUCCESS)
		goto out;
	/* Without an operator, TrouSerS' wire form is an all-zero AUTH, not none. */
	if (tpm->operator_policy == 0)
		memset(&auth, 0, sizeof(auth));
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS || tpm->operator_policy == 0)
		goto out;
	rpc_get_auth(m, &auth);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	rc = session_verify_outputs(&s, &auth, NULL, 0);
out:
	rpc_end(m);
	if (tpm->operator_policy != 0)
		session_end(&s, rc);
	return rc;
}

TSS_RESULT Tspi_TPM_SetStatus(TSS_HTPM hTPM, TSS_FLAG statusFlag, TSS_BOOL fTpmState)
{
	BYTE state = fTpmState ? 1 : 0;
	struct obj *o;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	switch (statusFlag) {
	case TSS_TPMSTATUS_DISABLED:
	case TSS_TPMSTATUS_OWNERSETDISABLE:
		rc = owner_simple(o, TPM_ORD_OwnerSetDisable, TCSD_ORD_OWNERSETDISABLE, &state, 1,
				  true);
		break;
	case TSS_TPMSTATUS_DISABLEOWNERCLEAR:
		rc = owner_simple(o, TPM_ORD_DisableOwnerClear, TCSD_ORD_DISABLEOWNERCLEAR, NULL, 0,
				  false);
		break;
	case TSS_TPMSTATUS_DISABLEPUBEKREAD:
		rc = owner_simple(o, TPM_ORD_DisablePubekRead, TCSD_ORD_DISABLEPUBEKREAD, NULL, 0,
				  false);
		break;
	case TSS_TPMSTATUS_RESETLOCK:	/* the state is ignored, as in TrouSerS */
		rc = owner_simple(o, TPM_ORD_ResetLockValue, TCSD_ORD_RESETLOCKVALUE, NULL, 0,
				  false);
		break;
	case TSS_TPMSTATUS_DISABLEFORCECLEAR:
		rc = tcs_simple(o->ctx, TCSD_ORD_DISABLEFORCECLEAR, -1);
		break;
	case TSS_TPMSTATUS_PHYSICALDISABLE:
		rc = tcs_simple(o->ctx, fTpmState ? TCSD_ORD_PHYSICALDISABLE :
						    TCSD_ORD_PHYSICALENABLE, -1);
		break;
	case TSS_TPMSTATUS_DEACTIVATED:
	case TSS_TPMSTATUS_PHYSICALSETDEACTIVATED:
		rc = tcs_simple(o->ctx, TCSD_ORD_PHYSICALSETDEACTIVATED, fTpmState);
		break;
	case TSS_TPMSTATUS_SETTEMPDEACTIVATED:
		rc = set_temp_deactivated(o);
		break;
	case TSS_TPMSTATUS_SETOWNERINSTALL:
		rc = tcs_simple(o->ctx, TCSD_ORD_SETOWNERINSTALL, fTpmState);
		break;
	case TSS_TPMSTATUS_ALLOWMAINTENANCE:
		/* Only ever cleared, by TPM_KillMaintenanceFeature (issue 4). */
		rc = fTpmState ? TSP_ERROR(TSS_E_BAD_PARAMETER) : TSP_ERROR(TSS_E_NOTIMPL);
		break;
	case TSS_TPMSTATUS_PHYSPRES_LIFETIMELOCK:
		rc = physical_presence(o->ctx, TPM_PHYSICAL_PRESENCE_LIFETIME_LOCK);
		break;
	case TSS_TPMSTATUS_PHYSPRES_HWENABLE:
		rc = physical_presence(o->ctx, fTpmState ? TPM_PHYSICAL_PRESENCE_HW_ENABLE :
							   TPM_PHYSICAL_PRESENCE_HW_DISABLE);
		break;
	case TSS_TPMSTATUS_PHYSPRES_CMDENABLE:
		rc = physical_presence(o->ctx, fTpmState ? TPM_PHYSICAL_PRESENCE_CMD_ENABLE :
							   TPM_PHYSICAL_PRESENCE_CMD_DISABLE);
		break;
	case TSS_TPMSTATUS_PHYSPRES_LOCK:
		rc = physical_presence(o->ctx, TPM_PHYSICAL_PRESENCE_LOCK);
		break;
	case TSS_TPMSTATUS_PHYSPRESENCE:
		rc = physical_presence(o->ctx, fTpmState ? TPM_PHYSICAL_PRESENCE_PRESENT :
							   TPM_PHYSICAL_PRESENCE_NOTPRESENT);
		break;
	case TSS_TPMSTATUS_DISABLEPUBSRKREAD:
		/* The TPM's flag is readSRKPub: TRUE allows the read (Part 2 §7.1). */
		rc = set_capability_bool(o, TPM_SET_PERM_FLAGS, TPM_PF_READSRKPUB, !fTpmState);
		break;
	default:
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		break;
	}
	obj_release(o);
	return rc;
}

/* ---- event log ---- */

/* Moves a wire event's memory into context memory (the application frees it with FreeMemory). */
static TSS_RESULT event_to_ctx(struct tspi_ctx *ctx, TSS_PCR_EVENT *ev)
{
	BYTE *value = ev->rgbPcrValue, *event = ev->rgbEvent;
	TSS_RESULT rc = TSS_SUCCESS;

	ev->rgbPcrValue = NULL;
	ev->rgbEvent = NULL;
	if (value != NULL && (ev->rgbPcrValue = ctx_memdup(ctx, value, ev->ulPcrValueLength)) == NULL)
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
	if (event != NULL && (ev->rgbEvent = ctx_memdup(ctx, event, ev->ulEventLength)) == NULL)
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
	free(value);
	free(event);
	return rc;
}

TSS_RESULT Tspi_TPM_GetEvent(TSS_HTPM hTPM, UINT32 ulPcrIndex, UINT32 ulEventNumber,
			     TSS_PCR_EVENT *pPcrEvent)
{
	struct rpc_msg *m;
	UINT32 number = ulEventNumber;
	TSS_PCR_EVENT ev;
	struct obj *o;
	TSS_RESULT rc;

	if (pPcrEvent == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_GETPCREVENT, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, ulPcrIndex);
	rpc_put_u32(m, number);
	rpc_put_u8(m, 0);	/* lengthOnly: no, the event itself */
	if ((rc = rpc_call(m)) == TSS_SUCCESS) {
		rpc_get_u32(m, &number);
		rpc_get_pcr_event(m, &ev);
		rc = rpc_get_done(m);
		if (rc == TSS_SUCCESS) {
			rc = event_to_ctx(o->ctx, &ev);
			*pPcrEvent = ev;
		} else {
			free(ev.rgbPcrValue);
			free(ev.rgbEvent);
		}
	}
	rpc_end(m);
out:
	obj_release(o);
	return rc;
}

/* Reads count PCR_EVENT parameters into a context-memory array. */
static TSS_RESULT read_events(struct tspi_ctx *ctx, struct rpc_msg *m, UINT32 count,
			      TSS_PCR_EVENT **out)
{
	TSS_PCR_EVENT *evs;
	TSS_RESULT rc = TSS_SUCCESS;
	UINT32 i;

	*out = NULL;
	if (count == 0)
		return rpc_get_done(m);
	if (count > TPM_EVENTS_MAX)
		return TSP_ERROR(TSS_E_COMM_FAILURE);
	evs = ctx_alloc(ctx, (size_t)count * sizeof(*evs));
	if (evs == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	for (i = 0; i < count; i++) {
		rpc_get_pcr_event(m, &evs[i]);
		if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
			break;
		if ((rc = event_to_ctx(ctx, &evs[i])) != TSS_SUCCESS)
			break;
	}
	if (rc != TSS_SUCCESS) {
		ctx_free(ctx, evs);
		return rc;
	}
	*out = evs;
	return TSS_SUCCESS;
}

TSS_RESULT Tspi_TPM_GetEvents(TSS_HTPM hTPM, UINT32 ulPcrIndex, UINT32 ulStartNumber,
			      UINT32 *pulEventNumber, TSS_PCR_EVENT **prgPcrEvents)
{
	struct rpc_msg *m;
	UINT32 count;
	struct obj *o;
	TSS_RESULT rc;

	if (pulEventNumber == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_GETPCREVENTBYPCR, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, ulPcrIndex);
	rpc_put_u32(m, ulStartNumber);
	rpc_put_u32(m, *pulEventNumber);
	if ((rc = rpc_call(m)) == TSS_SUCCESS) {
		TSS_PCR_EVENT *evs = NULL;

		rpc_get_u32(m, &count);
		rc = read_events(o->ctx, m, count, &evs);
		if (rc == TSS_SUCCESS) {
			*pulEventNumber = count;
			if (prgPcrEvents != NULL)
				*prgPcrEvents = evs;
		}
	}
	rpc_end(m);
out:
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_TPM_GetEventLog(TSS_HTPM hTPM, UINT32 *pulEventNumber,
				TSS_PCR_EVENT **prgPcrEvents)
{
	TSS_PCR_EVENT *evs = NULL;
	struct rpc_msg *m;
	UINT32 count;
	struct obj *o;
	TSS_RESULT rc;

	if (pulEventNumber == NULL || prgPcrEvents == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_GETPCREVENTLOG, &m)) != TSS_SUCCESS)
		goto out;
	if ((rc = rpc_call(m)) == TSS_SUCCESS) {
		rpc_get_u32(m, &count);
		if ((rc = read_events(o->ctx, m, count, &evs)) == TSS_SUCCESS) {
			*pulEventNumber = count;
			*prgPcrEvents = evs;
		}
	}
	rpc_end(m);
out:
	obj_release(o);
	return rc;
}

/* ---- quotes (Part 3 §16.5, §16.6) ---- */

/* Largest signature / composite accepted (4096-bit key, 24 PCRs). */
#define TPM_SIG_MAX 512u
#define TPM_PCRDATA_MAX 1024u

struct quote_args {
	struct obj *tpm, *key, *pcrs;
	bool quote2, add_version;
	BYTE nonce[20];
	/* results, malloc'd */
	BYTE *pcr_data, *version_info, *sig;
	UINT32 pcr_data_len, version_info_len, sig_len;
};

static void quote_args_free(struct quote_args *q)
{
	free(q->pcr_data);
	free(q->version_info);
	free(q->sig);
}

/* Runs TPM_Quote or TPM_Quote2, authorised by the key's usage secret when it needs one. */
static TSS_RESULT quote_call(struct quote_args *q)
{
	BYTE ord_be[4], len_be[4], vlen_be[4], add = q->add_version ? 1 : 0;
	BYTE in_digest[20];
	UINT32 ord = q->quote2 ? TPM_ORD_Quote2 : TPM_ORD_Quote, handle;
	struct session s = { 0 };
	struct rpc_msg *m = NULL;
	bool auth_needed = rsakey_needs_auth(q->key);
	uint8_t *sel = NULL;
	size_t sel_len = 0;
	TPM_AUTH auth;
	TSS_RESULT rc;

	if ((rc = rsakey_tcs_handle(q->key, &handle)) != TSS_SUCCESS)
		return rc;
	if ((rc = pcrs_build_selection(q->pcrs, &sel, &sel_len)) != TSS_SUCCESS)
		return rc;
	buf_store_be32(ord_be, ord);
	if (CRYPTO_SHA1_PIECES(in_digest, { ord_be, 4 }, { q->nonce, 20 }, { sel, sel_len },
			       { &add, q->quote2 ? 1 : 0 }) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if (auth_needed) {
		if ((rc = session_oiap(q->tpm->ctx, rsakey_usage_policy(q->key), q->key->handle,
				       &s)) != TSS_SUCCESS)
			goto out;
		if ((rc = session_auth(&s, ord, in_digest, &auth)) != TSS_SUCCESS)
			goto out;
	}
	if ((rc = rpc_begin(q->tpm->ctx, q->quote2 ? TCSD_ORD_QUOTE2 : TCSD_ORD_QUOTE, &m)))
		goto out;
	rpc_put_u32(m, handle);
	rpc_put_nonce(m, q->nonce);
	rpc_put_u32(m, (UINT32)sel_len);
	rpc_put_bytes(m, sel, (UINT32)sel_len);
	if (q->quote2)
		rpc_put_bool(m, q->add_version);
	if (auth_needed)
		rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (auth_needed)
		rpc_get_auth(m, &auth);
	rpc_get_u32(m, &q->pcr_data_len);
	rpc_get_bytes(m, q->pcr_data_len, TPM_PCRDATA_MAX, &q->pcr_data);
	if (q->quote2) {
		rpc_get_u32(m, &q->version_info_len);
		rpc_get_bytes(m, q->version_info_len, TPM_CAP_RESP_MAX, &q->version_info);
	}
	rpc_get_u32(m, &q->sig_len);
	rpc_get_bytes(m, q->sig_len, TPM_SIG_MAX, &q->sig);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS || !auth_needed)
		goto out;
	buf_store_be32(len_be, q->sig_len);
	buf_store_be32(vlen_be, q->version_info_len);
	if (q->quote2)
		rc = SESSION_VERIFY_PIECES(&s, &auth, { q->pcr_data, q->pcr_data_len },
					   { vlen_be, 4 }, { q->version_info, q->version_info_len },
					   { len_be, 4 }, { q->sig, q->sig_len });
	else
		rc = SESSION_VERIFY_PIECES(&s, &auth, { q->pcr_data, q->pcr_data_len },
					   { len_be, 4 }, { q->sig, q->sig_len });
out:
	rpc_end(m);
	if (auth_needed)
		session_end(&s, rc);
	free(sel);
	return rc;
}

/* The signed structure: TPM_QUOTE_INFO, or TPM_QUOTE_INFO2 || versionInfo. */
static TSS_RESULT quote_info(const struct quote_args *q, uint8_t **out, size_t *out_len)
{
	struct tpm_pcr_composite comp;
	struct tpm_quote_info qi = { .version = { 1, 1, 0, 0 } };
	struct tpm_quote_info2 qi2;
	struct buf_writer w;

	*out = NULL;
	*out_len = 0;
	buf_writer_init_dynamic(&w, TPM_STRUCT_ENCODE_MAX);
	if (q->quote2) {
		if (tpm_pcr_info_short_decode(q->pcr_data, q->pcr_data_len, &qi2.info_short) != 0)
			goto bad;
		memcpy(qi2.external_data, q->nonce, 20);
		tpm_quote_info2_put(&w, &qi2);
		buf_put_bytes(&w, q->version_info, q->version_info_len);
	} else {
		if (tpm_pcr_composite_decode(q->pcr_data, q->pcr_data_len, &comp) != 0)
			goto bad;
		if (tpm_pcr_composite_digest(&comp, qi.digest_value) != 0)
			goto bad;
		memcpy(qi.external_data, q->nonce, 20);
		tpm_quote_info_put(&w, &qi);
	}
	if (buf_writer_error(&w) != 0)
		goto bad;
	*out = buf_writer_steal(&w, out_len);
	return *out != NULL ? TSS_SUCCESS : TSP_ERROR(TSS_E_OUTOFMEMORY);
bad:
	buf_writer_free(&w);
	log_error("tspi: the TCS returned malformed quote data");
	return TSP_ERROR(TSS_E_COMM_FAILURE);
}

static TSS_RESULT quote_common(TSS_HTPM hTPM, TSS_HKEY hKey, TSS_HPCRS hPcrs, bool quote2,
			       bool add_version, TSS_VALIDATION *val, UINT32 *vi_len, BYTE **vi)
{
	struct quote_args q = { .quote2 = quote2, .add_version = add_version };
	struct tpm_pcr_composite comp;
	struct tpm_pubkey pub = { 0 };
	uint8_t *info = NULL;
	size_t info_len = 0;
	BYTE digest[20];
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &q.tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(q.tpm->ctx, hKey, OBJ_RSAKEY, &q.key)) != TSS_SUCCESS ||
	    (rc = obj_lookup_in(q.tpm->ctx, hPcrs, OBJ_PCRS, &q.pcrs)) != TSS_SUCCESS)
		goto out;
	if (val != NULL) {
		if (val->ulExternalDataLength != 20 || val->rgbExternalData == NULL) {
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			goto out;
		}
		memcpy(q.nonce, val->rgbExternalData, 20);
	} else if (auth_random_nonce(q.nonce) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if ((rc = quote_call(&q)) != TSS_SUCCESS)
		goto out;
	if ((rc = quote_info(&q, &info, &info_len)) != TSS_SUCCESS)
		goto out;
	/* The PCR values the TPM quoted go back into the composite (TSS 1.2 §4.3.4.7.23). */
	if (!quote2) {
		if (tpm_pcr_composite_decode(q.pcr_data, q.pcr_data_len, &comp) != 0 ||
		    (rc = pcrs_set_composite(q.pcrs, &comp)) != TSS_SUCCESS) {
			rc = rc != TSS_SUCCESS ? rc : TSP_ERROR(TSS_E_COMM_FAILURE);
			goto out;
		}
	}
	if (val != NULL) {
		/* The caller verifies: data = the quote info, validation = the signature. */
		val->rgbData = ctx_memdup(q.tpm->ctx, info, info_len);
		val->rgbValidationData = ctx_memdup(q.tpm->ctx, q.sig, q.sig_len);
		if (val->rgbData == NULL || val->rgbValidationData == NULL) {
			rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
			goto out;
		}
		val->ulDataLength = (UINT32)info_len;
		val->ulValidationDataLength = q.sig_len;
	} else {
		if (crypto_sha1(info, info_len, digest) != 0 ||
		    tpm_key_to_pubkey(&rsakey_of(q.key)->key, &pub) != 0) {
			rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
		if ((rc = keys_verify_signature(&pub, digest, 20, q.sig, q.sig_len)) != TSS_SUCCESS) {
			log_error("tspi: the quote's signature does not verify");
			goto out;
		}
	}
	if (quote2 && vi != NULL && vi_len != NULL) {
		*vi = NULL;
		*vi_len = 0;
		if (q.version_info_len > 0)
			rc = out_bytes(q.tpm->ctx, q.version_info, q.version_info_len, vi_len, vi);
	}
out:
	tpm_pubkey_free(&pub);
	free(info);
	quote_args_free(&q);
	obj_release(q.tpm);
	return rc;
}

TSS_RESULT Tspi_TPM_Quote(TSS_HTPM hTPM, TSS_HKEY hIdentKey, TSS_HPCRS hPcrComposite,
			  TSS_VALIDATION *pValidationData)
{
	return quote_common(hTPM, hIdentKey, hPcrComposite, false, false, pValidationData, NULL,
			    NULL);
}

TSS_RESULT Tspi_TPM_Quote2(TSS_HTPM hTPM, TSS_HKEY hIdentKey, TSS_BOOL fAddVersion,
			   TSS_HPCRS hPcrComposite, TSS_VALIDATION *pValidationData,
			   UINT32 *versionInfoSize, BYTE **versionInfo)
{
	if (fAddVersion && (versionInfoSize == NULL || versionInfo == NULL))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	return quote_common(hTPM, hIdentKey, hPcrComposite, true, fAddVersion, pValidationData,
			    versionInfoSize, versionInfo);
}

/* ---- owner auth change (Tspi_ChangeAuth on the TPM object) ---- */

/* TPM_ChangeAuthOwner (Part 3 §17.2) on the owner's own secret: no parent. */
static TSS_RESULT tpm_change_auth(struct obj *o, struct obj *parent, struct obj *new_policy)
{
	if (parent != NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	return owner_change_auth(o, TPM_ET_OWNER, o, new_policy);
}

/* ---- attributes ---- */

static TSS_CALLBACK *tpm_callback(struct tpm_obj *t, TSS_FLAG flag)
{
	if (flag == TSS_TSPATTRIB_TPM_CALLBACK_COLLATEIDENTITY)
		return &t->cb_collate;
	if (flag == TSS_TSPATTRIB_TPM_CALLBACK_ACTIVATEIDENTITY)
		return &t->cb_activate;
	return NULL;
}

static int cred_index(TSS_FLAG sub)
{
	switch (sub) {
	case TSS_TPMATTRIB_EKCERT:
		return 0;
	case TSS_TPMATTRIB_TPM_CC:
		return 1;
	case TSS_TPMATTRIB_PLATFORMCERT:
		return 2;
	case TSS_TPMATTRIB_PLATFORM_CC:
		return 3;
	default:
		return -1;
	}
}

static TSS_RESULT tpm_get_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *val)
{
	return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
}

/*
 * TSS_TSPATTRIB_TPM_ORDINAL_AUDIT_STATUS: val is the ordinal, the
 * sub-flag says set or clear (TrouSerS' way to reach
 * TPM_SetOrdinalAuditStatus; the TSS 1.2 API has no function for it).
 */
static TSS_RESULT tpm_set_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 val)
{
	if (flag != TSS_TSPATTRIB_TPM_ORDINAL_AUDIT_STATUS)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if (sub == TPM_CAP_PROP_TPM_SET_ORDINAL_AUDIT)
		return set_ordinal_audit(o, val, true);
	if (sub == TPM_CAP_PROP_TPM_CLEAR_ORDINAL_AUDIT)
		return set_ordinal_audit(o, val, false);
	return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
}

static TSS_RESULT tpm_get_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *len,
			       BYTE **data)
{
	struct tpm_obj *t = o->data;
	TSS_CALLBACK *cb = tpm_callback(t, flag);
	int i;

	if (cb != NULL)
		return out_bytes(o->ctx, cb, sizeof(*cb), len, data);
	if (flag != TSS_TSPATTRIB_TPM_CREDENTIAL)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if ((i = cred_index(sub)) < 0)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	return out_bytes(o->ctx, t->cred[i], t->cred_len[i], len, data);
}

/* Credentials are certificates: a few KiB. */
#define TPM_CRED_MAX 65536u

static TSS_RESULT tpm_set_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 len,
			       const BYTE *data)
{
	struct tpm_obj *t = o->data;
	TSS_CALLBACK *cb = tpm_callback(t, flag);
	BYTE *copy;
	int i;

	if (cb != NULL) {
		if (data == NULL)
			memset(cb, 0, sizeof(*cb));
		else
			memcpy(cb, data, sizeof(*cb));
		return TSS_SUCCESS;
	}
	if (flag != TSS_TSPATTRIB_TPM_CREDENTIAL)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if ((i = cred_index(sub)) < 0)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	if (len > TPM_CRED_MAX || (len > 0 && data == NULL))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	copy = malloc(len > 0 ? len : 1);
	if (copy == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	if (len > 0)
		memcpy(copy, data, len);
	free(t->cred[i]);
	t->cred[i] = copy;
	t->cred_len[i] = len;
	return TSS_SUCCESS;
}

const struct obj_class obj_class_tpm = {
	.type = OBJ_TPM,
	.name = "tpm",
	.create = tpm_create,
	.destroy = tpm_destroy,
	.get_u32 = tpm_get_u32,
	.set_u32 = tpm_set_u32,
	.get_data = tpm_get_data,
	.set_data = tpm_set_data,
	.change_auth = tpm_change_auth,
	.policy_kinds = 1u << TSS_POLICY_USAGE | 1u << TSS_POLICY_OPERATOR,
};
