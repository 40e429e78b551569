/*
 * TCS area: identities: MakeIdentity, ActivateIdentity, credentials (Part 3 §15).
 */
#include "config.h"

#include "tcsd.h"

const struct tcsd_handler tcs_identity_handlers[] = {
	{ 0, NULL },
};
