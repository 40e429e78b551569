#!/bin/sh
# test_tspi_transport with the session cipher AES-128 in the TPM's counter
# mode (TPM_ALG_AES128, TPM_ES_SYM_CTR) instead of MGF1, on our tcsd.
TSS12_TRANSPORT_CIPHER=aes128-ctr
export TSS12_TRANSPORT_CIPHER
exec ./test_tspi_transport
