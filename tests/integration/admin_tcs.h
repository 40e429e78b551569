/*
 * A small TCS client for the monotonic-counter ordinals, which the TSS
 * 1.2 API (ours and TrouSerS') does not reach: CreateCounter,
 * IncrementCounter, ReadCounter, ReleaseCounter, ReleaseCounterOwner,
 * spoken over the TCSD wire protocol (common/tcsd_wire.h) with HMACs from
 * common/auth.h. Used by test_tspi_admin (against our tcsd and TrouSerS')
 * and by the interop tool that prepares a counter for Debian's libtspi.
 *
 * Functions return the TCS result code (TPM codes unchanged), or
 * ADMIN_TCS_IO_ERROR when the connection or a reply broke.
 */
#ifndef TSS12_TESTS_ADMIN_TCS_H
#define TSS12_TESTS_ADMIN_TCS_H

#include <stdint.h>

#include <tss/tss_typedef.h>
#include <tss/tpm.h>

#define ADMIN_TCS_IO_ERROR 0xffffffffu

struct admin_tcs {
	int fd;
	uint32_t ctx;	/* TCS context handle */
};

/* Connects to 127.0.0.1:$TSS_TCSD_PORT and opens a TCS context. 0 or -errno. */
int admin_tcs_open(struct admin_tcs *t);
void admin_tcs_close(struct admin_tcs *t);

/* CreateCounter authorised by owner_secret (OSAP, ADIP for counter_secret). */
uint32_t admin_tcs_create_counter(struct admin_tcs *t, const uint8_t owner_secret[20],
				  const uint8_t counter_secret[20], const uint8_t *label,
				  uint32_t label_len, uint32_t *id, TPM_COUNTER_VALUE *value);
/* IncrementCounter authorised by the counter's secret (OIAP). */
uint32_t admin_tcs_increment_counter(struct admin_tcs *t, uint32_t id,
				     const uint8_t counter_secret[20], TPM_COUNTER_VALUE *value);
uint32_t admin_tcs_read_counter(struct admin_tcs *t, uint32_t id, TPM_COUNTER_VALUE *value);
/* ReleaseCounter (counter secret) or, with owner != 0, ReleaseCounterOwner. */
uint32_t admin_tcs_release_counter(struct admin_tcs *t, uint32_t id, const uint8_t secret[20],
				   int owner);

#endif /* TSS12_TESTS_ADMIN_TCS_H */
