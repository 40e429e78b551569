/*
 * tcsd configuration: tcsd.conf with TrouSerS' option names and defaults
 * (TrouSerS dist/tcsd.conf, tcsd.conf(5)) plus tss12's own options, and
 * the command line. See dist/tcsd.conf for the documented example.
 */
#ifndef TSS12_TCSD_CONF_H
#define TSS12_TCSD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCSD_DEFAULT_CONFIG_FILE SYSCONFDIR "/tcsd.conf"
#define TCSD_DEFAULT_NUM_THREADS 10
#define TCSD_DEFAULT_MAX_CONNECTIONS 1024
#define TCSD_DEFAULT_SYSTEM_PS_FILE LOCALSTATEDIR "/lib/tpm/system.data"
#define TCSD_DEFAULT_FIRMWARE_LOG_FILE "/sys/kernel/security/tpm0/binary_bios_measurements"
#define TCSD_DEFAULT_KERNEL_LOG_FILE "/sys/kernel/security/ima/binary_runtime_measurements"
/* Fixed (not $(runstatedir)): clients look for the socket here. */
#define TCSD_DEFAULT_UNIX_SOCKET "/run/tcsd/tcsd.sock"
#define TCSD_DEFAULT_DEVICE "dev:/dev/tpm0"
#define TCSD_USER_NAME "tss"
#define TCSD_GROUP_NAME "tss"

/* PCRs a TPM 1.2 may have at most for masks (PC Client: 24). */
#define TCSD_MAX_PCRS 32

/* A TSS_PLATFORM_CLASS (TSS 1.2 §2.3.2.27): spec id and its URI. */
struct tcsd_platform_class {
	uint32_t simple_id;		/* TPM_PS_* */
	const char *uri;		/* sent with its NUL, as TrouSerS does */
};

#define TCSD_MAX_PLATFORM_CLASSES 8

struct tcsd_config {
	/* TrouSerS options */
	uint16_t port;
	uint32_t num_threads;
	char *system_ps_file;
	char *firmware_log_file;
	char *kernel_log_file;
	uint32_t firmware_pcrs;		/* bit n = PCR n */
	uint32_t kernel_pcrs;
	char *platform_cred;
	char *conformance_cred;
	char *endorsement_cred;
	char *remote_ops;		/* as written, NULL when unset/empty */
	uint32_t remote_ops_groups;	/* parsed: enum tcsd_ops_group bits */
	bool exclusive_transport;
	struct tcsd_platform_class host_platform_class;
	struct tcsd_platform_class all_platform_classes[TCSD_MAX_PLATFORM_CLASSES];
	size_t num_all_platform_classes;
	bool disable_ipv4;
	bool disable_ipv6;

	/* tss12 options */
	char *device;			/* tpmdd URI; NULL = default */
	char *unix_socket;		/* "" disables the Unix socket */
	uint32_t max_connections;	/* simultaneous clients; >= num_threads */
	char *pid_file;			/* NULL = none */
};

/* The command line (main.c) */
struct tcsd_options {
	bool foreground;		/* -f */
	bool tcp_device_env;		/* -e */
	bool debug;			/* -d / --debug: log level debug */
	const char *config_file;	/* -c */
	const char *device;		/* --device */
	const char *unix_socket;	/* --unix-socket (tests) */
};

/* Fills defaults (no file access). */
void tcsd_conf_defaults(struct tcsd_config *conf);
void tcsd_conf_free(struct tcsd_config *conf);

/*
 * Reads path into conf (which starts from defaults). A missing file
 * means defaults (logged at info). Unknown options, duplicate options
 * and bad values are errors reported as "path:line: ...". When
 * check_perms is set the file must be owned by root (or, when not
 * running as root, by the invoking user) and not writable by group
 * or others (nor by the tss user: CVE-2020-24331).
 * Returns 0 or -1 (already logged).
 */
int tcsd_conf_load(struct tcsd_config *conf, const char *path, bool check_perms);

/* Parses one "key = value" assignment (used by tests and the loader). */
int tcsd_conf_set(struct tcsd_config *conf, const char *key, const char *value,
		  const char *where);

/*
 * Applies the command line and environment on top of the file: --device,
 * -e (TCSD_TCP_DEVICE_HOSTNAME / TCSD_TCP_DEVICE_PORT), the default
 * device. Returns 0 or -1 with the reason logged (no usable device).
 */
int tcsd_conf_finish(struct tcsd_config *conf, const struct tcsd_options *opt);

/* The platform-class table (TrouSerS' names PC_11 .. MOBILE_12). */
const struct tcsd_platform_class *tcsd_platform_class_by_name(const char *name);

#endif /* TSS12_TCSD_CONF_H */
