# timed.sh — sourced by the bench scripts (bench/*/bench.sh), with W their work directory.

# timed NAME CMD... — run CMD under /usr/bin/time -v; sets SECS, RSS_KB and TIMED_RC (CMD's
# exit status: timed itself returns 0, as the callers that ignore failures expect)
timed() {
	_n=$1
	shift
	TIMED_RC=0
	/usr/bin/time -v -o "$W/$_n.time" "$@" || TIMED_RC=$?
	SECS=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
		for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$W/$_n.time")
	RSS_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$W/$_n.time")
}
