/*
 * Client-side OIAP/OSAP/DSAP sessions (see session.h). The TCS only
 * relays TPM_OIAP / TPM_OSAP / TPM_DSAP and the TPM_AUTH trailers; every
 * HMAC is computed here from the policy secret (or by the application's
 * callback).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include <tss/tpm.h>

#include "buf.h"
#include "keys.h"
#include "log.h"
#include "obj.h"
#include "rpc.h"
#include "secret.h"
#include "session.h"

/* OIAP sessions kept open per context for reuse. A TPM 1.2 has only a
 * few (3 is the minimum, Part 2 §21.2): keep one, leave the rest to others. */
#define SESSION_CACHE_MAX 1
/* TPM_RESOURCES from OIAP/OSAP: other clients hold every session; wait a little. */
#define SESSION_RETRIES 5
#define SESSION_RETRY_NS (50 * 1000 * 1000)

struct session_cache {
	unsigned int n;
	struct auth_session s[SESSION_CACHE_MAX];
};

static bool is_tpm_error(TSS_RESULT rc)
{
	return rc != TSS_SUCCESS && (rc & TSS_LAYER_TSP) == 0;
}

static void terminate(struct tspi_ctx *ctx, uint32_t handle)
{
	struct rpc_msg *m;

	if (rpc_begin(ctx, TCSD_ORD_TERMINATEHANDLE, &m) != TSS_SUCCESS)
		return;
	rpc_put_u32(m, handle);
	(void)rpc_call(m);
	rpc_end(m);
}

static void pause_for_resources(void)
{
	struct timespec t = { 0, SESSION_RETRY_NS };

	nanosleep(&t, NULL);
}

/* Fetches the policy's secret (or notes that a callback will do the HMACs). */
static TSS_RESULT session_prepare(struct tspi_ctx *ctx, TSS_HPOLICY policy,
				  TSS_HOBJECT authorized, struct session *s)
{
	struct tspi_policy *p;

	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->policy = policy;
	s->authorized = authorized;
	p = secret_policy(ctx, policy);
	if (p == NULL)
		return TSP_ERROR(TSS_E_INVALID_HANDLE);
	if (secret_expired(p))
		return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
	switch (p->mode) {
	case TSS_SECRET_MODE_CALLBACK:
		s->callback = true;
		return TSS_SUCCESS;
	case TSS_SECRET_MODE_NONE:
		/* TrouSerS: a command that needs auth cannot use a policy without secret. */
		return TSP_ERROR(TSS_E_POLICY_NO_SECRET);
	default:
		return secret_get(ctx, policy, false, s->secret);
	}
}

/* True when the policy carries a delegation to use instead of the secret's owner. */
static bool policy_delegates(struct tspi_ctx *ctx, TSS_HPOLICY policy)
{
	const struct policy_delegation *d = policy_delegation(ctx, policy);

	return d != NULL && (d->blob != NULL || d->index_set);
}

/*
 * OSAP and DSAP once the TCS has answered: keeps the nonces a callback
 * policy needs and derives the shared secret (Part 1 §13.3; DSAP the same
 * way from the delegated secret, §20). The session is not continued.
 */
static TSS_RESULT shared_session_start(struct tspi_ctx *ctx, struct session *s, uint32_t handle,
				       const BYTE nonce_even[20], const BYTE nonce_even_shared[20],
				       const BYTE nonce_odd_shared[20])
{
	memcpy(s->nonce_even_osap, nonce_even_shared, 20);
	memcpy(s->nonce_odd_osap, nonce_odd_shared, 20);
	if (s->callback) {
		/* The application computes the shared secret in its callback. */
		memset(&s->s, 0, sizeof(s->s));
		s->s.type = AUTH_SESSION_OSAP;
		s->s.handle = handle;
		memcpy(s->s.nonce_even, nonce_even, 20);
	} else if (auth_session_osap(&s->s, handle, nonce_even, nonce_even_shared, nonce_odd_shared,
				     s->secret) != 0) {
		terminate(ctx, handle);
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	s->s.continue_session = false;
	s->open = true;
	return TSS_SUCCESS;
}

/*
 * Asks the TCS for an OSAP session (value NULL) or a DSAP session (value:
 * the delegation blob or table row), waiting a little while the TPM has
 * no room for it, then starts it (shared_session_start).
 */
static TSS_RESULT shared_session_open(struct tspi_ctx *ctx, struct session *s, UINT32 tcsd_ord,
				      UINT16 entity_type, UINT32 entity, const BYTE *value,
				      UINT32 value_len)
{
	BYTE nonce_even[20], nonce_even_shared[20], nonce_odd_shared[20];
	struct rpc_msg *m = NULL;
	uint32_t handle = 0;
	TSS_RESULT rc;
	int tries = 0;

	if (auth_random_nonce(nonce_odd_shared) != 0)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	do {
		rpc_end(m);
		m = NULL;
		if ((rc = rpc_begin(ctx, tcsd_ord, &m)) != TSS_SUCCESS)
			return rc;
		rpc_put_u16(m, entity_type);
		rpc_put_u32(m, entity);
		rpc_put_nonce(m, nonce_odd_shared);
		if (value != NULL) {
			rpc_put_u32(m, value_len);
			rpc_put_bytes(m, value, value_len);
		}
		rc = rpc_call(m);
		if (rc == TPM_E_RESOURCES)
			pause_for_resources();
	} while (rc == TPM_E_RESOURCES && ++tries < SESSION_RETRIES);
	if (rc == TSS_SUCCESS) {
		rpc_get_u32(m, &handle);
		rpc_get_nonce(m, nonce_even);
		rpc_get_nonce(m, nonce_even_shared);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	if (rc != TSS_SUCCESS)
		return rc;
	return shared_session_start(ctx, s, handle, nonce_even, nonce_even_shared,
				    nonce_odd_shared);
}

/*
 * A DSAP session (TPM 1.2 Part 3 §18.3) on the delegation the policy
 * carries, for a command on key (TCS handle; owner delegations ignore it).
 * Set up like an OSAP session: the shared secret comes from the delegated
 * secret and the two DSAP nonces, and the session is not continued.
 */
static TSS_RESULT session_dsap(struct tspi_ctx *ctx, TSS_HPOLICY policy, TSS_HOBJECT authorized,
			       UINT32 key, struct session *s)
{
	BYTE row[4];
	const struct policy_delegation *d;
	const BYTE *value;
	UINT32 value_len;
	UINT16 entity_type;
	TSS_RESULT rc;

	if ((rc = session_prepare(ctx, policy, authorized, s)) != TSS_SUCCESS)
		goto fail;
	d = policy_delegation(ctx, policy);
	if (d->index_set) {
		/* A row of the owner delegation table: its index, big-endian. */
		entity_type = TPM_ET_DEL_ROW;
		buf_store_be32(row, d->index);
		value = row;
		value_len = 4;
	} else {
		entity_type = d->type == TSS_DELEGATIONTYPE_KEY ? TPM_ET_DEL_KEY_BLOB
								: TPM_ET_DEL_OWNER_BLOB;
		value = d->blob;
		value_len = d->blob_len;
	}
	if ((rc = shared_session_open(ctx, s, TCSD_ORD_DSAP, entity_type, key, value,
				      value_len)) != TSS_SUCCESS)
		goto fail;
	return TSS_SUCCESS;
fail:
	OPENSSL_cleanse(s->secret, sizeof(s->secret));
	return rc;
}

/*
 * The TCS handle of the key an OIAP caller authorises. For other objects
 * (owner delegations) the TPM ignores keyHandle, but TrouSerS' tcsd first
 * checks it against the keys the context has loaded and fails otherwise:
 * send the SRK's handle, which is valid once the context loaded the SRK
 * (ours accepts any value).
 */
static UINT32 authorized_key(struct tspi_ctx *ctx, TSS_HOBJECT authorized)
{
	struct obj *o;
	UINT32 h = TPM_KH_SRK;

	if (obj_lookup_in(ctx, authorized, OBJ_RSAKEY, &o) == TSS_SUCCESS &&
	    rsakey_tcs_handle(o, &h) != TSS_SUCCESS)
		h = TPM_KH_SRK;
	return h;
}

TSS_RESULT session_oiap(struct tspi_ctx *ctx, TSS_HPOLICY policy, TSS_HOBJECT authorized,
			struct session *s)
{
	struct session_cache *c;
	struct rpc_msg *m = NULL;
	uint32_t handle = 0;
	BYTE nonce_even[20];
	TSS_RESULT rc;
	int tries = 0;

	if (policy_delegates(ctx, policy))
		return session_dsap(ctx, policy, authorized, authorized_key(ctx, authorized), s);
	if ((rc = session_prepare(ctx, policy, authorized, s)) != TSS_SUCCESS)
		goto fail;
	s->continue_session = true;

	c = ctx->sessions;
	if (c != NULL && c->n > 0) {
		s->s = c->s[--c->n];
		OPENSSL_cleanse(&c->s[c->n], sizeof(c->s[c->n]));
		s->from_cache = true;
		s->open = true;
		return TSS_SUCCESS;
	}

	do {
		rpc_end(m);
		m = NULL;
		if ((rc = rpc_begin(ctx, TCSD_ORD_OIAP, &m)) != TSS_SUCCESS)
			goto fail;
		rc = rpc_call(m);
		if (rc == TPM_E_RESOURCES)
			pause_for_resources();
	} while (rc == TPM_E_RESOURCES && ++tries < SESSION_RETRIES);
	if (rc == TSS_SUCCESS) {
		rpc_get_u32(m, &handle);
		rpc_get_nonce(m, nonce_even);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	if (rc != TSS_SUCCESS)
		goto fail;
	auth_session_oiap(&s->s, handle, nonce_even);
	s->s.continue_session = true;
	s->open = true;
	return TSS_SUCCESS;
fail:
	OPENSSL_cleanse(s->secret, sizeof(s->secret));
	return rc;
}

TSS_RESULT session_osap(struct tspi_ctx *ctx, TSS_HPOLICY policy, TSS_HOBJECT authorized,
			UINT16 entity_type, UINT32 entity_value, struct session *s)
{
	TSS_RESULT rc;

	if (policy_delegates(ctx, policy))
		return session_dsap(ctx, policy, authorized,
				    (entity_type & 0xff) == TPM_ET_KEYHANDLE ? entity_value
									: TPM_KH_SRK,
				    s);
	if ((rc = session_prepare(ctx, policy, authorized, s)) != TSS_SUCCESS ||
	    (rc = shared_session_open(ctx, s, TCSD_ORD_OSAP, entity_type, entity_value, NULL,
				      0)) != TSS_SUCCESS)
		goto fail;
	return TSS_SUCCESS;
fail:
	OPENSSL_cleanse(s->secret, sizeof(s->secret));
	return rc;
}

void session_keep_open(struct session *s, bool keep)
{
	s->s.continue_session = keep;
}

TSS_RESULT session_auth(struct session *s, UINT32 ordinal, const BYTE digest[20],
			TPM_AUTH *auth)
{
	BYTE hmac[20];
	TSS_RESULT rc = TSS_SUCCESS;

	memset(auth, 0, sizeof(*auth));
	if (!s->open || auth_session_new_nonce_odd(&s->s) != 0)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	s->ordinal = ordinal;
	s->continue_session = s->s.continue_session;
	if (s->callback) {
		rc = secret_callback_hmac(s->ctx, s->policy, s->authorized, false, ordinal,
					  s->s.continue_session, s->s.nonce_even, s->s.nonce_odd,
					  s->s.type == AUTH_SESSION_OSAP ? s->nonce_even_osap : NULL,
					  s->s.type == AUTH_SESSION_OSAP ? s->nonce_odd_osap : NULL,
					  digest, hmac);
	} else if (auth_request_hmac(&s->s, s->secret, digest, hmac) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	if (rc != TSS_SUCCESS)
		goto out;
	auth->AuthHandle = s->s.handle;
	memcpy(auth->NonceOdd.nonce, s->s.nonce_odd, 20);
	memcpy(auth->NonceEven.nonce, s->s.nonce_even, 20);
	auth->fContinueAuthSession = s->s.continue_session ? TRUE : FALSE;
	memcpy(auth->HMAC.authdata, hmac, 20);
	secret_used(s->ctx, s->policy);
out:
	OPENSSL_cleanse(hmac, sizeof(hmac));
	return rc;
}

TSS_RESULT session_verify(struct session *s, const BYTE digest[20], const TPM_AUTH *auth)
{
	struct auth_response rsp;
	BYTE hmac[20];
	TSS_RESULT rc;

	memcpy(rsp.nonce_even, auth->NonceEven.nonce, 20);
	rsp.continue_session = auth->fContinueAuthSession != FALSE;
	memcpy(rsp.hmac, auth->HMAC.authdata, 20);
	if (s->callback) {
		memcpy(hmac, rsp.hmac, 20);
		rc = secret_callback_hmac(s->ctx, s->policy, s->authorized, true, s->ordinal,
					  rsp.continue_session, rsp.nonce_even, s->s.nonce_odd,
					  s->s.type == AUTH_SESSION_OSAP ? s->nonce_even_osap : NULL,
					  s->s.type == AUTH_SESSION_OSAP ? s->nonce_odd_osap : NULL,
					  digest, hmac);
		if (rc != TSS_SUCCESS) {
			rc = TSP_ERROR(TSS_E_TSP_AUTHFAIL);
		} else {
			memcpy(s->s.nonce_even, rsp.nonce_even, 20);
			if (!rsp.continue_session)
				auth_session_end(&s->s);
		}
	} else if (auth_response_verify(&s->s, s->secret, digest, &rsp) != 0) {
		log_error("tspi: the TPM's reply to ordinal 0x%x fails its HMAC check", s->ordinal);
		rc = TSP_ERROR(TSS_E_TSP_AUTHFAIL);
	} else {
		rc = TSS_SUCCESS;
	}
	if (rc == TSS_SUCCESS && !rsp.continue_session)
		s->open = false;
	OPENSSL_cleanse(hmac, sizeof(hmac));
	return rc;
}

TSS_RESULT session_oiap_begin(struct tspi_ctx *ctx, TSS_HPOLICY policy, TSS_HOBJECT authorized,
			      UINT32 ordinal, const struct crypto_iov *params, size_t n_params,
			      struct session *s, TPM_AUTH *auth)
{
	BYTE digest[20];
	TSS_RESULT rc;

	rc = keys_errno_result(auth_digest_request(ordinal, params, n_params, digest));
	if (rc != TSS_SUCCESS)
		return rc;
	if ((rc = session_oiap(ctx, policy, authorized, s)) != TSS_SUCCESS)
		return rc;
	if ((rc = session_auth(s, ordinal, digest, auth)) != TSS_SUCCESS)
		session_end(s, rc);
	return rc;
}

TSS_RESULT session_verify_outputs(struct session *s, const TPM_AUTH *auth,
				  const struct crypto_iov *outs, size_t n_outs)
{
	BYTE digest[20];
	TSS_RESULT rc;

	rc = keys_errno_result(auth_digest_response(TPM_SUCCESS, s->ordinal, outs, n_outs, digest));
	if (rc != TSS_SUCCESS)
		return rc;
	return session_verify(s, digest, auth);
}

TSS_RESULT session_encauth(struct session *s, const BYTE secret[20], BYTE encauth[20])
{
	if (s->s.type != AUTH_SESSION_OSAP || s->callback ||
	    auth_session_encauth(&s->s, secret, encauth) != 0)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	return TSS_SUCCESS;
}

TSS_RESULT session_encauth_odd(struct session *s, const BYTE secret[20], BYTE encauth[20])
{
	if (s->s.type != AUTH_SESSION_OSAP || s->callback ||
	    auth_session_encauth_odd(&s->s, secret, encauth) != 0)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	return TSS_SUCCESS;
}

void session_end(struct session *s, TSS_RESULT cmd_rc)
{
	struct session_cache *c;

	if (s->ctx == NULL)
		return;
	if (s->open && s->s.type != AUTH_SESSION_NONE) {
		if (cmd_rc == TSS_SUCCESS && s->s.type == AUTH_SESSION_OIAP && s->continue_session) {
			c = s->ctx->sessions;
			if (c == NULL)
				c = s->ctx->sessions = calloc(1, sizeof(*c));
			if (c != NULL && c->n < SESSION_CACHE_MAX) {
				c->s[c->n++] = s->s;
				goto wipe;
			}
			terminate(s->ctx, s->s.handle);
		} else if (!is_tpm_error(cmd_rc)) {
			/* The TPM did not fail the command, so it may still hold the session. */
			terminate(s->ctx, s->s.handle);
		}
		/* A TPM error closed the session on the TPM already (Part 1 §13.2). */
	}
wipe:
	auth_session_end(&s->s);
	OPENSSL_cleanse(s, sizeof(*s));
}

bool session_retry(const struct session *s, TSS_RESULT cmd_rc)
{
	return s->from_cache && (cmd_rc == TPM_E_INVALID_AUTHHANDLE);
}

void session_cache_free(struct tspi_ctx *ctx)
{
	struct session_cache *c = ctx->sessions;

	if (c == NULL)
		return;
	while (c->n > 0) {
		c->n--;
		if (ctx->conn != NULL)
			terminate(ctx, c->s[c->n].handle);
		auth_session_end(&c->s[c->n]);
	}
	free(c);
	ctx->sessions = NULL;
}
