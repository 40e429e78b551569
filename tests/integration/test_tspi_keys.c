/*
 * Keys, sealed and bound data, hashes, PCR composites and key storage
 * through OUR libtspi, against a real TCS daemon on a real (software) TPM.
 *
 * The daemon comes from trousers_tcsd.h: TrouSerS' tcsd (Debian's) on
 * swtpm, or ours with TSS12_TEST_TCSD=ours. Every check prints one line;
 * the program exits 1 if any failed, 77 if no daemon can run here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tss/tspi.h>
#include <tss/tss_error.h>
#include <tss/tpm_error.h>
#include <tss/tcs_error.h>

#include "harness.h"
#include "trousers_tcsd.h"
#include "tspi_kit.h"

/* ---- helpers ---- */

static const TSS_UUID srk_uuid = TSS_UUID_SRK;

static TSS_RESULT set_secret(TSS_HCONTEXT ctx, TSS_HOBJECT obj, const char *secret,
			     TSS_HPOLICY *out)
{
	return kit_policy_assign(ctx, obj, TSS_POLICY_USAGE, secret, out);
}

static TSS_RESULT make_key(TSS_HCONTEXT ctx, TSS_HKEY parent, TSS_FLAG flags, const char *secret,
			   TSS_HPCRS pcrs, TSS_HKEY *key)
{
	TSS_RESULT rc;

	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY, flags, key)))
		return rc;
	if (secret != NULL && (rc = set_secret(ctx, *key, secret, NULL)))
		return rc;
	if ((rc = Tspi_Key_CreateKey(*key, parent, pcrs))) {
		printf("note: CreateKey failed\n");
		return rc;
	}
	if ((rc = Tspi_Key_LoadKey(*key, parent)))
		printf("note: LoadKey failed\n");
	return rc;
}

/* ---- the checks ---- */

static TSS_HCONTEXT ctx;
static TSS_HTPM tpm;
static TSS_HKEY srk;

static void test_ownership(void)
{
	kit_take_ownership(ctx, NULL, &tpm, NULL);
}

static void test_srk(void)
{
	UINT32 n = 0;
	TSS_RESULT rc;

	kit_load_srk(ctx, &srk);
	rc = Tspi_GetAttribUint32(srk, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_USAGE, &n);
	check(rc == TSS_SUCCESS && n == TSS_KEYUSAGE_STORAGE, "SRK is a storage key (%u)", n);
	rc = Tspi_GetAttribUint32(srk, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_AUTHUSAGE, &n);
	check(rc == TSS_SUCCESS && n == 1, "SRK needs authorisation (%u)", n);
}

static void test_sign(void)
{
	TSS_HKEY key;
	TSS_HHASH hash, hash2;
	TSS_HPOLICY pol;
	BYTE digest[20], *sig = NULL, *mod = NULL, *pub = NULL, *blob = NULL;
	UINT32 sig_len = 0, mod_len = 0, pub_len = 0, blob_len = 0, v = 0;
	TSS_RESULT rc;

	memset(digest, 0x5a, sizeof(digest));
	rc = make_key(ctx, srk, TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_2048 | TSS_KEY_AUTHORIZATION,
		      "signsecret", 0, &key);
	CHECK_RC(rc, "create + load a 2048-bit signing key under the SRK");
	if (rc != TSS_SUCCESS)
		return;
	rc = Tspi_GetAttribUint32(key, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_SIZE, &v);
	check(rc == TSS_SUCCESS && v == 2048, "key size attribute 2048 (%u)", v);
	rc = Tspi_GetAttribUint32(key, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_SIGSCHEME, &v);
	check(rc == TSS_SUCCESS && v == TSS_SS_RSASSAPKCS1V15_SHA1, "default scheme SHA1 (0x%x)", v);
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &hash);
	CHECK_RC(rc, "hash object");
	rc = Tspi_Hash_SetHashValue(hash, 19, digest);
	check(CODE(rc) == TSS_E_HASH_INVALID_LENGTH, "SHA1 hash of 19 bytes refused (0x%x)", rc);
	rc = Tspi_Hash_UpdateHashValue(hash, 5, (BYTE *)"hello");
	CHECK_RC(rc, "UpdateHashValue");
	rc = Tspi_Hash_Sign(hash, key, &sig_len, &sig);
	check(rc == TSS_SUCCESS && sig_len == 256, "Sign (0x%x, %u bytes)", rc, sig_len);
	rc = Tspi_Hash_VerifySignature(hash, key, sig_len, sig);
	CHECK_RC(rc, "VerifySignature (ours)");
	rc = Tspi_GetAttribData(key, TSS_TSPATTRIB_RSAKEY_INFO, TSS_TSPATTRIB_KEYINFO_RSA_MODULUS,
				&mod_len, &mod);
	CHECK_RC(rc, "modulus attribute");
	{
		/* SHA-1("hello") */
		static const BYTE hello[20] = { 0xaa, 0xf4, 0xc6, 0x1d, 0xdc, 0xc5, 0xe8, 0xa2,
						0xda, 0xbe, 0xde, 0x0f, 0x3b, 0x48, 0x2c, 0xd9,
						0xae, 0xa9, 0x43, 0x4d };
		check(rc == TSS_SUCCESS && kit_rsa_verify_sha1(mod, mod_len, hello, sig, sig_len),
		      "OpenSSL verifies the TPM's signature over SHA1(\"hello\")");
	}
	sig[10] ^= 1;
	rc = Tspi_Hash_VerifySignature(hash, key, sig_len, sig);
	check(CODE(rc) == TSS_E_FAIL, "a flipped bit fails verification (0x%x)", rc);
	rc = Tspi_Key_GetPubKey(key, &pub_len, &pub);
	check(rc == TSS_SUCCESS && pub_len > 256, "GetPubKey (0x%x, %u bytes)", rc, pub_len);
	rc = Tspi_GetAttribData(key, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_BLOB, &blob_len,
				&blob);
	check(rc == TSS_SUCCESS && blob_len > 500, "key blob attribute (%u bytes)", blob_len);

	/* Wrong usage secret: the TPM says TPM_AUTHFAIL. */
	rc = Tspi_GetPolicyObject(key, TSS_POLICY_USAGE, &pol);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, 5, (BYTE *)"wrong");
	CHECK_RC(rc, "set a wrong secret");
	Tspi_Context_FreeMemory(ctx, sig);
	sig = NULL;
	rc = Tspi_Hash_Sign(hash, key, &sig_len, &sig);
	check(rc == TPM_E_AUTHFAIL, "Sign with a wrong secret -> TPM_AUTHFAIL (0x%x)", rc);

	/* Loading the same blob again through LoadKeyByBlob. */
	{
		TSS_HKEY again;

		rc = Tspi_Context_LoadKeyByBlob(ctx, srk, blob_len, blob, &again);
		CHECK_RC(rc, "LoadKeyByBlob");
		if (rc == TSS_SUCCESS) {
			set_secret(ctx, again, "signsecret", NULL);
			rc = Tspi_Hash_Sign(hash, again, &sig_len, &sig);
			CHECK_RC(rc, "Sign with the key loaded by blob");
			rc = Tspi_Key_UnloadKey(again);
			CHECK_RC(rc, "UnloadKey");
			rc = Tspi_Hash_Sign(hash, again, &sig_len, &sig);
			check(CODE(rc) == TSS_E_KEY_NOT_LOADED, "Sign after unload (0x%x)", rc);
		}
	}

	/* DER scheme: the TPM signs the bytes as given. */
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_OTHER, &hash2);
	CHECK_RC(rc, "TSS_HASH_OTHER hash object");
	rc = Tspi_Hash_SetHashValue(hash2, 35, (BYTE *)"0123456789012345678901234567890123");
	CHECK_RC(rc, "35-byte value");

	Tspi_Context_FreeMemory(ctx, NULL);
	rc = Tspi_Context_CloseObject(ctx, key);
	CHECK_RC(rc, "CloseObject(key)");
	rc = Tspi_Hash_Sign(hash, key, &sig_len, &sig);
	check(CODE(rc) == TSS_E_INVALID_HANDLE, "closed key -> TSS_E_INVALID_HANDLE (0x%x)", rc);
}

static void test_bind(void)
{
	TSS_HKEY storage, bind;
	TSS_HENCDATA enc;
	BYTE *out = NULL;
	UINT32 out_len = 0;
	static BYTE msg[] = "bound to a TPM key";
	TSS_RESULT rc;

	rc = make_key(ctx, srk, TSS_KEY_TYPE_STORAGE | TSS_KEY_SIZE_2048 | TSS_KEY_AUTHORIZATION,
		      "storage", 0, &storage);
	CHECK_RC(rc, "storage key under the SRK");
	if (rc != TSS_SUCCESS)
		return;
	rc = make_key(ctx, storage, TSS_KEY_TYPE_BIND | TSS_KEY_SIZE_1024 | TSS_KEY_NO_AUTHORIZATION,
		      NULL, 0, &bind);
	CHECK_RC(rc, "1024-bit no-auth bind key under the storage key");
	if (rc != TSS_SUCCESS)
		return;
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_BIND, &enc);
	CHECK_RC(rc, "bind enc-data object");
	rc = Tspi_Data_Unbind(enc, bind, &out_len, &out);
	check(CODE(rc) == TSS_E_ENC_NO_DATA, "Unbind without data (0x%x)", rc);
	rc = Tspi_Data_Bind(enc, bind, sizeof(msg), msg);
	CHECK_RC(rc, "Bind (OAEP, TPM_BOUND_DATA)");
	rc = Tspi_Data_Unbind(enc, bind, &out_len, &out);
	check(rc == TSS_SUCCESS && out_len == sizeof(msg) && memcmp(out, msg, sizeof(msg)) == 0,
	      "Unbind gives the data back (0x%x)", rc);
	rc = Tspi_Data_Bind(enc, storage, sizeof(msg), msg);
	check(CODE(rc) == TSS_E_INVALID_KEYUSAGE, "Bind to a storage key refused (0x%x)", rc);
}

static void test_seal(void)
{
	TSS_HENCDATA enc, enc2;
	TSS_HPCRS pcrs;
	TSS_HPOLICY pol;
	BYTE *out = NULL, *pcr16 = NULL, *blob = NULL, *hash = NULL;
	UINT32 out_len = 0, pcr_len = 0, blob_len = 0, hash_len = 0, loc = 0;
	static BYTE msg[] = "sealed secret";
	BYTE ext[20];
	TSS_RESULT rc;

	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_SEAL, &enc);
	CHECK_RC(rc, "seal enc-data object");
	rc = set_secret(ctx, enc, "datasecret", &pol);
	CHECK_RC(rc, "data policy");
	rc = Tspi_Data_Seal(enc, srk, sizeof(msg), msg, 0);
	CHECK_RC(rc, "Seal under the SRK, no PCRs");
	rc = Tspi_Data_Unseal(enc, srk, &out_len, &out);
	check(rc == TSS_SUCCESS && out_len == sizeof(msg) && memcmp(out, msg, sizeof(msg)) == 0,
	      "Unseal (0x%x)", rc);
	rc = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, 3, (BYTE *)"bad");
	rc = Tspi_Data_Unseal(enc, srk, &out_len, &out);
	check(rc == TPM_E_AUTH2FAIL, "Unseal with a wrong data secret -> TPM_AUTH2FAIL (0x%x)", rc);

	/* Bound to PCR 16 as it is now (1.1 TPM_PCR_INFO). */
	rc = Tspi_TPM_PcrRead(tpm, 16, &pcr_len, &pcr16);
	CHECK_RC(rc, "PcrRead(16)");
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_PCRS, TSS_PCRS_STRUCT_INFO, &pcrs);
	CHECK_RC(rc, "PCR composite (INFO)");
	rc = Tspi_PcrComposite_SetPcrValue(pcrs, 16, pcr_len, pcr16);
	CHECK_RC(rc, "SetPcrValue(16)");
	rc = Tspi_PcrComposite_GetPcrLocality(pcrs, &loc);
	check(CODE(rc) == TSS_E_INVALID_OBJ_ACCESS, "no locality in a 1.1 composite (0x%x)", rc);
	rc = Tspi_PcrComposite_SelectPcrIndexEx(pcrs, 17, TSS_PCRS_DIRECTION_RELEASE);
	check(CODE(rc) == TSS_E_INVALID_OBJ_ACCESS, "SelectPcrIndexEx on INFO refused (0x%x)", rc);
	rc = Tspi_PcrComposite_GetCompositeHash(pcrs, &hash_len, &hash);
	check(rc == TSS_SUCCESS && hash_len == 20, "GetCompositeHash (0x%x)", rc);
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_SEAL, &enc2);
	CHECK_RC(rc, "second seal object");
	set_secret(ctx, enc2, "pcrdata", NULL);
	rc = Tspi_Data_Seal(enc2, srk, sizeof(msg), msg, pcrs);
	CHECK_RC(rc, "Seal to PCR 16");
	rc = Tspi_Data_Unseal(enc2, srk, &out_len, &out);
	check(rc == TSS_SUCCESS && out_len == sizeof(msg), "Unseal while PCR 16 matches (0x%x)", rc);
	rc = Tspi_GetAttribData(enc2, TSS_TSPATTRIB_ENCDATA_BLOB, TSS_TSPATTRIB_ENCDATABLOB_BLOB,
				&blob_len, &blob);
	check(rc == TSS_SUCCESS && blob_len > 100, "sealed blob attribute (%u bytes)", blob_len);
	{
		BYTE *rel = NULL;
		UINT32 rel_len = 0;

		rc = Tspi_GetAttribData(enc2, TSS_TSPATTRIB_ENCDATA_PCR,
					TSS_TSPATTRIB_ENCDATAPCR_DIGEST_ATRELEASE, &rel_len, &rel);
		check(rc == TSS_SUCCESS && rel_len == 20 && memcmp(rel, hash, 20) == 0,
		      "digestAtRelease is the composite hash (0x%x)", rc);
	}
	memset(ext, 0x11, sizeof(ext));
	{
		BYTE *newval = NULL;
		UINT32 newlen = 0;

		rc = Tspi_TPM_PcrExtend(tpm, 16, sizeof(ext), ext, NULL, &newlen, &newval);
		CHECK_RC(rc, "PcrExtend(16)");
	}
	rc = Tspi_Data_Unseal(enc2, srk, &out_len, &out);
	check(rc == TPM_E_WRONGPCRVAL, "Unseal after PCR 16 changed -> TPM_WRONGPCRVAL (0x%x)", rc);

	/* 1.2: TPM_PCR_INFO_LONG gives a TPM_STORED_DATA12. */
	{
		TSS_HPCRS pl;
		TSS_HENCDATA e3;
		UINT32 l2 = 0;
		BYTE *cur = NULL;

		rc = Tspi_TPM_PcrRead(tpm, 16, &l2, &cur);
		rc |= Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_PCRS, TSS_PCRS_STRUCT_INFO_LONG,
						&pl);
		rc |= Tspi_PcrComposite_SetPcrValue(pl, 16, l2, cur);
		CHECK_RC(rc, "INFO_LONG composite with PCR 16");
		rc = Tspi_PcrComposite_SetPcrLocality(pl, TPM_LOC_ZERO | TPM_LOC_ONE);
		CHECK_RC(rc, "SetPcrLocality");
		rc = Tspi_PcrComposite_SelectPcrIndex(pl, 3);
		check(CODE(rc) == TSS_E_INVALID_OBJ_ACCESS, "SelectPcrIndex on INFO_LONG (0x%x)", rc);
		rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_SEAL, &e3);
		set_secret(ctx, e3, "long", NULL);
		rc = Tspi_Data_Seal(e3, srk, sizeof(msg), msg, pl);
		CHECK_RC(rc, "Seal with TPM_PCR_INFO_LONG");
		rc = Tspi_GetAttribData(e3, TSS_TSPATTRIB_ENCDATA_BLOB,
					TSS_TSPATTRIB_ENCDATABLOB_BLOB, &blob_len, &blob);
		check(rc == TSS_SUCCESS && blob_len > 2 && blob[0] == 0 && blob[1] == 0x16,
		      "the blob is a TPM_STORED_DATA12");
		rc = Tspi_GetAttribUint32(e3, TSS_TSPATTRIB_ENCDATA_PCR_LONG,
					  TSS_TSPATTRIB_ENCDATAPCRLONG_LOCALITY_ATRELEASE, &loc);
		check(rc == TSS_SUCCESS && loc == (TPM_LOC_ZERO | TPM_LOC_ONE),
		      "localityAtRelease kept (0x%x, %u)", rc, loc);
		rc = Tspi_Data_Unseal(e3, srk, &out_len, &out);
		check(rc == TSS_SUCCESS && out_len == sizeof(msg), "Unseal 1.2 blob (0x%x)", rc);

		/* Sealx: the data crosses the wire masked. */
		rc = Tspi_SetAttribUint32(e3, TSS_TSPATTRIB_ENCDATA_SEAL,
					  TSS_TSPATTRIB_ENCDATASEAL_PROTECT_MODE,
					  TSS_TSPATTRIB_ENCDATASEAL_PROTECT);
		CHECK_RC(rc, "protect mode");
		rc = Tspi_Data_Seal(e3, srk, sizeof(msg), msg, pl);
		if (CODE(rc) == TSS_E_NOTIMPL || rc == TPM_E_BAD_ORDINAL ||
		    CODE(rc) == TCS_E_NOTIMPL) {
			printf("note: the daemon has no Sealx (0x%x)\n", rc);
		} else {
			CHECK_RC(rc, "Sealx");
			rc = Tspi_Data_Unseal(e3, srk, &out_len, &out);
			check(rc == TSS_SUCCESS && out_len == sizeof(msg) &&
				      memcmp(out, msg, sizeof(msg)) == 0,
			      "Unseal of Sealx data unmasks it (0x%x)", rc);
		}
	}
}

static void test_ps(void)
{
	static const TSS_UUID uuid_sys = { 0x11223344, 0x5566, 0x7788, 0x99, 0xaa,
					   { 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01 } };
	static const TSS_UUID uuid_user = { 0x11223344, 0x5566, 0x7788, 0x99, 0xaa,
					    { 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x02 } };
	static const TSS_UUID unknown = { 0xdeadbeef, 0, 0, 0, 0, { 0, 0, 0, 0, 0, 9 } };
	TSS_HKEY key, got, loaded, removed;
	TSS_KM_KEYINFO *info = NULL;
	TSS_KM_KEYINFO2 *info2 = NULL;
	UINT32 n = 0, reg = 0;
	TSS_RESULT rc;

	rc = make_key(ctx, srk, TSS_KEY_TYPE_STORAGE | TSS_KEY_SIZE_2048 | TSS_KEY_AUTHORIZATION,
		      "psstorage", 0, &key);
	CHECK_RC(rc, "a storage key to register");
	if (rc != TSS_SUCCESS)
		return;
	rc = Tspi_Context_RegisterKey(ctx, key, TSS_PS_TYPE_SYSTEM, uuid_sys, TSS_PS_TYPE_SYSTEM,
				      srk_uuid);
	CHECK_RC(rc, "RegisterKey(system)");
	rc = Tspi_Context_RegisterKey(ctx, key, TSS_PS_TYPE_SYSTEM, uuid_sys, TSS_PS_TYPE_SYSTEM,
				      srk_uuid);
	check(CODE(rc) == TSS_E_KEY_ALREADY_REGISTERED, "registering twice (0x%x)", rc);
	rc = Tspi_GetAttribUint32(key, TSS_TSPATTRIB_KEY_REGISTER, 0, &reg);
	check(rc == TSS_SUCCESS && reg == TSS_TSPATTRIB_KEYREGISTER_SYSTEM,
	      "KEY_REGISTER says system (0x%x)", reg);
	rc = Tspi_Context_GetKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, uuid_sys, &got);
	CHECK_RC(rc, "GetKeyByUUID(system)");
	rc = Tspi_Context_GetKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, unknown, &got);
	check(CODE(rc) == TSS_E_PS_KEY_NOTFOUND, "unknown UUID -> PS_KEY_NOTFOUND (0x%x)", rc);
	rc = Tspi_Context_GetRegisteredKeysByUUID(ctx, TSS_PS_TYPE_SYSTEM,
						  (TSS_UUID *)&uuid_sys, &n, &info);
	check(rc == TSS_SUCCESS && n == 2, "hierarchy of the system key: it and the SRK (%u)", n);

	/* User PS: a key whose parent is in system PS. */
	rc = Tspi_Context_RegisterKey(ctx, key, TSS_PS_TYPE_USER, uuid_user, TSS_PS_TYPE_SYSTEM,
				      srk_uuid);
	CHECK_RC(rc, "RegisterKey(user)");
	rc = Tspi_Context_RegisterKey(ctx, key, TSS_PS_TYPE_USER, uuid_user, TSS_PS_TYPE_SYSTEM,
				      srk_uuid);
	check(CODE(rc) == TSS_E_KEY_ALREADY_REGISTERED, "user registration twice (0x%x)", rc);
	rc = Tspi_Context_LoadKeyByUUID(ctx, TSS_PS_TYPE_USER, uuid_user, &loaded);
	CHECK_RC(rc, "LoadKeyByUUID(user): loads the SRK parent by UUID, then the key");
	rc = Tspi_Context_GetRegisteredKeysByUUID2(ctx, TSS_PS_TYPE_USER, (TSS_UUID *)&uuid_user,
						   &n, &info2);
	check(rc == TSS_SUCCESS && n == 2 && info2[0].persistentStorageType == TSS_PS_TYPE_USER &&
		      info2[1].persistentStorageType == TSS_PS_TYPE_SYSTEM,
	      "user hierarchy: user key then SRK (0x%x, %u)", rc, n);
	rc = Tspi_Context_GetRegisteredKeysByUUID(ctx, TSS_PS_TYPE_SYSTEM, NULL, &n, &info);
	check(rc == TSS_SUCCESS && n >= 3, "all registered keys (%u)", n);
	rc = Tspi_Context_UnregisterKey(ctx, TSS_PS_TYPE_USER, uuid_user, &removed);
	CHECK_RC(rc, "UnregisterKey(user)");
	rc = Tspi_Context_GetKeyByUUID(ctx, TSS_PS_TYPE_USER, uuid_user, &got);
	check(CODE(rc) == TSS_E_PS_KEY_NOTFOUND, "gone from user PS (0x%x)", rc);
	rc = Tspi_Context_UnregisterKey(ctx, TSS_PS_TYPE_SYSTEM, uuid_sys, &removed);
	CHECK_RC(rc, "UnregisterKey(system)");
	rc = Tspi_Context_GetKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, uuid_sys, &got);
	check(CODE(rc) == TSS_E_PS_KEY_NOTFOUND, "gone from system PS (0x%x)", rc);
	rc = Tspi_Context_LoadKeyByUUID(ctx, TSS_PS_TYPE_USER, unknown, &got);
	check(CODE(rc) == TSS_E_PS_KEY_NOTFOUND, "LoadKeyByUUID(user, unknown) (0x%x)", rc);
}

static void test_changeauth(void)
{
	TSS_HKEY key;
	TSS_HPOLICY newpol;
	TSS_HHASH hash;
	BYTE digest[20], *sig = NULL;
	UINT32 sig_len = 0;
	TSS_RESULT rc;

	memset(digest, 7, sizeof(digest));
	rc = make_key(ctx, srk, TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 | TSS_KEY_AUTHORIZATION,
		      "old", 0, &key);
	CHECK_RC(rc, "key for ChangeAuth");
	if (rc != TSS_SUCCESS)
		return;
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE, &newpol);
	rc |= Tspi_Policy_SetSecret(newpol, TSS_SECRET_MODE_PLAIN, 3, (BYTE *)"new");
	CHECK_RC(rc, "new policy");
	rc = Tspi_ChangeAuth(key, srk, newpol);
	CHECK_RC(rc, "ChangeAuth(key)");
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &hash);
	rc |= Tspi_Hash_SetHashValue(hash, 20, digest);
	rc = Tspi_Hash_Sign(hash, key, &sig_len, &sig);
	CHECK_RC(rc, "Sign with the new secret");
}

static void test_objects(void)
{
	TSS_HOBJECT o;
	TSS_RESULT rc;

	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY, 0x00000800, &o);
	check(CODE(rc) == TSS_E_INVALID_OBJECT_INITFLAG, "bad key size flag (0x%x)", rc);
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_PCRS, 7, &o);
	check(CODE(rc) == TSS_E_INVALID_OBJECT_INITFLAG, "bad PCR struct flag (0x%x)", rc);
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, 9, &o);
	check(CODE(rc) == TSS_E_INVALID_OBJECT_INITFLAG, "bad enc-data flag (0x%x)", rc);
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, 5, &o);
	check(CODE(rc) == TSS_E_INVALID_OBJECT_INITFLAG, "bad hash flag (0x%x)", rc);
	rc = Tspi_Key_WrapKey(srk, srk, 0);
	check(CODE(rc) == TSS_E_INVALID_HANDLE, "WrapKey of no key object (0x%x)", rc);
}

int main(void)
{
	struct test_tcsd t;
	TSS_RESULT rc;

	kit_daemon_up(&t, NULL);

	rc = Tspi_Context_Create(&ctx);
	CHECK_RC(rc, "Context_Create");
	rc = Tspi_Context_Connect(ctx, NULL);
	CHECK_RC(rc, "Context_Connect");
	if (rc == TSS_SUCCESS) {
		test_objects();
		test_ownership();
		test_srk();
		test_sign();
		test_bind();
		test_seal();
		test_ps();
		test_changeauth();
	}
	Tspi_Context_Close(ctx);
	return kit_daemon_down(&t);
}
