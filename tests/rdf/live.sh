#!/bin/sh
# live.sh — reading a run while it runs.  A traced job writes a.txt, copies it to b.txt and
# waits on a FIFO: `provtrace stat` and `lineage` of its RUNDIR answer from the running
# collector with the exact counts and paths written so far; released, the job finishes
# and its store has the same counts as the same job run without live reads.  Then
# `publish --follow` into a private Virtuoso: the run's graph grows while the job runs and
# ends equal to the export (and to a plain publish), with no other graph left.
#
# Virtuoso: scripts/virtuoso-local.sh on ports $PT_TEST_LIVE_HTTP (18880) and +1; that part
# skips only when Virtuoso is not installed.
. "$top_srcdir/tests/lib.sh"

export PROVTRACE_RULES=
D="$T/d"
mkdir "$D"

# job NAME — start the traced job in the background ($JOB its pid); it writes a.txt and
# b.txt, waits on $D/go1, writes c.txt (cat of b.txt), waits on $D/go2, writes d.txt
job() {
	rm -f "$D"/*.txt "$D/go1" "$D/go2"
	mkfifo "$D/go1" "$D/go2"
	RUN="$T/$1"
	provtrace-run -q -o "$RUN" -- sh -c "echo hello > '$D/a.txt'; cat '$D/a.txt' > '$D/b.txt'
		read x < '$D/go1'; cat '$D/b.txt' > '$D/c.txt'; read x < '$D/go2'
		echo end > '$D/d.txt'" >"$T/$1.out" 2>&1 &
	JOB=$!
}
# release N — let the job past FIFO N
release() { echo go > "$D/go$1"; }
# json KEY... — of provtrace stat --json $RUN
json() {
	provtrace-stat --json "$RUN" 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(str(d[k]) for k in sys.argv[1:]))' "$@"
}
# until_eq WANT CMD... — poll CMD until it prints WANT (the collector drains on its own
# period), 30 s at most
until_eq() {
	_w=$1
	shift
	for _i in $(seq 300); do
		[ "$("$@" 2>/dev/null || true)" = "$_w" ] && return 0
		sleep 0.1
	done
	fail "waited 30 s for '$*' to give '$_w'; it gives '$("$@" 2>&1 || true)'"
}
COUNTS="processes files files_read files_written bytes_read bytes_written events"

# ---- without live reads: the reference
job plain
release 1
release 2
wait "$JOB" || fail "the plain job failed: $(cat "$T/plain.out")"
ref=$(json $COUNTS)
assert_eq "" "$(ls -A "$RUN/nodes" | grep '^\.live' || true)" "no marker left after the run"

# ---- with live reads
job live
until_eq "1 2 1 2 6 12" json live_nodes processes files_read files_written bytes_read bytes_written
assert_eq "1 0 []" "$(json live_nodes live_pending nodes_not_visible)" "a live answer, fully indexed"
provtrace-stat "$RUN" >"$T/stat.txt"
grep -q '^live       1 node store read from the running collector' "$T/stat.txt" ||
	fail "stat does not say it is live: $(cat "$T/stat.txt")"
grep -q '^index      complete' "$T/stat.txt" || fail "stat: $(cat "$T/stat.txt")"
assert_eq "$D/a.txt" "$(provtrace-lineage "$D/b.txt" "$RUN" 2>"$T/lin.err")" "ancestors of b.txt, live"
assert_eq "provtrace lineage: live: 1 node store read from the running collector, 0 records not indexed yet" \
	"$(cat "$T/lin.err")" "lineage says how current it is"
assert_eq "$D/b.txt" "$(provtrace-lineage --descendants "$D/a.txt" "$RUN" 2>/dev/null)" \
	"descendants of a.txt, live"
release 1
until_eq "3 3" json files_written processes
# (go1 too: cat's parent, the shell, read it before starting cat)
C_FROM=$(printf '%s\n%s\n%s' "$D/a.txt" "$D/b.txt" "$D/go1")
assert_eq "$C_FROM" "$(provtrace-lineage "$D/c.txt" "$RUN" 2>/dev/null)" "ancestors of c.txt, live"
# PROVTRACE_LIVE_WAIT=0: read as it is, without asking the collector to index
PROVTRACE_LIVE_WAIT=0 provtrace-stat --json "$RUN" >/dev/null || fail "stat without waiting"
release 2
wait "$JOB" || fail "the live job failed: $(cat "$T/live.out")"
assert_eq "" "$(ls -A "$RUN/nodes" | grep '^\.live' || true)" "no marker left after the live run"
assert_eq "0 0" "$(json live_nodes live_pending)" "the finished run is not live"
assert_eq "$ref" "$(json $COUNTS)" "the final counts equal those of the run without live reads"
assert_eq "$C_FROM" "$(provtrace-lineage "$D/c.txt" "$RUN")" "ancestors of c.txt, final"

# ---- a marker of another host, and one of a collector that is gone
mkdir -p "$T/fake/nodes"
cp "$T/plain/nodes/"*.mdb "$T/fake/nodes/"
printf 'pid 1\nhost elsewhere.example\nstore /nonexistent/store.mdb\n' >"$T/fake/nodes/.live.far"
RUN=$T/fake
assert_eq "1 ['far']" "$(json nodes nodes_not_visible)" "a node running elsewhere"
provtrace-stat "$T/fake" 2>/dev/null | grep -q '^NOT LIVE   1 node not visible from this host (far)' ||
	fail "stat text: $(provtrace-stat "$T/fake" 2>&1)"

# ---- publish --follow
[ -x "$top_builddir/provtrace-publish" ] || { echo "provtrace-publish not built: --follow untested" >&2; exit 0; }
[ -x /usr/bin/virtuoso-t ] || skip "Virtuoso is not installed (apt-get install virtuoso-opensource)"
HTTP=${PT_TEST_LIVE_HTTP:-18880}
OWN="$T/virtuoso"
FOLLOW=
finish() {
	rc=$?
	[ -z "$FOLLOW" ] || kill "$FOLLOW" 2>/dev/null || true
	PROVTRACE_VIRTUOSO_HTTP=$HTTP PROVTRACE_VIRTUOSO_SQL=$((HTTP + 1)) \
		"$top_srcdir/scripts/virtuoso-local.sh" stop "$OWN" >/dev/null 2>&1 || true
	[ -n "${PT_KEEP:-}" ] || rm -rf "$T"
	exit $rc
}
trap finish EXIT
out=$(PROVTRACE_VIRTUOSO_HTTP=$HTTP PROVTRACE_VIRTUOSO_SQL=$((HTTP + 1)) \
	"$top_srcdir/scripts/virtuoso-local.sh" start "$OWN") || fail "virtuoso-local.sh start"
URL=$(echo "$out" | head -1)
export PROVTRACE_STORE_CREDENTIALS_FILE="$OWN/credentials"
rq() {
	provtrace query -q --endpoint "$URL/sparql" -e "$1" | tr -d '\r' | tail -n +2
}
# triples in the graphs of provtrace runs, and how many such graphs: counted here from
# the rows (Virtuoso's COUNT after a row-by-row DROP counts quads no SELECT returns)
runs() {
	rq "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o }
		FILTER (STRSTARTS(STR(?g), \"urn:provtrace:\")) }" >"$T/rows"
	echo "$(wc -l <"$T/rows") $(cut -d, -f1 "$T/rows" | sort -u | grep -c . || true)"
}
job follow
until_eq "2" json files_written
# --base: the live rounds publish under the final name (without it, the graph published
# before run.json exists has a provisional name, dropped at the end; on Virtuoso 7.2 that
# drop leaves a few quads: provtrace-publish(1))
BASE="urn:provtrace:test:live:$$"
provtrace-publish --follow --interval 4 --base "$BASE" --to "$URL" "$RUN" >"$T/follow.out" 2>"$T/follow.err" &
FOLLOW=$!
# rounds done; the store is queried only between rounds (see provtrace-publish(1): a query
# during Virtuoso's MOVE can leave quads behind)
done_rounds() { grep -c 'published$' "$T/follow.err" || true; }
until_round() {   # until_round N — until N rounds are done
	for _i in $(seq 600); do [ "$(done_rounds)" -ge "$1" ] && return 0; sleep 0.1; done
	fail "publish --follow did not finish round $1: $(cat "$T/follow.err")"
}
until_round 1
set -- $(runs)
n1=$1
assert_ge 1 "$n1" "triples published while the job waits on go1"
assert_eq 1 "$2" "one run graph while live"
release 1
until_eq "3" json files_written
r=$(done_rounds)
until_round $((r + 1))
set -- $(runs)
n2=$1
[ "$n2" -gt "$n1" ] || fail "the graph did not grow after c.txt ($n1, then $n2)"
assert_eq 1 "$2" "one run graph while live"
release 2
wait "$JOB" || fail "the followed job failed: $(cat "$T/follow.out")"
wait "$FOLLOW" || fail "publish --follow: $(cat "$T/follow.err")"
FOLLOW=
G=$(cat "$T/follow.out")
want=$(provtrace export -q -f ntriples --base "$BASE" "$RUN" | wc -l)
[ "$want" -gt "$n2" ] || fail "the final export ($want) is not larger than the live graph ($n2)"
assert_eq "$want 1" "$(runs)" "after --follow: one graph, the export's triples (other rows: $(grep -v "^$G," "$T/rows" | head -5))"
assert_eq "$G" "$(provtrace-publish -q --base "$BASE" --to "$URL" "$RUN")" "a plain publish names the same graph"
assert_eq "$want 1" "$(runs)" "after a plain publish: the same"
