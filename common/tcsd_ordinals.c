/*
 * The TCSD ordinal table: names, remote_ops groups and parameter schemas
 * (see tcsd_ordinals.h for the schema letters). Facts from TrouSerS'
 * src/tcs/rpc/tcstp/rpc.c (dispatch table), src/include/tcsd_ops.h
 * (remote_ops groups) and rpc_*.c (parameters); REFERENCES.md §1.7.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "tcsd_ordinals.h"
#include "tcsd_wire.h"

/*
 * Group sets of the helper ordinals (tcsd_ops.h SUBOP_*): every group
 * includes the context calls; the key-using groups add auth sessions,
 * random numbers and loading keys by UUID.
 */
#define G(x) TCSD_OPS_##x
#define G_CONTEXT TCSD_OPS_ALL
#define G_LOADBYUUID (G(SEAL) | G(UNSEAL) | G(LOADKEY) | G(REGISTERKEY) | G(CREATEKEY))
#define G_FREEMEMORY (G_LOADBYUUID | G(SIGN) | G(RANDOM) | G(GETCAPABILITY) | G(SELFTEST))
#define G_AUTHSESS                                                                           \
	(G(SEAL) | G(UNSEAL) | G(GETPUBKEY) | G(LOADKEY) | G(CREATEKEY) | G(SIGN) | G(UNBIND) | \
	 G(QUOTE) | G(READPUBEK))
#define G_RANDOM (G_AUTHSESS | G(RANDOM))

#define ORD(ord, nm, groups, i, o) \
	[TCSD_ORD_##ord] = { TCSD_ORD_##ord, nm, groups, i, o }

const struct tcsd_ordinal_info tcsd_ordinal_table[TCSD_LAST_ORD] = {
	ORD(ERROR, "Error", 0, NULL, NULL),
	ORD(OPENCONTEXT, "OpenContext", G_CONTEXT, "", "uu"),
	ORD(CLOSECONTEXT, "CloseContext", G_CONTEXT, "u", ""),
	ORD(FREEMEMORY, "FreeMemory", G_FREEMEMORY, NULL, NULL),
	ORD(TCSGETCAPABILITY, "TCSGetCapability", G(GETCAPABILITY), "uuB", "B"),
	ORD(REGISTERKEY, "RegisterKey", G(REGISTERKEY), "uUUBB", ""),
	ORD(UNREGISTERKEY, "UnregisterKey", G(UNREGISTERKEY), "uU", ""),
	ORD(ENUMREGISTEREDKEYS, "EnumRegisteredKeys", 0, "u?U", "u*k"),
	ORD(GETREGISTEREDKEY, "GetRegisteredKey", 0, NULL, NULL),
	ORD(GETREGISTEREDKEYBLOB, "GetRegisteredKeyBlob", G_LOADBYUUID, "uU", "B"),
	ORD(GETREGISTEREDKEYBYPUBLICINFO, "GetRegisteredKeyByPublicInfo",
	    G(GETREGISTEREDKEYBYPUBLICINFO), "uuB", "B"),
	ORD(LOADKEYBYBLOB, "LoadKeyByBlob", G(LOADKEY) | G(REGISTERKEY), "uuB?a", "?auu"),
	ORD(LOADKEYBYUUID, "LoadKeyByUUID", G_LOADBYUUID, "uU?l", "u?l"),
	ORD(EVICTKEY, "EvictKey", 0, "uu", ""),
	ORD(CREATEWRAPKEY, "CreateWrapKey", G(CREATEKEY), "uueeB?a", "B?a"),
	ORD(GETPUBKEY, "GetPubkey", G(GETPUBKEY), "uu?a", "?aB"),
	ORD(MAKEIDENTITY, "MakeIdentity", 0, "uedBa?a", "?aaBBBBB"),
	ORD(LOGPCREVENT, "LogPcrEvent", 0, "up", "u"),
	ORD(GETPCREVENT, "GetPcrEvent", 0, "uuub", "u?p"),
	ORD(GETPCREVENTBYPCR, "GetPcrEventsByPcr", 0, "uuuu", "u*p"),
	ORD(GETPCREVENTLOG, "GetPcrEventLog", 0, "u", "u*p"),
	ORD(SETOWNERINSTALL, "SetOwnerInstall", 0, "uo", ""),
	ORD(TAKEOWNERSHIP, "TakeOwnership", 0, "uwBBBa", "aB"),
	ORD(OIAP, "OIAP", G_AUTHSESS, "u", "un"),
	ORD(OSAP, "OSAP", G_AUTHSESS, "uwun", "unn"),
	ORD(CHANGEAUTH, "ChangeAuth", 0, "uuwewBaa", "aaB"),
	ORD(CHANGEAUTHOWNER, "ChangeAuthOwner", 0, "uwewa", "a"),
	ORD(CHANGEAUTHASYMSTART, "ChangeAuthAsymStart", 0, NULL, NULL),
	ORD(CHANGEAUTHASYMFINISH, "ChangeAuthAsymFinish", 0, NULL, NULL),
	ORD(TERMINATEHANDLE, "TerminateHandle", G_AUTHSESS, "uu", ""),
	ORD(ACTIVATETPMIDENTITY, "ActivateIdentity", 0, "uuBa?a", "?aaB"),
	ORD(EXTEND, "Extend", 0, "uud", "d"),
	ORD(PCRREAD, "PcrRead", 0, "uu", "d"),
	ORD(QUOTE, "Quote", G(QUOTE), "uunB?a", "?aBB"),
	ORD(DIRWRITEAUTH, "DirWriteAuth", 0, "uuda", "a"),
	ORD(DIRREAD, "DirRead", 0, "uu", "d"),
	ORD(SEAL, "Seal", G(SEAL), "uueBB?a", "?aB"),
	/* With one AUTH it is the data's: TrouSerS moves it over. */
	ORD(UNSEAL, "UnSeal", G(UNSEAL), "uuBa?a", "aaB"),
	ORD(UNBIND, "UnBind", G(UNBIND), "uuB?a", "?aB"),
	ORD(CREATEMIGRATIONBLOB, "CreateMigrationBlob", 0, "uuwBBa?a", "?aaBB"),
	ORD(CONVERTMIGRATIONBLOB, "ConvertMigrationBlob", 0, "uuBB?a", "?aB"),
	ORD(AUTHORIZEMIGRATIONKEY, "AuthorizeMigrationKey", 0, "uwBa", "aB"),
	ORD(CERTIFYKEY, "CertifyKey", 0, "uuunaa", "?a?aBB"),
	ORD(SIGN, "Sign", G(SIGN), "uuB?a", "?aB"),
	ORD(GETRANDOM, "GetRandom", G_RANDOM, "uu", "B"),
	ORD(STIRRANDOM, "StirRandom", G_RANDOM, "uB", ""),
	ORD(GETCAPABILITY, "GetCapability", G(GETCAPABILITY), "uuB", "B"),
	ORD(GETCAPABILITYSIGNED, "GetCapabilitySigned", 0, NULL, NULL),
	ORD(GETCAPABILITYOWNER, "GetCapabilityOwner", 0, "ua", "vuua"),
	ORD(CREATEENDORSEMENTKEYPAIR, "CreateEndorsementKeyPair", 0, "unB", "Bd"),
	ORD(READPUBEK, "ReadPubek", G(READPUBEK), "un", "Bd"),
	ORD(DISABLEPUBEKREAD, "DisablePubekRead", 0, "ua", "a"),
	ORD(OWNERREADPUBEK, "OwnerReadPubek", 0, "ua", "aB"),
	ORD(SELFTESTFULL, "SelfTestFull", G(SELFTEST), "u", ""),
	ORD(CERTIFYSELFTEST, "CertifySelfTest", G(SELFTEST), "uun?a", "?aB"),
	ORD(CONTINUESELFTEST, "ContinueSelfTest", G(SELFTEST), NULL, NULL),
	ORD(GETTESTRESULT, "GetTestResult", G(SELFTEST), "u", "B"),
	ORD(OWNERSETDISABLE, "OwnerSetDisable", 0, "uoa", "a"),
	ORD(OWNERCLEAR, "OwnerClear", 0, "ua", "a"),
	ORD(DISABLEOWNERCLEAR, "DisableOwnerClear", 0, "ua", "a"),
	ORD(FORCECLEAR, "ForceClear", 0, "u", ""),
	ORD(DISABLEFORCECLEAR, "DisableForceClear", 0, "u", ""),
	ORD(PHYSICALDISABLE, "PhysicalDisable", 0, "u", ""),
	ORD(PHYSICALENABLE, "PhysicalEnable", 0, "u", ""),
	ORD(PHYSICALSETDEACTIVATED, "PhysicalSetDeactivated", 0, "uo", ""),
	ORD(SETTEMPDEACTIVATED, "SetTempDeactivated", 0, "u", ""),
	ORD(PHYSICALPRESENCE, "PhysicalPresence", 0, "uw", ""),
	ORD(FIELDUPGRADE, "FieldUpgrade", 0, NULL, NULL),
	ORD(SETRIDIRECTION, "SetRedirection", 0, NULL, NULL),
	ORD(CREATEMAINTENANCEARCHIVE, "CreateMaintenanceArchive", 0, "uoa", "aBB"),
	ORD(LOADMAINTENANCEARCHIVE, "LoadMaintenanceArchive", 0, "uBa", "aB"),
	ORD(KILLMAINTENANCEFEATURE, "KillMaintenanceFeature", 0, "ua", "a"),
	ORD(LOADMANUFACTURERMAINTENANCEPUB, "LoadManuMaintPub", 0, "unB", "d"),
	ORD(READMANUFACTURERMAINTENANCEPUB, "ReadManuMaintPub", 0, "un", "d"),
	ORD(DAAJOIN, "DaaJoin", 0, "uubBB?a", "?aB"),
	ORD(DAASIGN, "DaaSign", 0, "uubBB?a", "?aB"),
	ORD(SETCAPABILITY, "SetCapability", 0, "uuBB?a", "?a"),
	ORD(RESETLOCKVALUE, "ResetLockValue", 0, "ua", "a"),
	ORD(PCRRESET, "PcrReset", 0, "uB", ""),
	ORD(READCOUNTER, "ReadCounter", 0, "uu", "c"),
	ORD(CREATECOUNTER, "CreateCounter", 0, "uBea", "auc"),
	ORD(INCREMENTCOUNTER, "IncrementCounter", 0, "uua", "ac"),
	ORD(RELEASECOUNTER, "ReleaseCounter", 0, "uua", "a"),
	ORD(RELEASECOUNTEROWNER, "ReleaseCounterOwner", 0, "uua", "a"),
	ORD(READCURRENTTICKS, "ReadCurrentTicks", 0, "u", "B"),
	ORD(TICKSTAMPBLOB, "TickStampBlob", 0, "uund?a", "?aBB"),
	ORD(GETCREDENTIAL, "GetCredential", 0, "uuu", "B"),
	ORD(NVDEFINEORRELEASESPACE, "NVDefineOrReleaseSpace", 0, "uBe?a", "?a"),
	ORD(NVWRITEVALUE, "NVWriteValue", 0, "uuuB?a", "?a"),
	ORD(NVWRITEVALUEAUTH, "NVWriteValueAuth", 0, "uuuBa", "a"),
	ORD(NVREADVALUE, "NVReadValue", 0, "uuuu?a", "?aB"),
	ORD(NVREADVALUEAUTH, "NVReadValueAuth", 0, "uuuu?a", "?aB"),
	ORD(ESTABLISHTRANSPORT, "EstablishTransport", 0, "uuuBB?a", "?auuBn"),
	ORD(EXECUTETRANSPORT, "ExecuteTransport", 0, "uuBuHaaa", "uHaaaquuB"),
	ORD(RELEASETRANSPORTSIGNED, "ReleaseTransportSigned", 0, "uunaa", "aauBB"),
	ORD(SETORDINALAUDITSTATUS, "SetOrdinalAuditStatus", 0, "uuoa", "a"),
	ORD(GETAUDITDIGEST, "GetAuditDigest", 0, "uu", "dBouH"),
	ORD(GETAUDITDIGESTSIGNED, "GetAuditDigestSigned", 0, "uuona", "?aBddB"),
	ORD(SEALX, "Sealx", 0, "uueBB?a", "?aB"),
	ORD(SETOPERATORAUTH, "SetOperatorAuth", 0, "us", ""),
	ORD(OWNERREADINTERNALPUB, "OwnerReadInternalPub", 0, "uua", "aB"),
	ORD(ENUMREGISTEREDKEYS2, "EnumRegisteredKeys2", 0, "u?U", "u*K"),
	ORD(SETTEMPDEACTIVATED2, "SetTempDeactivated2", 0, "ua", "?a"),
	ORD(DELEGATE_MANAGE, "Delegate_Manage", 0, "uuuBa", "?aB"),
	ORD(DELEGATE_CREATEKEYDELEGATION, "Delegate_CreateKeyDelegation", 0, "uuBea", "?aB"),
	ORD(DELEGATE_CREATEOWNERDELEGATION, "Delegate_CreateOwnerDelegation", 0, "uoBea", "?aB"),
	ORD(DELEGATE_LOADOWNERDELEGATION, "Delegate_LoadOwnerDelegation", 0, "uuBa", "?a"),
	ORD(DELEGATE_READTABLE, "Delegate_ReadTable", 0, "u", "BB"),
	ORD(DELEGATE_UPDATEVERIFICATIONCOUNT, "Delegate_UpdateVerificationCount", 0, "uBa",
	    "?aB"),
	ORD(DELEGATE_VERIFYDELEGATION, "Delegate_VerifyDelegation", 0, "uB", ""),
	ORD(CREATEREVOCABLEENDORSEMENTKEYPAIR, "CreateRevocableEndorsementKeyPair", 0, "unBod",
	    "dBd"),
	ORD(REVOKEENDORSEMENTKEYPAIR, "RevokeEndorsementKeyPair", 0, "ud", ""),
	ORD(MAKEIDENTITY2, "MakeIdentity2", 0, NULL, NULL),
	ORD(QUOTE2, "Quote2", 0, "uunBo?a", "?aBBB"),
	ORD(CMK_SETRESTRICTIONS, "CMK_SetRestrictions", 0, "uua", "a"),
	ORD(CMK_APPROVEMA, "CMK_ApproveMA", 0, "uda", "ad"),
	ORD(CMK_CREATEKEY, "CMK_CreateKey", 0, "uueddBa", "B?a"),
	ORD(CMK_CREATETICKET, "CMK_CreateTicket", 0, "uBdBa", "ad"),
	ORD(CMK_CREATEBLOB, "CMK_CreateBlob", 0, "uuwBdBBBBa", "?aBB"),
	/* The restrict ticket is a bare TPM_CMK_AUTH: three digests. */
	ORD(CMK_CONVERTMIGRATION, "CMK_ConvertMigration", 0, "uuP60dBBBa", "?aB"),
	ORD(FLUSHSPECIFIC, "FlushSpecific", 0, "uuu", ""),
	ORD(KEYCONTROLOWNER, "KeyControlOwner", 0, "uuBuoa", "aU"),
	ORD(DSAP, "DSAP", 0, "uwunB", "unn"),
};

const struct tcsd_ordinal_info *tcsd_ordinal_lookup(uint32_t ordinal)
{
	return ordinal < TCSD_LAST_ORD ? &tcsd_ordinal_table[ordinal] : NULL;
}

const char *tcsd_ordinal_name(uint32_t ordinal)
{
	const struct tcsd_ordinal_info *o = tcsd_ordinal_lookup(ordinal);

	return o != NULL ? o->name : "unknown";
}

bool tcsd_ordinal_remote_allowed(uint32_t ordinal, uint32_t ops_groups)
{
	const struct tcsd_ordinal_info *o = tcsd_ordinal_lookup(ordinal);

	return o != NULL && (o->ops_groups & ops_groups) != 0;
}

/* ---- remote_ops ---- */

static const struct {
	const char *name;
	uint32_t bit;
} ops_groups[] = {
	{ "seal", TCSD_OPS_SEAL },
	{ "unseal", TCSD_OPS_UNSEAL },
	{ "registerkey", TCSD_OPS_REGISTERKEY },
	{ "unregisterkey", TCSD_OPS_UNREGISTERKEY },
	{ "loadkey", TCSD_OPS_LOADKEY },
	{ "createkey", TCSD_OPS_CREATEKEY },
	{ "sign", TCSD_OPS_SIGN },
	{ "random", TCSD_OPS_RANDOM },
	{ "getcapability", TCSD_OPS_GETCAPABILITY },
	{ "unbind", TCSD_OPS_UNBIND },
	{ "quote", TCSD_OPS_QUOTE },
	{ "readpubek", TCSD_OPS_READPUBEK },
	{ "getregisteredkeybypublicinfo", TCSD_OPS_GETREGISTEREDKEYBYPUBLICINFO },
	{ "getpubkey", TCSD_OPS_GETPUBKEY },
	{ "selftest", TCSD_OPS_SELFTEST },
};

const char *tcsd_ops_group_name(uint32_t group_bit)
{
	size_t i;

	for (i = 0; i < sizeof(ops_groups) / sizeof(ops_groups[0]); i++)
		if (ops_groups[i].bit == group_bit)
			return ops_groups[i].name;
	return NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int tcsd_ops_parse(const char *value, uint32_t *groups, char *bad, size_t bad_len)
{
	const char *p = value, *start, *end;
	uint32_t mask = 0;
	size_t i, n;

	*groups = 0;
	if (bad != NULL && bad_len > 0)
		bad[0] = '\0';
	if (value == NULL)
		return -EINVAL;
	while (*p != '\0') {
		while (is_blank(*p) || *p == ',')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (end > start && is_blank(end[-1]))
			end--;
		n = (size_t)(end - start);
		for (i = 0; i < sizeof(ops_groups) / sizeof(ops_groups[0]); i++)
			if (strlen(ops_groups[i].name) == n &&
			    strncasecmp(ops_groups[i].name, start, n) == 0)
				break;
		if (i == sizeof(ops_groups) / sizeof(ops_groups[0])) {
			if (bad != NULL && bad_len > 0)
				snprintf(bad, bad_len, "%.*s", (int)(n < 256 ? n : 256), start);
			return -EINVAL;
		}
		mask |= ops_groups[i].bit;
	}
	*groups = mask;
	return 0;
}

/* ---- schemas ---- */

static const struct {
	char letter;
	uint8_t type;
} schema_letters[] = {
	{ 'b', TCSD_TYPE_BYTE },     { 'o', TCSD_TYPE_BOOL },         { 'w', TCSD_TYPE_UINT16 },
	{ 'u', TCSD_TYPE_UINT32 },   { 'q', TCSD_TYPE_UINT64 },       { 'n', TCSD_TYPE_NONCE },
	{ 'd', TCSD_TYPE_DIGEST },   { 'e', TCSD_TYPE_ENCAUTH },      { 's', TCSD_TYPE_SECRET },
	{ 'U', TCSD_TYPE_UUID },     { 'v', TCSD_TYPE_VERSION },      { 'a', TCSD_TYPE_AUTH },
	{ 'k', TCSD_TYPE_KM_KEYINFO }, { 'K', TCSD_TYPE_KM_KEYINFO2 }, { 'l', TCSD_TYPE_LOADKEY_INFO },
	{ 'p', TCSD_TYPE_PCR_EVENT }, { 'c', TCSD_TYPE_COUNTER_VALUE },
	/* the PBYTE forms: their first slot's type */
	{ 'B', TCSD_TYPE_UINT32 },   { 'P', TCSD_TYPE_PBYTE },        { 'H', TCSD_TYPE_PBYTE },
};

/* The type of a schema letter's first slot, or -1 for no letter. */
static int letter_type(char c)
{
	size_t i;

	for (i = 0; i < sizeof(schema_letters) / sizeof(schema_letters[0]); i++)
		if (schema_letters[i].letter == c)
			return schema_letters[i].type;
	return -1;
}

struct schema_item {
	bool optional;
	bool repeated;
	char letter;
	bool fixed;        /* 'P' with a size */
	uint32_t size;
};

/* Parses the item at *s and advances *s; false for a malformed item. */
static bool schema_next(const char **s, struct schema_item *it)
{
	const char *p = *s;

	memset(it, 0, sizeof(*it));
	if (*p == '?') {
		it->optional = true;
		p++;
	}
	if (*p == '*') {
		it->repeated = true;
		p++;
	}
	if (letter_type(*p) < 0)
		return false;
	it->letter = *p++;
	if (it->letter == 'P') {
		while (*p >= '0' && *p <= '9') {
			if (it->size > (TCSD_MAX_PACKET - 9) / 10)
				return false;
			it->size = it->size * 10 + (uint32_t)(*p++ - '0');
			it->fixed = true;
		}
	}
	*s = p;
	return true;
}

bool tcsd_schema_valid(const char *schema)
{
	struct schema_item it;

	if (schema == NULL)
		return false;
	while (*schema != '\0')
		if (!schema_next(&schema, &it))
			return false;
	return true;
}

/* A PBYTE that a zero length lets the sender leave out (the 'B'/'H' forms). */
static int walk_pbyte(struct tcsd_packet_reader *r, uint32_t *idx, uint64_t len, uint32_t max)
{
	int rc;

	if (len > max)
		return -E2BIG;
	if (len == 0 && tcsd_param_type(r, *idx) != TCSD_TYPE_PBYTE)
		return 0;
	if ((rc = tcsd_get_bytes_ptr(r, *idx, NULL, (uint32_t)len, max)) != 0)
		return rc;
	(*idx)++;
	return 0;
}

static int walk_one(struct tcsd_packet_reader *r, const struct schema_item *it, uint32_t *idx,
		    uint32_t *last_u, bool request, uint32_t max_bytes)
{
	TSS_KM_KEYINFO ki;
	TSS_KM_KEYINFO2 ki2;
	TSS_PCR_EVENT ev;
	uint32_t len;
	int rc;

	switch (it->letter) {
	case 'b': rc = tcsd_get_u8(r, *idx, NULL); break;
	case 'o': rc = tcsd_get_bool(r, *idx, NULL); break;
	case 'w': rc = tcsd_get_u16(r, *idx, NULL); break;
	case 'u': rc = tcsd_get_u32(r, *idx, last_u); break;
	case 'q': rc = tcsd_get_u64(r, *idx, NULL); break;
	case 'n': rc = tcsd_get_nonce(r, *idx, NULL); break;
	case 'd': rc = tcsd_get_digest(r, *idx, NULL); break;
	case 'e': rc = tcsd_get_encauth(r, *idx, NULL); break;
	case 's': rc = tcsd_get_secret(r, *idx, NULL); break;
	case 'U': rc = tcsd_get_uuid(r, *idx, NULL); break;
	case 'v': rc = tcsd_get_version(r, *idx, NULL); break;
	case 'a':
		rc = request ? tcsd_get_auth_in(r, *idx, NULL) : tcsd_get_auth_out(r, *idx, NULL);
		break;
	case 'l': rc = tcsd_get_loadkey_info(r, *idx, NULL); break;
	case 'c': rc = tcsd_get_counter_value(r, *idx, NULL); break;
	case 'k':
		rc = tcsd_get_km_keyinfo(r, *idx, &ki, TCSD_VENDOR_DATA_MAX);
		tcsd_km_keyinfo_free(&ki);
		break;
	case 'K':
		rc = tcsd_get_km_keyinfo2(r, *idx, &ki2, TCSD_VENDOR_DATA_MAX);
		tcsd_km_keyinfo2_free(&ki2);
		break;
	case 'p':
		rc = tcsd_get_pcr_event(r, *idx, &ev, TCSD_PCR_VALUE_MAX, TCSD_EVENT_DATA_MAX);
		tcsd_pcr_event_free(&ev);
		break;
	case 'B':
		/* tcsd_get_sized_ptr advances idx itself. */
		return tcsd_get_sized_ptr(r, idx, NULL, &len, max_bytes);
	case 'P':
		rc = tcsd_get_bytes_ptr(r, *idx, NULL, it->fixed ? it->size : *last_u, max_bytes);
		break;
	case 'H':
		return walk_pbyte(r, idx, (uint64_t)*last_u * 4, max_bytes);
	default:
		return -EINVAL;
	}
	if (rc == 0)
		(*idx)++;
	return rc;
}

int tcsd_schema_walk(struct tcsd_packet_reader *r, const char *schema, bool request,
		     uint32_t max_bytes)
{
	struct schema_item it;
	uint32_t idx = 0, last_u = 0, count, i;
	int rc;

	if (schema == NULL)
		return -EINVAL;
	while (*schema != '\0') {
		if (!schema_next(&schema, &it))
			return -EINVAL;
		count = it.repeated ? last_u : 1;
		/* Each item takes a slot: a count beyond the slots left is a lie. */
		if (it.repeated &&
		    count > r->hdr.num_parms - (idx < r->hdr.num_parms ? idx : r->hdr.num_parms))
			return -EBADMSG;
		for (i = 0; i < count; i++) {
			if (it.optional && tcsd_param_type(r, idx) != letter_type(it.letter))
				break;
			rc = walk_one(r, &it, &idx, &last_u, request, max_bytes);
			if (rc == -ENOENT)
				return -EBADMSG;
			if (rc != 0)
				return rc;
		}
	}
	return tcsd_reader_done(r);
}
