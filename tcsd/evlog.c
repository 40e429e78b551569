/*
 * The TCS event log (see evlog.h). Application events: one growing array
 * per PCR, under one mutex, mirrored by an append-only file (libima's
 * tsslog format: checksummed records, one write() and fdatasync() each,
 * a torn tail cut off when the file is loaded). Firmware and kernel
 * events: parsed with libima from the kernel's files on every request.
 * Replies are built while ev_lock is held, so nothing they point to is
 * freed under them.
 *
 * Wire forms are TrouSerS' (src/tcs/rpc/tcstp/rpc_evlog.c), semantics
 * its TCS_*_Internal functions (src/tcs/tcsi_evlog.c, tcs_evlog_biosem.c,
 * tcs_evlog_imaem.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tss/tcs_error.h>
#include <tss/tss_error.h>

#include "buf.h"
#include "evlog.h"
#include "ima_log.h"
#include "log.h"
#include "tcsd.h"
#include "tcsd_ordinals.h"

#define EVLOG_DEFAULT_PCRS 24
#define EVLOG_MAX_PCRS 32

struct pcr_log {
	TSS_PCR_EVENT *events;
	UINT32 count;
	UINT32 cap;
};

/* A kernel file: opened once as root, re-read per request. */
struct ext_source {
	const char *what;		/* "firmware" / "kernel" */
	char *path;
	int fd;				/* -1: no such log, served as empty */
	uint32_t pcrs;			/* the PCRs it owns */
};

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pcr_log logs[EVLOG_MAX_PCRS];
static UINT32 n_pcrs = EVLOG_DEFAULT_PCRS;
static uint32_t blocked_pcrs;
static size_t total_events, total_bytes;
static struct ext_source firmware = { "firmware", NULL, -1, 0 };
static struct ext_source kernel = { "kernel", NULL, -1, 0 };
/* The application log file: its path, and its descriptor once loaded. */
static char *app_path;
static int app_fd = -1;
static bool app_loaded;

static void event_free(TSS_PCR_EVENT *ev)
{
	free(ev->rgbPcrValue);
	free(ev->rgbEvent);
	memset(ev, 0, sizeof(*ev));
}

static void ext_close(struct ext_source *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	s->path = NULL;
	s->fd = -1;
	s->pcrs = 0;
}

static void drop_all_locked(void)
{
	for (UINT32 p = 0; p < EVLOG_MAX_PCRS; p++) {
		for (UINT32 i = 0; i < logs[p].count; i++)
			event_free(&logs[p].events[i]);
		free(logs[p].events);
		memset(&logs[p], 0, sizeof(logs[p]));
	}
	total_events = total_bytes = 0;
	ext_close(&firmware);
	ext_close(&kernel);
	if (app_fd >= 0)
		close(app_fd);
	app_fd = -1;
	free(app_path);
	app_path = NULL;
	app_loaded = false;
}

TSS_RESULT evlog_setup(UINT32 num_pcrs, uint32_t blocked)
{
	pthread_mutex_lock(&ev_lock);
	drop_all_locked();
	n_pcrs = num_pcrs == 0 ? EVLOG_DEFAULT_PCRS : num_pcrs;
	if (n_pcrs > EVLOG_MAX_PCRS)
		n_pcrs = EVLOG_MAX_PCRS;
	blocked_pcrs = blocked;
	pthread_mutex_unlock(&ev_lock);
	return TSS_SUCCESS;
}

/* Opens a kernel log now, while tcsd is still root. */
static TSS_RESULT ext_open(struct ext_source *s, const char *path, uint32_t pcrs)
{
	s->pcrs = pcrs;
	if (pcrs == 0 || path == NULL)
		return TSS_SUCCESS;
	if ((s->path = strdup(path)) == NULL)
		return TCS_ERROR(TSS_E_OUTOFMEMORY);
	s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (s->fd < 0)
		log_info("no %s event log: %s: %s; its PCRs have no events", s->what, path,
			 strerror(errno));
	return TSS_SUCCESS;
}

/* The application log lives next to system.data. */
static char *app_log_path(const char *ps_file)
{
	const char *slash = ps_file != NULL ? strrchr(ps_file, '/') : NULL;
	size_t dir = slash != NULL ? (size_t)(slash - ps_file) : 0;
	size_t n = dir + 1 + sizeof(EVLOG_FILE_NAME);
	char *p;

	if (slash == NULL || (p = malloc(n)) == NULL)
		return NULL;
	snprintf(p, n, "%.*s/%s", (int)dir, ps_file, EVLOG_FILE_NAME);
	return p;
}

TSS_RESULT evlog_init(const struct tcsd_config *conf)
{
	TSS_RESULT rc;

	/* The TPM's PCR count is known once tcsd_tpm_probe() has run. */
	if ((rc = evlog_setup(tcsd_tpm_metrics()->num_pcrs,
			      conf->firmware_pcrs | conf->kernel_pcrs)) != TSS_SUCCESS)
		return rc;
	pthread_mutex_lock(&ev_lock);
	rc = ext_open(&firmware, conf->firmware_log_file, conf->firmware_pcrs);
	if (rc == TSS_SUCCESS)
		rc = ext_open(&kernel, conf->kernel_log_file, conf->kernel_pcrs);
	if (rc == TSS_SUCCESS && conf->system_ps_file != NULL &&
	    (app_path = app_log_path(conf->system_ps_file)) == NULL)
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
	pthread_mutex_unlock(&ev_lock);
	return rc;
}

void evlog_shutdown(void)
{
	pthread_mutex_lock(&ev_lock);
	drop_all_locked();
	pthread_mutex_unlock(&ev_lock);
}

static bool blocked(UINT32 pcr)
{
	return pcr < 32 && (blocked_pcrs & (1u << pcr)) != 0;
}

/* Adds a copy of ev to memory. Lock held; ev already checked. */
static TSS_RESULT add_locked(const TSS_PCR_EVENT *ev, UINT32 *number)
{
	struct pcr_log *l = &logs[ev->ulPcrIndex];
	TSS_PCR_EVENT copy = *ev;

	if (l->count == l->cap) {
		UINT32 n = l->cap ? l->cap * 2 : 16;
		TSS_PCR_EVENT *p = realloc(l->events, (size_t)n * sizeof(*p));

		if (p == NULL)
			return TCS_ERROR(TSS_E_OUTOFMEMORY);
		l->events = p;
		l->cap = n;
	}
	copy.rgbPcrValue = NULL;
	copy.rgbEvent = NULL;
	if ((ev->ulPcrValueLength && (copy.rgbPcrValue = malloc(ev->ulPcrValueLength)) == NULL) ||
	    (ev->ulEventLength && (copy.rgbEvent = malloc(ev->ulEventLength)) == NULL)) {
		event_free(&copy);
		return TCS_ERROR(TSS_E_OUTOFMEMORY);
	}
	if (ev->ulPcrValueLength)
		memcpy(copy.rgbPcrValue, ev->rgbPcrValue, ev->ulPcrValueLength);
	if (ev->ulEventLength)
		memcpy(copy.rgbEvent, ev->rgbEvent, ev->ulEventLength);
	*number = l->count;
	l->events[l->count++] = copy;
	total_events++;
	total_bytes += (size_t)ev->ulPcrValueLength + ev->ulEventLength;
	return TSS_SUCCESS;
}

static bool fits_locked(const TSS_PCR_EVENT *ev)
{
	size_t bytes = (size_t)ev->ulPcrValueLength + ev->ulEventLength;

	return total_events < EVLOG_MAX_EVENTS && bytes <= EVLOG_MAX_BYTES - total_bytes;
}

/* Writes all of n bytes at the end of the file, then makes them durable. */
static int append_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return fdatasync(fd) != 0 ? -errno : 0;
}

/*
 * Loads the application log file on first use (as tss, after the
 * privilege drop). A torn or damaged tail is cut at the last good record;
 * a file that is not ours is left alone and events are kept in memory
 * only. Lock held.
 */
static void app_load_locked(void)
{
	struct tsslog *tl = NULL;
	struct ima_error err;
	struct stat st;
	uint8_t *data = NULL;
	size_t len = 0, good = 0;
	int fd, rc;

	if (app_loaded || app_path == NULL)
		return;
	app_loaded = true;
	fd = open(app_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0) {
		log_warn("event log %s: %s; application events are kept in memory only", app_path,
			 strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		log_warn("event log %s is not a regular file; events are kept in memory only",
			 app_path);
		goto fail;
	}
	rc = ima_read_fd(fd, TSSLOG_HEADER_LEN + (size_t)EVLOG_MAX_EVENTS * 48 + EVLOG_MAX_BYTES,
			 &data, &len);
	if (rc != 0) {
		log_warn("event log %s: cannot read: %s; events are kept in memory only", app_path,
			 strerror(-rc));
		goto fail;
	}
	rc = tsslog_parse(data, len, &tl, &good, &err);
	if (tl == NULL) {
		log_error("%s: %s; not an event log of tss12, left alone (events are kept in "
			  "memory only)", app_path, err.msg);
		goto fail;
	}
	if (rc != 0) {
		log_warn("%s: %s; cut to %zu bytes (%zu events kept)", app_path, err.msg, good,
			 tl->count);
		if (ftruncate(fd, (off_t)good) != 0) {
			log_error("%s: cannot cut the damaged tail: %s", app_path, strerror(errno));
			goto fail;
		}
	}
	for (size_t i = 0; i < tl->count; i++) {
		const struct tsslog_event *t = &tl->events[i];
		TSS_PCR_EVENT ev = {
			.versionInfo = { t->version[0], t->version[1], t->version[2], t->version[3] },
			.ulPcrIndex = t->pcr,
			.eventType = t->type,
			.ulPcrValueLength = t->value_len,
			.rgbPcrValue = t->value,
			.ulEventLength = t->event_len,
			.rgbEvent = t->event,
		};
		UINT32 number;

		/* Events of PCRs this TPM lacks, or beyond the caps, stay in the file only. */
		if (t->pcr >= n_pcrs || !fits_locked(&ev) || add_locked(&ev, &number) != 0)
			log_warn("%s: event %zu (PCR %u) not loaded", app_path, i, t->pcr);
	}
	if (len == 0 || good == 0) {
		struct buf_writer w;
		uint8_t hdr[TSSLOG_HEADER_LEN];

		buf_writer_init_fixed(&w, hdr, sizeof(hdr));
		tsslog_put_header(&w);
		if (append_all(fd, hdr, buf_writer_len(&w)) != 0) {
			log_error("%s: cannot write: %s", app_path, strerror(errno));
			goto fail;
		}
	}
	log_info("event log %s: %zu application events", app_path, tl->count);
	app_fd = fd;
	fd = -1;
fail:
	if (fd >= 0)
		close(fd);
	tsslog_free(tl);
	free(data);
}

/* Appends ev to the file. Lock held. */
static TSS_RESULT app_append_locked(const TSS_PCR_EVENT *ev)
{
	const uint8_t version[4] = { ev->versionInfo.bMajor, ev->versionInfo.bMinor,
				     ev->versionInfo.bRevMajor, ev->versionInfo.bRevMinor };
	struct buf_writer w;
	struct stat st;
	int rc;

	if (app_fd < 0)
		return TSS_SUCCESS;
	buf_writer_init_dynamic(&w, 64 + TSSLOG_VALUE_MAX + TSSLOG_EVENT_MAX);
	tsslog_put_record(&w, ev->ulPcrIndex, ev->eventType, version, ev->rgbPcrValue,
			  ev->ulPcrValueLength, ev->rgbEvent, ev->ulEventLength);
	rc = buf_writer_error(&w);
	if (rc == 0 && fstat(app_fd, &st) != 0)
		rc = -errno;
	if (rc == 0 && (rc = append_all(app_fd, w.data, buf_writer_len(&w))) != 0 &&
	    ftruncate(app_fd, st.st_size) != 0)
		log_warn("%s: cannot remove a partial record", app_path);
	buf_writer_free(&w);
	if (rc != 0) {
		log_error("event log %s: cannot append: %s", app_path, strerror(-rc));
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	return TSS_SUCCESS;
}

TSS_RESULT evlog_add(const TSS_PCR_EVENT *ev, UINT32 *number)
{
	TSS_RESULT rc;

	*number = 0;
	if ((ev->ulPcrValueLength && ev->rgbPcrValue == NULL) ||
	    (ev->ulEventLength && ev->rgbEvent == NULL))
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	if (ev->ulPcrValueLength > TSSLOG_VALUE_MAX || ev->ulEventLength > TSSLOG_EVENT_MAX)
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	pthread_mutex_lock(&ev_lock);
	app_load_locked();
	if (ev->ulPcrIndex >= n_pcrs) {
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if (blocked(ev->ulPcrIndex)) {
		log_info("PCR %u belongs to the firmware or the kernel; event logging denied",
			 ev->ulPcrIndex);
		rc = TCS_ERROR(TSS_E_FAIL);
		goto out;
	}
	if (!fits_locked(ev)) {
		log_warn("event log full (%zu events, %zu bytes); refusing more", total_events,
			 total_bytes);
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	/* The file first: an event the client saw accepted is on disk. */
	if ((rc = app_append_locked(ev)) != TSS_SUCCESS)
		goto out;
	rc = add_locked(ev, number);
out:
	pthread_mutex_unlock(&ev_lock);
	return rc;
}

/* ---- the events of one PCR, whatever their source ---- */

/*
 * The kernel logs as parsed for one request. Views point into them, so
 * they live until the reply is built.
 */
struct ext_logs {
	bool fw_read, ima_read;
	struct biosl_log *fw;
	struct ima_log *ima;
};

struct pcr_view {
	TSS_PCR_EVENT *events;		/* logs[pcr].events, or owned array */
	UINT32 count;
	bool owned;
};

static void ext_logs_free(struct ext_logs *x)
{
	biosl_log_free(x->fw);
	ima_log_free(x->ima);
	memset(x, 0, sizeof(*x));
}

static TSS_RESULT ext_read(struct ext_source *s, uint8_t **data, size_t *len)
{
	int rc = ima_read_fd(s->fd, IMA_FILE_MAX, data, len);

	if (rc != 0) {
		log_error("%s event log %s: %s", s->what, s->path, strerror(-rc));
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	return TSS_SUCCESS;
}

static TSS_RESULT ext_parse(struct ext_logs *x, bool want_fw)
{
	struct ima_error err;
	uint8_t *data = NULL;
	size_t len = 0;
	TSS_RESULT rc;
	int r;

	if (want_fw ? x->fw_read : x->ima_read)
		return TSS_SUCCESS;
	if ((rc = ext_read(want_fw ? &firmware : &kernel, &data, &len)) != TSS_SUCCESS)
		return rc;
	if (want_fw)
		r = biosl_parse(data, len, &x->fw, &err);
	else
		r = ima_log_parse_binary(data, len, IMA_ORDER_AUTO, IMA_PARSE_NO_VERIFY, &x->ima,
					 &err);
	free(data);
	if (r != 0) {
		log_error("%s event log %s: %s", want_fw ? "firmware" : "kernel",
			  want_fw ? firmware.path : kernel.path, err.msg);
		return TCS_ERROR(TSS_E_INTERNAL_ERROR);
	}
	if (want_fw)
		x->fw_read = true;
	else
		x->ima_read = true;
	return TSS_SUCCESS;
}

static void view_free(struct pcr_view *v)
{
	if (v->owned)
		free(v->events);
	memset(v, 0, sizeof(*v));
}

/* The events of pcr (< n_pcrs) from its source. Lock held. */
static TSS_RESULT view_get(UINT32 pcr, struct ext_logs *x, struct pcr_view *v)
{
	struct ext_source *s = NULL;
	size_t total, n = 0;
	TSS_RESULT rc;

	memset(v, 0, sizeof(*v));
	if (firmware.pcrs & (1u << pcr))
		s = &firmware;
	else if (kernel.pcrs & (1u << pcr))
		s = &kernel;
	if (s == NULL) {
		v->events = logs[pcr].events;
		v->count = logs[pcr].count;
		return TSS_SUCCESS;
	}
	if (s->fd < 0)
		return TSS_SUCCESS;
	if ((rc = ext_parse(x, s == &firmware)) != TSS_SUCCESS)
		return rc;
	total = s == &firmware ? x->fw->count : x->ima->count;
	if (total == 0)
		return TSS_SUCCESS;
	v->events = calloc(total, sizeof(*v->events));
	if (v->events == NULL)
		return TCS_ERROR(TSS_E_OUTOFMEMORY);
	v->owned = true;
	for (size_t i = 0; i < total; i++) {
		TSS_PCR_EVENT *e = &v->events[n];

		if (s == &firmware) {
			struct biosl_event *b = &x->fw->events[i];

			if (b->pcr != pcr)
				continue;
			e->eventType = b->type;
			e->ulPcrValueLength = IMA_SHA1_LEN;
			e->rgbPcrValue = b->digest;
			e->ulEventLength = b->data_len;
			e->rgbEvent = b->data;
		} else {
			struct ima_event *m = &x->ima->events[i];

			if (m->pcr != pcr)
				continue;
			e->ulPcrValueLength = IMA_SHA1_LEN;
			e->rgbPcrValue = m->template_digest;
			e->ulEventLength = (UINT32)strlen(m->file_name);
			e->rgbEvent = (BYTE *)m->file_name;
		}
		e->ulPcrIndex = pcr;
		n++;
	}
	v->count = (UINT32)n;
	return TSS_SUCCESS;
}

TSS_RESULT evlog_count(UINT32 pcr, UINT32 *count)
{
	struct ext_logs x = { 0 };
	struct pcr_view v;
	TSS_RESULT rc;

	*count = 0;
	pthread_mutex_lock(&ev_lock);
	app_load_locked();
	if (pcr >= n_pcrs) {
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
	} else if ((rc = view_get(pcr, &x, &v)) == TSS_SUCCESS) {
		*count = v.count;
		view_free(&v);
	}
	ext_logs_free(&x);
	pthread_mutex_unlock(&ev_lock);
	return rc;
}

/* ---- TCS functions ---- */

/* LogPcrEvent: ctx, PCR_EVENT -> UINT32 number. */
static TSS_RESULT tcs_log_pcr_event(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				    struct tcsd_packet_writer *out)
{
	TSS_PCR_EVENT ev;
	UINT32 number = 0;
	TSS_RESULT rc;

	memset(&ev, 0, sizeof(ev));
	tcsd_get_pcr_event(in, 1, &ev, TCSD_PCR_VALUE_MAX, TCSD_EVENT_DATA_MAX);
	if (!tcsd_request_ok(cl, in, &rc)) {
		tcsd_pcr_event_free(&ev);
		return rc;
	}
	rc = evlog_add(&ev, &number);
	tcsd_pcr_event_free(&ev);
	if (rc != TSS_SUCCESS)
		return rc;
	tcsd_writer_init_reply(out, 1);
	tcsd_put_u32(out, 0, number);
	return TSS_SUCCESS;
}

/*
 * GetPcrEvent: ctx, UINT32 pcr, UINT32 number, BYTE lengthOnly
 *   -> UINT32 number, [PCR_EVENT]. lengthOnly asks for the count.
 */
static TSS_RESULT tcs_get_pcr_event(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				    struct tcsd_packet_writer *out)
{
	UINT32 pcr = 0, number = 0;
	BYTE length_only = 0;
	struct ext_logs x = { 0 };
	struct pcr_view v = { 0 };
	TSS_RESULT rc = TSS_SUCCESS;

	tcsd_get_u32(in, 1, &pcr);
	tcsd_get_u32(in, 2, &number);
	tcsd_get_u8(in, 3, &length_only);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	pthread_mutex_lock(&ev_lock);
	app_load_locked();
	if (pcr >= n_pcrs) {
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
	} else if ((rc = view_get(pcr, &x, &v)) != TSS_SUCCESS) {
		/* logged by view_get */
	} else if (length_only) {
		tcsd_writer_init_reply(out, 1);
		tcsd_put_u32(out, 0, v.count);
	} else if (number >= v.count) {
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
	} else {
		tcsd_writer_init_reply(out, 2);
		tcsd_put_u32(out, 0, number);
		tcsd_put_pcr_event(out, 1, &v.events[number]);
		if (tcsd_writer_error(out) != 0)
			rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
	}
	view_free(&v);
	ext_logs_free(&x);
	pthread_mutex_unlock(&ev_lock);
	return rc;
}

/*
 * GetPcrEventsByPcr: ctx, UINT32 pcr, UINT32 first, UINT32 count
 *   -> UINT32 n, n x PCR_EVENT. Fewer than asked when the log is shorter;
 * a first event past the end is TSS_E_BAD_PARAMETER (TrouSerS).
 */
static TSS_RESULT tcs_get_pcr_events_by_pcr(struct tcsd_client *cl,
					    struct tcsd_packet_reader *in,
					    struct tcsd_packet_writer *out)
{
	UINT32 pcr = 0, first = 0, count = 0, n;
	struct ext_logs x = { 0 };
	struct pcr_view v = { 0 };
	TSS_RESULT rc = TSS_SUCCESS;

	tcsd_get_u32(in, 1, &pcr);
	tcsd_get_u32(in, 2, &first);
	tcsd_get_u32(in, 3, &count);
	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	pthread_mutex_lock(&ev_lock);
	app_load_locked();
	if (pcr >= n_pcrs) {
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if ((rc = view_get(pcr, &x, &v)) != TSS_SUCCESS)
		goto out;
	if (count == 0) {
		n = 0;
	} else if (first > v.count) {
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	} else {
		n = v.count - first;
		if (count < n)
			n = count;
	}
	if (tcsd_writer_init_reply(out, n + 1) != 0) {
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	tcsd_put_u32(out, 0, n);
	for (UINT32 i = 0; i < n; i++)
		tcsd_put_pcr_event(out, i + 1, &v.events[first + i]);
	if (tcsd_writer_error(out) != 0)
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
out:
	view_free(&v);
	ext_logs_free(&x);
	pthread_mutex_unlock(&ev_lock);
	return rc;
}

/* GetPcrEventLog: ctx -> UINT32 n, n x PCR_EVENT: every PCR's events, PCR 0 first. */
static TSS_RESULT tcs_get_pcr_event_log(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					struct tcsd_packet_writer *out)
{
	struct pcr_view v[EVLOG_MAX_PCRS];
	struct ext_logs x = { 0 };
	UINT32 n = 0, p;
	uint32_t idx = 1;
	TSS_RESULT rc = TSS_SUCCESS;

	if (!tcsd_request_ok(cl, in, &rc))
		return rc;
	memset(v, 0, sizeof(v));
	pthread_mutex_lock(&ev_lock);
	app_load_locked();
	for (p = 0; p < n_pcrs; p++) {
		if ((rc = view_get(p, &x, &v[p])) != TSS_SUCCESS)
			goto out;
		n += v[p].count;
	}
	if (tcsd_writer_init_reply(out, n + 1) != 0) {
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	tcsd_put_u32(out, 0, n);
	for (p = 0; p < n_pcrs; p++)
		for (UINT32 i = 0; i < v[p].count; i++)
			tcsd_put_pcr_event(out, idx++, &v[p].events[i]);
	/* Larger than a reply may be (TCSD_MAX_PACKET): say so rather than truncate. */
	if (tcsd_writer_error(out) != 0)
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
out:
	for (p = 0; p < EVLOG_MAX_PCRS; p++)
		view_free(&v[p]);
	ext_logs_free(&x);
	pthread_mutex_unlock(&ev_lock);
	return rc;
}

const struct tcsd_handler tcs_evlog_handlers[] = {
	{ TCSD_ORD_LOGPCREVENT, tcs_log_pcr_event },
	{ TCSD_ORD_GETPCREVENT, tcs_get_pcr_event },
	{ TCSD_ORD_GETPCREVENTBYPCR, tcs_get_pcr_events_by_pcr },
	{ TCSD_ORD_GETPCREVENTLOG, tcs_get_pcr_event_log },
	{ 0, NULL },
};
