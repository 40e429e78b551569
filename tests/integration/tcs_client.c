/* The wire-level tests' TCSD client (tcs_client.h). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tcs_client.h"

/* A reply waits at most this long for its next bytes: a hung daemon fails the check. */
#define TCS_REPLY_TIMEOUT_MS 15000

int tcs_connect_tcp(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int tcs_connect_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(path);
	int fd;

	if (n >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, n + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int tcs_send_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int recv_all(int fd, void *p, size_t n)
{
	uint8_t *b = p;

	while (n > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&pfd, 1, TCS_REPLY_TIMEOUT_MS) != 1)
			return -1;
		r = recv(fd, b, n, 0);
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

void tcs_reply_free(struct tcs_reply *rp)
{
	free(rp->pkt);
	memset(rp, 0, sizeof(*rp));
}

bool tcs_read_reply(int fd, struct tcs_reply *rp)
{
	uint8_t hdr[TCSD_HDR_SIZE];
	struct tcsd_hdr h;

	memset(rp, 0, sizeof(*rp));
	/* tcsd_hdr_decode bounds packet_size (TCSD_HDR_SIZE..TCSD_MAX_PACKET). */
	if (recv_all(fd, hdr, sizeof(hdr)) != 0 || tcsd_hdr_decode(hdr, sizeof(hdr), &h, false) != 0)
		return false;
	rp->pkt = malloc(h.packet_size);
	if (rp->pkt == NULL)
		return false;
	memcpy(rp->pkt, hdr, sizeof(hdr));
	rp->len = h.packet_size;
	if (recv_all(fd, rp->pkt + TCSD_HDR_SIZE, h.packet_size - TCSD_HDR_SIZE) != 0 ||
	    tcsd_reader_init(&rp->r, rp->pkt, rp->len, false) != 0) {
		tcs_reply_free(rp);
		return false;
	}
	rp->result = tcsd_reader_code(&rp->r);
	rp->ok = true;
	return true;
}

bool tcs_call(int fd, struct tcsd_packet_writer *w, uint32_t ordinal, struct tcs_reply *rp)
{
	uint8_t *pkt = NULL;
	size_t len = 0;
	bool ok;

	memset(rp, 0, sizeof(*rp));
	if (tcsd_writer_finish(w, ordinal, &pkt, &len) != 0) {
		tcsd_writer_free(w);
		return false;
	}
	tcsd_writer_free(w);
	ok = tcs_send_all(fd, pkt, len) == 0 && tcs_read_reply(fd, rp);
	free(pkt);
	return ok;
}
