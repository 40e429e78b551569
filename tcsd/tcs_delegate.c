/*
 * TCS area: delegation: families, tables, DSAP (Part 3 §19).
 */
#include "config.h"

#include "tcsd.h"

const struct tcsd_handler tcs_delegate_handlers[] = {
	{ 0, NULL },
};
