/*
 * TPM 1.2 data types, structures and constants, as defined by the TCG
 * "TPM Main Specification Part 2: Structures" (version 1.2).
 *
 * These are the in-memory (unmarshalled) forms used by the TSS API, not the
 * wire format: variable-length fields are a size plus a pointer, and
 * nothing here may be overlaid on TPM bytes (use the common/ marshalling).
 * Names, sizes and member order match TrouSerS 0.3.x so that programs built
 * against either header set are binary compatible.
 *
 * Where the specification lists values without naming a type to hold them,
 * a UINT16/UINT32 typedef is given (TPM_NV_PER_ATTRIBUTES,
 * TPM_DELEGATE_TYPE) and bit fields are spelled as masks, because C bit
 * field layout is compiler dependent.
 */
#ifndef __TPM_H__
#define __TPM_H__

#include <tss/platform.h>

/* Size annotation for IDL compilers (midl's size_is); empty for C. */
#define SIZEIS(x)

/* ---- Part 2 section 2: basic types and helper redefinitions ---------- */

typedef BYTE TPM_BOOL;
#ifndef FALSE
#define FALSE 0x00
#define TRUE  0x01
#endif

typedef BYTE   TPM_LOCALITY_MODIFIER;
typedef UINT32 TPM_COMMAND_CODE;
typedef UINT32 TPM_COUNT_ID;
typedef UINT32 TPM_REDIT_COMMAND;
typedef UINT32 TPM_HANDLE;
typedef UINT32 TPM_AUTHHANDLE;
typedef UINT32 TPM_TRANSHANDLE;
typedef UINT32 TPM_KEYHANDLE;
typedef UINT32 TPM_DIRINDEX;
typedef UINT32 TPM_PCRINDEX;
typedef UINT32 TPM_RESULT;
typedef UINT32 TPM_MODIFIER_INDICATOR;

/* Section 2.2.4: the bit that marks a vendor-specific value. */
#define TPM_Vendor_Specific32 0x00000400
#define TPM_Vendor_Specific8  0x80

/* ---- Part 2 section 3: structure tags ----------------------------------
 * Every 1.2 structure that starts with a TPM_STRUCTURE_TAG carries one of
 * these, so a parser can tell a TPM_KEY12 from a 1.1 TPM_KEY.
 */
typedef UINT16 TPM_STRUCTURE_TAG;

#define TPM_TAG_CONTEXTBLOB        ((UINT16)0x0001)
#define TPM_TAG_CONTEXT_SENSITIVE  ((UINT16)0x0002)
#define TPM_TAG_CONTEXTPOINTER     ((UINT16)0x0003)
#define TPM_TAG_CONTEXTLIST        ((UINT16)0x0004)
#define TPM_TAG_SIGNINFO           ((UINT16)0x0005)
#define TPM_TAG_PCR_INFO_LONG      ((UINT16)0x0006)
#define TPM_TAG_PERSISTENT_FLAGS   ((UINT16)0x0007)
#define TPM_TAG_VOLATILE_FLAGS     ((UINT16)0x0008)
#define TPM_TAG_PERSISTENT_DATA    ((UINT16)0x0009)
#define TPM_TAG_VOLATILE_DATA      ((UINT16)0x000a)
#define TPM_TAG_SV_DATA            ((UINT16)0x000b)
#define TPM_TAG_EK_BLOB            ((UINT16)0x000c)
#define TPM_TAG_EK_BLOB_AUTH       ((UINT16)0x000d)
#define TPM_TAG_COUNTER_VALUE      ((UINT16)0x000e)
#define TPM_TAG_TRANSPORT_INTERNAL ((UINT16)0x000f)
#define TPM_TAG_TRANSPORT_LOG_IN   ((UINT16)0x0010)
#define TPM_TAG_TRANSPORT_LOG_OUT  ((UINT16)0x0011)
#define TPM_TAG_AUDIT_EVENT_IN     ((UINT16)0x0012)
#define TPM_TAG_AUDIT_EVENT_OUT    ((UINT16)0x0013)
#define TPM_TAG_CURRENT_TICKS      ((UINT16)0x0014)
#define TPM_TAG_KEY                ((UINT16)0x0015)
#define TPM_TAG_STORED_DATA12      ((UINT16)0x0016)
#define TPM_TAG_NV_ATTRIBUTES      ((UINT16)0x0017)
#define TPM_TAG_NV_DATA_PUBLIC     ((UINT16)0x0018)
#define TPM_TAG_NV_DATA_SENSITIVE  ((UINT16)0x0019)
#define TPM_TAG_DELEGATIONS        ((UINT16)0x001a)
#define TPM_TAG_DELEGATE_PUBLIC    ((UINT16)0x001b)
#define TPM_TAG_DELEGATE_TABLE_ROW ((UINT16)0x001c)
#define TPM_TAG_TRANSPORT_AUTH     ((UINT16)0x001d)
#define TPM_TAG_TRANSPORT_PUBLIC   ((UINT16)0x001e)
#define TPM_TAG_PERMANENT_FLAGS    ((UINT16)0x001f)
#define TPM_TAG_STCLEAR_FLAGS      ((UINT16)0x0020)
#define TPM_TAG_STANY_FLAGS        ((UINT16)0x0021)
#define TPM_TAG_PERMANENT_DATA     ((UINT16)0x0022)
#define TPM_TAG_STCLEAR_DATA       ((UINT16)0x0023)
#define TPM_TAG_STANY_DATA         ((UINT16)0x0024)
#define TPM_TAG_FAMILY_TABLE_ENTRY ((UINT16)0x0025)
#define TPM_TAG_DELEGATE_SENSITIVE ((UINT16)0x0026)
#define TPM_TAG_DELG_KEY_BLOB      ((UINT16)0x0027)
#define TPM_TAG_KEY12              ((UINT16)0x0028)
#define TPM_TAG_CERTIFY_INFO2      ((UINT16)0x0029)
#define TPM_TAG_DELEGATE_OWNER_BLOB ((UINT16)0x002a)
#define TPM_TAG_EK_BLOB_ACTIVATE   ((UINT16)0x002b)
#define TPM_TAG_DAA_BLOB           ((UINT16)0x002c)
#define TPM_TAG_DAA_CONTEXT        ((UINT16)0x002d)
#define TPM_TAG_DAA_ENFORCE        ((UINT16)0x002e)
#define TPM_TAG_DAA_ISSUER         ((UINT16)0x002f)
#define TPM_TAG_CAP_VERSION_INFO   ((UINT16)0x0030)
#define TPM_TAG_DAA_SENSITIVE      ((UINT16)0x0031)
#define TPM_TAG_DAA_TPM            ((UINT16)0x0032)
#define TPM_TAG_CMK_MIGAUTH        ((UINT16)0x0033)
#define TPM_TAG_CMK_SIGTICKET      ((UINT16)0x0034)
#define TPM_TAG_CMK_MA_APPROVAL    ((UINT16)0x0035)
#define TPM_TAG_QUOTE_INFO2        ((UINT16)0x0036)
#define TPM_TAG_DA_INFO            ((UINT16)0x0037)
#define TPM_TAG_DA_INFO_LIMITED    ((UINT16)0x0038)
#define TPM_TAG_DA_ACTION_TYPE     ((UINT16)0x0039)

/* ---- Part 2 section 4: enumerated types -------------------------------- */

/* 4.1: what a handle passed to SaveContext/FlushSpecific refers to */
typedef UINT32 TPM_RESOURCE_TYPE;
#define TPM_RT_KEY      ((UINT32)0x00000001)
#define TPM_RT_AUTH     ((UINT32)0x00000002)
#define TPM_RT_HASH     ((UINT32)0x00000003)
#define TPM_RT_TRANS    ((UINT32)0x00000004)
#define TPM_RT_CONTEXT  ((UINT32)0x00000005)
#define TPM_RT_COUNTER  ((UINT32)0x00000006)
#define TPM_RT_DELEGATE ((UINT32)0x00000007)
#define TPM_RT_DAA_TPM  ((UINT32)0x00000008)
#define TPM_RT_DAA_V0   ((UINT32)0x00000009)
#define TPM_RT_DAA_V1   ((UINT32)0x0000000a)

/* 4.2: first byte of a decrypted blob, says what the blob is for */
typedef BYTE TPM_PAYLOAD_TYPE;
#define TPM_PT_ASYM               ((BYTE)0x01)
#define TPM_PT_BIND               ((BYTE)0x02)
#define TPM_PT_MIGRATE            ((BYTE)0x03)
#define TPM_PT_MAINT              ((BYTE)0x04)
#define TPM_PT_SEAL               ((BYTE)0x05)
#define TPM_PT_MIGRATE_RESTRICTED ((BYTE)0x06)
#define TPM_PT_MIGRATE_EXTERNAL   ((BYTE)0x07)
#define TPM_PT_CMK_MIGRATE        ((BYTE)0x08)

/* 4.3: entity an OSAP/DSAP session authorises (LSB; MSB = ADIP scheme) */
typedef UINT16 TPM_ENTITY_TYPE;
#define TPM_ET_KEYHANDLE       ((UINT16)0x0001)
#define TPM_ET_OWNER           ((UINT16)0x0002)
#define TPM_ET_DATA            ((UINT16)0x0003)
#define TPM_ET_SRK             ((UINT16)0x0004)
#define TPM_ET_KEY             ((UINT16)0x0005)
#define TPM_ET_REVOKE          ((UINT16)0x0006)
#define TPM_ET_DEL_OWNER_BLOB  ((UINT16)0x0007)
#define TPM_ET_DEL_ROW         ((UINT16)0x0008)
#define TPM_ET_DEL_KEY_BLOB    ((UINT16)0x0009)
#define TPM_ET_COUNTER         ((UINT16)0x000a)
#define TPM_ET_NV              ((UINT16)0x000b)
#define TPM_ET_OPERATOR        ((UINT16)0x000c)
#define TPM_ET_RESERVED_HANDLE ((UINT16)0x0040)
/* ADIP encryption scheme, shifted into the MSB of the entity type */
#define TPM_ET_XOR             ((BYTE)0x00)
#define TPM_ET_AES             ((BYTE)0x06)

/* 4.4: reserved key handles that name a permanent entity */
typedef UINT32 TPM_KEY_HANDLE;
#define TPM_KH_SRK       ((UINT32)0x40000000)
#define TPM_KH_OWNER     ((UINT32)0x40000001)
#define TPM_KH_REVOKE    ((UINT32)0x40000002)
#define TPM_KH_TRANSPORT ((UINT32)0x40000003)
#define TPM_KH_OPERATOR  ((UINT32)0x40000004)
#define TPM_KH_ADMIN     ((UINT32)0x40000005)
#define TPM_KH_EK        ((UINT32)0x40000006)
/* the 1.1b spellings of the same two handles */
#define TPM_KEYHND_SRK   (TPM_KH_SRK)
#define TPM_KEYHND_OWNER (TPM_KH_OWNER)

/* 4.5: argument of TPM_Startup */
typedef UINT16 TPM_STARTUP_TYPE;
#define TPM_ST_CLEAR       ((UINT16)0x0001)
#define TPM_ST_STATE       ((UINT16)0x0002)
#define TPM_ST_DEACTIVATED ((UINT16)0x0003)

/* 4.7: authorisation protocols */
typedef UINT16 TPM_PROTOCOL_ID;
#define TPM_PID_OIAP      ((UINT16)0x0001)
#define TPM_PID_OSAP      ((UINT16)0x0002)
#define TPM_PID_ADIP      ((UINT16)0x0003)
#define TPM_PID_ADCP      ((UINT16)0x0004)
#define TPM_PID_OWNER     ((UINT16)0x0005)
#define TPM_PID_DSAP      ((UINT16)0x0006)
#define TPM_PID_TRANSPORT ((UINT16)0x0007)

/* 4.8: algorithms (DES and 3DES were withdrawn in later 1.2 revisions) */
typedef UINT32 TPM_ALGORITHM_ID;
#define TPM_ALG_RSA    ((UINT32)0x00000001)
#define TPM_ALG_DES    ((UINT32)0x00000002)
#define TPM_ALG_3DES   ((UINT32)0x00000003)
#define TPM_ALG_SHA    ((UINT32)0x00000004)
#define TPM_ALG_HMAC   ((UINT32)0x00000005)
#define TPM_ALG_AES    ((UINT32)0x00000006)
#define TPM_ALG_AES128 (TPM_ALG_AES)
#define TPM_ALG_MGF1   ((UINT32)0x00000007)
#define TPM_ALG_AES192 ((UINT32)0x00000008)
#define TPM_ALG_AES256 ((UINT32)0x00000009)
#define TPM_ALG_XOR    ((UINT32)0x0000000a)

/* 4.9: bits of TSC_PhysicalPresence */
typedef UINT16 TPM_PHYSICAL_PRESENCE;
#define TPM_PHYSICAL_PRESENCE_LOCK          ((UINT16)0x0004)
#define TPM_PHYSICAL_PRESENCE_PRESENT       ((UINT16)0x0008)
#define TPM_PHYSICAL_PRESENCE_NOTPRESENT    ((UINT16)0x0010)
#define TPM_PHYSICAL_PRESENCE_CMD_ENABLE    ((UINT16)0x0020)
#define TPM_PHYSICAL_PRESENCE_HW_ENABLE     ((UINT16)0x0040)
#define TPM_PHYSICAL_PRESENCE_LIFETIME_LOCK ((UINT16)0x0080)
#define TPM_PHYSICAL_PRESENCE_CMD_DISABLE   ((UINT16)0x0100)
#define TPM_PHYSICAL_PRESENCE_HW_DISABLE    ((UINT16)0x0200)

/* 4.10: migration schemes */
typedef UINT16 TPM_MIGRATE_SCHEME;
#define TPM_MS_MIGRATE                 ((UINT16)0x0001)
#define TPM_MS_REWRAP                  ((UINT16)0x0002)
#define TPM_MS_MAINT                   ((UINT16)0x0003)
#define TPM_MS_RESTRICT_MIGRATE        ((UINT16)0x0004)
#define TPM_MS_RESTRICT_APPROVE_DOUBLE ((UINT16)0x0005)

/* 4.11: how ActivateIdentity's EK blob is to be interpreted */
typedef UINT16 TPM_EK_TYPE;
#define TPM_EK_TYPE_ACTIVATE ((UINT16)0x0001)
#define TPM_EK_TYPE_AUTH     ((UINT16)0x0002)

/* 4.12: platform specifications */
typedef UINT16 TPM_PLATFORM_SPECIFIC;
#define TPM_PS_PC_11     ((UINT16)0x0001)
#define TPM_PS_PC_12     ((UINT16)0x0002)
#define TPM_PS_PDA_12    ((UINT16)0x0003)
#define TPM_PS_Server_12 ((UINT16)0x0004)
#define TPM_PS_Mobile_12 ((UINT16)0x0005)

/* ---- Part 2 section 5: basic structures -------------------------------- */

/* 5.1 / 5.3: version of a 1.1 structure, and of the TPM itself */
typedef struct tdTPM_STRUCT_VER {
	BYTE major;
	BYTE minor;
	BYTE revMajor;
	BYTE revMinor;
} TPM_STRUCT_VER;

/* 5.2: two BCD nibbles; only meaningful as a whole byte on the wire */
typedef struct tdTPM_VERSION_BYTE {
	int leastSigVer : 4;
	int mostSigVer  : 4;
} TPM_VERSION_BYTE;

typedef struct tdTPM_VERSION {
	BYTE major;
	BYTE minor;
	BYTE revMajor;
	BYTE revMinor;
} TPM_VERSION;

/* 5.4: SHA-1 sized digests and nonces */
#define TPM_SHA1_160_HASH_LEN   0x14
#define TPM_SHA1BASED_NONCE_LEN TPM_SHA1_160_HASH_LEN

typedef struct tdTPM_DIGEST {
	BYTE digest[TPM_SHA1_160_HASH_LEN];
} TPM_DIGEST;

typedef TPM_DIGEST TPM_CHOSENID_HASH;
typedef TPM_DIGEST TPM_COMPOSITE_HASH;
typedef TPM_DIGEST TPM_DIRVALUE;
typedef TPM_DIGEST TPM_HMAC;
typedef TPM_DIGEST TPM_PCRVALUE;
typedef TPM_DIGEST TPM_AUDITDIGEST;

typedef struct tdTPM_NONCE {
	BYTE nonce[TPM_SHA1BASED_NONCE_LEN];
} TPM_NONCE;

typedef TPM_NONCE TPM_DAA_TPM_SEED;
typedef TPM_NONCE TPM_DAA_CONTEXT_SEED;

/* 5.6: 20-byte authorisation secrets */
typedef struct tdTPM_AUTHDATA {
	BYTE authdata[TPM_SHA1_160_HASH_LEN];
} TPM_AUTHDATA;

typedef TPM_AUTHDATA TPM_SECRET;
typedef TPM_AUTHDATA TPM_ENCAUTH;

/* 5.7 */
typedef struct tdTPM_KEY_HANDLE_LIST {
	UINT16          loaded;
	TPM_KEY_HANDLE *handle;      /* loaded entries */
} TPM_KEY_HANDLE_LIST;

/* 5.8: what a key may be used for */
typedef UINT16 TPM_KEY_USAGE;
#define TPM_KEY_SIGNING    ((UINT16)0x0010)
#define TPM_KEY_STORAGE    ((UINT16)0x0011)
#define TPM_KEY_IDENTITY   ((UINT16)0x0012)
#define TPM_KEY_AUTHCHANGE ((UINT16)0x0013)
#define TPM_KEY_BIND       ((UINT16)0x0014)
#define TPM_KEY_LEGACY     ((UINT16)0x0015)
#define TPM_KEY_MIGRATE    ((UINT16)0x0016)

/* 5.8.1: signature schemes */
typedef UINT16 TPM_SIG_SCHEME;
#define TPM_SS_NONE                ((UINT16)0x0001)
#define TPM_SS_RSASSAPKCS1v15_SHA1 ((UINT16)0x0002)
#define TPM_SS_RSASSAPKCS1v15_DER  ((UINT16)0x0003)
#define TPM_SS_RSASSAPKCS1v15_INFO ((UINT16)0x0004)

/* 5.8.1: encryption schemes (the SYM ones are for transport sessions) */
typedef UINT16 TPM_ENC_SCHEME;
#define TPM_ES_NONE                ((UINT16)0x0001)
#define TPM_ES_RSAESPKCSv15        ((UINT16)0x0002)
#define TPM_ES_RSAESOAEP_SHA1_MGF1 ((UINT16)0x0003)
#define TPM_ES_SYM_CNT             ((UINT16)0x0004)
#define TPM_ES_SYM_CTR             TPM_ES_SYM_CNT
#define TPM_ES_SYM_OFB             ((UINT16)0x0005)
#define TPM_ES_SYM_CBC_PKCS5PAD    ((UINT16)0x00ff)

/* 5.9: when a key's usage needs authorisation */
typedef BYTE TPM_AUTH_DATA_USAGE;
#define TPM_AUTH_NEVER         ((BYTE)0x00)
#define TPM_AUTH_ALWAYS        ((BYTE)0x01)
#define TPM_AUTH_PRIV_USE_ONLY ((BYTE)0x11)

/* 5.10: key flags */
typedef UINT32 TPM_KEY_FLAGS;
#define TPM_REDIRECTION      ((UINT32)0x00000001)
#define TPM_MIGRATABLE       ((UINT32)0x00000002)
#define TPM_VOLATILE         ((UINT32)0x00000004)
#define TPM_PCRIGNOREDONREAD ((UINT32)0x00000008)
#define TPM_MIGRATEAUTHORITY ((UINT32)0x00000010)

/* 5.11 */
typedef struct tdTPM_CHANGEAUTH_VALIDATE {
	TPM_SECRET newAuthSecret;
	TPM_NONCE  n1;
} TPM_CHANGEAUTH_VALIDATE;

/* 5.12 TPM_MIGRATIONKEYAUTH follows TPM_PUBKEY below. */

/* 5.13: monotonic counter */
typedef UINT32 TPM_ACTUAL_COUNT;

typedef struct tdTPM_COUNTER_VALUE {
	TPM_STRUCTURE_TAG tag;
	BYTE              label[4];
	TPM_ACTUAL_COUNT  counter;
} TPM_COUNTER_VALUE;

/* 5.14: what Sign/TickStampBlob/ReleaseTransportSigned actually sign */
typedef struct tdTPM_SIGN_INFO {
	TPM_STRUCTURE_TAG tag;
	BYTE              fixed[4];
	TPM_NONCE         replay;
	UINT32            dataLen;
	BYTE             *data;
} TPM_SIGN_INFO;

/* 5.15 - 5.21: certified migration keys */
typedef struct tdTPM_MSA_COMPOSITE {
	UINT32      MSAlist;
	TPM_DIGEST *migAuthDigest;   /* MSAlist entries */
} TPM_MSA_COMPOSITE;

typedef struct tdTPM_CMK_AUTH {
	TPM_DIGEST migrationAuthorityDigest;
	TPM_DIGEST destinationKeyDigest;
	TPM_DIGEST sourceKeyDigest;
} TPM_CMK_AUTH;

/* 5.17: key usages for which CMK restrictions are delegated */
typedef UINT32 TPM_CMK_DELEGATE;
#define TPM_CMK_DELEGATE_SIGNING (((UINT32)1) << 31)
#define TPM_CMK_DELEGATE_STORAGE (((UINT32)1) << 30)
#define TPM_CMK_DELEGATE_BIND    (((UINT32)1) << 29)
#define TPM_CMK_DELEGATE_LEGACY  (((UINT32)1) << 28)
#define TPM_CMK_DELEGATE_MIGRATE (((UINT32)1) << 27)

typedef struct tdTPM_SELECT_SIZE {
	BYTE   major;
	BYTE   minor;
	UINT16 reqSize;
} TPM_SELECT_SIZE;

typedef struct tdTPM_CMK_MIGAUTH {
	TPM_STRUCTURE_TAG tag;
	TPM_DIGEST        msaDigest;
	TPM_DIGEST        pubKeyDigest;
} TPM_CMK_MIGAUTH;

typedef struct tdTPM_CMK_SIGTICKET {
	TPM_STRUCTURE_TAG tag;
	TPM_DIGEST        verKeyDigest;
	TPM_DIGEST        signedData;
} TPM_CMK_SIGTICKET;

typedef struct tdTPM_CMK_MA_APPROVAL {
	TPM_STRUCTURE_TAG tag;
	TPM_DIGEST        migrationAuthorityDigest;
} TPM_CMK_MA_APPROVAL;

/* ---- Part 2 section 6: command and response tags ----------------------- */
typedef UINT16 TPM_TAG;
#define TPM_TAG_RQU_COMMAND       ((UINT16)0x00c1)
#define TPM_TAG_RQU_AUTH1_COMMAND ((UINT16)0x00c2)
#define TPM_TAG_RQU_AUTH2_COMMAND ((UINT16)0x00c3)
#define TPM_TAG_RSP_COMMAND       ((UINT16)0x00c4)
#define TPM_TAG_RSP_AUTH1_COMMAND ((UINT16)0x00c5)
#define TPM_TAG_RSP_AUTH2_COMMAND ((UINT16)0x00c6)

/* ---- Part 2 section 7: internal flags (as returned by GetCapability) --- */

/* 7.1 */
typedef struct tdTPM_PERMANENT_FLAGS {
	TPM_STRUCTURE_TAG tag;
	TSS_BOOL disable;
	TSS_BOOL ownership;
	TSS_BOOL deactivated;
	TSS_BOOL readPubek;
	TSS_BOOL disableOwnerClear;
	TSS_BOOL allowMaintenance;
	TSS_BOOL physicalPresenceLifetimeLock;
	TSS_BOOL physicalPresenceHWEnable;
	TSS_BOOL physicalPresenceCMDEnable;
	TSS_BOOL CEKPUsed;
	TSS_BOOL TPMpost;
	TSS_BOOL TPMpostLock;
	TSS_BOOL FIPS;
	TSS_BOOL Operator;
	TSS_BOOL enableRevokeEK;
	TSS_BOOL nvLocked;
	TSS_BOOL readSRKPub;
	TSS_BOOL tpmEstablished;
	TSS_BOOL maintenanceDone;
	TSS_BOOL disableFullDALogicInfo;
} TPM_PERMANENT_FLAGS;

/* flag indices for TPM_SetCapability(TPM_SET_PERM_FLAGS) */
#define TPM_PF_DISABLE                      ((UINT32)0x00000001)
#define TPM_PF_OWNERSHIP                    ((UINT32)0x00000002)
#define TPM_PF_DEACTIVATED                  ((UINT32)0x00000003)
#define TPM_PF_READPUBEK                    ((UINT32)0x00000004)
#define TPM_PF_DISABLEOWNERCLEAR            ((UINT32)0x00000005)
#define TPM_PF_ALLOWMAINTENANCE             ((UINT32)0x00000006)
#define TPM_PF_PHYSICALPRESENCELIFETIMELOCK ((UINT32)0x00000007)
#define TPM_PF_PHYSICALPRESENCEHWENABLE     ((UINT32)0x00000008)
#define TPM_PF_PHYSICALPRESENCECMDENABLE    ((UINT32)0x00000009)
#define TPM_PF_CEKPUSED                     ((UINT32)0x0000000A)
#define TPM_PF_TPMPOST                      ((UINT32)0x0000000B)
#define TPM_PF_TPMPOSTLOCK                  ((UINT32)0x0000000C)
#define TPM_PF_FIPS                         ((UINT32)0x0000000D)
#define TPM_PF_OPERATOR                     ((UINT32)0x0000000E)
#define TPM_PF_ENABLEREVOKEEK               ((UINT32)0x0000000F)
#define TPM_PF_NV_LOCKED                    ((UINT32)0x00000010)
#define TPM_PF_READSRKPUB                   ((UINT32)0x00000011)
#define TPM_PF_RESETESTABLISHMENTBIT        ((UINT32)0x00000012)
#define TPM_PF_MAINTENANCEDONE              ((UINT32)0x00000013)
#define TPM_PF_DISABLEFULLDALOGICINFO       ((UINT32)0x00000014)

/* 7.2 */
typedef struct tdTPM_STCLEAR_FLAGS {
	TPM_STRUCTURE_TAG tag;
	TSS_BOOL deactivated;
	TSS_BOOL disableForceClear;
	TSS_BOOL physicalPresence;
	TSS_BOOL physicalPresenceLock;
	TSS_BOOL bGlobalLock;
} TPM_STCLEAR_FLAGS;

#define TPM_SF_DEACTIVATED          ((UINT32)0x00000001)
#define TPM_SF_DISABLEFORCECLEAR    ((UINT32)0x00000002)
#define TPM_SF_PHYSICALPRESENCE     ((UINT32)0x00000003)
#define TPM_SF_PHYSICALPRESENCELOCK ((UINT32)0x00000004)
#define TPM_SF_GLOBALLOCK           ((UINT32)0x00000005)

/* 7.3 */
typedef struct tdTPM_STANY_FLAGS {
	TPM_STRUCTURE_TAG      tag;
	TSS_BOOL               postInitialise;
	TPM_MODIFIER_INDICATOR localityModifier;
	TSS_BOOL               transportExclusive;
	TSS_BOOL               TOSPresent;
} TPM_STANY_FLAGS;

#define TPM_AF_POSTINITIALIZE     ((UINT32)0x00000001)
#define TPM_AF_LOCALITYMODIFIER   ((UINT32)0x00000002)
#define TPM_AF_TRANSPORTEXCLUSIVE ((UINT32)0x00000003)
#define TPM_AF_TOSPRESENT         ((UINT32)0x00000004)

/* 7.4 - 7.6 (TPM_PERMANENT_DATA, TPM_STCLEAR_DATA, TPM_STANY_DATA) exist
 * only inside the TPM and are deliberately not declared here. */

/* ---- Part 2 section 8: PCR structures ---------------------------------- */

/* 8.1: bit mask of localities */
typedef BYTE TPM_LOCALITY_SELECTION;
#define TPM_LOC_FOUR  (((UINT32)1) << 4)
#define TPM_LOC_THREE (((UINT32)1) << 3)
#define TPM_LOC_TWO   (((UINT32)1) << 2)
#define TPM_LOC_ONE   (((UINT32)1) << 1)
#define TPM_LOC_ZERO  (((UINT32)1) << 0)

typedef struct tdTPM_PCR_SELECTION {
	UINT16 sizeOfSelect;
	BYTE  *pcrSelect;            /* sizeOfSelect bytes, bit n = PCR n */
} TPM_PCR_SELECTION;

typedef struct tdTPM_PCR_COMPOSITE {
	TPM_PCR_SELECTION select;
	UINT32            valueSize; /* in bytes */
	TPM_PCRVALUE     *pcrValue;
} TPM_PCR_COMPOSITE;

typedef struct tdTPM_PCR_INFO {
	TPM_PCR_SELECTION  pcrSelection;
	TPM_COMPOSITE_HASH digestAtRelease;
	TPM_COMPOSITE_HASH digestAtCreation;
} TPM_PCR_INFO;

typedef struct tdTPM_PCR_INFO_LONG {
	TPM_STRUCTURE_TAG      tag;
	TPM_LOCALITY_SELECTION localityAtCreation;
	TPM_LOCALITY_SELECTION localityAtRelease;
	TPM_PCR_SELECTION      creationPCRSelection;
	TPM_PCR_SELECTION      releasePCRSelection;
	TPM_COMPOSITE_HASH     digestAtCreation;
	TPM_COMPOSITE_HASH     digestAtRelease;
} TPM_PCR_INFO_LONG;

typedef struct tdTPM_PCR_INFO_SHORT {
	TPM_PCR_SELECTION      pcrSelection;
	TPM_LOCALITY_SELECTION localityAtRelease;
	TPM_COMPOSITE_HASH     digestAtRelease;
} TPM_PCR_INFO_SHORT;

typedef struct tdTPM_PCR_ATTRIBUTES {
	BYTE                   pcrReset;
	TPM_LOCALITY_SELECTION pcrExtendLocal;
	TPM_LOCALITY_SELECTION pcrResetLocal;
} TPM_PCR_ATTRIBUTES;

/* ---- Part 2 section 9: storage structures ------------------------------ */

typedef struct tdTPM_STORED_DATA {
	TPM_STRUCT_VER ver;
	UINT32         sealInfoSize;
	BYTE          *sealInfo;
	UINT32         encDataSize;
	BYTE          *encData;
} TPM_STORED_DATA;

typedef struct tdTPM_STORED_DATA12 {
	TPM_STRUCTURE_TAG tag;
	TPM_ENTITY_TYPE   et;
	UINT32            sealInfoSize;
	BYTE             *sealInfo;
	UINT32            encDataSize;
	BYTE             *encData;
} TPM_STORED_DATA12;

typedef struct tdTPM_SEALED_DATA {
	TPM_PAYLOAD_TYPE payload;
	TPM_SECRET       authData;
	TPM_NONCE        tpmProof;
	TPM_DIGEST       storedDigest;
	UINT32           dataSize;
	BYTE            *data;
} TPM_SEALED_DATA;

typedef struct tdTPM_SYMMETRIC_KEY {
	TPM_ALGORITHM_ID algId;
	TPM_ENC_SCHEME   encScheme;
	UINT16           size;
	BYTE            *data;
} TPM_SYMMETRIC_KEY;

typedef struct tdTPM_BOUND_DATA {
	TPM_STRUCT_VER   ver;
	TPM_PAYLOAD_TYPE payload;
	BYTE            *payloadData; /* length implied by the enclosing blob */
} TPM_BOUND_DATA;

/* ---- Part 2 section 10: keys ------------------------------------------- */

typedef struct tdTPM_KEY_PARMS {
	TPM_ALGORITHM_ID algorithmID;
	TPM_ENC_SCHEME   encScheme;
	TPM_SIG_SCHEME   sigScheme;
	UINT32           parmSize;
	BYTE            *parms;      /* marshalled RSA or symmetric parms */
} TPM_KEY_PARMS;

typedef struct tdTPM_RSA_KEY_PARMS {
	UINT32 keyLength;
	UINT32 numPrimes;
	UINT32 exponentSize;         /* 0 means the default 65537 */
	BYTE  *exponent;
} TPM_RSA_KEY_PARMS;

typedef struct tdTPM_SYMMETRIC_KEY_PARMS {
	UINT32 keyLength;
	UINT32 blockSize;
	UINT32 ivSize;
	BYTE  *IV;
} TPM_SYMMETRIC_KEY_PARMS;

typedef struct tdTPM_STORE_PUBKEY {
	UINT32 keyLength;
	BYTE  *key;
} TPM_STORE_PUBKEY;

typedef struct tdTPM_PUBKEY {
	TPM_KEY_PARMS    algorithmParms;
	TPM_STORE_PUBKEY pubKey;
} TPM_PUBKEY;

typedef struct tdTPM_STORE_PRIVKEY {
	UINT32 keyLength;
	BYTE  *key;
} TPM_STORE_PRIVKEY;

typedef struct tdTPM_STORE_ASYMKEY {
	TPM_PAYLOAD_TYPE  payload;
	TPM_SECRET        usageAuth;
	TPM_SECRET        migrationAuth;
	TPM_DIGEST        pubDataDigest;
	TPM_STORE_PRIVKEY privKey;
} TPM_STORE_ASYMKEY;

/* 10.2: 1.1 key blob */
typedef struct tdTPM_KEY {
	TPM_STRUCT_VER      ver;
	TPM_KEY_USAGE       keyUsage;
	TPM_KEY_FLAGS       keyFlags;
	TPM_AUTH_DATA_USAGE authDataUsage;
	TPM_KEY_PARMS       algorithmParms;
	UINT32              PCRInfoSize;
	BYTE               *PCRInfo;
	TPM_STORE_PUBKEY    pubKey;
	UINT32              encSize;
	BYTE               *encData;
} TPM_KEY;

/* 10.3: 1.2 key blob; tag + fill take the place of TPM_STRUCT_VER */
typedef struct tdTPM_KEY12 {
	TPM_STRUCTURE_TAG   tag;
	UINT16              fill;
	TPM_KEY_USAGE       keyUsage;
	TPM_KEY_FLAGS       keyFlags;
	TPM_AUTH_DATA_USAGE authDataUsage;
	TPM_KEY_PARMS       algorithmParms;
	UINT32              PCRInfoSize;
	BYTE               *PCRInfo;
	TPM_STORE_PUBKEY    pubKey;
	UINT32              encSize;
	BYTE               *encData;
} TPM_KEY12;

typedef struct tdTPM_MIGRATE_ASYMKEY {
	TPM_PAYLOAD_TYPE payload;
	TPM_SECRET       usageAuth;
	TPM_DIGEST       pubDataDigest;
	UINT32           partPrivKeyLen;
	BYTE            *partPrivKey;
} TPM_MIGRATE_ASYMKEY;

/* 10.9: KeyControlOwner bits */
typedef UINT32 TPM_KEY_CONTROL;
#define TPM_KEY_CONTROL_OWNER_EVICT ((UINT32)0x00000001)

/* 5.12: needs TPM_PUBKEY, hence declared here */
typedef struct tdTPM_MIGRATIONKEYAUTH {
	TPM_PUBKEY         migrationKey;
	TPM_MIGRATE_SCHEME migrationScheme;
	TPM_DIGEST         digest;
} TPM_MIGRATIONKEYAUTH;

/* ---- Part 2 section 11: signed structures ------------------------------ */

typedef struct tdTPM_CERTIFY_INFO {
	TPM_STRUCT_VER      version;
	TPM_KEY_USAGE       keyUsage;
	TPM_KEY_FLAGS       keyFlags;
	TPM_AUTH_DATA_USAGE authDataUsage;
	TPM_KEY_PARMS       algorithmParms;
	TPM_DIGEST          pubkeyDigest;
	TPM_NONCE           data;
	TPM_BOOL            parentPCRStatus;
	UINT32              PCRInfoSize;
	BYTE               *PCRInfo;
} TPM_CERTIFY_INFO;

typedef struct tdTPM_CERTIFY_INFO2 {
	TPM_STRUCTURE_TAG   tag;
	BYTE                fill;
	TPM_PAYLOAD_TYPE    payloadType;
	TPM_KEY_USAGE       keyUsage;
	TPM_KEY_FLAGS       keyFlags;
	TPM_AUTH_DATA_USAGE authDataUsage;
	TPM_KEY_PARMS       algorithmParms;
	TPM_DIGEST          pubkeyDigest;
	TPM_NONCE           data;
	TPM_BOOL            parentPCRStatus;
	UINT32              PCRInfoSize;
	BYTE               *PCRInfo;
	UINT32              migrationAuthoritySize;
	BYTE               *migrationAuthority;
} TPM_CERTIFY_INFO2;

typedef struct tdTPM_QUOTE_INFO {
	TPM_STRUCT_VER     version;
	BYTE               fixed[4];      /* "QUOT" */
	TPM_COMPOSITE_HASH compositeHash; /* "digestValue" in the 1.2 spec */
	TPM_NONCE          externalData;
} TPM_QUOTE_INFO;

typedef struct tdTPM_QUOTE_INFO2 {
	TPM_STRUCTURE_TAG  tag;
	BYTE               fixed[4];      /* "QUT2" */
	TPM_NONCE          externalData;
	TPM_PCR_INFO_SHORT infoShort;
} TPM_QUOTE_INFO2;

/* ---- Part 2 section 12: identity structures ---------------------------- */

typedef struct tdTPM_EK_BLOB {
	TPM_STRUCTURE_TAG tag;
	TPM_EK_TYPE       ekType;
	UINT32            blobSize;
	BYTE             *blob;
} TPM_EK_BLOB;

typedef struct tdTPM_EK_BLOB_ACTIVATE {
	TPM_STRUCTURE_TAG  tag;
	TPM_SYMMETRIC_KEY  sessionKey;
	TPM_DIGEST         idDigest;
	TPM_PCR_INFO_SHORT pcrInfo;
} TPM_EK_BLOB_ACTIVATE;

typedef struct tdTPM_EK_BLOB_AUTH {
	TPM_STRUCTURE_TAG tag;
	TPM_SECRET        authValue;
} TPM_EK_BLOB_AUTH;

typedef struct tdTPM_IDENTITY_CONTENTS {
	TPM_STRUCT_VER    ver;
	UINT32            ordinal;
	TPM_CHOSENID_HASH labelPrivCADigest;
	TPM_PUBKEY        identityPubKey;
} TPM_IDENTITY_CONTENTS;

typedef struct tdTPM_IDENTITY_REQ {
	UINT32        asymSize;
	UINT32        symSize;
	TPM_KEY_PARMS asymAlgorithm;
	TPM_KEY_PARMS symAlgorithm;
	BYTE         *asymBlob;
	BYTE         *symBlob;
} TPM_IDENTITY_REQ;

typedef struct tdTPM_IDENTITY_PROOF {
	TPM_STRUCT_VER ver;
	UINT32         labelSize;
	UINT32         identityBindingSize;
	UINT32         endorsementSize;
	UINT32         platformSize;
	UINT32         conformanceSize;
	TPM_PUBKEY     identityKey;
	BYTE          *labelArea;
	BYTE          *identityBinding;
	BYTE          *endorsementCredential;
	BYTE          *platformCredential;
	BYTE          *conformanceCredential;
} TPM_IDENTITY_PROOF;

typedef struct tdTPM_ASYM_CA_CONTENTS {
	TPM_SYMMETRIC_KEY sessionKey;
	TPM_DIGEST        idDigest;
} TPM_ASYM_CA_CONTENTS;

typedef struct tdTPM_SYM_CA_ATTESTATION {
	UINT32        credSize;
	TPM_KEY_PARMS algorithm;
	BYTE         *credential;
} TPM_SYM_CA_ATTESTATION;

/* ---- Part 2 section 15: ticks (before 13, which uses them) ------------- */

typedef struct tdTPM_CURRENT_TICKS {
	TPM_STRUCTURE_TAG tag;
	UINT64            currentTicks;
	UINT16            tickRate;
	TPM_NONCE         tickNonce;
} TPM_CURRENT_TICKS;

/* ---- Part 2 section 13: transport sessions ----------------------------- */

typedef UINT32 TPM_TRANSPORT_ATTRIBUTES;
#define TPM_TRANSPORT_ENCRYPT   ((UINT32)0x00000001)
#define TPM_TRANSPORT_LOG       ((UINT32)0x00000002)
#define TPM_TRANSPORT_EXCLUSIVE ((UINT32)0x00000004)

typedef struct tdTPM_TRANSPORT_PUBLIC {
	TPM_STRUCTURE_TAG        tag;
	TPM_TRANSPORT_ATTRIBUTES transAttributes;
	TPM_ALGORITHM_ID         algId;
	TPM_ENC_SCHEME           encScheme;
} TPM_TRANSPORT_PUBLIC;

typedef struct tdTPM_TRANSPORT_INTERNAL {
	TPM_STRUCTURE_TAG    tag;
	TPM_AUTHDATA         authData;
	TPM_TRANSPORT_PUBLIC transPublic;
	TPM_TRANSHANDLE      transHandle;
	TPM_NONCE            transNonceEven;
	TPM_DIGEST           transDigest;
} TPM_TRANSPORT_INTERNAL;

typedef struct tdTPM_TRANSPORT_LOG_IN {
	TPM_STRUCTURE_TAG tag;
	TPM_DIGEST        parameters;
	TPM_DIGEST        pubKeyHash;
} TPM_TRANSPORT_LOG_IN;

typedef struct tdTPM_TRANSPORT_LOG_OUT {
	TPM_STRUCTURE_TAG      tag;
	TPM_CURRENT_TICKS      currentTicks;
	TPM_DIGEST             parameters;
	TPM_MODIFIER_INDICATOR locality;
} TPM_TRANSPORT_LOG_OUT;

typedef struct tdTPM_TRANSPORT_AUTH {
	TPM_STRUCTURE_TAG tag;
	TPM_AUTHDATA      authData;
} TPM_TRANSPORT_AUTH;

/* ---- Part 2 section 14: audit ------------------------------------------ */

typedef struct tdTPM_AUDIT_EVENT_IN {
	TPM_STRUCTURE_TAG tag;
	TPM_DIGEST        inputParms;
	TPM_COUNTER_VALUE auditCount;
} TPM_AUDIT_EVENT_IN;

typedef struct tdTPM_AUDIT_EVENT_OUT {
	TPM_STRUCTURE_TAG tag;
	TPM_COMMAND_CODE  ordinal;
	TPM_DIGEST        outputParms;
	TPM_COUNTER_VALUE auditCount;
	TPM_RESULT        returnCode;
} TPM_AUDIT_EVENT_OUT;

/* ---- Part 2 sections 16 and 17: return codes and ordinals -------------- */
#include <tss/tpm_error.h>
#include <tss/tpm_ordinal.h>

/* ---- Part 2 section 18: saved contexts --------------------------------- */

typedef struct tdTPM_CONTEXT_BLOB {
	TPM_STRUCTURE_TAG tag;
	TPM_RESOURCE_TYPE resourceType;
	TPM_HANDLE        handle;
	BYTE              label[16];
	UINT32            contextCount;
	TPM_DIGEST        integrityDigest;
	UINT32            additionalSize;
	BYTE             *additionalData;
	UINT32            sensitiveSize;
	BYTE             *sensitiveData;
} TPM_CONTEXT_BLOB;

typedef struct tdTPM_CONTEXT_SENSITIVE {
	TPM_STRUCTURE_TAG tag;
	TPM_NONCE         contextNonce;
	UINT32            internalSize;
	BYTE             *internalData;
} TPM_CONTEXT_SENSITIVE;

/* ---- Part 2 section 19: non-volatile storage --------------------------- */

/* 19.1: index values. Bit 28 ("D") of a reserved index may be set by the
 * vendor to make it permanent, so the EK certificate is often 0x1000f000. */
typedef UINT32 TPM_NV_INDEX;
#define TPM_NV_INDEX_LOCK            ((UINT32)0xffffffff)
#define TPM_NV_INDEX0                ((UINT32)0x00000000)
#define TPM_NV_INDEX_DIR             ((UINT32)0x10000001)
#define TPM_NV_INDEX_EKCert          ((UINT32)0x0000f000)
#define TPM_NV_INDEX_TPM_CC          ((UINT32)0x0000f001)
#define TPM_NV_INDEX_PlatformCert    ((UINT32)0x0000f002)
#define TPM_NV_INDEX_Platform_CC     ((UINT32)0x0000f003)
/* first index of each group's reserved range */
#define TPM_NV_INDEX_TSS_BASE        ((UINT32)0x00011100)
#define TPM_NV_INDEX_PC_BASE         ((UINT32)0x00011200)
#define TPM_NV_INDEX_SERVER_BASE     ((UINT32)0x00011300)
#define TPM_NV_INDEX_MOBILE_BASE     ((UINT32)0x00011400)
#define TPM_NV_INDEX_PERIPHERAL_BASE ((UINT32)0x00011500)
#define TPM_NV_INDEX_GROUP_RESV_BASE ((UINT32)0x00010000)

/* 19.2: access permission bits of an NV area */
typedef UINT32 TPM_NV_PER_ATTRIBUTES;
#define TPM_NV_PER_READ_STCLEAR  (((UINT32)1) << 31)
#define TPM_NV_PER_AUTHREAD      (((UINT32)1) << 18)
#define TPM_NV_PER_OWNERREAD     (((UINT32)1) << 17)
#define TPM_NV_PER_PPREAD        (((UINT32)1) << 16)
#define TPM_NV_PER_GLOBALLOCK    (((UINT32)1) << 15)
#define TPM_NV_PER_WRITE_STCLEAR (((UINT32)1) << 14)
#define TPM_NV_PER_WRITEDEFINE   (((UINT32)1) << 13)
#define TPM_NV_PER_WRITEALL      (((UINT32)1) << 12)
#define TPM_NV_PER_AUTHWRITE     (((UINT32)1) << 2)
#define TPM_NV_PER_OWNERWRITE    (((UINT32)1) << 1)
#define TPM_NV_PER_PPWRITE       (((UINT32)1) << 0)

typedef struct tdTPM_NV_ATTRIBUTES {
	TPM_STRUCTURE_TAG     tag;
	TPM_NV_PER_ATTRIBUTES attributes;
} TPM_NV_ATTRIBUTES;

typedef struct tdTPM_NV_DATA_PUBLIC {
	TPM_STRUCTURE_TAG  tag;
	TPM_NV_INDEX       nvIndex;
	TPM_PCR_INFO_SHORT pcrInfoRead;
	TPM_PCR_INFO_SHORT pcrInfoWrite;
	TPM_NV_ATTRIBUTES  permission;
	TPM_BOOL           bReadSTClear;
	TPM_BOOL           bWriteSTClear;
	TPM_BOOL           bWriteDefine;
	UINT32             dataSize;
} TPM_NV_DATA_PUBLIC;

/* TPM_NV_DATA_SENSITIVE (19.4) never leaves the TPM. */

/* ---- Part 2 section 20: delegation ------------------------------------- */

/* 20.3: owner-delegation permissions, per1 bits */
#define TPM_DELEGATE_SetOrdinalAuditStatus          (((UINT32)1) << 30)
#define TPM_DELEGATE_DirWriteAuth                   (((UINT32)1) << 29)
#define TPM_DELEGATE_CMK_ApproveMA                  (((UINT32)1) << 28)
#define TPM_DELEGATE_NV_WriteValue                  (((UINT32)1) << 27)
#define TPM_DELEGATE_CMK_CreateTicket               (((UINT32)1) << 26)
#define TPM_DELEGATE_NV_ReadValue                   (((UINT32)1) << 25)
#define TPM_DELEGATE_Delegate_LoadOwnerDelegation   (((UINT32)1) << 24)
#define TPM_DELEGATE_DAA_Join                       (((UINT32)1) << 23)
#define TPM_DELEGATE_AuthorizeMigrationKey          (((UINT32)1) << 22)
#define TPM_DELEGATE_CreateMaintenanceArchive       (((UINT32)1) << 21)
#define TPM_DELEGATE_LoadMaintenanceArchive         (((UINT32)1) << 20)
#define TPM_DELEGATE_KillMaintenanceFeature         (((UINT32)1) << 19)
#define TPM_DELEGATE_OwnerReadInternalPub           (((UINT32)1) << 18)
#define TPM_DELEGATE_ResetLockValue                 (((UINT32)1) << 17)
#define TPM_DELEGATE_OwnerClear                     (((UINT32)1) << 16)
#define TPM_DELEGATE_DisableOwnerClear              (((UINT32)1) << 15)
#define TPM_DELEGATE_NV_DefineSpace                 (((UINT32)1) << 14)
#define TPM_DELEGATE_OwnerSetDisable                (((UINT32)1) << 13)
#define TPM_DELEGATE_SetCapability                  (((UINT32)1) << 12)
#define TPM_DELEGATE_MakeIdentity                   (((UINT32)1) << 11)
#define TPM_DELEGATE_ActivateIdentity               (((UINT32)1) << 10)
#define TPM_DELEGATE_OwnerReadPubek                 (((UINT32)1) << 9)
#define TPM_DELEGATE_DisablePubekRead               (((UINT32)1) << 8)
#define TPM_DELEGATE_SetRedirection                 (((UINT32)1) << 7)
#define TPM_DELEGATE_FieldUpgrade                   (((UINT32)1) << 6)
#define TPM_DELEGATE_Delegate_UpdateVerification    (((UINT32)1) << 5)
#define TPM_DELEGATE_CreateCounter                  (((UINT32)1) << 4)
#define TPM_DELEGATE_ReleaseCounterOwner            (((UINT32)1) << 3)
#define TPM_DELEGATE_DelegateManage                 (((UINT32)1) << 2)
#define TPM_DELEGATE_Delegate_CreateOwnerDelegation (((UINT32)1) << 1)
#define TPM_DELEGATE_DAA_Sign                       (((UINT32)1) << 0)

/* 20.3: key-delegation permissions, per1 bits */
#define TPM_KEY_DELEGATE_CMK_ConvertMigration   (((UINT32)1) << 28)
#define TPM_KEY_DELEGATE_TickStampBlob          (((UINT32)1) << 27)
#define TPM_KEY_DELEGATE_ChangeAuthAsymStart    (((UINT32)1) << 26)
#define TPM_KEY_DELEGATE_ChangeAuthAsymFinish   (((UINT32)1) << 25)
#define TPM_KEY_DELEGATE_CMK_CreateKey          (((UINT32)1) << 24)
#define TPM_KEY_DELEGATE_MigrateKey             (((UINT32)1) << 23)
#define TPM_KEY_DELEGATE_LoadKey2               (((UINT32)1) << 22)
#define TPM_KEY_DELEGATE_EstablishTransport     (((UINT32)1) << 21)
#define TPM_KEY_DELEGATE_ReleaseTransportSigned (((UINT32)1) << 20)
#define TPM_KEY_DELEGATE_Quote2                 (((UINT32)1) << 19)
#define TPM_KEY_DELEGATE_Sealx                  (((UINT32)1) << 18)
#define TPM_KEY_DELEGATE_MakeIdentity           (((UINT32)1) << 17)
#define TPM_KEY_DELEGATE_ActivateIdentity       (((UINT32)1) << 16)
#define TPM_KEY_DELEGATE_GetAuditDigestSigned   (((UINT32)1) << 15)
#define TPM_KEY_DELEGATE_Sign                   (((UINT32)1) << 14)
#define TPM_KEY_DELEGATE_CertifyKey2            (((UINT32)1) << 13)
#define TPM_KEY_DELEGATE_CertifyKey             (((UINT32)1) << 12)
#define TPM_KEY_DELEGATE_CreateWrapKey          (((UINT32)1) << 11)
#define TPM_KEY_DELEGATE_CMK_CreateBlob         (((UINT32)1) << 10)
#define TPM_KEY_DELEGATE_CreateMigrationBlob    (((UINT32)1) << 9)
#define TPM_KEY_DELEGATE_ConvertMigrationBlob   (((UINT32)1) << 8)
#define TPM_KEY_DELEGATE_CreateKeyDelegation    (((UINT32)1) << 7)
#define TPM_KEY_DELEGATE_ChangeAuth             (((UINT32)1) << 6)
#define TPM_KEY_DELEGATE_GetPubKey              (((UINT32)1) << 5)
#define TPM_KEY_DELEGATE_UnBind                 (((UINT32)1) << 4)
#define TPM_KEY_DELEGATE_Quote                  (((UINT32)1) << 3)
#define TPM_KEY_DELEGATE_Unseal                 (((UINT32)1) << 2)
#define TPM_KEY_DELEGATE_Seal                   (((UINT32)1) << 1)
#define TPM_KEY_DELEGATE_LoadKey                (((UINT32)1) << 0)

typedef UINT32 TPM_FAMILY_VERIFICATION;
typedef UINT32 TPM_FAMILY_ID;
typedef UINT32 TPM_DELEGATE_INDEX;

/* opFlag of TPM_Delegate_Manage */
typedef UINT32 TPM_FAMILY_OPERATION;
#define TPM_FAMILY_CREATE     ((UINT32)0x00000001)
#define TPM_FAMILY_ENABLE     ((UINT32)0x00000002)
#define TPM_FAMILY_ADMIN      ((UINT32)0x00000003)
#define TPM_FAMILY_INVALIDATE ((UINT32)0x00000004)

typedef UINT32 TPM_FAMILY_FLAGS;
#define TPM_FAMFLAG_DELEGATE_ADMIN_LOCK (((UINT32)1) << 1)
#define TPM_FAMFLAG_ENABLE              (((UINT32)1) << 0)

typedef struct tdTPM_FAMILY_LABEL {
	BYTE label;
} TPM_FAMILY_LABEL;

typedef struct tdTPM_FAMILY_TABLE_ENTRY {
	TPM_STRUCTURE_TAG       tag;
	TPM_FAMILY_LABEL        label;
	TPM_FAMILY_ID           familyID;
	TPM_FAMILY_VERIFICATION verificationCount;
	TPM_FAMILY_FLAGS        flags;
} TPM_FAMILY_TABLE_ENTRY;

/* minimum table sizes a TPM must provide (the tables stay inside it) */
#define TPM_FAMILY_TABLE_ENTRY_MIN       8
#define TPM_NUM_DELEGATE_TABLE_ENTRY_MIN 2

typedef struct tdTPM_DELEGATE_LABEL {
	BYTE label;
} TPM_DELEGATE_LABEL;

/* which per1/per2 bit set a TPM_DELEGATIONS holds */
typedef UINT32 TPM_DELEGATE_TYPE;
#define TPM_DEL_OWNER_BITS ((UINT32)0x00000001)
#define TPM_DEL_KEY_BITS   ((UINT32)0x00000002)

typedef struct tdTPM_DELEGATIONS {
	TPM_STRUCTURE_TAG tag;
	TPM_DELEGATE_TYPE delegateType;
	UINT32            per1;
	UINT32            per2;
} TPM_DELEGATIONS;

typedef struct tdTPM_DELEGATE_PUBLIC {
	TPM_STRUCTURE_TAG       tag;
	TPM_DELEGATE_LABEL      label;
	TPM_PCR_INFO_SHORT      pcrInfo;
	TPM_DELEGATIONS         permissions;
	TPM_FAMILY_ID           familyID;
	TPM_FAMILY_VERIFICATION verificationCount;
} TPM_DELEGATE_PUBLIC;

typedef struct tdTPM_DELEGATE_TABLE_ROW {
	TPM_STRUCTURE_TAG   tag;
	TPM_DELEGATE_PUBLIC pub;
	TPM_SECRET          authValue;
} TPM_DELEGATE_TABLE_ROW;

typedef struct tdTPM_DELEGATE_SENSITIVE {
	TPM_STRUCTURE_TAG tag;
	TPM_SECRET        authValue;
} TPM_DELEGATE_SENSITIVE;

typedef struct tdTPM_DELEGATE_OWNER_BLOB {
	TPM_STRUCTURE_TAG   tag;
	TPM_DELEGATE_PUBLIC pub;
	TPM_DIGEST          integrityDigest;
	UINT32              additionalSize;
	BYTE               *additionalArea;
	UINT32              sensitiveSize;
	BYTE               *sensitiveArea;
} TPM_DELEGATE_OWNER_BLOB;

typedef struct tdTPM_DELEGATE_KEY_BLOB {
	TPM_STRUCTURE_TAG   tag;
	TPM_DELEGATE_PUBLIC pub;
	TPM_DIGEST          integrityDigest;
	TPM_DIGEST          pubKeyDigest;
	UINT32              additionalSize;
	BYTE               *additionalArea;
	UINT32              sensitiveSize;
	BYTE               *sensitiveArea;
} TPM_DELEGATE_KEY_BLOB;

/* ---- Part 2 section 21: capabilities ----------------------------------- */

/* 21.1: capArea of TPM_GetCapability */
typedef UINT32 TPM_CAPABILITY_AREA;
#define TPM_CAP_ORD          ((UINT32)0x00000001)
#define TPM_CAP_ALG          ((UINT32)0x00000002)
#define TPM_CAP_PID          ((UINT32)0x00000003)
#define TPM_CAP_FLAG         ((UINT32)0x00000004)
#define TPM_CAP_PROPERTY     ((UINT32)0x00000005)
#define TPM_CAP_VERSION      ((UINT32)0x00000006)
#define TPM_CAP_KEY_HANDLE   ((UINT32)0x00000007)
#define TPM_CAP_CHECK_LOADED ((UINT32)0x00000008)
#define TPM_CAP_SYM_MODE     ((UINT32)0x00000009)
#define TPM_CAP_KEY_STATUS   ((UINT32)0x0000000C)
#define TPM_CAP_NV_LIST      ((UINT32)0x0000000D)
#define TPM_CAP_MFR          ((UINT32)0x00000010)
#define TPM_CAP_NV_INDEX     ((UINT32)0x00000011)
#define TPM_CAP_TRANS_ALG    ((UINT32)0x00000012)
#define TPM_CAP_HANDLE       ((UINT32)0x00000014)
#define TPM_CAP_TRANS_ES     ((UINT32)0x00000015)
#define TPM_CAP_AUTH_ENCRYPT ((UINT32)0x00000017)
#define TPM_CAP_SELECT_SIZE  ((UINT32)0x00000018)
#define TPM_CAP_DA_LOGIC     ((UINT32)0x00000019)
#define TPM_CAP_VERSION_VAL  ((UINT32)0x0000001A)

/* 21.1: sub-capabilities of TPM_CAP_FLAG */
#define TPM_CAP_FLAG_PERMANENT ((UINT32)0x00000108)
#define TPM_CAP_FLAG_VOLATILE  ((UINT32)0x00000109)

/* 21.2: sub-capabilities of TPM_CAP_PROPERTY */
#define TPM_CAP_PROP_PCR             ((UINT32)0x00000101)
#define TPM_CAP_PROP_DIR             ((UINT32)0x00000102)
#define TPM_CAP_PROP_MANUFACTURER    ((UINT32)0x00000103)
#define TPM_CAP_PROP_KEYS            ((UINT32)0x00000104)
#define TPM_CAP_PROP_SLOTS           (TPM_CAP_PROP_KEYS)
#define TPM_CAP_PROP_MIN_COUNTER     ((UINT32)0x00000107)
#define TPM_CAP_PROP_AUTHSESS        ((UINT32)0x0000010A)
#define TPM_CAP_PROP_TRANSSESS       ((UINT32)0x0000010B)
#define TPM_CAP_PROP_COUNTERS        ((UINT32)0x0000010C)
#define TPM_CAP_PROP_MAX_AUTHSESS    ((UINT32)0x0000010D)
#define TPM_CAP_PROP_MAX_TRANSSESS   ((UINT32)0x0000010E)
#define TPM_CAP_PROP_MAX_COUNTERS    ((UINT32)0x0000010F)
#define TPM_CAP_PROP_MAX_KEYS        ((UINT32)0x00000110)
#define TPM_CAP_PROP_OWNER           ((UINT32)0x00000111)
#define TPM_CAP_PROP_CONTEXT         ((UINT32)0x00000112)
#define TPM_CAP_PROP_MAX_CONTEXT     ((UINT32)0x00000113)
#define TPM_CAP_PROP_FAMILYROWS      ((UINT32)0x00000114)
#define TPM_CAP_PROP_TIS_TIMEOUT     ((UINT32)0x00000115)
#define TPM_CAP_PROP_STARTUP_EFFECT  ((UINT32)0x00000116)
#define TPM_CAP_PROP_DELEGATE_ROW    ((UINT32)0x00000117)
#define TPM_CAP_PROP_MAX_DAASESS     ((UINT32)0x00000119)
#define TPM_CAP_PROP_DAA_MAX         TPM_CAP_PROP_MAX_DAASESS
#define TPM_CAP_PROP_DAASESS         ((UINT32)0x0000011A)
#define TPM_CAP_PROP_SESSION_DAA     TPM_CAP_PROP_DAASESS
#define TPM_CAP_PROP_CONTEXT_DIST    ((UINT32)0x0000011B)
#define TPM_CAP_PROP_DAA_INTERRUPT   ((UINT32)0x0000011C)
#define TPM_CAP_PROP_SESSIONS        ((UINT32)0x0000011D)
#define TPM_CAP_PROP_MAX_SESSIONS    ((UINT32)0x0000011E)
#define TPM_CAP_PROP_CMK_RESTRICTION ((UINT32)0x0000011F)
#define TPM_CAP_PROP_DURATION        ((UINT32)0x00000120)
#define TPM_CAP_PROP_ACTIVE_COUNTER  ((UINT32)0x00000122)
#define TPM_CAP_PROP_NV_AVAILABLE    ((UINT32)0x00000123)
#define TPM_CAP_PROP_INPUT_BUFFER    ((UINT32)0x00000124)

/* 21.4: capArea of TPM_SetCapability */
#define TPM_SET_PERM_FLAGS    ((UINT32)0x00000001)
#define TPM_SET_PERM_DATA     ((UINT32)0x00000002)
#define TPM_SET_STCLEAR_FLAGS ((UINT32)0x00000003)
#define TPM_SET_STCLEAR_DATA  ((UINT32)0x00000004)
#define TPM_SET_STANY_FLAGS   ((UINT32)0x00000005)
#define TPM_SET_STANY_DATA    ((UINT32)0x00000006)
#define TPM_SET_VENDOR        ((UINT32)0x00000007)

/* 21.6: answer to TPM_CAP_VERSION_VAL */
typedef struct tdTPM_CAP_VERSION_INFO {
	TPM_STRUCTURE_TAG tag;
	TPM_VERSION       version;
	UINT16            specLevel;
	BYTE              errataRev;
	BYTE              tpmVendorID[4];
	UINT16            vendorSpecificSize;
	BYTE             *vendorSpecific;
} TPM_CAP_VERSION_INFO;

/* 21.9: dictionary-attack lockout state */
typedef BYTE TPM_DA_STATE;
#define TPM_DA_STATE_INACTIVE (0x00)
#define TPM_DA_STATE_ACTIVE   (0x01)

/* 21.10 */
typedef struct tdTPM_DA_ACTION_TYPE {
	TPM_STRUCTURE_TAG tag;
	UINT32            actions;
} TPM_DA_ACTION_TYPE;

#define TPM_DA_ACTION_TIMEOUT      ((UINT32)0x00000001)
#define TPM_DA_ACTION_DISABLE      ((UINT32)0x00000002)
#define TPM_DA_ACTION_DEACTIVATE   ((UINT32)0x00000004)
#define TPM_DA_ACTION_FAILURE_MODE ((UINT32)0x00000008)

/* 21.7: answer to TPM_CAP_DA_LOGIC when the owner asks */
typedef struct tdTPM_DA_INFO {
	TPM_STRUCTURE_TAG  tag;
	TPM_DA_STATE       state;
	UINT16             currentCount;
	UINT16             threshholdCount; /* sic, as in the spec */
	TPM_DA_ACTION_TYPE actionAtThreshold;
	UINT32             actionDependValue;
	UINT32             vendorDataSize;
	BYTE              *vendorData;
} TPM_DA_INFO;

/* 21.8: the same without counts, for callers without owner auth */
typedef struct tdTPM_DA_INFO_LIMITED {
	TPM_STRUCTURE_TAG  tag;
	TPM_DA_STATE       state;
	TPM_DA_ACTION_TYPE actionAtThreshold;
	UINT32             vendorDataSize;
	BYTE              *vendorData;
} TPM_DA_INFO_LIMITED;

/* ---- Part 2 section 22: DAA -------------------------------------------- */

/* sizes (in bytes) of the DAA protocol values, and the exponents */
#define TPM_DAA_SIZE_r0            (43)
#define TPM_DAA_SIZE_r1            (43)
#define TPM_DAA_SIZE_r2            (128)
#define TPM_DAA_SIZE_r3            (168)
#define TPM_DAA_SIZE_r4            (219)
#define TPM_DAA_SIZE_NT            (20)
#define TPM_DAA_SIZE_v0            (128)
#define TPM_DAA_SIZE_v1            (192)
#define TPM_DAA_SIZE_NE            (256)
#define TPM_DAA_SIZE_w             (256)
#define TPM_DAA_SIZE_issuerModulus (256)
#define TPM_DAA_power0             (104)
#define TPM_DAA_power1             (1024)

typedef struct tdTPM_DAA_ISSUER {
	TPM_STRUCTURE_TAG tag;
	TPM_DIGEST        DAA_digest_R0;
	TPM_DIGEST        DAA_digest_R1;
	TPM_DIGEST        DAA_digest_S0;
	TPM_DIGEST        DAA_digest_S1;
	TPM_DIGEST        DAA_digest_n;
	TPM_DIGEST        DAA_digest_gamma;
	BYTE              DAA_generic_q[26];
} TPM_DAA_ISSUER;

typedef struct tdTPM_DAA_TPM {
	TPM_STRUCTURE_TAG tag;
	TPM_DIGEST        DAA_digestIssuer;
	TPM_DIGEST        DAA_digest_v0;
	TPM_DIGEST        DAA_digest_v1;
	TPM_DIGEST        DAA_rekey;
	UINT32            DAA_count;
} TPM_DAA_TPM;

typedef struct tdTPM_DAA_CONTEXT {
	TPM_STRUCTURE_TAG    tag;
	TPM_DIGEST           DAA_digestContext;
	TPM_DIGEST           DAA_digest;
	TPM_DAA_CONTEXT_SEED DAA_contextSeed;
	BYTE                 DAA_scratch[256];
	BYTE                 DAA_stage;
} TPM_DAA_CONTEXT;

typedef struct tdTPM_DAA_JOINDATA {
	BYTE       DAA_join_u0[128];
	BYTE       DAA_join_u1[138];
	TPM_DIGEST DAA_digest_n0;
} TPM_DAA_JOINDATA;

typedef struct tdTPM_DAA_BLOB {
	TPM_STRUCTURE_TAG tag;
	TPM_RESOURCE_TYPE resourceType;
	BYTE              label[16];
	TPM_DIGEST        blobIntegrity;
	UINT32            additionalSize;
	BYTE             *additionalData;
	UINT32            sensitiveSize;
	BYTE             *sensitiveData;
} TPM_DAA_BLOB;

typedef struct tdTPM_DAA_SENSITIVE {
	TPM_STRUCTURE_TAG tag;
	UINT32            internalSize;
	BYTE             *internalData;
} TPM_DAA_SENSITIVE;

/* ---- Part 2 section 23: redirection ------------------------------------ */
/* The only redirection target the spec defines (its value is unnamed in
 * Part 2, its name is used by TPM_SetRedirection in Part 3). */
#define TPM_REDIR_GPIO (0x00000001)

/* ---- Part 2 section 24.6: symmetric modes (deprecated in 1.2) ---------- */
typedef UINT32 TPM_SYM_MODE;
#define TPM_SYM_MODE_ECB (0x00000001)
#define TPM_SYM_MODE_CBC (0x00000002)
#define TPM_SYM_MODE_CFB (0x00000003)

/* the 1.1b aliases, when tpm.h was included before platform.h */
#include <tss/compat11b.h>

#endif /* __TPM_H__ */
