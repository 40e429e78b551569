/*
 * Unit tests for the Trspi_* helpers (common/trspi.c): error text,
 * UTF-16 conversion, blob Load/Unload round trips and bad input,
 * hashing against known SHA-1/HMAC vectors, RSA and symmetric helpers.
 * (tests/interop/trspi_compat.sh compares the same functions with
 * TrouSerS' own libtspi.)
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <tss/platform.h>
#include <tss/tss_defines.h>
#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>
#include <tss/tcs_error.h>
#include <tss/tddl_error.h>
#include <tss/tss_structs.h>
#include <tss/tss_typedef.h>
#include <tss/tpm.h>
#include <trousers/trousers.h>

#include "crypto.h"

/* Exported for binaries built against TrouSerS, which does not declare it. */
void Trspi_LoadBlob_UINT64(UINT64 *offset, UINT64 in, BYTE *blob);

/* ---------------------------------------------------------------- */
/* Error text                                                        */
/* ---------------------------------------------------------------- */

static void error_strings(void **state)
{
	(void)state;
	assert_string_equal(Trspi_Error_String(TSS_SUCCESS), "Success");
	assert_string_equal(Trspi_Error_String(TPM_E_AUTHFAIL), "Authentication failed");
	assert_string_equal(Trspi_Error_String(TPM_E_DEFEND_LOCK_RUNNING),
			    "TPM is defending against dictionary attacks and is in some time-out period");
	assert_string_equal(Trspi_Error_String(TPM_E_RETRY), "TPM busy: Retry command at a later time");
	assert_string_equal(Trspi_Error_String(TSP_ERROR(TSS_E_POLICY_NO_SECRET)),
			    "No secret information available for the address policy");
	assert_string_equal(Trspi_Error_String(TSP_ERROR(TSS_E_KEY_NOT_SET)),
			    "No key informatio is currently available");
	assert_string_equal(Trspi_Error_String(TCS_ERROR(TCS_E_KM_LOADFAILED)),
			    "Key load failed: parent key requires authorization");
	assert_string_equal(Trspi_Error_String(TDDL_ERROR(TDDL_E_COMPONENT_NOT_FOUND)),
			    "Connection to TPM device failed");
	/* Common codes are known in every software layer... */
	assert_string_equal(Trspi_Error_String(TCS_ERROR(TSS_E_COMM_FAILURE)), "Communication failure");
	assert_string_equal(Trspi_Error_String(TDDL_ERROR(TSS_E_OUTOFMEMORY)), "Out of memory");
	/* ...but a TCS code is not a TSP one, nor a TSS code a TPM one. */
	assert_string_equal(Trspi_Error_String(TSP_ERROR(TCS_E_INVALID_KEY)), "Unknown");
	assert_string_equal(Trspi_Error_String(TSS_E_NO_CONNECTION), "Unknown error");
	/* The TPM layer shares numbers with TSS codes; the TPM meaning wins. */
	assert_string_equal(Trspi_Error_String(0x002), "Bad memory index");
	/* Success regardless of layer and of the high bits. */
	assert_string_equal(Trspi_Error_String(0x3000), "Success");
	assert_string_equal(Trspi_Error_String(0x80010000), "Success");
	/* Only bits 12-13 select the layer (TrouSerS' mask), so 0x4001 is TPM. */
	assert_string_equal(Trspi_Error_String(0x4001), "Authentication failed");
	assert_string_equal(Trspi_Error_String(0x0060), "Unknown error");
}

static void error_layers_and_codes(void **state)
{
	(void)state;
	assert_string_equal(Trspi_Error_Layer(TPM_E_FAIL), "tpm");
	assert_string_equal(Trspi_Error_Layer(TDDL_ERROR(TDDL_E_IOERROR)), "tddl");
	assert_string_equal(Trspi_Error_Layer(TCS_ERROR(TSS_E_FAIL)), "tcs");
	assert_string_equal(Trspi_Error_Layer(TSP_ERROR(TSS_E_FAIL)), "tsp");
	assert_string_equal(Trspi_Error_Layer(0xffffffff), "tsp");
	assert_int_equal(Trspi_Error_Code(TSP_ERROR(TSS_E_INVALID_HANDLE)), TSS_E_INVALID_HANDLE);
	assert_int_equal(Trspi_Error_Code(0x12345678), 0x678);
	assert_int_equal(Trspi_Error_Code(TPM_E_NEEDS_SELFTEST), 0x801);
}

static void error_strings_total(void **state)
{
	unsigned int unknown = 0;

	(void)state;
	for (UINT32 r = 0; r < 0x10000; r++) {
		const char *s = Trspi_Error_String(r);

		assert_non_null(s);
		assert_non_null(Trspi_Error_Layer(r));
		if (strncmp(s, "Unknown", 7) == 0)
			unknown++;
	}
	/*
	 * Known per 0x4000 codes, as counted from TrouSerS 0.3.15: TPM 103,
	 * TDDL 21, TCS 22, TSP 47 (each with "Success"); the rest repeats.
	 */
	assert_int_equal(0x10000 - unknown, 4 * (103 + 21 + 22 + 47));
}

/* ---------------------------------------------------------------- */
/* UTF-16                                                            */
/* ---------------------------------------------------------------- */

static void check_unicode(const char *in, const BYTE *want, unsigned want_len)
{
	unsigned n = 0xdead;
	BYTE *u = Trspi_Native_To_UNICODE((BYTE *)in, &n);

	assert_non_null(u);
	assert_int_equal(n, want_len);
	assert_memory_equal(u, want, want_len);
	free(u);
}

static void unicode_ascii(void **state)
{
	static const BYTE abc[] = { 'a', 0, 'b', 0, 'c', 0, 0, 0 };
	unsigned n = 0;
	BYTE *native;

	(void)state;
	setlocale(LC_ALL, "C");
	check_unicode("abc", abc, sizeof(abc));
	native = Trspi_UNICODE_To_Native((BYTE *)abc, &n);
	assert_non_null(native);
	assert_int_equal(n, 4);
	assert_string_equal((char *)native, "abc");
	free(native);
	/* The size pointer is optional. */
	native = Trspi_Native_To_UNICODE((BYTE *)"abc", NULL);
	assert_non_null(native);
	assert_memory_equal(native, abc, sizeof(abc));
	free(native);
}

static void unicode_empty_and_null(void **state)
{
	static const BYTE term[] = { 0, 0 };
	unsigned n = 0xdead;
	BYTE *p;

	(void)state;
	setlocale(LC_ALL, "C");
	check_unicode("", term, 2);
	p = Trspi_Native_To_UNICODE(NULL, &n);
	assert_non_null(p);
	assert_int_equal(n, 2);
	assert_memory_equal(p, term, 2);
	free(p);

	n = 0xdead;
	assert_null(Trspi_UNICODE_To_Native(NULL, &n));
	assert_int_equal(n, 0);
	/* An empty UTF-16 string gives NULL and leaves *size alone (TrouSerS). */
	n = 0xdead;
	assert_null(Trspi_UNICODE_To_Native((BYTE *)term, &n));
	assert_int_equal(n, 0xdead);
}

static void unicode_non_ascii(void **state)
{
	static const BYTE paess[] = { 'p', 0, 0xe4, 0, 's', 0, 's', 0, 0, 0 };
	static const BYTE emoji[] = { 0x3d, 0xd8, 0x00, 0xde, 0, 0 };
	unsigned n = 0;
	BYTE *native;

	(void)state;
	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		skip();
		return;
	}
	check_unicode("p\xc3\xa4ss", paess, sizeof(paess));
	check_unicode("\xf0\x9f\x98\x80", emoji, sizeof(emoji));
	native = Trspi_UNICODE_To_Native((BYTE *)paess, &n);
	assert_non_null(native);
	assert_int_equal(n, 6);
	assert_string_equal((char *)native, "p\xc3\xa4ss");
	free(native);
	native = Trspi_UNICODE_To_Native((BYTE *)emoji, &n);
	assert_non_null(native);
	assert_int_equal(n, 5);
	assert_string_equal((char *)native, "\xf0\x9f\x98\x80");
	free(native);
	setlocale(LC_ALL, "C");
}

static void unicode_unconvertible(void **state)
{
	static const BYTE p_only[] = { 'p', 0, 0, 0 };
	static const BYTE nothing[] = { 0, 0, 0 };
	static const BYTE lone[] = { 'a', 0, 0x3d, 0xd8, 0, 0 };
	unsigned n = 0;
	BYTE *native;

	(void)state;
	/* In the C locale bytes above 0x7f stop the conversion, keeping the prefix. */
	setlocale(LC_ALL, "C");
	check_unicode("p\xc3\xa4ss", p_only, sizeof(p_only));
	check_unicode("\x80", nothing, sizeof(nothing));
	/* A lone surrogate stops the way back. */
	native = Trspi_UNICODE_To_Native((BYTE *)lone, &n);
	assert_non_null(native);
	assert_int_equal(n, 2);
	assert_int_equal(native[0], 'a');
	assert_int_equal(native[1], 0);
	free(native);
}

static void unicode_length_limit(void **state)
{
	char s[2050];
	BYTE *u, *wide;
	unsigned n = 0;

	(void)state;
	setlocale(LC_ALL, "C");
	memset(s, 'x', sizeof(s));
	s[2048] = 0;
	u = Trspi_Native_To_UNICODE((BYTE *)s, &n);
	assert_non_null(u);
	assert_int_equal(n, 4098);
	assert_int_equal(u[4096], 0);
	assert_int_equal(u[4097], 0);
	free(u);
	s[2048] = 'x';
	s[2049] = 0;
	n = 0xdead;
	assert_null(Trspi_Native_To_UNICODE((BYTE *)s, &n));
	assert_int_equal(n, 0xdead);

	/* Back to native the terminator counts towards the 4096 bytes. */
	wide = calloc(2 * 4096 + 2, 1);
	assert_non_null(wide);
	for (int i = 0; i < 4095; i++)
		wide[2 * i] = 'y';
	u = Trspi_UNICODE_To_Native(wide, &n);
	assert_non_null(u);
	assert_int_equal(n, 4096);
	assert_int_equal(strlen((char *)u), 4095);
	free(u);
	wide[2 * 4095] = 'y';
	assert_null(Trspi_UNICODE_To_Native(wide, &n));
	free(wide);
}

/* ---------------------------------------------------------------- */
/* Blobs                                                             */
/* ---------------------------------------------------------------- */

static void scalars(void **state)
{
	BYTE blob[32];
	UINT64 off = 0;
	UINT64 v64 = 0;
	UINT32 v32 = 0;
	UINT16 v16 = 0;
	BYTE v8 = 0;
	TSS_BOOL b = 0;
	static const BYTE want[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xa1, 0xa2, 0xa3, 0xa4,
		0xb1, 0xb2, 0xc1, 0x01, 0xee, 0xff,
	};

	(void)state;
	/* A NULL blob only measures. */
	Trspi_LoadBlob_UINT32(&off, 1, NULL);
	Trspi_LoadBlob_UINT16(&off, 1, NULL);
	Trspi_LoadBlob_BYTE(&off, 1, NULL);
	assert_int_equal(off, 7);

	off = 0;
	Trspi_LoadBlob_UINT64(&off, 0x0102030405060708ULL, blob);
	Trspi_LoadBlob_UINT32(&off, 0xa1a2a3a4, blob);
	Trspi_LoadBlob_UINT16(&off, 0xb1b2, blob);
	Trspi_LoadBlob_BYTE(&off, 0xc1, blob);
	Trspi_LoadBlob_BOOL(&off, 1, blob);
	Trspi_LoadBlob(&off, 2, blob, (BYTE *)"\xee\xff");
	Trspi_LoadBlob(&off, 0, blob, NULL);
	assert_int_equal(off, sizeof(want));
	assert_memory_equal(blob, want, sizeof(want));

	off = 0;
	Trspi_UnloadBlob_UINT64(&off, &v64, blob);
	Trspi_UnloadBlob_UINT32(&off, &v32, blob);
	Trspi_UnloadBlob_UINT16(&off, &v16, blob);
	Trspi_UnloadBlob_BYTE(&off, &v8, blob);
	Trspi_UnloadBlob_BOOL(&off, &b, blob);
	assert_int_equal(off, 16);
	assert_true(v64 == 0x0102030405060708ULL);
	assert_int_equal(v32, 0xa1a2a3a4);
	assert_int_equal(v16, 0xb1b2);
	assert_int_equal(v8, 0xc1);
	assert_int_equal(b, 1);

	/* NULL destinations skip, even without a blob. */
	off = 0;
	Trspi_UnloadBlob_UINT32(&off, NULL, NULL);
	Trspi_UnloadBlob_UINT64(&off, NULL, NULL);
	Trspi_UnloadBlob(&off, 5, NULL, NULL);
	assert_int_equal(off, 17);
	/* Reading from a NULL blob yields zero and does not move. */
	off = 3;
	v32 = 0xdead;
	Trspi_UnloadBlob_UINT32(&off, &v32, NULL);
	assert_int_equal(v32, 0);
	assert_int_equal(off, 3);
}

static void fill_pubkey(TCPA_PUBKEY *pk, BYTE *parms, UINT32 parm_len, BYTE *mod, UINT32 mod_len)
{
	memset(pk, 0, sizeof(*pk));
	pk->algorithmParms.algorithmID = TPM_ALG_RSA;
	pk->algorithmParms.encScheme = TPM_ES_RSAESOAEP_SHA1_MGF1;
	pk->algorithmParms.sigScheme = TPM_SS_NONE;
	pk->algorithmParms.parmSize = parm_len;
	pk->algorithmParms.parms = parms;
	pk->pubKey.keyLength = mod_len;
	pk->pubKey.key = mod;
}

static void pubkey_round_trip(void **state)
{
	BYTE parms[12] = { 0, 0, 8, 0, 0, 0, 0, 2, 0, 0, 0, 0 };
	BYTE mod[256];
	BYTE blob[512], digest[20], want[20];
	TCPA_PUBKEY pk, back;
	Trspi_HashCtx hc;
	UINT64 len = 0, off = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(mod); i++)
		mod[i] = (BYTE)(i * 7 + 1);
	fill_pubkey(&pk, parms, sizeof(parms), mod, sizeof(mod));
	Trspi_LoadBlob_PUBKEY(&len, NULL, &pk);
	assert_int_equal(len, 12 + 12 + 4 + 256);
	Trspi_LoadBlob_PUBKEY(&off, blob, &pk);
	assert_int_equal(off, len);

	off = 0;
	memset(&back, 0xa5, sizeof(back));
	assert_int_equal(Trspi_UnloadBlob_PUBKEY(&off, blob, &back), TSS_SUCCESS);
	assert_int_equal(off, len);
	assert_int_equal(back.algorithmParms.algorithmID, TPM_ALG_RSA);
	assert_int_equal(back.algorithmParms.encScheme, TPM_ES_RSAESOAEP_SHA1_MGF1);
	assert_int_equal(back.algorithmParms.parmSize, 12);
	assert_memory_equal(back.algorithmParms.parms, parms, 12);
	assert_int_equal(back.pubKey.keyLength, 256);
	assert_memory_equal(back.pubKey.key, mod, 256);
	free(back.algorithmParms.parms);
	free(back.pubKey.key);

	/* Skipping moves the same distance without allocating. */
	off = 0;
	assert_int_equal(Trspi_UnloadBlob_PUBKEY(&off, blob, NULL), TSS_SUCCESS);
	assert_int_equal(off, len);

	/* Trspi_Hash_PUBKEY hashes exactly the loaded bytes. */
	assert_int_equal(Trspi_Hash(TSS_HASH_SHA1, (UINT32)len, blob, want), TSS_SUCCESS);
	assert_int_equal(Trspi_HashInit(&hc, TSS_HASH_SHA1), TSS_SUCCESS);
	assert_int_equal(Trspi_Hash_PUBKEY(&hc, &pk), TSS_SUCCESS);
	assert_int_equal(Trspi_HashFinal(&hc, digest), TSS_SUCCESS);
	assert_memory_equal(digest, want, 20);

	/* Zero-length members come back as NULL. */
	fill_pubkey(&pk, NULL, 0, NULL, 0);
	off = 0;
	Trspi_LoadBlob_PUBKEY(&off, blob, &pk);
	assert_int_equal(off, 16);
	off = 0;
	assert_int_equal(Trspi_UnloadBlob_PUBKEY(&off, blob, &back), TSS_SUCCESS);
	assert_null(back.algorithmParms.parms);
	assert_null(back.pubKey.key);
	assert_int_equal(off, 16);
}

static void pubkey_bad_input(void **state)
{
	/* At offset 5: KEY_PARMS fine (4 parm bytes), then a modulus length of 2 GiB. */
	static const BYTE huge[] = {
		0xff, 0xff, 0xff, 0xff, 0xff,
		0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 4, 1, 2, 3, 4,
		0x7f, 0xff, 0xff, 0xff, 0xaa,
	};
	/* A parm size above the cap in the first member. */
	static const BYTE huge_parms[] = { 0, 0, 0, 1, 0, 3, 0, 1, 0x10, 0, 0, 0, 0 };
	TCPA_PUBKEY pk;
	TCPA_KEY_PARMS kp;
	UINT64 off = 5;

	(void)state;
	memset(&pk, 0xa5, sizeof(pk));
	/* The parms already copied are freed again (ASan would see a leak). */
	assert_int_not_equal(Trspi_UnloadBlob_PUBKEY(&off, (BYTE *)huge, &pk), TSS_SUCCESS);
	assert_int_equal(off, 5);
	assert_null(pk.algorithmParms.parms);
	assert_int_equal(pk.algorithmParms.parmSize, 0);
	assert_null(pk.pubKey.key);
	assert_int_equal(pk.pubKey.keyLength, 0);

	off = 0;
	memset(&kp, 0xa5, sizeof(kp));
	assert_int_equal(Trspi_UnloadBlob_KEY_PARMS(&off, (BYTE *)huge_parms, &kp),
			 TSP_ERROR(TSS_E_BAD_PARAMETER));
	assert_null(kp.parms);
	assert_int_equal(off, 0);

	/* No blob, no offset. */
	assert_int_equal(Trspi_UnloadBlob_PUBKEY(&off, NULL, &pk), TSP_ERROR(TSS_E_BAD_PARAMETER));
	assert_int_equal(off, 0);
	assert_int_equal(Trspi_UnloadBlob_PUBKEY(NULL, (BYTE *)huge, &pk),
			 TSP_ERROR(TSS_E_BAD_PARAMETER));
	/* Skipping needs no allocation, so the cap does not apply to it. */
	off = 5;
	assert_int_equal(Trspi_UnloadBlob_KEY_PARMS(&off, (BYTE *)huge, NULL), TSS_SUCCESS);
	assert_int_equal(off, 5 + 16);
}

static void cap_version_info(void **state)
{
	static const BYTE blob[] = {
		0x00, 0x30, 0x01, 0x02, 0x03, 0x04, 0x00, 0x02, 0x03, 'I', 'B', 'M', 0x00,
		0x00, 0x03, 0xaa, 0xbb, 0xcc,
	};
	BYTE again[sizeof(blob)];
	TPM_CAP_VERSION_INFO v;
	UINT64 off = 0;

	(void)state;
	assert_int_equal(Trspi_UnloadBlob_CAP_VERSION_INFO(&off, (BYTE *)blob, &v), TSS_SUCCESS);
	assert_int_equal(off, sizeof(blob));
	assert_int_equal(v.tag, TPM_TAG_CAP_VERSION_INFO);
	assert_int_equal(v.version.major, 1);
	assert_int_equal(v.version.revMinor, 4);
	assert_int_equal(v.specLevel, 2);
	assert_int_equal(v.errataRev, 3);
	assert_memory_equal(v.tpmVendorID, "IBM", 4);
	assert_int_equal(v.vendorSpecificSize, 3);
	assert_memory_equal(v.vendorSpecific, "\xaa\xbb\xcc", 3);
	off = 0;
	Trspi_LoadBlob_CAP_VERSION_INFO(&off, again, &v);
	assert_int_equal(off, sizeof(blob));
	assert_memory_equal(again, blob, sizeof(blob));
	free(v.vendorSpecific);

	/* Without vendor data the pointer is NULL; skipping covers 15 bytes. */
	memcpy(again, blob, sizeof(blob));
	again[14] = 0;
	off = 0;
	assert_int_equal(Trspi_UnloadBlob_CAP_VERSION_INFO(&off, again, &v), TSS_SUCCESS);
	assert_null(v.vendorSpecific);
	assert_int_equal(off, 15);
	off = 0;
	assert_int_equal(Trspi_UnloadBlob_CAP_VERSION_INFO(&off, (BYTE *)blob, NULL), TSS_SUCCESS);
	assert_int_equal(off, sizeof(blob));
}

static void nv_data_public(void **state)
{
	static const BYTE blob[] = {
		0x00, 0x18, 0x00, 0x01, 0x10, 0x00,
		0x00, 0x03, 0x01, 0x02, 0x03, 0x1f,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
		0x00, 0x00, 0x01,
		21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
		0x00, 0x17, 0x00, 0x04, 0x00, 0x02, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00,
		0xee,
	};
	TPM_NV_DATA_PUBLIC nv;
	UINT64 off = 0;

	(void)state;
	assert_int_equal(Trspi_UnloadBlob_NV_DATA_PUBLIC(&off, (BYTE *)blob, &nv), TSS_SUCCESS);
	assert_int_equal(off, sizeof(blob) - 1);
	assert_int_equal(nv.tag, TPM_TAG_NV_DATA_PUBLIC);
	assert_int_equal(nv.nvIndex, 0x00011000);
	assert_int_equal(nv.pcrInfoRead.pcrSelection.sizeOfSelect, 3);
	assert_memory_equal(nv.pcrInfoRead.pcrSelection.pcrSelect, "\x01\x02\x03", 3);
	assert_int_equal(nv.pcrInfoRead.localityAtRelease, 0x1f);
	assert_int_equal(nv.pcrInfoRead.digestAtRelease.digest[19], 20);
	assert_int_equal(nv.pcrInfoWrite.pcrSelection.sizeOfSelect, 0);
	assert_null(nv.pcrInfoWrite.pcrSelection.pcrSelect);
	assert_int_equal(nv.pcrInfoWrite.localityAtRelease, 1);
	assert_int_equal(nv.permission.tag, TPM_TAG_NV_ATTRIBUTES);
	assert_int_equal(nv.permission.attributes, 0x00040002);
	assert_int_equal(nv.bReadSTClear, 1);
	assert_int_equal(nv.bWriteSTClear, 0);
	assert_int_equal(nv.bWriteDefine, 1);
	assert_int_equal(nv.dataSize, 256);
	free(nv.pcrInfoRead.pcrSelection.pcrSelect);

	off = 0;
	assert_int_equal(Trspi_UnloadBlob_NV_DATA_PUBLIC(&off, (BYTE *)blob, NULL), TSS_SUCCESS);
	assert_int_equal(off, sizeof(blob) - 1);
	memset(&nv, 0xa5, sizeof(nv));
	assert_int_not_equal(Trspi_UnloadBlob_NV_DATA_PUBLIC(&off, NULL, &nv), TSS_SUCCESS);
	assert_null(nv.pcrInfoRead.pcrSelection.pcrSelect);
	assert_int_equal(off, sizeof(blob) - 1);
}

static void key12_round_trip(void **state)
{
	BYTE pcr[5] = { 1, 2, 3, 4, 5 }, mod[64], enc[32], parms[12] = { 0 };
	BYTE blob[512], blob2[512];
	TPM_KEY12 k, back;
	UINT64 len = 0, off = 0, dlen = 0;

	(void)state;
	memset(mod, 0x5a, sizeof(mod));
	memset(enc, 0xe5, sizeof(enc));
	memset(&k, 0, sizeof(k));
	k.tag = TPM_TAG_KEY12;
	k.keyUsage = TPM_KEY_STORAGE;
	k.keyFlags = 0x00000004;
	k.authDataUsage = TPM_AUTH_ALWAYS;
	k.algorithmParms.algorithmID = TPM_ALG_RSA;
	k.algorithmParms.parmSize = sizeof(parms);
	k.algorithmParms.parms = parms;
	k.PCRInfoSize = sizeof(pcr);
	k.PCRInfo = pcr;
	k.pubKey.keyLength = sizeof(mod);
	k.pubKey.key = mod;
	k.encSize = sizeof(enc);
	k.encData = enc;

	Trspi_LoadBlob_KEY12(&len, NULL, &k);
	Trspi_LoadBlob_KEY12(&off, blob, &k);
	assert_int_equal(off, len);
	/* The private-key digest covers everything but encSize/encData. */
	Trspi_LoadBlob_PRIVKEY_DIGEST12(&dlen, NULL, &k);
	assert_int_equal(dlen, len - 4 - sizeof(enc));

	off = 0;
	assert_int_equal(Trspi_UnloadBlob_KEY12(&off, blob, &back), TSS_SUCCESS);
	assert_int_equal(off, len);
	assert_int_equal(back.tag, TPM_TAG_KEY12);
	assert_int_equal(back.keyUsage, TPM_KEY_STORAGE);
	assert_int_equal(back.keyFlags, 4);
	assert_int_equal(back.PCRInfoSize, sizeof(pcr));
	assert_memory_equal(back.PCRInfo, pcr, sizeof(pcr));
	assert_memory_equal(back.encData, enc, sizeof(enc));
	off = 0;
	Trspi_LoadBlob_KEY12(&off, blob2, &back);
	assert_memory_equal(blob2, blob, (size_t)len);
	free(back.algorithmParms.parms);
	free(back.PCRInfo);
	free(back.pubKey.key);
	free(back.encData);

	/* An encSize beyond the cap fails late: everything before is freed. */
	blob[len - sizeof(enc) - 4] = 0x40;
	off = 0;
	assert_int_not_equal(Trspi_UnloadBlob_KEY12(&off, blob, &back), TSS_SUCCESS);
	assert_int_equal(off, 0);
	assert_null(back.PCRInfo);
	assert_null(back.pubKey.key);
	assert_null(back.algorithmParms.parms);
}

static void pcr_event_and_keyinfo(void **state)
{
	BYTE value[20], data[7] = "measure";
	BYTE blob[256];
	TSS_PCR_EVENT ev, back;
	TSS_KM_KEYINFO2 ki, kback;
	UINT64 off = 0, len;

	(void)state;
	memset(value, 0x11, sizeof(value));
	memset(&ev, 0, sizeof(ev));
	ev.versionInfo.bMajor = 1;
	ev.versionInfo.bMinor = 2;
	ev.ulPcrIndex = 10;
	ev.eventType = 0x0d;
	ev.ulPcrValueLength = sizeof(value);
	ev.rgbPcrValue = value;
	ev.ulEventLength = sizeof(data);
	ev.rgbEvent = data;
	Trspi_LoadBlob_PCR_EVENT(&off, blob, &ev);
	assert_int_equal(off, 4 + 4 + 4 + 4 + 20 + 4 + 7);
	len = off;
	off = 0;
	assert_int_equal(Trspi_UnloadBlob_PCR_EVENT(&off, blob, &back), TSS_SUCCESS);
	assert_int_equal(off, len);
	assert_int_equal(back.versionInfo.bMinor, 2);
	assert_int_equal(back.ulPcrIndex, 10);
	assert_memory_equal(back.rgbEvent, data, sizeof(data));
	assert_memory_equal(back.rgbPcrValue, value, sizeof(value));
	free(back.rgbEvent);
	free(back.rgbPcrValue);

	/* TSS_KM_KEYINFO2 has no Load; build its blob by hand. */
	off = 0;
	Trspi_LoadBlob_TSS_VERSION(&off, blob, ev.versionInfo);
	memset(&ki, 0, sizeof(ki));
	ki.keyUUID.ulTimeLow = 0x01020304;
	ki.keyUUID.rgbNode[5] = 9;
	Trspi_LoadBlob_UUID(&off, blob, ki.keyUUID);
	Trspi_LoadBlob_UUID(&off, blob, ki.parentKeyUUID);
	Trspi_LoadBlob_BYTE(&off, 1, blob);
	Trspi_LoadBlob_UINT32(&off, TSS_PS_TYPE_SYSTEM, blob);
	Trspi_LoadBlob_UINT32(&off, TSS_PS_TYPE_SYSTEM, blob);
	Trspi_LoadBlob_BOOL(&off, 1, blob);
	Trspi_LoadBlob_UINT32(&off, 0, blob);
	len = off;
	off = 0;
	assert_int_equal(Trspi_UnloadBlob_KM_KEYINFO2(&off, blob, &kback), TSS_SUCCESS);
	assert_int_equal(off, len);
	assert_int_equal(kback.keyUUID.ulTimeLow, 0x01020304);
	assert_int_equal(kback.keyUUID.rgbNode[5], 9);
	assert_int_equal(kback.persistentStorageTypeParent, TSS_PS_TYPE_SYSTEM);
	assert_int_equal(kback.fIsLoaded, 1);
	assert_null(kback.rgbVendorData);
}

/* ---------------------------------------------------------------- */
/* Hashing                                                           */
/* ---------------------------------------------------------------- */

static const BYTE sha1_abc[20] = {
	0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
	0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d,
};

static void hash_vectors(void **state)
{
	static const BYTE sha1_empty[20] = {
		0xda, 0x39, 0xa3, 0xee, 0x5e, 0x6b, 0x4b, 0x0d, 0x32, 0x55,
		0xbf, 0xef, 0x95, 0x60, 0x18, 0x90, 0xaf, 0xd8, 0x07, 0x09,
	};
	BYTE d[20];
	Trspi_HashCtx hc;

	(void)state;
	assert_int_equal(Trspi_Hash(TSS_HASH_SHA1, 3, (BYTE *)"abc", d), TSS_SUCCESS);
	assert_memory_equal(d, sha1_abc, 20);
	assert_int_equal(Trspi_Hash(TSS_HASH_SHA1, 0, NULL, d), TSS_SUCCESS);
	assert_memory_equal(d, sha1_empty, 20);
	assert_int_equal(Trspi_Hash(TSS_HASH_OTHER, 3, (BYTE *)"abc", d),
			 TSP_ERROR(TSS_E_BAD_PARAMETER));

	/* Incremental: "ab" as a UINT16, "c" as a BYTE. */
	assert_int_equal(Trspi_HashInit(&hc, TSS_HASH_SHA1), TSS_SUCCESS);
	assert_int_equal(Trspi_Hash_UINT16(&hc, 0x6162), TSS_SUCCESS);
	assert_int_equal(Trspi_HashUpdate(&hc, 0, NULL), TSS_SUCCESS);
	assert_int_equal(Trspi_Hash_BYTE(&hc, 'c'), TSS_SUCCESS);
	assert_int_equal(Trspi_HashFinal(&hc, d), TSS_SUCCESS);
	assert_memory_equal(d, sha1_abc, 20);
	assert_null(hc.ctx);
	/* A finished context cannot be used again. */
	assert_int_equal(Trspi_HashUpdate(&hc, 1, d), TSP_ERROR(TSS_E_INTERNAL_ERROR));
	assert_int_equal(Trspi_HashFinal(&hc, d), TSP_ERROR(TSS_E_INTERNAL_ERROR));

	/* UINT32 + BOOL: "abc" + 0x01 vs one-shot. */
	assert_int_equal(Trspi_HashInit(&hc, TSS_HASH_SHA1), TSS_SUCCESS);
	assert_int_equal(Trspi_Hash_UINT32(&hc, 0x61626301), TSS_SUCCESS);
	assert_int_equal(Trspi_Hash_BOOL(&hc, 1), TSS_SUCCESS);
	assert_int_equal(Trspi_HashUpdate(&hc, 1, NULL), TSP_ERROR(TSS_E_BAD_PARAMETER));
	assert_int_equal(Trspi_HashFinal(&hc, d), TSS_SUCCESS);
	{
		BYTE want[20];

		assert_int_equal(Trspi_Hash(TSS_HASH_SHA1, 5, (BYTE *)"abc\x01\x01", want),
				 TSS_SUCCESS);
		assert_memory_equal(d, want, 20);
	}
	assert_int_equal(Trspi_HashInit(&hc, 7), TSP_ERROR(TSS_E_BAD_PARAMETER));
	assert_null(hc.ctx);
}

static void hmac_and_mgf1(void **state)
{
	/* RFC 2202 test case 1 */
	static const BYTE want[20] = {
		0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
		0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00,
	};
	BYTE key[20], mac[20], mask[45], block[20], seed_ctr[7];

	(void)state;
	memset(key, 0x0b, sizeof(key));
	assert_int_equal(Trspi_HMAC(TSS_HASH_SHA1, 20, key, 8, (BYTE *)"Hi There", mac), TSS_SUCCESS);
	assert_memory_equal(mac, want, 20);
	assert_int_not_equal(Trspi_HMAC(TSS_HASH_OTHER, 20, key, 8, (BYTE *)"Hi There", mac),
			     TSS_SUCCESS);

	/* MGF1: block i is SHA-1(seed || i), big-endian i. */
	assert_int_equal(Trspi_MGF1(TSS_HASH_SHA1, 3, (BYTE *)"abc", sizeof(mask), mask), TSS_SUCCESS);
	memcpy(seed_ctr, "abc\0\0\0\0", 7);
	assert_int_equal(Trspi_Hash(TSS_HASH_SHA1, 7, seed_ctr, block), TSS_SUCCESS);
	assert_memory_equal(mask, block, 20);
	seed_ctr[6] = 2;
	assert_int_equal(Trspi_Hash(TSS_HASH_SHA1, 7, seed_ctr, block), TSS_SUCCESS);
	assert_memory_equal(mask + 40, block, 5);
}

/* ---------------------------------------------------------------- */
/* RSA and symmetric                                                 */
/* ---------------------------------------------------------------- */

static void rsa_helpers(void **state)
{
	EVP_PKEY *key = NULL;
	BYTE mod[256], ct[256], pt[256], sig[256], digest[20];
	size_t mod_len = 0, pt_len = 0, sig_len = 0;
	unsigned int ct_len = 0;

	(void)state;
	assert_int_equal(crypto_rsa_generate(2048, &key), 0);
	assert_int_equal(crypto_rsa_get_modulus(key, mod, sizeof(mod), &mod_len), 0);
	assert_int_equal(mod_len, 256);

	/* OAEP with the TCPA label, as a TPM decrypts it. */
	assert_int_equal(Trspi_RSA_Encrypt((BYTE *)"secret", 6, ct, &ct_len, mod, 256), TSS_SUCCESS);
	assert_int_equal(ct_len, 256);
	assert_int_equal(crypto_rsa_decrypt_oaep(key, "TCPA", 4, ct, ct_len, pt, sizeof(pt),
						 &pt_len), 0);
	assert_int_equal(pt_len, 6);
	assert_memory_equal(pt, "secret", 6);
	/* OAEP without label through the generic function. */
	assert_int_equal(Trspi_RSA_OAEP_Encrypt((BYTE *)"abc", 3, ct, &ct_len, mod, 256), TSS_SUCCESS);
	assert_int_equal(crypto_rsa_decrypt_oaep(key, NULL, 0, ct, ct_len, pt, sizeof(pt), &pt_len), 0);
	assert_int_equal(pt_len, 3);
	assert_int_not_equal(Trspi_RSA_Public_Encrypt((BYTE *)"abc", 3, ct, &ct_len, mod, 256, 5,
						      TR_RSA_PKCS1_PADDING), TSS_SUCCESS);

	/* Signature check over a SHA-1 digest. */
	assert_int_equal(Trspi_Hash(TSS_HASH_SHA1, 3, (BYTE *)"abc", digest), TSS_SUCCESS);
	assert_int_equal(crypto_rsa_sign_sha1(key, digest, sig, sizeof(sig), &sig_len), 0);
	assert_int_equal(Trspi_Verify(TSS_HASH_SHA1, digest, 20, mod, 256, sig, (UINT32)sig_len),
			 TSS_SUCCESS);
	sig[10] ^= 1;
	assert_int_equal(Trspi_Verify(TSS_HASH_SHA1, digest, 20, mod, 256, sig, (UINT32)sig_len),
			 TSP_ERROR(TSS_E_FAIL));
	crypto_rsa_free(key);
}

static void symmetric_helpers(void **state)
{
	BYTE key[32], iv[16], ct[64], pt[64];
	UINT32 ct_len = sizeof(ct), pt_len = sizeof(pt);
	static const char msg[] = "twenty-one bytes long";

	(void)state;
	memset(key, 0x42, sizeof(key));
	memset(iv, 0x24, sizeof(iv));
	/* A fresh IV goes in front of the ciphertext. */
	assert_int_equal(Trspi_SymEncrypt(TSS_ALG_AES, TPM_ES_SYM_CBC_PKCS5PAD, key, NULL,
					  (BYTE *)msg, 21, ct, &ct_len), TSS_SUCCESS);
	assert_int_equal(ct_len, 16 + 32);
	assert_int_equal(Trspi_SymDecrypt(TSS_ALG_AES, TPM_ES_SYM_CBC_PKCS5PAD, key, NULL, ct, ct_len,
					  pt, &pt_len), TSS_SUCCESS);
	assert_int_equal(pt_len, 21);
	assert_memory_equal(pt, msg, 21);

	ct_len = sizeof(ct);
	pt_len = sizeof(pt);
	assert_int_equal(Trspi_SymEncrypt(TSS_ALG_AES256, TR_SYM_MODE_CBC, key, iv, (BYTE *)msg, 21,
					  ct, &ct_len), TSS_SUCCESS);
	assert_int_equal(ct_len, 32);
	assert_int_equal(Trspi_SymDecrypt(TSS_ALG_AES256, TR_SYM_MODE_CBC, key, iv, ct, ct_len, pt,
					  &pt_len), TSS_SUCCESS);
	assert_memory_equal(pt, msg, 21);

	/* Too little room is refused before anything is written. */
	ct_len = 20;
	assert_int_not_equal(Trspi_SymEncrypt(TSS_ALG_AES, TR_SYM_MODE_CBC, key, iv, (BYTE *)msg, 21,
					      ct, &ct_len), TSS_SUCCESS);
	/* Counter mode is not offered. */
	ct_len = sizeof(ct);
	assert_int_not_equal(Trspi_SymEncrypt(TSS_ALG_AES, TPM_ES_SYM_CNT, key, iv, (BYTE *)msg, 21,
					      ct, &ct_len), TSS_SUCCESS);

	ct_len = sizeof(ct);
	pt_len = sizeof(pt);
	assert_int_equal(Trspi_Encrypt_ECB(TSS_ALG_AES, key, (BYTE *)msg, 21, ct, &ct_len),
			 TSS_SUCCESS);
	assert_int_equal(ct_len, 32);
	assert_int_equal(Trspi_Decrypt_ECB(TSS_ALG_AES, key, ct, ct_len, pt, &pt_len), TSS_SUCCESS);
	assert_int_equal(pt_len, 21);
	assert_memory_equal(pt, msg, 21);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_strings),
		cmocka_unit_test(error_layers_and_codes),
		cmocka_unit_test(error_strings_total),
		cmocka_unit_test(unicode_ascii),
		cmocka_unit_test(unicode_empty_and_null),
		cmocka_unit_test(unicode_non_ascii),
		cmocka_unit_test(unicode_unconvertible),
		cmocka_unit_test(unicode_length_limit),
		cmocka_unit_test(scalars),
		cmocka_unit_test(pubkey_round_trip),
		cmocka_unit_test(pubkey_bad_input),
		cmocka_unit_test(cap_version_info),
		cmocka_unit_test(nv_data_public),
		cmocka_unit_test(key12_round_trip),
		cmocka_unit_test(pcr_event_and_keyinfo),
		cmocka_unit_test(hash_vectors),
		cmocka_unit_test(hmac_and_mgf1),
		cmocka_unit_test(rsa_helpers),
		cmocka_unit_test(symmetric_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
