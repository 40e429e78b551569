/*
 * Structures of the TSS Core Services interface.
 */
#ifndef __TCS_STRUCT_H__
#define __TCS_STRUCT_H__

#include <tss/tpm.h>
#include <tss/tss_structs.h>
#include <tss/tcs_typedef.h>

/* The authorisation trailer of one auth session, in and out of a command:
 * NonceOdd is the caller's nonce, NonceEven the TPM's. */
typedef struct tdTCS_AUTH {
	TCS_AUTHHANDLE AuthHandle;
	TPM_NONCE      NonceOdd;
	TPM_NONCE      NonceEven;
	TSS_BOOL       fContinueAuthSession;
	TPM_AUTHDATA   HMAC;
} TCS_AUTH;

/* older name of the same structure */
typedef TCS_AUTH TPM_AUTH;

/* Lets the TCS reload a parent key on its own: paramDigest is the SHA-1
 * of the TPM_LoadKey input parameters the auth HMAC covers. */
typedef struct tdTCS_LOADKEY_INFO {
	TSS_UUID   keyUUID;
	TSS_UUID   parentKeyUUID;
	TPM_DIGEST paramDigest;
	TPM_AUTH   authData;
} TCS_LOADKEY_INFO;

#endif /* __TCS_STRUCT_H__ */
