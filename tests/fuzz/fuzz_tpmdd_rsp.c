/*
 * libFuzzer target for the TPM response checks of the driver layer:
 * tpmdd_rsp_header_size() and tpmdd_rsp_check() on the raw input, and
 * the stream reader the swtpm backend uses (fdio_read_tpm_response) fed
 * the input through a socket pair, as an emulator would send it.
 *
 * Input: byte 0 chooses the reader's buffer capacity, the rest is the
 * response stream. Whatever it holds, a response that is accepted must
 * agree with its own header (a response tag, 10 <= paramSize <= cap,
 * exactly paramSize bytes), and the reader must not write past cap (the
 * buffer is a heap block of exactly cap bytes, under AddressSanitizer).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdio.h"
#include "log.h"
#include "tpmdd_backend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool response_tag(const uint8_t *p)
{
	uint16_t tag = (uint16_t)(p[0] << 8 | p[1]);

	return tag == 0x00C4 || tag == 0x00C5 || tag == 0x00C6;
}

/* Aborts unless msg[0..len) is a response consistent with its header. */
static void assert_consistent(const uint8_t *msg, size_t len, size_t cap)
{
	if (len < 10 || len > cap || !response_tag(msg) || be32(msg + 2) != len)
		abort();
}

static void check_pure(const uint8_t *p, size_t n)
{
	static const size_t caps[] = { 0, 9, 10, 11, 64, 4096, SIZE_MAX };
	size_t size = 0;

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (tpmdd_rsp_header_size(p, n, caps[i], &size) == TSS_SUCCESS) {
			if (n < 10 || !response_tag(p) || size != be32(p + 2) ||
			    size < 10 || size > caps[i])
				abort();
		} else if (size != 0) {
			abort();	/* outputs are zeroed on failure */
		}
	}
	if (tpmdd_rsp_check(p, n) == TSS_SUCCESS)
		assert_consistent(p, n, n);
}

/* The stream reader over a socket pair holding exactly the input. */
static void check_stream(const uint8_t *p, size_t n, size_t cap)
{
	uint8_t *rsp = malloc(cap > 0 ? cap : 1);
	size_t len = 99;
	int sv[2] = { -1, -1 };
	int rc;

	if (rsp == NULL)
		return;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		goto out;
	if (n > 0 && send(sv[1], p, n, MSG_NOSIGNAL) != (ssize_t)n)
		goto out;	/* beyond the socket buffer: not this target's business */
	shutdown(sv[1], SHUT_WR);

	/* Everything is there, then end of file: the deadline never cuts a read short. */
	rc = fdio_read_tpm_response(sv[0], rsp, cap, &len, -1, fdio_deadline(1000));
	if (rc == 0) {
		/* Accepted: consistent, the whole input, copied faithfully. */
		assert_consistent(rsp, len, cap);
		if (len != n || memcmp(rsp, p, len) != 0)
			abort();
	} else {
		if (len != 0)
			abort();
		/* A refusal is either malformed (-EBADMSG) or the input ended (-EPIPE). */
		if (rc != -EBADMSG && rc != -EPIPE)
			abort();
	}
out:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	free(rsp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	size_t cap;

	if (!quiet) {
		log_init("fuzz_tpmdd_rsp", LOG_SINK_NONE, LOG_LVL_ERROR);
		quiet = true;
	}
	if (size < 1)
		return 0;
	/* 0 -> the driver's TPMDD_BUFSIZE; otherwise small caps around the header. */
	cap = data[0] == 0 ? TPMDD_BUFSIZE : data[0];
	check_pure(data + 1, size - 1);
	check_stream(data + 1, size - 1, cap);
	return 0;
}
