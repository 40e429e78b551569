/*
 * The TCS event log (see evlog.h). One growing array of events per PCR,
 * under one mutex; readers take copies-by-reference while holding it and
 * the reply is built before it is released, so an event is never freed
 * under a reader (events are only freed at shutdown).
 *
 * Wire forms are TrouSerS' (src/tcs/rpc/tcstp/rpc_evlog.c), semantics
 * its TCS_*_Internal functions (src/tcs/tcsi_evlog.c).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <tss/tcs_error.h>
#include <tss/tss_error.h>

#include "evlog.h"
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

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pcr_log logs[EVLOG_MAX_PCRS];
static UINT32 n_pcrs = EVLOG_DEFAULT_PCRS;
static uint32_t blocked_pcrs;
static size_t total_events, total_bytes;

static void event_free(TSS_PCR_EVENT *ev)
{
	free(ev->rgbPcrValue);
	free(ev->rgbEvent);
	memset(ev, 0, sizeof(*ev));
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

TSS_RESULT evlog_init(const struct tcsd_config *conf)
{
	/* The TPM's PCR count is known once tcsd_tpm_probe() has run. */
	return evlog_setup(tcsd_tpm_metrics()->num_pcrs, conf->firmware_pcrs | conf->kernel_pcrs);
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

TSS_RESULT evlog_add(const TSS_PCR_EVENT *ev, UINT32 *number)
{
	struct pcr_log *l;
	TSS_PCR_EVENT copy;
	size_t bytes = (size_t)ev->ulPcrValueLength + ev->ulEventLength;
	TSS_RESULT rc = TSS_SUCCESS;

	*number = 0;
	memset(&copy, 0, sizeof(copy));
	if ((ev->ulPcrValueLength && ev->rgbPcrValue == NULL) ||
	    (ev->ulEventLength && ev->rgbEvent == NULL))
		return TCS_ERROR(TSS_E_BAD_PARAMETER);
	pthread_mutex_lock(&ev_lock);
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
	if (total_events >= EVLOG_MAX_EVENTS || bytes > EVLOG_MAX_BYTES - total_bytes) {
		log_warn("event log full (%zu events, %zu bytes); refusing more", total_events,
			 total_bytes);
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	l = &logs[ev->ulPcrIndex];
	if (l->count == l->cap) {
		UINT32 n = l->cap ? l->cap * 2 : 16;
		TSS_PCR_EVENT *p = realloc(l->events, (size_t)n * sizeof(*p));

		if (p == NULL) {
			rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
			goto out;
		}
		l->events = p;
		l->cap = n;
	}
	copy = *ev;
	copy.rgbPcrValue = NULL;
	copy.rgbEvent = NULL;
	if (ev->ulPcrValueLength &&
	    (copy.rgbPcrValue = malloc(ev->ulPcrValueLength)) == NULL)
		goto nomem;
	if (ev->ulEventLength && (copy.rgbEvent = malloc(ev->ulEventLength)) == NULL)
		goto nomem;
	if (ev->ulPcrValueLength)
		memcpy(copy.rgbPcrValue, ev->rgbPcrValue, ev->ulPcrValueLength);
	if (ev->ulEventLength)
		memcpy(copy.rgbEvent, ev->rgbEvent, ev->ulEventLength);
	*number = l->count;
	l->events[l->count++] = copy;
	total_events++;
	total_bytes += bytes;
	goto out;
nomem:
	event_free(&copy);
	rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
out:
	pthread_mutex_unlock(&ev_lock);
	return rc;
}

TSS_RESULT evlog_count(UINT32 pcr, UINT32 *count)
{
	TSS_RESULT rc = TSS_SUCCESS;

	*count = 0;
	pthread_mutex_lock(&ev_lock);
	if (pcr >= n_pcrs)
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
	else
		*count = logs[pcr].count;
	pthread_mutex_unlock(&ev_lock);
	return rc;
}

/* ---- TCS functions ---- */

static bool read_ok(struct tcsd_client *cl, struct tcsd_packet_reader *in, TSS_RESULT *rc)
{
	int err = tcsd_reader_done(in);

	if (err == 0)
		return true;
	*rc = tcsd_bad_request(cl, in, err);
	return false;
}

/* LogPcrEvent: ctx, PCR_EVENT -> UINT32 number. */
static TSS_RESULT tcs_log_pcr_event(struct tcsd_client *cl, struct tcsd_packet_reader *in,
				    struct tcsd_packet_writer *out)
{
	TSS_PCR_EVENT ev;
	UINT32 number = 0;
	TSS_RESULT rc;

	memset(&ev, 0, sizeof(ev));
	tcsd_get_pcr_event(in, 1, &ev, TCSD_PCR_VALUE_MAX, TCSD_EVENT_DATA_MAX);
	if (!read_ok(cl, in, &rc)) {
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
	TSS_RESULT rc = TSS_SUCCESS;

	tcsd_get_u32(in, 1, &pcr);
	tcsd_get_u32(in, 2, &number);
	tcsd_get_u8(in, 3, &length_only);
	if (!read_ok(cl, in, &rc))
		return rc;
	pthread_mutex_lock(&ev_lock);
	if (pcr >= n_pcrs) {
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
	} else if (length_only) {
		tcsd_writer_init_reply(out, 1);
		tcsd_put_u32(out, 0, logs[pcr].count);
	} else if (number >= logs[pcr].count) {
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
	} else {
		tcsd_writer_init_reply(out, 2);
		tcsd_put_u32(out, 0, number);
		tcsd_put_pcr_event(out, 1, &logs[pcr].events[number]);
	}
	pthread_mutex_unlock(&ev_lock);
	return rc;
}

/* Appends events [first, first + n) of pcr to out from slot *idx. Lock held. */
static void put_events_locked(struct tcsd_packet_writer *out, uint32_t *idx, UINT32 pcr,
			      UINT32 first, UINT32 n)
{
	for (UINT32 i = 0; i < n; i++)
		tcsd_put_pcr_event(out, (*idx)++, &logs[pcr].events[first + i]);
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
	uint32_t idx = 1;
	TSS_RESULT rc = TSS_SUCCESS;

	tcsd_get_u32(in, 1, &pcr);
	tcsd_get_u32(in, 2, &first);
	tcsd_get_u32(in, 3, &count);
	if (!read_ok(cl, in, &rc))
		return rc;
	pthread_mutex_lock(&ev_lock);
	if (pcr >= n_pcrs) {
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	}
	if (count == 0) {
		n = 0;
	} else if (first > logs[pcr].count) {
		rc = TCS_ERROR(TSS_E_BAD_PARAMETER);
		goto out;
	} else {
		n = logs[pcr].count - first;
		if (count < n)
			n = count;
	}
	if (tcsd_writer_init_reply(out, n + 1) != 0) {
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	tcsd_put_u32(out, 0, n);
	put_events_locked(out, &idx, pcr, first, n);
	if (tcsd_writer_error(out) != 0)
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
out:
	pthread_mutex_unlock(&ev_lock);
	return rc;
}

/* GetPcrEventLog: ctx -> UINT32 n, n x PCR_EVENT: every PCR's events, PCR 0 first. */
static TSS_RESULT tcs_get_pcr_event_log(struct tcsd_client *cl, struct tcsd_packet_reader *in,
					struct tcsd_packet_writer *out)
{
	UINT32 n = 0;
	uint32_t idx = 1;
	TSS_RESULT rc = TSS_SUCCESS;

	if (!read_ok(cl, in, &rc))
		return rc;
	pthread_mutex_lock(&ev_lock);
	for (UINT32 p = 0; p < n_pcrs; p++)
		n += logs[p].count;
	if (tcsd_writer_init_reply(out, n + 1) != 0) {
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	tcsd_put_u32(out, 0, n);
	for (UINT32 p = 0; p < n_pcrs; p++)
		put_events_locked(out, &idx, p, 0, logs[p].count);
	/* Larger than a reply may be (TCSD_MAX_PACKET): say so rather than truncate. */
	if (tcsd_writer_error(out) != 0)
		rc = TCS_ERROR(TSS_E_OUTOFMEMORY);
out:
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
