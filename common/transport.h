/*
 * Transport sessions (TPM 1.2 Part 1 §24, Part 3 §24): the pieces both
 * sides of the stack need, free of any I/O.
 *
 * A transport session wraps whole TPM commands in TPM_ExecuteTransport:
 *
 *   wrappedCmd = TAGw | LENw | ORDw | HANDLESw | DATAw | AUTH1w | AUTH2w
 *   wrappedRsp = TAGw | LENw | RCw  | HANDLESw | DATAw | AUTH1w | AUTH2w
 *
 * DATAw (the parameters between the handles and the auth trailers) is
 * what the session encrypts and what its digests cover: H1 = SHA-1(ORDw ||
 * DATAw) for the command, H2 = SHA-1(RCw || ORDw || DATAw) for the response
 * (Part 3 §24.2 steps 6 and 14). TPM_OIAP and TPM_OSAP have no DATAw in
 * this sense: nothing of theirs is encrypted or digested (step 4.c).
 *
 * Encryption (steps 4 and 17), chosen by TPM_TRANSPORT_PUBLIC:
 *   TPM_ALG_MGF1:   DATAw XOR MGF1(nonceEven || nonceOdd || "in"|"out" || secret)
 *   TPM_ALG_AES128 with TPM_ES_SYM_CTR: AES-128 (key = first 16 bytes of the
 *     secret) in counter mode, initial counter MGF1(nonceEven || nonceOdd ||
 *     "in"|"out") truncated to one block; the TPM increments only the low
 *     32 bits of the counter (libtpms tpm_crypto.c says so; so does Part 1
 *     §31.1.3), not the whole block as OpenSSL's CTR mode does.
 * The command uses the session's last nonceEven and the command's nonceOdd;
 * the response the nonceEven it carries and the same nonceOdd.
 *
 * Functions return 0 or a negative errno (-EINVAL bad argument or
 * unsupported algorithm, -EIO crypto failure).
 */
#ifndef TSS12_TRANSPORT_H
#define TSS12_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "tpm_structs.h"

#define TRANSPORT_DIGEST_LEN 20
#define TRANSPORT_SECRET_LEN 20
/* Bytes of TPM_TRANSPORT_PUBLIC and TPM_TRANSPORT_AUTH on the wire. */
#define TRANSPORT_PUBLIC_LEN (2 + 4 + 4 + 2)
#define TRANSPORT_AUTH_LEN (2 + TRANSPORT_SECRET_LEN)
/* Bytes of TPM_CURRENT_TICKS (Part 2 §15.1). */
#define TRANSPORT_CURRENT_TICKS_LEN (2 + 8 + 2 + 20)

/* TPM_TRANSPORT_PUBLIC (Part 2 §13.1), tag TPM_TAG_TRANSPORT_PUBLIC. */
struct transport_public {
	uint32_t attributes;	/* TPM_TRANSPORT_ENCRYPT | _LOG | _EXCLUSIVE */
	uint32_t alg_id;	/* TPM_ALG_MGF1 or TPM_ALG_AES128 */
	uint16_t enc_scheme;	/* TPM_ES_NONE (MGF1) or TPM_ES_SYM_CTR (AES) */
};

void transport_public_put(struct buf_writer *w, const struct transport_public *pub);
/* Reads one; -EINVAL (sticky on r) for a wrong tag. */
int transport_public_get(struct buf_reader *r, struct transport_public *pub);
/* TPM_TRANSPORT_AUTH (Part 2 §13.2): tag, authData. */
void transport_auth_put(struct buf_writer *w, const uint8_t secret[TRANSPORT_SECRET_LEN]);
/* Whether the TPM-side rules allow this algorithm/scheme pair (Part 3 §24.1 step 3). */
bool transport_public_supported(const struct transport_public *pub);

/*
 * Encrypts or decrypts (the same operation) len bytes of DATAw in place.
 * response selects "out" (the TPM's answer) over "in" (the command).
 * Does nothing unless pub->attributes has TPM_TRANSPORT_ENCRYPT.
 */
int transport_crypt(const struct transport_public *pub, const uint8_t secret[TRANSPORT_SECRET_LEN],
		    const uint8_t nonce_even[20], const uint8_t nonce_odd[20], bool response,
		    uint8_t *data, size_t len);

/* AES-128 in the TPM's counter mode (low 32 bits incremented), in place. */
int transport_aes128_ctr(const uint8_t key[16], const uint8_t ctr[16], uint8_t *data, size_t len);

/* H1 = SHA-1(ORDw || DATAw). */
int transport_cmd_digest(uint32_t ordinal, const uint8_t *data, size_t len,
			 uint8_t out[TRANSPORT_DIGEST_LEN]);
/* H2 = SHA-1(RCw || ORDw || DATAw). */
int transport_rsp_digest(uint32_t result, uint32_t ordinal, const uint8_t *data, size_t len,
			 uint8_t out[TRANSPORT_DIGEST_LEN]);
/* inParamDigest of TPM_ExecuteTransport: SHA-1(ORDet || wrappedCmdSize || H1). */
int transport_exec_in_digest(uint32_t wrapped_cmd_size, const uint8_t h1[TRANSPORT_DIGEST_LEN],
			     uint8_t out[TRANSPORT_DIGEST_LEN]);
/*
 * outParamDigest of TPM_ExecuteTransport: SHA-1(RCet || ORDet ||
 * currentTicks (UINT64) || locality || wrappedRspSize || H2).
 */
int transport_exec_out_digest(uint32_t result, uint64_t current_ticks, uint32_t locality,
			      uint32_t wrapped_rsp_size, const uint8_t h2[TRANSPORT_DIGEST_LEN],
			      uint8_t out[TRANSPORT_DIGEST_LEN]);

/* transDigest = SHA-1(transDigest || TPM_TRANSPORT_LOG_IN(parameters, pubKeyHash)). */
int transport_log_in_extend(uint8_t log[TRANSPORT_DIGEST_LEN],
			    const uint8_t params[TRANSPORT_DIGEST_LEN],
			    const uint8_t pubkey_hash[TRANSPORT_DIGEST_LEN]);
/* transDigest = SHA-1(transDigest || TPM_TRANSPORT_LOG_OUT(ticks, parameters, locality)). */
int transport_log_out_extend(uint8_t log[TRANSPORT_DIGEST_LEN],
			     const struct tpm_current_ticks *ticks,
			     const uint8_t params[TRANSPORT_DIGEST_LEN], uint32_t locality);

/*
 * TPM_SIGN_INFO of TPM_ReleaseTransportSigned (Part 3 §24.3): tag,
 * fixed "TRAN", replay nonce, the 20-byte transport log digest.
 */
void transport_sign_info_put(struct buf_writer *w, const uint8_t nonce[20],
			     const uint8_t log[TRANSPORT_DIGEST_LEN]);

#endif /* TSS12_TRANSPORT_H */
