/*
 * Error codes of the TDDL interface (TSS 1.2 spec, section 4.3.3.2).
 * The spec reserves this header for them; the codes themselves live in
 * tddl_error.h, which TDDL users include. It defines nothing, like the
 * TrouSerS header of the same name, and exists so that programs that
 * include it still build.
 */
#ifndef __TDDLAPI_ERROR_H__
#define __TDDLAPI_ERROR_H__

#endif /* __TDDLAPI_ERROR_H__ */
