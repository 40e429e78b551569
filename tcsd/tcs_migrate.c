/*
 * TCS area: migration, certified migration, key control, revocable EK (Part 3 §11, §14).
 */
#include "config.h"

#include "tcsd.h"

const struct tcsd_handler tcs_migrate_handlers[] = {
	{ 0, NULL },
};
