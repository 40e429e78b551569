/*
 * One TSS client, built twice by tspi_admin_interop.sh: against Debian's
 * libtspi (TrouSerS) and against ours, and run on our tcsd: counters,
 * ticks, tick stamps, ordinal auditing, the DIR and status flags through
 * the plain TSS 1.2 API, checking what comes back.
 *
 * The owner secret is "owner secret" (plain), the SRK's the well-known one.
 *
 * Usage: tspi_admin_peer COMMAND ARGS
 *   own            take ownership
 *   counter N      Tspi_TPM_ReadCounter must give N
 *   nocounter      Tspi_TPM_ReadCounter must say TSS_E_NO_ACTIVE_COUNTER
 *   ticks          ReadCurrentTicks twice: tag, same nonce, no going back
 *   tickstamp      TickStampBlob with a new signing key; TPM_SIGN_INFO layout
 *                  and signature (Tspi_Hash_VerifySignature) checked
 *   audit          audit GetRandom, GetAuditDigest lists it, the digest
 *                  moves, GetAuditDigestSigned verified by the library
 *   dir            DirWrite then DirRead
 *   status         GetStatus, SetStatus(DISABLEPUBSRKREAD) both ways, RESETLOCK
 * Exit 0 on success, 1 with a message on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <trousers/tss.h>

#include "peer_kit.h"

static const char owner_pw[] = "owner secret";

static TSS_HCONTEXT ctx;
static TSS_HTPM tpm;

static UINT32 be32(const BYTE *p)
{
	return (UINT32)p[0] << 24 | (UINT32)p[1] << 16 | (UINT32)p[2] << 8 | p[3];
}

/* A loaded 2048-bit signing key with usage secret "sign". */
static TSS_HKEY signing_key(void)
{
	TSS_HKEY srk = peer_load_srk(ctx), key;

	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
				      TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_2048 |
					      TSS_KEY_AUTHORIZATION,
				      &key),
	    "key object");
	peer_policy(ctx, key, "sign");
	TRY(Tspi_Key_CreateKey(key, srk, 0), "CreateKey");
	TRY(Tspi_Key_LoadKey(key, srk), "LoadKey");
	return key;
}

static void ticks(void)
{
	TPM_CURRENT_TICKS a, b;

	TRY(Tspi_TPM_ReadCurrentTicks(tpm, &a), "ReadCurrentTicks");
	usleep(10000);
	TRY(Tspi_TPM_ReadCurrentTicks(tpm, &b), "ReadCurrentTicks again");
	peer_expect(a.tag == 0x14 && b.tag == 0x14, "TPM_CURRENT_TICKS tag");
	peer_expect(b.currentTicks >= a.currentTicks, "ticks went back");
	peer_expect(memcmp(a.tickNonce.nonce, b.tickNonce.nonce, 20) == 0, "tick nonce changed");
	printf("ticks %llu -> %llu, rate %u\n", (unsigned long long)a.currentTicks,
	       (unsigned long long)b.currentTicks, a.tickRate);
}

static void tickstamp(void)
{
	TSS_HKEY key = signing_key();
	TSS_HHASH hash, check;
	TSS_VALIDATION val;
	BYTE digest[20], nonce[20];
	const BYTE *d;

	memset(digest, 0x61, sizeof(digest));
	memset(nonce, 0x62, sizeof(nonce));
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &hash), "hash");
	TRY(Tspi_Hash_SetHashValue(hash, 20, digest), "SetHashValue");
	memset(&val, 0, sizeof(val));
	val.ulExternalDataLength = 20;
	val.rgbExternalData = nonce;
	TRY(Tspi_Hash_TickStampBlob(hash, key, &val), "TickStampBlob");
	d = val.rgbData;
	peer_expect(val.ulDataLength == 82, "TPM_SIGN_INFO length");
	peer_expect(memcmp(d + 2, "TSTP", 4) == 0 && memcmp(d + 6, nonce, 20) == 0 &&
		       be32(d + 26) == 52 && memcmp(d + 30, digest, 20) == 0,
	       "TPM_SIGN_INFO contents");
	TRY(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &check), "hash");
	TRY(Tspi_Hash_UpdateHashValue(check, val.ulDataLength, val.rgbData), "hash the info");
	TRY(Tspi_Hash_VerifySignature(check, key, val.ulValidationDataLength,
				      val.rgbValidationData),
	    "tick stamp signature");
	printf("tick stamp verified\n");
}

static int listed(const UINT32 *list, UINT32 n, UINT32 ord)
{
	for (UINT32 i = 0; i < n; i++)
		if (be32((const BYTE *)&list[i]) == ord)
			return 1;
	return 0;
}

static void audit(void)
{
	TSS_HKEY key;
	TPM_COUNTER_VALUE cv;
	BYTE *d1 = NULL, *d2 = NULL, *rnd = NULL, first[20];
	UINT32 len = 0, n = 0, *list = NULL;

	peer_policy(ctx, tpm, owner_pw);
	TRY(Tspi_SetAttribUint32(tpm, TSS_TSPATTRIB_TPM_ORDINAL_AUDIT_STATUS,
				 TPM_CAP_PROP_TPM_SET_ORDINAL_AUDIT, TPM_ORD_GetRandom),
	    "audit GetRandom");
	TRY(Tspi_TPM_GetAuditDigest(tpm, 0, FALSE, &len, &d1, &cv, NULL, &n, &list),
	    "GetAuditDigest");
	peer_expect(len == 20 && listed(list, n, TPM_ORD_GetRandom), "GetRandom not in the list");
	memcpy(first, d1, 20);
	TRY(Tspi_TPM_GetRandom(tpm, 8, &rnd), "GetRandom");
	TRY(Tspi_TPM_GetAuditDigest(tpm, 0, FALSE, &len, &d2, &cv, NULL, &n, &list),
	    "GetAuditDigest again");
	peer_expect(memcmp(first, d2, 20) != 0, "the audit digest did not move");
	key = signing_key();
	TRY(Tspi_TPM_GetAuditDigest(tpm, key, FALSE, &len, &d2, &cv, NULL, NULL, NULL),
	    "GetAuditDigestSigned (verified by the library)");
	TRY(Tspi_SetAttribUint32(tpm, TSS_TSPATTRIB_TPM_ORDINAL_AUDIT_STATUS,
				 TPM_CAP_PROP_TPM_CLEAR_ORDINAL_AUDIT, TPM_ORD_GetRandom),
	    "stop auditing GetRandom");
	printf("audit: %u ordinals, counter %u\n", n, cv.counter);
}

static void dir(void)
{
	BYTE v[20], *got = NULL;
	UINT32 len = 0;

	memset(v, 0x71, sizeof(v));
	peer_policy(ctx, tpm, owner_pw);
	TRY(Tspi_TPM_DirWrite(tpm, 0, 20, v), "DirWrite");
	TRY(Tspi_TPM_DirRead(tpm, 0, &len, &got), "DirRead");
	peer_expect(len == 20 && memcmp(got, v, 20) == 0, "DIR contents");
	printf("DIR written and read\n");
}

static void status(void)
{
	TSS_BOOL b = FALSE;

	peer_policy(ctx, tpm, owner_pw);
	TRY(Tspi_TPM_GetStatus(tpm, TSS_TPMSTATUS_SETOWNERINSTALL, &b), "GetStatus");
	peer_expect(b == TRUE, "owner flag");
	TRY(Tspi_TPM_SetStatus(tpm, TSS_TPMSTATUS_DISABLEPUBSRKREAD, FALSE), "allow SRK read");
	TRY(Tspi_TPM_GetStatus(tpm, TSS_TPMSTATUS_DISABLEPUBSRKREAD, &b), "GetStatus");
	peer_expect(b == FALSE, "DISABLEPUBSRKREAD still set");
	TRY(Tspi_TPM_SetStatus(tpm, TSS_TPMSTATUS_DISABLEPUBSRKREAD, TRUE), "forbid SRK read");
	TRY(Tspi_TPM_GetStatus(tpm, TSS_TPMSTATUS_DISABLEPUBSRKREAD, &b), "GetStatus");
	peer_expect(b == TRUE, "DISABLEPUBSRKREAD not set");
	TRY(Tspi_TPM_SetStatus(tpm, TSS_TPMSTATUS_RESETLOCK, TRUE), "ResetLockValue");
	printf("status flags ok\n");
}

int main(int argc, char **argv)
{
	TSS_RESULT rc;
	UINT32 v = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: tspi_admin_peer COMMAND [ARG]\n");
		return 2;
	}
	peer_name = "tspi_admin_peer";
	peer_connect(&ctx, &tpm);
	if (strcmp(argv[1], "own") == 0) {
		peer_take_ownership(ctx, tpm, owner_pw);
	} else if (strcmp(argv[1], "counter") == 0 && argc == 3) {
		TRY(Tspi_TPM_ReadCounter(tpm, &v), "ReadCounter");
		peer_expect(v == (UINT32)strtoul(argv[2], NULL, 0), "counter value");
		printf("counter %u\n", v);
	} else if (strcmp(argv[1], "nocounter") == 0) {
		rc = Tspi_TPM_ReadCounter(tpm, &v);
		peer_expect((rc & 0xfff) == TSS_E_NO_ACTIVE_COUNTER, "expected TSS_E_NO_ACTIVE_COUNTER");
	} else if (strcmp(argv[1], "ticks") == 0) {
		ticks();
	} else if (strcmp(argv[1], "tickstamp") == 0) {
		tickstamp();
	} else if (strcmp(argv[1], "audit") == 0) {
		audit();
	} else if (strcmp(argv[1], "dir") == 0) {
		dir();
	} else if (strcmp(argv[1], "status") == 0) {
		status();
	} else {
		fprintf(stderr, "tspi_admin_peer: unknown command %s\n", argv[1]);
		return 2;
	}
	Tspi_Context_FreeMemory(ctx, NULL);
	Tspi_Context_Close(ctx);
	return 0;
}
