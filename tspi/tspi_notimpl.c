/*
 * The rest of TrouSerS' Tspi_* surface that tss12 does not implement yet
 * (issue 4: NV storage, migration and CMK, identities, delegation,
 * maintenance, audit, counters, ticks, DIR registers, the revocable EK).
 *
 * They exist so that binaries linked against TrouSerS' libtspi with
 * BIND_NOW (every Debian tpm-tools binary imports Tspi_NV_* through its
 * shared helper code) load against ours, and answer TSS_E_NOTIMPL. Each
 * is weak: a module that implements the function for real simply
 * defines it, and the linker takes that one.
 */
#include "config.h"

#include "tss/tspi.h"

#define NOTIMPL __attribute__((weak)) TSS_RESULT

NOTIMPL Tspi_TPM_CheckMaintenancePubKey(TSS_HTPM hTPM, TSS_HKEY hMaintenanceKey,
	TSS_VALIDATION *pValidationData)
{
	return TSP_ERROR(TSS_E_NOTIMPL);
}

NOTIMPL Tspi_TPM_CreateMaintenanceArchive(TSS_HTPM hTPM, TSS_BOOL fGenerateRndNumber,
	UINT32 *pulRndNumberLength, BYTE **prgbRndNumber, UINT32 *pulArchiveDataLength,
	BYTE **prgbArchiveData)
{
	return TSP_ERROR(TSS_E_NOTIMPL);
}

NOTIMPL Tspi_TPM_KillMaintenanceFeature(TSS_HTPM hTPM)
{
	return TSP_ERROR(TSS_E_NOTIMPL);
}

NOTIMPL Tspi_TPM_LoadMaintenancePubKey(TSS_HTPM hTPM, TSS_HKEY hMaintenanceKey,
	TSS_VALIDATION *pValidationData)
{
	return TSP_ERROR(TSS_E_NOTIMPL);
}

NOTIMPL Tspi_TPM_Quote(TSS_HTPM hTPM, TSS_HKEY hIdentKey, TSS_HPCRS hPcrComposite,
	TSS_VALIDATION *pValidationData)
{
	return TSP_ERROR(TSS_E_NOTIMPL);
}

NOTIMPL Tspi_TPM_Quote2(TSS_HTPM hTPM, TSS_HKEY hIdentKey, TSS_BOOL fAddVersion,
	TSS_HPCRS hPcrComposite, TSS_VALIDATION *pValidationData, UINT32 *versionInfoSize,
	BYTE **versionInfo)
{
	return TSP_ERROR(TSS_E_NOTIMPL);
}

