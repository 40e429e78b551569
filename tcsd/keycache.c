/*
 * The key cache (see keycache.h). A small table of entries, scanned
 * linearly: a TPM 1.2 has 3..20 key slots and a daemon holds at most a
 * few hundred keys, so a scan costs less than one TPM command.
 *
 * Entry states:
 *   LOADED    in the TPM under tpm_handle
 *   SAVED     moved out with TPM_SaveKeyContext; ctx_blob brings it back
 *   UNLOADED  flushed; reloaded from blob under its parent (reloadable)
 *   LOST      gone from the TPM and impossible to bring back (a key
 *             loaded with the parent's auth, on a TPM without key
 *             contexts, after a TPM reset)
 *
 * Owner-evict keys (TPM_KeyControlOwner, Part 3 §10.9) stay in the TPM
 * across restarts and cannot be flushed: the cache keeps them LOADED for
 * the daemon itself (no context needs to hold them), never moves them out,
 * and names them TSS_UUID_OWNEREVICT(i) as TrouSerS does; those found in
 * the TPM at start-up are numbered in the TPM's handle order.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include <tss/tcs_error.h>
#include <tss/tpm_error.h>
#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>
#include <tss/tss_defines.h>

#include "keycache.h"
#include "log.h"
#include "tcsd.h"

enum kc_state {
	KC_LOADED,
	KC_SAVED,
	KC_UNLOADED,
	KC_LOST,
};

struct kc_owner {
	TCS_CONTEXT_HANDLE ctx;
	unsigned int count;
};

struct kc_key {
	TCS_KEY_HANDLE handle;
	UINT32 tpm_handle;		/* valid in KC_LOADED */
	enum kc_state state;
	struct kc_key *parent;		/* NULL only for the SRK */
	unsigned int children;		/* cached keys whose parent this is */
	unsigned int pins;		/* users right now; never evicted while > 0 */
	uint64_t last_use;
	bool is_srk;
	bool reloadable;		/* loadable again without anyone's auth */
	bool no_context;		/* SaveKeyContext failed on it once */
	bool has_uuid;
	TSS_UUID uuid;
	bool owner_evict;		/* TPM_KEY_CONTROL_OWNER_EVICT: stays put */
	BYTE *blob;
	size_t blob_len;
	BYTE *ctx_blob;			/* KC_SAVED */
	size_t ctx_len;
	struct kc_owner *owners;
	size_t n_owners;
};

/* Caps: contexts per key and keys per daemon (a client cannot grow them forever). */
#define KC_MAX_KEYS 4096
#define KC_MAX_OWNERS 1024
/* Parent chains deeper than this are refused (TrouSerS: 10 children). */
#define KC_MAX_DEPTH 32
/* Handles handed out: a counter that skips 0 and the TPM_KH_* range. */
#define KC_FIRST_HANDLE 0x22330001u
/* How long an acquire waits for another command to release a key slot. */
#define KC_WAIT_SECONDS 30

static pthread_mutex_t kc_mutex = PTHREAD_MUTEX_INITIALIZER;
/*
 * An acquire that found every slot pinned sleeps on kc_slot_cond until
 * kc_slot_gen moves: it counts the events that can make a slot usable (a
 * pin dropped, a key gone from the TPM). Comparing the count, not just
 * sleeping, means an event between the failed load and the sleep is not
 * missed. The condition runs on CLOCK_MONOTONIC (a clock step must not
 * stretch or cut the bounded wait), hence the one-time initialisation.
 */
static pthread_cond_t kc_slot_cond;
static pthread_once_t kc_slot_cond_once = PTHREAD_ONCE_INIT;
static uint64_t kc_slot_gen;
static struct kc_key srk = {
	.handle = KEYCACHE_SRK_HANDLE,
	.tpm_handle = KEYCACHE_SRK_HANDLE,
	.state = KC_LOADED,
	.is_srk = true,
	.has_uuid = true,
	.uuid = { 0, 0, 0, 0, 0, { 0, 0, 0, 0, 0, 1 } },
};
static struct kc_key **keys;
static size_t n_keys, cap_keys;
static struct keycache_tpm_ops ops;
static bool ops_set;
static uint64_t tick;
static TCS_KEY_HANDLE next_handle = KC_FIRST_HANDLE;
static uint64_t n_evictions, n_restores;
/* Slots taken by keys we found in the TPM and could not flush (owner-evict keys). */
static size_t foreign_slots;

static bool is_out_of_slots(TSS_RESULT rc)
{
	return rc == TPM_E_RESOURCES || rc == TPM_E_NOSPACE;
}

static void slot_cond_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&kc_slot_cond, &a);
	pthread_condattr_destroy(&a);
}

static bool uuid_equal(const TSS_UUID *a, const TSS_UUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* ---- table helpers (kc_mutex held) ---- */

/* Something that may free a slot for a waiting acquire happened. */
static void slot_event_locked(void)
{
	pthread_once(&kc_slot_cond_once, slot_cond_init);
	kc_slot_gen++;
	pthread_cond_broadcast(&kc_slot_cond);
}

/*
 * A command's pin (keycache_acquire) ends. The short pins the loading
 * code takes on a key or parent for one attempt are dropped with a plain
 * pins-- instead: they end inside the attempt of the thread holding
 * tcsd_lock, and counting them would make that thread's own failed
 * attempt look like news and spin it.
 */
static void unpin_locked(struct kc_key *k)
{
	if (k->pins > 0)
		k->pins--;
	slot_event_locked();
}

static struct kc_key *find_locked(TCS_KEY_HANDLE h)
{
	if (h == KEYCACHE_SRK_HANDLE)
		return &srk;
	for (size_t i = 0; i < n_keys; i++)
		if (keys[i]->handle == h)
			return keys[i];
	return NULL;
}

static struct kc_owner *owner_locked(struct kc_key *k, TCS_CONTEXT_HANDLE ctx)
{
	for (size_t i = 0; i < k->n_owners; i++)
		if (k->owners[i].ctx == ctx)
			return &k->owners[i];
	return NULL;
}

static bool may_use_locked(struct kc_key *k, TCS_CONTEXT_HANDLE ctx)
{
	return k->is_srk || ctx == 0 || owner_locked(k, ctx) != NULL;
}

static int add_owner_locked(struct kc_key *k, TCS_CONTEXT_HANDLE ctx)
{
	struct kc_owner *o = owner_locked(k, ctx), *p;

	if (ctx == 0)
		return 0;
	if (o != NULL) {
		if (o->count == UINT32_MAX)
			return -1;
		o->count++;
		return 0;
	}
	if (k->n_owners >= KC_MAX_OWNERS)
		return -1;
	p = realloc(k->owners, (k->n_owners + 1) * sizeof(*p));
	if (p == NULL)
		return -1;
	k->owners = p;
	k->owners[k->n_owners].ctx = ctx;
	k->owners[k->n_owners].count = 1;
	k->n_owners++;
	return 0;
}

static void drop_owner_locked(struct kc_key *k, TCS_CONTEXT_HANDLE ctx, bool all)
{
	for (size_t i = 0; i < k->n_owners; i++) {
		if (k->owners[i].ctx != ctx)
			continue;
		if (!all && k->owners[i].count > 1) {
			k->owners[i].count--;
			return;
		}
		k->owners[i] = k->owners[k->n_owners - 1];
		k->n_owners--;
		return;
	}
}

static bool unreferenced_locked(const struct kc_key *k)
{
	return !k->is_srk && !k->owner_evict && k->n_owners == 0 && k->children == 0 &&
	       k->pins == 0;
}

static size_t loaded_count_locked(void)
{
	size_t n = foreign_slots;

	for (size_t i = 0; i < n_keys; i++)
		if (keys[i]->state == KC_LOADED)
			n++;
	return n;
}

static TCS_KEY_HANDLE new_handle_locked(void)
{
	for (;;) {
		TCS_KEY_HANDLE h = next_handle++;

		if (h == 0 || (h >= 0x40000000u && h <= 0x400000ffu))
			continue;
		if (find_locked(h) == NULL)
			return h;
	}
}

/* A key the TPM no longer holds: state from what can bring it back. */
static void mark_gone_locked(struct kc_key *k)
{
	if (k->is_srk || k->state != KC_LOADED)
		return;
	if (k->owner_evict) {
		/* The owner was cleared: the key and its owner-evict name are gone. */
		log_warn("key cache: owner-evict key 0x%x left the TPM", k->handle);
		k->owner_evict = false;
		k->has_uuid = false;
	}
	k->tpm_handle = 0;
	k->state = k->reloadable ? KC_UNLOADED : KC_LOST;
	if (k->state == KC_LOST)
		log_warn("key cache: key 0x%x left the TPM and cannot be reloaded without its "
			 "parent's authorisation", k->handle);
	slot_event_locked();
}

/*
 * The TPM gave out tpm_handle for a key just loaded: an entry we still
 * think holds it is stale (the TPM was reset, or someone flushed it).
 */
static void claim_tpm_handle_locked(UINT32 tpm_handle, const struct kc_key *self)
{
	for (size_t i = 0; i < n_keys; i++) {
		struct kc_key *k = keys[i];

		if (k != self && k->state == KC_LOADED && k->tpm_handle == tpm_handle) {
			log_warn("key cache: the TPM reused handle 0x%x of key 0x%x; it was lost "
				 "(TPM reset?)", tpm_handle, k->handle);
			mark_gone_locked(k);
		}
	}
}

/* Room for one more entry; a TCS error when the table is full. */
static TSS_RESULT reserve_entry_locked(void)
{
	if (n_keys >= KC_MAX_KEYS) {
		log_error("key cache: %d keys cached; refusing more", KC_MAX_KEYS);
		return TCS_ERROR(TSS_E_OUTOFMEMORY);
	}
	if (n_keys == cap_keys) {
		size_t n = cap_keys ? cap_keys * 2 : 32;
		struct kc_key **nk = realloc(keys, n * sizeof(*nk));

		if (nk == NULL)
			return TCS_ERROR(TSS_E_OUTOFMEMORY);
		keys = nk;
		cap_keys = n;
	}
	return TSS_SUCCESS;
}

/* The first TSS_UUID_OWNEREVICT(i) naming no cached key. */
static bool free_owner_evict_uuid_locked(TSS_UUID *out)
{
	for (unsigned int i = 0; i < 256; i++) {
		TSS_UUID cand = TSS_UUID_OWNEREVICT((BYTE)i);
		bool taken = false;

		for (size_t j = 0; j < n_keys && !taken; j++)
			taken = keys[j]->has_uuid && uuid_equal(&keys[j]->uuid, &cand);
		if (!taken) {
			*out = cand;
			return true;
		}
	}
	return false;
}

static void key_free(struct kc_key *k)
{
	if (k->blob != NULL)
		OPENSSL_cleanse(k->blob, k->blob_len);
	free(k->blob);
	if (k->ctx_blob != NULL)
		OPENSSL_cleanse(k->ctx_blob, k->ctx_len);
	free(k->ctx_blob);
	free(k->owners);
	free(k);
}

/*
 * Removes unreferenced entries, flushing them from the TPM, and then
 * their parents if those became unreferenced. Caller holds tcsd_lock but
 * not kc_mutex.
 */
static void collect_garbage(void)
{
	for (;;) {
		struct kc_key *victim = NULL;
		UINT32 tpm_handle = 0;
		bool flush = false;

		pthread_mutex_lock(&kc_mutex);
		for (size_t i = 0; i < n_keys; i++) {
			if (unreferenced_locked(keys[i])) {
				victim = keys[i];
				keys[i] = keys[n_keys - 1];
				n_keys--;
				break;
			}
		}
		if (victim != NULL) {
			flush = victim->state == KC_LOADED;
			tpm_handle = victim->tpm_handle;
			if (victim->parent != NULL && victim->parent->children > 0)
				victim->parent->children--;
		}
		pthread_mutex_unlock(&kc_mutex);
		if (victim == NULL)
			return;
		if (flush && ops_set) {
			TSS_RESULT rc = ops.flush(ops.arg, tpm_handle);

			if (rc != TSS_SUCCESS)
				log_debug("key cache: flushing key 0x%x (TPM 0x%x): 0x%x",
					  victim->handle, tpm_handle, rc);
		}
		key_free(victim);
		if (flush) {
			pthread_mutex_lock(&kc_mutex);
			slot_event_locked();
			pthread_mutex_unlock(&kc_mutex);
		}
	}
}

/* ---- moving keys out and back (tcsd_lock held, kc_mutex not) ---- */

TSS_RESULT keycache_evict_one(void)
{
	struct kc_key *victim = NULL;
	UINT32 tpm_handle;
	BYTE *blob = NULL;
	size_t len = 0;
	TSS_RESULT rc = TPM_E_RESOURCES;
	bool saved = false, use_context;

	if (!ops_set)
		return TPM_E_RESOURCES;
	tcsd_lock();
	pthread_mutex_lock(&kc_mutex);
	for (size_t i = 0; i < n_keys; i++) {
		struct kc_key *k = keys[i];

		if (k->state != KC_LOADED || k->pins > 0 || k->owner_evict)
			continue;
		if (!k->reloadable && (!ops.has_key_context || k->no_context))
			continue;
		if (victim == NULL || k->last_use < victim->last_use)
			victim = k;
	}
	if (victim == NULL) {
		pthread_mutex_unlock(&kc_mutex);
		goto out;
	}
	victim->pins++;
	tpm_handle = victim->tpm_handle;
	use_context = ops.has_key_context && !victim->no_context;
	pthread_mutex_unlock(&kc_mutex);

	if (use_context) {
		rc = ops.save_context(ops.arg, tpm_handle, &blob, &len);
		saved = rc == TSS_SUCCESS;
		if (!saved)
			log_warn("key cache: TPM_SaveKeyContext of key 0x%x failed: 0x%x%s",
				 victim->handle, rc,
				 victim->reloadable ? "; flushing it instead" : "");
	}
	if (!saved && victim->reloadable) {
		rc = ops.flush(ops.arg, tpm_handle);
		/* A key the TPM does not know is out of the TPM all the same. */
		if (rc == TPM_E_INVALID_KEYHANDLE || rc == TPM_E_KEYNOTFOUND ||
		    rc == TPM_E_BAD_HANDLE)
			rc = TSS_SUCCESS;
	}

	pthread_mutex_lock(&kc_mutex);
	victim->pins--;
	if (saved) {
		victim->state = KC_SAVED;
		victim->ctx_blob = blob;
		victim->ctx_len = len;
		victim->tpm_handle = 0;
		n_evictions++;
	} else if (rc == TSS_SUCCESS) {
		victim->state = KC_UNLOADED;
		victim->tpm_handle = 0;
		n_evictions++;
	} else {
		/* Not movable after all: never pick it again. */
		victim->no_context = true;
		if (!victim->reloadable)
			rc = TSS_SUCCESS; /* let the caller try another victim */
	}
	if (victim->state != KC_LOADED)
		log_debug("key cache: evicted key 0x%x (TPM 0x%x)%s", victim->handle, tpm_handle,
			  saved ? " with SaveKeyContext" : "");
	pthread_mutex_unlock(&kc_mutex);
out:
	tcsd_unlock();
	return rc;
}

TSS_RESULT keycache_make_room(void)
{
	TSS_RESULT rc = TSS_SUCCESS;

	if (!ops_set || ops.max_keys == 0)
		return TSS_SUCCESS;
	tcsd_lock();
	for (unsigned int tries = 0; tries < KC_MAX_KEYS; tries++) {
		size_t loaded;

		pthread_mutex_lock(&kc_mutex);
		loaded = loaded_count_locked();
		pthread_mutex_unlock(&kc_mutex);
		if (loaded < ops.max_keys)
			break;
		/*
		 * Nothing movable: let the TPM decide (its count may differ
		 * from ours); a real shortage comes back as TPM_RESOURCES.
		 */
		if ((rc = keycache_evict_one()) != TSS_SUCCESS) {
			rc = TSS_SUCCESS;
			break;
		}
	}
	tcsd_unlock();
	return rc;
}

static void set_loaded(struct kc_key *k, UINT32 tpm_handle)
{
	pthread_mutex_lock(&kc_mutex);
	claim_tpm_handle_locked(tpm_handle, k);
	k->state = KC_LOADED;
	k->tpm_handle = tpm_handle;
	n_restores++;
	pthread_mutex_unlock(&kc_mutex);
}

static TSS_RESULT ensure_loaded(struct kc_key *k, unsigned int depth);

static TSS_RESULT restore_from_context(struct kc_key *k)
{
	UINT32 tpm_handle = 0;
	TSS_RESULT rc;

	(void)keycache_make_room();
	for (;;) {
		rc = ops.load_context(ops.arg, k->ctx_blob, k->ctx_len, &tpm_handle);
		if (!is_out_of_slots(rc) || keycache_evict_one() != TSS_SUCCESS)
			break;
	}
	/*
	 * No slot now (every one pinned by a command in progress): the key
	 * was not loaded and its blob stays good for a retry once a slot is
	 * free. Dropping it here would lose a key loaded with its parent's
	 * authorisation for good: only this blob (TPM_LoadKeyContext, Part 3
	 * §27.2.2) brings such a key back.
	 */
	if (is_out_of_slots(rc))
		return rc;
	pthread_mutex_lock(&kc_mutex);
	OPENSSL_cleanse(k->ctx_blob, k->ctx_len);
	free(k->ctx_blob);
	k->ctx_blob = NULL;
	k->ctx_len = 0;
	if (rc != TSS_SUCCESS) {
		/* Context blobs die with a TPM reset; the wrapped blob does not. */
		log_warn("key cache: TPM_LoadKeyContext of key 0x%x failed: 0x%x", k->handle, rc);
		k->state = k->reloadable ? KC_UNLOADED : KC_LOST;
	}
	pthread_mutex_unlock(&kc_mutex);
	if (rc == TSS_SUCCESS)
		set_loaded(k, tpm_handle);
	return rc;
}

static TSS_RESULT reload_from_blob(struct kc_key *k, unsigned int depth)
{
	struct kc_key *parent = k->parent;
	UINT32 tpm_handle = 0;
	TSS_RESULT rc;

	pthread_mutex_lock(&kc_mutex);
	parent->pins++;
	pthread_mutex_unlock(&kc_mutex);
	if ((rc = ensure_loaded(parent, depth + 1)) != TSS_SUCCESS)
		goto out;
	(void)keycache_make_room();
	for (;;) {
		rc = ops.load_key(ops.arg, parent->tpm_handle, k->blob, k->blob_len, &tpm_handle);
		if (!is_out_of_slots(rc) || keycache_evict_one() != TSS_SUCCESS)
			break;
	}
	if (rc == TSS_SUCCESS)
		set_loaded(k, tpm_handle);
	else
		log_warn("key cache: reloading key 0x%x under 0x%x failed: 0x%x", k->handle,
			 parent->handle, rc);
out:
	pthread_mutex_lock(&kc_mutex);
	parent->pins--;
	pthread_mutex_unlock(&kc_mutex);
	return rc;
}

/* Brings k into the TPM, its parents first if needed. tcsd_lock held. */
static TSS_RESULT ensure_loaded(struct kc_key *k, unsigned int depth)
{
	enum kc_state state;
	TSS_RESULT rc = TSS_SUCCESS;

	if (depth > KC_MAX_DEPTH)
		return TCS_ERROR(TCS_E_KEY_CONTEXT_RELOAD);
	pthread_mutex_lock(&kc_mutex);
	state = k->state;
	if (state != KC_LOADED && state != KC_LOST)
		k->pins++;
	pthread_mutex_unlock(&kc_mutex);
	if (state == KC_LOADED)
		return TSS_SUCCESS;
	if (state == KC_LOST)
		return TCS_ERROR(TCS_E_INVALID_KEY);

	if (state == KC_SAVED) {
		rc = restore_from_context(k);
		/* Out of slots: the context is kept; a reload would need a slot too. */
		if (rc == TSS_SUCCESS || is_out_of_slots(rc))
			goto out;
		pthread_mutex_lock(&kc_mutex);
		state = k->state;
		pthread_mutex_unlock(&kc_mutex);
		if (state == KC_LOST) {
			rc = TCS_ERROR(TCS_E_INVALID_KEY);
			goto out;
		}
	}
	rc = reload_from_blob(k, depth);
out:
	pthread_mutex_lock(&kc_mutex);
	k->pins--;
	pthread_mutex_unlock(&kc_mutex);
	return rc;
}

/* ---- public interface ---- */

/* Keys pinned by users right now (they hold TPM slots nobody may take). */
static size_t pinned_loaded_locked(void)
{
	size_t n = 0;

	for (size_t i = 0; i < n_keys; i++)
		if (keys[i]->pins > 0 && keys[i]->state == KC_LOADED)
			n++;
	return n;
}

/*
 * ensure_loaded found every slot taken by keys other commands have pinned
 * (the caller holds tcsd_lock, kc_mutex not). Waits, with tcsd_lock
 * released so those commands can finish, until a slot event newer than
 * *seen or the deadline. Returns true when a retry may succeed: an event
 * came (possibly before we got here: then without sleeping at all).
 */
static bool past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

static bool wait_for_slot(uint64_t *seen, const struct timespec *deadline)
{
	bool retry;
	int err = 0;

	/* Bounded even when slots keep changing hands without one coming to us. */
	if (past(deadline))
		return false;
	pthread_once(&kc_slot_cond_once, slot_cond_init);
	pthread_mutex_lock(&kc_mutex);
	if (kc_slot_gen == *seen && pinned_loaded_locked() == 0) {
		/* Nobody will release anything: the slots hold keys that cannot move. */
		pthread_mutex_unlock(&kc_mutex);
		return false;
	}
	/* Unlocking never blocks, so the lock order (tcsd_lock, then kc_mutex) holds. */
	tcsd_unlock();
	while (kc_slot_gen == *seen && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&kc_slot_cond, &kc_mutex, deadline);
	retry = kc_slot_gen != *seen;
	*seen = kc_slot_gen;
	pthread_mutex_unlock(&kc_mutex);
	tcsd_lock();
	return retry;
}

TSS_RESULT keycache_acquire(TCS_CONTEXT_HANDLE ctx, TCS_KEY_HANDLE handle, UINT32 *tpm_handle)
{
	struct kc_key *k;
	TSS_RESULT rc;
	struct timespec deadline;
	uint64_t seen;

	*tpm_handle = 0;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += KC_WAIT_SECONDS;
	tcsd_lock();
	pthread_mutex_lock(&kc_mutex);
	k = find_locked(handle);
	if (k == NULL || !may_use_locked(k, ctx)) {
		pthread_mutex_unlock(&kc_mutex);
		tcsd_unlock();
		return TCS_ERROR(TCS_E_INVALID_KEYHANDLE);
	}
	k->pins++;
	seen = kc_slot_gen;
	pthread_mutex_unlock(&kc_mutex);

	/*
	 * Every slot held by a key in use by another command: wait for one to
	 * be released instead of failing (keycache.h).
	 */
	while (is_out_of_slots(rc = ensure_loaded(k, 0)) && wait_for_slot(&seen, &deadline))
		;
	if (is_out_of_slots(rc))
		log_warn("key cache: no key slot for key 0x%x after waiting: 0x%x", handle, rc);

	pthread_mutex_lock(&kc_mutex);
	if (rc == TSS_SUCCESS) {
		k->last_use = ++tick;
		*tpm_handle = k->tpm_handle;
	} else {
		unpin_locked(k);
	}
	pthread_mutex_unlock(&kc_mutex);
	if (rc != TSS_SUCCESS)
		collect_garbage();
	tcsd_unlock();
	return rc;
}

TSS_RESULT keycache_acquire_pair(TCS_CONTEXT_HANDLE ctx, TCS_KEY_HANDLE h1, TCS_KEY_HANDLE h2,
				 UINT32 *tpm1, UINT32 *tpm2)
{
	struct timespec deadline;
	TSS_RESULT rc;
	uint64_t seen;
	bool moved;

	*tpm1 = 0;
	*tpm2 = 0;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += KC_WAIT_SECONDS;
	tcsd_lock();
	for (;;) {
		struct kc_key *k1, *k2;

		/* Found afresh each round: while we waited the keys may have gone. */
		pthread_mutex_lock(&kc_mutex);
		k1 = find_locked(h1);
		k2 = find_locked(h2);
		if (k1 == NULL || k2 == NULL || !may_use_locked(k1, ctx) || !may_use_locked(k2, ctx)) {
			pthread_mutex_unlock(&kc_mutex);
			rc = TCS_ERROR(TCS_E_INVALID_KEYHANDLE);
			break;
		}
		k1->pins++;
		k2->pins++;
		seen = kc_slot_gen;
		pthread_mutex_unlock(&kc_mutex);

		/* Each pin keeps the other key in the TPM while this one loads. */
		if ((rc = ensure_loaded(k1, 0)) == TSS_SUCCESS)
			rc = ensure_loaded(k2, 0);

		pthread_mutex_lock(&kc_mutex);
		if (rc == TSS_SUCCESS) {
			k1->last_use = ++tick;
			k2->last_use = ++tick;
			*tpm1 = k1->tpm_handle;
			*tpm2 = k2->tpm_handle;
			pthread_mutex_unlock(&kc_mutex);
			break;
		}
		/*
		 * Never wait holding one of the pair: two commands each holding
		 * one key and waiting for a slot for their second would wait for
		 * each other until the deadline. Dropping the pins is an event for
		 * them, not for us: what counts for us is whether slots changed
		 * hands during the attempt (keycache_release runs without
		 * tcsd_lock), and then the retry comes at once.
		 */
		moved = kc_slot_gen != seen;
		k1->pins--;
		k2->pins--;
		slot_event_locked();
		seen = kc_slot_gen;
		pthread_mutex_unlock(&kc_mutex);
		if (!is_out_of_slots(rc))
			break;
		if (moved ? past(&deadline) : !wait_for_slot(&seen, &deadline))
			break;
	}
	if (rc != TSS_SUCCESS) {
		if (is_out_of_slots(rc))
			log_warn("key cache: no key slots for keys 0x%x and 0x%x after waiting: 0x%x",
				 h1, h2, rc);
		collect_garbage();
	}
	tcsd_unlock();
	return rc;
}

void keycache_release(TCS_KEY_HANDLE handle)
{
	struct kc_key *k;
	bool gc = false;

	pthread_mutex_lock(&kc_mutex);
	k = find_locked(handle);
	if (k != NULL && k->pins > 0) {
		unpin_locked(k);
		gc = unreferenced_locked(k);
	}
	pthread_mutex_unlock(&kc_mutex);
	/* Only a key nobody owns any more needs the TPM (a flush). */
	if (gc) {
		tcsd_lock();
		collect_garbage();
		tcsd_unlock();
	}
}

void keycache_tpm_lost(TCS_KEY_HANDLE handle)
{
	UINT32 handles[256];
	size_t count = 0;
	TSS_RESULT rc = TCS_ERROR(TSS_E_FAIL);
	struct kc_key *k;

	tcsd_lock();
	if (ops_set && ops.loaded_handles != NULL)
		rc = ops.loaded_handles(ops.arg, handles, sizeof(handles) / sizeof(handles[0]),
					&count);
	pthread_mutex_lock(&kc_mutex);
	k = find_locked(handle);
	if (k != NULL)
		mark_gone_locked(k);
	if (rc == TSS_SUCCESS) {
		for (size_t i = 0; i < n_keys; i++) {
			bool present = false;

			if (keys[i]->state != KC_LOADED)
				continue;
			for (size_t j = 0; j < count && !present; j++)
				present = handles[j] == keys[i]->tpm_handle;
			if (!present)
				mark_gone_locked(keys[i]);
		}
	}
	pthread_mutex_unlock(&kc_mutex);
	log_warn("key cache: the TPM lost key 0x%x; resynchronised with its handle list",
		 handle);
	tcsd_unlock();
}

TSS_RESULT keycache_add(TCS_CONTEXT_HANDLE ctx, TCS_KEY_HANDLE parent, const BYTE *blob,
			size_t blob_len, UINT32 tpm_handle, bool reloadable, const TSS_UUID *uuid,
			TCS_KEY_HANDLE *out)
{
	struct kc_key *k = NULL, *p;
	TSS_RESULT rc = TSS_SUCCESS;

	*out = 0;
	/* Without its blob a key can only move out with SaveKeyContext. */
	if ((blob == NULL) != (blob_len == 0) || (blob == NULL && reloadable))
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	tcsd_lock();
	pthread_mutex_lock(&kc_mutex);
	p = find_locked(parent);
	if (p == NULL) {
		rc = TCS_ERROR(TCS_E_INVALID_KEYHANDLE);
		goto unlock;
	}
	if ((rc = reserve_entry_locked()) != TSS_SUCCESS)
		goto unlock;
	k = calloc(1, sizeof(*k));
	if (k == NULL || (blob_len > 0 && (k->blob = malloc(blob_len)) == NULL)) {
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
		goto unlock;
	}
	if (blob_len > 0)
		memcpy(k->blob, blob, blob_len);
	k->blob_len = blob_len;
	if (add_owner_locked(k, ctx) != 0) {
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
		goto unlock;
	}
	claim_tpm_handle_locked(tpm_handle, NULL);
	k->handle = new_handle_locked();
	k->tpm_handle = tpm_handle;
	k->state = KC_LOADED;
	k->parent = p;
	k->reloadable = reloadable;
	k->last_use = ++tick;
	if (uuid != NULL) {
		k->has_uuid = true;
		k->uuid = *uuid;
	}
	p->children++;
	keys[n_keys++] = k;
	*out = k->handle;
	k = NULL;
unlock:
	pthread_mutex_unlock(&kc_mutex);
	if (k != NULL)
		key_free(k);
	/* A key nobody can own (ctx 0) is flushed at once. */
	if (rc == TSS_SUCCESS && ctx == 0)
		collect_garbage();
	tcsd_unlock();
	return rc;
}

TSS_RESULT keycache_share_uuid(TCS_CONTEXT_HANDLE ctx, const TSS_UUID *uuid,
			       TCS_KEY_HANDLE *out)
{
	TSS_RESULT rc = TCS_ERROR(TSS_E_PS_KEY_NOTFOUND);

	*out = 0;
	pthread_mutex_lock(&kc_mutex);
	if (uuid_equal(uuid, &srk.uuid)) {
		*out = srk.handle;
		rc = TSS_SUCCESS;
		goto out;
	}
	for (size_t i = 0; i < n_keys; i++) {
		struct kc_key *k = keys[i];

		if (k->has_uuid && k->state != KC_LOST && uuid_equal(&k->uuid, uuid)) {
			if (add_owner_locked(k, ctx) != 0) {
				rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
				break;
			}
			*out = k->handle;
			rc = TSS_SUCCESS;
			break;
		}
	}
out:
	pthread_mutex_unlock(&kc_mutex);
	return rc;
}

TSS_RESULT keycache_share_blob(TCS_CONTEXT_HANDLE ctx, TCS_KEY_HANDLE parent, const BYTE *blob,
			       size_t blob_len, TCS_KEY_HANDLE *out)
{
	TSS_RESULT rc = TCS_ERROR(TSS_E_PS_KEY_NOTFOUND);
	struct kc_key *p;

	*out = 0;
	pthread_mutex_lock(&kc_mutex);
	p = find_locked(parent);
	for (size_t i = 0; p != NULL && i < n_keys; i++) {
		struct kc_key *k = keys[i];

		if (k->parent == p && k->reloadable && k->state != KC_LOST &&
		    k->blob_len == blob_len && memcmp(k->blob, blob, blob_len) == 0) {
			if (add_owner_locked(k, ctx) != 0) {
				rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
				break;
			}
			*out = k->handle;
			rc = TSS_SUCCESS;
			break;
		}
	}
	pthread_mutex_unlock(&kc_mutex);
	return rc;
}

TSS_RESULT keycache_evict(TCS_CONTEXT_HANDLE ctx, TCS_KEY_HANDLE handle)
{
	struct kc_key *k;
	TSS_RESULT rc = TSS_SUCCESS;

	tcsd_lock();
	pthread_mutex_lock(&kc_mutex);
	k = find_locked(handle);
	if (k == NULL || k->is_srk || (ctx != 0 && owner_locked(k, ctx) == NULL))
		rc = TCS_ERROR(TCS_E_INVALID_KEYHANDLE);
	else
		drop_owner_locked(k, ctx, false);
	pthread_mutex_unlock(&kc_mutex);
	if (rc == TSS_SUCCESS)
		collect_garbage();
	tcsd_unlock();
	return rc;
}

void keycache_release_context(TCS_CONTEXT_HANDLE ctx)
{
	tcsd_lock();
	pthread_mutex_lock(&kc_mutex);
	for (size_t i = 0; i < n_keys; i++)
		drop_owner_locked(keys[i], ctx, true);
	pthread_mutex_unlock(&kc_mutex);
	collect_garbage();
	tcsd_unlock();
}

bool keycache_uuid_loaded(const TSS_UUID *uuid)
{
	bool loaded = false;

	pthread_mutex_lock(&kc_mutex);
	if (uuid_equal(uuid, &srk.uuid))
		loaded = true;
	for (size_t i = 0; i < n_keys && !loaded; i++)
		loaded = keys[i]->has_uuid && keys[i]->state == KC_LOADED &&
			 uuid_equal(&keys[i]->uuid, uuid);
	pthread_mutex_unlock(&kc_mutex);
	return loaded;
}

bool keycache_uuid_handle(const TSS_UUID *uuid, TCS_KEY_HANDLE *out)
{
	bool found = false;

	*out = 0;
	pthread_mutex_lock(&kc_mutex);
	if (uuid_equal(uuid, &srk.uuid)) {
		*out = srk.handle;
		found = true;
	}
	for (size_t i = 0; i < n_keys && !found; i++) {
		if (keys[i]->has_uuid && keys[i]->state != KC_LOST &&
		    uuid_equal(&keys[i]->uuid, uuid)) {
			*out = keys[i]->handle;
			found = true;
		}
	}
	pthread_mutex_unlock(&kc_mutex);
	return found;
}

/* An owner-evict key found in the TPM at start-up (tcsd_lock held). */
static bool adopt_owner_evict(UINT32 tpm_handle)
{
	struct kc_key *k = NULL;
	bool ok = false;

	pthread_mutex_lock(&kc_mutex);
	if (reserve_entry_locked() != TSS_SUCCESS || (k = calloc(1, sizeof(*k))) == NULL ||
	    !free_owner_evict_uuid_locked(&k->uuid))
		goto out;
	/* Its parent is unknown and never needed: it is never reloaded. */
	k->handle = new_handle_locked();
	k->tpm_handle = tpm_handle;
	k->state = KC_LOADED;
	k->parent = &srk;
	k->has_uuid = true;
	k->owner_evict = true;
	k->last_use = ++tick;
	srk.children++;
	keys[n_keys++] = k;
	log_info("key cache: owner-evict key (TPM 0x%x) is key 0x%x, UUID OWNEREVICT(%u)",
		 tpm_handle, k->handle, k->uuid.rgbNode[5]);
	k = NULL;
	ok = true;
out:
	pthread_mutex_unlock(&kc_mutex);
	free(k);
	return ok;
}

TSS_RESULT keycache_set_owner_evict(TCS_KEY_HANDLE handle, bool on, TSS_UUID *uuid)
{
	struct kc_key *k;
	TSS_RESULT rc = TSS_SUCCESS;
	bool gc = false;

	memset(uuid, 0, sizeof(*uuid));
	tcsd_lock();
	pthread_mutex_lock(&kc_mutex);
	k = find_locked(handle);
	if (k == NULL || k->is_srk) {
		rc = TCS_ERROR(TCS_E_INVALID_KEYHANDLE);
	} else if (k->owner_evict) {
		*uuid = k->uuid;
		if (!on) {
			k->owner_evict = false;
			k->has_uuid = false;
			gc = unreferenced_locked(k);
		}
	} else if (on) {
		/* The owner-evict name replaces any other (TrouSerS' mc_set_uuid). */
		if (!free_owner_evict_uuid_locked(uuid)) {
			log_error("key cache: every owner-evict UUID is taken");
			rc = TCS_ERROR(TSS_E_FAIL);
		} else {
			k->uuid = *uuid;
			k->has_uuid = true;
			k->owner_evict = true;
		}
	}
	pthread_mutex_unlock(&kc_mutex);
	if (gc)
		collect_garbage();
	tcsd_unlock();
	return rc;
}

TSS_RESULT keycache_owner_evict_blob(const TSS_UUID *uuid, BYTE **blob, size_t *len)
{
	TSS_RESULT rc = TCS_ERROR(TSS_E_PS_KEY_NOTFOUND);

	*blob = NULL;
	*len = 0;
	pthread_mutex_lock(&kc_mutex);
	for (size_t i = 0; i < n_keys; i++) {
		struct kc_key *k = keys[i];

		if (!k->owner_evict || !uuid_equal(&k->uuid, uuid) || k->blob_len == 0)
			continue;
		if ((*blob = malloc(k->blob_len)) == NULL) {
			rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
			break;
		}
		memcpy(*blob, k->blob, k->blob_len);
		*len = k->blob_len;
		rc = TSS_SUCCESS;
		break;
	}
	pthread_mutex_unlock(&kc_mutex);
	return rc;
}

void keycache_get_stats(struct keycache_stats *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&kc_mutex);
	st->entries = n_keys;
	for (size_t i = 0; i < n_keys; i++) {
		if (keys[i]->state == KC_LOADED)
			st->loaded++;
		else if (keys[i]->state == KC_SAVED)
			st->saved++;
	}
	st->evictions = n_evictions;
	st->restores = n_restores;
	pthread_mutex_unlock(&kc_mutex);
}

/* Forgets everything; flushes what is loaded when flush is set. */
static void drop_all(bool flush)
{
	tcsd_lock();
	pthread_mutex_lock(&kc_mutex);
	for (size_t i = 0; i < n_keys; i++) {
		struct kc_key *k = keys[i];

		if (flush && ops_set && k->state == KC_LOADED && !k->owner_evict) {
			UINT32 h = k->tpm_handle;

			pthread_mutex_unlock(&kc_mutex);
			(void)ops.flush(ops.arg, h);
			pthread_mutex_lock(&kc_mutex);
		}
		key_free(k);
		keys[i] = NULL;
	}
	free(keys);
	keys = NULL;
	n_keys = cap_keys = 0;
	srk.children = 0;
	srk.pins = 0;
	pthread_mutex_unlock(&kc_mutex);
	tcsd_unlock();
}

TSS_RESULT keycache_setup(const struct keycache_tpm_ops *o)
{
	UINT32 handles[256];
	size_t count = 0;

	drop_all(false);
	tcsd_lock();
	pthread_mutex_lock(&kc_mutex);
	ops = *o;
	ops_set = true;
	tick = 0;
	n_evictions = n_restores = 0;
	foreign_slots = 0;
	next_handle = KC_FIRST_HANDLE;
	pthread_mutex_unlock(&kc_mutex);

	/*
	 * Keys left by an earlier daemon take slots nobody can use: flush
	 * them. The TPM refuses for owner-evict keys, which the cache takes.
	 */
	if (ops.loaded_handles != NULL &&
	    ops.loaded_handles(ops.arg, handles, sizeof(handles) / sizeof(handles[0]),
			       &count) == TSS_SUCCESS) {
		size_t flushed = 0, adopted = 0;

		for (size_t i = 0; i < count; i++) {
			TSS_RESULT rc;

			if (handles[i] == KEYCACHE_SRK_HANDLE)
				continue;
			rc = ops.flush(ops.arg, handles[i]);
			if (rc == TSS_SUCCESS)
				flushed++;
			else if (rc == TPM_E_KEY_OWNER_CONTROL && adopt_owner_evict(handles[i]))
				adopted++;
			else
				foreign_slots++;
		}
		if (count > 0)
			log_info("key cache: %zu key(s) left in the TPM: %zu flushed, %zu "
				 "owner-evict kept, %zu unusable", count, flushed, adopted,
				 foreign_slots);
	}
	log_info("key cache: %u key slots%s", ops.max_keys,
		 ops.has_key_context ? ", keys moved out with TPM_SaveKeyContext"
				     : ", keys moved out by reloading their blobs");
	tcsd_unlock();
	return TSS_SUCCESS;
}

void keycache_teardown(void)
{
	drop_all(true);
	tcsd_lock();
	ops_set = false;
	tcsd_unlock();
}
