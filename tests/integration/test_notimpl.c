/*
 * Issue 4 item 9: what tss12 does not implement says so -- TSS_E_NOTIMPL,
 * never a crash, never a pretended success -- and the README's
 * "Not implemented" section lists exactly that.
 *
 * (a) Our tcsd on an embedded TPM, over the wire. Which TCSD ordinals
 *     have no handler is found at run time: every ordinal 2..122 is sent
 *     with a context this connection does not hold (1, OpenContext, made
 *     the context). dispatch.c looks for
 *     a handler before it checks the context, so a served ordinal answers
 *     TSS_E_INVALID_HANDLE without running anything, an unserved one
 *     TSS_E_NOTIMPL (a TCS function tss12 lacks) or TSS_E_FAIL (an
 *     ordinal TrouSerS answers with its error stub: no TCS function).
 *     The lists must match the README's. Each unserved ordinal then gets
 *     a well-formed request built from its parameter schema (checked
 *     with the server's own schema walker) with a valid context, and a
 *     malformed one; the answer must be the same bare-header error, and
 *     the daemon must go on serving this connection and a new one.
 * (b) Our libtspi: every Tspi_* function that still answers
 *     TSS_E_NOTIMPL (tspi/tspi_notimpl.c's stubs, ChangeAuthAsym,
 *     GetCapabilitySigned, the DAA objects, the maintenance status flag)
 *     does so with valid handles, and with bad handles answers
 *     TSS_E_INVALID_HANDLE or TSS_E_NOTIMPL.
 *
 * The transport ordinals and Tspi_Context_SetTransEncryptionKey /
 * CloseSignTransport are being implemented: neither list holds them.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tss/tspi.h>
#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>
#include <tss/tcs_error.h>

#include "harness.h"
#include "tcs_client.h"
#include "tcsd_ordinals.h"
#include "tcsd_wire.h"
#include "tspi_kit.h"

/*
 * The README's lists. DAA and maintenance: TCS functions tss12 does not
 * implement (TSS_E_NOTIMPL). The rest: ordinals TrouSerS 0.3.15 serves
 * with its error stub, which answer TSS_E_FAIL as there.
 */
static const uint32_t expect_notimpl[] = {
	TCSD_ORD_CREATEMAINTENANCEARCHIVE, TCSD_ORD_LOADMAINTENANCEARCHIVE,
	TCSD_ORD_KILLMAINTENANCEFEATURE, TCSD_ORD_LOADMANUFACTURERMAINTENANCEPUB,
	TCSD_ORD_READMANUFACTURERMAINTENANCEPUB, TCSD_ORD_DAAJOIN, TCSD_ORD_DAASIGN,
};
static const uint32_t expect_fail[] = {
	TCSD_ORD_FREEMEMORY, TCSD_ORD_GETREGISTEREDKEY, TCSD_ORD_CHANGEAUTHASYMSTART,
	TCSD_ORD_CHANGEAUTHASYMFINISH, TCSD_ORD_GETCAPABILITYSIGNED, TCSD_ORD_CONTINUESELFTEST,
	TCSD_ORD_FIELDUPGRADE, TCSD_ORD_SETRIDIRECTION, TCSD_ORD_MAKEIDENTITY2,
};
/* Being implemented by the transport work: either answer is accepted. */
static bool in_flux(uint32_t ord)
{
	return ord == TCSD_ORD_ESTABLISHTRANSPORT || ord == TCSD_ORD_EXECUTETRANSPORT ||
	       ord == TCSD_ORD_RELEASETRANSPORTSIGNED;
}

static bool listed(const uint32_t *list, size_t n, uint32_t ord)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == ord)
			return true;
	return false;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- over the wire (tcs_client.h) ---- */

/* tcs_call()'s result code, or 0xffffffff when the exchange broke. */
static uint32_t call_rc(int fd, struct tcsd_packet_writer *w, uint32_t ordinal,
			struct tcs_reply *rp)
{
	return tcs_call(fd, w, ordinal, rp) ? rp->result : 0xffffffffu;
}

static uint32_t open_context(int fd)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint32_t ctx = 0;

	tcsd_writer_init(&w, 0);
	if (tcs_call(fd, &w, TCSD_ORD_OPENCONTEXT, &rp) && rp.result == 0)
		tcsd_get_u32(&rp.r, 0, &ctx);
	tcs_reply_free(&rp);
	return ctx;
}

/* The daemon still answers: GetRandom(16) on ctx. */
static bool serves(int fd, uint32_t ctx)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	const uint8_t *p = NULL;
	uint32_t idx = 0, n = 0;
	bool ok;

	tcsd_writer_init(&w, 2);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, 16);
	ok = tcs_call(fd, &w, TCSD_ORD_GETRANDOM, &rp) && rp.result == 0 &&
	     tcsd_get_sized_ptr(&rp.r, &idx, &p, &n, 64) == 0 && n == 16;
	tcs_reply_free(&rp);
	return ok;
}

/*
 * A request that follows ord's schema: the context first, zeros for
 * numbers and structures, 20 bytes for each sized blob, optional and
 * repeated items left out. Returns false if the schema holds a letter
 * this builder does not know.
 */
static bool build_request(struct tcsd_packet_writer *w, const char *schema, uint32_t ctx)
{
	static const uint8_t blob[64];
	static const TPM_AUTH auth;
	static const TPM_NONCE nonce;
	static const TPM_DIGEST digest;
	static const TPM_ENCAUTH encauth;
	static const TPM_SECRET secret;
	static const TSS_UUID uuid;
	static const TSS_VERSION version;
	uint32_t idx = 0;
	const char *s = schema;

	tcsd_writer_init(w, 16);
	while (*s != '\0') {
		bool optional = false, repeated = false;
		size_t fixed = 0;
		char c;

		for (; *s == '?' || *s == '*'; s++) {
			optional |= *s == '?';
			repeated |= *s == '*';
		}
		c = *s++;
		while (*s >= '0' && *s <= '9')
			fixed = fixed * 10 + (size_t)(*s++ - '0');
		/* Counts are 0, so a repeated item appears 0 times. */
		if (optional || repeated)
			continue;
		if (idx == 0 && c == 'u') {
			tcsd_put_u32(w, idx++, ctx);
			continue;
		}
		switch (c) {
		case 'b': tcsd_put_u8(w, idx++, 0); break;
		case 'o': tcsd_put_bool(w, idx++, 0); break;
		case 'w': tcsd_put_u16(w, idx++, 0); break;
		case 'u': tcsd_put_u32(w, idx++, 0); break;
		case 'q': tcsd_put_u64(w, idx++, 0); break;
		case 'n': tcsd_put_nonce(w, idx++, &nonce); break;
		case 'd': tcsd_put_digest(w, idx++, &digest); break;
		case 'e': tcsd_put_encauth(w, idx++, &encauth); break;
		case 's': tcsd_put_secret(w, idx++, &secret); break;
		case 'U': tcsd_put_uuid(w, idx++, &uuid); break;
		case 'v': tcsd_put_version(w, idx++, &version); break;
		case 'a': tcsd_put_auth_in(w, idx++, &auth); break;
		case 'B': tcsd_put_sized(w, &idx, blob, 20); break;
		case 'P':
			/* "P60" and the like; else the last 'u' was 0: an empty PBYTE, left out. */
			if (fixed > sizeof(blob)) {
				tcsd_writer_free(w);
				return false;
			}
			if (fixed > 0)
				tcsd_put_bytes(w, idx++, blob, (uint32_t)fixed);
			break;
		case 'H': break;	/* likewise */
		default:
			tcsd_writer_free(w);
			return false;
		}
	}
	return tcsd_writer_error(w) == 0;
}

/* The request packet of w, walked with the server's schema walker. */
static bool schema_accepts(struct tcsd_packet_writer *w, uint32_t ord, const char *schema,
			   uint8_t **pkt, size_t *len)
{
	struct tcsd_packet_reader r;

	*pkt = NULL;
	if (tcsd_writer_finish(w, ord, pkt, len) != 0)
		return false;
	return tcsd_reader_init(&r, *pkt, *len, false) == 0 &&
	       tcsd_schema_walk(&r, schema, true, 4096) == 0;
}

static void test_wire(int port)
{
	const uint32_t notimpl = TCS_ERROR(TSS_E_NOTIMPL), fail = TCS_ERROR(TSS_E_FAIL);
	bool unserved[TCSD_LAST_ORD];
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint32_t ctx, bogus, ord, res;
	int fd, fd2, n_notimpl = 0, n_fail = 0, n_served = 0;

	memset(unserved, 0, sizeof(unserved));
	fd = tcs_connect_tcp(port);
	check(fd >= 0, "connected to our tcsd on port %d", port);
	if (fd < 0)
		return;
	ctx = open_context(fd);
	check(ctx != 0, "OpenContext: 0x%x", ctx);
	bogus = ctx ^ 0x00a50000u;

	/* Classify every ordinal but OpenContext without running any of them. */
	for (ord = 2; ord < TCSD_LAST_ORD; ord++) {
		const struct tcsd_ordinal_info *info = tcsd_ordinal_lookup(ord);
		bool tcs_function = info != NULL && info->in != NULL;

		tcsd_writer_init(&w, 1);
		tcsd_put_u32(&w, 0, bogus);
		if (!tcs_call(fd, &w, ord, &rp)) {
			check(false, "%s (%u): the connection broke", tcsd_ordinal_name(ord), ord);
			return;
		}
		if (rp.result == TCS_ERROR(TSS_E_INVALID_HANDLE)) {
			n_served++;
			check(!listed(expect_notimpl, N(expect_notimpl), ord) &&
				      !listed(expect_fail, N(expect_fail), ord),
			      "%s (%u) is served (the README must not list it)",
			      tcsd_ordinal_name(ord), ord);
		} else if (rp.result == notimpl) {
			n_notimpl++;
			unserved[ord] = true;
			check(tcs_function && (in_flux(ord) ||
					       listed(expect_notimpl, N(expect_notimpl), ord)),
			      "%s (%u): TSS_E_NOTIMPL, a TCS function listed as not implemented",
			      tcsd_ordinal_name(ord), ord);
		} else if (rp.result == fail) {
			n_fail++;
			unserved[ord] = true;
			check(!tcs_function && listed(expect_fail, N(expect_fail), ord),
			      "%s (%u): TSS_E_FAIL, an ordinal with no TCS function (TrouSerS' error stub)",
			      tcsd_ordinal_name(ord), ord);
		} else {
			check(false, "%s (%u) with a foreign context: unexpected 0x%x",
			      tcsd_ordinal_name(ord), ord, rp.result);
		}
		if (unserved[ord])
			check(rp.len == TCSD_HDR_SIZE, "%s: the reply is the bare header (%zu bytes)",
			      tcsd_ordinal_name(ord), rp.len);
		tcs_reply_free(&rp);
	}
	printf("# %d ordinals served, %d TSS_E_NOTIMPL, %d TSS_E_FAIL\n", n_served, n_notimpl,
	       n_fail);
	for (size_t i = 0; i < N(expect_notimpl); i++)
		check(unserved[expect_notimpl[i]], "README's %s is indeed not served",
		      tcsd_ordinal_name(expect_notimpl[i]));
	for (size_t i = 0; i < N(expect_fail); i++)
		check(unserved[expect_fail[i]], "README's %s is indeed not served",
		      tcsd_ordinal_name(expect_fail[i]));

	/* Well-formed and malformed requests with a valid context. */
	for (ord = 2; ord < TCSD_LAST_ORD; ord++) {
		const struct tcsd_ordinal_info *info = tcsd_ordinal_lookup(ord);
		uint32_t want = info->in != NULL ? notimpl : fail;
		uint8_t *pkt = NULL, junk[64];
		size_t len = 0;

		if (!unserved[ord])
			continue;
		if (info->in != NULL) {
			bool built = build_request(&w, info->in, ctx);

			check(built && schema_accepts(&w, ord, info->in, &pkt, &len),
			      "%s: a request following its schema \"%s\"", info->name, info->in);
			tcsd_writer_free(&w);
			if (pkt == NULL)
				continue;
			res = tcs_send_all(fd, pkt, len) == 0 && tcs_read_reply(fd, &rp) ? rp.result :
									   0xffffffffu;
			check(res == want && rp.len == TCSD_HDR_SIZE,
			      "%s, well formed, valid context: TSS_E_NOTIMPL, bare header (0x%x)",
			      info->name, res);
			tcs_reply_free(&rp);
			free(pkt);
		} else {
			tcsd_writer_init(&w, 1);
			tcsd_put_u32(&w, 0, ctx);
			res = call_rc(fd, &w, ord, &rp);
			check(res == want, "%s, valid context: TSS_E_FAIL (0x%x)", info->name, res);
			tcs_reply_free(&rp);
		}
		/* Garbage where the parameters go: the same answer, nothing parsed. */
		memset(junk, 0xff, sizeof(junk));
		tcsd_writer_init(&w, 3);
		tcsd_put_u32(&w, 0, ctx);
		tcsd_put_u32(&w, 1, 0xffffffffu);
		tcsd_put_bytes(&w, 2, junk, sizeof(junk));
		res = call_rc(fd, &w, ord, &rp);
		check(res == want, "%s, malformed parameters: the same answer (0x%x)", info->name,
		      res);
		tcs_reply_free(&rp);
		/* No parameters at all, not even the context. */
		tcsd_writer_init(&w, 0);
		res = call_rc(fd, &w, ord, &rp);
		check(res == want, "%s, no parameters: the same answer (0x%x)", info->name, res);
		tcs_reply_free(&rp);
	}

	/* Ordinals outside the table: TSS_E_FAIL, as TrouSerS. */
	for (size_t i = 0; i < 3; i++) {
		static const uint32_t outside[] = { 0, TCSD_LAST_ORD, 0xffffffffu };

		tcsd_writer_init(&w, 1);
		tcsd_put_u32(&w, 0, ctx);
		res = call_rc(fd, &w, outside[i], &rp);
		check(res == fail, "ordinal %u: TSS_E_FAIL (0x%x)", outside[i], res);
		tcs_reply_free(&rp);
	}

	check(serves(fd, ctx), "after all that, GetRandom on the same connection still works");
	fd2 = tcs_connect_tcp(port);
	if (fd2 >= 0) {
		uint32_t ctx2 = open_context(fd2);

		check(ctx2 != 0 && serves(fd2, ctx2), "a new connection is served");
		close(fd2);
	} else {
		check(false, "a new connection is accepted");
	}
	tcsd_writer_init(&w, 1);
	tcsd_put_u32(&w, 0, ctx);
	res = call_rc(fd, &w, TCSD_ORD_CLOSECONTEXT, &rp);
	check(res == 0, "CloseContext (0x%x)", res);
	tcs_reply_free(&rp);
	close(fd);
}

/* ---- (b) libtspi ---- */

#define NOTIMPL_TSP TSP_ERROR(TSS_E_NOTIMPL)

static void expect_notimpl_rc(TSS_RESULT rc, const char *what)
{
	check(rc == NOTIMPL_TSP, "%s: TSP TSS_E_NOTIMPL (0x%x)", what, (unsigned)rc);
}

/* With a bad handle: a refusal of the handle, or NOTIMPL; nothing else. */
static void expect_refused(TSS_RESULT rc, const char *what)
{
	UINT32 code = ERROR_CODE(rc);

	check(rc != TSS_SUCCESS && (code == TSS_E_INVALID_HANDLE || code == TSS_E_NOTIMPL),
	      "%s: TSS_E_INVALID_HANDLE or TSS_E_NOTIMPL (0x%x)", what, (unsigned)rc);
}

/* Handles of every kind that must be refused where a TPM or key goes. */
static TSS_HOBJECT bad_handles[3];

static void test_tspi_calls(TSS_HCONTEXT ctx)
{
	TSS_HTPM tpm = 0;
	TSS_HKEY key = 0, srk = 0;
	TSS_HPOLICY pol = 0;
	TSS_HOBJECT daa = 0;
	UINT32 n1 = 7, n2 = 7;
	BYTE *p1 = NULL, *p2 = NULL;
	TSS_BOOL state = TRUE;
	TSS_VALIDATION val;
	TSS_RESULT rc;
	char what[96];

	memset(&val, 0, sizeof(val));
	check(Tspi_Context_GetTpmObject(ctx, &tpm) == 0 && tpm != 0, "Context_GetTpmObject");
	check(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					TSS_KEY_SIZE_2048 | TSS_KEY_TYPE_SIGNING, &key) == 0,
	      "an RSA key object (never created in the TPM)");
	check(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY, TSS_KEY_TSP_SRK, &srk) == 0,
	      "an SRK object");
	check(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE, &pol) == 0,
	      "a policy object");
	bad_handles[0] = 0;
	bad_handles[1] = 0x7ffffff3u;
	bad_handles[2] = pol;	/* an object of the wrong class */

	/* Maintenance (Part 3 §12): nothing may be pretended. */
	expect_notimpl_rc(Tspi_TPM_CreateMaintenanceArchive(tpm, FALSE, &n1, &p1, &n2, &p2),
			  "Tspi_TPM_CreateMaintenanceArchive");
	check(p1 == NULL && p2 == NULL, "CreateMaintenanceArchive returned no data");
	expect_notimpl_rc(Tspi_TPM_KillMaintenanceFeature(tpm), "Tspi_TPM_KillMaintenanceFeature");
	expect_notimpl_rc(Tspi_TPM_LoadMaintenancePubKey(tpm, key, &val),
			  "Tspi_TPM_LoadMaintenancePubKey");
	expect_notimpl_rc(Tspi_TPM_LoadMaintenancePubKey(tpm, key, NULL),
			  "Tspi_TPM_LoadMaintenancePubKey, no validation");
	expect_notimpl_rc(Tspi_TPM_CheckMaintenancePubKey(tpm, key, &val),
			  "Tspi_TPM_CheckMaintenancePubKey");
	expect_notimpl_rc(Tspi_TPM_SetStatus(tpm, TSS_TPMSTATUS_ALLOWMAINTENANCE, FALSE),
			  "Tspi_TPM_SetStatus(ALLOWMAINTENANCE, FALSE)");
	/* POSTINITIALISE: no TPM command reports it (TrouSerS answers the same). */
	expect_notimpl_rc(Tspi_TPM_GetStatus(tpm, TSS_TPMSTATUS_POSTINITIALISE, &state),
			  "Tspi_TPM_GetStatus(POSTINITIALISE)");

	/* Implemented (test_migration makes an EK); this TPM has one and refuses a second. */
	rc = Tspi_TPM_CreateEndorsementKey(tpm, key, NULL);
	check(rc == TPM_E_DISABLED_CMD, "Tspi_TPM_CreateEndorsementKey: a second EK refused (0x%x)",
	      rc);
	/* Withdrawn by the TCG. */
	n1 = 0;
	p1 = NULL;
	expect_notimpl_rc(Tspi_TPM_GetCapabilitySigned(tpm, key, TSS_TPMCAP_VERSION, 0, NULL, &val,
						       &n1, &p1),
			  "Tspi_TPM_GetCapabilitySigned");
	check(p1 == NULL && n1 == 0, "GetCapabilitySigned returned no data");
	/* TrouSerS implements neither end. */
	expect_notimpl_rc(Tspi_ChangeAuthAsym(key, srk, key, pol), "Tspi_ChangeAuthAsym");

	/* DAA: its objects cannot be made, so no DAA call can get a handle. */
	expect_notimpl_rc(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_DAA_CERTIFICATE, 0, &daa),
			  "CreateObject(DAA_CERTIFICATE)");
	expect_notimpl_rc(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_DAA_ISSUER_KEY, 0, &daa),
			  "CreateObject(DAA_ISSUER_KEY)");
	expect_notimpl_rc(Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_DAA_ARA_KEY, 0, &daa),
			  "CreateObject(DAA_ARA_KEY)");
	check(daa == 0, "no DAA handle was handed out");

	/* Bad handles: refused, never a crash, never success. */
	for (size_t i = 0; i < N(bad_handles); i++) {
		TSS_HOBJECT b = bad_handles[i];

		snprintf(what, sizeof(what), "handle 0x%x: ", (unsigned)b);
#define BAD(call, name)                                                                 \
	do {                                                                            \
		char w_[160];                                                           \
		snprintf(w_, sizeof(w_), "%s%s", what, name);                           \
		expect_refused(call, w_);                                               \
	} while (0)
		BAD(Tspi_TPM_CreateMaintenanceArchive(b, TRUE, &n1, &p1, &n2, &p2),
		    "CreateMaintenanceArchive");
		BAD(Tspi_TPM_KillMaintenanceFeature(b), "KillMaintenanceFeature");
		BAD(Tspi_TPM_LoadMaintenancePubKey(b, key, &val), "LoadMaintenancePubKey (TPM)");
		BAD(Tspi_TPM_LoadMaintenancePubKey(tpm, b, &val), "LoadMaintenancePubKey (key)");
		BAD(Tspi_TPM_CheckMaintenancePubKey(b, key, &val), "CheckMaintenancePubKey (TPM)");
		BAD(Tspi_TPM_CheckMaintenancePubKey(tpm, b, NULL), "CheckMaintenancePubKey (key)");
		BAD(Tspi_TPM_CreateEndorsementKey(b, key, &val), "CreateEndorsementKey (TPM)");
		BAD(Tspi_TPM_CreateEndorsementKey(tpm, b, NULL), "CreateEndorsementKey (key)");
		BAD(Tspi_TPM_GetCapabilitySigned(b, key, TSS_TPMCAP_VERSION, 0, NULL, &val, &n1, &p1),
		    "GetCapabilitySigned (TPM)");
		BAD(Tspi_TPM_GetCapabilitySigned(tpm, b, TSS_TPMCAP_VERSION, 0, NULL, &val, &n1, &p1),
		    "GetCapabilitySigned (key)");
		BAD(Tspi_ChangeAuthAsym(b, srk, key, pol), "ChangeAuthAsym (object)");
		BAD(Tspi_ChangeAuthAsym(key, b, b, b), "ChangeAuthAsym (parent, key, policy)");
		BAD(Tspi_TPM_SetStatus(b, TSS_TPMSTATUS_ALLOWMAINTENANCE, FALSE),
		    "SetStatus(ALLOWMAINTENANCE)");
		if (b != pol)	/* a policy is no context, but is a valid handle */
			BAD(Tspi_Context_CreateObject(b, TSS_OBJECT_TYPE_DAA_CERTIFICATE, 0, &daa),
			    "CreateObject(DAA_CERTIFICATE)");
#undef BAD
	}
	check(p1 == NULL && p2 == NULL, "no call with a bad handle returned data");
}

static void test_tspi(void)
{
	TSS_HCONTEXT ctx = 0;
	TSS_RESULT rc;

	rc = Tspi_Context_Create(&ctx);
	check(rc == 0, "Tspi_Context_Create (0x%x)", (unsigned)rc);
	if (rc != 0)
		return;
	rc = Tspi_Context_Connect(ctx, NULL);
	check(rc == 0, "Tspi_Context_Connect (0x%x)", (unsigned)rc);
	if (rc == 0)
		test_tspi_calls(ctx);
	Tspi_Context_Close(ctx);
}

int main(void)
{
	struct test_tcsd t;

	kit_daemon_up(&t, "embedded");
	if (strcmp(test_tcsd_name(&t), "ours") != 0) {
		test_tcsd_stop(&t);
		harness_skip("what tss12 does not implement: our tcsd only");
	}
	test_wire(t.port);
	test_tspi();
	return kit_daemon_down(&t);
}
