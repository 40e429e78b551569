/*
 * TCS area: monotonic counters and ticks (TPM 1.2 Part 3 §23, §25).
 *
 * Pass-throughs with TrouSerS' parameter lists (src/tcs/rpc/tcstp/
 * rpc_counter.c, rpc_tick.c). The TCS never computes an HMAC: the auth
 * trailers go to the TPM and back unchanged. Counter values cross the
 * TCSD wire as TCSD_PACKET_TYPE_COUNTER_VALUE (tag, label[4], counter),
 * which TrouSerS' tcsd (0.3.14 and 0.3.15 alike) writes the same way.
 */
#include "config.h"

#include <string.h>

#include <tss/tcs_error.h>
#include <tss/tpm.h>
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>
#include <tss/tss_error.h>

#include "log.h"
#include "tcs_keys.h"
#include "tcsd.h"
#include "tcsd_ordinals.h"

/* TPM_CreateCounter's label is BYTE[4] (Part 3 §25.1). */
#define COUNTER_LABEL_SIZE 4u
/* A signature from a 2048-bit key, with room for a larger one. */
#define SIG_MAX 1024u
/* TPM_CURRENT_TICKS: tag, currentTicks (UINT64), tickRate, tickNonce (Part 2 §15.1). */
#define CURRENT_TICKS_SIZE (2u + 8u + 2u + 20u)

/* TPM_COUNTER_VALUE (Part 2 §21.1) from a TPM response. */
static void get_counter_value(struct buf_reader *r, TPM_COUNTER_VALUE *v)
{
	memset(v, 0, sizeof(*v));
	buf_get_u16(r, &v->tag);
	buf_get_bytes(r, v->label, sizeof(v->label));
	buf_get_u32(r, &v->counter);
}

/* ReadCounter: ctx, UINT32 countID -> COUNTER_VALUE (Part 3 §25.3, no auth). */
static TSS_RESULT tcs_read_counter(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				   struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_COUNTER_VALUE value;
	UINT32 id = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &id);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_ReadCounter);
	buf_put_u32(&cmd.w, id);
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	get_counter_value(&rsp.params, &value);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 1);
	tcsd_put_counter_value(out, 0, &value);
	return TSS_SUCCESS;
}

/*
 * CreateCounter: ctx, UINT32 labelSize, PBYTE label, ENCAUTH counterAuth,
 * AUTH owner -> AUTH, UINT32 countID, COUNTER_VALUE (Part 3 §25.1: the
 * TPM takes encAuth before the label). TrouSerS refuses a label that is
 * not 4 bytes with TSS_E_BAD_PARAMETER; so do we.
 */
static TSS_RESULT tcs_create_counter(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				     struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_COUNTER_VALUE value;
	TPM_ENCAUTH enc;
	TPM_AUTH auth;
	const uint8_t *label = NULL;
	UINT32 label_len = 0, id = 0;
	uint32_t idx = 1;
	TSS_RESULT rc;

	tcsd_get_sized_ptr(in, &idx, &label, &label_len, 64);
	tcsd_get_encauth(in, idx++, &enc);
	tcsd_get_auth_in(in, idx, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (label_len != COUNTER_LABEL_SIZE)
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_CreateCounter);
	buf_put_bytes(&cmd.w, enc.authdata, sizeof(enc.authdata));
	buf_put_bytes(&cmd.w, label, label_len);
	if ((rc = tcsd_tpm_exec(cl, &cmd, &auth, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_u32(&rsp.params, &id);
	get_counter_value(&rsp.params, &value);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	log_info("%s: monotonic counter %u created", tcsd_client_name(cl), id);
	tcsd_writer_init_reply(out, 3);
	tcsd_put_auth_out(out, 0, &auth);
	tcsd_put_u32(out, 1, id);
	tcsd_put_counter_value(out, 2, &value);
	return TSS_SUCCESS;
}

/* IncrementCounter: ctx, UINT32 countID, AUTH counter -> AUTH, COUNTER_VALUE (§25.2). */
static TSS_RESULT tcs_increment_counter(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_COUNTER_VALUE value;
	TPM_AUTH auth;
	UINT32 id = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &id);
	tcsd_get_auth_in(in, 2, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_IncrementCounter);
	buf_put_u32(&cmd.w, id);
	if ((rc = tcsd_tpm_exec(cl, &cmd, &auth, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	get_counter_value(&rsp.params, &value);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 2);
	tcsd_put_auth_out(out, 0, &auth);
	tcsd_put_counter_value(out, 1, &value);
	return TSS_SUCCESS;
}

/*
 * ReleaseCounter (counter's auth, §25.4) and ReleaseCounterOwner
 * (owner's auth, §25.5): ctx, UINT32 countID, AUTH -> AUTH.
 */
static TSS_RESULT release_common(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				 struct tcsd_packet_writer *out, UINT32 ordinal)
{
	struct tcsd_tpm_cmd cmd;
	TPM_AUTH auth;
	UINT32 id = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &id);
	tcsd_get_auth_in(in, 2, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, ordinal);
	buf_put_u32(&cmd.w, id);
	if ((rc = tcsd_tpm_exec_reply_auth(cl, &cmd, &auth, out)) != TSS_SUCCESS)
		return rc;
	log_info("%s: monotonic counter %u released", tcsd_client_name(cl), id);
	return TSS_SUCCESS;
}

static TSS_RESULT tcs_release_counter(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				      struct tcsd_packet_writer *out)
{
	return release_common(cl, in, out, TPM_ORD_ReleaseCounter);
}

static TSS_RESULT tcs_release_counter_owner(struct tcsd_client *cl,
					    struct tcsd_packet_reader *in,
					    struct tcsd_packet_writer *out)
{
	return release_common(cl, in, out, TPM_ORD_ReleaseCounterOwner);
}

/* ReadCurrentTicks: ctx -> UINT32+PBYTE TPM_CURRENT_TICKS (TPM_GetTicks, Part 3 §23.2). */
static TSS_RESULT tcs_read_current_ticks(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					 struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	const uint8_t *ticks = NULL;
	uint32_t idx = 0;
	TSS_RESULT rc;

	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_GetTicks);
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_ptr(&rsp.params, &ticks, CURRENT_TICKS_SIZE);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 2);
	tcsd_put_sized(out, &idx, ticks, CURRENT_TICKS_SIZE);
	return TSS_SUCCESS;
}

/*
 * TickStampBlob: ctx, UINT32 key, NONCE antiReplay, DIGEST digestToStamp,
 * AUTH? -> [AUTH], UINT32+PBYTE sig, UINT32+PBYTE TPM_CURRENT_TICKS
 * (Part 3 §23.3: the TPM answers the ticks first, then the signature;
 * TrouSerS' wire order is the signature first).
 */
static TSS_RESULT tcs_tick_stamp_blob(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				      struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_TickStampBlob };
	struct tcsd_tpm_rsp rsp;
	TPM_NONCE nonce;
	TPM_DIGEST digest;
	TPM_AUTH auth;
	BYTE params[40];
	const uint8_t *ticks = NULL, *sig = NULL;
	uint32_t sig_len = 0, idx = 0;
	TSS_RESULT rc;

	memset(&auth, 0, sizeof(auth));
	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_nonce(in, 2, &nonce);
	tcsd_get_digest(in, 3, &digest);
	if (tcsd_param_present(in, 4) && tcsd_get_auth_in(in, 4, &auth) == 0)
		kc.auth1 = &auth;
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	memcpy(params, nonce.nonce, 20);
	memcpy(params + 20, digest.digest, 20);
	kc.params = params;
	kc.params_len = sizeof(params);
	if ((rc = tcs_key_exec(cl, &kc, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_ptr(&rsp.params, &ticks, CURRENT_TICKS_SIZE);
	buf_get_sized_ptr(&rsp.params, &sig, &sig_len, SIG_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 5);
	if (kc.auth1 != NULL)
		tcsd_put_auth_out(out, idx++, kc.auth1);
	tcsd_put_sized(out, &idx, sig, sig_len);
	tcsd_put_sized(out, &idx, ticks, CURRENT_TICKS_SIZE);
	return TSS_SUCCESS;
}

const struct tcsd_handler tcs_counter_handlers[] = {
	{ TCSD_ORD_READCOUNTER, tcs_read_counter },
	{ TCSD_ORD_CREATECOUNTER, tcs_create_counter },
	{ TCSD_ORD_INCREMENTCOUNTER, tcs_increment_counter },
	{ TCSD_ORD_RELEASECOUNTER, tcs_release_counter },
	{ TCSD_ORD_RELEASECOUNTEROWNER, tcs_release_counter_owner },
	{ TCSD_ORD_READCURRENTTICKS, tcs_read_current_ticks },
	{ TCSD_ORD_TICKSTAMPBLOB, tcs_tick_stamp_blob },
	{ 0, NULL },
};
