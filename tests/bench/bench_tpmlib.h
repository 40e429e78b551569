/* TPMLIB_Process for the benchmark, behind plain C types (bench_tpmlib.c). */
#ifndef TSS12_BENCH_TPMLIB_H
#define TSS12_BENCH_TPMLIB_H

#include <stdint.h>

/* 0 when libtpms processed the command; *rsp is realloc()ed by libtpms. */
int bench_tpmlib_process(unsigned char **rsp, uint32_t *rsp_len, uint32_t *rsp_cap,
			 const unsigned char *cmd, uint32_t cmd_len);

#endif /* TSS12_BENCH_TPMLIB_H */
