/*
 * TCSD wire codec (REFERENCES.md §1.7): header checks, the sequential
 * packet reader and the packet writer. See tcsd_wire.h for the contract.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "tcsd_wire.h"

#define NONCE_LEN 20u /* TPM 1.2 Part 2 §5.5: nonces, digests, auth values */

static const char *const type_names[TCSD_TYPE_COUNT] = {
	[TCSD_TYPE_BYTE] = "BYTE",
	[TCSD_TYPE_BOOL] = "BOOL",
	[TCSD_TYPE_UINT16] = "UINT16",
	[TCSD_TYPE_UINT32] = "UINT32",
	[TCSD_TYPE_PBYTE] = "PBYTE",
	[TCSD_TYPE_KEY] = "KEY",
	[TCSD_TYPE_NONCE] = "NONCE",
	[TCSD_TYPE_AUTH] = "AUTH",
	[TCSD_TYPE_DIGEST] = "DIGEST",
	[TCSD_TYPE_UUID] = "UUID",
	[TCSD_TYPE_ENCAUTH] = "ENCAUTH",
	[TCSD_TYPE_VERSION] = "VERSION",
	[TCSD_TYPE_KM_KEYINFO] = "KM_KEYINFO",
	[TCSD_TYPE_KM_KEYINFO2] = "KM_KEYINFO2",
	[TCSD_TYPE_LOADKEY_INFO] = "LOADKEY_INFO",
	[TCSD_TYPE_PCR_EVENT] = "PCR_EVENT",
	[TCSD_TYPE_COUNTER_VALUE] = "COUNTER_VALUE",
	[TCSD_TYPE_UINT64] = "UINT64",
	[TCSD_TYPE_SECRET] = "SECRET",
};

const char *tcsd_type_name(unsigned int type)
{
	return type < TCSD_TYPE_COUNT ? type_names[type] : "?";
}

/* ---- header ---- */

static int hdr_check_params(const struct tcsd_hdr *h)
{
	uint64_t slots;

	if (h->type_offset != TCSD_HDR_SIZE) {
		log_debug("tcsd packet: type_offset %u, not %u", h->type_offset, TCSD_HDR_SIZE);
		return -EPROTO;
	}
	if (h->type_size != h->num_parms) {
		log_debug("tcsd packet: type_size %u != num_parms %u", h->type_size, h->num_parms);
		return -EPROTO;
	}
	if (h->parm_offset < TCSD_HDR_SIZE) {
		log_debug("tcsd packet: parm_offset %u inside the header", h->parm_offset);
		return -EPROTO;
	}
	slots = (uint64_t)h->parm_offset - TCSD_HDR_SIZE;
	if (h->num_parms > slots) {
		log_debug("tcsd packet: %u parameters in %llu slots", h->num_parms,
			  (unsigned long long)slots);
		return -EPROTO;
	}
	if ((uint64_t)h->parm_offset + h->parm_size != h->packet_size) {
		log_debug("tcsd packet: size %u != parm_offset %u + parm_size %u", h->packet_size,
			  h->parm_offset, h->parm_size);
		return -EPROTO;
	}
	return 0;
}

int tcsd_hdr_decode(const uint8_t *p, size_t n, struct tcsd_hdr *h, bool strict)
{
	struct buf_reader r;
	struct tcsd_hdr v;
	int rc;

	memset(h, 0, sizeof(*h));
	memset(&v, 0, sizeof(v));
	buf_reader_init(&r, p, n);
	buf_get_u32(&r, &v.packet_size);
	buf_get_u32(&r, &v.ordinal);
	buf_get_u32(&r, &v.num_parms);
	buf_get_u32(&r, &v.type_size);
	buf_get_u32(&r, &v.type_offset);
	buf_get_u32(&r, &v.parm_size);
	buf_get_u32(&r, &v.parm_offset);
	if ((rc = buf_reader_error(&r)) != 0)
		return rc;

	if (v.packet_size < TCSD_HDR_SIZE) {
		log_debug("tcsd packet: size %u below the header", v.packet_size);
		return -EPROTO;
	}
	if (v.packet_size > TCSD_MAX_PACKET) {
		log_debug("tcsd packet: size %u above the cap %u", v.packet_size, TCSD_MAX_PACKET);
		return -E2BIG;
	}
	/* tcsd's replies without parameters carry nothing but size and result. */
	if (strict || v.num_parms != 0) {
		if ((rc = hdr_check_params(&v)) != 0)
			return rc;
	}
	*h = v;
	return 0;
}

void tcsd_hdr_put(struct buf_writer *w, const struct tcsd_hdr *h)
{
	buf_put_u32(w, h->packet_size);
	buf_put_u32(w, h->ordinal);
	buf_put_u32(w, h->num_parms);
	buf_put_u32(w, h->type_size);
	buf_put_u32(w, h->type_offset);
	buf_put_u32(w, h->parm_size);
	buf_put_u32(w, h->parm_offset);
}

/* ---- reader ---- */

int tcsd_reader_init(struct tcsd_packet_reader *r, const uint8_t *pkt, size_t n, bool strict)
{
	int rc;

	memset(r, 0, sizeof(*r));
	buf_reader_init(&r->data, NULL, 0);
	if ((rc = tcsd_hdr_decode(pkt, n, &r->hdr, strict)) != 0)
		goto out;
	if (n != r->hdr.packet_size) {
		log_debug("tcsd packet: %zu bytes, header says %u", n, r->hdr.packet_size);
		rc = -EBADMSG;
		goto out;
	}
	/* A tolerant reply without parameters has no regions to speak of. */
	if (!strict && r->hdr.num_parms == 0)
		goto out;
	/*
	 * hdr_check_params() guarantees that both ranges lie inside
	 * pkt[0..n). The data region is set even without parameters, so that
	 * tcsd_reader_done() sees bytes that no parameter accounts for.
	 */
	r->types = pkt + TCSD_HDR_SIZE;
	buf_reader_init(&r->data, pkt + r->hdr.parm_offset, r->hdr.parm_size);
out:
	r->err = rc;
	return rc;
}

bool tcsd_param_present(const struct tcsd_packet_reader *r, uint32_t index)
{
	return index < r->hdr.num_parms;
}

int tcsd_param_type(const struct tcsd_packet_reader *r, uint32_t index)
{
	return index < r->hdr.num_parms ? r->types[index] : -ENOENT;
}

int tcsd_reader_error(const struct tcsd_packet_reader *r)
{
	return r->err;
}

int tcsd_reader_done(const struct tcsd_packet_reader *r)
{
	if (r->err)
		return r->err;
	if (r->next != r->hdr.num_parms || buf_remaining(&r->data) != 0) {
		log_debug("tcsd packet: %u of %u parameters read, %zu bytes left", r->next,
			  r->hdr.num_parms, buf_remaining(&r->data));
		return -EBADMSG;
	}
	return 0;
}

static int reader_fail(struct tcsd_packet_reader *r, int err)
{
	if (r->err == 0)
		r->err = err;
	buf_reader_fail(&r->data, r->err);
	return r->err;
}

/*
 * Claims the slot at index for a parameter of the given type: the one
 * check every getter makes before touching data (TrouSerS' getData).
 */
static int reader_slot(struct tcsd_packet_reader *r, uint32_t index, enum tcsd_type type)
{
	if (r->err)
		return r->err;
	if (index != r->next) {
		log_debug("tcsd packet: parameter %u read out of order (next is %u)", index, r->next);
		return reader_fail(r, -EINVAL);
	}
	/*
	 * Sticky like every other failure: a handler may read all its
	 * parameters and check once, and a missing trailing parameter must
	 * not read as a complete packet. An optional parameter is asked
	 * about first, with tcsd_param_present(), which changes nothing.
	 */
	if (index >= r->hdr.num_parms)
		return reader_fail(r, -ENOENT);
	if (r->types[index] != type) {
		log_debug("tcsd packet: parameter %u is %s, expected %s", index,
			  tcsd_type_name(r->types[index]), tcsd_type_name(type));
		return reader_fail(r, -EPROTO);
	}
	r->next++;
	return 0;
}

/* Folds the data reader's error into the packet reader's. */
static int reader_check(struct tcsd_packet_reader *r)
{
	int rc = buf_reader_error(&r->data);

	if (rc != 0) {
		log_debug("tcsd packet: parameter %u: %s", r->next - 1,
			  rc == -EBADMSG ? "data ends early" : "bad value");
		return reader_fail(r, rc);
	}
	return 0;
}

int tcsd_get_u8(struct tcsd_packet_reader *r, uint32_t index, BYTE *v)
{
	int rc;

	if (v != NULL)
		*v = 0;
	if ((rc = reader_slot(r, index, TCSD_TYPE_BYTE)) != 0)
		return rc;
	buf_get_u8(&r->data, v);
	return reader_check(r);
}

int tcsd_get_bool(struct tcsd_packet_reader *r, uint32_t index, TSS_BOOL *v)
{
	uint8_t b;
	int rc;

	if (v != NULL)
		*v = 0;
	if ((rc = reader_slot(r, index, TCSD_TYPE_BOOL)) != 0)
		return rc;
	buf_get_u8(&r->data, &b);
	if ((rc = reader_check(r)) != 0)
		return rc;
	if (v != NULL)
		*v = (TSS_BOOL)b;
	return 0;
}

int tcsd_get_u16(struct tcsd_packet_reader *r, uint32_t index, UINT16 *v)
{
	int rc;

	if (v != NULL)
		*v = 0;
	if ((rc = reader_slot(r, index, TCSD_TYPE_UINT16)) != 0)
		return rc;
	buf_get_u16(&r->data, v);
	return reader_check(r);
}

int tcsd_get_u32(struct tcsd_packet_reader *r, uint32_t index, UINT32 *v)
{
	int rc;

	if (v != NULL)
		*v = 0;
	if ((rc = reader_slot(r, index, TCSD_TYPE_UINT32)) != 0)
		return rc;
	buf_get_u32(&r->data, v);
	return reader_check(r);
}

int tcsd_get_u64(struct tcsd_packet_reader *r, uint32_t index, UINT64 *v)
{
	uint64_t x;
	int rc;

	if (v != NULL)
		*v = 0;
	if ((rc = reader_slot(r, index, TCSD_TYPE_UINT64)) != 0)
		return rc;
	buf_get_u64(&r->data, &x);
	if ((rc = reader_check(r)) != 0)
		return rc;
	if (v != NULL)
		*v = x;
	return 0;
}

/* The 20-byte types: NONCE, DIGEST, ENCAUTH, SECRET. */
static int get_20(struct tcsd_packet_reader *r, uint32_t index, enum tcsd_type type, uint8_t *v)
{
	int rc;

	if (v != NULL)
		memset(v, 0, NONCE_LEN);
	if ((rc = reader_slot(r, index, type)) != 0)
		return rc;
	buf_get_bytes(&r->data, v, NONCE_LEN);
	return reader_check(r);
}

int tcsd_get_nonce(struct tcsd_packet_reader *r, uint32_t index, TPM_NONCE *v)
{
	return get_20(r, index, TCSD_TYPE_NONCE, v != NULL ? v->nonce : NULL);
}

int tcsd_get_digest(struct tcsd_packet_reader *r, uint32_t index, TPM_DIGEST *v)
{
	return get_20(r, index, TCSD_TYPE_DIGEST, v != NULL ? v->digest : NULL);
}

int tcsd_get_encauth(struct tcsd_packet_reader *r, uint32_t index, TPM_ENCAUTH *v)
{
	return get_20(r, index, TCSD_TYPE_ENCAUTH, v != NULL ? v->authdata : NULL);
}

int tcsd_get_secret(struct tcsd_packet_reader *r, uint32_t index, TPM_SECRET *v)
{
	return get_20(r, index, TCSD_TYPE_SECRET, v != NULL ? v->authdata : NULL);
}

/* TSS_UUID as TrouSerS' LoadBlob_UUID lays it out: 16 bytes, big-endian fields. */
static void uuid_get(struct buf_reader *b, TSS_UUID *u)
{
	memset(u, 0, sizeof(*u));
	buf_get_u32(b, &u->ulTimeLow);
	buf_get_u16(b, &u->usTimeMid);
	buf_get_u16(b, &u->usTimeHigh);
	buf_get_u8(b, &u->bClockSeqHigh);
	buf_get_u8(b, &u->bClockSeqLow);
	buf_get_bytes(b, u->rgbNode, sizeof(u->rgbNode));
}

static void uuid_put(struct buf_writer *b, const TSS_UUID *u)
{
	buf_put_u32(b, u->ulTimeLow);
	buf_put_u16(b, u->usTimeMid);
	buf_put_u16(b, u->usTimeHigh);
	buf_put_u8(b, u->bClockSeqHigh);
	buf_put_u8(b, u->bClockSeqLow);
	buf_put_bytes(b, u->rgbNode, sizeof(u->rgbNode));
}

static void version_get(struct buf_reader *b, TSS_VERSION *v)
{
	buf_get_u8(b, &v->bMajor);
	buf_get_u8(b, &v->bMinor);
	buf_get_u8(b, &v->bRevMajor);
	buf_get_u8(b, &v->bRevMinor);
}

static void version_put(struct buf_writer *b, const TSS_VERSION *v)
{
	buf_put_u8(b, v->bMajor);
	buf_put_u8(b, v->bMinor);
	buf_put_u8(b, v->bRevMajor);
	buf_put_u8(b, v->bRevMinor);
}

static void bool_get(struct buf_reader *b, TSS_BOOL *v)
{
	uint8_t x;

	buf_get_u8(b, &x);
	*v = (TSS_BOOL)x;
}

int tcsd_get_uuid(struct tcsd_packet_reader *r, uint32_t index, TSS_UUID *v)
{
	TSS_UUID u;
	int rc;

	if (v != NULL)
		memset(v, 0, sizeof(*v));
	if ((rc = reader_slot(r, index, TCSD_TYPE_UUID)) != 0)
		return rc;
	uuid_get(&r->data, &u);
	if ((rc = reader_check(r)) != 0)
		return rc;
	if (v != NULL)
		*v = u;
	return 0;
}

int tcsd_get_version(struct tcsd_packet_reader *r, uint32_t index, TSS_VERSION *v)
{
	TSS_VERSION x;
	int rc;

	if (v != NULL)
		memset(v, 0, sizeof(*v));
	if ((rc = reader_slot(r, index, TCSD_TYPE_VERSION)) != 0)
		return rc;
	memset(&x, 0, sizeof(x));
	version_get(&r->data, &x);
	if ((rc = reader_check(r)) != 0)
		return rc;
	if (v != NULL)
		*v = x;
	return 0;
}

int tcsd_get_auth_in(struct tcsd_packet_reader *r, uint32_t index, TPM_AUTH *v)
{
	TPM_AUTH a;
	int rc;

	if (v != NULL)
		memset(v, 0, sizeof(*v));
	if ((rc = reader_slot(r, index, TCSD_TYPE_AUTH)) != 0)
		return rc;
	memset(&a, 0, sizeof(a));
	buf_get_u32(&r->data, &a.AuthHandle);
	buf_get_bytes(&r->data, a.NonceOdd.nonce, NONCE_LEN);
	bool_get(&r->data, &a.fContinueAuthSession);
	buf_get_bytes(&r->data, a.HMAC.authdata, NONCE_LEN);
	if ((rc = reader_check(r)) != 0)
		return rc;
	if (v != NULL)
		*v = a;
	return 0;
}

int tcsd_get_auth_out(struct tcsd_packet_reader *r, uint32_t index, TPM_AUTH *v)
{
	TPM_AUTH a;
	int rc;

	if (v != NULL)
		memset(v, 0, sizeof(*v));
	if ((rc = reader_slot(r, index, TCSD_TYPE_AUTH)) != 0)
		return rc;
	memset(&a, 0, sizeof(a));
	buf_get_bytes(&r->data, a.NonceEven.nonce, NONCE_LEN);
	bool_get(&r->data, &a.fContinueAuthSession);
	buf_get_bytes(&r->data, a.HMAC.authdata, NONCE_LEN);
	if ((rc = reader_check(r)) != 0)
		return rc;
	if (v != NULL)
		*v = a;
	return 0;
}

/* A UINT32 length, checked against max, then that many bytes on the heap. */
static int get_capped_dup(struct tcsd_packet_reader *r, uint8_t **p, UINT32 *len, uint32_t max)
{
	uint32_t n;

	buf_get_u32(&r->data, &n);
	if (buf_reader_error(&r->data) == 0 && n > max) {
		log_debug("tcsd packet: parameter %u: length %u above the cap %u", r->next - 1, n,
			  max);
		return reader_fail(r, -E2BIG);
	}
	buf_get_dup(&r->data, p, n);
	*len = buf_reader_error(&r->data) == 0 ? n : 0;
	return reader_check(r);
}

void tcsd_km_keyinfo_free(TSS_KM_KEYINFO *v)
{
	if (v == NULL)
		return;
	free(v->rgbVendorData);
	memset(v, 0, sizeof(*v));
}

void tcsd_km_keyinfo2_free(TSS_KM_KEYINFO2 *v)
{
	if (v == NULL)
		return;
	free(v->rgbVendorData);
	memset(v, 0, sizeof(*v));
}

int tcsd_get_km_keyinfo(struct tcsd_packet_reader *r, uint32_t index, TSS_KM_KEYINFO *v,
			uint32_t vendor_max)
{
	TSS_KM_KEYINFO k;
	int rc;

	if (v != NULL)
		memset(v, 0, sizeof(*v));
	if ((rc = reader_slot(r, index, TCSD_TYPE_KM_KEYINFO)) != 0)
		return rc;
	memset(&k, 0, sizeof(k));
	version_get(&r->data, &k.versionInfo);
	uuid_get(&r->data, &k.keyUUID);
	uuid_get(&r->data, &k.parentKeyUUID);
	buf_get_u8(&r->data, &k.bAuthDataUsage);
	bool_get(&r->data, &k.fIsLoaded);
	if ((rc = get_capped_dup(r, &k.rgbVendorData, &k.ulVendorDataLength, vendor_max)) != 0) {
		tcsd_km_keyinfo_free(&k);
		return rc;
	}
	if (v != NULL)
		*v = k;
	else
		tcsd_km_keyinfo_free(&k);
	return 0;
}

int tcsd_get_km_keyinfo2(struct tcsd_packet_reader *r, uint32_t index, TSS_KM_KEYINFO2 *v,
			 uint32_t vendor_max)
{
	TSS_KM_KEYINFO2 k;
	int rc;

	if (v != NULL)
		memset(v, 0, sizeof(*v));
	if ((rc = reader_slot(r, index, TCSD_TYPE_KM_KEYINFO2)) != 0)
		return rc;
	memset(&k, 0, sizeof(k));
	version_get(&r->data, &k.versionInfo);
	uuid_get(&r->data, &k.keyUUID);
	uuid_get(&r->data, &k.parentKeyUUID);
	buf_get_u8(&r->data, &k.bAuthDataUsage);
	buf_get_u32(&r->data, &k.persistentStorageType);
	buf_get_u32(&r->data, &k.persistentStorageTypeParent);
	bool_get(&r->data, &k.fIsLoaded);
	if ((rc = get_capped_dup(r, &k.rgbVendorData, &k.ulVendorDataLength, vendor_max)) != 0) {
		tcsd_km_keyinfo2_free(&k);
		return rc;
	}
	if (v != NULL)
		*v = k;
	else
		tcsd_km_keyinfo2_free(&k);
	return 0;
}

int tcsd_get_loadkey_info(struct tcsd_packet_reader *r, uint32_t index, TCS_LOADKEY_INFO *v)
{
	TCS_LOADKEY_INFO k;
	int rc;

	if (v != NULL)
		memset(v, 0, sizeof(*v));
	if ((rc = reader_slot(r, index, TCSD_TYPE_LOADKEY_INFO)) != 0)
		return rc;
	memset(&k, 0, sizeof(k));
	uuid_get(&r->data, &k.keyUUID);
	uuid_get(&r->data, &k.parentKeyUUID);
	buf_get_bytes(&r->data, k.paramDigest.digest, NONCE_LEN);
	buf_get_u32(&r->data, &k.authData.AuthHandle);
	buf_get_bytes(&r->data, k.authData.NonceOdd.nonce, NONCE_LEN);
	buf_get_bytes(&r->data, k.authData.NonceEven.nonce, NONCE_LEN);
	bool_get(&r->data, &k.authData.fContinueAuthSession);
	buf_get_bytes(&r->data, k.authData.HMAC.authdata, NONCE_LEN);
	if ((rc = reader_check(r)) != 0)
		return rc;
	if (v != NULL)
		*v = k;
	return 0;
}

void tcsd_pcr_event_free(TSS_PCR_EVENT *v)
{
	if (v == NULL)
		return;
	free(v->rgbPcrValue);
	free(v->rgbEvent);
	memset(v, 0, sizeof(*v));
}

int tcsd_get_pcr_event(struct tcsd_packet_reader *r, uint32_t index, TSS_PCR_EVENT *v,
		       uint32_t value_max, uint32_t event_max)
{
	TSS_PCR_EVENT e;
	int rc;

	if (v != NULL)
		memset(v, 0, sizeof(*v));
	if ((rc = reader_slot(r, index, TCSD_TYPE_PCR_EVENT)) != 0)
		return rc;
	memset(&e, 0, sizeof(e));
	version_get(&r->data, &e.versionInfo);
	buf_get_u32(&r->data, &e.ulPcrIndex);
	buf_get_u32(&r->data, &e.eventType);
	if ((rc = get_capped_dup(r, &e.rgbPcrValue, &e.ulPcrValueLength, value_max)) != 0)
		goto fail;
	if ((rc = get_capped_dup(r, &e.rgbEvent, &e.ulEventLength, event_max)) != 0)
		goto fail;
	if (v != NULL)
		*v = e;
	else
		tcsd_pcr_event_free(&e);
	return 0;
fail:
	tcsd_pcr_event_free(&e);
	return rc;
}

int tcsd_get_counter_value(struct tcsd_packet_reader *r, uint32_t index, TPM_COUNTER_VALUE *v)
{
	TPM_COUNTER_VALUE c;
	int rc;

	if (v != NULL)
		memset(v, 0, sizeof(*v));
	if ((rc = reader_slot(r, index, TCSD_TYPE_COUNTER_VALUE)) != 0)
		return rc;
	memset(&c, 0, sizeof(c));
	/* TPM 1.2 Part 2 §21.1: tag, label[4], counter. */
	buf_get_u16(&r->data, &c.tag);
	buf_get_bytes(&r->data, c.label, sizeof(c.label));
	buf_get_u32(&r->data, &c.counter);
	if ((rc = reader_check(r)) != 0)
		return rc;
	if (v != NULL)
		*v = c;
	return 0;
}

/* Claims a PBYTE slot of len bytes and returns where they are. */
static int get_pbyte(struct tcsd_packet_reader *r, uint32_t index, const uint8_t **p, uint32_t len,
		     uint32_t max)
{
	int rc;

	*p = NULL;
	if (r->err)
		return r->err;
	if (len > max) {
		log_debug("tcsd packet: parameter %u: length %u above the cap %u", index, len, max);
		return reader_fail(r, -E2BIG);
	}
	if ((rc = reader_slot(r, index, TCSD_TYPE_PBYTE)) != 0)
		return rc;
	buf_get_ptr(&r->data, p, len);
	return reader_check(r);
}

int tcsd_get_bytes_copy(struct tcsd_packet_reader *r, uint32_t index, void *dst, uint32_t len,
			uint32_t max)
{
	const uint8_t *p;
	int rc;

	if (dst != NULL && len <= max)
		memset(dst, 0, len);
	if ((rc = get_pbyte(r, index, &p, len, max)) != 0)
		return rc;
	if (dst != NULL && len > 0)
		memcpy(dst, p, len);
	return 0;
}

int tcsd_get_bytes_ptr(struct tcsd_packet_reader *r, uint32_t index, const uint8_t **p,
		       uint32_t len, uint32_t max)
{
	const uint8_t *q;
	int rc;

	if (p != NULL)
		*p = NULL;
	if ((rc = get_pbyte(r, index, &q, len, max)) != 0)
		return rc;
	if (p != NULL)
		*p = q;
	return 0;
}

int tcsd_get_bytes_dup(struct tcsd_packet_reader *r, uint32_t index, uint8_t **p, uint32_t len,
		       uint32_t max)
{
	const uint8_t *q;
	uint8_t *copy;
	int rc;

	if (p != NULL)
		*p = NULL;
	if ((rc = get_pbyte(r, index, &q, len, max)) != 0)
		return rc;
	if (p == NULL || len == 0)
		return 0;
	if ((copy = malloc(len)) == NULL)
		return reader_fail(r, -ENOMEM);
	memcpy(copy, q, len);
	*p = copy;
	return 0;
}

int tcsd_get_sized_ptr(struct tcsd_packet_reader *r, uint32_t *index, const uint8_t **p,
		       uint32_t *len, uint32_t max)
{
	uint32_t n;
	int rc;

	if (p != NULL)
		*p = NULL;
	if (len != NULL)
		*len = 0;
	if ((rc = tcsd_get_u32(r, *index, &n)) != 0)
		return rc;
	if (n > max) {
		log_debug("tcsd packet: parameter %u: length %u above the cap %u", *index, n, max);
		return reader_fail(r, -E2BIG);
	}
	(*index)++;
	/*
	 * TrouSerS leaves out an empty PBYTE; one that is sent anyway is
	 * recognisable, because only a UINT32 ever precedes a PBYTE.
	 */
	if (n == 0 && tcsd_param_type(r, *index) != TCSD_TYPE_PBYTE)
		return 0;
	if (!tcsd_param_present(r, *index)) {
		log_debug("tcsd packet: parameter %u: %u bytes announced, none sent", *index, n);
		return reader_fail(r, -EBADMSG);
	}
	if ((rc = tcsd_get_bytes_ptr(r, *index, p, n, max)) != 0)
		return rc;
	(*index)++;
	if (len != NULL)
		*len = n;
	return 0;
}

int tcsd_get_sized_dup(struct tcsd_packet_reader *r, uint32_t *index, uint8_t **p,
		       uint32_t *len, uint32_t max)
{
	const uint8_t *q;
	uint32_t n;
	uint8_t *copy;
	int rc;

	if (p != NULL)
		*p = NULL;
	if (len != NULL)
		*len = 0;
	if ((rc = tcsd_get_sized_ptr(r, index, &q, &n, max)) != 0)
		return rc;
	if (p != NULL && n > 0) {
		if ((copy = malloc(n)) == NULL)
			return reader_fail(r, -ENOMEM);
		memcpy(copy, q, n);
		*p = copy;
	}
	if (len != NULL)
		*len = n;
	return 0;
}

/* ---- writer ---- */

int tcsd_writer_init(struct tcsd_packet_writer *w, uint32_t slots)
{
	int rc = tcsd_writer_init_reply(w, slots);

	w->offsets_always = true;
	return rc;
}

int tcsd_writer_init_reply(struct tcsd_packet_writer *w, uint32_t slots)
{
	memset(w, 0, sizeof(*w));
	buf_writer_init_dynamic(&w->data, TCSD_MAX_PACKET - TCSD_HDR_SIZE);
	if (slots > TCSD_MAX_PACKET - TCSD_HDR_SIZE) {
		w->err = -E2BIG;
		return w->err;
	}
	w->slots = slots;
	if (slots > 0 && (w->types = calloc(slots, 1)) == NULL)
		w->err = -ENOMEM;
	return w->err;
}

void tcsd_writer_free(struct tcsd_packet_writer *w)
{
	free(w->types);
	w->types = NULL;
	buf_writer_free(&w->data);
	w->slots = 0;
	w->next = 0;
	w->err = 0;
	w->offsets_always = false;
}

int tcsd_writer_error(const struct tcsd_packet_writer *w)
{
	return w->err ? w->err : buf_writer_error(&w->data);
}

static int writer_slot(struct tcsd_packet_writer *w, uint32_t index, enum tcsd_type type)
{
	if (w->err)
		return w->err;
	if (index != w->next) {
		log_debug("tcsd packet: parameter %u written out of order (next is %u)", index,
			  w->next);
		w->err = -EINVAL;
	} else if (index >= w->slots) {
		log_debug("tcsd packet: parameter %u does not fit in %u slots", index, w->slots);
		w->err = -E2BIG;
	} else {
		w->types[index] = (uint8_t)type;
		w->next++;
	}
	return w->err;
}

static int writer_check(struct tcsd_packet_writer *w)
{
	if (w->err == 0)
		w->err = buf_writer_error(&w->data);
	return w->err;
}

int tcsd_put_u8(struct tcsd_packet_writer *w, uint32_t index, BYTE v)
{
	if (writer_slot(w, index, TCSD_TYPE_BYTE) == 0)
		buf_put_u8(&w->data, v);
	return writer_check(w);
}

int tcsd_put_bool(struct tcsd_packet_writer *w, uint32_t index, TSS_BOOL v)
{
	if (writer_slot(w, index, TCSD_TYPE_BOOL) == 0)
		buf_put_u8(&w->data, (uint8_t)v);
	return writer_check(w);
}

int tcsd_put_u16(struct tcsd_packet_writer *w, uint32_t index, UINT16 v)
{
	if (writer_slot(w, index, TCSD_TYPE_UINT16) == 0)
		buf_put_u16(&w->data, v);
	return writer_check(w);
}

int tcsd_put_u32(struct tcsd_packet_writer *w, uint32_t index, UINT32 v)
{
	if (writer_slot(w, index, TCSD_TYPE_UINT32) == 0)
		buf_put_u32(&w->data, v);
	return writer_check(w);
}

int tcsd_put_u64(struct tcsd_packet_writer *w, uint32_t index, UINT64 v)
{
	if (writer_slot(w, index, TCSD_TYPE_UINT64) == 0)
		buf_put_u64(&w->data, v);
	return writer_check(w);
}

static int put_20(struct tcsd_packet_writer *w, uint32_t index, enum tcsd_type type,
		  const uint8_t *v)
{
	if (writer_slot(w, index, type) == 0)
		buf_put_bytes(&w->data, v, NONCE_LEN);
	return writer_check(w);
}

int tcsd_put_nonce(struct tcsd_packet_writer *w, uint32_t index, const TPM_NONCE *v)
{
	return put_20(w, index, TCSD_TYPE_NONCE, v->nonce);
}

int tcsd_put_digest(struct tcsd_packet_writer *w, uint32_t index, const TPM_DIGEST *v)
{
	return put_20(w, index, TCSD_TYPE_DIGEST, v->digest);
}

int tcsd_put_encauth(struct tcsd_packet_writer *w, uint32_t index, const TPM_ENCAUTH *v)
{
	return put_20(w, index, TCSD_TYPE_ENCAUTH, v->authdata);
}

int tcsd_put_secret(struct tcsd_packet_writer *w, uint32_t index, const TPM_SECRET *v)
{
	return put_20(w, index, TCSD_TYPE_SECRET, v->authdata);
}

int tcsd_put_uuid(struct tcsd_packet_writer *w, uint32_t index, const TSS_UUID *v)
{
	if (writer_slot(w, index, TCSD_TYPE_UUID) == 0)
		uuid_put(&w->data, v);
	return writer_check(w);
}

int tcsd_put_version(struct tcsd_packet_writer *w, uint32_t index, const TSS_VERSION *v)
{
	if (writer_slot(w, index, TCSD_TYPE_VERSION) == 0)
		version_put(&w->data, v);
	return writer_check(w);
}

int tcsd_put_auth_in(struct tcsd_packet_writer *w, uint32_t index, const TPM_AUTH *v)
{
	if (writer_slot(w, index, TCSD_TYPE_AUTH) == 0) {
		buf_put_u32(&w->data, v->AuthHandle);
		buf_put_bytes(&w->data, v->NonceOdd.nonce, NONCE_LEN);
		buf_put_u8(&w->data, (uint8_t)v->fContinueAuthSession);
		buf_put_bytes(&w->data, v->HMAC.authdata, NONCE_LEN);
	}
	return writer_check(w);
}

int tcsd_put_auth_out(struct tcsd_packet_writer *w, uint32_t index, const TPM_AUTH *v)
{
	if (writer_slot(w, index, TCSD_TYPE_AUTH) == 0) {
		buf_put_bytes(&w->data, v->NonceEven.nonce, NONCE_LEN);
		buf_put_u8(&w->data, (uint8_t)v->fContinueAuthSession);
		buf_put_bytes(&w->data, v->HMAC.authdata, NONCE_LEN);
	}
	return writer_check(w);
}

/* A length and its bytes; a non-zero length with no bytes is a caller bug. */
static void put_sized_field(struct tcsd_packet_writer *w, const void *p, UINT32 n)
{
	if (n > 0 && p == NULL) {
		buf_writer_fail(&w->data, -EINVAL);
		return;
	}
	buf_put_u32(&w->data, n);
	if (n > 0)
		buf_put_bytes(&w->data, p, n);
}

int tcsd_put_km_keyinfo(struct tcsd_packet_writer *w, uint32_t index, const TSS_KM_KEYINFO *v)
{
	if (writer_slot(w, index, TCSD_TYPE_KM_KEYINFO) == 0) {
		version_put(&w->data, &v->versionInfo);
		uuid_put(&w->data, &v->keyUUID);
		uuid_put(&w->data, &v->parentKeyUUID);
		buf_put_u8(&w->data, v->bAuthDataUsage);
		buf_put_u8(&w->data, (uint8_t)v->fIsLoaded);
		put_sized_field(w, v->rgbVendorData, v->ulVendorDataLength);
	}
	return writer_check(w);
}

int tcsd_put_km_keyinfo2(struct tcsd_packet_writer *w, uint32_t index, const TSS_KM_KEYINFO2 *v)
{
	if (writer_slot(w, index, TCSD_TYPE_KM_KEYINFO2) == 0) {
		version_put(&w->data, &v->versionInfo);
		uuid_put(&w->data, &v->keyUUID);
		uuid_put(&w->data, &v->parentKeyUUID);
		buf_put_u8(&w->data, v->bAuthDataUsage);
		buf_put_u32(&w->data, v->persistentStorageType);
		buf_put_u32(&w->data, v->persistentStorageTypeParent);
		buf_put_u8(&w->data, (uint8_t)v->fIsLoaded);
		put_sized_field(w, v->rgbVendorData, v->ulVendorDataLength);
	}
	return writer_check(w);
}

int tcsd_put_loadkey_info(struct tcsd_packet_writer *w, uint32_t index, const TCS_LOADKEY_INFO *v)
{
	if (writer_slot(w, index, TCSD_TYPE_LOADKEY_INFO) == 0) {
		uuid_put(&w->data, &v->keyUUID);
		uuid_put(&w->data, &v->parentKeyUUID);
		buf_put_bytes(&w->data, v->paramDigest.digest, NONCE_LEN);
		buf_put_u32(&w->data, v->authData.AuthHandle);
		buf_put_bytes(&w->data, v->authData.NonceOdd.nonce, NONCE_LEN);
		buf_put_bytes(&w->data, v->authData.NonceEven.nonce, NONCE_LEN);
		buf_put_u8(&w->data, (uint8_t)v->authData.fContinueAuthSession);
		buf_put_bytes(&w->data, v->authData.HMAC.authdata, NONCE_LEN);
	}
	return writer_check(w);
}

int tcsd_put_pcr_event(struct tcsd_packet_writer *w, uint32_t index, const TSS_PCR_EVENT *v)
{
	if (writer_slot(w, index, TCSD_TYPE_PCR_EVENT) == 0) {
		version_put(&w->data, &v->versionInfo);
		buf_put_u32(&w->data, v->ulPcrIndex);
		buf_put_u32(&w->data, v->eventType);
		put_sized_field(w, v->rgbPcrValue, v->ulPcrValueLength);
		put_sized_field(w, v->rgbEvent, v->ulEventLength);
	}
	return writer_check(w);
}

int tcsd_put_counter_value(struct tcsd_packet_writer *w, uint32_t index,
			   const TPM_COUNTER_VALUE *v)
{
	if (writer_slot(w, index, TCSD_TYPE_COUNTER_VALUE) == 0) {
		buf_put_u16(&w->data, v->tag);
		buf_put_bytes(&w->data, v->label, sizeof(v->label));
		buf_put_u32(&w->data, v->counter);
	}
	return writer_check(w);
}

int tcsd_put_bytes(struct tcsd_packet_writer *w, uint32_t index, const void *p, uint32_t len)
{
	if (len > 0 && p == NULL && w->err == 0)
		w->err = -EINVAL;
	if (writer_slot(w, index, TCSD_TYPE_PBYTE) == 0 && len > 0)
		buf_put_bytes(&w->data, p, len);
	return writer_check(w);
}

static int put_sized(struct tcsd_packet_writer *w, uint32_t *index, const void *p, uint32_t len,
		     bool omit_empty)
{
	if (tcsd_put_u32(w, *index, len) != 0)
		return w->err;
	(*index)++;
	if (len == 0 && omit_empty)
		return 0;
	if (tcsd_put_bytes(w, *index, p, len) != 0)
		return w->err;
	(*index)++;
	return 0;
}

int tcsd_put_sized(struct tcsd_packet_writer *w, uint32_t *index, const void *p, uint32_t len)
{
	return put_sized(w, index, p, len, false);
}

int tcsd_put_sized_opt(struct tcsd_packet_writer *w, uint32_t *index, const void *p,
		       uint32_t len)
{
	return put_sized(w, index, p, len, true);
}

int tcsd_writer_finish(struct tcsd_packet_writer *w, uint32_t code, uint8_t **pkt, size_t *len)
{
	struct buf_writer out;
	struct tcsd_hdr h;
	size_t data_len;
	int rc;

	*pkt = NULL;
	*len = 0;
	if ((rc = tcsd_writer_error(w)) != 0)
		return rc;
	data_len = buf_writer_len(&w->data);
	/* init and the data writer's own cap keep both terms below 1 MiB. */
	if ((uint64_t)TCSD_HDR_SIZE + w->slots + data_len > TCSD_MAX_PACKET) {
		log_debug("tcsd packet: %u slots and %zu data bytes exceed the cap", w->slots,
			  data_len);
		return w->err = -E2BIG;
	}
	memset(&h, 0, sizeof(h));
	h.ordinal = code;
	h.num_parms = w->next;
	h.type_size = w->next;
	h.parm_size = (uint32_t)data_len;
	if (w->slots > 0 || w->offsets_always) {
		h.type_offset = TCSD_HDR_SIZE;
		h.parm_offset = TCSD_HDR_SIZE + w->slots;
	}
	h.packet_size = TCSD_HDR_SIZE + w->slots + (uint32_t)data_len;

	buf_writer_init_dynamic(&out, TCSD_MAX_PACKET);
	tcsd_hdr_put(&out, &h);
	buf_put_bytes(&out, w->types, w->slots);
	buf_put_bytes(&out, w->data.data, data_len);
	if ((rc = buf_writer_error(&out)) != 0) {
		buf_writer_free(&out);
		return w->err = rc;
	}
	*pkt = buf_writer_steal(&out, len);
	return 0;
}

void tcsd_error_reply(uint8_t out[TCSD_HDR_SIZE], uint32_t result)
{
	struct buf_writer w;
	struct tcsd_hdr h;

	memset(&h, 0, sizeof(h));
	h.packet_size = TCSD_HDR_SIZE;
	h.result = result;
	buf_writer_init_fixed(&w, out, TCSD_HDR_SIZE);
	tcsd_hdr_put(&w, &h);
}
