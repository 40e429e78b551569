/*
 * Deprecated 1.1 header name, kept so old #include lines still compile;
 * the definitions now live in the TSS 1.2 headers (see compat11b.h).
 */
#ifndef __TCPA_ERROR_H__
#define __TCPA_ERROR_H__

#warning including deprecated header file tcpa_error.h

#endif /* __TCPA_ERROR_H__ */
