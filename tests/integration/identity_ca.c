/*
 * A privacy CA for identity_interop.sh, on common/privacy_ca and
 * OpenSSL: it opens requests collated by either libtspi (TrouSerS' or
 * ours) and makes activations for them. One step per run; its state is
 * in a directory (ca.pem: the CA's private key, ca.mod: its modulus,
 * aik.pub: the TPM_PUBKEY of the last AIK it accepted).
 *
 * Usage: identity_ca COMMAND DIR ARGS
 *   init DIR                                   new CA key
 *   open DIR REQ                               open + verify a request
 *   activate DIR EK_MOD TEXT ASYM_OUT SYM_OUT aes|3des
 *                                              credential TEXT for aik.pub
 *   verify-quote DIR NONCE DATA SIG            a TPM_QUOTE_INFO signed by
 *                                              aik.pub over NONCE
 * Exit 0 on success, 1 with a message on failure.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <tss/platform.h>
#include <tss/tpm.h>

#include "crypto.h"
#include "log.h"
#include "privacy_ca.h"
#include "tpm_structs.h"

#define FILE_MAX 65536

static void fail(const char *what, const char *arg)
{
	fprintf(stderr, "identity_ca: %s%s\n", what, arg);
	exit(1);
}

static char *path_in(const char *dir, const char *name)
{
	static char buf[4][4096];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = malloc(FILE_MAX);

	if (f == NULL || p == NULL)
		fail("cannot read ", path);
	*n = fread(p, 1, FILE_MAX, f);
	fclose(f);
	return p;
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		fail("cannot write ", path);
}

static EVP_PKEY *load_ca(const char *dir)
{
	FILE *f = fopen(path_in(dir, "ca.pem"), "r");
	EVP_PKEY *k;

	if (f == NULL)
		fail("no CA key in ", dir);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL)
		fail("bad CA key in ", dir);
	return k;
}

static void cmd_init(const char *dir)
{
	EVP_PKEY *k = NULL;
	uint8_t mod[512];
	size_t n = 0;
	FILE *f;

	if (crypto_rsa_generate(2048, &k) != 0 ||
	    crypto_rsa_get_modulus(k, mod, sizeof(mod), &n) != 0)
		fail("cannot make a CA key", "");
	if ((f = fopen(path_in(dir, "ca.pem"), "w")) == NULL ||
	    PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) != 1 || fclose(f) != 0)
		fail("cannot write ", path_in(dir, "ca.pem"));
	write_file(path_in(dir, "ca.mod"), mod, n);
	crypto_rsa_free(k);
}

static void cmd_open(const char *dir, const char *req_path)
{
	EVP_PKEY *ca = load_ca(dir);
	struct tpm_identity_proof proof;
	uint8_t *req, *pub = NULL;
	size_t req_len, pub_len = 0;
	int rc;

	req = read_file(req_path, &req_len);
	if ((rc = privca_open_request(ca, req, req_len, &proof)) != 0) {
		fprintf(stderr, "identity_ca: request refused (%d)\n", rc);
		exit(1);
	}
	if (tpm_pubkey_encode(&proof.identity_key, &pub, &pub_len) != 0)
		fail("cannot encode the AIK", "");
	write_file(path_in(dir, "aik.pub"), pub, pub_len);
	printf("identity_ca: accepted a %u-bit AIK, label of %u bytes, EK credential of %u bytes\n",
	       proof.identity_key.pub_key.key_len * 8, proof.label_area_len,
	       proof.endorsement_credential_len);
	tpm_identity_proof_free(&proof);
	free(pub);
	free(req);
	crypto_rsa_free(ca);
}

static void load_aik(const char *dir, struct tpm_pubkey *aik)
{
	uint8_t *p;
	size_t n;

	p = read_file(path_in(dir, "aik.pub"), &n);
	if (tpm_pubkey_decode(p, n, aik) != 0)
		fail("bad ", path_in(dir, "aik.pub"));
	free(p);
}

static void cmd_activate(const char *dir, const char *ek_path, const char *text,
			 const char *asym_out, const char *sym_out, const char *alg)
{
	struct tpm_pubkey aik;
	EVP_PKEY *ek = NULL;
	uint8_t *mod, *asym = NULL, *sym = NULL;
	size_t mod_len, asym_len = 0, sym_len = 0;

	load_aik(dir, &aik);
	mod = read_file(ek_path, &mod_len);
	if (crypto_rsa_import_public(mod, mod_len, NULL, 0, &ek) != 0)
		fail("bad EK modulus in ", ek_path);
	if (privca_make_activation(ek, &aik, strcmp(alg, "3des") == 0 ? TPM_ALG_3DES
								     : TPM_ALG_AES128,
				   (const uint8_t *)text, strlen(text), &asym, &asym_len, &sym,
				   &sym_len) != 0)
		fail("cannot make the activation", "");
	write_file(asym_out, asym, asym_len);
	write_file(sym_out, sym, sym_len);
	free(asym);
	free(sym);
	free(mod);
	crypto_rsa_free(ek);
	tpm_pubkey_free(&aik);
}

static void cmd_verify_quote(const char *dir, const char *nonce_path, const char *data_path,
			     const char *sig_path)
{
	struct tpm_pubkey aik;
	struct tpm_quote_info qi;
	EVP_PKEY *key = NULL;
	uint8_t *nonce, *data, *sig, digest[20];
	size_t nonce_len, data_len, sig_len;

	load_aik(dir, &aik);
	nonce = read_file(nonce_path, &nonce_len);
	data = read_file(data_path, &data_len);
	sig = read_file(sig_path, &sig_len);
	if (tpm_quote_info_decode(data, data_len, &qi) != 0 || nonce_len != 20 ||
	    memcmp(qi.external_data, nonce, 20) != 0)
		fail("the quote is not a TPM_QUOTE_INFO over our nonce", "");
	if (crypto_rsa_import_public(aik.pub_key.key, aik.pub_key.key_len,
				     aik.algorithm_parms.rsa.exponent,
				     aik.algorithm_parms.rsa.exponent_len, &key) != 0 ||
	    crypto_sha1(data, data_len, digest) != 0 ||
	    crypto_rsa_verify_sha1(key, digest, sig, sig_len) != 0)
		fail("the quote's signature does not verify with the AIK", "");
	free(nonce);
	free(data);
	free(sig);
	crypto_rsa_free(key);
	tpm_pubkey_free(&aik);
}

int main(int argc, char **argv)
{
	log_init("identity_ca", LOG_SINK_STDERR, LOG_LVL_WARN);
	if (argc == 3 && strcmp(argv[1], "init") == 0)
		cmd_init(argv[2]);
	else if (argc == 4 && strcmp(argv[1], "open") == 0)
		cmd_open(argv[2], argv[3]);
	else if (argc == 8 && strcmp(argv[1], "activate") == 0)
		cmd_activate(argv[2], argv[3], argv[4], argv[5], argv[6], argv[7]);
	else if (argc == 6 && strcmp(argv[1], "verify-quote") == 0)
		cmd_verify_quote(argv[2], argv[3], argv[4], argv[5]);
	else {
		fprintf(stderr, "usage: identity_ca init|open|activate|verify-quote DIR ...\n");
		return 2;
	}
	return 0;
}
