/*
 * Our libtspi's TCSD client against a fake tcsd that misbehaves on
 * purpose: error replies, wrong parameter types, more bytes than asked,
 * oversized and truncated packets, a daemon that never answers. The
 * library must turn each into the right TSS result, never crash, never
 * allocate what an oversized header claims, and keep or drop the
 * connection as appropriate. Every request the library sends is also
 * checked with the server's strict header rules (common/tcsd_wire.h).
 *
 * Plain C; no TPM needed.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tcsd_wire.h"
#include "trousers/trousers.h"
#include "tss/tspi.h"

static int checks, failures;

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		checks++;                                                       \
		if (!(cond)) {                                                  \
			failures++;                                             \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);    \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
		}                                                               \
	} while (0)

#define CHECK_RC(expr, want)                                                    \
	do {                                                                    \
		TSS_RESULT rc_ = (expr);                                        \
		CHECK(rc_ == (TSS_RESULT)(want), "%s = 0x%x (%s), want 0x%x", #expr, \
		      rc_, Trspi_Error_String(rc_), (unsigned)(want));          \
	} while (0)

/* What the fake daemon does with the next non-OpenContext request. */
enum mode {
	MODE_OK,		/* a proper GetRandom reply */
	MODE_TCS_ERROR,		/* the 28-byte error reply TrouSerS sends */
	MODE_WRONG_TYPE,	/* PBYTE where the UINT32 length belongs */
	MODE_TOO_MANY,		/* more random bytes than were asked for */
	MODE_HUGE,		/* a header claiming a 2 GiB packet */
	MODE_TRUNCATED,		/* half a packet, then the connection closes */
	MODE_SHORT_HEADER,	/* 10 bytes, then the connection closes */
	MODE_SILENT,		/* no reply at all */
	MODE_OPEN_FAIL,		/* OpenContext itself fails */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static enum mode mode = MODE_OK;
static int bad_requests, requests;
static int listen_fd;

static void set_mode(enum mode m)
{
	pthread_mutex_lock(&lock);
	mode = m;
	pthread_mutex_unlock(&lock);
}

static int read_full(int fd, uint8_t *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		k = read(fd, p, n);
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static void send_packet(int fd, struct tcsd_packet_writer *w, uint32_t result)
{
	uint8_t *pkt = NULL;
	size_t len = 0;

	if (tcsd_writer_finish(w, result, &pkt, &len) == 0 && write(fd, pkt, len) < 0) {
		/* the client went away; nothing to do */
	}
	free(pkt);
	tcsd_writer_free(w);
}

/* Serves one connection until the client closes it or the mode says to drop it. */
static void serve(int fd)
{
	static const uint8_t random_bytes[64] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t hdr[TCSD_HDR_SIZE], *pkt;
	struct tcsd_packet_reader r;
	struct tcsd_packet_writer w;
	struct tcsd_hdr h;
	uint32_t want = 0;
	enum mode m;

	for (;;) {
		if (read_full(fd, hdr, sizeof(hdr)) != 0)
			return;
		if (tcsd_hdr_decode(hdr, sizeof(hdr), &h, true) != 0)
			return;
		pkt = malloc(h.packet_size);
		if (pkt == NULL)
			return;
		memcpy(pkt, hdr, sizeof(hdr));
		if (read_full(fd, pkt + sizeof(hdr), h.packet_size - sizeof(hdr)) != 0) {
			free(pkt);
			return;
		}
		pthread_mutex_lock(&lock);
		requests++;
		if (tcsd_reader_init(&r, pkt, h.packet_size, true) != 0)
			bad_requests++;
		m = mode;
		pthread_mutex_unlock(&lock);

		if (h.ordinal == 1 /* OpenContext */) {
			free(pkt);
			tcsd_writer_init(&w, 2);
			if (m == MODE_OPEN_FAIL) {
				send_packet(fd, &w, TCS_ERROR(TSS_E_FAIL));
				continue;
			}
			tcsd_put_u32(&w, 0, 0x1234);
			tcsd_put_u32(&w, 1, 2);
			send_packet(fd, &w, TSS_SUCCESS);
			continue;
		}
		/* GetRandom: ctx, UINT32 n */
		if (h.ordinal == 44) {
			uint32_t ctx = 0;

			tcsd_get_u32(&r, 0, &ctx);
			tcsd_get_u32(&r, 1, &want);
			if (ctx != 0x1234) {
				pthread_mutex_lock(&lock);
				bad_requests++;
				pthread_mutex_unlock(&lock);
			}
		}
		free(pkt);
		if (want > sizeof(random_bytes))
			want = sizeof(random_bytes);

		switch (m) {
		case MODE_OK:
		case MODE_OPEN_FAIL:
			tcsd_writer_init(&w, 3);
			tcsd_put_u32(&w, 0, want);
			tcsd_put_bytes(&w, 1, random_bytes, want);
			send_packet(fd, &w, TSS_SUCCESS);
			break;
		case MODE_TCS_ERROR: {
			uint8_t err[TCSD_HDR_SIZE];

			tcsd_error_reply(err, TCS_ERROR(TSS_E_FAIL));
			if (write(fd, err, sizeof(err)) < 0)
				return;
			break;
		}
		case MODE_WRONG_TYPE:
			tcsd_writer_init(&w, 3);
			tcsd_put_bytes(&w, 0, random_bytes, 4);
			tcsd_put_u32(&w, 1, want);
			send_packet(fd, &w, TSS_SUCCESS);
			break;
		case MODE_TOO_MANY:
			tcsd_writer_init(&w, 3);
			tcsd_put_u32(&w, 0, want * 2);
			tcsd_put_bytes(&w, 1, random_bytes, want * 2);
			send_packet(fd, &w, TSS_SUCCESS);
			break;
		case MODE_HUGE: {
			uint8_t big[TCSD_HDR_SIZE] = { 0x7f, 0xff, 0xff, 0xff };

			if (write(fd, big, sizeof(big)) < 0)
				return;
			break;
		}
		case MODE_TRUNCATED: {
			uint8_t half[TCSD_HDR_SIZE + 8] = { 0, 0, 0, 100 };

			if (write(fd, half, sizeof(half)) < 0)
				return;
			return;
		}
		case MODE_SHORT_HEADER:
			if (write(fd, "0123456789", 10) < 0)
				return;
			return;
		case MODE_SILENT:
			/* Hold the connection open without answering until the client gives up. */
			while (read(fd, hdr, sizeof(hdr)) > 0)
				;
			return;
		}
	}
}

static void *server_main(void *arg)
{
	int fd;

	for (;;) {
		fd = accept(listen_fd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		serve(fd);
		close(fd);
	}
}

static TSS_HCONTEXT connected(TSS_HTPM *tpm)
{
	TSS_HCONTEXT ctx = 0;

	CHECK_RC(Tspi_Context_Create(&ctx), TSS_SUCCESS);
	CHECK_RC(Tspi_Context_Connect(ctx, NULL), TSS_SUCCESS);
	CHECK_RC(Tspi_Context_GetTpmObject(ctx, tpm), TSS_SUCCESS);
	return ctx;
}

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	struct timespec t0, t1;
	TSS_HCONTEXT ctx;
	pthread_t th;
	TSS_HTPM tpm;
	char port[16];
	BYTE *r;

	signal(SIGPIPE, SIG_IGN);
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&sa, &len) != 0 || listen(listen_fd, 8) != 0) {
		perror("fake tcsd");
		return 1;
	}
	snprintf(port, sizeof(port), "%d", ntohs(sa.sin_port));
	setenv("TSS_TCSD_HOSTNAME", "127.0.0.1", 1);
	setenv("TSS_TCSD_PORT", port, 1);
	setenv("TSS12_TCSD_TIMEOUT", "1", 1);
	pthread_create(&th, NULL, server_main, NULL);

	/* A well-behaved exchange first. */
	ctx = connected(&tpm);
	CHECK_RC(Tspi_TPM_GetRandom(tpm, 16, &r), TSS_SUCCESS);
	CHECK(r != NULL && r[0] == 1 && r[7] == 8, "random bytes from the fake tcsd");

	/* A TCS error passes through unchanged, layer bits and all. */
	set_mode(MODE_TCS_ERROR);
	CHECK_RC(Tspi_TPM_GetRandom(tpm, 16, &r), TCS_ERROR(TSS_E_FAIL));
	/* A reply with the wrong parameter types: communication failure... */
	set_mode(MODE_WRONG_TYPE);
	CHECK_RC(Tspi_TPM_GetRandom(tpm, 16, &r), TSP_ERROR(TSS_E_COMM_FAILURE));
	/* ...but the stream is still in step, so the next call works. */
	set_mode(MODE_OK);
	CHECK_RC(Tspi_TPM_GetRandom(tpm, 16, &r), TSS_SUCCESS);
	/* More bytes than asked for are refused, not copied. */
	set_mode(MODE_TOO_MANY);
	CHECK_RC(Tspi_TPM_GetRandom(tpm, 16, &r), TSP_ERROR(TSS_E_COMM_FAILURE));
	set_mode(MODE_OK);
	CHECK_RC(Tspi_TPM_GetRandom(tpm, 16, &r), TSS_SUCCESS);
	/* A header claiming 2 GiB: refused before any allocation; the connection is done. */
	set_mode(MODE_HUGE);
	CHECK_RC(Tspi_TPM_GetRandom(tpm, 16, &r), TSP_ERROR(TSS_E_COMM_FAILURE));
	set_mode(MODE_OK);
	CHECK_RC(Tspi_TPM_GetRandom(tpm, 16, &r), TSP_ERROR(TSS_E_COMM_FAILURE));
	CHECK_RC(Tspi_Context_Close(ctx), TSS_SUCCESS);

	/* A packet cut short by a closing daemon. */
	ctx = connected(&tpm);
	set_mode(MODE_TRUNCATED);
	CHECK_RC(Tspi_TPM_GetRandom(tpm, 16, &r), TSP_ERROR(TSS_E_COMM_FAILURE));
	CHECK_RC(Tspi_Context_Close(ctx), TSS_SUCCESS);
	set_mode(MODE_OK);
	ctx = connected(&tpm);
	set_mode(MODE_SHORT_HEADER);
	CHECK_RC(Tspi_TPM_GetRandom(tpm, 16, &r), TSP_ERROR(TSS_E_COMM_FAILURE));
	CHECK_RC(Tspi_Context_Close(ctx), TSS_SUCCESS);

	/* A daemon that never answers: given up after TSS12_TCSD_TIMEOUT (1 s). */
	set_mode(MODE_OK);
	ctx = connected(&tpm);
	set_mode(MODE_SILENT);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_RC(Tspi_TPM_GetRandom(tpm, 16, &r), TSP_ERROR(TSS_E_COMM_FAILURE));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec >= 0 && t1.tv_sec - t0.tv_sec <= 5,
	      "timeout took %ld s", (long)(t1.tv_sec - t0.tv_sec));
	CHECK_RC(Tspi_Context_Close(ctx), TSS_SUCCESS);

	/* OpenContext refused: Connect says so and the context stays unconnected. */
	set_mode(MODE_OPEN_FAIL);
	CHECK_RC(Tspi_Context_Create(&ctx), TSS_SUCCESS);
	CHECK_RC(Tspi_Context_Connect(ctx, NULL), TCS_ERROR(TSS_E_FAIL));
	CHECK_RC(Tspi_Context_GetTpmObject(ctx, &tpm), TSP_ERROR(TSS_E_INVALID_HANDLE));
	set_mode(MODE_OK);
	CHECK_RC(Tspi_Context_Connect(ctx, NULL), TSS_SUCCESS);
	CHECK_RC(Tspi_Context_Close(ctx), TSS_SUCCESS);

	pthread_mutex_lock(&lock);
	CHECK(requests > 10 && bad_requests == 0, "%d of %d requests broke the strict header rules",
	      bad_requests, requests);
	pthread_mutex_unlock(&lock);

	printf("%d checks, %d failed\n", checks, failures);
	return failures == 0 && checks > 0 ? 0 : 1;
}
