/*
 * libFuzzer target for Tspi_DecodeBER_TssBlob (tspi/tspi_asn1.c): a
 * TssBlob from a file or a peer. Decoded blobs are re-encoded when the
 * fixed form can hold them, and must decode back to the same type and
 * bytes. Nothing may crash or read past the input.
 * Seeds: tests/fuzz/corpus/tssblob/.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tss/tspi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	UINT32 type = 0, len = 0, type2 = 0, len2, der_len = 0;
	BYTE *copy, *raw = NULL, *der = NULL, *back = NULL;

	if (size == 0 || size > 70000)
		return 0;
	/* An exact copy: any read past the end lands outside the allocation. */
	copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (Tspi_DecodeBER_TssBlob((UINT32)size, copy, &type, &len, NULL) != TSS_SUCCESS ||
	    len == 0)
		goto out;
	if ((raw = malloc(len)) == NULL ||
	    Tspi_DecodeBER_TssBlob((UINT32)size, copy, &type, &len, raw) != TSS_SUCCESS)
		abort();	/* the size query said yes */
	if (Tspi_EncodeDER_TssBlob(len, raw, type, &der_len, NULL) != TSS_SUCCESS)
		goto out;	/* beyond the fixed form's 65,519 bytes */
	if ((der = malloc(der_len)) == NULL || (back = malloc(len)) == NULL ||
	    Tspi_EncodeDER_TssBlob(len, raw, type, &der_len, der) != TSS_SUCCESS)
		abort();
	len2 = len;
	if (Tspi_DecodeBER_TssBlob(der_len, der, &type2, &len2, back) != TSS_SUCCESS ||
	    type2 != type || len2 != len || memcmp(back, raw, len) != 0)
		abort();
out:
	free(back);
	free(der);
	free(raw);
	free(copy);
	return 0;
}
