#!/bin/sh
# mapfull.sh — RELIABILITY 21: a store whose map starts tiny fills again and again
# during a run; each time the collector grows the map and replays the batch from the
# rings.  The result equals a run without a full map, event for event.
. "$top_srcdir/tests/lib.sh"

"$PY" "$top_srcdir/examples/make_shards.py" "$T/data" 8
summary() {
	provtrace-stat --json "$1" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(d["processes"], d["files_read"], d["files_written"], d["bytes_read"], d["bytes_written"], d["dropped"])'
}
provtrace-run -q -o "$T/big" -- "$PY" "$top_srcdir/examples/train_pool.py" "$T/data" "$T/ck1" 2 2 >/dev/null
PROVTRACE_MAP_INITIAL=32768 provtrace-run -q -o "$T/small" -- \
	"$PY" "$top_srcdir/examples/train_pool.py" "$T/data" "$T/ck2" 2 2 >/dev/null
# the store ends near 140 KiB: from 32 KiB the map doubles at least twice (a third time
# when the batches leave enough free pages to pass 128 KiB, which depends on the pacing)
grows=$(grep -c "map full: grown" "$T/small/nodes/"*.log)
[ "$grows" -ge 2 ] || fail "the map grew only $grows times"
# the same job, whatever the map: only the checkpoint directory differs in the paths
assert_eq "$(summary "$T/big")" "$(summary "$T/small")" "processes files bytes dropped"
n1=$(provtrace-lineage --ancestors "$T/ck1/model-2.pt" "$T/big" | grep -c shard-)
n2=$(provtrace-lineage --ancestors "$T/ck2/model-2.pt" "$T/small" | grep -c shard-)
assert_eq 8 "$n1" "shards behind the checkpoint, large map"
assert_eq 8 "$n2" "shards behind the checkpoint, tiny map"
