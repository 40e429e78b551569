/*
 * The TSS 1.2 service-provider interface (TSPI, as specified by the TCG
 * Software Stack 1.2 specification): everything an application calls in
 * libtspi.
 *
 * Conventions of the whole API: every function returns a TSS_RESULT;
 * output buffers (BYTE **, struct **) are allocated by the TSP and are
 * released with Tspi_Context_FreeMemory; length parameters named pul...
 * are outputs unless marked otherwise.
 */
#if !defined(_TSPI_H_)
#define _TSPI_H_

#include <tss/tss_defines.h>
#include <tss/tss_typedef.h>
#include <tss/tss_structs.h>
#include <tss/tss_error.h>
#include <tss/tss_error_basics.h>

/* Storage class and return type of every entry point. */
#if !defined(TSPICALL)
#define TSPICALL extern TSS_RESULT
#endif

#if defined(__cplusplus)
extern "C" {
#endif

/* ---- ASN.1 wrapping of TSS blobs (class independent) ------------------ */
TSPICALL Tspi_EncodeDER_TssBlob(UINT32 rawBlobSize, BYTE *rawBlob,
				UINT32 blobType, UINT32 *derBlobSize,
				BYTE *derBlob);
TSPICALL Tspi_DecodeBER_TssBlob(UINT32 berBlobSize, BYTE *berBlob,
				UINT32 *blobType, UINT32 *rawBlobSize,
				BYTE *rawBlob);

/* ---- Methods common to all objects ------------------------------------ */
TSPICALL Tspi_SetAttribUint32(TSS_HOBJECT hObject, TSS_FLAG attribFlag,
			      TSS_FLAG subFlag, UINT32 ulAttrib);
TSPICALL Tspi_GetAttribUint32(TSS_HOBJECT hObject, TSS_FLAG attribFlag,
			      TSS_FLAG subFlag, UINT32 *pulAttrib);
TSPICALL Tspi_SetAttribData(TSS_HOBJECT hObject, TSS_FLAG attribFlag,
			    TSS_FLAG subFlag, UINT32 ulAttribDataSize,
			    BYTE *rgbAttribData);
TSPICALL Tspi_GetAttribData(TSS_HOBJECT hObject, TSS_FLAG attribFlag,
			    TSS_FLAG subFlag, UINT32 *pulAttribDataSize,
			    BYTE **prgbAttribData);
TSPICALL Tspi_ChangeAuth(TSS_HOBJECT hObjectToChange,
			 TSS_HOBJECT hParentObject, TSS_HPOLICY hNewPolicy);
TSPICALL Tspi_ChangeAuthAsym(TSS_HOBJECT hObjectToChange,
			     TSS_HOBJECT hParentObject, TSS_HKEY hIdentKey,
			     TSS_HPOLICY hNewPolicy);
TSPICALL Tspi_GetPolicyObject(TSS_HOBJECT hObject, TSS_FLAG policyType,
			      TSS_HPOLICY *phPolicy);

/* ---- Context ----------------------------------------------------------- */
TSPICALL Tspi_Context_Create(TSS_HCONTEXT *phContext);
TSPICALL Tspi_Context_Close(TSS_HCONTEXT hContext);
/* wszDestination: UTF-16 host name of the TCS, NULL for the local one */
TSPICALL Tspi_Context_Connect(TSS_HCONTEXT hContext,
			      TSS_UNICODE *wszDestination);
/* rgbMemory NULL frees everything the context handed out */
TSPICALL Tspi_Context_FreeMemory(TSS_HCONTEXT hContext, BYTE *rgbMemory);
TSPICALL Tspi_Context_GetDefaultPolicy(TSS_HCONTEXT hContext,
				       TSS_HPOLICY *phPolicy);
TSPICALL Tspi_Context_CreateObject(TSS_HCONTEXT hContext, TSS_FLAG objectType,
				   TSS_FLAG initFlags, TSS_HOBJECT *phObject);
TSPICALL Tspi_Context_CloseObject(TSS_HCONTEXT hContext, TSS_HOBJECT hObject);
TSPICALL Tspi_Context_GetCapability(TSS_HCONTEXT hContext, TSS_FLAG capArea,
				    UINT32 ulSubCapLength, BYTE *rgbSubCap,
				    UINT32 *pulRespDataLength,
				    BYTE **prgbRespData);
TSPICALL Tspi_Context_GetTpmObject(TSS_HCONTEXT hContext, TSS_HTPM *phTPM);
TSPICALL Tspi_Context_SetTransEncryptionKey(TSS_HCONTEXT hContext,
					    TSS_HKEY hKey);
TSPICALL Tspi_Context_CloseSignTransport(TSS_HCONTEXT hContext,
					 TSS_HKEY hSigningKey,
					 TSS_VALIDATION *pValidationData);
TSPICALL Tspi_Context_LoadKeyByBlob(TSS_HCONTEXT hContext,
				    TSS_HKEY hUnwrappingKey,
				    UINT32 ulBlobLength, BYTE *rgbBlobData,
				    TSS_HKEY *phKey);
/* persistent storage: UUIDs are passed by value, as the spec defines */
TSPICALL Tspi_Context_LoadKeyByUUID(TSS_HCONTEXT hContext,
				    TSS_FLAG persistentStorageType,
				    TSS_UUID uuidData, TSS_HKEY *phKey);
TSPICALL Tspi_Context_RegisterKey(TSS_HCONTEXT hContext, TSS_HKEY hKey,
				  TSS_FLAG persistentStorageType,
				  TSS_UUID uuidKey,
				  TSS_FLAG persistentStorageTypeParent,
				  TSS_UUID uuidParentKey);
TSPICALL Tspi_Context_UnregisterKey(TSS_HCONTEXT hContext,
				    TSS_FLAG persistentStorageType,
				    TSS_UUID uuidKey, TSS_HKEY *phkey);
TSPICALL Tspi_Context_GetKeyByUUID(TSS_HCONTEXT hContext,
				   TSS_FLAG persistentStorageType,
				   TSS_UUID uuidData, TSS_HKEY *phKey);
TSPICALL Tspi_Context_GetKeyByPublicInfo(TSS_HCONTEXT hContext,
					 TSS_FLAG persistentStorageType,
					 TSS_ALGORITHM_ID algID,
					 UINT32 ulPublicInfoLength,
					 BYTE *rgbPublicInfo, TSS_HKEY *phKey);
TSPICALL Tspi_Context_GetRegisteredKeysByUUID(TSS_HCONTEXT hContext,
					      TSS_FLAG persistentStorageType,
					      TSS_UUID *pUuidData,
					      UINT32 *pulKeyHierarchySize,
					      TSS_KM_KEYINFO **ppKeyHierarchy);
TSPICALL Tspi_Context_GetRegisteredKeysByUUID2(TSS_HCONTEXT hContext,
					       TSS_FLAG persistentStorageType,
					       TSS_UUID *pUuidData,
					       UINT32 *pulKeyHierarchySize,
					       TSS_KM_KEYINFO2 **ppKeyHierarchy);

/* ---- Policy ------------------------------------------------------------ */
TSPICALL Tspi_Policy_SetSecret(TSS_HPOLICY hPolicy, TSS_FLAG secretMode,
			       UINT32 ulSecretLength, BYTE *rgbSecret);
TSPICALL Tspi_Policy_FlushSecret(TSS_HPOLICY hPolicy);
TSPICALL Tspi_Policy_AssignToObject(TSS_HPOLICY hPolicy, TSS_HOBJECT hObject);

/* ---- TPM: ownership, endorsement key, identity ------------------------- */
TSPICALL Tspi_TPM_KeyControlOwner(TSS_HTPM hTPM, TSS_HKEY hKey,
				  UINT32 attribName, TSS_BOOL attribValue,
				  TSS_UUID *pUuidData);
TSPICALL Tspi_TPM_CreateEndorsementKey(TSS_HTPM hTPM, TSS_HKEY hKey,
				       TSS_VALIDATION *pValidationData);
TSPICALL Tspi_TPM_CreateRevocableEndorsementKey(TSS_HTPM hTPM, TSS_HKEY hKey,
						TSS_VALIDATION *pValidationData,
						UINT32 *pulEkResetDataLength,
						BYTE **rgbEkResetData);
TSPICALL Tspi_TPM_RevokeEndorsementKey(TSS_HTPM hTPM,
				       UINT32 ulEkResetDataLength,
				       BYTE *rgbEkResetData);
TSPICALL Tspi_TPM_GetPubEndorsementKey(TSS_HTPM hTPM,
				       TSS_BOOL fOwnerAuthorized,
				       TSS_VALIDATION *pValidationData,
				       TSS_HKEY *phEndorsementPubKey);
TSPICALL Tspi_TPM_OwnerGetSRKPubKey(TSS_HTPM hTPM, UINT32 *pulPubKeyLength,
				    BYTE **prgbPubKey);
TSPICALL Tspi_TPM_TakeOwnership(TSS_HTPM hTPM, TSS_HKEY hKeySRK,
				TSS_HKEY hEndorsementPubKey);
TSPICALL Tspi_TPM_ClearOwner(TSS_HTPM hTPM, TSS_BOOL fForcedClear);
TSPICALL Tspi_TPM_CollateIdentityRequest(TSS_HTPM hTPM, TSS_HKEY hKeySRK,
					 TSS_HKEY hCAPubKey,
					 UINT32 ulIdentityLabelLength,
					 BYTE *rgbIdentityLabelData,
					 TSS_HKEY hIdentityKey,
					 TSS_ALGORITHM_ID algID,
					 UINT32 *pulTCPAIdentityReqLength,
					 BYTE **prgbTCPAIdentityReq);
TSPICALL Tspi_TPM_ActivateIdentity(TSS_HTPM hTPM, TSS_HKEY hIdentKey,
				   UINT32 ulAsymCAContentsBlobLength,
				   BYTE *rgbAsymCAContentsBlob,
				   UINT32 ulSymCAAttestationBlobLength,
				   BYTE *rgbSymCAAttestationBlob,
				   UINT32 *pulCredentialLength,
				   BYTE **prgbCredential);

/* ---- TPM: maintenance -------------------------------------------------- */
TSPICALL Tspi_TPM_CreateMaintenanceArchive(TSS_HTPM hTPM,
					   TSS_BOOL fGenerateRndNumber,
					   UINT32 *pulRndNumberLength,
					   BYTE **prgbRndNumber,
					   UINT32 *pulArchiveDataLength,
					   BYTE **prgbArchiveData);
TSPICALL Tspi_TPM_KillMaintenanceFeature(TSS_HTPM hTPM);
TSPICALL Tspi_TPM_LoadMaintenancePubKey(TSS_HTPM hTPM,
					TSS_HKEY hMaintenanceKey,
					TSS_VALIDATION *pValidationData);
TSPICALL Tspi_TPM_CheckMaintenancePubKey(TSS_HTPM hTPM,
					 TSS_HKEY hMaintenanceKey,
					 TSS_VALIDATION *pValidationData);

/* ---- TPM: status, capabilities, self test, randomness ------------------ */
TSPICALL Tspi_TPM_SetOperatorAuth(TSS_HTPM hTPM, TSS_HPOLICY hOperatorPolicy);
TSPICALL Tspi_TPM_SetStatus(TSS_HTPM hTPM, TSS_FLAG statusFlag,
			    TSS_BOOL fTpmState);
TSPICALL Tspi_TPM_GetStatus(TSS_HTPM hTPM, TSS_FLAG statusFlag,
			    TSS_BOOL *pfTpmState);
TSPICALL Tspi_TPM_GetCapability(TSS_HTPM hTPM, TSS_FLAG capArea,
				UINT32 ulSubCapLength, BYTE *rgbSubCap,
				UINT32 *pulRespDataLength,
				BYTE **prgbRespData);
TSPICALL Tspi_TPM_GetCapabilitySigned(TSS_HTPM hTPM, TSS_HKEY hKey,
				      TSS_FLAG capArea, UINT32 ulSubCapLength,
				      BYTE *rgbSubCap,
				      TSS_VALIDATION *pValidationData,
				      UINT32 *pulRespDataLength,
				      BYTE **prgbRespData);
TSPICALL Tspi_TPM_SelfTestFull(TSS_HTPM hTPM);
TSPICALL Tspi_TPM_CertifySelfTest(TSS_HTPM hTPM, TSS_HKEY hKey,
				  TSS_VALIDATION *pValidationData);
TSPICALL Tspi_TPM_GetTestResult(TSS_HTPM hTPM, UINT32 *pulTestResultLength,
				BYTE **prgbTestResult);
TSPICALL Tspi_TPM_GetRandom(TSS_HTPM hTPM, UINT32 ulRandomDataLength,
			    BYTE **prgbRandomData);
TSPICALL Tspi_TPM_StirRandom(TSS_HTPM hTPM, UINT32 ulEntropyDataLength,
			     BYTE *rgbEntropyData);

/* ---- TPM: event log and PCRs ------------------------------------------- */
TSPICALL Tspi_TPM_GetEvent(TSS_HTPM hTPM, UINT32 ulPcrIndex,
			   UINT32 ulEventNumber, TSS_PCR_EVENT *pPcrEvent);
TSPICALL Tspi_TPM_GetEvents(TSS_HTPM hTPM, UINT32 ulPcrIndex,
			    UINT32 ulStartNumber, UINT32 *pulEventNumber,
			    TSS_PCR_EVENT **prgPcrEvents);
TSPICALL Tspi_TPM_GetEventLog(TSS_HTPM hTPM, UINT32 *pulEventNumber,
			      TSS_PCR_EVENT **prgPcrEvents);
TSPICALL Tspi_TPM_Quote(TSS_HTPM hTPM, TSS_HKEY hIdentKey,
			TSS_HPCRS hPcrComposite,
			TSS_VALIDATION *pValidationData);
TSPICALL Tspi_TPM_Quote2(TSS_HTPM hTPM, TSS_HKEY hIdentKey,
			 TSS_BOOL fAddVersion, TSS_HPCRS hPcrComposite,
			 TSS_VALIDATION *pValidationData,
			 UINT32 *versionInfoSize, BYTE **versionInfo);
TSPICALL Tspi_TPM_PcrExtend(TSS_HTPM hTPM, UINT32 ulPcrIndex,
			    UINT32 ulPcrDataLength, BYTE *pbPcrData,
			    TSS_PCR_EVENT *pPcrEvent,
			    UINT32 *pulPcrValueLength, BYTE **prgbPcrValue);
TSPICALL Tspi_TPM_PcrRead(TSS_HTPM hTPM, UINT32 ulPcrIndex,
			  UINT32 *pulPcrValueLength, BYTE **prgbPcrValue);
TSPICALL Tspi_TPM_PcrReset(TSS_HTPM hTPM, TSS_HPCRS hPcrComposite);

/* ---- TPM: migration and certified migration ---------------------------- */
TSPICALL Tspi_TPM_AuthorizeMigrationTicket(TSS_HTPM hTPM,
					   TSS_HKEY hMigrationKey,
					   TSS_MIGRATE_SCHEME migrationScheme,
					   UINT32 *pulMigTicketLength,
					   BYTE **prgbMigTicket);
TSPICALL Tspi_TPM_CMKSetRestrictions(TSS_HTPM hTPM,
				     TSS_CMK_DELEGATE CmkDelegate);
TSPICALL Tspi_TPM_CMKApproveMA(TSS_HTPM hTPM, TSS_HMIGDATA hMaAuthData);
TSPICALL Tspi_TPM_CMKCreateTicket(TSS_HTPM hTPM, TSS_HKEY hVerifyKey,
				  TSS_HMIGDATA hSigData);

/* ---- TPM: counters, ticks, DIRs ---------------------------------------- */
TSPICALL Tspi_TPM_ReadCounter(TSS_HTPM hTPM, UINT32 *counterValue);
TSPICALL Tspi_TPM_ReadCurrentTicks(TSS_HTPM hTPM,
				   TPM_CURRENT_TICKS *tickCount);
TSPICALL Tspi_TPM_DirWrite(TSS_HTPM hTPM, UINT32 ulDirIndex,
			   UINT32 ulDirDataLength, BYTE *rgbDirData);
TSPICALL Tspi_TPM_DirRead(TSS_HTPM hTPM, UINT32 ulDirIndex,
			  UINT32 *pulDirDataLength, BYTE **prgbDirData);

/* ---- TPM: delegation --------------------------------------------------- */
TSPICALL Tspi_TPM_Delegate_AddFamily(TSS_HTPM hTPM, BYTE bLabel,
				     TSS_HDELFAMILY *phFamily);
TSPICALL Tspi_TPM_Delegate_GetFamily(TSS_HTPM hTPM, UINT32 ulFamilyID,
				     TSS_HDELFAMILY *phFamily);
TSPICALL Tspi_TPM_Delegate_InvalidateFamily(TSS_HTPM hTPM,
					    TSS_HDELFAMILY hFamily);
/* hObject is the TPM (owner delegation) or a key (key delegation) */
TSPICALL Tspi_TPM_Delegate_CreateDelegation(TSS_HOBJECT hObject, BYTE bLabel,
					    UINT32 ulFlags, TSS_HPCRS hPcr,
					    TSS_HDELFAMILY hFamily,
					    TSS_HPOLICY hDelegation);
TSPICALL Tspi_TPM_Delegate_CacheOwnerDelegation(TSS_HTPM hTPM,
						TSS_HPOLICY hDelegation,
						UINT32 ulIndex,
						UINT32 ulFlags);
TSPICALL Tspi_TPM_Delegate_UpdateVerificationCount(TSS_HTPM hTPM,
						   TSS_HPOLICY hDelegation);
TSPICALL Tspi_TPM_Delegate_VerifyDelegation(TSS_HPOLICY hDelegation);
TSPICALL Tspi_TPM_Delegate_ReadTables(TSS_HCONTEXT hContext,
				      UINT32 *pulFamilyTableSize,
				      TSS_FAMILY_TABLE_ENTRY **ppFamilyTable,
				      UINT32 *pulDelegateTableSize,
				      TSS_DELEGATION_TABLE_ENTRY **ppDelegateTable);

/* ---- TPM: DAA ---------------------------------------------------------- */
TSPICALL Tspi_TPM_DAA_JoinInit(TSS_HTPM hTPM, TSS_HDAA_ISSUER_KEY hIssuerKey,
			       UINT32 daaCounter, UINT32 issuerAuthPKsLength,
			       TSS_HKEY *issuerAuthPKs,
			       UINT32 issuerAuthPKSignaturesLength,
			       UINT32 issuerAuthPKSignaturesLength2,
			       BYTE **issuerAuthPKSignatures,
			       UINT32 *capitalUprimeLength,
			       BYTE **capitalUprime,
			       TSS_DAA_IDENTITY_PROOF **identityProof,
			       UINT32 *joinSessionLength, BYTE **joinSession);
TSPICALL Tspi_TPM_DAA_JoinCreateDaaPubKey(TSS_HTPM hTPM,
					  TSS_HDAA_CREDENTIAL hDAACredential,
					  UINT32 authenticationChallengeLength,
					  BYTE *authenticationChallenge,
					  UINT32 nonceIssuerLength,
					  BYTE *nonceIssuer,
					  UINT32 attributesPlatformLength,
					  UINT32 attributesPlatformLength2,
					  BYTE **attributesPlatform,
					  UINT32 joinSessionLength,
					  BYTE *joinSession,
					  TSS_DAA_CREDENTIAL_REQUEST **credentialRequest);
TSPICALL Tspi_TPM_DAA_JoinStoreCredential(TSS_HTPM hTPM,
					  TSS_HDAA_CREDENTIAL hDAACredential,
					  TSS_DAA_CRED_ISSUER *credIssuer,
					  UINT32 joinSessionLength,
					  BYTE *joinSession);
TSPICALL Tspi_TPM_DAA_Sign(TSS_HTPM hTPM, TSS_HDAA_CREDENTIAL hDAACredential,
			   TSS_HDAA_ARA_KEY hARAKey,
			   TSS_DAA_SELECTED_ATTRIB *revealAttributes,
			   UINT32 verifierNonceLength, BYTE *verifierNonce,
			   UINT32 verifierBaseNameLength,
			   BYTE *verifierBaseName, TSS_HOBJECT signData,
			   TSS_DAA_SIGNATURE **daaSignature);

/* ---- TPM: audit -------------------------------------------------------- */
TSPICALL Tspi_TPM_GetAuditDigest(TSS_HTPM hTPM, TSS_HKEY hKey,
				 TSS_BOOL closeAudit,
				 UINT32 *pulAuditDigestSize,
				 BYTE **prgbAuditDigest,
				 TPM_COUNTER_VALUE *pCounterValue,
				 TSS_VALIDATION *pValidationData,
				 UINT32 *ordSize, UINT32 **ordList);

/* ---- PCR composite ----------------------------------------------------- */
TSPICALL Tspi_PcrComposite_SelectPcrIndex(TSS_HPCRS hPcrComposite,
					  UINT32 ulPcrIndex);
/* direction: TSS_PCRS_DIRECTION_CREATION or _RELEASE */
TSPICALL Tspi_PcrComposite_SelectPcrIndexEx(TSS_HPCRS hPcrComposite,
					    UINT32 ulPcrIndex,
					    UINT32 direction);
TSPICALL Tspi_PcrComposite_SetPcrValue(TSS_HPCRS hPcrComposite,
				       UINT32 ulPcrIndex,
				       UINT32 ulPcrValueLength,
				       BYTE *rgbPcrValue);
TSPICALL Tspi_PcrComposite_GetPcrValue(TSS_HPCRS hPcrComposite,
				       UINT32 ulPcrIndex,
				       UINT32 *pulPcrValueLength,
				       BYTE **prgbPcrValue);
TSPICALL Tspi_PcrComposite_SetPcrLocality(TSS_HPCRS hPcrComposite,
					  UINT32 LocalityValue);
TSPICALL Tspi_PcrComposite_GetPcrLocality(TSS_HPCRS hPcrComposite,
					  UINT32 *pLocalityValue);
TSPICALL Tspi_PcrComposite_GetCompositeHash(TSS_HPCRS hPcrComposite,
					    UINT32 *pLen,
					    BYTE **ppbHashData);

/* ---- Key --------------------------------------------------------------- */
TSPICALL Tspi_Key_LoadKey(TSS_HKEY hKey, TSS_HKEY hUnwrappingKey);
TSPICALL Tspi_Key_UnloadKey(TSS_HKEY hKey);
TSPICALL Tspi_Key_GetPubKey(TSS_HKEY hKey, UINT32 *pulPubKeyLength,
			    BYTE **prgbPubKey);
TSPICALL Tspi_Key_CertifyKey(TSS_HKEY hKey, TSS_HKEY hCertifyingKey,
			     TSS_VALIDATION *pValidationData);
/* hPcrComposite may be 0 for a key not bound to PCRs */
TSPICALL Tspi_Key_CreateKey(TSS_HKEY hKey, TSS_HKEY hWrappingKey,
			    TSS_HPCRS hPcrComposite);
TSPICALL Tspi_Key_WrapKey(TSS_HKEY hKey, TSS_HKEY hWrappingKey,
			  TSS_HPCRS hPcrComposite);
TSPICALL Tspi_Key_CreateMigrationBlob(TSS_HKEY hKeyToMigrate,
				      TSS_HKEY hParentKey,
				      UINT32 ulMigTicketLength,
				      BYTE *rgbMigTicket,
				      UINT32 *pulRandomLength,
				      BYTE **prgbRandom,
				      UINT32 *pulMigrationBlobLength,
				      BYTE **prgbMigrationBlob);
TSPICALL Tspi_Key_ConvertMigrationBlob(TSS_HKEY hKeyToMigrate,
				       TSS_HKEY hParentKey,
				       UINT32 ulRandomLength, BYTE *rgbRandom,
				       UINT32 ulMigrationBlobLength,
				       BYTE *rgbMigrationBlob);
TSPICALL Tspi_Key_MigrateKey(TSS_HKEY hMaKey, TSS_HKEY hPublicKey,
			     TSS_HKEY hMigData);
TSPICALL Tspi_Key_CMKCreateBlob(TSS_HKEY hKeyToMigrate, TSS_HKEY hParentKey,
				TSS_HMIGDATA hMigrationData,
				UINT32 *pulRandomLength, BYTE **prgbRandom);
TSPICALL Tspi_Key_CMKConvertMigration(TSS_HKEY hKeyToMigrate,
				      TSS_HKEY hParentKey,
				      TSS_HMIGDATA hMigrationData,
				      UINT32 ulRandomLength, BYTE *rgbRandom);

/* ---- Hash -------------------------------------------------------------- */
TSPICALL Tspi_Hash_Sign(TSS_HHASH hHash, TSS_HKEY hKey,
			UINT32 *pulSignatureLength, BYTE **prgbSignature);
TSPICALL Tspi_Hash_VerifySignature(TSS_HHASH hHash, TSS_HKEY hKey,
				   UINT32 ulSignatureLength,
				   BYTE *rgbSignature);
TSPICALL Tspi_Hash_SetHashValue(TSS_HHASH hHash, UINT32 ulHashValueLength,
				BYTE *rgbHashValue);
TSPICALL Tspi_Hash_GetHashValue(TSS_HHASH hHash, UINT32 *pulHashValueLength,
				BYTE **prgbHashValue);
TSPICALL Tspi_Hash_UpdateHashValue(TSS_HHASH hHash, UINT32 ulDataLength,
				   BYTE *rgbData);
TSPICALL Tspi_Hash_TickStampBlob(TSS_HHASH hHash, TSS_HKEY hIdentKey,
				 TSS_VALIDATION *pValidationData);

/* ---- Encrypted data ---------------------------------------------------- */
TSPICALL Tspi_Data_Bind(TSS_HENCDATA hEncData, TSS_HKEY hEncKey,
			UINT32 ulDataLength, BYTE *rgbDataToBind);
TSPICALL Tspi_Data_Unbind(TSS_HENCDATA hEncData, TSS_HKEY hKey,
			  UINT32 *pulUnboundDataLength,
			  BYTE **prgbUnboundData);
TSPICALL Tspi_Data_Seal(TSS_HENCDATA hEncData, TSS_HKEY hEncKey,
			UINT32 ulDataLength, BYTE *rgbDataToSeal,
			TSS_HPCRS hPcrComposite);
TSPICALL Tspi_Data_Unseal(TSS_HENCDATA hEncData, TSS_HKEY hKey,
			  UINT32 *pulUnsealedDataLength,
			  BYTE **prgbUnsealedData);

/* ---- NV storage -------------------------------------------------------- */
/* the PCR composites may be 0 when the area is not PCR bound */
TSPICALL Tspi_NV_DefineSpace(TSS_HNVSTORE hNVStore,
			     TSS_HPCRS hReadPcrComposite,
			     TSS_HPCRS hWritePcrComposite);
TSPICALL Tspi_NV_ReleaseSpace(TSS_HNVSTORE hNVStore);
TSPICALL Tspi_NV_WriteValue(TSS_HNVSTORE hNVStore, UINT32 offset,
			    UINT32 ulDataLength, BYTE *rgbDataToWrite);
/* *ulDataLength: bytes wanted in, bytes read out */
TSPICALL Tspi_NV_ReadValue(TSS_HNVSTORE hNVStore, UINT32 offset,
			   UINT32 *ulDataLength, BYTE **rgbDataRead);

/* ---- DAA issuer / verifier / revocation utilities (no TPM needed) ------ */
TSPICALL Tspi_DAA_IssuerKeyVerify(TSS_HDAA_CREDENTIAL hDAACredential,
				  TSS_HDAA_ISSUER_KEY hIssuerKey,
				  TSS_BOOL *isCorrect);
TSPICALL Tspi_DAA_Issuer_GenerateKey(TSS_HDAA_ISSUER_KEY hIssuerKey,
				     UINT32 issuerBaseNameLength,
				     BYTE *issuerBaseName);
TSPICALL Tspi_DAA_Issuer_InitCredential(TSS_HDAA_ISSUER_KEY hIssuerKey,
					TSS_HKEY issuerAuthPK,
					TSS_DAA_IDENTITY_PROOF *identityProof,
					UINT32 capitalUprimeLength,
					BYTE *capitalUprime,
					UINT32 daaCounter,
					UINT32 *nonceIssuerLength,
					BYTE **nonceIssuer,
					UINT32 *authenticationChallengeLength,
					BYTE **authenticationChallenge,
					UINT32 *joinSessionLength,
					BYTE **joinSession);
TSPICALL Tspi_DAA_Issuer_IssueCredential(TSS_HDAA_ISSUER_KEY hIssuerKey,
					 TSS_DAA_CREDENTIAL_REQUEST *credentialRequest,
					 UINT32 issuerJoinSessionLength,
					 BYTE *issuerJoinSession,
					 TSS_DAA_CRED_ISSUER **credIssuer);
TSPICALL Tspi_DAA_Verifier_Init(TSS_HDAA_CREDENTIAL hDAACredential,
				UINT32 *nonceVerifierLength,
				BYTE **nonceVerifier,
				UINT32 *baseNameLength, BYTE **baseName);
TSPICALL Tspi_DAA_VerifySignature(TSS_HDAA_CREDENTIAL hDAACredential,
				  TSS_HDAA_ISSUER_KEY hIssuerKey,
				  TSS_HDAA_ARA_KEY hARAKey,
				  TSS_HHASH hARACondition,
				  UINT32 attributesLength,
				  UINT32 attributesLength2,
				  BYTE **attributes,
				  UINT32 verifierNonceLength,
				  BYTE *verifierNonce,
				  UINT32 verifierBaseNameLength,
				  BYTE *verifierBaseName,
				  TSS_HOBJECT signData,
				  TSS_DAA_SIGNATURE *daaSignature,
				  TSS_BOOL *isCorrect);
TSPICALL Tspi_DAA_ARA_GenerateKey(TSS_HDAA_ISSUER_KEY hIssuerKey,
				  TSS_HDAA_ARA_KEY hARAKey);
TSPICALL Tspi_DAA_ARA_RevokeAnonymity(TSS_HDAA_ARA_KEY hARAKey,
				      TSS_HHASH hARACondition,
				      TSS_HDAA_ISSUER_KEY hIssuerKey,
				      TSS_DAA_PSEUDONYM_ENCRYPTED *encryptedPseudonym,
				      TSS_DAA_PSEUDONYM_PLAIN **pseudonym);

/* ---- Application callbacks (TSS_CALLBACK.callback points to one) ------- */

/* compute (ReturnOrVerify FALSE) or check the auth HMAC of a command */
typedef TSS_RESULT (*Tspicb_CallbackHMACAuth)(PVOID lpAppData,
		TSS_HOBJECT hAuthorizedObject, TSS_BOOL ReturnOrVerify,
		UINT32 ulPendingFunction, TSS_BOOL ContinueUse,
		UINT32 ulSizeNonces, BYTE *rgbNonceEven, BYTE *rgbNonceOdd,
		BYTE *rgbNonceEvenOSAP, BYTE *rgbNonceOddOSAP,
		UINT32 ulSizeDigestHmac, BYTE *rgbParamDigest,
		BYTE *rgbHmacData);

/* produce the encrypted new auth values of an OSAP-protected command */
typedef TSS_RESULT (*Tspicb_CallbackXorEnc)(PVOID lpAppData,
		TSS_HOBJECT hOSAPObject, TSS_HOBJECT hObject,
		TSS_FLAG PurposeSecret, UINT32 ulSizeNonces,
		BYTE *rgbNonceEven, BYTE *rgbNonceOdd,
		BYTE *rgbNonceEvenOSAP, BYTE *rgbNonceOddOSAP,
		UINT32 ulSizeEncAuth, BYTE *rgbEncAuthUsage,
		BYTE *rgbEncAuthMigration);

typedef TSS_RESULT (*Tspicb_CallbackTakeOwnership)(PVOID lpAppData,
		TSS_HOBJECT hObject, TSS_HKEY hObjectPubKey,
		UINT32 ulSizeEncAuth, BYTE *rgbEncAuth);

/* mask the data of a Sealx operation */
typedef TSS_RESULT (*Tspicb_CallbackSealxMask)(PVOID lpAppData,
		TSS_HKEY hKey, TSS_HENCDATA hEncData, TSS_ALGORITHM_ID algID,
		UINT32 ulSizeNonces, BYTE *rgbNonceEven, BYTE *rgbNonceOdd,
		BYTE *rgbNonceEvenOSAP, BYTE *rgbNonceOddOSAP,
		UINT32 ulDataLength, BYTE *rgbDataToMask,
		BYTE *rgbMaskedData);

typedef TSS_RESULT (*Tspicb_CallbackChangeAuthAsym)(PVOID lpAppData,
		TSS_HOBJECT hObject, TSS_HKEY hObjectPubKey,
		UINT32 ulSizeEncAuth, UINT32 ulSizeAuthLink,
		BYTE *rgbEncAuth, BYTE *rgbAuthLink);

/* privacy-CA side of Tspi_TPM_CollateIdentityRequest */
typedef TSS_RESULT (*Tspicb_CollateIdentity)(PVOID lpAppData,
		UINT32 ulTCPAPlainIdentityProofLength,
		BYTE *rgbTCPAPlainIdentityProof, TSS_ALGORITHM_ID algID,
		UINT32 ulSessionKeyLength, BYTE *rgbSessionKey,
		UINT32 *pulTCPAIdentityProofLength,
		BYTE *rgbTCPAIdentityProof);

typedef TSS_RESULT (*Tspicb_ActivateIdentity)(PVOID lpAppData,
		UINT32 ulSessionKeyLength, BYTE *rgbSessionKey,
		UINT32 ulSymCAAttestationBlobLength,
		BYTE *rgbSymCAAttestationBlob, UINT32 *pulCredentialLength,
		BYTE *rgbCredential);

typedef TSS_RESULT (*Tspicb_DAA_Sign)(PVOID lpAppData,
		TSS_HDAA_ISSUER_KEY daaPublicKey, UINT32 gammasLength,
		BYTE **gammas, UINT32 attributesLength, BYTE **attributes,
		UINT32 randomAttributesLength, BYTE **randomAttributes,
		UINT32 attributeCommitmentsLength,
		TSS_DAA_ATTRIB_COMMIT *attributeCommitments,
		TSS_DAA_ATTRIB_COMMIT *attributeCommitmentsProof,
		TSS_DAA_PSEUDONYM_PLAIN *pseudonym,
		TSS_DAA_PSEUDONYM_PLAIN *pseudonymTilde,
		TSS_DAA_PSEUDONYM_ENCRYPTED *pseudonymEncrypted,
		TSS_DAA_PSEUDONYM_ENCRYPTED *pseudonymEncProof,
		TSS_DAA_SIGN_CALLBACK **additionalProof);

typedef TSS_RESULT (*Tspicb_DAA_VerifySignature)(PVOID lpAppData,
		UINT32 challengeLength, BYTE *challenge,
		TSS_DAA_SIGN_CALLBACK *additionalProof,
		TSS_HDAA_ISSUER_KEY daaPublicKey, UINT32 gammasLength,
		BYTE **gammas, UINT32 sAttributesLength, BYTE **sAttributes,
		UINT32 attributeCommitmentsLength,
		TSS_DAA_ATTRIB_COMMIT *attributeCommitments,
		TSS_DAA_ATTRIB_COMMIT *attributeCommitmentsProof,
		UINT32 zetaLength, BYTE *zeta, UINT32 sFLength, BYTE *sF,
		TSS_DAA_PSEUDONYM *pseudonym,
		TSS_DAA_PSEUDONYM *pseudonymProof, TSS_BOOL *isCorrect);

#if defined(__cplusplus)
}
#endif

#endif /* _TSPI_H_ */
