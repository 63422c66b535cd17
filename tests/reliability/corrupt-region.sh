#!/bin/sh
# corrupt-region.sh — RELIABILITY 14 and 18 on the region side: a corrupt length word
# makes the rest of its slot unreadable (skipped, counted), a record that is not msgpack
# is skipped and counted, a record its writer died writing is never read and is counted
# as torn; everything else of the region is stored.
. "$top_srcdir/tests/reliability/rlib.sh"

# a pid that is certainly not running: the region's image is over
dead=$(sh -c 'echo $$')
"$top_builddir/tests/reliability/mkregion" "$SPOOL" "$dead" 1000 >/dev/null
provtrace-collectd --once -S "$SPOOL" -d "$STORE" -o "$T/out.mdb" -l "$WORK/log"
details=$(provtrace-dump --log "$T/out.mdb" | "$PY" -c '
import json, sys
print(" ".join(r["detail"] for r in map(json.loads, sys.stdin) if r["type"] == "GAP"))')
assert_eq "slot0-a slot0-b slot1-c" "$details" "records stored"
assert_eq 2 "$(stat_field "$T/out.mdb" corrupt)" "corrupt slots and records"
assert_eq 1 "$(stat_field "$T/out.mdb" torn)" "torn records"
assert_eq 1 "$(stat_field "$T/out.mdb" killed)" "the image ended without an exit record"
assert_eq 0 "$(ls "$SPOOL" | wc -l)" "files left in the spool"
