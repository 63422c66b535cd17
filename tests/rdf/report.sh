#!/bin/sh
# report.sh — provtrace report on the examples' Pool training job, traced for real, opened
# in headless Chromium: the process tree holds every process (by pid), the lineage SVG one
# entity per file of the last checkpoint's lineage (as provtrace lineage lists it), the
# console is empty and the page asks the network for nothing (a control page that does is
# caught by the same checks); a screenshot is kept in the build tree
# (tests/rdf/report-pool.png).  Bad input: one error line, a non-zero status, no file.
. "$top_srcdir/tests/lib.sh"
# a sanitizer build: LeakSanitizer's list of the suppressions it used is not an error line
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}print_suppressions=0"

command -v provtrace-report >/dev/null || skip "provtrace-report is not built (no libgvc)"
"$PY" -c 'import numpy' 2>/dev/null || skip "$PY cannot import numpy (python3-numpy)"
[ -e "$SHIM" ] || skip "the shim is not built ($SHIM)"
. "$top_srcdir/tests/rdf/chrome.sh"

"$PY" "$top_srcdir/examples/make_shards.py" "$T/data" 16
ptrun pool "$PY" "$top_srcdir/examples/train_pool.py" "$T/data" "$T/ckpt" 3 4
assert_eq 0 "$rc" "exit status of the traced job"
CK="$T/ckpt/model-3.pt"
[ -f "$CK" ] || fail "the job wrote no final checkpoint"

provtrace report -q "$RUN" 2>"$T/report.err" || fail "provtrace report: $(cat "$T/report.err")"
assert_eq "" "$(cat "$T/report.err")" "stderr of provtrace report -q"
PAGE="$RUN/report.html"
[ -f "$PAGE" ] || fail "no $PAGE"
rm -f "$top_builddir/tests/rdf/report-pool.png"
chrome pool "$PAGE" "$top_builddir/tests/rdf/report-pool.png"
assert_eq "89504e470d0a1a0a" "$(od -An -tx1 -N8 "$top_builddir/tests/rdf/report-pool.png" | tr -d ' \n')" \
	"the screenshot's PNG signature"

# every process, once, in the tree
want=$(ev procs -f pid | sort -n)
assert_eq 5 "$(echo "$want" | wc -l | tr -d ' ')" "processes in the event log"
assert_eq "$want" "$($RCHECK pids "$T/pool.dom" | sort -n)" "pids in the process tree"
# the page says what the job was
grep -q "train_pool.py $T/data $T/ckpt 3 4" "$T/pool.dom" || fail "no command line in the page"

# the lineage graph of the outputs holds every file of the checkpoint's lineage
lin=$( (provtrace lineage --ancestors "$CK" "$RUN"; echo "$CK") | sort -u)
assert_ge 17 "$(echo "$lin" | wc -l)" "files in the checkpoint's lineage (16 shards and more)"
$RCHECK files "$T/pool.dom" >"$T/files"
assert_eq "" "$(echo "$lin" | comm -23 - "$T/files")" "lineage files missing from the page's graph"
# with --lineage, that lineage alone: one entity per file, no other file but the name the
# checkpoint was written under before its rename (a version of its own in PROV)
provtrace report -q -l "$CK" -o "$T/ck.html" "$RUN"
chrome ck "$T/ck.html"
assert_eq "$(printf '%s\n' "$lin" "$CK.tmp" | sort)" "$($RCHECK files "$T/ck.dom")" \
	"files of the --lineage graph"
# of so small a run only the file tables are folded (Python reads many modules)
assert_eq "top files: 40 of $(stat_of files) files in each table" "$($RCHECK folded "$T/pool.dom")" \
	"folded parts of the report"

# no console message, no request to the network
for n in pool ck; do
	assert_eq "" "$(grep CONSOLE "$T/$n.err" || true)" "console messages of $n"
	assert_eq "" "$($RCHECK net "$T/$n.net")" "network requests of $n"
done
# the same checks catch a page that fetches (no CSP) or is stopped by its CSP
printf '<!DOCTYPE html><html><body><img src="http://192.0.2.1/x.png"></body></html>\n' >"$T/net.html"
chrome net "$T/net.html"
assert_eq "http://192.0.2.1/x.png" "$($RCHECK net "$T/net.net")" "the control page's request"
sed -n 's|.*\(<meta http-equiv="Content-Security-Policy"[^>]*>\).*|\1|p' "$PAGE" >"$T/csp"
printf '<!DOCTYPE html><html><head>%s</head><body><img src="http://192.0.2.1/x.png"></body></html>\n' \
	"$(cat "$T/csp")" >"$T/csp.html"
chrome csp "$T/csp.html"
grep -q "CONSOLE.*violates the following Content Security Policy" "$T/csp.err" ||
	fail "the report's CSP did not stop an image from the network"
assert_eq "" "$($RCHECK net "$T/csp.net")" "requests past the report's CSP"

# ---- the fixed two-node run of tests/rdf/mkstore: its CUDA table and what was not seen,
# exactly (mkstore comes with the Redland build)
if [ -x "$top_builddir/tests/rdf/mkstore" ]; then
	"$top_builddir/tests/rdf/mkstore" small "$T/small"
	provtrace report -q "$T/small"
	S="$T/small/report.html"
	assert_eq '<tr><td class="mono">_Z6matmulPfS_S_i</td><td class="n">25</td><td class="n">25</td><td class="n">250 µs</td></tr>
<tr><td class="mono">void at::native::elementwise_kernel&lt;128, 4&gt;</td><td class="n">3</td><td class="n">0</td><td class="n"></td></tr>' \
		"$(sed -n '/id="cuda"/,/<\/table>/p' "$S" | grep '^<tr><td')" "kernels of the CUDA table"
	grep -q '<p>1 process on 1 device: 28 kernel launches of 2 kernels, 0 graph launches; 4 copies moving 1.0 MiB; host to device 1.0 MiB; 2 sets of 8.0 KiB.</p>' "$S" ||
		fail "no CUDA summary"
	grep -q '^<li class="warn">4 events were lost: 3 dropped in processes' "$S" || fail "no lost events"
	grep -q '^<li><b>static-exec</b> (1): a statically linked program was started' "$S" ||
		fail "no static-exec gap"
	grep -q '^<li>pid 103 <code>/bin/sh</code>: <code>/usr/local/bin/static-tool</code></li>$' "$S" ||
		fail "no gap of pid 103"
	grep -q '^<li class="warn">CUDA: 7 launches or records lost' "$S" || fail "no CUDA loss"
	assert_eq 7 "$(grep -c '<li data-pid=' "$S")" "processes of the fixed run"
fi

# ---- bad input: one line on stderr, status 1 or 2, nothing left behind
mkdir "$T/empty" "$T/o"
cp -r "$RUN" "$T/unfinished"
rm -f "$T/unfinished/run.json" "$T/unfinished/report.html"
bad() {
	want=$1
	shift
	set +e
	provtrace report "$@" 2>"$T/err"
	r=$?
	set -e
	[ "$r" -ne 0 ] || fail "report $*: status 0"
	assert_eq 1 "$(wc -l <"$T/err" | tr -d ' ')" "lines on stderr of report $*"
	grep -q "$want" "$T/err" || fail "report $*: '$(cat "$T/err")' does not say '$want'"
	assert_eq "" "$(ls -A "$T/o")" "files left by report $*"
}
bad "not a run directory" -o "$T/o/r.html" "$T/empty"
bad "not a run directory" -o "$T/o/r.html" "$T/nothing"
bad "not a finished run" -o "$T/o/r.html" "$T/unfinished"
assert_eq "nodes" "$(ls "$T/unfinished")" "files left in the unfinished run"
bad "not in the run's provenance" -l "$T/nothing.txt" -o "$T/o/r.html" "$RUN"
bad "No such file or directory" -o "$T/o/missing/r.html" "$RUN"
bad "usage" -o "$T/o/r.html"
exit 0
