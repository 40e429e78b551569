/*
 * TCS area: identities: MakeIdentity, ActivateIdentity, credentials
 * (TPM 1.2 Part 3 §15; TSS 1.2 §5.6.4 for the TCS side).
 *
 * Both TPM commands are pass-throughs: the TSP computes every HMAC, the
 * TCS forwards the auth trailers both ways. Parameter lists are
 * TrouSerS' (src/tcs/rpc/tcstp/rpc_aik.c, src/tcs/tcsi_aik.c): the
 * optional first AUTH of each (the SRK's, the identity key's) is sent
 * only when that entity needs authorisation, so a request with one AUTH
 * carries the owner's alone.
 *
 * Credentials: MakeIdentity answers, after the TPM's result, the
 * endorsement, platform and conformance credentials read from the files
 * tcsd.conf names (endorsement_cred, platform_cred, conformance_cred),
 * as TrouSerS does; GetCredential serves them one by one. A missing or
 * unreadable file is an empty credential (logged), never an error.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tss/tcs_defines.h>
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

/* idKeyParams: a TPM_KEY(12) template, a few hundred bytes. */
#define ID_KEY_INFO_MAX 4096u
/* ActivateIdentity's blob: RSA ciphertext for an EK of at most 4096 bits. */
#define ACTIVATE_BLOB_MAX 512u
/* A credential larger than a TPM_IDENTITY_PROOF can carry is not served. */
#define CREDENTIAL_MAX TPM_STRUCT_CREDENTIAL_MAX

/*
 * One AUTH at index, then a second one if the client sent it: with two,
 * the first is the SRK's / identity key's and the second the owner's;
 * with one, it is the owner's (TrouSerS' tcs_wrap_MakeIdentity,
 * tcs_wrap_ActivateIdentity).
 */
static void get_auths(struct tcsd_packet_reader *in, uint32_t index, TPM_AUTH *a1, TPM_AUTH *a2,
		      TPM_AUTH **entity, TPM_AUTH **owner)
{
	memset(a1, 0, sizeof(*a1));
	memset(a2, 0, sizeof(*a2));
	*entity = NULL;
	*owner = a1;
	tcsd_get_auth_in(in, index, a1);
	if (tcsd_param_present(in, index + 1) &&
	    tcsd_param_type(in, index + 1) == TCSD_TYPE_AUTH &&
	    tcsd_get_auth_in(in, index + 1, a2) == 0) {
		*entity = a1;
		*owner = a2;
	}
}

/* ---- credentials (TrouSerS' get_credential) ---- */

/* The conf path of a TSS_TCS_CREDENTIAL_* type, NULL if unknown or unset. */
static const char *credential_path(UINT32 type)
{
	const struct tcsd_config *conf = tcsd_config();

	if (conf == NULL)
		return NULL;
	switch (type) {
	case TSS_TCS_CREDENTIAL_EKCERT:
		return conf->endorsement_cred;
	case TSS_TCS_CREDENTIAL_TPM_CC:
		return conf->conformance_cred;
	case TSS_TCS_CREDENTIAL_PLATFORMCERT:
		return conf->platform_cred;
	default:
		return NULL;
	}
}

/*
 * Reads a credential file into heap memory (*out NULL, *len 0 when the
 * option is unset or the file unusable: logged, not an error).
 */
static void credential_read(UINT32 type, BYTE **out, UINT32 *len)
{
	const char *path = credential_path(type);
	struct stat st;
	BYTE *buf = NULL;
	size_t got = 0;
	int fd;

	*out = NULL;
	*len = 0;
	if (path == NULL || *path == '\0')
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		log_warn("tcsd: credential %s: %s", path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		log_warn("tcsd: credential %s is not a regular file", path);
		goto out;
	}
	if (st.st_size > (off_t)CREDENTIAL_MAX) {
		log_warn("tcsd: credential %s is larger than %u bytes; not served", path,
			 (unsigned)CREDENTIAL_MAX);
		goto out;
	}
	if (st.st_size == 0 || (buf = malloc((size_t)st.st_size)) == NULL)
		goto out;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn("tcsd: credential %s: short read", path);
			free(buf);
			buf = NULL;
			goto out;
		}
		got += (size_t)n;
	}
	*out = buf;
	*len = (UINT32)got;
out:
	close(fd);
}

/* ---- MakeIdentity (Part 3 §15.1) ---- */

/*
 * MakeIdentity: ctx, ENCAUTH identityAuth, DIGEST labelPrivCADigest,
 * UINT32+PBYTE idKeyParams, [AUTH srk], AUTH owner -> [AUTH srk], AUTH
 * owner, UINT32+PBYTE idKey, UINT32+PBYTE identityBinding, UINT32+PBYTE
 * endorsement, platform, conformance credentials.
 */
static TSS_RESULT tcs_make_identity(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				    struct tcsd_packet_writer *out)
{
	static const UINT32 cred_types[] = { TSS_TCS_CREDENTIAL_EKCERT,
					     TSS_TCS_CREDENTIAL_PLATFORMCERT,
					     TSS_TCS_CREDENTIAL_TPM_CC };
	struct tcsd_tpm_cmd cmd;
	struct tcsd_tpm_rsp rsp;
	struct buf_reader probe;
	struct tpm_key key;
	TPM_ENCAUTH enc;
	TPM_DIGEST label;
	TPM_AUTH a1, a2, *srk, *owner;
	const uint8_t *info = NULL, *id_key = NULL, *binding = NULL;
	uint32_t info_len = 0, binding_len = 0, idx = 3, slot = 0;
	BYTE *cred[3] = { NULL, NULL, NULL };
	UINT32 cred_len[3] = { 0, 0, 0 };
	size_t key_len;
	TSS_RESULT rc;

	tcsd_get_encauth(in, 1, &enc);
	tcsd_get_digest(in, 2, &label);
	tcsd_get_sized_ptr(in, &idx, &info, &info_len, ID_KEY_INFO_MAX);
	get_auths(in, idx, &a1, &a2, &srk, &owner);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	tcsd_tpm_cmd_init(&cmd, TPM_ORD_MakeIdentity);
	buf_put_bytes(&cmd.w, enc.authdata, sizeof(enc.authdata));
	buf_put_bytes(&cmd.w, label.digest, sizeof(label.digest));
	buf_put_bytes(&cmd.w, info, info_len);
	if (srk != NULL)
		rc = tcsd_tpm_exec(cl, &cmd, srk, owner, &rsp);
	else
		rc = tcsd_tpm_exec(cl, &cmd, owner, NULL, &rsp);
	if (rc != TSS_SUCCESS)
		return rc;
	/* idKey is a TPM_KEY(12) without a size: parse a copy to learn its length. */
	probe = rsp.params;
	if (tpm_key_get(&probe, &key) != 0) {
		log_error("%s: MakeIdentity: the TPM returned a malformed identity key", cl->name);
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	tpm_key_free(&key);
	key_len = buf_remaining(&rsp.params) - buf_remaining(&probe);
	buf_get_ptr(&rsp.params, &id_key, key_len);
	buf_get_sized_ptr(&rsp.params, &binding, &binding_len, TPM_STRUCT_BLOB_MAX);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	for (size_t i = 0; i < 3; i++)
		credential_read(cred_types[i], &cred[i], &cred_len[i]);

	tcsd_writer_init_reply(out, (srk != NULL ? 2 : 1) + 10);
	if (srk != NULL)
		tcsd_put_auth_out(out, slot++, srk);
	tcsd_put_auth_out(out, slot++, owner);
	tcsd_put_sized(out, &slot, id_key, (uint32_t)key_len);
	tcsd_put_sized(out, &slot, binding, binding_len);
	for (size_t i = 0; i < 3; i++) {
		tcsd_put_sized(out, &slot, cred[i], cred_len[i]);
		free(cred[i]);
	}
	return TSS_SUCCESS;
}

/* ---- ActivateIdentity (Part 3 §15.2) ---- */

/*
 * ActivateTPMIdentity: ctx, UINT32 idKey, UINT32+PBYTE blob, [AUTH
 * idKey], AUTH owner -> [AUTH idKey], AUTH owner, UINT32+PBYTE
 * TPM_SYMMETRIC_KEY.
 */
static TSS_RESULT tcs_activate_identity(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					struct tcsd_packet_writer *out)
{
	struct tcs_key_cmd kc = { .ordinal = TPM_ORD_ActivateIdentity };
	struct tcsd_tpm_rsp rsp;
	struct buf_reader probe;
	struct tpm_symmetric_key sym;
	struct buf_writer pw;
	BYTE params[ACTIVATE_BLOB_MAX + 8];
	TPM_AUTH a1, a2, *id_auth, *owner;
	const uint8_t *blob = NULL, *key = NULL;
	uint32_t blob_len = 0, idx = 2, slot = 0;
	size_t key_len;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &kc.key);
	tcsd_get_sized_ptr(in, &idx, &blob, &blob_len, ACTIVATE_BLOB_MAX);
	get_auths(in, idx, &a1, &a2, &id_auth, &owner);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	buf_writer_init_fixed(&pw, params, sizeof(params));
	buf_put_sized(&pw, blob, blob_len);
	if (buf_writer_error(&pw) != 0)
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	kc.params = params;
	kc.params_len = buf_writer_len(&pw);
	kc.auth1 = id_auth != NULL ? id_auth : owner;
	kc.auth2 = id_auth != NULL ? owner : NULL;
	if ((rc = tcs_key_exec(cl, &kc, &rsp)) != TSS_SUCCESS)
		return rc;
	/* symmetricKey is a TPM_SYMMETRIC_KEY without a size in front. */
	probe = rsp.params;
	if (tpm_symmetric_key_get(&probe, &sym) != 0) {
		log_error("%s: ActivateIdentity: the TPM returned a malformed session key",
			  cl->name);
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	tpm_symmetric_key_free(&sym);
	key_len = buf_remaining(&rsp.params) - buf_remaining(&probe);
	buf_get_ptr(&rsp.params, &key, key_len);
	if ((rc = tcsd_tpm_rsp_done(&rsp)) != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, (id_auth != NULL ? 2 : 1) + 2);
	if (id_auth != NULL)
		tcsd_put_auth_out(out, slot++, id_auth);
	tcsd_put_auth_out(out, slot++, owner);
	tcsd_put_sized(out, &slot, key, (uint32_t)key_len);
	return TSS_SUCCESS;
}

/* ---- GetCredential (TSS 1.2 §5.6.4.3) ---- */

/*
 * GetCredential: ctx, UINT32 credentialType, UINT32 accessMode ->
 * UINT32+PBYTE credential. Only TSS_TCS_CERT_ACCESS_AUTO (the conf
 * files) exists, as in TrouSerS; an unset credential is empty.
 */
static TSS_RESULT tcs_get_credential(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				     struct tcsd_packet_writer *out)
{
	UINT32 type = 0, mode = 0;
	uint32_t slot = 0;
	BYTE *cred = NULL;
	UINT32 len = 0;
	TSS_RESULT rc;

	tcsd_get_u32(in, 1, &type);
	tcsd_get_u32(in, 2, &mode);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	if (type != TSS_TCS_CREDENTIAL_EKCERT && type != TSS_TCS_CREDENTIAL_TPM_CC &&
	    type != TSS_TCS_CREDENTIAL_PLATFORMCERT) {
		log_info("%s: GetCredential: unknown credential type %u", cl->name, type);
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	}
	if (mode != TSS_TCS_CERT_ACCESS_AUTO) {
		log_info("%s: GetCredential: unsupported access mode %u", cl->name, mode);
		return TCS_ERROR(TSS_E_FAIL);
	}
	credential_read(type, &cred, &len);
	tcsd_writer_init_reply(out, 2);
	tcsd_put_sized(out, &slot, cred, len);
	free(cred);
	return TSS_SUCCESS;
}

const struct tcsd_handler tcs_identity_handlers[] = {
	{ TCSD_ORD_MAKEIDENTITY, tcs_make_identity },
	{ TCSD_ORD_ACTIVATETPMIDENTITY, tcs_activate_identity },
	{ TCSD_ORD_GETCREDENTIAL, tcs_get_credential },
	{ 0, NULL },
};
