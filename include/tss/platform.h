/*
 * Platform base types of the TSS 1.2 API (TSS 1.2 spec, section 2.3.1),
 * sized exactly as TrouSerS defines them so the ABI matches.
 */
#ifndef TSS_PLATFORM_H
#define TSS_PLATFORM_H

#include <stdint.h>

typedef uint8_t  BYTE;
typedef int8_t   TSS_BOOL;
typedef uint16_t UINT16;
typedef uint32_t UINT32;
typedef uint64_t UINT64;
typedef uint16_t TSS_UNICODE;
typedef void    *PVOID;

/*
 * Programs written against the TSS 1.1 names (TCPA_*) still build: the
 * compatibility aliases come with the base types, as in TrouSerS. They
 * are defined in terms of tpm.h, so when tpm.h is the file being read
 * (it includes us first), tpm.h pulls them in at its end instead.
 */
#ifndef __TPM_H__
#include <tss/compat11b.h>
#endif

#endif /* TSS_PLATFORM_H */
