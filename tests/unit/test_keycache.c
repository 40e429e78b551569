/*
 * Unit tests for tcsd/keycache.c against a scripted TPM: a table of key
 * slots that enforces its capacity, knows which key each handle holds,
 * refuses loads under a parent that is not loaded, and can be "reset".
 * The tests check the eviction policy (LRU, never the SRK, never a parent
 * of the load in progress, never a key in use), both ways of moving keys
 * out (SaveKeyContext, reload from the blob), recovery after a TPM reset,
 * ownership per context, that a use costs no TPM round trip, and that an
 * acquire finding every slot pinned waits for one instead of failing.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <tss/tcs_error.h>
#include <tss/tpm_error.h>
#include <tss/tss_error.h>
#include <tss/tss_defines.h>
#include <tss/tss_error_basics.h>

#include "keycache.h"
#include "log.h"

/* ---- the daemon's resource lock, as tpm_exec.c provides it ---- */

static pthread_mutex_t res_lock;

/*
 * A test can have the next tcsd_unlock() after the TPM refused a load for
 * want of a slot release some keys: the key cache unlocks right after it
 * found nothing to evict, so this puts the releases exactly between a
 * failed attempt and the decision to wait. Armed only while one thread runs.
 */
static struct {
	bool armed;
	unsigned int after_refusals;	/* fires once tpm.refusals reaches this */
	TCS_KEY_HANDLE release[2];
	unsigned int fired;
} unlock_hook;

static unsigned int fake_refusals(void);

void tcsd_lock(void);
void tcsd_unlock(void);
void tcsd_lock(void)
{
	pthread_mutex_lock(&res_lock);
}

void tcsd_unlock(void)
{
	pthread_mutex_unlock(&res_lock);
	if (unlock_hook.armed && fake_refusals() >= unlock_hook.after_refusals) {
		unlock_hook.armed = false;
		unlock_hook.fired++;
		for (size_t i = 0; i < 2; i++)
			keycache_release(unlock_hook.release[i]);
	}
}

/* ---- the scripted TPM ---- */

#define FAKE_MAX_SLOTS 8
#define SRK 0x40000000u

struct fake_slot {
	bool used;
	UINT32 handle;
	int key_id;
	bool owner_evict;	/* TPM_FlushSpecific refuses; survives a reset */
};

static struct {
	pthread_mutex_t lock;
	unsigned int slots;		/* capacity */
	struct fake_slot slot[FAKE_MAX_SLOTS];
	UINT32 next_handle;
	unsigned int epoch;		/* bumped by a reset: context blobs die */
	unsigned int calls;		/* every TPM command */
	unsigned int loads, flushes, saves, ctx_loads, cap_queries;
	unsigned int max_used;
	unsigned int refusals;		/* loads refused with TPM_RESOURCES */
	pthread_cond_t changed;		/* broadcast on each refusal */
} tpm;

/* Blobs are "key:N" (the key's id); contexts "ctx:EPOCH:N". */
static void make_blob(int id, BYTE *out, size_t *len)
{
	*len = (size_t)snprintf((char *)out, 32, "key:%d", id);
}

static int blob_id(const BYTE *blob, size_t len)
{
	char s[32];

	assert_true(len < sizeof(s));
	memcpy(s, blob, len);
	s[len] = '\0';
	assert_int_equal(strncmp(s, "key:", 4), 0);
	return atoi(s + 4);
}

static struct fake_slot *slot_by_handle(UINT32 h)
{
	for (unsigned int i = 0; i < tpm.slots; i++)
		if (tpm.slot[i].used && tpm.slot[i].handle == h)
			return &tpm.slot[i];
	return NULL;
}

static unsigned int used_slots(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < tpm.slots; i++)
		n += tpm.slot[i].used;
	return n;
}

static TSS_RESULT put_key(int id, UINT32 *handle)
{
	for (unsigned int i = 0; i < tpm.slots; i++) {
		if (!tpm.slot[i].used) {
			tpm.slot[i].used = true;
			tpm.slot[i].owner_evict = false;
			tpm.slot[i].key_id = id;
			tpm.slot[i].handle = tpm.next_handle++;
			*handle = tpm.slot[i].handle;
			if (used_slots() > tpm.max_used)
				tpm.max_used = used_slots();
			return TSS_SUCCESS;
		}
	}
	tpm.refusals++;
	pthread_cond_broadcast(&tpm.changed);
	return TPM_E_RESOURCES;
}

static unsigned int fake_refusals(void)
{
	unsigned int n;

	pthread_mutex_lock(&tpm.lock);
	n = tpm.refusals;
	pthread_mutex_unlock(&tpm.lock);
	return n;
}

/* Waits (10 s at most) until the TPM has refused n loads in all. */
static bool fake_wait_refusals(unsigned int n)
{
	struct timespec t;
	bool reached;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 10;
	pthread_mutex_lock(&tpm.lock);
	while (tpm.refusals < n)
		if (pthread_cond_timedwait(&tpm.changed, &tpm.lock, &t) == ETIMEDOUT)
			break;
	reached = tpm.refusals >= n;
	pthread_mutex_unlock(&tpm.lock);
	return reached;
}

/* Which key the TPM holds under handle: -1 for none, 0 for the SRK. */
static int fake_key_at(UINT32 h)
{
	struct fake_slot *s;
	int id;

	if (h == SRK)
		return 0;
	pthread_mutex_lock(&tpm.lock);
	s = slot_by_handle(h);
	id = s != NULL ? s->key_id : -1;
	pthread_mutex_unlock(&tpm.lock);
	return id;
}

static bool fake_has_key(int id)
{
	bool found = false;

	pthread_mutex_lock(&tpm.lock);
	for (unsigned int i = 0; i < tpm.slots; i++)
		found |= tpm.slot[i].used && tpm.slot[i].key_id == id;
	pthread_mutex_unlock(&tpm.lock);
	return found;
}

/* Parent of key id in the tests' hierarchy: key 10x (x >= 2) hangs under key x. */
static int parent_of(int id)
{
	return id >= 20 && id % 10 == 0 ? id / 10 : 0;
}

static TSS_RESULT fake_load_key(void *arg, UINT32 parent_tpm, const BYTE *blob, size_t len,
				UINT32 *handle)
{
	int id = blob_id(blob, len);
	TSS_RESULT rc;

	pthread_mutex_lock(&tpm.lock);
	tpm.calls++;
	tpm.loads++;
	if (parent_tpm == SRK ? parent_of(id) != 0
			      : (slot_by_handle(parent_tpm) == NULL ||
				 slot_by_handle(parent_tpm)->key_id != parent_of(id)))
		rc = TPM_E_INVALID_KEYHANDLE;
	else
		rc = put_key(id, handle);
	pthread_mutex_unlock(&tpm.lock);
	return rc;
}

static TSS_RESULT fake_flush(void *arg, UINT32 h)
{
	struct fake_slot *s;
	TSS_RESULT rc = TSS_SUCCESS;

	pthread_mutex_lock(&tpm.lock);
	tpm.calls++;
	tpm.flushes++;
	s = slot_by_handle(h);
	if (s == NULL)
		rc = TPM_E_INVALID_KEYHANDLE;
	else if (s->owner_evict)
		rc = TPM_E_KEY_OWNER_CONTROL;
	else
		s->used = false;
	pthread_mutex_unlock(&tpm.lock);
	return rc;
}

static TSS_RESULT fake_save_context(void *arg, UINT32 h, BYTE **blob, size_t *len)
{
	struct fake_slot *s;
	TSS_RESULT rc = TSS_SUCCESS;

	*blob = NULL;
	*len = 0;
	pthread_mutex_lock(&tpm.lock);
	tpm.calls++;
	tpm.saves++;
	s = slot_by_handle(h);
	if (s == NULL) {
		rc = TPM_E_INVALID_KEYHANDLE;
	} else {
		*blob = malloc(32);
		*len = (size_t)snprintf((char *)*blob, 32, "ctx:%u:%d", tpm.epoch, s->key_id);
		s->used = false;
	}
	pthread_mutex_unlock(&tpm.lock);
	return rc;
}

static TSS_RESULT fake_load_context(void *arg, const BYTE *blob, size_t len, UINT32 *h)
{
	char s[32];
	unsigned int epoch;
	int id;
	TSS_RESULT rc;

	assert_true(len < sizeof(s));
	memcpy(s, blob, len);
	s[len] = '\0';
	assert_int_equal(sscanf(s, "ctx:%u:%d", &epoch, &id), 2);
	pthread_mutex_lock(&tpm.lock);
	tpm.calls++;
	tpm.ctx_loads++;
	rc = epoch != tpm.epoch ? TPM_E_BADCONTEXT : put_key(id, h);
	pthread_mutex_unlock(&tpm.lock);
	return rc;
}

static TSS_RESULT fake_loaded_handles(void *arg, UINT32 *handles, size_t max, size_t *count)
{
	*count = 0;
	pthread_mutex_lock(&tpm.lock);
	tpm.calls++;
	tpm.cap_queries++;
	for (unsigned int i = 0; i < tpm.slots; i++)
		if (tpm.slot[i].used && *count < max)
			handles[(*count)++] = tpm.slot[i].handle;
	pthread_mutex_unlock(&tpm.lock);
	return TSS_SUCCESS;
}

/* TPM_Startup(ST_CLEAR) after a power cycle: keys and contexts gone, handles reused. */
static void fake_reset(void)
{
	pthread_mutex_lock(&tpm.lock);
	for (unsigned int i = 0; i < FAKE_MAX_SLOTS; i++)
		tpm.slot[i].used = tpm.slot[i].used && tpm.slot[i].owner_evict;
	tpm.next_handle = 0x01000000;
	tpm.epoch++;
	pthread_mutex_unlock(&tpm.lock);
}

static void fake_start(unsigned int slots, bool has_context, bool announce_slots)
{
	struct keycache_tpm_ops ops = {
		.load_key = fake_load_key,
		.flush = fake_flush,
		.save_context = fake_save_context,
		.load_context = fake_load_context,
		.loaded_handles = fake_loaded_handles,
		.has_key_context = has_context,
		.max_keys = announce_slots ? slots : 0,
	};

	pthread_mutex_lock(&tpm.lock);
	memset(tpm.slot, 0, sizeof(tpm.slot));
	tpm.slots = slots;
	tpm.next_handle = 0x01000000;
	tpm.calls = tpm.loads = tpm.flushes = tpm.saves = tpm.ctx_loads = 0;
	tpm.cap_queries = tpm.max_used = tpm.refusals = 0;
	pthread_mutex_unlock(&tpm.lock);
	memset(&unlock_hook, 0, sizeof(unlock_hook));
	assert_int_equal(keycache_setup(&ops), TSS_SUCCESS);
}

/* What a client's LoadKeyByBlob does: parent in, room made, TPM_LoadKey2, recorded. */
static TCS_KEY_HANDLE client_load(TCS_CONTEXT_HANDLE ctx, TCS_KEY_HANDLE parent, int id,
				  bool reloadable)
{
	BYTE blob[32];
	size_t len;
	UINT32 parent_tpm, h;
	TCS_KEY_HANDLE out;
	TSS_RESULT rc;

	make_blob(id, blob, &len);
	tcsd_lock();
	assert_int_equal(keycache_acquire(ctx, parent, &parent_tpm), TSS_SUCCESS);
	assert_int_equal(keycache_make_room(), TSS_SUCCESS);
	while ((rc = fake_load_key(NULL, parent_tpm, blob, len, &h)) == TPM_E_RESOURCES)
		assert_int_equal(keycache_evict_one(), TSS_SUCCESS);
	assert_int_equal(rc, TSS_SUCCESS);
	assert_int_equal(keycache_add(ctx, parent, blob, len, h, reloadable, NULL, &out),
			 TSS_SUCCESS);
	keycache_release(parent);
	tcsd_unlock();
	assert_true(out != 0 && out != SRK);
	return out;
}

/* Uses a key and checks the TPM really holds that key under the handle given. */
static void use_key(TCS_CONTEXT_HANDLE ctx, TCS_KEY_HANDLE h, int id)
{
	UINT32 tpm_handle;

	assert_int_equal(keycache_acquire(ctx, h, &tpm_handle), TSS_SUCCESS);
	assert_int_equal(fake_key_at(tpm_handle), id);
	keycache_release(h);
}

static int setup(void **state)
{
	return 0;
}

static int teardown(void **state)
{
	keycache_teardown();
	return 0;
}

/* ---- tests ---- */

static void srk_is_itself_and_free(void **state)
{
	UINT32 h;

	fake_start(3, true, true);
	tpm.calls = 0;
	assert_int_equal(keycache_acquire(7, SRK, &h), TSS_SUCCESS);
	assert_int_equal(h, SRK);
	keycache_release(SRK);
	assert_int_equal(tpm.calls, 0);
	/* Nobody evicts the SRK. */
	assert_int_equal(keycache_evict(7, SRK), TCS_ERROR(TCS_E_INVALID_KEYHANDLE));
}

static void use_costs_no_round_trip(void **state)
{
	TCS_KEY_HANDLE a;
	unsigned int before;

	fake_start(3, true, true);
	a = client_load(1, SRK, 1, true);
	before = tpm.calls;
	for (int i = 0; i < 100; i++)
		use_key(1, a, 1);
	assert_int_equal(tpm.calls, before);
}

static void lru_with_key_contexts(void **state)
{
	TCS_KEY_HANDLE k[5];
	struct keycache_stats st;

	fake_start(3, true, true);
	for (int i = 1; i <= 3; i++)
		k[i] = client_load(1, SRK, i, false);
	assert_int_equal(used_slots(), 3);
	/* Touch 1: 2 is now the least recently used. */
	use_key(1, k[1], 1);
	k[4] = client_load(1, SRK, 4, false);
	assert_int_equal(tpm.saves, 1);
	keycache_get_stats(&st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.loaded, 3);
	assert_int_equal(st.saved, 1);
	/* Key 2 comes back by LoadKeyContext, pushing out key 3 (LRU now). */
	use_key(1, k[2], 2);
	assert_int_equal(tpm.ctx_loads, 1);
	assert_int_equal(tpm.saves, 2);
	assert_int_equal(tpm.loads, 4); /* no reload from a blob */
	use_key(1, k[3], 3);
	use_key(1, k[1], 1);
	use_key(1, k[4], 4);
	assert_true(tpm.max_used <= 3);
	keycache_get_stats(&st);
	assert_true(st.evictions >= 4);
}

static void reload_chain_without_contexts(void **state)
{
	TCS_KEY_HANDLE p, c, a;

	/* Two slots, no SaveKeyContext: keys come back from their blobs. */
	fake_start(2, false, true);
	p = client_load(1, SRK, 2, true);
	c = client_load(1, p, 20, true);	/* 20 -> parent 2 */
	a = client_load(1, SRK, 3, true);	/* pushes out p (LRU) */
	assert_int_equal(fake_key_at(SRK), 0);
	/* Everything usable, each reload loading what it needs first. */
	use_key(1, c, 20);
	use_key(1, a, 3);
	use_key(1, p, 2);
	use_key(1, c, 20);
	assert_true(tpm.max_used <= 2);
	assert_int_equal(tpm.saves, 0);
}

/*
 * The parent of the load in progress is never the victim, even when it
 * is the least recently used key: A is loaded after P was last used, the
 * child C (under P) is restored with two slots.
 */
static void parent_of_load_is_never_evicted(void **state)
{
	TCS_KEY_HANDLE p, c, a;

	fake_start(2, false, true);
	p = client_load(1, SRK, 5, true);
	c = client_load(1, p, 50, true);
	a = client_load(1, SRK, 6, true);	/* evicts p */
	assert_false(fake_has_key(5));
	assert_int_equal(keycache_evict_one(), TSS_SUCCESS); /* c, older than a */
	assert_false(fake_has_key(50));
	/* Now: a loaded; p and c out. C needs p (used before a) in the TPM. */
	use_key(1, c, 50);
	assert_true(tpm.max_used <= 2);
	/* The load of c must have evicted a, not p. */
	assert_true(fake_has_key(5));
	assert_true(fake_has_key(50));
	assert_false(fake_has_key(6));
	use_key(1, a, 6);
}

/* With no announced capacity, TPM_RESOURCES from a load triggers an eviction. */
static void resources_error_evicts(void **state)
{
	TCS_KEY_HANDLE k[4];

	fake_start(2, true, false);
	k[1] = client_load(1, SRK, 1, true);
	k[2] = client_load(1, SRK, 2, true);
	k[3] = client_load(1, SRK, 3, true); /* the TPM refuses once; 1 moves out */
	assert_int_equal(tpm.saves, 1);
	use_key(1, k[1], 1);
	use_key(1, k[2], 2);
	use_key(1, k[3], 3);
	assert_true(tpm.max_used <= 2);
}

/* A key loaded with the parent's auth cannot be reloaded; only a context saves it. */
static void unreloadable_keys(void **state)
{
	TCS_KEY_HANDLE a, b, c;
	UINT32 h;
	BYTE blob[32];
	size_t len;
	TSS_RESULT rc;

	fake_start(2, false, true);
	a = client_load(1, SRK, 1, false);
	b = client_load(1, SRK, 2, false);
	/* Both pinned in place: the TPM is full and nothing can move. */
	assert_int_equal(keycache_evict_one(), TPM_E_RESOURCES);
	make_blob(3, blob, &len);
	assert_int_equal(keycache_make_room(), TSS_SUCCESS);
	rc = fake_load_key(NULL, SRK, blob, len, &h);
	assert_int_equal(rc, TPM_E_RESOURCES);
	use_key(1, a, 1);
	use_key(1, b, 2);
	teardown(state);

	/* With key contexts they move. */
	fake_start(2, true, true);
	a = client_load(1, SRK, 1, false);
	b = client_load(1, SRK, 2, false);
	c = client_load(1, SRK, 3, false);
	use_key(1, a, 1);
	use_key(1, b, 2);
	use_key(1, c, 3);
}

/*
 * A key loaded inside an encrypted transport session: the TCS never saw
 * its blob. It is cached all the same, moves only with SaveKeyContext,
 * and a reloadable key without a blob is refused.
 */
static void keys_without_blob(void **state)
{
	TCS_KEY_HANDLE a, b, c, out;
	BYTE blob[32];
	size_t len;
	UINT32 h;

	fake_start(2, true, true);
	tcsd_lock();
	pthread_mutex_lock(&tpm.lock);
	assert_int_equal(put_key(1, &h), TSS_SUCCESS);
	pthread_mutex_unlock(&tpm.lock);
	assert_int_equal(keycache_add(1, SRK, NULL, 0, h, true, NULL, &out),
			 TCS_ERROR(TSS_E_BAD_PARAMETER));
	make_blob(1, blob, &len);
	assert_int_equal(keycache_add(1, SRK, NULL, len, h, false, NULL, &out),
			 TCS_ERROR(TSS_E_BAD_PARAMETER));
	assert_int_equal(keycache_add(1, SRK, blob, 0, h, false, NULL, &out),
			 TCS_ERROR(TSS_E_BAD_PARAMETER));
	assert_int_equal(keycache_add(1, SRK, NULL, 0, h, false, NULL, &a), TSS_SUCCESS);
	tcsd_unlock();
	/* Two more keys on a 2-slot TPM: a goes out as a context and comes back. */
	b = client_load(1, SRK, 2, true);
	c = client_load(1, SRK, 3, true);
	use_key(1, a, 1);
	use_key(1, b, 2);
	use_key(1, c, 3);
	assert_true(tpm.saves >= 1 && tpm.ctx_loads >= 1);
	/* Its owner leaves: flushed like any other key. */
	keycache_release_context(1);
	assert_false(fake_has_key(1));
	teardown(state);

	/* Without key contexts nothing can move it. */
	fake_start(1, false, true);
	tcsd_lock();
	pthread_mutex_lock(&tpm.lock);
	assert_int_equal(put_key(1, &h), TSS_SUCCESS);
	pthread_mutex_unlock(&tpm.lock);
	assert_int_equal(keycache_add(1, SRK, NULL, 0, h, false, NULL, &a), TSS_SUCCESS);
	tcsd_unlock();
	assert_int_equal(keycache_evict_one(), TPM_E_RESOURCES);
	use_key(1, a, 1);
}

/* TPM_KeyControlOwner as the TPM sees it: the key's owner-evict bit. */
static void fake_set_owner_evict(UINT32 h, bool on)
{
	pthread_mutex_lock(&tpm.lock);
	assert_non_null(slot_by_handle(h));
	slot_by_handle(h)->owner_evict = on;
	pthread_mutex_unlock(&tpm.lock);
}

/* A new daemon on a TPM holding keys: setup with the scripted operations. */
static void restart_cache(unsigned int slots)
{
	struct keycache_tpm_ops ops = {
		.load_key = fake_load_key, .flush = fake_flush,
		.save_context = fake_save_context, .load_context = fake_load_context,
		.loaded_handles = fake_loaded_handles, .has_key_context = true,
		.max_keys = slots,
	};

	keycache_teardown();
	assert_int_equal(keycache_setup(&ops), TSS_SUCCESS);
}

static bool is_owner_evict_uuid(const TSS_UUID *u, BYTE i)
{
	TSS_UUID want = TSS_UUID_OWNEREVICT(i);

	return memcmp(u, &want, sizeof(want)) == 0;
}

/*
 * Owner-evict keys left in the TPM: kept (the TPM refuses to flush them),
 * named OWNEREVICT(0), (1) in handle order, shared by UUID, never moved
 * out, not dropped when their users leave, forgotten when the owner is
 * cleared.
 */
static void owner_evict_keys_found_at_start(void **state)
{
	TSS_UUID u0 = TSS_UUID_OWNEREVICT(0), u1 = TSS_UUID_OWNEREVICT(1);
	TCS_KEY_HANDLE e0, e1, a, b, h;
	UINT32 h50, h51, h52, t;
	BYTE *blob;
	size_t len;

	fake_start(4, true, true);
	pthread_mutex_lock(&tpm.lock);
	put_key(50, &h50);
	put_key(51, &h51);
	put_key(52, &h52);
	pthread_mutex_unlock(&tpm.lock);
	fake_set_owner_evict(h50, true);
	fake_set_owner_evict(h52, true);
	restart_cache(4);
	assert_int_equal(used_slots(), 2);		/* 51 flushed */
	assert_true(keycache_uuid_handle(&u0, &e0));
	assert_true(keycache_uuid_handle(&u1, &e1));
	assert_true(keycache_uuid_loaded(&u0));
	/* Nobody may use them before loading them by UUID. */
	assert_int_equal(keycache_acquire(1, e0, &t), TCS_ERROR(TCS_E_INVALID_KEYHANDLE));
	assert_int_equal(keycache_share_uuid(1, &u0, &h), TSS_SUCCESS);
	assert_int_equal(h, e0);
	use_key(1, e0, 50);
	assert_int_equal(keycache_share_uuid(1, &u1, &h), TSS_SUCCESS);
	use_key(1, e1, 52);
	/* Its blob is unknown to this daemon. */
	assert_int_equal(keycache_owner_evict_blob(&u0, &blob, &len),
			 TCS_ERROR(TSS_E_PS_KEY_NOTFOUND));
	/* Two slots left for three keys: the ordinary ones take turns. */
	a = client_load(1, SRK, 1, true);
	b = client_load(1, SRK, 2, true);
	(void)client_load(1, SRK, 3, true);
	use_key(1, a, 1);
	use_key(1, b, 2);
	use_key(1, e0, 50);
	use_key(1, e1, 52);
	assert_int_equal(keycache_evict_one(), TSS_SUCCESS);	/* an ordinary key */
	assert_true(fake_has_key(50) && fake_has_key(52));
	keycache_release_context(1);
	assert_true(fake_has_key(50) && fake_has_key(52));
	assert_int_equal(used_slots(), 2);
	/* The owner is cleared: the TPM drops them, the cache follows. */
	pthread_mutex_lock(&tpm.lock);
	slot_by_handle(h50)->used = false;
	slot_by_handle(h52)->used = false;
	pthread_mutex_unlock(&tpm.lock);
	assert_int_equal(keycache_share_uuid(2, &u0, &h), TSS_SUCCESS);
	keycache_tpm_lost(h);
	assert_false(keycache_uuid_handle(&u0, &h));
	assert_false(keycache_uuid_handle(&u1, &h));
	assert_int_equal(keycache_share_uuid(3, &u1, &h), TCS_ERROR(TSS_E_PS_KEY_NOTFOUND));
}

/* KeyControlOwner on a cached key: named, kept, its blob served; and off again. */
static void owner_evict_on_and_off(void **state)
{
	TSS_UUID uuid, u0 = TSS_UUID_OWNEREVICT(0);
	TCS_KEY_HANDLE a, b, c, h;
	UINT32 ta, t;
	BYTE *blob = NULL, want[32];
	size_t len = 0, want_len;

	fake_start(2, true, true);
	a = client_load(1, SRK, 1, true);
	assert_int_equal(keycache_acquire(1, a, &ta), TSS_SUCCESS);
	keycache_release(a);
	fake_set_owner_evict(ta, true);
	assert_int_equal(keycache_set_owner_evict(a, true, &uuid), TSS_SUCCESS);
	assert_true(is_owner_evict_uuid(&uuid, 0));
	assert_int_equal(keycache_set_owner_evict(a, true, &uuid), TSS_SUCCESS);
	assert_true(is_owner_evict_uuid(&uuid, 0));		/* the same name again */
	assert_int_equal(keycache_set_owner_evict(0x7777, true, &uuid),
			 TCS_ERROR(TCS_E_INVALID_KEYHANDLE));
	assert_int_equal(keycache_owner_evict_blob(&u0, &blob, &len), TSS_SUCCESS);
	make_blob(1, want, &want_len);
	assert_true(len == want_len && memcmp(blob, want, len) == 0);
	free(blob);
	/* One slot left: b and c take turns, a stays where it is. */
	b = client_load(1, SRK, 2, true);
	c = client_load(1, SRK, 3, true);
	use_key(1, b, 2);
	use_key(1, c, 3);
	assert_int_equal(keycache_acquire(1, a, &t), TSS_SUCCESS);
	assert_int_equal(t, ta);
	keycache_release(a);
	/* Its context leaves; another finds it by its owner-evict name. */
	keycache_release_context(1);
	assert_true(fake_has_key(1));
	assert_false(fake_has_key(2) || fake_has_key(3));
	assert_int_equal(keycache_share_uuid(2, &u0, &h), TSS_SUCCESS);
	assert_int_equal(h, a);
	/* Off: an ordinary key again, flushed when its last user leaves. */
	fake_set_owner_evict(ta, false);
	assert_int_equal(keycache_set_owner_evict(a, false, &uuid), TSS_SUCCESS);
	assert_true(is_owner_evict_uuid(&uuid, 0));
	assert_false(keycache_uuid_handle(&u0, &h));
	assert_true(fake_has_key(1));
	keycache_release_context(2);
	assert_false(fake_has_key(1));
	/* Off on an ordinary key names nothing. */
	b = client_load(3, SRK, 2, true);
	assert_int_equal(keycache_set_owner_evict(b, false, &uuid), TSS_SUCCESS);
	assert_true(is_owner_evict_uuid(&uuid, 0) == false && uuid.rgbNode[4] == 0);
}

static void keys_in_use_are_pinned(void **state)
{
	TCS_KEY_HANDLE a, b;
	UINT32 ha, hb;

	fake_start(2, true, true);
	a = client_load(1, SRK, 1, true);
	b = client_load(1, SRK, 2, true);
	assert_int_equal(keycache_acquire(1, a, &ha), TSS_SUCCESS);
	assert_int_equal(keycache_acquire(1, b, &hb), TSS_SUCCESS);
	assert_int_equal(keycache_evict_one(), TPM_E_RESOURCES);
	keycache_release(a);
	assert_int_equal(keycache_evict_one(), TSS_SUCCESS);
	assert_int_equal(fake_key_at(ha), -1);
	assert_int_equal(fake_key_at(hb), 2);
	keycache_release(b);
}

static void ownership_per_context(void **state)
{
	TCS_KEY_HANDLE a, b, shared;
	UINT32 h;
	BYTE blob[32];
	size_t len;
	struct keycache_stats st;

	fake_start(4, true, true);
	a = client_load(1, SRK, 1, true);
	b = client_load(2, SRK, 2, true);
	/* Context 2 cannot use or evict context 1's key. */
	assert_int_equal(keycache_acquire(2, a, &h), TCS_ERROR(TCS_E_INVALID_KEYHANDLE));
	assert_int_equal(keycache_evict(2, a), TCS_ERROR(TCS_E_INVALID_KEYHANDLE));
	assert_int_equal(keycache_acquire(1, 0x12345678, &h),
			 TCS_ERROR(TCS_E_INVALID_KEYHANDLE));
	/* Sharing the same blob under the same parent. */
	make_blob(1, blob, &len);
	assert_int_equal(keycache_share_blob(2, SRK, blob, len, &shared), TSS_SUCCESS);
	assert_int_equal(shared, a);
	use_key(2, a, 1);
	/* Context 1 goes away: its own key stays for context 2. */
	keycache_release_context(1);
	use_key(2, a, 1);
	assert_int_equal(keycache_acquire(1, a, &h), TCS_ERROR(TCS_E_INVALID_KEYHANDLE));
	/* Context 2 evicts: the key leaves the TPM. */
	assert_int_equal(keycache_evict(2, a), TSS_SUCCESS);
	assert_int_equal(keycache_evict(2, a), TCS_ERROR(TCS_E_INVALID_KEYHANDLE));
	keycache_release_context(2);
	keycache_get_stats(&st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(used_slots(), 0);
	(void)b;
}

/* A parent evicted by its context stays while a child needs it. */
static void parents_live_while_children_do(void **state)
{
	TCS_KEY_HANDLE p, c;
	struct keycache_stats st;

	fake_start(2, false, true);
	p = client_load(1, SRK, 7, true);
	c = client_load(1, p, 70, true);
	assert_int_equal(keycache_evict(1, p), TSS_SUCCESS);
	keycache_get_stats(&st);
	assert_int_equal(st.entries, 2);
	/* The context cannot use p any more, but c still reloads through it. */
	assert_int_equal(keycache_evict_one(), TSS_SUCCESS);
	assert_int_equal(keycache_evict_one(), TSS_SUCCESS);
	use_key(1, c, 70);
	assert_int_equal(keycache_evict(1, c), TSS_SUCCESS);
	keycache_get_stats(&st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(used_slots(), 0);
}

static void recovers_from_tpm_reset(void **state)
{
	TCS_KEY_HANDLE a, b, c;
	UINT32 h;

	fake_start(3, true, true);
	a = client_load(1, SRK, 1, true);
	b = client_load(1, SRK, 2, false);	/* needs auth to load: lost in a reset */
	c = client_load(1, SRK, 3, true);
	assert_int_equal(keycache_evict_one(), TSS_SUCCESS); /* a -> context blob */
	fake_reset();
	/* The handler got TPM_INVALID_KEYHANDLE using c and reports it. */
	assert_int_equal(keycache_acquire(1, c, &h), TSS_SUCCESS);
	assert_int_equal(fake_key_at(h), -1);
	keycache_tpm_lost(c);
	keycache_release(c);
	/* c reloads from its blob, a's context is dead but its blob is not. */
	use_key(1, c, 3);
	use_key(1, a, 1);
	assert_int_equal(keycache_acquire(1, b, &h), TCS_ERROR(TCS_E_INVALID_KEY));
}

/* After a reset the TPM hands out a handle we still think is another key's. */
static void reused_handle_marks_stale_entry(void **state)
{
	TCS_KEY_HANDLE a, b;

	fake_start(3, false, true);
	a = client_load(1, SRK, 1, true);
	fake_reset();
	b = client_load(1, SRK, 2, true);	/* gets a's old handle */
	use_key(1, b, 2);
	use_key(1, a, 1);			/* reloaded, not confused with b */
}

static void leftover_keys_are_flushed_at_start(void **state)
{
	UINT32 h;

	fake_start(3, true, true);
	pthread_mutex_lock(&tpm.lock);
	put_key(99, &h);
	pthread_mutex_unlock(&tpm.lock);
	keycache_teardown();
	{
		struct keycache_tpm_ops ops = {
			.load_key = fake_load_key, .flush = fake_flush,
			.save_context = fake_save_context, .load_context = fake_load_context,
			.loaded_handles = fake_loaded_handles, .has_key_context = true,
			.max_keys = 3,
		};

		assert_int_equal(keycache_setup(&ops), TSS_SUCCESS);
	}
	assert_int_equal(used_slots(), 0);
}

/* ---- every slot pinned: an acquire waits for one (keycache.h) ---- */

struct acquirer {
	TCS_CONTEXT_HANDLE ctx;
	TCS_KEY_HANDLE h;
	UINT32 tpm_handle;
	TSS_RESULT rc;
	bool done;			/* under tpm.lock */
};

static void *acquirer_main(void *arg)
{
	struct acquirer *a = arg;
	UINT32 th = 0;
	TSS_RESULT rc = keycache_acquire(a->ctx, a->h, &th);

	pthread_mutex_lock(&tpm.lock);
	a->rc = rc;
	a->tpm_handle = th;
	a->done = true;
	pthread_mutex_unlock(&tpm.lock);
	return NULL;
}

static bool acquirer_done(struct acquirer *a)
{
	bool done;

	pthread_mutex_lock(&tpm.lock);
	done = a->done;
	pthread_mutex_unlock(&tpm.lock);
	return done;
}

/*
 * Key a (loaded with its parent's auth unless reloadable) was moved out
 * by SaveKeyContext; two commands pin the TPM's two slots; a third
 * command acquires a. The TPM refuses a's context for want of a slot. The
 * acquire must wait, and restore a from its context once one command
 * releases its key. (The bug concurrent_users hit about one run in three:
 * the refusal threw the context away and declared a lost for good, so
 * every later acquire of it failed with TCS_E_INVALID_KEY; a reloadable
 * key silently fell back to a reload from its blob.)
 */
static void saved_key_waits_with(bool reloadable)
{
	TCS_KEY_HANDLE a, b, c;
	UINT32 hb, hc;
	struct acquirer acq;
	pthread_t t;
	unsigned int loads, refused;
	bool done_early;

	fake_start(2, true, true);
	a = client_load(1, SRK, 1, reloadable);
	b = client_load(1, SRK, 2, false);
	c = client_load(1, SRK, 3, false);	/* a moves out by SaveKeyContext */
	assert_false(fake_has_key(1));
	assert_int_equal(tpm.saves, 1);
	assert_int_equal(keycache_acquire(1, b, &hb), TSS_SUCCESS);
	assert_int_equal(keycache_acquire(1, c, &hc), TSS_SUCCESS);
	loads = tpm.loads;
	refused = tpm.refusals;

	memset(&acq, 0, sizeof(acq));
	acq.ctx = 1;
	acq.h = a;
	assert_int_equal(pthread_create(&t, NULL, acquirer_main, &acq), 0);
	/* The TPM refused a's context. */
	assert_true(fake_wait_refusals(refused + 1));
	/*
	 * Once we hold tcsd_lock the acquirer has let go of it: it waits for
	 * a slot (and cannot move on while we hold the lock) or it gave up.
	 */
	tcsd_lock();
	done_early = acquirer_done(&acq);
	keycache_release(b);
	tcsd_unlock();
	assert_int_equal(pthread_join(t, NULL), 0);
	if (done_early)
		print_error("acquire gave up while slots were pinned: 0x%x\n",
			    (unsigned int)acq.rc);
	assert_false(done_early);
	assert_int_equal(acq.rc, TSS_SUCCESS);
	assert_int_equal(fake_key_at(acq.tpm_handle), 1);
	/* Back from its context (refused once, then taken), not from the blob. */
	assert_int_equal(tpm.loads, loads);
	assert_int_equal(tpm.ctx_loads, 2);
	assert_int_equal(tpm.refusals, refused + 1);
	/* b made room, c stayed where its command saw it. */
	assert_int_equal(fake_key_at(hc), 3);
	assert_false(fake_has_key(2));
	keycache_release(a);
	keycache_release(c);
	use_key(1, b, 2);
	use_key(1, a, 1);
	use_key(1, c, 3);
	assert_true(tpm.max_used <= 2);
}

static void saved_key_waits_for_pinned_slots(void **state)
{
	saved_key_waits_with(false);
}

static void saved_reloadable_key_keeps_its_context(void **state)
{
	saved_key_waits_with(true);
}

/*
 * The pinned keys are released after the acquire found nothing to evict
 * but before it decided to wait. It must see that and retry at once: not
 * give up because nothing is pinned any more, not sleep for a release
 * that already happened. Single-threaded: the releases run in our own
 * tcsd_unlock() (unlock_hook).
 */
static void slot_freed_before_waiting_is_seen(void **state)
{
	TCS_KEY_HANDLE a, b, c;
	UINT32 h, hb, hc;
	time_t start;

	fake_start(2, true, true);
	a = client_load(1, SRK, 1, false);
	b = client_load(1, SRK, 2, false);
	c = client_load(1, SRK, 3, false);	/* a moves out */
	assert_int_equal(keycache_acquire(1, b, &hb), TSS_SUCCESS);
	assert_int_equal(keycache_acquire(1, c, &hc), TSS_SUCCESS);
	unlock_hook.release[0] = b;
	unlock_hook.release[1] = c;
	unlock_hook.after_refusals = tpm.refusals + 1;
	unlock_hook.armed = true;
	start = time(NULL);
	assert_int_equal(keycache_acquire(1, a, &h), TSS_SUCCESS);
	assert_true(time(NULL) - start < 5);
	assert_int_equal(unlock_hook.fired, 1);
	assert_int_equal(fake_key_at(h), 1);
	assert_int_equal(tpm.ctx_loads, 2);	/* refused, then taken */
	keycache_release(a);
	use_key(1, b, 2);
	use_key(1, c, 3);
}

/*
 * Slots full of keys nobody uses but that cannot move (loaded with auth,
 * no SaveKeyContext): waiting cannot help, so the acquire fails at once.
 */
static void immovable_slots_fail_without_waiting(void **state)
{
	TCS_KEY_HANDLE x, b, c;
	UINT32 h;
	time_t start;

	fake_start(2, false, true);
	x = client_load(1, SRK, 1, true);
	b = client_load(1, SRK, 2, false);
	c = client_load(1, SRK, 3, false);	/* x is flushed to make room */
	assert_false(fake_has_key(1));
	start = time(NULL);
	assert_int_equal(keycache_acquire(1, x, &h), TPM_E_RESOURCES);
	assert_true(time(NULL) - start < 5);
	assert_int_equal(h, 0);
	/* Still known: once a slot frees up it loads. */
	assert_int_equal(keycache_evict(1, b), TSS_SUCCESS);
	use_key(1, x, 1);
	use_key(1, c, 3);
}

/* Many threads, few slots: every use finds its own key in the TPM. */
struct worker {
	TCS_CONTEXT_HANDLE ctx;
	TCS_KEY_HANDLE h[4];
	int id[4];
	int errors;
	/* What went wrong first, for the failure message. */
	unsigned int acquire_failures, wrong_keys;
	TSS_RESULT first_rc;
	int first_index, first_want, first_got;
};

static void worker_note(struct worker *w, int i, TSS_RESULT rc, int want, int got)
{
	w->errors++;
	if (w->errors == 1) {
		w->first_index = i;
		w->first_rc = rc;
		w->first_want = want;
		w->first_got = got;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int x = (unsigned int)w->ctx * 7919u;

	for (int i = 0; i < 2000; i++) {
		UINT32 th;
		int j;

		x = x * 1103515245u + 12345u;
		j = (int)((x >> 8) % 4);
		TSS_RESULT rc;
		int got;

		if ((rc = keycache_acquire(w->ctx, w->h[j], &th)) != TSS_SUCCESS) {
			w->acquire_failures++;
			worker_note(w, i, rc, w->id[j], -1);
			continue;
		}
		if ((got = fake_key_at(th)) != w->id[j]) {
			w->wrong_keys++;
			worker_note(w, i, TSS_SUCCESS, w->id[j], got);
		}
		keycache_release(w->h[j]);
	}
	return NULL;
}

static void concurrent_users(void **state)
{
	struct worker w[4];
	pthread_t t[4];
	struct keycache_stats st;

	fake_start(3, true, true);
	for (int i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].ctx = (TCS_CONTEXT_HANDLE)(100 + i);
		for (int j = 0; j < 4; j++) {
			w[i].id[j] = 1 + i * 4 + j;
			w[i].h[j] = client_load(w[i].ctx, SRK, w[i].id[j], j % 2 == 0);
		}
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	/* All joined before any assert: a failure must not free the cache under them. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < 4; i++) {
		if (w[i].errors != 0)
			print_error("worker %d: %u failed acquires, %u wrong keys; first at round %d: "
				    "key %d, rc 0x%x, TPM held key %d\n", i, w[i].acquire_failures,
				    w[i].wrong_keys, w[i].first_index, w[i].first_want,
				    (unsigned int)w[i].first_rc, w[i].first_got);
		assert_int_equal(w[i].errors, 0);
	}
	assert_true(tpm.max_used <= 3);
	for (int i = 0; i < 4; i++)
		keycache_release_context(w[i].ctx);
	keycache_get_stats(&st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(used_slots(), 0);
}

/*
 * Two commands, each needing two keys, on a TPM with two slots: they must
 * take turns. Pinning the first key and then waiting for a slot for the
 * second deadlocked them until the 30 s bound (TPM_E_RESOURCES).
 */
struct pair_user {
	TCS_CONTEXT_HANDLE ctx;
	TCS_KEY_HANDLE h[2];
	int id[2];
	int errors;
	TSS_RESULT first_rc;
};

static void *pair_user_main(void *arg)
{
	struct pair_user *u = arg;

	for (int i = 0; i < 300; i++) {
		UINT32 t1, t2;
		TSS_RESULT rc = keycache_acquire_pair(u->ctx, u->h[0], u->h[1], &t1, &t2);

		if (rc != TSS_SUCCESS) {
			if (u->errors++ == 0)
				u->first_rc = rc;
			continue;
		}
		if (fake_key_at(t1) != u->id[0] || fake_key_at(t2) != u->id[1])
			u->errors++;
		sched_yield();
		keycache_release(u->h[1]);
		keycache_release(u->h[0]);
	}
	return NULL;
}

static void key_pairs_take_turns(void **state)
{
	struct pair_user u[2];
	pthread_t t[2];
	time_t start;

	fake_start(2, true, true);
	for (int i = 0; i < 2; i++) {
		memset(&u[i], 0, sizeof(u[i]));
		u[i].ctx = (TCS_CONTEXT_HANDLE)(200 + i);
		for (int j = 0; j < 2; j++) {
			u[i].id[j] = 61 + i * 2 + j;	/* not multiples of 10: no parent */
			u[i].h[j] = client_load(u[i].ctx, SRK, u[i].id[j], j == 0);
		}
	}
	start = time(NULL);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, pair_user_main, &u[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < 2; i++) {
		if (u[i].errors != 0)
			print_error("pair user %d: %d errors, first rc 0x%x\n", i, u[i].errors,
				    (unsigned int)u[i].first_rc);
		assert_int_equal(u[i].errors, 0);
	}
	assert_true(time(NULL) - start < 10);
	assert_true(tpm.max_used <= 2);

	/* A handle of another context, or unknown: nothing stays pinned. */
	UINT32 t1, t2;
	assert_int_equal(keycache_acquire_pair(200, u[0].h[0], u[1].h[0], &t1, &t2),
			 TCS_ERROR(TCS_E_INVALID_KEYHANDLE));
	assert_int_equal(t1, 0);
	assert_int_equal(t2, 0);
	/* The same key twice is one key pinned twice. */
	assert_int_equal(keycache_acquire_pair(201, u[1].h[0], u[1].h[0], &t1, &t2), TSS_SUCCESS);
	assert_int_equal(t1, t2);
	keycache_release(u[1].h[0]);
	keycache_release(u[1].h[0]);
	for (int i = 0; i < 2; i++)
		keycache_release_context(u[i].ctx);
	assert_int_equal(used_slots(), 0);
}

/*
 * The deadlock itself, step by step, on a TPM with two slots: another
 * command holds key c and is about to ask for its second key d; a pair
 * acquire of (a, b) loads a and finds no slot for b. If it waited holding
 * a, the acquire of d would find both slots pinned and both would wait
 * until the 30 s bound. It must let a go, so d gets a's slot at once; the
 * pair completes once c and d are released.
 */
struct pair_acquirer {
	TCS_KEY_HANDLE a, b;
	UINT32 ta, tb;
	TSS_RESULT rc;
};

static void *pair_acquirer_main(void *arg)
{
	struct pair_acquirer *p = arg;

	p->rc = keycache_acquire_pair(1, p->a, p->b, &p->ta, &p->tb);
	return NULL;
}

static void pair_never_waits_holding_one_key(void **state)
{
	struct pair_acquirer p = { 0 };
	TCS_KEY_HANDLE c, d;
	UINT32 hc, hd;
	pthread_t t;
	time_t start;

	fake_start(2, true, true);
	p.a = client_load(1, SRK, 71, false);
	p.b = client_load(1, SRK, 72, false);
	c = client_load(2, SRK, 73, false);
	d = client_load(2, SRK, 74, false);
	assert_int_equal(keycache_acquire(2, c, &hc), TSS_SUCCESS);
	unsigned int refused = tpm.refusals;
	assert_int_equal(pthread_create(&t, NULL, pair_acquirer_main, &p), 0);
	/* The pair found no slot for its second key. */
	assert_true(fake_wait_refusals(refused + 1));
	start = time(NULL);
	assert_int_equal(keycache_acquire(2, d, &hd), TSS_SUCCESS);
	assert_true(time(NULL) - start < 5);
	assert_int_equal(fake_key_at(hc), 73);
	assert_int_equal(fake_key_at(hd), 74);
	keycache_release(d);
	keycache_release(c);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(p.rc, TSS_SUCCESS);
	assert_int_equal(fake_key_at(p.ta), 71);
	assert_int_equal(fake_key_at(p.tb), 72);
	keycache_release(p.b);
	keycache_release(p.a);
	keycache_release_context(1);
	keycache_release_context(2);
	assert_int_equal(used_slots(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(srk_is_itself_and_free, setup, teardown),
		cmocka_unit_test_setup_teardown(key_pairs_take_turns, setup, teardown),
		cmocka_unit_test_setup_teardown(pair_never_waits_holding_one_key, setup, teardown),
		cmocka_unit_test_setup_teardown(use_costs_no_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(lru_with_key_contexts, setup, teardown),
		cmocka_unit_test_setup_teardown(reload_chain_without_contexts, setup, teardown),
		cmocka_unit_test_setup_teardown(parent_of_load_is_never_evicted, setup, teardown),
		cmocka_unit_test_setup_teardown(resources_error_evicts, setup, teardown),
		cmocka_unit_test_setup_teardown(unreloadable_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(keys_without_blob, setup, teardown),
		cmocka_unit_test_setup_teardown(owner_evict_keys_found_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(owner_evict_on_and_off, setup, teardown),
		cmocka_unit_test_setup_teardown(keys_in_use_are_pinned, setup, teardown),
		cmocka_unit_test_setup_teardown(ownership_per_context, setup, teardown),
		cmocka_unit_test_setup_teardown(parents_live_while_children_do, setup, teardown),
		cmocka_unit_test_setup_teardown(recovers_from_tpm_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(reused_handle_marks_stale_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(leftover_keys_are_flushed_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(saved_key_waits_for_pinned_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(saved_reloadable_key_keeps_its_context, setup,
						teardown),
		cmocka_unit_test_setup_teardown(slot_freed_before_waiting_is_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(immovable_slots_fail_without_waiting, setup,
						teardown),
		cmocka_unit_test_setup_teardown(concurrent_users, setup, teardown),
	};
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&res_lock, &a);
	pthread_mutex_init(&tpm.lock, NULL);
	pthread_cond_init(&tpm.changed, NULL);
	log_init("test_keycache", LOG_SINK_NONE, LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
