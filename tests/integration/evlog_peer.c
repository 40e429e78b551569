/*
 * A TSS application built against Debian's libtspi (TrouSerS 0.3.15),
 * for test_evlog_interop.sh:
 *   evlog_peer dump              prints Tspi_TPM_GetEventLog, one event a line
 *   evlog_peer extend PCR TEXT   Tspi_TPM_PcrExtend with an EV_IPL event TEXT
 * Exit 0 on success, 1 on a TSS error (printed on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss/tspi.h>

static int fail(const char *what, TSS_RESULT rc)
{
	fprintf(stderr, "evlog_peer: %s: 0x%x\n", what, rc);
	return 1;
}

int main(int argc, char **argv)
{
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_RESULT rc;
	int status = 0;

	if (argc < 2)
		return 2;
	if ((rc = Tspi_Context_Create(&ctx)) != TSS_SUCCESS)
		return fail("Context_Create", rc);
	if ((rc = Tspi_Context_Connect(ctx, NULL)) != TSS_SUCCESS ||
	    (rc = Tspi_Context_GetTpmObject(ctx, &tpm)) != TSS_SUCCESS) {
		status = fail("Context_Connect", rc);
		goto out;
	}
	if (strcmp(argv[1], "dump") == 0) {
		TSS_PCR_EVENT *evs = NULL;
		UINT32 n = 0, i, k;

		if ((rc = Tspi_TPM_GetEventLog(tpm, &n, &evs)) != TSS_SUCCESS) {
			status = fail("GetEventLog", rc);
			goto out;
		}
		for (i = 0; i < n; i++) {
			TSS_PCR_EVENT *ev = &evs[i];

			printf("%u %u.%u.%u.%u 0x%x ", ev->ulPcrIndex, ev->versionInfo.bMajor,
			       ev->versionInfo.bMinor, ev->versionInfo.bRevMajor,
			       ev->versionInfo.bRevMinor, ev->eventType);
			for (k = 0; k < ev->ulPcrValueLength; k++)
				printf("%02x", ev->rgbPcrValue[k]);
			putchar(' ');
			for (k = 0; k < ev->ulEventLength; k++)
				printf("%02x", ev->rgbEvent[k]);
			putchar('\n');
		}
	} else if (strcmp(argv[1], "extend") == 0 && argc == 4) {
		BYTE data[20], *value = NULL;
		UINT32 value_len = 0;
		TSS_PCR_EVENT ev;

		memset(data, 0x40, sizeof(data));
		memset(&ev, 0, sizeof(ev));
		ev.eventType = 0x0d;
		ev.ulEventLength = (UINT32)strlen(argv[3]);
		ev.rgbEvent = (BYTE *)argv[3];
		rc = Tspi_TPM_PcrExtend(tpm, (UINT32)atoi(argv[2]), sizeof(data), data, &ev,
					&value_len, &value);
		if (rc != TSS_SUCCESS)
			status = fail("PcrExtend", rc);
	} else {
		status = 2;
	}
out:
	Tspi_Context_FreeMemory(ctx, NULL);
	Tspi_Context_Close(ctx);
	return status;
}
