#!/bin/sh
# rocrate.sh — provtrace export -f rocrate of a traced shell job: rdflib reads the crate
# as JSON-LD and SPARQL finds what the Process Run Crate profile requires (descriptor,
# root conforming to the profile, a CreateAction with instrument, agent, times, object
# and result as File entities in the root's hasPart); the inputs and outputs are exactly
# the job's, with their sizes; the times are run.json's; a second export is the same
# bytes; bad input gives one error line, a non-zero status and no crate directory.
. "$top_srcdir/tests/lib.sh"

"$PY" -c 'import rdflib' 2>/dev/null || skip "$PY cannot import rdflib (python3-rdflib)"
"$PY" -c 'import rdflib.plugins.parsers.jsonld' 2>/dev/null ||
	skip "this rdflib has no JSON-LD parser (rdflib 6 or later)"
[ -e "$SHIM" ] || skip "the shim is not built ($SHIM)"

mkdir "$T/job"
echo hello >"$T/job/in.txt"
echo more >"$T/job/extra.txt"
echo old >"$T/job/log.txt"
(cd "$T/job" && ptrun sh /bin/sh -c \
	'cat in.txt > mid.txt; tr a-z A-Z < mid.txt > out.txt; cat in.txt extra.txt >> log.txt')
RUN="$T/sh"
[ "$(cat "$T/job/out.txt")" = HELLO ] || fail "the traced job did not run"

provtrace export -f rocrate -o "$T/crate" "$RUN"
[ "$(ls -A "$T/crate")" = ro-crate-metadata.json ] || fail "the crate holds $(ls -A "$T/crate")"
"$PY" "$top_srcdir/tests/rdf/crate-check.py" "$T/crate/ro-crate-metadata.json" >"$T/facts"
times=$("$PY" -c '
import datetime, json, sys
r = json.load(open(sys.argv[1]))
for k in ("start", "end"):
    ns = r[k + "_ns"]
    t = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    print(k, t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (ns // 1000 % 10**6))' "$RUN/run.json")
j="file://$T/job"
assert_eq "$times
command /bin/sh -c cat in.txt > mid.txt; tr a-z A-Z < mid.txt > out.txt; cat in.txt extra.txt >> log.txt
instrument sh
object $j/extra.txt 5
object $j/in.txt 6
result $j/log.txt 15
result $j/mid.txt 6
result $j/out.txt 6
files 5" "$(cat "$T/facts")" "what the crate says"

# the same bytes again (into an existing directory)
cp "$T/crate/ro-crate-metadata.json" "$T/first.json"
provtrace export -f rocrate -o "$T/crate" "$RUN"
cmp -s "$T/first.json" "$T/crate/ro-crate-metadata.json" || fail "a second export differs"

# ---- bad input: one line on stderr, a non-zero status, no crate left behind
mkdir "$T/empty"
bad() {
	want=$1 dir=$2
	shift 2
	set +e
	provtrace export -f rocrate -o "$dir" "$@" 2>"$T/err"
	r=$?
	set -e
	[ "$r" -ne 0 ] || fail "export -f rocrate $*: status 0"
	assert_eq 1 "$(wc -l <"$T/err" | tr -d ' ')" "lines on stderr of export -f rocrate -o $dir $*"
	grep -q "$want" "$T/err" || fail "export -o $dir $*: '$(cat "$T/err")' does not say '$want'"
	[ ! -e "$dir" ] || [ "$dir" = "$T/file" ] || fail "export -o $dir $*: $dir left behind"
}
bad "not a run directory" "$T/c1" "$T/empty"
cp -r "$RUN" "$T/norecord" && rm "$T/norecord/run.json"
bad "run.json: missing" "$T/c2" "$T/norecord"
bad "cannot create $T/no/c3" "$T/no/c3" "$RUN"
: >"$T/file"
bad "cannot create $T/file" "$T/file" "$RUN"
[ ! -s "$T/file" ] || fail "the file in the crate's place was written"
set +e
provtrace export -f rocrate "$RUN" >/dev/null 2>"$T/err"
r=$?
set -e
assert_eq 2 "$r" "export -f rocrate without -o"
