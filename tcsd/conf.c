/*
 * tcsd.conf: TrouSerS' format ("key = value", '#' comments) and option
 * names with their defaults (tcsd.conf(5) of TrouSerS 0.3.15), plus the
 * options tss12 adds: device, unix_socket, max_connections, pid_file.
 *
 * Stricter than TrouSerS on purpose: an unknown option, an option given
 * twice or a bad value stops the daemon with "file:line: reason" instead
 * of being ignored, because a typo in remote_ops or a PCR list changes
 * who may do what.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "tcsd_ordinals.h"
#include "tcsd_wire.h"

#include <tss/tpm.h>

/* Longest line accepted; longer lines are an error, not truncated. */
#define CONF_LINE_MAX 4096
/* A config file larger than this is refused (it is a few hundred bytes). */
#define CONF_FILE_MAX (1024 * 1024)

/*
 * URIs of the TCG platform-specific specifications, as TrouSerS sends
 * them in TSS_TCSCAP_PLATFORM_CLASS answers (tcsd.h of TrouSerS).
 */
static const struct {
	const char *name;
	struct tcsd_platform_class cls;
} platform_classes[] = {
	{ "PC_11", { TPM_PS_PC_11,
		     "https://www.trustedcomputinggroup.org/groups/pc_client/TCG_PCSpecificSpecification_v1_1.pdf" } },
	{ "PC_12", { TPM_PS_PC_12,
		     "https://www.trustedcomputinggroup.org/specs/PCClient/TCG_PCClientImplementationforBIOS_1-20_1-00.pdf" } },
	{ "PDA_12", { TPM_PS_PDA_12,
		      "https://www.trustedcomputinggroup.org/specs/mobilephone/tcg-mobile-reference-architecture-1.0.pdf" } },
	{ "SERVER_12", { TPM_PS_Server_12,
			 "https://www.trustedcomputinggroup.org/specs/Server/TCG_Generic_Server_Specification_v1_0_rev0_8.pdf" } },
	{ "MOBILE_12", { TPM_PS_Mobile_12,
			 "https://www.trustedcomputinggroup.org/specs/mobilephone/tcg-mobile-reference-architecture-1.0.pdf" } },
};

const struct tcsd_platform_class *tcsd_platform_class_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(platform_classes) / sizeof(platform_classes[0]); i++)
		if (strcmp(platform_classes[i].name, name) == 0)
			return &platform_classes[i].cls;
	return NULL;
}

void tcsd_conf_defaults(struct tcsd_config *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->port = TCSD_DEFAULT_PORT;
	conf->num_threads = TCSD_DEFAULT_NUM_THREADS;
	conf->max_connections = TCSD_DEFAULT_MAX_CONNECTIONS;
	conf->host_platform_class = *tcsd_platform_class_by_name("PC_12");
}

static void free_str(char **s)
{
	free(*s);
	*s = NULL;
}

void tcsd_conf_free(struct tcsd_config *conf)
{
	free_str(&conf->system_ps_file);
	free_str(&conf->firmware_log_file);
	free_str(&conf->kernel_log_file);
	free_str(&conf->platform_cred);
	free_str(&conf->conformance_cred);
	free_str(&conf->endorsement_cred);
	free_str(&conf->remote_ops);
	free_str(&conf->device);
	free_str(&conf->unix_socket);
	free_str(&conf->pid_file);
}

/* ---- value parsers: each returns 0 or -1 after logging "where: ..." ---- */

static int parse_uint(const char *where, const char *key, const char *v, unsigned long min,
		      unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long n;

	*out = 0;
	if (!isdigit((unsigned char)v[0]))
		goto bad;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		goto bad;
	*out = n;
	return 0;
bad:
	log_error("%s: %s must be a number from %lu to %lu, not \"%s\"", where, key, min, max, v);
	return -1;
}

static int parse_bool01(const char *where, const char *key, const char *v, bool *out)
{
	unsigned long n;

	if (parse_uint(where, key, v, 0, 1, &n) != 0)
		return -1;
	*out = n != 0;
	return 0;
}

static int parse_path(const char *where, const char *key, const char *v, char **out)
{
	char *dup;

	if (v[0] != '/') {
		log_error("%s: %s must be an absolute path, not \"%s\"", where, key, v);
		return -1;
	}
	if (strlen(v) >= PATH_MAX) {
		log_error("%s: %s is longer than %d bytes", where, key, PATH_MAX);
		return -1;
	}
	if ((dup = strdup(v)) == NULL) {
		log_error("%s: out of memory", where);
		return -1;
	}
	free(*out);
	*out = dup;
	return 0;
}

/* "0,1,7": PCR numbers below TCSD_MAX_PCRS; empty means none. */
static int parse_pcr_list(const char *where, const char *key, const char *v, uint32_t *mask)
{
	const char *p = v;

	*mask = 0;
	while (*p != '\0') {
		char num[8];
		size_t n = strcspn(p, ",");
		unsigned long pcr;

		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		while (n > 0 && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		if (n == 0 || n >= sizeof(num)) {
			log_error("%s: %s: bad PCR list \"%s\"", where, key, v);
			return -1;
		}
		memcpy(num, p, n);
		num[n] = '\0';
		if (parse_uint(where, key, num, 0, TCSD_MAX_PCRS - 1, &pcr) != 0)
			return -1;
		*mask |= 1u << pcr;
		p += strcspn(p, ",");
		if (*p == ',') {
			p++;
			if (*p == '\0') {
				log_error("%s: %s: bad PCR list \"%s\"", where, key, v);
				return -1;
			}
		}
	}
	return 0;
}

static int parse_remote_ops(const char *where, struct tcsd_config *conf, const char *v)
{
	uint32_t groups = 0;
	char bad[64] = "";
	char known[512] = "";
	char *dup;

	if (tcsd_ops_parse(v, &groups, bad, sizeof(bad)) != 0) {
		for (uint32_t bit = 1; bit != 0 && bit <= TCSD_OPS_ALL; bit <<= 1) {
			const char *name = tcsd_ops_group_name(bit);

			if (name == NULL)
				continue;
			if (known[0] != '\0')
				strncat(known, ", ", sizeof(known) - strlen(known) - 1);
			strncat(known, name, sizeof(known) - strlen(known) - 1);
		}
		log_error("%s: remote_ops: unknown operation \"%s\" (known: %s)", where, bad, known);
		return -1;
	}
	free(conf->remote_ops);
	conf->remote_ops = NULL;
	conf->remote_ops_groups = groups;
	if (groups == 0)
		return 0;
	if ((dup = strdup(v)) == NULL) {
		log_error("%s: out of memory", where);
		return -1;
	}
	conf->remote_ops = dup;
	return 0;
}

static int parse_platform_classes(const char *where, const char *key, const char *v,
				  struct tcsd_platform_class *out, size_t cap, size_t *count)
{
	const char *p = v;

	*count = 0;
	while (*p != '\0') {
		char name[32];
		size_t n = strcspn(p, ",");
		const struct tcsd_platform_class *cls;

		if (n == 0 || n >= sizeof(name)) {
			log_error("%s: %s: bad platform class list \"%s\"", where, key, v);
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if ((cls = tcsd_platform_class_by_name(name)) == NULL) {
			log_error("%s: %s: unknown platform class \"%s\" (known: PC_11, PC_12, "
				  "PDA_12, SERVER_12, MOBILE_12)", where, key, name);
			return -1;
		}
		if (*count == cap) {
			log_error("%s: %s: more than %zu platform classes", where, key, cap);
			return -1;
		}
		out[(*count)++] = *cls;
		p += n;
		if (*p == ',' && *++p == '\0') {
			log_error("%s: %s: bad platform class list \"%s\"", where, key, v);
			return -1;
		}
	}
	return 0;
}

static int parse_device(const char *where, const char *v, char **out)
{
	static const char *const schemes[] = { "dev:", "swtpm:", "libtpms:" };
	bool known = false;
	char *dup;

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncmp(v, schemes[i], strlen(schemes[i])) == 0 && v[strlen(schemes[i])] != '\0')
			known = true;
	if (!known) {
		log_error("%s: device must be a tpmdd URI (dev:/dev/tpm0, swtpm:tcp://HOST:PORT, "
			  "swtpm:unix:PATH or libtpms:STATEDIR), not \"%s\"", where, v);
		return -1;
	}
	if ((dup = strdup(v)) == NULL) {
		log_error("%s: out of memory", where);
		return -1;
	}
	free(*out);
	*out = dup;
	return 0;
}

/* unix_socket = PATH, or "none" / empty to listen on TCP only. */
static int parse_unix_socket(const char *where, const char *v, char **out)
{
	struct sockaddr_un sun;
	char *dup;

	if (v[0] == '\0' || strcmp(v, "none") == 0)
		v = "";
	else if (v[0] != '/' || strlen(v) >= sizeof(sun.sun_path)) {
		log_error("%s: unix_socket must be an absolute path shorter than %zu bytes, "
			  "or none", where, sizeof(sun.sun_path));
		return -1;
	}
	if ((dup = strdup(v)) == NULL) {
		log_error("%s: out of memory", where);
		return -1;
	}
	free(*out);
	*out = dup;
	return 0;
}

/* One entry per option: TrouSerS' first, then tss12's. */
enum conf_opt {
	OPT_PORT, OPT_NUM_THREADS, OPT_SYSTEM_PS_FILE, OPT_FIRMWARE_LOG_FILE,
	OPT_KERNEL_LOG_FILE, OPT_FIRMWARE_PCRS, OPT_KERNEL_PCRS, OPT_PLATFORM_CRED,
	OPT_CONFORMANCE_CRED, OPT_ENDORSEMENT_CRED, OPT_REMOTE_OPS,
	OPT_EXCLUSIVE_TRANSPORT, OPT_HOST_PLATFORM_CLASS, OPT_ALL_PLATFORM_CLASSES,
	OPT_DISABLE_IPV4, OPT_DISABLE_IPV6,
	OPT_DEVICE, OPT_UNIX_SOCKET, OPT_MAX_CONNECTIONS, OPT_PID_FILE,
	OPT_COUNT
};

static const char *const opt_names[OPT_COUNT] = {
	[OPT_PORT] = "port",
	[OPT_NUM_THREADS] = "num_threads",
	[OPT_SYSTEM_PS_FILE] = "system_ps_file",
	[OPT_FIRMWARE_LOG_FILE] = "firmware_log_file",
	[OPT_KERNEL_LOG_FILE] = "kernel_log_file",
	[OPT_FIRMWARE_PCRS] = "firmware_pcrs",
	[OPT_KERNEL_PCRS] = "kernel_pcrs",
	[OPT_PLATFORM_CRED] = "platform_cred",
	[OPT_CONFORMANCE_CRED] = "conformance_cred",
	[OPT_ENDORSEMENT_CRED] = "endorsement_cred",
	[OPT_REMOTE_OPS] = "remote_ops",
	[OPT_EXCLUSIVE_TRANSPORT] = "enforce_exclusive_transport",
	[OPT_HOST_PLATFORM_CLASS] = "host_platform_class",
	[OPT_ALL_PLATFORM_CLASSES] = "all_platform_classes",
	[OPT_DISABLE_IPV4] = "disable_ipv4",
	[OPT_DISABLE_IPV6] = "disable_ipv6",
	[OPT_DEVICE] = "device",
	[OPT_UNIX_SOCKET] = "unix_socket",
	[OPT_MAX_CONNECTIONS] = "max_connections",
	[OPT_PID_FILE] = "pid_file",
};

static int set_option(struct tcsd_config *conf, enum conf_opt opt, const char *v,
		      const char *where)
{
	const char *key = opt_names[opt];
	unsigned long n;
	const struct tcsd_platform_class *cls;

	switch (opt) {
	case OPT_PORT:
		if (parse_uint(where, key, v, 1, 65535, &n) != 0)
			return -1;
		conf->port = (uint16_t)n;
		return 0;
	case OPT_NUM_THREADS:
		if (parse_uint(where, key, v, 1, 65536, &n) != 0)
			return -1;
		conf->num_threads = (uint32_t)n;
		return 0;
	case OPT_MAX_CONNECTIONS:
		if (parse_uint(where, key, v, 1, 65536, &n) != 0)
			return -1;
		conf->max_connections = (uint32_t)n;
		return 0;
	case OPT_SYSTEM_PS_FILE:
		return parse_path(where, key, v, &conf->system_ps_file);
	case OPT_FIRMWARE_LOG_FILE:
		return parse_path(where, key, v, &conf->firmware_log_file);
	case OPT_KERNEL_LOG_FILE:
		return parse_path(where, key, v, &conf->kernel_log_file);
	case OPT_PLATFORM_CRED:
		return parse_path(where, key, v, &conf->platform_cred);
	case OPT_CONFORMANCE_CRED:
		return parse_path(where, key, v, &conf->conformance_cred);
	case OPT_ENDORSEMENT_CRED:
		return parse_path(where, key, v, &conf->endorsement_cred);
	case OPT_PID_FILE:
		return parse_path(where, key, v, &conf->pid_file);
	case OPT_FIRMWARE_PCRS:
		return parse_pcr_list(where, key, v, &conf->firmware_pcrs);
	case OPT_KERNEL_PCRS:
		return parse_pcr_list(where, key, v, &conf->kernel_pcrs);
	case OPT_REMOTE_OPS:
		return parse_remote_ops(where, conf, v);
	case OPT_EXCLUSIVE_TRANSPORT:
		return parse_bool01(where, key, v, &conf->exclusive_transport);
	case OPT_DISABLE_IPV4:
		return parse_bool01(where, key, v, &conf->disable_ipv4);
	case OPT_DISABLE_IPV6:
		return parse_bool01(where, key, v, &conf->disable_ipv6);
	case OPT_HOST_PLATFORM_CLASS:
		if ((cls = tcsd_platform_class_by_name(v)) == NULL) {
			log_error("%s: host_platform_class: unknown platform class \"%s\" (known: "
				  "PC_11, PC_12, PDA_12, SERVER_12, MOBILE_12)", where, v);
			return -1;
		}
		conf->host_platform_class = *cls;
		return 0;
	case OPT_ALL_PLATFORM_CLASSES:
		return parse_platform_classes(where, key, v, conf->all_platform_classes,
					      TCSD_MAX_PLATFORM_CLASSES,
					      &conf->num_all_platform_classes);
	case OPT_DEVICE:
		return parse_device(where, v, &conf->device);
	case OPT_UNIX_SOCKET:
		return parse_unix_socket(where, v, &conf->unix_socket);
	case OPT_COUNT:
		break;
	}
	log_error("%s: internal error: option %d", where, (int)opt);
	return -1;
}

static int find_option(const char *key)
{
	for (int i = 0; i < OPT_COUNT; i++)
		if (strcmp(opt_names[i], key) == 0)
			return i;
	return -1;
}

int tcsd_conf_set(struct tcsd_config *conf, const char *key, const char *value,
		  const char *where)
{
	int opt = find_option(key);

	if (opt < 0) {
		log_error("%s: unknown option \"%s\"", where, key);
		return -1;
	}
	return set_option(conf, (enum conf_opt)opt, value, where);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/*
 * Who may have written the file decides whether its remote_ops and paths
 * can be trusted (CVE-2020-24331: the tss user could rewrite TrouSerS'
 * config). Root: owner root, no group or world write. Not root (tests,
 * user sessions): owner us or root, no group or world write.
 */
static int check_file_perms(const char *path, const struct stat *st)
{
	uid_t me = geteuid();

	if (!S_ISREG(st->st_mode)) {
		log_error("%s: not a regular file", path);
		return -1;
	}
	if (st->st_uid != 0 && st->st_uid != me) {
		log_error("%s: owned by uid %u; it must belong to root%s", path,
			  (unsigned int)st->st_uid, me == 0 ? "" : " or to the user running tcsd");
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		log_error("%s: writable by %s (mode %04o); only its owner may write it "
			  "(chmod 0640, owner root, group tss)", path,
			  (st->st_mode & S_IWOTH) ? "everyone" : "its group",
			  (unsigned int)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

/* Reads the whole file (capped) through one descriptor: no symlink race. */
static int read_conf_file(const char *path, bool check_perms, char **text, bool *missing)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc = -1;

	*text = NULL;
	*missing = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT) {
			*missing = true;
			return 0;
		}
		log_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		log_error("%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	if (check_perms && check_file_perms(path, &st) != 0)
		goto out;
	if (!S_ISREG(st.st_mode) || st.st_size > CONF_FILE_MAX) {
		log_error("%s: not a regular file of at most %d bytes", path, CONF_FILE_MAX);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		log_error("%s: out of memory", path);
		goto out;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("%s: read failed: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (memchr(buf, '\0', len) != NULL) {
		log_error("%s: contains a NUL byte", path);
		goto out;
	}
	buf[len] = '\0';
	*text = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int tcsd_conf_load(struct tcsd_config *conf, const char *path, bool check_perms)
{
	bool seen[OPT_COUNT] = { false };
	char *text = NULL, *line, *next;
	bool missing;
	unsigned int lineno = 0;
	int rc = -1;

	if (read_conf_file(path, check_perms, &text, &missing) != 0)
		return -1;
	if (missing) {
		log_info("%s does not exist; using the defaults", path);
		return 0;
	}
	for (line = text; line != NULL; line = next) {
		char where[PATH_MAX + 32];
		char *eq, *key, *value, *hash;
		int opt;

		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (strlen(line) > CONF_LINE_MAX) {
			log_error("%s: line longer than %d bytes", where, CONF_LINE_MAX);
			goto out;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		line = trim(line);
		if (*line == '\0')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			log_error("%s: expected \"option = value\", got \"%s\"", where, line);
			goto out;
		}
		*eq = '\0';
		key = trim(line);
		value = trim(eq + 1);
		if ((opt = find_option(key)) < 0) {
			log_error("%s: unknown option \"%s\"", where, key);
			goto out;
		}
		if (seen[opt]) {
			log_error("%s: option \"%s\" given twice", where, key);
			goto out;
		}
		seen[opt] = true;
		if (set_option(conf, (enum conf_opt)opt, value, where) != 0)
			goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

static int set_str(char **dst, const char *v)
{
	char *dup = strdup(v);

	if (dup == NULL) {
		log_error("out of memory");
		return -1;
	}
	free(*dst);
	*dst = dup;
	return 0;
}

/*
 * -e: TrouSerS' software-TPM environment. TrouSerS talks raw TPM bytes
 * to TCSD_TCP_DEVICE_HOSTNAME:TCSD_TCP_DEVICE_PORT (default
 * localhost:6545) and nothing else, so -e does the same: the data channel
 * only (ctrl=none), never guessing that a control channel listens on the
 * next port (IBM's emulator, TrouSerS' usual peer, has another protocol
 * there). The TPM must be powered on already (swtpm: --flags
 * not-need-init); for swtpm's control channel use --device.
 */
static int device_from_env(struct tcsd_config *conf)
{
	const char *host = getenv("TCSD_TCP_DEVICE_HOSTNAME");
	const char *port = getenv("TCSD_TCP_DEVICE_PORT");
	char uri[512];
	unsigned long n;

	if (host == NULL || host[0] == '\0')
		host = "localhost";
	if (port == NULL || port[0] == '\0')
		port = "6545";
	if (parse_uint("TCSD_TCP_DEVICE_PORT", "the port", port, 1, 65534, &n) != 0)
		return -1;
	if (strchr(host, ':') != NULL)
		snprintf(uri, sizeof(uri), "swtpm:tcp://[%s]:%lu,ctrl=none", host, n);
	else
		snprintf(uri, sizeof(uri), "swtpm:tcp://%s:%lu,ctrl=none", host, n);
	if (strlen(host) > 255) {
		log_error("TCSD_TCP_DEVICE_HOSTNAME is too long");
		return -1;
	}
	return set_str(&conf->device, uri);
}

int tcsd_conf_finish(struct tcsd_config *conf, const struct tcsd_options *opt)
{
	if (opt->device != NULL) {
		if (parse_device("--device", opt->device, &conf->device) != 0)
			return -1;
	} else if (opt->tcp_device_env) {
		if (device_from_env(conf) != 0)
			return -1;
	}
	if (conf->device == NULL) {
		if (access("/dev/tpm0", F_OK) != 0) {
			log_error("no TPM: /dev/tpm0 does not exist. Choose one with \"device = URI\" "
				  "in %s, --device URI, or -e (TCSD_TCP_DEVICE_HOSTNAME/PORT); "
				  "e.g. --device libtpms:/var/lib/tpm/libtpms for a software TPM",
				  opt->config_file != NULL ? opt->config_file : TCSD_DEFAULT_CONFIG_FILE);
			return -1;
		}
		if (set_str(&conf->device, TCSD_DEFAULT_DEVICE) != 0)
			return -1;
	}
	if (opt->unix_socket != NULL && parse_unix_socket("--unix-socket", opt->unix_socket,
							  &conf->unix_socket) != 0)
		return -1;
	if (conf->unix_socket == NULL && set_str(&conf->unix_socket, TCSD_DEFAULT_UNIX_SOCKET) != 0)
		return -1;
	if (conf->system_ps_file == NULL &&
	    set_str(&conf->system_ps_file, TCSD_DEFAULT_SYSTEM_PS_FILE) != 0)
		return -1;
	if (conf->firmware_log_file == NULL &&
	    set_str(&conf->firmware_log_file, TCSD_DEFAULT_FIRMWARE_LOG_FILE) != 0)
		return -1;
	if (conf->kernel_log_file == NULL &&
	    set_str(&conf->kernel_log_file, TCSD_DEFAULT_KERNEL_LOG_FILE) != 0)
		return -1;
	/* num_threads keeps TrouSerS' meaning of a connection limit, as a floor. */
	if (conf->max_connections < conf->num_threads)
		conf->max_connections = conf->num_threads;
	if (conf->disable_ipv4 && conf->disable_ipv6 && conf->unix_socket[0] == '\0') {
		log_error("disable_ipv4, disable_ipv6 and unix_socket = none: nothing to listen on");
		return -1;
	}
	return 0;
}
