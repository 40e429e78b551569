/*
 * TCS area: transport sessions (Part 3 §24).
 */
#include "config.h"

#include "tcsd.h"

const struct tcsd_handler tcs_transport_handlers[] = {
	{ 0, NULL },
};
