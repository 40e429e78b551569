/*
 * TCS area: monotonic counters and ticks (Part 3 §23, §25).
 */
#include "config.h"

#include "tcsd.h"

const struct tcsd_handler tcs_counter_handlers[] = {
	{ 0, NULL },
};
