#!/bin/sh
# query.sh — provtrace query over the fixed two-node run (tests/rdf/mkstore): the same
# rows from the run directory, a store file, and Turtle, N-Triples and N-Quads exports;
# csv, tsv and json results; ASK and CONSTRUCT; query files; warnings never fail a good
# query; bad queries, formats and data fail with the documented statuses; roqet runs a
# query through Redland over the export.
. "$top_srcdir/tests/lib.sh"

command -v roqet >/dev/null || skip "roqet not found (apt-get install rasqal-utils)"
export PROVTRACE_RULES=

"$top_builddir/tests/rdf/mkstore" small "$T/run"
provtrace export -q -o "$T/s.ttl" "$T/run"
provtrace export -q -f ntriples -o "$T/s.nt" "$T/run"
provtrace export -q -f nquads -o "$T/s.nq" "$T/run"

PIDS='SELECT ?pid WHERE { ?p a pt:Process ; pt:pid ?pid } ORDER BY ?pid'
want="pid
100
101
102
103
103
200
201"
for data in "$T/run" "$T/run/nodes/n1.mdb" "$T/s.ttl" "$T/s.nt" "$T/s.nq"; do
	out=$(provtrace query -q -e "$PIDS" "$data" | tr -d '\r')
	case $data in
	*n1.mdb) assert_eq "pid
100
101
102
103
103" "$out" "pids from one node store" ;;
	*) assert_eq "$want" "$out" "pids from ${data#"$T"/}" ;;
	esac
done

# result formats
out=$(provtrace query -q -r tsv -e 'SELECT ?pid ?s WHERE { ?p pt:pid ?pid ; pt:endState ?s }
	ORDER BY DESC(?pid) LIMIT 2' "$T/s.ttl")
assert_eq "$(printf '?pid\t?s\n201\t"running"\n200\t"exited"')" "$out" "tsv results"
provtrace query -q -r json -e "$PIDS" "$T/run" >"$T/r.json"
assert_eq "100 101 102 103 103 200 201" "$("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(b["pid"]["value"] for b in d["results"]["bindings"]))' "$T/r.json")" "json results"
assert_eq true "$(provtrace query -q -e 'ASK { ?p pt:pid 201 ; pt:endState "running" }' "$T/run")" "ASK"
assert_eq false "$(provtrace query -q -e 'ASK { ?p pt:pid 999 }' "$T/run")" "ASK, false"
out=$(provtrace query -q -e 'CONSTRUCT { ?p a prov:Activity } WHERE { ?p pt:pid ?x FILTER (?x > 200) }' "$T/run")
assert_eq "<urn:provtrace:run:n1:1699999999999000000/proc/n2/201/1700000000550000000> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/prov#Activity> ." \
	"$out" "CONSTRUCT as N-Triples"

# a query file, with its own prefixes, by -f and as the first argument
cat >"$T/src.rq" <<'RQ'
# the sources of the checkpoint written through a temporary name
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?f WHERE {
	?v prov:specializationOf <file:///job/ckpt/model.pt.tmp> ; prov:wasDerivedFrom ?s .
	?s prov:specializationOf ?f
} ORDER BY ?f
RQ
want="f
file:///job/data/shard-0.npz
file:///job/data/shard-1.npz
file:///job/train.py"
assert_eq "$want" "$(provtrace query -q -f "$T/src.rq" "$T/run" | tr -d '\r')" "query file (-f)"
assert_eq "$want" "$(provtrace query -q "$T/src.rq" "$T/s.ttl" | tr -d '\r')" "query file (argument)"

# warnings are shown, and a good query still succeeds; -q hides them
provtrace query -e 'SELECT ?x WHERE { ?p a pt:Process } LIMIT 1' "$T/s.ttl" >"$T/w.out" 2>"$T/w.err" ||
	fail "a query with warnings failed: $(cat "$T/w.err")"
grep -q 'warning: Variable' "$T/w.err" || fail "no warning shown: $(cat "$T/w.err")"
provtrace query -q -e 'SELECT ?x WHERE { ?p a pt:Process } LIMIT 1' "$T/s.ttl" >"$T/w.out" 2>"$T/w.err"
assert_eq "" "$(cat "$T/w.err")" "stderr with -q"

# failures: a syntax error and a property path (1), usage and format (2), no data (1)
st() { set +e; "$@" >/dev/null 2>"$T/st.err"; echo $?; set -e; }
assert_eq 1 "$(st provtrace query -q -e 'SELECT ?x WHERE { ?x' "$T/s.ttl")" "status of a syntax error"
assert_eq 1 "$(st provtrace query -q -e 'SELECT ?s WHERE { ?v prov:wasDerivedFrom+ ?s }' "$T/s.ttl")" \
	"status of a property path"
grep -q 'property paths' "$T/st.err" || fail "no hint at property paths: $(cat "$T/st.err")"
assert_eq 2 "$(st provtrace query -q "$T/s.ttl")" "status without a query"
assert_eq 2 "$(st provtrace query -q -r nope -e "$PIDS" "$T/s.ttl")" "status of an unknown format"
assert_eq 1 "$(st provtrace query -q -e "$PIDS" "$T/nonexistent")" "status without data"
assert_eq 1 "$(st provtrace query -q -e "$PIDS" "$T")" "status of a directory without node stores"

# roqet, as users run it through Redland
out=$(roqet -q -i sparql -W 0 -r csv -D "$T/s.ttl" "$T/src.rq" 2>/dev/null | tr -d '\r')
assert_eq "$want" "$out" "roqet over the Turtle export"

# a three-pattern join over a 1,000-event run: the same rows as roqet's, from the run
# directory and its Turtle; 0.2 s now, 131 s when the in-memory store kept contexts for
# every input (bench/README.md, "provtrace query"; N-Quads keep them, and take that long)
"$top_builddir/tests/rdf/mkstore" bench 1000 "$T/b" >/dev/null 2>&1
provtrace export -q -o "$T/b.ttl" "$T/b"
cat >"$T/join.rq" <<'RQ'
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?a ?e ?f WHERE { ?a prov:used ?e . ?e prov:specializationOf ?f . ?g prov:wasGeneratedBy ?a }
RQ
roqet -q -i sparql -W 0 -r csv -D "$T/b.ttl" "$T/join.rq" 2>/dev/null | tr -d '\r' | sort >"$T/join.roqet"
assert_eq 820 "$(wc -l <"$T/join.roqet")" "roqet's rows of the join (and its header)"
for data in "$T/b" "$T/b.ttl"; do
	provtrace query -q -f "$T/join.rq" "$data" | tr -d '\r' | sort >"$T/join.pt"
	cmp -s "$T/join.roqet" "$T/join.pt" || fail "the join from ${data#"$T"/} differs from roqet's"
done
