/*
 * Captures TPM 1.2 structures that a real TPM emits without any
 * authorisation, from libtpms running in this process, and writes each as
 * a vector file (tests/unit/vectors.h format) for test_tpm_structs.
 *
 * Not built by make. To run it (from the source tree):
 *
 *   cc -std=c11 -Wall -o /tmp/capture_unauth tests/unit/vectors/capture_unauth.c \
 *      $(pkg-config --cflags --libs libtpms)
 *   /tmp/capture_unauth tests/unit/vectors
 *
 * It makes a fresh TPM in a temporary directory (TPM_PATH), starts it,
 * asserts physical presence, enables and activates it, creates the EK and
 * then records:
 *   tpm_pubkey.hex           TPM_ReadPubek                       -> TPM_PUBKEY
 *   tpm_key_parms.hex        its algorithmParms                  -> TPM_KEY_PARMS
 *   tpm_rsa_key_parms.hex    their parms                         -> TPM_RSA_KEY_PARMS
 *   tpm_store_pubkey.hex     its pubKey                          -> TPM_STORE_PUBKEY
 *   tpm_cap_version_info.hex GetCapability(TPM_CAP_VERSION_VAL)  -> TPM_CAP_VERSION_INFO
 *   tpm_permanent_flags.hex  GetCapability(TPM_CAP_FLAG, PERMANENT) -> TPM_PERMANENT_FLAGS
 *   tpm_stclear_flags.hex    GetCapability(TPM_CAP_FLAG, VOLATILE)  -> TPM_STCLEAR_FLAGS
 *   tpm_current_ticks.hex    TPM_GetTicks                        -> TPM_CURRENT_TICKS
 *   tpm_nv_data_public.hex   GetCapability(TPM_CAP_NV_INDEX) after an owner-less
 *                            TPM_NV_DefineSpace                  -> TPM_NV_DATA_PUBLIC
 *   tpm_pcr_info_short.hex   its pcrInfoRead                     -> TPM_PCR_INFO_SHORT
 *   tpm_nv_attributes.hex    its permission                      -> TPM_NV_ATTRIBUTES
 *   tpm_pcr_selection.hex    pcrInfoRead's selection             -> TPM_PCR_SELECTION
 *
 * Byte layouts are from TPM Main Specification Part 2 and 3 (1.2 rev 116).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_types.h>

#define ORD_PHYSICAL_ENABLE 0x0000006f
#define ORD_PHYSICAL_SET_DEACTIVATED 0x00000072
#define ORD_CREATE_EK 0x00000078
#define ORD_READ_PUBEK 0x0000007c
#define ORD_GET_CAPABILITY 0x00000065
#define ORD_GET_TICKS 0x000000f1
#define ORD_NV_DEFINE_SPACE 0x000000cc
#define ORD_STARTUP 0x00000099
#define ORD_TSC_PHYSICAL_PRESENCE 0x4000000a

#define CAP_FLAG 0x00000004
#define CAP_FLAG_PERMANENT 0x00000108
#define CAP_FLAG_VOLATILE 0x00000109
#define CAP_NV_INDEX 0x00000011
#define CAP_VERSION_VAL 0x0000001a

#define NV_INDEX 0x00011101

struct cmd {
	uint8_t b[1024];
	size_t n;
};

static void put8(struct cmd *c, uint8_t v)
{
	if (c->n >= sizeof(c->b)) {
		fprintf(stderr, "command too long\n");
		exit(1);
	}
	c->b[c->n++] = v;
}

static void put16(struct cmd *c, uint16_t v)
{
	put8(c, (uint8_t)(v >> 8));
	put8(c, (uint8_t)v);
}

static void put32(struct cmd *c, uint32_t v)
{
	put16(c, (uint16_t)(v >> 16));
	put16(c, (uint16_t)v);
}

static void putn(struct cmd *c, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(c, p[i]);
}

/* Starts an unauthorised command (tag TPM_TAG_RQU_COMMAND); size patched in run(). */
static void begin(struct cmd *c, uint32_t ordinal)
{
	c->n = 0;
	put16(c, 0x00c1);
	put32(c, 0);
	put32(c, ordinal);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Sends c, fails hard unless the TPM answers TPM_SUCCESS; returns the body after the header. */
static size_t run(struct cmd *c, const char *what, uint8_t *out, size_t cap)
{
	unsigned char *rsp = NULL;
	uint32_t rsp_len = 0, rsp_cap = 0, rc;
	size_t body;

	c->b[2] = (uint8_t)(c->n >> 24);
	c->b[3] = (uint8_t)(c->n >> 16);
	c->b[4] = (uint8_t)(c->n >> 8);
	c->b[5] = (uint8_t)c->n;
	if (TPMLIB_Process(&rsp, &rsp_len, &rsp_cap, c->b, (uint32_t)c->n) != TPM_SUCCESS ||
	    rsp_len < 10) {
		fprintf(stderr, "%s: TPMLIB_Process failed\n", what);
		exit(1);
	}
	rc = get32(rsp + 6);
	if (rc != 0) {
		fprintf(stderr, "%s: TPM returned 0x%x\n", what, rc);
		exit(1);
	}
	body = rsp_len - 10;
	if (body > cap) {
		fprintf(stderr, "%s: response too long\n", what);
		exit(1);
	}
	memcpy(out, rsp + 10, body);
	free(rsp);
	return body;
}

static void write_vector(const char *dir, const char *name, const char *how,
			 const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fprintf(f, "# captured from libtpms %08x (TPM 1.2) by tests/unit/vectors/capture_unauth.c: %s\n",
		TPMLIB_GetVersion(), how);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x%s", p[i], (i % 32 == 31 || i + 1 == n) ? "\n" : "");
	fclose(f);
	printf("wrote %s (%zu bytes)\n", path, n);
}

static size_t get_capability(uint32_t cap, const uint8_t *sub, size_t sub_len, uint8_t *out,
			     size_t out_cap, const char *what)
{
	uint8_t rsp[4096];
	struct cmd c;
	size_t n, size;

	begin(&c, ORD_GET_CAPABILITY);
	put32(&c, cap);
	put32(&c, (uint32_t)sub_len);
	putn(&c, sub, sub_len);
	n = run(&c, what, rsp, sizeof(rsp));
	size = get32(rsp);
	if (n < 4 || size != n - 4 || size > out_cap) {
		fprintf(stderr, "%s: bad respSize\n", what);
		exit(1);
	}
	memcpy(out, rsp + 4, size);
	return size;
}

/* The state directory holds only libtpms' NVRAM files, no subdirectories. */
static void remove_state(const char *path)
{
	char file[4096];
	struct dirent *e;
	DIR *d = opendir(path);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		unlink(file);
	}
	closedir(d);
	rmdir(path);
}

static void startup(void)
{
	struct cmd c;
	uint8_t rsp[64];

	if (TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_1_2) != TPM_SUCCESS ||
	    TPMLIB_MainInit() != TPM_SUCCESS) {
		fprintf(stderr, "libtpms init failed\n");
		exit(1);
	}
	begin(&c, ORD_STARTUP);
	put16(&c, 0x0001); /* TPM_ST_CLEAR */
	run(&c, "TPM_Startup", rsp, sizeof(rsp));
}

static void physical_presence(void)
{
	struct cmd c;
	uint8_t rsp[64];

	begin(&c, ORD_TSC_PHYSICAL_PRESENCE);
	put16(&c, 0x0020); /* TPM_PHYSICAL_PRESENCE_CMD_ENABLE */
	run(&c, "TSC_PhysicalPresence(CMD_ENABLE)", rsp, sizeof(rsp));
	begin(&c, ORD_TSC_PHYSICAL_PRESENCE);
	put16(&c, 0x0008); /* TPM_PHYSICAL_PRESENCE_PRESENT */
	run(&c, "TSC_PhysicalPresence(PRESENT)", rsp, sizeof(rsp));
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/capture_unauth.XXXXXX";
	uint8_t rsp[4096], data[4096], nonce[20];
	struct cmd c;
	size_t n, parms_len;
	const char *dir;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTPUT-DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	setenv("TPM_PATH", tmpl, 1);

	/* A fresh TPM is disabled and deactivated: fix both, then restart for deactivated. */
	startup();
	physical_presence();
	begin(&c, ORD_PHYSICAL_ENABLE);
	run(&c, "TPM_PhysicalEnable", rsp, sizeof(rsp));
	begin(&c, ORD_PHYSICAL_SET_DEACTIVATED);
	put8(&c, 0);
	run(&c, "TPM_PhysicalSetDeactivated(FALSE)", rsp, sizeof(rsp));
	TPMLIB_Terminate();
	startup();
	physical_presence();

	/* EK: RSA 2048, OAEP, no signatures, default exponent (Part 3 §27.7). */
	memset(nonce, 0x5a, sizeof(nonce));
	begin(&c, ORD_CREATE_EK);
	putn(&c, nonce, sizeof(nonce));
	put32(&c, 0x00000001); /* TPM_ALG_RSA */
	put16(&c, 0x0003);     /* TPM_ES_RSAESOAEP_SHA1_MGF1 */
	put16(&c, 0x0001);     /* TPM_SS_NONE */
	put32(&c, 12);
	put32(&c, 2048);
	put32(&c, 2);
	put32(&c, 0);
	run(&c, "TPM_CreateEndorsementKeyPair", rsp, sizeof(rsp));

	/* TPM_ReadPubek: TPM_PUBKEY, then a 20-byte checksum (Part 3 §27.6). */
	memset(nonce, 0xa5, sizeof(nonce));
	begin(&c, ORD_READ_PUBEK);
	putn(&c, nonce, sizeof(nonce));
	n = run(&c, "TPM_ReadPubek", rsp, sizeof(rsp));
	if (n < 20 + 12 + 4) {
		fprintf(stderr, "short ReadPubek\n");
		return 1;
	}
	write_vector(dir, "tpm_pubkey.hex", "TPM_ReadPubek pubEndorsementKey", rsp, n - 20);
	parms_len = 12 + get32(rsp + 8);
	write_vector(dir, "tpm_key_parms.hex",
		     "TPM_ReadPubek pubEndorsementKey.algorithmParms", rsp, parms_len);
	write_vector(dir, "tpm_rsa_key_parms.hex",
		     "TPM_ReadPubek pubEndorsementKey.algorithmParms.parms", rsp + 12, get32(rsp + 8));
	write_vector(dir, "tpm_store_pubkey.hex", "TPM_ReadPubek pubEndorsementKey.pubKey",
		     rsp + parms_len, n - 20 - parms_len);

	n = get_capability(CAP_VERSION_VAL, NULL, 0, data, sizeof(data), "GetCapability VERSION_VAL");
	write_vector(dir, "tpm_cap_version_info.hex", "TPM_GetCapability(TPM_CAP_VERSION_VAL)",
		     data, n);

	{
		uint8_t sub[4] = { 0, 0, 0x01, 0x08 };

		n = get_capability(CAP_FLAG, sub, 4, data, sizeof(data), "GetCapability FLAG_PERMANENT");
		write_vector(dir, "tpm_permanent_flags.hex",
			     "TPM_GetCapability(TPM_CAP_FLAG, TPM_CAP_FLAG_PERMANENT) on an enabled, "
			     "active, unowned TPM with an EK",
			     data, n);
		sub[3] = 0x09;
		n = get_capability(CAP_FLAG, sub, 4, data, sizeof(data), "GetCapability FLAG_VOLATILE");
		write_vector(dir, "tpm_stclear_flags.hex",
			     "TPM_GetCapability(TPM_CAP_FLAG, TPM_CAP_FLAG_VOLATILE) with physical "
			     "presence asserted",
			     data, n);
	}

	begin(&c, ORD_GET_TICKS);
	n = run(&c, "TPM_GetTicks", rsp, sizeof(rsp));
	write_vector(dir, "tpm_current_ticks.hex", "TPM_GetTicks currentTime", rsp, n);

	/*
	 * Without an owner, TPM_NV_DefineSpace needs no authorisation while
	 * nvLocked is FALSE (Part 3 §20.1). Readable at PCR 16 = its reset
	 * value, locality 0-4; writable with auth; 32 bytes.
	 */
	begin(&c, ORD_NV_DEFINE_SPACE);
	put16(&c, 0x0018); /* TPM_TAG_NV_DATA_PUBLIC */
	put32(&c, NV_INDEX);
	/* pcrInfoRead: PCR 16 selected; digestAtRelease is not checked at define time */
	put16(&c, 3);
	put8(&c, 0x00);
	put8(&c, 0x00);
	put8(&c, 0x01);
	put8(&c, 0x1f);
	for (int i = 0; i < 20; i++)
		put8(&c, (uint8_t)(0x10 + i));
	/* pcrInfoWrite: no PCRs */
	put16(&c, 3);
	put8(&c, 0);
	put8(&c, 0);
	put8(&c, 0);
	put8(&c, 0x1f);
	for (int i = 0; i < 20; i++)
		put8(&c, 0);
	put16(&c, 0x0017);     /* TPM_TAG_NV_ATTRIBUTES */
	put32(&c, 0x00000004); /* TPM_NV_PER_AUTHWRITE */
	put8(&c, 0);
	put8(&c, 0);
	put8(&c, 0);
	put32(&c, 32);
	for (int i = 0; i < 20; i++)
		put8(&c, 0x33); /* encAuth, unused without an owner session */
	run(&c, "TPM_NV_DefineSpace", rsp, sizeof(rsp));
	{
		uint8_t sub[4] = { (uint8_t)(NV_INDEX >> 24), (uint8_t)(NV_INDEX >> 16),
				   (uint8_t)(NV_INDEX >> 8), (uint8_t)NV_INDEX };

		n = get_capability(CAP_NV_INDEX, sub, 4, data, sizeof(data), "GetCapability NV_INDEX");
	}
	write_vector(dir, "tpm_nv_data_public.hex",
		     "TPM_GetCapability(TPM_CAP_NV_INDEX, 0x00011101) after an owner-less "
		     "TPM_NV_DefineSpace",
		     data, n);
	/* tag(2) index(4), then pcrInfoRead: selection(2+3) locality(1) digest(20) */
	write_vector(dir, "tpm_pcr_info_short.hex",
		     "TPM_GetCapability(TPM_CAP_NV_INDEX) pcrInfoRead", data + 6, 26);
	write_vector(dir, "tpm_pcr_selection.hex",
		     "TPM_GetCapability(TPM_CAP_NV_INDEX) pcrInfoRead.pcrSelection", data + 6, 5);
	write_vector(dir, "tpm_nv_attributes.hex",
		     "TPM_GetCapability(TPM_CAP_NV_INDEX) permission", data + 6 + 26 + 26, 6);

	TPMLIB_Terminate();
	remove_state(tmpl);
	return 0;
}
