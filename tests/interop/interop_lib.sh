# Sourced (POSIX sh) by the *_interop.sh tests that build one TSS client,
# a peer, twice: against Debian's libtspi (TrouSerS) and against ours, and
# run both on one tcsd through with_tcsd. The caller:
#   . "$(dirname "$0")/interop_lib.sh"
#   interop_start NAME [PROGRAM...]  # skips/fails early; $work, removed on exit
#   interop_build_peers SRC [LIBS...]  # $T (TrouSerS') and $O (ours)
#   "$with_tcsd" sh -c '. "$INTEROP_LIB"; step $T ...; step $O ...'
# The scripts given to with_tcsd source this file too, for step/refuse.

top_srcdir=${TOP_SRCDIR:-../..}
top_builddir=${TOP_BUILDDIR:-../..}
cc=${CC:-cc}
libdir=$top_builddir/tspi/.libs
with_tcsd=$top_builddir/tests/integration/with_tcsd
INTEROP_LIB=${INTEROP_LIB:-$(cd "$(dirname "$0")" && pwd)/interop_lib.sh}
export INTEROP_LIB

# Skips (77) without Debian's libtspi-dev; fails if ours, with_tcsd or one
# of the PROGRAMs is not built. Makes $work (exported as WORK).
interop_start() {
	name=$1
	shift
	[ -f /usr/include/tss/tspi.h ] || { echo "SKIP: Debian's libtspi-dev is not installed"; exit 77; }
	[ -e "$libdir/libtspi.so.1" ] || { echo "FAIL: $libdir/libtspi.so.1 not built"; exit 1; }
	for p in "$with_tcsd" "$@"; do
		[ -x "$p" ] || { echo "FAIL: $p not built"; exit 1; }
	done
	work=$(mktemp -d "${TMPDIR:-/tmp}/tss12-$name.XXXXXX") || exit 1
	trap 'rm -rf "$work"' EXIT INT TERM
	WORK=$work
	export WORK
}

# Builds SRC with peer_kit.c into $work/peer_trousers (only /usr/include
# and Debian's -ltspi) and $work/peer_ours (only our headers and library);
# LIBS are linked into both. In a sanitizer build our libtspi needs the
# sanitizer runtime first: the program that links it gets the same
# -fsanitize flags.
interop_build_peers() {
	src=$1
	shift
	kit=$top_srcdir/tests/interop/peer_kit.c
	$cc -o "$work/peer_trousers" "$src" "$kit" -ltspi "$@" ||
		{ echo "FAIL: building against TrouSerS"; exit 1; }
	san=$(printf '%s\n' ${TEST_CFLAGS:-} | grep -e '^-fsanitize' -e '^-fno-sanitize' | tr '\n' ' ')
	$cc $san -I"$top_srcdir/include" -o "$work/peer_ours" "$src" "$kit" -L"$libdir" -ltspi "$@" \
		-Wl,-rpath,"$(cd "$libdir" && pwd)" || { echo "FAIL: building against ours"; exit 1; }
	loaded=$(ldd "$work/peer_ours" | awk '/libtspi\.so\.1/ { print $3 }')
	case $loaded in
	*/tspi/.libs/*) ;;
	*) echo "FAIL: peer_ours would load '$loaded'"; exit 1 ;;
	esac
	T=$work/peer_trousers
	O=$work/peer_ours
	export T O
}

# In the steps: run a command that must succeed / must fail, saying so.
step() { echo "== $*"; "$@" || { echo "FAIL: $*"; exit 1; }; }
refuse() { echo "== (must fail) $*"; if "$@"; then echo "FAIL: accepted: $*"; exit 1; fi; }
