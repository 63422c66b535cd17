#!/bin/sh
# fault-region.sh — a shim that cannot create its region (spool full, unwritable)
# disables itself without disturbing the program, and the run counts the gap: one per
# image that recorded nothing.
. "$top_srcdir/tests/reliability/rlib.sh"

set +e
PROVTRACE_FAULT='region:*:28' provtrace-run -q -o "$T/run" -- sh -c 'echo out; /bin/true; exit 5' >"$T/stdout"
rc=$?
set -e
assert_eq 5 "$rc" "exit status of the job"
assert_eq out "$(cat "$T/stdout")" "the job's output"
assert_eq 0 "$(stat_field "$T/run" processes)" "processes recorded"
# sh and true each said that they record nothing
assert_eq 2 "$(stat_field "$T/run" gaps)" "gaps counted"
