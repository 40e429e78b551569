/*
 * Constants of the TSS Core Services interface.
 */
#ifndef __TCS_DEFINES_H__
#define __TCS_DEFINES_H__

/* transport-session attributes a TCS client may request */
#define TSS_TCSATTRIB_TRANSPORT_DEFAULT   ((UINT32)(0x00000000))
#define TSS_TCSATTRIB_TRANSPORT_EXCLUSIVE ((UINT32)(0x00000001))

/* Tcsi_GetCredential: which certificate */
#define TSS_TCS_CREDENTIAL_EKCERT       ((UINT32)0x00000001)
#define TSS_TCS_CREDENTIAL_TPM_CC       ((UINT32)0x00000002)
#define TSS_TCS_CREDENTIAL_PLATFORMCERT ((UINT32)0x00000003)

/* Tcsi_GetCredential: how to find it. AUTO is the TCS's default search;
 * any mode with the vendor bit set is implementation defined. */
#define TSS_TCS_CERT_ACCESS_AUTO         ((UINT32)0x00000001)
#define TSS_TCS_CERT_VENDOR_SPECIFIC_BIT ((UINT32)0x80000000)

#endif /* __TCS_DEFINES_H__ */
