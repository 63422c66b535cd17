#!/bin/sh
# hash-restart.sh — a collector killed with files in its hash queue: the next collector of
# the same store rebuilds the queue from the log's closes, so every file the job wrote
# has its hash (exactly 40, each equal to xxh128sum's).  The first collector dies by
# PROVTRACE_FAULT=hash:1, as its hasher is about to hash the first file (the job's
# closes are in the log by then: a hash waits 200 ms, a batch at most 100 ms).
. "$top_srcdir/tests/reliability/rlib.sh"

command -v xxh128sum >/dev/null || skip "no xxh128sum (Debian package xxhash)"
command -v provtrace-export >/dev/null || skip "built without Redland: no provtrace-export"
OUT=$(cd "$T" && pwd -P)/out
mkdir "$OUT"
# 20 files, then (once the test says go) 20 more, each written by the shell's echo and
# copied by cp: the first file the hasher takes that is no image is one of these
cat >"$T/job.sh" <<'SH'
i=0
while [ $i -lt 20 ]; do echo "file $i" >"$1/s$i"; cp "$1/s$i" "$1/f$i"; i=$((i + 1)); done
until [ -e "$1/go" ]; do sleep 0.02; done
while [ $i -lt 40 ]; do echo "file $i" >"$1/s$i"; cp "$1/s$i" "$1/f$i"; i=$((i + 1)); done
SH
PROVTRACE_FAULT=hash:1 start_collector
traced /bin/dash "$T/job.sh" "$OUT" &
JOB=$!
wait "$CPID" 2>/dev/null && fail "the collector survived its fault point"
start_collector
touch "$OUT/go"
wait "$JOB" || fail "job failed"
stop_collector
provtrace-export -f ntriples -o "$T/run.nt" "$STORE" || fail "export"
"$PY" - "$T/run.nt" "$OUT" >"$T/got" <<'PY'
import sys, rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format="nt")
PT = rdflib.Namespace("https://w3id.org/provtrace/ns#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
for v, f in sorted(g.subject_objects(PROV.specializationOf)):
    if str(f).startswith("file://" + sys.argv[2] + "/f"):
        hs = sorted(str(h) for h in g.objects(v, PT.contentHash))
        print(str(f)[len("file://" + sys.argv[2]) + 1:], " ".join(hs) or "none")
PY
for i in $(seq 0 39); do
	echo "f$i xxh3-128:$(xxh128sum "$OUT/f$i" | cut -d' ' -f1)"
done | sort >"$T/want"
sort "$T/got" >"$T/got.s"
diff -u "$T/want" "$T/got.s" || fail "hashes of the 40 files (want - got +)"
assert_eq 40 "$(wc -l <"$T/got.s" | tr -d ' ')" "versions"
grep -q 'content hashes: rebuilding the queue from the ' "$WORK/log" || fail "no rebuild: $(cat "$WORK/log")"
