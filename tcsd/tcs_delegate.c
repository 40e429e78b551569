/*
 * TCS area: delegation (TPM 1.2 Part 3 §19): family management, owner and
 * key delegation blobs, the owner delegation table, and verification.
 * The DSAP session that uses a delegation (Part 3 §18.3 TPM_DSAP) is
 * opened by tcs_auth.c, which accounts it with the OIAP/OSAP sessions.
 *
 * Wire format: TrouSerS' rpc_delegate.c. Each authorised call carries
 * one TPM_AUTH that is all zeros when the caller has no session (e.g.
 * Delegate_Manage on a TPM without owner); the reply then has no AUTH.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include <tss/tpm.h>
#include <tss/tpm_ordinal.h>

#include "log.h"
#include "tcs_keys.h"
#include "tcsd.h"
#include "tcsd_ordinals.h"

/* Every delegation structure fits one TPM buffer (the TPM limits them too). */
#define DELEGATE_DATA_MAX TCSD_TPM_BUFSIZE

/* Reads the trailing AUTH and the end of the request. */
static TSS_RESULT finish_request(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				 uint32_t idx, TPM_AUTH *auth, TPM_AUTH **pauth)
{
	int err;

	*pauth = NULL;
	tcsd_get_auth_in(in, idx, auth);
	if ((err = tcsd_reader_done(in)) != 0)
		return tcsd_bad_request(cl, in, err);
	*pauth = tcsd_auth_is_null(auth) ? NULL : auth;
	return TSS_SUCCESS;
}

/* Reads the TPM's UINT32-sized output (retData, blob, outputData). */
static TSS_RESULT rsp_sized(struct tcsd_tpm_rsp *rsp, const uint8_t **p, uint32_t *n)
{
	*p = NULL;
	*n = 0;
	buf_get_sized_ptr(&rsp->params, p, n, DELEGATE_DATA_MAX);
	return tcsd_tpm_rsp_done(rsp);
}

/* Answers [AUTH] UINT32 size, PBYTE data. */
static void reply_sized(struct tcsd_packet_writer *out, const TPM_AUTH *auth, const uint8_t *p,
			uint32_t n)
{
	uint32_t idx = 0;

	tcsd_writer_init_reply(out, 3);
	if (auth != NULL)
		tcsd_put_auth_out(out, idx++, auth);
	tcsd_put_sized(out, &idx, p, n);
}

/*
 * Delegate_Manage: ctx, UINT32 familyID, UINT32 opFlag, UINT32+PBYTE
 * opData, AUTH ownerAuth -> [AUTH], UINT32+PBYTE retData (Part 3 §19.1).
 */
static TSS_RESULT tcs_delegate_manage(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				      struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	UINT32 family = 0, op = 0, n = 0, idx = 3;
	const uint8_t *data = NULL, *ret;
	TPM_AUTH auth, *pauth;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &family);
	tcsd_get_u32(in, 2, &op);
	tcsd_get_sized_ptr(in, &idx, &data, &n, DELEGATE_DATA_MAX);
	if ((rc = finish_request(cl, in, idx, &auth, &pauth)) != TSS_SUCCESS)
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_Delegate_Manage);
	buf_put_u32(&cmd.w, family);
	buf_put_u32(&cmd.w, op);
	buf_put_sized(&cmd.w, data, n);
	if ((rc = tcsd_tpm_exec(cl, &cmd, pauth, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	if ((rc = rsp_sized(&rsp, &ret, &n)) != TSS_SUCCESS)
		return rc;
	reply_sized(out, pauth, ret, n);
	return TSS_SUCCESS;
}

/*
 * Delegate_CreateKeyDelegation: ctx, UINT32 key, UINT32+PBYTE publicInfo,
 * ENCAUTH delAuth, AUTH keyAuth -> [AUTH], UINT32+PBYTE blob (§19.2).
 */
static TSS_RESULT tcs_delegate_create_key(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					  struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_Delegate_CreateKeyDelegation };
	struct tcsd_tpm_rsp rsp;
	struct buf_writer w;
	BYTE params[DELEGATE_DATA_MAX + 64];
	UINT32 n = 0, idx = 2;
	const uint8_t *pub = NULL, *blob;
	TPM_ENCAUTH enc;
	TPM_AUTH auth, *pauth;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_sized_ptr(in, &idx, &pub, &n, DELEGATE_DATA_MAX);
	tcsd_get_encauth(in, idx++, &enc);
	if ((rc = finish_request(cl, in, idx, &auth, &pauth)) != TSS_SUCCESS)
		return rc;
	buf_writer_init_fixed(&w, params, sizeof(params));
	buf_put_bytes(&w, pub, n);
	buf_put_bytes(&w, enc.authdata, sizeof(enc.authdata));
	if (buf_writer_error(&w) != 0)
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	kc.params = params;
	kc.params_len = buf_writer_len(&w);
	kc.auth1 = pauth;
	rc = tcs_key_exec(cl, &kc, &rsp);
	OPENSSL_cleanse(params, sizeof(params));
	if (rc != TSS_SUCCESS)
		return rc;
	if ((rc = rsp_sized(&rsp, &blob, &n)) != TSS_SUCCESS)
		return rc;
	reply_sized(out, pauth, blob, n);
	return TSS_SUCCESS;
}

/*
 * Delegate_CreateOwnerDelegation: ctx, BOOL increment, UINT32+PBYTE
 * publicInfo, ENCAUTH delAuth, AUTH ownerAuth -> [AUTH], UINT32+PBYTE
 * blob (§19.3).
 */
static TSS_RESULT tcs_delegate_create_owner(struct tcsd_client *cl,
					    struct tcsd_packet_reader *in,
					    struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TSS_BOOL increment = FALSE;
	UINT32 n = 0, idx = 2;
	const uint8_t *pub = NULL, *blob;
	TPM_ENCAUTH enc;
	TPM_AUTH auth, *pauth;
	TSS_RESULT rc;

	tcsd_get_bool(in, 1, &increment);
	tcsd_get_sized_ptr(in, &idx, &pub, &n, DELEGATE_DATA_MAX);
	tcsd_get_encauth(in, idx++, &enc);
	if ((rc = finish_request(cl, in, idx, &auth, &pauth)) != TSS_SUCCESS)
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_Delegate_CreateOwnerDelegation);
	buf_put_u8(&cmd.w, increment ? 1 : 0);
	buf_put_bytes(&cmd.w, pub, n);
	buf_put_bytes(&cmd.w, enc.authdata, sizeof(enc.authdata));
	rc = tcsd_tpm_exec(cl, &cmd, pauth, NULL, &rsp);
	OPENSSL_cleanse(cmd.mem, sizeof(cmd.mem));
	if (rc != TSS_SUCCESS)
		return rc;
	if ((rc = rsp_sized(&rsp, &blob, &n)) != TSS_SUCCESS)
		return rc;
	reply_sized(out, pauth, blob, n);
	return TSS_SUCCESS;
}

/*
 * Delegate_LoadOwnerDelegation: ctx, UINT32 index, UINT32+PBYTE blob,
 * AUTH ownerAuth -> [AUTH] (§19.4).
 */
static TSS_RESULT tcs_delegate_load_owner(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					  struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	UINT32 row = 0, n = 0, idx = 2;
	const uint8_t *blob = NULL;
	TPM_AUTH auth, *pauth;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &row);
	tcsd_get_sized_ptr(in, &idx, &blob, &n, DELEGATE_DATA_MAX);
	if ((rc = finish_request(cl, in, idx, &auth, &pauth)) != TSS_SUCCESS)
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_Delegate_LoadOwnerDelegation);
	buf_put_u32(&cmd.w, row);
	buf_put_sized(&cmd.w, blob, n);
	return tcsd_tpm_exec_reply_auth(cl, &cmd, pauth, out);
}

/*
 * Delegate_ReadTable: ctx -> UINT32+PBYTE familyTable, UINT32+PBYTE
 * delegateTable (§19.5): the public parts only, no auth.
 */
static TSS_RESULT tcs_delegate_read_table(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					  struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	const uint8_t *fam = NULL, *del = NULL;
	uint32_t fam_n = 0, del_n = 0, idx = 0;
	TSS_RESULT rc;
	int err;

	if ((err = tcsd_reader_done(in)) != 0)
		return tcsd_bad_request(cl, in, err);
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_Delegate_ReadTable);
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_ptr(&rsp.params, &fam, &fam_n, DELEGATE_DATA_MAX);
	buf_get_sized_ptr(&rsp.params, &del, &del_n, DELEGATE_DATA_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 4);
	tcsd_put_sized(out, &idx, fam, fam_n);
	tcsd_put_sized(out, &idx, del, del_n);
	return TSS_SUCCESS;
}

/*
 * Delegate_UpdateVerificationCount: ctx, UINT32+PBYTE input (a blob, or
 * a 4-byte table index), AUTH ownerAuth -> [AUTH], UINT32+PBYTE output
 * (§19.6).
 */
static TSS_RESULT tcs_delegate_update_verification(struct tcsd_client *cl,
						   struct tcsd_packet_reader *in,
						   struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	UINT32 n = 0, idx = 1;
	const uint8_t *data = NULL, *ret;
	TPM_AUTH auth, *pauth;
	TSS_RESULT rc;

	tcsd_get_sized_ptr(in, &idx, &data, &n, DELEGATE_DATA_MAX);
	if ((rc = finish_request(cl, in, idx, &auth, &pauth)) != TSS_SUCCESS)
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_Delegate_UpdateVerification);
	buf_put_sized(&cmd.w, data, n);
	if ((rc = tcsd_tpm_exec(cl, &cmd, pauth, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	if ((rc = rsp_sized(&rsp, &ret, &n)) != TSS_SUCCESS)
		return rc;
	reply_sized(out, pauth, ret, n);
	return TSS_SUCCESS;
}

/* Delegate_VerifyDelegation: ctx, UINT32+PBYTE delegation -> nothing (§19.7). */
static TSS_RESULT tcs_delegate_verify(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				      struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	UINT32 n = 0, idx = 1;
	const uint8_t *data = NULL;
	TSS_RESULT rc;
	int err;

	tcsd_get_sized_ptr(in, &idx, &data, &n, DELEGATE_DATA_MAX);
	if ((err = tcsd_reader_done(in)) != 0)
		return tcsd_bad_request(cl, in, err);
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_Delegate_VerifyDelegation);
	buf_put_sized(&cmd.w, data, n);
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	return tcsd_tpm_rsp_done(&rsp);
}

const struct tcsd_handler tcs_delegate_handlers[] = {
	{ TCSD_ORD_DELEGATE_MANAGE, tcs_delegate_manage },
	{ TCSD_ORD_DELEGATE_CREATEKEYDELEGATION, tcs_delegate_create_key },
	{ TCSD_ORD_DELEGATE_CREATEOWNERDELEGATION, tcs_delegate_create_owner },
	{ TCSD_ORD_DELEGATE_LOADOWNERDELEGATION, tcs_delegate_load_owner },
	{ TCSD_ORD_DELEGATE_READTABLE, tcs_delegate_read_table },
	{ TCSD_ORD_DELEGATE_UPDATEVERIFICATIONCOUNT, tcs_delegate_update_verification },
	{ TCSD_ORD_DELEGATE_VERIFYDELEGATION, tcs_delegate_verify },
	{ 0, NULL },
};
