/*
 * Benchmark: round trips per second of TPM_GetRandom(20) and TPM_PCRRead
 *   (a) calling libtpms' TPMLIB_Process directly (the floor),
 *   (b) through tpmdd on the embedded libtpms backend (same TPM, same run),
 *   (c) through tpmdd on the swtpm backend (an emulator process, loopback).
 * Direct and embedded runs alternate, several rounds each, and the best
 * round of each counts, so machine noise hits both alike. The figure that
 * matters is the ratio (b)/(a): the overhead tpmdd adds on the hot path.
 *
 * Usage: bench_tpmdd [--seconds S] [--json]   (S per measurement, default 0.5)
 *        bench_tpmdd --count N --only direct|tpmdd --workload W
 * The second form makes exactly N round trips of workload W (0 GetRandom,
 * 1 PCRRead) on one path and times nothing: bench_instructions.sh runs
 * it under callgrind to count instructions per round trip, a figure that,
 * unlike seconds, does not move with the machine's load.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_tpmlib.h"
#include "harness.h"
#include "log.h"
#include "tpmdd.h"

#define ROUNDS 5

struct workload {
	const char *name;
	BYTE cmd[14];
};

/* TPM 1.2 Part 3 §13.6 (GetRandom, 20 bytes) and §16.2 (PCRRead, PCR 10). */
static const struct workload workloads[] = {
	{ "GetRandom(20)",
	  { 0x00, 0xC1, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x46,
	    0x00, 0x00, 0x00, 0x14 } },
	{ "PCRRead(10)",
	  { 0x00, 0xC1, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x15,
	    0x00, 0x00, 0x00, 0x0A } },
};

typedef bool (*round_trip_fn)(void *ctx, const BYTE *cmd, size_t len);

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool rsp_ok(const BYTE *rsp, size_t len)
{
	return len >= 10 && rsp[6] == 0 && rsp[7] == 0 && rsp[8] == 0 && rsp[9] == 0;
}

struct direct_ctx {
	unsigned char *rsp;
	uint32_t rsp_len;
	uint32_t rsp_cap;
};

__attribute__((noinline)) static bool direct_round_trip(void *ctx, const BYTE *cmd, size_t len)
{
	struct direct_ctx *d = ctx;

	if (bench_tpmlib_process(&d->rsp, &d->rsp_len, &d->rsp_cap, cmd, (uint32_t)len) != 0)
		return false;
	return rsp_ok(d->rsp, d->rsp_len);
}

__attribute__((noinline)) static bool tpmdd_round_trip(void *ctx, const BYTE *cmd, size_t len)
{
	BYTE rsp[TPMDD_BUFSIZE];
	size_t rsp_len = sizeof(rsp);

	if (tpmdd_transmit(ctx, cmd, len, rsp, &rsp_len) != TSS_SUCCESS)
		return false;
	return rsp_ok(rsp, rsp_len);
}

/* Round trips per second over about `seconds`; < 0 on a failed command. */
static double measure(round_trip_fn fn, void *ctx, const struct workload *w, double seconds)
{
	uint64_t n = 0;
	double start = now(), elapsed;

	do {
		for (int i = 0; i < 64; i++, n++)
			if (!fn(ctx, w->cmd, sizeof(w->cmd)))
				return -1.0;
		elapsed = now() - start;
	} while (elapsed < seconds);
	return (double)n / elapsed;
}

static double best(double a, double b)
{
	return a > b ? a : b;
}

int main(int argc, char **argv)
{
	double seconds = 0.5;
	bool json = false;
	long count = 0;
	const char *only = NULL;
	int workload = 1;
	char dir[PATH_MAX], uri[PATH_MAX + 16];
	struct tpmdd *embedded = NULL, *emulator = NULL;
	struct direct_ctx direct = { 0 };
	struct harness_swtpm swtpm = { .pid = -1 };
	double r_direct[2] = { 0 }, r_embedded[2] = { 0 }, r_swtpm[2] = { 0 };
	bool have_swtpm = false;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			count = atol(argv[++i]);
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--workload") == 0 && i + 1 < argc)
			workload = atoi(argv[++i]) != 0;
		else {
			fprintf(stderr, "usage: %s [--seconds S] [--json]\n"
				"       %s --count N --only direct|tpmdd [--workload 0|1]\n",
				argv[0], argv[0]);
			return 2;
		}
	}
	if (seconds <= 0)
		seconds = 0.5;

	log_init("bench_tpmdd", LOG_SINK_STDERR, LOG_LVL_ERROR);
	if (harness_mkdtemp("bench", dir, sizeof(dir)) != 0)
		return 1;
	snprintf(uri, sizeof(uri), "libtpms:%s/tpm", dir);
	if (tpmdd_open(uri, &embedded) != TSS_SUCCESS) {
		fprintf(stderr, "bench: cannot open %s\n", uri);
		goto out;
	}

	/* Warm both paths (Startup and self-test happen on first use). */
	for (size_t w = 0; w < 2; w++) {
		if (measure(tpmdd_round_trip, embedded, &workloads[w], 0.05) < 0 ||
		    measure(direct_round_trip, &direct, &workloads[w], 0.05) < 0) {
			fprintf(stderr, "bench: %s fails on the embedded TPM\n", workloads[w].name);
			goto out;
		}
	}
	if (count > 0) {
		bool direct_path = only != NULL && strcmp(only, "direct") == 0;
		const struct workload *w = &workloads[workload];

		for (long i = 0; i < count; i++) {
			if (!(direct_path ? direct_round_trip(&direct, w->cmd, sizeof(w->cmd))
					  : tpmdd_round_trip(embedded, w->cmd, sizeof(w->cmd))))
				goto out;
		}
		rc = 0;
		goto out;
	}
	for (int round = 0; round < ROUNDS; round++) {
		for (size_t w = 0; w < 2; w++) {
			r_direct[w] = best(r_direct[w],
				measure(direct_round_trip, &direct, &workloads[w], seconds));
			r_embedded[w] = best(r_embedded[w],
				measure(tpmdd_round_trip, embedded, &workloads[w], seconds));
		}
	}

	if (harness_swtpm_path() != NULL) {
		char sdir[PATH_MAX + 8];

		snprintf(sdir, sizeof(sdir), "%s/swtpm", dir);
		if (harness_swtpm_start(&swtpm, sdir, 0) == 0 &&
		    tpmdd_open(harness_swtpm_uri(&swtpm), &emulator) == TSS_SUCCESS) {
			have_swtpm = true;
			for (size_t w = 0; w < 2; w++) {
				measure(tpmdd_round_trip, emulator, &workloads[w], 0.05);
				for (int round = 0; round < 3; round++)
					r_swtpm[w] = best(r_swtpm[w],
						measure(tpmdd_round_trip, emulator, &workloads[w], seconds));
			}
		}
	}

	if (json) {
		printf("{\n");
		for (size_t w = 0; w < 2; w++)
			printf("  \"%s\": {\"direct_tpmlib_rps\": %.0f, \"tpmdd_libtpms_rps\": %.0f, "
			       "\"tpmdd_libtpms_overhead_pct\": %.1f, \"tpmdd_swtpm_rps\": %.0f}%s\n",
			       workloads[w].name, r_direct[w], r_embedded[w],
			       100.0 * (r_direct[w] / r_embedded[w] - 1.0),
			       have_swtpm ? r_swtpm[w] : 0.0, w == 0 ? "," : "");
		printf("}\n");
	} else {
		printf("%-14s %14s %14s %10s %14s\n", "command", "TPMLIB direct",
		       "tpmdd libtpms", "overhead", "tpmdd swtpm");
		for (size_t w = 0; w < 2; w++) {
			printf("%-14s %12.0f/s %12.0f/s %9.1f%% ", workloads[w].name,
			       r_direct[w], r_embedded[w],
			       100.0 * (r_direct[w] / r_embedded[w] - 1.0));
			if (have_swtpm)
				printf("%12.0f/s\n", r_swtpm[w]);
			else
				printf("%14s\n", "(no swtpm)");
		}
		printf("overhead = time per round trip through tpmdd / direct - 1 "
		       "(target: <= 10%%); best of %d rounds of %.2fs\n", ROUNDS, seconds);
	}
	rc = 0;
out:
	if (emulator != NULL)
		tpmdd_close(emulator);
	if (swtpm.pid > 0)
		harness_swtpm_stop(&swtpm);
	if (embedded != NULL)
		tpmdd_close(embedded);
	free(direct.rsp);
	harness_rmtree(dir);
	return rc;
}
