#!/bin/sh
# errno.sh — RELIABILITY.md case 12: after every wrapped call, failing or not, the
# program sees the same result and the same errno with the shim as without it.
. "${top_srcdir:-.}/tests/lib.sh"

mkdir "$T/bare" "$T/traced"
"$PROG/errno" "$T/bare" >"$T/bare.out" 2>"$T/bare.err" || fail "errno without the shim: $(cat "$T/bare.err")"
ptrun traced "$PROG/errno" "$T/traced"
assert_eq 0 "$rc" "exit status under the shim ($(cat "$T/traced.err"))"
n=$(wc -l <"$T/bare.out" | tr -d ' ')
assert_ge 60 "$n" "calls checked"
if ! cmp -s "$T/bare.out" "$T/traced.out"; then
	diff "$T/bare.out" "$T/traced.out" >&2
	fail "results or errno differ with the shim (- without, + with)"
fi
# the failed exec attempts were recorded with their errno
# (execv of a missing file, execve of a directory, execvp of an unknown name, fexecve
# of a bad descriptor)
assert_eq "2
13
2
9" "$(ev rec EXEC_FAIL -f errno)" "EXEC_FAIL records"
assert_eq "0 0" "$(stat_of dropped corrupt)" "dropped, corrupt"
