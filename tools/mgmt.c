/*
 * tpm-mgmt's entry point: dispatch on the program name (the tpm-tools
 * compatible links tpm_version, tpm_takeownership, ...), else on the
 * subcommand (the table below, then the compatible commands without
 * their "tpm_" prefix). Also the helpers every subcommand shares:
 * errors that say what to do, exit codes, progress, secrets.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "mgmt.h"

/* ---- errors and exit codes --------------------------------------------------- */

static const struct hint {
	TSS_RESULT code;	/* code without the layer, matched per layer below */
	bool tpm;		/* a TPM_E_* code (layer 0) or a TSS_E_* one (any TSS layer) */
	int exit;
	const char *text;
} hints[] = {
	{TPM_E_AUTHFAIL, true, MGMT_E_AUTH,
	 "the secret is wrong. Type it again, or check --secret-file / $TPM_MGMT_*_SECRET; "
	 "-z (well-known) only works if it was set that way"},
	{TPM_E_AUTH2FAIL, true, MGMT_E_AUTH, "the second secret (usually of the data or key) is wrong"},
	{TPM_E_DISABLED, true, MGMT_E_STATE,
	 "the TPM is disabled: enable it in firmware setup, or run `tpm-mgmt setenable -e --force` "
	 "with physical presence (`tpm-mgmt setpresence -a` on a software TPM)"},
	{TPM_E_DEACTIVATED, true, MGMT_E_STATE,
	 "the TPM is deactivated: activate it in firmware setup, or `tpm-mgmt setactive -a` and reboot"},
	{TPM_E_NOSRK, true, MGMT_E_STATE, "the TPM has no owner yet: run `tpm-mgmt takeownership`"},
	{TPM_E_OWNER_SET, true, MGMT_E_STATE,
	 "the TPM already has an owner: clear it first (`tpm-mgmt clear`) if you mean to replace it"},
	{TPM_E_DISABLED_CMD, true, MGMT_E_STATE,
	 "the TPM has this command turned off (for example ownership is already taken, or pubEK reading is restricted); "
	 "with an owner, add the owner secret"},
	{TPM_E_BAD_PRESENCE, true, MGMT_E_STATE,
	 "physical presence is needed: assert it in firmware, or `tpm-mgmt setpresence -a` where the "
	 "TPM allows the command (software TPMs)"},
	{TPM_E_WRONGPCRVAL, true, MGMT_E_STATE,
	 "the PCR values differ from those the data was sealed to: the platform state changed "
	 "(`tpm-mgmt pcr read` shows the current values)"},
	{TPM_E_DEFEND_LOCK_RUNNING, true, MGMT_E_STATE,
	 "the TPM is locked out after too many wrong secrets: wait, or `tpm-mgmt resetdalock` with the owner secret"},
	{TPM_E_BADINDEX, true, MGMT_E_FAIL, "no such PCR or NV index on this TPM"},
	{TPM_E_INVALID_KEYHANDLE, true, MGMT_E_FAIL, "the key is not loaded (anymore): load it again"},
	{TPM_E_DECRYPT_ERROR, true, MGMT_E_FILE, "the data does not decrypt: it was made for another key or damaged"},
	{TPM_E_NOSPACE, true, MGMT_E_STATE, "the TPM is out of space: release NV areas or unload keys"},
	{TPM_E_AREA_LOCKED, true, MGMT_E_STATE, "the NV area is locked for writing"},
	{TPM_E_NOT_FULLWRITE, true, MGMT_E_FAIL, "this NV area must be written in one go (WRITEALL)"},
	{TPM_E_BAD_LOCALITY, true, MGMT_E_STATE, "this needs another locality than the one the daemon uses"},
	{TSS_E_COMM_FAILURE, false, MGMT_E_CONNECT,
	 "cannot talk to the TCS daemon: is tcsd running (`systemctl start tcsd`, or see "
	 "scripts/quickstart.sh)? Set TSS_TCSD_HOSTNAME / TSS_TCSD_PORT if it listens elsewhere"},
	{TSS_E_CONNECTION_FAILED, false, MGMT_E_CONNECT,
	 "cannot connect to the TCS daemon: is tcsd running? (TSS_TCSD_HOSTNAME / TSS_TCSD_PORT)"},
	{TSS_E_NO_CONNECTION, false, MGMT_E_CONNECT, "not connected to the TCS daemon"},
	{TSS_E_PS_KEY_NOTFOUND, false, MGMT_E_FAIL,
	 "no key with this UUID in the key store: `tpm-mgmt key list` shows the registered ones"},
	{TSS_E_PS_KEY_EXISTS, false, MGMT_E_FAIL, "a key with this UUID is already registered"},
	{TSS_E_NOTIMPL, false, MGMT_E_FAIL, "this TSS or daemon does not implement the operation"},
	{TSS_E_BAD_PARAMETER, false, MGMT_E_USAGE, "a parameter is out of range"},
	{TSS_E_INVALID_ENCSCHEME, false, MGMT_E_FILE, "the key cannot do this (wrong key type or scheme)"},
	{TSS_E_ENC_INVALID_LENGTH, false, MGMT_E_FILE, "the data is too long for this key"},
};

static const struct hint *find_hint(TSS_RESULT rc)
{
	TSS_RESULT layer = ERROR_LAYER(rc), code = ERROR_CODE(rc);

	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		if (hints[i].tpm ? (layer == TSS_LAYER_TPM && code == hints[i].code) :
				   (layer != TSS_LAYER_TPM && code == ERROR_CODE(hints[i].code)))
			return &hints[i];
	}
	return NULL;
}

/*
 * Where one TSS call's failure has a single likely cause, a sharper hint
 * than the code's general one (TPM_DISABLED_CMD covers a dozen commands).
 */
static const struct {
	const char *function;
	TSS_RESULT code;
	bool tpm;
	const char *text;
} call_hints[] = {
	{"Tspi_TPM_TakeOwnership", TPM_E_DISABLED_CMD, true,
	 "the TPM already has an owner, or taking ownership is switched off: `tpm-mgmt status` "
	 "shows which. To replace the owner clear it first (`tpm-mgmt clear`); to allow ownership, "
	 "`tpm-mgmt setownable -a` with physical presence"},
	{"Tspi_TPM_CreateEndorsementKey", TPM_E_DISABLED_CMD, true,
	 "the TPM already has an endorsement key; only a revocable one can be replaced "
	 "(`tpm-mgmt revokeek`, then `tpm-mgmt createek -r`)"},
	{"Tspi_TPM_CreateEndorsementKey", TSS_E_NOTIMPL, false,
	 "tss12's libtspi cannot create a non-revocable EK yet; `tpm-mgmt createek -r -g -o FILE` "
	 "creates a revocable one (on a TPM without an EK)"},
};

const char *mgmt_hint_for(const char *function, TSS_RESULT rc)
{
	TSS_RESULT layer = ERROR_LAYER(rc), code = ERROR_CODE(rc);

	for (size_t i = 0; function && i < sizeof(call_hints) / sizeof(call_hints[0]); i++) {
		if (strcmp(call_hints[i].function, function) != 0)
			continue;
		if (call_hints[i].tpm ? (layer == TSS_LAYER_TPM && code == call_hints[i].code) :
					(layer != TSS_LAYER_TPM && code == ERROR_CODE(call_hints[i].code)))
			return call_hints[i].text;
	}
	return mgmt_hint(rc);
}

int mgmt_exit_for(TSS_RESULT rc)
{
	const struct hint *h = find_hint(rc);

	return rc == 0 ? MGMT_OK : h ? h->exit : MGMT_E_FAIL;
}

const char *mgmt_hint(TSS_RESULT rc)
{
	const struct hint *h = find_hint(rc);

	return h ? h->text : NULL;
}

int mgmt_fail(struct tt *t, const char *what, TSS_RESULT rc)
{
	const char *hint = mgmt_hint_for(what, rc);

	if (t->json) {
		char *s = NULL;

		json_appendf(&s, "%s: %s (0x%08x)", what, Trspi_Error_String(rc), rc);
		json_error(s);
		free(s);
		if (hint)
			json_member_str("hint", hint);
		{
			char hex[16];

			snprintf(hex, sizeof(hex), "0x%08x", rc);
			json_member_str("tss_code", hex);
		}
	} else {
		fprintf(stderr, "%s: %s failed: %s (0x%08x, layer %s)\n", t->prog, what,
			Trspi_Error_String(rc), rc, Trspi_Error_Layer(rc));
		if (hint)
			fprintf(stderr, "  -> %s.\n", hint);
	}
	return mgmt_exit_for(rc);
}

int mgmt_error(struct tt *t, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (t->json) {
		json_errorv(fmt, ap);
	} else {
		fprintf(stderr, "%s: ", t->prog);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
	return code;
}

void mgmt_progress(struct tt *t, const char *what)
{
	if (!t->json && isatty(STDERR_FILENO))
		fprintf(stderr, "%s...\n", what);
}

int mgmt_connect(struct tt *t)
{
	TSS_RESULT rc;

	if ((rc = Tspi_Context_Create(&t->ctx)) != 0) {
		t->ctx = 0;
		return mgmt_fail(t, "creating a TSS context", rc);
	}
	if ((rc = Tspi_Context_Connect(t->ctx, NULL)) != 0)
		return mgmt_fail(t, "connecting to the TCS daemon", rc);
	if ((rc = Tspi_Context_GetTpmObject(t->ctx, &t->tpm)) != 0)
		return mgmt_fail(t, "getting the TPM object", rc);
	return 0;
}

int mgmt_load_srk(struct tt *t, bool well_known, TSS_HKEY *srk)
{
	static const TSS_UUID srk_uuid = TSS_UUID_SRK;
	BYTE wk[20] = TSS_WELL_KNOWN_SECRET;
	TSS_HPOLICY pol;
	TSS_RESULT rc;
	BYTE *pw = NULL;
	UINT32 len = 0;

	if ((rc = Tspi_Context_LoadKeyByUUID(t->ctx, TSS_PS_TYPE_SYSTEM, srk_uuid, srk)) != 0)
		return mgmt_fail(t, "loading the SRK", rc);
	if ((rc = Tspi_GetPolicyObject(*srk, TSS_POLICY_USAGE, &pol)) != 0)
		return mgmt_fail(t, "getting the SRK policy", rc);
	if (!well_known) {
		pw = tt_getpass(t, TT_SECRET_SRK, "Enter SRK password: ", false, false, &len);
		if (!pw)
			return mgmt_error(t, MGMT_E_USAGE, "no SRK secret given (prompt, --secret-file, "
					  "$TPM_MGMT_SRK_SECRET, or -z for the well-known secret)");
	}
	rc = Tspi_Policy_SetSecret(pol, pw ? TSS_SECRET_MODE_PLAIN : TSS_SECRET_MODE_SHA1,
				   pw ? len : 20, pw ? pw : wk);
	tt_secret_free(pw, len);
	return rc ? mgmt_fail(t, "setting the SRK secret", rc) : 0;
}

int mgmt_owner(struct tt *t, bool well_known)
{
	BYTE wk[20] = TSS_WELL_KNOWN_SECRET;
	TSS_HPOLICY pol;
	TSS_RESULT rc;
	BYTE *pw = NULL;
	UINT32 len = 0;

	if ((rc = Tspi_GetPolicyObject(t->tpm, TSS_POLICY_USAGE, &pol)) != 0)
		return mgmt_fail(t, "getting the TPM policy", rc);
	if (!well_known) {
		pw = tt_getpass(t, TT_SECRET_OWNER, "Enter owner password: ", false, false, &len);
		if (!pw)
			return mgmt_error(t, MGMT_E_USAGE, "no owner secret given (prompt, --secret-file, "
					  "$TPM_MGMT_OWNER_SECRET, or -z for the well-known secret)");
	}
	rc = Tspi_Policy_SetSecret(pol, pw ? TSS_SECRET_MODE_PLAIN : TSS_SECRET_MODE_SHA1,
				   pw ? len : 20, pw ? pw : wk);
	tt_secret_free(pw, len);
	return rc ? mgmt_fail(t, "setting the owner secret", rc) : 0;
}

void mgmt_usage(const struct mgmt_cmd *c, FILE *f)
{
	fprintf(f, "Usage: tpm-mgmt %s %s\n%s.\n", c->name, c->args, c->summary);
	if (c->help)
		fputs(c->help, f);
	fputs("  --json            print one JSON object on stdout\n"
	      "  -h, --help        this text\n", f);
}

int mgmt_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return (errno || end == s || *end || *v > max || *s == '-') ? -1 : 0;
}

int mgmt_unhex(const char *s, BYTE *out, size_t cap, size_t *len)
{
	size_t n = strlen(s);

	*len = 0;
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		char two[3] = {s[i], s[i + 1], 0};
		char *end;
		unsigned long v = strtoul(two, &end, 16);

		if (*end)
			return -1;
		out[i / 2] = (BYTE)v;
	}
	*len = n / 2;
	return 0;
}

int mgmt_write(const char *path, const void *p, size_t n)
{
	FILE *f = (!path || strcmp(path, "-") == 0) ? stdout : fopen(path, "w");
	int ret = 0;

	if (!f)
		return -1;
	if (n && fwrite(p, 1, n, f) != n)
		ret = -1;
	if (f == stdout ? fflush(f) != 0 : fclose(f) != 0)
		ret = -1;
	return ret;
}

void mgmt_print_hex(const BYTE *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

/* ---- dispatch --------------------------------------------------------------- */

static const struct mgmt_cmd *const families[] = {
	mgmt_status_cmds, mgmt_pcr_cmds, mgmt_key_cmds, mgmt_crypto_cmds,
};

static const struct mgmt_cmd *find_mgmt(const char *name)
{
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		for (const struct mgmt_cmd *c = families[f]; c->name; c++)
			if (strcmp(c->name, name) == 0)
				return c;
	return NULL;
}

static void usage(FILE *f)
{
	fputs("Usage: tpm-mgmt [--json] [--secret-file FILE] [--insecure-secret=S] COMMAND [ARGS]\n"
	      "Manage a TPM 1.2 through the TSS (tcsd). `tpm-mgmt COMMAND --help` for details.\n\n"
	      "Commands:\n", f);
	for (size_t fam = 0; fam < sizeof(families) / sizeof(families[0]); fam++)
		for (const struct mgmt_cmd *c = families[fam]; c->name; c++)
			fprintf(f, "  %-18s %s\n", c->name, c->summary);
	fputs("\ntpm-tools compatible (same options as the tpm_* commands):\n", f);
	for (size_t i = 0; tt_commands[i]; i++)
		fprintf(f, "  %-18s %s\n", tt_commands[i]->name + 4, tt_commands[i]->summary);
	fputs("\nSecrets: asked without echo on a terminal, else read from --secret-file (one per line,\n"
	      "in the order asked), $TPM_MGMT_OWNER_SECRET, $TPM_MGMT_SRK_SECRET, $TPM_MGMT_NEW_SECRET,\n"
	      "$TPM_MGMT_NV_SECRET, $TPM_MGMT_KEY_SECRET, or -z (well-known) where offered.\n"
	      "--insecure-secret=S puts one on the command line (visible to other users).\n"
	      "Exit codes: 0 ok, 1 failed, 2 usage, 3 wrong secret, 4 no daemon, 5 file,\n"
	      "6 TPM state (disabled, no owner, PCRs changed...), 7 verification failed.\n", f);
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const struct tt_cmd *compat = tt_find(base);
	const struct mgmt_cmd *mc;
	struct tt t;
	char **args, prog[64];
	int nargs = 0, status;
	bool json = false;

	if (compat)
		return tt_main(compat, argc, argv, false, false);

	/* Global options may come anywhere before "--": pull them out. */
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		return MGMT_E_FAIL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (i > 0 && strcmp(a, "--json") == 0) {
			json = true;
		} else if (i > 0 && strcmp(a, "--secret-file") == 0 && i + 1 < argc) {
			tt_secret_add_file(argv[++i]);
		} else if (i > 0 && strncmp(a, "--secret-file=", 14) == 0) {
			tt_secret_add_file(a + 14);
		} else if (i > 0 && strncmp(a, "--insecure-secret=", 18) == 0) {
			tt_secret_add_literal(a + 18);
		} else {
			args[nargs++] = argv[i];
		}
	}
	if (nargs < 2 || strcmp(args[1], "--help") == 0 || strcmp(args[1], "-h") == 0 ||
	    strcmp(args[1], "help") == 0) {
		usage(nargs < 2 ? stderr : stdout);
		free(args);
		return nargs < 2 ? MGMT_E_USAGE : MGMT_OK;
	}
	if (strcmp(args[1], "--version") == 0) {
		printf("tpm-mgmt (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		free(args);
		return MGMT_OK;
	}
	if (tt_secret_load() != 0) {
		free(args);
		return MGMT_E_FILE;
	}
	snprintf(prog, sizeof(prog), "tpm-mgmt %s", args[1]);
	mc = find_mgmt(args[1]);
	if (!mc) {
		char name[64];

		snprintf(name, sizeof(name), "tpm_%s", args[1]);
		compat = tt_find(name);
		if (!compat)
			compat = tt_find(args[1]);
	}
	if (compat) {
		args[1] = prog;
		status = tt_main(compat, nargs - 1, args + 1, true, json);
		/* tpm-tools' 255 becomes a tpm-mgmt exit code. */
		if (status == 255 && tt_usage_error)
			status = MGMT_E_USAGE;
		else if (status == 255)
			status = tt_last_result ? mgmt_exit_for(tt_last_result) : MGMT_E_FAIL;
		goto out;
	}
	if (!mc) {
		fprintf(stderr, "tpm-mgmt: unknown command '%s'; `tpm-mgmt --help` lists them.\n", args[1]);
		status = MGMT_E_USAGE;
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t.prog = prog;
	t.log_level = TT_LOG_ERROR;
	t.mgmt = true;
	t.json = json;
	if (json)
		json_begin(mc->name);
	args[1] = prog;
	optind = 1;
	status = mc->run(&t, nargs - 1, args + 1);
	tt_close(&t);
	if (json)
		json_end(status == 0);
out:
	tt_secret_clear();
	free(args);
	return status;
}
