/*
 * libtspi: transport sessions (TSS 1.2 §4.3.4.3.x, TPM 1.2 Part 1 §24,
 * Part 3 §24): the session's life and the cryptography around each
 * wrapped command. Which TCS calls are wrapped, and how, is rpc.c's table.
 *
 * The session is established lazily, by the first wrapped command after
 * the application enabled transport on its context, as TrouSerS does:
 * a fresh 20-byte secret, sent to the TPM encrypted under the key given
 * to Tspi_Context_SetTransEncryptionKey (OAEP "TCPA", TPM_TRANSPORT_AUTH
 * inside), or in the clear as TPM_KH_TRANSPORT's "static" secret when the
 * application asked for TSS_TSPATTRIB_TRANSPORT_STATIC_AUTH or set no key
 * and no encryption. The session's nonces roll with every command; the
 * transport log digest (TSS_TSPATTRIB_TRANSPORT_AUTHENTIC_CHANNEL) is kept
 * here exactly as the TPM keeps it, so that the signature returned by
 * TPM_ReleaseTransportSigned can be checked over our own digest.
 *
 * Default algorithm TPM_ALG_MGF1 (what TrouSerS uses); setting
 * $TSS12_TRANSPORT_CIPHER=aes128-ctr selects TPM_ALG_AES128 with
 * TPM_ES_SYM_CTR for TPMs that refuse MGF1 (FIPS mode).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <tss/tpm.h>
#include <tss/tpm_ordinal.h>

#include "tss/tspi.h"
#include "tss/tcs_defines.h"

#include "auth.h"
#include "buf.h"
#include "crypto.h"
#include "keys.h"
#include "log.h"
#include "obj.h"
#include "rpc.h"
#include "session.h"
#include "transport.h"

/* TPM_CURRENT_TICKS, the only ticks blob a TPM 1.2 returns. */
#define TICKS_MAX 64u
/* An RSA signature of at most a 4096-bit key. */
#define SIG_MAX 512u

struct transport_session {
	TSS_HKEY key;			/* Tspi_Context_SetTransEncryptionKey, 0 = none */
	bool established;
	struct transport_public pub;
	BYTE secret[TRANSPORT_SECRET_LEN];
	UINT32 handle;			/* the TPM's transport handle */
	BYTE nonce_even[20];		/* transLastNonceEven */
	UINT32 locality;
	struct tpm_current_ticks ticks;	/* tick rate and nonce of the TPM's boot session */
	BYTE log[TRANSPORT_DIGEST_LEN];	/* transDigest */
};

/* The context's session state, created on demand; NULL if not connected. */
static struct transport_session *session_state(struct tspi_ctx *ctx, TSS_RESULT *rc)
{
	struct transport_session **slot = rpc_transport_slot(ctx);

	if (slot == NULL) {
		*rc = TSP_ERROR(TSS_E_NO_CONNECTION);
		return NULL;
	}
	if (*slot == NULL && (*slot = calloc(1, sizeof(**slot))) == NULL) {
		*rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		return NULL;
	}
	*rc = TSS_SUCCESS;
	return *slot;
}

/* Forgets everything of an ended session but the encryption key. */
static void session_reset(struct transport_session *t)
{
	TSS_HKEY key = t->key;

	OPENSSL_cleanse(t, sizeof(*t));
	t->key = key;
}

static TSS_RESULT errno_rc(int err)
{
	if (err == 0)
		return TSS_SUCCESS;
	return err == -ENOMEM ? TSP_ERROR(TSS_E_OUTOFMEMORY) : TSP_ERROR(TSS_E_INTERNAL_ERROR);
}

/* ---- the transport log's pubKeyHash (Part 3 §24.2 step 10) ---- */

static bool all_zero(const BYTE *p, size_t n)
{
	BYTE acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/*
 * Asks the TPM for a key's public part (TPM_GetPubKey) and lets the object
 * remember it: the SRK's stored blob carries no modulus (zeros, as
 * TrouSerS stores it). Sent outside the transport session, since logging
 * that very command would need the key's public part.
 */
static TSS_RESULT fetch_pubkey(struct tspi_ctx *ctx, struct obj *key)
{
	struct rsakey *rk = rsakey_of(key);
	struct tpm_pubkey pk;
	BYTE *pub = NULL;
	UINT32 pub_len = 0;
	TSS_RESULT rc;

	rpc_transport_bypass(ctx, 1);
	/* TPM_GetPubKey refuses the SRK unless readSRKPub is set: ask as the owner. */
	if (rk->tcs_handle == TPM_KH_SRK && ctx->tpm != 0)
		rc = Tspi_TPM_OwnerGetSRKPubKey(ctx->tpm, &pub_len, &pub);
	else
		rc = Tspi_Key_GetPubKey(key->handle, &pub_len, &pub);
	rpc_transport_bypass(ctx, -1);
	if (rc != TSS_SUCCESS)
		return rc;
	memset(&pk, 0, sizeof(pk));
	if (tpm_pubkey_decode(pub, pub_len, &pk) != 0 || pk.pub_key.key_len == 0) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
	} else {
		/* The object learns its public key (the stored blob stays as it was). */
		tpm_store_pubkey_free(&rk->key.pub_key);
		rk->key.pub_key = pk.pub_key;
		memset(&pk.pub_key, 0, sizeof(pk.pub_key));
	}
	tpm_pubkey_free(&pk);
	ctx_free(ctx, pub);
	return rc;
}

static bool pubkey_known(struct rsakey *rk)
{
	return rk->key.pub_key.key_len != 0 &&
	       !all_zero(rk->key.pub_key.key, rk->key.pub_key.key_len);
}

/*
 * Before a logged session starts: every loaded key of ctx whose public
 * part is unknown is asked for it now, while an unwrapped command cannot
 * end an exclusive session yet. Failures only mean that a later wrapped
 * command on that key cannot be logged.
 */
static void prefetch_pubkeys(struct tspi_ctx *ctx)
{
	struct obj *o = NULL;

	while ((o = obj_next_in(ctx, o, OBJ_RSAKEY)) != NULL) {
		struct rsakey *rk = rsakey_of(o);

		if (rk->loaded && !pubkey_known(rk) && fetch_pubkey(ctx, o) != TSS_SUCCESS)
			log_warn("tspi: public part of TCS key 0x%x unknown; a logged transport "
				 "session cannot use it", rk->tcs_handle);
	}
}

/* SHA-1 of the TPM_STORE_PUBKEY of the key ctx knows by this TCS handle. */
static TSS_RESULT store_pubkey_digest(struct tspi_ctx *ctx, UINT32 tcs_handle, BYTE out[20])
{
	struct obj *o = NULL, *blank = NULL;
	BYTE len_be[4];

	while ((o = obj_next_in(ctx, o, OBJ_RSAKEY)) != NULL) {
		struct rsakey *rk = rsakey_of(o);

		if (!rk->loaded || rk->tcs_handle != tcs_handle)
			continue;
		if (!pubkey_known(rk)) {
			blank = o;
			continue;
		}
		buf_store_be32(len_be, rk->key.pub_key.key_len);
		return errno_rc(CRYPTO_SHA1_PIECES(out, { len_be, 4 },
						   { rk->key.pub_key.key, rk->key.pub_key.key_len }));
	}
	/* Outside an exclusive session the TPM may still be asked. */
	if (blank != NULL && !(ctx->trans_control & TSS_TSPATTRIB_TRANSPORT_EXCLUSIVE) &&
	    fetch_pubkey(ctx, blank) == TSS_SUCCESS)
		return store_pubkey_digest(ctx, tcs_handle, out);
	log_error("tspi: transport log needs the public key of TCS key 0x%x, which this "
		  "context does not know", tcs_handle);
	return TSP_ERROR(TSS_E_TSP_TRANS_NO_PUBKEY);
}

static TSS_RESULT pubkey_hash(struct tspi_ctx *ctx, const struct transport_call *call,
			      BYTE out[20])
{
	BYTE k[2][20];
	TSS_RESULT rc;

	memset(out, 0, 20);
	if (call->num_handles == 0 || !call->key_handles)
		return TSS_SUCCESS;
	for (UINT32 i = 0; i < call->num_handles; i++)
		if ((rc = store_pubkey_digest(ctx, call->handles[i], k[i])) != TSS_SUCCESS)
			return rc;
	return errno_rc(crypto_sha1(k, 20 * call->num_handles, out));
}

/* ---- EstablishTransport (Part 3 §24.1) ---- */

static void choose_cipher(struct transport_public *pub)
{
	const char *env = getenv("TSS12_TRANSPORT_CIPHER");

	pub->alg_id = TPM_ALG_MGF1;
	pub->enc_scheme = TPM_ES_NONE;
	if (env != NULL && strcmp(env, "aes128-ctr") == 0) {
		pub->alg_id = TPM_ALG_AES128;
		pub->enc_scheme = TPM_ES_SYM_CTR;
	}
}

/* The encrypted TPM_TRANSPORT_AUTH for the key, into out (cap bytes). */
static TSS_RESULT wrap_secret(struct obj *key, const BYTE secret[20], BYTE *out, size_t cap,
			      size_t *out_len)
{
	BYTE blob[TRANSPORT_AUTH_LEN];
	struct buf_writer w;
	EVP_PKEY *pk = NULL;
	TSS_RESULT rc;

	buf_writer_init_fixed(&w, blob, sizeof(blob));
	transport_auth_put(&w, secret);
	if ((rc = rsakey_evp(key, &pk)) != TSS_SUCCESS)
		goto out;
	rc = errno_rc(crypto_rsa_encrypt_oaep_tcpa(pk, blob, sizeof(blob), out, cap, out_len));
out:
	crypto_rsa_free(pk);
	OPENSSL_cleanse(blob, sizeof(blob));
	return rc;
}

static TSS_RESULT establish(struct tspi_ctx *ctx, struct transport_session *t)
{
	UINT32 mode = ctx->trans_control & RPC_TRANS_MODE_MASK;
	BYTE pub_blob[TRANSPORT_PUBLIC_LEN], enc[CRYPTO_RSA_MAX_BYTES];
	BYTE digest[20], in_digest[20], zero[20] = { 0 }, size_be[4], loc_be[4];
	const BYTE *secret_wire;
	size_t secret_len;
	struct buf_writer w;
	struct obj *key = NULL;
	struct session s;
	bool have_session = false;
	TPM_AUTH auth;
	UINT32 key_handle = TPM_KH_TRANSPORT, ticks_len = 0, handle = 0, locality = 0;
	BYTE *ticks = NULL, nonce_even[20];
	struct rpc_msg *m = NULL;
	TSS_RESULT rc;
	int err;

	session_reset(t);
	memset(&auth, 0, sizeof(auth));
	if (mode & TSS_TSPATTRIB_TRANSPORT_AUTHENTIC_CHANNEL)
		t->pub.attributes |= TPM_TRANSPORT_LOG;
	if (mode & TSS_TSPATTRIB_TRANSPORT_EXCLUSIVE)
		t->pub.attributes |= TPM_TRANSPORT_EXCLUSIVE;
	if (mode & TSS_TSPATTRIB_TRANSPORT_DEFAULT_ENCRYPTION)
		t->pub.attributes |= TPM_TRANSPORT_ENCRYPT;
	choose_cipher(&t->pub);
	if ((err = crypto_random(t->secret, sizeof(t->secret))) != 0)
		return errno_rc(err);

	if (t->key != 0 && !(mode & TSS_TSPATTRIB_TRANSPORT_STATIC_AUTH)) {
		if ((rc = obj_lookup_in(ctx, t->key, OBJ_RSAKEY, &key)) != TSS_SUCCESS ||
		    (rc = rsakey_tcs_handle(key, &key_handle)) != TSS_SUCCESS)
			return rc;
		if (!rsakey_needs_auth(key)) {
			log_error("tspi: the transport encryption key must require authorisation");
			return TSP_ERROR(TSS_E_TSP_TRANS_AUTHREQUIRED);
		}
		if ((rc = wrap_secret(key, t->secret, enc, sizeof(enc), &secret_len)))
			return rc;
		secret_wire = enc;
	} else if (t->pub.attributes & TPM_TRANSPORT_ENCRYPT) {
		/* An encrypted session needs its secret sent encrypted (TrouSerS agrees). */
		log_error("tspi: transport encryption needs Tspi_Context_SetTransEncryptionKey");
		return TSP_ERROR(TSS_E_TSP_TRANS_NO_PUBKEY);
	} else {
		secret_wire = t->secret;
		secret_len = sizeof(t->secret);
	}
	buf_writer_init_fixed(&w, pub_blob, sizeof(pub_blob));
	transport_public_put(&w, &t->pub);
	if (t->pub.attributes & TPM_TRANSPORT_LOG)
		prefetch_pubkeys(ctx);

	/* 1S: ordinal || transPublic || secretSize || secret. */
	buf_store_be32(size_be, (UINT32)secret_len);
	if ((err = auth_digest_request(TPM_ORD_EstablishTransport,
				       (struct crypto_iov[]){ { pub_blob, sizeof(pub_blob) },
							      { size_be, 4 },
							      { secret_wire, secret_len } },
				       3, in_digest)) != 0)
		return errno_rc(err);

	rpc_transport_bypass(ctx, 1);
	if (key != NULL) {
		if ((rc = session_oiap(ctx, rsakey_usage_policy(key), key->handle, &s)))
			goto out;
		have_session = true;
		if ((rc = session_auth(&s, TPM_ORD_EstablishTransport, in_digest, &auth)))
			goto out;
	}
	if ((rc = rpc_begin(ctx, TCSD_ORD_ESTABLISHTRANSPORT, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, (mode & TSS_TSPATTRIB_TRANSPORT_EXCLUSIVE) ?
			       TSS_TCSATTRIB_TRANSPORT_EXCLUSIVE : TSS_TCSATTRIB_TRANSPORT_DEFAULT);
	rpc_put_u32(m, key_handle);
	rpc_put_sized(m, pub_blob, sizeof(pub_blob));
	rpc_put_sized(m, secret_wire, (uint32_t)secret_len);
	if (have_session)
		rpc_put_auth(m, &auth);
	if ((rc = rpc_call(m)) != TSS_SUCCESS)
		goto out;
	if (have_session)
		rpc_get_auth(m, &auth);
	rpc_get_u32(m, &locality);
	rpc_get_u32(m, &handle);
	rpc_get_sized(m, TICKS_MAX, &ticks_len, &ticks);
	rpc_get_nonce(m, nonce_even);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;
	if ((err = tpm_current_ticks_decode(ticks, ticks_len, &t->ticks)) != 0) {
		log_error("tspi: EstablishTransport returned malformed ticks");
		rc = TSP_ERROR(TSS_E_COMM_FAILURE);
		goto out;
	}
	/* 4S..: locality || currentTicks || transNonceEven. */
	buf_store_be32(loc_be, locality);
	if ((err = auth_digest_response(0, TPM_ORD_EstablishTransport,
					(struct crypto_iov[]){ { loc_be, 4 },
							       { ticks, ticks_len },
							       { nonce_even, 20 } },
					3, digest)) != 0) {
		rc = errno_rc(err);
		goto out;
	}
	if (have_session && (rc = session_verify(&s, digest, &auth)) != TSS_SUCCESS)
		goto out;
	if (t->pub.attributes & TPM_TRANSPORT_LOG) {
		/* Part 3 §24.1 step 8: the log starts with this command. */
		memcpy(t->log, zero, sizeof(t->log));
		if ((err = transport_log_in_extend(t->log, in_digest, zero)) != 0 ||
		    (err = transport_log_out_extend(t->log, &t->ticks, digest, locality)) != 0) {
			rc = errno_rc(err);
			goto out;
		}
	}
	t->handle = handle;
	t->locality = locality;
	memcpy(t->nonce_even, nonce_even, sizeof(t->nonce_even));
	t->established = true;
	log_debug("tspi: transport session 0x%x established (attributes 0x%x, alg 0x%x)",
		  handle, t->pub.attributes, t->pub.alg_id);
out:
	if (have_session)
		session_end(&s, rc);
	rpc_end(m);
	rpc_transport_bypass(ctx, -1);
	free(ticks);
	OPENSSL_cleanse(enc, sizeof(enc));
	OPENSSL_cleanse(&auth, sizeof(auth));
	if (rc != TSS_SUCCESS)
		session_reset(t);
	return rc;
}

/* ---- ExecuteTransport (Part 3 §24.2) ---- */

#define TPM_HDR_LEN 10u

TSS_RESULT transport_execute(struct tspi_ctx *ctx, struct transport_call *call)
{
	static const TPM_AUTH no_auth;
	struct transport_session *t;
	BYTE h1[20], h2[20], digest[20], pk_hash[20], hmac[20], nonce_odd[20];
	BYTE *enc = NULL, *out = NULL, *handles_out = NULL;
	UINT32 cmd_size, rsp_size, enc_len = 0, nhandles = 0, locality = 0, rcw = 0, out_len = 0;
	UINT64 ticks = 0;
	TPM_AUTH trans, a1, a2;
	struct rpc_msg *m = NULL;
	struct tpm_current_ticks log_ticks;
	bool bypass = false;
	TSS_RESULT rc;
	int err;

	if ((t = session_state(ctx, &rc)) == NULL)
		return rc;
	if (!t->established && (rc = establish(ctx, t)) != TSS_SUCCESS)
		return rc;
	if (call->num_handles > 2 || call->num_auth > 2 || call->data_len > 4096)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);

	/* Before anything uses the session's nonces: this may send a command of its own. */
	if ((t->pub.attributes & TPM_TRANSPORT_LOG) &&
	    (rc = pubkey_hash(ctx, call, pk_hash)) != TSS_SUCCESS)
		return rc;
	if (!t->established)
		return TSP_ERROR(TSS_E_TSP_TRANS_FAIL);
	/* Step 6: H1 over the plaintext; step 7: the session's HMAC over it. */
	if ((err = transport_cmd_digest(call->ordinal, call->data,
					call->no_data ? 0 : call->data_len, h1)) != 0)
		return errno_rc(err);
	cmd_size = TPM_HDR_LEN + 4 * call->num_handles + call->data_len +
		   call->num_auth * AUTH_REQUEST_TRAILER_LEN;
	if ((err = transport_exec_in_digest(cmd_size, h1, digest)) != 0 ||
	    (err = crypto_random(nonce_odd, sizeof(nonce_odd))) != 0 ||
	    (err = auth_hmac(t->secret, digest, t->nonce_even, nonce_odd, true, hmac)) != 0)
		return errno_rc(err);
	/* Step 4: the TPM decrypts DATAw with the last nonceEven and our nonceOdd. */
	if (call->data_len > 0) {
		if ((enc = malloc(call->data_len)) == NULL)
			return TSP_ERROR(TSS_E_OUTOFMEMORY);
		enc_len = call->data_len;
		memcpy(enc, call->data, call->data_len);
		if (!call->no_data &&
		    (err = transport_crypt(&t->pub, t->secret, t->nonce_even, nonce_odd, false, enc,
					   call->data_len)) != 0) {
			rc = errno_rc(err);
			goto out;
		}
	}

	memset(&trans, 0, sizeof(trans));
	trans.AuthHandle = t->handle;
	memcpy(trans.NonceOdd.nonce, nonce_odd, 20);
	trans.fContinueAuthSession = TRUE;
	memcpy(trans.HMAC.authdata, hmac, 20);
	a1 = call->num_auth > 0 ? call->auth[0] : no_auth;
	a2 = call->num_auth > 1 ? call->auth[1] : no_auth;

	rpc_transport_bypass(ctx, 1);
	bypass = true;
	if ((rc = rpc_begin(ctx, TCSD_ORD_EXECUTETRANSPORT, &m)) != TSS_SUCCESS)
		goto out;
	rpc_put_u32(m, call->ordinal);
	/* TrouSerS reads the PBYTE slot even when it is empty. */
	rpc_put_u32(m, call->data_len);
	rpc_put_bytes(m, enc, call->data_len);
	rpc_put_u32(m, call->num_handles);
	if (call->num_handles > 0) {
		/* TrouSerS sends its UINT32 array as it lies in memory: little-endian on
		 * every host it runs on; so do we, whatever our host. */
		BYTE hl[8];

		for (UINT32 i = 0; i < call->num_handles; i++) {
			UINT32 h = call->handles[i];

			hl[4 * i] = (BYTE)h;
			hl[4 * i + 1] = (BYTE)(h >> 8);
			hl[4 * i + 2] = (BYTE)(h >> 16);
			hl[4 * i + 3] = (BYTE)(h >> 24);
		}
		rpc_put_bytes(m, hl, 4 * call->num_handles);
	}
	rpc_put_auth(m, &a1);
	rpc_put_auth(m, &a2);
	rpc_put_auth(m, &trans);
	if ((rc = rpc_call(m)) != TSS_SUCCESS) {
		log_debug("tspi: ExecuteTransport(0x%x) failed: 0x%x", call->ordinal, rc);
		/* The TPM (or TCS) refused the transport command itself: the session is gone
		 * when the TPM ended it, and we cannot tell; start afresh next time. */
		session_reset(t);
		goto out;
	}
	rpc_get_u32(m, &nhandles);
	if (nhandles > 2) {
		rc = TSP_ERROR(TSS_E_COMM_FAILURE);
		goto out;
	}
	if (nhandles > 0)
		rpc_get_bytes(m, 4 * nhandles, 8, &handles_out);
	rpc_get_auth(m, &a1);
	rpc_get_auth(m, &a2);
	rpc_get_auth(m, &trans);
	rpc_get_u64(m, &ticks);
	rpc_get_u32(m, &locality);
	rpc_get_u32(m, &rcw);
	rpc_get_sized(m, 4096, &out_len, &out);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out;

	/* Step 17: the answer's DATAw comes encrypted with the new nonceEven. */
	if (rcw == TPM_SUCCESS && !call->no_data &&
	    (err = transport_crypt(&t->pub, t->secret, trans.NonceEven.nonce, nonce_odd, true, out,
				   out_len)) != 0) {
		rc = errno_rc(err);
		goto out;
	}
	/* Steps 14, 15: H2 and the session's answer HMAC. */
	rsp_size = TPM_HDR_LEN;
	/* The handles the TPM returned, not what the TCS says: TrouSerS' echoes the
	 * handle of a wrapped TPM_Terminate_Handle back. */
	if (rcw == TPM_SUCCESS)
		rsp_size += 4 * call->out_handles + out_len +
			    call->num_auth * AUTH_RESPONSE_TRAILER_LEN;
	if ((err = transport_rsp_digest(rcw, call->ordinal, out,
					call->no_data ? 0 : out_len, h2)) != 0 ||
	    (err = transport_exec_out_digest(0, ticks, locality, rsp_size, h2, digest)) != 0 ||
	    (err = auth_hmac(t->secret, digest, trans.NonceEven.nonce, nonce_odd,
			     trans.fContinueAuthSession != FALSE, hmac)) != 0) {
		rc = errno_rc(err);
		goto out;
	}
	if (!crypto_memeq(hmac, trans.HMAC.authdata, sizeof(hmac))) {
		log_error("tspi: the transport session's answer to TPM ordinal 0x%x does not "
			  "verify", call->ordinal);
		session_reset(t);
		rc = TSP_ERROR(TSS_E_TSP_TRANS_AUTHFAIL);
		goto out;
	}
	memcpy(t->nonce_even, trans.NonceEven.nonce, sizeof(t->nonce_even));
	t->locality = locality;
	if (t->pub.attributes & TPM_TRANSPORT_LOG) {
		/* Steps 10 and 16: the TPM logged both halves; so do we. */
		log_ticks = t->ticks;
		log_ticks.current_ticks = ticks;
		if ((err = transport_log_in_extend(t->log, h1, pk_hash)) != 0 ||
		    (err = transport_log_out_extend(t->log, &log_ticks, h2, locality)) != 0) {
			rc = errno_rc(err);
			goto out;
		}
	}
	if (!trans.fContinueAuthSession)
		session_reset(t);

	call->result = rcw;
	log_debug("tspi: wrapped TPM ordinal 0x%x answered 0x%x", call->ordinal, rcw);
	for (UINT32 i = 0; i < call->num_auth; i++) {
		TPM_AUTH *src = i == 0 ? &a1 : &a2;

		memcpy(&call->auth[i].NonceEven, &src->NonceEven, sizeof(src->NonceEven));
		call->auth[i].fContinueAuthSession = src->fContinueAuthSession;
		memcpy(&call->auth[i].HMAC, &src->HMAC, sizeof(src->HMAC));
	}
	if (nhandles < call->out_handles && rcw == TPM_SUCCESS) {
		rc = TSP_ERROR(TSS_E_COMM_FAILURE);
		goto out;
	}
	call->num_handles = call->out_handles;
	for (UINT32 i = 0; i < call->out_handles && rcw == TPM_SUCCESS; i++)
		call->handles[i] = (UINT32)handles_out[4 * i] | (UINT32)handles_out[4 * i + 1] << 8 |
				   (UINT32)handles_out[4 * i + 2] << 16 |
				   (UINT32)handles_out[4 * i + 3] << 24;
	if (call->data != NULL) {
		OPENSSL_cleanse(call->data, call->data_len);
		free(call->data);
	}
	call->data = out;
	call->data_len = out_len;
	out = NULL;
	rc = TSS_SUCCESS;
out:
	rpc_end(m);
	if (bypass)
		rpc_transport_bypass(ctx, -1);
	if (enc != NULL) {
		OPENSSL_cleanse(enc, enc_len);
		free(enc);
	}
	if (out != NULL) {
		OPENSSL_cleanse(out, out_len);
		free(out);
	}
	free(handles_out);
	OPENSSL_cleanse(hmac, sizeof(hmac));
	return rc;
}

/* ---- closing ---- */

void transport_session_free(struct tspi_ctx *ctx)
{
	struct transport_session **slot = rpc_transport_slot(ctx);
	struct rpc_msg *m;

	if (slot == NULL || *slot == NULL)
		return;
	if ((*slot)->established) {
		/* TPM_FlushSpecific(TPM_RT_TRANS): the TCS may not free it for us. */
		rpc_transport_bypass(ctx, 1);
		if (rpc_begin(ctx, TCSD_ORD_FLUSHSPECIFIC, &m) == TSS_SUCCESS) {
			rpc_put_u32(m, (*slot)->handle);
			rpc_put_u32(m, TPM_RT_TRANS);
			(void)rpc_call(m);
			rpc_end(m);
		}
		rpc_transport_bypass(ctx, -1);
	}
	OPENSSL_cleanse(*slot, sizeof(**slot));
	free(*slot);
	*slot = NULL;
}

TSS_RESULT Tspi_Context_SetTransEncryptionKey(TSS_HCONTEXT hContext, TSS_HKEY hIdentKey)
{
	struct transport_session *t;
	struct obj *o, *key;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &o)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_lookup_in(o->ctx, hIdentKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS)
		goto out;
	if ((t = session_state(o->ctx, &rc)) == NULL)
		goto out;
	/* Used by the next EstablishTransport; an open session keeps its secret. */
	t->key = hIdentKey;
out:
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_Context_CloseSignTransport(TSS_HCONTEXT hContext, TSS_HKEY hSigningKey,
					   TSS_VALIDATION *pValidationData)
{
	struct transport_session *t;
	struct obj *o, *key;
	struct session s;
	bool have_session = false;
	BYTE nonce[20], nonce_odd[20], in_digest[20], digest[20], hmac[20], size_be[4], loc_be[4];
	BYTE sinfo[2 + 4 + 20 + 4 + 20], sinfo_digest[20];
	BYTE *ticks = NULL, *sig = NULL;
	UINT32 key_handle, locality = 0, ticks_len = 0, sig_len = 0;
	TPM_AUTH kauth, tauth;
	struct rpc_msg *m = NULL;
	struct buf_writer w;
	struct tpm_current_ticks log_ticks;
	EVP_PKEY *pk = NULL;
	TSS_RESULT rc;
	int err;

	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &o)) != TSS_SUCCESS)
		return rc;
	memset(&kauth, 0, sizeof(kauth));
	memset(&tauth, 0, sizeof(tauth));
	if ((rc = obj_lookup_in(o->ctx, hSigningKey, OBJ_RSAKEY, &key)) != TSS_SUCCESS ||
	    (rc = rsakey_tcs_handle(key, &key_handle)) != TSS_SUCCESS)
		goto out;
	if ((t = session_state(o->ctx, &rc)) == NULL)
		goto out;
	if (!(o->ctx->trans_control & RPC_TRANS_ENABLED) || !t->established) {
		/* TrouSerS answers this way when no session is open. */
		log_error("tspi: Tspi_Context_CloseSignTransport without a transport session");
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if (pValidationData != NULL) {
		if (pValidationData->ulExternalDataLength != sizeof(nonce) ||
		    pValidationData->rgbExternalData == NULL) {
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			goto out;
		}
		memcpy(nonce, pValidationData->rgbExternalData, sizeof(nonce));
	} else if ((err = crypto_random(nonce, sizeof(nonce))) != 0) {
		rc = errno_rc(err);
		goto out;
	}

	/* 1S: ordinal || antiReplay, for both the key's and the session's HMAC. */
	if ((err = auth_digest_request(TPM_ORD_ReleaseTransportSigned,
				       (struct crypto_iov[]){ { nonce, 20 } }, 1, in_digest)) != 0 ||
	    (err = crypto_random(nonce_odd, sizeof(nonce_odd))) != 0 ||
	    (err = auth_hmac(t->secret, in_digest, t->nonce_even, nonce_odd, false, hmac)) != 0) {
		rc = errno_rc(err);
		goto out;
	}
	tauth.AuthHandle = t->handle;
	memcpy(tauth.NonceOdd.nonce, nonce_odd, 20);
	tauth.fContinueAuthSession = FALSE;
	memcpy(tauth.HMAC.authdata, hmac, 20);

	/* The key's OIAP session is opened inside the transport session (an unwrapped
	 * command would end an exclusive one); ReleaseTransportSigned is never wrapped. */
	if (rsakey_needs_auth(key)) {
		if ((rc = session_oiap(o->ctx, rsakey_usage_policy(key), key->handle, &s)))
			goto out_bypass;
		have_session = true;
		if ((rc = session_auth(&s, TPM_ORD_ReleaseTransportSigned, in_digest, &kauth)))
			goto out_bypass;
	}
	if ((rc = rpc_begin(o->ctx, TCSD_ORD_RELEASETRANSPORTSIGNED, &m)) != TSS_SUCCESS)
		goto out_bypass;
	rpc_put_u32(m, key_handle);
	rpc_put_nonce(m, nonce);
	rpc_put_auth(m, &kauth);	/* all zeros without a key session, as TrouSerS */
	rpc_put_auth(m, &tauth);
	rc = rpc_call(m);
	/* Whatever the outcome, the TPM has ended the session (continue FALSE). */
	t->established = false;
	if (rc != TSS_SUCCESS)
		goto out_bypass;
	rpc_get_auth(m, &kauth);
	rpc_get_auth(m, &tauth);
	rpc_get_u32(m, &locality);
	rpc_get_sized(m, TICKS_MAX, &ticks_len, &ticks);
	rpc_get_sized(m, SIG_MAX, &sig_len, &sig);
	if ((rc = rpc_get_done(m)) != TSS_SUCCESS)
		goto out_bypass;
	buf_store_be32(loc_be, locality);
	buf_store_be32(size_be, sig_len);
	if ((err = auth_digest_response(0, TPM_ORD_ReleaseTransportSigned,
					(struct crypto_iov[]){ { loc_be, 4 },
							       { ticks, ticks_len },
							       { size_be, 4 },
							       { sig, sig_len } },
					4, digest)) != 0) {
		rc = errno_rc(err);
		goto out_bypass;
	}
	if (have_session && (rc = session_verify(&s, digest, &kauth)) != TSS_SUCCESS)
		goto out_bypass;
	if ((err = auth_hmac(t->secret, digest, tauth.NonceEven.nonce, nonce_odd,
			     tauth.fContinueAuthSession != FALSE, hmac)) != 0) {
		rc = errno_rc(err);
		goto out_bypass;
	}
	if (!crypto_memeq(hmac, tauth.HMAC.authdata, sizeof(hmac))) {
		log_error("tspi: ReleaseTransportSigned's answer does not verify");
		rc = TSP_ERROR(TSS_E_TSP_TRANS_AUTHFAIL);
		goto out_bypass;
	}
	if (t->pub.attributes & TPM_TRANSPORT_LOG) {
		/* Part 3 §24.3 step 6: the TPM logs this command before signing. */
		if ((err = tpm_current_ticks_decode(ticks, ticks_len, &log_ticks)) != 0 ||
		    (err = transport_log_out_extend(t->log, &log_ticks, in_digest, locality)) != 0) {
			rc = err == -ENOMEM ? TSP_ERROR(TSS_E_OUTOFMEMORY)
					    : TSP_ERROR(TSS_E_COMM_FAILURE);
			goto out_bypass;
		}
	}
	/* The TPM signed SHA-1(TPM_SIGN_INFO{ "TRAN", antiReplay, transDigest }). */
	buf_writer_init_fixed(&w, sinfo, sizeof(sinfo));
	transport_sign_info_put(&w, nonce, t->log);
	if (buf_writer_error(&w) != 0 || (err = crypto_sha1(sinfo, sizeof(sinfo), sinfo_digest))) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out_bypass;
	}
	if (pValidationData != NULL) {
		rc = keys_out_bytes(o->ctx, sinfo, sizeof(sinfo), &pValidationData->ulDataLength,
				    &pValidationData->rgbData);
		if (rc == TSS_SUCCESS)
			rc = keys_out_bytes(o->ctx, sig, sig_len,
					    &pValidationData->ulValidationDataLength,
					    &pValidationData->rgbValidationData);
	} else {
		/* No validation data to hand back: check the signature ourselves. */
		if ((rc = rsakey_evp(key, &pk)) != TSS_SUCCESS)
			goto out_bypass;
		if (crypto_rsa_verify_sha1(pk, sinfo_digest, sig, sig_len) != 0) {
			log_error("tspi: the transport session's signature does not verify");
			rc = TSP_ERROR(TSS_E_TSP_TRANS_AUTHFAIL);
		}
	}
out_bypass:
	/* The session is over: whatever session_end sends must not open a new one. */
	rpc_transport_bypass(o->ctx, 1);
	if (have_session)
		session_end(&s, rc);
	rpc_transport_bypass(o->ctx, -1);
	rpc_end(m);
	session_reset(t);
out:
	crypto_rsa_free(pk);
	free(ticks);
	free(sig);
	OPENSSL_cleanse(hmac, sizeof(hmac));
	obj_release(o);
	return rc;
}
