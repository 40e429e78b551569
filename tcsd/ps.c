/*
 * System persistent storage in TrouSerS' system.data format (see ps.h for
 * the layout). The file is small (a registered key is under 1 KiB), so it
 * is held whole in memory and rewritten whole, atomically, on every
 * change; TrouSerS instead edited it in place, which a crash could tear.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>

#include "buf.h"
#include "crypto.h"
#include "log.h"
#include "ps.h"
#include "tpm_structs.h"

/* One entry of the index: everything the file holds about one key. */
struct ps_entry {
	TSS_UUID uuid;
	TSS_UUID parent_uuid;
	uint16_t flags;
	uint8_t *pub;
	uint16_t pub_len;
	uint8_t *blob;
	uint16_t blob_len;
	uint8_t *vendor;
	uint32_t vendor_len;
};

struct ps_store {
	pthread_mutex_t lock;
	char *path;		/* NULL for a store built from an image */
	int lock_fd;		/* flock()ed "<path>.lock", -1 if none */
	struct ps_entry *entries;
	size_t n_entries;	/* valid and invalid entries, file order */
	size_t cap_entries;
};

const TSS_UUID ps_srk_uuid = { 0, 0, 0, 0, 0, { 0, 0, 0, 0, 0, 1 } };
const TSS_UUID ps_null_uuid = { 0, 0, 0, 0, 0, { 0, 0, 0, 0, 0, 0 } };

/* u8 version + u32 count */
#define PS_HEADER_LEN 5
/* uuid, parent uuid, pub size, blob size, vendor size, flags */
#define PS_ENTRY_HEADER_LEN (2 * PS_UUID_LEN + 2 + 2 + 4 + 2)

bool ps_uuid_equal(const TSS_UUID *a, const TSS_UUID *b)
{
	return a->ulTimeLow == b->ulTimeLow && a->usTimeMid == b->usTimeMid &&
	       a->usTimeHigh == b->usTimeHigh && a->bClockSeqHigh == b->bClockSeqHigh &&
	       a->bClockSeqLow == b->bClockSeqLow &&
	       memcmp(a->rgbNode, b->rgbNode, sizeof(a->rgbNode)) == 0;
}

/* TSS_UUID_OWNEREVICT(i): reserved for owner-evict keys, never registrable. */
static bool uuid_is_owner_evict(const TSS_UUID *u)
{
	static const BYTE prefix[5] = { 0, 0, 0, 0, 1 };

	return u->ulTimeLow == 0 && u->usTimeMid == 0 && u->usTimeHigh == 0 &&
	       u->bClockSeqHigh == 0 && u->bClockSeqLow == 0 &&
	       memcmp(u->rgbNode, prefix, sizeof(prefix)) == 0;
}

int ps_uuid_get_le(struct buf_reader *r, TSS_UUID *uuid)
{
	memset(uuid, 0, sizeof(*uuid));
	buf_get_u32_le(r, &uuid->ulTimeLow);
	buf_get_u16_le(r, &uuid->usTimeMid);
	buf_get_u16_le(r, &uuid->usTimeHigh);
	buf_get_u8(r, &uuid->bClockSeqHigh);
	buf_get_u8(r, &uuid->bClockSeqLow);
	buf_get_bytes(r, uuid->rgbNode, sizeof(uuid->rgbNode));
	if (buf_reader_error(r))
		memset(uuid, 0, sizeof(*uuid));
	return buf_reader_error(r);
}

void ps_uuid_put_le(struct buf_writer *w, const TSS_UUID *uuid)
{
	buf_put_u32_le(w, uuid->ulTimeLow);
	buf_put_u16_le(w, uuid->usTimeMid);
	buf_put_u16_le(w, uuid->usTimeHigh);
	buf_put_u8(w, uuid->bClockSeqHigh);
	buf_put_u8(w, uuid->bClockSeqLow);
	buf_put_bytes(w, uuid->rgbNode, sizeof(uuid->rgbNode));
}

static void entry_free(struct ps_entry *e)
{
	free(e->pub);
	if (e->blob != NULL)
		OPENSSL_cleanse(e->blob, e->blob_len);
	free(e->blob);
	free(e->vendor);
	memset(e, 0, sizeof(*e));
}

static void entries_free(struct ps_entry *entries, size_t n)
{
	for (size_t i = 0; i < n; i++)
		entry_free(&entries[i]);
	free(entries);
}

/* ------------------------------------------------------------------ */
/* Parsing and building the file image                                 */
/* ------------------------------------------------------------------ */

/*
 * The modulus of a key blob, checked to parse as TPM_KEY or TPM_KEY12.
 * Returns 0, -EBADMSG/-EINVAL/-E2BIG from the structure parser.
 */
static int blob_modulus(const uint8_t *blob, size_t len, struct tpm_key *key)
{
	return tpm_key_decode(blob, len, key);
}

/*
 * Parses one entry at the reader's position. The offset is reported in
 * messages so that a damaged file can be inspected with a hex dump.
 */
static int parse_entry(struct buf_reader *r, size_t index, struct ps_entry *e)
{
	size_t at = r->off;
	struct tpm_key key = { 0 };
	int rc;

	memset(e, 0, sizeof(*e));
	ps_uuid_get_le(r, &e->uuid);
	ps_uuid_get_le(r, &e->parent_uuid);
	buf_get_u16_le(r, &e->pub_len);
	buf_get_u16_le(r, &e->blob_len);
	buf_get_u32_le(r, &e->vendor_len);
	buf_get_u16_le(r, &e->flags);
	if ((rc = buf_reader_error(r)) != 0) {
		log_error("system PS: entry %zu at offset %zu: header truncated (file ends at %zu)",
			  index, at, r->len);
		goto out;
	}
	if (e->pub_len > PS_PUB_DATA_MAX || e->blob_len == 0 || e->blob_len > PS_BLOB_MAX ||
	    e->vendor_len > PS_VENDOR_DATA_MAX) {
		log_error("system PS: entry %zu at offset %zu: sizes out of range (public %u, "
			  "blob %u, vendor %u)", index, at, e->pub_len, e->blob_len, e->vendor_len);
		rc = -E2BIG;
		goto out;
	}
	if (e->flags & ~(PS_FLAG_VALID | PS_FLAG_PARENT_PS_SYSTEM)) {
		log_error("system PS: entry %zu at offset %zu: unknown flags 0x%04x", index, at,
			  e->flags);
		rc = -EBADMSG;
		goto out;
	}
	buf_get_dup(r, &e->pub, e->pub_len);
	buf_get_dup(r, &e->blob, e->blob_len);
	buf_get_dup(r, &e->vendor, e->vendor_len);
	if ((rc = buf_reader_error(r)) != 0) {
		if (rc == -EBADMSG)
			log_error("system PS: entry %zu at offset %zu: data truncated (needs %u "
				  "bytes after offset %zu, file ends at %zu)", index, at,
				  (unsigned int)(e->pub_len + e->blob_len + e->vendor_len),
				  at + PS_ENTRY_HEADER_LEN, r->len);
		else
			log_error("system PS: entry %zu at offset %zu: out of memory", index, at);
		goto out;
	}
	if (!(e->flags & PS_FLAG_VALID))
		goto out; /* an unregistered hole: its contents do not matter */
	if ((rc = blob_modulus(e->blob, e->blob_len, &key)) != 0) {
		log_error("system PS: entry %zu at offset %zu: key blob at offset %zu does not "
			  "parse as TPM_KEY or TPM_KEY12", index, at,
			  at + PS_ENTRY_HEADER_LEN + e->pub_len);
		rc = -EBADMSG;
		goto out;
	}
	if (key.pub_key.key_len != e->pub_len) {
		log_error("system PS: entry %zu at offset %zu: public data size %u does not match "
			  "the blob's modulus (%u bytes)", index, at, e->pub_len,
			  key.pub_key.key_len);
		rc = -EBADMSG;
		goto out;
	}
out:
	tpm_key_free(&key);
	if (rc != 0)
		entry_free(e);
	return rc;
}

static int entries_reserve(struct ps_entry **entries, size_t *cap, size_t want)
{
	struct ps_entry *p;
	size_t n;

	if (want <= *cap)
		return 0;
	n = *cap ? *cap * 2 : 8;
	if (n < want)
		n = want;
	p = realloc(*entries, n * sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	memset(p + *cap, 0, (n - *cap) * sizeof(*p));
	*entries = p;
	*cap = n;
	return 0;
}

/*
 * Parses a whole file image. A zero-length file is an empty store (what
 * TrouSerS leaves after creating the file and registering nothing).
 */
static int parse_image(const uint8_t *data, size_t len, struct ps_entry **out, size_t *n_out,
		       size_t *cap_out)
{
	struct buf_reader r;
	struct ps_entry *entries = NULL;
	size_t cap = 0, n = 0;
	uint8_t version;
	uint32_t count;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	*cap_out = 0;
	if (len == 0)
		return 0;
	if (len > PS_FILE_MAX) {
		log_error("system PS: file of %zu bytes exceeds the %u-byte cap", len, PS_FILE_MAX);
		return -E2BIG;
	}
	buf_reader_init(&r, data, len);
	buf_get_u8(&r, &version);
	buf_get_u32_le(&r, &count);
	if (buf_reader_error(&r)) {
		log_error("system PS: header truncated at offset 0 (%zu bytes, needs %d)", len,
			  PS_HEADER_LEN);
		return -EBADMSG;
	}
	if (version != PS_VERSION) {
		log_error("system PS: version %u at offset 0 (only version %d is known)", version,
			  PS_VERSION);
		return -EBADMSG;
	}
	/* Each entry takes at least its header and a blob byte. */
	if (count > PS_KEYS_MAX || count > (len - PS_HEADER_LEN) / (PS_ENTRY_HEADER_LEN + 1)) {
		log_error("system PS: key count %u at offset 1 is impossible for a %zu-byte file",
			  count, len);
		return count > PS_KEYS_MAX ? -E2BIG : -EBADMSG;
	}
	if ((rc = entries_reserve(&entries, &cap, count ? count : 1)) != 0)
		goto out;
	for (uint32_t i = 0; i < count; i++) {
		struct ps_entry *e = &entries[n];

		if ((rc = parse_entry(&r, i, e)) != 0)
			goto out;
		n++;
		if (!(e->flags & PS_FLAG_VALID))
			continue;
		for (size_t j = 0; j + 1 < n; j++) {
			if ((entries[j].flags & PS_FLAG_VALID) &&
			    ps_uuid_equal(&entries[j].uuid, &e->uuid)) {
				/* TrouSerS would find the first; so do we. */
				log_warn("system PS: entry %u repeats the UUID of entry %zu; "
					 "ignoring it", i, j);
				e->flags &= (uint16_t)~PS_FLAG_VALID;
				break;
			}
		}
	}
	if (buf_remaining(&r) != 0) {
		log_error("system PS: %zu unexpected bytes after the last key, at offset %zu",
			  buf_remaining(&r), r.off);
		rc = -EBADMSG;
		goto out;
	}
out:
	if (rc != 0) {
		entries_free(entries, n);
		return rc;
	}
	*out = entries;
	*n_out = n;
	*cap_out = cap;
	return 0;
}

/* The file image of the valid entries. Caller holds the lock. */
static int build_image(const struct ps_store *ps, uint8_t **out, size_t *out_len)
{
	struct buf_writer w;
	size_t valid = 0;
	int rc;

	*out = NULL;
	*out_len = 0;
	for (size_t i = 0; i < ps->n_entries; i++)
		if (ps->entries[i].flags & PS_FLAG_VALID)
			valid++;
	buf_writer_init_dynamic(&w, PS_FILE_MAX);
	buf_put_u8(&w, PS_VERSION);
	buf_put_u32_le(&w, (uint32_t)valid);
	for (size_t i = 0; i < ps->n_entries; i++) {
		const struct ps_entry *e = &ps->entries[i];

		if (!(e->flags & PS_FLAG_VALID))
			continue;
		ps_uuid_put_le(&w, &e->uuid);
		ps_uuid_put_le(&w, &e->parent_uuid);
		buf_put_u16_le(&w, e->pub_len);
		buf_put_u16_le(&w, e->blob_len);
		buf_put_u32_le(&w, e->vendor_len);
		buf_put_u16_le(&w, e->flags);
		buf_put_bytes(&w, e->pub, e->pub_len);
		buf_put_bytes(&w, e->blob, e->blob_len);
		buf_put_bytes(&w, e->vendor, e->vendor_len);
	}
	if ((rc = buf_writer_error(&w)) != 0) {
		log_error("system PS: cannot build the file image: %s", strerror(-rc));
		buf_writer_free(&w);
		return rc;
	}
	*out = buf_writer_steal(&w, out_len);
	return *out != NULL ? 0 : -ENOMEM;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The directory part of an absolute path, in buf. */
static int dir_of(const char *path, char *buf, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL)
		return -EINVAL;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= cap)
		return -ENAMETOOLONG;
	memcpy(buf, path, n);
	buf[n] = '\0';
	return 0;
}

/*
 * Replaces the file with image: a fresh temporary file in the same
 * directory (created exclusively, never through a symlink, mode 0600),
 * fsync, rename over the old name (which replaces a symlink planted there
 * instead of following it; we also refuse to do so), fsync the directory.
 */
static int replace_file(const char *path, const uint8_t *image, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	struct stat st;
	int fd = -1, dfd = -1, rc = 0;
	bool created = false;

	if ((rc = dir_of(path, dir, sizeof(dir))) != 0)
		goto out;
	for (int attempt = 0; attempt < 16; attempt++) {
		uint32_t r;
		int n;

		if (crypto_random(&r, sizeof(r)) != 0) {
			rc = -EIO;
			goto out;
		}
		n = snprintf(tmp, sizeof(tmp), "%s.tmp.%08x", path, r);
		if (n < 0 || (size_t)n >= sizeof(tmp)) {
			rc = -ENAMETOOLONG;
			goto out;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		rc = -errno;
		log_error("system PS: cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	created = true;
	if ((rc = write_all(fd, image, len)) != 0 || (fsync(fd) != 0 && (rc = -errno) != 0)) {
		log_error("system PS: cannot write %s: %s", tmp, strerror(-rc));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = -errno;
		log_error("system PS: cannot write %s: %s", tmp, strerror(-rc));
		goto out;
	}
	fd = -1;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		log_error("system PS: %s is no longer a regular file (a symlink planted?); "
			  "not replacing it", path);
		rc = -ELOOP;
		goto out;
	}
	if (rename(tmp, path) != 0) {
		rc = -errno;
		log_error("system PS: cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	created = false;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		/* The new file is in place; only its durability is in doubt. */
		log_warn("system PS: cannot sync directory %s: %s", dir, strerror(errno));
	}
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (created)
		unlink(tmp);
	return rc;
}

/* Reads a whole regular file (not through a symlink), at most PS_FILE_MAX bytes. */
static int read_file(const char *path, uint8_t **out, size_t *out_len)
{
	struct stat st;
	uint8_t *data = NULL;
	size_t len = 0;
	int fd, rc = 0;

	*out = NULL;
	*out_len = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ENOENT)
			return rc;
		if (rc == -ELOOP)
			log_error("system PS: %s is a symbolic link; refusing to use it "
				  "(CVE-2020-24332)", path);
		else
			log_error("system PS: cannot open %s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		log_error("system PS: cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("system PS: %s is not a regular file", path);
		rc = -EINVAL;
		goto out;
	}
	if (st.st_size > (off_t)PS_FILE_MAX) {
		log_error("system PS: %s has %lld bytes, above the %u-byte cap", path,
			  (long long)st.st_size, PS_FILE_MAX);
		rc = -E2BIG;
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	if (data == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	/* Read to end of file: the size may have changed since fstat. */
	for (;;) {
		ssize_t k = read(fd, data + len, (size_t)st.st_size + 1 - len);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			log_error("system PS: cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		len += (size_t)k;
		if (len > (size_t)st.st_size) {
			log_error("system PS: %s grew while being read", path);
			rc = -EBADMSG;
			goto out;
		}
	}
	*out = data;
	*out_len = len;
	data = NULL;
out:
	free(data);
	close(fd);
	return rc;
}

/* Takes "<path>.lock" for the life of the store; -EBUSY if someone has it. */
static int take_lock(const char *path, int *lock_fd)
{
	char lock_path[PATH_MAX];
	int fd, n;

	*lock_fd = -1;
	n = snprintf(lock_path, sizeof(lock_path), "%s.lock", path);
	if (n < 0 || (size_t)n >= sizeof(lock_path))
		return -ENAMETOOLONG;
	fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int rc = -errno;

		log_error("system PS: cannot open lock file %s: %s%s", lock_path, strerror(errno),
			  rc == -ELOOP ? " (a symbolic link; refusing to follow it)" : "");
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int rc = errno == EWOULDBLOCK ? -EBUSY : -errno;

		if (rc == -EBUSY)
			log_error("system PS: %s is in use by another process (lock %s held); "
				  "is another tcsd running on it?", path, lock_path);
		else
			log_error("system PS: cannot lock %s: %s", lock_path, strerror(errno));
		close(fd);
		return rc;
	}
	*lock_fd = fd;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Store                                                               */
/* ------------------------------------------------------------------ */

static struct ps_store *store_new(void)
{
	struct ps_store *ps = calloc(1, sizeof(*ps));

	if (ps == NULL)
		return NULL;
	pthread_mutex_init(&ps->lock, NULL);
	ps->lock_fd = -1;
	return ps;
}

int ps_open_image(const uint8_t *data, size_t len, struct ps_store **out)
{
	struct ps_store *ps;
	int rc;

	*out = NULL;
	if ((ps = store_new()) == NULL)
		return -ENOMEM;
	if ((rc = parse_image(data, len, &ps->entries, &ps->n_entries, &ps->cap_entries)) != 0) {
		ps_close(ps);
		return rc;
	}
	*out = ps;
	return 0;
}

int ps_open(const char *path, struct ps_store **out)
{
	struct ps_store *ps = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (path == NULL || path[0] != '/') {
		log_error("system PS: the path must be absolute (got %s)", path ? path : "(null)");
		return -EINVAL;
	}
	if ((ps = store_new()) == NULL || (ps->path = strdup(path)) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = take_lock(path, &ps->lock_fd)) != 0)
		goto out;
	rc = read_file(path, &data, &len);
	if (rc == -ENOENT) {
		log_info("system PS: %s does not exist yet; it will be created on the first "
			 "registration", path);
		rc = 0;
	} else if (rc == 0) {
		rc = parse_image(data, len, &ps->entries, &ps->n_entries, &ps->cap_entries);
		if (rc != 0)
			log_error("system PS: refusing to use %s; move it away to start empty", path);
	}
	if (rc != 0)
		goto out;
	log_info("system PS: %s: %zu registered key(s)", path, ps_count(ps));
	*out = ps;
	ps = NULL;
out:
	free(data);
	if (ps != NULL)
		ps_close(ps);
	return rc;
}

void ps_close(struct ps_store *ps)
{
	if (ps == NULL)
		return;
	entries_free(ps->entries, ps->n_entries);
	if (ps->lock_fd >= 0)
		close(ps->lock_fd); /* releases the flock */
	free(ps->path);
	pthread_mutex_destroy(&ps->lock);
	free(ps);
}

const char *ps_path(const struct ps_store *ps)
{
	return ps->path;
}

int ps_serialize(struct ps_store *ps, uint8_t **out, size_t *out_len)
{
	int rc;

	pthread_mutex_lock(&ps->lock);
	rc = build_image(ps, out, out_len);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

/* Caller holds the lock. */
static struct ps_entry *find_entry(struct ps_store *ps, const TSS_UUID *uuid)
{
	for (size_t i = 0; i < ps->n_entries; i++)
		if ((ps->entries[i].flags & PS_FLAG_VALID) &&
		    ps_uuid_equal(&ps->entries[i].uuid, uuid))
			return &ps->entries[i];
	return NULL;
}

size_t ps_count(struct ps_store *ps)
{
	size_t n = 0;

	pthread_mutex_lock(&ps->lock);
	for (size_t i = 0; i < ps->n_entries; i++)
		if (ps->entries[i].flags & PS_FLAG_VALID)
			n++;
	pthread_mutex_unlock(&ps->lock);
	return n;
}

bool ps_is_registered(struct ps_store *ps, const TSS_UUID *uuid)
{
	bool found;

	pthread_mutex_lock(&ps->lock);
	found = find_entry(ps, uuid) != NULL;
	pthread_mutex_unlock(&ps->lock);
	return found;
}

static TSS_RESULT copy_entry(const struct ps_entry *e, struct ps_key *out)
{
	memset(out, 0, sizeof(*out));
	out->uuid = e->uuid;
	out->parent_uuid = e->parent_uuid;
	out->flags = e->flags;
	out->blob = malloc(e->blob_len);
	out->vendor_data = e->vendor_len ? malloc(e->vendor_len) : NULL;
	if (out->blob == NULL || (e->vendor_len && out->vendor_data == NULL)) {
		ps_key_free(out);
		return TCS_ERROR(TSS_E_OUTOFMEMORY);
	}
	memcpy(out->blob, e->blob, e->blob_len);
	out->blob_len = e->blob_len;
	if (e->vendor_len)
		memcpy(out->vendor_data, e->vendor, e->vendor_len);
	out->vendor_data_len = e->vendor_len;
	return TSS_SUCCESS;
}

void ps_key_free(struct ps_key *key)
{
	if (key == NULL)
		return;
	if (key->blob != NULL)
		OPENSSL_cleanse(key->blob, key->blob_len);
	free(key->blob);
	free(key->vendor_data);
	memset(key, 0, sizeof(*key));
}

void ps_key_list_free(struct ps_key *keys, size_t count)
{
	if (keys == NULL)
		return;
	for (size_t i = 0; i < count; i++)
		ps_key_free(&keys[i]);
	free(keys);
}

TSS_RESULT ps_get_key(struct ps_store *ps, const TSS_UUID *uuid, struct ps_key *out)
{
	const struct ps_entry *e;
	TSS_RESULT rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&ps->lock);
	e = find_entry(ps, uuid);
	rc = e != NULL ? copy_entry(e, out) : TCS_ERROR(TSS_E_PS_KEY_NOTFOUND);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

TSS_RESULT ps_get_parent_uuid(struct ps_store *ps, const TSS_UUID *uuid, TSS_UUID *parent)
{
	const struct ps_entry *e;

	memset(parent, 0, sizeof(*parent));
	pthread_mutex_lock(&ps->lock);
	e = find_entry(ps, uuid);
	if (e != NULL)
		*parent = e->parent_uuid;
	pthread_mutex_unlock(&ps->lock);
	return e != NULL ? TSS_SUCCESS : TCS_ERROR(TSS_E_PS_KEY_NOTFOUND);
}

TSS_RESULT ps_get_key_by_pub(struct ps_store *ps, const uint8_t *modulus, size_t len,
			     struct ps_key *out)
{
	TSS_RESULT rc = TCS_ERROR(TSS_E_PS_KEY_NOTFOUND);

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return rc;
	pthread_mutex_lock(&ps->lock);
	for (size_t i = 0; i < ps->n_entries; i++) {
		const struct ps_entry *e = &ps->entries[i];

		if ((e->flags & PS_FLAG_VALID) && e->pub_len == len &&
		    memcmp(e->pub, modulus, len) == 0) {
			rc = copy_entry(e, out);
			break;
		}
	}
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

TSS_RESULT ps_enumerate(struct ps_store *ps, const TSS_UUID *uuid, struct ps_key **keys,
			size_t *count)
{
	const struct ps_entry **chosen = NULL;
	struct ps_key *list = NULL;
	size_t n = 0;
	TSS_RESULT rc = TSS_SUCCESS;

	*keys = NULL;
	*count = 0;
	pthread_mutex_lock(&ps->lock);
	chosen = calloc(ps->n_entries ? ps->n_entries : 1, sizeof(*chosen));
	if (chosen == NULL) {
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	if (uuid == NULL) {
		for (size_t i = 0; i < ps->n_entries; i++)
			if (ps->entries[i].flags & PS_FLAG_VALID)
				chosen[n++] = &ps->entries[i];
	} else {
		const struct ps_entry *e = find_entry(ps, uuid);

		if (e == NULL) {
			rc = TCS_ERROR(TSS_E_PS_KEY_NOTFOUND);
			goto out;
		}
		/* Walk up; a cycle (a corrupt file) ends at the cap. */
		while (e != NULL && n < PS_CHAIN_MAX && n < ps->n_entries) {
			chosen[n++] = e;
			if (ps_uuid_equal(&e->parent_uuid, &ps_null_uuid) ||
			    ps_uuid_equal(&e->parent_uuid, &e->uuid))
				break;
			e = find_entry(ps, &e->parent_uuid);
		}
	}
	if (n == 0)
		goto out;
	list = calloc(n, sizeof(*list));
	if (list == NULL) {
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = copy_entry(chosen[i], &list[i])) != TSS_SUCCESS) {
			ps_key_list_free(list, i);
			list = NULL;
			goto out;
		}
	}
	*keys = list;
	*count = n;
out:
	pthread_mutex_unlock(&ps->lock);
	free(chosen);
	return rc;
}

/*
 * Writes the store after a change to the index (a store built from an
 * image has no file). On failure the caller undoes its change, so memory
 * and disk stay the same. Caller holds the lock.
 */
static int commit(struct ps_store *ps)
{
	uint8_t *image = NULL;
	size_t len = 0;
	int rc;

	if (ps->path == NULL)
		return 0;
	if ((rc = build_image(ps, &image, &len)) != 0)
		return rc;
	rc = replace_file(ps->path, image, len);
	free(image);
	return rc;
}

/* Drops invalid entries from the index once the file no longer has them. */
static void compact(struct ps_store *ps)
{
	size_t j = 0;

	for (size_t i = 0; i < ps->n_entries; i++) {
		if (ps->entries[i].flags & PS_FLAG_VALID)
			ps->entries[j++] = ps->entries[i];
		else
			entry_free(&ps->entries[i]);
	}
	for (size_t i = j; i < ps->n_entries; i++)
		memset(&ps->entries[i], 0, sizeof(ps->entries[i]));
	ps->n_entries = j;
}

/*
 * Whether a key registered under parent has its parent in system PS.
 * TrouSerS sets the flag when the parent's own entry carries it (or the
 * parent is the NULL UUID), so a key under an SRK that TrouSerS never saw
 * (ownership taken elsewhere) gets "user"; we count the SRK and any
 * registered parent as system storage, which is what the flag means.
 */
static bool parent_in_system_ps(struct ps_store *ps, const TSS_UUID *parent)
{
	return ps_uuid_equal(parent, &ps_null_uuid) || ps_uuid_equal(parent, &ps_srk_uuid) ||
	       find_entry(ps, parent) != NULL;
}

static TSS_RESULT add_entry(struct ps_store *ps, const TSS_UUID *uuid,
			    const TSS_UUID *parent_uuid, const uint8_t *blob, size_t blob_len,
			    const uint8_t *pub, size_t pub_len, const uint8_t *vendor,
			    size_t vendor_len, uint16_t flags)
{
	struct ps_entry e = { 0 };
	int rc;

	if (entries_reserve(&ps->entries, &ps->cap_entries, ps->n_entries + 1) != 0)
		return TCS_ERROR(TSS_E_OUTOFMEMORY);
	e.uuid = *uuid;
	e.parent_uuid = *parent_uuid;
	e.flags = flags;
	e.pub_len = (uint16_t)pub_len;
	e.blob_len = (uint16_t)blob_len;
	e.vendor_len = (uint32_t)vendor_len;
	e.pub = pub_len ? malloc(pub_len) : NULL;
	e.blob = malloc(blob_len);
	e.vendor = vendor_len ? malloc(vendor_len) : NULL;
	if ((pub_len && e.pub == NULL) || e.blob == NULL || (vendor_len && e.vendor == NULL)) {
		entry_free(&e);
		return TCS_ERROR(TSS_E_OUTOFMEMORY);
	}
	if (pub_len)
		memcpy(e.pub, pub, pub_len);
	memcpy(e.blob, blob, blob_len);
	if (vendor_len)
		memcpy(e.vendor, vendor, vendor_len);
	ps->entries[ps->n_entries++] = e;
	if ((rc = commit(ps)) != 0) {
		ps->n_entries--;
		entry_free(&ps->entries[ps->n_entries]);
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	compact(ps);
	return TSS_SUCCESS;
}

TSS_RESULT ps_register(struct ps_store *ps, const TSS_UUID *uuid, const TSS_UUID *parent_uuid,
		       const uint8_t *blob, size_t blob_len, const uint8_t *vendor_data,
		       size_t vendor_data_len)
{
	struct tpm_key key = { 0 };
	uint16_t flags = PS_FLAG_VALID;
	TSS_RESULT rc;

	if (blob == NULL || blob_len == 0 || blob_len > PS_BLOB_MAX ||
	    vendor_data_len > PS_VENDOR_DATA_MAX || (vendor_data_len && vendor_data == NULL)) {
		log_warn("system PS: refusing to register a key blob of %zu bytes with %zu bytes "
			 "of vendor data", blob_len, vendor_data_len);
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	}
	if (blob_modulus(blob, blob_len, &key) != 0 || key.pub_key.key_len > PS_PUB_DATA_MAX) {
		log_warn("system PS: refusing to register a key blob that does not parse");
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if (uuid_is_owner_evict(uuid)) {
		rc = TCS_ERROR(TSS_E_KEY_ALREADY_REGISTERED);
		goto out;
	}
	pthread_mutex_lock(&ps->lock);
	if (find_entry(ps, uuid) != NULL) {
		rc = TCS_ERROR(TSS_E_KEY_ALREADY_REGISTERED);
	} else {
		if (parent_in_system_ps(ps, parent_uuid))
			flags |= PS_FLAG_PARENT_PS_SYSTEM;
		rc = add_entry(ps, uuid, parent_uuid, blob, blob_len, key.pub_key.key,
			       key.pub_key.key_len, vendor_data, vendor_data_len, flags);
	}
	pthread_mutex_unlock(&ps->lock);
out:
	tpm_key_free(&key);
	return rc;
}

TSS_RESULT ps_unregister(struct ps_store *ps, const TSS_UUID *uuid)
{
	struct ps_entry *e;
	TSS_RESULT rc = TSS_SUCCESS;

	pthread_mutex_lock(&ps->lock);
	e = find_entry(ps, uuid);
	if (e == NULL) {
		rc = TCS_ERROR(TSS_E_PS_KEY_NOTFOUND);
	} else {
		e->flags &= (uint16_t)~PS_FLAG_VALID;
		if (commit(ps) != 0) {
			e->flags |= PS_FLAG_VALID;
			rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
		} else {
			compact(ps);
		}
	}
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

TSS_RESULT ps_store_srk(struct ps_store *ps, const uint8_t *srk_blob, size_t blob_len)
{
	struct tpm_key key = { 0 };
	uint8_t *image = NULL, *zeros = NULL;
	size_t image_len = 0;
	struct ps_entry *old;
	size_t old_index;
	TSS_RESULT rc;

	if (srk_blob == NULL || blob_len == 0 || blob_len > PS_BLOB_MAX ||
	    tpm_key_decode(srk_blob, blob_len, &key) != 0 ||
	    key.pub_key.key_len > PS_PUB_DATA_MAX) {
		log_error("system PS: the SRK blob from TakeOwnership does not parse");
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	/* Keep the layout, zero the modulus: the SRK's public key stays private. */
	if (key.pub_key.key_len)
		memset(key.pub_key.key, 0, key.pub_key.key_len);
	if (tpm_key_encode(&key, &image, &image_len) != 0 || image_len > PS_BLOB_MAX ||
	    (zeros = calloc(1, key.pub_key.key_len ? key.pub_key.key_len : 1)) == NULL) {
		rc = TCS_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	pthread_mutex_lock(&ps->lock);
	/* An index, not a pointer: add_entry may move the array. */
	old = find_entry(ps, &ps_srk_uuid);
	old_index = old != NULL ? (size_t)(old - ps->entries) : SIZE_MAX;
	if (old != NULL)
		old->flags &= (uint16_t)~PS_FLAG_VALID;
	rc = add_entry(ps, &ps_srk_uuid, &ps_null_uuid, image, image_len, zeros,
		       key.pub_key.key_len, NULL, 0, PS_FLAG_VALID | PS_FLAG_PARENT_PS_SYSTEM);
	if (rc != TSS_SUCCESS && old_index != SIZE_MAX)
		ps->entries[old_index].flags |= PS_FLAG_VALID;
	pthread_mutex_unlock(&ps->lock);
out:
	free(zeros);
	free(image);
	tpm_key_free(&key);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The daemon's store                                                  */
/* ------------------------------------------------------------------ */

static struct ps_store *system_store;

struct ps_store *ps_system(void)
{
	return system_store;
}

void ps_set_system(struct ps_store *ps)
{
	system_store = ps;
}
