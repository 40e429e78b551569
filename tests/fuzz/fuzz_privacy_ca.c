/*
 * libFuzzer target for the privacy CA's parsers (common/privacy_ca.c):
 * what a CA reads from platforms it does not trust.
 *
 * The first input byte picks the entry point (modulo 4), the rest is the
 * input:
 *   0  privca_open_request() on a TPM_IDENTITY_REQ as received;
 *   1  the bytes are a TPM_IDENTITY_PROOF: sealed here for the CA (so
 *      the fuzzer reaches the proof parser and the binding check behind
 *      the RSA and CBC layers it cannot forge), then opened;
 *   2  privca_recover_credential() on a TPM_SYM_CA_ATTESTATION with a
 *      fixed session key (what libtspi does after ActivateIdentity);
 *   3  tpm_identity_proof_decode() + privca_verify_proof().
 * Nothing may crash or leak; an accepted proof in mode 0/1 would be a
 * forged AIK signature and aborts.
 * Seeds: tests/fuzz/corpus/privacy_ca/.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <tss/platform.h>
#include <tss/tpm.h>

#include "crypto.h"
#include "log.h"
#include "privacy_ca.h"
#include "tpm_structs.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static EVP_PKEY *ca_key;
static struct tpm_pubkey ca_pub;
static struct tpm_symmetric_key session_key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct tpm_key_parms p;

	log_init("fuzz_privacy_ca", LOG_SINK_NONE, LOG_LVL_ERROR);
	memset(&p, 0, sizeof(p));
	p.algorithm_id = TPM_ALG_RSA;
	p.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1;
	p.sig_scheme = TPM_SS_NONE;
	p.kind = TPM_PARMS_RSA;
	p.rsa.key_length = 1024;
	p.rsa.num_primes = 2;
	/* A small CA key keeps each run fast; the parsers do not care. */
	if (crypto_rsa_generate(1024, &ca_key) != 0 || privca_ca_pubkey(ca_key, &p, &ca_pub) != 0)
		abort();
	session_key.alg_id = TPM_ALG_AES128;
	session_key.enc_scheme = TPM_ES_SYM_CBC_PKCS5PAD;
	session_key.size = 16;
	memset(session_key.data, 0x42, 16);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpm_identity_proof proof;
	uint8_t *req = NULL, *cred = NULL, digest[20] = { 0 };
	size_t req_len = 0, cred_len = 0;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		if (privca_open_request(ca_key, data + 1, size - 1, &proof) == 0)
			abort();
		break;
	case 1:
		if (privca_seal_request(&ca_pub, data[0] & 0x80 ? TPM_ALG_3DES : TPM_ALG_AES128,
					data + 1, size - 1, &req, &req_len) == 0 &&
		    privca_open_request(ca_key, req, req_len, &proof) == 0)
			abort(); /* the fuzzer forged an AIK signature */
		free(req);
		break;
	case 2:
		if (privca_recover_credential(&session_key, data + 1, size - 1, &cred,
					      &cred_len) == 0 &&
		    cred_len > size)
			abort(); /* plaintext longer than the ciphertext */
		free(cred);
		break;
	default:
		if (tpm_identity_proof_decode(data + 1, size - 1, &proof) == 0) {
			(void)privca_verify_proof(&proof, digest);
			tpm_identity_proof_free(&proof);
		}
		break;
	}
	return 0;
}
