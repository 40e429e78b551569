#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fake_tpm.h"

#define ORD_GET_CAPABILITY	0x65u
#define CMD_MAX			4096u

/* swtpm control commands answered here (swtpm_ioctls(3)). */
#define CTRL_GET_CAPABILITY	1u
#define CTRL_INIT		2u
#define CTRL_GET_TPMESTABLISHED	4u
#define CTRL_CANCEL_TPM_CMD	9u

struct fake_tpm {
	bool is_pty;
	char uri[128];
	pthread_t thread;
	int stop_rd, stop_wr;

	/* swtpm transport */
	int data_lfd, ctrl_lfd, data_fd, ctrl_fd;
	/* pty transport */
	int master_fd, slave_fd;
	uint8_t pending[CMD_MAX + 16];	/* a command arriving in pieces */
	size_t pending_len;

	pthread_mutex_t lock;
	enum fake_fault armed;
	bool running;			/* CMD_INIT seen */
	unsigned int commands, connections, inits;
};

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static bool write_all(int fd, const void *p, size_t n)
{
	const uint8_t *at = p;

	while (n > 0) {
		ssize_t w = send(fd, at, n, MSG_NOSIGNAL);

		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, at, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		at += w;
		n -= (size_t)w;
	}
	return true;
}

static bool read_all(int fd, void *p, size_t n)
{
	uint8_t *at = p;

	while (n > 0) {
		ssize_t r = read(fd, at, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		at += r;
		n -= (size_t)r;
	}
	return true;
}

/* ---- responses ---- */

static size_t build_response(enum fake_fault fault, uint32_t seq, uint8_t *out, size_t cap,
			     bool is_pty)
{
	static const char garbage[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	struct buf_writer w;
	uint16_t tag = 0x00C4;
	uint32_t size = FAKE_TPM_GOOD_LEN;
	size_t body = FAKE_TPM_GOOD_LEN - 10 - 4;

	switch (fault) {
	case FAKE_GARBAGE:
		memcpy(out, garbage, sizeof(garbage) - 1);
		return sizeof(garbage) - 1;
	case FAKE_WRONG_TAG:
		tag = 0x00C1;
		break;
	case FAKE_OVERSIZED:
		size = 5000;
		/* A stream gets every byte the header promises; a pty only a few. */
		body = is_pty ? body : 5000 - 10 - 4;
		break;
	case FAKE_HUGE_SIZE:
		size = 0xFFFFFFFFu;
		break;
	case FAKE_SIZE_BELOW_HEADER:
		size = 6;
		break;
	case FAKE_SIZE_SMALLER:
		size = 20;
		break;
	default:
		break;
	}
	buf_writer_init_fixed(&w, out, cap);
	buf_put_u16(&w, tag);
	buf_put_u32(&w, size);
	buf_put_u32(&w, 0);
	buf_put_u32(&w, 16);
	buf_put_u32(&w, seq);
	for (size_t i = 4; i < body; i++)
		buf_put_u8(&w, FAKE_TPM_GOOD_BYTE);
	if (buf_writer_error(&w) != 0)
		return 0;
	switch (fault) {
	case FAKE_TRUNCATED_CLOSE:
	case FAKE_TRUNCATED_STALL:
		return 20;
	case FAKE_SHORT_HEADER:
		return 6;
	default:
		return buf_writer_len(&w);
	}
}

/* TPM_CAP_PROP_DURATION: SHORT, MEDIUM, LONG in microseconds. */
static size_t build_durations(uint8_t *out, size_t cap)
{
	struct buf_writer w;

	buf_writer_init_fixed(&w, out, cap);
	buf_put_u16(&w, 0x00C4);
	buf_put_u32(&w, 10 + 4 + 12);
	buf_put_u32(&w, 0);
	buf_put_u32(&w, 12);
	buf_put_u32(&w, FAKE_TPM_SHORT_MS * 1000u);
	buf_put_u32(&w, FAKE_TPM_SHORT_MS * 1000u);
	buf_put_u32(&w, FAKE_TPM_LONG_MS * 1000u);
	return buf_writer_error(&w) == 0 ? buf_writer_len(&w) : 0;
}

/*
 * Answers one whole command on fd. Returns false when the connection
 * is to be closed afterwards.
 */
static bool answer(struct fake_tpm *f, int fd, const uint8_t *cmd, size_t len)
{
	uint8_t rsp[6000];
	struct buf_reader r;
	uint32_t ordinal = 0;
	enum fake_fault fault = FAKE_GOOD;
	uint32_t seq;
	size_t n;

	buf_reader_init(&r, cmd, len);
	buf_skip(&r, 6);
	buf_get_u32(&r, &ordinal);

	pthread_mutex_lock(&f->lock);
	seq = ++f->commands;
	if (ordinal != ORD_GET_CAPABILITY) {
		fault = f->armed;
		f->armed = FAKE_GOOD;
	}
	pthread_mutex_unlock(&f->lock);

	if (ordinal == ORD_GET_CAPABILITY)
		n = build_durations(rsp, sizeof(rsp));
	else
		n = build_response(fault, seq, rsp, sizeof(rsp), f->is_pty);
	if (fault == FAKE_SILENT)
		return true;
	if (fault == FAKE_LATE)
		sleep_ms(2 * FAKE_TPM_SHORT_MS);
	/* One write: on the pty that keeps a response in one read(). */
	if (!write_all(fd, rsp, n))
		return false;
	return fault != FAKE_TRUNCATED_CLOSE;
}

/* ---- swtpm transport ---- */

static void ctrl_serve(struct fake_tpm *f)
{
	uint8_t word[4], out[8] = { 0 }, flags[4];
	struct buf_reader r;
	struct buf_writer w;
	uint32_t cmd = 0;
	size_t n = 4;

	if (!read_all(f->ctrl_fd, word, sizeof(word))) {
		close_fd(&f->ctrl_fd);
		return;
	}
	buf_reader_init(&r, word, sizeof(word));
	buf_get_u32(&r, &cmd);
	buf_writer_init_fixed(&w, out, sizeof(out));
	pthread_mutex_lock(&f->lock);
	switch (cmd) {
	case CTRL_GET_CAPABILITY:
		buf_put_u32(&w, 0);
		buf_put_u32(&w, 0x7FFF);
		n = 8;
		break;
	case CTRL_GET_TPMESTABLISHED:
		buf_put_u32(&w, f->running ? 0 : 0x0A);	/* TPM_BAD_ORDINAL when stopped */
		n = f->running ? 8 : 4;
		break;
	case CTRL_INIT:
		if (!read_all(f->ctrl_fd, flags, sizeof(flags)))
			n = 0;
		f->running = true;
		f->inits++;
		buf_put_u32(&w, 0);
		break;
	case CTRL_CANCEL_TPM_CMD:
		buf_put_u32(&w, 0x09);	/* TPM_FAIL, as libtpms' TPM 1.2 answers */
		break;
	default:
		n = 0;
		break;
	}
	pthread_mutex_unlock(&f->lock);
	if (n == 0 || !write_all(f->ctrl_fd, out, n))
		close_fd(&f->ctrl_fd);
}

static void data_serve(struct fake_tpm *f)
{
	uint8_t cmd[CMD_MAX];
	struct buf_reader r;
	uint32_t size = 0;

	if (!read_all(f->data_fd, cmd, 10)) {
		close_fd(&f->data_fd);
		return;
	}
	buf_reader_init(&r, cmd, 10);
	buf_skip(&r, 2);
	buf_get_u32(&r, &size);
	if (size < 10 || size > sizeof(cmd) || !read_all(f->data_fd, cmd + 10, size - 10) ||
	    !answer(f, f->data_fd, cmd, size))
		close_fd(&f->data_fd);
}

static void *swtpm_thread(void *arg)
{
	struct fake_tpm *f = arg;

	for (;;) {
		struct pollfd p[5] = {
			{ .fd = f->stop_rd, .events = POLLIN },
			{ .fd = f->data_fd < 0 ? f->data_lfd : -1, .events = POLLIN },
			{ .fd = f->ctrl_fd < 0 ? f->ctrl_lfd : -1, .events = POLLIN },
			{ .fd = f->data_fd, .events = POLLIN },
			{ .fd = f->ctrl_fd, .events = POLLIN },
		};

		if (poll(p, 5, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN) {
			f->data_fd = accept4(f->data_lfd, NULL, NULL, SOCK_CLOEXEC);
			pthread_mutex_lock(&f->lock);
			f->connections++;
			pthread_mutex_unlock(&f->lock);
		}
		if (p[2].revents & POLLIN)
			f->ctrl_fd = accept4(f->ctrl_lfd, NULL, NULL, SOCK_CLOEXEC);
		if (p[3].revents)
			data_serve(f);
		if (p[4].revents)
			ctrl_serve(f);
	}
	return NULL;
}

static int listen_loopback(int *port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

static struct fake_tpm *fake_new(bool is_pty)
{
	struct fake_tpm *f = calloc(1, sizeof(*f));
	int pipefd[2];

	if (f == NULL)
		return NULL;
	f->is_pty = is_pty;
	f->data_lfd = f->ctrl_lfd = f->data_fd = f->ctrl_fd = -1;
	f->master_fd = f->slave_fd = -1;
	pthread_mutex_init(&f->lock, NULL);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		free(f);
		return NULL;
	}
	f->stop_rd = pipefd[0];
	f->stop_wr = pipefd[1];
	return f;
}

static void fake_free(struct fake_tpm *f)
{
	close_fd(&f->data_lfd);
	close_fd(&f->ctrl_lfd);
	close_fd(&f->data_fd);
	close_fd(&f->ctrl_fd);
	close_fd(&f->master_fd);
	close_fd(&f->slave_fd);
	close_fd(&f->stop_rd);
	close_fd(&f->stop_wr);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

struct fake_tpm *fake_tpm_start_swtpm(void)
{
	struct fake_tpm *f = fake_new(false);
	int data_port = 0, ctrl_port = 0;

	if (f == NULL)
		return NULL;
	f->data_lfd = listen_loopback(&data_port);
	f->ctrl_lfd = listen_loopback(&ctrl_port);
	if (f->data_lfd < 0 || f->ctrl_lfd < 0) {
		fprintf(stderr, "fake_tpm: cannot listen on loopback: %s\n", strerror(errno));
		fake_free(f);
		return NULL;
	}
	/* Arbitrary ports: the explicit ctrl= form of the URI. */
	snprintf(f->uri, sizeof(f->uri), "swtpm:tcp://127.0.0.1:%d,ctrl=%d", data_port, ctrl_port);
	if (pthread_create(&f->thread, NULL, swtpm_thread, f) != 0) {
		fake_free(f);
		return NULL;
	}
	return f;
}

/* ---- pty transport ---- */

static void pty_serve(struct fake_tpm *f)
{
	struct buf_reader r;
	uint32_t size = 0;
	ssize_t n;

	n = read(f->master_fd, f->pending + f->pending_len, sizeof(f->pending) - f->pending_len);
	if (n <= 0)
		return;
	f->pending_len += (size_t)n;
	/* A command may arrive in pieces; answer once it is whole. */
	while (f->pending_len >= 10) {
		buf_reader_init(&r, f->pending, f->pending_len);
		buf_skip(&r, 2);
		buf_get_u32(&r, &size);
		if (size < 10 || size > CMD_MAX) {
			f->pending_len = 0;
			return;
		}
		if (f->pending_len < size)
			return;
		answer(f, f->master_fd, f->pending, size);
		memmove(f->pending, f->pending + size, f->pending_len - size);
		f->pending_len -= size;
	}
}

static void *pty_thread(void *arg)
{
	struct fake_tpm *f = arg;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = f->stop_rd, .events = POLLIN },
			{ .fd = f->master_fd, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN)
			pty_serve(f);
		else if (p[1].revents)
			sleep_ms(10);	/* hung up: wait to be stopped */
	}
	return NULL;
}

struct fake_tpm *fake_tpm_start_pty(void)
{
	struct fake_tpm *f = fake_new(true);
	struct termios tio;
	const char *name;

	if (f == NULL)
		return NULL;
	f->master_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (f->master_fd < 0 || grantpt(f->master_fd) < 0 || unlockpt(f->master_fd) < 0 ||
	    (name = ptsname(f->master_fd)) == NULL) {
		fprintf(stderr, "fake_tpm: no pseudo-terminal: %s\n", strerror(errno));
		fake_free(f);
		return NULL;
	}
	snprintf(f->uri, sizeof(f->uri), "dev:%s", name);
	/*
	 * Raw mode on the slave: no echo, no line editing, no byte
	 * translation, so TPM bytes pass untouched. Keeping this slave fd
	 * open keeps the terminal alive while the backend reopens it.
	 */
	f->slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (f->slave_fd < 0 || tcgetattr(f->slave_fd, &tio) < 0) {
		fprintf(stderr, "fake_tpm: %s: %s\n", name, strerror(errno));
		fake_free(f);
		return NULL;
	}
	cfmakeraw(&tio);
	if (tcsetattr(f->slave_fd, TCSANOW, &tio) < 0 ||
	    pthread_create(&f->thread, NULL, pty_thread, f) != 0) {
		fake_free(f);
		return NULL;
	}
	return f;
}

/* ---- common ---- */

void fake_tpm_stop(struct fake_tpm *f)
{
	if (f == NULL)
		return;
	if (write(f->stop_wr, "x", 1) == 1)
		pthread_join(f->thread, NULL);
	fake_free(f);
}

const char *fake_tpm_uri(const struct fake_tpm *f)
{
	return f->uri;
}

void fake_tpm_arm(struct fake_tpm *f, enum fake_fault fault)
{
	pthread_mutex_lock(&f->lock);
	f->armed = fault;
	pthread_mutex_unlock(&f->lock);
}

static unsigned int counter(struct fake_tpm *f, const unsigned int *c)
{
	unsigned int v;

	pthread_mutex_lock(&f->lock);
	v = *c;
	pthread_mutex_unlock(&f->lock);
	return v;
}

unsigned int fake_tpm_commands(struct fake_tpm *f)
{
	return counter(f, &f->commands);
}

unsigned int fake_tpm_connections(struct fake_tpm *f)
{
	return counter(f, &f->connections);
}

unsigned int fake_tpm_inits(struct fake_tpm *f)
{
	return counter(f, &f->inits);
}

void fake_tpm_unplug(struct fake_tpm *f)
{
	/* Stop the thread first: it owns the descriptors while it runs. */
	if (write(f->stop_wr, "x", 1) == 1)
		pthread_join(f->thread, NULL);
	if (f->is_pty) {
		close_fd(&f->master_fd);
		close_fd(&f->slave_fd);
	} else {
		close_fd(&f->data_lfd);
		close_fd(&f->ctrl_lfd);
		close_fd(&f->data_fd);
		close_fd(&f->ctrl_fd);
	}
	/* fake_tpm_stop() then has no thread to stop. */
	close_fd(&f->stop_wr);
}
