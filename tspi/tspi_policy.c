/*
 * Policy objects (TSS 1.2 §4.3.4.8): Tspi_Policy_SetSecret, FlushSecret,
 * AssignToObject and the policy attributes.
 *
 * The secret is kept only as its 20-byte SHA-1 form, as TrouSerS keeps
 * it: PLAIN hashes the bytes exactly as given (applications convert to
 * UTF-16 themselves when they want to, like tpm-tools does), SHA1 takes
 * the 20 bytes, POPUP asks at first use (secret.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "log.h"
#include "obj.h"
#include "secret.h"

static TSS_RESULT policy_create(struct obj *o, TSS_FLAG init_flags)
{
	struct tspi_policy *p;

	switch (init_flags) {
	case TSS_POLICY_USAGE:
	case TSS_POLICY_MIGRATION:
	case TSS_POLICY_OPERATOR:
		break;
	default:
		return TSP_ERROR(TSS_E_INVALID_OBJECT_INITFLAG);
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	p->type = init_flags;
	p->mode = TSS_SECRET_MODE_NONE;
	p->hash_mode = o->ctx->secret_hash_mode;
	p->lifetime = TSS_TSPATTRIB_POLICYSECRET_LIFETIME_ALWAYS;
	o->data = p;
	return TSS_SUCCESS;
}

static void policy_destroy(struct obj *o)
{
	struct tspi_policy *p = o->data;

	if (p->popup != NULL) {
		OPENSSL_cleanse(p->popup, p->popup_len);
		free(p->popup);
	}
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
	o->data = NULL;
}

TSS_RESULT secret_policy_new(struct tspi_ctx *ctx, UINT32 type, TSS_HPOLICY *out)
{
	struct obj *o;
	TSS_RESULT rc;

	*out = 0;
	if ((rc = obj_add(ctx, &obj_class_policy, NULL, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = policy_create(o, type)) != TSS_SUCCESS) {
		obj_remove(o);
		return rc;
	}
	*out = o->handle;
	return TSS_SUCCESS;
}

/* ---- Tspi_Policy_* ---- */

/* Starts the lifetime again, as a new secret does (TrouSerS: counter reset, timer restarted). */
static TSS_RESULT restart_lifetime(struct tspi_policy *p)
{
	if (p->lifetime == TSS_TSPATTRIB_POLICYSECRET_LIFETIME_COUNTER) {
		p->counter = p->counter_start;
	} else if (p->lifetime == TSS_TSPATTRIB_POLICYSECRET_LIFETIME_TIMER) {
		p->timer_start = time(NULL);
		if (p->timer_start == (time_t)-1)
			return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	return TSS_SUCCESS;
}

TSS_RESULT Tspi_Policy_SetSecret(TSS_HPOLICY hPolicy, TSS_FLAG secretMode, UINT32 ulSecretLength,
				 BYTE *rgbSecret)
{
	BYTE digest[SECRET_LEN] = { 0 };
	struct tspi_policy *p;
	bool set = true;
	struct obj *o;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hPolicy, OBJ_POLICY, &o)) != TSS_SUCCESS)
		return rc;
	p = o->data;

	switch (secretMode) {
	case TSS_SECRET_MODE_PLAIN:
		if (rgbSecret == NULL && ulSecretLength != 0) {
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			goto out;
		}
		if (crypto_sha1(rgbSecret, ulSecretLength, digest) != 0) {
			rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
		break;
	case TSS_SECRET_MODE_SHA1:
		if (rgbSecret == NULL || ulSecretLength != SECRET_LEN) {
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			goto out;
		}
		memcpy(digest, rgbSecret, SECRET_LEN);
		break;
	case TSS_SECRET_MODE_POPUP:
		if (o->ctx->silent_mode == TSS_TSPATTRIB_CONTEXT_SILENT) {
			rc = TSP_ERROR(TSS_E_SILENT_CONTEXT);
			goto out;
		}
		set = false;	/* asked for at first use */
		break;
	case TSS_SECRET_MODE_NONE:
		set = false;
		break;
	case TSS_SECRET_MODE_CALLBACK:
		/* The HMAC callback must be registered first (TSS 1.1b §4.3.4.8.1). */
		if (p->cb_hmac.callback == NULL) {
			rc = TSP_ERROR(TSS_E_FAIL);
			goto out;
		}
		set = false;
		break;
	default:
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if ((rc = restart_lifetime(p)) != TSS_SUCCESS)
		goto out;
	OPENSSL_cleanse(p->secret, sizeof(p->secret));
	memcpy(p->secret, digest, SECRET_LEN);
	p->mode = secretMode;
	p->secret_set = set;
out:
	OPENSSL_cleanse(digest, sizeof(digest));
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_Policy_FlushSecret(TSS_HPOLICY hPolicy)
{
	struct tspi_policy *p;
	struct obj *o;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hPolicy, OBJ_POLICY, &o)) != TSS_SUCCESS)
		return rc;
	p = o->data;
	OPENSSL_cleanse(p->secret, sizeof(p->secret));
	p->secret_set = false;
	obj_release(o);
	return TSS_SUCCESS;
}

TSS_RESULT Tspi_Policy_AssignToObject(TSS_HPOLICY hPolicy, TSS_HOBJECT hObject)
{
	struct tspi_policy *p;
	struct obj *pol, *o;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hPolicy, OBJ_POLICY, &pol)) != TSS_SUCCESS)
		return rc;
	p = pol->data;
	/* TrouSerS: an object of another context, or one that takes no policy, is a bad parameter. */
	if (obj_lookup_in(pol->ctx, hObject, OBJ_ANY, &o) != TSS_SUCCESS) {
		rc = TSP_ERROR(TSS_E_INVALID_HANDLE);
		goto out;
	}
	if (!(o->cls->policy_kinds & (1u << p->type))) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	switch (p->type) {
	case TSS_POLICY_USAGE:
		o->usage_policy = hPolicy;
		break;
	case TSS_POLICY_MIGRATION:
		o->migration_policy = hPolicy;
		break;
	case TSS_POLICY_OPERATOR:
		o->operator_policy = hPolicy;
		break;
	default:
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
out:
	obj_release(pol);
	return rc;
}

/* ---- attributes ---- */

static TSS_RESULT policy_get_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *val)
{
	struct tspi_policy *p = o->data;
	time_t now;

	switch (flag) {
	case TSS_TSPATTRIB_POLICY_SECRET_LIFETIME:
		switch (sub) {
		case TSS_TSPATTRIB_POLICYSECRET_LIFETIME_ALWAYS:
			*val = p->lifetime == TSS_TSPATTRIB_POLICYSECRET_LIFETIME_ALWAYS;
			return TSS_SUCCESS;
		case TSS_TSPATTRIB_POLICYSECRET_LIFETIME_COUNTER:
			if (p->lifetime != TSS_TSPATTRIB_POLICYSECRET_LIFETIME_COUNTER)
				return TSP_ERROR(TSS_E_BAD_PARAMETER);
			*val = p->counter;
			return TSS_SUCCESS;
		case TSS_TSPATTRIB_POLICYSECRET_LIFETIME_TIMER:
			if (p->lifetime != TSS_TSPATTRIB_POLICYSECRET_LIFETIME_TIMER)
				return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
			now = time(NULL);
			if (now == (time_t)-1)
				return TSP_ERROR(TSS_E_INTERNAL_ERROR);
			*val = secret_expired(p) ? 0 : p->counter - (UINT32)(now - p->timer_start);
			return TSS_SUCCESS;
		default:
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		}
	case TSS_TSPATTRIB_SECRET_HASH_MODE:
		if (sub != TSS_TSPATTRIB_SECRET_HASH_MODE_POPUP)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		*val = p->hash_mode;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_POLICY_CALLBACK_HMAC:
	case TSS_TSPATTRIB_POLICY_CALLBACK_XOR_ENC:
	case TSS_TSPATTRIB_POLICY_CALLBACK_TAKEOWNERSHIP:
	case TSS_TSPATTRIB_POLICY_CALLBACK_CHANGEAUTHASYM:
		/* The 1.1 form passes a pointer in a UINT32: impossible on 64-bit. */
		return TSP_ERROR(TSS_E_FAIL);
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	}
}

static TSS_RESULT policy_set_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 val)
{
	struct tspi_policy *p = o->data;

	switch (flag) {
	case TSS_TSPATTRIB_POLICY_SECRET_LIFETIME:
		switch (sub) {
		case TSS_TSPATTRIB_POLICYSECRET_LIFETIME_ALWAYS:
			p->counter = p->counter_start = 0;
			p->timer_start = 0;
			break;
		case TSS_TSPATTRIB_POLICYSECRET_LIFETIME_COUNTER:
			p->counter = p->counter_start = val;
			break;
		case TSS_TSPATTRIB_POLICYSECRET_LIFETIME_TIMER:
			p->counter = val;
			p->timer_start = time(NULL);
			if (p->timer_start == (time_t)-1)
				return TSP_ERROR(TSS_E_INTERNAL_ERROR);
			break;
		default:
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		}
		p->lifetime = sub;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_SECRET_HASH_MODE:
		if (val != TSS_TSPATTRIB_HASH_MODE_NULL && val != TSS_TSPATTRIB_HASH_MODE_NOT_NULL)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
		p->hash_mode = val;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_POLICY_CALLBACK_HMAC:
	case TSS_TSPATTRIB_POLICY_CALLBACK_XOR_ENC:
	case TSS_TSPATTRIB_POLICY_CALLBACK_TAKEOWNERSHIP:
	case TSS_TSPATTRIB_POLICY_CALLBACK_CHANGEAUTHASYM:
		return TSP_ERROR(TSS_E_FAIL);
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	}
}

static TSS_CALLBACK *policy_callback(struct tspi_policy *p, TSS_FLAG flag)
{
	switch (flag) {
	case TSS_TSPATTRIB_POLICY_CALLBACK_HMAC:
		return &p->cb_hmac;
	case TSS_TSPATTRIB_POLICY_CALLBACK_XOR_ENC:
		return &p->cb_xor;
	case TSS_TSPATTRIB_POLICY_CALLBACK_TAKEOWNERSHIP:
		return &p->cb_takeowner;
	case TSS_TSPATTRIB_POLICY_CALLBACK_CHANGEAUTHASYM:
		return &p->cb_changeauthasym;
	case TSS_TSPATTRIB_POLICY_CALLBACK_SEALX_MASK:
		return &p->cb_sealx;
	default:
		return NULL;
	}
}

static TSS_RESULT policy_get_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *len,
				  BYTE **data)
{
	struct tspi_policy *p = o->data;
	TSS_CALLBACK *cb = policy_callback(p, flag);

	if (cb != NULL) {
		*data = ctx_memdup(o->ctx, cb, sizeof(*cb));
		if (*data == NULL)
			return TSP_ERROR(TSS_E_OUTOFMEMORY);
		*len = sizeof(*cb);
		return TSS_SUCCESS;
	}
	if (flag != TSS_TSPATTRIB_POLICY_POPUPSTRING)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if (p->popup == NULL) {
		*len = 0;
		*data = NULL;
		return TSS_SUCCESS;
	}
	*data = ctx_memdup(o->ctx, p->popup, p->popup_len);
	if (*data == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	*len = p->popup_len;
	return TSS_SUCCESS;
}

/* Longest popup title kept (TrouSerS' UI_MAX_POPUP_STRING_LENGTH is 256 characters). */
#define POPUP_STRING_MAX 1024u

static TSS_RESULT policy_set_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 len,
				  const BYTE *data)
{
	struct tspi_policy *p = o->data;
	TSS_CALLBACK *cb = policy_callback(p, flag);
	BYTE *copy;

	if (cb != NULL) {
		/* NULL removes the callback, as in TrouSerS. */
		if (data == NULL)
			memset(cb, 0, sizeof(*cb));
		else
			memcpy(cb, data, sizeof(*cb));
		return TSS_SUCCESS;
	}
	if (flag != TSS_TSPATTRIB_POLICY_POPUPSTRING)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if (data == NULL || len == 0 || len > POPUP_STRING_MAX)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	/* Keep it NUL-terminated in UTF-16 whatever the application passed. */
	copy = calloc(1, (size_t)len + 2);
	if (copy == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	memcpy(copy, data, len);
	free(p->popup);
	p->popup = copy;
	p->popup_len = len;
	return TSS_SUCCESS;
}

const struct obj_class obj_class_policy = {
	.type = OBJ_POLICY,
	.name = "policy",
	.create = policy_create,
	.destroy = policy_destroy,
	.get_u32 = policy_get_u32,
	.set_u32 = policy_set_u32,
	.get_data = policy_get_data,
	.set_data = policy_set_data,
};
