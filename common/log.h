/*
 * Logging shared by every tss12 component. Messages go to stderr unless
 * a program chooses syslog (daemons) or silences them (libraries embedded
 * in applications). Secrets are never passed to these functions.
 */
#ifndef TSS12_LOG_H
#define TSS12_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

enum log_sink {
	LOG_SINK_STDERR,
	LOG_SINK_SYSLOG,
	LOG_SINK_NONE,
};

/* Program name prefixed to stderr lines and used as the syslog ident. */
void log_init(const char *ident, enum log_sink sink, enum log_level max_level);
void log_set_level(enum log_level max_level);
enum log_level log_get_level(void);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif /* TSS12_LOG_H */
