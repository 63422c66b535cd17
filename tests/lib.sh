# lib.sh — sourced by the shell tests: a private temporary directory, the build tree's
# programs, and asserts that print both values.  Tests run from `make check`.
set -eu

: "${top_builddir:=.}"
: "${top_srcdir:=.}"
top_builddir=$(cd "$top_builddir" && pwd)
top_srcdir=$(cd "$top_srcdir" && pwd)
PY=${PYTHON3:-/usr/bin/python3}
PATH="$top_builddir:$top_builddir/scripts:$PATH"
export PATH PY top_builddir top_srcdir
unset LD_PRELOAD PROVTRACE_SPOOL PROVTRACE_SOCKET PROVTRACE_DISABLE
# a short private directory: Unix socket paths must stay under 108 bytes
T=$(mktemp -d "${TMPDIR:-/tmp}/pt-test.XXXXXX")
export PROVTRACE_TMPDIR="$T/tmp"
export PROVTRACE_SPOOL_DIR="$T/spool"
mkdir -m 700 "$PROVTRACE_TMPDIR" "$PROVTRACE_SPOOL_DIR"
cleanup() { rc=$?; [ -n "${PT_KEEP:-}" ] || rm -rf "$T"; exit $rc; }
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# assert_eq EXPECTED ACTUAL MESSAGE
assert_eq() {
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

# The build's libprovtrace.so, for tests that preload it without a collector.
SHIM="$top_builddir/interpose/.libs/libprovtrace.so"
