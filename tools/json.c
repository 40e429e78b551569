/* JSON collection and output for tpm-mgmt --json (see json.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define JSON_MAX_MEMBERS 128

struct member {
	char *key;
	char *value;	/* rendered; arrays without their closing ']' */
	bool array;
};

static bool active;
static char *command;
static struct member members[JSON_MAX_MEMBERS];
static size_t nmembers;

int json_appendf(char **dst, const char *fmt, ...)
{
	va_list ap;
	char *add = NULL, *n;
	size_t old = *dst ? strlen(*dst) : 0;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&add, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -1;
	n = realloc(*dst, old + (size_t)len + 1);
	if (!n) {
		free(add);
		return -1;
	}
	memcpy(n + old, add, (size_t)len + 1);
	free(add);
	*dst = n;
	return 0;
}

int json_append_str(char **dst, const char *s)
{
	int rc = json_appendf(dst, "\"");

	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && rc == 0; p++) {
		if (*p == '"' || *p == '\\')
			rc = json_appendf(dst, "\\%c", *p);
		else if (*p == '\n')
			rc = json_appendf(dst, "\\n");
		else if (*p == '\t')
			rc = json_appendf(dst, "\\t");
		else if (*p < 0x20)
			rc = json_appendf(dst, "\\u%04x", *p);
		else
			rc = json_appendf(dst, "%c", *p);
	}
	return rc ? rc : json_appendf(dst, "\"");
}

void json_begin(const char *cmd)
{
	active = true;
	free(command);
	command = strdup(cmd);
}

bool json_active(void)
{
	return active;
}

static struct member *find(const char *key, bool array)
{
	for (size_t i = 0; i < nmembers; i++)
		if (strcmp(members[i].key, key) == 0)
			return &members[i];
	if (nmembers == JSON_MAX_MEMBERS)
		return NULL;
	members[nmembers].key = strdup(key);
	members[nmembers].value = NULL;
	members[nmembers].array = array;
	return &members[nmembers++];
}

static void set(const char *key, char *rendered)
{
	struct member *m;

	if (!active || !(m = find(key, false))) {
		free(rendered);
		return;
	}
	free(m->value);
	m->value = rendered;
	m->array = false;
}

void json_member_bool(const char *key, bool v)
{
	set(key, strdup(v ? "true" : "false"));
}

void json_member_str(const char *key, const char *v)
{
	char *s = NULL;

	json_append_str(&s, v);
	set(key, s);
}

void json_member_uint(const char *key, unsigned long long v)
{
	char *s = NULL;

	json_appendf(&s, "%llu", v);
	set(key, s);
}

void json_member_int(const char *key, long long v)
{
	char *s = NULL;

	json_appendf(&s, "%lld", v);
	set(key, s);
}

void json_member_hex(const char *key, const uint8_t *p, size_t len)
{
	char *s = malloc(len * 2 + 3);

	if (!s)
		return;
	s[0] = '"';
	for (size_t i = 0; i < len; i++)
		snprintf(s + 1 + 2 * i, 3, "%02x", p[i]);
	s[1 + 2 * len] = '"';
	s[2 + 2 * len] = 0;
	set(key, s);
}

void json_member_raw(const char *key, const char *rendered)
{
	set(key, strdup(rendered));
}

void json_array_raw(const char *key, const char *rendered)
{
	struct member *m;

	if (!active || !(m = find(key, true)))
		return;
	json_appendf(&m->value, "%s%s", m->value ? ", " : "[", rendered);
}

void json_array_str(const char *key, const char *v)
{
	char *s = NULL;

	json_append_str(&s, v);
	if (s)
		json_array_raw(key, s);
	free(s);
}

void json_error(const char *msg)
{
	char *copy;
	size_t n;

	if (!active || !msg)
		return;
	copy = strdup(msg);
	if (!copy)
		return;
	n = strlen(copy);
	while (n > 0 && (copy[n - 1] == '\n' || copy[n - 1] == ' '))
		copy[--n] = 0;
	if (n > 0)
		json_array_str("errors", copy);
	free(copy);
}

void json_errorv(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) >= 0) {
		json_error(s);
		free(s);
	}
}

void json_tss_error(const char *function, uint32_t code)
{
	char *s = NULL;

	if (!active)
		return;
	json_appendf(&s, "{\"function\": ");
	json_append_str(&s, function);
	json_appendf(&s, ", \"code\": \"0x%08x\"}", code);
	if (s)
		json_array_raw("tss_errors", s);
	free(s);
}

void json_end(bool ok)
{
	char *out = NULL;

	if (!active)
		return;
	json_appendf(&out, "{\"command\": ");
	json_append_str(&out, command);
	json_appendf(&out, ", \"ok\": %s", ok ? "true" : "false");
	for (size_t i = 0; i < nmembers; i++) {
		json_appendf(&out, ", ");
		json_append_str(&out, members[i].key);
		if (members[i].array)
			json_appendf(&out, ": %s]", members[i].value ? members[i].value : "[");
		else
			json_appendf(&out, ": %s", members[i].value ? members[i].value : "null");
		free(members[i].key);
		free(members[i].value);
	}
	nmembers = 0;
	json_appendf(&out, "}\n");
	if (out)
		fputs(out, stdout);
	free(out);
	free(command);
	command = NULL;
	active = false;
}
