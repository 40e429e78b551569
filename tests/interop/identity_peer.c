/*
 * The platform side of an AIK enrolment, one step per run, built twice
 * by identity_interop.sh: against Debian's libtspi (TrouSerS) and against
 * ours. The privacy CA is identity_ca.c. Files carry everything between
 * steps, so a request collated by one library can be activated by the
 * other. Plain TSS 1.2 API only.
 *
 * Owner secret "identity-owner", SRK well-known, AIK secret "aik".
 *
 * Usage: identity_peer COMMAND ARGS
 *   own                            take ownership
 *   ekpub MOD_OUT                  the EK's modulus (owner-authorised read)
 *   collate CA_MOD aes|3des REQ_OUT AIK_OUT
 *                                  CollateIdentityRequest for the CA whose
 *                                  modulus is in CA_MOD (OAEP); the request
 *                                  and the wrapped AIK go to the two files
 *   activate AIK ASYM SYM CRED_OUT load the AIK, ActivateIdentity, write
 *                                  the credential
 *   quote AIK NONCE DATA_OUT SIG_OUT
 *                                  quote PCR 0 and 10 with the AIK
 * Exit 0 on success, 1 with a message on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <trousers/tss.h>

#include "peer_kit.h"

static const char owner_secret[] = "identity-owner";
static const char aik_secret[] = "aik";
/* "tss12 AIK" in UTF-16LE, as applications pass labels. */
static BYTE label[] = { 't', 0, 's', 0, 's', 0, '1', 0, '2', 0, ' ', 0, 'A', 0, 'I', 0, 'K', 0 };

static TSS_HCONTEXT ctx;
static TSS_HTPM tpm;

/* Reads a whole (small) file; the caller frees. */
static BYTE *read_file(const char *path, UINT32 *n)
{
	BYTE *p = malloc(65536);

	if (p == NULL)
		peer_die("out of memory", 0);
	*n = (UINT32)peer_read_file(path, p, 65536);
	return p;
}

static void cmd_ekpub(const char *out)
{
	TSS_HKEY ek;
	BYTE *mod;
	UINT32 n;

	TRY(Tspi_TPM_GetPubEndorsementKey(tpm, TRUE, NULL, &ek), "GetPubEndorsementKey");
	TRY(Tspi_GetAttribData(ek, TSS_TSPATTRIB_RSAKEY_INFO, TSS_TSPATTRIB_KEYINFO_RSA_MODULUS,
			       &n, &mod),
	    "EK modulus");
	peer_write_file(out, mod, n);
}

static void cmd_collate(const char *ca_mod, const char *alg, const char *req_out,
			const char *aik_out)
{
	TSS_HKEY srk = peer_load_srk(ctx), ca, aik;
	BYTE *mod, *req, *blob;
	UINT32 mod_len, req_len, blob_len;

	mod = read_file(ca_mod, &mod_len);
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
				      TSS_KEY_TYPE_LEGACY | TSS_KEY_SIZE_2048, &ca),
	    "CA key object");
	TRY(Tspi_SetAttribData(ca, TSS_TSPATTRIB_RSAKEY_INFO, TSS_TSPATTRIB_KEYINFO_RSA_MODULUS,
			       mod_len, mod),
	    "CA modulus");
	TRY(Tspi_SetAttribUint32(ca, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_ENCSCHEME,
				 TSS_ES_RSAESOAEP_SHA1_MGF1),
	    "CA encryption scheme");
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
				      TSS_KEY_TYPE_IDENTITY | TSS_KEY_SIZE_2048 |
					      TSS_KEY_AUTHORIZATION,
				      &aik),
	    "AIK object");
	peer_policy(ctx, aik, aik_secret);
	TRY(Tspi_TPM_CollateIdentityRequest(tpm, srk, ca, sizeof(label), label, aik,
					    strcmp(alg, "3des") == 0 ? TSS_ALG_3DES : TSS_ALG_AES,
					    &req_len, &req),
	    "CollateIdentityRequest");
	peer_write_file(req_out, req, req_len);
	TRY(Tspi_GetAttribData(aik, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_BLOB, &blob_len,
			       &blob),
	    "AIK blob");
	peer_write_file(aik_out, blob, blob_len);
	free(mod);
}

static TSS_HKEY load_aik(const char *path)
{
	TSS_HKEY srk = peer_load_srk(ctx), aik;
	BYTE *blob;
	UINT32 n;

	blob = read_file(path, &n);
	TRY(Tspi_Context_LoadKeyByBlob(ctx, srk, n, blob, &aik), "load AIK");
	peer_policy(ctx, aik, aik_secret);
	free(blob);
	return aik;
}

static void cmd_activate(const char *aik_path, const char *asym_path, const char *sym_path,
			 const char *out)
{
	TSS_HKEY aik = load_aik(aik_path);
	BYTE *asym, *sym, *cred;
	UINT32 asym_len, sym_len, cred_len;

	asym = read_file(asym_path, &asym_len);
	sym = read_file(sym_path, &sym_len);
	TRY(Tspi_TPM_ActivateIdentity(tpm, aik, asym_len, asym, sym_len, sym, &cred_len, &cred),
	    "ActivateIdentity");
	peer_write_file(out, cred, cred_len);
	free(asym);
	free(sym);
}

static void cmd_quote(const char *aik_path, const char *nonce_path, const char *data_out,
		      const char *sig_out)
{
	TSS_HKEY aik = load_aik(aik_path);
	TSS_HPCRS pcrs;
	TSS_VALIDATION val;
	BYTE *nonce;
	UINT32 n;

	nonce = read_file(nonce_path, &n);
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_PCRS, 0, &pcrs), "PCR object");
	TRY(Tspi_PcrComposite_SelectPcrIndex(pcrs, 0), "select PCR 0");
	TRY(Tspi_PcrComposite_SelectPcrIndex(pcrs, 10), "select PCR 10");
	memset(&val, 0, sizeof(val));
	val.ulExternalDataLength = n;
	val.rgbExternalData = nonce;
	TRY(Tspi_TPM_Quote(tpm, aik, pcrs, &val), "Quote");
	peer_write_file(data_out, val.rgbData, val.ulDataLength);
	peer_write_file(sig_out, val.rgbValidationData, val.ulValidationDataLength);
	free(nonce);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: identity_peer COMMAND ARGS\n");
		return 2;
	}
	peer_name = "identity_peer";
	peer_connect(&ctx, &tpm);
	/* Every command but own needs the owner's authorisation. */
	peer_policy(ctx, tpm, owner_secret);
	if (strcmp(argv[1], "own") == 0)
		peer_take_ownership(ctx, tpm, owner_secret);
	else if (strcmp(argv[1], "ekpub") == 0 && argc == 3)
		cmd_ekpub(argv[2]);
	else if (strcmp(argv[1], "collate") == 0 && argc == 6)
		cmd_collate(argv[2], argv[3], argv[4], argv[5]);
	else if (strcmp(argv[1], "activate") == 0 && argc == 6)
		cmd_activate(argv[2], argv[3], argv[4], argv[5]);
	else if (strcmp(argv[1], "quote") == 0 && argc == 6)
		cmd_quote(argv[2], argv[3], argv[4], argv[5]);
	else {
		fprintf(stderr, "identity_peer: bad command\n");
		return 2;
	}
	Tspi_Context_FreeMemory(ctx, NULL);
	Tspi_Context_Close(ctx);
	return 0;
}
