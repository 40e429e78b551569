#!/bin/sh
# Builds tss12 in build/<flavour> (out of tree). Usage:
#   scripts/build.sh [normal|asan|fuzz] [extra configure args...]
# Installs nothing; scripts/install-deps.sh does that.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:-normal}
[ $# -gt 0 ] && shift

case "$flavour" in
normal) flags="--enable-developer" ;;
asan)   flags="--enable-developer --enable-sanitizers" ;;
fuzz)   flags="--enable-developer --enable-fuzzing CC=clang" ;;
*) echo "usage: $0 [normal|asan|fuzz] [configure args]" >&2; exit 2 ;;
esac

cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi

dir="$top/build/$flavour"
mkdir -p "$dir"
cd "$dir"
# Re-run configure whenever configure itself is newer than its last run.
if [ ! -f config.status ] || [ "$top/configure" -nt config.status ]; then
	# shellcheck disable=SC2086
	"$top/configure" -q $flags "$@"
fi
make -j"$(nproc)" >/dev/null
echo "tss12: built $flavour in $dir"
