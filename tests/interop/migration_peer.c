/*
 * One side of the migration interop test (migration_interop.sh): built
 * once against Debian's TrouSerS libtspi (/usr/include/tss, -ltspi) and
 * once against ours, it exports a key as a migration blob or imports one
 * the other build made. Only the public TSS 1.2 API, so both builds
 * compile the same file.
 *
 *   migration_peer own
 *   migration_peer dest DEST                 storage key under the SRK -> DEST
 *   migration_peer export DEST SCHEME BLOB RND MOD
 *       a migratable signing key, its migration blob for DEST's key
 *       (SCHEME migrate|rewrap), the random and the key's modulus
 *   migration_peer import DEST SCHEME BLOB RND MOD
 *       converts (migrate) or loads (rewrap) the blob under DEST, signs,
 *       verifies the signature with the modulus MOD
 *   migration_peer cmk
 *       a certified migratable key under an approved migration authority
 *       (an OpenSSL key), moved by double approval under a storage key
 *       and used there: every CMK ordinal of the TCS in one run
 *   migration_peer keycontrol
 *       owner-evict on and off for a loaded key (KeyControlOwner), the
 *       SRK's public key read by the owner (OwnerGetSRKPubKey)
 *
 * Secrets: owner and SRK well-known, DEST's usage secret "dest", the
 * migration secret "migrate". Exit 0 on success, 1 with a message else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <tss/tspi.h>

#include "peer_kit.h"

static TSS_HCONTEXT ctx;
static TSS_HTPM tpm;
static TSS_HKEY srk;

static int fail(const char *what, TSS_RESULT rc)
{
	fprintf(stderr, "migration_peer: %s: 0x%x\n", what, (unsigned)rc);
	return 1;
}

static TSS_RESULT secret(TSS_HOBJECT obj, UINT32 kind, const char *s)
{
	TSS_HPOLICY pol;
	TSS_RESULT rc;

	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, kind, &pol)))
		return rc;
	peer_set_secret(pol, s);
	return Tspi_Policy_AssignToObject(pol, obj);
}

/* peer_kit's file helpers end the program on error; 0 keeps the callers' chains. */
static int write_file(const char *path, const BYTE *p, UINT32 n)
{
	peer_write_file(path, p, n);
	return 0;
}

static int read_file(const char *path, BYTE *p, UINT32 cap, UINT32 *n)
{
	*n = (UINT32)peer_read_file(path, p, cap);
	return 0;
}

static TSS_RESULT load_dest(const char *path, TSS_HKEY *dest)
{
	BYTE blob[4096];
	UINT32 n = 0;
	TSS_RESULT rc;

	if (read_file(path, blob, sizeof(blob), &n))
		return TSS_E_FAIL;
	if ((rc = Tspi_Context_LoadKeyByBlob(ctx, srk, n, blob, dest)))
		return rc;
	return secret(*dest, TSS_POLICY_USAGE, "dest");
}

static int cmd_dest(const char *out)
{
	TSS_HKEY dest;
	BYTE *blob;
	UINT32 n;
	TSS_RESULT rc;

	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					    TSS_KEY_TYPE_STORAGE | TSS_KEY_SIZE_2048 |
						    TSS_KEY_AUTHORIZATION,
					    &dest)) ||
	    (rc = secret(dest, TSS_POLICY_USAGE, "dest")) ||
	    (rc = Tspi_Key_CreateKey(dest, srk, 0)) ||
	    (rc = Tspi_GetAttribData(dest, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_BLOB, &n,
				     &blob)))
		return fail("destination key", rc);
	return write_file(out, blob, n);
}

static int scheme_of(const char *s, TSS_MIGRATE_SCHEME *out)
{
	if (strcmp(s, "migrate") == 0)
		*out = TSS_MS_MIGRATE;
	else if (strcmp(s, "rewrap") == 0)
		*out = TSS_MS_REWRAP;
	else
		return 1;
	return 0;
}

static int cmd_export(const char *dest_path, const char *scheme_name, const char *blob_path,
		      const char *rnd_path, const char *mod_path)
{
	TSS_MIGRATE_SCHEME scheme;
	TSS_HKEY dest, key;
	BYTE *ticket, *rnd, *blob, *mod;
	UINT32 ticket_len, rnd_len, blob_len, mod_len;
	TSS_RESULT rc;

	if (scheme_of(scheme_name, &scheme))
		return fail("unknown scheme", 0);
	if ((rc = load_dest(dest_path, &dest)))
		return fail("loading the destination key", rc);
	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					    TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 |
						    TSS_KEY_MIGRATABLE,
					    &key)) ||
	    (rc = secret(key, TSS_POLICY_MIGRATION, "migrate")) ||
	    (rc = Tspi_Key_CreateKey(key, srk, 0)))
		return fail("migratable key", rc);
	if ((rc = Tspi_TPM_AuthorizeMigrationTicket(tpm, dest, scheme, &ticket_len, &ticket)))
		return fail("AuthorizeMigrationTicket", rc);
	if ((rc = Tspi_Key_CreateMigrationBlob(key, srk, ticket_len, ticket, &rnd_len, &rnd,
					       &blob_len, &blob)))
		return fail("CreateMigrationBlob", rc);
	if ((rc = Tspi_GetAttribData(key, TSS_TSPATTRIB_RSAKEY_INFO,
				     TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &mod_len, &mod)))
		return fail("modulus", rc);
	return write_file(blob_path, blob, blob_len) || write_file(rnd_path, rnd, rnd_len) ||
	       write_file(mod_path, mod, mod_len);
}

static int cmd_import(const char *dest_path, const char *scheme_name, const char *blob_path,
		      const char *rnd_path, const char *mod_path)
{
	static const BYTE digest[20] = "interop migration!!";
	TSS_MIGRATE_SCHEME scheme;
	TSS_HKEY dest, key;
	TSS_HHASH hash;
	BYTE blob[4096], rnd[1024], mod[512], *sig, *got_mod;
	UINT32 blob_len, rnd_len, mod_len, sig_len, got_len;
	TSS_RESULT rc;

	if (scheme_of(scheme_name, &scheme))
		return fail("unknown scheme", 0);
	if (read_file(blob_path, blob, sizeof(blob), &blob_len) ||
	    read_file(rnd_path, rnd, sizeof(rnd), &rnd_len) ||
	    read_file(mod_path, mod, sizeof(mod), &mod_len))
		return 1;
	if ((rc = load_dest(dest_path, &dest)))
		return fail("loading the destination key", rc);
	if (scheme == TSS_MS_REWRAP) {
		if ((rc = Tspi_Context_LoadKeyByBlob(ctx, dest, blob_len, blob, &key)))
			return fail("LoadKeyByBlob of the rewrapped key", rc);
	} else {
		if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
						    TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024, &key)))
			return fail("key object", rc);
		if ((rc = Tspi_Key_ConvertMigrationBlob(key, dest, rnd_len, rnd, blob_len, blob)))
			return fail("ConvertMigrationBlob", rc);
		if ((rc = Tspi_Key_LoadKey(key, dest)))
			return fail("LoadKey of the converted key", rc);
	}
	if ((rc = Tspi_GetAttribData(key, TSS_TSPATTRIB_RSAKEY_INFO,
				     TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &got_len, &got_mod)))
		return fail("modulus", rc);
	if (got_len != mod_len || memcmp(got_mod, mod, mod_len) != 0)
		return fail("the imported key is not the exported one", 0);
	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &hash)) ||
	    (rc = Tspi_Hash_SetHashValue(hash, 20, (BYTE *)digest)) ||
	    (rc = Tspi_Hash_Sign(hash, key, &sig_len, &sig)))
		return fail("Sign with the migrated key", rc);
	/* The software check uses the public key: the private part must match it. */
	if ((rc = Tspi_Hash_VerifySignature(hash, key, sig_len, sig)))
		return fail("VerifySignature", rc);
	return 0;
}

static TSS_RESULT get(TSS_HOBJECT o, UINT32 flag, UINT32 sub, UINT32 *n, BYTE **p)
{
	return Tspi_GetAttribData(o, flag, sub, n, p);
}

static TSS_RESULT set(TSS_HOBJECT o, UINT32 flag, UINT32 sub, UINT32 n, BYTE *p)
{
	return Tspi_SetAttribData(o, flag, sub, n, p);
}

static int cmd_cmk(void)
{
	static const BYTE digest[20] = "certified migration";
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL), *sc = NULL;
	EVP_PKEY *ma = NULL;
	BIGNUM *n = NULL;
	BYTE ma_mod[128], sig[128];
	size_t sig_len = sizeof(sig);
	TSS_HKEY ma_key, cmk, dest, newk;
	TSS_HMIGDATA md;
	TSS_HHASH hash;
	BYTE *ma_pub, *msa_digest, *approval, *ticket, *dest_pub, *cmk_pub, *rnd, *tsig;
	BYTE sig_data[20];
	UINT32 ma_pub_len, len, ticket_len, dest_pub_len, cmk_pub_len, rnd_len, tsig_len;
	TSS_RESULT rc;

	if (kc == NULL || EVP_PKEY_keygen_init(kc) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 1024) <= 0 || EVP_PKEY_keygen(kc, &ma) <= 0 ||
	    !EVP_PKEY_get_bn_param(ma, OSSL_PKEY_PARAM_RSA_N, &n) || BN_bn2bin(n, ma_mod) != 128)
		return fail("OpenSSL key for the MA", 0);
	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					    TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024, &ma_key)) ||
	    (rc = set(ma_key, TSS_TSPATTRIB_RSAKEY_INFO, TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, 128,
		      ma_mod)) ||
	    (rc = get(ma_key, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY, &ma_pub_len,
		      &ma_pub)) ||
	    (rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_MIGDATA, 0, &md)) ||
	    (rc = set(md, TSS_MIGATTRIB_MIGRATIONBLOB, TSS_MIGATTRIB_MIG_MSALIST_PUBKEY_BLOB,
		      ma_pub_len, ma_pub)))
		return fail("MA key and MSA list", rc);
	if ((rc = Tspi_TPM_CMKSetRestrictions(tpm, TSS_CMK_DELEGATE_SIGNING)))
		return fail("CMKSetRestrictions", rc);
	if ((rc = Tspi_TPM_CMKApproveMA(tpm, md)))
		return fail("CMKApproveMA", rc);
	if ((rc = get(md, TSS_MIGATTRIB_AUTHORITY_DATA, TSS_MIGATTRIB_AUTHORITY_DIGEST, &len,
		      &msa_digest)) ||
	    (rc = get(md, TSS_MIGATTRIB_AUTHORITY_DATA, TSS_MIGATTRIB_AUTHORITY_APPROVAL_HMAC, &len,
		      &approval)) ||
	    (rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					    TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 |
						    TSS_KEY_MIGRATABLE |
						    TSS_KEY_CERTIFIED_MIGRATABLE |
						    TSS_KEY_STRUCT_KEY12,
					    &cmk)) ||
	    (rc = set(cmk, TSS_TSPATTRIB_KEY_CMKINFO, TSS_TSPATTRIB_KEYINFO_CMK_MA_DIGEST, 20,
		      msa_digest)) ||
	    (rc = set(cmk, TSS_TSPATTRIB_KEY_CMKINFO, TSS_TSPATTRIB_KEYINFO_CMK_MA_APPROVAL, 20,
		      approval)) ||
	    /* TrouSerS wants one, though the TPM makes a CMK's migrationAuth itself. */
	    (rc = secret(cmk, TSS_POLICY_MIGRATION, "migrate")))
		return fail("CMK template", rc);
	if ((rc = Tspi_Key_CreateKey(cmk, srk, 0)))
		return fail("CreateKey of the CMK", rc);
	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					    TSS_KEY_TYPE_STORAGE | TSS_KEY_SIZE_2048 |
						    TSS_KEY_AUTHORIZATION,
					    &dest)) ||
	    (rc = secret(dest, TSS_POLICY_USAGE, "dest")) ||
	    (rc = Tspi_Key_CreateKey(dest, srk, 0)) || (rc = Tspi_Key_LoadKey(dest, srk)) ||
	    (rc = Tspi_Key_LoadKey(cmk, srk)))
		return fail("destination key", rc);
	if ((rc = Tspi_TPM_AuthorizeMigrationTicket(tpm, dest, TSS_MS_RESTRICT_APPROVE_DOUBLE,
						    &ticket_len, &ticket)))
		return fail("AuthorizeMigrationTicket", rc);
	if ((rc = get(dest, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY, &dest_pub_len,
		      &dest_pub)) ||
	    (rc = get(cmk, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY, &cmk_pub_len,
		      &cmk_pub)) ||
	    (rc = set(md, TSS_MIGATTRIB_MIGRATIONTICKET, 0, ticket_len, ticket)) ||
	    (rc = set(md, TSS_MIGATTRIB_MIGRATIONBLOB, TSS_MIGATTRIB_MIG_AUTHORITY_PUBKEY_BLOB,
		      ma_pub_len, ma_pub)) ||
	    (rc = set(md, TSS_MIGATTRIB_MIGRATIONBLOB, TSS_MIGATTRIB_MIG_DESTINATION_PUBKEY_BLOB,
		      dest_pub_len, dest_pub)) ||
	    (rc = set(md, TSS_MIGATTRIB_MIGRATIONBLOB, TSS_MIGATTRIB_MIG_SOURCE_PUBKEY_BLOB,
		      cmk_pub_len, cmk_pub)))
		return fail("restrict ticket", rc);
	/*
	 * What the MA signs: SHA-1 of the TPM_CMK_AUTH, the three public key
	 * digests (TrouSerS' migdata object does not give it out).
	 */
	{
		BYTE cmk_auth[60];
		unsigned int dn = 0;

		if (!EVP_Digest(ma_pub, ma_pub_len, cmk_auth, &dn, EVP_sha1(), NULL) ||
		    !EVP_Digest(dest_pub, dest_pub_len, cmk_auth + 20, &dn, EVP_sha1(), NULL) ||
		    !EVP_Digest(cmk_pub, cmk_pub_len, cmk_auth + 40, &dn, EVP_sha1(), NULL) ||
		    !EVP_Digest(cmk_auth, sizeof(cmk_auth), sig_data, &dn, EVP_sha1(), NULL))
			return fail("sigData", 0);
	}
	if ((sc = EVP_PKEY_CTX_new(ma, NULL)) == NULL || EVP_PKEY_sign_init(sc) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(sc, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(sc, EVP_sha1()) <= 0 ||
	    EVP_PKEY_sign(sc, sig, &sig_len, sig_data, 20) <= 0)
		return fail("the MA's signature", 0);
	if ((rc = set(md, TSS_MIGATTRIB_TICKET_DATA, TSS_MIGATTRIB_TICKET_SIG_VALUE,
		      (UINT32)sig_len, sig)) ||
	    (rc = Tspi_TPM_CMKCreateTicket(tpm, ma_key, md)))
		return fail("CMKCreateTicket", rc);
	if ((rc = Tspi_Key_CMKCreateBlob(cmk, srk, md, &rnd_len, &rnd)))
		return fail("CMKCreateBlob", rc);
	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					    TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024, &newk)) ||
	    (rc = Tspi_Key_CMKConvertMigration(newk, dest, md, rnd_len, rnd)))
		return fail("CMKConvertMigration", rc);
	if ((rc = Tspi_Key_LoadKey(newk, dest)) ||
	    (rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &hash)) ||
	    (rc = Tspi_Hash_SetHashValue(hash, 20, (BYTE *)digest)) ||
	    (rc = Tspi_Hash_Sign(hash, newk, &tsig_len, &tsig)) ||
	    (rc = Tspi_Hash_VerifySignature(hash, cmk, tsig_len, tsig)))
		return fail("the migrated CMK signs for the CMK's public key", rc);
	EVP_PKEY_CTX_free(sc);
	EVP_PKEY_CTX_free(kc);
	EVP_PKEY_free(ma);
	BN_free(n);
	return 0;
}

static int cmd_keycontrol(void)
{
	TSS_HKEY key;
	TSS_UUID uuid, evict0 = TSS_UUID_OWNEREVICT(0);
	BYTE *pub;
	UINT32 pub_len;
	TSS_RESULT rc;

	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					    TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024, &key)) ||
	    (rc = Tspi_Key_CreateKey(key, srk, 0)) || (rc = Tspi_Key_LoadKey(key, srk)))
		return fail("signing key", rc);
	if ((rc = Tspi_TPM_KeyControlOwner(tpm, key, TSS_TSPATTRIB_KEYCONTROL_OWNEREVICT, TRUE,
					   &uuid)))
		return fail("KeyControlOwner on", rc);
	if (memcmp(&uuid, &evict0, sizeof(uuid)) != 0)
		return fail("the owner-evict UUID is not OWNEREVICT(0)", 0);
	if ((rc = Tspi_TPM_KeyControlOwner(tpm, key, TSS_TSPATTRIB_KEYCONTROL_OWNEREVICT, FALSE,
					   &uuid)))
		return fail("KeyControlOwner off", rc);
	if ((rc = Tspi_TPM_OwnerGetSRKPubKey(tpm, &pub_len, &pub)))
		return fail("OwnerGetSRKPubKey", rc);
	if (pub_len < 256)
		return fail("OwnerGetSRKPubKey: too short", pub_len);
	return 0;
}

int main(int argc, char **argv)
{
	TSS_HPOLICY pol;
	int ret = 0;

	peer_name = "migration_peer";
	if (argc < 2)
		return fail("usage: own | dest F | export|import DEST SCHEME BLOB RND MOD", 0);
	peer_connect(&ctx, &tpm);
	TRY(Tspi_GetPolicyObject(tpm, TSS_POLICY_USAGE, &pol), "owner policy");
	peer_set_secret(pol, NULL);
	if (strcmp(argv[1], "own") == 0) {
		peer_take_ownership(ctx, tpm, NULL);
	} else {
		srk = peer_load_srk(ctx);
		if (strcmp(argv[1], "cmk") == 0 && argc == 2)
			ret = cmd_cmk();
		else if (strcmp(argv[1], "keycontrol") == 0 && argc == 2)
			ret = cmd_keycontrol();
		else if (strcmp(argv[1], "dest") == 0 && argc == 3)
			ret = cmd_dest(argv[2]);
		else if (strcmp(argv[1], "export") == 0 && argc == 7)
			ret = cmd_export(argv[2], argv[3], argv[4], argv[5], argv[6]);
		else if (strcmp(argv[1], "import") == 0 && argc == 7)
			ret = cmd_import(argv[2], argv[3], argv[4], argv[5], argv[6]);
		else
			ret = fail("bad command", 0);
	}
	Tspi_Context_FreeMemory(ctx, NULL);
	Tspi_Context_Close(ctx);
	return ret;
}
