/*
 * Unit tests for common/privacy_ca.c with software keys standing in for
 * the TPM: an AIK signs TPM_IDENTITY_CONTENTS as TPM_MakeIdentity would,
 * the platform seals the proof, the CA opens and verifies it and builds
 * the activation, which the EK's private key opens as TPM_ActivateIdentity
 * would. Then every corruption: each byte of a request flipped, every
 * truncation, the wrong CA key, a proof signed over another label or CA,
 * bad symmetric blobs and bad arguments.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include <tss/platform.h>
#include <tss/tpm.h>
#include <tss/tpm_ordinal.h>

#include "buf.h"
#include "crypto.h"
#include "log.h"
#include "privacy_ca.h"
#include "tpm_structs.h"

/* Keys made once for the whole run (RSA generation is the slow part). */
/* 1024-bit keys where the size does not matter: generation and decryption are slow under ASan. */
static EVP_PKEY *ca_key, *ca_small, *ca_key2, *aik_key, *ek_key;

static const uint8_t label[] = "tss12 unit-test AIK";

/* TPM_KEY_PARMS of an RSA key of bits with the given schemes, exponent default. */
static struct tpm_key_parms rsa_parms(uint32_t bits, uint16_t es, uint16_t ss)
{
	struct tpm_key_parms p;

	memset(&p, 0, sizeof(p));
	p.algorithm_id = TPM_ALG_RSA;
	p.enc_scheme = es;
	p.sig_scheme = ss;
	p.kind = TPM_PARMS_RSA;
	p.rsa.key_length = bits;
	p.rsa.num_primes = 2;
	p.rsa.exponent_len = 0;
	return p;
}

/* The TPM_PUBKEY of a software key (modulus copied). */
static void pubkey_of(EVP_PKEY *key, uint16_t es, uint16_t ss, struct tpm_pubkey *out)
{
	struct tpm_key_parms p = rsa_parms((uint32_t)crypto_rsa_size(key) * 8, es, ss);

	assert_int_equal(privca_ca_pubkey(key, &p, out), 0);
}

/* The CA's TPM_PUBKEY as a platform would name it: OAEP (or es). */
static void ca_pubkey(EVP_PKEY *ca, uint16_t es, struct tpm_pubkey *out)
{
	pubkey_of(ca, es, TPM_SS_NONE, out);
}

/*
 * An encoded TPM_IDENTITY_PROOF as TPM_MakeIdentity + the TSP would
 * build it: the AIK signs {1.1.0.0, MakeIdentity, digest, AIK}, where
 * digest = SHA1(lbl || TPM_PUBKEY(ca_for_digest)).
 */
static void make_proof(const struct tpm_pubkey *ca_for_digest, const uint8_t *lbl,
		       size_t lbl_len, const uint8_t *ek_cert, size_t ek_cert_len,
		       uint8_t **out, size_t *out_len)
{
	struct tpm_identity_contents c;
	struct tpm_identity_proof proof;
	uint8_t *enc = NULL, digest[20], sig[512];
	size_t enc_len = 0, sig_len = 0;

	memset(&c, 0, sizeof(c));
	memset(&proof, 0, sizeof(proof));
	pubkey_of(aik_key, TPM_ES_NONE, TPM_SS_RSASSAPKCS1v15_SHA1, &proof.identity_key);
	c.ver = (struct tpm_version){ 1, 1, 0, 0 };
	c.ordinal = TPM_ORD_MakeIdentity;
	assert_int_equal(privca_label_digest(lbl, lbl_len, ca_for_digest, c.label_priv_ca_digest),
			 0);
	c.identity_pub_key = proof.identity_key;
	assert_int_equal(tpm_identity_contents_encode(&c, &enc, &enc_len), 0);
	assert_int_equal(crypto_sha1(enc, enc_len, digest), 0);
	assert_int_equal(crypto_rsa_sign_sha1(aik_key, digest, sig, sizeof(sig), &sig_len), 0);
	free(enc);

	proof.ver = (struct tpm_version){ 1, 1, 0, 0 };
	proof.label_area = (uint8_t *)lbl;
	proof.label_area_len = (uint32_t)lbl_len;
	proof.identity_binding = sig;
	proof.identity_binding_len = (uint32_t)sig_len;
	proof.endorsement_credential = (uint8_t *)ek_cert;
	proof.endorsement_credential_len = (uint32_t)ek_cert_len;
	assert_int_equal(tpm_identity_proof_encode(&proof, out, out_len), 0);
	tpm_pubkey_free(&proof.identity_key);
}

/* A request for ca (scheme es, session key sym_alg) with the standard label. */
static void make_request(EVP_PKEY *ca, uint16_t es, uint32_t sym_alg, uint8_t **req,
			 size_t *req_len)
{
	struct tpm_pubkey ca_pub;
	uint8_t *proof = NULL;
	size_t proof_len = 0;

	ca_pubkey(ca, es, &ca_pub);
	make_proof(&ca_pub, label, sizeof(label), NULL, 0, &proof, &proof_len);
	assert_int_equal(privca_seal_request(&ca_pub, sym_alg, proof, proof_len, req, req_len), 0);
	free(proof);
	tpm_pubkey_free(&ca_pub);
}

static int group_setup(void **state)
{
	log_init("test_privacy_ca", LOG_SINK_STDERR, LOG_LVL_ERROR);
	if (crypto_rsa_generate(2048, &ca_key) != 0 || crypto_rsa_generate(1024, &ca_small) != 0 ||
	    crypto_rsa_generate(1024, &ca_key2) != 0 || crypto_rsa_generate(1024, &aik_key) != 0 ||
	    crypto_rsa_generate(1024, &ek_key) != 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	crypto_rsa_free(ca_key);
	crypto_rsa_free(ca_small);
	crypto_rsa_free(ca_key2);
	crypto_rsa_free(aik_key);
	crypto_rsa_free(ek_key);
	return 0;
}

/* ---- symmetric blobs ---- */

static void sym_round_trip(uint32_t alg, uint16_t es)
{
	struct tpm_symmetric_key key;
	uint8_t msg[100], *ct = NULL, *pt = NULL;
	size_t ct_len = 0, pt_len = 0;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(privca_sym_key_new(alg, es, &key), 0);
	for (size_t n = 0; n <= sizeof(msg); n += 33) {
		assert_int_equal(privca_sym_encrypt(&key, msg, n, &ct, &ct_len), 0);
		/* IV, then whole blocks with at least one byte of padding. */
		assert_true(ct_len > n);
		assert_int_equal(privca_sym_decrypt(&key, ct, ct_len, &pt, &pt_len), 0);
		assert_int_equal(pt_len, n);
		if (n > 0)
			assert_memory_equal(pt, msg, n);
		free(ct);
		free(pt);
	}
	tpm_symmetric_key_free(&key);
}

static void sym_aes_and_3des(void **state)
{
	sym_round_trip(TPM_ALG_AES128, TPM_ES_SYM_CBC_PKCS5PAD);
	sym_round_trip(TPM_ALG_AES128, TPM_ES_NONE);
	sym_round_trip(TPM_ALG_3DES, TPM_ES_SYM_CBC_PKCS5PAD);
}

/* SP 800-38A F.2.1 AES-128-CBC key and block: round trip, and a block without padding refused. */
static void sym_aes_needs_padding(void **state)
{
	static const uint8_t k[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
				       0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c };
	static const uint8_t iv_pt_ct[] = {
		/* IV */
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
		/* ciphertext of block 1 */
		0x76, 0x49, 0xab, 0xac, 0x81, 0x19, 0xb2, 0x46,
		0xce, 0xe9, 0x8e, 0x9b, 0x12, 0xe9, 0x19, 0x7d,
	};
	static const uint8_t pt[16] = { 0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
					0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a };
	struct tpm_symmetric_key key = { .alg_id = TPM_ALG_AES128,
					 .enc_scheme = TPM_ES_SYM_CBC_PKCS5PAD,
					 .size = 16 };
	uint8_t *ct = NULL, *out = NULL;
	size_t ct_len = 0, out_len = 0;

	memcpy(key.data, k, 16);
	/* Encrypt with a random IV, then check the first block against the vector's IV. */
	assert_int_equal(privca_sym_encrypt(&key, pt, 16, &ct, &ct_len), 0);
	assert_int_equal(ct_len, 16 + 32);
	assert_int_equal(privca_sym_decrypt(&key, ct, ct_len, &out, &out_len), 0);
	assert_int_equal(out_len, 16);
	assert_memory_equal(out, pt, 16);
	free(out);
	free(ct);
	/* The vector's block alone lacks its padding block: refused as bad padding. */
	assert_int_equal(privca_sym_decrypt(&key, iv_pt_ct, sizeof(iv_pt_ct), &out, &out_len),
			 -EBADMSG);
	assert_null(out);
	assert_int_equal(out_len, 0);
}

static void sym_bad_inputs(void **state)
{
	struct tpm_symmetric_key key, other;
	uint8_t msg[40] = { 1, 2, 3 }, *ct = NULL, *pt = NULL;
	size_t ct_len = 0, pt_len = 0;

	assert_int_equal(privca_sym_key_new(TPM_ALG_AES128, TPM_ES_SYM_CBC_PKCS5PAD, &key), 0);
	assert_int_equal(privca_sym_key_new(TPM_ALG_AES128, TPM_ES_SYM_CBC_PKCS5PAD, &other), 0);
	assert_int_equal(privca_sym_encrypt(&key, msg, sizeof(msg), &ct, &ct_len), 0);
	/* Every truncation: shorter than the IV, not whole blocks, or bad padding. */
	for (size_t n = 0; n < ct_len; n++) {
		int rc = privca_sym_decrypt(&key, ct, n, &pt, &pt_len);

		assert_true(rc == -EBADMSG || (rc == 0 && pt_len != sizeof(msg)));
		free(pt);
		pt = NULL;
	}
	/* The wrong key never gives the message back. */
	if (privca_sym_decrypt(&other, ct, ct_len, &pt, &pt_len) == 0)
		assert_false(pt_len == sizeof(msg) && memcmp(pt, msg, sizeof(msg)) == 0);
	free(pt);
	pt = NULL;
	free(ct);

	/* Unsupported algorithms, schemes and key sizes. */
	assert_int_equal(privca_sym_key_new(TPM_ALG_DES, TPM_ES_NONE, &other), -EINVAL);
	assert_int_equal(privca_sym_key_new(TPM_ALG_AES256, TPM_ES_NONE, &other), -EINVAL);
	assert_int_equal(privca_sym_key_new(TPM_ALG_AES128, TPM_ES_SYM_OFB, &other), -EINVAL);
	key.size = 15;
	assert_int_equal(privca_sym_encrypt(&key, msg, 3, &ct, &ct_len), -EINVAL);
	assert_null(ct);
	key.size = 16;
	key.enc_scheme = TPM_ES_SYM_CNT;
	assert_int_equal(privca_sym_decrypt(&key, msg, 32, &pt, &pt_len), -EINVAL);
	key.enc_scheme = TPM_ES_NONE;
	key.alg_id = TPM_ALG_RSA;
	assert_int_equal(privca_sym_encrypt(&key, msg, 3, &ct, &ct_len), -EINVAL);
	assert_int_equal(privca_sym_encrypt(&other, NULL, 3, &ct, &ct_len), -EINVAL);
	tpm_symmetric_key_free(&key);
	tpm_symmetric_key_free(&other);
}

/* ---- requests ---- */

static void open_and_check(EVP_PKEY *ca, const uint8_t *req, size_t req_len)
{
	struct tpm_identity_proof proof;
	struct tpm_pubkey aik;

	assert_int_equal(privca_open_request(ca, req, req_len, &proof), 0);
	assert_int_equal(proof.label_area_len, sizeof(label));
	assert_memory_equal(proof.label_area, label, sizeof(label));
	pubkey_of(aik_key, TPM_ES_NONE, TPM_SS_RSASSAPKCS1v15_SHA1, &aik);
	assert_int_equal(proof.identity_key.pub_key.key_len, aik.pub_key.key_len);
	assert_memory_equal(proof.identity_key.pub_key.key, aik.pub_key.key, aik.pub_key.key_len);
	tpm_pubkey_free(&aik);
	tpm_identity_proof_free(&proof);
}

static void request_round_trips(void **state)
{
	uint8_t *req = NULL;
	size_t req_len = 0;

	make_request(ca_key, TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_ALG_AES128, &req, &req_len);
	open_and_check(ca_key, req, req_len);
	free(req);
	make_request(ca_key, TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_ALG_3DES, &req, &req_len);
	open_and_check(ca_key, req, req_len);
	free(req);
	make_request(ca_key, TPM_ES_RSAESPKCSv15, TPM_ALG_AES128, &req, &req_len);
	open_and_check(ca_key, req, req_len);
	free(req);
}

/* The request layout TrouSerS writes: sizes, CA parms, sym parms with parmSize 0, blobs. */
static void request_layout_is_trousers(void **state)
{
	struct tpm_identity_req r;
	uint8_t *req = NULL;
	size_t req_len = 0;

	make_request(ca_key, TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_ALG_AES128, &req, &req_len);
	assert_int_equal(tpm_identity_req_decode(req, req_len, &r), 0);
	assert_int_equal(r.asym_blob_len, 256);
	assert_int_equal(r.asym_algorithm.algorithm_id, TPM_ALG_RSA);
	assert_int_equal(r.asym_algorithm.enc_scheme, TPM_ES_RSAESOAEP_SHA1_MGF1);
	assert_int_equal(r.asym_algorithm.rsa.key_length, 2048);
	assert_int_equal(r.sym_algorithm.algorithm_id, TPM_ALG_AES128);
	assert_int_equal(r.sym_algorithm.enc_scheme, TPM_ES_NONE);
	assert_int_equal(r.sym_algorithm.sig_scheme, 0);
	assert_int_equal(r.sym_algorithm.kind, TPM_PARMS_NONE);
	/* IV (16) + whole AES blocks */
	assert_int_equal(r.sym_blob_len % 16, 0);
	assert_true(r.sym_blob_len >= 32);
	tpm_identity_req_free(&r);
	free(req);
}

/* A session key sealed with OAEP label "TCPA" (TPM-style encoders) opens too. */
static void request_tcpa_label_accepted(void **state)
{
	struct tpm_identity_req r;
	struct tpm_symmetric_key key;
	struct tpm_pubkey ca_pub;
	uint8_t *req = NULL, *key_enc = NULL, *out = NULL, asym[256];
	size_t req_len = 0, key_enc_len = 0, asym_len = 0, out_len = 0;
	uint8_t *proof = NULL;
	size_t proof_len = 0, sym_len = 0;

	ca_pubkey(ca_key, TPM_ES_RSAESOAEP_SHA1_MGF1, &ca_pub);
	make_proof(&ca_pub, label, sizeof(label), NULL, 0, &proof, &proof_len);
	assert_int_equal(privca_sym_key_new(TPM_ALG_AES128, TPM_ES_NONE, &key), 0);
	assert_int_equal(tpm_symmetric_key_encode(&key, &key_enc, &key_enc_len), 0);
	assert_int_equal(crypto_rsa_encrypt_oaep_tcpa(ca_key, key_enc, key_enc_len, asym,
						      sizeof(asym), &asym_len), 0);
	memset(&r, 0, sizeof(r));
	r.asym_algorithm = ca_pub.algorithm_parms;
	r.sym_algorithm.algorithm_id = TPM_ALG_AES128;
	r.sym_algorithm.enc_scheme = TPM_ES_NONE;
	r.sym_algorithm.sig_scheme = TPM_SS_NONE;
	r.asym_blob = asym;
	r.asym_blob_len = (uint32_t)asym_len;
	assert_int_equal(privca_sym_encrypt(&key, proof, proof_len, &r.sym_blob, &sym_len), 0);
	r.sym_blob_len = (uint32_t)sym_len;
	assert_int_equal(tpm_identity_req_encode(&r, &req, &req_len), 0);
	open_and_check(ca_key, req, req_len);
	free(r.sym_blob);
	free(req);
	free(key_enc);
	free(out);
	(void)out_len;
	free(proof);
	tpm_symmetric_key_free(&key);
	tpm_pubkey_free(&ca_pub);
}

static void request_wrong_ca_key(void **state)
{
	struct tpm_identity_proof proof;
	uint8_t *req = NULL;
	size_t req_len = 0;

	make_request(ca_key, TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_ALG_AES128, &req, &req_len);
	assert_int_equal(privca_open_request(ca_key2, req, req_len, &proof), -EBADMSG);
	assert_null(proof.identity_binding);
	free(req);
}

/* Signed for another CA, or another label, or by another key: rejected. */
static void request_binding_mismatch(void **state)
{
	struct tpm_identity_proof proof;
	struct tpm_pubkey ca_pub, other_pub;
	uint8_t *p = NULL, *req = NULL;
	size_t p_len = 0, req_len = 0;
	static const uint8_t other_label[] = "another label";

	ca_pubkey(ca_key, TPM_ES_RSAESOAEP_SHA1_MGF1, &ca_pub);
	ca_pubkey(ca_key2, TPM_ES_RSAESOAEP_SHA1_MGF1, &other_pub);
	/* AIK bound to CA 2, request sealed for CA 1. */
	make_proof(&other_pub, label, sizeof(label), NULL, 0, &p, &p_len);
	assert_int_equal(privca_seal_request(&ca_pub, TPM_ALG_AES128, p, p_len, &req, &req_len), 0);
	assert_int_equal(privca_open_request(ca_key, req, req_len, &proof), -EKEYREJECTED);
	free(p);
	free(req);
	/* The digest over one label, the proof carrying another. */
	{
		struct tpm_identity_proof pr;
		uint8_t *enc = NULL;
		size_t enc_len = 0;

		make_proof(&ca_pub, other_label, sizeof(other_label), NULL, 0, &p, &p_len);
		assert_int_equal(tpm_identity_proof_decode(p, p_len, &pr), 0);
		free(pr.label_area);
		pr.label_area = malloc(sizeof(label));
		memcpy(pr.label_area, label, sizeof(label));
		pr.label_area_len = sizeof(label);
		assert_int_equal(tpm_identity_proof_encode(&pr, &enc, &enc_len), 0);
		assert_int_equal(privca_seal_request(&ca_pub, TPM_ALG_AES128, enc, enc_len, &req,
						     &req_len), 0);
		assert_int_equal(privca_open_request(ca_key, req, req_len, &proof), -EKEYREJECTED);
		tpm_identity_proof_free(&pr);
		free(enc);
		free(p);
		free(req);
	}
	tpm_pubkey_free(&ca_pub);
	tpm_pubkey_free(&other_pub);
}

/* Each byte of a request, flipped: never accepted, never a crash. */
static void request_every_byte_flipped(void **state)
{
	struct tpm_identity_proof proof;
	uint8_t *req = NULL;
	size_t req_len = 0;
	unsigned int rejected = 0;

	make_request(ca_small, TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_ALG_AES128, &req, &req_len);
	for (size_t i = 0; i < req_len; i++) {
		int rc;

		req[i] ^= 0xa5;
		rc = privca_open_request(ca_small, req, req_len, &proof);
		req[i] ^= 0xa5;
		if (rc != 0)
			rejected++;
		else
			fail_msg("byte %zu of %zu flipped was accepted", i, req_len);
		assert_null(proof.identity_binding);
	}
	assert_int_equal(rejected, req_len);
	open_and_check(ca_small, req, req_len);
	free(req);
}

/* Every truncation and an extra byte: refused. */
static void request_truncated_and_extended(void **state)
{
	struct tpm_identity_proof proof;
	uint8_t *req = NULL, *longer;
	size_t req_len = 0;

	make_request(ca_key, TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_ALG_3DES, &req, &req_len);
	for (size_t n = 0; n < req_len; n++)
		assert_int_not_equal(privca_open_request(ca_key, req, n, &proof), 0);
	longer = malloc(req_len + 1);
	memcpy(longer, req, req_len);
	longer[req_len] = 0;
	assert_int_equal(privca_open_request(ca_key, longer, req_len + 1, &proof), -EBADMSG);
	assert_int_equal(privca_open_request(ca_key, NULL, 0, &proof), -EBADMSG);
	assert_int_equal(privca_open_request(NULL, req, req_len, &proof), -EINVAL);
	free(longer);
	free(req);
}

/* Oversized fields are refused by the caps before anything is allocated. */
static void request_oversized(void **state)
{
	struct tpm_identity_proof proof;
	uint8_t hdr[8] = { 0x7f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x10 };

	assert_int_equal(privca_open_request(ca_key, hdr, sizeof(hdr), &proof), -E2BIG);
	hdr[0] = 0;
	hdr[1] = 0;
	hdr[2] = 1;
	hdr[3] = 0;
	hdr[4] = 0x10; /* symSize 256 MiB */
	assert_int_equal(privca_open_request(ca_key, hdr, sizeof(hdr), &proof), -E2BIG);
}

/* Credentials travel but are not covered by identityBinding (the CA checks them). */
static void request_with_credentials(void **state)
{
	struct tpm_identity_proof proof;
	struct tpm_pubkey ca_pub;
	uint8_t cert[1500], *p = NULL, *req = NULL;
	size_t p_len = 0, req_len = 0;

	for (size_t i = 0; i < sizeof(cert); i++)
		cert[i] = (uint8_t)(i * 7);
	ca_pubkey(ca_key, TPM_ES_RSAESOAEP_SHA1_MGF1, &ca_pub);
	make_proof(&ca_pub, label, sizeof(label), cert, sizeof(cert), &p, &p_len);
	assert_int_equal(privca_seal_request(&ca_pub, TPM_ALG_AES128, p, p_len, &req, &req_len), 0);
	assert_int_equal(privca_open_request(ca_key, req, req_len, &proof), 0);
	assert_int_equal(proof.endorsement_credential_len, sizeof(cert));
	assert_memory_equal(proof.endorsement_credential, cert, sizeof(cert));
	assert_int_equal(proof.platform_credential_len, 0);
	tpm_identity_proof_free(&proof);
	free(p);
	free(req);
	tpm_pubkey_free(&ca_pub);
}

static void ca_pubkey_checks(void **state)
{
	struct tpm_pubkey pub;
	struct tpm_key_parms p = rsa_parms(2048, TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE);

	assert_int_equal(privca_ca_pubkey(ca_key, &p, &pub), 0);
	assert_int_equal(pub.pub_key.key_len, 256);
	tpm_pubkey_free(&pub);
	p.rsa.key_length = 1024;
	assert_int_equal(privca_ca_pubkey(ca_key, &p, &pub), -EINVAL);
	p.rsa.key_length = 2048;
	p.rsa.exponent_len = 1;
	p.rsa.exponent[0] = 3;
	assert_int_equal(privca_ca_pubkey(ca_key, &p, &pub), -EINVAL);
	p.rsa.exponent_len = 3;
	p.rsa.exponent[0] = 1;
	p.rsa.exponent[1] = 0;
	p.rsa.exponent[2] = 1;
	assert_int_equal(privca_ca_pubkey(ca_key, &p, &pub), 0);
	tpm_pubkey_free(&pub);
	p.algorithm_id = TPM_ALG_AES128;
	assert_int_equal(privca_ca_pubkey(ca_key, &p, &pub), -EINVAL);
	assert_int_equal(privca_ca_pubkey(NULL, &p, &pub), -EINVAL);
}

static void seal_refuses_raw_rsa(void **state)
{
	struct tpm_pubkey ca_pub;
	uint8_t proof[8] = { 0 }, *req = NULL;
	size_t req_len = 0;

	ca_pubkey(ca_key, TPM_ES_NONE, &ca_pub);
	assert_int_equal(privca_seal_request(&ca_pub, TPM_ALG_AES128, proof, sizeof(proof), &req,
					     &req_len), -EINVAL);
	assert_null(req);
	tpm_pubkey_free(&ca_pub);
	ca_pubkey(ca_key, TPM_ES_RSAESOAEP_SHA1_MGF1, &ca_pub);
	assert_int_equal(privca_seal_request(&ca_pub, TPM_ALG_DES, proof, sizeof(proof), &req,
					     &req_len), -EINVAL);
	assert_int_equal(privca_seal_request(&ca_pub, TPM_ALG_AES128, NULL, 0, &req, &req_len),
			 -EINVAL);
	tpm_pubkey_free(&ca_pub);
}

/* ---- activation ---- */

/* What TPM_ActivateIdentity does with the asym blob (Part 3 §15.2): the session key. */
static void tpm_activate(const uint8_t *asym, size_t asym_len, const struct tpm_pubkey *aik,
			 struct tpm_symmetric_key *key)
{
	struct tpm_asym_ca_contents c;
	uint8_t plain[512], *aik_enc = NULL, d[20];
	size_t n = 0, aik_len = 0;

	assert_int_equal(crypto_rsa_decrypt_oaep(ek_key, CRYPTO_OAEP_LABEL_TCPA,
						 CRYPTO_OAEP_LABEL_TCPA_LEN, asym, asym_len, plain,
						 sizeof(plain), &n), 0);
	assert_int_equal(tpm_asym_ca_contents_decode(plain, n, &c), 0);
	assert_int_equal(tpm_pubkey_encode(aik, &aik_enc, &aik_len), 0);
	assert_int_equal(crypto_sha1(aik_enc, aik_len, d), 0);
	assert_memory_equal(c.id_digest, d, 20);
	*key = c.session_key;
	free(aik_enc);
}

static void activation_round_trip(uint32_t alg)
{
	struct tpm_pubkey aik;
	struct tpm_symmetric_key key;
	struct tpm_sym_ca_attestation att;
	uint8_t cred[777], *asym = NULL, *sym = NULL, *out = NULL;
	size_t asym_len = 0, sym_len = 0, out_len = 0;

	for (size_t i = 0; i < sizeof(cred); i++)
		cred[i] = (uint8_t)(i ^ 0x5a);
	pubkey_of(aik_key, TPM_ES_NONE, TPM_SS_RSASSAPKCS1v15_SHA1, &aik);
	assert_int_equal(privca_make_activation(ek_key, &aik, alg, cred, sizeof(cred), &asym,
						&asym_len, &sym, &sym_len), 0);
	assert_int_equal(asym_len, crypto_rsa_size(ek_key));
	tpm_activate(asym, asym_len, &aik, &key);
	assert_int_equal(key.alg_id, alg);
	assert_int_equal(key.enc_scheme, TPM_ES_SYM_CBC_PKCS5PAD);
	assert_int_equal(privca_recover_credential(&key, sym, sym_len, &out, &out_len), 0);
	assert_int_equal(out_len, sizeof(cred));
	assert_memory_equal(out, cred, sizeof(cred));
	free(out);
	/* The attestation names the algorithm; the IV leads the credential. */
	assert_int_equal(tpm_sym_ca_attestation_decode(sym, sym_len, &att), 0);
	assert_int_equal(att.algorithm.algorithm_id, alg);
	assert_int_equal(att.algorithm.kind, TPM_PARMS_SYM);
	assert_int_equal(att.algorithm.sym.iv_len, 0);
	tpm_sym_ca_attestation_free(&att);
	/* Truncated attestations fail cleanly. */
	for (size_t n = 0; n < sym_len; n++) {
		int rc = privca_recover_credential(&key, sym, n, &out, &out_len);

		assert_int_not_equal(rc, 0);
		assert_null(out);
	}
	/* Another session key does not give the credential. */
	{
		struct tpm_symmetric_key other;

		assert_int_equal(privca_sym_key_new(alg, TPM_ES_SYM_CBC_PKCS5PAD, &other), 0);
		if (privca_recover_credential(&other, sym, sym_len, &out, &out_len) == 0)
			assert_false(out_len == sizeof(cred) &&
				     memcmp(out, cred, sizeof(cred)) == 0);
		free(out);
		tpm_symmetric_key_free(&other);
	}
	tpm_symmetric_key_free(&key);
	tpm_pubkey_free(&aik);
	free(asym);
	free(sym);
}

static void activation_aes(void **state)
{
	activation_round_trip(TPM_ALG_AES128);
}

static void activation_3des(void **state)
{
	activation_round_trip(TPM_ALG_3DES);
}

static void activation_bad_args(void **state)
{
	struct tpm_pubkey aik;
	uint8_t cred[4] = { 1, 2, 3, 4 }, *asym = NULL, *sym = NULL, *big;
	size_t asym_len = 0, sym_len = 0;

	pubkey_of(aik_key, TPM_ES_NONE, TPM_SS_RSASSAPKCS1v15_SHA1, &aik);
	assert_int_equal(privca_make_activation(NULL, &aik, TPM_ALG_AES128, cred, 4, &asym,
						&asym_len, &sym, &sym_len), -EINVAL);
	assert_int_equal(privca_make_activation(ek_key, NULL, TPM_ALG_AES128, cred, 4, &asym,
						&asym_len, &sym, &sym_len), -EINVAL);
	assert_int_equal(privca_make_activation(ek_key, &aik, TPM_ALG_DES, cred, 4, &asym,
						&asym_len, &sym, &sym_len), -EINVAL);
	assert_int_equal(privca_make_activation(ek_key, &aik, TPM_ALG_AES128, NULL, 4, &asym,
						&asym_len, &sym, &sym_len), -EINVAL);
	big = calloc(1, TPM_STRUCT_CREDENTIAL_MAX);
	assert_int_equal(privca_make_activation(ek_key, &aik, TPM_ALG_AES128, big,
						TPM_STRUCT_CREDENTIAL_MAX, &asym, &asym_len, &sym,
						&sym_len), -E2BIG);
	assert_null(asym);
	assert_null(sym);
	free(big);
	tpm_pubkey_free(&aik);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sym_aes_and_3des),
		cmocka_unit_test(sym_aes_needs_padding),
		cmocka_unit_test(sym_bad_inputs),
		cmocka_unit_test(request_round_trips),
		cmocka_unit_test(request_layout_is_trousers),
		cmocka_unit_test(request_tcpa_label_accepted),
		cmocka_unit_test(request_wrong_ca_key),
		cmocka_unit_test(request_binding_mismatch),
		cmocka_unit_test(request_every_byte_flipped),
		cmocka_unit_test(request_truncated_and_extended),
		cmocka_unit_test(request_oversized),
		cmocka_unit_test(request_with_credentials),
		cmocka_unit_test(ca_pubkey_checks),
		cmocka_unit_test(seal_refuses_raw_rsa),
		cmocka_unit_test(activation_aes),
		cmocka_unit_test(activation_3des),
		cmocka_unit_test(activation_bad_args),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
