/*
 * libtpms calls, isolated from the TSS headers (see libtpms_glue.h).
 */
#include "config.h"

#include <stddef.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>

#include "libtpms_glue.h"

static const struct ltg_nvram *ltg_nv;

static TPM_RESULT nv_init(void)
{
	return TPM_SUCCESS;
}

static TPM_RESULT nv_load(unsigned char **data, uint32_t *length, uint32_t tpm_number,
			  const char *name)
{
	int rc = ltg_nv ? ltg_nv->load(name, data, length) : -1;

	/* TPM_RETRY tells libtpms nothing was stored yet (a new TPM). */
	return rc == 0 ? TPM_SUCCESS : rc == 1 ? TPM_RETRY : TPM_FAIL;
}

static TPM_RESULT nv_store(const unsigned char *data, uint32_t length, uint32_t tpm_number,
			   const char *name)
{
	return ltg_nv && ltg_nv->store(name, data, length) == 0 ? TPM_SUCCESS : TPM_FAIL;
}

static TPM_RESULT nv_delete(uint32_t tpm_number, const char *name, TPM_BOOL must_exist)
{
	return ltg_nv && ltg_nv->remove(name, must_exist != 0) == 0 ? TPM_SUCCESS : TPM_FAIL;
}

static TPM_RESULT io_init(void)
{
	return TPM_SUCCESS;
}

static TPM_RESULT io_locality(TPM_MODIFIER_INDICATOR *locality, uint32_t tpm_number)
{
	*locality = 0;
	return TPM_SUCCESS;
}

/* No presence pin: presence is asserted with TSC_PhysicalPresence. */
static TPM_RESULT io_physical_presence(TPM_BOOL *present, uint32_t tpm_number)
{
	*present = FALSE;
	return TPM_SUCCESS;
}

static struct libtpms_callbacks ltg_callbacks = {
	.sizeOfStruct = sizeof(struct libtpms_callbacks),
	.tpm_nvram_init = nv_init,
	.tpm_nvram_loaddata = nv_load,
	.tpm_nvram_storedata = nv_store,
	.tpm_nvram_deletename = nv_delete,
	.tpm_io_init = io_init,
	.tpm_io_getlocality = io_locality,
	.tpm_io_getphysicalpresence = io_physical_presence,
};

uint32_t ltg_start(const struct ltg_nvram *nv)
{
	TPM_RESULT rc;

	ltg_nv = nv;
	if ((rc = TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_1_2)) != TPM_SUCCESS ||
	    (rc = TPMLIB_RegisterCallbacks(&ltg_callbacks)) != TPM_SUCCESS)
		return rc;
	/* A failed start leaves libtpms half set up; reset it for the next try. */
	if ((rc = TPMLIB_MainInit()) != TPM_SUCCESS)
		TPMLIB_Terminate();
	return rc;
}

void ltg_stop(void)
{
	TPMLIB_Terminate();
}

uint32_t ltg_process(unsigned char **rsp, uint32_t *rsp_len, uint32_t *rsp_size,
		     unsigned char *cmd, uint32_t cmd_len)
{
	return TPMLIB_Process(rsp, rsp_len, rsp_size, cmd, cmd_len);
}

uint32_t ltg_cancel(void)
{
	return TPMLIB_CancelCommand();
}
