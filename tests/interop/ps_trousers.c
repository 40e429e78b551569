/*
 * A TrouSerS client (Debian's libtspi) exercising system persistent
 * storage and the key cache of whatever tcsd TSS_TCSD_PORT points at.
 * ps_trousers.sh runs it against TrouSerS' tcsd and against ours, on the
 * same TPM and the same system.data, in both orders.
 *
 * Built only by that script, against /usr/include/tss, linked -ltspi.
 * The TPM must be owned with the well-known SRK secret (tpm_takeownership -z).
 *
 * Usage: ps_trousers COMMAND [ARG]
 *   register N      create and register key N (1: storage under the SRK,
 *                   2: signing key with a usage secret under key 1,
 *                   3: binding key under the SRK, 4: signing key under the SRK)
 *   unregister N    unregister key N
 *   expect N,M,...  the registered keys are exactly the SRK (if owned through
 *                   a TSS that registers it) plus N,M,...; the chain of
 *                   key 2 is 2 -> 1 -> SRK
 *   use N           load key N by UUID and use it: sign and verify (2, 4),
 *                   bind and unbind (3), seal and unseal under it (1);
 *                   for key 2 its parent is loaded first
 *   use-chain N     the same, but LoadKeyByUUID loads key 2's parent
 *                   itself: two rounds of TCS_E_KM_LOADFAILED/LOADKEY_INFO
 *                   because key 1 needs the SRK's auth (TrouSerS' tcsd
 *                   answers the second round with key 1's handle, so this
 *                   only works against ours)
 *   seal            seal and unseal 32 bytes under the SRK
 * Exit 0 on success, 1 with a message on failure.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss/tspi.h>
#include <tss/tss_error.h>
#include <tss/tss_defines.h>
#include <tss/tss_typedef.h>
#include <tss/tss_structs.h>
#include <trousers/trousers.h>

static TSS_HCONTEXT ctx;
static const BYTE wks[20];
static const char sign_secret[] = "sign-secret";

static const TSS_UUID srk_uuid = TSS_UUID_SRK;
static const TSS_UUID key_uuid[5] = {
	{ 0 },
	{ 0x7a55e001, 0x1111, 0x2222, 0x33, 0x44, { 0x55, 0x66, 0x77, 0x88, 0x99, 0x01 } },
	{ 0x7a55e002, 0x1111, 0x2222, 0x33, 0x44, { 0x55, 0x66, 0x77, 0x88, 0x99, 0x02 } },
	{ 0x7a55e003, 0x1111, 0x2222, 0x33, 0x44, { 0x55, 0x66, 0x77, 0x88, 0x99, 0x03 } },
	{ 0x7a55e004, 0x1111, 0x2222, 0x33, 0x44, { 0x55, 0x66, 0x77, 0x88, 0x99, 0x04 } },
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("ps_trousers: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void check(TSS_RESULT rc, const char *what)
{
	if (rc != TSS_SUCCESS)
		die("%s: 0x%08x (%s)", what, rc, Trspi_Error_String(rc));
}

static int key_number(const char *s)
{
	int n = atoi(s);

	if (n < 1 || n > 4)
		die("key number must be 1..4, not %s", s);
	return n;
}

static int uuid_number(const TSS_UUID *u)
{
	for (int i = 1; i <= 4; i++)
		if (memcmp(u, &key_uuid[i], sizeof(*u)) == 0)
			return i;
	if (memcmp(u, &srk_uuid, sizeof(*u)) == 0)
		return 0;
	return -1;
}

static void set_secret(TSS_HOBJECT obj, TSS_FLAG mode, UINT32 len, const BYTE *secret)
{
	TSS_HPOLICY pol;

	check(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE, &pol),
	      "create policy");
	check(Tspi_Policy_SetSecret(pol, mode, len, (BYTE *)secret), "set secret");
	check(Tspi_Policy_AssignToObject(pol, obj), "assign policy");
}

static TSS_HKEY load_srk(void)
{
	TSS_HKEY srk;

	check(Tspi_Context_LoadKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, srk_uuid, &srk),
	      "load SRK by UUID");
	set_secret(srk, TSS_SECRET_MODE_SHA1, sizeof(wks), wks);
	return srk;
}

static TSS_HKEY load_key(int n)
{
	TSS_HKEY key;

	check(Tspi_Context_LoadKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, key_uuid[n], &key),
	      "load key by UUID");
	if (n == 2)
		set_secret(key, TSS_SECRET_MODE_PLAIN, sizeof(sign_secret) - 1,
			   (const BYTE *)sign_secret);
	/*
	 * Keys without authorisation keep the context's default policy: it
	 * is what their (unchecked) usage secret was derived from when they
	 * were created, and a child's OSAP secret depends on it.
	 */
	return key;
}

static void do_register(int n)
{
	TSS_HKEY parent, key;
	TSS_FLAG flags = TSS_KEY_SIZE_2048 | TSS_KEY_NOT_MIGRATABLE;
	TSS_UUID parent_uuid = srk_uuid;

	parent = load_srk();
	if (n == 2) {
		TSS_HKEY srk = parent;

		parent = load_key(1);
		(void)srk;
		parent_uuid = key_uuid[1];
	}
	switch (n) {
	case 1:
		flags |= TSS_KEY_TYPE_STORAGE | TSS_KEY_NO_AUTHORIZATION;
		break;
	case 2:
		flags |= TSS_KEY_TYPE_SIGNING | TSS_KEY_AUTHORIZATION;
		break;
	case 3:
		flags |= TSS_KEY_TYPE_BIND | TSS_KEY_NO_AUTHORIZATION;
		break;
	default:
		flags |= TSS_KEY_TYPE_SIGNING | TSS_KEY_NO_AUTHORIZATION;
		break;
	}
	check(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY, flags, &key), "create key object");
	if (n == 2)
		set_secret(key, TSS_SECRET_MODE_PLAIN, sizeof(sign_secret) - 1,
			   (const BYTE *)sign_secret);
	check(Tspi_Key_CreateKey(key, parent, 0), "create key");
	check(Tspi_Context_RegisterKey(ctx, key, TSS_PS_TYPE_SYSTEM, key_uuid[n],
				       TSS_PS_TYPE_SYSTEM, parent_uuid), "register key");
	/* A second registration under the same UUID must be refused. */
	TSS_RESULT rc = Tspi_Context_RegisterKey(ctx, key, TSS_PS_TYPE_SYSTEM, key_uuid[n],
						 TSS_PS_TYPE_SYSTEM, parent_uuid);
	if ((rc & TSS_MAX_ERROR) != TSS_E_KEY_ALREADY_REGISTERED)
		die("duplicate registration gave 0x%08x, not KEY_ALREADY_REGISTERED", rc);
}

static void do_unregister(int n)
{
	TSS_HKEY key;

	check(Tspi_Context_UnregisterKey(ctx, TSS_PS_TYPE_SYSTEM, key_uuid[n], &key),
	      "unregister key");
	TSS_RESULT rc = Tspi_Context_UnregisterKey(ctx, TSS_PS_TYPE_SYSTEM, key_uuid[n], &key);
	if ((rc & TSS_MAX_ERROR) != TSS_E_PS_KEY_NOTFOUND)
		die("second unregistration gave 0x%08x, not PS_KEY_NOTFOUND", rc);
}

static void do_expect(const char *list)
{
	bool want[5] = { false }, seen[5] = { false };
	UINT32 n = 0;
	TSS_KM_KEYINFO *info = NULL;
	TSS_KM_KEYINFO2 *info2 = NULL;
	char *copy = strdup(list), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		want[key_number(tok)] = true;
	free(copy);

	check(Tspi_Context_GetRegisteredKeysByUUID(ctx, TSS_PS_TYPE_SYSTEM, NULL, &n, &info),
	      "enumerate all");
	for (UINT32 i = 0; i < n; i++) {
		int k = uuid_number(&info[i].keyUUID);

		printf("key %d: parent %d authDataUsage %u loaded %u version %u.%u.%u.%u\n", k,
		       uuid_number(&info[i].parentKeyUUID), info[i].bAuthDataUsage,
		       info[i].fIsLoaded, info[i].versionInfo.bMajor, info[i].versionInfo.bMinor,
		       info[i].versionInfo.bRevMajor, info[i].versionInfo.bRevMinor);
		if (k < 0)
			die("unknown UUID registered");
		if (k > 0) {
			if (seen[k])
				die("key %d listed twice", k);
			seen[k] = true;
		}
	}
	for (int k = 1; k <= 4; k++)
		if (want[k] != seen[k])
			die("key %d is %sregistered, expected %s", k, seen[k] ? "" : "not ",
			    want[k] ? "registered" : "absent");
	Tspi_Context_FreeMemory(ctx, (BYTE *)info);

	check(Tspi_Context_GetRegisteredKeysByUUID2(ctx, TSS_PS_TYPE_SYSTEM, NULL, &n, &info2),
	      "enumerate all (2)");
	for (UINT32 i = 0; i < n; i++)
		if (info2[i].persistentStorageType != TSS_PS_TYPE_SYSTEM)
			die("KEYINFO2 psType %u", info2[i].persistentStorageType);
	Tspi_Context_FreeMemory(ctx, (BYTE *)info2);

	if (want[2]) {
		TSS_UUID u = key_uuid[2];

		check(Tspi_Context_GetRegisteredKeysByUUID(ctx, TSS_PS_TYPE_SYSTEM, &u, &n, &info),
		      "enumerate chain of key 2");
		if (n < 2 || uuid_number(&info[0].keyUUID) != 2 ||
		    uuid_number(&info[1].keyUUID) != 1 || uuid_number(&info[0].parentKeyUUID) != 1)
			die("chain of key 2 is wrong (%u entries)", n);
		printf("chain of key 2: %u entries\n", n);
		Tspi_Context_FreeMemory(ctx, (BYTE *)info);
	}
	puts("expect: ok");
}

static void sign_and_verify(TSS_HKEY key)
{
	TSS_HHASH hash;
	BYTE digest[20], *sig = NULL;
	UINT32 sig_len = 0;

	for (int i = 0; i < 20; i++)
		digest[i] = (BYTE)(i * 7 + 1);
	check(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &hash),
	      "create hash");
	check(Tspi_Hash_SetHashValue(hash, sizeof(digest), digest), "set hash");
	check(Tspi_Hash_Sign(hash, key, &sig_len, &sig), "sign");
	check(Tspi_Hash_VerifySignature(hash, key, sig_len, sig), "verify signature");
	digest[0] ^= 1;
	check(Tspi_Hash_SetHashValue(hash, sizeof(digest), digest), "set hash");
	if (Tspi_Hash_VerifySignature(hash, key, sig_len, sig) == TSS_SUCCESS)
		die("a signature over another digest verified");
	printf("sign: %u-byte signature verified\n", sig_len);
}

static void seal_and_unseal(TSS_HKEY key)
{
	TSS_HENCDATA enc;
	BYTE secret[32], *out = NULL;
	UINT32 out_len = 0;

	for (int i = 0; i < 32; i++)
		secret[i] = (BYTE)(0xa0 + i);
	check(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_SEAL, &enc),
	      "create encdata");
	set_secret(enc, TSS_SECRET_MODE_SHA1, sizeof(wks), wks);
	check(Tspi_Data_Seal(enc, key, sizeof(secret), secret, 0), "seal");
	check(Tspi_Data_Unseal(enc, key, &out_len, &out), "unseal");
	if (out_len != sizeof(secret) || memcmp(out, secret, sizeof(secret)) != 0)
		die("unsealed data differs");
	puts("seal: ok");
}

static void bind_and_unbind(TSS_HKEY key)
{
	TSS_HENCDATA enc;
	BYTE msg[16] = "bound message!!", *out = NULL;
	UINT32 out_len = 0;

	check(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_BIND, &enc),
	      "create encdata");
	check(Tspi_Data_Bind(enc, key, sizeof(msg), msg), "bind");
	check(Tspi_Data_Unbind(enc, key, &out_len, &out), "unbind");
	if (out_len != sizeof(msg) || memcmp(out, msg, sizeof(msg)) != 0)
		die("unbound data differs");
	puts("bind: ok");
}

static void do_use(int n, bool preload_parent)
{
	TSS_HKEY key;

	(void)load_srk();
	if (n == 2 && preload_parent)
		(void)load_key(1);
	key = load_key(n);
	switch (n) {
	case 1:
		seal_and_unseal(key);
		break;
	case 3:
		bind_and_unbind(key);
		break;
	default:
		sign_and_verify(key);
		break;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die("usage: ps_trousers register|unregister|expect|use|seal [ARG]");
	check(Tspi_Context_Create(&ctx), "context create");
	check(Tspi_Context_Connect(ctx, NULL), "connect");

	if (strcmp(argv[1], "register") == 0 && argc == 3)
		do_register(key_number(argv[2]));
	else if (strcmp(argv[1], "unregister") == 0 && argc == 3)
		do_unregister(key_number(argv[2]));
	else if (strcmp(argv[1], "expect") == 0)
		do_expect(argc == 3 ? argv[2] : "");
	else if (strcmp(argv[1], "use") == 0 && argc == 3)
		do_use(key_number(argv[2]), true);
	else if (strcmp(argv[1], "use-chain") == 0 && argc == 3)
		do_use(key_number(argv[2]), false);
	else if (strcmp(argv[1], "seal") == 0)
		seal_and_unseal(load_srk());
	else
		die("unknown command %s", argv[1]);

	Tspi_Context_FreeMemory(ctx, NULL);
	Tspi_Context_Close(ctx);
	return 0;
}
