#!/bin/sh
# pool.sh — the real numpy job: examples/make_shards.py writes 16 shards and an unused
# file; examples/train_pool.py, traced, has a multiprocessing Pool's 4 workers read the
# shards and writes checkpoints through a temporary name and os.replace.  The final
# checkpoint descends from every shard and from nothing the job did not read.
. "${top_srcdir:-.}/tests/lib.sh"

ml_shards 16
ptrun pool "$PY" "$top_srcdir/examples/train_pool.py" data ckpt
assert_eq 0 "$rc" "train_pool.py exit status ($(cat "$T/pool.err"))"
assert_eq 3 "$(grep -c '^epoch' "$T/pool.out")" "epochs reported"

provtrace lineage --ancestors ckpt/model-3.pt "$RUN" >"$T/anc" || fail "provtrace lineage --ancestors"
for i in $(seq 0 15); do
	f=$(printf '%s/data/shard-%03d.npz' "$D" "$i")
	grep -qx "$f" "$T/anc" || fail "ancestors of model-3.pt: $f is missing ($(cat "$T/anc"))"
done
! grep -q unused "$T/anc" || fail "ancestors of model-3.pt hold data/unused.npz"
# everything else it lists is the script itself (the job's files: only the shards)
assert_eq "16 $top_srcdir/examples/train_pool.py" \
	"$(grep -c "^$D/data/shard-" "$T/anc") $(grep -v "^$D/" "$T/anc")" \
	"ancestors of model-3.pt: shards, and what is outside the job's directory"
provtrace lineage --descendants data/shard-007.npz "$RUN" >"$T/desc" ||
	fail "provtrace lineage --descendants"
grep -qx "$D/ckpt/model-3.pt" "$T/desc" || fail "descendants of shard-007: no model-3.pt ($(cat "$T/desc"))"
provtrace lineage --descendants data/unused.npz "$RUN" >/dev/null 2>&1 &&
	fail "data/unused.npz is in the run's provenance"

# the job and its 4 Pool workers (fork context: no helper process), nothing lost
assert_eq "5 0 0 0" "$(stat_of processes dropped torn corrupt)" "processes dropped torn corrupt"
assert_eq 4 "$(ev procs parent=1 start_how=1)" "Pool workers forked by the job"
# each shard read by workers only, 3 epochs, every byte of it each time
for i in 0 7 15; do
	f=$(printf '%s/data/shard-%03d.npz' "$D" "$i")
	size=$(wc -c <"$f" | tr -d ' ')
	ev sess "$f" rops!=0 -f proc,rbytes >"$T/reads"
	assert_eq 3 "$(wc -l <"$T/reads" | tr -d ' ')" "sessions reading shard $i"
	assert_eq 0 "$(grep -c '^1 ' "$T/reads" || true)" "reads of shard $i by the job itself"
	while read -r proc bytes; do
		assert_ge "$size" "$bytes" "bytes of shard $i read by process $proc"
	done <"$T/reads"
done
