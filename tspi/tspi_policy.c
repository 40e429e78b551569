/*
 * Policy objects (TSS 1.2 §4.3.4.8): Tspi_Policy_SetSecret, FlushSecret,
 * AssignToObject and the policy attributes, the delegation ones included
 * (TSS_TSPATTRIB_POLICY_DELEGATION_INFO / _PCR: a policy that holds a
 * delegation makes session.c authorise through DSAP).
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

#include <tss/tpm.h>

#include "crypto.h"
#include "log.h"
#include "obj.h"
#include "secret.h"
#include "session.h"

/*
 * A policy object's data: what secret.c reads (first, so that o->data
 * is a struct tspi_policy for it), then the delegation it may carry.
 */
struct policy_obj {
	struct tspi_policy p;
	struct policy_delegation del;
};

/* Delegation blobs are a few hundred bytes; the TPM takes at most one buffer. */
#define DELEGATION_BLOB_MAX 4096u

static TSS_RESULT policy_create(struct obj *o, TSS_FLAG init_flags)
{
	struct policy_obj *po;
	struct tspi_policy *p;

	switch (init_flags) {
	case TSS_POLICY_USAGE:
	case TSS_POLICY_MIGRATION:
	case TSS_POLICY_OPERATOR:
		break;
	default:
		return TSP_ERROR(TSS_E_INVALID_OBJECT_INITFLAG);
	}
	po = calloc(1, sizeof(*po));
	if (po == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	p = &po->p;
	po->del.type = TSS_DELEGATIONTYPE_NONE;
	p->type = init_flags;
	p->mode = TSS_SECRET_MODE_NONE;
	p->hash_mode = o->ctx->secret_hash_mode;
	p->lifetime = TSS_TSPATTRIB_POLICYSECRET_LIFETIME_ALWAYS;
	o->data = p;
	return TSS_SUCCESS;
}

static void policy_destroy(struct obj *o)
{
	struct policy_obj *po = o->data;
	struct tspi_policy *p = &po->p;

	if (p->popup != NULL) {
		OPENSSL_cleanse(p->popup, p->popup_len);
		free(p->popup);
	}
	policy_delegation_clear(&po->del);
	OPENSSL_cleanse(po, sizeof(*po));
	free(po);
	o->data = NULL;
}

/* ---- Delegation data (session.h) ---- */

struct policy_delegation *policy_delegation(struct tspi_ctx *ctx, TSS_HPOLICY h)
{
	struct obj *o;

	if (obj_lookup_in(ctx, h, OBJ_POLICY, &o) != TSS_SUCCESS)
		return NULL;
	return &((struct policy_obj *)o->data)->del;
}

void policy_delegation_clear(struct policy_delegation *d)
{
	if (d->blob != NULL) {
		OPENSSL_cleanse(d->blob, d->blob_len);
		free(d->blob);
	}
	memset(d, 0, sizeof(*d));
	d->type = TSS_DELEGATIONTYPE_NONE;
}

TSS_RESULT policy_delegation_set_blob(struct policy_delegation *d, UINT32 type, const BYTE *blob,
				      UINT32 len)
{
	UINT32 blob_type;
	BYTE *copy;

	if (blob == NULL || len < 2 || len > DELEGATION_BLOB_MAX)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	/* The structure tag says which kind it is (Part 2 §20.10, §20.11). */
	switch (((UINT16)blob[0] << 8) | blob[1]) {
	case TPM_TAG_DELEGATE_OWNER_BLOB:
		blob_type = TSS_DELEGATIONTYPE_OWNER;
		break;
	case TPM_TAG_DELG_KEY_BLOB:
		blob_type = TSS_DELEGATIONTYPE_KEY;
		break;
	default:
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
	if (type != 0 && type != blob_type)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((copy = malloc(len)) == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	memcpy(copy, blob, len);
	policy_delegation_clear(d);
	d->type = blob_type;
	d->blob = copy;
	d->blob_len = len;
	return TSS_SUCCESS;
}

static bool delegation_held(const struct policy_delegation *d)
{
	return d->blob != NULL || d->index_set;
}

/* TSS_TSPATTRIB_POLICY_DELEGATION_INFO / _PCR as UINT32 (TSS 1.2 §4.3.2.3). */
static TSS_RESULT delegation_get_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *val)
{
	struct policy_delegation *d = &((struct policy_obj *)o->data)->del;
	struct delegate_public pub;
	TSS_RESULT rc;

	if (flag == TSS_TSPATTRIB_POLICY_DELEGATION_INFO) {
		switch (sub) {
		case TSS_TSPATTRIB_POLDEL_TYPE:
			*val = d->type;
			return TSS_SUCCESS;
		case TSS_TSPATTRIB_POLDEL_INDEX:
			if (!d->index_set)
				return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
			*val = d->index;
			return TSS_SUCCESS;
		case TSS_TSPATTRIB_POLDEL_PER1:
		case TSS_TSPATTRIB_POLDEL_PER2:
			if (!delegation_held(d)) {
				*val = sub == TSS_TSPATTRIB_POLDEL_PER1 ? d->per1 : d->per2;
				return TSS_SUCCESS;
			}
			break;
		case TSS_TSPATTRIB_POLDEL_LABEL:
		case TSS_TSPATTRIB_POLDEL_FAMILYID:
		case TSS_TSPATTRIB_POLDEL_VERCOUNT:
			break;
		default:
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		}
	} else if (sub != TSS_TSPATTRIB_POLDELPCR_LOCALITY) {
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
	/* The rest is read from the delegation itself. */
	if ((rc = delegation_public(o->ctx, d, &pub)) != TSS_SUCCESS)
		return rc;
	if (flag == TSS_TSPATTRIB_POLICY_DELEGATION_PCR) {
		*val = pub.locality_at_release;
		return TSS_SUCCESS;
	}
	switch (sub) {
	case TSS_TSPATTRIB_POLDEL_PER1:
		*val = pub.per1;
		break;
	case TSS_TSPATTRIB_POLDEL_PER2:
		*val = pub.per2;
		break;
	case TSS_TSPATTRIB_POLDEL_LABEL:
		*val = pub.label;
		break;
	case TSS_TSPATTRIB_POLDEL_FAMILYID:
		*val = pub.family_id;
		break;
	default:
		*val = pub.verification_count;
		break;
	}
	return TSS_SUCCESS;
}

static TSS_RESULT delegation_set_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 val)
{
	struct policy_delegation *d = &((struct policy_obj *)o->data)->del;
	struct delegate_public pub;
	TSS_RESULT rc;

	if (flag != TSS_TSPATTRIB_POLICY_DELEGATION_INFO)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	switch (sub) {
	case TSS_TSPATTRIB_POLDEL_TYPE:
		if (val == TSS_DELEGATIONTYPE_NONE) {
			policy_delegation_clear(d);
			return TSS_SUCCESS;
		}
		if (val != TSS_DELEGATIONTYPE_OWNER && val != TSS_DELEGATIONTYPE_KEY)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
		/* A held delegation fixes its own type. */
		if (delegation_held(d))
			return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		d->type = val;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_POLDEL_INDEX:
		/* The row must exist: its public part gives the type. */
		if ((rc = delegation_table_row(o->ctx, val, &pub)) != TSS_SUCCESS)
			return rc;
		if (pub.delegate_type != TPM_DEL_OWNER_BITS &&
		    pub.delegate_type != TPM_DEL_KEY_BITS)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		policy_delegation_clear(d);
		d->type = pub.delegate_type == TPM_DEL_OWNER_BITS ? TSS_DELEGATIONTYPE_OWNER
								  : TSS_DELEGATIONTYPE_KEY;
		d->index = val;
		d->index_set = true;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_POLDEL_PER1:
	case TSS_TSPATTRIB_POLDEL_PER2:
		if (delegation_held(d))
			return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		if (sub == TSS_TSPATTRIB_POLDEL_PER1)
			d->per1 = val;
		else
			d->per2 = val;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_POLDEL_LABEL:
	case TSS_TSPATTRIB_POLDEL_FAMILYID:
	case TSS_TSPATTRIB_POLDEL_VERCOUNT:
		/* Read-only: they come from the TPM with the blob. */
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
}

static TSS_RESULT delegation_get_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *len,
				      BYTE **data)
{
	struct policy_delegation *d = &((struct policy_obj *)o->data)->del;
	struct delegate_public pub;
	BYTE sel[2 + sizeof(pub.select)];
	TSS_RESULT rc;

	if (flag == TSS_TSPATTRIB_POLICY_DELEGATION_INFO) {
		UINT32 want;

		if (sub == TSS_TSPATTRIB_POLDEL_OWNERBLOB)
			want = TSS_DELEGATIONTYPE_OWNER;
		else if (sub == TSS_TSPATTRIB_POLDEL_KEYBLOB)
			want = TSS_DELEGATIONTYPE_KEY;
		else
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		if (d->blob == NULL)
			return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		if (d->type != want)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		if ((*data = ctx_memdup(o->ctx, d->blob, d->blob_len)) == NULL)
			return TSP_ERROR(TSS_E_OUTOFMEMORY);
		*len = d->blob_len;
		return TSS_SUCCESS;
	}
	if (sub != TSS_TSPATTRIB_POLDELPCR_DIGESTATRELEASE &&
	    sub != TSS_TSPATTRIB_POLDELPCR_SELECTION)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	if ((rc = delegation_public(o->ctx, d, &pub)) != TSS_SUCCESS)
		return rc;
	if (sub == TSS_TSPATTRIB_POLDELPCR_DIGESTATRELEASE) {
		*data = ctx_memdup(o->ctx, pub.digest_at_release, sizeof(pub.digest_at_release));
		*len = sizeof(pub.digest_at_release);
	} else {
		/* The TPM_PCR_SELECTION as the TPM encodes it (Part 2 §8.1). */
		sel[0] = (BYTE)(pub.size_of_select >> 8);
		sel[1] = (BYTE)pub.size_of_select;
		memcpy(sel + 2, pub.select, pub.size_of_select);
		*len = 2u + pub.size_of_select;
		*data = ctx_memdup(o->ctx, sel, *len);
	}
	if (*data == NULL) {
		*len = 0;
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	}
	return TSS_SUCCESS;
}

static TSS_RESULT delegation_set_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 len,
				      const BYTE *data)
{
	struct policy_delegation *d = &((struct policy_obj *)o->data)->del;

	if (flag != TSS_TSPATTRIB_POLICY_DELEGATION_INFO)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if (sub == TSS_TSPATTRIB_POLDEL_OWNERBLOB)
		return policy_delegation_set_blob(d, TSS_DELEGATIONTYPE_OWNER, data, len);
	if (sub == TSS_TSPATTRIB_POLDEL_KEYBLOB)
		return policy_delegation_set_blob(d, TSS_DELEGATIONTYPE_KEY, data, len);
	return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
}

static bool is_delegation_flag(TSS_FLAG flag)
{
	return flag == TSS_TSPATTRIB_POLICY_DELEGATION_INFO ||
	       flag == TSS_TSPATTRIB_POLICY_DELEGATION_PCR;
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

	if (is_delegation_flag(flag))
		return delegation_get_u32(o, flag, sub, val);

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

	if (is_delegation_flag(flag))
		return delegation_set_u32(o, flag, sub, val);

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

	if (is_delegation_flag(flag))
		return delegation_get_data(o, flag, sub, len, data);
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

	if (is_delegation_flag(flag))
		return delegation_set_data(o, flag, sub, len, data);
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
