/*
 * Delegation through OUR libtspi on a real TCS daemon (TPM 1.2 Part 1
 * §20, Part 3 §18.3 and §19): families, owner and key delegations used
 * through DSAP sessions with a secret that is not the owner's or the
 * key's, the owner delegation table, PCR-bound delegations, and the
 * verification count and family invalidation that revoke old blobs.
 *
 * Daemon: ours on an embedded libtpms TPM by default
 * (TSS12_TEST_TCSD=embedded), TrouSerS' with test_tspi_delegation_trousers.sh.
 * Every check prints one line; exit 1 if any failed, 77 if no daemon can run.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tss/tspi.h>
#include <tss/tpm.h>
#include <tss/tss_error.h>
#include <tss/tpm_error.h>
#include <tss/tcs_error.h>

#include "harness.h"
#include "tcsd_ordinals.h"
#include "tcs_client.h"
#include "tcsd_wire.h"
#include "trousers_tcsd.h"
#include "tspi_kit.h"

/* A TPM refusal: a TPM-layer error code (layer bits 0, not success). */
#define TPM_REFUSED(rc) ((rc) != TSS_SUCCESS && ((rc) & 0x3000) == 0)

static const TSS_UUID srk_uuid = TSS_UUID_SRK;
static const char del_secret[] = "delegated secret";
static const char key_secret[] = "key usage secret";
static const char key_del_secret[] = "key delegate secret";

static TSS_HCONTEXT ctx, ctx2;
static TSS_HTPM tpm, tpm2;
static TSS_HKEY srk, srk2;
static TSS_HDELFAMILY fam;
static UINT32 fam_id;

static TSS_RESULT new_policy(TSS_HCONTEXT c, const char *secret, TSS_HPOLICY *out)
{
	return kit_policy_new(c, TSS_POLICY_USAGE, secret, out);
}

/* A policy of ctx2 holding a copy of blob (owner or key) with secret. */
static TSS_HPOLICY blob_policy(UINT32 sub, const BYTE *blob, UINT32 len, const char *secret)
{
	TSS_HPOLICY p = 0;
	TSS_RESULT rc;

	rc = new_policy(ctx2, secret, &p);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribData(p, TSS_TSPATTRIB_POLICY_DELEGATION_INFO, sub, len,
					(BYTE *)blob);
	check(rc == TSS_SUCCESS, "policy with a delegation blob of %u bytes (0x%x)", len, rc);
	return p;
}

/* Owner-authorised TPM_OwnerReadPubek through whatever policy tpm2 has now. */
static TSS_RESULT read_pubek_as(TSS_HPOLICY p)
{
	UINT32 len = 0;
	BYTE *pub = NULL;
	TSS_HKEY ek = 0;
	TSS_RESULT rc;

	if ((rc = Tspi_Policy_AssignToObject(p, tpm2)) != TSS_SUCCESS)
		return rc;
	rc = Tspi_TPM_GetPubEndorsementKey(tpm2, TRUE, NULL, &ek);
	if (rc == TSS_SUCCESS) {
		rc = Tspi_GetAttribData(ek, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY,
					&len, &pub);
		if (rc == TSS_SUCCESS && len < 256)
			rc = TSS_E_FAIL;
		Tspi_Context_FreeMemory(ctx2, pub);
		Tspi_Context_CloseObject(ctx2, ek);
	}
	return rc;
}

/* ---- DSAP sessions at the TCS, over the raw wire protocol ---- */

static int daemon_port;
/* TrouSerS' tcsd swaps out only other contexts' sessions and ends unknown handles silently. */
static bool daemon_trousers;

/* Sends w as ordinal; the reply's result, or 0xffffffff if the exchange failed. */
static uint32_t raw_call(int fd, struct tcsd_packet_writer *w, uint32_t ordinal,
			 struct tcs_reply *rp)
{
	return tcs_call(fd, w, ordinal, rp) ? rp->result : 0xffffffff;
}

static uint32_t raw_open(int fd)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint32_t tcs_ctx = 0;

	tcsd_writer_init(&w, 0);
	if (raw_call(fd, &w, TCSD_ORD_OPENCONTEXT, &rp) == 0)
		tcsd_get_u32(&rp.r, 0, &tcs_ctx);
	tcs_reply_free(&rp);
	return tcs_ctx;
}

/* TCS_DSAP on an owner blob; value_len may lie about the bytes that follow. */
static uint32_t raw_dsap(int fd, uint32_t tcs_ctx, const BYTE *value, UINT32 value_len,
			 UINT32 claimed_len, uint32_t *handle)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	TPM_NONCE odd, even, even_dsap;
	uint32_t rc;

	*handle = 0;
	memset(&odd, 0x17, sizeof(odd));
	tcsd_writer_init(&w, 6);
	tcsd_put_u32(&w, 0, tcs_ctx);
	tcsd_put_u16(&w, 1, TPM_ET_DEL_OWNER_BLOB);
	tcsd_put_u32(&w, 2, TPM_KH_SRK);	/* ignored for owner blobs; TrouSerS wants a key */
	tcsd_put_nonce(&w, 3, &odd);
	tcsd_put_u32(&w, 4, claimed_len);
	if (value_len > 0)
		tcsd_put_bytes(&w, 5, value, value_len);
	rc = raw_call(fd, &w, TCSD_ORD_DSAP, &rp);
	if (rc == 0) {
		tcsd_get_u32(&rp.r, 0, handle);
		tcsd_get_nonce(&rp.r, 1, &even);
		tcsd_get_nonce(&rp.r, 2, &even_dsap);
		if (tcsd_reader_done(&rp.r) != 0)
			rc = 0xfffffffe;
	}
	tcs_reply_free(&rp);
	return rc;
}

/* Auth sessions loaded in the TPM (TPM_CAP_HANDLE, TPM_RT_AUTH), or -1. */
static int tpm_auth_sessions(void)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	BYTE sub[4] = { 0, 0, 0, TPM_RT_AUTH };
	const uint8_t *p = NULL;
	uint32_t idx = 2, len = 0, tcs_ctx;
	int fd = tcs_connect_tcp(daemon_port), n = -1;

	if (fd < 0)
		return -1;
	if ((tcs_ctx = raw_open(fd)) != 0) {
		tcsd_writer_init(&w, 4);
		tcsd_put_u32(&w, 0, tcs_ctx);
		tcsd_put_u32(&w, 1, TPM_CAP_HANDLE);
		tcsd_put_sized(&w, &idx, sub, 4);
		idx = 0;
		if (raw_call(fd, &w, TCSD_ORD_GETCAPABILITY, &rp) == 0 &&
		    tcsd_get_sized_ptr(&rp.r, &idx, &p, &len, 4096) == 0 && len >= 2)
			n = p[0] << 8 | p[1];
		tcs_reply_free(&rp);
	}
	close(fd);
	return n;
}

#define RAW_SESSIONS 24

/*
 * DSAP sessions are the TCS's to account like OIAP/OSAP ones: more than
 * the TPM holds (libtpms: 16) by swapping, and all released when the
 * client goes away. Malformed DSAP requests are refused, not served.
 */
static void test_dsap_accounting(const BYTE *blob, UINT32 blob_len)
{
	uint32_t tcs_ctx, h[RAW_SESSIONS], rc;
	int before = tpm_auth_sessions(), fd = tcs_connect_tcp(daemon_port), ok = 0, n = -1;
	struct tcsd_packet_writer w;
	struct tcs_reply rp;

	tcs_ctx = fd >= 0 ? raw_open(fd) : 0;
	check(tcs_ctx != 0, "raw TCS context");
	if (tcs_ctx == 0)
		goto out;
	/* The SRK in this context, for TrouSerS' tcsd (see test_setup). */
	tcsd_writer_init(&w, 2);
	tcsd_put_u32(&w, 0, tcs_ctx);
	tcsd_put_uuid(&w, 1, &srk_uuid);
	rc = raw_call(fd, &w, TCSD_ORD_LOADKEYBYUUID, &rp);
	tcs_reply_free(&rp);
	check(rc == 0, "raw LoadKeyByUUID(SRK) (0x%x)", rc);
	for (int i = 0; i < RAW_SESSIONS; i++)
		ok += raw_dsap(fd, tcs_ctx, blob, blob_len, blob_len, &h[i]) == 0;
	check(ok == RAW_SESSIONS || (daemon_trousers && ok >= 3),
	      "%d DSAP sessions in one context: %d opened", RAW_SESSIONS, ok);
	n = tpm_auth_sessions();
	check(n >= 1 && n <= 16, "the TPM holds %d of them", n);
	/* Another client still gets a DSAP session: the TCS saves one of these. */
	rc = read_pubek_as(blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, blob, blob_len, del_secret));
	CHECK_RC(rc, "OwnerReadPubek through DSAP while the TPM is full of sessions");
	/* A swapped-out one ends cleanly, and only once. */
	tcsd_writer_init(&w, 2);
	tcsd_put_u32(&w, 0, tcs_ctx);
	tcsd_put_u32(&w, 1, h[0]);
	rc = raw_call(fd, &w, TCSD_ORD_TERMINATEHANDLE, &rp);
	tcs_reply_free(&rp);
	check(rc == 0, "TerminateHandle of the first DSAP session (0x%x)", rc);
	tcsd_writer_init(&w, 2);
	tcsd_put_u32(&w, 0, tcs_ctx);
	tcsd_put_u32(&w, 1, h[0]);
	rc = raw_call(fd, &w, TCSD_ORD_TERMINATEHANDLE, &rp);
	tcs_reply_free(&rp);
	check(rc != 0 || daemon_trousers, "ended twice: refused (0x%x)", rc);
	/* Lies about the blob's size, and a missing blob. */
	rc = raw_dsap(fd, tcs_ctx, blob, blob_len, blob_len + 100, &h[0]);
	check(rc != 0 && rc != 0xffffffff, "DSAP with a short PBYTE refused (0x%x)", rc);
	rc = raw_dsap(fd, tcs_ctx, NULL, 0, 0x7fffffff, &h[0]);
	check(rc != 0 && rc != 0xffffffff, "DSAP claiming 2 GiB refused (0x%x)", rc);
	rc = raw_dsap(fd, tcs_ctx, blob, 8, 8, &h[0]);
	check(rc != 0 && rc != 0xffffffff, "DSAP on a truncated blob refused by the TPM (0x%x)",
	      rc);
out:
	if (fd >= 0)
		close(fd);
	/*
	 * Disconnecting releases every session the context still held: the
	 * TPM is back to the sessions our TSP contexts keep (fewer if some of
	 * those were swapped out meanwhile).
	 */
	for (int i = 0; i < 100 && (n = tpm_auth_sessions()) > before; i++)
		usleep(20 * 1000);
	check(n >= 0 && n <= before, "DSAP sessions of the closed connection released (%d, %d before)",
	      n, before);
}

static void test_setup(void)
{
	TSS_RESULT rc;

	kit_take_ownership(ctx, NULL, &tpm, NULL);
	kit_load_srk(ctx, &srk);
	rc = Tspi_Context_GetTpmObject(ctx2, &tpm2);
	CHECK_RC(rc, "second context's TPM object");
	/*
	 * TrouSerS' tcsd opens a DSAP session only with a key the context has
	 * loaded, even for owner delegations, where the TPM ignores the key:
	 * our TSP names the SRK, so the second context loads it (a no-op
	 * for our tcsd, which needs nothing).
	 */
	rc = Tspi_Context_LoadKeyByUUID(ctx2, TSS_PS_TYPE_SYSTEM, srk_uuid, &srk2);
	CHECK_RC(rc, "second context loads the SRK");
}

static void test_family(void)
{
	TSS_HDELFAMILY again = 0, locked = 0, empty = 0;
	int found_locked = 0;
	UINT32 v = 0, n_fam = 0, n_del = 0, i;
	TSS_FAMILY_TABLE_ENTRY *ft = NULL;
	TSS_DELEGATION_TABLE_ENTRY *dt = NULL;
	TSS_RESULT rc;
	int found = 0;

	rc = Tspi_TPM_Delegate_AddFamily(tpm, 0x42, &fam);
	CHECK_RC(rc, "Delegate_AddFamily");
	rc = Tspi_GetAttribUint32(fam, TSS_TSPATTRIB_DELFAMILY_INFO,
				  TSS_TSPATTRIB_DELFAMILYINFO_FAMILYID, &fam_id);
	check(rc == TSS_SUCCESS, "family ID %u (0x%x)", fam_id, rc);
	rc = Tspi_GetAttribUint32(fam, TSS_TSPATTRIB_DELFAMILY_INFO,
				  TSS_TSPATTRIB_DELFAMILYINFO_LABEL, &v);
	check(rc == TSS_SUCCESS && v == 0x42, "family label 0x%x", v);
	rc = Tspi_SetAttribUint32(fam, TSS_TSPATTRIB_DELFAMILY_STATE,
				  TSS_TSPATTRIB_DELFAMILYSTATE_ENABLED, TRUE);
	CHECK_RC(rc, "family enabled (Delegate_Manage ENABLE)");
	rc = Tspi_GetAttribUint32(fam, TSS_TSPATTRIB_DELFAMILY_STATE,
				  TSS_TSPATTRIB_DELFAMILYSTATE_ENABLED, &v);
	check(rc == TSS_SUCCESS && v == TRUE, "family reads enabled (%u)", v);
	rc = Tspi_GetAttribUint32(fam, TSS_TSPATTRIB_DELFAMILY_STATE,
				  TSS_TSPATTRIB_DELFAMILYSTATE_LOCKED, &v);
	check(rc == TSS_SUCCESS && v == FALSE, "family not locked (%u)", v);
	rc = Tspi_GetAttribUint32(fam, TSS_TSPATTRIB_DELFAMILY_INFO, 0x99, &v);
	check(CODE(rc) == TSS_E_INVALID_ATTRIB_SUBFLAG, "bad family sub-flag refused (0x%x)", rc);

	rc = Tspi_TPM_Delegate_GetFamily(tpm, fam_id, &again);
	check(rc == TSS_SUCCESS && again == fam, "GetFamily finds the same object (0x%x)", rc);
	rc = Tspi_TPM_Delegate_GetFamily(tpm, fam_id + 1000, &again);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "GetFamily of an unknown ID (0x%x)", rc);
	rc = Tspi_TPM_Delegate_GetFamily(tpm, fam_id, NULL);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "GetFamily with NULL out (0x%x)", rc);

	/* A second family, locked (TPM_FAMFLAG_DELEGATE_ADMIN_LOCK). */
	rc = Tspi_TPM_Delegate_AddFamily(tpm, 0x43, &locked);
	CHECK_RC(rc, "second family");
	rc = Tspi_SetAttribUint32(locked, TSS_TSPATTRIB_DELFAMILY_STATE,
				  TSS_TSPATTRIB_DELFAMILYSTATE_LOCKED, TRUE);
	CHECK_RC(rc, "family locked (Delegate_Manage ADMIN)");
	rc = Tspi_GetAttribUint32(locked, TSS_TSPATTRIB_DELFAMILY_STATE,
				  TSS_TSPATTRIB_DELFAMILYSTATE_LOCKED, &v);
	check(rc == TSS_SUCCESS && v == TRUE, "family reads locked (%u)", v);
	rc = Tspi_SetAttribUint32(locked, TSS_TSPATTRIB_DELFAMILY_STATE,
				  TSS_TSPATTRIB_DELFAMILYSTATE_ENABLED, TRUE);
	/* The lock binds delegates only: the owner still manages it (Part 3 §19.1). */
	CHECK_RC(rc, "the owner still enables a locked family");
	/* Empty family objects, as TrouSerS allows them. */
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_DELFAMILY, 0, &empty);
	check(rc == TSS_SUCCESS, "empty family object (0x%x)", rc);
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_DELFAMILY, 1, &empty);
	check(CODE(rc) == TSS_E_INVALID_OBJECT_INITFLAG, "family object with a flag (0x%x)", rc);

	rc = Tspi_TPM_Delegate_ReadTables(ctx, &n_fam, &ft, &n_del, &dt);
	CHECK_RC(rc, "ReadTables");
	for (i = 0; i < n_fam; i++)
		found |= ft[i].familyID == fam_id && ft[i].label == 0x42 && ft[i].enabled;
	for (i = 0; i < n_fam; i++)
		found_locked |= ft[i].label == 0x43 && ft[i].locked;
	check(found_locked, "family table shows the locked family");
	check(found, "family table lists the family (%u entries)", n_fam);
	check(n_del == 0, "delegation table empty (%u rows)", n_del);
	Tspi_Context_FreeMemory(ctx, (BYTE *)ft);
	Tspi_Context_FreeMemory(ctx, (BYTE *)dt);
	rc = Tspi_TPM_Delegate_ReadTables(ctx, NULL, &ft, &n_del, &dt);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "ReadTables with NULL out (0x%x)", rc);
}

/* A policy of ctx describing a delegation to create. */
static TSS_HPOLICY delegation_policy(UINT32 type, UINT32 per1, const char *secret)
{
	TSS_HPOLICY p = 0;
	TSS_RESULT rc;

	rc = new_policy(ctx, secret, &p);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribUint32(p, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					  TSS_TSPATTRIB_POLDEL_TYPE, type);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribUint32(p, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					  TSS_TSPATTRIB_POLDEL_PER1, per1);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribUint32(p, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					  TSS_TSPATTRIB_POLDEL_PER2, 0);
	check(rc == TSS_SUCCESS, "delegation policy type %u per1 0x%x (0x%x)", type, per1, rc);
	return p;
}

static BYTE *owner_blob;
static UINT32 owner_blob_len;
static TSS_HPOLICY owner_del;

static void test_owner_delegation(void)
{
	TSS_HPOLICY p, bad;
	UINT32 v = 0, len = 0;
	BYTE *blob = NULL, junk[64];
	TSS_RESULT rc;

	owner_del = delegation_policy(TSS_DELEGATIONTYPE_OWNER,
				      TPM_DELEGATE_OwnerReadPubek | TPM_DELEGATE_DisablePubekRead,
				      del_secret);
	rc = Tspi_TPM_Delegate_CreateDelegation(tpm, 7, 0, 0, fam, owner_del);
	CHECK_RC(rc, "CreateDelegation (owner: OwnerReadPubek, DisablePubekRead)");
	rc = Tspi_GetAttribData(owner_del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				TSS_TSPATTRIB_POLDEL_OWNERBLOB, &len, &blob);
	check(rc == TSS_SUCCESS && len > 60, "owner blob of %u bytes (0x%x)", len, rc);
	if (rc == TSS_SUCCESS) {
		owner_blob = malloc(len);
		memcpy(owner_blob, blob, len);
		owner_blob_len = len;
		Tspi_Context_FreeMemory(ctx, blob);
	}
	rc = Tspi_GetAttribData(owner_del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				TSS_TSPATTRIB_POLDEL_KEYBLOB, &len, &blob);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "an owner blob is no key blob (0x%x)", rc);
	rc = Tspi_GetAttribUint32(owner_del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				  TSS_TSPATTRIB_POLDEL_FAMILYID, &v);
	check(rc == TSS_SUCCESS && v == fam_id, "blob's family %u", v);
	rc = Tspi_GetAttribUint32(owner_del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				  TSS_TSPATTRIB_POLDEL_LABEL, &v);
	check(rc == TSS_SUCCESS && v == 7, "blob's label %u", v);
	rc = Tspi_GetAttribUint32(owner_del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				  TSS_TSPATTRIB_POLDEL_PER1, &v);
	check(rc == TSS_SUCCESS &&
		      v == (TPM_DELEGATE_OwnerReadPubek | TPM_DELEGATE_DisablePubekRead),
	      "blob's per1 0x%x", v);
	rc = Tspi_GetAttribUint32(owner_del, TSS_TSPATTRIB_POLICY_DELEGATION_PCR,
				  TSS_TSPATTRIB_POLDELPCR_LOCALITY, &v);
	check(rc == TSS_SUCCESS && v == 0x1f, "blob's locality 0x%x", v);
	rc = Tspi_SetAttribUint32(owner_del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				  TSS_TSPATTRIB_POLDEL_PER1, 0);
	check(CODE(rc) == TSS_E_INVALID_OBJ_ACCESS, "permissions fixed once a blob is held (0x%x)",
	      rc);
	rc = Tspi_SetAttribUint32(owner_del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				  TSS_TSPATTRIB_POLDEL_FAMILYID, 1);
	check(rc != TSS_SUCCESS, "family ID is read-only (0x%x)", rc);
	rc = Tspi_TPM_Delegate_VerifyDelegation(owner_del);
	CHECK_RC(rc, "VerifyDelegation of the fresh blob");
	if (owner_blob != NULL)
		test_dsap_accounting(owner_blob, owner_blob_len);

	/* Used from another context with the delegated secret: DSAP. */
	p = blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, owner_blob, owner_blob_len, del_secret);
	rc = read_pubek_as(p);
	CHECK_RC(rc, "OwnerReadPubek through the owner delegation (DSAP)");
	rc = Tspi_TPM_SetStatus(tpm2, TSS_TPMSTATUS_RESETLOCK, TRUE);
	check(TPM_REFUSED(rc), "ResetLockValue is outside the delegation: TPM says 0x%x", rc);
	rc = Tspi_TPM_SetStatus(tpm2, TSS_TPMSTATUS_DISABLEPUBEKREAD, TRUE);
	CHECK_RC(rc, "DisablePubekRead through the delegation");
	bad = blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, owner_blob, owner_blob_len,
			  "not the delegated secret");
	rc = read_pubek_as(bad);
	check(rc == TPM_E_AUTHFAIL, "wrong delegated secret: TPM_AUTHFAIL (0x%x)", rc);
	bad = blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, owner_blob, owner_blob_len, NULL);
	rc = read_pubek_as(bad);
	check(rc == TPM_E_AUTHFAIL, "the owner's secret does not open the blob (0x%x)", rc);

	/* Malformed blobs: refused by the TSP or the TPM, never a crash. */
	memset(junk, 0xa5, sizeof(junk));
	rc = Tspi_SetAttribData(p, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				TSS_TSPATTRIB_POLDEL_OWNERBLOB, sizeof(junk), junk);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "blob with a bad tag refused (0x%x)", rc);
	rc = Tspi_SetAttribData(p, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				TSS_TSPATTRIB_POLDEL_KEYBLOB, owner_blob_len, owner_blob);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "owner blob set as key blob refused (0x%x)", rc);
	junk[0] = 0x00;
	junk[1] = 0x2a;	/* TPM_TAG_DELEGATE_OWNER_BLOB, then garbage */
	bad = blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, junk, 20, del_secret);
	rc = Tspi_GetAttribUint32(bad, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				  TSS_TSPATTRIB_POLDEL_LABEL, &v);
	check(rc != TSS_SUCCESS, "truncated blob: no label (0x%x)", rc);
	rc = read_pubek_as(bad);
	check(TPM_REFUSED(rc), "truncated blob: TPM refuses the DSAP session (0x%x)", rc);
	rc = Tspi_TPM_Delegate_VerifyDelegation(bad);
	check(rc != TSS_SUCCESS, "truncated blob fails VerifyDelegation (0x%x)", rc);
	if (owner_blob_len > 40) {
		memcpy(junk, owner_blob, 40);
		junk[30] ^= 0x01;	/* inside the public part: the integrity digest breaks */
		bad = blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, owner_blob, owner_blob_len,
				  del_secret);
		{
			BYTE *tampered = malloc(owner_blob_len);

			memcpy(tampered, owner_blob, owner_blob_len);
			tampered[owner_blob_len - 1] ^= 0x01;
			rc = Tspi_SetAttribData(bad, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
						TSS_TSPATTRIB_POLDEL_OWNERBLOB, owner_blob_len,
						tampered);
			free(tampered);
		}
		if (rc == TSS_SUCCESS)
			rc = Tspi_TPM_Delegate_VerifyDelegation(bad);
		check(TPM_REFUSED(rc), "tampered blob fails VerifyDelegation (0x%x)", rc);
	}

	/* Creating with a policy of the wrong kind, or bad flags. */
	bad = delegation_policy(TSS_DELEGATIONTYPE_KEY, 0, del_secret);
	rc = Tspi_TPM_Delegate_CreateDelegation(tpm, 1, 0, 0, fam, bad);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "owner delegation from a key policy (0x%x)", rc);
	bad = delegation_policy(TSS_DELEGATIONTYPE_OWNER, 0, del_secret);
	rc = Tspi_TPM_Delegate_CreateDelegation(tpm, 1, 0x80, 0, fam, bad);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "unknown flag refused (0x%x)", rc);
	rc = Tspi_TPM_Delegate_CreateDelegation(tpm, 1, 0, 0, 0, bad);
	check(CODE(rc) == TSS_E_INVALID_HANDLE, "no family (0x%x)", rc);
}

static void test_table(void)
{
	TSS_DELEGATION_TABLE_ENTRY *dt = NULL;
	TSS_FAMILY_TABLE_ENTRY *ft = NULL;
	UINT32 n_fam = 0, n_del = 0, v = 0, i;
	TSS_HPOLICY row, p;
	TSS_RESULT rc;
	int found = 0;

	p = blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, owner_blob, owner_blob_len, del_secret);
	rc = Tspi_TPM_Delegate_CacheOwnerDelegation(tpm, p, 1, 0);
	check(rc == TSS_E_INVALID_HANDLE || CODE(rc) == TSS_E_INVALID_HANDLE,
	      "a policy of another context is refused (0x%x)", rc);
	rc = Tspi_TPM_Delegate_CacheOwnerDelegation(tpm, owner_del, 1, 0);
	CHECK_RC(rc, "CacheOwnerDelegation in row 1");
	rc = Tspi_GetAttribUint32(owner_del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				  TSS_TSPATTRIB_POLDEL_INDEX, &v);
	check(rc == TSS_SUCCESS && v == 1, "policy now names row %u (0x%x)", v, rc);
	rc = Tspi_GetAttribUint32(owner_del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				  TSS_TSPATTRIB_POLDEL_PER1, &v);
	check(rc == TSS_SUCCESS && v == (TPM_DELEGATE_OwnerReadPubek | TPM_DELEGATE_DisablePubekRead),
	      "row's per1 0x%x", v);

	rc = Tspi_TPM_Delegate_ReadTables(ctx, &n_fam, &ft, &n_del, &dt);
	CHECK_RC(rc, "ReadTables");
	for (i = 0; i < n_del; i++)
		found |= dt[i].tableIndex == 1 && dt[i].familyID == fam_id && dt[i].label == 7 &&
			 dt[i].per1 == (TPM_DELEGATE_OwnerReadPubek | TPM_DELEGATE_DisablePubekRead) &&
			 dt[i].pcrInfo.sizeOfDigestAtRelease == 20 &&
			 dt[i].pcrInfo.digestAtRelease != NULL;
	check(found, "delegation table lists row 1 (%u rows)", n_del);
	Tspi_Context_FreeMemory(ctx, NULL);

	/* A second blob policy in ctx, to try caching it again. */
	p = 0;
	if (new_policy(ctx, del_secret, &p) == TSS_SUCCESS)
		Tspi_SetAttribData(p, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				   TSS_TSPATTRIB_POLDEL_OWNERBLOB, owner_blob_len, owner_blob);
	rc = Tspi_TPM_Delegate_CacheOwnerDelegation(tpm, p, 1, 0);
	check(CODE(rc) == TSS_E_DELFAMILY_ROWEXISTS, "row 1 taken: DELFAMILY_ROWEXISTS (0x%x)", rc);
	rc = Tspi_TPM_Delegate_CacheOwnerDelegation(tpm, p, 1, 0x10);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "unknown cache flag (0x%x)", rc);
	rc = Tspi_TPM_Delegate_CacheOwnerDelegation(tpm, p, 1,
						    TSS_DELEGATE_CACHEOWNERDELEGATION_OVERWRITEEXISTING);
	CHECK_RC(rc, "CacheOwnerDelegation overwrites row 1");

	/* Used by row from the other context. */
	rc = new_policy(ctx2, del_secret, &row);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribUint32(row, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					  TSS_TSPATTRIB_POLDEL_INDEX, 1);
	CHECK_RC(rc, "policy names row 1");
	rc = Tspi_GetAttribUint32(row, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				  TSS_TSPATTRIB_POLDEL_TYPE, &v);
	check(rc == TSS_SUCCESS && v == TSS_DELEGATIONTYPE_OWNER, "row's type %u", v);
	rc = read_pubek_as(row);
	CHECK_RC(rc, "OwnerReadPubek through table row 1 (DSAP on TPM_ET_DEL_ROW)");
	rc = Tspi_SetAttribUint32(row, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				  TSS_TSPATTRIB_POLDEL_INDEX, 0);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "empty row 0 refused (0x%x)", rc);
}

/*
 * A delegate allowed Delegate_CreateOwnerDelegation creates a delegation
 * itself: an OSAP-type owner command run over DSAP, with the new secret
 * ADIP-encrypted under the DSAP shared secret.
 */
static void test_delegated_admin(void)
{
	TSS_HPOLICY admin, child, use;
	TSS_HDELFAMILY fam2 = 0;
	UINT32 len = 0;
	BYTE *blob = NULL;
	TSS_RESULT rc;

	/* A delegate grants at most what it holds itself (Part 3 §19.3 step 3c). */
	admin = delegation_policy(TSS_DELEGATIONTYPE_OWNER,
				  TPM_DELEGATE_Delegate_CreateOwnerDelegation |
					  TPM_DELEGATE_OwnerReadPubek,
				  del_secret);
	rc = Tspi_TPM_Delegate_CreateDelegation(tpm, 11, 0, 0, fam, admin);
	CHECK_RC(rc, "CreateDelegation (owner: Delegate_CreateOwnerDelegation)");
	rc = Tspi_GetAttribData(admin, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				TSS_TSPATTRIB_POLDEL_OWNERBLOB, &len, &blob);
	CHECK_RC(rc, "admin blob");
	if (rc != TSS_SUCCESS)
		return;
	rc = Tspi_Policy_AssignToObject(
		blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, blob, len, del_secret), tpm2);
	CHECK_RC(rc, "second context acts as the admin delegate");
	rc = Tspi_TPM_Delegate_GetFamily(tpm2, fam_id, &fam2);
	CHECK_RC(rc, "GetFamily in the second context");
	child = 0;
	rc = new_policy(ctx2, "child secret", &child);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribUint32(child, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					  TSS_TSPATTRIB_POLDEL_TYPE, TSS_DELEGATIONTYPE_OWNER);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribUint32(child, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					  TSS_TSPATTRIB_POLDEL_PER1, TPM_DELEGATE_OwnerReadPubek);
	if (rc == TSS_SUCCESS)
		rc = Tspi_TPM_Delegate_CreateDelegation(tpm2, 12, 0, 0, fam2, child);
	CHECK_RC(rc, "the delegate creates a delegation (OSAP-type command over DSAP)");
	if (rc == TSS_SUCCESS) {
		TSS_HPOLICY greedy = 0;

		rc = new_policy(ctx2, "child secret", &greedy);
		if (rc == TSS_SUCCESS)
			rc = Tspi_SetAttribUint32(greedy, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
						  TSS_TSPATTRIB_POLDEL_TYPE,
						  TSS_DELEGATIONTYPE_OWNER);
		if (rc == TSS_SUCCESS)
			rc = Tspi_SetAttribUint32(greedy, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
						  TSS_TSPATTRIB_POLDEL_PER1,
						  TPM_DELEGATE_OwnerClear);
		if (rc == TSS_SUCCESS)
			rc = Tspi_TPM_Delegate_CreateDelegation(tpm2, 13, 0, 0, fam2, greedy);
		check(TPM_REFUSED(rc), "a delegate cannot grant more than it holds (0x%x)", rc);
	}
	Tspi_Context_FreeMemory(ctx, blob);
	blob = NULL;
	rc = Tspi_GetAttribData(child, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				TSS_TSPATTRIB_POLDEL_OWNERBLOB, &len, &blob);
	CHECK_RC(rc, "child blob");
	if (rc != TSS_SUCCESS)
		return;
	use = blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, blob, len, "child secret");
	rc = read_pubek_as(use);
	CHECK_RC(rc, "the delegate's delegation works with its secret");
	Tspi_Context_FreeMemory(ctx2, blob);
}

static void test_key_delegation(void)
{
	TSS_HPOLICY kp, del, nosign, p;
	TSS_HKEY key;
	TSS_HHASH hash;
	UINT32 len = 0, sig_len = 0;
	BYTE *blob = NULL, *sig = NULL, digest[20];
	TSS_RESULT rc;

	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
				       TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_2048 |
					       TSS_KEY_AUTHORIZATION | TSS_KEY_NOT_MIGRATABLE,
				       &key);
	if (rc == TSS_SUCCESS && (rc = new_policy(ctx, key_secret, &kp)) == TSS_SUCCESS)
		rc = Tspi_Policy_AssignToObject(kp, key);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Key_CreateKey(key, srk, 0);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Key_LoadKey(key, srk);
	CHECK_RC(rc, "signing key created and loaded");

	del = delegation_policy(TSS_DELEGATIONTYPE_KEY, TPM_KEY_DELEGATE_Sign, key_del_secret);
	rc = Tspi_TPM_Delegate_CreateDelegation(key, 3, 0, 0, fam, del);
	CHECK_RC(rc, "CreateDelegation (key: Sign)");
	rc = Tspi_TPM_Delegate_CreateDelegation(key, 3, TSS_DELEGATE_INCREMENTVERIFICATIONCOUNT, 0,
						fam, del);
	check(CODE(rc) == TSS_E_BAD_PARAMETER, "key delegations take no flag (0x%x)", rc);
	rc = Tspi_GetAttribData(del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				TSS_TSPATTRIB_POLDEL_KEYBLOB, &len, &blob);
	check(rc == TSS_SUCCESS && len > 80, "key blob of %u bytes (0x%x)", len, rc);
	rc = Tspi_TPM_Delegate_VerifyDelegation(del);
	CHECK_RC(rc, "VerifyDelegation of the key blob");

	/* Sign with the delegated secret: the key's own is not known here. */
	memset(digest, 0x5c, sizeof(digest));
	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &hash);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Hash_SetHashValue(hash, 20, digest);
	CHECK_RC(rc, "hash object");
	rc = Tspi_Policy_AssignToObject(del, key);
	CHECK_RC(rc, "key delegation policy assigned as the key's usage policy");
	rc = Tspi_Hash_Sign(hash, key, &sig_len, &sig);
	check(rc == TSS_SUCCESS && sig_len == 256, "Sign through the key delegation (0x%x)", rc);
	if (rc == TSS_SUCCESS) {
		rc = Tspi_Hash_VerifySignature(hash, key, sig_len, sig);
		CHECK_RC(rc, "the signature verifies");
	}
	/* A key delegation that does not allow Sign. */
	nosign = delegation_policy(TSS_DELEGATIONTYPE_KEY, TPM_KEY_DELEGATE_Unseal, key_del_secret);
	Tspi_Policy_AssignToObject(kp, key);
	rc = Tspi_TPM_Delegate_CreateDelegation(key, 4, 0, 0, fam, nosign);
	CHECK_RC(rc, "CreateDelegation (key: Unseal only)");
	Tspi_Policy_AssignToObject(nosign, key);
	rc = Tspi_Hash_Sign(hash, key, &sig_len, &sig);
	check(TPM_REFUSED(rc), "Sign outside the key delegation refused: 0x%x", rc);
	/* Wrong delegated secret. */
	p = 0;
	if (new_policy(ctx, "wrong", &p) == TSS_SUCCESS)
		Tspi_SetAttribData(p, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				   TSS_TSPATTRIB_POLDEL_KEYBLOB, len, blob);
	Tspi_Policy_AssignToObject(p, key);
	rc = Tspi_Hash_Sign(hash, key, &sig_len, &sig);
	check(rc == TPM_E_AUTHFAIL, "wrong key-delegation secret: TPM_AUTHFAIL (0x%x)", rc);
	/* And the key's own secret still works without delegation. */
	Tspi_Policy_AssignToObject(kp, key);
	rc = Tspi_Hash_Sign(hash, key, &sig_len, &sig);
	CHECK_RC(rc, "Sign with the key's own secret (OIAP) still works");
	Tspi_Context_FreeMemory(ctx, NULL);
}

static void test_pcr_delegation(void)
{
	TSS_HPOLICY del, p;
	TSS_HPCRS pcrs;
	UINT32 len = 0, v = 0;
	BYTE *val = NULL, *blob = NULL, ext[20];
	TSS_RESULT rc;

	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_PCRS, TSS_PCRS_STRUCT_INFO_SHORT, &pcrs);
	if (rc == TSS_SUCCESS)
		rc = Tspi_TPM_PcrRead(tpm, 16, &len, &val);
	if (rc == TSS_SUCCESS)
		rc = Tspi_PcrComposite_SelectPcrIndexEx(pcrs, 16, TSS_PCRS_DIRECTION_RELEASE);
	if (rc == TSS_SUCCESS)
		rc = Tspi_PcrComposite_SetPcrValue(pcrs, 16, len, val);
	CHECK_RC(rc, "PCR composite on PCR 16's current value");
	del = delegation_policy(TSS_DELEGATIONTYPE_OWNER, TPM_DELEGATE_OwnerReadPubek, del_secret);
	rc = Tspi_TPM_Delegate_CreateDelegation(tpm, 9, 0, pcrs, fam, del);
	CHECK_RC(rc, "CreateDelegation bound to PCR 16");
	rc = Tspi_GetAttribData(del, TSS_TSPATTRIB_POLICY_DELEGATION_PCR,
				TSS_TSPATTRIB_POLDELPCR_SELECTION, &len, &val);
	check(rc == TSS_SUCCESS && len >= 4 && (val[2 + 2] & 0x01), "blob's selection has PCR 16");
	rc = Tspi_GetAttribData(del, TSS_TSPATTRIB_POLICY_DELEGATION_PCR,
				TSS_TSPATTRIB_POLDELPCR_DIGESTATRELEASE, &len, &val);
	check(rc == TSS_SUCCESS && len == 20, "blob's digestAtRelease (%u bytes)", len);
	rc = Tspi_GetAttribData(del, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				TSS_TSPATTRIB_POLDEL_OWNERBLOB, &len, &blob);
	CHECK_RC(rc, "PCR-bound blob");
	p = blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, blob, len, del_secret);
	rc = read_pubek_as(p);
	CHECK_RC(rc, "PCR-bound delegation works while PCR 16 matches");
	memset(ext, 0x33, sizeof(ext));
	rc = Tspi_TPM_PcrExtend(tpm, 16, sizeof(ext), ext, NULL, &v, &val);
	CHECK_RC(rc, "PCR 16 extended");
	rc = read_pubek_as(p);
	check(TPM_REFUSED(rc), "PCR-bound delegation refused after the extend (0x%x)", rc);
	Tspi_Context_FreeMemory(ctx, NULL);
}

static void test_verification_count(void)
{
	TSS_HPOLICY old, fresh, row, stamped;
	UINT32 vc0 = 0, vc1 = 0, len = 0;
	BYTE *blob = NULL;
	TSS_RESULT rc;

	Tspi_GetAttribUint32(fam, TSS_TSPATTRIB_DELFAMILY_INFO,
			     TSS_TSPATTRIB_DELFAMILYINFO_VERCOUNT, &vc0);
	old = blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, owner_blob, owner_blob_len, del_secret);
	fresh = delegation_policy(TSS_DELEGATIONTYPE_OWNER, TPM_DELEGATE_OwnerReadPubek,
				  del_secret);
	rc = Tspi_TPM_Delegate_CreateDelegation(tpm, 5, TSS_DELEGATE_INCREMENTVERIFICATIONCOUNT, 0,
						fam, fresh);
	CHECK_RC(rc, "CreateDelegation incrementing the verification count");
	rc = Tspi_GetAttribUint32(fam, TSS_TSPATTRIB_DELFAMILY_INFO,
				  TSS_TSPATTRIB_DELFAMILYINFO_VERCOUNT, &vc1);
	check(rc == TSS_SUCCESS && vc1 == vc0 + 1, "family verification count %u -> %u", vc0, vc1);
	rc = Tspi_GetAttribData(fresh, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
				TSS_TSPATTRIB_POLDEL_OWNERBLOB, &len, &blob);
	CHECK_RC(rc, "fresh blob");
	stamped = blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, blob, len, del_secret);
	rc = read_pubek_as(stamped);
	CHECK_RC(rc, "the blob of the new count works");
	rc = read_pubek_as(old);
	check(TPM_REFUSED(rc), "the old blob is revoked (0x%x)", rc);
	rc = Tspi_TPM_Delegate_VerifyDelegation(old);
	check(TPM_REFUSED(rc), "VerifyDelegation says the old blob is stale (0x%x)", rc);
	rc = new_policy(ctx2, del_secret, &row);
	if (rc == TSS_SUCCESS)
		rc = Tspi_SetAttribUint32(row, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					  TSS_TSPATTRIB_POLDEL_INDEX, 1);
	if (rc == TSS_SUCCESS)
		rc = read_pubek_as(row);
	check(TPM_REFUSED(rc), "the table row of the old count is revoked too (0x%x)", rc);

	/* The owner re-stamps both (UpdateVerificationCount). */
	rc = Tspi_TPM_Delegate_UpdateVerificationCount(tpm, old);
	check(CODE(rc) == TSS_E_INVALID_HANDLE, "policy of another context refused (0x%x)", rc);
	rc = Tspi_TPM_Delegate_UpdateVerificationCount(tpm2, old);
	check(TPM_REFUSED(rc), "not the owner (tpm2 holds a stale delegation): 0x%x", rc);
	rc = Tspi_TPM_Delegate_UpdateVerificationCount(tpm, owner_del);
	CHECK_RC(rc, "UpdateVerificationCount of row 1");
	rc = read_pubek_as(row);
	CHECK_RC(rc, "row 1 works again");
	{
		TSS_HPOLICY mine = 0;

		if (new_policy(ctx, del_secret, &mine) == TSS_SUCCESS)
			Tspi_SetAttribData(mine, TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					   TSS_TSPATTRIB_POLDEL_OWNERBLOB, owner_blob_len,
					   owner_blob);
		rc = Tspi_TPM_Delegate_UpdateVerificationCount(tpm, mine);
		CHECK_RC(rc, "UpdateVerificationCount of the old blob");
		rc = Tspi_TPM_Delegate_VerifyDelegation(mine);
		CHECK_RC(rc, "the re-stamped blob verifies");
	}
	Tspi_Context_FreeMemory(ctx, NULL);
}

static void test_invalidate(void)
{
	TSS_FAMILY_TABLE_ENTRY *ft = NULL;
	TSS_DELEGATION_TABLE_ENTRY *dt = NULL;
	UINT32 n_fam = 0, n_del = 0, i;
	TSS_HPOLICY p;
	TSS_HDELFAMILY again;
	TSS_RESULT rc;
	int listed = 0;

	p = blob_policy(TSS_TSPATTRIB_POLDEL_OWNERBLOB, owner_blob, owner_blob_len, del_secret);
	rc = Tspi_TPM_Delegate_InvalidateFamily(tpm, fam);
	CHECK_RC(rc, "InvalidateFamily");
	rc = Tspi_TPM_Delegate_GetFamily(tpm, fam_id, &again);
	check(rc != TSS_SUCCESS, "the family is gone (0x%x)", rc);
	rc = Tspi_TPM_Delegate_ReadTables(ctx, &n_fam, &ft, &n_del, &dt);
	CHECK_RC(rc, "ReadTables");
	for (i = 0; i < n_fam; i++)
		listed |= ft[i].familyID == fam_id;
	check(!listed, "family table no longer lists it");
	rc = read_pubek_as(p);
	check(TPM_REFUSED(rc), "delegations of an invalidated family fail (0x%x)", rc);
	Tspi_Context_FreeMemory(ctx, NULL);
}

int main(void)
{
	struct test_tcsd t;
	TSS_RESULT rc;

	kit_daemon_up(&t, "embedded");
	daemon_port = t.port;
	daemon_trousers = t.kind == TEST_TCSD_TROUSERS;

	rc = Tspi_Context_Create(&ctx);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Connect(ctx, NULL);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Create(&ctx2);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Connect(ctx2, NULL);
	CHECK_RC(rc, "two contexts connected");
	if (rc == TSS_SUCCESS) {
		test_setup();
		test_family();
		test_owner_delegation();
		test_table();
		test_delegated_admin();
		test_key_delegation();
		test_pcr_delegation();
		test_verification_count();
		test_invalidate();
	}
	Tspi_Context_Close(ctx2);
	Tspi_Context_Close(ctx);
	free(owner_blob);
	return kit_daemon_down(&t);
}
