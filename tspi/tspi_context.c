/*
 * Context objects (TSS 1.2 §4.3.4.3): create, connect, close, memory,
 * object creation and the context's capabilities and attributes. Key
 * loading and registration (Tspi_Context_LoadKeyBy*, RegisterKey, ...)
 * live with the keys in tspi_key.c.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "obj.h"
#include "rpc.h"
#include "secret.h"
#include "session.h"
#include "trousers/trousers.h"

/* Our TSP's version for TSS_TSPCAP_VERSION: TSS 1.2, tss12 0.1. */
static const TSS_VERSION tsp_version = { 1, 2, 0, 1 };
/* TSS_TSPCAP_MANUFACTURER: "TSS1" and its UTF-16LE name. */
#define TSP_MANUFACTURER_ID 0x54535331u
static const BYTE tsp_manufacturer[] = { 't', 0, 's', 0, 's', 0, '1', 0, '2', 0, 0, 0 };

/* DAA is not implemented (issue 4 item 9): creating its objects answers TSS_E_NOTIMPL. */
static const struct obj_class class_daa_cert = { .type = OBJ_DAA_CERT, .name = "daacert" };
static const struct obj_class class_daa_issuer = { .type = OBJ_DAA_ISSUER_KEY, .name = "daaissuer" };
static const struct obj_class class_daa_ara = { .type = OBJ_DAA_ARA_KEY, .name = "daaara" };

static const struct {
	TSS_FLAG tss_type;
	const struct obj_class *cls;
} creatable[] = {
	{ TSS_OBJECT_TYPE_POLICY, &obj_class_policy },
	{ TSS_OBJECT_TYPE_RSAKEY, &obj_class_rsakey },
	{ TSS_OBJECT_TYPE_ENCDATA, &obj_class_encdata },
	{ TSS_OBJECT_TYPE_PCRS, &obj_class_pcrs },
	{ TSS_OBJECT_TYPE_HASH, &obj_class_hash },
	{ TSS_OBJECT_TYPE_DELFAMILY, &obj_class_delfamily },
	{ TSS_OBJECT_TYPE_NV, &obj_class_nv },
	{ TSS_OBJECT_TYPE_MIGDATA, &obj_class_migdata },
	{ TSS_OBJECT_TYPE_DAA_CERTIFICATE, &class_daa_cert },
	{ TSS_OBJECT_TYPE_DAA_ISSUER_KEY, &class_daa_issuer },
	{ TSS_OBJECT_TYPE_DAA_ARA_KEY, &class_daa_ara },
};

const struct obj_class *obj_class_for_tss_type(TSS_FLAG object_type)
{
	size_t i;

	for (i = 0; i < sizeof(creatable) / sizeof(creatable[0]); i++)
		if (creatable[i].tss_type == object_type)
			return creatable[i].cls;
	return NULL;
}

/* ---- create / close ---- */

static pthread_once_t log_once = PTHREAD_ONCE_INIT;

/*
 * A library must not write into its application's terminal: silent
 * unless $TSS12_TSPI_LOG names a level (error, warn, info, debug), then
 * to stderr.
 */
static void tspi_log_init(void)
{
	static const struct {
		const char *name;
		enum log_level level;
	} levels[] = {
		{ "error", LOG_LVL_ERROR }, { "warn", LOG_LVL_WARN },
		{ "info", LOG_LVL_INFO }, { "debug", LOG_LVL_DEBUG },
	};
	const char *env = getenv("TSS12_TSPI_LOG");
	size_t i;

	for (i = 0; env != NULL && i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcmp(env, levels[i].name) == 0) {
			log_init("libtspi", LOG_SINK_STDERR, levels[i].level);
			return;
		}
	}
	log_init("libtspi", LOG_SINK_NONE, LOG_LVL_ERROR);
}

TSS_RESULT Tspi_Context_Create(TSS_HCONTEXT *phContext)
{
	const char *host = getenv("TSS_TCSD_HOSTNAME");
	struct obj *o;
	TSS_RESULT rc;

	pthread_once(&log_once, tspi_log_init);
	if (phContext == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*phContext = 0;
	if ((rc = obj_context_new(&obj_class_context, phContext)) != TSS_SUCCESS)
		return rc;
	if ((rc = obj_acquire(*phContext, OBJ_CONTEXT, &o)) != TSS_SUCCESS)
		return rc;
	/* TrouSerS' defaults: not silent, popups hash without the NUL, 1.1 connections. */
	o->ctx->silent_mode = TSS_TSPATTRIB_CONTEXT_NOT_SILENT;
	o->ctx->secret_hash_mode = TSS_TSPATTRIB_HASH_MODE_NOT_NULL;
	o->ctx->connection_version = TSS_TSPATTRIB_CONTEXT_VERSION_V1_1;
	o->ctx->machine_name = strdup(host != NULL && *host != '\0' ? host : "localhost");
	if (o->ctx->machine_name == NULL) {
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto fail;
	}
	if ((rc = secret_policy_new(o->ctx, TSS_POLICY_USAGE, &o->ctx->default_policy)))
		goto fail;
	obj_release(o);
	return TSS_SUCCESS;
fail:
	obj_context_close(o);
	*phContext = 0;
	return rc;
}

TSS_RESULT Tspi_Context_Close(TSS_HCONTEXT hContext)
{
	struct obj *o;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &o)) != TSS_SUCCESS)
		return rc;
	/* Clean-up goes unwrapped: ending cached sessions must not open a new
	 * transport session (rpc_disconnect ends the current one). */
	o->ctx->trans_control &= ~(UINT32)RPC_TRANS_ENABLED;
	session_cache_free(o->ctx);
	rpc_disconnect(o->ctx);
	obj_context_close(o);
	return TSS_SUCCESS;
}

TSS_RESULT Tspi_Context_Connect(TSS_HCONTEXT hContext, TSS_UNICODE *wszDestination)
{
	struct obj *o, *tpm = NULL;
	char *host = NULL;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &o)) != TSS_SUCCESS)
		return rc;
	if (o->ctx->conn != NULL) {
		rc = TSP_ERROR(TSS_E_CONNECTION_FAILED);
		goto out;
	}
	if (wszDestination != NULL) {
		host = (char *)Trspi_UNICODE_To_Native((BYTE *)wszDestination, NULL);
		if (host == NULL) {
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			goto out;
		}
	}
	if ((rc = rpc_connect(o->ctx, host)) != TSS_SUCCESS)
		goto out;
	if (host != NULL) {
		free(o->ctx->machine_name);
		o->ctx->machine_name = host;
		host = NULL;
	}
	/* The TPM object comes with its own (owner) usage policy, as in TrouSerS. */
	if ((rc = obj_add(o->ctx, &obj_class_tpm, NULL, &tpm)) != TSS_SUCCESS ||
	    (rc = obj_class_tpm.create(tpm, 0)) != TSS_SUCCESS ||
	    (rc = secret_policy_new(o->ctx, TSS_POLICY_USAGE, &tpm->usage_policy))) {
		if (tpm != NULL)
			obj_remove(tpm);
		rpc_disconnect(o->ctx);
		goto out;
	}
	o->ctx->tpm = tpm->handle;
out:
	free(host);
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_Context_FreeMemory(TSS_HCONTEXT hContext, BYTE *rgbMemory)
{
	struct obj *o;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &o)) != TSS_SUCCESS)
		return rc;
	if (rgbMemory == NULL)
		ctx_free_all(o->ctx);
	else
		rc = ctx_free(o->ctx, rgbMemory);
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_Context_GetDefaultPolicy(TSS_HCONTEXT hContext, TSS_HPOLICY *phPolicy)
{
	struct obj *o;
	TSS_RESULT rc;

	if (phPolicy == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &o)) != TSS_SUCCESS)
		return rc;
	*phPolicy = o->ctx->default_policy;
	obj_release(o);
	return TSS_SUCCESS;
}

TSS_RESULT Tspi_Context_GetTpmObject(TSS_HCONTEXT hContext, TSS_HTPM *phTPM)
{
	struct obj *o;
	TSS_RESULT rc;

	if (phTPM == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &o)) != TSS_SUCCESS)
		return rc;
	/* No TPM object before Tspi_Context_Connect (TrouSerS creates it there). */
	if (o->ctx->tpm == 0)
		rc = TSP_ERROR(TSS_E_INVALID_HANDLE);
	else
		*phTPM = o->ctx->tpm;
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_Context_CreateObject(TSS_HCONTEXT hContext, TSS_FLAG objectType,
				     TSS_FLAG initFlags, TSS_HOBJECT *phObject)
{
	const struct obj_class *cls;
	struct obj *o, *n;
	TSS_RESULT rc;

	if (phObject == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &o)) != TSS_SUCCESS)
		return rc;
	cls = obj_class_for_tss_type(objectType);
	if (cls == NULL) {
		rc = TSP_ERROR(TSS_E_INVALID_OBJECT_TYPE);
		goto out;
	}
	if (cls->create == NULL) {
		rc = TSP_ERROR(TSS_E_NOTIMPL);
		goto out;
	}
	if ((rc = obj_add(o->ctx, cls, NULL, &n)) != TSS_SUCCESS)
		goto out;
	if ((rc = cls->create(n, initFlags)) != TSS_SUCCESS) {
		obj_remove(n);
		goto out;
	}
	*phObject = n->handle;
out:
	obj_release(o);
	return rc;
}

TSS_RESULT Tspi_Context_CloseObject(TSS_HCONTEXT hContext, TSS_HOBJECT hObject)
{
	struct obj *c, *o;
	TSS_RESULT rc;

	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &c)) != TSS_SUCCESS)
		return rc;
	/* The context itself, its TPM object and its default policy go with the context. */
	rc = obj_lookup_in(c->ctx, hObject, OBJ_ANY & ~(unsigned int)(OBJ_CONTEXT | OBJ_TPM), &o);
	if (rc == TSS_SUCCESS && hObject == c->ctx->default_policy)
		rc = TSP_ERROR(TSS_E_INVALID_HANDLE);
	if (rc == TSS_SUCCESS)
		obj_remove(o);
	obj_release(c);
	return rc;
}

/* ---- capabilities ---- */

static TSS_RESULT tsp_capability(struct tspi_ctx *ctx, TSS_FLAG area, UINT32 sub,
				 UINT32 *len, BYTE **data)
{
	BYTE buf[sizeof(tsp_manufacturer)];
	UINT32 n = 0, u32;
	TSS_BOOL b;

	switch (area) {
	case TSS_TSPCAP_VERSION:
		buf[0] = tsp_version.bMajor;
		buf[1] = tsp_version.bMinor;
		buf[2] = tsp_version.bRevMajor;
		buf[3] = tsp_version.bRevMinor;
		n = 4;
		break;
	case TSS_TSPCAP_ALG:
		switch (sub) {
		case TSS_ALG_RSA:
		case TSS_ALG_SHA:
		case TSS_ALG_HMAC:
		case TSS_ALG_AES:
			b = TRUE;
			goto boolean;
		case TSS_ALG_DES:
		case TSS_ALG_3DES:
			b = FALSE;
			goto boolean;
		case TSS_ALG_DEFAULT:
			u32 = TSS_ALG_RSA;
			goto uint32;
		case TSS_ALG_DEFAULT_SIZE:
			u32 = TSS_KEY_SIZEVAL_2048BIT;
			goto uint32;
		default:
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		}
	case TSS_TSPCAP_PERSSTORAGE:
		b = TRUE;
		goto boolean;
	case TSS_TSPCAP_RETURNVALUE_INFO:
		if (sub != TSS_TSPCAP_PROP_RETURNVALUE_INFO)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		u32 = 1;
		goto uint32;
	case TSS_TSPCAP_PLATFORM_INFO:
		if (sub != TSS_TSPCAP_PLATFORM_TYPE && sub != TSS_TSPCAP_PLATFORM_VERSION)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		u32 = 0;
		goto uint32;
	case TSS_TSPCAP_MANUFACTURER:
		if (sub == TSS_TSPCAP_PROP_MANUFACTURER_ID) {
			u32 = TSP_MANUFACTURER_ID;
			goto uint32;
		}
		if (sub != TSS_TSPCAP_PROP_MANUFACTURER_STR)
			return TSP_ERROR(TSS_E_BAD_PARAMETER);
		memcpy(buf, tsp_manufacturer, sizeof(tsp_manufacturer));
		n = sizeof(tsp_manufacturer);
		break;
	default:
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	}
	goto copy;
boolean:
	buf[0] = b;
	n = 1;
	goto copy;
uint32:
	/* Host order, as TrouSerS returns it (the application reads a UINT32). */
	memcpy(buf, &u32, sizeof(u32));
	n = sizeof(u32);
copy:
	*data = ctx_memdup(ctx, buf, n);
	if (*data == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	*len = n;
	return TSS_SUCCESS;
}

/* The largest capability answer accepted from a TCS. */
#define TCS_CAP_MAX 4096u

static TSS_RESULT tcs_capability(struct tspi_ctx *ctx, TSS_FLAG area, UINT32 sub_len,
				 const BYTE *sub, UINT32 *len, BYTE **data)
{
	struct rpc_msg *m;
	BYTE *resp = NULL;
	UINT32 n = 0;
	TSS_RESULT rc;

	if ((rc = rpc_begin(ctx, TCSD_ORD_TCSGETCAPABILITY, &m)) != TSS_SUCCESS)
		return rc;
	rpc_put_u32(m, area);
	rpc_put_u32(m, sub_len);
	/* TrouSerS sends the PBYTE slot even when it is empty. */
	rpc_put_bytes(m, sub, sub_len);
	if ((rc = rpc_call(m)) == TSS_SUCCESS) {
		rpc_get_sized(m, TCS_CAP_MAX, &n, &resp);
		rc = rpc_get_done(m);
	}
	rpc_end(m);
	if (rc == TSS_SUCCESS) {
		*data = ctx_memdup(ctx, resp, n);
		*len = n;
		if (*data == NULL)
			rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
	}
	free(resp);
	return rc;
}

TSS_RESULT Tspi_Context_GetCapability(TSS_HCONTEXT hContext, TSS_FLAG capArea,
				      UINT32 ulSubCapLength, BYTE *rgbSubCap,
				      UINT32 *pulRespDataLength, BYTE **prgbRespData)
{
	UINT32 sub = 0;
	struct obj *o;
	TSS_RESULT rc;

	if (pulRespDataLength == NULL || prgbRespData == NULL ||
	    (rgbSubCap == NULL && ulSubCapLength != 0) || ulSubCapLength > sizeof(UINT32))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	*pulRespDataLength = 0;
	*prgbRespData = NULL;
	if (ulSubCapLength == sizeof(UINT32))
		memcpy(&sub, rgbSubCap, sizeof(sub));
	if ((rc = obj_acquire(hContext, OBJ_CONTEXT, &o)) != TSS_SUCCESS)
		return rc;

	switch (capArea) {
	case TSS_TSPCAP_ALG:
	case TSS_TSPCAP_RETURNVALUE_INFO:
	case TSS_TSPCAP_PLATFORM_INFO:
	case TSS_TSPCAP_MANUFACTURER:
		if (ulSubCapLength != sizeof(UINT32)) {
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			break;
		}
		/* fall through */
	case TSS_TSPCAP_VERSION:
	case TSS_TSPCAP_PERSSTORAGE:
		rc = tsp_capability(o->ctx, capArea, sub, pulRespDataLength, prgbRespData);
		break;
	case TSS_TCSCAP_ALG:
		if (ulSubCapLength != sizeof(UINT32)) {
			rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
			break;
		}
		/* fall through */
	case TSS_TCSCAP_VERSION:
	case TSS_TCSCAP_CACHING:
	case TSS_TCSCAP_PERSSTORAGE:
	case TSS_TCSCAP_MANUFACTURER:
	case TSS_TCSCAP_TRANSPORT:
	case TSS_TCSCAP_PLATFORM_CLASS:
		rc = tcs_capability(o->ctx, capArea, ulSubCapLength, rgbSubCap,
				    pulRespDataLength, prgbRespData);
		break;
	default:
		rc = TSP_ERROR(TSS_E_BAD_PARAMETER);
		break;
	}
	obj_release(o);
	return rc;
}

/* ---- context attributes ---- */

/*
 * TSS_TSPATTRIB_CONTEXT_TRANSPORT, as TrouSerS reads and writes it: set
 * with sub-flag _CONTROL (enable/disable) or _MODE (one mode value at a
 * time: encryption on or off, or add authentic channel, exclusive, static
 * auth); get with the value in question as sub-flag, answered TRUE/FALSE.
 * The session itself is rpc.c's and tspi_transport.c's.
 */
static TSS_RESULT transport_get(struct tspi_ctx *ctx, TSS_FLAG sub, UINT32 *val)
{
	UINT32 mode = ctx->trans_control & RPC_TRANS_MODE_MASK;
	bool on = (ctx->trans_control & RPC_TRANS_ENABLED) != 0;

	switch (sub) {
	case TSS_TSPATTRIB_ENABLE_TRANSPORT:
		*val = on ? TRUE : FALSE;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_DISABLE_TRANSPORT:
		*val = on ? FALSE : TRUE;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_TRANSPORT_NO_DEFAULT_ENCRYPTION:
		*val = (mode & TSS_TSPATTRIB_TRANSPORT_DEFAULT_ENCRYPTION) ? FALSE : TRUE;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_TRANSPORT_DEFAULT_ENCRYPTION:
	case TSS_TSPATTRIB_TRANSPORT_AUTHENTIC_CHANNEL:
	case TSS_TSPATTRIB_TRANSPORT_EXCLUSIVE:
	case TSS_TSPATTRIB_TRANSPORT_STATIC_AUTH:
		*val = (mode & sub) ? TRUE : FALSE;
		return TSS_SUCCESS;
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	}
}

static TSS_RESULT transport_set(struct tspi_ctx *ctx, TSS_FLAG sub, UINT32 val)
{
	if (sub == TSS_TSPATTRIB_CONTEXTTRANS_CONTROL) {
		if (val == TSS_TSPATTRIB_ENABLE_TRANSPORT)
			ctx->trans_control |= RPC_TRANS_ENABLED;
		else if (val == TSS_TSPATTRIB_DISABLE_TRANSPORT)
			ctx->trans_control &= ~RPC_TRANS_ENABLED;
		else
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
		return TSS_SUCCESS;
	}
	if (sub != TSS_TSPATTRIB_CONTEXTTRANS_MODE)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
	switch (val) {
	case TSS_TSPATTRIB_TRANSPORT_NO_DEFAULT_ENCRYPTION:
		ctx->trans_control &= ~(UINT32)TSS_TSPATTRIB_TRANSPORT_DEFAULT_ENCRYPTION;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_TRANSPORT_DEFAULT_ENCRYPTION:
	case TSS_TSPATTRIB_TRANSPORT_AUTHENTIC_CHANNEL:
	case TSS_TSPATTRIB_TRANSPORT_EXCLUSIVE:
	case TSS_TSPATTRIB_TRANSPORT_STATIC_AUTH:
		/* Takes effect with the next session (an open one keeps its attributes). */
		ctx->trans_control |= val;
		return TSS_SUCCESS;
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
	}
}

static bool has_popup_policy(struct tspi_ctx *ctx)
{
	struct obj *o = NULL;

	while ((o = obj_next_in(ctx, o, OBJ_POLICY)) != NULL)
		if (((struct tspi_policy *)o->data)->mode == TSS_SECRET_MODE_POPUP)
			return true;
	return false;
}

static TSS_RESULT context_get_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *val)
{
	struct tspi_ctx *ctx = o->ctx;

	switch (flag) {
	case TSS_TSPATTRIB_CONTEXT_SILENT_MODE:
		*val = ctx->silent_mode;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_SECRET_HASH_MODE:
		if (sub != TSS_TSPATTRIB_SECRET_HASH_MODE_POPUP)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);
		*val = ctx->secret_hash_mode;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_CONTEXT_VERSION_MODE:
		*val = ctx->connection_version;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_CONTEXT_CONNECTION_VERSION:
		if (ctx->conn == NULL)
			return TSP_ERROR(TSS_E_NO_CONNECTION);
		*val = ctx->tcs_tpm_version >= 2 ? TSS_TSPATTRIB_CONTEXT_VERSION_V1_2 :
						    TSS_TSPATTRIB_CONTEXT_VERSION_V1_1;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_CONTEXT_TRANSPORT:
		return transport_get(ctx, sub, val);
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	}
}

static TSS_RESULT context_set_u32(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 val)
{
	struct tspi_ctx *ctx = o->ctx;

	switch (flag) {
	case TSS_TSPATTRIB_CONTEXT_SILENT_MODE:
		if (val == TSS_TSPATTRIB_CONTEXT_SILENT && has_popup_policy(ctx))
			return TSP_ERROR(TSS_E_SILENT_CONTEXT);
		if (val != TSS_TSPATTRIB_CONTEXT_SILENT && val != TSS_TSPATTRIB_CONTEXT_NOT_SILENT)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_SUBFLAG);	/* sic, TrouSerS */
		ctx->silent_mode = val;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_SECRET_HASH_MODE:
		if (val != TSS_TSPATTRIB_HASH_MODE_NULL && val != TSS_TSPATTRIB_HASH_MODE_NOT_NULL)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
		ctx->secret_hash_mode = val;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_CONTEXT_VERSION_MODE:
		if (val != TSS_TSPATTRIB_CONTEXT_VERSION_AUTO &&
		    val != TSS_TSPATTRIB_CONTEXT_VERSION_V1_1 &&
		    val != TSS_TSPATTRIB_CONTEXT_VERSION_V1_2)
			return TSP_ERROR(TSS_E_INVALID_ATTRIB_DATA);
		ctx->connection_version = val;
		return TSS_SUCCESS;
	case TSS_TSPATTRIB_CONTEXT_TRANSPORT:
		return transport_set(ctx, sub, val);
	default:
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	}
}

static TSS_RESULT context_get_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 *len,
				   BYTE **data)
{
	BYTE *unicode;
	unsigned n;

	if (flag != TSS_TSPATTRIB_CONTEXT_MACHINE_NAME)
		return TSP_ERROR(TSS_E_INVALID_ATTRIB_FLAG);
	/* The name goes back as UTF-16LE with its NUL (TrouSerS). */
	unicode = Trspi_Native_To_UNICODE((BYTE *)o->ctx->machine_name, &n);
	if (unicode == NULL)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	*data = ctx_memdup(o->ctx, unicode, n);
	free(unicode);
	if (*data == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	*len = n;
	return TSS_SUCCESS;
}

static TSS_RESULT context_set_data(struct obj *o, TSS_FLAG flag, TSS_FLAG sub, UINT32 len,
				   const BYTE *data)
{
	return TSP_ERROR(TSS_E_BAD_PARAMETER);	/* nothing is settable as data (TrouSerS) */
}

const struct obj_class obj_class_context = {
	.type = OBJ_CONTEXT,
	.name = "context",
	.get_u32 = context_get_u32,
	.set_u32 = context_set_u32,
	.get_data = context_get_data,
	.set_data = context_set_data,
};
