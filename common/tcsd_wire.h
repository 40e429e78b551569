/*
 * The TCSD wire protocol ("TCSTP"): the framing TrouSerS' libtspi and
 * tcsd speak over TCP, shared by tss12's tcsd (server) and libtspi
 * (client). See REFERENCES.md §1.7.
 *
 * A packet is a 28-byte big-endian header, then one type byte per
 * reserved parameter slot, then the parameters' data, concatenated:
 *
 *   off  field         request                response
 *    0   packet_size   whole packet incl. header
 *    4   ordinal       TCSD_ORD_*             result (TSS_RESULT)
 *    8   num_parms     parameters actually present
 *   12   type_size     == num_parms (one byte per type)
 *   16   type_offset   28 (tcsd: 0 when it reserved no slots)
 *   20   parm_size     bytes of parameter data
 *   24   parm_offset   28 + reserved slots (tcsd: 0 without slots)
 *
 * Seen on the wire between Debian's libtspi and tcsd 0.3.15
 * (tests/unit/vectors/tcsd/): OpenContext is a 28-byte request with
 * type_offset = parm_offset = 28; replies without parameters and error
 * replies are 28 bytes with everything but size and result 0; tcsd may
 * reserve slots it leaves empty (NVWriteValue without auth: 1 slot).
 *
 * Parameters are read sequentially: the index a getter is given only
 * names the slot whose type byte must match; the data comes from a
 * cursor that each read advances (TrouSerS' getData). The sender may
 * reserve more slots than it fills, so the data starts at parm_offset,
 * not at 28 + num_parms. An optional trailing parameter (the TPM_AUTH of
 * an unauthorised command) is simply absent: ask tcsd_param_present()
 * (which leaves the reader alone) before reading it; a getter asked for
 * a parameter that was not sent fails, stickily, like any other.
 *
 * A PBYTE parameter does not carry its length: the length is the value of
 * the UINT32 parameter before it, and the caller passes it in together
 * with a cap. Whether a PBYTE of length 0 is sent differs per call site
 * in TrouSerS: tcsd always writes the (empty) slot in responses and
 * libtspi reads it unconditionally; libtspi writes it in most requests
 * but leaves it out in Seal/Sealx (pcrInfo, inData) and tcsd then does
 * not read it. tcsd_get_sized_* read both forms; tcsd_put_sized writes
 * the slot, tcsd_put_sized_opt leaves it out.
 *
 * Every function returns 0 or a negative errno:
 *   -EBADMSG  the packet ends early, or bytes are left where none may be
 *   -EPROTO   the header is inconsistent, or the slot at this index
 *             holds a different type than the one asked for
 *   -ENOENT   the index is at or past num_parms: the parameter was not
 *             sent (check an optional one with tcsd_param_present())
 *   -E2BIG    a packet above TCSD_MAX_PACKET or a length above its cap
 *   -EINVAL   misuse: an index other than the next one, NULL arguments
 *   -ENOMEM   allocation failed
 * Errors are sticky in readers and writers: once a reader or writer has
 * failed, every later call fails with the same code, so a caller may read
 * everything and check once (tcsd_reader_done, tcsd_writer_finish).
 * Outputs are zeroed first, and zeroed again on failure.
 *
 * Everything is parsed through common/buf.h; nothing is allocated with a
 * size taken from the wire unless that size is below a cap.
 */
#ifndef TSS12_TCSD_WIRE_H
#define TSS12_TCSD_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tss/platform.h>
#include <tss/tss_defines.h>
#include <tss/tss_typedef.h>
#include <tss/tss_structs.h>
#include <tss/tpm.h>
#include <tss/tcs_typedef.h>
#include <tss/tcs_structs.h>

#include "buf.h"

#define TCSD_HDR_SIZE 28u
/*
 * The largest packet either side accepts, checked on the header before
 * anything is allocated. TrouSerS defines TSS_TCP_RPC_MAX_DATA_LEN with
 * this value but never enforces it; a TPM 1.2 command is at most 4 KiB
 * and an event log reply is the only large thing the TCS ever sends.
 */
#define TCSD_MAX_PACKET (1u << 20)
/* libtspi refuses to send a request larger than this (TSS_TPM_TXBLOB_SIZE). */
#define TCSD_TSP_MAX_REQUEST 4096u
/* TrouSerS' default TCP port (configure.ac, TCSD_DEFAULT_PORT). */
#define TCSD_DEFAULT_PORT 30003

/* Parameter types (TrouSerS' enum TCSP_PACKET_TYPE), one byte each on the wire. */
enum tcsd_type {
	TCSD_TYPE_BYTE = 0,          /* 1 byte */
	TCSD_TYPE_BOOL = 1,          /* 1 byte */
	TCSD_TYPE_UINT16 = 2,        /* 2 bytes */
	TCSD_TYPE_UINT32 = 3,        /* 4 bytes */
	TCSD_TYPE_PBYTE = 4,         /* length from the preceding UINT32 */
	TCSD_TYPE_KEY = 5,           /* declared by TrouSerS, never sent */
	TCSD_TYPE_NONCE = 6,         /* 20 bytes */
	TCSD_TYPE_AUTH = 7,          /* 45 bytes TSP->TCS, 41 bytes TCS->TSP */
	TCSD_TYPE_DIGEST = 8,        /* 20 bytes */
	TCSD_TYPE_UUID = 9,          /* 16 bytes */
	TCSD_TYPE_ENCAUTH = 10,      /* 20 bytes */
	TCSD_TYPE_VERSION = 11,      /* 4 bytes */
	TCSD_TYPE_KM_KEYINFO = 12,   /* 42 + vendor data */
	TCSD_TYPE_KM_KEYINFO2 = 13,  /* 50 + vendor data */
	TCSD_TYPE_LOADKEY_INFO = 14, /* 117 bytes */
	TCSD_TYPE_PCR_EVENT = 15,    /* 20 + value + event */
	TCSD_TYPE_COUNTER_VALUE = 16,/* 10 bytes */
	TCSD_TYPE_UINT64 = 17,       /* 8 bytes */
	TCSD_TYPE_SECRET = 18,       /* 20 bytes */
	TCSD_TYPE_COUNT = 19
};

/* "UINT32", "PBYTE", ...; "?" for a byte that is no type. */
const char *tcsd_type_name(unsigned int type);

/*
 * Caps for the variable-length parts of the composite types, applied by
 * the getters that allocate. A KM_KEYINFO's vendor data is whatever an
 * application registered; event-log entries are measurement records.
 */
#define TCSD_VENDOR_DATA_MAX 4096u
#define TCSD_PCR_VALUE_MAX 64u
#define TCSD_EVENT_DATA_MAX 65536u

/* ---- header ---- */

struct tcsd_hdr {
	uint32_t packet_size;
	union {
		uint32_t ordinal;    /* request: TCSD_ORD_* */
		uint32_t result;     /* response: TSS_RESULT */
	};
	uint32_t num_parms;
	uint32_t type_size;
	uint32_t type_offset;
	uint32_t parm_size;
	uint32_t parm_offset;
};

/*
 * Decodes the 28-byte header at p (n >= 28; bytes after the header are
 * not looked at). Checks always made: TCSD_HDR_SIZE <= packet_size <=
 * TCSD_MAX_PACKET (-E2BIG above the cap).
 *
 * strict (the server, on requests) also requires: type_offset == 28,
 * type_size == num_parms, num_parms <= reserved slots (parm_offset - 28),
 * and packet_size == parm_offset + parm_size, all sums in 64 bits so that
 * no value near 2^32 wraps. libtspi 0.3.15 sends exactly this, even for
 * OpenContext without parameters (type_offset = parm_offset = 28), and
 * TrouSerS' tcsd refuses a request whose size is not parm_offset +
 * parm_size (getTCSDPacket).
 *
 * !strict (the client, on responses) accepts what TrouSerS' tcsd sends:
 * with num_parms == 0 the other fields are not looked at (a reply without
 * parameters, and the error reply, carry only packet_size and result; the
 * rest is 0); with parameters, the strict rules.
 */
int tcsd_hdr_decode(const uint8_t *p, size_t n, struct tcsd_hdr *h, bool strict);
/* Appends the 28-byte header. */
void tcsd_hdr_put(struct buf_writer *w, const struct tcsd_hdr *h);

/* ---- reading a whole received packet ---- */

struct tcsd_packet_reader {
	struct tcsd_hdr hdr;
	const uint8_t *types;   /* num_parms type bytes (slots past that are not used) */
	struct buf_reader data; /* the parm_size bytes of parameter data */
	uint32_t next;          /* index of the next parameter to read */
	int err;                /* sticky error */
};

/*
 * Starts reading the packet pkt[0..n): decodes the header (strict as for
 * tcsd_hdr_decode) and requires n == packet_size. The reader borrows pkt.
 */
int tcsd_reader_init(struct tcsd_packet_reader *r, const uint8_t *pkt, size_t n, bool strict);
/* Result (response) or ordinal (request) of the packet. */
static inline uint32_t tcsd_reader_code(const struct tcsd_packet_reader *r)
{
	return r->hdr.ordinal;
}
/*
 * True when the packet holds a parameter at index (index < num_parms).
 * This and tcsd_param_type() only look: they never fail the reader.
 */
bool tcsd_param_present(const struct tcsd_packet_reader *r, uint32_t index);
/* The type byte at index, or -ENOENT past num_parms. */
int tcsd_param_type(const struct tcsd_packet_reader *r, uint32_t index);
int tcsd_reader_error(const struct tcsd_packet_reader *r);
/*
 * After the last expected parameter: the sticky error, or -EBADMSG when
 * parameters or data bytes are left unread (strict servers call this).
 */
int tcsd_reader_done(const struct tcsd_packet_reader *r);

/*
 * Getters. index must be the next unread parameter, its slot must hold
 * the named type; -ENOENT (sticky) when index >= num_parms.
 */
int tcsd_get_u8(struct tcsd_packet_reader *r, uint32_t index, BYTE *v);
int tcsd_get_bool(struct tcsd_packet_reader *r, uint32_t index, TSS_BOOL *v);
int tcsd_get_u16(struct tcsd_packet_reader *r, uint32_t index, UINT16 *v);
int tcsd_get_u32(struct tcsd_packet_reader *r, uint32_t index, UINT32 *v);
int tcsd_get_u64(struct tcsd_packet_reader *r, uint32_t index, UINT64 *v);
int tcsd_get_nonce(struct tcsd_packet_reader *r, uint32_t index, TPM_NONCE *v);
int tcsd_get_digest(struct tcsd_packet_reader *r, uint32_t index, TPM_DIGEST *v);
int tcsd_get_encauth(struct tcsd_packet_reader *r, uint32_t index, TPM_ENCAUTH *v);
int tcsd_get_secret(struct tcsd_packet_reader *r, uint32_t index, TPM_SECRET *v);
int tcsd_get_uuid(struct tcsd_packet_reader *r, uint32_t index, TSS_UUID *v);
int tcsd_get_version(struct tcsd_packet_reader *r, uint32_t index, TSS_VERSION *v);
/* TSP->TCS form: AuthHandle, NonceOdd, fContinueAuthSession, HMAC (45 bytes). */
int tcsd_get_auth_in(struct tcsd_packet_reader *r, uint32_t index, TPM_AUTH *v);
/* TCS->TSP form: NonceEven, fContinueAuthSession, HMAC (41 bytes). */
int tcsd_get_auth_out(struct tcsd_packet_reader *r, uint32_t index, TPM_AUTH *v);
/*
 * KM_KEYINFO(2): rgbVendorData is heap memory (NULL when the length is
 * 0) of at most vendor_max bytes (-E2BIG above); free it with
 * tcsd_km_keyinfo_free / tcsd_km_keyinfo2_free.
 */
int tcsd_get_km_keyinfo(struct tcsd_packet_reader *r, uint32_t index, TSS_KM_KEYINFO *v,
			uint32_t vendor_max);
int tcsd_get_km_keyinfo2(struct tcsd_packet_reader *r, uint32_t index, TSS_KM_KEYINFO2 *v,
			 uint32_t vendor_max);
void tcsd_km_keyinfo_free(TSS_KM_KEYINFO *v);
void tcsd_km_keyinfo2_free(TSS_KM_KEYINFO2 *v);
/*
 * LOADKEY_INFO: keyUUID, parentKeyUUID, paramDigest, then the auth in
 * TrouSerS' order AuthHandle, NonceOdd, NonceEven, fContinue, HMAC.
 */
int tcsd_get_loadkey_info(struct tcsd_packet_reader *r, uint32_t index, TCS_LOADKEY_INFO *v);
/*
 * PCR_EVENT: rgbPcrValue (<= value_max bytes) and rgbEvent (<= event_max)
 * are heap memory, NULL when empty; free with tcsd_pcr_event_free.
 */
int tcsd_get_pcr_event(struct tcsd_packet_reader *r, uint32_t index, TSS_PCR_EVENT *v,
		       uint32_t value_max, uint32_t event_max);
void tcsd_pcr_event_free(TSS_PCR_EVENT *v);
int tcsd_get_counter_value(struct tcsd_packet_reader *r, uint32_t index, TPM_COUNTER_VALUE *v);

/*
 * PBYTE of a length len the caller already knows (the preceding UINT32,
 * or a fixed size); len > max is -E2BIG before anything is read.
 *   _copy: into dst, which holds at least len bytes.
 *   _ptr:  borrows the bytes in place (valid while the packet is).
 *   _dup:  into fresh heap memory (len 0 gives NULL).
 */
int tcsd_get_bytes_copy(struct tcsd_packet_reader *r, uint32_t index, void *dst, uint32_t len,
			uint32_t max);
int tcsd_get_bytes_ptr(struct tcsd_packet_reader *r, uint32_t index, const uint8_t **p,
		       uint32_t len, uint32_t max);
int tcsd_get_bytes_dup(struct tcsd_packet_reader *r, uint32_t index, uint8_t **p, uint32_t len,
		       uint32_t max);
/*
 * The usual pair: a UINT32 length at *index, then (only if the length is
 * not 0) the PBYTE at *index + 1. A zero-length PBYTE slot that a sender
 * did write is consumed too, so both forms are read. *index is advanced
 * past what was read; *len <= max or -E2BIG.
 */
int tcsd_get_sized_ptr(struct tcsd_packet_reader *r, uint32_t *index, const uint8_t **p,
		       uint32_t *len, uint32_t max);
int tcsd_get_sized_dup(struct tcsd_packet_reader *r, uint32_t *index, uint8_t **p,
		       uint32_t *len, uint32_t max);

/* ---- writing a packet ---- */

struct tcsd_packet_writer {
	uint32_t slots;          /* reserved type slots (TrouSerS' initData count) */
	bool offsets_always;     /* libtspi's form: offsets 28 even with no slots */
	uint32_t next;           /* parameters written so far = num_parms */
	uint8_t *types;          /* slots bytes */
	struct buf_writer data;  /* parameter data */
	int err;                 /* sticky error */
};

/*
 * Reserves slots type slots, as TrouSerS' initData(comm, slots). More
 * slots than are filled is allowed, as TrouSerS does; more parameters
 * than slots is -E2BIG. Call tcsd_writer_free() whatever happens.
 *
 * tcsd_writer_init: libtspi's form, for requests: type_offset 28 and
 * parm_offset 28 + slots always, even with no slots (TrouSerS' tcsd
 * refuses anything else).
 * tcsd_writer_init_reply: tcsd's form, for responses: the same, except
 * that with 0 slots type_offset and parm_offset are 0. A writer zeroed
 * with memset is the same as one from tcsd_writer_init_reply(w, 0): an
 * empty reply.
 */
int tcsd_writer_init(struct tcsd_packet_writer *w, uint32_t slots);
int tcsd_writer_init_reply(struct tcsd_packet_writer *w, uint32_t slots);
void tcsd_writer_free(struct tcsd_packet_writer *w);
int tcsd_writer_error(const struct tcsd_packet_writer *w);
/*
 * Completes the packet with code (ordinal in a request, result in a
 * response) and hands it to the caller as heap memory (*pkt, *len).
 * Fails with the sticky error, or -E2BIG above TCSD_MAX_PACKET.
 */
int tcsd_writer_finish(struct tcsd_packet_writer *w, uint32_t code, uint8_t **pkt, size_t *len);

/*
 * Putters mirror the getters: index must be the next slot (-EINVAL
 * otherwise); the type byte goes into that slot and the data is appended.
 * Errors are sticky and reported by tcsd_writer_finish(); the return value
 * is the sticky error so far.
 */
int tcsd_put_u8(struct tcsd_packet_writer *w, uint32_t index, BYTE v);
int tcsd_put_bool(struct tcsd_packet_writer *w, uint32_t index, TSS_BOOL v);
int tcsd_put_u16(struct tcsd_packet_writer *w, uint32_t index, UINT16 v);
int tcsd_put_u32(struct tcsd_packet_writer *w, uint32_t index, UINT32 v);
int tcsd_put_u64(struct tcsd_packet_writer *w, uint32_t index, UINT64 v);
int tcsd_put_nonce(struct tcsd_packet_writer *w, uint32_t index, const TPM_NONCE *v);
int tcsd_put_digest(struct tcsd_packet_writer *w, uint32_t index, const TPM_DIGEST *v);
int tcsd_put_encauth(struct tcsd_packet_writer *w, uint32_t index, const TPM_ENCAUTH *v);
int tcsd_put_secret(struct tcsd_packet_writer *w, uint32_t index, const TPM_SECRET *v);
int tcsd_put_uuid(struct tcsd_packet_writer *w, uint32_t index, const TSS_UUID *v);
int tcsd_put_version(struct tcsd_packet_writer *w, uint32_t index, const TSS_VERSION *v);
int tcsd_put_auth_in(struct tcsd_packet_writer *w, uint32_t index, const TPM_AUTH *v);
int tcsd_put_auth_out(struct tcsd_packet_writer *w, uint32_t index, const TPM_AUTH *v);
int tcsd_put_km_keyinfo(struct tcsd_packet_writer *w, uint32_t index, const TSS_KM_KEYINFO *v);
int tcsd_put_km_keyinfo2(struct tcsd_packet_writer *w, uint32_t index, const TSS_KM_KEYINFO2 *v);
int tcsd_put_loadkey_info(struct tcsd_packet_writer *w, uint32_t index, const TCS_LOADKEY_INFO *v);
int tcsd_put_pcr_event(struct tcsd_packet_writer *w, uint32_t index, const TSS_PCR_EVENT *v);
int tcsd_put_counter_value(struct tcsd_packet_writer *w, uint32_t index,
			   const TPM_COUNTER_VALUE *v);
/* A PBYTE slot of len bytes, written even when len is 0. */
int tcsd_put_bytes(struct tcsd_packet_writer *w, uint32_t index, const void *p, uint32_t len);
/*
 * UINT32 len at *index, then the PBYTE at *index + 1; *index is advanced
 * past what was written. _sized always writes the PBYTE slot (what tcsd
 * does in every response and libtspi in most requests); _sized_opt
 * leaves it out when len is 0 (libtspi's Seal, Sealx).
 */
int tcsd_put_sized(struct tcsd_packet_writer *w, uint32_t *index, const void *p, uint32_t len);
int tcsd_put_sized_opt(struct tcsd_packet_writer *w, uint32_t *index, const void *p,
		       uint32_t len);

/*
 * The 28-byte reply TrouSerS' tcsd sends when it refuses or fails a
 * request before any parameter: packet_size 28, the result, rest zero.
 */
void tcsd_error_reply(uint8_t out[TCSD_HDR_SIZE], uint32_t result);

#endif /* TSS12_TCSD_WIRE_H */
