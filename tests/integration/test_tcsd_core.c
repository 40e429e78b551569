/*
 * The tcsd daemon core against a real embedded TPM: our tcsd binary
 * ($TCSD) on libtpms in a temporary directory, driven over TCP and its
 * Unix socket by a small client built on common/tcsd_wire.h.
 *
 * Covers: contexts, capabilities, random, PCRs, self test, EK, auth
 * sessions (including more sessions than the TPM has slots), context
 * ownership, bad packets (unknown ordinal, wrong types, truncated,
 * oversized, inconsistent headers, random bytes), 300 simultaneous
 * clients and the max_connections cap,
 * a SIGKILLed client's sessions released, SIGHUP reload,
 * SIGTERM clean exit, configuration errors, and (as root) the drop to
 * the tss user.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/evp.h>

#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>
#include <tss/tpm.h>
#include <tss/tpm_error.h>

#include "harness.h"
#include "tcsd_ordinals.h"
#include "tcs_client.h"
#include "tcsd_wire.h"
#include "trousers_tcsd.h"

static int failures, checks;

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		checks++;                                                       \
		if (!(cond)) {                                                  \
			failures++;                                             \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
		}                                                               \
	} while (0)

/* Short enough for sun_path; harness_mkdtemp names fit easily. */
static char dir[64], conf_path[128], sock_path[100], log_path[128];
static int port;
static pid_t tcsd_pid = -1;
static const char *tcsd_bin;

/* ---- files and the daemon ---- */

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
	chmod(path, mode);
}

static void write_conf(const char *extra)
{
	char text[8192];

	snprintf(text, sizeof(text),
		 "# test configuration\n"
		 "port = %d\n"
		 "system_ps_file = %s/system.data\n"
		 "device = libtpms:%s/tpm\n"
		 "unix_socket = %s\n"
		 "kernel_pcrs = 11,12\n"
		 "max_connections = 400\n"
		 "%s",
		 port, dir, dir, sock_path, extra);
	write_file(conf_path, text, 0644);
}

static bool log_contains(const char *needle)
{
	FILE *f = fopen(log_path, "r");
	char *line = NULL;
	size_t cap = 0;
	bool found = false;

	if (f == NULL)
		return false;
	while (!found && getline(&line, &cap, f) > 0)
		found = strstr(line, needle) != NULL;
	free(line);
	fclose(f);
	return found;
}

static pid_t spawn_tcsd(const char *conf, const char *log)
{
	return ours_tcsd_spawn(tcsd_bin, conf, log, OURS_TCSD_DEBUG);
}

static void start_tcsd(void)
{
	tcsd_pid = spawn_tcsd(conf_path, log_path);
	if (ours_tcsd_wait_unix(tcsd_pid, sock_path, log_path) != 0)
		exit(1);
}

static uint32_t open_context(int fd)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint32_t ctx = 0, version = 0;

	tcsd_writer_init(&w, 0);
	if (!tcs_call(fd, &w, TCSD_ORD_OPENCONTEXT, &rp) || rp.result != 0)
		return 0;
	tcsd_get_u32(&rp.r, 0, &ctx);
	tcsd_get_u32(&rp.r, 1, &version);
	CHECK(version == 2, "tpm_version %u", version);
	tcs_reply_free(&rp);
	return ctx;
}

static uint32_t close_context(int fd, uint32_t ctx)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint32_t rc;

	tcsd_writer_init(&w, 1);
	tcsd_put_u32(&w, 0, ctx);
	if (!tcs_call(fd, &w, TCSD_ORD_CLOSECONTEXT, &rp))
		return 0xffffffff;
	rc = rp.result;
	tcs_reply_free(&rp);
	return rc;
}

static uint32_t get_random(int fd, uint32_t ctx, uint32_t n, uint8_t *out, uint32_t *got)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	const uint8_t *p = NULL;
	uint32_t idx = 0, rc, len = 0;

	*got = 0;
	tcsd_writer_init(&w, 2);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, n);
	if (!tcs_call(fd, &w, TCSD_ORD_GETRANDOM, &rp))
		return 0xffffffff;
	rc = rp.result;
	if (rc == 0 && tcsd_get_sized_ptr(&rp.r, &idx, &p, &len, 1u << 20) == 0 && out != NULL) {
		memcpy(out, p, len);
		*got = len;
	}
	tcs_reply_free(&rp);
	return rc;
}

static uint32_t pcr_read(int fd, uint32_t ctx, uint32_t pcr, TPM_DIGEST *d)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint32_t rc;

	tcsd_writer_init(&w, 2);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, pcr);
	if (!tcs_call(fd, &w, TCSD_ORD_PCRREAD, &rp))
		return 0xffffffff;
	rc = rp.result;
	if (rc == 0)
		tcsd_get_digest(&rp.r, 0, d);
	tcs_reply_free(&rp);
	return rc;
}

static uint32_t extend(int fd, uint32_t ctx, uint32_t pcr, const TPM_DIGEST *in, TPM_DIGEST *out)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint32_t rc;

	tcsd_writer_init(&w, 3);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, pcr);
	tcsd_put_digest(&w, 2, in);
	if (!tcs_call(fd, &w, TCSD_ORD_EXTEND, &rp))
		return 0xffffffff;
	rc = rp.result;
	if (rc == 0)
		tcsd_get_digest(&rp.r, 0, out);
	tcs_reply_free(&rp);
	return rc;
}

static uint32_t oiap(int fd, uint32_t ctx, uint32_t *handle)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	TPM_NONCE n;
	uint32_t rc;

	*handle = 0;
	tcsd_writer_init(&w, 1);
	tcsd_put_u32(&w, 0, ctx);
	if (!tcs_call(fd, &w, TCSD_ORD_OIAP, &rp))
		return 0xffffffff;
	rc = rp.result;
	if (rc == 0) {
		tcsd_get_u32(&rp.r, 0, handle);
		tcsd_get_nonce(&rp.r, 1, &n);
		CHECK(tcsd_reader_done(&rp.r) == 0, "OIAP reply shape");
	}
	tcs_reply_free(&rp);
	return rc;
}

static uint32_t terminate_handle(int fd, uint32_t ctx, uint32_t handle)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint32_t rc;

	tcsd_writer_init(&w, 2);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, handle);
	if (!tcs_call(fd, &w, TCSD_ORD_TERMINATEHANDLE, &rp))
		return 0xffffffff;
	rc = rp.result;
	tcs_reply_free(&rp);
	return rc;
}

/* TPM_GetCapability through the TCS; resp copied into out. */
static uint32_t tpm_get_cap(int fd, uint32_t ctx, uint32_t area, uint32_t sub, bool has_sub,
			    uint8_t *out, uint32_t cap, uint32_t *out_len)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint8_t subb[4] = { (uint8_t)(sub >> 24), (uint8_t)(sub >> 16), (uint8_t)(sub >> 8),
			    (uint8_t)sub };
	const uint8_t *p = NULL;
	uint32_t idx = 2, rc, len = 0;

	*out_len = 0;
	tcsd_writer_init(&w, 4);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, area);
	tcsd_put_sized(&w, &idx, subb, has_sub ? 4 : 0);
	if (!tcs_call(fd, &w, TCSD_ORD_GETCAPABILITY, &rp))
		return 0xffffffff;
	rc = rp.result;
	idx = 0;
	if (rc == 0 && tcsd_get_sized_ptr(&rp.r, &idx, &p, &len, cap) == 0) {
		memcpy(out, p, len);
		*out_len = len;
	}
	tcs_reply_free(&rp);
	return rc;
}

/* Number of loaded TPM handles of a resource type (TPM_CAP_HANDLE). */
static int tpm_handle_count(uint32_t rt)
{
	uint8_t resp[512];
	uint32_t len;
	int fd = tcs_connect_unix(sock_path), n = -1;
	uint32_t ctx = fd >= 0 ? open_context(fd) : 0;

	if (ctx != 0 && tpm_get_cap(fd, ctx, TPM_CAP_HANDLE, rt, true, resp, sizeof(resp), &len) ==
			    0 && len >= 2)
		n = resp[0] << 8 | resp[1];
	if (fd >= 0)
		close(fd);
	return n;
}

static void sha1(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[20])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_sha1(), NULL);
	EVP_DigestUpdate(c, a, alen);
	EVP_DigestUpdate(c, b, blen);
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
}

/* ---- the tests ---- */

static void test_basic(void)
{
	int fd = tcs_connect_tcp(port);
	uint32_t ctx, got, rc, len;
	uint8_t buf[8192], resp[256];
	TPM_DIGEST before, after, d, expect;
	struct tcsd_packet_writer w;
	struct tcs_reply rp;

	CHECK(fd >= 0, "connect tcp");
	ctx = open_context(fd);
	CHECK(ctx != 0, "OpenContext");

	rc = get_random(fd, ctx, 20, buf, &got);
	CHECK(rc == 0 && got == 20, "GetRandom(20): 0x%x, %u bytes", rc, got);
	rc = get_random(fd, ctx, 5000, buf, &got);
	CHECK(rc == 0 && got == 5000, "GetRandom(5000) split: 0x%x, %u bytes", rc, got);
	rc = get_random(fd, ctx, 0, buf, &got);
	CHECK(rc == 0 && got == 0, "GetRandom(0): 0x%x", rc);
	rc = get_random(fd, ctx, 1u << 30, buf, &got);
	CHECK(rc == TCS_ERROR(TSS_E_BAD_PARAMETER), "GetRandom(1 GiB): 0x%x", rc);

	/* Extend: new = SHA1(old || digest). */
	memset(d.digest, 0x5a, sizeof(d.digest));
	CHECK(pcr_read(fd, ctx, 16, &before) == 0, "PcrRead 16");
	rc = extend(fd, ctx, 16, &d, &after);
	sha1(before.digest, 20, d.digest, 20, expect.digest);
	CHECK(rc == 0 && memcmp(after.digest, expect.digest, 20) == 0, "Extend 16: 0x%x", rc);
	CHECK(pcr_read(fd, ctx, 16, &before) == 0 && memcmp(before.digest, after.digest, 20) == 0,
	      "PcrRead after Extend");
	rc = extend(fd, ctx, 11, &d, &after);
	CHECK(rc == TCS_ERROR(TSS_E_FAIL), "Extend of a kernel PCR refused: 0x%x", rc);
	CHECK(log_contains("Extend of PCR 11 refused"), "refusal logged");
	rc = pcr_read(fd, ctx, 99, &before);
	CHECK(rc == TPM_E_BADINDEX, "PcrRead 99: 0x%x", rc);

	/* TPM capability: TPM_CAP_VERSION_VAL starts with TPM_TAG_CAP_VERSION_INFO. */
	rc = tpm_get_cap(fd, ctx, TPM_CAP_VERSION_VAL, 0, false, resp, sizeof(resp), &len);
	CHECK(rc == 0 && len >= 6 && resp[0] == 0x00 && resp[1] == 0x30 && resp[2] == 1 &&
		      resp[3] == 2, "GetCapability VERSION_VAL: 0x%x len %u", rc, len);

	/* TCS capability: version 1.2. */
	{
		uint32_t idx = 2, sub = 0;
		const uint8_t *p = NULL;

		tcsd_writer_init(&w, 4);
		tcsd_put_u32(&w, 0, ctx);
		tcsd_put_u32(&w, 1, TSS_TCSCAP_VERSION);
		tcsd_put_sized(&w, &idx, &sub, 0);
		CHECK(tcs_call(fd, &w, TCSD_ORD_TCSGETCAPABILITY, &rp) && rp.result == 0,
		      "TCSGetCapability VERSION");
		idx = 0;
		CHECK(tcsd_get_sized_ptr(&rp.r, &idx, &p, &len, 64) == 0 && len == 4 && p[0] == 1 &&
			      p[1] == 2, "TCS version 1.2");
		tcs_reply_free(&rp);

		idx = 2;
		tcsd_writer_init(&w, 4);
		tcsd_put_u32(&w, 0, ctx);
		tcsd_put_u32(&w, 1, 0x77);
		tcsd_put_sized(&w, &idx, &sub, 0);
		CHECK(tcs_call(fd, &w, TCSD_ORD_TCSGETCAPABILITY, &rp) &&
			      rp.result == TCS_ERROR(TSS_E_BAD_PARAMETER), "TCSGetCapability bad area");
		tcs_reply_free(&rp);

		sub = TSS_TCSCAP_PROP_HOST_PLATFORM;	/* host order, as TrouSerS */
		idx = 2;
		tcsd_writer_init(&w, 4);
		tcsd_put_u32(&w, 0, ctx);
		tcsd_put_u32(&w, 1, TSS_TCSCAP_PLATFORM_CLASS);
		tcsd_put_sized(&w, &idx, &sub, 4);
		CHECK(tcs_call(fd, &w, TCSD_ORD_TCSGETCAPABILITY, &rp) && rp.result == 0,
		      "TCSGetCapability PLATFORM_CLASS");
		idx = 0;
		CHECK(tcsd_get_sized_ptr(&rp.r, &idx, &p, &len, 1024) == 0 && len > 8 &&
			      p[3] == TPM_PS_PC_12, "host platform class PC_12");
		tcs_reply_free(&rp);
	}

	/* ReadPubek: checksum = SHA1(pubkey || antiReplay). */
	{
		TPM_NONCE nonce;
		TPM_DIGEST sum;
		const uint8_t *pub = NULL;
		uint32_t idx = 0;
		uint8_t want[20];

		memset(nonce.nonce, 0x33, sizeof(nonce.nonce));
		tcsd_writer_init(&w, 2);
		tcsd_put_u32(&w, 0, ctx);
		tcsd_put_nonce(&w, 1, &nonce);
		CHECK(tcs_call(fd, &w, TCSD_ORD_READPUBEK, &rp) && rp.result == 0, "ReadPubek: 0x%x",
		      rp.result);
		if (rp.result == 0) {
			CHECK(tcsd_get_sized_ptr(&rp.r, &idx, &pub, &len, 4096) == 0 && len > 256,
			      "pubek size %u", len);
			CHECK(tcsd_get_digest(&rp.r, idx, &sum) == 0, "pubek checksum");
			sha1(pub, len, nonce.nonce, 20, want);
			CHECK(memcmp(want, sum.digest, 20) == 0, "pubek checksum matches");
		}
		tcs_reply_free(&rp);
	}

	/* SelfTestFull, GetTestResult. */
	tcsd_writer_init(&w, 1);
	tcsd_put_u32(&w, 0, ctx);
	CHECK(tcs_call(fd, &w, TCSD_ORD_SELFTESTFULL, &rp) && rp.result == 0, "SelfTestFull 0x%x",
	      rp.result);
	tcs_reply_free(&rp);
	tcsd_writer_init(&w, 1);
	tcsd_put_u32(&w, 0, ctx);
	CHECK(tcs_call(fd, &w, TCSD_ORD_GETTESTRESULT, &rp) && rp.result == 0, "GetTestResult");
	tcs_reply_free(&rp);

	CHECK(close_context(fd, ctx) == 0, "CloseContext");
	/* A closed context is gone. */
	rc = get_random(fd, ctx, 4, buf, &got);
	CHECK(rc == TCS_ERROR(TSS_E_INVALID_HANDLE), "closed context refused: 0x%x", rc);
	close(fd);
}

static void test_contexts_isolated(void)
{
	int a = tcs_connect_tcp(port), b = tcs_connect_unix(sock_path);
	uint32_t ca = open_context(a), cb = open_context(b), got, rc;
	uint8_t buf[16];

	CHECK(ca != 0 && cb != 0 && ca != cb, "two contexts");
	rc = get_random(a, cb, 4, buf, &got);
	CHECK(rc == TCS_ERROR(TSS_E_INVALID_HANDLE), "another connection's context: 0x%x", rc);
	rc = get_random(a, ca ^ 0x1, 4, buf, &got);
	CHECK(rc == TCS_ERROR(TSS_E_INVALID_HANDLE), "made-up context: 0x%x", rc);
	CHECK(close_context(a, cb) == TCS_ERROR(TSS_E_INVALID_HANDLE), "cannot close another's");
	rc = get_random(b, cb, 4, buf, &got);
	CHECK(rc == 0, "owner still has it: 0x%x", rc);
	close(a);
	close(b);
}

static void test_auth_sessions(void)
{
	int fd = tcs_connect_tcp(port);
	uint32_t ctx = open_context(fd), h[40], rc;
	int ok = 0, n;

	CHECK(ctx != 0, "context");
	for (int i = 0; i < 40; i++)
		if (oiap(fd, ctx, &h[i]) == 0)
			ok++;
	/* libtpms has 16 session slots: the rest were made by swapping out. */
	CHECK(ok == 40, "40 OIAP sessions in one context: %d", ok);
	n = tpm_handle_count(TPM_RT_AUTH);
	CHECK(n >= 1 && n <= 16, "TPM holds %d sessions", n);
	for (int i = 0; i < 40; i++) {
		rc = terminate_handle(fd, ctx, h[i]);
		CHECK(rc == 0, "TerminateHandle #%d (0x%x): 0x%x", i, h[i], rc);
	}
	rc = terminate_handle(fd, ctx, h[0]);
	CHECK(rc == TCS_ERROR(TSS_E_INVALID_HANDLE), "terminate twice: 0x%x", rc);
	CHECK(tpm_handle_count(TPM_RT_AUTH) == 0, "no session left");
	close(fd);
}

static void test_killed_client(void)
{
	int pipefd[2], status, n;
	char c;
	pid_t child;

	if (pipe(pipefd) != 0)
		return;
	child = fork();
	if (child == 0) {
		int fd = tcs_connect_tcp(port);
		uint32_t ctx = open_context(fd), h;

		for (int i = 0; i < 5; i++)
			oiap(fd, ctx, &h);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	CHECK(read(pipefd[0], &c, 1) == 1, "child ready");
	close(pipefd[0]);
	n = tpm_handle_count(TPM_RT_AUTH);
	CHECK(n == 5, "5 sessions while the client lives: %d", n);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	for (int i = 0; i < 50 && (n = tpm_handle_count(TPM_RT_AUTH)) != 0; i++)
		usleep(20 * 1000);
	CHECK(n == 0, "sessions of the killed client released: %d left", n);
}

static void test_bad_packets(void)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint8_t hdr[TCSD_HDR_SIZE];
	int fd;
	uint32_t ctx, got;
	uint8_t buf[16];

	/* Unknown ordinal: TSS_E_FAIL, connection kept. */
	fd = tcs_connect_tcp(port);
	ctx = open_context(fd);
	tcsd_writer_init(&w, 1);
	tcsd_put_u32(&w, 0, ctx);
	CHECK(tcs_call(fd, &w, 200, &rp) && rp.result == TCS_ERROR(TSS_E_FAIL), "ordinal 200: 0x%x",
	      rp.result);
	tcs_reply_free(&rp);
	/* An ordinal TrouSerS serves with its error stub. */
	tcsd_writer_init(&w, 1);
	tcsd_put_u32(&w, 0, ctx);
	CHECK(tcs_call(fd, &w, TCSD_ORD_FREEMEMORY, &rp) && rp.result == TCS_ERROR(TSS_E_FAIL),
	      "FreeMemory: 0x%x", rp.result);
	tcs_reply_free(&rp);
	/* Wrong type: GetRandom's count sent as UINT16. */
	tcsd_writer_init(&w, 2);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u16(&w, 1, 20);
	CHECK(tcs_call(fd, &w, TCSD_ORD_GETRANDOM, &rp) && rp.result == TCS_ERROR(TSS_E_INTERNAL_ERROR),
	      "wrong type: 0x%x", rp.result);
	tcs_reply_free(&rp);
	/* Missing parameter. */
	tcsd_writer_init(&w, 1);
	tcsd_put_u32(&w, 0, ctx);
	CHECK(tcs_call(fd, &w, TCSD_ORD_GETRANDOM, &rp) && rp.result == TCS_ERROR(TSS_E_INTERNAL_ERROR),
	      "missing parameter: 0x%x", rp.result);
	tcs_reply_free(&rp);
	/* Extra parameter. */
	tcsd_writer_init(&w, 3);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, 4);
	tcsd_put_u32(&w, 2, 4);
	CHECK(tcs_call(fd, &w, TCSD_ORD_GETRANDOM, &rp) && rp.result == TCS_ERROR(TSS_E_INTERNAL_ERROR),
	      "extra parameter: 0x%x", rp.result);
	tcs_reply_free(&rp);
	/*
	 * Missing trailing parameters where the handler reads everything and
	 * checks once: refused as a bad request, never run with zeroed
	 * inputs. Quote with its nonce but no PCR selection; Seal cut after
	 * its ENCAUTH. The key is the SRK's TCS handle (0x40000000).
	 */
	{
		TPM_NONCE nonce;
		TPM_ENCAUTH enc;

		memset(&nonce, 0x5a, sizeof(nonce));
		tcsd_writer_init(&w, 6);
		tcsd_put_u32(&w, 0, ctx);
		tcsd_put_u32(&w, 1, 0x40000000);
		tcsd_put_nonce(&w, 2, &nonce);
		CHECK(tcs_call(fd, &w, TCSD_ORD_QUOTE, &rp) &&
		      rp.result == TCS_ERROR(TSS_E_INTERNAL_ERROR),
		      "Quote without PCR selection: 0x%x", rp.result);
		tcs_reply_free(&rp);
		memset(&enc, 0x5a, sizeof(enc));
		tcsd_writer_init(&w, 8);
		tcsd_put_u32(&w, 0, ctx);
		tcsd_put_u32(&w, 1, 0x40000000);
		tcsd_put_encauth(&w, 2, &enc);
		CHECK(tcs_call(fd, &w, TCSD_ORD_SEAL, &rp) &&
		      rp.result == TCS_ERROR(TSS_E_INTERNAL_ERROR),
		      "Seal without data: 0x%x", rp.result);
		tcs_reply_free(&rp);
	}
	/* No context at all. */
	tcsd_writer_init(&w, 0);
	CHECK(tcs_call(fd, &w, TCSD_ORD_GETRANDOM, &rp) && rp.result == TCS_ERROR(TSS_E_INTERNAL_ERROR),
	      "no context: 0x%x", rp.result);
	tcs_reply_free(&rp);
	CHECK(get_random(fd, ctx, 8, buf, &got) == 0 && got == 8, "connection still serves");
	close(fd);

	/* Oversized: refused from the header, before the body; then closed. */
	fd = tcs_connect_tcp(port);
	memset(hdr, 0, sizeof(hdr));
	hdr[0] = 0x00; hdr[1] = 0x20; hdr[2] = 0x00; hdr[3] = 0x00;	/* 2 MiB */
	hdr[7] = TCSD_ORD_GETRANDOM;
	tcs_send_all(fd, hdr, sizeof(hdr));
	CHECK(tcs_read_reply(fd, &rp) && rp.result == TCS_ERROR(TSS_E_INTERNAL_ERROR),
	      "oversized: error reply");
	tcs_reply_free(&rp);
	CHECK(recv(fd, buf, 1, 0) == 0, "oversized: connection closed");
	close(fd);

	/* Inconsistent header: type_offset 27. */
	fd = tcs_connect_tcp(port);
	memset(hdr, 0, sizeof(hdr));
	hdr[3] = 33;
	hdr[7] = TCSD_ORD_GETRANDOM;
	hdr[11] = 1; hdr[15] = 1; hdr[19] = 27; hdr[23] = 4; hdr[27] = 29;
	tcs_send_all(fd, hdr, sizeof(hdr));
	tcs_send_all(fd, "\x03\x00\x00\x00\x04", 5);
	CHECK(tcs_read_reply(fd, &rp) && rp.result == TCS_ERROR(TSS_E_INTERNAL_ERROR),
	      "bad type_offset: error reply");
	tcs_reply_free(&rp);
	close(fd);

	/* Truncated: a header promising 100 bytes, 50 sent, then hang up. */
	fd = tcs_connect_tcp(port);
	memset(hdr, 0, sizeof(hdr));
	hdr[3] = 100;
	tcs_send_all(fd, hdr, sizeof(hdr));
	tcs_send_all(fd, buf, 16);
	close(fd);

	/* Random packets with plausible sizes. */
	srand(12345);
	for (int i = 0; i < 300; i++) {
		uint8_t junk[600];
		size_t n = 28 + (size_t)(rand() % 500);

		for (size_t k = 0; k < n; k++)
			junk[k] = (uint8_t)rand();
		/* Half of them with a consistent size and a real ordinal. */
		if (i % 2 == 0) {
			junk[0] = 0; junk[1] = 0; junk[2] = (uint8_t)(n >> 8); junk[3] = (uint8_t)n;
			junk[4] = 0; junk[5] = 0; junk[6] = 0; junk[7] = (uint8_t)(rand() % 130);
		}
		fd = tcs_connect_tcp(port);
		if (fd < 0)
			continue;
		tcs_send_all(fd, junk, n);
		shutdown(fd, SHUT_WR);
		while (recv(fd, junk, sizeof(junk), 0) > 0)
			;
		close(fd);
	}
	fd = tcs_connect_unix(sock_path);
	ctx = open_context(fd);
	CHECK(ctx != 0 && get_random(fd, ctx, 8, buf, &got) == 0, "daemon fine after junk");
	close(fd);
	CHECK(kill(tcsd_pid, 0) == 0, "tcsd alive");
}

static void test_many_clients(void)
{
	enum { N = 300 };
	static int fds[N];
	int ok = 0;

	for (int i = 0; i < N; i++)
		fds[i] = i % 2 ? tcs_connect_tcp(port) : tcs_connect_unix(sock_path);
	for (int i = 0; i < N; i++) {
		uint32_t ctx = fds[i] >= 0 ? open_context(fds[i]) : 0, got = 0;
		uint8_t buf[16];

		if (ctx != 0 && get_random(fds[i], ctx, 16, buf, &got) == 0 && got == 16)
			ok++;
	}
	CHECK(ok == N, "%d of %d simultaneous clients served", ok, N);
	for (int i = 0; i < N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* max_connections: the connection over the cap is closed at once, cleanly. */
static void test_connection_cap(void)
{
	char conf2[160], sock2[100], log2[160], text[1024];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fds[3], port2, status;
	pid_t pid;
	uint8_t b;

	if (harness_free_tcp_ports(1, &port2) != 0)
		return;
	snprintf(conf2, sizeof(conf2), "%s/cap.conf", dir);
	snprintf(sock2, sizeof(sock2), "%s/cap.sock", dir);
	snprintf(log2, sizeof(log2), "%s/cap.log", dir);
	snprintf(text, sizeof(text),
		 "port = %d\nsystem_ps_file = %s/cap.data\ndevice = libtpms:%s/tpm2\n"
		 "unix_socket = %s\nnum_threads = 1\nmax_connections = 2\n",
		 port2, dir, dir, sock2);
	write_file(conf2, text, 0644);
	pid = spawn_tcsd(conf2, log2);
	memcpy(sun.sun_path, sock2, strlen(sock2) + 1);
	for (int i = 0; i < 200 && access(sock2, F_OK) != 0; i++)
		usleep(50 * 1000);
	usleep(100 * 1000);
	for (int i = 0; i < 3; i++) {
		fds[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fds[i], (struct sockaddr *)&sun, sizeof(sun)) != 0) {
			close(fds[i]);
			fds[i] = -1;
		}
		usleep(50 * 1000);
	}
	CHECK(fds[0] >= 0 && open_context(fds[0]) != 0, "first connection served");
	CHECK(fds[1] >= 0 && open_context(fds[1]) != 0, "second connection served");
	CHECK(fds[2] >= 0 && recv(fds[2], &b, 1, 0) == 0, "third connection closed at once");
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	status = ours_tcsd_stop_pid(pid, -1);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "capped tcsd exit 0x%x", status);
}

static void test_privileges(void)
{
	char path[64], line[256];
	FILE *f;
	struct passwd *pw = getpwnam("tss");

	if (geteuid() != 0 || pw == NULL)
		return;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tcsd_pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned int r, e, s, fs;

		if (sscanf(line, "Uid: %u %u %u %u", &r, &e, &s, &fs) == 4)
			CHECK(r == pw->pw_uid && e == pw->pw_uid && s == pw->pw_uid,
			      "uid dropped to tss: %u %u %u", r, e, s);
		if (sscanf(line, "Gid: %u %u %u %u", &r, &e, &s, &fs) == 4)
			CHECK(r == pw->pw_gid && e == pw->pw_gid && s == pw->pw_gid,
			      "gid dropped to tss: %u %u %u", r, e, s);
		if (strncmp(line, "Groups:", 7) == 0) {
			char *p = line + 7;

			while (*p == ' ' || *p == '\t')
				p++;
			CHECK(*p == '\n' || (unsigned int)atoi(p) == pw->pw_gid,
			      "no supplementary groups: %s", line);
		}
	}
	fclose(f);
}

static void test_reload(void)
{
	int fd;
	uint32_t ctx, got;
	uint8_t buf[8];

	write_conf("remote_ops = seal,random\n");
	kill(tcsd_pid, SIGHUP);
	usleep(300 * 1000);
	CHECK(log_contains("remote_ops now: seal,random"), "SIGHUP applied remote_ops");
	write_conf("no_such_option = 1\n");
	kill(tcsd_pid, SIGHUP);
	usleep(300 * 1000);
	CHECK(log_contains("unknown option \"no_such_option\""), "bad reload reported with line");
	CHECK(log_contains("reload failed"), "bad reload kept the old configuration");
	fd = tcs_connect_unix(sock_path);
	ctx = open_context(fd);
	CHECK(ctx != 0 && get_random(fd, ctx, 8, buf, &got) == 0, "serving after reloads");
	close(fd);
	write_conf("");
}

/*
 * SetTempDeactivated2 with an all-zero AUTH, as TrouSerS' libtspi sends
 * it when the operator has no secret: no auth at all, so the TPM decides
 * on physical presence. It used to be taken for a session handle 0 and
 * refused (TCS INVALID_HANDLE). Runs last on this TPM: if it succeeds,
 * the TPM stays deactivated until the next TPM_Startup.
 */
static void test_temp_deactivate_null_auth(void)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	TPM_AUTH zero;
	int fd = tcs_connect_tcp(port);
	uint32_t ctx = open_context(fd);

	memset(&zero, 0, sizeof(zero));
	tcsd_writer_init(&w, 2);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_auth_in(&w, 1, &zero);
	CHECK(tcs_call(fd, &w, TCSD_ORD_SETTEMPDEACTIVATED2, &rp), "SetTempDeactivated2 answered");
	CHECK(rp.result == TSS_SUCCESS || rp.result == TPM_E_BAD_PRESENCE,
	      "SetTempDeactivated2 with a null AUTH runs without auth: 0x%x", rp.result);
	CHECK(rp.result != TSS_SUCCESS || !tcsd_param_present(&rp.r, 0),
	      "no AUTH comes back for a null AUTH");
	tcs_reply_free(&rp);
	close(fd);
}

static void test_sigterm(void)
{
	int status = -1, fd = tcs_connect_tcp(port);
	uint32_t ctx = open_context(fd);
	struct stat st;

	CHECK(ctx != 0, "context before SIGTERM");
	status = ours_tcsd_stop_pid(tcsd_pid, 10000);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "clean exit, status 0x%x", status);
	CHECK(lstat(sock_path, &st) != 0, "unix socket removed");
	CHECK(log_contains("tcsd stopped"), "stop logged");
	tcsd_pid = -1;
	close(fd);
}

/*
 * tcsd -e, TrouSerS' drop-in environment: the TPM is the raw data channel
 * at TCSD_TCP_DEVICE_HOSTNAME:TCSD_TCP_DEVICE_PORT and nothing else (here
 * a swtpm run not-need-init, whose control channel is never touched).
 */
static void test_env_device(void)
{
	struct harness_swtpm sw;
	char state[PATH_MAX], env_log[PATH_MAX], env_conf[PATH_MAX], text[2 * PATH_MAX];
	char device_port[16];
	uint8_t buf[32];
	uint32_t ctx, got;
	TPM_DIGEST d;
	pid_t pid;
	int fd, status;

	snprintf(state, sizeof(state), "%s/env-swtpm", dir);
	if (harness_swtpm_start(&sw, state, HARNESS_SWTPM_NOT_NEED_INIT) != 0) {
		CHECK(false, "swtpm for tcsd -e");
		return;
	}
	if (harness_free_tcp_ports(1, &port) != 0)
		exit(1);
	snprintf(sock_path, sizeof(sock_path), "%s/env.sock", dir);
	snprintf(env_conf, sizeof(env_conf), "%s/env.conf", dir);
	snprintf(env_log, sizeof(env_log), "%s/env.log", dir);
	snprintf(text, sizeof(text), "port = %d\nsystem_ps_file = %s/env.data\nunix_socket = %s\n",
		 port, dir, sock_path);
	write_file(env_conf, text, 0644);

	/* The daemon inherits them; nothing else in this test reads them. */
	snprintf(device_port, sizeof(device_port), "%d", sw.port);
	setenv("TCSD_TCP_DEVICE_HOSTNAME", "127.0.0.1", 1);
	setenv("TCSD_TCP_DEVICE_PORT", device_port, 1);
	pid = ours_tcsd_spawn(tcsd_bin, env_conf, env_log, OURS_TCSD_ENV_DEVICE);
	unsetenv("TCSD_TCP_DEVICE_HOSTNAME");
	unsetenv("TCSD_TCP_DEVICE_PORT");
	if (ours_tcsd_wait_unix(pid, sock_path, env_log) != 0) {
		CHECK(false, "tcsd -e started");
		harness_swtpm_stop(&sw);
		return;
	}
	fd = tcs_connect_unix(sock_path);
	ctx = open_context(fd);
	CHECK(ctx != 0, "tcsd -e: OpenContext");
	CHECK(get_random(fd, ctx, 20, buf, &got) == 0 && got == 20, "tcsd -e: GetRandom");
	CHECK(pcr_read(fd, ctx, 0, &d) == 0, "tcsd -e: PcrRead");
	close(fd);
	/* Generous: under ASan on a loaded machine the shutdown once took over 10 s. */
	status = ours_tcsd_stop_pid(pid, 30000);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "tcsd -e stopped cleanly, status 0x%x",
	      status);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char cmd[PATH_MAX + 32];

		snprintf(cmd, sizeof(cmd), "tail -n 40 '%s' >&2", env_log);
		if (system(cmd) != 0)
			fprintf(stderr, "(no log of tcsd -e)\n");
	}
	harness_swtpm_stop(&sw);
}

/* A configuration tcsd must refuse, with this text in its message. */
static void expect_conf_error(const char *text, mode_t mode, const char *needle)
{
	char path[160], log[160];
	pid_t pid;
	int status = 0;
	char buf[4096] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/bad.conf", dir);
	snprintf(log, sizeof(log), "%s/bad.log", dir);
	unlink(log);
	write_file(path, text, mode);
	pid = spawn_tcsd(path, log);
	waitpid(pid, &status, 0);
	if ((f = fopen(log, "r")) != NULL) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		fclose(f);
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 0, "refused: %s", needle);
	CHECK(strstr(buf, needle) != NULL, "message \"%s\" in: %s", needle, buf);
}

static void test_conf_errors(void)
{
	char text[1024];

	snprintf(text, sizeof(text), "port = 1\nbogus = 2\n");
	expect_conf_error(text, 0644, "bad.conf:2: unknown option \"bogus\"");
	expect_conf_error("port = 70000\n", 0644, "bad.conf:1: port must be a number");
	expect_conf_error("port = 1\nport = 2\n", 0644, "bad.conf:2: option \"port\" given twice");
	expect_conf_error("firmware_pcrs = 0,40\n", 0644, "firmware_pcrs must be a number");
	expect_conf_error("remote_ops = seal,fly\n", 0644, "unknown operation \"fly\"");
	expect_conf_error("system_ps_file = relative\n", 0644, "absolute path");
	expect_conf_error("host_platform_class = PC_99\n", 0644, "unknown platform class");
	expect_conf_error("device = floppy\n", 0644, "device must be a tpmdd URI");
	expect_conf_error("port = 1\n", 0664, "writable by its group");
	expect_conf_error("port = 1\n", 0666, "writable by everyone");
	/* No device and no /dev/tpm0: the message names the options. */
	if (access("/dev/tpm0", F_OK) != 0)
		expect_conf_error("port = 1\n", 0644, "\"device = URI\"");
}

int main(void)
{
	struct passwd *pw;
	char env[200];

	tcsd_bin = getenv("TCSD");
	if (tcsd_bin == NULL || access(tcsd_bin, X_OK) != 0)
		harness_skip("no tcsd binary ($TCSD=%s)", tcsd_bin ? tcsd_bin : "unset");
	signal(SIGPIPE, SIG_IGN);
	if (harness_mkdtemp("tcsd-core", dir, sizeof(dir)) != 0)
		harness_skip("temporary directory path too long for a unix socket");
	/* As root, tcsd becomes tss: the state directory must be tss's. */
	if (geteuid() == 0) {
		if ((pw = getpwnam("tss")) == NULL)
			harness_skip("running as root without a tss user");
		if (chown(dir, pw->pw_uid, pw->pw_gid) != 0 || chmod(dir, 0755) != 0)
			return 1;
	}
	snprintf(conf_path, sizeof(conf_path), "%s/tcsd.conf", dir);
	snprintf(sock_path, sizeof(sock_path), "%s/tcsd.sock", dir);
	snprintf(log_path, sizeof(log_path), "%s/tcsd.log", dir);
	snprintf(env, sizeof(env), "TCSD_TEST_LOG=%s", log_path);
	putenv(env);
	if (harness_free_tcp_ports(1, &port) != 0)
		return 1;

	test_conf_errors();
	write_conf("");
	start_tcsd();
	test_privileges();
	test_basic();
	test_contexts_isolated();
	test_auth_sessions();
	test_killed_client();
	test_bad_packets();
	test_many_clients();
	test_connection_cap();
	test_reload();
	test_temp_deactivate_null_auth();
	test_sigterm();
	test_env_device();

	if (tcsd_pid > 0) {
		kill(tcsd_pid, SIGKILL);
		waitpid(tcsd_pid, NULL, 0);
	}
	if (failures > 0) {
		fprintf(stderr, "--- tcsd log ---\n");
		system("tail -n 60 \"$TCSD_TEST_LOG\" >&2");
	}
	harness_rmtree(dir);
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
