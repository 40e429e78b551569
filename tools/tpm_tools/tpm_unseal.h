/*
 * libtpm_unseal: unseal a file written by tpm_sealdata (tss12's or
 * tpm-tools'), as Debian's libtpm-unseal1 offers it (same names, same
 * results). Link with -ltpm_unseal.
 */
#ifndef __TPM_UNSEAL_H
#define __TPM_UNSEAL_H

/* tpm-tools' BOOL (an int) unless the application has one. */
#ifndef BOOL
#define BOOL int
#endif

/* tpmUnsealFile() results other than 0 and TSS result codes. */
#define TPMSEAL_FILE_ERROR -2	/* the file is not in the sealed format: see tpm_errno */
#define TPMSEAL_STD_ERROR -1	/* a system error: tpm_errno holds the errno */

/* tpm_errno after TPMSEAL_FILE_ERROR. */
enum tpm_errors {
	ENOTSSHDR = 0,
	ENOTSSFTR,
	EWRONGTSSTAG,
	EWRONGEVPTAG,
	EWRONGDATTAG,
	EWRONGKEYTYPE,
	EBADSEEK,
};

extern int tpm_errno;

/*
 * Unseals FNAME into a new buffer (*tss_data, *tss_size bytes). With
 * srkWellKnown the SRK secret is the well-known one, else it is asked
 * for ("Enter SRK password: "). Returns 0, TPMSEAL_FILE_ERROR,
 * TPMSEAL_STD_ERROR, a negative stat() failure, or the TSS result.
 */
int tpmUnsealFile(char *fname, unsigned char **tss_data, int *tss_size, BOOL srkWellKnown);
/* Wipes and frees what tpmUnsealFile() returned. */
void tpmUnsealShred(unsigned char *data, int size);
/* A message for tpmUnsealFile()'s result (static storage). */
char *tpmUnsealStrerror(int rc);

#endif
