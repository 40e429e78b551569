/*
 * TCS area: key migration (TPM 1.2 Part 3 §11.1-§11.3), certified
 * migratable keys (§11.4-§11.9), KeyControlOwner (§10.9) and the
 * revocable endorsement key (§27.1.1, §27.1.2).
 *
 * Every function is a pass-through: the TCS maps the client's key
 * handles to TPM handles and forwards the auth trailers both ways; the
 * HMACs are the TSP's business. Parameter lists are TrouSerS' 0.3.15
 * (src/tcs/rpc/tcstp/rpc_migration.c, rpc_cmk.c, rpc_key.c, rpc_ek.c).
 *
 * TPM_MigrateKey (§11.3) and TPM_ChangeAuthAsymStart/Finish have no
 * TCSD ordinal that TrouSerS serves, so none is offered here either.
 * OwnerReadInternalPub is served by tcs_admin.c.
 */
#include "config.h"

#include <string.h>

#include <tss/tcs_error.h>
#include <tss/tpm.h>
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>
#include <tss/tss_defines.h>
#include <tss/tss_error.h>

#include "log.h"
#include "keycache.h"
#include "tcs_keys.h"
#include "tcsd.h"
#include "tcsd_ordinals.h"
#include "tpm_structs.h"

/* TPM_CMK_AUTH (Part 2 §5.16): three digests. */
#define CMK_AUTH_LEN 60u

/* Checks that a command built in cmd fitted. */
static TSS_RESULT cmd_ok(struct tcsd_tpm_cmd *cmd)
{
	return buf_writer_error(&cmd->w) != 0 ? TCS_ERROR(TSS_E_BAD_PARAMETER) : TSS_SUCCESS;
}

/* Every byte left in the response: a structure the TCS passes on whole. */
static void rsp_get_rest(struct tcsd_tpm_rsp *rsp, const uint8_t **p, uint32_t *n)
{
	*n = (uint32_t)buf_remaining(&rsp->params);
	buf_get_ptr(&rsp->params, p, *n);
}

/* ---- Migration (Part 3 §11.1-§11.3) ---- */

/*
 * AuthorizeMigrationKey carries the TSS_MS_* value on the TCSD wire
 * (TrouSerS' libtspi sends what the application passed); the TCS turns it
 * into the TPM_MS_* the TPM knows and lets the TPM refuse anything else.
 */
static const struct {
	UINT16 tss;
	UINT16 tpm;
} scheme_map[] = {
	{ TSS_MS_MIGRATE, TPM_MS_MIGRATE },
	{ TSS_MS_REWRAP, TPM_MS_REWRAP },
	{ TSS_MS_MAINT, TPM_MS_MAINT },
	{ TSS_MS_RESTRICT_MIGRATE, TPM_MS_RESTRICT_MIGRATE },
	{ TSS_MS_RESTRICT_APPROVE_DOUBLE, TPM_MS_RESTRICT_APPROVE_DOUBLE },
};

static UINT16 scheme_to_tpm(UINT16 scheme)
{
	size_t i;

	for (i = 0; i < sizeof(scheme_map) / sizeof(scheme_map[0]); i++)
		if (scheme_map[i].tss == scheme)
			return scheme_map[i].tpm;
	return scheme;
}

/*
 * AuthorizeMigrationKey: ctx, UINT16 TSS_MS_* scheme, UINT32+PBYTE TPM_PUBKEY,
 * AUTH owner -> AUTH, UINT32+PBYTE TPM_MIGRATIONKEYAUTH.
 */
static TSS_RESULT tcs_authorize_migration_key(struct tcsd_client *cl,
					      struct tcsd_packet_reader *in,
					      struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_AUTH auth;
	UINT16 scheme = 0;
	const uint8_t *key = NULL, *ticket = NULL;
	uint32_t key_len = 0, ticket_len = 0, idx = 2;
	TSS_RESULT rc;

	tcsd_get_u16(in, 1, &scheme);
	tcsd_get_sized_ptr(in, &idx, &key, &key_len, TCS_DATA_MAX);
	tcsd_get_auth_in(in, idx, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_AuthorizeMigrationKey);
	buf_put_u16(&cmd.w, scheme_to_tpm(scheme));
	buf_put_bytes(&cmd.w, key, key_len);
	if ((rc = cmd_ok(&cmd)) != TSS_SUCCESS ||
	    (rc = tcsd_tpm_exec(cl, &cmd, &auth, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	rsp_get_rest(&rsp, &ticket, &ticket_len);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	idx = 1;
	tcsd_writer_init_reply(out, 3);
	tcsd_put_auth_out(out, 0, &auth);
	tcsd_put_sized(out, &idx, ticket, ticket_len);
	return TSS_SUCCESS;
}

/*
 * CreateMigrationBlob: ctx, UINT32 parent, UINT16 scheme, UINT32+PBYTE
 * TPM_MIGRATIONKEYAUTH, UINT32+PBYTE encData, AUTH, AUTH? -> [AUTH parent],
 * AUTH entity, UINT32+PBYTE random, UINT32+PBYTE outData. With one AUTH it
 * is the entity's (migration) auth and the parent needs none (TrouSerS).
 */
static TSS_RESULT tcs_create_migration_blob(struct tcsd_client *cl,
					    struct tcsd_packet_reader *in,
					    struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_CreateMigrationBlob };
	struct tcsd_tpm_rsp rsp;
	struct tcs_key_params p;
	TPM_AUTH a1, a2;
	bool two = false;
	UINT16 scheme = 0;
	const uint8_t *ticket = NULL, *enc = NULL, *rnd = NULL, *blob = NULL;
	uint32_t ticket_len = 0, enc_len = 0, rnd_len = 0, blob_len = 0, idx = 3;
	TSS_RESULT rc;

	memset(&a2, 0, sizeof(a2));
	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_u16(in, 2, &scheme);
	tcsd_get_sized_ptr(in, &idx, &ticket, &ticket_len, TCS_DATA_MAX);
	tcsd_get_sized_ptr(in, &idx, &enc, &enc_len, TCS_DATA_MAX);
	tcsd_get_auth_in(in, idx, &a1);
	if (tcsd_param_present(in, idx + 1)) {
		tcsd_get_auth_in(in, idx + 1, &a2);
		two = true;
	}
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	kc.auth1 = &a1;
	kc.auth2 = two ? &a2 : NULL;
	tcs_key_params_init(&p);
	buf_put_u16(&p.w, scheme);
	buf_put_bytes(&p.w, ticket, ticket_len);
	buf_put_sized(&p.w, enc, enc_len);
	if ((rc = tcs_key_exec_params(cl, &kc, &p, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_ptr(&rsp.params, &rnd, &rnd_len, TCS_DATA_MAX);
	buf_get_sized_ptr(&rsp.params, &blob, &blob_len, TCS_DATA_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	idx = 0;
	tcsd_writer_init_reply(out, 6);
	tcsd_put_auth_out(out, idx++, &a1);
	if (two)
		tcsd_put_auth_out(out, idx++, &a2);
	/* TrouSerS leaves the random's PBYTE out when it is empty (rewrap). */
	tcsd_put_sized_opt(out, &idx, rnd, rnd_len);
	tcsd_put_sized(out, &idx, blob, blob_len);
	return TSS_SUCCESS;
}

/*
 * ConvertMigrationBlob: ctx, UINT32 parent, UINT32+PBYTE inData,
 * UINT32+PBYTE random, AUTH? -> [AUTH], UINT32+PBYTE outData.
 */
static TSS_RESULT tcs_convert_migration_blob(struct tcsd_client *cl,
					     struct tcsd_packet_reader *in,
					     struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_ConvertMigrationBlob };
	struct tcs_key_params p;
	TPM_AUTH auth;
	const uint8_t *data = NULL, *rnd = NULL;
	uint32_t data_len = 0, rnd_len = 0, idx = 2;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_sized_ptr(in, &idx, &data, &data_len, TCS_DATA_MAX);
	tcsd_get_sized_ptr(in, &idx, &rnd, &rnd_len, TCS_DATA_MAX);
	tcsd_get_optional_auth(in, idx, &auth, &kc.auth1);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcs_key_params_init(&p);
	buf_put_sized(&p.w, data, data_len);
	buf_put_sized(&p.w, rnd, rnd_len);
	return tcs_key_exec_sized_reply(cl, &kc, &p, out);
}

/* ---- Certified migratable keys (Part 3 §11.4-§11.9) ---- */

/* CMK_SetRestrictions: ctx, UINT32 restriction, AUTH owner -> AUTH. */
static TSS_RESULT tcs_cmk_set_restrictions(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					   struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	TPM_AUTH auth;
	UINT32 restriction = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &restriction);
	tcsd_get_auth_in(in, 2, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_CMK_SetRestrictions);
	buf_put_u32(&cmd.w, restriction);
	return tcsd_tpm_exec_reply_auth(cl, &cmd, &auth, out);
}

/* CMK_ApproveMA: ctx, DIGEST msaDigest, AUTH owner -> AUTH, DIGEST approval HMAC. */
static TSS_RESULT tcs_cmk_approve_ma(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				     struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_AUTH auth;
	TPM_DIGEST digest, hmac;
	TSS_RESULT rc;

	tcsd_get_digest(in, 1, &digest);
	tcsd_get_auth_in(in, 2, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_CMK_ApproveMA);
	buf_put_bytes(&cmd.w, digest.digest, sizeof(digest.digest));
	if ((rc = tcsd_tpm_exec(cl, &cmd, &auth, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_bytes(&rsp.params, hmac.digest, sizeof(hmac.digest));
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 2);
	tcsd_put_auth_out(out, 0, &auth);
	tcsd_put_digest(out, 1, &hmac);
	return TSS_SUCCESS;
}

/*
 * CMK_CreateKey: ctx, UINT32 parent, ENCAUTH usageAuth, DIGEST approval,
 * DIGEST msaDigest, UINT32+PBYTE keyInfo, AUTH (zeros: none)
 *   -> UINT32+PBYTE wrappedKey, [AUTH].
 */
static TSS_RESULT tcs_cmk_create_key(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				     struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_CMK_CreateKey };
	struct tcsd_tpm_rsp rsp;
	struct tcs_key_params p;
	TPM_ENCAUTH usage;
	TPM_DIGEST approval, msa;
	TPM_AUTH auth;
	const uint8_t *info = NULL, *key = NULL;
	uint32_t info_len = 0, key_len = 0, idx = 5;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_encauth(in, 2, &usage);
	tcsd_get_digest(in, 3, &approval);
	tcsd_get_digest(in, 4, &msa);
	tcsd_get_sized_ptr(in, &idx, &info, &info_len, TCS_DATA_MAX);
	tcsd_get_auth_in(in, idx, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (!tcsd_auth_is_null(&auth))
		kc.auth1 = &auth;
	tcs_key_params_init(&p);
	buf_put_bytes(&p.w, usage.authdata, sizeof(usage.authdata));
	buf_put_bytes(&p.w, info, info_len);
	buf_put_bytes(&p.w, approval.digest, sizeof(approval.digest));
	buf_put_bytes(&p.w, msa.digest, sizeof(msa.digest));
	if ((rc = tcs_key_exec_params(cl, &kc, &p, &rsp)) != TSS_SUCCESS)
		return rc;
	rsp_get_rest(&rsp, &key, &key_len);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	idx = 0;
	tcsd_writer_init_reply(out, 3);
	tcsd_put_sized(out, &idx, key, key_len);
	if (kc.auth1 != NULL)
		tcsd_put_auth_out(out, idx, kc.auth1);
	return TSS_SUCCESS;
}

/*
 * CMK_CreateTicket: ctx, UINT32+PBYTE TPM_PUBKEY verificationKey, DIGEST
 * signedData, UINT32+PBYTE signature, AUTH owner -> AUTH, DIGEST sigTicket.
 */
static TSS_RESULT tcs_cmk_create_ticket(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_AUTH auth;
	TPM_DIGEST signed_data, ticket;
	const uint8_t *key = NULL, *sig = NULL;
	uint32_t key_len = 0, sig_len = 0, idx = 1;
	TSS_RESULT rc;

	tcsd_get_sized_ptr(in, &idx, &key, &key_len, TCS_DATA_MAX);
	tcsd_get_digest(in, idx++, &signed_data);
	tcsd_get_sized_ptr(in, &idx, &sig, &sig_len, TCS_DATA_MAX);
	tcsd_get_auth_in(in, idx, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_CMK_CreateTicket);
	buf_put_bytes(&cmd.w, key, key_len);
	buf_put_bytes(&cmd.w, signed_data.digest, sizeof(signed_data.digest));
	buf_put_sized(&cmd.w, sig, sig_len);
	if ((rc = cmd_ok(&cmd)) != TSS_SUCCESS ||
	    (rc = tcsd_tpm_exec(cl, &cmd, &auth, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_bytes(&rsp.params, ticket.digest, sizeof(ticket.digest));
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 2);
	tcsd_put_auth_out(out, 0, &auth);
	tcsd_put_digest(out, 1, &ticket);
	return TSS_SUCCESS;
}

/*
 * CMK_CreateBlob: ctx, UINT32 parent, UINT16 scheme, UINT32+PBYTE
 * TPM_MIGRATIONKEYAUTH, DIGEST pubSourceKeyDigest, UINT32+PBYTE msaList,
 * UINT32+PBYTE restrictTicket, UINT32+PBYTE sigTicket, UINT32+PBYTE
 * encData, AUTH (zeros: none) -> [AUTH], UINT32+PBYTE random,
 * UINT32+PBYTE outData.
 */
static TSS_RESULT tcs_cmk_create_blob(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				      struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_CMK_CreateBlob };
	struct tcsd_tpm_rsp rsp;
	struct tcs_key_params p;
	TPM_AUTH auth;
	TPM_DIGEST src;
	UINT16 scheme = 0;
	const uint8_t *ticket = NULL, *msa = NULL, *restrict_ticket = NULL, *sig_ticket = NULL;
	const uint8_t *enc = NULL, *rnd = NULL, *blob = NULL;
	uint32_t ticket_len = 0, msa_len = 0, rt_len = 0, st_len = 0, enc_len = 0;
	uint32_t rnd_len = 0, blob_len = 0, idx = 3;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_u16(in, 2, &scheme);
	tcsd_get_sized_ptr(in, &idx, &ticket, &ticket_len, TCS_DATA_MAX);
	tcsd_get_digest(in, idx++, &src);
	tcsd_get_sized_ptr(in, &idx, &msa, &msa_len, TCS_DATA_MAX);
	tcsd_get_sized_ptr(in, &idx, &restrict_ticket, &rt_len, TCS_DATA_MAX);
	tcsd_get_sized_ptr(in, &idx, &sig_ticket, &st_len, TCS_DATA_MAX);
	tcsd_get_sized_ptr(in, &idx, &enc, &enc_len, TCS_DATA_MAX);
	tcsd_get_auth_in(in, idx, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (!tcsd_auth_is_null(&auth))
		kc.auth1 = &auth;
	tcs_key_params_init(&p);
	buf_put_u16(&p.w, scheme);
	buf_put_bytes(&p.w, ticket, ticket_len);
	buf_put_bytes(&p.w, src.digest, sizeof(src.digest));
	buf_put_sized(&p.w, msa, msa_len);
	buf_put_sized(&p.w, restrict_ticket, rt_len);
	buf_put_sized(&p.w, sig_ticket, st_len);
	buf_put_sized(&p.w, enc, enc_len);
	if ((rc = tcs_key_exec_params(cl, &kc, &p, &rsp)) != TSS_SUCCESS)
		return rc;
	buf_get_sized_ptr(&rsp.params, &rnd, &rnd_len, TCS_DATA_MAX);
	buf_get_sized_ptr(&rsp.params, &blob, &blob_len, TCS_DATA_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	idx = 0;
	tcsd_writer_init_reply(out, 5);
	if (kc.auth1 != NULL)
		tcsd_put_auth_out(out, idx++, kc.auth1);
	tcsd_put_sized(out, &idx, rnd, rnd_len);
	tcsd_put_sized(out, &idx, blob, blob_len);
	return TSS_SUCCESS;
}

/*
 * CMK_ConvertMigration: ctx, UINT32 parent, PBYTE[60] TPM_CMK_AUTH
 * restrictTicket, DIGEST sigTicket, UINT32+PBYTE TPM_KEY12 migratedKey,
 * UINT32+PBYTE msaList, UINT32+PBYTE random, AUTH (zeros: none)
 *   -> [AUTH], UINT32+PBYTE outData.
 */
static TSS_RESULT tcs_cmk_convert_migration(struct tcsd_client *cl,
					    struct tcsd_packet_reader *in,
					    struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_CMK_ConvertMigration };
	struct tcs_key_params p;
	TPM_AUTH auth;
	TPM_DIGEST sig_ticket;
	BYTE restrict_ticket[CMK_AUTH_LEN];
	const uint8_t *key = NULL, *msa = NULL, *rnd = NULL;
	uint32_t key_len = 0, msa_len = 0, rnd_len = 0, idx = 4;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_bytes_copy(in, 2, restrict_ticket, CMK_AUTH_LEN, CMK_AUTH_LEN);
	tcsd_get_digest(in, 3, &sig_ticket);
	tcsd_get_sized_ptr(in, &idx, &key, &key_len, TCS_DATA_MAX);
	tcsd_get_sized_ptr(in, &idx, &msa, &msa_len, TCS_DATA_MAX);
	tcsd_get_sized_ptr(in, &idx, &rnd, &rnd_len, TCS_DATA_MAX);
	tcsd_get_auth_in(in, idx, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (!tcsd_auth_is_null(&auth))
		kc.auth1 = &auth;
	tcs_key_params_init(&p);
	buf_put_bytes(&p.w, restrict_ticket, sizeof(restrict_ticket));
	buf_put_bytes(&p.w, sig_ticket.digest, sizeof(sig_ticket.digest));
	buf_put_bytes(&p.w, key, key_len);
	buf_put_sized(&p.w, msa, msa_len);
	buf_put_sized(&p.w, rnd, rnd_len);
	return tcs_key_exec_sized_reply(cl, &kc, &p, out);
}

/* ---- KeyControlOwner (Part 3 §10.9) ---- */

/*
 * KeyControlOwner: ctx, UINT32 key, UINT32+PBYTE TPM_PUBKEY, UINT32
 * bitName, BOOL bitValue, AUTH owner -> AUTH, UUID. The UUID is the key's
 * owner-evict name in the key cache (keycache_set_owner_evict), the
 * TSS_UUID_OWNEREVICT(i) TrouSerS gives it too.
 */
static TSS_RESULT tcs_key_control_owner(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_KeyControlOwner };
	struct tcsd_tpm_rsp rsp;
	struct tcs_key_params p;
	TPM_AUTH auth;
	UINT32 bit = 0;
	TSS_BOOL value = FALSE;
	TSS_UUID uuid;
	const uint8_t *pub = NULL;
	uint32_t pub_len = 0, idx = 2;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_sized_ptr(in, &idx, &pub, &pub_len, TCS_DATA_MAX);
	tcsd_get_u32(in, idx, &bit);
	tcsd_get_bool(in, idx + 1, &value);
	tcsd_get_auth_in(in, idx + 2, &auth);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	kc.auth1 = &auth;
	tcs_key_params_init(&p);
	buf_put_bytes(&p.w, pub, pub_len);
	buf_put_u32(&p.w, bit);
	buf_put_u8(&p.w, value ? 1 : 0);
	if ((rc = tcs_key_exec_params(cl, &kc, &p, &rsp)) != TSS_SUCCESS)
		return rc;
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	/* Other bits (none defined yet) do not concern the cache. */
	if (bit == TPM_KEY_CONTROL_OWNER_EVICT &&
	    (rc = keycache_set_owner_evict(kc.key, value != FALSE, &uuid)) != TSS_SUCCESS)
		return rc;
	if (bit != TPM_KEY_CONTROL_OWNER_EVICT)
		memset(&uuid, 0, sizeof(uuid));
	tcsd_writer_init_reply(out, 2);
	tcsd_put_auth_out(out, 0, &auth);
	tcsd_put_uuid(out, 1, &uuid);
	return TSS_SUCCESS;
}

/* ---- Revocable EK (Part 3 §27.1.1, §27.1.2) ---- */

/*
 * CreateRevocableEndorsementKeyPair: ctx, NONCE antiReplay, UINT32+PBYTE
 * TPM_KEY_PARMS, BOOL generateReset, DIGEST inputEKreset
 *   -> DIGEST outputEKreset, UINT32+PBYTE TPM_PUBKEY, DIGEST checksum.
 * The TPM answers pubEndorsementKey, checksum, outputEKreset.
 */
static TSS_RESULT tcs_create_revocable_ek(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					  struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_NONCE nonce;
	TPM_DIGEST reset_in, reset_out, checksum;
	TSS_BOOL gen = FALSE;
	const uint8_t *parms = NULL, *pub = NULL;
	uint32_t parms_len = 0, pub_len, idx = 2;
	size_t start;
	struct tpm_pubkey pk;
	int err;
	TSS_RESULT rc;

	tcsd_get_nonce(in, 1, &nonce);
	tcsd_get_sized_ptr(in, &idx, &parms, &parms_len, TCS_DATA_MAX);
	tcsd_get_bool(in, idx, &gen);
	tcsd_get_digest(in, idx + 1, &reset_in);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_CreateRevocableEK);
	buf_put_bytes(&cmd.w, nonce.nonce, sizeof(nonce.nonce));
	buf_put_bytes(&cmd.w, parms, parms_len);
	buf_put_u8(&cmd.w, gen ? 1 : 0);
	buf_put_bytes(&cmd.w, reset_in.digest, sizeof(reset_in.digest));
	if ((rc = cmd_ok(&cmd)) != TSS_SUCCESS ||
	    (rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	/* The public key's length is known only by parsing it. */
	start = rsp.params.off;
	err = tpm_pubkey_get(&rsp.params, &pk);
	tpm_pubkey_free(&pk);
	if (err != 0) {
		log_error("TPM_CreateRevocableEK answer does not parse");
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	pub = rsp.params.data + start;
	pub_len = (uint32_t)(rsp.params.off - start);
	buf_get_bytes(&rsp.params, checksum.digest, sizeof(checksum.digest));
	buf_get_bytes(&rsp.params, reset_out.digest, sizeof(reset_out.digest));
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 4);
	tcsd_put_digest(out, 0, &reset_out);
	tcsd_put_u32(out, 1, pub_len);
	tcsd_put_bytes(out, 2, pub, pub_len);
	tcsd_put_digest(out, 3, &checksum);
	return TSS_SUCCESS;
}

/* RevokeEndorsementKeyPair: ctx, DIGEST EKReset -> nothing (TPM_RevokeTrust). */
static TSS_RESULT tcs_revoke_ek(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				struct tcsd_packet_writer *out)
{
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	TPM_DIGEST reset;
	TSS_RESULT rc;

	tcsd_get_digest(in, 1, &reset);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_RevokeTrust);
	buf_put_bytes(&cmd.w, reset.digest, sizeof(reset.digest));
	if ((rc = tcsd_tpm_exec(cl, &cmd, NULL, NULL, &rsp)) != TSS_SUCCESS)
		return rc;
	return tcsd_tpm_rsp_done(&rsp);
}

const struct tcsd_handler tcs_migrate_handlers[] = {
	{ TCSD_ORD_AUTHORIZEMIGRATIONKEY, tcs_authorize_migration_key },
	{ TCSD_ORD_CREATEMIGRATIONBLOB, tcs_create_migration_blob },
	{ TCSD_ORD_CONVERTMIGRATIONBLOB, tcs_convert_migration_blob },
	{ TCSD_ORD_CMK_SETRESTRICTIONS, tcs_cmk_set_restrictions },
	{ TCSD_ORD_CMK_APPROVEMA, tcs_cmk_approve_ma },
	{ TCSD_ORD_CMK_CREATEKEY, tcs_cmk_create_key },
	{ TCSD_ORD_CMK_CREATETICKET, tcs_cmk_create_ticket },
	{ TCSD_ORD_CMK_CREATEBLOB, tcs_cmk_create_blob },
	{ TCSD_ORD_CMK_CONVERTMIGRATION, tcs_cmk_convert_migration },
	{ TCSD_ORD_KEYCONTROLOWNER, tcs_key_control_owner },
	{ TCSD_ORD_CREATEREVOCABLEENDORSEMENTKEYPAIR, tcs_create_revocable_ek },
	{ TCSD_ORD_REVOKEENDORSEMENTKEYPAIR, tcs_revoke_ek },
	{ 0, NULL },
};
