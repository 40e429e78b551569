/*
 * libima: the measurement logs a TPM 1.2 platform keeps outside the TPM.
 *
 *  - The kernel's IMA measurement list, binary (securityfs
 *    binary_runtime_measurements) and ASCII (ascii_runtime_measurements),
 *    templates ima, ima-ng, ima-ngv2, ima-sig, ima-sigv2, ima-buf,
 *    ima-modsig, evm-sig and custom format strings ("d-ng|n-ng|...").
 *    Integers are in the byte order of the kernel that wrote the list, or
 *    little-endian when it booted with ima_canonical_fmt.
 *  - The TCG PC Client firmware log for TPM 1.2 (SHA-1 TCG_PCR_EVENT
 *    records, TCG PC Client Specific Implementation Specification for
 *    Conventional BIOS 1.21 §11.1.1), as binary_bios_measurements.
 *  - tcsd's own log of application events (LogPcrEvent), an append-only
 *    file of checksummed records (tsslog_*).
 *
 * Every parser reads through common/buf.h, caps every length it allocates
 * for, and on malformed input returns a negative errno with an ima_error
 * that names the record and the byte offset where the input went wrong.
 * Parsed logs own their memory; nothing points into the caller's input.
 */
#ifndef TSS12_IMA_LOG_H
#define TSS12_IMA_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf_writer;

#define IMA_SHA1_LEN 20
/* PC Client TPM 1.2: 24 PCRs (PC Client spec 1.21 §4.2.1). */
#define IMA_NUM_PCRS 24
#define IMA_MAX_DIGEST_LEN 64
/* IMA_EVENT_NAME_LEN_MAX: the 'ima' template's name field. */
#define IMA_EVENT_NAME_MAX 255
#define IMA_TEMPLATE_NAME_MAX 255
/* Caps on what one record may claim (far above anything the kernel writes). */
#define IMA_TEMPLATE_DATA_MAX (1u << 20)
#define IMA_MAX_FIELDS 16
#define BIOSL_EVENT_DATA_MAX (1u << 20)
/* Whole files read by ima_read_file(). */
#define IMA_FILE_MAX (64u << 20)

/* Where a log went wrong: "record R at offset O: what". */
struct ima_error {
	int code;		/* the negative errno also returned */
	size_t record;		/* 0-based index of the record */
	size_t offset;		/* byte offset in the input (ASCII: of the token) */
	char msg[224];
};

enum ima_byte_order {
	IMA_ORDER_AUTO = 0,	/* guess from the first record's PCR index */
	IMA_ORDER_LE,		/* x86 native, and every ima_canonical_fmt list */
	IMA_ORDER_BE,		/* native lists of big-endian kernels */
};

/* Parse flags */
#define IMA_PARSE_NO_VERIFY 0x1u	/* skip the template-digest check */

struct ima_field {
	const char *id;			/* "d-ng", "n-ng", "sig", ... (static) */
	const uint8_t *data;		/* into the event's template_data */
	uint32_t len;
};

struct ima_event {
	size_t offset;			/* of the record in the input */
	uint32_t pcr;
	uint8_t template_digest[IMA_SHA1_LEN];
	bool violation;			/* digest all zero: extended as all 0xFF */
	char template_name[IMA_TEMPLATE_NAME_MAX + 1];
	/*
	 * The template data: for non-'ima' templates exactly the bytes the
	 * kernel hashed (u32 length + data per field, lengths in the list's
	 * byte order); for 'ima' the 20-byte digest followed by the name.
	 */
	uint8_t *template_data;
	uint32_t template_data_len;
	struct ima_field fields[IMA_MAX_FIELDS];
	unsigned num_fields;
	/* Decoded from the d/d-ng and n/n-ng fields. */
	char hash_algo[32];		/* "sha1", "sha256", ... */
	const uint8_t *file_digest;
	uint32_t file_digest_len;
	char *file_name;		/* NUL-terminated copy */
};

struct ima_log {
	struct ima_event *events;
	size_t count;
	enum ima_byte_order order;	/* as parsed (binary lists) */
};

/* Binary list. order AUTO guesses; flags IMA_PARSE_*. */
int ima_log_parse_binary(const uint8_t *data, size_t len, enum ima_byte_order order,
			 unsigned flags, struct ima_log **out, struct ima_error *err);
/* ASCII list ("10 <sha1> <template> <fields...>" per line). */
int ima_log_parse_ascii(const char *text, size_t len, unsigned flags, struct ima_log **out,
			struct ima_error *err);
void ima_log_free(struct ima_log *log);

/* Writes the list in binary form with the given byte order (not AUTO). */
int ima_log_write_binary(const struct ima_log *log, enum ima_byte_order order,
			 struct buf_writer *w);

/* The field with this id, or NULL. */
const struct ima_field *ima_event_field(const struct ima_event *ev, const char *id);

/*
 * Replays the list from all-zero PCRs: PCR = SHA1(PCR || template digest),
 * all 0xFF for a violation. *extended (may be NULL) gets bit n set for
 * every PCR n the log touched.
 */
int ima_log_replay(const struct ima_log *log, uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN],
		   uint32_t *extended);

/* IMA's boot_aggregate on a TPM 1.2: SHA1(PCR0 || ... || PCR7). */
int ima_boot_aggregate(const uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN],
		       uint8_t out[IMA_SHA1_LEN]);

/*
 * Parses the kernel's sysfs "pcrs" file ("PCR-00: 3A 3F ...", one PCR a
 * line). *present gets bit n for every PCR found.
 */
int ima_parse_sysfs_pcrs(const char *text, size_t len, uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN],
			 uint32_t *present, struct ima_error *err);

/*
 * Reads a whole file of at most max bytes (securityfs files report size
 * 0, so this reads until EOF). -EFBIG above max. *data is NUL-terminated
 * (not counted in *len); free() it.
 */
int ima_read_file(const char *path, size_t max, uint8_t **data, size_t *len);
/* The same from an open descriptor, from offset 0. */
int ima_read_fd(int fd, size_t max, uint8_t **data, size_t *len);

/* ---- TCG PC Client firmware log, TPM 1.2 ---- */

struct biosl_event {
	size_t offset;
	uint32_t pcr;
	uint32_t type;			/* EV_* */
	uint8_t digest[IMA_SHA1_LEN];
	uint8_t *data;			/* NULL when data_len is 0 */
	uint32_t data_len;
};

struct biosl_log {
	struct biosl_event *events;
	size_t count;
};

#define BIOSL_EV_NO_ACTION 0x3u

int biosl_parse(const uint8_t *data, size_t len, struct biosl_log **out, struct ima_error *err);
void biosl_log_free(struct biosl_log *log);
/* EV_NO_ACTION events are not extended (PC Client 1.21 §11.3.1). */
int biosl_replay(const struct biosl_log *log, uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN],
		 uint32_t *extended);
/* "EV_SEPARATOR", "EV_EFI_VARIABLE_BOOT", ...; NULL for an unknown type. */
const char *biosl_event_type_name(uint32_t type);
/* Writes the records back (tests; the firmware format is little-endian). */
int biosl_write(const struct biosl_log *log, struct buf_writer *w);

/* ---- tcsd's application event log file ---- */

/*
 * File: "TSS12EVL" + u32 version (1), then records, big-endian:
 *   u32 body_len, body, SHA1(body_len || body)
 * body: u32 pcr, u32 event_type, u8[4] TSS_VERSION, u32 value_len, value,
 *       u32 event_len, event.
 * A record is appended with one write(); a crash can leave a torn last
 * record, which the checksum exposes.
 */
#define TSSLOG_MAGIC "TSS12EVL"
#define TSSLOG_HEADER_LEN 12
#define TSSLOG_VALUE_MAX 64u
#define TSSLOG_EVENT_MAX 65536u

struct tsslog_event {
	size_t offset;
	uint32_t pcr;
	uint32_t type;
	uint8_t version[4];		/* TSS_VERSION: major, minor, revMajor, revMinor */
	uint8_t *value;
	uint32_t value_len;
	uint8_t *event;
	uint32_t event_len;
};

struct tsslog {
	struct tsslog_event *events;
	size_t count;
};

/*
 * Parses a whole file (len 0 is an empty log). On a bad record it still
 * returns the good ones before it in *out and their end in *good_len
 * (where the file should be cut), with the error. *out is NULL only when
 * the header is bad or memory ran out.
 */
int tsslog_parse(const uint8_t *data, size_t len, struct tsslog **out, size_t *good_len,
		 struct ima_error *err);
void tsslog_free(struct tsslog *log);
void tsslog_put_header(struct buf_writer *w);
void tsslog_put_record(struct buf_writer *w, uint32_t pcr, uint32_t type, const uint8_t version[4],
		       const uint8_t *value, uint32_t value_len, const uint8_t *event,
		       uint32_t event_len);

#endif /* TSS12_IMA_LOG_H */
