#!/bin/sh
# exclude.sh — PROVTRACE_EXCLUDE and the default exclusions: a path is left out when it
# begins with one of the prefixes, compared as strings (so /dev/tty also covers
# /dev/tty1), whatever the prefix's length against the 8 bytes the shim compares at once;
# a path sharing only part of a prefix, or shorter than it, is recorded.
. "${top_srcdir:-.}/tests/lib.sh"

D=$(cd "$T" && pwd -P)/exclusion-test-dir
mkdir "$D"
touch "$D/skip" "$D/skip-me" "$D/skiq" "$D/ski" "$D/s" "$D/sk"
cat >"$T/opens.py" <<'PY'
import os, sys
for p in sys.argv[1:]:
    os.close(os.open(p, os.O_RDONLY))
PY
opens() {
	for p in "$D/skip" "$D/skip-me" "$D/skiq" "$D/ski" "$D/s" "$D/sk" /proc/self/stat \
		/dev/null /dev/zero /dev/urandom /dev/full; do
		printf '%s\n' "$p"
	done
}
# recorded: the OPEN records of the paths above; want PATH...: the same form
recorded() {
	ev rec OPEN -f path | while read -r p; do
		case $p in "$D"/*|/proc/*|/dev/*) echo "$p" ;; esac
	done | LC_ALL=C sort | tr '\n' ' '
}
want() {
	printf '%s\n' "$@" | LC_ALL=C sort | tr '\n' ' '
}

# the default list: /proc/ (6 bytes), /dev/null, /dev/zero (9), /dev/urandom (12)
ptrun default "$PY" "$T/opens.py" $(opens)
assert_eq 0 "$rc" "default: exit status ($(cat "$T/default.err"))"
assert_eq "$(want /dev/full "$D/s" "$D/sk" "$D/ski" "$D/skiq" "$D/skip" "$D/skip-me")" "$(recorded)" \
	"default: recorded opens"

# a list of the user's replaces it: a prefix longer than 8 bytes, two of exactly 8
PROVTRACE_EXCLUDE="$D/skip:/dev/nul:/proc/se" ptrun user "$PY" "$T/opens.py" $(opens)
assert_eq 0 "$rc" "user list: exit status ($(cat "$T/user.err"))"
assert_eq "$(want /dev/full /dev/urandom /dev/zero "$D/s" "$D/sk" "$D/ski" "$D/skiq")" "$(recorded)" \
	"user list: recorded opens"

# "/" alone: nothing is recorded; the empty list: everything is
PROVTRACE_EXCLUDE=/ ptrun all "$PY" "$T/opens.py" $(opens)
assert_eq "" "$(recorded)" "'/' excludes every path"
PROVTRACE_EXCLUDE= ptrun none "$PY" "$T/opens.py" $(opens)
assert_eq "$(want /dev/full /dev/null /dev/urandom /dev/zero /proc/self/stat "$D/s" "$D/sk" \
	"$D/ski" "$D/skiq" "$D/skip" "$D/skip-me")" "$(recorded)" "the empty list records everything"
