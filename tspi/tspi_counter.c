/*
 * libtspi: monotonic counters and ticks: Tspi_TPM_ReadCounter, Tspi_TPM_ReadCurrentTicks, Tspi_Hash_TickStampBlob.
 */
#include "config.h"

#include "tss/tspi.h"
