/* OpenSSL 3 EVP-backed cryptography for tss12; see crypto.h for the contract. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "crypto.h"
#include "log.h"

/*
 * An unexpected OpenSSL failure: log it once with OpenSSL's reason and
 * empty the error queue so it cannot be blamed on a later call.
 */
static int ossl_fail(const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char reason[256] = "no reason given";

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	log_error("crypto: %s failed: %s", what, reason);
	ERR_clear_error();
	return -EIO;
}

/* An expected failure (bad signature, wrong key): the caller reports it. */
static int ossl_reject(void)
{
	ERR_clear_error();
	return -EBADMSG;
}

/* ---- SHA-1 ---- */

int crypto_sha1(const void *data, size_t len, uint8_t out[CRYPTO_SHA1_LEN])
{
	struct crypto_iov iov = { data, len };

	return crypto_sha1_iov(&iov, 1, out);
}

int crypto_sha1_init(struct crypto_sha1_ctx *ctx)
{
	ctx->md = EVP_MD_CTX_new();
	if (ctx->md == NULL)
		return -ENOMEM;
	if (EVP_DigestInit_ex2(ctx->md, EVP_sha1(), NULL) != 1) {
		crypto_sha1_abort(ctx);
		return ossl_fail("SHA-1 init");
	}
	return 0;
}

int crypto_sha1_update(struct crypto_sha1_ctx *ctx, const void *data, size_t len)
{
	if (ctx->md == NULL || (data == NULL && len != 0))
		return -EINVAL;
	if (len != 0 && EVP_DigestUpdate(ctx->md, data, len) != 1)
		return ossl_fail("SHA-1 update");
	return 0;
}

int crypto_sha1_final(struct crypto_sha1_ctx *ctx, uint8_t out[CRYPTO_SHA1_LEN])
{
	unsigned int n = 0;
	int rc = 0;

	memset(out, 0, CRYPTO_SHA1_LEN);
	if (ctx->md == NULL)
		return -EINVAL;
	if (EVP_DigestFinal_ex(ctx->md, out, &n) != 1 || n != CRYPTO_SHA1_LEN) {
		memset(out, 0, CRYPTO_SHA1_LEN);
		rc = ossl_fail("SHA-1 final");
	}
	crypto_sha1_abort(ctx);
	return rc;
}

void crypto_sha1_abort(struct crypto_sha1_ctx *ctx)
{
	EVP_MD_CTX_free(ctx->md);
	ctx->md = NULL;
}

int crypto_sha1_iov(const struct crypto_iov *iov, size_t count, uint8_t out[CRYPTO_SHA1_LEN])
{
	struct crypto_sha1_ctx ctx;
	int rc;

	memset(out, 0, CRYPTO_SHA1_LEN);
	if ((rc = crypto_sha1_init(&ctx)) != 0)
		return rc;
	for (size_t i = 0; i < count; i++) {
		if ((rc = crypto_sha1_update(&ctx, iov[i].p, iov[i].n)) != 0) {
			crypto_sha1_abort(&ctx);
			return rc;
		}
	}
	return crypto_sha1_final(&ctx, out);
}

int crypto_mgf1_sha1(const struct crypto_iov *seed, size_t count, uint8_t *out, size_t out_len)
{
	uint8_t block[CRYPTO_SHA1_LEN];
	uint32_t counter = 0;
	size_t done = 0;
	int rc = 0;

	if ((out == NULL && out_len != 0) || (seed == NULL && count != 0))
		return -EINVAL;
	/* The counter is 32 bits: the output is limited to 2^32 blocks. */
	if (out_len / CRYPTO_SHA1_LEN >= UINT32_MAX)
		return -EINVAL;
	while (done < out_len) {
		struct crypto_sha1_ctx ctx;
		const uint8_t c[4] = {
			(uint8_t)(counter >> 24), (uint8_t)(counter >> 16),
			(uint8_t)(counter >> 8), (uint8_t)counter,
		};
		size_t take = out_len - done < sizeof(block) ? out_len - done : sizeof(block);

		if ((rc = crypto_sha1_init(&ctx)) != 0)
			goto out;
		for (size_t i = 0; i < count && rc == 0; i++)
			rc = crypto_sha1_update(&ctx, seed[i].p, seed[i].n);
		if (rc == 0)
			rc = crypto_sha1_update(&ctx, c, sizeof(c));
		if (rc != 0) {
			crypto_sha1_abort(&ctx);
			goto out;
		}
		if ((rc = crypto_sha1_final(&ctx, block)) != 0)
			goto out;
		memcpy(out + done, block, take);
		done += take;
		counter++;
	}
out:
	if (rc != 0)
		OPENSSL_cleanse(out, out_len);
	OPENSSL_cleanse(block, sizeof(block));
	return rc;
}

/* ---- HMAC-SHA1 ---- */

int crypto_hmac_sha1_iov(const void *key, size_t key_len, const struct crypto_iov *iov,
			 size_t count, uint8_t out[CRYPTO_SHA1_LEN])
{
	/* HMAC needs a key pointer even when the key is empty. */
	static const uint8_t empty_key[1];
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t n = 0;
	int rc = 0;

	memset(out, 0, CRYPTO_SHA1_LEN);
	if (key == NULL && key_len != 0)
		return -EINVAL;
	if (key_len == 0)
		key = empty_key;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL) {
		rc = ossl_fail("fetching HMAC");
		goto out;
	}
	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, key_len, params) != 1) {
		rc = ossl_fail("HMAC-SHA1 init");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		if (iov[i].p == NULL && iov[i].n != 0) {
			rc = -EINVAL;
			goto out;
		}
		if (iov[i].n != 0 && EVP_MAC_update(ctx, iov[i].p, iov[i].n) != 1) {
			rc = ossl_fail("HMAC-SHA1 update");
			goto out;
		}
	}
	if (EVP_MAC_final(ctx, out, &n, CRYPTO_SHA1_LEN) != 1 || n != CRYPTO_SHA1_LEN) {
		memset(out, 0, CRYPTO_SHA1_LEN);
		rc = ossl_fail("HMAC-SHA1 final");
		goto out;
	}
out:
	/* EVP_MAC_CTX_free wipes the key schedule it holds. */
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

int crypto_hmac_sha1(const void *key, size_t key_len, const void *data, size_t len,
		     uint8_t out[CRYPTO_SHA1_LEN])
{
	struct crypto_iov iov = { data, len };

	return crypto_hmac_sha1_iov(key, key_len, &iov, 1, out);
}

/* ---- RSA keys ---- */

static bool is_rsa(const EVP_PKEY *key)
{
	return key != NULL && EVP_PKEY_is_a(key, "RSA");
}

size_t crypto_rsa_size(const EVP_PKEY *key)
{
	int n;

	if (!is_rsa(key))
		return 0;
	n = EVP_PKEY_get_size(key);
	return n > 0 ? (size_t)n : 0;
}

void crypto_rsa_free(EVP_PKEY *key)
{
	EVP_PKEY_free(key);
}

int crypto_rsa_import_public(const uint8_t *modulus, size_t modulus_len,
			     const uint8_t *exponent, size_t exponent_len, EVP_PKEY **out)
{
	/* Part 2 §5.10: exponentSize 0 means the default exponent 2^16+1. */
	static const uint8_t default_exponent[] = { 0x01, 0x00, 0x01 };
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *n = NULL, *e = NULL;
	int rc = 0;

	*out = NULL;
	if (modulus == NULL || modulus_len < CRYPTO_RSA_MIN_BYTES ||
	    modulus_len > CRYPTO_RSA_MAX_BYTES) {
		log_error("crypto: RSA modulus of %zu bytes refused", modulus_len);
		return -EINVAL;
	}
	/* A leading zero would make the key smaller than it claims; even is not RSA. */
	if (modulus[0] == 0 || (modulus[modulus_len - 1] & 1) == 0) {
		log_error("crypto: malformed RSA modulus refused");
		return -EINVAL;
	}
	if (exponent_len == 0) {
		exponent = default_exponent;
		exponent_len = sizeof(default_exponent);
	}
	if (exponent == NULL || exponent_len > CRYPTO_RSA_MAX_EXP_BYTES) {
		log_error("crypto: RSA exponent of %zu bytes refused", exponent_len);
		return -EINVAL;
	}

	n = BN_bin2bn(modulus, (int)modulus_len, NULL);
	e = BN_bin2bn(exponent, (int)exponent_len, NULL);
	if (n == NULL || e == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	if (!BN_is_odd(e) || BN_is_one(e)) {
		log_error("crypto: RSA exponent that is even or 1 refused");
		rc = -EINVAL;
		goto out;
	}

	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		*out = NULL;
		rc = ossl_fail("RSA public key import");
		goto out;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return rc;
}

int crypto_rsa_generate(unsigned int bits, EVP_PKEY **out)
{
	*out = NULL;
	if (bits < CRYPTO_RSA_MIN_BYTES * 8 || bits > CRYPTO_RSA_MAX_BYTES * 8 || bits % 8 != 0)
		return -EINVAL;
	*out = EVP_RSA_gen(bits);
	if (*out == NULL)
		return ossl_fail("RSA key generation");
	return 0;
}

int crypto_rsa_get_modulus(const EVP_PKEY *key, uint8_t *out, size_t cap, size_t *out_len)
{
	BIGNUM *n = NULL;
	size_t size = crypto_rsa_size(key);
	int rc = 0;

	*out_len = 0;
	if (size == 0)
		return -EINVAL;
	if (cap < size)
		return -ENOSPC;
	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) != 1)
		return ossl_fail("reading RSA modulus");
	if (BN_bn2binpad(n, out, (int)size) != (int)size) {
		rc = ossl_fail("encoding RSA modulus");
		goto out;
	}
	*out_len = size;
out:
	BN_free(n);
	return rc;
}

/* ---- RSA encryption and signatures ---- */

enum rsa_op { RSA_OP_ENCRYPT, RSA_OP_DECRYPT, RSA_OP_SIGN, RSA_OP_VERIFY };

/*
 * A context for one RSA operation with its padding chosen. OAEP always
 * uses SHA-1 for both the label hash and MGF1 (Part 1 §31.1.1); a
 * signature md of NULL means "pad the caller's bytes as they are".
 */
static int rsa_ctx(EVP_PKEY *key, enum rsa_op op, int padding, const EVP_MD *sig_md,
		   const void *label, size_t label_len, EVP_PKEY_CTX **out)
{
	EVP_PKEY_CTX *ctx;
	int ok;

	*out = NULL;
	if (!is_rsa(key))
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (ctx == NULL)
		return -ENOMEM;
	switch (op) {
	case RSA_OP_ENCRYPT:
		ok = EVP_PKEY_encrypt_init(ctx);
		break;
	case RSA_OP_DECRYPT:
		ok = EVP_PKEY_decrypt_init(ctx);
		break;
	case RSA_OP_SIGN:
		ok = EVP_PKEY_sign_init(ctx);
		break;
	default:
		ok = EVP_PKEY_verify_init(ctx);
		break;
	}
	ok = ok == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, padding) == 1;
	if (ok && sig_md != NULL)
		ok = EVP_PKEY_CTX_set_signature_md(ctx, sig_md) == 1;
	if (ok && padding == RSA_PKCS1_OAEP_PADDING) {
		ok = EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) == 1;
		if (ok && label_len != 0) {
			/* set0 owns the copy only once it succeeds. */
			void *copy = OPENSSL_memdup(label, label_len);

			ok = copy != NULL &&
			     EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, (int)label_len) == 1;
			if (!ok)
				OPENSSL_free(copy);
		}
	}
	if (!ok) {
		EVP_PKEY_CTX_free(ctx);
		return ossl_fail("setting up RSA operation");
	}
	*out = ctx;
	return 0;
}

static int rsa_encrypt(EVP_PKEY *key, int padding, const void *label, size_t label_len,
		       const void *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
	EVP_PKEY_CTX *ctx = NULL;
	size_t n;
	int rc;

	*out_len = 0;
	if ((in == NULL && in_len != 0) || (label == NULL && label_len != 0) || label_len > INT_MAX)
		return -EINVAL;
	if ((rc = rsa_ctx(key, RSA_OP_ENCRYPT, padding, NULL, label, label_len, &ctx)) != 0)
		return rc;
	n = crypto_rsa_size(key);
	if (cap < n) {
		rc = -ENOSPC;
		goto out;
	}
	/* Too long a message for the padding is the caller's mistake, not OpenSSL's. */
	if (EVP_PKEY_encrypt(ctx, out, &n, in, in_len) != 1) {
		ERR_clear_error();
		log_error("crypto: RSA encryption of %zu bytes refused", in_len);
		rc = -EINVAL;
		goto out;
	}
	*out_len = n;
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int crypto_rsa_encrypt_oaep(EVP_PKEY *key, const void *label, size_t label_len,
			    const void *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
	return rsa_encrypt(key, RSA_PKCS1_OAEP_PADDING, label, label_len, in, in_len,
			   out, cap, out_len);
}

int crypto_rsa_encrypt_oaep_tcpa(EVP_PKEY *key, const void *in, size_t in_len,
				 uint8_t *out, size_t cap, size_t *out_len)
{
	return rsa_encrypt(key, RSA_PKCS1_OAEP_PADDING, CRYPTO_OAEP_LABEL_TCPA,
			   CRYPTO_OAEP_LABEL_TCPA_LEN, in, in_len, out, cap, out_len);
}

int crypto_rsa_encrypt_pkcs1v15(EVP_PKEY *key, const void *in, size_t in_len,
				uint8_t *out, size_t cap, size_t *out_len)
{
	return rsa_encrypt(key, RSA_PKCS1_PADDING, NULL, 0, in, in_len, out, cap, out_len);
}

int crypto_rsa_decrypt_oaep(EVP_PKEY *key, const void *label, size_t label_len,
			    const void *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t tmp[CRYPTO_RSA_MAX_BYTES];
	size_t n = sizeof(tmp);
	int rc;

	*out_len = 0;
	if (in == NULL || (label == NULL && label_len != 0) || label_len > INT_MAX ||
	    (out == NULL && cap != 0))
		return -EINVAL;
	if ((rc = rsa_ctx(key, RSA_OP_DECRYPT, RSA_PKCS1_OAEP_PADDING, NULL, label, label_len,
			  &ctx)) != 0)
		return rc;
	if (in_len != crypto_rsa_size(key) || crypto_rsa_size(key) > sizeof(tmp)) {
		rc = -EBADMSG;
		goto out;
	}
	/* Decrypt into scratch: OpenSSL wants room for a whole block. */
	if (EVP_PKEY_decrypt(ctx, tmp, &n, in, in_len) != 1) {
		rc = ossl_reject();
		goto out;
	}
	if (n > cap) {
		rc = -ENOSPC;
		goto out;
	}
	if (n != 0)
		memcpy(out, tmp, n);
	*out_len = n;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static int rsa_verify(EVP_PKEY *key, const EVP_MD *md, const void *data, size_t data_len,
		      const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = NULL;
	int rc;

	if (data == NULL || (sig == NULL && sig_len != 0))
		return -EINVAL;
	if ((rc = rsa_ctx(key, RSA_OP_VERIFY, RSA_PKCS1_PADDING, md, NULL, 0, &ctx)) != 0)
		return rc;
	/* A TPM signature is exactly as long as the modulus; anything else is forged or cut. */
	if (sig_len != crypto_rsa_size(key) || EVP_PKEY_verify(ctx, sig, sig_len, data, data_len) != 1)
		rc = ossl_reject();
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int crypto_rsa_verify_sha1(EVP_PKEY *key, const uint8_t digest[CRYPTO_SHA1_LEN],
			   const uint8_t *sig, size_t sig_len)
{
	return rsa_verify(key, EVP_sha1(), digest, CRYPTO_SHA1_LEN, sig, sig_len);
}

int crypto_rsa_verify_der(EVP_PKEY *key, const void *data, size_t data_len,
			  const uint8_t *sig, size_t sig_len)
{
	return rsa_verify(key, NULL, data, data_len, sig, sig_len);
}

static int rsa_sign(EVP_PKEY *key, const EVP_MD *md, const void *data, size_t data_len,
		    uint8_t *sig, size_t cap, size_t *sig_len)
{
	EVP_PKEY_CTX *ctx = NULL;
	size_t n;
	int rc;

	*sig_len = 0;
	if (data == NULL || sig == NULL)
		return -EINVAL;
	if ((rc = rsa_ctx(key, RSA_OP_SIGN, RSA_PKCS1_PADDING, md, NULL, 0, &ctx)) != 0)
		return rc;
	n = crypto_rsa_size(key);
	if (cap < n) {
		rc = -ENOSPC;
		goto out;
	}
	if (EVP_PKEY_sign(ctx, sig, &n, data, data_len) != 1) {
		rc = ossl_fail("RSA signing");
		goto out;
	}
	*sig_len = n;
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int crypto_rsa_sign_sha1(EVP_PKEY *key, const uint8_t digest[CRYPTO_SHA1_LEN],
			 uint8_t *sig, size_t cap, size_t *sig_len)
{
	return rsa_sign(key, EVP_sha1(), digest, CRYPTO_SHA1_LEN, sig, cap, sig_len);
}

int crypto_rsa_sign_der(EVP_PKEY *key, const void *data, size_t data_len,
			uint8_t *sig, size_t cap, size_t *sig_len)
{
	return rsa_sign(key, NULL, data, data_len, sig, cap, sig_len);
}

/* ---- AES-128-CBC ---- */

static int aes128_cbc(bool encrypt, const uint8_t *key, const uint8_t *iv,
		      const void *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
	EVP_CIPHER_CTX *ctx = NULL;
	size_t need;
	int n1 = 0, n2 = 0, rc = 0;

	*out_len = 0;
	if (key == NULL || iv == NULL || out == NULL || (in == NULL && in_len != 0) ||
	    in_len > INT_MAX - CRYPTO_AES_BLOCK_LEN)
		return -EINVAL;
	if (encrypt) {
		/* PKCS#7 always adds 1..16 bytes. */
		need = in_len - in_len % CRYPTO_AES_BLOCK_LEN + CRYPTO_AES_BLOCK_LEN;
	} else {
		if (in_len == 0 || in_len % CRYPTO_AES_BLOCK_LEN != 0)
			return -EBADMSG;
		need = in_len;
	}
	if (cap < need)
		return -ENOSPC;

	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_CipherInit_ex2(ctx, EVP_aes_128_cbc(), key, iv, encrypt ? 1 : 0, NULL) != 1) {
		rc = ossl_fail("AES-128-CBC init");
		goto out;
	}
	if (EVP_CipherUpdate(ctx, out, &n1, in, (int)in_len) != 1) {
		rc = ossl_fail("AES-128-CBC update");
		goto out;
	}
	if (EVP_CipherFinal_ex(ctx, out + n1, &n2) != 1) {
		/* Only decryption can fail here, on padding: wrong key or tampering. */
		OPENSSL_cleanse(out, need);
		rc = encrypt ? ossl_fail("AES-128-CBC final") : ossl_reject();
		goto out;
	}
	*out_len = (size_t)n1 + (size_t)n2;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int crypto_aes128_cbc_encrypt(const uint8_t key[CRYPTO_AES128_KEY_LEN],
			      const uint8_t iv[CRYPTO_AES_BLOCK_LEN], const void *in, size_t in_len,
			      uint8_t *out, size_t cap, size_t *out_len)
{
	return aes128_cbc(true, key, iv, in, in_len, out, cap, out_len);
}

int crypto_aes128_cbc_decrypt(const uint8_t key[CRYPTO_AES128_KEY_LEN],
			      const uint8_t iv[CRYPTO_AES_BLOCK_LEN], const void *in, size_t in_len,
			      uint8_t *out, size_t cap, size_t *out_len)
{
	return aes128_cbc(false, key, iv, in, in_len, out, cap, out_len);
}

/* ---- Random numbers, comparison, wiping ---- */

int crypto_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	if (buf == NULL && len != 0)
		return -EINVAL;
	while (len > 0) {
		int chunk = len > INT_MAX ? INT_MAX : (int)len;

		if (RAND_bytes(p, chunk) != 1) {
			OPENSSL_cleanse(buf, (size_t)(p - (uint8_t *)buf));
			return ossl_fail("RAND_bytes");
		}
		p += chunk;
		len -= (size_t)chunk;
	}
	return 0;
}

bool crypto_memeq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void crypto_wipe(void *p, size_t n)
{
	if (p != NULL)
		OPENSSL_cleanse(p, n);
}
