/*
 * The TSP object table: every TSS handle an application holds (context,
 * policy, TPM, RSA key, enc-data, PCR composite, hash, NV, migration
 * data, ...) is an entry here.
 *
 * Threading model (TSS 1.2 §2.3.2.2 leaves it to the implementation):
 *  - one global mutex protects only the handle table (lookups, inserts,
 *    removals); it is never held while talking to the TCS;
 *  - every context has its own recursive mutex; obj_acquire() takes the
 *    mutex of the object's context and keeps it until obj_release(). So
 *    calls on different contexts run in parallel and one context per
 *    thread needs no locking by the application; calls on one context
 *    from several threads are serialised.
 *
 * Handles are unique in the process and not reused quickly: a 32-bit
 * counter that skips 0 and handles still in use.
 *
 * Every Tspi_* entry point follows the same pattern:
 *
 *	struct obj *key;
 *	struct obj *pcrs;
 *	if ((rc = obj_acquire(hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
 *		return rc;
 *	// further handles of the same call: the context is already locked
 *	if (hPcrs && (rc = obj_lookup_in(key->ctx, hPcrs, OBJ_PCRS, &pcrs)))
 *		goto out;
 *	...
 *   out:
 *	obj_release(key);
 *
 * Wrong type, unknown or closed handle: TSP_ERROR(TSS_E_INVALID_HANDLE).
 */
#ifndef TSS12_TSPI_OBJ_H
#define TSS12_TSPI_OBJ_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tss/tspi.h"

/* Object types, one bit each so that lookups can accept several. */
enum obj_type {
	OBJ_CONTEXT		= 1u << 0,
	OBJ_POLICY		= 1u << 1,
	OBJ_TPM			= 1u << 2,
	OBJ_RSAKEY		= 1u << 3,
	OBJ_ENCDATA		= 1u << 4,
	OBJ_PCRS		= 1u << 5,
	OBJ_HASH		= 1u << 6,
	OBJ_NV			= 1u << 7,
	OBJ_MIGDATA		= 1u << 8,
	OBJ_DELFAMILY		= 1u << 9,
	OBJ_DAA_CERT		= 1u << 10,
	OBJ_DAA_ISSUER_KEY	= 1u << 11,
	OBJ_DAA_ARA_KEY		= 1u << 12,
};
#define OBJ_ANY 0xffffffffu

struct obj;
struct tspi_ctx;

/*
 * What a module supplies for the objects it owns. All hooks are optional
 * (NULL): a missing attribute hook answers TSS_E_INVALID_ATTRIB_FLAG, a
 * missing create hook makes Tspi_Context_CreateObject answer
 * TSS_E_NOTIMPL. Hooks run with the context locked.
 */
struct obj_class {
	enum obj_type type;
	const char *name;		/* for logs: "rsakey", "policy", ... */
	/* Tspi_Context_CreateObject: validate init_flags (bad ones ->
	 * TSP_ERROR(TSS_E_INVALID_OBJECT_INITFLAG)) and build o->data. */
	TSS_RESULT (*create)(struct obj *o, TSS_FLAG init_flags);
	/* Wipes secrets and frees o->data (o itself is freed by obj.c). */
	void (*destroy)(struct obj *o);
	/* Tspi_{Get,Set}Attrib{Uint32,Data}. Data returned by get_data is
	 * allocated with ctx_alloc() so that Tspi_Context_FreeMemory works. */
	TSS_RESULT (*get_u32)(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *val);
	TSS_RESULT (*set_u32)(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 val);
	TSS_RESULT (*get_data)(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *len, BYTE **data);
	TSS_RESULT (*set_data)(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 len,
			       const BYTE *data);
	/* Tspi_ChangeAuth(hObjectToChange=o, hParent=parent, hNewPolicy). */
	TSS_RESULT (*change_auth)(struct obj *o, struct obj *parent, struct obj *new_policy);
	/* Which policy kinds Tspi_Policy_AssignToObject may attach here:
	 * bit (1 << TSS_POLICY_USAGE), (1 << TSS_POLICY_MIGRATION),
	 * (1 << TSS_POLICY_OPERATOR). */
	unsigned int policy_kinds;
};

/* One entry of the handle table. Fields below "owner" are the module's. */
struct obj {
	TSS_HOBJECT handle;
	enum obj_type type;
	const struct obj_class *cls;
	struct tspi_ctx *ctx;		/* the context this object lives in */
	/* Policies assigned with Tspi_Policy_AssignToObject (0 = none):
	 * usage for keys, enc-data, NV, and the owner policy of the TPM;
	 * migration for keys and enc-data; operator for the TPM. */
	TSS_HPOLICY usage_policy;
	TSS_HPOLICY migration_policy;
	TSS_HPOLICY operator_policy;
	void *data;			/* owner: the module named by cls */
	/* obj.c private */
	struct obj *hash_next;
	struct obj *ctx_next;
	struct obj *ctx_prev;
};

/*
 * Per-context state. Modules read these fields with the context locked
 * (they hold some object of the context through obj_acquire).
 */
struct ctx_mem;
struct rpc_conn;
struct session_cache;

struct tspi_ctx {
	TSS_HCONTEXT handle;
	pthread_mutex_t lock;		/* recursive; see the model above */
	struct rpc_conn *conn;		/* NULL until Tspi_Context_Connect */
	UINT32 tcs_ctx;			/* TCS_CONTEXT_HANDLE from OpenContext */
	UINT32 tcs_tpm_version;		/* 1 or 2, from OpenContext */
	TSS_HPOLICY default_policy;
	TSS_HTPM tpm;			/* 0 until connected */
	char *machine_name;		/* UTF-8, as TrouSerS keeps it */
	/* TSS_TSPATTRIB_CONTEXT_* */
	UINT32 silent_mode;		/* TSS_TSPATTRIB_CONTEXT_NOT_SILENT/SILENT */
	UINT32 secret_hash_mode;	/* TSS_TSPATTRIB_HASH_MODE_NOT_NULL/NULL */
	UINT32 connection_version;	/* TSS_TSPATTRIB_CONTEXT_VERSION_* */
	UINT32 trans_control;
	/* obj.c private */
	unsigned int refs;		/* under the table lock */
	bool closed;			/* under the table lock */
	struct obj *objects;		/* list of this context's objects */
	struct ctx_mem *mem;		/* memory handed to the application */
	struct session_cache *sessions;	/* session.c private */
};

/* ---- Lookup ---- */

/*
 * Finds handle h, checks that its type is in type_mask, locks its
 * context and returns the object. Pair with obj_release().
 */
TSS_RESULT obj_acquire(TSS_HOBJECT h, unsigned int type_mask, struct obj **out);
void obj_release(struct obj *o);

/*
 * A further handle of the same call: ctx must already be locked (the
 * caller holds an object of it); h must belong to that context. No
 * release needed.
 */
TSS_RESULT obj_lookup_in(struct tspi_ctx *ctx, TSS_HOBJECT h, unsigned int type_mask,
			 struct obj **out);

/* Iterates over ctx's objects of the given types (prev NULL to start). */
struct obj *obj_next_in(struct tspi_ctx *ctx, struct obj *prev, unsigned int type_mask);

/* ---- Creation and removal (context locked) ---- */

/*
 * Adds a new object of class cls to ctx and gives it a handle; data is
 * set as given (cls->create is NOT called: Tspi_Context_CreateObject does
 * that). On failure nothing is added and data is not touched.
 */
TSS_RESULT obj_add(struct tspi_ctx *ctx, const struct obj_class *cls, void *data,
		   struct obj **out);
/* Removes o from the table and destroys it (cls->destroy, then free). */
void obj_remove(struct obj *o);

/* ---- Contexts (used by tspi_context.c) ---- */

/* A new context with its own handle, returned unlocked. */
TSS_RESULT obj_context_new(const struct obj_class *cls, TSS_HCONTEXT *out);
/*
 * Ends the context whose object is ctx_obj (acquired): removes every
 * object of it (destroy hooks wipe secrets), frees its tracked memory,
 * releases the lock; the struct is freed when the last waiter leaves.
 * ctx_obj is invalid afterwards (do not obj_release it).
 */
void obj_context_close(struct obj *ctx_obj);

/* ---- Memory returned to the application (Tspi_Context_FreeMemory) ---- */

/* Zeroed memory tracked by ctx; NULL when out of memory. */
void *ctx_alloc(struct tspi_ctx *ctx, size_t n);
/* A tracked copy of n bytes (n may be 0: returns a valid 1-byte block). */
void *ctx_memdup(struct tspi_ctx *ctx, const void *p, size_t n);
/* Frees one tracked block; TSP_ERROR(TSS_E_INVALID_RESOURCE) if unknown. */
TSS_RESULT ctx_free(struct tspi_ctx *ctx, void *p);
/* Frees every tracked block (Tspi_Context_FreeMemory(ctx, NULL)). */
void ctx_free_all(struct tspi_ctx *ctx);

/* ---- Object classes (tspi_context.c's CreateObject table uses these) ---- */

extern const struct obj_class obj_class_context;	/* tspi_context.c */
extern const struct obj_class obj_class_policy;		/* tspi_policy.c */
extern const struct obj_class obj_class_tpm;		/* tspi_tpm.c */
extern const struct obj_class obj_class_rsakey;		/* tspi_key.c (L2) */
extern const struct obj_class obj_class_encdata;	/* tspi_data.c (L2) */
extern const struct obj_class obj_class_pcrs;		/* tspi_pcrs.c (L2) */
extern const struct obj_class obj_class_hash;		/* tspi_hash.c (L2) */
extern const struct obj_class obj_class_nv;		/* tspi_nv.c */
extern const struct obj_class obj_class_migdata;	/* tspi_migrate.c */
extern const struct obj_class obj_class_delfamily;	/* tspi_delegate.c */

/* Maps TSS_OBJECT_TYPE_* to a class; NULL for unknown types. */
const struct obj_class *obj_class_for_tss_type(TSS_FLAG object_type);

#endif /* TSS12_TSPI_OBJ_H */
