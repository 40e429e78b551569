/*
 * One TSS client, built twice by delegation_interop.sh: against Debian's
 * libtspi (TrouSerS) and against ours. Delegations made by one library
 * are used, verified, cached or revoked by the other, on one tcsd and TPM.
 * Plain TSS 1.2 API only. The owner secret is the well-known one; every
 * delegation is given the secret "delegated secret".
 *
 * Usage: delegation_peer COMMAND ARGS
 *   own                       take ownership (well-known secrets)
 *   family FILE               add a delegation family; its ID goes to FILE
 *   delegate FAMFILE BLOBFILE owner delegation allowing TPM_OwnerReadPubek,
 *                             in the family of FAMFILE; the blob goes to BLOBFILE
 *   use BLOBFILE              TPM_OwnerReadPubek through the delegation (DSAP)
 *   refused BLOBFILE          the same must be refused by the TPM
 *   verify BLOBFILE           Tspi_TPM_Delegate_VerifyDelegation
 *   cache BLOBFILE ROW        cache the owner delegation in table row ROW
 *   use-row ROW               TPM_OwnerReadPubek through table row ROW
 *   tables FAMFILE            print whether the family and its rows are listed
 *   invalidate FAMFILE        Tspi_TPM_Delegate_InvalidateFamily
 * Exit 0 on success, 1 with a message on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <trousers/tss.h>

#include "peer_kit.h"

static const char del_secret[] = "delegated secret";

static TSS_HCONTEXT ctx;
static TSS_HTPM tpm;

/* The whole file, neither empty nor larger than buf. */
static size_t read_file(const char *path, BYTE *buf, size_t cap)
{
	size_t n = peer_read_file(path, buf, cap);

	if (n == 0 || n == cap)
		peer_die("file size", (TSS_RESULT)n);
	return n;
}

static UINT32 read_family(const char *path)
{
	BYTE b[16];
	size_t n = read_file(path, b, sizeof(b));

	b[n < sizeof(b) ? n : sizeof(b) - 1] = 0;
	return (UINT32)strtoul((char *)b, NULL, 10);
}

static TSS_HPOLICY blob_policy(const char *path)
{
	BYTE blob[4096];
	size_t n = read_file(path, blob, sizeof(blob));
	TSS_HPOLICY p = peer_policy(ctx, 0, del_secret);

	TRY(Tspi_SetAttribData(p, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
			       TSS_TSPATTRIB_POLDEL_OWNERBLOB, (UINT32)n, blob),
	    "policy: owner blob");
	return p;
}

static TSS_RESULT read_pubek(TSS_HPOLICY p)
{
	TSS_HKEY ek;
	TSS_RESULT rc;

	TRY(Tspi_Policy_AssignToObject(p, tpm), "assign delegation to the TPM");
	rc = Tspi_TPM_GetPubEndorsementKey(tpm, TRUE, NULL, &ek);
	if (rc == TSS_SUCCESS)
		Tspi_Context_CloseObject(ctx, ek);
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	TSS_HPOLICY owner;

	if (argc < 2) {
		fprintf(stderr, "usage: delegation_peer COMMAND ARGS\n");
		return 2;
	}
	peer_name = "delegation_peer";
	peer_connect(&ctx, &tpm);
	TRY(Tspi_GetPolicyObject(tpm, TSS_POLICY_USAGE, &owner), "owner policy");
	peer_set_secret(owner, NULL);

	if (strcmp(cmd, "own") == 0) {
		peer_take_ownership(ctx, tpm, NULL);
	} else if (strcmp(cmd, "family") == 0 && argc == 3) {
		TSS_HDELFAMILY fam;
		UINT32 id = 0;
		char text[16];

		TRY(Tspi_TPM_Delegate_AddFamily(tpm, 0x21, &fam), "AddFamily");
		TRY(Tspi_GetAttribUint32(fam, TSS_TSPATTRIB_DELFAMILY_INFO,
					 TSS_TSPATTRIB_DELFAMILYINFO_FAMILYID, &id),
		    "family ID");
		TRY(Tspi_SetAttribUint32(fam, TSS_TSPATTRIB_DELFAMILY_STATE,
					 TSS_TSPATTRIB_DELFAMILYSTATE_ENABLED, TRUE),
		    "enable family");
		snprintf(text, sizeof(text), "%u", id);
		peer_write_file(argv[2], text, strlen(text));
	} else if (strcmp(cmd, "delegate") == 0 && argc == 4) {
		TSS_HDELFAMILY fam;
		TSS_HPOLICY del = peer_policy(ctx, 0, del_secret);
		UINT32 len = 0;
		BYTE *blob = NULL;

		TRY(Tspi_TPM_Delegate_GetFamily(tpm, read_family(argv[2]), &fam), "GetFamily");
		TRY(Tspi_SetAttribUint32(del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					 TSS_TSPATTRIB_POLDEL_TYPE, TSS_DELEGATIONTYPE_OWNER),
		    "delegation type");
		TRY(Tspi_SetAttribUint32(del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					 TSS_TSPATTRIB_POLDEL_PER1, TPM_DELEGATE_OwnerReadPubek),
		    "per1");
		TRY(Tspi_SetAttribUint32(del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					 TSS_TSPATTRIB_POLDEL_PER2, 0),
		    "per2");
		TRY(Tspi_TPM_Delegate_CreateDelegation(tpm, 0x33, 0, 0, fam, del),
		    "CreateDelegation");
		TRY(Tspi_GetAttribData(del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				       TSS_TSPATTRIB_POLDEL_OWNERBLOB, &len, &blob),
		    "owner blob");
		peer_write_file(argv[3], blob, len);
	} else if (strcmp(cmd, "use") == 0 && argc == 3) {
		TRY(read_pubek(blob_policy(argv[2])), "OwnerReadPubek through the delegation");
	} else if (strcmp(cmd, "refused") == 0 && argc == 3) {
		TSS_RESULT rc = read_pubek(blob_policy(argv[2]));

		if (rc == TSS_SUCCESS || (rc & 0x3000) != 0)
			peer_die("a revoked delegation was not refused by the TPM", rc);
	} else if (strcmp(cmd, "verify") == 0 && argc == 3) {
		TRY(Tspi_TPM_Delegate_VerifyDelegation(blob_policy(argv[2])), "VerifyDelegation");
	} else if (strcmp(cmd, "cache") == 0 && argc == 4) {
		TRY(Tspi_TPM_Delegate_CacheOwnerDelegation(tpm, blob_policy(argv[2]),
							   (UINT32)atoi(argv[3]),
							   TSS_DELEGATE_CACHEOWNERDELEGATION_OVERWRITEEXISTING),
		    "CacheOwnerDelegation");
	} else if (strcmp(cmd, "use-row") == 0 && argc == 3) {
		TSS_HPOLICY row = peer_policy(ctx, 0, del_secret);

		TRY(Tspi_SetAttribUint32(row, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					 TSS_TSPATTRIB_POLDEL_INDEX, (UINT32)atoi(argv[2])),
		    "policy: row index");
		TRY(read_pubek(row), "OwnerReadPubek through the table row");
	} else if (strcmp(cmd, "tables") == 0 && argc == 3) {
		TSS_FAMILY_TABLE_ENTRY *ft = NULL;
		TSS_DELEGATION_TABLE_ENTRY *dt = NULL;
		UINT32 nf = 0, nd = 0;
		TSS_HDELFAMILY fam;
		UINT32 v = 0;

		TRY(Tspi_TPM_Delegate_ReadTables(ctx, &nf, &ft, &nd, &dt), "ReadTables");
		/* Entry layouts differ between TrouSerS (packed) and the spec: print counts. */
		printf("families %u rows %u\n", nf, nd);
		TRY(Tspi_TPM_Delegate_GetFamily(tpm, read_family(argv[2]), &fam), "GetFamily");
		TRY(Tspi_GetAttribUint32(fam, TSS_TSPATTRIB_DELFAMILY_INFO,
					 TSS_TSPATTRIB_DELFAMILYINFO_LABEL, &v),
		    "family label");
		printf("family label 0x%x\n", v);
		TRY(Tspi_GetAttribUint32(fam, TSS_TSPATTRIB_DELFAMILY_STATE,
					 TSS_TSPATTRIB_DELFAMILYSTATE_ENABLED, &v),
		    "family state");
		printf("family enabled %u\n", v);
	} else if (strcmp(cmd, "invalidate") == 0 && argc == 3) {
		TSS_HDELFAMILY fam;

		TRY(Tspi_TPM_Delegate_GetFamily(tpm, read_family(argv[2]), &fam), "GetFamily");
		TRY(Tspi_TPM_Delegate_InvalidateFamily(tpm, fam), "InvalidateFamily");
	} else {
		fprintf(stderr, "delegation_peer: bad command\n");
		return 2;
	}
	Tspi_Context_Close(ctx);
	return 0;
}
