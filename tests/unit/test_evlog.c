/*
 * Unit tests for ima/ (libima): the IMA measurement lists and the TPM 1.2
 * firmware log captured from a real Linux guest (tests/fixtures/ima,
 * capture.sh), replayed to the PCR values the guest's kernel read from
 * its TPM; boot_aggregate; byte orders; every corrupted copy of
 * tests/fixtures/ima/corrupt (EXPECTED names the record and offset the
 * error must give); every truncation; and tcsd's own log file format.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "crypto.h"
#include "ima_log.h"

#define FIXTURES SRCDIR "/../fixtures/ima"

static uint8_t *fixture(const char *name, size_t *len)
{
	char path[512];
	uint8_t *p = NULL;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	if (ima_read_file(path, IMA_FILE_MAX, &p, len) != 0)
		fail_msg("cannot read %s", path);
	return p;
}

struct capture {
	struct ima_log *bin, *ascii;
	struct biosl_log *bios;
	uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN];	/* what the guest's TPM held */
};

static void capture_load(const char *run, struct capture *c)
{
	char name[128];
	struct ima_error err;
	uint32_t present;
	uint8_t *d;
	size_t n;

	memset(c, 0, sizeof(*c));
	snprintf(name, sizeof(name), "%s.binary_runtime_measurements", run);
	d = fixture(name, &n);
	assert_int_equal(ima_log_parse_binary(d, n, IMA_ORDER_AUTO, 0, &c->bin, &err), 0);
	assert_int_equal(c->bin->order, IMA_ORDER_LE);
	free(d);
	snprintf(name, sizeof(name), "%s.ascii_runtime_measurements", run);
	d = fixture(name, &n);
	assert_int_equal(ima_log_parse_ascii((char *)d, n, 0, &c->ascii, &err), 0);
	free(d);
	snprintf(name, sizeof(name), "%s.binary_bios_measurements", run);
	d = fixture(name, &n);
	assert_int_equal(biosl_parse(d, n, &c->bios, &err), 0);
	free(d);
	snprintf(name, sizeof(name), "%s.pcrs", run);
	d = fixture(name, &n);
	assert_int_equal(ima_parse_sysfs_pcrs((char *)d, n, c->pcrs, &present, &err), 0);
	assert_int_equal(present, 0xffffffu);
	free(d);
}

static void capture_free(struct capture *c)
{
	ima_log_free(c->bin);
	ima_log_free(c->ascii);
	biosl_log_free(c->bios);
}

/* Replays of both lists and the firmware log equal the real PCRs; boot_aggregate agrees. */
static void check_replay(const char *run)
{
	uint8_t ima[IMA_NUM_PCRS][IMA_SHA1_LEN], ascii[IMA_NUM_PCRS][IMA_SHA1_LEN];
	uint8_t fw[IMA_NUM_PCRS][IMA_SHA1_LEN], agg[IMA_SHA1_LEN], agg_fw[IMA_SHA1_LEN];
	uint32_t touched = 0, fw_touched = 0;
	struct capture c;

	capture_load(run, &c);
	assert_true(c.bin->count >= 5);
	assert_int_equal(ima_log_replay(c.bin, ima, &touched), 0);
	assert_int_equal(touched, 1u << 10);
	assert_memory_equal(ima[10], c.pcrs[10], IMA_SHA1_LEN);
	assert_int_equal(ima_log_replay(c.ascii, ascii, NULL), 0);
	assert_memory_equal(ascii[10], c.pcrs[10], IMA_SHA1_LEN);

	assert_int_equal(biosl_replay(c.bios, fw, &fw_touched), 0);
	assert_int_equal(fw_touched, 0xffu);
	assert_memory_equal(fw, c.pcrs, 8 * IMA_SHA1_LEN);

	/* boot_aggregate: the first entry, from the TPM's PCRs and from the firmware log. */
	assert_string_equal(c.bin->events[0].file_name, "boot_aggregate");
	assert_int_equal(c.bin->events[0].file_digest_len, IMA_SHA1_LEN);
	assert_int_equal(ima_boot_aggregate(c.pcrs, agg), 0);
	assert_int_equal(ima_boot_aggregate(fw, agg_fw), 0);
	assert_memory_equal(agg, agg_fw, IMA_SHA1_LEN);
	assert_memory_equal(agg, c.bin->events[0].file_digest, IMA_SHA1_LEN);

	/* The ASCII list is the same list. */
	assert_int_equal(c.ascii->count, c.bin->count);
	for (size_t i = 0; i < c.bin->count; i++) {
		const struct ima_event *b = &c.bin->events[i], *a = &c.ascii->events[i];

		assert_int_equal(a->pcr, b->pcr);
		assert_memory_equal(a->template_digest, b->template_digest, IMA_SHA1_LEN);
		assert_string_equal(a->template_name, b->template_name);
		assert_string_equal(a->file_name, b->file_name);
		assert_string_equal(a->hash_algo, b->hash_algo);
		assert_int_equal(a->template_data_len, b->template_data_len);
		assert_memory_equal(a->template_data, b->template_data, b->template_data_len);
		assert_int_equal(a->violation, b->violation);
	}
	capture_free(&c);
}

static void native_replays_to_tpm(void **state)
{
	(void)state;
	check_replay("native");
}

static void canonical_replays_to_tpm(void **state)
{
	(void)state;
	check_replay("canonical");
}

/* What the captures hold: every template, a violation, a renamed space. */
static void templates_decoded(void **state)
{
	static const char *const want[] = { "ima", "ima-ng", "ima-sig", "ima-buf", "ima-modsig" };
	unsigned seen = 0, violations = 0;
	bool spaces = false, key = false;
	struct capture c[2];

	(void)state;
	capture_load("native", &c[0]);
	capture_load("canonical", &c[1]);
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < c[k].bin->count; i++) {
			const struct ima_event *ev = &c[k].bin->events[i];
			const struct ima_field *f;

			for (unsigned t = 0; t < 5; t++)
				if (strcmp(ev->template_name, want[t]) == 0)
					seen |= 1u << t;
			assert_int_equal(ev->pcr, 10);
			assert_non_null(ev->file_name);
			if (ev->violation) {
				/* Logged as zeros: template digest and file digest. */
				violations++;
				for (uint32_t b = 0; b < ev->file_digest_len; b++)
					assert_int_equal(ev->file_digest[b], 0);
				continue;
			}
			if (strcmp(ev->file_name, "/tmp/a_file") == 0)
				spaces = true;
			if (strcmp(ev->template_name, "ima-buf") == 0 &&
			    strcmp(ev->file_name, ".builtin_trusted_keys") == 0) {
				/* The measured key is an X.509 certificate (DER SEQUENCE). */
				f = ima_event_field(ev, "buf");
				assert_non_null(f);
				assert_true(f->len > 100);
				assert_int_equal(f->data[0], 0x30);
				key = true;
			}
			if (strcmp(ev->template_name, "ima-modsig") == 0) {
				assert_int_equal(ev->num_fields, 5);
				assert_int_equal(ima_event_field(ev, "modsig")->len, 0);
			}
			if (k == 1 && strcmp(ev->template_name, "ima") != 0) {
				/* ima_hash=sha256 in the canonical run. */
				if (strcmp(ev->file_name, "boot_aggregate") == 0)
					assert_string_equal(ev->hash_algo, "sha1");
				else
					assert_string_equal(ev->hash_algo, "sha256");
			}
		}
	}
	assert_int_equal(seen, 0x1fu);
	assert_int_equal(violations, 2);
	assert_true(spaces);
	assert_true(key);
	capture_free(&c[0]);
	capture_free(&c[1]);
}

/* A big-endian kernel's list: written, detected, read back, written back. */
static void byte_orders_round_trip(void **state)
{
	struct ima_log *le = NULL, *be = NULL, *be_forced = NULL;
	struct buf_writer w, w2;
	struct ima_error err;
	uint8_t *d;
	size_t n;

	(void)state;
	d = fixture("native.binary_runtime_measurements", &n);
	assert_int_equal(ima_log_parse_binary(d, n, IMA_ORDER_LE, 0, &le, &err), 0);
	buf_writer_init_dynamic(&w, IMA_FILE_MAX);
	assert_int_equal(ima_log_write_binary(le, IMA_ORDER_BE, &w), 0);
	assert_int_equal(buf_writer_len(&w), n);
	assert_int_equal(ima_log_parse_binary(w.data, buf_writer_len(&w), IMA_ORDER_AUTO, 0, &be,
					      &err), 0);
	assert_int_equal(be->order, IMA_ORDER_BE);
	assert_int_equal(be->count, le->count);
	for (size_t i = 0; i < le->count; i++) {
		assert_string_equal(be->events[i].file_name, le->events[i].file_name);
		assert_int_equal(be->events[i].file_digest_len, le->events[i].file_digest_len);
		assert_memory_equal(be->events[i].file_digest, le->events[i].file_digest,
				    le->events[i].file_digest_len);
	}
	/* The wrong order named explicitly fails at the first record. */
	assert_true(ima_log_parse_binary(w.data, buf_writer_len(&w), IMA_ORDER_LE, 0, &be_forced,
					 &err) < 0);
	assert_null(be_forced);
	assert_int_equal(err.record, 0);
	assert_int_equal(err.offset, 0);
	buf_writer_init_dynamic(&w2, IMA_FILE_MAX);
	assert_int_equal(ima_log_write_binary(be, IMA_ORDER_LE, &w2), 0);
	assert_int_equal(buf_writer_len(&w2), n);
	assert_memory_equal(w2.data, d, n);
	/* LE written as LE is the captured file, byte for byte. */
	buf_writer_free(&w2);
	buf_writer_init_dynamic(&w2, IMA_FILE_MAX);
	assert_int_equal(ima_log_write_binary(le, IMA_ORDER_LE, &w2), 0);
	assert_memory_equal(w2.data, d, n);
	assert_int_equal(ima_log_write_binary(le, IMA_ORDER_AUTO, &w2), -EINVAL);
	buf_writer_free(&w);
	buf_writer_free(&w2);
	ima_log_free(le);
	ima_log_free(be);
	free(d);
}

static int parse_any(const char *parser, const uint8_t *d, size_t n, struct ima_error *err)
{
	int rc;

	if (strcmp(parser, "ima_bin") == 0) {
		struct ima_log *l = NULL;

		rc = ima_log_parse_binary(d, n, IMA_ORDER_AUTO, 0, &l, err);
		assert_true(rc == 0 ? l != NULL : l == NULL);
		ima_log_free(l);
	} else if (strcmp(parser, "ima_ascii") == 0) {
		struct ima_log *l = NULL;

		rc = ima_log_parse_ascii((const char *)d, n, 0, &l, err);
		assert_true(rc == 0 ? l != NULL : l == NULL);
		ima_log_free(l);
	} else {
		struct biosl_log *l = NULL;

		assert_string_equal(parser, "bios");
		rc = biosl_parse(d, n, &l, err);
		assert_true(rc == 0 ? l != NULL : l == NULL);
		biosl_log_free(l);
	}
	return rc;
}

/* Every corrupted copy fails, naming the record and the offset EXPECTED gives. */
static void corrupt_files_name_their_offset(void **state)
{
	char line[256], file[128], parser[32], path[200], want[64];
	size_t record, offset, n;
	unsigned count = 0;
	FILE *f;

	(void)state;
	f = fopen(FIXTURES "/corrupt/EXPECTED", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		struct ima_error err;
		uint8_t *d;
		int rc;

		assert_int_equal(sscanf(line, "%127s %31s %zu %zu", file, parser, &record, &offset),
				 4);
		snprintf(path, sizeof(path), "corrupt/%s", file);
		d = fixture(path, &n);
		rc = parse_any(parser, d, n, &err);
		if (rc >= 0 || err.record != record || err.offset != offset)
			fail_msg("%s: rc %d, error \"%s\"; want record %zu offset %zu", file, rc,
				 err.msg, record, offset);
		assert_int_equal(err.code, rc);
		snprintf(want, sizeof(want), "at offset %zu:", offset);
		assert_non_null(strstr(err.msg, want));
		print_message("%-32s %s\n", file, err.msg);
		free(d);
		count++;
	}
	fclose(f);
	assert_true(count >= 25);
}

/* Every prefix of every log: no crash; errors point inside the input. */
static void every_truncation(void **state)
{
	static const struct {
		const char *file, *parser;
	} logs[] = {
		{ "native.binary_runtime_measurements", "ima_bin" },
		{ "canonical.binary_runtime_measurements", "ima_bin" },
		{ "native.ascii_runtime_measurements", "ima_ascii" },
		{ "native.binary_bios_measurements", "bios" },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(logs) / sizeof(logs[0]); k++) {
		size_t n, ok = 0;
		uint8_t *d = fixture(logs[k].file, &n);

		for (size_t cut = 0; cut < n; cut++) {
			struct ima_error err;
			uint8_t *copy = malloc(cut + 1);	/* exact size: ASan sees overreads */

			assert_non_null(copy);
			memcpy(copy, d, cut);
			if (parse_any(logs[k].parser, copy, cut, &err) == 0)
				ok++;
			else
				assert_true(err.offset <= cut);
			free(copy);
		}
		/* Only record boundaries parse: as many as the log has records, plus 0. */
		assert_true(ok >= 2 && ok <= 20);
		free(d);
	}
}

/* Hand-built records: the field kinds the captures do not have. */
static void put_field(struct buf_writer *w, const void *p, uint32_t n)
{
	buf_put_u32_le(w, n);
	buf_put_bytes(w, p, n);
}

static int one_record(const char *tpl, const struct buf_writer *td, bool good_digest,
		      struct ima_log **out, struct ima_error *err)
{
	struct buf_writer w;
	uint8_t digest[IMA_SHA1_LEN] = { 1 };
	int rc;

	if (good_digest)
		assert_int_equal(crypto_sha1(td->data, buf_writer_len(td), digest), 0);
	buf_writer_init_dynamic(&w, 1 << 16);
	buf_put_u32_le(&w, 11);
	buf_put_bytes(&w, digest, sizeof(digest));
	buf_put_u32_le(&w, (uint32_t)strlen(tpl));
	buf_put_bytes(&w, tpl, strlen(tpl));
	buf_put_u32_le(&w, (uint32_t)buf_writer_len(td));
	buf_put_bytes(&w, td->data, buf_writer_len(td));
	assert_int_equal(buf_writer_error(&w), 0);
	rc = ima_log_parse_binary(w.data, buf_writer_len(&w), IMA_ORDER_AUTO, 0, out, err);
	buf_writer_free(&w);
	return rc;
}

static void synthetic_templates(void **state)
{
	static const uint8_t d256[] = "sha256:\0"
				      "0123456789abcdef0123456789abcdef";
	static const uint8_t d1[] = "sha1:\0"
				    "0123456789abcdef0123";
	static const uint8_t v2[] = "ima:sha256:\0"
				    "0123456789abcdef0123456789abcdef";
	static const uint8_t uid[4] = { 0xe8, 0x03, 0, 0 };
	struct buf_writer td;
	struct ima_error err;
	struct ima_log *log = NULL;

	(void)state;
	/* ima-modsig with an appended-signature digest and signature. */
	buf_writer_init_dynamic(&td, 4096);
	put_field(&td, d256, sizeof(d256) - 1);
	put_field(&td, "/lib/modules/x.ko", 18);
	put_field(&td, NULL, 0);
	put_field(&td, d1, sizeof(d1) - 1);
	put_field(&td, "\x30\x82\x01\x00", 4);
	assert_int_equal(one_record("ima-modsig", &td, true, &log, &err), 0);
	assert_int_equal(log->events[0].pcr, 11);
	assert_string_equal(log->events[0].hash_algo, "sha256");
	assert_int_equal(ima_event_field(&log->events[0], "d-modsig")->len, sizeof(d1) - 1);
	assert_int_equal(ima_event_field(&log->events[0], "modsig")->len, 4);
	ima_log_free(log);
	/* The same with a bad template digest: refused unless verification is off. */
	assert_int_equal(one_record("ima-modsig", &td, false, &log, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "template digest"));
	buf_writer_free(&td);

	/* A custom template (ima_template_fmt=): d-ngv2, n-ng, iuid. */
	buf_writer_init_dynamic(&td, 4096);
	put_field(&td, v2, sizeof(v2) - 1);
	put_field(&td, "/bin/true", 10);
	put_field(&td, uid, sizeof(uid));
	assert_int_equal(one_record("d-ngv2|n-ng|iuid", &td, true, &log, &err), 0);
	assert_string_equal(log->events[0].hash_algo, "sha256");
	assert_string_equal(log->events[0].file_name, "/bin/true");
	ima_log_free(log);
	/* Unknown field ids and too many fields are unknown templates. */
	assert_int_equal(one_record("d-ng|n-ng|bogus", &td, true, &log, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "unknown template"));
	assert_int_equal(one_record("n|n|n|n|n|n|n|n|n|n|n|n|n|n|n|n|n", &td, true, &log, &err),
			 -EBADMSG);
	buf_writer_free(&td);

	/* Fields missing, left over, unknown algorithm, a 3-byte integer. */
	buf_writer_init_dynamic(&td, 4096);
	put_field(&td, d256, sizeof(d256) - 1);
	assert_int_equal(one_record("ima-ng", &td, true, &log, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "before field 1"));
	put_field(&td, "/x", 3);
	put_field(&td, "/y", 3);
	assert_int_equal(one_record("ima-ng", &td, true, &log, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "after the last field"));
	buf_writer_free(&td);
	buf_writer_init_dynamic(&td, 4096);
	put_field(&td, "sha999:\0abcd", 12);
	put_field(&td, "/x", 3);
	assert_int_equal(one_record("ima-ng", &td, true, &log, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "unknown hash algorithm 'sha999'"));
	buf_writer_free(&td);
	buf_writer_init_dynamic(&td, 4096);
	put_field(&td, d1, sizeof(d1) - 1);
	put_field(&td, "/x", 3);
	put_field(&td, "abc", 3);
	assert_int_equal(one_record("d-ng|n-ng|imode", &td, true, &log, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "integer length 3"));
	buf_writer_free(&td);
	/* An empty d-ng, and one without its "algo:" prefix. */
	buf_writer_init_dynamic(&td, 4096);
	put_field(&td, NULL, 0);
	put_field(&td, "/x", 3);
	assert_int_equal(one_record("ima-ng", &td, true, &log, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "empty"));
	buf_writer_free(&td);
	buf_writer_init_dynamic(&td, 4096);
	put_field(&td, "0123456789abcdef0123", 20);
	put_field(&td, "/x", 3);
	assert_int_equal(one_record("ima-ng", &td, true, &log, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "prefix"));
	buf_writer_free(&td);
	/* A template-data length above the cap is refused before any allocation. */
	{
		uint8_t rec[64] = { 10 };
		size_t at = 4 + IMA_SHA1_LEN;

		rec[at] = 6;
		memcpy(rec + at + 4, "ima-ng", 6);
		memset(rec + at + 10, 0xff, 4);
		assert_int_equal(ima_log_parse_binary(rec, at + 14, IMA_ORDER_LE, 0, &log, &err),
				 -E2BIG);
		assert_int_equal(err.offset, at + 10);
	}
	/* Empty input: an empty log. */
	assert_int_equal(ima_log_parse_binary(NULL, 0, IMA_ORDER_AUTO, 0, &log, &err), 0);
	assert_int_equal(log->count, 0);
	ima_log_free(log);
}

static void ascii_synthetic(void **state)
{
	static const char good[] = "10 0000000000000000000000000000000000000000 ima-ng "
				   "sha1:0000000000000000000000000000000000000000 /v\n";
	static const char extra[] = "10 0000000000000000000000000000000000000000 ima-ng "
				    "sha1:0000000000000000000000000000000000000000 /v more\n";
	static const char nopcr[] = "xx 0000000000000000000000000000000000000000 ima-ng a b\n";
	struct ima_log *log = NULL;
	struct ima_error err;

	(void)state;
	/* A violation (all-zero template digest) is not verified, and replays as 0xFF. */
	assert_int_equal(ima_log_parse_ascii(good, strlen(good), 0, &log, &err), 0);
	assert_true(log->events[0].violation);
	{
		uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN], want[IMA_SHA1_LEN], ff[IMA_SHA1_LEN];

		memset(ff, 0xff, sizeof(ff));
		assert_int_equal(ima_log_replay(log, pcrs, NULL), 0);
		assert_int_equal(CRYPTO_SHA1_PIECES(want, { pcrs[0], IMA_SHA1_LEN },
						    { ff, IMA_SHA1_LEN }), 0);
		assert_memory_equal(pcrs[10], want, IMA_SHA1_LEN);
	}
	ima_log_free(log);
	assert_int_equal(ima_log_parse_ascii(extra, strlen(extra), 0, &log, &err), -EBADMSG);
	assert_int_equal(err.offset, strlen(extra) - 6);
	assert_int_equal(ima_log_parse_ascii(nopcr, strlen(nopcr), 0, &log, &err), -EBADMSG);
	assert_int_equal(err.offset, 0);
	assert_int_equal(ima_log_parse_ascii("", 0, 0, &log, &err), 0);
	ima_log_free(log);
}

static void bios_event_names(void **state)
{
	struct biosl_log *log = NULL;
	struct ima_error err;
	struct buf_writer w;
	uint8_t *d, *padded;
	size_t n;

	(void)state;
	assert_string_equal(biosl_event_type_name(4), "EV_SEPARATOR");
	assert_string_equal(biosl_event_type_name(0x80000002), "EV_EFI_VARIABLE_BOOT");
	assert_string_equal(biosl_event_type_name(0xd), "EV_IPL");
	assert_null(biosl_event_type_name(0x1234));
	d = fixture("native.binary_bios_measurements", &n);
	assert_int_equal(biosl_parse(d, n, &log, &err), 0);
	assert_int_equal(log->count, 13);
	/* SeaBIOS: option-ROM scan and INT 19h actions, then a separator per PCR 0-7. */
	assert_string_equal(biosl_event_type_name(log->events[1].type), "EV_ACTION");
	assert_int_equal(log->events[1].data_len, 21);
	assert_memory_equal(log->events[1].data, "Start Option ROM Scan", 21);
	for (size_t i = 5; i < 13; i++) {
		assert_int_equal(log->events[i].type, 4);
		assert_int_equal(log->events[i].pcr, i - 5);
	}
	buf_writer_init_dynamic(&w, 1 << 20);
	assert_int_equal(biosl_write(log, &w), 0);
	assert_int_equal(buf_writer_len(&w), n);
	assert_memory_equal(w.data, d, n);
	buf_writer_free(&w);
	biosl_log_free(log);
	/* The zero-filled rest of an ACPI log area is not a record. */
	padded = calloc(1, n + 100);
	assert_non_null(padded);
	memcpy(padded, d, n);
	assert_int_equal(biosl_parse(padded, n + 100, &log, &err), 0);
	assert_int_equal(log->count, 13);
	biosl_log_free(log);
	free(padded);
	free(d);
}

static void sysfs_pcrs_errors(void **state)
{
	uint8_t pcrs[IMA_NUM_PCRS][IMA_SHA1_LEN];
	struct ima_error err;
	uint32_t present;
	static const char bad_hex[] = "PCR-00: 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF "
				      "00 11 22 3Z\n";

	(void)state;
	assert_int_equal(ima_parse_sysfs_pcrs("PCR-24: 00\n", 11, pcrs, &present, &err), -EBADMSG);
	assert_int_equal(ima_parse_sysfs_pcrs("PCR-0", 5, pcrs, &present, &err), -EBADMSG);
	assert_int_equal(ima_parse_sysfs_pcrs(bad_hex, strlen(bad_hex), pcrs, &present, &err),
			 -EBADMSG);
	assert_int_equal(err.offset, strlen(bad_hex) - 3);
}

/* tcsd's own log: records round-trip; a torn or altered tail is cut at the last good record. */
static void tsslog_records(void **state)
{
	static const uint8_t value[20] = { 1, 2, 3 }, version[4] = { 1, 2, 0, 0 };
	struct buf_writer w;
	struct ima_error err;
	struct tsslog *log = NULL;
	size_t good, ends[4], n;

	(void)state;
	buf_writer_init_dynamic(&w, 1 << 20);
	tsslog_put_header(&w);
	ends[0] = buf_writer_len(&w);
	for (uint32_t i = 0; i < 3; i++) {
		tsslog_put_record(&w, 9 + i, 0xd, version, value, sizeof(value),
				  (const uint8_t *)"event", i * 2);
		ends[i + 1] = buf_writer_len(&w);
	}
	assert_int_equal(buf_writer_error(&w), 0);
	n = buf_writer_len(&w);
	assert_int_equal(tsslog_parse(w.data, n, &log, &good, &err), 0);
	assert_int_equal(log->count, 3);
	assert_int_equal(good, n);
	assert_int_equal(log->events[2].pcr, 11);
	assert_int_equal(log->events[2].event_len, 4);
	assert_memory_equal(log->events[2].event, "even", 4);
	assert_memory_equal(log->events[1].value, value, sizeof(value));
	assert_memory_equal(log->events[1].version, version, 4);
	tsslog_free(log);
	/* Every torn write: the good prefix survives. */
	for (size_t cut = ends[0]; cut < n; cut++) {
		size_t whole = 0;

		while (whole < 3 && ends[whole + 1] <= cut)
			whole++;
		if (tsslog_parse(w.data, cut, &log, &good, &err) == 0)
			assert_int_equal(cut, ends[whole]);
		else
			assert_int_equal(err.offset >= ends[whole], true);
		assert_non_null(log);
		assert_int_equal(log->count, whole);
		assert_int_equal(good, ends[whole]);
		tsslog_free(log);
	}
	/* A flipped bit in record 1: records 0 survives, the error names record 1. */
	w.data[ends[1] + 9] ^= 1;
	assert_int_equal(tsslog_parse(w.data, n, &log, &good, &err), -EBADMSG);
	assert_int_equal(log->count, 1);
	assert_int_equal(good, ends[1]);
	assert_int_equal(err.record, 1);
	assert_non_null(strstr(err.msg, "checksum"));
	tsslog_free(log);
	/* A size above the cap, and a foreign file. */
	memset(w.data + ends[1], 0xff, 4);
	assert_int_equal(tsslog_parse(w.data, n, &log, &good, &err), -E2BIG);
	assert_int_equal(err.offset, ends[1]);
	tsslog_free(log);
	assert_int_equal(tsslog_parse((const uint8_t *)"TSS12EVX\0\0\0\1", 12, &log, &good, &err),
			 -EBADMSG);
	assert_null(log);
	/* Oversized values are refused by the writer. */
	tsslog_put_record(&w, 0, 0, version, value, TSSLOG_VALUE_MAX + 1, NULL, 0);
	assert_int_equal(buf_writer_error(&w), -E2BIG);
	buf_writer_free(&w);
	assert_int_equal(tsslog_parse(NULL, 0, &log, &good, &err), 0);
	assert_int_equal(log->count, 0);
	tsslog_free(log);
}

static void read_file_caps(void **state)
{
	uint8_t *d;
	size_t n;

	(void)state;
	assert_int_equal(ima_read_file(FIXTURES "/native.pcrs", 100, &d, &n), -EFBIG);
	assert_null(d);
	assert_int_equal(ima_read_file(FIXTURES "/does-not-exist", 100, &d, &n), -ENOENT);
	assert_int_equal(ima_read_file(FIXTURES "/native.pcrs", IMA_FILE_MAX, &d, &n), 0);
	assert_int_equal(n, 24 * 69);	/* "PCR-NN:" + 20 x " XX" + " \n" */
	assert_int_equal(d[n], 0);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(native_replays_to_tpm),
		cmocka_unit_test(canonical_replays_to_tpm),
		cmocka_unit_test(templates_decoded),
		cmocka_unit_test(byte_orders_round_trip),
		cmocka_unit_test(corrupt_files_name_their_offset),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(synthetic_templates),
		cmocka_unit_test(ascii_synthetic),
		cmocka_unit_test(bios_event_names),
		cmocka_unit_test(sysfs_pcrs_errors),
		cmocka_unit_test(tsslog_records),
		cmocka_unit_test(read_file_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
