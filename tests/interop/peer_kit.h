/*
 * What the interop peers (*_peer.c) share. A peer is one TSS client that
 * interop_lib.sh builds twice, against Debian's libtspi and against ours,
 * each time with peer_kit.c: so this uses the plain TSS 1.2 API only.
 * Every helper ends the program (exit 1, a message naming peer_name and
 * what failed) on error: a peer step either works or says why not.
 */
#ifndef TSS12_PEER_KIT_H
#define TSS12_PEER_KIT_H

#include <stddef.h>

#include <tss/tspi.h>

/* The peer's name in messages ("identity_peer"); set first thing in main(). */
extern const char *peer_name;

void peer_die(const char *what, TSS_RESULT rc) __attribute__((noreturn));
/* Ends the program with "what" when ok is false. */
void peer_expect(int ok, const char *what);

#define TRY(call, what)                          \
	do {                                     \
		TSS_RESULT rc_ = (call);         \
		if (rc_ != TSS_SUCCESS)          \
			peer_die((what), rc_);   \
	} while (0)

/* A context connected to the tcsd; *tpm (if not NULL) gets its TPM object. */
void peer_connect(TSS_HCONTEXT *ctx, TSS_HTPM *tpm);
/* Sets policy p's secret: plain (NULL: the well-known one). */
void peer_set_secret(TSS_HPOLICY p, const char *plain);
/* A usage policy with plain secret (NULL: the well-known one), assigned to obj unless 0. */
TSS_HPOLICY peer_policy(TSS_HCONTEXT ctx, TSS_HOBJECT obj, const char *plain);
/* TakeOwnership with owner secret owner (NULL: well-known) and a well-known SRK. */
void peer_take_ownership(TSS_HCONTEXT ctx, TSS_HTPM tpm, const char *owner);
/* The SRK from system storage, with the well-known usage secret. */
TSS_HKEY peer_load_srk(TSS_HCONTEXT ctx);

void peer_write_file(const char *path, const void *p, size_t n);
/* Reads at most cap bytes of path into buf; how many. */
size_t peer_read_file(const char *path, void *buf, size_t cap);

#endif
