/*
 * A TrouSerS client that makes Debian's libtspi send a spread of TCSD
 * ordinals, for capture.py to record. Built against /usr/include/tss and
 * linked -ltspi; never part of tss12 itself. Each step reports and goes
 * on, so one unsupported call does not hide the others.
 */
#include <stdio.h>
#include <string.h>

#include <tss/tspi.h>

static int failures;

static void check(const char *what, TSS_RESULT rc)
{
	printf("%-32s 0x%08x\n", what, rc);
	if (rc != TSS_SUCCESS)
		failures++;
}

int main(void)
{
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_HKEY srk, key;
	TSS_HPOLICY tpm_policy, srk_policy, key_policy, data_policy;
	TSS_HENCDATA enc;
	TSS_HHASH hash;
	TSS_PCR_EVENT ev, *events = NULL;
	TSS_UUID srk_uuid = TSS_UUID_SRK;
	TSS_UUID key_uuid = { 0x12345678, 0x1234, 0x5678, 0x9a, 0xbc, { 1, 2, 3, 4, 5, 6 } };
	BYTE secret[20] = { 0 };
	BYTE *p = NULL, *p2 = NULL;
	UINT32 n = 0, n2 = 0, sub;
	BYTE stir[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	BYTE digest[20];
	BYTE data[] = "secret data";

	check("Context_Create", Tspi_Context_Create(&ctx));
	check("Context_Connect", Tspi_Context_Connect(ctx, NULL));
	check("Context_GetTpmObject", Tspi_Context_GetTpmObject(ctx, &tpm));
	check("TPM_GetRandom", Tspi_TPM_GetRandom(tpm, 16, &p));
	check("TPM_StirRandom", Tspi_TPM_StirRandom(tpm, sizeof(stir), stir));
	check("TPM_PcrRead", Tspi_TPM_PcrRead(tpm, 10, &n, &p));
	sub = TSS_TPMCAP_PROP_PCR;
	check("TPM_GetCapability", Tspi_TPM_GetCapability(tpm, TSS_TPMCAP_PROPERTY, sizeof(sub),
							    (BYTE *)&sub, &n, &p));
	check("TPM_GetCapability(version)",
	      Tspi_TPM_GetCapability(tpm, TSS_TPMCAP_VERSION_VAL, 0, NULL, &n, &p));
	sub = TSS_TCSCAP_PROP_MANUFACTURER_STR;
	check("Context_GetCapability(TCS)",
	      Tspi_Context_GetCapability(ctx, TSS_TCSCAP_MANUFACTURER, sizeof(sub), (BYTE *)&sub,
					 &n, &p));
	memset(digest, 0x5a, sizeof(digest));
	memset(&ev, 0, sizeof(ev));
	ev.ulPcrIndex = 11;
	ev.eventType = 0x0d;
	ev.rgbEvent = (BYTE *)"capture event";
	ev.ulEventLength = 13;
	check("TPM_PcrExtend", Tspi_TPM_PcrExtend(tpm, 11, sizeof(digest), digest, &ev, &n, &p));
	check("TPM_GetEvents", Tspi_TPM_GetEvents(tpm, 11, 0, &n, &events));
	check("TPM_GetEventLog", Tspi_TPM_GetEventLog(tpm, &n, &events));
	check("TPM_SelfTestFull", Tspi_TPM_SelfTestFull(tpm));
	check("TPM_GetTestResult", Tspi_TPM_GetTestResult(tpm, &n, &p));

	/* Take ownership with well-known secrets, then use keys. */
	check("TPM_GetPolicyObject", Tspi_GetPolicyObject(tpm, TSS_POLICY_USAGE, &tpm_policy));
	check("Policy_SetSecret(owner)",
	      Tspi_Policy_SetSecret(tpm_policy, TSS_SECRET_MODE_SHA1, 20, secret));
	check("Context_CreateObject(srk)",
	      Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY, TSS_KEY_TSP_SRK, &srk));
	check("GetPolicyObject(srk)", Tspi_GetPolicyObject(srk, TSS_POLICY_USAGE, &srk_policy));
	check("Policy_SetSecret(srk)",
	      Tspi_Policy_SetSecret(srk_policy, TSS_SECRET_MODE_SHA1, 20, secret));
	check("TPM_TakeOwnership", Tspi_TPM_TakeOwnership(tpm, srk, 0));
	Tspi_Context_CloseObject(ctx, srk);

	check("LoadKeyByUUID(srk)",
	      Tspi_Context_LoadKeyByUUID(ctx, TSS_PS_TYPE_SYSTEM, srk_uuid, &srk));
	check("GetPolicyObject(srk)", Tspi_GetPolicyObject(srk, TSS_POLICY_USAGE, &srk_policy));
	check("Policy_SetSecret(srk)",
	      Tspi_Policy_SetSecret(srk_policy, TSS_SECRET_MODE_SHA1, 20, secret));

	check("CreateObject(key)",
	      Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
					TSS_KEY_SIZE_2048 | TSS_KEY_TYPE_SIGNING |
						TSS_KEY_AUTHORIZATION,
					&key));
	check("CreateObject(key policy)",
	      Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE,
					&key_policy));
	check("Policy_SetSecret(key)",
	      Tspi_Policy_SetSecret(key_policy, TSS_SECRET_MODE_SHA1, 20, secret));
	check("Policy_AssignToObject(key)", Tspi_Policy_AssignToObject(key_policy, key));
	check("Key_CreateKey", Tspi_Key_CreateKey(key, srk, 0));
	check("Key_LoadKey", Tspi_Key_LoadKey(key, srk));
	check("Key_GetPubKey", Tspi_Key_GetPubKey(key, &n, &p));
	check("Context_CreateObject(hash)",
	      Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH, TSS_HASH_SHA1, &hash));
	check("Hash_SetHashValue", Tspi_Hash_SetHashValue(hash, sizeof(digest), digest));
	check("Hash_Sign", Tspi_Hash_Sign(hash, key, &n, &p));
	check("RegisterKey", Tspi_Context_RegisterKey(ctx, key, TSS_PS_TYPE_SYSTEM, key_uuid,
						      TSS_PS_TYPE_SYSTEM, srk_uuid));
	{
		TSS_KM_KEYINFO *info = NULL;
		TSS_KM_KEYINFO2 *info2 = NULL;

		check("GetRegisteredKeysByUUID",
		      Tspi_Context_GetRegisteredKeysByUUID(ctx, TSS_PS_TYPE_SYSTEM, NULL, &n,
							   &info));
		check("GetRegisteredKeysByUUID2",
		      Tspi_Context_GetRegisteredKeysByUUID2(ctx, TSS_PS_TYPE_SYSTEM, NULL, &n,
							    &info2));
	}
	{
		TSS_HKEY unregistered;

		/* Hands back a new, unloaded key object: keep using key. */
		check("UnregisterKey", Tspi_Context_UnregisterKey(ctx, TSS_PS_TYPE_SYSTEM,
								  key_uuid, &unregistered));
	}

	check("CreateObject(encdata)",
	      Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_SEAL, &enc));
	check("CreateObject(data policy)",
	      Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY, TSS_POLICY_USAGE,
					&data_policy));
	check("Policy_SetSecret(data)",
	      Tspi_Policy_SetSecret(data_policy, TSS_SECRET_MODE_SHA1, 20, secret));
	check("Policy_AssignToObject(data)", Tspi_Policy_AssignToObject(data_policy, enc));
	check("Data_Seal", Tspi_Data_Seal(enc, srk, sizeof(data), data, 0));
	check("Data_Unseal", Tspi_Data_Unseal(enc, srk, &n2, &p2));
	if (n2 != sizeof(data) || p2 == NULL || memcmp(p2, data, n2) != 0)
		check("unsealed data matches", 1);

	/* Owner-authorised reads, quotes, certification, ticks, NV, DIR. */
	{
		TSS_HKEY ek, bindkey;
		TSS_HPCRS pcrs;
		TSS_HNVSTORE nv;
		TSS_HENCDATA bound;
		TSS_BOOL state;
		TSS_VALIDATION val;
		TPM_CURRENT_TICKS ticks;
		BYTE nonce[20] = { 9 };
		UINT32 counter;

		check("TPM_GetPubEndorsementKey(owner)",
		      Tspi_TPM_GetPubEndorsementKey(tpm, TRUE, NULL, &ek));
		check("TPM_OwnerGetSRKPubKey", Tspi_TPM_OwnerGetSRKPubKey(tpm, &n, &p));
		check("TPM_GetStatus(disable)",
		      Tspi_TPM_GetStatus(tpm, TSS_TPMSTATUS_DISABLED, &state));
		check("CreateObject(pcrs)",
		      Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_PCRS, 0, &pcrs));
		check("PcrComposite_SelectPcrIndex", Tspi_PcrComposite_SelectPcrIndex(pcrs, 10));
		memset(&val, 0, sizeof(val));
		val.ulExternalDataLength = sizeof(nonce);
		val.rgbExternalData = nonce;
		check("TPM_Quote", Tspi_TPM_Quote(tpm, key, pcrs, &val));
		check("CreateObject(pcrs short)",
		      Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_PCRS,
						TSS_PCRS_STRUCT_INFO_SHORT, &pcrs));
		check("PcrComposite_SelectPcrIndexEx",
		      Tspi_PcrComposite_SelectPcrIndexEx(pcrs, 10,
							 TSS_PCRS_DIRECTION_RELEASE));
		memset(&val, 0, sizeof(val));
		val.ulExternalDataLength = sizeof(nonce);
		val.rgbExternalData = nonce;
		check("TPM_Quote2", Tspi_TPM_Quote2(tpm, key, TRUE, pcrs, &val, &n, &p));
		memset(&val, 0, sizeof(val));
		val.ulExternalDataLength = sizeof(nonce);
		val.rgbExternalData = nonce;
		check("Key_CertifyKey", Tspi_Key_CertifyKey(key, key, &val));
		check("TPM_ReadCurrentTicks", Tspi_TPM_ReadCurrentTicks(tpm, &ticks));
		memset(&val, 0, sizeof(val));
		val.ulExternalDataLength = sizeof(nonce);
		val.rgbExternalData = nonce;
		check("Hash_TickStampBlob", Tspi_Hash_TickStampBlob(hash, key, &val));
		check("TPM_ReadCounter", Tspi_TPM_ReadCounter(tpm, &counter));
		check("TPM_DirWrite", Tspi_TPM_DirWrite(tpm, 0, sizeof(digest), digest));
		check("TPM_DirRead", Tspi_TPM_DirRead(tpm, 0, &n, &p));

		check("CreateObject(bind key)",
		      Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_RSAKEY,
						TSS_KEY_SIZE_2048 | TSS_KEY_TYPE_BIND |
							TSS_KEY_NO_AUTHORIZATION,
						&bindkey));
		check("Key_CreateKey(bind)", Tspi_Key_CreateKey(bindkey, srk, 0));
		check("Key_LoadKey(bind)", Tspi_Key_LoadKey(bindkey, srk));
		check("CreateObject(bound)",
		      Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_ENCDATA, TSS_ENCDATA_BIND,
						&bound));
		check("Data_Bind", Tspi_Data_Bind(bound, bindkey, sizeof(data), data));
		check("Data_Unbind", Tspi_Data_Unbind(bound, bindkey, &n, &p));

		check("CreateObject(nv)",
		      Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_NV, 0, &nv));
		check("SetAttribUint32(nv index)",
		      Tspi_SetAttribUint32(nv, TSS_TSPATTRIB_NV_INDEX, 0, 0x00011101));
		check("SetAttribUint32(nv perms)",
		      Tspi_SetAttribUint32(nv, TSS_TSPATTRIB_NV_PERMISSIONS, 0,
					   TPM_NV_PER_OWNERWRITE | TPM_NV_PER_OWNERREAD));
		check("SetAttribUint32(nv size)",
		      Tspi_SetAttribUint32(nv, TSS_TSPATTRIB_NV_DATASIZE, 0, 16));
		check("NV_DefineSpace", Tspi_NV_DefineSpace(nv, 0, 0));
		check("NV_WriteValue", Tspi_NV_WriteValue(nv, 0, 8, data));
		n = 8;
		check("NV_ReadValue", Tspi_NV_ReadValue(nv, 0, &n, &p));
		check("NV_ReleaseSpace", Tspi_NV_ReleaseSpace(nv));
		check("Key_UnloadKey(bind)", Tspi_Key_UnloadKey(bindkey));
	}

	check("Key_UnloadKey", Tspi_Key_UnloadKey(key));
	Tspi_Context_FreeMemory(ctx, NULL);
	check("Context_Close", Tspi_Context_Close(ctx));
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
