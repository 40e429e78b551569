/*
 * Scalar types of the TSS service provider interface (TSS 1.2 spec, data
 * type definitions). Every object handle is a 32-bit value on the wire and in
 * the ABI; the distinct names only document which object a handle refers to.
 */
#ifndef __TSS_TYPEDEF_H__
#define __TSS_TYPEDEF_H__

#include <tss/platform.h>

typedef UINT32 TSS_HANDLE;
typedef UINT32 TSS_FLAG;          /* object attribute / init flags */
typedef UINT32 TSS_RESULT;        /* layered result code, see tss_error_basics.h */

/* Object handles */
typedef UINT32      TSS_HOBJECT;
typedef TSS_HOBJECT TSS_HCONTEXT;
typedef TSS_HOBJECT TSS_HPOLICY;
typedef TSS_HOBJECT TSS_HTPM;
typedef TSS_HOBJECT TSS_HKEY;
typedef TSS_HOBJECT TSS_HENCDATA;
typedef TSS_HOBJECT TSS_HPCRS;
typedef TSS_HOBJECT TSS_HHASH;
typedef TSS_HOBJECT TSS_HNVSTORE;
typedef TSS_HOBJECT TSS_HMIGDATA;
typedef TSS_HOBJECT TSS_HDELFAMILY;
typedef TSS_HOBJECT TSS_HDAA_CREDENTIAL;
typedef TSS_HOBJECT TSS_HDAA_ISSUER_KEY;
typedef TSS_HOBJECT TSS_HDAA_ARA_KEY;

/* Value types used by object attributes and Tspi_* parameters */
typedef UINT32 TSS_EVENTTYPE;
typedef UINT16 TSS_MIGRATE_SCHEME;
typedef UINT32 TSS_ALGORITHM_ID;
typedef UINT32 TSS_KEY_USAGE_ID;
typedef UINT16 TSS_KEY_ENC_SCHEME;
typedef UINT16 TSS_KEY_SIG_SCHEME;
typedef BYTE   TSS_KEY_AUTH_DATA_USAGE;
typedef UINT32 TSS_CMK_DELEGATE;
typedef UINT32 TSS_NV_INDEX;
typedef UINT32 TSS_COUNTER_ID;

#endif /* __TSS_TYPEDEF_H__ */
