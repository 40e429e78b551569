/*
 * The one JSON document tpm-mgmt --json prints on stdout:
 *   {"command": NAME, "ok": true|false, <members...>, "errors": [...]}
 * Members are collected while the command runs and printed by json_end().
 * Strings are escaped (RFC 8259 §7); binary values are lowercase hex.
 */
#ifndef TSS12_TOOLS_JSON_H
#define TSS12_TOOLS_JSON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void json_begin(const char *command);
bool json_active(void);
void json_member_bool(const char *key, bool v);
void json_member_str(const char *key, const char *v);
void json_member_uint(const char *key, unsigned long long v);
void json_member_int(const char *key, long long v);
void json_member_hex(const char *key, const uint8_t *p, size_t len);
/* A member holding an already rendered JSON value (object/array). */
void json_member_raw(const char *key, const char *rendered);
/* Appends V to the string array KEY (created on first use). */
void json_array_str(const char *key, const char *v);
/* Appends a rendered JSON value to the array KEY. */
void json_array_raw(const char *key, const char *rendered);
/* Error messages go to "errors" (and nowhere else in JSON mode). */
void json_error(const char *msg);
void json_errorv(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void json_tss_error(const char *function, uint32_t code);
/* Prints the document; frees everything. */
void json_end(bool ok);

/* Helpers that render small values into a caller buffer (for json_*_raw). */
/* Appends an escaped JSON string literal of S to the dynamic string *DST. */
int json_append_str(char **dst, const char *s);
int json_appendf(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
