/*
 * TPM 1.2 commands, one function each (see tpm1_cmd.h). Command layouts
 * are from TPM Main Part 3 (Commands); structures from Part 2.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <tss/platform.h>
#include <tss/tpm.h>
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>

#include "crypto.h"
#include "log.h"
#include "tpm1_cmd.h"

/* Commands built here are small; responses are at most TPMDD_BUFSIZE. */
#define TPM1_CMD_MAX 128

struct tpm1_call {
	const char *desc;		/* for logs: what the command is for */
	BYTE cmd[TPM1_CMD_MAX];
	struct buf_writer w;
	BYTE rsp[TPMDD_BUFSIZE];
	size_t rsp_len;
	struct buf_reader body;		/* the response after its header */
};

static TSS_RESULT tpmdd_chan_transmit(void *ctx, const BYTE *cmd, size_t cmd_len,
				      BYTE *rsp, size_t *rsp_len)
{
	return tpmdd_transmit(ctx, cmd, cmd_len, rsp, rsp_len);
}

void tpm1_chan_tpmdd(struct tpm1_chan *ch, struct tpmdd *tpm)
{
	ch->transmit = tpmdd_chan_transmit;
	ch->ctx = tpm;
}

uint32_t tpm1_header_code(const BYTE *msg, size_t len)
{
	struct buf_reader r;
	uint32_t code = 0;

	buf_reader_init(&r, msg, len);
	buf_skip(&r, 6);
	buf_get_u32(&r, &code);
	return code;
}

/* Starts a command: tag, a paramSize patched when it is sent, ordinal. */
static void call_begin(struct tpm1_call *c, const char *desc, uint16_t tag, uint32_t ordinal)
{
	c->desc = desc;
	c->rsp_len = 0;
	buf_writer_init_fixed(&c->w, c->cmd, sizeof(c->cmd));
	buf_put_u16(&c->w, tag);
	buf_put_u32(&c->w, 0);
	buf_put_u32(&c->w, ordinal);
}

/*
 * Sends the command and reads the response header. Returns the TPM's
 * result code; on success c->body reads what follows the header.
 */
static TSS_RESULT call_send(const struct tpm1_chan *ch, struct tpm1_call *c)
{
	struct buf_reader r;
	uint16_t tag = 0;
	uint32_t size = 0, result = 0;
	TSS_RESULT rc;

	buf_patch_u32(&c->w, 2, (uint32_t)buf_writer_len(&c->w));
	if (buf_writer_error(&c->w) != 0) {
		log_error("%s: command does not fit in %zu bytes", c->desc, sizeof(c->cmd));
		return TDDL_ERROR(TSS_E_BAD_PARAMETER);
	}
	c->rsp_len = sizeof(c->rsp);
	rc = ch->transmit(ch->ctx, c->cmd, buf_writer_len(&c->w), c->rsp, &c->rsp_len);
	if (rc != TSS_SUCCESS)
		return rc;

	buf_reader_init(&r, c->rsp, c->rsp_len);
	buf_get_u16(&r, &tag);
	buf_get_u32(&r, &size);
	buf_get_u32(&r, &result);
	if (buf_reader_error(&r) != 0 || size != c->rsp_len) {
		log_error("%s: malformed response header", c->desc);
		return TDDL_ERROR(TDDL_E_BADTAG);
	}
	if (result != TPM_SUCCESS) {
		log_debug("%s: TPM result 0x%x (%s)", c->desc, result,
			  tpm1_rc_name(result) ? tpm1_rc_name(result) : "?");
		return result;
	}
	c->body = r;
	return TSS_SUCCESS;
}

/* Ends parsing: the whole body must have been consumed without error. */
static TSS_RESULT call_done(struct tpm1_call *c)
{
	if (buf_reader_done(&c->body) != 0) {
		log_error("%s: malformed response body", c->desc);
		return TDDL_ERROR(TDDL_E_BADTAG);
	}
	return TSS_SUCCESS;
}

/* A command with no parameters in and none out. */
static TSS_RESULT call_simple(const struct tpm1_chan *ch, const char *desc, uint32_t ordinal)
{
	struct tpm1_call c;
	TSS_RESULT rc;

	call_begin(&c, desc, TPM_TAG_RQU_COMMAND, ordinal);
	if ((rc = call_send(ch, &c)) != TSS_SUCCESS)
		return rc;
	return call_done(&c);
}

/* ---- result codes ---- */

static const struct {
	uint32_t rc;
	const char *name;
	const char *desc;
} rc_table[] = {
	{ TPM_E_AUTHFAIL, "TPM_AUTHFAIL", "authentication failed" },
	{ TPM_E_BADINDEX, "TPM_BADINDEX", "index out of range (e.g. no such PCR)" },
	{ TPM_E_BAD_PARAMETER, "TPM_BAD_PARAMETER", "bad parameter" },
	{ TPM_E_DEACTIVATED, "TPM_DEACTIVATED", "the TPM is deactivated" },
	{ TPM_E_DISABLED, "TPM_DISABLED", "the TPM is disabled" },
	{ TPM_E_DISABLED_CMD, "TPM_DISABLED_CMD", "the command has been disabled" },
	{ TPM_E_FAIL, "TPM_FAIL", "the operation failed" },
	{ TPM_E_BAD_ORDINAL, "TPM_BAD_ORDINAL", "unknown or unsupported command" },
	{ TPM_E_INSTALL_DISABLED, "TPM_INSTALL_DISABLED", "taking ownership is disabled" },
	{ TPM_E_INVALID_KEYHANDLE, "TPM_INVALID_KEYHANDLE", "invalid key handle" },
	{ TPM_E_KEYNOTFOUND, "TPM_KEYNOTFOUND", "key not found" },
	{ TPM_E_NOSPACE, "TPM_NOSPACE", "no room to load the key" },
	{ TPM_E_NOSRK, "TPM_NOSRK", "there is no SRK (no owner)" },
	{ TPM_E_OWNER_SET, "TPM_OWNER_SET", "the TPM already has an owner" },
	{ TPM_E_RESOURCES, "TPM_RESOURCES", "the TPM is out of resources" },
	{ TPM_E_SIZE, "TPM_SIZE", "a size is wrong" },
	{ TPM_E_BAD_PARAM_SIZE, "TPM_BAD_PARAM_SIZE", "paramSize does not match the command" },
	{ TPM_E_FAILEDSELFTEST, "TPM_FAILEDSELFTEST", "the self test failed" },
	{ TPM_E_AUTH2FAIL, "TPM_AUTH2FAIL", "second authentication failed" },
	{ TPM_E_BADTAG, "TPM_BADTAG", "bad command tag" },
	{ TPM_E_INVALID_AUTHHANDLE, "TPM_INVALID_AUTHHANDLE", "invalid session handle" },
	{ TPM_E_NO_ENDORSEMENT, "TPM_NO_ENDORSEMENT", "the TPM has no endorsement key" },
	{ TPM_E_INVALID_POSTINIT, "TPM_INVALID_POSTINIT", "the TPM has not been started up" },
	{ TPM_E_BAD_PRESENCE, "TPM_BAD_PRESENCE", "physical presence is not asserted" },
	{ TPM_E_BAD_LOCALITY, "TPM_BAD_LOCALITY", "wrong locality" },
	{ TPM_E_PERMANENTEK, "TPM_PERMANENTEK", "the endorsement key is permanent" },
	{ TPM_E_RETRY, "TPM_RETRY", "the TPM is busy, retry later" },
	{ TPM_E_NEEDS_SELFTEST, "TPM_NEEDS_SELFTEST", "the TPM needs its self test" },
	{ TPM_E_DOING_SELFTEST, "TPM_DOING_SELFTEST", "the TPM is running its self test" },
	{ TPM_E_DEFEND_LOCK_RUNNING, "TPM_DEFEND_LOCK_RUNNING",
	  "dictionary-attack lockout is active" },
};

const char *tpm1_rc_name(uint32_t rc)
{
	size_t i;

	for (i = 0; i < sizeof(rc_table) / sizeof(rc_table[0]); i++)
		if (rc_table[i].rc == rc)
			return rc_table[i].name;
	return NULL;
}

const char *tpm1_rc_desc(uint32_t rc)
{
	size_t i;

	for (i = 0; i < sizeof(rc_table) / sizeof(rc_table[0]); i++)
		if (rc_table[i].rc == rc)
			return rc_table[i].desc;
	return NULL;
}

/* ---- start-up and self test ---- */

TSS_RESULT tpm1_startup(const struct tpm1_chan *ch, uint16_t startup_type)
{
	struct tpm1_call c;
	TSS_RESULT rc;

	call_begin(&c, "TPM_Startup", TPM_TAG_RQU_COMMAND, TPM_ORD_Startup);
	buf_put_u16(&c.w, startup_type);
	if ((rc = call_send(ch, &c)) != TSS_SUCCESS)
		return rc;
	return call_done(&c);
}

TSS_RESULT tpm1_startup_clear(const struct tpm1_chan *ch)
{
	return tpm1_startup(ch, TPM_ST_CLEAR);
}

TSS_RESULT tpm1_save_state(const struct tpm1_chan *ch)
{
	return call_simple(ch, "TPM_SaveState", TPM_ORD_SaveState);
}

TSS_RESULT tpm1_continue_selftest(const struct tpm1_chan *ch)
{
	return call_simple(ch, "TPM_ContinueSelfTest", TPM_ORD_ContinueSelfTest);
}

TSS_RESULT tpm1_selftest_full(const struct tpm1_chan *ch)
{
	return call_simple(ch, "TPM_SelfTestFull", TPM_ORD_SelfTestFull);
}

/* ---- capabilities ---- */

/* Sends GetCapability; on success c->body is a reader over resp[]. */
static TSS_RESULT getcap_send(const struct tpm1_chan *ch, struct tpm1_call *c,
			      uint32_t cap_area, const BYTE *sub_cap, uint32_t sub_cap_len)
{
	struct buf_reader resp;
	TSS_RESULT rc;

	call_begin(c, "TPM_GetCapability", TPM_TAG_RQU_COMMAND, TPM_ORD_GetCapability);
	buf_put_u32(&c->w, cap_area);
	buf_put_sized(&c->w, sub_cap, sub_cap_len);
	if ((rc = call_send(ch, c)) != TSS_SUCCESS)
		return rc;
	if (buf_get_sized_sub(&c->body, &resp, TPMDD_BUFSIZE) != 0 ||
	    buf_reader_done(&c->body) != 0) {
		log_error("TPM_GetCapability(0x%x): malformed response", cap_area);
		return TDDL_ERROR(TDDL_E_BADTAG);
	}
	c->body = resp;
	return TSS_SUCCESS;
}

static TSS_RESULT getcap_u32_send(const struct tpm1_chan *ch, struct tpm1_call *c,
				  uint32_t cap_area, uint32_t sub)
{
	BYTE sub_cap[4];
	struct buf_writer w;

	buf_writer_init_fixed(&w, sub_cap, sizeof(sub_cap));
	buf_put_u32(&w, sub);
	return getcap_send(ch, c, cap_area, sub_cap, sizeof(sub_cap));
}

TSS_RESULT tpm1_get_capability(const struct tpm1_chan *ch, uint32_t cap_area,
			       const BYTE *sub_cap, uint32_t sub_cap_len,
			       BYTE *out, size_t out_cap, size_t *out_len)
{
	struct tpm1_call c;
	size_t n;
	TSS_RESULT rc;

	*out_len = 0;
	if ((rc = getcap_send(ch, &c, cap_area, sub_cap, sub_cap_len)) != TSS_SUCCESS)
		return rc;
	n = buf_remaining(&c.body);
	if (n > out_cap)
		return TDDL_ERROR(TDDL_E_INSUFFICIENT_BUFFER);
	buf_get_bytes(&c.body, out, n);
	*out_len = n;
	return call_done(&c);
}

TSS_RESULT tpm1_get_version_info(const struct tpm1_chan *ch, struct tpm1_version_info *v)
{
	struct tpm1_call c;
	uint16_t tag = 0;
	size_t keep;
	TSS_RESULT rc;

	memset(v, 0, sizeof(*v));
	if ((rc = getcap_send(ch, &c, TPM_CAP_VERSION_VAL, NULL, 0)) != TSS_SUCCESS)
		return rc;
	buf_get_u16(&c.body, &tag);
	buf_get_u8(&c.body, &v->major);
	buf_get_u8(&c.body, &v->minor);
	buf_get_u8(&c.body, &v->rev_major);
	buf_get_u8(&c.body, &v->rev_minor);
	buf_get_u16(&c.body, &v->spec_level);
	buf_get_u8(&c.body, &v->errata_rev);
	buf_get_bytes(&c.body, v->vendor_id, sizeof(v->vendor_id));
	buf_get_u16(&c.body, &v->vendor_specific_len);
	keep = v->vendor_specific_len < sizeof(v->vendor_specific) ?
	       v->vendor_specific_len : sizeof(v->vendor_specific);
	buf_get_bytes(&c.body, v->vendor_specific, keep);
	buf_skip(&c.body, v->vendor_specific_len - keep);
	if (buf_reader_error(&c.body) == 0 && tag != TPM_TAG_CAP_VERSION_INFO) {
		log_error("TPM_CAP_VERSION_VAL: tag 0x%04x, expected 0x%04x", tag,
			  TPM_TAG_CAP_VERSION_INFO);
		return TDDL_ERROR(TDDL_E_BADTAG);
	}
	return call_done(&c);
}

TSS_RESULT tpm1_get_prop_u32(const struct tpm1_chan *ch, uint32_t prop, uint32_t *value)
{
	struct tpm1_call c;
	TSS_RESULT rc;

	*value = 0;
	if ((rc = getcap_u32_send(ch, &c, TPM_CAP_PROPERTY, prop)) != TSS_SUCCESS)
		return rc;
	buf_get_u32(&c.body, value);
	return call_done(&c);
}

TSS_RESULT tpm1_get_durations(const struct tpm1_chan *ch, uint32_t us[3])
{
	struct tpm1_call c;
	TSS_RESULT rc;
	int i;

	memset(us, 0, 3 * sizeof(us[0]));
	if ((rc = getcap_u32_send(ch, &c, TPM_CAP_PROPERTY, TPM_CAP_PROP_DURATION)) != TSS_SUCCESS)
		return rc;
	for (i = 0; i < 3; i++)
		buf_get_u32(&c.body, &us[i]);
	return call_done(&c);
}

TSS_RESULT tpm1_get_timeouts(const struct tpm1_chan *ch, uint32_t us[4])
{
	struct tpm1_call c;
	TSS_RESULT rc;
	int i;

	memset(us, 0, 4 * sizeof(us[0]));
	if ((rc = getcap_u32_send(ch, &c, TPM_CAP_PROPERTY, TPM_CAP_PROP_TIS_TIMEOUT)) != TSS_SUCCESS)
		return rc;
	for (i = 0; i < 4; i++)
		buf_get_u32(&c.body, &us[i]);
	return call_done(&c);
}

/* Reads one TPM BOOL; anything but 0 and 1 is malformed. */
static void get_bool(struct buf_reader *r, bool *b)
{
	uint8_t v = 0;

	if (buf_get_u8(r, &v) == 0 && v > 1)
		buf_reader_fail(r, -EBADMSG);
	*b = v == 1;
}

TSS_RESULT tpm1_get_permanent_flags(const struct tpm1_chan *ch, struct tpm1_permanent_flags *f)
{
	struct tpm1_call c;
	uint16_t tag = 0;
	TSS_RESULT rc;

	memset(f, 0, sizeof(*f));
	if ((rc = getcap_u32_send(ch, &c, TPM_CAP_FLAG, TPM_CAP_FLAG_PERMANENT)) != TSS_SUCCESS)
		return rc;
	buf_get_u16(&c.body, &tag);
	if (buf_reader_error(&c.body) == 0 && tag != TPM_TAG_PERMANENT_FLAGS)
		buf_reader_fail(&c.body, -EBADMSG);
	get_bool(&c.body, &f->disable);
	get_bool(&c.body, &f->ownership);
	get_bool(&c.body, &f->deactivated);
	get_bool(&c.body, &f->read_pubek);
	get_bool(&c.body, &f->disable_owner_clear);
	get_bool(&c.body, &f->allow_maintenance);
	get_bool(&c.body, &f->pp_lifetime_lock);
	get_bool(&c.body, &f->pp_hw_enable);
	get_bool(&c.body, &f->pp_cmd_enable);
	get_bool(&c.body, &f->cekp_used);
	get_bool(&c.body, &f->tpm_post);
	get_bool(&c.body, &f->tpm_post_lock);
	get_bool(&c.body, &f->fips);
	get_bool(&c.body, &f->operator_set);
	get_bool(&c.body, &f->enable_revoke_ek);
	get_bool(&c.body, &f->nv_locked);
	get_bool(&c.body, &f->read_srk_pub);
	get_bool(&c.body, &f->tpm_established);
	get_bool(&c.body, &f->maintenance_done);
	/* Added in spec revision 103; older TPMs stop before it. */
	if (buf_remaining(&c.body) > 0)
		get_bool(&c.body, &f->disable_full_da_logic_info);
	return call_done(&c);
}

TSS_RESULT tpm1_get_stclear_flags(const struct tpm1_chan *ch, struct tpm1_stclear_flags *f)
{
	struct tpm1_call c;
	uint16_t tag = 0;
	TSS_RESULT rc;

	memset(f, 0, sizeof(*f));
	if ((rc = getcap_u32_send(ch, &c, TPM_CAP_FLAG, TPM_CAP_FLAG_VOLATILE)) != TSS_SUCCESS)
		return rc;
	buf_get_u16(&c.body, &tag);
	if (buf_reader_error(&c.body) == 0 && tag != TPM_TAG_STCLEAR_FLAGS)
		buf_reader_fail(&c.body, -EBADMSG);
	get_bool(&c.body, &f->deactivated);
	get_bool(&c.body, &f->disable_force_clear);
	get_bool(&c.body, &f->physical_presence);
	get_bool(&c.body, &f->physical_presence_lock);
	get_bool(&c.body, &f->global_lock);
	return call_done(&c);
}

TSS_RESULT tpm1_get_owner(const struct tpm1_chan *ch, bool *owned)
{
	struct tpm1_call c;
	TSS_RESULT rc;

	*owned = false;
	if ((rc = getcap_u32_send(ch, &c, TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER)) != TSS_SUCCESS)
		return rc;
	get_bool(&c.body, owned);
	return call_done(&c);
}

/* ---- PCRs and random numbers ---- */

TSS_RESULT tpm1_pcr_read(const struct tpm1_chan *ch, uint32_t pcr, BYTE out[TPM1_DIGEST_SIZE])
{
	struct tpm1_call c;
	TSS_RESULT rc;

	memset(out, 0, TPM1_DIGEST_SIZE);
	call_begin(&c, "TPM_PCRRead", TPM_TAG_RQU_COMMAND, TPM_ORD_PcrRead);
	buf_put_u32(&c.w, pcr);
	if ((rc = call_send(ch, &c)) != TSS_SUCCESS)
		return rc;
	buf_get_bytes(&c.body, out, TPM1_DIGEST_SIZE);
	return call_done(&c);
}

TSS_RESULT tpm1_extend(const struct tpm1_chan *ch, uint32_t pcr, const BYTE in[TPM1_DIGEST_SIZE],
		       BYTE out[TPM1_DIGEST_SIZE])
{
	struct tpm1_call c;
	TSS_RESULT rc;

	if (out)
		memset(out, 0, TPM1_DIGEST_SIZE);
	call_begin(&c, "TPM_Extend", TPM_TAG_RQU_COMMAND, TPM_ORD_Extend);
	buf_put_u32(&c.w, pcr);
	buf_put_bytes(&c.w, in, TPM1_DIGEST_SIZE);
	if ((rc = call_send(ch, &c)) != TSS_SUCCESS)
		return rc;
	buf_get_bytes(&c.body, out, TPM1_DIGEST_SIZE);
	return call_done(&c);
}

TSS_RESULT tpm1_get_random(const struct tpm1_chan *ch, uint32_t n, BYTE *out, uint32_t *got)
{
	struct tpm1_call c;
	const uint8_t *p = NULL;
	uint32_t len = 0;
	TSS_RESULT rc;

	*got = 0;
	call_begin(&c, "TPM_GetRandom", TPM_TAG_RQU_COMMAND, TPM_ORD_GetRandom);
	buf_put_u32(&c.w, n);
	if ((rc = call_send(ch, &c)) != TSS_SUCCESS)
		return rc;
	/* The TPM may return fewer bytes than asked, never more. */
	if (buf_get_sized_ptr(&c.body, &p, &len, n) != 0)
		return call_done(&c);
	if ((rc = call_done(&c)) != TSS_SUCCESS)
		return rc;
	if (len > 0)
		memcpy(out, p, len);
	*got = len;
	return TSS_SUCCESS;
}

/* ---- endorsement key ---- */

int tpm1_parse_pubkey(struct buf_reader *r, struct tpm1_pubkey *pk)
{
	struct buf_reader start = *r, parms;
	const uint8_t *mod = NULL;
	uint32_t exp_len = 0;
	size_t n;

	memset(pk, 0, sizeof(*pk));
	buf_get_u32(r, &pk->algorithm);
	buf_get_u16(r, &pk->enc_scheme);
	buf_get_u16(r, &pk->sig_scheme);
	if (buf_get_sized_sub(r, &parms, 64) != 0)
		return buf_reader_error(r);
	if (pk->algorithm == TPM_ALG_RSA) {
		buf_get_u32(&parms, &pk->key_bits);
		buf_get_u32(&parms, &pk->num_primes);
		buf_get_u32(&parms, &exp_len);
		if (buf_reader_error(&parms) == 0 && exp_len > sizeof(pk->exponent))
			buf_reader_fail(&parms, -E2BIG);
		buf_get_bytes(&parms, pk->exponent, exp_len);
		pk->exponent_len = exp_len;
		if (buf_reader_done(&parms) != 0)
			return buf_reader_fail(r, -EBADMSG);
	}
	if (buf_get_sized_ptr(r, &mod, &pk->modulus_len, sizeof(pk->modulus)) != 0)
		return buf_reader_error(r);
	memcpy(pk->modulus, mod, pk->modulus_len);
	/* Keep the structure exactly as sent, for checksums and display. */
	n = buf_remaining(&start) - buf_remaining(r);
	if (n > sizeof(pk->blob))
		return buf_reader_fail(r, -E2BIG);
	buf_get_bytes(&start, pk->blob, n);
	pk->blob_len = n;
	return buf_reader_error(&start);
}

/* Parses TPM_PUBKEY + checksum and verifies checksum = SHA-1(key || nonce). */
static TSS_RESULT parse_checked_pubkey(struct tpm1_call *c, const BYTE nonce[TPM1_NONCE_SIZE],
				       struct tpm1_pubkey *ek)
{
	BYTE checksum[TPM1_DIGEST_SIZE], expect[TPM1_DIGEST_SIZE];
	TSS_RESULT rc;

	tpm1_parse_pubkey(&c->body, ek);
	buf_get_bytes(&c->body, checksum, sizeof(checksum));
	if ((rc = call_done(c)) != TSS_SUCCESS)
		return rc;
	if (CRYPTO_SHA1_PIECES(expect, { ek->blob, ek->blob_len }, { nonce, TPM1_NONCE_SIZE }) != 0)
		return TDDL_ERROR(TSS_E_FAIL);
	if (!crypto_memeq(expect, checksum, sizeof(expect))) {
		log_error("%s: checksum of the endorsement key does not match", c->desc);
		memset(ek, 0, sizeof(*ek));
		return TDDL_ERROR(TDDL_E_BADTAG);
	}
	return TSS_SUCCESS;
}

TSS_RESULT tpm1_read_pubek(const struct tpm1_chan *ch, struct tpm1_pubkey *ek)
{
	struct tpm1_call c;
	BYTE nonce[TPM1_NONCE_SIZE];
	TSS_RESULT rc;

	memset(ek, 0, sizeof(*ek));
	if (crypto_random(nonce, sizeof(nonce)) != 0)
		return TDDL_ERROR(TSS_E_FAIL);
	call_begin(&c, "TPM_ReadPubek", TPM_TAG_RQU_COMMAND, TPM_ORD_ReadPubek);
	buf_put_bytes(&c.w, nonce, sizeof(nonce));
	if ((rc = call_send(ch, &c)) != TSS_SUCCESS)
		return rc;
	return parse_checked_pubkey(&c, nonce, ek);
}

TSS_RESULT tpm1_create_ek(const struct tpm1_chan *ch, struct tpm1_pubkey *ek)
{
	struct tpm1_call c;
	BYTE nonce[TPM1_NONCE_SIZE];
	TSS_RESULT rc;

	memset(ek, 0, sizeof(*ek));
	if (crypto_random(nonce, sizeof(nonce)) != 0)
		return TDDL_ERROR(TSS_E_FAIL);
	call_begin(&c, "TPM_CreateEndorsementKeyPair", TPM_TAG_RQU_COMMAND,
		   TPM_ORD_CreateEndorsementKeyPair);
	buf_put_bytes(&c.w, nonce, sizeof(nonce));
	/* TPM_KEY_PARMS: RSA-2048, two primes, default exponent (Part 3 §14.1). */
	buf_put_u32(&c.w, TPM_ALG_RSA);
	buf_put_u16(&c.w, TPM_ES_RSAESOAEP_SHA1_MGF1);
	buf_put_u16(&c.w, TPM_SS_NONE);
	buf_put_u32(&c.w, 12);
	buf_put_u32(&c.w, 2048);
	buf_put_u32(&c.w, 2);
	buf_put_u32(&c.w, 0);
	if ((rc = call_send(ch, &c)) != TSS_SUCCESS)
		return rc;
	return parse_checked_pubkey(&c, nonce, ek);
}

/* ---- physical presence and activation ---- */

TSS_RESULT tpm1_tsc_physical_presence(const struct tpm1_chan *ch, uint16_t pp)
{
	struct tpm1_call c;
	TSS_RESULT rc;

	call_begin(&c, "TSC_PhysicalPresence", TPM_TAG_RQU_COMMAND, TSC_ORD_PhysicalPresence);
	buf_put_u16(&c.w, pp);
	if ((rc = call_send(ch, &c)) != TSS_SUCCESS)
		return rc;
	return call_done(&c);
}

TSS_RESULT tpm1_assert_physical_presence(const struct tpm1_chan *ch)
{
	TSS_RESULT rc;

	/* Fails with TPM_BAD_PARAMETER once the lifetime lock is set; then
	 * presence may still be enabled, so try asserting anyway. */
	rc = tpm1_tsc_physical_presence(ch, TPM_PHYSICAL_PRESENCE_CMD_ENABLE);
	if (rc != TSS_SUCCESS)
		log_debug("TSC_PhysicalPresence(CMD_ENABLE): 0x%x", rc);
	return tpm1_tsc_physical_presence(ch, TPM_PHYSICAL_PRESENCE_PRESENT);
}

TSS_RESULT tpm1_physical_enable(const struct tpm1_chan *ch)
{
	return call_simple(ch, "TPM_PhysicalEnable", TPM_ORD_PhysicalEnable);
}

static TSS_RESULT call_bool(const struct tpm1_chan *ch, const char *desc, uint32_t ordinal,
			    bool value)
{
	struct tpm1_call c;
	TSS_RESULT rc;

	call_begin(&c, desc, TPM_TAG_RQU_COMMAND, ordinal);
	buf_put_u8(&c.w, value ? 1 : 0);
	if ((rc = call_send(ch, &c)) != TSS_SUCCESS)
		return rc;
	return call_done(&c);
}

TSS_RESULT tpm1_physical_set_deactivated(const struct tpm1_chan *ch, bool deactivated)
{
	return call_bool(ch, "TPM_PhysicalSetDeactivated", TPM_ORD_PhysicalSetDeactivated,
			 deactivated);
}

TSS_RESULT tpm1_set_owner_install(const struct tpm1_chan *ch, bool allow)
{
	return call_bool(ch, "TPM_SetOwnerInstall", TPM_ORD_SetOwnerInstall, allow);
}
