/*
 * libtspi: NV storage objects (TSS 1.2 §4.3.4.7) and Tspi_NV_*
 * (TPM 1.2 Part 3 §20).
 *
 * An NV object is only a description (index, permissions, size) until
 * Tspi_NV_DefineSpace creates the area. What the TPM holds is read back
 * with GetCapability(TPM_CAP_NV_INDEX): the STATE and PCR attributes,
 * and the permissions that decide how a write or read is authorised:
 *
 *   AUTHWRITE / AUTHREAD    TPM_NV_WriteValueAuth / ReadValueAuth, OIAP
 *                           with the area's secret (the NV object's
 *                           usage policy, else the context's default)
 *   OWNERWRITE / OWNERREAD  TPM_NV_WriteValue / ReadValue, OIAP with the
 *                           owner secret: the NV object's usage policy if
 *                           one was assigned (what TrouSerS and tpm-tools
 *                           do: tpm_nvwrite -p puts the owner password
 *                           there), else the TPM object's
 *   neither                 TPM_NV_WriteValue / ReadValue without auth
 *
 * A policy whose secret mode is NONE counts as "no secret": then the
 * command goes without auth and the TPM decides (TrouSerS sends no auth
 * when the NV object has no policy). Until TPM_NV_INDEX_LOCK is defined
 * (nvLocked) the TPM ignores the permissions of unauthorised commands
 * (Part 3 §20.2 action 1).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <tss/tpm.h>
#include <tss/tpm_ordinal.h>

#include "buf.h"
#include "crypto.h"
#include "keys.h"
#include "log.h"
#include "obj.h"
#include "rpc.h"
#include "secret.h"
#include "session.h"
#include "tpm_structs.h"
#include "tss/tspi.h"

/*
 * Largest write or read in one call: what fits in TrouSerS' 4 KiB
 * transmit buffer with the headers and an auth trailer (the TCS refuses
 * more). A TPM 1.2 NV area is rarely above 2 KiB.
 */
#define NV_DATA_MAX 3968u
/* A TPM_NV_DATA_PUBLIC with 3-byte selections is 71 bytes; GetCapability answers fit 4 KiB. */
#define NV_CAP_MAX 4096u
/* All five localities (TPM_LOC_ZERO..FOUR), the default of an unbound area. */
#define NV_LOCALITY_ALL 0x1f

struct nvstore {
	UINT32 index;
	UINT32 permissions;	/* TPM_NV_PER_* bits for DefineSpace */
	UINT32 data_size;
};

static struct nvstore *nv_of(struct obj *o)
{
	return o->data;
}

/* ---- what the TPM holds ---- */

/* Whether index is among the TPM's defined areas (TPM_CAP_NV_LIST, Part 2 §21.1). */
static TSS_RESULT nv_is_defined(struct tspi_ctx *ctx, UINT32 index, bool *defined)
{
	struct buf_reader r;
	BYTE *list = NULL;
	UINT32 len = 0, v;
	TSS_RESULT rc;

	*defined = false;
	if ((rc = tpm_get_capability(ctx, TPM_CAP_NV_LIST, NULL, 0, NV_CAP_MAX, &len, &list)) !=
	    TSS_SUCCESS)
		return rc;
	buf_reader_init(&r, list, len);
	while (buf_remaining(&r) >= 4 && buf_get_u32(&r, &v) == 0) {
		if (v == index) {
			*defined = true;
			break;
		}
	}
	free(list);
	return TSS_SUCCESS;
}

/*
 * The area's TPM_NV_DATA_PUBLIC (TPM_CAP_NV_INDEX). An undefined index
 * gives the TPM's TPM_E_BADINDEX.
 */
static TSS_RESULT nv_read_public(struct obj *o, struct tpm_nv_data_public *pub)
{
	BYTE sub[4], *resp = NULL;
	UINT32 len = 0;
	TSS_RESULT rc;

	memset(pub, 0, sizeof(*pub));
	buf_store_be32(sub, nv_of(o)->index);
	if ((rc = tpm_get_capability(o->ctx, TPM_CAP_NV_INDEX, sub, 4, NV_CAP_MAX, &len, &resp)) !=
	    TSS_SUCCESS)
		return rc;
	if (tpm_nv_data_public_decode(resp, len, pub) != 0) {
		log_error("tspi: TPM_NV_DATA_PUBLIC of NV index 0x%08x does not parse (%u bytes)",
			  nv_of(o)->index, len);
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	free(resp);
	return rc;
}

/* ---- the object ---- */

static TSS_RESULT nv_create(struct obj *o, TSS_FLAG init_flags)
{
	/* No init flag is valid for an NV object (TrouSerS). */
	if (init_flags != 0)
		return TSP_ERROR(TSS_E_INVALID_OBJECT_INITFLAG);
	o->data = calloc(1, sizeof(struct nvstore));
	if (o->data == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	/* No usage policy until one is assigned: it decides whether writes carry auth. */
	o->usage_policy = 0;
	return TSS_SUCCESS;
}

static void nv_destroy(struct obj *o)
{
	free(o->data);
	o->data = NULL;
}

static TSS_RESULT nv_set_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 val)
{
	struct nvstore *nv = nv_of(o);

	switch (flag) {
	case TSS_TSPATTRIB_NV_INDEX:
		nv->index = val;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_NV_DATASIZE:
		nv->data_size = val;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_NV_PERMISSIONS:
		nv->permissions = val;
		return TSS_SUCCESS;
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	}
}

/* NV_STATE sub-flags: the three TPM_BOOLs after the attributes. */
static TSS_RESULT nv_state(const struct tpm_nv_data_public *pub, TSS_FLAG sub, UINT32 *val)
{
	switch (sub) {
	case TSS_TSPATTRIB_NVSTATE_READSTCLEAR:
		*val = pub->b_read_st_clear;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_NVSTATE_WRITESTCLEAR:
		*val = pub->b_write_st_clear;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_NVSTATE_WRITEDEFINE:
		*val = pub->b_write_define;
		return TSS_SUCCESS;
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
}

static TSS_RESULT nv_get_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *val)
{
	struct nvstore *nv = nv_of(o);
	struct tpm_nv_data_public pub;
	TSS_RESULT rc;

	switch (flag) {
	case TSS_TSPATTRIB_NV_INDEX:
		*val = nv->index;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_NV_DATASIZE:
		*val = nv->data_size;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_NV_PERMISSIONS:
		*val = nv->permissions;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_NV_STATE:
		if (sub != TSS_TSPATTRIB_NVSTATE_READSTCLEAR &&
		    sub != TSS_TSPATTRIB_NVSTATE_WRITESTCLEAR &&
		    sub != TSS_TSPATTRIB_NVSTATE_WRITEDEFINE)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		if ((rc = nv_read_public(o, &pub)) != TSS_SUCCESS)
			return rc;
		return nv_state(&pub, sub, val);
	case TSS_TSPATTRIB_NV_PCR:
		if (sub != TSS_TSPATTRIB_NVPCR_READLOCALITYATRELEASE &&
		    sub != TSS_TSPATTRIB_NVPCR_WRITELOCALITYATRELEASE)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		if ((rc = nv_read_public(o, &pub)) != TSS_SUCCESS)
			return rc;
		*val = sub == TSS_TSPATTRIB_NVPCR_READLOCALITYATRELEASE
			       ? pub.pcr_info_read.locality_at_release
			       : pub.pcr_info_write.locality_at_release;
		return TSS_SUCCESS;
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	}
}

/* NV_PCR data: the read/write TPM_PCR_SELECTION (encoded) or digestAtRelease. */
static TSS_RESULT nv_get_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *len,
			      BYTE **data)
{
	struct tpm_nv_data_public pub;
	const struct tpm_pcr_info_short *info;
	TSS_RESULT rc;

	if (flag != TSS_TSPATTRIB_NV_PCR)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	switch (sub) {
	case TSS_TSPATTRIB_NVPCR_READPCRSELECTION:
	case TSS_TSPATTRIB_NVPCR_READDIGESTATRELEASE:
	case TSS_TSPATTRIB_NVPCR_WRITEPCRSELECTION:
	case TSS_TSPATTRIB_NVPCR_WRITEDIGESTATRELEASE:
		break;
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
	if ((rc = nv_read_public(o, &pub)) != TSS_SUCCESS)
		return rc;
	info = sub == TSS_TSPATTRIB_NVPCR_READPCRSELECTION ||
			       sub == TSS_TSPATTRIB_NVPCR_READDIGESTATRELEASE
		       ? &pub.pcr_info_read
		       : &pub.pcr_info_write;
	if (sub == TSS_TSPATTRIB_NVPCR_READDIGESTATRELEASE ||
	    sub == TSS_TSPATTRIB_NVPCR_WRITEDIGESTATRELEASE)
		return keys_out_bytes(o->ctx, info->digest_at_release, TPM_STRUCT_DIGEST_LEN, len,
				      data);
	return keys_out_selection(o->ctx, &info->pcr_selection, len, data);
}

const struct obj_class obj_class_nv = {
	.type = OBJ_NV,
	.name = "nv",
	.create = nv_create,
	.destroy = nv_destroy,
	.get_u32 = nv_get_u32,
	.set_u32 = nv_set_u32,
	.get_data = nv_get_data,
	.policy_kinds = 1u << TSS_POLICY_USAGE,
};

/* ---- policies ---- */

/* A policy that holds a secret (mode other than NONE), or 0. */
static TSS_HPOLICY policy_with_secret(struct tspi_ctx *ctx, TSS_HPOLICY h)
{
	const struct tspi_policy *p;

	if (h == 0 || (p = secret_policy(ctx, h)) == NULL || p->mode == TSS_SECRET_MODE_NONE)
		return 0;
	return h;
}

/* The TPM object of o's context (for its owner policy). */
static TSS_RESULT nv_tpm(struct obj *o, struct obj **tpm)
{
	if (o->ctx->tpm == 0)
		return TSP_ERROR(TSS_E_NO_CONNECTION);
	return obj_lookup_in(o->ctx, o->ctx->tpm, OBJ_TPM, tpm);
}

/* The area's own secret: the NV object's usage policy, else the context default. */
static TSS_HPOLICY nv_area_policy(struct obj *o)
{
	return policy_with_secret(o->ctx, o->usage_policy ? o->usage_policy
							  : o->ctx->default_policy);
}

/* The owner secret for OWNERREAD/OWNERWRITE: see the top of the file. */
static TSS_HPOLICY nv_owner_policy(struct obj *o)
{
	struct obj *tpm;

	if (o->usage_policy != 0)
		return policy_with_secret(o->ctx, o->usage_policy);
	if (nv_tpm(o, &tpm) != TSS_SUCCESS)
		return 0;
	return policy_with_secret(o->ctx, tpm->usage_policy);
}

/* ---- DefineSpace / ReleaseSpace ---- */

/*
 * A TPM_PCR_INFO_SHORT from a PCR composite, as TrouSerS builds it: the
 * selection grown to 3 bytes, the composite's digestAtRelease only when
 * something is selected, its localityAtRelease. Without a composite: no
 * PCRs, every locality.
 */
static TSS_RESULT nv_pcr_info(struct obj *o, TSS_HPCRS h, struct tpm_pcr_info_short *info)
{
	struct obj *po;
	struct pcrs *p;
	TSS_RESULT rc;

	memset(info, 0, sizeof(*info));
	info->pcr_selection.size_of_select = 3;
	info->locality_at_release = NV_LOCALITY_ALL;
	if (h == 0)
		return TSS_SUCCESS;
	if ((rc = obj_lookup_in(o->ctx, h, OBJ_PCRS, &po)) != TSS_SUCCESS)
		return rc;
	p = pcrs_of(po);
	/* NV areas live in PCR_INFO_SHORT: 24 PCRs, 3 selection bytes (Part 2 §8.5). */
	if (p->select.size_of_select > 3)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	memcpy(info->pcr_selection.pcr_select, p->select.pcr_select, p->select.size_of_select);
	if (tpm_pcr_selection_count(&p->select) > 0) {
		if ((rc = pcrs_update_digest(p)) != TSS_SUCCESS)
			return rc;
		memcpy(info->digest_at_release, p->digest_at_release, TPM_STRUCT_DIGEST_LEN);
	}
	/* A TPM_PCR_INFO composite has no locality: TrouSerS keeps the default then. */
	if (p->type != TSS_PCRS_STRUCT_INFO)
		info->locality_at_release = p->locality_at_release & NV_LOCALITY_ALL;
	return TSS_SUCCESS;
}

/*
 * TPM_NV_DefineSpace (Part 3 §20.1) with pub encoded, authorised by the
 * owner through OSAP when the owner policy has a secret, the area's new
 * secret ADIP-encrypted in it (zeros when area_policy is 0). Without an
 * owner secret the command goes unauthorised, which the TPM accepts only
 * before TPM_NV_INDEX_LOCK.
 */
static TSS_RESULT nv_define_raw(struct obj *o, const struct tpm_nv_data_public *pub,
				TSS_HPOLICY owner_policy, TSS_HPOLICY area_policy)
{
	BYTE secret[20] = { 0 }, enc[20] = { 0 }, in_digest[20], ord_be[4];
	struct session s;
	bool have_session = false;
	struct rpc_msg *m = NULL;
	struct buf_writer w;
	TPM_AUTH auth;
	uint8_t *pub_bytes = NULL;
	size_t pub_len = 0;
	struct obj *tpm;
	TSS_RESULT rc;

	memset(&s, 0, sizeof(s));
	buf_store_be32(ord_be, TPM_ORD_NV_DefineSpace);
	buf_writer_init_dynamic(&w, 128);
	tpm_nv_data_public_put(&w, pub);
	if (buf_writer_error(&w) != 0) {
		buf_writer_free(&w);
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
	if ((pub_bytes = buf_writer_steal(&w, &pub_len)) == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	if (area_policy != 0 &&
	    (rc = secret_get(o->ctx, area_policy, true, secret)) != TSS_SUCCESS)
		goto out;
	if (owner_policy != 0) {
		if ((rc = nv_tpm(o, &tpm)) != TSS_SUCCESS)
			goto out;
		if ((rc = session_osap(o->ctx, owner_policy, tpm->handle, TPM_ET_OWNER,
				       TPM_KH_OWNER, &s)) != TSS_SUCCESS)
			goto out;
		have_session = true;
		if ((rc = session_encauth(&s, secret, enc)) != TSS_SUCCESS)
			goto out;
		if (CRYPTO_SHA1_PIECES(in_digest, { ord_be, 4 }, { pub_bytes, pub_len },
				       { enc, 20 }) != 0) {
			rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
		if ((rc = session_auth(&s, TPM_ORD_NV_DefineSpace, in_digest, &auth)) !=
		    TSS_SUCCESS)
			goto out;
	}
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_NVDEFINEORRELEASESPACE, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, (UINT32)pub_len);
	rpc_put_bytes(m, pub_bytes, (UINT32)pub_len);
	rpc_put_encauth(m, enc);
	if (have_session)
		rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (have_session)
		rpc_get_auth(m, &auth);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS || !have_session)
		goto out;
	rc = session_verify_outputs(&s, &auth, NULL, 0);
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(enc, sizeof(enc));
	free(pub_bytes);
	return rc;
}

TSS_RESULT Tspi_NV_DefineSpace(TSS_HNVSTORE hNVStore, TSS_HPCRS hReadPcrComposite,
			       TSS_HPCRS hWritePcrComposite)
{
	struct tpm_nv_data_public pub;
	TSS_HPOLICY owner_policy, area_policy = 0;
	struct nvstore *nv;
	struct obj *o, *tpm;
	bool defined;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hNVStore, OBJ_NV, &o)) != TSS_SUCCESS)
		return rc;
	nv = nv_of(o);
	memset(&pub, 0, sizeof(pub));
	pub.nv_index = nv->index;
	pub.permission.attributes = nv->permissions;
	pub.data_size = nv->data_size;
	if ((rc = nv_pcr_info(o, hReadPcrComposite, &pub.pcr_info_read)) != TSS_SUCCESS ||
	    (rc = nv_pcr_info(o, hWritePcrComposite, &pub.pcr_info_write)) != TSS_SUCCESS)
		goto out;
	if ((rc = nv_tpm(o, &tpm)) != TSS_SUCCESS)
		goto out;
	if ((rc = nv_is_defined(o->ctx, nv->index, &defined)) != TSS_SUCCESS)
		goto out;
	if (defined) {
		rc = TSP_ERROR(TSS_E_NV_AREA_EXIST);
		goto out;
	}
	owner_policy = policy_with_secret(o->ctx, tpm->usage_policy);
	/*
	 * TPM_NV_INDEX_LOCK sets nvLocked only when sent without auth (Part 3
	 * §20.1 action 1); with owner auth the TPM would try to define an
	 * area and refuse it (TPM_PER_NOWRITE).
	 */
	if (nv->index == TPM_NV_INDEX_LOCK)
		owner_policy = 0;
	/* An area with its own auth needs the owner (to carry it) and a secret for it. */
	if (nv->permissions & (TPM_NV_PER_AUTHREAD | TPM_NV_PER_AUTHWRITE)) {
		area_policy = nv_area_policy(o);
		if (owner_policy == 0 || area_policy == 0) {
			log_debug("tspi: NV index 0x%08x needs an owner secret and its own secret",
				  nv->index);
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			goto out;
		}
	}
	rc = nv_define_raw(o, &pub, owner_policy, area_policy);
out:
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_NV_ReleaseSpace(TSS_HNVSTORE hNVStore)
{
	struct tpm_nv_data_public pub;
	struct nvstore *nv;
	struct obj *o, *tpm;
	bool defined;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hNVStore, OBJ_NV, &o)) != TSS_SUCCESS)
		return rc;
	nv = nv_of(o);
	if ((rc = nv_tpm(o, &tpm)) != TSS_SUCCESS)
		goto out;
	if ((rc = nv_is_defined(o->ctx, nv->index, &defined)) != TSS_SUCCESS)
		goto out;
	if (!defined) {
		rc = TSP_ERROR(TSS_E_NV_AREA_NOT_EXIST);
		goto out;
	}
	/* A DefineSpace of size 0 deletes the area (Part 3 §20.1 action 5). */
	memset(&pub, 0, sizeof(pub));
	pub.nv_index = nv->index;
	pub.permission.attributes = nv->permissions;
	(void)nv_pcr_info(o, 0, &pub.pcr_info_read);
	(void)nv_pcr_info(o, 0, &pub.pcr_info_write);
	rc = nv_define_raw(o, &pub, policy_with_secret(o->ctx, tpm->usage_policy), 0);
out:
	obj_release(o);
	return rc;
}

/* ---- WriteValue / ReadValue ---- */

/* How a write or read is authorised, from the area's permissions. */
struct nv_access {
	UINT32 tpm_ord;		/* TPM_ORD_NV_* */
	UINT32 tcsd_ord;	/* TCSD_ORD_NV* */
	TSS_HPOLICY policy;	/* 0: no auth */
};

static TSS_RESULT nv_access_for(struct obj *o, bool write, struct nv_access *a)
{
	struct tpm_nv_data_public pub;
	UINT32 auth_bit = write ? TPM_NV_PER_AUTHWRITE : TPM_NV_PER_AUTHREAD;
	UINT32 owner_bit = write ? TPM_NV_PER_OWNERWRITE : TPM_NV_PER_OWNERREAD;
	TSS_RESULT rc;

	memset(a, 0, sizeof(*a));
	a->tpm_ord = write ? TPM_ORD_NV_WriteValue : TPM_ORD_NV_ReadValue;
	a->tcsd_ord = write ? TCSD_ORD_NVWRITEVALUE : TCSD_ORD_NVREADVALUE;
	/*
	 * No area there: index 0 (a zero-length write sets bGlobalLock) and
	 * indices the TPM does not list go unauthorised, as TrouSerS sends them;
	 * the TPM answers for itself (TPM_BADINDEX for an undefined one).
	 */
	if ((rc = nv_read_public(o, &pub)) == TPM_E_BADINDEX)
		return TSS_SUCCESS;
	if (rc != TSS_SUCCESS)
		return rc;
	if (pub.permission.attributes & auth_bit) {
		a->tpm_ord = write ? TPM_ORD_NV_WriteValueAuth : TPM_ORD_NV_ReadValueAuth;
		a->tcsd_ord = write ? TCSD_ORD_NVWRITEVALUEAUTH : TCSD_ORD_NVREADVALUEAUTH;
		a->policy = nv_area_policy(o);
		/* WriteValueAuth cannot go without auth (the TCS insists, as TrouSerS). */
		if (a->policy == 0)
			return TSP_ERROR(TSS_E_POLICY_NO_SECRET);
		return TSS_SUCCESS;
	}
	if (pub.permission.attributes & owner_bit)
		a->policy = nv_owner_policy(o);
	return TSS_SUCCESS;
}

/*
 * One TPM_NV_WriteValue(Auth) (§20.2, §20.3). Request digest over
 * index, offset, dataSize, data; the reply's over nothing but the result.
 */
static TSS_RESULT nv_write_once(struct obj *o, const struct nv_access *a, UINT32 offset,
				UINT32 len, const BYTE *data, bool *retry)
{
	BYTE idx_be[4], off_be[4], len_be[4];
	struct session s;
	bool have_session = false;
	struct rpc_msg *m = NULL;
	TPM_AUTH auth;
	TSS_RESULT rc;

	*retry = false;
	memset(&s, 0, sizeof(s));
	buf_store_be32(idx_be, nv_of(o)->index);
	buf_store_be32(off_be, offset);
	buf_store_be32(len_be, len);
	if (a->policy != 0) {
		if ((rc = session_oiap_begin(o->ctx, a->policy, o->handle, a->tpm_ord,
					     (struct crypto_iov[]){ { idx_be, 4 }, { off_be, 4 },
								    { len_be, 4 }, { data, len } },
					     4, &s, &auth)) != TSS_SUCCESS)
			return rc;
		have_session = true;
	}
	if ((rc = rpc_begin(o->ctx, a->tcsd_ord, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, nv_of(o)->index);
	rpc_put_u32(m, offset);
	/* The data slot goes even when empty: TrouSerS' tcsd reads it unconditionally. */
	rpc_put_u32(m, len);
	rpc_put_bytes(m, data, len);
	if (have_session)
		rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (have_session)
		rpc_get_auth(m, &auth);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS || !have_session)
		goto out;
	rc = session_verify_outputs(&s, &auth, NULL, 0);
out:
	if (have_session) {
		*retry = session_retry(&s, rc);
		session_end(&s, rc);
	}
	rpc_end(m);
	return rc;
}

TSS_RESULT Tspi_NV_WriteValue(TSS_HNVSTORE hNVStore, UINT32 offset, UINT32 ulDataLength,
			      BYTE *rgbDataToWrite)
{
	struct nv_access a;
	struct obj *o;
	bool retry;
	TSS_RESULT rc;

	if (ulDataLength != 0 && rgbDataToWrite == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if (ulDataLength > NV_DATA_MAX)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hNVStore, OBJ_NV, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = nv_access_for(o, true, &a)) != TSS_SUCCESS)
		goto out;
	rc = nv_write_once(o, &a, offset, ulDataLength, rgbDataToWrite, &retry);
	/* A cached OIAP session the TCS had lost: once more with a fresh one. */
	if (retry)
		rc = nv_write_once(o, &a, offset, ulDataLength, rgbDataToWrite, &retry);
out:
	obj_release(o);
	return rc;
}

/*
 * One TPM_NV_ReadValue(Auth) (§20.4, §20.5). Request digest over index,
 * offset, dataSize; the reply's over dataSize and data. *out is heap
 * memory.
 */
static TSS_RESULT nv_read_once(struct obj *o, const struct nv_access *a, UINT32 offset,
			       UINT32 want, BYTE **out, UINT32 *out_len, bool *retry)
{
	BYTE idx_be[4], off_be[4], len_be[4];
	struct session s;
	bool have_session = false;
	struct rpc_msg *m = NULL;
	TPM_AUTH auth;
	TSS_RESULT rc;

	*retry = false;
	*out = NULL;
	*out_len = 0;
	memset(&s, 0, sizeof(s));
	buf_store_be32(idx_be, nv_of(o)->index);
	buf_store_be32(off_be, offset);
	buf_store_be32(len_be, want);
	if (a->policy != 0) {
		if ((rc = session_oiap_begin(o->ctx, a->policy, o->handle, a->tpm_ord,
					     (struct crypto_iov[]){ { idx_be, 4 }, { off_be, 4 },
								    { len_be, 4 } },
					     3, &s, &auth)) != TSS_SUCCESS)
			return rc;
		have_session = true;
	}
	if ((rc = rpc_begin(o->ctx, a->tcsd_ord, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, nv_of(o)->index);
	rpc_put_u32(m, offset);
	rpc_put_u32(m, want);
	if (have_session)
		rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (have_session)
		rpc_get_auth(m, &auth);
	rpc_get_sized(m, NV_DATA_MAX + 128, out_len, out);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	/* The TPM never returns more than asked for (Part 3 §20.4 action 6). */
	if (*out_len > want) {
		log_error("tspi: NV read of %u bytes returned %u", want, *out_len);
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if (!have_session)
		goto out;
	buf_store_be32(len_be, *out_len);
	rc = SESSION_VERIFY_PIECES(&s, &auth, { len_be, 4 }, { *out, *out_len });
out:
	if (have_session) {
		*retry = session_retry(&s, rc);
		session_end(&s, rc);
	}
	rpc_end(m);
	if (rc != TSS_SUCCESS && *out != NULL) {
		OPENSSL_cleanse(*out, *out_len);
		free(*out);
		*out = NULL;
		*out_len = 0;
	}
	return rc;
}

TSS_RESULT Tspi_NV_ReadValue(TSS_HNVSTORE hNVStore, UINT32 offset, UINT32 *ulDataLength,
			     BYTE **rgbDataRead)
{
	struct nv_access a;
	BYTE *data = NULL;
	UINT32 len = 0;
	struct obj *o;
	bool retry;
	TSS_RESULT rc;

	if (ulDataLength == NULL || rgbDataRead == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*rgbDataRead = NULL;
	if (*ulDataLength > NV_DATA_MAX)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hNVStore, OBJ_NV, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = nv_access_for(o, false, &a)) != TSS_SUCCESS)
		goto out;
	rc = nv_read_once(o, &a, offset, *ulDataLength, &data, &len, &retry);
	if (retry)
		rc = nv_read_once(o, &a, offset, *ulDataLength, &data, &len, &retry);
	if (rc != TSS_SUCCESS)
		goto out;
	/*
	 * Plain heap memory, not context memory: TrouSerS hands over the RPC
	 * layer's malloc'd buffer and its users (tpm_nvread) free() it.
	 */
	if (data == NULL && (data = malloc(1)) == NULL) {
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	*rgbDataRead = data;
	*ulDataLength = len;
	data = NULL;
out:
	if (data != NULL) {
		OPENSSL_cleanse(data, len);
		free(data);
	}
	obj_release(o);
	return rc;
}
