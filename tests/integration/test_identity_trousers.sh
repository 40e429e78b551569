#!/bin/sh
# test_identity against Debian's TrouSerS tcsd on swtpm: our libtspi's
# CollateIdentityRequest / ActivateIdentity must work against the
# reference daemon too. test_identity exits 77 itself when TrouSerS' tcsd
# cannot run here (not root, no tss group, no /usr/sbin/tcsd).
TSS12_TEST_TCSD=trousers
export TSS12_TEST_TCSD
exec ./test_identity
