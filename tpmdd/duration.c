/*
 * Per-ordinal duration classes and the durations a TPM reports.
 */
#include "config.h"

#include <stddef.h>

#include <tss/platform.h>
#include <tss/tpm_ordinal.h>

#include "duration.h"
#include "log.h"

#define S TPMDD_DURATION_SHORT
#define M TPMDD_DURATION_MEDIUM
#define L TPMDD_DURATION_LONG

/*
 * TPM Main Part 2 §17 assigns every TPM_ORD_* a duration class. Stored
 * as class + 1 so that an ordinal the table leaves out reads as 0
 * ("unknown") rather than as SHORT. Protected ordinals all lie below
 * 0x100; the TSC_ ordinals (connection commands) have their own table.
 */
#define D(cls) ((unsigned char)((cls) + 1))

static const unsigned char ordinal_class[0x100] = {
	/* sessions and ownership */
	[TPM_ORD_OIAP]				= D(S),
	[TPM_ORD_OSAP]				= D(S),
	[TPM_ORD_DSAP]				= D(S),
	[TPM_ORD_ChangeAuth]			= D(M),
	[TPM_ORD_TakeOwnership]			= D(L),	/* SRK generation */
	[TPM_ORD_ChangeAuthAsymStart]		= D(L),	/* ephemeral key generation */
	[TPM_ORD_ChangeAuthAsymFinish]		= D(M),
	[TPM_ORD_ChangeAuthOwner]		= D(S),
	[TPM_ORD_OwnerClear]			= D(S),
	[TPM_ORD_ForceClear]			= D(S),
	[TPM_ORD_DisableOwnerClear]		= D(S),
	[TPM_ORD_DisableForceClear]		= D(S),
	[TPM_ORD_OwnerSetDisable]		= D(S),
	[TPM_ORD_PhysicalEnable]		= D(S),
	[TPM_ORD_PhysicalDisable]		= D(S),
	[TPM_ORD_SetOwnerInstall]		= D(S),
	[TPM_ORD_PhysicalSetDeactivated]	= D(S),
	[TPM_ORD_SetTempDeactivated]		= D(S),
	[TPM_ORD_SetOperatorAuth]		= D(S),
	[TPM_ORD_SetOwnerPointer]		= D(S),
	[TPM_ORD_ResetLockValue]		= D(S),

	/* migration and certified migration */
	[TPM_ORD_CMK_CreateTicket]		= D(M),
	[TPM_ORD_CMK_CreateKey]			= D(L),
	[TPM_ORD_CMK_CreateBlob]		= D(M),
	[TPM_ORD_CMK_SetRestrictions]		= D(S),
	[TPM_ORD_CMK_ApproveMA]			= D(S),
	[TPM_ORD_CMK_ConvertMigration]		= D(M),
	[TPM_ORD_MigrateKey]			= D(M),
	[TPM_ORD_CreateMigrationBlob]		= D(M),
	[TPM_ORD_ConvertMigrationBlob]		= D(M),
	[TPM_ORD_AuthorizeMigrationKey]		= D(S),

	/* PCRs, sealing, direct registers */
	[TPM_ORD_Extend]			= D(S),
	[TPM_ORD_PcrRead]			= D(S),
	[TPM_ORD_PCR_Reset]			= D(S),
	[TPM_ORD_Quote]				= D(M),
	[TPM_ORD_Quote2]			= D(M),
	[TPM_ORD_Seal]				= D(M),
	[TPM_ORD_Sealx]				= D(M),
	[TPM_ORD_Unseal]			= D(M),
	[TPM_ORD_DirWriteAuth]			= D(S),
	[TPM_ORD_DirRead]			= D(S),

	/* keys */
	[TPM_ORD_UnBind]			= D(M),
	[TPM_ORD_CreateWrapKey]			= D(L),	/* RSA key generation */
	[TPM_ORD_LoadKey]			= D(M),
	[TPM_ORD_LoadKey2]			= D(M),
	[TPM_ORD_GetPubKey]			= D(S),
	[TPM_ORD_EvictKey]			= D(S),
	[TPM_ORD_KeyControlOwner]		= D(S),
	[TPM_ORD_CertifyKey]			= D(M),
	[TPM_ORD_CertifyKey2]			= D(M),
	[TPM_ORD_Sign]				= D(M),
	[TPM_ORD_FlushSpecific]			= D(S),

	/* DAA */
	[TPM_ORD_DAA_Join]			= D(L),
	[TPM_ORD_DAA_Sign]			= D(L),

	/* maintenance */
	[TPM_ORD_CreateMaintenanceArchive]	= D(S),
	[TPM_ORD_LoadMaintenanceArchive]	= D(S),
	[TPM_ORD_KillMaintenanceFeature]	= D(S),
	[TPM_ORD_LoadManuMaintPub]		= D(S),
	[TPM_ORD_ReadManuMaintPub]		= D(S),

	/* capabilities, random numbers, self test */
	[TPM_ORD_SetCapability]			= D(S),
	[TPM_ORD_GetCapability]			= D(S),
	[TPM_ORD_GetCapabilityOwner]		= D(S),
	[TPM_ORD_GetCapabilitySigned]		= D(M),
	[TPM_ORD_GetRandom]			= D(S),
	[TPM_ORD_StirRandom]			= D(S),
	[TPM_ORD_SelfTestFull]			= D(L),
	[TPM_ORD_ContinueSelfTest]		= D(L),
	[TPM_ORD_CertifySelfTest]		= D(M),
	[TPM_ORD_GetTestResult]			= D(S),
	[TPM_ORD_Reset]				= D(S),

	/* endorsement key and identities */
	[TPM_ORD_CreateEndorsementKeyPair]	= D(L),
	[TPM_ORD_CreateRevocableEK]		= D(L),
	[TPM_ORD_RevokeTrust]			= D(S),
	[TPM_ORD_ReadPubek]			= D(S),
	[TPM_ORD_OwnerReadPubek]		= D(S),
	[TPM_ORD_DisablePubekRead]		= D(S),
	[TPM_ORD_OwnerReadInternalPub]		= D(S),
	[TPM_ORD_MakeIdentity]			= D(L),	/* AIK generation */
	[TPM_ORD_ActivateIdentity]		= D(M),

	/* auditing */
	[TPM_ORD_GetAuditEvent]			= D(S),
	[TPM_ORD_GetAuditEventSigned]		= D(M),
	[TPM_ORD_GetAuditDigest]		= D(S),
	[TPM_ORD_GetAuditDigestSigned]		= D(M),
	[TPM_ORD_GetOrdinalAuditStatus]		= D(S),
	[TPM_ORD_SetOrdinalAuditStatus]		= D(S),

	/* start-up, state, handles */
	[TPM_ORD_Terminate_Handle]		= D(S),
	[TPM_ORD_Init]				= D(M),
	[TPM_ORD_SaveState]			= D(M),
	[TPM_ORD_Startup]			= D(S),
	[TPM_ORD_SetRedirection]		= D(S),
	[TPM_ORD_FieldUpgrade]			= D(L),

	/* SHA-1 sessions */
	[TPM_ORD_SHA1Start]			= D(S),
	[TPM_ORD_SHA1Update]			= D(S),
	[TPM_ORD_SHA1Complete]			= D(S),
	[TPM_ORD_SHA1CompleteExtend]		= D(S),

	/* context save and load */
	[TPM_ORD_SaveKeyContext]		= D(M),
	[TPM_ORD_LoadKeyContext]		= D(S),
	[TPM_ORD_SaveAuthContext]		= D(M),
	[TPM_ORD_LoadAuthContext]		= D(M),
	[TPM_ORD_SaveContext]			= D(M),
	[TPM_ORD_LoadContext]			= D(M),

	/* NV storage */
	[TPM_ORD_NV_DefineSpace]		= D(S),
	[TPM_ORD_NV_WriteValue]			= D(S),
	[TPM_ORD_NV_WriteValueAuth]		= D(S),
	[TPM_ORD_NV_ReadValue]			= D(S),
	[TPM_ORD_NV_ReadValueAuth]		= D(S),

	/* delegation */
	[TPM_ORD_Delegate_UpdateVerification]	= D(S),
	[TPM_ORD_Delegate_Manage]		= D(M),
	[TPM_ORD_Delegate_CreateKeyDelegation]	= D(M),
	[TPM_ORD_Delegate_CreateOwnerDelegation] = D(M),
	[TPM_ORD_Delegate_VerifyDelegation]	= D(M),
	[TPM_ORD_Delegate_LoadOwnerDelegation]	= D(M),
	[TPM_ORD_Delegate_ReadTable]		= D(S),

	/* monotonic counters */
	[TPM_ORD_CreateCounter]			= D(S),
	[TPM_ORD_IncrementCounter]		= D(S),
	[TPM_ORD_ReadCounter]			= D(S),
	[TPM_ORD_ReleaseCounter]		= D(S),
	[TPM_ORD_ReleaseCounterOwner]		= D(S),

	/* transport sessions: the wrapped command may be a long one */
	[TPM_ORD_EstablishTransport]		= D(S),
	[TPM_ORD_ExecuteTransport]		= D(L),
	[TPM_ORD_ReleaseTransportSigned]	= D(M),

	/* ticks */
	[TPM_ORD_GetTicks]			= D(S),
	[TPM_ORD_TickStampBlob]			= D(M),
};

/* Connection commands (TPM Main Part 2 §17, TSC_ORD_*) are all short. */
static const uint32_t tsc_short_ordinals[] = {
	TSC_ORD_PhysicalPresence,
	TSC_ORD_ResetEstablishmentBit,
};

#undef S
#undef M
#undef L
#undef D

enum tpmdd_duration_class tpmdd_ordinal_class(uint32_t ordinal)
{
	size_t i;

	if (ordinal < sizeof(ordinal_class) && ordinal_class[ordinal] != 0)
		return (enum tpmdd_duration_class)(ordinal_class[ordinal] - 1);
	for (i = 0; i < sizeof(tsc_short_ordinals) / sizeof(tsc_short_ordinals[0]); i++)
		if (tsc_short_ordinals[i] == ordinal)
			return TPMDD_DURATION_SHORT;
	return TPMDD_DURATION_LONG;
}

void tpmdd_durations_default(struct tpmdd_durations *d)
{
	d->us[TPMDD_DURATION_SHORT] = TPMDD_DEFAULT_SHORT_US;
	d->us[TPMDD_DURATION_MEDIUM] = TPMDD_DEFAULT_MEDIUM_US;
	d->us[TPMDD_DURATION_LONG] = TPMDD_DEFAULT_LONG_US;
	d->from_tpm = false;
	d->adjusted = false;
}

void tpmdd_durations_from_tpm(struct tpmdd_durations *d, uint32_t short_us,
			      uint32_t medium_us, uint32_t long_us)
{
	uint32_t v[TPMDD_DURATION_CLASSES] = { short_us, medium_us, long_us };
	static const uint32_t dflt[TPMDD_DURATION_CLASSES] = {
		TPMDD_DEFAULT_SHORT_US, TPMDD_DEFAULT_MEDIUM_US, TPMDD_DEFAULT_LONG_US,
	};
	int i;

	tpmdd_durations_default(d);
	d->from_tpm = true;

	/*
	 * Some Broadcom chips report milliseconds instead of microseconds
	 * (Linux tpm1_get_timeouts): a SHORT duration below 10 ms cannot be
	 * meant in microseconds, so scale all three.
	 */
	if (v[0] != 0 && v[0] < 10000) {
		for (i = 0; i < TPMDD_DURATION_CLASSES; i++)
			v[i] = v[i] > UINT32_MAX / 1000 ? UINT32_MAX : v[i] * 1000;
		d->adjusted = true;
	}
	for (i = 0; i < TPMDD_DURATION_CLASSES; i++) {
		if (v[i] == 0 || v[i] > TPMDD_DURATION_MAX_US) {
			v[i] = dflt[i];
			d->adjusted = true;
		}
	}
	/* A longer class never gets less time than a shorter one. */
	for (i = 1; i < TPMDD_DURATION_CLASSES; i++) {
		if (v[i] < v[i - 1]) {
			v[i] = v[i - 1];
			d->adjusted = true;
		}
	}
	for (i = 0; i < TPMDD_DURATION_CLASSES; i++)
		d->us[i] = v[i];
	if (d->adjusted)
		log_info("TPM reported durations %u/%u/%u us, using %u/%u/%u us",
			 short_us, medium_us, long_us, d->us[0], d->us[1], d->us[2]);
}

unsigned int tpmdd_ordinal_timeout_ms(const struct tpmdd_durations *d, uint32_t ordinal)
{
	uint32_t us = d->us[tpmdd_ordinal_class(ordinal)];

	return us < 1000 ? 1 : us / 1000;
}
