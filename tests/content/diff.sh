#!/bin/sh
# diff.sh — provtrace diff on the ML pipeline (examples/make_shards.py + train_pool.py) run
# twice with one shard's bytes changed in between: the inputs differ in exactly that shard,
# the outputs in exactly the three checkpoints, each derived from it; the command,
# environment, libraries and processes are the same; a run against itself is the same
# (exit 0); bad input exits 2.
. "${top_srcdir:-.}/tests/lib.sh"

ml_shards 16
ptrun r1 "$PY" "$top_srcdir/examples/train_pool.py" data ckpt
assert_eq 0 "$rc" "run 1 ($(cat "$T/r1.err"))"
R1=$RUN
rm -r ckpt
# shard 7: other labels, same shape
"$PY" -c '
import numpy as np
d = np.load("data/shard-007.npz")
np.savez("data/shard-007.npz", x=d["x"], y=d["y"] * 1.5)'
ptrun r2 "$PY" "$top_srcdir/examples/train_pool.py" data ckpt
assert_eq 0 "$rc" "run 2 ($(cat "$T/r2.err"))"
R2=$RUN

set +e
provtrace-diff --json "$R1" "$R2" >"$T/diff.json"
rc=$?
provtrace-diff "$R1" "$R2" >"$T/diff.txt"
rct=$?
set -e
assert_eq "1 1" "$rc $rct" "exit status of diff (json, text): the runs differ"
"$PY" - "$T/diff.json" "$D" >"$T/got" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
base = sys.argv[2] + "/"
for sec in ("command", "environment", "libraries", "inputs", "outputs", "processes", "mpi"):
    for x in d[sec]["differ"]:
        # the job's standard output goes to a file of the test's own (r1.out, r2.out)
        if sec in ("inputs", "outputs") and not x["key"].startswith(base):
            continue
        line = [sec, x["how"], x["key"].replace(base, "")]
        if sec == "outputs":
            line.append(",".join(p.replace(base, "") for p in x.get("from_changed_inputs", [])))
        print(" ".join(line))
print("same", d["same"], "inputs-same", d["inputs"]["same"] > 100,
      "libraries-same", d["libraries"]["same"] > 10)
PY
assert_eq "inputs changed data/shard-007.npz
outputs changed ckpt/model-1.pt data/shard-007.npz
outputs changed ckpt/model-2.pt data/shard-007.npz
outputs changed ckpt/model-3.pt data/shard-007.npz
same False inputs-same True libraries-same True" "$(cat "$T/got")" "diff of run 1 and run 2"
# the text names the same, one line each, with the shard's two hashes
h1=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); x=d["inputs"]["differ"][0]; print(x["run1"], x["run2"])' "$T/diff.json")
set -- $h1
grep -q "^  ~ $D/data/shard-007.npz  $1 → $2\$" "$T/diff.txt" || fail "text: the shard's line ($(cat "$T/diff.txt"))"
assert_eq 4 "$(grep -c "^  ~ $D/" "$T/diff.txt")" "text: changed entries (the shard, three checkpoints)"
# the old shard's hash is xxh128sum of its bytes then; the new one of its bytes now
command -v xxh128sum >/dev/null &&
	assert_eq "xxh3-128:$(xxh128sum data/shard-007.npz | cut -d' ' -f1)" "$2" "run 2's shard hash"

# a run against itself: the same
set +e
provtrace-diff "$R2" "$R2" >"$T/self.txt"
rc=$?
set -e
assert_eq 0 "$rc" "diff of a run with itself ($(cat "$T/self.txt"))"
head -1 "$T/self.txt" | grep -q ': same$' || fail "diff of a run with itself: $(head -1 "$T/self.txt")"
# bad input: one clear line, status 2
set +e
provtrace-diff "$R1" "$T/nothing" >/dev/null 2>"$T/bad.err"
rc=$?
set -e
assert_eq "2 1" "$rc $(wc -l <"$T/bad.err" | tr -d ' ')" "diff with a missing run: status, lines on stderr"
exit 0
