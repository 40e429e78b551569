/*
 * tspi/tspi_asn1.c: Tspi_EncodeDER_TssBlob and Tspi_DecodeBER_TssBlob.
 * The fixed 20-byte header of TSS 1.2 (byte for byte what TrouSerS
 * writes: tssblob_interop.sh compares the two libraries), size queries,
 * the 65,519-byte limit, BER a peer may write, and hostile input: every
 * truncation, every byte flipped, lengths that lie.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tss/tspi.h"

#define BAD_PARAMETER TSP_ERROR(TSS_E_BAD_PARAMETER)
#define NOT_A_BLOB TSP_ERROR(TSS_E_INTERNAL_ERROR)

static BYTE raw3[3] = { 0xaa, 0xbb, 0xcc };
/* TSS 1.2's fixed form of a 3-byte TSS_BLOB_TYPE_PUBKEY blob. */
static const BYTE der3[] = {
	0x30, 0x82, 0x00, 0x13,			/* SEQUENCE, 19 bytes */
	0x02, 0x01, 0x01,			/* structVersion 1 */
	0x02, 0x01, 0x02,			/* blobType PUBKEY */
	0x02, 0x04, 0x00, 0x00, 0x00, 0x03,	/* blobLength 3 */
	0x04, 0x82, 0x00, 0x03,			/* OCTET STRING, 3 bytes */
	0xaa, 0xbb, 0xcc,
};

static TSS_RESULT decode(const BYTE *der, size_t len, UINT32 *type, BYTE *out, UINT32 *out_len)
{
	return Tspi_DecodeBER_TssBlob((UINT32)len, (BYTE *)der, type, out_len, out);
}

static void encodes_the_fixed_form(void **state)
{
	BYTE der[64];
	UINT32 n = 0;

	/* Size query: nothing written, even with a buffer. */
	memset(der, 0x5a, sizeof(der));
	assert_int_equal(Tspi_EncodeDER_TssBlob(3, raw3, TSS_BLOB_TYPE_PUBKEY, &n, der),
			 TSS_SUCCESS);
	assert_int_equal(n, sizeof(der3));
	assert_int_equal(der[0], 0x5a);
	n = 0;
	assert_int_equal(Tspi_EncodeDER_TssBlob(3, raw3, TSS_BLOB_TYPE_PUBKEY, &n, NULL),
			 TSS_SUCCESS);
	assert_int_equal(n, sizeof(der3));
	n = sizeof(der);
	assert_int_equal(Tspi_EncodeDER_TssBlob(3, raw3, TSS_BLOB_TYPE_PUBKEY, &n, der),
			 TSS_SUCCESS);
	assert_int_equal(n, sizeof(der3));
	assert_memory_equal(der, der3, sizeof(der3));
}

static void encode_bad_parameters(void **state)
{
	static BYTE big[65520];
	BYTE der[64];
	BYTE *out;
	UINT32 n;

	n = sizeof(der3) - 1;
	assert_int_equal(Tspi_EncodeDER_TssBlob(3, raw3, TSS_BLOB_TYPE_PUBKEY, &n, der),
			 BAD_PARAMETER);
	assert_int_equal(n, sizeof(der3) - 1);
	n = sizeof(der);
	assert_int_equal(Tspi_EncodeDER_TssBlob(3, raw3, TSS_BLOB_TYPE_PUBKEY, &n, NULL),
			 BAD_PARAMETER);
	assert_int_equal(Tspi_EncodeDER_TssBlob(0, raw3, TSS_BLOB_TYPE_PUBKEY, &n, der),
			 BAD_PARAMETER);
	assert_int_equal(Tspi_EncodeDER_TssBlob(3, NULL, TSS_BLOB_TYPE_PUBKEY, &n, der),
			 BAD_PARAMETER);
	assert_int_equal(Tspi_EncodeDER_TssBlob(3, raw3, 0, &n, der), BAD_PARAMETER);
	assert_int_equal(Tspi_EncodeDER_TssBlob(3, raw3, TSS_BLOB_TYPE_CMK_BYTE_STREAM + 1, &n,
						der), BAD_PARAMETER);
	assert_int_equal(Tspi_EncodeDER_TssBlob(3, raw3, TSS_BLOB_TYPE_PUBKEY, NULL, der),
			 BAD_PARAMETER);
	/* The largest blob two-byte lengths can carry, and one more. */
	n = 0;
	assert_int_equal(Tspi_EncodeDER_TssBlob(65519, big, TSS_BLOB_TYPE_KEY, &n, NULL),
			 TSS_SUCCESS);
	assert_int_equal(n, 65539);
	out = malloc(n);
	assert_non_null(out);
	assert_int_equal(Tspi_EncodeDER_TssBlob(65519, big, TSS_BLOB_TYPE_KEY, &n, out),
			 TSS_SUCCESS);
	assert_int_equal(out[2], 0xff);
	assert_int_equal(out[3], 0xff);
	free(out);
	n = 0;
	assert_int_equal(Tspi_EncodeDER_TssBlob(65520, big, TSS_BLOB_TYPE_KEY, &n, NULL),
			 NOT_A_BLOB);
}

static void decodes_what_it_encodes(void **state)
{
	BYTE raw[300], der[400], out[300];
	UINT32 type = 0, n, m;

	for (UINT32 t = TSS_BLOB_TYPE_KEY; t <= TSS_BLOB_TYPE_CMK_BYTE_STREAM; t++) {
		for (UINT32 len = 1; len <= sizeof(raw); len += 37) {
			for (UINT32 i = 0; i < len; i++)
				raw[i] = (BYTE)(i * 7 + t);
			n = sizeof(der);
			assert_int_equal(Tspi_EncodeDER_TssBlob(len, raw, t, &n, der), TSS_SUCCESS);
			m = 0;
			assert_int_equal(decode(der, n, &type, NULL, &m), TSS_SUCCESS);
			assert_int_equal(m, len);
			m = sizeof(out);
			assert_int_equal(decode(der, n, &type, out, &m), TSS_SUCCESS);
			assert_int_equal(type, t);
			assert_int_equal(m, len);
			assert_memory_equal(out, raw, len);
		}
	}
	/* A buffer one byte short. */
	m = 2;
	assert_int_equal(decode(der3, sizeof(der3), &type, out, &m), BAD_PARAMETER);
	m = 3;
	assert_int_equal(decode(der3, sizeof(der3), &type, NULL, &m), BAD_PARAMETER);
	assert_int_equal(decode(der3, sizeof(der3), NULL, out, &m), BAD_PARAMETER);
	assert_int_equal(decode(der3, sizeof(der3), &type, out, NULL), BAD_PARAMETER);
	assert_int_equal(decode(NULL, 5, &type, out, &m), BAD_PARAMETER);
	assert_int_equal(decode(der3, 0, &type, out, &m), BAD_PARAMETER);
}

/* Minimal DER, as OpenSSL's i2d (TrouSerS built with its ASN.1 option) writes it. */
static void decodes_minimal_der(void **state)
{
	static const BYTE min[] = {
		0x30, 0x0e, 0x02, 0x01, 0x01, 0x02, 0x01, 0x0b, 0x02, 0x01, 0x03,
		0x04, 0x03, 0xaa, 0xbb, 0xcc,
	};
	/* Long lengths with leading zeros, a padded INTEGER: still BER. */
	static const BYTE padded[] = {
		0x30, 0x84, 0x00, 0x00, 0x00, 0x11, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x0b,
		0x02, 0x02, 0x00, 0x03, 0x04, 0x81, 0x03, 0xaa, 0xbb, 0xcc,
	};
	BYTE out[8];
	UINT32 type = 0, m = sizeof(out);

	assert_int_equal(decode(min, sizeof(min), &type, out, &m), TSS_SUCCESS);
	assert_int_equal(type, TSS_BLOB_TYPE_KEY_1_2);
	assert_int_equal(m, 3);
	assert_memory_equal(out, raw3, 3);
	m = sizeof(out);
	assert_int_equal(decode(padded, sizeof(padded), &type, out, &m), TSS_SUCCESS);
	assert_int_equal(m, 3);
	assert_memory_equal(out, raw3, 3);
}

/* der3 with one byte replaced. */
static TSS_RESULT decode_patched(size_t at, BYTE v, UINT32 *type, BYTE *out, UINT32 *m)
{
	BYTE d[sizeof(der3)];

	memcpy(d, der3, sizeof(d));
	d[at] = v;
	return decode(d, sizeof(d), type, out, m);
}

static void refuses_what_is_not_a_tssblob(void **state)
{
	BYTE d[sizeof(der3) + 1], out[64];
	UINT32 type = 0, m;

	/* Every truncation, and a byte after the SEQUENCE. */
	for (size_t len = 1; len < sizeof(der3); len++) {
		m = sizeof(out);
		assert_int_equal(decode(der3, len, &type, out, &m), NOT_A_BLOB);
	}
	memcpy(d, der3, sizeof(der3));
	d[sizeof(der3)] = 0;
	m = sizeof(out);
	assert_int_equal(decode(d, sizeof(d), &type, out, &m), NOT_A_BLOB);

	m = sizeof(out);
	assert_int_equal(decode_patched(6, 2, &type, out, &m), BAD_PARAMETER);	/* version 2 */
	assert_int_equal(decode_patched(9, 0, &type, out, &m), BAD_PARAMETER);	/* type 0 */
	assert_int_equal(decode_patched(9, 15, &type, out, &m), BAD_PARAMETER);	/* type 15 */
	/* blobLength says 2 or 4 while the OCTET STRING holds 3 (TrouSerS copies blobLength). */
	assert_int_equal(decode_patched(15, 2, &type, out, &m), BAD_PARAMETER);
	assert_int_equal(decode_patched(15, 4, &type, out, &m), BAD_PARAMETER);
	/* A negative INTEGER, wrong tags, an indefinite length, a 5-byte length. */
	assert_int_equal(decode_patched(12, 0x80, &type, out, &m), NOT_A_BLOB);
	assert_int_equal(decode_patched(0, 0x31, &type, out, &m), NOT_A_BLOB);
	assert_int_equal(decode_patched(16, 0x03, &type, out, &m), NOT_A_BLOB);
	assert_int_equal(decode_patched(1, 0x80, &type, out, &m), NOT_A_BLOB);
	assert_int_equal(decode_patched(17, 0x85, &type, out, &m), NOT_A_BLOB);
	/* OCTET STRING longer than what is left. */
	assert_int_equal(decode_patched(19, 0x04, &type, out, &m), NOT_A_BLOB);
	/* A 5-byte blobLength above 32 bits. */
	{
		static const BYTE huge[] = {
			0x30, 0x12, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x02, 0x05, 0x01,
			0x00, 0x00, 0x00, 0x03, 0x04, 0x03, 0xaa, 0xbb, 0xcc, 0x00,
		};

		assert_int_equal(decode(huge, sizeof(huge) - 1, &type, out, &m), NOT_A_BLOB);
	}
}

/* Every byte of der3 set to every value: an answer, never a read out of bounds. */
static void every_byte_flipped(void **state)
{
	BYTE out[sizeof(der3)];

	for (size_t at = 0; at < sizeof(der3); at++) {
		for (unsigned int v = 0; v < 256; v++) {
			UINT32 type = 0, m = 3;
			TSS_RESULT rc = decode_patched(at, (BYTE)v, &type, out, &m);

			if (rc == TSS_SUCCESS)
				assert_true(m <= 3 && type >= 1 && type <= 14);
			else
				assert_true(rc == BAD_PARAMETER || rc == NOT_A_BLOB);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encodes_the_fixed_form),
		cmocka_unit_test(encode_bad_parameters),
		cmocka_unit_test(decodes_what_it_encodes),
		cmocka_unit_test(decodes_minimal_der),
		cmocka_unit_test(refuses_what_is_not_a_tssblob),
		cmocka_unit_test(every_byte_flipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
