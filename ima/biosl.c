/*
 * The TCG PC Client firmware event log of a TPM 1.2 platform: SHA-1
 * TCG_PCR_EVENT records (PC Client Specific Implementation Specification
 * for Conventional BIOS 1.21 §11.1.1; the UEFI Platform spec 1.22 §7.1
 * uses the same record), little-endian:
 *   u32 pcrIndex, u32 eventType, u8[20] digest, u32 eventDataSize, data
 * The kernel exports it unchanged as tpm0/binary_bios_measurements and
 * stops at the first all-zero record header (drivers/char/tpm/eventlog/tpm1.c).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ima_log.h"
#include "ima_priv.h"

/* Event types: PC Client 1.21 §11.3.1 and UEFI Platform 1.22 §7.2. */
static const struct {
	uint32_t type;
	const char *name;
} event_types[] = {
	{ 0x00000000, "EV_PREBOOT_CERT" },
	{ 0x00000001, "EV_POST_CODE" },
	{ 0x00000002, "EV_UNUSED" },
	{ 0x00000003, "EV_NO_ACTION" },
	{ 0x00000004, "EV_SEPARATOR" },
	{ 0x00000005, "EV_ACTION" },
	{ 0x00000006, "EV_EVENT_TAG" },
	{ 0x00000007, "EV_S_CRTM_CONTENTS" },
	{ 0x00000008, "EV_S_CRTM_VERSION" },
	{ 0x00000009, "EV_CPU_MICROCODE" },
	{ 0x0000000a, "EV_PLATFORM_CONFIG_FLAGS" },
	{ 0x0000000b, "EV_TABLE_OF_DEVICES" },
	{ 0x0000000c, "EV_COMPACT_HASH" },
	{ 0x0000000d, "EV_IPL" },
	{ 0x0000000e, "EV_IPL_PARTITION_DATA" },
	{ 0x0000000f, "EV_NONHOST_CODE" },
	{ 0x00000010, "EV_NONHOST_CONFIG" },
	{ 0x00000011, "EV_NONHOST_INFO" },
	{ 0x00000012, "EV_OMIT_BOOT_DEVICE_EVENTS" },
	{ 0x80000000, "EV_EFI_EVENT_BASE" },
	{ 0x80000001, "EV_EFI_VARIABLE_DRIVER_CONFIG" },
	{ 0x80000002, "EV_EFI_VARIABLE_BOOT" },
	{ 0x80000003, "EV_EFI_BOOT_SERVICES_APPLICATION" },
	{ 0x80000004, "EV_EFI_BOOT_SERVICES_DRIVER" },
	{ 0x80000005, "EV_EFI_RUNTIME_SERVICES_DRIVER" },
	{ 0x80000006, "EV_EFI_GPT_EVENT" },
	{ 0x80000007, "EV_EFI_ACTION" },
	{ 0x80000008, "EV_EFI_PLATFORM_FIRMWARE_BLOB" },
	{ 0x80000009, "EV_EFI_HANDOFF_TABLES" },
	{ 0x8000000a, "EV_EFI_PLATFORM_FIRMWARE_BLOB2" },
	{ 0x8000000b, "EV_EFI_HANDOFF_TABLES2" },
	{ 0x8000000c, "EV_EFI_VARIABLE_BOOT2" },
	{ 0x80000010, "EV_EFI_HCRTM_EVENT" },
	{ 0x800000e0, "EV_EFI_VARIABLE_AUTHORITY" },
	{ 0x800000e1, "EV_EFI_SPDM_FIRMWARE_BLOB" },
	{ 0x800000e2, "EV_EFI_SPDM_FIRMWARE_CONFIG" },
};

const char *biosl_event_type_name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(event_types) / sizeof(event_types[0]); i++)
		if (event_types[i].type == type)
			return event_types[i].name;
	return NULL;
}

void biosl_log_free(struct biosl_log *log)
{
	if (log == NULL)
		return;
	for (size_t i = 0; i < log->count; i++)
		free(log->events[i].data);
	free(log->events);
	free(log);
}

static bool rest_is_zero(const struct buf_reader *r)
{
	for (size_t i = r->off; i < r->len; i++)
		if (r->data[i] != 0)
			return false;
	return true;
}

/* The TCG_EfiSpecIdEvent signature of crypto-agile (TPM 2.0) logs. */
static const char spec_id_03[] = "Spec ID Event03";

static int parse_record(struct buf_reader *r, size_t idx, struct biosl_event *ev,
			struct ima_error *err)
{
	size_t at = r->off;

	ev->offset = at;
	if (buf_get_u32_le(r, &ev->pcr) != 0)
		return ima_fail(err, -EBADMSG, idx, at, "truncated PCR index (%zu bytes left)",
				r->len - at);
	if (ev->pcr >= IMA_NUM_PCRS)
		return ima_fail(err, -EBADMSG, idx, at, "PCR index %u out of range", ev->pcr);
	at = r->off;
	if (buf_get_u32_le(r, &ev->type) != 0)
		return ima_fail(err, -EBADMSG, idx, at, "truncated event type");
	at = r->off;
	if (buf_get_bytes(r, ev->digest, IMA_SHA1_LEN) != 0)
		return ima_fail(err, -EBADMSG, idx, at, "truncated digest");
	at = r->off;
	if (buf_get_u32_le(r, &ev->data_len) != 0)
		return ima_fail(err, -EBADMSG, idx, at, "truncated event data size");
	if (ev->data_len > BIOSL_EVENT_DATA_MAX)
		return ima_fail(err, -E2BIG, idx, at, "event data size %u above %u", ev->data_len,
				BIOSL_EVENT_DATA_MAX);
	if (ev->data_len > buf_remaining(r))
		return ima_fail(err, -EBADMSG, idx, at, "event data claims %u bytes, %zu left",
				ev->data_len, buf_remaining(r));
	if (buf_get_dup(r, &ev->data, ev->data_len) != 0)
		return ima_fail(err, -ENOMEM, idx, at, "out of memory");
	if (idx == 0 && ev->type == BIOSL_EV_NO_ACTION && ev->data_len >= sizeof(spec_id_03) &&
	    memcmp(ev->data, spec_id_03, sizeof(spec_id_03)) == 0)
		return ima_fail(err, -EPROTONOSUPPORT, idx, at + 4,
				"crypto-agile (TPM 2.0) log; only SHA-1 TPM 1.2 logs are read");
	return 0;
}

int biosl_parse(const uint8_t *data, size_t len, struct biosl_log **out, struct ima_error *err)
{
	struct biosl_log *log;
	struct buf_reader r;
	size_t cap = 0;
	int rc = 0;

	*out = NULL;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	log = calloc(1, sizeof(*log));
	if (log == NULL)
		return ima_fail(err, -ENOMEM, 0, 0, "out of memory");
	buf_reader_init(&r, data, len);
	/* All-zero bytes after the last record: the rest of the ACPI log area. */
	while (buf_remaining(&r) != 0 && !rest_is_zero(&r)) {
		if (log->count == cap) {
			size_t n = cap ? cap * 2 : 32;
			struct biosl_event *p = realloc(log->events, n * sizeof(*p));

			if (p == NULL) {
				rc = ima_fail(err, -ENOMEM, log->count, r.off, "out of memory");
				goto out;
			}
			log->events = p;
			cap = n;
		}
		memset(&log->events[log->count], 0, sizeof(log->events[0]));
		rc = parse_record(&r, log->count, &log->events[log->count], err);
		log->count++;
		if (rc != 0)
			goto out;
	}
	*out = log;
	log = NULL;
out:
	biosl_log_free(log);
	return rc;
}

int biosl_replay(const struct biosl_log *log, uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN],
		 uint32_t *extended)
{
	memset(pcrs, 0, IMA_NUM_PCRS * IMA_SHA1_LEN);
	if (extended != NULL)
		*extended = 0;
	for (size_t i = 0; i < log->count; i++) {
		const struct biosl_event *ev = &log->events[i];

		if (ev->pcr >= IMA_NUM_PCRS)
			return -EINVAL;
		if (ev->type == BIOSL_EV_NO_ACTION)
			continue;
		if (ima_extend(pcrs[ev->pcr], ev->digest) != 0)
			return -EIO;
		if (extended != NULL)
			*extended |= 1u << ev->pcr;
	}
	return 0;
}

int biosl_write(const struct biosl_log *log, struct buf_writer *w)
{
	for (size_t i = 0; i < log->count; i++) {
		const struct biosl_event *ev = &log->events[i];

		buf_put_u32_le(w, ev->pcr);
		buf_put_u32_le(w, ev->type);
		buf_put_bytes(w, ev->digest, IMA_SHA1_LEN);
		buf_put_u32_le(w, ev->data_len);
		buf_put_bytes(w, ev->data, ev->data_len);
	}
	return buf_writer_error(w);
}
