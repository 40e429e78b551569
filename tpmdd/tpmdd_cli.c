/*
 * tpmdd: probe a TPM 1.2 through the tpmdd layer and show what the Linux
 * driver shows in sysfs (version, caps, pcrs, pubek, enabled/active/owned),
 * plus random bytes and raw commands. Human-readable by default, JSON
 * with --json.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tss/platform.h>
#include <tss/tpm.h>
#include <tss/tpm_error.h>

#include "log.h"
#include "tpm1_cmd.h"
#include "tpmdd.h"

#define EXIT_TPM 1
#define EXIT_USAGE 2

#define DEFAULT_DEVICE "/dev/tpm0"
#define RANDOM_MAX 65536

struct cli {
	struct tpmdd *tpm;
	struct tpm1_chan ch;
	bool json;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: tpmdd [--device URI] [--json] [--verbose] COMMAND\n"
"\n"
"Talks to a TPM 1.2 through the tss12 driver layer.\n"
"\n"
"Commands:\n"
"  version      TPM version, spec level, manufacturer, firmware version\n"
"  caps         capabilities: versions, durations, timeouts, key slots,\n"
"               sessions, PCR count, flags\n"
"  flags        enabled / active / owned and the other TPM flags\n"
"  pcrs         the value of every PCR\n"
"  pubek        the public endorsement key\n"
"  random N     N random bytes from the TPM, in hex (N <= %d)\n"
"  raw HEX      send the command bytes HEX, print the response in hex\n"
"\n"
"Options:\n"
"  -d, --device URI   the TPM to use:\n"
"                       dev:/dev/tpm0                      kernel TPM device\n"
"                       swtpm:tcp://HOST:PORT[,ctrl=PORT]   swtpm (TCP)\n"
"                       swtpm:unix:PATH[,ctrl=PATH]        swtpm (Unix socket)\n"
"                       libtpms:STATEDIR                   in-process TPM 1.2\n"
"                     default: $TPMDD_DEVICE, else dev:" DEFAULT_DEVICE " if it exists\n"
"  -j, --json         print JSON instead of text\n"
"  -v, --verbose      log what the driver does\n"
"  -h, --help         this text\n"
"\n"
"Exit status: 0 success, 1 TPM or driver error, 2 usage error.\n",
		RANDOM_MAX);
}

/* ---- output helpers ---- */

static void print_hex(const BYTE *p, size_t n, const char *sep)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%s%02X", i && sep ? sep : "", p[i]);
}

static void print_hex_lower(const BYTE *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

/* A JSON string; bytes outside printable ASCII are escaped. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* The vendor ID as text: printable characters, trailing NULs and spaces dropped. */
static void vendor_text(const BYTE id[4], char out[5])
{
	int i, n = 4;

	while (n > 0 && (id[n - 1] == 0 || id[n - 1] == ' '))
		n--;
	for (i = 0; i < n; i++)
		out[i] = id[i] >= 0x20 && id[i] < 0x7f ? (char)id[i] : '.';
	out[n] = '\0';
}

static int report(const char *what, TSS_RESULT rc)
{
	const char *name = ERROR_LAYER(rc) == TSS_LAYER_TPM ? tpm1_rc_name(rc) : NULL;

	if (name)
		fprintf(stderr, "tpmdd: %s: %s (%s, 0x%x)\n", what, tpmdd_strerror(rc), name, rc);
	else
		fprintf(stderr, "tpmdd: %s: %s (0x%x)\n", what, tpmdd_strerror(rc), rc);
	return EXIT_TPM;
}

/* ---- commands ---- */

static int cmd_version(struct cli *c, const char *arg)
{
	struct tpm1_version_info v;
	char vendor[5];
	TSS_RESULT rc;

	if ((rc = tpm1_get_version_info(&c->ch, &v)) != TSS_SUCCESS)
		return report("reading TPM_CAP_VERSION_VAL", rc);
	vendor_text(v.vendor_id, vendor);
	if (c->json) {
		printf("{\"tpm\": \"%u.%u\", \"spec_level\": %u, \"errata_rev\": %u, "
		       "\"manufacturer\": ", v.major, v.minor, v.spec_level, v.errata_rev);
		json_str(vendor);
		printf(", \"manufacturer_id\": \"0x");
		print_hex(v.vendor_id, 4, NULL);
		printf("\", \"firmware\": \"%u.%u\", \"vendor_specific\": \"",
		       v.rev_major, v.rev_minor);
		print_hex_lower(v.vendor_specific,
				v.vendor_specific_len < sizeof(v.vendor_specific) ?
				v.vendor_specific_len : sizeof(v.vendor_specific));
		printf("\", \"backend\": \"%s\", \"software\": %s}\n", tpmdd_backend_name(c->tpm),
		       tpmdd_is_software(c->tpm) ? "true" : "false");
		return 0;
	}
	printf("TPM %u.%u (spec level %u, errata revision %u)\n", v.major, v.minor,
	       v.spec_level, v.errata_rev);
	printf("Manufacturer: %s (0x", vendor);
	print_hex(v.vendor_id, 4, NULL);
	printf(")\n");
	printf("Firmware version: %u.%u\n", v.rev_major, v.rev_minor);
	return 0;
}

struct flags {
	struct tpm1_permanent_flags perm;
	struct tpm1_stclear_flags vol;
	bool owned;
};

static TSS_RESULT read_flags(struct cli *c, struct flags *f)
{
	TSS_RESULT rc;

	if ((rc = tpm1_get_permanent_flags(&c->ch, &f->perm)) != TSS_SUCCESS ||
	    (rc = tpm1_get_stclear_flags(&c->ch, &f->vol)) != TSS_SUCCESS ||
	    (rc = tpm1_get_owner(&c->ch, &f->owned)) != TSS_SUCCESS)
		return rc;
	return TSS_SUCCESS;
}

/* Flags by their sysfs name (enabled, active, owned) and their spec name. */
static void print_flags(const struct cli *c, const struct flags *f)
{
	const struct {
		const char *name;
		bool v;
	} list[] = {
		{ "enabled", !f->perm.disable },
		{ "active", !f->perm.deactivated },
		{ "owned", f->owned },
		{ "temp_deactivated", f->vol.deactivated },
		{ "owner_install_allowed", f->perm.ownership },
		{ "read_pubek", f->perm.read_pubek },
		{ "disable_owner_clear", f->perm.disable_owner_clear },
		{ "disable_force_clear", f->vol.disable_force_clear },
		{ "pp_lifetime_lock", f->perm.pp_lifetime_lock },
		{ "pp_hw_enable", f->perm.pp_hw_enable },
		{ "pp_cmd_enable", f->perm.pp_cmd_enable },
		{ "physical_presence", f->vol.physical_presence },
		{ "physical_presence_lock", f->vol.physical_presence_lock },
		{ "cekp_used", f->perm.cekp_used },
		{ "fips", f->perm.fips },
		{ "nv_locked", f->perm.nv_locked },
		{ "tpm_established", f->perm.tpm_established },
	};
	size_t i;

	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
		if (c->json)
			printf("%s\"%s\": %s", i ? ", " : "", list[i].name,
			       list[i].v ? "true" : "false");
		else
			printf("%-24s%d\n", list[i].name, list[i].v ? 1 : 0);
	}
}

static int cmd_flags(struct cli *c, const char *arg)
{
	struct flags f;
	TSS_RESULT rc;

	if ((rc = read_flags(c, &f)) != TSS_SUCCESS)
		return report("reading the TPM flags", rc);
	if (c->json)
		printf("{");
	print_flags(c, &f);
	if (c->json)
		printf("}\n");
	return 0;
}

/* A TPM_CAP_PROPERTY value, or -1 where the TPM does not tell. */
static long long prop(struct cli *c, uint32_t which)
{
	uint32_t v = 0;

	return tpm1_get_prop_u32(&c->ch, which, &v) == TSS_SUCCESS ? (long long)v : -1;
}

static int cmd_caps(struct cli *c, const char *arg)
{
	struct tpm1_version_info v;
	struct flags f;
	uint32_t dur[3], tmo[4];
	bool dur_from_tpm, have_tmo;
	char vendor[5];
	const struct {
		const char *name;
		const char *label;
		uint32_t prop;
	} props[] = {
		{ "pcrs", "PCRs", TPM_CAP_PROP_PCR },
		{ "key_slots_free", "Key slots free", TPM_CAP_PROP_KEYS },
		{ "key_slots_max", "Key slots", TPM_CAP_PROP_MAX_KEYS },
		{ "sessions_free", "Sessions free", TPM_CAP_PROP_SESSIONS },
		{ "sessions_max", "Sessions", TPM_CAP_PROP_MAX_SESSIONS },
		{ "auth_sessions_max", "Auth sessions", TPM_CAP_PROP_MAX_AUTHSESS },
		{ "transport_sessions_max", "Transport sessions", TPM_CAP_PROP_MAX_TRANSSESS },
		{ "counters_max", "Counters", TPM_CAP_PROP_MAX_COUNTERS },
		{ "contexts_max", "Saved contexts", TPM_CAP_PROP_MAX_CONTEXT },
		{ "nv_available", "NV bytes available", TPM_CAP_PROP_NV_AVAILABLE },
		{ "input_buffer", "Input buffer", TPM_CAP_PROP_INPUT_BUFFER },
	};
	static const char *const dur_names[3] = { "short", "medium", "long" };
	static const char *const tmo_names[4] = { "a", "b", "c", "d" };
	TSS_RESULT rc;
	size_t i;

	if ((rc = tpm1_get_version_info(&c->ch, &v)) != TSS_SUCCESS)
		return report("reading TPM_CAP_VERSION_VAL", rc);
	if ((rc = read_flags(c, &f)) != TSS_SUCCESS)
		return report("reading the TPM flags", rc);
	vendor_text(v.vendor_id, vendor);
	tpmdd_get_durations(c->tpm, dur, &dur_from_tpm);
	have_tmo = tpm1_get_timeouts(&c->ch, tmo) == TSS_SUCCESS;

	if (c->json) {
		printf("{\"manufacturer\": ");
		json_str(vendor);
		printf(", \"manufacturer_id\": \"0x");
		print_hex(v.vendor_id, 4, NULL);
		printf("\", \"tcg_version\": \"%u.%u\", \"spec_level\": %u, \"errata_rev\": %u, "
		       "\"firmware\": \"%u.%u\", ", v.major, v.minor, v.spec_level, v.errata_rev,
		       v.rev_major, v.rev_minor);
		printf("\"durations_us\": {");
		for (i = 0; i < 3; i++)
			printf("%s\"%s\": %u", i ? ", " : "", dur_names[i], dur[i]);
		printf("}, \"durations_from_tpm\": %s, \"timeouts_us\": ",
		       dur_from_tpm ? "true" : "false");
		if (have_tmo) {
			printf("{");
			for (i = 0; i < 4; i++)
				printf("%s\"%s\": %u", i ? ", " : "", tmo_names[i], tmo[i]);
			printf("}");
		} else {
			printf("null");
		}
		for (i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
			long long p = prop(c, props[i].prop);

			if (p < 0)
				printf(", \"%s\": null", props[i].name);
			else
				printf(", \"%s\": %lld", props[i].name, p);
		}
		printf(", \"flags\": {");
		print_flags(c, &f);
		printf("}, \"backend\": \"%s\", \"software\": %s}\n", tpmdd_backend_name(c->tpm),
		       tpmdd_is_software(c->tpm) ? "true" : "false");
		return 0;
	}
	printf("Manufacturer: %s (0x", vendor);
	print_hex(v.vendor_id, 4, NULL);
	printf(")\nTCG version: %u.%u (spec level %u, errata revision %u)\n",
	       v.major, v.minor, v.spec_level, v.errata_rev);
	printf("Firmware version: %u.%u\n", v.rev_major, v.rev_minor);
	printf("Durations: short %u us, medium %u us, long %u us%s\n", dur[0], dur[1], dur[2],
	       dur_from_tpm ? "" : " (defaults; the TPM did not report them)");
	if (have_tmo)
		printf("Timeouts: a %u us, b %u us, c %u us, d %u us\n",
		       tmo[0], tmo[1], tmo[2], tmo[3]);
	else
		printf("Timeouts: not reported\n");
	for (i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		long long p = prop(c, props[i].prop);

		if (p < 0)
			printf("%s: not reported\n", props[i].label);
		else
			printf("%s: %lld\n", props[i].label, p);
	}
	printf("Enabled: %d\nActive: %d\nOwned: %d\n", !f.perm.disable, !f.perm.deactivated,
	       f.owned);
	return 0;
}

static int cmd_pcrs(struct cli *c, const char *arg)
{
	BYTE value[TPM1_DIGEST_SIZE];
	uint32_t n = 0, i;
	TSS_RESULT rc;

	if ((rc = tpm1_get_prop_u32(&c->ch, TPM_CAP_PROP_PCR, &n)) != TSS_SUCCESS)
		return report("reading the number of PCRs", rc);
	if (n > 1024) {
		fprintf(stderr, "tpmdd: the TPM claims %u PCRs; refusing to believe it\n", n);
		return EXIT_TPM;
	}
	if (c->json)
		printf("{\"pcrs\": [");
	for (i = 0; i < n; i++) {
		if ((rc = tpm1_pcr_read(&c->ch, i, value)) != TSS_SUCCESS) {
			if (c->json)
				printf("]}\n");
			return report("reading a PCR", rc);
		}
		if (c->json) {
			printf("%s\"", i ? ", " : "");
			print_hex_lower(value, sizeof(value));
			printf("\"");
		} else {
			/* The layout of /sys/class/tpm/tpm0/device/pcrs. */
			printf("PCR-%02u: ", i);
			print_hex(value, sizeof(value), " ");
			printf(" \n");
		}
	}
	if (c->json)
		printf("]}\n");
	return 0;
}

static int cmd_pubek(struct cli *c, const char *arg)
{
	struct tpm1_pubkey ek;
	TSS_RESULT rc;
	uint32_t i;

	rc = tpm1_read_pubek(&c->ch, &ek);
	if (rc == TPM_E_DISABLED_CMD) {
		fprintf(stderr, "tpmdd: the TPM refuses to reveal its endorsement key: its owner "
			"disabled TPM_ReadPubek (TPM_DISABLED_CMD). The owner can still read it "
			"with TPM_OwnerReadPubek.\n");
		return EXIT_TPM;
	}
	if (rc == TPM_E_NO_ENDORSEMENT) {
		fprintf(stderr, "tpmdd: the TPM has no endorsement key (TPM_NO_ENDORSEMENT).\n");
		return EXIT_TPM;
	}
	if (rc != TSS_SUCCESS)
		return report("reading the endorsement key", rc);
	if (c->json) {
		printf("{\"algorithm\": %u, \"enc_scheme\": %u, \"sig_scheme\": %u, "
		       "\"key_bits\": %u, \"num_primes\": %u, \"exponent\": \"",
		       ek.algorithm, ek.enc_scheme, ek.sig_scheme, ek.key_bits, ek.num_primes);
		if (ek.exponent_len)
			print_hex_lower(ek.exponent, ek.exponent_len);
		else
			printf("010001");
		printf("\", \"modulus\": \"");
		print_hex_lower(ek.modulus, ek.modulus_len);
		printf("\"}\n");
		return 0;
	}
	/* The layout of /sys/class/tpm/tpm0/device/pubek. */
	printf("Algorithm: ");
	print_hex(ek.blob, 4, " ");
	printf("\nEncscheme: ");
	print_hex(ek.blob + 4, 2, " ");
	printf("\nSigscheme: ");
	print_hex(ek.blob + 6, 2, " ");
	printf("\nParameters: ");
	print_hex(ek.blob + 12, 12, " ");
	printf("\nModulus length: %u\nModulus:", ek.modulus_len);
	for (i = 0; i < ek.modulus_len; i++)
		printf("%s%02X", i % 16 ? " " : "\n", ek.modulus[i]);
	printf("\n");
	return 0;
}

static int parse_count(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int cmd_random(struct cli *c, const char *arg)
{
	BYTE *buf;
	uint32_t n, have = 0, got;
	int tries = 0;
	TSS_RESULT rc = TSS_SUCCESS;

	if (parse_count(arg, RANDOM_MAX, &n) != 0) {
		fprintf(stderr, "tpmdd: random: N must be a number from 0 to %d\n", RANDOM_MAX);
		return EXIT_USAGE;
	}
	if ((buf = malloc(n ? n : 1)) == NULL)
		return EXIT_TPM;
	/* The TPM may return fewer bytes than asked; ask again for the rest. */
	while (have < n && tries++ < 1000) {
		uint32_t ask = n - have > 1024 ? 1024 : n - have;

		if ((rc = tpm1_get_random(&c->ch, ask, buf + have, &got)) != TSS_SUCCESS)
			break;
		have += got;
	}
	if (rc == TSS_SUCCESS && have < n)
		rc = TPM_E_SHORTRANDOM;
	if (rc != TSS_SUCCESS) {
		free(buf);
		return report("reading random bytes", rc);
	}
	if (c->json)
		printf("{\"random\": \"");
	print_hex_lower(buf, n);
	printf(c->json ? "\"}\n" : "\n");
	free(buf);
	return 0;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Hex digits, optionally separated by spaces or colons. */
static int parse_hex(const char *s, BYTE *out, size_t cap, size_t *len)
{
	int hi = -1, v;

	*len = 0;
	for (; *s; s++) {
		if (*s == ' ' || *s == ':' || *s == '\t' || *s == '\n')
			continue;
		if ((v = hexval((unsigned char)*s)) < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (*len == cap)
			return -1;
		out[(*len)++] = (BYTE)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? 0 : -1;
}

static int cmd_raw(struct cli *c, const char *arg)
{
	BYTE cmd[TPMDD_BUFSIZE], rsp[TPMDD_BUFSIZE];
	size_t cmd_len, rsp_len = sizeof(rsp);
	uint32_t result;
	TSS_RESULT rc;

	if (parse_hex(arg, cmd, sizeof(cmd), &cmd_len) != 0) {
		fprintf(stderr, "tpmdd: raw: HEX must be an even number of hex digits, "
			"at most %d bytes\n", TPMDD_BUFSIZE);
		return EXIT_USAGE;
	}
	if ((rc = tpmdd_transmit(c->tpm, cmd, cmd_len, rsp, &rsp_len)) != TSS_SUCCESS) {
		if (rc == TDDL_ERROR(TSS_E_BAD_PARAMETER)) {
			fprintf(stderr, "tpmdd: raw: not a well-formed TPM 1.2 command (needs a "
				"request tag and a paramSize equal to its length)\n");
			return EXIT_USAGE;
		}
		return report("sending the command", rc);
	}
	result = tpm1_header_code(rsp, rsp_len);
	if (c->json) {
		printf("{\"response\": \"");
		print_hex_lower(rsp, rsp_len);
		printf("\", \"result\": %u}\n", result);
	} else {
		print_hex_lower(rsp, rsp_len);
		printf("\n");
	}
	if (result != TPM_SUCCESS) {
		fprintf(stderr, "tpmdd: raw: the TPM answered with result 0x%x (%s)\n", result,
			tpm1_rc_name(result) ? tpm1_rc_name(result) : "unknown");
		return EXIT_TPM;
	}
	return 0;
}

/* ---- main ---- */

static const struct command {
	const char *name;
	int args;
	int (*run)(struct cli *c, const char *arg);
} commands[] = {
	{ "version", 0, cmd_version },
	{ "caps", 0, cmd_caps },
	{ "flags", 0, cmd_flags },
	{ "pcrs", 0, cmd_pcrs },
	{ "pubek", 0, cmd_pubek },
	{ "random", 1, cmd_random },
	{ "raw", 1, cmd_raw },
};

static const char *pick_device(void)
{
	const char *env = getenv("TPMDD_DEVICE");

	if (env && env[0])
		return env;
	if (access(DEFAULT_DEVICE, F_OK) == 0)
		return "dev:" DEFAULT_DEVICE;
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli c = { 0 };
	const struct command *command = NULL;
	const char *device = NULL, *cmd;
	size_t i;
	int opt, verbose = 0, rv;
	TSS_RESULT rc;

	while ((opt = getopt_long(argc, argv, "d:jvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': device = optarg; break;
		case 'j': c.json = true; break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	log_init("tpmdd", LOG_SINK_STDERR,
		 verbose > 1 ? LOG_LVL_DEBUG : verbose ? LOG_LVL_INFO : LOG_LVL_ERROR);
	if (optind >= argc) {
		fprintf(stderr, "tpmdd: no command given\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			command = &commands[i];
	if (command == NULL) {
		fprintf(stderr, "tpmdd: unknown command '%s'; try tpmdd --help\n", cmd);
		return EXIT_USAGE;
	}
	if (argc - optind - 1 != command->args) {
		fprintf(stderr, "tpmdd: %s takes %s; try tpmdd --help\n", cmd,
			command->args ? "one argument" : "no arguments");
		return EXIT_USAGE;
	}

	if (device == NULL && (device = pick_device()) == NULL) {
		fprintf(stderr,
			"tpmdd: no TPM found: there is no " DEFAULT_DEVICE " and TPMDD_DEVICE is not set.\n"
			"Choose one with --device (or TPMDD_DEVICE), e.g. a TPM emulator:\n"
			"  tpmdd --device libtpms:$HOME/.tss12/tpm %s     (in-process, state kept there)\n"
			"  tpmdd --device swtpm:tcp://127.0.0.1:2321 %s   (a running swtpm)\n",
			cmd, cmd);
		return EXIT_USAGE;
	}
	if ((rc = tpmdd_open(device, &c.tpm)) != TSS_SUCCESS) {
		fprintf(stderr, "tpmdd: cannot open %s: %s\n", device, tpmdd_strerror(rc));
		return rc == TDDL_ERROR(TSS_E_BAD_PARAMETER) ? EXIT_USAGE : EXIT_TPM;
	}
	if (tpmdd_is_software(c.tpm))
		fprintf(stderr, "tpmdd: warning: %s is a software TPM (emulator): it protects "
			"nothing and attests nothing about this machine\n", device);
	tpm1_chan_tpmdd(&c.ch, c.tpm);

	rv = command->run(&c, command->args ? argv[optind + 1] : NULL);

	tpmdd_close(c.tpm);
	if (fflush(stdout) != 0 && rv == 0)
		rv = EXIT_TPM;
	return rv;
}
