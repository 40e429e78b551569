/*
 * The character-device backend: a kernel TPM device such as /dev/tpm0,
 * with the semantics of Linux drivers/char/tpm/tpm-dev-common.c: one
 * open file per TPM (a second open gets EBUSY), a command is one write()
 * of the whole command, and the response is one read() of the whole
 * response; the driver returns -EBUSY on a write while a response waits
 * to be read, and discards an unread response after two minutes.
 *
 * The file is opened O_NONBLOCK: since Linux 4.20 a non-blocking write()
 * only queues the command, so the wait for the response is a poll() that
 * honours the deadline and the cancel pipe. (Older kernels run the
 * command inside write(); the deadline then applies to the read only.)
 *
 * Cancel: the Linux driver offers user space no way to stop a TPM 1.2
 * command (TPMIOC_CANCEL never reached mainline). tpmdd_cancel() therefore
 * ends the wait at once and marks the file as owing a response; the next
 * transmit first waits for that late response and discards it, within
 * its own deadline, so it is never taken for the next command's answer.
 * Closing the file instead would block until the command finishes, since
 * the driver flushes its work on release.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "log.h"
#include "tpmdd_backend.h"

#define RC(code) TDDL_ERROR(code)

/* How long to pause after a read() that found no response yet. */
#define DEV_EMPTY_READ_PAUSE_MS 2u

/* What the open file owes us before it can carry the next command. */
enum dev_debt {
	DEV_CLEAN,
	DEV_LATE_RESPONSE,	/* a command was abandoned: its response will come */
	DEV_LEFTOVER,		/* a refused response may have bytes left to read */
	DEV_BROKEN,		/* the device failed: reopen before use */
};

struct dev_state {
	char path[256];
	int fd;
	enum dev_debt debt;

	struct fdio_cancel cancel;	/* shared with tpmdd_cancel()'s thread */
};

/* open(2) failures, as the TDDL reports them and what a user should check. */
static const struct {
	int err;
	TSS_RESULT rc;
	const char *hint;
} dev_open_errors[] = {
	{ ENOENT, TDDL_E_COMPONENT_NOT_FOUND, "no such device (is the TPM driver loaded?)" },
	{ ENXIO, TDDL_E_COMPONENT_NOT_FOUND, "no TPM behind the device node" },
	{ ENODEV, TDDL_E_COMPONENT_NOT_FOUND, "no TPM behind the device node" },
	{ EBUSY, TDDL_E_ALREADY_OPENED, "in use (tcsd or another TSS owns it?)" },
	{ EACCES, TDDL_E_FAIL, "permission denied (run as the tss user or root?)" },
	{ EPERM, TDDL_E_FAIL, "permission denied (run as the tss user or root?)" },
};

static TSS_RESULT dev_reopen(struct dev_state *st)
{
	size_t i;
	int fd, err;

	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	st->debt = DEV_BROKEN;
	fd = open(st->path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0) {
		st->fd = fd;
		st->debt = DEV_CLEAN;
		return TSS_SUCCESS;
	}
	err = errno;
	for (i = 0; i < sizeof(dev_open_errors) / sizeof(dev_open_errors[0]); i++) {
		if (dev_open_errors[i].err == err) {
			log_error("%s: %s", st->path, dev_open_errors[i].hint);
			return RC(dev_open_errors[i].rc);
		}
	}
	log_error("%s: cannot open: %s", st->path, strerror(err));
	return RC(TDDL_E_FAIL);
}

/* Errors of read() and write() on an open device. */
static TSS_RESULT dev_io_error(struct dev_state *st, const char *op, int err)
{
	switch (err) {
	case -ETIMEDOUT:
		log_error("%s: no response in time", st->path);
		st->debt = DEV_LATE_RESPONSE;
		return RC(TDDL_E_TIMEOUT);
	case -ECANCELED:
		log_info("%s: command cancelled", st->path);
		st->debt = DEV_LATE_RESPONSE;
		return RC(TDDL_E_COMMAND_ABORTED);
	default:
		log_error("%s: %s: %s (device gone?)", st->path, op, strerror(-err));
		st->debt = DEV_BROKEN;
		return RC(TDDL_E_IOERROR);
	}
}

/* One read of the whole response, after poll() says it is there. */
static TSS_RESULT dev_receive(struct dev_state *st, BYTE *rsp, size_t rsp_cap,
			      size_t *rsp_len, uint64_t deadline)
{
	size_t size = 0;
	TSS_RESULT rc;
	ssize_t n;
	int err;

	for (;;) {
		if ((err = fdio_wait(st->fd, POLLIN, st->cancel.rd, deadline)) != 0)
			return dev_io_error(st, "read", err);
		n = read(st->fd, rsp, rsp_cap);
		if (n > 0)
			break;
		if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
			return dev_io_error(st, "read", -errno);
		/*
		 * Nothing yet. Linux 4.20 to 5.x reported POLLIN from the moment
		 * a non-blocking command was queued and read() then returns 0,
		 * so pause briefly (still cancellable) instead of spinning.
		 */
		if (n == 0 && fdio_now_ms() >= deadline)
			return dev_io_error(st, "read", -ETIMEDOUT);
		if (n == 0 && (err = fdio_wait(st->cancel.rd, POLLIN, -1,
					       fdio_deadline(DEV_EMPTY_READ_PAUSE_MS))) != -ETIMEDOUT)
			return dev_io_error(st, "read", err == 0 ? -ECANCELED : err);
	}
	/*
	 * The header decides, not the read count: a short read is a
	 * truncated response, a full buffer may hide more bytes.
	 */
	if ((rc = tpmdd_rsp_header_size(rsp, (size_t)n, rsp_cap, &size)) != TSS_SUCCESS ||
	    (rc = tpmdd_rsp_check(rsp, (size_t)n)) != TSS_SUCCESS) {
		log_error("%s: refused a %zd-byte response", st->path, n);
		memset(rsp, 0, (size_t)n);
		st->debt = DEV_LEFTOVER;
		return rc;
	}
	*rsp_len = (size_t)n;
	return TSS_SUCCESS;
}

/* Reads and discards whatever the device owes, within the caller's deadline. */
static TSS_RESULT dev_settle(struct dev_state *st, uint64_t deadline)
{
	BYTE scratch[TPMDD_BUFSIZE];
	size_t len = 0;
	TSS_RESULT rc;
	ssize_t n;

	switch (st->debt) {
	case DEV_CLEAN:
		return TSS_SUCCESS;
	case DEV_BROKEN:
		return dev_reopen(st);
	case DEV_LATE_RESPONSE:
		/* Wait for the abandoned command's response and drop it. */
		rc = dev_receive(st, scratch, sizeof(scratch), &len, deadline);
		if (rc != TSS_SUCCESS && st->debt != DEV_LEFTOVER)
			return rc;
		log_debug("%s: discarded the late response of an abandoned command", st->path);
		break;
	case DEV_LEFTOVER:
		break;
	}
	/* Empty the file without waiting: the rest of a response is already there. */
	for (;;) {
		n = read(st->fd, scratch, sizeof(scratch));
		if (n > 0) {
			log_debug("%s: discarded %zd stale response bytes", st->path, n);
			continue;
		}
		if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		if (errno == EINTR)
			continue;
		return dev_io_error(st, "read", -errno);
	}
	st->debt = DEV_CLEAN;
	return TSS_SUCCESS;
}

/* One write of the whole command: the driver takes commands only whole. */
static TSS_RESULT dev_send(struct dev_state *st, const BYTE *cmd, size_t cmd_len,
			   uint64_t deadline)
{
	ssize_t n;
	int err;

	for (;;) {
		n = write(st->fd, cmd, cmd_len);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EBUSY)
			return dev_io_error(st, "write", -errno);
		/* Busy: an earlier response is still queued; wait for room. */
		if ((err = fdio_wait(st->fd, POLLOUT, st->cancel.rd, deadline)) != 0)
			return dev_io_error(st, "write", err);
	}
	if ((size_t)n != cmd_len) {
		log_error("%s: the device took %zd of %zu command bytes", st->path, n, cmd_len);
		st->debt = DEV_BROKEN;
		return RC(TDDL_E_IOERROR);
	}
	return TSS_SUCCESS;
}

static void dev_close(void *state)
{
	struct dev_state *st = state;

	if (st == NULL)
		return;
	if (st->fd >= 0)
		close(st->fd);
	fdio_cancel_close(&st->cancel);
	free(st);
}

static TSS_RESULT dev_open(const char *arg, void **state)
{
	struct dev_state *st;
	TSS_RESULT rc;
	int err;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return RC(TDDL_E_FAIL);
	st->fd = -1;
	fdio_cancel_init(&st->cancel);

	if (arg == NULL || arg[0] != '/' || strlen(arg) >= sizeof(st->path)) {
		log_error("dev: bad device URI \"dev:%s\"; expected dev:/dev/tpmN",
			  arg != NULL ? arg : "");
		rc = RC(TSS_E_BAD_PARAMETER);
		goto out;
	}
	snprintf(st->path, sizeof(st->path), "%s", arg);
	if ((err = fdio_cancel_open(&st->cancel)) != 0) {
		log_error("%s: pipe: %s", st->path, strerror(-err));
		rc = RC(TDDL_E_FAIL);
		goto out;
	}
	rc = dev_reopen(st);
out:
	if (rc != TSS_SUCCESS) {
		dev_close(st);
		return rc;
	}
	*state = st;
	return TSS_SUCCESS;
}

static TSS_RESULT dev_transmit(void *state, const BYTE *cmd, size_t cmd_len,
			       BYTE *rsp, size_t rsp_cap, size_t *rsp_len,
			       unsigned int timeout_ms)
{
	struct dev_state *st = state;
	uint64_t deadline = fdio_deadline(timeout_ms);
	TSS_RESULT rc;

	*rsp_len = 0;
	fdio_cancel_begin(&st->cancel);

	if ((rc = dev_settle(st, deadline)) != TSS_SUCCESS)
		goto out;
	if ((rc = dev_send(st, cmd, cmd_len, deadline)) != TSS_SUCCESS)
		goto out;
	rc = dev_receive(st, rsp, rsp_cap, rsp_len, deadline);
out:
	if (fdio_cancel_end(&st->cancel) && rc != TSS_SUCCESS)
		rc = RC(TDDL_E_COMMAND_ABORTED);
	return rc;
}

static TSS_RESULT dev_cancel(void *state)
{
	struct dev_state *st = state;
	int err = fdio_cancel_fire(&st->cancel);

	if (err < 0)
		log_warn("%s: cancel pipe: %s", st->path, strerror(-err));
	return TSS_SUCCESS;
}

const struct tpmdd_backend tpmdd_backend_dev = {
	.scheme = "dev",
	.software = false,
	.open = dev_open,
	.close = dev_close,
	.transmit = dev_transmit,
	.cancel = dev_cancel,
};
