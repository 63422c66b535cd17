#!/bin/sh
# load.sh — libprovtrace-cuda.so loaded into processes without a GPU: without the shim,
# with a shim that is not recording, switched off, and under provtrace run.
. "$top_srcdir/tests/lib.sh"

LIB="$top_builddir/interpose/.libs/libprovtrace-cuda.so"
LT="$top_builddir/tests/cuda/load-test"
[ -f "$LIB" ] || skip "libprovtrace-cuda.so not built (configure found no CUPTI)"
[ -x "$LT" ] || skip "tests/cuda/load-test not built"
# with a CUDA driver installed, CUPTI may attach for real: only the program's view is checked
driver=
ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 ' && driver=1

# quiet: the program sees no output, no new thread, its errno kept (load-test checks)
quiet() {
	_name=$1
	shift
	set +e
	"$@" >"$T/$_name.out" 2>"$T/$_name.err"
	_rc=$?
	set -e
	assert_eq 0 "$_rc" "$_name: exit status ($(cat "$T/$_name.err"))"
	assert_eq "" "$(cat "$T/$_name.out")" "$_name: stdout"
}

# 1. no shim: nothing at all, not even debug output
quiet bare env PROVTRACE_DEBUG=1 "$LT" "$LIB" 0
assert_eq "" "$(cat "$T/bare.err")" "bare: stderr"

# 2. the shim preloaded but not recording (no PROVTRACE_SPOOL)
quiet idle env LD_PRELOAD="$SHIM" "$LT" "$LIB" 0
assert_eq "" "$(cat "$T/idle.err")" "idle: stderr"

# 3. recording, but PROVTRACE_CUDA=off: no CUDA record
ptrun off env PROVTRACE_CUDA=off "$LT" "$LIB" 0
assert_eq 0 "$rc" "off: exit status ($(cat "$T/off.err"))"
assert_eq "" "$(cat "$T/off.out")" "off: stdout"
assert_eq 0 "$(ev rec '*' -f type | grep -c '^CUDA_' || true)" "off: CUDA records"

# 4. recording, no GPU: CUPTI cannot attach, which the store says (a process whose CUDA
# work went unseen), and the program notices nothing
if [ -n "$driver" ]; then
	ptrun nogpu "$LT" "$LIB" -
	assert_eq 0 "$rc" "nogpu: exit status ($(cat "$T/nogpu.err"))"
	assert_eq "" "$(cat "$T/nogpu.out")" "nogpu: stdout"
else
	ptrun nogpu "$LT" "$LIB" 0
	assert_eq 0 "$rc" "nogpu: exit status ($(cat "$T/nogpu.err"))"
	assert_eq "" "$(cat "$T/nogpu.out")" "nogpu: stdout"
	assert_eq 1 "$(ev rec CUDA_DROPS how=3 dropped=1 round=1)" "nogpu: CUDA_DROPS how 3"
	assert_eq "1 1 0" "$(stat_of gpu_processes gpu_uncaptured gpu_kernel_launches)" \
		"nogpu: stat"
fi
exit 0
