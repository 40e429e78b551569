#!/bin/sh
# test_evlog's application-event part with our libtspi against TrouSerS'
# tcsd (Debian's 0.3.15 on swtpm; needs root, skips 77 otherwise).
exec ./test_evlog --trousers
