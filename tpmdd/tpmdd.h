/*
 * tpmdd: the TPM driver layer. One handle per TPM; the semantics are those
 * of the Linux TPM character driver (drivers/char/tpm/tpm-dev-common.c):
 * exactly one command in flight per handle, a response is returned only to
 * the thread that sent its command, the response length is checked against
 * its header before anyone reads it, and every command has a deadline
 * derived from its ordinal's duration class.
 *
 * URIs:
 *   dev:/dev/tpm0                         a kernel TPM character device
 *   swtpm:tcp://HOST:PORT[,ctrl=PORT|none] swtpm socket; control on PORT+1
 *   swtpm:unix:PATH[,ctrl=PATH]            swtpm over Unix sockets
 *   libtpms:STATEDIR                       TPM 1.2 in-process (libtpms)
 *
 * Every function returns TSS_SUCCESS or TDDL_ERROR(TDDL_E_*) (tddl_error.h):
 *   TDDL_E_COMPONENT_NOT_FOUND  no such device / nothing listening
 *   TDDL_E_ALREADY_OPENED       device or state directory in use
 *   TDDL_E_TIMEOUT              the TPM did not answer within its duration
 *   TDDL_E_BADTAG               malformed response (tag, length, size)
 *   TDDL_E_IOERROR              the device went away mid-command
 *   TDDL_E_COMMAND_ABORTED      tpmdd_cancel() stopped the command
 *   TDDL_E_INSUFFICIENT_BUFFER  response larger than the caller's buffer
 *   TDDL_E_BAD_PARAMETER        (TSS_E_BAD_PARAMETER) bad URI or arguments
 * Failures are logged once through common/log.h with the reason.
 */
#ifndef TSS12_TPMDD_H
#define TSS12_TPMDD_H

#include <stdbool.h>
#include <stddef.h>

#include <tss/platform.h>
#include <tss/tss_typedef.h>
#include <tss/tddl_error.h>

/* Largest command or response the layer moves (Linux TPM_BUFSIZE). */
#define TPMDD_BUFSIZE 4096

struct tpmdd;

TSS_RESULT tpmdd_open(const char *uri, struct tpmdd **out);
void tpmdd_close(struct tpmdd *tpm);

/*
 * Sends cmd (a complete TPM 1.2 command) and receives the complete
 * response into rsp, whose capacity is *rsp_len on entry and whose used
 * length is *rsp_len on return. Thread-safe: concurrent callers queue.
 */
TSS_RESULT tpmdd_transmit(struct tpmdd *tpm, const BYTE *cmd, size_t cmd_len,
			  BYTE *rsp, size_t *rsp_len);

/*
 * Asks the command in flight, if any, to stop; callable from any thread.
 * The waiting tpmdd_transmit() returns TDDL_E_COMMAND_ABORTED promptly.
 * With nothing in flight it does nothing and returns
 * TDDL_ERROR(TDDL_E_COMMAND_COMPLETED) (as TSS 1.2 Tddli_Cancel). A TPM
 * that cannot abort (libtpms) finishes the command in the background:
 * its effects stay, its response is dropped, the next command waits.
 */
TSS_RESULT tpmdd_cancel(struct tpmdd *tpm);

/* "libtpms", "swtpm" or "dev"; the URI the handle was opened with. */
const char *tpmdd_backend_name(const struct tpmdd *tpm);
const char *tpmdd_uri(const struct tpmdd *tpm);
/* True for emulators (libtpms, swtpm): callers warn users about it. */
bool tpmdd_is_software(const struct tpmdd *tpm);

/*
 * The command durations in use, in microseconds (SHORT, MEDIUM, LONG),
 * and whether the TPM reported them (false: documented defaults).
 */
void tpmdd_get_durations(const struct tpmdd *tpm, UINT32 us[3], bool *from_tpm);

/* A short English description of a TDDL result, for messages. */
const char *tpmdd_strerror(TSS_RESULT rc);

#endif /* TSS12_TPMDD_H */
