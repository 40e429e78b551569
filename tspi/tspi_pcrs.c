/*
 * PCR composite objects (TSS 1.2 §4.3.4.16): a PCR selection, the values
 * the caller expects in those PCRs, localities, and the three TPM
 * structures built from them (TPM_PCR_INFO, _LONG, _SHORT; Part 2 §8).
 *
 * TrouSerS' rules, which applications rely on: SelectPcrIndex is for 1.1
 * (INFO) composites, SelectPcrIndexEx for 1.2 ones; SetPcrValue selects
 * the PCR (in the release selection) and stores the value; the
 * digestAtRelease is recomputed on every change; localities only exist
 * in 1.2 structures. A selection is at least 2 bytes (INFO) or 3 bytes
 * (LONG, SHORT) long.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "keys.h"
#include "log.h"
#include "obj.h"

/* All five localities (TPM_LOC_ZERO..FOUR), TrouSerS' TSS_LOCALITY_ALL. */
#define PCRS_LOCALITY_ALL 0x1f

struct pcrs *pcrs_of(struct obj *o)
{
	return o->data;
}

static uint16_t pcrs_min_select(UINT32 type)
{
	return type == TSS_PCRS_STRUCT_INFO ? 2 : 3;
}

static TSS_RESULT pcrs_create(struct obj *o, TSS_FLAG init_flags)
{
	struct pcrs *p;
	UINT32 type = init_flags;

	if (type == TSS_PCRS_STRUCT_DEFAULT)
		type = o->ctx->connection_version == TSS_TSPATTRIB_CONTEXT_VERSION_V1_2
			       ? TSS_PCRS_STRUCT_INFO_LONG : TSS_PCRS_STRUCT_INFO;
	if (type != TSS_PCRS_STRUCT_INFO && type != TSS_PCRS_STRUCT_INFO_LONG &&
	    type != TSS_PCRS_STRUCT_INFO_SHORT)
		return TSP_ERROR(TSS_E_INVALID_OBJECT_INITFLAG);
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	p->type = type;
	p->locality_at_release = PCRS_LOCALITY_ALL;
	(void)pcrs_update_digest(p);
	o->data = p;
	return TSS_SUCCESS;
}

static void pcrs_destroy(struct obj *o)
{
	free(o->data);
	o->data = NULL;
}

TSS_RESULT pcrs_update_digest(struct pcrs *p)
{
	struct tpm_pcr_composite comp;
	int pcr = -1;
	uint32_t n = 0;

	memset(&comp, 0, sizeof(comp));
	comp.select = p->select;
	while ((pcr = tpm_pcr_selection_next(&p->select, pcr)) >= 0) {
		if (n >= TPM_STRUCT_NUM_PCR_MAX)
			return TSP_ERROR(TSS_E_INTERNAL_ERROR);
		memcpy(comp.pcr_value[n++], p->values[pcr], TPM_STRUCT_DIGEST_LEN);
	}
	comp.n_values = n;
	if (tpm_pcr_composite_digest(&comp, p->digest_at_release) != 0)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	return TSS_SUCCESS;
}

/* Selects pcr in sel, growing it to at least the structure's minimum size. */
static TSS_RESULT pcrs_select(struct tpm_pcr_selection *sel, UINT32 type, UINT32 pcr)
{
	uint16_t min = pcrs_min_select(type);

	if (pcr >= TPM_STRUCT_NUM_PCR_MAX)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if (sel->size_of_select < min)
		sel->size_of_select = min;
	if (tpm_pcr_selection_select(sel, pcr) != 0)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	return TSS_SUCCESS;
}

TSS_RESULT Tspi_PcrComposite_SelectPcrIndex(TSS_HPCRS hPcrComposite, UINT32 ulPcrIndex)
{
	struct obj *o;
	struct pcrs *p;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hPcrComposite, OBJ_PCRS, &o)) != TSS_SUCCESS)
		return rc;
	p = pcrs_of(o);
	if (p->type != TSS_PCRS_STRUCT_INFO)
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
	else if ((rc = pcrs_select(&p->select, p->type, ulPcrIndex)) == TSS_SUCCESS)
		rc = pcrs_update_digest(p);
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_PcrComposite_SelectPcrIndexEx(TSS_HPCRS hPcrComposite, UINT32 ulPcrIndex,
					      UINT32 Direction)
{
	struct obj *o;
	struct pcrs *p;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hPcrComposite, OBJ_PCRS, &o)) != TSS_SUCCESS)
		return rc;
	p = pcrs_of(o);
	if (Direction != TSS_PCRS_DIRECTION_CREATION && Direction != TSS_PCRS_DIRECTION_RELEASE)
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
	else if (p->type == TSS_PCRS_STRUCT_INFO ||
		 (p->type == TSS_PCRS_STRUCT_INFO_SHORT &&
		  Direction == TSS_PCRS_DIRECTION_CREATION))
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
	else if (Direction == TSS_PCRS_DIRECTION_CREATION)
		rc = pcrs_select(&p->creation_select, p->type, ulPcrIndex);
	else if ((rc = pcrs_select(&p->select, p->type, ulPcrIndex)) == TSS_SUCCESS)
		rc = pcrs_update_digest(p);
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_PcrComposite_SetPcrValue(TSS_HPCRS hPcrComposite, UINT32 ulPcrIndex,
					 UINT32 ulPcrValueLength, BYTE *rgbPcrValue)
{
	struct obj *o;
	struct pcrs *p;
	TSS_RESULT rc;

	if (rgbPcrValue == NULL || ulPcrValueLength != TPM_STRUCT_DIGEST_LEN)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hPcrComposite, OBJ_PCRS, &o)) != TSS_SUCCESS)
		return rc;
	p = pcrs_of(o);
	if ((rc = pcrs_select(&p->select, p->type, ulPcrIndex)) == TSS_SUCCESS) {
		memcpy(p->values[ulPcrIndex], rgbPcrValue, TPM_STRUCT_DIGEST_LEN);
		rc = pcrs_update_digest(p);
	}
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_PcrComposite_GetPcrValue(TSS_HPCRS hPcrComposite, UINT32 ulPcrIndex,
					 UINT32 *pulPcrValueLength, BYTE **prgbPcrValue)
{
	struct obj *o;
	struct pcrs *p;
	TSS_RESULT rc;

	if (pulPcrValueLength == NULL || prgbPcrValue == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulPcrValueLength = 0;
	*prgbPcrValue = NULL;
	if ((rc = obj_acquire(hPcrComposite, OBJ_PCRS, &o)) != TSS_SUCCESS)
		return rc;
	p = pcrs_of(o);
	if (ulPcrIndex >= TPM_STRUCT_NUM_PCR_MAX ||
	    !tpm_pcr_selection_is_selected(&p->select, ulPcrIndex))
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
	else
		rc = keys_out_bytes(o->ctx, p->values[ulPcrIndex], TPM_STRUCT_DIGEST_LEN,
				    pulPcrValueLength, prgbPcrValue);
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_PcrComposite_SetPcrLocality(TSS_HPCRS hPcrComposite, UINT32 LocalityValue)
{
	struct obj *o;
	struct pcrs *p;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hPcrComposite, OBJ_PCRS, &o)) != TSS_SUCCESS)
		return rc;
	p = pcrs_of(o);
	if (p->type == TSS_PCRS_STRUCT_INFO)
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
	else if (LocalityValue == 0 || (LocalityValue & ~(UINT32)PCRS_LOCALITY_ALL) != 0)
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
	else
		p->locality_at_release = (uint8_t)LocalityValue;
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_PcrComposite_GetPcrLocality(TSS_HPCRS hPcrComposite, UINT32 *pLocalityValue)
{
	struct obj *o;
	struct pcrs *p;
	TSS_RESULT rc;

	if (pLocalityValue == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pLocalityValue = 0;
	if ((rc = obj_acquire(hPcrComposite, OBJ_PCRS, &o)) != TSS_SUCCESS)
		return rc;
	p = pcrs_of(o);
	if (p->type == TSS_PCRS_STRUCT_INFO)
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
	else
		*pLocalityValue = p->locality_at_release;
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_PcrComposite_GetCompositeHash(TSS_HPCRS hPcrComposite, UINT32 *pLen,
					      BYTE **ppbHashData)
{
	struct obj *o;
	struct pcrs *p;
	TSS_RESULT rc;

	if (pLen == NULL || ppbHashData == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pLen = 0;
	*ppbHashData = NULL;
	if ((rc = obj_acquire(hPcrComposite, OBJ_PCRS, &o)) != TSS_SUCCESS)
		return rc;
	p = pcrs_of(o);
	if ((rc = pcrs_update_digest(p)) == TSS_SUCCESS)
		rc = keys_out_bytes(o->ctx, p->digest_at_release, TPM_STRUCT_DIGEST_LEN, pLen,
				    ppbHashData);
	obj_release(o);
	return rc;
}

/* ---- structures for the TPM ---- */

/* The selection as sent: at least min bytes even when nothing is selected. */
static struct tpm_pcr_selection pcrs_wire_select(const struct tpm_pcr_selection *sel,
						 uint16_t min)
{
	struct tpm_pcr_selection out = *sel;

	if (out.size_of_select < min)
		out.size_of_select = min;
	return out;
}

TSS_RESULT pcrs_build_info(struct obj *o, UINT32 type, uint8_t **out, size_t *out_len)
{
	struct pcrs *p = pcrs_of(o);
	struct buf_writer w;
	TSS_RESULT rc;

	*out = NULL;
	*out_len = 0;
	if (type == 0)
		type = p->type;
	if ((rc = pcrs_update_digest(p)) != TSS_SUCCESS)
		return rc;
	buf_writer_init_dynamic(&w, 1024);
	if (type == TSS_PCRS_STRUCT_INFO) {
		struct tpm_pcr_info info;

		memset(&info, 0, sizeof(info));
		info.pcr_selection = pcrs_wire_select(&p->select, 2);
		memcpy(info.digest_at_release, p->digest_at_release, TPM_STRUCT_DIGEST_LEN);
		tpm_pcr_info_put(&w, &info);
	} else if (type == TSS_PCRS_STRUCT_INFO_LONG) {
		struct tpm_pcr_info_long info;

		memset(&info, 0, sizeof(info));
		/*
		 * The TPM computes digestAtCreation itself; some chips still check
		 * localityAtCreation and the creation selection, so send valid ones
		 * (TrouSerS does the same).
		 */
		info.locality_at_creation = 1; /* TPM_LOC_ZERO */
		info.locality_at_release = p->type == TSS_PCRS_STRUCT_INFO ? PCRS_LOCALITY_ALL
									  : p->locality_at_release;
		info.creation_pcr_selection = pcrs_wire_select(&p->creation_select, 3);
		info.release_pcr_selection = pcrs_wire_select(&p->select, 3);
		memcpy(info.digest_at_release, p->digest_at_release, TPM_STRUCT_DIGEST_LEN);
		tpm_pcr_info_long_put(&w, &info);
	} else if (type == TSS_PCRS_STRUCT_INFO_SHORT) {
		struct tpm_pcr_info_short info;

		memset(&info, 0, sizeof(info));
		info.pcr_selection = pcrs_wire_select(&p->select, 3);
		info.locality_at_release = p->type == TSS_PCRS_STRUCT_INFO ? PCRS_LOCALITY_ALL
									  : p->locality_at_release;
		memcpy(info.digest_at_release, p->digest_at_release, TPM_STRUCT_DIGEST_LEN);
		tpm_pcr_info_short_put(&w, &info);
	} else {
		buf_writer_free(&w);
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	if (buf_writer_error(&w) != 0) {
		buf_writer_free(&w);
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	*out = buf_writer_steal(&w, out_len);
	return *out != NULL ? TSS_SUCCESS : TSP_ERROR(TSS_E_OUTOFMEMORY);
}

TSS_RESULT pcrs_build_selection(struct obj *o, uint8_t **out, size_t *out_len)
{
	struct pcrs *p = pcrs_of(o);
	struct tpm_pcr_selection sel = pcrs_wire_select(&p->select, pcrs_min_select(p->type));

	return keys_errno_result(tpm_pcr_selection_encode(&sel, out, out_len));
}

TSS_RESULT pcrs_set_composite(struct obj *o, const struct tpm_pcr_composite *comp)
{
	struct pcrs *p = pcrs_of(o);
	int pcr = -1;
	uint32_t n = 0;
	TSS_RESULT rc;

	while ((pcr = tpm_pcr_selection_next(&comp->select, pcr)) >= 0) {
		if (n >= comp->n_values)
			return TSP_ERROR(TSS_E_INTERNAL_ERROR);
		if ((rc = pcrs_select(&p->select, p->type, (UINT32)pcr)) != TSS_SUCCESS)
			return rc;
		memcpy(p->values[pcr], comp->pcr_value[n++], TPM_STRUCT_DIGEST_LEN);
	}
	return pcrs_update_digest(p);
}

/* ---- attributes ---- */

static TSS_RESULT pcrs_get_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *val)
{
	*val = 0;
	if (flag != TSS_TSPATTRIB_PCRS_INFO)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if (sub != TSS_TSPATTRIB_PCRSINFO_PCRSTRUCT)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	*val = pcrs_of(o)->type;
	return TSS_SUCCESS;
}

static TSS_RESULT pcrs_set_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 val)
{
	struct pcrs *p = pcrs_of(o);

	if (flag != TSS_TSPATTRIB_PCRS_INFO)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	if (sub != TSS_TSPATTRIB_PCRSINFO_PCRSTRUCT)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	if (val != TSS_PCRS_STRUCT_INFO && val != TSS_PCRS_STRUCT_INFO_LONG &&
	    val != TSS_PCRS_STRUCT_INFO_SHORT)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
	/* The selection carries over; 1.2 structures need 3 bytes of it. */
	p->type = val;
	if (p->select.size_of_select != 0 && p->select.size_of_select < pcrs_min_select(val))
		p->select.size_of_select = pcrs_min_select(val);
	return pcrs_update_digest(p);
}

const struct obj_class obj_class_pcrs = {
	.type = OBJ_PCRS,
	.name = "pcrs",
	.create = pcrs_create,
	.destroy = pcrs_destroy,
	.get_u32 = pcrs_get_u32,
	.set_u32 = pcrs_set_u32,
};
