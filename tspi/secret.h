/*
 * Policy secrets as the rest of the TSP needs them (TSS 1.2 §4.3.3.2).
 * The policy object itself (Tspi_Policy_*, attributes) is tspi_policy.c.
 *
 * All functions run with the policy's context locked.
 */
#ifndef TSS12_TSPI_SECRET_H
#define TSS12_TSPI_SECRET_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tss/tspi.h"

struct obj;
struct tspi_ctx;

#define SECRET_LEN 20

/* The data of a policy object (tspi_policy.c creates it, secret.c reads it). */
struct tspi_policy {
	UINT32 type;			/* TSS_POLICY_USAGE / _MIGRATION / _OPERATOR */
	UINT32 mode;			/* TSS_SECRET_MODE_* */
	bool secret_set;
	BYTE secret[SECRET_LEN];
	UINT32 hash_mode;		/* TSS_TSPATTRIB_HASH_MODE_* (popups) */
	UINT32 lifetime;		/* TSS_TSPATTRIB_POLICYSECRET_LIFETIME_* */
	UINT32 counter;			/* uses left, or seconds valid (timer) */
	UINT32 counter_start;		/* the counter SetSecret restarts from */
	time_t timer_start;
	BYTE *popup;			/* UTF-16LE as the application set it */
	UINT32 popup_len;
	TSS_CALLBACK cb_hmac;
	TSS_CALLBACK cb_xor;
	TSS_CALLBACK cb_takeowner;
	TSS_CALLBACK cb_changeauthasym;
	TSS_CALLBACK cb_sealx;
};

/*
 * A new policy object of type (TSS_POLICY_*) in ctx, secret mode NONE,
 * hash mode inherited from the context (TrouSerS' defaults).
 */
TSS_RESULT secret_policy_new(struct tspi_ctx *ctx, UINT32 type, TSS_HPOLICY *out);

/* The policy object h of ctx, or NULL (context locked). */
struct tspi_policy *secret_policy(struct tspi_ctx *ctx, TSS_HPOLICY h);
/* Has the secret's lifetime run out (TSS 1.2 §4.3.3.2.1)? */
bool secret_expired(const struct tspi_policy *p);

/*
 * The 20-byte usage secret of policy h, ready for HMACs and ADIP:
 * PLAIN/SHA1 as set, POPUP asks on the terminal the first time (then
 * keeps it, as TrouSerS does), NONE gives 20 zero bytes (TrouSerS'
 * behaviour), CALLBACK gives TSP_ERROR(TSS_E_POLICY_NO_SECRET) (the
 * caller must use the callback through session.c instead). Expired
 * lifetimes (counter/timer) give TSP_ERROR(TSS_E_POLICY_NO_SECRET).
 * new_secret: for popups, ask twice ("new PIN") as for a secret being set.
 * Wipe out with OPENSSL_cleanse after use.
 */
TSS_RESULT secret_get(struct tspi_ctx *ctx, TSS_HPOLICY h, bool new_secret, BYTE out[SECRET_LEN]);

/* Counts one use of the secret (TSS_TSPATTRIB_POLICYSECRET_LIFETIME_COUNTER). */
void secret_used(struct tspi_ctx *ctx, TSS_HPOLICY h);

/* True if h is a callback-mode policy (HMACs come from the application). */
bool secret_is_callback(struct tspi_ctx *ctx, TSS_HPOLICY h);

/*
 * Callback mode: asks the application's Tspicb_CallbackHMACAuth for the
 * HMAC (verify false) or to check one (verify true). Arguments as in the
 * TSS 1.2 spec §4.3.3.2.6.
 */
TSS_RESULT secret_callback_hmac(struct tspi_ctx *ctx, TSS_HPOLICY h, TSS_HOBJECT authorized,
				bool verify, UINT32 ordinal, bool continue_session,
				const BYTE nonce_even[20], const BYTE nonce_odd[20],
				const BYTE *nonce_even_osap, const BYTE *nonce_odd_osap,
				const BYTE digest[20], BYTE hmac[20]);

/*
 * Reads a secret from the controlling terminal without echo
 * (TSS_SECRET_MODE_POPUP), converts it to UTF-16LE like TrouSerS
 * (Trspi_Native_To_UNICODE, with or without the terminating NUL according
 * to hash_mode) and hashes it with SHA-1. confirm: ask twice.
 */
TSS_RESULT secret_popup(const char *prompt, UINT32 hash_mode, bool confirm, BYTE out[SECRET_LEN]);

#endif /* TSS12_TSPI_SECRET_H */
