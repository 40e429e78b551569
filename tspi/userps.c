/*
 * User persistent storage in TrouSerS' user.data format (see userps.h).
 *
 * The registry is small (a few keys of at most 4 KiB each), so every
 * operation reads the whole file through the bounded reader, works on
 * the parsed list and, for updates, writes a complete new file that
 * replaces the old one atomically.
 */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <tss/tss_defines.h>
#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>

#include "buf.h"
#include "log.h"
#include "tpm_structs.h"
#include "userps.h"

#define USERPS_VERSION 1
#define USERPS_DIR ".trousers"
#define USERPS_FILE "user.data"
/* version byte + num_keys */
#define USERPS_HEADER_LEN 5
/* uuid, parent, pub size, blob size, vendor size, flags */
#define USERPS_ENTRY_HEADER_LEN (16 + 16 + 2 + 2 + 4 + 2)

static pthread_mutex_t userps_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- path ---- */

TSS_RESULT userps_path(char *out, size_t cap)
{
	const char *env = getenv("TSS_USER_PS_FILE");
	struct passwd pw, *pwp = NULL;
	char pwbuf[4096], dir[PATH_MAX];
	struct stat st;
	int n;

	if (cap > 0)
		out[0] = '\0';
	if (env != NULL && env[0] != '\0') {
		if (strlen(env) >= cap) {
			log_error("user PS: TSS_USER_PS_FILE is too long");
			return TSP_ERROR(TSS_E_INTERNAL_ERROR);
		}
		memcpy(out, env, strlen(env) + 1);
		return TSS_SUCCESS;
	}
	if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &pwp) != 0 || pwp == NULL ||
	    pwp->pw_dir == NULL) {
		log_error("user PS: cannot find the home directory of uid %u",
			  (unsigned int)geteuid());
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	n = snprintf(dir, sizeof(dir), "%s/%s", pwp->pw_dir, USERPS_DIR);
	if (n < 0 || (size_t)n >= sizeof(dir)) {
		log_error("user PS: home directory path too long");
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	if (lstat(dir, &st) != 0) {
		if (errno != ENOENT || mkdir(dir, 0700) != 0) {
			log_error("user PS: cannot create %s: %s", dir, strerror(errno));
			return TSP_ERROR(TSS_E_INTERNAL_ERROR);
		}
	} else if (!S_ISDIR(st.st_mode)) {
		log_error("user PS: %s is not a directory", dir);
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	n = snprintf(out, cap, "%s/%s", dir, USERPS_FILE);
	if (n < 0 || (size_t)n >= cap) {
		log_error("user PS: path too long");
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	return TSS_SUCCESS;
}

/* ---- parse / serialise ---- */

/* TrouSerS writes the TSS_UUID struct as it sits in memory: little-endian on its platforms. */
static void userps_get_uuid(struct buf_reader *r, TSS_UUID *u)
{
	uint32_t tl;
	uint16_t tm, th;
	uint8_t hi, lo;

	buf_get_u32_le(r, &tl);
	buf_get_u16_le(r, &tm);
	buf_get_u16_le(r, &th);
	buf_get_u8(r, &hi);
	buf_get_u8(r, &lo);
	u->ulTimeLow = tl;
	u->usTimeMid = tm;
	u->usTimeHigh = th;
	u->bClockSeqHigh = hi;
	u->bClockSeqLow = lo;
	buf_get_bytes(r, u->rgbNode, sizeof(u->rgbNode));
}

static void userps_put_uuid(struct buf_writer *w, const TSS_UUID *u)
{
	buf_put_u32_le(w, u->ulTimeLow);
	buf_put_u16_le(w, u->usTimeMid);
	buf_put_u16_le(w, u->usTimeHigh);
	buf_put_u8(w, u->bClockSeqHigh);
	buf_put_u8(w, u->bClockSeqLow);
	buf_put_bytes(w, u->rgbNode, sizeof(u->rgbNode));
}

void userps_list_free(struct userps_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->count; i++) {
		free(l->entries[i].pub);
		free(l->entries[i].blob);
	}
	free(l->entries);
	l->entries = NULL;
	l->count = 0;
}

static TSS_RESULT userps_parse_entry(struct buf_reader *r, struct userps_entry *e)
{
	uint16_t pub_len, blob_len, flags;
	uint32_t vendor_len;

	memset(e, 0, sizeof(*e));
	userps_get_uuid(r, &e->uuid);
	userps_get_uuid(r, &e->parent_uuid);
	buf_get_u16_le(r, &pub_len);
	buf_get_u16_le(r, &blob_len);
	buf_get_u32_le(r, &vendor_len);
	buf_get_u16_le(r, &flags);
	if (buf_reader_error(r) != 0)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	if (pub_len > USERPS_PUB_MAX || blob_len > USERPS_BLOB_MAX || blob_len == 0 ||
	    vendor_len > buf_remaining(r)) {
		log_error("user PS: entry with impossible sizes (pub %u, blob %u, vendor %u)",
			  pub_len, blob_len, vendor_len);
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	e->parent_ps_type = (flags & USERPS_FLAG_PARENT_PS_SYSTEM) ? TSS_PS_TYPE_SYSTEM
								   : TSS_PS_TYPE_USER;
	e->pub_len = pub_len;
	e->blob_len = blob_len;
	buf_get_dup(r, &e->pub, pub_len);
	buf_get_dup(r, &e->blob, blob_len);
	buf_skip(r, vendor_len);
	if (buf_reader_error(r) != 0) {
		free(e->pub);
		free(e->blob);
		memset(e, 0, sizeof(*e));
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	return TSS_SUCCESS;
}

TSS_RESULT userps_parse(const uint8_t *data, size_t len, struct userps_list *out)
{
	struct buf_reader r;
	uint8_t version;
	uint32_t num_keys, i;
	TSS_RESULT result;

	memset(out, 0, sizeof(*out));
	/* TrouSerS creates the file empty and writes the header with the first key. */
	if (len == 0)
		return TSS_SUCCESS;
	buf_reader_init(&r, data, len);
	buf_get_u8(&r, &version);
	buf_get_u32_le(&r, &num_keys);
	if (buf_reader_error(&r) != 0 || version != USERPS_VERSION) {
		log_error("user PS: not a version %d registry", USERPS_VERSION);
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	/* Every entry takes at least its header: a count above that is corrupt. */
	if (num_keys > buf_remaining(&r) / USERPS_ENTRY_HEADER_LEN) {
		log_error("user PS: %u keys cannot fit in %zu bytes", num_keys, len);
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	if (num_keys == 0)
		return TSS_SUCCESS;
	out->entries = calloc(num_keys, sizeof(*out->entries));
	if (out->entries == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	for (i = 0; i < num_keys; i++) {
		if ((result = userps_parse_entry(&r, &out->entries[i])) != TSS_SUCCESS) {
			log_error("user PS: entry %u of %u is truncated or corrupt", i, num_keys);
			userps_list_free(out);
			return result;
		}
		out->count++;
	}
	/* TrouSerS leaves zeroed slack after removals in some versions; ignore trailing bytes. */
	return TSS_SUCCESS;
}

TSS_RESULT userps_serialise(const struct userps_list *l, uint8_t **out, size_t *out_len)
{
	struct buf_writer w;
	size_t i;

	*out = NULL;
	*out_len = 0;
	if (l->count > UINT32_MAX)
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	buf_writer_init_dynamic(&w, USERPS_FILE_MAX);
	buf_put_u8(&w, USERPS_VERSION);
	buf_put_u32_le(&w, (uint32_t)l->count);
	for (i = 0; i < l->count; i++) {
		const struct userps_entry *e = &l->entries[i];

		userps_put_uuid(&w, &e->uuid);
		userps_put_uuid(&w, &e->parent_uuid);
		buf_put_u16_le(&w, e->pub_len);
		buf_put_u16_le(&w, e->blob_len);
		buf_put_u32_le(&w, 0);
		buf_put_u16_le(&w, e->parent_ps_type == TSS_PS_TYPE_SYSTEM
					   ? USERPS_FLAG_PARENT_PS_SYSTEM : 0);
		buf_put_bytes(&w, e->pub, e->pub_len);
		buf_put_bytes(&w, e->blob, e->blob_len);
	}
	if (buf_writer_error(&w) != 0) {
		buf_writer_free(&w);
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	}
	*out = buf_writer_steal(&w, out_len);
	return *out != NULL ? TSS_SUCCESS : TSP_ERROR(TSS_E_OUTOFMEMORY);
}

const struct userps_entry *userps_find(const struct userps_list *l, const TSS_UUID *uuid)
{
	size_t i;

	for (i = 0; i < l->count; i++) {
		const TSS_UUID *u = &l->entries[i].uuid;

		if (u->ulTimeLow == uuid->ulTimeLow && u->usTimeMid == uuid->usTimeMid &&
		    u->usTimeHigh == uuid->usTimeHigh && u->bClockSeqHigh == uuid->bClockSeqHigh &&
		    u->bClockSeqLow == uuid->bClockSeqLow &&
		    memcmp(u->rgbNode, uuid->rgbNode, sizeof(u->rgbNode)) == 0)
			return &l->entries[i];
	}
	return NULL;
}

const struct userps_entry *userps_find_pub(const struct userps_list *l, const uint8_t *pub,
					   size_t pub_len)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (l->entries[i].pub_len == pub_len && pub_len > 0 &&
		    memcmp(l->entries[i].pub, pub, pub_len) == 0)
			return &l->entries[i];
	return NULL;
}

/* ---- file access ---- */

/*
 * Opens and locks the registry file. Because updates replace the file by
 * rename, a lock taken on an inode that has since been replaced protects
 * nothing: after locking, check that the path still names our inode and
 * start over if not.
 */
static TSS_RESULT userps_open_locked(const char *path, short lock_type, int *fd_out)
{
	struct flock fl;
	struct stat st_fd, st_path;
	int fd, tries;

	*fd_out = -1;
	/*
	 * Each retry means another writer finished an update, so this makes
	 * progress; the bound only guards against a file replaced in a loop.
	 */
	for (tries = 0; tries < 4096; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			log_error("user PS: cannot open %s: %s", path, strerror(errno));
			return TSP_ERROR(TSS_E_INTERNAL_ERROR);
		}
		memset(&fl, 0, sizeof(fl));
		fl.l_type = lock_type;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLKW, &fl) != 0) {
			log_error("user PS: cannot lock %s: %s", path, strerror(errno));
			close(fd);
			return TSP_ERROR(TSS_E_INTERNAL_ERROR);
		}
		if (fstat(fd, &st_fd) == 0 && stat(path, &st_path) == 0 &&
		    st_fd.st_dev == st_path.st_dev && st_fd.st_ino == st_path.st_ino) {
			if (!S_ISREG(st_fd.st_mode)) {
				log_error("user PS: %s is not a regular file", path);
				close(fd);
				return TSP_ERROR(TSS_E_INTERNAL_ERROR);
			}
			*fd_out = fd;
			return TSS_SUCCESS;
		}
		close(fd);
	}
	log_error("user PS: %s keeps being replaced; giving up", path);
	return TSP_ERROR(TSS_E_INTERNAL_ERROR);
}

static TSS_RESULT userps_read_fd(int fd, uint8_t **out, size_t *out_len)
{
	struct stat st;
	uint8_t *data = NULL;
	size_t off = 0;
	ssize_t n;

	*out = NULL;
	*out_len = 0;
	if (fstat(fd, &st) != 0) {
		log_error("user PS: fstat: %s", strerror(errno));
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > USERPS_FILE_MAX) {
		log_error("user PS: file of %lld bytes is larger than the %u-byte cap",
			  (long long)st.st_size, USERPS_FILE_MAX);
		return TSP_ERROR(TSS_E_INTERNAL_ERROR);
	}
	if (st.st_size == 0)
		return TSS_SUCCESS;
	data = malloc((size_t)st.st_size);
	if (data == NULL)
		return TSP_ERROR(TSS_E_OUTOFMEMORY);
	while (off < (size_t)st.st_size) {
		n = pread(fd, data + off, (size_t)st.st_size - off, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	*out = data;
	*out_len = off;
	return TSS_SUCCESS;
}

static int userps_write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write a temporary file beside path, fsync it, rename it over path, fsync the directory. */
static TSS_RESULT userps_replace(const char *path, const uint8_t *data, size_t len)
{
	char tmp[PATH_MAX + 16], dir[PATH_MAX];
	char *slash;
	int fd = -1, dfd, n;
	TSS_RESULT result = TSP_ERROR(TSS_E_INTERNAL_ERROR);

	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return result;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		log_error("user PS: cannot create a temporary file beside %s: %s", path,
			  strerror(errno));
		return result;
	}
	if (fchmod(fd, 0600) != 0 || userps_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		log_error("user PS: writing %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		log_error("user PS: writing %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		log_error("user PS: renaming %s to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	memcpy(dir, path, strlen(path) + 1);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		memcpy(dir, ".", 2);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	result = TSS_SUCCESS;
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0] != '\0')
		unlink(tmp);
	return result;
}

/* Loads the registry under the lock; the caller unlocks with userps_close(). */
static TSS_RESULT userps_begin(char *path, size_t cap, short lock_type, int *fd,
			       struct userps_list *l)
{
	uint8_t *data = NULL;
	size_t len = 0;
	TSS_RESULT result;

	*fd = -1;
	memset(l, 0, sizeof(*l));
	if ((result = userps_path(path, cap)) != TSS_SUCCESS)
		return result;
	if ((result = userps_open_locked(path, lock_type, fd)) != TSS_SUCCESS)
		return result;
	if ((result = userps_read_fd(*fd, &data, &len)) == TSS_SUCCESS)
		result = userps_parse(data, len, l);
	free(data);
	if (result != TSS_SUCCESS) {
		close(*fd);
		*fd = -1;
	}
	return result;
}

static void userps_close(int fd)
{
	/* Closing drops the fcntl lock. */
	if (fd >= 0)
		close(fd);
}

TSS_RESULT userps_load(struct userps_list *out)
{
	char path[PATH_MAX];
	TSS_RESULT result;
	int fd;

	pthread_mutex_lock(&userps_lock);
	result = userps_begin(path, sizeof(path), F_RDLCK, &fd, out);
	userps_close(fd);
	pthread_mutex_unlock(&userps_lock);
	return result;
}

TSS_RESULT userps_register(const TSS_UUID *uuid, const TSS_UUID *parent_uuid,
			   UINT32 parent_ps_type, const uint8_t *blob, size_t blob_len)
{
	char path[PATH_MAX];
	struct userps_list l = { 0 };
	struct userps_entry *grown, *e;
	struct tpm_key key = { 0 };
	uint8_t *image = NULL;
	size_t image_len = 0;
	TSS_RESULT result;
	int fd = -1;

	if (uuid == NULL || parent_uuid == NULL || blob == NULL || blob_len == 0 ||
	    blob_len > USERPS_BLOB_MAX ||
	    (parent_ps_type != TSS_PS_TYPE_SYSTEM && parent_ps_type != TSS_PS_TYPE_USER))
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if (tpm_key_decode(blob, blob_len, &key) != 0 || key.pub_key.key_len > USERPS_PUB_MAX) {
		log_error("user PS: refusing to register a key blob that does not parse");
		tpm_key_free(&key);
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	}

	pthread_mutex_lock(&userps_lock);
	if ((result = userps_begin(path, sizeof(path), F_WRLCK, &fd, &l)) != TSS_SUCCESS)
		goto out;
	if (userps_find(&l, uuid) != NULL) {
		result = TSP_ERROR(TSS_E_KEY_ALREADY_REGISTERED);
		goto out;
	}
	grown = realloc(l.entries, (l.count + 1) * sizeof(*l.entries));
	if (grown == NULL) {
		result = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	l.entries = grown;
	e = &l.entries[l.count];
	memset(e, 0, sizeof(*e));
	e->uuid = *uuid;
	e->parent_uuid = *parent_uuid;
	e->parent_ps_type = parent_ps_type;
	e->pub_len = (uint16_t)key.pub_key.key_len;
	e->blob_len = (uint16_t)blob_len;
	e->pub = malloc(key.pub_key.key_len ? key.pub_key.key_len : 1);
	e->blob = malloc(blob_len);
	l.count++;
	if (e->pub == NULL || e->blob == NULL) {
		result = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	memcpy(e->pub, key.pub_key.key, key.pub_key.key_len);
	memcpy(e->blob, blob, blob_len);
	if ((result = userps_serialise(&l, &image, &image_len)) != TSS_SUCCESS)
		goto out;
	result = userps_replace(path, image, image_len);
out:
	userps_close(fd);
	pthread_mutex_unlock(&userps_lock);
	free(image);
	userps_list_free(&l);
	tpm_key_free(&key);
	return result;
}

TSS_RESULT userps_unregister(const TSS_UUID *uuid)
{
	char path[PATH_MAX];
	struct userps_list l = { 0 };
	const struct userps_entry *e;
	uint8_t *image = NULL;
	size_t image_len = 0, idx;
	TSS_RESULT result;
	int fd = -1;

	if (uuid == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	pthread_mutex_lock(&userps_lock);
	if ((result = userps_begin(path, sizeof(path), F_WRLCK, &fd, &l)) != TSS_SUCCESS)
		goto out;
	if ((e = userps_find(&l, uuid)) == NULL) {
		result = TSP_ERROR(TSS_E_PS_KEY_NOTFOUND);
		goto out;
	}
	idx = (size_t)(e - l.entries);
	free(l.entries[idx].pub);
	free(l.entries[idx].blob);
	memmove(&l.entries[idx], &l.entries[idx + 1], (l.count - idx - 1) * sizeof(*l.entries));
	l.count--;
	if ((result = userps_serialise(&l, &image, &image_len)) != TSS_SUCCESS)
		goto out;
	result = userps_replace(path, image, image_len);
out:
	userps_close(fd);
	pthread_mutex_unlock(&userps_lock);
	free(image);
	userps_list_free(&l);
	return result;
}

TSS_RESULT userps_get(const TSS_UUID *uuid, uint8_t **blob, size_t *blob_len,
		      TSS_UUID *parent_uuid, UINT32 *parent_ps_type)
{
	struct userps_list l = { 0 };
	const struct userps_entry *e;
	TSS_RESULT result;

	if (blob != NULL)
		*blob = NULL;
	if (blob_len != NULL)
		*blob_len = 0;
	if (parent_uuid != NULL)
		memset(parent_uuid, 0, sizeof(*parent_uuid));
	if (parent_ps_type != NULL)
		*parent_ps_type = 0;
	if (uuid == NULL)
		return TSP_ERROR(TSS_E_BAD_PARAMETER);
	if ((result = userps_load(&l)) != TSS_SUCCESS)
		return result;
	if ((e = userps_find(&l, uuid)) == NULL) {
		result = TSP_ERROR(TSS_E_PS_KEY_NOTFOUND);
		goto out;
	}
	if (blob != NULL) {
		*blob = malloc(e->blob_len);
		if (*blob == NULL) {
			result = TSP_ERROR(TSS_E_OUTOFMEMORY);
			goto out;
		}
		memcpy(*blob, e->blob, e->blob_len);
	}
	if (blob_len != NULL)
		*blob_len = e->blob_len;
	if (parent_uuid != NULL)
		*parent_uuid = e->parent_uuid;
	if (parent_ps_type != NULL)
		*parent_ps_type = e->parent_ps_type;
out:
	userps_list_free(&l);
	return result;
}
