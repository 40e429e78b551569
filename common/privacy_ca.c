/*
 * Identities (AIKs) and the privacy CA: see privacy_ca.h for the
 * protocol and the formats, TPM 1.2 Part 1 §11.4 and Part 3 §15.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <tss/platform.h>
#include <tss/tpm.h>
#include <tss/tpm_ordinal.h>

#include "buf.h"
#include "crypto.h"
#include "log.h"
#include "privacy_ca.h"
#include "tpm_structs.h"

/* ---- symmetric algorithms ---- */

/* The CBC ciphers identity blobs use, by TPM_ALG_* (Part 2 §4.8). */
static const struct sym_alg {
	uint32_t alg;
	uint16_t key_len;	/* bytes */
	uint16_t block_len;	/* bytes, also the IV length */
	const EVP_CIPHER *(*cipher)(void);
	const char *name;
} sym_algs[] = {
	{ TPM_ALG_AES128, 16, 16, EVP_aes_128_cbc, "AES-128-CBC" },
	{ TPM_ALG_3DES, 24, 8, EVP_des_ede3_cbc, "3DES-EDE-CBC" },
};

#define N_SYM_ALGS (sizeof(sym_algs) / sizeof(sym_algs[0]))

static const struct sym_alg *sym_alg_find(uint32_t alg)
{
	for (size_t i = 0; i < N_SYM_ALGS; i++)
		if (sym_algs[i].alg == alg)
			return &sym_algs[i];
	return NULL;
}

/*
 * The key's algorithm, checked: a known one, the right key size, and a
 * scheme that means CBC with padding. TrouSerS writes TPM_ES_NONE for
 * "the 1.1 default", which is CBC-PKCS#7 in its Trspi_SymEncrypt.
 */
static const struct sym_alg *sym_alg_of_key(const struct tpm_symmetric_key *key)
{
	const struct sym_alg *a = sym_alg_find(key->alg_id);

	if (a == NULL) {
		log_debug("privacy_ca: symmetric algorithm 0x%x not supported", key->alg_id);
		return NULL;
	}
	if (key->size != a->key_len) {
		log_debug("privacy_ca: %s key of %u bytes", a->name, key->size);
		return NULL;
	}
	if (key->enc_scheme != TPM_ES_NONE && key->enc_scheme != TPM_ES_SYM_CBC_PKCS5PAD) {
		log_debug("privacy_ca: symmetric scheme 0x%x not supported", key->enc_scheme);
		return NULL;
	}
	return a;
}

int privca_sym_key_new(uint32_t alg, uint16_t enc_scheme, struct tpm_symmetric_key *out)
{
	const struct sym_alg *a = sym_alg_find(alg);
	int rc;

	memset(out, 0, sizeof(*out));
	if (a == NULL || (enc_scheme != TPM_ES_NONE && enc_scheme != TPM_ES_SYM_CBC_PKCS5PAD))
		return -EINVAL;
	out->alg_id = alg;
	out->enc_scheme = enc_scheme;
	out->size = a->key_len;
	if ((rc = crypto_random(out->data, a->key_len)) != 0)
		tpm_symmetric_key_free(out);
	return rc;
}

/* One CBC pass; out must hold in_len + one block. */
static int sym_cbc(const struct sym_alg *a, const uint8_t *key, const uint8_t *iv, bool enc,
		   const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n1 = 0, n2 = 0, rc = 0;

	*out_len = 0;
	if (ctx == NULL)
		return -ENOMEM;
	if (in_len > INT32_MAX - 64) {
		rc = -E2BIG;
		goto out;
	}
	if (EVP_CipherInit_ex2(ctx, a->cipher(), key, iv, enc ? 1 : 0, NULL) != 1) {
		log_error("privacy_ca: %s: cipher set-up failed", a->name);
		ERR_clear_error();
		rc = -EIO;
		goto out;
	}
	if (EVP_CipherUpdate(ctx, out, &n1, in, (int)in_len) != 1 ||
	    EVP_CipherFinal_ex(ctx, out + n1, &n2) != 1) {
		/* Decryption: bad padding, i.e. a wrong key or a tampered blob. */
		ERR_clear_error();
		rc = enc ? -EIO : -EBADMSG;
		goto out;
	}
	*out_len = (size_t)n1 + (size_t)n2;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int privca_sym_encrypt(const struct tpm_symmetric_key *key, const void *in, size_t in_len,
		       uint8_t **out, size_t *out_len)
{
	const struct sym_alg *a = sym_alg_of_key(key);
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (a == NULL || (in == NULL && in_len != 0))
		return -EINVAL;
	if (in_len > TPM_STRUCT_ENCODE_MAX)
		return -E2BIG;
	/* IV, the ciphertext, and at most one block of padding. */
	if ((buf = malloc(in_len + 2u * a->block_len)) == NULL)
		return -ENOMEM;
	if ((rc = crypto_random(buf, a->block_len)) != 0)
		goto out;
	if ((rc = sym_cbc(a, key->data, buf, true, in, in_len, buf + a->block_len, &n)) != 0)
		goto out;
	*out = buf;
	*out_len = a->block_len + n;
	buf = NULL;
out:
	free(buf);
	return rc;
}

int privca_sym_decrypt(const struct tpm_symmetric_key *key, const uint8_t *in, size_t in_len,
		       uint8_t **out, size_t *out_len)
{
	const struct sym_alg *a = sym_alg_of_key(key);
	struct buf_reader r;
	const uint8_t *iv = NULL, *ct = NULL;
	uint8_t *buf = NULL;
	size_t ct_len, n = 0;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (a == NULL)
		return -EINVAL;
	buf_reader_init(&r, in, in_len);
	buf_get_ptr(&r, &iv, a->block_len);
	ct_len = buf_remaining(&r);
	buf_get_ptr(&r, &ct, ct_len);
	if ((rc = buf_reader_done(&r)) != 0)
		return rc;
	/* CBC with padding: at least one whole block, whole blocks only. */
	if (ct_len == 0 || ct_len % a->block_len != 0)
		return -EBADMSG;
	if ((buf = malloc(ct_len + a->block_len)) == NULL)
		return -ENOMEM;
	if ((rc = sym_cbc(a, key->data, iv, false, ct, ct_len, buf, &n)) != 0) {
		OPENSSL_cleanse(buf, ct_len + a->block_len);
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = n;
	return 0;
}

/* ---- RSA helpers ---- */

/* The public exponent of a TPM_RSA_KEY_PARMS (empty means 65537, Part 2 §5.10). */
static uint64_t parms_exponent(const struct tpm_rsa_key_parms *p)
{
	uint64_t e = 0;

	if (p->exponent_len == 0)
		return 65537;
	for (uint32_t i = 0; i < p->exponent_len && i < TPM_STRUCT_RSA_EXPONENT_MAX; i++)
		e = e << 8 | p->exponent[i];
	return e;
}

static int rsa_exponent(EVP_PKEY *key, uint64_t *e)
{
	BIGNUM *bn = NULL;
	int rc = 0;

	*e = 0;
	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &bn) != 1) {
		ERR_clear_error();
		return -EINVAL;
	}
	if (BN_num_bytes(bn) > 8)
		rc = -EINVAL;
	else
		*e = BN_get_word(bn);
	BN_free(bn);
	return rc;
}

int privca_ca_pubkey(EVP_PKEY *ca, const struct tpm_key_parms *parms, struct tpm_pubkey *out)
{
	uint8_t modulus[CRYPTO_RSA_MAX_BYTES];
	size_t n = 0;
	uint64_t e = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (ca == NULL || parms == NULL)
		return -EINVAL;
	if ((rc = crypto_rsa_get_modulus(ca, modulus, sizeof(modulus), &n)) != 0 ||
	    (rc = rsa_exponent(ca, &e)) != 0)
		return rc;
	if (parms->algorithm_id != TPM_ALG_RSA || parms->kind != TPM_PARMS_RSA ||
	    parms->rsa.key_length != n * 8 || parms_exponent(&parms->rsa) != e) {
		log_debug("privacy_ca: the key parameters do not describe the CA's key");
		return -EINVAL;
	}
	out->algorithm_parms = *parms;
	out->algorithm_parms.parms = NULL; /* RSA parms live in .rsa, nothing to copy */
	out->algorithm_parms.parms_len = 0;
	if ((out->pub_key.key = malloc(n)) == NULL)
		return -ENOMEM;
	memcpy(out->pub_key.key, modulus, n);
	out->pub_key.key_len = (uint32_t)n;
	return 0;
}

int privca_label_digest(const uint8_t *label, size_t label_len, const struct tpm_pubkey *ca,
			uint8_t out[TPM_STRUCT_DIGEST_LEN])
{
	uint8_t *pub = NULL;
	size_t pub_len = 0;
	int rc;

	memset(out, 0, TPM_STRUCT_DIGEST_LEN);
	if (label == NULL && label_len != 0)
		return -EINVAL;
	if ((rc = tpm_pubkey_encode(ca, &pub, &pub_len)) != 0)
		return rc;
	rc = CRYPTO_SHA1_PIECES(out, { label, label_len }, { pub, pub_len });
	free(pub);
	return rc;
}

/* An OpenSSL key from a TPM_PUBKEY (RSA only). */
static int pubkey_evp(const struct tpm_pubkey *pub, EVP_PKEY **out)
{
	const struct tpm_key_parms *p = &pub->algorithm_parms;

	*out = NULL;
	if (p->algorithm_id != TPM_ALG_RSA || p->kind != TPM_PARMS_RSA)
		return -EINVAL;
	return crypto_rsa_import_public(pub->pub_key.key, pub->pub_key.key_len, p->rsa.exponent,
					p->rsa.exponent_len, out);
}

/* RSAES-PKCS1-v1_5 with the private key (TPM_ES_RSAESPKCSv15 requests). */
static int rsa_decrypt_pkcs1v15(EVP_PKEY *key, const uint8_t *in, size_t in_len, uint8_t *out,
				size_t cap, size_t *out_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	uint8_t tmp[CRYPTO_RSA_MAX_BYTES];
	size_t n = sizeof(tmp);
	int rc = 0;

	*out_len = 0;
	if (ctx == NULL)
		return -ENOMEM;
	if (in_len != crypto_rsa_size(key) || in_len > sizeof(tmp)) {
		rc = -EBADMSG;
		goto out;
	}
	if (EVP_PKEY_decrypt_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_decrypt(ctx, tmp, &n, in, in_len) != 1 || n > cap) {
		ERR_clear_error();
		rc = -EBADMSG;
		goto out;
	}
	memcpy(out, tmp, n);
	*out_len = n;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/*
 * The session key in a request's asymBlob. OAEP: TrouSerS encrypts with
 * an empty label, TPM-style encoders with "TCPA"; both are tried (each
 * failure is the same -EBADMSG, so this tells an attacker nothing new).
 */
static int open_asym_blob(EVP_PKEY *ca_key, uint16_t enc_scheme, const uint8_t *in,
			  size_t in_len, struct tpm_symmetric_key *key)
{
	uint8_t plain[CRYPTO_RSA_MAX_BYTES];
	size_t n = 0;
	int rc;

	memset(key, 0, sizeof(*key));
	switch (enc_scheme) {
	case TPM_ES_RSAESOAEP_SHA1_MGF1:
		rc = crypto_rsa_decrypt_oaep(ca_key, NULL, 0, in, in_len, plain, sizeof(plain), &n);
		if (rc == -EBADMSG)
			rc = crypto_rsa_decrypt_oaep(ca_key, CRYPTO_OAEP_LABEL_TCPA,
						     CRYPTO_OAEP_LABEL_TCPA_LEN, in, in_len, plain,
						     sizeof(plain), &n);
		break;
	case TPM_ES_RSAESPKCSv15:
		rc = rsa_decrypt_pkcs1v15(ca_key, in, in_len, plain, sizeof(plain), &n);
		break;
	default:
		log_debug("privacy_ca: request encrypted with scheme 0x%x", enc_scheme);
		return -EINVAL;
	}
	if (rc == 0 && (rc = tpm_symmetric_key_decode(plain, n, key)) != 0)
		rc = -EBADMSG;
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc;
}

/* ---- platform side ---- */

int privca_seal_request(const struct tpm_pubkey *ca, uint32_t sym_alg, const uint8_t *proof,
			size_t proof_len, uint8_t **req, size_t *req_len)
{
	struct tpm_identity_req r;
	struct tpm_symmetric_key key;
	uint8_t *key_blob = NULL, enc[CRYPTO_RSA_MAX_BYTES];
	size_t key_blob_len = 0, enc_len = 0, sym_len = 0;
	EVP_PKEY *ca_evp = NULL;
	int rc;

	*req = NULL;
	*req_len = 0;
	memset(&r, 0, sizeof(r));
	memset(&key, 0, sizeof(key));
	if (ca == NULL || proof == NULL)
		return -EINVAL;
	if ((rc = pubkey_evp(ca, &ca_evp)) != 0)
		goto out;
	/* TrouSerS: the session key says "no scheme" (1.1 had none), CBC is implied. */
	if ((rc = privca_sym_key_new(sym_alg, TPM_ES_NONE, &key)) != 0)
		goto out;
	if ((rc = tpm_symmetric_key_encode(&key, &key_blob, &key_blob_len)) != 0)
		goto out;
	switch (ca->algorithm_parms.enc_scheme) {
	case TPM_ES_RSAESOAEP_SHA1_MGF1:
		rc = crypto_rsa_encrypt_oaep(ca_evp, NULL, 0, key_blob, key_blob_len, enc,
					     sizeof(enc), &enc_len);
		break;
	case TPM_ES_RSAESPKCSv15:
		rc = crypto_rsa_encrypt_pkcs1v15(ca_evp, key_blob, key_blob_len, enc, sizeof(enc),
						 &enc_len);
		break;
	default:
		/* TrouSerS would use raw RSA here: refuse rather than leak the key. */
		log_error("privacy_ca: the CA key's encryption scheme 0x%x cannot seal a request",
			  ca->algorithm_parms.enc_scheme);
		rc = -EINVAL;
		break;
	}
	if (rc != 0)
		goto out;
	r.asym_algorithm = ca->algorithm_parms;
	r.asym_algorithm.parms = NULL;
	r.asym_algorithm.parms_len = 0;
	r.sym_algorithm.algorithm_id = sym_alg;
	r.sym_algorithm.enc_scheme = TPM_ES_NONE;
	r.sym_algorithm.sig_scheme = 0; /* what TrouSerS sends: its TPM_KEY_PARMS are zeroed */
	r.sym_algorithm.kind = TPM_PARMS_NONE;
	r.asym_blob = enc;
	r.asym_blob_len = (uint32_t)enc_len;
	if ((rc = privca_sym_encrypt(&key, proof, proof_len, &r.sym_blob, &sym_len)) != 0)
		goto out;
	r.sym_blob_len = (uint32_t)sym_len;
	rc = tpm_identity_req_encode(&r, req, req_len);
	free(r.sym_blob);
out:
	if (key_blob != NULL) {
		OPENSSL_cleanse(key_blob, key_blob_len);
		free(key_blob);
	}
	tpm_symmetric_key_free(&key);
	crypto_rsa_free(ca_evp);
	return rc;
}

int privca_recover_credential(const struct tpm_symmetric_key *session_key, const uint8_t *sym_ca,
			      size_t sym_ca_len, uint8_t **cred, size_t *cred_len)
{
	struct tpm_sym_ca_attestation att;
	int rc;

	*cred = NULL;
	*cred_len = 0;
	if (session_key == NULL)
		return -EINVAL;
	if ((rc = tpm_sym_ca_attestation_decode(sym_ca, sym_ca_len, &att)) != 0)
		return rc == -E2BIG ? rc : -EBADMSG;
	/*
	 * TrouSerS decrypts with the session key's algorithm and ignores
	 * the attestation's TPM_KEY_PARMS; so do we, to open what it makes.
	 */
	rc = privca_sym_decrypt(session_key, att.credential, att.credential_len, cred, cred_len);
	tpm_sym_ca_attestation_free(&att);
	return rc;
}

/* ---- CA side ---- */

int privca_verify_proof(const struct tpm_identity_proof *proof,
			const uint8_t label_digest[TPM_STRUCT_DIGEST_LEN])
{
	struct tpm_identity_contents contents;
	uint8_t *enc = NULL, digest[TPM_STRUCT_DIGEST_LEN];
	size_t enc_len = 0;
	EVP_PKEY *aik = NULL;
	int rc;

	memset(&contents, 0, sizeof(contents));
	if ((rc = pubkey_evp(&proof->identity_key, &aik)) != 0) {
		log_warn("privacy_ca: the identity key is not a usable RSA key");
		return rc == -ENOMEM ? rc : -EKEYREJECTED;
	}
	/* What TPM_MakeIdentity signs (Part 3 §15.1 step 16, Part 2 §12.5). */
	contents.ver = (struct tpm_version){ 1, 1, 0, 0 };
	contents.ordinal = TPM_ORD_MakeIdentity;
	memcpy(contents.label_priv_ca_digest, label_digest, TPM_STRUCT_DIGEST_LEN);
	contents.identity_pub_key = proof->identity_key; /* borrowed: not freed here */
	if ((rc = tpm_identity_contents_encode(&contents, &enc, &enc_len)) != 0)
		goto out;
	if ((rc = crypto_sha1(enc, enc_len, digest)) != 0)
		goto out;
	rc = crypto_rsa_verify_sha1(aik, digest, proof->identity_binding,
				    proof->identity_binding_len);
	if (rc == -EBADMSG) {
		log_warn("privacy_ca: identityBinding does not verify for this CA, label and AIK");
		rc = -EKEYREJECTED;
	}
out:
	free(enc);
	crypto_rsa_free(aik);
	return rc;
}

int privca_open_request(EVP_PKEY *ca_key, const uint8_t *req, size_t req_len,
			struct tpm_identity_proof *proof)
{
	struct tpm_identity_req r;
	struct tpm_symmetric_key key;
	struct tpm_pubkey ca_pub;
	uint8_t *plain = NULL, label_digest[TPM_STRUCT_DIGEST_LEN];
	size_t plain_len = 0;
	int rc;

	memset(proof, 0, sizeof(*proof));
	memset(&key, 0, sizeof(key));
	memset(&ca_pub, 0, sizeof(ca_pub));
	if (ca_key == NULL || (req == NULL && req_len != 0))
		return -EINVAL;
	if ((rc = tpm_identity_req_decode(req, req_len, &r)) != 0) {
		log_warn("privacy_ca: the identity request does not parse (%d)", rc);
		return rc == -E2BIG ? rc : -EBADMSG;
	}
	if ((rc = open_asym_blob(ca_key, r.asym_algorithm.enc_scheme, r.asym_blob,
				 r.asym_blob_len, &key)) != 0) {
		log_warn("privacy_ca: the request's session key does not decrypt with this CA key");
		goto out;
	}
	/*
	 * symAlgorithm must agree with the session key and carry no IV (the
	 * IV leads symBlob), so that no byte of the request goes unchecked.
	 * TrouSerS zeroes sigScheme; TPM_SS_NONE is accepted as well.
	 */
	if (key.alg_id != r.sym_algorithm.algorithm_id ||
	    key.enc_scheme != r.sym_algorithm.enc_scheme ||
	    (r.sym_algorithm.sig_scheme != 0 && r.sym_algorithm.sig_scheme != TPM_SS_NONE) ||
	    (r.sym_algorithm.kind != TPM_PARMS_NONE &&
	     (r.sym_algorithm.kind != TPM_PARMS_SYM || r.sym_algorithm.sym.iv_len != 0))) {
		log_warn("privacy_ca: symAlgorithm (0x%x, scheme 0x%x) does not match the session"
			 " key (0x%x, scheme 0x%x)", r.sym_algorithm.algorithm_id,
			 r.sym_algorithm.enc_scheme, key.alg_id, key.enc_scheme);
		rc = -EBADMSG;
		goto out;
	}
	if ((rc = privca_sym_decrypt(&key, r.sym_blob, r.sym_blob_len, &plain, &plain_len)) != 0) {
		log_warn("privacy_ca: the identity proof does not decrypt (%d)", rc);
		goto out;
	}
	if ((rc = tpm_identity_proof_decode(plain, plain_len, proof)) != 0) {
		log_warn("privacy_ca: the identity proof does not parse (%d)", rc);
		rc = rc == -E2BIG ? rc : -EBADMSG;
		goto out;
	}
	/* TPM_STRUCT_VER 1.1.0.0 (Part 2 §12.7); the signature does not cover it. */
	if (proof->ver.rev_major != 0 || proof->ver.rev_minor != 0) {
		log_warn("privacy_ca: identity proof version 1.1.%u.%u", proof->ver.rev_major,
			 proof->ver.rev_minor);
		rc = -EBADMSG;
		goto out;
	}
	/* The CA's TPM_PUBKEY as the platform hashed it: its parms, our modulus. */
	if ((rc = privca_ca_pubkey(ca_key, &r.asym_algorithm, &ca_pub)) != 0) {
		log_warn("privacy_ca: the request names a key other than this CA's");
		rc = -EKEYREJECTED;
		goto out;
	}
	if ((rc = privca_label_digest(proof->label_area, proof->label_area_len, &ca_pub,
				      label_digest)) != 0)
		goto out;
	rc = privca_verify_proof(proof, label_digest);
out:
	if (rc != 0)
		tpm_identity_proof_free(proof);
	if (plain != NULL) {
		OPENSSL_cleanse(plain, plain_len);
		free(plain);
	}
	tpm_pubkey_free(&ca_pub);
	tpm_symmetric_key_free(&key);
	tpm_identity_req_free(&r);
	return rc;
}

int privca_make_activation(EVP_PKEY *ek, const struct tpm_pubkey *aik, uint32_t sym_alg,
			   const uint8_t *cred, size_t cred_len, uint8_t **asym, size_t *asym_len,
			   uint8_t **sym, size_t *sym_len)
{
	const struct sym_alg *a = sym_alg_find(sym_alg);
	struct tpm_asym_ca_contents contents;
	struct tpm_sym_ca_attestation att;
	uint8_t *aik_enc = NULL, *contents_enc = NULL, *enc = NULL, *ct = NULL;
	size_t aik_len = 0, contents_len = 0, enc_len = 0, ct_len = 0;
	int rc;

	*asym = NULL;
	*asym_len = 0;
	*sym = NULL;
	*sym_len = 0;
	memset(&contents, 0, sizeof(contents));
	memset(&att, 0, sizeof(att));
	if (ek == NULL || aik == NULL || a == NULL || (cred == NULL && cred_len != 0))
		return -EINVAL;
	if (cred_len > TPM_STRUCT_CREDENTIAL_MAX - 2u * a->block_len)
		return -E2BIG;
	if ((rc = privca_sym_key_new(sym_alg, TPM_ES_SYM_CBC_PKCS5PAD, &contents.session_key)) != 0)
		goto out;
	/* idDigest: the TPM checks it against the loaded AIK (Part 3 §15.2 step 7). */
	if ((rc = tpm_pubkey_encode(aik, &aik_enc, &aik_len)) != 0 ||
	    (rc = crypto_sha1(aik_enc, aik_len, contents.id_digest)) != 0)
		goto out;
	if ((rc = tpm_asym_ca_contents_encode(&contents, &contents_enc, &contents_len)) != 0)
		goto out;
	if ((enc = malloc(CRYPTO_RSA_MAX_BYTES)) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = crypto_rsa_encrypt_oaep_tcpa(ek, contents_enc, contents_len, enc,
					       CRYPTO_RSA_MAX_BYTES, &enc_len)) != 0)
		goto out;
	if ((rc = privca_sym_encrypt(&contents.session_key, cred, cred_len, &ct, &ct_len)) != 0)
		goto out;
	att.algorithm.algorithm_id = sym_alg;
	att.algorithm.enc_scheme = TPM_ES_SYM_CBC_PKCS5PAD;
	att.algorithm.sig_scheme = TPM_SS_NONE;
	att.algorithm.kind = TPM_PARMS_SYM;
	att.algorithm.sym.key_length = a->key_len * 8u;
	att.algorithm.sym.block_size = a->block_len * 8u;
	att.algorithm.sym.iv_len = 0; /* the IV leads the credential, as TrouSerS expects */
	att.credential = ct;
	att.credential_len = (uint32_t)ct_len;
	if ((rc = tpm_sym_ca_attestation_encode(&att, sym, sym_len)) != 0)
		goto out;
	*asym = enc;
	*asym_len = enc_len;
	enc = NULL;
out:
	if (contents_enc != NULL) {
		OPENSSL_cleanse(contents_enc, contents_len);
		free(contents_enc);
	}
	free(aik_enc);
	free(enc);
	free(ct);
	tpm_asym_ca_contents_free(&contents);
	return rc;
}
