/*
 * Tspi_EncodeDER_TssBlob / Tspi_DecodeBER_TssBlob (TSS 1.2 §4.3.3.1):
 * a TSS blob wrapped in ASN.1 for storage and exchange,
 *
 *   TssBlob ::= SEQUENCE {
 *       structVersion INTEGER,      -- TSS_BLOB_STRUCT_VERSION (1)
 *       blobType      INTEGER,      -- TSS_BLOB_TYPE_KEY .. _CMK_BYTE_STREAM
 *       blobLength    INTEGER,
 *       blob          OCTET STRING }
 *
 * The TSS working group fixed the encoding at exactly 20 bytes more than
 * the blob, so every field has a fixed size (two-byte lengths in the long
 * form, a four-byte blobLength): 30 82 LLLL | 02 01 01 | 02 01 TT |
 * 02 04 NNNNNNNN | 04 82 NNNN | blob. TrouSerS writes exactly these
 * bytes; the two-byte lengths limit the blob to 65,519 bytes.
 *
 * Decoding takes any BER a peer may write (short or long lengths,
 * integers with leading zero bytes), but nothing else: the SEQUENCE must
 * span the whole input, hold the four fields and nothing more, and
 * blobLength must equal the OCTET STRING's length.
 *
 * Sizes are in/out as the spec (and TrouSerS) define them: *size 0 asks
 * for the size needed (the buffer may then be NULL); otherwise it is the
 * buffer's size, too small being TSS_E_BAD_PARAMETER.
 */
#include "config.h"

#include <string.h>

#include "tss/tspi.h"

#include "buf.h"

/* The fixed header: SEQUENCE, three INTEGERs, the OCTET STRING's tag and length. */
#define DER_HEADER_LEN 20u
/* The SEQUENCE's two-byte length covers everything after its own 4 bytes. */
#define DER_BLOB_MAX (0xffffu - (DER_HEADER_LEN - 4u))

#define ASN1_INTEGER 0x02
#define ASN1_OCTET_STRING 0x04
#define ASN1_SEQUENCE 0x30

static bool blob_type_ok(UINT32 type)
{
	return type >= TSS_BLOB_TYPE_KEY && type <= TSS_BLOB_TYPE_CMK_BYTE_STREAM;
}

TSS_RESULT Tspi_EncodeDER_TssBlob(UINT32 rawBlobSize, BYTE *rawBlob, UINT32 blobType,
				  UINT32 *derBlobSize, BYTE *derBlob)
{
	BYTE *p = derBlob;

	if (rawBlobSize == 0 || rawBlob == NULL || derBlobSize == NULL || !blob_type_ok(blobType))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if (*derBlobSize != 0 && derBlob == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	/* TrouSerS' code for a blob the fixed-size lengths cannot describe. */
	if (rawBlobSize > DER_BLOB_MAX)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	if (*derBlobSize == 0) {
		*derBlobSize = rawBlobSize + DER_HEADER_LEN;
		return TSS_SUCCESS;
	}
	if (*derBlobSize < rawBlobSize + DER_HEADER_LEN)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);

	*p++ = ASN1_SEQUENCE;
	*p++ = 0x82;
	buf_store_be16(p, (uint16_t)(rawBlobSize + DER_HEADER_LEN - 4u));
	p += 2;
	*p++ = ASN1_INTEGER;
	*p++ = 1;
	*p++ = TSS_BLOB_STRUCT_VERSION;
	*p++ = ASN1_INTEGER;
	*p++ = 1;
	*p++ = (BYTE)blobType;
	*p++ = ASN1_INTEGER;
	*p++ = 4;
	buf_store_be32(p, rawBlobSize);
	p += 4;
	*p++ = ASN1_OCTET_STRING;
	*p++ = 0x82;
	buf_store_be16(p, (uint16_t)rawBlobSize);
	p += 2;
	memcpy(p, rawBlob, rawBlobSize);
	*derBlobSize = rawBlobSize + DER_HEADER_LEN;
	return TSS_SUCCESS;
}

/* A BER tag-length header at *p (n bytes left): the content's bounds, or false. */
static bool ber_header(const BYTE **p, size_t *n, BYTE tag, size_t *len)
{
	const BYTE *q = *p;
	size_t left = *n, l;

	if (left < 2 || q[0] != tag)
		return false;
	l = q[1];
	q += 2;
	left -= 2;
	if (l & 0x80) {
		size_t k = l & 0x7f;

		/* Definite lengths of up to four bytes; 0x80 (indefinite) is refused. */
		if (k == 0 || k > 4 || left < k)
			return false;
		for (l = 0; k > 0; k--, left--)
			l = l << 8 | *q++;
	}
	if (l > left)
		return false;
	*p = q;
	*n = left;
	*len = l;
	return true;
}

/* A non-negative BER INTEGER that fits in 32 bits. */
static bool ber_uint32(const BYTE **p, size_t *n, UINT32 *out)
{
	size_t len;
	uint64_t v = 0;

	if (!ber_header(p, n, ASN1_INTEGER, &len) || len == 0 || ((*p)[0] & 0x80))
		return false;
	for (size_t i = 0; i < len; i++) {
		v = v << 8 | (*p)[i];
		if (v > UINT32_MAX)
			return false;
	}
	*out = (UINT32)v;
	*p += len;
	*n -= len;
	return true;
}

TSS_RESULT Tspi_DecodeBER_TssBlob(UINT32 berBlobSize, BYTE *berBlob, UINT32 *blobType,
				  UINT32 *rawBlobSize, BYTE *rawBlob)
{
	const BYTE *p = berBlob, *blob;
	size_t n = berBlobSize, seq_len, blob_len;
	UINT32 version, type, length;

	if (berBlobSize == 0 || berBlob == NULL || blobType == NULL || rawBlobSize == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if (*rawBlobSize != 0 && rawBlob == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	/* Not a TssBlob at all: TrouSerS' answer when its parser gives up. */
	if (!ber_header(&p, &n, ASN1_SEQUENCE, &seq_len) || seq_len != n ||
	    !ber_uint32(&p, &n, &version) || !ber_uint32(&p, &n, &type) ||
	    !ber_uint32(&p, &n, &length) || !ber_header(&p, &n, ASN1_OCTET_STRING, &blob_len) ||
	    blob_len != n)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	blob = p;
	if (version > TSS_BLOB_STRUCT_VERSION || !blob_type_ok(type) || length != blob_len)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if (*rawBlobSize != 0) {
		if (*rawBlobSize < length)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		memcpy(rawBlob, blob, length);
	}
	*rawBlobSize = length;
	*blobType = type;
	return TSS_SUCCESS;
}
