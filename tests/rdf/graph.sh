#!/bin/sh
# graph.sh — provtrace graph: on the fixed two-node run of tests/rdf/mkstore, the DOT of
# eval.json's ancestors holds exactly one node per file version and process of its
# lineage, in PROV's shapes and colours, clustered by host, with the expected edges, and
# is the same bytes twice; on a real traced shell pipeline, the same for its output, and
# SVG (well-formed XML) and PNG (the signature); bad input gives one error line, a
# non-zero status and no output file.
. "$top_srcdir/tests/lib.sh"

command -v provtrace-graph >/dev/null || skip "provtrace-graph is not built (no libgvc)"
command -v dot >/dev/null || skip "dot not found (apt-get install graphviz)"
[ -x "$top_builddir/tests/rdf/mkstore" ] || skip "tests/rdf/mkstore is not built (no Redland)"
[ -e "$SHIM" ] || skip "the shim is not built ($SHIM)"
nodes() { dot -Tjson0 "$1" | "$PY" "$top_srcdir/tests/rdf/graphcheck.py" ${2:-}; }

# ---- the fixed run: exact nodes and edges
"$top_builddir/tests/rdf/mkstore" small "$T/run"
provtrace graph /job/eval.json "$T/run" -o "$T/eval.dot"
provtrace graph --ancestors /job/eval.json "$T/run" -o "$T/again.dot"
cmp -s "$T/eval.dot" "$T/again.dot" || fail "a second drawing differs"
nodes "$T/eval.dot" -c | grep -v -- '->' >"$T/nodes" || fail "no nodes"
assert_eq "activity python3.11 / n1 pid 100 [n1]
activity python3.11 / n1 pid 101 [n1]
activity python3.11 / n1 pid 102 [n1]
activity python3.11 / n2 pid 200 [n2]
agent user 1000
entity /job/ckpt/model.pt
entity /job/ckpt/model.pt.tmp / as written by pid 100 [n1]
entity /job/data/shard-0.npz
entity /job/data/shard-1.npz
entity /job/eval.json / as written by pid 200 [n2]
entity /job/train.py
entity pipe:[500] [n1]
entity pipe:[501] [n1]" "$(cat "$T/nodes")" "nodes of eval.json's lineage"
nodes "$T/eval.dot" | grep -- '->' >"$T/edges"
assert_eq "/job/ckpt/model.pt -wasDerivedFrom-> /job/ckpt/model.pt.tmp / as written by pid 100
/job/ckpt/model.pt.tmp / as written by pid 100 -wasGeneratedBy-> python3.11 / n1 pid 100
/job/eval.json / as written by pid 200 -wasGeneratedBy-> python3.11 / n2 pid 200
pipe:[500] -wasGeneratedBy-> python3.11 / n1 pid 100
pipe:[501] -wasGeneratedBy-> python3.11 / n1 pid 101
pipe:[501] -wasGeneratedBy-> python3.11 / n1 pid 102
python3.11 / n1 pid 100 -used-> /job/train.py
python3.11 / n1 pid 100 -used-> pipe:[501]
python3.11 / n1 pid 100 -wasAssociatedWith-> user 1000
python3.11 / n1 pid 101 -used-> /job/data/shard-0.npz
python3.11 / n1 pid 101 -used-> pipe:[500]
python3.11 / n1 pid 101 -wasAssociatedWith-> user 1000
python3.11 / n1 pid 101 -wasInformedBy-> python3.11 / n1 pid 100
python3.11 / n1 pid 102 -used-> /job/data/shard-1.npz
python3.11 / n1 pid 102 -used-> pipe:[500]
python3.11 / n1 pid 102 -wasAssociatedWith-> user 1000
python3.11 / n1 pid 102 -wasInformedBy-> python3.11 / n1 pid 100
python3.11 / n2 pid 200 -used-> /job/ckpt/model.pt
python3.11 / n2 pid 200 -used-> /job/data/shard-0.npz
python3.11 / n2 pid 200 -wasAssociatedWith-> user 1000" "$(cat "$T/edges")" "edges of eval.json's lineage"
# depth counts processes, as in provtrace lineage: 0 is the file alone; 1 adds its
# writer and what that read (the checkpoint under both its names)
provtrace graph --depth 0 /job/eval.json "$T/run" -o "$T/d0.dot"
assert_eq "entity /job/eval.json / as written by pid 200" "$(nodes "$T/d0.dot")" "depth 0"
provtrace graph --depth 1 /job/eval.json "$T/run" -o "$T/d1.dot"
assert_eq "activity python3.11 / n2 pid 200
agent user 1000
entity /job/ckpt/model.pt
entity /job/ckpt/model.pt.tmp / as written by pid 100
entity /job/data/shard-0.npz
entity /job/eval.json / as written by pid 200" "$(nodes "$T/d1.dot" | grep -v -- '->')" "depth 1"
# hostile names survive as distinct, readable labels
provtrace graph --descendants /job/data/shard-0.npz "$T/run" -o "$T/desc.svg"
"$PY" -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$T/desc.svg" ||
	fail "the SVG of shard-0's descendants is not XML"
provtrace graph --descendants /job/data/shard-0.npz "$T/run" -o "$T/desc.dot"
assert_eq 1 "$(nodes "$T/desc.dot" | grep -c '^entity /job/out/bad%FF%FE / as written by pid 100$')" \
	"a name that is not UTF-8"

# ---- a real job: cat in > mid; tr < mid > out
mkdir "$T/job"
echo hello >"$T/job/in.txt"
(cd "$T/job" && ptrun sh /bin/sh -c 'cat in.txt > mid.txt; tr a-z A-Z < mid.txt > out.txt')
RUN="$T/sh"
[ "$(cat "$T/job/out.txt")" = HELLO ] || fail "the traced job did not run"
provtrace graph "$T/job/out.txt" "$RUN" -o "$T/out.dot"
nodes "$T/out.dot" | grep -v -- '->' | sed 's/ pid [0-9]*/ pid N/' >"$T/nodes"
host=$(ls "$RUN/nodes" | sed -n 's/\.mdb$//p')
sh=$(basename "$(readlink -f /bin/sh)")
assert_eq "$(printf '%s\n' "activity cat / $host pid N" "activity $sh / $host pid N" \
	"activity tr / $host pid N" "agent user $(id -u)" "entity $T/job/in.txt" \
	"entity $T/job/mid.txt / as written by pid N" "entity $T/job/out.txt / as written by pid N" |
	sort)" "$(cat "$T/nodes")" "nodes of out.txt's lineage"
# the versions name their writers, and the reads the version written before
nodes "$T/out.dot" | grep -- '->' | sed 's/ pid [0-9]*/ pid N/g' | grep -v Associated >"$T/edges"
assert_eq "$T/job/mid.txt / as written by pid N -wasGeneratedBy-> cat / $host pid N
$T/job/out.txt / as written by pid N -wasGeneratedBy-> tr / $host pid N
cat / $host pid N -used-> $T/job/in.txt
cat / $host pid N -wasInformedBy-> $sh / $host pid N
tr / $host pid N -used-> $T/job/mid.txt / as written by pid N
tr / $host pid N -wasInformedBy-> $sh / $host pid N" "$(cat "$T/edges")" "edges of out.txt's lineage"
provtrace graph "$T/job/out.txt" "$RUN" -o "$T/out.svg"
"$PY" -c 'import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
assert d.documentElement.tagName == "svg"
print(sum(1 for g in d.getElementsByTagName("g") if g.getAttribute("class") == "node"))' \
	"$T/out.svg" >"$T/n" || fail "the SVG is not XML"
assert_eq 7 "$(cat "$T/n")" "nodes in the SVG"
provtrace graph "$T/job/out.txt" "$RUN" -o "$T/out.png"
assert_eq "89504e470d0a1a0a" "$(od -An -tx1 -N8 "$T/out.png" | tr -d ' \n')" "the PNG signature"
# the picture gets the mode open(2) would give it, not the temporary file's 0600
assert_eq 644 "$(umask 022; provtrace graph "$T/job/out.txt" "$RUN" -o "$T/mode.svg" && stat -c %a "$T/mode.svg")" \
	"the mode of the picture under umask 022"

# ---- bad input: one line on stderr, status 1 or 2, nothing left behind
mkdir "$T/empty" "$T/o"
bad() {
	want=$1
	shift
	set +e
	provtrace graph "$@" 2>"$T/err"
	r=$?
	set -e
	[ "$r" -ne 0 ] || fail "graph $*: status 0"
	assert_eq 1 "$(wc -l <"$T/err" | tr -d ' ')" "lines on stderr of graph $*"
	grep -q "$want" "$T/err" || fail "graph $*: '$(cat "$T/err")' does not say '$want'"
	assert_eq "" "$(ls -A "$T/o")" "files left by graph $*"
}
bad "not a run directory" "$T/job/out.txt" "$T/empty" -o "$T/o/g.svg"
bad "not in the run's provenance" "$T/job/nothing.txt" "$RUN" -o "$T/o/g.svg"
bad "No such file or directory" "$T/job/out.txt" "$RUN" -o "$T/o/missing/g.svg"
bad "must end in .svg, .png or .dot" "$T/job/out.txt" "$RUN" -o "$T/o/g.jpeg"
bad "usage" "$T/job/out.txt" "$RUN"
bad "/proc/g.svg" "$T/job/out.txt" "$RUN" -o /proc/g.svg
