/*
 * Key migration, certified migratable keys, WrapKey, key control and the
 * revocable EK through OUR libtspi, on two TPMs at once: two TCS daemons
 * (test_tcsd_start(), $TSS12_TEST_TCSD, embedded libtpms by default),
 * one context connected to each. A key made on TPM A moves to TPM B
 * (rewrap and migrate schemes) and signs there; a CMK moves under an
 * approved migration authority; a software key is imported with WrapKey.
 * Every check prints one line; exit 1 if any failed, 77 if no daemon.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <tss/tspi.h>
#include <tss/tss_error.h>
#include <tss/tpm_error.h>

#include "harness.h"
#include "trousers_tcsd.h"
#include "tspi_kit.h"

static BYTE well_known[] = TSS_WELL_KNOWN_SECRET;

/* One TPM behind one daemon, and our context on it. */
struct side {
	const char *name;
	struct test_tcsd t;
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_HKEY srk;
	bool up;
};

static struct side A = { .name = "A" }, B = { .name = "B" };

/* ---- helpers ---- */

static TSS_RESULT policy_for(TSS_HCONTEXT ctx, TSS_HOBJECT obj, UINT32 kind, const char *secret)
{
	return kit_policy_assign(ctx, obj, kind, secret, NULL);
}

/* Starts a daemon for s, connects, takes ownership, loads the SRK. */
static int side_up(struct side *s)
{
	TSS_RESULT rc;
	int err;

	memset(&s->t, 0, sizeof(s->t));
	if ((err = test_tcsd_start(&s->t)) != 0) {
		/* No daemon at all is a skip; the second one failing is a failure. */
		if (s == &A)
			printf("cannot start daemon %s (%d)\n", s->name, err);
		else
			check(0, "daemon %s starts (%d)", s->name, err);
		return err;
	}
	/* The connection takes its port and socket from the environment, now. */
	test_tcsd_setenv(&s->t);
	rc = Tspi_Context_Create(&s->ctx);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Connect(s->ctx, NULL);
	check(rc == TSS_SUCCESS, "TPM %s (%s): connected (0x%x)", s->name, test_tcsd_name(&s->t),
	      rc);
	if (rc == TSS_SUCCESS)
		rc = kit_take_ownership(s->ctx, NULL, &s->tpm, NULL);
	if (rc == TSS_SUCCESS)
		rc = kit_load_srk(s->ctx, &s->srk);
	check(rc == TSS_SUCCESS, "TPM %s: owned, SRK loaded (0x%x)", s->name, rc);
	s->up = rc == TSS_SUCCESS;
	return s->up ? 0 : -1;
}

static void side_down(struct side *s)
{
	if (s->ctx != 0)
		Tspi_Context_Close(s->ctx);
	if (s->t.pid > 0) {
		if (checks_failed() != 0)
			test_tcsd_dump_log(&s->t);
		test_tcsd_stop(&s->t);
	}
}

/* A key under parent; mig_secret NULL: not migratable. */
static TSS_RESULT make_key(struct side *s, TSS_HKEY parent, TSS_FLAG flags, const char *mig_secret,
			   TSS_HKEY *key)
{
	TSS_RESULT rc;

	if ((rc = Tspi_Context_CreateObject(s->ctx, TSS_OBJECT_TYPE_RSAKEY, flags, key)))
		return rc;
	if (mig_secret != NULL &&
	    (rc = policy_for(s->ctx, *key, TSS_POLICY_MIGRATION, mig_secret)))
		return rc;
	if ((rc = Tspi_Key_CreateKey(*key, parent, 0)))
		return rc;
	return Tspi_Key_LoadKey(*key, parent);
}

/* SHA-1("migrate me"), signed by the keys under test. */
static const BYTE msg_digest[20] = { 0x6d, 0x69, 0x67, 0x72, 0x61, 0x74, 0x65, 0x20, 0x6d, 0x65,
				     0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a };

/* An OpenSSL public key from a modulus (e = 65537). */
static EVP_PKEY *pkey_from_modulus(const BYTE *mod, UINT32 len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	BIGNUM *n = BN_bin2bn(mod, (int)len, NULL), *e = BN_new();
	EVP_PKEY_CTX *kctx = NULL;
	EVP_PKEY *pk = NULL;

	if (bld != NULL && n != NULL && e != NULL && BN_set_word(e, 65537) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	    (kctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL &&
	    EVP_PKEY_fromdata_init(kctx) > 0)
		EVP_PKEY_fromdata(kctx, &pk, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(kctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pk;
}

/* PKCS#1 v1.5 over DigestInfo(SHA-1, digest): verify (sig != NULL) or sign. */
static int pkey_sha1(EVP_PKEY *pk, bool sign, const BYTE digest[20], BYTE *sig, size_t *sig_len)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
	int ok = 0;

	if (c == NULL)
		return 0;
	if ((sign ? EVP_PKEY_sign_init(c) : EVP_PKEY_verify_init(c)) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_signature_md(c, EVP_sha1()) > 0)
		ok = sign ? EVP_PKEY_sign(c, sig, sig_len, digest, 20) > 0
			  : EVP_PKEY_verify(c, sig, *sig_len, digest, 20) == 1;
	EVP_PKEY_CTX_free(c);
	return ok;
}

/* Signs msg_digest with a loaded key on s; checks it with modulus mod. */
static int sign_and_verify(struct side *s, TSS_HKEY key, const BYTE *mod, UINT32 mod_len)
{
	TSS_HHASH h;
	BYTE *sig = NULL;
	UINT32 sig_len = 0;
	size_t slen;
	EVP_PKEY *pk;
	int ok;

	if (Tspi_Context_CreateObject(s->ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &h) ||
	    Tspi_Hash_SetHashValue(h, 20, (BYTE *)msg_digest) ||
	    Tspi_Hash_Sign(h, key, &sig_len, &sig))
		return 0;
	pk = pkey_from_modulus(mod, mod_len);
	slen = sig_len;
	ok = pk != NULL && pkey_sha1(pk, false, msg_digest, sig, &slen);
	EVP_PKEY_free(pk);
	return ok;
}

static TSS_RESULT get_data(TSS_HOBJECT o, UINT32 flag, UINT32 sub, UINT32 *len, BYTE **data)
{
	return Tspi_GetAttribData(o, flag, sub, len, data);
}

/* ---- checks ---- */

static BYTE *srk_pub_b;
static UINT32 srk_pub_b_len;

static void test_srk_pub(void)
{
	BYTE *pub = NULL, *mod = NULL;
	UINT32 len = 0, mod_len = 0;
	TSS_HPOLICY pol;
	TSS_RESULT rc;

	rc = Tspi_TPM_OwnerGetSRKPubKey(B.tpm, &srk_pub_b_len, &srk_pub_b);
	check(rc == TSS_SUCCESS && srk_pub_b_len > 256, "B: OwnerGetSRKPubKey (0x%x, %u bytes)",
	      rc, srk_pub_b_len);
	rc = Tspi_TPM_OwnerGetSRKPubKey(A.tpm, &len, &pub);
	CHECK_RC(rc, "A: OwnerGetSRKPubKey");
	/* Our libtspi fills the SRK object in too, as TrouSerS' does. */
	rc = get_data(A.srk, TSS_TSPATTRIB_RSAKEY_INFO, TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &mod_len,
		      &mod);
	check(rc == TSS_SUCCESS && mod_len == 256 && len > 256 &&
		      memcmp(pub + len - 256, mod, 256) == 0,
	      "A: the SRK object's modulus is the one OwnerGetSRKPubKey gave (0x%x)", rc);
	check(srk_pub_b_len != len || memcmp(pub, srk_pub_b, len) != 0,
	      "the two TPMs have different SRKs");
	/* The wrong owner secret. */
	rc = Tspi_Context_CreateObject(A.ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE, &pol);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, 5, (BYTE *)"wrong");
	if (rc == TSS_SUCCESS)
		rc = Tspi_Policy_AssignToObject(pol, A.tpm);
	if (rc == TSS_SUCCESS)
		rc = Tspi_TPM_OwnerGetSRKPubKey(A.tpm, &len, &pub);
	check(rc == TPM_E_AUTHFAIL, "OwnerGetSRKPubKey with a wrong owner secret: TPM_AUTHFAIL (0x%x)",
	      rc);
	if (Tspi_GetPolicyObject(A.tpm, TSS_POLICY_USAGE, &pol) == TSS_SUCCESS)
		Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1, sizeof(well_known), well_known);
	rc = Tspi_TPM_OwnerGetSRKPubKey(A.tpm, NULL, &pub);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "OwnerGetSRKPubKey(NULL): BAD_PARAMETER (0x%x)", rc);
}

/* A key object on side s holding only the public key pub. */
static TSS_RESULT pub_object(struct side *s, const BYTE *pub, UINT32 len, TSS_HKEY *out)
{
	TSS_RESULT rc = Tspi_Context_CreateObject(s->ctx, TSS_OBJECT_TYPE_RSAKEY,
						  TSS_KEY_SIZE_2048 | TSS_KEY_TYPE_STORAGE, out);

	return rc ? rc
		  : Tspi_SetAttribData(*out, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY,
				       len, (BYTE *)pub);
}

static TSS_HKEY mig_key;	/* migratable signing key on A */
static BYTE *mig_mod;
static UINT32 mig_mod_len;

/* Rewrap (TPM_MS_REWRAP) and migrate (TPM_MS_MIGRATE) from TPM A to TPM B. */
static void test_migrate_a_to_b(void)
{
	TSS_HKEY dest, on_b, empty;
	BYTE *ticket = NULL, *rnd = NULL, *blob = NULL;
	UINT32 ticket_len = 0, rnd_len = 0, blob_len = 0;
	TSS_RESULT rc;

	rc = make_key(&A, A.srk, TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 | TSS_KEY_MIGRATABLE,
		      "migration secret", &mig_key);
	CHECK_RC(rc, "A: migratable signing key");
	rc = get_data(mig_key, TSS_TSPATTRIB_RSAKEY_INFO, TSS_TSPATTRIB_KEYINFO_RSA_MODULUS,
		      &mig_mod_len, &mig_mod);
	CHECK_RC(rc, "A: its modulus");
	rc = pub_object(&A, srk_pub_b, srk_pub_b_len, &dest);
	CHECK_RC(rc, "A: key object for B's SRK public key");

	/* Rewrap: the blob loads on B as it is. */
	rc = Tspi_TPM_AuthorizeMigrationTicket(A.tpm, dest, TSS_MS_REWRAP, &ticket_len, &ticket);
	check(rc == TSS_SUCCESS && ticket_len > 256, "A: owner authorises B's SRK (rewrap) (0x%x)",
	      rc);
	rc = Tspi_Key_CreateMigrationBlob(mig_key, A.srk, ticket_len, ticket, &rnd_len, &rnd,
					  &blob_len, &blob);
	check(rc == TSS_SUCCESS && blob_len > 300, "A: CreateMigrationBlob, rewrap (0x%x, %u bytes)",
	      rc, blob_len);
	check(rnd_len == 0, "rewrap needs no random (%u bytes)", rnd_len);
	rc = Tspi_Context_LoadKeyByBlob(B.ctx, B.srk, blob_len, blob, &on_b);
	CHECK_RC(rc, "B: the rewrapped key loads under B's SRK");
	check(rc == TSS_SUCCESS && sign_and_verify(&B, on_b, mig_mod, mig_mod_len),
	      "B: the migrated key signs, A's public key verifies");
	/* The same blob under A's SRK: wrapped for another key. */
	rc = Tspi_Context_LoadKeyByBlob(A.ctx, A.srk, blob_len, blob, &empty);
	check(rc != TSS_SUCCESS, "A: the blob for B does not load under A's SRK (0x%x)", rc);

	/* Migrate: random-masked, converted on B. */
	rc = Tspi_TPM_AuthorizeMigrationTicket(A.tpm, dest, TSS_MS_MIGRATE, &ticket_len, &ticket);
	CHECK_RC(rc, "A: owner authorises B's SRK (migrate)");
	rc = Tspi_Key_CreateMigrationBlob(mig_key, A.srk, ticket_len, ticket, &rnd_len, &rnd,
					  &blob_len, &blob);
	check(rc == TSS_SUCCESS && rnd_len > 0, "A: CreateMigrationBlob, migrate (0x%x, random %u)",
	      rc, rnd_len);
	rc = Tspi_Context_LoadKeyByBlob(B.ctx, B.srk, blob_len, blob, &empty);
	check(rc != TSS_SUCCESS, "B: the unconverted blob does not load (0x%x)", rc);
	rc = Tspi_Context_CreateObject(B.ctx, TSS_OBJECT_TYPE_RSAKEY, TSS_KEY_EMPTY_KEY, &empty);
	CHECK_RC(rc, "B: empty key object");
	if (rnd_len > 0) {
		rnd[0] ^= 0x80;
		rc = Tspi_Key_ConvertMigrationBlob(empty, B.srk, rnd_len, rnd, blob_len, blob);
		check(rc != TSS_SUCCESS, "B: ConvertMigrationBlob with a wrong random fails (0x%x)",
		      rc);
		rnd[0] ^= 0x80;
	}
	{
		/* A signing key cannot be the new parent. */
		TSS_HKEY signer, e2;

		rc = make_key(&B, B.srk, TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024, NULL, &signer);
		if (rc == TSS_SUCCESS)
			rc = Tspi_Context_CreateObject(B.ctx, TSS_OBJECT_TYPE_RSAKEY,
						       TSS_KEY_EMPTY_KEY, &e2);
		if (rc == TSS_SUCCESS)
			rc = Tspi_Key_ConvertMigrationBlob(e2, signer, rnd_len, rnd, blob_len, blob);
		check(rc == TPM_E_INVALID_KEYUSAGE,
		      "B: ConvertMigrationBlob under a signing key: TPM_INVALID_KEYUSAGE (0x%x)", rc);
	}
	rc = Tspi_Key_ConvertMigrationBlob(empty, B.srk, rnd_len, rnd, blob_len, blob);
	CHECK_RC(rc, "B: ConvertMigrationBlob");
	rc = Tspi_Key_LoadKey(empty, B.srk);
	CHECK_RC(rc, "B: the converted key loads");
	check(rc == TSS_SUCCESS && sign_and_verify(&B, empty, mig_mod, mig_mod_len),
	      "B: the converted key signs, A's public key verifies");
	rc = Tspi_Key_ConvertMigrationBlob(empty, B.srk, rnd_len, rnd, blob_len, blob);
	check(CODE(rc) == TSS_E_INVALID_OBJ_ACCESS, "ConvertMigrationBlob into a loaded key (0x%x)",
	      rc);
	rc = Tspi_Key_ConvertMigrationBlob(empty, B.srk, rnd_len, rnd, 10, blob);
	check(CODE(rc) == TSS_E_BAD_PARAMETER || CODE(rc) == TSS_E_INVALID_OBJ_ACCESS,
	      "ConvertMigrationBlob of a truncated blob (0x%x)", rc);
}

static void test_migration_errors(void)
{
	TSS_HKEY dest_b, fixed, sign_dest;
	TSS_HPOLICY pol;
	BYTE *ticket = NULL, *ticket_b = NULL, *rnd = NULL, *blob = NULL, *pub = NULL;
	UINT32 ticket_len = 0, ticket_b_len = 0, rnd_len = 0, blob_len = 0, pub_len = 0;
	TSS_RESULT rc;

	rc = pub_object(&A, srk_pub_b, srk_pub_b_len, &dest_b);
	if (rc == TSS_SUCCESS)
		rc = Tspi_TPM_AuthorizeMigrationTicket(A.tpm, dest_b, TSS_MS_REWRAP, &ticket_len,
						       &ticket);
	CHECK_RC(rc, "A: a rewrap ticket for B's SRK");

	rc = Tspi_TPM_AuthorizeMigrationTicket(A.tpm, dest_b, 0x99, &rnd_len, &rnd);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "unknown migration scheme (0x%x)", rc);

	/* Wrong migration secret. */
	rc = Tspi_GetPolicyObject(mig_key, TSS_POLICY_MIGRATION, &pol);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, 5, (BYTE *)"wrong");
	if (rc == TSS_SUCCESS)
		rc = Tspi_Key_CreateMigrationBlob(mig_key, A.srk, ticket_len, ticket, &rnd_len,
						  &rnd, &blob_len, &blob);
	/* The migration auth is the second session when the parent (SRK) has one. */
	check(rc == TPM_E_AUTH2FAIL, "CreateMigrationBlob with a wrong migration secret: "
				     "TPM_AUTH2FAIL (0x%x)", rc);
	if (Tspi_GetPolicyObject(mig_key, TSS_POLICY_MIGRATION, &pol) == TSS_SUCCESS)
		Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, 16, (BYTE *)"migration secret");

	/* A ticket B's owner made is worthless on A (HMAC'd with B's tpmProof). */
	rc = pub_object(&B, srk_pub_b, srk_pub_b_len, &sign_dest);
	if (rc == TSS_SUCCESS)
		rc = Tspi_TPM_AuthorizeMigrationTicket(B.tpm, sign_dest, TSS_MS_REWRAP,
						       &ticket_b_len, &ticket_b);
	CHECK_RC(rc, "B: a ticket from B's owner");
	rc = Tspi_Key_CreateMigrationBlob(mig_key, A.srk, ticket_b_len, ticket_b, &rnd_len, &rnd,
					  &blob_len, &blob);
	/* Part 3 §11.1 says TPM_MIGRATEFAIL; libtpms answers TPM_AUTHFAIL. */
	check(rc == TPM_E_MIGRATEFAIL || rc == TPM_E_AUTHFAIL, "A refuses B's ticket (0x%x)", rc);
	/* A ticket whose key was swapped: the digest no longer matches. */
	if (ticket_len > 40) {
		ticket[ticket_len - 30] ^= 1;
		rc = Tspi_Key_CreateMigrationBlob(mig_key, A.srk, ticket_len, ticket, &rnd_len,
						  &rnd, &blob_len, &blob);
		check(rc == TPM_E_MIGRATEFAIL || rc == TPM_E_AUTHFAIL, "a tampered ticket (0x%x)",
		      rc);
		ticket[ticket_len - 30] ^= 1;
	}
	/* The refusals were the tickets', not the sessions': the real one works. */
	rc = Tspi_Key_CreateMigrationBlob(mig_key, A.srk, ticket_len, ticket, &rnd_len, &rnd,
					  &blob_len, &blob);
	CHECK_RC(rc, "the genuine ticket still works");
	rc = Tspi_Key_CreateMigrationBlob(mig_key, A.srk, 7, ticket, &rnd_len, &rnd, &blob_len,
					  &blob);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "a truncated ticket (0x%x)", rc);

	/* A key that is not migratable. */
	rc = make_key(&A, A.srk, TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024, NULL, &fixed);
	CHECK_RC(rc, "A: non-migratable signing key");
	rc = Tspi_Key_CreateMigrationBlob(fixed, A.srk, ticket_len, ticket, &rnd_len, &rnd,
					  &blob_len, &blob);
	check(CODE(rc) == TSS_E_KEY_NO_MIGRATION_POLICY,
	      "non-migratable key without a migration policy (0x%x)", rc);
	rc = policy_for(A.ctx, fixed, TSS_POLICY_MIGRATION, "guess");
	if (rc == TSS_SUCCESS)
		rc = Tspi_Key_CreateMigrationBlob(fixed, A.srk, ticket_len, ticket, &rnd_len, &rnd,
						  &blob_len, &blob);
	/* Its migrationAuth is tpmProof, which no secret matches. */
	check(rc == TPM_E_AUTH2FAIL || rc == TPM_E_BAD_KEY_PROPERTY,
	      "non-migratable key: the TPM refuses (0x%x)", rc);

	/* A signing key is no migration destination. */
	rc = get_data(mig_key, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY, &pub_len,
		      &pub);
	if (rc == TSS_SUCCESS)
		rc = pub_object(&A, pub, pub_len, &sign_dest);
	if (rc == TSS_SUCCESS)
		rc = Tspi_TPM_AuthorizeMigrationTicket(A.tpm, sign_dest, TSS_MS_REWRAP, &rnd_len,
						       &rnd);
	check(rc == TPM_E_BAD_KEY_PROPERTY,
	      "a 1024-bit signing key as destination: TPM_BAD_KEY_PROPERTY (0x%x)", rc);
}

/* WrapKey: an OpenSSL key imported under A's SRK signs like OpenSSL does. */
static void test_wrap_key(void)
{
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *soft = NULL;
	BIGNUM *n = NULL, *p = NULL;
	BYTE mod[256], prime[128], sig[256];
	size_t sig_len = sizeof(sig);
	TSS_HKEY key, bad;
	TSS_HHASH h;
	BYTE *tsig = NULL;
	UINT32 tsig_len = 0, v = 0;
	int mod_len = 0, prime_len = 0;
	TSS_RESULT rc;

	if (kc == NULL || EVP_PKEY_keygen_init(kc) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 1024) <= 0 || EVP_PKEY_keygen(kc, &soft) <= 0 ||
	    !EVP_PKEY_get_bn_param(soft, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(soft, OSSL_PKEY_PARAM_RSA_FACTOR1, &p) ||
	    (mod_len = BN_bn2bin(n, mod)) != 128 || (prime_len = BN_bn2bin(p, prime)) <= 0) {
		check(0, "OpenSSL: a 1024-bit RSA key");
		goto out;
	}
	rc = Tspi_Context_CreateObject(A.ctx, TSS_OBJECT_TYPE_RSAKEY,
				       TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 | TSS_KEY_MIGRATABLE,
				       &key);
	if (rc == TSS_SUCCESS)
		rc = policy_for(A.ctx, key, TSS_POLICY_MIGRATION, "wrapped");
	CHECK_RC(rc, "A: key object to import into");
	rc = Tspi_Key_WrapKey(key, A.srk, 0);
	check(CODE(rc) == TSS_E_KEY_NOT_SET, "WrapKey without the software key (0x%x)", rc);
	rc = Tspi_SetAttribData(key, TSS_TSPATTRIB_RSAKEY_INFO, TSS_TSPATTRIB_KEYINFO_RSA_MODULUS,
				(UINT32)mod_len, mod);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribData(key, TSS_TSPATTRIB_KEY_BLOB,
					TSS_TSPATTRIB_KEYBLOB_PRIVATE_KEY, (UINT32)prime_len, prime);
	CHECK_RC(rc, "modulus and prime set");
	rc = Tspi_Key_WrapKey(key, A.srk, 0);
	CHECK_RC(rc, "WrapKey under A's SRK");
	rc = Tspi_Key_LoadKey(key, A.srk);
	CHECK_RC(rc, "A: the wrapped key loads");
	rc = Tspi_Context_CreateObject(A.ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &h);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Hash_SetHashValue(h, 20, (BYTE *)msg_digest);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Hash_Sign(h, key, &tsig_len, &tsig);
	CHECK_RC(rc, "A: the imported key signs");
	/* PKCS#1 v1.5 is deterministic: the TPM must produce OpenSSL's bytes. */
	check(rc == TSS_SUCCESS && pkey_sha1(soft, true, msg_digest, sig, &sig_len) &&
		      sig_len == tsig_len && memcmp(sig, tsig, sig_len) == 0,
	      "the TPM's signature equals OpenSSL's with the original key");
	rc = Tspi_GetAttribUint32(key, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_MIGRATABLE, &v);
	check(rc == TSS_SUCCESS && v == 1, "the imported key is migratable (%u)", v);

	/* A prime longer than half the modulus. */
	rc = Tspi_Context_CreateObject(A.ctx, TSS_OBJECT_TYPE_RSAKEY,
				       TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 | TSS_KEY_MIGRATABLE,
				       &bad);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribData(bad, TSS_TSPATTRIB_RSAKEY_INFO,
					TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, (UINT32)mod_len, mod);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribData(bad, TSS_TSPATTRIB_KEY_BLOB,
					TSS_TSPATTRIB_KEYBLOB_PRIVATE_KEY, (UINT32)mod_len, mod);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Key_WrapKey(bad, A.srk, 0);
	check(CODE(rc) == TSS_E_ENC_INVALID_LENGTH, "WrapKey of an oversized prime (0x%x)", rc);
out:
	BN_free(n);
	BN_clear_free(p);
	EVP_PKEY_free(soft);
	EVP_PKEY_CTX_free(kc);
}

static void test_key_control(void)
{
	TSS_HKEY key;
	TSS_UUID uuid, evict0 = TSS_UUID_OWNEREVICT(0);
	TSS_RESULT rc;

	rc = make_key(&A, A.srk, TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024, NULL, &key);
	CHECK_RC(rc, "A: key for KeyControlOwner");
	rc = Tspi_TPM_KeyControlOwner(A.tpm, key, TSS_TSPATTRIB_KEYCONTROL_OWNEREVICT, TRUE, &uuid);
	check(rc == TSS_SUCCESS && memcmp(&uuid, &evict0, sizeof(uuid)) == 0,
	      "KeyControlOwner: owner-evict on, UUID OWNEREVICT(0) (0x%x)", rc);
	rc = Tspi_TPM_KeyControlOwner(A.tpm, key, TSS_TSPATTRIB_KEYCONTROL_OWNEREVICT, FALSE, &uuid);
	CHECK_RC(rc, "KeyControlOwner: owner-evict off");
	/* CertifyKey (Part 3 §14.1): a signing key certifies this one. */
	{
		TSS_HKEY certifier;
		TSS_VALIDATION val;
		BYTE nonce[20], info_digest[20], *mod = NULL;
		UINT32 mod_len = 0;
		size_t slen;
		EVP_PKEY *pk = NULL;
		unsigned int dlen = 0;

		rc = make_key(&A, A.srk, TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024, NULL,
			      &certifier);
		CHECK_RC(rc, "A: certifying key");
		rc = Tspi_Key_CertifyKey(key, certifier, NULL);
		CHECK_RC(rc, "CertifyKey, checked by the TSP");
		memset(nonce, 0xc3, sizeof(nonce));
		memset(&val, 0, sizeof(val));
		val.ulExternalDataLength = sizeof(nonce);
		val.rgbExternalData = nonce;
		rc = Tspi_Key_CertifyKey(key, certifier, &val);
		CHECK_RC(rc, "CertifyKey with validation data");
		if (rc == TSS_SUCCESS)
			rc = get_data(certifier, TSS_TSPATTRIB_RSAKEY_INFO,
				      TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &mod_len, &mod);
		if (rc == TSS_SUCCESS && EVP_Digest(val.rgbData, val.ulDataLength, info_digest,
						    &dlen, EVP_sha1(), NULL) == 1 &&
		    (pk = pkey_from_modulus(mod, mod_len)) != NULL) {
			slen = val.ulValidationDataLength;
			check(pkey_sha1(pk, false, info_digest, val.rgbValidationData, &slen),
			      "OpenSSL verifies the certifyInfo signature");
			check(val.ulDataLength > 20 &&
				      memmem(val.rgbData, val.ulDataLength, nonce, 20) != NULL,
			      "the certifyInfo carries the nonce");
		} else {
			check(0, "certifyInfo digest and certifier key (0x%x)", rc);
		}
		EVP_PKEY_free(pk);
		val.ulExternalDataLength = 19;
		rc = Tspi_Key_CertifyKey(key, certifier, &val);
		check(CODE(rc) == TSS_E_BAD_PARAMETER, "CertifyKey with a 19-byte nonce (0x%x)", rc);
	}
	rc = Tspi_TPM_KeyControlOwner(A.tpm, key, 0x1234, TRUE, &uuid);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "KeyControlOwner: unknown attribute (0x%x)", rc);
	rc = Tspi_TPM_KeyControlOwner(A.tpm, key, TSS_TSPATTRIB_KEYCONTROL_OWNEREVICT, TRUE, NULL);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "KeyControlOwner: NULL UUID (0x%x)", rc);
}

/* CMK: create under an approved MA, double approval, convert under a storage key on A. */
static void test_cmk(void)
{
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *ma = NULL;
	BIGNUM *n = NULL;
	BYTE ma_mod[128], sig[128];
	size_t sig_len = sizeof(sig);
	TSS_HKEY ma_key, cmk, dest, plain, newk;
	TSS_HMIGDATA md;
	BYTE *ma_pub = NULL, *msa_digest = NULL, *approval = NULL, *ticket = NULL;
	BYTE *dest_pub = NULL, *cmk_pub = NULL, *sig_data = NULL, *rnd = NULL, *cmk_mod = NULL;
	UINT32 ma_pub_len = 0, len = 0, ticket_len = 0, dest_pub_len = 0, cmk_pub_len = 0;
	UINT32 sig_data_len = 0, rnd_len = 0, cmk_mod_len = 0, v = 0;
	BYTE short_digest[19] = { 0 };
	TSS_RESULT rc;

	if (kc == NULL || EVP_PKEY_keygen_init(kc) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 1024) <= 0 || EVP_PKEY_keygen(kc, &ma) <= 0 ||
	    !EVP_PKEY_get_bn_param(ma, OSSL_PKEY_PARAM_RSA_N, &n) || BN_bn2bin(n, ma_mod) != 128) {
		check(0, "OpenSSL: the migration authority's key");
		goto out;
	}
	rc = Tspi_TPM_CMKSetRestrictions(A.tpm, TSS_CMK_DELEGATE_SIGNING | TSS_CMK_DELEGATE_STORAGE);
	CHECK_RC(rc, "CMKSetRestrictions");

	/* The MA's public key as a key object, and the migdata object. */
	rc = Tspi_Context_CreateObject(A.ctx, TSS_OBJECT_TYPE_RSAKEY,
				       TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024, &ma_key);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribData(ma_key, TSS_TSPATTRIB_RSAKEY_INFO,
					TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, 128, ma_mod);
	if (rc == TSS_SUCCESS)
		rc = get_data(ma_key, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY,
			      &ma_pub_len, &ma_pub);
	CHECK_RC(rc, "the MA's TPM_PUBKEY");
	rc = Tspi_Context_CreateObject(A.ctx, TSS_OBJECT_TYPE_MIGDATA, 0, &md);
	CHECK_RC(rc, "migdata object");
	rc = Tspi_Context_CreateObject(A.ctx, TSS_OBJECT_TYPE_MIGDATA, 1, &plain);
	check(CODE(rc) == TSS_E_INVALID_OBJECT_INITFLAG, "migdata with init flags (0x%x)", rc);
	rc = Tspi_SetAttribData(md, TSS_MIGATTRIB_MIGRATIONBLOB,
				TSS_MIGATTRIB_MIG_MSALIST_PUBKEY_BLOB, ma_pub_len, ma_pub);
	CHECK_RC(rc, "MSA list: the MA");
	rc = Tspi_SetAttribData(md, TSS_MIGATTRIB_MIGRATIONBLOB,
				TSS_MIGATTRIB_MIG_MSALIST_PUBKEY_BLOB, 5, ma_pub);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "MSA list: a truncated TPM_PUBKEY (0x%x)", rc);
	rc = Tspi_SetAttribData(md, TSS_MIGATTRIB_AUTHORITY_DATA, TSS_MIGATTRIB_AUTHORITY_DIGEST,
				sizeof(short_digest), short_digest);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "a 19-byte authority digest (0x%x)", rc);
	rc = Tspi_SetAttribData(md, TSS_MIGATTRIB_AUTHORITY_DATA, TSS_MIGATTRIB_AUTHORITY_MSALIST,
				21, ma_pub);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "an MSA list of 21 bytes (0x%x)", rc);
	rc = Tspi_SetAttribData(md, 0x7777, 0, 20, ma_pub);
	check(CODE(rc) == TSS_E_INVALID_ATTRIB_FLAG, "unknown migdata flag (0x%x)", rc);
	rc = get_data(md, TSS_MIGATTRIB_AUTHORITY_DATA, TSS_MIGATTRIB_AUTHORITY_MSALIST, &len,
		      &msa_digest);
	check(rc == TSS_SUCCESS && len == 20, "MSA list holds one digest (%u bytes)", len);

	rc = Tspi_TPM_CMKApproveMA(A.tpm, md);
	CHECK_RC(rc, "CMKApproveMA");
	rc = get_data(md, TSS_MIGATTRIB_AUTHORITY_DATA, TSS_MIGATTRIB_AUTHORITY_DIGEST, &len,
		      &msa_digest);
	if (rc == TSS_SUCCESS)
		rc = get_data(md, TSS_MIGATTRIB_AUTHORITY_DATA,
			      TSS_MIGATTRIB_AUTHORITY_APPROVAL_HMAC, &len, &approval);
	CHECK_RC(rc, "approval HMAC and MSA digest");

	/* The CMK. */
	rc = Tspi_Context_CreateObject(A.ctx, TSS_OBJECT_TYPE_RSAKEY,
				       TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 |
					       TSS_KEY_CERTIFIED_MIGRATABLE | TSS_KEY_STRUCT_KEY12,
				       &cmk);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribData(cmk, TSS_TSPATTRIB_KEY_CMKINFO,
					TSS_TSPATTRIB_KEYINFO_CMK_MA_DIGEST, 20, msa_digest);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribData(cmk, TSS_TSPATTRIB_KEY_CMKINFO,
					TSS_TSPATTRIB_KEYINFO_CMK_MA_APPROVAL, 20, approval);
	CHECK_RC(rc, "CMK object with the approval");
	approval[0] ^= 1;
	Tspi_SetAttribData(cmk, TSS_TSPATTRIB_KEY_CMKINFO, TSS_TSPATTRIB_KEYINFO_CMK_MA_APPROVAL, 20,
			   approval);
	rc = Tspi_Key_CreateKey(cmk, A.srk, 0);
	check(rc == TPM_E_MA_AUTHORITY || rc == TPM_E_AUTHFAIL,
	      "CMK with a forged approval: refused (0x%x)", rc);
	approval[0] ^= 1;
	Tspi_SetAttribData(cmk, TSS_TSPATTRIB_KEY_CMKINFO, TSS_TSPATTRIB_KEYINFO_CMK_MA_APPROVAL, 20,
			   approval);
	rc = Tspi_Key_CreateKey(cmk, A.srk, 0);
	CHECK_RC(rc, "CreateKey of the CMK (TPM_CMK_CreateKey)");
	rc = Tspi_GetAttribUint32(cmk, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_CMK, &v);
	check(rc == TSS_SUCCESS && v == 1, "the key is a CMK (%u)", v);
	rc = Tspi_Key_LoadKey(cmk, A.srk);
	CHECK_RC(rc, "the CMK loads");
	rc = get_data(cmk, TSS_TSPATTRIB_RSAKEY_INFO, TSS_TSPATTRIB_KEYINFO_RSA_MODULUS,
		      &cmk_mod_len, &cmk_mod);
	check(rc == TSS_SUCCESS && sign_and_verify(&A, cmk, cmk_mod, cmk_mod_len),
	      "the CMK signs");

	/* The destination, a storage key on A, and the double approval. */
	/* CMK_ConvertMigration always needs the parent's auth: give it a secret. */
	rc = Tspi_Context_CreateObject(A.ctx, TSS_OBJECT_TYPE_RSAKEY,
				       TSS_KEY_TYPE_STORAGE | TSS_KEY_SIZE_2048 |
					       TSS_KEY_AUTHORIZATION,
				       &dest);
	if (rc == TSS_SUCCESS)
		rc = policy_for(A.ctx, dest, TSS_POLICY_USAGE, "destination");
	if (rc == TSS_SUCCESS)
		rc = Tspi_Key_CreateKey(dest, A.srk, 0);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Key_LoadKey(dest, A.srk);
	CHECK_RC(rc, "destination storage key");
	rc = get_data(dest, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY, &dest_pub_len,
		      &dest_pub);
	if (rc == TSS_SUCCESS)
		rc = get_data(cmk, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY,
			      &cmk_pub_len, &cmk_pub);
	CHECK_RC(rc, "public keys of destination and CMK");
	rc = Tspi_TPM_AuthorizeMigrationTicket(A.tpm, dest, TSS_MS_RESTRICT_APPROVE_DOUBLE,
					       &ticket_len, &ticket);
	CHECK_RC(rc, "ticket for the destination (restrict-approve-double)");
	rc = Tspi_SetAttribData(md, TSS_MIGATTRIB_MIGRATIONTICKET, 0, ticket_len, ticket);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribData(md, TSS_MIGATTRIB_MIGRATIONBLOB,
					TSS_MIGATTRIB_MIG_AUTHORITY_PUBKEY_BLOB, ma_pub_len, ma_pub);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribData(md, TSS_MIGATTRIB_MIGRATIONBLOB,
					TSS_MIGATTRIB_MIG_DESTINATION_PUBKEY_BLOB, dest_pub_len,
					dest_pub);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribData(md, TSS_MIGATTRIB_MIGRATIONBLOB,
					TSS_MIGATTRIB_MIG_SOURCE_PUBKEY_BLOB, cmk_pub_len, cmk_pub);
	if (rc == TSS_SUCCESS)
		rc = get_data(md, TSS_MIGATTRIB_TICKET_DATA, TSS_MIGATTRIB_TICKET_SIG_DIGEST,
			      &sig_data_len, &sig_data);
	check(rc == TSS_SUCCESS && sig_data_len == 20, "restrict ticket set, sigData (0x%x)", rc);
	/* The MA signs the TPM_CMK_AUTH digest; first a bad signature. */
	memset(sig, 0x11, sizeof(sig));
	rc = Tspi_SetAttribData(md, TSS_MIGATTRIB_TICKET_DATA, TSS_MIGATTRIB_TICKET_SIG_VALUE,
				sizeof(sig), sig);
	if (rc == TSS_SUCCESS)
		rc = Tspi_TPM_CMKCreateTicket(A.tpm, ma_key, md);
	check(rc == TPM_E_BAD_SIGNATURE, "CMKCreateTicket with a bad signature (0x%x)", rc);
	if (!pkey_sha1(ma, true, sig_data, sig, &sig_len)) {
		check(0, "OpenSSL: the MA signs");
		goto out;
	}
	rc = Tspi_SetAttribData(md, TSS_MIGATTRIB_TICKET_DATA, TSS_MIGATTRIB_TICKET_SIG_VALUE,
				(UINT32)sig_len, sig);
	if (rc == TSS_SUCCESS)
		rc = Tspi_TPM_CMKCreateTicket(A.tpm, ma_key, md);
	CHECK_RC(rc, "CMKCreateTicket");

	/* A CMK leaves only through CMK_CreateBlob. */
	{
		BYTE *b = NULL, *r = NULL;
		UINT32 bl = 0, rl = 0;

		rc = policy_for(A.ctx, cmk, TSS_POLICY_MIGRATION, "guess");
		if (rc == TSS_SUCCESS)
			rc = Tspi_Key_CreateMigrationBlob(cmk, A.srk, ticket_len, ticket, &rl, &r,
							  &bl, &b);
		/* TrouSerS' tcsd fails it itself (its TSS_E_INTERNAL_ERROR). */
		check(rc == TPM_E_BAD_MIGRATION ||
			      (A.t.kind == TEST_TCSD_TROUSERS && rc == (TSS_LAYER_TCS | TSS_E_INTERNAL_ERROR)),
		      "plain CreateMigrationBlob of a CMK: TPM_BAD_MIGRATION (0x%x)", rc);
	}
	rc = Tspi_Key_CMKCreateBlob(mig_key, A.srk, md, &rnd_len, &rnd);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "CMKCreateBlob of a key that is no CMK (0x%x)", rc);
	rc = Tspi_Key_CMKCreateBlob(cmk, A.srk, md, &rnd_len, &rnd);
	check(rc == TSS_SUCCESS && rnd_len > 0, "CMKCreateBlob (0x%x, random %u)", rc, rnd_len);
	rc = Tspi_Context_CreateObject(A.ctx, TSS_OBJECT_TYPE_RSAKEY, TSS_KEY_EMPTY_KEY, &newk);
	CHECK_RC(rc, "empty key object");
	rc = Tspi_Key_CMKConvertMigration(newk, dest, md, rnd_len, rnd);
	CHECK_RC(rc, "CMKConvertMigration under the destination");
	rc = Tspi_Key_LoadKey(newk, dest);
	CHECK_RC(rc, "the migrated CMK loads under the destination");
	check(rc == TSS_SUCCESS && sign_and_verify(&A, newk, cmk_mod, cmk_mod_len),
	      "the migrated CMK signs, the CMK's public key verifies");
out:
	BN_free(n);
	EVP_PKEY_free(ma);
	EVP_PKEY_CTX_free(kc);
}

/*
 * The revocable EK needs a TPM without an EK: a third daemon, ours, on
 * an embedded TPM manufactured without one (TSS12_LIBTPMS_NO_EK=1, read
 * by tpmdd/backend_libtpms.c; the daemon inherits it through
 * ours_tcsd_spawn). Its clients reach it by its Unix socket.
 */
struct daemon_c {
	char dir[PATH_MAX];
	char conf[PATH_MAX + 16];
	char log[PATH_MAX + 16];
	char sock[PATH_MAX + 16];
	pid_t pid;
};

static int daemon_c_start(struct daemon_c *d)
{
	const char *bin = getenv("TSS12_TCSD");
	char state[PATH_MAX + 16], text[4 * PATH_MAX + 128];
	struct passwd *pw = getpwnam("tss");
	FILE *f;
	int port;

	d->pid = -1;
	if (bin == NULL || *bin == '\0')
		bin = getenv("TCSD");
	if (bin == NULL || *bin == '\0')
		bin = "../../tcsd/tcsd";
	if (harness_mkdtemp("tss12-revek", d->dir, sizeof(d->dir)) != 0 ||
	    harness_free_tcp_ports(1, &port) != 0)
		return -1;
	snprintf(state, sizeof(state), "%s/tpm", d->dir);
	snprintf(d->conf, sizeof(d->conf), "%s/tcsd.conf", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/tcsd.log", d->dir);
	snprintf(d->sock, sizeof(d->sock), "%s/tcsd.sock", d->dir);
	if (mkdir(state, 0700) != 0)
		return -1;
	/* Started as root, the daemon drops to tss before it opens the TPM. */
	if (geteuid() == 0 && pw != NULL &&
	    (chown(state, pw->pw_uid, pw->pw_gid) != 0 || chown(d->dir, pw->pw_uid, pw->pw_gid) != 0))
		return -1;
	snprintf(text, sizeof(text),
		 "port = %d\nsystem_ps_file = %s/system.data\ndevice = libtpms:%s\n"
		 "unix_socket = %s\n",
		 port, d->dir, state, d->sock);
	if ((f = fopen(d->conf, "w")) == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	setenv("TSS12_LIBTPMS_NO_EK", "1", 1);
	d->pid = ours_tcsd_spawn(bin, d->conf, d->log, 0);
	unsetenv("TSS12_LIBTPMS_NO_EK");
	if (d->pid < 0)
		return -1;
	if (ours_tcsd_wait_unix(d->pid, d->sock, d->log) != 0) {
		d->pid = -1;
		return -1;
	}
	/* Clients of this process now go to C's socket. */
	unsetenv("TSS_TCSD_HOSTNAME");
	unsetenv("TSS_TCSD_PORT");
	setenv("TSS12_TCSD_SOCKET", d->sock, 1);
	return 0;
}

static void daemon_c_stop(struct daemon_c *d)
{
	char cmd[PATH_MAX + 32];
	FILE *f;

	if (d->pid > 0)
		ours_tcsd_stop_pid(d->pid, 5000);
	if (checks_failed() != 0 && (f = fopen(d->log, "r")) != NULL) {
		while (fgets(cmd, sizeof(cmd), f) != NULL)
			fputs(cmd, stderr);
		fclose(f);
	}
	if (d->dir[0] != '\0')
		harness_rmtree(d->dir);
}

/*
 * The plain EK (TPM_CreateEndorsementKeyPair) on another TPM without one:
 * made once, its checksum right, readable, and a second one refused.
 */
static void test_plain_ek(void)
{
	struct daemon_c d;
	TSS_HCONTEXT ctx = 0;
	TSS_HTPM tpm = 0;
	TSS_HKEY ek, pubek;
	TSS_VALIDATION val;
	BYTE nonce[20], expect[20], *made = NULL, *read = NULL;
	UINT32 made_len = 0, read_len = 0;
	TSS_RESULT rc;

	memset(&d, 0, sizeof(d));
	if (daemon_c_start(&d) != 0) {
		check(0, "daemon D (no EK) starts");
		goto out;
	}
	rc = Tspi_Context_Create(&ctx);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Connect(ctx, NULL);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_GetTpmObject(ctx, &tpm);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					       TSS_KEY_SIZE_2048 | TSS_KEY_TYPE_LEGACY, &ek);
	CHECK_RC(rc, "D: connected");
	if (rc != TSS_SUCCESS)
		goto out;
	memset(nonce, 0x3c, sizeof(nonce));
	memset(&val, 0, sizeof(val));
	val.ulExternalDataLength = sizeof(nonce) - 1;
	val.rgbExternalData = nonce;
	rc = Tspi_TPM_CreateEndorsementKey(tpm, ek, &val);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "a 19-byte nonce: BAD_PARAMETER (0x%x)", rc);
	val.ulExternalDataLength = sizeof(nonce);
	rc = Tspi_TPM_CreateEndorsementKey(tpm, ek, &val);
	CHECK_RC(rc, "D: CreateEndorsementKey");
	if (rc != TSS_SUCCESS)
		goto out;
	{
		EVP_MD_CTX *mc = EVP_MD_CTX_new();
		unsigned int n = 0;

		check(mc != NULL && EVP_DigestInit_ex(mc, EVP_sha1(), NULL) &&
			      EVP_DigestUpdate(mc, val.rgbData, val.ulDataLength) &&
			      EVP_DigestUpdate(mc, nonce, sizeof(nonce)) &&
			      EVP_DigestFinal_ex(mc, expect, &n) && val.ulValidationDataLength == 20 &&
			      memcmp(expect, val.rgbValidationData, 20) == 0,
		      "the checksum is SHA1(pubEK || nonce)");
		EVP_MD_CTX_free(mc);
	}
	rc = Tspi_TPM_GetPubEndorsementKey(tpm, FALSE, NULL, &pubek);
	if (rc == TSS_SUCCESS)
		rc = Tspi_GetAttribData(pubek, TSS_TSPATTRIB_RSAKEY_INFO,
					TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &read_len, &read);
	if (rc == TSS_SUCCESS)
		rc = Tspi_GetAttribData(ek, TSS_TSPATTRIB_RSAKEY_INFO,
					TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &made_len, &made);
	check(rc == TSS_SUCCESS && made_len == 256 && read_len == made_len &&
		      memcmp(made, read, made_len) == 0,
	      "D: ReadPubek gives the EK that CreateEndorsementKey returned (0x%x)", rc);
	/* Without validation data the TSP checks the checksum; a second EK is refused. */
	rc = Tspi_TPM_CreateEndorsementKey(tpm, ek, NULL);
	check(rc == TPM_E_DISABLED_CMD, "D: a second EK: TPM_DISABLED_CMD (0x%x)", rc);
out:
	if (ctx != 0)
		Tspi_Context_Close(ctx);
	daemon_c_stop(&d);
}

static void test_revocable_ek(void)
{
	struct daemon_c d;
	TSS_HCONTEXT ctx = 0;
	TSS_HTPM tpm = 0;
	TSS_HKEY ek, pubek;
	TSS_VALIDATION val;
	BYTE *reset = NULL, wrong[20], nonce[20];
	UINT32 reset_len = 0;
	TSS_RESULT rc;

	memset(&d, 0, sizeof(d));
	if (daemon_c_start(&d) != 0) {
		check(0, "daemon C (no EK) starts");
		goto out;
	}
	rc = Tspi_Context_Create(&ctx);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Connect(ctx, NULL);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_GetTpmObject(ctx, &tpm);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					       TSS_KEY_SIZE_2048 | TSS_KEY_TYPE_LEGACY, &ek);
	CHECK_RC(rc, "C: connected");
	if (rc != TSS_SUCCESS)
		goto out;
	rc = Tspi_TPM_GetPubEndorsementKey(tpm, FALSE, NULL, &pubek);
	check(rc == TPM_E_NO_ENDORSEMENT, "C has no EK yet: TPM_NO_ENDORSEMENT (0x%x)", rc);
	reset = wrong;
	reset_len = 0;
	rc = Tspi_TPM_CreateRevocableEndorsementKey(tpm, ek, NULL, &reset_len, &reset);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "length 0 with a buffer: BAD_PARAMETER (0x%x)", rc);
	reset = NULL;
	memset(nonce, 0x4e, sizeof(nonce));
	memset(&val, 0, sizeof(val));
	val.ulExternalDataLength = sizeof(nonce);
	val.rgbExternalData = nonce;
	rc = Tspi_TPM_CreateRevocableEndorsementKey(tpm, ek, &val, &reset_len, &reset);
	check(rc == TSS_SUCCESS && reset_len == 20 && val.ulValidationDataLength == 20,
	      "C: CreateRevocableEndorsementKey, TPM-made reset value (0x%x)", rc);
	if (rc != TSS_SUCCESS)
		goto out;
	{
		BYTE expect[20];
		EVP_MD_CTX *mc = EVP_MD_CTX_new();
		unsigned int n = 0;

		check(mc != NULL && EVP_DigestInit_ex(mc, EVP_sha1(), NULL) &&
			      EVP_DigestUpdate(mc, val.rgbData, val.ulDataLength) &&
			      EVP_DigestUpdate(mc, nonce, sizeof(nonce)) &&
			      EVP_DigestFinal_ex(mc, expect, &n) &&
			      memcmp(expect, val.rgbValidationData, 20) == 0,
		      "the checksum is SHA1(pubEK || nonce)");
		EVP_MD_CTX_free(mc);
	}
	rc = Tspi_TPM_CreateRevocableEndorsementKey(tpm, ek, NULL, &reset_len, &reset);
	check(CODE(rc) == TSS_E_BAD_PARAMETER || rc == TPM_E_DISABLED_CMD,
	      "a second EK is refused (0x%x)", rc);
	memcpy(wrong, reset, 20);
	wrong[0] ^= 1;
	rc = Tspi_TPM_SetStatus(tpm, TSS_TPMSTATUS_PHYSPRES_CMDENABLE, TRUE);
	printf("note: TSS_TPMSTATUS_PHYSPRES_CMDENABLE (0x%x)\n", rc);
	rc = Tspi_TPM_SetStatus(tpm, TSS_TPMSTATUS_PHYSPRESENCE, TRUE);
	printf("note: TSS_TPMSTATUS_PHYSPRESENCE (0x%x)\n", rc);
	rc = Tspi_TPM_RevokeEndorsementKey(tpm, 20, wrong);
	check(rc == TPM_E_AUTHFAIL, "RevokeEndorsementKey with a wrong reset value (0x%x)", rc);
	rc = Tspi_TPM_RevokeEndorsementKey(tpm, 19, reset);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "a 19-byte reset value (0x%x)", rc);
	rc = Tspi_TPM_RevokeEndorsementKey(tpm, 20, reset);
	CHECK_RC(rc, "C: RevokeEndorsementKey");
	rc = Tspi_TPM_GetPubEndorsementKey(tpm, FALSE, NULL, &pubek);
	/* RevokeTrust also clears the owner and disables the TPM (Part 3 §27.1.2). */
	check(rc == TPM_E_NO_ENDORSEMENT || rc == TPM_E_DISABLED,
	      "C: the EK is gone after the revocation (0x%x)", rc);
out:
	if (ctx != 0)
		Tspi_Context_Close(ctx);
	daemon_c_stop(&d);
}

int main(void)
{
	char ups[PATH_MAX + 32];

	/* The embedded TPM unless a wrapper asked for another daemon. */
	setenv("TSS12_TEST_TCSD", "embedded", 0);
	if (side_up(&A) != 0) {
		if (A.t.pid <= 0) {
			printf("SKIP: no TCS daemon can run here\n");
			return 77;
		}
		side_down(&A);
		return 1;
	}
	snprintf(ups, sizeof(ups), "%s/user.data", A.t.dir);
	setenv("TSS_USER_PS_FILE", ups, 1);
	if (side_up(&B) == 0) {
		test_srk_pub();
		test_migrate_a_to_b();
		test_migration_errors();
		test_wrap_key();
		test_key_control();
		test_cmk();
	}
	side_down(&B);
	side_down(&A);
	/* TrouSerS' tcsd runs on swtpm, made with an EK: only ours can test this. */
	if (strcmp(getenv("TSS12_TEST_TCSD"), "trousers") != 0) {
		test_revocable_ek();
		test_plain_ek();
	}
	return checks_finish();
}
