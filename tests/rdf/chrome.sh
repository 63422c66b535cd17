# chrome.sh — sourced by the report tests: a page opened in headless Chromium (Debian's
# chromium), with its DOM, its console and its network log kept.
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "$CHROMIUM not found (apt-get install chromium)"
RCHECK="$PY $top_srcdir/tests/rdf/reportcheck.py"

# chrome NAME FILE [PNG] — FILE as Chromium builds it: $T/NAME.dom (the DOM after load),
# $T/NAME.err (its log: console messages are "CONSOLE" lines), $T/NAME.net (its network
# log); with PNG, a screenshot there.  Each call gets a fresh profile under $T.
chrome() {
	_n=$1
	_f=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
	set -- --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
		--disable-background-networking --disable-component-update --disable-sync \
		--enable-logging=stderr --v=0 --user-data-dir="$T/chrome-$_n" \
		--log-net-log="$T/$_n.net" --window-size=1280,2000 ${3:+--screenshot="$3"}
	# as root Chromium runs only without its sandbox; HOME for its caches
	HOME="$T" timeout 120 "$CHROMIUM" "$@" --dump-dom "file://$_f" >"$T/$_n.dom" 2>"$T/$_n.err" ||
		fail "$_n: chromium failed: $(tail -3 "$T/$_n.err")"
	grep -q '</html>' "$T/$_n.dom" || fail "$_n: no DOM from chromium"
}
