/*
 * Client-side authorisation sessions (TPM 1.2 Part 1 §13-§15): OIAP,
 * OSAP and DSAP run through the TCS, HMACs computed here with
 * common/auth.h and the policy secrets of secret.h.
 *
 * One struct session authorises one command. Typical authorised command
 * (see tspi_tpm.c for real ones):
 *
 *	struct session s;
 *	TPM_AUTH auth;
 *	BYTE digest[20];
 *
 *	rc = session_oiap(ctx, key->usage_policy, key->handle, &s);
 *	// 1S digest of the command: auth_digest_request(TPM_ORD_x, ...)
 *	rc = session_auth(&s, TPM_ORD_x, digest, &auth);
 *	... rpc_put_auth(m, &auth); rc = rpc_call(m); rpc_get_auth(m, &auth) ...
 *	// output digest: auth_digest_response(rc, TPM_ORD_x, ...)
 *	if (rc == TSS_SUCCESS)
 *		rc = session_verify(&s, digest, &auth);	// TSS_E_TSP_AUTHFAIL on mismatch
 *	session_end(&s, rc);
 *
 * Reuse: an OIAP session that the TPM keeps open is cached in the
 * context and handed out again by the next session_oiap() (saves the
 * OIAP round trip; OIAP sessions are not bound to an entity, Part 1
 * §13.2). OSAP sessions are bound to one entity and not cached.
 * session_end() returns a good OIAP session to the cache, or forgets it
 * when the command failed (the TPM then closed it) — so a command that
 * fails with an auth error never poisons the next one. If a cached
 * session turned out to be dead (TPM_INVALID_AUTHHANDLE, e.g. the TCS
 * swapped it out), session_retry() says so: the caller may retry once.
 *
 * All calls with the context locked.
 */
#ifndef TSS12_TSPI_SESSION_H
#define TSS12_TSPI_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "crypto.h"
#include "tss/tspi.h"
#include "tss/tcs_structs.h"

struct tspi_ctx;

struct session {
	struct tspi_ctx *ctx;
	struct auth_session s;		/* handle, nonces, OSAP shared secret */
	TSS_HPOLICY policy;		/* whose secret authorises */
	TSS_HOBJECT authorized;		/* the object (for callback policies) */
	BYTE secret[20];		/* entity usage secret (wiped at end) */
	bool callback;			/* HMACs from the application */
	bool from_cache;		/* a reused OIAP session */
	bool open;			/* the TPM still holds it */
	bool continue_session;		/* what the last session_auth asked */
	UINT32 ordinal;			/* of the command being authorised */
	BYTE nonce_even_osap[20];	/* callback policies need these */
	BYTE nonce_odd_osap[20];
};

/* An OIAP session (cached one if available) for the entity whose usage
 * secret is in policy; authorized is the object being authorised. */
TSS_RESULT session_oiap(struct tspi_ctx *ctx, TSS_HPOLICY policy, TSS_HOBJECT authorized,
			struct session *s);

/* A new OSAP session for entity (TPM_ET_*, Part 2 §4.4) and its value
 * (key handle as the TCS knows it, TPM_KH_OWNER/SRK, ...). */
TSS_RESULT session_osap(struct tspi_ctx *ctx, TSS_HPOLICY policy, TSS_HOBJECT authorized,
			UINT16 entity_type, UINT32 entity_value, struct session *s);

/*
 * session_oiap() + session_auth() for one command whose input parameter
 * digest (1S) is SHA1(ordinal || params[0] || ...). On failure nothing is
 * left open: the caller ends s only after a success.
 */
TSS_RESULT session_oiap_begin(struct tspi_ctx *ctx, TSS_HPOLICY policy, TSS_HOBJECT authorized,
			      UINT32 ordinal, const struct crypto_iov *params, size_t n_params,
			      struct session *s, TPM_AUTH *auth);

/*
 * Fills auth for a request whose input parameter digest (1S) is given:
 * fresh nonceOdd, continueAuthSession (TRUE for OIAP so the session can
 * be reused; FALSE for OSAP unless session_keep_open was called), HMAC.
 */
TSS_RESULT session_auth(struct session *s, UINT32 ordinal, const BYTE digest[20],
			TPM_AUTH *auth);
/* Asks to continue an OSAP session (several commands on one entity). */
void session_keep_open(struct session *s, bool keep);

/*
 * Checks the reply's HMAC (auth holds nonceEven, continue, HMAC as
 * rpc_get_auth left them) over the output parameter digest; rolls the
 * nonces. Mismatch: TSP_ERROR(TSS_E_TSP_AUTHFAIL).
 */
TSS_RESULT session_verify(struct session *s, const BYTE digest[20], const TPM_AUTH *auth);

/*
 * session_verify() of a successful command's reply, its output parameter
 * digest (1S) being SHA1(TPM_SUCCESS || ordinal || outs[0] || ...), the
 * ordinal the one session_auth() authorised. n_outs may be 0 (a command
 * whose only output is the auth trailer).
 */
TSS_RESULT session_verify_outputs(struct session *s, const TPM_AUTH *auth,
				  const struct crypto_iov *outs, size_t n_outs);
/* The same with the pieces inline: SESSION_VERIFY_PIECES(&s, &auth, {p, n}, ...). */
#define SESSION_VERIFY_PIECES(s, auth, ...)                                             \
	session_verify_outputs((s), (auth), (struct crypto_iov[]){ __VA_ARGS__ },      \
			       CRYPTO_IOV_COUNT(__VA_ARGS__))

/* ADIP (Part 1 §14.5): encAuth = secret XOR SHA1(sharedSecret || lastNonceEven). OSAP only. */
TSS_RESULT session_encauth(struct session *s, const BYTE secret[20], BYTE encauth[20]);
/* Same with nonceOdd (CreateWrapKey's migration secret, Part 3 §10.4);
 * call after session_auth so the nonceOdd is the one sent. */
TSS_RESULT session_encauth_odd(struct session *s, const BYTE secret[20], BYTE encauth[20]);

/*
 * Ends the session after its command: cmd_rc is what the command
 * returned. Caches a healthy OIAP session, otherwise terminates it at the
 * TCS if still open, and wipes the secrets.
 */
void session_end(struct session *s, TSS_RESULT cmd_rc);

/* True if cmd_rc says a reused session had died (retry once with a new
 * one). Call it before session_end(), which wipes s. */
bool session_retry(const struct session *s, TSS_RESULT cmd_rc);

/* Context close: forgets (and terminates) the cached sessions. */
void session_cache_free(struct tspi_ctx *ctx);

/*
 * Delegation (TPM 1.2 Part 1 §20, TSS 1.2 §4.3.4.8.3): a policy may carry
 * an owner or key delegation blob, or the row index of an owner delegation
 * cached in the TPM. Its secret is then the delegated secret, and both
 * session_oiap() and session_osap() open a DSAP session (Part 3 §18.3) on
 * the delegation instead: the HMACs and ADIP then use the DSAP shared
 * secret HMAC(delegated secret, nonceEvenDSAP || nonceOddDSAP), exactly
 * like OSAP. A key delegation names its key by the TCS handle of the
 * object being authorised (OIAP callers) or the OSAP entity value.
 *
 * The policy object holds the data below (tspi_policy.c); tspi_delegate.c
 * parses the blobs and the TPM's tables.
 */
struct policy_delegation {
	UINT32 type;			/* TSS_DELEGATIONTYPE_NONE/_OWNER/_KEY */
	UINT32 per1, per2;		/* permissions for a delegation to be created */
	bool index_set;			/* 0 is a valid row */
	UINT32 index;
	BYTE *blob;			/* TPM_DELEGATE_OWNER_BLOB / _KEY_BLOB */
	UINT32 blob_len;
};

/* The delegation part of policy h in ctx, or NULL (context locked). */
struct policy_delegation *policy_delegation(struct tspi_ctx *ctx, TSS_HPOLICY h);
/* Forgets blob, index and permissions (type NONE). */
void policy_delegation_clear(struct policy_delegation *d);
/*
 * Stores a blob; type 0 takes it from the blob's tag, else the tag must
 * match (TSS_E_BAD_PARAMETER otherwise, and for anything not a blob).
 */
TSS_RESULT policy_delegation_set_blob(struct policy_delegation *d, UINT32 type, const BYTE *blob,
				      UINT32 len);

/* TPM_DELEGATE_PUBLIC (Part 2 §20.9), the part of a delegation anyone may read. */
struct delegate_public {
	BYTE label;
	BYTE locality_at_release;
	UINT16 size_of_select;
	BYTE select[4];
	BYTE digest_at_release[20];
	UINT32 delegate_type;		/* TPM_DEL_OWNER_BITS / TPM_DEL_KEY_BITS */
	UINT32 per1, per2;
	UINT32 family_id;
	UINT32 verification_count;
};

/*
 * The public part of the delegation in d: parsed from its blob, or read
 * from the TPM's delegation table for a row (tspi_delegate.c).
 * TSS_E_INVALID_OBJ_ACCESS when d holds neither.
 */
TSS_RESULT delegation_public(struct tspi_ctx *ctx, const struct policy_delegation *d,
			     struct delegate_public *out);
/* Row index of the TPM's delegation table: TSS_E_BAD_PARAMETER if empty. */
TSS_RESULT delegation_table_row(struct tspi_ctx *ctx, UINT32 index, struct delegate_public *out);

#endif /* TSS12_TSPI_SESSION_H */
