/*
 * The only tss12 file that sees libtpms' headers is libtpms_glue.c:
 * libtpms declares its own TPM 1.2 types (TPM_VERSION_BYTE, TPM_SUCCESS,
 * ...) that clash with the TSS API's <tss/tpm.h>. This interface uses
 * plain C types only. Internal to tpmdd/.
 */
#ifndef TSS12_TPMDD_LIBTPMS_GLUE_H
#define TSS12_TPMDD_LIBTPMS_GLUE_H

#include <stdbool.h>
#include <stdint.h>

/* Where libtpms keeps its state; called from inside libtpms. */
struct ltg_nvram {
	/* 0 with a malloc()ed *data (libtpms frees it), 1 if absent, -1 on error. */
	int (*load)(const char *name, unsigned char **data, uint32_t *len);
	int (*store)(const char *name, const unsigned char *data, uint32_t len);
	int (*remove)(const char *name, bool must_exist);
};

/*
 * Selects TPM 1.2, registers nv, and starts the TPM (it then waits for
 * TPM_Startup). Returns libtpms' TPM_RESULT, 0 on success.
 */
uint32_t ltg_start(const struct ltg_nvram *nv);
/* Stops the TPM; state already stored stays stored. */
void ltg_stop(void);
/* TPMLIB_Process: *rsp is realloc()ed by libtpms as needed. */
uint32_t ltg_process(unsigned char **rsp, uint32_t *rsp_len, uint32_t *rsp_size,
		     unsigned char *cmd, uint32_t cmd_len);
/* TPMLIB_CancelCommand: 0 if libtpms can cancel the running command. */
uint32_t ltg_cancel(void);

#endif /* TSS12_TPMDD_LIBTPMS_GLUE_H */
