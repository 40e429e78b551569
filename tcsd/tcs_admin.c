/*
 * Administrative TCS functions: TCS and TPM capabilities, random numbers,
 * PCRs, self test, the endorsement key, ownership, and the physical-
 * presence / enable / activate family (TSS 1.2 §4.6.4, §4.6.5; TPM 1.2
 * Part 3 chapters 4-7, 13, 14, 16).
 *
 * Most of these are one TPM command with the parameters passed through;
 * those are described by the table `simple[]` and served by one handler.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <utmpx.h>

#include <openssl/crypto.h>

#include <tss/tpm.h>
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>
#include <tss/tss_defines.h>

#include "log.h"
#include "tcsd.h"
#include "tcs_keys.h"
#include "tcsd_ordinals.h"
#include "tpm_exec.h"
#include "tpmdd.h"

/* Largest GetRandom answered in one TCS call; larger is a bad parameter. */
#define TCS_RANDOM_MAX (256u * 1024)
/* Bytes asked of the TPM per TPM_GetRandom (fits the 4 KiB response). */
#define TPM_RANDOM_CHUNK 2048u
/* Capability answers and sub-capabilities fit in one TPM buffer. */
#define CAP_MAX TCSD_TPM_BUFSIZE

/* Every parameter read and none left over (getter errors are sticky). */
/* ---- TCS capabilities (answered by the daemon itself) ---- */

/* The values TrouSerS' capabilities.h gives, with tss12 as manufacturer. */
static const TSS_VERSION tcs_version = { 1, 2, 0, 1 };
#define TCS_MANUFACTURER_ID 0x74737331u /* "tss1" */
static const BYTE tcs_manufacturer_str[] = { 't', 0, 's', 0, 's', 0, '1', 0, '2', 0, 0, 0 };

/*
 * TrouSerS reads the sub-capability and writes UINT32 answers in host
 * byte order (memcpy of a native UINT32), and applications read them the
 * same way; so do we. BOOLs are one byte.
 */
static void put_host_u32(BYTE out[4], UINT32 v)
{
	memcpy(out, &v, sizeof(v));
}

static void put_platform_class(struct buf_writer *w, const struct tcsd_platform_class *c)
{
	size_t n = strlen(c->uri) + 1;

	buf_put_u32(w, c->simple_id);
	buf_put_u32(w, (uint32_t)n);
	buf_put_bytes(w, c->uri, n);
}

static TSS_RESULT tcs_caps(UINT32 area, UINT32 sub, struct buf_writer *w)
{
	const struct tcsd_config *conf = tcsd_config();
	BYTE u32[4];

	switch (area) {
	case TSS_TCSCAP_ALG:
		/* The TCS does SHA-1 itself (event log); the rest is TSP or TPM work. */
		if (sub == TSS_ALG_DEFAULT) {
			put_host_u32(u32, TSS_ALG_RSA);
			buf_put_bytes(w, u32, 4);
		} else if (sub == TSS_ALG_DEFAULT_SIZE) {
			put_host_u32(u32, TSS_KEY_SIZEVAL_2048BIT);
			buf_put_bytes(w, u32, 4);
		} else if (sub == TSS_ALG_RSA || sub == TSS_ALG_DES || sub == TSS_ALG_3DES ||
			   sub == TSS_ALG_AES || sub == TSS_ALG_HMAC) {
			buf_put_u8(w, FALSE);
		} else if (sub == TSS_ALG_SHA) {
			buf_put_u8(w, TRUE);
		} else {
			return TCS_ERROR(TSS_E_BAD_PARAMETER);
		}
		return TSS_SUCCESS;
	case TSS_TCSCAP_VERSION:
		buf_put_u8(w, tcs_version.bMajor);
		buf_put_u8(w, tcs_version.bMinor);
		buf_put_u8(w, tcs_version.bRevMajor);
		buf_put_u8(w, tcs_version.bRevMinor);
		return TSS_SUCCESS;
	case TSS_TCSCAP_PERSSTORAGE:
		buf_put_u8(w, TRUE);
		return TSS_SUCCESS;
	case TSS_TCSCAP_CACHING:
		/* Both caches exist: keys are virtualised, sessions swapped. */
		if (sub != TSS_TCSCAP_PROP_KEYCACHE && sub != TSS_TCSCAP_PROP_AUTHCACHE)
			return TCS_ERROR(TSS_E_BAD_PARAMETER);
		buf_put_u8(w, TRUE);
		return TSS_SUCCESS;
	case TSS_TCSCAP_MANUFACTURER:
		if (sub == TSS_TCSCAP_PROP_MANUFACTURER_ID) {
			put_host_u32(u32, TCS_MANUFACTURER_ID);
			buf_put_bytes(w, u32, 4);
		} else if (sub == TSS_TCSCAP_PROP_MANUFACTURER_STR) {
			buf_put_bytes(w, tcs_manufacturer_str, sizeof(tcs_manufacturer_str));
		} else {
			return TCS_ERROR(TSS_E_BAD_PARAMETER);
		}
		return TSS_SUCCESS;
	case TSS_TCSCAP_TRANSPORT:
		/* Sub-capability 0 asks whether transport sessions exist: not yet. */
		if (sub == 0)
			buf_put_u8(w, FALSE);
		else if (sub == TSS_TCSCAP_TRANS_EXCLUSIVE)
			buf_put_u8(w, conf->exclusive_transport ? TRUE : FALSE);
		else
			return TCS_ERROR(TSS_E_BAD_PARAMETER);
		return TSS_SUCCESS;
	case TSS_TCSCAP_PLATFORM_CLASS:
		if (sub == TSS_TCSCAP_PROP_HOST_PLATFORM) {
			put_platform_class(w, &conf->host_platform_class);
		} else if (sub == TSS_TCSCAP_PROP_ALL_PLATFORMS) {
			for (size_t i = 0; i < conf->num_all_platform_classes; i++)
				put_platform_class(w, &conf->all_platform_classes[i]);
		} else {
			return TCS_ERROR(TSS_E_BAD_PARAMETER);
		}
		return TSS_SUCCESS;
	default:
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	}
}

/* TCSGetCapability: ctx, UINT32 capArea, UINT32+PBYTE subCap -> UINT32+PBYTE. */
static TSS_RESULT tcs_get_tcs_capability(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					 struct tcsd_packet_writer *out)
{
	BYTE mem[1024];
	struct buf_writer w;
	const uint8_t *sub = NULL;
	UINT32 area = 0, sub_len = 0, sub_val = 0;
	uint32_t idx = 2;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &area);
	tcsd_get_sized_ptr(in, &idx, &sub, &sub_len, CAP_MAX);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	/* A UINT32 in host order (TrouSerS), or nothing. */
	if (sub_len == 4)
		memcpy(&sub_val, sub, 4);
	else if (sub_len != 0)
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	buf_writer_init_fixed(&w, mem, sizeof(mem));
	if ((rc = tcs_caps(area, sub_val, &w)) != TSS_SUCCESS)
		return rc;
	if (buf_writer_error(&w) != 0)
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	idx = 0;
	tcsd_writer_init_reply(out, 2);
	tcsd_put_sized(out, &idx, mem, (uint32_t)buf_writer_len(&w));
	return TSS_SUCCESS;
}

/* ---- TPM capabilities, random, PCRs ---- */

/* GetCapability: ctx, UINT32 capArea, UINT32+PBYTE subCap -> UINT32+PBYTE resp. */
static TSS_RESULT tcs_get_capability(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				     struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	const uint8_t *sub = NULL, *resp = NULL;
	UINT32 area = 0, sub_len = 0, resp_len = 0;
	uint32_t idx = 2;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &area);
	tcsd_get_sized_ptr(in, &idx, &sub, &sub_len, CAP_MAX - 32);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_GetCapability);
	buf_put_u32(&cmd.w, area);
	buf_put_sized(&cmd.w, sub, sub_len);
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_ptr(&rsp.params, &resp, &resp_len, CAP_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	idx = 0;
	tcsd_writer_init_reply(out, 2);
	tcsd_put_sized(out, &idx, resp, resp_len);
	return TSS_SUCCESS;
}

/*
 * GetRandom: ctx, UINT32 n -> UINT32+PBYTE. A TPM may return fewer bytes
 * than asked (Part 3 §13.6), so the TCS asks again until it has n.
 */
static TSS_RESULT tcs_get_random(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				 struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	BYTE *buf = NULL;
	UINT32 n = 0, got = 0;
	uint32_t idx = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &n);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (n > TCS_RANDOM_MAX) {
		log_debug("%s: GetRandom of %u bytes refused (max %u)", cl->name, n,
			  TCS_RANDOM_MAX);
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	}
	if (n > 0 && (buf = malloc(n)) == NULL)
		return TCS_ERROR(TSS_E_OUTOFMEMORY);
	while (got < n) {
		const uint8_t *p;
		uint32_t chunk = n - got < TPM_RANDOM_CHUNK ? n - got : TPM_RANDOM_CHUNK, len;

		tcsd_tpm_cmd_init(&cmd, TPM_ORD_GetRandom);
		buf_put_u32(&cmd.w, chunk);
		if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
			goto out;
		buf_get_sized_ptr(&rsp.params, &p, &len, chunk);
		if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
			goto out;
		if (len == 0) {
			log_error("TPM_GetRandom returned no bytes");
			rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
			goto out;
		}
		memcpy(buf + got, p, len);
		OPENSSL_cleanse(rsp.mem, sizeof(rsp.mem));
		got += len;
	}
	tcsd_writer_init_reply(out, 2);
	tcsd_put_sized(out, &idx, buf, n);
	rc = TSS_SUCCESS;
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, n);
		free(buf);
	}
	return rc;
}

/* StirRandom: ctx, UINT32+PBYTE (< 256 bytes, Part 3 §13.7) -> nothing. */
static TSS_RESULT tcs_stir_random(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				  struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	const uint8_t *p = NULL;
	UINT32 len = 0;
	uint32_t idx = 1;
	TSS_RESULT rc;

	tcsd_get_sized_ptr(in, &idx, &p, &len, CAP_MAX);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_StirRandom);
	buf_put_sized(&cmd.w, p, len);
	return tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp);
}

/* PcrRead: ctx, UINT32 index -> DIGEST. */
static TSS_RESULT tcs_pcr_read(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			       struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_DIGEST d;
	UINT32 pcr = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &pcr);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_PcrRead);
	buf_put_u32(&cmd.w, pcr);
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_bytes(&rsp.params, d.digest, sizeof(d.digest));
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 1);
	tcsd_put_digest(out, 0, &d);
	return TSS_SUCCESS;
}

/* PCRs measured by firmware or kernel (tcsd.conf) are theirs alone. */
static bool pcr_reserved(UINT32 pcr)
{
	const struct tcsd_config *conf = tcsd_config();

	return pcr < TCSD_MAX_PCRS &&
	       ((conf->firmware_pcrs | conf->kernel_pcrs) & (1u << pcr)) != 0;
}

/* Extend: ctx, UINT32 index, DIGEST -> DIGEST (the new value). */
static TSS_RESULT tcs_extend(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			     struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_DIGEST d, outd;
	UINT32 pcr = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &pcr);
	tcsd_get_digest(in, 2, &d);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	/* TrouSerS answers TSS_E_FAIL here too (tcsi_pcr.c). */
	if (pcr_reserved(pcr)) {
		log_warn("%s: Extend of PCR %u refused: it belongs to the %s log", cl->name, pcr,
			 (tcsd_config()->firmware_pcrs & (1u << pcr)) ? "firmware" : "kernel");
		return TCS_ERROR(TSS_E_FAIL);
	}
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_Extend);
	buf_put_u32(&cmd.w, pcr);
	buf_put_bytes(&cmd.w, d.digest, sizeof(d.digest));
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_bytes(&rsp.params, outd.digest, sizeof(outd.digest));
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 1);
	tcsd_put_digest(out, 0, &outd);
	return TSS_SUCCESS;
}

/* PcrReset: ctx, UINT32+PBYTE TPM_PCR_SELECTION -> nothing. */
static TSS_RESULT tcs_pcr_reset(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	struct buf_reader sel;
	const uint8_t *p = NULL, *bits = NULL;
	UINT32 len = 0;
	uint16_t size_of_select = 0;
	uint32_t idx = 1;
	TSS_RESULT rc;

	tcsd_get_sized_ptr(in, &idx, &p, &len, 64);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	/* TPM_PCR_SELECTION (Part 2 §8.1): UINT16 sizeOfSelect, pcrSelect[]. */
	buf_reader_init(&sel, p, len);
	buf_get_u16(&sel, &size_of_select);
	buf_get_ptr(&sel, &bits, size_of_select);
	if (buf_reader_done(&sel) != 0)
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	for (uint32_t pcr = 0; pcr < (uint32_t)size_of_select * 8; pcr++) {
		if ((bits[pcr / 8] & (1u << (pcr % 8))) && pcr_reserved(pcr)) {
			log_warn("%s: PcrReset of PCR %u refused: it belongs to the firmware or "
				 "kernel log", cl->name, pcr);
			return TCS_ERROR(TSS_E_FAIL);
		}
	}
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_PCR_Reset);
	buf_put_bytes(&cmd.w, p, len);
	return tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp);
}

/* ---- self test ---- */

/* GetTestResult: ctx -> UINT32+PBYTE outData. */
static TSS_RESULT tcs_get_test_result(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				      struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	const uint8_t *p = NULL;
	UINT32 len = 0;
	uint32_t idx = 0;
	TSS_RESULT rc;

	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_GetTestResult);
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_ptr(&rsp.params, &p, &len, CAP_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 2);
	tcsd_put_sized(out, &idx, p, len);
	return TSS_SUCCESS;
}

/* ---- endorsement key ---- */

/*
 * ReadPubek: ctx, NONCE antiReplay -> UINT32+PBYTE TPM_PUBKEY, DIGEST
 * checksum. The TSP verifies the checksum; the TCS passes it on.
 */
static TSS_RESULT tcs_read_pubek(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				 struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_NONCE anti_replay;
	TPM_DIGEST checksum;
	const uint8_t *pub = NULL;
	size_t pub_len;
	uint32_t idx = 0;
	TSS_RESULT rc;

	tcsd_get_nonce(in, 1, &anti_replay);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_ReadPubek);
	buf_put_bytes(&cmd.w, anti_replay.nonce, sizeof(anti_replay.nonce));
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	pub_len = buf_remaining(&rsp.params) >= 20 ? buf_remaining(&rsp.params) - 20 : 0;
	buf_get_ptr(&rsp.params, &pub, pub_len);
	buf_get_bytes(&rsp.params, checksum.digest, sizeof(checksum.digest));
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 3);
	tcsd_put_sized(out, &idx, pub, (uint32_t)pub_len);
	tcsd_put_digest(out, idx, &checksum);
	return TSS_SUCCESS;
}

/*
 * CreateEndorsementKeyPair: ctx, NONCE antiReplay, UINT32+PBYTE
 * TPM_KEY_PARMS -> UINT32+PBYTE TPM_PUBKEY, DIGEST checksum.
 */
static TSS_RESULT tcs_create_ek(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_NONCE anti_replay;
	TPM_DIGEST checksum;
	const uint8_t *parms = NULL, *pub = NULL;
	UINT32 parms_len = 0;
	size_t pub_len;
	uint32_t idx = 2;
	TSS_RESULT rc;

	tcsd_get_nonce(in, 1, &anti_replay);
	tcsd_get_sized_ptr(in, &idx, &parms, &parms_len, CAP_MAX - 64);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_CreateEndorsementKeyPair);
	buf_put_bytes(&cmd.w, anti_replay.nonce, sizeof(anti_replay.nonce));
	buf_put_bytes(&cmd.w, parms, parms_len);
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	pub_len = buf_remaining(&rsp.params) >= 20 ? buf_remaining(&rsp.params) - 20 : 0;
	buf_get_ptr(&rsp.params, &pub, pub_len);
	buf_get_bytes(&rsp.params, checksum.digest, sizeof(checksum.digest));
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	idx = 0;
	tcsd_writer_init_reply(out, 3);
	tcsd_put_sized(out, &idx, pub, (uint32_t)pub_len);
	tcsd_put_digest(out, idx, &checksum);
	return TSS_SUCCESS;
}

/*
 * OwnerReadPubek: ctx, AUTH owner -> AUTH, UINT32+PBYTE TPM_PUBKEY.
 * OwnerReadInternalPub: ctx, UINT32 keyHandle (TPM_KH_EK or TPM_KH_SRK),
 * AUTH owner -> AUTH, UINT32+PBYTE TPM_PUBKEY (Part 3 §27.3). TrouSerS'
 * libtspi reads the EK of an owned TPM 1.2 the second way.
 */
static TSS_RESULT owner_read_pub(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				 struct tcsd_packet_writer *out, UINT32 ordinal, bool has_key)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_AUTH auth;
	const uint8_t *pub = NULL;
	UINT32 key = 0;
	size_t pub_len;
	uint32_t idx = 1;
	TSS_RESULT rc;

	if (has_key)
		tcsd_get_u32(in, idx++, &key);
	tcsd_get_auth_in(in, idx, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, ordinal);
	if (has_key)
		buf_put_u32(&cmd.w, key);
	if ((rc = tcsd_tpm_exec(cl, &cmd, &auth, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	pub_len = buf_remaining(&rsp.params);
	buf_get_ptr(&rsp.params, &pub, pub_len);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	idx = 1;
	tcsd_writer_init_reply(out, 3);
	tcsd_put_auth_out(out, 0, &auth);
	tcsd_put_sized(out, &idx, pub, (uint32_t)pub_len);
	return TSS_SUCCESS;
}

static TSS_RESULT tcs_owner_read_pubek(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				       struct tcsd_packet_writer *out)
{
	return owner_read_pub(cl, in, out, TPM_ORD_OwnerReadPubek, false);
}

static TSS_RESULT tcs_owner_read_internal_pub(struct tcsd_client *cl,
					      struct tcsd_packet_reader *in,
					      struct tcsd_packet_writer *out)
{
	return owner_read_pub(cl, in, out, TPM_ORD_OwnerReadInternalPub, true);
}

/*
 * GetCapabilityOwner: ctx, AUTH owner -> VERSION, UINT32 non-volatile
 * flags, UINT32 volatile flags, AUTH (Part 3 §7.3).
 */
static TSS_RESULT tcs_get_capability_owner(struct tcsd_client *cl,
					   struct tcsd_packet_reader *in,
					   struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_AUTH auth;
	TSS_VERSION v;
	UINT32 nv = 0, vol = 0;
	TSS_RESULT rc;

	tcsd_get_auth_in(in, 1, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_GetCapabilityOwner);
	if ((rc = tcsd_tpm_exec(cl, &cmd, &auth, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_u8(&rsp.params, &v.bMajor);
	buf_get_u8(&rsp.params, &v.bMinor);
	buf_get_u8(&rsp.params, &v.bRevMajor);
	buf_get_u8(&rsp.params, &v.bRevMinor);
	buf_get_u32(&rsp.params, &nv);
	buf_get_u32(&rsp.params, &vol);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 4);
	tcsd_put_version(out, 0, &v);
	tcsd_put_u32(out, 1, nv);
	tcsd_put_u32(out, 2, vol);
	tcsd_put_auth_out(out, 3, &auth);
	return TSS_SUCCESS;
}

/* ---- ownership ---- */

/*
 * TakeOwnership: ctx, UINT16 protocolID, UINT32+PBYTE encOwnerAuth,
 * UINT32+PBYTE encSrkAuth, UINT32+PBYTE srkParams (TPM_KEY), AUTH owner
 * -> AUTH, UINT32+PBYTE srkPub (TPM_KEY). Part 3 §6.1: the key goes to
 * the TPM without a size in front; the answer is the SRK's TPM_KEY.
 */
static TSS_RESULT tcs_take_ownership(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				     struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_AUTH auth;
	UINT16 proto = 0;
	const uint8_t *owner = NULL, *srk = NULL, *srk_params = NULL, *srk_pub = NULL;
	UINT32 owner_len = 0, srk_len = 0, params_len = 0;
	size_t pub_len;
	uint32_t idx = 2;
	TSS_RESULT rc;

	tcsd_get_u16(in, 1, &proto);
	tcsd_get_sized_ptr(in, &idx, &owner, &owner_len, 512);
	tcsd_get_sized_ptr(in, &idx, &srk, &srk_len, 512);
	tcsd_get_sized_ptr(in, &idx, &srk_params, &params_len, 2048);
	tcsd_get_auth_in(in, idx, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_TakeOwnership);
	buf_put_u16(&cmd.w, proto);
	buf_put_sized(&cmd.w, owner, owner_len);
	buf_put_sized(&cmd.w, srk, srk_len);
	buf_put_bytes(&cmd.w, srk_params, params_len);
	if ((rc = tcsd_tpm_exec(cl, &cmd, &auth, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	pub_len = buf_remaining(&rsp.params);
	buf_get_ptr(&rsp.params, &srk_pub, pub_len);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	log_info("%s: the TPM has a new owner", cl->name);
	/* TrouSerS registers the new SRK in system storage; so do we. */
	tcs_keys_srk_installed(srk_pub, pub_len);
	idx = 1;
	tcsd_writer_init_reply(out, 3);
	tcsd_put_auth_out(out, 0, &auth);
	tcsd_put_sized(out, &idx, srk_pub, (uint32_t)pub_len);
	return TSS_SUCCESS;
}

/* ---- physical presence ---- */

/* Single-user mode: the utmp run level is 1 or S (init(8)). */
static bool single_user_mode(void)
{
	struct utmpx query, *u;
	bool single = false;

	memset(&query, 0, sizeof(query));
	query.ut_type = RUN_LVL;
	setutxent();
	if ((u = getutxid(&query)) != NULL) {
		int level = u->ut_pid % 256;

		single = level == '1' || level == 'S' || level == 's';
	}
	endutxent();
	return single;
}

/*
 * PhysicalPresence: ctx, UINT16 -> nothing. Asserting physical presence
 * from software defeats its purpose on a real platform; allowed only for
 * software TPMs and in single-user mode (the operator is at the console).
 */
static TSS_RESULT tcs_physical_presence(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	UINT16 pp = 0;
	TSS_RESULT rc;

	tcsd_get_u16(in, 1, &pp);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (!tpmdd_is_software(tcsd_tpm()) && !single_user_mode()) {
		log_warn("Denied PhysicalPresence from %s: only for a software TPM or in "
			 "single-user mode", cl->name);
		return TCS_ERROR(TSS_E_FAIL);
	}
	tcsd_tpm_cmd_init(&cmd, TSC_ORD_PhysicalPresence);
	buf_put_u16(&cmd.w, pp);
	return tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp);
}

/* ---- one-command pass-throughs, table-driven ---- */

enum simple_shape {
	SHAPE_NONE,		/* ctx                 -> nothing */
	SHAPE_BOOL,		/* ctx, BOOL           -> nothing */
	SHAPE_AUTH,		/* ctx, AUTH           -> AUTH */
	SHAPE_BOOL_AUTH,	/* ctx, BOOL, AUTH     -> AUTH */
	SHAPE_OPT_AUTH,		/* ctx, [AUTH]         -> [AUTH] */
};

static const struct simple_cmd {
	UINT32 tcsd_ordinal;
	UINT32 tpm_ordinal;
	enum simple_shape shape;
} simple[] = {
	{ TCSD_ORD_SELFTESTFULL, TPM_ORD_SelfTestFull, SHAPE_NONE },
	{ TCSD_ORD_FORCECLEAR, TPM_ORD_ForceClear, SHAPE_NONE },
	{ TCSD_ORD_DISABLEFORCECLEAR, TPM_ORD_DisableForceClear, SHAPE_NONE },
	{ TCSD_ORD_PHYSICALDISABLE, TPM_ORD_PhysicalDisable, SHAPE_NONE },
	{ TCSD_ORD_PHYSICALENABLE, TPM_ORD_PhysicalEnable, SHAPE_NONE },
	{ TCSD_ORD_SETTEMPDEACTIVATED, TPM_ORD_SetTempDeactivated, SHAPE_NONE },
	{ TCSD_ORD_PHYSICALSETDEACTIVATED, TPM_ORD_PhysicalSetDeactivated, SHAPE_BOOL },
	{ TCSD_ORD_SETOWNERINSTALL, TPM_ORD_SetOwnerInstall, SHAPE_BOOL },
	{ TCSD_ORD_DISABLEPUBEKREAD, TPM_ORD_DisablePubekRead, SHAPE_AUTH },
	{ TCSD_ORD_OWNERCLEAR, TPM_ORD_OwnerClear, SHAPE_AUTH },
	{ TCSD_ORD_DISABLEOWNERCLEAR, TPM_ORD_DisableOwnerClear, SHAPE_AUTH },
	{ TCSD_ORD_OWNERSETDISABLE, TPM_ORD_OwnerSetDisable, SHAPE_BOOL_AUTH },
	/* TPM 1.2: the operator's auth, or physical presence without one. */
	{ TCSD_ORD_SETTEMPDEACTIVATED2, TPM_ORD_SetTempDeactivated, SHAPE_OPT_AUTH },
};

static TSS_RESULT tcs_simple(struct tcsd_client *cl, struct tcsd_packet_reader *in,
			     struct tcsd_packet_writer *out)
{
	const struct simple_cmd *sc = NULL;
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_AUTH auth;
	TSS_BOOL b = FALSE;
	bool has_auth = false, reply_slot = false;
	TSS_RESULT rc;

	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
		if (simple[i].tcsd_ordinal == tcsd_reader_code(in))
			sc = &simple[i];
	if (sc == NULL)
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	memset(&auth, 0, sizeof(auth));
	if (sc->shape == SHAPE_BOOL || sc->shape == SHAPE_BOOL_AUTH)
		tcsd_get_bool(in, 1, &b);
	if (sc->shape == SHAPE_AUTH || sc->shape == SHAPE_BOOL_AUTH) {
		tcsd_get_auth_in(in, sc->shape == SHAPE_AUTH ? 1 : 2, &auth);
		has_auth = true;
	}
	if (sc->shape == SHAPE_OPT_AUTH && tcsd_param_present(in, 1)) {
		tcsd_get_auth_in(in, 1, &auth);
		/*
		 * TrouSerS' libtspi sends an all-zero AUTH when the operator
		 * has none (physical presence instead), and its tcsd takes it
		 * so: the command goes without auth, the reply keeps its slot.
		 */
		has_auth = !tcsd_auth_is_null(&auth);
		reply_slot = true;
	}
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, sc->tpm_ordinal);
	if (sc->shape == SHAPE_BOOL || sc->shape == SHAPE_BOOL_AUTH)
		buf_put_u8(&cmd.w, b ? 1 : 0);
	rc = tcsd_tpm_exec(cl, &cmd, has_auth ? &auth : NULL, NULL, &rsp);
	if (rc == TSS_SUCCESS)
		rc = tcsd_tpm_rsp_done(&rsp);
	if (rc != TSS_SUCCESS)
		return rc;
	if (sc->tpm_ordinal == TPM_ORD_OwnerClear || sc->tpm_ordinal == TPM_ORD_ForceClear)
		log_info("%s: the TPM was cleared", cl->name);
	if (has_auth || reply_slot) {
		tcsd_writer_init_reply(out, 1);
		if (has_auth)
			tcsd_put_auth_out(out, 0, &auth);
	}
	return TSS_SUCCESS;
}

const struct tcsd_handler tcs_admin_handlers[] = {
	{ TCSD_ORD_TCSGETCAPABILITY, tcs_get_tcs_capability },
	{ TCSD_ORD_GETCAPABILITY, tcs_get_capability },
	{ TCSD_ORD_GETRANDOM, tcs_get_random },
	{ TCSD_ORD_STIRRANDOM, tcs_stir_random },
	{ TCSD_ORD_PCRREAD, tcs_pcr_read },
	{ TCSD_ORD_EXTEND, tcs_extend },
	{ TCSD_ORD_PCRRESET, tcs_pcr_reset },
	{ TCSD_ORD_GETTESTRESULT, tcs_get_test_result },
	{ TCSD_ORD_READPUBEK, tcs_read_pubek },
	{ TCSD_ORD_CREATEENDORSEMENTKEYPAIR, tcs_create_ek },
	{ TCSD_ORD_OWNERREADPUBEK, tcs_owner_read_pubek },
	{ TCSD_ORD_OWNERREADINTERNALPUB, tcs_owner_read_internal_pub },
	{ TCSD_ORD_GETCAPABILITYOWNER, tcs_get_capability_owner },
	{ TCSD_ORD_TAKEOWNERSHIP, tcs_take_ownership },
	{ TCSD_ORD_PHYSICALPRESENCE, tcs_physical_presence },
	{ TCSD_ORD_SELFTESTFULL, tcs_simple },
	{ TCSD_ORD_FORCECLEAR, tcs_simple },
	{ TCSD_ORD_DISABLEFORCECLEAR, tcs_simple },
	{ TCSD_ORD_PHYSICALDISABLE, tcs_simple },
	{ TCSD_ORD_PHYSICALENABLE, tcs_simple },
	{ TCSD_ORD_SETTEMPDEACTIVATED, tcs_simple },
	{ TCSD_ORD_PHYSICALSETDEACTIVATED, tcs_simple },
	{ TCSD_ORD_SETOWNERINSTALL, tcs_simple },
	{ TCSD_ORD_DISABLEPUBEKREAD, tcs_simple },
	{ TCSD_ORD_OWNERCLEAR, tcs_simple },
	{ TCSD_ORD_DISABLEOWNERCLEAR, tcs_simple },
	{ TCSD_ORD_OWNERSETDISABLE, tcs_simple },
	{ TCSD_ORD_SETTEMPDEACTIVATED2, tcs_simple },
	{ 0, NULL },
};
