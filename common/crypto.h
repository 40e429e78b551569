/*
 * Cryptography for tss12, over OpenSSL 3 EVP interfaces only.
 *
 * Everything TPM 1.2 needs on the host side: SHA-1 and HMAC-SHA1 for
 * authorisation (TPM 1.2 Part 1 §13-§15), RSA public keys imported from
 * TPM_PUBKEY modulus/exponent pairs, the TPM's two encryption schemes
 * (TPM_ES_RSAESOAEP_SHA1_MGF1 with the "TCPA" label, Part 1 §31.1.1, and
 * TPM_ES_RSAESPKCSv15), its two PKCS#1 v1.5 signature schemes, random
 * numbers, constant-time comparison and secret wiping; plus software-key
 * operations (key generation, OAEP decryption, signing, AES-128-CBC)
 * used by tests and by the privacy-CA side of identity creation.
 *
 * Every function returns 0 or a negative errno and never aborts:
 *   -EINVAL   bad argument or unacceptable key parameter,
 *   -ENOSPC   output buffer too small,
 *   -EBADMSG  signature does not verify / ciphertext does not decrypt,
 *   -ENOMEM   allocation failed,
 *   -EIO      OpenSSL failed for another reason (logged).
 * Output lengths and key pointers are cleared on entry and stay cleared on
 * failure; fixed-size digest outputs are zeroed on failure.
 */
#ifndef TSS12_CRYPTO_H
#define TSS12_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define CRYPTO_SHA1_LEN 20
#define CRYPTO_AES128_KEY_LEN 16
#define CRYPTO_AES_BLOCK_LEN 16

/* RSA modulus sizes accepted on import: 512 to 4096 bits (TPM 1.2 uses 512-2048). */
#define CRYPTO_RSA_MIN_BYTES 64
#define CRYPTO_RSA_MAX_BYTES 512
/* TPM_RSA_KEY_PARMS exponentSize above this is refused (65537 needs 3). */
#define CRYPTO_RSA_MAX_EXP_BYTES 8

/* The OAEP label TPM 1.2 uses for every encryption (Part 1 §31.1.1). */
#define CRYPTO_OAEP_LABEL_TCPA "TCPA"
#define CRYPTO_OAEP_LABEL_TCPA_LEN 4

/* One piece of a message hashed piecewise. */
struct crypto_iov {
	const void *p;
	size_t n;
};

/* Counts the pieces of a compound-literal iov array. */
#define CRYPTO_IOV_COUNT(...) \
	(sizeof((struct crypto_iov[]){ __VA_ARGS__ }) / sizeof(struct crypto_iov))
/* SHA-1 of the concatenation of pieces: CRYPTO_SHA1_PIECES(out, {a, 20}, {b, n}). */
#define CRYPTO_SHA1_PIECES(out, ...) \
	crypto_sha1_iov((struct crypto_iov[]){ __VA_ARGS__ }, CRYPTO_IOV_COUNT(__VA_ARGS__), (out))

/* ---- SHA-1 ---- */

int crypto_sha1(const void *data, size_t len, uint8_t out[CRYPTO_SHA1_LEN]);
int crypto_sha1_iov(const struct crypto_iov *iov, size_t count, uint8_t out[CRYPTO_SHA1_LEN]);

/* Incremental SHA-1. final (and abort) release the context. */
struct crypto_sha1_ctx {
	EVP_MD_CTX *md;
};
int crypto_sha1_init(struct crypto_sha1_ctx *ctx);
int crypto_sha1_update(struct crypto_sha1_ctx *ctx, const void *data, size_t len);
int crypto_sha1_final(struct crypto_sha1_ctx *ctx, uint8_t out[CRYPTO_SHA1_LEN]);
void crypto_sha1_abort(struct crypto_sha1_ctx *ctx);

/*
 * MGF1 with SHA-1 (PKCS#1 v2.1 B.2.1): fills out_len bytes from the seed.
 * TPM 1.2 uses it as a stream cipher for Sealx/Unseal (Part 3 §10.7, §10.8).
 */
int crypto_mgf1_sha1(const struct crypto_iov *seed, size_t count, uint8_t *out, size_t out_len);

/* ---- HMAC-SHA1 (RFC 2104); any key length, TPM auth keys are 20 bytes ---- */

int crypto_hmac_sha1(const void *key, size_t key_len, const void *data, size_t len,
		     uint8_t out[CRYPTO_SHA1_LEN]);
int crypto_hmac_sha1_iov(const void *key, size_t key_len, const struct crypto_iov *iov,
			 size_t count, uint8_t out[CRYPTO_SHA1_LEN]);

/* ---- RSA keys ---- */

/*
 * Builds a public key from a big-endian modulus and exponent as they sit
 * in TPM_PUBKEY / TPM_RSA_KEY_PARMS. An exponent of length 0 means the
 * default 65537 (Part 2 §5.10). Refuses moduli outside
 * CRYPTO_RSA_MIN_BYTES..MAX_BYTES, with a leading zero byte or even, and
 * exponents that are even, below 3, or longer than CRYPTO_RSA_MAX_EXP_BYTES.
 */
int crypto_rsa_import_public(const uint8_t *modulus, size_t modulus_len,
			     const uint8_t *exponent, size_t exponent_len, EVP_PKEY **out);
/* A fresh software RSA key (exponent 65537), e.g. for tests or a privacy CA. */
int crypto_rsa_generate(unsigned int bits, EVP_PKEY **out);
/* The modulus, big-endian, exactly crypto_rsa_size() bytes. */
int crypto_rsa_get_modulus(const EVP_PKEY *key, uint8_t *out, size_t cap, size_t *out_len);
/* Modulus size in bytes (also the size of every ciphertext and signature), 0 if not RSA. */
size_t crypto_rsa_size(const EVP_PKEY *key);
void crypto_rsa_free(EVP_PKEY *key);

/* ---- RSA encryption ---- */

/* TPM_ES_RSAESOAEP_SHA1_MGF1: OAEP, SHA-1, MGF1-SHA1, label "TCPA". */
int crypto_rsa_encrypt_oaep_tcpa(EVP_PKEY *key, const void *in, size_t in_len,
				 uint8_t *out, size_t cap, size_t *out_len);
/* OAEP (SHA-1, MGF1-SHA1) with an explicit label (label_len may be 0). */
int crypto_rsa_encrypt_oaep(EVP_PKEY *key, const void *label, size_t label_len,
			    const void *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len);
/* Needs the private key. A wrong label or key gives -EBADMSG. */
int crypto_rsa_decrypt_oaep(EVP_PKEY *key, const void *label, size_t label_len,
			    const void *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len);
/* TPM_ES_RSAESPKCSv15 (legacy bind): PKCS#1 v1.5 type 2 padding. */
int crypto_rsa_encrypt_pkcs1v15(EVP_PKEY *key, const void *in, size_t in_len,
				uint8_t *out, size_t cap, size_t *out_len);

/* ---- RSA PKCS#1 v1.5 signatures ---- */

/*
 * TPM_SS_RSASSAPKCS1v15_SHA1: sig is over DigestInfo(SHA-1, digest).
 * Returns 0 when valid, -EBADMSG when not (any length, any content).
 */
int crypto_rsa_verify_sha1(EVP_PKEY *key, const uint8_t digest[CRYPTO_SHA1_LEN],
			   const uint8_t *sig, size_t sig_len);
/*
 * TPM_SS_RSASSAPKCS1v15_DER: the TPM pads the caller's bytes (normally a
 * DER DigestInfo) as they are; so does this check.
 */
int crypto_rsa_verify_der(EVP_PKEY *key, const void *data, size_t data_len,
			  const uint8_t *sig, size_t sig_len);
/* Software signing counterparts (need the private key). */
int crypto_rsa_sign_sha1(EVP_PKEY *key, const uint8_t digest[CRYPTO_SHA1_LEN],
			 uint8_t *sig, size_t cap, size_t *sig_len);
int crypto_rsa_sign_der(EVP_PKEY *key, const void *data, size_t data_len,
			uint8_t *sig, size_t cap, size_t *sig_len);

/* ---- AES-128-CBC with PKCS#7 padding (TPM_ALG_AES128, TPM_ES_SYM_CBC_PKCS5PAD) ---- */

/* out needs in_len + CRYPTO_AES_BLOCK_LEN bytes. */
int crypto_aes128_cbc_encrypt(const uint8_t key[CRYPTO_AES128_KEY_LEN],
			      const uint8_t iv[CRYPTO_AES_BLOCK_LEN], const void *in, size_t in_len,
			      uint8_t *out, size_t cap, size_t *out_len);
/* Bad padding or a wrong key gives -EBADMSG. out needs in_len bytes. */
int crypto_aes128_cbc_decrypt(const uint8_t key[CRYPTO_AES128_KEY_LEN],
			      const uint8_t iv[CRYPTO_AES_BLOCK_LEN], const void *in, size_t in_len,
			      uint8_t *out, size_t cap, size_t *out_len);

/* ---- Random numbers, comparison, wiping ---- */

/* Fills buf from OpenSSL's CSPRNG. */
int crypto_random(void *buf, size_t len);
/* True if the n bytes are equal; the time taken does not depend on where they differ. */
bool crypto_memeq(const void *a, const void *b, size_t n);
/* Overwrites a secret in a way the compiler may not optimise away. */
void crypto_wipe(void *p, size_t n);

#endif /* TSS12_CRYPTO_H */
