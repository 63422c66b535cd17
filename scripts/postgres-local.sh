#!/bin/sh
# postgres-local.sh — a private PostgreSQL (Debian's postgresql) for the tests and CI: its
# own cluster directory, port and socket, password authentication, nothing under /etc.
#
#   scripts/postgres-local.sh start DIR    make the cluster if DIR has none, start it if
#                                          not running, wait until it answers; prints the
#                                          URL postgresql://USER@127.0.0.1:PORT/DATABASE,
#                                          then PROVTRACE_STORE_CREDENTIALS_FILE=DIR/credentials
#   scripts/postgres-local.sh stop DIR     stop it (fast shutdown)
#   scripts/postgres-local.sh psql DIR ... psql on it, as its user
#
# Port: $PROVTRACE_POSTGRES_PORT (default 18860).  The user "provtrace" gets a password
# made up at the first start and kept in DIR/credentials ("provtrace:PW", mode 0600), the
# form provtrace publish reads; scram-sha-256 over TCP, so a wrong password is refused.
# The server runs as the user "postgres" when started by root (PostgreSQL refuses root).
# Exit status 77 with a reason on stderr when PostgreSQL is not installed (a test skips);
# any other failure is 1.
set -u

cmd=${1:-start}
DIR=${2:?usage: postgres-local.sh start|stop|psql DIR}
PORT=${PROVTRACE_POSTGRES_PORT:-18860}
CRED="$DIR/credentials"
BIN=${PROVTRACE_POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

say() { echo "postgres-local: $*" >&2; }
cannot() { say "$*"; exit 77; }
fail() { say "$*"; exit 1; }

[ -n "$BIN" ] && [ -x "$BIN/initdb" ] && [ -x "$BIN/pg_ctl" ] ||
	cannot "PostgreSQL is not installed (apt-get install postgresql)"
command -v psql >/dev/null 2>&1 || cannot "psql not found (apt-get install postgresql-client)"

as_server() {   # as_server CMD...: as the cluster's owner
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pw() { cut -d: -f2- "$CRED"; }

psql_() {   # psql_ DATABASE ARGS...
	_db=$1
	shift
	PGPASSWORD=$(pw) psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U provtrace -d "$_db" "$@"
}

case $cmd in
start)
	mkdir -p "$DIR" || fail "cannot make $DIR"
	if [ ! -f "$DIR/data/PG_VERSION" ]; then
		rm -rf "$DIR/data"
		umask 077
		head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$DIR/pw"
		printf 'provtrace:%s\n' "$(cat "$DIR/pw")" >"$CRED"
		[ "$(id -u)" = 0 ] && chown postgres "$DIR" "$DIR/pw"
		as_server "$BIN/initdb" -D "$DIR/data" -U provtrace --pwfile="$DIR/pw" \
			--auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --no-locale \
			>"$DIR/initdb.log" 2>&1 || fail "initdb failed: $(tail -3 "$DIR/initdb.log")"
		rm -f "$DIR/pw"
	fi
	if ! as_server "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
		as_server "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/data/server.log" -w -t 60 \
			-o "-p $PORT -k $DIR/data -c listen_addresses=127.0.0.1 -c fsync=off" \
			start >/dev/null 2>&1 ||
			fail "the server did not start: $(tail -3 "$DIR/data/server.log")"
	fi
	psql_ postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'provtrace'" |
		grep -q 1 || psql_ postgres -c "CREATE DATABASE provtrace" ||
		fail "cannot create the database"
	echo "postgresql://provtrace@127.0.0.1:$PORT/provtrace"
	echo "PROVTRACE_STORE_CREDENTIALS_FILE=$CRED"
	;;
stop)
	[ -d "$DIR/data" ] || exit 0
	as_server "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	;;
psql)
	shift 2
	psql_ provtrace "$@"
	;;
*)
	fail "usage: postgres-local.sh start|stop|psql DIR"
	;;
esac
