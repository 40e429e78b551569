/*
 * Auth sessions: TCS_OIAP, TCS_OSAP, TCS_DSAP, TCS_TerminateHandle (TSS
 * 1.2 §4.6.3.1-3; TPM 1.2 Part 3 §18) and the bookkeeping behind them.
 *
 * Each session belongs to the context that opened it. Clients see a
 * handle of ours (the TPM's own handle when it is free in our table) so
 * that a session can be saved out of the TPM (TPM_SaveAuthContext, TPM
 * 1.2 Part 3 §18.3) when the TPM has no room for a new one, and loaded
 * back (TPM_LoadAuthContext) under a different TPM handle when next used.
 * The HMACs do not cover the handle, so the client never notices.
 *
 * Everything here runs under tcsd_lock(), which also covers the command
 * that uses a session: a session is never swapped out between "load it"
 * and "use it". No thread ever waits for a session to be freed, so no
 * thread can deadlock waiting: when nothing can be swapped out, the
 * client gets TPM_RESOURCES at once.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <tss/tpm.h>
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>

#include "log.h"
#include "keycache.h"
#include "tcsd.h"
#include "tcsd_ordinals.h"
#include "tpm_exec.h"

/* Sessions one context may hold; a TSP needs a handful at most. */
#define AUTH_MAX_PER_CONTEXT 64
/* A saved session is a few hundred bytes (libtpms: ~ 200). */
#define AUTH_BLOB_MAX 2048

struct auth_sess {
	TCS_CONTEXT_HANDLE ctx;
	TCS_AUTHHANDLE handle;		/* what the client sees */
	UINT32 tpm_handle;		/* valid when loaded */
	bool loaded;
	bool pinned;			/* in use by the command being sent */
	uint64_t last_use;
	BYTE *blob;			/* saved context when swapped out */
	size_t blob_len;
};

static struct {
	struct auth_sess *s;
	size_t n, cap;
	uint64_t clock;
} tab;

size_t tcs_auth_count(void)
{
	size_t n;

	tcsd_lock();
	n = tab.n;
	tcsd_unlock();
	return n;
}

static struct auth_sess *find(TCS_CONTEXT_HANDLE ctx, TCS_AUTHHANDLE h)
{
	for (size_t i = 0; i < tab.n; i++)
		if (tab.s[i].handle == h && tab.s[i].ctx == ctx)
			return &tab.s[i];
	return NULL;
}

static bool handle_in_use(TCS_AUTHHANDLE h)
{
	for (size_t i = 0; i < tab.n; i++)
		if (tab.s[i].handle == h)
			return true;
	return false;
}

static void forget(struct auth_sess *s)
{
	if (s->blob != NULL) {
		OPENSSL_cleanse(s->blob, s->blob_len);
		free(s->blob);
	}
	*s = tab.s[--tab.n];
}

/*
 * A fresh session's TPM handle may equal a loaded entry's only if that
 * entry is stale (the TPM ended it and reused the number): drop those.
 */
static void drop_stale_tpm_handle(UINT32 tpm_handle)
{
	for (size_t i = 0; i < tab.n;) {
		if (tab.s[i].loaded && tab.s[i].tpm_handle == tpm_handle) {
			log_debug("auth session 0x%x of context 0x%x was ended by the TPM",
				  tab.s[i].handle, tab.s[i].ctx);
			forget(&tab.s[i]);
			continue;
		}
		i++;
	}
}

static TSS_RESULT save_session(struct auth_sess *s)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	const uint8_t *p;
	uint32_t n;
	TSS_RESULT rc;

	tcsd_tpm_cmd_init(&cmd, TPM_ORD_SaveAuthContext);
	buf_put_u32(&cmd.w, s->tpm_handle);
	if ((rc = tcsd_tpm_exec(NULL, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_ptr(&rsp.params, &p, &n, AUTH_BLOB_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	if ((s->blob = malloc(n)) == NULL)
		return TCS_ERROR(TSS_E_OUTOFMEMORY);
	memcpy(s->blob, p, n);
	s->blob_len = n;
	s->loaded = false;
	s->tpm_handle = 0;
	OPENSSL_cleanse(rsp.mem, sizeof(rsp.mem));
	return TSS_SUCCESS;
}

/* Flushes TPM sessions nobody in our table knows (leaked by a crash). */
static bool flush_unknown(void)
{
	UINT32 handles[64];
	size_t count;
	bool flushed = false;

	if (tcsd_tpm_get_handles(TPM_RT_AUTH, handles, 64, &count) != TSS_SUCCESS)
		return false;
	for (size_t i = 0; i < count; i++) {
		bool known = false;

		for (size_t j = 0; j < tab.n && !known; j++)
			known = tab.s[j].loaded && tab.s[j].tpm_handle == handles[i];
		if (!known && tcsd_tpm_flush(handles[i], TPM_RT_AUTH) == TSS_SUCCESS) {
			log_info("flushed auth session 0x%x that no context owned", handles[i]);
			flushed = true;
		}
	}
	return flushed;
}

TSS_RESULT tcs_auth_make_room(TCS_CONTEXT_HANDLE ctx)
{
	for (;;) {
		struct auth_sess *lru = NULL;
		TSS_RESULT rc;

		for (size_t i = 0; i < tab.n; i++) {
			struct auth_sess *s = &tab.s[i];

			if (s->loaded && !s->pinned && (lru == NULL || s->last_use < lru->last_use))
				lru = s;
		}
		if (lru == NULL || !tcsd_tpm_metrics()->has_save_auth_context)
			return flush_unknown() ? TSS_SUCCESS : TPM_E_RESOURCES;
		rc = save_session(lru);
		if (rc == TSS_SUCCESS) {
			log_debug("auth session 0x%x of context 0x%x swapped out for context 0x%x",
				  lru->handle, lru->ctx, ctx);
			return TSS_SUCCESS;
		}
		/* Gone from the TPM already (ended by an error): forget it, try again. */
		log_debug("auth session 0x%x could not be saved (0x%x); forgetting it",
			  lru->handle, rc);
		forget(lru);
		if (rc != TPM_E_INVALID_AUTHHANDLE && rc != TPM_E_BAD_HANDLE &&
		    rc != TPM_E_BAD_PARAMETER)
			return rc;
	}
}

static TSS_RESULT load_session(struct auth_sess *s)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	UINT32 h = 0;
	TSS_RESULT rc;

	for (int attempt = 0; attempt < 2; attempt++) {
		tcsd_tpm_cmd_init(&cmd, TPM_ORD_LoadAuthContext);
		buf_put_sized(&cmd.w, s->blob, s->blob_len);
		rc = tcsd_tpm_exec(NULL, &cmd, NULL, NULL, &rsp);
		if (rc != TPM_E_RESOURCES)
			break;
		s->pinned = true;	/* not ourselves */
		rc = tcs_auth_make_room(s->ctx);
		s->pinned = false;
		if (rc != TSS_SUCCESS)
			return rc;
	}
	OPENSSL_cleanse(cmd.mem, sizeof(cmd.mem));
	if (rc != TSS_SUCCESS)
		return rc;
	buf_get_u32(&rsp.params, &h);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	drop_stale_tpm_handle(h);
	OPENSSL_cleanse(s->blob, s->blob_len);
	free(s->blob);
	s->blob = NULL;
	s->blob_len = 0;
	s->loaded = true;
	s->tpm_handle = h;
	return TSS_SUCCESS;
}

TSS_RESULT tcs_auth_acquire(TCS_CONTEXT_HANDLE ctx, TCS_AUTHHANDLE handle, UINT32 *tpm_handle)
{
	struct auth_sess *s;
	TSS_RESULT rc;

	*tpm_handle = 0;
	tcsd_lock();
	if ((s = find(ctx, handle)) == NULL) {
		rc = TCS_ERROR(TSS_E_INVALID_HANDLE);
		log_debug("context 0x%x used auth handle 0x%x, which it does not hold", ctx,
			  handle);
		goto out;
	}
	if (!s->loaded) {
		TCS_AUTHHANDLE h = s->handle;

		if ((rc = load_session(s)) != TSS_SUCCESS) {
			/* make_room may have moved entries: look it up again. */
			if ((s = find(ctx, h)) != NULL)
				forget(s);
			goto out;
		}
		log_debug("auth session 0x%x of context 0x%x swapped back in", h, ctx);
		s = find(ctx, h);
	}
	s->pinned = true;
	s->last_use = ++tab.clock;
	*tpm_handle = s->tpm_handle;
	rc = TSS_SUCCESS;
out:
	tcsd_unlock();
	return rc;
}

void tcs_auth_release(TCS_CONTEXT_HANDLE ctx, TCS_AUTHHANDLE handle, bool tpm_closed)
{
	struct auth_sess *s;

	tcsd_lock();
	if ((s = find(ctx, handle)) != NULL) {
		s->pinned = false;
		if (tpm_closed)
			forget(s);
	}
	tcsd_unlock();
}

/* Ends one session in the TPM (if loaded) and forgets it. */
static void terminate(struct auth_sess *s)
{
	if (s->loaded) {
		TSS_RESULT rc = tcsd_tpm_flush(s->tpm_handle, TPM_RT_AUTH);

		if (rc != TSS_SUCCESS)
			log_debug("FlushSpecific of auth session 0x%x: 0x%x (already ended)",
				  s->tpm_handle, rc);
	}
	forget(s);
}

void tcs_auth_release_context(TCS_CONTEXT_HANDLE ctx)
{
	tcsd_lock();
	for (size_t i = 0; i < tab.n;) {
		if (tab.s[i].ctx == ctx) {
			terminate(&tab.s[i]);
			continue;
		}
		i++;
	}
	tcsd_unlock();
}

/* Records a session the TPM just opened for ctx; returns the client handle. */
static TSS_RESULT add_session(TCS_CONTEXT_HANDLE ctx, UINT32 tpm_handle, TCS_AUTHHANDLE *out)
{
	size_t mine = 0;
	TCS_AUTHHANDLE h = tpm_handle;

	*out = 0;
	drop_stale_tpm_handle(tpm_handle);
	for (size_t i = 0; i < tab.n; i++)
		mine += tab.s[i].ctx == ctx;
	if (mine >= AUTH_MAX_PER_CONTEXT) {
		log_warn("context 0x%x holds %d auth sessions; refusing another", ctx,
			 AUTH_MAX_PER_CONTEXT);
		tcsd_tpm_flush(tpm_handle, TPM_RT_AUTH);
		return TPM_E_RESOURCES;
	}
	if (tab.n == tab.cap) {
		size_t cap = tab.cap ? tab.cap * 2 : 32;
		struct auth_sess *p = realloc(tab.s, cap * sizeof(*p));

		if (p == NULL) {
			tcsd_tpm_flush(tpm_handle, TPM_RT_AUTH);
			return TCS_ERROR(TSS_E_OUTOFMEMORY);
		}
		tab.s = p;
		tab.cap = cap;
	}
	/* The TPM's number, unless a swapped-out session still goes by it. */
	while (h == 0 || handle_in_use(h)) {
		if (RAND_bytes((unsigned char *)&h, sizeof(h)) != 1) {
			tcsd_tpm_flush(tpm_handle, TPM_RT_AUTH);
			return TCS_ERROR(TSS_E_INTERNAL_ERROR);
		}
	}
	tab.s[tab.n++] = (struct auth_sess){
		.ctx = ctx,
		.handle = h,
		.tpm_handle = tpm_handle,
		.loaded = true,
		.last_use = ++tab.clock,
	};
	*out = h;
	return TSS_SUCCESS;
}

/* Sends OIAP, OSAP or DSAP, swapping another session out when the TPM is full. */
static TSS_RESULT start_session(struct tcsd_tpm_cmd *cmd, struct tcsd_tpm_rsp *rsp,
				TCS_CONTEXT_HANDLE ctx)
{
	TSS_RESULT rc;

	/* Each swap frees one slot; a few rounds cover sessions found stale. */
	for (int attempt = 0; attempt < 4; attempt++) {
		rc = tcsd_tpm_exec(NULL, cmd, NULL, NULL, rsp);
		if (rc != TPM_E_RESOURCES)
			return rc;
		if ((rc = tcs_auth_make_room(ctx)) != TSS_SUCCESS)
			return rc;
	}
	return TPM_E_RESOURCES;
}

/* TCS_OIAP: in ctx; out 0: UINT32 authHandle, 1: NONCE nonceEven. */
static TSS_RESULT tcs_oiap(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			   struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_NONCE nonce_even;
	UINT32 tpm_handle = 0;
	TCS_AUTHHANDLE h;
	TSS_RESULT rc;
	int err;

	if ((err = tcsd_reader_done(in)) != 0)
		return tcsd_bad_request(cl, in, err);
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_OIAP);
	tcsd_lock();
	if ((rc = start_session(&cmd, &rsp, cl->req_ctx)) != TSS_SUCCESS)
		goto out;
	buf_get_u32(&rsp.params, &tpm_handle);
	buf_get_bytes(&rsp.params, nonce_even.nonce, sizeof(nonce_even.nonce));
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		goto out;
	if ((rc = add_session(cl->req_ctx, tpm_handle, &h)) != TSS_SUCCESS)
		goto out;
	tcsd_writer_init_reply(out, 2);
	tcsd_put_u32(out, 0, h);
	tcsd_put_nonce(out, 1, &nonce_even);
out:
	tcsd_unlock();
	return rc;
}

/*
 * OSAP and DSAP once their command is built: sends it (tcsd_lock held),
 * records the session and answers UINT32 authHandle, NONCE nonceEven,
 * NONCE nonceEvenOSAP/DSAP (the TPM's output order, Part 3 §18.2, §18.3).
 * The command is wiped: a DSAP one carries a delegation blob.
 */
static TSS_RESULT start_shared_session(struct tcsd_client *cl, struct tcsd_tpm_cmd *cmd,
				       struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_rsp rsp;
	TPM_NONCE nonce_even, nonce_even_shared;
	UINT32 tpm_handle = 0;
	TCS_AUTHHANDLE h;
	TSS_RESULT rc;

	tcsd_lock();
	rc = start_session(cmd, &rsp, cl->req_ctx);
	OPENSSL_cleanse(cmd->mem, sizeof(cmd->mem));
	if (rc != TSS_SUCCESS)
		goto out;
	buf_get_u32(&rsp.params, &tpm_handle);
	buf_get_bytes(&rsp.params, nonce_even.nonce, sizeof(nonce_even.nonce));
	buf_get_bytes(&rsp.params, nonce_even_shared.nonce, sizeof(nonce_even_shared.nonce));
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		goto out;
	if ((rc = add_session(cl->req_ctx, tpm_handle, &h)) != TSS_SUCCESS)
		goto out;
	tcsd_writer_init_reply(out, 3);
	tcsd_put_u32(out, 0, h);
	tcsd_put_nonce(out, 1, &nonce_even);
	tcsd_put_nonce(out, 2, &nonce_even_shared);
out:
	tcsd_unlock();
	return rc;
}

/*
 * TCS_OSAP: in ctx, UINT16 entityType, UINT32 entityValue, NONCE
 * nonceOddOSAP; out UINT32 authHandle, NONCE nonceEven, NONCE
 * nonceEvenOSAP. For a key entity the value is the client's TCS key
 * handle, turned into the TPM's handle here (the session's shared
 * secret depends on the key's usage auth, not on its handle).
 */
static TSS_RESULT tcs_osap(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			   struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	TPM_NONCE nonce_odd_osap;
	UINT16 entity_type;
	UINT32 entity_value, tpm_value;
	bool key_entity;
	TSS_RESULT rc;
	int err;

	tcsd_get_u16(in, 1, &entity_type);
	tcsd_get_u32(in, 2, &entity_value);
	tcsd_get_nonce(in, 3, &nonce_odd_osap);
	if ((err = tcsd_reader_done(in)) != 0)
		return tcsd_bad_request(cl, in, err);

	tpm_value = entity_value;
	/* The low byte is the entity type; the high byte the ADIP scheme (Part 2 §4.9). */
	key_entity = (entity_type & 0xff) == TPM_ET_KEYHANDLE && entity_value != TCSD_SRK_HANDLE;
	/*
	 * The key is pinned before tcsd_lock(): acquire may wait for a key
	 * slot, and the commands that hold the slots need that lock to end.
	 */
	if (key_entity &&
	    (rc = keycache_acquire(cl->req_ctx, entity_value, &tpm_value)) != TSS_SUCCESS)
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_OSAP);
	buf_put_u16(&cmd.w, entity_type);
	buf_put_u32(&cmd.w, tpm_value);
	buf_put_bytes(&cmd.w, nonce_odd_osap.nonce, sizeof(nonce_odd_osap.nonce));
	rc = start_shared_session(cl, &cmd, out);
	if (key_entity)
		keycache_release(entity_value);
	return rc;
}

/* Largest DSAP entityValue: a delegation blob in one TPM command. */
#define DSAP_ENTITY_MAX (TCSD_TPM_BUFSIZE - 64)

/*
 * TCS_DSAP (TPM 1.2 Part 3 §18.3): in ctx, UINT16 entityType, UINT32
 * keyHandle, NONCE nonceOddDSAP, UINT32+PBYTE entityValue (an owner or
 * key delegation blob, or a 4-byte delegation table row); out UINT32
 * authHandle, NONCE nonceEven, NONCE nonceEvenDSAP. The session is
 * accounted like OIAP/OSAP ones: owned by ctx, released at context close,
 * swapped out when the TPM is full. keyHandle names a key only for
 * TPM_ET_DEL_KEY_BLOB; the TPM ignores it otherwise, so it passes as is.
 */
static TSS_RESULT tcs_dsap(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			   struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	TPM_NONCE nonce_odd_dsap;
	UINT16 entity_type = 0;
	UINT32 key = 0, tpm_key, n = 0, idx = 4;
	const uint8_t *value = NULL;
	bool key_entity;
	TSS_RESULT rc;
	int err;

	tcsd_get_u16(in, 1, &entity_type);
	tcsd_get_u32(in, 2, &key);
	tcsd_get_nonce(in, 3, &nonce_odd_dsap);
	tcsd_get_sized_ptr(in, &idx, &value, &n, DSAP_ENTITY_MAX);
	if ((err = tcsd_reader_done(in)) != 0)
		return tcsd_bad_request(cl, in, err);

	tpm_key = key;
	key_entity = (entity_type & 0xff) == TPM_ET_DEL_KEY_BLOB && key != TCSD_SRK_HANDLE;
	/* Pinned before tcsd_lock(), as in tcs_osap(). */
	if (key_entity && (rc = keycache_acquire(cl->req_ctx, key, &tpm_key)) != TSS_SUCCESS)
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_DSAP);
	buf_put_u16(&cmd.w, entity_type);
	buf_put_u32(&cmd.w, tpm_key);
	buf_put_bytes(&cmd.w, nonce_odd_dsap.nonce, sizeof(nonce_odd_dsap.nonce));
	buf_put_sized(&cmd.w, value, n);
	rc = start_shared_session(cl, &cmd, out);
	if (key_entity)
		keycache_release(key);
	return rc;
}

/* TCS_TerminateHandle: in ctx, UINT32 authHandle; no output. */
static TSS_RESULT tcs_terminate_handle(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				       struct tcsd_packet_writer *out)
{
	struct auth_sess *s;
	UINT32 h = 0;
	TSS_RESULT rc = TSS_SUCCESS;
	int err;

	tcsd_get_u32(in, 1, &h);
	if ((err = tcsd_reader_done(in)) != 0)
		return tcsd_bad_request(cl, in, err);
	tcsd_lock();
	if ((s = find(cl->req_ctx, h)) == NULL)
		rc = TCS_ERROR(TSS_E_INVALID_HANDLE);
	else
		terminate(s);
	tcsd_unlock();
	return rc;
}

const struct tcsd_handler tcs_auth_handlers[] = {
	{ TCSD_ORD_OIAP, tcs_oiap },
	{ TCSD_ORD_OSAP, tcs_osap },
	{ TCSD_ORD_TERMINATEHANDLE, tcs_terminate_handle },
	{ TCSD_ORD_DSAP, tcs_dsap },
	{ 0, NULL },
};
