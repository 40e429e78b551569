#!/bin/sh
# test_tspi_delegation against Debian's TrouSerS tcsd on swtpm: our libtspi's
# delegation calls and DSAP sessions must work against the reference daemon
# too. test_tspi_delegation exits 77 itself when TrouSerS' tcsd cannot run
# here (not root, no tss user).
TSS12_TEST_TCSD=trousers
export TSS12_TEST_TCSD
exec ./test_tspi_delegation
