/*
 * The TCS's only way to the TPM: builds "tag | paramSize | ordinal |
 * params | auth trailers" (TPM 1.2 Part 1 §4.4, Part 3 §1), sends it
 * through tpmdd, and splits the response with the bounded reader.
 *
 * The TCS never computes an HMAC: the TSP does. Auth trailers are copied
 * from the client's TPM_AUTH into the command and from the response back
 * into it; the only thing the TCS changes is the session handle, which it
 * virtualises so that sessions can be swapped out and back (tcs_auth.c).
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>

#include <tss/tpm.h>
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>
#include <tss/tddl_error.h>

#include "log.h"
#include "tcsd.h"
#include "tpm_exec.h"
#include "tpmdd.h"

/* A response's auth trailer: nonceEven, continueAuthSession, HMAC. */
#define AUTH_OUT_SIZE (20 + 1 + 20)
#define RSP_HEADER_SIZE 10

static struct tpmdd *the_tpm;
static struct tcsd_tpm_metrics metrics;
static pthread_mutex_t res_lock;
static pthread_once_t res_lock_once = PTHREAD_ONCE_INIT;

static void res_lock_init(void)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&res_lock, &a);
	pthread_mutexattr_destroy(&a);
}

void tcsd_lock(void)
{
	pthread_once(&res_lock_once, res_lock_init);
	pthread_mutex_lock(&res_lock);
}

void tcsd_unlock(void)
{
	pthread_mutex_unlock(&res_lock);
}

void tcsd_tpm_set(struct tpmdd *tpm)
{
	the_tpm = tpm;
}

struct tpmdd *tcsd_tpm(void)
{
	return the_tpm;
}

const struct tcsd_tpm_metrics *tcsd_tpm_metrics(void)
{
	return &metrics;
}

void tcsd_tpm_cmd_init(struct tcsd_tpm_cmd *cmd, UINT32 ordinal)
{
	buf_writer_init_fixed(&cmd->w, cmd->mem, sizeof(cmd->mem));
	cmd->ordinal = ordinal;
	buf_put_u16(&cmd->w, TPM_TAG_RQU_COMMAND);	/* set by tcsd_tpm_exec */
	buf_put_u32(&cmd->w, 0);			/* paramSize, likewise */
	buf_put_u32(&cmd->w, ordinal);
}

static void put_auth(struct buf_writer *w, UINT32 tpm_handle, const TPM_AUTH *a)
{
	buf_put_u32(w, tpm_handle);
	buf_put_bytes(w, a->NonceOdd.nonce, sizeof(a->NonceOdd.nonce));
	buf_put_u8(w, a->fContinueAuthSession ? 1 : 0);
	buf_put_bytes(w, a->HMAC.authdata, sizeof(a->HMAC.authdata));
}

static void get_auth(struct buf_reader *r, TPM_AUTH *a)
{
	uint8_t cont = 0;

	buf_get_bytes(r, a->NonceEven.nonce, sizeof(a->NonceEven.nonce));
	buf_get_u8(r, &cont);
	buf_get_bytes(r, a->HMAC.authdata, sizeof(a->HMAC.authdata));
	a->fContinueAuthSession = cont ? TRUE : FALSE;
}

/* Splits a response of nauth trailers; the result is already known 0. */
static TSS_RESULT split_response(struct tcsd_tpm_cmd *cmd, struct tcsd_tpm_rsp *rsp,
				 TPM_AUTH *auths[2], unsigned int nauth)
{
	static const UINT16 tags[3] = { TPM_TAG_RSP_COMMAND, TPM_TAG_RSP_AUTH1_COMMAND,
					TPM_TAG_RSP_AUTH2_COMMAND };
	struct buf_reader r, tail;
	uint16_t tag;
	uint32_t size, result;
	size_t trailers = (size_t)nauth * AUTH_OUT_SIZE;

	buf_reader_init(&r, rsp->mem, rsp->len);
	buf_get_u16(&r, &tag);
	buf_get_u32(&r, &size);
	buf_get_u32(&r, &result);
	if (buf_reader_error(&r) || size != rsp->len || tag != tags[nauth] ||
	    buf_remaining(&r) < trailers) {
		log_error("TPM answered ordinal 0x%x with a malformed response (tag 0x%x, "
			  "%zu bytes)", cmd->ordinal, tag, rsp->len);
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	buf_get_sub(&r, &rsp->params, buf_remaining(&r) - trailers);
	buf_reader_init(&tail, rsp->mem + r.off, trailers);
	for (unsigned int i = 0; i < nauth; i++)
		get_auth(&tail, auths[i]);
	return TSS_SUCCESS;
}

TSS_RESULT tcsd_tpm_exec(struct tcsd_client *cl, struct tcsd_tpm_cmd *cmd, TPM_AUTH *auth1,
			 TPM_AUTH *auth2, struct tcsd_tpm_rsp *rsp)
{
	static const UINT16 tags[3] = { TPM_TAG_RQU_COMMAND, TPM_TAG_RQU_AUTH1_COMMAND,
					TPM_TAG_RQU_AUTH2_COMMAND };
	TPM_AUTH *auths[2] = { auth1, auth2 };
	unsigned int nauth = auth2 != NULL ? 2 : auth1 != NULL ? 1 : 0;
	unsigned int acquired = 0;
	bool sent_continue[2] = { false, false };
	TCS_CONTEXT_HANDLE ctx = cl != NULL ? cl->req_ctx : 0;
	TSS_RESULT rc;
	size_t len;

	memset(&rsp->params, 0, sizeof(rsp->params));
	rsp->result = 0;
	rsp->len = 0;
	if ((auth2 != NULL && auth1 == NULL) || (nauth > 0 && cl == NULL)) {
		log_error("ordinal 0x%x: auth sessions misused by the TCS", cmd->ordinal);
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	if (nauth > 0)
		tcsd_lock();
	for (unsigned int i = 0; i < nauth; i++) {
		UINT32 tpm_handle;

		rc = tcs_auth_acquire(ctx, auths[i]->AuthHandle, &tpm_handle);
		if (rc != TSS_SUCCESS)
			goto out;
		acquired++;
		sent_continue[i] = auths[i]->fContinueAuthSession != FALSE;
		put_auth(&cmd->w, tpm_handle, auths[i]);
	}
	len = buf_writer_len(&cmd->w);
	if (buf_writer_error(&cmd->w) != 0 || len < RSP_HEADER_SIZE) {
		log_error("TPM command 0x%x does not fit in %d bytes", cmd->ordinal,
			  TCSD_TPM_BUFSIZE);
		rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	/* The header fields are ours to fill in, in our own buffer. */
	cmd->mem[0] = (BYTE)(tags[nauth] >> 8);
	cmd->mem[1] = (BYTE)tags[nauth];
	buf_patch_u32(&cmd->w, 2, (uint32_t)len);

	rsp->len = sizeof(rsp->mem);
	rc = tpmdd_transmit(the_tpm, cmd->mem, len, rsp->mem, &rsp->len);
	if (rc != TSS_SUCCESS) {
		rsp->len = 0;
		goto out;
	}
	if (rsp->len < RSP_HEADER_SIZE) {
		rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	rsp->result = (UINT32)rsp->mem[6] << 24 | (UINT32)rsp->mem[7] << 16 |
		      (UINT32)rsp->mem[8] << 8 | rsp->mem[9];
	if (rsp->result != TPM_SUCCESS) {
		rc = rsp->result;
		goto out;
	}
	rc = split_response(cmd, rsp, auths, nauth);
out:
	/*
	 * Sessions the TPM has ended: not continued on success, or not
	 * continued by the caller and the command failed. A failed command
	 * whose caller asked to continue may or may not have ended it (the
	 * TPM ends it unless the error came before the session was looked
	 * at); tcs_auth.c keeps it and copes if it turns out gone.
	 */
	for (unsigned int i = 0; i < acquired; i++) {
		bool closed = rc == TSS_SUCCESS ? auths[i]->fContinueAuthSession == FALSE
						: !sent_continue[i];

		tcs_auth_release(ctx, auths[i]->AuthHandle, closed);
	}
	if (nauth > 0)
		tcsd_unlock();
	return rc;
}

TSS_RESULT tcsd_tpm_rsp_done(struct tcsd_tpm_rsp *rsp)
{
	if (buf_reader_done(&rsp->params) != 0) {
		log_error("TPM response parameters did not parse (%zu bytes)", rsp->len);
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	return TSS_SUCCESS;
}

TSS_RESULT tcsd_tpm_exec_reply_auth(struct tcsd_client *cl, struct tcsd_tpm_cmd *cmd,
				    TPM_AUTH *auth, struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_rsp rsp;
	TSS_RESULT rc;

	rc = tcsd_tpm_exec(cl, cmd, auth, NULL, &rsp);
	OPENSSL_cleanse(cmd->mem, sizeof(cmd->mem));
	if (rc != TSS_SUCCESS)
		return rc;
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 1);
	if (auth != NULL)
		tcsd_put_auth_out(out, 0, auth);
	return TSS_SUCCESS;
}

/* ---- the TCS's own commands ---- */

TSS_RESULT tcsd_tpm_flush(UINT32 handle, UINT32 resource_type)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;

	tcsd_tpm_cmd_init(&cmd, TPM_ORD_FlushSpecific);
	buf_put_u32(&cmd.w, handle);
	buf_put_u32(&cmd.w, resource_type);
	return tcsd_tpm_exec(NULL, &cmd, NULL, NULL, &rsp);
}

TSS_RESULT tcsd_tpm_get_cap(UINT32 cap, const BYTE *sub, UINT32 sub_len, BYTE *out,
			    size_t cap_out, size_t *out_len)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	const uint8_t *p;
	uint32_t n;
	TSS_RESULT rc;

	*out_len = 0;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_GetCapability);
	buf_put_u32(&cmd.w, cap);
	buf_put_sized(&cmd.w, sub, sub_len);
	if ((rc = tcsd_tpm_exec(NULL, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_ptr(&rsp.params, &p, &n, (uint32_t)cap_out);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	memcpy(out, p, n);
	*out_len = n;
	return TSS_SUCCESS;
}

TSS_RESULT tcsd_tpm_get_handles(UINT32 resource_type, UINT32 *handles, size_t max,
				size_t *count)
{
	BYTE sub[4] = { (BYTE)(resource_type >> 24), (BYTE)(resource_type >> 16),
			(BYTE)(resource_type >> 8), (BYTE)resource_type };
	BYTE resp[1024];
	struct buf_reader r;
	size_t len;
	uint16_t n;
	TSS_RESULT rc;

	*count = 0;
	rc = tcsd_tpm_get_cap(TPM_CAP_HANDLE, sub, sizeof(sub), resp, sizeof(resp), &len);
	if (rc != TSS_SUCCESS)
		return rc;
	/* TPM_KEY_HANDLE_LIST (Part 2 §10.9): UINT16 count, handles. */
	buf_reader_init(&r, resp, len);
	buf_get_u16(&r, &n);
	for (uint16_t i = 0; i < n && !buf_reader_error(&r); i++) {
		UINT32 h;

		buf_get_u32(&r, &h);
		if (*count < max)
			handles[(*count)++] = h;
	}
	if (buf_reader_done(&r) != 0) {
		log_error("TPM_CAP_HANDLE answer does not parse");
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	return TSS_SUCCESS;
}

TSS_RESULT tcsd_tpm_save_state(void)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;

	tcsd_tpm_cmd_init(&cmd, TPM_ORD_SaveState);
	return tcsd_tpm_exec(NULL, &cmd, NULL, NULL, &rsp);
}

static UINT32 get_prop(UINT32 prop)
{
	BYTE sub[4] = { (BYTE)(prop >> 24), (BYTE)(prop >> 16), (BYTE)(prop >> 8), (BYTE)prop };
	BYTE out[4];
	size_t len;

	if (tcsd_tpm_get_cap(TPM_CAP_PROPERTY, sub, sizeof(sub), out, sizeof(out), &len) != 0 ||
	    len != 4)
		return 0;
	return (UINT32)out[0] << 24 | (UINT32)out[1] << 16 | (UINT32)out[2] << 8 | out[3];
}

static bool has_ordinal(UINT32 ord)
{
	BYTE sub[4] = { (BYTE)(ord >> 24), (BYTE)(ord >> 16), (BYTE)(ord >> 8), (BYTE)ord };
	BYTE out[1];
	size_t len;

	return tcsd_tpm_get_cap(TPM_CAP_ORD, sub, sizeof(sub), out, sizeof(out), &len) == 0 &&
	       len == 1 && out[0] != 0;
}

bool tcsd_tpm_has_ordinal(UINT32 tpm_ordinal)
{
	return has_ordinal(tpm_ordinal);
}

TSS_RESULT tcsd_tpm_probe(void)
{
	BYTE v[64];
	size_t len;
	TSS_RESULT rc;

	memset(&metrics, 0, sizeof(metrics));
	/* TPM_CAP_VERSION_VAL: TPM_CAP_VERSION_INFO, version at offset 2. */
	rc = tcsd_tpm_get_cap(TPM_CAP_VERSION_VAL, NULL, 0, v, sizeof(v), &len);
	if (rc != TSS_SUCCESS) {
		log_error("the TPM does not answer TPM_GetCapability(VERSION_VAL): 0x%x; is it a "
			  "TPM 1.2?", rc);
		return rc;
	}
	metrics.version_minor = len >= 4 ? v[3] : 2;
	metrics.num_pcrs = get_prop(TPM_CAP_PROP_PCR);
	metrics.max_keys = get_prop(TPM_CAP_PROP_MAX_KEYS);
	metrics.max_auth_sessions = get_prop(TPM_CAP_PROP_MAX_AUTHSESS);
	metrics.max_sessions = get_prop(TPM_CAP_PROP_MAX_SESSIONS);
	metrics.input_buffer = get_prop(TPM_CAP_PROP_INPUT_BUFFER);
	metrics.has_save_auth_context = has_ordinal(TPM_ORD_SaveAuthContext) &&
					has_ordinal(TPM_ORD_LoadAuthContext);
	metrics.has_save_key_context = has_ordinal(TPM_ORD_SaveKeyContext);
	log_info("TPM %u.%u: %u PCRs, %u key slots, %u auth sessions%s%s",
		 (unsigned int)(len >= 4 ? v[2] : 1), (unsigned int)metrics.version_minor,
		 metrics.num_pcrs, metrics.max_keys, metrics.max_auth_sessions,
		 metrics.has_save_auth_context ? ", auth sessions can be swapped" : "",
		 metrics.has_save_key_context ? ", key contexts can be saved" : "");
	return TSS_SUCCESS;
}
