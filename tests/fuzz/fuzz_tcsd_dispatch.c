/*
 * libFuzzer target for tcsd's packet decoder and dispatcher: arbitrary
 * bytes arrive as what one client connection sends, and go through the
 * steps the server takes for each request: header decode with the 1 MiB
 * cap and packet read as serve_one() does, then tcsd_serve_packet(), the
 * server's own code for the rest: body checks, tcsd_dispatch() (ordinal
 * lookup, remote_ops access control, context check, the handler), reply.
 * The handlers run for real against an embedded TPM 1.2 (libtpms, state
 * in a temporary directory made once per process), with the daemon's own
 * key cache, auth-session manager and system persistent storage: the
 * objects of tcsd/ linked from libtcsd_core.la, main.c excepted.
 *
 * Input: one flags byte, then packets back to back, each as long as its
 * header says. Flags:
 *   bit 0  the client holds a context (opened through dispatch first) and
 *          parameter 0 of each packet, when it is a UINT32, is replaced
 *          by it, so that the fuzzer reaches the handlers behind the
 *          context check (handles are random: it could not guess them);
 *   bit 1  the client is remote (not loopback), so access control applies
 *          (remote_ops = seal,unseal,random,loadkey,sign here).
 * A header the server would refuse, or a packet cut short, ends the
 * connection as it would there.
 *
 * Checked for every input: no crash, no leak (LeakSanitizer), every reply
 * is a well-formed response packet, and once the connection is gone it
 * holds no context, auth session or key any more. Every 64 inputs a
 * known-good client opens a context and asks for 16 random bytes, which
 * must work: whatever came before must not leave the daemon unable to
 * answer.
 *
 * Seeds: tests/fuzz/corpus/tcsd_dispatch/, the requests captured between
 * TrouSerS' libtspi and tcsd (tests/unit/vectors/tcsd/NAME.req.hex) behind a
 * flags byte of 1.
 */
#include "config.h"

#include <ftw.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "keycache.h"
#include "tcsd.h"
#include "tcsd_ordinals.h"
#include "tcsd_wire.h"
#include "tpm_exec.h"
#include "tpmdd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FLAG_CONTEXT 0x01u
#define FLAG_REMOTE 0x02u
#define GOOD_CLIENT_EVERY 64u
/* More packets per input only repeat what shorter inputs do. */
#define MAX_PACKETS_PER_INPUT 16u

/* ---- what main.c provides the daemon, for this process ---- */

static struct tcsd_config conf;
static _Atomic uint32_t remote_ops_groups;

const struct tcsd_config *tcsd_config(void)
{
	return &conf;
}

uint32_t tcsd_remote_ops_groups(void)
{
	return atomic_load(&remote_ops_groups);
}

void tcsd_set_remote_ops_groups(uint32_t groups)
{
	atomic_store(&remote_ops_groups, groups);
}

/* ---- the daemon, once per process ---- */

static char state_dir[] = "/tmp/tss12-fuzz-tcsd-XXXXXX";
static struct tpmdd *tpm;
static unsigned long inputs;

static bool have_dir, started;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz_tcsd_dispatch: %s\n", what);
	/* A failed start-up leaves no directory behind; later, the state is evidence. */
	if (have_dir && !started)
		nftw(state_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	abort();
}

static void shutdown_daemon(void)
{
	keycache_shutdown();
	ps_shutdown();
	evlog_shutdown();
	if (tpm != NULL)
		tpmdd_close(tpm);
	tpm = NULL;
	tcsd_conf_free(&conf);
	nftw(state_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void set_option(const char *key, const char *value)
{
	if (tcsd_conf_set(&conf, key, value, "fuzz_tcsd_dispatch") != 0)
		die("bad built-in option");
}

static void start_daemon(void)
{
	char path[sizeof(state_dir) + 32];
	struct tcsd_options opts;

	/* The daemon's logs would drown the fuzzer's: errors only. */
	log_init("tcsd", LOG_SINK_STDERR, getenv("FUZZ_TCSD_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	if (mkdtemp(state_dir) == NULL)
		die("mkdtemp");
	have_dir = true;
	tcsd_conf_defaults(&conf);
	snprintf(path, sizeof(path), "%s/system.data", state_dir);
	set_option("system_ps_file", path);
	snprintf(path, sizeof(path), "libtpms:%s/tpm", state_dir);
	set_option("device", path);
	/* No measurement log of this machine: the event calls see an empty one. */
	snprintf(path, sizeof(path), "%s/no-such-log", state_dir);
	set_option("firmware_log_file", path);
	set_option("kernel_log_file", path);
	set_option("remote_ops", "seal,unseal,random,loadkey,sign");
	memset(&opts, 0, sizeof(opts));
	opts.foreground = true;
	if (tcsd_conf_finish(&conf, &opts) != 0)
		die("configuration");
	tcsd_set_remote_ops_groups(conf.remote_ops_groups);

	if (tpmdd_open(conf.device, &tpm) != TSS_SUCCESS)
		die("cannot open the embedded TPM");
	tcsd_tpm_set(tpm);
	if (tcsd_tpm_probe() != TSS_SUCCESS || tcsd_contexts_init() != 0 ||
	    tcsd_dispatch_init() != 0 || evlog_init(&conf) != TSS_SUCCESS ||
	    ps_init(&conf) != TSS_SUCCESS || keycache_init() != TSS_SUCCESS)
		die("daemon start-up");
	atexit(shutdown_daemon);
	started = true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	start_daemon();
	return 0;
}

/* ---- one connection ---- */

static struct tcsd_client *client_new(bool remote)
{
	struct tcsd_client *cl = calloc(1, sizeof(*cl));

	if (cl == NULL)
		die("out of memory");
	cl->fd = -1;
	cl->local = !remote;
	snprintf(cl->name, sizeof(cl->name), remote ? "192.0.2.7:4000" : "127.0.0.1:4000");
	return cl;
}

/* What client_thread() does when the connection ends. */
static void client_gone(struct tcsd_client *cl)
{
	tcsd_client_release_contexts(cl);
	free(cl->contexts);
	free(cl);
}

/* Every reply must be a response libtspi can read. */
static void check_reply(const uint8_t *reply, size_t len)
{
	struct tcsd_packet_reader r;

	if (reply == NULL)
		die("dispatch gave no reply");
	if (tcsd_reader_init(&r, reply, len, false) != 0)
		die("malformed reply");
}

/*
 * The server's own path for one complete packet (tcsd_serve_packet).
 * Returns the reply (heap) or NULL when the server closes the connection
 * (after sending its error reply, checked here too).
 */
static uint8_t *serve_packet(struct tcsd_client *cl, const uint8_t *pkt, size_t len,
			     size_t *reply_len)
{
	uint8_t *reply = NULL;

	if (tcsd_serve_packet(cl, pkt, len, &reply, reply_len) != 0) {
		check_reply(reply, *reply_len);
		free(reply);
		*reply_len = 0;
		return NULL;
	}
	return reply;
}

/* A request built with the writer, dispatched; the reply's reader in *r. */
static uint8_t *good_request(struct tcsd_client *cl, uint32_t ord, const uint32_t *params,
			     size_t n, struct tcsd_packet_reader *r)
{
	struct tcsd_packet_writer w;
	uint8_t *pkt = NULL, *reply;
	size_t len = 0, reply_len = 0;

	memset(&w, 0, sizeof(w));
	if (tcsd_writer_init(&w, (uint32_t)n) != 0)
		die("writer");
	for (size_t i = 0; i < n; i++)
		tcsd_put_u32(&w, (uint32_t)i, params[i]);
	if (tcsd_writer_finish(&w, ord, &pkt, &len) != 0)
		die("writer finish");
	tcsd_writer_free(&w);
	reply = serve_packet(cl, pkt, len, &reply_len);
	free(pkt);
	check_reply(reply, reply_len);
	if (tcsd_reader_init(r, reply, reply_len, false) != 0)
		die("good reply");
	return reply;
}

static TCS_CONTEXT_HANDLE open_context(struct tcsd_client *cl)
{
	struct tcsd_packet_reader r;
	uint8_t *reply = good_request(cl, TCSD_ORD_OPENCONTEXT, NULL, 0, &r);
	UINT32 h = 0;

	if (tcsd_reader_code(&r) != TSS_SUCCESS || tcsd_get_u32(&r, 0, &h) != 0 || h == 0)
		die("OpenContext failed");
	free(reply);
	return h;
}

/* A well-behaved client: OpenContext, GetRandom(16), CloseContext. */
static void good_client(void)
{
	struct tcsd_client *cl = client_new(false);
	struct tcsd_packet_reader r;
	uint32_t params[2];
	uint8_t *reply;
	UINT32 n = 0;
	const uint8_t *bytes = NULL;

	params[0] = open_context(cl);
	params[1] = 16;
	reply = good_request(cl, TCSD_ORD_GETRANDOM, params, 2, &r);
	if (tcsd_reader_code(&r) != TSS_SUCCESS) {
		fprintf(stderr, "GetRandom: 0x%x\n", tcsd_reader_code(&r));
		die("the daemon no longer answers GetRandom");
	}
	if (tcsd_get_u32(&r, 0, &n) != 0 || n != 16 || tcsd_get_bytes_ptr(&r, 1, &bytes, n, 16) != 0)
		die("GetRandom reply");
	free(reply);
	reply = good_request(cl, TCSD_ORD_CLOSECONTEXT, params, 1, &r);
	if (tcsd_reader_code(&r) != TSS_SUCCESS)
		die("CloseContext failed");
	free(reply);
	client_gone(cl);
}

/*
 * Parameter 0 of a request is the TCS context when the ordinal has one:
 * replaced by the context the client holds, where the packet's first type
 * byte says UINT32 and the data has room.
 */
static void patch_context(uint8_t *pkt, size_t len, TCS_CONTEXT_HANDLE h)
{
	struct tcsd_hdr hdr;

	if (tcsd_hdr_decode(pkt, len, &hdr, true) != 0 || hdr.num_parms == 0 ||
	    pkt[TCSD_HDR_SIZE] != TCSD_TYPE_UINT32 || hdr.parm_size < 4 ||
	    (uint64_t)hdr.parm_offset + 4 > len)
		return;
	pkt[hdr.parm_offset] = (uint8_t)(h >> 24);
	pkt[hdr.parm_offset + 1] = (uint8_t)(h >> 16);
	pkt[hdr.parm_offset + 2] = (uint8_t)(h >> 8);
	pkt[hdr.parm_offset + 3] = (uint8_t)h;
}

static void check_released(void)
{
	struct keycache_stats st;

	if (tcsd_contexts_open() != 0)
		die("a context outlived its connection");
	if (tcs_auth_count() != 0)
		die("an auth session outlived its connection");
	keycache_get_stats(&st);
	if (st.entries != 0)
		die("a key outlived its connection");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcsd_client *cl;
	TCS_CONTEXT_HANDLE h = 0;
	unsigned int packets = 0;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	cl = client_new(flags & FLAG_REMOTE);
	/* A remote client opens its context like any other (no group needed). */
	if (flags & FLAG_CONTEXT)
		h = open_context(cl);

	while (size >= TCSD_HDR_SIZE && packets++ < MAX_PACKETS_PER_INPUT) {
		struct tcsd_hdr hdr;
		uint8_t *pkt, *reply;
		size_t reply_len = 0;

		/* The server reads the header, checks the cap, then the rest. */
		if (tcsd_hdr_decode(data, size, &hdr, true) != 0 || hdr.packet_size > size)
			break;
		/* A private copy, as the server's own buffer: handlers may keep pointers into it. */
		if ((pkt = malloc(hdr.packet_size)) == NULL)
			die("out of memory");
		memcpy(pkt, data, hdr.packet_size);
		if (h != 0)
			patch_context(pkt, hdr.packet_size, h);
		reply = serve_packet(cl, pkt, hdr.packet_size, &reply_len);
		data += hdr.packet_size;
		size -= hdr.packet_size;
		free(pkt);
		if (reply == NULL)
			break;
		check_reply(reply, reply_len);
		free(reply);
	}
	client_gone(cl);
	check_released();

	if (++inputs % GOOD_CLIENT_EVERY == 0) {
		good_client();
		check_released();
	}
	return 0;
}
