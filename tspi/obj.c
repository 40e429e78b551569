/*
 * The TSP object table (see obj.h for the locking model).
 *
 * Handles come from a 32-bit counter: unique in the process, 0 never
 * given, a handle still in use skipped when the counter wraps. Lookups go
 * through a hash table keyed by handle; each context also keeps a list of
 * its own objects so that closing it finds them without a table scan.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "obj.h"

#define OBJ_BUCKETS 1024u

/* A block handed to the application, freed by Tspi_Context_FreeMemory. */
struct ctx_mem {
	struct ctx_mem *next;
	size_t len;
	max_align_t data[];	/* the application's bytes start here */
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct obj *table[OBJ_BUCKETS];
/* Start away from 0 and from small integers applications might confuse with handles. */
static TSS_HOBJECT next_handle = 0x10000;

static unsigned int bucket_of(TSS_HOBJECT h)
{
	return (h * 2654435761u) % OBJ_BUCKETS;
}

static struct obj *table_find(TSS_HOBJECT h)
{
	struct obj *o;

	for (o = table[bucket_of(h)]; o != NULL; o = o->hash_next)
		if (o->handle == h)
			return o;
	return NULL;
}

/* A fresh handle; table_lock held. */
static TSS_HOBJECT table_new_handle(void)
{
	TSS_HOBJECT h;

	do {
		h = next_handle++;
	} while (h == 0 || table_find(h) != NULL);
	return h;
}

static void table_insert(struct obj *o)
{
	unsigned int b = bucket_of(o->handle);

	o->hash_next = table[b];
	table[b] = o;
}

static void table_unlink(struct obj *o)
{
	struct obj **pp;

	for (pp = &table[bucket_of(o->handle)]; *pp != NULL; pp = &(*pp)->hash_next) {
		if (*pp == o) {
			*pp = o->hash_next;
			o->hash_next = NULL;
			return;
		}
	}
}

static void ctx_put(struct tspi_ctx *ctx)
{
	bool last;

	pthread_mutex_lock(&table_lock);
	last = --ctx->refs == 0;
	pthread_mutex_unlock(&table_lock);
	if (last) {
		pthread_mutex_destroy(&ctx->lock);
		OPENSSL_cleanse(ctx, sizeof(*ctx));
		free(ctx);
	}
}

TSS_RESULT obj_acquire(TSS_HOBJECT h, unsigned int type_mask, struct obj **out)
{
	struct tspi_ctx *ctx;
	struct obj *o;
	bool still_there;

	*out = NULL;
	pthread_mutex_lock(&table_lock);
	o = table_find(h);
	if (o == NULL || !(o->type & type_mask) || o->ctx->closed) {
		pthread_mutex_unlock(&table_lock);
		return TSP_ERROR(TSS_E_INVALID_HANDLE);
	}
	ctx = o->ctx;
	ctx->refs++;
	pthread_mutex_unlock(&table_lock);

	/* Another thread may close the object or its context while we wait. */
	pthread_mutex_lock(&ctx->lock);
	pthread_mutex_lock(&table_lock);
	still_there = !ctx->closed && table_find(h) == o;
	pthread_mutex_unlock(&table_lock);
	if (!still_there) {
		pthread_mutex_unlock(&ctx->lock);
		ctx_put(ctx);
		return TSP_ERROR(TSS_E_INVALID_HANDLE);
	}
	*out = o;
	return TSS_SUCCESS;
}

void obj_release(struct obj *o)
{
	struct tspi_ctx *ctx;

	if (o == NULL)
		return;
	ctx = o->ctx;
	pthread_mutex_unlock(&ctx->lock);
	ctx_put(ctx);
}

TSS_RESULT obj_lookup_in(struct tspi_ctx *ctx, TSS_HOBJECT h, unsigned int type_mask,
			 struct obj **out)
{
	struct obj *o;

	*out = NULL;
	pthread_mutex_lock(&table_lock);
	o = table_find(h);
	pthread_mutex_unlock(&table_lock);
	/* Objects of ctx change only under ctx->lock, which the caller holds. */
	if (o == NULL || o->ctx != ctx || !(o->type & type_mask))
		return TSP_ERROR(TSS_E_INVALID_HANDLE);
	*out = o;
	return TSS_SUCCESS;
}

struct obj *obj_next_in(struct tspi_ctx *ctx, struct obj *prev, unsigned int type_mask)
{
	struct obj *o = prev != NULL ? prev->ctx_next : ctx->objects;

	while (o != NULL && !(o->type & type_mask))
		o = o->ctx_next;
	return o;
}

TSS_RESULT obj_add(struct tspi_ctx *ctx, const struct obj_class *cls, void *data,
		   struct obj **out)
{
	struct obj *o;

	if (out != NULL)
		*out = NULL;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	o->type = cls->type;
	o->cls = cls;
	o->ctx = ctx;
	o->data = data;

	pthread_mutex_lock(&table_lock);
	o->handle = table_new_handle();
	table_insert(o);
	pthread_mutex_unlock(&table_lock);

	o->ctx_next = ctx->objects;
	if (ctx->objects != NULL)
		ctx->objects->ctx_prev = o;
	ctx->objects = o;
	if (out != NULL)
		*out = o;
	return TSS_SUCCESS;
}

/* Unlinks o from the table and the context's list; ctx locked. */
static void obj_unlink(struct obj *o)
{
	struct tspi_ctx *ctx = o->ctx;

	pthread_mutex_lock(&table_lock);
	table_unlink(o);
	pthread_mutex_unlock(&table_lock);
	if (o->ctx_prev != NULL)
		o->ctx_prev->ctx_next = o->ctx_next;
	else if (ctx->objects == o)
		ctx->objects = o->ctx_next;
	if (o->ctx_next != NULL)
		o->ctx_next->ctx_prev = o->ctx_prev;
	o->ctx_next = o->ctx_prev = NULL;
}

static void obj_destroy(struct obj *o)
{
	if (o->cls->destroy != NULL && o->data != NULL)
		o->cls->destroy(o);
	OPENSSL_cleanse(o, sizeof(*o));
	free(o);
}

void obj_remove(struct obj *o)
{
	struct tspi_ctx *ctx = o->ctx;
	struct obj *p;

	obj_unlink(o);
	/* A closed policy no longer authorises anything (TrouSerS drops the references too). */
	if (o->type == OBJ_POLICY) {
		for (p = ctx->objects; p != NULL; p = p->ctx_next) {
			if (p->usage_policy == o->handle)
				p->usage_policy = 0;
			if (p->migration_policy == o->handle)
				p->migration_policy = 0;
			if (p->operator_policy == o->handle)
				p->operator_policy = 0;
		}
	}
	obj_destroy(o);
}

TSS_RESULT obj_context_new(const struct obj_class *cls, TSS_HCONTEXT *out)
{
	pthread_mutexattr_t attr;
	struct tspi_ctx *ctx;
	struct obj *o;
	TSS_RESULT rc;

	*out = 0;
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	if (pthread_mutex_init(&ctx->lock, &attr) != 0) {
		pthread_mutexattr_destroy(&attr);
		free(ctx);
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	pthread_mutexattr_destroy(&attr);
	ctx->refs = 1;	/* held by the context object until it is closed */

	pthread_mutex_lock(&ctx->lock);
	rc = obj_add(ctx, cls, ctx, &o);
	if (rc == TSS_SUCCESS)
		ctx->handle = o->handle;
	pthread_mutex_unlock(&ctx->lock);
	if (rc != TSS_SUCCESS) {
		ctx_put(ctx);
		return rc;
	}
	*out = ctx->handle;
	return TSS_SUCCESS;
}

void obj_context_close(struct obj *ctx_obj)
{
	struct tspi_ctx *ctx = ctx_obj->ctx;
	struct obj *o;

	pthread_mutex_lock(&table_lock);
	ctx->closed = true;
	pthread_mutex_unlock(&table_lock);

	/* Objects first (their destroy hooks may still look at the context), the context object last. */
	while ((o = obj_next_in(ctx, NULL, OBJ_ANY & ~(unsigned int)OBJ_CONTEXT)) != NULL)
		obj_remove(o);
	obj_unlink(ctx_obj);
	ctx_obj->data = NULL;	/* the context struct is not the class's to free */
	obj_destroy(ctx_obj);
	ctx_free_all(ctx);
	free(ctx->machine_name);
	ctx->machine_name = NULL;

	/* Drop the acquire's reference and the context object's own. */
	pthread_mutex_unlock(&ctx->lock);
	pthread_mutex_lock(&table_lock);
	ctx->refs--;
	pthread_mutex_unlock(&table_lock);
	ctx_put(ctx);
}

/* ---- memory handed to the application ---- */

void *ctx_alloc(struct tspi_ctx *ctx, size_t n)
{
	struct ctx_mem *m;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - sizeof(*m))
		return NULL;
	m = calloc(1, sizeof(*m) + n);
	if (m == NULL) {
		log_error("tspi: out of memory (%zu bytes for the application)", n);
		return NULL;
	}
	m->len = n;
	m->next = ctx->mem;
	ctx->mem = m;
	return m->data;
}

void *ctx_memdup(struct tspi_ctx *ctx, const void *p, size_t n)
{
	void *q = ctx_alloc(ctx, n);

	if (q != NULL && n > 0)
		memcpy(q, p, n);
	return q;
}

TSS_RESULT ctx_free(struct tspi_ctx *ctx, void *p)
{
	struct ctx_mem **pp, *m;

	for (pp = &ctx->mem; (m = *pp) != NULL; pp = &m->next) {
		if ((void *)m->data == p) {
			*pp = m->next;
			/* It may have held a secret (an unsealed blob, a key). */
			OPENSSL_cleanse(m->data, m->len);
			free(m);
			return TSS_SUCCESS;
		}
	}
	return TSP_ERROR(TSS_E_INVALID_RESOURCE);
}

void ctx_free_all(struct tspi_ctx *ctx)
{
	struct ctx_mem *m;

	while ((m = ctx->mem) != NULL) {
		ctx->mem = m->next;
		OPENSSL_cleanse(m->data, m->len);
		free(m);
	}
}
