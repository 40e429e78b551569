/*
 * TPM 1.2 command authorisation (Part 1 §13-§15; Part 3 §18 and the
 * "1S/2S/HMAC" conventions of every authorised command).
 *
 * Pure computation, no transport: the TSP, the TCS and the tests build
 * and parse the bytes themselves (with common/buf.h) and call these to
 * get digests, HMACs and encrypted auth values.
 *
 * Rules followed here:
 *  - Input parameter digest  1S = SHA1(ordinal || the "1S" params).
 *  - Output parameter digest    = SHA1(returnCode || ordinal || the "1S" out-params).
 *  - Auth HMAC, both directions = HMAC(key, paramDigest || nonceEven || nonceOdd
 *    || continueAuthSession). In a request nonceEven is the last one the TPM
 *    sent (authLastNonceEven); in the response it is the TPM's new one.
 *  - key: for OIAP the entity's usage secret, for OSAP the shared secret
 *    HMAC(entity secret, nonceEvenOSAP || nonceOddOSAP).
 *  - ADIP (Part 1 §14.5): a new secret travels as
 *    secret XOR SHA1(sharedSecret || nonce), nonce being the session's
 *    authLastNonceEven, or nonceOdd where the command says so (e.g. the
 *    migrationAuth of TPM_CreateWrapKey, Part 3 §10.4 step 8).
 *
 * Functions return 0 or a negative errno: -EINVAL misuse, -EBADMSG when a
 * response HMAC does not match, -EIO crypto failure.
 */
#ifndef TSS12_AUTH_H
#define TSS12_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "crypto.h"

#define AUTH_NONCE_LEN 20	/* TPM_NONCE */
#define AUTH_SECRET_LEN 20	/* TPM_AUTHDATA, TPM_SECRET, TPM_ENCAUTH */
#define AUTH_DIGEST_LEN 20	/* TPM_DIGEST */

/* Bytes of a TPM_AUTH trailer: request (handle, nonceOdd, continue, auth), response. */
#define AUTH_REQUEST_TRAILER_LEN (4 + AUTH_NONCE_LEN + 1 + AUTH_SECRET_LEN)
#define AUTH_RESPONSE_TRAILER_LEN (AUTH_NONCE_LEN + 1 + AUTH_SECRET_LEN)

enum auth_session_type {
	AUTH_SESSION_NONE = 0,
	AUTH_SESSION_OIAP,
	AUTH_SESSION_OSAP,
};

/*
 * One authorisation session as seen by its user. Holds a secret for OSAP
 * sessions; end it with auth_session_end() to wipe it.
 */
struct auth_session {
	enum auth_session_type type;
	uint32_t handle;
	uint8_t nonce_even[AUTH_NONCE_LEN];	/* authLastNonceEven */
	uint8_t nonce_odd[AUTH_NONCE_LEN];	/* nonceOdd of the command being built */
	bool continue_session;			/* continueAuthSession to send */
	uint8_t shared_secret[AUTH_SECRET_LEN];	/* OSAP only */
};

/* The auth part of a response: nonceEven, continueAuthSession, resAuth. */
struct auth_response {
	uint8_t nonce_even[AUTH_NONCE_LEN];
	bool continue_session;
	uint8_t hmac[AUTH_SECRET_LEN];
};

/* ---- Session set-up and teardown ---- */

/* From a TPM_OIAP response (Part 3 §18.1): authHandle, nonceEven. */
void auth_session_oiap(struct auth_session *s, uint32_t handle,
		       const uint8_t nonce_even[AUTH_NONCE_LEN]);

/*
 * From a TPM_OSAP exchange (Part 3 §18.2): the nonceOddOSAP we sent, and
 * authHandle, nonceEven and nonceEvenOSAP from the response, plus the
 * entity's usage secret. Derives the shared secret.
 */
int auth_session_osap(struct auth_session *s, uint32_t handle,
		      const uint8_t nonce_even[AUTH_NONCE_LEN],
		      const uint8_t nonce_even_osap[AUTH_NONCE_LEN],
		      const uint8_t nonce_odd_osap[AUTH_NONCE_LEN],
		      const uint8_t entity_secret[AUTH_SECRET_LEN]);

/* sharedSecret = HMAC(entity secret, nonceEvenOSAP || nonceOddOSAP). */
int auth_osap_shared_secret(const uint8_t entity_secret[AUTH_SECRET_LEN],
			    const uint8_t nonce_even_osap[AUTH_NONCE_LEN],
			    const uint8_t nonce_odd_osap[AUTH_NONCE_LEN],
			    uint8_t out[AUTH_SECRET_LEN]);

/* Wipes the session, secrets and nonces included. */
void auth_session_end(struct auth_session *s);

/* ---- Rolling nonces ---- */

/* A fresh random nonceOdd for the next command on this session (Part 1 §13.3). */
int auth_session_new_nonce_odd(struct auth_session *s);
/* A random nonce, e.g. nonceOddOSAP or an anti-replay nonce. */
int auth_random_nonce(uint8_t out[AUTH_NONCE_LEN]);

/* ---- Parameter digests ---- */

/* 1S of a request: SHA1(ordinal || params...). */
int auth_digest_request(uint32_t ordinal, const struct crypto_iov *params, size_t count,
			uint8_t out[AUTH_DIGEST_LEN]);
/* Output digest: SHA1(returnCode || ordinal || params...). */
int auth_digest_response(uint32_t return_code, uint32_t ordinal,
			 const struct crypto_iov *params, size_t count,
			 uint8_t out[AUTH_DIGEST_LEN]);

/* ---- HMACs ---- */

/* HMAC(key, digest || nonceEven || nonceOdd || continue): the one auth formula. */
int auth_hmac(const uint8_t key[AUTH_SECRET_LEN], const uint8_t digest[AUTH_DIGEST_LEN],
	      const uint8_t nonce_even[AUTH_NONCE_LEN], const uint8_t nonce_odd[AUTH_NONCE_LEN],
	      bool continue_session, uint8_t out[AUTH_SECRET_LEN]);

/*
 * The HMAC key a session uses: the OSAP shared secret, or for OIAP the
 * entity secret given (which must then be non-NULL).
 */
int auth_session_key(const struct auth_session *s, const uint8_t *entity_secret,
		     const uint8_t **key);

/*
 * Request authData for this session: HMAC over the input digest with the
 * session's authLastNonceEven, nonceOdd and continue flag. entity_secret
 * is used (and required) for OIAP, ignored for OSAP.
 */
int auth_request_hmac(const struct auth_session *s, const uint8_t *entity_secret,
		      const uint8_t digest[AUTH_DIGEST_LEN], uint8_t out[AUTH_SECRET_LEN]);

/*
 * Checks a response's resAuth in constant time against the output digest,
 * the response's new nonceEven and continue flag, and our nonceOdd. On
 * success rolls the session: nonceEven becomes authLastNonceEven and, if
 * the TPM closed the session, the session is wiped. On mismatch returns
 * -EBADMSG and leaves the session as it was (the caller should end it).
 */
int auth_response_verify(struct auth_session *s, const uint8_t *entity_secret,
			 const uint8_t digest[AUTH_DIGEST_LEN], const struct auth_response *rsp);

/* ---- ADIP: encrypted new secrets (Part 1 §14.5) ---- */

/* out = secret XOR SHA1(shared_secret || nonce). Its own inverse. */
int auth_xor_secret(const uint8_t shared_secret[AUTH_SECRET_LEN],
		    const uint8_t nonce[AUTH_NONCE_LEN], const uint8_t secret[AUTH_SECRET_LEN],
		    uint8_t out[AUTH_SECRET_LEN]);
/* encAuth with the session's authLastNonceEven (the usual case). */
int auth_session_encauth(const struct auth_session *s, const uint8_t secret[AUTH_SECRET_LEN],
			 uint8_t out[AUTH_SECRET_LEN]);
/* encAuth with the session's nonceOdd (CreateWrapKey's migrationAuth and similar). */
int auth_session_encauth_odd(const struct auth_session *s, const uint8_t secret[AUTH_SECRET_LEN],
			     uint8_t out[AUTH_SECRET_LEN]);

/*
 * Sealx input and Unseal output of an encrypted TPM_STORED_DATA12 with
 * TPM_ET_XOR (Part 3 §10.7 step 9, §10.8 step 13): data XOR
 * MGF1(authLastNonceEven || nonceOdd || "XOR" || sharedSecret), using the
 * OSAP session's state before the response rolls it. Its own inverse.
 */
int auth_session_sealx_xor(const struct auth_session *s, const uint8_t *in, size_t len,
			   uint8_t *out);

/* ---- Wire form of the TPM_AUTH trailers ---- */

/* Appends authHandle || nonceOdd || continueAuthSession || authData. */
void auth_put_request(struct buf_writer *w, const struct auth_session *s,
		      const uint8_t hmac[AUTH_SECRET_LEN]);
/* Reads nonceEven || continueAuthSession || resAuth. */
int auth_get_response(struct buf_reader *r, struct auth_response *out);

#endif /* TSS12_AUTH_H */
