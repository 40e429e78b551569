/* Daemon, ownership and policy set-up shared by the TSS-level tests (tspi_kit.h). */
#include "config.h"

#include <string.h>

#include <tss/tss_error.h>

#include "tspi_kit.h"

static BYTE well_known[] = TSS_WELL_KNOWN_SECRET;

static TSS_RESULT set_secret(TSS_HPOLICY pol, const char *secret)
{
	if (secret == NULL)
		return Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1, sizeof(well_known),
					     well_known);
	return Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, (UINT32)strlen(secret),
				     (BYTE *)secret);
}

TSS_RESULT kit_policy_new(TSS_HCONTEXT ctx, TSS_FLAG kind, const char *secret, TSS_HPOLICY *out)
{
	TSS_RESULT rc;

	*out = 0;
	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, kind, out)))
		return rc;
	return set_secret(*out, secret);
}

TSS_RESULT kit_policy_assign(TSS_HCONTEXT ctx, TSS_HOBJECT obj, TSS_FLAG kind, const char *secret,
			     TSS_HPOLICY *out)
{
	TSS_HPOLICY pol;
	TSS_RESULT rc;

	if (out != NULL)
		*out = 0;
	if ((rc = kit_policy_new(ctx, kind, secret, &pol)))
		return rc;
	if (out != NULL)
		*out = pol;
	return Tspi_Policy_AssignToObject(pol, obj);
}

TSS_RESULT kit_take_ownership(TSS_HCONTEXT ctx, const char *owner_secret, TSS_HTPM *tpm,
			      TSS_HPOLICY *owner_pol)
{
	TSS_HPOLICY pol = 0;
	TSS_HKEY srk_tmpl = 0;
	TSS_RESULT rc;

	if (owner_pol != NULL)
		*owner_pol = 0;
	rc = Tspi_Context_GetTpmObject(ctx, tpm);
	CHECK_RC(rc, "GetTpmObject");
	if (rc == TSS_SUCCESS)
		rc = Tspi_GetPolicyObject(*tpm, TSS_POLICY_USAGE, &pol);
	if (rc == TSS_SUCCESS)
		rc = set_secret(pol, owner_secret);
	check(rc == TSS_SUCCESS, "owner policy: %s secret (0x%x)",
	      owner_secret == NULL ? "well-known" : "plain", rc);
	if (owner_pol != NULL)
		*owner_pol = pol;
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
				       TSS_KEY_TSP_SRK | TSS_KEY_AUTHORIZATION, &srk_tmpl);
	CHECK_RC(rc, "SRK template object");
	if (rc != TSS_SUCCESS)
		return rc;
	rc = kit_policy_assign(ctx, srk_tmpl, TSS_POLICY_USAGE, NULL, NULL);
	CHECK_RC(rc, "SRK policy: well-known secret");
	rc = Tspi_TPM_TakeOwnership(*tpm, srk_tmpl, 0);
	CHECK_RC(rc, "TakeOwnership");
	return rc;
}

TSS_RESULT kit_load_srk(TSS_HCONTEXT ctx, TSS_HKEY *srk)
{
	static const TSS_UUID srk_uuid = TSS_UUID_SRK;
	TSS_RESULT rc;

	rc = Tspi_Context_LoadKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, srk_uuid, srk);
	CHECK_RC(rc, "LoadKeyByUUID(system, SRK)");
	if (rc != TSS_SUCCESS)
		return rc;
	rc = kit_policy_assign(ctx, *srk, TSS_POLICY_USAGE, NULL, NULL);
	CHECK_RC(rc, "SRK usage policy: well-known secret");
	return rc;
}
