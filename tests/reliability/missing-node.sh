#!/bin/sh
# missing-node.sh — RELIABILITY 17 across nodes: a node whose store is not in the run
# directory (its collector died, its store was never copied) is said, never passed over:
# provtrace stat (text and --json), lineage (a warning; the answer from the stores there
# are) and the export (pt:complete false, pt:missingNode) compare the stores found with
# the nodes run.json lists ("nodes" with agents, else "host").
. "$top_srcdir/tests/reliability/rlib.sh"

mkdir "$T/d"
D=$(cd "$T/d" && pwd -P)
echo input >"$D/in"
provtrace-run -q -o "$T/run" -- "$PY" -c '
import sys
data = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(data.upper())' "$D/in" "$D/out"
host=$(ls "$T/run/nodes" | sed -n 's/\.mdb$//p')
json() { provtrace-stat --json "$T/run" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["complete"], d["nodes_missing"], d["nodes"])'; }
listed() {   # listed NODE...: run.json names these nodes, as a launcher with agents writes it
	"$PY" - "$T/run/run.json" "$@" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["nodes"] = sys.argv[2:]
json.dump(d, open(p, "w"), indent=2)
PY
}

# one node, its store there: complete
assert_eq "True [] 1" "$(json)" "a complete run (complete, missing, nodes)"
provtrace-stat "$T/run" | grep -q INCOMPLETE && fail "stat says INCOMPLETE of a complete run"

# the job ran on two more nodes: one store is there (a copy standing in for it), one not
cp "$T/run/nodes/$host.mdb" "$T/run/nodes/nodeb.mdb"
listed "$host" nodeb "node/c"
assert_eq "False ['node_c'] 2" "$(json)" "node_c has no store (complete, missing, nodes)"
provtrace-stat "$T/run" >"$T/stat.txt"
grep -q "^INCOMPLETE no store for 1 node the job ran on (node_c)" "$T/stat.txt" ||
	fail "stat does not say which node is missing: $(cat "$T/stat.txt")"
provtrace-lineage --descendants "$D/in" "$T/run" >"$T/lin.out" 2>"$T/lin.err"
assert_eq "$D/out" "$(sort -u "$T/lin.out")" "lineage still answers from the stores there are"
grep -q "incomplete: no store for node node_c" "$T/lin.err" ||
	fail "lineage does not warn: $(cat "$T/lin.err")"
provtrace-export -f ntriples -o "$T/run.nt" "$T/run"
NS='https://w3id.org/provtrace/ns#'
assert_eq 1 "$(grep -c "<${NS}complete> \"false\"^^<http://www.w3.org/2001/XMLSchema#boolean>" "$T/run.nt")" \
	"the export marks the run incomplete"
assert_eq 1 "$(grep -c "<${NS}missingNode> \"node_c\"" "$T/run.nt")" "the export names the missing node"

# two missing: both named, in the order run.json gives
listed "$host" gone1 gone2
assert_eq "False ['gone1', 'gone2'] 2" "$(json)" "two nodes missing"
provtrace-stat "$T/run" | grep -q "^INCOMPLETE no store for 2 nodes the job ran on (gone1 and gone2)" ||
	fail "stat does not name both missing nodes"
