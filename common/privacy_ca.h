/*
 * Identities (AIKs) and the privacy CA (TPM 1.2 Part 1 §11.4, Part 3
 * §15): both ends of the protocol that turns a TPM_MakeIdentity result
 * into a credential the TPM will only release to itself.
 *
 *   platform (libtspi)                         privacy CA
 *   TPM_MakeIdentity -> AIK, identityBinding
 *   TPM_IDENTITY_PROOF, sealed for the CA:
 *     privca_seal_request() -----------------> privca_open_request():
 *                                                decrypt, parse, check the
 *                                                AIK's signature over
 *                                                TPM_IDENTITY_CONTENTS
 *                                              privca_make_activation():
 *                                                session key -> EK (OAEP),
 *     TPM_ActivateIdentity(asym) <------------   credential -> session key
 *     privca_recover_credential(sym)
 *
 * The symmetric blobs are written as TrouSerS 0.3.15 writes and reads
 * them (Tspi_TPM_CollateIdentityRequest, Tspi_TPM_ActivateIdentity with
 * Trspi_SymEncrypt/Decrypt and a NULL IV): a random IV, then the CBC
 * ciphertext with PKCS#7 padding; TPM_KEY_PARMS of the symmetric
 * algorithm carry no IV. So requests collated by TrouSerS' libtspi open
 * here, and activations made here open in TrouSerS' libtspi.
 * Algorithms: TPM_ALG_AES128 (16-byte key) and TPM_ALG_3DES (24-byte
 * key, EDE3); single DES is refused.
 *
 * The asymmetric blob of a request is encrypted to the CA's key with the
 * scheme in its TPM_KEY_PARMS: RSAES-OAEP (SHA-1, MGF1) with an empty
 * label, as TrouSerS' Trspi_RSA_Public_Encrypt does, or PKCS#1 v1.5. The
 * CA also accepts OAEP with the "TCPA" label that TPMs use. The
 * activation's TPM_ASYM_CA_CONTENTS is encrypted to the EK with OAEP
 * "TCPA", because the TPM decrypts it (Part 3 §15.2).
 *
 * Every function returns 0 or a negative errno and never aborts:
 *   -EBADMSG     a blob that does not decrypt or parse (wrong CA key,
 *                truncated, tampered, bytes left over),
 *   -EKEYREJECTED the proof parses but does not verify (identityBinding
 *                not made by the AIK over this CA and label),
 *   -EINVAL      a bad argument or an unsupported algorithm or scheme,
 *   -E2BIG       a size above its cap (tpm_structs.h caps),
 *   -ENOMEM, -EIO (OpenSSL failed; logged).
 * Outputs are zeroed on entry; heap outputs are freed with free() (and
 * secrets in them were wiped by the callee when it fails).
 */
#ifndef TSS12_PRIVACY_CA_H
#define TSS12_PRIVACY_CA_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "tpm_structs.h"

/* ---- session keys and symmetric blobs ---- */

/*
 * A fresh random TPM_SYMMETRIC_KEY for alg (TPM_ALG_AES128 or
 * TPM_ALG_3DES) with the given encScheme (TPM_ES_NONE or
 * TPM_ES_SYM_CBC_PKCS5PAD: both mean CBC with PKCS#7 padding here).
 */
int privca_sym_key_new(uint32_t alg, uint16_t enc_scheme, struct tpm_symmetric_key *out);

/* IV || CBC-PKCS#7(in) under key; a fresh random IV. */
int privca_sym_encrypt(const struct tpm_symmetric_key *key, const void *in, size_t in_len,
		       uint8_t **out, size_t *out_len);
/* The inverse; a wrong key or bad padding gives -EBADMSG. */
int privca_sym_decrypt(const struct tpm_symmetric_key *key, const uint8_t *in, size_t in_len,
		       uint8_t **out, size_t *out_len);

/* ---- the CA's public key as the platform names it ---- */

/*
 * TPM_PUBKEY of the CA: parms (as the platform's key object had them and
 * the request's asymAlgorithm repeats) and the modulus of ca. parms must
 * describe ca: RSA, keyLength = modulus bits, the same exponent.
 */
int privca_ca_pubkey(EVP_PKEY *ca, const struct tpm_key_parms *parms, struct tpm_pubkey *out);

/* labelPrivCADigest = SHA1(label || TPM_PUBKEY(CA)) (Part 3 §15.1 step 5). */
int privca_label_digest(const uint8_t *label, size_t label_len, const struct tpm_pubkey *ca,
			uint8_t out[TPM_STRUCT_DIGEST_LEN]);

/* ---- platform side ---- */

/*
 * Seals an encoded TPM_IDENTITY_PROOF for the CA whose TPM_PUBKEY is ca:
 * a fresh session key of sym_alg encrypts the proof, ca's key the
 * session key. The result is an encoded TPM_IDENTITY_REQ.
 */
int privca_seal_request(const struct tpm_pubkey *ca, uint32_t sym_alg, const uint8_t *proof,
			size_t proof_len, uint8_t **req, size_t *req_len);

/*
 * The credential in an encoded TPM_SYM_CA_ATTESTATION, decrypted with
 * the session key TPM_ActivateIdentity released.
 */
int privca_recover_credential(const struct tpm_symmetric_key *session_key, const uint8_t *sym_ca,
			      size_t sym_ca_len, uint8_t **cred, size_t *cred_len);

/* ---- CA side ---- */

/*
 * Opens an encoded TPM_IDENTITY_REQ with the CA's private key: decrypts
 * the session key and the proof, parses the proof and verifies it
 * (privca_verify_proof with the label it carries and the CA's
 * TPM_PUBKEY built from the request's asymAlgorithm). On success *proof
 * holds the verified proof (free with tpm_identity_proof_free).
 * Every byte of the request is checked, except the three credentials:
 * identityBinding does not cover them (Part 2 §12.7), so the CA must
 * verify them itself (the EK certificate's signature, its EK).
 */
int privca_open_request(EVP_PKEY *ca_key, const uint8_t *req, size_t req_len,
			struct tpm_identity_proof *proof);

/*
 * Checks identityBinding: a PKCS#1 v1.5 SHA-1 signature by the proof's
 * AIK over TPM_IDENTITY_CONTENTS {1.1.0.0, TPM_ORD_MakeIdentity,
 * label_digest, AIK}. -EKEYREJECTED when it does not verify.
 */
int privca_verify_proof(const struct tpm_identity_proof *proof,
			const uint8_t label_digest[TPM_STRUCT_DIGEST_LEN]);

/*
 * The activation for a verified AIK: *asym is TPM_ASYM_CA_CONTENTS
 * {session key, SHA1(TPM_PUBKEY(aik))} encrypted to ek (OAEP "TCPA"), the
 * blob TPM_ActivateIdentity takes; *sym is TPM_SYM_CA_ATTESTATION with
 * cred encrypted under that session key (sym_alg: TPM_ALG_AES128 or
 * TPM_ALG_3DES).
 */
int privca_make_activation(EVP_PKEY *ek, const struct tpm_pubkey *aik, uint32_t sym_alg,
			   const uint8_t *cred, size_t cred_len, uint8_t **asym, size_t *asym_len,
			   uint8_t **sym, size_t *sym_len);

#endif /* TSS12_PRIVACY_CA_H */
