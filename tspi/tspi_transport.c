/*
 * libtspi: transport sessions.
 */
#include "config.h"

#include "tss/tspi.h"
