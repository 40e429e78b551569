/*
 * The raw-TPM floor for bench_tss: the TPM commands behind each TSS
 * operation, sent straight to the TPM through tpmdd with no TSS at all
 * (no daemon, no wire protocol, no object model). Authorisation is
 * computed here with common/auth.h; response HMACs are not checked (a TSS
 * must check them, so this floor is slightly generous).
 *
 * Two floors per authorised operation:
 *   fresh   new sessions for every operation, closed by the command
 *           (continueAuthSession FALSE): OSAP+Seal, OIAP+OIAP+Unseal,
 *           OSAP+CreateWrapKey + OIAP+LoadKey2, OIAP+Sign, OIAP+Quote.
 *   reused  OIAP sessions opened once and continued, the fewest round
 *           trips the spec allows; Seal and CreateWrapKey still need a
 *           fresh OSAP each time (ADIP ends the session, Part 1 §14.5).
 *
 * The TPM: a fresh swtpm of its own (--swtpm, the default) or an embedded
 * libtpms in a temporary directory (--libtpms). Ownership is taken first
 * (owner secret fixed, SRK well-known), a 2048-bit signing key made.
 *
 * Usage: bench_tpm_raw [--swtpm|--libtpms] [--label NAME] [--json FILE] [--scale X]
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tss/tpm.h>
#include <tss/tpm_ordinal.h>

#include "auth.h"
#include "buf.h"
#include "crypto.h"
#include "harness.h"
#include "log.h"
#include "tpm1_cmd.h"
#include "tpm_structs.h"
#include "tpmdd.h"

#define EXTEND_PCR 15
#define QUOTE_PCR 10
#define SEAL_LEN 32
#define MAX_SESSIONS 2

static struct tpmdd *tpm;
static struct tpm1_chan chan;
static FILE *json;
static bool json_first = true;
static double scale = 1.0;

/* Fixed secrets: the owner's, the SRK's (well-known: zeros), the objects'. */
static uint8_t owner_secret[AUTH_SECRET_LEN] = { 'o', 'w', 'n', 'e', 'r' };
static const uint8_t srk_secret[AUTH_SECRET_LEN];
static uint8_t object_secret[AUTH_SECRET_LEN] = { 'o', 'b', 'j' };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- commands ---- */

/* One authorised use of a session in a command: the session and its HMAC key. */
struct use {
	struct auth_session *s;
	const uint8_t *secret;	/* entity secret for OIAP; NULL for OSAP */
	bool keep;		/* continueAuthSession */
	bool odd_set;		/* nonceOdd already drawn (it encrypted a secret) */
};

/*
 * Sends ordinal with handles (outside the digest) and params (the "1S"
 * part), authorised by nu sessions; rolls the sessions' nonces. The
 * response's body (after the 10-byte header, before the auth trailers)
 * goes to body/body_len, which point into rsp.
 */
static TSS_RESULT exec(uint32_t ordinal, const uint32_t *handles, size_t nh,
		       const uint8_t *params, size_t plen, struct use *u, size_t nu,
		       uint8_t *rsp, size_t rsp_cap, const uint8_t **body, size_t *body_len)
{
	static const uint16_t tags[] = { TPM_TAG_RQU_COMMAND, TPM_TAG_RQU_AUTH1_COMMAND,
					 TPM_TAG_RQU_AUTH2_COMMAND };
	uint8_t cmd[TPMDD_BUFSIZE], digest[AUTH_DIGEST_LEN], hmac[AUTH_SECRET_LEN];
	struct crypto_iov iov = { .p = params, .n = plen };
	struct buf_writer w;
	struct buf_reader r;
	size_t size_at, len = rsp_cap;
	uint32_t code;
	TSS_RESULT rc;

	*body = NULL;
	*body_len = 0;
	buf_writer_init_fixed(&w, cmd, sizeof(cmd));
	buf_put_u16(&w, tags[nu]);
	size_at = buf_put_u32_later(&w);
	buf_put_u32(&w, ordinal);
	for (size_t i = 0; i < nh; i++)
		buf_put_u32(&w, handles[i]);
	buf_put_bytes(&w, params, plen);
	if (nu > 0 && auth_digest_request(ordinal, &iov, 1, digest) != 0)
		return TSS_E_FAIL;
	for (size_t i = 0; i < nu; i++) {
		u[i].s->continue_session = u[i].keep;
		if ((!u[i].odd_set && auth_session_new_nonce_odd(u[i].s) != 0) ||
		    auth_request_hmac(u[i].s, u[i].secret, digest, hmac) != 0)
			return TSS_E_FAIL;
		auth_put_request(&w, u[i].s, hmac);
	}
	buf_patch_u32(&w, size_at, (uint32_t)buf_writer_len(&w));
	if (buf_writer_error(&w))
		return TSS_E_FAIL;
	if ((rc = tpmdd_transmit(tpm, cmd, buf_writer_len(&w), rsp, &len)) != TSS_SUCCESS)
		return rc;
	code = tpm1_header_code(rsp, len);
	if (code != TPM_SUCCESS) {
		/* A failed command ends its sessions (Part 1 §13.2). */
		for (size_t i = 0; i < nu; i++)
			auth_session_end(u[i].s);
		return code;
	}
	if (len < TPM1_HEADER_SIZE + nu * AUTH_RESPONSE_TRAILER_LEN)
		return TDDL_ERROR(TDDL_E_BADTAG);
	buf_reader_init(&r, rsp + len - nu * AUTH_RESPONSE_TRAILER_LEN,
			nu * AUTH_RESPONSE_TRAILER_LEN);
	for (size_t i = 0; i < nu; i++) {
		struct auth_response ar;

		if (auth_get_response(&r, &ar) != 0)
			return TDDL_ERROR(TDDL_E_BADTAG);
		if (u[i].keep && ar.continue_session)
			memcpy(u[i].s->nonce_even, ar.nonce_even, AUTH_NONCE_LEN);
		else
			auth_session_end(u[i].s);
	}
	*body = rsp + TPM1_HEADER_SIZE;
	*body_len = len - TPM1_HEADER_SIZE - nu * AUTH_RESPONSE_TRAILER_LEN;
	return TSS_SUCCESS;
}

/* TPM_OIAP (Part 3 §18.1). */
static TSS_RESULT oiap(struct auth_session *s)
{
	uint8_t rsp[64];
	const uint8_t *b;
	size_t n;
	struct buf_reader r;
	uint32_t handle = 0;
	uint8_t ne[AUTH_NONCE_LEN];
	TSS_RESULT rc;

	if ((rc = exec(TPM_ORD_OIAP, NULL, 0, NULL, 0, NULL, 0, rsp, sizeof(rsp), &b, &n)) != 0)
		return rc;
	buf_reader_init(&r, b, n);
	buf_get_u32(&r, &handle);
	buf_get_bytes(&r, ne, sizeof(ne));
	if (buf_reader_error(&r))
		return TDDL_ERROR(TDDL_E_BADTAG);
	auth_session_oiap(s, handle, ne);
	return TSS_SUCCESS;
}

/* TPM_OSAP (Part 3 §18.2) for the SRK. */
static TSS_RESULT osap_srk(struct auth_session *s)
{
	uint8_t params[2 + 4 + AUTH_NONCE_LEN], rsp[64], odd[AUTH_NONCE_LEN];
	uint8_t ne[AUTH_NONCE_LEN], ne_osap[AUTH_NONCE_LEN];
	struct buf_writer w;
	struct buf_reader r;
	const uint8_t *b;
	size_t n;
	uint32_t handle = 0;
	TSS_RESULT rc;

	if (auth_random_nonce(odd) != 0)
		return TSS_E_FAIL;
	buf_writer_init_fixed(&w, params, sizeof(params));
	buf_put_u16(&w, TPM_ET_SRK);
	buf_put_u32(&w, TPM_KH_SRK);
	buf_put_bytes(&w, odd, sizeof(odd));
	rc = exec(TPM_ORD_OSAP, NULL, 0, params, buf_writer_len(&w), NULL, 0, rsp, sizeof(rsp),
		  &b, &n);
	if (rc != TSS_SUCCESS)
		return rc;
	buf_reader_init(&r, b, n);
	buf_get_u32(&r, &handle);
	buf_get_bytes(&r, ne, sizeof(ne));
	buf_get_bytes(&r, ne_osap, sizeof(ne_osap));
	if (buf_reader_error(&r) ||
	    auth_session_osap(s, handle, ne, ne_osap, odd, srk_secret) != 0)
		return TDDL_ERROR(TDDL_E_BADTAG);
	return TSS_SUCCESS;
}

/* ---- the state the operations share ---- */

static uint8_t sealed[1024];
static size_t sealed_len;
static uint32_t sign_key;
static struct auth_session keep_key, keep_srk, keep_data;	/* reused OIAP sessions */
static bool reuse;

/* A TPM_KEY12 template: 2048-bit RSA, signing or storage. */
static void put_key_template(struct buf_writer *w, uint16_t usage)
{
	struct tpm_key k;

	memset(&k, 0, sizeof(k));
	k.key12 = true;
	k.key_usage = usage;
	k.auth_data_usage = TPM_AUTH_ALWAYS;
	k.algorithm_parms.algorithm_id = TPM_ALG_RSA;
	k.algorithm_parms.kind = TPM_PARMS_RSA;
	k.algorithm_parms.enc_scheme = usage == TPM_KEY_SIGNING ? TPM_ES_NONE
								: TPM_ES_RSAESOAEP_SHA1_MGF1;
	k.algorithm_parms.sig_scheme = usage == TPM_KEY_SIGNING ? TPM_SS_RSASSAPKCS1v15_SHA1
								: TPM_SS_NONE;
	k.algorithm_parms.rsa.key_length = 2048;
	k.algorithm_parms.rsa.num_primes = 2;
	tpm_key_put(w, &k);
}

/* TPM_TakeOwnership (Part 3 §6.1): owner and SRK secrets under the EK, OAEP "TCPA". */
static TSS_RESULT take_ownership(void)
{
	struct tpm1_pubkey ek;
	EVP_PKEY *ekey = NULL;
	uint8_t enc_owner[256], enc_srk[256], params[2048], rsp[2048];
	size_t eo = 0, es = 0, n;
	const uint8_t *b;
	struct auth_session s;
	struct buf_writer w;
	struct use u = { &s, owner_secret, false, false };
	TSS_RESULT rc;

	if ((rc = tpm1_read_pubek(&chan, &ek)) != TSS_SUCCESS)
		return rc;
	if (crypto_rsa_import_public(ek.modulus, ek.modulus_len, ek.exponent, ek.exponent_len,
				     &ekey) != 0 ||
	    crypto_rsa_encrypt_oaep_tcpa(ekey, owner_secret, AUTH_SECRET_LEN, enc_owner,
					 sizeof(enc_owner), &eo) != 0 ||
	    crypto_rsa_encrypt_oaep_tcpa(ekey, srk_secret, AUTH_SECRET_LEN, enc_srk,
					 sizeof(enc_srk), &es) != 0) {
		crypto_rsa_free(ekey);
		return TSS_E_FAIL;
	}
	crypto_rsa_free(ekey);
	buf_writer_init_fixed(&w, params, sizeof(params));
	buf_put_u16(&w, TPM_PID_OWNER);
	buf_put_sized(&w, enc_owner, eo);
	buf_put_sized(&w, enc_srk, es);
	put_key_template(&w, TPM_KEY_STORAGE);
	if (buf_writer_error(&w))
		return TSS_E_FAIL;
	if ((rc = oiap(&s)) != TSS_SUCCESS)
		return rc;
	return exec(TPM_ORD_TakeOwnership, NULL, 0, params, buf_writer_len(&w), &u, 1, rsp,
		    sizeof(rsp), &b, &n);
}

/* ---- the operations ---- */

static TSS_RESULT op_random(void)
{
	uint8_t out[20];
	uint32_t got;

	return tpm1_get_random(&chan, sizeof(out), out, &got);
}

static TSS_RESULT op_pcrread(void)
{
	uint8_t out[20];

	return tpm1_pcr_read(&chan, EXTEND_PCR, out);
}

static TSS_RESULT op_extend(void)
{
	uint8_t in[20] = { 0x42 };

	return tpm1_extend(&chan, EXTEND_PCR, in, NULL);
}

/* OSAP + TPM_Seal (Part 3 §10.1), no PCRs. */
static TSS_RESULT op_seal(void)
{
	uint8_t params[128], data[SEAL_LEN], enc[AUTH_SECRET_LEN], rsp[2048];
	struct auth_session s;
	struct use u = { &s, NULL, false, false };
	uint32_t h = TPM_KH_SRK;
	struct buf_writer w;
	const uint8_t *b;
	size_t n;
	TSS_RESULT rc;

	memset(data, 0xa5, sizeof(data));
	if ((rc = osap_srk(&s)) != TSS_SUCCESS)
		return rc;
	if (auth_session_encauth(&s, object_secret, enc) != 0)
		return TSS_E_FAIL;
	buf_writer_init_fixed(&w, params, sizeof(params));
	buf_put_bytes(&w, enc, sizeof(enc));
	buf_put_u32(&w, 0);	/* pcrInfoSize */
	buf_put_sized(&w, data, sizeof(data));
	rc = exec(TPM_ORD_Seal, &h, 1, params, buf_writer_len(&w), &u, 1, rsp, sizeof(rsp), &b, &n);
	if (rc != TSS_SUCCESS)
		return rc;
	if (n > sizeof(sealed))
		return TDDL_ERROR(TDDL_E_BADTAG);
	memcpy(sealed, b, n);
	sealed_len = n;
	return TSS_SUCCESS;
}

/* OIAP x2 + TPM_Unseal (Part 3 §10.2), or the two reused sessions. */
static TSS_RESULT op_unseal(void)
{
	struct auth_session s1, s2;
	struct use u[2] = { { &s1, srk_secret, false, false },
			    { &s2, object_secret, false, false } };
	uint32_t h = TPM_KH_SRK;
	uint8_t rsp[512];
	const uint8_t *b;
	size_t n;
	TSS_RESULT rc;

	if (reuse) {
		u[0].s = &keep_srk;
		u[1].s = &keep_data;
		u[0].keep = u[1].keep = true;
	} else if ((rc = oiap(&s1)) != TSS_SUCCESS || (rc = oiap(&s2)) != TSS_SUCCESS) {
		return rc;
	}
	rc = exec(TPM_ORD_Unseal, &h, 1, sealed, sealed_len, u, 2, rsp, sizeof(rsp), &b, &n);
	if (rc == TSS_SUCCESS && (n != 4 + SEAL_LEN || b[3] != SEAL_LEN || b[4] != 0xa5))
		rc = TSS_E_FAIL;
	return rc;
}

/* OSAP + TPM_CreateWrapKey (Part 3 §10.4), OIAP + TPM_LoadKey2 (§10.5). */
static TSS_RESULT create_and_load(uint32_t *handle)
{
	uint8_t params[1024], blob[2048], rsp[2048], enc_use[20], enc_mig[20];
	struct auth_session s, o;
	struct use u = { &s, NULL, false, true }, uo = { &o, srk_secret, false, false };
	uint32_t h = TPM_KH_SRK;
	struct buf_writer w;
	struct buf_reader r;
	const uint8_t *b;
	size_t n, blob_len;
	TSS_RESULT rc;

	*handle = 0;
	if ((rc = osap_srk(&s)) != TSS_SUCCESS)
		return rc;
	if (auth_session_new_nonce_odd(&s) != 0 ||
	    auth_session_encauth(&s, object_secret, enc_use) != 0 ||
	    auth_session_encauth_odd(&s, object_secret, enc_mig) != 0)
		return TSS_E_FAIL;
	/* The migration secret is encrypted with this nonceOdd: exec() must keep it (odd_set). */
	buf_writer_init_fixed(&w, params, sizeof(params));
	buf_put_bytes(&w, enc_use, sizeof(enc_use));
	buf_put_bytes(&w, enc_mig, sizeof(enc_mig));
	put_key_template(&w, TPM_KEY_SIGNING);
	if (buf_writer_error(&w))
		return TSS_E_FAIL;
	rc = exec(TPM_ORD_CreateWrapKey, &h, 1, params, buf_writer_len(&w), &u, 1, rsp,
		  sizeof(rsp), &b, &n);
	if (rc != TSS_SUCCESS)
		return rc;
	if (n > sizeof(blob))
		return TDDL_ERROR(TDDL_E_BADTAG);
	memcpy(blob, b, n);
	blob_len = n;
	if (reuse) {
		uo.s = &keep_srk;
		uo.keep = true;
	} else if ((rc = oiap(&o)) != TSS_SUCCESS) {
		return rc;
	}
	rc = exec(TPM_ORD_LoadKey2, &h, 1, blob, blob_len, &uo, 1, rsp, sizeof(rsp), &b, &n);
	if (rc != TSS_SUCCESS)
		return rc;
	buf_reader_init(&r, b, n);
	buf_get_u32(&r, handle);
	return buf_reader_error(&r) ? TDDL_ERROR(TDDL_E_BADTAG) : TSS_SUCCESS;
}

static TSS_RESULT flush_key(uint32_t handle)
{
	uint8_t params[8], rsp[64];
	struct buf_writer w;
	const uint8_t *b;
	size_t n;

	buf_writer_init_fixed(&w, params, sizeof(params));
	buf_put_u32(&w, handle);
	buf_put_u32(&w, TPM_RT_KEY);
	return exec(TPM_ORD_FlushSpecific, NULL, 0, params, sizeof(params), NULL, 0, rsp,
		    sizeof(rsp), &b, &n);
}

static TSS_RESULT op_createkey(void)
{
	uint32_t h;
	TSS_RESULT rc = create_and_load(&h);

	if (rc == TSS_SUCCESS)
		rc = flush_key(h);
	return rc;
}

/* OIAP + TPM_Sign (Part 3 §13.1) of a SHA-1 digest. */
static TSS_RESULT op_sign(void)
{
	uint8_t params[32], rsp[512], digest[20];
	struct auth_session s;
	struct use u = { reuse ? &keep_key : &s, object_secret, reuse, false };
	struct buf_writer w;
	const uint8_t *b;
	size_t n;
	TSS_RESULT rc;

	for (int i = 0; i < 20; i++)
		digest[i] = (uint8_t)i;
	if (!reuse && (rc = oiap(&s)) != TSS_SUCCESS)
		return rc;
	buf_writer_init_fixed(&w, params, sizeof(params));
	buf_put_sized(&w, digest, sizeof(digest));
	return exec(TPM_ORD_Sign, &sign_key, 1, params, buf_writer_len(&w), &u, 1, rsp,
		    sizeof(rsp), &b, &n);
}

/* OIAP + TPM_Quote (Part 3 §16.5) of one PCR. */
static TSS_RESULT op_quote(void)
{
	uint8_t params[64], rsp[1024], nonce[20] = { 0x17 };
	struct auth_session s;
	struct use u = { reuse ? &keep_key : &s, object_secret, reuse, false };
	struct tpm_pcr_selection sel;
	struct buf_writer w;
	const uint8_t *b;
	size_t n;
	TSS_RESULT rc;

	if (!reuse && (rc = oiap(&s)) != TSS_SUCCESS)
		return rc;
	memset(&sel, 0, sizeof(sel));
	if (tpm_pcr_selection_from_mask(&sel, 1u << QUOTE_PCR, 3) != 0)
		return TSS_E_FAIL;
	buf_writer_init_fixed(&w, params, sizeof(params));
	buf_put_bytes(&w, nonce, sizeof(nonce));
	tpm_pcr_selection_put(&w, &sel);
	if (buf_writer_error(&w))
		return TSS_E_FAIL;
	return exec(TPM_ORD_Quote, &sign_key, 1, params, buf_writer_len(&w), &u, 1, rsp,
		    sizeof(rsp), &b, &n);
}

/* ---- measuring ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, double p)
{
	int i = (int)(p * (double)(n - 1) + 0.5);

	return v[i < n ? i : n - 1];
}

static int measure(const char *name, TSS_RESULT (*fn)(void), int n)
{
	double *lat, t0, total = 0;
	int warm;
	TSS_RESULT rc;

	n = (int)((double)n * scale);
	if (n < 3)
		n = 3;
	warm = n / 20 < 2 ? 2 : (n / 20 > 50 ? 50 : n / 20);
	if ((lat = calloc((size_t)n, sizeof(*lat))) == NULL)
		return -1;
	for (int i = 0; i < warm; i++)
		if ((rc = fn()) != TSS_SUCCESS)
			goto fail;
	for (int i = 0; i < n; i++) {
		t0 = now_s();
		rc = fn();
		lat[i] = (now_s() - t0) * 1e6;
		total += lat[i];
		if (rc != TSS_SUCCESS)
			goto fail;
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("%-26s %7d %11.1f %11.1f %11.1f %11.0f\n", name, n, pct(lat, n, 0.5),
	       pct(lat, n, 0.95), pct(lat, n, 0.99), (double)n / (total / 1e6));
	fflush(stdout);
	if (json) {
		fprintf(json, "%s{\"op\": \"%s\", \"n\": %d, \"median_us\": %.2f, \"p95_us\": %.2f, "
			"\"p99_us\": %.2f, \"ops_s\": %.1f, \"failures\": 0, \"codes\": {}}",
			json_first ? "\n    " : ",\n    ", name, n, pct(lat, n, 0.5),
			pct(lat, n, 0.95), pct(lat, n, 0.99), (double)n / (total / 1e6));
		json_first = false;
	}
	free(lat);
	return 0;
fail:
	fprintf(stderr, "bench_tpm_raw: %s failed: 0x%x\n", name, rc);
	free(lat);
	return -1;
}

static TSS_RESULT open_kept_sessions(void)
{
	TSS_RESULT rc;

	if ((rc = oiap(&keep_key)) != TSS_SUCCESS || (rc = oiap(&keep_srk)) != TSS_SUCCESS)
		return rc;
	return oiap(&keep_data);
}

int main(int argc, char **argv)
{
	const char *label = "raw", *json_path = NULL;
	bool use_libtpms = false;
	char dir[PATH_MAX], uri[PATH_MAX + 16], state[PATH_MAX + 16];
	struct harness_swtpm sw = { .pid = -1 };
	int status = 1;
	TSS_RESULT rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--libtpms") == 0)
			use_libtpms = true;
		else if (strcmp(argv[i], "--swtpm") == 0)
			use_libtpms = false;
		else if (strcmp(argv[i], "--label") == 0 && i + 1 < argc)
			label = argv[++i];
		else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
			json_path = argv[++i];
		else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc)
			scale = atof(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--swtpm|--libtpms] [--label NAME] "
				"[--json FILE] [--scale X]\n", argv[0]);
			return 2;
		}
	}
	if (scale <= 0)
		scale = 1.0;
	log_init("bench_tpm_raw", LOG_SINK_STDERR, LOG_LVL_ERROR);
	if (harness_mkdtemp("bench-raw", dir, sizeof(dir)) != 0)
		return 1;
	if (use_libtpms) {
		snprintf(uri, sizeof(uri), "libtpms:%s/tpm", dir);
	} else {
		snprintf(state, sizeof(state), "%s/swtpm", dir);
		if (harness_swtpm_start(&sw, state, HARNESS_SWTPM_CREATEEK) != 0)
			goto out;
		snprintf(uri, sizeof(uri), "%s", harness_swtpm_uri(&sw));
	}
	if ((rc = tpmdd_open(uri, &tpm)) != TSS_SUCCESS) {
		fprintf(stderr, "bench_tpm_raw: cannot open %s: 0x%x\n", uri, rc);
		goto out;
	}
	tpm1_chan_tpmdd(&chan, tpm);
	if ((rc = take_ownership()) != TSS_SUCCESS) {
		fprintf(stderr, "bench_tpm_raw: TakeOwnership: 0x%x\n", rc);
		goto out;
	}
	if ((rc = create_and_load(&sign_key)) != TSS_SUCCESS || (rc = op_seal()) != TSS_SUCCESS) {
		fprintf(stderr, "bench_tpm_raw: set-up (key, seal): 0x%x\n", rc);
		goto out;
	}
	if (json_path != NULL && (json = fopen(json_path, "w")) == NULL) {
		fprintf(stderr, "bench_tpm_raw: %s: %s\n", json_path, strerror(errno));
		goto out;
	}
	if (json)
		fprintf(json, "{\"label\": \"%s\", \"tpm\": \"%s\", \"latency\": [", label,
			tpmdd_backend_name(tpm));
	printf("== %s: raw TPM commands through tpmdd (%s), no TSS ==\n", label,
	       tpmdd_backend_name(tpm));
	printf("%-26s %7s %11s %11s %11s %11s\n", "operation", "n", "median_us", "p95_us",
	       "p99_us", "ops/s");
	if (measure("GetRandom(20)", op_random, 3000) || measure("PcrRead", op_pcrread, 3000) ||
	    measure("PcrExtend", op_extend, 2000) || measure("Seal(32)", op_seal, 400) ||
	    measure("Unseal(32)", op_unseal, 200) ||
	    measure("CreateKey+LoadKey", op_createkey, 8) ||
	    measure("Sign(2048)", op_sign, 200) || measure("Quote(2048)", op_quote, 200))
		goto out;
	if ((rc = open_kept_sessions()) != TSS_SUCCESS) {
		fprintf(stderr, "bench_tpm_raw: OIAP: 0x%x\n", rc);
		goto out;
	}
	reuse = true;
	if (measure("Unseal(32) reused", op_unseal, 200) ||
	    measure("CreateKey+LoadKey reused", op_createkey, 8) ||
	    measure("Sign(2048) reused", op_sign, 200) ||
	    measure("Quote(2048) reused", op_quote, 200))
		goto out;
	status = 0;
out:
	if (json) {
		fputs("\n  ]\n}\n", json);
		fclose(json);
	}
	if (tpm != NULL)
		tpmdd_close(tpm);
	if (sw.pid > 0)
		harness_swtpm_stop(&sw);
	harness_rmtree(dir);
	return status;
}
