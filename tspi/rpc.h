/*
 * The TSP's side of the TCSD wire protocol (REFERENCES.md §1.7): one
 * connection per context, strictly one request then one response.
 *
 * A TCS call is built, sent and read back through one struct rpc_msg:
 *
 *	struct rpc_msg *m;
 *	if ((rc = rpc_begin(ctx, TCSD_ORD_GETRANDOM, &m)))	// puts the TCS context
 *		return rc;
 *	rpc_put_u32(m, n);
 *	if ((rc = rpc_call(m)) == TSS_SUCCESS) {			// rc = result code of the reply
 *		rpc_get_u32(m, &len);
 *		rpc_get_bytes(m, len, 4096, &bytes);		// malloc'd copy, capped
 *		rc = rpc_get_done(m);				// TSS_E_COMM_FAILURE if malformed
 *	}
 *	rpc_end(m);
 *
 * Puts have a sticky error (checked by rpc_call); gets are typed and
 * bounded (each checks the type byte of its slot and the bytes left) and
 * also sticky: check once with rpc_get_done(). The reply's result code is
 * returned unchanged by rpc_call (TPM codes layer 0, TCS codes with
 * TSS_LAYER_TCS) so the application sees exactly what the TCS said.
 *
 * Transport failures (connect, send, receive, timeout, malformed reply)
 * are TSP_ERROR(TSS_E_COMM_FAILURE), as in TrouSerS; a context whose
 * connection broke stays broken (every later call fails the same way).
 * A context that was never connected: TSP_ERROR(TSS_E_NO_CONNECTION).
 *
 * Callers hold the context lock (they acquired an object of ctx).
 */
#ifndef TSS12_TSPI_RPC_H
#define TSS12_TSPI_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tss/tspi.h"
#include "tss/tcs_structs.h"

#include "tcsd_ordinals.h" /* TCSD_ORD_*: the one table of TCSD ordinals */

struct tspi_ctx;
struct rpc_conn;
struct rpc_msg;

/* Largest reply accepted (the daemon side caps packets the same way). */
#define RPC_MAX_PACKET (1u << 20)
/* Seconds a reply may take before the connection is declared lost (a
 * TPM key generation on real hardware can take a minute);
 * $TSS12_TCSD_TIMEOUT overrides it. */
#define RPC_REPLY_TIMEOUT_S 300

/* ---- Connection (tspi_context.c) ---- */

/*
 * Connects ctx: host NULL means the local daemon (the Unix socket
 * $TSS12_TCSD_SOCKET or RPC_DEFAULT_SOCKET first, then TCP to localhost),
 * unless TSS_TCSD_HOSTNAME or TSS_TCSD_PORT is set, which selects TCP to
 * that host/port only. Then sends OpenContext and stores the TCS context
 * handle in ctx->tcs_ctx.
 */
TSS_RESULT rpc_connect(struct tspi_ctx *ctx, const char *host);
/* CloseContext (best effort) and close the socket. */
void rpc_disconnect(struct tspi_ctx *ctx);

/* ---- Calls ---- */

/*
 * Starts a request for ordinal on ctx's connection; unless the ordinal is
 * OpenContext the TCS context handle goes in as parameter 0.
 */
TSS_RESULT rpc_begin(struct tspi_ctx *ctx, uint32_t ordinal, struct rpc_msg **out);

/* Typed parameters, TCSD packet types in brackets. */
void rpc_put_u8(struct rpc_msg *m, uint8_t v);			/* BYTE */
void rpc_put_bool(struct rpc_msg *m, bool v);			/* BOOL */
void rpc_put_u16(struct rpc_msg *m, uint16_t v);		/* UINT16 */
void rpc_put_u32(struct rpc_msg *m, uint32_t v);		/* UINT32 */
void rpc_put_u64(struct rpc_msg *m, uint64_t v);		/* UINT64 */
/* A UINT32 size followed by the bytes as PBYTE; the PBYTE is omitted
 * when n == 0, as TrouSerS does. */
void rpc_put_sized(struct rpc_msg *m, const void *p, uint32_t n);
void rpc_put_bytes(struct rpc_msg *m, const void *p, uint32_t n);	/* PBYTE alone */
void rpc_put_nonce(struct rpc_msg *m, const BYTE nonce[20]);	/* NONCE */
void rpc_put_digest(struct rpc_msg *m, const BYTE digest[20]);	/* DIGEST */
void rpc_put_encauth(struct rpc_msg *m, const BYTE encauth[20]);	/* ENCAUTH */
void rpc_put_secret(struct rpc_msg *m, const BYTE secret[20]);	/* SECRET */
void rpc_put_uuid(struct rpc_msg *m, const TSS_UUID *uuid);	/* UUID */
/* TPM_AUTH, request form: handle, nonceOdd, continue, HMAC. */
void rpc_put_auth(struct rpc_msg *m, const TPM_AUTH *auth);	/* AUTH */
void rpc_put_pcr_event(struct rpc_msg *m, const TSS_PCR_EVENT *ev);	/* PCR_EVENT */
void rpc_put_loadkey_info(struct rpc_msg *m, const TCS_LOADKEY_INFO *info);

/*
 * Sends the request and reads the reply. Returns the reply's result code
 * (TSS_SUCCESS, a TPM code, a TCS_ERROR code), or a TSP error if the
 * transport failed. On TSS_SUCCESS the gets below read the reply's
 * parameters in order.
 */
TSS_RESULT rpc_call(struct rpc_msg *m);

/* Typed reads of the reply, sticky. */
void rpc_get_u8(struct rpc_msg *m, uint8_t *v);
void rpc_get_bool(struct rpc_msg *m, TSS_BOOL *v);
void rpc_get_u16(struct rpc_msg *m, uint16_t *v);
void rpc_get_u32(struct rpc_msg *m, uint32_t *v);
void rpc_get_u64(struct rpc_msg *m, uint64_t *v);
/* A PBYTE of exactly n bytes (announced by an earlier UINT32) copied to
 * fresh malloc memory (NULL when n == 0); n above max fails. */
void rpc_get_bytes(struct rpc_msg *m, uint32_t n, uint32_t max, BYTE **out);
/* A PBYTE of exactly n bytes into caller memory. */
void rpc_get_bytes_to(struct rpc_msg *m, uint32_t n, void *dst);
/* UINT32 size then PBYTE (omitted if 0), malloc'd copy, capped by max. */
void rpc_get_sized(struct rpc_msg *m, uint32_t max, uint32_t *n, BYTE **out);
void rpc_get_nonce(struct rpc_msg *m, BYTE nonce[20]);
void rpc_get_digest(struct rpc_msg *m, BYTE digest[20]);
void rpc_get_uuid(struct rpc_msg *m, TSS_UUID *uuid);
void rpc_get_version(struct rpc_msg *m, TSS_VERSION *v);	/* VERSION */
/* TPM_AUTH, reply form: nonceEven, continue, HMAC (into auth). */
void rpc_get_auth(struct rpc_msg *m, TPM_AUTH *auth);
/* PCR_EVENT into ev; rgbPcrValue/rgbEvent malloc'd (caller frees). */
void rpc_get_pcr_event(struct rpc_msg *m, TSS_PCR_EVENT *ev);
void rpc_get_loadkey_info(struct rpc_msg *m, TCS_LOADKEY_INFO *info);
void rpc_get_km_keyinfo(struct rpc_msg *m, TSS_KM_KEYINFO *info);	/* rgbVendorData malloc'd */
void rpc_get_km_keyinfo2(struct rpc_msg *m, TSS_KM_KEYINFO2 *info);
/* TPM_COUNTER_VALUE: tag, label[4], counter (COUNTER_VALUE). */
void rpc_get_counter_value(struct rpc_msg *m, TPM_COUNTER_VALUE *v);
/* True if the reply has another parameter (optional trailing ones). */
bool rpc_has_more(struct rpc_msg *m);
/* TSS_SUCCESS if every get succeeded, else TSP_ERROR(TSS_E_COMM_FAILURE)
 * (logged once with the ordinal). Trailing parameters are tolerated. */
TSS_RESULT rpc_get_done(struct rpc_msg *m);

/* Frees the message (wipes it: it may have carried secrets). NULL ok. */
void rpc_end(struct rpc_msg *m);

/* ---- Transport sessions (TPM 1.2 Part 1 §24, Part 3 §24) ----
 *
 * When a context's transport is enabled (Tspi_SetAttribUint32 on the
 * context, TSS_TSPATTRIB_CONTEXT_TRANSPORT), rpc_call() turns every TCS
 * call that has a TPM command of its own into TCSD ExecuteTransport: the
 * request built with rpc_put_* is read back, mapped by a per-ordinal table
 * (rpc.c, transport_wraps[]) to the TPM command's handles, parameters and
 * auth trailers, wrapped, encrypted and authorised by tspi_transport.c,
 * and the TPM's wrapped answer is turned back into the TCSD reply the
 * caller would have received, so that call sites do not change. TCS calls
 * that never reach the TPM pass through. Any other call goes out
 * unwrapped, as in TrouSerS, except under an exclusive transport session
 * (which any unwrapped TPM command would end, Part 1 §24.6): then it fails
 * with TSP_ERROR(TSS_E_TSP_TRANS_NOTEXCLUSIVE).
 */

/* ctx->trans_control: the TSS_TSPATTRIB_TRANSPORT_* mode bits, and: */
#define RPC_TRANS_MODE_MASK 0x0fu
#define RPC_TRANS_ENABLED 0x100u

/* One wrapped TPM command and its answer. */
struct transport_call {
	UINT32 ordinal;			/* ORDw */
	UINT32 handles[2];		/* TCS handles; out: those the TPM returned */
	UINT32 num_handles;
	bool key_handles;		/* the handles are keys (the transport log hashes them) */
	UINT32 out_handles;		/* handles the wrapped answer carries (LoadKey2: 1) */
	BYTE *data;			/* DATAw, plaintext; out: the answer's (malloc'd) */
	UINT32 data_len;
	TPM_AUTH auth[2];		/* the command's sessions; out: nonceEven, continue, HMAC */
	UINT32 num_auth;
	bool no_data;			/* OIAP, OSAP: DATAw is neither digested nor encrypted */
	UINT32 result;			/* out: RCw */
};

struct transport_session;	/* tspi_transport.c */

/*
 * tspi_transport.c: establishes the session on first use, then sends one
 * wrapped command (TCSD ExecuteTransport) and checks and decrypts the
 * answer. On TSS_SUCCESS call->result holds the wrapped command's own
 * result; call->data is replaced by the answer's DATAw (free it).
 */
TSS_RESULT transport_execute(struct tspi_ctx *ctx, struct transport_call *call);
/* rpc_disconnect: ends an open session (FlushSpecific) and frees it. */
void transport_session_free(struct tspi_ctx *ctx);

/* The connection's session slot (NULL when not connected). */
struct transport_session **rpc_transport_slot(struct tspi_ctx *ctx);
/* While > 0, rpc_call sends unwrapped (the transport's own calls). */
void rpc_transport_bypass(struct tspi_ctx *ctx, int delta);

#endif /* TSS12_TSPI_RPC_H */
