/*
 * The benchmark's direct path: TPMLIB_Process with nothing in between.
 * A file of its own because libtpms' headers declare TPM 1.2 types that
 * clash with the TSS API headers tpmdd.h brings in.
 */
#include "config.h"

#include <stdint.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>

#include "bench_tpmlib.h"

int bench_tpmlib_process(unsigned char **rsp, uint32_t *rsp_len, uint32_t *rsp_cap,
			 const unsigned char *cmd, uint32_t cmd_len)
{
	return TPMLIB_Process(rsp, rsp_len, rsp_cap, (unsigned char *)cmd, cmd_len) ==
	       TPM_SUCCESS ? 0 : -1;
}
