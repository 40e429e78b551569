/*
 * tpm-mgmt key create|list|register|unregister. Keys are made under the
 * SRK (Tspi_Key_CreateKey) and written as their TPM_KEY blob; key
 * storage is the TSS persistent storage (system PS in tcsd, user PS in
 * ~/.trousers), keyed by UUID.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mgmt.h"
#include "mgmt_keyfile.h"

static const TSS_UUID srk_uuid = TSS_UUID_SRK;

int mgmt_parse_uuid(const char *s, TSS_UUID *u)
{
	unsigned a, b, c, d[8];

	if (strlen(s) != 36 ||
	    sscanf(s, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &a, &b, &c, &d[0], &d[1], &d[2],
		   &d[3], &d[4], &d[5], &d[6], &d[7]) != 11)
		return -1;
	u->ulTimeLow = a;
	u->usTimeMid = (UINT16)b;
	u->usTimeHigh = (UINT16)c;
	u->bClockSeqHigh = (BYTE)d[0];
	u->bClockSeqLow = (BYTE)d[1];
	for (int i = 0; i < 6; i++)
		u->rgbNode[i] = (BYTE)d[2 + i];
	return 0;
}

void mgmt_format_uuid(const TSS_UUID *u, char out[37])
{
	snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", u->ulTimeLow,
		 u->usTimeMid, u->usTimeHigh, u->bClockSeqHigh, u->bClockSeqLow, u->rgbNode[0],
		 u->rgbNode[1], u->rgbNode[2], u->rgbNode[3], u->rgbNode[4], u->rgbNode[5]);
}

int mgmt_load_keyfile(struct tt *t, const char *path, const char *uuid, bool srk_wk, bool key_wk,
		      TSS_HKEY *key)
{
	TSS_HKEY srk;
	TSS_HPOLICY pol;
	TSS_RESULT r;
	UINT32 auth = 0;
	BYTE *blob = NULL;
	size_t len = 0;
	int rc;

	if (!path && !uuid)
		return mgmt_error(t, MGMT_E_USAGE, "name the key: --key FILE (a blob from `key create`) or --uuid UUID");
	if (path && tt_read_file(path, 64 * 1024, &blob, &len) != 0)
		return mgmt_error(t, MGMT_E_FILE, "cannot read the key file %s", path);
	if ((rc = mgmt_load_srk(t, srk_wk, &srk)) != 0)
		goto out;
	if (path) {
		r = Tspi_Context_LoadKeyByBlob(t->ctx, srk, (UINT32)len, blob, key);
	} else {
		TSS_UUID u;

		if (mgmt_parse_uuid(uuid, &u)) {
			rc = mgmt_error(t, MGMT_E_USAGE, "'%s' is not a UUID (8-4-4-4-12 hex digits)", uuid);
			goto out;
		}
		r = Tspi_Context_LoadKeyByUUID(t->ctx, TSS_PS_TYPE_SYSTEM, u, key);
		if (ERROR_CODE(r) == TSS_E_PS_KEY_NOTFOUND)
			r = Tspi_Context_LoadKeyByUUID(t->ctx, TSS_PS_TYPE_USER, u, key);
	}
	if (r) {
		rc = mgmt_fail(t, "loading the key", r);
		goto out;
	}
	/* A key made with --no-auth needs no secret (TPM_AUTH_NEVER). */
	Tspi_GetAttribUint32(*key, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_AUTHUSAGE, &auth);
	if (auth) {
		BYTE wk[20] = TSS_WELL_KNOWN_SECRET, *pw = NULL;
		UINT32 pwlen = 20;

		if (!key_wk &&
		    !(pw = tt_getpass(t, TT_SECRET_KEY, "Enter key password: ", false, false, &pwlen))) {
			rc = mgmt_error(t, MGMT_E_USAGE, "no key secret given");
			goto out;
		}
		r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE, &pol);
		if (!r)
			r = Tspi_Policy_SetSecret(pol, pw ? TSS_SECRET_MODE_PLAIN : TSS_SECRET_MODE_SHA1,
						  pwlen, pw ? pw : wk);
		if (!r)
			r = Tspi_Policy_AssignToObject(pol, *key);
		tt_secret_free(pw, pwlen);
		if (r) {
			rc = mgmt_fail(t, "setting the key secret", r);
			goto out;
		}
	}
	rc = 0;
out:
	free(blob);
	return rc;
}

/* ---- key create ------------------------------------------------------------ */

static const struct { const char *name; TSS_FLAG flag; } key_types[] = {
	{"bind", TSS_KEY_TYPE_BIND}, {"sign", TSS_KEY_TYPE_SIGNING},
	{"storage", TSS_KEY_TYPE_STORAGE}, {"legacy", TSS_KEY_TYPE_LEGACY},
};

static int key_create(struct tt *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{"type", required_argument, NULL, 't'}, {"bits", required_argument, NULL, 'b'},
		{"output", required_argument, NULL, 'o'}, {"register", required_argument, NULL, 'r'},
		{"no-auth", no_argument, NULL, 'n'}, {"migratable", no_argument, NULL, 'm'},
		{"well-known", no_argument, NULL, 'z'}, {"key-well-known", no_argument, NULL, 'k'},
		MGMT_COMMON_LONGOPTS, {NULL, 0, NULL, 0},
	};
	const char *out = NULL, *reg = NULL;
	TSS_FLAG flags = TSS_KEY_TYPE_BIND, size = TSS_KEY_SIZE_2048;
	bool no_auth = false, want_migratable = false, srk_wk = false, key_wk = false;
	TSS_HKEY srk, key;
	TSS_HPOLICY pol;
	TSS_RESULT r;
	TSS_UUID uuid;
	UINT32 blen;
	BYTE *blob;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:b:o:r:nmzk", opts, NULL)) != -1) {
		size_t i;

		switch (c) {
		case 't':
			for (i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
				if (strcmp(optarg, key_types[i].name) == 0)
					break;
			if (i == sizeof(key_types) / sizeof(key_types[0]))
				return mgmt_error(t, MGMT_E_USAGE, "--type is bind, sign, storage or legacy");
			flags = key_types[i].flag;
			break;
		case 'b':
			if (strcmp(optarg, "512") == 0)
				size = TSS_KEY_SIZE_512;
			else if (strcmp(optarg, "1024") == 0)
				size = TSS_KEY_SIZE_1024;
			else if (strcmp(optarg, "2048") == 0)
				size = TSS_KEY_SIZE_2048;
			else
				return mgmt_error(t, MGMT_E_USAGE, "--bits is 512, 1024 or 2048");
			break;
		case 'o': out = optarg; break;
		case 'r': reg = optarg; break;
		case 'n': no_auth = true; break;
		case 'm': want_migratable = true; break;
		case 'z': srk_wk = true; break;
		case 'k': key_wk = true; break;
		default: return MGMT_E_USAGE;
		}
	}
	if (!out && !reg)
		return mgmt_error(t, MGMT_E_USAGE, "say where the key goes: -o FILE and/or --register UUID");
	if (reg && mgmt_parse_uuid(reg, &uuid))
		return mgmt_error(t, MGMT_E_USAGE, "'%s' is not a UUID (8-4-4-4-12 hex digits)", reg);
	flags |= size | (no_auth ? TSS_KEY_NO_AUTHORIZATION : TSS_KEY_AUTHORIZATION) |
		 (want_migratable ? TSS_KEY_MIGRATABLE : TSS_KEY_NOT_MIGRATABLE);
	if ((rc = mgmt_connect(t)) != 0 || (rc = mgmt_load_srk(t, srk_wk, &srk)) != 0)
		return rc;
	if ((r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_RSAKEY, flags, &key)))
		return mgmt_fail(t, "creating the key object", r);
	if (!no_auth) {
		BYTE wk[20] = TSS_WELL_KNOWN_SECRET, *pw = NULL;
		UINT32 len = 20;

		if (!key_wk && !(pw = tt_getpass(t, TT_SECRET_KEY, "Enter key password: ", true, false, &len)))
			return mgmt_error(t, MGMT_E_USAGE, "no key secret given (or use --no-auth / --key-well-known)");
		r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE, &pol);
		if (!r)
			r = Tspi_Policy_SetSecret(pol, pw ? TSS_SECRET_MODE_PLAIN : TSS_SECRET_MODE_SHA1, len,
						  pw ? pw : wk);
		if (!r)
			r = Tspi_Policy_AssignToObject(pol, key);
		tt_secret_free(pw, len);
		if (r)
			return mgmt_fail(t, "setting the key secret", r);
	}
	if (want_migratable) {
		/* A migratable key needs a migration secret; the usage secret serves. */
		if ((r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_MIGRATION, &pol)) ||
		    (r = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1, 20,
					       (BYTE[20])TSS_WELL_KNOWN_SECRET)) ||
		    (r = Tspi_Policy_AssignToObject(pol, key)))
			return mgmt_fail(t, "setting the migration secret", r);
	}
	mgmt_progress(t, "Creating the key in the TPM (RSA key generation can take seconds)");
	if ((r = Tspi_Key_CreateKey(key, srk, 0)))
		return mgmt_fail(t, "creating the key", r);
	if ((r = Tspi_GetAttribData(key, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_BLOB, &blen, &blob)))
		return mgmt_fail(t, "reading the key blob", r);
	if (out && mgmt_write(out, blob, blen) != 0)
		return mgmt_error(t, MGMT_E_FILE, "cannot write %s", out);
	if (reg && (r = Tspi_Context_RegisterKey(t->ctx, key, TSS_PS_TYPE_SYSTEM, uuid,
						 TSS_PS_TYPE_SYSTEM, srk_uuid)))
		return mgmt_fail(t, "registering the key", r);
	if (!t->json)
		printf("created the key%s%s%s%s\n", out ? " in " : "", out ? out : "",
		       reg ? ", registered as " : "", reg ? reg : "");
	if (out)
		json_member_str("output", out);
	if (reg)
		json_member_str("uuid", reg);
	json_member_uint("blob_size", blen);
	return 0;
}

/* ---- key list / register / unregister -------------------------------------- */

/*
 * One storage's keys. Asked for user storage, libtspi answers with the
 * system keys too (TSS 1.2 §4.3.4.5.13); SKIP lists those already shown.
 */
static int list_ps(struct tt *t, TSS_FLAG ps, const char *where, TSS_UUID *seen, UINT32 *nseen,
		   UINT32 max_seen)
{
	TSS_KM_KEYINFO2 *info = NULL;
	UINT32 n = 0;
	TSS_RESULT r = Tspi_Context_GetRegisteredKeysByUUID2(t->ctx, ps, NULL, &n, &info);

	if (r)
		return mgmt_fail(t, "listing the registered keys", r);
	for (UINT32 i = 0; i < n; i++) {
		char id[37], parent[37], *obj = NULL;
		bool dup = false;

		for (UINT32 k = 0; k < *nseen && !dup; k++)
			dup = memcmp(&seen[k], &info[i].keyUUID, sizeof(TSS_UUID)) == 0;
		if (dup)
			continue;
		if (*nseen < max_seen)
			seen[(*nseen)++] = info[i].keyUUID;
		mgmt_format_uuid(&info[i].keyUUID, id);
		mgmt_format_uuid(&info[i].parentKeyUUID, parent);
		if (!t->json) {
			printf("%s  %-6s parent %s%s%s\n", id, where, parent,
			       info[i].fIsLoaded ? "  loaded" : "",
			       info[i].bAuthDataUsage ? "  needs-secret" : "");
			continue;
		}
		json_appendf(&obj, "{\"uuid\": \"%s\", \"storage\": \"%s\", \"parent\": \"%s\", "
			     "\"loaded\": %s, \"auth\": %s}", id, where, parent,
			     info[i].fIsLoaded ? "true" : "false", info[i].bAuthDataUsage ? "true" : "false");
		if (obj)
			json_array_raw("keys", obj);
		free(obj);
	}
	return 0;
}

static int key_list(struct tt *t, int argc, char **argv)
{
	int rc;
	TSS_UUID seen[256];
	UINT32 nseen = 0;

	if ((rc = mgmt_connect(t)) != 0)
		return rc;
	if ((rc = list_ps(t, TSS_PS_TYPE_SYSTEM, "system", seen, &nseen, 256)) != 0)
		return rc;
	return list_ps(t, TSS_PS_TYPE_USER, "user", seen, &nseen, 256);
}

static int key_register(struct tt *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{"uuid", required_argument, NULL, 'U'}, {"key", required_argument, NULL, 'K'},
		{"user", no_argument, NULL, 'u'}, MGMT_COMMON_LONGOPTS, {NULL, 0, NULL, 0},
	};
	const char *id = NULL, *file = NULL;
	bool user = false;
	TSS_UUID uuid;
	TSS_HKEY key;
	TSS_RESULT r;
	BYTE *blob;
	size_t len;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "U:K:u", opts, NULL)) != -1) {
		if (c == 'U')
			id = optarg;
		else if (c == 'K')
			file = optarg;
		else if (c == 'u')
			user = true;
		else
			return MGMT_E_USAGE;
	}
	if (!id || !file || mgmt_parse_uuid(id, &uuid))
		return mgmt_error(t, MGMT_E_USAGE, "usage: key register --uuid UUID --key FILE [--user]");
	if (tt_read_file(file, 64 * 1024, &blob, &len) != 0)
		return mgmt_error(t, MGMT_E_FILE, "cannot read the key file %s", file);
	if ((rc = mgmt_connect(t)) != 0)
		goto out;
	r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_RSAKEY, 0, &key);
	if (!r)
		r = Tspi_SetAttribData(key, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_BLOB,
				       (UINT32)len, blob);
	if (!r)
		r = Tspi_Context_RegisterKey(t->ctx, key, user ? TSS_PS_TYPE_USER : TSS_PS_TYPE_SYSTEM,
					     uuid, TSS_PS_TYPE_SYSTEM, srk_uuid);
	rc = r ? mgmt_fail(t, "registering the key", r) : 0;
	if (!rc && !t->json)
		printf("registered %s as %s\n", file, id);
	json_member_str("uuid", id);
out:
	free(blob);
	return rc;
}

static int key_unregister(struct tt *t, int argc, char **argv)
{
	TSS_UUID uuid;
	TSS_HKEY key;
	TSS_RESULT r;
	bool user = argc > 2 && strcmp(argv[2], "--user") == 0;
	int rc;

	if (argc < 2 || mgmt_parse_uuid(argv[1], &uuid))
		return mgmt_error(t, MGMT_E_USAGE, "usage: key unregister UUID [--user]");
	if ((rc = mgmt_connect(t)) != 0)
		return rc;
	r = Tspi_Context_UnregisterKey(t->ctx, user ? TSS_PS_TYPE_USER : TSS_PS_TYPE_SYSTEM, uuid, &key);
	if (r)
		return mgmt_fail(t, "unregistering the key", r);
	if (!t->json)
		printf("unregistered %s\n", argv[1]);
	json_member_str("uuid", argv[1]);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct tt *, int, char **);
} key_ops[] = {
	{"create", key_create}, {"list", key_list}, {"register", key_register},
	{"unregister", key_unregister},
};

static int run_key(struct tt *t, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		mgmt_usage(&mgmt_key_cmds[0], argc < 2 ? stderr : stdout);
		return argc < 2 ? MGMT_E_USAGE : 0;
	}
	for (int a = 2; a < argc; a++)
		if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
			mgmt_usage(&mgmt_key_cmds[0], stdout);
			return 0;
		}
	for (size_t i = 0; i < sizeof(key_ops) / sizeof(key_ops[0]); i++)
		if (strcmp(argv[1], key_ops[i].name) == 0)
			return key_ops[i].fn(t, argc - 1, argv + 1);
	return mgmt_error(t, MGMT_E_USAGE, "unknown key operation '%s' (create, list, register, unregister)",
			  argv[1]);
}

const struct mgmt_cmd mgmt_key_cmds[] = {
	{"key", run_key,
	 "create --type bind|sign|storage|legacy [-o FILE] [--register UUID] | list | "
	 "register --uuid UUID --key FILE | unregister UUID",
	 "create, list, register and unregister keys",
	 "  create -t TYPE [-b BITS] [-o FILE] [--register UUID] [--no-auth] [--migratable]\n"
	 "         [-z] [--key-well-known]\n"
	 "                         a key under the SRK (-z: well-known SRK secret); the key secret\n"
	 "                         is asked for (or --key-well-known, or none with --no-auth)\n"
	 "  list                   registered keys (system and user storage)\n"
	 "  register --uuid UUID --key FILE [--user]\n"
	 "  unregister UUID [--user]\n"},
	{NULL, NULL, NULL, NULL, NULL},
};
