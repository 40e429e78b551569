/*
 * A monotonic counter created through OUR tcsd, then read through
 * TrouSerS' tcsd on the same swtpm, with our libtspi and over the wire.
 *
 * TrouSerS' tcsd cannot create a counter itself (its tcs_wrap_CreateCounter
 * reads the label over the label pointer and crashes), so this is the only
 * way to see its ReadCounter answer (issue 4 item 2 asked whether
 * 0.3.14/0.3.15 marshal COUNTER_VALUE at all: they do not, see below).
 *
 * Sequence: TrouSerS' tcsd + swtpm (trousers_tcsd_start) -> kill the
 * daemon -> our tcsd on that swtpm: take ownership, create and increment
 * a counter -> stop ours -> TrouSerS' tcsd again -> read. Needs root and
 * Debian's tcsd (else 77).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <tss/tspi.h>
#include <tss/tss_error.h>
#include <tss/tpm_error.h>

#include "admin_tcs.h"
#include "harness.h"
#include "trousers_tcsd.h"
#include "tspi_kit.h"

static const char owner_pw[] = "owner secret";
static const uint8_t counter_pw[20] = "handoff counter 1234";

static void set_port(int port)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", port);
	setenv("TSS_TCSD_PORT", s, 1);
	setenv("TSS_TCSD_HOSTNAME", "127.0.0.1", 1);
}

static bool port_open(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	if (fd < 0)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* Restarts TrouSerS' tcsd of t on its swtpm, as trousers_tcsd_start did. */
static int trousers_respawn(struct test_tcsd *t)
{
	const char *tcsd = getenv("TROUSERS_TCSD");
	char port_env[64];
	int i;
	pid_t pid;

	if (tcsd == NULL || *tcsd == '\0')
		tcsd = TROUSERS_TCSD_PATH;
	snprintf(port_env, sizeof(port_env), "%d", t->tpm.port);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		FILE *log = freopen(t->log, "a", stdout);

		if (log != NULL)
			dup2(fileno(log), STDERR_FILENO);
		setenv("TCSD_TCP_DEVICE_PORT", port_env, 1);
		setenv("TCSD_TCP_DEVICE_HOSTNAME", "127.0.0.1", 1);
		setenv("TCSD_USE_TCP_DEVICE", "1", 1);
		execl(tcsd, tcsd, "-e", "-f", "-c", t->conf, (char *)NULL);
		_exit(127);
	}
	t->pid = pid;
	for (i = 0; i < 400; i++) {
		if (port_open(t->port))
			return 0;
		usleep(25000);
	}
	return -ETIMEDOUT;
}

/* Our tcsd on t's swtpm, its own port, PS and socket; *pid on success. */
static int ours_on_swtpm(struct test_tcsd *t, int port, pid_t *pid)
{
	const char *bin = getenv("TSS12_TCSD");
	char conf[PATH_MAX + 32], log[PATH_MAX + 32], sock[PATH_MAX + 32], ps[PATH_MAX + 32];
	char text[4 * PATH_MAX + 256];
	FILE *f;

	if (bin == NULL || *bin == '\0')
		bin = "../../tcsd/tcsd";
	snprintf(conf, sizeof(conf), "%s/ours.conf", t->dir);
	snprintf(log, sizeof(log), "%s/ours.log", t->dir);
	snprintf(sock, sizeof(sock), "%s/ours.sock", t->dir);
	/* The PS directory TrouSerS' tcsd uses (tss-owned): ours writes ps/ours.data. */
	snprintf(ps, sizeof(ps), "%s/ps/ours.data", t->dir);
	snprintf(text, sizeof(text), "port = %d\nsystem_ps_file = %s\ndevice = %s\nunix_socket = %s\n",
		 port, ps, harness_swtpm_uri(&t->tpm), sock);
	if ((f = fopen(conf, "w")) == NULL)
		return -errno;
	fputs(text, f);
	fclose(f);
	chmod(conf, 0600);
	*pid = ours_tcsd_spawn(bin, conf, log, 0);
	if (*pid < 0)
		return -ECHILD;
	return ours_tcsd_wait_unix(*pid, sock, log);
}

static TSS_RESULT take_ownership(void)
{
	BYTE wk[] = TSS_WELL_KNOWN_SECRET;
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_HPOLICY pol, srk_pol;
	TSS_HKEY srk;
	TSS_RESULT rc;

	if ((rc = Tspi_Context_Create(&ctx)) != TSS_SUCCESS)
		return rc;
	if ((rc = Tspi_Context_Connect(ctx, NULL)) == TSS_SUCCESS &&
	    (rc = Tspi_Context_GetTpmObject(ctx, &tpm)) == TSS_SUCCESS &&
	    (rc = Tspi_GetPolicyObject(tpm, TSS_POLICY_USAGE, &pol)) == TSS_SUCCESS &&
	    (rc = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, (UINT32)strlen(owner_pw),
					(BYTE *)owner_pw)) == TSS_SUCCESS &&
	    (rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					    TSS_KEY_TSP_SRK | TSS_KEY_AUTHORIZATION, &srk)) ==
		    TSS_SUCCESS &&
	    (rc = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE,
					    &srk_pol)) == TSS_SUCCESS &&
	    (rc = Tspi_Policy_SetSecret(srk_pol, TSS_SECRET_MODE_SHA1, 20, wk)) == TSS_SUCCESS &&
	    (rc = Tspi_Policy_AssignToObject(srk_pol, srk)) == TSS_SUCCESS)
		rc = Tspi_TPM_TakeOwnership(tpm, srk, 0);
	Tspi_Context_Close(ctx);
	return rc;
}

static TSS_RESULT tspi_read_counter(UINT32 *value)
{
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_RESULT rc;

	*value = 0;
	if ((rc = Tspi_Context_Create(&ctx)) != TSS_SUCCESS)
		return rc;
	if ((rc = Tspi_Context_Connect(ctx, NULL)) == TSS_SUCCESS &&
	    (rc = Tspi_Context_GetTpmObject(ctx, &tpm)) == TSS_SUCCESS)
		rc = Tspi_TPM_ReadCounter(tpm, value);
	Tspi_Context_Close(ctx);
	return rc;
}

int main(void)
{
	struct test_tcsd t;
	struct admin_tcs raw;
	TPM_COUNTER_VALUE v, rv;
	uint8_t owner[20];
	unsigned int dlen = 20;
	uint32_t id = 0, rc;
	UINT32 value = 0;
	pid_t ours = -1;
	int port2, err;

	signal(SIGPIPE, SIG_IGN);
	memset(&t, 0, sizeof(t));
	err = trousers_tcsd_start(&t);
	if (err == -ENOENT || err == -EPERM)
		harness_skip("TrouSerS' tcsd cannot run here (%s)", strerror(-err));
	if (err != 0) {
		fprintf(stderr, "cannot start TrouSerS' tcsd: %s\n", strerror(-err));
		return 1;
	}
	EVP_Digest(owner_pw, strlen(owner_pw), owner, &dlen, EVP_sha1(), NULL);

	test_tcsd_kill(&t);
	if (harness_free_tcp_ports(1, &port2) != 0 || (err = ours_on_swtpm(&t, port2, &ours))) {
		check(0, "our tcsd on TrouSerS' swtpm (%d)", err);
		goto out;
	}
	set_port(port2);
	rc = take_ownership();
	check(rc == TSS_SUCCESS, "TakeOwnership through our tcsd (0x%x)", rc);
	if (admin_tcs_open(&raw) != 0) {
		check(0, "raw connection to our tcsd");
		goto out;
	}
	rc = admin_tcs_create_counter(&raw, owner, counter_pw, (const uint8_t *)"hof1", 4, &id, &v);
	if (rc == 0)
		rc = admin_tcs_increment_counter(&raw, id, counter_pw, &v);
	admin_tcs_close(&raw);
	check(rc == 0, "counter %u created and incremented through our tcsd (0x%x, value %u)", id,
	      rc, v.counter);
	ours_tcsd_stop_pid(ours, 5000);
	ours = -1;

	if ((err = trousers_respawn(&t)) != 0) {
		check(0, "TrouSerS' tcsd again (%s)", strerror(-err));
		goto out;
	}
	set_port(t.port);
	/*
	 * TrouSerS' tcsd (0.3.14 source, Debian's 0.3.15) has no server-side
	 * marshaller for TCSD_PACKET_TYPE_COUNTER_VALUE: after the TPM answered
	 * it logs "TCSD packet type unknown! (0x10)" and replies
	 * TSS_E_INTERNAL_ERROR. Accept that, or a correct answer from a fixed one.
	 */
	rc = tspi_read_counter(&value);
	if (rc == (TSS_LAYER_TCS | TSS_E_INTERNAL_ERROR))
		printf("note: TrouSerS' tcsd cannot send a COUNTER_VALUE (0x%x)\n", rc);
	check((rc == TSS_SUCCESS && value == v.counter) ||
		      rc == (TSS_LAYER_TCS | TSS_E_INTERNAL_ERROR),
	      "our Tspi_TPM_ReadCounter through TrouSerS' tcsd (0x%x, %u)", rc, value);
	if (admin_tcs_open(&raw) != 0) {
		check(0, "raw connection to TrouSerS' tcsd");
		goto out;
	}
	rc = admin_tcs_read_counter(&raw, id, &rv);
	check((rc == 0 && rv.tag == TPM_TAG_COUNTER_VALUE && memcmp(rv.label, "hof1", 4) == 0 &&
	       rv.counter == v.counter) || rc == (TSS_LAYER_TCS | TSS_E_INTERNAL_ERROR),
	      "TrouSerS' ReadCounter over the wire (0x%x: tag 0x%x, label %.4s, %u)", rc, rv.tag,
	      (const char *)rv.label, rv.counter);
	rc = admin_tcs_read_counter(&raw, id + 1000, &rv);
	check(rc == TPM_E_BAD_COUNTER, "TrouSerS' tcsd passes TPM_BAD_COUNTER on (0x%x)", rc);
	admin_tcs_close(&raw);
out:
	if (ours > 0)
		ours_tcsd_stop_pid(ours, 5000);
	return kit_daemon_down(&t);
}
