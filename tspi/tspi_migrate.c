/*
 * libtspi: the migration-data object, key migration (TPM 1.2 Part 3
 * §11.1-§11.3), certified migratable keys (§11.4-§11.9), the owner's
 * read of the SRK's public key (§27.5) and key control (§10.9),
 * and the revocable endorsement key (§27.1.1, §27.1.2).
 *
 * TCS calls and authorisation digests follow TrouSerS 0.3.15's libtspi
 * (src/tspi/tspi_migration.c, tspi_cmk.c, tspi_key.c, tspi_ek.c), so
 * either side can be TrouSerS'. Key creation as a CMK is in tspi_key.c
 * (Tspi_Key_CreateKey with TSS_KEY_CERTIFIED_MIGRATABLE and
 * TSS_TSPATTRIB_KEY_CMKINFO), as is Tspi_Key_WrapKey.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <tss/tpm_ordinal.h>

#include "auth.h"
#include "buf.h"
#include "crypto.h"
#include "keys.h"
#include "log.h"
#include "obj.h"
#include "rpc.h"
#include "secret.h"
#include "session.h"

/* Caps on what the TCS may send back and what the application may set. */
#define MIG_BLOB_MAX 4096u	/* a TPM_KEY12 or a migration blob */
#define MIG_TICKET_MAX 2048u	/* TPM_MIGRATIONKEYAUTH: a TPM_PUBKEY and a digest */
#define MIG_RANDOM_MAX 1024u
#define MIG_SIG_MAX 512u	/* an RSA signature, 4096 bits */
#define MSA_LIST_MAX 64u	/* migration authorities in one TPM_MSA_COMPOSITE */
#define DIGEST_LEN 20u

/* ------------------------------------------------------------------ */
/* The migration-data object (TSS 1.2 §4.3.4.26, TrouSerS obj_migdata) */
/* ------------------------------------------------------------------ */

struct migdata {
	BYTE *ticket;			/* TSS_MIGATTRIB_MIGRATIONTICKET */
	UINT32 ticket_len;
	BYTE msa_list[MSA_LIST_MAX][DIGEST_LEN];	/* TPM_MSA_COMPOSITE */
	UINT32 msa_count;
	BYTE msa_digest[DIGEST_LEN];	/* SHA-1 of the composite */
	BYTE msa_hmac[DIGEST_LEN];	/* CMK_ApproveMA's approval */
	/* TPM_CMK_AUTH (Part 2 §5.16), the restrict ticket. */
	BYTE ma_digest[DIGEST_LEN];
	BYTE dest_digest[DIGEST_LEN];
	BYTE src_digest[DIGEST_LEN];
	BYTE sig_data[DIGEST_LEN];	/* SHA-1 of the TPM_CMK_AUTH, what the MA signs */
	BYTE *sig_value;		/* the MA's signature */
	UINT32 sig_value_len;
	BYTE sig_ticket[DIGEST_LEN];	/* CMK_CreateTicket's answer */
	BYTE *blob;			/* the migrated key (TPM_KEY12) */
	UINT32 blob_len;
};

static void bytes_free(BYTE **p, UINT32 *len)
{
	if (*p != NULL)
		OPENSSL_cleanse(*p, *len);
	free(*p);
	*p = NULL;
	*len = 0;
}

static TSS_RESULT bytes_set(BYTE **p, UINT32 *len, const BYTE *data, UINT32 n, UINT32 max)
{
	BYTE *copy;

	if (n > max || (n > 0 && data == NULL))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	copy = malloc(n ? n : 1);
	if (copy == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	if (n > 0)
		memcpy(copy, data, n);
	bytes_free(p, len);
	*p = copy;
	*len = n;
	return TSS_SUCCESS;
}

static TSS_RESULT migdata_create(struct obj *o, TSS_FLAG init_flags)
{
	struct migdata *md;

	if (init_flags != 0)
		return TSP_ERROR(TSS_E_INVALID_OBJECT_INITFLAG);
	md = calloc(1, sizeof(*md));
	if (md == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	o->data = md;
	return TSS_SUCCESS;
}

static void migdata_destroy(struct obj *o)
{
	struct migdata *md = o->data;

	if (md == NULL)
		return;
	bytes_free(&md->ticket, &md->ticket_len);
	bytes_free(&md->sig_value, &md->sig_value_len);
	bytes_free(&md->blob, &md->blob_len);
	OPENSSL_cleanse(md, sizeof(*md));
	free(md);
	o->data = NULL;
}

/* msaDigest = SHA-1(TPM_MSA_COMPOSITE) = SHA-1(UINT32 count || digests) (Part 2 §5.15). */
static TSS_RESULT migdata_update_msa_digest(struct migdata *md)
{
	BYTE count_be[4] = { (BYTE)(md->msa_count >> 24), (BYTE)(md->msa_count >> 16),
			     (BYTE)(md->msa_count >> 8), (BYTE)md->msa_count };

	if (crypto_sha1_iov((struct crypto_iov[]){ { count_be, 4 },
						   { md->msa_list, md->msa_count * DIGEST_LEN } },
			    2, md->msa_digest) != 0)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	return TSS_SUCCESS;
}

/* sigData = SHA-1(TPM_CMK_AUTH) = SHA-1(ma || dest || src) (Part 3 §11.8). */
static TSS_RESULT migdata_update_sig_data(struct migdata *md)
{
	if (crypto_sha1_iov((struct crypto_iov[]){ { md->ma_digest, DIGEST_LEN },
						   { md->dest_digest, DIGEST_LEN },
						   { md->src_digest, DIGEST_LEN } },
			    3, md->sig_data) != 0)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	return TSS_SUCCESS;
}

/* The encoded TPM_MSA_COMPOSITE, malloc'd. */
static TSS_RESULT migdata_msa_blob(const struct migdata *md, uint8_t **out, size_t *len)
{
	struct buf_writer w;

	*out = NULL;
	*len = 0;
	buf_writer_init_dynamic(&w, 4 + MSA_LIST_MAX * DIGEST_LEN);
	buf_put_u32(&w, md->msa_count);
	buf_put_bytes(&w, md->msa_list, md->msa_count * DIGEST_LEN);
	if (buf_writer_error(&w) != 0) {
		buf_writer_free(&w);
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	}
	*len = buf_writer_len(&w);
	*out = malloc(*len);
	if (*out == NULL) {
		buf_writer_free(&w);
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	}
	memcpy(*out, w.data, *len);
	buf_writer_free(&w);
	return TSS_SUCCESS;
}

static TSS_RESULT digest_set(BYTE dst[DIGEST_LEN], const BYTE *data, UINT32 len)
{
	if (len != DIGEST_LEN || data == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	memcpy(dst, data, DIGEST_LEN);
	return TSS_SUCCESS;
}

/* The digest of a public key blob, as the MSA list and the CMK_AUTH hold them. */
static TSS_RESULT pubkey_digest(const BYTE *blob, UINT32 len, BYTE out[DIGEST_LEN])
{
	struct tpm_pubkey pk;

	/* Only a real TPM_PUBKEY: its digest is what the TPM compares. */
	if (blob == NULL || tpm_pubkey_decode(blob, len, &pk) != 0)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	tpm_pubkey_free(&pk);
	return crypto_sha1(blob, len, out) == 0 ? TSS_SUCCESS : TSP_ERROR(TSS_E_INTERNAL_ERROR);
}

static TSS_RESULT migdata_set_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 len,
				   const BYTE *data)
{
	struct migdata *md = o->data;
	TSS_RESULT rc;
	UINT32 i, n;

	switch (flag) {
	case TSS_MIGATTRIB_MIGRATIONBLOB:
		switch (sub) {
		case TSS_MIGATTRIB_MIG_MSALIST_PUBKEY_BLOB:
			if (md->msa_count >= MSA_LIST_MAX)
				return TSP_ERROR(TSS_E_BAD_PARAMETER);
			if ((rc = pubkey_digest(data, len, md->msa_list[md->msa_count])) != TSS_SUCCESS)
				return rc;
			md->msa_count++;
			return migdata_update_msa_digest(md);
		case TSS_MIGATTRIB_MIG_AUTHORITY_PUBKEY_BLOB:
			if ((rc = pubkey_digest(data, len, md->ma_digest)) != TSS_SUCCESS)
				return rc;
			return migdata_update_sig_data(md);
		case TSS_MIGATTRIB_MIG_DESTINATION_PUBKEY_BLOB:
			if ((rc = pubkey_digest(data, len, md->dest_digest)) != TSS_SUCCESS)
				return rc;
			return migdata_update_sig_data(md);
		case TSS_MIGATTRIB_MIG_SOURCE_PUBKEY_BLOB:
			if ((rc = pubkey_digest(data, len, md->src_digest)) != TSS_SUCCESS)
				return rc;
			return migdata_update_sig_data(md);
		case TSS_MIGATTRIB_MIG_XOR_BLOB:
			/*
			 * Not settable in TrouSerS; here it is, so that a blob
			 * made by CMKCreateBlob in another process (or another
			 * TSS) can be converted.
			 */
			return bytes_set(&md->blob, &md->blob_len, data, len, MIG_BLOB_MAX);
		default:
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		}
	case TSS_MIGATTRIB_MIGRATIONTICKET:
		if (sub != 0)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		return bytes_set(&md->ticket, &md->ticket_len, data, len, MIG_TICKET_MAX);
	case TSS_MIGATTRIB_AUTHORITY_DATA:
		switch (sub) {
		case TSS_MIGATTRIB_AUTHORITY_DIGEST:
			return digest_set(md->msa_digest, data, len);
		case TSS_MIGATTRIB_AUTHORITY_APPROVAL_HMAC:
			return digest_set(md->msa_hmac, data, len);
		case TSS_MIGATTRIB_AUTHORITY_MSALIST:
			/* Whole digests only: the count is the length over 20. */
			n = len / DIGEST_LEN;
			if (len % DIGEST_LEN != 0 || n > MSA_LIST_MAX || (n > 0 && data == NULL))
				return TSP_ERROR(TSS_E_BAD_PARAMETER);
			for (i = 0; i < n; i++)
				memcpy(md->msa_list[i], data + i * DIGEST_LEN, DIGEST_LEN);
			md->msa_count = n;
			return migdata_update_msa_digest(md);
		default:
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		}
	case TSS_MIGATTRIB_MIG_AUTH_DATA:
		switch (sub) {
		case TSS_MIGATTRIB_MIG_AUTH_AUTHORITY_DIGEST:
			rc = digest_set(md->ma_digest, data, len);
			break;
		case TSS_MIGATTRIB_MIG_AUTH_DESTINATION_DIGEST:
			rc = digest_set(md->dest_digest, data, len);
			break;
		case TSS_MIGATTRIB_MIG_AUTH_SOURCE_DIGEST:
			rc = digest_set(md->src_digest, data, len);
			break;
		default:
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		}
		return rc != TSS_SUCCESS ? rc : migdata_update_sig_data(md);
	case TSS_MIGATTRIB_TICKET_DATA:
		switch (sub) {
		case TSS_MIGATTRIB_TICKET_SIG_DIGEST:
			return digest_set(md->sig_data, data, len);
		case TSS_MIGATTRIB_TICKET_SIG_VALUE:
			return bytes_set(&md->sig_value, &md->sig_value_len, data, len, MIG_SIG_MAX);
		case TSS_MIGATTRIB_TICKET_SIG_TICKET:
			return digest_set(md->sig_ticket, data, len);
		case TSS_MIGATTRIB_TICKET_RESTRICT_TICKET:
			/* A TPM_CMK_AUTH: the three digests in order. */
			if (len != 3 * DIGEST_LEN || data == NULL)
				return TSP_ERROR(TSS_E_BAD_PARAMETER);
			memcpy(md->ma_digest, data, DIGEST_LEN);
			memcpy(md->dest_digest, data + DIGEST_LEN, DIGEST_LEN);
			memcpy(md->src_digest, data + 2 * DIGEST_LEN, DIGEST_LEN);
			return migdata_update_sig_data(md);
		default:
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		}
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	}
}

static TSS_RESULT migdata_get_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *len,
				   BYTE **data)
{
	struct migdata *md = o->data;
	BYTE cmk_auth[3 * DIGEST_LEN];

	*len = 0;
	*data = NULL;
	switch (flag) {
	case TSS_MIGATTRIB_MIGRATIONBLOB:
		if (sub != TSS_MIGATTRIB_MIG_XOR_BLOB)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		return keys_out_bytes(o->ctx, md->blob, md->blob_len, len, data);
	case TSS_MIGATTRIB_MIGRATIONTICKET:
		if (sub != 0)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		return keys_out_bytes(o->ctx, md->ticket, md->ticket_len, len, data);
	case TSS_MIGATTRIB_AUTHORITY_DATA:
		switch (sub) {
		case TSS_MIGATTRIB_AUTHORITY_DIGEST:
			return keys_out_bytes(o->ctx, md->msa_digest, DIGEST_LEN, len, data);
		case TSS_MIGATTRIB_AUTHORITY_APPROVAL_HMAC:
			return keys_out_bytes(o->ctx, md->msa_hmac, DIGEST_LEN, len, data);
		case TSS_MIGATTRIB_AUTHORITY_MSALIST:
			return keys_out_bytes(o->ctx, md->msa_list, md->msa_count * DIGEST_LEN, len,
					      data);
		default:
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		}
	case TSS_MIGATTRIB_MIG_AUTH_DATA:
		switch (sub) {
		case TSS_MIGATTRIB_MIG_AUTH_AUTHORITY_DIGEST:
			return keys_out_bytes(o->ctx, md->ma_digest, DIGEST_LEN, len, data);
		case TSS_MIGATTRIB_MIG_AUTH_DESTINATION_DIGEST:
			return keys_out_bytes(o->ctx, md->dest_digest, DIGEST_LEN, len, data);
		case TSS_MIGATTRIB_MIG_AUTH_SOURCE_DIGEST:
			return keys_out_bytes(o->ctx, md->src_digest, DIGEST_LEN, len, data);
		default:
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		}
	case TSS_MIGATTRIB_TICKET_DATA:
		switch (sub) {
		case TSS_MIGATTRIB_TICKET_SIG_DIGEST:
			return keys_out_bytes(o->ctx, md->sig_data, DIGEST_LEN, len, data);
		case TSS_MIGATTRIB_TICKET_SIG_VALUE:
			return keys_out_bytes(o->ctx, md->sig_value, md->sig_value_len, len, data);
		case TSS_MIGATTRIB_TICKET_SIG_TICKET:
			return keys_out_bytes(o->ctx, md->sig_ticket, DIGEST_LEN, len, data);
		case TSS_MIGATTRIB_TICKET_RESTRICT_TICKET:
			memcpy(cmk_auth, md->ma_digest, DIGEST_LEN);
			memcpy(cmk_auth + DIGEST_LEN, md->dest_digest, DIGEST_LEN);
			memcpy(cmk_auth + 2 * DIGEST_LEN, md->src_digest, DIGEST_LEN);
			return keys_out_bytes(o->ctx, cmk_auth, sizeof(cmk_auth), len, data);
		default:
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		}
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	}
}

const struct obj_class obj_class_migdata = {
	.type = OBJ_MIGDATA,
	.name = "migdata",
	.create = migdata_create,
	.destroy = migdata_destroy,
	.get_data = migdata_get_data,
	.set_data = migdata_set_data,
};

/* Takes ownership of a malloc'd buffer: hands a copy to the application, frees it. */
static TSS_RESULT out_take(struct tspi_ctx *ctx, BYTE *p, UINT32 n, UINT32 *len, BYTE **out)
{
	TSS_RESULT rc = keys_out_bytes(ctx, p, n, len, out);

	if (p != NULL)
		OPENSSL_cleanse(p, n);
	free(p);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Key migration (Part 3 §11.1, §11.2, §11.4)                          */
/* ------------------------------------------------------------------ */

static const struct {
	TSS_MIGRATE_SCHEME tss;
	UINT16 tpm;
} mig_schemes[] = {
	{ TSS_MS_MIGRATE, TPM_MS_MIGRATE },
	{ TSS_MS_REWRAP, TPM_MS_REWRAP },
	{ TSS_MS_MAINT, TPM_MS_MAINT },
	{ TSS_MS_RESTRICT_MIGRATE, TPM_MS_RESTRICT_MIGRATE },
	{ TSS_MS_RESTRICT_APPROVE_DOUBLE, TPM_MS_RESTRICT_APPROVE_DOUBLE },
};

/*
 * The owner approves a destination key for migration: the ticket is a
 * TPM_MIGRATIONKEYAUTH, HMAC'd with tpmProof by the TPM. The TSS scheme
 * goes to the TCS as it is (TrouSerS' TCS maps it); the digest names the
 * TPM's.
 */
TSS_RESULT Tspi_TPM_AuthorizeMigrationTicket(TSS_HTPM hTPM, TSS_HKEY hMigrationKey,
					     TSS_MIGRATE_SCHEME migrationScheme,
					     UINT32 *pulMigTicketLength, BYTE **prgbMigTicket)
{
	struct obj *tpm, *mkey;
	struct session s;
	bool have_session = false;
	TPM_AUTH auth;
	uint8_t *pub = NULL;
	size_t pub_len = 0;
	BYTE scheme_be[2], *ticket = NULL;
	UINT32 ticket_len = 0;
	struct rpc_msg *m = NULL;
	size_t i;
	TSS_RESULT rc;

	if (pulMigTicketLength == NULL || prgbMigTicket == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulMigTicketLength = 0;
	*prgbMigTicket = NULL;
	for (i = 0; i < sizeof(mig_schemes) / sizeof(mig_schemes[0]); i++)
		if (mig_schemes[i].tss == migrationScheme)
			break;
	if (i == sizeof(mig_schemes) / sizeof(mig_schemes[0]))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(tpm->ctx, hMigrationKey, OBJ_RSAKEY, &mkey)) != TSS_SUCCESS ||
	    (rc = rsakey_get_pubkey_blob(mkey, &pub, &pub_len)) != TSS_SUCCESS)
		goto out;
	buf_store_be16(scheme_be, mig_schemes[i].tpm);
	if ((rc = session_oiap_begin(tpm->ctx, tpm->usage_policy, tpm->handle,
				     TPM_ORD_AuthorizeMigrationKey,
				     (struct crypto_iov[]){ { scheme_be, 2 }, { pub, pub_len } }, 2,
				     &s, &auth)) != TSS_SUCCESS)
		goto out;
	have_session = true;
	if ((rc = rpc_begin(tpm->ctx, TCSD_ORD_AUTHORIZEMIGRATIONKEY, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u16(m, (uint16_t)migrationScheme);
	rpc_put_sized(m, pub, (uint32_t)pub_len);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_auth(m, &auth);
	rpc_get_sized(m, MIG_TICKET_MAX, &ticket_len, &ticket);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if ((rc = SESSION_VERIFY_PIECES(&s, &auth, { ticket, ticket_len })) != TSS_SUCCESS)
		goto out;
	rc = out_take(tpm->ctx, ticket, ticket_len, pulMigTicketLength, prgbMigTicket);
	ticket = NULL;
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	free(ticket);
	free(pub);
	obj_release(tpm);
	return rc;
}

/* The migration scheme (TPM_MS_*) a ticket names, checking it parses. */
static TSS_RESULT ticket_scheme(const BYTE *ticket, UINT32 len, UINT16 *scheme)
{
	struct tpm_migrationkeyauth mka;

	*scheme = 0;
	if (ticket == NULL || tpm_migrationkeyauth_decode(ticket, len, &mka) != 0) {
		log_error("tspi: the migration ticket is not a TPM_MIGRATIONKEYAUTH");
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
	*scheme = mka.migration_scheme;
	tpm_migrationkeyauth_free(&mka);
	return TSS_SUCCESS;
}

/* A copy of a parsed key with another encData, encoded (malloc'd). */
static TSS_RESULT key_with_enc_data(const struct tpm_key *k, const BYTE *enc, UINT32 enc_len,
				    uint8_t **out, size_t *out_len)
{
	struct tpm_key copy = *k;

	copy.enc_data = (uint8_t *)enc;
	copy.enc_data_len = enc_len;
	return keys_errno_result(tpm_key_encode(&copy, out, out_len));
}

/*
 * TPM_CreateMigrationBlob: the parent's usage auth (if it needs one) and
 * the key's migration auth, both OIAP over the same digest. The answer
 * is the key blob with its encData replaced by the TPM's outData (what
 * TrouSerS returns), and the random (empty for REWRAP).
 */
TSS_RESULT Tspi_Key_CreateMigrationBlob(TSS_HKEY hKeyToMigrate, TSS_HKEY hParentKey,
					UINT32 ulMigTicketLength, BYTE *rgbMigTicket,
					UINT32 *pulRandomLength, BYTE **prgbRandom,
					UINT32 *pulMigrationBlobLength, BYTE **prgbMigrationBlob)
{
	struct obj *key, *parent;
	struct rsakey *rk;
	struct session ps, es;
	bool have_ps = false, have_es = false;
	TPM_AUTH pauth, eauth;
	UINT16 scheme = 0;
	UINT32 parent_handle, rnd_len = 0, out_len = 0;
	BYTE scheme_be[2], enc_len_be[4], rnd_len_be[4], out_len_be[4];
	BYTE *rnd = NULL, *outd = NULL;
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	struct rpc_msg *m = NULL;
	struct crypto_iov in_iov[5];
	TSS_RESULT rc;

	if (pulRandomLength == NULL || prgbRandom == NULL || rgbMigTicket == NULL ||
	    pulMigrationBlobLength == NULL || prgbMigrationBlob == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulRandomLength = 0;
	*prgbRandom = NULL;
	*pulMigrationBlobLength = 0;
	*prgbMigrationBlob = NULL;
	if ((rc = obj_acquire(hKeyToMigrate, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		return rc;
	rk = rsakey_of(key);
	if ((rc = obj_lookup_in(key->ctx, hParentKey, OBJ_RSAKEY, &parent)) != TSS_SUCCESS ||
	    (rc = rsakey_tcs_handle(parent, &parent_handle)) != TSS_SUCCESS ||
	    (rc = ticket_scheme(rgbMigTicket, ulMigTicketLength, &scheme)) != TSS_SUCCESS)
		goto out;
	if (!rk->key_set || rk->key.enc_data_len == 0) {
		rc = TSP_ERROR(TSS_E_KEY_NOT_SET);
		goto out;
	}
	if (key->migration_policy == 0) {
		rc = TSP_ERROR(TSS_E_KEY_NO_MIGRATION_POLICY);
		goto out;
	}
	buf_store_be16(scheme_be, scheme);
	buf_store_be32(enc_len_be, rk->key.enc_data_len);
	in_iov[0] = (struct crypto_iov){ scheme_be, 2 };
	in_iov[1] = (struct crypto_iov){ rgbMigTicket, ulMigTicketLength };
	in_iov[2] = (struct crypto_iov){ enc_len_be, 4 };
	in_iov[3] = (struct crypto_iov){ rk->key.enc_data, rk->key.enc_data_len };
	if (rsakey_needs_auth(parent)) {
		if ((rc = session_oiap_begin(key->ctx, rsakey_usage_policy(parent), parent->handle,
					     TPM_ORD_CreateMigrationBlob, in_iov, 4, &ps,
					     &pauth)) != TSS_SUCCESS)
			goto out;
		have_ps = true;
	}
	if ((rc = session_oiap_begin(key->ctx, key->migration_policy, key->handle,
				     TPM_ORD_CreateMigrationBlob, in_iov, 4, &es, &eauth)) !=
	    TSS_SUCCESS)
		goto out;
	have_es = true;

	if ((rc = rpc_begin(key->ctx, TCSD_ORD_CREATEMIGRATIONBLOB, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, parent_handle);
	rpc_put_u16(m, scheme);
	rpc_put_sized(m, rgbMigTicket, ulMigTicketLength);
	rpc_put_sized(m, rk->key.enc_data, rk->key.enc_data_len);
	if (have_ps)
		rpc_put_auth(m, &pauth);
	rpc_put_auth(m, &eauth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (have_ps)
		rpc_get_auth(m, &pauth);
	rpc_get_auth(m, &eauth);
	rpc_get_sized(m, MIG_RANDOM_MAX, &rnd_len, &rnd);
	rpc_get_sized(m, MIG_BLOB_MAX, &out_len, &outd);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	buf_store_be32(rnd_len_be, rnd_len);
	buf_store_be32(out_len_be, out_len);
	{
		struct crypto_iov out_iov[4] = {
			{ rnd_len_be, 4 }, { rnd, rnd_len }, { out_len_be, 4 }, { outd, out_len }
		};

		if (have_ps &&
		    (rc = session_verify_outputs(&ps, &pauth, out_iov, 4)) != TSS_SUCCESS)
			goto out;
		if ((rc = session_verify_outputs(&es, &eauth, out_iov, 4)) != TSS_SUCCESS)
			goto out;
	}
	if ((rc = key_with_enc_data(&rk->key, outd, out_len, &blob, &blob_len)) != TSS_SUCCESS)
		goto out;
	if ((rc = keys_out_bytes(key->ctx, blob, blob_len, pulMigrationBlobLength,
				 prgbMigrationBlob)) != TSS_SUCCESS)
		goto out;
	rc = keys_out_bytes(key->ctx, rnd, rnd_len, pulRandomLength, prgbRandom);
out:
	if (have_ps)
		session_end(&ps, rc);
	if (have_es)
		session_end(&es, rc);
	rpc_end(m);
	if (rnd != NULL)
		OPENSSL_cleanse(rnd, rnd_len);
	free(rnd);
	free(outd);
	free(blob);
	if (rc != TSS_SUCCESS && *prgbMigrationBlob != NULL) {
		ctx_free(key->ctx, *prgbMigrationBlob);
		*prgbMigrationBlob = NULL;
		*pulMigrationBlobLength = 0;
	}
	obj_release(key);
	return rc;
}

/*
 * TPM_ConvertMigrationBlob on the destination: the blob's encData (the
 * OAEP-encrypted, random-masked key) becomes a key wrapped by the new
 * parent; hKeyToMigrate takes the blob with the new encData, unloaded.
 */
TSS_RESULT Tspi_Key_ConvertMigrationBlob(TSS_HKEY hKeyToMigrate, TSS_HKEY hParentKey,
					 UINT32 ulRandomLength, BYTE *rgbRandom,
					 UINT32 ulMigrationBlobLength, BYTE *rgbMigrationBlob)
{
	struct obj *key, *parent;
	struct rsakey *rk;
	struct session s;
	bool have_session = false;
	TPM_AUTH auth;
	struct tpm_key mk;
	UINT32 parent_handle, out_len = 0;
	BYTE enc_len_be[4], rnd_len_be[4], out_len_be[4], *outd = NULL;
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	memset(&mk, 0, sizeof(mk));
	if (rgbMigrationBlob == NULL || (ulRandomLength > 0 && rgbRandom == NULL))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hKeyToMigrate, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		return rc;
	rk = rsakey_of(key);
	if ((rc = obj_lookup_in(key->ctx, hParentKey, OBJ_RSAKEY, &parent)) != TSS_SUCCESS ||
	    (rc = rsakey_tcs_handle(parent, &parent_handle)) != TSS_SUCCESS)
		goto out;
	if (rk->loaded) {
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		goto out;
	}
	if (tpm_key_decode(rgbMigrationBlob, ulMigrationBlobLength, &mk) != 0) {
		log_error("tspi: the migration blob is not a TPM_KEY");
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	buf_store_be32(enc_len_be, mk.enc_data_len);
	buf_store_be32(rnd_len_be, ulRandomLength);
	/* A parent used without auth takes none here (TrouSerS, and libtpms agrees). */
	if (rsakey_needs_auth(parent)) {
		if ((rc = session_oiap_begin(key->ctx, rsakey_usage_policy(parent), parent->handle,
					     TPM_ORD_ConvertMigrationBlob,
					     (struct crypto_iov[]){
						     { enc_len_be, 4 },
						     { mk.enc_data, mk.enc_data_len },
						     { rnd_len_be, 4 },
						     { rgbRandom, ulRandomLength } },
					     4, &s, &auth)) != TSS_SUCCESS)
			goto out;
		have_session = true;
	}
	if ((rc = rpc_begin(key->ctx, TCSD_ORD_CONVERTMIGRATIONBLOB, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, parent_handle);
	rpc_put_sized(m, mk.enc_data, mk.enc_data_len);
	rpc_put_sized(m, rgbRandom, ulRandomLength);
	if (have_session)
		rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (have_session)
		rpc_get_auth(m, &auth);
	rpc_get_sized(m, MIG_BLOB_MAX, &out_len, &outd);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	buf_store_be32(out_len_be, out_len);
	if (have_session &&
	    (rc = SESSION_VERIFY_PIECES(&s, &auth, { out_len_be, 4 }, { outd, out_len })) !=
		    TSS_SUCCESS)
		goto out;
	if ((rc = key_with_enc_data(&mk, outd, out_len, &blob, &blob_len)) != TSS_SUCCESS)
		goto out;
	rc = rsakey_set_blob(key, blob, blob_len);
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	tpm_key_free(&mk);
	free(outd);
	free(blob);
	obj_release(key);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Certified migratable keys (Part 3 §11.5-§11.9)                      */
/* ------------------------------------------------------------------ */

/* TPM_CMK_SetRestrictions (§11.6): which CMK kinds delegated owners may make. */
static void put_restriction(struct rpc_msg *m, const void *arg)
{
	rpc_put_u32(m, *(const UINT32 *)arg);
}

TSS_RESULT Tspi_TPM_CMKSetRestrictions(TSS_HTPM hTPM, TSS_CMK_DELEGATE CmkDelegate)
{
	const UINT32 restriction = CmkDelegate;
	struct obj *tpm;
	BYTE val_be[4];
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	buf_store_be32(val_be, restriction);
	rc = tpm_owner_cmd(tpm, TPM_ORD_CMK_SetRestrictions, TCSD_ORD_CMK_SETRESTRICTIONS,
			   (struct crypto_iov[]){ { val_be, 4 } }, 1, put_restriction,
			   &restriction);
	obj_release(tpm);
	return rc;
}

/* TPM_CMK_ApproveMA (§11.4): the owner's HMAC over the MSA list digest. */
TSS_RESULT Tspi_TPM_CMKApproveMA(TSS_HTPM hTPM, TSS_HMIGDATA hMaAuthData)
{
	struct obj *tpm, *mo;
	struct migdata *md;
	struct session s;
	bool have_session = false;
	TPM_AUTH auth;
	BYTE hmac[DIGEST_LEN];
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(tpm->ctx, hMaAuthData, OBJ_MIGDATA, &mo)) != TSS_SUCCESS)
		goto out;
	md = mo->data;
	if ((rc = session_oiap_begin(tpm->ctx, tpm->usage_policy, tpm->handle,
				     TPM_ORD_CMK_ApproveMA,
				     (struct crypto_iov[]){ { md->msa_digest, DIGEST_LEN } }, 1, &s,
				     &auth)) != TSS_SUCCESS)
		goto out;
	have_session = true;
	if ((rc = rpc_begin(tpm->ctx, TCSD_ORD_CMK_APPROVEMA, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_digest(m, md->msa_digest);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_auth(m, &auth);
	rpc_get_digest(m, hmac);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if ((rc = SESSION_VERIFY_PIECES(&s, &auth, { hmac, DIGEST_LEN })) != TSS_SUCCESS)
		goto out;
	memcpy(md->msa_hmac, hmac, DIGEST_LEN);
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	obj_release(tpm);
	return rc;
}

/*
 * TPM_CMK_CreateTicket (§11.8): the TPM checks the migration authority's
 * signature (by hVerifyKey, a public key) over the migdata's sigData and
 * answers a ticket HMAC'd with tpmProof.
 */
TSS_RESULT Tspi_TPM_CMKCreateTicket(TSS_HTPM hTPM, TSS_HKEY hVerifyKey, TSS_HMIGDATA hSigData)
{
	struct obj *tpm, *vkey, *mo;
	struct migdata *md;
	struct session s;
	bool have_session = false;
	TPM_AUTH auth;
	uint8_t *pub = NULL;
	size_t pub_len = 0;
	BYTE sig_len_be[4], ticket[DIGEST_LEN];
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(tpm->ctx, hVerifyKey, OBJ_RSAKEY, &vkey)) != TSS_SUCCESS ||
	    (rc = obj_lookup_in(tpm->ctx, hSigData, OBJ_MIGDATA, &mo)) != TSS_SUCCESS ||
	    (rc = rsakey_get_pubkey_blob(vkey, &pub, &pub_len)) != TSS_SUCCESS)
		goto out;
	md = mo->data;
	if (md->sig_value_len == 0) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	buf_store_be32(sig_len_be, md->sig_value_len);
	if ((rc = session_oiap_begin(tpm->ctx, tpm->usage_policy, tpm->handle,
				     TPM_ORD_CMK_CreateTicket,
				     (struct crypto_iov[]){ { pub, pub_len },
							    { md->sig_data, DIGEST_LEN },
							    { sig_len_be, 4 },
							    { md->sig_value, md->sig_value_len } },
				     4, &s, &auth)) != TSS_SUCCESS)
		goto out;
	have_session = true;
	if ((rc = rpc_begin(tpm->ctx, TCSD_ORD_CMK_CREATETICKET, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_sized(m, pub, (uint32_t)pub_len);
	rpc_put_digest(m, md->sig_data);
	rpc_put_sized(m, md->sig_value, md->sig_value_len);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_auth(m, &auth);
	rpc_get_digest(m, ticket);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if ((rc = SESSION_VERIFY_PIECES(&s, &auth, { ticket, DIGEST_LEN })) != TSS_SUCCESS)
		goto out;
	memcpy(md->sig_ticket, ticket, DIGEST_LEN);
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	free(pub);
	obj_release(tpm);
	return rc;
}

/*
 * TPM_CMK_CreateBlob (§11.7): the migdata object supplies the ticket
 * (TSS_MIGATTRIB_MIGRATIONTICKET), the MSA list, and for
 * TPM_MS_RESTRICT_APPROVE_DOUBLE the restrict ticket and sig ticket. The
 * migrated key (the CMK's blob with the new encData) goes back into the
 * migdata object (TSS_MIGATTRIB_MIG_XOR_BLOB); the random to the caller.
 */
TSS_RESULT Tspi_Key_CMKCreateBlob(TSS_HKEY hKeyToMigrate, TSS_HKEY hParentKey,
				  TSS_HMIGDATA hMigrationData, UINT32 *pulRandomLength,
				  BYTE **prgbRandom)
{
	struct obj *key, *parent, *mo;
	struct rsakey *rk;
	struct migdata *md;
	struct session s;
	bool have_session = false, approve;
	TPM_AUTH auth;
	UINT16 scheme = 0;
	UINT32 parent_handle, rnd_len = 0, out_len = 0, rt_len, st_len;
	BYTE scheme_be[2], msa_len_be[4], rt_len_be[4], st_len_be[4], enc_len_be[4];
	BYTE rnd_len_be[4], out_len_be[4], src_digest[DIGEST_LEN], restrict_ticket[60];
	BYTE *rnd = NULL, *outd = NULL;
	uint8_t *pub = NULL, *msa = NULL, *blob = NULL;
	size_t pub_len = 0, msa_len = 0, blob_len = 0;
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if (pulRandomLength == NULL || prgbRandom == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulRandomLength = 0;
	*prgbRandom = NULL;
	if ((rc = obj_acquire(hKeyToMigrate, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		return rc;
	rk = rsakey_of(key);
	if ((rc = obj_lookup_in(key->ctx, hParentKey, OBJ_RSAKEY, &parent)) != TSS_SUCCESS ||
	    (rc = obj_lookup_in(key->ctx, hMigrationData, OBJ_MIGDATA, &mo)) != TSS_SUCCESS ||
	    (rc = rsakey_tcs_handle(parent, &parent_handle)) != TSS_SUCCESS)
		goto out;
	md = mo->data;
	if (!rk->key_set || !(rk->key.key_flags & TPM_MIGRATEAUTHORITY)) {
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if ((rc = ticket_scheme(md->ticket, md->ticket_len, &scheme)) != TSS_SUCCESS ||
	    (rc = rsakey_get_pubkey_blob(key, &pub, &pub_len)) != TSS_SUCCESS ||
	    (rc = migdata_msa_blob(md, &msa, &msa_len)) != TSS_SUCCESS)
		goto out;
	if (crypto_sha1(pub, pub_len, src_digest) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	/* Only the double-approval scheme sends the tickets (TrouSerS). */
	approve = scheme == TPM_MS_RESTRICT_APPROVE_DOUBLE;
	memcpy(restrict_ticket, md->ma_digest, DIGEST_LEN);
	memcpy(restrict_ticket + DIGEST_LEN, md->dest_digest, DIGEST_LEN);
	memcpy(restrict_ticket + 2 * DIGEST_LEN, md->src_digest, DIGEST_LEN);
	rt_len = approve ? sizeof(restrict_ticket) : 0;
	st_len = approve ? DIGEST_LEN : 0;
	buf_store_be16(scheme_be, scheme);
	buf_store_be32(msa_len_be, (UINT32)msa_len);
	buf_store_be32(rt_len_be, rt_len);
	buf_store_be32(st_len_be, st_len);
	buf_store_be32(enc_len_be, rk->key.enc_data_len);
	/*
	 * The TPM always wants the parent's auth (tag AUTH1, Part 3 §11.7),
	 * even for a key used without one: its usage secret authorises.
	 */
	if ((rc = session_oiap_begin(key->ctx, rsakey_usage_policy(parent), parent->handle,
				     TPM_ORD_CMK_CreateBlob,
				     (struct crypto_iov[]){ { scheme_be, 2 },
							    { md->ticket, md->ticket_len },
							    { src_digest, DIGEST_LEN },
							    { msa_len_be, 4 },
							    { msa, msa_len },
							    { rt_len_be, 4 },
							    { restrict_ticket, rt_len },
							    { st_len_be, 4 },
							    { md->sig_ticket, st_len },
							    { enc_len_be, 4 },
							    { rk->key.enc_data,
							      rk->key.enc_data_len } },
				     11, &s, &auth)) != TSS_SUCCESS)
		goto out;
	have_session = true;
	if ((rc = rpc_begin(key->ctx, TCSD_ORD_CMK_CREATEBLOB, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, parent_handle);
	rpc_put_u16(m, scheme);
	rpc_put_sized(m, md->ticket, md->ticket_len);
	rpc_put_digest(m, src_digest);
	rpc_put_sized(m, msa, (uint32_t)msa_len);
	rpc_put_sized(m, restrict_ticket, rt_len);
	rpc_put_sized(m, md->sig_ticket, st_len);
	rpc_put_sized(m, rk->key.enc_data, rk->key.enc_data_len);
	/* Always an AUTH: zeros stand for none (TrouSerS' wire form). */
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (have_session)
		rpc_get_auth(m, &auth);
	rpc_get_sized(m, MIG_RANDOM_MAX, &rnd_len, &rnd);
	rpc_get_sized(m, MIG_BLOB_MAX, &out_len, &outd);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	buf_store_be32(rnd_len_be, rnd_len);
	buf_store_be32(out_len_be, out_len);
	if (have_session &&
	    (rc = SESSION_VERIFY_PIECES(&s, &auth, { rnd_len_be, 4 }, { rnd, rnd_len },
					{ out_len_be, 4 }, { outd, out_len })) != TSS_SUCCESS)
		goto out;
	if ((rc = key_with_enc_data(&rk->key, outd, out_len, &blob, &blob_len)) != TSS_SUCCESS ||
	    (rc = bytes_set(&md->blob, &md->blob_len, blob, (UINT32)blob_len, MIG_BLOB_MAX)) !=
		    TSS_SUCCESS)
		goto out;
	rc = keys_out_bytes(key->ctx, rnd, rnd_len, pulRandomLength, prgbRandom);
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	if (rnd != NULL)
		OPENSSL_cleanse(rnd, rnd_len);
	free(rnd);
	free(outd);
	free(pub);
	free(msa);
	free(blob);
	obj_release(key);
	return rc;
}

/*
 * TPM_CMK_ConvertMigration (§11.9) on the destination: the migrated key
 * from the migdata object, its restrict ticket, sig ticket and MSA list,
 * and the random. hKeyToMigrate takes the key with its new encData.
 */
TSS_RESULT Tspi_Key_CMKConvertMigration(TSS_HKEY hKeyToMigrate, TSS_HKEY hParentKey,
					TSS_HMIGDATA hMigrationData, UINT32 ulRandomLength,
					BYTE *rgbRandom)
{
	struct obj *key, *parent, *mo;
	struct rsakey *rk;
	struct migdata *md;
	struct session s;
	bool have_session = false;
	TPM_AUTH auth;
	struct tpm_key mk;
	UINT32 parent_handle, out_len = 0;
	BYTE msa_len_be[4], rnd_len_be[4], out_len_be[4], restrict_ticket[60], *outd = NULL;
	uint8_t *msa = NULL, *blob = NULL;
	size_t msa_len = 0, blob_len = 0;
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	memset(&mk, 0, sizeof(mk));
	if (ulRandomLength > 0 && rgbRandom == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hKeyToMigrate, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		return rc;
	rk = rsakey_of(key);
	if ((rc = obj_lookup_in(key->ctx, hParentKey, OBJ_RSAKEY, &parent)) != TSS_SUCCESS ||
	    (rc = obj_lookup_in(key->ctx, hMigrationData, OBJ_MIGDATA, &mo)) != TSS_SUCCESS ||
	    (rc = rsakey_tcs_handle(parent, &parent_handle)) != TSS_SUCCESS)
		goto out;
	md = mo->data;
	if (rk->loaded) {
		rc = TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);
		goto out;
	}
	if (md->blob == NULL || tpm_key_decode(md->blob, md->blob_len, &mk) != 0) {
		log_error("tspi: the migdata object holds no migrated key");
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if ((rc = migdata_msa_blob(md, &msa, &msa_len)) != TSS_SUCCESS)
		goto out;
	memcpy(restrict_ticket, md->ma_digest, DIGEST_LEN);
	memcpy(restrict_ticket + DIGEST_LEN, md->dest_digest, DIGEST_LEN);
	memcpy(restrict_ticket + 2 * DIGEST_LEN, md->src_digest, DIGEST_LEN);
	buf_store_be32(msa_len_be, (UINT32)msa_len);
	buf_store_be32(rnd_len_be, ulRandomLength);
	/* Tag AUTH1 always (Part 3 §11.9), as for CMK_CreateBlob. */
	if ((rc = session_oiap_begin(key->ctx, rsakey_usage_policy(parent), parent->handle,
				     TPM_ORD_CMK_ConvertMigration,
				     (struct crypto_iov[]){ { restrict_ticket,
							      sizeof(restrict_ticket) },
							    { md->sig_ticket, DIGEST_LEN },
							    { md->blob, md->blob_len },
							    { msa_len_be, 4 },
							    { msa, msa_len },
							    { rnd_len_be, 4 },
							    { rgbRandom, ulRandomLength } },
				     7, &s, &auth)) != TSS_SUCCESS)
		goto out;
	have_session = true;
	if ((rc = rpc_begin(key->ctx, TCSD_ORD_CMK_CONVERTMIGRATION, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, parent_handle);
	rpc_put_bytes(m, restrict_ticket, sizeof(restrict_ticket));
	rpc_put_digest(m, md->sig_ticket);
	rpc_put_sized(m, md->blob, md->blob_len);
	rpc_put_sized(m, msa, (uint32_t)msa_len);
	rpc_put_sized(m, rgbRandom, ulRandomLength);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (have_session)
		rpc_get_auth(m, &auth);
	rpc_get_sized(m, MIG_BLOB_MAX, &out_len, &outd);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	buf_store_be32(out_len_be, out_len);
	if (have_session &&
	    (rc = SESSION_VERIFY_PIECES(&s, &auth, { out_len_be, 4 }, { outd, out_len })) !=
		    TSS_SUCCESS)
		goto out;
	if ((rc = key_with_enc_data(&mk, outd, out_len, &blob, &blob_len)) != TSS_SUCCESS)
		goto out;
	rc = rsakey_set_blob(key, blob, blob_len);
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	tpm_key_free(&mk);
	free(outd);
	free(msa);
	free(blob);
	obj_release(key);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The owner and keys: SRK public key, key control                     */
/* ------------------------------------------------------------------ */

/*
 * The SRK objects of the context learn their public part (the system PS
 * withholds the SRK's modulus: zeros), as in TrouSerS, so that WrapKey
 * and AuthorizeMigrationTicket can use them. The owner's answer is
 * authoritative: it replaces whatever the object held.
 */
static void srk_objects_learn(struct tspi_ctx *ctx, const BYTE *pub, UINT32 len)
{
	static const TSS_UUID srk_uuid = TSS_UUID_SRK;
	struct obj *o = NULL;
	struct tpm_pubkey pk;

	while ((o = obj_next_in(ctx, o, OBJ_RSAKEY)) != NULL) {
		struct rsakey *rk = rsakey_of(o);
		bool is_srk = (rk->loaded && rk->tcs_handle == TPM_KH_SRK) ||
			      (rk->ps_type == TSS_PS_TYPE_SYSTEM &&
			       memcmp(&rk->uuid, &srk_uuid, sizeof(srk_uuid)) == 0);

		if (!is_srk || tpm_pubkey_decode(pub, len, &pk) != 0)
			continue;
		tpm_key_parms_free(&rk->key.algorithm_parms);
		tpm_store_pubkey_free(&rk->key.pub_key);
		rk->key.algorithm_parms = pk.algorithm_parms;
		rk->key.pub_key = pk.pub_key;
	}
}

/*
 * TPM_OwnerReadInternalPub(TPM_KH_SRK) (Part 3 §27.5):
 * the SRK's TPM_PUBKEY, which TPM_GetPubKey does not give out once
 * TPM_PERMANENT_FLAGS.readSRKPub is clear.
 */
TSS_RESULT Tspi_TPM_OwnerGetSRKPubKey(TSS_HTPM hTPM, UINT32 *pulPubKeyLength, BYTE **prgbPubKey)
{
	struct obj *tpm;
	struct session s;
	bool have_session = false;
	TPM_AUTH auth;
	BYTE handle_be[4], *pub = NULL;
	UINT32 pub_len = 0;
	struct tpm_pubkey pk;
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if (pulPubKeyLength == NULL || prgbPubKey == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulPubKeyLength = 0;
	*prgbPubKey = NULL;
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	buf_store_be32(handle_be, TPM_KH_SRK);
	if ((rc = session_oiap_begin(tpm->ctx, tpm->usage_policy, tpm->handle,
				     TPM_ORD_OwnerReadInternalPub,
				     (struct crypto_iov[]){ { handle_be, 4 } }, 1, &s, &auth)) !=
	    TSS_SUCCESS)
		goto out;
	have_session = true;
	if ((rc = rpc_begin(tpm->ctx, TCSD_ORD_OWNERREADINTERNALPUB, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, TPM_KH_SRK);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_auth(m, &auth);
	rpc_get_sized(m, MIG_TICKET_MAX, &pub_len, &pub);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if ((rc = SESSION_VERIFY_PIECES(&s, &auth, { pub, pub_len })) != TSS_SUCCESS)
		goto out;
	if (tpm_pubkey_decode(pub, pub_len, &pk) != 0) {
		log_error("tspi: OwnerReadInternalPub returned a malformed TPM_PUBKEY");
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	tpm_pubkey_free(&pk);
	srk_objects_learn(tpm->ctx, pub, pub_len);
	rc = out_take(tpm->ctx, pub, pub_len, pulPubKeyLength, prgbPubKey);
	pub = NULL;
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	free(pub);
	obj_release(tpm);
	return rc;
}

/*
 * TPM_KeyControlOwner (Part 3 §10.9): sets TPM_KEY_CONTROL_OWNER_EVICT on
 * a loaded key. The TCS answers the owner-evict UUID it gave the key.
 */
TSS_RESULT Tspi_TPM_KeyControlOwner(TSS_HTPM hTPM, TSS_HKEY hKey, UINT32 attribName,
				    TSS_BOOL attribValue, TSS_UUID *pUuidData)
{
	struct obj *tpm, *key;
	struct session s;
	bool have_session = false;
	TPM_AUTH auth;
	UINT32 key_handle;
	uint8_t *pub = NULL;
	size_t pub_len = 0;
	BYTE bit_be[4], value;
	TSS_UUID uuid;
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if (pUuidData == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	memset(pUuidData, 0, sizeof(*pUuidData));
	if (attribName != TSS_TSPATTRIB_KEYCONTROL_OWNEREVICT)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(tpm->ctx, hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS ||
	    (rc = rsakey_tcs_handle(key, &key_handle)) != TSS_SUCCESS ||
	    (rc = rsakey_get_pubkey_blob(key, &pub, &pub_len)) != TSS_SUCCESS)
		goto out;
	buf_store_be32(bit_be, TPM_KEY_CONTROL_OWNER_EVICT);
	value = attribValue ? 1 : 0;
	if ((rc = session_oiap_begin(tpm->ctx, tpm->usage_policy, tpm->handle,
				     TPM_ORD_KeyControlOwner,
				     (struct crypto_iov[]){ { pub, pub_len }, { bit_be, 4 },
							    { &value, 1 } },
				     3, &s, &auth)) != TSS_SUCCESS)
		goto out;
	have_session = true;
	if ((rc = rpc_begin(tpm->ctx, TCSD_ORD_KEYCONTROLOWNER, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, key_handle);
	rpc_put_sized(m, pub, (uint32_t)pub_len);
	rpc_put_u32(m, TPM_KEY_CONTROL_OWNER_EVICT);
	rpc_put_bool(m, value != 0);
	rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	rpc_get_auth(m, &auth);
	rpc_get_uuid(m, &uuid);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if ((rc = session_verify_outputs(&s, &auth, NULL, 0)) != TSS_SUCCESS)
		goto out;
	*pUuidData = uuid;
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	free(pub);
	obj_release(tpm);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The revocable endorsement key (Part 3 §27.1.1, §27.1.2)             */
/* ------------------------------------------------------------------ */

/* The EK's TPM_KEY_PARMS: those of the key object, as TrouSerS sends them. */
static TSS_RESULT ek_key_parms(struct obj *key, uint8_t **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	return keys_errno_result(tpm_key_parms_encode(&rsakey_of(key)->key.algorithm_parms, out,
						      len));
}

/* The revocable EK's reset value (TPM_CreateRevocableEK's EKreset). */
struct ek_reset {
	bool generate;		/* the TPM makes one */
	BYTE in[20];		/* else this one is used */
	BYTE out[20];		/* the one the TPM keeps */
};

/*
 * TPM_CreateEndorsementKeyPair (Part 3 §14.1) or, with reset,
 * TPM_CreateRevocableEK (§27.1.1): hKey gives the key parameters and
 * receives the EK's public key. pValidationData (optional) supplies the
 * anti-replay nonce and receives the checksum SHA-1(pubEK || nonce);
 * without it the TSP checks the checksum itself.
 */
static TSS_RESULT create_ek(struct obj *tpm, TSS_HKEY hKey, TSS_VALIDATION *pValidationData,
			    struct ek_reset *reset)
{
	BYTE nonce[20], checksum[20], expect[20];
	BYTE *pub = NULL;
	UINT32 pub_len = 0;
	uint8_t *parms = NULL;
	size_t parms_len = 0;
	struct rpc_msg *m = NULL;
	struct obj *key;
	TSS_RESULT rc;

	if ((rc = obj_lookup_in(tpm->ctx, hKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS ||
	    (rc = ek_key_parms(key, &parms, &parms_len)) != TSS_SUCCESS)
		goto out;
	if (pValidationData != NULL) {
		if (pValidationData->ulExternalDataLength != sizeof(nonce) ||
		    pValidationData->rgbExternalData == NULL) {
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			goto out;
		}
		memcpy(nonce, pValidationData->rgbExternalData, sizeof(nonce));
	} else if (crypto_random(nonce, sizeof(nonce)) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	rc = rpc_begin(tpm->ctx, reset != NULL ? TCSD_ORD_CREATEREVOCABLEENDORSEMENTKEYPAIR
					       : TCSD_ORD_CREATEENDORSEMENTKEYPAIR, &m);
	if (rc != TSS_SUCCESS)
		goto out;
	rpc_put_nonce(m, nonce);
	rpc_put_sized(m, parms, (uint32_t)parms_len);
	if (reset != NULL) {
		rpc_put_bool(m, reset->generate ? TRUE : FALSE);
		rpc_put_digest(m, reset->in);
	}
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (reset != NULL)
		rpc_get_digest(m, reset->out);
	rpc_get_u32(m, &pub_len);
	rpc_get_bytes(m, pub_len, MIG_TICKET_MAX, &pub);
	rpc_get_digest(m, checksum);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if (CRYPTO_SHA1_PIECES(expect, { pub, pub_len }, { nonce, sizeof(nonce) }) != 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if (pValidationData != NULL) {
		/* The application checks: it gets the data and the checksum. */
		BYTE *data = ctx_memdup(tpm->ctx, pub, pub_len);
		BYTE *val = ctx_memdup(tpm->ctx, checksum, sizeof(checksum));

		if (data == NULL || val == NULL) {
			rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
			goto out;
		}
		pValidationData->rgbData = data;
		pValidationData->ulDataLength = pub_len;
		pValidationData->rgbValidationData = val;
		pValidationData->ulValidationDataLength = sizeof(checksum);
	} else if (!crypto_memeq(expect, checksum, sizeof(expect))) {
		log_error("tspi: CreateEndorsementKey: the checksum does not match");
		rc = TSP_ERROR(TSS_E_EK_CHECKSUM);
		goto out;
	}
	rc = Tspi_SetAttribData(hKey, TSS_TSPATTRIB_KEY_BLOB, TSS_TSPATTRIB_KEYBLOB_PUBLIC_KEY,
				pub_len, pub);
out:
	rpc_end(m);
	free(pub);
	free(parms);
	return rc;
}

TSS_RESULT Tspi_TPM_CreateEndorsementKey(TSS_HTPM hTPM, TSS_HKEY hKey,
					 TSS_VALIDATION *pValidationData)
{
	struct obj *tpm;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	rc = create_ek(tpm, hKey, pValidationData, NULL);
	obj_release(tpm);
	return rc;
}

/*
 * TPM_CreateRevocableEK, as create_ek. The EKreset value: with
 * pulEkResetDataLength/prgbEkResetData set to a 20-byte value, that one
 * is used; otherwise the TPM generates it and it is returned there
 * (TrouSerS' convention: length 0 and NULL ask for one).
 */
TSS_RESULT Tspi_TPM_CreateRevocableEndorsementKey(TSS_HTPM hTPM, TSS_HKEY hKey,
						  TSS_VALIDATION *pValidationData,
						  UINT32 *pulEkResetDataLength,
						  BYTE **prgbEkResetData)
{
	struct ek_reset reset;
	struct obj *tpm;
	TSS_RESULT rc;

	if (pulEkResetDataLength == NULL || prgbEkResetData == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	memset(&reset, 0, sizeof(reset));
	/* A caller-supplied reset value is 20 bytes; otherwise the TPM makes one. */
	reset.generate = *pulEkResetDataLength == 0;
	if (reset.generate ? *prgbEkResetData != NULL
			   : *prgbEkResetData == NULL || *pulEkResetDataLength < sizeof(reset.in))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	memset(reset.in, 0xff, sizeof(reset.in));
	if (!reset.generate)
		memcpy(reset.in, *prgbEkResetData, sizeof(reset.in));
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		goto out;
	rc = create_ek(tpm, hKey, pValidationData, &reset);
	if (rc == TSS_SUCCESS && reset.generate) {
		BYTE *r = ctx_memdup(tpm->ctx, reset.out, sizeof(reset.out));

		if (r == NULL) {
			rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		} else {
			*prgbEkResetData = r;
			*pulEkResetDataLength = sizeof(reset.out);
		}
	}
	obj_release(tpm);
out:
	OPENSSL_cleanse(&reset, sizeof(reset));
	return rc;
}

/* TPM_RevokeTrust (§27.1.2): needs physical presence; clears the EK and the owner. */
TSS_RESULT Tspi_TPM_RevokeEndorsementKey(TSS_HTPM hTPM, UINT32 ulEkResetDataLength,
					 BYTE *rgbEkResetData)
{
	struct obj *tpm;
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;

	if (rgbEkResetData == NULL || ulEkResetDataLength < 20)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hTPM, OBJ_TPM, &tpm)) != TSS_SUCCESS)
		return rc;
	if ((rc = rpc_begin(tpm->ctx, TCSD_ORD_REVOKEENDORSEMENTKEYPAIR, &m)) == TSS_SUCCESS) {
		rpc_put_digest(m, rgbEkResetData);
		rc = rpc_call(m);
	}
	rpc_end(m);
	obj_release(tpm);
	return rc;
}
