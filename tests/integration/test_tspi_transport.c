/*
 * Transport sessions end to end (issue 4 item 7): our libtspi, over TCP,
 * through a recording proxy, to a TCS daemon (ours on an embedded libtpms
 * TPM by default; TSS12_TEST_TCSD=trousers runs it against TrouSerS').
 *
 * The proxy relays the strictly alternating TCSD request/reply packets of
 * every connection and keeps every byte. It proves the point of issue 4
 * item 7: with transport encryption on, the 32-byte secret given to
 * Tspi_Data_Seal and returned by Tspi_Data_Unseal never crosses the wire
 * in plaintext, while with transport off it does (so the capture works).
 * It can also flip a byte of the next ExecuteTransport reply, to show
 * that a tampered answer is refused.
 *
 * Every check prints one line; exit 1 if any failed, 77 if no daemon.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <tss/tspi.h>
#include <tss/tss_error.h>
#include <tss/tpm_error.h>
#include <tss/tcs_defines.h>

#include "harness.h"
#include "tcsd_wire.h"
#include "trousers_tcsd.h"

static int failures;
static int checks;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	checks++;
	printf("%s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

#define CODE(rc) ((rc) & 0xfff)
#define CHECK_RC(rc, what) check((rc) == TSS_SUCCESS, "%s (0x%x)", (what), (unsigned)(rc))

/* TCSD ordinals the proxy counts (TrouSerS' numbering). */
#define ORD_ESTABLISHTRANSPORT 92
#define ORD_EXECUTETRANSPORT 93
#define ORD_RELEASETRANSPORTSIGNED 94
#define HDR 28
#define PKT_MAX (1u << 20)

/* ---- the recording proxy ---- */

static struct {
	pthread_mutex_t lock;
	unsigned char *buf;
	size_t len, cap;
	unsigned int ord_count[128];
	int tamper_next_et;		/* flip a byte of the next ExecuteTransport reply */
	int listen_fd;
	int upstream_port;
	volatile int stop;
} px = { .lock = PTHREAD_MUTEX_INITIALIZER, .listen_fd = -1 };

static void capture(const unsigned char *p, size_t n)
{
	pthread_mutex_lock(&px.lock);
	if (px.len + n > px.cap) {
		size_t cap = (px.len + n) * 2;
		unsigned char *b = realloc(px.buf, cap);

		if (b == NULL) {
			pthread_mutex_unlock(&px.lock);
			return;
		}
		px.buf = b;
		px.cap = cap;
	}
	memcpy(px.buf + px.len, p, n);
	px.len += n;
	pthread_mutex_unlock(&px.lock);
}

static void capture_reset(void)
{
	pthread_mutex_lock(&px.lock);
	px.len = 0;
	memset(px.ord_count, 0, sizeof(px.ord_count));
	pthread_mutex_unlock(&px.lock);
}

static bool captured(const unsigned char *needle, size_t n)
{
	bool found = false;

	pthread_mutex_lock(&px.lock);
	for (size_t i = 0; n > 0 && i + n <= px.len && !found; i++)
		found = memcmp(px.buf + i, needle, n) == 0;
	pthread_mutex_unlock(&px.lock);
	return found;
}

static unsigned int ord_count(unsigned int ord)
{
	unsigned int n;

	pthread_mutex_lock(&px.lock);
	n = px.ord_count[ord];
	pthread_mutex_unlock(&px.lock);
	return n;
}

static int read_full(int fd, unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = read(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int write_full(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One TCSD packet from fd into *pkt (malloc'd), its size-checked length in *n. */
static int read_packet(int fd, unsigned char **pkt, size_t *n)
{
	unsigned char hdr[HDR];
	uint32_t size;

	*pkt = NULL;
	if (read_full(fd, hdr, HDR) != 0)
		return -1;
	size = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if (size < HDR || size > PKT_MAX || (*pkt = malloc(size)) == NULL)
		return -1;
	memcpy(*pkt, hdr, HDR);
	if (read_full(fd, *pkt + HDR, size - HDR) != 0) {
		free(*pkt);
		*pkt = NULL;
		return -1;
	}
	*n = size;
	return 0;
}

static int connect_upstream(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_port = htons((uint16_t)px.upstream_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Relays one connection: request, reply, request, reply, ... */
static void *relay(void *arg)
{
	int cfd = (int)(intptr_t)arg, sfd = connect_upstream();
	unsigned char *pkt;
	size_t n;

	while (sfd >= 0) {
		uint32_t ord;
		bool tamper = false;

		if (read_packet(cfd, &pkt, &n) != 0)
			break;
		ord = (uint32_t)pkt[4] << 24 | (uint32_t)pkt[5] << 16 | (uint32_t)pkt[6] << 8 | pkt[7];
		capture(pkt, n);
		pthread_mutex_lock(&px.lock);
		if (ord < 128)
			px.ord_count[ord]++;
		if (ord == ORD_EXECUTETRANSPORT && px.tamper_next_et) {
			px.tamper_next_et = 0;
			tamper = true;
		}
		pthread_mutex_unlock(&px.lock);
		if (write_full(sfd, pkt, n) != 0) {
			free(pkt);
			break;
		}
		free(pkt);
		if (read_packet(sfd, &pkt, &n) != 0)
			break;
		capture(pkt, n);
		if (tamper && n > HDR + 1)
			pkt[n - 1] ^= 0x01;	/* the last byte: the wrapped answer's DATAw */
		if (write_full(cfd, pkt, n) != 0) {
			free(pkt);
			break;
		}
		free(pkt);
	}
	close(cfd);
	if (sfd >= 0)
		close(sfd);
	return NULL;
}

static void *acceptor(void *arg)
{
	(void)arg;
	while (!px.stop) {
		struct pollfd p = { .fd = px.listen_fd, .events = POLLIN };
		pthread_t th;
		int fd;

		if (poll(&p, 1, 100) <= 0)
			continue;
		fd = accept(px.listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		if (pthread_create(&th, NULL, relay, (void *)(intptr_t)fd) != 0) {
			close(fd);
			continue;
		}
		pthread_detach(th);
	}
	return NULL;
}

static int proxy_start(int upstream_port, int *port, pthread_t *th)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	px.upstream_port = upstream_port;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	px.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (px.listen_fd < 0 || bind(px.listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(px.listen_fd, 16) != 0 ||
	    getsockname(px.listen_fd, (struct sockaddr *)&sa, &len) != 0)
		return -1;
	*port = ntohs(sa.sin_port);
	return pthread_create(th, NULL, acceptor, NULL) == 0 ? 0 : -1;
}

/* ---- TSS helpers ---- */

static BYTE well_known[] = TSS_WELL_KNOWN_SECRET;
static const TSS_UUID srk_uuid = TSS_UUID_SRK;

static TSS_RESULT set_secret(TSS_HCONTEXT ctx, TSS_HOBJECT obj, const char *secret)
{
	TSS_HPOLICY pol;
	TSS_RESULT rc;

	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE, &pol)))
		return rc;
	if (secret == NULL)
		rc = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1, sizeof(well_known), well_known);
	else
		rc = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, (UINT32)strlen(secret),
					   (BYTE *)secret);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Policy_AssignToObject(pol, obj);
	return rc;
}

static TSS_RESULT make_key(TSS_HCONTEXT ctx, TSS_HKEY parent, TSS_FLAG flags, const char *secret,
			   TSS_HKEY *key)
{
	TSS_RESULT rc;

	if ((rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY, flags, key)))
		return rc;
	if (secret != NULL && (rc = set_secret(ctx, *key, secret)))
		return rc;
	if ((rc = Tspi_Key_CreateKey(*key, parent, 0)))
		return rc;
	return Tspi_Key_LoadKey(*key, parent);
}

static TSS_RESULT transport_mode(TSS_HCONTEXT ctx, UINT32 mode)
{
	return Tspi_SetAttribUint32(ctx, TSS_TSPATTRIB_CONTEXT_TRANSPORT,
				    TSS_TSPATTRIB_CONTEXTTRANS_MODE, mode);
}

static TSS_RESULT transport_on(TSS_HCONTEXT ctx, bool on)
{
	return Tspi_SetAttribUint32(ctx, TSS_TSPATTRIB_CONTEXT_TRANSPORT,
				    TSS_TSPATTRIB_CONTEXTTRANS_CONTROL,
				    on ? TSS_TSPATTRIB_ENABLE_TRANSPORT :
					 TSS_TSPATTRIB_DISABLE_TRANSPORT);
}

/* OpenSSL's own check of a PKCS#1 v1.5 SHA-1 signature over data. */
static int openssl_verify(const BYTE *mod, UINT32 mod_len, const BYTE *data, UINT32 data_len,
			  const BYTE *sig, UINT32 sig_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	BIGNUM *n = BN_bin2bn(mod, (int)mod_len, NULL), *e = BN_new();
	EVP_PKEY_CTX *kctx = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *pk = NULL;
	int ok = 0;

	if (bld == NULL || n == NULL || e == NULL || !BN_set_word(e, 65537) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	kctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (kctx == NULL || EVP_PKEY_fromdata_init(kctx) <= 0 ||
	    EVP_PKEY_fromdata(kctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestVerifyInit(md, NULL, EVP_sha1(), NULL, pk) != 1)
		goto out;
	ok = EVP_DigestVerify(md, sig, sig_len, data, data_len) == 1;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_CTX_free(kctx);
	EVP_PKEY_free(pk);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return ok;
}

/* ---- the checks ---- */

static TSS_HCONTEXT ctx;
static TSS_HTPM tpm;
static bool trousers_daemon;
static TSS_HKEY srk, storage_key, sign_key;

static void setup(void)
{
	TSS_HKEY srk_tmpl;
	TSS_HPOLICY pol;
	TSS_RESULT rc;

	rc = Tspi_Context_GetTpmObject(ctx, &tpm);
	CHECK_RC(rc, "GetTpmObject");
	rc = Tspi_GetPolicyObject(tpm, TSS_POLICY_USAGE, &pol);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1, sizeof(well_known),
					   well_known);
	CHECK_RC(rc, "owner policy");
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
				       TSS_KEY_TSP_SRK | TSS_KEY_AUTHORIZATION, &srk_tmpl);
	if (rc == TSS_SUCCESS)
		rc = set_secret(ctx, srk_tmpl, NULL);
	if (rc == TSS_SUCCESS)
		rc = Tspi_TPM_TakeOwnership(tpm, srk_tmpl, 0);
	CHECK_RC(rc, "TakeOwnership");
	rc = Tspi_Context_LoadKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, srk_uuid, &srk);
	if (rc == TSS_SUCCESS)
		rc = set_secret(ctx, srk, NULL);
	CHECK_RC(rc, "SRK loaded");
	rc = make_key(ctx, srk, TSS_KEY_TYPE_STORAGE | TSS_KEY_SIZE_2048 | TSS_KEY_AUTHORIZATION,
		      "transport key", &storage_key);
	CHECK_RC(rc, "storage key for the transport secret");
	rc = make_key(ctx, srk, TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 | TSS_KEY_AUTHORIZATION,
		      "signing key", &sign_key);
	CHECK_RC(rc, "signing key for CloseSignTransport");
}

/* Seals secret and unseals it; true when the round trip gave it back. */
static bool seal_unseal(const BYTE secret[32], TSS_RESULT *rc_out)
{
	TSS_HENCDATA enc;
	BYTE *out = NULL;
	UINT32 out_len = 0;
	TSS_RESULT rc;

	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_SEAL, &enc);
	if (rc == TSS_SUCCESS)
		rc = set_secret(ctx, enc, "data secret");
	if (rc == TSS_SUCCESS)
		rc = Tspi_Data_Seal(enc, srk, 32, (BYTE *)secret, 0);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Data_Unseal(enc, srk, &out_len, &out);
	*rc_out = rc;
	Tspi_Context_CloseObject(ctx, enc);
	return rc == TSS_SUCCESS && out_len == 32 && memcmp(out, secret, 32) == 0;
}

static void test_capture_plain(void)
{
	BYTE secret[32];
	TSS_RESULT rc;
	bool ok;

	RAND_bytes(secret, sizeof(secret));
	capture_reset();
	ok = seal_unseal(secret, &rc);
	check(ok, "transport off: Seal + Unseal (0x%x)", rc);
	check(captured(secret, sizeof(secret)),
	      "transport off: the secret is visible on the wire (the capture works)");
	check(ord_count(ORD_EXECUTETRANSPORT) == 0, "transport off: no ExecuteTransport");
}

static void test_encrypted(void)
{
	BYTE secret[32], *rnd = NULL, *pcr = NULL, *pcr2 = NULL, ext[20], *newval = NULL;
	UINT32 v = 0, pcr_len = 0, pcr2_len = 0, new_len = 0;
	TSS_RESULT rc;
	bool ok;

	rc = Tspi_Context_SetTransEncryptionKey(ctx, storage_key);
	CHECK_RC(rc, "SetTransEncryptionKey(storage key)");
	rc = Tspi_Context_SetTransEncryptionKey(ctx, tpm);
	check(CODE(rc) == TSS_E_INVALID_HANDLE, "SetTransEncryptionKey(TPM object) refused (0x%x)",
	      rc);
	rc = transport_mode(ctx, TSS_TSPATTRIB_TRANSPORT_DEFAULT_ENCRYPTION);
	CHECK_RC(rc, "mode: default encryption");
	rc = transport_mode(ctx, 0x40);
	check(CODE(rc) == TSS_E_INVALID_ATTRIB_DATA, "bad mode value refused (0x%x)", rc);
	rc = transport_on(ctx, true);
	CHECK_RC(rc, "transport enabled");
	rc = Tspi_GetAttribUint32(ctx, TSS_TSPATTRIB_CONTEXT_TRANSPORT,
				  TSS_TSPATTRIB_ENABLE_TRANSPORT, &v);
	check(rc == TSS_SUCCESS && v == TRUE, "GetAttrib: transport enabled (%u)", v);
	rc = Tspi_GetAttribUint32(ctx, TSS_TSPATTRIB_CONTEXT_TRANSPORT,
				  TSS_TSPATTRIB_TRANSPORT_DEFAULT_ENCRYPTION, &v);
	check(rc == TSS_SUCCESS && v == TRUE, "GetAttrib: default encryption (%u)", v);

	RAND_bytes(secret, sizeof(secret));
	capture_reset();
	ok = seal_unseal(secret, &rc);
	check(ok, "transport on: Seal + Unseal (0x%x)", rc);
	check(!captured(secret, sizeof(secret)),
	      "transport on: the secret never appears on the wire");
	check(ord_count(ORD_ESTABLISHTRANSPORT) == 1, "one EstablishTransport (%u)",
	      ord_count(ORD_ESTABLISHTRANSPORT));
	check(ord_count(ORD_EXECUTETRANSPORT) >= 4, "commands went as ExecuteTransport (%u)",
	      ord_count(ORD_EXECUTETRANSPORT));
	check(ord_count(36) == 0 && ord_count(37) == 0, "no plain Seal/Unseal on the wire");

	rc = Tspi_TPM_GetRandom(tpm, 32, &rnd);
	check(rc == TSS_SUCCESS && !captured(rnd, 32), "GetRandom in transport, not on the wire "
							"(0x%x)", rc);
	rc = Tspi_TPM_PcrRead(tpm, 16, &pcr_len, &pcr);
	check(rc == TSS_SUCCESS && pcr_len == 20, "PcrRead(16) in transport (0x%x)", rc);
	memset(ext, 0x42, sizeof(ext));
	rc = Tspi_TPM_PcrExtend(tpm, 16, sizeof(ext), ext, NULL, &new_len, &newval);
	check(rc == TSS_SUCCESS && new_len == 20, "PcrExtend(16) in transport (0x%x)", rc);
	rc = Tspi_TPM_PcrRead(tpm, 16, &pcr2_len, &pcr2);
	check(rc == TSS_SUCCESS && pcr2_len == 20 && memcmp(pcr2, newval, 20) == 0 &&
		      memcmp(pcr2, pcr, 20) != 0,
	      "PcrRead sees the extended value (0x%x)", rc);
	{
		TSS_HHASH h;
		BYTE digest[20], *sig = NULL, *mod = NULL;
		UINT32 sig_len = 0, mod_len = 0;

		memset(digest, 0x33, sizeof(digest));
		rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &h);
		if (rc == TSS_SUCCESS)
			rc = Tspi_Hash_SetHashValue(h, 20, digest);
		if (rc == TSS_SUCCESS)
			rc = Tspi_Hash_Sign(h, sign_key, &sig_len, &sig);
		CHECK_RC(rc, "Sign in transport");
		if (rc == TSS_SUCCESS)
			rc = Tspi_GetAttribData(sign_key, TSS_TSPATTRIB_RSAKEY_INFO,
						TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &mod_len, &mod);
		if (rc == TSS_SUCCESS)
			rc = Tspi_Hash_VerifySignature(h, sign_key, sig_len, sig);
		CHECK_RC(rc, "its signature verifies");
	}
	{
		/* A key made and loaded during the encrypted session, then used in it. */
		TSS_HKEY k;
		TSS_HHASH h;
		BYTE digest[20], *sig = NULL;
		UINT32 sig_len = 0;

		rc = make_key(ctx, storage_key, TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_512 |
						   TSS_KEY_NO_AUTHORIZATION, NULL, &k);
		CHECK_RC(rc, "CreateKey + LoadKey during the encrypted session");
		memset(digest, 0x44, sizeof(digest));
		if (rc == TSS_SUCCESS)
			rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &h);
		if (rc == TSS_SUCCESS)
			rc = Tspi_Hash_SetHashValue(h, 20, digest);
		if (rc == TSS_SUCCESS)
			rc = Tspi_Hash_Sign(h, k, &sig_len, &sig);
		if (rc == TSS_SUCCESS)
			rc = Tspi_Hash_VerifySignature(h, k, sig_len, sig);
		CHECK_RC(rc, "... and signs with it");
	}
}


/* More TPM commands through the encrypted session, one per row of the wrap table. */
static void test_more_wrapped(void)
{
	BYTE secret[32], *data = NULL, stir[16];
	UINT32 len = 0;
	TSS_RESULT rc;

	RAND_bytes(secret, sizeof(secret));
	memset(stir, 7, sizeof(stir));
	capture_reset();
	rc = Tspi_TPM_GetCapability(tpm, TSS_TPMCAP_VERSION_VAL, 0, NULL, &len, &data);
	check(rc == TSS_SUCCESS && len > 0, "GetCapability in transport (0x%x)", rc);
	rc = Tspi_TPM_StirRandom(tpm, sizeof(stir), stir);
	CHECK_RC(rc, "StirRandom in transport");
	rc = Tspi_Key_GetPubKey(sign_key, &len, &data);
	check(rc == TSS_SUCCESS && len > 128, "GetPubKey in transport (0x%x)", rc);
	{
		TSS_HKEY bind_key;
		TSS_HENCDATA enc;
		BYTE *out = NULL;
		UINT32 out_len = 0;

		rc = make_key(ctx, storage_key, TSS_KEY_TYPE_BIND | TSS_KEY_SIZE_512 |
						   TSS_KEY_NO_AUTHORIZATION, NULL, &bind_key);
		if (rc == TSS_SUCCESS)
			rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA,
						       TSS_ENCDATA_BIND, &enc);
		if (rc == TSS_SUCCESS)
			rc = Tspi_Data_Bind(enc, bind_key, 16, secret);
		if (rc == TSS_SUCCESS)
			rc = Tspi_Data_Unbind(enc, bind_key, &out_len, &out);
		check(rc == TSS_SUCCESS && out_len == 16 && memcmp(out, secret, 16) == 0,
		      "UnBind in transport (0x%x)", rc);
	}
	{
		TSS_HPCRS pcrs;
		TSS_VALIDATION v;
		BYTE nonce[20];

		memset(&v, 0, sizeof(v));
		memset(nonce, 9, sizeof(nonce));
		v.ulExternalDataLength = sizeof(nonce);
		v.rgbExternalData = nonce;
		rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_PCRS, TSS_PCRS_STRUCT_INFO,
					       &pcrs);
		if (rc == TSS_SUCCESS)
			rc = Tspi_PcrComposite_SelectPcrIndex(pcrs, 16);
		if (rc == TSS_SUCCESS)
			rc = Tspi_TPM_Quote(tpm, sign_key, pcrs, &v);
		check(rc == TSS_SUCCESS && v.ulValidationDataLength == 128,
		      "Quote in transport (0x%x)", rc);
	}
	{
		TSS_HNVSTORE nv;
		BYTE *out = NULL;
		UINT32 out_len = 32;

		rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_NV, 0, &nv);
		if (rc == TSS_SUCCESS)
			rc = Tspi_SetAttribUint32(nv, TSS_TSPATTRIB_NV_INDEX, 0, 0x00011101);
		if (rc == TSS_SUCCESS)
			rc = Tspi_SetAttribUint32(nv, TSS_TSPATTRIB_NV_PERMISSIONS, 0,
						  TPM_NV_PER_OWNERWRITE | TPM_NV_PER_OWNERREAD);
		if (rc == TSS_SUCCESS)
			rc = Tspi_SetAttribUint32(nv, TSS_TSPATTRIB_NV_DATASIZE, 0, 32);
		if (rc == TSS_SUCCESS)
			rc = Tspi_NV_DefineSpace(nv, 0, 0);
		CHECK_RC(rc, "NV index defined (not wrapped)");
		if (rc == TSS_SUCCESS)
			rc = Tspi_NV_WriteValue(nv, 0, 32, secret + 0);
		CHECK_RC(rc, "NV write in transport");
		if (rc == TSS_SUCCESS)
			rc = Tspi_NV_ReadValue(nv, 0, &out_len, &out);
		check(rc == TSS_SUCCESS && out_len == 32 && memcmp(out, secret, 32) == 0,
		      "NV read in transport (0x%x)", rc);
		/* Plain heap memory, as TrouSerS hands it out (tpm_nvread frees it). */
		free(out);
		Tspi_NV_ReleaseSpace(nv);
	}
	check(!captured(secret, 16), "bound, NV-written and read data never on the wire");

	rc = Tspi_TPM_SelfTestFull(tpm);
	CHECK_RC(rc, "SelfTestFull in transport");
	rc = Tspi_TPM_GetTestResult(tpm, &len, &data);
	CHECK_RC(rc, "GetTestResult in transport");
	{
		TSS_HKEY ek = 0;

		rc = Tspi_TPM_GetPubEndorsementKey(tpm, TRUE, NULL, &ek);
		CHECK_RC(rc, "OwnerReadPubek in transport");
	}
	{
		BYTE *dir = NULL;
		UINT32 dir_len = 0;

		rc = Tspi_TPM_DirRead(tpm, 0, &dir_len, &dir);
		check(rc == TSS_SUCCESS && dir_len == 20, "DirRead in transport (0x%x)", rc);
	}
}

static void test_tamper(void)
{
	BYTE *rnd = NULL;
	TSS_RESULT rc;

	pthread_mutex_lock(&px.lock);
	px.tamper_next_et = 1;
	pthread_mutex_unlock(&px.lock);
	rc = Tspi_TPM_GetRandom(tpm, 16, &rnd);
	check(CODE(rc) == TSS_E_TSP_TRANS_AUTHFAIL,
	      "a tampered ExecuteTransport reply is refused (0x%x)", rc);
	rc = Tspi_TPM_GetRandom(tpm, 16, &rnd);
	CHECK_RC(rc, "the next call opens a fresh session and works");
}

static void test_close_signed(void)
{
	TSS_VALIDATION v;
	BYTE nonce[20], secret[32], *mod = NULL, *rnd = NULL;
	UINT32 mod_len = 0;
	TSS_RESULT rc;
	bool ok;

	/* Only a logged session can end signed (Part 3 §24.3 step 7). */
	memset(&v, 0, sizeof(v));
	RAND_bytes(nonce, sizeof(nonce));
	v.ulExternalDataLength = sizeof(nonce);
	v.rgbExternalData = nonce;
	rc = Tspi_Context_CloseSignTransport(ctx, sign_key, NULL);
	check(rc == TPM_E_BAD_MODE, "CloseSignTransport of a session without log: "
				    "TPM_BAD_MODE (0x%x)", rc);
	rc = Tspi_Context_CloseSignTransport(ctx, sign_key, NULL);
	check(CODE(rc) == TSS_E_INTERNAL_ERROR, "CloseSignTransport without a session (0x%x)", rc);

	/* Authentic channel: the TPM logs every command; the signature covers the log. */
	rc = transport_mode(ctx, TSS_TSPATTRIB_TRANSPORT_AUTHENTIC_CHANNEL);
	CHECK_RC(rc, "mode: authentic channel");
	rc = transport_mode(ctx, TSS_TSPATTRIB_TRANSPORT_NO_DEFAULT_ENCRYPTION);
	CHECK_RC(rc, "mode: no encryption (a logged, authenticated channel)");
	RAND_bytes(secret, sizeof(secret));
	ok = seal_unseal(secret, &rc);
	check(ok, "logged session: Seal + Unseal (0x%x)", rc);
	{
		/* TPM_LoadKey2 wrapped: the TCS learns the key from the wrapped command. */
		TSS_HKEY k, k2;
		BYTE *blob = NULL, *rnd2 = NULL;
		UINT32 blob_len = 0;

		rc = make_key(ctx, storage_key, TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_512 |
						   TSS_KEY_NO_AUTHORIZATION, NULL, &k);
		if (rc == TSS_SUCCESS)
			rc = Tspi_GetAttribData(k, TSS_TSPATTRIB_KEY_BLOB,
						TSS_TSPATTRIB_KEYBLOB_BLOB, &blob_len, &blob);
		if (rc == TSS_SUCCESS)
			rc = Tspi_Context_LoadKeyByBlob(ctx, storage_key, blob_len, blob, &k2);
		CHECK_RC(rc, "logged session: LoadKey2 wrapped");
		if (rc == TSS_SUCCESS)
			rc = Tspi_Key_UnloadKey(k2);
		CHECK_RC(rc, "logged session: the key unloads");
		rc = Tspi_TPM_GetRandom(tpm, 4, &rnd2);
		CHECK_RC(rc, "logged session: still usable");
	}
	rc = Tspi_TPM_GetRandom(tpm, 8, &rnd);
	CHECK_RC(rc, "logged session: GetRandom");
	rc = Tspi_Context_CloseSignTransport(ctx, sign_key, &v);
	CHECK_RC(rc, "CloseSignTransport with validation data");
	check(rc == TSS_SUCCESS && v.ulDataLength == 50 && v.rgbData[0] == 0 &&
		      v.rgbData[1] == 5 && memcmp(v.rgbData + 2, "TRAN", 4) == 0 &&
		      memcmp(v.rgbData + 6, nonce, 20) == 0,
	      "TPM_SIGN_INFO: tag, \"TRAN\", our nonce (%u bytes)", v.ulDataLength);
	rc = Tspi_GetAttribData(sign_key, TSS_TSPATTRIB_RSAKEY_INFO,
				TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &mod_len, &mod);
	CHECK_RC(rc, "signing key modulus");
	check(rc == TSS_SUCCESS && v.rgbValidationData != NULL &&
		      openssl_verify(mod, mod_len, v.rgbData, v.ulDataLength,
				     v.rgbValidationData, v.ulValidationDataLength),
	      "OpenSSL verifies the transport signature over the log digest");
	if (v.rgbData != NULL && v.ulDataLength == 50) {
		v.rgbData[49] ^= 1;
		check(!openssl_verify(mod, mod_len, v.rgbData, v.ulDataLength,
				      v.rgbValidationData, v.ulValidationDataLength),
		      "... and not over a different log digest");
	}
	memset(nonce, 0, sizeof(nonce));
	v.ulExternalDataLength = 19;
	rc = Tspi_Context_CloseSignTransport(ctx, sign_key, &v);
	check(CODE(rc) == TSS_E_BAD_PARAMETER || CODE(rc) == TSS_E_INTERNAL_ERROR,
	      "CloseSignTransport with a 19-byte nonce refused (0x%x)", rc);
}

static void test_exclusive(void)
{
	TSS_HKEY pubek = 0;
	BYTE *rnd = NULL;
	TSS_RESULT rc;

	rc = transport_mode(ctx, TSS_TSPATTRIB_TRANSPORT_DEFAULT_ENCRYPTION);
	if (rc == TSS_SUCCESS)
		rc = transport_mode(ctx, TSS_TSPATTRIB_TRANSPORT_EXCLUSIVE);
	CHECK_RC(rc, "mode: exclusive, encrypted, logged");
	rc = Tspi_TPM_GetRandom(tpm, 16, &rnd);
	CHECK_RC(rc, "exclusive session: GetRandom");
	rc = Tspi_TPM_GetPubEndorsementKey(tpm, FALSE, NULL, &pubek);
	check(CODE(rc) == TSS_E_TSP_TRANS_NOTEXCLUSIVE,
	      "exclusive session: an unwrappable call fails cleanly (0x%x)", rc);
	{
		BYTE *pcr = NULL;
		UINT32 pcr_len = 0;

		rc = Tspi_TPM_PcrRead(tpm, 16, &pcr_len, &pcr);
		check(rc == TSS_SUCCESS && pcr_len == 20, "exclusive session: PcrRead (0x%x)", rc);
	}
	if (trousers_daemon) {
		/*
		 * TrouSerS' tcsd sends TPM commands of its own outside the session for
		 * any command on a key (isKeyLoaded: TPM_GetCapability) and after one
		 * that did not continue its auth session (FlushSpecific), and any such
		 * command ends an exclusive session (Part 1 §24.6). Ours does neither.
		 */
		printf("note: key commands in an exclusive session not tried on TrouSerS' tcsd\n");
		return;
	}
	{
		BYTE secret[32];
		bool ok;

		RAND_bytes(secret, sizeof(secret));
		ok = seal_unseal(secret, &rc);
		check(ok, "exclusive session: Seal + Unseal (0x%x)", rc);
	}
	rc = Tspi_Context_CloseSignTransport(ctx, sign_key, NULL);
	CHECK_RC(rc, "exclusive session closed signed");
}

static void test_errors(void)
{
	TSS_HCONTEXT c2;
	TSS_HTPM tpm2;
	TSS_HKEY srk2, key2;
	BYTE *rnd = NULL, *blob = NULL;
	UINT32 blob_len = 0;
	TSS_RESULT rc;

	/* A second context: encryption without a key, then a key with a wrong secret. */
	rc = Tspi_Context_Create(&c2);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Connect(c2, NULL);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_GetTpmObject(c2, &tpm2);
	CHECK_RC(rc, "second context");
	if (rc != TSS_SUCCESS)
		return;
	transport_mode(c2, TSS_TSPATTRIB_TRANSPORT_DEFAULT_ENCRYPTION);
	transport_on(c2, true);
	rc = Tspi_TPM_GetRandom(tpm2, 8, &rnd);
	check(CODE(rc) == TSS_E_TSP_TRANS_NO_PUBKEY,
	      "encryption without SetTransEncryptionKey refused (0x%x)", rc);

	transport_on(c2, false);
	rc = Tspi_Context_LoadKeyByUUID(c2, TSS_PS_TYPE_SYSTEM, srk_uuid, &srk2);
	if (rc == TSS_SUCCESS)
		rc = set_secret(c2, srk2, NULL);
	if (rc == TSS_SUCCESS)
		rc = Tspi_GetAttribData(storage_key, TSS_TSPATTRIB_KEY_BLOB,
					TSS_TSPATTRIB_KEYBLOB_BLOB, &blob_len, &blob);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_LoadKeyByBlob(c2, srk2, blob_len, blob, &key2);
	if (rc == TSS_SUCCESS)
		rc = set_secret(c2, key2, "not the secret");
	CHECK_RC(rc, "storage key in the second context, wrong secret");
	rc = Tspi_Context_SetTransEncryptionKey(c2, key2);
	CHECK_RC(rc, "SetTransEncryptionKey");
	transport_on(c2, true);
	rc = Tspi_TPM_GetRandom(tpm2, 8, &rnd);
	check(rc == TPM_E_AUTHFAIL || CODE(rc) == TSS_E_TSP_AUTHFAIL,
	      "transport key with a wrong secret: EstablishTransport fails (0x%x)", rc);
	rc = Tspi_Context_SetTransEncryptionKey(c2, srk2);
	CHECK_RC(rc, "SetTransEncryptionKey(SRK, no public key known)");
	rc = Tspi_TPM_GetRandom(tpm2, 8, &rnd);
	check(rc != TSS_SUCCESS, "a key without its public part cannot carry the secret (0x%x)",
	      rc);
	Tspi_Context_Close(c2);
}


/* ---- our tcsd, spoken to directly (tcsd_wire.h): refusals and clean-up ---- */

#define TCS_ERR(x) ((x) | 0x2000u)

struct raw {
	int fd;
	uint32_t ctx;
	uint8_t *reply;
	size_t len;
	struct tcsd_packet_reader r;
};

static int raw_connect(int port, struct raw *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	memset(c, 0, sizeof(*c));
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return -1;
	return 0;
}

/* Sends the request in w (then freed) and reads the reply; returns its result code. */
static uint32_t raw_call(struct raw *c, struct tcsd_packet_writer *w, uint32_t ord)
{
	uint8_t *pkt = NULL;
	size_t n = 0;
	int rc = tcsd_writer_finish(w, ord, &pkt, &n);

	tcsd_writer_free(w);
	free(c->reply);
	c->reply = NULL;
	if (rc != 0 || write_full(c->fd, pkt, n) != 0) {
		free(pkt);
		return 0xffffffffu;
	}
	free(pkt);
	if (read_packet(c->fd, &c->reply, &c->len) != 0 ||
	    tcsd_reader_init(&c->r, c->reply, c->len, false) != 0)
		return 0xfffffffeu;
	return tcsd_reader_code(&c->r);
}

static uint32_t raw_open(struct raw *c)
{
	struct tcsd_packet_writer w;
	uint32_t rc;

	tcsd_writer_init(&w, 1);
	rc = raw_call(c, &w, 1 /* OpenContext */);
	if (rc == 0)
		tcsd_get_u32(&c->r, 0, &c->ctx);
	return rc;
}

/* EstablishTransport with the static secret (TPM_KH_TRANSPORT, no encryption). */
static uint32_t raw_establish(struct raw *c, uint16_t tag, uint32_t *handle)
{
	uint8_t pub[12] = { (uint8_t)(tag >> 8), (uint8_t)tag, 0, 0, 0, 0, 0, 0, 0, 7, 0, 1 };
	uint8_t secret[20] = { 1 };
	struct tcsd_packet_writer w;
	uint32_t idx = 3, rc, loc = 0;

	tcsd_writer_init(&w, 8);
	tcsd_put_u32(&w, 0, c->ctx);
	tcsd_put_u32(&w, 1, TSS_TCSATTRIB_TRANSPORT_DEFAULT);
	tcsd_put_u32(&w, 2, TPM_KH_TRANSPORT);
	tcsd_put_sized(&w, &idx, pub, sizeof(pub));
	tcsd_put_sized(&w, &idx, secret, sizeof(secret));
	rc = raw_call(c, &w, ORD_ESTABLISHTRANSPORT);
	*handle = 0;
	if (rc == 0) {
		tcsd_get_u32(&c->r, 0, &loc);
		tcsd_get_u32(&c->r, 1, handle);
	}
	return rc;
}

/* ExecuteTransport of TPM_GetRandom(8) with n handles and a (wrong) transport HMAC. */
static uint32_t raw_execute(struct raw *c, uint32_t ordinal, uint32_t handle, uint32_t nhandles,
			    bool with_trans_auth)
{
	static const TPM_AUTH none;
	TPM_AUTH trans = { .AuthHandle = handle, .fContinueAuthSession = TRUE };
	uint8_t param[4] = { 0, 0, 0, 8 }, hl[12] = { 0 };
	struct tcsd_packet_writer w;
	uint32_t idx = 0;

	tcsd_writer_init(&w, 10);
	tcsd_put_u32(&w, idx++, c->ctx);
	tcsd_put_u32(&w, idx++, ordinal);
	tcsd_put_u32(&w, idx++, sizeof(param));
	tcsd_put_bytes(&w, idx++, param, sizeof(param));
	tcsd_put_u32(&w, idx++, nhandles);
	if (nhandles > 0)
		tcsd_put_bytes(&w, idx++, hl, 4 * nhandles);
	tcsd_put_auth_in(&w, idx++, &none);
	tcsd_put_auth_in(&w, idx++, &none);
	if (with_trans_auth)
		tcsd_put_auth_in(&w, idx++, &trans);
	return raw_call(c, &w, ORD_EXECUTETRANSPORT);
}

/* The TPM's open transport sessions (TPM_CAP_HANDLE, TPM_RT_TRANS) into h[], their count. */
static int raw_trans_handles(struct raw *c, uint32_t *h, int max)
{
	uint8_t sub[4] = { 0, 0, 0, TPM_RT_TRANS };
	const uint8_t *p = NULL;
	struct tcsd_packet_writer w;
	uint32_t idx = 2, len = 0, i0 = 0;
	int n;

	tcsd_writer_init(&w, 4);
	tcsd_put_u32(&w, 0, c->ctx);
	tcsd_put_u32(&w, 1, TPM_CAP_HANDLE);
	tcsd_put_sized(&w, &idx, sub, sizeof(sub));
	if (raw_call(c, &w, 46 /* GetCapability */) != 0 ||
	    tcsd_get_sized_ptr(&c->r, &i0, &p, &len, 1024) != 0 || len < 2)
		return -1;
	n = p[0] << 8 | p[1];
	if (n > max || len != 2u + 4u * (uint32_t)n)
		return -1;
	for (int i = 0; i < n; i++)
		h[i] = (uint32_t)p[2 + 4 * i] << 24 | (uint32_t)p[3 + 4 * i] << 16 |
		       (uint32_t)p[4 + 4 * i] << 8 | p[5 + 4 * i];
	return n;
}

static bool has_handle(const uint32_t *h, int n, uint32_t v)
{
	for (int i = 0; i < n; i++)
		if (h[i] == v)
			return true;
	return false;
}

static void raw_close(struct raw *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->reply);
	c->fd = -1;
	c->reply = NULL;
}

static void test_tcsd_wire(int port)
{
	struct raw a, b;
	uint32_t rc, ha = 0, hb = 0, h[32];
	int n = 0;

	if (raw_connect(port, &a) != 0 || raw_open(&a) != 0 || raw_connect(port, &b) != 0 ||
	    raw_open(&b) != 0) {
		check(0, "raw TCSD connections");
		return;
	}
	rc = raw_establish(&a, 0x001d, &ha);
	check(rc == TCS_ERR(TSS_E_BAD_PARAMETER),
	      "tcsd: EstablishTransport with a bad TPM_TRANSPORT_PUBLIC tag (0x%x)", rc);
	rc = raw_establish(&a, TPM_TAG_TRANSPORT_PUBLIC, &ha);
	check(rc == 0 && ha != 0, "tcsd: EstablishTransport, static secret (0x%x)", rc);
	rc = raw_execute(&a, TPM_ORD_GetRandom, ha, 3, true);
	check(rc == TCS_ERR(TSS_E_BAD_PARAMETER), "tcsd: 3 handles refused (0x%x)", rc);
	rc = raw_execute(&b, TPM_ORD_GetRandom, ha, 0, true);
	check(rc == TCS_ERR(TSS_E_INVALID_HANDLE),
	      "tcsd: another client's transport session refused (0x%x)", rc);
	rc = raw_execute(&a, TPM_ORD_EstablishTransport, ha, 0, true);
	check(rc == TPM_E_NO_WRAP_TRANSPORT, "tcsd: EstablishTransport cannot be wrapped (0x%x)",
	      rc);
	rc = raw_execute(&a, TPM_ORD_GetRandom, ha, 0, false);
	check(rc == TCS_ERR(TSS_E_INTERNAL_ERROR), "tcsd: truncated ExecuteTransport (0x%x)", rc);
	rc = raw_execute(&a, TPM_ORD_GetRandom, ha, 0, true);
	/* Part 3 §24.2 step 7.c says TPM_AUTHFAIL; libtpms answers TPM_AUTH2FAIL. */
	check(rc == TPM_E_AUTHFAIL || rc == TPM_E_AUTH2FAIL,
	      "tcsd: wrong transport HMAC refused by the TPM (0x%x)", rc);

	/* A client that goes away without CloseContext leaves no session behind. */
	rc = raw_establish(&a, TPM_TAG_TRANSPORT_PUBLIC, &ha);
	check(rc == 0, "tcsd: client A opens a transport session (0x%x)", rc);
	n = raw_trans_handles(&b, h, 32);
	check(n > 0 && has_handle(h, n, ha), "tcsd: the TPM holds A's session (%d)", n);
	raw_close(&a);
	for (int i = 0; i < 40; i++) {
		usleep(50 * 1000);
		/* B's own transport call makes the daemon flush sessions of closed contexts. */
		if ((rc = raw_establish(&b, TPM_TAG_TRANSPORT_PUBLIC, &hb)) != 0)
			break;
		n = raw_trans_handles(&b, h, 32);
		if (n >= 0 && !has_handle(h, n, ha))
			break;
	}
	check(rc == 0 && n > 0 && !has_handle(h, n, ha) && has_handle(h, n, hb),
	      "tcsd: A disconnected, its session is flushed, B's remain (%d)", n);
	raw_close(&b);
}

int main(void)
{
	struct test_tcsd t;
	pthread_t acc;
	char ups[PATH_MAX + 32], portstr[16];
	int port = 0;
	TSS_RESULT rc;

	/* Fast by default; the _trousers.sh wrapper asks for TrouSerS' daemon. */
	setenv("TSS12_TEST_TCSD", "embedded", 0);
	memset(&t, 0, sizeof(t));
	test_tcsd_start_or_skip(&t);
	snprintf(ups, sizeof(ups), "%s/user.data", t.dir);
	setenv("TSS_USER_PS_FILE", ups, 1);
	printf("daemon: %s\n", test_tcsd_name(&t));
	trousers_daemon = t.kind == TEST_TCSD_TROUSERS;
	if (proxy_start(t.port, &port, &acc) != 0) {
		check(0, "recording proxy started");
		goto out;
	}
	/* TCP through the proxy, never the Unix socket. */
	snprintf(portstr, sizeof(portstr), "%d", port);
	setenv("TSS_TCSD_HOSTNAME", "127.0.0.1", 1);
	setenv("TSS_TCSD_PORT", portstr, 1);
	unsetenv("TSS12_TCSD_SOCKET");

	rc = Tspi_Context_Create(&ctx);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Connect(ctx, NULL);
	CHECK_RC(rc, "context connected through the proxy");
	if (rc == TSS_SUCCESS) {
		setup();
		test_capture_plain();
		test_encrypted();
		test_more_wrapped();
		test_tamper();
		test_close_signed();
		test_exclusive();
		test_errors();
		if (!trousers_daemon)
			test_tcsd_wire(t.port);
	}
	Tspi_Context_Close(ctx);
	px.stop = 1;
	pthread_join(acc, NULL);
	close(px.listen_fd);
out:
	if (failures != 0)
		test_tcsd_dump_log(&t);
	test_tcsd_stop(&t);
	free(px.buf);
	printf("%d checks, %d failed\n", checks, failures);
	return failures == 0 && checks > 0 ? 0 : 1;
}
