/*
 * TCS area: NV storage (TPM 1.2 Part 3 §20). Five pass-through
 * ordinals; the TSP computes every HMAC and ADIP value, the TCS only
 * forwards the owner's or the area's TPM_AUTH both ways.
 *
 * Parameter lists are TrouSerS' (src/tcs/rpc/tcstp/rpc_nv.c, checked
 * against common/tcsd_ordinals.c): an authorised form answers with
 * one reserved slot holding the AUTH, an unauthorised one with the same
 * slot left empty; reads answer "AUTH?, UINT32 size, PBYTE data" in
 * three reserved slots.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include <tss/tpm.h>
#include <tss/tpm_ordinal.h>

#include "log.h"
#include "tcsd.h"
#include "tcsd_ordinals.h"
#include "tpm_exec.h"

/*
 * TPM_NV_DATA_PUBLIC is about 70 bytes with 3-byte PCR selections; a
 * larger pubInfo cannot be valid (the TPM would refuse it anyway).
 */
#define NV_PUBINFO_MAX 512u
/*
 * Data of one write or read: the TPM buffer less the command header
 * (10), the index/offset/size words (12) and an auth trailer (45), with
 * room to spare. A larger write is a bad parameter, not a malformed packet.
 */
#define NV_DATA_MAX (TCSD_TPM_BUFSIZE - 128u)

/*
 * NVDefineOrReleaseSpace: ctx, UINT32+PBYTE pubInfo, ENCAUTH, AUTH? ->
 * AUTH?. TPM_NV_DefineSpace (Part 3 §20.1); a dataSize of 0 releases the
 * area. Without owner auth the TPM accepts it only while nvLocked is
 * FALSE.
 */
static TSS_RESULT tcs_nv_define(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	const uint8_t *pub = NULL;
	UINT32 pub_len = 0;
	TPM_ENCAUTH enc;
	TPM_AUTH auth, *pauth;
	uint32_t idx = 1;
	TSS_RESULT rc;

	tcsd_get_sized_ptr(in, &idx, &pub, &pub_len, NV_PUBINFO_MAX);
	tcsd_get_encauth(in, idx++, &enc);
	tcsd_get_optional_auth(in, idx, &auth, &pauth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_NV_DefineSpace);
	/* pubInfo is a structure, not a sized blob: its bytes go as they are. */
	buf_put_bytes(&cmd.w, pub, pub_len);
	buf_put_bytes(&cmd.w, enc.authdata, sizeof(enc.authdata));
	rc = tcsd_tpm_exec_reply_auth(cl, &cmd, pauth, out);
	OPENSSL_cleanse(&enc, sizeof(enc));
	return rc;
}

/*
 * NVWriteValue(Auth): ctx, UINT32 index, UINT32 offset, UINT32+PBYTE
 * data, AUTH (optional for the owner form) -> AUTH?.
 * TPM_NV_WriteValue (§20.2, owner auth or none) and TPM_NV_WriteValueAuth
 * (§20.3, the area's auth).
 */
static TSS_RESULT nv_write_common(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				  struct tcsd_packet_writer *out, UINT32 ordinal, bool need_auth)
{
	struct tcsd_tpm_cmd cmd;
	const uint8_t *data = NULL;
	UINT32 nv_index = 0, offset = 0, len = 0;
	TPM_AUTH auth, *pauth = NULL;
	uint32_t idx = 3;
	TSS_RESULT rc;

	memset(&auth, 0, sizeof(auth));
	tcsd_get_u32(in, 1, &nv_index);
	tcsd_get_u32(in, 2, &offset);
	/* The data is borrowed from the packet (already capped by the server). */
	tcsd_get_sized_ptr(in, &idx, &data, &len, TCSD_MAX_PACKET);
	if (need_auth) {
		tcsd_get_auth_in(in, idx, &auth);
		pauth = &auth;
	} else {
		tcsd_get_optional_auth(in, idx, &auth, &pauth);
	}
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (len > NV_DATA_MAX) {
		log_debug("%s: NV write of %u bytes to 0x%08x refused (max %u)",
			  tcsd_client_name(cl), len, nv_index, NV_DATA_MAX);
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	}
	tcsd_tpm_cmd_init(&cmd, ordinal);
	buf_put_u32(&cmd.w, nv_index);
	buf_put_u32(&cmd.w, offset);
	buf_put_sized(&cmd.w, data, len);
	/* NV areas hold secrets too: the command is wiped once sent. */
	return tcsd_tpm_exec_reply_auth(cl, &cmd, pauth, out);
}

static TSS_RESULT tcs_nv_write(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			       struct tcsd_packet_writer *out)
{
	return nv_write_common(cl, in, out, TPM_ORD_NV_WriteValue, false);
}

static TSS_RESULT tcs_nv_write_auth(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				    struct tcsd_packet_writer *out)
{
	return nv_write_common(cl, in, out, TPM_ORD_NV_WriteValueAuth, true);
}

/*
 * NVReadValue(Auth): ctx, UINT32 index, UINT32 offset, UINT32 size,
 * AUTH? -> AUTH?, UINT32+PBYTE data. TPM_NV_ReadValue (§20.4, owner auth
 * or none) and TPM_NV_ReadValueAuth (§20.5, the area's auth; TrouSerS'
 * tcsd also takes it without one and lets the TPM refuse).
 */
static TSS_RESULT nv_read_common(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				 struct tcsd_packet_writer *out, UINT32 ordinal)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	const uint8_t *data = NULL;
	UINT32 nv_index = 0, offset = 0, len = 0, got = 0;
	TPM_AUTH auth, *pauth;
	uint32_t idx = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &nv_index);
	tcsd_get_u32(in, 2, &offset);
	tcsd_get_u32(in, 3, &len);
	tcsd_get_optional_auth(in, 4, &auth, &pauth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, ordinal);
	buf_put_u32(&cmd.w, nv_index);
	buf_put_u32(&cmd.w, offset);
	buf_put_u32(&cmd.w, len);
	if ((rc = tcsd_tpm_exec(cl, &cmd, pauth, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_ptr(&rsp.params, &data, &got, TCSD_TPM_BUFSIZE);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		goto out;
	tcsd_writer_init_reply(out, 3);
	if (pauth != NULL)
		tcsd_put_auth_out(out, idx++, pauth);
	tcsd_put_sized(out, &idx, data, got);
	rc = TSS_SUCCESS;
out:
	OPENSSL_cleanse(rsp.mem, sizeof(rsp.mem));
	return rc;
}

static TSS_RESULT tcs_nv_read(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			      struct tcsd_packet_writer *out)
{
	return nv_read_common(cl, in, out, TPM_ORD_NV_ReadValue);
}

static TSS_RESULT tcs_nv_read_auth(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				   struct tcsd_packet_writer *out)
{
	return nv_read_common(cl, in, out, TPM_ORD_NV_ReadValueAuth);
}

const struct tcsd_handler tcs_nv_handlers[] = {
	{ TCSD_ORD_NVDEFINEORRELEASESPACE, tcs_nv_define },
	{ TCSD_ORD_NVWRITEVALUE, tcs_nv_write },
	{ TCSD_ORD_NVWRITEVALUEAUTH, tcs_nv_write_auth },
	{ TCSD_ORD_NVREADVALUE, tcs_nv_read },
	{ TCSD_ORD_NVREADVALUEAUTH, tcs_nv_read_auth },
	{ 0, NULL },
};
