#!/bin/sh
# security.sh — RELIABILITY 20: the collector refuses unsafe socket and spool
# directories (symlinked, group- or world-writable, another user's), refuses peers of
# another uid (SO_PEERCRED), and keeps run directories and stores private.
. "$top_srcdir/tests/reliability/rlib.sh"

refuses() {   # refuses WHY ARGS...: the collector must exit 1 and say why
	why=$1
	shift
	set +e
	provtrace-collectd "$@" -l "$T/refuse.log" -d "$T/x.mdb" >/dev/null 2>&1
	rc=$?
	set -e
	assert_eq 1 "$rc" "exit status: $why"
	grep -q "refusing" "$T/refuse.log" || fail "no reason logged: $why: $(cat "$T/refuse.log")"
	rm -f "$T/refuse.log"
}

mkdir -m 700 "$T/real"
ln -s "$T/real" "$T/link"
refuses "symlinked socket directory" -s "$T/link/c.sock" -S "$SPOOL"
mkdir -m 777 "$T/open"
refuses "world-writable socket directory" -s "$T/open/c.sock" -S "$SPOOL"
chmod 770 "$T/open"
refuses "group-writable socket directory" -s "$T/open/c.sock" -S "$SPOOL"
refuses "world-writable spool" -s "$T/real/c.sock" -S "$T/open"
refuses "symlinked spool" -s "$T/real/c.sock" -S "$T/link"

# a run directory and its store are private
provtrace-run -q -o "$T/run" -- true
assert_eq 700 "$(stat -c %a "$T/run")" "run directory mode"
assert_eq 700 "$(stat -c %a "$T/run/nodes")" "nodes directory mode"
assert_eq 600 "$(stat -c %a "$T/run/nodes/"*.mdb)" "store mode"

# a peer of another uid is refused: run a collector as an unprivileged user and
# announce to it as root (root can reach any directory; the uid check still refuses)
[ "$(id -u)" = 0 ] || { echo "not root: the other-uid case needs a second user" >&2; exit 0; }
user=ptsecurity
id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user" ||
	skip "cannot create user $user"
mkdir -m 700 "$T/u" "$T/u/sp"
chown -R "$user" "$T/u"
chmod 755 "$T"
uid=$(id -u "$user")
gid=$(id -g "$user")
# setpriv execs the collector itself (runuser would add a PAM session that signals us)
setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$top_builddir/provtrace-collectd" \
	-s "$T/u/c.sock" -S "$T/u/sp" -d "$T/u/s.mdb" -l "$T/u/log" -o "$T/u/out.mdb" &
UPID=$!
i=0
while [ ! -S "$T/u/c.sock" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the other user's collector did not start"
	sleep 0.05
done
env LD_PRELOAD="$SHIM" PROVTRACE_SPOOL="$SPOOL" PROVTRACE_SOCKET="$T/u/c.sock" /bin/true
i=0
while ! grep -q "refused a connection from uid 0" "$T/u/log"; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "root's announcement was not refused: $(cat "$T/u/log")"
	sleep 0.05
done
kill -TERM "$UPID"
wait "$UPID"
assert_eq 0 "$(stat_field "$T/u/out.mdb" processes)" "processes the other user's collector took"
