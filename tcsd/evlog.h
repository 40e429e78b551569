/*
 * The TCS event log: the events applications record with LogPcrEvent
 * (TSS 1.2 §4.7.2), kept in memory per PCR in the order logged, and
 * served by GetPcrEvent, GetPcrEventsByPcr and GetPcrEventLog.
 *
 * PCRs named in firmware_pcrs / kernel_pcrs belong to the firmware and
 * the kernel: applications cannot log events for them (TSS_E_FAIL, as
 * TrouSerS). Their logs come from the kernel's files; until that source
 * exists (issue 4) they read as empty.
 *
 * Caps keep a client from exhausting memory: EVLOG_MAX_EVENTS events and
 * EVLOG_MAX_BYTES bytes of event data in all; beyond that LogPcrEvent
 * answers TSS_E_OUTOFMEMORY.
 */
#ifndef TSS12_TCSD_EVLOG_H
#define TSS12_TCSD_EVLOG_H

#include <stdint.h>

#include <tss/platform.h>
#include <tss/tss_typedef.h>
#include <tss/tss_structs.h>

#define EVLOG_MAX_EVENTS 65536u
#define EVLOG_MAX_BYTES (16u << 20)

/*
 * Sets up an empty log for num_pcrs PCRs (0: 24), refusing application
 * events for the PCRs in blocked (bit n = PCR n).
 */
TSS_RESULT evlog_setup(UINT32 num_pcrs, uint32_t blocked);

/* Appends a copy of ev; *number is its index among its PCR's events. */
TSS_RESULT evlog_add(const TSS_PCR_EVENT *ev, UINT32 *number);
/* Events logged for pcr so far. */
TSS_RESULT evlog_count(UINT32 pcr, UINT32 *count);

#endif /* TSS12_TCSD_EVLOG_H */
