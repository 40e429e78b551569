/*
 * Unit tests for common/transport.c (TPM 1.2 Part 3 §24): the session
 * ciphers, digests, log extension and structures, against vectors
 * computed independently (Python's hashlib for SHA-1/MGF1, the openssl
 * command for AES-128-ECB pads); the TPM's counter mode against OpenSSL's
 * where they agree and where they must not (a low word that wraps).
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

#include <tss/tpm.h>

#include "buf.h"
#include "transport.h"
#include "vectors.h"

/* Inputs shared by the vectors: secret 01..14, nonceEven a0..b3, nonceOdd c0..d3,
 * DATAw 37 bytes i*7. */
static uint8_t secret[20], nonce_even[20], nonce_odd[20], data[37];

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 20; i++) {
		secret[i] = (uint8_t)(1 + i);
		nonce_even[i] = (uint8_t)(0xa0 + i);
		nonce_odd[i] = (uint8_t)(0xc0 + i);
	}
	for (int i = 0; i < 37; i++)
		data[i] = (uint8_t)(i * 7);
	return 0;
}

static void assert_hex(const uint8_t *got, size_t n, const char *hex)
{
	uint8_t want[64];

	assert_int_equal(strlen(hex), 2 * n);
	assert_int_equal(vector_unhex(hex, want, n), 0);
	assert_memory_equal(got, want, n);
}

static const struct transport_public mgf1_enc = {
	.attributes = TPM_TRANSPORT_ENCRYPT, .alg_id = TPM_ALG_MGF1, .enc_scheme = TPM_ES_NONE,
};
static const struct transport_public aes_enc = {
	.attributes = TPM_TRANSPORT_ENCRYPT, .alg_id = TPM_ALG_AES128, .enc_scheme = TPM_ES_SYM_CTR,
};

static void test_mgf1_in_out(void **state)
{
	uint8_t buf[37];

	(void)state;
	memcpy(buf, data, sizeof(buf));
	assert_int_equal(transport_crypt(&mgf1_enc, secret, nonce_even, nonce_odd, false, buf,
					 sizeof(buf)), 0);
	assert_hex(buf, sizeof(buf), "65a5b02fbbc426c312fb354a693dd31f23e940084100f3b7b6268ed742"
				     "da31a4f625a0a916");
	/* Its own inverse. */
	assert_int_equal(transport_crypt(&mgf1_enc, secret, nonce_even, nonce_odd, false, buf,
					 sizeof(buf)), 0);
	assert_memory_equal(buf, data, sizeof(buf));
	/* "out" is another stream. */
	assert_int_equal(transport_crypt(&mgf1_enc, secret, nonce_even, nonce_odd, true, buf,
					 sizeof(buf)), 0);
	assert_hex(buf, sizeof(buf), "349f306f6188ef7e91b41d41192d36c7ae280f65b8579096d1612cbfcc"
				     "06b7d7cac0baa26f");
}

static void test_aes_ctr(void **state)
{
	uint8_t buf[37], ossl[37], ctr[16];
	EVP_CIPHER_CTX *c;
	int n = 0;

	(void)state;
	memcpy(buf, data, sizeof(buf));
	assert_int_equal(transport_crypt(&aes_enc, secret, nonce_even, nonce_odd, false, buf,
					 sizeof(buf)), 0);
	assert_hex(buf, sizeof(buf), "af9b8140b3fffdef9486c409a949c511ea5c6a6a7b1952800494d5100d"
				     "eb48b7461b0aa8bc");
	/* With no carry out of the low word, the TPM's CTR is OpenSSL's. */
	assert_int_equal(vector_unhex("2341b7838bcbbc641c72ae8e02c3af4a", ctr, 16), 0);
	c = EVP_CIPHER_CTX_new();
	assert_non_null(c);
	assert_int_equal(EVP_EncryptInit_ex2(c, EVP_aes_128_ctr(), secret, ctr, NULL), 1);
	assert_int_equal(EVP_EncryptUpdate(c, ossl, &n, data, sizeof(data)), 1);
	EVP_CIPHER_CTX_free(c);
	assert_memory_equal(buf, ossl, sizeof(buf));
}

static void test_aes_ctr_low_word_wraps(void **state)
{
	uint8_t buf[32], ossl[32], ctr[16];
	EVP_CIPHER_CTX *c;
	int n = 0;

	(void)state;
	assert_int_equal(vector_unhex("101112131415161718191a1bffffffff", ctr, 16), 0);
	memcpy(buf, data, sizeof(buf));
	assert_int_equal(transport_aes128_ctr(secret, ctr, buf, sizeof(buf)), 0);
	assert_hex(buf, sizeof(buf), "ce49960e4a9ed47be0d0998173dec0e3fd2b3d4a77fdd6edac8b21d2c3"
				     "2bcb89");
	/* OpenSSL carries into byte 11; the TPM does not: the second block differs. */
	c = EVP_CIPHER_CTX_new();
	assert_non_null(c);
	assert_int_equal(EVP_EncryptInit_ex2(c, EVP_aes_128_ctr(), secret, ctr, NULL), 1);
	assert_int_equal(EVP_EncryptUpdate(c, ossl, &n, data, sizeof(ossl)), 1);
	EVP_CIPHER_CTX_free(c);
	assert_memory_equal(buf, ossl, 16);
	assert_memory_not_equal(buf + 16, ossl + 16, 16);
}

static void test_crypt_edges(void **state)
{
	struct transport_public plain = mgf1_enc, bad = mgf1_enc;
	uint8_t buf[37];

	(void)state;
	/* Not an encrypting session: nothing happens. */
	plain.attributes = TPM_TRANSPORT_LOG;
	memcpy(buf, data, sizeof(buf));
	assert_int_equal(transport_crypt(&plain, secret, nonce_even, nonce_odd, false, buf,
					 sizeof(buf)), 0);
	assert_memory_equal(buf, data, sizeof(buf));
	/* Nothing to encrypt is fine, even without a buffer. */
	assert_int_equal(transport_crypt(&mgf1_enc, secret, nonce_even, nonce_odd, false, NULL, 0),
			 0);
	/* Unsupported pairs. */
	bad.enc_scheme = TPM_ES_SYM_CTR;
	assert_false(transport_public_supported(&bad));
	assert_int_equal(transport_crypt(&bad, secret, nonce_even, nonce_odd, false, buf, 4),
			 -EINVAL);
	bad.alg_id = TPM_ALG_AES256;
	assert_false(transport_public_supported(&bad));
	bad = aes_enc;
	bad.enc_scheme = TPM_ES_SYM_CBC_PKCS5PAD;
	assert_false(transport_public_supported(&bad));
	assert_true(transport_public_supported(&mgf1_enc));
	assert_true(transport_public_supported(&aes_enc));
	assert_int_equal(transport_aes128_ctr(NULL, NULL, buf, 4), -EINVAL);
}

static void test_digests(void **state)
{
	uint8_t h1[20], h2[20], d[20];

	(void)state;
	assert_int_equal(transport_cmd_digest(TPM_ORD_GetRandom, data, sizeof(data), h1), 0);
	assert_hex(h1, 20, "81caedb5d5ee99c7cbfae11c8bcda1fa80534b63");
	assert_int_equal(transport_exec_in_digest(123, h1, d), 0);
	assert_hex(d, 20, "ccf96d8148ff40ec29c108f4218f6fdd06cfa7fd");
	assert_int_equal(transport_rsp_digest(0, TPM_ORD_GetRandom, data, sizeof(data), h2), 0);
	assert_hex(h2, 20, "56a58bcc2088f03f007be807a6f77aa5ce283535");
	assert_int_equal(transport_exec_out_digest(0, 0x0102030405060708ull, 0, 77, h2, d), 0);
	assert_hex(d, 20, "108a47616f546dfe7a53a757431f5dc644fcffaa");
}

static void test_log(void **state)
{
	uint8_t log[20] = { 0 }, h1[20], h2[20];
	struct tpm_current_ticks t = { .current_ticks = 0x0102030405060708ull, .tick_rate = 1000 };

	(void)state;
	memcpy(t.tick_nonce, nonce_odd, 20);
	assert_int_equal(transport_cmd_digest(TPM_ORD_GetRandom, data, sizeof(data), h1), 0);
	assert_int_equal(transport_rsp_digest(0, TPM_ORD_GetRandom, data, sizeof(data), h2), 0);
	assert_int_equal(transport_log_in_extend(log, h1, secret), 0);
	assert_hex(log, 20, "91ced4bd8d0213b04abe1c911e2fedd76d2775f4");
	assert_int_equal(transport_log_out_extend(log, &t, h2, 0), 0);
	assert_hex(log, 20, "cea7274bc4ec0ffc6714f8ad21098f617bda8bc0");
}

static void test_structures(void **state)
{
	struct transport_public in = { TPM_TRANSPORT_ENCRYPT | TPM_TRANSPORT_LOG, TPM_ALG_MGF1,
				       TPM_ES_NONE }, out;
	uint8_t mem[64];
	struct buf_writer w;
	struct buf_reader r;

	(void)state;
	buf_writer_init_fixed(&w, mem, sizeof(mem));
	transport_public_put(&w, &in);
	assert_int_equal(buf_writer_len(&w), TRANSPORT_PUBLIC_LEN);
	assert_hex(mem, TRANSPORT_PUBLIC_LEN, "001e00000003000000070001");
	buf_reader_init(&r, mem, TRANSPORT_PUBLIC_LEN);
	assert_int_equal(transport_public_get(&r, &out), 0);
	assert_int_equal(buf_reader_done(&r), 0);
	assert_int_equal(out.attributes, in.attributes);
	assert_int_equal(out.alg_id, in.alg_id);
	assert_int_equal(out.enc_scheme, in.enc_scheme);
	/* A wrong tag and a short structure fail, and zero the output. */
	mem[1] = 0x1d;
	buf_reader_init(&r, mem, TRANSPORT_PUBLIC_LEN);
	assert_int_equal(transport_public_get(&r, &out), -EINVAL);
	assert_int_equal(out.alg_id, 0);
	mem[1] = 0x1e;
	buf_reader_init(&r, mem, TRANSPORT_PUBLIC_LEN - 1);
	assert_int_equal(transport_public_get(&r, &out), -EBADMSG);

	buf_writer_init_fixed(&w, mem, sizeof(mem));
	transport_auth_put(&w, secret);
	assert_int_equal(buf_writer_len(&w), TRANSPORT_AUTH_LEN);
	assert_hex(mem, 2, "001d");
	assert_memory_equal(mem + 2, secret, 20);

	buf_writer_init_fixed(&w, mem, sizeof(mem));
	transport_sign_info_put(&w, nonce_even, nonce_odd);
	assert_int_equal(buf_writer_len(&w), 50);
	/* tag TPM_TAG_SIGNINFO, "TRAN", the replay nonce, UINT32 20, the log digest */
	assert_hex(mem, 6, "00055452414e");
	assert_memory_equal(mem + 6, nonce_even, 20);
	assert_hex(mem + 26, 4, "00000014");
	assert_memory_equal(mem + 30, nonce_odd, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mgf1_in_out),
		cmocka_unit_test(test_aes_ctr),
		cmocka_unit_test(test_aes_ctr_low_word_wraps),
		cmocka_unit_test(test_crypt_edges),
		cmocka_unit_test(test_digests),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_structures),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
