/*
 * Layering of TSS result codes (TSS 1.2 spec, section 4.3.2): the low
 * 12 bits carry the code, bits 12-15 say which layer produced it.
 *
 * Some values may be predefined by a platform header, hence the guards
 * (the same names are guarded in TrouSerS).
 */
#ifndef __TSS_ERROR_BASICS_H__
#define __TSS_ERROR_BASICS_H__

#ifndef TSS_LAYER_TPM
#define TSS_LAYER_TPM      0x0000L
#endif
#define TSS_LAYER_TDDL     0x1000L
#define TSS_LAYER_TCS      0x2000L
#ifndef TSS_LAYER_TSP
#define TSS_LAYER_TSP      0x3000L
#endif

/* Where each layer's own codes start inside the 12-bit code space. */
#ifndef TSS_COMMON_OFFSET
#define TSS_COMMON_OFFSET  0x000L
#endif
#define TSS_TDDL_OFFSET    0x080L
#define TSS_TCSI_OFFSET    0x0C0L
#ifndef TSS_TSPI_OFFSET
#define TSS_TSPI_OFFSET    0x100L
#endif
#ifndef TSS_VENDOR_OFFSET
#define TSS_VENDOR_OFFSET  0x800L
#endif
/* Vendor codes must stay at or below this. */
#ifndef TSS_MAX_ERROR
#define TSS_MAX_ERROR      0xFFFL
#endif

/* Build a layered code; success (0) stays 0 in every layer. */
#define TPM_ERROR(code)    (code)
#define TDDL_ERROR(code)   ((code) ? (TSS_LAYER_TDDL | (code)) : (code))
#define TCS_ERROR(code)    ((code) ? (TSS_LAYER_TCS | (code)) : (code))
#define TSP_ERROR(code)    ((code) ? (TSS_LAYER_TSP | (code)) : (code))

/* Take a layered code apart. */
#define ERROR_LAYER(error) ((error) & 0xf000)
#define ERROR_CODE(error)  ((error) & 0x0fff)

#endif /* __TSS_ERROR_BASICS_H__ */
