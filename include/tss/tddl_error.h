/*
 * TDDL result codes (TSS 1.2 spec, section 4.3.3.2). TDDL functions
 * return them with the TDDL layer bits: TDDL_ERROR(TDDL_E_TIMEOUT).
 */
#ifndef __TDDL_ERROR_H__
#define __TDDL_ERROR_H__

#include <tss/tss_error_basics.h>
#include <tss/tss_error.h>

#ifndef TSS_E_BASE
#define TSS_E_BASE 0x00000000L
#endif

#define TDDL_E_FAIL                 TSS_E_FAIL
#define TDDL_E_TIMEOUT              TSS_E_TIMEOUT
#define TDDL_E_ALREADY_OPENED       (UINT32)(TSS_E_BASE + 0x081L)
#define TDDL_E_ALREADY_CLOSED       (UINT32)(TSS_E_BASE + 0x082L)
#define TDDL_E_INSUFFICIENT_BUFFER  (UINT32)(TSS_E_BASE + 0x083L)
#define TDDL_E_COMMAND_COMPLETED    (UINT32)(TSS_E_BASE + 0x084L)
#define TDDL_E_COMMAND_ABORTED      (UINT32)(TSS_E_BASE + 0x085L)
#define TDDL_E_IOERROR              (UINT32)(TSS_E_BASE + 0x087L)
#define TDDL_E_BADTAG               (UINT32)(TSS_E_BASE + 0x088L)
#define TDDL_E_COMPONENT_NOT_FOUND  (UINT32)(TSS_E_BASE + 0x089L)

#endif /* __TDDL_ERROR_H__ */
