/*
 * Transport-session encryption, digests and log structures (see
 * transport.h; TPM 1.2 Part 3 §24.1-§24.3).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <tss/tpm.h>
#include <tss/tpm_ordinal.h>

#include "buf.h"
#include "crypto.h"
#include "log.h"
#include "transport.h"

#define AES_BLOCK 16

static void put_be64(uint8_t b[8], uint64_t v)
{
	buf_store_be32(b, (uint32_t)(v >> 32));
	buf_store_be32(b + 4, (uint32_t)v);
}

void transport_public_put(struct buf_writer *w, const struct transport_public *pub)
{
	buf_put_u16(w, TPM_TAG_TRANSPORT_PUBLIC);
	buf_put_u32(w, pub->attributes);
	buf_put_u32(w, pub->alg_id);
	buf_put_u16(w, pub->enc_scheme);
}

int transport_public_get(struct buf_reader *r, struct transport_public *pub)
{
	uint16_t tag = 0;

	memset(pub, 0, sizeof(*pub));
	buf_get_u16(r, &tag);
	buf_get_u32(r, &pub->attributes);
	buf_get_u32(r, &pub->alg_id);
	buf_get_u16(r, &pub->enc_scheme);
	if (buf_reader_error(r) == 0 && tag != TPM_TAG_TRANSPORT_PUBLIC)
		buf_reader_fail(r, -EINVAL);
	if (buf_reader_error(r) != 0)
		memset(pub, 0, sizeof(*pub));
	return buf_reader_error(r);
}

void transport_auth_put(struct buf_writer *w, const uint8_t secret[TRANSPORT_SECRET_LEN])
{
	buf_put_u16(w, TPM_TAG_TRANSPORT_AUTH);
	buf_put_bytes(w, secret, TRANSPORT_SECRET_LEN);
}

bool transport_public_supported(const struct transport_public *pub)
{
	if (pub->alg_id == TPM_ALG_MGF1)
		return pub->enc_scheme == TPM_ES_NONE;
	if (pub->alg_id == TPM_ALG_AES128)
		return pub->enc_scheme == TPM_ES_SYM_CTR;
	return false;
}

int transport_aes128_ctr(const uint8_t key[16], const uint8_t ctr_in[16], uint8_t *data,
			 size_t len)
{
	EVP_CIPHER_CTX *c = NULL;
	uint8_t ctr[AES_BLOCK], pad[AES_BLOCK];
	uint32_t low;
	int n = 0, rc = 0;

	if (len == 0)
		return 0;
	if (key == NULL || ctr_in == NULL || data == NULL)
		return -EINVAL;
	memcpy(ctr, ctr_in, sizeof(ctr));
	c = EVP_CIPHER_CTX_new();
	if (c == NULL)
		return -ENOMEM;
	/* ECB on the counter blocks: the pad stream of the TPM's CTR variant. */
	if (EVP_EncryptInit_ex2(c, EVP_aes_128_ecb(), key, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) != 1) {
		rc = -EIO;
		goto out;
	}
	for (size_t off = 0; off < len; off += AES_BLOCK) {
		size_t take = len - off < AES_BLOCK ? len - off : AES_BLOCK;

		if (EVP_EncryptUpdate(c, pad, &n, ctr, AES_BLOCK) != 1 || n != AES_BLOCK) {
			rc = -EIO;
			goto out;
		}
		for (size_t i = 0; i < take; i++)
			data[off + i] ^= pad[i];
		/* Only the low four bytes count (Part 1 §31.1.3, libtpms). */
		low = (uint32_t)ctr[12] << 24 | (uint32_t)ctr[13] << 16 | (uint32_t)ctr[14] << 8 |
		      ctr[15];
		buf_store_be32(ctr + 12, low + 1);
	}
out:
	if (rc == -EIO)
		log_error("transport: AES-128 CTR failed in OpenSSL");
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(ctr, sizeof(ctr));
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int transport_crypt(const struct transport_public *pub, const uint8_t secret[TRANSPORT_SECRET_LEN],
		    const uint8_t nonce_even[20], const uint8_t nonce_odd[20], bool response,
		    uint8_t *data, size_t len)
{
	const char *label = response ? "out" : "in";
	uint8_t *pad = NULL;
	uint8_t ctr[AES_BLOCK];
	int rc;

	if (!(pub->attributes & TPM_TRANSPORT_ENCRYPT) || len == 0)
		return 0;
	if (data == NULL || secret == NULL || !transport_public_supported(pub))
		return -EINVAL;
	if (pub->alg_id == TPM_ALG_AES128) {
		rc = crypto_mgf1_sha1((struct crypto_iov[]){ { nonce_even, 20 },
							     { nonce_odd, 20 },
							     { label, strlen(label) } },
				      3, ctr, sizeof(ctr));
		if (rc == 0)
			rc = transport_aes128_ctr(secret, ctr, data, len);
		OPENSSL_cleanse(ctr, sizeof(ctr));
		return rc;
	}
	/* MGF1: the pad is as long as the data; its length is bounded by the
	 * caller's buffer, which is a TPM command (a few KiB). */
	pad = malloc(len);
	if (pad == NULL)
		return -ENOMEM;
	rc = crypto_mgf1_sha1((struct crypto_iov[]){ { nonce_even, 20 },
						     { nonce_odd, 20 },
						     { label, strlen(label) },
						     { secret, TRANSPORT_SECRET_LEN } },
			      4, pad, len);
	if (rc == 0)
		for (size_t i = 0; i < len; i++)
			data[i] ^= pad[i];
	OPENSSL_cleanse(pad, len);
	free(pad);
	return rc;
}

int transport_cmd_digest(uint32_t ordinal, const uint8_t *data, size_t len,
			 uint8_t out[TRANSPORT_DIGEST_LEN])
{
	uint8_t ord[4];

	buf_store_be32(ord, ordinal);
	return CRYPTO_SHA1_PIECES(out, { ord, 4 }, { data, len });
}

int transport_rsp_digest(uint32_t result, uint32_t ordinal, const uint8_t *data, size_t len,
			 uint8_t out[TRANSPORT_DIGEST_LEN])
{
	uint8_t rc[4], ord[4];

	buf_store_be32(rc, result);
	buf_store_be32(ord, ordinal);
	return CRYPTO_SHA1_PIECES(out, { rc, 4 }, { ord, 4 }, { data, len });
}

int transport_exec_in_digest(uint32_t wrapped_cmd_size, const uint8_t h1[TRANSPORT_DIGEST_LEN],
			     uint8_t out[TRANSPORT_DIGEST_LEN])
{
	uint8_t ord[4], size[4];

	buf_store_be32(ord, TPM_ORD_ExecuteTransport);
	buf_store_be32(size, wrapped_cmd_size);
	return CRYPTO_SHA1_PIECES(out, { ord, 4 }, { size, 4 }, { h1, TRANSPORT_DIGEST_LEN });
}

int transport_exec_out_digest(uint32_t result, uint64_t current_ticks, uint32_t locality,
			      uint32_t wrapped_rsp_size, const uint8_t h2[TRANSPORT_DIGEST_LEN],
			      uint8_t out[TRANSPORT_DIGEST_LEN])
{
	uint8_t rc[4], ord[4], ticks[8], loc[4], size[4];

	buf_store_be32(rc, result);
	buf_store_be32(ord, TPM_ORD_ExecuteTransport);
	put_be64(ticks, current_ticks);
	buf_store_be32(loc, locality);
	buf_store_be32(size, wrapped_rsp_size);
	return CRYPTO_SHA1_PIECES(out, { rc, 4 }, { ord, 4 }, { ticks, 8 }, { loc, 4 },
				  { size, 4 }, { h2, TRANSPORT_DIGEST_LEN });
}

int transport_log_in_extend(uint8_t log[TRANSPORT_DIGEST_LEN],
			    const uint8_t params[TRANSPORT_DIGEST_LEN],
			    const uint8_t pubkey_hash[TRANSPORT_DIGEST_LEN])
{
	uint8_t tag[2] = { (uint8_t)(TPM_TAG_TRANSPORT_LOG_IN >> 8),
			   (uint8_t)TPM_TAG_TRANSPORT_LOG_IN };
	uint8_t prev[TRANSPORT_DIGEST_LEN];

	memcpy(prev, log, sizeof(prev));
	return CRYPTO_SHA1_PIECES(log, { prev, sizeof(prev) }, { tag, 2 },
				  { params, TRANSPORT_DIGEST_LEN },
				  { pubkey_hash, TRANSPORT_DIGEST_LEN });
}

int transport_log_out_extend(uint8_t log[TRANSPORT_DIGEST_LEN],
			     const struct tpm_current_ticks *ticks,
			     const uint8_t params[TRANSPORT_DIGEST_LEN], uint32_t locality)
{
	uint8_t mem[2 + TRANSPORT_CURRENT_TICKS_LEN + TRANSPORT_DIGEST_LEN + 4];
	uint8_t prev[TRANSPORT_DIGEST_LEN];
	struct buf_writer w;

	buf_writer_init_fixed(&w, mem, sizeof(mem));
	buf_put_u16(&w, TPM_TAG_TRANSPORT_LOG_OUT);
	tpm_current_ticks_put(&w, ticks);
	buf_put_bytes(&w, params, TRANSPORT_DIGEST_LEN);
	buf_put_u32(&w, locality);
	if (buf_writer_error(&w) != 0 || buf_writer_len(&w) != sizeof(mem))
		return -EINVAL;
	memcpy(prev, log, sizeof(prev));
	return CRYPTO_SHA1_PIECES(log, { prev, sizeof(prev) }, { mem, sizeof(mem) });
}

void transport_sign_info_put(struct buf_writer *w, const uint8_t nonce[20],
			     const uint8_t log[TRANSPORT_DIGEST_LEN])
{
	buf_put_u16(w, TPM_TAG_SIGNINFO);
	buf_put_bytes(w, "TRAN", 4);
	buf_put_bytes(w, nonce, 20);
	buf_put_u32(w, TRANSPORT_DIGEST_LEN);
	buf_put_bytes(w, log, TRANSPORT_DIGEST_LEN);
}
