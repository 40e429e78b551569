/*
 * The interface between the tpmdd core (tpmdd.c: locking, deadlines,
 * response validation, start-up handling) and a backend that moves bytes
 * to one kind of TPM. Internal to tpmdd/.
 */
#ifndef TSS12_TPMDD_BACKEND_H
#define TSS12_TPMDD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "tpmdd.h"

struct tpmdd_backend {
	const char *scheme;	/* URI scheme, without the colon */
	bool software;

	/* arg is the URI after "scheme:". */
	TSS_RESULT (*open)(const char *arg, void **state);
	void (*close)(void *state);

	/*
	 * Sends one whole command and receives one whole response of at most
	 * rsp_cap bytes, failing with TDDL_E_TIMEOUT after timeout_ms. The
	 * backend reads the response header first and refuses a paramSize
	 * that is below 10 or above rsp_cap before it reads the body. Called
	 * with the core's lock held: never concurrently with itself.
	 */
	TSS_RESULT (*transmit)(void *state, const BYTE *cmd, size_t cmd_len,
			       BYTE *rsp, size_t rsp_cap, size_t *rsp_len,
			       unsigned int timeout_ms);

	/*
	 * Called from another thread while transmit may be running: make
	 * that transmit return TDDL_E_COMMAND_ABORTED promptly and leave the
	 * backend able to carry the next command. Must not block on the
	 * core's lock.
	 */
	TSS_RESULT (*cancel)(void *state);

	/*
	 * Optional (may be NULL). Forgets a cancel request. The core calls it
	 * before each command, while no cancel can arrive, so a backend that
	 * has it keeps a cancel that lands just before its transmit starts
	 * (and must not reset its flag itself).
	 */
	void (*cancel_clear)(void *state);
};

/*
 * Response checks shared by the core and the backends (tpmdd.c).
 * tpmdd_rsp_header_size: from the first 10 bytes of a response, the
 * paramSize it announces, refused (TDDL_E_BADTAG) unless the tag is a
 * response tag and 10 <= paramSize <= cap. Stream backends call it before
 * reading the body. tpmdd_rsp_check: a complete response of len bytes is
 * consistent with its own header.
 */
TSS_RESULT tpmdd_rsp_header_size(const BYTE *hdr, size_t hdr_len, size_t cap, size_t *size);
TSS_RESULT tpmdd_rsp_check(const BYTE *rsp, size_t len);

/*
 * Command checks done by the core before a backend sees a command: at
 * least 10 bytes, at most TPMDD_BUFSIZE, a request tag, and a paramSize
 * equal to cmd_len. Gives the ordinal. TDDL_ERROR(TSS_E_BAD_PARAMETER)
 * otherwise.
 */
TSS_RESULT tpmdd_cmd_check(const BYTE *cmd, size_t cmd_len, UINT32 *ordinal);

/*
 * Splits a URI into its backend and the backend's argument (a pointer
 * into uri). TDDL_ERROR(TSS_E_BAD_PARAMETER), logged with the accepted
 * forms, for anything else.
 */
TSS_RESULT tpmdd_uri_parse(const char *uri, const struct tpmdd_backend **backend,
			   const char **arg);

/*
 * Opens a handle on an explicit backend (tpmdd_open after parsing);
 * unit tests use it with a scripted backend.
 */
TSS_RESULT tpmdd_open_backend(const struct tpmdd_backend *backend, const char *arg,
			      const char *uri, struct tpmdd **out);

extern const struct tpmdd_backend tpmdd_backend_libtpms;
extern const struct tpmdd_backend tpmdd_backend_swtpm;
extern const struct tpmdd_backend tpmdd_backend_dev;

#endif /* TSS12_TPMDD_BACKEND_H */
