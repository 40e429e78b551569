/*
 * Shared by the TCS functions that use cached keys (tcs_keys.c,
 * tcs_crypto.c, tcs_migrate.c, tcs_audit.c, ...), and the hook
 * TakeOwnership calls.
 */
#ifndef TSS12_TCSD_TCS_KEYS_H
#define TSS12_TCSD_TCS_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "tcsd.h"

/*
 * A TPM command whose first parameter (and second, for CertifyKey) is a
 * key named by the client's TCS key handle. params are the encoded
 * parameters after the handle(s).
 */
struct tcs_key_cmd {
	UINT32 ordinal;
	TCS_KEY_HANDLE key;
	TCS_KEY_HANDLE key2;
	bool has_key2;
	const BYTE *params;
	size_t params_len;
	TPM_AUTH *auth1;
	TPM_AUTH *auth2;
};

/* Data a TPM 1.2 command can carry: its whole buffer, less headers. */
#define TCS_DATA_MAX 4096u

/* The encoded parameters after the key handle(s), built in caller memory. */
struct tcs_key_params {
	struct buf_writer w;
	BYTE mem[TCS_DATA_MAX + 256];
};

void tcs_key_params_init(struct tcs_key_params *p);

/*
 * Pins the key(s) in the TPM through the key cache (loading them back if
 * they were moved out), sends the command with the TPM handles, forwards
 * the auth trailers, and unpins. A TPM that no longer knows the key
 * (TPM_INVALID_KEYHANDLE after a TPM reset) makes the cache resynchronise;
 * a command without auth is then tried once more. Returns what
 * tcsd_tpm_exec returns, or the key cache's error.
 */
TSS_RESULT tcs_key_exec(struct tcsd_client *cl, const struct tcs_key_cmd *kc,
			struct tcsd_tpm_rsp *rsp);

/* tcs_key_exec() with the parameters in p; TCS_ERROR(TSS_E_BAD_PARAMETER) if they did not fit. */
TSS_RESULT tcs_key_exec_params(struct tcsd_client *cl, struct tcs_key_cmd *kc,
			       struct tcs_key_params *p, struct tcsd_tpm_rsp *rsp);
/*
 * tcs_key_exec_params() for a command whose TPM answer is one sized
 * blob (at most TCS_DATA_MAX bytes) after at most one auth trailer: the
 * TCSD reply is [AUTH], UINT32+PBYTE.
 */
TSS_RESULT tcs_key_exec_sized_reply(struct tcsd_client *cl, struct tcs_key_cmd *kc,
				    struct tcs_key_params *p, struct tcsd_packet_writer *out);

/*
 * TakeOwnership succeeded: records the SRK in system PS as TrouSerS does
 * (UUID TSS_UUID_SRK, modulus withheld). Call with the TPM_KEY the TPM
 * returned. Failures are logged, not fatal.
 */
void tcs_keys_srk_installed(const BYTE *srk_blob, size_t len);

#endif /* TSS12_TCSD_TCS_KEYS_H */
