/*
 * Layering of TSS result codes (TSS 1.2 spec, section 4.3.2): the low
 * 12 bits carry the code, bits 12-15 say which layer produced it.
 */
#ifndef __TSS_ERROR_BASICS_H__
#define __TSS_ERROR_BASICS_H__

#define TSS_LAYER_TPM      0x0000L
#define TSS_LAYER_TDDL     0x1000L
#define TSS_LAYER_TCS      0x2000L
#define TSS_LAYER_TSP      0x3000L

/* Where each layer's own codes start inside the 12-bit code space. */
#define TSS_COMMON_OFFSET  0x000L
#define TSS_TDDL_OFFSET    0x080L
#define TSS_TCSI_OFFSET    0x0C0L
#define TSS_TSPI_OFFSET    0x100L
#define TSS_VENDOR_OFFSET  0x800L
#define TSS_MAX_ERROR      0xFFFL

#define TPM_ERROR(code)    (code)
#define TDDL_ERROR(code)   ((code) ? (TSS_LAYER_TDDL | (code)) : (code))
#define TCS_ERROR(code)    ((code) ? (TSS_LAYER_TCS | (code)) : (code))
#define TSP_ERROR(code)    ((code) ? (TSS_LAYER_TSP | (code)) : (code))

#define ERROR_LAYER(error) ((error) & 0xf000)
#define ERROR_CODE(error)  ((error) & 0x0fff)

#endif /* __TSS_ERROR_BASICS_H__ */
