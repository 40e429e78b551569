/*
 * Policy secrets for the rest of the TSP: getting the 20-byte value
 * (asking on the terminal for popup policies), lifetimes, and the
 * application's HMAC callback (TSS 1.2 §4.3.3.2).
 *
 * Popup secrets are typed on the controlling terminal (/dev/tty) with echo
 * off, then converted and hashed exactly as TrouSerS does: the typed bytes
 * become UTF-16LE (Trspi_Native_To_UNICODE, which appends a 2-byte NUL),
 * the NUL is dropped unless the hash mode is TSS_TSPATTRIB_HASH_MODE_NULL,
 * and SHA-1 of the rest is the secret. So a password typed at a TrouSerS
 * popup and at ours gives the same TPM auth value.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "log.h"
#include "obj.h"
#include "secret.h"
#include "trousers/trousers.h"

/* TrouSerS' UI_MAX_SECRET_STRING_LENGTH: longer input is cut there. */
#define POPUP_MAX 256

typedef TSS_RESULT (*hmac_callback_fn)(PVOID app_data, TSS_HOBJECT authorized,
				       TSS_BOOL return_or_verify, UINT32 pending_function,
				       TSS_BOOL continue_session, UINT32 nonce_size,
				       BYTE *nonce_even, BYTE *nonce_odd, BYTE *nonce_even_osap,
				       BYTE *nonce_odd_osap, UINT32 digest_size, BYTE *digest,
				       BYTE *hmac);

struct tspi_policy *secret_policy(struct tspi_ctx *ctx, TSS_HPOLICY h)
{
	struct obj *o;

	if (obj_lookup_in(ctx, h, OBJ_POLICY, &o) != TSS_SUCCESS)
		return NULL;
	return o->data;
}

bool secret_expired(const struct tspi_policy *p)
{
	time_t now;

	switch (p->lifetime) {
	case TSS_TSPATTRIB_POLICYSECRET_LIFETIME_COUNTER:
		return p->counter == 0;
	case TSS_TSPATTRIB_POLICYSECRET_LIFETIME_TIMER:
		now = time(NULL);
		return now == (time_t)-1 || now < p->timer_start ||
		       (uint64_t)(now - p->timer_start) >= p->counter;
	default:
		return false;
	}
}

/* Reads one line from the terminal fd into buf (no newline), echo off. */
static int tty_read_line(int fd, const char *prompt, char *buf, size_t cap, size_t *len)
{
	struct termios old, quiet;
	bool restore = false;
	size_t n = 0;
	ssize_t k;
	char c;
	int rc = 0;

	*len = 0;
	/* Echo off before the prompt appears, and without flushing: a secret
	 * typed (or piped) right after the prompt must not be lost. */
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		if (tcsetattr(fd, TCSANOW, &quiet) == 0)
			restore = true;
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		rc = -errno;
		goto out;
	}
	for (;;) {
		k = read(fd, &c, 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = -errno;
			break;
		}
		if (k == 0 || c == '\n' || c == '\r')
			break;
		if (n < cap)	/* keep reading to the end of the line, drop the excess */
			buf[n++] = c;
	}
out:
	if (restore)
		(void)tcsetattr(fd, TCSANOW, &old);
	if (write(fd, "\n", 1) < 0) {
		/* The prompt's newline is cosmetic. */
	}
	OPENSSL_cleanse(&c, sizeof(c));
	*len = n;
	return rc;
}

TSS_RESULT secret_popup(const char *prompt, UINT32 hash_mode, bool confirm, BYTE out[SECRET_LEN])
{
	char first[POPUP_MAX + 1], second[POPUP_MAX + 1];
	size_t n1 = 0, n2 = 0;
	BYTE *unicode = NULL;
	unsigned ulen;
	char *title = NULL;
	TSS_RESULT rc = TSS_SUCCESS;
	int fd, err;

	memset(out, 0, SECRET_LEN);
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		log_error("tspi: popup secret requested but there is no terminal: %s",
			  strerror(errno));
		return TSP_ERROR(TSS_E_POLICY_NO_SECRET);
	}
	if (asprintf(&title, "%s\n", prompt != NULL ? prompt : "TSS Authentication Dialog") < 0) {
		title = NULL;
		rc = TSP_ERROR(TSS_E_OUTOFMEMORY);
		goto out;
	}
	if (write(fd, title, strlen(title)) < 0) {
		rc = TSP_ERROR(TSS_E_POLICY_NO_SECRET);
		goto out;
	}
	if ((err = tty_read_line(fd, "Enter PIN:", first, POPUP_MAX, &n1)) != 0) {
		log_error("tspi: cannot read the popup secret: %s", strerror(-err));
		rc = TSP_ERROR(TSS_E_POLICY_NO_SECRET);
		goto out;
	}
	if (n1 == 0) {
		rc = TSP_ERROR(TSS_E_POLICY_NO_SECRET);
		goto out;
	}
	if (confirm) {
		if (tty_read_line(fd, "Verify PIN:", second, POPUP_MAX, &n2) != 0 || n2 != n1 ||
		    !crypto_memeq(first, second, n1)) {
			log_error("tspi: the two popup secrets differ");
			rc = TSP_ERROR(TSS_E_POLICY_NO_SECRET);
			goto out;
		}
	}
	first[n1] = '\0';
	unicode = Trspi_Native_To_UNICODE((BYTE *)first, &ulen);
	if (unicode == NULL || ulen < sizeof(TSS_UNICODE)) {
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
		goto out;
	}
	if (hash_mode == TSS_TSPATTRIB_HASH_MODE_NOT_NULL)
		ulen -= sizeof(TSS_UNICODE);
	if (crypto_sha1(unicode, ulen, out) != 0)
		rc = TSP_ERROR(TSS_E_INTERNAL_ERROR);
out:
	if (unicode != NULL) {
		OPENSSL_cleanse(unicode, ulen);
		free(unicode);
	}
	OPENSSL_cleanse(first, sizeof(first));
	OPENSSL_cleanse(second, sizeof(second));
	free(title);
	close(fd);
	return rc;
}

TSS_RESULT secret_get(struct tspi_ctx *ctx, TSS_HPOLICY h, bool new_secret, BYTE out[SECRET_LEN])
{
	struct tspi_policy *p = secret_policy(ctx, h);
	BYTE *title = NULL;
	TSS_RESULT rc;

	memset(out, 0, SECRET_LEN);
	if (p == NULL)
		return TSP_ERROR(TSS_E_INVALID_HANDLE);
	if (secret_expired(p))
		return TSP_ERROR(TSS_E_INVALID_OBJ_ACCESS);

	switch (p->mode) {
	case TSS_SECRET_MODE_POPUP:
		if (!p->secret_set) {
			if (ctx->silent_mode == TSS_TSPATTRIB_CONTEXT_SILENT)
				return TSP_ERROR(TSS_E_SILENT_CONTEXT);
			if (p->popup != NULL)
				title = Trspi_UNICODE_To_Native(p->popup, NULL);
			rc = secret_popup((const char *)title, p->hash_mode, new_secret,
					  p->secret);
			free(title);
			if (rc != TSS_SUCCESS)
				return rc;
			p->secret_set = true;
		}
		memcpy(out, p->secret, SECRET_LEN);
		return TSS_SUCCESS;
	case TSS_SECRET_MODE_PLAIN:
	case TSS_SECRET_MODE_SHA1:
		if (!p->secret_set)
			return TSP_ERROR(TSS_E_POLICY_NO_SECRET);
		memcpy(out, p->secret, SECRET_LEN);
		return TSS_SUCCESS;
	case TSS_SECRET_MODE_NONE:
		/* TrouSerS hands out 20 zero bytes here (e.g. for keys created without auth). */
		return TSS_SUCCESS;
	default:
		return TSP_ERROR(TSS_E_POLICY_NO_SECRET);
	}
}

void secret_used(struct tspi_ctx *ctx, TSS_HPOLICY h)
{
	struct tspi_policy *p = secret_policy(ctx, h);

	if (p != NULL && p->lifetime == TSS_TSPATTRIB_POLICYSECRET_LIFETIME_COUNTER &&
	    p->counter > 0)
		p->counter--;
}

bool secret_is_callback(struct tspi_ctx *ctx, TSS_HPOLICY h)
{
	struct tspi_policy *p = secret_policy(ctx, h);

	return p != NULL && p->mode == TSS_SECRET_MODE_CALLBACK;
}

TSS_RESULT secret_callback_hmac(struct tspi_ctx *ctx, TSS_HPOLICY h, TSS_HOBJECT authorized,
				bool verify, UINT32 ordinal, bool continue_session,
				const BYTE nonce_even[20], const BYTE nonce_odd[20],
				const BYTE *nonce_even_osap, const BYTE *nonce_odd_osap,
				const BYTE digest[20], BYTE hmac[20])
{
	struct tspi_policy *p = secret_policy(ctx, h);
	BYTE even[20], odd[20], even_osap[20], odd_osap[20], dig[20];
	hmac_callback_fn fn;
	TSS_RESULT rc;

	if (p == NULL)
		return TSP_ERROR(TSS_E_INVALID_HANDLE);
	if (p->mode != TSS_SECRET_MODE_CALLBACK || p->cb_hmac.callback == NULL)
		return TSP_ERROR(TSS_E_POLICY_NO_SECRET);
	/* The callback gets copies: it must not be able to change our session state. */
	memcpy(even, nonce_even, 20);
	memcpy(odd, nonce_odd, 20);
	memcpy(dig, digest, 20);
	if (nonce_even_osap != NULL)
		memcpy(even_osap, nonce_even_osap, 20);
	if (nonce_odd_osap != NULL)
		memcpy(odd_osap, nonce_odd_osap, 20);
	/* A function pointer travels in a PVOID (TSS_CALLBACK, TSS 1.2 §2.6.2). */
	memcpy(&fn, &p->cb_hmac.callback, sizeof(fn));
	rc = fn(p->cb_hmac.appData, authorized, verify ? FALSE : TRUE, ordinal,
		continue_session ? TRUE : FALSE, 20, even, odd,
		nonce_even_osap != NULL ? even_osap : NULL,
		nonce_odd_osap != NULL ? odd_osap : NULL, 20, dig, hmac);
	OPENSSL_cleanse(dig, sizeof(dig));
	return rc;
}
