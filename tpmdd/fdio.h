/*
 * Deadline-bounded I/O on file descriptors, shared by the swtpm and
 * character-device backends. Every wait is a poll() that also watches an
 * optional abort descriptor (the read end of a backend's self-pipe), so
 * tpmdd_cancel() can end it from another thread.
 *
 * Functions return 0 or a negative errno:
 *   -ETIMEDOUT   the deadline passed
 *   -ECANCELED   the abort descriptor became readable
 *   -EPIPE       the peer closed the connection (end of file)
 *   other        what the system call reported
 * Internal to tpmdd/.
 */
#ifndef TSS12_FDIO_H
#define TSS12_FDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Milliseconds on CLOCK_MONOTONIC. */
uint64_t fdio_now_ms(void);
/* The absolute deadline timeout_ms from now. */
uint64_t fdio_deadline(unsigned int timeout_ms);

/* Waits for events on fd; abort_fd < 0 means none. */
int fdio_wait(int fd, short events, int abort_fd, uint64_t deadline);

/* Writes all n bytes (send with MSG_NOSIGNAL on sockets, write otherwise). */
int fdio_write_all(int fd, const void *p, size_t n, int abort_fd, uint64_t deadline);

/* Reads exactly n bytes from a stream; -EPIPE if it ends first. */
int fdio_read_exact(int fd, void *p, size_t n, int abort_fd, uint64_t deadline);

/*
 * True when fd is readable right now (data or end of file): on an idle
 * request/response stream that means stray bytes or a closed peer.
 */
bool fdio_readable_now(int fd);

/* Empties a non-blocking descriptor (a self-pipe) without waiting. */
void fdio_drain(int fd);

/*
 * Reads one TPM response from a stream: the 10-byte header first, its
 * paramSize checked by tpmdd_rsp_header_size() against cap before any
 * byte of the body is read into rsp, then the body, then a check that
 * no byte follows (a header that lies about its length). Returns 0, or
 * -EBADMSG for a refused response (rsp zeroed up to what was read), or
 * an I/O error as above. *len is set only on success.
 */
int fdio_read_tpm_response(int fd, uint8_t *rsp, size_t cap, size_t *len,
			   int abort_fd, uint64_t deadline);

/* Non-blocking, close-on-exec stream connections, bounded by deadline. */
int fdio_connect_tcp(const char *host, const char *port, uint64_t deadline, int *out_fd);
int fdio_connect_unix(const char *path, uint64_t deadline, int *out_fd);

#endif /* TSS12_FDIO_H */
