#!/bin/sh
# progress.sh — the progress bar of long work (collector/progress.c) on a pseudo-terminal:
# the first query of a run indexes its store and shows "provtrace: indexing" with a bar
# that ends at 100% and the record count, nothing when stderr is not a terminal; export,
# report and provtrace-collectd --once show theirs on a terminal and nothing with -q.
. "$top_srcdir/tests/lib.sh"
# a sanitizer build: LeakSanitizer's list of the suppressions it used is not an error line
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}print_suppressions=0"

command -v provtrace-export >/dev/null || skip "provtrace-export is not built (no Redland)"
command -v provtrace-report >/dev/null || skip "provtrace-report is not built (no libgvc)"
PTY="$PY $top_srcdir/tests/rdf/ptyrun.py"
$PTY true || skip "no pseudo-terminal here"

mkdir "$T/job"
echo hello >"$T/job/in.txt"
(cd "$T/job" && ptrun sh /bin/sh -c 'cat in.txt > mid.txt; tr a-z A-Z < mid.txt > out.txt')
RUN="$T/sh"
cp -r "$RUN" "$T/copy"
cp -r "$RUN" "$T/copy2"

# deferred indexing, shown on a terminal: the bar's last state is 100% of the log
$PTY provtrace-stat "$RUN" >"$T/stat.tty"
n=$(provtrace-stat --json "$RUN" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["events"])')
grep -q "^provtrace: indexing $(hostname)\.mdb \[#\{24\}\] 100% $n/$n records, [0-9.]*[kMG]\{0,1\} records/s$" \
	"$T/stat.tty" || fail "no indexing bar of $n records in: $(cat "$T/stat.tty")"
# once indexed, nothing to show
$PTY provtrace-stat "$RUN" >"$T/stat2.tty"
assert_eq "" "$(grep 'provtrace: indexing' "$T/stat2.tty" || true)" "a bar on the second stat"
# not a terminal: nothing on stderr
provtrace-stat "$T/copy" >/dev/null 2>"$T/stat.err"
assert_eq "" "$(cat "$T/stat.err")" "stderr of the first stat, not on a terminal"
# -q: nothing, even the indexing of the first query
$PTY provtrace-export -q -o "$T/q.ttl" "$T/copy2" >"$T/export-q.tty"
assert_eq "" "$(cat "$T/export-q.tty")" "the terminal of export -q"

# export and report draw their bars on a terminal, and none with -q
$PTY provtrace-export -o "$T/e.ttl" "$RUN" >"$T/export.tty"
grep -q '^provtrace export: done [0-9]*, [0-9]* triples, .* triples/s$' "$T/export.tty" ||
	fail "no export bar in: $(cat "$T/export.tty")"
$PTY provtrace-report -o "$T/r.html" "$RUN" >"$T/report.tty"
np=$(provtrace-stat --json "$RUN" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["processes"])')
grep -q "^provtrace report: processes \[#\{24\}\] 100% $np/$np processes, " "$T/report.tty" ||
	fail "no bar of $np processes in: $(cat "$T/report.tty")"
grep -q '^provtrace report: lineage \[#\{24\}\] 100% 1/1 outputs, ' "$T/report.tty" ||
	fail "no lineage bar of 1 output in: $(cat "$T/report.tty")"
$PTY provtrace-report -q -o "$T/r2.html" "$RUN" >"$T/report-q.tty"
assert_eq "" "$(cat "$T/report-q.tty")" "the terminal of report -q"
provtrace-report -o "$T/r3.html" "$RUN" 2>"$T/report.err"
assert_eq "" "$(cat "$T/report.err")" "stderr of report, not on a terminal"

# the collector's --once pass over a spool (empty here: no region to finish)
mkdir -m 700 "$T/sp"
$PTY provtrace-collectd --once -S "$T/sp" -d "$T/once.mdb" -H n1 >"$T/once.tty"
assert_eq "provtrace-collectd --once: regions 0 regions, 0 regions/s" "$(cat "$T/once.tty")" \
	"the terminal of collectd --once"
$PTY provtrace-collectd --once -q -S "$T/sp" -d "$T/once2.mdb" -H n1 >"$T/once-q.tty"
assert_eq "" "$(cat "$T/once-q.tty")" "the terminal of collectd --once -q"
exit 0
