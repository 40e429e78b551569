/*
 * The TSS Core Services interface (TSS 1.2 spec, TCS chapter): Tcsi_* are
 * the TCS's own services (contexts, key registry, event log), Tcsip_* are
 * the per-TPM-command pass-throughs, whose auth trailers travel in
 * TPM_AUTH (= TCS_AUTH) structures.
 *
 * This is the TCG-defined interface; our TCS is reached over the TCSD
 * wire protocol, so applications normally use tspi.h instead.
 */
#ifndef TCS_H
#define TCS_H

#include <tss/platform.h>
#include <tss/tss_structs.h>
#include <tss/tcs_typedef.h>
#include <tss/tcs_defines.h>
#include <tss/tcs_structs.h>
#include <tss/tcs_error.h>
#include <tss/tpm.h>

#if defined __cplusplus
extern "C" {
#endif

/* ---- Context management ------------------------------------------------ */
extern TSS_RESULT Tcsi_OpenContext(TCS_CONTEXT_HANDLE *hContext);
extern TSS_RESULT Tcsi_CloseContext(TCS_CONTEXT_HANDLE hContext);
extern TSS_RESULT Tcsi_FreeMemory(TCS_CONTEXT_HANDLE hContext, BYTE *pMemory);
extern TSS_RESULT Tcsi_GetCapability(TCS_CONTEXT_HANDLE hContext,
		TPM_CAPABILITY_AREA capArea, UINT32 subCapSize, BYTE *subCap,
		UINT32 *respSize, BYTE **resp);

/* ---- Key registry and key cache ---------------------------------------- */
extern TSS_RESULT Tcsi_RegisterKey(TCS_CONTEXT_HANDLE hContext,
		TSS_UUID WrappingKeyUUID, TSS_UUID KeyUUID, UINT32 cKeySize,
		BYTE *rgbKey, UINT32 cVendorDataSize, BYTE *gbVendorData);
extern TSS_RESULT Tcsip_UnregisterKey(TCS_CONTEXT_HANDLE hContext,
		TSS_UUID KeyUUID);
extern TSS_RESULT Tcsip_KeyControlOwner(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE hKey, UINT32 ulPubKeyLength, BYTE *prgbPubKey,
		UINT32 attribName, TSS_BOOL attribValue, TPM_AUTH *pOwnerAuth,
		TSS_UUID *pUuidData);
extern TSS_RESULT Tcsi_EnumRegisteredKeys(TCS_CONTEXT_HANDLE hContext,
		TSS_UUID *pKeyUUID, UINT32 *pcKeyHierarchySize,
		TSS_KM_KEYINFO **ppKeyHierarchy);
extern TSS_RESULT Tcsi_GetRegisteredKey(TCS_CONTEXT_HANDLE hContext,
		TSS_UUID KeyUUID, TSS_KM_KEYINFO **ppKeyInfo);
extern TSS_RESULT Tcsi_GetRegisteredKeyBlob(TCS_CONTEXT_HANDLE hContext,
		TSS_UUID KeyUUID, UINT32 *pcKeySize, BYTE **prgbKey);
extern TSS_RESULT Tcsip_GetRegisteredKeyByPublicInfo(
		TCS_CONTEXT_HANDLE hContext, TSS_ALGORITHM_ID algID,
		UINT32 ulPublicInfoLength, BYTE *rgbPublicInfo,
		UINT32 *keySize, BYTE **keyBlob);
extern TSS_RESULT Tcsip_LoadKeyByBlob(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE hUnwrappingKey, UINT32 cWrappedKeyBlobSize,
		BYTE *rgbWrappedKeyBlob, TPM_AUTH *pAuth,
		TCS_KEY_HANDLE *phKeyTCSI, TCS_KEY_HANDLE *phKeyHMAC);
extern TSS_RESULT Tcsip_LoadKeyByUUID(TCS_CONTEXT_HANDLE hContext,
		TSS_UUID KeyUUID, TCS_LOADKEY_INFO *pLoadKeyInfo,
		TCS_KEY_HANDLE *phKeyTCSI);
extern TSS_RESULT Tcsip_EvictKey(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE hKey);
extern TSS_RESULT Tcsip_CreateWrapKey(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE hWrappingKey, TPM_ENCAUTH KeyUsageAuth,
		TPM_ENCAUTH KeyMigrationAuth, UINT32 keyInfoSize,
		BYTE *keyInfo, TPM_AUTH *pAuth, UINT32 *keyDataSize,
		BYTE **keyData);
extern TSS_RESULT Tcsip_GetPubKey(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE hKey, TPM_AUTH *pAuth, UINT32 *pcPubKeySize,
		BYTE **prgbPubKey);

/* ---- Identity ---------------------------------------------------------- */
extern TSS_RESULT Tcsip_MakeIdentity(TCS_CONTEXT_HANDLE hContext,
		TPM_ENCAUTH identityAuth, TPM_CHOSENID_HASH IDLabel_PrivCAHash,
		UINT32 idIdentityKeyInfoSize, BYTE *idIdentityKeyInfo,
		TPM_AUTH *pSrkAuth, TPM_AUTH *pOwnerAuth,
		UINT32 *idIdentityKeySize, BYTE **idIdentityKey,
		UINT32 *pcIdentityBindingSize, BYTE **prgbIdentityBinding,
		UINT32 *pcEndorsementCredentialSize,
		BYTE **prgbEndorsementCredential,
		UINT32 *pcPlatformCredentialSize,
		BYTE **prgbPlatformCredential,
		UINT32 *pcConformanceCredentialSize,
		BYTE **prgbConformanceCredential);
/* same without the credentials, which the TSP then fetches itself */
extern TSS_RESULT Tcsip_MakeIdentity2(TCS_CONTEXT_HANDLE hContext,
		TPM_ENCAUTH identityAuth, TPM_CHOSENID_HASH IDLabel_PrivCAHash,
		UINT32 idIdentityKeyInfoSize, BYTE *idIdentityKeyInfo,
		TPM_AUTH *pSrkAuth, TPM_AUTH *pOwnerAuth,
		UINT32 *idIdentityKeySize, BYTE **idIdentityKey,
		UINT32 *pcIdentityBindingSize, BYTE **prgbIdentityBinding);

/* ---- Event log --------------------------------------------------------- */
extern TSS_RESULT Tcsi_LogPcrEvent(TCS_CONTEXT_HANDLE hContext,
		TSS_PCR_EVENT Event, UINT32 *pNumber);
extern TSS_RESULT Tcsi_GetPcrEvent(TCS_CONTEXT_HANDLE hContext,
		UINT32 PcrIndex, UINT32 *pNumber, TSS_PCR_EVENT **ppEvent);
extern TSS_RESULT Tcsi_GetPcrEventsByPcr(TCS_CONTEXT_HANDLE hContext,
		UINT32 PcrIndex, UINT32 FirstEvent, UINT32 *pEventCount,
		TSS_PCR_EVENT **ppEvents);
extern TSS_RESULT Tcsi_GetPcrEventLog(TCS_CONTEXT_HANDLE hContext,
		UINT32 *pEventCount, TSS_PCR_EVENT **ppEvents);

/* ---- Ownership and authorisation sessions ------------------------------ */
extern TSS_RESULT Tcsip_SetOwnerInstall(TCS_CONTEXT_HANDLE hContext,
		TSS_BOOL state);
extern TSS_RESULT Tcsip_TakeOwnership(TCS_CONTEXT_HANDLE hContext,
		UINT16 protocolID, UINT32 encOwnerAuthSize, BYTE *encOwnerAuth,
		UINT32 encSrkAuthSize, BYTE *encSrkAuth,
		UINT32 srkKeyInfoSize, BYTE *srkKeyInfo, TPM_AUTH *ownerAuth,
		UINT32 *srkKeyDataSize, BYTE **srkKeyData);
extern TSS_RESULT Tcsip_SetOperatorAuth(TCS_CONTEXT_HANDLE hContext,
		TPM_SECRET operatorAuth);
extern TSS_RESULT Tcsip_OIAP(TCS_CONTEXT_HANDLE hContext,
		TCS_AUTHHANDLE *authHandle, TPM_NONCE *nonce0);
extern TSS_RESULT Tcsip_OSAP(TCS_CONTEXT_HANDLE hContext,
		TPM_ENTITY_TYPE entityType, UINT32 entityValue,
		TPM_NONCE nonceOddOSAP, TCS_AUTHHANDLE *authHandle,
		TPM_NONCE *nonceEven, TPM_NONCE *nonceEvenOSAP);
extern TSS_RESULT Tcsip_ChangeAuth(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE parentHandle, TPM_PROTOCOL_ID protocolID,
		TPM_ENCAUTH newAuth, TPM_ENTITY_TYPE entityType,
		UINT32 encDataSize, BYTE *encData, TPM_AUTH *ownerAuth,
		TPM_AUTH *entityAuth, UINT32 *outDataSize, BYTE **outData);
extern TSS_RESULT Tcsip_ChangeAuthOwner(TCS_CONTEXT_HANDLE hContext,
		TPM_PROTOCOL_ID protocolID, TPM_ENCAUTH newAuth,
		TPM_ENTITY_TYPE entityType, TPM_AUTH *ownerAuth);
extern TSS_RESULT Tcsip_ChangeAuthAsymStart(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE idHandle, TPM_NONCE antiReplay,
		UINT32 TempKeyInfoSize, BYTE *TempKeyInfoData, TPM_AUTH *pAuth,
		UINT32 *TempKeySize, BYTE **TempKeyData,
		UINT32 *CertifyInfoSize, BYTE **CertifyInfo, UINT32 *sigSize,
		BYTE **sig, TCS_KEY_HANDLE *ephHandle);
extern TSS_RESULT Tcsip_ChangeAuthAsymFinish(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE parentHandle, TCS_KEY_HANDLE ephHandle,
		TPM_ENTITY_TYPE entityType, TPM_HMAC newAuthLink,
		UINT32 newAuthSize, BYTE *encNewAuth, UINT32 encDataSizeIn,
		BYTE *encDataIn, TPM_AUTH *ownerAuth, UINT32 *encDataSizeOut,
		BYTE **encDataOut, TPM_NONCE *saltNonce,
		TPM_DIGEST *changeProof);
extern TSS_RESULT Tcsip_TerminateHandle(TCS_CONTEXT_HANDLE hContext,
		TCS_AUTHHANDLE handle);
extern TSS_RESULT Tcsip_ActivateTPMIdentity(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE idKey, UINT32 blobSize, BYTE *blob,
		TPM_AUTH *idKeyAuth, TPM_AUTH *ownerAuth,
		UINT32 *SymmetricKeySize, BYTE **SymmetricKey);

/* ---- Transport sessions ------------------------------------------------ */
extern TSS_RESULT Tcsip_EstablishTransport(TCS_CONTEXT_HANDLE hContext,
		UINT32 ulTransControlFlags, TCS_KEY_HANDLE hEncKey,
		UINT32 ulTransSessionInfoSize, BYTE *rgbTransSessionInfo,
		UINT32 ulSecretSize, BYTE *rgbSecret, TPM_AUTH *pEncKeyAuth,
		TPM_MODIFIER_INDICATOR *pbLocality, TCS_HANDLE *hTransSession,
		UINT32 *ulCurrentTicksSize, BYTE **prgbCurrentTicks,
		TPM_NONCE *pTransNonce);
extern TSS_RESULT Tcsip_ExecuteTransport(TCS_CONTEXT_HANDLE hContext,
		TPM_COMMAND_CODE unWrappedCommandOrdinal,
		UINT32 ulWrappedCmdParamInSize, BYTE *rgbWrappedCmdParamIn,
		UINT32 *pulHandleListSize, TCS_HANDLE **rghHandles,
		TPM_AUTH *pWrappedCmdAuth1, TPM_AUTH *pWrappedCmdAuth2,
		TPM_AUTH *pTransAuth, UINT64 *punCurrentTicks,
		TPM_MODIFIER_INDICATOR *pbLocality,
		TPM_RESULT *pulWrappedCmdReturnCode,
		UINT32 *ulWrappedCmdParamOutSize,
		BYTE **rgbWrappedCmdParamOut);
extern TSS_RESULT Tcsip_ReleaseTransportSigned(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE hSignatureKey, TPM_NONCE AntiReplayNonce,
		TPM_AUTH *pKeyAuth, TPM_AUTH *pTransAuth,
		TPM_MODIFIER_INDICATOR *pbLocality,
		UINT32 *pulCurrentTicksSize, BYTE **prgbCurrentTicks,
		UINT32 *pulSignatureSize, BYTE **prgbSignature);

/* ---- Integrity: PCRs, quotes, DIRs ------------------------------------- */
extern TSS_RESULT Tcsip_Extend(TCS_CONTEXT_HANDLE hContext,
		TPM_PCRINDEX pcrNum, TPM_DIGEST inDigest,
		TPM_PCRVALUE *outDigest);
extern TSS_RESULT Tcsip_PcrRead(TCS_CONTEXT_HANDLE hContext,
		TPM_PCRINDEX pcrNum, TPM_PCRVALUE *outDigest);
extern TSS_RESULT Tcsip_Quote(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE keyHandle, TPM_NONCE antiReplay,
		UINT32 pcrTargetSize, BYTE *pcrTarget, TPM_AUTH *privAuth,
		UINT32 *pcrDataSize, BYTE **pcrData, UINT32 *sigSize,
		BYTE **sig);
extern TSS_RESULT Tcsip_Quote2(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE keyHandle, TPM_NONCE antiReplay,
		UINT32 pcrTargetSize, BYTE *pcrTarget, TSS_BOOL addVersion,
		TPM_AUTH *privAuth, UINT32 *pcrDataSize, BYTE **pcrData,
		UINT32 *versionInfoSize, BYTE **versionInfo, UINT32 *sigSize,
		BYTE **sig);
extern TSS_RESULT Tcsip_DirWriteAuth(TCS_CONTEXT_HANDLE hContext,
		TPM_DIRINDEX dirIndex, TPM_DIRVALUE newContents,
		TPM_AUTH *ownerAuth);
extern TSS_RESULT Tcsip_DirRead(TCS_CONTEXT_HANDLE hContext,
		TPM_DIRINDEX dirIndex, TPM_DIRVALUE *dirValue);

/* ---- Protected storage ------------------------------------------------- */
extern TSS_RESULT Tcsip_Seal(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE keyHandle, TPM_ENCAUTH encAuth,
		UINT32 pcrInfoSize, BYTE *PcrInfo, UINT32 inDataSize,
		BYTE *inData, TPM_AUTH *pubAuth, UINT32 *SealedDataSize,
		BYTE **SealedData);
extern TSS_RESULT Tcsip_Unseal(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE keyHandle, UINT32 SealedDataSize,
		BYTE *SealedData, TPM_AUTH *keyAuth, TPM_AUTH *dataAuth,
		UINT32 *DataSize, BYTE **Data);
extern TSS_RESULT Tcsip_UnBind(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE keyHandle, UINT32 inDataSize, BYTE *inData,
		TPM_AUTH *privAuth, UINT32 *outDataSize, BYTE **outData);
extern TSS_RESULT Tcsip_Sealx(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE keyHandle, TPM_ENCAUTH encAuth,
		UINT32 pcrInfoSize, BYTE *PcrInfo, UINT32 inDataSize,
		BYTE *inData, TPM_AUTH *pubAuth, UINT32 *SealedDataSize,
		BYTE **SealedData);
extern TSS_RESULT Tcsip_LoadKey2ByBlob(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE hUnwrappingKey, UINT32 cWrappedKeyBlobSize,
		BYTE *rgbWrappedKeyBlob, TPM_AUTH *pAuth,
		TCS_KEY_HANDLE *phKeyTCSI);

/* ---- Migration --------------------------------------------------------- */
extern TSS_RESULT Tcsip_CreateMigrationBlob(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE parentHandle, TSS_MIGRATE_SCHEME migrationType,
		UINT32 MigrationKeyAuthSize, BYTE *MigrationKeyAuth,
		UINT32 encDataSize, BYTE *encData, TPM_AUTH *parentAuth,
		TPM_AUTH *entityAuth, UINT32 *randomSize, BYTE **random,
		UINT32 *outDataSize, BYTE **outData);
extern TSS_RESULT Tcsip_ConvertMigrationBlob(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE parentHandle, UINT32 inDataSize, BYTE *inData,
		UINT32 randomSize, BYTE *random, TPM_AUTH *parentAuth,
		UINT32 *outDataSize, BYTE **outData);
extern TSS_RESULT Tcsip_AuthorizeMigrationKey(TCS_CONTEXT_HANDLE hContext,
		TSS_MIGRATE_SCHEME migrateScheme, UINT32 MigrationKeySize,
		BYTE *MigrationKey, TPM_AUTH *ownerAuth,
		UINT32 *MigrationKeyAuthSize, BYTE **MigrationKeyAuth);

/* ---- Certification and signing ----------------------------------------- */
extern TSS_RESULT Tcsip_CertifyKey(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE certHandle, TCS_KEY_HANDLE keyHandle,
		TPM_NONCE antiReplay, TPM_AUTH *certAuth, TPM_AUTH *keyAuth,
		UINT32 *CertifyInfoSize, BYTE **CertifyInfo,
		UINT32 *outDataSize, BYTE **outData);
extern TSS_RESULT Tcsip_CertifyKey2(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE certHandle, TCS_KEY_HANDLE keyHandle,
		TPM_DIGEST MSAdigest, TPM_NONCE antiReplay, TPM_AUTH *certAuth,
		TPM_AUTH *keyAuth, UINT32 *CertifyInfoSize, BYTE **CertifyInfo,
		UINT32 *outDataSize, BYTE **outData);
extern TSS_RESULT Tcsip_Sign(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE keyHandle, UINT32 areaToSignSize,
		BYTE *areaToSign, TPM_AUTH *privAuth, UINT32 *sigSize,
		BYTE **sig);

/* ---- Randomness and capabilities --------------------------------------- */
extern TSS_RESULT Tcsip_GetRandom(TCS_CONTEXT_HANDLE hContext,
		UINT32 *bytesRequested, BYTE **randomBytes);
extern TSS_RESULT Tcsip_StirRandom(TCS_CONTEXT_HANDLE hContext,
		UINT32 inDataSize, BYTE *inData);
extern TSS_RESULT Tcsip_GetCapability(TCS_CONTEXT_HANDLE hContext,
		TPM_CAPABILITY_AREA capArea, UINT32 subCapSize, BYTE *subCap,
		UINT32 *respSize, BYTE **resp);
extern TSS_RESULT Tcsip_GetCapabilitySigned(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE keyHandle, TPM_NONCE antiReplay,
		TPM_CAPABILITY_AREA capArea, UINT32 subCapSize, BYTE *subCap,
		TPM_AUTH *privAuth, TPM_VERSION *Version, UINT32 *respSize,
		BYTE **resp, UINT32 *sigSize, BYTE **sig);
extern TSS_RESULT Tcsip_GetCapabilityOwner(TCS_CONTEXT_HANDLE hContext,
		TPM_AUTH *pOwnerAuth, TPM_VERSION *pVersion,
		UINT32 *pNonVolatileFlags, UINT32 *pVolatileFlags);

/* ---- Endorsement key --------------------------------------------------- */
extern TSS_RESULT Tcsip_CreateEndorsementKeyPair(TCS_CONTEXT_HANDLE hContext,
		TPM_NONCE antiReplay, UINT32 endorsementKeyInfoSize,
		BYTE *endorsementKeyInfo, UINT32 *endorsementKeySize,
		BYTE **endorsementKey, TPM_DIGEST *checksum);
extern TSS_RESULT Tcsip_ReadPubek(TCS_CONTEXT_HANDLE hContext,
		TPM_NONCE antiReplay, UINT32 *pubEndorsementKeySize,
		BYTE **pubEndorsementKey, TPM_DIGEST *checksum);
extern TSS_RESULT Tcsip_DisablePubekRead(TCS_CONTEXT_HANDLE hContext,
		TPM_AUTH *ownerAuth);
extern TSS_RESULT Tcsip_OwnerReadPubek(TCS_CONTEXT_HANDLE hContext,
		TPM_AUTH *ownerAuth, UINT32 *pubEndorsementKeySize,
		BYTE **pubEndorsementKey);

/* ---- Self test and administration -------------------------------------- */
extern TSS_RESULT Tcsip_SelfTestFull(TCS_CONTEXT_HANDLE hContext);
extern TSS_RESULT Tcsip_CertifySelfTest(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE keyHandle, TPM_NONCE antiReplay,
		TPM_AUTH *privAuth, UINT32 *sigSize, BYTE **sig);
extern TSS_RESULT Tcsip_ContinueSelfTest(TCS_CONTEXT_HANDLE hContext);
extern TSS_RESULT Tcsip_GetTestResult(TCS_CONTEXT_HANDLE hContext,
		UINT32 *outDataSize, BYTE **outData);
extern TSS_RESULT Tcsip_OwnerSetDisable(TCS_CONTEXT_HANDLE hContext,
		TSS_BOOL disableState, TPM_AUTH *ownerAuth);
extern TSS_RESULT Tcsip_OwnerClear(TCS_CONTEXT_HANDLE hContext,
		TPM_AUTH *ownerAuth);
extern TSS_RESULT Tcsip_DisableOwnerClear(TCS_CONTEXT_HANDLE hContext,
		TPM_AUTH *ownerAuth);
extern TSS_RESULT Tcsip_ForceClear(TCS_CONTEXT_HANDLE hContext);
extern TSS_RESULT Tcsip_DisableForceClear(TCS_CONTEXT_HANDLE hContext);
extern TSS_RESULT Tcsip_PhysicalDisable(TCS_CONTEXT_HANDLE hContext);
extern TSS_RESULT Tcsip_PhysicalEnable(TCS_CONTEXT_HANDLE hContext);
extern TSS_RESULT Tcsip_PhysicalSetDeactivated(TCS_CONTEXT_HANDLE hContext,
		TSS_BOOL state);
extern TSS_RESULT Tcsip_SetTempDeactivated(TCS_CONTEXT_HANDLE hContext);
/* the 1.2 form, authorised by the operator */
extern TSS_RESULT Tcsip_SetTempDeactivated2(TCS_CONTEXT_HANDLE hContext,
		TPM_AUTH *pOperatorAuth);
extern TSS_RESULT Tcsip_OwnerReadInternalPub(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE hKey, TPM_AUTH *pOwnerAuth,
		UINT32 *punPubKeySize, BYTE **ppbPubKeyData);
extern TSS_RESULT Tcsip_PhysicalPresence(TCS_CONTEXT_HANDLE hContext,
		TPM_PHYSICAL_PRESENCE fPhysicalPresence);
extern TSS_RESULT Tcsip_FieldUpgrade(TCS_CONTEXT_HANDLE hContext,
		UINT32 dataInSize, BYTE *dataIn, TPM_AUTH *ownerAuth,
		UINT32 *dataOutSize, BYTE **dataOut);
extern TSS_RESULT Tcsip_ResetLockValue(TCS_CONTEXT_HANDLE hContext,
		TPM_AUTH *ownerAuth);
extern TSS_RESULT Tcsip_FlushSpecific(TCS_CONTEXT_HANDLE hContext,
		TCS_HANDLE hResHandle, TPM_RESOURCE_TYPE resourceType);
extern TSS_RESULT Tcsip_SetRedirection(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE keyHandle, UINT32 c1, UINT32 c2,
		TPM_AUTH *privAuth);

/* ---- Delegation -------------------------------------------------------- */
extern TSS_RESULT Tcsip_DSAP(TCS_CONTEXT_HANDLE hContext,
		TPM_ENTITY_TYPE entityType, TCS_KEY_HANDLE keyHandle,
		TPM_NONCE nonceOddDSAP, UINT32 entityValueSize,
		BYTE *entityValue, TCS_AUTHHANDLE *authHandle,
		TPM_NONCE *nonceEven, TPM_NONCE *nonceEvenDSAP);
extern TSS_RESULT Tcsip_Delegate_Manage(TCS_CONTEXT_HANDLE hContext,
		TPM_FAMILY_ID familyID, TPM_FAMILY_OPERATION opFlag,
		UINT32 opDataSize, BYTE *opData, TPM_AUTH *ownerAuth,
		UINT32 *retDataSize, BYTE **retData);
extern TSS_RESULT Tcsip_Delegate_CreateKeyDelegation(
		TCS_CONTEXT_HANDLE hContext, TCS_KEY_HANDLE hKey,
		UINT32 publicInfoSize, BYTE *publicInfo,
		TPM_ENCAUTH encDelAuth, TPM_AUTH *keyAuth, UINT32 *blobSize,
		BYTE **blob);
extern TSS_RESULT Tcsip_Delegate_CreateOwnerDelegation(
		TCS_CONTEXT_HANDLE hContext, TSS_BOOL increment,
		UINT32 publicInfoSize, BYTE *publicInfo,
		TPM_ENCAUTH encDelAuth, TPM_AUTH *ownerAuth, UINT32 *blobSize,
		BYTE **blob);
extern TSS_RESULT Tcsip_Delegate_LoadOwnerDelegation(
		TCS_CONTEXT_HANDLE hContext, TPM_DELEGATE_INDEX index,
		UINT32 blobSize, BYTE *blob, TPM_AUTH *ownerAuth);
extern TSS_RESULT Tcsip_Delegate_UpdateVerificationCount(
		TCS_CONTEXT_HANDLE hContext, UINT32 inputSize, BYTE *input,
		TPM_AUTH *ownerAuth, UINT32 *outputSize, BYTE **output);
extern TSS_RESULT Tcsip_Delegate_VerifyDelegation(
		TCS_CONTEXT_HANDLE hContext, UINT32 delegateSize,
		BYTE *delegate);
extern TSS_RESULT Tcsip_Delegate_ReadTable(TCS_CONTEXT_HANDLE hContext,
		UINT32 *pulFamilyTableSize, BYTE **ppFamilyTable,
		UINT32 *pulDelegateTableSize, BYTE **ppDelegateTable);

/* ---- NV storage -------------------------------------------------------- */
/* a TPM_NV_DATA_PUBLIC with dataSize 0 releases the area */
extern TSS_RESULT Tcsip_NV_DefineOrReleaseSpace(TCS_CONTEXT_HANDLE hContext,
		UINT32 cPubInfoSize, BYTE *pPubInfo, TPM_ENCAUTH encAuth,
		TPM_AUTH *pAuth);
extern TSS_RESULT Tcsip_NV_WriteValue(TCS_CONTEXT_HANDLE hContext,
		TSS_NV_INDEX hNVStore, UINT32 offset, UINT32 ulDataLength,
		BYTE *rgbDataToWrite, TPM_AUTH *privAuth);
extern TSS_RESULT Tcsip_NV_WriteValueAuth(TCS_CONTEXT_HANDLE hContext,
		TSS_NV_INDEX hNVStore, UINT32 offset, UINT32 ulDataLength,
		BYTE *rgbDataToWrite, TPM_AUTH *NVAuth);
extern TSS_RESULT Tcsip_NV_ReadValue(TCS_CONTEXT_HANDLE hContext,
		TSS_NV_INDEX hNVStore, UINT32 offset, UINT32 *pulDataLength,
		TPM_AUTH *privAuth, BYTE **rgbDataRead);
extern TSS_RESULT Tcsip_NV_ReadValueAuth(TCS_CONTEXT_HANDLE hContext,
		TSS_NV_INDEX hNVStore, UINT32 offset, UINT32 *pulDataLength,
		TPM_AUTH *NVAuth, BYTE **rgbDataRead);

/* ---- Maintenance ------------------------------------------------------- */
extern TSS_RESULT Tcsip_CreateMaintenanceArchive(TCS_CONTEXT_HANDLE hContext,
		TSS_BOOL generateRandom, TPM_AUTH *ownerAuth,
		UINT32 *randomSize, BYTE **random, UINT32 *archiveSize,
		BYTE **archive);
extern TSS_RESULT Tcsip_LoadMaintenanceArchive(TCS_CONTEXT_HANDLE hContext,
		UINT32 dataInSize, BYTE *dataIn, TPM_AUTH *ownerAuth,
		UINT32 *dataOutSize, BYTE **dataOut);
extern TSS_RESULT Tcsip_KillMaintenanceFeature(TCS_CONTEXT_HANDLE hContext,
		TPM_AUTH *ownerAuth);
extern TSS_RESULT Tcsip_LoadManuMaintPub(TCS_CONTEXT_HANDLE hContext,
		TPM_NONCE antiReplay, UINT32 PubKeySize, BYTE *PubKey,
		TPM_DIGEST *checksum);
extern TSS_RESULT Tcsip_ReadManuMaintPub(TCS_CONTEXT_HANDLE hContext,
		TPM_NONCE antiReplay, TPM_DIGEST *checksum);

/* ---- Revocable EK, PCR reset ------------------------------------------- */
extern TSS_RESULT Tcsip_CreateRevocableEndorsementKeyPair(
		TCS_CONTEXT_HANDLE hContext, TPM_NONCE antiReplay,
		UINT32 endorsementKeyInfoSize, BYTE *endorsementKeyInfo,
		TSS_BOOL GenResetAuth, TPM_DIGEST *EKResetAuth,
		UINT32 *endorsementKeySize, BYTE **endorsementKey,
		TPM_DIGEST *checksum);
extern TSS_RESULT Tcsip_RevokeEndorsementKeyPair(TCS_CONTEXT_HANDLE hContext,
		TPM_DIGEST EKResetAuth);
extern TSS_RESULT Tcsip_PcrReset(TCS_CONTEXT_HANDLE hContext,
		UINT32 pcrTargetSize, BYTE *pcrTarget);

/* ---- Monotonic counters and ticks -------------------------------------- */
extern TSS_RESULT Tcsip_ReadCounter(TCS_CONTEXT_HANDLE hContext,
		TSS_COUNTER_ID idCounter, TPM_COUNTER_VALUE *counterValue);
extern TSS_RESULT Tcsip_CreateCounter(TCS_CONTEXT_HANDLE hContext,
		UINT32 LabelSize, BYTE *pLabel, TPM_ENCAUTH CounterAuth,
		TPM_AUTH *pOwnerAuth, TSS_COUNTER_ID *idCounter,
		TPM_COUNTER_VALUE *counterValue);
extern TSS_RESULT Tcsip_IncrementCounter(TCS_CONTEXT_HANDLE hContext,
		TSS_COUNTER_ID idCounter, TPM_AUTH *pCounterAuth,
		TPM_COUNTER_VALUE *counterValue);
extern TSS_RESULT Tcsip_ReleaseCounter(TCS_CONTEXT_HANDLE hContext,
		TSS_COUNTER_ID idCounter, TPM_AUTH *pCounterAuth);
extern TSS_RESULT Tcsip_ReleaseCounterOwner(TCS_CONTEXT_HANDLE hContext,
		TSS_COUNTER_ID idCounter, TPM_AUTH *pOwnerAuth);
extern TSS_RESULT Tcsip_ReadCurrentTicks(TCS_CONTEXT_HANDLE hContext,
		UINT32 *pulCurrentTimeSize, BYTE **prgbCurrentTime);
extern TSS_RESULT Tcsip_TickStampBlob(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE hKey, TPM_NONCE antiReplay,
		TPM_DIGEST digestToStamp, TPM_AUTH *privAuth,
		UINT32 *pulSignatureLength, BYTE **prgbSignature,
		UINT32 *pulTickCountSize, BYTE **prgbTickCount);

/* ---- DAA --------------------------------------------------------------- */
extern TSS_RESULT Tcsip_TPM_DAA_Join(TCS_CONTEXT_HANDLE hContext,
		TPM_HANDLE handle, BYTE stage, UINT32 inputSize0,
		BYTE *inputData0, UINT32 inputSize1, BYTE *inputData1,
		TPM_AUTH *ownerAuth, UINT32 *outputSize, BYTE **outputData);
extern TSS_RESULT Tcsip_TPM_DAA_Sign(TCS_CONTEXT_HANDLE hContext,
		TPM_HANDLE handle, BYTE stage, UINT32 inputSize0,
		BYTE *inputData0, UINT32 inputSize1, BYTE *inputData1,
		TPM_AUTH *ownerAuth, UINT32 *outputSize, BYTE **outputData);

/* ---- Certified migration keys ------------------------------------------ */
extern TSS_RESULT Tcsip_MigrateKey(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE hMaKey, UINT32 PublicKeySize, BYTE *PublicKey,
		UINT32 inDataSize, BYTE *inData, TPM_AUTH *ownerAuth,
		UINT32 *outDataSize, BYTE **outData);
extern TSS_RESULT Tcsip_CMK_SetRestrictions(TCS_CONTEXT_HANDLE hContext,
		TSS_CMK_DELEGATE Restriction, TPM_AUTH *ownerAuth);
extern TSS_RESULT Tcsip_CMK_ApproveMA(TCS_CONTEXT_HANDLE hContext,
		TPM_DIGEST migAuthorityDigest, TPM_AUTH *ownerAuth,
		TPM_HMAC *HmacMigAuthDigest);
extern TSS_RESULT Tcsip_CMK_CreateKey(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE hWrappingKey, TPM_ENCAUTH KeyUsageAuth,
		TPM_HMAC MigAuthApproval, TPM_DIGEST MigAuthorityDigest,
		UINT32 *keyDataSize, BYTE **prgbKeyData, TPM_AUTH *pAuth);
extern TSS_RESULT Tcsip_CMK_CreateTicket(TCS_CONTEXT_HANDLE hContext,
		UINT32 PublicVerifyKeySize, BYTE *PublicVerifyKey,
		TPM_DIGEST SignedData, UINT32 SigValueSize, BYTE *SigValue,
		TPM_AUTH *pOwnerAuth, TPM_HMAC *SigTicket);
extern TSS_RESULT Tcsip_CMK_CreateBlob(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE parentHandle, TSS_MIGRATE_SCHEME migrationType,
		UINT32 MigrationKeyAuthSize, BYTE *MigrationKeyAuth,
		TPM_DIGEST PubSourceKeyDigest, UINT32 msaListSize,
		BYTE *msaList, UINT32 restrictTicketSize,
		BYTE *restrictTicket, UINT32 sigTicketSize, BYTE *sigTicket,
		UINT32 encDataSize, BYTE *encData, TPM_AUTH *parentAuth,
		UINT32 *randomSize, BYTE **random, UINT32 *outDataSize,
		BYTE **outData);
extern TSS_RESULT Tcsip_CMK_ConvertMigration(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE parentHandle, TPM_CMK_AUTH restrictTicket,
		TPM_HMAC sigTicket, UINT32 keyDataSize, BYTE *prgbKeyData,
		UINT32 msaListSize, BYTE *msaList, UINT32 randomSize,
		BYTE *random, TPM_AUTH *parentAuth, UINT32 *outDataSize,
		BYTE **outData);

/* ---- SetCapability and auditing ---------------------------------------- */
extern TSS_RESULT Tcsip_SetCapability(TCS_CONTEXT_HANDLE hContext,
		TPM_CAPABILITY_AREA capArea, UINT32 subCapSize, BYTE *subCap,
		UINT32 valueSize, BYTE *value, TPM_AUTH *ownerAuth);
extern TSS_RESULT Tcsip_GetAuditDigest(TCS_CONTEXT_HANDLE hContext,
		UINT32 startOrdinal, TPM_DIGEST *auditDigest,
		UINT32 *counterValueSize, BYTE **counterValue, TSS_BOOL *more,
		UINT32 *ordSize, UINT32 **ordList);
extern TSS_RESULT Tcsip_GetAuditDigestSigned(TCS_CONTEXT_HANDLE hContext,
		TCS_KEY_HANDLE keyHandle, TSS_BOOL closeAudit,
		TPM_NONCE antiReplay, TPM_AUTH *privAuth,
		UINT32 *counterValueSize, BYTE **counterValue,
		TPM_DIGEST *auditDigest, TPM_DIGEST *ordinalDigest,
		UINT32 *sigSize, BYTE **sig);
extern TSS_RESULT Tcsip_SetOrdinalAuditStatus(TCS_CONTEXT_HANDLE hContext,
		UINT32 ordinalToAudit, TSS_BOOL auditState,
		TPM_AUTH *ownerAuth);

/* ---- TCS administration and credentials -------------------------------- */
extern TSS_RESULT Tcsi_Admin_TSS_SessionsPerLocality(
		TCS_CONTEXT_HANDLE hContext, UINT32 ulLocality,
		UINT32 ulSessions, TPM_AUTH *pOwnerAuth);
extern TSS_RESULT Tcsi_GetCredential(TCS_CONTEXT_HANDLE hContext,
		UINT32 ulCredentialType, UINT32 ulCredentialAccessMode,
		UINT32 *pulCredentialSize, BYTE **prgbCredentialData);

#if defined __cplusplus
}
#endif

#endif /* TCS_H */
