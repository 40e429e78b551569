/*
 * Small TPM commands the TCS sends on its own behalf, shared by the
 * handlers, the key cache and the auth-session manager. All go through
 * tcsd_tpm_exec() (tcsd.h).
 */
#ifndef TSS12_TCSD_TPM_EXEC_H
#define TSS12_TCSD_TPM_EXEC_H

#include <stddef.h>

#include "tcsd.h"

/* TPM_FlushSpecific(handle, resourceType) (Part 3 §22.2). */
TSS_RESULT tcsd_tpm_flush(UINT32 handle, UINT32 resource_type);

/*
 * TPM_GetCapability(cap, subCap): copies resp (without its size) into
 * out (capacity cap_out), *out_len its length. sub may be NULL (len 0).
 */
TSS_RESULT tcsd_tpm_get_cap(UINT32 cap, const BYTE *sub, UINT32 sub_len, BYTE *out,
			    size_t cap_out, size_t *out_len);

/* TPM_CAP_HANDLE for a resource type: the handles loaded (<= max). */
TSS_RESULT tcsd_tpm_get_handles(UINT32 resource_type, UINT32 *handles, size_t max,
				size_t *count);

/* TPM_SaveState (Part 3 §3.3), before the daemon exits. */
TSS_RESULT tcsd_tpm_save_state(void);

/*
 * TPM_SaveContext / TPM_LoadContext are not used: libtpms implements the
 * older TPM_SaveAuthContext/LoadAuthContext (Part 3 §18) which suffice
 * for auth sessions, and the key cache reloads keys from their blobs.
 */

#endif /* TSS12_TCSD_TPM_EXEC_H */
