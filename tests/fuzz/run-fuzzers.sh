#!/bin/sh
# Runs every libFuzzer target: first over its committed corpus (a
# regression test: every seed must pass), then fuzzes for a few seconds.
# Usage: run-fuzzers.sh BUILD_DIR_OF_TESTS_FUZZ [SECONDS]
set -eu

bin=$1
seconds=${2:-10}
corpus=$(cd "$(dirname "$0")" && pwd)/corpus

for target in fuzz_buf fuzz_tpm_structs fuzz_tpmdd_rsp fuzz_tcsd_wire fuzz_tcsd_dispatch fuzz_privacy_ca \
		fuzz_ima_bin fuzz_ima_ascii fuzz_biosl fuzz_tsslog fuzz_tssblob; do
	name=${target#fuzz_}
	seeds="$corpus/$name"
	[ -x "$bin/$target" ] || { echo "run-fuzzers: $target not built" >&2; exit 1; }
	work=$(mktemp -d)
	[ -d "$seeds" ] && cp "$seeds"/* "$work"/ 2>/dev/null || true
	echo "run-fuzzers: $target (${seconds}s)"
	"$bin/$target" -runs=0 "$work" >/dev/null 2>&1 ||
		{ echo "run-fuzzers: $target fails on its corpus" >&2; rm -rf "$work"; exit 1; }
	if ! (cd "$work" && "$bin/$target" -max_total_time="$seconds" \
			-print_final_stats=1 "$work" >"$work.log" 2>&1); then
		tail -n 40 "$work.log" >&2
		echo "run-fuzzers: $target found a crash; input kept in $work" >&2
		exit 1
	fi
	grep 'stat::number_of_executed_units' "$work.log" || true
	rm -rf "$work" "$work.log"
done
