/*
 * One TSS client, built twice by tspi_keys_interop.sh: against Debian's
 * libtspi (TrouSerS) and against ours. Each step writes or reads a file,
 * so data sealed, bound or registered by one library is used by the
 * other, on the same tcsd and TPM. Plain TSS 1.2 API only.
 *
 * The TPM is owned with well-known owner and SRK secrets ("own").
 *
 * Usage: tspi_keys_peer COMMAND ARGS
 *   own                        take ownership (well-known secrets)
 *   seal FILE none|info|long   seal the test secret under the SRK, to
 *                              nothing, PCR 16 in a TPM_PCR_INFO, or in a
 *                              TPM_PCR_INFO_LONG; the blob goes to FILE
 *   unseal FILE                unseal FILE and compare with the secret
 *   register user|system N     create a no-auth bind key under the SRK and
 *                              register it under UUID ...N (parent: SRK)
 *   bind user|system N FILE    bind the secret to registered key N (software)
 *   unbind user|system N FILE  load key N by UUID, unbind FILE, compare
 *   unregister user|system N
 * Exit 0 on success, 1 with a message on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <trousers/tss.h>

#include "peer_kit.h"

static const char secret[] = "sealed across two TSS stacks";

static TSS_HCONTEXT ctx;
static TSS_HKEY srk;

static TSS_UUID uuid_n(int n)
{
	TSS_UUID u = { 0x7573722e, 0x6b65, 0x7973, 0x11, 0x22, { 0x33, 0x44, 0x55, 0x66, 0x77, 0 } };

	u.rgbNode[5] = (BYTE)n;
	return u;
}

static TSS_FLAG ps_type(const char *s)
{
	if (strcmp(s, "user") == 0)
		return TSS_PS_TYPE_USER;
	if (strcmp(s, "system") == 0)
		return TSS_PS_TYPE_SYSTEM;
	fprintf(stderr, "tspi_keys_peer: storage must be user or system\n");
	exit(2);
}

static void load_srk(void)
{
	srk = peer_load_srk(ctx);
}

static void cmd_own(void)
{
	TSS_HTPM tpm;

	TRY(Tspi_Context_GetTpmObject(ctx, &tpm), "TPM object");
	peer_take_ownership(ctx, tpm, NULL);
}

static void cmd_seal(const char *path, const char *mode)
{
	TSS_HENCDATA enc;
	TSS_HPCRS pcrs = 0;
	TSS_HTPM tpm;
	BYTE *blob, *val;
	UINT32 len, vlen;

	load_srk();
	if (strcmp(mode, "none") != 0) {
		TSS_FLAG type = strcmp(mode, "long") == 0 ? TSS_PCRS_STRUCT_INFO_LONG
							  : TSS_PCRS_STRUCT_INFO;

		TRY(Tspi_Context_GetTpmObject(ctx, &tpm), "TPM object");
		TRY(Tspi_TPM_PcrRead(tpm, 16, &vlen, &val), "PcrRead");
		TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_PCRS, type, &pcrs), "PCRs");
		TRY(Tspi_PcrComposite_SetPcrValue(pcrs, 16, vlen, val), "SetPcrValue");
	}
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_SEAL, &enc),
	    "enc-data");
	peer_policy(ctx, enc, "interop");
	TRY(Tspi_Data_Seal(enc, srk, sizeof(secret), (BYTE *)secret, pcrs), "Seal");
	TRY(Tspi_GetAttribData(enc, TSS_TSPATTRIB_ENCDATA_BLOB, TSS_TSPATTRIB_ENCDATABLOB_BLOB,
			       &len, &blob),
	    "sealed blob");
	peer_write_file(path, blob, len);
}

static void cmd_unseal(const char *path)
{
	TSS_HENCDATA enc;
	BYTE blob[4096], *out;
	UINT32 len = peer_read_file(path, blob, sizeof(blob)), out_len;

	load_srk();
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_SEAL, &enc),
	    "enc-data");
	peer_policy(ctx, enc, "interop");
	TRY(Tspi_SetAttribData(enc, TSS_TSPATTRIB_ENCDATA_BLOB, TSS_TSPATTRIB_ENCDATABLOB_BLOB,
			       len, blob),
	    "set sealed blob");
	TRY(Tspi_Data_Unseal(enc, srk, &out_len, &out), "Unseal");
	if (out_len != sizeof(secret) || memcmp(out, secret, sizeof(secret)) != 0) {
		fprintf(stderr, "tspi_keys_peer: unsealed data differs\n");
		exit(1);
	}
}

static void cmd_register(TSS_FLAG ps, int n)
{
	TSS_HKEY k;
	TSS_UUID srk_uuid = TSS_UUID_SRK;

	load_srk();
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
				      TSS_KEY_TYPE_BIND | TSS_KEY_SIZE_1024 |
					      TSS_KEY_NO_AUTHORIZATION,
				      &k),
	    "key object");
	TRY(Tspi_Key_CreateKey(k, srk, 0), "CreateKey");
	TRY(Tspi_Context_RegisterKey(ctx, k, ps, uuid_n(n), TSS_PS_TYPE_SYSTEM, srk_uuid),
	    "RegisterKey");
}

static void cmd_bind(TSS_FLAG ps, int n, const char *path)
{
	TSS_HKEY k;
	TSS_HENCDATA enc;
	BYTE *blob;
	UINT32 len;

	TRY(Tspi_Context_GetKeyByUUID(ctx, ps, uuid_n(n), &k), "GetKeyByUUID");
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_BIND, &enc),
	    "enc-data");
	TRY(Tspi_Data_Bind(enc, k, sizeof(secret), (BYTE *)secret), "Bind");
	TRY(Tspi_GetAttribData(enc, TSS_TSPATTRIB_ENCDATA_BLOB, TSS_TSPATTRIB_ENCDATABLOB_BLOB,
			       &len, &blob),
	    "bound blob");
	peer_write_file(path, blob, len);
}

static void cmd_unbind(TSS_FLAG ps, int n, const char *path)
{
	TSS_HKEY k;
	TSS_HENCDATA enc;
	BYTE blob[4096], *out;
	UINT32 len = peer_read_file(path, blob, sizeof(blob)), out_len;

	/* Loading a user key loads its system parent (the SRK) by UUID: give it the secret. */
	load_srk();
	TRY(Tspi_Context_LoadKeyByUUID(ctx, ps, uuid_n(n), &k), "LoadKeyByUUID");
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_BIND, &enc),
	    "enc-data");
	TRY(Tspi_SetAttribData(enc, TSS_TSPATTRIB_ENCDATA_BLOB, TSS_TSPATTRIB_ENCDATABLOB_BLOB,
			       len, blob),
	    "set bound blob");
	TRY(Tspi_Data_Unbind(enc, k, &out_len, &out), "Unbind");
	if (out_len != sizeof(secret) || memcmp(out, secret, sizeof(secret)) != 0) {
		fprintf(stderr, "tspi_keys_peer: unbound data differs\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	TSS_HKEY k;

	if (argc < 2) {
		fprintf(stderr, "usage: tspi_keys_peer COMMAND ARGS (see the source)\n");
		return 2;
	}
	peer_name = "tspi_keys_peer";
	peer_connect(&ctx, NULL);
	if (strcmp(argv[1], "own") == 0)
		cmd_own();
	else if (strcmp(argv[1], "seal") == 0 && argc == 4)
		cmd_seal(argv[2], argv[3]);
	else if (strcmp(argv[1], "unseal") == 0 && argc == 3)
		cmd_unseal(argv[2]);
	else if (strcmp(argv[1], "register") == 0 && argc == 4)
		cmd_register(ps_type(argv[2]), atoi(argv[3]));
	else if (strcmp(argv[1], "bind") == 0 && argc == 5)
		cmd_bind(ps_type(argv[2]), atoi(argv[3]), argv[4]);
	else if (strcmp(argv[1], "unbind") == 0 && argc == 5)
		cmd_unbind(ps_type(argv[2]), atoi(argv[3]), argv[4]);
	else if (strcmp(argv[1], "unregister") == 0 && argc == 4)
		TRY(Tspi_Context_UnregisterKey(ctx, ps_type(argv[2]), uuid_n(atoi(argv[3])), &k),
		    "UnregisterKey");
	else {
		fprintf(stderr, "tspi_keys_peer: bad command\n");
		return 2;
	}
	Tspi_Context_Close(ctx);
	return 0;
}
