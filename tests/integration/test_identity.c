/*
 * A complete AIK enrolment through OUR libtspi against a real TCS daemon
 * (ours on an embedded TPM by default; TrouSerS' with
 * TSS12_TEST_TCSD=trousers) and a privacy CA written here with OpenSSL
 * and common/privacy_ca:
 *
 *   Tspi_TPM_CollateIdentityRequest -> CA opens and verifies the request
 *   -> CA encrypts a credential to the EK -> Tspi_TPM_ActivateIdentity
 *   gives the credential back -> the AIK quotes PCRs, and OpenSSL
 *   verifies the quote with the AIK's public key from the request.
 *
 * Also: credentials from tcsd.conf (ours: the daemon is restarted with
 * endorsement_cred/platform_cred/conformance_cred set) and from the TPM
 * object's attributes; 3DES session keys; and the error paths: the wrong
 * CA key, a tampered request, an activation for another AIK, a tampered
 * attestation blob, the wrong owner secret; and the TPM object's
 * COLLATEIDENTITY / ACTIVATEIDENTITY callbacks doing the crypto instead.
 *
 * Every check prints one line; exit 1 if any failed, 77 if no daemon can
 * run here.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <tss/tcs_defines.h>
#include <tss/tspi.h>
#include <tss/tss_error.h>
#include <tss/tpm_error.h>
#include <tss/tcs_error.h>

#include "crypto.h"
#include "harness.h"
#include "privacy_ca.h"
#include "tcsd_ordinals.h"
#include "tcs_client.h"
#include "tcsd_wire.h"
#include "tpm_structs.h"
#include "trousers_tcsd.h"
#include "tspi_kit.h"

static const char owner_secret[] = "identity-owner";

/* Credential files given to our daemon, and what the TPM object overrides. */
static const char ek_cert[] = "EK certificate bytes from endorsement_cred";
static const char platform_cert[] = "platform credential from platform_cred";
static const char conformance_cert[] = "conformance credential from conformance_cred";

static TSS_HCONTEXT ctx;
static TSS_HTPM tpm;
static TSS_HKEY srk;
static EVP_PKEY *ca_key, *ca_key2, *ek_pub;
static bool daemon_is_ours;

static TSS_RESULT set_owner_secret(const char *secret)
{
	TSS_HPOLICY pol;
	TSS_RESULT rc;

	if ((rc = Tspi_GetPolicyObject(tpm, TSS_POLICY_USAGE, &pol)))
		return rc;
	return Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, (UINT32)strlen(secret),
				     (BYTE *)secret);
}

/* ---- our daemon, restarted with credential files in tcsd.conf ---- */

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	fputs(text, f);
	if (fclose(f) != 0)
		return -errno;
	/* The daemon reads them as the tss user. */
	return chmod(path, 0644) == 0 ? 0 : -errno;
}

/*
 * Waits (60 s at most) for the daemon to log that it is ready: it listens
 * before a fresh embedded TPM is manufactured (EK made), and a stop in
 * between leaves a TPM without an EK.
 */
static int wait_ready(const struct test_tcsd *t)
{
	char line[1024];

	for (int i = 0; i < 2400; i++) {
		FILE *f = fopen(t->log, "r");
		bool ready = false;

		while (f != NULL && !ready && fgets(line, sizeof(line), f) != NULL)
			ready = strstr(line, "tcsd ready") != NULL;
		if (f != NULL)
			fclose(f);
		if (ready)
			return 0;
		usleep(25000);
	}
	return -ETIMEDOUT;
}

static int restart_with_credentials(struct test_tcsd *t)
{
	const char *bin = getenv("TSS12_TCSD");
	char path[3][PATH_MAX + 32], line[4 * PATH_MAX];
	static const char *const names[3] = { "ek.cert", "platform.cert", "conformance.cert" };
	static const char *const texts[3] = { ek_cert, platform_cert, conformance_cert };
	FILE *conf;
	pid_t pid;

	if (bin == NULL || *bin == '\0')
		bin = "../../tcsd/tcsd";
	for (int i = 0; i < 3; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/%s", t->dir, names[i]);
		if (write_text(path[i], texts[i]) != 0)
			return -EIO;
	}
	snprintf(line, sizeof(line),
		 "endorsement_cred = %s\nplatform_cred = %s\nconformance_cred = %s\n", path[0],
		 path[1], path[2]);
	if ((conf = fopen(t->conf, "a")) == NULL)
		return -errno;
	fputs(line, conf);
	if (fclose(conf) != 0)
		return -EIO;
	if (wait_ready(t) != 0)
		return -ETIMEDOUT;
	if (ours_tcsd_stop_pid(t->pid, 5000) < 0)
		return -ECHILD;
	t->pid = -1;
	if ((pid = ours_tcsd_spawn(bin, t->conf, t->log, 0)) < 0)
		return -ECHILD;
	t->pid = pid;
	return ours_tcsd_wait_unix(pid, t->unix_socket, t->log);
}

/* ---- GetCredential on the wire (no libtspi function sends it) ---- */

/* GetCredential(type, mode): the result; the credential compared with want. */
static uint32_t get_credential(int fd, uint32_t tcs_ctx, uint32_t type, uint32_t mode,
			       const char *want)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	const uint8_t *cred = NULL;
	uint32_t len = 0, idx = 0, rc;

	tcsd_writer_init(&w, 3);
	tcsd_put_u32(&w, 0, tcs_ctx);
	tcsd_put_u32(&w, 1, type);
	tcsd_put_u32(&w, 2, mode);
	if (!tcs_call(fd, &w, TCSD_ORD_GETCREDENTIAL, &rp)) {
		tcs_reply_free(&rp);
		return 0xffffffff;
	}
	rc = rp.result;
	if (rc == 0) {
		tcsd_get_sized_ptr(&rp.r, &idx, &cred, &len, 1u << 16);
		check(tcsd_reader_error(&rp.r) == 0 && len == strlen(want) &&
			      (len == 0 || memcmp(cred, want, len) == 0),
		      "GetCredential(%u) answers the configured credential (%u bytes)", type, len);
	}
	tcs_reply_free(&rp);
	return rc;
}

static void test_get_credential(const struct test_tcsd *t)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint32_t tcs_ctx = 0, rc;
	int fd = tcs_connect_tcp(t->port);

	if (fd < 0) {
		check(0, "connect to the daemon");
		goto out;
	}
	tcsd_writer_init(&w, 0);
	if (tcs_call(fd, &w, TCSD_ORD_OPENCONTEXT, &rp) && rp.result == 0)
		tcsd_get_u32(&rp.r, 0, &tcs_ctx);
	tcs_reply_free(&rp);
	check(tcs_ctx != 0, "OpenContext on the wire");
	rc = get_credential(fd, tcs_ctx, TSS_TCS_CREDENTIAL_EKCERT, TSS_TCS_CERT_ACCESS_AUTO,
			    daemon_is_ours ? ek_cert : "");
	check(rc == 0, "GetCredential(EK certificate) (0x%x)", rc);
	rc = get_credential(fd, tcs_ctx, TSS_TCS_CREDENTIAL_PLATFORMCERT, TSS_TCS_CERT_ACCESS_AUTO,
			    daemon_is_ours ? platform_cert : "");
	check(rc == 0, "GetCredential(platform credential) (0x%x)", rc);
	rc = get_credential(fd, tcs_ctx, 99, TSS_TCS_CERT_ACCESS_AUTO, "");
	check(rc == (TSS_LAYER_TCS | TSS_E_BAD_PARAMETER),
	      "GetCredential of an unknown type: TCS_E_BAD_PARAMETER (0x%x)", rc);
	rc = get_credential(fd, tcs_ctx, TSS_TCS_CREDENTIAL_TPM_CC, 7, "");
	check(rc == (TSS_LAYER_TCS | TSS_E_FAIL),
	      "GetCredential with an unknown access mode: TSS_E_FAIL (0x%x)", rc);
out:
	if (fd >= 0)
		close(fd);
}

/* ---- set-up: owner, SRK, the EK as the CA sees it ---- */

static void test_setup(void)
{
	TSS_HKEY ek;
	BYTE *mod = NULL;
	UINT32 mod_len = 0;
	TSS_RESULT rc;

	kit_take_ownership(ctx, owner_secret, &tpm, NULL);
	kit_load_srk(ctx, &srk);

	/* The CA learns the EK from the platform (normally from its certificate). */
	rc = Tspi_TPM_GetPubEndorsementKey(tpm, TRUE, NULL, &ek);
	if (rc == TSS_SUCCESS)
		rc = Tspi_GetAttribData(ek, TSS_TSPATTRIB_RSAKEY_INFO,
					TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &mod_len, &mod);
	CHECK_RC(rc, "owner reads the EK's public key");
	if (rc == TSS_SUCCESS)
		check(crypto_rsa_import_public(mod, mod_len, NULL, 0, &ek_pub) == 0,
		      "EK modulus of %u bytes imported into OpenSSL", mod_len);
	Tspi_Context_FreeMemory(ctx, mod);
}

/* A key object holding the CA's public key, as an application makes one. */
static TSS_RESULT ca_key_object(EVP_PKEY *ca, UINT32 es, TSS_HKEY *out)
{
	uint8_t mod[512];
	size_t n = 0;
	TSS_RESULT rc;

	if (crypto_rsa_get_modulus(ca, mod, sizeof(mod), &n) != 0)
		return TSS_E_FAIL;
	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					    TSS_KEY_TYPE_LEGACY | TSS_KEY_SIZE_2048, out)))
		return rc;
	if ((rc = Tspi_SetAttribData(*out, TSS_TSPATTRIB_RSAKEY_INFO,
				     TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, (UINT32)n, mod)))
		return rc;
	return Tspi_SetAttribUint32(*out, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_ENCSCHEME,
				    es);
}

/* A fresh identity-key template, with a usage secret or (NULL) without authorisation. */
static TSS_RESULT aik_object(const char *secret, TSS_HKEY *out)
{
	TSS_RESULT rc;

	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					    TSS_KEY_TYPE_IDENTITY | TSS_KEY_SIZE_2048 |
						    (secret != NULL ? TSS_KEY_AUTHORIZATION
								    : TSS_KEY_NO_AUTHORIZATION),
					    out)))
		return rc;
	return secret != NULL ? kit_policy_assign(ctx, *out, TSS_POLICY_USAGE, secret, NULL)
			      : TSS_SUCCESS;
}

/* OpenSSL's own check: PKCS#1 v1.5 over DigestInfo(SHA-1(data)). */
static int openssl_verify(EVP_PKEY *key, const BYTE *data, UINT32 len, const BYTE *sig,
			  UINT32 sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = 0;

	if (md != NULL && EVP_DigestVerifyInit(md, &pctx, EVP_sha1(), NULL, key) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1)
		ok = EVP_DigestVerify(md, sig, sig_len, data, len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

/* ---- the enrolment ---- */

struct enrolment {
	TSS_HKEY aik;
	struct tpm_identity_proof proof;	/* what the CA verified */
	EVP_PKEY *aik_pub;
};

static const BYTE label[] = { 't', 0, 's', 0, 's', 0, '1', 0, '2', 0, ' ', 0, 'A', 0, 'I', 0,
			      'K', 0, 0, 0 };

/* CollateIdentityRequest and the CA's side of it. Returns true when the CA accepted. */
static bool enrol(struct enrolment *e, TSS_ALGORITHM_ID alg, const char *aik_secret,
		  const char *what)
{
	TSS_HKEY ca;
	BYTE *req = NULL;
	UINT32 req_len = 0;
	TSS_RESULT rc;
	int err;
	bool ok = false;

	memset(e, 0, sizeof(*e));
	rc = ca_key_object(ca_key, TSS_ES_RSAESOAEP_SHA1_MGF1, &ca);
	CHECK_RC(rc, "CA public-key object");
	rc = aik_object(aik_secret, &e->aik);
	CHECK_RC(rc, "identity-key template");
	rc = Tspi_TPM_CollateIdentityRequest(tpm, srk, ca, sizeof(label), (BYTE *)label, e->aik,
					     alg, &req_len, &req);
	check(rc == TSS_SUCCESS, "CollateIdentityRequest, %s (0x%x, %u bytes)", what, rc, req_len);
	if (rc != TSS_SUCCESS)
		return false;
	err = privca_open_request(ca_key, req, req_len, &e->proof);
	check(err == 0, "the CA opens and verifies the %s request (%d)", what, err);
	if (err != 0)
		goto out;
	check(e->proof.label_area_len == sizeof(label) &&
		      memcmp(e->proof.label_area, label, sizeof(label)) == 0,
	      "the proof carries the label");
	err = crypto_rsa_import_public(e->proof.identity_key.pub_key.key,
				       e->proof.identity_key.pub_key.key_len,
				       e->proof.identity_key.algorithm_parms.rsa.exponent,
				       e->proof.identity_key.algorithm_parms.rsa.exponent_len,
				       &e->aik_pub);
	check(err == 0 && crypto_rsa_size(e->aik_pub) == 256, "the AIK is a 2048-bit RSA key");
	ok = err == 0;

	/* Error paths on the CA side, with this genuine request. */
	{
		struct tpm_identity_proof p;

		err = privca_open_request(ca_key2, req, req_len, &p);
		check(err == -EBADMSG, "another CA key cannot open it (%d)", err);
		struct tpm_identity_req r;
		size_t at = 0;

		/* The first block of symBlob: the IV, which decides the proof's header. */
		if (tpm_identity_req_decode(req, req_len, &r) == 0)
			at = req_len - r.sym_blob_len + 2;
		tpm_identity_req_free(&r);
		req[at] ^= 0x40;
		err = privca_open_request(ca_key, req, req_len, &p);
		check(err != 0, "a tampered request is refused (%d)", err);
		req[at] ^= 0x40;
		req[60] ^= 0x40; /* the asymmetric blob */
		err = privca_open_request(ca_key, req, req_len, &p);
		check(err == -EBADMSG, "a tampered session key is refused (%d)", err);
		req[60] ^= 0x40;
		err = privca_open_request(ca_key, req, req_len - 1, &p);
		check(err != 0, "a truncated request is refused (%d)", err);
	}
out:
	Tspi_Context_FreeMemory(ctx, req);
	return ok;
}

static void enrolment_free(struct enrolment *e)
{
	tpm_identity_proof_free(&e->proof);
	crypto_rsa_free(e->aik_pub);
}

/* CA: activation for e's AIK; platform: ActivateIdentity. */
static TSS_RESULT activate(struct enrolment *for_aik, TSS_HKEY aik, uint32_t sym_alg,
			   const char *cred, BYTE **out, UINT32 *out_len)
{
	uint8_t *asym = NULL, *sym = NULL;
	size_t asym_len = 0, sym_len = 0;
	TSS_RESULT rc;

	*out = NULL;
	*out_len = 0;
	if (privca_make_activation(ek_pub, &for_aik->proof.identity_key, sym_alg,
				   (const uint8_t *)cred, strlen(cred), &asym, &asym_len, &sym,
				   &sym_len) != 0)
		return TSS_E_FAIL;
	rc = Tspi_TPM_ActivateIdentity(tpm, aik, (UINT32)asym_len, asym, (UINT32)sym_len, sym,
				       out_len, out);
	free(asym);
	free(sym);
	return rc;
}

static void test_credentials_in_proof(const struct enrolment *e)
{
	if (daemon_is_ours) {
		check(e->proof.endorsement_credential_len == strlen(ek_cert) &&
			      memcmp(e->proof.endorsement_credential, ek_cert, strlen(ek_cert)) == 0,
		      "the proof carries endorsement_cred's file");
		check(e->proof.platform_credential_len == strlen(platform_cert) &&
			      memcmp(e->proof.platform_credential, platform_cert,
				     strlen(platform_cert)) == 0,
		      "the proof carries platform_cred's file");
		check(e->proof.conformance_credential_len == strlen(conformance_cert) &&
			      memcmp(e->proof.conformance_credential, conformance_cert,
				     strlen(conformance_cert)) == 0,
		      "the proof carries conformance_cred's file");
	} else {
		check(e->proof.endorsement_credential_len == 0 &&
			      e->proof.platform_credential_len == 0,
		      "no credentials configured: empty in the proof");
	}
}

static void test_quote(struct enrolment *e)
{
	TSS_HPCRS pcrs;
	TSS_VALIDATION val;
	BYTE nonce[20];
	TSS_RESULT rc;

	memset(nonce, 0x3c, sizeof(nonce));
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_PCRS, 0, &pcrs);
	if (rc == TSS_SUCCESS)
		rc = Tspi_PcrComposite_SelectPcrIndex(pcrs, 0);
	if (rc == TSS_SUCCESS)
		rc = Tspi_PcrComposite_SelectPcrIndex(pcrs, 10);
	CHECK_RC(rc, "PCR composite {0, 10}");
	memset(&val, 0, sizeof(val));
	val.ulExternalDataLength = sizeof(nonce);
	val.rgbExternalData = nonce;
	rc = Tspi_TPM_Quote(tpm, e->aik, pcrs, &val);
	CHECK_RC(rc, "Tspi_TPM_Quote with the AIK");
	if (rc != TSS_SUCCESS)
		return;
	/* TPM_QUOTE_INFO: 1.1.0.0, "QUOT", composite digest, our nonce (Part 2 §11.3). */
	check(val.ulDataLength == 48 && memcmp(val.rgbData + 4, "QUOT", 4) == 0 &&
		      memcmp(val.rgbData + 28, nonce, 20) == 0,
	      "the quote info names QUOT and carries the nonce");
	check(openssl_verify(e->aik_pub, val.rgbData, val.ulDataLength, val.rgbValidationData,
			     val.ulValidationDataLength),
	      "OpenSSL verifies the quote with the AIK from the CA's request");
	val.rgbData[30] ^= 1;
	check(!openssl_verify(e->aik_pub, val.rgbData, val.ulDataLength, val.rgbValidationData,
			      val.ulValidationDataLength),
	      "a changed quote does not verify");
	Tspi_Context_FreeMemory(ctx, val.rgbData);
	Tspi_Context_FreeMemory(ctx, val.rgbValidationData);
}

static void test_enrolment(void)
{
	static const char credential[] = "CN=tss12 test AIK, issued by the test privacy CA";
	struct enrolment e, e2;
	BYTE *cred = NULL;
	UINT32 cred_len = 0;
	TSS_RESULT rc;

	if (!enrol(&e, TSS_ALG_AES, "aik-secret", "AES-128"))
		goto out;
	test_credentials_in_proof(&e);
	rc = Tspi_Key_LoadKey(e.aik, srk);
	CHECK_RC(rc, "the new AIK loads under the SRK");
	rc = activate(&e, e.aik, TPM_ALG_AES128, credential, &cred, &cred_len);
	CHECK_RC(rc, "ActivateIdentity (AES-128 session key)");
	check(rc == TSS_SUCCESS && cred_len == strlen(credential) &&
		      memcmp(cred, credential, cred_len) == 0,
	      "the credential recovered is the CA's");
	Tspi_Context_FreeMemory(ctx, cred);
	rc = activate(&e, e.aik, TPM_ALG_3DES, credential, &cred, &cred_len);
	check(rc == TSS_SUCCESS && cred_len == strlen(credential) &&
		      memcmp(cred, credential, cred_len) == 0,
	      "ActivateIdentity with a 3DES session key (0x%x)", rc);
	Tspi_Context_FreeMemory(ctx, cred);
	test_quote(&e);

	/*
	 * A second identity: 3DES request, an AIK without authorisation (so
	 * ActivateIdentity carries the owner's AUTH alone), credentials
	 * overridden on the TPM object.
	 */
	rc = Tspi_SetAttribData(tpm, TSS_TSPATTRIB_TPM_CREDENTIAL, TSS_TPMATTRIB_EKCERT, 7,
				(BYTE *)"override");
	CHECK_RC(rc, "EK credential set on the TPM object");
	if (!enrol(&e2, TSS_ALG_3DES, NULL, "3DES, no-auth AIK"))
		goto out2;
	check(e2.proof.endorsement_credential_len == 7 &&
		      memcmp(e2.proof.endorsement_credential, "overrid", 7) == 0,
	      "the TPM object's credential replaces the TCS's");
	rc = Tspi_Key_LoadKey(e2.aik, srk);
	CHECK_RC(rc, "the second AIK loads");
	/* An activation made for the first AIK does not open with the second. */
	rc = activate(&e, e2.aik, TPM_ALG_AES128, credential, &cred, &cred_len);
	check(rc != TSS_SUCCESS, "an activation for another AIK is refused by the TPM (0x%x)", rc);
	Tspi_Context_FreeMemory(ctx, cred);
	/* A truncated attestation blob is refused before the TPM is asked. */
	{
		uint8_t *asym = NULL, *sym = NULL;
		size_t asym_len = 0, sym_len = 0;

		if (privca_make_activation(ek_pub, &e2.proof.identity_key, TPM_ALG_AES128,
					   (const uint8_t *)credential, strlen(credential), &asym,
					   &asym_len, &sym, &sym_len) == 0) {
			rc = Tspi_TPM_ActivateIdentity(tpm, e2.aik, (UINT32)asym_len, asym,
						       (UINT32)sym_len - 5, sym, &cred_len, &cred);
			check(CODE(rc) == TSS_E_BAD_PARAMETER,
			      "a truncated attestation is refused (0x%x)", rc);
			asym[10] ^= 0x01;
			rc = Tspi_TPM_ActivateIdentity(tpm, e2.aik, (UINT32)asym_len, asym,
						       (UINT32)sym_len, sym, &cred_len, &cred);
			check(rc != TSS_SUCCESS, "a tampered asym blob is refused by the TPM (0x%x)",
			      rc);
			asym[10] ^= 0x01;
			/* The wrong owner secret. */
			set_owner_secret("not the owner");
			rc = Tspi_TPM_ActivateIdentity(tpm, e2.aik, (UINT32)asym_len, asym,
						       (UINT32)sym_len, sym, &cred_len, &cred);
			check(rc == TPM_E_AUTHFAIL || rc == TPM_E_AUTH2FAIL,
			      "ActivateIdentity with the wrong owner secret: auth failure (0x%x)",
			      rc);
			set_owner_secret(owner_secret);
			rc = Tspi_TPM_ActivateIdentity(tpm, e2.aik, (UINT32)asym_len, asym,
						       (UINT32)sym_len, sym, &cred_len, &cred);
			check(rc == TSS_SUCCESS && cred_len == strlen(credential),
			      "and with the right one again (0x%x)", rc);
			Tspi_Context_FreeMemory(ctx, cred);
		}
		free(asym);
		free(sym);
	}
	enrolment_free(&e2);
out2:
	/* MakeIdentity with the wrong owner secret. */
	{
		TSS_HKEY ca, aik;
		BYTE *req = NULL;
		UINT32 req_len = 0;

		set_owner_secret("not the owner");
		if (ca_key_object(ca_key, TSS_ES_RSAESOAEP_SHA1_MGF1, &ca) == TSS_SUCCESS &&
		    aik_object("x", &aik) == TSS_SUCCESS) {
			rc = Tspi_TPM_CollateIdentityRequest(tpm, srk, ca, sizeof(label),
							     (BYTE *)label, aik, TSS_ALG_AES,
							     &req_len, &req);
			check(rc == TPM_E_AUTHFAIL || rc == TPM_E_AUTH2FAIL,
			      "CollateIdentityRequest with the wrong owner secret (0x%x)", rc);
			rc = Tspi_TPM_CollateIdentityRequest(tpm, srk, ca, sizeof(label),
							     (BYTE *)label, aik, TSS_ALG_DES,
							     &req_len, &req);
			check(CODE(rc) == TSS_E_BAD_PARAMETER, "single DES is refused (0x%x)", rc);
		}
		set_owner_secret(owner_secret);
	}
out:
	enrolment_free(&e);
}

/* ---- the application's own crypto: TPM object callbacks (TSS 1.2 §4.3.4.4.2) ---- */

static int collate_calls, activate_calls;

/* TrouSerS' form of the collate callback: both blob sizes in/out. */
static TSS_RESULT collate_cb(PVOID app, UINT32 proof_len, BYTE *proof, TSS_ALGORITHM_ID alg,
			     UINT32 *asym_len, BYTE *asym, UINT32 *sym_len, BYTE *sym)
{
	struct tpm_symmetric_key key;
	uint8_t *kenc = NULL, *ct = NULL;
	size_t kenc_len = 0, ct_len = 0, n = 0;
	TSS_RESULT rc = TSS_E_FAIL;

	collate_calls++;
	if (app != (PVOID)&collate_calls || alg != TSS_ALG_AES ||
	    privca_sym_key_new(TPM_ALG_AES128, TPM_ES_NONE, &key) != 0)
		return TSS_E_FAIL;
	if (tpm_symmetric_key_encode(&key, &kenc, &kenc_len) == 0 &&
	    crypto_rsa_encrypt_oaep(ca_key, NULL, 0, kenc, kenc_len, asym, *asym_len, &n) == 0 &&
	    privca_sym_encrypt(&key, proof, proof_len, &ct, &ct_len) == 0 && ct_len <= *sym_len) {
		memcpy(sym, ct, ct_len);
		*asym_len = (UINT32)n;
		*sym_len = (UINT32)ct_len;
		rc = TSS_SUCCESS;
	}
	free(kenc);
	free(ct);
	tpm_symmetric_key_free(&key);
	return rc;
}

static TSS_RESULT activate_cb(PVOID app, UINT32 key_len, BYTE *key_blob, UINT32 ct_len, BYTE *ct,
			      UINT32 *cred_len, BYTE *cred)
{
	struct tpm_symmetric_key key;
	uint8_t *pt = NULL;
	size_t pt_len = 0;
	TSS_RESULT rc = TSS_E_FAIL;

	activate_calls++;
	if (tpm_symmetric_key_decode(key_blob, key_len, &key) != 0)
		return TSS_E_FAIL;
	if (privca_sym_decrypt(&key, ct, ct_len, &pt, &pt_len) == 0 && pt_len <= *cred_len) {
		memcpy(cred, pt, pt_len);
		*cred_len = (UINT32)pt_len;
		rc = TSS_SUCCESS;
	}
	free(pt);
	tpm_symmetric_key_free(&key);
	return rc;
}

static void test_callbacks(void)
{
	static const char credential[] = "credential opened by the application's callback";
	TSS_CALLBACK cb = { 0 };
	struct enrolment e;
	BYTE *cred = NULL;
	UINT32 cred_len = 0;
	TSS_RESULT rc;

	cb.callback = (PVOID)collate_cb;
	cb.appData = (PVOID)&collate_calls;
	cb.alg = TSS_ALG_AES;
	rc = Tspi_SetAttribData(tpm, TSS_TSPATTRIB_TPM_CALLBACK_COLLATEIDENTITY, 0, sizeof(cb),
				(BYTE *)&cb);
	CHECK_RC(rc, "COLLATEIDENTITY callback set");
	cb.callback = (PVOID)activate_cb;
	cb.appData = NULL;
	rc = Tspi_SetAttribData(tpm, TSS_TSPATTRIB_TPM_CALLBACK_ACTIVATEIDENTITY, 0, sizeof(cb),
				(BYTE *)&cb);
	CHECK_RC(rc, "ACTIVATEIDENTITY callback set");
	if (enrol(&e, TSS_ALG_AES, "cb-aik", "callback-encrypted")) {
		check(collate_calls == 1, "the collate callback ran once (%d)", collate_calls);
		rc = Tspi_Key_LoadKey(e.aik, srk);
		if (rc == TSS_SUCCESS)
			rc = activate(&e, e.aik, TPM_ALG_AES128, credential, &cred, &cred_len);
		check(rc == TSS_SUCCESS && activate_calls == 1 && cred_len == strlen(credential) &&
			      memcmp(cred, credential, cred_len) == 0,
		      "ActivateIdentity through the callback recovers the credential (0x%x)", rc);
		Tspi_Context_FreeMemory(ctx, cred);
	}
	enrolment_free(&e);
	Tspi_SetAttribData(tpm, TSS_TSPATTRIB_TPM_CALLBACK_COLLATEIDENTITY, 0, 0, NULL);
	Tspi_SetAttribData(tpm, TSS_TSPATTRIB_TPM_CALLBACK_ACTIVATEIDENTITY, 0, 0, NULL);
}

int main(void)
{
	struct test_tcsd t;
	char ups[PATH_MAX + 32];
	TSS_RESULT rc;

	setenv("TSS12_TEST_TCSD", "embedded", 0);
	memset(&t, 0, sizeof(t));
	test_tcsd_start_or_skip(&t);
	daemon_is_ours = t.kind == TEST_TCSD_OURS;
	if (daemon_is_ours) {
		int err = restart_with_credentials(&t);

		check(err == 0, "our tcsd restarted with credential files (%d)", err);
		if (err != 0)
			goto stop;
	}
	test_tcsd_setenv(&t);
	snprintf(ups, sizeof(ups), "%s/user.data", t.dir);
	setenv("TSS_USER_PS_FILE", ups, 1);
	printf("daemon: %s\n", test_tcsd_name(&t));
	if (crypto_rsa_generate(2048, &ca_key) != 0 || crypto_rsa_generate(2048, &ca_key2) != 0) {
		check(0, "CA keys generated");
		goto stop;
	}

	test_get_credential(&t);
	rc = Tspi_Context_Create(&ctx);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Connect(ctx, NULL);
	CHECK_RC(rc, "Context_Create + Connect");
	if (rc == TSS_SUCCESS) {
		test_setup();
		if (ek_pub != NULL) {
			test_enrolment();
			test_callbacks();
		}
	}
	Tspi_Context_Close(ctx);
stop:
	crypto_rsa_free(ca_key);
	crypto_rsa_free(ca_key2);
	crypto_rsa_free(ek_pub);
	return kit_daemon_down(&t);
}
