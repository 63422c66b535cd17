#!/bin/sh
# redirect.sh — a shell's redirections end sessions by dup2: the descriptor a builtin wrote
# or read through is put back (`echo x >d`, `read x <&3`), so that session ends when dup2
# replaces the number.  The shim reads the file's identity before the dup2, as a close
# does, so every file the job read or wrote has its exact content hash (xxh128sum's) in
# stat, lineage --hash and the export; no session that moved data is left without one.
. "${top_srcdir:-.}/tests/lib.sh"

content_dir
printf 'alpha\n' >in.txt
printf 'aaa\n' >a
printf 'bbbb\n' >b
h() { echo "xxh3-128:$(xxh128sum "$1" | cut -d' ' -f1)"; }
# cat's own descriptors; `read` through stdin, put back by dup2; fd 3 reused by
# `exec 3<b`; echo's stdout, put back by dup2, written and appended
ptrun redir sh -c '
	cat <in.txt >out.txt
	exec 3<a; read x <&3; exec 3<b; cat <&3 >c
	echo "$x" >d
	read y <d; echo "$y$y" >>e'
assert_eq 0 "$rc" "job exit status ($(cat "$T/redir.err"))"
assert_eq "aaa aaaaaa" "$(cat d) $(cat e)" "d and e"

# the shim: each session that moved data ends with the file's size (0: no identity);
# the shell's own, ended by dup2, among them
# (name rops wops how size)
ev sess "$D/*" -f path,rops,wops,how,size | sed "s|^$D/||" >"$T/sess"
assert_eq "a 4
b 5
c 5
d 4
e 7
in.txt 6
out.txt 6" "$(awk '$2 + $3 > 0 { print $1, $5 }' "$T/sess" | sort -u)" \
	"sessions that moved data: file and size at their end"
assert_eq "a d d e" "$(awk '$2 + $3 > 0 && $4 == 3 { print $1 }' "$T/sess" | sort | xargs)" \
	"sessions that moved data, ended by dup2 (how 3)"

# the export: one version per file, with its content hash
provtrace-export -f ntriples -o "$T/run.nt" "$RUN" || fail "export"
"$PY" - "$T/run.nt" "$D" >"$T/hashes" <<'PY'
import sys, rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format="nt")
PT = rdflib.Namespace("https://w3id.org/provtrace/ns#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
rows = []
for v, f in g.subject_objects(PROV.specializationOf):
    if str(f).startswith("file://" + sys.argv[2] + "/"):
        hs = sorted(str(x) for x in g.objects(v, PT.contentHash))
        name = str(f)[len("file://" + sys.argv[2]) + 1:]
        rows.append("%s %s" % (name, " ".join(hs) or "none"))
print("\n".join(sorted(rows)))
PY
assert_eq "a $(h a)
b $(h b)
c $(h c)
d $(h d)
e $(h e)
in.txt $(h in.txt)
out.txt $(h out.txt)" "$(cat "$T/hashes")" "versions and their pt:contentHash"

# lineage --hash: e derives from what the shell read (a, through stdin) and d
assert_eq "$(h a)	$D/a
$(h d)	$D/d" "$(provtrace-lineage --hash --ancestors "$D/e" "$RUN")" "lineage --hash of e"

# stat: the same programs with no file of their own hash only their images: 7 more here
hashes() {
	provtrace-stat --json "$RUN" | "$PY" -c '
import json, sys
h = json.load(sys.stdin)["hashes"]
print(h["hashed"], h["changed"], h["unreadable"], h["not_hashed"])'
}
set -- $(hashes)
files=$1
assert_eq "0 0 0" "$2 $3 $4" "stat: changed unreadable not_hashed"
ptrun images sh -c 'cat </dev/null >/dev/null; echo >/dev/null'
set -- $(hashes)
assert_eq 7 "$((files - $1))" "stat: versions hashed beyond the images ($files, images $1)"
exit 0
