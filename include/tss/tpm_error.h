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

#endif /* __TPM_ERROR_H__ */
