#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "tpmdd_backend.h"

uint64_t fdio_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t fdio_deadline(unsigned int timeout_ms)
{
	return fdio_now_ms() + timeout_ms;
}

/* Milliseconds left before deadline, as a poll() timeout. */
static int ms_left(uint64_t deadline)
{
	uint64_t now = fdio_now_ms();

	if (now >= deadline)
		return 0;
	if (deadline - now > INT_MAX)
		return INT_MAX;
	return (int)(deadline - now);
}

int fdio_wait(int fd, short events, int abort_fd, uint64_t deadline)
{
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = events },
		{ .fd = abort_fd, .events = POLLIN },
	};
	nfds_t n = abort_fd >= 0 ? 2 : 1;

	for (;;) {
		int left = ms_left(deadline);
		int rc = poll(pfd, n, left);

		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* A cancel wins over a ready descriptor: the caller asked to stop. */
		if (n == 2 && (pfd[1].revents & POLLIN))
			return -ECANCELED;
		if (pfd[0].revents & POLLNVAL)
			return -EBADF;
		/* POLLHUP/POLLERR count as ready: the next read or write reports them. */
		if (pfd[0].revents)
			return 0;
		if (rc == 0 && left == 0)
			return -ETIMEDOUT;
	}
}

int fdio_write_all(int fd, const void *p, size_t n, int abort_fd, uint64_t deadline)
{
	const unsigned char *at = p;
	bool is_socket = true;

	while (n > 0) {
		ssize_t w;
		int rc;

		if (is_socket) {
			w = send(fd, at, n, MSG_NOSIGNAL);
			if (w < 0 && errno == ENOTSOCK) {
				is_socket = false;
				continue;
			}
		} else {
			w = write(fd, at, n);
		}
		if (w > 0) {
			at += w;
			n -= (size_t)w;
			continue;
		}
		if (w == 0)
			return -EPIPE;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if ((rc = fdio_wait(fd, POLLOUT, abort_fd, deadline)) != 0)
			return rc;
	}
	return 0;
}

int fdio_read_exact(int fd, void *p, size_t n, int abort_fd, uint64_t deadline)
{
	unsigned char *at = p;

	while (n > 0) {
		ssize_t r;
		int rc;

		if ((rc = fdio_wait(fd, POLLIN, abort_fd, deadline)) != 0)
			return rc;
		r = read(fd, at, n);
		if (r > 0) {
			at += r;
			n -= (size_t)r;
			continue;
		}
		if (r == 0)
			return -EPIPE;
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			continue;
		return errno == ECONNRESET ? -EPIPE : -errno;
	}
	return 0;
}

bool fdio_readable_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int rc;

	do {
		rc = poll(&pfd, 1, 0);
	} while (rc < 0 && errno == EINTR);
	return rc > 0 && pfd.revents != 0;
}

void fdio_drain(int fd)
{
	unsigned char scratch[64];

	while (read(fd, scratch, sizeof(scratch)) > 0)
		;
}

int fdio_read_tpm_response(int fd, uint8_t *rsp, size_t cap, size_t *len,
			   int abort_fd, uint64_t deadline)
{
	uint8_t hdr[10];	/* tag, paramSize, returnCode (TPM 1.2 Part 1 §6) */
	uint8_t extra;
	size_t size = 0;
	int rc;

	*len = 0;
	if ((rc = fdio_read_exact(fd, hdr, sizeof(hdr), abort_fd, deadline)) != 0)
		return rc;
	if (tpmdd_rsp_header_size(hdr, sizeof(hdr), cap, &size) != TSS_SUCCESS)
		return -EBADMSG;
	memcpy(rsp, hdr, sizeof(hdr));
	if ((rc = fdio_read_exact(fd, rsp + sizeof(hdr), size - sizeof(hdr), abort_fd,
				  deadline)) != 0)
		goto fail;
	if (tpmdd_rsp_check(rsp, size) != TSS_SUCCESS) {
		rc = -EBADMSG;
		goto fail;
	}
	/* Bytes beyond paramSize: the header lied and the stream is out of step. */
	if (fdio_readable_now(fd) && recv(fd, &extra, 1, MSG_PEEK | MSG_DONTWAIT) > 0) {
		rc = -EBADMSG;
		goto fail;
	}
	*len = size;
	return 0;
fail:
	/* Never leave a partial or refused response behind. */
	memset(rsp, 0, size);
	return rc;
}

/* Finishes a non-blocking connect() that returned EINPROGRESS. */
static int connect_finish(int fd, uint64_t deadline)
{
	int err = 0;
	socklen_t len = sizeof(err);
	int rc;

	if ((rc = fdio_wait(fd, POLLOUT, -1, deadline)) != 0)
		return rc;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return -err;
}

static int connect_addr(int family, const struct sockaddr *sa, socklen_t sa_len,
			uint64_t deadline, int *out_fd)
{
	int fd;
	int rc = 0;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, sa, sa_len) < 0) {
		if (errno == EINPROGRESS || errno == EINTR)
			rc = connect_finish(fd, deadline);
		else
			rc = -errno;
	}
	if (rc != 0) {
		close(fd);
		return rc;
	}
	*out_fd = fd;
	return 0;
}

int fdio_connect_tcp(const char *host, const char *port, uint64_t deadline, int *out_fd)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *res = NULL, *ai;
	int rc;

	*out_fd = -1;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		return rc == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
	rc = -ECONNREFUSED;
	/* Try every address the name has; the last failure is the one reported. */
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		rc = connect_addr(ai->ai_family, ai->ai_addr, ai->ai_addrlen, deadline, out_fd);
		if (rc == 0 || rc == -ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	return rc;
}

int fdio_connect_unix(const char *path, uint64_t deadline, int *out_fd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(path);

	*out_fd = -1;
	if (len == 0 || len >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, len);
	return connect_addr(AF_UNIX, (const struct sockaddr *)&sun, sizeof(sun), deadline, out_fd);
}

/* ---- cancellable wait ---- */

void fdio_cancel_init(struct fdio_cancel *c)
{
	pthread_mutex_init(&c->lock, NULL);
	c->in_flight = false;
	c->cancelled = false;
	c->rd = c->wr = -1;
}

int fdio_cancel_open(struct fdio_cancel *c)
{
	int pipefd[2];

	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	c->rd = pipefd[0];
	c->wr = pipefd[1];
	return 0;
}

void fdio_cancel_close(struct fdio_cancel *c)
{
	if (c->rd >= 0)
		close(c->rd);
	if (c->wr >= 0)
		close(c->wr);
	c->rd = c->wr = -1;
	pthread_mutex_destroy(&c->lock);
}

void fdio_cancel_begin(struct fdio_cancel *c)
{
	pthread_mutex_lock(&c->lock);
	fdio_drain(c->rd);	/* a cancel aimed at an earlier command */
	c->cancelled = false;
	c->in_flight = true;
	pthread_mutex_unlock(&c->lock);
}

bool fdio_cancel_end(struct fdio_cancel *c)
{
	bool cancelled;

	pthread_mutex_lock(&c->lock);
	c->in_flight = false;
	cancelled = c->cancelled;
	pthread_mutex_unlock(&c->lock);
	return cancelled;
}

int fdio_cancel_fire(struct fdio_cancel *c)
{
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	if (c->in_flight) {
		c->cancelled = true;
		rc = 1;
		/* A full pipe already holds a byte that ends the wait. */
		if (write(c->wr, "c", 1) < 0 && errno != EAGAIN)
			rc = -errno;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}
