#!/bin/sh
# bench.sh — provtrace publish into Virtuoso: seconds, peak RSS and triples/s for a
# synthetic run, next to Virtuoso's own bulk loader (ld_dir + rdf_loader_run) reading the
# same triples as an N-Triples file on the server's disk, in one run on one machine.
#
#   bench/publish/bench.sh [-n EVENTS | -r RUNDIR] [-c CHUNK] [-s [-b]] [-k] [BUILDDIR]
#
# -s publishes to bench/publish/sink.py instead, a local HTTP server that answers the same
# requests and counts the triples without keeping them: the publisher's own time and peak
# RSS, for runs too big to load into Virtuoso here (no export to N-Triples, no Virtuoso);
# with -b, Virtuoso's bulk loader then loads the same triples from an N-Triples file, for
# the comparison (the Graph Store Protocol load of 10^7 events would take hours here).
#
# The store (EVENTS events, default 1000000) is written by tests/rdf/mkstore as for
# bench/export/bench.sh, or -r names a run directory to publish (mkstore's: writing 10^7
# events takes minutes).  A private Virtuoso is started by scripts/virtuoso-local.sh in
# the work directory on ports $PROVTRACE_VIRTUOSO_HTTP (default 18892) and +1, with
# $PROVTRACE_VIRTUOSO_BUFFERS 8 KiB buffers (default 100000, 780 MiB), and stopped at the
# end.  Prints a Markdown table.  A benchmark, not a test: numbers, not pass/fail.
set -eu

events=1000000
chunk=8M
keep=
sink=
run=
bulk_too=
usage() {
	echo "usage: bench/publish/bench.sh [-n EVENTS | -r RUNDIR] [-c CHUNK] [-s [-b]] [-k] [BUILDDIR]" >&2
	exit 2
}
while getopts n:r:c:sbkh o; do
	case $o in
	n) events=$OPTARG ;;
	r) run=$(cd "$OPTARG" && pwd) || exit 2 ;;
	c) chunk=$OPTARG ;;
	s) sink=1 ;;
	b) bulk_too=1 ;;
	k) keep=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
B=$(cd "${1:-.}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
for p in "$B/tests/rdf/mkstore" "$B/provtrace-export" "$B/provtrace-publish" /usr/bin/time \
	$([ -n "$sink" ] && [ -z "$bulk_too" ] || echo /usr/bin/isql-vt); do
	[ -x "$p" ] || { echo "bench.sh: $p not found (make -C $B provtrace-publish tests/rdf/mkstore; virtuoso-opensource)" >&2; exit 2; }
done
W=$(mktemp -d "${TMPDIR:-/var/tmp}/pt-bench-publish.XXXXXX")
sinkpid=
export PROVTRACE_VIRTUOSO_HTTP=${PROVTRACE_VIRTUOSO_HTTP:-18892}
export PROVTRACE_VIRTUOSO_SQL=$((PROVTRACE_VIRTUOSO_HTTP + 1))
export PROVTRACE_VIRTUOSO_BUFFERS=${PROVTRACE_VIRTUOSO_BUFFERS:-100000}
export PROVTRACE_VIRTUOSO_DIRTY=$((PROVTRACE_VIRTUOSO_BUFFERS * 3 / 4))
VDIR="$W/virtuoso"
finish() {
	[ -z "$sinkpid" ] || kill "$sinkpid" 2>/dev/null || true
	[ -n "$sink" ] && [ -z "$bulk_too" ] || "$SRC/scripts/virtuoso-local.sh" stop "$VDIR" >/dev/null 2>&1 || true
	[ -n "$keep" ] || rm -rf "$W"
}
trap finish EXIT INT TERM

. "$HERE/../timed.sh"
row() {     # row TOOL WHAT TRIPLES SECONDS RSS_KB
	awk -v tool="$1" -v what="$2" -v n="$3" -v s="$4" -v kb="$5" 'BEGIN {
		printf "| %s | %s | %d | %.1f | %.0f | %s |\n", tool, what, n, s,
			(s > 0 ? n / s : 0), (kb == "" ? "—" : sprintf("%.0f", kb / 1024)) }'
}
# Virtuoso's bulk loader on $W/run.nt, into a server started on $VDIR: sets bulk_secs
bulk() {
	mkdir -p "$VDIR/load"
	mv "$W/run.nt" "$VDIR/load/run.nt"
	PW=$(cut -d: -f2- "$VDIR/credentials")
	timed bulk /usr/bin/isql-vt "$PROVTRACE_VIRTUOSO_SQL" dba "$PW" \
		"exec=ld_dir('$VDIR/load', 'run.nt', 'urn:provtrace:bench:bulk'); rdf_loader_run(); checkpoint;" >"$W/bulk.out"
	[ "$TIMED_RC" = 0 ] || { echo "bench/publish: the bulk load failed: $(tail -3 "$W/bulk.out")" >&2; exit 1; }
	bulk_secs=$SECS
	rm -f "$VDIR/load/run.nt"
}

if [ -n "$run" ]; then
	ln -s "$run" "$W/run"
	events="the run $run"
else
	echo "bench/publish: writing a store of $events events..." >&2
	"$B/tests/rdf/mkstore" bench "$events" "$W/run"
	events="$events events"
fi

if [ -n "$sink" ]; then
	echo "bench/publish: provtrace publish to bench/publish/sink.py..." >&2
	python3 "$HERE/sink.py" "$W/sink.port" >"$W/sink.out" &
	sinkpid=$!
	i=0
	until [ -s "$W/sink.port" ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "bench/publish: sink.py did not start" >&2; exit 1; }
		sleep 0.1
	done
	timed publish "$B/provtrace-publish" --no-rules --chunk "$chunk" --to "http://127.0.0.1:$(cat "$W/sink.port")" "$W/run" 2>"$W/publish.err"
	[ "$TIMED_RC" = 0 ] ||
		{ echo "bench/publish: provtrace publish failed: $(cat "$W/publish.err")" >&2; exit 1; }
	triples=$(sed -n 's/^moved \([0-9]*\) triples \([0-9]*\) bytes.*/\1/p' "$W/sink.out" | tail -1)
	mb=$(sed -n 's/^moved [0-9]* triples \([0-9]*\) bytes.*/\1/p' "$W/sink.out" | tail -1)
	echo
	echo "provtrace publish to a sink: $(date -u +%Y-%m-%d), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "store: $events, $(du -mL "$W/run" | awk 'END { print $1 }') MiB; the sink received $triples triples, $((mb / 1000000)) MB of N-Triples"
	cat "$W/publish.err"
	echo
	echo "| program | what | triples | seconds | triples/s | peak RSS MiB |"
	echo "|---|---|---|---|---|---|"
	row "provtrace publish" "store → sink.py (GSP, $chunk chunks, count, MOVE)" "$triples" "$SECS" "$RSS_KB"
	if [ -n "$bulk_too" ]; then
		echo "bench/publish: the same triples as N-Triples, Virtuoso's bulk loader..." >&2
		"$B/provtrace-export" -q -R -f ntriples -o "$W/run.nt" "$W/run"
		"$SRC/scripts/virtuoso-local.sh" start "$VDIR" >"$W/virtuoso.out"
		bulk
		row "Virtuoso bulk loader" "the same N-Triples file → Virtuoso (ld_dir, rdf_loader_run, checkpoint)" "$triples" "$bulk_secs" ""
	fi
	[ -z "$keep" ] || echo "work directory kept: $W"
	exit 0
fi
"$B/provtrace-export" -q -R -f ntriples -o "$W/run.nt" "$W/run"
triples=$(wc -l <"$W/run.nt" | tr -d ' ')
ntmb=$(du -m "$W/run.nt" | awk '{ print $1 }')

echo "bench/publish: starting Virtuoso..." >&2
"$SRC/scripts/virtuoso-local.sh" start "$VDIR" >"$W/virtuoso.out"
URL=$(head -1 "$W/virtuoso.out")
export PROVTRACE_STORE_CREDENTIALS_FILE="$VDIR/credentials"
db0=$(du -m "$VDIR/db" | awk 'END { print $1 }')

echo "bench/publish: provtrace publish..." >&2
timed publish "$B/provtrace-publish" --no-rules --chunk "$chunk" --to "$URL" "$W/run" 2>"$W/publish.err"
[ "$TIMED_RC" = 0 ] ||
	{ echo "bench/publish: provtrace publish failed: $(cat "$W/publish.err")" >&2; exit 1; }
pub_secs=$SECS pub_rss=$RSS_KB
n_graph=$(provq() { "$B/provtrace-query" -q --endpoint "$URL/sparql" -e "$1" | tr -d '\r' | tail -1; }
	provq "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), \"urn:provtrace:run:\")) }")
"$SRC/scripts/virtuoso-local.sh" stop "$VDIR" >/dev/null
"$SRC/scripts/virtuoso-local.sh" start "$VDIR" >/dev/null
db1=$(du -m "$VDIR/db" | awk 'END { print $1 }')

echo "bench/publish: Virtuoso's bulk loader on the same N-Triples..." >&2
bulk

echo
echo "provtrace publish benchmark: $(date -u +%Y-%m-%d), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "store: $events; $triples triples, $ntmb MB of N-Triples; Virtuoso $(/usr/bin/virtuoso-t -? 2>&1 | sed -n "2s/^Version //p" | cut -d" " -f1), $PROVTRACE_VIRTUOSO_BUFFERS buffers"
echo "$(cat "$W/publish.err")"
echo "published graph: $n_graph triples; Virtuoso database: $db0 MiB empty, $db1 MiB with the run (after a checkpoint)"
echo
echo "| program | what | triples | seconds | triples/s | peak RSS MiB |"
echo "|---|---|---|---|---|---|"
row "provtrace publish" "store → Virtuoso (GSP, $chunk chunks, count, MOVE)" "$triples" "$pub_secs" "$pub_rss"
row "Virtuoso bulk loader" "N-Triples file → Virtuoso (ld_dir, rdf_loader_run, checkpoint)" "$triples" "$bulk_secs" ""
[ -z "$keep" ] || echo "work directory kept: $W"
