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

# The test programs (tests/prog/), built by make check.
PROG="$top_builddir/tests/prog"

# ptrun NAME CMD [ARG...] — run CMD traced into the run directory $T/NAME, its output in
# $T/NAME.out and .err.  Sets RUN (the run directory), rc (CMD's exit status as
# provtrace run passed it on) and LOG (the node store's event log as JSON lines).
ptrun() {
	_name=$1
	shift
	RUN="$T/$_name"
	set +e
	provtrace-run -q -o "$RUN" -- "$@" >"$T/$_name.out" 2>"$T/$_name.err"
	rc=$?
	set -e
	LOG="$T/$_name.jsonl"
	provtrace-dump --log "$RUN"/nodes/*.mdb >"$LOG" ||
		fail "$_name: no event log (provtrace run said: $(cat "$T/$_name.err"))"
}

# ev ARGS — tests/evq.py over $LOG (see there for the queries)
ev() {
	"$PY" "$top_srcdir/tests/evq.py" "$LOG" "$@"
}

# stat_of KEY... — fields of `provtrace stat --json` for $RUN, space separated
stat_of() {
	provtrace-stat --json "$RUN" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(str(d[k]) for k in sys.argv[1:]))' "$@"
}

# assert_ge MIN ACTUAL MESSAGE
assert_ge() {
	[ "$2" -ge "$1" ] || fail "$3: expected at least $1, got $2"
}

# fuzz_run NAME CORPUS: a short libFuzzer run (PT_FUZZ_SECONDS, default 20) of
# tests/reliability/NAME over the seeds in tests/reliability/corpus/CORPUS; a crash, a
# sanitizer report or a leak fails the test with the log's tail and the input.
fuzz_run() {
	fuzzer="$top_builddir/tests/reliability/$1"
	[ -x "$fuzzer" ] || skip "$1 not built (configure found no clang with libFuzzer)"
	mkdir "$T/corpus"
	cp "$top_srcdir/tests/reliability/corpus/$2/"* "$T/corpus/"
	"$fuzzer" -max_total_time="${PT_FUZZ_SECONDS:-20}" -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$T/crash-" "$T/corpus" 2>"$T/fuzz.log" || {
		tail -n 40 "$T/fuzz.log"
		for f in "$T"/crash-*; do [ -f "$f" ] && od -A x -t x1z "$f" | head -20; done
		fail "the fuzzer found a crash"
	}
	grep -E "stat::number_of_executed_units|cov:" "$T/fuzz.log" | tail -n 2
}

# ml_shards N: the ML pipeline's input (skips without numpy): D is a fresh directory
# $T/ml, the working directory, holding data/ with the N shards of examples/make_shards.py
ml_shards() {
	"$PY" -c 'import numpy' 2>/dev/null || skip "$PY cannot import numpy (python3-numpy)"
	D=$(cd "$T" && pwd -P)/ml
	mkdir "$D"
	cd "$D"
	"$PY" "$top_srcdir/examples/make_shards.py" data "$1" || fail "make_shards.py"
}

# content_dir: for the content-hash tests (skips without xxh128sum or provtrace-export):
# D is a fresh directory $T/d, the working directory
content_dir() {
	command -v xxh128sum >/dev/null || skip "no xxh128sum (Debian package xxhash)"
	command -v provtrace-export >/dev/null || skip "built without Redland: no provtrace-export"
	D=$(cd "$T" && pwd -P)/d
	mkdir "$D"
	cd "$D"
}
