#!/bin/sh
# test_migration against Debian's TrouSerS tcsd on swtpm: two daemons,
# migration between their TPMs, CMKs, WrapKey and key control through
# our libtspi on the reference TCS. test_migration exits 77 itself when
# TrouSerS' tcsd cannot run here (not root, no tss user).
TSS12_TEST_TCSD=trousers
export TSS12_TEST_TCSD
exec ./test_migration
