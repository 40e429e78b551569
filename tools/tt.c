/*
 * The runtime shared by the tpm-tools compatible commands: option
 * handling, log levels, messages, secret prompts, JSON collection.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "tt.h"
#include "json.h"
#include "mgmt.h"

TSS_RESULT tt_last_result;
bool tt_usage_error;

const struct tt_cmd *const tt_commands[] = {
	&tt_cmd_version, &tt_cmd_selftest, &tt_cmd_takeownership,
	&tt_cmd_changeownerauth, &tt_cmd_clear, &tt_cmd_setenable,
	&tt_cmd_setactive, &tt_cmd_setownable, &tt_cmd_setclearable,
	&tt_cmd_setpresence, &tt_cmd_setoperatorauth, &tt_cmd_resetdalock,
	&tt_cmd_getpubek, &tt_cmd_restrictpubek, &tt_cmd_restrictsrk,
	&tt_cmd_createek, &tt_cmd_revokeek, &tt_cmd_nvdefine,
	&tt_cmd_nvrelease, &tt_cmd_nvread, &tt_cmd_nvwrite, &tt_cmd_nvinfo,
	&tt_cmd_sealdata, &tt_cmd_unsealdata, NULL,
};

const struct tt_cmd *tt_find(const char *name)
{
	for (size_t i = 0; tt_commands[i]; i++)
		if (strcmp(tt_commands[i]->name, name) == 0)
			return tt_commands[i];
	return NULL;
}

/* ---- messages ---------------------------------------------------------- */

__attribute__((format(printf, 3, 0)))
static void vout(struct tt *t, FILE *f, const char *fmt, va_list ap)
{
	/* In JSON mode stdout carries one JSON document only. */
	if (t->json) {
		if (f == stderr)
			json_errorv(fmt, ap);
		return;
	}
	vfprintf(f, fmt, ap);
}

void tt_msg(struct tt *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vout(t, stdout, fmt, ap);
	va_end(ap);
}

void tt_info(struct tt *t, const char *fmt, ...)
{
	va_list ap;

	if (t->log_level < TT_LOG_INFO)
		return;
	va_start(ap, fmt);
	vout(t, stdout, fmt, ap);
	va_end(ap);
}

void tt_debug(struct tt *t, const char *fmt, ...)
{
	va_list ap;

	if (t->log_level < TT_LOG_DEBUG)
		return;
	va_start(ap, fmt);
	vout(t, stdout, fmt, ap);
	va_end(ap);
}

void tt_error(struct tt *t, const char *fmt, ...)
{
	va_list ap;

	if (t->log_level < TT_LOG_ERROR && !t->json)
		return;
	va_start(ap, fmt);
	vout(t, stderr, fmt, ap);
	va_end(ap);
}

TSS_RESULT tt_result(struct tt *t, const char *name, TSS_RESULT rc)
{
	if (rc == TSS_SUCCESS) {
		tt_debug(t, "%s success\n", name);
		return rc;
	}
	tt_error(t, "%s failed: 0x%08x - layer=%s, code=%04x (%u), %s\n", name, rc,
		 Trspi_Error_Layer(rc), Trspi_Error_Code(rc), Trspi_Error_Code(rc),
		 Trspi_Error_String(rc));
	json_tss_error(name, rc);
	tt_last_result = rc;
	if (t->mgmt && !t->json && mgmt_hint_for(name, rc))
		fprintf(stderr, "  -> %s.\n", mgmt_hint_for(name, rc));
	return rc;
}

void tt_hex(struct tt *t, const BYTE *p, UINT32 len)
{
	for (UINT32 i = 0; i < len; i++) {
		if (i % 32 == 0) {
			if (len > 32)
				tt_msg(t, "\n\t");
		} else if (i % 4 == 0) {
			tt_msg(t, " ");
		}
		tt_msg(t, "%02x", p[i]);
	}
	tt_msg(t, "\n");
}

const char *tt_bool(TSS_BOOL b)
{
	return b ? "true" : "false";
}

void tt_success(struct tt *t)
{
	/* tpm-mgmt says so at the default level too; tpm-tools only at "info". */
	if (t->mgmt && t->log_level < TT_LOG_INFO)
		tt_msg(t, "%s succeeded\n", t->prog);
	else
		tt_info(t, "%s succeeded\n", t->prog);
}

void tt_json_bool(struct tt *t, const char *key, bool v)
{
	if (t->json)
		json_member_bool(key, v);
}

void tt_json_str(struct tt *t, const char *key, const char *v)
{
	if (t->json)
		json_member_str(key, v);
}

void tt_json_uint(struct tt *t, const char *key, unsigned long long v)
{
	if (t->json)
		json_member_uint(key, v);
}

void tt_json_hex(struct tt *t, const char *key, const BYTE *p, size_t len)
{
	if (t->json)
		json_member_hex(key, p, len);
}

void tt_json_str_item(struct tt *t, const char *key, const char *v)
{
	if (t->json)
		json_array_str(key, v);
}

/* ---- context ------------------------------------------------------------ */

TSS_RESULT tt_connect(struct tt *t)
{
	TSS_RESULT rc;

	t->ctx = 0;
	t->tpm = 0;
	if ((rc = tt_result(t, "Tspi_Context_Create", Tspi_Context_Create(&t->ctx))) != 0) {
		t->ctx = 0;
		return rc;
	}
	if ((rc = tt_result(t, "Tspi_Context_Connect", Tspi_Context_Connect(t->ctx, NULL))) != 0)
		return rc;
	return tt_result(t, "Tspi_Context_GetTpmObject", Tspi_Context_GetTpmObject(t->ctx, &t->tpm));
}

void tt_close(struct tt *t)
{
	if (!t->ctx)
		return;
	tt_result(t, "Tspi_Context_FreeMemory", Tspi_Context_FreeMemory(t->ctx, NULL));
	tt_result(t, "Tspi_Context_Close", Tspi_Context_Close(t->ctx));
	t->ctx = 0;
}

/* ---- secrets ------------------------------------------------------------ */

/* tpm-mgmt's sources: --secret-file lines and --insecure-secret values, in order. */
#define TT_MAX_SECRETS 8
static char *secret_queue[TT_MAX_SECRETS];
static size_t secret_count, secret_next;
static const char *secret_file;

static const char *const secret_env[TT_SECRET_KINDS] = {
	[TT_SECRET_OWNER] = "TPM_MGMT_OWNER_SECRET",
	[TT_SECRET_SRK] = "TPM_MGMT_SRK_SECRET",
	[TT_SECRET_NEW] = "TPM_MGMT_NEW_SECRET",
	[TT_SECRET_NV] = "TPM_MGMT_NV_SECRET",
	[TT_SECRET_OPERATOR] = "TPM_MGMT_OPERATOR_SECRET",
	[TT_SECRET_KEY] = "TPM_MGMT_KEY_SECRET",
};

void tt_secret_add_file(const char *path)
{
	secret_file = path;
}

void tt_secret_add_literal(const char *s)
{
	if (secret_count < TT_MAX_SECRETS)
		secret_queue[secret_count++] = strdup(s);
}

int tt_secret_load(void)
{
	BYTE *data = NULL;
	size_t len = 0, start = 0;

	if (!secret_file)
		return 0;
	if (tt_read_file(secret_file, 64 * 1024, &data, &len) != 0) {
		fprintf(stderr, "tpm-mgmt: cannot read the secret file %s: %s\n", secret_file,
			strerror(errno));
		return -1;
	}
	/* One secret per line; a missing final newline is fine. */
	for (size_t i = 0; i <= len && secret_count < TT_MAX_SECRETS; i++) {
		if (i == len || data[i] == '\n') {
			if (i == len && i == start)
				break;
			char *s = strndup((const char *)data + start, i - start);
			if (s)
				secret_queue[secret_count++] = s;
			start = i + 1;
		}
	}
	OPENSSL_cleanse(data, len);
	free(data);
	return 0;
}

void tt_secret_clear(void)
{
	for (size_t i = 0; i < secret_count; i++) {
		OPENSSL_cleanse(secret_queue[i], strlen(secret_queue[i]));
		free(secret_queue[i]);
		secret_queue[i] = NULL;
	}
	secret_count = secret_next = 0;
}

/* glibc getpass(): the terminal without echo, or stderr + stdin. */
static char *read_secret_line(const char *prompt)
{
	struct termios old, noecho;
	bool restore = false;
	FILE *in = stdin, *out = stderr, *tty = fopen("/dev/tty", "w+e");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		in = out = tty;
		if (tcgetattr(fileno(tty), &old) == 0) {
			noecho = old;
			noecho.c_lflag &= ~(tcflag_t)ECHO;
			restore = tcsetattr(fileno(tty), TCSAFLUSH, &noecho) == 0;
		}
	}
	fputs(prompt, out);
	fflush(out);
	n = getline(&line, &cap, in);
	if (restore) {
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', out);
	}
	if (tty)
		fclose(tty);
	if (n < 0) {
		free(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	return line;
}

static char *next_secret(struct tt *t, enum tt_secret_kind kind, const char *prompt)
{
	const char *env;
	char *line;

	if (t->mgmt) {
		if (secret_next < secret_count)
			return strdup(secret_queue[secret_next++]);
		env = getenv(secret_env[kind]);
		if (env)
			return strdup(env);
		if (!isatty(STDIN_FILENO) && access("/dev/tty", R_OK) != 0 && t->json)
			return NULL;
	}
	line = read_secret_line(prompt);
	/*
	 * glibc's getpass() answers "" at the end of input, and tpm-tools
	 * then uses an empty secret: `tpm_resetdalock < /dev/null` tries the
	 * empty owner secret. tpm-mgmt says instead that no secret came.
	 */
	if (!line && !t->mgmt)
		line = strdup("");
	return line;
}

static void free_str(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

BYTE *tt_getpass(struct tt *t, enum tt_secret_kind kind, const char *prompt,
		 bool confirm, bool unicode, UINT32 *len)
{
	char *first, *second;
	BYTE *out;
	unsigned ulen;

	*len = 0;
	first = next_secret(t, kind, prompt);
	if (!first) {
		/* No secret from any source: for tpm-mgmt a usage error (exit 2). */
		tt_usage_error = t->mgmt;
		return NULL;
	}
	if (confirm) {
		second = next_secret(t, kind, "Confirm password: ");
		if (!second) {
			free_str(first);
			return NULL;
		}
		if (strcmp(first, second) != 0) {
			tt_msg(t, "Passwords didn't match\n");
			free_str(first);
			free_str(second);
			return NULL;
		}
		free_str(second);
	}
	if (!unicode) {
		*len = (UINT32)strlen(first);
		return (BYTE *)first;
	}
	/* UTF-16LE with the terminating NUL, as TSS popup boxes hash it. */
	ulen = (unsigned)strlen(first);
	out = Trspi_Native_To_UNICODE((BYTE *)first, &ulen);
	free_str(first);
	if (!out)
		return NULL;
	*len = ulen;
	if (t->ctx) {
		UINT32 mode = 0;

		/* A context that hashes secrets without the NUL wants it trimmed. */
		if (Tspi_GetAttribUint32(t->ctx, TSS_TSPATTRIB_SECRET_HASH_MODE,
					 TSS_TSPATTRIB_SECRET_HASH_MODE_POPUP, &mode) == 0 &&
		    mode == TSS_TSPATTRIB_HASH_MODE_NOT_NULL && *len >= sizeof(TSS_UNICODE))
			*len -= sizeof(TSS_UNICODE);
	}
	return out;
}

void tt_secret_free(BYTE *s, UINT32 len)
{
	if (s) {
		OPENSSL_cleanse(s, len);
		free(s);
	}
}

TSS_RESULT tt_set_secret(struct tt *t, TSS_HPOLICY pol, UINT32 len, const BYTE *secret)
{
	static const BYTE well_known[20] = TSS_WELL_KNOWN_SECRET;
	UINT32 mode = TSS_SECRET_MODE_PLAIN;

	if (secret && len == sizeof(well_known) && memcmp(secret, well_known, len) == 0)
		mode = TSS_SECRET_MODE_SHA1;
	return tt_result(t, "Tspi_Policy_SetSecret",
			 Tspi_Policy_SetSecret(pol, mode, len, (BYTE *)secret));
}

int tt_owner_auth(struct tt *t, bool well_known)
{
	BYTE wk[20] = TSS_WELL_KNOWN_SECRET;
	TSS_HPOLICY pol;
	BYTE *pw = wk;
	UINT32 len = sizeof(wk);
	int ret = -1;

	if (!well_known) {
		pw = tt_getpass(t, TT_SECRET_OWNER, "Enter owner password: ", false,
				t->unicode, &len);
		if (!pw) {
			tt_msg(t, "Failed to get password\n");
			return -1;
		}
	}
	if (tt_result(t, "Tspi_GetPolicyObject",
		      Tspi_GetPolicyObject(t->tpm, TSS_POLICY_USAGE, &pol)) != 0)
		goto out;
	if (tt_set_secret(t, pol, len, pw) != 0)
		goto out;
	ret = 0;
out:
	if (pw != wk)
		tt_secret_free(pw, len);
	return ret;
}

int tt_read_file(const char *path, size_t max, BYTE **out, size_t *len)
{
	int fd = STDIN_FILENO;
	BYTE *buf = NULL, *nb;
	size_t cap = 0, n = 0;
	ssize_t r;
	int ret = -1;

	*out = NULL;
	*len = 0;
	if (path && strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				errno = EFBIG;
				goto out;
			}
			cap = cap ? cap * 2 : 4096;
			if (cap > max)
				cap = max;
			nb = realloc(buf, cap + 1);
			if (!nb)
				goto out;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (!buf && !(buf = malloc(1)))
		goto out;
	buf[n] = 0;
	*out = buf;
	*len = n;
	buf = NULL;
	ret = 0;
out:
	if (fd != STDIN_FILENO) {
		int e = errno;
		close(fd);
		errno = e;
	}
	free(buf);
	return ret;
}

/* ---- options ------------------------------------------------------------ */

static const struct tt_opt generic_opts[] = {
	{"help", no_argument, 'h', "-h, --help", "Display command usage info."},
	{"version", no_argument, 'v', "-v, --version", "Display command version info."},
	{"log", required_argument, 'l', "-l, --log [none|error|info|debug]", "Set logging level."},
	{"unicode", no_argument, 'u', NULL, NULL},
};

void tt_help(struct tt *t)
{
	if (t->json)
		return;
	printf("Usage: %s [options]\n", t->prog);
	for (size_t i = 0; i < sizeof(generic_opts) / sizeof(generic_opts[0]); i++)
		if (generic_opts[i].usage)
			printf("\t%s\n\t\t%s\n", generic_opts[i].usage, generic_opts[i].help);
	for (const struct tt_opt *o = t->cmd->opts; o && o->usage; o++)
		printf("\t%s\n\t\t%s\n", o->usage, o->help);
	if (t->mgmt)
		printf("Secrets (as a tpm-mgmt subcommand): a no-echo prompt on the terminal, or\n"
		       "--secret-file FILE, $TPM_MGMT_OWNER_SECRET (SRK, NEW, NV, OPERATOR, KEY)\n"
		       "or --insecure-secret=S before the subcommand; see tpm-mgmt(1).\n");
}

/* Returns 0 to run the command, or 1 with *status set (help, version, bad option). */
static int parse_options(struct tt *t, int argc, char **argv, int *status)
{
	const size_t ngen = sizeof(generic_opts) / sizeof(generic_opts[0]);
	struct option longopts[64];
	char shortopts[64];
	size_t n = 0;
	int c;

	memset(longopts, 0, sizeof(longopts));
	for (size_t i = 0; i < ngen; i++)
		longopts[n++] = (struct option){generic_opts[i].name, generic_opts[i].has_arg,
						NULL, generic_opts[i].val};
	for (const struct tt_opt *o = t->cmd->opts; o && o->usage; o++)
		if (o->name && n < sizeof(longopts) / sizeof(longopts[0]) - 1)
			longopts[n++] = (struct option){o->name, o->has_arg, NULL, o->val};
	snprintf(shortopts, sizeof(shortopts), "hvl:u%s", t->cmd->shortopts);

	*status = t->cmd->help_status;
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			tt_help(t);
			return 1;
		case 'v':
			tt_msg(t, "%s version: %s\n", t->prog, TT_VERSION);
			return 1;
		case 'l':
			if (strcmp(optarg, "none") == 0)
				t->log_level = TT_LOG_NONE;
			else if (strcmp(optarg, "error") == 0)
				t->log_level = TT_LOG_ERROR;
			else if (strcmp(optarg, "info") == 0)
				t->log_level = TT_LOG_INFO;
			else if (strcmp(optarg, "debug") == 0)
				t->log_level = TT_LOG_DEBUG;
			else {
				tt_msg(t, "Valid log levels are: none, error, info, debug\n");
				tt_help(t);
				return 1;
			}
			break;
		case 'u':
			t->unicode = true;
			break;
		case '?':
			tt_usage_error = true;
			json_error("unknown option or missing argument");
			tt_help(t);
			return 1;
		default:
			if (!t->cmd->parse || t->cmd->parse(t, c, optarg) != 0) {
				/* tpm-tools stops here with the failure status, silently. */
				*status = 255;
				tt_usage_error = true;
				return 1;
			}
			break;
		}
	}
	t->argc = argc - optind;
	t->argv = argv + optind;
	return 0;
}

int tt_main(const struct tt_cmd *cmd, int argc, char **argv, bool mgmt, bool json)
{
	struct tt t = {
		.cmd = cmd,
		.prog = argv[0],
		.log_level = TT_LOG_ERROR,
		.mgmt = mgmt,
		.json = json,
	};
	int status;

	t.nargs = argc;
	if (json)
		json_begin(cmd->name);
	if (parse_options(&t, argc, argv, &status) == 0)
		status = cmd->run(&t) == 0 ? 0 : 255;
	if (tt_exit_status >= 0)
		status = tt_exit_status;
	tt_close(&t);
	free(t.priv);
	if (json)
		json_end(status == 0);
	return status;
}
