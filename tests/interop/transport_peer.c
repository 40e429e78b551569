/*
 * A TSS client of transport sessions, built against whichever libtspi the
 * build points it at: Debian's TrouSerS (/usr/include/tss, -ltspi) or
 * ours. transport_interop.sh runs it on our tcsd, so that TrouSerS'
 * libtspi drives our TCS_EstablishTransport, TCS_ExecuteTransport and
 * TCS_ReleaseTransportSigned: an encrypted, logged session in which it
 * seals, unseals, signs and reads random numbers and a PCR, creates and
 * loads a key and binds/unbinds with it, closed with a signature that
 * OpenSSL checks here.
 *
 * Usage: transport_peer [exclusive]. Exit 0 when every step worked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <tss/tspi.h>
#include <tss/tss_error.h>

static int failed;

static void step(TSS_RESULT rc, const char *what)
{
	printf("%s: %s (0x%x)\n", rc == TSS_SUCCESS ? "ok" : "FAIL", what, (unsigned)rc);
	if (rc != TSS_SUCCESS)
		failed = 1;
}

static void expect(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failed = 1;
}

static BYTE well_known[] = TSS_WELL_KNOWN_SECRET;

static TSS_RESULT policy(TSS_HCONTEXT ctx, TSS_HOBJECT obj, const char *secret)
{
	TSS_HPOLICY pol;
	TSS_RESULT rc;

	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE, &pol)))
		return rc;
	rc = secret == NULL ? Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1, 20, well_known)
			    : Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN,
						    (UINT32)strlen(secret), (BYTE *)secret);
	return rc ? rc : Tspi_Policy_AssignToObject(pol, obj);
}

static TSS_RESULT make_key(TSS_HCONTEXT ctx, TSS_HKEY parent, TSS_FLAG flags, const char *secret,
			   TSS_HKEY *key)
{
	TSS_RESULT rc;

	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY, flags, key)) ||
	    (rc = policy(ctx, *key, secret)) || (rc = Tspi_Key_CreateKey(*key, parent, 0)))
		return rc;
	return Tspi_Key_LoadKey(*key, parent);
}

static int verify(const BYTE *mod, UINT32 mod_len, const BYTE *data, UINT32 len, const BYTE *sig,
		  UINT32 sig_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	BIGNUM *n = BN_bin2bn(mod, (int)mod_len, NULL), *e = BN_new();
	EVP_PKEY_CTX *kctx = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *pk = NULL;
	int ok = 0;

	if (bld == NULL || n == NULL || e == NULL || !BN_set_word(e, 65537) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	kctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (kctx == NULL || EVP_PKEY_fromdata_init(kctx) <= 0 ||
	    EVP_PKEY_fromdata(kctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	md = EVP_MD_CTX_new();
	if (md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha1(), NULL, pk) == 1)
		ok = EVP_DigestVerify(md, sig, sig_len, data, len) == 1;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_CTX_free(kctx);
	EVP_PKEY_free(pk);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return ok;
}

int main(int argc, char **argv)
{
	TSS_UUID srk_uuid = TSS_UUID_SRK;
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_HKEY srk_tmpl, srk, storage, signer, binder;
	TSS_HPOLICY pol;
	TSS_HENCDATA enc, bound;
	TSS_HHASH hash;
	TSS_VALIDATION v;
	BYTE secret[32], nonce[20], digest[20], *out = NULL, *rnd = NULL, *pcr = NULL, *sig = NULL;
	BYTE *mod = NULL, *clear = NULL;
	UINT32 clear_len = 0, out_len = 0, pcr_len = 0, sig_len = 0, mod_len = 0;
	UINT32 mode = TSS_TSPATTRIB_TRANSPORT_DEFAULT_ENCRYPTION;
	TSS_RESULT rc;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "exclusive") == 0)
		mode = TSS_TSPATTRIB_TRANSPORT_EXCLUSIVE;
	step(Tspi_Context_Create(&ctx), "Context_Create");
	step(rc = Tspi_Context_Connect(ctx, NULL), "Context_Connect");
	if (rc != TSS_SUCCESS)
		return 1;
	step(Tspi_Context_GetTpmObject(ctx, &tpm), "GetTpmObject");
	Tspi_GetPolicyObject(tpm, TSS_POLICY_USAGE, &pol);
	Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1, 20, well_known);
	Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
				  TSS_KEY_TSP_SRK | TSS_KEY_AUTHORIZATION, &srk_tmpl);
	policy(ctx, srk_tmpl, NULL);
	step(Tspi_TPM_TakeOwnership(tpm, srk_tmpl, 0), "TakeOwnership");
	step(Tspi_Context_LoadKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, srk_uuid, &srk), "load SRK");
	policy(ctx, srk, NULL);
	/* Keys are loaded first: TrouSerS logs a command on a key with the key's public
	 * part, and the SRK's is not in system PS. */
	step(make_key(ctx, srk, TSS_KEY_TYPE_STORAGE | TSS_KEY_SIZE_2048 | TSS_KEY_AUTHORIZATION,
		      "storage", &storage), "storage key");
	/* Without authorisation: TrouSerS 0.3.15's Tspi_Context_CloseSignTransport
	 * deadlocks on its own context lock when the key needs an OIAP session
	 * (obj_context_transport_close -> secret_PerformAuth_OIAP). */
	step(make_key(ctx, srk, TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 | TSS_KEY_NO_AUTHORIZATION,
		      "signer", &signer), "signing key");
	if (failed)
		return 1;

	step(Tspi_Context_SetTransEncryptionKey(ctx, storage), "SetTransEncryptionKey");
	step(Tspi_SetAttribUint32(ctx, TSS_TSPATTRIB_CONTEXT_TRANSPORT,
				  TSS_TSPATTRIB_CONTEXTTRANS_MODE, mode), "transport mode");
	step(Tspi_SetAttribUint32(ctx, TSS_TSPATTRIB_CONTEXT_TRANSPORT,
				  TSS_TSPATTRIB_CONTEXTTRANS_MODE,
				  TSS_TSPATTRIB_TRANSPORT_AUTHENTIC_CHANNEL), "authentic channel");
	step(Tspi_SetAttribUint32(ctx, TSS_TSPATTRIB_CONTEXT_TRANSPORT,
				  TSS_TSPATTRIB_CONTEXTTRANS_CONTROL, TSS_TSPATTRIB_ENABLE_TRANSPORT),
	     "transport enabled");

	step(Tspi_TPM_GetRandom(tpm, 16, &rnd), "GetRandom in transport");
	step(Tspi_TPM_PcrRead(tpm, 10, &pcr_len, &pcr), "PcrRead in transport");
	RAND_bytes(secret, sizeof(secret));
	Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_SEAL, &enc);
	policy(ctx, enc, "data");
	step(Tspi_Data_Seal(enc, storage, sizeof(secret), secret, 0), "Seal in transport");
	step(rc = Tspi_Data_Unseal(enc, storage, &out_len, &out), "Unseal in transport");
	expect(rc == TSS_SUCCESS && out_len == sizeof(secret) && memcmp(out, secret, 32) == 0,
	       "unsealed secret matches");
	memset(digest, 0x5a, sizeof(digest));
	Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &hash);
	Tspi_Hash_SetHashValue(hash, 20, digest);
	step(Tspi_Hash_Sign(hash, signer, &sig_len, &sig), "Sign in transport");
	/*
	 * A key created and loaded inside the session: with encryption on, the
	 * TCS sees the wrapped TPM_KEY12 only encrypted, yet must keep the key
	 * usable (and movable) under a handle of its own.
	 */
	step(make_key(ctx, storage, TSS_KEY_TYPE_BIND | TSS_KEY_SIZE_1024 |
		      TSS_KEY_NO_AUTHORIZATION, NULL, &binder), "bind key loaded in transport");
	Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_BIND, &bound);
	step(Tspi_Data_Bind(bound, binder, sizeof(secret), secret), "Bind");
	step(rc = Tspi_Data_Unbind(bound, binder, &clear_len, &clear), "Unbind in transport");
	expect(rc == TSS_SUCCESS && clear_len == sizeof(secret) &&
		       memcmp(clear, secret, sizeof(secret)) == 0, "unbound secret matches");

	memset(&v, 0, sizeof(v));
	RAND_bytes(nonce, sizeof(nonce));
	v.ulExternalDataLength = sizeof(nonce);
	v.rgbExternalData = nonce;
	step(rc = Tspi_Context_CloseSignTransport(ctx, signer, &v), "CloseSignTransport");
	step(Tspi_GetAttribData(signer, TSS_TSPATTRIB_RSAKEY_INFO,
				TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &mod_len, &mod), "modulus");
	expect(rc == TSS_SUCCESS && v.ulDataLength == 50 &&
		       memcmp(v.rgbData + 6, nonce, 20) == 0 &&
		       verify(mod, mod_len, v.rgbData, v.ulDataLength, v.rgbValidationData,
			      v.ulValidationDataLength),
	       "OpenSSL verifies the signature over the transport log");
	Tspi_Context_Close(ctx);
	return failed;
}
