/*
 * The checks of an integration test: each prints one line, "ok: ..." or
 * "FAIL: ...", and is counted; checks_finish() prints "N checks, M failed"
 * and gives main() its exit status. A test that made no check fails: it
 * tested nothing.
 */
#ifndef TSS12_TEST_CHECKS_H
#define TSS12_TEST_CHECKS_H

void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Checks made so far, and how many of them failed. */
int checks_done(void);
int checks_failed(void);
/* Prints the totals; 0 when every check passed and there was one, else 1. */
int checks_finish(void);

#endif
