/* TPM 1.2 authorisation computations; see auth.h for the rules followed. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "buf.h"
#include "crypto.h"

void auth_session_oiap(struct auth_session *s, uint32_t handle,
		       const uint8_t nonce_even[AUTH_NONCE_LEN])
{
	memset(s, 0, sizeof(*s));
	s->type = AUTH_SESSION_OIAP;
	s->handle = handle;
	memcpy(s->nonce_even, nonce_even, AUTH_NONCE_LEN);
	s->continue_session = true;
}

int auth_osap_shared_secret(const uint8_t entity_secret[AUTH_SECRET_LEN],
			    const uint8_t nonce_even_osap[AUTH_NONCE_LEN],
			    const uint8_t nonce_odd_osap[AUTH_NONCE_LEN],
			    uint8_t out[AUTH_SECRET_LEN])
{
	/* Part 1 §13.2.1 / Part 3 §18.2: even before odd, keyed by the entity secret. */
	const struct crypto_iov msg[] = {
		{ nonce_even_osap, AUTH_NONCE_LEN },
		{ nonce_odd_osap, AUTH_NONCE_LEN },
	};

	return crypto_hmac_sha1_iov(entity_secret, AUTH_SECRET_LEN, msg, 2, out);
}

int auth_session_osap(struct auth_session *s, uint32_t handle,
		      const uint8_t nonce_even[AUTH_NONCE_LEN],
		      const uint8_t nonce_even_osap[AUTH_NONCE_LEN],
		      const uint8_t nonce_odd_osap[AUTH_NONCE_LEN],
		      const uint8_t entity_secret[AUTH_SECRET_LEN])
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = auth_osap_shared_secret(entity_secret, nonce_even_osap, nonce_odd_osap,
				     s->shared_secret);
	if (rc != 0) {
		auth_session_end(s);
		return rc;
	}
	s->type = AUTH_SESSION_OSAP;
	s->handle = handle;
	memcpy(s->nonce_even, nonce_even, AUTH_NONCE_LEN);
	s->continue_session = true;
	return 0;
}

void auth_session_end(struct auth_session *s)
{
	crypto_wipe(s, sizeof(*s));
	s->type = AUTH_SESSION_NONE;
}

int auth_random_nonce(uint8_t out[AUTH_NONCE_LEN])
{
	return crypto_random(out, AUTH_NONCE_LEN);
}

int auth_session_new_nonce_odd(struct auth_session *s)
{
	if (s->type == AUTH_SESSION_NONE)
		return -EINVAL;
	return auth_random_nonce(s->nonce_odd);
}

/* SHA1(prefix || params...), prefix being 4 or 8 bytes of big-endian words. */
static int digest_with_prefix(const uint8_t *prefix, size_t prefix_len,
			      const struct crypto_iov *params, size_t count,
			      uint8_t out[AUTH_DIGEST_LEN])
{
	struct crypto_sha1_ctx ctx;
	int rc;

	memset(out, 0, AUTH_DIGEST_LEN);
	if (params == NULL && count != 0)
		return -EINVAL;
	if ((rc = crypto_sha1_init(&ctx)) != 0)
		return rc;
	if ((rc = crypto_sha1_update(&ctx, prefix, prefix_len)) != 0)
		goto fail;
	for (size_t i = 0; i < count; i++)
		if ((rc = crypto_sha1_update(&ctx, params[i].p, params[i].n)) != 0)
			goto fail;
	return crypto_sha1_final(&ctx, out);
fail:
	crypto_sha1_abort(&ctx);
	return rc;
}

int auth_digest_request(uint32_t ordinal, const struct crypto_iov *params, size_t count,
			uint8_t out[AUTH_DIGEST_LEN])
{
	uint8_t prefix[4];

	buf_store_be32(prefix, ordinal);
	return digest_with_prefix(prefix, sizeof(prefix), params, count, out);
}

int auth_digest_response(uint32_t return_code, uint32_t ordinal,
			 const struct crypto_iov *params, size_t count,
			 uint8_t out[AUTH_DIGEST_LEN])
{
	uint8_t prefix[8];

	buf_store_be32(prefix, return_code);
	buf_store_be32(prefix + 4, ordinal);
	return digest_with_prefix(prefix, sizeof(prefix), params, count, out);
}

int auth_hmac(const uint8_t key[AUTH_SECRET_LEN], const uint8_t digest[AUTH_DIGEST_LEN],
	      const uint8_t nonce_even[AUTH_NONCE_LEN], const uint8_t nonce_odd[AUTH_NONCE_LEN],
	      bool continue_session, uint8_t out[AUTH_SECRET_LEN])
{
	const uint8_t cont = continue_session ? 1 : 0;
	const struct crypto_iov msg[] = {
		{ digest, AUTH_DIGEST_LEN },
		{ nonce_even, AUTH_NONCE_LEN },
		{ nonce_odd, AUTH_NONCE_LEN },
		{ &cont, 1 },
	};

	return crypto_hmac_sha1_iov(key, AUTH_SECRET_LEN, msg, 4, out);
}

int auth_session_key(const struct auth_session *s, const uint8_t *entity_secret,
		     const uint8_t **key)
{
	*key = NULL;
	switch (s->type) {
	case AUTH_SESSION_OSAP:
		*key = s->shared_secret;
		return 0;
	case AUTH_SESSION_OIAP:
		/* OIAP binds to no entity: each command names whose secret keys it. */
		if (entity_secret == NULL)
			return -EINVAL;
		*key = entity_secret;
		return 0;
	default:
		return -EINVAL;
	}
}

int auth_request_hmac(const struct auth_session *s, const uint8_t *entity_secret,
		      const uint8_t digest[AUTH_DIGEST_LEN], uint8_t out[AUTH_SECRET_LEN])
{
	const uint8_t *key;
	int rc;

	memset(out, 0, AUTH_SECRET_LEN);
	if ((rc = auth_session_key(s, entity_secret, &key)) != 0)
		return rc;
	return auth_hmac(key, digest, s->nonce_even, s->nonce_odd, s->continue_session, out);
}

int auth_response_verify(struct auth_session *s, const uint8_t *entity_secret,
			 const uint8_t digest[AUTH_DIGEST_LEN], const struct auth_response *rsp)
{
	uint8_t expect[AUTH_SECRET_LEN];
	const uint8_t *key;
	int rc;

	if ((rc = auth_session_key(s, entity_secret, &key)) != 0)
		return rc;
	rc = auth_hmac(key, digest, rsp->nonce_even, s->nonce_odd, rsp->continue_session, expect);
	if (rc != 0)
		goto out;
	if (!crypto_memeq(expect, rsp->hmac, AUTH_SECRET_LEN)) {
		rc = -EBADMSG;
		goto out;
	}
	/* Part 1 §13.3: the TPM's new nonceEven authorises our next command. */
	memcpy(s->nonce_even, rsp->nonce_even, AUTH_NONCE_LEN);
	if (!rsp->continue_session)
		auth_session_end(s);
out:
	crypto_wipe(expect, sizeof(expect));
	return rc;
}

int auth_xor_secret(const uint8_t shared_secret[AUTH_SECRET_LEN],
		    const uint8_t nonce[AUTH_NONCE_LEN], const uint8_t secret[AUTH_SECRET_LEN],
		    uint8_t out[AUTH_SECRET_LEN])
{
	uint8_t pad[CRYPTO_SHA1_LEN];
	int rc;

	rc = CRYPTO_SHA1_PIECES(pad, { shared_secret, AUTH_SECRET_LEN }, { nonce, AUTH_NONCE_LEN });
	if (rc != 0) {
		memset(out, 0, AUTH_SECRET_LEN);
		return rc;
	}
	/* Byte-wise so that out may alias secret. */
	for (size_t i = 0; i < AUTH_SECRET_LEN; i++)
		out[i] = secret[i] ^ pad[i];
	crypto_wipe(pad, sizeof(pad));
	return 0;
}

int auth_session_encauth(const struct auth_session *s, const uint8_t secret[AUTH_SECRET_LEN],
			 uint8_t out[AUTH_SECRET_LEN])
{
	/* Only an OSAP (or DSAP) session has a secret shared with the TPM to pad with. */
	if (s->type != AUTH_SESSION_OSAP)
		return -EINVAL;
	return auth_xor_secret(s->shared_secret, s->nonce_even, secret, out);
}

int auth_session_encauth_odd(const struct auth_session *s, const uint8_t secret[AUTH_SECRET_LEN],
			     uint8_t out[AUTH_SECRET_LEN])
{
	if (s->type != AUTH_SESSION_OSAP)
		return -EINVAL;
	return auth_xor_secret(s->shared_secret, s->nonce_odd, secret, out);
}

int auth_session_sealx_xor(const struct auth_session *s, const uint8_t *in, size_t len,
			   uint8_t *out)
{
	static const char xor_label[3] = { 'X', 'O', 'R' };
	const struct crypto_iov seed[] = {
		{ s->nonce_even, AUTH_NONCE_LEN },
		{ s->nonce_odd, AUTH_NONCE_LEN },
		{ xor_label, sizeof(xor_label) },
		{ s->shared_secret, AUTH_SECRET_LEN },
	};
	uint8_t *pad;
	int rc;

	if (s->type != AUTH_SESSION_OSAP || (len != 0 && (in == NULL || out == NULL)))
		return -EINVAL;
	if (len == 0)
		return 0;
	pad = malloc(len);
	if (pad == NULL)
		return -ENOMEM;
	if ((rc = crypto_mgf1_sha1(seed, 4, pad, len)) == 0) {
		for (size_t i = 0; i < len; i++)
			out[i] = in[i] ^ pad[i];
	}
	crypto_wipe(pad, len);
	free(pad);
	return rc;
}

void auth_put_request(struct buf_writer *w, const struct auth_session *s,
		      const uint8_t hmac[AUTH_SECRET_LEN])
{
	buf_put_u32(w, s->handle);
	buf_put_bytes(w, s->nonce_odd, AUTH_NONCE_LEN);
	buf_put_u8(w, s->continue_session ? 1 : 0);
	buf_put_bytes(w, hmac, AUTH_SECRET_LEN);
}

int auth_get_response(struct buf_reader *r, struct auth_response *out)
{
	uint8_t cont = 0;

	memset(out, 0, sizeof(*out));
	buf_get_bytes(r, out->nonce_even, AUTH_NONCE_LEN);
	buf_get_u8(r, &cont);
	buf_get_bytes(r, out->hmac, AUTH_SECRET_LEN);
	if (buf_reader_error(r) == 0 && cont > 1) {
		/* TPM_BOOL is 0 or 1; the HMAC covers the byte as sent, so never coerce it. */
		buf_reader_fail(r, -EBADMSG);
	}
	if (buf_reader_error(r) != 0) {
		memset(out, 0, sizeof(*out));
		return buf_reader_error(r);
	}
	out->continue_session = cont == 1;
	return 0;
}
