/*
 * tpm-mgmt: the management CLI. Subcommands are rows of one table
 * (mgmt.c); each family lives in its own file (mgmt_status.c,
 * mgmt_pcr.c, mgmt_key.c, mgmt_crypto.c; the tpm-tools compatible ones
 * in compat_*.c through tt.h).
 *
 * Exit codes (documented in tpm-mgmt(1)):
 */
#ifndef TSS12_TOOLS_MGMT_H
#define TSS12_TOOLS_MGMT_H

#include <stdbool.h>
#include <stddef.h>

#include "tt.h"

enum mgmt_exit {
	MGMT_OK = 0,
	MGMT_E_FAIL = 1,	/* the TPM or TSS refused for another reason */
	MGMT_E_USAGE = 2,	/* bad command line */
	MGMT_E_AUTH = 3,	/* a secret was wrong */
	MGMT_E_CONNECT = 4,	/* no TCS daemon to talk to */
	MGMT_E_FILE = 5,	/* input missing/unreadable/damaged, output not writable */
	MGMT_E_STATE = 6,	/* the TPM's state forbids it (disabled, no owner, PCRs differ...) */
	MGMT_E_VERIFY = 7,	/* a signature or quote does not verify */
};

/* A tpm-mgmt subcommand. */
struct mgmt_cmd {
	const char *name;
	int (*run)(struct tt *t, int argc, char **argv);	/* returns an exit code */
	const char *args;	/* synopsis after the name */
	const char *summary;
	const char *help;	/* option lines for --help */
};

extern const struct mgmt_cmd mgmt_status_cmds[], mgmt_pcr_cmds[], mgmt_key_cmds[],
	mgmt_crypto_cmds[];

/* The exit code for a TSS result, and a sentence on what to do about it (or NULL). */
int mgmt_exit_for(TSS_RESULT rc);
const char *mgmt_hint(TSS_RESULT rc);
/* The hint for rc as the result of TSS function `function` (may be sharper), or NULL. */
const char *mgmt_hint_for(const char *function, TSS_RESULT rc);

/* "what: <TSS error text> (0x...)" + hint on stderr (JSON: errors[]); returns the exit code. */
int mgmt_fail(struct tt *t, const char *what, TSS_RESULT rc);
/* A usage or file error in the user's words; returns CODE. */
int mgmt_error(struct tt *t, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A progress line for slow operations, on a terminal only. */
void mgmt_progress(struct tt *t, const char *what);

/* Connects (quietly); on failure explains and returns the exit code. */
int mgmt_connect(struct tt *t);
/* The SRK, loaded, with its secret (well-known, or from the secret sources). */
int mgmt_load_srk(struct tt *t, bool well_known, TSS_HKEY *srk);
/* The owner secret into the TPM policy. */
int mgmt_owner(struct tt *t, bool well_known);

/* --help for a subcommand. */
void mgmt_usage(const struct mgmt_cmd *c, FILE *f);
/* Parses "0x.." or decimal into *v (max MAX). 0/-1. */
int mgmt_uint(const char *s, unsigned long max, unsigned long *v);
/* Hex string to bytes; 0/-1. */
int mgmt_unhex(const char *s, BYTE *out, size_t cap, size_t *len);
/* Writes all of P to PATH (NULL or "-": stdout). 0/-1 with errno. */
int mgmt_write(const char *path, const void *p, size_t n);
/* Prints bytes as lowercase hex with a newline (human mode). */
void mgmt_print_hex(const BYTE *p, size_t n);

/* Option parsing shared by the subcommands: getopt_long with --help/--json. */
#define MGMT_COMMON_LONGOPTS {"help", no_argument, NULL, 'h'}, {"json", no_argument, NULL, 'J'}

#endif
