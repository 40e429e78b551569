#!/bin/sh
# test_tspi_transport against Debian's TrouSerS tcsd on swtpm: our libtspi's
# transport sessions must be wire-compatible with TrouSerS' tcsd. The
# program exits 77 itself when TrouSerS' tcsd cannot run here (not root,
# no tss user, no tcsd).
TSS12_TEST_TCSD=trousers
export TSS12_TEST_TCSD
exec ./test_tspi_transport
