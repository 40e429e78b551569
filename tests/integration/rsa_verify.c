/*
 * OpenSSL's own check of a TPM's signature (tspi_kit.h): what the TPM
 * signed is verified by a library that shares no code with ours. Apart
 * from tspi_kit.c so that only the tests that use it link OpenSSL for it.
 */
#include "config.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "tspi_kit.h"

int kit_rsa_verify_sha1(const BYTE *mod, UINT32 mod_len, const BYTE digest[20], const BYTE *sig,
			UINT32 sig_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	BIGNUM *n = BN_bin2bn(mod, (int)mod_len, NULL), *e = BN_new();
	EVP_PKEY_CTX *kctx = NULL, *vctx = NULL;
	EVP_PKEY *pk = NULL;
	int ok = 0;

	if (bld == NULL || n == NULL || e == NULL || !BN_set_word(e, 65537) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	kctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (kctx == NULL || EVP_PKEY_fromdata_init(kctx) <= 0 ||
	    EVP_PKEY_fromdata(kctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	vctx = EVP_PKEY_CTX_new(pk, NULL);
	if (vctx == NULL || EVP_PKEY_verify_init(vctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(vctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(vctx, EVP_sha1()) <= 0)
		goto out;
	ok = EVP_PKEY_verify(vctx, sig, sig_len, digest, 20) == 1;
out:
	EVP_PKEY_CTX_free(vctx);
	EVP_PKEY_CTX_free(kctx);
	EVP_PKEY_free(pk);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return ok;
}
