#!/bin/sh
# test_tspi_core against Debian's TrouSerS tcsd (issue 3 interop (c)):
# our libtspi must work against the reference daemon too.
TSS12_TEST_TCSD=trousers
export TSS12_TEST_TCSD
exec ./test_tspi_core
