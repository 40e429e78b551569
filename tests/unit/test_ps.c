/*
 * Unit tests for tcsd/ps.c: TrouSerS' system.data format (a file written
 * by Debian's TrouSerS 0.3.15, byte for byte), registration, the atomic
 * rewrite, the lock against a second writer, symlinks (CVE-2020-24332)
 * and corrupt files of every kind.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>

#include "buf.h"
#include "log.h"
#include "ps.h"
#include "tpm_structs.h"

#define FIXTURE SRCDIR "/ps_vectors/trousers-0.3.15-4keys.data"

static const TSS_UUID key_uuid[5] = {
	{ 0, 0, 0, 0, 0, { 0, 0, 0, 0, 0, 1 } },
	{ 0x7a55e001, 0x1111, 0x2222, 0x33, 0x44, { 0x55, 0x66, 0x77, 0x88, 0x99, 0x01 } },
	{ 0x7a55e002, 0x1111, 0x2222, 0x33, 0x44, { 0x55, 0x66, 0x77, 0x88, 0x99, 0x02 } },
	{ 0x7a55e003, 0x1111, 0x2222, 0x33, 0x44, { 0x55, 0x66, 0x77, 0x88, 0x99, 0x03 } },
	{ 0x7a55e004, 0x1111, 0x2222, 0x33, 0x44, { 0x55, 0x66, 0x77, 0x88, 0x99, 0x04 } },
};

static uint8_t *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void write_whole(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* A TPM_KEY (1.1) or TPM_KEY12 blob whose modulus is filled with seed. */
static uint8_t *make_blob(uint8_t seed, bool key12, size_t *len)
{
	struct tpm_key k = { 0 };
	uint8_t mod[256], enc[256];
	uint8_t *out = NULL;

	memset(mod, seed, sizeof(mod));
	mod[0] |= 0x80;
	memset(enc, seed ^ 0x5a, sizeof(enc));
	k.key12 = key12;
	k.ver.major = 1;
	k.ver.minor = 1;
	k.key_usage = 0x0010; /* TPM_KEY_SIGNING */
	k.auth_data_usage = 1;
	k.algorithm_parms.algorithm_id = 1; /* TPM_ALG_RSA */
	k.algorithm_parms.enc_scheme = 1;   /* TPM_ES_NONE */
	k.algorithm_parms.sig_scheme = 2;   /* TPM_SS_RSASSAPKCS1v15_SHA1 */
	k.algorithm_parms.kind = TPM_PARMS_RSA;
	k.algorithm_parms.rsa.key_length = 2048;
	k.algorithm_parms.rsa.num_primes = 2;
	k.pub_key.key = mod;
	k.pub_key.key_len = sizeof(mod);
	k.enc_data = enc;
	k.enc_data_len = sizeof(enc);
	assert_int_equal(tpm_key_encode(&k, &out, len), 0);
	return out;
}

struct tmp {
	char dir[PATH_MAX];
	char path[PATH_MAX + 32];
};

static void tmp_make(struct tmp *t)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(t->dir, sizeof(t->dir), "%s/tss12-test-ps-XXXXXX", base);
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/system.data", t->dir);
}

static void tmp_remove(struct tmp *t)
{
	DIR *d = opendir(t->dir);
	struct dirent *de;
	char p[PATH_MAX * 2];

	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", t->dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(t->dir);
}

/* Names in the directory other than system.data and its lock: leftovers. */
static int count_stray_files(const struct tmp *t)
{
	DIR *d = opendir(t->dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "system.data") == 0 ||
		    strcmp(de->d_name, "system.data.lock") == 0)
			continue;
		n++;
	}
	closedir(d);
	return n;
}

/* ---- TrouSerS' own file ---- */

static void trousers_file_parses(void **state)
{
	size_t len, n = 0;
	uint8_t *img = read_whole(FIXTURE, &len);
	struct ps_store *ps = NULL;
	struct ps_key k, *list = NULL;
	TSS_UUID parent;

	assert_int_equal(ps_open_image(img, len, &ps), 0);
	assert_int_equal(ps_count(ps), 5);
	for (int i = 0; i < 5; i++)
		assert_true(ps_is_registered(ps, &key_uuid[i]));

	/* The SRK: parent NULL, both flags, modulus withheld (zeros). */
	assert_int_equal(ps_get_key(ps, &ps_srk_uuid, &k), TSS_SUCCESS);
	assert_true(ps_uuid_equal(&k.parent_uuid, &ps_null_uuid));
	assert_int_equal(k.flags, PS_FLAG_VALID | PS_FLAG_PARENT_PS_SYSTEM);
	assert_int_equal(k.blob_len, 303);
	assert_int_equal(k.vendor_data_len, 0);
	ps_key_free(&k);

	/* Key 2 hangs under key 1 and carries libtspi's vendor data. */
	assert_int_equal(ps_get_key(ps, &key_uuid[2], &k), TSS_SUCCESS);
	assert_true(ps_uuid_equal(&k.parent_uuid, &key_uuid[1]));
	assert_int_equal(k.vendor_data_len, 16);
	assert_memory_equal(k.vendor_data, "trousers 0.3.15", 16);
	assert_int_equal(k.blob_len, 559);

	/* Lookup by public key finds the same entry. */
	{
		struct tpm_key key;
		struct ps_key k2;

		assert_int_equal(tpm_key_decode(k.blob, k.blob_len, &key), 0);
		assert_int_equal(ps_get_key_by_pub(ps, key.pub_key.key, key.pub_key.key_len, &k2),
				 TSS_SUCCESS);
		assert_true(ps_uuid_equal(&k2.uuid, &key_uuid[2]));
		ps_key_free(&k2);
		key.pub_key.key[5] ^= 1;
		assert_int_equal(ps_get_key_by_pub(ps, key.pub_key.key, key.pub_key.key_len, &k2),
				 TCS_ERROR(TSS_E_PS_KEY_NOTFOUND));
		assert_null(k2.blob);
		tpm_key_free(&key);
	}
	ps_key_free(&k);

	assert_int_equal(ps_get_parent_uuid(ps, &key_uuid[2], &parent), TSS_SUCCESS);
	assert_true(ps_uuid_equal(&parent, &key_uuid[1]));

	/* The chain of key 2 is 2 -> 1 -> SRK, as TrouSerS enumerates it. */
	assert_int_equal(ps_enumerate(ps, &key_uuid[2], &list, &n), TSS_SUCCESS);
	assert_int_equal(n, 3);
	assert_true(ps_uuid_equal(&list[0].uuid, &key_uuid[2]));
	assert_true(ps_uuid_equal(&list[1].uuid, &key_uuid[1]));
	assert_true(ps_uuid_equal(&list[2].uuid, &ps_srk_uuid));
	ps_key_list_free(list, n);

	/* All keys, in file order. */
	assert_int_equal(ps_enumerate(ps, NULL, &list, &n), TSS_SUCCESS);
	assert_int_equal(n, 5);
	for (int i = 0; i < 5; i++)
		assert_true(ps_uuid_equal(&list[i].uuid, &key_uuid[i]));
	ps_key_list_free(list, n);

	ps_close(ps);
	free(img);
}

static void trousers_file_round_trips(void **state)
{
	size_t len, out_len;
	uint8_t *img = read_whole(FIXTURE, &len), *out = NULL;
	struct ps_store *ps = NULL;

	assert_int_equal(ps_open_image(img, len, &ps), 0);
	assert_int_equal(ps_serialize(ps, &out, &out_len), 0);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, img, len);
	free(out);
	ps_close(ps);
	free(img);
}

/* What TrouSerS leaves on unregister in older versions: a hole with VALID clear. */
static void invalid_entries_are_skipped_and_dropped(void **state)
{
	size_t len, out_len, n = 0;
	uint8_t *img = read_whole(FIXTURE, &len), *out = NULL;
	struct ps_store *ps = NULL;
	struct ps_key *list = NULL;
	/* Entry 1 (key 1) starts at 606; its flags at +40. */
	size_t flags_at = 606 + 40;

	assert_int_equal(img[flags_at], PS_FLAG_VALID | PS_FLAG_PARENT_PS_SYSTEM);
	img[flags_at] = PS_FLAG_PARENT_PS_SYSTEM;
	assert_int_equal(ps_open_image(img, len, &ps), 0);
	assert_int_equal(ps_count(ps), 4);
	assert_false(ps_is_registered(ps, &key_uuid[1]));
	/* The chain of key 2 now stops at key 2: its parent is gone. */
	assert_int_equal(ps_enumerate(ps, &key_uuid[2], &list, &n), TSS_SUCCESS);
	assert_int_equal(n, 1);
	ps_key_list_free(list, n);
	assert_int_equal(ps_serialize(ps, &out, &out_len), 0);
	assert_int_equal(out_len, len - (42 + 256 + 559 + 16));
	assert_int_equal(out[1], 4);
	free(out);
	ps_close(ps);
	free(img);
}

/* ---- Corrupt files ---- */

static void empty_and_tiny_files(void **state)
{
	static const uint8_t empty_v1[] = { 1, 0, 0, 0, 0 };
	struct ps_store *ps = NULL;

	assert_int_equal(ps_open_image(NULL, 0, &ps), 0);
	assert_int_equal(ps_count(ps), 0);
	ps_close(ps);
	assert_int_equal(ps_open_image(empty_v1, sizeof(empty_v1), &ps), 0);
	assert_int_equal(ps_count(ps), 0);
	ps_close(ps);
	for (size_t n = 1; n < sizeof(empty_v1); n++) {
		assert_int_equal(ps_open_image(empty_v1, n, &ps), -EBADMSG);
		assert_null(ps);
	}
}

static void every_truncation_is_refused(void **state)
{
	size_t len;
	uint8_t *img = read_whole(FIXTURE, &len);
	struct ps_store *ps = NULL;

	for (size_t n = 1; n < len; n++) {
		/* A copy of exactly n bytes, so that ASan sees any overread. */
		uint8_t *cut = malloc(n);

		memcpy(cut, img, n);
		assert_int_equal(ps_open_image(cut, n, &ps), -EBADMSG);
		assert_null(ps);
		free(cut);
	}
	free(img);
}

static void bad_headers_and_sizes(void **state)
{
	size_t len;
	uint8_t *img = read_whole(FIXTURE, &len), *big;
	struct ps_store *ps = NULL;

	/* Unknown version. */
	img[0] = 2;
	assert_int_equal(ps_open_image(img, len, &ps), -EBADMSG);
	img[0] = 0;
	assert_int_equal(ps_open_image(img, len, &ps), -EBADMSG);
	img[0] = 1;
	/* A count the file cannot hold, and one above the cap. */
	img[1] = 6;
	assert_int_equal(ps_open_image(img, len, &ps), -EBADMSG);
	img[1] = 0xff;
	img[2] = 0xff;
	img[3] = 0xff;
	img[4] = 0xff;
	assert_int_equal(ps_open_image(img, len, &ps), -E2BIG);
	/* Fewer keys than present: trailing bytes. */
	img[1] = 4;
	img[2] = img[3] = img[4] = 0;
	assert_int_equal(ps_open_image(img, len, &ps), -EBADMSG);
	img[1] = 5;
	/* Public data size above its cap (entry 0 at 5, sizes at +32). */
	img[5 + 32] = 0x01;
	img[5 + 33] = 0x10;
	assert_int_equal(ps_open_image(img, len, &ps), -E2BIG);
	img[5 + 32] = 0x00;
	img[5 + 33] = 0x01;
	/* Blob size zero, and above its cap. */
	img[5 + 34] = 0;
	img[5 + 35] = 0;
	assert_int_equal(ps_open_image(img, len, &ps), -E2BIG);
	img[5 + 34] = 0x01;
	img[5 + 35] = 0x20;
	assert_int_equal(ps_open_image(img, len, &ps), -E2BIG);
	img[5 + 34] = 0x2f;
	img[5 + 35] = 0x01;
	/* Vendor data size of 4 GiB. */
	memset(img + 5 + 36, 0xff, 4);
	assert_int_equal(ps_open_image(img, len, &ps), -E2BIG);
	memset(img + 5 + 36, 0, 4);
	/* Unknown flag bits. */
	img[5 + 40] = 0x07;
	assert_int_equal(ps_open_image(img, len, &ps), -EBADMSG);
	img[5 + 40] = 0x03;
	/* A blob that is not a TPM_KEY: the SRK's version byte. */
	img[5 + 42 + 256] = 0x07;
	assert_int_equal(ps_open_image(img, len, &ps), -EBADMSG);
	img[5 + 42 + 256] = 0x01;
	/* Public data size that disagrees with the blob's modulus. */
	img[5 + 32] = 0xff;
	img[5 + 33] = 0x00;
	assert_int_equal(ps_open_image(img, len, &ps), -EBADMSG);
	img[5 + 32] = 0x00;
	img[5 + 33] = 0x01;
	/* Repaired, it parses again: the test edits were all undone. */
	assert_int_equal(ps_open_image(img, len, &ps), 0);
	ps_close(ps);

	/* A file above the size cap is refused before it is parsed. */
	big = calloc(1, PS_FILE_MAX + 1);
	assert_non_null(big);
	big[0] = 1;
	assert_int_equal(ps_open_image(big, PS_FILE_MAX + 1, &ps), -E2BIG);
	free(big);
	free(img);
}

/* Byte flips everywhere: refused or accepted, never a crash or leak (ASan). */
static void random_corruption_never_crashes(void **state)
{
	size_t len;
	uint8_t *img = read_whole(FIXTURE, &len);
	uint32_t x = 12345;

	for (int round = 0; round < 3000; round++) {
		uint8_t *copy = malloc(len);
		struct ps_store *ps = NULL;
		int rc, flips = 1 + round % 4;

		memcpy(copy, img, len);
		for (int f = 0; f < flips; f++) {
			x = x * 1103515245u + 12345u;
			copy[(x >> 8) % len] ^= (uint8_t)(1u << ((x >> 3) % 8));
		}
		rc = ps_open_image(copy, len, &ps);
		if (rc == 0) {
			struct ps_key *list = NULL;
			size_t n = 0;

			assert_int_equal(ps_enumerate(ps, NULL, &list, &n), TSS_SUCCESS);
			for (size_t i = 0; i < n; i++) {
				struct ps_key *chain = NULL;
				size_t m = 0;

				assert_int_equal(ps_enumerate(ps, &list[i].uuid, &chain, &m),
						 TSS_SUCCESS);
				assert_true(m >= 1 && m <= n);
				ps_key_list_free(chain, m);
			}
			ps_key_list_free(list, n);
			ps_close(ps);
		} else {
			assert_true(rc == -EBADMSG || rc == -E2BIG);
			assert_null(ps);
		}
		free(copy);
	}
	free(img);
}

/* ---- A store on disk ---- */

static void register_unregister_on_disk(void **state)
{
	struct tmp t;
	struct ps_store *ps = NULL;
	struct ps_key k, *list = NULL;
	size_t blen, n = 0, flen;
	uint8_t *blob = make_blob(0x11, true, &blen), *file;
	struct stat st;
	static const uint8_t vendor[] = "vendor!";

	tmp_make(&t);
	assert_int_equal(ps_open(t.path, &ps), 0);
	assert_int_equal(ps_count(ps), 0);
	/* Nothing is created until the first registration. */
	assert_int_not_equal(access(t.path, F_OK), 0);
	assert_int_equal(ps_get_key(ps, &key_uuid[1], &k), TCS_ERROR(TSS_E_PS_KEY_NOTFOUND));
	assert_int_equal(ps_unregister(ps, &key_uuid[1]), TCS_ERROR(TSS_E_PS_KEY_NOTFOUND));
	assert_int_equal(ps_enumerate(ps, &key_uuid[1], &list, &n),
			 TCS_ERROR(TSS_E_PS_KEY_NOTFOUND));
	assert_int_equal(ps_enumerate(ps, NULL, &list, &n), TSS_SUCCESS);
	assert_int_equal(n, 0);
	assert_null(list);

	assert_int_equal(ps_register(ps, &key_uuid[1], &ps_srk_uuid, blob, blen, vendor,
				     sizeof(vendor)), TSS_SUCCESS);
	assert_int_equal(stat(t.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(count_stray_files(&t), 0);

	/* Duplicates are refused and change nothing. */
	assert_int_equal(ps_register(ps, &key_uuid[1], &ps_srk_uuid, blob, blen, NULL, 0),
			 TCS_ERROR(TSS_E_KEY_ALREADY_REGISTERED));
	/* So are owner-evict UUIDs, as in TrouSerS. */
	{
		const TSS_UUID oe = { 0, 0, 0, 0, 0, { 0, 0, 0, 0, 1, 3 } };

		assert_int_equal(ps_register(ps, &oe, &ps_srk_uuid, blob, blen, NULL, 0),
				 TCS_ERROR(TSS_E_KEY_ALREADY_REGISTERED));
	}
	/* Bad blobs are refused. */
	assert_int_equal(ps_register(ps, &key_uuid[2], &key_uuid[1], blob, blen - 1, NULL, 0),
			 TCS_ERROR(TSS_E_BAD_PARAMETER));
	assert_int_equal(ps_register(ps, &key_uuid[2], &key_uuid[1], blob, 0, NULL, 0),
			 TCS_ERROR(TSS_E_BAD_PARAMETER));
	assert_int_equal(ps_register(ps, &key_uuid[2], &key_uuid[1], blob, blen, vendor,
				     PS_VENDOR_DATA_MAX + 1), TCS_ERROR(TSS_E_BAD_PARAMETER));

	/* A child, under a registered parent: "parent in system PS". */
	{
		size_t b2len;
		uint8_t *b2 = make_blob(0x22, false, &b2len);

		assert_int_equal(ps_register(ps, &key_uuid[2], &key_uuid[1], b2, b2len, NULL, 0),
				 TSS_SUCCESS);
		free(b2);
	}
	/* Under an unknown parent: user PS. */
	{
		size_t b3len;
		uint8_t *b3 = make_blob(0x33, true, &b3len);
		const TSS_UUID stranger = { 9, 9, 9, 9, 9, { 9, 9, 9, 9, 9, 9 } };

		assert_int_equal(ps_register(ps, &key_uuid[3], &stranger, b3, b3len, NULL, 0),
				 TSS_SUCCESS);
		free(b3);
	}
	assert_int_equal(ps_count(ps), 3);
	ps_close(ps);

	/* What was written reads back the same, and in the TrouSerS layout. */
	file = read_whole(t.path, &flen);
	assert_int_equal(file[0], 1);
	assert_int_equal(file[1], 3);
	/* First entry: UUID little-endian, parent the SRK. */
	assert_int_equal(file[5], 0x01);
	assert_int_equal(file[8], 0x7a);
	assert_int_equal(file[5 + 16 + 15], 1);
	free(file);
	assert_int_equal(ps_open(t.path, &ps), 0);
	assert_int_equal(ps_count(ps), 3);
	assert_int_equal(ps_get_key(ps, &key_uuid[1], &k), TSS_SUCCESS);
	assert_int_equal(k.blob_len, blen);
	assert_memory_equal(k.blob, blob, blen);
	assert_int_equal(k.vendor_data_len, sizeof(vendor));
	assert_memory_equal(k.vendor_data, vendor, sizeof(vendor));
	assert_int_equal(k.flags, PS_FLAG_VALID | PS_FLAG_PARENT_PS_SYSTEM);
	ps_key_free(&k);
	assert_int_equal(ps_get_key(ps, &key_uuid[2], &k), TSS_SUCCESS);
	assert_int_equal(k.flags, PS_FLAG_VALID | PS_FLAG_PARENT_PS_SYSTEM);
	ps_key_free(&k);
	assert_int_equal(ps_get_key(ps, &key_uuid[3], &k), TSS_SUCCESS);
	assert_int_equal(k.flags, PS_FLAG_VALID);
	ps_key_free(&k);

	/* Unregister compacts the file; the others stay. */
	assert_int_equal(ps_unregister(ps, &key_uuid[1]), TSS_SUCCESS);
	assert_int_equal(ps_unregister(ps, &key_uuid[1]), TCS_ERROR(TSS_E_PS_KEY_NOTFOUND));
	assert_int_equal(ps_count(ps), 2);
	assert_int_equal(count_stray_files(&t), 0);
	ps_close(ps);
	assert_int_equal(ps_open(t.path, &ps), 0);
	assert_int_equal(ps_count(ps), 2);
	assert_false(ps_is_registered(ps, &key_uuid[1]));
	assert_true(ps_is_registered(ps, &key_uuid[2]));
	/* Re-registering the freed UUID works. */
	assert_int_equal(ps_register(ps, &key_uuid[1], &ps_srk_uuid, blob, blen, NULL, 0),
			 TSS_SUCCESS);
	ps_close(ps);
	free(blob);
	tmp_remove(&t);
}

static void second_writer_is_locked_out(void **state)
{
	struct tmp t;
	struct ps_store *a = NULL, *b = NULL;

	tmp_make(&t);
	assert_int_equal(ps_open(t.path, &a), 0);
	assert_int_equal(ps_open(t.path, &b), -EBUSY);
	assert_null(b);
	ps_close(a);
	assert_int_equal(ps_open(t.path, &b), 0);
	ps_close(b);
	tmp_remove(&t);
}

/* CVE-2020-24332: a symlink at the path is refused; its target is untouched. */
static void symlink_is_never_followed(void **state)
{
	struct tmp t;
	struct ps_store *ps = NULL;
	char target[PATH_MAX + 64], lock[PATH_MAX + 64];
	size_t blen, tlen;
	uint8_t *blob = make_blob(0x44, true, &blen), *after;
	static const char victim[] = "precious contents\n";

	tmp_make(&t);
	snprintf(target, sizeof(target), "%s/victim", t.dir);
	write_whole(target, victim, sizeof(victim) - 1);

	/* Planted before start-up: refused. */
	assert_int_equal(symlink(target, t.path), 0);
	assert_int_equal(ps_open(t.path, &ps), -ELOOP);
	assert_null(ps);
	unlink(t.path);

	/* Planted while running, before a write: the write is refused. */
	assert_int_equal(ps_open(t.path, &ps), 0);
	assert_int_equal(symlink(target, t.path), 0);
	assert_int_equal(ps_register(ps, &key_uuid[1], &ps_srk_uuid, blob, blen, NULL, 0),
			 TCS_ERROR(TSS_E_INTERNAL_ERROR));
	assert_false(ps_is_registered(ps, &key_uuid[1]));
	ps_close(ps);
	after = read_whole(target, &tlen);
	assert_int_equal(tlen, sizeof(victim) - 1);
	assert_memory_equal(after, victim, tlen);
	free(after);
	unlink(t.path);

	/* A symlink in place of the lock file: refused too. */
	snprintf(lock, sizeof(lock), "%s.lock", t.path);
	unlink(lock);
	assert_int_equal(symlink(target, lock), 0);
	assert_int_equal(ps_open(t.path, &ps), -ELOOP);
	after = read_whole(target, &tlen);
	assert_memory_equal(after, victim, tlen);
	free(after);

	free(blob);
	tmp_remove(&t);
}

static void not_a_regular_file_or_relative(void **state)
{
	struct tmp t;
	struct ps_store *ps = NULL;

	tmp_make(&t);
	assert_int_equal(mkdir(t.path, 0700), 0);
	assert_int_equal(ps_open(t.path, &ps), -EINVAL);
	rmdir(t.path);
	assert_int_equal(ps_open("relative/system.data", &ps), -EINVAL);
	assert_null(ps);
	tmp_remove(&t);
}

/* A write that fails leaves the store as it was, in memory and on disk. */
static void failed_write_changes_nothing(void **state)
{
	struct tmp t;
	struct ps_store *ps = NULL;
	size_t blen;
	uint8_t *blob = make_blob(0x55, false, &blen);
	char lock[PATH_MAX + 64];

	tmp_make(&t);
	assert_int_equal(ps_open(t.path, &ps), 0);
	assert_int_equal(ps_register(ps, &key_uuid[1], &ps_srk_uuid, blob, blen, NULL, 0),
			 TSS_SUCCESS);
	/* Take the directory away: the rewrite cannot create its temporary file. */
	snprintf(lock, sizeof(lock), "%s.lock", t.path);
	assert_int_equal(unlink(t.path), 0);
	assert_int_equal(unlink(lock), 0);
	assert_int_equal(rmdir(t.dir), 0);
	assert_int_equal(ps_register(ps, &key_uuid[2], &ps_srk_uuid, blob, blen, NULL, 0),
			 TCS_ERROR(TSS_E_INTERNAL_ERROR));
	assert_false(ps_is_registered(ps, &key_uuid[2]));
	assert_int_equal(ps_unregister(ps, &key_uuid[1]), TCS_ERROR(TSS_E_INTERNAL_ERROR));
	assert_true(ps_is_registered(ps, &key_uuid[1]));
	assert_int_equal(ps_count(ps), 1);
	ps_close(ps);
	free(blob);
}

static void srk_is_stored_without_its_modulus(void **state)
{
	struct ps_store *ps = NULL;
	struct ps_key k;
	struct tpm_key key;
	size_t blen;
	uint8_t *blob = make_blob(0x66, false, &blen);

	assert_int_equal(ps_open_image(NULL, 0, &ps), 0);
	assert_int_equal(ps_store_srk(ps, blob, blen), TSS_SUCCESS);
	assert_int_equal(ps_get_key(ps, &ps_srk_uuid, &k), TSS_SUCCESS);
	assert_true(ps_uuid_equal(&k.parent_uuid, &ps_null_uuid));
	assert_int_equal(k.flags, PS_FLAG_VALID | PS_FLAG_PARENT_PS_SYSTEM);
	assert_int_equal(k.blob_len, blen);
	assert_int_equal(tpm_key_decode(k.blob, k.blob_len, &key), 0);
	for (uint32_t i = 0; i < key.pub_key.key_len; i++)
		assert_int_equal(key.pub_key.key[i], 0);
	tpm_key_free(&key);
	ps_key_free(&k);
	/* A second ownership replaces the entry. */
	assert_int_equal(ps_store_srk(ps, blob, blen), TSS_SUCCESS);
	assert_int_equal(ps_count(ps), 1);
	assert_int_equal(ps_store_srk(ps, blob, 10), TCS_ERROR(TSS_E_BAD_PARAMETER));
	assert_int_equal(ps_count(ps), 1);
	ps_close(ps);
	free(blob);
}

static void srk_file_matches_trousers(void **state)
{
	/* TrouSerS' SRK entry, re-made from its own blob, is byte-identical. */
	size_t len, out_len;
	uint8_t *img = read_whole(FIXTURE, &len), *out = NULL;
	struct ps_store *ps = NULL;

	assert_int_equal(ps_open_image(NULL, 0, &ps), 0);
	assert_int_equal(ps_store_srk(ps, img + 5 + 42 + 256, 303), TSS_SUCCESS);
	assert_int_equal(ps_serialize(ps, &out, &out_len), 0);
	assert_int_equal(out_len, 606);
	assert_int_equal(out[1], 1);
	assert_memory_equal(out + 5, img + 5, 601);
	free(out);
	ps_close(ps);
	free(img);
}

static void cycles_end(void **state)
{
	/* Two keys that name each other as parent: the chain stops. */
	struct ps_store *ps = NULL;
	struct ps_key *list = NULL;
	size_t blen, n = 0;
	uint8_t *blob = make_blob(0x77, true, &blen);

	assert_int_equal(ps_open_image(NULL, 0, &ps), 0);
	assert_int_equal(ps_register(ps, &key_uuid[1], &key_uuid[2], blob, blen, NULL, 0),
			 TSS_SUCCESS);
	assert_int_equal(ps_register(ps, &key_uuid[2], &key_uuid[1], blob, blen, NULL, 0),
			 TSS_SUCCESS);
	assert_int_equal(ps_register(ps, &key_uuid[3], &key_uuid[3], blob, blen, NULL, 0),
			 TSS_SUCCESS);
	assert_int_equal(ps_enumerate(ps, &key_uuid[1], &list, &n), TSS_SUCCESS);
	assert_int_equal(n, 3);
	ps_key_list_free(list, n);
	assert_int_equal(ps_enumerate(ps, &key_uuid[3], &list, &n), TSS_SUCCESS);
	assert_int_equal(n, 1);
	ps_key_list_free(list, n);
	ps_close(ps);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trousers_file_parses),
		cmocka_unit_test(trousers_file_round_trips),
		cmocka_unit_test(invalid_entries_are_skipped_and_dropped),
		cmocka_unit_test(empty_and_tiny_files),
		cmocka_unit_test(every_truncation_is_refused),
		cmocka_unit_test(bad_headers_and_sizes),
		cmocka_unit_test(random_corruption_never_crashes),
		cmocka_unit_test(register_unregister_on_disk),
		cmocka_unit_test(second_writer_is_locked_out),
		cmocka_unit_test(symlink_is_never_followed),
		cmocka_unit_test(not_a_regular_file_or_relative),
		cmocka_unit_test(failed_write_changes_nothing),
		cmocka_unit_test(srk_is_stored_without_its_modulus),
		cmocka_unit_test(srk_file_matches_trousers),
		cmocka_unit_test(cycles_end),
	};

	log_init("test_ps", LOG_SINK_NONE, LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
