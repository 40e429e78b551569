#!/bin/sh
# The whole tss12 test suite, from a fresh clone on a fresh Debian 12:
# installs dependencies, builds, runs every test once normally (plus
# `make distcheck`), once under AddressSanitizer + UndefinedBehaviorSanitizer,
# and runs the libFuzzer targets over their corpora.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

"$top/scripts/install-deps.sh"

run_check() {
	flavour=$1
	echo "=== tss12: make check ($flavour) ==="
	if ! make -C "$top/build/$flavour" -j"$(nproc)" check; then
		find "$top/build/$flavour/tests" -name test-suite.log -exec cat {} +
		echo "tss12: FAILED: make check ($flavour)" >&2
		exit 1
	fi
}

"$top/scripts/build.sh" normal
run_check normal

echo "=== tss12: make distcheck ==="
make -C "$top/build/normal" -j"$(nproc)" distcheck >"$top/build/distcheck.log" 2>&1 || {
	# distcheck leaves its tree behind on failure: show why each test failed.
	find "$top/build/normal" -path '*/_build/*' -name test-suite.log -exec cat {} + 2>/dev/null || true
	tail -n 80 "$top/build/distcheck.log"
	echo "tss12: FAILED: make distcheck" >&2
	exit 1
}

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
"$top/scripts/build.sh" asan
run_check asan

"$top/scripts/build.sh" fuzz
echo "=== tss12: fuzz targets over their corpora ==="
"$top/tests/fuzz/run-fuzzers.sh" "$top/build/fuzz/tests/fuzz" "${TSS12_FUZZ_SECONDS:-10}"

echo "tss12: all tests passed"
