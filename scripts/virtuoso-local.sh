#!/bin/sh
# virtuoso-local.sh — a private Virtuoso (Debian's virtuoso-opensource) for the tests and
# CI: its own database directory and virtuoso.ini, its own ports, nothing under /etc.
#
#   scripts/virtuoso-local.sh start [DIR]    configure, start if not running, wait until
#                                            it answers; prints the server's URL, then
#                                            PROVTRACE_STORE_CREDENTIALS_FILE=DIR/credentials
#   scripts/virtuoso-local.sh stop [DIR]     stop it (a checkpoint, then shutdown)
#   scripts/virtuoso-local.sh status [DIR]   exit 0 when its HTTP server answers
#
# DIR defaults to $PROVTRACE_VIRTUOSO_DIR, else /var/tmp/provtrace-virtuoso.  Ports:
# $PROVTRACE_VIRTUOSO_HTTP (default 18890) and $PROVTRACE_VIRTUOSO_SQL (default 18891).
# The dba password is made up at the first start and kept in DIR/credentials ("dba:PW",
# mode 0600): provtrace publish loads through Virtuoso's authenticated endpoints
# (/sparql-graph-crud-auth, /sparql-auth, HTTP digest) with it; the anonymous /sparql
# endpoint stays read-only.  Exit status 77 with a reason on stderr when Virtuoso is not
# installed (so that a test can skip); any other failure is 1.
set -u

cmd=${1:-start}
DIR=${2:-${PROVTRACE_VIRTUOSO_DIR:-/var/tmp/provtrace-virtuoso}}
HTTP=${PROVTRACE_VIRTUOSO_HTTP:-18890}
SQL=${PROVTRACE_VIRTUOSO_SQL:-18891}
INI="$DIR/virtuoso.ini"
CRED="$DIR/credentials"
VIRTUOSO=${PROVTRACE_VIRTUOSO_BIN:-/usr/bin/virtuoso-t}
ISQL=${PROVTRACE_ISQL_BIN:-/usr/bin/isql-vt}
VSP=/var/lib/virtuoso-opensource-7/vsp

say() { echo "virtuoso-local: $*" >&2; }
cannot() { say "$*"; exit 77; }
fail() { say "$*"; exit 1; }

answers() {
	command -v curl >/dev/null 2>&1 || { sql 'select 1;' >/dev/null 2>&1; return; }
	curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$HTTP/sparql?query=ASK%7B%7D"
}

pw() { cut -d: -f2- "$CRED"; }

sql() {   # sql STATEMENTS: run as dba, fail on an SQL error
	out=$("$ISQL" "$SQL" dba "$(pw)" "exec=$1" 2>&1)
	rc=$?
	case $out in
	*\*\*\*\ Error*) echo "$out" >&2; return 1 ;;
	esac
	return $rc
}

write_ini() {
	mkdir -p "$DIR/db"
	cat >"$INI.new" <<EOF
; written by provtrace's scripts/virtuoso-local.sh: a private store for tests and CI
[Database]
DatabaseFile       = $DIR/db/virtuoso.db
ErrorLogFile       = $DIR/db/virtuoso.log
LockFile           = $DIR/db/virtuoso.lck
TransactionFile    = $DIR/db/virtuoso.trx
xa_persistent_file = $DIR/db/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $DIR/db/virtuoso-temp.db
TransactionFile    = $DIR/db/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:$SQL
DisableUnixSocket        = 1
MaxClientConnections     = 20
CheckpointInterval       = 60
CaseMode                 = 2
DirsAllowed              = ., $DIR, /usr/share/virtuoso-opensource-7/vad
NumberOfBuffers          = ${PROVTRACE_VIRTUOSO_BUFFERS:-20000}
MaxDirtyBuffers          = ${PROVTRACE_VIRTUOSO_DIRTY:-15000}
MaxQueryMem              = 1G
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 4
VADInstallDir            = /usr/share/virtuoso-opensource-7/vad/
; provtrace publish replaces a run's graph in one transaction (MOVE): the default 50 MB
; of after-image refuses runs above about 10^5 events
TransactionAfterImageLimit = ${PROVTRACE_VIRTUOSO_AFTER_IMAGE:-2000000000}

[HTTPServer]
ServerPort                  = 127.0.0.1:$HTTP
ServerRoot                  = $VSP
MaxClientConnections        = 10
ServerThreads               = 10
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
KeepAliveTimeout            = 10
Charset                     = UTF-8

[SPARQL]
; answers are compared with provtrace lineage: no silent truncation at 10000 rows
ResultSetMaxRows           = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 0
MaxSortedTopRows           = 100000000
EOF
	if [ -f "$INI" ] && cmp -s "$INI" "$INI.new"; then
		rm -f "$INI.new"
	else
		mv "$INI.new" "$INI"
	fi
}

pid() {
	# the lock file holds VIRT_PID=N while the server runs
	[ -f "$DIR/db/virtuoso.lck" ] && sed -n 's/^VIRT_PID=//p' "$DIR/db/virtuoso.lck" | head -1
}

alive() {
	p=$(pid)
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null
}

start() {
	[ -x "$VIRTUOSO" ] || cannot "no $VIRTUOSO (apt-get install virtuoso-opensource)"
	[ -x "$ISQL" ] || cannot "no $ISQL (apt-get install virtuoso-opensource)"
	[ -d "$VSP" ] || cannot "no $VSP (apt-get install virtuoso-opensource)"
	umask 077
	write_ini
	fresh=0
	if [ ! -f "$CRED" ]; then
		# the password set below at the first start; the dba password is "dba" until then
		pwd=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
		printf 'dba:%s\n' "$pwd" >"$CRED.new" && chmod 600 "$CRED.new" || fail "cannot write $CRED"
		fresh=1
	fi
	if ! alive; then
		(cd "$DIR/db" && "$VIRTUOSO" +configfile "$INI" +wait >>"$DIR/start.log" 2>&1) ||
			fail "virtuoso-t did not start: $(tail -3 "$DIR/db/virtuoso.log" 2>/dev/null)"
	fi
	for _ in $(seq 300); do
		answers && break
		alive || fail "virtuoso-t exited: $(tail -3 "$DIR/db/virtuoso.log" 2>/dev/null)"
		sleep 0.2
	done
	answers || fail "Virtuoso does not answer on 127.0.0.1:$HTTP (see $DIR/db/virtuoso.log)"
	if [ "$fresh" = 1 ]; then
		newpw=$(cut -d: -f2- "$CRED.new")
		out=$("$ISQL" "$SQL" dba dba "exec=USER_SET_PASSWORD('dba', '$newpw');" 2>&1)
		case $out in
		*\*\*\*\ Error*) fail "cannot set the dba password: $out" ;;
		esac
		mv "$CRED.new" "$CRED"
	fi
	# the Graph Store Protocol and SPARQL Update on the -auth endpoints need these
	# roles; dba has them, granted again in case a site trimmed them
	for role in SPARQL_SELECT SPARQL_UPDATE; do
		out=$("$ISQL" "$SQL" dba "$(pw)" "exec=GRANT $role TO dba;" 2>&1)
		case $out in
		*already\ have\ role*) ;;
		*\*\*\*\ Error*) fail "cannot grant $role to dba: $(echo "$out" | grep -m1 Error)" ;;
		esac
	done
	echo "http://127.0.0.1:$HTTP"
	echo "PROVTRACE_STORE_CREDENTIALS_FILE=$CRED"
}

stop() {
	alive || return 0
	p=$(pid)
	[ -f "$CRED" ] && "$ISQL" "$SQL" dba "$(pw)" "exec=shutdown;" >/dev/null 2>&1
	for _ in $(seq 150); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.2
	done
	kill "$p" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.2
	done
	say "virtuoso-t ($p) still running"
	return 1
}

case $cmd in
start) start ;;
stop) stop ;;
status) answers ;;
*) echo "usage: $0 start|stop|status [DIR]" >&2; exit 2 ;;
esac
