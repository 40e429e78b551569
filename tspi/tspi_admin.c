/*
 * libtspi: administration: operator auth, DA lock reset, DIR, auditing, self-test certification.
 */
#include "config.h"

#include "tss/tspi.h"
