#!/bin/sh
# fuzz-extract.sh — a short libFuzzer run (PT_FUZZ_SECONDS, default 20) of the readers of
# a job's configurations, logs and command lines (rdf/parse.c) over the checked-in seeds
# (one of each format, first byte = the reader).  A crash, a sanitizer report or a leak
# fails the test and leaves the input in the log.
. "$top_srcdir/tests/lib.sh"

fuzzer="$top_builddir/tests/reliability/fuzz-extract"
[ -x "$fuzzer" ] || skip "fuzz-extract not built (configure found no clang with libFuzzer)"
mkdir "$T/corpus"
cp "$top_srcdir/tests/reliability/corpus/extract/"* "$T/corpus/"
"$fuzzer" -max_total_time="${PT_FUZZ_SECONDS:-20}" -max_len=4096 -print_final_stats=1 \
	-artifact_prefix="$T/crash-" "$T/corpus" 2>"$T/fuzz.log" || {
	tail -n 40 "$T/fuzz.log"
	for f in "$T"/crash-*; do [ -f "$f" ] && od -A x -t x1z "$f" | head -20; done
	fail "the fuzzer found a crash"
}
grep -E "stat::number_of_executed_units|cov:" "$T/fuzz.log" | tail -n 2
