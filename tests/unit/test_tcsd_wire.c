/*
 * Unit tests for the TCSD wire codec (common/tcsd_wire.c) and the ordinal
 * table (common/tcsd_ordinals.c): header rules one at a time, every
 * parameter type both ways, the reader's error cases, and every packet
 * captured between Debian's libtspi and tcsd (tests/unit/vectors/tcsd/,
 * recorded by tests/interop/wire_capture/capture.py) decoded, walked by
 * its schema and re-encoded byte for byte.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "tcsd_ordinals.h"
#include "tcsd_wire.h"
#include "vectors.h"

/* ---- helpers ---- */

static void put_hdr(uint8_t *p, uint32_t size, uint32_t code, uint32_t num, uint32_t tsize,
		    uint32_t toff, uint32_t psize, uint32_t poff)
{
	const uint32_t v[7] = { size, code, num, tsize, toff, psize, poff };
	int i;

	for (i = 0; i < 7; i++) {
		p[4 * i] = (uint8_t)(v[i] >> 24);
		p[4 * i + 1] = (uint8_t)(v[i] >> 16);
		p[4 * i + 2] = (uint8_t)(v[i] >> 8);
		p[4 * i + 3] = (uint8_t)v[i];
	}
}

static int hdr(uint32_t size, uint32_t num, uint32_t tsize, uint32_t toff, uint32_t psize,
	       uint32_t poff, bool strict)
{
	uint8_t p[TCSD_HDR_SIZE];
	struct tcsd_hdr h;

	put_hdr(p, size, 44, num, tsize, toff, psize, poff);
	return tcsd_hdr_decode(p, sizeof(p), &h, strict);
}

/* Builds a packet with a writer; the caller frees *pkt. */
static void finish(struct tcsd_packet_writer *w, uint32_t code, uint8_t **pkt, size_t *len)
{
	assert_int_equal(tcsd_writer_finish(w, code, pkt, len), 0);
	tcsd_writer_free(w);
}

/* ---- header ---- */

static void hdr_valid(void **state)
{
	uint8_t p[TCSD_HDR_SIZE];
	struct tcsd_hdr h;

	/* GetRandom as libtspi sends it: 2 params in 2 slots, 8 data bytes. */
	put_hdr(p, 38, 44, 2, 2, 28, 8, 30);
	assert_int_equal(tcsd_hdr_decode(p, sizeof(p), &h, true), 0);
	assert_int_equal(h.packet_size, 38);
	assert_int_equal(h.ordinal, 44);
	assert_int_equal(h.result, 44);
	assert_int_equal(h.num_parms, 2);
	assert_int_equal(h.parm_offset, 30);
	/* More slots than parameters (Seal reserves 8, sends 7). */
	assert_int_equal(hdr(40, 2, 2, 28, 8, 32, true), 0);
	/* No parameters, libtspi 0.3.15 style (OpenContext). */
	assert_int_equal(hdr(28, 0, 0, 28, 0, 28, true), 0);
	/* Exactly at the cap. */
	assert_int_equal(hdr(TCSD_MAX_PACKET, 1, 1, 28, TCSD_MAX_PACKET - 29, 29, true), 0);
}

static void hdr_each_rule(void **state)
{
	/* Each rule broken alone, everything else as in hdr_valid. */
	assert_int_equal(hdr(38, 2, 2, 29, 8, 30, true), -EPROTO);  /* type_offset */
	assert_int_equal(hdr(38, 2, 2, 0, 8, 30, true), -EPROTO);
	assert_int_equal(hdr(38, 2, 3, 28, 8, 30, true), -EPROTO);  /* type_size */
	assert_int_equal(hdr(38, 3, 2, 28, 8, 30, true), -EPROTO);  /* num_parms */
	assert_int_equal(hdr(39, 3, 3, 28, 9, 30, true), -EPROTO);  /* num_parms > slots */
	assert_int_equal(hdr(38, 2, 2, 28, 11, 27, true), -EPROTO); /* parm_offset in header */
	assert_int_equal(hdr(39, 2, 2, 28, 8, 30, true), -EPROTO);  /* size != off + size */
	assert_int_equal(hdr(37, 2, 2, 28, 8, 30, true), -EPROTO);
	assert_int_equal(hdr(27, 0, 0, 28, 0, 27, true), -EPROTO);  /* below the header */
	assert_int_equal(hdr(TCSD_MAX_PACKET + 1, 1, 1, 28, TCSD_MAX_PACKET - 28, 29, true),
			 -E2BIG);
	assert_int_equal(hdr(UINT32_MAX, 1, 1, 28, UINT32_MAX - 29, 29, true), -E2BIG);
	/* The bare form of tcsd's replies is no request. */
	assert_int_equal(hdr(28, 0, 0, 0, 0, 0, true), -EPROTO);
}

static void hdr_no_wrap(void **state)
{
	/* parm_offset + parm_size wraps to packet_size in 32 bits. */
	assert_int_equal(hdr(40, 1, 1, 28, 0x10000000u, 0xF0000008u, true), -EPROTO);
	assert_int_equal(hdr(40, 1, 1, 28, UINT32_MAX, 41, true), -EPROTO);
	/* 28 + num_parms would wrap: num_parms near 2^32. */
	assert_int_equal(hdr(40, UINT32_MAX, UINT32_MAX, 28, 0, 40, true), -EPROTO);
	assert_int_equal(hdr(40, 0xFFFFFFF0u, 0xFFFFFFF0u, 28, 12, 28, true), -EPROTO);
	/* parm_offset huge with a size that wraps the sum below the cap. */
	assert_int_equal(hdr(100, 1, 1, 28, 101, UINT32_MAX, true), -EPROTO);
	assert_int_equal(hdr(100, 1, 1, 28, 101, UINT32_MAX, false), -EPROTO);
}

static void hdr_short_input(void **state)
{
	uint8_t p[TCSD_HDR_SIZE];
	struct tcsd_hdr h;

	put_hdr(p, 38, 44, 2, 2, 28, 8, 30);
	assert_int_equal(tcsd_hdr_decode(p, 27, &h, true), -EBADMSG);
	assert_int_equal(h.packet_size, 0);
	assert_int_equal(tcsd_hdr_decode(NULL, 0, &h, false), -EBADMSG);
}

static void hdr_tolerant(void **state)
{
	/* tcsd's replies without parameters: nothing but size and result. */
	assert_int_equal(hdr(28, 0, 0, 0, 0, 0, false), 0);
	/* With num_parms 0 the other fields are not looked at. */
	assert_int_equal(hdr(28, 0, 7, 99, 5, 3, false), 0);
	assert_int_equal(hdr(40, 0, 0, 0, 0, 0, false), 0);
	/* ... but the size is. */
	assert_int_equal(hdr(20, 0, 0, 0, 0, 0, false), -EPROTO);
	assert_int_equal(hdr(TCSD_MAX_PACKET + 1, 0, 0, 0, 0, 0, false), -E2BIG);
	/* With parameters the strict rules hold. */
	assert_int_equal(hdr(38, 2, 2, 28, 8, 30, false), 0);
	assert_int_equal(hdr(38, 2, 2, 0, 8, 30, false), -EPROTO);
	assert_int_equal(hdr(38, 3, 3, 28, 8, 30, false), -EPROTO);
}

static void hdr_put_round_trip(void **state)
{
	struct tcsd_hdr h = { 38, { 44 }, 2, 2, 28, 8, 30 }, back;
	uint8_t mem[TCSD_HDR_SIZE];
	struct buf_writer w;

	buf_writer_init_fixed(&w, mem, sizeof(mem));
	tcsd_hdr_put(&w, &h);
	assert_int_equal(buf_writer_error(&w), 0);
	assert_int_equal(buf_writer_len(&w), TCSD_HDR_SIZE);
	assert_int_equal(tcsd_hdr_decode(mem, sizeof(mem), &back, true), 0);
	assert_memory_equal(&h, &back, sizeof(h));
}

static void reader_size_mismatch(void **state)
{
	uint8_t p[40];
	struct tcsd_packet_reader r;

	memset(p, 0, sizeof(p));
	put_hdr(p, 38, 44, 2, 2, 28, 8, 30);
	p[28] = TCSD_TYPE_UINT32;
	p[29] = TCSD_TYPE_UINT32;
	assert_int_equal(tcsd_reader_init(&r, p, 38, true), 0);
	assert_int_equal(tcsd_reader_init(&r, p, 37, true), -EBADMSG);
	assert_int_equal(tcsd_reader_init(&r, p, 39, true), -EBADMSG);
	/* A failed reader stays failed. */
	assert_int_equal(tcsd_get_u32(&r, 0, NULL), -EBADMSG);
}

/* ---- every type, round trip ---- */

static void fill(void *p, size_t n, uint8_t seed)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7);
}

static void all_types(void **state)
{
	struct tcsd_packet_writer w;
	struct tcsd_packet_reader r;
	uint8_t *pkt;
	size_t len;
	TPM_NONCE nonce, nonce2;
	TPM_DIGEST digest, digest2;
	TPM_ENCAUTH encauth, encauth2;
	TPM_SECRET secret, secret2;
	TSS_UUID uuid = { 0x01020304, 0x0506, 0x0708, 0x09, 0x0a, { 11, 12, 13, 14, 15, 16 } },
		 uuid2;
	TSS_VERSION ver = { 1, 2, 3, 4 }, ver2;
	TPM_AUTH ain, aout, a2;
	BYTE vendor[5] = { 'v', 'e', 'n', 'd', 'r' };
	TSS_KM_KEYINFO ki, ki2;
	TSS_KM_KEYINFO2 kj, kj2;
	TCS_LOADKEY_INFO li, li2;
	BYTE pcrval[20], evdata[33];
	TSS_PCR_EVENT ev, ev2;
	TPM_COUNTER_VALUE cv = { 0x000e, { 'a', 'b', 'c', 'd' }, 0x11223344 }, cv2;
	BYTE blob[300];
	const uint8_t *bp;
	uint8_t *bd;
	BYTE b8;
	TSS_BOOL bo;
	UINT16 u16;
	UINT32 u32, idx;
	UINT64 u64;

	fill(&nonce, sizeof(nonce), 1);
	fill(&digest, sizeof(digest), 2);
	fill(&encauth, sizeof(encauth), 3);
	fill(&secret, sizeof(secret), 4);
	memset(&ain, 0, sizeof(ain));
	ain.AuthHandle = 0xa1b2c3d4;
	fill(&ain.NonceOdd, sizeof(ain.NonceOdd), 5);
	ain.fContinueAuthSession = 1;
	fill(&ain.HMAC, sizeof(ain.HMAC), 6);
	memset(&aout, 0, sizeof(aout));
	fill(&aout.NonceEven, sizeof(aout.NonceEven), 7);
	fill(&aout.HMAC, sizeof(aout.HMAC), 8);
	memset(&ki, 0, sizeof(ki));
	ki.versionInfo = ver;
	ki.keyUUID = uuid;
	ki.parentKeyUUID.ulTimeLow = 9;
	ki.bAuthDataUsage = 1;
	ki.fIsLoaded = 1;
	ki.ulVendorDataLength = sizeof(vendor);
	ki.rgbVendorData = vendor;
	memset(&kj, 0, sizeof(kj));
	kj.versionInfo = ver;
	kj.keyUUID.rgbNode[5] = 1;
	kj.parentKeyUUID = uuid;
	kj.persistentStorageType = 2;
	kj.persistentStorageTypeParent = 1;
	memset(&li, 0, sizeof(li));
	li.keyUUID = uuid;
	fill(&li.paramDigest, sizeof(li.paramDigest), 9);
	li.authData = ain;
	fill(&li.authData.NonceEven, sizeof(li.authData.NonceEven), 10);
	fill(pcrval, sizeof(pcrval), 11);
	fill(evdata, sizeof(evdata), 12);
	memset(&ev, 0, sizeof(ev));
	ev.versionInfo = ver;
	ev.ulPcrIndex = 10;
	ev.eventType = 0x0d;
	ev.ulPcrValueLength = sizeof(pcrval);
	ev.rgbPcrValue = pcrval;
	ev.ulEventLength = sizeof(evdata);
	ev.rgbEvent = evdata;
	fill(blob, sizeof(blob), 13);

	assert_int_equal(tcsd_writer_init(&w, 30), 0);
	tcsd_put_u8(&w, 0, 0xab);
	tcsd_put_bool(&w, 1, 1);
	tcsd_put_u16(&w, 2, 0xbeef);
	tcsd_put_u32(&w, 3, 0xdeadbeef);
	tcsd_put_u64(&w, 4, 0x0102030405060708ull);
	tcsd_put_nonce(&w, 5, &nonce);
	tcsd_put_digest(&w, 6, &digest);
	tcsd_put_encauth(&w, 7, &encauth);
	tcsd_put_secret(&w, 8, &secret);
	tcsd_put_uuid(&w, 9, &uuid);
	tcsd_put_version(&w, 10, &ver);
	tcsd_put_auth_in(&w, 11, &ain);
	tcsd_put_auth_out(&w, 12, &aout);
	tcsd_put_km_keyinfo(&w, 13, &ki);
	tcsd_put_km_keyinfo2(&w, 14, &kj);
	tcsd_put_loadkey_info(&w, 15, &li);
	tcsd_put_pcr_event(&w, 16, &ev);
	tcsd_put_counter_value(&w, 17, &cv);
	idx = 18;
	tcsd_put_sized(&w, &idx, blob, sizeof(blob));
	assert_int_equal(idx, 20);
	tcsd_put_bytes(&w, 20, blob, 7);
	assert_int_equal(tcsd_put_u64(&w, 21, UINT64_MAX), 0);
	finish(&w, TCSD_ORD_GETRANDOM, &pkt, &len);

	/* 22 parameters in 30 slots; sizes from REFERENCES.md §1.7. */
	assert_int_equal(len, 28 + 30 + 1 + 1 + 2 + 4 + 8 + 4 * 20 + 16 + 4 + 45 + 41 +
				      (42 + 5) + 50 + 117 + (20 + 20 + 33) + 10 + 4 + 300 + 7 + 8);

	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_reader_code(&r), TCSD_ORD_GETRANDOM);
	assert_int_equal(tcsd_get_u8(&r, 0, &b8), 0);
	assert_int_equal(b8, 0xab);
	assert_int_equal(tcsd_get_bool(&r, 1, &bo), 0);
	assert_int_equal(bo, 1);
	assert_int_equal(tcsd_get_u16(&r, 2, &u16), 0);
	assert_int_equal(u16, 0xbeef);
	assert_int_equal(tcsd_get_u32(&r, 3, &u32), 0);
	assert_int_equal(u32, 0xdeadbeef);
	assert_int_equal(tcsd_get_u64(&r, 4, &u64), 0);
	assert_true(u64 == 0x0102030405060708ull);
	assert_int_equal(tcsd_get_nonce(&r, 5, &nonce2), 0);
	assert_memory_equal(&nonce, &nonce2, sizeof(nonce));
	assert_int_equal(tcsd_get_digest(&r, 6, &digest2), 0);
	assert_memory_equal(&digest, &digest2, sizeof(digest));
	assert_int_equal(tcsd_get_encauth(&r, 7, &encauth2), 0);
	assert_memory_equal(&encauth, &encauth2, sizeof(encauth));
	assert_int_equal(tcsd_get_secret(&r, 8, &secret2), 0);
	assert_memory_equal(&secret, &secret2, sizeof(secret));
	assert_int_equal(tcsd_get_uuid(&r, 9, &uuid2), 0);
	assert_memory_equal(&uuid, &uuid2, sizeof(uuid));
	assert_int_equal(tcsd_get_version(&r, 10, &ver2), 0);
	assert_memory_equal(&ver, &ver2, sizeof(ver));
	assert_int_equal(tcsd_get_auth_in(&r, 11, &a2), 0);
	assert_int_equal(a2.AuthHandle, ain.AuthHandle);
	assert_memory_equal(&a2.NonceOdd, &ain.NonceOdd, 20);
	assert_int_equal(a2.fContinueAuthSession, 1);
	assert_memory_equal(&a2.HMAC, &ain.HMAC, 20);
	assert_int_equal(tcsd_get_auth_out(&r, 12, &a2), 0);
	assert_memory_equal(&a2.NonceEven, &aout.NonceEven, 20);
	assert_int_equal(a2.fContinueAuthSession, 0);
	assert_memory_equal(&a2.HMAC, &aout.HMAC, 20);
	assert_int_equal(tcsd_get_km_keyinfo(&r, 13, &ki2, TCSD_VENDOR_DATA_MAX), 0);
	assert_memory_equal(&ki2.versionInfo, &ver, sizeof(ver));
	assert_memory_equal(&ki2.keyUUID, &uuid, sizeof(uuid));
	assert_int_equal(ki2.parentKeyUUID.ulTimeLow, 9);
	assert_int_equal(ki2.bAuthDataUsage, 1);
	assert_int_equal(ki2.fIsLoaded, 1);
	assert_int_equal(ki2.ulVendorDataLength, 5);
	assert_memory_equal(ki2.rgbVendorData, vendor, 5);
	tcsd_km_keyinfo_free(&ki2);
	assert_null(ki2.rgbVendorData);
	assert_int_equal(tcsd_get_km_keyinfo2(&r, 14, &kj2, TCSD_VENDOR_DATA_MAX), 0);
	assert_int_equal(kj2.keyUUID.rgbNode[5], 1);
	assert_memory_equal(&kj2.parentKeyUUID, &uuid, sizeof(uuid));
	assert_int_equal(kj2.persistentStorageType, 2);
	assert_int_equal(kj2.persistentStorageTypeParent, 1);
	assert_int_equal(kj2.ulVendorDataLength, 0);
	assert_null(kj2.rgbVendorData);
	tcsd_km_keyinfo2_free(&kj2);
	assert_int_equal(tcsd_get_loadkey_info(&r, 15, &li2), 0);
	assert_memory_equal(&li2.keyUUID, &li.keyUUID, sizeof(li.keyUUID));
	assert_memory_equal(&li2.paramDigest, &li.paramDigest, 20);
	assert_int_equal(li2.authData.AuthHandle, li.authData.AuthHandle);
	assert_memory_equal(&li2.authData.NonceOdd, &li.authData.NonceOdd, 20);
	assert_memory_equal(&li2.authData.NonceEven, &li.authData.NonceEven, 20);
	assert_memory_equal(&li2.authData.HMAC, &li.authData.HMAC, 20);
	assert_int_equal(tcsd_get_pcr_event(&r, 16, &ev2, TCSD_PCR_VALUE_MAX, TCSD_EVENT_DATA_MAX),
			 0);
	assert_int_equal(ev2.ulPcrIndex, 10);
	assert_int_equal(ev2.eventType, 0x0d);
	assert_int_equal(ev2.ulPcrValueLength, 20);
	assert_memory_equal(ev2.rgbPcrValue, pcrval, 20);
	assert_int_equal(ev2.ulEventLength, 33);
	assert_memory_equal(ev2.rgbEvent, evdata, 33);
	tcsd_pcr_event_free(&ev2);
	assert_int_equal(tcsd_get_counter_value(&r, 17, &cv2), 0);
	assert_int_equal(cv2.tag, cv.tag);
	assert_memory_equal(cv2.label, cv.label, 4);
	assert_int_equal(cv2.counter, cv.counter);
	idx = 18;
	assert_int_equal(tcsd_get_sized_dup(&r, &idx, &bd, &u32, 4096), 0);
	assert_int_equal(idx, 20);
	assert_int_equal(u32, sizeof(blob));
	assert_memory_equal(bd, blob, sizeof(blob));
	free(bd);
	assert_int_equal(tcsd_get_bytes_ptr(&r, 20, &bp, 7, 7), 0);
	assert_memory_equal(bp, blob, 7);
	assert_int_equal(tcsd_reader_done(&r), -EBADMSG); /* one left */
	assert_int_equal(tcsd_get_u64(&r, 21, &u64), 0);
	assert_true(u64 == UINT64_MAX);
	assert_int_equal(tcsd_reader_done(&r), 0);
	assert_false(tcsd_param_present(&r, 22));
	assert_int_equal(tcsd_get_u8(&r, 22, &b8), -ENOENT);
	free(pkt);
}

/* ---- reader errors ---- */

/* ctx UINT32, UINT32 n: a GetRandom request. */
static void getrandom_req(uint8_t **pkt, size_t *len, uint32_t slots)
{
	struct tcsd_packet_writer w;

	assert_int_equal(tcsd_writer_init(&w, slots), 0);
	tcsd_put_u32(&w, 0, 0x1234);
	tcsd_put_u32(&w, 1, 16);
	finish(&w, TCSD_ORD_GETRANDOM, pkt, len);
}

static void type_mismatch(void **state)
{
	struct tcsd_packet_reader r;
	uint8_t *pkt;
	size_t len;
	UINT16 u16 = 7;
	UINT32 u32 = 7;

	getrandom_req(&pkt, &len, 2);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_param_type(&r, 0), TCSD_TYPE_UINT32);
	assert_int_equal(tcsd_get_u16(&r, 0, &u16), -EPROTO);
	assert_int_equal(u16, 0);
	/* Sticky: the right type fails now too. */
	assert_int_equal(tcsd_get_u32(&r, 0, &u32), -EPROTO);
	assert_int_equal(u32, 0);
	assert_int_equal(tcsd_reader_error(&r), -EPROTO);
	assert_int_equal(tcsd_reader_done(&r), -EPROTO);
	free(pkt);
}

static void past_num_parms(void **state)
{
	struct tcsd_packet_reader r;
	TPM_AUTH auth;
	uint8_t *pkt;
	size_t len;
	UINT32 u32;

	getrandom_req(&pkt, &len, 5);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_get_u32(&r, 0, &u32), 0);
	assert_int_equal(u32, 0x1234);
	assert_int_equal(tcsd_get_u32(&r, 1, &u32), 0);
	assert_int_equal(u32, 16);
	/* Asking whether an optional parameter is there leaves the reader alone. */
	assert_false(tcsd_param_present(&r, 2));
	assert_int_equal(tcsd_param_type(&r, 2), -ENOENT);
	assert_int_equal(tcsd_reader_error(&r), 0);
	assert_int_equal(tcsd_reader_done(&r), 0);
	/* Reading it anyway is a failure, and a sticky one. */
	memset(&auth, 0x55, sizeof(auth));
	assert_int_equal(tcsd_get_auth_in(&r, 2, &auth), -ENOENT);
	assert_int_equal(auth.AuthHandle, 0);
	assert_int_equal(tcsd_reader_error(&r), -ENOENT);
	assert_int_equal(tcsd_reader_done(&r), -ENOENT);
	free(pkt);
}

/*
 * A handler reads all its parameters and checks once at the end: a
 * missing parameter must fail every getter after it and the final
 * tcsd_reader_done(), or a request cut short after its last complete
 * parameter would run with zeroed inputs (Quote without its nonce).
 */
static void missing_is_sticky(void **state)
{
	struct tcsd_packet_writer w;
	struct tcsd_packet_reader r;
	TPM_NONCE nonce;
	const uint8_t *p;
	uint8_t *pkt;
	size_t len;
	UINT32 u32, idx, n;

	/* Quote: ctx, key, then nothing (nonce, selection, auth left out). */
	assert_int_equal(tcsd_writer_init(&w, 6), 0);
	tcsd_put_u32(&w, 0, 1);
	tcsd_put_u32(&w, 1, 0x40000000);
	finish(&w, TCSD_ORD_QUOTE, &pkt, &len);

	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_get_u32(&r, 0, &u32), 0);
	assert_int_equal(tcsd_get_u32(&r, 1, &u32), 0);
	assert_int_equal(tcsd_get_nonce(&r, 2, &nonce), -ENOENT);
	/* The index after the missing one: the same error, not a fresh one. */
	idx = 3;
	p = (const uint8_t *)"x";
	n = 9;
	assert_int_equal(tcsd_get_sized_ptr(&r, &idx, &p, &n, 64), -ENOENT);
	assert_null(p);
	assert_int_equal(n, 0);
	/* Even a re-read of the same index fails now. */
	assert_int_equal(tcsd_get_nonce(&r, 2, &nonce), -ENOENT);
	assert_int_equal(tcsd_reader_done(&r), -ENOENT);
	/* All parameters of the packet were consumed: done alone would not see it. */
	assert_int_equal(r.next, r.hdr.num_parms);
	/* The schema walk refuses it too. */
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_schema_walk(&r, tcsd_ordinal_table[TCSD_ORD_QUOTE].in, true, 4096),
			 -EBADMSG);
	free(pkt);

	/* Quote with nonce but no selection: the sized getter fails, and stays failed. */
	assert_int_equal(tcsd_writer_init(&w, 6), 0);
	tcsd_put_u32(&w, 0, 1);
	tcsd_put_u32(&w, 1, 0x40000000);
	memset(&nonce, 0xa5, sizeof(nonce));
	tcsd_put_nonce(&w, 2, &nonce);
	finish(&w, TCSD_ORD_QUOTE, &pkt, &len);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_get_u32(&r, 0, NULL), 0);
	assert_int_equal(tcsd_get_u32(&r, 1, NULL), 0);
	assert_int_equal(tcsd_get_nonce(&r, 2, &nonce), 0);
	idx = 3;
	assert_false(tcsd_param_present(&r, idx));
	assert_int_equal(tcsd_get_sized_ptr(&r, &idx, &p, &n, 64), -ENOENT);
	assert_int_equal(tcsd_reader_done(&r), -ENOENT);
	free(pkt);
}

/* Found by fuzz_tcsd_wire: data bytes that no parameter accounts for. */
static void unaccounted_data(void **state)
{
	uint8_t p[28 + 3 + 16];
	struct tcsd_packet_reader r;

	memset(p, 0, sizeof(p));
	/* No parameters, 3 reserved slots, yet 16 bytes of parameter data. */
	put_hdr(p, sizeof(p), TCSD_ORD_OPENCONTEXT, 0, 0, 28, 16, 31);
	assert_int_equal(tcsd_reader_init(&r, p, sizeof(p), true), 0);
	assert_int_equal(tcsd_reader_done(&r), -EBADMSG);
	/* The same with one parameter read and 12 bytes to spare. */
	put_hdr(p, sizeof(p), TCSD_ORD_CLOSECONTEXT, 1, 1, 28, 16, 31);
	p[28] = TCSD_TYPE_UINT32;
	assert_int_equal(tcsd_reader_init(&r, p, sizeof(p), true), 0);
	assert_int_equal(tcsd_get_u32(&r, 0, NULL), 0);
	assert_int_equal(tcsd_reader_done(&r), -EBADMSG);
	assert_int_equal(tcsd_reader_init(&r, p, sizeof(p), true), 0);
	assert_int_equal(tcsd_schema_walk(&r, "u", true, 100), -EBADMSG);
}

static void out_of_order(void **state)
{
	struct tcsd_packet_reader r;
	uint8_t *pkt;
	size_t len;
	UINT32 u32;

	getrandom_req(&pkt, &len, 2);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_get_u32(&r, 1, &u32), -EINVAL);
	assert_int_equal(tcsd_get_u32(&r, 0, &u32), -EINVAL);
	free(pkt);
	/* Re-reading an index already read. */
	getrandom_req(&pkt, &len, 2);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_get_u32(&r, 0, &u32), 0);
	assert_int_equal(tcsd_get_u32(&r, 0, &u32), -EINVAL);
	free(pkt);
}

/* Sign with or without its trailing AUTH, and with the AUTH cut short. */
static void optional_auth(void **state)
{
	static const uint8_t area[20] = { 1, 2, 3 };
	struct tcsd_packet_writer w;
	struct tcsd_packet_reader r;
	TPM_AUTH auth;
	const uint8_t *p;
	uint8_t *pkt;
	size_t len;
	UINT32 idx, n;

	memset(&auth, 0x11, sizeof(auth));
	assert_int_equal(tcsd_writer_init(&w, 5), 0);
	tcsd_put_u32(&w, 0, 1);
	tcsd_put_u32(&w, 1, 0x40000000);
	idx = 2;
	tcsd_put_sized(&w, &idx, area, sizeof(area));
	tcsd_put_auth_in(&w, idx, &auth);
	finish(&w, TCSD_ORD_SIGN, &pkt, &len);

	/* Present. */
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_schema_walk(&r, tcsd_ordinal_table[TCSD_ORD_SIGN].in, true, 4096), 0);

	/*
	 * Truncated: the header still adds up (parm_size shrunk with the
	 * packet), but the AUTH's 45 bytes are not all there.
	 */
	put_hdr(pkt, (uint32_t)len - 10, TCSD_ORD_SIGN, 5, 5, 28, (uint32_t)(len - 10 - 33), 33);
	assert_int_equal(tcsd_reader_init(&r, pkt, len - 10, true), 0);
	assert_int_equal(tcsd_get_u32(&r, 0, NULL), 0);
	assert_int_equal(tcsd_get_u32(&r, 1, NULL), 0);
	idx = 2;
	assert_int_equal(tcsd_get_sized_ptr(&r, &idx, &p, &n, 4096), 0);
	assert_true(tcsd_param_present(&r, idx));
	assert_int_equal(tcsd_get_auth_in(&r, idx, &auth), -EBADMSG);
	assert_int_equal(auth.AuthHandle, 0);
	free(pkt);

	/* Absent (num_parms 4 in 5 slots, as libtspi sends it without a session). */
	assert_int_equal(tcsd_writer_init(&w, 5), 0);
	tcsd_put_u32(&w, 0, 1);
	tcsd_put_u32(&w, 1, 0x40000000);
	idx = 2;
	tcsd_put_sized(&w, &idx, area, sizeof(area));
	finish(&w, TCSD_ORD_SIGN, &pkt, &len);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_schema_walk(&r, tcsd_ordinal_table[TCSD_ORD_SIGN].in, true, 4096), 0);
	free(pkt);
}

static void zero_length_pbyte(void **state)
{
	struct tcsd_packet_writer w;
	struct tcsd_packet_reader r;
	const uint8_t *p;
	uint8_t *pkt, *d;
	size_t len;
	UINT32 idx, n;

	/* _opt leaves the PBYTE out, as libtspi's Seal does. */
	assert_int_equal(tcsd_writer_init(&w, 4), 0);
	idx = 0;
	tcsd_put_sized_opt(&w, &idx, NULL, 0);
	assert_int_equal(idx, 1);
	tcsd_put_sized_opt(&w, &idx, "ab", 2);
	assert_int_equal(idx, 3);
	finish(&w, 1, &pkt, &len);
	assert_int_equal(len, 28 + 4 + 4 + 4 + 2);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(r.hdr.num_parms, 3);
	idx = 0;
	assert_int_equal(tcsd_get_sized_ptr(&r, &idx, &p, &n, 10), 0);
	assert_int_equal(n, 0);
	assert_null(p);
	assert_int_equal(idx, 1);
	assert_int_equal(tcsd_get_sized_dup(&r, &idx, &d, &n, 10), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(d, "ab", 2);
	free(d);
	assert_int_equal(tcsd_reader_done(&r), 0);
	free(pkt);

	/* _sized writes the empty slot, as tcsd does; read just the same. */
	assert_int_equal(tcsd_writer_init(&w, 4), 0);
	idx = 0;
	tcsd_put_sized(&w, &idx, NULL, 0);
	assert_int_equal(idx, 2);
	tcsd_put_sized(&w, &idx, "ab", 2);
	finish(&w, 1, &pkt, &len);
	assert_int_equal(len, 28 + 4 + 4 + 4 + 2);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(r.hdr.num_parms, 4);
	idx = 0;
	assert_int_equal(tcsd_get_sized_dup(&r, &idx, &d, &n, 10), 0);
	assert_int_equal(n, 0);
	assert_null(d);
	assert_int_equal(idx, 2);
	assert_int_equal(tcsd_get_sized_ptr(&r, &idx, &p, &n, 10), 0);
	assert_int_equal(n, 2);
	assert_int_equal(tcsd_reader_done(&r), 0);
	free(pkt);
}

static void pbyte_caps(void **state)
{
	struct tcsd_packet_writer w;
	struct tcsd_packet_reader r;
	const uint8_t *p;
	uint8_t *pkt, *d;
	size_t len;
	UINT32 idx, n;
	uint8_t buf[8];

	assert_int_equal(tcsd_writer_init(&w, 2), 0);
	idx = 0;
	tcsd_put_sized(&w, &idx, "abcdefgh", 8);
	finish(&w, 1, &pkt, &len);

	/* A length above the caller's cap: refused before reading. */
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	idx = 0;
	assert_int_equal(tcsd_get_sized_dup(&r, &idx, &d, &n, 7), -E2BIG);
	assert_null(d);
	assert_int_equal(n, 0);
	assert_int_equal(tcsd_reader_error(&r), -E2BIG);

	/* The bytes: fixed-length copy with a cap that is too small. */
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_get_u32(&r, 0, &n), 0);
	assert_int_equal(tcsd_get_bytes_copy(&r, 1, buf, n, 4), -E2BIG);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_get_u32(&r, 0, &n), 0);
	assert_int_equal(tcsd_get_bytes_copy(&r, 1, buf, n, sizeof(buf)), 0);
	assert_memory_equal(buf, "abcdefgh", 8);

	/* A length larger than the data that is there. */
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_get_u32(&r, 0, &n), 0);
	assert_int_equal(tcsd_get_bytes_ptr(&r, 1, &p, 9, 100), -EBADMSG);
	assert_null(p);
	free(pkt);

	/* A length announced, the PBYTE never sent. */
	assert_int_equal(tcsd_writer_init(&w, 2), 0);
	tcsd_put_u32(&w, 0, 5);
	finish(&w, 1, &pkt, &len);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	idx = 0;
	assert_int_equal(tcsd_get_sized_ptr(&r, &idx, &p, &n, 100), -EBADMSG);
	free(pkt);
}

/* A PCR_EVENT whose lengths lie: refused without allocating their size. */
static void pcr_event_oversized(void **state)
{
	uint8_t pkt[28 + 1 + 20 + 8];
	struct tcsd_packet_reader r;
	TSS_PCR_EVENT ev;
	struct buf_writer w;

	buf_writer_init_fixed(&w, pkt, sizeof(pkt));
	{
		struct tcsd_hdr h = { sizeof(pkt), { 0 }, 1, 1, 28, 28, 29 };

		tcsd_hdr_put(&w, &h);
	}
	buf_put_u8(&w, TCSD_TYPE_PCR_EVENT);
	buf_put_u32(&w, 0x01010000);        /* version */
	buf_put_u32(&w, 10);                /* pcr index */
	buf_put_u32(&w, 13);                /* event type */
	buf_put_u32(&w, 0xFFFFFFF0u);       /* pcr value length */
	buf_put_u32(&w, 0);
	buf_put_u32(&w, 0xFFFFFFFFu);       /* event length, never reached */
	buf_put_u32(&w, 0);
	assert_int_equal(buf_writer_error(&w), 0);
	assert_int_equal(buf_writer_len(&w), sizeof(pkt));

	assert_int_equal(tcsd_reader_init(&r, pkt, sizeof(pkt), false), 0);
	memset(&ev, 0x55, sizeof(ev));
	assert_int_equal(tcsd_get_pcr_event(&r, 0, &ev, TCSD_PCR_VALUE_MAX, TCSD_EVENT_DATA_MAX),
			 -E2BIG);
	assert_null(ev.rgbPcrValue);
	assert_null(ev.rgbEvent);
	assert_int_equal(ev.ulPcrValueLength, 0);

	/* Under the cap, but more than the packet holds. */
	pkt[28 + 1 + 12] = 0;
	pkt[28 + 1 + 13] = 0;
	pkt[28 + 1 + 14] = 0;
	pkt[28 + 1 + 15] = 40;
	assert_int_equal(tcsd_reader_init(&r, pkt, sizeof(pkt), false), 0);
	assert_int_equal(tcsd_get_pcr_event(&r, 0, &ev, TCSD_PCR_VALUE_MAX, TCSD_EVENT_DATA_MAX),
			 -EBADMSG);
	assert_null(ev.rgbPcrValue);

	/* Value fits (empty), event length above its cap. */
	pkt[28 + 1 + 15] = 0;
	memset(pkt + 28 + 1 + 16, 0xff, 4);
	assert_int_equal(tcsd_reader_init(&r, pkt, sizeof(pkt), false), 0);
	assert_int_equal(tcsd_get_pcr_event(&r, 0, &ev, TCSD_PCR_VALUE_MAX, TCSD_EVENT_DATA_MAX),
			 -E2BIG);
	assert_null(ev.rgbEvent);
}

static void keyinfo_vendor_cap(void **state)
{
	struct tcsd_packet_writer w;
	struct tcsd_packet_reader r;
	TSS_KM_KEYINFO ki, out;
	BYTE vendor[100];
	uint8_t *pkt;
	size_t len;

	memset(&ki, 0, sizeof(ki));
	memset(vendor, 'v', sizeof(vendor));
	ki.ulVendorDataLength = sizeof(vendor);
	ki.rgbVendorData = vendor;
	assert_int_equal(tcsd_writer_init_reply(&w, 1), 0);
	tcsd_put_km_keyinfo(&w, 0, &ki);
	finish(&w, 0, &pkt, &len);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, false), 0);
	assert_int_equal(tcsd_get_km_keyinfo(&r, 0, &out, 99), -E2BIG);
	assert_null(out.rgbVendorData);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, false), 0);
	assert_int_equal(tcsd_get_km_keyinfo(&r, 0, &out, 100), 0);
	assert_int_equal(out.ulVendorDataLength, 100);
	tcsd_km_keyinfo_free(&out);
	free(pkt);

	/* A vendor length without data is a caller bug. */
	ki.rgbVendorData = NULL;
	assert_int_equal(tcsd_writer_init(&w, 1), 0);
	assert_int_equal(tcsd_put_km_keyinfo(&w, 0, &ki), -EINVAL);
	assert_int_equal(tcsd_writer_finish(&w, 0, &pkt, &len), -EINVAL);
	assert_null(pkt);
	tcsd_writer_free(&w);
}

/* ---- writer ---- */

static void writer_errors(void **state)
{
	struct tcsd_packet_writer w;
	uint8_t *pkt;
	size_t len;

	/* Out of order. */
	assert_int_equal(tcsd_writer_init(&w, 3), 0);
	assert_int_equal(tcsd_put_u32(&w, 1, 5), -EINVAL);
	assert_int_equal(tcsd_put_u32(&w, 0, 5), -EINVAL); /* sticky */
	assert_int_equal(tcsd_writer_finish(&w, 1, &pkt, &len), -EINVAL);
	assert_null(pkt);
	assert_int_equal(len, 0);
	tcsd_writer_free(&w);

	/* More parameters than slots. */
	assert_int_equal(tcsd_writer_init(&w, 1), 0);
	assert_int_equal(tcsd_put_u32(&w, 0, 5), 0);
	assert_int_equal(tcsd_put_u32(&w, 1, 5), -E2BIG);
	assert_int_equal(tcsd_writer_finish(&w, 1, &pkt, &len), -E2BIG);
	tcsd_writer_free(&w);

	/* No slots at all. */
	assert_int_equal(tcsd_writer_init(&w, 0), 0);
	assert_int_equal(tcsd_put_u8(&w, 0, 5), -E2BIG);
	tcsd_writer_free(&w);

	/* Above the packet cap. */
	assert_int_equal(tcsd_writer_init(&w, TCSD_MAX_PACKET), -E2BIG);
	tcsd_writer_free(&w);
	assert_int_equal(tcsd_writer_init(&w, 2), 0);
	{
		static uint8_t big[TCSD_MAX_PACKET];
		UINT32 idx = 0;

		assert_int_not_equal(tcsd_put_sized(&w, &idx, big, sizeof(big)), 0);
	}
	assert_int_not_equal(tcsd_writer_finish(&w, 1, &pkt, &len), 0);
	tcsd_writer_free(&w);

	/* NULL data with a length. */
	assert_int_equal(tcsd_writer_init(&w, 1), 0);
	assert_int_equal(tcsd_put_bytes(&w, 0, NULL, 3), -EINVAL);
	tcsd_writer_free(&w);
}

static void writer_forms(void **state)
{
	static const uint8_t req0[] = {
		0, 0, 0, 28, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 28, 0, 0, 0, 0, 0, 0, 0, 28,
	};
	static const uint8_t rsp0[] = {
		0, 0, 0, 28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct tcsd_packet_writer w;
	struct tcsd_packet_reader r;
	uint8_t *pkt, err[TCSD_HDR_SIZE];
	size_t len;

	/* libtspi 0.3.15's OpenContext: offsets 28 without parameters. */
	assert_int_equal(tcsd_writer_init(&w, 0), 0);
	finish(&w, TCSD_ORD_OPENCONTEXT, &pkt, &len);
	assert_int_equal(len, sizeof(req0));
	assert_memory_equal(pkt, req0, sizeof(req0));
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_reader_done(&r), 0);
	free(pkt);

	/* tcsd's reply without parameters. */
	assert_int_equal(tcsd_writer_init_reply(&w, 0), 0);
	finish(&w, 0, &pkt, &len);
	assert_int_equal(len, sizeof(rsp0));
	assert_memory_equal(pkt, rsp0, sizeof(rsp0));
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), -EPROTO);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, false), 0);
	free(pkt);
	/* ... which is also what a zeroed writer builds. */
	memset(&w, 0, sizeof(w));
	finish(&w, 0, &pkt, &len);
	assert_int_equal(len, sizeof(rsp0));
	assert_memory_equal(pkt, rsp0, sizeof(rsp0));
	free(pkt);

	/* The error reply. */
	tcsd_error_reply(err, 0x2002);
	assert_int_equal(err[0] << 24 | err[1] << 16 | err[2] << 8 | err[3], 28);
	assert_int_equal(err[4] << 24 | err[5] << 16 | err[6] << 8 | err[7], 0x2002);
	assert_int_equal(tcsd_reader_init(&r, err, sizeof(err), false), 0);
	assert_int_equal(tcsd_reader_code(&r), 0x2002);
	assert_false(tcsd_param_present(&r, 0));
}

/* ---- captured packets ---- */

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
		break;
	case TCSD_TYPE_BOOL:
		if ((rc = tcsd_get_bool(r, i, &u.o)) == 0)
			rc = tcsd_put_bool(w, i, u.o);
		break;
	case TCSD_TYPE_UINT16:
		if ((rc = tcsd_get_u16(r, i, &u.w)) == 0)
			rc = tcsd_put_u16(w, i, u.w);
		break;
	case TCSD_TYPE_UINT32:
		if ((rc = tcsd_get_u32(r, i, last_u)) == 0)
			rc = tcsd_put_u32(w, i, *last_u);
		break;
	case TCSD_TYPE_UINT64:
		if ((rc = tcsd_get_u64(r, i, &u.q)) == 0)
			rc = tcsd_put_u64(w, i, u.q);
		break;
	case TCSD_TYPE_PBYTE:
		if ((rc = tcsd_get_bytes_ptr(r, i, &bytes, *last_u, TCSD_MAX_PACKET)) == 0)
			rc = tcsd_put_bytes(w, i, bytes, *last_u);
		break;
	case TCSD_TYPE_NONCE:
		if ((rc = tcsd_get_nonce(r, i, &u.n)) == 0)
			rc = tcsd_put_nonce(w, i, &u.n);
		break;
	case TCSD_TYPE_DIGEST:
		if ((rc = tcsd_get_digest(r, i, &u.d)) == 0)
			rc = tcsd_put_digest(w, i, &u.d);
		break;
	case TCSD_TYPE_ENCAUTH:
		if ((rc = tcsd_get_encauth(r, i, &u.e)) == 0)
			rc = tcsd_put_encauth(w, i, &u.e);
		break;
	case TCSD_TYPE_SECRET:
		if ((rc = tcsd_get_secret(r, i, &u.s)) == 0)
			rc = tcsd_put_secret(w, i, &u.s);
		break;
	case TCSD_TYPE_UUID:
		if ((rc = tcsd_get_uuid(r, i, &u.U)) == 0)
			rc = tcsd_put_uuid(w, i, &u.U);
		break;
	case TCSD_TYPE_VERSION:
		if ((rc = tcsd_get_version(r, i, &u.v)) == 0)
			rc = tcsd_put_version(w, i, &u.v);
		break;
	case TCSD_TYPE_AUTH:
		if (request) {
			if ((rc = tcsd_get_auth_in(r, i, &u.a)) == 0)
				rc = tcsd_put_auth_in(w, i, &u.a);
		} else {
			if ((rc = tcsd_get_auth_out(r, i, &u.a)) == 0)
				rc = tcsd_put_auth_out(w, i, &u.a);
		}
		break;
	case TCSD_TYPE_KM_KEYINFO:
		if ((rc = tcsd_get_km_keyinfo(r, i, &u.k, TCSD_VENDOR_DATA_MAX)) == 0)
			rc = tcsd_put_km_keyinfo(w, i, &u.k);
		tcsd_km_keyinfo_free(&u.k);
		break;
	case TCSD_TYPE_KM_KEYINFO2:
		if ((rc = tcsd_get_km_keyinfo2(r, i, &u.K, TCSD_VENDOR_DATA_MAX)) == 0)
			rc = tcsd_put_km_keyinfo2(w, i, &u.K);
		tcsd_km_keyinfo2_free(&u.K);
		break;
	case TCSD_TYPE_LOADKEY_INFO:
		if ((rc = tcsd_get_loadkey_info(r, i, &u.l)) == 0)
			rc = tcsd_put_loadkey_info(w, i, &u.l);
		break;
	case TCSD_TYPE_PCR_EVENT:
		rc = tcsd_get_pcr_event(r, i, &u.p, TCSD_PCR_VALUE_MAX, TCSD_EVENT_DATA_MAX);
		if (rc == 0)
			rc = tcsd_put_pcr_event(w, i, &u.p);
		tcsd_pcr_event_free(&u.p);
		break;
	case TCSD_TYPE_COUNTER_VALUE:
		if ((rc = tcsd_get_counter_value(r, i, &u.c)) == 0)
			rc = tcsd_put_counter_value(w, i, &u.c);
		break;
	default:
		rc = -EPROTO;
	}
	return rc;
}

/* Decodes, walks by schema and re-encodes one captured packet. */
static void check_capture(const char *file, bool request, uint32_t ordinal, int *walked)
{
	const struct tcsd_ordinal_info *info;
	struct tcsd_packet_reader r;
	struct tcsd_packet_writer w;
	uint8_t *data, *pkt;
	size_t len, plen;
	UINT32 i, last_u = 0;
	char name[300];
	int rc;

	snprintf(name, sizeof(name), "tcsd/%s", file);
	assert_int_equal(vector_load(name, &data, &len), 0);

	/* Requests pass the server's strict checks, responses the client's. */
	rc = tcsd_reader_init(&r, data, len, request);
	if (rc != 0)
		fail_msg("%s: decode: %d", file, rc);
	if (request)
		ordinal = tcsd_reader_code(&r);
	info = tcsd_ordinal_lookup(ordinal);
	assert_non_null(info);

	/* The schema of the table describes the real packet. */
	if (request || tcsd_reader_code(&r) == 0) {
		const char *schema = request ? info->in : info->out;

		assert_non_null(schema);
		rc = tcsd_schema_walk(&r, schema, request, TCSD_MAX_PACKET);
		if (rc != 0)
			fail_msg("%s: %s schema \"%s\": %d", file, info->name, schema, rc);
		(*walked)++;
	}

	/* Re-encoded byte for byte, reserved slots and all. */
	assert_int_equal(tcsd_reader_init(&r, data, len, request), 0);
	if (request)
		rc = tcsd_writer_init(&w, r.hdr.parm_offset - TCSD_HDR_SIZE);
	else if (r.hdr.type_offset == TCSD_HDR_SIZE)
		/* tcsd reserves slots it may not fill (NVWriteValue: 1, none set). */
		rc = tcsd_writer_init_reply(&w, r.hdr.parm_offset - TCSD_HDR_SIZE);
	else
		rc = tcsd_writer_init_reply(&w, 0);
	assert_int_equal(rc, 0);
	for (i = 0; i < r.hdr.num_parms; i++) {
		rc = copy_param(&r, &w, i, request, &last_u);
		if (rc != 0)
			fail_msg("%s: parameter %u (%s): %d", file, i,
				 tcsd_type_name((unsigned)tcsd_param_type(&r, i)), rc);
	}
	assert_int_equal(tcsd_reader_done(&r), 0);
	finish(&w, tcsd_reader_code(&r), &pkt, &plen);
	if (plen != len || memcmp(pkt, data, len) != 0)
		fail_msg("%s: re-encoded packet differs (%zu vs %zu bytes)", file, plen, len);
	free(pkt);
	free(data);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void captured_packets(void **state)
{
	char *names[256];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int walked = 0, pairs = 0;

	d = opendir(SRCDIR "/vectors/tcsd");
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l > 8 && strcmp(de->d_name + l - 8, ".req.hex") == 0 && n < 256)
			names[n++] = strndup(de->d_name, l - 8);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n; i++) {
		char req[300], rsp[300];
		struct tcsd_packet_reader r;
		uint8_t *data;
		size_t len;
		uint32_t ordinal;

		snprintf(req, sizeof(req), "%s.req.hex", names[i]);
		snprintf(rsp, sizeof(rsp), "%s.rsp.hex", names[i]);
		/* The error vectors hold requests libtspi never sends. */
		if (strncmp(names[i], "error-", 6) == 0) {
			snprintf(req, sizeof(req), "tcsd/%s.rsp.hex", names[i]);
			assert_int_equal(vector_load(req, &data, &len), 0);
			assert_int_equal(len, TCSD_HDR_SIZE);
			{
				uint8_t mine[TCSD_HDR_SIZE];

				assert_int_equal(tcsd_reader_init(&r, data, len, false), 0);
				tcsd_error_reply(mine, tcsd_reader_code(&r));
				assert_memory_equal(mine, data, len);
				assert_int_not_equal(tcsd_reader_code(&r), 0);
			}
			free(data);
			free(names[i]);
			continue;
		}
		snprintf(req, sizeof(req), "tcsd/%s.req.hex", names[i]);
		assert_int_equal(vector_load(req, &data, &len), 0);
		assert_int_equal(tcsd_reader_init(&r, data, len, true), 0);
		ordinal = tcsd_reader_code(&r);
		free(data);
		snprintf(req, sizeof(req), "%s.req.hex", names[i]);
		check_capture(req, true, 0, &walked);
		check_capture(rsp, false, ordinal, &walked);
		pairs++;
		free(names[i]);
	}
	/* capture.py records over 70 exchanges; all must be here. */
	assert_true(pairs >= 70);
	assert_int_equal(walked, 2 * pairs);
}

/* ---- ordinal table ---- */

static void ordinal_table(void **state)
{
	uint32_t i;
	int served = 0;

	for (i = 0; i < TCSD_LAST_ORD; i++) {
		const struct tcsd_ordinal_info *o = &tcsd_ordinal_table[i];

		assert_int_equal(o->ordinal, i);
		assert_non_null(o->name);
		assert_true((o->in == NULL) == (o->out == NULL));
		if (o->in != NULL) {
			if (!tcsd_schema_valid(o->in) || !tcsd_schema_valid(o->out))
				fail_msg("ordinal %u (%s): bad schema", i, o->name);
			/* Every request but OpenContext starts with the context. */
			if (i != TCSD_ORD_OPENCONTEXT)
				assert_int_equal(o->in[0], 'u');
			served++;
		}
		assert_int_equal(o->ops_groups & ~(uint32_t)TCSD_OPS_ALL, 0);
	}
	/* TrouSerS maps 10 of them to its error stub. */
	assert_int_equal(served, TCSD_LAST_ORD - 10);
	assert_string_equal(tcsd_ordinal_name(TCSD_ORD_GETRANDOM), "GetRandom");
	assert_string_equal(tcsd_ordinal_name(TCSD_ORD_DSAP), "DSAP");
	assert_string_equal(tcsd_ordinal_name(TCSD_LAST_ORD), "unknown");
	assert_string_equal(tcsd_ordinal_name(UINT32_MAX), "unknown");
	assert_null(tcsd_ordinal_lookup(TCSD_LAST_ORD));
	assert_false(tcsd_schema_valid("uX"));
	assert_false(tcsd_schema_valid("?"));
	assert_false(tcsd_schema_valid(NULL));
	assert_true(tcsd_schema_valid("P60?*k"));
}

static void remote_ops(void **state)
{
	uint32_t g = 0xdead;
	char bad[16];
	uint32_t i;

	assert_int_equal(tcsd_ops_parse("seal, unseal,random", &g, bad, sizeof(bad)), 0);
	assert_int_equal(g, TCSD_OPS_SEAL | TCSD_OPS_UNSEAL | TCSD_OPS_RANDOM);
	assert_int_equal(tcsd_ops_parse("", &g, bad, sizeof(bad)), 0);
	assert_int_equal(g, 0);
	assert_int_equal(tcsd_ops_parse(" ,, GetPubKey\t,selftest ,", &g, bad, sizeof(bad)), 0);
	assert_int_equal(g, TCSD_OPS_GETPUBKEY | TCSD_OPS_SELFTEST);
	assert_int_equal(tcsd_ops_parse("seal,takeownership", &g, bad, sizeof(bad)), -EINVAL);
	assert_int_equal(g, 0);
	assert_string_equal(bad, "takeownership");
	assert_int_equal(tcsd_ops_parse("seal x,unseal", &g, bad, 4), -EINVAL);
	assert_string_equal(bad, "sea");
	assert_int_equal(tcsd_ops_parse("sealx", &g, NULL, 0), -EINVAL);
	assert_string_equal(tcsd_ops_group_name(TCSD_OPS_GETREGISTEREDKEYBYPUBLICINFO),
			    "getregisteredkeybypublicinfo");
	assert_null(tcsd_ops_group_name(1u << 20));

	/* Context calls come with every group, owner calls with none. */
	for (i = 0; i < 15; i++) {
		assert_true(tcsd_ordinal_remote_allowed(TCSD_ORD_OPENCONTEXT, 1u << i));
		assert_true(tcsd_ordinal_remote_allowed(TCSD_ORD_CLOSECONTEXT, 1u << i));
	}
	for (i = 0; i < TCSD_LAST_ORD; i++) {
		switch (i) {
		case TCSD_ORD_TAKEOWNERSHIP:
		case TCSD_ORD_OWNERCLEAR:
		case TCSD_ORD_EXTEND:
		case TCSD_ORD_LOGPCREVENT:
		case TCSD_ORD_ENUMREGISTEREDKEYS:
		case TCSD_ORD_PCRREAD:
		case TCSD_ORD_EVICTKEY:
		case TCSD_ORD_FORCECLEAR:
		case TCSD_ORD_NVWRITEVALUE:
			assert_false(tcsd_ordinal_remote_allowed(i, TCSD_OPS_ALL));
			break;
		default:
			break;
		}
	}
	assert_true(tcsd_ordinal_remote_allowed(TCSD_ORD_SEAL, TCSD_OPS_SEAL));
	assert_false(tcsd_ordinal_remote_allowed(TCSD_ORD_SEAL, TCSD_OPS_UNSEAL));
	assert_true(tcsd_ordinal_remote_allowed(TCSD_ORD_OIAP, TCSD_OPS_QUOTE));
	assert_false(tcsd_ordinal_remote_allowed(TCSD_ORD_OIAP, TCSD_OPS_RANDOM));
	assert_true(tcsd_ordinal_remote_allowed(TCSD_ORD_GETRANDOM, TCSD_OPS_RANDOM));
	assert_true(tcsd_ordinal_remote_allowed(TCSD_ORD_LOADKEYBYUUID, TCSD_OPS_CREATEKEY));
	assert_true(tcsd_ordinal_remote_allowed(TCSD_ORD_LOADKEYBYBLOB, TCSD_OPS_REGISTERKEY));
	assert_false(tcsd_ordinal_remote_allowed(TCSD_ORD_LOADKEYBYBLOB, TCSD_OPS_SEAL));
	assert_true(tcsd_ordinal_remote_allowed(TCSD_ORD_TCSGETCAPABILITY,
						TCSD_OPS_GETCAPABILITY));
	assert_false(tcsd_ordinal_remote_allowed(TCSD_LAST_ORD, TCSD_OPS_ALL));
	assert_false(tcsd_ordinal_remote_allowed(TCSD_ORD_SEAL, 0));
}

/* Schema walk: counts from the wire cannot run the loop past the packet. */
static void schema_walk_lies(void **state)
{
	struct tcsd_packet_writer w;
	struct tcsd_packet_reader r;
	uint8_t *pkt;
	size_t len;

	/* EnumRegisteredKeys reply claiming 2^32-1 key infos, sending none. */
	assert_int_equal(tcsd_writer_init_reply(&w, 1), 0);
	tcsd_put_u32(&w, 0, UINT32_MAX);
	finish(&w, 0, &pkt, &len);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, false), 0);
	assert_int_equal(tcsd_schema_walk(&r, "u*k", false, 4096), -EBADMSG);
	free(pkt);

	/* A mandatory parameter missing, and one too many. */
	getrandom_req(&pkt, &len, 2);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_schema_walk(&r, "uuu", true, 4096), -EBADMSG);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_schema_walk(&r, "u", true, 4096), -EBADMSG);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_schema_walk(&r, "uu", true, 4096), 0);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_schema_walk(&r, "u#", true, 4096), -EINVAL);
	free(pkt);

	/* A handle list: 4 x count bytes, 'H'. */
	assert_int_equal(tcsd_writer_init(&w, 2), 0);
	tcsd_put_u32(&w, 0, 2);
	tcsd_put_bytes(&w, 1, "12345678", 8);
	finish(&w, 1, &pkt, &len);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_schema_walk(&r, "uH", true, 4096), 0);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_schema_walk(&r, "uH", true, 7), -E2BIG);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_schema_walk(&r, "uP8", true, 4096), 0);
	assert_int_equal(tcsd_reader_init(&r, pkt, len, true), 0);
	assert_int_equal(tcsd_schema_walk(&r, "uP", true, 4096), -EBADMSG);
	free(pkt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hdr_valid),
		cmocka_unit_test(hdr_each_rule),
		cmocka_unit_test(hdr_no_wrap),
		cmocka_unit_test(hdr_short_input),
		cmocka_unit_test(hdr_tolerant),
		cmocka_unit_test(hdr_put_round_trip),
		cmocka_unit_test(reader_size_mismatch),
		cmocka_unit_test(all_types),
		cmocka_unit_test(type_mismatch),
		cmocka_unit_test(past_num_parms),
		cmocka_unit_test(missing_is_sticky),
		cmocka_unit_test(unaccounted_data),
		cmocka_unit_test(out_of_order),
		cmocka_unit_test(optional_auth),
		cmocka_unit_test(zero_length_pbyte),
		cmocka_unit_test(pbyte_caps),
		cmocka_unit_test(pcr_event_oversized),
		cmocka_unit_test(keyinfo_vendor_cap),
		cmocka_unit_test(writer_errors),
		cmocka_unit_test(writer_forms),
		cmocka_unit_test(captured_packets),
		cmocka_unit_test(ordinal_table),
		cmocka_unit_test(remote_ops),
		cmocka_unit_test(schema_walk_lies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
