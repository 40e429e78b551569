/*
 * tpm-mgmt status: the daemon, the TPM (version, vendor, software TPM
 * or not), owner, flags (with the owner secret), loaded keys and
 * sessions. Everything reads capabilities; nothing changes.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mgmt.h"

static int cap_u32(struct tt *t, UINT32 prop, UINT32 *v)
{
	UINT32 len;
	BYTE *data;

	*v = 0;
	if (Tspi_TPM_GetCapability(t->tpm, TSS_TPMCAP_PROPERTY, sizeof(prop), (BYTE *)&prop, &len,
				   &data) != 0 || len < 1)
		return -1;
	if (len == 4)
		memcpy(v, data, 4);
	else
		*v = data[0];
	return 0;
}

/* Handles of loaded resources of TYPE (TPM_KEY_HANDLE_LIST, Part 2 §21.2). */
static int count_handles(struct tt *t, UINT32 type, UINT32 *n)
{
	UINT32 len;
	BYTE *data;

	*n = 0;
	if (Tspi_TPM_GetCapability(t->tpm, TSS_TPMCAP_HANDLE, sizeof(type), (BYTE *)&type, &len,
				   &data) != 0 || len < 2)
		return -1;
	*n = (UINT32)data[0] << 8 | data[1];
	return 0;
}

static const char *yes_no(bool v)
{
	return v ? "yes" : "no";
}

static int run_status(struct tt *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{"well-known", no_argument, NULL, 'z'}, {"owner", no_argument, NULL, 'o'},
		MGMT_COMMON_LONGOPTS, {NULL, 0, NULL, 0},
	};
	const char *host = getenv("TSS_TCSD_HOSTNAME"), *port = getenv("TSS_TCSD_PORT");
	bool well_known = false, ask_owner = false, software = false;
	char chip[32] = "unknown", vendor[5] = "????", addr[300];
	UINT32 len, v, keys = 0, sessions = 0;
	BYTE *data;
	TSS_BOOL owned = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "zoh", opts, NULL)) != -1) {
		if (c == 'z')
			well_known = true;
		else if (c == 'o')
			ask_owner = true;
		else if (c == 'h') {
			mgmt_usage(&mgmt_status_cmds[0], stdout);
			return 0;
		} else
			return MGMT_E_USAGE;
	}
	snprintf(addr, sizeof(addr), "%s:%s", host ? host : "localhost", port ? port : "30003");
	if ((rc = mgmt_connect(t)) != 0) {
		if (!t->json)
			fprintf(stderr, "  daemon address: %s\n", addr);
		return rc;
	}
	if (!t->json)
		printf("Daemon:            connected (%s)\n", addr);
	json_member_str("daemon", addr);

	if (Tspi_TPM_GetCapability(t->tpm, TSS_TPMCAP_VERSION_VAL, 0, NULL, &len, &data) == 0) {
		TPM_CAP_VERSION_INFO vi;
		UINT64 off = 0;

		memset(&vi, 0, sizeof(vi));
		if (Trspi_UnloadBlob_CAP_VERSION_INFO(&off, data, &vi) == 0) {
			snprintf(chip, sizeof(chip), "%u.%u.%u.%u", vi.version.major, vi.version.minor,
				 vi.version.revMajor, vi.version.revMinor);
			for (int i = 0; i < 4; i++)
				vendor[i] = (vi.tpmVendorID[i] >= 0x20 && vi.tpmVendorID[i] < 0x7f) ?
					    (char)vi.tpmVendorID[i] : ' ';
			free(vi.vendorSpecific);
		}
	}
	/*
	 * libtpms (swtpm, tcsd's embedded TPM) reports vendor "IBM"; IBM made no
	 * TPM 1.2 chips, so that vendor means a software TPM.
	 */
	software = strncmp(vendor, "IBM", 3) == 0;
	if (!t->json)
		printf("TPM:               version %s, vendor \"%s\"%s\n", chip, vendor,
		       software ? " (software TPM)" : "");
	json_member_str("chip_version", chip);
	json_member_str("vendor", vendor);
	json_member_bool("software_tpm", software);
	if (software && !t->json)
		printf("  WARNING: a software TPM keeps its secrets in ordinary files: fine for tests,\n"
		       "  no protection for real keys.\n");

	if (Tspi_TPM_GetCapability(t->tpm, TSS_TPMCAP_PROPERTY, 4,
				   (BYTE *)&(UINT32){TSS_TPMCAP_PROP_OWNER}, &len, &data) == 0 && len >= 1)
		owned = data[0] != 0;
	if (!t->json)
		printf("Owner:             %s\n", owned ? "yes" : "none (run `tpm-mgmt takeownership`)");
	json_member_bool("owned", owned);

	/* GetRandom is refused by a disabled or deactivated TPM: a cheap probe. */
	rc = (int)Tspi_TPM_GetRandom(t->tpm, 1, &data);
	if (!t->json)
		printf("Usable:            %s\n", rc == 0 ? "yes" : mgmt_hint((TSS_RESULT)rc) ?
		       mgmt_hint((TSS_RESULT)rc) : Trspi_Error_String((TSS_RESULT)rc));
	json_member_bool("usable", rc == 0);

	if (owned && (well_known || ask_owner)) {
		static const struct { const char *name, *key; TSS_FLAG flag; } flags[] = {
			{"Disabled", "disabled", TSS_TPMSTATUS_DISABLED},
			{"Deactivated", "deactivated", TSS_TPMSTATUS_PHYSICALSETDEACTIVATED},
			{"Temp. deactivated", "temp_deactivated", TSS_TPMSTATUS_SETTEMPDEACTIVATED},
			{"Ownable", "ownable", TSS_TPMSTATUS_SETOWNERINSTALL},
			{"Owner clear off", "owner_clear_disabled", TSS_TPMSTATUS_DISABLEOWNERCLEAR},
			{"PubEK restricted", "pubek_restricted", TSS_TPMSTATUS_DISABLEPUBEKREAD},
		};

		if ((rc = mgmt_owner(t, well_known)) != 0)
			return rc;
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			TSS_BOOL b;
			TSS_RESULT r = Tspi_TPM_GetStatus(t->tpm, flags[i].flag, &b);

			if (r)
				return mgmt_fail(t, "reading the TPM flags", r);
			if (!t->json)
				printf("%-18s %s\n", flags[i].name, yes_no(b));
			json_member_bool(flags[i].key, b);
		}
	} else if (!t->json) {
		printf("Flags:             add -z (well-known) or -o (ask) for the owner secret to show them\n");
	}

	if (cap_u32(t, TSS_TPMCAP_PROP_PCR, &v) == 0) {
		if (!t->json)
			printf("PCRs:              %u\n", v);
		json_member_uint("pcrs", v);
	}
	if (count_handles(t, TPM_RT_KEY, &keys) == 0) {
		UINT32 max = 0;

		cap_u32(t, TSS_TPMCAP_PROP_MAXKEYS, &max);
		if (!t->json)
			printf("Loaded keys:       %u (TPM slots: %u)\n", keys, max);
		json_member_uint("loaded_keys", keys);
	}
	if (count_handles(t, TPM_RT_AUTH, &sessions) == 0) {
		UINT32 max = 0;

		cap_u32(t, TSS_TPMCAP_PROP_MAXAUTHSESSIONS, &max);
		if (!t->json)
			printf("Auth sessions:     %u (max %u)\n", sessions, max);
		json_member_uint("auth_sessions", sessions);
	}
	return 0;
}

const struct mgmt_cmd mgmt_status_cmds[] = {
	{"status", run_status, "[-z|-o]",
	 "show the daemon, the TPM, its owner, flags, loaded keys and sessions",
	 "  -z, --well-known  the owner secret is the well-known one (shows the flags)\n"
	 "  -o, --owner       ask for the owner secret (shows the flags)\n"},
	{NULL, NULL, NULL, NULL, NULL},
};
