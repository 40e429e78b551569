/*
 * tpm_sealdata and tpm_unsealdata, compatible with tpm-tools 1.3.9 in
 * options, file format (sealfile.h) and exit codes: tpm_unsealdata exits
 * with libtpm_unseal's result (the TSS error's low byte, 254 for a
 * damaged file, 255 for an unreadable one) and prints no message of its
 * own, as tpm-tools does; as a tpm-mgmt subcommand it explains failures.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "sealfile.h"
#include "tt.h"

#define MAX_PCRS 24

static const TSS_UUID srk_uuid = TSS_UUID_SRK;
static const BYTE well_known_secret[20] = TSS_WELL_KNOWN_SECRET;

static struct {
	const char *in, *out;
	UINT32 pcrs[MAX_PCRS];
	size_t npcrs;
	bool well_known;
	bool bad_pcr;
} sd;

static int parse_seal(struct tt *t, int c, const char *arg)
{
	char *end;
	unsigned long v;

	switch (c) {
	case 'i': sd.in = arg; break;
	case 'o': sd.out = arg; break;
	case 'z': sd.well_known = true; break;
	case 'p':
		/* tpm-tools takes atoi(); reject what it would misread instead. */
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || *end || end == arg || v >= MAX_PCRS || sd.npcrs == MAX_PCRS) {
			fprintf(stderr, "%s: PCR index '%s' is not a number from 0 to %d\n",
				t->prog, arg, MAX_PCRS - 1);
			return -1;
		}
		sd.pcrs[sd.npcrs++] = (UINT32)v;
		break;
	default:
		return -1;
	}
	return 0;
}

/* Loads the SRK and gives it the secret: well-known or prompted. */
static int load_srk(struct tt *t, TSS_HKEY *srk, const BYTE *pw, UINT32 len)
{
	TSS_HPOLICY pol;

	if (tt_result(t, "Tspi_Context_LoadKeyByUUID",
		      Tspi_Context_LoadKeyByUUID(t->ctx, TSS_PS_TYPE_SYSTEM, srk_uuid, srk)) ||
	    tt_result(t, "Tspi_GetPolicyObject", Tspi_GetPolicyObject(*srk, TSS_POLICY_USAGE, &pol)))
		return -1;
	return tt_set_secret(t, pol, len, pw) ? -1 : 0;
}

static int write_out(const char *path, const void *p, size_t n)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	int ret = 0;

	if (!f)
		return -1;
	if (n && fwrite(p, 1, n, f) != n)
		ret = -1;
	if (path ? fclose(f) != 0 : fflush(f) != 0)
		ret = -1;
	return ret;
}

static int run_sealdata(struct tt *t)
{
	struct sealfile sf = {0};
	BYTE *plain = NULL, *pw = NULL;
	UINT32 pw_len = 0;
	size_t plain_len = 0, text_len;
	char *text = NULL;
	const char *failed;
	TSS_HKEY srk;
	TSS_RESULT rc;
	int ret = -1;

	if (tt_connect(t))
		return -1;
	if (tt_read_file(sd.in, SEALFILE_MAX_FILE / 2, &plain, &plain_len) != 0) {
		tt_error(t, "Unable to open input file: %s\n", sd.in ? sd.in : "(stdin)");
		goto out;
	}
	if (!sd.well_known) {
		pw = tt_getpass(t, TT_SECRET_SRK, "Enter SRK password: ", false, t->unicode, &pw_len);
		if (!pw) {
			tt_error(t, "Failed to get SRK password\n");
			goto out;
		}
	}
	if (load_srk(t, &srk, pw ? pw : well_known_secret, pw ? pw_len : 20))
		goto out;
	if (t->mgmt && isatty(STDERR_FILENO) && !t->json)
		fprintf(stderr, "Sealing (the TPM creates a 2048-bit key; this may take a while)...\n");
	rc = sealfile_seal(t->ctx, t->tpm, srk, sd.pcrs, sd.npcrs, plain, plain_len, &sf, &failed);
	if (rc) {
		tt_result(t, failed, rc);
		goto out;
	}
	if (sealfile_format(&sf, &text, &text_len) != SEALFILE_OK) {
		tt_error(t, "Unable to flush output\n");
		goto out;
	}
	if (t->json && !sd.out) {
		tt_json_str(t, "sealed", text);
	} else if (write_out(sd.out, text, text_len) != 0) {
		tt_error(t, "Unable to open output file: %s\n", sd.out ? sd.out : "(stdout)");
		goto out;
	}
	if (sd.out)
		tt_json_str(t, "output", sd.out);
	tt_success(t);
	ret = 0;
out:
	if (plain)
		OPENSSL_clear_free(plain, plain_len);
	tt_secret_free(pw, pw_len);
	sealfile_free(&sf);
	free(text);
	return ret;
}

static const struct tt_opt sealdata_opts[] = {
	{"infile", required_argument, 'i', "-i, --infile FILE",
	 "Filename containing key to seal. Default is STDIN."},
	{"outfile", required_argument, 'o', "-o, --outfile FILE",
	 "Filename to write sealed key to.  Default is STDOUT."},
	{"pcr", required_argument, 'p', "-p, --pcr NUMBER",
	 "PCR to seal data to.  Default is none.  This option can be specified multiple times to choose more than one PCR."},
	{"well-known", no_argument, 'z', "-z, --well-known", "Use TSS_WELL_KNOWN_SECRET as the SRK secret."},
	{NULL, 0, 0, "-u, --unicode",
	 "Use TSS UNICODE encoding for the SRK password to comply with applications using TSS popup boxes"},
	{NULL, 0, 0, NULL, NULL},
};

const struct tt_cmd tt_cmd_sealdata = {
	.name = "tpm_sealdata", .shortopts = "i:o:p:z", .opts = sealdata_opts,
	.parse = parse_seal, .run = run_sealdata, .help_status = 255,
	.summary = "seal a file to the SRK (and PCRs), tpm-tools format",
};

/*
 * The exit status libtpm_unseal's tpmUnsealFile() result gives
 * tpm_unsealdata: the TSS code's low byte. A code whose low byte is 0
 * would read as success; that one exits 255 instead (deliberate).
 */
static int unseal_status(TSS_RESULT rc)
{
	return (rc & 0xff) ? (int)(rc & 0xff) : 255;
}

static int run_unsealdata(struct tt *t)
{
	struct sealfile sf = {0};
	BYTE *text = NULL, *pw = NULL, *plain = NULL;
	size_t text_len = 0, plain_len = 0;
	UINT32 pw_len = 0;
	const char *failed;
	TSS_HKEY srk;
	TSS_RESULT rc;
	int err, status = 255, level;

	/* tpm-tools reads the named file only (no stdin) and says nothing on failure. */
	if (!sd.in || tt_read_file(sd.in, SEALFILE_MAX_FILE, &text, &text_len) != 0) {
		if (t->mgmt || t->json)
			tt_error(t, "cannot read the sealed file %s: %s\n", sd.in ? sd.in : "(none: use -i)",
				 sd.in ? strerror(errno) : "no file named");
		goto out;
	}
	if ((err = sealfile_parse(text, text_len, &sf)) != SEALFILE_OK) {
		status = 254;
		if (t->mgmt || t->json)
			tt_error(t, "%s is not a tpm_sealdata file: %s\n", sd.in, sealfile_strerror(err));
		goto out;
	}
	if (!sd.well_known) {
		pw = tt_getpass(t, TT_SECRET_SRK, "Enter SRK password: ", false, t->unicode, &pw_len);
		if (!pw)
			goto out;
	}
	/* Quiet like libtpm_unseal, except in tpm-mgmt where the error is explained. */
	level = t->log_level;
	if (!t->mgmt && !t->json)
		t->log_level = TT_LOG_NONE;
	if (tt_connect(t)) {
		status = 255;
		goto out;
	}
	rc = Tspi_Context_LoadKeyByUUID(t->ctx, TSS_PS_TYPE_SYSTEM, srk_uuid, &srk);
	failed = "Tspi_Context_LoadKeyByUUID";
	if (rc == 0) {
		TSS_HPOLICY pol;

		failed = "Tspi_GetPolicyObject";
		rc = Tspi_GetPolicyObject(srk, TSS_POLICY_USAGE, &pol);
		if (rc == 0) {
			failed = "Tspi_Policy_SetSecret";
			rc = Tspi_Policy_SetSecret(pol, pw ? TSS_SECRET_MODE_PLAIN : TSS_SECRET_MODE_SHA1,
						   pw ? pw_len : 20, pw ? pw : (BYTE *)well_known_secret);
		}
	}
	if (rc == 0)
		rc = sealfile_unseal(t->ctx, srk, &sf, &plain, &plain_len, &failed);
	if (rc) {
		tt_result(t, failed, rc);
		status = unseal_status(rc);
		goto out;
	}
	t->log_level = level;
	/* tpm-tools reports output errors but exits with the unseal result (0). */
	status = 0;
	if (t->json && !sd.out) {
		tt_json_hex(t, "data", plain, plain_len);
	} else if (sd.out) {
		FILE *f = fopen(sd.out, "w");

		if (!f) {
			tt_error(t, "Unable to open output file\n");
			goto out;
		}
		if (plain_len && fwrite(plain, plain_len, 1, f) != 1)
			tt_error(t, "Unable to write output file\n");
		fclose(f);
	} else {
		fwrite(plain, 1, plain_len, stdout);
	}
out:
	if (plain)
		OPENSSL_clear_free(plain, plain_len);
	tt_secret_free(pw, pw_len);
	sealfile_free(&sf);
	free(text);
	return status;
}

static int run_unsealdata_wrapper(struct tt *t);

static const struct tt_opt unsealdata_opts[] = {
	{"infile", required_argument, 'i', "-i, --infile FILE", "Filename containing data to unseal."},
	{"outfile", required_argument, 'o', "-o, --outfile FILE",
	 "Filename to write unsealed data to.  Default is STDOUT."},
	{"srk-well-known", no_argument, 'z', "-z, --srk-well-known",
	 "Use 20 bytes of zeros (TSS_WELL_KNOWN_SECRET) as the SRK secret."},
	{NULL, 0, 0, NULL, NULL},
};

const struct tt_cmd tt_cmd_unsealdata = {
	.name = "tpm_unsealdata", .shortopts = "i:o:z", .opts = unsealdata_opts,
	.parse = parse_seal, .run = run_unsealdata_wrapper, .help_status = 0,
	.summary = "unseal a tpm_sealdata file",
};

/*
 * tt_main maps run()'s 0/-1 to 0/255; tpm_unsealdata has its own codes,
 * handed over through tt_exit_status.
 */
int tt_exit_status = -1;

static int run_unsealdata_wrapper(struct tt *t)
{
	tt_exit_status = run_unsealdata(t);
	return tt_exit_status ? -1 : 0;
}
