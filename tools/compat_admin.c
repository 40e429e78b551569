/*
 * tpm-tools compatible administration commands: tpm_version,
 * tpm_selftest, tpm_takeownership, tpm_changeownerauth, tpm_clear, the
 * tpm_set* flag commands, tpm_resetdalock, tpm_getpubek,
 * tpm_restrictpubek, tpm_restrictsrk, tpm_createek, tpm_revokeek.
 * Options, messages and exit codes follow Debian's tpm-tools 1.3.9.
 * The TPM flags are TSS_TPMSTATUS_* (TSS 1.2 §4.3.4.1.x, Tspi_TPM_Get/SetStatus).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "tt.h"

static const BYTE well_known_secret[20] = TSS_WELL_KNOWN_SECRET;

#define OPT_UNICODE {NULL, 0, 0, "-u, --unicode", \
	"Use TSS UNICODE encoding for passwords to comply with applications using TSS popup boxes"}
#define OPT_WELL_KNOWN {"well-known", no_argument, 'z', "-z, --well-known", \
	"Use 20 bytes of zeros (TSS_WELL_KNOWN_SECRET) as the TPM secret authorization data"}
#define OPT_END {NULL, 0, 0, NULL, NULL}

/* One bool flag; the command's parse() sets what it needs. */
static struct {
	bool well_known, well_known2, status, results, force, yes, any_change;
	int request;
} o;

static TSS_RESULT get_status(struct tt *t, TSS_FLAG flag, TSS_BOOL *v)
{
	return tt_result(t, "Tspi_TPM_GetStatus", Tspi_TPM_GetStatus(t->tpm, flag, v));
}

static TSS_RESULT set_status(struct tt *t, TSS_FLAG flag, TSS_BOOL v)
{
	return tt_result(t, "Tspi_TPM_SetStatus", Tspi_TPM_SetStatus(t->tpm, flag, v));
}

static TSS_RESULT get_cap(struct tt *t, TSS_FLAG area, UINT32 sub, bool with_sub,
			  UINT32 *len, BYTE **data)
{
	return tt_result(t, "Tspi_TPM_GetCapability",
			 Tspi_TPM_GetCapability(t->tpm, area, with_sub ? sizeof(sub) : 0,
						with_sub ? (BYTE *)&sub : NULL, len, data));
}

/* ---- tpm_version --------------------------------------------------------- */

static int run_version(struct tt *t)
{
	UINT32 len;
	BYTE *data;
	TSS_RESULT rc;
	int level;

	if (tt_connect(t))
		return -1;
	/* A 1.1 TPM refuses VERSION_VAL; tpm-tools stays quiet about that. */
	level = t->log_level;
	t->log_level = TT_LOG_NONE;
	rc = Tspi_TPM_GetCapability(t->tpm, TSS_TPMCAP_VERSION_VAL, 0, NULL, &len, &data);
	t->log_level = level;
	if (rc == TSS_SUCCESS) {
		TPM_CAP_VERSION_INFO v;
		UINT64 off = 0;

		memset(&v, 0, sizeof(v));
		if (tt_result(t, "Trspi_UnloadBlob_CAP_VERSION_INFO",
			      Trspi_UnloadBlob_CAP_VERSION_INFO(&off, data, &v)))
			return -1;
		tt_msg(t, "  TPM 1.2 Version Info:\n");
		tt_msg(t, "  Chip Version:        %u.%u.%u.%u\n", v.version.major,
		       v.version.minor, v.version.revMajor, v.version.revMinor);
		tt_msg(t, "  Spec Level:          %u\n", v.specLevel);
		tt_msg(t, "  Errata Revision:     %u\n", v.errataRev);
		tt_msg(t, "  TPM Vendor ID:       %c%c%c%c\n", v.tpmVendorID[0],
		       v.tpmVendorID[1], v.tpmVendorID[2], v.tpmVendorID[3]);
		if (t->json) {
			char chip[32], vendor[5];

			snprintf(chip, sizeof(chip), "%u.%u.%u.%u", v.version.major,
				 v.version.minor, v.version.revMajor, v.version.revMinor);
			memcpy(vendor, v.tpmVendorID, 4);
			vendor[4] = 0;
			tt_json_str(t, "chip_version", chip);
			tt_json_uint(t, "spec_level", v.specLevel);
			tt_json_uint(t, "errata_revision", v.errataRev);
			tt_json_str(t, "vendor_id", vendor);
		}
		if (v.vendorSpecificSize) {
			tt_msg(t, "  Vendor Specific data: ");
			tt_hex(t, v.vendorSpecific, v.vendorSpecificSize);
			tt_json_hex(t, "vendor_specific", v.vendorSpecific, v.vendorSpecificSize);
			free(v.vendorSpecific);
		}
	} else if (rc != TPM_E_BAD_MODE) {
		tt_result(t, "Tspi_TPM_GetCapability", rc);
		return -1;
	}
	if (get_cap(t, TSS_TPMCAP_VERSION, 0, false, &len, &data))
		return -1;
	tt_msg(t, "  TPM Version:         ");
	tt_hex(t, data, len);
	tt_json_hex(t, "tpm_version", data, len);
	if (get_cap(t, TSS_TPMCAP_PROPERTY, TSS_TPMCAP_PROP_MANUFACTURER, true, &len, &data))
		return -1;
	tt_msg(t, "  Manufacturer Info:   ");
	tt_hex(t, data, len);
	tt_json_hex(t, "manufacturer", data, len);
	tt_success(t);
	return 0;
}

const struct tt_cmd tt_cmd_version = {
	.name = "tpm_version", .shortopts = "", .run = run_version, .help_status = 0,
	.summary = "TPM version and manufacturer",
};

/* ---- tpm_selftest -------------------------------------------------------- */

static int parse_selftest(struct tt *t, int c, const char *arg)
{
	if (c != 'r')
		return -1;
	tt_debug(t, "Results only\n");
	o.results = true;
	return 0;
}

static int run_selftest(struct tt *t)
{
	UINT32 len;
	BYTE *data;

	if (tt_connect(t))
		return -1;
	/* Progress for people (tpm-mgmt on a terminal); tpm_selftest stays silent. */
	if (!o.results && t->mgmt && isatty(STDERR_FILENO) && !t->json)
		fprintf(stderr, "Running the TPM's full self test (seconds on real chips)...\n");
	if (!o.results && tt_result(t, "Tspi_TPM_SelfTestFull", Tspi_TPM_SelfTestFull(t->tpm)))
		return -1;
	if (tt_result(t, "Tspi_TPM_GetTestResult", Tspi_TPM_GetTestResult(t->tpm, &len, &data)))
		return -1;
	tt_msg(t, "  TPM Test Results: ");
	tt_hex(t, data, len);
	tt_json_hex(t, "test_result", data, len);
	tt_success(t);
	return 0;
}

static const struct tt_opt selftest_opts[] = {
	{"results", no_argument, 'r', "-r, --results", "Report results of last test without retesting."},
	OPT_END,
};

const struct tt_cmd tt_cmd_selftest = {
	.name = "tpm_selftest", .shortopts = "r", .opts = selftest_opts,
	.parse = parse_selftest, .run = run_selftest, .help_status = 0,
	.summary = "run the TPM's self test and show the result",
};

/* ---- tpm_takeownership --------------------------------------------------- */

static int parse_takeown(struct tt *t, int c, const char *arg)
{
	if (c == 'y')
		o.well_known = true;
	else if (c == 'z')
		o.well_known2 = true;
	else
		return -1;
	return 0;
}

static int run_takeown(struct tt *t)
{
	BYTE *owner = NULL, *srk = NULL;
	UINT32 owner_len = 0, srk_len = 0;
	TSS_HPOLICY tpm_pol, srk_pol;
	TSS_HKEY hsrk = 0;
	int ret = -1;

	if (tt_result(t, "Tspi_Context_Create", Tspi_Context_Create(&t->ctx))) {
		t->ctx = 0;
		return -1;
	}
	/* Secrets first: nothing is sent to the TPM before both are known. */
	if (!o.well_known &&
	    !(owner = tt_getpass(t, TT_SECRET_OWNER, "Enter owner password: ", true, t->unicode,
				 &owner_len)))
		goto out;
	if (!o.well_known2 &&
	    !(srk = tt_getpass(t, TT_SECRET_SRK, "Enter SRK password: ", true, t->unicode,
			       &srk_len)))
		goto out;
	if (tt_result(t, "Tspi_Context_Connect", Tspi_Context_Connect(t->ctx, NULL)) ||
	    tt_result(t, "Tspi_Context_GetTpmObject", Tspi_Context_GetTpmObject(t->ctx, &t->tpm)) ||
	    tt_result(t, "Tspi_GetPolicyObject",
		      Tspi_GetPolicyObject(t->tpm, TSS_POLICY_USAGE, &tpm_pol)))
		goto out;
	if (tt_set_secret(t, tpm_pol, owner ? owner_len : 20, owner ? owner : well_known_secret))
		goto out;
	if (tt_result(t, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_RSAKEY,
						TSS_KEY_TSP_SRK | TSS_KEY_AUTHORIZATION, &hsrk)) ||
	    tt_result(t, "Tspi_GetPolicyObject", Tspi_GetPolicyObject(hsrk, TSS_POLICY_USAGE, &srk_pol)))
		goto out;
	if (tt_set_secret(t, srk_pol, srk ? srk_len : 20, srk ? srk : well_known_secret))
		goto out;
	if (t->mgmt && isatty(STDERR_FILENO) && !t->json)
		fprintf(stderr, "Taking ownership (the TPM creates the SRK; this may take a while)...\n");
	if (tt_result(t, "Tspi_TPM_TakeOwnership", Tspi_TPM_TakeOwnership(t->tpm, hsrk, 0)))
		goto out;
	tt_json_bool(t, "owned", true);
	tt_success(t);
	ret = 0;
out:
	if (hsrk)
		tt_result(t, "Tspi_Context_CloseObject", Tspi_Context_CloseObject(t->ctx, hsrk));
	tt_secret_free(owner, owner_len);
	tt_secret_free(srk, srk_len);
	return ret;
}

static const struct tt_opt takeown_opts[] = {
	OPT_UNICODE,
	{"owner-well-known", no_argument, 'y', "-y, --owner-well-known",
	 "Set the owner secret to all zeros (20 bytes of zeros)."},
	{"srk-well-known", no_argument, 'z', "-z, --srk-well-known",
	 "Set the SRK secret to all zeros (20 bytes of zeros)."},
	OPT_END,
};

const struct tt_cmd tt_cmd_takeownership = {
	.name = "tpm_takeownership", .shortopts = "yz", .opts = takeown_opts,
	.parse = parse_takeown, .run = run_takeown, .help_status = 255,
	.summary = "take ownership of the TPM (creates the SRK)",
};

/* ---- tpm_changeownerauth ------------------------------------------------- */

static struct {
	bool owner, srk, orig_unicode, new_unicode, set_well_known;
} ca;

static int parse_changeauth(struct tt *t, int c, const char *arg)
{
	switch (c) {
	case 'o': ca.owner = true; break;
	case 's': ca.srk = true; break;
	case 'g': ca.orig_unicode = true; break;
	case 'n': ca.new_unicode = true; break;
	case 'z': o.well_known = true; break;
	case 'r': ca.set_well_known = true; break;
	default: return -1;
	}
	return 0;
}

static const struct tt_opt changeauth_opts[] = {
	OPT_UNICODE,
	{"owner", no_argument, 'o', "-o, --owner", "Change the owner password."},
	{"srk", no_argument, 's', "-s, --srk", "Change the SRK password."},
	{"original_password_unicode", no_argument, 'g', "-g, --original_password_unicode",
	 "Use TSS UNICODE encoding for original password to comply with applications using TSS popup boxes"},
	{"new_password_unicode", no_argument, 'n', "-n, --new_password_unicode",
	 "Use TSS UNICODE encoding for new password to comply with applications using TSS popup boxes"},
	{"well-known", no_argument, 'z', "-z, --well-known",
	 "Change password to a new one when current owner password is a secret of all zeros (20 bytes of zeros). It must be specified which password (owner, SRK or both) to change"},
	{"set-well-known", no_argument, 'r', "-r, --set-well-known",
	 "Change password to a secret of all zeros (20 bytes of zeros). It must be specified which password (owner, SRK or both) to change"},
	OPT_END,
};

/* One secret change: the new secret in a fresh policy, then Tspi_ChangeAuth. */
static int change_one(struct tt *t, bool srk)
{
	const char *what = srk ? "SRK" : "owner";
	TSS_HPOLICY pol;
	TSS_HKEY hsrk;
	BYTE *pw = NULL;
	UINT32 len = 20;
	int ret = -1;
	static const TSS_UUID srk_uuid = TSS_UUID_SRK;

	tt_info(t, "Changing password for: %s.\n", what);
	if (!ca.set_well_known) {
		pw = tt_getpass(t, TT_SECRET_NEW, srk ? "Enter new SRK password: " :
				"Enter new owner password: ", true, ca.new_unicode || t->unicode, &len);
		if (!pw) {
			tt_error(t, "Failed to get new password.\n");
			return -1;
		}
	}
	if (tt_result(t, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE, &pol)))
		goto out;
	if (tt_set_secret(t, pol, len, pw ? pw : well_known_secret))
		goto out;
	if (srk) {
		if (tt_result(t, "Tspi_Context_LoadKeyByUUID",
			      Tspi_Context_LoadKeyByUUID(t->ctx, TSS_PS_TYPE_SYSTEM, srk_uuid, &hsrk)) ||
		    tt_result(t, "Tspi_ChangeAuth", Tspi_ChangeAuth(hsrk, t->tpm, pol)))
			goto out;
	} else if (tt_result(t, "Tspi_ChangeAuth", Tspi_ChangeAuth(t->tpm, 0, pol))) {
		goto out;
	}
	tt_info(t, "Change of %s password successful.\n", what);
	tt_json_bool(t, srk ? "srk_changed" : "owner_changed", true);
	ret = 0;
out:
	tt_secret_free(pw, len);
	return ret;
}

static int run_changeauth(struct tt *t)
{
	TSS_HPOLICY pol;
	BYTE *pw = NULL;
	UINT32 len = 20;
	int ret = -1;

	if (!ca.owner && !ca.srk) {
		/* Nothing to change: tpm-tools shows its help and fails. */
		tt_help(t);
		if (t->json)
			tt_error(t, "say which secret to change: -o (owner), -s (SRK) or both\n");
		return -1;
	}
	if (tt_connect(t))
		return -1;
	if (!o.well_known) {
		pw = tt_getpass(t, TT_SECRET_OWNER, "Enter owner password: ", false,
				ca.orig_unicode || t->unicode, &len);
		if (!pw) {
			tt_error(t, "Failed to get owner password\n");
			return -1;
		}
	}
	if (tt_result(t, "Tspi_GetPolicyObject", Tspi_GetPolicyObject(t->tpm, TSS_POLICY_USAGE, &pol)) ||
	    tt_set_secret(t, pol, len, pw ? pw : well_known_secret))
		goto out;
	/* SRK first: it needs the current owner secret, which the owner change replaces. */
	if (ca.srk && change_one(t, true))
		goto out;
	if (ca.owner && change_one(t, false))
		goto out;
	ret = 0;
out:
	tt_secret_free(pw, len);
	return ret;
}

const struct tt_cmd tt_cmd_changeownerauth = {
	.name = "tpm_changeownerauth", .shortopts = "gnrosz", .opts = changeauth_opts,
	.parse = parse_changeauth, .run = run_changeauth, .help_status = 255,
	.summary = "change the owner and/or SRK secret",
};

/* ---- tpm_clear ----------------------------------------------------------- */

static int parse_clear(struct tt *t, int c, const char *arg)
{
	if (c == 'f') {
		tt_debug(t, "Changing mode to use force authorization\n");
		o.force = true;
	} else if (c == 'z') {
		tt_debug(t, "Using TSS_WELL_KNOWN_SECRET to authorize the TPM command\n");
		o.well_known = true;
	} else {
		return -1;
	}
	return 0;
}

static int run_clear(struct tt *t)
{
	if (tt_connect(t))
		return -1;
	if (!o.force && tt_owner_auth(t, o.well_known))
		return -1;
	if (tt_result(t, "Tspi_TPM_ClearOwner", Tspi_TPM_ClearOwner(t->tpm, o.force)))
		return -1;
	tt_success(t);
	tt_msg(t, "TPM Successfuly Cleared.  You need to reboot to complete this operation.  "
	       "After reboot the TPM will be in the default state: unowned, disabled and inactive.\n");
	tt_json_bool(t, "cleared", true);
	return 0;
}

static const struct tt_opt clear_opts[] = {
	OPT_UNICODE,
	{"force", no_argument, 'f', "-f, --force", "Use physical presence authorization."},
	OPT_WELL_KNOWN,
	OPT_END,
};

const struct tt_cmd tt_cmd_clear = {
	.name = "tpm_clear", .shortopts = "fz", .opts = clear_opts,
	.parse = parse_clear, .run = run_clear, .help_status = 255,
	.summary = "remove the owner (owner secret, or --force with physical presence)",
};

/* ---- tpm_setenable ------------------------------------------------------- */

enum { REQ_STATUS, REQ_ON, REQ_OFF, REQ_TEMP };

static int parse_enable(struct tt *t, int c, const char *arg)
{
	switch (c) {
	case 's': o.request = REQ_STATUS; break;
	case 'e': o.request = REQ_ON; break;
	case 'd': o.request = REQ_OFF; break;
	case 'f': o.force = true; break;
	case 'z': o.well_known = true; break;
	default: return -1;
	}
	return 0;
}

static int run_enable(struct tt *t)
{
	TSS_BOOL v;

	if (tt_connect(t))
		return -1;
	if (o.request == REQ_STATUS) {
		tt_info(t, "Checking current status:\n");
		if (tt_owner_auth(t, o.well_known) || get_status(t, TSS_TPMSTATUS_DISABLED, &v))
			return -1;
		tt_msg(t, "Disabled status: %s\n", tt_bool(v));
		tt_json_bool(t, "disabled", v);
	} else {
		if (!o.force && tt_owner_auth(t, o.well_known))
			return -1;
		if (set_status(t, o.force ? TSS_TPMSTATUS_PHYSICALDISABLE : TSS_TPMSTATUS_OWNERSETDISABLE,
			       o.request == REQ_OFF))
			return -1;
	}
	tt_success(t);
	return 0;
}

static const struct tt_opt enable_opts[] = {
	OPT_UNICODE,
	{"status", no_argument, 's', "-s, --status", "Display current state"},
	{"enable", no_argument, 'e', "-e, --enable", "Enable TPM"},
	{"disable", no_argument, 'd', "-d, --disable", "Disable TPM"},
	{"force", no_argument, 'f', "-f, --force", "Use physical presence authorization."},
	OPT_WELL_KNOWN,
	OPT_END,
};

const struct tt_cmd tt_cmd_setenable = {
	.name = "tpm_setenable", .shortopts = "edfsz", .opts = enable_opts,
	.parse = parse_enable, .run = run_enable, .help_status = 255,
	.summary = "show or change the enabled state",
};

/* ---- tpm_setactive ------------------------------------------------------- */

static int parse_active(struct tt *t, int c, const char *arg)
{
	switch (c) {
	case 's': o.request = REQ_STATUS; break;
	case 'a': o.request = REQ_ON; break;
	case 'i': o.request = REQ_OFF; break;
	case 't': o.request = REQ_TEMP; break;
	case 'z': o.well_known = true; break;
	default: return -1;
	}
	return 0;
}

static int run_active(struct tt *t)
{
	TSS_BOOL v;

	if (tt_connect(t))
		return -1;
	switch (o.request) {
	case REQ_STATUS:
		tt_info(t, "Checking status:\n");
		if (tt_owner_auth(t, o.well_known) ||
		    get_status(t, TSS_TPMSTATUS_PHYSICALSETDEACTIVATED, &v))
			return -1;
		tt_msg(t, "Persistent Deactivated Status: %s\n", tt_bool(v));
		tt_json_bool(t, "persistent_deactivated", v);
		if (get_status(t, TSS_TPMSTATUS_SETTEMPDEACTIVATED, &v))
			return -1;
		tt_msg(t, "Volatile Deactivated Status: %s\n", tt_bool(v));
		tt_json_bool(t, "volatile_deactivated", v);
		break;
	case REQ_ON:
	case REQ_OFF:
		if (set_status(t, TSS_TPMSTATUS_PHYSICALSETDEACTIVATED, o.request == REQ_OFF))
			return -1;
		tt_msg(t, "Action requires a reboot to take effect\n");
		tt_json_bool(t, "reboot_required", true);
		break;
	default:
		if (set_status(t, TSS_TPMSTATUS_SETTEMPDEACTIVATED, TRUE))
			return -1;
		break;
	}
	tt_success(t);
	return 0;
}

static const struct tt_opt active_opts[] = {
	OPT_UNICODE,
	{"status", no_argument, 's', "-s, --status", "Report current state"},
	{"active", no_argument, 'a', "-a, --active", "Activate TPM, requires reboot"},
	{"inactive", no_argument, 'i', "-i, --inactive", "Deactivate TPM, requires reboot"},
	{"temp", no_argument, 't', "-t, --temp",
	 "Change state immediately but only for this boot.\n\t\tOnly valid in conjunction with the inactive parameter."},
	OPT_WELL_KNOWN,
	OPT_END,
};

const struct tt_cmd tt_cmd_setactive = {
	.name = "tpm_setactive", .shortopts = "aitsz", .opts = active_opts,
	.parse = parse_active, .run = run_active, .help_status = 255,
	.summary = "show or change the activated state",
};

/* ---- tpm_setownable ------------------------------------------------------ */

static int parse_ownable(struct tt *t, int c, const char *arg)
{
	switch (c) {
	case 's': o.status = true; break;
	case 'a': o.any_change = true; o.request = REQ_ON; break;
	case 'p': o.any_change = true; o.request = REQ_OFF; break;
	case 'z': o.well_known = true; break;
	default: return -1;
	}
	return 0;
}

static int run_ownable(struct tt *t)
{
	TSS_BOOL v;

	if (tt_connect(t))
		return -1;
	if (o.status || !o.any_change) {
		if (tt_owner_auth(t, o.well_known) || get_status(t, TSS_TPMSTATUS_SETOWNERINSTALL, &v))
			return -1;
		tt_msg(t, "Ownable status: %s\n", tt_bool(v));
		tt_json_bool(t, "ownable", v);
	} else if (set_status(t, TSS_TPMSTATUS_SETOWNERINSTALL, o.request == REQ_ON)) {
		return -1;
	}
	tt_success(t);
	return 0;
}

static const struct tt_opt ownable_opts[] = {
	OPT_UNICODE,
	{"status", no_argument, 's', "-s, --status", "Display current status"},
	{"allow", no_argument, 'a', "-a, --allow", "Allow TPM takeownership command"},
	{"prevent", no_argument, 'p', "-p, --prevent", "Prevent TPM takeownership command"},
	OPT_WELL_KNOWN,
	OPT_END,
};

const struct tt_cmd tt_cmd_setownable = {
	.name = "tpm_setownable", .shortopts = "apsz", .opts = ownable_opts,
	.parse = parse_ownable, .run = run_ownable, .help_status = 255,
	.summary = "show or change whether ownership may be taken",
};

/* ---- tpm_setclearable ---------------------------------------------------- */

static struct { bool owner, force; } cl;

static int parse_clearable(struct tt *t, int c, const char *arg)
{
	switch (c) {
	case 's': o.status = true; break;
	case 'o': cl.owner = true; o.any_change = true; break;
	case 'f': cl.force = true; o.any_change = true; break;
	case 'z': o.well_known = true; break;
	default: return -1;
	}
	return 0;
}

static int run_clearable(struct tt *t)
{
	TSS_BOOL v;

	if (tt_connect(t))
		return -1;
	if (o.status || !o.any_change) {
		tt_info(t, "Checking current status: \n");
		if (tt_owner_auth(t, o.well_known) ||
		    get_status(t, TSS_TPMSTATUS_DISABLEOWNERCLEAR, &v))
			return -1;
		tt_msg(t, "Owner Clear Disabled: %s\n", tt_bool(v));
		tt_json_bool(t, "owner_clear_disabled", v);
		if (get_status(t, TSS_TPMSTATUS_DISABLEFORCECLEAR, &v))
			return -1;
		tt_msg(t, "Force Clear Disabled: %s\n", tt_bool(v));
		tt_json_bool(t, "force_clear_disabled", v);
	}
	if (cl.owner) {
		if (!(o.status || !o.any_change) && tt_owner_auth(t, o.well_known))
			return -1;
		if (set_status(t, TSS_TPMSTATUS_DISABLEOWNERCLEAR, 0))
			return -1;
		tt_info(t, "Disabling Owner Clear successful.\n");
	}
	if (cl.force) {
		if (set_status(t, TSS_TPMSTATUS_DISABLEFORCECLEAR, 0))
			return -1;
		tt_info(t, "Disabling Force Clear successful.\n");
	}
	tt_success(t);
	return 0;
}

static const struct tt_opt clearable_opts[] = {
	OPT_UNICODE,
	{"status", no_argument, 's', "-s, --status", "Report current status."},
	{"owner", no_argument, 'o', "-o, --owner", "Remove ability of the owner to clear TPM."},
	{"force", no_argument, 'f', "-f, --force",
	 "Remove ability to clear TPM with physical presence.\n\t\tThis action is not persistent"},
	OPT_WELL_KNOWN,
	OPT_END,
};

const struct tt_cmd tt_cmd_setclearable = {
	.name = "tpm_setclearable", .shortopts = "ofsz", .opts = clearable_opts,
	.parse = parse_clearable, .run = run_clearable, .help_status = 255,
	.summary = "show or disable OwnerClear / ForceClear",
};

/* ---- tpm_setpresence ----------------------------------------------------- */

/* The flags in tpm-tools' order (printing and changing). */
static struct pp_flag {
	const char *name;
	const char *json;
	TSS_FLAG flag;
	bool change, value;
} pp[] = {
	{"Command Enable", "command_enable", TSS_TPMSTATUS_PHYSPRES_CMDENABLE, false, false},
	{"Hardware Enable", "hardware_enable", TSS_TPMSTATUS_PHYSPRES_HWENABLE, false, false},
	{"Lifetime Lock", "lifetime_lock", TSS_TPMSTATUS_PHYSPRES_LIFETIMELOCK, false, false},
	{"Physical Presence", "physical_presence", TSS_TPMSTATUS_PHYSPRESENCE, false, false},
	{"Lock", "lock", TSS_TPMSTATUS_PHYSPRES_LOCK, false, false},
};
enum { PP_CMD, PP_HW, PP_LIFE, PP_PRESENT, PP_LOCK, PP_N };

/* Long-only options get codes above the byte range. */
enum { OPT_LOCK = 256, OPT_ENABLE_CMD, OPT_DISABLE_CMD, OPT_ENABLE_HW, OPT_DISABLE_HW, OPT_LIFETIME };

static void pp_want(int i, bool v)
{
	pp[i].change = true;
	pp[i].value = v;
	o.any_change = true;
}

static int parse_presence(struct tt *t, int c, const char *arg)
{
	switch (c) {
	case 's': o.status = true; break;
	case 'a': pp_want(PP_PRESENT, true); break;
	case 'c': pp_want(PP_PRESENT, false); break;
	case OPT_LOCK: pp_want(PP_LOCK, true); break;
	case OPT_ENABLE_CMD: pp_want(PP_CMD, true); break;
	case OPT_DISABLE_CMD: pp_want(PP_CMD, false); break;
	case OPT_ENABLE_HW: pp_want(PP_HW, true); break;
	case OPT_DISABLE_HW: pp_want(PP_HW, false); break;
	case OPT_LIFETIME: pp_want(PP_LIFE, true); break;
	case 'y': o.yes = true; break;
	case 'z': o.well_known = true; break;
	default: return -1;
	}
	return 0;
}

/* The lifetime lock is permanent: show the state and ask first. */
static bool confirm_lifetime_lock(struct tt *t)
{
	TSS_BOOL cmd, hw;
	char line[16];

	if (get_status(t, TSS_TPMSTATUS_PHYSPRES_CMDENABLE, &cmd) ||
	    get_status(t, TSS_TPMSTATUS_PHYSPRES_HWENABLE, &hw))
		return false;
	tt_msg(t, "Current State:\n");
	tt_msg(t, "\tCommand Enable: %s\n", tt_bool(cmd));
	tt_msg(t, "\tHardware Enable: %s\n", tt_bool(hw));
	tt_msg(t, "These will be the permanent states of the TPM's physical presence "
	       "settings.\nAre you sure you want to set the lifetime lock (y/n)? ");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

static int run_presence(struct tt *t)
{
	TSS_BOOL v;

	if (tt_connect(t))
		return -1;
	if (o.status || !o.any_change) {
		tt_info(t, "Checking current status: \n");
		if (tt_owner_auth(t, o.well_known))
			return -1;
		tt_msg(t, "Physical Presence Status:\n");
		for (int i = 0; i < PP_N; i++) {
			if (get_status(t, pp[i].flag, &v))
				return -1;
			tt_msg(t, "\t%s: %s\n", pp[i].name, tt_bool(v));
			tt_json_bool(t, pp[i].json, v);
		}
		tt_success(t);
		return 0;
	}
	for (int i = 0; i < PP_N; i++) {
		if (!pp[i].change)
			continue;
		tt_info(t, "Requested to Change %s to %s\n", pp[i].name, tt_bool(pp[i].value));
		if (i == PP_LIFE && !(o.yes || confirm_lifetime_lock(t)))
			continue;
		if (set_status(t, pp[i].flag, pp[i].value)) {
			tt_error(t, "Change to %s Failed\n", pp[i].name);
			return -1;
		}
		tt_info(t, "Change to %s Successful\n", pp[i].name);
	}
	tt_success(t);
	return 0;
}

static const struct tt_opt presence_opts[] = {
	OPT_UNICODE,
	{"status", no_argument, 's', "-s, --status", "Report current physical presence states."},
	{"assert", no_argument, 'a', "-a, --assert", "Assert that admin is present."},
	{"clear", no_argument, 'c', "-c, --clear", "Clear assertion of admin presence."},
	{"lock", no_argument, OPT_LOCK, "--lock", "Lock TPM presence assertion into specified state."},
	{"enable-cmd", no_argument, OPT_ENABLE_CMD, "--enable-cmd",
	 "Allow TPM to accept Physical Presence Command."},
	{"disable-cmd", no_argument, OPT_DISABLE_CMD, "--disable-cmd",
	 "Disallow TPM to accept Physical Presence Command."},
	{"enable-hw", no_argument, OPT_ENABLE_HW, "--enable-hw",
	 "Allow TPM to accept Hardware Physical Presence."},
	{"disable-hw", no_argument, OPT_DISABLE_HW, "--disable-hw",
	 "Disallow TPM to accept Hardware Physical Presence."},
	{"set-lifetime-lock", no_argument, OPT_LIFETIME, "--set-lifetime-lock",
	 "Prevent further modification of TPM Physical Presence\n\t\tCommand and Hardware Enablement states.\n\t\tTHIS ACTION IS PERMANENT AND CAN NEVER BE UNDONE."},
	{"yes", no_argument, 'y', "-y, --yes",
	 "Automatically respond yes to all prompts.  Only use\n\t\tthis if you are sure of the current state and don't want\n\t\tany textra checking done before setting the lifetime lock"},
	{"well-known", no_argument, 'z', "-z, --well-known",
	 "Use 20 bytes of zeros (TSS_WELL_KNOWN_SECRET) as the TPM secret authorization data."},
	OPT_END,
};

const struct tt_cmd tt_cmd_setpresence = {
	.name = "tpm_setpresence", .shortopts = "acsyz", .opts = presence_opts,
	.parse = parse_presence, .run = run_presence, .help_status = 255,
	.summary = "show or change physical presence settings",
};

/* ---- tpm_setoperatorauth ------------------------------------------------- */

static int parse_opauth(struct tt *t, int c, const char *arg)
{
	if (c == 'z')
		o.well_known = true;
	else if (c == 'p')
		o.yes = true;	/* operator password in UNICODE */
	else
		return -1;
	return 0;
}

static int run_opauth(struct tt *t)
{
	TSS_HPOLICY pol;
	BYTE *pw = NULL;
	UINT32 len = 20;
	int ret = -1;

	if (tt_connect(t))
		return -1;
	if (!o.well_known) {
		pw = tt_getpass(t, TT_SECRET_OPERATOR, "Enter operator password: ", true,
				o.yes || t->unicode, &len);
		if (!pw) {
			tt_error(t, "Failed to get operator password\n");
			return -1;
		}
	}
	if (tt_result(t, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_OPERATOR, &pol)) ||
	    tt_set_secret(t, pol, len, pw ? pw : well_known_secret) ||
	    tt_result(t, "Tspi_TPM_SetOperatorAuth", Tspi_TPM_SetOperatorAuth(t->tpm, pol)))
		goto out;
	tt_success(t);
	ret = 0;
out:
	tt_secret_free(pw, len);
	return ret;
}

static const struct tt_opt opauth_opts[] = {
	OPT_UNICODE,
	{"well-known", no_argument, 'z', "-z, --well-known",
	 "Use TSS_WELL_KNOWN_SECRET as the operator's default secret."},
	{"op_password_unicode", no_argument, 'p', "-p, --op_password_unicode",
	 "Use TSS UNICODE encoding for operator password to comply with applications using TSS popup boxes"},
	OPT_END,
};

const struct tt_cmd tt_cmd_setoperatorauth = {
	.name = "tpm_setoperatorauth", .shortopts = "pz", .opts = opauth_opts,
	.parse = parse_opauth, .run = run_opauth, .help_status = 255,
	.summary = "set the operator secret (for SetTempDeactivated)",
};

/* ---- tpm_resetdalock ----------------------------------------------------- */

static int parse_z(struct tt *t, int c, const char *arg)
{
	if (c != 'z')
		return -1;
	o.well_known = true;
	return 0;
}

static int run_resetdalock(struct tt *t)
{
	if (tt_connect(t))
		return -1;
	if (!o.well_known) {
		TSS_HPOLICY pol;
		UINT32 len;
		BYTE *pw = tt_getpass(t, TT_SECRET_OWNER, "Enter owner password: ", false,
				      t->unicode, &len);
		int bad;

		if (!pw) {
			tt_error(t, "Failed to get Owner password\n");
			return -1;
		}
		bad = tt_result(t, "Tspi_GetPolicyObject",
				Tspi_GetPolicyObject(t->tpm, TSS_POLICY_USAGE, &pol)) ||
		      tt_set_secret(t, pol, len, pw);
		tt_secret_free(pw, len);
		if (bad)
			return -1;
	} else if (tt_owner_auth(t, true)) {
		return -1;
	}
	if (set_status(t, TSS_TPMSTATUS_RESETLOCK, TRUE))
		return -1;
	tt_success(t);
	return 0;
}

static const struct tt_opt z_owner_opts[] = {
	{"well-known", no_argument, 'z', "-z, --well-known",
	 "Use TSS_WELL_KNOWN_SECRET (20 zero bytes) as the owner secret."},
	OPT_END,
};

const struct tt_cmd tt_cmd_resetdalock = {
	.name = "tpm_resetdalock", .shortopts = "z", .opts = z_owner_opts,
	.parse = parse_z, .run = run_resetdalock, .help_status = 255,
	.summary = "reset the dictionary-attack lockout",
};

/* ---- tpm_getpubek -------------------------------------------------------- */

static const char *key_usage_name(UINT32 u)
{
	static const struct { UINT32 v; const char *n; } map[] = {
		{TSS_KEYUSAGE_SIGN, "Signing"}, {TSS_KEYUSAGE_STORAGE, "Storage"},
		{TSS_KEYUSAGE_IDENTITY, "Identity"}, {TSS_KEYUSAGE_AUTHCHANGE, "AuthChange"},
		{TSS_KEYUSAGE_BIND, "Bind"}, {TSS_KEYUSAGE_LEGACY, "Legacy"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].v == u)
			return map[i].n;
	return "Unknown";
}

static const char *const key_flag_names[8] = {
	"!VOLATILE, !MIGRATABLE, !REDIRECTION", "!VOLATILE, !MIGRATABLE,  REDIRECTION",
	"!VOLATILE,  MIGRATABLE, !REDIRECTION", "!VOLATILE,  MIGRATABLE,  REDIRECTION",
	" VOLATILE, !MIGRATABLE, !REDIRECTION", " VOLATILE, !MIGRATABLE,  REDIRECTION",
	" VOLATILE,  MIGRATABLE, !REDIRECTION", " VOLATILE,  MIGRATABLE,  REDIRECTION",
};

static const char *alg_name(UINT32 a)
{
	static const struct { UINT32 v; const char *n; } map[] = {
		{TSS_ALG_RSA, "RSA"}, {TSS_ALG_DES, "DES"}, {TSS_ALG_3DES, "3DES"},
		{TSS_ALG_SHA, "SHA"}, {TSS_ALG_HMAC, "HMAC"}, {TSS_ALG_AES, "AES"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].v == a)
			return map[i].n;
	return "Unknown";
}

static const char *es_name(UINT32 e)
{
	switch (e) {
	case TSS_ES_NONE: return "None";
	case TSS_ES_RSAESPKCSV15: return "RSAESPKCSv15";
	case TSS_ES_RSAESOAEP_SHA1_MGF1: return "RSAESOAEP_SHA1_MGF1";
	}
	return "Unknown";
}

static const char *ss_name(UINT32 s)
{
	switch (s) {
	case TSS_SS_NONE: return "None";
	case TSS_SS_RSASSAPKCS1V15_SHA1: return "RSASSAPKCS1v15_SHA1";
	case TSS_SS_RSASSAPKCS1V15_DER: return "RSASSAPKCS1v15_DER";
	}
	return "Unknown";
}

static TSS_RESULT key_u32(struct tt *t, TSS_HKEY k, TSS_FLAG f, TSS_FLAG sub, UINT32 *v)
{
	return tt_result(t, "Tspi_GetAttribUint32", Tspi_GetAttribUint32(k, f, sub, v));
}

/* tpm-tools' displayKey(): the key's public parts, one per line. */
static int show_key(struct tt *t, TSS_HKEY k)
{
	UINT32 len, v, alg;
	BYTE *p;

	if (tt_result(t, "Tspi_GetAttribData",
		      Tspi_GetAttribData(k, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_VERSION, &len, &p)))
		return -1;
	tt_msg(t, "  Version:   ");
	tt_hex(t, p, len);
	if (key_u32(t, k, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_USAGE, &v))
		return -1;
	tt_msg(t, "  Usage:     0x%04x (%s)\n", v, key_usage_name(v));
	tt_json_str(t, "usage", key_usage_name(v));
	if (key_u32(t, k, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_KEYFLAGS, &v))
		return -1;
	tt_msg(t, "  Flags:     0x%08x (%s)\n", v, key_flag_names[v & 7]);
	tt_json_uint(t, "flags", v);
	if (key_u32(t, k, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_AUTHUSAGE, &v))
		return -1;
	tt_msg(t, "  AuthUsage: 0x%02x (%s)\n", v,
	       v == TPM_AUTH_NEVER ? "Never" : v == TPM_AUTH_ALWAYS ? "Always" : "Unknown");
	if (key_u32(t, k, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_ALGORITHM, &alg))
		return -1;
	tt_msg(t, "  Algorithm:         0x%08x (%s)\n", alg, alg_name(alg));
	if (key_u32(t, k, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_ENCSCHEME, &v))
		return -1;
	tt_msg(t, "  Encryption Scheme: 0x%08x (%s)\n", v, es_name(v));
	if (key_u32(t, k, TSS_TSPATTRIB_KEY_INFO, TSS_TSPATTRIB_KEYINFO_SIGSCHEME, &v))
		return -1;
	tt_msg(t, "  Signature Scheme:  0x%08x (%s)\n", v, ss_name(v));
	if (alg == TSS_ALG_RSA) {
		if (key_u32(t, k, TSS_TSPATTRIB_RSAKEY_INFO, TSS_TSPATTRIB_KEYINFO_RSA_KEYSIZE, &v))
			return -1;
		tt_msg(t, "  Key Size:          %u bits\n", v);
		tt_json_uint(t, "key_bits", v);
	}
	if (tt_result(t, "Tspi_GetAttribData",
		      Tspi_GetAttribData(k, TSS_TSPATTRIB_RSAKEY_INFO, TSS_TSPATTRIB_KEYINFO_RSA_MODULUS,
					 &len, &p)))
		return -1;
	tt_msg(t, "  Public Key:");
	tt_hex(t, p, len);
	tt_json_hex(t, "modulus", p, len);
	return 0;
}

static int run_getpubek(struct tt *t)
{
	TSS_HKEY ek;
	TSS_RESULT rc;

	if (tt_connect(t))
		return -1;
	rc = tt_result(t, "Tspi_TPM_GetPubEndorsementKey",
		       Tspi_TPM_GetPubEndorsementKey(t->tpm, FALSE, NULL, &ek));
	if (rc == TPM_E_DISABLED_CMD) {
		/* After TakeOwnership readPubek is clear (Part 3 §6.1): ask the owner. */
		tt_info(t, "Public PubEk access blocked, owner password required\n");
		if (tt_owner_auth(t, o.well_known))
			return -1;
		rc = tt_result(t, "Tspi_TPM_GetPubEndorsementKey",
			       Tspi_TPM_GetPubEndorsementKey(t->tpm, TRUE, NULL, &ek));
	}
	if (rc)
		return -1;
	tt_msg(t, "Public Endorsement Key:\n");
	if (show_key(t, ek))
		return -1;
	tt_success(t);
	return 0;
}

static const struct tt_opt getpubek_opts[] = {
	OPT_UNICODE,
	OPT_WELL_KNOWN,
	OPT_END,
};

const struct tt_cmd tt_cmd_getpubek = {
	.name = "tpm_getpubek", .shortopts = "z", .opts = getpubek_opts,
	.parse = parse_z, .run = run_getpubek, .help_status = 255,
	.summary = "show the public endorsement key",
};

/* ---- tpm_restrictpubek / tpm_restrictsrk ---------------------------------- */

static int parse_restrictpubek(struct tt *t, int c, const char *arg)
{
	switch (c) {
	case 's': o.request = REQ_STATUS; break;
	case 'r': o.request = REQ_ON; break;
	case 'z': o.well_known = true; break;
	default: return -1;
	}
	return 0;
}

static int run_restrictpubek(struct tt *t)
{
	TSS_BOOL v;

	if (tt_connect(t) || tt_owner_auth(t, o.well_known))
		return -1;
	if (o.request == REQ_STATUS) {
		if (get_status(t, TSS_TPMSTATUS_DISABLEPUBEKREAD, &v))
			return -1;
		tt_msg(t, "Public Endorsement Key readable by: %s\n", v ? "owner" : "everyone");
		tt_json_str(t, "pubek_readable_by", v ? "owner" : "everyone");
	} else if (set_status(t, TSS_TPMSTATUS_DISABLEPUBEKREAD, 0)) {
		return -1;
	}
	tt_success(t);
	return 0;
}

static const struct tt_opt restrictpubek_opts[] = {
	OPT_UNICODE,
	{"status", no_argument, 's', "-s, --status", "Display current status"},
	{"restrict", no_argument, 'r', "-r, --restrict", "Restrict PubEK read to owner only"},
	OPT_WELL_KNOWN,
	OPT_END,
};

const struct tt_cmd tt_cmd_restrictpubek = {
	.name = "tpm_restrictpubek", .shortopts = "srz", .opts = restrictpubek_opts,
	.parse = parse_restrictpubek, .run = run_restrictpubek, .help_status = 255,
	.summary = "show or restrict who may read the public EK",
};

static int parse_restrictsrk(struct tt *t, int c, const char *arg)
{
	switch (c) {
	case 'a': o.request = REQ_OFF; break;
	case 's': o.status = true; break;
	case 'r': o.request = REQ_ON; break;
	case 'z': o.well_known = true; break;
	default: return -1;
	}
	return 0;
}

static int run_restrictsrk(struct tt *t)
{
	TSS_BOOL v;

	/* tpm-tools: no arguments at all means status (the default otherwise is "allow"). */
	if (t->nargs == 1)
		o.status = true;
	if (tt_connect(t) || tt_owner_auth(t, o.well_known))
		return -1;
	if (o.status) {
		if (get_status(t, TSS_TPMSTATUS_DISABLEPUBSRKREAD, &v))
			return -1;
		tt_msg(t, "Storage Root Key readable with: %s\n", v ? "owner auth" : "SRK auth");
		tt_json_str(t, "srk_readable_with", v ? "owner auth" : "SRK auth");
	} else if (set_status(t, TSS_TPMSTATUS_DISABLEPUBSRKREAD, o.request == REQ_ON)) {
		return -1;
	}
	tt_success(t);
	return 0;
}

static const struct tt_opt restrictsrk_opts[] = {
	OPT_UNICODE,
	{"allow", no_argument, 'a', "-a, --allow", "Allow SRK read access using SRK auth"},
	{"status", no_argument, 's', "-s, --status", "Display current status"},
	{"restrict", no_argument, 'r', "-r, --restrict", "Restrict SRK read to owner only"},
	OPT_WELL_KNOWN,
	OPT_END,
};

const struct tt_cmd tt_cmd_restrictsrk = {
	.name = "tpm_restrictsrk", .shortopts = "asrz", .opts = restrictsrk_opts,
	.parse = parse_restrictsrk, .run = run_restrictsrk, .help_status = 255,
	.summary = "show or restrict who may read the public SRK",
};

/* ---- tpm_createek / tpm_revokeek ------------------------------------------ */

static struct { const char *in, *out; bool revocable, generate; } ek;

static int parse_ek(struct tt *t, int c, const char *arg)
{
	switch (c) {
	case 'r': ek.revocable = true; break;
	case 'g': ek.generate = true; break;
	case 'i': ek.in = arg; break;
	case 'o': ek.out = arg; break;
	default: return -1;
	}
	return 0;
}

/* The 20-byte EK reset secret (TPM_NONCE, Part 3 §14.2) from ek.in. */
static int read_ek_secret(struct tt *t, BYTE secret[20])
{
	BYTE *data;
	size_t len;

	memset(secret, 0, 20);
	if (tt_read_file(ek.in, 1 << 20, &data, &len) != 0) {
		tt_error(t, "Unable to open input file: %s\n", ek.in);
		return -1;
	}
	if (len < 20) {
		tt_error(t, "Error: the secret data file %s contains less than %d bytes. Aborting ...\n",
			 ek.in, 20);
		free(data);
		return -1;
	}
	if (len > 20)
		tt_msg(t, "WARNING: Using only the first %d bytes of file %s for secret data\n", 20, ek.in);
	memcpy(secret, data, 20);
	OPENSSL_cleanse(data, len);
	free(data);
	return 0;
}

static int run_createek(struct tt *t)
{
	BYTE secret[20], *rev = NULL;
	UINT32 rev_len = 0;
	TSS_HKEY hek;
	int ret = -1;

	if (ek.revocable) {
		if (ek.generate) {
			if (!ek.out) {
				tt_error(t, "Please specify an output file\n");
				return -1;
			}
			if (ek.in) {
				tt_error(t, "The option -i, --infile is not valid with -g\n");
				return -1;
			}
		} else if (!ek.in) {
			tt_error(t, "Please specify -i, --infile or -g, --generate-secret\n");
			return -1;
		} else if (ek.out) {
			tt_error(t, "The option -o, --outfile is not valid with -i, --infile");
			return -1;
		}
	}
	if (ek.in) {
		if (read_ek_secret(t, secret))
			return -1;
		rev = secret;
		rev_len = sizeof(secret);
	} else if (ek.out) {
		FILE *f = fopen(ek.out, "w");

		if (!f) {
			tt_error(t, "Unable to open output file: %s\n", ek.out);
			return -1;
		}
		fclose(f);
	}
	if (tt_connect(t) ||
	    tt_result(t, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_RSAKEY,
						TSS_KEY_SIZE_2048 | TSS_KEY_TYPE_LEGACY, &hek)))
		goto out;
	if (t->mgmt && isatty(STDERR_FILENO) && !t->json)
		fprintf(stderr, "Creating the endorsement key (this may take a while)...\n");
	if (ek.revocable) {
		if (tt_result(t, "Tspi_TPM_CreateRevocableEndorsementKey",
			      Tspi_TPM_CreateRevocableEndorsementKey(t->tpm, hek, NULL, &rev_len, &rev)))
			goto out;
		if (ek.out) {
			FILE *f = fopen(ek.out, "w");
			bool ok = f && fwrite(rev, 1, rev_len, f) == rev_len;

			if (f && fclose(f) != 0)
				ok = false;
			if (!ok) {
				tt_error(t, "Creating revocable EK succeeded, but writing the EK revoke "
					 "authorization to disk failed.\nPrinting the revoke authorization "
					 "instead:\n");
				tt_hex(t, rev, rev_len);
				tt_error(t, "You should record this data, as its the authorization "
					 "you'll need to revoke your EK!\n");
				goto out;
			}
		}
	} else if (tt_result(t, "Tspi_TPM_CreateEndorsementKey",
			     Tspi_TPM_CreateEndorsementKey(t->tpm, hek, NULL))) {
		goto out;
	}
	tt_success(t);
	ret = 0;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	return ret;
}

static const struct tt_opt createek_opts[] = {
	{"revocable", no_argument, 'r', "-r, --revocable",
	 "Creates a revocable EK instead of the default non-revocable one. Requires [-g -o] or [-i]"},
	{"infile", required_argument, 'i', "-i, --infile FILE",
	 "Filename containing the secret data used to revoke the EK."},
	{"generate-secret", no_argument, 'g', "-g, --generate-secret",
	 "Generates a 20 Bytes secret that is used to revoke the EK. Requires [-o]"},
	{"outfile", required_argument, 'o', "-o, --outfile FILE",
	 "Filename to write the secret data generated to revoke the EK."},
	OPT_END,
};

const struct tt_cmd tt_cmd_createek = {
	.name = "tpm_createek", .shortopts = "rgi:o:", .opts = createek_opts,
	.parse = parse_ek, .run = run_createek, .help_status = 255,
	.summary = "create the endorsement key (optionally revocable)",
};

static int run_revokeek(struct tt *t)
{
	BYTE secret[20];
	int ret = -1;

	if (!ek.in) {
		tt_error(t, "Please specify which file contains the secret to revoke the Ek "
			 "(use option -i, --infile).\n");
		return -1;
	}
	if (read_ek_secret(t, secret))
		return -1;
	if (tt_connect(t) ||
	    tt_result(t, "Tspi_TPM_RevokeEndorsementKey",
		      Tspi_TPM_RevokeEndorsementKey(t->tpm, sizeof(secret), secret)))
		goto out;
	tt_success(t);
	ret = 0;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	return ret;
}

static const struct tt_opt revokeek_opts[] = {
	{"infile", required_argument, 'i', "-i, --infile FILE",
	 "Filename containing the secret data used to revoke the EK."},
	OPT_END,
};

const struct tt_cmd tt_cmd_revokeek = {
	.name = "tpm_revokeek", .shortopts = "i:", .opts = revokeek_opts,
	.parse = parse_ek, .run = run_revokeek, .help_status = 255,
	.summary = "revoke a revocable endorsement key",
};
