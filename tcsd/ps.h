/*
 * System persistent storage: the keys registered with the TCS
 * (Tspi_Context_RegisterKey with TSS_PS_TYPE_SYSTEM), kept in TrouSerS'
 * system.data format so that a machine's registered keys survive the
 * switch from TrouSerS to tss12 and back.
 *
 * File format (TrouSerS 0.2.1 and later, "version 1"; integers are
 * little-endian, as TrouSerS wrote them on x86 with htole*):
 *
 *   u8   version = 1
 *   u32  number of entries
 *   entries, each:
 *     uuid        16 bytes: u32 timeLow, u16 timeMid, u16 timeHigh (the host
 *     parent uuid 16 bytes  struct TrouSerS dumped: little-endian on x86),
 *                           then clockSeqHigh, clockSeqLow, node[6]
 *     u16  pub_data_size    the key's RSA modulus (zeros for the SRK: privacy)
 *     u16  blob_size        the TPM_KEY / TPM_KEY12 blob
 *     u32  vendor_data_size (TrouSerS' libtspi stores "trousers 0.3.15\0")
 *     u16  flags            PS_FLAG_VALID | PS_FLAG_PARENT_PS_SYSTEM
 *     pub_data, blob, vendor_data
 *
 * The whole file is read at start-up into an in-memory index and every
 * update rewrites it atomically: a new file beside it (O_EXCL|O_NOFOLLOW,
 * mode 0600), fsync, rename over the old one, fsync of the directory. A
 * crash leaves either the old or the new file, never a mix. Entries whose
 * VALID flag is clear (TrouSerS' unregistered "holes") are dropped on
 * rewrite. A lock file "<path>.lock" (flock) held while the store is open
 * keeps a second tcsd from writing the same file.
 *
 * The store is thread-safe: lookups return copies.
 */
#ifndef TSS12_TCSD_PS_H
#define TSS12_TCSD_PS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tss/platform.h>
#include <tss/tss_typedef.h>
#include <tss/tss_structs.h>

#define PS_VERSION 1
#define PS_FLAG_VALID 0x0001
#define PS_FLAG_PARENT_PS_SYSTEM 0x0002

/* Caps on what a file may claim; anything above is refused as corrupt. */
#define PS_FILE_MAX (16u << 20)
#define PS_KEYS_MAX 16384u
#define PS_PUB_DATA_MAX 512u	/* a 4096-bit modulus */
#define PS_BLOB_MAX 4096u	/* TPM_STRUCT_BLOB_MAX: one key blob */
#define PS_VENDOR_DATA_MAX 4096u
/* The 16 bytes of a TSS_UUID on disk and on the wire. */
#define PS_UUID_LEN 16

struct ps_store;

/* One registered key, as a copy owned by the caller (free with ps_key_free). */
struct ps_key {
	TSS_UUID uuid;
	TSS_UUID parent_uuid;
	uint16_t flags;
	uint8_t *blob;
	size_t blob_len;
	uint8_t *vendor_data;
	size_t vendor_data_len;
};

extern const TSS_UUID ps_srk_uuid;
extern const TSS_UUID ps_null_uuid;

bool ps_uuid_equal(const TSS_UUID *a, const TSS_UUID *b);

/*
 * Opens the store at path (an absolute path in a directory the daemon
 * may write). A missing file is an empty store; the file is created on
 * the first registration. Returns 0 or a negative errno, logged with the
 * reason:
 *   -ELOOP      path is a symbolic link (never followed: CVE-2020-24332)
 *   -EBUSY      another process holds the store's lock
 *   -EBADMSG    the file is corrupt (the message names the offset)
 *   -E2BIG      the file or a length in it exceeds its cap
 *   -EINVAL     path is not absolute, or not a regular file
 *   other       open/read errors, -ENOMEM
 */
int ps_open(const char *path, struct ps_store **out);
void ps_close(struct ps_store *ps);
const char *ps_path(const struct ps_store *ps);

/*
 * Parses a whole system.data image into a store that is not backed by a
 * file (updates then stay in memory). For tests and inspection tools.
 */
int ps_open_image(const uint8_t *data, size_t len, struct ps_store **out);
/* The current contents in file form, in fresh memory the caller frees. */
int ps_serialize(struct ps_store *ps, uint8_t **out, size_t *out_len);

/* Number of valid entries. */
size_t ps_count(struct ps_store *ps);
bool ps_is_registered(struct ps_store *ps, const TSS_UUID *uuid);

/*
 * Lookups. Each returns TSS_SUCCESS, TCS_ERROR(TSS_E_PS_KEY_NOTFOUND) or
 * TCS_ERROR(TSS_E_OUTOFMEMORY); *out is zeroed first.
 */
TSS_RESULT ps_get_key(struct ps_store *ps, const TSS_UUID *uuid, struct ps_key *out);
TSS_RESULT ps_get_parent_uuid(struct ps_store *ps, const TSS_UUID *uuid, TSS_UUID *parent);
/* The key whose public modulus is exactly (modulus, len). */
TSS_RESULT ps_get_key_by_pub(struct ps_store *ps, const uint8_t *modulus, size_t len,
			     struct ps_key *out);

/*
 * Enumerate. With uuid == NULL: every registered key, in file order.
 * Otherwise the chain from that key up through its registered parents, to
 * the first whose parent is the NULL UUID or not registered (TrouSerS:
 * "the path from the key to the SRK"), at most PS_CHAIN_MAX entries;
 * TCS_ERROR(TSS_E_PS_KEY_NOTFOUND) if uuid is not registered.
 * *keys is an array of *count copies; free it with ps_key_list_free.
 */
#define PS_CHAIN_MAX 64
TSS_RESULT ps_enumerate(struct ps_store *ps, const TSS_UUID *uuid, struct ps_key **keys,
			size_t *count);
void ps_key_free(struct ps_key *key);
void ps_key_list_free(struct ps_key *keys, size_t count);

/*
 * Registers a key blob (TPM_KEY or TPM_KEY12, which must parse) under
 * uuid with the given parent; the modulus is taken from the blob.
 * Returns TCS_ERROR(TSS_E_KEY_ALREADY_REGISTERED) for a UUID in use (or
 * an owner-evict UUID, as TrouSerS), TCS_ERROR(TSS_E_BAD_PARAMETER) for a
 * blob that does not parse or is too large, TCS_ERROR(TSS_E_INTERNAL_ERROR)
 * when the file cannot be written (the store is then unchanged).
 */
TSS_RESULT ps_register(struct ps_store *ps, const TSS_UUID *uuid, const TSS_UUID *parent_uuid,
		       const uint8_t *blob, size_t blob_len, const uint8_t *vendor_data,
		       size_t vendor_data_len);
/* TCS_ERROR(TSS_E_PS_KEY_NOTFOUND) if not registered. */
TSS_RESULT ps_unregister(struct ps_store *ps, const TSS_UUID *uuid);

/*
 * Records the SRK after TPM_TakeOwnership, as TrouSerS does: UUID
 * TSS_UUID_SRK, parent the NULL UUID, the public modulus replaced by
 * zeros (TSS 1.2 spec: the SRK's public key is not kept in PS), replacing
 * any earlier SRK entry.
 */
TSS_RESULT ps_store_srk(struct ps_store *ps, const uint8_t *srk_blob, size_t blob_len);

/* The daemon's store, opened by ps_init() (tcsd.h); NULL before. */
struct ps_store *ps_system(void);
/* Installs the daemon's store (ps_init; tests). Does not close the old one. */
void ps_set_system(struct ps_store *ps);

/* UUID wire/disk helpers (big-endian on the wire, little-endian on disk). */
struct buf_reader;
struct buf_writer;
int ps_uuid_get_le(struct buf_reader *r, TSS_UUID *uuid);
void ps_uuid_put_le(struct buf_writer *w, const TSS_UUID *uuid);

#endif /* TSS12_TCSD_PS_H */
