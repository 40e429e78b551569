/*
 * The migration, CMK, KeyControlOwner and revocable-EK ordinals of OUR
 * tcsd (tcsd/tcs_migrate.c) fed malformed requests over the wire, on an
 * embedded TPM: parameters missing, of the wrong type, lengths far past
 * their caps, unknown key handles and auth sessions. Each must be answered
 * with an error (TrouSerS' TSS_E_INTERNAL_ERROR for a request that does
 * not parse), the connection must stay usable, and the daemon alive.
 * Exit 1 if a check failed, 77 if our tcsd is not built.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <tss/tcs_error.h>
#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>

#include "harness.h"
#include "tcsd_ordinals.h"
#include "tcs_client.h"
#include "tcsd_wire.h"
#include "trousers_tcsd.h"
#include "tspi_kit.h"

/* Sends the request in w; the reply's result code, or -1 if the connection broke. */
static int64_t call(int fd, struct tcsd_packet_writer *w, uint32_t ord, uint32_t *ctx_out)
{
	struct tcs_reply rp;
	int64_t result = -1;

	if (tcs_call(fd, w, ord, &rp)) {
		result = rp.result;
		if (ctx_out != NULL && result == 0 && tcsd_get_u32(&rp.r, 0, ctx_out) != 0)
			result = -1;
	}
	tcs_reply_free(&rp);
	return result;
}

/* The ordinals tcs_migrate.c serves. */
static const struct {
	uint32_t ord;
	const char *name;
} ords[] = {
	{ TCSD_ORD_AUTHORIZEMIGRATIONKEY, "AuthorizeMigrationKey" },
	{ TCSD_ORD_CREATEMIGRATIONBLOB, "CreateMigrationBlob" },
	{ TCSD_ORD_CONVERTMIGRATIONBLOB, "ConvertMigrationBlob" },
	{ TCSD_ORD_CMK_SETRESTRICTIONS, "CMK_SetRestrictions" },
	{ TCSD_ORD_CMK_APPROVEMA, "CMK_ApproveMA" },
	{ TCSD_ORD_CMK_CREATEKEY, "CMK_CreateKey" },
	{ TCSD_ORD_CMK_CREATETICKET, "CMK_CreateTicket" },
	{ TCSD_ORD_CMK_CREATEBLOB, "CMK_CreateBlob" },
	{ TCSD_ORD_CMK_CONVERTMIGRATION, "CMK_ConvertMigration" },
	{ TCSD_ORD_KEYCONTROLOWNER, "KeyControlOwner" },
	{ TCSD_ORD_CREATEREVOCABLEENDORSEMENTKEYPAIR, "CreateRevocableEndorsementKeyPair" },
	{ TCSD_ORD_REVOKEENDORSEMENTKEYPAIR, "RevokeEndorsementKeyPair" },
};

#define BAD_REQUEST TCS_ERROR(TSS_E_INTERNAL_ERROR)

int main(void)
{
	struct test_tcsd t;
	struct tcsd_packet_writer w;
	uint32_t ctx = 0, i, k;
	int64_t res;
	int fd = -1;
	TPM_AUTH auth;
	TPM_DIGEST digest;
	static uint8_t junk[300];

	signal(SIGPIPE, SIG_IGN);
	memset(&t, 0, sizeof(t));
	if (ours_tcsd_start_embedded(&t) != 0)
		harness_skip("our tcsd cannot run here");
	if (strlen(t.unix_socket) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
		test_tcsd_stop(&t);
		harness_skip("socket path too long for AF_UNIX: %s", t.unix_socket);
	}
	fd = tcs_connect_unix(t.unix_socket);
	check(fd >= 0, "connected to our tcsd");
	tcsd_writer_init(&w, 0);
	check(call(fd, &w, TCSD_ORD_OPENCONTEXT, &ctx) == 0 && ctx != 0, "OpenContext");

	for (i = 0; i < sizeof(ords) / sizeof(ords[0]); i++) {
		/* Only the context: everything else missing. */
		tcsd_writer_init(&w, 1);
		tcsd_put_u32(&w, 0, ctx);
		res = call(fd, &w, ords[i].ord, NULL);
		check(res == BAD_REQUEST, "%s with no parameters: 0x%llx", ords[i].name,
		      (long long)res);
		/* Eight UINT32s of 0x7fffffff: a wrong type or a length past every cap. */
		tcsd_writer_init(&w, 9);
		tcsd_put_u32(&w, 0, ctx);
		for (k = 1; k < 9; k++)
			tcsd_put_u32(&w, k, 0x7fffffffu);
		res = call(fd, &w, ords[i].ord, NULL);
		check(res == BAD_REQUEST, "%s with huge lengths: 0x%llx", ords[i].name,
		      (long long)res);
	}

	/* Well-formed requests naming keys and sessions that do not exist. */
	memset(&auth, 0, sizeof(auth));
	auth.AuthHandle = 0x0bad0bad;
	memset(&digest, 0, sizeof(digest));
	tcsd_writer_init(&w, 8);
	k = 0;
	tcsd_put_u32(&w, k++, ctx);
	tcsd_put_u32(&w, k++, 0x12345678);		/* parent */
	tcsd_put_u16(&w, k++, 2);			/* TPM_MS_REWRAP */
	tcsd_put_sized(&w, &k, junk, 100);		/* ticket */
	tcsd_put_sized(&w, &k, junk, 256);		/* encData */
	tcsd_put_auth_in(&w, k, &auth);
	res = call(fd, &w, TCSD_ORD_CREATEMIGRATIONBLOB, NULL);
	check(res > 0 && res != BAD_REQUEST, "CreateMigrationBlob for an unknown key: 0x%llx",
	      (long long)res);
	tcsd_writer_init(&w, 5);
	k = 0;
	tcsd_put_u32(&w, k++, ctx);
	tcsd_put_u16(&w, k++, 0x21);			/* TSS_MS_REWRAP */
	tcsd_put_sized(&w, &k, junk, 50);		/* not a TPM_PUBKEY */
	tcsd_put_auth_in(&w, k, &auth);
	res = call(fd, &w, TCSD_ORD_AUTHORIZEMIGRATIONKEY, NULL);
	check(res > 0 && res != BAD_REQUEST, "AuthorizeMigrationKey, unknown session: 0x%llx",
	      (long long)res);
	tcsd_writer_init(&w, 8);
	k = 0;
	tcsd_put_u32(&w, k++, ctx);
	tcsd_put_u32(&w, k++, 0x40000000);		/* the SRK */
	tcsd_put_sized(&w, &k, junk, 20);
	tcsd_put_u32(&w, k++, 1);
	tcsd_put_bool(&w, k++, TRUE);
	tcsd_put_auth_in(&w, k, &auth);
	res = call(fd, &w, TCSD_ORD_KEYCONTROLOWNER, NULL);
	check(res > 0 && res != BAD_REQUEST, "KeyControlOwner, unknown session: 0x%llx",
	      (long long)res);
	tcsd_writer_init(&w, 2);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_digest(&w, 1, &digest);
	res = call(fd, &w, TCSD_ORD_REVOKEENDORSEMENTKEYPAIR, NULL);
	check(res > 0, "RevokeEndorsementKeyPair on a TPM with a plain EK: 0x%llx",
	      (long long)res);

	/* Still serving: a new context opens. */
	ctx = 0;
	tcsd_writer_init(&w, 0);
	check(call(fd, &w, TCSD_ORD_OPENCONTEXT, &ctx) == 0 && ctx != 0,
	      "the daemon still answers after all that");
	check(kill(t.pid, 0) == 0, "the daemon is alive");
	if (fd >= 0)
		close(fd);
	return kit_daemon_down(&t);
}
