/*
 * Result codes of the TSS Core Services (TSS 1.2 spec, section 4.3.3.3).
 * The TCS returns them with the TCS layer bits set: TCS_ERROR(code).
 */
#ifndef __TCS_ERROR_H__
#define __TCS_ERROR_H__

#ifndef TSS_E_BASE
#define TSS_E_BASE 0x00000000L
#endif

/* Codes of the TCS range (offset TSS_TCSI_OFFSET). */
#define TCS_E_INVALID_CONTEXTHANDLE   (UINT32)(TSS_E_BASE + 0x0C1L)
#define TCS_E_INVALID_KEYHANDLE       (UINT32)(TSS_E_BASE + 0x0C2L)
#define TCS_E_INVALID_AUTHHANDLE      (UINT32)(TSS_E_BASE + 0x0C3L)
/* The TPM has closed the authorization session. */
#define TCS_E_INVALID_AUTHSESSION     (UINT32)(TSS_E_BASE + 0x0C4L)
/* The key is no longer loaded. */
#define TCS_E_INVALID_KEY             (UINT32)(TSS_E_BASE + 0x0C5L)
/* The key handle and the UUID name different keys. */
#define TCS_E_KEY_MISMATCH            (UINT32)(TSS_E_BASE + 0x0C8L)
/* A parent key on the way to the UUID needs authorization to load. */
#define TCS_E_KM_LOADFAILED           (UINT32)(TSS_E_BASE + 0x0CAL)
/* The key cache could not put a swapped-out key back into the TPM. */
#define TCS_E_KEY_CONTEXT_RELOAD      (UINT32)(TSS_E_BASE + 0x0CCL)
#define TCS_E_BAD_INDEX               (UINT32)(TSS_E_BASE + 0x0CDL)

/*
 * The spec names these TCS codes separately but gives them the values
 * of their TSS_E_ twins. TSS_E_KEY_NOT_REGISTERED and TSS_E_SIZE are not
 * defined anywhere (as in TrouSerS), so their aliases only work for a
 * program that defines them itself.
 */
#define TCS_SUCCESS                   TSS_SUCCESS
#define TCS_E_KEY_ALREADY_REGISTERED  TSS_E_KEY_ALREADY_REGISTERED
#define TCS_E_KEY_NOT_REGISTERED      TSS_E_KEY_NOT_REGISTERED
#define TCS_E_BAD_PARAMETER           TSS_E_BAD_PARAMETER
#define TCS_E_OUTOFMEMORY             TSS_E_OUTOFMEMORY
#define TCS_E_SIZE                    TSS_E_SIZE
#define TCS_E_NOTIMPL                 TSS_E_NOTIMPL
#define TCS_E_INTERNAL_ERROR          TSS_E_INTERNAL_ERROR

#endif /* __TCS_ERROR_H__ */
