/*
 * Trspi_*: the TrouSerS helper API (see include/trousers/trousers.h for
 * the contract each group of functions follows).
 *
 * Sections: result-code text, UTF-16 conversion, blob reading, blob
 * writing, hashing, RSA, symmetric ciphers.
 *
 * Blob reading goes through common/buf.h like every other parser in
 * tss12. The Trspi interface passes no buffer length, so the reader
 * covers "from blob + *offset to the end of the address space": the
 * bounds a caller's buffer really has are its responsibility, as with
 * TrouSerS. What the reader does add: every length field is capped
 * before it sizes an allocation (TRSPI_MAX_FIELD), a failure frees all
 * that the call allocated and leaves *offset unchanged, and no read
 * wraps around.
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <langinfo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <tss/platform.h>
#include <tss/tcs_error.h>
#include <tss/tddl_error.h>
#include <tss/tss_defines.h>
#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>
#include <tss/tss_structs.h>
#include <tss/tss_typedef.h>
#include <tss/tpm.h>
#include <trousers/trousers.h>

#include "buf.h"
#include "crypto.h"
#include "log.h"

/*
 * TrouSerS exports these two without declaring them in trousers.h;
 * binaries linked against it may import them, so we export them too.
 */
void Trspi_LoadBlob_UINT64(UINT64 *offset, UINT64 in, BYTE *blob);
void Trspi_UnloadBlob_VERSION(UINT64 *offset, BYTE *blob, TCPA_VERSION *out);

#define TSP_RC(code) ((TSS_RESULT)TSP_ERROR(code))

/* ====================================================================== */
/* Result-code text                                                       */
/* ====================================================================== */

/*
 * The English text TrouSerS 0.3.15 gives each code, so that messages
 * (and scripts that match them) stay the same. Layers are told apart by
 * bits 12-13 only, as TrouSerS does, so 0x4000 and up wrap around.
 */
struct err_text {
	UINT32 code;
	const char *text;
};

static const struct err_text tpm_texts[] = {
	{ TPM_E_AUTHFAIL,               "Authentication failed" },
	{ TPM_E_BADINDEX,               "Bad memory index" },
	{ TPM_E_BAD_PARAMETER,          "Bad Parameter" },
	{ TPM_E_AUDITFAILURE,           "Audit failure" },
	{ TPM_E_CLEAR_DISABLED,         "Clear has been disabled" },
	{ TPM_E_DEACTIVATED,            "TPM is deactivated" },
	{ TPM_E_DISABLED,               "TPM is disabled" },
	{ TPM_E_DISABLED_CMD,           "The TPM target command has been disabled" },
	{ TPM_E_FAIL,                   "Operation failed" },
	{ TPM_E_BAD_ORDINAL,            "Ordinal was unknown or inconsistent" },
	{ TPM_E_INSTALL_DISABLED,       "Owner install disabled" },
	{ TPM_E_INVALID_KEYHANDLE,      "Invalid keyhandle" },
	{ TPM_E_KEYNOTFOUND,            "Key not found" },
	{ TPM_E_INAPPROPRIATE_ENC,      "Bad encryption scheme" },
	{ TPM_E_MIGRATEFAIL,            "Migration authorization failed" },
	{ TPM_E_INVALID_PCR_INFO,       "PCR information uninterpretable" },
	{ TPM_E_NOSPACE,                "No space to load key" },
	{ TPM_E_NOSRK,                  "No SRK" },
	{ TPM_E_NOTSEALED_BLOB,         "Encrypted blob invalid" },
	{ TPM_E_OWNER_SET,              "Owner already set" },
	{ TPM_E_RESOURCES,              "Insufficient TPM resources" },
	{ TPM_E_SHORTRANDOM,            "Random string too short" },
	{ TPM_E_SIZE,                   "TPM out of space" },
	{ TPM_E_WRONGPCRVAL,            "Wrong PCR value" },
	{ TPM_E_BAD_PARAM_SIZE,         "Bad input size" },
	{ TPM_E_SHA_THREAD,             "No existing SHA-1 thread" },
	{ TPM_E_SHA_ERROR,              "SHA-1 error" },
	{ TPM_E_FAILEDSELFTEST,         "Self-test failed, TPM shutdown" },
	{ TPM_E_AUTH2FAIL,              "Second authorization session failed" },
	{ TPM_E_BADTAG,                 "Invalid tag" },
	{ TPM_E_IOERROR,                "I/O error" },
	{ TPM_E_ENCRYPT_ERROR,          "Encryption error" },
	{ TPM_E_DECRYPT_ERROR,          "Decryption error" },
	{ TPM_E_INVALID_AUTHHANDLE,     "Invalid authorization handle" },
	{ TPM_E_NO_ENDORSEMENT,         "No EK" },
	{ TPM_E_INVALID_KEYUSAGE,       "Invalid key usage" },
	{ TPM_E_WRONG_ENTITYTYPE,       "Invalid entity type" },
	{ TPM_E_INVALID_POSTINIT,       "Invalid POST init sequence" },
	{ TPM_E_INAPPROPRIATE_SIG,      "Invalid signature format" },
	{ TPM_E_BAD_KEY_PROPERTY,       "Unsupported key parameters" },
	{ TPM_E_BAD_MIGRATION,          "Invalid migration properties" },
	{ TPM_E_BAD_SCHEME,             "Invalid signature or encryption scheme" },
	{ TPM_E_BAD_DATASIZE,           "Invalid data size" },
	{ TPM_E_BAD_MODE,               "Bad mode parameter" },
	{ TPM_E_BAD_PRESENCE,           "Bad physical presence value" },
	{ TPM_E_BAD_VERSION,            "Invalid version" },
	{ TPM_E_NO_WRAP_TRANSPORT,      "TPM does not allow for wrapped transport sessions" },
	{ TPM_E_AUDITFAIL_UNSUCCESSFUL, "TPM audit construction failed and the underlying "
					"command was returning a failure code also" },
	{ TPM_E_AUDITFAIL_SUCCESSFUL,   "TPM audit construction failed and the underlying "
					"command was returning success" },
	{ TPM_E_NOTRESETABLE,           "Attempt to reset a PCR register that does not have "
					"the resettable attribute" },
	{ TPM_E_NOTLOCAL,               "Attempt to reset a PCR register that requires locality "
					"and locality modifier not part of command transport" },
	{ TPM_E_BAD_TYPE,               "Make identity blob not properly typed" },
	{ TPM_E_INVALID_RESOURCE,       "When saving context identified resource type does not "
					"match actual resource" },
	{ TPM_E_NOTFIPS,                "TPM is attempting to execute a command only available "
					"when in FIPS mode" },
	{ TPM_E_INVALID_FAMILY,         "Command is attempting to use an invalid family ID" },
	{ TPM_E_NO_NV_PERMISSION,       "Permission to manipulate the NV storage is not available" },
	{ TPM_E_REQUIRES_SIGN,          "Operation requires a signed command" },
	{ TPM_E_KEY_NOTSUPPORTED,       "Wrong operation to load an NV key" },
	{ TPM_E_AUTH_CONFLICT,          "NV_LoadKey blob requires both owner and blob authorization" },
	{ TPM_E_AREA_LOCKED,            "NV area is locked and not writable" },
	{ TPM_E_BAD_LOCALITY,           "Locality is incorrect for attempted operation" },
	{ TPM_E_READ_ONLY,              "NV area is read only and can't be written to" },
	{ TPM_E_PER_NOWRITE,            "There is no protection on write to NV area" },
	{ TPM_E_FAMILYCOUNT,            "Family count value does not match" },
	{ TPM_E_WRITE_LOCKED,           "NV area has already been written to" },
	{ TPM_E_BAD_ATTRIBUTES,         "NV area attributes conflict" },
	{ TPM_E_INVALID_STRUCTURE,      "Structure tag and version are invalid or inconsistent" },
	{ TPM_E_KEY_OWNER_CONTROL,      "Key is under control of TPM Owner and can only be "
					"evicted by TPM Owner" },
	{ TPM_E_BAD_COUNTER,            "Counter handle is incorrect" },
	{ TPM_E_NOT_FULLWRITE,          "Write is not a complete write of area" },
	{ TPM_E_CONTEXT_GAP,            "Gap between saved context counts is too large" },
	{ TPM_E_MAXNVWRITES,            "Maximum number of NV writes without an owner has been "
					"exceeded" },
	{ TPM_E_NOOPERATOR,             "No operator AuthData value is set" },
	{ TPM_E_RESOURCEMISSING,        "Resource pointed to by context is not loaded" },
	{ TPM_E_DELEGATE_LOCK,          "Delegate administration is locked" },
	{ TPM_E_DELEGATE_FAMILY,        "Attempt to manage a family other then delegated family" },
	{ TPM_E_DELEGATE_ADMIN,         "Delegation table management not enabled" },
	{ TPM_E_TRANSPORT_NOTEXCLUSIVE, "A command was executed outside of an exclusive "
					"transport session" },
	{ TPM_E_OWNER_CONTROL,          "Attempt to context save an owner evict-controlled key" },
	{ TPM_E_DAA_RESOURCES,          "DAA command has no resources available to execute command" },
	{ TPM_E_DAA_INPUT_DATA0,        "Consistency check on DAA parameter inputData0 has failed" },
	{ TPM_E_DAA_INPUT_DATA1,        "Consistency check on DAA parameter inputData1 has failed" },
	{ TPM_E_DAA_ISSUER_SETTINGS,    "Consistency check on DAA_issuerSettings has failed" },
	{ TPM_E_DAA_TPM_SETTINGS,       "Consistency check on DAA_tpmSpecific has failed" },
	{ TPM_E_DAA_STAGE,              "Atomic process indicated by submitted DAA command is "
					"not expected process" },
	{ TPM_E_DAA_ISSUER_VALIDITY,    "Issuer's validity check has detected an inconsistency" },
	{ TPM_E_DAA_WRONG_W,            "Consistency check on w has failed" },
	{ TPM_E_BAD_HANDLE,             "Handle is incorrect" },
	{ TPM_E_BAD_DELEGATE,           "Delegation is not correct" },
	{ TPM_E_BADCONTEXT,             "Context blob is invalid" },
	{ TPM_E_TOOMANYCONTEXTS,        "Too many contexts held by TPM" },
	{ TPM_E_MA_TICKET_SIGNATURE,    "Migration authority signature validation failure" },
	{ TPM_E_MA_DESTINATION,         "Migration destination not authenticated" },
	{ TPM_E_MA_SOURCE,              "Migration source incorrect" },
	{ TPM_E_MA_AUTHORITY,           "Incorrect migration authority" },
	{ TPM_E_PERMANENTEK,            "Attempt to revoke EK but EK is not revocable" },
	{ TPM_E_BAD_SIGNATURE,          "Bad signature of CMK ticket" },
	{ TPM_E_NOCONTEXTSPACE,         "No room in context list for additional contexts" },
	{ TPM_E_RETRY,                  "TPM busy: Retry command at a later time" },
	{ TPM_E_NEEDS_SELFTEST,         "SelfTestFull has not been run" },
	{ TPM_E_DOING_SELFTEST,         "TPM is currently executing a full selftest" },
	{ TPM_E_DEFEND_LOCK_RUNNING,    "TPM is defending against dictionary attacks and is in "
					"some time-out period" },
};

/* Codes every software layer (TDDL, TCS, TSP) may return. */
static const struct err_text common_texts[] = {
	{ TSS_E_FAIL,                    "General failure" },
	{ TSS_E_BAD_PARAMETER,           "Bad parameter" },
	{ TSS_E_INTERNAL_ERROR,          "Internal software error" },
	{ TSS_E_OUTOFMEMORY,             "Out of memory" },
	{ TSS_E_NOTIMPL,                 "Not implemented" },
	{ TSS_E_KEY_ALREADY_REGISTERED,  "UUID already registered" },
	{ TSS_E_TPM_UNEXPECTED,          "Unexpected TPM output" },
	{ TSS_E_COMM_FAILURE,            "Communication failure" },
	{ TSS_E_TIMEOUT,                 "The operation has timed out" },
	{ TSS_E_TPM_UNSUPPORTED_FEATURE, "Unsupported feature" },
	{ TSS_E_CANCELED,                "The action was cancelled by request" },
	{ TSS_E_PS_KEY_NOTFOUND,         "Key not found in persistent storage" },
};

static const struct err_text tddl_texts[] = {
	{ TDDL_E_ALREADY_OPENED,      "Device already opened" },
	{ TDDL_E_ALREADY_CLOSED,      "Device driver already closed" },
	{ TDDL_E_INSUFFICIENT_BUFFER, "Receive buffer too small" },
	{ TDDL_E_COMMAND_COMPLETED,   "Command has already completed" },
	{ TDDL_E_COMMAND_ABORTED,     "TPM aborted processing of command" },
	{ TDDL_E_IOERROR,             "I/O error" },
	{ TDDL_E_BADTAG,              "Invalid or unsupported capability" },
	{ TDDL_E_COMPONENT_NOT_FOUND, "Connection to TPM device failed" },
};

static const struct err_text tcs_texts[] = {
	{ TCS_E_INVALID_CONTEXTHANDLE, "Invalid context handle" },
	{ TCS_E_INVALID_KEYHANDLE,     "Invalid key handle" },
	{ TCS_E_INVALID_AUTHHANDLE,    "Invalid authorization session handle" },
	{ TCS_E_INVALID_AUTHSESSION,   "Authorization session has been closed by TPM" },
	{ TCS_E_INVALID_KEY,           "Invalid key" },
	{ TCS_E_KEY_MISMATCH,          "UUID does not match key handle" },
	{ TCS_E_KM_LOADFAILED,         "Key load failed: parent key requires authorization" },
	{ TCS_E_KEY_CONTEXT_RELOAD,    "Reload of key context failed" },
	{ TCS_E_BAD_INDEX,             "Bad memory index" },
};

static const struct err_text tsp_texts[] = {
	{ TSS_E_INVALID_OBJECT_TYPE,      "Object type not valid for this operation" },
	{ TSS_E_NO_CONNECTION,            "Core service connection doesn't exist" },
	{ TSS_E_CONNECTION_FAILED,        "Core service connection failed" },
	{ TSS_E_CONNECTION_BROKEN,        "Communication with core services failed" },
	{ TSS_E_HASH_INVALID_ALG,         "Invalid hash algorithm" },
	{ TSS_E_HASH_INVALID_LENGTH,      "Hash length is inconsistent with algorithm" },
	{ TSS_E_HASH_NO_DATA,             "Hash object has no internal hash value" },
	{ TSS_E_INVALID_ATTRIB_FLAG,      "Flag value for attrib-functions inconsistent" },
	{ TSS_E_INVALID_ATTRIB_SUBFLAG,   "Sub-flag value for attrib-functions inconsistent" },
	{ TSS_E_INVALID_ATTRIB_DATA,      "Data for attrib-functions invalid" },
	{ TSS_E_INVALID_OBJECT_INIT_FLAG, "Wrong flag information for object creation" },
	{ TSS_E_NO_PCRS_SET,              "No PCR registers are selected or set" },
	{ TSS_E_KEY_NOT_LOADED,           "The addressed key is not currently loaded" },
	/* sic: the typo is TrouSerS' text, kept so messages match */
	{ TSS_E_KEY_NOT_SET,              "No key informatio is currently available" },
	{ TSS_E_VALIDATION_FAILED,        "Internal validation of data failed" },
	{ TSS_E_TSP_AUTHREQUIRED,         "Authorization is required" },
	{ TSS_E_TSP_AUTH2REQUIRED,        "Multiple authorizations are required" },
	{ TSS_E_TSP_AUTHFAIL,             "Authorization failed" },
	{ TSS_E_TSP_AUTH2FAIL,            "Multiple authorization failed" },
	{ TSS_E_KEY_NO_MIGRATION_POLICY,  "Addressed key has no migration policy" },
	{ TSS_E_POLICY_NO_SECRET,         "No secret information available for the address policy" },
	{ TSS_E_INVALID_OBJ_ACCESS,       "Accessed object is in an inconsistent state" },
	{ TSS_E_INVALID_ENCSCHEME,        "Invalid encryption scheme" },
	{ TSS_E_INVALID_SIGSCHEME,        "Invalid signature scheme" },
	{ TSS_E_ENC_INVALID_LENGTH,       "Invalid length for encrypted data object" },
	{ TSS_E_ENC_NO_DATA,              "Encrypted data object contains no data" },
	{ TSS_E_ENC_INVALID_TYPE,         "Invalid type for encrypted data object" },
	{ TSS_E_INVALID_KEYUSAGE,         "Invalid usage of key" },
	{ TSS_E_VERIFICATION_FAILED,      "Internal validation of data failed" },
	{ TSS_E_HASH_NO_IDENTIFIER,       "Hash algorithm identifier not set" },
	{ TSS_E_INVALID_HANDLE,           "Invalid handle" },
	{ TSS_E_SILENT_CONTEXT,           "A silent context requires user input" },
	{ TSS_E_NV_AREA_EXIST,            "NVRAM area already exists" },
	{ TSS_E_NV_AREA_NOT_EXIST,        "NVRAM area does not exist" },
};

#define TABLE(t) { t, sizeof(t) / sizeof((t)[0]) }

struct err_table {
	const struct err_text *rows;
	size_t count;
};

/*
 * Per layer (index = bits 12-13): the tables searched in order and the
 * text for a code none of them knows.
 */
static const struct {
	const char *name;
	struct err_table first, second;
	const char *unknown;
} layers[4] = {
	{ "tpm",  TABLE(tpm_texts),    { NULL, 0 },       "Unknown error" },
	{ "tddl", TABLE(common_texts), TABLE(tddl_texts), "Unknown" },
	{ "tcs",  TABLE(common_texts), TABLE(tcs_texts),  "Unknown" },
	{ "tsp",  TABLE(common_texts), TABLE(tsp_texts),  "Unknown" },
};

static unsigned int layer_index(TSS_RESULT r)
{
	return (unsigned int)((r & 0x3000) >> 12);
}

static const char *table_find(const struct err_table *t, UINT32 code)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->rows[i].code == code)
			return t->rows[i].text;
	return NULL;
}

char *Trspi_Error_String(TSS_RESULT r)
{
	unsigned int l = layer_index(r);
	UINT32 code = r & TSS_MAX_ERROR;
	const char *text;

	if (code == TSS_SUCCESS)
		return (char *)"Success";
	text = table_find(&layers[l].first, code);
	if (text == NULL)
		text = table_find(&layers[l].second, code);
	/* The API returns char * for historical reasons; callers must not write. */
	return (char *)(text != NULL ? text : layers[l].unknown);
}

char *Trspi_Error_Layer(TSS_RESULT r)
{
	return (char *)layers[layer_index(r)].name;
}

TSS_RESULT Trspi_Error_Code(TSS_RESULT r)
{
	return r & TSS_MAX_ERROR;
}

/* ====================================================================== */
/* UTF-16 ("UNICODE") conversion                                           */
/* ====================================================================== */

/*
 * A converted string may have at most this many bytes before its
 * terminator, TrouSerS' limit; longer strings give NULL.
 */
#define UNICODE_MAX_BYTES 4096

/* Width in bytes of one code unit, hence of the NUL terminator. */
static size_t codeset_width(const char *codeset)
{
	if (strcmp(codeset, "UTF-16") == 0)
		return 2;
	if (strcmp(codeset, "UTF-32") == 0)
		return 4;
	return 1;
}

/* Bytes before the first all-zero code unit of the given width. */
static size_t unit_strlen(const BYTE *s, size_t width)
{
	size_t n = 0;

	for (;;) {
		size_t i;

		for (i = 0; i < width && s[n + i] == 0; i++)
			;
		if (i == width)
			return n;
		n += width;
	}
}

/*
 * Converts in[0..in_len) into out (out_cap bytes). Returns the iconv
 * status (0, or the errno that stopped it) and the bytes produced.
 */
static int iconv_run(iconv_t cd, const BYTE *in, size_t in_len, BYTE *out, size_t out_cap,
		     size_t *produced)
{
	char *ip = (char *)in, *op = (char *)out;
	size_t il = in_len, ol = out_cap;
	int err = 0;

	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
		err = errno;
	*produced = out_cap - ol;
	return err;
}

/*
 * Converts a string and lays the result out exactly as TrouSerS does,
 * including for input it cannot convert: it keeps what was converted
 * before the bad character.
 *
 * TrouSerS sizes its output by retrying with a buffer one byte larger
 * until iconv stops saying "too big" (E2BIG); the size it settles on,
 * "fit", is what it returns (plus the terminator). For a clean
 * conversion that is the converted length. When conversion stops at an
 * invalid character it can be a byte more, depending on whether iconv
 * reports the bad character or the full buffer first; we find fit the
 * same way, starting from the converted length instead of 1.
 */
static BYTE *convert_string(const char *to, const char *from, const BYTE *in, size_t in_len,
			    size_t term_width, size_t max_fit, unsigned *size)
{
	iconv_t cd;
	BYTE *scratch = NULL, *ret = NULL;
	size_t produced, fit, got;
	int err;

	cd = iconv_open(to, from);
	if (cd == (iconv_t)-1) {
		log_debug("trspi: iconv_open(%s, %s) failed: %s", to, from, strerror(errno));
		return NULL;
	}
	/* Room for the longest acceptable result plus enough to see it is longer. */
	scratch = malloc(max_fit + 8);
	if (scratch == NULL)
		goto out;

	err = iconv_run(cd, in, in_len, scratch, max_fit + 8, &produced);
	if (err == E2BIG || produced > max_fit) {
		log_debug("trspi: string too long to convert");
		goto out;
	}
	fit = produced > 0 ? produced : 1;
	while (fit <= max_fit && iconv_run(cd, in, in_len, scratch, fit, &got) == E2BIG)
		fit++;
	if (fit > max_fit) {
		log_debug("trspi: string too long to convert");
		goto out;
	}
	/* The buffer holds the converted prefix, zero-filled to fit + terminator. */
	ret = calloc(1, fit + term_width);
	if (ret == NULL)
		goto out;
	memcpy(ret, scratch, produced);
	if (size != NULL)
		*size = (unsigned)(fit + term_width);
out:
	if (scratch != NULL)
		OPENSSL_clear_free(scratch, max_fit + 8);
	iconv_close(cd);
	return ret;
}

BYTE *Trspi_Native_To_UNICODE(BYTE *string, unsigned *size)
{
	const char *codeset;
	size_t in_len;
	BYTE *ret;

	if (string != NULL) {
		codeset = nl_langinfo(CODESET);
		in_len = unit_strlen(string, codeset_width(codeset));
		if (in_len > 0)
			return convert_string("UTF-16LE", codeset, string, in_len, 2,
					      UNICODE_MAX_BYTES, size);
	}
	/* NULL and "" both become the empty UTF-16 string, a lone terminator. */
	ret = calloc(1, 2);
	if (ret != NULL && size != NULL)
		*size = 2;
	return ret;
}

BYTE *Trspi_UNICODE_To_Native(BYTE *string, unsigned *size)
{
	const char *codeset = nl_langinfo(CODESET);
	size_t in_len, width = codeset_width(codeset);

	if (string == NULL) {
		if (size != NULL)
			*size = 0;
		return NULL;
	}
	/* TrouSerS gives NULL (and leaves *size alone) for an empty string. */
	in_len = unit_strlen(string, 2);
	if (in_len == 0)
		return NULL;
	/* Here the limit covers the terminator too. */
	return convert_string(codeset, "UTF-16LE", string, in_len, width,
			      UNICODE_MAX_BYTES - width, size);
}

/* ====================================================================== */
/* Reading blobs                                                          */
/* ====================================================================== */

/* Largest variable-length member an Unload function will allocate. */
#define TRSPI_MAX_FIELD ((UINT32)1 << 20)

/*
 * A reader from blob + *offset to the end of the address space (see the
 * comment at the top). A NULL blob or an offset outside the address
 * space gives a reader that fails on the first read.
 */
static void reader_open(struct buf_reader *r, const BYTE *blob, const UINT64 *offset)
{
	uintptr_t start;

	if (blob == NULL || offset == NULL || *offset > UINTPTR_MAX - (uintptr_t)blob) {
		buf_reader_init(r, NULL, 0);
		return;
	}
	start = (uintptr_t)blob + (uintptr_t)*offset;
	buf_reader_init(r, blob + *offset, UINTPTR_MAX - start);
}

/* Ends an Unload call: on success the offset moves past what was read. */
static TSS_RESULT reader_close(const struct buf_reader *r, UINT64 *offset, int rc)
{
	if (rc == 0)
		rc = buf_reader_error(r);
	if (rc == 0) {
		*offset += r->off;
		return TSS_SUCCESS;
	}
	if (rc == -ENOMEM)
		return TSP_RC(TSS_E_OUTOFMEMORY);
	log_debug("trspi: cannot unload structure (%s)", strerror(-rc));
	return TSP_RC(TSS_E_BAD_PARAMETER);
}

/*
 * Reads n bytes of a variable-length member: into fresh memory at *dst,
 * or skipped when dst is NULL (the caller asked only to move past it).
 * A zero-length member is NULL, as in TrouSerS.
 */
static int get_member(struct buf_reader *r, UINT32 n, BYTE **dst)
{
	if (dst == NULL)
		return buf_skip(r, n);
	*dst = NULL;
	if (n > TRSPI_MAX_FIELD)
		return buf_reader_fail(r, -E2BIG);
	return buf_get_dup(r, dst, n);
}

/* As get_member, but never NULL: a zero-length member gets a 1-byte block. */
static int get_member_always(struct buf_reader *r, UINT32 n, BYTE **dst)
{
	if (get_member(r, n, dst) == 0 && dst != NULL && *dst == NULL) {
		*dst = calloc(1, 1);
		if (*dst == NULL)
			return buf_reader_fail(r, -ENOMEM);
	}
	return buf_reader_error(r);
}

static void release(BYTE **p)
{
	free(*p);
	*p = NULL;
}

/*
 * Every get_* below fills *x from the reader, or only skips the encoding
 * when x is NULL. On failure it frees what it allocated, zeroes *x and
 * returns the reader's (sticky) error.
 */

static int get_version(struct buf_reader *r, TPM_STRUCT_VER *v)
{
	TPM_STRUCT_VER tmp;

	if (v == NULL)
		v = &tmp;
	buf_get_u8(r, &v->major);
	buf_get_u8(r, &v->minor);
	buf_get_u8(r, &v->revMajor);
	return buf_get_u8(r, &v->revMinor);
}

static int get_tss_version(struct buf_reader *r, TSS_VERSION *v)
{
	TSS_VERSION tmp;

	if (v == NULL)
		v = &tmp;
	buf_get_u8(r, &v->bMajor);
	buf_get_u8(r, &v->bMinor);
	buf_get_u8(r, &v->bRevMajor);
	return buf_get_u8(r, &v->bRevMinor);
}

static int get_bool(struct buf_reader *r, TSS_BOOL *b)
{
	uint8_t v;

	buf_get_u8(r, &v);
	if (b != NULL)
		*b = (TSS_BOOL)v;
	return buf_reader_error(r);
}

static int get_digest(struct buf_reader *r, BYTE digest[TPM_SHA1_160_HASH_LEN])
{
	return buf_get_bytes(r, digest, TPM_SHA1_160_HASH_LEN);
}

static int get_uuid(struct buf_reader *r, TSS_UUID *u)
{
	TSS_UUID tmp;

	if (u == NULL)
		u = &tmp;
	memset(u, 0, sizeof(*u));
	buf_get_u32(r, &u->ulTimeLow);
	buf_get_u16(r, &u->usTimeMid);
	buf_get_u16(r, &u->usTimeHigh);
	buf_get_u8(r, &u->bClockSeqHigh);
	buf_get_u8(r, &u->bClockSeqLow);
	return buf_get_bytes(r, u->rgbNode, sizeof(u->rgbNode));
}

/* TPM 1.2 Part 2 §8.1 */
static int get_pcr_selection(struct buf_reader *r, TPM_PCR_SELECTION *p)
{
	TPM_PCR_SELECTION tmp;
	int rc;

	if (p == NULL) {
		buf_get_u16(r, &tmp.sizeOfSelect);
		return buf_skip(r, tmp.sizeOfSelect);
	}
	memset(p, 0, sizeof(*p));
	buf_get_u16(r, &p->sizeOfSelect);
	if ((rc = get_member(r, p->sizeOfSelect, &p->pcrSelect)) != 0)
		memset(p, 0, sizeof(*p));
	return rc;
}

/* TPM 1.2 Part 2 §8.6 */
static int get_pcr_info_short(struct buf_reader *r, TPM_PCR_INFO_SHORT *p)
{
	int rc;

	if (p == NULL) {
		get_pcr_selection(r, NULL);
		buf_skip(r, 1);
		return buf_skip(r, TPM_SHA1_160_HASH_LEN);
	}
	memset(p, 0, sizeof(*p));
	get_pcr_selection(r, &p->pcrSelection);
	buf_get_u8(r, &p->localityAtRelease);
	if ((rc = get_digest(r, p->digestAtRelease.digest)) != 0) {
		free(p->pcrSelection.pcrSelect);
		memset(p, 0, sizeof(*p));
	}
	return rc;
}

/* TPM 1.2 Part 2 §8.3 (the 1.1 TPM_PCR_INFO) */
static int get_pcr_info(struct buf_reader *r, TPM_PCR_INFO *p)
{
	int rc;

	if (p == NULL) {
		get_pcr_selection(r, NULL);
		return buf_skip(r, 2 * TPM_SHA1_160_HASH_LEN);
	}
	memset(p, 0, sizeof(*p));
	get_pcr_selection(r, &p->pcrSelection);
	get_digest(r, p->digestAtRelease.digest);
	if ((rc = get_digest(r, p->digestAtCreation.digest)) != 0) {
		free(p->pcrSelection.pcrSelect);
		memset(p, 0, sizeof(*p));
	}
	return rc;
}

/* TPM 1.2 Part 2 §8.4 */
static int get_pcr_info_long(struct buf_reader *r, TPM_PCR_INFO_LONG *p)
{
	TPM_PCR_INFO_LONG tmp;
	TPM_PCR_INFO_LONG *o = p != NULL ? p : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u16(r, &o->tag);
	buf_get_u8(r, &o->localityAtCreation);
	buf_get_u8(r, &o->localityAtRelease);
	get_pcr_selection(r, p != NULL ? &o->creationPCRSelection : NULL);
	get_pcr_selection(r, p != NULL ? &o->releasePCRSelection : NULL);
	get_digest(r, o->digestAtCreation.digest);
	if ((rc = get_digest(r, o->digestAtRelease.digest)) != 0) {
		free(o->creationPCRSelection.pcrSelect);
		free(o->releasePCRSelection.pcrSelect);
		memset(o, 0, sizeof(*o));
	}
	return rc;
}

/* TPM 1.2 Part 2 §10.1 */
static int get_key_parms(struct buf_reader *r, TPM_KEY_PARMS *k)
{
	TPM_KEY_PARMS tmp;
	TPM_KEY_PARMS *o = k != NULL ? k : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u32(r, &o->algorithmID);
	buf_get_u16(r, &o->encScheme);
	buf_get_u16(r, &o->sigScheme);
	buf_get_u32(r, &o->parmSize);
	if ((rc = get_member(r, o->parmSize, k != NULL ? &o->parms : NULL)) != 0)
		memset(o, 0, sizeof(*o));
	return rc;
}

/* TPM 1.2 Part 2 §10.4 */
static int get_store_pubkey(struct buf_reader *r, TPM_STORE_PUBKEY *s)
{
	TPM_STORE_PUBKEY tmp;
	TPM_STORE_PUBKEY *o = s != NULL ? s : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u32(r, &o->keyLength);
	if ((rc = get_member(r, o->keyLength, s != NULL ? &o->key : NULL)) != 0)
		memset(o, 0, sizeof(*o));
	return rc;
}

static void free_key_parms(TPM_KEY_PARMS *k)
{
	free(k->parms);
	memset(k, 0, sizeof(*k));
}

static void free_store_pubkey(TPM_STORE_PUBKEY *s)
{
	free(s->key);
	memset(s, 0, sizeof(*s));
}

/* TPM 1.2 Part 2 §10.5: TPM_KEY_PARMS then TPM_STORE_PUBKEY */
static int get_pubkey(struct buf_reader *r, TPM_PUBKEY *k)
{
	int rc;

	if (k == NULL) {
		get_key_parms(r, NULL);
		return get_store_pubkey(r, NULL);
	}
	memset(k, 0, sizeof(*k));
	get_key_parms(r, &k->algorithmParms);
	if ((rc = get_store_pubkey(r, &k->pubKey)) != 0)
		free_key_parms(&k->algorithmParms);
	return rc;
}

/*
 * The part TPM_KEY and TPM_KEY12 share after their first 8 bytes
 * (TPM 1.2 Part 2 §10.2 and §10.3).
 */
struct key_body {
	UINT16 *keyUsage;
	TPM_KEY_FLAGS *keyFlags;
	BYTE *authDataUsage;
	TPM_KEY_PARMS *algorithmParms;
	UINT32 *PCRInfoSize;
	BYTE **PCRInfo;
	TPM_STORE_PUBKEY *pubKey;
	UINT32 *encSize;
	BYTE **encData;
};

static int get_key_body(struct buf_reader *r, const struct key_body *b, bool skip)
{
	int rc;

	buf_get_u16(r, b->keyUsage);
	buf_get_u32(r, b->keyFlags);
	buf_get_u8(r, b->authDataUsage);
	get_key_parms(r, skip ? NULL : b->algorithmParms);
	buf_get_u32(r, b->PCRInfoSize);
	get_member(r, *b->PCRInfoSize, skip ? NULL : b->PCRInfo);
	get_store_pubkey(r, skip ? NULL : b->pubKey);
	buf_get_u32(r, b->encSize);
	rc = get_member(r, *b->encSize, skip ? NULL : b->encData);
	if (rc != 0 && !skip) {
		free_key_parms(b->algorithmParms);
		release(b->PCRInfo);
		free_store_pubkey(b->pubKey);
		release(b->encData);
	}
	return rc;
}

static int get_key(struct buf_reader *r, TPM_KEY *k)
{
	TPM_KEY tmp;
	TPM_KEY *o = k != NULL ? k : &tmp;
	const struct key_body b = {
		&o->keyUsage, &o->keyFlags, &o->authDataUsage, &o->algorithmParms,
		&o->PCRInfoSize, &o->PCRInfo, &o->pubKey, &o->encSize, &o->encData,
	};
	int rc;

	memset(o, 0, sizeof(*o));
	get_version(r, &o->ver);
	if ((rc = get_key_body(r, &b, k == NULL)) != 0)
		memset(o, 0, sizeof(*o));
	return rc;
}

static int get_key12(struct buf_reader *r, TPM_KEY12 *k)
{
	TPM_KEY12 tmp;
	TPM_KEY12 *o = k != NULL ? k : &tmp;
	const struct key_body b = {
		&o->keyUsage, &o->keyFlags, &o->authDataUsage, &o->algorithmParms,
		&o->PCRInfoSize, &o->PCRInfo, &o->pubKey, &o->encSize, &o->encData,
	};
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u16(r, &o->tag);
	buf_get_u16(r, &o->fill);
	if ((rc = get_key_body(r, &b, k == NULL)) != 0)
		memset(o, 0, sizeof(*o));
	return rc;
}

/* TPM 1.2 Part 2 §9.1 */
static int get_stored_data(struct buf_reader *r, TPM_STORED_DATA *d)
{
	TPM_STORED_DATA tmp;
	TPM_STORED_DATA *o = d != NULL ? d : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	get_version(r, &o->ver);
	buf_get_u32(r, &o->sealInfoSize);
	get_member(r, o->sealInfoSize, d != NULL ? &o->sealInfo : NULL);
	buf_get_u32(r, &o->encDataSize);
	if ((rc = get_member(r, o->encDataSize, d != NULL ? &o->encData : NULL)) != 0) {
		if (d != NULL)
			release(&o->sealInfo);
		memset(o, 0, sizeof(*o));
	}
	return rc;
}

/* TPM 1.2 Part 2 §8.2 */
static int get_pcr_composite(struct buf_reader *r, TPM_PCR_COMPOSITE *c)
{
	TPM_PCR_COMPOSITE tmp;
	TPM_PCR_COMPOSITE *o = c != NULL ? c : &tmp;
	BYTE *values = NULL;
	int rc;

	memset(o, 0, sizeof(*o));
	get_pcr_selection(r, c != NULL ? &o->select : NULL);
	buf_get_u32(r, &o->valueSize);
	/* TrouSerS always allocates pcrValue here, even for size 0. */
	rc = get_member_always(r, o->valueSize, c != NULL ? &values : NULL);
	if (rc != 0) {
		if (c != NULL)
			free(o->select.pcrSelect);
		memset(o, 0, sizeof(*o));
		return rc;
	}
	o->pcrValue = (TPM_PCRVALUE *)(void *)values;
	return 0;
}

/* TPM 1.2 Part 2 §9.3 */
static int get_symmetric_key(struct buf_reader *r, TPM_SYMMETRIC_KEY *k)
{
	TPM_SYMMETRIC_KEY tmp;
	TPM_SYMMETRIC_KEY *o = k != NULL ? k : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u32(r, &o->algId);
	buf_get_u16(r, &o->encScheme);
	buf_get_u16(r, &o->size);
	if ((rc = get_member(r, o->size, k != NULL ? &o->data : NULL)) != 0)
		memset(o, 0, sizeof(*o));
	return rc;
}

/* TPM 1.2 Part 2 §5.7 */
static int get_migrationkeyauth(struct buf_reader *r, TPM_MIGRATIONKEYAUTH *m)
{
	int rc;

	if (m == NULL) {
		get_pubkey(r, NULL);
		buf_skip(r, 2);
		return buf_skip(r, TPM_SHA1_160_HASH_LEN);
	}
	memset(m, 0, sizeof(*m));
	get_pubkey(r, &m->migrationKey);
	buf_get_u16(r, &m->migrationScheme);
	if ((rc = get_digest(r, m->digest.digest)) != 0) {
		free_key_parms(&m->migrationKey.algorithmParms);
		free_store_pubkey(&m->migrationKey.pubKey);
		memset(m, 0, sizeof(*m));
	}
	return rc;
}

/* TSS 1.2 §4.3.4.15: TSS_PCR_EVENT in TrouSerS' wire order */
static int get_pcr_event(struct buf_reader *r, TSS_PCR_EVENT *e)
{
	TSS_PCR_EVENT tmp;
	TSS_PCR_EVENT *o = e != NULL ? e : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	get_tss_version(r, &o->versionInfo);
	buf_get_u32(r, &o->ulPcrIndex);
	buf_get_u32(r, &o->eventType);
	buf_get_u32(r, &o->ulPcrValueLength);
	get_member(r, o->ulPcrValueLength, e != NULL ? &o->rgbPcrValue : NULL);
	buf_get_u32(r, &o->ulEventLength);
	if ((rc = get_member(r, o->ulEventLength, e != NULL ? &o->rgbEvent : NULL)) != 0) {
		if (e != NULL)
			release(&o->rgbPcrValue);
		memset(o, 0, sizeof(*o));
	}
	return rc;
}

/* TSS_KM_KEYINFO and TSS_KM_KEYINFO2 differ only by two UINT32s. */
static int get_km_keyinfo_common(struct buf_reader *r, TSS_VERSION *ver, TSS_UUID *key,
				 TSS_UUID *parent, BYTE *auth, TSS_FLAG *ps, TSS_FLAG *ps_parent,
				 TSS_BOOL *loaded, UINT32 *vendor_len, BYTE **vendor)
{
	get_tss_version(r, ver);
	get_uuid(r, key);
	get_uuid(r, parent);
	buf_get_u8(r, auth);
	if (ps != NULL) {
		buf_get_u32(r, ps);
		buf_get_u32(r, ps_parent);
	}
	get_bool(r, loaded);
	buf_get_u32(r, vendor_len);
	return get_member(r, *vendor_len, vendor);
}

static int get_km_keyinfo(struct buf_reader *r, TSS_KM_KEYINFO *i)
{
	TSS_KM_KEYINFO tmp;
	TSS_KM_KEYINFO *o = i != NULL ? i : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	rc = get_km_keyinfo_common(r, &o->versionInfo, &o->keyUUID, &o->parentKeyUUID,
				   &o->bAuthDataUsage, NULL, NULL, &o->fIsLoaded,
				   &o->ulVendorDataLength, i != NULL ? &o->rgbVendorData : NULL);
	if (rc != 0)
		memset(o, 0, sizeof(*o));
	return rc;
}

static int get_km_keyinfo2(struct buf_reader *r, TSS_KM_KEYINFO2 *i)
{
	TSS_KM_KEYINFO2 tmp;
	TSS_KM_KEYINFO2 *o = i != NULL ? i : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	rc = get_km_keyinfo_common(r, &o->versionInfo, &o->keyUUID, &o->parentKeyUUID,
				   &o->bAuthDataUsage, &o->persistentStorageType,
				   &o->persistentStorageTypeParent, &o->fIsLoaded,
				   &o->ulVendorDataLength, i != NULL ? &o->rgbVendorData : NULL);
	if (rc != 0)
		memset(o, 0, sizeof(*o));
	return rc;
}

/* TPM 1.2 Part 1 §11.3 identity structures */
static int get_sym_ca_attestation(struct buf_reader *r, TPM_SYM_CA_ATTESTATION *s)
{
	TPM_SYM_CA_ATTESTATION tmp;
	TPM_SYM_CA_ATTESTATION *o = s != NULL ? s : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u32(r, &o->credSize);
	get_key_parms(r, s != NULL ? &o->algorithm : NULL);
	if ((rc = get_member(r, o->credSize, s != NULL ? &o->credential : NULL)) != 0) {
		if (s != NULL)
			free_key_parms(&o->algorithm);
		memset(o, 0, sizeof(*o));
	}
	return rc;
}

static int get_asym_ca_contents(struct buf_reader *r, TPM_ASYM_CA_CONTENTS *a)
{
	int rc;

	if (a == NULL) {
		get_symmetric_key(r, NULL);
		return buf_skip(r, TPM_SHA1_160_HASH_LEN);
	}
	memset(a, 0, sizeof(*a));
	get_symmetric_key(r, &a->sessionKey);
	if ((rc = get_digest(r, a->idDigest.digest)) != 0) {
		free(a->sessionKey.data);
		memset(a, 0, sizeof(*a));
	}
	return rc;
}

static int get_identity_req(struct buf_reader *r, TPM_IDENTITY_REQ *q)
{
	TPM_IDENTITY_REQ tmp;
	TPM_IDENTITY_REQ *o = q != NULL ? q : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u32(r, &o->asymSize);
	buf_get_u32(r, &o->symSize);
	get_key_parms(r, q != NULL ? &o->asymAlgorithm : NULL);
	get_key_parms(r, q != NULL ? &o->symAlgorithm : NULL);
	get_member(r, o->asymSize, q != NULL ? &o->asymBlob : NULL);
	rc = get_member(r, o->symSize, q != NULL ? &o->symBlob : NULL);
	if (rc != 0) {
		if (q != NULL) {
			free_key_parms(&o->asymAlgorithm);
			free_key_parms(&o->symAlgorithm);
			release(&o->asymBlob);
		}
		memset(o, 0, sizeof(*o));
	}
	return rc;
}

static int get_identity_proof(struct buf_reader *r, TPM_IDENTITY_PROOF *p)
{
	TPM_IDENTITY_PROOF tmp;
	TPM_IDENTITY_PROOF *o = p != NULL ? p : &tmp;
	bool keep = p != NULL;
	int rc;

	memset(o, 0, sizeof(*o));
	get_version(r, &o->ver);
	buf_get_u32(r, &o->labelSize);
	buf_get_u32(r, &o->identityBindingSize);
	buf_get_u32(r, &o->endorsementSize);
	buf_get_u32(r, &o->platformSize);
	buf_get_u32(r, &o->conformanceSize);
	get_pubkey(r, keep ? &o->identityKey : NULL);
	get_member(r, o->labelSize, keep ? &o->labelArea : NULL);
	get_member(r, o->identityBindingSize, keep ? &o->identityBinding : NULL);
	get_member(r, o->endorsementSize, keep ? &o->endorsementCredential : NULL);
	get_member(r, o->platformSize, keep ? &o->platformCredential : NULL);
	rc = get_member(r, o->conformanceSize, keep ? &o->conformanceCredential : NULL);
	if (rc != 0) {
		if (keep) {
			free_key_parms(&o->identityKey.algorithmParms);
			free_store_pubkey(&o->identityKey.pubKey);
			free(o->labelArea);
			free(o->identityBinding);
			free(o->endorsementCredential);
			free(o->platformCredential);
		}
		memset(o, 0, sizeof(*o));
	}
	return rc;
}

/*
 * TPM 1.2 Part 2 §11.1. TrouSerS hands PCRInfo back as an allocated,
 * parsed TPM_PCR_INFO (callers cast the BYTE * member), so we do too.
 * Unlike TrouSerS we read no PCR_INFO when PCRInfoSize is 0, because
 * then there is none.
 */
static int get_certify_info(struct buf_reader *r, TPM_CERTIFY_INFO *c)
{
	TPM_CERTIFY_INFO tmp;
	TPM_CERTIFY_INFO *o = c != NULL ? c : &tmp;
	TPM_PCR_INFO *info = NULL;
	int rc;

	memset(o, 0, sizeof(*o));
	get_version(r, &o->version);
	buf_get_u16(r, &o->keyUsage);
	buf_get_u32(r, &o->keyFlags);
	buf_get_u8(r, &o->authDataUsage);
	get_key_parms(r, c != NULL ? &o->algorithmParms : NULL);
	get_digest(r, o->pubkeyDigest.digest);
	get_digest(r, o->data.nonce);
	buf_get_u8(r, &o->parentPCRStatus);
	rc = buf_get_u32(r, &o->PCRInfoSize);
	if (rc == 0 && o->PCRInfoSize != 0) {
		if (c == NULL) {
			rc = get_pcr_info(r, NULL);
		} else if ((info = calloc(1, sizeof(*info))) == NULL) {
			rc = buf_reader_fail(r, -ENOMEM);
		} else if ((rc = get_pcr_info(r, info)) != 0) {
			free(info);
			info = NULL;
		}
	}
	if (rc != 0) {
		if (c != NULL)
			free_key_parms(&o->algorithmParms);
		memset(o, 0, sizeof(*o));
		return rc;
	}
	o->PCRInfo = (BYTE *)info;
	return 0;
}

/* TPM 1.2 Part 2 §20 delegation structures */
static int get_delegations(struct buf_reader *r, TPM_DELEGATIONS *d)
{
	TPM_DELEGATIONS tmp;

	if (d == NULL)
		d = &tmp;
	buf_get_u16(r, &d->tag);
	buf_get_u32(r, &d->delegateType);
	buf_get_u32(r, &d->per1);
	return buf_get_u32(r, &d->per2);
}

static int get_family_table_entry(struct buf_reader *r, TPM_FAMILY_TABLE_ENTRY *e)
{
	TPM_FAMILY_TABLE_ENTRY tmp;

	if (e == NULL)
		e = &tmp;
	buf_get_u16(r, &e->tag);
	buf_get_u8(r, &e->label.label);
	buf_get_u32(r, &e->familyID);
	buf_get_u32(r, &e->verificationCount);
	return buf_get_u32(r, &e->flags);
}

static int get_delegate_public(struct buf_reader *r, TPM_DELEGATE_PUBLIC *p)
{
	TPM_DELEGATE_PUBLIC tmp;
	TPM_DELEGATE_PUBLIC *o = p != NULL ? p : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u16(r, &o->tag);
	buf_get_u8(r, &o->label.label);
	get_pcr_info_short(r, p != NULL ? &o->pcrInfo : NULL);
	get_delegations(r, &o->permissions);
	buf_get_u32(r, &o->familyID);
	if ((rc = buf_get_u32(r, &o->verificationCount)) != 0) {
		if (p != NULL)
			free(o->pcrInfo.pcrSelection.pcrSelect);
		memset(o, 0, sizeof(*o));
	}
	return rc;
}

/*
 * The owner and key delegation blobs (§20.6, §20.7) share all but the
 * key blob's pubKeyDigest.
 */
struct delegate_blob {
	TPM_STRUCTURE_TAG *tag;
	TPM_DELEGATE_PUBLIC *pub;
	TPM_DIGEST *integrityDigest;
	TPM_DIGEST *pubKeyDigest;   /* NULL for the owner blob */
	UINT32 *additionalSize;
	BYTE **additionalArea;
	UINT32 *sensitiveSize;
	BYTE **sensitiveArea;
};

static int get_delegate_blob(struct buf_reader *r, const struct delegate_blob *b, bool skip)
{
	int rc;

	buf_get_u16(r, b->tag);
	get_delegate_public(r, skip ? NULL : b->pub);
	get_digest(r, b->integrityDigest->digest);
	if (b->pubKeyDigest != NULL)
		get_digest(r, b->pubKeyDigest->digest);
	buf_get_u32(r, b->additionalSize);
	get_member(r, *b->additionalSize, skip ? NULL : b->additionalArea);
	buf_get_u32(r, b->sensitiveSize);
	rc = get_member(r, *b->sensitiveSize, skip ? NULL : b->sensitiveArea);
	if (rc != 0 && !skip) {
		free(b->pub->pcrInfo.pcrSelection.pcrSelect);
		release(b->additionalArea);
		release(b->sensitiveArea);
	}
	return rc;
}

static int get_tss_pcr_info_short(struct buf_reader *r, TSS_PCR_INFO_SHORT *p)
{
	TSS_PCR_INFO_SHORT tmp;
	TSS_PCR_INFO_SHORT *o = p != NULL ? p : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u32(r, &o->sizeOfSelect);
	get_member(r, o->sizeOfSelect, p != NULL ? &o->selection : NULL);
	buf_get_u8(r, &o->localityAtRelease);
	buf_get_u32(r, &o->sizeOfDigestAtRelease);
	rc = get_member(r, o->sizeOfDigestAtRelease, p != NULL ? &o->digestAtRelease : NULL);
	if (rc != 0) {
		if (p != NULL)
			release(&o->selection);
		memset(o, 0, sizeof(*o));
	}
	return rc;
}

static int get_tss_delegation_table_entry(struct buf_reader *r, TSS_DELEGATION_TABLE_ENTRY *e)
{
	TSS_DELEGATION_TABLE_ENTRY tmp;
	TSS_DELEGATION_TABLE_ENTRY *o = e != NULL ? e : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u32(r, &o->tableIndex);
	buf_get_u8(r, &o->label);
	get_tss_pcr_info_short(r, e != NULL ? &o->pcrInfo : NULL);
	buf_get_u32(r, &o->per1);
	buf_get_u32(r, &o->per2);
	buf_get_u32(r, &o->familyID);
	if ((rc = buf_get_u32(r, &o->verificationCount)) != 0) {
		if (e != NULL) {
			free(o->pcrInfo.selection);
			free(o->pcrInfo.digestAtRelease);
		}
		memset(o, 0, sizeof(*o));
	}
	return rc;
}

static int get_tss_family_table_entry(struct buf_reader *r, TSS_FAMILY_TABLE_ENTRY *e)
{
	TSS_FAMILY_TABLE_ENTRY tmp;

	if (e == NULL)
		e = &tmp;
	buf_get_u32(r, &e->familyID);
	buf_get_u8(r, &e->label);
	buf_get_u32(r, &e->verificationCount);
	get_bool(r, &e->enabled);
	return get_bool(r, &e->locked);
}

static int get_platform_class(struct buf_reader *r, TSS_PLATFORM_CLASS *c)
{
	TSS_PLATFORM_CLASS tmp;
	TSS_PLATFORM_CLASS *o = c != NULL ? c : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u32(r, &o->platformClassSimpleIdentifier);
	buf_get_u32(r, &o->platformClassURISize);
	/* TrouSerS always allocates the URI, even when it is empty. */
	rc = get_member_always(r, o->platformClassURISize, c != NULL ? &o->pPlatformClassURI : NULL);
	if (rc != 0)
		memset(o, 0, sizeof(*o));
	return rc;
}

/* TPM 1.2 Part 2 §21.6 */
static int get_cap_version_info(struct buf_reader *r, TPM_CAP_VERSION_INFO *v)
{
	TPM_CAP_VERSION_INFO tmp;
	TPM_CAP_VERSION_INFO *o = v != NULL ? v : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u16(r, &o->tag);
	buf_get_u8(r, &o->version.major);
	buf_get_u8(r, &o->version.minor);
	buf_get_u8(r, &o->version.revMajor);
	buf_get_u8(r, &o->version.revMinor);
	buf_get_u16(r, &o->specLevel);
	buf_get_u8(r, &o->errataRev);
	buf_get_bytes(r, o->tpmVendorID, sizeof(o->tpmVendorID));
	buf_get_u16(r, &o->vendorSpecificSize);
	rc = get_member(r, o->vendorSpecificSize, v != NULL ? &o->vendorSpecific : NULL);
	if (rc != 0)
		memset(o, 0, sizeof(*o));
	return rc;
}

/* TPM 1.2 Part 2 §19.2-§19.3 */
static int get_nv_attributes(struct buf_reader *r, TPM_NV_ATTRIBUTES *a)
{
	TPM_NV_ATTRIBUTES tmp;

	if (a == NULL)
		a = &tmp;
	buf_get_u16(r, &a->tag);
	return buf_get_u32(r, &a->attributes);
}

static int get_nv_data_public(struct buf_reader *r, TPM_NV_DATA_PUBLIC *v)
{
	TPM_NV_DATA_PUBLIC tmp;
	TPM_NV_DATA_PUBLIC *o = v != NULL ? v : &tmp;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_get_u16(r, &o->tag);
	buf_get_u32(r, &o->nvIndex);
	get_pcr_info_short(r, v != NULL ? &o->pcrInfoRead : NULL);
	get_pcr_info_short(r, v != NULL ? &o->pcrInfoWrite : NULL);
	get_nv_attributes(r, &o->permission);
	buf_get_u8(r, &o->bReadSTClear);
	buf_get_u8(r, &o->bWriteSTClear);
	buf_get_u8(r, &o->bWriteDefine);
	if ((rc = buf_get_u32(r, &o->dataSize)) != 0) {
		if (v != NULL) {
			free(o->pcrInfoRead.pcrSelection.pcrSelect);
			free(o->pcrInfoWrite.pcrSelection.pcrSelect);
		}
		memset(o, 0, sizeof(*o));
	}
	return rc;
}

/*
 * The public Unload functions. Each opens a reader at *offset, runs the
 * parser, and moves *offset only on success. The void ones cannot report
 * failure; they leave their output zeroed instead.
 */
#define UNLOAD_RESULT(parser, offset, blob, x)				\
	do {								\
		struct buf_reader r_;					\
		if ((offset) == NULL)					\
			return TSP_RC(TSS_E_BAD_PARAMETER);		\
		reader_open(&r_, (blob), (offset));			\
		return reader_close(&r_, (offset), parser(&r_, (x)));	\
	} while (0)

#define UNLOAD_VOID(parser, offset, blob, x)				\
	do {								\
		struct buf_reader r_;					\
		if ((offset) == NULL)					\
			return;						\
		reader_open(&r_, (blob), (offset));			\
		(void)reader_close(&r_, (offset), parser(&r_, (x)));	\
	} while (0)

void Trspi_UnloadBlob(UINT64 *offset, size_t size, BYTE *container, BYTE *object)
{
	struct buf_reader r;

	if (offset == NULL || size == 0)
		return;
	/* Like TrouSerS, a NULL destination only moves the offset. */
	if (object == NULL) {
		*offset += size;
		return;
	}
	reader_open(&r, container, offset);
	buf_get_bytes(&r, object, size);
	(void)reader_close(&r, offset, 0);
}

/*
 * The scalar readers: a NULL destination moves the offset without
 * reading, which TrouSerS callers use to skip fields (even with a NULL
 * blob).
 */
void Trspi_UnloadBlob_BYTE(UINT64 *offset, BYTE *dataOut, BYTE *blob)
{
	Trspi_UnloadBlob(offset, 1, blob, dataOut);
}

void Trspi_UnloadBlob_BOOL(UINT64 *offset, TSS_BOOL *dataOut, BYTE *blob)
{
	Trspi_UnloadBlob(offset, 1, blob, (BYTE *)dataOut);
}

void Trspi_UnloadBlob_UINT64(UINT64 *offset, UINT64 *out, BYTE *blob)
{
	struct buf_reader r;

	if (offset == NULL)
		return;
	if (out == NULL) {
		*offset += 8;
		return;
	}
	reader_open(&r, blob, offset);
	buf_get_u64(&r, out);
	(void)reader_close(&r, offset, 0);
}

void Trspi_UnloadBlob_UINT32(UINT64 *offset, UINT32 *out, BYTE *blob)
{
	struct buf_reader r;

	if (offset == NULL)
		return;
	if (out == NULL) {
		*offset += 4;
		return;
	}
	reader_open(&r, blob, offset);
	buf_get_u32(&r, out);
	(void)reader_close(&r, offset, 0);
}

void Trspi_UnloadBlob_UINT16(UINT64 *offset, UINT16 *out, BYTE *blob)
{
	struct buf_reader r;

	if (offset == NULL)
		return;
	if (out == NULL) {
		*offset += 2;
		return;
	}
	reader_open(&r, blob, offset);
	buf_get_u16(&r, out);
	(void)reader_close(&r, offset, 0);
}

/* Fixed-size structures: skipping them needs no blob either. */
#define SKIP_FIXED(offset, x, n)					\
	do {								\
		if ((offset) != NULL && (x) == NULL) {			\
			*(offset) += (n);				\
			return;						\
		}							\
	} while (0)

void Trspi_UnloadBlob_TSS_VERSION(UINT64 *offset, BYTE *blob, TSS_VERSION *out)
{
	SKIP_FIXED(offset, out, 4);
	UNLOAD_VOID(get_tss_version, offset, blob, out);
}

void Trspi_UnloadBlob_TCPA_VERSION(UINT64 *offset, BYTE *blob, TCPA_VERSION *out)
{
	SKIP_FIXED(offset, out, 4);
	UNLOAD_VOID(get_version, offset, blob, out);
}

void Trspi_UnloadBlob_VERSION(UINT64 *offset, BYTE *blob, TCPA_VERSION *out)
{
	Trspi_UnloadBlob_TCPA_VERSION(offset, blob, out);
}

void Trspi_UnloadBlob_UUID(UINT64 *offset, BYTE *blob, TSS_UUID *uuid)
{
	SKIP_FIXED(offset, uuid, 16);
	UNLOAD_VOID(get_uuid, offset, blob, uuid);
}

void Trspi_UnloadBlob_DIGEST(UINT64 *offset, BYTE *blob, TPM_DIGEST *digest)
{
	Trspi_UnloadBlob(offset, TPM_SHA1_160_HASH_LEN, blob,
			 digest != NULL ? digest->digest : NULL);
}

void Trspi_UnloadBlob_NONCE(UINT64 *offset, BYTE *blob, TPM_NONCE *n)
{
	Trspi_UnloadBlob(offset, TPM_SHA1_160_HASH_LEN, blob, n != NULL ? n->nonce : NULL);
}

void Trspi_UnloadBlob_KEY_FLAGS(UINT64 *offset, BYTE *blob, TCPA_KEY_FLAGS *flags)
{
	Trspi_UnloadBlob_UINT32(offset, flags, blob);
}

TSS_RESULT Trspi_UnloadBlob_PCR_INFO(UINT64 *offset, BYTE *blob, TCPA_PCR_INFO *pcr)
{
	UNLOAD_RESULT(get_pcr_info, offset, blob, pcr);
}

TSS_RESULT Trspi_UnloadBlob_PCR_INFO_LONG(UINT64 *offset, BYTE *blob, TPM_PCR_INFO_LONG *pcr)
{
	UNLOAD_RESULT(get_pcr_info_long, offset, blob, pcr);
}

TSS_RESULT Trspi_UnloadBlob_PCR_INFO_SHORT(UINT64 *offset, BYTE *blob, TPM_PCR_INFO_SHORT *pcr)
{
	UNLOAD_RESULT(get_pcr_info_short, offset, blob, pcr);
}

TSS_RESULT Trspi_UnloadBlob_PCR_SELECTION(UINT64 *offset, BYTE *blob, TCPA_PCR_SELECTION *pcr)
{
	UNLOAD_RESULT(get_pcr_selection, offset, blob, pcr);
}

TSS_RESULT Trspi_UnloadBlob_PCR_COMPOSITE(UINT64 *offset, BYTE *blob, TCPA_PCR_COMPOSITE *out)
{
	UNLOAD_RESULT(get_pcr_composite, offset, blob, out);
}

TSS_RESULT Trspi_UnloadBlob_STORED_DATA(UINT64 *offset, BYTE *blob, TCPA_STORED_DATA *data)
{
	UNLOAD_RESULT(get_stored_data, offset, blob, data);
}

TSS_RESULT Trspi_UnloadBlob_KEY_PARMS(UINT64 *offset, BYTE *blob, TCPA_KEY_PARMS *keyParms)
{
	UNLOAD_RESULT(get_key_parms, offset, blob, keyParms);
}

TSS_RESULT Trspi_UnloadBlob_STORE_PUBKEY(UINT64 *offset, BYTE *blob, TCPA_STORE_PUBKEY *store)
{
	UNLOAD_RESULT(get_store_pubkey, offset, blob, store);
}

TSS_RESULT Trspi_UnloadBlob_PUBKEY(UINT64 *offset, BYTE *blob, TCPA_PUBKEY *pubKey)
{
	UNLOAD_RESULT(get_pubkey, offset, blob, pubKey);
}

TSS_RESULT Trspi_UnloadBlob_KEY(UINT64 *offset, BYTE *blob, TCPA_KEY *key)
{
	UNLOAD_RESULT(get_key, offset, blob, key);
}

TSS_RESULT Trspi_UnloadBlob_KEY12(UINT64 *offset, BYTE *blob, TPM_KEY12 *key)
{
	UNLOAD_RESULT(get_key12, offset, blob, key);
}

TSS_RESULT Trspi_UnloadBlob_MIGRATIONKEYAUTH(UINT64 *offset, BYTE *blob,
					     TPM_MIGRATIONKEYAUTH *migAuth)
{
	UNLOAD_RESULT(get_migrationkeyauth, offset, blob, migAuth);
}

TSS_RESULT Trspi_UnloadBlob_PCR_EVENT(UINT64 *offset, BYTE *blob, TSS_PCR_EVENT *event)
{
	UNLOAD_RESULT(get_pcr_event, offset, blob, event);
}

TSS_RESULT Trspi_UnloadBlob_KM_KEYINFO(UINT64 *offset, BYTE *blob, TSS_KM_KEYINFO *info)
{
	UNLOAD_RESULT(get_km_keyinfo, offset, blob, info);
}

TSS_RESULT Trspi_UnloadBlob_KM_KEYINFO2(UINT64 *offset, BYTE *blob, TSS_KM_KEYINFO2 *info)
{
	UNLOAD_RESULT(get_km_keyinfo2, offset, blob, info);
}

TSS_RESULT Trspi_UnloadBlob_SYMMETRIC_KEY(UINT64 *offset, BYTE *blob, TCPA_SYMMETRIC_KEY *key)
{
	UNLOAD_RESULT(get_symmetric_key, offset, blob, key);
}

TSS_RESULT Trspi_UnloadBlob_SYM_CA_ATTESTATION(UINT64 *offset, BYTE *blob,
					       TCPA_SYM_CA_ATTESTATION *sym)
{
	UNLOAD_RESULT(get_sym_ca_attestation, offset, blob, sym);
}

TSS_RESULT Trspi_UnloadBlob_ASYM_CA_CONTENTS(UINT64 *offset, BYTE *blob,
					     TCPA_ASYM_CA_CONTENTS *asym)
{
	UNLOAD_RESULT(get_asym_ca_contents, offset, blob, asym);
}

TSS_RESULT Trspi_UnloadBlob_IDENTITY_REQ(UINT64 *offset, BYTE *blob, TCPA_IDENTITY_REQ *req)
{
	UNLOAD_RESULT(get_identity_req, offset, blob, req);
}

TSS_RESULT Trspi_UnloadBlob_IDENTITY_PROOF(UINT64 *offset, BYTE *blob, TCPA_IDENTITY_PROOF *proof)
{
	UNLOAD_RESULT(get_identity_proof, offset, blob, proof);
}

TSS_RESULT Trspi_UnloadBlob_CERTIFY_INFO(UINT64 *offset, BYTE *blob, TPM_CERTIFY_INFO *c)
{
	UNLOAD_RESULT(get_certify_info, offset, blob, c);
}

void Trspi_UnloadBlob_COUNTER_VALUE(UINT64 *offset, BYTE *blob, TPM_COUNTER_VALUE *ctr)
{
	struct buf_reader r;

	SKIP_FIXED(offset, ctr, 10);
	if (offset == NULL)
		return;
	/* TPM 1.2 Part 2 §21.4: tag, a 4-byte label, the count */
	reader_open(&r, blob, offset);
	memset(ctr, 0, sizeof(*ctr));
	buf_get_u16(&r, &ctr->tag);
	buf_get_bytes(&r, ctr->label, sizeof(ctr->label));
	buf_get_u32(&r, &ctr->counter);
	(void)reader_close(&r, offset, 0);
}

void Trspi_UnloadBlob_CURRENT_TICKS(UINT64 *offset, BYTE *blob, TPM_CURRENT_TICKS *ticks)
{
	struct buf_reader r;

	SKIP_FIXED(offset, ticks, 32);
	if (offset == NULL)
		return;
	/* TPM 1.2 Part 2 §15.1 */
	reader_open(&r, blob, offset);
	memset(ticks, 0, sizeof(*ticks));
	buf_get_u16(&r, &ticks->tag);
	buf_get_u64(&r, &ticks->currentTicks);
	buf_get_u16(&r, &ticks->tickRate);
	get_digest(&r, ticks->tickNonce.nonce);
	(void)reader_close(&r, offset, 0);
}

void Trspi_UnloadBlob_TRANSPORT_PUBLIC(UINT64 *offset, BYTE *blob, TPM_TRANSPORT_PUBLIC *t)
{
	struct buf_reader r;

	SKIP_FIXED(offset, t, 12);
	if (offset == NULL)
		return;
	/* TPM 1.2 Part 2 §13.1 */
	reader_open(&r, blob, offset);
	memset(t, 0, sizeof(*t));
	buf_get_u16(&r, &t->tag);
	buf_get_u32(&r, &t->transAttributes);
	buf_get_u32(&r, &t->algId);
	buf_get_u16(&r, &t->encScheme);
	(void)reader_close(&r, offset, 0);
}

void Trspi_UnloadBlob_TPM_FAMILY_LABEL(UINT64 *offset, BYTE *blob, TPM_FAMILY_LABEL *label)
{
	Trspi_UnloadBlob(offset, 1, blob, label != NULL ? &label->label : NULL);
}

void Trspi_UnloadBlob_TPM_FAMILY_TABLE_ENTRY(UINT64 *offset, BYTE *blob,
					     TPM_FAMILY_TABLE_ENTRY *entry)
{
	SKIP_FIXED(offset, entry, 15);
	UNLOAD_VOID(get_family_table_entry, offset, blob, entry);
}

void Trspi_UnloadBlob_TPM_DELEGATE_LABEL(UINT64 *offset, BYTE *blob, TPM_DELEGATE_LABEL *label)
{
	Trspi_UnloadBlob(offset, 1, blob, label != NULL ? &label->label : NULL);
}

void Trspi_UnloadBlob_TPM_DELEGATIONS(UINT64 *offset, BYTE *blob, TPM_DELEGATIONS *delegations)
{
	SKIP_FIXED(offset, delegations, 14);
	UNLOAD_VOID(get_delegations, offset, blob, delegations);
}

TSS_RESULT Trspi_UnloadBlob_TPM_DELEGATE_PUBLIC(UINT64 *offset, BYTE *blob,
						TPM_DELEGATE_PUBLIC *pub)
{
	UNLOAD_RESULT(get_delegate_public, offset, blob, pub);
}

static int get_owner_blob(struct buf_reader *r, TPM_DELEGATE_OWNER_BLOB *owner)
{
	TPM_DELEGATE_OWNER_BLOB tmp;
	TPM_DELEGATE_OWNER_BLOB *o = owner != NULL ? owner : &tmp;
	const struct delegate_blob b = {
		&o->tag, &o->pub, &o->integrityDigest, NULL,
		&o->additionalSize, &o->additionalArea, &o->sensitiveSize, &o->sensitiveArea,
	};
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = get_delegate_blob(r, &b, owner == NULL)) != 0)
		memset(o, 0, sizeof(*o));
	return rc;
}

static int get_key_blob(struct buf_reader *r, TPM_DELEGATE_KEY_BLOB *key)
{
	TPM_DELEGATE_KEY_BLOB tmp;
	TPM_DELEGATE_KEY_BLOB *o = key != NULL ? key : &tmp;
	const struct delegate_blob b = {
		&o->tag, &o->pub, &o->integrityDigest, &o->pubKeyDigest,
		&o->additionalSize, &o->additionalArea, &o->sensitiveSize, &o->sensitiveArea,
	};
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = get_delegate_blob(r, &b, key == NULL)) != 0)
		memset(o, 0, sizeof(*o));
	return rc;
}

TSS_RESULT Trspi_UnloadBlob_TPM_DELEGATE_OWNER_BLOB(UINT64 *offset, BYTE *blob,
						    TPM_DELEGATE_OWNER_BLOB *owner)
{
	UNLOAD_RESULT(get_owner_blob, offset, blob, owner);
}

TSS_RESULT Trspi_UnloadBlob_TPM_DELEGATE_KEY_BLOB(UINT64 *offset, BYTE *blob,
						  TPM_DELEGATE_KEY_BLOB *key)
{
	UNLOAD_RESULT(get_key_blob, offset, blob, key);
}

void Trspi_UnloadBlob_TSS_FAMILY_TABLE_ENTRY(UINT64 *offset, BYTE *blob,
					     TSS_FAMILY_TABLE_ENTRY *entry)
{
	SKIP_FIXED(offset, entry, 11);
	UNLOAD_VOID(get_tss_family_table_entry, offset, blob, entry);
}

TSS_RESULT Trspi_UnloadBlob_TSS_PCR_INFO_SHORT(UINT64 *offset, BYTE *blob, TSS_PCR_INFO_SHORT *pcr)
{
	UNLOAD_RESULT(get_tss_pcr_info_short, offset, blob, pcr);
}

TSS_RESULT Trspi_UnloadBlob_TSS_DELEGATION_TABLE_ENTRY(UINT64 *offset, BYTE *blob,
						       TSS_DELEGATION_TABLE_ENTRY *entry)
{
	UNLOAD_RESULT(get_tss_delegation_table_entry, offset, blob, entry);
}

TSS_RESULT Trspi_UnloadBlob_TSS_PLATFORM_CLASS(UINT64 *offset, BYTE *blob,
					       TSS_PLATFORM_CLASS *platClass)
{
	UNLOAD_RESULT(get_platform_class, offset, blob, platClass);
}

TSS_RESULT Trspi_UnloadBlob_CAP_VERSION_INFO(UINT64 *offset, BYTE *blob, TPM_CAP_VERSION_INFO *v)
{
	UNLOAD_RESULT(get_cap_version_info, offset, blob, v);
}

TSS_RESULT Trspi_UnloadBlob_NV_INDEX(UINT64 *offset, BYTE *blob, TPM_NV_INDEX *v)
{
	if (offset == NULL)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	Trspi_UnloadBlob_UINT32(offset, v, blob);
	return TSS_SUCCESS;
}

TSS_RESULT Trspi_UnloadBlob_NV_ATTRIBUTES(UINT64 *offset, BYTE *blob, TPM_NV_ATTRIBUTES *v)
{
	if (offset != NULL && v == NULL) {
		*offset += 6;
		return TSS_SUCCESS;
	}
	UNLOAD_RESULT(get_nv_attributes, offset, blob, v);
}

TSS_RESULT Trspi_UnloadBlob_NV_DATA_PUBLIC(UINT64 *offset, BYTE *blob, TPM_NV_DATA_PUBLIC *v)
{
	UNLOAD_RESULT(get_nv_data_public, offset, blob, v);
}

/* ====================================================================== */
/* Writing blobs                                                          */
/* ====================================================================== */

/*
 * Every Load function writes at blob + *offset and advances *offset; a
 * NULL blob only advances it (size measurement). The bytes are encoded
 * by buf.h's writer over exactly the field being written; the caller's
 * buffer must have room, which the interface cannot check.
 */
static void put_u8(UINT64 *offset, BYTE *blob, uint8_t v)
{
	struct buf_writer w;

	if (blob != NULL) {
		buf_writer_init_fixed(&w, blob + *offset, 1);
		buf_put_u8(&w, v);
	}
	*offset += 1;
}

static void put_u16(UINT64 *offset, BYTE *blob, uint16_t v)
{
	struct buf_writer w;

	if (blob != NULL) {
		buf_writer_init_fixed(&w, blob + *offset, 2);
		buf_put_u16(&w, v);
	}
	*offset += 2;
}

static void put_u32(UINT64 *offset, BYTE *blob, uint32_t v)
{
	struct buf_writer w;

	if (blob != NULL) {
		buf_writer_init_fixed(&w, blob + *offset, 4);
		buf_put_u32(&w, v);
	}
	*offset += 4;
}

static void put_u64(UINT64 *offset, BYTE *blob, uint64_t v)
{
	struct buf_writer w;

	if (blob != NULL) {
		buf_writer_init_fixed(&w, blob + *offset, 8);
		buf_put_u64(&w, v);
	}
	*offset += 8;
}

/* A NULL source with a non-zero size writes zeros rather than crashing. */
static void put_bytes(UINT64 *offset, BYTE *blob, const void *p, size_t n)
{
	struct buf_writer w;

	if (n == 0)
		return;
	if (blob != NULL) {
		buf_writer_init_fixed(&w, blob + *offset, n);
		if (p != NULL)
			buf_put_bytes(&w, p, n);
		else
			buf_put_zeros(&w, n);
	}
	*offset += n;
}

static void put_version(UINT64 *offset, BYTE *blob, const TPM_STRUCT_VER *v)
{
	put_u8(offset, blob, v->major);
	put_u8(offset, blob, v->minor);
	put_u8(offset, blob, v->revMajor);
	put_u8(offset, blob, v->revMinor);
}

/* Load functions given a NULL structure do nothing, where TrouSerS would crash. */
#define LOAD_GUARD(offset, x)						\
	do {								\
		if ((offset) == NULL || (x) == NULL)			\
			return;						\
	} while (0)

void Trspi_LoadBlob(UINT64 *offset, size_t size, BYTE *to, BYTE *from)
{
	if (offset == NULL)
		return;
	put_bytes(offset, to, from, size);
}

void Trspi_LoadBlob_UINT64(UINT64 *offset, UINT64 in, BYTE *blob)
{
	if (offset != NULL)
		put_u64(offset, blob, in);
}

void Trspi_LoadBlob_UINT32(UINT64 *offset, UINT32 in, BYTE *blob)
{
	if (offset != NULL)
		put_u32(offset, blob, in);
}

void Trspi_LoadBlob_UINT16(UINT64 *offset, UINT16 in, BYTE *blob)
{
	if (offset != NULL)
		put_u16(offset, blob, in);
}

void Trspi_LoadBlob_BYTE(UINT64 *offset, BYTE data, BYTE *blob)
{
	if (offset != NULL)
		put_u8(offset, blob, data);
}

void Trspi_LoadBlob_BOOL(UINT64 *offset, TSS_BOOL data, BYTE *blob)
{
	if (offset != NULL)
		put_u8(offset, blob, (BYTE)data);
}

void Trspi_LoadBlob_TSS_VERSION(UINT64 *offset, BYTE *blob, TSS_VERSION version)
{
	if (offset == NULL)
		return;
	put_u8(offset, blob, version.bMajor);
	put_u8(offset, blob, version.bMinor);
	put_u8(offset, blob, version.bRevMajor);
	put_u8(offset, blob, version.bRevMinor);
}

void Trspi_LoadBlob_TCPA_VERSION(UINT64 *offset, BYTE *blob, TCPA_VERSION version)
{
	if (offset != NULL)
		put_version(offset, blob, &version);
}

void Trspi_LoadBlob_UUID(UINT64 *offset, BYTE *blob, TSS_UUID uuid)
{
	if (offset == NULL)
		return;
	put_u32(offset, blob, uuid.ulTimeLow);
	put_u16(offset, blob, uuid.usTimeMid);
	put_u16(offset, blob, uuid.usTimeHigh);
	put_u8(offset, blob, uuid.bClockSeqHigh);
	put_u8(offset, blob, uuid.bClockSeqLow);
	put_bytes(offset, blob, uuid.rgbNode, sizeof(uuid.rgbNode));
}

void Trspi_LoadBlob_DIGEST(UINT64 *offset, BYTE *blob, TPM_DIGEST *digest)
{
	LOAD_GUARD(offset, digest);
	put_bytes(offset, blob, digest->digest, TPM_SHA1_160_HASH_LEN);
}

void Trspi_LoadBlob_NONCE(UINT64 *offset, BYTE *blob, TPM_NONCE *n)
{
	LOAD_GUARD(offset, n);
	put_bytes(offset, blob, n->nonce, TPM_SHA1_160_HASH_LEN);
}

void Trspi_LoadBlob_PCR_SELECTION(UINT64 *offset, BYTE *blob, TCPA_PCR_SELECTION *pcr)
{
	LOAD_GUARD(offset, pcr);
	put_u16(offset, blob, pcr->sizeOfSelect);
	put_bytes(offset, blob, pcr->pcrSelect, pcr->sizeOfSelect);
}

void Trspi_LoadBlob_PCR_INFO(UINT64 *offset, BYTE *blob, TCPA_PCR_INFO *pcr)
{
	LOAD_GUARD(offset, pcr);
	Trspi_LoadBlob_PCR_SELECTION(offset, blob, &pcr->pcrSelection);
	Trspi_LoadBlob_DIGEST(offset, blob, &pcr->digestAtRelease);
	Trspi_LoadBlob_DIGEST(offset, blob, &pcr->digestAtCreation);
}

void Trspi_LoadBlob_PCR_INFO_LONG(UINT64 *offset, BYTE *blob, TPM_PCR_INFO_LONG *pcr)
{
	LOAD_GUARD(offset, pcr);
	put_u16(offset, blob, pcr->tag);
	put_u8(offset, blob, pcr->localityAtCreation);
	put_u8(offset, blob, pcr->localityAtRelease);
	Trspi_LoadBlob_PCR_SELECTION(offset, blob, &pcr->creationPCRSelection);
	Trspi_LoadBlob_PCR_SELECTION(offset, blob, &pcr->releasePCRSelection);
	Trspi_LoadBlob_DIGEST(offset, blob, &pcr->digestAtCreation);
	Trspi_LoadBlob_DIGEST(offset, blob, &pcr->digestAtRelease);
}

void Trspi_LoadBlob_PCR_INFO_SHORT(UINT64 *offset, BYTE *blob, TPM_PCR_INFO_SHORT *pcr)
{
	LOAD_GUARD(offset, pcr);
	Trspi_LoadBlob_PCR_SELECTION(offset, blob, &pcr->pcrSelection);
	put_u8(offset, blob, pcr->localityAtRelease);
	Trspi_LoadBlob_DIGEST(offset, blob, &pcr->digestAtRelease);
}

void Trspi_LoadBlob_PCR_EVENT(UINT64 *offset, BYTE *blob, TSS_PCR_EVENT *event)
{
	LOAD_GUARD(offset, event);
	Trspi_LoadBlob_TSS_VERSION(offset, blob, event->versionInfo);
	put_u32(offset, blob, event->ulPcrIndex);
	put_u32(offset, blob, event->eventType);
	put_u32(offset, blob, event->ulPcrValueLength);
	put_bytes(offset, blob, event->rgbPcrValue, event->ulPcrValueLength);
	put_u32(offset, blob, event->ulEventLength);
	put_bytes(offset, blob, event->rgbEvent, event->ulEventLength);
}

void Trspi_LoadBlob_TSS_PCR_INFO_SHORT(UINT64 *offset, BYTE *blob, TSS_PCR_INFO_SHORT *pcr)
{
	LOAD_GUARD(offset, pcr);
	put_u32(offset, blob, pcr->sizeOfSelect);
	put_bytes(offset, blob, pcr->selection, pcr->sizeOfSelect);
	put_u8(offset, blob, pcr->localityAtRelease);
	put_u32(offset, blob, pcr->sizeOfDigestAtRelease);
	put_bytes(offset, blob, pcr->digestAtRelease, pcr->sizeOfDigestAtRelease);
}

/*
 * TPM 1.2 Part 2 §9.4: version, payload type, then the payload, whose
 * length the structure does not carry.
 */
void Trspi_LoadBlob_BOUND_DATA(UINT64 *offset, TCPA_BOUND_DATA bd, UINT32 payloadLength,
			       BYTE *blob)
{
	if (offset == NULL)
		return;
	put_version(offset, blob, &bd.ver);
	put_u8(offset, blob, bd.payload);
	put_bytes(offset, blob, bd.payloadData, payloadLength);
}

void Trspi_LoadBlob_CHANGEAUTH_VALIDATE(UINT64 *offset, BYTE *blob,
					TPM_CHANGEAUTH_VALIDATE *caValidate)
{
	LOAD_GUARD(offset, caValidate);
	put_bytes(offset, blob, caValidate->newAuthSecret.authdata, TPM_SHA1_160_HASH_LEN);
	put_bytes(offset, blob, caValidate->n1.nonce, TPM_SHA1_160_HASH_LEN);
}

void Trspi_LoadBlob_RSA_KEY_PARMS(UINT64 *offset, BYTE *blob, TCPA_RSA_KEY_PARMS *parms)
{
	LOAD_GUARD(offset, parms);
	put_u32(offset, blob, parms->keyLength);
	put_u32(offset, blob, parms->numPrimes);
	put_u32(offset, blob, parms->exponentSize);
	put_bytes(offset, blob, parms->exponent, parms->exponentSize);
}

void Trspi_LoadBlob_STORED_DATA(UINT64 *offset, BYTE *blob, TCPA_STORED_DATA *data)
{
	LOAD_GUARD(offset, data);
	put_version(offset, blob, &data->ver);
	put_u32(offset, blob, data->sealInfoSize);
	put_bytes(offset, blob, data->sealInfo, data->sealInfoSize);
	put_u32(offset, blob, data->encDataSize);
	put_bytes(offset, blob, data->encData, data->encDataSize);
}

void Trspi_LoadBlob_KEY_FLAGS(UINT64 *offset, BYTE *blob, TCPA_KEY_FLAGS *flags)
{
	LOAD_GUARD(offset, flags);
	put_u32(offset, blob, *flags);
}

void Trspi_LoadBlob_KEY_PARMS(UINT64 *offset, BYTE *blob, TCPA_KEY_PARMS *keyInfo)
{
	LOAD_GUARD(offset, keyInfo);
	put_u32(offset, blob, keyInfo->algorithmID);
	put_u16(offset, blob, keyInfo->encScheme);
	put_u16(offset, blob, keyInfo->sigScheme);
	put_u32(offset, blob, keyInfo->parmSize);
	put_bytes(offset, blob, keyInfo->parms, keyInfo->parmSize);
}

void Trspi_LoadBlob_STORE_PUBKEY(UINT64 *offset, BYTE *blob, TCPA_STORE_PUBKEY *store)
{
	LOAD_GUARD(offset, store);
	put_u32(offset, blob, store->keyLength);
	put_bytes(offset, blob, store->key, store->keyLength);
}

void Trspi_LoadBlob_PUBKEY(UINT64 *offset, BYTE *blob, TCPA_PUBKEY *pubKey)
{
	LOAD_GUARD(offset, pubKey);
	Trspi_LoadBlob_KEY_PARMS(offset, blob, &pubKey->algorithmParms);
	Trspi_LoadBlob_STORE_PUBKEY(offset, blob, &pubKey->pubKey);
}

/*
 * The shared part of TPM_KEY and TPM_KEY12. For the private-key digest
 * (TPM 1.1b Part 2 §10.2: everything up to the public key, without
 * encSize/encData) pass with_enc = false.
 */
static void put_key_body(UINT64 *offset, BYTE *blob, const struct key_body *b, bool with_enc)
{
	put_u16(offset, blob, *b->keyUsage);
	put_u32(offset, blob, *b->keyFlags);
	put_u8(offset, blob, *b->authDataUsage);
	Trspi_LoadBlob_KEY_PARMS(offset, blob, b->algorithmParms);
	put_u32(offset, blob, *b->PCRInfoSize);
	put_bytes(offset, blob, *b->PCRInfo, *b->PCRInfoSize);
	Trspi_LoadBlob_STORE_PUBKEY(offset, blob, b->pubKey);
	if (with_enc) {
		put_u32(offset, blob, *b->encSize);
		put_bytes(offset, blob, *b->encData, *b->encSize);
	}
}

#define KEY_BODY(k) {							\
		&(k)->keyUsage, &(k)->keyFlags, &(k)->authDataUsage,	\
		&(k)->algorithmParms, &(k)->PCRInfoSize, &(k)->PCRInfo,	\
		&(k)->pubKey, &(k)->encSize, &(k)->encData }

static void put_key(UINT64 *offset, BYTE *blob, TPM_KEY *key, bool with_enc)
{
	const struct key_body b = KEY_BODY(key);

	put_version(offset, blob, &key->ver);
	put_key_body(offset, blob, &b, with_enc);
}

static void put_key12(UINT64 *offset, BYTE *blob, TPM_KEY12 *key, bool with_enc)
{
	const struct key_body b = KEY_BODY(key);

	put_u16(offset, blob, key->tag);
	put_u16(offset, blob, key->fill);
	put_key_body(offset, blob, &b, with_enc);
}

void Trspi_LoadBlob_KEY(UINT64 *offset, BYTE *blob, TCPA_KEY *key)
{
	LOAD_GUARD(offset, key);
	put_key(offset, blob, key, true);
}

void Trspi_LoadBlob_KEY12(UINT64 *offset, BYTE *blob, TPM_KEY12 *key)
{
	LOAD_GUARD(offset, key);
	put_key12(offset, blob, key, true);
}

void Trspi_LoadBlob_PRIVKEY_DIGEST(UINT64 *offset, BYTE *blob, TCPA_KEY *key)
{
	LOAD_GUARD(offset, key);
	put_key(offset, blob, key, false);
}

void Trspi_LoadBlob_PRIVKEY_DIGEST12(UINT64 *offset, BYTE *blob, TPM_KEY12 *key)
{
	LOAD_GUARD(offset, key);
	put_key12(offset, blob, key, false);
}

/*
 * TPM 1.2 Part 2 §11.1. TrouSerS declares but never defines this one;
 * PCRInfo is taken as PCRInfoSize raw bytes, its wire form.
 */
void Trspi_LoadBlob_CERTIFY_INFO(UINT64 *offset, BYTE *blob, TCPA_CERTIFY_INFO *certify)
{
	LOAD_GUARD(offset, certify);
	put_version(offset, blob, &certify->version);
	put_u16(offset, blob, certify->keyUsage);
	put_u32(offset, blob, certify->keyFlags);
	put_u8(offset, blob, certify->authDataUsage);
	Trspi_LoadBlob_KEY_PARMS(offset, blob, &certify->algorithmParms);
	put_bytes(offset, blob, certify->pubkeyDigest.digest, TPM_SHA1_160_HASH_LEN);
	put_bytes(offset, blob, certify->data.nonce, TPM_SHA1_160_HASH_LEN);
	put_u8(offset, blob, certify->parentPCRStatus);
	put_u32(offset, blob, certify->PCRInfoSize);
	put_bytes(offset, blob, certify->PCRInfo, certify->PCRInfoSize);
}

/* TPM 1.2 Part 2 §10.6. Also declared-only in TrouSerS. */
void Trspi_LoadBlob_STORE_ASYMKEY(UINT64 *offset, BYTE *blob, TCPA_STORE_ASYMKEY *store)
{
	LOAD_GUARD(offset, store);
	put_u8(offset, blob, store->payload);
	put_bytes(offset, blob, store->usageAuth.authdata, TPM_SHA1_160_HASH_LEN);
	put_bytes(offset, blob, store->migrationAuth.authdata, TPM_SHA1_160_HASH_LEN);
	put_bytes(offset, blob, store->pubDataDigest.digest, TPM_SHA1_160_HASH_LEN);
	put_u32(offset, blob, store->privKey.keyLength);
	put_bytes(offset, blob, store->privKey.key, store->privKey.keyLength);
}

void Trspi_LoadBlob_SYMMETRIC_KEY(UINT64 *offset, BYTE *blob, TCPA_SYMMETRIC_KEY *key)
{
	LOAD_GUARD(offset, key);
	put_u32(offset, blob, key->algId);
	put_u16(offset, blob, key->encScheme);
	put_u16(offset, blob, key->size);
	put_bytes(offset, blob, key->data, key->size);
}

void Trspi_LoadBlob_SYM_CA_ATTESTATION(UINT64 *offset, BYTE *blob, TCPA_SYM_CA_ATTESTATION *sym)
{
	LOAD_GUARD(offset, sym);
	put_u32(offset, blob, sym->credSize);
	Trspi_LoadBlob_KEY_PARMS(offset, blob, &sym->algorithm);
	put_bytes(offset, blob, sym->credential, sym->credSize);
}

void Trspi_LoadBlob_ASYM_CA_CONTENTS(UINT64 *offset, BYTE *blob, TCPA_ASYM_CA_CONTENTS *asym)
{
	LOAD_GUARD(offset, asym);
	Trspi_LoadBlob_SYMMETRIC_KEY(offset, blob, &asym->sessionKey);
	put_bytes(offset, blob, asym->idDigest.digest, TPM_SHA1_160_HASH_LEN);
}

void Trspi_LoadBlob_IDENTITY_REQ(UINT64 *offset, BYTE *blob, TCPA_IDENTITY_REQ *req)
{
	LOAD_GUARD(offset, req);
	put_u32(offset, blob, req->asymSize);
	put_u32(offset, blob, req->symSize);
	Trspi_LoadBlob_KEY_PARMS(offset, blob, &req->asymAlgorithm);
	Trspi_LoadBlob_KEY_PARMS(offset, blob, &req->symAlgorithm);
	put_bytes(offset, blob, req->asymBlob, req->asymSize);
	put_bytes(offset, blob, req->symBlob, req->symSize);
}

void Trspi_LoadBlob_COUNTER_VALUE(UINT64 *offset, BYTE *blob, TPM_COUNTER_VALUE *ctr)
{
	LOAD_GUARD(offset, ctr);
	put_u16(offset, blob, ctr->tag);
	put_bytes(offset, blob, ctr->label, sizeof(ctr->label));
	put_u32(offset, blob, ctr->counter);
}

void Trspi_LoadBlob_TRANSPORT_PUBLIC(UINT64 *offset, BYTE *blob, TPM_TRANSPORT_PUBLIC *t)
{
	LOAD_GUARD(offset, t);
	put_u16(offset, blob, t->tag);
	put_u32(offset, blob, t->transAttributes);
	put_u32(offset, blob, t->algId);
	put_u16(offset, blob, t->encScheme);
}

void Trspi_LoadBlob_TRANSPORT_AUTH(UINT64 *offset, BYTE *blob, TPM_TRANSPORT_AUTH *t)
{
	LOAD_GUARD(offset, t);
	put_u16(offset, blob, t->tag);
	put_bytes(offset, blob, t->authData.authdata, TPM_SHA1_160_HASH_LEN);
}

void Trspi_LoadBlob_SIGN_INFO(UINT64 *offset, BYTE *blob, TPM_SIGN_INFO *s)
{
	LOAD_GUARD(offset, s);
	put_u16(offset, blob, s->tag);
	put_bytes(offset, blob, s->fixed, sizeof(s->fixed));
	put_bytes(offset, blob, s->replay.nonce, TPM_SHA1_160_HASH_LEN);
	put_u32(offset, blob, s->dataLen);
	put_bytes(offset, blob, s->data, s->dataLen);
}

void Trspi_LoadBlob_TPM_FAMILY_LABEL(UINT64 *offset, BYTE *blob, TPM_FAMILY_LABEL *label)
{
	LOAD_GUARD(offset, label);
	put_u8(offset, blob, label->label);
}

void Trspi_LoadBlob_TPM_FAMILY_TABLE_ENTRY(UINT64 *offset, BYTE *blob,
					   TPM_FAMILY_TABLE_ENTRY *entry)
{
	LOAD_GUARD(offset, entry);
	put_u16(offset, blob, entry->tag);
	put_u8(offset, blob, entry->label.label);
	put_u32(offset, blob, entry->familyID);
	put_u32(offset, blob, entry->verificationCount);
	put_u32(offset, blob, entry->flags);
}

void Trspi_LoadBlob_TPM_DELEGATE_LABEL(UINT64 *offset, BYTE *blob, TPM_DELEGATE_LABEL *label)
{
	LOAD_GUARD(offset, label);
	put_u8(offset, blob, label->label);
}

void Trspi_LoadBlob_TPM_DELEGATIONS(UINT64 *offset, BYTE *blob, TPM_DELEGATIONS *delegations)
{
	LOAD_GUARD(offset, delegations);
	put_u16(offset, blob, delegations->tag);
	put_u32(offset, blob, delegations->delegateType);
	put_u32(offset, blob, delegations->per1);
	put_u32(offset, blob, delegations->per2);
}

void Trspi_LoadBlob_TPM_DELEGATE_PUBLIC(UINT64 *offset, BYTE *blob, TPM_DELEGATE_PUBLIC *pub)
{
	LOAD_GUARD(offset, pub);
	put_u16(offset, blob, pub->tag);
	put_u8(offset, blob, pub->label.label);
	Trspi_LoadBlob_PCR_INFO_SHORT(offset, blob, &pub->pcrInfo);
	Trspi_LoadBlob_TPM_DELEGATIONS(offset, blob, &pub->permissions);
	put_u32(offset, blob, pub->familyID);
	put_u32(offset, blob, pub->verificationCount);
}

void Trspi_LoadBlob_TPM_DELEGATE_OWNER_BLOB(UINT64 *offset, BYTE *blob,
					    TPM_DELEGATE_OWNER_BLOB *owner)
{
	LOAD_GUARD(offset, owner);
	put_u16(offset, blob, owner->tag);
	Trspi_LoadBlob_TPM_DELEGATE_PUBLIC(offset, blob, &owner->pub);
	put_bytes(offset, blob, owner->integrityDigest.digest, TPM_SHA1_160_HASH_LEN);
	put_u32(offset, blob, owner->additionalSize);
	put_bytes(offset, blob, owner->additionalArea, owner->additionalSize);
	put_u32(offset, blob, owner->sensitiveSize);
	put_bytes(offset, blob, owner->sensitiveArea, owner->sensitiveSize);
}

void Trspi_LoadBlob_TPM_DELEGATE_KEY_BLOB(UINT64 *offset, BYTE *blob, TPM_DELEGATE_KEY_BLOB *key)
{
	LOAD_GUARD(offset, key);
	put_u16(offset, blob, key->tag);
	Trspi_LoadBlob_TPM_DELEGATE_PUBLIC(offset, blob, &key->pub);
	put_bytes(offset, blob, key->integrityDigest.digest, TPM_SHA1_160_HASH_LEN);
	put_bytes(offset, blob, key->pubKeyDigest.digest, TPM_SHA1_160_HASH_LEN);
	put_u32(offset, blob, key->additionalSize);
	put_bytes(offset, blob, key->additionalArea, key->additionalSize);
	put_u32(offset, blob, key->sensitiveSize);
	put_bytes(offset, blob, key->sensitiveArea, key->sensitiveSize);
}

void Trspi_LoadBlob_TSS_FAMILY_TABLE_ENTRY(UINT64 *offset, BYTE *blob,
					   TSS_FAMILY_TABLE_ENTRY *entry)
{
	LOAD_GUARD(offset, entry);
	put_u32(offset, blob, entry->familyID);
	put_u8(offset, blob, entry->label);
	put_u32(offset, blob, entry->verificationCount);
	put_u8(offset, blob, (BYTE)entry->enabled);
	put_u8(offset, blob, (BYTE)entry->locked);
}

void Trspi_LoadBlob_TSS_DELEGATION_TABLE_ENTRY(UINT64 *offset, BYTE *blob,
					       TSS_DELEGATION_TABLE_ENTRY *entry)
{
	LOAD_GUARD(offset, entry);
	put_u32(offset, blob, entry->tableIndex);
	put_u8(offset, blob, entry->label);
	Trspi_LoadBlob_TSS_PCR_INFO_SHORT(offset, blob, &entry->pcrInfo);
	put_u32(offset, blob, entry->per1);
	put_u32(offset, blob, entry->per2);
	put_u32(offset, blob, entry->familyID);
	put_u32(offset, blob, entry->verificationCount);
}

void Trspi_LoadBlob_MIGRATIONKEYAUTH(UINT64 *offset, BYTE *blob, TPM_MIGRATIONKEYAUTH *migAuth)
{
	LOAD_GUARD(offset, migAuth);
	Trspi_LoadBlob_PUBKEY(offset, blob, &migAuth->migrationKey);
	put_u16(offset, blob, migAuth->migrationScheme);
	put_bytes(offset, blob, migAuth->digest.digest, TPM_SHA1_160_HASH_LEN);
}

void Trspi_LoadBlob_MSA_COMPOSITE(UINT64 *offset, BYTE *blob, TPM_MSA_COMPOSITE *msaComp)
{
	LOAD_GUARD(offset, msaComp);
	put_u32(offset, blob, msaComp->MSAlist);
	for (UINT32 i = 0; i < msaComp->MSAlist; i++)
		put_bytes(offset, blob,
			  msaComp->migAuthDigest != NULL ? msaComp->migAuthDigest[i].digest : NULL,
			  TPM_SHA1_160_HASH_LEN);
}

void Trspi_LoadBlob_CMK_AUTH(UINT64 *offset, BYTE *blob, TPM_CMK_AUTH *cmkAuth)
{
	LOAD_GUARD(offset, cmkAuth);
	put_bytes(offset, blob, cmkAuth->migrationAuthorityDigest.digest, TPM_SHA1_160_HASH_LEN);
	put_bytes(offset, blob, cmkAuth->destinationKeyDigest.digest, TPM_SHA1_160_HASH_LEN);
	put_bytes(offset, blob, cmkAuth->sourceKeyDigest.digest, TPM_SHA1_160_HASH_LEN);
}

void Trspi_LoadBlob_CAP_VERSION_INFO(UINT64 *offset, BYTE *blob, TPM_CAP_VERSION_INFO *v)
{
	LOAD_GUARD(offset, v);
	put_u16(offset, blob, v->tag);
	put_u8(offset, blob, v->version.major);
	put_u8(offset, blob, v->version.minor);
	put_u8(offset, blob, v->version.revMajor);
	put_u8(offset, blob, v->version.revMinor);
	put_u16(offset, blob, v->specLevel);
	put_u8(offset, blob, v->errataRev);
	put_bytes(offset, blob, v->tpmVendorID, sizeof(v->tpmVendorID));
	put_u16(offset, blob, v->vendorSpecificSize);
	put_bytes(offset, blob, v->vendorSpecific, v->vendorSpecificSize);
}

/* ====================================================================== */
/* Hashing                                                                */
/* ====================================================================== */

TSS_RESULT Trspi_Hash(UINT32 HashType, UINT32 BufSize, BYTE *Buf, BYTE *Digest)
{
	if (HashType != TSS_HASH_SHA1)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	if (Digest == NULL || (Buf == NULL && BufSize > 0))
		return TSP_RC(TSS_E_BAD_PARAMETER);
	if (crypto_sha1(Buf, BufSize, Digest) != 0)
		return TSP_RC(TSS_E_INTERNAL_ERROR);
	return TSS_SUCCESS;
}

TSS_RESULT Trspi_HashInit(Trspi_HashCtx *c, UINT32 type)
{
	EVP_MD_CTX *md;

	if (c == NULL)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	c->ctx = NULL;
	if (type != TSS_HASH_SHA1)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	if ((md = EVP_MD_CTX_new()) == NULL)
		return TSP_RC(TSS_E_OUTOFMEMORY);
	if (EVP_DigestInit_ex(md, EVP_sha1(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return TSP_RC(TSS_E_INTERNAL_ERROR);
	}
	c->ctx = md;
	return TSS_SUCCESS;
}

/* A failed update ends the hash; the context is freed, as in TrouSerS. */
TSS_RESULT Trspi_HashUpdate(Trspi_HashCtx *c, UINT32 size, BYTE *data)
{
	if (c == NULL || c->ctx == NULL)
		return TSP_RC(TSS_E_INTERNAL_ERROR);
	if (data == NULL && size > 0)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	if (size == 0)
		return TSS_SUCCESS;
	if (EVP_DigestUpdate(c->ctx, data, size) != 1) {
		EVP_MD_CTX_free(c->ctx);
		c->ctx = NULL;
		return TSP_RC(TSS_E_INTERNAL_ERROR);
	}
	return TSS_SUCCESS;
}

TSS_RESULT Trspi_HashFinal(Trspi_HashCtx *c, BYTE *out_digest)
{
	unsigned int len = 0;
	int ok;

	if (c == NULL || c->ctx == NULL)
		return TSP_RC(TSS_E_INTERNAL_ERROR);
	if (out_digest == NULL)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	ok = EVP_DigestFinal_ex(c->ctx, out_digest, &len);
	EVP_MD_CTX_free(c->ctx);
	c->ctx = NULL;
	return ok == 1 ? TSS_SUCCESS : TSP_RC(TSS_E_INTERNAL_ERROR);
}

TSS_RESULT Trspi_Hash_UINT16(Trspi_HashCtx *c, UINT16 i)
{
	BYTE b[2];
	UINT64 off = 0;

	put_u16(&off, b, i);
	return Trspi_HashUpdate(c, sizeof(b), b);
}

TSS_RESULT Trspi_Hash_UINT32(Trspi_HashCtx *c, UINT32 i)
{
	BYTE b[4];
	UINT64 off = 0;

	put_u32(&off, b, i);
	return Trspi_HashUpdate(c, sizeof(b), b);
}

TSS_RESULT Trspi_Hash_UINT64(Trspi_HashCtx *c, UINT64 i)
{
	BYTE b[8];
	UINT64 off = 0;

	put_u64(&off, b, i);
	return Trspi_HashUpdate(c, sizeof(b), b);
}

TSS_RESULT Trspi_Hash_BYTE(Trspi_HashCtx *c, BYTE data)
{
	return Trspi_HashUpdate(c, 1, &data);
}

TSS_RESULT Trspi_Hash_BOOL(Trspi_HashCtx *c, TSS_BOOL data)
{
	BYTE b = (BYTE)data;

	return Trspi_HashUpdate(c, 1, &b);
}

TSS_RESULT Trspi_Hash_VERSION(Trspi_HashCtx *c, TSS_VERSION *version)
{
	BYTE b[4];

	if (version == NULL)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	b[0] = version->bMajor;
	b[1] = version->bMinor;
	b[2] = version->bRevMajor;
	b[3] = version->bRevMinor;
	return Trspi_HashUpdate(c, sizeof(b), b);
}

TSS_RESULT Trspi_Hash_UUID(Trspi_HashCtx *c, TSS_UUID uuid)
{
	BYTE b[16];
	UINT64 off = 0;

	Trspi_LoadBlob_UUID(&off, b, uuid);
	return Trspi_HashUpdate(c, sizeof(b), b);
}

/* Hashes the bytes len of encoding that a Load call put into buf, then frees it. */
static TSS_RESULT hash_encoding(Trspi_HashCtx *c, BYTE *buf, UINT64 len)
{
	TSS_RESULT rc;

	if (len > UINT32_MAX)
		rc = TSP_RC(TSS_E_BAD_PARAMETER);
	else
		rc = Trspi_HashUpdate(c, (UINT32)len, buf);
	OPENSSL_clear_free(buf, (size_t)len);
	return rc;
}

/*
 * Trspi_Hash_X hashes exactly the bytes Trspi_LoadBlob_X writes: the
 * encoding is measured, built in a scratch buffer, hashed and wiped
 * (it may hold secrets such as a symmetric key).
 */
#define HASH_AS_LOADED(Name, Type)						\
	TSS_RESULT Trspi_Hash_##Name(Trspi_HashCtx *c, Type *x)			\
	{									\
		UINT64 len = 0, off = 0;					\
		BYTE *buf;							\
										\
		if (x == NULL)							\
			return TSP_RC(TSS_E_BAD_PARAMETER);			\
		Trspi_LoadBlob_##Name(&len, NULL, x);				\
		if (len > SIZE_MAX - 1 || (buf = malloc((size_t)len + 1)) == NULL) \
			return TSP_RC(TSS_E_OUTOFMEMORY);			\
		Trspi_LoadBlob_##Name(&off, buf, x);				\
		return hash_encoding(c, buf, len);				\
	}

HASH_AS_LOADED(PUBKEY, TCPA_PUBKEY)
HASH_AS_LOADED(RSA_KEY_PARMS, TCPA_RSA_KEY_PARMS)
HASH_AS_LOADED(STORED_DATA, TCPA_STORED_DATA)
HASH_AS_LOADED(PCR_SELECTION, TCPA_PCR_SELECTION)
HASH_AS_LOADED(KEY, TCPA_KEY)
HASH_AS_LOADED(KEY12, TPM_KEY12)
HASH_AS_LOADED(KEY_FLAGS, TCPA_KEY_FLAGS)
HASH_AS_LOADED(KEY_PARMS, TCPA_KEY_PARMS)
HASH_AS_LOADED(STORE_PUBKEY, TCPA_STORE_PUBKEY)
HASH_AS_LOADED(PCR_EVENT, TSS_PCR_EVENT)
HASH_AS_LOADED(PRIVKEY_DIGEST, TCPA_KEY)
HASH_AS_LOADED(PRIVKEY_DIGEST12, TPM_KEY12)
HASH_AS_LOADED(SYMMETRIC_KEY, TCPA_SYMMETRIC_KEY)
HASH_AS_LOADED(IDENTITY_REQ, TCPA_IDENTITY_REQ)
HASH_AS_LOADED(CHANGEAUTH_VALIDATE, TPM_CHANGEAUTH_VALIDATE)
HASH_AS_LOADED(SYM_CA_ATTESTATION, TCPA_SYM_CA_ATTESTATION)
HASH_AS_LOADED(ASYM_CA_CONTENTS, TCPA_ASYM_CA_CONTENTS)
HASH_AS_LOADED(TRANSPORT_AUTH, TPM_TRANSPORT_AUTH)
HASH_AS_LOADED(SIGN_INFO, TPM_SIGN_INFO)
HASH_AS_LOADED(MSA_COMPOSITE, TPM_MSA_COMPOSITE)

TSS_RESULT Trspi_Hash_BOUND_DATA(Trspi_HashCtx *c, TCPA_BOUND_DATA *bd, UINT32 payloadLength)
{
	UINT64 len = 0, off = 0;
	BYTE *buf;

	if (bd == NULL)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	Trspi_LoadBlob_BOUND_DATA(&len, *bd, payloadLength, NULL);
	if ((buf = malloc((size_t)len + 1)) == NULL)
		return TSP_RC(TSS_E_OUTOFMEMORY);
	Trspi_LoadBlob_BOUND_DATA(&off, *bd, payloadLength, buf);
	return hash_encoding(c, buf, len);
}

/* TPM 1.2 Part 2 §15.1 */
TSS_RESULT Trspi_Hash_CURRENT_TICKS(Trspi_HashCtx *c, TPM_CURRENT_TICKS *t)
{
	BYTE b[32];
	UINT64 off = 0;

	if (t == NULL)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	put_u16(&off, b, t->tag);
	put_u64(&off, b, t->currentTicks);
	put_u16(&off, b, t->tickRate);
	put_bytes(&off, b, t->tickNonce.nonce, TPM_SHA1_160_HASH_LEN);
	return Trspi_HashUpdate(c, sizeof(b), b);
}

/* TPM 1.2 Part 2 §13.3 */
TSS_RESULT Trspi_Hash_TRANSPORT_LOG_IN(Trspi_HashCtx *c, TPM_TRANSPORT_LOG_IN *l)
{
	BYTE b[2 + 2 * TPM_SHA1_160_HASH_LEN];
	UINT64 off = 0;

	if (l == NULL)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	put_u16(&off, b, l->tag);
	put_bytes(&off, b, l->parameters.digest, TPM_SHA1_160_HASH_LEN);
	put_bytes(&off, b, l->pubKeyHash.digest, TPM_SHA1_160_HASH_LEN);
	return Trspi_HashUpdate(c, sizeof(b), b);
}

/* TPM 1.2 Part 2 §13.4 */
TSS_RESULT Trspi_Hash_TRANSPORT_LOG_OUT(Trspi_HashCtx *c, TPM_TRANSPORT_LOG_OUT *l)
{
	BYTE b[2 + 32 + TPM_SHA1_160_HASH_LEN + 4];
	UINT64 off = 0;

	if (l == NULL)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	put_u16(&off, b, l->tag);
	put_u16(&off, b, l->currentTicks.tag);
	put_u64(&off, b, l->currentTicks.currentTicks);
	put_u16(&off, b, l->currentTicks.tickRate);
	put_bytes(&off, b, l->currentTicks.tickNonce.nonce, TPM_SHA1_160_HASH_LEN);
	put_bytes(&off, b, l->parameters.digest, TPM_SHA1_160_HASH_LEN);
	put_u32(&off, b, l->locality);
	return Trspi_HashUpdate(c, sizeof(b), b);
}

/*
 * The DAA issuer public key, in TrouSerS' hashing order: each part with
 * its UINT32 length, except the capitalY rows, which go in bare, and
 * capitalYPlatformLength, which goes in alone.
 */
TSS_RESULT Trspi_Hash_DAA_PK(Trspi_HashCtx *c, TSS_DAA_PK *pk)
{
	const struct {
		UINT32 len;
		BYTE *data;
	} parts[] = {
		{ pk != NULL ? pk->modulusLength : 0, pk != NULL ? pk->modulus : NULL },
		{ pk != NULL ? pk->capitalSLength : 0, pk != NULL ? pk->capitalS : NULL },
		{ pk != NULL ? pk->capitalZLength : 0, pk != NULL ? pk->capitalZ : NULL },
		{ pk != NULL ? pk->capitalR0Length : 0, pk != NULL ? pk->capitalR0 : NULL },
		{ pk != NULL ? pk->capitalR1Length : 0, pk != NULL ? pk->capitalR1 : NULL },
		{ pk != NULL ? pk->gammaLength : 0, pk != NULL ? pk->gamma : NULL },
		{ pk != NULL ? pk->capitalGammaLength : 0, pk != NULL ? pk->capitalGamma : NULL },
		{ pk != NULL ? pk->rhoLength : 0, pk != NULL ? pk->rho : NULL },
	};
	TSS_RESULT rc;

	if (pk == NULL)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	rc = Trspi_Hash_VERSION(c, &pk->versionInfo);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		rc |= Trspi_Hash_UINT32(c, parts[i].len);
		rc |= Trspi_HashUpdate(c, parts[i].len, parts[i].data);
	}
	for (UINT32 i = 0; i < pk->capitalYLength; i++)
		rc |= Trspi_HashUpdate(c, pk->capitalYLength2,
				       pk->capitalY != NULL ? pk->capitalY[i] : NULL);
	rc |= Trspi_Hash_UINT32(c, pk->capitalYPlatformLength);
	rc |= Trspi_Hash_UINT32(c, pk->issuerBaseNameLength);
	rc |= Trspi_HashUpdate(c, pk->issuerBaseNameLength, pk->issuerBaseName);
	return rc;
}

UINT32 Trspi_HMAC(UINT32 HashType, UINT32 SecretSize, BYTE *Secret, UINT32 BufSize, BYTE *Buf,
		  BYTE *hmacOut)
{
	if (HashType != TSS_HASH_SHA1 || hmacOut == NULL ||
	    (Secret == NULL && SecretSize > 0) || (Buf == NULL && BufSize > 0))
		return TSP_RC(TSS_E_BAD_PARAMETER);
	if (crypto_hmac_sha1(Secret, SecretSize, Buf, BufSize, hmacOut) != 0)
		return TSP_RC(TSS_E_INTERNAL_ERROR);
	return TSS_SUCCESS;
}

/* MGF1 (PKCS#1 v2.1 B.2.1): SHA-1(seed || counter) blocks, counter big-endian. */
TSS_RESULT Trspi_MGF1(UINT32 alg, UINT32 seedLen, BYTE *seed, UINT32 outLen, BYTE *out)
{
	struct crypto_sha1_ctx ctx;
	BYTE block[CRYPTO_SHA1_LEN], counter[4];
	UINT32 done = 0, n = 0;
	TSS_RESULT rc = TSS_SUCCESS;

	if (alg != TSS_HASH_SHA1 || (seed == NULL && seedLen > 0) || (out == NULL && outLen > 0))
		return TSP_RC(TSS_E_BAD_PARAMETER);
	while (done < outLen) {
		UINT64 off = 0;
		UINT32 take = outLen - done < CRYPTO_SHA1_LEN ? outLen - done : CRYPTO_SHA1_LEN;

		put_u32(&off, counter, n++);
		if (crypto_sha1_init(&ctx) != 0 || crypto_sha1_update(&ctx, seed, seedLen) != 0 ||
		    crypto_sha1_update(&ctx, counter, sizeof(counter)) != 0 ||
		    crypto_sha1_final(&ctx, block) != 0) {
			crypto_sha1_abort(&ctx);
			rc = TSP_RC(TSS_E_INTERNAL_ERROR);
			goto out;
		}
		memcpy(out + done, block, take);
		done += take;
	}
out:
	OPENSSL_cleanse(block, sizeof(block));
	return rc;
}

/* ====================================================================== */
/* RSA                                                                    */
/* ====================================================================== */

static const BYTE rsa_exponent_65537[] = { 0x01, 0x00, 0x01 };

int Trspi_RSA_Encrypt(unsigned char *dataToEncrypt, unsigned int dataToEncryptLen,
		      unsigned char *encryptedData, unsigned int *encryptedDataLen,
		      unsigned char *publicKey, unsigned int keysize)
{
	EVP_PKEY *key = NULL;
	size_t out_len = 0;
	int rc;

	if (dataToEncrypt == NULL || encryptedData == NULL || encryptedDataLen == NULL ||
	    publicKey == NULL)
		return (int)TSP_RC(TSS_E_BAD_PARAMETER);
	if (crypto_rsa_import_public(publicKey, keysize, rsa_exponent_65537,
				     sizeof(rsa_exponent_65537), &key) != 0)
		return (int)TSP_RC(TSS_E_BAD_PARAMETER);
	/* TPM 1.2 Part 1 §31.1.1: OAEP with SHA-1, MGF1 and the label "TCPA" */
	rc = crypto_rsa_encrypt_oaep_tcpa(key, dataToEncrypt, dataToEncryptLen, encryptedData,
					  crypto_rsa_size(key), &out_len);
	crypto_rsa_free(key);
	if (rc != 0)
		return (int)TSP_RC(TSS_E_INTERNAL_ERROR);
	*encryptedDataLen = (unsigned int)out_len;
	return TSS_SUCCESS;
}

TSS_RESULT Trspi_Verify(UINT32 HashType, BYTE *pHash, UINT32 iHashLength,
			unsigned char *pModulus, int iKeyLength,
			BYTE *pSignature, UINT32 sig_len)
{
	EVP_PKEY *key = NULL;
	int rc;

	if (HashType != TSS_HASH_SHA1 && HashType != TSS_HASH_OTHER)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	if (pHash == NULL || pModulus == NULL || pSignature == NULL || iKeyLength <= 0)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	if (crypto_rsa_import_public(pModulus, (size_t)iKeyLength, rsa_exponent_65537,
				     sizeof(rsa_exponent_65537), &key) != 0)
		return TSP_RC(TSS_E_FAIL);
	if (HashType == TSS_HASH_SHA1) {
		/* PKCS#1 v1.5 over DigestInfo(SHA-1, hash) */
		rc = iHashLength == CRYPTO_SHA1_LEN ?
		     crypto_rsa_verify_sha1(key, pHash, pSignature, sig_len) : -EBADMSG;
	} else {
		/* The signed bytes are the hash as given, PKCS#1 v1.5 type 1 padded. */
		rc = crypto_rsa_verify_der(key, pHash, iHashLength, pSignature, sig_len);
	}
	crypto_rsa_free(key);
	return rc == 0 ? TSS_SUCCESS : TSP_RC(TSS_E_FAIL);
}

/* Raw RSA (no padding): EVP with RSA_NO_PADDING; crypto.h has no such call. */
static int rsa_encrypt_raw(EVP_PKEY *key, const BYTE *in, size_t in_len, BYTE *out,
			   size_t *out_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	size_t len = crypto_rsa_size(key);
	int rc = -EIO;

	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_PKEY_encrypt_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 &&
	    EVP_PKEY_encrypt(ctx, out, &len, in, in_len) == 1) {
		*out_len = len;
		rc = 0;
	}
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int Trspi_RSA_Public_Encrypt(unsigned char *in, unsigned int inlen,
			     unsigned char *out, unsigned int *outlen,
			     unsigned char *pubkey, unsigned int pubsize,
			     unsigned int e, int padding)
{
	BYTE exp[3] = { 0x01, 0x00, 0x01 };
	size_t exp_len = 3, out_len = 0;
	EVP_PKEY *key = NULL;
	int rc;

	switch (e) {
	case 0:
	case 65537:
		break;
	case 17:
	case 3:
		exp[0] = (BYTE)e;
		exp_len = 1;
		break;
	default:
		return (int)TSP_RC(TSS_E_INTERNAL_ERROR);
	}
	if (padding != TR_RSA_PKCS1_OAEP_PADDING && padding != TR_RSA_PKCS1_PADDING &&
	    padding != TR_RSA_NO_PADDING)
		return (int)TSP_RC(TSS_E_INTERNAL_ERROR);
	if (in == NULL || out == NULL || outlen == NULL || pubkey == NULL)
		return (int)TSP_RC(TSS_E_BAD_PARAMETER);
	if (crypto_rsa_import_public(pubkey, pubsize, exp, exp_len, &key) != 0)
		return (int)TSP_RC(TSS_E_FAIL);
	if (padding == TR_RSA_PKCS1_OAEP_PADDING)
		/* Plain OAEP: SHA-1, empty label (OpenSSL's default, as TrouSerS used) */
		rc = crypto_rsa_encrypt_oaep(key, NULL, 0, in, inlen, out, crypto_rsa_size(key),
					     &out_len);
	else if (padding == TR_RSA_PKCS1_PADDING)
		rc = crypto_rsa_encrypt_pkcs1v15(key, in, inlen, out, crypto_rsa_size(key), &out_len);
	else
		rc = rsa_encrypt_raw(key, in, inlen, out, &out_len);
	crypto_rsa_free(key);
	if (rc != 0)
		return (int)TSP_RC(TSS_E_INTERNAL_ERROR);
	*outlen = (unsigned int)out_len;
	return TSS_SUCCESS;
}

/* ====================================================================== */
/* Symmetric ciphers                                                      */
/* ====================================================================== */

/*
 * Which OpenSSL cipher an (algorithm, mode) pair means, as TrouSerS maps
 * them: "no scheme", PKCS#5-padded CBC and TR_SYM_MODE_CBC are CBC; OFB
 * is OFB; counter mode is not offered.
 */
enum sym_mode { SYM_CBC, SYM_OFB, SYM_NONE };

static enum sym_mode sym_mode_of(UINT16 mode)
{
	switch (mode) {
	case TPM_ES_NONE:
	case TSS_ES_NONE:
	case TPM_ES_SYM_CBC_PKCS5PAD:
	case TR_SYM_MODE_CBC:
		return SYM_CBC;
	case TPM_ES_SYM_OFB:
		return SYM_OFB;
	default:
		return SYM_NONE;
	}
}

static const struct {
	UINT16 alg;
	const char *cbc, *ofb;
} sym_ciphers[] = {
	{ TSS_ALG_AES,    "AES-128-CBC",      "AES-128-OFB" },
	{ TPM_ALG_AES,    "AES-128-CBC",      "AES-128-OFB" },
	{ TSS_ALG_DES,    "DES-CBC",          "DES-OFB" },
	{ TPM_ALG_DES,    "DES-CBC",          "DES-OFB" },
	{ TSS_ALG_3DES,   "DES-EDE3-CBC",     "DES-EDE3-OFB" },
	{ TPM_ALG_3DES,   "DES-EDE3-CBC",     "DES-EDE3-OFB" },
	{ TSS_ALG_AES192, "AES-192-CBC",      "AES-192-OFB" },
	{ TPM_ALG_AES192, "AES-192-CBC",      "AES-192-OFB" },
	{ TSS_ALG_AES256, "AES-256-CBC",      "AES-256-OFB" },
	{ TPM_ALG_AES256, "AES-256-CBC",      "AES-256-OFB" },
};

/* The caller frees the result with EVP_CIPHER_free. */
static EVP_CIPHER *sym_cipher(UINT16 alg, UINT16 mode)
{
	enum sym_mode m = sym_mode_of(mode);

	if (m == SYM_NONE)
		return NULL;
	for (size_t i = 0; i < sizeof(sym_ciphers) / sizeof(sym_ciphers[0]); i++)
		if (sym_ciphers[i].alg == alg)
			return EVP_CIPHER_fetch(NULL, m == SYM_CBC ? sym_ciphers[i].cbc :
						sym_ciphers[i].ofb, NULL);
	return NULL;
}

/*
 * One pass of a cipher over in[0..in_len) into out (cap bytes, checked
 * against the worst case before anything is written).
 */
static TSS_RESULT sym_run(const EVP_CIPHER *cipher, int enc, const BYTE *key, const BYTE *iv,
			  const BYTE *in, UINT32 in_len, BYTE *out, size_t cap, UINT32 *out_len)
{
	EVP_CIPHER_CTX *ctx;
	int block, n1 = 0, n2 = 0;
	TSS_RESULT rc = TSP_RC(TSS_E_INTERNAL_ERROR);

	if (in_len > INT32_MAX - 64)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	block = EVP_CIPHER_get_block_size(cipher);
	if (cap < (size_t)in_len + (size_t)block)
		return TSP_RC(TSS_E_INTERNAL_ERROR);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return TSP_RC(TSS_E_OUTOFMEMORY);
	if (EVP_CipherInit_ex2(ctx, cipher, key, iv, enc, NULL) == 1 &&
	    EVP_CipherUpdate(ctx, out, &n1, in, (int)in_len) == 1 &&
	    EVP_CipherFinal_ex(ctx, out + n1, &n2) == 1) {
		*out_len = (UINT32)(n1 + n2);
		rc = TSS_SUCCESS;
	}
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* TrouSerS' ECB helpers use AES-256 whatever the size; so do we. */
static TSS_RESULT ecb(int enc, UINT16 alg, BYTE *key, BYTE *in, UINT32 in_len, BYTE *out,
		      UINT32 *out_len)
{
	EVP_CIPHER *cipher;
	TSS_RESULT rc;

	if (alg != TSS_ALG_AES)
		return TSP_RC(TSS_E_INTERNAL_ERROR);
	if (key == NULL || out_len == NULL || out == NULL || (in == NULL && in_len > 0))
		return TSP_RC(TSS_E_BAD_PARAMETER);
	if ((cipher = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL)) == NULL)
		return TSP_RC(TSS_E_INTERNAL_ERROR);
	/* *out_len is the room the caller has. */
	rc = sym_run(cipher, enc, key, NULL, in, in_len, out, *out_len, out_len);
	EVP_CIPHER_free(cipher);
	return rc;
}

TSS_RESULT Trspi_Encrypt_ECB(UINT16 alg, BYTE *key, BYTE *in, UINT32 in_len, BYTE *out,
			     UINT32 *out_len)
{
	return ecb(1, alg, key, in, in_len, out, out_len);
}

TSS_RESULT Trspi_Decrypt_ECB(UINT16 alg, BYTE *key, BYTE *in, UINT32 in_len, BYTE *out,
			     UINT32 *out_len)
{
	return ecb(0, alg, key, in, in_len, out, out_len);
}

/*
 * With iv NULL, a random IV is made and written in front of the
 * ciphertext, and *out_len counts it (TrouSerS' convention).
 */
TSS_RESULT Trspi_SymEncrypt(UINT16 alg, UINT16 mode, BYTE *key, BYTE *iv, BYTE *in,
			    UINT32 in_len, BYTE *out, UINT32 *out_len)
{
	EVP_CIPHER *cipher;
	BYTE fresh_iv[EVP_MAX_IV_LENGTH];
	size_t iv_len, cap;
	UINT32 n = 0;
	TSS_RESULT rc;

	if (key == NULL || out == NULL || out_len == NULL || (in == NULL && in_len > 0))
		return TSP_RC(TSS_E_BAD_PARAMETER);
	if ((cipher = sym_cipher(alg, mode)) == NULL)
		return TSP_RC(TSS_E_INTERNAL_ERROR);
	cap = *out_len;
	iv_len = (size_t)EVP_CIPHER_get_iv_length(cipher);
	if (iv == NULL) {
		if (cap < iv_len || crypto_random(fresh_iv, iv_len) != 0) {
			rc = TSP_RC(TSS_E_INTERNAL_ERROR);
			goto out;
		}
		memcpy(out, fresh_iv, iv_len);
		rc = sym_run(cipher, 1, key, fresh_iv, in, in_len, out + iv_len, cap - iv_len, &n);
		if (rc == TSS_SUCCESS)
			*out_len = n + (UINT32)iv_len;
	} else {
		rc = sym_run(cipher, 1, key, iv, in, in_len, out, cap, &n);
		if (rc == TSS_SUCCESS)
			*out_len = n;
	}
out:
	EVP_CIPHER_free(cipher);
	return rc;
}

/* With iv NULL, the IV is taken from the front of the input. */
TSS_RESULT Trspi_SymDecrypt(UINT16 alg, UINT16 mode, BYTE *key, BYTE *iv, BYTE *in,
			    UINT32 in_len, BYTE *out, UINT32 *out_len)
{
	EVP_CIPHER *cipher;
	size_t iv_len;
	TSS_RESULT rc;

	if (key == NULL || out == NULL || out_len == NULL || in == NULL)
		return TSP_RC(TSS_E_BAD_PARAMETER);
	if ((cipher = sym_cipher(alg, mode)) == NULL)
		return TSP_RC(TSS_E_INTERNAL_ERROR);
	iv_len = (size_t)EVP_CIPHER_get_iv_length(cipher);
	if (iv == NULL) {
		if (in_len < iv_len) {
			rc = TSP_RC(TSS_E_BAD_PARAMETER);
			goto out;
		}
		rc = sym_run(cipher, 0, key, in, in + iv_len, in_len - (UINT32)iv_len, out,
			     *out_len, out_len);
	} else {
		rc = sym_run(cipher, 0, key, iv, in, in_len, out, *out_len, out_len);
	}
out:
	EVP_CIPHER_free(cipher);
	return rc;
}
