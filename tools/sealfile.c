/* tpm-tools' sealed-data file: format, parser, AES layer, seal/unseal (sealfile.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "sealfile.h"

#define HDR "-----BEGIN TSS-----"
#define FTR "-----END TSS-----"
#define TSS_TAG "-----TSS KEY-----"
#define EVP_TAG "-----ENC KEY-----"
#define DAT_TAG "-----ENC DAT-----"
#define KEYTYPE "Symmetric Key: "
#define CIPHER "AES-256-CBC"
/* tpm-tools' fixed IV (16 bytes, no NUL). */
static const uint8_t seal_iv[16] = "IBM SEALIBM SEAL";

/* Sections bigger than this are not what tpm_sealdata writes for keys. */
#define MAX_KEY_SECTION 4096

const char *sealfile_strerror(int err)
{
	static const char *const msg[] = {
		[SEALFILE_OK] = "Success",
		[SEALFILE_E_HEADER] = "No TSS header present",
		[SEALFILE_E_FOOTER] = "No TSS footer present",
		[SEALFILE_E_TSS_TAG] = "Wrong TSS tag",
		[SEALFILE_E_EVP_TAG] = "Wrong EVP tag",
		[SEALFILE_E_DAT_TAG] = "Wrong DATA tag",
		[SEALFILE_E_KEYTYPE] = "Not a Symmetric EVP Key",
		[SEALFILE_E_BASE64] = "Damaged base64 section",
		[SEALFILE_E_NOMEM] = "Out of memory",
		[SEALFILE_E_CRYPTO] = "Decryption failed",
	};

	if (err < 0 || (size_t)err >= sizeof(msg) / sizeof(msg[0]))
		return "Unknown error";
	return msg[err];
}

/* The next line (without its '\n'); false at the end of the text. */
static bool next_line(struct buf_reader *r, const uint8_t **line, size_t *n)
{
	size_t left = buf_remaining(r);
	const uint8_t *p = buf_consume(r, 0), *nl;

	if (!p || left == 0)
		return false;
	nl = memchr(p, '\n', left);
	*n = nl ? (size_t)(nl - p) : left;
	*line = p;
	buf_consume(r, nl ? *n + 1 : *n);
	return true;
}

/* tpm-tools compares line prefixes (strncmp), so trailing text is tolerated. */
static bool starts(const uint8_t *line, size_t n, const char *tag)
{
	size_t t = strlen(tag);

	return n >= t && memcmp(line, tag, t) == 0;
}

/*
 * Collects base64 lines up to the line starting with END (consumed) and
 * decodes them into *out (at most MAX bytes).
 */
static int read_b64(struct buf_reader *r, const char *end, int end_err, size_t max,
		    uint8_t **out, size_t *outlen)
{
	const uint8_t *line;
	size_t n, nchars = 0, pad = 0;
	char *text = NULL;
	uint8_t *bin = NULL;
	bool found = false;
	int len, err = SEALFILE_E_NOMEM;

	*out = NULL;
	*outlen = 0;
	/* Base64 is 4/3 of the data; the cap bounds the text before decoding. */
	if (max > SIZE_MAX / 2 || !(text = malloc(max / 3 * 4 + 8)))
		return SEALFILE_E_NOMEM;
	while (next_line(r, &line, &n)) {
		if (starts(line, n, end)) {
			found = true;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			uint8_t c = line[i];

			if (c == '\r' || c == ' ' || c == '\t')
				continue;
			if (nchars >= max / 3 * 4 + 4) {
				err = SEALFILE_E_BASE64;
				goto out;
			}
			text[nchars++] = (char)c;
		}
	}
	if (!found) {
		err = end_err;
		goto out;
	}
	if (nchars == 0 || nchars % 4 != 0) {
		err = SEALFILE_E_BASE64;
		goto out;
	}
	if (text[nchars - 1] == '=')
		pad++;
	if (text[nchars - 2] == '=')
		pad++;
	if (!(bin = malloc(nchars / 4 * 3 + 1)))
		goto out;
	len = EVP_DecodeBlock(bin, (const unsigned char *)text, (int)nchars);
	if (len < 0 || (size_t)len < pad) {
		err = SEALFILE_E_BASE64;
		goto out;
	}
	*out = bin;
	*outlen = (size_t)len - pad;
	bin = NULL;
	err = SEALFILE_OK;
out:
	free(text);
	free(bin);
	return err;
}

int sealfile_parse(const uint8_t *text, size_t len, struct sealfile *sf)
{
	struct buf_reader r;
	const uint8_t *line;
	size_t n;
	int err;

	memset(sf, 0, sizeof(*sf));
	if (len > SEALFILE_MAX_FILE)
		return SEALFILE_E_BASE64;
	buf_reader_init(&r, text, len);
	if (!next_line(&r, &line, &n) || !starts(line, n, HDR))
		return SEALFILE_E_HEADER;
	if (!next_line(&r, &line, &n) || !starts(line, n, TSS_TAG))
		return SEALFILE_E_TSS_TAG;
	if ((err = read_b64(&r, EVP_TAG, SEALFILE_E_EVP_TAG, MAX_KEY_SECTION, &sf->key,
			    &sf->key_len)))
		goto fail;
	if (!next_line(&r, &line, &n) || !starts(line, n, KEYTYPE)) {
		err = SEALFILE_E_KEYTYPE;
		goto fail;
	}
	if (!starts(line + strlen(KEYTYPE), n - strlen(KEYTYPE), CIPHER)) {
		err = SEALFILE_E_KEYTYPE;
		goto fail;
	}
	if ((err = read_b64(&r, DAT_TAG, SEALFILE_E_DAT_TAG, MAX_KEY_SECTION, &sf->enckey,
			    &sf->enckey_len)))
		goto fail;
	if ((err = read_b64(&r, FTR, SEALFILE_E_FOOTER, len, &sf->data, &sf->data_len)))
		goto fail;
	return SEALFILE_OK;
fail:
	sealfile_free(sf);
	return err;
}

/* Base64 in 64-column lines, each ending in '\n' (what OpenSSL's base64 BIO writes). */
static int put_b64(char **dst, size_t *off, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 48) {
		size_t chunk = n - i < 48 ? n - i : 48;
		int w = EVP_EncodeBlock((unsigned char *)*dst + *off, p + i, (int)chunk);

		if (w < 0)
			return -1;
		*off += (size_t)w;
		(*dst)[(*off)++] = '\n';
	}
	return 0;
}

static void put_str(char *dst, size_t *off, const char *s)
{
	size_t n = strlen(s);

	memcpy(dst + *off, s, n);
	*off += n;
}

static size_t b64_size(size_t n)
{
	return (n + 2) / 3 * 4 + (n + 47) / 48;
}

int sealfile_format(const struct sealfile *sf, char **text, size_t *len)
{
	size_t cap = 256 + b64_size(sf->key_len) + b64_size(sf->enckey_len) + b64_size(sf->data_len);
	size_t off = 0;
	char *out;

	*text = NULL;
	*len = 0;
	if (sf->data_len > SEALFILE_MAX_FILE || !(out = malloc(cap)))
		return SEALFILE_E_NOMEM;
	put_str(out, &off, HDR "\n" TSS_TAG "\n");
	if (put_b64(&out, &off, sf->key, sf->key_len))
		goto fail;
	put_str(out, &off, EVP_TAG "\n" KEYTYPE CIPHER "\n");
	if (put_b64(&out, &off, sf->enckey, sf->enckey_len))
		goto fail;
	put_str(out, &off, DAT_TAG "\n");
	if (put_b64(&out, &off, sf->data, sf->data_len))
		goto fail;
	put_str(out, &off, FTR "\n");
	out[off] = 0;
	*text = out;
	*len = off;
	return SEALFILE_OK;
fail:
	free(out);
	return SEALFILE_E_BASE64;
}

void sealfile_free(struct sealfile *sf)
{
	free(sf->key);
	free(sf->enckey);
	free(sf->data);
	memset(sf, 0, sizeof(*sf));
}

static int aes(int enc, const uint8_t key[SEALFILE_AES_KEY_LEN], const uint8_t *in, size_t n,
	       uint8_t **out, size_t *outlen)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t *buf = NULL;
	int l1 = 0, l2 = 0, err = SEALFILE_E_CRYPTO;

	*out = NULL;
	*outlen = 0;
	if (!c)
		return SEALFILE_E_NOMEM;
	if (n > SEALFILE_MAX_FILE || !(buf = malloc(n + 32))) {
		err = SEALFILE_E_NOMEM;
		goto out;
	}
	if (EVP_CipherInit_ex(c, EVP_aes_256_cbc(), NULL, key, seal_iv, enc) != 1 ||
	    EVP_CipherUpdate(c, buf, &l1, in, (int)n) != 1 ||
	    EVP_CipherFinal_ex(c, buf + l1, &l2) != 1)
		goto out;
	*out = buf;
	*outlen = (size_t)l1 + (size_t)l2;
	buf = NULL;
	err = SEALFILE_OK;
out:
	if (buf)
		OPENSSL_clear_free(buf, n + 32);
	EVP_CIPHER_CTX_free(c);
	return err;
}

int sealfile_encrypt(const uint8_t key[SEALFILE_AES_KEY_LEN], const uint8_t *in, size_t n,
		     uint8_t **out, size_t *outlen)
{
	return aes(1, key, in, n, out, outlen);
}

int sealfile_decrypt(const uint8_t key[SEALFILE_AES_KEY_LEN], const uint8_t *in, size_t n,
		     uint8_t **out, size_t *outlen)
{
	return aes(0, key, in, n, out, outlen);
}

/* Remembers the first failing function for the caller's message. */
#define TRY(call, name) do { if ((rc = (call)) != TSS_SUCCESS) { *failed = (name); goto out; } } while (0)

static TSS_RESULT fixed_policy(TSS_HCONTEXT ctx, TSS_HOBJECT obj, const char **failed)
{
	TSS_HPOLICY pol;
	TSS_RESULT rc;

	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE, &pol),
	    "Tspi_Context_CreateObject");
	TRY(Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, strlen(SEALFILE_SECRET),
				  (BYTE *)SEALFILE_SECRET), "Tspi_Policy_SetSecret");
	TRY(Tspi_Policy_AssignToObject(pol, obj), "Tspi_Policy_AssignToObject");
out:
	return rc;
}

TSS_RESULT sealfile_seal(TSS_HCONTEXT ctx, TSS_HTPM tpm, TSS_HKEY srk, const UINT32 *pcrs,
			 size_t npcrs, const uint8_t *plain, size_t n, struct sealfile *sf,
			 const char **failed)
{
	TSS_HPCRS hpcrs = 0;
	TSS_HKEY hkey;
	TSS_HENCDATA henc;
	TSS_RESULT rc;
	BYTE *rnd = NULL, *blob, *pcrval;
	UINT32 blob_len, pcrlen;
	TSS_FLAG pcr_flag = 0;

	memset(sf, 0, sizeof(*sf));
	*failed = NULL;
	if (npcrs) {
		for (size_t i = 0; i < npcrs; i++)
			if (pcrs[i] > 15)
				pcr_flag = TSS_PCRS_STRUCT_INFO_LONG;
		TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_PCRS, pcr_flag, &hpcrs),
		    "Tspi_Context_CreateObject");
		for (size_t i = 0; i < npcrs; i++) {
			TRY(Tspi_TPM_PcrRead(tpm, pcrs[i], &pcrlen, &pcrval), "Tspi_TPM_PcrRead");
			TRY(Tspi_PcrComposite_SetPcrValue(hpcrs, pcrs[i], pcrlen, pcrval),
			    "Tspi_PcrComposite_SetPcrValue");
		}
		/* PCRs above 15 need TPM_PCR_INFO_LONG; release at any locality. */
		if (pcr_flag)
			TRY(Tspi_PcrComposite_SetPcrLocality(hpcrs, TPM_LOC_ZERO | TPM_LOC_ONE |
							     TPM_LOC_TWO | TPM_LOC_THREE | TPM_LOC_FOUR),
			    "Tspi_PcrComposite_SetPcrLocality");
	}
	TRY(Tspi_TPM_GetRandom(tpm, SEALFILE_AES_KEY_LEN, &rnd), "Tspi_TPM_GetRandom");
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
				      TSS_KEY_TYPE_STORAGE | TSS_KEY_SIZE_2048 | TSS_KEY_VOLATILE |
				      TSS_KEY_AUTHORIZATION | TSS_KEY_NOT_MIGRATABLE, &hkey),
	    "Tspi_Context_CreateObject");
	if ((rc = fixed_policy(ctx, hkey, failed)))
		goto out;
	TRY(Tspi_Key_CreateKey(hkey, srk, 0), "Tspi_Key_CreateKey");
	TRY(Tspi_Key_LoadKey(hkey, srk), "Tspi_Key_LoadKey");
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_SEAL, &henc),
	    "Tspi_Context_CreateObject");
	if ((rc = fixed_policy(ctx, henc, failed)))
		goto out;
	TRY(Tspi_Data_Seal(henc, hkey, SEALFILE_AES_KEY_LEN, rnd, hpcrs), "Tspi_Data_Seal");
	TRY(Tspi_GetAttribData(henc, TSS_TSPATTRIB_ENCDATA_BLOB, TSS_TSPATTRIB_ENCDATABLOB_BLOB,
			       &blob_len, &blob), "Tspi_GetAttribData");
	sf->enckey = malloc(blob_len);
	if (!sf->enckey)
		goto nomem;
	memcpy(sf->enckey, blob, blob_len);
	sf->enckey_len = blob_len;
	TRY(Tspi_GetAttribData(hkey, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_BLOB,
			       &blob_len, &blob), "Tspi_GetAttribData");
	sf->key = malloc(blob_len);
	if (!sf->key)
		goto nomem;
	memcpy(sf->key, blob, blob_len);
	sf->key_len = blob_len;
	if (sealfile_encrypt(rnd, plain, n, &sf->data, &sf->data_len) != SEALFILE_OK) {
		*failed = "AES-256-CBC";
		rc = TSS_E_INTERNAL_ERROR;
		goto out;
	}
	rc = TSS_SUCCESS;
	goto out;
nomem:
	*failed = "malloc";
	rc = TSS_E_OUTOFMEMORY;
out:
	if (rnd)
		OPENSSL_cleanse(rnd, SEALFILE_AES_KEY_LEN);
	if (rc)
		sealfile_free(sf);
	return rc;
}

TSS_RESULT sealfile_unseal(TSS_HCONTEXT ctx, TSS_HKEY srk, const struct sealfile *sf,
			   uint8_t **plain, size_t *n, const char **failed)
{
	TSS_HENCDATA henc;
	TSS_HKEY hkey;
	TSS_RESULT rc;
	BYTE *sym = NULL;
	UINT32 sym_len = 0;

	*plain = NULL;
	*n = 0;
	*failed = NULL;
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_SEAL, &henc),
	    "Tspi_Context_CreateObject");
	TRY(Tspi_SetAttribData(henc, TSS_TSPATTRIB_ENCDATA_BLOB, TSS_TSPATTRIB_ENCDATABLOB_BLOB,
			       (UINT32)sf->enckey_len, sf->enckey), "Tspi_SetAttribData");
	if ((rc = fixed_policy(ctx, henc, failed)))
		goto out;
	/* Fails here when the file was sealed on another TPM (another SRK). */
	TRY(Tspi_Context_LoadKeyByBlob(ctx, srk, (UINT32)sf->key_len, sf->key, &hkey),
	    "Tspi_Context_LoadKeyByBlob");
	if ((rc = fixed_policy(ctx, hkey, failed)))
		goto out;
	TRY(Tspi_Data_Unseal(henc, hkey, &sym_len, &sym), "Tspi_Data_Unseal");
	if (sym_len != SEALFILE_AES_KEY_LEN ||
	    sealfile_decrypt(sym, sf->data, sf->data_len, plain, n) != SEALFILE_OK) {
		*failed = "AES-256-CBC";
		rc = TSS_E_INTERNAL_ERROR;
		goto out;
	}
out:
	if (sym)
		OPENSSL_cleanse(sym, sym_len);
	return rc;
}
