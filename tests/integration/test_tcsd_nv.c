/*
 * Our tcsd's five NV ordinals on the wire (tcsd_wire.h), against an
 * embedded libtpms TPM: the reply layouts TrouSerS' libtspi expects
 * (one reserved, possibly empty slot for the AUTH; AUTH?, UINT32, PBYTE
 * for reads) and the bad requests: oversized, truncated, a missing
 * mandatory AUTH, a foreign auth handle, left-over parameters.
 *
 * TPM_NV_INDEX_LOCK is never defined here, so the TPM ignores the
 * permissions of unauthorised commands and no secret is needed.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>
#include <tss/tcs_error.h>
#include <tss/tpm.h>
#include <tss/tpm_error.h>

#include "harness.h"
#include "tcsd_ordinals.h"
#include "tcs_client.h"
#include "tcsd_wire.h"
#include "tpm_structs.h"
#include "trousers_tcsd.h"
#include "tspi_kit.h"

/* cond first, then the message: cond often sends the request the message describes. */
#define CHECK(cond, ...)                   \
	do {                               \
		bool ok_ = (cond);         \
		check(ok_, __VA_ARGS__);   \
	} while (0)

#define TCS_INTERNAL TCS_ERROR(TSS_E_INTERNAL_ERROR)
#define NV_IDX 0x00012000u

static int fd = -1;
static uint32_t ctx;

/* A TPM_NV_DATA_PUBLIC for NV_IDX: no PCRs, every locality. */
static size_t nv_pub(uint32_t size, uint8_t *out, size_t cap)
{
	struct tpm_nv_data_public pub;
	struct buf_writer w;

	memset(&pub, 0, sizeof(pub));
	pub.nv_index = NV_IDX;
	pub.pcr_info_read.pcr_selection.size_of_select = 3;
	pub.pcr_info_read.locality_at_release = 0x1f;
	pub.pcr_info_write = pub.pcr_info_read;
	pub.permission.attributes = TPM_NV_PER_OWNERWRITE;
	pub.data_size = size;
	buf_writer_init_fixed(&w, out, cap);
	tpm_nv_data_public_put(&w, &pub);
	return buf_writer_error(&w) == 0 ? buf_writer_len(&w) : 0;
}

static uint32_t define(uint32_t size, const TPM_AUTH *auth, struct tcs_reply *rp)
{
	struct tcsd_packet_writer w;
	TPM_ENCAUTH enc;
	uint8_t pub[128];
	uint32_t idx = 1;

	memset(&enc, 0, sizeof(enc));
	tcsd_writer_init(&w, 5);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_sized(&w, &idx, pub, (uint32_t)nv_pub(size, pub, sizeof(pub)));
	tcsd_put_encauth(&w, idx++, &enc);
	if (auth != NULL)
		tcsd_put_auth_in(&w, idx, auth);
	if (!tcs_call(fd, &w, TCSD_ORD_NVDEFINEORRELEASESPACE, rp))
		return 0xffffffff;
	return rp->result;
}

static void test_define_write_read(void)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint32_t idx, n = 0;
	const uint8_t *p = NULL;

	CHECK(define(8, NULL, &rp) == 0, "NVDefineOrReleaseSpace without auth (nvLocked FALSE): 0x%x",
	      rp.result);
	/* TrouSerS' tcsd reserves one slot for the AUTH and leaves it empty. */
	CHECK(rp.r.hdr.num_parms == 0 && rp.r.hdr.parm_offset == TCSD_HDR_SIZE + 1,
	      "define reply: 0 parameters, 1 reserved slot (%u, %u)", rp.r.hdr.num_parms,
	      rp.r.hdr.parm_offset);
	tcs_reply_free(&rp);

	idx = 3;
	tcsd_writer_init(&w, 6);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, NV_IDX);
	tcsd_put_u32(&w, 2, 0);
	tcsd_put_sized(&w, &idx, "wire", 4);
	CHECK(tcs_call(fd, &w, TCSD_ORD_NVWRITEVALUE, &rp) && rp.result == 0, "NVWriteValue: 0x%x",
	      rp.result);
	CHECK(rp.r.hdr.num_parms == 0 && rp.r.hdr.parm_offset == TCSD_HDR_SIZE + 1,
	      "write reply: 0 parameters, 1 reserved slot (%u %u %zu)", rp.r.hdr.num_parms, rp.r.hdr.parm_offset, rp.len);
	tcs_reply_free(&rp);

	tcsd_writer_init(&w, 5);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, NV_IDX);
	tcsd_put_u32(&w, 2, 0);
	tcsd_put_u32(&w, 3, 4);
	CHECK(tcs_call(fd, &w, TCSD_ORD_NVREADVALUE, &rp) && rp.result == 0, "NVReadValue: 0x%x",
	      rp.result);
	idx = 0;
	tcsd_get_sized_ptr(&rp.r, &idx, &p, &n, 64);
	CHECK(tcsd_reader_done(&rp.r) == 0 && n == 4 && memcmp(p, "wire", 4) == 0 &&
		      rp.r.hdr.parm_offset == TCSD_HDR_SIZE + 3,
	      "read reply: UINT32 4, PBYTE \"wire\", 3 reserved slots");
	tcs_reply_free(&rp);

	/* ReadValueAuth without an AUTH: served (TrouSerS), the TPM refuses. */
	tcsd_writer_init(&w, 5);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, NV_IDX);
	tcsd_put_u32(&w, 2, 0);
	tcsd_put_u32(&w, 3, 4);
	CHECK(tcs_call(fd, &w, TCSD_ORD_NVREADVALUEAUTH, &rp) && rp.result != 0 &&
		      (rp.result & 0xf000) == 0,
	      "NVReadValueAuth without auth: a TPM error (0x%x)", rp.result);
	tcs_reply_free(&rp);
}

static void test_bad_requests(void)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	TPM_AUTH auth;
	uint8_t big[4000], pub[700];
	uint32_t idx;

	memset(big, 'x', sizeof(big));
	idx = 3;
	tcsd_writer_init(&w, 6);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, NV_IDX);
	tcsd_put_u32(&w, 2, 0);
	tcsd_put_sized(&w, &idx, big, sizeof(big));
	CHECK(tcs_call(fd, &w, TCSD_ORD_NVWRITEVALUE, &rp) &&
		      rp.result == TCS_ERROR(TSS_E_BAD_PARAMETER),
	      "write of 4000 bytes: TSS_E_BAD_PARAMETER (0x%x)", rp.result);
	tcs_reply_free(&rp);

	/* Announces 8 bytes, sends 4. */
	tcsd_writer_init(&w, 6);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, NV_IDX);
	tcsd_put_u32(&w, 2, 0);
	tcsd_put_u32(&w, 3, 8);
	tcsd_put_bytes(&w, 4, "abcd", 4);
	CHECK(tcs_call(fd, &w, TCSD_ORD_NVWRITEVALUE, &rp) && rp.result == TCS_INTERNAL,
	      "truncated data: TSS_E_INTERNAL_ERROR (0x%x)", rp.result);
	tcs_reply_free(&rp);

	idx = 3;
	tcsd_writer_init(&w, 6);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, NV_IDX);
	tcsd_put_u32(&w, 2, 0);
	tcsd_put_sized(&w, &idx, "abcd", 4);
	CHECK(tcs_call(fd, &w, TCSD_ORD_NVWRITEVALUEAUTH, &rp) && rp.result == TCS_INTERNAL,
	      "NVWriteValueAuth without its AUTH: TSS_E_INTERNAL_ERROR (0x%x)", rp.result);
	tcs_reply_free(&rp);

	memset(pub, 0, sizeof(pub));
	idx = 1;
	tcsd_writer_init(&w, 5);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_sized(&w, &idx, pub, sizeof(pub));
	tcsd_put_encauth(&w, idx, &(TPM_ENCAUTH){ { 0 } });
	CHECK(tcs_call(fd, &w, TCSD_ORD_NVDEFINEORRELEASESPACE, &rp) && rp.result == TCS_INTERNAL,
	      "pubInfo of 700 bytes: TSS_E_INTERNAL_ERROR (0x%x)", rp.result);
	tcs_reply_free(&rp);

	tcsd_writer_init(&w, 6);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, NV_IDX);
	tcsd_put_u32(&w, 2, 0);
	tcsd_put_u32(&w, 3, 4);
	tcsd_put_u32(&w, 4, 7);
	CHECK(tcs_call(fd, &w, TCSD_ORD_NVREADVALUE, &rp) && rp.result == TCS_INTERNAL,
	      "a UINT32 where the AUTH goes: TSS_E_INTERNAL_ERROR (0x%x)", rp.result);
	tcs_reply_free(&rp);

	memset(&auth, 0, sizeof(auth));
	auth.AuthHandle = 0x12345678;
	tcsd_writer_init(&w, 5);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, NV_IDX);
	tcsd_put_u32(&w, 2, 0);
	tcsd_put_u32(&w, 3, 4);
	tcsd_put_auth_in(&w, 4, &auth);
	CHECK(tcs_call(fd, &w, TCSD_ORD_NVREADVALUE, &rp) && rp.result == TCS_ERROR(TSS_E_INVALID_HANDLE),
	      "an auth handle not of this context: TSS_E_INVALID_HANDLE (0x%x)", rp.result);
	tcs_reply_free(&rp);

	tcsd_writer_init(&w, 5);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, 0x00012fff);
	tcsd_put_u32(&w, 2, 0);
	tcsd_put_u32(&w, 3, 4);
	CHECK(tcs_call(fd, &w, TCSD_ORD_NVREADVALUE, &rp) && rp.result == TPM_E_BADINDEX,
	      "read of an undefined index: TPM_E_BADINDEX (0x%x)", rp.result);
	CHECK(rp.len == TCSD_HDR_SIZE, "error reply is the bare header (%zu bytes)", rp.len);
	tcs_reply_free(&rp);
}

static void test_release(void)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;

	CHECK(define(0, NULL, &rp) == 0, "size 0 releases the area: 0x%x", rp.result);
	tcs_reply_free(&rp);
	tcsd_writer_init(&w, 5);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, NV_IDX);
	tcsd_put_u32(&w, 2, 0);
	tcsd_put_u32(&w, 3, 4);
	CHECK(tcs_call(fd, &w, TCSD_ORD_NVREADVALUE, &rp) && rp.result == TPM_E_BADINDEX,
	      "read after release: TPM_E_BADINDEX (0x%x)", rp.result);
	tcs_reply_free(&rp);
}

int main(void)
{
	struct tcsd_packet_writer w;
	struct test_tcsd t;
	struct tcs_reply rp;

	setenv("TSS12_TEST_TCSD", "embedded", 0);
	memset(&t, 0, sizeof(t));
	test_tcsd_start_or_skip(&t);
	if (strcmp(test_tcsd_name(&t), "ours") != 0) {
		test_tcsd_stop(&t);
		harness_skip("wire test of our tcsd only");
	}
	fd = tcs_connect_tcp(t.port);
	CHECK(fd >= 0, "connected to port %d", t.port);
	if (fd >= 0) {
		tcsd_writer_init(&w, 0);
		if (tcs_call(fd, &w, TCSD_ORD_OPENCONTEXT, &rp) && rp.result == 0)
			tcsd_get_u32(&rp.r, 0, &ctx);
		CHECK(ctx != 0, "OpenContext");
		tcs_reply_free(&rp);
		test_define_write_read();
		test_bad_requests();
		test_release();
		close(fd);
	}
	return kit_daemon_down(&t);
}
