#!/bin/sh
# publish-pg.sh — provtrace publish --to postgresql:// (librdf's PostgreSQL storage): what
# Redland reads back from the model (rdfproc -s postgresql) is the export triple for triple,
# two runs side by side as two contexts, a re-publish replaces, a publish killed in the
# middle of its load leaves the run's graph as it was, and bad targets or credentials give
# one line and a non-zero status.
#
# The server: $PT_TEST_POSTGRES (a postgresql:// URL, its credentials file in
# $PT_TEST_POSTGRES_CREDENTIALS) as .ci/run starts it, else a private one (scripts/postgres-local.sh) on
# $PT_TEST_POSTGRES_PORT (18860).  Skips only when PostgreSQL or librdf's PostgreSQL
# storage is not installed.
. "$top_srcdir/tests/lib.sh"

export PROVTRACE_RULES=
[ -x "$top_builddir/provtrace-publish" ] || skip "provtrace-publish not built (no libcurl)"
provtrace publish --to postgresql://u@h/d /nonexistent 2>&1 | grep -q 'without libpq' &&
	skip "provtrace publish was built without libpq (apt-get install libpq-dev)"
ls /usr/lib/*/redland/librdf_storage_postgresql.so >/dev/null 2>&1 ||
	skip "librdf's PostgreSQL storage is not installed (apt-get install librdf-storage-postgresql)"

if [ -n "${PT_TEST_POSTGRES:-}" ]; then
	URL=$PT_TEST_POSTGRES
	[ -n "${PT_TEST_POSTGRES_CREDENTIALS:-}" ] ||
		fail "PT_TEST_POSTGRES is set without PT_TEST_POSTGRES_CREDENTIALS"
	export PROVTRACE_STORE_CREDENTIALS_FILE="$PT_TEST_POSTGRES_CREDENTIALS"
else
	# the server runs as the user postgres, which cannot enter $T (mode 0700)
	PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/pt-pg.XXXXXX")
	export PROVTRACE_POSTGRES_PORT=${PT_TEST_POSTGRES_PORT:-18860}
	finish() {
		rc=$?
		"$top_srcdir/scripts/postgres-local.sh" stop "$PGDIR" || true
		rm -rf "$PGDIR"
		[ -n "${PT_KEEP:-}" ] || rm -rf "$T"
		exit $rc
	}
	trap finish EXIT
	set +e
	out=$("$top_srcdir/scripts/postgres-local.sh" start "$PGDIR" 2>"$T/pg.err")
	st=$?
	set -e
	[ "$st" -eq 77 ] && skip "$(cat "$T/pg.err")"
	[ "$st" -eq 0 ] || fail "scripts/postgres-local.sh start: $(cat "$T/pg.err")"
	URL=$(echo "$out" | head -1)
	export PROVTRACE_STORE_CREDENTIALS_FILE="$PGDIR/credentials"
fi
USERPW=$(head -1 "$PROVTRACE_STORE_CREDENTIALS_FILE")
HOSTPORT=${URL#postgresql://*@}
HOSTPORT=${HOSTPORT%%/*}
DB=${URL##*/}
# a model of this test's own, so that a shared server's other models do not count
M=pt$$
MURL="$URL?model=$M"
sql() {
	PGPASSWORD=${USERPW#*:} psql -X -q -At -v ON_ERROR_STOP=1 -h "${HOSTPORT%:*}" \
		-p "${HOSTPORT##*:}" -U "${USERPW%%:*}" -d "$DB" -c "$1"
}
count() {   # count GRAPH — statements in one context of the model
	sql "SELECT COUNT(*) FROM $table t JOIN Resources r ON r.ID = t.Context WHERE r.URI = '$1'"
}
# what Redland reads back: the whole model as sorted N-Triples
readback() {
	rdfproc -s postgresql -t "host='${HOSTPORT%:*}',port='${HOSTPORT##*:}',database='$DB',user='${USERPW%%:*}',password='${USERPW#*:}',contexts='yes'" \
		"$M" serialize ntriples 2>/dev/null | sort
}
command -v rdfproc >/dev/null || skip "rdfproc not found (apt-get install redland-utils)"

"$top_builddir/tests/rdf/mkstore" small "$T/run"
provtrace export -q -f nt "$T/run" | sort >"$T/small.nt"
want=$(wc -l <"$T/small.nt")
assert_eq 762 "$want" "export of the small run"
G=$(provtrace publish -q --to "$MURL" "$T/run")
assert_eq "urn:provtrace:run:n1:1699999999999000000/graph" "$G" "graph IRI"
table=statements$(sql "SELECT ID FROM Models WHERE Name = '$M'")
assert_eq "$want" "$(count "$G")" "statements in the run's context"
readback >"$T/back.nt"
assert_eq "762 triples, 0 long IRIs shortened, 0 integers as decimal" \
	"$("$PY" "$top_srcdir/tests/rdf/storecmp.py" "$T/small.nt" "$T/back.nt")" \
	"what rdfproc reads from the model against the export"
assert_eq "$G" "$(rdfproc -s postgresql -t "host='${HOSTPORT%:*}',port='${HOSTPORT##*:}',database='$DB',user='${USERPW%%:*}',password='${USERPW#*:}',contexts='yes'" "$M" contexts 2>/dev/null | sed -n 's/^Context: <\(.*\)>$/\1/p')" \
	"the model's one context"

# a traced run beside it; the first re-published: its context keeps its count
ptrun r1 sh -c "echo x > '$T/a'; cat '$T/a' > '$T/b'"
G1=$(provtrace publish -q --to "$MURL" "$RUN")
want1=$(provtrace export -q -f nt "$RUN" | wc -l)
assert_eq "$want1" "$(count "$G1")" "statements of the traced run"
provtrace publish -q --to "$MURL" "$T/run" >/dev/null
assert_eq "$want" "$(count "$G")" "statements after a re-publish"
assert_eq $((want + want1)) "$(sql "SELECT COUNT(*) FROM $table")" "statements in the model"

# a bigger run published as the same graph (--base), killed while its COPY runs: the
# graph keeps the small run's statements, and nothing of the big one stays behind
"$top_builddir/tests/rdf/mkstore" bench 200000 "$T/big"
base=urn:provtrace:run:n1:1699999999999000000
provtrace publish -q --base "$base" --to "$MURL" "$T/big" >/dev/null 2>&1 &
pid=$!
copying=
for _ in $(seq 600); do
	[ "$(sql "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'provtrace-publish' AND query LIKE 'COPY%'")" = 1 ] && copying=1 && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
kill -9 "$pid" 2>/dev/null || fail "the publish of the big run ended before it could be killed"
[ -n "$copying" ] || fail "the publish of the big run was never seen in its COPY"
set +e
wait "$pid"
st=$?
set -e
assert_eq 137 "$st" "the publish was killed"
# the server ends the dead client's transaction when it notices the closed connection
for _ in $(seq 100); do
	[ "$(sql "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'provtrace-publish'")" = 0 ] && break
	sleep 0.1
done
assert_eq "$want" "$(count "$G")" "the graph after a publish killed half way"
assert_eq $((want + want1)) "$(sql "SELECT COUNT(*) FROM $table")" "statements in the model after it"

# errors: one line, status 1 or 2, the graph untouched
set +e
printf '%s:wrong\n' "${USERPW%%:*}" >"$T/bad"
chmod 600 "$T/bad"
provtrace publish -q --credentials "$T/bad" --to "$MURL" "$T/run" 2>"$T/err"
assert_eq 1 $? "a wrong password"
assert_eq 1 "$(wc -l <"$T/err")" "one error line ($(cat "$T/err"))"
grep -q 'password authentication failed' "$T/err" || fail "the error names the refusal: $(cat "$T/err")"
provtrace publish -q --to "postgresql://${USERPW%%:*}@127.0.0.1:1/$DB" "$T/run" 2>"$T/err"
assert_eq 1 $? "a server that is not there"
grep -q 'Connection refused' "$T/err" || fail "the error says the connection was refused: $(cat "$T/err")"
provtrace publish -q --to "postgresql://u:secret@127.0.0.1/$DB" "$T/run" 2>"$T/err"
assert_eq 2 $? "a password in the URL"
assert_eq "provtrace publish: --to postgresql://u:secret@127.0.0.1/$DB: a password in the URL would be seen by every user of the machine: put USER:PASSWORD in a credentials file" \
	"$(cat "$T/err")" "the refusal of a password in argv"
provtrace publish -q --to "postgresql://127.0.0.1" "$T/run" 2>"$T/err"
assert_eq 2 $? "no database"
provtrace publish -q --to "postgresql://a'b@$HOSTPORT/$DB" "$T/run" 2>"$T/err"
assert_eq 2 $? "a quote in the user name (librdf's options cannot carry it)"
assert_eq "provtrace publish: --to postgresql://a'b@$HOSTPORT/$DB: a quote or backslash in the URL or credentials" \
	"$(cat "$T/err")" "the refusal of a quote"
set -e
assert_eq "$want" "$(count "$G")" "the graph after the failed publishes"
sql "DROP TABLE $table; DELETE FROM Models WHERE Name = '$M'"
