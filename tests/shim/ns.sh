#!/bin/sh
# ns.sh — the namespace: rename, renameat, link, linkat, symlink, unlink, unlinkat,
# rmdir, truncate, ftruncate, mkdir, mkdirat as records with absolute paths (a symbolic
# link's target as written); failed calls record nothing.
. "${top_srcdir:-.}/tests/lib.sh"

D=$(cd "$T" && pwd -P)/d
mkdir "$D"
ptrun ns "$PROG/ns" "$D"
assert_eq 0 "$rc" "exit status"
got=$("$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    t = r["type"]
    if t in ("RENAME", "LINK", "UNLINK", "TRUNCATE", "MKDIR"):
        f = [v for k, v in r.items() if k not in ("seq", "proc", "type", "ts")]
        print(t, *("%o" % v if t == "MKDIR" and k == "mode" else v
                   for k, v in zip([k for k in r if k not in ("seq", "proc", "type", "ts")], f)))
' "$LOG" | sed "s|$D|D|g")
assert_eq "TRUNCATE  1 4
RENAME D/a D/b
LINK D/b D/c 0
LINK b D/s 1
UNLINK D/c 0
TRUNCATE D/b 0 3
MKDIR D/sub 750
UNLINK D/sub 1
RENAME D/b D/b2
LINK D/b2 D/l2 0
UNLINK D/l2 0
MKDIR D/sub2 700
UNLINK D/sub2 1" "$got" "namespace records"
# ftruncate counts as a write of its session: 10 bytes in 1 write, then the truncation
assert_eq "10 2 4" "$(ev sess "$D/a" -f wbytes,wops,size)" "session of a (wbytes wops size)"
assert_eq "0 0" "$(stat_of dropped corrupt)" "dropped, corrupt"

# lineage through symbolic links: relative targets resolve in the link's directory
S=$(cd "$T" && pwd -P)/sl
mkdir -p "$S/d"
echo input >"$S/in"
cd "$S"
ptrun symlinks sh -c 'cat in > d/b; ln -s b d/rel; ln -s ../d/./b d/rel2;
	ln -s "$PWD/d/b" d/abs; cat d/rel > d/out1; cat d/rel2 > d/out2; cat d/abs > d/out3'
assert_eq 0 "$rc" "symlinks: exit status"
for n in 1 2 3; do
	provtrace-lineage --ancestors "d/out$n" "$RUN" >"$T/anc"
	grep -qx "$S/in" "$T/anc" || fail "symlinks: ancestors of d/out$n lack in ($(cat "$T/anc"))"
done
