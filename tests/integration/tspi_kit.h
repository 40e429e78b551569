/*
 * What every TSS-level integration test does before and after its own
 * checks: start a TCS daemon (trousers_tcsd.h) or skip, point the TSS at
 * it, take ownership, load the SRK, make policies; and at the end stop
 * the daemon and report (checks.h). Secrets given as NULL are the
 * well-known secret (TSS_WELL_KNOWN_SECRET, SHA-1 mode); any other
 * string is a plain-text secret.
 */
#ifndef TSS12_TEST_TSPI_KIT_H
#define TSS12_TEST_TSPI_KIT_H

#include <tss/tspi.h>

#include "checks.h"
#include "trousers_tcsd.h"

/* The result without its layer bits (TPM codes have none). */
#define CODE(rc) ((rc) & 0xfff)
#define CHECK_RC(rc, what) check((rc) == TSS_SUCCESS, "%s (0x%x)", (what), (unsigned)(rc))

/* A policy object of kind (TSS_POLICY_USAGE, ...) holding secret. */
TSS_RESULT kit_policy_new(TSS_HCONTEXT ctx, TSS_FLAG kind, const char *secret, TSS_HPOLICY *out);
/* The same, assigned to obj; out (may be NULL) gets the policy. */
TSS_RESULT kit_policy_assign(TSS_HCONTEXT ctx, TSS_HOBJECT obj, TSS_FLAG kind, const char *secret,
			     TSS_HPOLICY *out);

/*
 * Starts the daemon $TSS12_TEST_TCSD names (default_kind when unset, if
 * not NULL) or exits 77; points this process's TSS at it, keeps user
 * persistent storage in the daemon's directory, never ~/.trousers.
 */
void kit_daemon_up(struct test_tcsd *t, const char *default_kind);
/*
 * Dumps the daemon's log if a check failed, stops it; main()'s exit
 * status. These two (kit_daemon.c) need no libtspi: wire tests use them.
 */
int kit_daemon_down(struct test_tcsd *t);

/*
 * TakeOwnership with owner_secret and a well-known SRK, one check a step;
 * *tpm and (if not NULL) *owner_pol get the TPM object and its policy.
 */
TSS_RESULT kit_take_ownership(TSS_HCONTEXT ctx, const char *owner_secret, TSS_HTPM *tpm,
			      TSS_HPOLICY *owner_pol);
/* Loads the SRK from system storage with a well-known usage secret (two checks). */
TSS_RESULT kit_load_srk(TSS_HCONTEXT ctx, TSS_HKEY *srk);

/*
 * OpenSSL verifies sig, PKCS#1 v1.5 over DigestInfo(SHA-1, digest), with
 * the RSA key of modulus mod and exponent 65537 (rsa_verify.c); 1 if good.
 */
int kit_rsa_verify_sha1(const BYTE *mod, UINT32 mod_len, const BYTE digest[20], const BYTE *sig,
			UINT32 sig_len);

#endif
