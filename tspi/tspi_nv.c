/*
 * libtspi: NV storage objects and Tspi_NV_*.
 */
#include "config.h"

#include "tss/tspi.h"
