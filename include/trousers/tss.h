/*
 * Everything an application of the TSS 1.2 API needs in one include:
 * base types, result codes, structures, the TCS, TDDL and TSP interfaces.
 * The TrouSerS-specific Trspi_* helpers are in <trousers/trousers.h>,
 * which, as with TrouSerS, is included separately.
 */
#ifndef _TSS_H_
#define _TSS_H_

#include <stdlib.h>

/* Base types and result codes */
#include <tss/platform.h>
#include <tss/tss_error_basics.h>
#include <tss/tss_error.h>
#include <tss/tddl_error.h>
#include <tss/tddlapi_error.h>
#include <tss/tcs_error.h>

/* Types, structures and constants */
#include <tss/tss_typedef.h>
#include <tss/tcs_typedef.h>
#include <tss/tss_structs.h>
#include <tss/tcs_structs.h>
#include <tss/tss_defines.h>
#include <tss/tcs_defines.h>

/* The three interfaces: TCS, TDDL, TSP */
#include <tss/tcs.h>
#include <tss/tddli.h>
#include <tss/tspi.h>

#endif /* _TSS_H_ */
