/*
 * Structures passed across the TSS 1.2 service-provider API (TSS 1.2 spec,
 * data structure definitions). Unlike the TPM structures these are never marshalled as
 * such; variable-length members are a length plus a pointer to memory the
 * TSP allocates (free it with Tspi_Context_FreeMemory).
 */
#ifndef __TSS_STRUCTS_H__
#define __TSS_STRUCTS_H__

#include <tss/platform.h>
#include <tss/tss_typedef.h>
#include <tss/tpm.h>

typedef struct tdTSS_VERSION {
	BYTE bMajor;
	BYTE bMinor;
	BYTE bRevMajor;
	BYTE bRevMinor;
} TSS_VERSION;

/* One entry of the TCS event log (Tspi_TPM_GetEvent*) */
typedef struct tdTSS_PCR_EVENT {
	TSS_VERSION   versionInfo;
	UINT32        ulPcrIndex;
	TSS_EVENTTYPE eventType;
	UINT32        ulPcrValueLength;
	BYTE         *rgbPcrValue;
	UINT32        ulEventLength;
	BYTE         *rgbEvent;
} TSS_PCR_EVENT;

typedef struct tdTSS_EVENT_CERT {
	TSS_VERSION versionInfo;
	UINT32      ulCertificateHashLength;
	BYTE       *rgbCertificateHash;
	UINT32      ulEntityDigestLength;
	BYTE       *rgbentityDigest;
	TSS_BOOL    fDigestChecked;
	TSS_BOOL    fDigestVerified;
	UINT32      ulIssuerLength;
	BYTE       *rgbIssuer;
} TSS_EVENT_CERT;

/* Identifies a key in persistent storage; fields as in an RFC 4122 UUID */
typedef struct tdTSS_UUID {
	UINT32 ulTimeLow;
	UINT16 usTimeMid;
	UINT16 usTimeHigh;
	BYTE   bClockSeqHigh;
	BYTE   bClockSeqLow;
	BYTE   rgbNode[6];
} TSS_UUID;

/* Key hierarchy listing (Tspi_Context_GetRegisteredKeysByUUID) */
typedef struct tdTSS_KM_KEYINFO {
	TSS_VERSION versionInfo;
	TSS_UUID    keyUUID;
	TSS_UUID    parentKeyUUID;
	BYTE        bAuthDataUsage;   /* does loading a child need auth? */
	TSS_BOOL    fIsLoaded;        /* currently in a TPM slot */
	UINT32      ulVendorDataLength;
	BYTE       *rgbVendorData;    /* may be NULL */
} TSS_KM_KEYINFO;

/* ... and the 1.2 variant that also tells which storage holds the keys */
typedef struct tdTSS_KM_KEYINFO2 {
	TSS_VERSION versionInfo;
	TSS_UUID    keyUUID;
	TSS_UUID    parentKeyUUID;
	BYTE        bAuthDataUsage;
	TSS_FLAG    persistentStorageType;
	TSS_FLAG    persistentStorageTypeParent;
	TSS_BOOL    fIsLoaded;
	UINT32      ulVendorDataLength;
	BYTE       *rgbVendorData;
} TSS_KM_KEYINFO2;

typedef struct tdTSS_NONCE {
	BYTE nonce[TPM_SHA1BASED_NONCE_LEN];
} TSS_NONCE;

/*
 * In/out of the operations that return signed TPM data (Quote, CertifyKey,
 * ...): the caller supplies ExternalData (the anti-replay nonce), the TSP
 * returns the signed Data and the signature in ValidationData.
 */
typedef struct tdTSS_VALIDATION {
	TSS_VERSION versionInfo;
	UINT32      ulExternalDataLength;
	BYTE       *rgbExternalData;
	UINT32      ulDataLength;
	BYTE       *rgbData;
	UINT32      ulValidationDataLength;
	BYTE       *rgbValidationData;
} TSS_VALIDATION;

/* A callback registered through Tspi_SetAttribData on a policy or TPM */
typedef struct tdTSS_CALLBACK {
	PVOID            callback;
	PVOID            appData;
	TSS_ALGORITHM_ID alg;
} TSS_CALLBACK;

/* ---- Direct anonymous attestation (DAA) ------------------------------
 * BYTE ** members are two-dimensional: Length rows of Length2 bytes.
 */

typedef struct tdTSS_DAA_PK {
	TSS_VERSION versionInfo;
	UINT32      modulusLength;
	BYTE       *modulus;
	UINT32      capitalSLength;
	BYTE       *capitalS;
	UINT32      capitalZLength;
	BYTE       *capitalZ;
	UINT32      capitalR0Length;
	BYTE       *capitalR0;
	UINT32      capitalR1Length;
	BYTE       *capitalR1;
	UINT32      gammaLength;
	BYTE       *gamma;
	UINT32      capitalGammaLength;
	BYTE       *capitalGamma;
	UINT32      rhoLength;
	BYTE       *rho;
	UINT32      capitalYLength;
	UINT32      capitalYLength2;
	BYTE      **capitalY;
	UINT32      capitalYPlatformLength;
	UINT32      issuerBaseNameLength;
	BYTE       *issuerBaseName;
	UINT32      numPlatformAttributes;
	UINT32      numIssuerAttributes;
} TSS_DAA_PK;

typedef struct tdTSS_DAA_PK_PROOF {
	TSS_VERSION versionInfo;
	UINT32      challengeLength;
	BYTE       *challenge;
	UINT32      responseLength;
	UINT32      responseLength2;
	BYTE      **response;
} TSS_DAA_PK_PROOF;

typedef struct tdTSS_DAA_SK {
	TSS_VERSION versionInfo;
	UINT32      productPQprimeLength;
	BYTE       *productPQprime;
} TSS_DAA_SK;

typedef struct tdTSS_DAA_KEY_PAIR {
	TSS_VERSION versionInfo;
	TSS_DAA_SK  secretKey;
	TSS_DAA_PK  publicKey;
} TSS_DAA_KEY_PAIR;

/* anonymity revocation authority key pair */
typedef struct tdTSS_DAA_AR_PK {
	TSS_VERSION versionInfo;
	UINT32      etaLength;
	BYTE       *eta;
	UINT32      lambda1Length;
	BYTE       *lambda1;
	UINT32      lambda2Length;
	BYTE       *lambda2;
	UINT32      lambda3Length;
	BYTE       *lambda3;
} TSS_DAA_AR_PK;

typedef struct tdTSS_DAA_AR_SK {
	TSS_VERSION versionInfo;
	UINT32      x0Length;
	BYTE       *x0;
	UINT32      x1Length;
	BYTE       *x1;
	UINT32      x2Length;
	BYTE       *x2;
	UINT32      x3Length;
	BYTE       *x3;
	UINT32      x4Length;
	BYTE       *x4;
	UINT32      x5Length;
	BYTE       *x5;
} TSS_DAA_AR_SK;

typedef struct tdTSS_DAA_AR_KEY_PAIR {
	TSS_VERSION   versionInfo;
	TSS_DAA_AR_SK secretKey;
	TSS_DAA_AR_PK publicKey;
} TSS_DAA_AR_KEY_PAIR;

typedef struct tdTSS_DAA_CRED_ISSUER {
	TSS_VERSION versionInfo;
	UINT32      capitalALength;
	BYTE       *capitalA;
	UINT32      eLength;
	BYTE       *e;
	UINT32      vPrimePrimeLength;
	BYTE       *vPrimePrime;
	UINT32      attributesIssuerLength;
	UINT32      attributesIssuerLength2;
	BYTE      **attributesIssuer;
	UINT32      cPrimeLength;
	BYTE       *cPrime;
	UINT32      sELength;
	BYTE       *sE;
} TSS_DAA_CRED_ISSUER;

typedef struct tdTSS_DAA_CREDENTIAL {
	TSS_VERSION versionInfo;
	UINT32      capitalALength;
	BYTE       *capitalA;
	UINT32      exponentLength;
	BYTE       *exponent;
	UINT32      vBar0Length;
	BYTE       *vBar0;
	UINT32      vBar1Length;
	BYTE       *vBar1;
	UINT32      attributesLength;
	UINT32      attributesLength2;
	BYTE      **attributes;
	TSS_DAA_PK  issuerPK;
	UINT32      tpmSpecificEncLength;
	BYTE       *tpmSpecificEnc;
	UINT32      daaCounter;
} TSS_DAA_CREDENTIAL;

typedef struct tdTSS_DAA_ATTRIB_COMMIT {
	TSS_VERSION versionInfo;
	UINT32      betaLength;
	BYTE       *beta;
	UINT32      sMuLength;
	BYTE       *sMu;
} TSS_DAA_ATTRIB_COMMIT;

typedef struct tdTSS_DAA_CREDENTIAL_REQUEST {
	TSS_VERSION            versionInfo;
	UINT32                 capitalULength;
	BYTE                  *capitalU;
	UINT32                 capitalNiLength;
	BYTE                  *capitalNi;
	UINT32                 authenticationProofLength;
	BYTE                  *authenticationProof;
	UINT32                 challengeLength;
	BYTE                  *challenge;
	UINT32                 nonceTpmLength;
	BYTE                  *nonceTpm;
	UINT32                 noncePlatformLength;
	BYTE                  *noncePlatform;
	UINT32                 sF0Length;
	BYTE                  *sF0;
	UINT32                 sF1Length;
	BYTE                  *sF1;
	UINT32                 sVprimeLength;
	BYTE                  *sVprime;
	UINT32                 sVtildePrimeLength;
	BYTE                  *sVtildePrime;
	UINT32                 sALength;
	UINT32                 sALength2;
	BYTE                 **sA;
	UINT32                 attributeCommitmentsLength;
	TSS_DAA_ATTRIB_COMMIT *attributeCommitments;
} TSS_DAA_CREDENTIAL_REQUEST;

typedef struct tdTSS_DAA_SELECTED_ATTRIB {
	TSS_VERSION versionInfo;
	UINT32      indicesListLength;
	TSS_BOOL   *indicesList;
} TSS_DAA_SELECTED_ATTRIB;

typedef struct tdTSS_DAA_PSEUDONYM {
	TSS_VERSION versionInfo;
	TSS_FLAG    payloadFlag;     /* TSS_FLAG_DAA_PSEUDONYM_* */
	UINT32      payloadLength;
	BYTE       *payload;
} TSS_DAA_PSEUDONYM;

typedef struct tdTSS_DAA_PSEUDONYM_PLAIN {
	TSS_VERSION versionInfo;
	UINT32      capitalNvLength;
	BYTE       *capitalNv;
} TSS_DAA_PSEUDONYM_PLAIN;

typedef struct tdTSS_DAA_PSEUDONYM_ENCRYPTED {
	TSS_VERSION versionInfo;
	UINT32      delta1Length;
	BYTE       *delta1;
	UINT32      delta2Length;
	BYTE       *delta2;
	UINT32      delta3Length;
	BYTE       *delta3;
	UINT32      delta4Length;
	BYTE       *delta4;
	UINT32      sTauLength;
	BYTE       *sTau;
} TSS_DAA_PSEUDONYM_ENCRYPTED;

typedef struct tdTSS_DAA_SIGN_CALLBACK {
	TSS_VERSION versionInfo;
	TSS_HHASH   challenge;
	TSS_FLAG    payloadFlag;
	UINT32      payloadLength;
	BYTE       *payload;
} TSS_DAA_SIGN_CALLBACK;

typedef struct tdTSS_DAA_SIGNATURE {
	TSS_VERSION            versionInfo;
	UINT32                 zetaLength;
	BYTE                  *zeta;
	UINT32                 capitalTLength;
	BYTE                  *capitalT;
	UINT32                 challengeLength;
	BYTE                  *challenge;
	UINT32                 nonceTpmLength;
	BYTE                  *nonceTpm;
	UINT32                 sVLength;
	BYTE                  *sV;
	UINT32                 sF0Length;
	BYTE                  *sF0;
	UINT32                 sF1Length;
	BYTE                  *sF1;
	UINT32                 sELength;
	BYTE                  *sE;
	UINT32                 sALength;
	UINT32                 sALength2;
	BYTE                 **sA;
	UINT32                 attributeCommitmentsLength;
	TSS_DAA_ATTRIB_COMMIT *attributeCommitments;
	TSS_DAA_PSEUDONYM      signedPseudonym;
	TSS_DAA_SIGN_CALLBACK  callbackResult;
} TSS_DAA_SIGNATURE;

typedef struct tdTSS_DAA_IDENTITY_PROOF {
	TSS_VERSION versionInfo;
	UINT32      endorsementLength;
	BYTE       *endorsementCredential;
	UINT32      platformLength;
	BYTE       *platform;
	UINT32      conformanceLength;
	BYTE       *conformance;
} TSS_DAA_IDENTITY_PROOF;

/* ---- Delegation (Tspi_TPM_Delegate_ReadTables) ------------------------- */

typedef UINT32 TSS_FAMILY_ID;
typedef BYTE   TSS_DELEGATION_LABEL;
typedef UINT32 TSS_DELEGATION_TYPE;  /* TSS_DELEGATIONTYPE_OWNER or _KEY */

/* TSS view of TPM_PCR_INFO_SHORT, with the digest as a sized buffer */
typedef struct tdTSS_PCR_INFO_SHORT {
	UINT32 sizeOfSelect;
	BYTE  *selection;
	BYTE   localityAtRelease;
	UINT32 sizeOfDigestAtRelease;
	BYTE  *digestAtRelease;
} TSS_PCR_INFO_SHORT;

typedef struct tdTSS_FAMILY_TABLE_ENTRY {
	TSS_FAMILY_ID        familyID;
	TSS_DELEGATION_LABEL label;
	UINT32               verificationCount;
	TSS_BOOL             enabled;
	TSS_BOOL             locked;
} TSS_FAMILY_TABLE_ENTRY;

typedef struct tdTSS_DELEGATION_TABLE_ENTRY {
	UINT32               tableIndex;
	TSS_DELEGATION_LABEL label;
	TSS_PCR_INFO_SHORT   pcrInfo;
	UINT32               per1;
	UINT32               per2;
	TSS_FAMILY_ID        familyID;
	UINT32               verificationCount;
} TSS_DELEGATION_TABLE_ENTRY;

/* answer to TSS_TCSCAP_PLATFORM_CLASS */
typedef struct tdTSS_PLATFORM_CLASS {
	UINT32 platformClassSimpleIdentifier;
	UINT32 platformClassURISize;
	BYTE  *pPlatformClassURI;
} TSS_PLATFORM_CLASS;

#endif /* __TSS_STRUCTS_H__ */
