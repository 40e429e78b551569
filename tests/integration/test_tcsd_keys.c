/*
 * Keys, sealing, system persistent storage and the event log of our tcsd
 * ($TCSD) on an embedded TPM (libtpms in a temporary directory), driven
 * over its Unix socket by a small TSP written here on common/tcsd_wire.h
 * and common/auth.h: it computes every HMAC itself (the TCS never does).
 *
 * Covered: TakeOwnership (EK from ReadPubek, OAEP), CreateWrapKey under
 * the SRK (OSAP, ADIP), LoadKeyByBlob with the SRK's auth, Sign verified
 * with OpenSSL, wrong usage auth (TPM_AUTHFAIL), keys of another context,
 * EvictKey, Seal/Unseal bound to a PCR (TPM_WRONGPCRVAL after an
 * extend), more keys than the TPM has slots all loaded and used at once,
 * RegisterKey / Enumerate(2) / GetRegisteredKeyBlob / ByPublicInfo /
 * UnregisterKey, a restarted daemon that still finds its keys,
 * LoadKeyByUUID with the TCS_E_KM_LOADFAILED / LOADKEY_INFO round, the
 * event log, and malformed inputs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
#include <unistd.h>

#include <tss/tcs_error.h>
#include <tss/tpm.h>
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>
#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>

#include "auth.h"
#include "crypto.h"
#include "harness.h"
#include "tcsd_ordinals.h"
#include "tcsd_wire.h"
#include "tpm_structs.h"
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

static char dir[64], conf_path[128], sock_path[100], log_path[128];
static pid_t tcsd_pid = -1;
static const char *tcsd_bin;

static const uint8_t owner_secret[20] = "owner-secret-0123456";
static const uint8_t srk_secret[20];	/* the well-known secret */
static const uint8_t key_secret[20] = "key-usage-secret-abc";
static const uint8_t data_secret[20] = "sealed-data-secret-x";

#define SEAL_PCR 16

/* ---- the daemon ---- */

static void write_conf(void)
{
	FILE *f = fopen(conf_path, "w");
	int port;

	if (f == NULL || harness_free_tcp_ports(1, &port) != 0) {
		fprintf(stderr, "cannot write %s\n", conf_path);
		exit(1);
	}
	fprintf(f, "port = %d\nsystem_ps_file = %s/ps/system.data\ndevice = libtpms:%s/tpm\n"
		   "unix_socket = %s\nkernel_pcrs = 10\n", port, dir, dir, sock_path);
	fclose(f);
	chmod(conf_path, 0644);
}

static int connect_unix(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memcpy(sun.sun_path, sock_path, strlen(sock_path) + 1);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void start_tcsd(void)
{
	unlink(sock_path);
	tcsd_pid = ours_tcsd_spawn(tcsd_bin, conf_path, log_path, 0);
	if (ours_tcsd_wait_unix(tcsd_pid, sock_path, log_path) != 0)
		exit(1);
}

static void stop_tcsd(void)
{
	int status;

	if (tcsd_pid <= 0)
		return;
	status = ours_tcsd_stop_pid(tcsd_pid, -1);
	tcsd_pid = -1;
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "tcsd exit status 0x%x", status);
}

/* ---- a small TCSD client ---- */

struct reply {
	uint8_t *pkt;
	size_t len;
	struct tcsd_packet_reader r;
	uint32_t result;
	bool ok;
};

static int io_all(int fd, void *p, size_t n, bool out)
{
	uint8_t *b = p;

	while (n > 0) {
		ssize_t k = out ? write(fd, b, n) : read(fd, b, n);

		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			return -1;
		}
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static void reply_free(struct reply *rp)
{
	free(rp->pkt);
	memset(rp, 0, sizeof(*rp));
}

/* Sends the request in w (freed here) and reads the reply into rp. */
static bool call(int fd, struct tcsd_packet_writer *w, uint32_t ord, struct reply *rp)
{
	uint8_t *pkt = NULL, hdr[TCSD_HDR_SIZE];
	size_t len = 0;
	uint32_t size;

	memset(rp, 0, sizeof(*rp));
	if (tcsd_writer_finish(w, ord, &pkt, &len) != 0) {
		tcsd_writer_free(w);
		return false;
	}
	tcsd_writer_free(w);
	if (io_all(fd, pkt, len, true) != 0 || io_all(fd, hdr, sizeof(hdr), false) != 0) {
		free(pkt);
		return false;
	}
	free(pkt);
	size = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if (size < TCSD_HDR_SIZE || size > TCSD_MAX_PACKET)
		return false;
	rp->pkt = malloc(size);
	memcpy(rp->pkt, hdr, sizeof(hdr));
	if (io_all(fd, rp->pkt + TCSD_HDR_SIZE, size - TCSD_HDR_SIZE, false) != 0)
		return false;
	rp->len = size;
	if (tcsd_reader_init(&rp->r, rp->pkt, rp->len, false) != 0)
		return false;
	rp->result = tcsd_reader_code(&rp->r);
	rp->ok = true;
	return true;
}

static uint32_t open_context(int fd)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	uint32_t ctx = 0;

	tcsd_writer_init(&w, 0);
	if (call(fd, &w, TCSD_ORD_OPENCONTEXT, &rp) && rp.result == 0)
		tcsd_get_u32(&rp.r, 0, &ctx);
	reply_free(&rp);
	return ctx;
}

/* A request for ctx with n more parameter slots. */
static void req(struct tcsd_packet_writer *w, uint32_t ctx, uint32_t n)
{
	tcsd_writer_init(w, n + 1);
	tcsd_put_u32(w, 0, ctx);
}

/* ---- auth sessions, computed here ---- */

struct sess {
	uint32_t handle;
	uint8_t even[20];
	uint8_t key[20];	/* the entity secret (OIAP) or the OSAP shared secret */
	uint8_t odd[20];	/* of the command being built */
};

static bool oiap(int fd, uint32_t ctx, const uint8_t secret[20], struct sess *s)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	TPM_NONCE even;
	bool ok;

	req(&w, ctx, 0);
	ok = call(fd, &w, TCSD_ORD_OIAP, &rp) && rp.result == 0 &&
	     tcsd_get_u32(&rp.r, 0, &s->handle) == 0 && tcsd_get_nonce(&rp.r, 1, &even) == 0;
	if (ok) {
		memcpy(s->even, even.nonce, 20);
		memcpy(s->key, secret, 20);
	}
	reply_free(&rp);
	return ok;
}

static bool osap(int fd, uint32_t ctx, uint16_t et, uint32_t ev, const uint8_t secret[20],
		 struct sess *s)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	TPM_NONCE odd_osap, even, even_osap;
	bool ok;

	auth_random_nonce(odd_osap.nonce);
	req(&w, ctx, 3);
	tcsd_put_u16(&w, 1, et);
	tcsd_put_u32(&w, 2, ev);
	tcsd_put_nonce(&w, 3, &odd_osap);
	ok = call(fd, &w, TCSD_ORD_OSAP, &rp) && rp.result == 0 &&
	     tcsd_get_u32(&rp.r, 0, &s->handle) == 0 && tcsd_get_nonce(&rp.r, 1, &even) == 0 &&
	     tcsd_get_nonce(&rp.r, 2, &even_osap) == 0;
	if (ok) {
		memcpy(s->even, even.nonce, 20);
		ok = auth_osap_shared_secret(secret, even_osap.nonce, odd_osap.nonce, s->key) == 0;
	}
	reply_free(&rp);
	return ok;
}

/* Fills a for one use of s over the input digest (continueAuthSession off). */
static void sign_request(struct sess *s, const uint8_t digest[20], TPM_AUTH *a)
{
	memset(a, 0, sizeof(*a));
	auth_random_nonce(s->odd);
	a->AuthHandle = s->handle;
	memcpy(a->NonceOdd.nonce, s->odd, 20);
	a->fContinueAuthSession = FALSE;
	auth_hmac(s->key, digest, s->even, s->odd, false, a->HMAC.authdata);
}

/* ---- TPM structures the client sends ---- */

static uint8_t *key_template(bool storage, bool key12, size_t *len)
{
	struct tpm_key k = { 0 };
	uint8_t *out = NULL;

	k.key12 = key12;
	k.ver.major = 1;
	k.ver.minor = 1;
	k.key_usage = storage ? TPM_KEY_STORAGE : TPM_KEY_SIGNING;
	k.auth_data_usage = TPM_AUTH_ALWAYS;
	k.algorithm_parms.algorithm_id = TPM_ALG_RSA;
	k.algorithm_parms.enc_scheme = storage ? TPM_ES_RSAESOAEP_SHA1_MGF1 : TPM_ES_NONE;
	k.algorithm_parms.sig_scheme = storage ? TPM_SS_NONE : TPM_SS_RSASSAPKCS1v15_SHA1;
	k.algorithm_parms.kind = TPM_PARMS_RSA;
	k.algorithm_parms.rsa.key_length = 2048;
	k.algorithm_parms.rsa.num_primes = 2;
	if (tpm_key_encode(&k, &out, len) != 0)
		exit(1);
	return out;
}

/* ---- the TCS calls the tests use ---- */

static uint32_t take_ownership(int fd, uint32_t ctx)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	TPM_NONCE anti;
	const uint8_t *pub;
	uint32_t pub_len = 0, idx = 0, rc;
	struct tpm_pubkey ek;
	EVP_PKEY *ekey = NULL;
	uint8_t enc_owner[256], enc_srk[256], digest[20], ord[4] = { 0, 0, 0, 0x0d },
		pid[2] = { 0, 5 }, n1[4] = { 0, 0, 1, 0 };
	size_t eo_len = 0, es_len = 0, srk_len = 0;
	uint8_t *srk = key_template(true, false, &srk_len);
	struct sess s;
	TPM_AUTH a;

	auth_random_nonce(anti.nonce);
	req(&w, ctx, 1);
	tcsd_put_nonce(&w, 1, &anti);
	CHECK(call(fd, &w, TCSD_ORD_READPUBEK, &rp) && rp.result == 0, "ReadPubek 0x%x",
	      rp.result);
	tcsd_get_sized_ptr(&rp.r, &idx, &pub, &pub_len, 1024);
	CHECK(tpm_pubkey_decode(pub, pub_len, &ek) == 0, "EK does not parse");
	CHECK(crypto_rsa_import_public(ek.pub_key.key, ek.pub_key.key_len,
				       ek.algorithm_parms.rsa.exponent,
				       ek.algorithm_parms.rsa.exponent_len, &ekey) == 0, "EK import");
	crypto_rsa_encrypt_oaep_tcpa(ekey, owner_secret, 20, enc_owner, sizeof(enc_owner),
				     &eo_len);
	crypto_rsa_encrypt_oaep_tcpa(ekey, srk_secret, 20, enc_srk, sizeof(enc_srk), &es_len);
	crypto_rsa_free(ekey);
	tpm_pubkey_free(&ek);
	reply_free(&rp);

	CHECK(oiap(fd, ctx, owner_secret, &s), "OIAP for TakeOwnership");
	CRYPTO_SHA1_PIECES(digest, { ord, 4 }, { pid, 2 }, { n1, 4 }, { enc_owner, eo_len },
			   { n1, 4 }, { enc_srk, es_len }, { srk, srk_len });
	sign_request(&s, digest, &a);
	req(&w, ctx, 8);
	idx = 2;
	tcsd_put_u16(&w, 1, TPM_PID_OWNER);
	tcsd_put_sized(&w, &idx, enc_owner, (uint32_t)eo_len);
	tcsd_put_sized(&w, &idx, enc_srk, (uint32_t)es_len);
	tcsd_put_sized(&w, &idx, srk, (uint32_t)srk_len);
	tcsd_put_auth_in(&w, idx, &a);
	call(fd, &w, TCSD_ORD_TAKEOWNERSHIP, &rp);
	rc = rp.ok ? rp.result : 0xffffffff;
	reply_free(&rp);
	free(srk);
	return rc;
}

/* CreateWrapKey of a signing key under the SRK (OSAP, ADIP). */
static uint8_t *create_key(int fd, uint32_t ctx, size_t *len)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	struct sess s;
	TPM_AUTH a;
	TPM_ENCAUTH usage, mig;
	uint8_t digest[20], ord[4] = { 0, 0, 0, 0x1f }, pad[20], *out = NULL;
	size_t info_len = 0;
	uint8_t *info = key_template(false, true, &info_len);
	const uint8_t *blob;
	uint32_t blob_len = 0, idx = 4;

	*len = 0;
	CHECK(osap(fd, ctx, TPM_ET_KEYHANDLE, TPM_KH_SRK, srk_secret, &s), "OSAP on the SRK");
	auth_random_nonce(s.odd);
	/* usageAuth with nonceEven, migrationAuth with nonceOdd (Part 3 §10.4). */
	CRYPTO_SHA1_PIECES(pad, { s.key, 20 }, { s.even, 20 });
	for (int i = 0; i < 20; i++)
		usage.authdata[i] = key_secret[i] ^ pad[i];
	CRYPTO_SHA1_PIECES(pad, { s.key, 20 }, { s.odd, 20 });
	for (int i = 0; i < 20; i++)
		mig.authdata[i] = key_secret[i] ^ pad[i];
	CRYPTO_SHA1_PIECES(digest, { ord, 4 }, { usage.authdata, 20 }, { mig.authdata, 20 },
			   { info, info_len });
	memset(&a, 0, sizeof(a));
	a.AuthHandle = s.handle;
	memcpy(a.NonceOdd.nonce, s.odd, 20);
	auth_hmac(s.key, digest, s.even, s.odd, false, a.HMAC.authdata);
	req(&w, ctx, 6);
	tcsd_put_u32(&w, 1, TPM_KH_SRK);
	tcsd_put_encauth(&w, 2, &usage);
	tcsd_put_encauth(&w, 3, &mig);
	tcsd_put_sized(&w, &idx, info, (uint32_t)info_len);
	tcsd_put_auth_in(&w, idx, &a);
	CHECK(call(fd, &w, TCSD_ORD_CREATEWRAPKEY, &rp) && rp.result == 0, "CreateWrapKey 0x%x",
	      rp.result);
	idx = 0;
	if (rp.ok && rp.result == 0 &&
	    tcsd_get_sized_ptr(&rp.r, &idx, &blob, &blob_len, 4096) == 0) {
		out = malloc(blob_len);
		memcpy(out, blob, blob_len);
		*len = blob_len;
	}
	reply_free(&rp);
	free(info);
	return out;
}

/* LoadKeyByBlob under the SRK, with its auth. */
static uint32_t load_key(int fd, uint32_t ctx, const uint8_t *blob, size_t len,
			 uint32_t *handle)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	struct sess s;
	TPM_AUTH a, back;
	uint8_t digest[20], ord[4] = { 0, 0, 0, 0x41 };
	uint32_t idx = 2, rc;

	*handle = 0;
	if (!oiap(fd, ctx, srk_secret, &s))
		return 0xffffffff;
	CRYPTO_SHA1_PIECES(digest, { ord, 4 }, { blob, len });
	sign_request(&s, digest, &a);
	req(&w, ctx, 4);
	tcsd_put_u32(&w, 1, TPM_KH_SRK);
	tcsd_put_sized(&w, &idx, blob, (uint32_t)len);
	tcsd_put_auth_in(&w, idx, &a);
	call(fd, &w, TCSD_ORD_LOADKEYBYBLOB, &rp);
	rc = rp.ok ? rp.result : 0xffffffff;
	if (rc == 0) {
		tcsd_get_auth_out(&rp.r, 0, &back);
		tcsd_get_u32(&rp.r, 1, handle);
	}
	reply_free(&rp);
	return rc;
}

/* Sign a 20-byte digest with the key's usage secret. */
static uint32_t sign(int fd, uint32_t ctx, uint32_t key, const uint8_t *secret,
		     const uint8_t msg[20], uint8_t *sig, uint32_t *sig_len)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	struct sess s;
	TPM_AUTH a, back;
	uint8_t digest[20], ord[4] = { 0, 0, 0, 0x3c }, n20[4] = { 0, 0, 0, 20 };
	const uint8_t *p;
	uint32_t idx = 2, rc, n = 0;

	*sig_len = 0;
	if (!oiap(fd, ctx, secret, &s))
		return 0xffffffff;
	CRYPTO_SHA1_PIECES(digest, { ord, 4 }, { n20, 4 }, { msg, 20 });
	sign_request(&s, digest, &a);
	req(&w, ctx, 4);
	tcsd_put_u32(&w, 1, key);
	tcsd_put_sized(&w, &idx, msg, 20);
	tcsd_put_auth_in(&w, idx, &a);
	call(fd, &w, TCSD_ORD_SIGN, &rp);
	rc = rp.ok ? rp.result : 0xffffffff;
	idx = 1;
	if (rc == 0 && tcsd_get_auth_out(&rp.r, 0, &back) == 0 &&
	    tcsd_get_sized_ptr(&rp.r, &idx, &p, &n, 512) == 0) {
		memcpy(sig, p, n);
		*sig_len = n;
	}
	reply_free(&rp);
	return rc;
}

static EVP_PKEY *blob_public_key(const uint8_t *blob, size_t len)
{
	struct tpm_key k;
	EVP_PKEY *pk = NULL;

	if (tpm_key_decode(blob, len, &k) != 0)
		return NULL;
	crypto_rsa_import_public(k.pub_key.key, k.pub_key.key_len, k.algorithm_parms.rsa.exponent,
				 k.algorithm_parms.rsa.exponent_len, &pk);
	tpm_key_free(&k);
	return pk;
}

static uint32_t simple_u32_call(int fd, uint32_t ctx, uint32_t ord, uint32_t v)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	uint32_t rc;

	req(&w, ctx, 1);
	tcsd_put_u32(&w, 1, v);
	call(fd, &w, ord, &rp);
	rc = rp.ok ? rp.result : 0xffffffff;
	reply_free(&rp);
	return rc;
}

/* ---- tests ---- */

static uint8_t *key_blob;
static size_t key_blob_len;

static void test_keys(int fd, uint32_t ctx)
{
	uint32_t h = 0, rc, sig_len, other;
	uint8_t msg[20], sig[512];
	EVP_PKEY *pk;
	int fd2;

	key_blob = create_key(fd, ctx, &key_blob_len);
	CHECK(key_blob != NULL && key_blob_len > 500, "a wrapped key of %zu bytes", key_blob_len);
	if (key_blob == NULL)
		return;
	rc = load_key(fd, ctx, key_blob, key_blob_len, &h);
	CHECK(rc == 0 && h != 0 && h != TPM_KH_SRK, "LoadKeyByBlob 0x%x handle 0x%x", rc, h);

	crypto_random(msg, sizeof(msg));
	rc = sign(fd, ctx, h, key_secret, msg, sig, &sig_len);
	CHECK(rc == 0 && sig_len == 256, "Sign 0x%x (%u bytes)", rc, sig_len);
	pk = blob_public_key(key_blob, key_blob_len);
	CHECK(pk != NULL, "public key of the blob");
	CHECK(pk != NULL && crypto_rsa_verify_sha1(pk, msg, sig, sig_len) == 0,
	      "OpenSSL verifies the TPM's signature");
	msg[0] ^= 1;
	CHECK(pk != NULL && crypto_rsa_verify_sha1(pk, msg, sig, sig_len) != 0,
	      "and not over another digest");
	crypto_rsa_free(pk);

	/* Wrong usage secret: the TPM's verdict, passed through. */
	rc = sign(fd, ctx, h, data_secret, msg, sig, &sig_len);
	CHECK(rc == TPM_E_AUTHFAIL, "Sign with a wrong secret: 0x%x", rc);
	/* Wrong SRK secret on load. */
	{
		struct tcsd_packet_writer w;
		struct reply rp;
		struct sess s;
		TPM_AUTH a;
		uint8_t digest[20] = { 0 };
		uint32_t idx = 2;

		oiap(fd, ctx, key_secret, &s);
		sign_request(&s, digest, &a);
		req(&w, ctx, 4);
		tcsd_put_u32(&w, 1, TPM_KH_SRK);
		tcsd_put_sized(&w, &idx, key_blob, (uint32_t)key_blob_len);
		tcsd_put_auth_in(&w, idx, &a);
		call(fd, &w, TCSD_ORD_LOADKEYBYBLOB, &rp);
		CHECK(rp.ok && rp.result == TPM_E_AUTHFAIL, "LoadKey with a wrong SRK secret: 0x%x",
		      rp.result);
		reply_free(&rp);
	}

	/* Another context (another client) cannot use or evict the key. */
	fd2 = connect_unix();
	other = open_context(fd2);
	CHECK(other != 0, "second context");
	rc = sign(fd2, other, h, key_secret, msg, sig, &sig_len);
	CHECK(rc == TCS_ERROR(TCS_E_INVALID_KEYHANDLE), "Sign from another context: 0x%x", rc);
	rc = simple_u32_call(fd2, other, TCSD_ORD_EVICTKEY, h);
	CHECK(rc == TCS_ERROR(TCS_E_INVALID_KEYHANDLE), "EvictKey from another context: 0x%x", rc);
	close(fd2);

	/* Evicted, the handle is gone. */
	rc = simple_u32_call(fd, ctx, TCSD_ORD_EVICTKEY, h);
	CHECK(rc == 0, "EvictKey 0x%x", rc);
	rc = sign(fd, ctx, h, key_secret, msg, sig, &sig_len);
	CHECK(rc == TCS_ERROR(TCS_E_INVALID_KEYHANDLE), "Sign after EvictKey: 0x%x", rc);
	rc = simple_u32_call(fd, ctx, TCSD_ORD_EVICTKEY, h);
	CHECK(rc == TCS_ERROR(TCS_E_INVALID_KEYHANDLE), "second EvictKey: 0x%x", rc);

	/* A blob that is no key is refused before it reaches the TPM. */
	{
		uint8_t junk[64];
		uint32_t bad;

		memset(junk, 0x41, sizeof(junk));
		rc = load_key(fd, ctx, junk, sizeof(junk), &bad);
		CHECK(rc == TCS_ERROR(TSS_E_BAD_PARAMETER), "LoadKeyByBlob of junk: 0x%x", rc);
	}
}

/* More keys than the TPM has slots, all loaded at once and each used. */
static void test_many_keys(int fd, uint32_t ctx)
{
	enum { N = 26 };
	uint32_t h[N], rc, sig_len;
	uint8_t msg[20], sig[512];
	EVP_PKEY *pk;
	int ok_loads = 0, ok_signs = 0;

	if (key_blob == NULL)
		return;
	pk = blob_public_key(key_blob, key_blob_len);
	for (int i = 0; i < N; i++) {
		rc = load_key(fd, ctx, key_blob, key_blob_len, &h[i]);
		ok_loads += rc == 0;
		if (rc != 0)
			fprintf(stderr, "load %d: 0x%x\n", i, rc);
	}
	CHECK(ok_loads == N, "%d of %d loads", ok_loads, N);
	/* Twice round, in an order that defeats any cache that is not LRU-correct. */
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			int k = round == 0 ? i : N - 1 - i;

			crypto_random(msg, sizeof(msg));
			rc = sign(fd, ctx, h[k], key_secret, msg, sig, &sig_len);
			if (rc == 0 && pk != NULL && crypto_rsa_verify_sha1(pk, msg, sig, sig_len) == 0)
				ok_signs++;
			else
				fprintf(stderr, "sign with key %d: 0x%x\n", k, rc);
		}
	}
	CHECK(ok_signs == 2 * N, "%d of %d signatures with %d keys loaded", ok_signs, 2 * N, N);
	for (int i = 0; i < N; i++)
		simple_u32_call(fd, ctx, TCSD_ORD_EVICTKEY, h[i]);
	crypto_rsa_free(pk);
}

static bool pcr_read(int fd, uint32_t ctx, uint32_t pcr, uint8_t out[20])
{
	struct tcsd_packet_writer w;
	struct reply rp;
	TPM_DIGEST d;
	bool ok;

	req(&w, ctx, 1);
	tcsd_put_u32(&w, 1, pcr);
	ok = call(fd, &w, TCSD_ORD_PCRREAD, &rp) && rp.result == 0 &&
	     tcsd_get_digest(&rp.r, 0, &d) == 0;
	if (ok)
		memcpy(out, d.digest, 20);
	reply_free(&rp);
	return ok;
}

static uint32_t unseal(int fd, uint32_t ctx, const uint8_t *sealed, size_t len,
		       uint8_t *out, uint32_t *out_len)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	struct sess ps, ds;
	TPM_AUTH pa, da;
	uint8_t digest[20], ord[4] = { 0, 0, 0, 0x18 };
	const uint8_t *p;
	uint32_t idx = 2, rc, n = 0;

	*out_len = 0;
	if (!oiap(fd, ctx, srk_secret, &ps) || !oiap(fd, ctx, data_secret, &ds))
		return 0xffffffff;
	CRYPTO_SHA1_PIECES(digest, { ord, 4 }, { sealed, len });
	sign_request(&ps, digest, &pa);
	sign_request(&ds, digest, &da);
	req(&w, ctx, 5);
	tcsd_put_u32(&w, 1, TPM_KH_SRK);
	tcsd_put_sized(&w, &idx, sealed, (uint32_t)len);
	tcsd_put_auth_in(&w, idx, &pa);
	tcsd_put_auth_in(&w, idx + 1, &da);
	call(fd, &w, TCSD_ORD_UNSEAL, &rp);
	rc = rp.ok ? rp.result : 0xffffffff;
	idx = 2;
	if (rc == 0 && tcsd_get_auth_out(&rp.r, 0, &pa) == 0 &&
	    tcsd_get_auth_out(&rp.r, 1, &da) == 0 &&
	    tcsd_get_sized_ptr(&rp.r, &idx, &p, &n, 1024) == 0) {
		memcpy(out, p, n);
		*out_len = n;
	}
	reply_free(&rp);
	return rc;
}

static void test_seal_pcr(int fd, uint32_t ctx)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	struct tpm_pcr_info info = { 0 };
	struct tpm_pcr_composite comp;
	struct sess s;
	TPM_AUTH a;
	TPM_ENCAUTH enc;
	TPM_DIGEST ext;
	uint8_t pcr[20], pad[20], digest[20], ord[4] = { 0, 0, 0, 0x17 }, secret[32], out[64];
	uint8_t *pinfo = NULL, *sealed = NULL, be[4];
	size_t pinfo_len = 0, sealed_len = 0;
	const uint8_t *p;
	uint32_t idx = 3, n = 0, rc, out_len;

	CHECK(pcr_read(fd, ctx, SEAL_PCR, pcr), "PcrRead");
	tpm_pcr_selection_select(&info.pcr_selection, SEAL_PCR);
	info.pcr_selection.size_of_select = 3;
	tpm_pcr_composite_set(&comp, &info.pcr_selection, pcr, 1);
	tpm_pcr_composite_digest(&comp, info.digest_at_release);
	memcpy(info.digest_at_creation, info.digest_at_release, 20);
	tpm_pcr_info_encode(&info, &pinfo, &pinfo_len);

	for (int i = 0; i < 32; i++)
		secret[i] = (uint8_t)(i * 3 + 1);
	CHECK(osap(fd, ctx, TPM_ET_KEYHANDLE, TPM_KH_SRK, srk_secret, &s), "OSAP for Seal");
	CRYPTO_SHA1_PIECES(pad, { s.key, 20 }, { s.even, 20 });
	for (int i = 0; i < 20; i++)
		enc.authdata[i] = data_secret[i] ^ pad[i];
	be[0] = be[1] = be[2] = 0;
	be[3] = (uint8_t)pinfo_len;
	{
		uint8_t be32[4] = { 0, 0, 0, 32 };

		CRYPTO_SHA1_PIECES(digest, { ord, 4 }, { enc.authdata, 20 }, { be, 4 },
				   { pinfo, pinfo_len }, { be32, 4 }, { secret, 32 });
	}
	sign_request(&s, digest, &a);
	req(&w, ctx, 7);
	tcsd_put_u32(&w, 1, TPM_KH_SRK);
	tcsd_put_encauth(&w, 2, &enc);
	tcsd_put_sized(&w, &idx, pinfo, (uint32_t)pinfo_len);
	tcsd_put_sized(&w, &idx, secret, 32);
	tcsd_put_auth_in(&w, idx, &a);
	CHECK(call(fd, &w, TCSD_ORD_SEAL, &rp) && rp.result == 0, "Seal 0x%x", rp.result);
	idx = 1;
	if (rp.ok && rp.result == 0 && tcsd_get_auth_out(&rp.r, 0, &a) == 0 &&
	    tcsd_get_sized_ptr(&rp.r, &idx, &p, &n, 4096) == 0) {
		sealed = malloc(n);
		memcpy(sealed, p, n);
		sealed_len = n;
	}
	reply_free(&rp);
	free(pinfo);
	if (sealed == NULL)
		return;

	rc = unseal(fd, ctx, sealed, sealed_len, out, &out_len);
	CHECK(rc == 0 && out_len == 32 && memcmp(out, secret, 32) == 0, "Unseal 0x%x (%u bytes)",
	      rc, out_len);

	/* Move the PCR: the TPM refuses to release the secret. */
	memset(ext.digest, 0x5a, 20);
	req(&w, ctx, 2);
	tcsd_put_u32(&w, 1, SEAL_PCR);
	tcsd_put_digest(&w, 2, &ext);
	CHECK(call(fd, &w, TCSD_ORD_EXTEND, &rp) && rp.result == 0, "Extend 0x%x", rp.result);
	reply_free(&rp);
	rc = unseal(fd, ctx, sealed, sealed_len, out, &out_len);
	CHECK(rc == TPM_E_WRONGPCRVAL, "Unseal after the PCR moved: 0x%x", rc);
	free(sealed);
}

static const TSS_UUID uuid_a = { 0x7a55e0a1, 1, 2, 3, 4, { 5, 6, 7, 8, 9, 10 } };
static const TSS_UUID uuid_srk = { 0, 0, 0, 0, 0, { 0, 0, 0, 0, 0, 1 } };

static uint32_t register_key(int fd, uint32_t ctx, const TSS_UUID *uuid, const TSS_UUID *parent,
			     const uint8_t *blob, size_t len)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	uint32_t idx = 3, rc;
	static const uint8_t vendor[] = "tss12 test";

	req(&w, ctx, 6);
	tcsd_put_uuid(&w, 1, parent);
	tcsd_put_uuid(&w, 2, uuid);
	tcsd_put_sized(&w, &idx, blob, (uint32_t)len);
	tcsd_put_sized(&w, &idx, vendor, sizeof(vendor));
	call(fd, &w, TCSD_ORD_REGISTERKEY, &rp);
	rc = rp.ok ? rp.result : 0xffffffff;
	reply_free(&rp);
	return rc;
}

/* Enumerate (2 or 1) with an optional UUID: the count and whether uuid_a is listed. */
static uint32_t enumerate(int fd, uint32_t ctx, const TSS_UUID *uuid, bool two, uint32_t *count,
			  bool *has_a)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	uint32_t rc;

	*count = 0;
	*has_a = false;
	req(&w, ctx, uuid ? 1 : 0);
	if (uuid)
		tcsd_put_uuid(&w, 1, uuid);
	call(fd, &w, two ? TCSD_ORD_ENUMREGISTEREDKEYS2 : TCSD_ORD_ENUMREGISTEREDKEYS, &rp);
	rc = rp.ok ? rp.result : 0xffffffff;
	if (rc == 0 && tcsd_get_u32(&rp.r, 0, count) == 0) {
		for (uint32_t i = 0; i < *count; i++) {
			TSS_KM_KEYINFO2 k2;
			TSS_KM_KEYINFO k1;
			TSS_UUID u;

			if (two) {
				if (tcsd_get_km_keyinfo2(&rp.r, i + 1, &k2, 4096) != 0)
					break;
				u = k2.keyUUID;
				CHECK(k2.persistentStorageType == TSS_PS_TYPE_SYSTEM, "psType");
				tcsd_km_keyinfo2_free(&k2);
			} else {
				if (tcsd_get_km_keyinfo(&rp.r, i + 1, &k1, 4096) != 0)
					break;
				u = k1.keyUUID;
				if (memcmp(&u, &uuid_a, sizeof(u)) == 0) {
					CHECK(k1.ulVendorDataLength == 11 &&
					      memcmp(k1.rgbVendorData, "tss12 test", 11) == 0,
					      "vendor data");
					CHECK(k1.versionInfo.bMajor == 1 && k1.versionInfo.bMinor == 2,
					      "TPM_KEY12 reported as 1.2");
					CHECK(k1.bAuthDataUsage == TPM_AUTH_ALWAYS, "authDataUsage");
				}
				tcsd_km_keyinfo_free(&k1);
			}
			if (memcmp(&u, &uuid_a, sizeof(u)) == 0)
				*has_a = true;
		}
		CHECK(tcsd_reader_done(&rp.r) == 0, "enumeration reply parsed whole");
	}
	reply_free(&rp);
	return rc;
}

static void test_registration(int fd, uint32_t ctx)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	uint32_t rc, count, idx;
	bool has_a;
	struct tpm_key k;

	if (key_blob == NULL)
		return;
	rc = register_key(fd, ctx, &uuid_a, &uuid_srk, key_blob, key_blob_len);
	CHECK(rc == 0, "RegisterKey 0x%x", rc);
	rc = register_key(fd, ctx, &uuid_a, &uuid_srk, key_blob, key_blob_len);
	CHECK(rc == TCS_ERROR(TSS_E_KEY_ALREADY_REGISTERED), "RegisterKey twice: 0x%x", rc);
	rc = register_key(fd, ctx, &uuid_srk, &uuid_srk, key_blob, key_blob_len - 7);
	CHECK(rc == TCS_ERROR(TSS_E_BAD_PARAMETER), "RegisterKey of a cut blob: 0x%x", rc);

	rc = enumerate(fd, ctx, NULL, false, &count, &has_a);
	CHECK(rc == 0 && count >= 1 && has_a, "Enumerate: 0x%x, %u keys", rc, count);
	rc = enumerate(fd, ctx, NULL, true, &count, &has_a);
	CHECK(rc == 0 && count >= 1 && has_a, "Enumerate2: 0x%x, %u keys", rc, count);
	rc = enumerate(fd, ctx, &uuid_a, false, &count, &has_a);
	CHECK(rc == 0 && count >= 1 && has_a, "Enumerate(uuid): 0x%x, %u keys", rc, count);
	{
		const TSS_UUID nobody = { 1, 1, 1, 1, 1, { 1, 1, 1, 1, 1, 1 } };

		rc = enumerate(fd, ctx, &nobody, false, &count, &has_a);
		CHECK(rc == TCS_ERROR(TSS_E_PS_KEY_NOTFOUND), "Enumerate(unknown): 0x%x", rc);
		req(&w, ctx, 1);
		tcsd_put_uuid(&w, 1, &nobody);
		call(fd, &w, TCSD_ORD_GETREGISTEREDKEYBLOB, &rp);
		CHECK(rp.ok && rp.result == TCS_ERROR(TSS_E_PS_KEY_NOTFOUND),
		      "GetRegisteredKeyBlob(unknown): 0x%x", rp.result);
		reply_free(&rp);
	}

	/* The blob comes back, by UUID and by its public key. */
	req(&w, ctx, 1);
	tcsd_put_uuid(&w, 1, &uuid_a);
	call(fd, &w, TCSD_ORD_GETREGISTEREDKEYBLOB, &rp);
	{
		const uint8_t *p;
		uint32_t n = 0;

		idx = 0;
		CHECK(rp.ok && rp.result == 0 && tcsd_get_sized_ptr(&rp.r, &idx, &p, &n, 4096) == 0 &&
		      n == key_blob_len && memcmp(p, key_blob, n) == 0,
		      "GetRegisteredKeyBlob 0x%x", rp.result);
	}
	reply_free(&rp);
	if (tpm_key_decode(key_blob, key_blob_len, &k) == 0) {
		const uint8_t *p;
		uint32_t n = 0;

		idx = 2;
		req(&w, ctx, 3);
		tcsd_put_u32(&w, 1, TPM_ALG_RSA);
		tcsd_put_sized(&w, &idx, k.pub_key.key, k.pub_key.key_len);
		call(fd, &w, TCSD_ORD_GETREGISTEREDKEYBYPUBLICINFO, &rp);
		idx = 0;
		CHECK(rp.ok && rp.result == 0 && tcsd_get_sized_ptr(&rp.r, &idx, &p, &n, 4096) == 0 &&
		      n == key_blob_len, "GetRegisteredKeyByPublicInfo 0x%x", rp.result);
		reply_free(&rp);
		k.pub_key.key[10] ^= 1;
		idx = 2;
		req(&w, ctx, 3);
		tcsd_put_u32(&w, 1, TPM_ALG_RSA);
		tcsd_put_sized(&w, &idx, k.pub_key.key, k.pub_key.key_len);
		call(fd, &w, TCSD_ORD_GETREGISTEREDKEYBYPUBLICINFO, &rp);
		CHECK(rp.ok && rp.result == TCS_ERROR(TSS_E_PS_KEY_NOTFOUND),
		      "ByPublicInfo of another key: 0x%x", rp.result);
		reply_free(&rp);
		tpm_key_free(&k);
	}
}

/*
 * LoadKeyByUUID: the key needs the SRK's auth, so the first round ends
 * in TCS_E_KM_LOADFAILED with a LOADKEY_INFO to authorise; the second
 * round carries it.
 */
static void test_load_by_uuid(int fd, uint32_t ctx)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	TCS_LOADKEY_INFO info;
	struct sess s;
	uint32_t h = 0, rc, sig_len;
	uint8_t msg[20], sig[512], digest[20], ord[4] = { 0, 0, 0, 0x41 };
	bool have_info = false;

	if (key_blob == NULL)
		return;
	memset(&info, 0, sizeof(info));
	req(&w, ctx, 2);
	tcsd_put_uuid(&w, 1, &uuid_a);
	tcsd_put_loadkey_info(&w, 2, &info);
	call(fd, &w, TCSD_ORD_LOADKEYBYUUID, &rp);
	CHECK(rp.ok && rp.result == TCS_ERROR(TCS_E_KM_LOADFAILED),
	      "LoadKeyByUUID without the SRK's auth: 0x%x", rp.result);
	if (rp.ok && tcsd_param_present(&rp.r, 0) && tcsd_get_loadkey_info(&rp.r, 0, &info) == 0)
		have_info = true;
	reply_free(&rp);
	CHECK(have_info, "the KM_LOADFAILED reply carries a LOADKEY_INFO");
	if (!have_info)
		return;
	CRYPTO_SHA1_PIECES(digest, { ord, 4 }, { key_blob, key_blob_len });
	CHECK(memcmp(&info.keyUUID, &uuid_a, sizeof(uuid_a)) == 0 &&
	      memcmp(&info.parentKeyUUID, &uuid_srk, sizeof(uuid_srk)) == 0 &&
	      memcmp(info.paramDigest.digest, digest, 20) == 0, "LOADKEY_INFO contents");
	CHECK(oiap(fd, ctx, srk_secret, &s), "OIAP");
	sign_request(&s, info.paramDigest.digest, &info.authData);
	req(&w, ctx, 2);
	tcsd_put_uuid(&w, 1, &uuid_a);
	tcsd_put_loadkey_info(&w, 2, &info);
	call(fd, &w, TCSD_ORD_LOADKEYBYUUID, &rp);
	CHECK(rp.ok && rp.result == 0 && tcsd_get_u32(&rp.r, 0, &h) == 0,
	      "LoadKeyByUUID with the SRK's auth: 0x%x", rp.result);
	reply_free(&rp);
	crypto_random(msg, sizeof(msg));
	rc = sign(fd, ctx, h, key_secret, msg, sig, &sig_len);
	CHECK(rc == 0, "Sign with the key loaded by UUID: 0x%x", rc);
	simple_u32_call(fd, ctx, TCSD_ORD_EVICTKEY, h);
}

static void test_unregister(int fd, uint32_t ctx)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	uint32_t count, rc;
	bool has_a;

	req(&w, ctx, 1);
	tcsd_put_uuid(&w, 1, &uuid_a);
	CHECK(call(fd, &w, TCSD_ORD_UNREGISTERKEY, &rp) && rp.result == 0, "UnregisterKey 0x%x",
	      rp.result);
	reply_free(&rp);
	req(&w, ctx, 1);
	tcsd_put_uuid(&w, 1, &uuid_a);
	CHECK(call(fd, &w, TCSD_ORD_UNREGISTERKEY, &rp) &&
	      rp.result == TCS_ERROR(TSS_E_PS_KEY_NOTFOUND), "UnregisterKey twice: 0x%x",
	      rp.result);
	reply_free(&rp);
	rc = enumerate(fd, ctx, NULL, false, &count, &has_a);
	CHECK(rc == 0 && !has_a, "gone from the enumeration");
}

static void test_evlog(int fd, uint32_t ctx)
{
	struct tcsd_packet_writer w;
	struct reply rp;
	TSS_PCR_EVENT ev, got;
	uint8_t value[20], data[] = "an application event";
	uint32_t number = 99, count = 0;

	memset(&ev, 0, sizeof(ev));
	memset(value, 0x11, sizeof(value));
	ev.versionInfo.bMajor = 1;
	ev.versionInfo.bMinor = 2;
	ev.ulPcrIndex = 9;
	ev.eventType = 0x0d;
	ev.ulPcrValueLength = 20;
	ev.rgbPcrValue = value;
	ev.ulEventLength = sizeof(data);
	ev.rgbEvent = data;
	for (uint32_t i = 0; i < 3; i++) {
		req(&w, ctx, 1);
		tcsd_put_pcr_event(&w, 1, &ev);
		CHECK(call(fd, &w, TCSD_ORD_LOGPCREVENT, &rp) && rp.result == 0 &&
		      tcsd_get_u32(&rp.r, 0, &number) == 0 && number == i,
		      "LogPcrEvent 0x%x number %u", rp.result, number);
		reply_free(&rp);
	}
	/* kernel_pcrs = 10 in the configuration: not for applications. */
	ev.ulPcrIndex = 10;
	req(&w, ctx, 1);
	tcsd_put_pcr_event(&w, 1, &ev);
	CHECK(call(fd, &w, TCSD_ORD_LOGPCREVENT, &rp) && rp.result == TCS_ERROR(TSS_E_FAIL),
	      "LogPcrEvent on a kernel PCR: 0x%x", rp.result);
	reply_free(&rp);
	ev.ulPcrIndex = 99;
	req(&w, ctx, 1);
	tcsd_put_pcr_event(&w, 1, &ev);
	CHECK(call(fd, &w, TCSD_ORD_LOGPCREVENT, &rp) &&
	      rp.result == TCS_ERROR(TSS_E_BAD_PARAMETER), "LogPcrEvent on PCR 99: 0x%x",
	      rp.result);
	reply_free(&rp);

	/* GetPcrEvent: count, then one event. */
	req(&w, ctx, 3);
	tcsd_put_u32(&w, 1, 9);
	tcsd_put_u32(&w, 2, 0);
	tcsd_put_u8(&w, 3, 1);
	CHECK(call(fd, &w, TCSD_ORD_GETPCREVENT, &rp) && rp.result == 0 &&
	      tcsd_get_u32(&rp.r, 0, &count) == 0 && count == 3, "GetPcrEvent count %u", count);
	reply_free(&rp);
	req(&w, ctx, 3);
	tcsd_put_u32(&w, 1, 9);
	tcsd_put_u32(&w, 2, 2);
	tcsd_put_u8(&w, 3, 0);
	memset(&got, 0, sizeof(got));
	CHECK(call(fd, &w, TCSD_ORD_GETPCREVENT, &rp) && rp.result == 0 &&
	      tcsd_get_u32(&rp.r, 0, &number) == 0 &&
	      tcsd_get_pcr_event(&rp.r, 1, &got, 64, 4096) == 0 && got.ulPcrIndex == 9 &&
	      got.ulEventLength == sizeof(data) && memcmp(got.rgbEvent, data, sizeof(data)) == 0,
	      "GetPcrEvent(9, 2) 0x%x", rp.result);
	tcsd_pcr_event_free(&got);
	reply_free(&rp);
	req(&w, ctx, 3);
	tcsd_put_u32(&w, 1, 9);
	tcsd_put_u32(&w, 2, 3);
	tcsd_put_u8(&w, 3, 0);
	CHECK(call(fd, &w, TCSD_ORD_GETPCREVENT, &rp) &&
	      rp.result == TCS_ERROR(TSS_E_BAD_PARAMETER), "GetPcrEvent past the end: 0x%x",
	      rp.result);
	reply_free(&rp);

	/* By PCR: a window larger than the log gives what there is. */
	req(&w, ctx, 3);
	tcsd_put_u32(&w, 1, 9);
	tcsd_put_u32(&w, 2, 1);
	tcsd_put_u32(&w, 3, 100);
	CHECK(call(fd, &w, TCSD_ORD_GETPCREVENTBYPCR, &rp) && rp.result == 0 &&
	      tcsd_get_u32(&rp.r, 0, &count) == 0 && count == 2, "GetPcrEventsByPcr: %u", count);
	reply_free(&rp);
	req(&w, ctx, 0);
	CHECK(call(fd, &w, TCSD_ORD_GETPCREVENTLOG, &rp) && rp.result == 0 &&
	      tcsd_get_u32(&rp.r, 0, &count) == 0 && count == 3, "GetPcrEventLog: %u", count);
	reply_free(&rp);
}

int main(void)
{
	struct passwd *pw;
	char env[200], ps_dir[128];
	uint32_t ctx, rc, count;
	bool has_a;
	int fd;

	tcsd_bin = getenv("TCSD");
	if (tcsd_bin == NULL || access(tcsd_bin, X_OK) != 0)
		harness_skip("no tcsd binary ($TCSD=%s)", tcsd_bin ? tcsd_bin : "unset");
	signal(SIGPIPE, SIG_IGN);
	if (harness_mkdtemp("tcsd-keys", dir, sizeof(dir)) != 0)
		harness_skip("temporary directory path too long for a unix socket");
	snprintf(ps_dir, sizeof(ps_dir), "%s/ps", dir);
	mkdir(ps_dir, 0700);
	if (geteuid() == 0) {
		if ((pw = getpwnam("tss")) == NULL)
			harness_skip("running as root without a tss user");
		if (chown(dir, pw->pw_uid, pw->pw_gid) != 0 || chmod(dir, 0755) != 0 ||
		    chown(ps_dir, pw->pw_uid, pw->pw_gid) != 0)
			return 1;
	}
	snprintf(conf_path, sizeof(conf_path), "%s/tcsd.conf", dir);
	snprintf(sock_path, sizeof(sock_path), "%s/tcsd.sock", dir);
	snprintf(log_path, sizeof(log_path), "%s/tcsd.log", dir);
	snprintf(env, sizeof(env), "TCSD_TEST_LOG=%s", log_path);
	putenv(env);
	write_conf();
	start_tcsd();

	fd = connect_unix();
	ctx = open_context(fd);
	CHECK(ctx != 0, "OpenContext");
	rc = take_ownership(fd, ctx);
	CHECK(rc == 0, "TakeOwnership 0x%x", rc);
	if (rc == 0) {
		test_keys(fd, ctx);
		test_many_keys(fd, ctx);
		test_seal_pcr(fd, ctx);
		test_registration(fd, ctx);
		test_load_by_uuid(fd, ctx);
	}
	test_evlog(fd, ctx);
	close(fd);

	/* A restarted daemon still has the registered key. */
	stop_tcsd();
	start_tcsd();
	fd = connect_unix();
	ctx = open_context(fd);
	rc = enumerate(fd, ctx, NULL, true, &count, &has_a);
	CHECK(rc == 0 && has_a, "after a restart: 0x%x, %u keys", rc, count);
	if (key_blob != NULL) {
		test_load_by_uuid(fd, ctx);
		test_unregister(fd, ctx);
	}
	close(fd);
	stop_tcsd();

	if (failures > 0) {
		fprintf(stderr, "--- tcsd log ---\n");
		system("tail -n 60 \"$TCSD_TEST_LOG\" >&2");
	}
	free(key_blob);
	harness_rmtree(dir);
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
