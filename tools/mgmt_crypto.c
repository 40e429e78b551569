/*
 * tpm-mgmt random, seal|unseal, bind|unbind, sign|verify, quote.
 * seal/unseal write and read tpm_sealdata's format (sealfile.h), from
 * files or stdin/stdout; bind/sign/quote use keys from `key create`.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "json.h"
#include "mgmt.h"
#include "mgmt_keyfile.h"
#include "sealfile.h"

#define MAX_PCR 24
#define MGMT_MAX_INPUT (16u << 20)

/* The options the crypto commands share. */
struct copts {
	const char *in, *out, *key, *uuid, *sig, *nonce;
	bool srk_wk, key_wk, hex;
	UINT32 pcrs[MAX_PCR];
	size_t npcrs;
};

enum { O_KEY_WK = 300, O_SIG, O_NONCE, O_HEX };

static int parse_copts(struct tt *t, const struct mgmt_cmd *cmd, int argc, char **argv,
		       struct copts *o, int *done)
{
	static const struct option opts[] = {
		{"in", required_argument, NULL, 'i'}, {"infile", required_argument, NULL, 'i'},
		{"out", required_argument, NULL, 'o'}, {"outfile", required_argument, NULL, 'o'},
		{"key", required_argument, NULL, 'k'}, {"uuid", required_argument, NULL, 'U'},
		{"pcr", required_argument, NULL, 'p'}, {"well-known", no_argument, NULL, 'z'},
		{"key-well-known", no_argument, NULL, O_KEY_WK}, {"signature", required_argument, NULL, O_SIG},
		{"nonce", required_argument, NULL, O_NONCE}, {"hex", no_argument, NULL, O_HEX},
		MGMT_COMMON_LONGOPTS, {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	*done = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:o:k:U:p:zh", opts, NULL)) != -1) {
		unsigned long v;

		switch (c) {
		case 'i': o->in = optarg; break;
		case 'o': o->out = optarg; break;
		case 'k': o->key = optarg; break;
		case 'U': o->uuid = optarg; break;
		case 'z': o->srk_wk = true; break;
		case O_KEY_WK: o->key_wk = true; break;
		case O_SIG: o->sig = optarg; break;
		case O_NONCE: o->nonce = optarg; break;
		case O_HEX: o->hex = true; break;
		case 'p':
			if (mgmt_uint(optarg, MAX_PCR - 1, &v) != 0 || o->npcrs == MAX_PCR)
				return mgmt_error(t, MGMT_E_USAGE, "'%s' is not a PCR index (0-23)", optarg);
			o->pcrs[o->npcrs++] = (UINT32)v;
			break;
		case 'h':
			mgmt_usage(cmd, stdout);
			*done = 1;
			return 0;
		default:
			mgmt_usage(cmd, stderr);
			return MGMT_E_USAGE;
		}
	}
	if (optind < argc)
		return mgmt_error(t, MGMT_E_USAGE, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int read_input(struct tt *t, const char *path, BYTE **buf, size_t *len)
{
	if (tt_read_file(path, MGMT_MAX_INPUT, buf, len) != 0)
		return mgmt_error(t, MGMT_E_FILE, "cannot read %s: %s", path ? path : "stdin",
				  strerror(errno));
	return 0;
}

/* Output: a file, or stdout (JSON: a hex member). */
static int emit(struct tt *t, const char *path, const char *key, const BYTE *p, size_t n)
{
	if (t->json && !path) {
		json_member_hex(key, p, n);
		return 0;
	}
	if (mgmt_write(path, p, n) != 0)
		return mgmt_error(t, MGMT_E_FILE, "cannot write %s", path ? path : "stdout");
	if (path)
		json_member_str("output", path);
	return 0;
}

/* ---- random ----------------------------------------------------------------- */

static const struct mgmt_cmd *cmd_of(const char *name);

static int run_random_count(struct tt *t, int argc, char **argv)
{
	struct copts o;
	unsigned long n = 0;
	BYTE *data;
	TSS_RESULT r;
	int rc, done, count_at = 0;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			mgmt_usage(cmd_of("random"), stdout);
			return 0;
		}
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-' && !count_at && !(i > 1 && (strcmp(argv[i - 1], "-o") == 0 ||
								  strcmp(argv[i - 1], "--out") == 0)))
			count_at = i;
	if (!count_at || mgmt_uint(argv[count_at], 4096, &n) != 0 || n == 0)
		return mgmt_error(t, MGMT_E_USAGE, "usage: random COUNT (1-4096 bytes) [--hex] [-o FILE]");
	for (int i = count_at; i + 1 < argc; i++)
		argv[i] = argv[i + 1];
	argc--;
	if ((rc = parse_copts(t, cmd_of("random"), argc, argv, &o, &done)) || done)
		return rc;
	if ((rc = mgmt_connect(t)) != 0)
		return rc;
	if ((r = Tspi_TPM_GetRandom(t->tpm, (UINT32)n, &data)))
		return mgmt_fail(t, "getting random bytes", r);
	if (o.hex && !t->json) {
		mgmt_print_hex(data, n);
		return 0;
	}
	return emit(t, o.out, "random", data, n);
}

/* ---- seal / unseal -------------------------------------------------------------- */

static int run_seal(struct tt *t, int argc, char **argv)
{
	struct sealfile sf = {0};
	struct copts o;
	BYTE *plain = NULL;
	size_t plen = 0, tlen = 0;
	char *text = NULL;
	const char *failed;
	TSS_HKEY srk;
	TSS_RESULT r;
	int rc, done;

	if ((rc = parse_copts(t, cmd_of("seal"), argc, argv, &o, &done)) || done)
		return rc;
	if ((rc = read_input(t, o.in, &plain, &plen)) != 0)
		return rc;
	if ((rc = mgmt_connect(t)) != 0 || (rc = mgmt_load_srk(t, o.srk_wk, &srk)) != 0)
		goto out;
	mgmt_progress(t, "Sealing (the TPM creates a 2048-bit sealing key)");
	if ((r = sealfile_seal(t->ctx, t->tpm, srk, o.pcrs, o.npcrs, plain, plen, &sf, &failed))) {
		rc = mgmt_fail(t, "sealing", r);
		goto out;
	}
	if (sealfile_format(&sf, &text, &tlen) != SEALFILE_OK) {
		rc = mgmt_error(t, MGMT_E_FAIL, "out of memory");
		goto out;
	}
	if (t->json && !o.out)
		json_member_str("sealed", text);
	else if ((rc = emit(t, o.out, "sealed", (BYTE *)text, tlen)) != 0)
		goto out;
	if (o.out && !t->json)
		fprintf(stderr, "sealed %zu bytes into %s%s\n", plen, o.out, o.npcrs ? " (bound to PCRs)" : "");
	json_member_uint("bytes", plen);
	rc = 0;
out:
	if (plain)
		OPENSSL_clear_free(plain, plen);
	sealfile_free(&sf);
	free(text);
	return rc;
}

static int run_unseal(struct tt *t, int argc, char **argv)
{
	struct sealfile sf = {0};
	struct copts o;
	BYTE *text = NULL, *plain = NULL;
	size_t tlen = 0, plen = 0;
	const char *failed;
	TSS_HKEY srk;
	TSS_RESULT r;
	int rc, done, err;

	if ((rc = parse_copts(t, cmd_of("unseal"), argc, argv, &o, &done)) || done)
		return rc;
	if ((rc = read_input(t, o.in, &text, &tlen)) != 0)
		return rc;
	if ((err = sealfile_parse(text, tlen, &sf)) != SEALFILE_OK) {
		rc = mgmt_error(t, MGMT_E_FILE, "%s is not a sealed file (tpm_sealdata format): %s",
				o.in ? o.in : "stdin", sealfile_strerror(err));
		goto out;
	}
	if ((rc = mgmt_connect(t)) != 0 || (rc = mgmt_load_srk(t, o.srk_wk, &srk)) != 0)
		goto out;
	if ((r = sealfile_unseal(t->ctx, srk, &sf, &plain, &plen, &failed))) {
		if (ERROR_CODE(r) == TSS_E_INTERNAL_ERROR && failed && strcmp(failed, "AES-256-CBC") == 0)
			rc = mgmt_error(t, MGMT_E_FILE, "the encrypted data section is damaged");
		else
			rc = mgmt_fail(t, "unsealing", r);
		goto out;
	}
	rc = emit(t, o.out, "data", plain, plen);
out:
	if (plain)
		OPENSSL_clear_free(plain, plen);
	sealfile_free(&sf);
	free(text);
	return rc;
}

/* ---- bind / unbind ------------------------------------------------------------- */

/* The public part suffices to bind: no SRK, no loading. */
static int public_key(struct tt *t, const struct copts *o, TSS_HKEY *key)
{
	TSS_RESULT r;
	BYTE *blob;
	size_t len;

	if (o->uuid) {
		TSS_UUID u;

		if (mgmt_parse_uuid(o->uuid, &u))
			return mgmt_error(t, MGMT_E_USAGE, "'%s' is not a UUID", o->uuid);
		r = Tspi_Context_GetKeyByUUID(t->ctx, TSS_PS_TYPE_SYSTEM, u, key);
		return r ? mgmt_fail(t, "finding the key", r) : 0;
	}
	if (!o->key)
		return mgmt_error(t, MGMT_E_USAGE, "name the key: --key FILE or --uuid UUID");
	if (tt_read_file(o->key, 64 * 1024, &blob, &len) != 0)
		return mgmt_error(t, MGMT_E_FILE, "cannot read the key file %s", o->key);
	r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_RSAKEY, 0, key);
	if (!r)
		r = Tspi_SetAttribData(*key, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_BLOB,
				       (UINT32)len, blob);
	free(blob);
	return r ? mgmt_fail(t, "reading the key", r) : 0;
}

static int run_bind(struct tt *t, int argc, char **argv)
{
	struct copts o;
	TSS_HKEY key;
	TSS_HENCDATA enc;
	TSS_RESULT r;
	BYTE *in = NULL, *blob;
	size_t ilen = 0;
	UINT32 blen;
	int rc, done;

	if ((rc = parse_copts(t, cmd_of("bind"), argc, argv, &o, &done)) || done)
		return rc;
	if ((rc = read_input(t, o.in, &in, &ilen)) != 0)
		return rc;
	if ((rc = mgmt_connect(t)) != 0 || (rc = public_key(t, &o, &key)) != 0)
		goto out;
	r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_BIND, &enc);
	if (!r)
		r = Tspi_Data_Bind(enc, key, (UINT32)ilen, in);
	if (!r)
		r = Tspi_GetAttribData(enc, TSS_TSPATTRIB_ENCDATA_BLOB, TSS_TSPATTRIB_ENCDATABLOB_BLOB,
				       &blen, &blob);
	if (r) {
		rc = mgmt_fail(t, "binding", r);
		goto out;
	}
	rc = emit(t, o.out, "bound", blob, blen);
out:
	if (in)
		OPENSSL_clear_free(in, ilen);
	return rc;
}

static int run_unbind(struct tt *t, int argc, char **argv)
{
	struct copts o;
	TSS_HKEY key;
	TSS_HENCDATA enc;
	TSS_RESULT r;
	BYTE *in = NULL, *out;
	size_t ilen = 0;
	UINT32 olen;
	int rc, done;

	if ((rc = parse_copts(t, cmd_of("unbind"), argc, argv, &o, &done)) || done)
		return rc;
	if ((rc = read_input(t, o.in, &in, &ilen)) != 0)
		return rc;
	if ((rc = mgmt_connect(t)) != 0 ||
	    (rc = mgmt_load_keyfile(t, o.key, o.uuid, o.srk_wk, o.key_wk, &key)) != 0)
		goto out;
	r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_BIND, &enc);
	if (!r)
		r = Tspi_SetAttribData(enc, TSS_TSPATTRIB_ENCDATA_BLOB, TSS_TSPATTRIB_ENCDATABLOB_BLOB,
				       (UINT32)ilen, in);
	if (!r)
		r = Tspi_Data_Unbind(enc, key, &olen, &out);
	if (r) {
		rc = mgmt_fail(t, "unbinding", r);
		goto out;
	}
	rc = emit(t, o.out, "data", out, olen);
	OPENSSL_cleanse(out, olen);
out:
	free(in);
	return rc;
}

/* ---- sign / verify ----------------------------------------------------------- */

static int sha1_object(struct tt *t, const BYTE *data, size_t n, TSS_HHASH *h)
{
	TSS_RESULT r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, h);

	if (!r)
		r = Tspi_Hash_UpdateHashValue(*h, (UINT32)n, (BYTE *)data);
	return r ? mgmt_fail(t, "hashing the input", r) : 0;
}

static int run_sign(struct tt *t, int argc, char **argv)
{
	struct copts o;
	TSS_HKEY key;
	TSS_HHASH h;
	TSS_RESULT r;
	BYTE *in = NULL, *sig;
	size_t ilen = 0;
	UINT32 slen;
	int rc, done;

	if ((rc = parse_copts(t, cmd_of("sign"), argc, argv, &o, &done)) || done)
		return rc;
	if ((rc = read_input(t, o.in, &in, &ilen)) != 0)
		return rc;
	if ((rc = mgmt_connect(t)) != 0 ||
	    (rc = mgmt_load_keyfile(t, o.key, o.uuid, o.srk_wk, o.key_wk, &key)) != 0 ||
	    (rc = sha1_object(t, in, ilen, &h)) != 0)
		goto out;
	if ((r = Tspi_Hash_Sign(h, key, &slen, &sig))) {
		rc = mgmt_fail(t, "signing", r);
		goto out;
	}
	rc = emit(t, o.out, "signature", sig, slen);
out:
	free(in);
	return rc;
}

static int run_verify(struct tt *t, int argc, char **argv)
{
	struct copts o;
	TSS_HKEY key;
	TSS_HHASH h;
	TSS_RESULT r;
	BYTE *in = NULL, *sig = NULL;
	size_t ilen = 0, slen = 0;
	int rc, done;

	if ((rc = parse_copts(t, cmd_of("verify"), argc, argv, &o, &done)) || done)
		return rc;
	if (!o.sig)
		return mgmt_error(t, MGMT_E_USAGE, "usage: verify --key FILE -i DATA --signature SIGFILE");
	if ((rc = read_input(t, o.in, &in, &ilen)) != 0)
		return rc;
	if (tt_read_file(o.sig, 4096, &sig, &slen) != 0) {
		rc = mgmt_error(t, MGMT_E_FILE, "cannot read the signature %s", o.sig);
		goto out;
	}
	if ((rc = mgmt_connect(t)) != 0 || (rc = public_key(t, &o, &key)) != 0 ||
	    (rc = sha1_object(t, in, ilen, &h)) != 0)
		goto out;
	r = Tspi_Hash_VerifySignature(h, key, (UINT32)slen, sig);
	if (r) {
		/* A mismatch is an answer, not a failure of the machinery. */
		if (ERROR_CODE(r) == TSS_E_FAIL || ERROR_CODE(r) == TSS_E_BAD_PARAMETER) {
			json_member_bool("valid", false);
			rc = mgmt_error(t, MGMT_E_VERIFY, "the signature does NOT match the data and key");
		} else {
			rc = mgmt_fail(t, "verifying", r);
		}
		goto out;
	}
	if (!t->json)
		printf("signature OK\n");
	json_member_bool("valid", true);
	rc = 0;
out:
	free(in);
	free(sig);
	return rc;
}

/* ---- quote ----------------------------------------------------------------------- */

static int run_quote(struct tt *t, int argc, char **argv)
{
	struct copts o;
	TSS_HKEY key;
	TSS_HPCRS pcrs;
	TSS_VALIDATION v;
	TSS_RESULT r;
	BYTE nonce[20];
	size_t nlen = 0;
	int rc, done;

	if ((rc = parse_copts(t, cmd_of("quote"), argc, argv, &o, &done)) || done)
		return rc;
	if (o.npcrs == 0)
		return mgmt_error(t, MGMT_E_USAGE, "name the PCRs to quote: -p INDEX (repeat)");
	memset(nonce, 0, sizeof(nonce));
	if (o.nonce && (mgmt_unhex(o.nonce, nonce, sizeof(nonce), &nlen) != 0 || nlen != 20))
		return mgmt_error(t, MGMT_E_USAGE, "--nonce takes 40 hex digits (20 bytes)");
	if ((rc = mgmt_connect(t)) != 0)
		return rc;
	if (!o.nonce) {
		BYTE *rnd;

		if ((r = Tspi_TPM_GetRandom(t->tpm, 20, &rnd)))
			return mgmt_fail(t, "getting a nonce", r);
		memcpy(nonce, rnd, 20);
	}
	if ((rc = mgmt_load_keyfile(t, o.key, o.uuid, o.srk_wk, o.key_wk, &key)) != 0)
		return rc;
	if ((r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_PCRS, 0, &pcrs)))
		return mgmt_fail(t, "creating a PCR object", r);
	for (size_t i = 0; i < o.npcrs; i++)
		if ((r = Tspi_PcrComposite_SelectPcrIndex(pcrs, o.pcrs[i])))
			return mgmt_fail(t, "selecting the PCR", r);
	memset(&v, 0, sizeof(v));
	v.ulExternalDataLength = 20;
	v.rgbExternalData = nonce;
	if ((r = Tspi_TPM_Quote(t->tpm, key, pcrs, &v)))
		return mgmt_fail(t, "quoting", r);
	for (size_t i = 0; i < o.npcrs; i++) {
		UINT32 len;
		BYTE *val;

		if (Tspi_PcrComposite_GetPcrValue(pcrs, o.pcrs[i], &len, &val) == 0 && !t->json) {
			printf("PCR-%02u: ", o.pcrs[i]);
			mgmt_print_hex(val, len);
		}
	}
	if (!t->json) {
		printf("nonce:     ");
		mgmt_print_hex(nonce, 20);
		printf("quoted:    ");
		mgmt_print_hex(v.rgbData, v.ulDataLength);
		printf("signature: ");
		mgmt_print_hex(v.rgbValidationData, v.ulValidationDataLength);
	}
	json_member_hex("nonce", nonce, 20);
	json_member_hex("quote_info", v.rgbData, v.ulDataLength);
	json_member_hex("signature", v.rgbValidationData, v.ulValidationDataLength);
	if (o.out && mgmt_write(o.out, v.rgbValidationData, v.ulValidationDataLength) != 0)
		return mgmt_error(t, MGMT_E_FILE, "cannot write %s", o.out);
	return 0;
}

#define KEY_OPTS \
	"  -k, --key FILE    the key blob (`tpm-mgmt key create -o FILE`), or\n" \
	"  -U, --uuid UUID   a registered key\n" \
	"  -z, --well-known  the SRK secret is the well-known one\n" \
	"  --key-well-known  the key's secret is the well-known one (else asked)\n"
#define IO_OPTS \
	"  -i, --in FILE     input (default: stdin)\n" \
	"  -o, --out FILE    output (default: stdout)\n"

const struct mgmt_cmd mgmt_crypto_cmds[] = {
	{"random", run_random_count, "COUNT [--hex] [-o FILE]", "random bytes from the TPM",
	 "  --hex             print hex instead of raw bytes\n  -o, --out FILE    write them to FILE\n"},
	{"seal", run_seal, "[-i FILE] [-o FILE] [-p PCR]... [-z]",
	 "seal data to the SRK and PCRs (tpm_sealdata's file format)",
	 IO_OPTS "  -p, --pcr INDEX   bind to the current value of this PCR (repeat)\n"
	 "  -z, --well-known  the SRK secret is the well-known one (else asked)\n"},
	{"unseal", run_unseal, "[-i FILE] [-o FILE] [-z]", "unseal a sealed file (also tpm_sealdata's)",
	 IO_OPTS "  -z, --well-known  the SRK secret is the well-known one (else asked)\n"},
	{"bind", run_bind, "(-k FILE|-U UUID) [-i FILE] [-o FILE]", "encrypt to a bind key (public part only)",
	 IO_OPTS "  -k, --key FILE    the bind key blob\n  -U, --uuid UUID   a registered bind key\n"},
	{"unbind", run_unbind, "(-k FILE|-U UUID) [-i FILE] [-o FILE] [-z]", "decrypt bound data in the TPM",
	 IO_OPTS KEY_OPTS},
	{"sign", run_sign, "(-k FILE|-U UUID) [-i FILE] [-o FILE] [-z]",
	 "sign the SHA-1 of the input with a signing key", IO_OPTS KEY_OPTS},
	{"verify", run_verify, "(-k FILE|-U UUID) [-i FILE] --signature FILE",
	 "check a signature (exit 7 when it does not match)",
	 IO_OPTS "  -k, --key FILE    the signing key blob\n  --signature FILE  the signature to check\n"},
	{"quote", run_quote, "(-k FILE|-U UUID) -p PCR... [--nonce HEX] [-o SIGFILE] [-z]",
	 "a signed statement of PCR values",
	 "  -p, --pcr INDEX   a PCR to include (repeat)\n"
	 "  --nonce HEX       20-byte anti-replay nonce (default: random)\n"
	 "  -o, --out FILE    also write the signature to FILE\n" KEY_OPTS},
	{NULL, NULL, NULL, NULL, NULL},
};

static const struct mgmt_cmd *cmd_of(const char *name)
{
	for (const struct mgmt_cmd *c = mgmt_crypto_cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return &mgmt_crypto_cmds[0];
}
