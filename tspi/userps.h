/*
 * User persistent storage: the key registry a TSP keeps per user, in
 * TrouSerS' user.data format so that keys registered through either
 * stack are found by the other.
 *
 * Where: $TSS_USER_PS_FILE, else ~/.trousers/user.data (the directory is
 * created 0700, the file 0600), as TrouSerS does.
 *
 * Format (TrouSerS 0.2.1+ "version 1", the same header as system.data):
 *   BYTE     version = 1
 *   UINT32   num_keys                         little-endian
 *   num_keys times:
 *     TSS_UUID uuid, TSS_UUID parent_uuid     16 bytes each, host struct order
 *                                             (little-endian fields on every
 *                                             platform TrouSerS ships on)
 *     UINT16   pub_data_size, blob_size       little-endian
 *     UINT32   vendor_data_size               little-endian, 0 in user PS
 *     UINT16   cache_flags                    0x2: parent is in system PS
 *     BYTE[]   pub_data                       the key's RSA modulus
 *     BYTE[]   blob                           TPM_KEY / TPM_KEY12
 *     BYTE[]   vendor_data
 * Unlike system.data, removed entries are cut out (no VALID flag).
 *
 * Every update rewrites the file: a temporary file beside it, fsync,
 * rename over, fsync of the directory; a crash leaves the old or the new
 * registry, never a mix. Writers hold an fcntl write lock on user.data,
 * the lock TrouSerS' libtspi takes too, and a mutex inside the process.
 *
 * Functions return TSS results with the TSP layer bit: TSS_E_PS_KEY_NOTFOUND,
 * TSS_E_KEY_ALREADY_REGISTERED, TSS_E_BAD_PARAMETER, TSS_E_OUTOFMEMORY, or
 * TSS_E_INTERNAL_ERROR for I/O failures and corrupt files (logged).
 */
#ifndef TSS12_TSPI_USERPS_H
#define TSS12_TSPI_USERPS_H

#include <stddef.h>
#include <stdint.h>

#include <tss/tss_typedef.h>
#include <tss/tss_structs.h>

/* Caps on one entry, as TrouSerS' own buffers: blobs and moduli beyond are refused. */
#define USERPS_BLOB_MAX 4096
#define USERPS_PUB_MAX 2048
/* A registry larger than this is refused rather than read into memory. */
#define USERPS_FILE_MAX (16u * 1024 * 1024)

#define USERPS_FLAG_PARENT_PS_SYSTEM 0x0002

struct userps_entry {
	TSS_UUID uuid;
	TSS_UUID parent_uuid;
	UINT32 parent_ps_type; /* TSS_PS_TYPE_SYSTEM or TSS_PS_TYPE_USER */
	uint8_t *pub;
	uint16_t pub_len;
	uint8_t *blob;
	uint16_t blob_len;
};

struct userps_list {
	struct userps_entry *entries;
	size_t count;
};

/* The file used: $TSS_USER_PS_FILE or ~/.trousers/user.data (creating ~/.trousers). */
TSS_RESULT userps_path(char *out, size_t cap);

/* Reads every entry. A missing or empty file is an empty registry. */
TSS_RESULT userps_load(struct userps_list *out);
void userps_list_free(struct userps_list *l);

/* The entry with this UUID, or NULL. */
const struct userps_entry *userps_find(const struct userps_list *l, const TSS_UUID *uuid);
/* The entry whose pub_data equals pub, or NULL. */
const struct userps_entry *userps_find_pub(const struct userps_list *l, const uint8_t *pub,
					   size_t pub_len);

/*
 * Adds a key. blob is the wrapped TPM_KEY/TPM_KEY12 (its modulus becomes
 * pub_data). TSS_E_KEY_ALREADY_REGISTERED if the UUID is taken.
 */
TSS_RESULT userps_register(const TSS_UUID *uuid, const TSS_UUID *parent_uuid,
			   UINT32 parent_ps_type, const uint8_t *blob, size_t blob_len);
/* Removes a key; TSS_E_PS_KEY_NOTFOUND if there is none. */
TSS_RESULT userps_unregister(const TSS_UUID *uuid);

/* Copies of one entry's blob and parent; any output may be NULL. */
TSS_RESULT userps_get(const TSS_UUID *uuid, uint8_t **blob, size_t *blob_len,
		      TSS_UUID *parent_uuid, UINT32 *parent_ps_type);

/* Parses / builds the file image (exposed for the unit tests). */
TSS_RESULT userps_parse(const uint8_t *data, size_t len, struct userps_list *out);
TSS_RESULT userps_serialise(const struct userps_list *l, uint8_t **out, size_t *out_len);

#endif /* TSS12_TSPI_USERPS_H */
