/*
 * TCS area: administration: auditing, DIR, operator auth, DA lock, self-test certification.
 */
#include "config.h"

#include "tcsd.h"

const struct tcsd_handler tcs_audit_handlers[] = {
	{ 0, NULL },
};
