/*
 * TCS contexts (TSS 1.2 §4.6.1: Tcsi_OpenContext / Tcsi_CloseContext).
 *
 * A context belongs to the connection that opened it; every other TCS
 * call names its context first and is refused unless that connection
 * owns it, so one client can neither use nor close another's context.
 * When a connection ends, for whatever reason, its contexts are closed:
 * keys it loaded are evicted, its auth sessions terminated.
 *
 * Handles are random 32-bit values, never 0 and never one in use, so a
 * client cannot guess a live handle and a closed one is not handed out
 * again soon (2^32 values).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "log.h"
#include "tcsd.h"
#include "tcsd_ordinals.h"

/* Open-addressing set of live handles, owner kept for verification. */
#define CTX_TABLE_MIN 1024

struct ctx_slot {
	TCS_CONTEXT_HANDLE handle;	/* 0: empty; CTX_TOMBSTONE: deleted */
	const struct tcsd_client *owner;
};

#define CTX_TOMBSTONE 0xffffffffu

static struct {
	pthread_mutex_t lock;
	struct ctx_slot *slots;
	size_t cap;			/* power of two */
	size_t used;			/* live + tombstones */
	size_t live;
} ctx = { .lock = PTHREAD_MUTEX_INITIALIZER };

static size_t slot_of(TCS_CONTEXT_HANDLE h, size_t cap)
{
	/* Handles are random already; fold them for the index. */
	return (size_t)(h ^ (h >> 16)) & (cap - 1);
}

static struct ctx_slot *find(TCS_CONTEXT_HANDLE h)
{
	size_t i = slot_of(h, ctx.cap);

	for (size_t n = 0; n < ctx.cap; n++, i = (i + 1) & (ctx.cap - 1)) {
		if (ctx.slots[i].handle == 0)
			return NULL;
		if (ctx.slots[i].handle == h)
			return &ctx.slots[i];
	}
	return NULL;
}

static void insert(struct ctx_slot *slots, size_t cap, TCS_CONTEXT_HANDLE h,
		   const struct tcsd_client *owner)
{
	size_t i = slot_of(h, cap);

	while (slots[i].handle != 0 && slots[i].handle != CTX_TOMBSTONE)
		i = (i + 1) & (cap - 1);
	slots[i].handle = h;
	slots[i].owner = owner;
}

/* Keeps the table under half full (tombstones included). */
static int grow_if_needed(void)
{
	struct ctx_slot *slots;
	size_t cap = ctx.cap;

	if ((ctx.used + 1) * 2 <= ctx.cap)
		return 0;
	while ((ctx.live + 1) * 4 > cap)
		cap *= 2;
	if ((slots = calloc(cap, sizeof(*slots))) == NULL)
		return -1;
	for (size_t i = 0; i < ctx.cap; i++)
		if (ctx.slots[i].handle != 0 && ctx.slots[i].handle != CTX_TOMBSTONE)
			insert(slots, cap, ctx.slots[i].handle, ctx.slots[i].owner);
	free(ctx.slots);
	ctx.slots = slots;
	ctx.cap = cap;
	ctx.used = ctx.live;
	return 0;
}

int tcsd_contexts_init(void)
{
	if ((ctx.slots = calloc(CTX_TABLE_MIN, sizeof(*ctx.slots))) == NULL) {
		log_error("out of memory for the context table");
		return -1;
	}
	ctx.cap = CTX_TABLE_MIN;
	return 0;
}

size_t tcsd_contexts_open(void)
{
	size_t n;

	pthread_mutex_lock(&ctx.lock);
	n = ctx.live;
	pthread_mutex_unlock(&ctx.lock);
	return n;
}

TSS_RESULT tcsd_context_verify(const struct tcsd_client *cl, TCS_CONTEXT_HANDLE h)
{
	const struct ctx_slot *s;
	bool ok;

	if (h == 0 || h == CTX_TOMBSTONE)
		return TCS_ERROR(TSS_E_INVALID_HANDLE);
	pthread_mutex_lock(&ctx.lock);
	s = find(h);
	ok = s != NULL && s->owner == cl;
	pthread_mutex_unlock(&ctx.lock);
	return ok ? TSS_SUCCESS : TCS_ERROR(TSS_E_INVALID_HANDLE);
}

static TSS_RESULT context_open(struct tcsd_client *cl, TCS_CONTEXT_HANDLE *out)
{
	TCS_CONTEXT_HANDLE h = 0;

	*out = 0;
	if (cl->num_contexts >= TCSD_MAX_CONTEXTS_PER_CLIENT) {
		log_warn("%s: already holds %d contexts; OpenContext refused", cl->name,
			 TCSD_MAX_CONTEXTS_PER_CLIENT);
		return TCS_ERROR(TSS_E_OUTOFMEMORY);
	}
	if (cl->num_contexts == cl->cap_contexts) {
		size_t cap = cl->cap_contexts ? cl->cap_contexts * 2 : 4;
		TCS_CONTEXT_HANDLE *p = realloc(cl->contexts, cap * sizeof(*p));

		if (p == NULL)
			return TCS_ERROR(TSS_E_OUTOFMEMORY);
		cl->contexts = p;
		cl->cap_contexts = cap;
	}
	pthread_mutex_lock(&ctx.lock);
	if (grow_if_needed() != 0) {
		pthread_mutex_unlock(&ctx.lock);
		return TCS_ERROR(TSS_E_OUTOFMEMORY);
	}
	do {
		if (RAND_bytes((unsigned char *)&h, sizeof(h)) != 1) {
			pthread_mutex_unlock(&ctx.lock);
			log_error("RAND_bytes failed: no context handle");
			return TCS_ERROR(TSS_E_INTERNAL_ERROR);
		}
	} while (h == 0 || h == CTX_TOMBSTONE || find(h) != NULL);
	insert(ctx.slots, ctx.cap, h, cl);
	ctx.used++;
	ctx.live++;
	pthread_mutex_unlock(&ctx.lock);

	cl->contexts[cl->num_contexts++] = h;
	*out = h;
	return TSS_SUCCESS;
}

/* Releases what the context holds, then forgets it. */
static void context_close(struct tcsd_client *cl, TCS_CONTEXT_HANDLE h)
{
	struct ctx_slot *s;

	keycache_release_context(h);
	tcs_auth_release_context(h);
	tcs_transport_release_context(h);

	pthread_mutex_lock(&ctx.lock);
	if ((s = find(h)) != NULL && s->owner == cl) {
		s->handle = CTX_TOMBSTONE;
		s->owner = NULL;
		ctx.live--;
	}
	pthread_mutex_unlock(&ctx.lock);

	for (size_t i = 0; i < cl->num_contexts; i++) {
		if (cl->contexts[i] == h) {
			cl->contexts[i] = cl->contexts[--cl->num_contexts];
			break;
		}
	}
}

void tcsd_client_release_contexts(struct tcsd_client *cl)
{
	if (cl->num_contexts > 0)
		log_debug("%s: closing %zu context(s) left open", cl->name, cl->num_contexts);
	while (cl->num_contexts > 0)
		context_close(cl, cl->contexts[cl->num_contexts - 1]);
}

/* ---- handlers ---- */

/*
 * OpenContext: no input; out 0: UINT32 context, 1: UINT32 TPM version
 * (TrouSerS sends 2 for a TPM 1.2 so that libtspi enables 1.2 features).
 */
static TSS_RESULT tcs_open_context(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				   struct tcsd_packet_writer *out)
{
	TCS_CONTEXT_HANDLE h;
	TSS_RESULT rc;
	int err;

	if ((err = tcsd_reader_done(in)) != 0)
		return tcsd_bad_request(cl, in, err);
	if ((rc = context_open(cl, &h)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 2);
	tcsd_put_u32(out, 0, h);
	tcsd_put_u32(out, 1, tcsd_tpm_metrics()->version_minor ? tcsd_tpm_metrics()->version_minor : 2u);
	log_debug("%s: OpenContext -> 0x%08x", cl->name, h);
	return TSS_SUCCESS;
}

/* CloseContext: in 0: context (verified by dispatch); no output. */
static TSS_RESULT tcs_close_context(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				    struct tcsd_packet_writer *out)
{
	int err;

	if ((err = tcsd_reader_done(in)) != 0)
		return tcsd_bad_request(cl, in, err);
	context_close(cl, cl->req_ctx);
	log_debug("%s: CloseContext 0x%08x", cl->name, cl->req_ctx);
	return TSS_SUCCESS;
}

/*
 * FreeMemory: TrouSerS maps it to its error handler (memory is never
 * shared across the wire); answered the same way.
 */
const struct tcsd_handler tcs_context_handlers[] = {
	{ TCSD_ORD_OPENCONTEXT, tcs_open_context },
	{ TCSD_ORD_CLOSECONTEXT, tcs_close_context },
	{ 0, NULL },
};
