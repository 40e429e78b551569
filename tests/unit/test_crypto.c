/*
 * Unit tests for common/crypto.c: published vectors for the primitives
 * (RFC 3174 SHA-1, RFC 2202 HMAC-SHA1, SP 800-38A AES-CBC, MGF1),
 * round trips and tampering for RSA with software keys, the edge cases of
 * importing TPM public keys, and signatures made by a real TPM (libtpms,
 * captured by tests/unit/vectors/capture_auth.c).
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

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "buf.h"
#include "crypto.h"
#include "log.h"
#include "vectors.h"

static void unhex(const char *hex, uint8_t *out, size_t n)
{
	assert_int_equal(vector_unhex(hex, out, n), 0);
}

static void assert_hex(const uint8_t *got, const char *hex)
{
	uint8_t want[256];
	size_t n = strlen(hex) / 2;

	assert_true(n <= sizeof(want));
	unhex(hex, want, n);
	assert_memory_equal(got, want, n);
}

/* ---- SHA-1 ---- */

static void sha1_rfc3174(void **state)
{
	uint8_t d[20];
	const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	assert_int_equal(crypto_sha1("abc", 3, d), 0);
	assert_hex(d, "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_int_equal(crypto_sha1(two_blocks, strlen(two_blocks), d), 0);
	assert_hex(d, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	assert_int_equal(crypto_sha1(NULL, 0, d), 0);
	assert_hex(d, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

static void sha1_incremental_million_a(void **state)
{
	struct crypto_sha1_ctx ctx;
	uint8_t block[1000], d[20];

	memset(block, 'a', sizeof(block));
	assert_int_equal(crypto_sha1_init(&ctx), 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(crypto_sha1_update(&ctx, block, sizeof(block)), 0);
	assert_int_equal(crypto_sha1_final(&ctx, d), 0);
	assert_hex(d, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	/* final released the context: further use is refused, not a crash. */
	assert_null(ctx.md);
	assert_int_equal(crypto_sha1_update(&ctx, block, 1), -EINVAL);
	assert_int_equal(crypto_sha1_final(&ctx, d), -EINVAL);
}

static void sha1_pieces_equal_whole(void **state)
{
	const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t whole[20], split[20], macro[20];
	const struct crypto_iov iov[] = { { msg, 5 }, { NULL, 0 }, { msg + 5, strlen(msg) - 5 } };

	assert_int_equal(crypto_sha1(msg, strlen(msg), whole), 0);
	assert_int_equal(crypto_sha1_iov(iov, 3, split), 0);
	assert_memory_equal(whole, split, 20);
	assert_int_equal(CRYPTO_SHA1_PIECES(macro, { msg, 20 }, { msg + 20, strlen(msg) - 20 }), 0);
	assert_memory_equal(whole, macro, 20);
	/* A NULL piece with a length is misuse. */
	assert_int_equal(CRYPTO_SHA1_PIECES(macro, { NULL, 1 }), -EINVAL);
}

/* ---- HMAC-SHA1 ---- */

static void hmac_rfc2202(void **state)
{
	uint8_t key[80], data[80], mac[20];

	memset(key, 0x0b, 20);
	assert_int_equal(crypto_hmac_sha1(key, 20, "Hi There", 8, mac), 0);
	assert_hex(mac, "b617318655057264e28bc0b6fb378c8ef146be00");

	assert_int_equal(crypto_hmac_sha1("Jefe", 4, "what do ya want for nothing?", 28, mac), 0);
	assert_hex(mac, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");

	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	assert_int_equal(crypto_hmac_sha1(key, 20, data, 50, mac), 0);
	assert_hex(mac, "125d7342b9ac11cd91a39af48aa17b4f63f175d3");

	for (int i = 0; i < 25; i++)
		key[i] = (uint8_t)(i + 1);
	memset(data, 0xcd, 50);
	assert_int_equal(crypto_hmac_sha1(key, 25, data, 50, mac), 0);
	assert_hex(mac, "4c9007f4026250c6bc8414f9bf50c86c2d7235da");

	memset(key, 0x0c, 20);
	assert_int_equal(crypto_hmac_sha1(key, 20, "Test With Truncation", 20, mac), 0);
	assert_hex(mac, "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04");

	/* Keys longer than a block are hashed first. */
	memset(key, 0xaa, 80);
	assert_int_equal(crypto_hmac_sha1(key, 80,
					  "Test Using Larger Than Block-Size Key - Hash Key First",
					  54, mac), 0);
	assert_hex(mac, "aa4ae5e15272d00e95705637ce8a3b55ed402112");
	assert_int_equal(crypto_hmac_sha1(key, 80,
					  "Test Using Larger Than Block-Size Key and Larger Than "
					  "One Block-Size Data", 73, mac), 0);
	assert_hex(mac, "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}

static void hmac_empty_key_and_pieces(void **state)
{
	uint8_t mac[20], mac2[20], key[20];
	const struct crypto_iov iov[] = { { "Hi ", 3 }, { "There", 5 } };

	assert_int_equal(crypto_hmac_sha1(NULL, 0, NULL, 0, mac), 0);
	assert_hex(mac, "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
	memset(key, 0x0b, 20);
	assert_int_equal(crypto_hmac_sha1_iov(key, 20, iov, 2, mac2), 0);
	assert_hex(mac2, "b617318655057264e28bc0b6fb378c8ef146be00");
	assert_int_equal(crypto_hmac_sha1(NULL, 5, "x", 1, mac), -EINVAL);
	assert_int_equal(crypto_hmac_sha1(key, 20, NULL, 1, mac), -EINVAL);
}

/* ---- MGF1 ---- */

static void mgf1_vectors(void **state)
{
	uint8_t out[50];
	const struct crypto_iov foo = { "foo", 3 }, bar = { "bar", 3 };
	const struct crypto_iov split[] = { { "b", 1 }, { "ar", 2 } };

	assert_int_equal(crypto_mgf1_sha1(&foo, 1, out, 3), 0);
	assert_hex(out, "1ac907");
	assert_int_equal(crypto_mgf1_sha1(&foo, 1, out, 5), 0);
	assert_hex(out, "1ac9075cd4");
	assert_int_equal(crypto_mgf1_sha1(&bar, 1, out, 50), 0);
	assert_hex(out, "bc0c655e016bc2931d85a2e675181adcef7f581f76df2739da74faac41627be2"
			"f7f415c89e983fd0ce80ced9878641cb4876");
	memset(out, 0, sizeof(out));
	assert_int_equal(crypto_mgf1_sha1(split, 2, out, 50), 0);
	assert_hex(out, "bc0c655e016bc2931d85a2e675181adcef7f581f76df2739da74faac41627be2");
	assert_int_equal(crypto_mgf1_sha1(&bar, 1, NULL, 5), -EINVAL);
	assert_int_equal(crypto_mgf1_sha1(&bar, 1, out, 0), 0);
}

/* ---- RSA with software keys ---- */

struct rsa_fixture {
	EVP_PKEY *key;	/* 2048-bit private key */
	EVP_PKEY *other;	/* a second, unrelated 1024-bit key */
};

static int rsa_setup(void **state)
{
	struct rsa_fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || crypto_rsa_generate(2048, &f->key) != 0 ||
	    crypto_rsa_generate(1024, &f->other) != 0)
		return -1;
	*state = f;
	return 0;
}

static int rsa_teardown(void **state)
{
	struct rsa_fixture *f = *state;

	crypto_rsa_free(f->key);
	crypto_rsa_free(f->other);
	free(f);
	return 0;
}

static void rsa_oaep_label_matters(void **state)
{
	struct rsa_fixture *f = *state;
	uint8_t ct[512], pt[512], secret[20];
	size_t ct_len, pt_len;

	memset(secret, 0x5a, sizeof(secret));
	assert_int_equal(crypto_rsa_size(f->key), 256);
	assert_int_equal(crypto_rsa_encrypt_oaep_tcpa(f->key, secret, 20, ct, sizeof(ct), &ct_len), 0);
	assert_int_equal(ct_len, 256);

	assert_int_equal(crypto_rsa_decrypt_oaep(f->key, "TCPA", 4, ct, ct_len, pt, sizeof(pt),
						 &pt_len), 0);
	assert_int_equal(pt_len, 20);
	assert_memory_equal(pt, secret, 20);

	/* Another label, no label, or a label that is only a prefix: all refused. */
	assert_int_equal(crypto_rsa_decrypt_oaep(f->key, "TCPB", 4, ct, ct_len, pt, sizeof(pt),
						 &pt_len), -EBADMSG);
	assert_int_equal(pt_len, 0);
	assert_int_equal(crypto_rsa_decrypt_oaep(f->key, NULL, 0, ct, ct_len, pt, sizeof(pt),
						 &pt_len), -EBADMSG);
	assert_int_equal(crypto_rsa_decrypt_oaep(f->key, "TCP", 3, ct, ct_len, pt, sizeof(pt),
						 &pt_len), -EBADMSG);

	/* The explicit-label form with "TCPA" is the same scheme. */
	assert_int_equal(crypto_rsa_encrypt_oaep(f->key, "TCPA", 4, secret, 20, ct, sizeof(ct),
						 &ct_len), 0);
	assert_int_equal(crypto_rsa_decrypt_oaep(f->key, "TCPA", 4, ct, ct_len, pt, sizeof(pt),
						 &pt_len), 0);
	assert_memory_equal(pt, secret, 20);
}

static void rsa_oaep_bad_inputs(void **state)
{
	struct rsa_fixture *f = *state;
	uint8_t ct[512], pt[512], big[256];
	size_t ct_len, pt_len;

	memset(big, 1, sizeof(big));
	/* OAEP-SHA1 holds at most k - 42 = 214 bytes in a 2048-bit block. */
	assert_int_equal(crypto_rsa_encrypt_oaep_tcpa(f->key, big, 214, ct, sizeof(ct), &ct_len), 0);
	assert_int_equal(crypto_rsa_encrypt_oaep_tcpa(f->key, big, 215, ct, sizeof(ct), &ct_len),
			 -EINVAL);
	assert_int_equal(ct_len, 0);
	assert_int_equal(crypto_rsa_encrypt_oaep_tcpa(f->key, big, 20, ct, 255, &ct_len), -ENOSPC);

	assert_int_equal(crypto_rsa_encrypt_oaep_tcpa(f->key, big, 20, ct, sizeof(ct), &ct_len), 0);
	/* Output room smaller than the plaintext. */
	assert_int_equal(crypto_rsa_decrypt_oaep(f->key, "TCPA", 4, ct, ct_len, pt, 19, &pt_len),
			 -ENOSPC);
	/* Truncated, lengthened, tampered ciphertexts; the wrong key. */
	assert_int_equal(crypto_rsa_decrypt_oaep(f->key, "TCPA", 4, ct, ct_len - 1, pt, sizeof(pt),
						 &pt_len), -EBADMSG);
	assert_int_equal(crypto_rsa_decrypt_oaep(f->key, "TCPA", 4, ct, ct_len + 1, pt, sizeof(pt),
						 &pt_len), -EBADMSG);
	ct[100] ^= 0x01;
	assert_int_equal(crypto_rsa_decrypt_oaep(f->key, "TCPA", 4, ct, ct_len, pt, sizeof(pt),
						 &pt_len), -EBADMSG);
	ct[100] ^= 0x01;
	assert_int_equal(crypto_rsa_decrypt_oaep(f->other, "TCPA", 4, ct, 128, pt, sizeof(pt),
						 &pt_len), -EBADMSG);
	assert_int_equal(pt_len, 0);
}

static void rsa_pkcs1v15_encrypt(void **state)
{
	struct rsa_fixture *f = *state;
	uint8_t ct1[512], ct2[512], pt[512];
	size_t ct1_len, ct2_len, pt_len = sizeof(pt);
	EVP_PKEY_CTX *ctx;

	assert_int_equal(crypto_rsa_encrypt_pkcs1v15(f->key, "bound", 5, ct1, sizeof(ct1), &ct1_len), 0);
	assert_int_equal(crypto_rsa_encrypt_pkcs1v15(f->key, "bound", 5, ct2, sizeof(ct2), &ct2_len), 0);
	assert_int_equal(ct1_len, 256);
	/* Type-2 padding is random: the same message never encrypts the same way twice. */
	assert_memory_not_equal(ct1, ct2, 256);
	/* k - 11 bytes is the most PKCS#1 v1.5 can carry. */
	assert_int_equal(crypto_rsa_encrypt_pkcs1v15(f->key, pt, 246, ct2, sizeof(ct2), &ct2_len), -EINVAL);

	/* Decrypt with OpenSSL directly: it must be plain PKCS#1 v1.5, not OAEP. */
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, f->key, NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_decrypt_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_decrypt(ctx, pt, &pt_len, ct1, ct1_len), 1);
	assert_int_equal(pt_len, 5);
	assert_memory_equal(pt, "bound", 5);
	EVP_PKEY_CTX_free(ctx);
}

static void rsa_sign_verify(void **state)
{
	struct rsa_fixture *f = *state;
	/* DER DigestInfo prefix for SHA-1 (PKCS#1 v2.1 §9.2 note 1). */
	static const uint8_t sha1_prefix[15] = {
		0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
	};
	uint8_t digest[20], sig[512], der[35];
	size_t sig_len;

	assert_int_equal(crypto_sha1("quote me", 8, digest), 0);
	assert_int_equal(crypto_rsa_sign_sha1(f->key, digest, sig, sizeof(sig), &sig_len), 0);
	assert_int_equal(sig_len, 256);
	assert_int_equal(crypto_rsa_verify_sha1(f->key, digest, sig, sig_len), 0);

	/* Bad: truncated, lengthened, empty, flipped signature; other digest; other key. */
	assert_int_equal(crypto_rsa_verify_sha1(f->key, digest, sig, sig_len - 1), -EBADMSG);
	assert_int_equal(crypto_rsa_verify_sha1(f->key, digest, sig, sig_len + 1), -EBADMSG);
	assert_int_equal(crypto_rsa_verify_sha1(f->key, digest, sig, 0), -EBADMSG);
	sig[sig_len - 1] ^= 0x80;
	assert_int_equal(crypto_rsa_verify_sha1(f->key, digest, sig, sig_len), -EBADMSG);
	sig[sig_len - 1] ^= 0x80;
	digest[0] ^= 1;
	assert_int_equal(crypto_rsa_verify_sha1(f->key, digest, sig, sig_len), -EBADMSG);
	digest[0] ^= 1;
	assert_int_equal(crypto_rsa_verify_sha1(f->other, digest, sig, 128), -EBADMSG);

	/*
	 * TPM_SS_RSASSAPKCS1v15_DER pads the given bytes as they are: a signature
	 * over DigestInfo(SHA-1, d) made that way is also a valid _SHA1 signature
	 * over d, and the other way round.
	 */
	memcpy(der, sha1_prefix, sizeof(sha1_prefix));
	memcpy(der + sizeof(sha1_prefix), digest, 20);
	assert_int_equal(crypto_rsa_verify_der(f->key, der, sizeof(der), sig, sig_len), 0);
	assert_int_equal(crypto_rsa_sign_der(f->key, der, sizeof(der), sig, sizeof(sig), &sig_len), 0);
	assert_int_equal(crypto_rsa_verify_sha1(f->key, digest, sig, sig_len), 0);
	/* Raw data that is not the signed data, or a prefix of it, fails. */
	assert_int_equal(crypto_rsa_verify_der(f->key, der, sizeof(der) - 1, sig, sig_len), -EBADMSG);
	assert_int_equal(crypto_rsa_verify_der(f->key, digest, 20, sig, sig_len), -EBADMSG);
	assert_int_equal(crypto_rsa_sign_sha1(f->key, digest, sig, 255, &sig_len), -ENOSPC);
}

/* ---- importing TPM_PUBKEY moduli ---- */

static void rsa_import_roundtrip(void **state)
{
	struct rsa_fixture *f = *state;
	static const uint8_t e65537[3] = { 0x01, 0x00, 0x01 };
	static const uint8_t e65537_padded[4] = { 0x00, 0x01, 0x00, 0x01 };
	uint8_t mod[512], ct[512], pt[512];
	size_t mod_len, ct_len, pt_len;
	EVP_PKEY *pub;

	assert_int_equal(crypto_rsa_get_modulus(f->key, mod, 255, &mod_len), -ENOSPC);
	assert_int_equal(crypto_rsa_get_modulus(f->key, mod, sizeof(mod), &mod_len), 0);
	assert_int_equal(mod_len, 256);

	/* exponentSize 0 means 65537 (Part 2 §5.10): the imported key must match. */
	assert_int_equal(crypto_rsa_import_public(mod, mod_len, NULL, 0, &pub), 0);
	assert_int_equal(crypto_rsa_size(pub), 256);
	assert_int_equal(crypto_rsa_encrypt_oaep_tcpa(pub, "x", 1, ct, sizeof(ct), &ct_len), 0);
	assert_int_equal(crypto_rsa_decrypt_oaep(f->key, "TCPA", 4, ct, ct_len, pt, sizeof(pt),
						 &pt_len), 0);
	assert_int_equal(pt_len, 1);
	crypto_rsa_free(pub);

	assert_int_equal(crypto_rsa_import_public(mod, mod_len, e65537, 3, &pub), 0);
	crypto_rsa_free(pub);
	assert_int_equal(crypto_rsa_import_public(mod, mod_len, e65537_padded, 4, &pub), 0);
	crypto_rsa_free(pub);

	/* A wrong exponent gives a key that cannot talk to the private one. */
	assert_int_equal(crypto_rsa_import_public(mod, mod_len, (const uint8_t[]){ 3 }, 1, &pub), 0);
	assert_int_equal(crypto_rsa_encrypt_oaep_tcpa(pub, "x", 1, ct, sizeof(ct), &ct_len), 0);
	assert_int_equal(crypto_rsa_decrypt_oaep(f->key, "TCPA", 4, ct, ct_len, pt, sizeof(pt),
						 &pt_len), -EBADMSG);
	crypto_rsa_free(pub);
}

static void rsa_import_rejects(void **state)
{
	uint8_t mod[600];
	EVP_PKEY *pub = (EVP_PKEY *)&pub;	/* must be cleared on failure */

	memset(mod, 0xC5, sizeof(mod));	/* top bit set, odd */
	assert_int_equal(crypto_rsa_import_public(mod, 0, NULL, 0, &pub), -EINVAL);
	assert_null(pub);
	assert_int_equal(crypto_rsa_import_public(NULL, 256, NULL, 0, &pub), -EINVAL);
	assert_int_equal(crypto_rsa_import_public(mod, 63, NULL, 0, &pub), -EINVAL);
	assert_int_equal(crypto_rsa_import_public(mod, 513, NULL, 0, &pub), -EINVAL);
	assert_int_equal(crypto_rsa_import_public(mod, 600, NULL, 0, &pub), -EINVAL);
	assert_int_equal(crypto_rsa_import_public(mod, SIZE_MAX, NULL, 0, &pub), -EINVAL);
	assert_null(pub);

	/* Both ends of the accepted range. */
	assert_int_equal(crypto_rsa_import_public(mod, 64, NULL, 0, &pub), 0);
	assert_int_equal(crypto_rsa_size(pub), 64);
	crypto_rsa_free(pub);
	assert_int_equal(crypto_rsa_import_public(mod, 512, NULL, 0, &pub), 0);
	assert_int_equal(crypto_rsa_size(pub), 512);
	crypto_rsa_free(pub);

	/* A leading zero byte (a smaller key than claimed) and an even modulus. */
	mod[0] = 0;
	assert_int_equal(crypto_rsa_import_public(mod, 256, NULL, 0, &pub), -EINVAL);
	mod[0] = 0xC5;
	mod[255] = 0xC4;
	assert_int_equal(crypto_rsa_import_public(mod, 256, NULL, 0, &pub), -EINVAL);
	mod[255] = 0xC5;

	/* Exponents: 1, even, too long, NULL with a length. */
	assert_int_equal(crypto_rsa_import_public(mod, 256, (const uint8_t[]){ 1 }, 1, &pub), -EINVAL);
	assert_int_equal(crypto_rsa_import_public(mod, 256, (const uint8_t[]){ 1, 0, 0 }, 3, &pub),
			 -EINVAL);
	assert_int_equal(crypto_rsa_import_public(mod, 256, (const uint8_t[]){ 0 }, 1, &pub), -EINVAL);
	assert_int_equal(crypto_rsa_import_public(mod, 256, mod, 9, &pub), -EINVAL);
	assert_int_equal(crypto_rsa_import_public(mod, 256, NULL, 3, &pub), -EINVAL);
	assert_null(pub);
}

static void rsa_wrong_key_type(void **state)
{
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	uint8_t out[512], d[20] = { 0 };
	size_t n;

	assert_non_null(ec);
	assert_int_equal(crypto_rsa_size(ec), 0);
	assert_int_equal(crypto_rsa_encrypt_oaep_tcpa(ec, "x", 1, out, sizeof(out), &n), -EINVAL);
	assert_int_equal(crypto_rsa_verify_sha1(ec, d, out, 64), -EINVAL);
	assert_int_equal(crypto_rsa_get_modulus(ec, out, sizeof(out), &n), -EINVAL);
	assert_int_equal(crypto_rsa_encrypt_oaep_tcpa(NULL, "x", 1, out, sizeof(out), &n), -EINVAL);
	EVP_PKEY_free(ec);
	assert_int_equal(crypto_rsa_generate(100, &ec), -EINVAL);
	assert_null(ec);
}

/* ---- signatures made by a real TPM ---- */

/* The TPM_PUBKEY in a TPM_GetPubKey response: key parms, then the modulus. */
static EVP_PKEY *pubkey_from_getpubkey(void)
{
	uint8_t *rsp;
	size_t len;
	struct buf_reader r, parms;
	const uint8_t *exp, *mod;
	uint32_t parm_size = 0, exp_len = 0, mod_len = 0;
	EVP_PKEY *key = NULL;

	assert_int_equal(vector_load("getpubkey.rsp.hex", &rsp, &len), 0);
	buf_reader_init(&r, rsp, len);
	buf_skip(&r, 10 + 4 + 2 + 2);	/* header; algorithmID, encScheme, sigScheme */
	buf_get_u32(&r, &parm_size);
	buf_get_sub(&r, &parms, parm_size);
	buf_skip(&parms, 8);	/* keyLength, numPrimes */
	buf_get_sized_ptr(&parms, &exp, &exp_len, 8);
	buf_get_sized_ptr(&r, &mod, &mod_len, 512);
	assert_int_equal(buf_reader_done(&parms), 0);
	assert_int_equal(buf_reader_error(&r), 0);
	assert_int_equal(crypto_rsa_import_public(mod, mod_len, exp, exp_len, &key), 0);
	free(rsp);
	return key;
}

static void tpm_signatures_verify(void **state)
{
	EVP_PKEY *key = pubkey_from_getpubkey();
	uint8_t *cmd, *rsp, *info, digest[20];
	size_t cmd_len, rsp_len, info_len;
	struct buf_reader r;
	const uint8_t *area, *sig;
	uint32_t area_len = 0, sig_len = 0;

	/* TPM_Sign: areaToSign is the SHA-1 digest, signed as DigestInfo. */
	assert_int_equal(vector_load("sign.cmd.hex", &cmd, &cmd_len), 0);
	assert_int_equal(vector_load("sign.rsp.hex", &rsp, &rsp_len), 0);
	buf_reader_init(&r, cmd, cmd_len);
	buf_skip(&r, 14);
	buf_get_sized_ptr(&r, &area, &area_len, 20);
	assert_int_equal(buf_reader_error(&r), 0);
	buf_reader_init(&r, rsp, rsp_len);
	buf_skip(&r, 10);
	buf_get_sized_ptr(&r, &sig, &sig_len, 512);
	assert_int_equal(buf_reader_error(&r), 0);
	assert_int_equal(area_len, 20);
	assert_int_equal(crypto_rsa_verify_sha1(key, area, sig, sig_len), 0);
	/* The TPM's signature with one bit flipped, or cut short, is refused. */
	rsp[20] ^= 0x04;
	assert_int_equal(crypto_rsa_verify_sha1(key, area, sig, sig_len), -EBADMSG);
	rsp[20] ^= 0x04;
	assert_int_equal(crypto_rsa_verify_sha1(key, area, sig, sig_len - 1), -EBADMSG);
	free(cmd);
	free(rsp);

	/* TPM_Quote: signature over SHA1(TPM_QUOTE_INFO), rebuilt in the vector. */
	assert_int_equal(vector_load("tpm_quote_info.hex", &info, &info_len), 0);
	assert_int_equal(vector_load("quote.rsp.hex", &rsp, &rsp_len), 0);
	buf_reader_init(&r, rsp, rsp_len);
	buf_skip(&r, 10 + 2 + 3);	/* header, sizeOfSelect, select */
	buf_get_sized_ptr(&r, NULL, NULL, 24 * 20);	/* PCR values */
	buf_get_sized_ptr(&r, &sig, &sig_len, 512);
	assert_int_equal(buf_reader_error(&r), 0);
	assert_int_equal(crypto_sha1(info, info_len, digest), 0);
	assert_int_equal(crypto_rsa_verify_sha1(key, digest, sig, sig_len), 0);
	info[info_len - 1] ^= 1;	/* the anti-replay nonce */
	assert_int_equal(crypto_sha1(info, info_len, digest), 0);
	assert_int_equal(crypto_rsa_verify_sha1(key, digest, sig, sig_len), -EBADMSG);
	free(info);
	free(rsp);
	crypto_rsa_free(key);
}

/* ---- AES-128-CBC ---- */

static void aes_cbc_sp800_38a(void **state)
{
	uint8_t key[16], iv[16], pt[16], ct[64], back[64];
	size_t n, m;

	unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
	unhex("000102030405060708090a0b0c0d0e0f", iv, 16);
	unhex("6bc1bee22e409f96e93d7e117393172a", pt, 16);
	assert_int_equal(crypto_aes128_cbc_encrypt(key, iv, pt, 16, ct, sizeof(ct), &n), 0);
	/* F.2.1 block 1, then a whole block of PKCS#7 padding. */
	assert_int_equal(n, 32);
	assert_hex(ct, "7649abac8119b246cee98e9b12e9197d");
	assert_int_equal(crypto_aes128_cbc_decrypt(key, iv, ct, n, back, sizeof(back), &m), 0);
	assert_int_equal(m, 16);
	assert_memory_equal(back, pt, 16);
}

static void aes_cbc_lengths_and_errors(void **state)
{
	uint8_t key[16] = { 1 }, iv[16] = { 2 }, pt[40], ct[64], back[64];
	size_t n, m;

	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)i;
	for (size_t len = 0; len <= 33; len++) {
		assert_int_equal(crypto_aes128_cbc_encrypt(key, iv, pt, len, ct, sizeof(ct), &n), 0);
		assert_int_equal(n, (len / 16 + 1) * 16);
		assert_int_equal(crypto_aes128_cbc_decrypt(key, iv, ct, n, back, sizeof(back), &m), 0);
		assert_int_equal(m, len);
		assert_memory_equal(back, pt, len);
	}
	assert_int_equal(crypto_aes128_cbc_encrypt(key, iv, pt, 16, ct, 31, &n), -ENOSPC);
	assert_int_equal(crypto_aes128_cbc_encrypt(key, iv, pt, 16, ct, sizeof(ct), &n), 0);
	assert_int_equal(crypto_aes128_cbc_decrypt(key, iv, ct, 31, back, sizeof(back), &m), -EBADMSG);
	assert_int_equal(crypto_aes128_cbc_decrypt(key, iv, ct, 0, back, sizeof(back), &m), -EBADMSG);
	assert_int_equal(crypto_aes128_cbc_decrypt(key, iv, ct, 32, back, 16, &m), -ENOSPC);
	/* Corrupting the last block breaks the padding (this input is fixed, so always). */
	ct[31] ^= 0xff;
	assert_int_equal(crypto_aes128_cbc_decrypt(key, iv, ct, 32, back, sizeof(back), &m), -EBADMSG);
	assert_int_equal(m, 0);
}

/* ---- random, compare, wipe ---- */

static void random_bytes(void **state)
{
	uint8_t a[32] = { 0 }, b[32] = { 0 }, zero[32] = { 0 };

	assert_int_equal(crypto_random(a, sizeof(a)), 0);
	assert_int_equal(crypto_random(b, sizeof(b)), 0);
	/* 2^-256 chance of a false failure. */
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_int_equal(crypto_random(NULL, 0), 0);
	assert_int_equal(crypto_random(NULL, 1), -EINVAL);
}

static void memeq_and_wipe(void **state)
{
	uint8_t a[20], b[20];

	memset(a, 7, sizeof(a));
	memset(b, 7, sizeof(b));
	assert_true(crypto_memeq(a, b, 20));
	assert_true(crypto_memeq(a, b, 0));
	b[0] = 8;
	assert_false(crypto_memeq(a, b, 20));
	b[0] = 7;
	b[19] = 8;
	assert_false(crypto_memeq(a, b, 20));
	assert_true(crypto_memeq(a, b, 19));

	crypto_wipe(a, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_memory_equal(a, b, 20);
	crypto_wipe(NULL, 5);	/* harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha1_rfc3174),
		cmocka_unit_test(sha1_incremental_million_a),
		cmocka_unit_test(sha1_pieces_equal_whole),
		cmocka_unit_test(hmac_rfc2202),
		cmocka_unit_test(hmac_empty_key_and_pieces),
		cmocka_unit_test(mgf1_vectors),
		cmocka_unit_test(rsa_oaep_label_matters),
		cmocka_unit_test(rsa_oaep_bad_inputs),
		cmocka_unit_test(rsa_pkcs1v15_encrypt),
		cmocka_unit_test(rsa_sign_verify),
		cmocka_unit_test(rsa_import_roundtrip),
		cmocka_unit_test(rsa_import_rejects),
		cmocka_unit_test(rsa_wrong_key_type),
		cmocka_unit_test(tpm_signatures_verify),
		cmocka_unit_test(aes_cbc_sp800_38a),
		cmocka_unit_test(aes_cbc_lengths_and_errors),
		cmocka_unit_test(random_bytes),
		cmocka_unit_test(memeq_and_wipe),
	};

	/* Failures the tests provoke on purpose would log; keep the output readable. */
	log_init("test_crypto", LOG_SINK_NONE, LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, rsa_setup, rsa_teardown);
}
