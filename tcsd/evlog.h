/*
 * The TCS event log (TSS 1.2 §4.7.2), served by GetPcrEvent,
 * GetPcrEventsByPcr and GetPcrEventLog, from three sources as TrouSerS'
 * tcsd does with its event-log plugins:
 *
 *  - PCRs in firmware_pcrs: the firmware's TCG PC Client log
 *    (firmware_log_file, default tpm0/binary_bios_measurements);
 *  - PCRs in kernel_pcrs: the kernel's IMA measurement list
 *    (kernel_log_file, default ima/binary_runtime_measurements);
 *  - every other PCR: the events applications record with LogPcrEvent
 *    (Tspi_TPM_PcrExtend with an event), kept in memory and appended to
 *    a file next to system.data (EVLOG_FILE_NAME) so that they survive
 *    a daemon restart.
 *
 * The kernel's files are opened at start-up, as root (they are root-only),
 * and read again for every request (the IMA list grows); a file that does
 * not exist gives an empty log. The application log file is opened at the
 * first request, after the privilege drop, so that it belongs to tss.
 *
 * Applications cannot log events for firmware or kernel PCRs (TSS_E_FAIL,
 * as TrouSerS). Caps keep a client from exhausting memory and disk:
 * EVLOG_MAX_EVENTS events and EVLOG_MAX_BYTES bytes of event data in all;
 * beyond that LogPcrEvent answers TSS_E_OUTOFMEMORY.
 *
 * Events served from the IMA list carry the template digest as PCR value
 * (the digest extended; all zeros for a violation, which IMA extends as
 * all 0xFF), the event name (file name) as event data and event type 0,
 * as TrouSerS' IMA plugin does; those from the firmware log its digest,
 * type and data.
 */
#ifndef TSS12_TCSD_EVLOG_H
#define TSS12_TCSD_EVLOG_H

#include <stdint.h>

#include <tss/platform.h>
#include <tss/tss_typedef.h>
#include <tss/tss_structs.h>

#define EVLOG_MAX_EVENTS 65536u
#define EVLOG_MAX_BYTES (16u << 20)
/* The application log, in the directory of system_ps_file. */
#define EVLOG_FILE_NAME "pcr_events.data"

struct tcsd_config;

/*
 * Sets up an empty in-memory log for num_pcrs PCRs (0: 24), refusing
 * application events for the PCRs in blocked (bit n = PCR n), with no
 * files (tests).
 */
TSS_RESULT evlog_setup(UINT32 num_pcrs, uint32_t blocked);

/* Appends a copy of ev (and to the file, if any); *number is its index among its PCR's events. */
TSS_RESULT evlog_add(const TSS_PCR_EVENT *ev, UINT32 *number);
/* Events logged for pcr so far (from its source). */
TSS_RESULT evlog_count(UINT32 pcr, UINT32 *count);

#endif /* TSS12_TCSD_EVLOG_H */
