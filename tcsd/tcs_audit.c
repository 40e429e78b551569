/*
 * TCS area: administration: ordinal auditing (TPM 1.2 Part 3, "Auditing"),
 * the DIR (TPM_DirWriteAuth/DirRead), the operator's auth
 * (TPM_SetOperatorAuth), the dictionary-attack lock (TPM_ResetLockValue),
 * TPM_SetCapability and self-test certification (TPM_CertifySelfTest).
 *
 * Pass-throughs with TrouSerS' parameter lists (src/tcs/rpc/tcstp/
 * rpc_audit.c, rpc_dir.c, rpc_oper.c, rpc_admin.c, rpc_caps_tpm.c,
 * rpc_selftest.c): the TCS maps key handles and forwards auth trailers;
 * it never computes an HMAC.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include <tss/tcs_error.h>
#include <tss/tpm.h>
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>
#include <tss/tss_error.h>

#include "log.h"
#include "tcs_keys.h"
#include "tcsd.h"
#include "tcsd_ordinals.h"

/* TPM_COUNTER_VALUE: tag, label[4], counter (Part 2 §21.1). */
#define COUNTER_VALUE_SIZE 10u
/* A signature from a 2048-bit key, with room for a larger one. */
#define SIG_MAX 1024u
/* The audited-ordinal list fits the TPM's 4 KiB response. */
#define ORD_LIST_MAX 4096u
/* SetCapability's sub-capability and value are a few bytes. */
#define SETCAP_MAX 256u

/* ---- auditing (Part 3, "Auditing") ---- */

/*
 * SetOrdinalAuditStatus: ctx, UINT32 ordinal, BOOL state, AUTH owner ->
 * AUTH. The TPM takes the ordinal first, then the state.
 */
static TSS_RESULT tcs_set_ordinal_audit_status(struct tcsd_client *cl,
					       struct tcsd_packet_reader *in,
					       struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	TPM_AUTH auth;
	UINT32 ordinal = 0;
	TSS_BOOL state = FALSE;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &ordinal);
	tcsd_get_bool(in, 2, &state);
	tcsd_get_auth_in(in, 3, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_SetOrdinalAuditStatus);
	buf_put_u32(&cmd.w, ordinal);
	buf_put_u8(&cmd.w, state ? 1 : 0);
	if ((rc = tcsd_tpm_exec_reply_auth(cl, &cmd, &auth, out)) != TSS_SUCCESS)
		return rc;
	log_info("%s: auditing of ordinal 0x%x %s", tcsd_client_name(cl), ordinal,
		 state ? "on" : "off");
	return TSS_SUCCESS;
}

/*
 * GetAuditDigest: ctx, UINT32 startOrdinal -> DIGEST auditDigest,
 * UINT32+PBYTE counterValue, BOOL more, UINT32 ordinal count, PBYTE
 * ordinals. The TPM gives the list's size in bytes; TrouSerS
 * answers the count and passes the ordinals on as the TPM wrote them
 * (big-endian), which its libtspi expects.
 */
static TSS_RESULT tcs_get_audit_digest(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				       struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_DIGEST digest;
	const uint8_t *counter = NULL, *list = NULL;
	uint8_t more = 0;
	UINT32 start = 0, list_len = 0;
	uint32_t idx = 1;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &start);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_GetAuditDigest);
	buf_put_u32(&cmd.w, start);
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_ptr(&rsp.params, &counter, COUNTER_VALUE_SIZE);
	buf_get_bytes(&rsp.params, digest.digest, sizeof(digest.digest));
	buf_get_u8(&rsp.params, &more);
	buf_get_sized_ptr(&rsp.params, &list, &list_len, ORD_LIST_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	if (list_len % 4 != 0) {
		log_error("TPM_GetAuditDigest: ordinal list of %u bytes", list_len);
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	tcsd_writer_init_reply(out, 6);
	tcsd_put_digest(out, 0, &digest);
	tcsd_put_sized(out, &idx, counter, COUNTER_VALUE_SIZE);
	tcsd_put_bool(out, idx++, more ? TRUE : FALSE);
	tcsd_put_u32(out, idx++, list_len / 4);
	tcsd_put_bytes(out, idx, list, list_len);
	return TSS_SUCCESS;
}

/*
 * GetAuditDigestSigned: ctx, UINT32 key, BOOL closeAudit, NONCE
 * antiReplay, AUTH (all zero: none) -> [AUTH], UINT32+PBYTE
 * counterValue, DIGEST auditDigest, DIGEST ordinalDigest, UINT32+PBYTE
 * sig. TrouSerS' libtspi always sends the AUTH slot and marks "no
 * auth" with zeros; a missing slot is taken the same way.
 */
static TSS_RESULT tcs_get_audit_digest_signed(struct tcsd_client *cl,
					      struct tcsd_packet_reader *in,
					      struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_GetAuditDigestSigned };
	struct tcsd_tpm_rsp rsp;
	TPM_NONCE nonce;
	TPM_DIGEST audit, ords;
	TPM_AUTH auth;
	TSS_BOOL close_audit = FALSE;
	BYTE params[21];
	const uint8_t *counter = NULL, *sig = NULL;
	uint32_t sig_len = 0, idx = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_bool(in, 2, &close_audit);
	tcsd_get_nonce(in, 3, &nonce);
	tcsd_get_optional_auth(in, 4, &auth, &kc.auth1);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (kc.auth1 != NULL && tcsd_auth_is_null(&auth))
		kc.auth1 = NULL;
	params[0] = close_audit ? 1 : 0;
	memcpy(params + 1, nonce.nonce, 20);
	kc.params = params;
	kc.params_len = sizeof(params);
	if ((rc = tcs_key_exec(cl, &kc, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_ptr(&rsp.params, &counter, COUNTER_VALUE_SIZE);
	buf_get_bytes(&rsp.params, audit.digest, sizeof(audit.digest));
	buf_get_bytes(&rsp.params, ords.digest, sizeof(ords.digest));
	buf_get_sized_ptr(&rsp.params, &sig, &sig_len, SIG_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 7);
	if (kc.auth1 != NULL)
		tcsd_put_auth_out(out, idx++, kc.auth1);
	tcsd_put_sized(out, &idx, counter, COUNTER_VALUE_SIZE);
	tcsd_put_digest(out, idx++, &audit);
	tcsd_put_digest(out, idx++, &ords);
	tcsd_put_sized(out, &idx, sig, sig_len);
	return TSS_SUCCESS;
}

/* ---- DIR (Part 3, deprecated in 1.2 but implemented by libtpms) ---- */

/* DirWriteAuth: ctx, UINT32 dirIndex, DIGEST newContents, AUTH owner -> AUTH. */
static TSS_RESULT tcs_dir_write_auth(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				     struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	TPM_DIGEST value;
	TPM_AUTH auth;
	UINT32 index = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &index);
	tcsd_get_digest(in, 2, &value);
	tcsd_get_auth_in(in, 3, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_DirWriteAuth);
	buf_put_u32(&cmd.w, index);
	buf_put_bytes(&cmd.w, value.digest, sizeof(value.digest));
	return tcsd_tpm_exec_reply_auth(cl, &cmd, &auth, out);
}

/* DirRead: ctx, UINT32 dirIndex -> DIGEST. */
static TSS_RESULT tcs_dir_read(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			       struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_DIGEST value;
	UINT32 index = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &index);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_DirRead);
	buf_put_u32(&cmd.w, index);
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_bytes(&rsp.params, value.digest, sizeof(value.digest));
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 1);
	tcsd_put_digest(out, 0, &value);
	return TSS_SUCCESS;
}

/* ---- operator, lockout, capabilities ---- */

/*
 * SetOperatorAuth: ctx, SECRET operatorAuth -> nothing (no auth: the
 * TPM wants physical presence instead). The secret is wiped once sent.
 */
static TSS_RESULT tcs_set_operator_auth(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_SECRET secret;
	TSS_RESULT rc;

	tcsd_get_secret(in, 1, &secret);
	if (!tcsd_request_ok(cl, in, &rc))
		goto out;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_SetOperatorAuth);
	buf_put_bytes(&cmd.w, secret.authdata, sizeof(secret.authdata));
	rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp);
	OPENSSL_cleanse(cmd.mem, sizeof(cmd.mem));
	if (rc == TSS_SUCCESS)
		rc = tcsd_tpm_rsp_done(&rsp);
out:
	OPENSSL_cleanse(&secret, sizeof(secret));
	return rc;
}

/* ResetLockValue: ctx, AUTH owner -> AUTH (ends a dictionary-attack lockout). */
static TSS_RESULT tcs_reset_lock_value(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				       struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	TPM_AUTH auth;
	TSS_RESULT rc;

	tcsd_get_auth_in(in, 1, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_ResetLockValue);
	if ((rc = tcsd_tpm_exec_reply_auth(cl, &cmd, &auth, out)) != TSS_SUCCESS)
		return rc;
	log_info("%s: the dictionary-attack lock was reset", tcsd_client_name(cl));
	return TSS_SUCCESS;
}

/*
 * SetCapability: ctx, UINT32 capArea, UINT32+PBYTE subCap, UINT32+PBYTE
 * value, AUTH? owner -> [AUTH] (without auth the TPM wants physical
 * presence).
 */
static TSS_RESULT tcs_set_capability(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				     struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_AUTH auth, *pauth = NULL;
	const uint8_t *sub = NULL, *value = NULL;
	UINT32 area = 0, sub_len = 0, value_len = 0;
	uint32_t idx = 2;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &area);
	tcsd_get_sized_ptr(in, &idx, &sub, &sub_len, SETCAP_MAX);
	tcsd_get_sized_ptr(in, &idx, &value, &value_len, SETCAP_MAX);
	tcsd_get_optional_auth(in, idx, &auth, &pauth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_SetCapability);
	buf_put_u32(&cmd.w, area);
	buf_put_sized(&cmd.w, sub, sub_len);
	buf_put_sized(&cmd.w, value, value_len);
	if ((rc = tcsd_tpm_exec(cl, &cmd, pauth, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	if (pauth != NULL) {
		tcsd_writer_init_reply(out, 1);
		tcsd_put_auth_out(out, 0, pauth);
	}
	return TSS_SUCCESS;
}

/*
 * CertifySelfTest: ctx, UINT32 key, NONCE antiReplay, AUTH? -> [AUTH],
 * UINT32+PBYTE sig. The TPM signs SHA1("Test Passed" || nonce ||
 * ordinal) and answers only the signature.
 */
static TSS_RESULT tcs_certify_self_test(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_CertifySelfTest };
	struct tcsd_tpm_rsp rsp;
	TPM_NONCE nonce;
	TPM_AUTH auth;
	const uint8_t *sig = NULL;
	uint32_t sig_len = 0, idx = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_nonce(in, 2, &nonce);
	tcsd_get_optional_auth(in, 3, &auth, &kc.auth1);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	kc.params = nonce.nonce;
	kc.params_len = sizeof(nonce.nonce);
	if ((rc = tcs_key_exec(cl, &kc, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_ptr(&rsp.params, &sig, &sig_len, SIG_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 3);
	if (kc.auth1 != NULL)
		tcsd_put_auth_out(out, idx++, kc.auth1);
	tcsd_put_sized(out, &idx, sig, sig_len);
	return TSS_SUCCESS;
}

/*
 * TCSD_ORD_GETCAPABILITYSIGNED stays unserved (TSS_E_NOTIMPL from the
 * dispatcher): the TCG deleted TPM_GetCapabilitySigned from TPM 1.2
 * (a signature-forgery weakness), libtpms does not implement it, and
 * TrouSerS' tcsd has no handler for it either (tcs_wrap_Error).
 */
const struct tcsd_handler tcs_audit_handlers[] = {
	{ TCSD_ORD_SETORDINALAUDITSTATUS, tcs_set_ordinal_audit_status },
	{ TCSD_ORD_GETAUDITDIGEST, tcs_get_audit_digest },
	{ TCSD_ORD_GETAUDITDIGESTSIGNED, tcs_get_audit_digest_signed },
	{ TCSD_ORD_DIRWRITEAUTH, tcs_dir_write_auth },
	{ TCSD_ORD_DIRREAD, tcs_dir_read },
	{ TCSD_ORD_SETOPERATORAUTH, tcs_set_operator_auth },
	{ TCSD_ORD_RESETLOCKVALUE, tcs_reset_lock_value },
	{ TCSD_ORD_SETCAPABILITY, tcs_set_capability },
	{ TCSD_ORD_CERTIFYSELFTEST, tcs_certify_self_test },
	{ 0, NULL },
};
