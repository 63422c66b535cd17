#!/bin/sh
# export-hostile.sh — RELIABILITY 25: a traced program writes files named with a space,
# quotes, <>, backslash, #?, %, CR, LF, tab, other controls, invalid UTF-8, an NFC/NFD
# pair and a 4 KiB path.  In every export format each becomes its own pure-ASCII file:
# IRI whose percent-decoding is the exact path, with a pt:path literal that gives the
# bytes back; the triple counts agree (raptor would have merged or dropped some).
. "$top_srcdir/tests/lib.sh"

command -v rapper >/dev/null || skip "rapper not found (apt-get install raptor2-utils)"
"$PY" -c 'import rdflib' 2>/dev/null || skip "$PY cannot import rdflib (python3-rdflib)"
[ -e "$SHIM" ] || skip "the shim is not built ($SHIM)"
CHECK="$PY $top_srcdir/tests/rdf/check.py"
export PROVTRACE_RULES=

count() {
	rapper -i "$2" -c "$1" 2>&1 | sed -n 's/.*returned \([0-9]*\) triple.*/\1/p'
}

mkdir "$T/h"
cat >"$T/hostile.py" <<'PY'
import json, os, sys
d = os.fsencode(sys.argv[1])
names = [b"a b", b"q\"uote", b"sq'uote", b"<angle>", b"back\\slash", b"hash#q?x=1&y",
         b"100%", b"%41", b"A", b"cr\rx", b"lf\nx", b"tab\tx", b"ctl\x01\x1b\x7f",
         b"bad\xff\xfe", b"half\xc3", b"caf\xc3\xa9", b"cafe\xcc\x81", b"{brace}|^`",
         b"sep\xe2\x80\xa8x", b"c1\xc2\x85x"]
paths = [os.path.join(d, n) for n in names]
deep = os.path.join(d, b"long")
while len(deep) < 3800:
    deep = os.path.join(deep, b"d" * 200)
os.makedirs(deep)
paths.append(os.path.join(deep, b"f" * (4090 - len(deep) - 1)))
for p in paths:
    with open(p, "wb") as f:
        f.write(b"x")
for p in paths:
    with open(p, "rb") as f:
        f.read()
with open(sys.argv[2], "w") as f:
    json.dump([os.fsdecode(p) for p in paths], f)
print(len(paths), max(len(p) for p in paths))
PY
ptrun hostile "$PY" "$T/hostile.py" "$T/h" "$T/list.json"
assert_eq 0 "$rc" "exit status of the traced program"
assert_eq "21 4090" "$(cat "$T/hostile.out")" "files written, longest path"

provtrace export -q -o "$T/h.ttl" "$RUN"
provtrace export -q -f ntriples -o "$T/h.nt" "$RUN"
provtrace export -q -f nquads -o "$T/h.nq" "$RUN"
provtrace export -q -f rdfjson -o "$T/h.json" "$RUN"
n=$(count "$T/h.ttl" turtle)
assert_eq "$n" "$(count "$T/h.nt" ntriples)" "triples in the N-Triples export"
assert_eq "$n" "$(count "$T/h.nq" nquads)" "triples in the N-Quads export"
assert_eq "$n" "$(count "$T/h.json" json)" "triples in the RDF/JSON export"
assert_eq "$n" "$($CHECK graph "$T/h.ttl" turtle)" "distinct triples (rdflib)"
# the IRIs as written: ASCII only, nothing a parser may rewrite
if LC_ALL=C grep -n '[^ -~	]' "$T/h.nt" | grep -v '"[^"]*[^ -~][^"]*"' >/dev/null; then
	fail "a byte outside printable ASCII outside a literal in the N-Triples export"
fi
assert_eq 21 "$($CHECK paths "$T/h.ttl" "$T/list.json")" "paths with a lossless file: IRI"
# the same through N-Triples (another parser path in rdflib)
"$PY" - "$T/h.nt" "$T/list.json" <<'PY' || fail "the N-Triples export loses a path"
import json, sys
from urllib.parse import unquote_to_bytes
import rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format="nt")
iris = {unquote_to_bytes(str(s)[7:]) for s in g.subjects() if str(s).startswith("file://")}
want = [p.encode("utf-8", "surrogateescape") for p in json.load(open(sys.argv[2]))]
missing = [p for p in want if p not in iris]
if missing:
    print("missing:", missing[:3], file=sys.stderr)
    sys.exit(1)
PY
