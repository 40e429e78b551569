/*
 * The key cache: virtual TCS key handles over the TPM's few key slots.
 *
 * Clients see stable TCS handles; the cache maps each to a TPM handle,
 * loading keys on demand. When the TPM is full (its known slot count, or
 * TPM_RESOURCES / TPM_NOSPACE from a load) the least recently used key
 * that nobody is using right now is moved out -- with TPM_SaveKeyContext
 * when the TPM has it (restored with TPM_LoadKeyContext), otherwise by
 * flushing it and reloading it later from its wrapped blob under its
 * parent (whose chain is reloaded first). The SRK (TPM_KH_SRK) is its own
 * handle and never moves. The cache tracks what is loaded itself: no TPM
 * round trip per use to ask. A key the TPM turns out to have lost (a TPM
 * reset: TPM_INVALID_KEYHANDLE) is brought back the same way.
 *
 * Ownership: a key belongs to the contexts that loaded it (two contexts
 * loading the same UUID, or the same blob under the same parent without
 * auth, share one entry). EvictKey drops a context's claim; a key leaves
 * the TPM when no context and no loaded child needs it.
 *
 * Locking: table state is guarded by an internal mutex that is never held
 * across a TPM command; functions that talk to the TPM take tcsd_lock()
 * (recursive) for their whole sequence, so two reloads never interleave.
 * A key in use is pinned (keycache_acquire .. keycache_release) and is
 * then never chosen for eviction.
 */
#ifndef TSS12_TCSD_KEYCACHE_H
#define TSS12_TCSD_KEYCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tss/platform.h>
#include <tss/tss_typedef.h>
#include <tss/tss_structs.h>
#include <tss/tcs_typedef.h>

#define KEYCACHE_SRK_HANDLE 0x40000000u

/*
 * The TPM commands the cache sends on its own behalf. The daemon's
 * implementation is in tcs_keys.c; tests script their own. Each returns
 * TSS_SUCCESS or the TPM's (or transport's) result code.
 */
struct keycache_tpm_ops {
	/* TPM_LoadKey2 without authorisation (Part 3 §10.5). */
	TSS_RESULT (*load_key)(void *arg, UINT32 parent_tpm, const BYTE *blob, size_t len,
			       UINT32 *tpm_handle);
	/* TPM_FlushSpecific(handle, TPM_RT_KEY). */
	TSS_RESULT (*flush)(void *arg, UINT32 tpm_handle);
	/* TPM_SaveKeyContext: the key leaves the TPM; *blob is heap memory. */
	TSS_RESULT (*save_context)(void *arg, UINT32 tpm_handle, BYTE **blob, size_t *len);
	/* TPM_LoadKeyContext: the key is back, maybe under another handle. */
	TSS_RESULT (*load_context)(void *arg, const BYTE *blob, size_t len, UINT32 *tpm_handle);
	/* TPM_GetCapability(TPM_CAP_HANDLE, TPM_RT_KEY): the handles loaded. */
	TSS_RESULT (*loaded_handles)(void *arg, UINT32 *handles, size_t max, size_t *count);
	void *arg;
	/* TPM_SaveKeyContext/LoadKeyContext exist (TPM_CAP_ORD). */
	bool has_key_context;
	/* Key slots (TPM_CAP_PROP_MAX_KEYS), 0 when unknown. */
	UINT32 max_keys;
};

/*
 * (Re)starts the cache with these operations: forgets every entry,
 * flushes keys left in the TPM by an earlier process (TrouSerS'
 * clearUnknownKeys). keycache_init() (tcsd.h, in tcs_keys.c) calls it
 * with the daemon's TPM.
 */
TSS_RESULT keycache_setup(const struct keycache_tpm_ops *ops);
/* Flushes every key the cache loaded and frees the tables. */
void keycache_teardown(void);

/*
 * Looks up a client's handle for use by ctx (0: the daemon itself, no
 * ownership check), makes sure the key is in the TPM, pins it and gives
 * its TPM handle, valid until the matching keycache_release. Every
 * successful acquire needs one keycache_release.
 * When every key slot holds a key pinned by another command, it waits
 * (30 s at most) for one to be released instead of failing; it does so
 * with tcsd_lock() released, so call it WITHOUT holding tcsd_lock (the
 * lock is recursive: held by the caller, it stays held, the commands that
 * pinned the slots cannot finish, and the wait runs to its end). A
 * command that needs two keys uses keycache_acquire_pair, never two
 * acquires.
 * Errors: TCS_ERROR(TCS_E_INVALID_KEYHANDLE) for a handle unknown to ctx,
 * TCS_ERROR(TCS_E_INVALID_KEY) for a key that left the TPM for good,
 * TCS_ERROR(TCS_E_KEY_CONTEXT_RELOAD) when the key cannot be brought back,
 * TPM_E_RESOURCES when no slot came free in time (or none can: the slots
 * hold keys that cannot be moved out), or the TPM's result from a reload.
 */
TSS_RESULT keycache_acquire(TCS_CONTEXT_HANDLE ctx, TCS_KEY_HANDLE handle, UINT32 *tpm_handle);
/*
 * Both keys or neither, for commands with two key handles (CertifyKey,
 * migration): when the second key finds no slot, both pins are dropped
 * before waiting, so two such commands on a full TPM never wait for each
 * other. Same errors as keycache_acquire; h1 == h2 is allowed. Release
 * each handle with keycache_release.
 */
TSS_RESULT keycache_acquire_pair(TCS_CONTEXT_HANDLE ctx, TCS_KEY_HANDLE h1, TCS_KEY_HANDLE h2,
				 UINT32 *tpm1, UINT32 *tpm2);
void keycache_release(TCS_KEY_HANDLE handle);

/*
 * The TPM said TPM_INVALID_KEYHANDLE (or TPM_KEYNOTFOUND) for a key we
 * believed loaded: resynchronise with TPM_CAP_HANDLE so the next acquire
 * reloads what is gone. Safe to call with the key still pinned.
 */
void keycache_tpm_lost(TCS_KEY_HANDLE handle);

/*
 * Before loading a new key into the TPM: evicts until a slot is free by
 * the known slot count. Pinned keys are never chosen. tcsd_lock() must be
 * held from here until keycache_add (or the load failed).
 */
TSS_RESULT keycache_make_room(void);
/*
 * After TPM_RESOURCES / TPM_NOSPACE: evicts one more key. Returns
 * TPM_E_RESOURCES if nothing can be evicted.
 */
TSS_RESULT keycache_evict_one(void);

/*
 * Records a key the caller just loaded (under tcsd_lock) as owned by
 * ctx. parent is the TCS handle it was loaded under; blob the wrapped key;
 * reloadable false when the load needed the parent's authorisation (the
 * cache cannot repeat it: such a key is moved out only by SaveKeyContext).
 * blob may be NULL (blob_len 0) for a key that is not reloadable: one
 * loaded inside an encrypted transport session, whose blob the TCS never
 * sees in clear. uuid may be NULL.
 */
TSS_RESULT keycache_add(TCS_CONTEXT_HANDLE ctx, TCS_KEY_HANDLE parent, const BYTE *blob,
			size_t blob_len, UINT32 tpm_handle, bool reloadable, const TSS_UUID *uuid,
			TCS_KEY_HANDLE *out);

/*
 * A key already in the cache that ctx may share instead of loading it
 * again: by UUID, or by (parent, identical blob). Adds ctx as an owner
 * and returns its handle; TCS_ERROR(TSS_E_PS_KEY_NOTFOUND) if none.
 */
TSS_RESULT keycache_share_uuid(TCS_CONTEXT_HANDLE ctx, const TSS_UUID *uuid,
			       TCS_KEY_HANDLE *out);
TSS_RESULT keycache_share_blob(TCS_CONTEXT_HANDLE ctx, TCS_KEY_HANDLE parent, const BYTE *blob,
			       size_t blob_len, TCS_KEY_HANDLE *out);

/*
 * EvictKey: drops ctx's claim on the key; it leaves the TPM when nobody
 * needs it any more. TCS_ERROR(TCS_E_INVALID_KEYHANDLE) if ctx does not hold it.
 */
TSS_RESULT keycache_evict(TCS_CONTEXT_HANDLE ctx, TCS_KEY_HANDLE handle);
/* Drops every claim of ctx (context closed, client gone). */
void keycache_release_context(TCS_CONTEXT_HANDLE ctx);

/* Whether a key with this UUID is in the TPM now (EnumRegisteredKeys' fIsLoaded). */
bool keycache_uuid_loaded(const TSS_UUID *uuid);
/* The TCS handle of a cached key with this UUID (any owner), for LoadKeyByUUID's parent. */
bool keycache_uuid_handle(const TSS_UUID *uuid, TCS_KEY_HANDLE *out);

/*
 * After a successful TPM_KeyControlOwner on the key: on, the key becomes
 * owner-evict (the cache keeps it for the daemon, never moves it out)
 * under the first free TSS_UUID_OWNEREVICT(i), or the one it has; off,
 * it is an ordinary key again, flushed once no context holds it. *uuid
 * gets the key's owner-evict UUID (all zeros when off on an ordinary
 * key). TCS_ERROR(TCS_E_INVALID_KEYHANDLE) for an unknown handle.
 */
TSS_RESULT keycache_set_owner_evict(TCS_KEY_HANDLE handle, bool on, TSS_UUID *uuid);
/*
 * The wrapped blob of the owner-evict key named uuid, when the cache has
 * it (not for keys found in the TPM at start-up); *blob is heap memory.
 * TCS_ERROR(TSS_E_PS_KEY_NOTFOUND) otherwise.
 */
TSS_RESULT keycache_owner_evict_blob(const TSS_UUID *uuid, BYTE **blob, size_t *len);

/* Counters for tests and logs. */
struct keycache_stats {
	size_t entries;		/* cached keys, SRK excluded */
	size_t loaded;		/* of which in the TPM now */
	size_t saved;		/* held as TPM_SaveKeyContext blobs */
	uint64_t evictions;	/* keys moved out to make room */
	uint64_t restores;	/* keys brought back */
};
void keycache_get_stats(struct keycache_stats *st);

#endif /* TSS12_TCSD_KEYCACHE_H */
