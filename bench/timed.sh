# timed.sh — sourced by the bench scripts (bench/*/bench.sh), with W their work directory.

# timed NAME CMD... — run CMD under /usr/bin/time -v; sets SECS and RSS_KB
timed() {
	_n=$1
	shift
	/usr/bin/time -v -o "$W/$_n.time" "$@"
	SECS=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
		for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$W/$_n.time")
	RSS_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$W/$_n.time")
}
