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

#include <pthread.h>
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

/*
 * A cancellable wait: what a backend shares with tpmdd_cancel()'s thread.
 * The read end of a self-pipe is the abort descriptor every fdio wait of
 * the command in flight watches; a byte written to it ends that wait.
 * The flags say whether a command is in flight and whether it was
 * cancelled, under the lock, so that a cancel never hits the next command.
 */
struct fdio_cancel {
	pthread_mutex_t lock;
	bool in_flight;
	bool cancelled;
	int rd, wr;		/* the self-pipe; rd is the abort_fd to wait with */
};

/* The lock, no pipe yet (both ends -1): fdio_cancel_close() is safe from here on. */
void fdio_cancel_init(struct fdio_cancel *c);
/* Creates the non-blocking, close-on-exec pipe: 0 or a negative errno. */
int fdio_cancel_open(struct fdio_cancel *c);
/* Closes the pipe and destroys the lock. */
void fdio_cancel_close(struct fdio_cancel *c);
/* Before a command: forgets a cancel aimed at an earlier one; one is in flight now. */
void fdio_cancel_begin(struct fdio_cancel *c);
/* After it: none in flight any more; true when it was cancelled meanwhile. */
bool fdio_cancel_end(struct fdio_cancel *c);
/*
 * From another thread: cancels the command in flight and ends its wait.
 * 1 when one was in flight, 0 when none was (nothing done), a negative
 * errno when the pipe could not be written (the command is marked
 * cancelled all the same).
 */
int fdio_cancel_fire(struct fdio_cancel *c);

/* Non-blocking, close-on-exec stream connections, bounded by deadline. */
int fdio_connect_tcp(const char *host, const char *port, uint64_t deadline, int *out_fd);
int fdio_connect_unix(const char *path, uint64_t deadline, int *out_fd);

#endif /* TSS12_FDIO_H */
