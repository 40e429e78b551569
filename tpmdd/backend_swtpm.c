/*
 * The swtpm backend: a TPM 1.2 emulator run as `swtpm socket`, reached over
 * two stream sockets (TCP or Unix):
 *
 * - the data channel carries raw TPM 1.2 command and response bytes;
 * - the control channel carries swtpm's own protocol (swtpm_ioctls(3)):
 *   a 4-byte big-endian command code and its request, answered by a
 *   response that starts with a 4-byte big-endian result.
 *
 * swtpm serves one control client at a time and executes commands in a
 * single thread, so this backend never holds a control connection open:
 * it connects, asks, and disconnects, leaving the channel free for
 * tpmdd_cancel() and for other programs (QEMU, swtpm_ioctl).
 *
 * Resynchronisation rule: whenever an exchange fails halfway (timeout,
 * cancel, malformed response, peer gone), the data connection is closed,
 * so a late or leftover response can never be taken as the answer to the
 * next command; the next transmit reconnects. swtpm's TPM state survives
 * a data reconnect.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "fdio.h"
#include "log.h"
#include "tpmdd_backend.h"

/* Control commands (swtpm include/swtpm/tpm_ioctl.h, enum of CMD_*). */
#define SWTPM_CMD_GET_CAPABILITY	0x01u
#define SWTPM_CMD_INIT			0x02u
#define SWTPM_CMD_GET_TPMESTABLISHED	0x04u
#define SWTPM_CMD_CANCEL_TPM_CMD	0x09u
/* swtpm answers a command that needs a running TPM with this when it is not. */
#define SWTPM_RES_BAD_ORDINAL		0x0Au
/* Capability bits (PTM_CAP_*). */
#define SWTPM_CAP_INIT			(1u << 0)
#define SWTPM_CAP_CANCEL_TPM_CMD	(1u << 5)

/* Bounds for work that no TPM ordinal's duration covers. */
#define SWTPM_OPEN_BUDGET_MS	10000u	/* connect, INIT (loads state) */
#define SWTPM_CANCEL_BUDGET_MS	20u	/* the emulator is busy; don't wait on it */

#define RC(code) TDDL_ERROR(code)

struct swtpm_endpoint {
	bool is_unix;
	char host[256];
	char port[6];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* Why the data connection is closed, which decides how reconnecting is logged. */
enum swtpm_link {
	LINK_NEW,	/* never connected */
	LINK_UP,
	LINK_LOST,	/* the emulator closed it or vanished */
	LINK_RESYNC,	/* we closed it: timeout, cancel, malformed response */
};

struct swtpm_state {
	char desc[300];			/* the URI argument, for messages */
	struct swtpm_endpoint data;
	struct swtpm_endpoint ctrl;
	bool have_ctrl;
	uint32_t caps;
	int data_fd;
	enum swtpm_link link;

	struct fdio_cancel cancel;	/* shared with tpmdd_cancel()'s thread */
};

/* ---- URI parsing ---- */

/* A decimal port 1..65535, exactly the n characters at s. */
static bool parse_port(const char *s, size_t n, char out[6])
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	snprintf(out, 6, "%lu", v);
	return true;
}

static bool copy_field(char *dst, size_t cap, const char *s, size_t n)
{
	if (n == 0 || n >= cap || memchr(s, '\0', n) != NULL)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/*
 * tcp://HOST:PORT[,ctrl=PORT|none]; HOST is a name, an IPv4 address or
 * [IPv6]. ctrl=none: a TPM server with a data channel only (TrouSerS'
 * TCSD_TCP_DEVICE_* setup), which must not need CMD_INIT.
 */
static bool parse_tcp(const char *s, struct swtpm_state *st)
{
	const char *host = s, *host_end, *port, *port_end;

	if (*s == '[') {
		host = s + 1;
		host_end = strchr(host, ']');
		if (host_end == NULL || host_end[1] != ':')
			return false;
		port = host_end + 2;
	} else {
		host_end = strchr(s, ':');
		if (host_end == NULL)
			return false;
		port = host_end + 1;
	}
	if (!copy_field(st->data.host, sizeof(st->data.host), host, (size_t)(host_end - host)))
		return false;
	port_end = port + strcspn(port, ",");
	if (!parse_port(port, (size_t)(port_end - port), st->data.port))
		return false;

	st->ctrl = st->data;
	st->have_ctrl = true;
	if (*port_end == '\0') {
		unsigned long p = strtoul(st->data.port, NULL, 10);

		if (p == 65535)
			return false;
		snprintf(st->ctrl.port, sizeof(st->ctrl.port), "%lu", p + 1);
		return true;
	}
	if (strncmp(port_end, ",ctrl=", 6) != 0)
		return false;
	if (strcmp(port_end + 6, "none") == 0) {
		st->have_ctrl = false;
		return true;
	}
	return parse_port(port_end + 6, strlen(port_end + 6), st->ctrl.port);
}

/*
 * unix:PATH[,ctrl=PATH|none]; without a control channel the emulator
 * must not need CMD_INIT.
 */
static bool parse_unix(const char *s, struct swtpm_state *st)
{
	const char *sep = strstr(s, ",ctrl=");
	size_t n = sep != NULL ? (size_t)(sep - s) : strlen(s);

	st->data.is_unix = true;
	if (!copy_field(st->data.path, sizeof(st->data.path), s, n))
		return false;
	if (sep == NULL || strcmp(sep + 6, "none") == 0)
		return true;
	st->ctrl.is_unix = true;
	st->have_ctrl = true;
	return copy_field(st->ctrl.path, sizeof(st->ctrl.path), sep + 6, strlen(sep + 6));
}

static bool parse_uri(const char *arg, struct swtpm_state *st)
{
	if (strncmp(arg, "tcp://", 6) == 0)
		return parse_tcp(arg + 6, st);
	if (strncmp(arg, "unix:", 5) == 0)
		return parse_unix(arg + 5, st);
	return false;
}

/* ---- errors ---- */

/* A failed connect: is anything there at all? */
static TSS_RESULT connect_error(const struct swtpm_state *st, const char *what, int err)
{
	switch (err) {
	case -ETIMEDOUT:
		log_error("swtpm at %s: connecting the %s channel timed out", st->desc, what);
		return RC(TDDL_E_TIMEOUT);
	case -ECANCELED:
		return RC(TDDL_E_COMMAND_ABORTED);
	default:
		log_error("swtpm at %s: cannot connect the %s channel: %s (is swtpm running?)",
			  st->desc, what, strerror(-err));
		return RC(TDDL_E_COMPONENT_NOT_FOUND);
	}
}

/* A failed read or write on an open connection. */
static TSS_RESULT io_error(const struct swtpm_state *st, const char *what, int err)
{
	switch (err) {
	case -ETIMEDOUT:
		log_error("swtpm at %s: no answer on the %s channel in time", st->desc, what);
		return RC(TDDL_E_TIMEOUT);
	case -ECANCELED:
		log_info("swtpm at %s: command cancelled", st->desc);
		return RC(TDDL_E_COMMAND_ABORTED);
	case -EPIPE:
		log_error("swtpm at %s: the emulator closed the %s channel mid-command "
			  "(did it exit?)", st->desc, what);
		return RC(TDDL_E_IOERROR);
	default:
		log_error("swtpm at %s: %s channel: %s", st->desc, what, strerror(-err));
		return RC(TDDL_E_IOERROR);
	}
}

static int endpoint_connect(const struct swtpm_endpoint *ep, uint64_t deadline, int *fd)
{
	if (ep->is_unix)
		return fdio_connect_unix(ep->path, deadline, fd);
	return fdio_connect_tcp(ep->host, ep->port, deadline, fd);
}

/* ---- control channel ---- */

/*
 * One control command on an open control connection. resp receives the
 * bytes after the result word; they are read only when the result is 0,
 * because swtpm sends just the result word on failure.
 */
static TSS_RESULT ctrl_call(struct swtpm_state *st, int fd, uint32_t cmd,
			    const uint8_t *req, size_t req_len,
			    uint32_t *result, uint8_t *resp, size_t resp_len,
			    int abort_fd, uint64_t deadline)
{
	uint8_t msg[16];
	uint8_t word[4];
	struct buf_writer w;
	struct buf_reader r;
	int err;

	*result = 0;
	buf_writer_init_fixed(&w, msg, sizeof(msg));
	buf_put_u32(&w, cmd);
	buf_put_bytes(&w, req, req_len);
	if (buf_writer_error(&w) != 0)
		return RC(TSS_E_BAD_PARAMETER);

	if ((err = fdio_write_all(fd, msg, buf_writer_len(&w), abort_fd, deadline)) != 0 ||
	    (err = fdio_read_exact(fd, word, sizeof(word), abort_fd, deadline)) != 0)
		return io_error(st, "control", err);
	buf_reader_init(&r, word, sizeof(word));
	buf_get_u32(&r, result);
	if (*result == 0 && resp_len > 0 &&
	    (err = fdio_read_exact(fd, resp, resp_len, abort_fd, deadline)) != 0)
		return io_error(st, "control", err);
	return TSS_SUCCESS;
}

/*
 * Makes sure the emulated TPM is powered on: asks whether it runs (the
 * TPM-established query fails on a stopped TPM) and sends CMD_INIT only
 * if it does not, so opening a handle never resets a TPM that other
 * clients are using. *did_init says whether it was (re)initialised.
 */
static TSS_RESULT ctrl_power_on(struct swtpm_state *st, bool query_caps, bool *did_init,
				uint64_t deadline)
{
	uint8_t caps[4], est[4], flags[4] = { 0, 0, 0, 0 };
	uint32_t result;
	TSS_RESULT rc;
	int fd = -1, err;

	*did_init = false;
	if ((err = endpoint_connect(&st->ctrl, deadline, &fd)) != 0)
		return connect_error(st, "control", err);

	if (query_caps) {
		/*
		 * 8 bytes either way: swtpm up to 0.7 sends a big-endian u64 of
		 * capability bits, later versions a zero result word and a u32.
		 */
		rc = ctrl_call(st, fd, SWTPM_CMD_GET_CAPABILITY, NULL, 0, &result,
			       caps, sizeof(caps), st->cancel.rd, deadline);
		if (rc != TSS_SUCCESS)
			goto out;
		if (result != 0) {
			/* swtpm never fails this; whatever answered is something else. */
			log_error("swtpm at %s: the control channel does not speak swtpm's "
				  "protocol (GET_CAPABILITY gave 0x%x)", st->desc, result);
			rc = RC(TDDL_E_FAIL);
			goto out;
		}
		st->caps = (uint32_t)caps[0] << 24 | (uint32_t)caps[1] << 16 |
			   (uint32_t)caps[2] << 8 | caps[3];
		log_debug("swtpm at %s: control capabilities 0x%08x", st->desc, st->caps);
	}

	rc = ctrl_call(st, fd, SWTPM_CMD_GET_TPMESTABLISHED, NULL, 0, &result,
		       est, sizeof(est), st->cancel.rd, deadline);
	if (rc != TSS_SUCCESS || result == 0)
		goto out;
	if (result != SWTPM_RES_BAD_ORDINAL)
		log_debug("swtpm at %s: TPM-established query gave 0x%x", st->desc, result);

	/* INIT_FLAG_DELETE_VOLATILE stays clear: keep any saved volatile state. */
	rc = ctrl_call(st, fd, SWTPM_CMD_INIT, flags, sizeof(flags), &result,
		       NULL, 0, st->cancel.rd, deadline);
	if (rc != TSS_SUCCESS)
		goto out;
	if (result != 0) {
		log_error("swtpm at %s: CMD_INIT failed with TPM result 0x%x", st->desc, result);
		rc = RC(TDDL_E_FAIL);
		goto out;
	}
	*did_init = true;
out:
	close(fd);
	return rc;
}

/* ---- data channel ---- */

static void data_drop(struct swtpm_state *st, enum swtpm_link why)
{
	if (st->data_fd >= 0)
		close(st->data_fd);
	st->data_fd = -1;
	st->link = why;
}

/* What a failed exchange did to the link: a gone peer or our own resync. */
static enum swtpm_link link_after(TSS_RESULT rc)
{
	return rc == RC(TDDL_E_IOERROR) ? LINK_LOST : LINK_RESYNC;
}

/*
 * Sends one command and reads one response, whose paramSize is checked
 * against rsp_cap before a byte of the body is read (fdio.c). Any failure
 * drops the data connection.
 */
static TSS_RESULT data_exchange(struct swtpm_state *st, const BYTE *cmd, size_t cmd_len,
				BYTE *rsp, size_t rsp_cap, size_t *rsp_len, uint64_t deadline)
{
	TSS_RESULT rc = TSS_SUCCESS;
	int err;

	*rsp_len = 0;
	err = fdio_write_all(st->data_fd, cmd, cmd_len, st->cancel.rd, deadline);
	if (err == 0)
		err = fdio_read_tpm_response(st->data_fd, rsp, rsp_cap, rsp_len, st->cancel.rd,
					     deadline);
	if (err == -EBADMSG) {
		/* tpmdd_rsp_header_size/_check logged what was wrong with it. */
		log_error("swtpm at %s: malformed response refused (buffer %zu bytes)",
			  st->desc, rsp_cap);
		rc = RC(TDDL_E_BADTAG);
	} else if (err != 0) {
		rc = io_error(st, "data", err);
	}
	if (rc != TSS_SUCCESS)
		data_drop(st, link_after(rc));
	return rc;
}

/*
 * (Re)establishes the data connection: control channel first, so a TPM
 * that lost power (a restarted emulator) is powered on before the data
 * connection carries a command. TPM_Startup is left to the core, which
 * sends it when the TPM answers TPM_INVALID_POSTINIT.
 */
static TSS_RESULT reconnect(struct swtpm_state *st, uint64_t deadline)
{
	enum swtpm_link before = st->link;
	bool did_init = false;
	TSS_RESULT rc;
	int fd = -1, err;

	if (st->have_ctrl) {
		rc = ctrl_power_on(st, before == LINK_NEW, &did_init, deadline);
		if (rc != TSS_SUCCESS)
			return rc;
	}
	if ((err = endpoint_connect(&st->data, deadline, &fd)) != 0)
		return connect_error(st, "data", err);
	st->data_fd = fd;
	st->link = LINK_UP;

	if (before != LINK_NEW && did_init)
		log_warn("swtpm at %s restarted; reconnected", st->desc);
	else if (before == LINK_LOST)
		log_info("swtpm at %s closed the connection; reconnected", st->desc);
	else if (before == LINK_RESYNC)
		log_debug("swtpm at %s: data connection reopened", st->desc);
	return TSS_SUCCESS;
}

/* ---- backend interface ---- */

static void swtpm_close(void *state)
{
	struct swtpm_state *st = state;

	if (st == NULL)
		return;
	/* No CMD_SHUTDOWN: the emulator keeps running for its other clients. */
	if (st->data_fd >= 0)
		close(st->data_fd);
	fdio_cancel_close(&st->cancel);
	free(st);
}

static TSS_RESULT swtpm_open(const char *arg, void **state)
{
	struct swtpm_state *st;
	TSS_RESULT rc;
	int err;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return RC(TDDL_E_FAIL);
	st->data_fd = -1;
	st->link = LINK_NEW;
	fdio_cancel_init(&st->cancel);

	if (arg == NULL || strlen(arg) >= sizeof(st->desc) || !parse_uri(arg, st)) {
		log_error("swtpm: bad device URI \"swtpm:%s\"; expected "
			  "swtpm:tcp://HOST:PORT[,ctrl=PORT] or swtpm:unix:PATH[,ctrl=PATH]",
			  arg != NULL ? arg : "");
		rc = RC(TSS_E_BAD_PARAMETER);
		goto out;
	}
	snprintf(st->desc, sizeof(st->desc), "%s", arg);
	if ((err = fdio_cancel_open(&st->cancel)) != 0) {
		log_error("swtpm at %s: pipe: %s", st->desc, strerror(-err));
		rc = RC(TDDL_E_FAIL);
		goto out;
	}

	rc = reconnect(st, fdio_deadline(SWTPM_OPEN_BUDGET_MS));
out:
	if (rc != TSS_SUCCESS) {
		swtpm_close(st);
		return rc;
	}
	*state = st;
	return TSS_SUCCESS;
}

static TSS_RESULT swtpm_transmit(void *state, const BYTE *cmd, size_t cmd_len,
				 BYTE *rsp, size_t rsp_cap, size_t *rsp_len,
				 unsigned int timeout_ms)
{
	struct swtpm_state *st = state;
	uint64_t deadline = fdio_deadline(timeout_ms);
	TSS_RESULT rc;

	*rsp_len = 0;
	fdio_cancel_begin(&st->cancel);

	/*
	 * An idle connection that is readable holds stray bytes or was
	 * closed by the emulator (it exited, or runs with `disconnect`).
	 */
	if (st->data_fd >= 0 && fdio_readable_now(st->data_fd))
		data_drop(st, LINK_LOST);
	if (st->data_fd < 0 && (rc = reconnect(st, deadline)) != TSS_SUCCESS)
		goto out;
	rc = data_exchange(st, cmd, cmd_len, rsp, rsp_cap, rsp_len, deadline);
out:
	if (fdio_cancel_end(&st->cancel) && rc != TSS_SUCCESS)
		rc = RC(TDDL_E_COMMAND_ABORTED);
	return rc;
}

/*
 * Stops the wait at once through the self-pipe, then asks swtpm to
 * cancel. The TPM 1.2 emulator cannot (libtpms answers TPM_FAIL, and
 * swtpm serves the control channel only between commands), so the
 * request is best effort and bounded; what makes the cancel safe is that
 * the aborted transmit drops its data connection, so the late response
 * is discarded with it.
 */
static TSS_RESULT swtpm_cancel(void *state)
{
	struct swtpm_state *st = state;
	uint8_t req[4] = { 0, 0, 0, SWTPM_CMD_CANCEL_TPM_CMD }, result[4];
	uint64_t deadline;
	int fd = -1, fired;

	if ((fired = fdio_cancel_fire(&st->cancel)) < 0)
		log_warn("swtpm at %s: cancel pipe: %s", st->desc, strerror(-fired));
	if (fired == 0 || !st->have_ctrl || !(st->caps & SWTPM_CAP_CANCEL_TPM_CMD))
		return TSS_SUCCESS;
	/* Quietly bounded: a busy emulator answers only after the command. */
	deadline = fdio_deadline(SWTPM_CANCEL_BUDGET_MS);
	if (endpoint_connect(&st->ctrl, deadline, &fd) == 0) {
		if (fdio_write_all(fd, req, sizeof(req), -1, deadline) == 0 &&
		    fdio_read_exact(fd, result, sizeof(result), -1, deadline) == 0)
			log_debug("swtpm at %s: CMD_CANCEL_TPM_CMD gave 0x%02x%02x%02x%02x",
				  st->desc, result[0], result[1], result[2], result[3]);
		close(fd);
	}
	return TSS_SUCCESS;
}

const struct tpmdd_backend tpmdd_backend_swtpm = {
	.scheme = "swtpm",
	.software = true,
	.open = swtpm_open,
	.close = swtpm_close,
	.transmit = swtpm_transmit,
	.cancel = swtpm_cancel,
};
