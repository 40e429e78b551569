/*
 * libtpm_unseal (tpm_tools/tpm_unseal.h): tpmUnsealFile() over the TSS
 * 1.2 API and sealfile.c. Results follow Debian's libtpm-unseal 1.3.9:
 * 0, TPMSEAL_FILE_ERROR / TPMSEAL_STD_ERROR with tpm_errno, or the TSS
 * result of the step that failed (tpmUnsealStrerror names it).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <tss/tspi.h>
#include <trousers/trousers.h>

#include "sealfile.h"
#include "tpm_tools/tpm_unseal.h"

int tpm_errno;

/* Which Tspi step failed, for tpmUnsealStrerror(). */
static const char *failed_step;
static char error_text[512];

/* sealfile_parse() results -> tpm_errors (they are in the same order, shifted by one). */
static int file_errno(int err)
{
	switch (err) {
	case SEALFILE_E_HEADER: return ENOTSSHDR;
	case SEALFILE_E_FOOTER: return ENOTSSFTR;
	case SEALFILE_E_TSS_TAG: return EWRONGTSSTAG;
	case SEALFILE_E_EVP_TAG: return EWRONGEVPTAG;
	case SEALFILE_E_DAT_TAG: return EWRONGDATTAG;
	case SEALFILE_E_KEYTYPE: return EWRONGKEYTYPE;
	default: return EBADSEEK;
	}
}

/* getpass(): the terminal without echo, else stderr and stdin. */
static char *ask_secret(const char *prompt)
{
	FILE *tty = fopen("/dev/tty", "w+e"), *in = stdin, *out = stderr;
	struct termios old, quiet;
	bool restore = false;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		in = out = tty;
		if (tcgetattr(fileno(tty), &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			restore = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
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
		line[n - 1] = 0;
	return line;
}

int tpmUnsealFile(char *fname, unsigned char **tss_data, int *tss_size, BOOL srkWellKnown)
{
	static const TSS_UUID srk_uuid = TSS_UUID_SRK;
	BYTE well_known[20] = TSS_WELL_KNOWN_SECRET;
	struct sealfile sf = {0};
	struct stat st;
	TSS_HCONTEXT ctx = 0;
	TSS_HKEY srk;
	TSS_HPOLICY pol;
	BYTE *text = NULL;
	uint8_t *plain = NULL;
	size_t text_len = 0, plain_len = 0;
	char *secret = NULL;
	int rc, err;

	failed_step = NULL;
	if (!tss_data || !tss_size) {
		tpm_errno = EINVAL;
		return TPMSEAL_STD_ERROR;
	}
	*tss_data = NULL;
	*tss_size = 0;
	if ((rc = stat(fname, &st)) != 0) {
		tpm_errno = errno;
		return rc;
	}
	if (st.st_size > (off_t)SEALFILE_MAX_FILE) {
		tpm_errno = EFBIG;
		return TPMSEAL_STD_ERROR;
	}
	{
		FILE *f = fopen(fname, "re");

		if (!f) {
			tpm_errno = errno;
			return TPMSEAL_STD_ERROR;
		}
		text = malloc((size_t)st.st_size + 1);
		if (!text) {
			fclose(f);
			tpm_errno = ENOMEM;
			return TPMSEAL_STD_ERROR;
		}
		text_len = fread(text, 1, (size_t)st.st_size, f);
		fclose(f);
	}
	if ((err = sealfile_parse(text, text_len, &sf)) != SEALFILE_OK) {
		free(text);
		if (err == SEALFILE_E_NOMEM) {
			tpm_errno = ENOMEM;
			return TPMSEAL_STD_ERROR;
		}
		tpm_errno = file_errno(err);
		return TPMSEAL_FILE_ERROR;
	}
	free(text);

	rc = (int)Tspi_Context_Create(&ctx);
	failed_step = "Tspi_Context_Create";
	if (rc)
		goto out;
	if (!srkWellKnown && !(secret = ask_secret("Enter SRK password: "))) {
		rc = TPMSEAL_STD_ERROR;
		tpm_errno = EIO;
		goto out;
	}
	failed_step = "Tspi_Context_Connect";
	if ((rc = (int)Tspi_Context_Connect(ctx, NULL)))
		goto out;
	failed_step = "Tspi_Context_LoadKeyByUUID";
	if ((rc = (int)Tspi_Context_LoadKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, srk_uuid, &srk)))
		goto out;
	failed_step = "Tspi_GetPolicyObject";
	if ((rc = (int)Tspi_GetPolicyObject(srk, TSS_POLICY_USAGE, &pol)))
		goto out;
	failed_step = "Tspi_Policy_SetSecret";
	rc = (int)(srkWellKnown ?
		   Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1, sizeof(well_known), well_known) :
		   Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, (UINT32)strlen(secret), (BYTE *)secret));
	if (rc)
		goto out;
	rc = (int)sealfile_unseal(ctx, srk, &sf, &plain, &plain_len, &failed_step);
	if (rc)
		goto out;
	if (plain_len > INT32_MAX) {
		rc = TPMSEAL_STD_ERROR;
		tpm_errno = EFBIG;
		goto out;
	}
	*tss_data = plain;
	*tss_size = (int)plain_len;
	plain = NULL;
out:
	if (ctx) {
		Tspi_Context_FreeMemory(ctx, NULL);
		Tspi_Context_Close(ctx);
	}
	if (secret) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
	if (plain)
		OPENSSL_clear_free(plain, plain_len);
	sealfile_free(&sf);
	return rc;
}

void tpmUnsealShred(unsigned char *data, int size)
{
	if (data) {
		OPENSSL_cleanse(data, size > 0 ? (size_t)size : 0);
		free(data);
	}
}

char *tpmUnsealStrerror(int rc)
{
	static const char *const file_msgs[] = {
		[ENOTSSHDR] = "No TSS header present", [ENOTSSFTR] = "No TSS footer present",
		[EWRONGTSSTAG] = "Wrong TSS tag", [EWRONGEVPTAG] = "Wrong EVP tag",
		[EWRONGDATTAG] = "Wrong DATA tag", [EWRONGKEYTYPE] = "Not a Symmetric EVP Key",
		[EBADSEEK] = "Unable to move to desired file position",
	};

	if (rc == 0)
		return "Success";
	if (rc == TPMSEAL_STD_ERROR || (rc < 0 && rc != TPMSEAL_FILE_ERROR))
		return strerror(tpm_errno);
	if (rc == TPMSEAL_FILE_ERROR && tpm_errno >= 0 &&
	    (size_t)tpm_errno < sizeof(file_msgs) / sizeof(file_msgs[0]))
		return (char *)file_msgs[tpm_errno];
	snprintf(error_text, sizeof(error_text), "%s: 0x%08x - layer=%s, code=%04x (%u), %s",
		 failed_step ? failed_step : "Tspi", (unsigned)rc, Trspi_Error_Layer((TSS_RESULT)rc),
		 Trspi_Error_Code((TSS_RESULT)rc), Trspi_Error_Code((TSS_RESULT)rc),
		 Trspi_Error_String((TSS_RESULT)rc));
	return error_text;
}
