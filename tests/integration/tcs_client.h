/*
 * A tiny TCSD client for the wire-level tests: connect over TCP or the
 * Unix socket, send a request built with tcsd_wire.h's writer, read and
 * parse the reply. Nothing here judges the reply: the tests do.
 */
#ifndef TSS12_TEST_TCS_CLIENT_H
#define TSS12_TEST_TCS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcsd_wire.h"

struct tcs_reply {
	uint8_t *pkt;			/* the whole packet, header included */
	size_t len;
	struct tcsd_packet_reader r;
	uint32_t result;		/* the reply's result code */
	bool ok;			/* a reply arrived and parsed */
};

/* A connected socket to 127.0.0.1:port / the Unix socket at path, or -1. */
int tcs_connect_tcp(int port);
int tcs_connect_unix(const char *path);

/* Writes all n bytes (no SIGPIPE); 0 or -1. */
int tcs_send_all(int fd, const void *p, size_t n);
/*
 * Reads one reply (15 s at most between bytes); false, and *rp empty, if
 * none arrived or it did not parse.
 */
bool tcs_read_reply(int fd, struct tcs_reply *rp);
/* Finishes w as ordinal, frees it, sends it and reads the reply. */
bool tcs_call(int fd, struct tcsd_packet_writer *w, uint32_t ordinal, struct tcs_reply *rp);
void tcs_reply_free(struct tcs_reply *rp);

#endif
