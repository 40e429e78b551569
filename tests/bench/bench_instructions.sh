#!/bin/sh
# Instructions per round trip, direct TPMLIB_Process vs through tpmdd on the
# embedded backend, counted by callgrind: repeatable whatever the machine's
# load, where bench_tpmdd's seconds are not.
# Usage: bench_instructions.sh [PATH_TO_bench_tpmdd] [N]
set -eu

bench=${1:-$(dirname "$0")/bench_tpmdd}
n=${2:-20000}
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

count() {	# path workload -> instructions per round trip
	valgrind --tool=callgrind --toggle-collect="$1_round_trip" \
		--callgrind-out-file="$out/cg" "$bench" --count "$n" --only "$1" \
		--workload "$2" >/dev/null 2>&1
	awk -v n="$n" '/^(summary|totals):/ { printf "%.0f", $2 / n; exit }' "$out/cg"
}

printf "%-14s %16s %16s %10s\n" command "TPMLIB direct" "tpmdd libtpms" overhead
for w in 0 1; do
	name=$([ "$w" = 0 ] && echo "GetRandom(20)" || echo "PCRRead(10)")
	d=$(count direct "$w")
	t=$(count tpmdd "$w")
	awk -v name="$name" -v d="$d" -v t="$t" 'BEGIN {
		printf "%-14s %12d ins %12d ins %9.1f%%\n", name, d, t, 100 * (t / d - 1) }'
done
