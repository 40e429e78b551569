/*
 * The TSP's TCSD client: one socket per context, one request at a time
 * (the context lock, held by every caller, keeps it that way).
 *
 * Packets are built and parsed only with common/tcsd_wire.h. Replies
 * are read header first; a packet size above TCSD_MAX_PACKET or below
 * the header is a broken connection, not an allocation.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <tss/tpm.h>
#include <tss/tpm_ordinal.h>

#include "log.h"
#include "obj.h"
#include "rpc.h"
#include "tcsd_wire.h"

/* Where our tcsd listens by default (tcsd/conf.h TCSD_DEFAULT_UNIX_SOCKET). */
#define RPC_DEFAULT_SOCKET "/run/tcsd/tcsd.sock"
/* Reserved type slots per request: more than any TCS call sends. Always at
 * least one, so that type_offset and parm_offset are 28/29 even without
 * parameters, which TrouSerS' tcsd requires (packet_size == parm_offset + parm_size). */
#define RPC_SLOTS 16
/* Seconds to wait for a TCP connection to be accepted. */
#define RPC_CONNECT_TIMEOUT_S 10

struct rpc_conn {
	int fd;
	bool broken;		/* a transport error happened: stays failed */
	struct transport_session *trans;	/* tspi_transport.c's */
	int trans_bypass;	/* > 0: the transport's own calls, sent unwrapped */
};

struct rpc_msg {
	struct tspi_ctx *ctx;
	uint32_t ordinal;
	struct tcsd_packet_writer w;
	uint32_t put_index;
	uint8_t *reply;		/* the whole reply packet */
	size_t reply_len;
	struct tcsd_packet_reader r;
	uint32_t get_index;
	int err;		/* sticky error of the gets */
	bool have_reply;
};

/* ---- sockets ---- */

static pthread_once_t timeout_once = PTHREAD_ONCE_INIT;
static int reply_timeout_s = RPC_REPLY_TIMEOUT_S;

/* $TSS12_TCSD_TIMEOUT (seconds, 1..3600) replaces the default, e.g. for tests. */
static void read_timeout(void)
{
	const char *env = getenv("TSS12_TCSD_TIMEOUT");
	char *end;
	long v;

	if (env == NULL || *env == '\0')
		return;
	v = strtol(env, &end, 10);
	if (*end == '\0' && v >= 1 && v <= 3600)
		reply_timeout_s = (int)v;
	else
		log_warn("tspi: TSS12_TCSD_TIMEOUT=%s ignored (seconds, 1 to 3600)", env);
}

static int reply_timeout(void)
{
	pthread_once(&timeout_once, read_timeout);
	return reply_timeout_s;
}

static int wait_fd(int fd, short events, int timeout_s)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&p, 1, timeout_s * 1000);
	} while (n < 0 && errno == EINTR);
	if (n == 0)
		return -ETIMEDOUT;
	if (n < 0)
		return -errno;
	return 0;
}

/*
 * Both transfers try the system call first and poll (bounded) only when
 * it would block: a request fits in the socket buffer and a reply's body
 * follows its header at once, so the common case costs no poll at all.
 */
static int send_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t k;
	int rc;

	while (n > 0) {
		k = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			if ((rc = wait_fd(fd, POLLOUT, reply_timeout())) != 0)
				return rc;
			continue;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* wait_first: the data is not expected yet (a reply header), poll before reading. */
static int recv_all(int fd, uint8_t *p, size_t n, bool wait_first)
{
	ssize_t k;
	int rc;

	while (n > 0) {
		if (wait_first && (rc = wait_fd(fd, POLLIN, reply_timeout())) != 0)
			return rc;
		k = recv(fd, p, n, MSG_DONTWAIT);
		if (k == 0)
			return -ECONNRESET;
		if (k < 0) {
			if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			wait_first = errno != EINTR;
			continue;
		}
		p += k;
		n -= (size_t)k;
		wait_first = false;
	}
	return 0;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* Connects one address with a bounded wait (a firewalled host must not hang us). */
static int connect_addr(const struct addrinfo *ai)
{
	socklen_t len = sizeof(int);
	int fd, rc, soerr = 0;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS) {
			rc = -errno;
			goto fail;
		}
		if ((rc = wait_fd(fd, POLLOUT, RPC_CONNECT_TIMEOUT_S)) != 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
			rc = soerr != 0 ? -soerr : -errno;
			goto fail;
		}
	}
	return fd;
fail:
	close(fd);
	return rc;
}

static int connect_tcp(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL, *ai;
	int fd = -ECONNREFUSED, rc;

	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		log_error("tspi: cannot resolve tcsd host %s: %s", host, gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = connect_addr(ai);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	return fd;
}

/* TSS_TCSD_PORT as TrouSerS reads it: a decimal port 1..65535. */
static int tcsd_port(char out[8])
{
	const char *env = getenv("TSS_TCSD_PORT");
	char *end;
	long v;

	if (env == NULL || *env == '\0') {
		snprintf(out, 8, "%d", TCSD_DEFAULT_PORT);
		return 0;
	}
	errno = 0;
	v = strtol(env, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 65535) {
		log_error("tspi: TSS_TCSD_PORT=%s is not a port number", env);
		return -EINVAL;
	}
	snprintf(out, 8, "%ld", v);
	return 0;
}

/* ---- calls ---- */

TSS_RESULT rpc_begin(struct tspi_ctx *ctx, uint32_t ordinal, struct rpc_msg **out)
{
	struct rpc_msg *m;

	*out = NULL;
	if (ctx->conn == NULL)
		return TSP_ERROR(TSS_E_NO_CONNECTION);
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	m->ctx = ctx;
	m->ordinal = ordinal;
	if (tcsd_writer_init(&m->w, RPC_SLOTS) != 0) {
		free(m);
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	}
	if (ordinal != TCSD_ORD_OPENCONTEXT)
		rpc_put_u32(m, ctx->tcs_ctx);
	*out = m;
	return TSS_SUCCESS;
}

void rpc_put_u8(struct rpc_msg *m, uint8_t v)
{
	tcsd_put_u8(&m->w, m->put_index++, v);
}

void rpc_put_bool(struct rpc_msg *m, bool v)
{
	tcsd_put_bool(&m->w, m->put_index++, v ? TRUE : FALSE);
}

void rpc_put_u16(struct rpc_msg *m, uint16_t v)
{
	tcsd_put_u16(&m->w, m->put_index++, v);
}

void rpc_put_u32(struct rpc_msg *m, uint32_t v)
{
	tcsd_put_u32(&m->w, m->put_index++, v);
}

void rpc_put_u64(struct rpc_msg *m, uint64_t v)
{
	tcsd_put_u64(&m->w, m->put_index++, v);
}

void rpc_put_sized(struct rpc_msg *m, const void *p, uint32_t n)
{
	tcsd_put_sized(&m->w, &m->put_index, p, n);
}

void rpc_put_bytes(struct rpc_msg *m, const void *p, uint32_t n)
{
	tcsd_put_bytes(&m->w, m->put_index++, p, n);
}

void rpc_put_nonce(struct rpc_msg *m, const BYTE nonce[20])
{
	TPM_NONCE v;

	memcpy(v.nonce, nonce, sizeof(v.nonce));
	tcsd_put_nonce(&m->w, m->put_index++, &v);
}

void rpc_put_digest(struct rpc_msg *m, const BYTE digest[20])
{
	TPM_DIGEST v;

	memcpy(v.digest, digest, sizeof(v.digest));
	tcsd_put_digest(&m->w, m->put_index++, &v);
}

void rpc_put_encauth(struct rpc_msg *m, const BYTE encauth[20])
{
	TPM_ENCAUTH v;

	memcpy(v.authdata, encauth, sizeof(v.authdata));
	tcsd_put_encauth(&m->w, m->put_index++, &v);
	OPENSSL_cleanse(&v, sizeof(v));
}

void rpc_put_secret(struct rpc_msg *m, const BYTE secret[20])
{
	TPM_SECRET v;

	memcpy(v.authdata, secret, sizeof(v.authdata));
	tcsd_put_secret(&m->w, m->put_index++, &v);
	OPENSSL_cleanse(&v, sizeof(v));
}

void rpc_put_uuid(struct rpc_msg *m, const TSS_UUID *uuid)
{
	tcsd_put_uuid(&m->w, m->put_index++, uuid);
}

void rpc_put_auth(struct rpc_msg *m, const TPM_AUTH *auth)
{
	tcsd_put_auth_in(&m->w, m->put_index++, auth);
}

void rpc_put_pcr_event(struct rpc_msg *m, const TSS_PCR_EVENT *ev)
{
	tcsd_put_pcr_event(&m->w, m->put_index++, ev);
}

void rpc_put_loadkey_info(struct rpc_msg *m, const TCS_LOADKEY_INFO *info)
{
	tcsd_put_loadkey_info(&m->w, m->put_index++, info);
}

/* The connection is unusable after a transport error: close it for good. */
static TSS_RESULT conn_fail(struct rpc_msg *m, const char *what, int err)
{
	struct rpc_conn *c = m->ctx->conn;

	log_error("tspi: tcsd connection lost (%s, TCSD ordinal %u): %s", what, m->ordinal,
		  strerror(-err));
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	c->broken = true;
	return TSP_ERROR(TSS_E_COMM_FAILURE);
}

static TSS_RESULT rpc_call_plain(struct rpc_msg *m)
{
	struct rpc_conn *c = m->ctx->conn;
	uint8_t hdr[TCSD_HDR_SIZE];
	struct tcsd_hdr h;
	uint8_t *pkt = NULL;
	size_t len = 0;
	int rc;

	if (c == NULL)
		return TSP_ERROR(TSS_E_NO_CONNECTION);
	if (c->broken)
		return TSP_ERROR(TSS_E_COMM_FAILURE);
	rc = tcsd_writer_finish(&m->w, m->ordinal, &pkt, &len);
	if (rc != 0) {
		log_error("tspi: cannot build TCSD ordinal %u: %s", m->ordinal, strerror(-rc));
		if (rc == -ENOMEM)
			return TSP_ERROR(TSS_E_OUTOFMEMORY);
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
	rc = send_all(c->fd, pkt, len);
	OPENSSL_cleanse(pkt, len);
	free(pkt);
	if (rc != 0)
		return conn_fail(m, "send", rc);

	if ((rc = recv_all(c->fd, hdr, sizeof(hdr), true)) != 0)
		return conn_fail(m, "receive", rc);
	if ((rc = tcsd_hdr_decode(hdr, sizeof(hdr), &h, false)) != 0)
		return conn_fail(m, "reply header", rc);
	m->reply = malloc(h.packet_size);
	if (m->reply == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	memcpy(m->reply, hdr, sizeof(hdr));
	m->reply_len = h.packet_size;
	if ((rc = recv_all(c->fd, m->reply + sizeof(hdr), h.packet_size - sizeof(hdr),
			   false)) != 0)
		return conn_fail(m, "receive", rc);
	if ((rc = tcsd_reader_init(&m->r, m->reply, m->reply_len, false)) != 0) {
		/* The stream is still in step (we read packet_size bytes), but the
		 * reply is nonsense: report it, keep the connection. */
		log_error("tspi: malformed reply to TCSD ordinal %u: %s", m->ordinal,
			  strerror(-rc));
		return TSP_ERROR(TSS_E_COMM_FAILURE);
	}
	m->have_reply = true;
	return tcsd_reader_code(&m->r);
}

/* Records the first failure of a get. */
static void get_check(struct rpc_msg *m, int rc)
{
	if (rc != 0 && m->err == 0)
		m->err = rc;
}

#define GET_GUARD(m) do { if (!(m)->have_reply || (m)->err) { get_check((m), -EBADMSG); return; } } while (0)

void rpc_get_u8(struct rpc_msg *m, uint8_t *v)
{
	*v = 0;
	GET_GUARD(m);
	get_check(m, tcsd_get_u8(&m->r, m->get_index++, v));
}

void rpc_get_bool(struct rpc_msg *m, TSS_BOOL *v)
{
	*v = 0;
	GET_GUARD(m);
	get_check(m, tcsd_get_bool(&m->r, m->get_index++, v));
}

void rpc_get_u16(struct rpc_msg *m, uint16_t *v)
{
	*v = 0;
	GET_GUARD(m);
	get_check(m, tcsd_get_u16(&m->r, m->get_index++, v));
}

void rpc_get_u32(struct rpc_msg *m, uint32_t *v)
{
	*v = 0;
	GET_GUARD(m);
	get_check(m, tcsd_get_u32(&m->r, m->get_index++, v));
}

void rpc_get_u64(struct rpc_msg *m, uint64_t *v)
{
	*v = 0;
	GET_GUARD(m);
	get_check(m, tcsd_get_u64(&m->r, m->get_index++, v));
}

void rpc_get_bytes(struct rpc_msg *m, uint32_t n, uint32_t max, BYTE **out)
{
	*out = NULL;
	GET_GUARD(m);
	if (n == 0) {
		const uint8_t *p;

		/* TrouSerS omits an empty PBYTE; a sender that writes it anyway is tolerated. */
		if (tcsd_param_type(&m->r, m->get_index) == TCSD_TYPE_PBYTE)
			get_check(m, tcsd_get_bytes_ptr(&m->r, m->get_index++, &p, 0, 0));
		return;
	}
	get_check(m, tcsd_get_bytes_dup(&m->r, m->get_index++, out, n, max));
}

void rpc_get_bytes_to(struct rpc_msg *m, uint32_t n, void *dst)
{
	GET_GUARD(m);
	get_check(m, tcsd_get_bytes_copy(&m->r, m->get_index++, dst, n, n));
}

void rpc_get_sized(struct rpc_msg *m, uint32_t max, uint32_t *n, BYTE **out)
{
	*n = 0;
	*out = NULL;
	GET_GUARD(m);
	get_check(m, tcsd_get_sized_dup(&m->r, &m->get_index, out, n, max));
}

void rpc_get_nonce(struct rpc_msg *m, BYTE nonce[20])
{
	TPM_NONCE v;

	memset(nonce, 0, 20);
	GET_GUARD(m);
	get_check(m, tcsd_get_nonce(&m->r, m->get_index++, &v));
	if (m->err == 0)
		memcpy(nonce, v.nonce, 20);
}

void rpc_get_digest(struct rpc_msg *m, BYTE digest[20])
{
	TPM_DIGEST v;

	memset(digest, 0, 20);
	GET_GUARD(m);
	get_check(m, tcsd_get_digest(&m->r, m->get_index++, &v));
	if (m->err == 0)
		memcpy(digest, v.digest, 20);
}

void rpc_get_uuid(struct rpc_msg *m, TSS_UUID *uuid)
{
	memset(uuid, 0, sizeof(*uuid));
	GET_GUARD(m);
	get_check(m, tcsd_get_uuid(&m->r, m->get_index++, uuid));
}

void rpc_get_version(struct rpc_msg *m, TSS_VERSION *v)
{
	memset(v, 0, sizeof(*v));
	GET_GUARD(m);
	get_check(m, tcsd_get_version(&m->r, m->get_index++, v));
}

void rpc_get_auth(struct rpc_msg *m, TPM_AUTH *auth)
{
	TPM_AUTH v;

	GET_GUARD(m);
	get_check(m, tcsd_get_auth_out(&m->r, m->get_index++, &v));
	if (m->err == 0) {
		memcpy(&auth->NonceEven, &v.NonceEven, sizeof(auth->NonceEven));
		auth->fContinueAuthSession = v.fContinueAuthSession;
		memcpy(&auth->HMAC, &v.HMAC, sizeof(auth->HMAC));
	}
}

void rpc_get_pcr_event(struct rpc_msg *m, TSS_PCR_EVENT *ev)
{
	memset(ev, 0, sizeof(*ev));
	GET_GUARD(m);
	get_check(m, tcsd_get_pcr_event(&m->r, m->get_index++, ev, TCSD_PCR_VALUE_MAX,
					TCSD_EVENT_DATA_MAX));
}

void rpc_get_loadkey_info(struct rpc_msg *m, TCS_LOADKEY_INFO *info)
{
	memset(info, 0, sizeof(*info));
	GET_GUARD(m);
	get_check(m, tcsd_get_loadkey_info(&m->r, m->get_index++, info));
}

void rpc_get_km_keyinfo(struct rpc_msg *m, TSS_KM_KEYINFO *info)
{
	memset(info, 0, sizeof(*info));
	GET_GUARD(m);
	get_check(m, tcsd_get_km_keyinfo(&m->r, m->get_index++, info, TCSD_VENDOR_DATA_MAX));
}

void rpc_get_km_keyinfo2(struct rpc_msg *m, TSS_KM_KEYINFO2 *info)
{
	memset(info, 0, sizeof(*info));
	GET_GUARD(m);
	get_check(m, tcsd_get_km_keyinfo2(&m->r, m->get_index++, info, TCSD_VENDOR_DATA_MAX));
}

void rpc_get_counter_value(struct rpc_msg *m, TPM_COUNTER_VALUE *v)
{
	memset(v, 0, sizeof(*v));
	GET_GUARD(m);
	get_check(m, tcsd_get_counter_value(&m->r, m->get_index++, v));
}

bool rpc_has_more(struct rpc_msg *m)
{
	return m->have_reply && m->err == 0 && tcsd_param_present(&m->r, m->get_index);
}

TSS_RESULT rpc_get_done(struct rpc_msg *m)
{
	if (!m->have_reply) {
		log_error("tspi: no reply to read for TCSD ordinal %u", m->ordinal);
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	if (m->err != 0) {
		log_error("tspi: malformed reply to TCSD ordinal %u (parameter %u): %s",
			  m->ordinal, m->get_index, strerror(-m->err));
		return TSP_ERROR(TSS_E_COMM_FAILURE);
	}
	return TSS_SUCCESS;
}

void rpc_end(struct rpc_msg *m)
{
	if (m == NULL)
		return;
	tcsd_writer_free(&m->w);
	if (m->reply != NULL) {
		OPENSSL_cleanse(m->reply, m->reply_len);
		free(m->reply);
	}
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
}

/* ---- connection ---- */

static TSS_RESULT open_context(struct tspi_ctx *ctx)
{
	struct rpc_msg *m;
	uint32_t tcs_ctx = 0, version = 0;
	TSS_RESULT rc;

	if ((rc = rpc_begin(ctx, TCSD_ORD_OPENCONTEXT, &m)) != TSS_SUCCESS)
		return rc;
	rc = rpc_call(m);
	if (rc == TSS_SUCCESS) {
		rpc_get_u32(m, &tcs_ctx);
		/* TrouSerS 0.3.x also sends the TPM version; older ones do not. */
		if (rpc_has_more(m))
			rpc_get_u32(m, &version);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	if (rc != TSS_SUCCESS)
		return rc;
	ctx->tcs_ctx = tcs_ctx;
	ctx->tcs_tpm_version = version != 0 ? version : 1;
	return TSS_SUCCESS;
}

TSS_RESULT rpc_connect(struct tspi_ctx *ctx, const char *host)
{
	const char *env_host = getenv("TSS_TCSD_HOSTNAME");
	const char *env_port = getenv("TSS_TCSD_PORT");
	const char *sock = getenv("TSS12_TCSD_SOCKET");
	char port[8];
	int fd = -1;
	TSS_RESULT rc;

	if (ctx->conn != NULL)
		return TSP_ERROR(TSS_E_CONNECTION_FAILED);
	if (tcsd_port(port) != 0)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);

	/* Only an unconfigured local connection tries the Unix socket. */
	if (host == NULL && env_host == NULL && env_port == NULL) {
		fd = connect_unix(sock != NULL && *sock != '\0' ? sock : RPC_DEFAULT_SOCKET);
		if (fd < 0)
			log_debug("tspi: no tcsd on the Unix socket (%s), trying TCP", strerror(-fd));
	}
	if (fd < 0) {
		if (host == NULL)
			host = env_host != NULL && *env_host != '\0' ? env_host : "localhost";
		fd = connect_tcp(host, port);
		if (fd < 0) {
			log_error("tspi: cannot connect to tcsd at %s:%s: %s", host, port,
				  strerror(-fd));
			/* TrouSerS reports a refused connection as a communication failure. */
			return TSP_ERROR(TSS_E_COMM_FAILURE);
		}
	}

	ctx->conn = calloc(1, sizeof(*ctx->conn));
	if (ctx->conn == NULL) {
		close(fd);
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	}
	ctx->conn->fd = fd;
	if ((rc = open_context(ctx)) != TSS_SUCCESS) {
		close(fd);
		free(ctx->conn);
		ctx->conn = NULL;
		return rc;
	}
	return TSS_SUCCESS;
}

void rpc_disconnect(struct tspi_ctx *ctx)
{
	struct rpc_msg *m;

	if (ctx->conn == NULL)
		return;
	transport_session_free(ctx);
	if (!ctx->conn->broken && rpc_begin(ctx, TCSD_ORD_CLOSECONTEXT, &m) == TSS_SUCCESS) {
		(void)rpc_call(m);
		rpc_end(m);
	}
	if (ctx->conn->fd >= 0)
		close(ctx->conn->fd);
	free(ctx->conn);
	ctx->conn = NULL;
}

/* ---- transport sessions: wrapping TCS calls (rpc.h) ---- */

/*
 * How a TCS call becomes a TPM command inside TPM_ExecuteTransport, and
 * how the TPM's answer becomes the TCS reply. One row per TCSD ordinal.
 *
 * in: the TCSD request parameters after the context handle, in order:
 *   K  UINT32 TCS key handle: goes to the handle list (the TCS maps it)
 *   h  UINT32 other handle (an auth session): to the handle list
 *   u  UINT32, w UINT16: copied to DATAw big-endian
 *   n  NONCE, d DIGEST, e ENCAUTH: 20 bytes to DATAw
 *   B  UINT32 size + PBYTE: size and bytes to DATAw (a sized TPM parameter)
 *   b  UINT32 size + PBYTE: the bytes only (a structure such as TPM_KEY12)
 *   a  an AUTH, if the caller sent one: the next auth trailer
 * out: the TCSD reply parameters, in order, taken from the wrapped answer:
 *   a  the next auth trailer (only if the request had that many)
 *   p  an empty AUTH when the request had fewer than two (Unseal)
 *   H  the key handle the TCS returned (LoadKey2)
 *   u  UINT32, n NONCE, d DIGEST, v VERSION (4 bytes): from DATAw
 *   B  UINT32 size + bytes from DATAw, sent as UINT32 + PBYTE
 *   S  the rest of DATAw, sent as UINT32 + PBYTE (a TPM structure)
 *   C  a TPM_PCR_COMPOSITE from DATAw, sent as UINT32 + PBYTE
 * The TPM-side layouts are Part 3's; the TCSD ones TrouSerS' (tcsd_ordinals.c).
 */
struct transport_wrap {
	uint32_t tcsd_ord;
	uint32_t tpm_ord;
	const char *in;
	const char *out;
	bool no_data;		/* TPM_OIAP, TPM_OSAP: Part 3 §24.2 step 4.c */
	/*
	 * Sent unwrapped when the session encrypts, unless it is exclusive: a TCS
	 * that never saw the key's blob in clear cannot reload the key (ours and
	 * TrouSerS' then move it out with SaveKeyContext only, and lose it in a
	 * TPM reset), and the blob is no secret (its private part is wrapped by
	 * the parent; the HMAC protects the rest).
	 */
	bool clear_if_encrypted;
};

static const struct transport_wrap transport_wraps[] = {
	{ TCSD_ORD_OIAP, TPM_ORD_OIAP, "", "un", true, false },
	{ TCSD_ORD_OSAP, TPM_ORD_OSAP, "wun", "unn", true, false },
	{ TCSD_ORD_TERMINATEHANDLE, TPM_ORD_Terminate_Handle, "h", "", false, false },
	{ TCSD_ORD_GETRANDOM, TPM_ORD_GetRandom, "u", "B", false, false },
	{ TCSD_ORD_STIRRANDOM, TPM_ORD_StirRandom, "B", "", false, false },
	{ TCSD_ORD_PCRREAD, TPM_ORD_PcrRead, "u", "d", false, false },
	{ TCSD_ORD_EXTEND, TPM_ORD_Extend, "ud", "d", false, false },
	{ TCSD_ORD_PCRRESET, TPM_ORD_PCR_Reset, "b", "", false, false },
	{ TCSD_ORD_GETCAPABILITY, TPM_ORD_GetCapability, "uB", "B", false, false },
	{ TCSD_ORD_READCURRENTTICKS, TPM_ORD_GetTicks, "", "S", false, false },
	{ TCSD_ORD_SELFTESTFULL, TPM_ORD_SelfTestFull, "", "", false, false },
	{ TCSD_ORD_GETTESTRESULT, TPM_ORD_GetTestResult, "", "B", false, false },
	{ TCSD_ORD_DIRREAD, TPM_ORD_DirRead, "u", "d", false, false },
	{ TCSD_ORD_DIRWRITEAUTH, TPM_ORD_DirWriteAuth, "uda", "a", false, false },
	{ TCSD_ORD_OWNERREADPUBEK, TPM_ORD_OwnerReadPubek, "a", "aS", false, false },
	{ TCSD_ORD_GETCAPABILITYOWNER, TPM_ORD_GetCapabilityOwner, "a", "vuua", false, false },
	{ TCSD_ORD_CHANGEAUTHOWNER, TPM_ORD_ChangeAuthOwner, "wewa", "a", false, false },
	{ TCSD_ORD_SEAL, TPM_ORD_Seal, "KeBBa", "aS", false, false },
	{ TCSD_ORD_SEALX, TPM_ORD_Sealx, "KeBBa", "aS", false, false },
	{ TCSD_ORD_UNSEAL, TPM_ORD_Unseal, "Kbaa", "paaB", false, false },
	{ TCSD_ORD_UNBIND, TPM_ORD_UnBind, "KBa", "aB", false, false },
	{ TCSD_ORD_SIGN, TPM_ORD_Sign, "KBa", "aB", false, false },
	{ TCSD_ORD_QUOTE, TPM_ORD_Quote, "Knba", "aCB", false, false },
	{ TCSD_ORD_GETPUBKEY, TPM_ORD_GetPubKey, "Ka", "aS", false, false },
	{ TCSD_ORD_LOADKEYBYBLOB, TPM_ORD_LoadKey2, "Kba", "aH", false, true },
	{ TCSD_ORD_CREATEWRAPKEY, TPM_ORD_CreateWrapKey, "Keeba", "Sa", false, false },
	{ TCSD_ORD_CHANGEAUTH, TPM_ORD_ChangeAuth, "KwewBaa", "aaB", false, false },
	{ TCSD_ORD_NVDEFINEORRELEASESPACE, TPM_ORD_NV_DefineSpace, "bea", "a", false, false },
	{ TCSD_ORD_NVWRITEVALUE, TPM_ORD_NV_WriteValue, "uuBa", "a", false, false },
	{ TCSD_ORD_NVWRITEVALUEAUTH, TPM_ORD_NV_WriteValueAuth, "uuBa", "a", false, false },
	{ TCSD_ORD_NVREADVALUE, TPM_ORD_NV_ReadValue, "uuua", "aB", false, false },
	{ TCSD_ORD_NVREADVALUEAUTH, TPM_ORD_NV_ReadValueAuth, "uuua", "aB", false, false },
};

/* TCS calls that never reach the TPM: never wrapped, allowed in any mode. */
static const uint32_t tcs_only_ords[] = {
	TCSD_ORD_OPENCONTEXT, TCSD_ORD_CLOSECONTEXT, TCSD_ORD_FREEMEMORY,
	TCSD_ORD_TCSGETCAPABILITY, TCSD_ORD_REGISTERKEY, TCSD_ORD_UNREGISTERKEY,
	TCSD_ORD_ENUMREGISTEREDKEYS, TCSD_ORD_ENUMREGISTEREDKEYS2, TCSD_ORD_GETREGISTEREDKEY,
	TCSD_ORD_GETREGISTEREDKEYBLOB, TCSD_ORD_GETREGISTEREDKEYBYPUBLICINFO,
	TCSD_ORD_LOGPCREVENT, TCSD_ORD_GETPCREVENT, TCSD_ORD_GETPCREVENTBYPCR,
	TCSD_ORD_GETPCREVENTLOG, TCSD_ORD_GETCREDENTIAL, TCSD_ORD_ESTABLISHTRANSPORT,
	TCSD_ORD_EXECUTETRANSPORT, TCSD_ORD_RELEASETRANSPORTSIGNED,
};

/* Largest DATAw we build or accept: a TPM 1.2 command is at most 4 KiB. */
#define TRANSPORT_DATA_MAX 4096u

struct transport_session **rpc_transport_slot(struct tspi_ctx *ctx)
{
	return ctx->conn != NULL ? &ctx->conn->trans : NULL;
}

void rpc_transport_bypass(struct tspi_ctx *ctx, int delta)
{
	if (ctx->conn != NULL)
		ctx->conn->trans_bypass += delta;
}

static const struct transport_wrap *wrap_lookup(uint32_t tcsd_ord)
{
	for (size_t i = 0; i < sizeof(transport_wraps) / sizeof(transport_wraps[0]); i++)
		if (transport_wraps[i].tcsd_ord == tcsd_ord)
			return &transport_wraps[i];
	return NULL;
}

static bool tcs_only(uint32_t tcsd_ord)
{
	for (size_t i = 0; i < sizeof(tcs_only_ords) / sizeof(tcs_only_ords[0]); i++)
		if (tcs_only_ords[i] == tcsd_ord)
			return true;
	return false;
}

/* Reads the request we built (strictly) into the wrapped command's parts. */
static int wrap_request(const struct transport_wrap *wr, const uint8_t *pkt, size_t len,
			struct transport_call *call)
{
	struct tcsd_packet_reader r;
	struct buf_writer w;
	uint32_t idx = 0, v32, ctx_handle;
	uint16_t v16;
	const uint8_t *p;
	TPM_NONCE nonce;
	TPM_DIGEST digest;
	TPM_ENCAUTH encauth;
	int rc;

	buf_writer_init_dynamic(&w, TRANSPORT_DATA_MAX);
	if ((rc = tcsd_reader_init(&r, pkt, len, true)) != 0)
		goto out;
	tcsd_get_u32(&r, idx++, &ctx_handle);
	for (const char *op = wr->in; *op != '\0'; op++) {
		switch (*op) {
		case 'K':
		case 'h':
			tcsd_get_u32(&r, idx++, &v32);
			if (call->num_handles >= 2) {
				rc = -EINVAL;
				goto out;
			}
			call->handles[call->num_handles++] = v32;
			call->key_handles = *op == 'K';
			break;
		case 'u':
			tcsd_get_u32(&r, idx++, &v32);
			buf_put_u32(&w, v32);
			break;
		case 'w':
			tcsd_get_u16(&r, idx++, &v16);
			buf_put_u16(&w, v16);
			break;
		case 'n':
			tcsd_get_nonce(&r, idx++, &nonce);
			buf_put_bytes(&w, nonce.nonce, sizeof(nonce.nonce));
			break;
		case 'd':
			tcsd_get_digest(&r, idx++, &digest);
			buf_put_bytes(&w, digest.digest, sizeof(digest.digest));
			break;
		case 'e':
			tcsd_get_encauth(&r, idx++, &encauth);
			buf_put_bytes(&w, encauth.authdata, sizeof(encauth.authdata));
			OPENSSL_cleanse(&encauth, sizeof(encauth));
			break;
		case 'B':
		case 'b':
			tcsd_get_sized_ptr(&r, &idx, &p, &v32, TRANSPORT_DATA_MAX);
			if (*op == 'B')
				buf_put_u32(&w, v32);
			if (tcsd_reader_error(&r) == 0)
				buf_put_bytes(&w, p, v32);
			break;
		case 'a':
			if (tcsd_param_present(&r, idx) && tcsd_param_type(&r, idx) == TCSD_TYPE_AUTH) {
				if (call->num_auth >= 2) {
					rc = -EINVAL;
					goto out;
				}
				tcsd_get_auth_in(&r, idx++, &call->auth[call->num_auth++]);
			}
			break;
		default:
			rc = -EINVAL;
			goto out;
		}
	}
	if ((rc = tcsd_reader_done(&r)) != 0 || (rc = buf_writer_error(&w)) != 0)
		goto out;
	call->data_len = (UINT32)buf_writer_len(&w);
	call->data = buf_writer_steal(&w, NULL);
	if (call->data == NULL && call->data_len != 0)
		rc = -ENOMEM;
out:
	buf_writer_free(&w);
	return rc;
}

/* Builds the TCSD reply the TCS would have sent for this answer. */
static int unwrap_reply(const struct transport_wrap *wr, const struct transport_call *call,
			uint8_t **pkt, size_t *len)
{
	static const TPM_AUTH no_auth;
	struct tcsd_packet_writer w;
	struct buf_reader r, sub;
	uint32_t idx = 0, next_auth = 0, v32;
	const uint8_t *p;
	TPM_NONCE nonce;
	TPM_DIGEST digest;
	int rc;

	if ((rc = tcsd_writer_init_reply(&w, (uint32_t)strlen(wr->out) * 2)) != 0)
		return rc;
	buf_reader_init(&r, call->data, call->data_len);
	for (const char *op = wr->out; *op != '\0'; op++) {
		switch (*op) {
		case 'a':
			if (next_auth < call->num_auth)
				tcsd_put_auth_out(&w, idx++, &call->auth[next_auth++]);
			break;
		case 'p':
			if (call->num_auth < 2)
				tcsd_put_auth_out(&w, idx++, &no_auth);
			break;
		case 'H':
			if (call->num_handles < 1) {
				rc = -EBADMSG;
				goto out;
			}
			tcsd_put_u32(&w, idx++, call->handles[0]);
			break;
		case 'u':
			buf_get_u32(&r, &v32);
			tcsd_put_u32(&w, idx++, v32);
			break;
		case 'n':
			buf_get_bytes(&r, nonce.nonce, sizeof(nonce.nonce));
			tcsd_put_nonce(&w, idx++, &nonce);
			break;
		case 'd':
			buf_get_bytes(&r, digest.digest, sizeof(digest.digest));
			tcsd_put_digest(&w, idx++, &digest);
			break;
		case 'v': {
			TSS_VERSION ver;

			buf_get_u8(&r, &ver.bMajor);
			buf_get_u8(&r, &ver.bMinor);
			buf_get_u8(&r, &ver.bRevMajor);
			buf_get_u8(&r, &ver.bRevMinor);
			tcsd_put_version(&w, idx++, &ver);
			break;
		}
		case 'B':
			buf_get_sized_ptr(&r, &p, &v32, TRANSPORT_DATA_MAX);
			if (buf_reader_error(&r) == 0)
				tcsd_put_sized(&w, &idx, p, v32);
			break;
		case 'S':
			v32 = (uint32_t)buf_remaining(&r);
			buf_get_ptr(&r, &p, v32);
			if (buf_reader_error(&r) == 0)
				tcsd_put_sized(&w, &idx, p, v32);
			break;
		case 'C': {
			/* TPM_PCR_COMPOSITE: a sized selection, then UINT32-sized values. */
			size_t start = r.off;
			uint16_t sel;

			buf_get_u16(&r, &sel);
			buf_skip(&r, sel);
			buf_get_u32(&r, &v32);
			buf_skip(&r, v32);
			if (buf_reader_error(&r) == 0) {
				buf_reader_init(&sub, call->data + start, r.off - start);
				tcsd_put_sized(&w, &idx, sub.data, (uint32_t)sub.len);
			}
			break;
		}
		default:
			rc = -EINVAL;
			goto out;
		}
	}
	if ((rc = buf_reader_done(&r)) != 0) {
		log_error("tspi: wrapped answer to TPM ordinal 0x%x does not parse", wr->tpm_ord);
		goto out;
	}
	rc = tcsd_writer_finish(&w, TSS_SUCCESS, pkt, len);
out:
	tcsd_writer_free(&w);
	return rc;
}

static TSS_RESULT rpc_call_wrapped(struct rpc_msg *m, const struct transport_wrap *wr)
{
	struct transport_call call;
	uint8_t *pkt = NULL, *reply = NULL;
	size_t len = 0, reply_len = 0;
	TSS_RESULT rc;
	int err;

	memset(&call, 0, sizeof(call));
	call.ordinal = wr->tpm_ord;
	call.no_data = wr->no_data;
	call.out_handles = strchr(wr->out, 'H') != NULL ? 1 : 0;
	if ((err = tcsd_writer_finish(&m->w, m->ordinal, &pkt, &len)) != 0 ||
	    (err = wrap_request(wr, pkt, len, &call)) != 0) {
		log_error("tspi: cannot wrap TCSD ordinal %u for the transport session: %s",
			  m->ordinal, strerror(-err));
		rc = err == -ENOMEM ? TSP_ERROR(TSS_E_OUTOFMEMORY) : TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if ((rc = transport_execute(m->ctx, &call)) != TSS_SUCCESS)
		goto out;
	if (call.result != TSS_SUCCESS) {
		/* What the TCS would have answered: the TPM's code, no parameters. */
		rc = call.result;
		goto out;
	}
	if ((err = unwrap_reply(wr, &call, &reply, &reply_len)) != 0 ||
	    (err = tcsd_reader_init(&m->r, reply, reply_len, false)) != 0) {
		rc = TSP_ERROR(TSS_E_COMM_FAILURE);
		goto out;
	}
	m->reply = reply;
	m->reply_len = reply_len;
	reply = NULL;
	m->have_reply = true;
	rc = TSS_SUCCESS;
out:
	if (pkt != NULL) {
		OPENSSL_cleanse(pkt, len);
		free(pkt);
	}
	if (reply != NULL) {
		OPENSSL_cleanse(reply, reply_len);
		free(reply);
	}
	if (call.data != NULL) {
		OPENSSL_cleanse(call.data, call.data_len);
		free(call.data);
	}
	OPENSSL_cleanse(&call, sizeof(call));
	return rc;
}

TSS_RESULT rpc_call(struct rpc_msg *m)
{
	struct tspi_ctx *ctx = m->ctx;
	const struct transport_wrap *wr;

	if (!(ctx->trans_control & RPC_TRANS_ENABLED) || ctx->conn == NULL ||
	    ctx->conn->trans_bypass > 0 || tcs_only(m->ordinal))
		return rpc_call_plain(m);
	if ((wr = wrap_lookup(m->ordinal)) != NULL &&
	    !(wr->clear_if_encrypted &&
	      (ctx->trans_control & TSS_TSPATTRIB_TRANSPORT_DEFAULT_ENCRYPTION) &&
	      !(ctx->trans_control & TSS_TSPATTRIB_TRANSPORT_EXCLUSIVE)))
		return rpc_call_wrapped(m, wr);
	if (wr != NULL)
		return rpc_call_plain(m);
	if (ctx->trans_control & TSS_TSPATTRIB_TRANSPORT_EXCLUSIVE) {
		/* Sent outside the session it would end the exclusive session. */
		log_error("tspi: TCSD ordinal %u (%s) cannot be wrapped in the exclusive "
			  "transport session", m->ordinal, tcsd_ordinal_name(m->ordinal));
		return TSP_ERROR(TSS_E_TSP_TRANS_NOTEXCLUSIVE);
	}
	return rpc_call_plain(m);
}
