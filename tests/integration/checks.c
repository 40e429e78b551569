/* The check counters of an integration test (checks.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "checks.h"

static int done, failed;

void check(int ok, const char *fmt, ...)
{
	va_list ap;

	done++;
	printf("%s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	/* Line by line even into a pipe: the last line shows where a crash hit. */
	fflush(stdout);
	if (!ok)
		failed++;
}

int checks_done(void)
{
	return done;
}

int checks_failed(void)
{
	return failed;
}

int checks_finish(void)
{
	printf("%d checks, %d failed\n", done, failed);
	return failed == 0 && done > 0 ? 0 : 1;
}
