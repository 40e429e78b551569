#!/bin/sh
# test_tspi_keys against Debian's TrouSerS tcsd on swtpm (issue 3 interop
# (c)): keys, seal/bind, hashes, PCR composites and key storage of our
# libtspi must work against the reference daemon too. test_tspi_keys
# exits 77 itself when TrouSerS' tcsd cannot run here (not root, no tss).
TSS12_TEST_TCSD=trousers
export TSS12_TEST_TCSD
exec ./test_tspi_keys
