/*
 * A scripted fake TPM 1.2 for fault-injection tests, served by a thread
 * of the test process over one of two transports:
 *
 * - swtpm: a data and a control listener on loopback ports, speaking
 *   enough of swtpm's control protocol (GET_CAPABILITY, GET_TPMESTABLISHED,
 *   INIT, CANCEL_TPM_CMD) for tpmdd's swtpm backend;
 * - pty: a pseudo-terminal in raw mode, whose slave (/dev/pts/N) the dev
 *   backend opens like /dev/tpm0: real write()/read() file semantics.
 *
 * Every TPM_GetCapability is answered with durations (SHORT and MEDIUM
 * 300 ms, LONG 30 s) so time-outs in tests are short; every other
 * command gets the response of the armed fault, once, then well-formed
 * ones (tag 0x00C4, result 0, a UINT32 16, then 16 bytes: the UINT32
 * number of this command among all the fake answered, and 12 bytes of
 * 0xAB), so a test can tell a late answer from the one it waits for.
 */
#ifndef TSS12_FAKE_TPM_H
#define TSS12_FAKE_TPM_H

#include <stdbool.h>
#include <stddef.h>

#define FAKE_TPM_GOOD_LEN	30	/* 10 header + 4 + 16 */
#define FAKE_TPM_GOOD_BYTE	0xAB
#define FAKE_TPM_SHORT_MS	300
#define FAKE_TPM_LONG_MS	30000

enum fake_fault {
	FAKE_GOOD,
	FAKE_TRUNCATED_CLOSE,	/* header says 30, 20 bytes sent, connection closed */
	FAKE_TRUNCATED_STALL,	/* header says 30, 20 bytes sent, then nothing */
	FAKE_SHORT_HEADER,	/* 6 bytes, then nothing */
	FAKE_OVERSIZED,		/* paramSize 5000 (> 4096); swtpm: all 5000 bytes sent */
	FAKE_SIZE_BELOW_HEADER,	/* paramSize 6 in a 30-byte response */
	FAKE_SIZE_SMALLER,	/* paramSize 20, 30 bytes sent */
	FAKE_WRONG_TAG,		/* tag 0x00C1, a request tag */
	FAKE_GARBAGE,		/* an HTTP error page */
	FAKE_SILENT,		/* no answer at all */
	FAKE_LATE,		/* a good answer, 600 ms late */
	FAKE_HUGE_SIZE,		/* paramSize 0xFFFFFFFF */
};

struct fake_tpm;

/* NULL on failure (printed). */
struct fake_tpm *fake_tpm_start_swtpm(void);
struct fake_tpm *fake_tpm_start_pty(void);
void fake_tpm_stop(struct fake_tpm *f);

/* "swtpm:tcp://127.0.0.1:P,ctrl=C" or "dev:/dev/pts/N". */
const char *fake_tpm_uri(const struct fake_tpm *f);

/* The response to the next command other than GetCapability. */
void fake_tpm_arm(struct fake_tpm *f, enum fake_fault fault);

/* Commands answered (all ordinals), data connections accepted, CMD_INITs. */
unsigned int fake_tpm_commands(struct fake_tpm *f);
unsigned int fake_tpm_connections(struct fake_tpm *f);
unsigned int fake_tpm_inits(struct fake_tpm *f);

/* pty: hangs the terminal up (the device vanishes); swtpm: closes listeners. */
void fake_tpm_unplug(struct fake_tpm *f);

#endif /* TSS12_FAKE_TPM_H */
