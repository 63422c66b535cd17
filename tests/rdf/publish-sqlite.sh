#!/bin/sh
# publish-sqlite.sh — provtrace publish --to sqlite:PATH (librdf's sqlite storage): one
# context per run holding exactly the export's triples, two runs side by side, a re-publish
# keeps the count, and a publish killed in the middle of its transaction leaves the run's
# graph as it was (counted with sqlite3 on librdf's tables).
. "$top_srcdir/tests/lib.sh"

export PROVTRACE_RULES=
[ -x "$top_builddir/provtrace-publish" ] || skip "provtrace-publish not built (no libcurl)"
ls /usr/lib/*/redland/librdf_storage_sqlite.so >/dev/null 2>&1 ||
	skip "librdf's sqlite storage is not installed (apt-get install librdf-storage-sqlite)"
command -v sqlite3 >/dev/null || skip "sqlite3 not found (apt-get install sqlite3)"

DB="$T/prov.db"
count() {   # count GRAPH — triples in one context
	sqlite3 "$DB" "SELECT COUNT(*) FROM triples t JOIN uris u ON u.id = t.contextUri
		WHERE u.uri = '$1'"
}

"$top_builddir/tests/rdf/mkstore" small "$T/run"
want=$(provtrace export -q -f nt "$T/run" | wc -l)
assert_eq 762 "$want" "export of the small run"
G=$(provtrace publish -q --to "sqlite:$DB" "$T/run")
assert_eq "urn:provtrace:run:n1:1699999999999000000/graph" "$G" "graph IRI"
assert_eq "$want" "$(count "$G")" "triples in the run's context"

ptrun r1 sh -c "echo x > '$T/a'; cat '$T/a' > '$T/b'"
G1=$(provtrace publish -q --to "sqlite:$DB" "$RUN")
want1=$(provtrace export -q -f nt "$RUN" | wc -l)
assert_eq "$want1" "$(count "$G1")" "triples of the traced run"
assert_eq "$want" "$(count "$G")" "the first run's context beside it"
provtrace publish -q --to "sqlite:$DB" "$T/run" >/dev/null
assert_eq "$want" "$(count "$G")" "triples after a re-publish"
assert_eq $((want + want1)) "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM triples')" "triples in the store"

# a bigger run published as the same graph (--base), killed while its transaction is open:
# the graph keeps the small run's triples
"$top_builddir/tests/rdf/mkstore" bench 20000 "$T/big"
base=urn:provtrace:run:n1:1699999999999000000
provtrace publish -q --base "$base" --to "sqlite:$DB" "$T/big" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do
	[ -e "$DB-journal" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
[ -e "$DB-journal" ] || fail "the publish of the big run never opened a transaction"
kill -9 "$pid"
set +e
wait "$pid"
st=$?
set -e
assert_eq 137 "$st" "the publish was killed"
assert_eq "$want" "$(count "$G")" "the graph after a publish killed half way"

# errors: one line, status 1 or 2
set +e
provtrace publish -q --to "sqlite:$T/no/such/dir/x.db" "$T/run" 2>"$T/err"
assert_eq 1 $? "an sqlite file that cannot be created"
assert_eq 1 "$(wc -l <"$T/err")" "one error line ($(cat "$T/err"))"
provtrace publish -q --to "pg:x" "$T/run" 2>/dev/null
assert_eq 2 $? "an unknown store"
set -e
