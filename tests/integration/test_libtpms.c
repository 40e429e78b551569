/*
 * The embedded libtpms backend through the real tpmdd layer: first-use
 * manufacturing, PCRs, random numbers, the state-directory lock against
 * another process, persistence, and cancelling a long command
 * (TPM_TakeOwnership, which generates the SRK).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include <tss/platform.h>
#include <tss/tpm.h>
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>
#include <tss/tss_error.h>

#include "auth.h"
#include "buf.h"
#include "crypto.h"
#include "harness.h"
#include "log.h"
#include "tpm1_cmd.h"
#include "tpmdd_backend.h"

struct fixture {
	char dir[PATH_MAX];
	char uri[PATH_MAX + 16];
	struct tpmdd *tpm;
	struct tpm1_chan ch;
};

static const char *self_path;

static int fx_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL || harness_mkdtemp("libtpms", fx->dir, sizeof(fx->dir)) != 0)
		return -1;
	/* A state directory that does not exist yet: tpmdd creates it. */
	snprintf(fx->uri, sizeof(fx->uri), "libtpms:%s/tpm", fx->dir);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fixture *fx = *state;

	if (fx->tpm)
		tpmdd_close(fx->tpm);
	harness_rmtree(fx->dir);
	free(fx);
	return 0;
}

static void fx_open(struct fixture *fx)
{
	assert_int_equal(tpmdd_open(fx->uri, &fx->tpm), TSS_SUCCESS);
	tpm1_chan_tpmdd(&fx->ch, fx->tpm);
}

static void fx_close(struct fixture *fx)
{
	tpmdd_close(fx->tpm);
	fx->tpm = NULL;
}

static double ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1000.0 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

/* ---- manufacturing ---- */

static void test_manufactured(void **state)
{
	struct fixture *fx = *state;
	struct tpm1_permanent_flags perm;
	struct tpm1_stclear_flags vol;
	struct tpm1_version_info v;
	struct tpm1_pubkey ek;
	struct stat st;
	char path[PATH_MAX + 32];
	bool owned = true;

	fx_open(fx);
	assert_string_equal(tpmdd_backend_name(fx->tpm), "libtpms");
	assert_true(tpmdd_is_software(fx->tpm));

	/* The state directory was created private, with the state in it. */
	snprintf(path, sizeof(path), "%s/tpm", fx->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/tpm/permall", fx->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/tpm/.permall.tmp", fx->dir);
	assert_int_not_equal(stat(path, &st), 0);

	/* TPM 1.2 */
	assert_int_equal(tpm1_get_version_info(&fx->ch, &v), TSS_SUCCESS);
	assert_int_equal(v.major, 1);
	assert_int_equal(v.minor, 2);

	/* An endorsement key, readable before an owner exists (checksum checked). */
	assert_int_equal(tpm1_read_pubek(&fx->ch, &ek), TSS_SUCCESS);
	assert_int_equal(ek.algorithm, TPM_ALG_RSA);
	assert_int_equal(ek.key_bits, 2048);
	assert_int_equal(ek.modulus_len, 256);
	assert_int_equal(ek.enc_scheme, TPM_ES_RSAESOAEP_SHA1_MGF1);

	/* Enabled, activated, no owner, owner install allowed. */
	assert_int_equal(tpm1_get_permanent_flags(&fx->ch, &perm), TSS_SUCCESS);
	assert_false(perm.disable);
	assert_false(perm.deactivated);
	assert_true(perm.ownership);
	assert_true(perm.read_pubek);
	assert_int_equal(tpm1_get_stclear_flags(&fx->ch, &vol), TSS_SUCCESS);
	assert_false(vol.deactivated);
	/* A fresh start: presence from manufacturing is not asserted any more. */
	assert_false(vol.physical_presence);
	assert_int_equal(tpm1_get_owner(&fx->ch, &owned), TSS_SUCCESS);
	assert_false(owned);
}

/* ---- PCRs ---- */

static void sha1_2(const BYTE a[20], const BYTE b[20], BYTE out[20])
{
	BYTE in[40];
	unsigned int n = 0;

	memcpy(in, a, 20);
	memcpy(in + 20, b, 20);
	assert_int_equal(EVP_Digest(in, sizeof(in), out, &n, EVP_sha1(), NULL), 1);
	assert_int_equal(n, 20);
}

static void test_pcr_extend(void **state)
{
	struct fixture *fx = *state;
	BYTE expect[20] = { 0 }, value[20], digest[20], out[20];
	uint32_t npcr = 0;
	int i;

	fx_open(fx);
	assert_int_equal(tpm1_get_prop_u32(&fx->ch, TPM_CAP_PROP_PCR, &npcr), TSS_SUCCESS);
	assert_int_equal(npcr, 24);
	assert_int_equal(tpm1_pcr_read(&fx->ch, 10, value), TSS_SUCCESS);
	assert_memory_equal(value, expect, 20);

	for (i = 0; i < 5; i++) {
		memset(digest, 0x30 + i, sizeof(digest));
		sha1_2(expect, digest, expect);
		assert_int_equal(tpm1_extend(&fx->ch, 10, digest, out), TSS_SUCCESS);
		assert_memory_equal(out, expect, 20);
	}
	assert_int_equal(tpm1_pcr_read(&fx->ch, 10, value), TSS_SUCCESS);
	assert_memory_equal(value, expect, 20);

	/* No PCR 24; the error is the TPM's own. */
	assert_int_equal(tpm1_pcr_read(&fx->ch, 24, value), TPM_E_BADINDEX);
	assert_int_equal(tpm1_extend(&fx->ch, 24, digest, NULL), TPM_E_BADINDEX);

	/* PCRs start over at the next power-on (every open is one). */
	fx_close(fx);
	fx_open(fx);
	assert_int_equal(tpm1_pcr_read(&fx->ch, 10, value), TSS_SUCCESS);
	memset(expect, 0, sizeof(expect));
	assert_memory_equal(value, expect, 20);
}

/* ---- random numbers ---- */

static void test_random_sizes(void **state)
{
	static const uint32_t sizes[] = { 0, 1, 20, 128, 1024, 4096, 100000 };
	struct fixture *fx = *state;
	static BYTE buf[100000], zero[128];
	uint32_t got;
	size_t i;

	fx_open(fx);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		got = 12345;
		assert_int_equal(tpm1_get_random(&fx->ch, sizes[i], buf, &got), TSS_SUCCESS);
		/* Never more than asked; small requests in full; big ones capped
		 * by what fits in one response. */
		assert_true(got <= sizes[i]);
		assert_true(got <= TPMDD_BUFSIZE - 14);
		if (sizes[i] <= 128)
			assert_int_equal(got, sizes[i]);
		else
			assert_true(got > 0);
		if (sizes[i] >= 20)
			assert_memory_not_equal(buf, zero, 20);
	}
}

/* ---- the state-directory lock ---- */

/* Runs this program again as a child that tries to open uri. */
static int child_open(const char *uri, char *err, size_t err_cap)
{
	int pfd[2], status = 0;
	ssize_t n;
	size_t have = 0;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 2);
		close(pfd[0]);
		execl(self_path, self_path, "--child-open", uri, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (have + 1 < err_cap && (n = read(pfd[0], err + have, err_cap - 1 - have)) > 0)
		have += (size_t)n;
	err[have] = '\0';
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Child mode: exit 0 if the open worked, 1 if ALREADY_OPENED, 2 otherwise. */
static int child_main(const char *uri)
{
	struct tpmdd *tpm = NULL;
	TSS_RESULT rc;

	log_init("child", LOG_SINK_STDERR, LOG_LVL_ERROR);
	rc = tpmdd_open(uri, &tpm);
	if (rc == TSS_SUCCESS) {
		tpmdd_close(tpm);
		return 0;
	}
	return rc == TDDL_ERROR(TDDL_E_ALREADY_OPENED) ? 1 : 2;
}

static void test_locked_against_others(void **state)
{
	struct fixture *fx = *state;
	struct tpmdd *second = NULL;
	struct tpm1_pubkey ek;
	char err[4096], expect[64];

	fx_open(fx);
	/* Another process: refused, told who holds it. */
	assert_int_equal(child_open(fx->uri, err, sizeof(err)), 1);
	snprintf(expect, sizeof(expect), "in use by pid %ld", (long)getpid());
	assert_non_null(strstr(err, expect));

	/* This process again: libtpms is one TPM per process. */
	assert_int_equal(tpmdd_open(fx->uri, &second), TDDL_ERROR(TDDL_E_ALREADY_OPENED));
	assert_null(second);

	/* Neither attempt disturbed the running TPM. */
	assert_int_equal(tpm1_read_pubek(&fx->ch, &ek), TSS_SUCCESS);

	/* Once closed, the other process may have it. */
	fx_close(fx);
	assert_int_equal(child_open(fx->uri, err, sizeof(err)), 0);
	fx_open(fx);
	assert_int_equal(tpm1_read_pubek(&fx->ch, &ek), TSS_SUCCESS);
}

static void test_bad_state_dirs(void **state)
{
	struct fixture *fx = *state;
	struct tpmdd *tpm = NULL;
	char path[PATH_MAX + 32], uri[PATH_MAX + 64];
	FILE *f;

	/* A file where the directory should be. */
	snprintf(path, sizeof(path), "%s/file", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(uri, sizeof(uri), "libtpms:%s", path);
	assert_int_not_equal(tpmdd_open(uri, &tpm), TSS_SUCCESS);
	assert_null(tpm);

	/* A directory anyone may write to. */
	snprintf(path, sizeof(path), "%s/open", fx->dir);
	assert_int_equal(mkdir(path, 0777), 0);
	assert_int_equal(chmod(path, 0777), 0);
	snprintf(uri, sizeof(uri), "libtpms:%s", path);
	assert_int_equal(tpmdd_open(uri, &tpm), TDDL_ERROR(TSS_E_BAD_PARAMETER));
	assert_null(tpm);

	/* Garbage state is refused, not run. */
	snprintf(path, sizeof(path), "%s/junk", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/junk/permall", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not a TPM", f);
	fclose(f);
	snprintf(uri, sizeof(uri), "libtpms:%s/junk", fx->dir);
	assert_int_not_equal(tpmdd_open(uri, &tpm), TSS_SUCCESS);
	assert_null(tpm);

	/* After all that, a good directory still opens (no leaked global state). */
	fx_open(fx);
}

/* ---- persistence ---- */

static void test_state_persists(void **state)
{
	struct fixture *fx = *state;
	struct tpm1_pubkey ek1, ek2;

	fx_open(fx);
	assert_int_equal(tpm1_read_pubek(&fx->ch, &ek1), TSS_SUCCESS);
	fx_close(fx);
	fx_open(fx);
	assert_int_equal(tpm1_read_pubek(&fx->ch, &ek2), TSS_SUCCESS);
	assert_int_equal(ek1.modulus_len, ek2.modulus_len);
	assert_memory_equal(ek1.modulus, ek2.modulus, ek1.modulus_len);
}

/*
 * A process killed while the TPM was being made (here: made without an
 * EK, then the mark that manufacturing leaves until it is done put back)
 * must not leave a TPM that passes for finished: the next open makes it
 * again, EK included.
 */
static void test_interrupted_manufacture(void **state)
{
	struct fixture *fx = *state;
	struct tpm1_pubkey ek;
	char mark[PATH_MAX + 32];
	FILE *f;

	setenv("TSS12_LIBTPMS_NO_EK", "1", 1);
	fx_open(fx);
	unsetenv("TSS12_LIBTPMS_NO_EK");
	assert_int_not_equal(tpm1_read_pubek(&fx->ch, &ek), TSS_SUCCESS);
	fx_close(fx);
	snprintf(mark, sizeof(mark), "%s/tpm/.manufacturing", fx->dir);
	assert_non_null(f = fopen(mark, "w"));
	fclose(f);

	fx_open(fx);
	assert_int_equal(tpm1_read_pubek(&fx->ch, &ek), TSS_SUCCESS);
	assert_int_equal(ek.modulus_len, 256);
	assert_int_not_equal(access(mark, F_OK), 0);
	fx_close(fx);
	/* Finished now: the next open keeps it. */
	fx_open(fx);
	assert_int_equal(tpm1_read_pubek(&fx->ch, &ek), TSS_SUCCESS);
}

/* ---- TakeOwnership and cancel ---- */

static const BYTE owner_secret[20] = "owner-secret-for-tst";
static const BYTE srk_secret[20] = { 0 };	/* the well-known SRK secret */

/* Builds TPM_TakeOwnership (Part 3 §6.1) on a fresh OIAP session. */
static size_t build_take_ownership(struct fixture *fx, BYTE *cmd, size_t cap)
{
	BYTE rsp[TPMDD_BUFSIZE], enc_owner[256], enc_srk[256], srk[64], digest[20], hmac[20];
	BYTE nonce_even[20];
	size_t rsp_len = sizeof(rsp), enc_len = 0, srk_len;
	struct tpm1_pubkey ek;
	struct auth_session s;
	struct buf_writer w;
	struct buf_reader r;
	uint32_t handle = 0;
	EVP_PKEY *key = NULL;
	BYTE oiap[10] = { 0, 0xc1, 0, 0, 0, 10, 0, 0, 0, 0x0a };

	assert_int_equal(tpm1_read_pubek(&fx->ch, &ek), TSS_SUCCESS);
	assert_int_equal(crypto_rsa_import_public(ek.modulus, ek.modulus_len, ek.exponent,
						  ek.exponent_len, &key), 0);
	assert_int_equal(crypto_rsa_encrypt_oaep_tcpa(key, owner_secret, 20, enc_owner,
						      sizeof(enc_owner), &enc_len), 0);
	assert_int_equal(enc_len, 256);
	assert_int_equal(crypto_rsa_encrypt_oaep_tcpa(key, srk_secret, 20, enc_srk,
						      sizeof(enc_srk), &enc_len), 0);
	crypto_rsa_free(key);

	/* The SRK template: a TPM_KEY for an RSA-2048 storage key. */
	buf_writer_init_fixed(&w, srk, sizeof(srk));
	buf_put_bytes(&w, "\x01\x01\x00\x00", 4);	/* TPM_STRUCT_VER 1.1 */
	buf_put_u16(&w, TPM_KEY_STORAGE);
	buf_put_u32(&w, 0);				/* keyFlags */
	buf_put_u8(&w, TPM_AUTH_ALWAYS);
	buf_put_u32(&w, TPM_ALG_RSA);
	buf_put_u16(&w, TPM_ES_RSAESOAEP_SHA1_MGF1);
	buf_put_u16(&w, TPM_SS_NONE);
	buf_put_u32(&w, 12);
	buf_put_u32(&w, 2048);
	buf_put_u32(&w, 2);
	buf_put_u32(&w, 0);
	buf_put_u32(&w, 0);				/* PCRInfoSize */
	buf_put_u32(&w, 0);				/* pubKey.keyLength */
	buf_put_u32(&w, 0);				/* encSize */
	assert_int_equal(buf_writer_error(&w), 0);
	srk_len = buf_writer_len(&w);

	/* OIAP */
	assert_int_equal(tpmdd_transmit(fx->tpm, oiap, sizeof(oiap), rsp, &rsp_len), TSS_SUCCESS);
	assert_int_equal(tpm1_header_code(rsp, rsp_len), 0);
	buf_reader_init(&r, rsp, rsp_len);
	buf_skip(&r, 10);
	buf_get_u32(&r, &handle);
	buf_get_bytes(&r, nonce_even, 20);
	assert_int_equal(buf_reader_done(&r), 0);
	auth_session_oiap(&s, handle, nonce_even);
	assert_int_equal(auth_session_new_nonce_odd(&s), 0);
	s.continue_session = false;

	/* 1S: ordinal, protocolID, both encrypted secrets with sizes, srkParams. */
	{
		BYTE pid[2] = { 0, TPM_PID_OWNER }, sz[4] = { 0, 0, 1, 0 };
		struct crypto_iov params[] = {
			{ pid, 2 }, { sz, 4 }, { enc_owner, 256 }, { sz, 4 }, { enc_srk, 256 },
			{ srk, srk_len },
		};

		assert_int_equal(auth_digest_request(TPM_ORD_TakeOwnership, params,
						     sizeof(params) / sizeof(params[0]), digest), 0);
	}
	assert_int_equal(auth_request_hmac(&s, owner_secret, digest, hmac), 0);

	buf_writer_init_fixed(&w, cmd, cap);
	buf_put_u16(&w, TPM_TAG_RQU_AUTH1_COMMAND);
	buf_put_u32(&w, 0);
	buf_put_u32(&w, TPM_ORD_TakeOwnership);
	buf_put_u16(&w, TPM_PID_OWNER);
	buf_put_sized(&w, enc_owner, 256);
	buf_put_sized(&w, enc_srk, 256);
	buf_put_bytes(&w, srk, srk_len);
	auth_put_request(&w, &s, hmac);
	buf_patch_u32(&w, 2, (uint32_t)buf_writer_len(&w));
	assert_int_equal(buf_writer_error(&w), 0);
	auth_session_end(&s);
	return buf_writer_len(&w);
}

struct long_call {
	struct tpmdd *tpm;
	BYTE cmd[1024];
	size_t cmd_len;
	BYTE rsp[TPMDD_BUFSIZE];
	size_t rsp_len;
	TSS_RESULT rc;
	struct timespec started;
};

static void *long_call_run(void *arg)
{
	struct long_call *c = arg;

	c->rsp_len = sizeof(c->rsp);
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	c->rc = tpmdd_transmit(c->tpm, c->cmd, c->cmd_len, c->rsp, &c->rsp_len);
	return NULL;
}

static void test_take_ownership(void **state)
{
	struct fixture *fx = *state;
	struct long_call c;
	struct tpm1_pubkey ek;
	bool owned = false;

	fx_open(fx);
	c.tpm = fx->tpm;
	c.cmd_len = build_take_ownership(fx, c.cmd, sizeof(c.cmd));
	long_call_run(&c);
	assert_int_equal(c.rc, TSS_SUCCESS);
	assert_int_equal(tpm1_header_code(c.rsp, c.rsp_len), TPM_SUCCESS);
	assert_int_equal(tpm1_get_owner(&fx->ch, &owned), TSS_SUCCESS);
	assert_true(owned);
	/* Taking ownership turns TPM_ReadPubek off (Part 3 §6.1 step 15). */
	assert_int_equal(tpm1_read_pubek(&fx->ch, &ek), TPM_E_DISABLED_CMD);
	/* A second owner is refused. */
	fx_close(fx);
	fx_open(fx);
	assert_int_equal(tpm1_get_owner(&fx->ch, &owned), TSS_SUCCESS);
	assert_true(owned);
}

#define CANCEL_ROUNDS 3
#define CANCEL_PROMPT_MS 200.0

static void test_cancel_long_command(void **state)
{
	struct fixture *fx = *state;
	double abort_ms[CANCEL_ROUNDS], full_ms[CANCEL_ROUNDS], abort_sum = 0, full_sum = 0;
	struct long_call c;
	BYTE rnd[20];
	uint32_t got = 0;
	int round, aborted = 0, tries;
	TSS_RESULT rc = 0;

	for (round = 0; round < CANCEL_ROUNDS; round++) {
		struct timespec t0;
		pthread_t t;

		/* Each round on a new TPM: the aborted command still completes. */
		if (fx->tpm) {
			fx_close(fx);
			snprintf(fx->uri, sizeof(fx->uri), "libtpms:%s/tpm%d", fx->dir, round);
		}
		fx_open(fx);
		c.tpm = fx->tpm;
		c.cmd_len = build_take_ownership(fx, c.cmd, sizeof(c.cmd));
		assert_int_equal(pthread_create(&t, NULL, long_call_run, &c), 0);
		/* Cancel as soon as the command is in flight. */
		for (tries = 0; tries < 5000; tries++) {
			clock_gettime(CLOCK_MONOTONIC, &t0);
			rc = tpmdd_cancel(fx->tpm);
			if (rc != TDDL_ERROR(TDDL_E_COMMAND_COMPLETED))
				break;
			usleep(200);
		}
		assert_int_equal(rc, TSS_SUCCESS);
		pthread_join(t, NULL);
		abort_ms[round] = ms_since(&t0);
		if (c.rc == TDDL_ERROR(TDDL_E_COMMAND_ABORTED))
			aborted++;
		else
			assert_int_equal(c.rc, TSS_SUCCESS);	/* finished before the cancel */
		assert_true(abort_ms[round] < CANCEL_PROMPT_MS);

		/* The next command waits for the abandoned one, then works. */
		assert_int_equal(tpm1_get_random(&fx->ch, sizeof(rnd), rnd, &got), TSS_SUCCESS);
		assert_int_equal(got, sizeof(rnd));
		full_ms[round] = ms_since(&c.started);
		abort_sum += abort_ms[round];
		full_sum += full_ms[round];
		print_message("round %d: %s after %.1f ms; the command took %.1f ms\n", round,
			      c.rc == TSS_SUCCESS ? "completed" : "aborted", abort_ms[round],
			      full_ms[round]);
	}
	/* Cancelling must be what made transmit return early. */
	assert_true(aborted >= CANCEL_ROUNDS - 1);
	assert_true(full_sum > abort_sum);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_manufactured, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pcr_extend, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_random_sizes, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_locked_against_others, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_state_dirs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_state_persists, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_manufacture, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_take_ownership, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_long_command, fx_setup, fx_teardown),
	};

	if (argc == 3 && strcmp(argv[1], "--child-open") == 0)
		return child_main(argv[2]);
	self_path = "/proc/self/exe";
	log_init("test_libtpms", LOG_SINK_STDERR, LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
