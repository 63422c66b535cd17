# rdflib.sh — sourced by the export tests: the tools they need (rapper, rdflib, prov, or
# a counted skip), the golden files, and the helpers to count triples and compare.
. "$top_srcdir/tests/lib.sh"

command -v rapper >/dev/null || skip "rapper not found (apt-get install raptor2-utils)"
"$PY" -c 'import rdflib, prov' 2>/dev/null ||
	skip "$PY cannot import rdflib and prov (apt-get install python3-rdflib python3-prov)"
G="$top_srcdir/tests/rdf/golden"
CHECK="$PY $top_srcdir/tests/rdf/check.py"
export PROVTRACE_RULES=

# count FILE SYNTAX — triples as rapper parses them
count() {
	rapper -i "$2" -c "$1" 2>&1 | sed -n 's/.*returned \([0-9]*\) triple.*/\1/p'
}

# golden NAME — compare $T/NAME with the golden file (PT_UPDATE_GOLDEN=1 rewrites it)
golden() {
	if [ -n "${PT_UPDATE_GOLDEN:-}" ]; then
		cp "$T/$1" "$G/$1"
		return
	fi
	if ! cmp -s "$G/$1" "$T/$1"; then
		diff "$G/$1" "$T/$1" | head -20 >&2
		fail "$1 differs from tests/rdf/golden/$1 (PT_UPDATE_GOLDEN=1 after checking the change)"
	fi
}
