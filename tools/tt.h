/*
 * tt: the runtime of the tpm-tools compatible commands (tpm_version,
 * tpm_takeownership, ...). Scripts written for Debian's tpm-tools 1.3.9
 * parse their output and test their exit status, so these commands keep
 * tpm-tools' options, messages (stdout for results and help, stderr for
 * errors), log levels (-l none|error|info|debug) and exit codes (0, or
 * 255 for any failure).
 *
 * The same commands run as `tpm-mgmt NAME` subcommands; then secrets may
 * also come from --secret-file, environment variables or
 * --insecure-secret (see tt_secret_*), and --json selects JSON output.
 *
 * Only the public Tspi_* / Trspi_* API is used, so the tools run on any
 * TSS 1.2 libtspi (ours or TrouSerS').
 */
#ifndef TSS12_TOOLS_TT_H
#define TSS12_TOOLS_TT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <tss/tspi.h>
#include <trousers/trousers.h>

/* tpm-tools' -l levels. */
enum tt_log {
	TT_LOG_NONE,
	TT_LOG_ERROR,
	TT_LOG_INFO,
	TT_LOG_DEBUG,
};

/* What a prompted secret is for: picks the tpm-mgmt environment variable. */
enum tt_secret_kind {
	TT_SECRET_OWNER,
	TT_SECRET_SRK,
	TT_SECRET_NEW,
	TT_SECRET_NV,
	TT_SECRET_OPERATOR,
	TT_SECRET_KEY,
	TT_SECRET_KINDS
};

/* Version tpm-tools' -v prints for these commands. */
#define TT_VERSION "1.3.9.2"

/* One option line of a command: getopt_long entry + its help text. */
struct tt_opt {
	const char *name;	/* long name, NULL: help line only */
	int has_arg;
	int val;		/* short letter or a private code */
	const char *usage;	/* left column, e.g. "-s, --status" */
	const char *help;	/* right column (may hold "\n\t\t" breaks) */
};

struct tt;
typedef int (*tt_parse_fn)(struct tt *t, int opt, const char *arg);

/* A command: name, its options and body. */
struct tt_cmd {
	const char *name;		/* "tpm_version" */
	const char *shortopts;		/* the command's own short options */
	const struct tt_opt *opts;	/* help lines and long options */
	tt_parse_fn parse;
	int (*run)(struct tt *t);	/* 0 or -1 (exit 255) */
	int help_status;		/* exit status after -h/-v/bad option */
	const char *summary;		/* one line for tpm-mgmt --help */
};

struct tt {
	const struct tt_cmd *cmd;
	const char *prog;	/* argv[0], printed as tpm-tools does */
	int log_level;
	bool unicode;		/* -u: secrets as UTF-16LE (TSS popup style) */
	bool mgmt;		/* run as a tpm-mgmt subcommand */
	bool json;		/* tpm-mgmt --json */
	int nargs;		/* argc as called (tpm_restrictsrk: 1 means status) */
	int argc;		/* arguments left after the options */
	char **argv;
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	void *priv;		/* the command's option state */
};

/* Runs CMD with ARGV (ARGV[0] is the name it was called by). Exit status. */
int tt_main(const struct tt_cmd *cmd, int argc, char **argv, bool mgmt, bool json);

/* A command's own exit status when not 0/255 (tpm_unsealdata); -1: none. */
extern int tt_exit_status;
/* The last failed TSS result (0: none) and whether the command line was wrong. */
extern TSS_RESULT tt_last_result;
extern bool tt_usage_error;

/* Finds a compatible command by its tpm-tools name; NULL if none. */
const struct tt_cmd *tt_find(const char *name);
/* All of them, NULL-terminated. */
extern const struct tt_cmd *const tt_commands[];

/* The command tables of each family. */
extern const struct tt_cmd tt_cmd_version, tt_cmd_selftest, tt_cmd_takeownership,
	tt_cmd_changeownerauth, tt_cmd_clear, tt_cmd_setenable, tt_cmd_setactive,
	tt_cmd_setownable, tt_cmd_setclearable, tt_cmd_setpresence,
	tt_cmd_setoperatorauth, tt_cmd_resetdalock, tt_cmd_getpubek,
	tt_cmd_restrictpubek, tt_cmd_restrictsrk, tt_cmd_createek, tt_cmd_revokeek,
	tt_cmd_nvdefine, tt_cmd_nvrelease, tt_cmd_nvread, tt_cmd_nvwrite,
	tt_cmd_nvinfo, tt_cmd_sealdata, tt_cmd_unsealdata;

/* Output, as tpm-tools' logMsg/logInfo/logDebug (stdout) and logError (stderr). */
void tt_msg(struct tt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tt_info(struct tt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tt_debug(struct tt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tt_error(struct tt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "NAME failed: 0x... - layer=..., code=... (n), text" or, at debug, "NAME success". */
TSS_RESULT tt_result(struct tt *t, const char *name, TSS_RESULT rc);
/* Hex dump as tpm-tools' logHex (32 bytes a line, groups of 4). */
void tt_hex(struct tt *t, const BYTE *p, UINT32 len);
/* The command's usage text (stdout). */
void tt_help(struct tt *t);
/* "true"/"false". */
const char *tt_bool(TSS_BOOL b);
/* "<prog> succeeded" at info level. */
void tt_success(struct tt *t);

/* JSON members of the result (tpm-mgmt --json); no-ops otherwise. */
void tt_json_bool(struct tt *t, const char *key, bool v);
void tt_json_str(struct tt *t, const char *key, const char *v);
void tt_json_uint(struct tt *t, const char *key, unsigned long long v);
void tt_json_hex(struct tt *t, const char *key, const BYTE *p, size_t len);
/* Starts/ends a JSON array member of strings ("key": [ ... ]). */
void tt_json_str_item(struct tt *t, const char *key, const char *v);

/* Context_Create + Connect + GetTpmObject; tt_close frees and closes. */
TSS_RESULT tt_connect(struct tt *t);
void tt_close(struct tt *t);

/*
 * Reads a secret: a no-echo prompt on the terminal, else the prompt on
 * stderr and a line from stdin (glibc getpass()); as a tpm-mgmt
 * subcommand first from the configured sources. CONFIRM asks twice
 * ("Confirm password: "); a mismatch prints "Passwords didn't match"
 * and returns NULL. With UNICODE the secret is UTF-16LE
 * (Trspi_Native_To_UNICODE), without its NUL when the context hashes
 * secrets without it. Free with tt_secret_free().
 */
BYTE *tt_getpass(struct tt *t, enum tt_secret_kind kind, const char *prompt,
		 bool confirm, bool unicode, UINT32 *len);
void tt_secret_free(BYTE *s, UINT32 len);

/* Policy_SetSecret as tpm-tools does it: the well-known secret in SHA1 mode. */
TSS_RESULT tt_set_secret(struct tt *t, TSS_HPOLICY pol, UINT32 len, const BYTE *secret);
/* The TPM object's policy gets the owner secret: well-known or prompted. 0/-1. */
int tt_owner_auth(struct tt *t, bool well_known);

/* tpm-mgmt secret sources (set up by tpm-mgmt's option parser). */
void tt_secret_add_file(const char *path);
void tt_secret_add_literal(const char *s);
int tt_secret_load(void);	/* reads --secret-file; 0/-1 (message printed) */
void tt_secret_clear(void);

/* Reads a whole file (or stdin for "-"/NULL) with a size cap. 0/-1, errno set. */
int tt_read_file(const char *path, size_t max, BYTE **out, size_t *len);

#endif /* TSS12_TOOLS_TT_H */
