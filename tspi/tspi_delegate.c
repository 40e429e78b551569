/*
 * libtspi: delegation families and Tspi_TPM_Delegate_*.
 */
#include "config.h"

#include "tss/tspi.h"
