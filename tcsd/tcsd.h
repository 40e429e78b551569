/*
 * tcsd internal interfaces: what the daemon core (main, server, context,
 * dispatch, tpm_exec, tcs_auth) offers the area files (tcs_*.c, keycache.c,
 * ps.c, evlog.c), and what the core expects from them.
 *
 * Threads: one thread per client connection. Requests on one connection
 * are strictly sequential (request/response, no pipelining), so per-client
 * state needs no lock. TPM access is serialised by tpmdd; state that spans
 * several TPM commands (key slots, auth sessions) is guarded by the one
 * recursive resource lock tcsd_lock()/tcsd_unlock() below.
 */
#ifndef TSS12_TCSD_H
#define TSS12_TCSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <tss/platform.h>
#include <tss/tss_typedef.h>
#include <tss/tss_structs.h>
#include <tss/tcs_typedef.h>
#include <tss/tcs_structs.h>
#include <tss/tss_error_basics.h>
#include <tss/tss_error.h>
#include <tss/tcs_error.h>
#include <tss/tpm_error.h>
#include <tss/tpm.h>

#include "buf.h"
#include "tcsd_wire.h"
#include "conf.h"

struct tpmdd;

/* ------------------------------------------------------------------ */
/* Clients and handlers                                                */
/* ------------------------------------------------------------------ */

/*
 * One connection. Handlers treat it as opaque and use the accessors.
 */
struct tcsd_client;

/* The TCS context of the request being handled (checked by dispatch). */
TCS_CONTEXT_HANDLE tcsd_request_context(const struct tcsd_client *cl);
/* "127.0.0.1:40312", "[::1]:40312" or "unix pid 123 uid 1000", for logs. */
const char *tcsd_client_name(const struct tcsd_client *cl);
/* True for loopback TCP and Unix-socket peers. */
bool tcsd_client_is_local(const struct tcsd_client *cl);
/* Unix-socket peers: credentials from SO_PEERCRED (false for TCP). */
bool tcsd_client_peer_cred(const struct tcsd_client *cl, pid_t *pid, uid_t *uid, gid_t *gid);

/*
 * A TCS function. The dispatcher has already read and verified parameter
 * 0 (the TCS context; OpenContext has none), so `in` is positioned at
 * parameter 1. The handler reads the rest of its inputs from `in` and
 * writes its outputs to `out`: `out` arrives zeroed, and a handler with
 * outputs first calls tcsd_writer_init(out, n) with its number of output
 * slots (the dispatcher frees it; a handler without outputs leaves it
 * alone). Indexes: inputs start at 1 (0 was the context), outputs at 0.
 * It returns TSS_SUCCESS, a TPM result
 * (layer 0, passed through unchanged) or TCS_ERROR(TSS_E_*). On failure the
 * dispatcher discards `out` and answers with the result code only, as
 * TrouSerS does. Inputs that do not parse (missing, wrong type, too
 * long, bytes left over) are answered with
 * `return tcsd_bad_request(cl, in, err);`: getter errors are sticky, so a
 * handler reads all its parameters, then checks err = tcsd_reader_done(in)
 * once before touching the TPM. An optional trailing parameter is read
 * only if tcsd_param_present() says it is there.
 */
typedef TSS_RESULT tcsd_handler_fn(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				   struct tcsd_packet_writer *out);

/*
 * Logs (once, with ordinal name and peer) a request whose parameters do
 * not parse and returns TCS_ERROR(TSS_E_INTERNAL_ERROR), what TrouSerS'
 * tcsd answers then (its getData failures).
 */
TSS_RESULT tcsd_bad_request(struct tcsd_client *cl, const struct tcsd_packet_reader *in, int err);

/*
 * After the last parameter: true if every parameter parsed and none is
 * left over; otherwise *rc = tcsd_bad_request(cl, in, err) and false.
 *   if (!tcsd_request_ok(cl, in, &rc)) return rc;
 */
bool tcsd_request_ok(struct tcsd_client *cl, const struct tcsd_packet_reader *in, TSS_RESULT *rc);

/*
 * An optional trailing TPM_AUTH at index: *p = auth when the client sent
 * one, NULL (auth zeroed) when it did not. One that does not parse fails
 * the reader, stickily, so tcsd_request_ok() refuses the request.
 */
void tcsd_get_optional_auth(struct tcsd_packet_reader *in, uint32_t index, TPM_AUTH *auth,
			    TPM_AUTH **p);

/* An all-zero TPM_AUTH: what TrouSerS' libtspi sends when there is no session. */
bool tcsd_auth_is_null(const TPM_AUTH *a);

struct tcsd_handler {
	UINT32 ordinal;			/* TCSD_ORD_* (common/tcsd_ordinals.h) */
	tcsd_handler_fn *fn;
};

/*
 * Each area file exports one array terminated by {0, NULL}; dispatch.c
 * merges them at start-up into one table indexed by ordinal and refuses
 * to start if two areas claim the same ordinal.
 */
extern const struct tcsd_handler tcs_context_handlers[];	/* context.c  */
extern const struct tcsd_handler tcs_admin_handlers[];		/* tcs_admin.c */
extern const struct tcsd_handler tcs_auth_handlers[];		/* tcs_auth.c */
extern const struct tcsd_handler tcs_key_handlers[];		/* tcs_keys.c */
extern const struct tcsd_handler tcs_crypto_handlers[];		/* tcs_crypto.c */
extern const struct tcsd_handler tcs_ps_handlers[];		/* tcs_keys.c */
extern const struct tcsd_handler tcs_evlog_handlers[];		/* evlog.c    */
extern const struct tcsd_handler tcs_nv_handlers[];	/* tcs_nv.c */
extern const struct tcsd_handler tcs_counter_handlers[];	/* tcs_counter.c */
extern const struct tcsd_handler tcs_audit_handlers[];	/* tcs_audit.c */
extern const struct tcsd_handler tcs_identity_handlers[];	/* tcs_identity.c */
extern const struct tcsd_handler tcs_migrate_handlers[];	/* tcs_migrate.c */
extern const struct tcsd_handler tcs_delegate_handlers[];	/* tcs_delegate.c */
extern const struct tcsd_handler tcs_transport_handlers[];	/* tcs_transport.c */

/* ------------------------------------------------------------------ */
/* Contexts (context.c)                                                */
/* ------------------------------------------------------------------ */

/*
 * TCS_ERROR(TSS_E_INVALID_HANDLE) unless ctx is open and owned by cl.
 * dispatch.c calls it for every ordinal but OpenContext; handlers that
 * receive a second context-like value do not need it.
 */
TSS_RESULT tcsd_context_verify(const struct tcsd_client *cl, TCS_CONTEXT_HANDLE ctx);

/* ------------------------------------------------------------------ */
/* TPM access (tpm_exec.c)                                             */
/* ------------------------------------------------------------------ */

/* The one TPM the daemon serves; set by main.c before any client. */
struct tpmdd *tcsd_tpm(void);

/*
 * The resource lock: held across "make sure key/session X is in the TPM"
 * + "send the command that uses it", so that no other thread evicts X in
 * between. Recursive; tcsd_tpm_exec() takes it itself when the command
 * carries auth sessions, keycache functions take it themselves. Never
 * held while waiting for a client.
 */
void tcsd_lock(void);
void tcsd_unlock(void);

/*
 * A TPM command under construction. Usage:
 *
 *   struct tcsd_tpm_cmd cmd;
 *   struct tcsd_tpm_rsp rsp;
 *   tcsd_tpm_cmd_init(&cmd, TPM_ORD_Seal);
 *   buf_put_u32(&cmd.w, tpm_key_handle);       // parameters, in order
 *   ...
 *   rc = tcsd_tpm_exec(cl, &cmd, auth, NULL, &rsp);
 *   if (rc) goto out;                           // TPM/TDDL/TCS error
 *   buf_get_u32(&rsp.params, &x); ...           // output parameters
 *   rc = tcsd_tpm_rsp_done(&rsp);               // all parsed, nothing left
 *
 * The command lives in the struct (TPMDD_BUFSIZE bytes), no allocation.
 */
#define TCSD_TPM_BUFSIZE 4096

struct tcsd_tpm_cmd {
	struct buf_writer w;		/* parameters go here, after the header */
	UINT32 ordinal;
	BYTE mem[TCSD_TPM_BUFSIZE];
};

struct tcsd_tpm_rsp {
	struct buf_reader params;	/* output parameters, auth trailers cut off */
	UINT32 result;
	size_t len;
	BYTE mem[TCSD_TPM_BUFSIZE];
};

void tcsd_tpm_cmd_init(struct tcsd_tpm_cmd *cmd, UINT32 ordinal);

/*
 * Appends the auth trailers (0, 1 or 2: auth1 may be NULL only if auth2
 * is too), sets the tag (TPM_TAG_RQU_COMMAND / _AUTH1_ / _AUTH2_), sends
 * the command, and splits the response: rsp->params covers the output
 * parameters, and each TPM_AUTH gets NonceEven, fContinueAuthSession and
 * HMAC from the response trailers.
 *
 * Auth sessions: each auth->AuthHandle must belong to the request's
 * context (else TCS_ERROR(TSS_E_INVALID_HANDLE)); a session swapped out by
 * tcs_auth.c is brought back first. When the command fails or a session
 * is not continued, the TPM has closed it and tcs_auth.c forgets it.
 * cl may be NULL for the daemon's own commands (no auth allowed then).
 *
 * Returns TSS_SUCCESS, the TPM's result (layer 0), the transport's
 * TDDL_ERROR(TDDL_E_*) unchanged (layer 0x1000: timeout, I/O error), or
 * TCS_ERROR(TSS_E_INTERNAL_ERROR) for a command that did not fit or a
 * malformed TPM response.
 */
TSS_RESULT tcsd_tpm_exec(struct tcsd_client *cl, struct tcsd_tpm_cmd *cmd, TPM_AUTH *auth1,
			 TPM_AUTH *auth2, struct tcsd_tpm_rsp *rsp);

/*
 * A command whose only output is the auth trailer: tcsd_tpm_exec() with
 * auth (or none), tcsd_tpm_rsp_done(), then the reply: one slot, the AUTH
 * if any. The command is wiped once sent (it may carry secrets).
 */
TSS_RESULT tcsd_tpm_exec_reply_auth(struct tcsd_client *cl, struct tcsd_tpm_cmd *cmd,
				    TPM_AUTH *auth, struct tcsd_packet_writer *out);

/* TSS_SUCCESS if rsp->params was read whole without error, else
 * TCS_ERROR(TSS_E_INTERNAL_ERROR) (logged with the ordinal). */
TSS_RESULT tcsd_tpm_rsp_done(struct tcsd_tpm_rsp *rsp);

/* Whether the TPM has TPM_SaveAuthContext / TPM_SaveKeyContext etc.
 * (TPM_CAP_ORD), probed once at start-up. */
bool tcsd_tpm_has_ordinal(UINT32 tpm_ordinal);
/* TPM_CAP_PROP_* values probed at start-up (0 when unknown). */
struct tcsd_tpm_metrics {
	UINT32 num_pcrs;		/* TPM_CAP_PROP_PCR */
	UINT32 max_keys;		/* TPM_CAP_PROP_MAX_KEYS */
	UINT32 max_auth_sessions;	/* TPM_CAP_PROP_MAX_AUTHSESS */
	UINT32 max_sessions;		/* TPM_CAP_PROP_MAX_SESSIONS */
	UINT32 input_buffer;		/* TPM_CAP_PROP_INPUT_BUFFER */
	bool has_save_key_context;	/* TPM_SaveKeyContext/LoadKeyContext */
	bool has_save_auth_context;	/* TPM_SaveAuthContext/LoadAuthContext */
	UINT32 version_minor;		/* 2 for a TPM 1.2 (OpenContext answers it) */
};
const struct tcsd_tpm_metrics *tcsd_tpm_metrics(void);

/* ------------------------------------------------------------------ */
/* Auth sessions (tcs_auth.c)                                          */
/* ------------------------------------------------------------------ */

/*
 * Used by tcsd_tpm_exec() around a command carrying a session (tcsd_lock
 * held): acquire checks that the client's (virtual) handle belongs to
 * ctx, loads the session back if it was swapped out, pins it and gives
 * its TPM handle; release unpins it, forgetting it if the TPM ended it.
 * Unknown handle: TCS_ERROR(TSS_E_INVALID_HANDLE).
 */
TSS_RESULT tcs_auth_acquire(TCS_CONTEXT_HANDLE ctx, TCS_AUTHHANDLE handle, UINT32 *tpm_handle);
void tcs_auth_release(TCS_CONTEXT_HANDLE ctx, TCS_AUTHHANDLE handle, bool tpm_closed);
/* Sessions held in the table (loaded or swapped out), for tests/logs. */
size_t tcs_auth_count(void);

/* Flushes (TPM_FlushSpecific / TerminateHandle) every session of ctx. */
void tcs_auth_release_context(TCS_CONTEXT_HANDLE ctx);

/* Transport sessions (tcs_transport.c): those of a closing context are flushed. */
void tcs_transport_release_context(TCS_CONTEXT_HANDLE ctx);
/* FlushSpecific(TPM_RT_TRANS) for a client: only its own sessions. */
TSS_RESULT tcs_transport_flush(TCS_CONTEXT_HANDLE ctx, UINT32 handle);

/*
 * Makes room for one more auth session in the TPM by saving another
 * context's idle session (TPM_SaveAuthContext), or one of ctx's own
 * idle sessions. TPM_RESOURCES when nothing can be swapped out.
 * Called with tcsd_lock held.
 */
TSS_RESULT tcs_auth_make_room(TCS_CONTEXT_HANDLE ctx);

/* ------------------------------------------------------------------ */
/* Core only (main.c, server.c, context.c, dispatch.c, privs.c)        */
/* ------------------------------------------------------------------ */

/* Contexts a single connection may hold open at once. */
#define TCSD_MAX_CONTEXTS_PER_CLIENT 256

struct tcsd_client {
	int fd;
	char name[96];			/* peer, for logs */
	bool local;			/* loopback TCP or Unix socket */
	bool is_unix;
	pid_t pid;			/* SO_PEERCRED, Unix sockets only */
	uid_t uid;
	gid_t gid;
	TCS_CONTEXT_HANDLE req_ctx;	/* context of the request in progress */
	TCS_CONTEXT_HANDLE *contexts;	/* open contexts owned by this connection */
	size_t num_contexts;
	size_t cap_contexts;
	unsigned int bad_packets;	/* logged once per connection */
};

/* The configuration in force (reloaded on SIGHUP: remote_ops only). */
const struct tcsd_config *tcsd_config(void);
/* remote_ops groups in force; swapped atomically by a reload. */
uint32_t tcsd_remote_ops_groups(void);
void tcsd_set_remote_ops_groups(uint32_t groups);

/* context.c */
int tcsd_contexts_init(void);
/* Closes every context the client still holds (disconnect, kill). */
void tcsd_client_release_contexts(struct tcsd_client *cl);
/* Number of open contexts in the daemon (tests, shutdown log). */
size_t tcsd_contexts_open(void);

/* dispatch.c: builds the table; -1 if two areas claim one ordinal. */
int tcsd_dispatch_init(void);
/*
 * Handles one request packet (already checked by tcsd_reader_init) and
 * returns the reply as heap memory in *reply, its length in *reply_len. Never fails:
 * errors become error replies.
 */
void tcsd_dispatch(struct tcsd_client *cl, struct tcsd_packet_reader *in, uint8_t **reply,
		   size_t *reply_len);

/* tpm_exec.c */
void tcsd_tpm_set(struct tpmdd *tpm);
/* Reads TPM_CAP_PROP_* and TPM_CAP_ORD at start-up; logs what it found. */
TSS_RESULT tcsd_tpm_probe(void);

/* server.c */
int tcsd_server_open(const struct tcsd_config *conf);	/* listeners, before the drop */
/* Serves until SIGTERM/SIGINT; SIGHUP calls reload. Returns 0 on a clean stop. */
int tcsd_server_run(int (*reload)(void));
/*
 * What the server does with one complete request packet pkt[0..len), once
 * it has read as many bytes as the header's packet_size (checked against
 * the cap before anything was allocated): the strict body checks
 * (tcsd_reader_init), then tcsd_dispatch(). The reply, heap memory, is in
 * *reply (NULL only when out of memory). Returns 0, or a negative errno
 * for a packet that does not parse (logged here, once): *reply is then
 * the 28-byte error reply, and the connection closes after it is sent.
 * The fuzzer (tests/fuzz/fuzz_tcsd_dispatch.c) drives this same path.
 */
int tcsd_serve_packet(struct tcsd_client *cl, const uint8_t *pkt, size_t len, uint8_t **reply,
		      size_t *reply_len);
void tcsd_server_close(void);

/* privs.c */
int tcsd_privs_lookup(uid_t *uid, gid_t *gid);
/* As root: setgroups(0), setresgid, setresuid to tss, verified. Else nothing. */
int tcsd_privs_drop(void);
/* The directory of system.data exists, is a real directory, not world-writable. */
int tcsd_privs_check_ps_dir(const char *ps_file);
/* As root: hands a root-owned system.data (left by TrouSerS) to the tss user. */
int tcsd_privs_adopt_ps_file(const char *ps_file);

/* ------------------------------------------------------------------ */
/* Provided by the area files of helper T2 (keycache.c, ps.c, evlog.c) */
/* ------------------------------------------------------------------ */

/*
 * Start-up order in main.c:
 *   conf -> tpm open -> tcsd_tpm_probe -> evlog_init (as root: the kernel
 *   logs are root-only) -> sockets -> privilege drop -> ps_init (as tss:
 *   the PS directory belongs to tss, so root never creates files where
 *   tss could plant a symlink, CVE-2020-24332) -> keycache_init -> serve.
 * Shutdown: stop accepting -> wait for handlers -> close every context
 * (keycache_release_context + tcs_auth_release_context) ->
 * keycache_shutdown -> ps_shutdown -> evlog_shutdown -> TPM_SaveState ->
 * tpmdd_close.
 */
TSS_RESULT evlog_init(const struct tcsd_config *conf);
void evlog_shutdown(void);
TSS_RESULT ps_init(const struct tcsd_config *conf);
void ps_shutdown(void);
TSS_RESULT keycache_init(void);
void keycache_shutdown(void);
/* keycache.h has the rest of the key cache's interface. */
/* Evicts every key loaded by ctx and forgets its handles. */
void keycache_release_context(TCS_CONTEXT_HANDLE ctx);

/* The SRK's fixed handle, the same for TCS and TPM (Part 2 §4.6). */
#define TCSD_SRK_HANDLE 0x40000000u

#endif /* TSS12_TCSD_H */
