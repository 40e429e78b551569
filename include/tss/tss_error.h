/*
 * TSS result codes shared by the TSP, TCS and TDDL layers (TSS 1.2 spec,
 * section 4.3.3). A TSS_RESULT is a UINT32: on the Windows encoding the
 * high 16 bits carry level, customer flag and facility; on every other
 * platform they stay zero and only the layer nibble and the 12-bit code
 * below are used (see tss_error_basics.h for the layer macros).
 *
 * Numeric values are those of TrouSerS 0.3.15, so that a program built
 * against either stack sees the same numbers.
 */
#ifndef __TSS_ERROR_H__
#define __TSS_ERROR_H__

#include <tss/platform.h>

/* Severity levels and facility of the Windows encoding (bits 16-31). */
#define TSS_LEVEL_SUCCESS       0x00
#define TSS_LEVEL_INFO          0x40000000L
#define TSS_LEVEL_WARNING       0x80000000L
#define TSS_LEVEL_ERROR         0xC0000000L

#define FACILITY_TSS            0x28L
#define FACILITY_TSS_CODEPOS    (FACILITY_TSS << 16)

#define TSS_CUSTOM_CODEFLAG     0x20000000L

/*
 * Bases for errors, warnings and information codes. A platform that
 * wants the Windows encoding predefines them; elsewhere they are zero.
 */
#ifndef TSS_E_BASE
#define TSS_E_BASE              0x00000000L
#endif
#ifndef TSS_W_BASE
#define TSS_W_BASE              0x00000000L
#endif
#ifndef TSS_I_BASE
#define TSS_I_BASE              0x00000000L
#endif

/* ---- Codes any TSS component may return (offset TSS_COMMON_OFFSET) ---- */

#define TSS_SUCCESS                         (UINT32)(0x00000000L)

/* Generic failure. */
#define TSS_E_FAIL                          (UINT32)(TSS_E_BASE + 0x002L)
/* An argument was out of range or otherwise unusable. */
#define TSS_E_BAD_PARAMETER                 (UINT32)(TSS_E_BASE + 0x003L)
/* The stack found itself in a state it should never reach. */
#define TSS_E_INTERNAL_ERROR                (UINT32)(TSS_E_BASE + 0x004L)
/* Memory allocation failed. */
#define TSS_E_OUTOFMEMORY                   (UINT32)(TSS_E_BASE + 0x005L)
/* The function exists in the API but this implementation lacks it. */
#define TSS_E_NOTIMPL                       (UINT32)(TSS_E_BASE + 0x006L)
/* A key with this UUID is already in persistent storage. */
#define TSS_E_KEY_ALREADY_REGISTERED        (UINT32)(TSS_E_BASE + 0x008L)
/* The TPM answered with something the stack did not expect. */
#define TSS_E_TPM_UNEXPECTED                (UINT32)(TSS_E_BASE + 0x010L)
/* Talking to the next layer down failed. */
#define TSS_E_COMM_FAILURE                  (UINT32)(TSS_E_BASE + 0x011L)
/* The operation did not finish in time. */
#define TSS_E_TIMEOUT                       (UINT32)(TSS_E_BASE + 0x012L)
/* The TPM does not offer the feature asked for. */
#define TSS_E_TPM_UNSUPPORTED_FEATURE       (UINT32)(TSS_E_BASE + 0x014L)
/* The user cancelled the operation (e.g. a secret prompt). */
#define TSS_E_CANCELED                      (UINT32)(TSS_E_BASE + 0x016L)
/* Persistent storage has no key with this UUID. */
#define TSS_E_PS_KEY_NOTFOUND               (UINT32)(TSS_E_BASE + 0x020L)
/* Persistent storage already has a key with this UUID. */
#define TSS_E_PS_KEY_EXISTS                 (UINT32)(TSS_E_BASE + 0x021L)
/* A key in persistent storage is damaged or inconsistent. */
#define TSS_E_PS_BAD_KEY_STATE              (UINT32)(TSS_E_BASE + 0x022L)

/* ---- Codes of the TSP (offset TSS_TSPI_OFFSET) ---- */

#define TSS_E_INVALID_OBJECT_TYPE           (UINT32)(TSS_E_BASE + 0x101L)
#define TSS_E_NO_CONNECTION                 (UINT32)(TSS_E_BASE + 0x102L)
#define TSS_E_CONNECTION_FAILED             (UINT32)(TSS_E_BASE + 0x103L)
#define TSS_E_CONNECTION_BROKEN             (UINT32)(TSS_E_BASE + 0x104L)
#define TSS_E_HASH_INVALID_ALG              (UINT32)(TSS_E_BASE + 0x105L)
#define TSS_E_HASH_INVALID_LENGTH           (UINT32)(TSS_E_BASE + 0x106L)
#define TSS_E_HASH_NO_DATA                  (UINT32)(TSS_E_BASE + 0x107L)
/* 0x108 is unassigned. */
#define TSS_E_INVALID_ATTRIB_FLAG           (UINT32)(TSS_E_BASE + 0x109L)
#define TSS_E_INVALID_ATTRIB_SUBFLAG        (UINT32)(TSS_E_BASE + 0x10AL)
#define TSS_E_INVALID_ATTRIB_DATA           (UINT32)(TSS_E_BASE + 0x10BL)
#define TSS_E_INVALID_OBJECT_INIT_FLAG      (UINT32)(TSS_E_BASE + 0x10CL)
/* The spelling some applications use. */
#define TSS_E_INVALID_OBJECT_INITFLAG       TSS_E_INVALID_OBJECT_INIT_FLAG
#define TSS_E_NO_PCRS_SET                   (UINT32)(TSS_E_BASE + 0x10DL)
#define TSS_E_KEY_NOT_LOADED                (UINT32)(TSS_E_BASE + 0x10EL)
#define TSS_E_KEY_NOT_SET                   (UINT32)(TSS_E_BASE + 0x10FL)
#define TSS_E_VALIDATION_FAILED             (UINT32)(TSS_E_BASE + 0x110L)
#define TSS_E_TSP_AUTHREQUIRED              (UINT32)(TSS_E_BASE + 0x111L)
#define TSS_E_TSP_AUTH2REQUIRED             (UINT32)(TSS_E_BASE + 0x112L)
#define TSS_E_TSP_AUTHFAIL                  (UINT32)(TSS_E_BASE + 0x113L)
#define TSS_E_TSP_AUTH2FAIL                 (UINT32)(TSS_E_BASE + 0x114L)
#define TSS_E_KEY_NO_MIGRATION_POLICY       (UINT32)(TSS_E_BASE + 0x115L)
#define TSS_E_POLICY_NO_SECRET              (UINT32)(TSS_E_BASE + 0x116L)
#define TSS_E_INVALID_OBJ_ACCESS            (UINT32)(TSS_E_BASE + 0x117L)
#define TSS_E_INVALID_ENCSCHEME             (UINT32)(TSS_E_BASE + 0x118L)
#define TSS_E_INVALID_SIGSCHEME             (UINT32)(TSS_E_BASE + 0x119L)
/* 0x11A-0x11F are unassigned. */
#define TSS_E_ENC_INVALID_LENGTH            (UINT32)(TSS_E_BASE + 0x120L)
#define TSS_E_ENC_NO_DATA                   (UINT32)(TSS_E_BASE + 0x121L)
#define TSS_E_ENC_INVALID_TYPE              (UINT32)(TSS_E_BASE + 0x122L)
#define TSS_E_INVALID_KEYUSAGE              (UINT32)(TSS_E_BASE + 0x123L)
#define TSS_E_VERIFICATION_FAILED           (UINT32)(TSS_E_BASE + 0x124L)
#define TSS_E_HASH_NO_IDENTIFIER            (UINT32)(TSS_E_BASE + 0x125L)
#define TSS_E_INVALID_HANDLE                (UINT32)(TSS_E_BASE + 0x126L)
#define TSS_E_SILENT_CONTEXT                (UINT32)(TSS_E_BASE + 0x127L)
#define TSS_E_EK_CHECKSUM                   (UINT32)(TSS_E_BASE + 0x128L)
#define TSS_E_DELEGATION_NOTSET             (UINT32)(TSS_E_BASE + 0x129L)
/* 0x12A-0x12F are unassigned. */
#define TSS_E_DELFAMILY_NOTFOUND            (UINT32)(TSS_E_BASE + 0x130L)
#define TSS_E_DELFAMILY_ROWEXISTS           (UINT32)(TSS_E_BASE + 0x131L)
#define TSS_E_VERSION_MISMATCH              (UINT32)(TSS_E_BASE + 0x132L)

/* Direct Anonymous Attestation failures. */
#define TSS_E_DAA_AR_DECRYPTION_ERROR       (UINT32)(TSS_E_BASE + 0x133L)
#define TSS_E_DAA_AUTHENTICATION_ERROR      (UINT32)(TSS_E_BASE + 0x134L)
#define TSS_E_DAA_CHALLENGE_RESPONSE_ERROR  (UINT32)(TSS_E_BASE + 0x135L)
#define TSS_E_DAA_CREDENTIAL_PROOF_ERROR    (UINT32)(TSS_E_BASE + 0x136L)
#define TSS_E_DAA_CREDENTIAL_REQUEST_PROOF_ERROR (UINT32)(TSS_E_BASE + 0x137L)
#define TSS_E_DAA_ISSUER_KEY_ERROR          (UINT32)(TSS_E_BASE + 0x138L)
#define TSS_E_DAA_PSEUDONYM_ERROR           (UINT32)(TSS_E_BASE + 0x139L)

#define TSS_E_INVALID_RESOURCE              (UINT32)(TSS_E_BASE + 0x13AL)
#define TSS_E_NV_AREA_EXIST                 (UINT32)(TSS_E_BASE + 0x13BL)
#define TSS_E_NV_AREA_NOT_EXIST             (UINT32)(TSS_E_BASE + 0x13CL)

/* Transport session failures. */
#define TSS_E_TSP_TRANS_AUTHFAIL            (UINT32)(TSS_E_BASE + 0x13DL)
#define TSS_E_TSP_TRANS_AUTHREQUIRED        (UINT32)(TSS_E_BASE + 0x13EL)
#define TSS_E_TSP_TRANS_NOTEXCLUSIVE        (UINT32)(TSS_E_BASE + 0x13FL)
#define TSS_E_TSP_TRANS_FAIL                (UINT32)(TSS_E_BASE + 0x140L)
#define TSS_E_TSP_TRANS_NO_PUBKEY           (UINT32)(TSS_E_BASE + 0x141L)

#define TSS_E_NO_ACTIVE_COUNTER             (UINT32)(TSS_E_BASE + 0x142L)

#endif /* __TSS_ERROR_H__ */
