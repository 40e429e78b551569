/*
 * Key registration (TSS 1.2 §4.3.4.4.2-§4.3.4.4.10): system persistent
 * storage lives in the TCS (TCSD RegisterKey & co.), user persistent
 * storage in this process (userps.c, TrouSerS' user.data). Behaviour
 * follows TrouSerS: a user key may have a system parent, not the other
 * way round; key hierarchies merge user entries first, then the TCS's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <tss/tcs_error.h>
#include <tss/tpm_ordinal.h>

#include "keys.h"
#include "log.h"
#include "obj.h"
#include "rpc.h"
#include "session.h"
#include "userps.h"

#define PS_BLOB_MAX 4096
/* No TCS holds more registered keys than this in one listing. */
#define PS_ENUM_MAX 4096
#define PS_VENDOR_MAX 4096

static const char ps_vendor_data[] = PACKAGE_STRING;

static bool uuid_eq(const TSS_UUID *a, const TSS_UUID *b)
{
	return a->ulTimeLow == b->ulTimeLow && a->usTimeMid == b->usTimeMid &&
	       a->usTimeHigh == b->usTimeHigh && a->bClockSeqHigh == b->bClockSeqHigh &&
	       a->bClockSeqLow == b->bClockSeqLow &&
	       memcmp(a->rgbNode, b->rgbNode, sizeof(a->rgbNode)) == 0;
}

/* A loaded key object of ctx registered under uuid, or NULL. */
static struct obj *ps_loaded_key(struct tspi_ctx *ctx, const TSS_UUID *uuid)
{
	struct obj *o = NULL;

	while ((o = obj_next_in(ctx, o, OBJ_RSAKEY)) != NULL) {
		struct rsakey *rk = rsakey_of(o);

		if (rk->loaded && rk->ps_type != 0 && uuid_eq(&rk->uuid, uuid))
			return o;
	}
	return NULL;
}

/* ---- TCS calls ---- */

static TSS_RESULT tcs_get_registered_blob(struct tspi_ctx *ctx, const TSS_UUID *uuid,
					  uint8_t **blob, UINT32 *len)
{
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	*blob = NULL;
	*len = 0;
	if ((rc = rpc_begin(ctx, TCSD_ORD_GETREGISTEREDKEYBLOB, &m)) != TSS_SUCCESS)
		return rc;
	rpc_put_uuid(m, uuid);
	if ((rc = rpc_call(m)) == TSS_SUCCESS) {
		rpc_get_sized(m, PS_BLOB_MAX, len, blob);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	if (rc != TSS_SUCCESS) {
		free(*blob);
		*blob = NULL;
		*len = 0;
	}
	return rc;
}

/* A new key object from a registered blob, remembering where it is registered. */
static TSS_RESULT ps_key_object(struct tspi_ctx *ctx, const uint8_t *blob, size_t len,
				UINT32 ps_type, const TSS_UUID *uuid, struct obj **out)
{
	struct rsakey *rk;
	TSS_RESULT rc;

	if ((rc = rsakey_new_from_blob(ctx, blob, len, out)) != TSS_SUCCESS)
		return rc;
	rk = rsakey_of(*out);
	rk->ps_type = ps_type;
	if (uuid != NULL)
		rk->uuid = *uuid;
	return TSS_SUCCESS;
}

/* ---- Register / Unregister ---- */

TSS_RESULT Tspi_Context_RegisterKey(TSS_HCONTEXT hContext, TSS_HKEY hKey,
				    TSS_FLAG persistentStorageType, TSS_UUID uuidKey,
				    TSS_FLAG persistentStorageTypeParent, TSS_UUID uuidParentKey)
{
	struct obj *c, *key;
	struct rsakey *rk;
	uint8_t *blob = NULL;
	size_t len = 0;
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &c)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(c->ctx, hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		goto out;
	rk = rsakey_of(key);
	if ((rc = rsakey_get_blob(key, &blob, &len)) != TSS_SUCCESS)
		goto out;
	if (persistentStorageType == TSS_PS_TYPE_SYSTEM) {
		if (persistentStorageTypeParent == TSS_PS_TYPE_USER) {
			/* The TCS cannot load a key whose parent only this process knows. */
			rc = TSP_ERROR(TSS_E_NOTIMPL);
			goto out;
		}
		if (persistentStorageTypeParent != TSS_PS_TYPE_SYSTEM) {
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			goto out;
		}
		if ((rc = rpc_begin(c->ctx, TCSD_ORD_REGISTERKEY, &m)) != TSS_SUCCESS)
			goto out;
		rpc_put_uuid(m, &uuidParentKey);
		rpc_put_uuid(m, &uuidKey);
		rpc_put_sized(m, blob, (uint32_t)len);
		/* Vendor data: the registering stack's name with its NUL, as TrouSerS sends. */
		rpc_put_sized(m, ps_vendor_data, sizeof(ps_vendor_data));
		if ((rc = rpc_call(m)) != TSS_SUCCESS)
			goto out;
	} else if (persistentStorageType == TSS_PS_TYPE_USER) {
		if (persistentStorageTypeParent != TSS_PS_TYPE_SYSTEM &&
		    persistentStorageTypeParent != TSS_PS_TYPE_USER) {
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			goto out;
		}
		if ((rc = userps_register(&uuidKey, &uuidParentKey, persistentStorageTypeParent,
					  blob, len)) != TSS_SUCCESS)
			goto out;
	} else {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	rk->ps_type = persistentStorageType;
	rk->uuid = uuidKey;
out:
	rpc_end(m);
	free(blob);
	obj_release(c);
	return rc;
}

TSS_RESULT Tspi_Context_UnregisterKey(TSS_HCONTEXT hContext, TSS_FLAG persistentStorageType,
				      TSS_UUID uuidKey, TSS_HKEY *phkey)
{
	struct obj *c, *key = NULL;
	uint8_t *blob = NULL;
	UINT32 len32 = 0;
	size_t len = 0;
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if (phkey == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*phkey = 0;
	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &c)) != TSS_SUCCESS)
		return rc;
	/* The key object outlives its registration: fetch it first. */
	if (persistentStorageType == TSS_PS_TYPE_SYSTEM) {
		if ((rc = tcs_get_registered_blob(c->ctx, &uuidKey, &blob, &len32)) != TSS_SUCCESS)
			goto out;
		if ((rc = ps_key_object(c->ctx, blob, len32, 0, NULL, &key)) != TSS_SUCCESS)
			goto out;
		if ((rc = rpc_begin(c->ctx, TCSD_ORD_UNREGISTERKEY, &m)) != TSS_SUCCESS)
			goto out;
		rpc_put_uuid(m, &uuidKey);
		rc = rpc_call(m);
	} else if (persistentStorageType == TSS_PS_TYPE_USER) {
		if ((rc = userps_get(&uuidKey, &blob, &len, NULL, NULL)) != TSS_SUCCESS)
			goto out;
		if ((rc = ps_key_object(c->ctx, blob, len, 0, NULL, &key)) != TSS_SUCCESS)
			goto out;
		rc = userps_unregister(&uuidKey);
	} else {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
out:
	if (rc == TSS_SUCCESS)
		*phkey = key->handle;
	else if (key != NULL)
		obj_remove(key);
	rpc_end(m);
	free(blob);
	obj_release(c);
	return rc;
}

/* ---- Get / Load by UUID ---- */

TSS_RESULT Tspi_Context_GetKeyByUUID(TSS_HCONTEXT hContext, TSS_FLAG persistentStorageType,
				     TSS_UUID uuidData, TSS_HKEY *phKey)
{
	struct obj *c, *key = NULL;
	uint8_t *blob = NULL;
	UINT32 len32 = 0;
	size_t len = 0;
	TSS_RESULT rc;

	if (phKey == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*phKey = 0;
	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &c)) != TSS_SUCCESS)
		return rc;
	if (persistentStorageType == TSS_PS_TYPE_SYSTEM) {
		if ((rc = tcs_get_registered_blob(c->ctx, &uuidData, &blob, &len32)) == TSS_SUCCESS)
			rc = ps_key_object(c->ctx, blob, len32, TSS_PS_TYPE_SYSTEM, &uuidData, &key);
	} else if (persistentStorageType == TSS_PS_TYPE_USER) {
		if ((rc = userps_get(&uuidData, &blob, &len, NULL, NULL)) == TSS_SUCCESS)
			rc = ps_key_object(c->ctx, blob, len, TSS_PS_TYPE_USER, &uuidData, &key);
	} else {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
	if (rc == TSS_SUCCESS)
		*phKey = key->handle;
	free(blob);
	obj_release(c);
	return rc;
}

/*
 * TCS LoadKeyByUUID. When a key up the chain needs authorisation the TCS
 * answers TCS_E_KM_LOADFAILED with a LOADKEY_INFO naming the parent and
 * the load's parameter digest; we authorise it with the parent's policy
 * (a key object of this context with that UUID, else the default policy)
 * and ask again.
 */
static TSS_RESULT tcs_load_by_uuid(struct tspi_ctx *ctx, const TSS_UUID *uuid, UINT32 *handle)
{
	TCS_LOADKEY_INFO info;
	struct rpc_msg *m = NULL;
	struct session s;
	struct obj *o = NULL;
	TSS_HPOLICY policy = ctx->default_policy;
	TSS_HOBJECT authorized = 0;
	unsigned int round;
	TSS_RESULT rc;

	*handle = 0;
	/*
	 * Always offer an (empty) info block, as TrouSerS' libtspi does: its
	 * tcsd answers TCS_E_KM_LOADFAILED with the block filled in only when
	 * one came; without it, it tries the load unauthorised and the TPM
	 * says TPM_AUTHFAIL.
	 */
	memset(&info, 0, sizeof(info));
	if ((rc = rpc_begin(ctx, TCSD_ORD_LOADKEYBYUUID, &m)) != TSS_SUCCESS)
		return rc;
	rpc_put_uuid(m, uuid);
	rpc_put_loadkey_info(m, &info);
	rc = rpc_call(m);
	/* Each round authorises one key up the chain; a chain deeper than this is refused. */
	for (round = 0; round < 8 && rc == (TSS_LAYER_TCS | TCS_E_KM_LOADFAILED); round++) {
		rpc_get_loadkey_info(m, &info);
		rc = rpc_get_done(m);
		rpc_end(m);
		m = NULL;
		if (rc != TSS_SUCCESS)
			break;
		policy = ctx->default_policy;
		authorized = 0;
		for (o = obj_next_in(ctx, NULL, OBJ_RSAKEY); o != NULL;
		     o = obj_next_in(ctx, o, OBJ_RSAKEY)) {
			struct rsakey *rk = rsakey_of(o);

			if (rk->ps_type != 0 && uuid_eq(&rk->uuid, &info.parentKeyUUID)) {
				policy = rsakey_usage_policy(o);
				authorized = o->handle;
				break;
			}
		}
		if ((rc = session_oiap(ctx, policy, authorized, &s)) != TSS_SUCCESS)
			break;
		/* The TCS consumes the reply's auth: let the session close with the command. */
		session_keep_open(&s, false);
		rc = session_auth(&s, TPM_ORD_LoadKey2, info.paramDigest.digest, &info.authData);
		if (rc == TSS_SUCCESS && (rc = rpc_begin(ctx, TCSD_ORD_LOADKEYBYUUID, &m)) ==
						 TSS_SUCCESS) {
			rpc_put_uuid(m, uuid);
			rpc_put_loadkey_info(m, &info);
			rc = rpc_call(m);
		}
		session_end(&s, rc);
	}
	if (rc == TSS_SUCCESS) {
		rpc_get_u32(m, handle);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	OPENSSL_cleanse(&info, sizeof(info));
	return rc;
}

static TSS_RESULT ps_load_by_uuid(struct tspi_ctx *ctx, UINT32 ps_type, const TSS_UUID *uuid,
				  unsigned int depth, struct obj **out)
{
	struct obj *key = NULL, *parent;
	uint8_t *blob = NULL;
	UINT32 len32 = 0, handle = 0, parent_ps = 0;
	size_t len = 0;
	TSS_UUID parent_uuid;
	TSS_RESULT rc;

	*out = NULL;
	/* A user PS whose parents form a loop must not recurse forever. */
	if (depth > 32)
		return TSP_ERROR(TSS_E_PS_KEY_NOTFOUND);
	if (ps_type == TSS_PS_TYPE_SYSTEM) {
		if ((rc = tcs_load_by_uuid(ctx, uuid, &handle)) != TSS_SUCCESS)
			return rc;
		/*
		 * The key object needs the blob; without it (an owner-evict key
		 * the TCS found in the TPM at start-up) the TCS handle goes back.
		 */
		if ((rc = tcs_get_registered_blob(ctx, uuid, &blob, &len32)) == TSS_SUCCESS &&
		    (rc = ps_key_object(ctx, blob, len32, TSS_PS_TYPE_SYSTEM, uuid, &key)) ==
			    TSS_SUCCESS) {
			rsakey_of(key)->tcs_handle = handle;
			rsakey_of(key)->loaded = true;
			*out = key;
		} else if (handle != TPM_KH_SRK) {
			(void)tcs_evict_key(ctx, handle);
		}
		free(blob);
		return rc;
	}
	if (ps_type != TSS_PS_TYPE_USER)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = userps_get(uuid, &blob, &len, &parent_uuid, &parent_ps)) != TSS_SUCCESS)
		return rc;
	parent = ps_loaded_key(ctx, &parent_uuid);
	if (parent == NULL &&
	    (rc = ps_load_by_uuid(ctx, parent_ps, &parent_uuid, depth + 1, &parent)) != TSS_SUCCESS)
		goto out;
	if ((rc = ps_key_object(ctx, blob, len, TSS_PS_TYPE_USER, uuid, &key)) != TSS_SUCCESS)
		goto out;
	if ((rc = rsakey_load(key, parent)) != TSS_SUCCESS) {
		obj_remove(key);
		goto out;
	}
	*out = key;
out:
	free(blob);
	return rc;
}

TSS_RESULT Tspi_Context_LoadKeyByUUID(TSS_HCONTEXT hContext, TSS_FLAG persistentStorageType,
				      TSS_UUID uuidData, TSS_HKEY *phKey)
{
	struct obj *c, *key = NULL;
	TSS_RESULT rc;

	if (phKey == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*phKey = 0;
	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &c)) != TSS_SUCCESS)
		return rc;
	if ((rc = ps_load_by_uuid(c->ctx, persistentStorageType, &uuidData, 0, &key)) ==
	    TSS_SUCCESS)
		*phKey = key->handle;
	obj_release(c);
	return rc;
}

TSS_RESULT Tspi_Context_GetKeyByPublicInfo(TSS_HCONTEXT hContext, TSS_FLAG persistentStorageType,
					   TSS_ALGORITHM_ID algID, UINT32 ulPublicInfoLength,
					   BYTE *rgbPublicInfo, TSS_HKEY *phKey)
{
	struct obj *c, *key = NULL;
	struct userps_list l = { 0 };
	const struct userps_entry *e;
	uint8_t *blob = NULL;
	UINT32 len32 = 0;
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if (phKey == NULL || rgbPublicInfo == NULL || ulPublicInfoLength == 0)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*phKey = 0;
	if (algID != TSS_ALG_RSA)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &c)) != TSS_SUCCESS)
		return rc;
	if (persistentStorageType == TSS_PS_TYPE_SYSTEM) {
		if ((rc = rpc_begin(c->ctx, TCSD_ORD_GETREGISTEREDKEYBYPUBLICINFO, &m)) !=
		    TSS_SUCCESS)
			goto out;
		rpc_put_u32(m, TPM_ALG_RSA);
		rpc_put_sized(m, rgbPublicInfo, ulPublicInfoLength);
		if ((rc = rpc_call(m)) != TSS_SUCCESS)
			goto out;
		rpc_get_sized(m, PS_BLOB_MAX, &len32, &blob);
		if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
			goto out;
		rc = ps_key_object(c->ctx, blob, len32, 0, NULL, &key);
	} else if (persistentStorageType == TSS_PS_TYPE_USER) {
		if ((rc = userps_load(&l)) != TSS_SUCCESS)
			goto out;
		e = userps_find_pub(&l, rgbPublicInfo, ulPublicInfoLength);
		if (e == NULL)
			rc = TSP_ERROR(TSS_E_PS_KEY_NOTFOUND);
		else
			rc = ps_key_object(c->ctx, e->blob, e->blob_len, TSS_PS_TYPE_USER, &e->uuid,
					   &key);
	} else {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
out:
	if (rc == TSS_SUCCESS)
		*phKey = key->handle;
	userps_list_free(&l);
	rpc_end(m);
	free(blob);
	obj_release(c);
	return rc;
}

/* ---- Key hierarchies ---- */

/* One listing entry, whichever storage it came from. */
struct ps_info {
	TSS_KM_KEYINFO2 ki;
};

struct ps_listing {
	struct ps_info *v;
	size_t n;
};

static void ps_listing_free(struct ps_listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].ki.rgbVendorData);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static TSS_RESULT ps_listing_add(struct ps_listing *l, const TSS_KM_KEYINFO2 *ki)
{
	struct ps_info *grown;

	if (l->n >= PS_ENUM_MAX * 2)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	grown = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (grown == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	l->v = grown;
	l->v[l->n++].ki = *ki;
	return TSS_SUCCESS;
}

/* User PS entry -> key info (version from the blob, as TrouSerS). */
static TSS_RESULT ps_user_info(const struct userps_entry *e, TSS_KM_KEYINFO2 *ki)
{
	struct tpm_key k;

	memset(ki, 0, sizeof(*ki));
	if (tpm_key_decode(e->blob, e->blob_len, &k) != 0) {
		log_error("tspi: a user PS key blob does not parse");
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	if (k.key12) {
		ki->versionInfo.bMajor = 1;
		ki->versionInfo.bMinor = 2;
	} else {
		ki->versionInfo.bMajor = k.ver.major;
		ki->versionInfo.bMinor = k.ver.minor;
		ki->versionInfo.bRevMajor = k.ver.rev_major;
		ki->versionInfo.bRevMinor = k.ver.rev_minor;
	}
	ki->keyUUID = e->uuid;
	ki->parentKeyUUID = e->parent_uuid;
	ki->bAuthDataUsage = k.auth_data_usage;
	ki->persistentStorageType = TSS_PS_TYPE_USER;
	ki->persistentStorageTypeParent = e->parent_ps_type;
	tpm_key_free(&k);
	return TSS_SUCCESS;
}

/*
 * The user part: every entry (uuid NULL), or the chain from uuid upwards
 * while it stays in user PS; *tcs_uuid is where the chain leaves it.
 */
static TSS_RESULT ps_user_listing(const TSS_UUID *uuid, struct ps_listing *out,
				  TSS_UUID *tcs_uuid)
{
	struct userps_list l = { 0 };
	const struct userps_entry *e;
	TSS_KM_KEYINFO2 ki;
	TSS_UUID want;
	size_t i;
	TSS_RESULT rc;

	if ((rc = userps_load(&l)) != TSS_SUCCESS)
		return rc;
	if (uuid == NULL) {
		for (i = 0; i < l.count && rc == TSS_SUCCESS; i++)
			if ((rc = ps_user_info(&l.entries[i], &ki)) == TSS_SUCCESS)
				rc = ps_listing_add(out, &ki);
		goto out;
	}
	want = *uuid;
	if (userps_find(&l, &want) == NULL) {
		rc = TSP_ERROR(TSS_E_PS_KEY_NOTFOUND);
		goto out;
	}
	for (i = 0; (e = userps_find(&l, &want)) != NULL && i <= l.count; i++) {
		if ((rc = ps_user_info(e, &ki)) != TSS_SUCCESS ||
		    (rc = ps_listing_add(out, &ki)) != TSS_SUCCESS)
			goto out;
		want = e->parent_uuid;
	}
	*tcs_uuid = want;
out:
	userps_list_free(&l);
	return rc;
}

/* The TCS part: EnumRegisteredKeys(2) from uuid, or all. */
static TSS_RESULT ps_tcs_listing(struct tspi_ctx *ctx, const TSS_UUID *uuid, bool v2,
				 struct ps_listing *out)
{
	struct rpc_msg *m = NULL;
	UINT32 n = 0, i;
	TSS_KM_KEYINFO ki1;
	TSS_KM_KEYINFO2 ki;
	TSS_RESULT rc;

	if ((rc = rpc_begin(ctx, v2 ? TCSD_ORD_ENUMREGISTEREDKEYS2 : TCSD_ORD_ENUMREGISTEREDKEYS,
			    &m)) != TSS_SUCCESS)
		return rc;
	if (uuid != NULL)
		rpc_put_uuid(m, uuid);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_u32(m, &n);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if (n > PS_ENUM_MAX) {
		log_error("tspi: the TCS lists %u registered keys; refusing more than %u", n,
			  PS_ENUM_MAX);
		rc = TSP_ERROR(TSS_E_COMM_FAILURE);
		goto out;
	}
	for (i = 0; i < n; i++) {
		memset(&ki, 0, sizeof(ki));
		if (v2) {
			rpc_get_km_keyinfo2(m, &ki);
		} else {
			memset(&ki1, 0, sizeof(ki1));
			rpc_get_km_keyinfo(m, &ki1);
			ki.versionInfo = ki1.versionInfo;
			ki.keyUUID = ki1.keyUUID;
			ki.parentKeyUUID = ki1.parentKeyUUID;
			ki.bAuthDataUsage = ki1.bAuthDataUsage;
			ki.fIsLoaded = ki1.fIsLoaded;
			ki.ulVendorDataLength = ki1.ulVendorDataLength;
			ki.rgbVendorData = ki1.rgbVendorData;
			ki.persistentStorageType = TSS_PS_TYPE_SYSTEM;
			ki.persistentStorageTypeParent = TSS_PS_TYPE_SYSTEM;
		}
		if ((rc = rpc_get_done(m)) != TSS_SUCCESS) {
			free(ki.rgbVendorData);
			goto out;
		}
		if (ki.ulVendorDataLength > PS_VENDOR_MAX ||
		    (rc = ps_listing_add(out, &ki)) != TSS_SUCCESS) {
			free(ki.rgbVendorData);
			if (rc == TSS_SUCCESS)
				rc = TSP_ERROR(TSS_E_COMM_FAILURE);
			goto out;
		}
	}
out:
	rpc_end(m);
	return rc;
}

static TSS_RESULT ps_listing_build(struct tspi_ctx *ctx, TSS_FLAG ps_type, const TSS_UUID *uuid,
				   bool v2, struct ps_listing *l)
{
	TSS_UUID tcs_uuid;
	TSS_RESULT rc;

	memset(&tcs_uuid, 0, sizeof(tcs_uuid));
	if (uuid == NULL) {
		if ((rc = ps_user_listing(NULL, l, NULL)) != TSS_SUCCESS)
			return rc;
		return ps_tcs_listing(ctx, NULL, v2, l);
	}
	if (ps_type == TSS_PS_TYPE_SYSTEM)
		return ps_tcs_listing(ctx, uuid, v2, l);
	if (ps_type != TSS_PS_TYPE_USER)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = ps_user_listing(uuid, l, &tcs_uuid)) != TSS_SUCCESS)
		return rc;
	return ps_tcs_listing(ctx, &tcs_uuid, v2, l);
}

/* Copies the listing into one block of context memory (vendor data in blocks of their own). */
static TSS_RESULT ps_listing_out(struct tspi_ctx *ctx, const struct ps_listing *l, bool v2,
				 UINT32 *size, void **out)
{
	size_t i, elem = v2 ? sizeof(TSS_KM_KEYINFO2) : sizeof(TSS_KM_KEYINFO);
	uint8_t *arr;

	*size = 0;
	*out = NULL;
	if (l->n == 0)
		return TSS_SUCCESS;
	arr = ctx_alloc(ctx, l->n * elem);
	if (arr == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	for (i = 0; i < l->n; i++) {
		TSS_KM_KEYINFO2 ki = l->v[i].ki;

		if (ki.ulVendorDataLength > 0) {
			ki.rgbVendorData = ctx_memdup(ctx, ki.rgbVendorData, ki.ulVendorDataLength);
			if (ki.rgbVendorData == NULL)
				return TSP_ERROR(TSS_E_OUTOFMEMORY);
		} else {
			ki.rgbVendorData = NULL;
		}
		if (v2) {
			memcpy(arr + i * elem, &ki, elem);
		} else {
			TSS_KM_KEYINFO k1;

			memset(&k1, 0, sizeof(k1));
			k1.versionInfo = ki.versionInfo;
			k1.keyUUID = ki.keyUUID;
			k1.parentKeyUUID = ki.parentKeyUUID;
			k1.bAuthDataUsage = ki.bAuthDataUsage;
			k1.fIsLoaded = ki.fIsLoaded;
			k1.ulVendorDataLength = ki.ulVendorDataLength;
			k1.rgbVendorData = ki.rgbVendorData;
			memcpy(arr + i * elem, &k1, elem);
		}
	}
	*size = (UINT32)l->n;
	*out = arr;
	return TSS_SUCCESS;
}

static TSS_RESULT ps_get_registered(TSS_HCONTEXT hContext, TSS_FLAG ps_type, TSS_UUID *uuid,
				    bool v2, UINT32 *size, void **out)
{
	struct obj *c;
	struct ps_listing l = { 0 };
	TSS_RESULT rc;

	if (size == NULL || out == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*size = 0;
	*out = NULL;
	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &c)) != TSS_SUCCESS)
		return rc;
	if ((rc = ps_listing_build(c->ctx, ps_type, uuid, v2, &l)) == TSS_SUCCESS)
		rc = ps_listing_out(c->ctx, &l, v2, size, out);
	ps_listing_free(&l);
	obj_release(c);
	return rc;
}

TSS_RESULT Tspi_Context_GetRegisteredKeysByUUID(TSS_HCONTEXT hContext,
						TSS_FLAG persistentStorageType,
						TSS_UUID *pUuidData, UINT32 *pulKeyHierarchySize,
						TSS_KM_KEYINFO **ppKeyHierarchy)
{
	void *out = NULL;
	TSS_RESULT rc;

	if (ppKeyHierarchy == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	rc = ps_get_registered(hContext, persistentStorageType, pUuidData, false,
			       pulKeyHierarchySize, &out);
	*ppKeyHierarchy = out;
	return rc;
}

TSS_RESULT Tspi_Context_GetRegisteredKeysByUUID2(TSS_HCONTEXT hContext,
						 TSS_FLAG persistentStorageType,
						 TSS_UUID *pUuidData, UINT32 *pulKeyHierarchySize,
						 TSS_KM_KEYINFO2 **ppKeyHierarchy)
{
	void *out = NULL;
	TSS_RESULT rc;

	if (ppKeyHierarchy == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	rc = ps_get_registered(hContext, persistentStorageType, pUuidData, true,
			       pulKeyHierarchySize, &out);
	*ppKeyHierarchy = out;
	return rc;
}
