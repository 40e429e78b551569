/*
 * admin_counter_tool: makes a monotonic counter the active one, for
 * tspi_admin_interop.sh (the TSS API cannot create counters; TrouSerS'
 * libtspi only reads the active one). Talks to the tcsd of
 * $TSS_TCSD_PORT over the TCSD wire (admin_tcs.c).
 *
 *   admin_counter_tool create      creates a counter (owner secret
 *                                  "owner secret"), increments it twice,
 *                                  prints "ID VALUE"
 *   admin_counter_tool release ID  ReleaseCounterOwner
 * Exit 0 on success, 1 with a message otherwise.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "admin_tcs.h"

int main(int argc, char **argv)
{
	static const uint8_t counter_pw[20] = "interop counter 1234";
	struct admin_tcs t;
	TPM_COUNTER_VALUE v;
	uint8_t owner[20];
	unsigned int len = 20;
	uint32_t id = 0, rc;

	if (argc < 2 || EVP_Digest("owner secret", 12, owner, &len, EVP_sha1(), NULL) != 1)
		return 2;
	if (admin_tcs_open(&t) != 0) {
		fprintf(stderr, "admin_counter_tool: cannot reach the tcsd\n");
		return 1;
	}
	if (strcmp(argv[1], "create") == 0) {
		rc = admin_tcs_create_counter(&t, owner, counter_pw, (const uint8_t *)"ipc1", 4, &id,
					      &v);
		if (rc == 0)
			rc = admin_tcs_increment_counter(&t, id, counter_pw, &v);
		if (rc == 0)
			rc = admin_tcs_increment_counter(&t, id, counter_pw, &v);
		if (rc == 0)
			printf("%u %u\n", id, v.counter);
	} else if (strcmp(argv[1], "release") == 0 && argc == 3) {
		rc = admin_tcs_release_counter(&t, (uint32_t)strtoul(argv[2], NULL, 0), owner, 1);
	} else {
		rc = 2;
	}
	admin_tcs_close(&t);
	if (rc != 0)
		fprintf(stderr, "admin_counter_tool: %s failed: 0x%x\n", argv[1], rc);
	return rc == 0 ? 0 : 1;
}
