#!/bin/sh
# publish.sh — provtrace publish into a real Virtuoso and provtrace query --endpoint on it:
# the named graph holds exactly the export's triples, a re-publish keeps the count (one
# graph per run, no leftover temporary graph); remote answers equal the local query's in
# every format; property-path lineage in the store equals provtrace lineage on two traced
# runs, and the cross-run question (whose outputs used whose) has the exact rows; an
# unreachable server, refused credentials and a store that fails half way each give one
# error line, a non-zero status, and leave the run's graph as it was.
#
# The store: $PT_TEST_VIRTUOSO (a server URL, with $PROVTRACE_STORE_CREDENTIALS_FILE), as
# .ci/run starts it; else one of its own through scripts/virtuoso-local.sh on ports
# $PT_TEST_VIRTUOSO_HTTP (18896) and +1.  Skips only when Virtuoso is not installed.
. "$top_srcdir/tests/lib.sh"

export PROVTRACE_RULES=
[ -x "$top_builddir/provtrace-publish" ] || skip "provtrace-publish not built (no libcurl)"

OWN=
PROXY=
finish() {
	rc=$?
	[ -z "$PROXY" ] || kill "$PROXY" 2>/dev/null || true
	[ -z "$OWN" ] || PROVTRACE_VIRTUOSO_HTTP=$HTTP PROVTRACE_VIRTUOSO_SQL=$((HTTP + 1)) \
		"$top_srcdir/scripts/virtuoso-local.sh" stop "$OWN" || true
	[ -n "${PT_KEEP:-}" ] || rm -rf "$T"
	exit $rc
}
trap finish EXIT
if [ -n "${PT_TEST_VIRTUOSO:-}" ]; then
	URL=$PT_TEST_VIRTUOSO
	[ -n "${PROVTRACE_STORE_CREDENTIALS_FILE:-}" ] ||
		fail "PT_TEST_VIRTUOSO is set without PROVTRACE_STORE_CREDENTIALS_FILE"
else
	[ -x /usr/bin/virtuoso-t ] ||
		skip "Virtuoso is not installed (apt-get install virtuoso-opensource)"
	HTTP=${PT_TEST_VIRTUOSO_HTTP:-18896}
	OWN="$T/virtuoso"
	set +e
	out=$(PROVTRACE_VIRTUOSO_HTTP=$HTTP PROVTRACE_VIRTUOSO_SQL=$((HTTP + 1)) \
		"$top_srcdir/scripts/virtuoso-local.sh" start "$OWN")
	src=$?
	set -e
	# installed but not starting is a failure, never a skip
	[ "$src" = 0 ] || fail "scripts/virtuoso-local.sh start: exit $src"
	URL=$(echo "$out" | head -1)
	PROVTRACE_STORE_CREDENTIALS_FILE="$OWN/credentials"
fi
export PROVTRACE_STORE_CREDENTIALS_FILE
EP="$URL/sparql"

# rq QUERY — rows of a remote SELECT, CSV without the header and CRs
rq() {
	provtrace query -q --endpoint "$EP" -e "$1" | tr -d '\r' | tail -n +2
}
count() {   # count GRAPH — triples in one named graph
	rq "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <$1> { ?s ?p ?o } }"
}
graphs() {  # graphs PREFIX — named graphs whose IRI starts with PREFIX
	rq "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
		FILTER (STRSTARTS(STR(?g), \"$1\")) }"
}

# ---- the fixed two-node run: the graph holds exactly the export
"$top_builddir/tests/rdf/mkstore" small "$T/run"
# an own run IRI: a shared store (CI) keeps other tests' graphs apart
BASE="urn:provtrace:test:publish:$$:$(date +%s%N)"
provtrace export -q -f ntriples --base "$BASE" -o "$T/s.nt" "$T/run"
want=$(wc -l <"$T/s.nt")
assert_eq 762 "$want" "export of the small run"
G=$(provtrace publish -q --base "$BASE" --to "$URL" "$T/run")
assert_eq "$BASE/graph" "$G" "the run's graph IRI"
assert_eq "$want" "$(count "$G")" "triples in the named graph"
# the same triples, not only as many: every exported triple is in the graph
provtrace query -q -r ntriples --endpoint "$EP" \
	-e "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <$G> { ?s ?p ?o } }" | sort >"$T/back.nt"
# (up to Virtuoso's long IRIs and integers, as provtrace-publish(1) says: storecmp.py)
sort "$T/s.nt" >"$T/s.sorted"
assert_eq "762 triples, 1 long IRIs shortened, 17 integers as decimal" \
	"$("$PY" "$top_srcdir/tests/rdf/storecmp.py" "$T/s.sorted" "$T/back.nt")" \
	"the graph's triples against the export's"
# re-publishing replaces: same count, one graph, no temporary graph left
provtrace publish -q --base "$BASE" --to "$URL" --chunk 4K "$T/run" >/dev/null
assert_eq "$want" "$(count "$G")" "triples after a re-publish (in 4 KiB chunks)"
assert_eq 1 "$(graphs "$BASE")" "graphs of the run after a re-publish"
assert_eq 0 "$(count "$G/publishing")" "the temporary graph is gone"

# ---- remote answers equal local ones, format by format
PIDS="SELECT ?pid WHERE { GRAPH <$G> { ?p a pt:Process ; pt:pid ?pid } } ORDER BY ?pid"
LPIDS='SELECT ?pid WHERE { ?p a pt:Process ; pt:pid ?pid } ORDER BY ?pid'
for f in csv tsv json xml; do
	provtrace query -q -r $f -e "$LPIDS" "$T/run" >"$T/local.$f"
	provtrace query -q -r $f --endpoint "$EP" -e "$PIDS" >"$T/remote.$f"
	# rasqal's JSON carries the local query's "ordered"/"distinct" hints, not a remote one's
	[ $f != json ] || sed -i '/"ordered" :\|"distinct" :/d' "$T/local.$f"
	cmp -s "$T/local.$f" "$T/remote.$f" || fail "$f results differ: $(diff "$T/local.$f" "$T/remote.$f" | head -4)"
done
assert_eq "100 101 102 103 103 200 201" "$(rq "$PIDS" | tr '\n' ' ' | sed 's/ $//')" "pids"
assert_eq true "$(provtrace query -q --endpoint "$EP" -e "ASK { GRAPH <$G> { ?p pt:pid 201 ; pt:endState \"running\" } }")" "ASK"
assert_eq false "$(provtrace query -q --endpoint "$EP" -e "ASK { GRAPH <$G> { ?p pt:pid 999 } }")" "ASK, false"
out=$(provtrace query -q --endpoint "$EP" -e "CONSTRUCT { ?p a prov:Activity } WHERE { GRAPH <$G> { ?p pt:pid ?x FILTER (?x > 200) } }")
assert_eq "<$BASE/proc/n2/201/1700000000550000000> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/prov#Activity> ." \
	"$out" "CONSTRUCT as N-Triples"
# a query file as the first argument
echo "$PIDS" >"$T/pids.rq"
assert_eq "$(cat "$T/remote.csv")" "$(provtrace query -q --endpoint "$EP" "$T/pids.rq")" "query file"

# ---- two traced runs, the second reading the first's output
D="$T/d"
mkdir "$D"
printf 'b\na\nc\n' >"$D/a"
ptrun r1 sh -c "cat '$D/a' > '$D/b'; sort '$D/b' > '$D/c'; tr a-z A-Z < '$D/c' > '$D/out1'"
R1=$RUN
ptrun r2 sh -c "cat '$D/out1' '$D/a' > '$D/e'; wc -l < '$D/e' > '$D/out2'"
R2=$RUN
B1="$BASE/r1"
B2="$BASE/r2"
G1=$(provtrace publish -q --base "$B1" --to "$URL" "$R1")
G2=$(provtrace publish -q --base "$B2" --to "$URL" "$R2")
for r in 1 2; do
	eval "run=\$R$r g=\$G$r b=\$B$r"
	assert_eq "$(provtrace export -q -f nt --base "$b" "$run" | wc -l)" "$(count "$g")" "triples of run $r"
	for f in a b c out1 e out2; do
		for dir in ancestors descendants; do
			want=$(provtrace lineage --$dir "$D/$f" "$run" 2>/dev/null || true)
			if [ $dir = ancestors ]; then
				path="prov:wasDerivedFrom+"
			else
				path="^prov:wasDerivedFrom+"
			fi
			got=$(rq "SELECT DISTINCT ?f WHERE { GRAPH <$g> {
				?v prov:specializationOf <file://$D/$f> ; $path ?a .
				?a prov:specializationOf ?f } } ORDER BY ?f" | sed 's|^file://||')
			assert_eq "$want" "$got" "run $r, $dir of $f: store against provtrace lineage"
		done
	done
done
# spot checks that the comparison above compares something
assert_eq "$D/a
$D/b
$D/c" "$(provtrace lineage --ancestors "$D/out1" "$R1")" "lineage of out1 in run 1"
assert_eq "$D/a
$D/e
$D/out1" "$(provtrace lineage --ancestors "$D/out2" "$R2")" "lineage of out2 in run 2"

# cross-run: which run's outputs came from which other run's outputs, in the store, and
# the same from provtrace lineage of each run's outputs and the other run's outputs
CROSS="SELECT DISTINCT ?consumer ?out ?producer ?in WHERE {
	GRAPH ?g2 { ?v2 prov:wasGeneratedBy ?p2 ; prov:specializationOf ?out ;
		prov:wasDerivedFrom+ ?u . ?u prov:specializationOf ?in . ?p2 pt:run ?consumer }
	GRAPH ?g1 { ?p1 pt:run ?producer . ?in ^prov:specializationOf/prov:wasGeneratedBy ?p1 }
	FILTER (?g1 != ?g2 && ?g1 IN (<$G1>, <$G2>) && ?g2 IN (<$G1>, <$G2>))
} ORDER BY ?consumer ?out ?producer ?in"
got=$(rq "$CROSS" | sed 's|file://||g')
outputs() {   # outputs RUNDIR — files the run wrote (local query, rasqal)
	provtrace query -q -e 'SELECT DISTINCT ?f WHERE { ?v prov:wasGeneratedBy ?p ;
		prov:specializationOf ?f } ORDER BY ?f' "$1" | tr -d '\r' | tail -n +2 | sed 's|^file://||'
}
want=$(
	for pair in "1 2" "2 1"; do
		set -- $pair
		eval "rc_=\$R$1 rp=\$R$2 bc=\$B$1 bp=\$B$2"
		for o in $(outputs "$rc_"); do
			for i in $(provtrace lineage --ancestors "$o" "$rc_"); do
				if outputs "$rp" | grep -qxF "$i"; then
					echo "$bc,$o,$bp,$i"
				fi
			done
		done
	done | sort)
assert_eq "$B2,$D/e,$B1,$D/out1
$B2,$D/out2,$B1,$D/out1" "$want" "cross-run rows from provtrace lineage"
assert_eq "$want" "$got" "cross-run rows from the store"

# ---- failures: one line, a non-zero status, the run's graph as it was
fails() {   # fails NAME CMD... — runs CMD, which must fail with one line on stderr
	_n=$1
	shift
	set +e
	"$@" >"$T/$_n.out" 2>"$T/$_n.err"
	_rc=$?
	set -e
	[ "$_rc" -ne 0 ] || fail "$_n: exit 0"
	assert_eq 1 "$(wc -l <"$T/$_n.err")" "$_n: lines on stderr ($(cat "$T/$_n.err"))"
	[ ! -s "$T/$_n.out" ] || fail "$_n: printed a graph: $(cat "$T/$_n.out")"
}
# nothing listens on this port (in the tests' range, never used)
fails unreachable provtrace publish --base "$BASE/x" --to http://127.0.0.1:18899 "$T/run"
grep -q 'Could not connect\|Connection refused\|Failed to connect' "$T/unreachable.err" ||
	fail "unreachable: $(cat "$T/unreachable.err")"
fails query-unreachable provtrace query --endpoint http://127.0.0.1:18899/sparql -e 'ASK {}'
assert_eq 0 "$(graphs "$BASE/x")" "graphs after an unreachable server"
# refused credentials, from a file and from the environment
printf 'dba:not-the-password\n' >"$T/bad.cred"
chmod 600 "$T/bad.cred"
fails refused provtrace publish --base "$BASE" --credentials "$T/bad.cred" --to "$URL" "$T/run"
grep -q 'HTTP 401' "$T/refused.err" || fail "refused: $(cat "$T/refused.err")"
fails refused-env env PROVTRACE_STORE_CREDENTIALS_FILE= PROVTRACE_STORE_CREDENTIALS=dba:nope \
	provtrace publish --base "$BASE" --to "$URL" "$T/run"
fails anonymous env PROVTRACE_STORE_CREDENTIALS_FILE= \
	provtrace publish --base "$BASE" --to "$URL" "$T/run"
chmod 644 "$T/bad.cred"
fails open-cred provtrace publish --base "$BASE" --credentials "$T/bad.cred" --to "$URL" "$T/run"
grep -q 'readable by others' "$T/open-cred.err" || fail "open-cred: $(cat "$T/open-cred.err")"
assert_eq "$(wc -l <"$T/s.nt")" "$(count "$G")" "the graph after refused publishes"
# the good credentials from the environment variable work
cred=$(cat "$PROVTRACE_STORE_CREDENTIALS_FILE")
assert_eq "$G" "$(PROVTRACE_STORE_CREDENTIALS_FILE= PROVTRACE_STORE_CREDENTIALS=$cred \
	provtrace publish -q --base "$BASE" --to "$URL" "$T/run")" "credentials from the environment"

# a store that fails half way (the 5th loading request answered 503): the run's graph
# keeps what the last publish put there, and the temporary graph is dropped
PPORT=$(( ${PT_TEST_VIRTUOSO_HTTP:-18896} + 2 ))
"$PY" "$top_srcdir/tests/rdf/failproxy.py" "$PPORT" "$URL" 5 >"$T/proxy.out" 2>&1 &
PROXY=$!
for _ in $(seq 100); do
	grep -q ready "$T/proxy.out" 2>/dev/null && break
	sleep 0.1
done
grep -q ready "$T/proxy.out" || fail "failproxy did not start: $(cat "$T/proxy.out")"
fails half-way provtrace publish --base "$BASE" --chunk 4K --to "http://127.0.0.1:$PPORT" "$T/run"
grep -q 'HTTP 503' "$T/half-way.err" || fail "half-way: $(cat "$T/half-way.err")"
kill "$PROXY"
PROXY=
assert_eq "$(wc -l <"$T/s.nt")" "$(count "$G")" "the graph after a publish that failed half way"
assert_eq 0 "$(count "$G/publishing")" "no half graph left"
assert_eq 1 "$(graphs "$BASE/graph")" "graphs of the run after the failure"

# bad arguments
set +e
provtrace publish "$T/run" 2>/dev/null; assert_eq 2 $? "publish without --to"
provtrace publish --to ftp://x "$T/run" 2>/dev/null; assert_eq 2 $? "publish --to ftp://"
set -e

# clean the shared store
for g in "$G" "$G1" "$G2"; do
	provtrace query -q --endpoint "$URL/sparql-auth" --credentials "$PROVTRACE_STORE_CREDENTIALS_FILE" \
		-e "DROP SILENT GRAPH <$g>" >/dev/null 2>&1 || true
done
