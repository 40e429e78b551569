/*
 * TPM return codes (TPM 1.2 Main Part 2, section 16). The TPM puts them
 * in the returnCode field of every response; the TSS passes them up in
 * the TPM layer (layer bits zero) of a TSS_RESULT.
 *
 * Fatal codes count up from TPM_E_BASE; non-fatal ones (the caller may
 * simply retry later) have the TPM_E_NON_FATAL bit set.
 */
#ifndef __TPM_ERROR_H__
#define __TPM_ERROR_H__

#ifndef TPM_E_BASE
#define TPM_E_BASE          ((UINT32)0)
#endif

#ifndef TPM_E_NON_FATAL
#define TPM_E_NON_FATAL     ((UINT32)0x00000800)
#endif

#define TPM_SUCCESS                     TPM_E_BASE

/* ---- Fatal errors ---- */
#define TPM_E_AUTHFAIL                  ((UINT32)(TPM_E_BASE + 0x00000001))
#define TPM_E_BADINDEX                  ((UINT32)(TPM_E_BASE + 0x00000002))
#define TPM_E_BAD_PARAMETER             ((UINT32)(TPM_E_BASE + 0x00000003))
#define TPM_E_AUDITFAILURE              ((UINT32)(TPM_E_BASE + 0x00000004))
#define TPM_E_CLEAR_DISABLED            ((UINT32)(TPM_E_BASE + 0x00000005))
#define TPM_E_DEACTIVATED               ((UINT32)(TPM_E_BASE + 0x00000006))
#define TPM_E_DISABLED                  ((UINT32)(TPM_E_BASE + 0x00000007))
#define TPM_E_DISABLED_CMD              ((UINT32)(TPM_E_BASE + 0x00000008))
#define TPM_E_FAIL                      ((UINT32)(TPM_E_BASE + 0x00000009))
#define TPM_E_BAD_ORDINAL               ((UINT32)(TPM_E_BASE + 0x0000000a))
#define TPM_E_INSTALL_DISABLED          ((UINT32)(TPM_E_BASE + 0x0000000b))
#define TPM_E_INVALID_KEYHANDLE         ((UINT32)(TPM_E_BASE + 0x0000000c))
#define TPM_E_KEYNOTFOUND               ((UINT32)(TPM_E_BASE + 0x0000000d))
#define TPM_E_INAPPROPRIATE_ENC         ((UINT32)(TPM_E_BASE + 0x0000000e))
#define TPM_E_MIGRATEFAIL               ((UINT32)(TPM_E_BASE + 0x0000000f))
#define TPM_E_INVALID_PCR_INFO          ((UINT32)(TPM_E_BASE + 0x00000010))
#define TPM_E_NOSPACE                   ((UINT32)(TPM_E_BASE + 0x00000011))
#define TPM_E_NOSRK                     ((UINT32)(TPM_E_BASE + 0x00000012))
#define TPM_E_NOTSEALED_BLOB            ((UINT32)(TPM_E_BASE + 0x00000013))
#define TPM_E_OWNER_SET                 ((UINT32)(TPM_E_BASE + 0x00000014))
#define TPM_E_RESOURCES                 ((UINT32)(TPM_E_BASE + 0x00000015))
#define TPM_E_SHORTRANDOM               ((UINT32)(TPM_E_BASE + 0x00000016))
#define TPM_E_SIZE                      ((UINT32)(TPM_E_BASE + 0x00000017))
#define TPM_E_WRONGPCRVAL               ((UINT32)(TPM_E_BASE + 0x00000018))
#define TPM_E_BAD_PARAM_SIZE            ((UINT32)(TPM_E_BASE + 0x00000019))
#define TPM_E_SHA_THREAD                ((UINT32)(TPM_E_BASE + 0x0000001a))
#define TPM_E_SHA_ERROR                 ((UINT32)(TPM_E_BASE + 0x0000001b))
#define TPM_E_FAILEDSELFTEST            ((UINT32)(TPM_E_BASE + 0x0000001c))
#define TPM_E_AUTH2FAIL                 ((UINT32)(TPM_E_BASE + 0x0000001d))
#define TPM_E_BADTAG                    ((UINT32)(TPM_E_BASE + 0x0000001e))
#define TPM_E_IOERROR                   ((UINT32)(TPM_E_BASE + 0x0000001f))
#define TPM_E_ENCRYPT_ERROR             ((UINT32)(TPM_E_BASE + 0x00000020))
#define TPM_E_DECRYPT_ERROR             ((UINT32)(TPM_E_BASE + 0x00000021))
#define TPM_E_INVALID_AUTHHANDLE        ((UINT32)(TPM_E_BASE + 0x00000022))
#define TPM_E_NO_ENDORSEMENT            ((UINT32)(TPM_E_BASE + 0x00000023))
#define TPM_E_INVALID_KEYUSAGE          ((UINT32)(TPM_E_BASE + 0x00000024))
#define TPM_E_WRONG_ENTITYTYPE          ((UINT32)(TPM_E_BASE + 0x00000025))
#define TPM_E_INVALID_POSTINIT          ((UINT32)(TPM_E_BASE + 0x00000026))
#define TPM_E_INAPPROPRIATE_SIG         ((UINT32)(TPM_E_BASE + 0x00000027))
#define TPM_E_BAD_KEY_PROPERTY          ((UINT32)(TPM_E_BASE + 0x00000028))
#define TPM_E_BAD_MIGRATION             ((UINT32)(TPM_E_BASE + 0x00000029))
#define TPM_E_BAD_SCHEME                ((UINT32)(TPM_E_BASE + 0x0000002a))
#define TPM_E_BAD_DATASIZE              ((UINT32)(TPM_E_BASE + 0x0000002b))
#define TPM_E_BAD_MODE                  ((UINT32)(TPM_E_BASE + 0x0000002c))
#define TPM_E_BAD_PRESENCE              ((UINT32)(TPM_E_BASE + 0x0000002d))
#define TPM_E_BAD_VERSION               ((UINT32)(TPM_E_BASE + 0x0000002e))
#define TPM_E_NO_WRAP_TRANSPORT         ((UINT32)(TPM_E_BASE + 0x0000002f))
#define TPM_E_AUDITFAIL_UNSUCCESSFUL    ((UINT32)(TPM_E_BASE + 0x00000030))
#define TPM_E_AUDITFAIL_SUCCESSFUL      ((UINT32)(TPM_E_BASE + 0x00000031))
#define TPM_E_NOTRESETABLE              ((UINT32)(TPM_E_BASE + 0x00000032))
#define TPM_E_NOTLOCAL                  ((UINT32)(TPM_E_BASE + 0x00000033))
#define TPM_E_BAD_TYPE                  ((UINT32)(TPM_E_BASE + 0x00000034))
#define TPM_E_INVALID_RESOURCE          ((UINT32)(TPM_E_BASE + 0x00000035))
#define TPM_E_NOTFIPS                   ((UINT32)(TPM_E_BASE + 0x00000036))
#define TPM_E_INVALID_FAMILY            ((UINT32)(TPM_E_BASE + 0x00000037))
#define TPM_E_NO_NV_PERMISSION          ((UINT32)(TPM_E_BASE + 0x00000038))
#define TPM_E_REQUIRES_SIGN             ((UINT32)(TPM_E_BASE + 0x00000039))
#define TPM_E_KEY_NOTSUPPORTED          ((UINT32)(TPM_E_BASE + 0x0000003a))
#define TPM_E_AUTH_CONFLICT             ((UINT32)(TPM_E_BASE + 0x0000003b))
#define TPM_E_AREA_LOCKED               ((UINT32)(TPM_E_BASE + 0x0000003c))
#define TPM_E_BAD_LOCALITY              ((UINT32)(TPM_E_BASE + 0x0000003d))
#define TPM_E_READ_ONLY                 ((UINT32)(TPM_E_BASE + 0x0000003e))
#define TPM_E_PER_NOWRITE               ((UINT32)(TPM_E_BASE + 0x0000003f))
#define TPM_E_FAMILYCOUNT               ((UINT32)(TPM_E_BASE + 0x00000040))
#define TPM_E_WRITE_LOCKED              ((UINT32)(TPM_E_BASE + 0x00000041))
#define TPM_E_BAD_ATTRIBUTES            ((UINT32)(TPM_E_BASE + 0x00000042))
#define TPM_E_INVALID_STRUCTURE         ((UINT32)(TPM_E_BASE + 0x00000043))
#define TPM_E_KEY_OWNER_CONTROL         ((UINT32)(TPM_E_BASE + 0x00000044))
#define TPM_E_BAD_COUNTER               ((UINT32)(TPM_E_BASE + 0x00000045))
#define TPM_E_NOT_FULLWRITE             ((UINT32)(TPM_E_BASE + 0x00000046))
#define TPM_E_CONTEXT_GAP               ((UINT32)(TPM_E_BASE + 0x00000047))
#define TPM_E_MAXNVWRITES               ((UINT32)(TPM_E_BASE + 0x00000048))
#define TPM_E_NOOPERATOR                ((UINT32)(TPM_E_BASE + 0x00000049))
#define TPM_E_RESOURCEMISSING           ((UINT32)(TPM_E_BASE + 0x0000004a))
#define TPM_E_DELEGATE_LOCK             ((UINT32)(TPM_E_BASE + 0x0000004b))
#define TPM_E_DELEGATE_FAMILY           ((UINT32)(TPM_E_BASE + 0x0000004c))
#define TPM_E_DELEGATE_ADMIN            ((UINT32)(TPM_E_BASE + 0x0000004d))
#define TPM_E_TRANSPORT_NOTEXCLUSIVE    ((UINT32)(TPM_E_BASE + 0x0000004e))
#define TPM_E_OWNER_CONTROL             ((UINT32)(TPM_E_BASE + 0x0000004f))
#define TPM_E_DAA_RESOURCES             ((UINT32)(TPM_E_BASE + 0x00000050))
#define TPM_E_DAA_INPUT_DATA0           ((UINT32)(TPM_E_BASE + 0x00000051))
#define TPM_E_DAA_INPUT_DATA1           ((UINT32)(TPM_E_BASE + 0x00000052))
#define TPM_E_DAA_ISSUER_SETTINGS       ((UINT32)(TPM_E_BASE + 0x00000053))
#define TPM_E_DAA_TPM_SETTINGS          ((UINT32)(TPM_E_BASE + 0x00000054))
#define TPM_E_DAA_STAGE                 ((UINT32)(TPM_E_BASE + 0x00000055))
#define TPM_E_DAA_ISSUER_VALIDITY       ((UINT32)(TPM_E_BASE + 0x00000056))
#define TPM_E_DAA_WRONG_W               ((UINT32)(TPM_E_BASE + 0x00000057))
#define TPM_E_BAD_HANDLE                ((UINT32)(TPM_E_BASE + 0x00000058))
#define TPM_E_BAD_DELEGATE              ((UINT32)(TPM_E_BASE + 0x00000059))
#define TPM_E_BADCONTEXT                ((UINT32)(TPM_E_BASE + 0x0000005a))
#define TPM_E_TOOMANYCONTEXTS           ((UINT32)(TPM_E_BASE + 0x0000005b))
#define TPM_E_MA_TICKET_SIGNATURE       ((UINT32)(TPM_E_BASE + 0x0000005c))
#define TPM_E_MA_DESTINATION            ((UINT32)(TPM_E_BASE + 0x0000005d))
#define TPM_E_MA_SOURCE                 ((UINT32)(TPM_E_BASE + 0x0000005e))
#define TPM_E_MA_AUTHORITY              ((UINT32)(TPM_E_BASE + 0x0000005f))
/* 0x60 is not assigned by the TPM 1.2 specification. */
#define TPM_E_PERMANENTEK               ((UINT32)(TPM_E_BASE + 0x00000061))
#define TPM_E_BAD_SIGNATURE             ((UINT32)(TPM_E_BASE + 0x00000062))
#define TPM_E_NOCONTEXTSPACE            ((UINT32)(TPM_E_BASE + 0x00000063))

/* ---- Non-fatal: the command may succeed if sent again later ---- */
#define TPM_E_RETRY                     ((UINT32)(TPM_E_BASE + TPM_E_NON_FATAL))
#define TPM_E_NEEDS_SELFTEST            ((UINT32)(TPM_E_BASE + TPM_E_NON_FATAL + 1))
#define TPM_E_DOING_SELFTEST            ((UINT32)(TPM_E_BASE + TPM_E_NON_FATAL + 2))
#define TPM_E_DEFEND_LOCK_RUNNING       ((UINT32)(TPM_E_BASE + TPM_E_NON_FATAL + 3))

/*
 * The names TPM 1.2 Part 2 section 16 itself uses (TPM_AUTHFAIL, ...),
 * which TrouSerS does not define. tss12 code may use either spelling.
 * Skipped when the program already has them, e.g. from another TPM
 * header set, or when it asks for TrouSerS' exact set of names.
 */
#if !defined(TPM_BASE) && !defined(TSS12_TROUSERS_NAMES_ONLY)
#define TPM_BASE                        TPM_E_BASE
#define TPM_NON_FATAL                   TPM_E_NON_FATAL
#define TPM_AUTHFAIL                    TPM_E_AUTHFAIL
#define TPM_BADINDEX                    TPM_E_BADINDEX
#define TPM_BAD_PARAMETER               TPM_E_BAD_PARAMETER
#define TPM_AUDITFAILURE                TPM_E_AUDITFAILURE
#define TPM_CLEAR_DISABLED              TPM_E_CLEAR_DISABLED
#define TPM_DEACTIVATED                 TPM_E_DEACTIVATED
#define TPM_DISABLED                    TPM_E_DISABLED
#define TPM_DISABLED_CMD                TPM_E_DISABLED_CMD
#define TPM_FAIL                        TPM_E_FAIL
#define TPM_BAD_ORDINAL                 TPM_E_BAD_ORDINAL
#define TPM_INSTALL_DISABLED            TPM_E_INSTALL_DISABLED
#define TPM_INVALID_KEYHANDLE           TPM_E_INVALID_KEYHANDLE
#define TPM_KEYNOTFOUND                 TPM_E_KEYNOTFOUND
#define TPM_INAPPROPRIATE_ENC           TPM_E_INAPPROPRIATE_ENC
#define TPM_MIGRATEFAIL                 TPM_E_MIGRATEFAIL
#define TPM_INVALID_PCR_INFO            TPM_E_INVALID_PCR_INFO
#define TPM_NOSPACE                     TPM_E_NOSPACE
#define TPM_NOSRK                       TPM_E_NOSRK
#define TPM_NOTSEALED_BLOB              TPM_E_NOTSEALED_BLOB
#define TPM_OWNER_SET                   TPM_E_OWNER_SET
#define TPM_RESOURCES                   TPM_E_RESOURCES
#define TPM_SHORTRANDOM                 TPM_E_SHORTRANDOM
#define TPM_SIZE                        TPM_E_SIZE
#define TPM_WRONGPCRVAL                 TPM_E_WRONGPCRVAL
#define TPM_BAD_PARAM_SIZE              TPM_E_BAD_PARAM_SIZE
#define TPM_SHA_THREAD                  TPM_E_SHA_THREAD
#define TPM_SHA_ERROR                   TPM_E_SHA_ERROR
#define TPM_FAILEDSELFTEST              TPM_E_FAILEDSELFTEST
#define TPM_AUTH2FAIL                   TPM_E_AUTH2FAIL
#define TPM_BADTAG                      TPM_E_BADTAG
#define TPM_IOERROR                     TPM_E_IOERROR
#define TPM_ENCRYPT_ERROR               TPM_E_ENCRYPT_ERROR
#define TPM_DECRYPT_ERROR               TPM_E_DECRYPT_ERROR
#define TPM_INVALID_AUTHHANDLE          TPM_E_INVALID_AUTHHANDLE
#define TPM_NO_ENDORSEMENT              TPM_E_NO_ENDORSEMENT
#define TPM_INVALID_KEYUSAGE            TPM_E_INVALID_KEYUSAGE
#define TPM_WRONG_ENTITYTYPE            TPM_E_WRONG_ENTITYTYPE
#define TPM_INVALID_POSTINIT            TPM_E_INVALID_POSTINIT
#define TPM_INAPPROPRIATE_SIG           TPM_E_INAPPROPRIATE_SIG
#define TPM_BAD_KEY_PROPERTY            TPM_E_BAD_KEY_PROPERTY
#define TPM_BAD_MIGRATION               TPM_E_BAD_MIGRATION
#define TPM_BAD_SCHEME                  TPM_E_BAD_SCHEME
#define TPM_BAD_DATASIZE                TPM_E_BAD_DATASIZE
#define TPM_BAD_MODE                    TPM_E_BAD_MODE
#define TPM_BAD_PRESENCE                TPM_E_BAD_PRESENCE
#define TPM_BAD_VERSION                 TPM_E_BAD_VERSION
#define TPM_NO_WRAP_TRANSPORT           TPM_E_NO_WRAP_TRANSPORT
#define TPM_AUDITFAIL_UNSUCCESSFUL      TPM_E_AUDITFAIL_UNSUCCESSFUL
#define TPM_AUDITFAIL_SUCCESSFUL        TPM_E_AUDITFAIL_SUCCESSFUL
#define TPM_NOTRESETABLE                TPM_E_NOTRESETABLE
#define TPM_NOTLOCAL                    TPM_E_NOTLOCAL
#define TPM_BAD_TYPE                    TPM_E_BAD_TYPE
#define TPM_INVALID_RESOURCE            TPM_E_INVALID_RESOURCE
#define TPM_NOTFIPS                     TPM_E_NOTFIPS
#define TPM_INVALID_FAMILY              TPM_E_INVALID_FAMILY
#define TPM_NO_NV_PERMISSION            TPM_E_NO_NV_PERMISSION
#define TPM_REQUIRES_SIGN               TPM_E_REQUIRES_SIGN
#define TPM_KEY_NOTSUPPORTED            TPM_E_KEY_NOTSUPPORTED
#define TPM_AUTH_CONFLICT               TPM_E_AUTH_CONFLICT
#define TPM_AREA_LOCKED                 TPM_E_AREA_LOCKED
#define TPM_BAD_LOCALITY                TPM_E_BAD_LOCALITY
#define TPM_READ_ONLY                   TPM_E_READ_ONLY
#define TPM_PER_NOWRITE                 TPM_E_PER_NOWRITE
#define TPM_FAMILYCOUNT                 TPM_E_FAMILYCOUNT
#define TPM_WRITE_LOCKED                TPM_E_WRITE_LOCKED
#define TPM_BAD_ATTRIBUTES              TPM_E_BAD_ATTRIBUTES
#define TPM_INVALID_STRUCTURE           TPM_E_INVALID_STRUCTURE
#define TPM_KEY_OWNER_CONTROL           TPM_E_KEY_OWNER_CONTROL
#define TPM_BAD_COUNTER                 TPM_E_BAD_COUNTER
#define TPM_NOT_FULLWRITE               TPM_E_NOT_FULLWRITE
#define TPM_CONTEXT_GAP                 TPM_E_CONTEXT_GAP
#define TPM_MAXNVWRITES                 TPM_E_MAXNVWRITES
#define TPM_NOOPERATOR                  TPM_E_NOOPERATOR
#define TPM_RESOURCEMISSING             TPM_E_RESOURCEMISSING
#define TPM_DELEGATE_LOCK               TPM_E_DELEGATE_LOCK
#define TPM_DELEGATE_FAMILY             TPM_E_DELEGATE_FAMILY
#define TPM_DELEGATE_ADMIN              TPM_E_DELEGATE_ADMIN
#define TPM_TRANSPORT_NOTEXCLUSIVE      TPM_E_TRANSPORT_NOTEXCLUSIVE
#define TPM_OWNER_CONTROL               TPM_E_OWNER_CONTROL
#define TPM_DAA_RESOURCES               TPM_E_DAA_RESOURCES
#define TPM_DAA_INPUT_DATA0             TPM_E_DAA_INPUT_DATA0
#define TPM_DAA_INPUT_DATA1             TPM_E_DAA_INPUT_DATA1
#define TPM_DAA_ISSUER_SETTINGS         TPM_E_DAA_ISSUER_SETTINGS
#define TPM_DAA_TPM_SETTINGS            TPM_E_DAA_TPM_SETTINGS
#define TPM_DAA_STAGE                   TPM_E_DAA_STAGE
#define TPM_DAA_ISSUER_VALIDITY         TPM_E_DAA_ISSUER_VALIDITY
#define TPM_DAA_WRONG_W                 TPM_E_DAA_WRONG_W
#define TPM_BAD_HANDLE                  TPM_E_BAD_HANDLE
#define TPM_BAD_DELEGATE                TPM_E_BAD_DELEGATE
#define TPM_BADCONTEXT                  TPM_E_BADCONTEXT
#define TPM_TOOMANYCONTEXTS             TPM_E_TOOMANYCONTEXTS
#define TPM_MA_TICKET_SIGNATURE         TPM_E_MA_TICKET_SIGNATURE
#define TPM_MA_DESTINATION              TPM_E_MA_DESTINATION
#define TPM_MA_SOURCE                   TPM_E_MA_SOURCE
#define TPM_MA_AUTHORITY                TPM_E_MA_AUTHORITY
#define TPM_PERMANENTEK                 TPM_E_PERMANENTEK
#define TPM_BAD_SIGNATURE               TPM_E_BAD_SIGNATURE
#define TPM_NOCONTEXTSPACE              TPM_E_NOCONTEXTSPACE
#define TPM_RETRY                       TPM_E_RETRY
#define TPM_NEEDS_SELFTEST              TPM_E_NEEDS_SELFTEST
#define TPM_DOING_SELFTEST              TPM_E_DOING_SELFTEST
#define TPM_DEFEND_LOCK_RUNNING         TPM_E_DEFEND_LOCK_RUNNING
#endif /* spec names */

#endif /* __TPM_ERROR_H__ */
