/* The interop peers' shared helpers (peer_kit.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer_kit.h"

const char *peer_name = "peer";

/* TSS_WELL_KNOWN_SECRET: twenty zero bytes. */
static BYTE well_known[20];

void peer_die(const char *what, TSS_RESULT rc)
{
	fprintf(stderr, "%s: %s: 0x%x\n", peer_name, what, (unsigned)rc);
	exit(1);
}

void peer_expect(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "%s: %s\n", peer_name, what);
		exit(1);
	}
}

void peer_connect(TSS_HCONTEXT *ctx, TSS_HTPM *tpm)
{
	TRY(Tspi_Context_Create(ctx), "Context_Create");
	TRY(Tspi_Context_Connect(*ctx, NULL), "Context_Connect");
	if (tpm != NULL)
		TRY(Tspi_Context_GetTpmObject(*ctx, tpm), "TPM object");
}

void peer_set_secret(TSS_HPOLICY p, const char *plain)
{
	if (plain == NULL)
		TRY(Tspi_Policy_SetSecret(p, TSS_SECRET_MODE_SHA1, sizeof(well_known), well_known),
		    "secret");
	else
		TRY(Tspi_Policy_SetSecret(p, TSS_SECRET_MODE_PLAIN, (UINT32)strlen(plain),
					  (BYTE *)plain),
		    "secret");
}

TSS_HPOLICY peer_policy(TSS_HCONTEXT ctx, TSS_HOBJECT obj, const char *plain)
{
	TSS_HPOLICY p;

	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE, &p),
	    "policy object");
	peer_set_secret(p, plain);
	if (obj != 0)
		TRY(Tspi_Policy_AssignToObject(p, obj), "assign policy");
	return p;
}

void peer_take_ownership(TSS_HCONTEXT ctx, TSS_HTPM tpm, const char *owner)
{
	TSS_HKEY srk;

	peer_policy(ctx, tpm, owner);
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
				      TSS_KEY_TSP_SRK | TSS_KEY_AUTHORIZATION, &srk),
	    "SRK object");
	peer_policy(ctx, srk, NULL);
	TRY(Tspi_TPM_TakeOwnership(tpm, srk, 0), "TakeOwnership");
}

TSS_HKEY peer_load_srk(TSS_HCONTEXT ctx)
{
	TSS_UUID srk_uuid = TSS_UUID_SRK;
	TSS_HKEY srk;

	TRY(Tspi_Context_LoadKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, srk_uuid, &srk), "load SRK");
	peer_policy(ctx, srk, NULL);
	return srk;
}

void peer_write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "%s: cannot write %s\n", peer_name, path);
		exit(1);
	}
}

size_t peer_read_file(const char *path, void *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "%s: cannot read %s\n", peer_name, path);
		exit(1);
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}
