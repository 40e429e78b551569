/*
 * Unit tests for common/auth.c.
 *
 * The main evidence is replay: tests/unit/vectors/ holds authorised
 * exchanges with a real TPM 1.2 (libtpms), captured by capture_auth.c.
 * The TPM accepted every request, so recomputing each request's authData
 * from the recorded secrets and nonces, and verifying each response's
 * resAuth, proves the digests, HMACs, OSAP secrets and ADIP encryption
 * match what a TPM computes. Flipping any bit must break verification.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth.h"
#include "buf.h"
#include "crypto.h"
#include "log.h"
#include "vectors.h"

/* Every recorded authorised exchange (name.cmd.hex / name.rsp.hex). */
static const char *const exchanges[] = {
	"takeownership", "ownerreadinternalpub", "createwrapkey_key", "createwrapkey_key12",
	"loadkey2_key", "loadkey2_key12", "getpubkey", "getpubkey_rolled", "seal", "sealx",
	"unseal", "unsealx", "sign", "quote", "quote2", "certifykey", "certifykey2", "createcounter",
	"incrementcounter", "authorizemigrationkey", "makeidentity",
};
#define NUM_EXCHANGES (sizeof(exchanges) / sizeof(exchanges[0]))

/* A recorded exchange, split the way a TSS sees it. */
struct exchange {
	struct vector cmd;
	uint8_t *rsp;
	size_t rsp_len;
	uint32_t ordinal;
	uint32_t nsess;
	uint32_t in_handles, out_handles;
	/* 1S input parameters, output parameters (after the out handles) */
	const uint8_t *in_params;
	size_t in_params_len;
	const uint8_t *out_params;
	size_t out_params_len;
	uint32_t rc;
	struct {
		uint32_t handle;
		uint8_t nonce_odd[20];
		uint8_t cont;
		uint8_t auth[20];
		struct auth_response rsp;
	} s[2];
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void field(const struct exchange *x, int i, const char *name, uint8_t out[20])
{
	char key[64];

	snprintf(key, sizeof(key), "auth%d.%s", i + 1, name);
	assert_int_equal(vector_field_hex(&x->cmd, key, out, 20), 0);
}

static void load_exchange(const char *name, struct exchange *x)
{
	char fname[128];
	struct buf_reader r;
	uint16_t tag = 0;
	uint32_t size = 0, ord = 0;
	size_t trailers;

	memset(x, 0, sizeof(*x));
	snprintf(fname, sizeof(fname), "%s.cmd.hex", name);
	assert_int_equal(vector_load_full(fname, &x->cmd), 0);
	snprintf(fname, sizeof(fname), "%s.rsp.hex", name);
	assert_int_equal(vector_load(fname, &x->rsp, &x->rsp_len), 0);

	assert_int_equal(vector_field_u32(&x->cmd, "ordinal", &x->ordinal), 0);
	assert_int_equal(vector_field_u32(&x->cmd, "sessions", &x->nsess), 0);
	assert_int_equal(vector_field_u32(&x->cmd, "in_handle_bytes", &x->in_handles), 0);
	assert_int_equal(vector_field_u32(&x->cmd, "out_handle_bytes", &x->out_handles), 0);
	assert_true(x->nsess == 1 || x->nsess == 2);

	/* Request: tag, paramSize, ordinal, handles, 1S params, TPM_AUTH trailers. */
	buf_reader_init(&r, x->cmd.data, x->cmd.len);
	buf_get_u16(&r, &tag);
	buf_get_u32(&r, &size);
	buf_get_u32(&r, &ord);
	assert_int_equal(buf_reader_error(&r), 0);
	assert_int_equal(tag, x->nsess == 2 ? 0x00C3 : 0x00C2);
	assert_int_equal(size, x->cmd.len);
	assert_int_equal(ord, x->ordinal);
	trailers = x->nsess * AUTH_REQUEST_TRAILER_LEN;
	assert_true(x->cmd.len >= 10 + x->in_handles + trailers);
	x->in_params = x->cmd.data + 10 + x->in_handles;
	x->in_params_len = x->cmd.len - 10 - x->in_handles - trailers;
	buf_skip(&r, x->in_handles + x->in_params_len);
	for (uint32_t i = 0; i < x->nsess; i++) {
		buf_get_u32(&r, &x->s[i].handle);
		buf_get_bytes(&r, x->s[i].nonce_odd, 20);
		buf_get_u8(&r, &x->s[i].cont);
		buf_get_bytes(&r, x->s[i].auth, 20);
	}
	assert_int_equal(buf_reader_done(&r), 0);

	/* Response: tag, paramSize, returnCode, out handles, params, trailers. */
	buf_reader_init(&r, x->rsp, x->rsp_len);
	buf_get_u16(&r, &tag);
	buf_get_u32(&r, &size);
	buf_get_u32(&r, &x->rc);
	assert_int_equal(buf_reader_error(&r), 0);
	assert_int_equal(tag, x->nsess == 2 ? 0x00C6 : 0x00C5);
	assert_int_equal(size, x->rsp_len);
	assert_int_equal(x->rc, 0);
	trailers = x->nsess * AUTH_RESPONSE_TRAILER_LEN;
	assert_true(x->rsp_len >= 10 + x->out_handles + trailers);
	x->out_params = x->rsp + 10 + x->out_handles;
	x->out_params_len = x->rsp_len - 10 - x->out_handles - trailers;
	buf_skip(&r, x->out_handles + x->out_params_len);
	for (uint32_t i = 0; i < x->nsess; i++)
		assert_int_equal(auth_get_response(&r, &x->s[i].rsp), 0);
	assert_int_equal(buf_reader_done(&r), 0);
}

static void free_exchange(struct exchange *x)
{
	vector_free(&x->cmd);
	free(x->rsp);
}

/*
 * Rebuilds session i as the sender held it before the command: from the
 * recorded OSAP nonces and entity secret (checking the derived shared
 * secret), or the OIAP entity secret; then authLastNonceEven and the
 * nonceOdd/continue found in the request bytes.
 */
static void rebuild_session(const struct exchange *x, int i, struct auth_session *s,
			    uint8_t entity_secret[20])
{
	const char *type;
	char key[64];
	uint8_t key_field[20], nonce_even[20];

	snprintf(key, sizeof(key), "auth%d.type", i + 1);
	type = vector_field(&x->cmd, key);
	assert_non_null(type);
	field(x, i, "key", key_field);
	field(x, i, "nonce_even", nonce_even);
	if (strcmp(type, "osap") == 0) {
		uint8_t ne_osap[20], no_osap[20];

		field(x, i, "entity_secret", entity_secret);
		field(x, i, "nonce_even_osap", ne_osap);
		field(x, i, "nonce_odd_osap", no_osap);
		assert_int_equal(auth_session_osap(s, x->s[i].handle, nonce_even, ne_osap, no_osap,
						   entity_secret), 0);
		/* The derived shared secret is the one the TPM accepted HMACs under. */
		assert_memory_equal(s->shared_secret, key_field, 20);
	} else {
		assert_string_equal(type, "oiap");
		memcpy(entity_secret, key_field, 20);
		auth_session_oiap(s, x->s[i].handle, nonce_even);
	}
	memcpy(s->nonce_odd, x->s[i].nonce_odd, 20);
	assert_true(x->s[i].cont <= 1);
	s->continue_session = x->s[i].cont == 1;
}

static void request_digest(const struct exchange *x, uint8_t d[20])
{
	const struct crypto_iov p = { x->in_params, x->in_params_len };

	assert_int_equal(auth_digest_request(x->ordinal, &p, 1, d), 0);
}

static void response_digest(const struct exchange *x, uint8_t d[20])
{
	const struct crypto_iov p = { x->out_params, x->out_params_len };

	assert_int_equal(auth_digest_response(x->rc, x->ordinal, &p, 1, d), 0);
}

/* ---- replay of every recorded exchange ---- */

static void replay_request_hmacs(void **state)
{
	for (size_t e = 0; e < NUM_EXCHANGES; e++) {
		struct exchange x;
		uint8_t digest[20], hmac[20], secret[20];

		load_exchange(exchanges[e], &x);
		request_digest(&x, digest);
		for (uint32_t i = 0; i < x.nsess; i++) {
			struct auth_session s;

			rebuild_session(&x, (int)i, &s, secret);
			assert_int_equal(auth_request_hmac(&s, secret, digest, hmac), 0);
			if (memcmp(hmac, x.s[i].auth, 20) != 0)
				fail_msg("%s: request HMAC %u differs from the one the TPM accepted",
					 exchanges[e], i + 1);
			auth_session_end(&s);
		}
		free_exchange(&x);
	}
}

static void replay_response_hmacs(void **state)
{
	for (size_t e = 0; e < NUM_EXCHANGES; e++) {
		struct exchange x;
		uint8_t digest[20], secret[20];

		load_exchange(exchanges[e], &x);
		response_digest(&x, digest);
		for (uint32_t i = 0; i < x.nsess; i++) {
			struct auth_session s;
			int rc;

			rebuild_session(&x, (int)i, &s, secret);
			rc = auth_response_verify(&s, secret, digest, &x.s[i].rsp);
			if (rc != 0)
				fail_msg("%s: response HMAC %u does not verify (%d)", exchanges[e],
					 i + 1, rc);
			/* The session rolled: new nonceEven kept, or the session is gone. */
			if (x.s[i].rsp.continue_session) {
				assert_int_equal(s.type == AUTH_SESSION_NONE, 0);
				assert_memory_equal(s.nonce_even, x.s[i].rsp.nonce_even, 20);
			} else {
				assert_int_equal(s.type, AUTH_SESSION_NONE);
			}
			auth_session_end(&s);
		}
		free_exchange(&x);
	}
}

/* Any single flipped bit in the output, the nonces, the flag or resAuth fails. */
static void replay_flipped_bits_fail(void **state)
{
	for (size_t e = 0; e < NUM_EXCHANGES; e++) {
		struct exchange x;
		uint8_t digest[20], secret[20];

		load_exchange(exchanges[e], &x);
		for (uint32_t i = 0; i < x.nsess; i++) {
			struct auth_session s, saved;
			struct auth_response bad;

			rebuild_session(&x, (int)i, &s, secret);
			saved = s;

			/* Output parameter bit (or the return code if there are none). */
			if (x.out_params_len > 0) {
				uint8_t *p = (uint8_t *)x.out_params + x.out_params_len / 2;

				*p ^= 0x10;
				response_digest(&x, digest);
				*p ^= 0x10;
			} else {
				x.rc ^= 1;
				response_digest(&x, digest);
				x.rc ^= 1;
			}
			assert_int_equal(auth_response_verify(&s, secret, digest, &x.s[i].rsp),
					 -EBADMSG);
			/* A failed check leaves the session untouched. */
			assert_int_equal(s.type, saved.type);
			assert_memory_equal(s.nonce_even, saved.nonce_even, 20);
			assert_memory_equal(s.shared_secret, saved.shared_secret, 20);

			response_digest(&x, digest);
			bad = x.s[i].rsp;
			bad.hmac[19] ^= 0x01;
			assert_int_equal(auth_response_verify(&s, secret, digest, &bad), -EBADMSG);
			bad = x.s[i].rsp;
			bad.nonce_even[0] ^= 0x80;
			assert_int_equal(auth_response_verify(&s, secret, digest, &bad), -EBADMSG);
			bad = x.s[i].rsp;
			bad.continue_session = !bad.continue_session;
			assert_int_equal(auth_response_verify(&s, secret, digest, &bad), -EBADMSG);
			s.nonce_odd[5] ^= 0x02;
			assert_int_equal(auth_response_verify(&s, secret, digest, &x.s[i].rsp),
					 -EBADMSG);
			s.nonce_odd[5] ^= 0x02;
			/* A wrong secret. */
			if (s.type == AUTH_SESSION_OSAP)
				s.shared_secret[0] ^= 1;
			else
				secret[0] ^= 1;
			assert_int_equal(auth_response_verify(&s, secret, digest, &x.s[i].rsp),
					 -EBADMSG);
			auth_session_end(&s);
		}
		free_exchange(&x);
	}
}

/* A changed request parameter changes the request HMAC. */
static void replay_changed_request_fails(void **state)
{
	for (size_t e = 0; e < NUM_EXCHANGES; e++) {
		struct exchange x;
		uint8_t digest[20], hmac[20], secret[20];
		struct auth_session s;

		load_exchange(exchanges[e], &x);
		rebuild_session(&x, 0, &s, secret);
		if (x.in_params_len > 0) {
			x.cmd.data[10 + x.in_handles] ^= 0x01;
			request_digest(&x, digest);
		} else {
			x.ordinal ^= 0x100;
			request_digest(&x, digest);
		}
		assert_int_equal(auth_request_hmac(&s, secret, digest, hmac), 0);
		assert_memory_not_equal(hmac, x.s[0].auth, 20);
		auth_session_end(&s);
		free_exchange(&x);
	}
}

/* ---- OSAP, ADIP and Sealx from the vectors ---- */

static void osap_exchanges(void **state)
{
	static const char *const names[] = { "osap_owner", "osap_srk" };

	for (size_t i = 0; i < 2; i++) {
		struct vector cmd;
		uint8_t *rsp, secret[20], shared[20], want[20];
		size_t rsp_len;
		char fname[64];

		snprintf(fname, sizeof(fname), "%s.cmd.hex", names[i]);
		assert_int_equal(vector_load_full(fname, &cmd), 0);
		snprintf(fname, sizeof(fname), "%s.rsp.hex", names[i]);
		assert_int_equal(vector_load(fname, &rsp, &rsp_len), 0);
		/* TPM_OSAP: ..., nonceOddOSAP last in the request; handle, nonceEven, nonceEvenOSAP. */
		assert_int_equal(cmd.len, 36);
		assert_int_equal(rsp_len, 10 + 4 + 20 + 20);
		assert_int_equal(be32(cmd.data + 6), 0x0B);
		assert_int_equal(vector_field_hex(&cmd, "entity_secret", secret, 20), 0);
		assert_int_equal(vector_field_hex(&cmd, "shared_secret", want, 20), 0);
		assert_int_equal(auth_osap_shared_secret(secret, rsp + 34, cmd.data + 16, shared), 0);
		assert_memory_equal(shared, want, 20);
		/* The order of the nonces matters. */
		assert_int_equal(auth_osap_shared_secret(secret, cmd.data + 16, rsp + 34, shared), 0);
		assert_memory_not_equal(shared, want, 20);
		vector_free(&cmd);
		free(rsp);
	}
}

static void adip_encauth(void **state)
{
	int checked = 0;

	for (size_t e = 0; e < NUM_EXCHANGES; e++) {
		struct exchange x;
		struct auth_session sess[2];
		uint8_t secret[20];

		load_exchange(exchanges[e], &x);
		for (uint32_t i = 0; i < x.nsess; i++)
			rebuild_session(&x, (int)i, &sess[i], secret);
		for (int a = 1; a <= 4; a++) {
			char key[64];
			const char *nonce;
			uint32_t session = 0, offset = 0;
			uint8_t plain[20], enc[20], back[20];

			snprintf(key, sizeof(key), "adip%d.plain", a);
			if (vector_field_hex(&x.cmd, key, plain, 20) == -ENOENT)
				break;
			snprintf(key, sizeof(key), "adip%d.session", a);
			assert_int_equal(vector_field_u32(&x.cmd, key, &session), 0);
			snprintf(key, sizeof(key), "adip%d.offset", a);
			assert_int_equal(vector_field_u32(&x.cmd, key, &offset), 0);
			snprintf(key, sizeof(key), "adip%d.nonce", a);
			nonce = vector_field(&x.cmd, key);
			assert_non_null(nonce);
			assert_true(session >= 1 && session <= x.nsess);
			assert_true(offset + 20 <= x.cmd.len);

			if (strcmp(nonce, "odd") == 0)
				assert_int_equal(auth_session_encauth_odd(&sess[session - 1], plain, enc), 0);
			else
				assert_int_equal(auth_session_encauth(&sess[session - 1], plain, enc), 0);
			if (memcmp(enc, x.cmd.data + offset, 20) != 0)
				fail_msg("%s: adip%d differs from the encAuth the TPM accepted",
					 exchanges[e], a);
			/* XOR encryption is its own inverse. */
			assert_int_equal(auth_xor_secret(sess[session - 1].shared_secret,
							 strcmp(nonce, "odd") == 0 ?
							 sess[session - 1].nonce_odd :
							 sess[session - 1].nonce_even, enc, back), 0);
			assert_memory_equal(back, plain, 20);
			/* The other nonce gives something else. */
			if (strcmp(nonce, "odd") == 0)
				assert_int_equal(auth_session_encauth(&sess[session - 1], plain, enc), 0);
			else
				assert_int_equal(auth_session_encauth_odd(&sess[session - 1], plain, enc), 0);
			assert_memory_not_equal(enc, x.cmd.data + offset, 20);
			checked++;
		}
		for (uint32_t i = 0; i < x.nsess; i++)
			auth_session_end(&sess[i]);
		free_exchange(&x);
	}
	/* CreateWrapKey x2 (two each), Seal, Sealx, CreateCounter, MakeIdentity. */
	assert_int_equal(checked, 8);
}

static void sealx_encryption(void **state)
{
	struct exchange x, u;
	struct auth_session s;
	uint8_t secret[20], buf[256];
	uint32_t offset = 0, len = 0, out_len;
	const char *plain_hex;
	uint8_t plain[256];

	/* Sealx: the input data went out MGF1-XOR-encrypted under the OSAP session. */
	load_exchange("sealx", &x);
	rebuild_session(&x, 0, &s, secret);
	assert_int_equal(vector_field_u32(&x.cmd, "sealx.offset", &offset), 0);
	assert_int_equal(vector_field_u32(&x.cmd, "sealx.len", &len), 0);
	assert_true(len <= sizeof(plain) && offset + len <= x.cmd.len);
	plain_hex = vector_field(&x.cmd, "sealx.plain");
	assert_non_null(plain_hex);
	assert_int_equal(vector_unhex(plain_hex, plain, len), 0);
	assert_int_equal(auth_session_sealx_xor(&s, plain, len, buf), 0);
	assert_memory_equal(buf, x.cmd.data + offset, len);
	assert_memory_not_equal(buf, plain, len);
	auth_session_end(&s);

	/* Unseal of that blob: the secret comes back encrypted the same way (parent session). */
	load_exchange("unsealx", &u);
	rebuild_session(&u, 0, &s, secret);
	assert_int_equal(s.type, AUTH_SESSION_OSAP);
	out_len = be32(u.out_params);
	assert_int_equal(out_len, len);
	assert_true(4 + out_len <= u.out_params_len);
	assert_int_equal(auth_session_sealx_xor(&s, u.out_params + 4, out_len, buf), 0);
	assert_memory_equal(buf, plain, len);
	/* The TPM ends the session after an encrypted unseal (Part 3 §10.8). */
	assert_false(u.s[0].rsp.continue_session);
	/* An OIAP session cannot do it. */
	auth_session_oiap(&s, 1, u.s[0].rsp.nonce_even);
	assert_int_equal(auth_session_sealx_xor(&s, plain, len, buf), -EINVAL);
	free_exchange(&x);
	free_exchange(&u);
}

static void rolling_nonces(void **state)
{
	struct exchange a, b;
	uint8_t ne[20];

	/* Two commands on one OIAP session: the second used the first response's nonceEven. */
	load_exchange("getpubkey", &a);
	load_exchange("getpubkey_rolled", &b);
	assert_int_equal(a.s[0].handle, b.s[0].handle);
	assert_true(a.s[0].cont == 1 && a.s[0].rsp.continue_session);
	field(&b, 0, "nonce_even", ne);
	assert_memory_equal(ne, a.s[0].rsp.nonce_even, 20);
	/* And a fresh nonceOdd per command. */
	assert_memory_not_equal(a.s[0].nonce_odd, b.s[0].nonce_odd, 20);
	free_exchange(&a);
	free_exchange(&b);
}

/* ---- the API on its own ---- */

static void session_api(void **state)
{
	struct auth_session s, zero;
	uint8_t ne[20], secret[20], out[20], odd1[20];

	memset(ne, 0x11, 20);
	memset(secret, 0x22, 20);
	memset(&zero, 0, sizeof(zero));

	auth_session_oiap(&s, 0x02000000, ne);
	assert_int_equal(s.type, AUTH_SESSION_OIAP);
	assert_true(s.continue_session);
	/* OIAP needs the entity secret for each HMAC and has nothing to pad ADIP with. */
	assert_int_equal(auth_request_hmac(&s, NULL, ne, out), -EINVAL);
	assert_int_equal(auth_session_encauth(&s, secret, out), -EINVAL);
	assert_int_equal(auth_session_encauth_odd(&s, secret, out), -EINVAL);
	assert_int_equal(auth_session_new_nonce_odd(&s), 0);
	memcpy(odd1, s.nonce_odd, 20);
	assert_int_equal(auth_session_new_nonce_odd(&s), 0);
	assert_memory_not_equal(odd1, s.nonce_odd, 20);

	assert_int_equal(auth_session_osap(&s, 7, ne, ne, odd1, secret), 0);
	assert_int_equal(s.type, AUTH_SESSION_OSAP);
	assert_int_equal(auth_request_hmac(&s, NULL, ne, out), 0);
	auth_session_end(&s);
	/* Ended: secrets and nonces gone, and the session refuses use. */
	assert_memory_equal(&s, &zero, sizeof(s));
	assert_int_equal(auth_session_new_nonce_odd(&s), -EINVAL);
	assert_int_equal(auth_request_hmac(&s, secret, ne, out), -EINVAL);
}

static void hmac_formula(void **state)
{
	uint8_t key[20], d[20], ne[20], no[20], got[20], want[20];
	uint8_t msg[61];

	memset(key, 1, 20);
	memset(d, 2, 20);
	memset(ne, 3, 20);
	memset(no, 4, 20);
	/* Part 1 §13.1: HMAC(key, digest || nonceEven || nonceOdd || continue). */
	memcpy(msg, d, 20);
	memcpy(msg + 20, ne, 20);
	memcpy(msg + 40, no, 20);
	msg[60] = 1;
	assert_int_equal(crypto_hmac_sha1(key, 20, msg, sizeof(msg), want), 0);
	assert_int_equal(auth_hmac(key, d, ne, no, true, got), 0);
	assert_memory_equal(got, want, 20);
	msg[60] = 0;
	assert_int_equal(crypto_hmac_sha1(key, 20, msg, sizeof(msg), want), 0);
	assert_int_equal(auth_hmac(key, d, ne, no, false, got), 0);
	assert_memory_equal(got, want, 20);
	/* Swapping the nonces is a different HMAC. */
	assert_int_equal(auth_hmac(key, d, no, ne, false, got), 0);
	assert_memory_not_equal(got, want, 20);
}

static void digests(void **state)
{
	static const uint8_t ord_be[8] = { 0, 0, 0, 0, 0, 0, 0, 0x3c };
	uint8_t got[20], want[20];
	const struct crypto_iov p[] = { { "ab", 2 }, { "c", 1 } };

	/* 1S = SHA1(ordinal || params); out = SHA1(rc || ordinal || params). */
	assert_int_equal(auth_digest_request(0x3c, p, 2, got), 0);
	assert_int_equal(CRYPTO_SHA1_PIECES(want, { ord_be + 4, 4 }, { "abc", 3 }), 0);
	assert_memory_equal(got, want, 20);
	assert_int_equal(auth_digest_response(0, 0x3c, p, 2, got), 0);
	assert_int_equal(CRYPTO_SHA1_PIECES(want, { ord_be, 8 }, { "abc", 3 }), 0);
	assert_memory_equal(got, want, 20);
	assert_int_equal(auth_digest_request(0x3c, NULL, 0, got), 0);
	assert_int_equal(crypto_sha1(ord_be + 4, 4, want), 0);
	assert_memory_equal(got, want, 20);
	assert_int_equal(auth_digest_request(0x3c, NULL, 1, got), -EINVAL);
}

static void wire_trailers(void **state)
{
	struct auth_session s;
	uint8_t ne[20], hmac[20], mem[64], rsp[41];
	struct buf_writer w;
	struct buf_reader r;
	struct auth_response ar;

	memset(ne, 0xAB, 20);
	memset(hmac, 0xCD, 20);
	auth_session_oiap(&s, 0x01020304, ne);
	memset(s.nonce_odd, 0xEF, 20);
	s.continue_session = false;
	buf_writer_init_fixed(&w, mem, sizeof(mem));
	auth_put_request(&w, &s, hmac);
	assert_int_equal(buf_writer_error(&w), 0);
	assert_int_equal(buf_writer_len(&w), AUTH_REQUEST_TRAILER_LEN);
	assert_int_equal(be32(mem), 0x01020304);
	assert_int_equal(mem[4], 0xEF);
	assert_int_equal(mem[24], 0);
	assert_int_equal(mem[25], 0xCD);
	/* Too little room: the writer's sticky error, not an overflow. */
	buf_writer_init_fixed(&w, mem, 44);
	auth_put_request(&w, &s, hmac);
	assert_int_equal(buf_writer_error(&w), -ENOSPC);

	memset(rsp, 0x55, sizeof(rsp));
	rsp[20] = 1;
	buf_reader_init(&r, rsp, sizeof(rsp));
	assert_int_equal(auth_get_response(&r, &ar), 0);
	assert_true(ar.continue_session);
	assert_int_equal(ar.hmac[0], 0x55);
	assert_int_equal(buf_reader_done(&r), 0);
	/* Truncated trailer. */
	buf_reader_init(&r, rsp, sizeof(rsp) - 1);
	assert_int_equal(auth_get_response(&r, &ar), -EBADMSG);
	assert_false(ar.continue_session);
	assert_int_equal(ar.nonce_even[0], 0);
	/* continueAuthSession must be a TPM_BOOL. */
	rsp[20] = 2;
	buf_reader_init(&r, rsp, sizeof(rsp));
	assert_int_equal(auth_get_response(&r, &ar), -EBADMSG);
}

static void xor_secret_inverse(void **state)
{
	uint8_t ss[20], n[20], secret[20], enc[20], back[20];

	memset(ss, 9, 20);
	memset(n, 8, 20);
	memset(secret, 7, 20);
	assert_int_equal(auth_xor_secret(ss, n, secret, enc), 0);
	assert_memory_not_equal(enc, secret, 20);
	assert_int_equal(auth_xor_secret(ss, n, enc, back), 0);
	assert_memory_equal(back, secret, 20);
	/* In place is allowed. */
	assert_int_equal(auth_xor_secret(ss, n, back, back), 0);
	assert_memory_equal(back, enc, 20);
}

static void vector_loader(void **state)
{
	static const char text[] =
		"# a comment that is not a field\n"
		"# key_1=00ff\n"
		"#n=0x10\n"
		"0a 0B\n\t0c\n";
	struct vector v;
	uint8_t two[2];
	uint32_t n;
	uint8_t *data;
	size_t len;

	assert_int_equal(vector_parse(text, strlen(text), &v), 0);
	assert_int_equal(v.len, 3);
	assert_int_equal(v.data[1], 0x0b);
	assert_int_equal(v.nfields, 2);
	assert_int_equal(vector_field_hex(&v, "key_1", two, 2), 0);
	assert_int_equal(two[1], 0xff);
	assert_int_equal(vector_field_hex(&v, "key_1", two, 1), -EBADMSG);
	assert_int_equal(vector_field_u32(&v, "n", &n), 0);
	assert_int_equal(n, 16);
	assert_null(vector_field(&v, "missing"));
	assert_int_equal(vector_field_u32(&v, "missing", &n), -ENOENT);
	vector_free(&v);
	assert_int_equal(vector_parse("0a0", 3, &v), -EBADMSG);
	assert_int_equal(vector_parse("0x", 2, &v), -EBADMSG);
	assert_int_equal(vector_load("no-such-vector.hex", &data, &len), -ENOENT);
	assert_int_equal(vector_load("../Makefile.am", &data, &len), -EINVAL);
	assert_null(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replay_request_hmacs),
		cmocka_unit_test(replay_response_hmacs),
		cmocka_unit_test(replay_flipped_bits_fail),
		cmocka_unit_test(replay_changed_request_fails),
		cmocka_unit_test(osap_exchanges),
		cmocka_unit_test(adip_encauth),
		cmocka_unit_test(sealx_encryption),
		cmocka_unit_test(rolling_nonces),
		cmocka_unit_test(session_api),
		cmocka_unit_test(hmac_formula),
		cmocka_unit_test(digests),
		cmocka_unit_test(wire_trailers),
		cmocka_unit_test(xor_secret_inverse),
		cmocka_unit_test(vector_loader),
	};

	log_init("test_auth", LOG_SINK_NONE, LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
