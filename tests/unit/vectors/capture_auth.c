/*
 * capture_auth: records authorised TPM 1.2 exchanges with a real TPM
 * (libtpms, in-process) as test vectors for tests/unit/test_auth.c and
 * TPM structure vectors for tests/unit/test_tpm_structs.c.
 *
 * It manufactures a fresh TPM the way swtpm_setup does, takes ownership
 * and then runs OIAP/OSAP-authorised commands whose HMACs, encrypted
 * auth values (ADIP) and Sealx encryption are all computed by tss12's own
 * common/crypto.c and common/auth.c. Every response HMAC is verified and
 * every signature checked before anything is written, so the files only
 * hold exchanges the TPM accepted and we understood.
 *
 * Not built by make (it needs libtpms and writes into the source tree).
 * Build and run from a configured build directory, e.g.:
 *
 *   S=/path/to/tss12 B=/path/to/build
 *   gcc -std=c11 -Wall -Wextra -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED \
 *       -I$B -I$S/common -o /tmp/capture_auth $S/tests/unit/vectors/capture_auth.c \
 *       $S/common/crypto.c $S/common/auth.c $S/common/buf.c $S/common/log.c \
 *       $(pkg-config --cflags --libs libtpms libcrypto)
 *   /tmp/capture_auth $S/tests/unit/vectors
 *
 * The TPM state lives in a temporary directory (TPM_PATH) removed at exit.
 * Nonces are random, so each run writes different (equally valid) bytes.
 *
 * This is a tool, not library code: on any failure it says why and exits.
 * It parses TPM structures minimally itself, with common/buf.h, so that it
 * does not depend on the structure marshalling it produces vectors for.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>

#include "auth.h"
#include "buf.h"
#include "crypto.h"
#include "log.h"

/* ---- TPM 1.2 constants (Part 2) ---- */

#define TAG_RQU_COMMAND 0x00C1
#define TAG_RQU_AUTH1 0x00C2
#define TAG_RQU_AUTH2 0x00C3

#define ORD_OIAP 0x0000000A
#define ORD_OSAP 0x0000000B
#define ORD_TakeOwnership 0x0000000D
#define ORD_Extend 0x00000014
#define ORD_PcrRead 0x00000015
#define ORD_Quote 0x00000016
#define ORD_Seal 0x00000017
#define ORD_Unseal 0x00000018
#define ORD_CreateWrapKey 0x0000001F
#define ORD_GetPubKey 0x00000021
#define ORD_AuthorizeMigrationKey 0x0000002B
#define ORD_CertifyKey 0x00000032
#define ORD_Sign 0x0000003C
#define ORD_Sealx 0x0000003D
#define ORD_Quote2 0x0000003E
#define ORD_LoadKey2 0x00000041
#define ORD_PhysicalEnable 0x0000006F
#define ORD_PhysicalSetDeactivated 0x00000072
#define ORD_CreateEndorsementKeyPair 0x00000078
#define ORD_MakeIdentity 0x00000079
#define ORD_OwnerReadInternalPub 0x00000081
#define ORD_Startup 0x00000099
#define ORD_FlushSpecific 0x000000BA
#define ORD_CreateCounter 0x000000DC
#define ORD_IncrementCounter 0x000000DD
#define ORD_ReadCounter 0x000000DE
#define TSC_ORD_PhysicalPresence 0x4000000A

#define ST_CLEAR 0x0001
#define PP_CMD_ENABLE 0x0020
#define PP_PRESENT 0x0008
#define PID_OWNER 0x0005

#define ET_KEYHANDLE 0x0001
#define ET_OWNER 0x0002
#define KH_SRK 0x40000000
#define KH_OWNER 0x40000001
#define KH_EK 0x40000006
#define RT_KEY 0x00000001

#define ALG_RSA 0x00000001
#define ES_NONE 0x0001
#define ES_RSAESOAEP_SHA1_MGF1 0x0003
#define SS_NONE 0x0001
#define SS_RSASSAPKCS1v15_SHA1 0x0002
#define KEY_SIGNING 0x0010
#define KEY_STORAGE 0x0011
#define KEY_IDENTITY 0x0012
#define KEY_BIND 0x0014
#define KEYFLAG_MIGRATABLE 0x00000002
#define AUTH_ALWAYS 0x01
#define TAG_PCR_INFO_LONG 0x0006
#define TAG_KEY12 0x0028
#define TAG_QUOTE_INFO2 0x0036
#define MS_MIGRATE 0x0001
#define LOC_ALL 0x1F
#define LOC_ZERO 0x01

#define PCR_DEBUG 16	/* resettable, extendable from any locality */
#define MAX_MSG 8192

/* ---- failure handling: this is a tool, it stops at the first problem ---- */

static char state_dir[] = "/tmp/tss12-capture-XXXXXX";
static bool state_dir_made;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void cleanup(void)
{
	if (state_dir_made)
		nftw(state_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

__attribute__((format(printf, 1, 2), noreturn))
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("capture_auth: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

#define CHECK(expr) \
	do { \
		int check_rc_ = (expr); \
		if (check_rc_ != 0) \
			fail("%s:%d: %s returned %d", __FILE__, __LINE__, #expr, check_rc_); \
	} while (0)

/* ---- output files ---- */

static const char *out_dir;
static char tpm_desc[128];

static FILE *vec_create(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		fail("cannot create %s: %s", path, strerror(errno));
	return f;
}

static void vec_hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x%s", p[i], (i % 32 == 31 || i + 1 == n) ? "\n" : "");
}

static void vec_close(FILE *f, const char *name)
{
	if (fclose(f) != 0)
		fail("writing %s failed", name);
	printf("  wrote %s\n", name);
}

static void field_hex(FILE *f, const char *key, const uint8_t *p, size_t n)
{
	fprintf(f, "# %s=", key);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('\n', f);
}

/* A structure vector: exactly the bytes of one TPM structure. */
static void write_struct(const char *name, const char *how, const uint8_t *p, size_t n)
{
	FILE *f = vec_create(name);

	fprintf(f, "# %s; captured from %s by tests/unit/vectors/capture_auth.c\n", how, tpm_desc);
	vec_hex(f, p, n);
	vec_close(f, name);
}

/* ---- talking to libtpms ---- */

static unsigned char *lib_rsp;
static uint32_t lib_rsp_cap;

static void tpm_transmit(const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t *rsp_len)
{
	uint32_t n = 0;
	TPM_RESULT rc;

	rc = TPMLIB_Process(&lib_rsp, &n, &lib_rsp_cap, (unsigned char *)cmd, (uint32_t)cmd_len);
	if (rc != TPM_SUCCESS || n < 10 || n > MAX_MSG)
		fail("TPMLIB_Process failed (rc 0x%x, %u bytes)", rc, n);
	memcpy(rsp, lib_rsp, n);
	*rsp_len = n;
}

static uint32_t rsp_code(const uint8_t *rsp)
{
	return (uint32_t)rsp[6] << 24 | (uint32_t)rsp[7] << 16 | (uint32_t)rsp[8] << 8 | rsp[9];
}

/*
 * An unauthorised command: header, body; returns the response body after
 * the return code. If name is set the exchange is recorded.
 */
static void tpm_plain(const char *name, const char *what, uint32_t ordinal,
		      const uint8_t *body, size_t body_len, uint8_t *rsp, size_t *rsp_len)
{
	uint8_t cmd[MAX_MSG];
	struct buf_writer w;
	char fname[256];
	FILE *f;

	buf_writer_init_fixed(&w, cmd, sizeof(cmd));
	buf_put_u16(&w, TAG_RQU_COMMAND);
	buf_put_u32(&w, (uint32_t)(10 + body_len));
	buf_put_u32(&w, ordinal);
	buf_put_bytes(&w, body, body_len);
	CHECK(buf_writer_error(&w));
	tpm_transmit(cmd, w.len, rsp, rsp_len);
	if (rsp_code(rsp) != 0)
		fail("%s failed: TPM returned 0x%08x", what, rsp_code(rsp));
	if (name == NULL)
		return;
	snprintf(fname, sizeof(fname), "%s.cmd.hex", name);
	f = vec_create(fname);
	fprintf(f, "# %s request (no authorisation); sent to %s by capture_auth.c\n", what, tpm_desc);
	fprintf(f, "# ordinal=0x%08x\n# sessions=0\n", ordinal);
	vec_hex(f, cmd, w.len);
	vec_close(f, fname);
	snprintf(fname, sizeof(fname), "%s.rsp.hex", name);
	f = vec_create(fname);
	fprintf(f, "# %s response from %s\n", what, tpm_desc);
	vec_hex(f, rsp, *rsp_len);
	vec_close(f, fname);
}

static void tpm_startup(void)
{
	uint8_t body[2] = { 0, ST_CLEAR }, rsp[MAX_MSG];
	size_t n;

	tpm_plain(NULL, "TPM_Startup(ST_CLEAR)", ORD_Startup, body, sizeof(body), rsp, &n);
}

static void physical_presence(uint16_t what)
{
	uint8_t body[2] = { (uint8_t)(what >> 8), (uint8_t)what }, rsp[MAX_MSG];
	size_t n;

	tpm_plain(NULL, "TSC_PhysicalPresence", TSC_ORD_PhysicalPresence, body, 2, rsp, &n);
}

/* ---- sessions ---- */

/* A session plus what the vectors must record for a reader to redo its maths. */
struct sess {
	struct auth_session a;
	uint8_t entity_secret[AUTH_SECRET_LEN];
	uint8_t nonce_even_osap[AUTH_NONCE_LEN];
	uint8_t nonce_odd_osap[AUTH_NONCE_LEN];
};

static void record_session_exchange(const char *name, const char *what, const uint8_t *cmd,
				    size_t cmd_len, const uint8_t *rsp, size_t rsp_len,
				    const struct sess *s)
{
	char fname[256];
	FILE *f;

	snprintf(fname, sizeof(fname), "%s.cmd.hex", name);
	f = vec_create(fname);
	fprintf(f, "# %s request; sent to %s by capture_auth.c\n", what, tpm_desc);
	if (s->a.type == AUTH_SESSION_OSAP) {
		field_hex(f, "entity_secret", s->entity_secret, AUTH_SECRET_LEN);
		field_hex(f, "shared_secret", s->a.shared_secret, AUTH_SECRET_LEN);
	}
	vec_hex(f, cmd, cmd_len);
	vec_close(f, fname);
	snprintf(fname, sizeof(fname), "%s.rsp.hex", name);
	f = vec_create(fname);
	fprintf(f, "# %s response from %s\n", what, tpm_desc);
	vec_hex(f, rsp, rsp_len);
	vec_close(f, fname);
}

static void open_oiap(struct sess *s, const uint8_t secret[AUTH_SECRET_LEN], const char *record)
{
	uint8_t cmd[10], rsp[MAX_MSG];
	struct buf_writer w;
	struct buf_reader r;
	uint32_t handle = 0;
	uint8_t nonce_even[AUTH_NONCE_LEN];
	size_t n;

	memset(s, 0, sizeof(*s));
	buf_writer_init_fixed(&w, cmd, sizeof(cmd));
	buf_put_u16(&w, TAG_RQU_COMMAND);
	buf_put_u32(&w, 10);
	buf_put_u32(&w, ORD_OIAP);
	CHECK(buf_writer_error(&w));
	tpm_transmit(cmd, w.len, rsp, &n);
	if (rsp_code(rsp) != 0)
		fail("TPM_OIAP failed: 0x%08x", rsp_code(rsp));
	buf_reader_init(&r, rsp + 10, n - 10);
	buf_get_u32(&r, &handle);
	buf_get_bytes(&r, nonce_even, sizeof(nonce_even));
	CHECK(buf_reader_done(&r));
	auth_session_oiap(&s->a, handle, nonce_even);
	memcpy(s->entity_secret, secret, AUTH_SECRET_LEN);
	if (record != NULL)
		record_session_exchange(record, "TPM_OIAP", cmd, w.len, rsp, n, s);
}

static void open_osap(struct sess *s, uint16_t entity_type, uint32_t entity_value,
		      const uint8_t secret[AUTH_SECRET_LEN], const char *record)
{
	uint8_t cmd[64], rsp[MAX_MSG];
	struct buf_writer w;
	struct buf_reader r;
	uint32_t handle = 0;
	uint8_t nonce_even[AUTH_NONCE_LEN];
	size_t n;

	memset(s, 0, sizeof(*s));
	CHECK(auth_random_nonce(s->nonce_odd_osap));
	buf_writer_init_fixed(&w, cmd, sizeof(cmd));
	buf_put_u16(&w, TAG_RQU_COMMAND);
	buf_put_u32(&w, 10 + 2 + 4 + AUTH_NONCE_LEN);
	buf_put_u32(&w, ORD_OSAP);
	buf_put_u16(&w, entity_type);
	buf_put_u32(&w, entity_value);
	buf_put_bytes(&w, s->nonce_odd_osap, AUTH_NONCE_LEN);
	CHECK(buf_writer_error(&w));
	tpm_transmit(cmd, w.len, rsp, &n);
	if (rsp_code(rsp) != 0)
		fail("TPM_OSAP failed: 0x%08x", rsp_code(rsp));
	buf_reader_init(&r, rsp + 10, n - 10);
	buf_get_u32(&r, &handle);
	buf_get_bytes(&r, nonce_even, sizeof(nonce_even));
	buf_get_bytes(&r, s->nonce_even_osap, AUTH_NONCE_LEN);
	CHECK(buf_reader_done(&r));
	CHECK(auth_session_osap(&s->a, handle, nonce_even, s->nonce_even_osap, s->nonce_odd_osap,
				secret));
	memcpy(s->entity_secret, secret, AUTH_SECRET_LEN);
	if (record != NULL)
		record_session_exchange(record, "TPM_OSAP", cmd, w.len, rsp, n, s);
}

/* ---- authorised commands ---- */

/*
 * One authorised command. The caller fills ordinal, handles (bytes that
 * precede the 1S parameters and are not hashed), the sessions, then calls
 * auth_begin() (fresh nonceOdd values, needed by ADIP) and writes the 1S
 * parameters into params; auth_run() sends it, checks every response HMAC,
 * records the vectors, and leaves the output parameters in out/out_len.
 */
struct authcmd {
	const char *name;
	const char *what;
	uint32_t ordinal;
	uint8_t handles[8];
	size_t handles_len;
	size_t out_handles_len;
	int nsess;
	struct sess *sess[2];
	bool cont[2];
	uint8_t params_mem[MAX_MSG];
	struct buf_writer params;
	char extra[4096];	/* additional "# key=value" lines */
	size_t extra_len;
	/* results */
	uint8_t cmd[MAX_MSG];
	size_t cmd_len;
	uint8_t rsp[MAX_MSG];
	size_t rsp_len;
	const uint8_t *out;
	size_t out_len;
	struct auth_session before[2];	/* session state the command used */
};

static void auth_begin(struct authcmd *c)
{
	for (int i = 0; i < c->nsess; i++) {
		CHECK(auth_session_new_nonce_odd(&c->sess[i]->a));
		c->sess[i]->a.continue_session = c->cont[i];
	}
	buf_writer_init_fixed(&c->params, c->params_mem, sizeof(c->params_mem));
}

__attribute__((format(printf, 2, 3)))
static void auth_note(struct authcmd *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->extra + c->extra_len, sizeof(c->extra) - c->extra_len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(c->extra) - c->extra_len)
		fail("header notes too long");
	c->extra_len += (size_t)n;
}

static void auth_note_hex(struct authcmd *c, const char *key, const uint8_t *p, size_t n)
{
	auth_note(c, "# %s=", key);
	for (size_t i = 0; i < n; i++)
		auth_note(c, "%02x", p[i]);
	auth_note(c, "\n");
}

/* Offset in the command of the 1S parameters written so far (for ADIP notes). */
static size_t auth_param_offset(const struct authcmd *c)
{
	return 10 + c->handles_len + buf_writer_len(&c->params);
}

static void auth_write_files(struct authcmd *c)
{
	char fname[256], key[64];
	FILE *f;

	snprintf(fname, sizeof(fname), "%s.cmd.hex", c->name);
	f = vec_create(fname);
	fprintf(f, "# %s request; sent to %s by capture_auth.c (HMACs by tss12 common/auth.c)\n",
		c->what, tpm_desc);
	fprintf(f, "# ordinal=0x%08x\n", c->ordinal);
	fprintf(f, "# sessions=%d\n", c->nsess);
	fprintf(f, "# in_handle_bytes=%zu\n", c->handles_len);
	fprintf(f, "# out_handle_bytes=%zu\n", c->out_handles_len);
	for (int i = 0; i < c->nsess; i++) {
		const struct auth_session *b = &c->before[i];
		const struct sess *s = c->sess[i];
		bool osap = b->type == AUTH_SESSION_OSAP;

		snprintf(key, sizeof(key), "auth%d.type", i + 1);
		fprintf(f, "# %s=%s\n", key, osap ? "osap" : "oiap");
		snprintf(key, sizeof(key), "auth%d.key", i + 1);
		field_hex(f, key, osap ? b->shared_secret : s->entity_secret, AUTH_SECRET_LEN);
		snprintf(key, sizeof(key), "auth%d.nonce_even", i + 1);
		field_hex(f, key, b->nonce_even, AUTH_NONCE_LEN);
		snprintf(key, sizeof(key), "auth%d.nonce_odd", i + 1);
		field_hex(f, key, b->nonce_odd, AUTH_NONCE_LEN);
		if (osap) {
			snprintf(key, sizeof(key), "auth%d.entity_secret", i + 1);
			field_hex(f, key, s->entity_secret, AUTH_SECRET_LEN);
			snprintf(key, sizeof(key), "auth%d.nonce_even_osap", i + 1);
			field_hex(f, key, s->nonce_even_osap, AUTH_NONCE_LEN);
			snprintf(key, sizeof(key), "auth%d.nonce_odd_osap", i + 1);
			field_hex(f, key, s->nonce_odd_osap, AUTH_NONCE_LEN);
		}
	}
	fwrite(c->extra, 1, c->extra_len, f);
	vec_hex(f, c->cmd, c->cmd_len);
	vec_close(f, fname);

	snprintf(fname, sizeof(fname), "%s.rsp.hex", c->name);
	f = vec_create(fname);
	fprintf(f, "# %s response from %s; every resAuth verified by capture_auth.c\n",
		c->what, tpm_desc);
	vec_hex(f, c->rsp, c->rsp_len);
	vec_close(f, fname);
}

static void auth_run(struct authcmd *c)
{
	uint8_t digest[AUTH_DIGEST_LEN], hmac[AUTH_SECRET_LEN];
	const uint8_t *params = c->params_mem;
	size_t params_len = buf_writer_len(&c->params);
	struct buf_writer w;
	size_t trailers;
	uint32_t rc;

	CHECK(buf_writer_error(&c->params));
	CHECK(auth_digest_request(c->ordinal, &(struct crypto_iov){ params, params_len }, 1, digest));

	buf_writer_init_fixed(&w, c->cmd, sizeof(c->cmd));
	buf_put_u16(&w, c->nsess == 2 ? TAG_RQU_AUTH2 : TAG_RQU_AUTH1);
	buf_put_u32(&w, (uint32_t)(10 + c->handles_len + params_len +
				   (size_t)c->nsess * AUTH_REQUEST_TRAILER_LEN));
	buf_put_u32(&w, c->ordinal);
	buf_put_bytes(&w, c->handles, c->handles_len);
	buf_put_bytes(&w, params, params_len);
	for (int i = 0; i < c->nsess; i++) {
		struct sess *s = c->sess[i];

		CHECK(auth_request_hmac(&s->a, s->entity_secret, digest, hmac));
		auth_put_request(&w, &s->a, hmac);
		c->before[i] = s->a;
	}
	CHECK(buf_writer_error(&w));
	c->cmd_len = w.len;

	tpm_transmit(c->cmd, c->cmd_len, c->rsp, &c->rsp_len);
	rc = rsp_code(c->rsp);
	if (rc != 0)
		fail("%s failed: TPM returned 0x%08x", c->what, rc);

	trailers = (size_t)c->nsess * AUTH_RESPONSE_TRAILER_LEN;
	if (c->rsp_len < 10 + trailers + c->out_handles_len)
		fail("%s: response too short", c->what);
	c->out = c->rsp + 10;
	c->out_len = c->rsp_len - 10 - trailers;
	CHECK(auth_digest_response(rc, c->ordinal,
				   &(struct crypto_iov){ c->out + c->out_handles_len,
							 c->out_len - c->out_handles_len }, 1,
				   digest));
	for (int i = 0; i < c->nsess; i++) {
		struct auth_response ar;
		struct buf_reader r;

		buf_reader_init(&r, c->rsp + 10 + c->out_len + (size_t)i * AUTH_RESPONSE_TRAILER_LEN,
				AUTH_RESPONSE_TRAILER_LEN);
		CHECK(auth_get_response(&r, &ar));
		if (auth_response_verify(&c->sess[i]->a, c->sess[i]->entity_secret, digest, &ar) != 0)
			fail("%s: response HMAC %d does not verify", c->what, i + 1);
	}
	auth_write_files(c);
}

static void auth_init(struct authcmd *c, const char *name, const char *what, uint32_t ordinal)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->what = what;
	c->ordinal = ordinal;
}

static void auth_handle(struct authcmd *c, uint32_t handle)
{
	struct buf_writer w;

	buf_writer_init_fixed(&w, c->handles + c->handles_len, sizeof(c->handles) - c->handles_len);
	buf_put_u32(&w, handle);
	CHECK(buf_writer_error(&w));
	c->handles_len += 4;
}

static void auth_session(struct authcmd *c, struct sess *s, bool cont)
{
	c->sess[c->nsess] = s;
	c->cont[c->nsess] = cont;
	c->nsess++;
}

/* Encrypts a new secret for session i with ADIP and notes how, for the tests. */
static void put_encauth(struct authcmd *c, int idx, int session, bool odd,
			const uint8_t secret[AUTH_SECRET_LEN])
{
	uint8_t enc[AUTH_SECRET_LEN];
	char key[64];

	if (odd)
		CHECK(auth_session_encauth_odd(&c->sess[session]->a, secret, enc));
	else
		CHECK(auth_session_encauth(&c->sess[session]->a, secret, enc));
	auth_note(c, "# adip%d.session=%d\n# adip%d.nonce=%s\n# adip%d.offset=%zu\n",
		  idx, session + 1, idx, odd ? "odd" : "even", idx, auth_param_offset(c));
	snprintf(key, sizeof(key), "adip%d.plain", idx);
	auth_note_hex(c, key, secret, AUTH_SECRET_LEN);
	buf_put_bytes(&c->params, enc, sizeof(enc));
}

/* ---- minimal structure parsing (a tool's own, see the file comment) ---- */

/* Where the pieces of a TPM_KEY, TPM_KEY12 or TPM_PUBKEY sit. */
struct key_view {
	const uint8_t *start;
	size_t len;
	const uint8_t *parms;	/* TPM_KEY_PARMS */
	size_t parms_len;
	const uint8_t *exponent;
	uint32_t exponent_len;
	const uint8_t *pcr_info;
	uint32_t pcr_info_len;
	const uint8_t *modulus;
	uint32_t modulus_len;
};

static size_t consumed(const struct buf_reader *r, size_t before)
{
	return before - buf_remaining(r);
}

static void parse_key_parms(struct buf_reader *r, struct key_view *k)
{
	size_t before = buf_remaining(r);
	const uint8_t *start = r->data + r->off;
	uint32_t alg = 0, parm_size = 0, key_length, num_primes;
	struct buf_reader parms;

	buf_get_u32(r, &alg);
	buf_skip(r, 4);	/* encScheme, sigScheme */
	buf_get_u32(r, &parm_size);
	buf_get_sub(r, &parms, parm_size);
	CHECK(buf_reader_error(r));
	if (alg != ALG_RSA)
		fail("key is not RSA");
	buf_get_u32(&parms, &key_length);
	buf_get_u32(&parms, &num_primes);
	buf_get_sized_ptr(&parms, &k->exponent, &k->exponent_len, 64);
	CHECK(buf_reader_done(&parms));
	k->parms = start;
	k->parms_len = consumed(r, before);
}

static void parse_pubkey(struct buf_reader *r, struct key_view *k)
{
	size_t before = buf_remaining(r);

	memset(k, 0, sizeof(*k));
	k->start = r->data + r->off;
	parse_key_parms(r, k);
	buf_get_sized_ptr(r, &k->modulus, &k->modulus_len, CRYPTO_RSA_MAX_BYTES);
	CHECK(buf_reader_error(r));
	k->len = consumed(r, before);
}

static void parse_key(struct buf_reader *r, struct key_view *k)
{
	size_t before = buf_remaining(r);

	memset(k, 0, sizeof(*k));
	k->start = r->data + r->off;
	buf_skip(r, 4 + 2 + 4 + 1);	/* ver or tag+fill, keyUsage, keyFlags, authDataUsage */
	parse_key_parms(r, k);
	buf_get_sized_ptr(r, &k->pcr_info, &k->pcr_info_len, 1024);
	buf_get_sized_ptr(r, &k->modulus, &k->modulus_len, CRYPTO_RSA_MAX_BYTES);
	buf_get_sized_ptr(r, NULL, NULL, 4096);	/* encData */
	CHECK(buf_reader_error(r));
	k->len = consumed(r, before);
}

static EVP_PKEY *key_import(const struct key_view *k)
{
	EVP_PKEY *pkey;

	CHECK(crypto_rsa_import_public(k->modulus, k->modulus_len, k->exponent, k->exponent_len,
				       &pkey));
	return pkey;
}

/* TPM_KEY_PARMS for an RSA key of 2048 bits, two primes, default exponent. */
static void put_rsa_parms(struct buf_writer *w, uint16_t enc, uint16_t sig)
{
	buf_put_u32(w, ALG_RSA);
	buf_put_u16(w, enc);
	buf_put_u16(w, sig);
	buf_put_u32(w, 12);
	buf_put_u32(w, 2048);
	buf_put_u32(w, 2);
	buf_put_u32(w, 0);
}

/* The PCRs everything is bound to: 0 and 16 (TPM_PCR_SELECTION, 24 PCRs). */
static const uint8_t pcr_select[3] = { 0x01, 0x00, 0x01 };

static void put_pcr_selection(struct buf_writer *w)
{
	buf_put_u16(w, sizeof(pcr_select));
	buf_put_bytes(w, pcr_select, sizeof(pcr_select));
}

static void sha1_str(const char *s, uint8_t out[CRYPTO_SHA1_LEN])
{
	CHECK(crypto_sha1(s, strlen(s), out));
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- the capture ---- */

static uint8_t owner_auth[20], srk_auth[20], bind_auth[20], bind_mig_auth[20], sign_auth[20];
static uint8_t seal_auth[20], counter_auth[20], identity_auth[20];
static uint8_t pcr_composite_hash[20];
static uint8_t ek_pub[MAX_MSG];
static size_t ek_pub_len;
static uint8_t bind_blob[MAX_MSG], sign_blob[MAX_MSG];
static size_t bind_blob_len, sign_blob_len;
static uint32_t bind_handle, sign_handle;
static EVP_PKEY *ek_key, *sign_key;
static uint8_t stored_data[MAX_MSG], stored_data12[MAX_MSG];
static size_t stored_data_len, stored_data12_len;
static const char sealed_text[] = "tss12 sealed secret";
static const char sealx_text[] = "tss12 secret for Sealx, XOR-encrypted on the wire both ways";

static void manufacture(void)
{
	TPM_RESULT rc;

	if (setenv("TPM_PATH", state_dir, 1) != 0)
		fail("setenv");
	/* CAPTURE_DEBUG=1 shows libtpms' own trace, which names the check that failed. */
	if (getenv("CAPTURE_DEBUG") != NULL) {
		TPMLIB_SetDebugFD(STDERR_FILENO);
		TPMLIB_SetDebugLevel(10);
	}
	if ((rc = TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_1_2)) != TPM_SUCCESS)
		fail("TPMLIB_ChooseTPMVersion: 0x%x", rc);
	if ((rc = TPMLIB_MainInit()) != TPM_SUCCESS)
		fail("TPMLIB_MainInit: 0x%x", rc);
	tpm_startup();
	/* As swtpm_setup: assert physical presence by command, enable and activate. */
	physical_presence(PP_CMD_ENABLE);
	physical_presence(PP_PRESENT);
	{
		uint8_t rsp[MAX_MSG], f = 0;
		size_t n;

		tpm_plain(NULL, "TPM_PhysicalEnable", ORD_PhysicalEnable, NULL, 0, rsp, &n);
		tpm_plain(NULL, "TPM_PhysicalSetDeactivated", ORD_PhysicalSetDeactivated, &f, 1,
			  rsp, &n);
	}
	/* Activation takes effect only after a restart (Part 3 §6.4). */
	TPMLIB_Terminate();
	if ((rc = TPMLIB_MainInit()) != TPM_SUCCESS)
		fail("TPMLIB_MainInit after restart: 0x%x", rc);
	tpm_startup();
}

static void create_ek(void)
{
	uint8_t body[128], rsp[MAX_MSG], nonce[20], check[20], expect[20];
	struct buf_writer w;
	struct buf_reader r;
	struct key_view k;
	size_t n;

	CHECK(auth_random_nonce(nonce));
	buf_writer_init_fixed(&w, body, sizeof(body));
	buf_put_bytes(&w, nonce, sizeof(nonce));
	put_rsa_parms(&w, ES_RSAESOAEP_SHA1_MGF1, SS_NONE);
	CHECK(buf_writer_error(&w));
	tpm_plain("createekpair", "TPM_CreateEndorsementKeyPair", ORD_CreateEndorsementKeyPair,
		  body, w.len, rsp, &n);
	buf_reader_init(&r, rsp + 10, n - 10);
	parse_pubkey(&r, &k);
	buf_get_bytes(&r, check, sizeof(check));
	CHECK(buf_reader_done(&r));
	/* Part 3 §14.1: checksum = SHA1(PUBEK || antiReplay). */
	CHECK(CRYPTO_SHA1_PIECES(expect, { k.start, k.len }, { nonce, 20 }));
	if (!crypto_memeq(check, expect, 20))
		fail("EK checksum wrong");
	memcpy(ek_pub, k.start, k.len);
	ek_pub_len = k.len;
	ek_key = key_import(&k);
	write_struct("tpm_pubkey_ek.hex", "TPM_PUBKEY of the endorsement key (CreateEndorsementKeyPair)",
		     k.start, k.len);
}

static void extend_and_read_pcrs(void)
{
	uint8_t body[24], rsp[MAX_MSG], comp[256];
	struct buf_writer cw;
	size_t n;

	put_be32(body, PCR_DEBUG);
	sha1_str("tss12 capture measurement", body + 4);
	tpm_plain("extend", "TPM_Extend", ORD_Extend, body, 24, rsp, &n);

	/* TPM_PCR_COMPOSITE of PCRs 0 and 16, then its digest (Part 2 §8.2). */
	buf_writer_init_fixed(&cw, comp, sizeof(comp));
	put_pcr_selection(&cw);
	buf_put_u32(&cw, 40);
	for (uint32_t pcr = 0; pcr <= PCR_DEBUG; pcr += PCR_DEBUG) {
		put_be32(body, pcr);
		tpm_plain(pcr == 0 ? NULL : "pcrread", "TPM_PcrRead", ORD_PcrRead, body, 4, rsp, &n);
		if (n != 30)
			fail("TPM_PcrRead: %zu bytes", n);
		buf_put_bytes(&cw, rsp + 10, 20);
	}
	CHECK(buf_writer_error(&cw));
	CHECK(crypto_sha1(comp, cw.len, pcr_composite_hash));
	write_struct("tpm_pcr_composite.hex", "TPM_PCR_COMPOSITE of PCRs 0 and 16 read with TPM_PcrRead",
		     comp, cw.len);
}

static void take_ownership(void)
{
	uint8_t enc[CRYPTO_RSA_MAX_BYTES];
	size_t enc_len;
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess s;
	struct buf_reader r;
	struct key_view k;

	open_oiap(&s, owner_auth, "oiap");
	auth_init(c, "takeownership", "TPM_TakeOwnership", ORD_TakeOwnership);
	auth_session(c, &s, false);
	auth_begin(c);
	buf_put_u16(&c->params, PID_OWNER);
	CHECK(crypto_rsa_encrypt_oaep_tcpa(ek_key, owner_auth, 20, enc, sizeof(enc), &enc_len));
	buf_put_sized(&c->params, enc, enc_len);
	CHECK(crypto_rsa_encrypt_oaep_tcpa(ek_key, srk_auth, 20, enc, sizeof(enc), &enc_len));
	buf_put_sized(&c->params, enc, enc_len);
	/* srkParams: a TPM_KEY (1.1) storage key template, as TrouSerS sends. */
	buf_put_bytes(&c->params, (const uint8_t[]){ 1, 1, 0, 0 }, 4);
	buf_put_u16(&c->params, KEY_STORAGE);
	buf_put_u32(&c->params, 0);
	buf_put_u8(&c->params, AUTH_ALWAYS);
	put_rsa_parms(&c->params, ES_RSAESOAEP_SHA1_MGF1, SS_NONE);
	buf_put_u32(&c->params, 0);	/* PCRInfoSize */
	buf_put_u32(&c->params, 0);	/* pubKey.keyLength */
	buf_put_u32(&c->params, 0);	/* encSize */
	auth_note_hex(c, "owner_auth", owner_auth, 20);
	auth_note_hex(c, "srk_auth", srk_auth, 20);
	auth_run(c);

	buf_reader_init(&r, c->out, c->out_len);
	parse_key(&r, &k);
	CHECK(buf_reader_done(&r));
	write_struct("tpm_key_srk.hex", "TPM_KEY srkPub returned by TPM_TakeOwnership", k.start, k.len);
	free(c);
}

static void owner_read_internal_pub(void)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess s;

	open_osap(&s, ET_OWNER, KH_OWNER, owner_auth, "osap_owner");
	auth_init(c, "ownerreadinternalpub", "TPM_OwnerReadInternalPub", ORD_OwnerReadInternalPub);
	auth_session(c, &s, false);
	auth_begin(c);
	/* keyHandle is a parameter here, not a handle: it is part of 1S (Part 3 §27.7). */
	buf_put_u32(&c->params, KH_EK);
	auth_run(c);
	if (c->out_len != ek_pub_len || memcmp(c->out, ek_pub, ek_pub_len) != 0)
		fail("OwnerReadInternalPub(EK) differs from the EK");
	free(c);
}

/* TPM_KEY (1.1) binding key, migratable; or TPM_KEY12 signing key bound to PCRs. */
static void create_wrap_key(bool key12)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess s;
	struct buf_reader r;
	struct key_view k;
	const uint8_t *usage = key12 ? sign_auth : bind_auth;

	open_osap(&s, ET_KEYHANDLE, KH_SRK, srk_auth, key12 ? NULL : "osap_srk");
	auth_init(c, key12 ? "createwrapkey_key12" : "createwrapkey_key",
		  "TPM_CreateWrapKey", ORD_CreateWrapKey);
	auth_handle(c, KH_SRK);
	auth_session(c, &s, false);
	auth_begin(c);
	/* Part 3 §10.4: usage auth padded with nonceEven, migration auth with nonceOdd. */
	put_encauth(c, 1, 0, false, usage);
	put_encauth(c, 2, 0, true, key12 ? sign_auth : bind_mig_auth);
	if (key12) {
		buf_put_u16(&c->params, TAG_KEY12);
		buf_put_u16(&c->params, 0);
		buf_put_u16(&c->params, KEY_SIGNING);
		buf_put_u32(&c->params, 0);
		buf_put_u8(&c->params, AUTH_ALWAYS);
		put_rsa_parms(&c->params, ES_NONE, SS_RSASSAPKCS1v15_SHA1);
		/* TPM_PCR_INFO_LONG: released only while PCRs 0 and 16 hold today's values. */
		buf_put_u32(&c->params, 2 + 1 + 1 + 5 + 5 + 20 + 20);
		buf_put_u16(&c->params, TAG_PCR_INFO_LONG);
		/* localityAtCreation is overwritten by the TPM but must be a legal selection. */
		buf_put_u8(&c->params, LOC_ZERO);
		buf_put_u8(&c->params, LOC_ALL);
		put_pcr_selection(&c->params);
		put_pcr_selection(&c->params);
		buf_put_zeros(&c->params, 20);	/* digestAtCreation, set by the TPM */
		buf_put_bytes(&c->params, pcr_composite_hash, 20);
	} else {
		buf_put_bytes(&c->params, (const uint8_t[]){ 1, 1, 0, 0 }, 4);
		buf_put_u16(&c->params, KEY_BIND);
		buf_put_u32(&c->params, KEYFLAG_MIGRATABLE);
		buf_put_u8(&c->params, AUTH_ALWAYS);
		put_rsa_parms(&c->params, ES_RSAESOAEP_SHA1_MGF1, SS_NONE);
		buf_put_u32(&c->params, 0);
	}
	buf_put_u32(&c->params, 0);	/* pubKey */
	buf_put_u32(&c->params, 0);	/* encData */
	auth_run(c);

	buf_reader_init(&r, c->out, c->out_len);
	parse_key(&r, &k);
	CHECK(buf_reader_done(&r));
	if (key12) {
		memcpy(sign_blob, k.start, k.len);
		sign_blob_len = k.len;
		write_struct("tpm_key12.hex", "TPM_KEY12 signing key with TPM_PCR_INFO_LONG from "
			     "TPM_CreateWrapKey", k.start, k.len);
		write_struct("tpm_pcr_info_long.hex", "TPM_PCR_INFO_LONG inside the TPM_KEY12 "
			     "from TPM_CreateWrapKey (PCRs 0,16)", k.pcr_info, k.pcr_info_len);
	} else {
		memcpy(bind_blob, k.start, k.len);
		bind_blob_len = k.len;
		write_struct("tpm_key.hex", "TPM_KEY (1.1) migratable binding key from "
			     "TPM_CreateWrapKey", k.start, k.len);
	}
	free(c);
}

static uint32_t load_key(const char *name, const uint8_t *blob, size_t len)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess s;
	uint32_t handle;

	open_oiap(&s, srk_auth, NULL);
	auth_init(c, name, "TPM_LoadKey2", ORD_LoadKey2);
	auth_handle(c, KH_SRK);
	c->out_handles_len = 4;	/* inkeyHandle is not part of the output digest */
	auth_session(c, &s, false);
	auth_begin(c);
	buf_put_bytes(&c->params, blob, len);
	auth_run(c);
	if (c->out_len != 4)
		fail("LoadKey2: unexpected output");
	handle = (uint32_t)c->out[0] << 24 | (uint32_t)c->out[1] << 16 |
		 (uint32_t)c->out[2] << 8 | c->out[3];
	free(c);
	return handle;
}

static void get_pub_key(void)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess s;
	struct buf_reader r;
	struct key_view k;

	/* Two commands on one OIAP session: the second uses the rolled nonceEven. */
	open_oiap(&s, sign_auth, NULL);
	for (int round = 0; round < 2; round++) {
		auth_init(c, round == 0 ? "getpubkey" : "getpubkey_rolled", "TPM_GetPubKey",
			  ORD_GetPubKey);
		auth_handle(c, sign_handle);
		auth_session(c, &s, round == 0);
		auth_begin(c);
		auth_run(c);
	}
	buf_reader_init(&r, c->out, c->out_len);
	parse_pubkey(&r, &k);
	CHECK(buf_reader_done(&r));
	sign_key = key_import(&k);
	free(c);
}

static void seal(bool sealx)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess s;
	const char *text = sealx ? sealx_text : sealed_text;
	size_t text_len = strlen(text);
	uint8_t enc[256];
	struct buf_reader r, info;
	uint32_t info_len = 0;
	uint16_t tag = 0;

	open_osap(&s, ET_KEYHANDLE, KH_SRK, srk_auth, NULL);
	auth_init(c, sealx ? "sealx" : "seal", sealx ? "TPM_Sealx" : "TPM_Seal",
		  sealx ? ORD_Sealx : ORD_Seal);
	auth_handle(c, KH_SRK);
	auth_session(c, &s, false);
	auth_begin(c);
	put_encauth(c, 1, 0, false, seal_auth);
	if (sealx) {
		buf_put_u32(&c->params, 2 + 1 + 1 + 5 + 5 + 20 + 20);
		buf_put_u16(&c->params, TAG_PCR_INFO_LONG);
		buf_put_u8(&c->params, LOC_ZERO);
		buf_put_u8(&c->params, LOC_ALL);
		put_pcr_selection(&c->params);
		put_pcr_selection(&c->params);
		buf_put_zeros(&c->params, 20);
		buf_put_bytes(&c->params, pcr_composite_hash, 20);
		/* Part 3 §10.7: Sealx input travels MGF1-XOR-encrypted. */
		CHECK(auth_session_sealx_xor(&s.a, (const uint8_t *)text, text_len, enc));
		buf_put_u32(&c->params, (uint32_t)text_len);
		auth_note(c, "# sealx.offset=%zu\n# sealx.len=%zu\n", auth_param_offset(c), text_len);
		auth_note_hex(c, "sealx.plain", (const uint8_t *)text, text_len);
		buf_put_bytes(&c->params, enc, text_len);
	} else {
		/* TPM_PCR_INFO (1.1): selection, digestAtRelease, digestAtCreation. */
		buf_put_u32(&c->params, 5 + 20 + 20);
		put_pcr_selection(&c->params);
		buf_put_bytes(&c->params, pcr_composite_hash, 20);
		buf_put_zeros(&c->params, 20);
		buf_put_sized(&c->params, text, text_len);
	}
	auth_run(c);

	/* TPM_STORED_DATA(12): ver or tag+et, sealInfoSize, sealInfo, encDataSize, encData. */
	buf_reader_init(&r, c->out, c->out_len);
	buf_get_u16(&r, &tag);
	buf_skip(&r, 2);
	buf_get_u32(&r, &info_len);
	buf_get_sub(&r, &info, info_len);
	buf_get_sized_ptr(&r, NULL, NULL, 4096);
	CHECK(buf_reader_done(&r));
	if (sealx) {
		memcpy(stored_data12, c->out, c->out_len);
		stored_data12_len = c->out_len;
		write_struct("tpm_stored_data12.hex", "TPM_STORED_DATA12 (et=XOR|KEY) from TPM_Sealx "
			     "to the SRK, PCRs 0,16", c->out, c->out_len);
	} else {
		memcpy(stored_data, c->out, c->out_len);
		stored_data_len = c->out_len;
		write_struct("tpm_stored_data.hex", "TPM_STORED_DATA (1.1) from TPM_Seal to the SRK, "
			     "PCRs 0,16", c->out, c->out_len);
		write_struct("tpm_pcr_info.hex", "TPM_PCR_INFO sealInfo of the TPM_STORED_DATA "
			     "from TPM_Seal", info.data + info.off, info_len);
	}
	free(c);
}

static void unseal(bool sealx)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess parent, data;
	const char *text = sealx ? sealx_text : sealed_text;
	size_t text_len = strlen(text);
	struct buf_reader r;
	const uint8_t *secret;
	uint32_t secret_len;
	uint8_t plain[256];

	/* Output encryption needs the parent's OSAP shared secret (Part 3 §10.8 step 9). */
	if (sealx)
		open_osap(&parent, ET_KEYHANDLE, KH_SRK, srk_auth, NULL);
	else
		open_oiap(&parent, srk_auth, NULL);
	open_oiap(&data, seal_auth, NULL);
	auth_init(c, sealx ? "unsealx" : "unseal", "TPM_Unseal", ORD_Unseal);
	auth_handle(c, KH_SRK);
	auth_session(c, &parent, false);
	auth_session(c, &data, false);
	auth_begin(c);
	if (sealx)
		buf_put_bytes(&c->params, stored_data12, stored_data12_len);
	else
		buf_put_bytes(&c->params, stored_data, stored_data_len);
	auth_run(c);

	buf_reader_init(&r, c->out, c->out_len);
	buf_get_sized_ptr(&r, &secret, &secret_len, sizeof(plain));
	CHECK(buf_reader_done(&r));
	if (sealx)
		CHECK(auth_session_sealx_xor(&c->before[0], secret, secret_len, plain));
	else
		memcpy(plain, secret, secret_len);
	if (secret_len != text_len || memcmp(plain, text, text_len) != 0)
		fail("unsealed data differs from what was sealed");
	free(c);
}

static void sign(void)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess s;
	uint8_t digest[20];
	struct buf_reader r;
	const uint8_t *sig;
	uint32_t sig_len;

	sha1_str("tss12 data to sign", digest);
	open_oiap(&s, sign_auth, NULL);
	auth_init(c, "sign", "TPM_Sign", ORD_Sign);
	auth_handle(c, sign_handle);
	auth_session(c, &s, false);
	auth_begin(c);
	buf_put_sized(&c->params, digest, 20);
	auth_run(c);
	buf_reader_init(&r, c->out, c->out_len);
	buf_get_sized_ptr(&r, &sig, &sig_len, CRYPTO_RSA_MAX_BYTES);
	CHECK(buf_reader_done(&r));
	if (crypto_rsa_verify_sha1(sign_key, digest, sig, sig_len) != 0)
		fail("TPM_Sign signature does not verify");
	free(c);
}

static void quote(void)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess s;
	uint8_t nonce[20], info[64], digest[20];
	struct buf_reader r;
	struct buf_writer w;
	const uint8_t *comp, *sig;
	uint32_t comp_val_len = 0, sig_len;
	uint16_t sel_len = 0;

	CHECK(auth_random_nonce(nonce));
	open_oiap(&s, sign_auth, NULL);
	auth_init(c, "quote", "TPM_Quote", ORD_Quote);
	auth_handle(c, sign_handle);
	auth_session(c, &s, false);
	auth_begin(c);
	buf_put_bytes(&c->params, nonce, 20);
	put_pcr_selection(&c->params);
	auth_run(c);

	/* pcrData is a TPM_PCR_COMPOSITE: select, valueSize, values. */
	buf_reader_init(&r, c->out, c->out_len);
	comp = r.data;
	buf_get_u16(&r, &sel_len);
	buf_skip(&r, sel_len);
	buf_get_u32(&r, &comp_val_len);
	buf_skip(&r, comp_val_len);
	CHECK(buf_reader_error(&r));
	{
		size_t comp_len = 2 + (size_t)sel_len + 4 + comp_val_len;
		uint8_t comp_digest[20];

		CHECK(crypto_sha1(comp, comp_len, comp_digest));
		if (!crypto_memeq(comp_digest, pcr_composite_hash, 20))
			fail("quoted PCRs differ from those read");
		/* TPM_QUOTE_INFO (Part 2 §11.3): version 1.1.0.0, "QUOT", composite digest, nonce. */
		buf_writer_init_fixed(&w, info, sizeof(info));
		buf_put_bytes(&w, (const uint8_t[]){ 1, 1, 0, 0 }, 4);
		buf_put_bytes(&w, "QUOT", 4);
		buf_put_bytes(&w, comp_digest, 20);
		buf_put_bytes(&w, nonce, 20);
		CHECK(buf_writer_error(&w));
	}
	buf_get_sized_ptr(&r, &sig, &sig_len, CRYPTO_RSA_MAX_BYTES);
	CHECK(buf_reader_done(&r));
	CHECK(crypto_sha1(info, w.len, digest));
	if (crypto_rsa_verify_sha1(sign_key, digest, sig, sig_len) != 0)
		fail("TPM_Quote signature does not verify over the rebuilt TPM_QUOTE_INFO");
	write_struct("tpm_quote_info.hex", "TPM_QUOTE_INFO rebuilt from TPM_Quote output and "
		     "verified against its signature", info, w.len);
	free(c);
}

static void quote2(void)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess s;
	uint8_t nonce[20], info[128], digest[20];
	struct buf_reader r, short_info;
	struct buf_writer w;
	const uint8_t *ver, *sig;
	uint32_t ver_len, sig_len;
	size_t short_len = 2 + sizeof(pcr_select) + 1 + 20;

	CHECK(auth_random_nonce(nonce));
	open_oiap(&s, sign_auth, NULL);
	auth_init(c, "quote2", "TPM_Quote2", ORD_Quote2);
	auth_handle(c, sign_handle);
	auth_session(c, &s, false);
	auth_begin(c);
	buf_put_bytes(&c->params, nonce, 20);
	put_pcr_selection(&c->params);
	buf_put_u8(&c->params, 1);	/* addVersion */
	auth_run(c);

	/* pcrData TPM_PCR_INFO_SHORT (selection, localityAtRelease, digest), then version, sig. */
	buf_reader_init(&r, c->out, c->out_len);
	buf_get_sub(&r, &short_info, short_len);
	buf_get_sized_ptr(&r, &ver, &ver_len, 1024);
	buf_get_sized_ptr(&r, &sig, &sig_len, CRYPTO_RSA_MAX_BYTES);
	CHECK(buf_reader_done(&r));
	if (!crypto_memeq(short_info.data + short_len - 20, pcr_composite_hash, 20))
		fail("Quote2 digestAtRelease differs from the PCRs read");

	/* TPM_QUOTE_INFO2 (Part 2 §11.4): tag, "QUT2", externalData, infoShort. */
	buf_writer_init_fixed(&w, info, sizeof(info));
	buf_put_u16(&w, TAG_QUOTE_INFO2);
	buf_put_bytes(&w, "QUT2", 4);
	buf_put_bytes(&w, nonce, 20);
	buf_put_bytes(&w, short_info.data, short_len);
	CHECK(buf_writer_error(&w));
	/* With addVersion the signature covers QUOTE_INFO2 || versionInfo (Part 3 §16.5). */
	CHECK(CRYPTO_SHA1_PIECES(digest, { info, w.len }, { ver, ver_len }));
	if (crypto_rsa_verify_sha1(sign_key, digest, sig, sig_len) != 0)
		fail("TPM_Quote2 signature does not verify");
	write_struct("tpm_quote_info2.hex", "TPM_QUOTE_INFO2 rebuilt from TPM_Quote2 output and "
		     "verified against its signature", info, w.len);
	write_struct("tpm_pcr_info_short_quote2.hex", "TPM_PCR_INFO_SHORT pcrData of TPM_Quote2 (PCRs 0,16)",
		     short_info.data, short_len);
	write_struct("tpm_cap_version_info_quote2.hex", "TPM_CAP_VERSION_INFO versionInfo of TPM_Quote2",
		     ver, ver_len);
	free(c);
}

/*
 * CertifyKey: the TPM_KEY binding key certified by the signing key gives a
 * TPM_CERTIFY_INFO; the TPM_KEY12 signing key (with PCR_INFO_LONG)
 * certifying itself gives a TPM_CERTIFY_INFO2 (Part 3 §11.4 step 9).
 */
static void certify_key(bool info2)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess cert, key;
	uint8_t nonce[20], digest[20];
	struct buf_reader r;
	struct key_view parms;
	const uint8_t *sig;
	uint32_t sig_len, pcr_len = 0, mig_len = 0;
	size_t before, info_len;

	CHECK(auth_random_nonce(nonce));
	open_oiap(&cert, sign_auth, NULL);
	open_oiap(&key, info2 ? sign_auth : bind_auth, NULL);
	auth_init(c, info2 ? "certifykey2" : "certifykey", "TPM_CertifyKey", ORD_CertifyKey);
	auth_handle(c, sign_handle);
	auth_handle(c, info2 ? sign_handle : bind_handle);
	auth_session(c, &cert, false);
	auth_session(c, &key, false);
	auth_begin(c);
	buf_put_bytes(&c->params, nonce, 20);
	auth_run(c);

	/*
	 * TPM_CERTIFY_INFO: ver, keyUsage, keyFlags, authDataUsage, ...; INFO2:
	 * tag, fill, payloadType, keyUsage, ... and a migrationAuthority at the
	 * end. Then outDataSize, outData (the signature).
	 */
	buf_reader_init(&r, c->out, c->out_len);
	before = buf_remaining(&r);
	buf_skip(&r, 4 + 2 + 4 + 1);
	memset(&parms, 0, sizeof(parms));
	parse_key_parms(&r, &parms);
	buf_skip(&r, 20 + 20 + 1);
	buf_get_u32(&r, &pcr_len);
	buf_skip(&r, pcr_len);
	if (info2) {
		buf_get_u32(&r, &mig_len);
		buf_skip(&r, mig_len);
	}
	info_len = consumed(&r, before);
	buf_get_sized_ptr(&r, &sig, &sig_len, CRYPTO_RSA_MAX_BYTES);
	CHECK(buf_reader_done(&r));
	CHECK(crypto_sha1(c->out, info_len, digest));
	if (crypto_rsa_verify_sha1(sign_key, digest, sig, sig_len) != 0)
		fail("TPM_CertifyKey signature does not verify");
	if (info2)
		write_struct("tpm_certify_info2.hex", "TPM_CERTIFY_INFO2 of the TPM_KEY12 signing key "
			     "(PCR_INFO_LONG) certified by itself; signature verified", c->out, info_len);
	else
		write_struct("tpm_certify_info.hex", "TPM_CERTIFY_INFO of the binding key (TPM_KEY) "
			     "certified by the TPM_KEY12 signing key; signature verified", c->out,
			     info_len);
	free(c);
}

static void counters(void)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess s;
	uint32_t id;
	uint8_t body[4], rsp[MAX_MSG];
	size_t n;

	open_osap(&s, ET_OWNER, KH_OWNER, owner_auth, NULL);
	auth_init(c, "createcounter", "TPM_CreateCounter", ORD_CreateCounter);
	auth_session(c, &s, false);
	auth_begin(c);
	put_encauth(c, 1, 0, false, counter_auth);
	buf_put_bytes(&c->params, "tss1", 4);
	auth_run(c);
	/* countID is an output parameter and part of the output digest (Part 3 §25.1). */
	if (c->out_len != 4 + 10)
		fail("CreateCounter: unexpected output");
	id = (uint32_t)c->out[0] << 24 | (uint32_t)c->out[1] << 16 |
	     (uint32_t)c->out[2] << 8 | c->out[3];
	write_struct("tpm_counter_value.hex", "TPM_COUNTER_VALUE from TPM_CreateCounter (label tss1)",
		     c->out + 4, 10);

	open_oiap(&s, counter_auth, NULL);
	auth_init(c, "incrementcounter", "TPM_IncrementCounter", ORD_IncrementCounter);
	auth_session(c, &s, false);
	auth_begin(c);
	buf_put_u32(&c->params, id);
	auth_run(c);

	put_be32(body, id);
	tpm_plain("readcounter", "TPM_ReadCounter", ORD_ReadCounter, body, 4, rsp, &n);
	free(c);
}

static void authorize_migration_key(void)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess s;
	EVP_PKEY *mig;
	uint8_t mod[CRYPTO_RSA_MAX_BYTES];
	size_t mod_len;

	/* The destination's key, as a privacy-CA-style software key would be. */
	CHECK(crypto_rsa_generate(2048, &mig));
	CHECK(crypto_rsa_get_modulus(mig, mod, sizeof(mod), &mod_len));
	open_oiap(&s, owner_auth, NULL);
	auth_init(c, "authorizemigrationkey", "TPM_AuthorizeMigrationKey",
		  ORD_AuthorizeMigrationKey);
	auth_session(c, &s, false);
	auth_begin(c);
	buf_put_u16(&c->params, MS_MIGRATE);
	put_rsa_parms(&c->params, ES_RSAESOAEP_SHA1_MGF1, SS_NONE);
	buf_put_sized(&c->params, mod, mod_len);
	auth_run(c);
	write_struct("tpm_migrationkeyauth.hex", "TPM_MIGRATIONKEYAUTH from "
		     "TPM_AuthorizeMigrationKey (TPM_MS_MIGRATE, software 2048-bit key)",
		     c->out, c->out_len);
	crypto_rsa_free(mig);
	free(c);
}

static void make_identity(void)
{
	struct authcmd *c = calloc(1, sizeof(*c));
	struct sess srk, owner;
	uint8_t label[20], digest[20], contents[MAX_MSG];
	struct buf_reader r;
	struct buf_writer w;
	struct key_view k;
	const uint8_t *sig;
	uint32_t sig_len;
	EVP_PKEY *aik;

	sha1_str("tss12 identity label || privacy CA public key", label);
	open_oiap(&srk, srk_auth, NULL);
	open_osap(&owner, ET_OWNER, KH_OWNER, owner_auth, NULL);
	auth_init(c, "makeidentity", "TPM_MakeIdentity", ORD_MakeIdentity);
	auth_session(c, &srk, false);
	auth_session(c, &owner, false);
	auth_begin(c);
	/* identityAuth is ADIP-encrypted under the owner's OSAP session, the second one (Part 3 §15.1). */
	put_encauth(c, 1, 1, false, identity_auth);
	buf_put_bytes(&c->params, label, 20);
	buf_put_bytes(&c->params, (const uint8_t[]){ 1, 1, 0, 0 }, 4);
	buf_put_u16(&c->params, KEY_IDENTITY);
	buf_put_u32(&c->params, 0);
	buf_put_u8(&c->params, AUTH_ALWAYS);
	put_rsa_parms(&c->params, ES_NONE, SS_RSASSAPKCS1v15_SHA1);
	buf_put_u32(&c->params, 0);
	buf_put_u32(&c->params, 0);
	buf_put_u32(&c->params, 0);
	auth_run(c);

	buf_reader_init(&r, c->out, c->out_len);
	parse_key(&r, &k);
	buf_get_sized_ptr(&r, &sig, &sig_len, CRYPTO_RSA_MAX_BYTES);
	CHECK(buf_reader_done(&r));
	/* TPM_IDENTITY_CONTENTS: ver 1.1.0.0, ordinal, labelPrivCADigest, identityPubKey. */
	buf_writer_init_fixed(&w, contents, sizeof(contents));
	buf_put_bytes(&w, (const uint8_t[]){ 1, 1, 0, 0 }, 4);
	buf_put_u32(&w, ORD_MakeIdentity);
	buf_put_bytes(&w, label, 20);
	buf_put_bytes(&w, k.parms, k.parms_len);
	buf_put_sized(&w, k.modulus, k.modulus_len);
	CHECK(buf_writer_error(&w));
	CHECK(crypto_sha1(contents, w.len, digest));
	aik = key_import(&k);
	if (crypto_rsa_verify_sha1(aik, digest, sig, sig_len) != 0)
		fail("identityBinding does not verify over the rebuilt TPM_IDENTITY_CONTENTS");
	write_struct("tpm_identity_contents.hex", "TPM_IDENTITY_CONTENTS rebuilt from "
		     "TPM_MakeIdentity output and verified against identityBinding", contents, w.len);
	write_struct("tpm_key_identity.hex", "TPM_KEY identity key (idKey) from TPM_MakeIdentity",
		     k.start, k.len);
	crypto_rsa_free(aik);
	free(c);
}

static void flush_key(uint32_t handle)
{
	uint8_t body[8], rsp[MAX_MSG];
	size_t n;

	put_be32(body, handle);
	put_be32(body + 4, RT_KEY);
	tpm_plain(NULL, "TPM_FlushSpecific", ORD_FlushSpecific, body, 8, rsp, &n);
}

int main(int argc, char **argv)
{
	uint32_t v;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTPUT-DIR (normally tests/unit/vectors)\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	log_init("capture_auth", LOG_SINK_STDERR, LOG_LVL_WARN);
	if (mkdtemp(state_dir) == NULL)
		fail("mkdtemp: %s", strerror(errno));
	state_dir_made = true;
	atexit(cleanup);
	v = TPMLIB_GetVersion();
	snprintf(tpm_desc, sizeof(tpm_desc), "libtpms %u.%u.%u (TPM 1.2)",
		 v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff);

	/* Fixed secrets, so that readers of the vectors can see what they are. */
	sha1_str("tss12 owner secret", owner_auth);
	sha1_str("tss12 SRK secret", srk_auth);
	sha1_str("tss12 binding key usage secret", bind_auth);
	sha1_str("tss12 binding key migration secret", bind_mig_auth);
	sha1_str("tss12 signing key usage secret", sign_auth);
	sha1_str("tss12 sealed data secret", seal_auth);
	sha1_str("tss12 counter secret", counter_auth);
	sha1_str("tss12 identity key secret", identity_auth);

	manufacture();
	create_ek();
	extend_and_read_pcrs();
	take_ownership();
	owner_read_internal_pub();
	create_wrap_key(false);
	create_wrap_key(true);
	bind_handle = load_key("loadkey2_key", bind_blob, bind_blob_len);
	sign_handle = load_key("loadkey2_key12", sign_blob, sign_blob_len);
	get_pub_key();
	seal(false);
	seal(true);
	unseal(false);
	unseal(true);
	sign();
	quote();
	quote2();
	certify_key(false);
	certify_key(true);
	counters();
	authorize_migration_key();
	make_identity();
	flush_key(sign_handle);
	flush_key(bind_handle);

	crypto_rsa_free(ek_key);
	crypto_rsa_free(sign_key);
	TPMLIB_Terminate();
	free(lib_rsp);
	printf("capture_auth: all exchanges verified and written to %s\n", out_dir);
	return 0;
}
