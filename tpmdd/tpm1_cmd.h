/*
 * TPM 1.2 commands the driver layer, the probe tool and the TCS daemon
 * send on their own behalf: one short function per command (in the
 * manner of Linux drivers/char/tpm/tpm1-cmd.c), each building the command
 * with the buf.h writer, sending it through a channel and parsing the
 * response with the buf.h reader.
 *
 * Every function returns TSS_SUCCESS, the TPM's own result code (TPM
 * layer, e.g. TPM_DISABLED_CMD), the channel's error (TDDL layer), or
 * TDDL_ERROR(TDDL_E_BADTAG) when a response body does not parse.
 * Outputs are zeroed first.
 */
#ifndef TSS12_TPMDD_TPM1_CMD_H
#define TSS12_TPMDD_TPM1_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tss/platform.h>
#include <tss/tss_typedef.h>

#include "buf.h"
#include "tpmdd.h"

#define TPM1_DIGEST_SIZE 20
#define TPM1_NONCE_SIZE 20
/* Header of every command and response: tag, paramSize, ordinal/result. */
#define TPM1_HEADER_SIZE 10

/* Where commands go: tpmdd_transmit, or a backend's raw path. */
struct tpm1_chan {
	TSS_RESULT (*transmit)(void *ctx, const BYTE *cmd, size_t cmd_len,
			       BYTE *rsp, size_t *rsp_len);
	void *ctx;
};

/* A channel that sends through tpmdd_transmit(tpm, ...). */
void tpm1_chan_tpmdd(struct tpm1_chan *ch, struct tpmdd *tpm);

/* Reads the ordinal (or result code) of a command (response) header. */
uint32_t tpm1_header_code(const BYTE *msg, size_t len);

/* A short name for a TPM result code ("TPM_DISABLED"), or NULL. */
const char *tpm1_rc_name(uint32_t rc);
/* What a TPM result code means, in a sentence fragment, or NULL. */
const char *tpm1_rc_desc(uint32_t rc);

/* ---- start-up and self test (Part 3 §3, §4) ---- */

TSS_RESULT tpm1_startup(const struct tpm1_chan *ch, uint16_t startup_type);
/* TPM_Startup(TPM_ST_CLEAR): the state after a reboot. */
TSS_RESULT tpm1_startup_clear(const struct tpm1_chan *ch);
TSS_RESULT tpm1_save_state(const struct tpm1_chan *ch);
TSS_RESULT tpm1_continue_selftest(const struct tpm1_chan *ch);
TSS_RESULT tpm1_selftest_full(const struct tpm1_chan *ch);

/* ---- capabilities (Part 3 §7.1, Part 2 §21) ---- */

/*
 * Generic TPM_GetCapability: copies the returned resp[] (without its
 * UINT32 size) into out, of capacity out_cap bytes.
 */
TSS_RESULT tpm1_get_capability(const struct tpm1_chan *ch, uint32_t cap_area,
			       const BYTE *sub_cap, uint32_t sub_cap_len,
			       BYTE *out, size_t out_cap, size_t *out_len);

/* TPM_CAP_VERSION_VAL: TPM_CAP_VERSION_INFO (Part 2 §21.6). */
struct tpm1_version_info {
	uint8_t major, minor, rev_major, rev_minor;	/* TPM_VERSION */
	uint16_t spec_level;
	uint8_t errata_rev;
	uint8_t vendor_id[4];
	uint16_t vendor_specific_len;
	uint8_t vendor_specific[64];	/* the first bytes of vendorSpecific */
};
TSS_RESULT tpm1_get_version_info(const struct tpm1_chan *ch, struct tpm1_version_info *v);

/* TPM_CAP_PROPERTY with a single UINT32 answer (TPM_CAP_PROP_PCR, ...). */
TSS_RESULT tpm1_get_prop_u32(const struct tpm1_chan *ch, uint32_t prop, uint32_t *value);
/* TPM_CAP_PROP_DURATION: SHORT, MEDIUM, LONG in microseconds. */
TSS_RESULT tpm1_get_durations(const struct tpm1_chan *ch, uint32_t us[3]);
/* TPM_CAP_PROP_TIS_TIMEOUT: TIS timeouts A, B, C, D in microseconds. */
TSS_RESULT tpm1_get_timeouts(const struct tpm1_chan *ch, uint32_t us[4]);

/* TPM_CAP_FLAG / TPM_CAP_FLAG_PERMANENT (TPM_PERMANENT_FLAGS, Part 2 §7.1). */
struct tpm1_permanent_flags {
	bool disable;
	bool ownership;			/* an owner may be installed */
	bool deactivated;
	bool read_pubek;
	bool disable_owner_clear;
	bool allow_maintenance;
	bool pp_lifetime_lock;
	bool pp_hw_enable;
	bool pp_cmd_enable;
	bool cekp_used;
	bool tpm_post;
	bool tpm_post_lock;
	bool fips;
	bool operator_set;
	bool enable_revoke_ek;
	bool nv_locked;
	bool read_srk_pub;
	bool tpm_established;
	bool maintenance_done;
	bool disable_full_da_logic_info;	/* absent before spec rev 103 */
};
TSS_RESULT tpm1_get_permanent_flags(const struct tpm1_chan *ch, struct tpm1_permanent_flags *f);

/* TPM_CAP_FLAG / TPM_CAP_FLAG_VOLATILE (TPM_STCLEAR_FLAGS, Part 2 §7.2). */
struct tpm1_stclear_flags {
	bool deactivated;
	bool disable_force_clear;
	bool physical_presence;
	bool physical_presence_lock;
	bool global_lock;
};
TSS_RESULT tpm1_get_stclear_flags(const struct tpm1_chan *ch, struct tpm1_stclear_flags *f);

/* TPM_CAP_OWNER: whether an owner is installed. */
TSS_RESULT tpm1_get_owner(const struct tpm1_chan *ch, bool *owned);

/* ---- PCRs and random numbers (Part 3 §16, §13) ---- */

TSS_RESULT tpm1_pcr_read(const struct tpm1_chan *ch, uint32_t pcr, BYTE out[TPM1_DIGEST_SIZE]);
/* Extends pcr by in; out (may be NULL) receives the new value. */
TSS_RESULT tpm1_extend(const struct tpm1_chan *ch, uint32_t pcr, const BYTE in[TPM1_DIGEST_SIZE],
		       BYTE out[TPM1_DIGEST_SIZE]);
/* Asks for n bytes; the TPM may return fewer (*got). out holds n bytes. */
TSS_RESULT tpm1_get_random(const struct tpm1_chan *ch, uint32_t n, BYTE *out, uint32_t *got);

/* ---- endorsement key (Part 3 §14) ---- */

/* A TPM_PUBKEY, kept whole and split into the fields callers show. */
struct tpm1_pubkey {
	BYTE blob[1024];		/* the TPM_PUBKEY as the TPM sent it */
	size_t blob_len;
	uint32_t algorithm;		/* TPM_ALG_RSA */
	uint16_t enc_scheme;
	uint16_t sig_scheme;
	uint32_t key_bits;		/* TPM_RSA_KEY_PARMS.keyLength */
	uint32_t num_primes;
	BYTE exponent[8];		/* empty means 65537 */
	uint32_t exponent_len;
	BYTE modulus[512];
	uint32_t modulus_len;
};

/* Parses a TPM_PUBKEY (Part 2 §12.1) from the reader. */
int tpm1_parse_pubkey(struct buf_reader *r, struct tpm1_pubkey *pk);

/*
 * TPM_ReadPubek with a fresh nonce; the checksum SHA-1(pubEndorsementKey
 * || antiReplay) is verified (TDDL_E_BADTAG if it does not match).
 * Fails with TPM_DISABLED_CMD once an owner disabled reading it.
 */
TSS_RESULT tpm1_read_pubek(const struct tpm1_chan *ch, struct tpm1_pubkey *ek);

/* TPM_CreateEndorsementKeyPair: RSA-2048, OAEP; checksum verified. */
TSS_RESULT tpm1_create_ek(const struct tpm1_chan *ch, struct tpm1_pubkey *ek);

/* ---- physical presence and activation (Part 3 §6, §5; TSC §6.1) ---- */

/* TSC_PhysicalPresence with TPM_PHYSICAL_PRESENCE_* bits. */
TSS_RESULT tpm1_tsc_physical_presence(const struct tpm1_chan *ch, uint16_t pp);
/*
 * Enables the software physical-presence command (a permanent flag that
 * the platform may have locked) and asserts presence until the next
 * TPM_Startup: what a platform's firmware does for its owner.
 */
TSS_RESULT tpm1_assert_physical_presence(const struct tpm1_chan *ch);
TSS_RESULT tpm1_physical_enable(const struct tpm1_chan *ch);
TSS_RESULT tpm1_physical_set_deactivated(const struct tpm1_chan *ch, bool deactivated);
TSS_RESULT tpm1_set_owner_install(const struct tpm1_chan *ch, bool allow);

#endif /* TSS12_TPMDD_TPM1_CMD_H */
