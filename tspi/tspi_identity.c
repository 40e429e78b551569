/*
 * libtspi: identities: Tspi_TPM_CollateIdentityRequest, Tspi_TPM_ActivateIdentity.
 */
#include "config.h"

#include "tss/tspi.h"
