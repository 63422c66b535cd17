#!/bin/sh
# bench.sh — provtrace export throughput (triples/s) and peak RSS for N-Triples and Turtle
# on a synthetic store, next to rapper converting the same triples and rdflib serializing
# them, measured in one run on one machine (/usr/bin/time -v for every program).
#
#   bench/export/bench.sh [-n EVENTS] [-k] [-R] [BUILDDIR]
#
# The store (EVENTS events, default 1000000) is written through the store API by
# tests/rdf/mkstore: groups of a driver and 8 forked workers that read shards, send over
# a pipe, write outputs and a checkpoint through a rename.  Build it first with
# `make tests/rdf/mkstore` (make check builds it too).  -k keeps the work directory,
# -R leaves rdflib out (it needs minutes and gigabytes past a few million triples).
# Prints a Markdown table.  A benchmark, not a test: numbers, not pass/fail.
set -eu

events=1000000
keep=
no_rdflib=
usage() {
	echo "usage: bench/export/bench.sh [-n EVENTS] [-k] [-R] [BUILDDIR]" >&2
	exit 2
}
while getopts n:kRh o; do
	case $o in
	n) events=$OPTARG ;;
	k) keep=1 ;;
	R) no_rdflib=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
B=$(cd "${1:-.}" && pwd)
PY=${PYTHON3:-/usr/bin/python3}
HERE=$(cd "$(dirname "$0")" && pwd)
for p in "$B/tests/rdf/mkstore" "$B/provtrace-export" /usr/bin/time; do
	[ -x "$p" ] || { echo "bench.sh: $p not found (make -C $B provtrace-export tests/rdf/mkstore)" >&2; exit 2; }
done
command -v rapper >/dev/null || { echo "bench.sh: rapper not found" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/pt-bench-export.XXXXXX")
trap '[ -n "$keep" ] || rm -rf "$W"' EXIT INT TERM

. "$HERE/../timed.sh"

# row TOOL WHAT TRIPLES SECONDS RSS_KB
row() {
	awk -v tool="$1" -v what="$2" -v n="$3" -v s="$4" -v kb="$5" 'BEGIN {
		printf "| %s | %s | %d | %.2f | %.0f | %.0f |\n", tool, what, n, s,
			(s > 0 ? n / s : 0), kb / 1024 }'
}

echo "bench/export: writing a store of $events events..." >&2
timed mkstore "$B/tests/rdf/mkstore" bench "$events" "$W/run"
gen_secs=$SECS
store_mb=$(du -m "$W/run/nodes" | awk 'END { print $1 }')
real_events=$("$B/provtrace-stat" --json "$W/run" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["events"])')

echo "bench/export: exporting..." >&2
timed export-nt "$B/provtrace-export" -q -R -f ntriples -o "$W/run.nt" "$W/run"
nt_secs=$SECS nt_rss=$RSS_KB
triples=$(wc -l <"$W/run.nt" | tr -d ' ')
timed export-ttl "$B/provtrace-export" -q -R -f turtle -o "$W/run.ttl" "$W/run"
ttl_secs=$SECS ttl_rss=$RSS_KB
timed export-nt2 "$B/provtrace-export" -q -R -f ntriples -o "$W/run2.nt" "$W/run"
same=$(cmp -s "$W/run.nt" "$W/run2.nt" && echo yes || echo NO)

echo "bench/export: rapper..." >&2
timed rapper-nt rapper -q -i ntriples -o ntriples "$W/run.nt" >/dev/null
rnt_secs=$SECS rnt_rss=$RSS_KB
timed rapper-ttl rapper -q -i ntriples -o turtle "$W/run.nt" >/dev/null
rttl_secs=$SECS rttl_rss=$RSS_KB

echo
echo "provtrace export benchmark: $(date -u +%Y-%m-%d), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "store: $real_events events, $store_mb MiB, written in ${gen_secs}s; $triples triples; two N-Triples exports identical: $same"
echo "rapper $(rapper --version), rdflib $("$PY" -c 'import rdflib; print(rdflib.__version__)' 2>/dev/null || echo none)"
echo
echo "| program | what | triples | seconds | triples/s | peak RSS MiB |"
echo "|---|---|---|---|---|---|"
row "provtrace export" "store → N-Triples" "$triples" "$nt_secs" "$nt_rss"
row "provtrace export" "store → Turtle" "$triples" "$ttl_secs" "$ttl_rss"
row "rapper" "N-Triples → N-Triples" "$triples" "$rnt_secs" "$rnt_rss"
row "rapper" "N-Triples → Turtle" "$triples" "$rttl_secs" "$rttl_rss"

if [ -z "$no_rdflib" ] && "$PY" -c 'import rdflib' 2>/dev/null; then
	echo "bench/export: rdflib (slow)..." >&2
	timed rdflib "$PY" "$HERE/rdflib_serialize.py" "$W/run.nt" >"$W/rdflib.json"
	eval "$("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("triples", "parse_s", "ntriples_s", "turtle_s"):
    print("%s=%s" % (k if k != "triples" else "rl_triples", d[k]))' "$W/rdflib.json")"
	row "rdflib" "parse N-Triples" "$rl_triples" "$parse_s" "$RSS_KB"
	row "rdflib" "serialize N-Triples" "$rl_triples" "$ntriples_s" "$RSS_KB"
	row "rdflib" "serialize Turtle" "$rl_triples" "$turtle_s" "$RSS_KB"
	echo
	echo "(rdflib: one process; its peak RSS covers the parsed graph and both serializations)"
fi
[ -z "$keep" ] || echo "work directory kept: $W"
