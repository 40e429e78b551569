/*
 * TCS area: transport sessions (TPM 1.2 Part 1 §24, Part 3 §24):
 * TCS_EstablishTransport, TCS_ExecuteTransport, TCS_ReleaseTransportSigned.
 *
 * The TSP builds the wrapped command's parameters itself (it holds the
 * session secret: it encrypts them and computes every HMAC); the TCS only
 * puts the pieces together — |TAGw|LENw|ORDw|HANDLESw|DATAw|AUTH1w|AUTH2w|
 * inside |TAGet|LENet|ORDet|wrappedCmdSize|wrappedCmd|AUTHet| — after
 * mapping what it virtualises: the client's TCS key handles (HANDLESw, and
 * the entity value of a wrapped OSAP on a key) and auth session handles.
 * Parameter lists are TrouSerS' (src/tcs/rpc/tcstp/rpc_transport.c); its
 * libtspi sends the handle list as a raw UINT32 array, little-endian on
 * every host it runs on, and so do we.
 *
 * Bookkeeping: each transport session, and each auth session opened
 * inside one (TPM_OIAP/TPM_OSAP wrapped, unknown to tcs_auth.c), is
 * recorded here with the context that opened it, and flushed when that
 * context goes away: tcs_transport_release_context() is meant to be
 * called at context close; until it is, a sweep at every transport call
 * flushes the sessions of contexts that are no longer open.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <tss/tcs_defines.h>
#include <tss/tcs_error.h>
#include <tss/tpm.h>
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>
#include <tss/tss_error.h>

#include "keycache.h"
#include "log.h"
#include "tcsd.h"
#include "tcsd_ordinals.h"
#include "tpm_exec.h"
#include "tpmdd.h"
#include "transport.h"

/* Called when a TCS context closes (to be wired into context close). */
void tcs_transport_release_context(TCS_CONTEXT_HANDLE ctx);
/* FlushSpecific(TPM_RT_TRANS) for a client: only its own sessions. */
TSS_RESULT tcs_transport_flush(TCS_CONTEXT_HANDLE ctx, UINT32 handle);

/* A wrapped command's DATAw, and the secret of EstablishTransport: a TPM
 * 1.2 command is at most 4 KiB. */
#define DATA_MAX 4096u
#define SECRET_MAX 1024u
/* Sessions of one kind a context may hold here. */
#define MAX_PER_CONTEXT 16
#define AUTH_IN_LEN (4 + 20 + 1 + 20)
#define AUTH_OUT_LEN (20 + 1 + 20)
#define HDR_LEN 10u
#define BUF_LEN (TCSD_TPM_BUFSIZE + 512)

enum sess_kind { SESS_TRANSPORT, SESS_AUTH };

struct sess {
	TCS_CONTEXT_HANDLE ctx;
	const struct tcsd_client *cl;	/* only compared, to tell a closed context */
	UINT32 handle;			/* the TPM's */
	enum sess_kind kind;
	UINT32 attributes;		/* transport: TPM_TRANSPORT_* */
};

static struct {
	pthread_mutex_t lock;
	struct sess s[64];
	size_t n;
} tab = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const TPM_AUTH null_auth;

/* ---- bookkeeping ---- */

static struct sess *sess_find(TCS_CONTEXT_HANDLE ctx, UINT32 handle, enum sess_kind kind)
{
	for (size_t i = 0; i < tab.n; i++)
		if (tab.s[i].ctx == ctx && tab.s[i].handle == handle && tab.s[i].kind == kind)
			return &tab.s[i];
	return NULL;
}

static void sess_remove_at(size_t i)
{
	tab.s[i] = tab.s[--tab.n];
}

static bool sess_lookup(TCS_CONTEXT_HANDLE ctx, UINT32 handle, enum sess_kind kind,
			UINT32 *attributes)
{
	struct sess *s;

	pthread_mutex_lock(&tab.lock);
	s = sess_find(ctx, handle, kind);
	if (s != NULL && attributes != NULL)
		*attributes = s->attributes;
	pthread_mutex_unlock(&tab.lock);
	return s != NULL;
}

static TSS_RESULT sess_add(const struct tcsd_client *cl, TCS_CONTEXT_HANDLE ctx, UINT32 handle,
			   enum sess_kind kind, UINT32 attributes)
{
	size_t mine = 0;
	TSS_RESULT rc = TSS_SUCCESS;

	pthread_mutex_lock(&tab.lock);
	for (size_t i = 0; i < tab.n; i++)
		mine += tab.s[i].ctx == ctx;
	if (mine >= MAX_PER_CONTEXT || tab.n == sizeof(tab.s) / sizeof(tab.s[0])) {
		rc = TPM_E_RESOURCES;
	} else if (sess_find(ctx, handle, kind) == NULL) {
		tab.s[tab.n++] = (struct sess){ .ctx = ctx, .cl = cl, .handle = handle,
						.kind = kind, .attributes = attributes };
	}
	pthread_mutex_unlock(&tab.lock);
	if (rc != TSS_SUCCESS) {
		log_warn("context 0x%x holds too many transport-related sessions", ctx);
		(void)tcsd_tpm_flush(handle, kind == SESS_TRANSPORT ? TPM_RT_TRANS : TPM_RT_AUTH);
	}
	return rc;
}

static void sess_forget(TCS_CONTEXT_HANDLE ctx, UINT32 handle, enum sess_kind kind)
{
	pthread_mutex_lock(&tab.lock);
	for (size_t i = 0; i < tab.n; i++) {
		if (tab.s[i].ctx == ctx && tab.s[i].handle == handle && tab.s[i].kind == kind) {
			sess_remove_at(i);
			break;
		}
	}
	pthread_mutex_unlock(&tab.lock);
}

/* Flushes and forgets the sessions matching (all of ctx's, or those of closed contexts). */
static void sess_flush_where(bool (*match)(const struct sess *s, TCS_CONTEXT_HANDLE ctx),
			     TCS_CONTEXT_HANDLE ctx)
{
	struct sess gone[sizeof(tab.s) / sizeof(tab.s[0])];
	size_t n = 0;

	pthread_mutex_lock(&tab.lock);
	for (size_t i = 0; i < tab.n;) {
		if (match(&tab.s[i], ctx)) {
			gone[n++] = tab.s[i];
			sess_remove_at(i);
			continue;
		}
		i++;
	}
	pthread_mutex_unlock(&tab.lock);
	for (size_t i = 0; i < n; i++) {
		TSS_RESULT rc = tcsd_tpm_flush(gone[i].handle, gone[i].kind == SESS_TRANSPORT ?
								      TPM_RT_TRANS : TPM_RT_AUTH);

		log_debug("context 0x%x gone: flushed %s session 0x%x (0x%x)", gone[i].ctx,
			  gone[i].kind == SESS_TRANSPORT ? "transport" : "auth", gone[i].handle, rc);
	}
}

static bool of_context(const struct sess *s, TCS_CONTEXT_HANDLE ctx)
{
	return s->ctx == ctx;
}

static bool of_closed_context(const struct sess *s, TCS_CONTEXT_HANDLE ctx)
{
	(void)ctx;
	return tcsd_context_verify(s->cl, s->ctx) != TSS_SUCCESS;
}

void tcs_transport_release_context(TCS_CONTEXT_HANDLE ctx)
{
	sess_flush_where(of_context, ctx);
}

TSS_RESULT tcs_transport_flush(TCS_CONTEXT_HANDLE ctx, UINT32 handle)
{
	if (!sess_lookup(ctx, handle, SESS_TRANSPORT, NULL))
		return TCS_ERROR(TSS_E_INVALID_HANDLE);
	sess_forget(ctx, handle, SESS_TRANSPORT);
	return tcsd_tpm_flush(handle, TPM_RT_TRANS);
}

/* Until context close calls the function above: sessions of closed contexts go now. */
static void sweep(void)
{
	sess_flush_where(of_closed_context, 0);
}

/* Whether another context holds an exclusive transport session. */
static bool exclusive_elsewhere(TCS_CONTEXT_HANDLE ctx)
{
	bool found = false;

	pthread_mutex_lock(&tab.lock);
	for (size_t i = 0; i < tab.n && !found; i++)
		found = tab.s[i].kind == SESS_TRANSPORT && tab.s[i].ctx != ctx &&
			(tab.s[i].attributes & TPM_TRANSPORT_EXCLUSIVE);
	pthread_mutex_unlock(&tab.lock);
	return found;
}

/* ---- helpers ---- */

static void put_auth_in(struct buf_writer *w, UINT32 tpm_handle, const TPM_AUTH *a)
{
	buf_put_u32(w, tpm_handle);
	buf_put_bytes(w, a->NonceOdd.nonce, 20);
	buf_put_u8(w, a->fContinueAuthSession ? 1 : 0);
	buf_put_bytes(w, a->HMAC.authdata, 20);
}

static void get_auth_out(struct buf_reader *r, TPM_AUTH *a)
{
	uint8_t cont = 0;

	buf_get_bytes(r, a->NonceEven.nonce, 20);
	buf_get_u8(r, &cont);
	buf_get_bytes(r, a->HMAC.authdata, 20);
	a->fContinueAuthSession = cont ? TRUE : FALSE;
}

static void patch_header(BYTE *mem, UINT16 tag, UINT32 size)
{
	mem[0] = (BYTE)(tag >> 8);
	mem[1] = (BYTE)tag;
	mem[2] = (BYTE)(size >> 24);
	mem[3] = (BYTE)(size >> 16);
	mem[4] = (BYTE)(size >> 8);
	mem[5] = (BYTE)size;
}

static const UINT16 rqu_tags[3] = { TPM_TAG_RQU_COMMAND, TPM_TAG_RQU_AUTH1_COMMAND,
				    TPM_TAG_RQU_AUTH2_COMMAND };

/* Sends cmd[0..len) and checks the outer header; *r covers the rest. */
static TSS_RESULT transmit(const BYTE *cmd, size_t len, BYTE *rsp, size_t cap, size_t *rsp_len,
			   struct buf_reader *r, UINT16 want_tag)
{
	uint16_t tag = 0;
	uint32_t size = 0, result = 0;
	TSS_RESULT rc;

	*rsp_len = cap;
	if ((rc = tpmdd_transmit(tcsd_tpm(), cmd, len, rsp, rsp_len)) != TSS_SUCCESS)
		return rc;
	buf_reader_init(r, rsp, *rsp_len);
	buf_get_u16(r, &tag);
	buf_get_u32(r, &size);
	buf_get_u32(r, &result);
	if (buf_reader_error(r) != 0 || size != *rsp_len) {
		log_error("TPM answered a transport command with a malformed response (%zu bytes)",
			  *rsp_len);
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	if (result != TPM_SUCCESS)
		return result;
	if (tag != want_tag) {
		log_error("TPM answered a transport command with tag 0x%x", tag);
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	return TSS_SUCCESS;
}

/* ---- EstablishTransport (Part 3 §24.1) ---- */

/*
 * ctx, UINT32 transControlFlags, UINT32 encKey, UINT32+PBYTE transPublic,
 * UINT32+PBYTE secret, AUTH? -> AUTH?, UINT32 locality, UINT32 transHandle,
 * UINT32+PBYTE currentTicks, NONCE transNonceEven.
 */
static TSS_RESULT tcs_establish(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				struct tcsd_packet_writer *out)
{
	TCS_CONTEXT_HANDLE ctx = tcsd_request_context(cl);
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	struct transport_public pub;
	struct buf_reader pr;
	TPM_AUTH auth, *pauth = NULL;
	const uint8_t *pub_blob = NULL, *secret = NULL, *ticks = NULL;
	uint32_t flags = 0, key = 0, pub_len = 0, secret_len = 0, idx = 3, handle = 0, locality = 0;
	UINT32 slot = TPM_KH_TRANSPORT;
	BYTE nonce[20];
	TPM_NONCE tn;
	bool pinned = false;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &flags);
	tcsd_get_u32(in, 2, &key);
	tcsd_get_sized_ptr(in, &idx, &pub_blob, &pub_len, TRANSPORT_PUBLIC_LEN);
	tcsd_get_sized_ptr(in, &idx, &secret, &secret_len, SECRET_MAX);
	tcsd_get_optional_auth(in, idx, &auth, &pauth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	buf_reader_init(&pr, pub_blob, pub_len);
	if (transport_public_get(&pr, &pub) != 0 || buf_reader_done(&pr) != 0) {
		log_warn("%s: EstablishTransport with a malformed TPM_TRANSPORT_PUBLIC",
			 tcsd_client_name(cl));
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	}
	sweep();
	/* enforce_exclusive_transport: one exclusive session at a time (TrouSerS). */
	if (flags == TSS_TCSATTRIB_TRANSPORT_EXCLUSIVE && tcsd_config()->exclusive_transport &&
	    exclusive_elsewhere(ctx))
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	if (key != TPM_KH_TRANSPORT) {
		if ((rc = keycache_acquire(ctx, key, &slot)) != TSS_SUCCESS)
			return rc;
		pinned = true;
	}
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_EstablishTransport);
	buf_put_u32(&cmd.w, slot);
	buf_put_bytes(&cmd.w, pub_blob, pub_len);
	buf_put_sized(&cmd.w, secret, secret_len);
	if ((rc = tcsd_tpm_exec(cl, &cmd, pauth, NULL, &rsp)) != TSS_SUCCESS)
		goto out;
	buf_get_u32(&rsp.params, &handle);
	buf_get_u32(&rsp.params, &locality);
	buf_get_ptr(&rsp.params, &ticks, TRANSPORT_CURRENT_TICKS_LEN);
	buf_get_bytes(&rsp.params, nonce, sizeof(nonce));
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		goto out;
	if ((rc = sess_add(cl, ctx, handle, SESS_TRANSPORT, pub.attributes)) != TSS_SUCCESS)
		goto out;
	idx = 0;
	tcsd_writer_init_reply(out, 6);
	if (pauth != NULL)
		tcsd_put_auth_out(out, idx++, pauth);
	tcsd_put_u32(out, idx++, locality);
	tcsd_put_u32(out, idx++, handle);
	tcsd_put_sized(out, &idx, ticks, TRANSPORT_CURRENT_TICKS_LEN);
	memcpy(tn.nonce, nonce, sizeof(tn.nonce));
	tcsd_put_nonce(out, idx++, &tn);
out:
	if (pinned)
		keycache_release(key);
	return rc;
}

/* ---- ExecuteTransport (Part 3 §24.2) ---- */

/* One wrapped command in flight: what was mapped and must be released. */
struct wrapped {
	TCS_CONTEXT_HANDLE ctx;
	UINT32 ordinal;
	UINT32 tcs_handles[2], tpm_handles[2], nhandles;
	bool pinned[2];
	TPM_AUTH auth[2];
	UINT32 nauth;
	bool auth_ours[2];		/* opened inside a transport: our table */
	bool auth_acquired[2];		/* tcs_auth.c's: release after */
	UINT32 auth_tpm[2];
	bool osap_key_pinned;
	UINT32 osap_key;
	bool flush;			/* TPM_Terminate_Handle / TPM_FlushSpecific */
	enum { FLUSH_RAW, FLUSH_OURS, FLUSH_TCS_AUTH, FLUSH_TRANSPORT } flush_kind;
};

static TSS_RESULT map_handles(struct wrapped *wc, BYTE *data, uint32_t data_len)
{
	TSS_RESULT rc;

	if (wc->ordinal == TPM_ORD_FlushSpecific || wc->ordinal == TPM_ORD_Terminate_Handle) {
		/* Sessions (mapped in map_auths, under the lock); keys must be evicted
		 * through EvictKey, the key cache owns them. */
		if (wc->nhandles != 1)
			return TCS_ERROR(TSS_E_BAD_PARAMETER);
		if (keycache_acquire(wc->ctx, wc->tcs_handles[0], &wc->tpm_handles[0]) ==
		    TSS_SUCCESS) {
			keycache_release(wc->tcs_handles[0]);
			return TCS_ERROR(TSS_E_BAD_PARAMETER);
		}
		wc->flush = true;
		wc->tpm_handles[0] = wc->tcs_handles[0];
		return TSS_SUCCESS;
	}
	if (wc->nhandles == 2) {
		rc = keycache_acquire_pair(wc->ctx, wc->tcs_handles[0], wc->tcs_handles[1],
					   &wc->tpm_handles[0], &wc->tpm_handles[1]);
		if (rc != TSS_SUCCESS)
			return rc;
		wc->pinned[0] = wc->pinned[1] = true;
	} else if (wc->nhandles == 1) {
		if ((rc = keycache_acquire(wc->ctx, wc->tcs_handles[0], &wc->tpm_handles[0])))
			return rc;
		wc->pinned[0] = true;
	}
	if (wc->ordinal == TPM_ORD_OSAP && data_len >= 6) {
		/* entityType, entityValue: a key's value is the client's handle.
		 * TPM_OSAP's parameters are never encrypted (step 4.c). */
		UINT16 type = (UINT16)(data[0] << 8 | data[1]);
		UINT32 v = (UINT32)data[2] << 24 | (UINT32)data[3] << 16 |
			   (UINT32)data[4] << 8 | data[5], slot;

		if (type == TPM_ET_KEYHANDLE && v != TPM_KH_OWNER && v != TPM_KH_SRK) {
			if ((rc = keycache_acquire(wc->ctx, v, &slot)) != TSS_SUCCESS)
				return rc;
			wc->osap_key_pinned = true;
			wc->osap_key = v;
			data[2] = (BYTE)(slot >> 24);
			data[3] = (BYTE)(slot >> 16);
			data[4] = (BYTE)(slot >> 8);
			data[5] = (BYTE)slot;
		}
	}
	return TSS_SUCCESS;
}

static void unmap_handles(struct wrapped *wc)
{
	for (UINT32 i = 0; i < 2; i++)
		if (wc->pinned[i])
			keycache_release(wc->tcs_handles[i]);
	if (wc->osap_key_pinned)
		keycache_release(wc->osap_key);
}

/* Under tcsd_lock: the TPM handles of the command's auth sessions. */
static TSS_RESULT map_auths(struct wrapped *wc)
{
	TSS_RESULT rc;

	if (wc->flush) {
		UINT32 h = wc->tcs_handles[0];

		if (sess_lookup(wc->ctx, h, SESS_AUTH, NULL))
			wc->flush_kind = FLUSH_OURS;
		else if (sess_lookup(wc->ctx, h, SESS_TRANSPORT, NULL))
			wc->flush_kind = FLUSH_TRANSPORT;
		else if (tcs_auth_acquire(wc->ctx, h, &wc->tpm_handles[0]) == TSS_SUCCESS)
			wc->flush_kind = FLUSH_TCS_AUTH;
		else
			return TCS_ERROR(TSS_E_INVALID_HANDLE);	/* not this context's */
	}

	for (UINT32 i = 0; i < wc->nauth; i++) {
		UINT32 h = wc->auth[i].AuthHandle;

		if (sess_lookup(wc->ctx, h, SESS_AUTH, NULL)) {
			wc->auth_ours[i] = true;
			wc->auth_tpm[i] = h;
			continue;
		}
		if ((rc = tcs_auth_acquire(wc->ctx, h, &wc->auth_tpm[i])) != TSS_SUCCESS)
			return rc;
		wc->auth_acquired[i] = true;
	}
	return TSS_SUCCESS;
}

static void unmap_auths(struct wrapped *wc, bool done, UINT32 rcw, const bool sent_continue[2])
{
	if (wc->flush) {
		bool gone = done && rcw == TPM_SUCCESS;

		if (wc->flush_kind == FLUSH_TCS_AUTH)
			tcs_auth_release(wc->ctx, wc->tcs_handles[0], gone);
		else if (gone && wc->flush_kind == FLUSH_OURS)
			sess_forget(wc->ctx, wc->tcs_handles[0], SESS_AUTH);
		else if (gone && wc->flush_kind == FLUSH_TRANSPORT)
			sess_forget(wc->ctx, wc->tcs_handles[0], SESS_TRANSPORT);
	}
	for (UINT32 i = 0; i < wc->nauth; i++) {
		bool closed = done && rcw == TPM_SUCCESS ? wc->auth[i].fContinueAuthSession == FALSE
							 : !sent_continue[i];

		if (wc->auth_acquired[i])
			tcs_auth_release(wc->ctx, wc->auth[i].AuthHandle, closed);
		else if (wc->auth_ours[i] && closed)
			sess_forget(wc->ctx, wc->auth[i].AuthHandle, SESS_AUTH);
	}
}

/*
 * ctx, UINT32 ordinal, UINT32+PBYTE wrappedCmdParamIn, UINT32 handleCount,
 * PBYTE handles (if any), AUTH auth1, AUTH auth2 (all zeros = none), AUTH
 * transAuth -> UINT32 handleCount, PBYTE handles (if any), AUTH, AUTH,
 * AUTH transAuth, UINT64 currentTicks, UINT32 locality, UINT32 wrapped
 * result, UINT32+PBYTE wrappedCmdParamOut.
 */
static TSS_RESULT tcs_execute(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			      struct tcsd_packet_writer *out)
{
	struct wrapped wc;
	TPM_AUTH trans;
	const uint8_t *data_in = NULL, *hl = NULL, *rsp_data = NULL;
	uint32_t data_len = 0, nhandles = 0, idx = 2, wsize = 0, rcw = 0, locality = 0;
	uint32_t out_handles = 0, out_handle = 0, pdata_len = 0, wrsp_size = 0;
	uint64_t ticks = 0;
	UINT32 attributes = 0;
	BYTE data[DATA_MAX], cmd[BUF_LEN], rsp[BUF_LEN], hout[4];
	size_t rsp_len = 0, cmd_len, wstart;
	struct buf_writer w;
	struct buf_reader r, wr;
	bool sent_continue[2] = { false, false }, locked = false, done = false;
	TSS_RESULT rc;

	memset(&wc, 0, sizeof(wc));
	memset(&trans, 0, sizeof(trans));
	wc.ctx = tcsd_request_context(cl);
	tcsd_get_u32(in, 1, &wc.ordinal);
	tcsd_get_sized_ptr(in, &idx, &data_in, &data_len, DATA_MAX);
	tcsd_get_u32(in, idx++, &nhandles);
	if (nhandles > 2) {
		log_warn("%s: ExecuteTransport with %u handles", tcsd_client_name(cl), nhandles);
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	}
	if (nhandles > 0)
		tcsd_get_bytes_ptr(in, idx++, &hl, 4 * nhandles, 8);
	tcsd_get_auth_in(in, idx++, &wc.auth[0]);
	tcsd_get_auth_in(in, idx++, &wc.auth[1]);
	tcsd_get_auth_in(in, idx++, &trans);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (tcsd_auth_is_null(&wc.auth[1]))
		wc.nauth = tcsd_auth_is_null(&wc.auth[0]) ? 0 : 1;
	else if (tcsd_auth_is_null(&wc.auth[0]))
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	else
		wc.nauth = 2;
	wc.nhandles = nhandles;
	for (UINT32 i = 0; i < nhandles; i++)
		wc.tcs_handles[i] = (UINT32)hl[4 * i] | (UINT32)hl[4 * i + 1] << 8 |
				    (UINT32)hl[4 * i + 2] << 16 | (UINT32)hl[4 * i + 3] << 24;
	if (wc.ordinal == TPM_ORD_EstablishTransport || wc.ordinal == TPM_ORD_ExecuteTransport ||
	    wc.ordinal == TPM_ORD_ReleaseTransportSigned)
		return TPM_E_NO_WRAP_TRANSPORT;
	sweep();
	if (!sess_lookup(wc.ctx, trans.AuthHandle, SESS_TRANSPORT, &attributes)) {
		log_warn("%s: ExecuteTransport on transport session 0x%x it does not hold",
			 tcsd_client_name(cl), trans.AuthHandle);
		return TCS_ERROR(TSS_E_INVALID_HANDLE);
	}
	memcpy(data, data_in, data_len);

	/* Keys first, without the resource lock (keycache_acquire may wait). */
	if ((rc = map_handles(&wc, data, data_len)) != TSS_SUCCESS)
		goto out;
	tcsd_lock();
	locked = true;
	if ((rc = map_auths(&wc)) != TSS_SUCCESS)
		goto out;

	buf_writer_init_fixed(&w, cmd, sizeof(cmd));
	buf_put_u16(&w, TPM_TAG_RQU_AUTH1_COMMAND);
	buf_put_u32(&w, 0);
	buf_put_u32(&w, TPM_ORD_ExecuteTransport);
	buf_put_u32(&w, 0);				/* wrappedCmdSize, below */
	wstart = buf_writer_len(&w);
	buf_put_u16(&w, rqu_tags[wc.nauth]);
	buf_put_u32(&w, 0);				/* LENw, below */
	buf_put_u32(&w, wc.ordinal);
	for (UINT32 i = 0; i < wc.nhandles; i++)
		buf_put_u32(&w, wc.tpm_handles[i]);
	buf_put_bytes(&w, data, data_len);
	for (UINT32 i = 0; i < wc.nauth; i++) {
		put_auth_in(&w, wc.auth_tpm[i], &wc.auth[i]);
		sent_continue[i] = wc.auth[i].fContinueAuthSession != FALSE;
	}
	wsize = (uint32_t)(buf_writer_len(&w) - wstart);
	put_auth_in(&w, trans.AuthHandle, &trans);
	cmd_len = buf_writer_len(&w);
	if (buf_writer_error(&w) != 0) {
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	patch_header(cmd, TPM_TAG_RQU_AUTH1_COMMAND, (UINT32)cmd_len);
	buf_patch_u32(&w, 10, wsize);
	patch_header(cmd + wstart, rqu_tags[wc.nauth], wsize);

	rc = transmit(cmd, cmd_len, rsp, sizeof(rsp), &rsp_len, &r, TPM_TAG_RSP_AUTH1_COMMAND);
	if (rc != TSS_SUCCESS) {
		/* The transport command itself failed: the TPM ended the session. */
		if (rc == TPM_E_AUTHFAIL || rc == TPM_E_INVALID_AUTHHANDLE)
			sess_forget(wc.ctx, trans.AuthHandle, SESS_TRANSPORT);
		goto out;
	}
	/* |currentTicks|locality|wrappedRspSize|wrappedRsp|AUTHet| */
	buf_get_u64(&r, &ticks);
	buf_get_u32(&r, &locality);
	buf_get_u32(&r, &wrsp_size);
	if (buf_get_sub(&r, &wr, wrsp_size) == 0)
		get_auth_out(&r, &trans);
	if (buf_reader_done(&r) != 0) {
		log_error("TPM_ExecuteTransport response does not parse (%zu bytes)", rsp_len);
		rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	/* |TAGw|LENw|RCw|HANDLESw|DATAw|AUTH1w|AUTH2w| */
	{
		uint16_t tag = 0;
		uint32_t size = 0;

		buf_get_u16(&wr, &tag);
		buf_get_u32(&wr, &size);
		buf_get_u32(&wr, &rcw);
		if (buf_reader_error(&wr) != 0 || size != wrsp_size) {
			rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
	}
	done = true;
	if (rcw == TPM_SUCCESS) {
		size_t trailers = (size_t)wc.nauth * AUTH_OUT_LEN;

		if (wc.ordinal == TPM_ORD_LoadKey2) {
			buf_get_u32(&wr, &out_handle);
			out_handles = 1;
		}
		if (buf_reader_error(&wr) != 0 || buf_remaining(&wr) < trailers) {
			rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
		pdata_len = (uint32_t)(buf_remaining(&wr) - trailers);
		buf_get_ptr(&wr, &rsp_data, pdata_len);
		for (UINT32 i = 0; i < wc.nauth; i++)
			get_auth_out(&wr, &wc.auth[i]);
		if (buf_reader_done(&wr) != 0) {
			rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
	}
	if (!trans.fContinueAuthSession)
		sess_forget(wc.ctx, trans.AuthHandle, SESS_TRANSPORT);

	if (rcw == TPM_SUCCESS && (wc.ordinal == TPM_ORD_OIAP || wc.ordinal == TPM_ORD_OSAP) &&
	    pdata_len >= 4) {
		/* A session opened inside the transport: authHandle leads DATAw, in clear. */
		UINT32 h = (UINT32)rsp_data[0] << 24 | (UINT32)rsp_data[1] << 16 |
			   (UINT32)rsp_data[2] << 8 | rsp_data[3];

		if ((rc = sess_add(cl, wc.ctx, h, SESS_AUTH, 0)) != TSS_SUCCESS)
			goto out;
	}
	if (rcw == TPM_SUCCESS && wc.ordinal == TPM_ORD_LoadKey2) {
		/*
		 * The key cache takes the key under a handle of its own. DATAw is
		 * the TPM_KEY12 only when the session does not encrypt; otherwise
		 * the cache never learns the blob, cannot reload the key and moves
		 * it out with SaveKeyContext only, as a key loaded with its
		 * parent's authorisation.
		 */
		TCS_KEY_HANDLE tcs_key = 0;
		bool encrypted = (attributes & TPM_TRANSPORT_ENCRYPT) != 0;

		rc = keycache_add(wc.ctx, wc.tcs_handles[0], encrypted ? NULL : data,
				  encrypted ? 0 : data_len, out_handle, !encrypted && wc.nauth == 0,
				  NULL, &tcs_key);
		if (rc != TSS_SUCCESS) {
			log_warn("%s: key loaded in a transport session not cached (0x%x); "
				 "flushed", tcsd_client_name(cl), rc);
			(void)tcsd_tpm_flush(out_handle, TPM_RT_KEY);
			goto out;
		}
		out_handle = tcs_key;
	}

	idx = 0;
	tcsd_writer_init_reply(out, 11);
	tcsd_put_u32(out, idx++, out_handles);
	if (out_handles > 0) {
		hout[0] = (BYTE)out_handle;
		hout[1] = (BYTE)(out_handle >> 8);
		hout[2] = (BYTE)(out_handle >> 16);
		hout[3] = (BYTE)(out_handle >> 24);
		tcsd_put_bytes(out, idx++, hout, 4);
	}
	tcsd_put_auth_out(out, idx++, wc.nauth > 0 && rcw == TPM_SUCCESS ? &wc.auth[0] : &null_auth);
	tcsd_put_auth_out(out, idx++, wc.nauth > 1 && rcw == TPM_SUCCESS ? &wc.auth[1] : &null_auth);
	tcsd_put_auth_out(out, idx++, &trans);
	tcsd_put_u64(out, idx++, ticks);
	tcsd_put_u32(out, idx++, locality);
	tcsd_put_u32(out, idx++, rcw);
	tcsd_put_sized_opt(out, &idx, rsp_data, pdata_len);
	rc = TSS_SUCCESS;
out:
	unmap_auths(&wc, done, rcw, sent_continue);
	if (locked)
		tcsd_unlock();
	unmap_handles(&wc);
	OPENSSL_cleanse(data, sizeof(data));
	OPENSSL_cleanse(cmd, sizeof(cmd));
	OPENSSL_cleanse(rsp, sizeof(rsp));
	return rc;
}

/* ---- ReleaseTransportSigned (Part 3 §24.3) ---- */

/*
 * ctx, UINT32 keyHandle, NONCE antiReplay, AUTH keyAuth (zeros = none),
 * AUTH transAuth -> AUTH keyAuth, AUTH transAuth, UINT32 locality,
 * UINT32+PBYTE currentTicks, UINT32+PBYTE signature.
 */
static TSS_RESULT tcs_release_signed(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				     struct tcsd_packet_writer *out)
{
	TCS_CONTEXT_HANDLE ctx = tcsd_request_context(cl);
	TPM_NONCE nonce;
	TPM_AUTH kauth, trans;
	UINT32 key = 0, slot = 0, kslot = 0, locality = 0, sig_len = 0, idx;
	const uint8_t *ticks = NULL, *sig = NULL;
	BYTE cmd[256], rsp[BUF_LEN];
	size_t rsp_len = 0, cmd_len;
	struct buf_writer w;
	struct buf_reader r;
	bool has_key_auth, pinned = false, locked = false, acquired = false;
	TSS_RESULT rc;

	memset(&kauth, 0, sizeof(kauth));
	memset(&trans, 0, sizeof(trans));
	tcsd_get_u32(in, 1, &key);
	tcsd_get_nonce(in, 2, &nonce);
	tcsd_get_auth_in(in, 3, &kauth);
	tcsd_get_auth_in(in, 4, &trans);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	has_key_auth = !tcsd_auth_is_null(&kauth);
	sweep();
	if (!sess_lookup(ctx, trans.AuthHandle, SESS_TRANSPORT, NULL)) {
		log_warn("%s: ReleaseTransportSigned on transport session 0x%x it does not hold",
			 tcsd_client_name(cl), trans.AuthHandle);
		return TCS_ERROR(TSS_E_INVALID_HANDLE);
	}
	if ((rc = keycache_acquire(ctx, key, &slot)) != TSS_SUCCESS)
		return rc;
	pinned = true;
	tcsd_lock();
	locked = true;
	if (has_key_auth) {
		if ((rc = tcs_auth_acquire(ctx, kauth.AuthHandle, &kslot)) != TSS_SUCCESS)
			goto out;
		acquired = true;
	}
	buf_writer_init_fixed(&w, cmd, sizeof(cmd));
	buf_put_u16(&w, 0);
	buf_put_u32(&w, 0);
	buf_put_u32(&w, TPM_ORD_ReleaseTransportSigned);
	buf_put_u32(&w, slot);
	buf_put_bytes(&w, nonce.nonce, 20);
	if (has_key_auth)
		put_auth_in(&w, kslot, &kauth);
	put_auth_in(&w, trans.AuthHandle, &trans);
	cmd_len = buf_writer_len(&w);
	if (buf_writer_error(&w) != 0) {
		rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	patch_header(cmd, has_key_auth ? TPM_TAG_RQU_AUTH2_COMMAND : TPM_TAG_RQU_AUTH1_COMMAND,
		     (UINT32)cmd_len);
	rc = transmit(cmd, cmd_len, rsp, sizeof(rsp), &rsp_len, &r,
		      has_key_auth ? TPM_TAG_RSP_AUTH2_COMMAND : TPM_TAG_RSP_AUTH1_COMMAND);
	/* Success or not, the TPM has ended the transport session (continue FALSE). */
	sess_forget(ctx, trans.AuthHandle, SESS_TRANSPORT);
	if (rc != TSS_SUCCESS)
		goto out;
	buf_get_u32(&r, &locality);
	buf_get_ptr(&r, &ticks, TRANSPORT_CURRENT_TICKS_LEN);
	buf_get_sized_ptr(&r, &sig, &sig_len, 512);
	if (has_key_auth)
		get_auth_out(&r, &kauth);
	get_auth_out(&r, &trans);
	if (buf_reader_done(&r) != 0) {
		log_error("TPM_ReleaseTransportSigned response does not parse (%zu bytes)",
			  rsp_len);
		rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	idx = 3;
	tcsd_writer_init_reply(out, 7);
	tcsd_put_auth_out(out, 0, has_key_auth ? &kauth : &null_auth);
	tcsd_put_auth_out(out, 1, &trans);
	tcsd_put_u32(out, 2, locality);
	tcsd_put_sized(out, &idx, ticks, TRANSPORT_CURRENT_TICKS_LEN);
	tcsd_put_sized(out, &idx, sig, sig_len);
out:
	if (acquired)
		tcs_auth_release(ctx, kauth.AuthHandle,
				 rc != TSS_SUCCESS || kauth.fContinueAuthSession == FALSE);
	if (locked)
		tcsd_unlock();
	if (pinned)
		keycache_release(key);
	OPENSSL_cleanse(rsp, sizeof(rsp));
	return rc;
}

const struct tcsd_handler tcs_transport_handlers[] = {
	{ TCSD_ORD_ESTABLISHTRANSPORT, tcs_establish },
	{ TCSD_ORD_EXECUTETRANSPORT, tcs_execute },
	{ TCSD_ORD_RELEASETRANSPORTSIGNED, tcs_release_signed },
	{ 0, NULL },
};
