/*
 * TCS area: NV storage (TPM 1.2 Part 3 §20).
 */
#include "config.h"

#include "tcsd.h"

const struct tcsd_handler tcs_nv_handlers[] = {
	{ 0, NULL },
};
