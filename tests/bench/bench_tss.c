/*
 * TSS client benchmark: latency and throughput of the public Tspi_* API.
 *
 * Only public TSS 1.2 calls are used, so this one source builds twice:
 * against tss12's headers and libtspi (bench_tss) and against Debian's
 * /usr/include/tss and TrouSerS' libtspi (bench_tss_trousers, built by
 * run_bench_tss.sh). Which library actually got loaded is printed.
 *
 * The daemon is chosen the usual way (TSS_TCSD_HOSTNAME/TSS_TCSD_PORT, or
 * our Unix socket when they are unset). The TPM behind it must be fresh or
 * already owned with this program's secrets: it takes ownership (owner
 * secret "tss12-bench-owner", SRK well-known), makes a 2048-bit signing
 * key under the SRK, then measures.
 *
 * Latency (each call timed on its own, after a few warm-up calls):
 *   ctx open/close   Tspi_Context_Create + Connect + Close
 *   GetRandom(20), PcrRead, PcrExtend, Seal and Unseal (32 bytes under
 *   the SRK, no PCRs), CreateKey+LoadKey (2048-bit signing key), Sign
 *   (SHA-1 digest, loaded 2048-bit key), Quote (PCR 10).
 * Throughput: GetRandom(20) and Seal+Unseal pairs with 1, 4, 16 and 64
 * threads, one context each, for a fixed time. Every failure is counted
 * with its TSS result code; a client that cannot connect counts as one.
 *
 * Usage: bench_tss [--label NAME] [--json FILE] [--scale X] [--seconds S]
 *                  [--clients 1,4,16,64] [--only LIST]
 * LIST names groups: ctx,random,pcrread,extend,seal,unseal,createkey,
 * sign,quote,tput-random,tput-seal (default: all).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tss/platform.h>
#include <tss/tss_defines.h>
#include <tss/tss_typedef.h>
#include <tss/tss_structs.h>
#include <tss/tss_error.h>
#include <tss/tspi.h>
#include <trousers/trousers.h>

#define OWNER_SECRET "tss12-bench-owner"
#define OBJECT_SECRET "tss12-bench-object"
#define EXTEND_PCR 15
#define QUOTE_PCR 10
#define SEAL_LEN 32
#define MAX_CODES 8
#define MAX_CLIENT_LEVELS 8
/* Consecutive failures after which a throughput client gives up. */
#define GIVE_UP_AFTER 50

static BYTE well_known[] = TSS_WELL_KNOWN_SECRET;

/* ---- options ---- */

static const char *label = "tss";
static const char *json_path;
static double scale = 1.0;
static double tput_seconds = 2.0;
static int client_levels[MAX_CLIENT_LEVELS] = { 1, 4, 16, 64 };
static int n_client_levels = 4;
static const char *only;
static FILE *json;
static bool json_first_lat = true, json_first_tput = true;

static bool wanted(const char *group)
{
	const char *p;
	size_t n = strlen(group);

	if (only == NULL)
		return true;
	for (p = only; (p = strstr(p, group)) != NULL; p += n)
		if ((p == only || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- result codes seen ---- */

struct codes {
	TSS_RESULT code[MAX_CODES];
	unsigned long count[MAX_CODES];
	unsigned long other;
};

static void codes_add(struct codes *c, TSS_RESULT rc, unsigned long n)
{
	for (int i = 0; i < MAX_CODES; i++) {
		if (c->count[i] != 0 && c->code[i] == rc) {
			c->count[i] += n;
			return;
		}
		if (c->count[i] == 0) {
			c->code[i] = rc;
			c->count[i] = n;
			return;
		}
	}
	c->other += n;
}

static void codes_merge(struct codes *into, const struct codes *from)
{
	for (int i = 0; i < MAX_CODES && from->count[i] != 0; i++)
		codes_add(into, from->code[i], from->count[i]);
	into->other += from->other;
}

static void codes_print(FILE *f, const struct codes *c, bool as_json)
{
	bool first = true;

	for (int i = 0; i < MAX_CODES && c->count[i] != 0; i++) {
		if (as_json)
			fprintf(f, "%s\"0x%x\": %lu", first ? "" : ", ", c->code[i], c->count[i]);
		else
			fprintf(f, "%s%lu x 0x%x (%s)", first ? "" : ", ", c->count[i], c->code[i],
				Trspi_Error_String(c->code[i]));
		first = false;
	}
	if (c->other != 0) {
		if (as_json)
			fprintf(f, "%s\"other\": %lu", first ? "" : ", ", c->other);
		else
			fprintf(f, "%s%lu x other codes", first ? "" : ", ", c->other);
	}
}

/* ---- one client: a context with the objects the operations need ---- */

struct client {
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_HKEY srk;
	TSS_HKEY sign_key;	/* loaded 2048-bit signing key (main client only) */
	TSS_HENCDATA enc;	/* sealed 32 bytes, re-sealed by the Seal ops */
	TSS_HHASH hash;
	TSS_HPCRS pcrs;
	BYTE payload[SEAL_LEN];
	const char *step;	/* what failed, for messages */
};

#define TRY(cl, what, call)                                                   \
	do {                                                                  \
		(cl)->step = (what);                                          \
		if ((rc = (call)) != TSS_SUCCESS)                             \
			goto out;                                             \
	} while (0)

static TSS_RESULT set_secret(TSS_HCONTEXT ctx, TSS_HOBJECT obj, TSS_FLAG type, bool wk,
			     const char *secret)
{
	TSS_HPOLICY pol;
	TSS_RESULT rc;

	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, type, &pol)) != 0)
		return rc;
	if (wk)
		rc = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1, sizeof(well_known), well_known);
	else
		rc = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, (UINT32)strlen(secret),
					   (BYTE *)secret);
	if (rc != TSS_SUCCESS)
		return rc;
	return Tspi_Policy_AssignToObject(pol, obj);
}

/* Connects and loads the SRK; with_seal also makes a sealed data object. */
static TSS_RESULT client_open(struct client *cl, bool with_seal)
{
	TSS_UUID srk_uuid = TSS_UUID_SRK;
	TSS_HPOLICY def;
	TSS_RESULT rc;

	memset(cl, 0, sizeof(*cl));
	TRY(cl, "Tspi_Context_Create", Tspi_Context_Create(&cl->ctx));
	TRY(cl, "Tspi_Context_Connect", Tspi_Context_Connect(cl->ctx, NULL));
	TRY(cl, "Tspi_Context_GetTpmObject", Tspi_Context_GetTpmObject(cl->ctx, &cl->tpm));
	/* Keys and data objects without a policy of their own use this one. */
	TRY(cl, "Tspi_Context_GetDefaultPolicy", Tspi_Context_GetDefaultPolicy(cl->ctx, &def));
	TRY(cl, "Tspi_Policy_SetSecret(default)",
	    Tspi_Policy_SetSecret(def, TSS_SECRET_MODE_PLAIN, (UINT32)strlen(OBJECT_SECRET),
				  (BYTE *)OBJECT_SECRET));
	TRY(cl, "owner policy", set_secret(cl->ctx, cl->tpm, TSS_POLICY_USAGE, false,
					   OWNER_SECRET));
	if (!with_seal)
		return TSS_SUCCESS;
	TRY(cl, "Tspi_Context_LoadKeyByUUID(SRK)",
	    Tspi_Context_LoadKeyByUUID(cl->ctx, TSS_PS_TYPE_SYSTEM, srk_uuid, &cl->srk));
	TRY(cl, "SRK policy", set_secret(cl->ctx, cl->srk, TSS_POLICY_USAGE, true, NULL));
	TRY(cl, "Tspi_Context_CreateObject(ENCDATA)",
	    Tspi_Context_CreateObject(cl->ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_SEAL,
				      &cl->enc));
	for (int i = 0; i < SEAL_LEN; i++)
		cl->payload[i] = (BYTE)(0xa5 ^ i);
	TRY(cl, "Tspi_Data_Seal", Tspi_Data_Seal(cl->enc, cl->srk, SEAL_LEN, cl->payload, 0));
out:
	return rc;
}

static void client_close(struct client *cl)
{
	if (cl->ctx != 0) {
		Tspi_Context_FreeMemory(cl->ctx, NULL);
		Tspi_Context_Close(cl->ctx);
	}
	cl->ctx = 0;
}

/* ---- the operations ---- */

typedef TSS_RESULT (*op_fn)(struct client *cl);

static TSS_RESULT op_ctx(struct client *cl)
{
	TSS_HCONTEXT ctx;
	TSS_RESULT rc;

	(void)cl;
	if ((rc = Tspi_Context_Create(&ctx)) != TSS_SUCCESS)
		return rc;
	rc = Tspi_Context_Connect(ctx, NULL);
	Tspi_Context_Close(ctx);
	return rc;
}

static TSS_RESULT op_random(struct client *cl)
{
	BYTE *p = NULL;
	TSS_RESULT rc = Tspi_TPM_GetRandom(cl->tpm, 20, &p);

	if (rc == TSS_SUCCESS)
		Tspi_Context_FreeMemory(cl->ctx, p);
	return rc;
}

static TSS_RESULT op_pcrread(struct client *cl)
{
	UINT32 len = 0;
	BYTE *p = NULL;
	TSS_RESULT rc = Tspi_TPM_PcrRead(cl->tpm, EXTEND_PCR, &len, &p);

	if (rc == TSS_SUCCESS)
		Tspi_Context_FreeMemory(cl->ctx, p);
	return rc;
}

static TSS_RESULT op_extend(struct client *cl)
{
	BYTE data[20] = { 0x42 }, *p = NULL;
	UINT32 len = 0;
	TSS_RESULT rc = Tspi_TPM_PcrExtend(cl->tpm, EXTEND_PCR, sizeof(data), data, NULL, &len, &p);

	if (rc == TSS_SUCCESS)
		Tspi_Context_FreeMemory(cl->ctx, p);
	return rc;
}

static TSS_RESULT op_seal(struct client *cl)
{
	return Tspi_Data_Seal(cl->enc, cl->srk, SEAL_LEN, cl->payload, 0);
}

static TSS_RESULT op_unseal(struct client *cl)
{
	UINT32 len = 0;
	BYTE *p = NULL;
	TSS_RESULT rc = Tspi_Data_Unseal(cl->enc, cl->srk, &len, &p);

	if (rc != TSS_SUCCESS)
		return rc;
	if (len != SEAL_LEN || memcmp(p, cl->payload, SEAL_LEN) != 0)
		rc = TSS_E_FAIL;	/* wrong data back: counted as a failure */
	Tspi_Context_FreeMemory(cl->ctx, p);
	return rc;
}

static TSS_RESULT op_seal_unseal(struct client *cl)
{
	TSS_RESULT rc = op_seal(cl);

	return rc != TSS_SUCCESS ? rc : op_unseal(cl);
}

static TSS_RESULT make_sign_key(struct client *cl, TSS_HKEY *out)
{
	TSS_RESULT rc;

	*out = 0;
	rc = Tspi_Context_CreateObject(cl->ctx, TSS_OBJECT_TYPE_RSAKEY,
				       TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_2048 |
				       TSS_KEY_AUTHORIZATION | TSS_KEY_NOT_MIGRATABLE, out);
	if (rc != TSS_SUCCESS)
		return rc;
	if ((rc = Tspi_Key_CreateKey(*out, cl->srk, 0)) == TSS_SUCCESS)
		rc = Tspi_Key_LoadKey(*out, cl->srk);
	return rc;
}

/* The key is unloaded and closed after the clock stopped (see measure()). */
static TSS_HKEY last_key;

static TSS_RESULT op_createkey(struct client *cl)
{
	return make_sign_key(cl, &last_key);
}

static void after_createkey(struct client *cl)
{
	if (last_key != 0) {
		Tspi_Key_UnloadKey(last_key);
		Tspi_Context_CloseObject(cl->ctx, last_key);
	}
	last_key = 0;
}

static TSS_RESULT op_sign(struct client *cl)
{
	UINT32 len = 0;
	BYTE *sig = NULL;
	TSS_RESULT rc = Tspi_Hash_Sign(cl->hash, cl->sign_key, &len, &sig);

	if (rc == TSS_SUCCESS)
		Tspi_Context_FreeMemory(cl->ctx, sig);
	return rc;
}

static TSS_RESULT op_quote(struct client *cl)
{
	TSS_VALIDATION v;
	BYTE nonce[20] = { 0x17 };
	TSS_RESULT rc;

	memset(&v, 0, sizeof(v));
	v.ulExternalDataLength = sizeof(nonce);
	v.rgbExternalData = nonce;
	rc = Tspi_TPM_Quote(cl->tpm, cl->sign_key, cl->pcrs, &v);
	if (rc == TSS_SUCCESS) {
		Tspi_Context_FreeMemory(cl->ctx, v.rgbData);
		Tspi_Context_FreeMemory(cl->ctx, v.rgbValidationData);
	}
	return rc;
}

/* ---- latency ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *sorted, int n, double p)
{
	int i = (int)(p * (double)(n - 1) + 0.5);

	return sorted[i < n ? i : n - 1];
}

static void json_sep(bool *first)
{
	fputs(*first ? "\n    " : ",\n    ", json);
	*first = false;
}

static void measure(struct client *cl, const char *group, const char *name, op_fn fn,
		    void (*after)(struct client *), int n)
{
	double *lat, t0, total = 0, ops_s;
	int warm = n / 20 < 2 ? 2 : (n / 20 > 50 ? 50 : n / 20), fails = 0, done = 0;
	struct codes codes;

	if (!wanted(group))
		return;
	n = (int)((double)n * scale);
	if (n < 3)
		n = 3;
	lat = calloc((size_t)n, sizeof(*lat));
	if (lat == NULL)
		return;
	memset(&codes, 0, sizeof(codes));
	for (int i = 0; i < warm; i++) {
		(void)fn(cl);
		if (after)
			after(cl);
	}
	for (int i = 0; i < n; i++) {
		TSS_RESULT rc;

		t0 = now_s();
		rc = fn(cl);
		lat[done] = (now_s() - t0) * 1e6;
		if (after)
			after(cl);
		if (rc != TSS_SUCCESS) {
			fails++;
			codes_add(&codes, rc, 1);
			continue;
		}
		total += lat[done++];
	}
	if (done == 0) {
		printf("%-20s all %d calls failed: ", name, n);
		codes_print(stdout, &codes, false);
		putchar('\n');
		free(lat);
		return;
	}
	qsort(lat, (size_t)done, sizeof(*lat), cmp_double);
	ops_s = (double)done / (total / 1e6);
	printf("%-20s %7d %11.1f %11.1f %11.1f %11.0f %6d", name, done, pct(lat, done, 0.5),
	       pct(lat, done, 0.95), pct(lat, done, 0.99), ops_s, fails);
	if (fails) {
		fputs("  ", stdout);
		codes_print(stdout, &codes, false);
	}
	putchar('\n');
	fflush(stdout);
	if (json) {
		json_sep(&json_first_lat);
		fprintf(json, "{\"op\": \"%s\", \"n\": %d, \"median_us\": %.2f, \"p95_us\": %.2f, "
			"\"p99_us\": %.2f, \"ops_s\": %.1f, \"failures\": %d, \"codes\": {",
			name, done, pct(lat, done, 0.5), pct(lat, done, 0.95), pct(lat, done, 0.99),
			ops_s, fails);
		codes_print(json, &codes, true);
		fputs("}}", json);
	}
	free(lat);
}

/* ---- throughput ---- */

struct worker {
	pthread_t tid;
	op_fn fn;
	bool with_seal;
	pthread_barrier_t *ready;
	volatile double *deadline;	/* set by the main thread after the barrier */
	unsigned long ops, fails;
	struct codes codes;
	TSS_RESULT open_rc;
	bool gave_up;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct client cl;
	int streak = 0;

	w->open_rc = client_open(&cl, w->with_seal);
	pthread_barrier_wait(w->ready);	/* everyone connected (or failed to) */
	pthread_barrier_wait(w->ready);	/* the deadline is set */
	if (w->open_rc != TSS_SUCCESS) {
		w->fails = 1;
		codes_add(&w->codes, w->open_rc, 1);
		goto out;
	}
	while (now_s() < *w->deadline) {
		TSS_RESULT rc = w->fn(&cl);

		if (rc == TSS_SUCCESS) {
			w->ops++;
			streak = 0;
			continue;
		}
		w->fails++;
		codes_add(&w->codes, rc, 1);
		if (++streak >= GIVE_UP_AFTER) {
			w->gave_up = true;
			break;
		}
	}
out:
	client_close(&cl);
	return NULL;
}

static void throughput(const char *group, const char *name, op_fn fn, bool with_seal)
{
	if (!wanted(group))
		return;
	for (int l = 0; l < n_client_levels; l++) {
		int n = client_levels[l], gave_up = 0, started = 0;
		struct worker *w = calloc((size_t)n, sizeof(*w));
		pthread_barrier_t ready;
		volatile double deadline = 0;
		unsigned long ops = 0, fails = 0;
		struct codes codes;
		double t0, elapsed, rate;

		if (w == NULL)
			return;
		memset(&codes, 0, sizeof(codes));
		pthread_barrier_init(&ready, NULL, (unsigned int)n + 1);
		for (int i = 0; i < n; i++) {
			w[i].fn = fn;
			w[i].with_seal = with_seal;
			w[i].ready = &ready;
			w[i].deadline = &deadline;
			if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
				fprintf(stderr, "bench_tss: cannot start thread %d\n", i);
				exit(1);
			}
			started++;
		}
		pthread_barrier_wait(&ready);
		t0 = now_s();
		deadline = t0 + tput_seconds;
		pthread_barrier_wait(&ready);
		for (int i = 0; i < started; i++) {
			pthread_join(w[i].tid, NULL);
			ops += w[i].ops;
			fails += w[i].fails;
			gave_up += w[i].gave_up;
			codes_merge(&codes, &w[i].codes);
		}
		elapsed = now_s() - t0;
		rate = (double)ops / elapsed;
		printf("%-20s %7d %11lu %11.0f %8lu %8d", name, n, ops, rate, fails, gave_up);
		if (fails) {
			fputs("  ", stdout);
			codes_print(stdout, &codes, false);
		}
		putchar('\n');
		fflush(stdout);
		if (json) {
			json_sep(&json_first_tput);
			fprintf(json, "{\"op\": \"%s\", \"clients\": %d, \"ops\": %lu, "
				"\"seconds\": %.3f, \"ops_s\": %.1f, \"failures\": %lu, "
				"\"gave_up\": %d, \"codes\": {",
				name, n, ops, elapsed, rate, fails, gave_up);
			codes_print(json, &codes, true);
			fputs("}}", json);
		}
		pthread_barrier_destroy(&ready);
		free(w);
	}
}

/* ---- set-up ---- */

static TSS_RESULT take_ownership(struct client *cl)
{
	UINT32 sub = TSS_TPMCAP_PROP_OWNER, len = 0;
	BYTE *owned = NULL;
	TSS_HKEY srk;
	TSS_RESULT rc;

	/* An owner from an earlier run (with the same secrets) is kept. */
	rc = Tspi_TPM_GetCapability(cl->tpm, TSS_TPMCAP_PROPERTY, sizeof(sub), (BYTE *)&sub,
				    &len, &owned);
	if (rc != TSS_SUCCESS)
		return rc;
	if (len >= 1 && owned[0] != 0) {
		Tspi_Context_FreeMemory(cl->ctx, owned);
		return TSS_SUCCESS;
	}
	Tspi_Context_FreeMemory(cl->ctx, owned);
	rc = Tspi_Context_CreateObject(cl->ctx, TSS_OBJECT_TYPE_RSAKEY,
				       TSS_KEY_TSP_SRK | TSS_KEY_AUTHORIZATION, &srk);
	if (rc != TSS_SUCCESS)
		return rc;
	if ((rc = set_secret(cl->ctx, srk, TSS_POLICY_USAGE, true, NULL)) != TSS_SUCCESS)
		return rc;
	rc = Tspi_TPM_TakeOwnership(cl->tpm, srk, 0);
	Tspi_Context_CloseObject(cl->ctx, srk);
	return rc;
}

static TSS_RESULT setup_main(struct client *cl)
{
	BYTE digest[20];
	TSS_RESULT rc;

	for (int i = 0; i < 20; i++)
		digest[i] = (BYTE)i;
	if ((rc = client_open(cl, false)) != TSS_SUCCESS)
		return rc;
	TRY(cl, "Tspi_TPM_TakeOwnership", take_ownership(cl));
	client_close(cl);
	TRY(cl, "connect after TakeOwnership", client_open(cl, true));
	TRY(cl, "signing key (CreateKey+LoadKey)", make_sign_key(cl, &cl->sign_key));
	TRY(cl, "Tspi_Context_CreateObject(HASH)",
	    Tspi_Context_CreateObject(cl->ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &cl->hash));
	TRY(cl, "Tspi_Hash_SetHashValue", Tspi_Hash_SetHashValue(cl->hash, 20, digest));
	TRY(cl, "Tspi_Context_CreateObject(PCRS)",
	    Tspi_Context_CreateObject(cl->ctx, TSS_OBJECT_TYPE_PCRS, 0, &cl->pcrs));
	TRY(cl, "Tspi_PcrComposite_SelectPcrIndex",
	    Tspi_PcrComposite_SelectPcrIndex(cl->pcrs, QUOTE_PCR));
out:
	return rc;
}

static int parse_clients(const char *s)
{
	char *end;

	n_client_levels = 0;
	while (*s != '\0' && n_client_levels < MAX_CLIENT_LEVELS) {
		long v = strtol(s, &end, 10);

		if (end == s || v < 1 || v > 1024)
			return -1;
		client_levels[n_client_levels++] = (int)v;
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			return -1;
	}
	return n_client_levels > 0 ? 0 : -1;
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--label NAME] [--json FILE] [--scale X] [--seconds S]\n"
		"          [--clients 1,4,16,64] [--only GROUPS]\n"
		"GROUPS: ctx,random,pcrread,extend,seal,unseal,createkey,sign,quote,"
		"tput-random,tput-seal\n", argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	struct client cl;
	Dl_info info;
	const char *lib = "?";
	TSS_RESULT rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--label") == 0 && i + 1 < argc)
			label = argv[++i];
		else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
			json_path = argv[++i];
		else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc)
			scale = atof(argv[++i]);
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			tput_seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--clients") == 0 && i + 1 < argc) {
			if (parse_clients(argv[++i]) != 0)
				usage(argv[0]);
		} else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else
			usage(argv[0]);
	}
	if (scale <= 0)
		scale = 1.0;
	if (tput_seconds <= 0)
		tput_seconds = 2.0;
	if (dladdr((void *)Tspi_Context_Create, &info) != 0 && info.dli_fname != NULL)
		lib = info.dli_fname;

	printf("== %s: libtspi %s ==\n", label, lib);
	if ((rc = setup_main(&cl)) != TSS_SUCCESS) {
		fprintf(stderr, "bench_tss: set-up failed at %s: 0x%x (%s)\n",
			cl.step ? cl.step : "?", rc, Trspi_Error_String(rc));
		client_close(&cl);
		return 1;
	}
	if (json_path != NULL && (json = fopen(json_path, "w")) == NULL) {
		fprintf(stderr, "bench_tss: %s: %s\n", json_path, strerror(errno));
		return 1;
	}
	if (json)
		fprintf(json, "{\"label\": \"%s\", \"libtspi\": \"%s\", \"latency\": [", label, lib);

	printf("%-20s %7s %11s %11s %11s %11s %6s\n", "operation", "n", "median_us", "p95_us",
	       "p99_us", "ops/s", "fail");
	measure(&cl, "ctx", "ctx open/close", op_ctx, NULL, 1500);
	measure(&cl, "random", "GetRandom(20)", op_random, NULL, 3000);
	measure(&cl, "pcrread", "PcrRead", op_pcrread, NULL, 3000);
	measure(&cl, "extend", "PcrExtend", op_extend, NULL, 2000);
	measure(&cl, "seal", "Seal(32)", op_seal, NULL, 400);
	measure(&cl, "unseal", "Unseal(32)", op_unseal, NULL, 200);
	measure(&cl, "createkey", "CreateKey+LoadKey", op_createkey, after_createkey, 8);
	measure(&cl, "sign", "Sign(2048)", op_sign, NULL, 200);
	measure(&cl, "quote", "Quote(2048)", op_quote, NULL, 200);

	if (json)
		fputs("\n  ],\n  \"throughput\": [", json);
	if (wanted("tput-random") || wanted("tput-seal"))
		printf("%-20s %7s %11s %11s %8s %8s\n", "throughput", "clients", "ops", "ops/s",
		       "fail", "gave_up");
	throughput("tput-random", "GetRandom(20)", op_random, false);
	throughput("tput-seal", "Seal+Unseal(32)", op_seal_unseal, true);
	if (json) {
		fputs("\n  ]\n}\n", json);
		fclose(json);
	}
	client_close(&cl);
	return 0;
}
