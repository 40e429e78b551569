/*
 * tpm_nvdefine, tpm_nvrelease, tpm_nvread, tpm_nvwrite, tpm_nvinfo as in
 * tpm-tools 1.3.9 (TPM 1.2 Part 3 §20: NV storage; the Tspi_NV_* calls of
 * TSS 1.2 §4.3.4.31). tpm-tools takes NV and owner secrets as option
 * values (-o, -a, -p); as tpm-mgmt subcommands such values are refused
 * unless --insecure-secret is used (the bare options prompt instead).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "tt.h"

static const BYTE well_known_secret[20] = TSS_WELL_KNOWN_SECRET;

/* TPM_NV_ATTRIBUTES bits (Part 2 §19.2) and their tpm-tools names. */
static const struct nv_perm {
	const char *name;
	UINT32 value;
	const char *desc;
} nv_perms[] = {
	{"AUTHREAD", TPM_NV_PER_AUTHREAD, "reading requires NVRAM area authorization"},
	{"AUTHWRITE", TPM_NV_PER_AUTHWRITE, "writing requires NVRAM area authorization"},
	{"OWNERREAD", TPM_NV_PER_OWNERREAD, "writing requires owner authorization"},
	{"OWNERWRITE", TPM_NV_PER_OWNERWRITE, "reading requires owner authorization"},
	{"PPREAD", TPM_NV_PER_PPREAD, "writing requires physical presence"},
	{"PPWRITE", TPM_NV_PER_PPWRITE, "reading requires physical presence"},
	{"GLOBALLOCK", TPM_NV_PER_GLOBALLOCK,
	 "write to index 0 locks the NVRAM area until TPM_STARTUP(ST_CLEAR)"},
	{"READ_STCLEAR", TPM_NV_PER_READ_STCLEAR,
	 "a read with size 0 to the same index prevents further reading until ST_STARTUP(ST_CLEAR)"},
	{"WRITE_STCLEAR", TPM_NV_PER_WRITE_STCLEAR,
	 "a write with size 0 to the same index prevents further writing until ST_STARTUP(ST_CLEAR)"},
	{"WRITEDEFINE", TPM_NV_PER_WRITEDEFINE,
	 "a write with size 0 to the same index locks the NVRAM area permanently"},
	{"WRITEALL", TPM_NV_PER_WRITEALL, "the value must be written in a single operation"},
};
#define N_PERMS (sizeof(nv_perms) / sizeof(nv_perms[0]))

static struct {
	UINT32 index, size, offset, perm;
	bool index_set, size_set, end;
	int fill;		/* -1: none */
	const char *owner_pw, *data_pw, *file, *data;
	bool ask_owner, ask_data, owner_wk, data_wk;
	UINT32 rpcrs[24], wpcrs[24];
	size_t nr, nw;
	bool list_only;
} nv = {.fill = -1};

static void show_perms(struct tt *t, const char *indent)
{
	tt_msg(t, "%sThe following strings are available:\n", indent);
	for (size_t i = 0; i < N_PERMS; i++)
		tt_msg(t, "%s%15s : %s\n", indent, nv_perms[i].name, nv_perms[i].desc);
}

/* "0x..." or decimal, within [min, max]; tpm-tools' messages on stderr. */
static int parse_num(const char *arg, UINT32 *v, unsigned long min, unsigned long max,
		     const char *what)
{
	unsigned long x;
	char *end;

	while (isspace((unsigned char)*arg))
		arg++;
	errno = 0;
	if (strncmp(arg, "0x", 2) == 0) {
		x = strtoul(arg, &end, 16);
	} else {
		if (!isdigit((unsigned char)*arg)) {
			fprintf(stderr, "%s must be a positive integer.\n", what);
			return -1;
		}
		x = strtoul(arg, &end, 10);
	}
	if (errno || end == arg)
		return -1;
	if (x > max || x < min) {
		fprintf(stderr, "%s is out of valid range [%lu, %lu]\n", what, min, max);
		return -1;
	}
	*v = (UINT32)x;
	return 0;
}

/* "OWNERWRITE|AUTHREAD|0x10..." as tpm-tools parses permission strings. */
static int parse_perms(struct tt *t, const char *arg, UINT32 *out)
{
	const char *p = arg;

	*out = 0;
	while (*p) {
		size_t len;
		bool found = false;

		while (isspace((unsigned char)*p))
			p++;
		len = strcspn(p, "|");
		for (size_t i = 0; i < N_PERMS && !found; i++) {
			if (strlen(nv_perms[i].name) == len && strncmp(p, nv_perms[i].name, len) == 0) {
				*out |= nv_perms[i].value;
				found = true;
			}
		}
		if (!found) {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(p, &end, strncmp(p, "0x", 2) == 0 ? 16 : 10);
			if (end == p || errno || (*end && *end != '|') || !isdigit((unsigned char)*p)) {
				tt_error(t, "Unknown element in %s: %s.\n", "NVRAM permission", p);
				return -1;
			}
			*out |= (UINT32)v;
		}
		p += len;
		if (*p == '|')
			p++;
	}
	return 0;
}

/* tpm-mgmt never takes a secret from an option value (ps(1) shows it). */
static int secret_arg(struct tt *t, const char *arg, const char **dst, bool *ask)
{
	if (arg && t->mgmt) {
		fprintf(stderr, "%s: a secret on the command line is visible to every user of "
			"this machine.\nGive the option without a value to be asked, or use "
			"--secret-file, an environment variable or --insecure-secret (tpm-mgmt(1)).\n",
			t->prog);
		return -1;
	}
	*dst = arg;
	*ask = arg == NULL;
	return 0;
}

static int parse_nv(struct tt *t, int c, const char *arg)
{
	switch (c) {
	case 'i':
		if (parse_num(arg, &nv.index, 0, UINT_MAX, "NVRAM index"))
			return -1;
		nv.index_set = true;
		nv.list_only = false;
		break;
	case 's':
		if (parse_num(arg, &nv.size, 0, UINT_MAX,
			      strcmp(t->cmd->name, "tpm_nvdefine") == 0 ? "NVRAM index size" :
			      "length of data"))
			return -1;
		nv.size_set = true;
		break;
	case 'n':
		if (strcmp(t->cmd->name, "tpm_nvinfo") == 0) {
			nv.list_only = true;
			nv.index_set = false;
			break;
		}
		if (parse_num(arg, &nv.offset, 0, UINT_MAX,
			      strcmp(t->cmd->name, "tpm_nvread") == 0 ? "read offset" : "write offset"))
			return -1;
		break;
	case 'p':
		if (strcmp(t->cmd->name, "tpm_nvdefine") == 0) {
			if (strcmp(arg, "?") == 0) {
				show_perms(t, "");
				nv.end = true;
				return 0;
			}
			return parse_perms(t, arg, &nv.perm);
		}
		nv.data_wk = false;
		return secret_arg(t, arg, &nv.data_pw, &nv.ask_data);
	case 'o':
		nv.owner_wk = false;
		return secret_arg(t, arg, &nv.owner_pw, &nv.ask_owner);
	case 'a':
		nv.data_wk = false;
		return secret_arg(t, arg, &nv.data_pw, &nv.ask_data);
	case 'y':
		nv.owner_wk = true;
		nv.owner_pw = NULL;
		nv.ask_owner = false;
		break;
	case 'z':
		nv.data_wk = true;
		nv.data_pw = NULL;
		nv.ask_data = false;
		break;
	case 'r':
	case 'w': {
		int v = atoi(arg);

		if (v < 0 || v >= 24)
			return -1;
		if (c == 'r')
			nv.rpcrs[nv.nr++ % 24] = (UINT32)v;
		else
			nv.wpcrs[nv.nw++ % 24] = (UINT32)v;
		break;
	}
	case 'f':
		nv.file = arg;
		break;
	case 'd':
		nv.data = arg;
		break;
	case 'm': {
		UINT32 v;

		if (parse_num(arg, &v, 0, UCHAR_MAX, "fill value"))
			return -1;
		nv.fill = (int)v;
		break;
	}
	default:
		return -1;
	}
	return 0;
}

/* Secret SRC (option value, prompt, well-known) into POL. 0/-1; nothing to do is 0. */
static int nv_secret(struct tt *t, TSS_HPOLICY pol, const char *value, bool ask, bool wk,
		     enum tt_secret_kind kind, const char *prompt, bool confirm, const char *fail)
{
	BYTE *pw = NULL;
	UINT32 len = 0;
	int ret;

	if (ask) {
		pw = tt_getpass(t, kind, prompt, confirm, t->unicode, &len);
		if (!pw) {
			tt_error(t, "%s", fail);
			return -1;
		}
		ret = tt_set_secret(t, pol, len, pw) ? -1 : 0;
		tt_secret_free(pw, len);
		return ret;
	}
	if (value)
		return tt_set_secret(t, pol, (UINT32)strlen(value), (const BYTE *)value) ? -1 : 0;
	if (wk)
		return tt_set_secret(t, pol, 20, well_known_secret) ? -1 : 0;
	return 0;
}

static int tpm_policy(struct tt *t, TSS_HPOLICY *pol)
{
	return tt_result(t, "Tspi_GetPolicyObject",
			 Tspi_GetPolicyObject(t->tpm, TSS_POLICY_USAGE, pol)) ? -1 : 0;
}

static int new_policy(struct tt *t, TSS_HOBJECT obj, TSS_HPOLICY *pol)
{
	if (tt_result(t, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE, pol)))
		return -1;
	(void)obj;
	return 0;
}

static void nv_public_free(TPM_NV_DATA_PUBLIC *pub)
{
	free(pub->pcrInfoRead.pcrSelection.pcrSelect);
	free(pub->pcrInfoWrite.pcrSelection.pcrSelect);
	memset(pub, 0, sizeof(*pub));
}

/* TPM_PCR_INFO_SHORT (Part 2 §8.6); at most 8 bytes of PCR selection. */
static int get_pcr_info_short(struct buf_reader *r, TPM_PCR_INFO_SHORT *p)
{
	uint16_t n;

	if (buf_get_u16(r, &n) || n > 8)
		return -1;
	p->pcrSelection.sizeOfSelect = n;
	p->pcrSelection.pcrSelect = calloc(1, n ? n : 1);
	if (!p->pcrSelection.pcrSelect || buf_get_bytes(r, p->pcrSelection.pcrSelect, n) ||
	    buf_get_u8(r, &p->localityAtRelease) ||
	    buf_get_bytes(r, p->digestAtRelease.digest, sizeof(p->digestAtRelease.digest)))
		return -1;
	return 0;
}

/* TPM_NV_DATA_PUBLIC of INDEX (GetCapability TPM_CAP_NV_INDEX; Part 2 §19.3), bounded. */
static int nv_public(struct tt *t, UINT32 index, TPM_NV_DATA_PUBLIC *pub)
{
	struct buf_reader r;
	UINT32 len;
	BYTE *data;
	uint8_t b1, b2, b3;

	memset(pub, 0, sizeof(*pub));
	if (tt_result(t, "Tspi_TPM_GetCapability",
		      Tspi_TPM_GetCapability(t->tpm, TSS_TPMCAP_NV_INDEX, sizeof(index), (BYTE *)&index,
					     &len, &data)))
		return -1;
	buf_reader_init(&r, data, len);
	if (buf_get_u16(&r, &pub->tag) || buf_get_u32(&r, &pub->nvIndex) ||
	    get_pcr_info_short(&r, &pub->pcrInfoRead) || get_pcr_info_short(&r, &pub->pcrInfoWrite) ||
	    buf_get_u16(&r, &pub->permission.tag) || buf_get_u32(&r, &pub->permission.attributes) ||
	    buf_get_u8(&r, &b1) || buf_get_u8(&r, &b2) || buf_get_u8(&r, &b3) ||
	    buf_get_u32(&r, &pub->dataSize)) {
		tt_error(t, "the TPM's answer about NV index 0x%x is malformed\n", index);
		nv_public_free(pub);
		return -1;
	}
	pub->bReadSTClear = b1;
	pub->bWriteSTClear = b2;
	pub->bWriteDefine = b3;
	return 0;
}


/* ---- tpm_nvdefine ---------------------------------------------------------- */

static int pcrs_object(struct tt *t, const UINT32 *pcrs, size_t n, TSS_HPCRS *h)
{
	UINT32 len;
	BYTE *val;

	for (size_t i = 0; i < n; i++) {
		if (pcrs[i] > 15) {
			tt_error(t, "Cannot seal NVRAM area to PCR > 15\n");
			return -1;
		}
	}
	if (tt_result(t, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_PCRS, TSS_PCRS_STRUCT_INFO_SHORT, h)))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (tt_result(t, "Tspi_TPM_PcrRead", Tspi_TPM_PcrRead(t->tpm, pcrs[i], &len, &val)) ||
		    tt_result(t, "Tspi_PcrComposite_SetPcrValue",
			      Tspi_PcrComposite_SetPcrValue(*h, pcrs[i], len, val)))
			return -1;
	return 0;
}

static void bad_pcr_file(struct tt *t)
{
	tt_error(t, "Invalid PCR info file. Format is:\n[r/w] [PCR IDX] [SHA-1 ascii]\n\n"
		 "Example:\nr 9 00112233445566778899AABBCCDDEEFF00112233");
}

/* Lines "r|w PCR HEX-SHA1": the PCR values the area is bound to. */
static int pcr_file(struct tt *t, TSS_HPCRS *hr, TSS_HPCRS *hw)
{
	FILE *f = fopen(nv.file, "r");
	char rw, hex[81];
	unsigned pcr;
	BYTE digest[40];
	int ret = -1;

	if (!f) {
		tt_error(t, "Could not access file '%s'\n", nv.file);
		return -1;
	}
	for (;;) {
		TSS_HPCRS *h;
		size_t n;
		int got = fscanf(f, " %c %u %80s", &rw, &pcr, hex);

		if (got == EOF)
			break;
		if (got != 3 || (rw != 'r' && rw != 'w')) {
			bad_pcr_file(t);
			goto out;
		}
		if (pcr > 15) {
			tt_error(t, "Cannot seal NVRAM area to PCR > 15\n");
			goto out;
		}
		n = strlen(hex) / 2;
		for (size_t i = 0; i < n && i < sizeof(digest); i++) {
			char two[3] = {hex[2 * i], hex[2 * i + 1], 0};

			digest[i] = (BYTE)strtoul(two, NULL, 16);
		}
		if (n > sizeof(digest))
			n = sizeof(digest);
		h = rw == 'r' ? hr : hw;
		if (!*h && tt_result(t, "Tspi_Context_CreateObject",
				     Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_PCRS,
							       TSS_PCRS_STRUCT_INFO_SHORT, h)))
			goto out;
		if (tt_result(t, "Tspi_PcrComposite_SetPcrValue",
			      Tspi_PcrComposite_SetPcrValue(*h, pcr, (UINT32)n, digest)))
			goto out;
	}
	ret = 0;
out:
	fclose(f);
	return ret;
}

static int run_nvdefine(struct tt *t)
{
	const UINT32 all_localities = TPM_LOC_ZERO | TPM_LOC_ONE | TPM_LOC_TWO | TPM_LOC_THREE |
				      TPM_LOC_FOUR;
	TSS_HNVSTORE hnv;
	TSS_HPOLICY pol;
	TSS_HPCRS hr = 0, hw = 0;

	if (nv.end)
		return 0;
	if (!nv.index_set) {
		tt_error(t, "You must provide an index for the NVRAM area.\n");
		return -1;
	}
	if (nv.perm == 0 && nv.index != TPM_NV_INDEX_LOCK && nv.index != TPM_NV_INDEX0) {
		tt_error(t, "You must provide permission bits for the NVRAM area.\n");
		return -1;
	}
	if (tt_connect(t) ||
	    tt_result(t, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_NV, 0, &hnv)))
		return -1;
	if ((nv.ask_owner || nv.owner_pw || nv.owner_wk) &&
	    (tpm_policy(t, &pol) ||
	     nv_secret(t, pol, nv.owner_pw, nv.ask_owner, nv.owner_wk, TT_SECRET_OWNER,
		       "Enter owner password: ", false, "Failed to get owner password\n")))
		return -1;
	if (nv.ask_data || nv.data_pw || nv.data_wk) {
		if (new_policy(t, hnv, &pol) ||
		    nv_secret(t, pol, nv.data_pw, nv.ask_data, nv.data_wk, TT_SECRET_NV,
			      "Enter NVRAM data password: ", true, "Failed to get NVRAM data password\n") ||
		    tt_result(t, "Tspi_Policy_AssignToObject", Tspi_Policy_AssignToObject(pol, hnv)))
			return -1;
	}
	if (tt_result(t, "Tspi_SetAttribUint32",
		      Tspi_SetAttribUint32(hnv, TSS_TSPATTRIB_NV_INDEX, 0, nv.index)) ||
	    tt_result(t, "Tspi_SetAttribUint32",
		      Tspi_SetAttribUint32(hnv, TSS_TSPATTRIB_NV_PERMISSIONS, 0, nv.perm)) ||
	    tt_result(t, "Tspi_SetAttribUint32",
		      Tspi_SetAttribUint32(hnv, TSS_TSPATTRIB_NV_DATASIZE, 0, nv.size)))
		return -1;
	if (nv.nr && pcrs_object(t, nv.rpcrs, nv.nr < 24 ? nv.nr : 24, &hr))
		return -1;
	if (nv.nw && pcrs_object(t, nv.wpcrs, nv.nw < 24 ? nv.nw : 24, &hw))
		return -1;
	if (nv.file && pcr_file(t, &hr, &hw))
		return -1;
	if ((hr && tt_result(t, "Tspi_PcrComposite_SetPcrLocality",
			     Tspi_PcrComposite_SetPcrLocality(hr, all_localities))) ||
	    (hw && tt_result(t, "Tspi_PcrComposite_SetPcrLocality",
			     Tspi_PcrComposite_SetPcrLocality(hw, all_localities))))
		return -1;
	if (tt_result(t, "Tspi_NV_DefineSpace", Tspi_NV_DefineSpace(hnv, hr, hw)))
		return -1;
	tt_msg(t, "Successfully created NVRAM area at index 0x%x (%u).\n", nv.index, nv.index);
	tt_json_uint(t, "index", nv.index);
	tt_json_uint(t, "size", nv.size);
	tt_json_uint(t, "permissions", nv.perm);
	return 0;
}

#define OPT_UNICODE_NV {"use-unicode", no_argument, 'u', "-u, --unicode", \
	"Use TSS UNICODE encoding for passwords to comply with applications using TSS popup boxes"}

static const struct tt_opt nvdefine_opts[] = {
	OPT_UNICODE_NV,
	{"owner-well-known", no_argument, 'y', "-y, --owner-well-known",
	 "Use 20 bytes of zeros (TSS_WELL_KNOWN_SECRET) as the TPM owner secret"},
	{"data-well-known", no_argument, 'z', "-z, --data-well-known",
	 "Use 20 bytes of zeros (TSS_WELL_KNOWN_SECRET) as the NVRAM area's secret"},
	{"pwdo", optional_argument, 'o', "-o, --pwdo", "Owner password"},
	{"pwda", optional_argument, 'a', "-a, --pwda", "NVRAM area password"},
	{"index", required_argument, 'i', "-i, --index", "Index of the NVRAM area"},
	{"size", required_argument, 's', "-s, --size", "Size of the NVRAM area"},
	{"rpcrs", required_argument, 'r', "-r, --rpcrs",
	 "PCRs to seal the NVRAM area to for reading (use multiple times)"},
	{"wpcrs", required_argument, 'w', "-w, --wpcrs",
	 "PCRs to seal the NVRAM area to for writing (use multiple times)"},
	{"filename", required_argument, 'f', "-f, --filename", "File containing PCR info for the NVRAM area"},
	{"permissions", required_argument, 'p', "-p, --permissions",
	 "Permissions of the NVRAM area\n"
	 "                The following strings are available:\n"
	 "                       AUTHREAD : reading requires NVRAM area authorization\n"
	 "                      AUTHWRITE : writing requires NVRAM area authorization\n"
	 "                      OWNERREAD : writing requires owner authorization\n"
	 "                     OWNERWRITE : reading requires owner authorization\n"
	 "                         PPREAD : writing requires physical presence\n"
	 "                        PPWRITE : reading requires physical presence\n"
	 "                     GLOBALLOCK : write to index 0 locks the NVRAM area until TPM_STARTUP(ST_CLEAR)\n"
	 "                   READ_STCLEAR : a read with size 0 to the same index prevents further reading until ST_STARTUP(ST_CLEAR)\n"
	 "                  WRITE_STCLEAR : a write with size 0 to the same index prevents further writing until ST_STARTUP(ST_CLEAR)\n"
	 "                    WRITEDEFINE : a write with size 0 to the same index locks the NVRAM area permanently\n"
	 "                       WRITEALL : the value must be written in a single operation"},
	{NULL, 0, 0, NULL, NULL},
};

const struct tt_cmd tt_cmd_nvdefine = {
	.name = "tpm_nvdefine", .shortopts = "i:s:p:o:a:r:w:f:yz", .opts = nvdefine_opts,
	.parse = parse_nv, .run = run_nvdefine, .help_status = 255,
	.summary = "define an NV area",
};

/* ---- tpm_nvrelease --------------------------------------------------------- */

static int run_nvrelease(struct tt *t)
{
	TSS_HNVSTORE hnv;
	TSS_HPOLICY pol;

	if (nv.index == 0) {
		tt_error(t, "You must provide an index (!= 0) for the NVRAM area.\n");
		return -1;
	}
	if (tt_connect(t))
		return -1;
	if ((nv.ask_owner || nv.owner_pw || nv.owner_wk) &&
	    (tpm_policy(t, &pol) ||
	     nv_secret(t, pol, nv.owner_pw, nv.ask_owner, nv.owner_wk, TT_SECRET_OWNER,
		       "Enter owner password: ", false, "Failed to get owner password\n")))
		return -1;
	if (tt_result(t, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_NV, 0, &hnv)) ||
	    tt_result(t, "Tspi_SetAttribUint32",
		      Tspi_SetAttribUint32(hnv, TSS_TSPATTRIB_NV_INDEX, 0, nv.index)) ||
	    tt_result(t, "Tspi_NV_ReleaseSpace", Tspi_NV_ReleaseSpace(hnv)))
		return -1;
	tt_msg(t, "Successfully released NVRAM area at index 0x%x (%u).\n", nv.index, nv.index);
	tt_json_uint(t, "index", nv.index);
	return 0;
}

static const struct tt_opt nvrelease_opts[] = {
	OPT_UNICODE_NV,
	{"owner-well-known", no_argument, 'y', "-y, --owner-well-known",
	 "Use 20 bytes of zeros (TSS_WELL_KNOWN_SECRET) as the TPM owner password"},
	{"pwdo", optional_argument, 'o', "-o, --pwdo", "Owner password"},
	{"index", required_argument, 'i', "-i, --index", "Index of the NVRAM area"},
	{NULL, 0, 0, NULL, NULL},
};

const struct tt_cmd tt_cmd_nvrelease = {
	.name = "tpm_nvrelease", .shortopts = "i:o::y", .opts = nvrelease_opts,
	.parse = parse_nv, .run = run_nvrelease, .help_status = 255,
	.summary = "release (delete) an NV area",
};

/* ---- tpm_nvread / tpm_nvwrite ---------------------------------------------- */

/* The NV object, with the owner and area secrets (-p/-z) in place. */
static int nv_object(struct tt *t, TSS_HNVSTORE *hnv)
{
	TSS_HPOLICY pol;

	if (tt_result(t, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_NV, 0, hnv)))
		return -1;
	if (!(nv.ask_data || nv.data_pw || nv.data_wk))
		return 0;
	if (nv.ask_data) {
		UINT32 len;
		BYTE *pw = tt_getpass(t, TT_SECRET_NV, "Enter NVRAM access password: ", false,
				      t->unicode, &len);
		int bad;

		if (!pw) {
			tt_error(t, "Failed to get NVRAM access password\n");
			return -1;
		}
		/* The same secret serves as owner secret or area secret, as the area wants. */
		bad = tpm_policy(t, &pol) || tt_set_secret(t, pol, len, pw) ||
		      new_policy(t, *hnv, &pol) || tt_set_secret(t, pol, len, pw);
		tt_secret_free(pw, len);
		if (bad)
			return -1;
	} else {
		const BYTE *s = nv.data_pw ? (const BYTE *)nv.data_pw : well_known_secret;
		UINT32 len = nv.data_pw ? (UINT32)strlen(nv.data_pw) : 20;

		if (tpm_policy(t, &pol) || tt_set_secret(t, pol, len, s) ||
		    new_policy(t, *hnv, &pol) || tt_set_secret(t, pol, len, s))
			return -1;
	}
	return tt_result(t, "Tspi_Policy_AssignToObject", Tspi_Policy_AssignToObject(pol, *hnv)) ? -1 : 0;
}

/* tpm-tools' hexdump: offset, 16 bytes, printable characters. */
static void hexdump(struct tt *t, UINT32 offset, const BYTE *p, UINT32 n)
{
	UINT32 rounded = (n + 15) & ~15u;
	char text[17] = {0};

	for (UINT32 c = 0; c < rounded; c++) {
		if ((c & 15) == 0)
			tt_msg(t, "%08x  ", c + offset);
		if (c < n) {
			tt_msg(t, "%02x ", p[c]);
			text[c & 15] = isgraph(p[c]) ? (char)p[c] : ' ';
		} else {
			tt_msg(t, "   ");
			text[c & 15] = 0;
		}
		if ((c & 15) == 15)
			tt_msg(t, " %s\n", text);
	}
}

static int run_nvread(struct tt *t)
{
	TPM_NV_DATA_PUBLIC pub;
	TSS_HNVSTORE hnv;
	UINT32 len = nv.size;
	BYTE *data = NULL;
	int ret = -1;

	memset(&pub, 0, sizeof(pub));
	if (nv.index == 0) {
		tt_error(t, "You must provide an index (!= 0) for the NVRAM area.\n");
		return -1;
	}
	if (tt_connect(t) || nv_object(t, &hnv))
		return -1;
	if (nv_public(t, nv.index, &pub)) {
		tt_error(t, "Could not get the NVRAM area's public information.\n");
		goto out;
	}
	if (!nv.size_set)
		len = pub.dataSize;
	if (nv.offset > pub.dataSize) {
		tt_error(t, "The offset is outside the NVRAM area's size of %u bytes.\n", pub.dataSize);
		goto out;
	}
	if (len > pub.dataSize - nv.offset)
		len = pub.dataSize - nv.offset;
	if (tt_result(t, "Tspi_SetAttribUint32",
		      Tspi_SetAttribUint32(hnv, TSS_TSPATTRIB_NV_INDEX, 0, nv.index)) ||
	    tt_result(t, "Tspi_NV_ReadValue", Tspi_NV_ReadValue(hnv, nv.offset, &len, &data)))
		goto out;
	if (nv.file) {
		int fd = open(nv.file, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0600);
		ssize_t w;

		if (fd < 0) {
			tt_error(t, "Could not open file %s for writing.", nv.file);
			goto out;
		}
		w = write(fd, data, len);
		close(fd);
		if (w < 0 || (UINT32)w != len) {
			tt_error(t, "Error while writing to file.\n");
			goto out;
		}
		tt_msg(t, "Successfully wrote data from NVRAM area 0x%x (%u) to file.\n", nv.index, nv.index);
	} else {
		hexdump(t, nv.offset, data, len);
	}
	tt_json_uint(t, "index", nv.index);
	tt_json_uint(t, "offset", nv.offset);
	tt_json_hex(t, "data", data, len);
	ret = 0;
out:
	/* Plain heap memory, not context memory: TrouSerS' libtspi (and ours) hand it over. */
	free(data);
	nv_public_free(&pub);
	return ret;
}

static const struct tt_opt nvread_opts[] = {
	OPT_UNICODE_NV,
	{"well-known", no_argument, 'z', "-z, --well-known",
	 "Use 20 bytes of zeros (TSS_WELL_KNOWN_SECRET) as the TPM secret authorization data"},
	{"password", optional_argument, 'p', "-p, --password",
	 "Owner or NVRAM area password depending on permissions"},
	{"index", required_argument, 'i', "-i, --index", "Index of the NVRAM area"},
	{"size", required_argument, 's', "-s, --size", "Number of bytes to read from the NVRAM area"},
	{"offset", required_argument, 'n', "-n, --offset",
	 "Offset at which to start reading from the NVRAM area"},
	{"filename", required_argument, 'f', "-f, --filename", "File to write data to."},
	{NULL, 0, 0, NULL, NULL},
};

const struct tt_cmd tt_cmd_nvread = {
	.name = "tpm_nvread", .shortopts = "i:s:n:f:p::z", .opts = nvread_opts,
	.parse = parse_nv, .run = run_nvread, .help_status = 255,
	.summary = "read an NV area",
};

static int run_nvwrite(struct tt *t)
{
	TPM_NV_DATA_PUBLIC pub;
	TSS_HNVSTORE hnv;
	BYTE *buf = NULL;
	size_t flen = 0;
	UINT32 len = 0, done = 0;
	int ret = -1;

	memset(&pub, 0, sizeof(pub));
	if (!nv.index_set) {
		tt_error(t, "You must provide an index for the NVRAM area.\n");
		return -1;
	}
	if (nv.size_set && nv.size > 0 && !nv.data && !nv.file && nv.fill < 0) {
		tt_error(t, "Either data, name of file or fill value must be provided.\n");
		return -1;
	}
	if (nv.data) {
		len = (UINT32)strlen(nv.data);
		if (nv.size_set && nv.size > 0 && nv.size < len)
			len = nv.size;
		buf = (BYTE *)strndup(nv.data, len);
	} else if (nv.file) {
		if (tt_read_file(nv.file, 1 << 20, &buf, &flen) != 0) {
			tt_error(t, "Could not access file '%s'\n", nv.file);
			return -1;
		}
		len = (UINT32)flen;
		if (nv.size_set && nv.size > 0 && nv.size < len)
			len = nv.size;
	} else if (nv.fill >= 0) {
		if (!nv.size_set) {
			tt_error(t, "Requiring size parameter.\n");
			return -1;
		}
		len = nv.size;
		if (len > (1u << 20) || !(buf = malloc(len ? len : 1))) {
			tt_error(t, "Out of memory.\n");
			return -1;
		}
		memset(buf, nv.fill, len);
	}
	if (len && !buf) {
		tt_error(t, "Out of memory.\n");
		return -1;
	}
	if (tt_connect(t) || nv_object(t, &hnv))
		goto out;
	if (nv.index != TPM_NV_INDEX0) {
		if (nv_public(t, nv.index, &pub)) {
			tt_error(t, "Could not get NVRAM area public information.\n");
			goto out;
		}
		if (nv.offset > pub.dataSize) {
			tt_error(t, "The offset is outside the NVRAM area's size of %u bytes.\n",
				 pub.dataSize);
			goto out;
		}
		if (len > pub.dataSize - nv.offset) {
			tt_error(t, "Writing of data would go beyond the NVRAM area's size of %u bytes.\n",
				 pub.dataSize);
			goto out;
		}
	}
	if (tt_result(t, "Tspi_SetAttribUint32",
		      Tspi_SetAttribUint32(hnv, TSS_TSPATTRIB_NV_INDEX, 0, nv.index)))
		goto out;
	/* A zero-length write is meaningful (locks, Part 3 §20.2). */
	if (len == 0 && tt_result(t, "Tspi_NV_WriteValue", Tspi_NV_WriteValue(hnv, nv.offset, 0, NULL)))
		goto out;
	while (done < len) {
		UINT32 chunk = len - done > 1024 ? 1024 : len - done;

		if (tt_result(t, "Tspi_NV_WriteValue",
			      Tspi_NV_WriteValue(hnv, nv.offset + done, chunk, buf + done)))
			goto out;
		done += chunk;
	}
	tt_msg(t, "Successfully wrote %u bytes at offset %u to NVRAM index 0x%x (%u).\n", len,
	       nv.offset, nv.index, nv.index);
	tt_json_uint(t, "index", nv.index);
	tt_json_uint(t, "written", len);
	ret = 0;
out:
	free(buf);
	nv_public_free(&pub);
	return ret;
}

static const struct tt_opt nvwrite_opts[] = {
	OPT_UNICODE_NV,
	{"well-known", no_argument, 'z', "-z, --well-known",
	 "Use 20 bytes of zeros (TSS_WELL_KNOWN_SECRET) as the TPM secret authorization data"},
	{"password", optional_argument, 'p', "-p, --password",
	 "Owner or NVRAM area password depending on permissions"},
	{"index", required_argument, 'i', "-i, --index", "Index of the NVRAM area"},
	{"size", required_argument, 's', "-s, --size", "Number of bytes to write to the NVRAM area"},
	{"offset", required_argument, 'n', "-n, --offset",
	 "Offset at which to start writing into the NVRAM area"},
	{"filename", required_argument, 'f', "-f, --filename",
	 "File whose contents to write into the NVRAM area"},
	{"data", required_argument, 'd', "-d, --data", "Data to write into the NVRAM area"},
	{"fillvalue", required_argument, 'm', "-m, --fill-value", "The byte to fill the NVRAM area with"},
	{NULL, 0, 0, NULL, NULL},
};

const struct tt_cmd tt_cmd_nvwrite = {
	.name = "tpm_nvwrite", .shortopts = "i:s:n:d:f:m:p::z", .opts = nvwrite_opts,
	.parse = parse_nv, .run = run_nvwrite, .help_status = 255,
	.summary = "write an NV area",
};

/* ---- tpm_nvinfo ------------------------------------------------------------ */

static void show_pcr_info(struct tt *t, const TPM_PCR_INFO_SHORT *p, const char *type)
{
	unsigned c = 0;

	tt_msg(t, "PCR %sselection:\n", type);
	for (unsigned i = 0; i < p->pcrSelection.sizeOfSelect * 8u; i++) {
		if (p->pcrSelection.pcrSelect[i / 8] & (1u << (i & 7))) {
			tt_msg(t, c ? ", " : " PCRs\t : ");
			tt_msg(t, "%u", i);
			c++;
		}
	}
	if (c)
		tt_msg(t, "\n");
	if (p->localityAtRelease) {
		if (p->localityAtRelease == 0x1f)
			tt_msg(t, " Localities   : ALL\n");
		else
			tt_msg(t, " Localities   : 0x%01x\n", p->localityAtRelease);
	}
	if (c) {
		tt_msg(t, " Hash\t : ");
		for (int i = 0; i < 20; i++)
			tt_msg(t, "%02x", p->digestAtRelease.digest[i]);
		tt_msg(t, "\n");
	}
}

/* "NAME|NAME" for known bits; unknown bits as 0x.. only after a known one (tpm-tools). */
static void perm_string(UINT32 v, char *out, size_t cap)
{
	size_t off = 0;
	bool any = false;

	out[0] = 0;
	for (UINT32 mask = 1u << 31; mask && v; mask >>= 1) {
		if (!(v & mask))
			continue;
		for (size_t i = 0; i < N_PERMS; i++) {
			if (nv_perms[i].value == mask) {
				off += (size_t)snprintf(out + off, off < cap ? cap - off : 0, "%s%s",
							any ? "|" : "", nv_perms[i].name);
				any = true;
				v ^= mask;
				break;
			}
		}
	}
	if (v && any && off < cap)
		snprintf(out + off, cap - off, "|0x%x", v);
}

static void show_nv_index(struct tt *t, UINT32 index)
{
	TPM_NV_DATA_PUBLIC pub;
	char perms[512], *obj = NULL;

	tt_msg(t, "NVRAM index   : 0x%08x (%u)\n", index, index);
	if (nv_public(t, index, &pub))
		return;
	show_pcr_info(t, &pub.pcrInfoRead, "read  ");
	show_pcr_info(t, &pub.pcrInfoWrite, "write ");
	perm_string(pub.permission.attributes, perms, sizeof(perms));
	tt_msg(t, "Permissions   : 0x%08x (%s)\n", pub.permission.attributes, perms);
	tt_msg(t, "bReadSTClear  : %s\n", pub.bReadSTClear ? "TRUE" : "FALSE");
	tt_msg(t, "bWriteSTClear : %s\n", pub.bWriteSTClear ? "TRUE" : "FALSE");
	tt_msg(t, "bWriteDefine  : %s\n", pub.bWriteDefine ? "TRUE" : "FALSE");
	tt_msg(t, "Size          : %u (0x%x)\n", pub.dataSize, pub.dataSize);
	if (t->json) {
		json_appendf(&obj, "{\"index\": %u, \"permissions\": %u, \"size\": %u, "
			     "\"read_stclear\": %s, \"write_stclear\": %s, \"write_define\": %s}",
			     index, pub.permission.attributes, pub.dataSize,
			     pub.bReadSTClear ? "true" : "false", pub.bWriteSTClear ? "true" : "false",
			     pub.bWriteDefine ? "true" : "false");
		if (obj)
			json_array_raw("areas", obj);
		free(obj);
	}
	nv_public_free(&pub);
}

static int run_nvinfo(struct tt *t)
{
	UINT32 len;
	BYTE *list;

	if (tt_connect(t) ||
	    tt_result(t, "Tspi_TPM_GetCapability",
		      Tspi_TPM_GetCapability(t->tpm, TSS_TPMCAP_NV_LIST, 0, NULL, &len, &list)))
		return -1;
	if (nv.list_only)
		tt_msg(t, "The following NVRAM areas have been defined:\n");
	for (UINT32 i = 0; i + 4 <= len; i += 4) {
		UINT32 idx = (UINT32)list[i] << 24 | (UINT32)list[i + 1] << 16 |
			     (UINT32)list[i + 2] << 8 | list[i + 3];
		char num[16];

		if (nv.list_only) {
			tt_msg(t, "0x%08x (%d)\n", idx, (int)idx);
			snprintf(num, sizeof(num), "0x%08x", idx);
			tt_json_str_item(t, "indices", num);
		} else if (!nv.index_set || idx == nv.index) {
			show_nv_index(t, idx);
			tt_msg(t, "\n");
		}
	}
	return 0;
}

static const struct tt_opt nvinfo_opts[] = {
	{"index", required_argument, 'i', "-i, --index", "Index of the NVRAM area"},
	{"list-only", no_argument, 'n', "-n, --list-only", "Only list the defined NVRAM areas' indices."},
	{NULL, 0, 0, NULL, NULL},
};

const struct tt_cmd tt_cmd_nvinfo = {
	.name = "tpm_nvinfo", .shortopts = "i:o:n", .opts = nvinfo_opts,
	.parse = parse_nv, .run = run_nvinfo, .help_status = 255,
	.summary = "list NV areas and their attributes",
};
