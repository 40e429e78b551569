/*
 * User persistent storage (tspi/userps.c): TrouSerS' user.data format,
 * parsing of hostile files, atomic updates, locking between processes.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <tss/tss_defines.h>
#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>

#include "buf.h"
#include "tpm_structs.h"
#include "userps.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/tss12-userps-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/user.data", dir);
	setenv("TSS_USER_PS_FILE", path, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static TSS_UUID uuid_n(uint8_t n)
{
	TSS_UUID u = { 0x01020304, 0x0506, 0x0708, 0x09, 0x0a, { 1, 2, 3, 4, 5, n } };

	return u;
}

/* A well-formed TPM_KEY with a modulus of modulus_len bytes filled with seed. */
static uint8_t *make_key_blob(uint8_t seed, size_t *len)
{
	struct tpm_key k;
	uint8_t mod[256], enc[256], *out = NULL;

	memset(&k, 0, sizeof(k));
	memset(mod, seed, sizeof(mod));
	memset(enc, seed ^ 0xff, sizeof(enc));
	k.ver.major = 1;
	k.ver.minor = 1;
	k.key_usage = 0x0011;
	k.auth_data_usage = 1;
	k.algorithm_parms.algorithm_id = 1;
	k.algorithm_parms.enc_scheme = 3;
	k.algorithm_parms.sig_scheme = 1;
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

/* The bytes TrouSerS writes for one key: little-endian sizes, host-order UUIDs. */
static size_t trousers_image(uint8_t *out, size_t cap, const uint8_t *blob, size_t blob_len,
			     uint16_t flags)
{
	struct buf_writer w;
	uint8_t pub[256];

	memset(pub, 0x42, sizeof(pub));
	buf_writer_init_fixed(&w, out, cap);
	buf_put_u8(&w, 1);
	buf_put_u32_le(&w, 1);
	/* uuid 04030201-0605-0807-090a-010203040507 as a little-endian struct */
	buf_put_bytes(&w, "\x04\x03\x02\x01\x06\x05\x08\x07\x09\x0a\x01\x02\x03\x04\x05\x07", 16);
	buf_put_bytes(&w, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16); /* parent: the SRK */
	buf_put_u16_le(&w, sizeof(pub));
	buf_put_u16_le(&w, (uint16_t)blob_len);
	buf_put_u32_le(&w, 0);
	buf_put_u16_le(&w, flags);
	buf_put_bytes(&w, pub, sizeof(pub));
	buf_put_bytes(&w, blob, blob_len);
	assert_int_equal(buf_writer_error(&w), 0);
	return buf_writer_len(&w);
}

static void test_trousers_bytes(void **state)
{
	uint8_t img[2048], *blob, *again = NULL;
	size_t blob_len, n, again_len = 0;
	struct userps_list l;
	TSS_UUID want = uuid_n(7), srk = TSS_UUID_SRK;

	blob = make_key_blob(0x42, &blob_len);
	n = trousers_image(img, sizeof(img), blob, blob_len, USERPS_FLAG_PARENT_PS_SYSTEM);
	assert_int_equal(userps_parse(img, n, &l), TSS_SUCCESS);
	assert_int_equal(l.count, 1);
	assert_non_null(userps_find(&l, &want));
	assert_memory_equal(&l.entries[0].parent_uuid, &srk, sizeof(srk));
	assert_int_equal(l.entries[0].parent_ps_type, TSS_PS_TYPE_SYSTEM);
	assert_int_equal(l.entries[0].blob_len, blob_len);
	assert_memory_equal(l.entries[0].blob, blob, blob_len);
	/* Writing it back gives TrouSerS' bytes exactly. */
	assert_int_equal(userps_serialise(&l, &again, &again_len), TSS_SUCCESS);
	assert_int_equal(again_len, n);
	assert_memory_equal(again, img, n);
	free(again);
	userps_list_free(&l);
	free(blob);
}

static void test_parse_hostile(void **state)
{
	uint8_t img[2048], *blob;
	size_t blob_len, n, cut;
	struct userps_list l;

	blob = make_key_blob(1, &blob_len);
	n = trousers_image(img, sizeof(img), blob, blob_len, 0);

	/* Empty file: an empty registry (TrouSerS creates it that way). */
	assert_int_equal(userps_parse(img, 0, &l), TSS_SUCCESS);
	assert_int_equal(l.count, 0);

	/* Every truncation fails cleanly. */
	for (cut = 1; cut < n; cut++)
		assert_int_not_equal(userps_parse(img, cut, &l), TSS_SUCCESS);

	/* Wrong version. */
	img[0] = 2;
	assert_int_not_equal(userps_parse(img, n, &l), TSS_SUCCESS);
	img[0] = 1;

	/* A key count no file of this size can hold: refused before allocating. */
	img[1] = img[2] = img[3] = img[4] = 0xff;
	assert_int_not_equal(userps_parse(img, n, &l), TSS_SUCCESS);
	img[1] = 1;
	img[2] = img[3] = img[4] = 0;

	/* pub_data_size above the cap (offset 5 + 32). */
	img[37] = 0x01;
	img[38] = 0x10;
	assert_int_not_equal(userps_parse(img, n, &l), TSS_SUCCESS);
	img[37] = 0x00;
	img[38] = 0x01;

	/* blob_size 0 (offset 39). */
	img[39] = img[40] = 0;
	assert_int_not_equal(userps_parse(img, n, &l), TSS_SUCCESS);

	free(blob);
}

static void test_register_get_unregister(void **state)
{
	TSS_UUID a = uuid_n(1), b = uuid_n(2), c = uuid_n(3), parent = TSS_UUID_SRK, p2;
	uint8_t *ba, *bb, *got = NULL;
	size_t la, lb, got_len = 0;
	UINT32 pst = 0;
	struct stat st;
	struct userps_list l;

	ba = make_key_blob(0xa1, &la);
	bb = make_key_blob(0xb2, &lb);
	assert_int_equal(userps_register(&a, &parent, TSS_PS_TYPE_SYSTEM, ba, la), TSS_SUCCESS);
	assert_int_equal(userps_register(&b, &a, TSS_PS_TYPE_USER, bb, lb), TSS_SUCCESS);
	assert_int_equal(userps_register(&a, &parent, TSS_PS_TYPE_SYSTEM, ba, la),
			 TSP_ERROR(TSS_E_KEY_ALREADY_REGISTERED));
	/* A blob that is not a key, a bad parent type. */
	assert_int_equal(userps_register(&c, &parent, TSS_PS_TYPE_SYSTEM, (uint8_t *)"junk", 4),
			 TSP_ERROR(TSS_E_BAD_PARAMETER));
	assert_int_equal(userps_register(&c, &parent, 7, ba, la), TSP_ERROR(TSS_E_BAD_PARAMETER));

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(userps_get(&b, &got, &got_len, &p2, &pst), TSS_SUCCESS);
	assert_int_equal(got_len, lb);
	assert_memory_equal(got, bb, lb);
	assert_memory_equal(&p2, &a, sizeof(a));
	assert_int_equal(pst, TSS_PS_TYPE_USER);
	free(got);
	assert_int_equal(userps_get(&c, &got, &got_len, NULL, NULL),
			 TSP_ERROR(TSS_E_PS_KEY_NOTFOUND));
	assert_null(got);

	/* Found by public key (the modulus). */
	assert_int_equal(userps_load(&l), TSS_SUCCESS);
	{
		uint8_t mod[256];

		memset(mod, 0xb2, sizeof(mod));
		assert_non_null(userps_find_pub(&l, mod, sizeof(mod)));
		mod[0] ^= 1;
		assert_null(userps_find_pub(&l, mod, sizeof(mod)));
	}
	userps_list_free(&l);

	assert_int_equal(userps_unregister(&a), TSS_SUCCESS);
	assert_int_equal(userps_unregister(&a), TSP_ERROR(TSS_E_PS_KEY_NOTFOUND));
	assert_int_equal(userps_load(&l), TSS_SUCCESS);
	assert_int_equal(l.count, 1);
	assert_memory_equal(&l.entries[0].uuid, &b, sizeof(b));
	userps_list_free(&l);
	assert_int_equal(userps_unregister(&b), TSS_SUCCESS);
	/* An emptied registry keeps its header: version 1, no keys. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 5);
	free(ba);
	free(bb);
}

static void test_symlink_refused(void **state)
{
	char target[160];
	TSS_UUID a = uuid_n(9), parent = TSS_UUID_SRK;
	uint8_t *ba;
	size_t la;

	unlink(path);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	assert_int_equal(symlink(target, path), 0);
	ba = make_key_blob(9, &la);
	assert_int_equal(userps_register(&a, &parent, TSS_PS_TYPE_SYSTEM, ba, la),
			 TSP_ERROR(TSS_E_INTERNAL_ERROR));
	assert_int_not_equal(access(target, F_OK), 0);
	unlink(path);
	free(ba);
}

/* Four processes register ten keys each at once: all forty survive. */
static void test_concurrent_writers(void **state)
{
	struct userps_list l;
	pid_t pids[4];
	int i, st;

	unlink(path);
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			TSS_UUID parent = TSS_UUID_SRK;
			int j, bad = 0;

			for (j = 0; j < 10; j++) {
				TSS_UUID u = uuid_n((uint8_t)(i * 10 + j + 20));
				size_t len;
				uint8_t *b = make_key_blob((uint8_t)(i * 10 + j), &len);

				if (userps_register(&u, &parent, TSS_PS_TYPE_SYSTEM, b, len) !=
				    TSS_SUCCESS)
					bad = 1;
				free(b);
			}
			_exit(bad);
		}
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(userps_load(&l), TSS_SUCCESS);
	assert_int_equal(l.count, 40);
	userps_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trousers_bytes),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test_setup_teardown(test_register_get_unregister, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
