/* Logging: one sink per process, chosen by the program at start-up. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <syslog.h>

#include "log.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *log_ident = "tss12";
static enum log_sink log_sink = LOG_SINK_STDERR;
static enum log_level log_max = LOG_LVL_WARN;

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARN] = "warning",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

static const int syslog_priorities[] = {
	[LOG_LVL_ERROR] = LOG_ERR,
	[LOG_LVL_WARN] = LOG_WARNING,
	[LOG_LVL_INFO] = LOG_INFO,
	[LOG_LVL_DEBUG] = LOG_DEBUG,
};

void log_init(const char *ident, enum log_sink sink, enum log_level max_level)
{
	pthread_mutex_lock(&log_lock);
	if (ident != NULL)
		log_ident = ident;
	log_sink = sink;
	log_max = max_level;
	if (sink == LOG_SINK_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	pthread_mutex_unlock(&log_lock);
}

void log_set_level(enum log_level max_level)
{
	pthread_mutex_lock(&log_lock);
	log_max = max_level;
	pthread_mutex_unlock(&log_lock);
}

enum log_level log_get_level(void)
{
	enum log_level level;

	pthread_mutex_lock(&log_lock);
	level = log_max;
	pthread_mutex_unlock(&log_lock);
	return level;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	if (level < LOG_LVL_ERROR || level > LOG_LVL_DEBUG)
		level = LOG_LVL_ERROR;

	pthread_mutex_lock(&log_lock);
	if (level <= log_max) {
		switch (log_sink) {
		case LOG_SINK_STDERR:
			fprintf(stderr, "%s: %s: ", log_ident, level_names[level]);
			vfprintf(stderr, fmt, ap);
			fputc('\n', stderr);
			break;
		case LOG_SINK_SYSLOG:
			vsyslog(syslog_priorities[level], fmt, ap);
			break;
		case LOG_SINK_NONE:
		default:
			break;
		}
	}
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
