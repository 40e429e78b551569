/*
 * The TCSD ordinals (TrouSerS' enum TCSD_ORD, src/include/tcsd_wrap.h;
 * REFERENCES.md §1.7): one const table, indexed by ordinal, with each
 * ordinal's name, the remote_ops groups that open it to remote clients
 * and the schema of its request and response parameters.
 */
#ifndef TSS12_TCSD_ORDINALS_H
#define TSS12_TCSD_ORDINALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcsd_wire.h"

enum tcsd_ordinal {
	TCSD_ORD_ERROR = 0,
	TCSD_ORD_OPENCONTEXT = 1,
	TCSD_ORD_CLOSECONTEXT = 2,
	TCSD_ORD_FREEMEMORY = 3,
	TCSD_ORD_TCSGETCAPABILITY = 4,
	TCSD_ORD_REGISTERKEY = 5,
	TCSD_ORD_UNREGISTERKEY = 6,
	TCSD_ORD_ENUMREGISTEREDKEYS = 7,
	TCSD_ORD_GETREGISTEREDKEY = 8,
	TCSD_ORD_GETREGISTEREDKEYBLOB = 9,
	TCSD_ORD_GETREGISTEREDKEYBYPUBLICINFO = 10,
	TCSD_ORD_LOADKEYBYBLOB = 11,
	TCSD_ORD_LOADKEYBYUUID = 12,
	TCSD_ORD_EVICTKEY = 13,
	TCSD_ORD_CREATEWRAPKEY = 14,
	TCSD_ORD_GETPUBKEY = 15,
	TCSD_ORD_MAKEIDENTITY = 16,
	TCSD_ORD_LOGPCREVENT = 17,
	TCSD_ORD_GETPCREVENT = 18,
	TCSD_ORD_GETPCREVENTBYPCR = 19,
	TCSD_ORD_GETPCREVENTLOG = 20,
	TCSD_ORD_SETOWNERINSTALL = 21,
	TCSD_ORD_TAKEOWNERSHIP = 22,
	TCSD_ORD_OIAP = 23,
	TCSD_ORD_OSAP = 24,
	TCSD_ORD_CHANGEAUTH = 25,
	TCSD_ORD_CHANGEAUTHOWNER = 26,
	TCSD_ORD_CHANGEAUTHASYMSTART = 27,
	TCSD_ORD_CHANGEAUTHASYMFINISH = 28,
	TCSD_ORD_TERMINATEHANDLE = 29,
	TCSD_ORD_ACTIVATETPMIDENTITY = 30,
	TCSD_ORD_EXTEND = 31,
	TCSD_ORD_PCRREAD = 32,
	TCSD_ORD_QUOTE = 33,
	TCSD_ORD_DIRWRITEAUTH = 34,
	TCSD_ORD_DIRREAD = 35,
	TCSD_ORD_SEAL = 36,
	TCSD_ORD_UNSEAL = 37,
	TCSD_ORD_UNBIND = 38,
	TCSD_ORD_CREATEMIGRATIONBLOB = 39,
	TCSD_ORD_CONVERTMIGRATIONBLOB = 40,
	TCSD_ORD_AUTHORIZEMIGRATIONKEY = 41,
	TCSD_ORD_CERTIFYKEY = 42,
	TCSD_ORD_SIGN = 43,
	TCSD_ORD_GETRANDOM = 44,
	TCSD_ORD_STIRRANDOM = 45,
	TCSD_ORD_GETCAPABILITY = 46,
	TCSD_ORD_GETCAPABILITYSIGNED = 47,
	TCSD_ORD_GETCAPABILITYOWNER = 48,
	TCSD_ORD_CREATEENDORSEMENTKEYPAIR = 49,
	TCSD_ORD_READPUBEK = 50,
	TCSD_ORD_DISABLEPUBEKREAD = 51,
	TCSD_ORD_OWNERREADPUBEK = 52,
	TCSD_ORD_SELFTESTFULL = 53,
	TCSD_ORD_CERTIFYSELFTEST = 54,
	TCSD_ORD_CONTINUESELFTEST = 55,
	TCSD_ORD_GETTESTRESULT = 56,
	TCSD_ORD_OWNERSETDISABLE = 57,
	TCSD_ORD_OWNERCLEAR = 58,
	TCSD_ORD_DISABLEOWNERCLEAR = 59,
	TCSD_ORD_FORCECLEAR = 60,
	TCSD_ORD_DISABLEFORCECLEAR = 61,
	TCSD_ORD_PHYSICALDISABLE = 62,
	TCSD_ORD_PHYSICALENABLE = 63,
	TCSD_ORD_PHYSICALSETDEACTIVATED = 64,
	TCSD_ORD_SETTEMPDEACTIVATED = 65,
	TCSD_ORD_PHYSICALPRESENCE = 66,
	TCSD_ORD_FIELDUPGRADE = 67,
	TCSD_ORD_SETRIDIRECTION = 68,
	TCSD_ORD_CREATEMAINTENANCEARCHIVE = 69,
	TCSD_ORD_LOADMAINTENANCEARCHIVE = 70,
	TCSD_ORD_KILLMAINTENANCEFEATURE = 71,
	TCSD_ORD_LOADMANUFACTURERMAINTENANCEPUB = 72,
	TCSD_ORD_READMANUFACTURERMAINTENANCEPUB = 73,
	TCSD_ORD_DAAJOIN = 74,
	TCSD_ORD_DAASIGN = 75,
	TCSD_ORD_SETCAPABILITY = 76,
	TCSD_ORD_RESETLOCKVALUE = 77,
	TCSD_ORD_PCRRESET = 78,
	TCSD_ORD_READCOUNTER = 79,
	TCSD_ORD_CREATECOUNTER = 80,
	TCSD_ORD_INCREMENTCOUNTER = 81,
	TCSD_ORD_RELEASECOUNTER = 82,
	TCSD_ORD_RELEASECOUNTEROWNER = 83,
	TCSD_ORD_READCURRENTTICKS = 84,
	TCSD_ORD_TICKSTAMPBLOB = 85,
	TCSD_ORD_GETCREDENTIAL = 86,
	TCSD_ORD_NVDEFINEORRELEASESPACE = 87,
	TCSD_ORD_NVWRITEVALUE = 88,
	TCSD_ORD_NVWRITEVALUEAUTH = 89,
	TCSD_ORD_NVREADVALUE = 90,
	TCSD_ORD_NVREADVALUEAUTH = 91,
	TCSD_ORD_ESTABLISHTRANSPORT = 92,
	TCSD_ORD_EXECUTETRANSPORT = 93,
	TCSD_ORD_RELEASETRANSPORTSIGNED = 94,
	TCSD_ORD_SETORDINALAUDITSTATUS = 95,
	TCSD_ORD_GETAUDITDIGEST = 96,
	TCSD_ORD_GETAUDITDIGESTSIGNED = 97,
	TCSD_ORD_SEALX = 98,
	TCSD_ORD_SETOPERATORAUTH = 99,
	TCSD_ORD_OWNERREADINTERNALPUB = 100,
	TCSD_ORD_ENUMREGISTEREDKEYS2 = 101,
	TCSD_ORD_SETTEMPDEACTIVATED2 = 102,
	TCSD_ORD_DELEGATE_MANAGE = 103,
	TCSD_ORD_DELEGATE_CREATEKEYDELEGATION = 104,
	TCSD_ORD_DELEGATE_CREATEOWNERDELEGATION = 105,
	TCSD_ORD_DELEGATE_LOADOWNERDELEGATION = 106,
	TCSD_ORD_DELEGATE_READTABLE = 107,
	TCSD_ORD_DELEGATE_UPDATEVERIFICATIONCOUNT = 108,
	TCSD_ORD_DELEGATE_VERIFYDELEGATION = 109,
	TCSD_ORD_CREATEREVOCABLEENDORSEMENTKEYPAIR = 110,
	TCSD_ORD_REVOKEENDORSEMENTKEYPAIR = 111,
	TCSD_ORD_MAKEIDENTITY2 = 112,
	TCSD_ORD_QUOTE2 = 113,
	TCSD_ORD_CMK_SETRESTRICTIONS = 114,
	TCSD_ORD_CMK_APPROVEMA = 115,
	TCSD_ORD_CMK_CREATEKEY = 116,
	TCSD_ORD_CMK_CREATETICKET = 117,
	TCSD_ORD_CMK_CREATEBLOB = 118,
	TCSD_ORD_CMK_CONVERTMIGRATION = 119,
	TCSD_ORD_FLUSHSPECIFIC = 120,
	TCSD_ORD_KEYCONTROLOWNER = 121,
	TCSD_ORD_DSAP = 122,
	TCSD_LAST_ORD = 123
};

/*
 * remote_ops groups (tcsd.conf; TrouSerS' src/include/tcsd_ops.h). Each
 * names a set of ordinals a client on another host may call; the sets
 * overlap (every group includes OpenContext and CloseContext).
 */
enum tcsd_ops_group {
	TCSD_OPS_SEAL = 1u << 0,
	TCSD_OPS_UNSEAL = 1u << 1,
	TCSD_OPS_REGISTERKEY = 1u << 2,
	TCSD_OPS_UNREGISTERKEY = 1u << 3,
	TCSD_OPS_LOADKEY = 1u << 4,
	TCSD_OPS_CREATEKEY = 1u << 5,
	TCSD_OPS_SIGN = 1u << 6,
	TCSD_OPS_RANDOM = 1u << 7,
	TCSD_OPS_GETCAPABILITY = 1u << 8,
	TCSD_OPS_UNBIND = 1u << 9,
	TCSD_OPS_QUOTE = 1u << 10,
	TCSD_OPS_READPUBEK = 1u << 11,
	TCSD_OPS_GETREGISTEREDKEYBYPUBLICINFO = 1u << 12,
	TCSD_OPS_GETPUBKEY = 1u << 13,
	TCSD_OPS_SELFTEST = 1u << 14,
	TCSD_OPS_ALL = (1u << 15) - 1
};

/*
 * Parameter schemas: a string with one letter per parameter, in wire
 * order. TCSD_TYPE_* letters:
 *   b BYTE   o BOOL   w UINT16   u UINT32   q UINT64
 *   n NONCE  d DIGEST  e ENCAUTH  s SECRET  U UUID  v VERSION
 *   a AUTH (TSP->TCS form in requests, TCS->TSP form in responses)
 *   k KM_KEYINFO  K KM_KEYINFO2  l LOADKEY_INFO  p PCR_EVENT  c COUNTER_VALUE
 * and three for PBYTEs, whose length never travels with them:
 *   B  a UINT32 length, then a PBYTE of that many bytes, which may be
 *      left out when the length is 0 (tcsd_get_sized_* read both forms)
 *   P  a PBYTE of the length given by the last 'u' read; "P60" and the
 *      like: a PBYTE of that fixed size (CMK_ConvertMigration's ticket)
 *   H  a list of UINT32 handles or ordinals: a PBYTE of 4 times the
 *      last 'u' bytes, which may be left out when that count is 0
 * Prefixes:
 *   ?  the parameter may be absent: the packet ends here, or (in the
 *      middle of a list) the next slot holds a different type
 *   *  the parameter is repeated N times, N = the value of the last 'u'
 * An empty string means no parameters; NULL means the ordinal is not
 * served (TrouSerS maps it to its error stub). Request schemas start with
 * the context handle 'u' for every ordinal but OpenContext. An AUTH that
 * TrouSerS' libtspi always sends, all zeros when there is no session
 * (CertifyKey, the CMK and delegation calls), is written 'a', not '?a'.
 * Schemas describe TrouSerS 0.3.14's tcs_wrap_* functions, and match every
 * exchange captured from Debian's 0.3.15 (tests/unit/vectors/tcsd/; fuzzing and
 * tests walk packets with them); handlers read their own parameters.
 */
struct tcsd_ordinal_info {
	uint32_t ordinal;
	const char *name;     /* TCS function name, e.g. "GetRandom" */
	uint32_t ops_groups;  /* remote_ops groups allowing it; 0 = local clients only */
	const char *in;       /* request schema */
	const char *out;      /* response schema (on success) */
};

/* Indexed by ordinal, TCSD_LAST_ORD entries. */
extern const struct tcsd_ordinal_info tcsd_ordinal_table[TCSD_LAST_ORD];

/* The table entry, or NULL for an ordinal >= TCSD_LAST_ORD. */
const struct tcsd_ordinal_info *tcsd_ordinal_lookup(uint32_t ordinal);
/* "GetRandom", ...; "unknown" outside the table. */
const char *tcsd_ordinal_name(uint32_t ordinal);
/* Whether a remote client may call ordinal under the configured groups. */
bool tcsd_ordinal_remote_allowed(uint32_t ordinal, uint32_t ops_groups);

/*
 * Parses a remote_ops value: a comma-separated list of group names
 * (blanks around names allowed, empty items ignored) into a bitmask of
 * enum tcsd_ops_group. An unknown name is -EINVAL; then, if bad is not
 * NULL, the first bad name (at most bad_len - 1 bytes) is copied there.
 */
int tcsd_ops_parse(const char *value, uint32_t *groups, char *bad, size_t bad_len);
/* "seal", ...; NULL for a bit that is no group. */
const char *tcsd_ops_group_name(uint32_t group_bit);

/*
 * Reads every parameter of a packet by a schema (as above), with the
 * TCSD_*_MAX caps of tcsd_wire.h and max_bytes for each PBYTE, and checks
 * that nothing is left over. request selects the AUTH form (TSP->TCS or
 * TCS->TSP). Returns 0, the reader's error, -EBADMSG for a missing
 * parameter, or -EINVAL for a malformed schema.
 */
int tcsd_schema_walk(struct tcsd_packet_reader *r, const char *schema, bool request,
		     uint32_t max_bytes);
/* Whether schema is well formed (letters and prefixes above). */
bool tcsd_schema_valid(const char *schema);

#endif /* TSS12_TCSD_ORDINALS_H */
