/*
 * The daemon half of tspi_kit.h. Apart from tspi_kit.c because it calls
 * no Tspi_* function: wire-level tests that do not link libtspi use it too.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tspi_kit.h"

void kit_daemon_up(struct test_tcsd *t, const char *default_kind)
{
	char ups[PATH_MAX + 32];

	if (default_kind != NULL)
		setenv("TSS12_TEST_TCSD", default_kind, 0);
	memset(t, 0, sizeof(*t));
	test_tcsd_start_or_skip(t);
	test_tcsd_setenv(t);
	snprintf(ups, sizeof(ups), "%s/user.data", t->dir);
	setenv("TSS_USER_PS_FILE", ups, 1);
	printf("daemon: %s\n", test_tcsd_name(t));
}

int kit_daemon_down(struct test_tcsd *t)
{
	if (checks_failed() != 0)
		test_tcsd_dump_log(t);
	test_tcsd_stop(t);
	return checks_finish();
}
