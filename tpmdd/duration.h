/*
 * How long a TPM 1.2 command may take: every ordinal belongs to a
 * duration class (TPM Main Part 2 §17, the ordinal table's "duration"
 * column, as the TCG PC Client TIS uses it), and each class has a time
 * the TPM reports through GetCapability(TPM_CAP_PROPERTY,
 * TPM_CAP_PROP_DURATION). Internal to tpmdd/.
 */
#ifndef TSS12_TPMDD_DURATION_H
#define TSS12_TPMDD_DURATION_H

#include <stdbool.h>
#include <stdint.h>

enum tpmdd_duration_class {
	TPMDD_DURATION_SHORT = 0,
	TPMDD_DURATION_MEDIUM,
	TPMDD_DURATION_LONG,
	TPMDD_DURATION_CLASSES,
};

/*
 * Defaults, in microseconds, used when the TPM does not report its
 * durations or reports absurd ones. They are deliberately generous: a
 * too short deadline breaks a working TPM, a too long one only delays
 * the report of a dead one. SHORT and MEDIUM follow the TIS timeouts
 * Linux falls back to (TIS_SHORT_TIMEOUT 750 ms, TIS_LONG_TIMEOUT 2 s)
 * with head room; LONG covers RSA-2048 key generation on slow chips,
 * which Linux bounds by its 2-minute fallback (tpm1_calc_ordinal_duration).
 */
#define TPMDD_DEFAULT_SHORT_US   2000000U	/*   2 s */
#define TPMDD_DEFAULT_MEDIUM_US 20000000U	/*  20 s */
#define TPMDD_DEFAULT_LONG_US  120000000U	/* 120 s */

/* Reported values above this are treated as nonsense (10 minutes). */
#define TPMDD_DURATION_MAX_US  600000000U

/*
 * The class of an ordinal. Ordinals the table does not know (vendor
 * commands, future ones) are LONG: waiting too long is safer than
 * abandoning a command the TPM is still executing.
 */
enum tpmdd_duration_class tpmdd_ordinal_class(uint32_t ordinal);

/* The durations of one TPM, in microseconds, indexed by class. */
struct tpmdd_durations {
	uint32_t us[TPMDD_DURATION_CLASSES];
	bool from_tpm;		/* false: the defaults above */
	bool adjusted;		/* the TPM's values were corrected */
};

void tpmdd_durations_default(struct tpmdd_durations *d);

/*
 * Accepts the three values a TPM reported, correcting the known
 * quirks; falls back to the defaults for values that are zero or
 * absurd. Always leaves *d usable.
 */
void tpmdd_durations_from_tpm(struct tpmdd_durations *d, uint32_t short_us,
			      uint32_t medium_us, uint32_t long_us);

/* The deadline for one ordinal, in milliseconds (at least 1). */
unsigned int tpmdd_ordinal_timeout_ms(const struct tpmdd_durations *d, uint32_t ordinal);

#endif /* TSS12_TPMDD_DURATION_H */
