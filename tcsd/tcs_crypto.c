/*
 * TCS functions that use a key the client loaded: Seal, Sealx, Unseal,
 * UnBind, Sign, Quote, Quote2, CertifyKey, ChangeAuth, and
 * ChangeAuthOwner. All are pass-throughs: the TCS maps the client's key
 * handles to TPM handles (tcs_key_exec) and forwards the auth trailers
 * both ways; it never computes an HMAC.
 *
 * Parameter lists are TrouSerS' (src/tcs/rpc/tcstp/rpc_seal.c, rpc_bind.c,
 * rpc_sign.c, rpc_quote.c, rpc_quote2.c, rpc_certify.c,
 * rpc_changeauth.c); TPM commands are TPM 1.2 Part 3 §10 (storage),
 * §13 (crypto), §16 (integrity), §17 (change auth).
 */
#include "config.h"

#include <errno.h>
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
#include "tpm_structs.h"

/* A TPM_PCR_SELECTION / PCR_INFO: a few dozen bytes. */
#define PCR_INFO_MAX 1024u

/* ---- Seal / Sealx (Part 3 §10.1, §10.7) ---- */

/*
 * Seal, Sealx: ctx, UINT32 key, ENCAUTH, UINT32 pcrInfoSize, [PBYTE],
 * UINT32 inDataSize, [PBYTE], AUTH? -> AUTH, UINT32+PBYTE sealedData.
 * The empty PBYTEs may be left out (libtspi does); the TPM command needs
 * the auth of an OSAP session on the key.
 */
static TSS_RESULT seal_common(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			      struct tcsd_packet_writer *out, UINT32 ordinal)
{
	struct tcs_key_cmd kc = { .ordinal = ordinal };
	struct tcsd_tpm_rsp rsp;
	struct tcs_key_params p;
	TPM_ENCAUTH enc;
	TPM_AUTH auth;
	const uint8_t *pcr = NULL, *data = NULL, *sealed = NULL;
	uint32_t pcr_len = 0, data_len = 0, idx = 3, n;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_encauth(in, 2, &enc);
	tcsd_get_sized_ptr(in, &idx, &pcr, &pcr_len, PCR_INFO_MAX);
	tcsd_get_sized_ptr(in, &idx, &data, &data_len, TCS_DATA_MAX);
	tcsd_get_optional_auth(in, idx, &auth, &kc.auth1);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcs_key_params_init(&p);
	buf_put_bytes(&p.w, enc.authdata, sizeof(enc.authdata));
	buf_put_sized(&p.w, pcr, pcr_len);
	buf_put_sized(&p.w, data, data_len);
	if ((rc = tcs_key_exec_params(cl, &kc, &p, &rsp)) != TSS_SUCCESS)
		return rc;
	/* sealedData is a TPM_STORED_DATA(12): all of the output parameters. */
	n = (uint32_t)buf_remaining(&rsp.params);
	buf_get_ptr(&rsp.params, &sealed, n);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	idx = 1;
	tcsd_writer_init_reply(out, 3);
	tcsd_put_auth_out(out, 0, &auth);
	tcsd_put_sized(out, &idx, sealed, n);
	return TSS_SUCCESS;
}

static TSS_RESULT tcs_seal(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			   struct tcsd_packet_writer *out)
{
	return seal_common(cl, in, out, TPM_ORD_Seal);
}

static TSS_RESULT tcs_sealx(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			    struct tcsd_packet_writer *out)
{
	return seal_common(cl, in, out, TPM_ORD_Sealx);
}

/*
 * Unseal: ctx, UINT32 parent, UINT32+PBYTE sealedData, AUTH parentAuth?,
 * AUTH dataAuth -> AUTH parentAuth (zeros if none), AUTH dataAuth,
 * UINT32+PBYTE secret. A single AUTH is the data's (TrouSerS).
 */
static TSS_RESULT tcs_unseal(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			     struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_Unseal };
	struct tcsd_tpm_rsp rsp;
	struct tcs_key_params p;
	TPM_AUTH a1, a2, *first = NULL, *second = NULL, empty;
	const uint8_t *data = NULL, *secret = NULL;
	uint32_t data_len = 0, idx = 2, n = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_sized_ptr(in, &idx, &data, &data_len, TCS_DATA_MAX);
	tcsd_get_optional_auth(in, idx, &a1, &first);
	if (first != NULL)
		tcsd_get_optional_auth(in, idx + 1, &a2, &second);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (first == NULL)
		return TCS_ERROR(TSS_E_BAD_PARAMETER); /* the data always needs its auth */
	kc.auth1 = first;
	kc.auth2 = second;
	tcs_key_params_init(&p);
	buf_put_bytes(&p.w, data, data_len);
	if ((rc = tcs_key_exec_params(cl, &kc, &p, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_ptr(&rsp.params, &secret, &n, TCS_DATA_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	memset(&empty, 0, sizeof(empty));
	idx = 2;
	tcsd_writer_init_reply(out, 4);
	tcsd_put_auth_out(out, 0, second != NULL ? first : &empty);
	tcsd_put_auth_out(out, 1, second != NULL ? second : first);
	tcsd_put_sized(out, &idx, secret, n);
	return TSS_SUCCESS;
}

/* ---- key-use functions with one optional auth and a sized answer ---- */

/*
 * UnBind (Part 3 §10.8), Sign (Part 3 §13.1): ctx, UINT32 key,
 * UINT32+PBYTE, AUTH? -> [AUTH], UINT32+PBYTE.
 */
static TSS_RESULT sized_in_sized_out(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				     struct tcsd_packet_writer *out, UINT32 ordinal)
{
	struct tcs_key_cmd kc = { .ordinal = ordinal };
	struct tcs_key_params p;
	TPM_AUTH auth;
	const uint8_t *data = NULL;
	uint32_t data_len = 0, idx = 2;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_sized_ptr(in, &idx, &data, &data_len, TCS_DATA_MAX);
	tcsd_get_optional_auth(in, idx, &auth, &kc.auth1);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcs_key_params_init(&p);
	buf_put_sized(&p.w, data, data_len);
	return tcs_key_exec_sized_reply(cl, &kc, &p, out);
}

static TSS_RESULT tcs_unbind(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			     struct tcsd_packet_writer *out)
{
	return sized_in_sized_out(cl, in, out, TPM_ORD_UnBind);
}

static TSS_RESULT tcs_sign(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			   struct tcsd_packet_writer *out)
{
	return sized_in_sized_out(cl, in, out, TPM_ORD_Sign);
}

/* ---- Quote, Quote2 (Part 3 §16.5, §16.6) ---- */

/*
 * Quote: ctx, UINT32 key, NONCE, UINT32+PBYTE TPM_PCR_SELECTION, AUTH?
 *   -> [AUTH], UINT32+PBYTE TPM_PCR_COMPOSITE, UINT32+PBYTE sig.
 * Quote2 adds BOOL addVersion after the selection and answers
 *   [AUTH], UINT32+PBYTE TPM_PCR_INFO_SHORT, UINT32+PBYTE versionInfo,
 *   UINT32+PBYTE sig.
 */
static TSS_RESULT quote_common(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			       struct tcsd_packet_writer *out, bool two)
{
	struct tcs_key_cmd kc = { .ordinal = two ? TPM_ORD_Quote2 : TPM_ORD_Quote };
	struct tcsd_tpm_rsp rsp;
	struct tcs_key_params p;
	TPM_NONCE nonce;
	TPM_AUTH auth;
	TSS_BOOL add_version = FALSE;
	const uint8_t *sel = NULL, *pcr_data = NULL, *version = NULL, *sig = NULL;
	uint32_t sel_len = 0, idx = 3, version_len = 0, sig_len = 0;
	size_t start, pcr_len;
	TSS_RESULT rc;
	int err;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_nonce(in, 2, &nonce);
	tcsd_get_sized_ptr(in, &idx, &sel, &sel_len, PCR_INFO_MAX);
	if (two)
		tcsd_get_bool(in, idx++, &add_version);
	tcsd_get_optional_auth(in, idx, &auth, &kc.auth1);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcs_key_params_init(&p);
	buf_put_bytes(&p.w, nonce.nonce, sizeof(nonce.nonce));
	buf_put_bytes(&p.w, sel, sel_len);
	if (two)
		buf_put_u8(&p.w, add_version ? 1 : 0);
	if ((rc = tcs_key_exec_params(cl, &kc, &p, &rsp)) != TSS_SUCCESS)
		return rc;

	/* The structure's own length is known only by parsing it. */
	start = rsp.params.off;
	if (two) {
		struct tpm_pcr_info_short info;

		err = tpm_pcr_info_short_get(&rsp.params, &info);
		tpm_pcr_info_short_free(&info);
	} else {
		struct tpm_pcr_composite comp;

		err = tpm_pcr_composite_get(&rsp.params, &comp);
		tpm_pcr_composite_free(&comp);
	}
	if (err != 0) {
		log_error("TPM_Quote%s answer does not parse", two ? "2" : "");
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	pcr_data = rsp.params.data + start;
	pcr_len = rsp.params.off - start;
	if (two)
		buf_get_sized_ptr(&rsp.params, &version, &version_len, TCS_DATA_MAX);
	buf_get_sized_ptr(&rsp.params, &sig, &sig_len, TCS_DATA_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;

	idx = 0;
	tcsd_writer_init_reply(out, two ? 7 : 5);
	if (kc.auth1 != NULL)
		tcsd_put_auth_out(out, idx++, kc.auth1);
	tcsd_put_sized(out, &idx, pcr_data, (uint32_t)pcr_len);
	/* TrouSerS leaves an empty versionInfo out; its libtspi expects that. */
	if (two)
		tcsd_put_sized_opt(out, &idx, version, version_len);
	tcsd_put_sized(out, &idx, sig, sig_len);
	return TSS_SUCCESS;
}

static TSS_RESULT tcs_quote(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			    struct tcsd_packet_writer *out)
{
	return quote_common(cl, in, out, false);
}

static TSS_RESULT tcs_quote2(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			     struct tcsd_packet_writer *out)
{
	return quote_common(cl, in, out, true);
}

/* ---- CertifyKey (Part 3 §14.1) ---- */

/*
 * CertifyKey: ctx, UINT32 certKey, UINT32 key, NONCE, AUTH certAuth,
 * AUTH keyAuth (all-zero means none) -> [AUTH], [AUTH],
 * UINT32+PBYTE certifyInfo, UINT32+PBYTE sig.
 */
static TSS_RESULT tcs_certify_key(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				  struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_CertifyKey, .has_key2 = true };
	struct tcsd_tpm_rsp rsp;
	struct tcs_key_params p;
	TPM_NONCE nonce;
	TPM_AUTH cert_auth, key_auth;
	TPM_AUTH *auths[2] = { NULL, NULL };
	const uint8_t *info = NULL, *sig = NULL;
	uint32_t sig_len = 0, idx = 0;
	size_t start, info_len;
	TSS_RESULT rc;
	int err;
	unsigned int n = 0;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_u32(in, 2, &kc.key2);
	tcsd_get_nonce(in, 3, &nonce);
	tcsd_get_auth_in(in, 4, &cert_auth);
	tcsd_get_auth_in(in, 5, &key_auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (!tcsd_auth_is_null(&cert_auth))
		auths[n++] = &cert_auth;
	if (!tcsd_auth_is_null(&key_auth))
		auths[n++] = &key_auth;
	kc.auth1 = auths[0];
	kc.auth2 = auths[1];
	tcs_key_params_init(&p);
	buf_put_bytes(&p.w, nonce.nonce, sizeof(nonce.nonce));
	if ((rc = tcs_key_exec_params(cl, &kc, &p, &rsp)) != TSS_SUCCESS)
		return rc;
	start = rsp.params.off;
	if (buf_remaining(&rsp.params) >= 2 && rsp.params.data[start] == 0x00 &&
	    rsp.params.data[start + 1] == 0x29) {
		struct tpm_certify_info2 ci2;

		err = tpm_certify_info2_get(&rsp.params, &ci2);
		tpm_certify_info2_free(&ci2);
	} else {
		struct tpm_certify_info ci;

		err = tpm_certify_info_get(&rsp.params, &ci);
		tpm_certify_info_free(&ci);
	}
	if (err != 0) {
		log_error("TPM_CertifyKey answer does not parse");
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	info = rsp.params.data + start;
	info_len = rsp.params.off - start;
	buf_get_sized_ptr(&rsp.params, &sig, &sig_len, TCS_DATA_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 6);
	for (unsigned int i = 0; i < n; i++)
		tcsd_put_auth_out(out, idx++, auths[i]);
	tcsd_put_sized(out, &idx, info, (uint32_t)info_len);
	tcsd_put_sized(out, &idx, sig, sig_len);
	return TSS_SUCCESS;
}

/* ---- ChangeAuth, ChangeAuthOwner (Part 3 §17.1, §17.2) ---- */

/*
 * ChangeAuth: ctx, UINT32 parent, UINT16 protocolID, ENCAUTH newAuth,
 * UINT16 entityType, UINT32+PBYTE encData, AUTH parentAuth, AUTH entityAuth
 *   -> AUTH, AUTH, UINT32+PBYTE outData.
 */
static TSS_RESULT tcs_change_auth(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				  struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_ChangeAuth };
	struct tcsd_tpm_rsp rsp;
	struct tcs_key_params p;
	UINT16 proto = 0, entity = 0;
	TPM_ENCAUTH new_auth;
	TPM_AUTH parent_auth, entity_auth;
	const uint8_t *data = NULL, *res = NULL;
	uint32_t data_len = 0, idx = 5, n = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_u16(in, 2, &proto);
	tcsd_get_encauth(in, 3, &new_auth);
	tcsd_get_u16(in, 4, &entity);
	tcsd_get_sized_ptr(in, &idx, &data, &data_len, TCS_DATA_MAX);
	tcsd_get_auth_in(in, idx, &parent_auth);
	tcsd_get_auth_in(in, idx + 1, &entity_auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	kc.auth1 = &parent_auth;
	kc.auth2 = &entity_auth;
	tcs_key_params_init(&p);
	buf_put_u16(&p.w, proto);
	buf_put_bytes(&p.w, new_auth.authdata, sizeof(new_auth.authdata));
	buf_put_u16(&p.w, entity);
	buf_put_sized(&p.w, data, data_len);
	if ((rc = tcs_key_exec_params(cl, &kc, &p, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_ptr(&rsp.params, &res, &n, TCS_DATA_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	idx = 2;
	tcsd_writer_init_reply(out, 4);
	tcsd_put_auth_out(out, 0, &parent_auth);
	tcsd_put_auth_out(out, 1, &entity_auth);
	tcsd_put_sized(out, &idx, res, n);
	return TSS_SUCCESS;
}

/*
 * ChangeAuthOwner: ctx, UINT16 protocolID, ENCAUTH newAuth, UINT16
 * entityType, AUTH ownerAuth -> AUTH. No key: straight to the TPM.
 */
static TSS_RESULT tcs_change_auth_owner(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	UINT16 proto = 0, entity = 0;
	TPM_ENCAUTH new_auth;
	TPM_AUTH auth;
	TSS_RESULT rc;

	tcsd_get_u16(in, 1, &proto);
	tcsd_get_encauth(in, 2, &new_auth);
	tcsd_get_u16(in, 3, &entity);
	tcsd_get_auth_in(in, 4, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_ChangeAuthOwner);
	buf_put_u16(&cmd.w, proto);
	buf_put_bytes(&cmd.w, new_auth.authdata, sizeof(new_auth.authdata));
	buf_put_u16(&cmd.w, entity);
	return tcsd_tpm_exec_reply_auth(cl, &cmd, &auth, out);
}

const struct tcsd_handler tcs_crypto_handlers[] = {
	{ TCSD_ORD_SEAL, tcs_seal },
	{ TCSD_ORD_SEALX, tcs_sealx },
	{ TCSD_ORD_UNSEAL, tcs_unseal },
	{ TCSD_ORD_UNBIND, tcs_unbind },
	{ TCSD_ORD_SIGN, tcs_sign },
	{ TCSD_ORD_QUOTE, tcs_quote },
	{ TCSD_ORD_QUOTE2, tcs_quote2 },
	{ TCSD_ORD_CERTIFYKEY, tcs_certify_key },
	{ TCSD_ORD_CHANGEAUTH, tcs_change_auth },
	{ TCSD_ORD_CHANGEAUTHOWNER, tcs_change_auth_owner },
	{ 0, NULL },
};
