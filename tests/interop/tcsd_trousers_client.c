/*
 * TrouSerS' libtspi (Debian's, built against /usr/include/tss) as a
 * client of tss12's tcsd. The daemon is chosen by TSS_TCSD_HOSTNAME /
 * TSS_TCSD_PORT (tcsd_trousers_client.sh). Every call must succeed and
 * the values must be consistent with each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <tss/tspi.h>

static int failures;

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			failures++;                                       \
			fprintf(stderr, "FAIL line %d: ", __LINE__);      \
			fprintf(stderr, __VA_ARGS__);                     \
			fputc('\n', stderr);                              \
		}                                                         \
	} while (0)

int main(void)
{
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_RESULT rc;
	BYTE *rnd = NULL, *before = NULL, *after = NULL, *extended = NULL, *cap = NULL;
	BYTE *rnd2 = NULL;
	UINT32 len = 0, before_len = 0, after_len = 0, ext_len = 0, cap_len = 0, len2 = 0;
	BYTE data[20];
	BYTE expect[20];
	EVP_MD_CTX *md;

	rc = Tspi_Context_Create(&ctx);
	CHECK(rc == TSS_SUCCESS, "Tspi_Context_Create: 0x%x", rc);
	rc = Tspi_Context_Connect(ctx, NULL);
	CHECK(rc == TSS_SUCCESS, "Tspi_Context_Connect: 0x%x", rc);
	if (rc != TSS_SUCCESS)
		return 1;
	rc = Tspi_Context_GetTpmObject(ctx, &tpm);
	CHECK(rc == TSS_SUCCESS, "GetTpmObject: 0x%x", rc);

	rc = Tspi_TPM_GetRandom(tpm, 32, &rnd);
	CHECK(rc == TSS_SUCCESS, "GetRandom: 0x%x", rc);
	rc = Tspi_TPM_GetRandom(tpm, 32, &rnd2);
	CHECK(rc == TSS_SUCCESS && memcmp(rnd, rnd2, 32) != 0, "two GetRandom differ: 0x%x", rc);

	rc = Tspi_TPM_PcrRead(tpm, 16, &before_len, &before);
	CHECK(rc == TSS_SUCCESS && before_len == 20, "PcrRead: 0x%x len %u", rc, before_len);
	memset(data, 0xa5, sizeof(data));
	rc = Tspi_TPM_PcrExtend(tpm, 16, sizeof(data), data, NULL, &ext_len, &extended);
	CHECK(rc == TSS_SUCCESS && ext_len == 20, "PcrExtend: 0x%x len %u", rc, ext_len);
	rc = Tspi_TPM_PcrRead(tpm, 16, &after_len, &after);
	CHECK(rc == TSS_SUCCESS && after_len == 20, "PcrRead after: 0x%x", rc);
	if (rc == TSS_SUCCESS && extended != NULL && before != NULL) {
		/* Without an event, libtspi extends by the 20 data bytes as given. */
		md = EVP_MD_CTX_new();
		EVP_DigestInit_ex(md, EVP_sha1(), NULL);
		EVP_DigestUpdate(md, before, 20);
		EVP_DigestUpdate(md, data, 20);
		EVP_DigestFinal_ex(md, expect, NULL);
		EVP_MD_CTX_free(md);
		CHECK(memcmp(after, extended, 20) == 0, "PcrRead == PcrExtend's value");
		CHECK(memcmp(after, expect, 20) == 0, "new PCR = SHA1(old || data)");
	}

	rc = Tspi_TPM_GetCapability(tpm, TSS_TPMCAP_VERSION_VAL, 0, NULL, &cap_len, &cap);
	CHECK(rc == TSS_SUCCESS && cap_len >= 6 && cap[2] == 1 && cap[3] == 2,
	      "GetCapability VERSION_VAL: 0x%x len %u", rc, cap_len);
	Tspi_Context_FreeMemory(ctx, cap);
	rc = Tspi_TPM_GetCapability(tpm, TSS_TPMCAP_PROPERTY, 4,
				    (BYTE *)&(UINT32){ TSS_TPMCAP_PROP_PCR }, &len, &cap);
	CHECK(rc == TSS_SUCCESS && len == 4 && *(UINT32 *)cap == 24,
	      "GetCapability PROP_PCR: 0x%x", rc);
	Tspi_Context_FreeMemory(ctx, cap);
	(void)len2;

	rc = Tspi_Context_FreeMemory(ctx, NULL);
	CHECK(rc == TSS_SUCCESS, "FreeMemory: 0x%x", rc);
	rc = Tspi_Context_Close(ctx);
	CHECK(rc == TSS_SUCCESS, "Tspi_Context_Close: 0x%x", rc);

	printf("%s\n", failures == 0 ? "all TrouSerS libtspi calls passed" : "FAILED");
	return failures == 0 ? 0 : 1;
}
