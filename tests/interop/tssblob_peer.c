/*
 * Tspi_EncodeDER_TssBlob / Tspi_DecodeBER_TssBlob of whichever libtspi
 * this is built against (Debian's TrouSerS or ours), driven from the
 * command line so tssblob_interop.sh can compare the two byte for byte:
 *
 *   tssblob_peer encode TYPE HEX [BUFSIZE]  -> rc=0x.. size=N der=HEX
 *   tssblob_peer decode HEX [BUFSIZE]       -> rc=0x.. type=N size=N raw=HEX
 *
 * BUFSIZE is the in/out size passed in (0: a size query; default: room).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss/tspi.h>

static BYTE *unhex(const char *s, UINT32 *len)
{
	size_t n = strlen(s) / 2;
	BYTE *b = malloc(n + 1);

	for (size_t i = 0; b != NULL && i < n; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1) {
			free(b);
			return NULL;
		}
		b[i] = (BYTE)v;
	}
	*len = (UINT32)n;
	return b;
}

static void hex(const BYTE *b, UINT32 n)
{
	for (UINT32 i = 0; i < n; i++)
		printf("%02x", b[i]);
}

int main(int argc, char **argv)
{
	UINT32 in_len = 0, size, type = 0;
	BYTE *in, *out;
	TSS_RESULT rc;
	int decode;

	if (argc < 3 || (strcmp(argv[1], "encode") != 0 && strcmp(argv[1], "decode") != 0)) {
		fprintf(stderr, "usage: tssblob_peer encode TYPE HEX [BUFSIZE] | decode HEX [BUFSIZE]\n");
		return 2;
	}
	decode = strcmp(argv[1], "decode") == 0;
	if (!decode && argc < 4)
		return 2;
	in = unhex(argv[decode ? 2 : 3], &in_len);
	if (in == NULL)
		return 2;
	size = in_len + 64;
	if (argc > (decode ? 3 : 4))
		size = (UINT32)strtoul(argv[decode ? 3 : 4], NULL, 0);
	out = calloc(1, in_len + 64);
	if (out == NULL)
		return 2;
	if (decode) {
		rc = Tspi_DecodeBER_TssBlob(in_len, in_len ? in : NULL, &type, &size,
					    size ? out : NULL);
		printf("rc=0x%x type=%u size=%u raw=", (unsigned)rc, (unsigned)type,
		       (unsigned)size);
	} else {
		rc = Tspi_EncodeDER_TssBlob(in_len, in_len ? in : NULL,
					    (UINT32)strtoul(argv[2], NULL, 0), &size,
					    size ? out : NULL);
		printf("rc=0x%x size=%u der=", (unsigned)rc, (unsigned)size);
	}
	if (rc == TSS_SUCCESS && size <= in_len + 64)
		hex(out, size);
	printf("\n");
	free(in);
	free(out);
	return 0;
}
