/*
 * Prints what the Trspi_* helpers return for a fixed set of inputs, so
 * that the output of this program built against TrouSerS' libtspi can be
 * compared byte for byte with the output built against tss12's
 * common/trspi.c (see trspi_compat.sh).
 *
 * Usage: trspi_compat [locale]   ("" = the environment's, default "C")
 *
 * Covered: Trspi_Error_String/Layer/Code for every code 0..0x3FFF and
 * some with high bits; Native_To_UNICODE and UNICODE_To_Native for
 * sample strings (ASCII, non-ASCII, invalid, long); Unload of PUBKEY,
 * CAP_VERSION_INFO and NV_DATA_PUBLIC blobs and the matching Load.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss/platform.h>
#include <tss/tss_typedef.h>
#include <tss/tss_structs.h>
#include <tss/tpm.h>
#include <trousers/trousers.h>

static void print_hex(const char *tag, const BYTE *p, unsigned n)
{
	printf("%s n=%u ", tag, n);
	for (unsigned i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static void errors(void)
{
	static const TSS_RESULT extra[] = {
		0x00010000, 0x12345678, 0xffffffff, 0x80000000, 0x40003001, 0x00004001,
		0x0000f123, 0x00005002, 0x28003113,
	};

	for (TSS_RESULT r = 0; r < 0x4000; r++)
		printf("%04x|%s|%s|%x\n", (unsigned)r, Trspi_Error_String(r),
		       Trspi_Error_Layer(r), (unsigned)Trspi_Error_Code(r));
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		printf("%08x|%s|%s|%x\n", (unsigned)extra[i], Trspi_Error_String(extra[i]),
		       Trspi_Error_Layer(extra[i]), (unsigned)Trspi_Error_Code(extra[i]));
}

static void to_unicode(const char *tag, const char *s)
{
	unsigned n = 12345;
	BYTE *u = Trspi_Native_To_UNICODE((BYTE *)s, &n);

	if (u == NULL) {
		printf("N2U %s NULL n=%u\n", tag, n);
		return;
	}
	print_hex(tag, u, n);
	free(u);
}

static void to_native(const char *tag, const BYTE *s)
{
	unsigned n = 12345;
	BYTE *u = Trspi_UNICODE_To_Native((BYTE *)s, &n);

	if (u == NULL) {
		printf("U2N %s NULL n=%u\n", tag, n);
		return;
	}
	print_hex(tag, u, n);
	free(u);
}

static void unicode(void)
{
	static const struct {
		const char *tag, *s;
	} samples[] = {
		{ "empty", "" },
		{ "a", "a" },
		{ "password", "my secret password" },
		{ "latin1-utf8", "p\xc3\xa4ss" },
		{ "euro", "\xe2\x82\xac" },
		{ "emoji", "\xf0\x9f\x98\x80" },
		{ "invalid-mid", "ab\xff" "cd" },
		{ "truncated", "ab\xc3" },
		{ "invalid-first", "\x80" },
		{ "latin1-byte", "caf\xe9" },
	};
	static const BYTE u_ab[] = { 'a', 0, 'b', 0, 0, 0 };
	static const BYTE u_empty[] = { 0, 0 };
	static const BYTE u_ae[] = { 0xe4, 0, 'x', 0, 0, 0 };
	static const BYTE u_emoji[] = { 0x3d, 0xd8, 0x00, 0xde, 0, 0 };
	static const BYTE u_lone[] = { 0x3d, 0xd8, 'a', 0, 0, 0 };
	static const BYTE u_a_lone[] = { 'a', 0, 0x3d, 0xd8, 0, 0 };
	static const BYTE u_0100[] = { 0x00, 0x01, 0, 0 };
	static const BYTE u_odd[] = { 'a', 0, 0, 'b', 0, 0 };
	unsigned n;
	BYTE *p;

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		to_unicode(samples[i].tag, samples[i].s);
	n = 12345;
	p = Trspi_Native_To_UNICODE(NULL, &n);
	print_hex("N2U NULL", p, p != NULL ? n : 0);
	free(p);

	/* Around the 4096-byte limit. */
	for (unsigned len = 2045; len <= 2050; len++) {
		char *s = malloc(len + 1);
		char tag[32];

		if (s == NULL)
			return;
		memset(s, 'x', len);
		s[len] = 0;
		n = 12345;
		p = Trspi_Native_To_UNICODE((BYTE *)s, &n);
		snprintf(tag, sizeof(tag), "long%u", len);
		printf("%s %s n=%u\n", tag, p != NULL ? "ok" : "NULL", p != NULL ? n : 0);
		free(p);
		free(s);
	}
	for (unsigned len = 4093; len <= 4097; len++) {
		BYTE *s = calloc(2 * (size_t)len + 2, 1);

		if (s == NULL)
			return;
		for (unsigned i = 0; i < len; i++)
			s[2 * i] = 'y';
		n = 12345;
		p = Trspi_UNICODE_To_Native(s, &n);
		printf("ulong%u %s n=%u\n", len, p != NULL ? "ok" : "NULL", p != NULL ? n : 0);
		free(p);
		free(s);
	}

	to_native("U2N ab", u_ab);
	to_native("U2N empty", u_empty);
	to_native("U2N ae", u_ae);
	to_native("U2N emoji", u_emoji);
	to_native("U2N lone", u_lone);
	to_native("U2N a-lone", u_a_lone);
	to_native("U2N 0100", u_0100);
	to_native("U2N odd", u_odd);
	n = 12345;
	p = Trspi_UNICODE_To_Native(NULL, &n);
	printf("U2N NULL %s n=%u\n", p != NULL ? "ptr" : "NULL", n);
}

static void blobs(void)
{
	/* TPM_PUBKEY: RSA, OAEP, no sig, 12 parm bytes, 4-byte "modulus" */
	static const BYTE pubkey[] = {
		0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0c,
		0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef,
	};
	/* TPM_CAP_VERSION_INFO with 3 vendor bytes */
	static const BYTE capver[] = {
		0x00, 0x30, 0x01, 0x02, 0x03, 0x04, 0x00, 0x02, 0x03, 'I', 'B', 'M', 0x00,
		0x00, 0x03, 0xaa, 0xbb, 0xcc,
	};
	/* TPM_NV_DATA_PUBLIC with 3-byte selections */
	static const BYTE nvpub[] = {
		0x00, 0x18, 0x00, 0x01, 0x10, 0x00,
		0x00, 0x03, 0x01, 0x02, 0x03, 0x1f,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
		0x00, 0x03, 0x00, 0x00, 0x80, 0x01,
		21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
		0x00, 0x17, 0x00, 0x04, 0x00, 0x02, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00,
	};
	BYTE out[256];
	UINT64 off = 0, off2 = 0;
	TCPA_PUBKEY pk;
	TPM_CAP_VERSION_INFO cv;
	TPM_NV_DATA_PUBLIC nv;
	TSS_RESULT rc;

	memset(&pk, 0, sizeof(pk));
	rc = Trspi_UnloadBlob_PUBKEY(&off, (BYTE *)pubkey, &pk);
	printf("PUBKEY rc=%x off=%llu alg=%x enc=%x sig=%x parms=%u keylen=%u\n", (unsigned)rc,
	       (unsigned long long)off, (unsigned)pk.algorithmParms.algorithmID,
	       (unsigned)pk.algorithmParms.encScheme, (unsigned)pk.algorithmParms.sigScheme,
	       (unsigned)pk.algorithmParms.parmSize, (unsigned)pk.pubKey.keyLength);
	Trspi_LoadBlob_PUBKEY(&off2, NULL, &pk);
	printf("PUBKEY measure=%llu\n", (unsigned long long)off2);
	off2 = 0;
	Trspi_LoadBlob_PUBKEY(&off2, out, &pk);
	print_hex("PUBKEY reload", out, (unsigned)off2);
	free(pk.algorithmParms.parms);
	free(pk.pubKey.key);
	off = 0;
	rc = Trspi_UnloadBlob_PUBKEY(&off, (BYTE *)pubkey, NULL);
	printf("PUBKEY skip rc=%x off=%llu\n", (unsigned)rc, (unsigned long long)off);

	off = 0;
	memset(&cv, 0, sizeof(cv));
	rc = Trspi_UnloadBlob_CAP_VERSION_INFO(&off, (BYTE *)capver, &cv);
	printf("CAPVER rc=%x off=%llu tag=%x ver=%u.%u.%u.%u spec=%x errata=%x vendor=%.4s vs=%u\n",
	       (unsigned)rc, (unsigned long long)off, (unsigned)cv.tag, cv.version.major,
	       cv.version.minor, cv.version.revMajor, cv.version.revMinor, (unsigned)cv.specLevel,
	       (unsigned)cv.errataRev, (const char *)cv.tpmVendorID, (unsigned)cv.vendorSpecificSize);
	off2 = 0;
	Trspi_LoadBlob_CAP_VERSION_INFO(&off2, out, &cv);
	print_hex("CAPVER reload", out, (unsigned)off2);
	free(cv.vendorSpecific);

	off = 0;
	memset(&nv, 0, sizeof(nv));
	rc = Trspi_UnloadBlob_NV_DATA_PUBLIC(&off, (BYTE *)nvpub, &nv);
	printf("NVPUB rc=%x off=%llu tag=%x idx=%x rsel=%u rloc=%x wsel=%u perm=%x/%x "
	       "flags=%u%u%u size=%u\n", (unsigned)rc, (unsigned long long)off, (unsigned)nv.tag,
	       (unsigned)nv.nvIndex, (unsigned)nv.pcrInfoRead.pcrSelection.sizeOfSelect,
	       (unsigned)nv.pcrInfoRead.localityAtRelease,
	       (unsigned)nv.pcrInfoWrite.pcrSelection.sizeOfSelect, (unsigned)nv.permission.tag,
	       (unsigned)nv.permission.attributes, nv.bReadSTClear, nv.bWriteSTClear,
	       nv.bWriteDefine, (unsigned)nv.dataSize);
	free(nv.pcrInfoRead.pcrSelection.pcrSelect);
	free(nv.pcrInfoWrite.pcrSelection.pcrSelect);
	off = 0;
	rc = Trspi_UnloadBlob_NV_DATA_PUBLIC(&off, (BYTE *)nvpub, NULL);
	printf("NVPUB skip rc=%x off=%llu\n", (unsigned)rc, (unsigned long long)off);
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, argc > 1 ? argv[1] : "C");
	errors();
	unicode();
	blobs();
	return 0;
}
