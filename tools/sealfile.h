/*
 * tpm-tools' sealed-data file (tpm_sealdata / tpm_unsealdata /
 * libtpm_unseal), byte-compatible both ways:
 *
 *   -----BEGIN TSS-----
 *   -----TSS KEY-----              base64 TPM_KEY blob of a storage key
 *   <base64, 64 columns>           (2048-bit, volatile, non-migratable,
 *   -----ENC KEY-----               usage secret "password") made under the SRK
 *   Symmetric Key: AES-256-CBC
 *   <base64>                       TPM_STORED_DATA: a random 32-byte AES key
 *   -----ENC DAT-----              sealed with that key (data secret "password",
 *   <base64>                        optionally to PCRs)
 *   -----END TSS-----              the data: AES-256-CBC, PKCS#7 padding,
 *                                  IV "IBM SEALIBM SEAL"
 *
 * The parser is bounded (common/buf.h) and caps every section.
 */
#ifndef TSS12_TOOLS_SEALFILE_H
#define TSS12_TOOLS_SEALFILE_H

#include <stddef.h>
#include <stdint.h>

#include <tss/tspi.h>

#define SEALFILE_MAX_FILE (64u << 20)	/* sealed files larger than this are refused */
#define SEALFILE_AES_KEY_LEN 32
/* The fixed secret of the sealing key and of the sealed AES key. */
#define SEALFILE_SECRET "password"

/* Parse results; the first six match libtpm_unseal's tpm_errors order + 1. */
enum sealfile_err {
	SEALFILE_OK = 0,
	SEALFILE_E_HEADER,	/* no -----BEGIN TSS----- */
	SEALFILE_E_FOOTER,	/* no -----END TSS----- */
	SEALFILE_E_TSS_TAG,	/* no -----TSS KEY----- */
	SEALFILE_E_EVP_TAG,	/* no -----ENC KEY----- */
	SEALFILE_E_DAT_TAG,	/* no -----ENC DAT----- */
	SEALFILE_E_KEYTYPE,	/* not "Symmetric Key: AES-256-CBC" */
	SEALFILE_E_BASE64,	/* a section is not valid base64 / empty / too big */
	SEALFILE_E_NOMEM,
	SEALFILE_E_CRYPTO,	/* AES failed (wrong key: bad padding) */
};

struct sealfile {
	uint8_t *key;		/* TPM_KEY blob of the sealing key */
	size_t key_len;
	uint8_t *enckey;	/* sealed AES key (TPM_STORED_DATA) */
	size_t enckey_len;
	uint8_t *data;		/* AES-256-CBC ciphertext */
	size_t data_len;
};

const char *sealfile_strerror(int err);

int sealfile_parse(const uint8_t *text, size_t len, struct sealfile *sf);
/* Renders SF as the armoured text (malloc'd, NUL-terminated). */
int sealfile_format(const struct sealfile *sf, char **text, size_t *len);
void sealfile_free(struct sealfile *sf);

/* AES-256-CBC with tpm-tools' IV; *out malloc'd. */
int sealfile_encrypt(const uint8_t key[SEALFILE_AES_KEY_LEN], const uint8_t *in, size_t n,
		     uint8_t **out, size_t *outlen);
int sealfile_decrypt(const uint8_t key[SEALFILE_AES_KEY_LEN], const uint8_t *in, size_t n,
		     uint8_t **out, size_t *outlen);

/*
 * Seals PLAIN under SRK (loaded, its policy set by the caller) to the
 * current values of PCRS (may be empty), as tpm_sealdata does. On a TSS
 * failure *FAILED names the Tspi function (for tpm-tools' messages).
 */
TSS_RESULT sealfile_seal(TSS_HCONTEXT ctx, TSS_HTPM tpm, TSS_HKEY srk, const UINT32 *pcrs,
			 size_t npcrs, const uint8_t *plain, size_t n, struct sealfile *sf,
			 const char **failed);
/* Unseals SF with SRK (loaded, policy set). *plain malloc'd; wipe it with OPENSSL_clear_free. */
TSS_RESULT sealfile_unseal(TSS_HCONTEXT ctx, TSS_HKEY srk, const struct sealfile *sf,
			   uint8_t **plain, size_t *n, const char **failed);

#endif
