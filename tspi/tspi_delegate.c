/*
 * libtspi: delegation (TPM 1.2 Part 1 §20, Part 3 §19; TSS 1.2 §4.3.4.23):
 * delegation-family objects, Tspi_TPM_Delegate_*, and the parsing of the
 * TPM's delegation structures that the policy attributes and session.c
 * (DSAP) need.
 *
 * A delegation lives in a policy object (tspi_policy.c): the application
 * sets the type and permissions, gives the policy the secret to delegate,
 * and CreateDelegation puts the TPM's blob in it. A policy holding a blob
 * (or the row of a cached owner delegation) then authorises commands
 * through DSAP sessions (session.c) with that secret instead of the
 * owner's or the key's.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <tss/tpm.h>
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
#include "tss/tspi.h"

/* Largest blob or table accepted from the TCS (the TPM's own buffer). */
#define DELEGATE_DATA_MAX 4096u
/* A TPM_PCR_INFO_SHORT with no PCR: 24 PCRs unselected, any locality. */
#define NULL_PCR_SELECT_SIZE 3
#define LOCALITY_ALL 0x1f

/* ---- Delegation-family objects ---- */

struct delfamily {
	UINT32 family_id;
	BYTE label;
	UINT32 verification_count;
	bool enabled;
	bool locked;
};

/* One TPM_FAMILY_TABLE_ENTRY (Part 2 §20.4). */
static int family_entry_get(struct buf_reader *r, struct delfamily *f)
{
	uint16_t tag = 0;
	uint32_t flags = 0;

	buf_get_u16(r, &tag);
	buf_get_u8(r, &f->label);
	buf_get_u32(r, &f->family_id);
	buf_get_u32(r, &f->verification_count);
	buf_get_u32(r, &flags);
	if (buf_reader_error(r) == 0 && tag != TPM_TAG_FAMILY_TABLE_ENTRY)
		return buf_reader_fail(r, -EBADMSG);
	f->enabled = (flags & TPM_FAMFLAG_ENABLE) != 0;
	f->locked = (flags & TPM_FAMFLAG_DELEGATE_ADMIN_LOCK) != 0;
	return buf_reader_error(r);
}

/* TPM_DELEGATE_PUBLIC (Part 2 §20.9), PCR info and permissions inline. */
static int public_get(struct buf_reader *r, struct delegate_public *p)
{
	uint16_t tag = 0, perm_tag = 0;

	memset(p, 0, sizeof(*p));
	buf_get_u16(r, &tag);
	buf_get_u8(r, &p->label);
	buf_get_u16(r, &p->size_of_select);
	if (buf_reader_error(r) == 0 && p->size_of_select > sizeof(p->select))
		return buf_reader_fail(r, -EBADMSG);
	buf_get_bytes(r, p->select, p->size_of_select);
	buf_get_u8(r, &p->locality_at_release);
	buf_get_bytes(r, p->digest_at_release, sizeof(p->digest_at_release));
	buf_get_u16(r, &perm_tag);
	buf_get_u32(r, &p->delegate_type);
	buf_get_u32(r, &p->per1);
	buf_get_u32(r, &p->per2);
	buf_get_u32(r, &p->family_id);
	buf_get_u32(r, &p->verification_count);
	if (buf_reader_error(r) == 0 &&
	    (tag != TPM_TAG_DELEGATE_PUBLIC || perm_tag != TPM_TAG_DELEGATIONS))
		return buf_reader_fail(r, -EBADMSG);
	return buf_reader_error(r);
}

/* The public part of an owner or key delegation blob (Part 2 §20.10, §20.11). */
static TSS_RESULT blob_public(const BYTE *blob, UINT32 len, struct delegate_public *out)
{
	struct buf_reader r;
	uint16_t tag = 0;

	buf_reader_init(&r, blob, len);
	buf_get_u16(&r, &tag);
	if (buf_reader_error(&r) != 0 ||
	    (tag != TPM_TAG_DELEGATE_OWNER_BLOB && tag != TPM_TAG_DELG_KEY_BLOB))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	/* The rest (digests, additional and sensitive areas) is the TPM's business. */
	if (public_get(&r, out) != 0) {
		log_error("tspi: delegation blob of %u bytes does not parse", len);
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
	return TSS_SUCCESS;
}

/* TCS Delegate_ReadTable: both tables as the TPM encodes them (malloc'd). */
static TSS_RESULT read_tables(struct tspi_ctx *ctx, BYTE **fam, UINT32 *fam_len, BYTE **del,
			      UINT32 *del_len)
{
	struct rpc_msg *m;
	TSS_RESULT rc;

	*fam = *del = NULL;
	*fam_len = *del_len = 0;
	if ((rc = rpc_begin(ctx, TCSD_ORD_DELEGATE_READTABLE, &m)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_call(m)) == TSS_SUCCESS) {
		rpc_get_sized(m, DELEGATE_DATA_MAX, fam_len, fam);
		rpc_get_sized(m, DELEGATE_DATA_MAX, del_len, del);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	if (rc != TSS_SUCCESS) {
		free(*fam);
		free(*del);
		*fam = *del = NULL;
		*fam_len = *del_len = 0;
	}
	return rc;
}

/* Finds family id in the TPM's family table: TSS_E_DELFAMILY_NOTFOUND if absent. */
static TSS_RESULT table_family(struct tspi_ctx *ctx, UINT32 id, struct delfamily *out)
{
	BYTE *fam, *del;
	UINT32 fam_len, del_len;
	struct buf_reader r;
	TSS_RESULT rc;

	if ((rc = read_tables(ctx, &fam, &fam_len, &del, &del_len)) != TSS_SUCCESS)
		return rc;
	rc = TSP_ERROR(TSS_E_DELFAMILY_NOTFOUND);
	buf_reader_init(&r, fam, fam_len);
	while (buf_remaining(&r) > 0) {
		if (family_entry_get(&r, out) != 0) {
			log_error("tspi: the TPM's family table does not parse");
			rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
			break;
		}
		if (out->family_id == id) {
			rc = TSS_SUCCESS;
			break;
		}
	}
	free(fam);
	free(del);
	return rc;
}

TSS_RESULT delegation_table_row(struct tspi_ctx *ctx, UINT32 index, struct delegate_public *out)
{
	BYTE *fam, *del;
	UINT32 fam_len, del_len, row;
	struct buf_reader r;
	TSS_RESULT rc;

	if ((rc = read_tables(ctx, &fam, &fam_len, &del, &del_len)) != TSS_SUCCESS)
		return rc;
	/* TrouSerS: an index with no row is a bad parameter. */
	rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
	buf_reader_init(&r, del, del_len);
	while (buf_remaining(&r) > 0) {
		buf_get_u32(&r, &row);
		if (public_get(&r, out) != 0) {
			log_error("tspi: the TPM's delegation table does not parse");
			rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
			break;
		}
		if (row == index) {
			rc = TSS_SUCCESS;
			break;
		}
	}
	free(fam);
	free(del);
	return rc;
}

TSS_RESULT delegation_public(struct tspi_ctx *ctx, const struct policy_delegation *d,
			     struct delegate_public *out)
{
	memset(out, 0, sizeof(*out));
	if (d->index_set)
		return delegation_table_row(ctx, d->index, out);
	if (d->blob != NULL)
		return blob_public(d->blob, d->blob_len, out);
	return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
}

static struct delfamily *delfamily_of(struct obj *o)
{
	return o->data;
}

/*
 * Tspi_Context_CreateObject(TSS_OBJECT_TYPE_DELFAMILY): an empty family
 * object, no init flags (as TrouSerS); AddFamily and GetFamily give ones
 * that name a family of the TPM.
 */
static TSS_RESULT delfamily_create(struct obj *o, TSS_FLAG init_flags)
{
	if (init_flags != 0)
		return TSP_ERROR(TSS_E_INVALID_OBJECT_INITFLAG);
	if ((o->data = calloc(1, sizeof(struct delfamily))) == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	return TSS_SUCCESS;
}

static void delfamily_destroy(struct obj *o)
{
	free(o->data);
	o->data = NULL;
}

/* The family object of ctx for id (created if needed), refreshed from the TPM. */
static TSS_RESULT family_object(struct tspi_ctx *ctx, UINT32 id, struct obj **out)
{
	struct delfamily f, *copy;
	struct obj *o;
	TSS_RESULT rc;

	*out = NULL;
	if ((rc = table_family(ctx, id, &f)) != TSS_SUCCESS)
		return rc;
	for (o = obj_next_in(ctx, NULL, OBJ_DELFAMILY); o != NULL;
	     o = obj_next_in(ctx, o, OBJ_DELFAMILY)) {
		if (o->data != NULL && delfamily_of(o)->family_id == id) {
			*delfamily_of(o) = f;
			*out = o;
			return TSS_SUCCESS;
		}
	}
	if ((copy = malloc(sizeof(*copy))) == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	*copy = f;
	if ((rc = obj_add(ctx, &obj_class_delfamily, copy, &o)) != TSS_SUCCESS) {
		free(copy);
		return rc;
	}
	*out = o;
	return TSS_SUCCESS;
}

/* ---- Owner-authorised TCS calls ---- */

/*
 * Does the TPM object's owner policy give a secret? Without one (no owner
 * yet), TrouSerS sends the command without auth, and so do we.
 */
static bool owner_auth_wanted(struct obj *tpm)
{
	struct tspi_policy *p = secret_policy(tpm->ctx, tpm->usage_policy);

	return p != NULL && p->mode != TSS_SECRET_MODE_NONE;
}

struct owner_call {
	UINT32 tpm_ord;
	UINT32 tcsd_ord;
	/* TPM parameters after the ordinal, for the input digest (1S). */
	struct crypto_iov in[4];
	size_t in_count;
	/* The TCSD parameters before the AUTH. */
	void (*put)(struct rpc_msg *m, const struct owner_call *c);
	const void *arg;
	UINT32 arg_u32;
	bool sized_output;		/* reply ends with UINT32+PBYTE */
};

/*
 * One owner-authorised command over OIAP (or DSAP when the owner policy
 * holds an owner delegation: session.c decides). *out: the sized output,
 * malloc'd (out and out_len may be NULL only without sized output).
 */
static TSS_RESULT owner_request(struct obj *tpm, const struct owner_call *c, BYTE **out,
				UINT32 *out_len)
{
	struct tspi_ctx *ctx = tpm->ctx;
	struct session s;
	bool use_auth = owner_auth_wanted(tpm);
	BYTE digest[20], len_be[4];
	struct rpc_msg *m = NULL;
	TPM_AUTH auth;
	TSS_RESULT rc;

	memset(&s, 0, sizeof(s));
	memset(&auth, 0, sizeof(auth));
	if (out != NULL) {
		*out = NULL;
		*out_len = 0;
	}
	if (use_auth) {
		if ((rc = session_oiap(ctx, tpm->usage_policy, tpm->handle, &s)) != TSS_SUCCESS)
			return rc;
		if (auth_digest_request(c->tpm_ord, c->in, c->in_count, digest) != 0 ||
		    (rc = session_auth(&s, c->tpm_ord, digest, &auth)) != TSS_SUCCESS) {
			rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
	}
	if ((rc = rpc_begin(ctx, c->tcsd_ord, &m)) != TSS_SUCCESS)
		goto out;
	c->put(m, c);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (use_auth)
		rpc_get_auth(m, &auth);
	if (c->sized_output)
		rpc_get_sized(m, DELEGATE_DATA_MAX, out_len, out);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if (use_auth) {
		int err;

		if (c->sized_output) {
			buf_store_be32(len_be, *out_len);
			err = auth_digest_response(0, c->tpm_ord,
						   (struct crypto_iov[]){ { len_be, 4 },
									  { *out, *out_len } },
						   2, digest);
		} else {
			err = auth_digest_response(0, c->tpm_ord, NULL, 0, digest);
		}
		rc = err != 0 ? TSP_ERROR(TSS_E_INTERNAL_ERROR) : session_verify(&s, digest, &auth);
	}
out:
	if (use_auth)
		session_end(&s, rc);
	rpc_end(m);
	if (rc != TSS_SUCCESS && out != NULL) {
		free(*out);
		*out = NULL;
		*out_len = 0;
	}
	return rc;
}

struct manage_args {
	UINT32 family, op;
	const BYTE *data;
	UINT32 len;
};

static void put_manage(struct rpc_msg *m, const struct owner_call *c)
{
	const struct manage_args *a = c->arg;

	rpc_put_u32(m, a->family);
	rpc_put_u32(m, a->op);
	rpc_put_u32(m, a->len);
	rpc_put_bytes(m, a->data, a->len);
}

/* TPM_Delegate_Manage (Part 3 §19.1). */
static TSS_RESULT delegate_manage(struct obj *tpm, UINT32 family, UINT32 op, const BYTE *data,
				  UINT32 len, BYTE **ret, UINT32 *ret_len)
{
	struct manage_args a = { family, op, data, len };
	BYTE be[12];
	struct owner_call c = {
		.tpm_ord = TPM_ORD_Delegate_Manage,
		.tcsd_ord = TCSD_ORD_DELEGATE_MANAGE,
		.put = put_manage,
		.arg = &a,
		.sized_output = true,
	};
	struct buf_writer w;

	buf_writer_init_fixed(&w, be, sizeof(be));
	buf_put_u32(&w, family);
	buf_put_u32(&w, op);
	buf_put_u32(&w, len);
	c.in[0] = (struct crypto_iov){ be, sizeof(be) };
	c.in[1] = (struct crypto_iov){ data, len };
	c.in_count = 2;
	return owner_request(tpm, &c, ret, ret_len);
}

/* The TPM object of ctx (for family attributes that act on the TPM). */
static TSS_RESULT context_tpm(struct tspi_ctx *ctx, struct obj **tpm)
{
	if (ctx->tpm == 0)
		return TSP_ERROR(TSS_E_NO_CONNECTION);
	return obj_lookup_in(ctx, ctx->tpm, OBJ_TPM, tpm);
}

/* ---- Family attributes (TSS_TSPATTRIB_DELFAMILY_*) ---- */

static TSS_RESULT delfamily_get_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *val)
{
	const struct delfamily *f = delfamily_of(o);

	if (flag == TSS_TSPATTRIB_DELFAMILY_STATE) {
		if (sub == TSS_TSPATTRIB_DELFAMILYSTATE_LOCKED)
			*val = f->locked ? TRUE : FALSE;
		else if (sub == TSS_TSPATTRIB_DELFAMILYSTATE_ENABLED)
			*val = f->enabled ? TRUE : FALSE;
		else
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		return TSS_SUCCESS;
	}
	if (flag != TSS_TSPATTRIB_DELFAMILY_INFO)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	switch (sub) {
	case TSS_TSPATTRIB_DELFAMILYINFO_LABEL:
		*val = f->label;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_DELFAMILYINFO_VERCOUNT:
		*val = f->verification_count;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_DELFAMILYINFO_FAMILYID:
		*val = f->family_id;
		return TSS_SUCCESS;
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
}

/* Setting a state is TPM_Delegate_Manage with ENABLE or ADMIN (lock) and a BOOL. */
static TSS_RESULT delfamily_set_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 val)
{
	struct delfamily *f = delfamily_of(o);
	struct obj *tpm, *same;
	BYTE on = val ? TRUE : FALSE, *ret = NULL;
	UINT32 op, ret_len = 0;
	TSS_RESULT rc;

	if (flag != TSS_TSPATTRIB_DELFAMILY_STATE)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if (sub == TSS_TSPATTRIB_DELFAMILYSTATE_LOCKED)
		op = TPM_FAMILY_ADMIN;
	else if (sub == TSS_TSPATTRIB_DELFAMILYSTATE_ENABLED)
		op = TPM_FAMILY_ENABLE;
	else
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	if ((rc = context_tpm(o->ctx, &tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = delegate_manage(tpm, f->family_id, op, &on, 1, &ret, &ret_len)) != TSS_SUCCESS)
		return rc;
	free(ret);
	/* Read back what the TPM now says (the same object is refreshed). */
	return family_object(o->ctx, f->family_id, &same);
}

const struct obj_class obj_class_delfamily = {
	.type = OBJ_DELFAMILY,
	.name = "delfamily",
	.create = delfamily_create,
	.destroy = delfamily_destroy,
	.get_u32 = delfamily_get_u32,
	.set_u32 = delfamily_set_u32,
};

/* ---- Tspi_TPM_Delegate_* ---- */

TSS_RESULT Tspi_TPM_Delegate_AddFamily(TSS_HTPM hTPM, BYTE bLabel, TSS_HDELFAMILY *phFamily)
{
	struct obj *tpm, *fam;
	BYTE *ret = NULL;
	UINT32 ret_len = 0, id;
	TSS_RESULT rc;

	if (phFamily == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*phFamily = 0;
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	/* TPM_FAMILY_CREATE: opData is the label, retData the new family ID. */
	if ((rc = delegate_manage(tpm, 0, TPM_FAMILY_CREATE, &bLabel, 1, &ret, &ret_len)) !=
	    TSS_SUCCESS)
		goto out;
	if (ret_len != 4) {
		log_error("tspi: TPM_Delegate_Manage(CREATE) answered %u bytes, not a family ID",
			  ret_len);
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	id = ((UINT32)ret[0] << 24) | ((UINT32)ret[1] << 16) | ((UINT32)ret[2] << 8) | ret[3];
	if ((rc = family_object(tpm->ctx, id, &fam)) != TSS_SUCCESS)
		goto out;
	*phFamily = fam->handle;
out:
	free(ret);
	obj_release(tpm);
	return rc;
}

TSS_RESULT Tspi_TPM_Delegate_GetFamily(TSS_HTPM hTPM, UINT32 ulFamilyID, TSS_HDELFAMILY *phFamily)
{
	struct obj *tpm, *fam;
	TSS_RESULT rc;

	if (phFamily == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*phFamily = 0;
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	rc = family_object(tpm->ctx, ulFamilyID, &fam);
	/* TrouSerS answers an unknown family with a bad parameter. */
	if (rc == TSP_ERROR(TSS_E_DELFAMILY_NOTFOUND))
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
	if (rc == TSS_SUCCESS)
		*phFamily = fam->handle;
	obj_release(tpm);
	return rc;
}

TSS_RESULT Tspi_TPM_Delegate_InvalidateFamily(TSS_HTPM hTPM, TSS_HDELFAMILY hFamily)
{
	struct obj *tpm, *fam;
	BYTE *ret = NULL;
	UINT32 ret_len = 0;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(tpm->ctx, hFamily, OBJ_DELFAMILY, &fam)) != TSS_SUCCESS)
		goto out;
	if ((rc = delegate_manage(tpm, delfamily_of(fam)->family_id, TPM_FAMILY_INVALIDATE, NULL,
				  0, &ret, &ret_len)) != TSS_SUCCESS)
		goto out;
	/* The family is gone from the TPM: its object goes too (as TrouSerS). */
	obj_remove(fam);
out:
	free(ret);
	obj_release(tpm);
	return rc;
}

/*
 * TPM_DELEGATE_PUBLIC for a new delegation (Part 2 §20.9): label, PCR
 * info (none: no PCR selected, any locality), the policy's permissions,
 * and the family's ID and current verification count. Malloc'd.
 */
static TSS_RESULT build_public(struct obj *pcrs, const struct delfamily *fam,
			       const struct policy_delegation *d, BYTE label, BYTE **out,
			       size_t *out_len)
{
	uint8_t *pcr_info = NULL;
	size_t pcr_len = 0;
	struct buf_writer w;
	TSS_RESULT rc;

	*out = NULL;
	*out_len = 0;
	if (pcrs != NULL &&
	    (rc = pcrs_build_info(pcrs, TSS_PCRS_STRUCT_INFO_SHORT, &pcr_info, &pcr_len)) !=
		    TSS_SUCCESS)
		return rc;
	buf_writer_init_dynamic(&w, DELEGATE_DATA_MAX);
	buf_put_u16(&w, TPM_TAG_DELEGATE_PUBLIC);
	buf_put_u8(&w, label);
	if (pcr_info != NULL) {
		buf_put_bytes(&w, pcr_info, pcr_len);
	} else {
		buf_put_u16(&w, NULL_PCR_SELECT_SIZE);
		buf_put_zeros(&w, NULL_PCR_SELECT_SIZE);
		buf_put_u8(&w, LOCALITY_ALL);
		buf_put_zeros(&w, 20);
	}
	buf_put_u16(&w, TPM_TAG_DELEGATIONS);
	buf_put_u32(&w,
		    d->type == TSS_DELEGATIONTYPE_OWNER ? TPM_DEL_OWNER_BITS : TPM_DEL_KEY_BITS);
	buf_put_u32(&w, d->per1);
	buf_put_u32(&w, d->per2);
	buf_put_u32(&w, fam->family_id);
	buf_put_u32(&w, fam->verification_count);
	free(pcr_info);
	if (buf_writer_error(&w) != 0) {
		buf_writer_free(&w);
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	}
	*out = buf_writer_steal(&w, out_len);
	return *out != NULL ? TSS_SUCCESS : TSP_ERROR(TSS_E_OUTOFMEMORY);
}

/*
 * Delegate_CreateOwnerDelegation (Part 3 §19.3) or _CreateKeyDelegation
 * (§19.2) over OSAP on the owner or the key: the delegated secret travels
 * ADIP-encrypted; the TPM answers the blob.
 */
static TSS_RESULT create_delegation(struct obj *target, bool owner, bool increment,
				    const BYTE *pub, size_t pub_len, TSS_HPOLICY delegation,
				    BYTE **blob, UINT32 *blob_len)
{
	struct tspi_ctx *ctx = target->ctx;
	UINT32 tpm_ord = owner ? TPM_ORD_Delegate_CreateOwnerDelegation
			       : TPM_ORD_Delegate_CreateKeyDelegation;
	BYTE secret[20], enc[20], digest[20], len_be[4], inc = increment ? 1 : 0;
	struct rpc_msg *m = NULL;
	struct session s;
	TPM_AUTH auth;
	UINT32 key = 0;
	TSS_RESULT rc;

	*blob = NULL;
	*blob_len = 0;
	memset(&s, 0, sizeof(s));
	if (!owner && (rc = rsakey_tcs_handle(target, &key)) != TSS_SUCCESS)
		return rc;
	if ((rc = secret_get(ctx, delegation, true, secret)) != TSS_SUCCESS)
		return rc;
	if (owner)
		rc = session_osap(ctx, target->usage_policy, target->handle, TPM_ET_OWNER,
				  TPM_KH_OWNER, &s);
	else
		rc = session_osap(ctx, rsakey_usage_policy(target), target->handle,
				  TPM_ET_KEYHANDLE, key, &s);
	if (rc != TSS_SUCCESS)
		goto wipe;
	if ((rc = session_encauth(&s, secret, enc)) != TSS_SUCCESS)
		goto out;
	/* 1S: [increment,] publicInfo, delAuth (the owner form has the BOOL first). */
	if ((owner ? auth_digest_request(tpm_ord,
					 (struct crypto_iov[]){ { &inc, 1 }, { pub, pub_len },
								{ enc, 20 } },
					 3, digest)
		   : auth_digest_request(tpm_ord,
					 (struct crypto_iov[]){ { pub, pub_len }, { enc, 20 } }, 2,
					 digest)) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if ((rc = session_auth(&s, tpm_ord, digest, &auth)) != TSS_SUCCESS)
		goto out;
	if ((rc = rpc_begin(ctx,
			    owner ? TCSD_ORD_DELEGATE_CREATEOWNERDELEGATION
				  : TCSD_ORD_DELEGATE_CREATEKEYDELEGATION,
			    &m)) != TSS_SUCCESS)
		goto out;
	if (owner)
		rpc_put_bool(m, increment);
	else
		rpc_put_u32(m, key);
	rpc_put_u32(m, (UINT32)pub_len);
	rpc_put_bytes(m, pub, (UINT32)pub_len);
	rpc_put_encauth(m, enc);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_auth(m, &auth);
	rpc_get_sized(m, DELEGATE_DATA_MAX, blob_len, blob);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	buf_store_be32(len_be, *blob_len);
	if (auth_digest_response(0, tpm_ord,
				 (struct crypto_iov[]){ { len_be, 4 }, { *blob, *blob_len } }, 2,
				 digest) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	rc = session_verify(&s, digest, &auth);
out:
	session_end(&s, rc);
	rpc_end(m);
wipe:
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(enc, sizeof(enc));
	if (rc != TSS_SUCCESS) {
		free(*blob);
		*blob = NULL;
		*blob_len = 0;
	}
	return rc;
}

TSS_RESULT Tspi_TPM_Delegate_CreateDelegation(TSS_HOBJECT hObject, BYTE bLabel, UINT32 ulFlags,
					      TSS_HPCRS hPcr, TSS_HDELFAMILY hFamily,
					      TSS_HPOLICY hDelegation)
{
	struct obj *target, *fam, *pol, *pcrs = NULL, *refreshed;
	struct policy_delegation *d;
	BYTE *pub = NULL, *blob = NULL;
	size_t pub_len = 0;
	UINT32 blob_len = 0;
	bool owner;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hObject, OBJ_TPM | OBJ_RSAKEY, &target)) != TSS_SUCCESS)
		return rc;
	owner = target->type == OBJ_TPM;
	if ((rc = obj_lookup_in(target->ctx, hFamily, OBJ_DELFAMILY, &fam)) != TSS_SUCCESS ||
	    (rc = obj_lookup_in(target->ctx, hDelegation, OBJ_POLICY, &pol)) != TSS_SUCCESS)
		goto out;
	if (hPcr != 0 && (rc = obj_lookup_in(target->ctx, hPcr, OBJ_PCRS, &pcrs)) != TSS_SUCCESS)
		goto out;
	d = policy_delegation(target->ctx, hDelegation);
	/* Owner delegations may increment the count; key delegations take no flag. */
	if ((owner && (ulFlags & ~TSS_DELEGATE_INCREMENTVERIFICATIONCOUNT) != 0) ||
	    (!owner && ulFlags != 0) ||
	    d->type != (owner ? TSS_DELEGATIONTYPE_OWNER : TSS_DELEGATIONTYPE_KEY)) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	/* The family's verification count as the TPM has it now. */
	if ((rc = family_object(target->ctx, delfamily_of(fam)->family_id, &refreshed)) !=
	    TSS_SUCCESS)
		goto out;
	if ((rc = build_public(pcrs, delfamily_of(refreshed), d, bLabel, &pub, &pub_len)) !=
	    TSS_SUCCESS)
		goto out;
	if ((rc = create_delegation(target, owner,
				    (ulFlags & TSS_DELEGATE_INCREMENTVERIFICATIONCOUNT) != 0, pub,
				    pub_len, hDelegation, &blob, &blob_len)) != TSS_SUCCESS)
		goto out;
	if ((rc = policy_delegation_set_blob(d, d->type, blob, blob_len)) != TSS_SUCCESS)
		goto out;
	if (ulFlags & TSS_DELEGATE_INCREMENTVERIFICATIONCOUNT)
		(void)family_object(target->ctx, delfamily_of(fam)->family_id, &refreshed);
out:
	free(pub);
	free(blob);
	obj_release(target);
	return rc;
}

struct blob_args {
	const BYTE *data;
	UINT32 len;
};

static void put_load_owner(struct rpc_msg *m, const struct owner_call *c)
{
	const struct blob_args *a = c->arg;

	rpc_put_u32(m, c->arg_u32);
	rpc_put_u32(m, a->len);
	rpc_put_bytes(m, a->data, a->len);
}

TSS_RESULT Tspi_TPM_Delegate_CacheOwnerDelegation(TSS_HTPM hTPM, TSS_HPOLICY hDelegation,
						  UINT32 ulIndex, UINT32 ulFlags)
{
	struct policy_delegation *d;
	struct delegate_public pub;
	struct obj *tpm, *pol;
	struct blob_args a;
	BYTE be[8];
	struct owner_call c = {
		.tpm_ord = TPM_ORD_Delegate_LoadOwnerDelegation,
		.tcsd_ord = TCSD_ORD_DELEGATE_LOADOWNERDELEGATION,
		.put = put_load_owner,
		.arg = &a,
		.arg_u32 = ulIndex,
	};
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(tpm->ctx, hDelegation, OBJ_POLICY, &pol)) != TSS_SUCCESS)
		goto out;
	d = policy_delegation(tpm->ctx, hDelegation);
	if (d->blob == NULL) {
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		goto out;
	}
	if (d->type != TSS_DELEGATIONTYPE_OWNER ||
	    (ulFlags & ~TSS_DELEGATE_CACHEOWNERDELEGATION_OVERWRITEEXISTING) != 0) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if (!(ulFlags & TSS_DELEGATE_CACHEOWNERDELEGATION_OVERWRITEEXISTING) &&
	    delegation_table_row(tpm->ctx, ulIndex, &pub) == TSS_SUCCESS) {
		rc = TSP_ERROR(TSS_E_DELFAMILY_ROWEXISTS);
		goto out;
	}
	a.data = d->blob;
	a.len = d->blob_len;
	buf_store_be32(be, ulIndex);
	buf_store_be32(be + 4, a.len);
	c.in[0] = (struct crypto_iov){ be, sizeof(be) };
	c.in[1] = (struct crypto_iov){ a.data, a.len };
	c.in_count = 2;
	if ((rc = owner_request(tpm, &c, NULL, NULL)) != TSS_SUCCESS)
		goto out;
	/* From now on the policy names the row, as in TrouSerS. */
	policy_delegation_clear(d);
	d->type = TSS_DELEGATIONTYPE_OWNER;
	d->index = ulIndex;
	d->index_set = true;
out:
	obj_release(tpm);
	return rc;
}

static void put_blob(struct rpc_msg *m, const struct owner_call *c)
{
	const struct blob_args *a = c->arg;

	rpc_put_u32(m, a->len);
	rpc_put_bytes(m, a->data, a->len);
}

TSS_RESULT Tspi_TPM_Delegate_UpdateVerificationCount(TSS_HTPM hTPM, TSS_HPOLICY hDelegation)
{
	struct policy_delegation *d;
	struct obj *tpm, *pol;
	struct blob_args a;
	BYTE be[4], row[4], *ret = NULL;
	UINT32 ret_len = 0;
	struct owner_call c = {
		.tpm_ord = TPM_ORD_Delegate_UpdateVerification,
		.tcsd_ord = TCSD_ORD_DELEGATE_UPDATEVERIFICATIONCOUNT,
		.put = put_blob,
		.arg = &a,
		.sized_output = true,
	};
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(tpm->ctx, hDelegation, OBJ_POLICY, &pol)) != TSS_SUCCESS)
		goto out;
	d = policy_delegation(tpm->ctx, hDelegation);
	/* inputData: a blob, or the 4-byte index of a table row (Part 3 §19.6). */
	if (d->index_set) {
		buf_store_be32(row, d->index);
		a.data = row;
		a.len = 4;
	} else if (d->blob != NULL) {
		a.data = d->blob;
		a.len = d->blob_len;
	} else {
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		goto out;
	}
	buf_store_be32(be, a.len);
	c.in[0] = (struct crypto_iov){ be, 4 };
	c.in[1] = (struct crypto_iov){ a.data, a.len };
	c.in_count = 2;
	if ((rc = owner_request(tpm, &c, &ret, &ret_len)) != TSS_SUCCESS)
		goto out;
	/* A blob comes back re-stamped; a table row is updated in place. */
	if (!d->index_set)
		rc = policy_delegation_set_blob(d, 0, ret, ret_len);
out:
	free(ret);
	obj_release(tpm);
	return rc;
}

TSS_RESULT Tspi_TPM_Delegate_VerifyDelegation(TSS_HPOLICY hDelegation)
{
	struct policy_delegation *d;
	struct rpc_msg *m;
	struct obj *pol;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hDelegation, OBJ_POLICY, &pol)) != TSS_SUCCESS)
		return rc;
	d = policy_delegation(pol->ctx, hDelegation);
	if (d->blob == NULL) {
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		goto out;
	}
	if ((rc = rpc_begin(pol->ctx, TCSD_ORD_DELEGATE_VERIFYDELEGATION, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, d->blob_len);
	rpc_put_bytes(m, d->blob, d->blob_len);
	rc = rpc_call(m);
	rpc_end(m);
out:
	obj_release(pol);
	return rc;
}

/* Counts the entries of both tables (checking that they parse). */
static TSS_RESULT count_tables(const BYTE *fam, UINT32 fam_len, const BYTE *del, UINT32 del_len,
			       UINT32 *n_fam, UINT32 *n_del)
{
	struct delegate_public pub;
	struct delfamily f;
	struct buf_reader r;
	UINT32 row;

	*n_fam = *n_del = 0;
	buf_reader_init(&r, fam, fam_len);
	while (buf_remaining(&r) > 0) {
		if (family_entry_get(&r, &f) != 0)
			goto bad;
		(*n_fam)++;
	}
	buf_reader_init(&r, del, del_len);
	while (buf_remaining(&r) > 0) {
		buf_get_u32(&r, &row);
		if (public_get(&r, &pub) != 0)
			goto bad;
		(*n_del)++;
	}
	return TSS_SUCCESS;
bad:
	log_error("tspi: the TPM's delegation tables do not parse");
	return TSP_ERROR(TSS_E_INTERNAL_ERROR);
}

TSS_RESULT Tspi_TPM_Delegate_ReadTables(TSS_HCONTEXT hContext, UINT32 *pulFamilyTableSize,
					TSS_FAMILY_TABLE_ENTRY **ppFamilyTable,
					UINT32 *pulDelegateTableSize,
					TSS_DELEGATION_TABLE_ENTRY **ppDelegateTable)
{
	TSS_FAMILY_TABLE_ENTRY *ft = NULL;
	TSS_DELEGATION_TABLE_ENTRY *dt = NULL;
	BYTE *fam = NULL, *del = NULL;
	UINT32 fam_len, del_len, n_fam = 0, n_del = 0, i;
	struct delegate_public pub;
	struct delfamily f;
	struct buf_reader r;
	struct tspi_ctx *ctx;
	struct obj *c;
	TSS_RESULT rc;

	if (pulFamilyTableSize == NULL || ppFamilyTable == NULL || pulDelegateTableSize == NULL ||
	    ppDelegateTable == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulFamilyTableSize = *pulDelegateTableSize = 0;
	*ppFamilyTable = NULL;
	*ppDelegateTable = NULL;
	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &c)) != TSS_SUCCESS)
		return rc;
	ctx = c->ctx;
	if ((rc = read_tables(ctx, &fam, &fam_len, &del, &del_len)) != TSS_SUCCESS)
		goto out;
	if ((rc = count_tables(fam, fam_len, del, del_len, &n_fam, &n_del)) != TSS_SUCCESS)
		goto out;
	/* Arrays of the TSS structures, in context memory (Tspi_Context_FreeMemory). */
	if ((n_fam > 0 && (ft = ctx_alloc(ctx, n_fam * sizeof(*ft))) == NULL) ||
	    (n_del > 0 && (dt = ctx_alloc(ctx, n_del * sizeof(*dt))) == NULL)) {
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	buf_reader_init(&r, fam, fam_len);
	for (i = 0; i < n_fam; i++) {
		family_entry_get(&r, &f);
		ft[i].familyID = f.family_id;
		ft[i].label = f.label;
		ft[i].verificationCount = f.verification_count;
		ft[i].enabled = f.enabled ? TRUE : FALSE;
		ft[i].locked = f.locked ? TRUE : FALSE;
	}
	buf_reader_init(&r, del, del_len);
	for (i = 0; i < n_del; i++) {
		buf_get_u32(&r, &dt[i].tableIndex);
		public_get(&r, &pub);
		dt[i].label = pub.label;
		dt[i].pcrInfo.sizeOfSelect = pub.size_of_select;
		dt[i].pcrInfo.selection = ctx_memdup(ctx, pub.select, pub.size_of_select);
		dt[i].pcrInfo.localityAtRelease = pub.locality_at_release;
		dt[i].pcrInfo.sizeOfDigestAtRelease = sizeof(pub.digest_at_release);
		dt[i].pcrInfo.digestAtRelease =
			ctx_memdup(ctx, pub.digest_at_release, sizeof(pub.digest_at_release));
		if (dt[i].pcrInfo.selection == NULL || dt[i].pcrInfo.digestAtRelease == NULL) {
			rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
			goto out;
		}
		dt[i].per1 = pub.per1;
		dt[i].per2 = pub.per2;
		dt[i].familyID = pub.family_id;
		dt[i].verificationCount = pub.verification_count;
	}
	*pulFamilyTableSize = n_fam;
	*ppFamilyTable = ft;
	*pulDelegateTableSize = n_del;
	*ppDelegateTable = dt;
	ft = NULL;
	dt = NULL;
out:
	if (dt != NULL) {
		for (i = 0; i < n_del; i++) {
			if (dt[i].pcrInfo.selection != NULL)
				ctx_free(ctx, dt[i].pcrInfo.selection);
			if (dt[i].pcrInfo.digestAtRelease != NULL)
				ctx_free(ctx, dt[i].pcrInfo.digestAtRelease);
		}
		ctx_free(ctx, dt);
	}
	if (ft != NULL)
		ctx_free(ctx, ft);
	free(fam);
	free(del);
	obj_release(c);
	return rc;
}
