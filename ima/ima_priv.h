/* Helpers shared by the parsers of libima; not part of its interface. */
#ifndef TSS12_IMA_PRIV_H
#define TSS12_IMA_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ima_log.h"

/* Fills err (may be NULL) with "record R at offset O: <fmt>"; returns code. */
int ima_fail(struct ima_error *err, int code, size_t record, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int ima_get_u32(struct buf_reader *r, enum ima_byte_order o, uint32_t *v);
void ima_put_u32(struct buf_writer *w, enum ima_byte_order o, uint32_t v);
/* pcr = SHA1(pcr || digest), TPM 1.2 Part 3 §16.1 (TPM_Extend). */
int ima_extend(uint8_t pcr[IMA_SHA1_LEN], const uint8_t digest[IMA_SHA1_LEN]);

#endif /* TSS12_IMA_PRIV_H */
