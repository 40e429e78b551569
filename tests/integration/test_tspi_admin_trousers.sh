#!/bin/sh
# test_tspi_admin against Debian's TrouSerS tcsd on swtpm: counters, ticks,
# auditing, DIR, status flags and the DA lockout of our libtspi (and the
# counter ordinals over the wire) must work against the reference daemon too.
# test_tspi_admin exits 77 itself when TrouSerS' tcsd cannot run here.
TSS12_TEST_TCSD=trousers
export TSS12_TEST_TCSD
exec ./test_tspi_admin
