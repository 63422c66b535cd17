#!/bin/sh
# hash.sh — content identity: the collector hashes (XXH3-128) what a job read and wrote;
# stat counts the results, the export gives each version pt:contentHash and the content
# IRI.  Exact hashes from xxh128sum; a file written under a temporary name and renamed is
# hashed where the rename took it; a file over PROVTRACE_HASH_MAX is left to requests; a
# file changed under the job between two reads never gets a wrong hash.
. "${top_srcdir:-.}/tests/lib.sh"

content_dir
printf 'alpha\n' >in.txt
printf 'gamma\n' >in2.txt
head -c 4000000 /dev/zero | tr '\0' 'z' >big.bin
h() { echo "xxh3-128:$(xxh128sum "$1" | cut -d' ' -f1)"; }
h_in1=$(h in.txt)
PROVTRACE_HASH_MAX=3000000 ptrun hash sh -c '
	cat in.txt >/dev/null
	cat in.txt in2.txt >out.tmp && mv out.tmp out.txt
	cat big.bin >/dev/null
	PROVTRACE_DISABLE=1 sh -c "echo beta >>in.txt"
	cat in.txt >/dev/null'
assert_eq 0 "$rc" "job exit status ($(cat "$T/hash.err"))"
h_in2=$(h in.txt)
h_out=$(h out.txt)

# stat: the big file over the limit, nothing left unhashed at the stop
provtrace-stat --json "$RUN" | "$PY" -c '
import json, sys
h = json.load(sys.stdin)["hashes"]
print(h["large"], h["not_hashed"], h["unreadable"], h["hashed"] >= 5)' >"$T/counts"
assert_eq "1 0 0 True" "$(cat "$T/counts")" "hashes: large not_hashed unreadable, hashed >= 5"
provtrace-stat "$RUN" | grep -q '^hashes .*1 over the size limit' || fail "stat's hashes line"

provtrace-export -f ntriples -o "$T/run.nt" "$RUN" || fail "export"
# contentHash per path: the version's file (its specializationOf file: IRI)
"$PY" - "$T/run.nt" "$D" >"$T/hashes" <<'PY'
import sys, rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format="nt")
PT = rdflib.Namespace("https://w3id.org/provtrace/ns#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
CONTENT = "https://w3id.org/provtrace/content/xxh3-128/"
rows = set()
for v, h in g.subject_objects(PT.contentHash):
    files = [str(o) for o in g.objects(v, PROV.specializationOf) if str(o).startswith("file://")]
    # one content per hash (in.txt changed between its reads: two versions, see versions.sh)
    content = {str(o) for o in g.objects(v, PROV.alternateOf) if str(o).startswith(CONTENT)}
    hashes = {CONTENT + str(x)[9:] for x in g.objects(v, PT.contentHash)}
    assert content == hashes, (v, h, content, hashes)
    for f in files:
        if f.startswith("file://" + sys.argv[2] + "/"):
            rows.add("%s %s" % (f[len("file://" + sys.argv[2]) + 1:], h))
print("\n".join(sorted(rows)))
PY
grep -qx "out.tmp $h_out" "$T/hashes" || fail "out.tmp (renamed to out.txt): $(cat "$T/hashes")"
! grep -q '^big.bin' "$T/hashes" || fail "big.bin hashed over the limit"
grep -qx "in.txt $h_in2" "$T/hashes" || fail "in.txt after the change: $(cat "$T/hashes")"
# the version before the change: its own hash, or none (changed before it was read)
grep '^in.txt ' "$T/hashes" | while read -r _ hh; do
	[ "$hh" = "$h_in1" ] || [ "$hh" = "$h_in2" ] || fail "in.txt: a hash of neither content: $hh"
done
# lineage --hash: each file with the content of its latest version in the run
provtrace-lineage --hash --ancestors "$D/out.tmp" "$RUN" >"$T/anc" || fail "lineage --hash"
grep -qx "$(h in2.txt)	$D/in2.txt" "$T/anc" || fail "lineage --hash: in2.txt ($(cat "$T/anc"))"
# the same bytes, the same content IRI in a second run
ptrun hash2 cat out.txt
provtrace-export -f ntriples -o "$T/run2.nt" "$RUN" || fail "export 2"
grep -q "<https://w3id.org/provtrace/content/xxh3-128/${h_out#xxh3-128:}>" "$T/run2.nt" ||
	fail "run 2: out.txt's content IRI"
# PROVTRACE_HASH=0: nothing hashed
PROVTRACE_HASH=0 ptrun nohash cat out.txt
assert_eq 0 "$(provtrace-stat --json "$RUN" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["hashes"]["hashed"])')" "hashed with PROVTRACE_HASH=0"
exit 0
