/*
 * The generic object calls (TSS 1.2 §4.3.4.1-2): Tspi_{Get,Set}Attrib*,
 * Tspi_GetPolicyObject and Tspi_ChangeAuth(Asym). Each dispatches to the
 * hooks of the object's class (obj.h), so every module answers for its
 * own objects.
 */
#include "config.h"

#include "obj.h"

/*
 * Objects without any attribute of that kind: TrouSerS answers
 * TSS_E_BAD_PARAMETER for hash and PCR objects, TSS_E_INVALID_ATTRIB_FLAG
 * otherwise.
 */
static TSS_RESULT no_hook(const struct obj *o)
{
	if (o->type & (OBJ_HASH | OBJ_PCRS | OBJ_CONTEXT))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
}

TSS_RESULT Tspi_SetAttribUint32(TSS_HOBJECT hObject, TSS_FLAG attribFlag, TSS_FLAG subFlag,
				UINT32 ulAttrib)
{
	struct obj *o;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hObject, OBJ_ANY, &o)) != TSS_SUCCESS)
		return rc;
	if (o->cls->set_u32 == NULL)
		rc = no_hook(o);
	else
		rc = o->cls->set_u32(o, attribFlag, subFlag, ulAttrib);
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_GetAttribUint32(TSS_HOBJECT hObject, TSS_FLAG attribFlag, TSS_FLAG subFlag,
				UINT32 *pulAttrib)
{
	struct obj *o;
	UINT32 v = 0;
	TSS_RESULT rc;

	if (pulAttrib == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hObject, OBJ_ANY, &o)) != TSS_SUCCESS)
		return rc;
	if (o->cls->get_u32 == NULL)
		rc = no_hook(o);
	else
		rc = o->cls->get_u32(o, attribFlag, subFlag, &v);
	obj_release(o);
	if (rc == TSS_SUCCESS)
		*pulAttrib = v;
	return rc;
}

TSS_RESULT Tspi_SetAttribData(TSS_HOBJECT hObject, TSS_FLAG attribFlag, TSS_FLAG subFlag,
			      UINT32 ulAttribDataSize, BYTE *rgbAttribData)
{
	struct obj *o;
	TSS_RESULT rc;

	if (rgbAttribData == NULL && ulAttribDataSize != 0)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hObject, OBJ_ANY, &o)) != TSS_SUCCESS)
		return rc;
	if (o->cls->set_data == NULL)
		rc = no_hook(o);
	else
		rc = o->cls->set_data(o, attribFlag, subFlag, ulAttribDataSize, rgbAttribData);
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_GetAttribData(TSS_HOBJECT hObject, TSS_FLAG attribFlag, TSS_FLAG subFlag,
			      UINT32 *pulAttribDataSize, BYTE **prgbAttribData)
{
	BYTE *data = NULL;
	UINT32 len = 0;
	struct obj *o;
	TSS_RESULT rc;

	if (pulAttribDataSize == NULL || prgbAttribData == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hObject, OBJ_ANY, &o)) != TSS_SUCCESS)
		return rc;
	if (o->cls->get_data == NULL)
		rc = no_hook(o);
	else
		rc = o->cls->get_data(o, attribFlag, subFlag, &len, &data);
	obj_release(o);
	if (rc == TSS_SUCCESS) {
		*pulAttribDataSize = len;
		*prgbAttribData = data;
	}
	return rc;
}

TSS_RESULT Tspi_GetPolicyObject(TSS_HOBJECT hObject, TSS_FLAG policyType, TSS_HPOLICY *phPolicy)
{
	TSS_HPOLICY h = 0;
	struct obj *o;
	TSS_RESULT rc;

	if (phPolicy == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hObject, OBJ_ANY, &o)) != TSS_SUCCESS)
		return rc;
	if (policyType > 31 || !(o->cls->policy_kinds & (1u << policyType))) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	switch (policyType) {
	case TSS_POLICY_USAGE:
		h = o->usage_policy;
		break;
	case TSS_POLICY_MIGRATION:
		h = o->migration_policy;
		if (h == 0)
			rc = TSP_ERROR(TSS_E_KEY_NO_MIGRATION_POLICY);
		break;
	case TSS_POLICY_OPERATOR:
		h = o->operator_policy;
		break;
	}
	/* TrouSerS reports a missing policy this way. */
	if (rc == TSS_SUCCESS && h == 0)
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
	if (rc == TSS_SUCCESS)
		*phPolicy = h;
out:
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_ChangeAuth(TSS_HOBJECT hObjectToChange, TSS_HOBJECT hParentObject,
			   TSS_HPOLICY hNewPolicy)
{
	struct obj *o, *parent = NULL, *policy;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hObjectToChange, OBJ_ANY, &o)) != TSS_SUCCESS)
		return rc;
	if (o->cls->change_auth == NULL) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if ((rc = obj_lookup_in(o->ctx, hNewPolicy, OBJ_POLICY, &policy)) != TSS_SUCCESS)
		goto out;
	/* The TPM object has no parent; keys and data name theirs. */
	if (hParentObject != 0 &&
	    (rc = obj_lookup_in(o->ctx, hParentObject, OBJ_ANY, &parent)) != TSS_SUCCESS)
		goto out;
	rc = o->cls->change_auth(o, parent, policy);
out:
	obj_release(o);
	return rc;
}

/*
 * Not implemented, on purpose: libtpms does implement
 * TPM_ChangeAuthAsymStart/Finish (Part 3 §17.3, §17.4, deprecated in 1.2),
 * but TrouSerS 0.3.15 implements neither end of them -- its tcsd serves no
 * TCSD_ORD_CHANGEAUTHASYMSTART/FINISH (our ordinal table says so), its
 * libtspi's RPC stubs answer TSS_E_NOTIMPL and its Tspi_ChangeAuthAsym is
 * compiled out -- so there is no TCSD wire format to be compatible with.
 * Tspi_ChangeAuth (OSAP/ADIP) covers the same need.
 */
TSS_RESULT Tspi_ChangeAuthAsym(TSS_HOBJECT hObjectToChange, TSS_HOBJECT hParentObject,
			       TSS_HKEY hIdentKey, TSS_HPOLICY hNewPolicy)
{
	struct obj *o;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hObjectToChange, OBJ_ANY, &o)) != TSS_SUCCESS)
		return rc;
	obj_release(o);
	return TSP_ERROR(TSS_E_NOTIMPL);
}
