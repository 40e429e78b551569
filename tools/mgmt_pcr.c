/*
 * tpm-mgmt pcr read|extend|reset and events (the TCS event log).
 * extend takes SHA-1 of the data (or a given digest) to TPM_Extend;
 * PcrReset works on the resettable PCRs
 * (16, 23 at locality 0 on a PC client TPM).
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "json.h"
#include "mgmt.h"

#define MAX_PCR 24
/* TCG PC Client event type: an action string (the default for --event). */
#define EV_ACTION 0x05u
/* --event is a description, not a payload (tcsd would take up to 64 KiB). */
#define EVENT_TEXT_MAX 4096

static int parse_pcrs(struct tt *t, int argc, char **argv, UINT32 *out, size_t *n)
{
	*n = 0;
	for (int i = 0; i < argc; i++) {
		unsigned long v;

		if (mgmt_uint(argv[i], MAX_PCR - 1, &v) != 0)
			return mgmt_error(t, MGMT_E_USAGE, "'%s' is not a PCR index (0-%d)", argv[i],
					  MAX_PCR - 1);
		out[(*n)++] = (UINT32)v;
		if (*n == MAX_PCR)
			break;
	}
	return 0;
}

static int pcr_read(struct tt *t, int argc, char **argv)
{
	UINT32 pcrs[MAX_PCR];
	size_t n;
	int rc;

	if ((rc = parse_pcrs(t, argc, argv, pcrs, &n)) != 0)
		return rc;
	if (n == 0)
		for (n = 0; n < MAX_PCR; n++)
			pcrs[n] = (UINT32)n;
	if ((rc = mgmt_connect(t)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		UINT32 len;
		BYTE *val;
		TSS_RESULT r = Tspi_TPM_PcrRead(t->tpm, pcrs[i], &len, &val);
		char key[16], *obj = NULL;

		if (r)
			return mgmt_fail(t, "reading a PCR", r);
		if (!t->json) {
			printf("PCR-%02u: ", pcrs[i]);
			mgmt_print_hex(val, len);
			continue;
		}
		snprintf(key, sizeof(key), "%u", pcrs[i]);
		json_appendf(&obj, "{\"index\": %u, \"value\": \"", pcrs[i]);
		for (UINT32 b = 0; b < len; b++)
			json_appendf(&obj, "%02x", val[b]);
		json_appendf(&obj, "\"}");
		if (obj)
			json_array_raw("pcrs", obj);
		free(obj);
	}
	return 0;
}

static int pcr_extend(struct tt *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'}, {"file", required_argument, NULL, 'f'},
		{"digest", required_argument, NULL, 'D'}, {"event", required_argument, NULL, 'e'},
		{"event-type", required_argument, NULL, 'T'}, MGMT_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	const char *data = NULL, *file = NULL, *hex = NULL, *event = NULL;
	BYTE *buf = NULL, *val, digest[SHA_DIGEST_LENGTH];
	size_t len = 0;
	UINT32 vlen;
	unsigned long idx, type = EV_ACTION;
	TSS_PCR_EVENT ev;
	TSS_RESULT r;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:f:D:e:T:h", opts, NULL)) != -1) {
		if (c == 'd')
			data = optarg;
		else if (c == 'f')
			file = optarg;
		else if (c == 'D')
			hex = optarg;
		else if (c == 'e')
			event = optarg;
		else if (c == 'T' && mgmt_uint(optarg, UINT32_MAX, &type) != 0)
			return mgmt_error(t, MGMT_E_USAGE, "--event-type takes a number 0..%u",
					  UINT32_MAX);
		else if (c != 'T')
			return MGMT_E_USAGE;
	}
	if (optind + 1 != argc || mgmt_uint(argv[optind], MAX_PCR - 1, &idx) != 0 ||
	    (!!data + !!file + !!hex) != 1)
		return mgmt_error(t, MGMT_E_USAGE,
				  "usage: pcr extend INDEX (--data TEXT | --file FILE | --digest HEX) "
				  "[--event TEXT [--event-type N]]");
	if (event != NULL && strlen(event) > EVENT_TEXT_MAX)
		return mgmt_error(t, MGMT_E_USAGE, "--event: at most %d bytes", EVENT_TEXT_MAX);
	if (hex) {
		if (mgmt_unhex(hex, digest, sizeof(digest), &len) != 0 || len != sizeof(digest))
			return mgmt_error(t, MGMT_E_USAGE, "--digest takes 40 hex digits (a SHA-1 digest)");
		buf = malloc(1);
	} else if (file) {
		if (tt_read_file(file, 64u << 20, &buf, &len) != 0)
			return mgmt_error(t, MGMT_E_FILE, "cannot read %s", file);
	} else {
		buf = (BYTE *)strdup(data);
		len = strlen(data);
	}
	if (!buf)
		return MGMT_E_FAIL;
	/* Without an event the TSP extends the 20 bytes it is given (TSS 1.2 §4.3.4.15.6). */
	if (!hex)
		EVP_Digest(buf, len, digest, NULL, EVP_sha1(), NULL);
	if ((rc = mgmt_connect(t)) != 0)
		goto out;
	/*
	 * With an event, tcsd logs it and the TSP extends the digest of
	 * (index, the 20 bytes, type, event) instead (TSS 1.2 §2.6.2), which
	 * the log records: `tpm-mgmt events` replays it.
	 */
	memset(&ev, 0, sizeof(ev));
	if (event != NULL) {
		ev.eventType = (UINT32)type;
		ev.ulEventLength = (UINT32)strlen(event);
		ev.rgbEvent = (BYTE *)event;
	}
	r = Tspi_TPM_PcrExtend(t->tpm, (UINT32)idx, sizeof(digest), digest,
			       event != NULL ? &ev : NULL, &vlen, &val);
	if (r) {
		rc = mgmt_fail(t, "extending the PCR", r);
		goto out;
	}
	if (!t->json) {
		printf("PCR-%02lu: ", idx);
		mgmt_print_hex(val, vlen);
		if (event != NULL) {
			printf("logged event type 0x%lx, extended ", type);
			mgmt_print_hex(ev.rgbPcrValue, ev.ulPcrValueLength);
		}
	}
	json_member_uint("index", idx);
	json_member_hex("value", val, vlen);
	if (event != NULL) {
		json_member_uint("event_type", type);
		json_member_hex("extended", ev.rgbPcrValue, ev.ulPcrValueLength);
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

static int pcr_reset(struct tt *t, int argc, char **argv)
{
	UINT32 pcrs[MAX_PCR];
	size_t n;
	TSS_HPCRS h;
	TSS_RESULT r;
	int rc;

	if ((rc = parse_pcrs(t, argc, argv, pcrs, &n)) != 0)
		return rc;
	if (n == 0)
		return mgmt_error(t, MGMT_E_USAGE, "usage: pcr reset INDEX... (resettable PCRs, e.g. 16 or 23)");
	if ((rc = mgmt_connect(t)) != 0)
		return rc;
	if ((r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_PCRS, 0, &h)))
		return mgmt_fail(t, "creating a PCR object", r);
	for (size_t i = 0; i < n; i++)
		if ((r = Tspi_PcrComposite_SelectPcrIndex(h, pcrs[i])))
			return mgmt_fail(t, "selecting the PCR", r);
	if ((r = Tspi_TPM_PcrReset(t->tpm, h)))
		return mgmt_fail(t, "resetting the PCRs", r);
	if (!t->json)
		printf("reset %zu PCR%s\n", n, n == 1 ? "" : "s");
	json_member_uint("reset", n);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct tt *, int, char **);
} pcr_ops[] = {
	{"read", pcr_read}, {"extend", pcr_extend}, {"reset", pcr_reset},
};

static int run_pcr(struct tt *t, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		mgmt_usage(&mgmt_pcr_cmds[0], argc < 2 ? stderr : stdout);
		return argc < 2 ? MGMT_E_USAGE : 0;
	}
	for (size_t i = 0; i < sizeof(pcr_ops) / sizeof(pcr_ops[0]); i++) {
		if (strcmp(argv[1], pcr_ops[i].name) == 0) {
			for (int a = 2; a < argc; a++)
				if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
					mgmt_usage(&mgmt_pcr_cmds[0], stdout);
					return 0;
				}
			return pcr_ops[i].fn(t, argc - (pcr_ops[i].fn == pcr_extend ? 1 : 2),
					     argv + (pcr_ops[i].fn == pcr_extend ? 1 : 2));
		}
	}
	return mgmt_error(t, MGMT_E_USAGE, "unknown pcr operation '%s' (read, extend, reset)", argv[1]);
}

/* ---- events --------------------------------------------------------------- */

/*
 * TCG PC Client event types (PC Client Implementation Spec 1.21 §10.4.1).
 * Type 0 (EV_PREBOOT_CERT) only means that in the firmware's PCRs 0-7:
 * tcsd reports IMA measurements (PCR 10) with type 0, and applications
 * often extend with it.
 */
static const char *event_type_name(UINT32 pcr, UINT32 type)
{
	static const struct { UINT32 v; const char *n; } map[] = {
		{0x00, "EV_PREBOOT_CERT"}, {0x01, "EV_POST_CODE"}, {0x03, "EV_NO_ACTION"},
		{0x04, "EV_SEPARATOR"}, {0x05, "EV_ACTION"}, {0x06, "EV_EVENT_TAG"},
		{0x07, "EV_S_CRTM_CONTENTS"}, {0x08, "EV_S_CRTM_VERSION"}, {0x09, "EV_CPU_MICROCODE"},
		{0x0a, "EV_PLATFORM_CONFIG_FLAGS"}, {0x0b, "EV_TABLE_OF_DEVICES"},
		{0x0c, "EV_COMPACT_HASH"}, {0x0d, "EV_IPL"}, {0x0e, "EV_IPL_PARTITION_DATA"},
		{0x0f, "EV_NONHOST_CODE"}, {0x10, "EV_NONHOST_CONFIG"}, {0x11, "EV_NONHOST_INFO"},
		{0x80000001, "EV_EFI_VARIABLE_DRIVER_CONFIG"}, {0x80000002, "EV_EFI_VARIABLE_BOOT"},
		{0x80000003, "EV_EFI_BOOT_SERVICES_APPLICATION"}, {0x80000007, "EV_EFI_ACTION"},
	};
	if (type == 0 && pcr >= 8)
		return "untyped (IMA/application)";
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].v == type)
			return map[i].n;
	return "unknown";
}

static bool printable(const BYTE *p, UINT32 n)
{
	if (n == 0)
		return false;
	for (UINT32 i = 0; i < n; i++)
		if (!isprint(p[i]) && !(i == n - 1 && p[i] == 0))
			return false;
	return true;
}

static int run_events(struct tt *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{"pcr", required_argument, NULL, 'p'}, MGMT_COMMON_LONGOPTS, {NULL, 0, NULL, 0},
	};
	TSS_PCR_EVENT *ev = NULL;
	UINT32 n = 0;
	unsigned long only = MAX_PCR;
	TSS_RESULT r;
	int c, rc;

	while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		if (c == 'p' && mgmt_uint(optarg, MAX_PCR - 1, &only) == 0)
			continue;
		if (c == 'h') {
			mgmt_usage(&mgmt_pcr_cmds[1], stdout);
			return 0;
		}
		return mgmt_error(t, MGMT_E_USAGE, "usage: events [--pcr INDEX]");
	}
	if ((rc = mgmt_connect(t)) != 0)
		return rc;
	if ((r = Tspi_TPM_GetEventLog(t->tpm, &n, &ev)))
		return mgmt_fail(t, "reading the event log", r);
	for (UINT32 i = 0; i < n; i++) {
		const TSS_PCR_EVENT *e = &ev[i];
		char *obj = NULL;

		if (only < MAX_PCR && e->ulPcrIndex != only)
			continue;
		if (!t->json) {
			printf("%4u PCR-%02u %-28s ", i, e->ulPcrIndex,
			       event_type_name(e->ulPcrIndex, e->eventType));
			for (UINT32 b = 0; b < e->ulPcrValueLength; b++)
				printf("%02x", e->rgbPcrValue[b]);
			if (printable(e->rgbEvent, e->ulEventLength))
				printf(" \"%.*s\"\n", (int)e->ulEventLength, (const char *)e->rgbEvent);
			else
				printf(" (%u bytes)\n", e->ulEventLength);
			continue;
		}
		json_appendf(&obj, "{\"number\": %u, \"pcr\": %u, \"type\": %u, \"type_name\": \"%s\", "
			     "\"digest\": \"", i, e->ulPcrIndex, e->eventType,
			     event_type_name(e->ulPcrIndex, e->eventType));
		for (UINT32 b = 0; b < e->ulPcrValueLength; b++)
			json_appendf(&obj, "%02x", e->rgbPcrValue[b]);
		json_appendf(&obj, "\", \"data\": \"");
		for (UINT32 b = 0; b < e->ulEventLength; b++)
			json_appendf(&obj, "%02x", e->rgbEvent[b]);
		json_appendf(&obj, "\"}");
		if (obj)
			json_array_raw("events", obj);
		free(obj);
	}
	if (!t->json && n == 0)
		printf("the event log is empty\n");
	json_member_uint("count", n);
	return 0;
}

const struct mgmt_cmd mgmt_pcr_cmds[] = {
	{"pcr", run_pcr,
	 "read [INDEX...] | extend INDEX (--data TEXT|--file FILE|--digest HEX) [--event TEXT] "
	 "| reset INDEX...",
	 "read, extend (with SHA-1 of the data) or reset PCRs",
	 "  read [INDEX...]        the values (all 24 by default)\n"
	 "  extend INDEX --data TEXT | --file FILE | --digest HEX\n"
	 "                         extend with the SHA-1 of the text or file (or the digest given);\n"
	 "                         prints the new value\n"
	 "      --event TEXT       also log the measurement in tcsd's event log, described by\n"
	 "                         TEXT; the TSS then extends SHA-1(INDEX, digest, type, TEXT),\n"
	 "                         the value the log records (`events` replays it)\n"
	 "      --event-type N     the logged event's type (default 5, EV_ACTION)\n"
	 "  reset INDEX...         reset resettable PCRs (16, 23 at locality 0)\n"},
	{"events", run_events, "[--pcr INDEX]", "the event log kept by tcsd, decoded",
	 "  -p, --pcr INDEX   only events of this PCR\n"},
	{NULL, NULL, NULL, NULL, NULL},
};
