/*
 * The counter ordinals spoken directly over the TCSD wire (admin_tcs.h).
 * Every authorised reply's HMAC is checked, so a TCS that mangles the
 * auth trailer or the counter value fails here.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tss/tpm_ordinal.h>

#include "admin_tcs.h"
#include "auth.h"
#include "tcsd_ordinals.h"
#include "tcs_client.h"
#include "tcsd_wire.h"

struct sess {
	uint32_t handle;
	uint8_t even[20];
	uint8_t odd[20];
	uint8_t key[20];	/* entity secret (OIAP) or OSAP shared secret */
};

/* Sends w (freed here) as ordinal ord; false, result ADMIN_TCS_IO_ERROR, if the exchange broke. */
static bool call(struct admin_tcs *t, struct tcsd_packet_writer *w, uint32_t ord,
		 struct tcs_reply *rp)
{
	if (tcs_call(t->fd, w, ord, rp))
		return true;
	rp->result = ADMIN_TCS_IO_ERROR;
	return false;
}

static void req(struct tcsd_packet_writer *w, uint32_t ctx, uint32_t more)
{
	tcsd_writer_init(w, more + 1);
	tcsd_put_u32(w, 0, ctx);
}

int admin_tcs_open(struct admin_tcs *t)
{
	struct sockaddr_in sa;
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	const char *port = getenv("TSS_TCSD_PORT");

	t->ctx = 0;
	if ((t->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)(port != NULL ? atoi(port) : 30003));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(t->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int err = -errno;

		close(t->fd);
		t->fd = -1;
		return err;
	}
	tcsd_writer_init(&w, 0);
	if (!call(t, &w, TCSD_ORD_OPENCONTEXT, &rp) || rp.result != 0 ||
	    tcsd_get_u32(&rp.r, 0, &t->ctx) != 0) {
		tcs_reply_free(&rp);
		admin_tcs_close(t);
		return -EPROTO;
	}
	tcs_reply_free(&rp);
	return 0;
}

void admin_tcs_close(struct admin_tcs *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

static uint32_t oiap(struct admin_tcs *t, const uint8_t secret[20], struct sess *s)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	TPM_NONCE even;
	uint32_t rc;

	req(&w, t->ctx, 0);
	if (!call(t, &w, TCSD_ORD_OIAP, &rp))
		return ADMIN_TCS_IO_ERROR;
	rc = rp.result;
	if (rc == 0 && (tcsd_get_u32(&rp.r, 0, &s->handle) != 0 ||
			tcsd_get_nonce(&rp.r, 1, &even) != 0))
		rc = ADMIN_TCS_IO_ERROR;
	if (rc == 0) {
		memcpy(s->even, even.nonce, 20);
		memcpy(s->key, secret, 20);
	}
	tcs_reply_free(&rp);
	return rc;
}

static uint32_t osap_owner(struct admin_tcs *t, const uint8_t secret[20], struct sess *s)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	TPM_NONCE odd_osap, even, even_osap;
	uint32_t rc;

	auth_random_nonce(odd_osap.nonce);
	req(&w, t->ctx, 3);
	tcsd_put_u16(&w, 1, TPM_ET_OWNER);
	tcsd_put_u32(&w, 2, TPM_KH_OWNER);
	tcsd_put_nonce(&w, 3, &odd_osap);
	if (!call(t, &w, TCSD_ORD_OSAP, &rp))
		return ADMIN_TCS_IO_ERROR;
	rc = rp.result;
	if (rc == 0 && (tcsd_get_u32(&rp.r, 0, &s->handle) != 0 ||
			tcsd_get_nonce(&rp.r, 1, &even) != 0 ||
			tcsd_get_nonce(&rp.r, 2, &even_osap) != 0))
		rc = ADMIN_TCS_IO_ERROR;
	if (rc == 0) {
		memcpy(s->even, even.nonce, 20);
		if (auth_osap_shared_secret(secret, even_osap.nonce, odd_osap.nonce, s->key) != 0)
			rc = ADMIN_TCS_IO_ERROR;
	}
	tcs_reply_free(&rp);
	return rc;
}

/* The request's TPM_AUTH over the 1S digest; the session ends with the command. */
static void sign_request(struct sess *s, const uint8_t digest[20], TPM_AUTH *a)
{
	memset(a, 0, sizeof(*a));
	auth_random_nonce(s->odd);
	a->AuthHandle = s->handle;
	memcpy(a->NonceOdd.nonce, s->odd, 20);
	a->fContinueAuthSession = FALSE;
	auth_hmac(s->key, digest, s->even, s->odd, false, a->HMAC.authdata);
}

/* The reply's HMAC over its output digest, as the TPM computed it. */
static bool reply_hmac_ok(const struct sess *s, const uint8_t digest[20], const TPM_AUTH *a)
{
	uint8_t expect[20];

	if (auth_hmac(s->key, digest, a->NonceEven.nonce, s->odd, a->fContinueAuthSession != 0,
		      expect) != 0)
		return false;
	return memcmp(expect, a->HMAC.authdata, 20) == 0;
}

static void counter_bytes(const TPM_COUNTER_VALUE *v, uint8_t out[10])
{
	out[0] = (uint8_t)(v->tag >> 8);
	out[1] = (uint8_t)v->tag;
	memcpy(out + 2, v->label, 4);
	out[6] = (uint8_t)(v->counter >> 24);
	out[7] = (uint8_t)(v->counter >> 16);
	out[8] = (uint8_t)(v->counter >> 8);
	out[9] = (uint8_t)v->counter;
}

static void be32(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

uint32_t admin_tcs_create_counter(struct admin_tcs *t, const uint8_t owner_secret[20],
				  const uint8_t counter_secret[20], const uint8_t *label,
				  uint32_t label_len, uint32_t *id, TPM_COUNTER_VALUE *value)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	struct sess s;
	TPM_ENCAUTH enc;
	TPM_AUTH a;
	uint8_t digest[20], id_be[4], cv[10];
	uint32_t rc, idx = 1;

	*id = 0;
	memset(value, 0, sizeof(*value));
	if ((rc = osap_owner(t, owner_secret, &s)) != 0)
		return rc;
	auth_xor_secret(s.key, s.even, counter_secret, enc.authdata);
	{
		const struct crypto_iov in[] = { { enc.authdata, 20 }, { label, label_len } };

		auth_digest_request(TPM_ORD_CreateCounter, in, 2, digest);
	}
	sign_request(&s, digest, &a);
	req(&w, t->ctx, 4);
	tcsd_put_sized(&w, &idx, label, label_len);
	tcsd_put_encauth(&w, idx++, &enc);
	tcsd_put_auth_in(&w, idx, &a);
	if (!call(t, &w, TCSD_ORD_CREATECOUNTER, &rp))
		return ADMIN_TCS_IO_ERROR;
	rc = rp.result;
	if (rc == 0 && (tcsd_get_auth_out(&rp.r, 0, &a) != 0 || tcsd_get_u32(&rp.r, 1, id) != 0 ||
			tcsd_get_counter_value(&rp.r, 2, value) != 0))
		rc = ADMIN_TCS_IO_ERROR;
	if (rc == 0) {
		be32(id_be, *id);
		counter_bytes(value, cv);
		const struct crypto_iov out[] = { { id_be, 4 }, { cv, 10 } };

		auth_digest_response(0, TPM_ORD_CreateCounter, out, 2, digest);
		if (!reply_hmac_ok(&s, digest, &a))
			rc = ADMIN_TCS_IO_ERROR;
	}
	tcs_reply_free(&rp);
	return rc;
}

uint32_t admin_tcs_increment_counter(struct admin_tcs *t, uint32_t id,
				     const uint8_t counter_secret[20], TPM_COUNTER_VALUE *value)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	struct sess s;
	TPM_AUTH a;
	uint8_t digest[20], id_be[4], cv[10];
	uint32_t rc;

	memset(value, 0, sizeof(*value));
	if ((rc = oiap(t, counter_secret, &s)) != 0)
		return rc;
	be32(id_be, id);
	{
		const struct crypto_iov in[] = { { id_be, 4 } };

		auth_digest_request(TPM_ORD_IncrementCounter, in, 1, digest);
	}
	sign_request(&s, digest, &a);
	req(&w, t->ctx, 2);
	tcsd_put_u32(&w, 1, id);
	tcsd_put_auth_in(&w, 2, &a);
	if (!call(t, &w, TCSD_ORD_INCREMENTCOUNTER, &rp))
		return ADMIN_TCS_IO_ERROR;
	rc = rp.result;
	if (rc == 0 && (tcsd_get_auth_out(&rp.r, 0, &a) != 0 ||
			tcsd_get_counter_value(&rp.r, 1, value) != 0))
		rc = ADMIN_TCS_IO_ERROR;
	if (rc == 0) {
		counter_bytes(value, cv);
		const struct crypto_iov out[] = { { cv, 10 } };

		auth_digest_response(0, TPM_ORD_IncrementCounter, out, 1, digest);
		if (!reply_hmac_ok(&s, digest, &a))
			rc = ADMIN_TCS_IO_ERROR;
	}
	tcs_reply_free(&rp);
	return rc;
}

uint32_t admin_tcs_read_counter(struct admin_tcs *t, uint32_t id, TPM_COUNTER_VALUE *value)
{
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	uint32_t rc;

	memset(value, 0, sizeof(*value));
	req(&w, t->ctx, 1);
	tcsd_put_u32(&w, 1, id);
	if (!call(t, &w, TCSD_ORD_READCOUNTER, &rp))
		return ADMIN_TCS_IO_ERROR;
	rc = rp.result;
	if (rc == 0 && tcsd_get_counter_value(&rp.r, 0, value) != 0)
		rc = ADMIN_TCS_IO_ERROR;
	tcs_reply_free(&rp);
	return rc;
}

uint32_t admin_tcs_release_counter(struct admin_tcs *t, uint32_t id, const uint8_t secret[20],
				   int owner)
{
	uint32_t ord = owner ? TPM_ORD_ReleaseCounterOwner : TPM_ORD_ReleaseCounter;
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	struct sess s;
	TPM_AUTH a;
	uint8_t digest[20], id_be[4];
	uint32_t rc;

	if ((rc = oiap(t, secret, &s)) != 0)
		return rc;
	be32(id_be, id);
	{
		const struct crypto_iov in[] = { { id_be, 4 } };

		auth_digest_request(ord, in, 1, digest);
	}
	sign_request(&s, digest, &a);
	req(&w, t->ctx, 2);
	tcsd_put_u32(&w, 1, id);
	tcsd_put_auth_in(&w, 2, &a);
	if (!call(t, &w, owner ? TCSD_ORD_RELEASECOUNTEROWNER : TCSD_ORD_RELEASECOUNTER, &rp))
		return ADMIN_TCS_IO_ERROR;
	rc = rp.result;
	if (rc == 0 && tcsd_get_auth_out(&rp.r, 0, &a) != 0)
		rc = ADMIN_TCS_IO_ERROR;
	if (rc == 0) {
		auth_digest_response(0, ord, NULL, 0, digest);
		if (!reply_hmac_ok(&s, digest, &a))
			rc = ADMIN_TCS_IO_ERROR;
	}
	tcs_reply_free(&rp);
	return rc;
}
