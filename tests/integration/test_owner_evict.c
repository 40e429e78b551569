/*
 * Owner-evict keys (TPM_KeyControlOwner, Part 3 §10.9) on OUR tcsd and an
 * embedded TPM: a key made owner-evict is named TSS_UUID_OWNEREVICT(i),
 * outlives the context that loaded it (a second context loads it by that
 * UUID through libtspi and signs with it), and outlives the daemon: after
 * a restart the TCS finds it in the TPM under the same name, serves it by
 * LoadKeyByUUID and signs with it. libtspi cannot build a key object for
 * it then (the TCS never had its blob) and says so without keeping the
 * handle. A key turned off again leaves the TPM with its last user and
 * is not found after the restart.
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
#include "tcs_client.h"
#include "tcsd_ordinals.h"
#include "tcsd_wire.h"
#include "trousers_tcsd.h"
#include "tspi_kit.h"

static const BYTE digest[20] = "owner-evict key sig";

/* A signing key without auth under the SRK, loaded; its modulus in mod. */
static TSS_RESULT signing_key(TSS_HCONTEXT ctx, TSS_HKEY srk, TSS_HKEY *key, BYTE **mod,
			      UINT32 *mod_len)
{
	TSS_RESULT rc;

	rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
				       TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 |
					       TSS_KEY_NO_AUTHORIZATION,
				       key);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Key_CreateKey(*key, srk, 0);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Key_LoadKey(*key, srk);
	if (rc == TSS_SUCCESS && mod != NULL)
		rc = Tspi_GetAttribData(*key, TSS_TSPATTRIB_RSAKEY_INFO,
					TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, mod_len, mod);
	return rc;
}

/* Signs digest with key through libtspi; 1 if OpenSSL verifies it against mod. */
static int tspi_signs(TSS_HCONTEXT ctx, TSS_HKEY key, const BYTE *mod, UINT32 mod_len)
{
	TSS_HHASH hash;
	BYTE *sig = NULL;
	UINT32 sig_len = 0;

	if (Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &hash) ||
	    Tspi_Hash_SetHashValue(hash, sizeof(digest), (BYTE *)digest) ||
	    Tspi_Hash_Sign(hash, key, &sig_len, &sig))
		return 0;
	return kit_rsa_verify_sha1(mod, mod_len, digest, sig, sig_len);
}

/* The wire replies' result, or -1 when the exchange broke. */
static int64_t call(int fd, struct tcsd_packet_writer *w, uint32_t ord, struct tcs_reply *rp)
{
	memset(rp, 0, sizeof(*rp));
	return tcs_call(fd, w, ord, rp) ? (int64_t)rp->result : -1;
}

/*
 * After the restart, over the wire: LoadKeyByUUID(OWNEREVICT(0)) gives a
 * handle, GetPubKey (no auth) the modulus made before, Sign a signature
 * OpenSSL accepts.
 */
static void wire_uses_adopted_key(const char *sock, const BYTE *mod, UINT32 mod_len)
{
	TSS_UUID u0 = TSS_UUID_OWNEREVICT(0);
	struct tcsd_packet_writer w;
	struct tcs_reply rp;
	const uint8_t *p = NULL;
	uint32_t ctx = 0, key = 0, idx, len = 0;
	int fd = tcs_connect_unix(sock);
	bool ok;

	check(fd >= 0, "restarted daemon: connected over the wire");
	if (fd < 0)
		return;
	tcsd_writer_init(&w, 0);
	check(call(fd, &w, TCSD_ORD_OPENCONTEXT, &rp) == 0 && tcsd_get_u32(&rp.r, 0, &ctx) == 0,
	      "OpenContext");
	tcs_reply_free(&rp);
	tcsd_writer_init(&w, 2);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_uuid(&w, 1, &u0);
	ok = call(fd, &w, TCSD_ORD_LOADKEYBYUUID, &rp) == 0 &&
	     tcsd_get_u32(&rp.r, 0, &key) == 0 && key != 0;
	check(ok, "LoadKeyByUUID(OWNEREVICT(0)) after the restart: key 0x%x (0x%x)", key,
	      rp.result);
	tcs_reply_free(&rp);

	tcsd_writer_init(&w, 2);
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, key);
	idx = 0;
	check(call(fd, &w, TCSD_ORD_GETPUBKEY, &rp) == 0 &&
		      tcsd_get_sized_ptr(&rp.r, &idx, &p, &len, 4096) == 0 && len > mod_len &&
		      memcmp(p + len - mod_len, mod, mod_len) == 0,
	      "GetPubKey: the modulus made before the restart (0x%x)", rp.result);
	tcs_reply_free(&rp);

	tcsd_writer_init(&w, 4);
	idx = 2;
	tcsd_put_u32(&w, 0, ctx);
	tcsd_put_u32(&w, 1, key);
	tcsd_put_sized(&w, &idx, digest, sizeof(digest));
	len = 0;
	idx = 0;
	check(call(fd, &w, TCSD_ORD_SIGN, &rp) == 0 &&
		      tcsd_get_sized_ptr(&rp.r, &idx, &p, &len, 4096) == 0 &&
		      kit_rsa_verify_sha1(mod, mod_len, digest, p, len) == 1,
	      "Sign with the adopted key: OpenSSL verifies it (0x%x)", rp.result);
	tcs_reply_free(&rp);
	close(fd);
}

/* Rewrites the "port = N" line of t's configuration with a free port. */
static int move_port(struct test_tcsd *t)
{
	char text[8192], *rest;
	size_t n;
	FILE *f = fopen(t->conf, "r");

	if (f == NULL)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	rest = strchr(text, '\n');
	if (strncmp(text, "port = ", 7) != 0 || rest == NULL ||
	    harness_free_tcp_ports(1, &t->port) != 0 || (f = fopen(t->conf, "w")) == NULL)
		return -1;
	fprintf(f, "port = %d%s", t->port, rest);
	return fclose(f) == 0 ? 0 : -1;
}

int main(void)
{
	TSS_UUID uuid, u0 = TSS_UUID_OWNEREVICT(0), u1 = TSS_UUID_OWNEREVICT(1);
	struct test_tcsd t;
	TSS_HCONTEXT ctx = 0, ctx2 = 0;
	TSS_HTPM tpm;
	TSS_HKEY srk, key, key2, again;
	BYTE *mod = NULL, *m = NULL, saved[256];
	UINT32 mod_len = 0, saved_len = 0;
	const char *bin = getenv("TSS12_TCSD");
	TSS_RESULT rc;

	signal(SIGPIPE, SIG_IGN);
	memset(&t, 0, sizeof(t));
	if (ours_tcsd_start_embedded(&t) != 0)
		harness_skip("our tcsd cannot run here");
	test_tcsd_setenv(&t);
	if (bin == NULL || *bin == '\0')
		bin = "../../tcsd/tcsd";

	rc = Tspi_Context_Create(&ctx);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Connect(ctx, NULL);
	CHECK_RC(rc, "connected");
	if (rc != TSS_SUCCESS || kit_take_ownership(ctx, NULL, &tpm, NULL) != TSS_SUCCESS ||
	    kit_load_srk(ctx, &srk) != TSS_SUCCESS)
		goto out;
	rc = signing_key(ctx, srk, &key, &mod, &mod_len);
	CHECK_RC(rc, "signing key");
	if (rc != TSS_SUCCESS || mod_len > sizeof(saved))
		goto out;
	memcpy(saved, mod, mod_len);
	saved_len = mod_len;
	rc = Tspi_TPM_KeyControlOwner(tpm, key, TSS_TSPATTRIB_KEYCONTROL_OWNEREVICT, TRUE, &uuid);
	check(rc == TSS_SUCCESS && memcmp(&uuid, &u0, sizeof(uuid)) == 0,
	      "owner-evict on: OWNEREVICT(0) (0x%x)", rc);
	rc = Tspi_TPM_KeyControlOwner(tpm, key, TSS_TSPATTRIB_KEYCONTROL_OWNEREVICT, TRUE, &uuid);
	check(rc == TSS_SUCCESS && memcmp(&uuid, &u0, sizeof(uuid)) == 0,
	      "owner-evict on again: the same name (0x%x)", rc);
	rc = signing_key(ctx, srk, &key2, NULL, NULL);
	if (rc == TSS_SUCCESS)
		rc = Tspi_TPM_KeyControlOwner(tpm, key2, TSS_TSPATTRIB_KEYCONTROL_OWNEREVICT, TRUE,
					      &uuid);
	check(rc == TSS_SUCCESS && memcmp(&uuid, &u1, sizeof(uuid)) == 0,
	      "a second key: OWNEREVICT(1) (0x%x)", rc);
	Tspi_Context_Close(ctx);
	ctx = 0;

	/* Its context is gone; the key is not. */
	rc = Tspi_Context_Create(&ctx2);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Connect(ctx2, NULL);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_LoadKeyByUUID(ctx2, TSS_PS_TYPE_SYSTEM, u0, &again);
	CHECK_RC(rc, "another context: LoadKeyByUUID(OWNEREVICT(0))");
	if (rc == TSS_SUCCESS) {
		rc = Tspi_GetAttribData(again, TSS_TSPATTRIB_RSAKEY_INFO,
					TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &mod_len, &m);
		check(rc == TSS_SUCCESS && mod_len == saved_len && memcmp(m, saved, mod_len) == 0,
		      "it is the key made owner-evict");
		check(tspi_signs(ctx2, again, saved, saved_len), "it signs; OpenSSL verifies");
	}
	/* The second one back to an ordinary key: it goes with this context. */
	rc = Tspi_Context_LoadKeyByUUID(ctx2, TSS_PS_TYPE_SYSTEM, u1, &key2);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_GetTpmObject(ctx2, &tpm);
	if (rc == TSS_SUCCESS)
		rc = kit_policy_assign(ctx2, tpm, TSS_POLICY_USAGE, NULL, NULL);
	if (rc == TSS_SUCCESS)
		rc = Tspi_TPM_KeyControlOwner(tpm, key2, TSS_TSPATTRIB_KEYCONTROL_OWNEREVICT,
					      FALSE, &uuid);
	check(rc == TSS_SUCCESS && memcmp(&uuid, &u1, sizeof(uuid)) == 0,
	      "OWNEREVICT(1) off (0x%x)", rc);
	Tspi_Context_Close(ctx2);
	ctx2 = 0;

	/* A new daemon on the same TPM, on a fresh port (the old one may be taken by now). */
	if (ours_tcsd_stop_pid(t.pid, 20000) != 0)
		check(0, "the daemon stopped cleanly");
	t.pid = -1;
	if (move_port(&t) != 0) {
		check(0, "a new port in %s", t.conf);
		goto out;
	}
	test_tcsd_setenv(&t);
	t.pid = ours_tcsd_spawn(bin, t.conf, t.log, 0);
	check(t.pid > 0 && ours_tcsd_wait_unix(t.pid, t.unix_socket, t.log) == 0,
	      "the daemon restarted");
	if (t.pid <= 0)
		goto out;
	wire_uses_adopted_key(t.unix_socket, saved, saved_len);

	rc = Tspi_Context_Create(&ctx);
	if (rc == TSS_SUCCESS)
		rc = Tspi_Context_Connect(ctx, NULL);
	CHECK_RC(rc, "restarted daemon: connected");
	if (rc != TSS_SUCCESS)
		goto out;
	rc = Tspi_Context_LoadKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, u0, &again);
	check(CODE(rc) == TSS_E_PS_KEY_NOTFOUND,
	      "libtspi: no key object without the blob: PS_KEY_NOTFOUND (0x%x)", rc);
	rc = Tspi_Context_LoadKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, u1, &again);
	check(CODE(rc) == TSS_E_PS_KEY_NOTFOUND,
	      "the key turned off is gone: PS_KEY_NOTFOUND (0x%x)", rc);
out:
	if (ctx != 0)
		Tspi_Context_Close(ctx);
	if (ctx2 != 0)
		Tspi_Context_Close(ctx2);
	return kit_daemon_down(&t);
}
