/*
 * Dispatch: one table indexed by TCSD ordinal, joined at start-up from
 * the ordinal table of common/tcsd_ordinals.c (name, remote_ops groups,
 * parameter schema) and the handler arrays of the area files.
 *
 * Order of checks for every request, before any handler code runs:
 *   1. ordinal inside the table          else TSS_E_FAIL (as TrouSerS)
 *   2. access control (remote peers)     else TSS_E_FAIL + "Denied ..."
 *   3. a handler exists                  else TSS_E_FAIL for ordinals
 *      TrouSerS answers with its error stub, TSS_E_NOTIMPL for the
 *      ones tss12 does not implement yet
 *   4. parameter 0 is a context owned by this connection (all but
 *      OpenContext)                      else TSS_E_INVALID_HANDLE
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tcsd.h"
#include "tcsd_ordinals.h"

static tcsd_handler_fn *handlers[TCSD_LAST_ORD];

static const struct {
	const char *file;
	const struct tcsd_handler *list;
} areas[] = {
	{ "context.c", tcs_context_handlers },
	{ "tcs_admin.c", tcs_admin_handlers },
	{ "tcs_auth.c", tcs_auth_handlers },
	{ "tcs_keys.c", tcs_key_handlers },
	{ "tcs_crypto.c", tcs_crypto_handlers },
	{ "ps.c", tcs_ps_handlers },
	{ "evlog.c", tcs_evlog_handlers },
	{ "tcs_nv.c", tcs_nv_handlers },
	{ "tcs_counter.c", tcs_counter_handlers },
	{ "tcs_audit.c", tcs_audit_handlers },
	{ "tcs_identity.c", tcs_identity_handlers },
	{ "tcs_migrate.c", tcs_migrate_handlers },
	{ "tcs_delegate.c", tcs_delegate_handlers },
	{ "tcs_transport.c", tcs_transport_handlers },
};

int tcsd_dispatch_init(void)
{
	size_t served = 0;

	memset(handlers, 0, sizeof(handlers));
	for (size_t a = 0; a < sizeof(areas) / sizeof(areas[0]); a++) {
		for (const struct tcsd_handler *h = areas[a].list; h->fn != NULL; h++) {
			const struct tcsd_ordinal_info *info = tcsd_ordinal_lookup(h->ordinal);

			if (info == NULL) {
				log_error("%s: handler for ordinal %u, which does not exist",
					  areas[a].file, h->ordinal);
				return -1;
			}
			if (handlers[h->ordinal] != NULL) {
				log_error("%s: second handler for %s", areas[a].file, info->name);
				return -1;
			}
			handlers[h->ordinal] = h->fn;
			served++;
		}
	}
	log_debug("%zu of %d TCSD ordinals served", served, TCSD_LAST_ORD);
	return 0;
}

TSS_RESULT tcsd_bad_request(struct tcsd_client *cl, const struct tcsd_packet_reader *in, int err)
{
	uint32_t ord = in != NULL ? tcsd_reader_code(in) : 0;

	/* Logged once per connection: a broken client must not flood the log. */
	if (cl == NULL || cl->bad_packets++ == 0)
		log_warn("%s: malformed %s request (%s)", tcsd_client_name(cl),
			 tcsd_ordinal_name(ord), strerror(err < 0 ? -err : err));
	else
		log_debug("%s: malformed %s request (%s)", tcsd_client_name(cl),
			  tcsd_ordinal_name(ord), strerror(err < 0 ? -err : err));
	return TCS_ERROR(TSS_E_INTERNAL_ERROR);
}

bool tcsd_request_ok(struct tcsd_client *cl, const struct tcsd_packet_reader *in, TSS_RESULT *rc)
{
	int err = tcsd_reader_done(in);

	if (err == 0)
		return true;
	*rc = tcsd_bad_request(cl, in, err);
	return false;
}

void tcsd_get_optional_auth(struct tcsd_packet_reader *in, uint32_t index, TPM_AUTH *auth,
			    TPM_AUTH **p)
{
	*p = NULL;
	memset(auth, 0, sizeof(*auth));
	if (tcsd_param_present(in, index) && tcsd_get_auth_in(in, index, auth) == 0)
		*p = auth;
}

bool tcsd_auth_is_null(const TPM_AUTH *a)
{
	static const TPM_AUTH zero;

	return memcmp(a, &zero, sizeof(zero)) == 0;
}

/* remote_ops: local peers get everything; owner ordinals never remotely. */
static bool access_allowed(const struct tcsd_client *cl, uint32_t ord)
{
	if (cl->local)
		return true;
	return tcsd_ordinal_remote_allowed(ord, tcsd_remote_ops_groups());
}

static TSS_RESULT run(struct tcsd_client *cl, struct tcsd_packet_reader *in,
		      struct tcsd_packet_writer *out)
{
	uint32_t ord = tcsd_reader_code(in);
	const struct tcsd_ordinal_info *info = tcsd_ordinal_lookup(ord);
	TCS_CONTEXT_HANDLE h = 0;
	TSS_RESULT rc;
	int err;

	if (info == NULL) {
		if (cl->bad_packets++ == 0)
			log_warn("%s: unknown TCSD ordinal %u", cl->name, ord);
		return TCS_ERROR(TSS_E_FAIL);
	}
	if (!access_allowed(cl, ord)) {
		log_warn("Denied %s operation from %s", info->name, cl->name);
		return TCS_ERROR(TSS_E_FAIL);
	}
	if (handlers[ord] == NULL) {
		log_debug("%s: %s is not %s", cl->name, info->name,
			  info->in == NULL ? "a TCS function" : "implemented");
		return info->in == NULL ? TCS_ERROR(TSS_E_FAIL) : TCS_ERROR(TSS_E_NOTIMPL);
	}
	cl->req_ctx = 0;
	if (ord != TCSD_ORD_OPENCONTEXT) {
		if ((err = tcsd_get_u32(in, 0, &h)) != 0)
			return tcsd_bad_request(cl, in, err);
		if ((rc = tcsd_context_verify(cl, h)) != TSS_SUCCESS) {
			log_debug("%s: %s with context 0x%08x, which it does not hold", cl->name,
				  info->name, h);
			return rc;
		}
		cl->req_ctx = h;
	}
	log_debug("%s: %s", cl->name, info->name);
	return handlers[ord](cl, in, out);
}

void tcsd_dispatch(struct tcsd_client *cl, struct tcsd_packet_reader *in, uint8_t **reply,
		   size_t *reply_len)
{
	struct tcsd_packet_writer out;
	TSS_RESULT rc;
	int err;

	*reply = NULL;
	*reply_len = 0;
	memset(&out, 0, sizeof(out));
	rc = run(cl, in, &out);
	/*
	 * A failure may carry data the client needs: TrouSerS' libtspi reads
	 * the LOADKEY_INFO that comes with TCS_E_KM_LOADFAILED.
	 */
	if (rc == TSS_SUCCESS || (out.next > 0 && tcsd_writer_error(&out) == 0)) {
		err = tcsd_writer_finish(&out, rc, reply, reply_len);
		if (err == 0)
			goto out;
		log_error("%s: cannot build the %s reply: %s", cl->name,
			  tcsd_ordinal_name(tcsd_reader_code(in)), strerror(-err));
		rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	/* Failure: the result alone, as TrouSerS answers (REFERENCES §1.7). */
	if ((*reply = malloc(TCSD_HDR_SIZE)) != NULL) {
		tcsd_error_reply(*reply, rc);
		*reply_len = TCSD_HDR_SIZE;
	}
out:
	tcsd_writer_free(&out);
	cl->req_ctx = 0;
}
