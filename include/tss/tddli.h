/*
 * TPM Device Driver Library interface (TSS 1.2 spec, TDDL chapter): the
 * lowest TSS layer, one connection to the TPM, one command at a time.
 */
#ifndef __TDDLI_H__
#define __TDDLI_H__

#include <tss/tss_typedef.h>
#include <tss/tddl_error.h>

/* Export decoration; nothing is needed on ELF platforms. */
#if !defined(TDDLI)
#define TDDLI
#endif

/* Tddli_GetCapability areas and sub-capabilities */
#define TDDL_CAP_VERSION     0x0100
#define TDDL_CAP_VER_DRV     0x0101
#define TDDL_CAP_VER_FW      0x0102
#define TDDL_CAP_VER_FW_DATE 0x0103

#define TDDL_CAP_PROPERTY          0x0200
#define TDDL_CAP_PROP_MANUFACTURER 0x0201
#define TDDL_CAP_PROP_MODULE_TYPE  0x0202
#define TDDL_CAP_PROP_GLOBAL_STATE 0x0203

#ifdef __cplusplus
extern "C" {
#endif

TDDLI TSS_RESULT Tddli_Open(void);
TDDLI TSS_RESULT Tddli_Close(void);
/* abort the command currently in flight */
TDDLI TSS_RESULT Tddli_Cancel(void);

TDDLI TSS_RESULT Tddli_GetCapability(UINT32 CapArea, UINT32 SubCap,
				     BYTE *pCapBuf, UINT32 *puntCapBufLen);
TDDLI TSS_RESULT Tddli_SetCapability(UINT32 CapArea, UINT32 SubCap,
				     BYTE *pCapBuf, UINT32 puntCapBufLen);
TDDLI TSS_RESULT Tddli_GetStatus(UINT32 ReqStatusType, UINT32 *puntStatus);

/* send one command; *puntReceiveBufLen is the buffer size in, bytes out */
TDDLI TSS_RESULT Tddli_TransmitData(BYTE *pTransmitBuf, UINT32 TransmitBufLen,
				    BYTE *pReceiveBuf, UINT32 *puntReceiveBufLen);

TDDLI TSS_RESULT Tddli_SetPowerManagement(TSS_BOOL SendSaveStateCommand,
					  UINT32 *QuerySetNewTPMPowerState);
TDDLI TSS_RESULT Tddli_PowerManagementControl(TSS_BOOL SendPowerManager,
					      UINT32 *DriverManagesPowerStates);

#ifdef __cplusplus
}
#endif

#endif /* __TDDLI_H__ */
