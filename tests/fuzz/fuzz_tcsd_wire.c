/*
 * libFuzzer target for the TCSD wire codec (common/tcsd_wire.c) and the
 * schemas of common/tcsd_ordinals.c.
 *
 * Input: one selector byte, then a packet. The packet is
 *   1. read as a request, strictly, and walked by the request schema of
 *      the ordinal in its header;
 *   2. read as a response, tolerantly, and walked by the response schema
 *      of the ordinal the selector names (modulo TCSD_LAST_ORD);
 *   3. read once more parameter by parameter, by the types its slots
 *      declare (a PBYTE as long as the UINT32 before it, an AUTH in the
 *      form the selector's low bit picks), and written back with the
 *      writer: whenever every parameter reads, the packet built must equal
 *      the input, save the type bytes of reserved slots left unused.
 * Nothing may crash or leak, and step 3 must hold.
 * Seeds: tests/fuzz/corpus/tcsd_wire/, the packets captured between
 * TrouSerS' libtspi and tcsd (tests/unit/vectors/tcsd/), each prefixed
 * with the ordinal of its exchange.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tcsd_ordinals.h"
#include "tcsd_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Caps small enough that the fuzzer hits them. */
#define FUZZ_MAX_BYTES 4096u

static int copy_param(struct tcsd_packet_reader *r, struct tcsd_packet_writer *w, uint32_t i,
		      bool request, UINT32 *last_u)
{
	union {
		BYTE b;
		TSS_BOOL o;
		UINT16 w;
		UINT64 q;
		TPM_NONCE n;
		TPM_DIGEST d;
		TPM_ENCAUTH e;
		TPM_SECRET s;
		TSS_UUID U;
		TSS_VERSION v;
		TPM_AUTH a;
		TSS_KM_KEYINFO k;
		TSS_KM_KEYINFO2 K;
		TCS_LOADKEY_INFO l;
		TSS_PCR_EVENT p;
		TPM_COUNTER_VALUE c;
	} u;
	const uint8_t *bytes;
	int rc;

	switch (tcsd_param_type(r, i)) {
	case TCSD_TYPE_BYTE:
		if ((rc = tcsd_get_u8(r, i, &u.b)) == 0)
			rc = tcsd_put_u8(w, i, u.b);
		return rc;
	case TCSD_TYPE_BOOL:
		if ((rc = tcsd_get_bool(r, i, &u.o)) == 0)
			rc = tcsd_put_bool(w, i, u.o);
		return rc;
	case TCSD_TYPE_UINT16:
		if ((rc = tcsd_get_u16(r, i, &u.w)) == 0)
			rc = tcsd_put_u16(w, i, u.w);
		return rc;
	case TCSD_TYPE_UINT32:
		if ((rc = tcsd_get_u32(r, i, last_u)) == 0)
			rc = tcsd_put_u32(w, i, *last_u);
		return rc;
	case TCSD_TYPE_UINT64:
		if ((rc = tcsd_get_u64(r, i, &u.q)) == 0)
			rc = tcsd_put_u64(w, i, u.q);
		return rc;
	case TCSD_TYPE_PBYTE:
		if ((rc = tcsd_get_bytes_ptr(r, i, &bytes, *last_u, FUZZ_MAX_BYTES)) == 0)
			rc = tcsd_put_bytes(w, i, bytes, *last_u);
		return rc;
	case TCSD_TYPE_NONCE:
		if ((rc = tcsd_get_nonce(r, i, &u.n)) == 0)
			rc = tcsd_put_nonce(w, i, &u.n);
		return rc;
	case TCSD_TYPE_DIGEST:
		if ((rc = tcsd_get_digest(r, i, &u.d)) == 0)
			rc = tcsd_put_digest(w, i, &u.d);
		return rc;
	case TCSD_TYPE_ENCAUTH:
		if ((rc = tcsd_get_encauth(r, i, &u.e)) == 0)
			rc = tcsd_put_encauth(w, i, &u.e);
		return rc;
	case TCSD_TYPE_SECRET:
		if ((rc = tcsd_get_secret(r, i, &u.s)) == 0)
			rc = tcsd_put_secret(w, i, &u.s);
		return rc;
	case TCSD_TYPE_UUID:
		if ((rc = tcsd_get_uuid(r, i, &u.U)) == 0)
			rc = tcsd_put_uuid(w, i, &u.U);
		return rc;
	case TCSD_TYPE_VERSION:
		if ((rc = tcsd_get_version(r, i, &u.v)) == 0)
			rc = tcsd_put_version(w, i, &u.v);
		return rc;
	case TCSD_TYPE_AUTH:
		if (request) {
			if ((rc = tcsd_get_auth_in(r, i, &u.a)) == 0)
				rc = tcsd_put_auth_in(w, i, &u.a);
		} else {
			if ((rc = tcsd_get_auth_out(r, i, &u.a)) == 0)
				rc = tcsd_put_auth_out(w, i, &u.a);
		}
		return rc;
	case TCSD_TYPE_KM_KEYINFO:
		if ((rc = tcsd_get_km_keyinfo(r, i, &u.k, FUZZ_MAX_BYTES)) == 0)
			rc = tcsd_put_km_keyinfo(w, i, &u.k);
		tcsd_km_keyinfo_free(&u.k);
		return rc;
	case TCSD_TYPE_KM_KEYINFO2:
		if ((rc = tcsd_get_km_keyinfo2(r, i, &u.K, FUZZ_MAX_BYTES)) == 0)
			rc = tcsd_put_km_keyinfo2(w, i, &u.K);
		tcsd_km_keyinfo2_free(&u.K);
		return rc;
	case TCSD_TYPE_LOADKEY_INFO:
		if ((rc = tcsd_get_loadkey_info(r, i, &u.l)) == 0)
			rc = tcsd_put_loadkey_info(w, i, &u.l);
		return rc;
	case TCSD_TYPE_PCR_EVENT:
		rc = tcsd_get_pcr_event(r, i, &u.p, TCSD_PCR_VALUE_MAX, FUZZ_MAX_BYTES);
		if (rc == 0)
			rc = tcsd_put_pcr_event(w, i, &u.p);
		tcsd_pcr_event_free(&u.p);
		return rc;
	case TCSD_TYPE_COUNTER_VALUE:
		if ((rc = tcsd_get_counter_value(r, i, &u.c)) == 0)
			rc = tcsd_put_counter_value(w, i, &u.c);
		return rc;
	default:
		return -EPROTO; /* KEY or no type at all */
	}
}

/* Step 3; returns 1 when the round trip broke. */
static int round_trip(const uint8_t *pkt, size_t n, bool request)
{
	struct tcsd_packet_reader r;
	struct tcsd_packet_writer w;
	uint8_t *out = NULL, *want = NULL;
	size_t out_len = 0;
	UINT32 i, last_u = 0, slots;
	int broken = 0;

	if (tcsd_reader_init(&r, pkt, n, request) != 0)
		return 0;
	/* Reserved slots; a tolerant reply without parameters has none. */
	slots = request || r.hdr.num_parms != 0 ? r.hdr.parm_offset - TCSD_HDR_SIZE : 0;
	if (request ? tcsd_writer_init(&w, slots) : tcsd_writer_init_reply(&w, slots))
		goto out;
	for (i = 0; i < r.hdr.num_parms; i++)
		if (copy_param(&r, &w, i, request, &last_u) != 0)
			goto out;
	if (tcsd_reader_done(&r) != 0)
		goto out;
	if (tcsd_writer_finish(&w, tcsd_reader_code(&r), &out, &out_len) != 0)
		goto out;
	if (r.hdr.num_parms == 0 && !request) {
		/* A bare reply comes back bare: only size and result are kept. */
		broken = out_len != TCSD_HDR_SIZE + slots || memcmp(out + 4, pkt + 4, 4) != 0;
		goto out;
	}
	if ((want = malloc(n)) == NULL)
		goto out;
	memcpy(want, pkt, n);
	/* The writer zeroes the type bytes of slots it did not fill. */
	memset(want + TCSD_HDR_SIZE + r.hdr.num_parms, 0, slots - r.hdr.num_parms);
	broken = out_len != n || memcmp(out, want, n) != 0;
out:
	tcsd_writer_free(&w);
	free(out);
	free(want);
	return broken;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialised;
	const struct tcsd_ordinal_info *info;
	struct tcsd_packet_reader r;
	const uint8_t *pkt;
	size_t n;

	if (!initialised) {
		log_init("fuzz_tcsd_wire", LOG_SINK_NONE, LOG_LVL_ERROR);
		initialised = 1;
	}
	if (size < 1)
		return 0;
	pkt = data + 1;
	n = size - 1;

	if (tcsd_reader_init(&r, pkt, n, true) == 0) {
		info = tcsd_ordinal_lookup(tcsd_reader_code(&r));
		if (info != NULL && info->in != NULL)
			(void)tcsd_schema_walk(&r, info->in, true, FUZZ_MAX_BYTES);
	}
	if (tcsd_reader_init(&r, pkt, n, false) == 0) {
		info = tcsd_ordinal_lookup(data[0] % TCSD_LAST_ORD);
		if (info != NULL && info->out != NULL)
			(void)tcsd_schema_walk(&r, info->out, false, FUZZ_MAX_BYTES);
	}
	if (round_trip(pkt, n, (data[0] & 1) != 0))
		abort();
	return 0;
}
