#!/bin/sh
# Sets tss12 up from a fresh clone (Debian packages, build) and runs the
# main job: the tpmdd probe against an embedded libtpms TPM 1.2 whose state
# lives in TSS12_STATE_DIR (default: a new temporary directory).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh" normal

tpmdd="$top/build/normal/tpmdd/tpmdd"
state=${TSS12_STATE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/tss12-tpm.XXXXXX")}
device="libtpms:$state"

echo
echo "== tpmdd --device $device version"
"$tpmdd" --device "$device" version
echo
echo "== tpmdd --device $device caps"
"$tpmdd" --device "$device" caps
echo
echo "== tpmdd --device $device pcrs"
"$tpmdd" --device "$device" pcrs
echo
echo "== tpmdd --device $device random 16"
"$tpmdd" --device "$device" random 16
echo
echo "The embedded TPM's state is kept in $state."
echo "Probe it again with: $tpmdd --device $device caps"
