#!/bin/sh
# pack.sh — provtrace pack and provtrace rerun: the ML pipeline and a C program packed from
# their runs and run again in a private tree (user and mount namespaces) reproduce their
# outputs ("same outputs"); inputs with hostile names (space, newline, quotes, backslash,
# invalid UTF-8, a leading dash) round-trip; a file over --max-size is named, left out,
# and the pack goes on (the rerun then lacks exactly its output).
. "${top_srcdir:-.}/tests/lib.sh"

command -v unshare >/dev/null || skip "no unshare (util-linux)"
if [ "$(id -u)" -ne 0 ] && ! unshare --user --map-root-user --mount true 2>/dev/null; then
	skip "no unprivileged user namespaces here (kernel.unprivileged_userns_clone=0)"
fi
if [ "$(id -u)" -eq 0 ] && ! unshare --mount true 2>/dev/null; then
	skip "cannot make a mount namespace here (a container without CAP_SYS_ADMIN)"
fi
# provtrace rerun launches the job through itself, preloaded: in an --enable-sanitizers
# build it is an ASan program, whose runtime then does not come first (the same variable
# for both runs, so their environments still compare equal)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
# rerun PACK NAME: provtrace rerun $T/PACK.tar.zst, its output in $T/NAME.out and
# $T/NAME.err; rc is its exit status
rerun() {
	set +e
	provtrace-rerun "$T/$1.tar.zst" >"$T/$2.out" 2>"$T/$2.err"
	rc=$?
	set -e
}
COPY="$top_builddir/tests/reliability/copyfile"
[ -x "$COPY" ] || fail "no $COPY (make check builds it)"
D=$(cd "$T" && pwd -P)/c
mkdir -p "$D/in" "$D/out"
cd "$D"
printf 'plain\n' >in/plain
printf 'space\n' >"in/a b"
printf 'newline\n' >"in/new
line"
printf 'quote\n' >"in/q\"uote'"
printf 'back\n' >'in/back\slash'
printf 'bad\n' >"$(printf 'in/bad\377\376')"
printf 'dash\n' >in/-dash
head -c 4000000 /dev/zero | tr '\0' 'b' >in/big.bin
printf 'for f in in/*; do "%s" "$f" "out/${f#in/}" >/dev/null || exit 1; done\n' "$COPY" >job.sh
ptrun c /bin/sh "$D/job.sh"
assert_eq 0 "$rc" "the C job ($(cat "$T/c.err"))"
nfiles() { set -- "$1"/*; [ -e "$1" ] || set --; echo $#; }
assert_eq 8 "$(nfiles out)" "outputs of the C job"

# pack: the big file is over the limit: said, left out, the pack goes on
provtrace-pack --max-size 3000000 "$RUN" -o "$T/c.tar.zst" 2>"$T/pack.err" ||
	fail "pack ($(cat "$T/pack.err"))"
grep -q "^provtrace pack: $D/in/big.bin: 4000000 bytes, over the limit of 3000000 (--max-size): not packed\$" \
	"$T/pack.err" || fail "pack: no word of the big file ($(cat "$T/pack.err"))"
grep -q "1 over --max-size" "$T/pack.err" || fail "pack summary ($(cat "$T/pack.err"))"
# every hostile name is in the archive, byte for byte
"$PY" - "$T/c.tar.zst" "$D" <<'PY' || fail "hostile names in the archive"
import subprocess, sys
names = set(subprocess.run(["tar", "--zstd", "-tf", sys.argv[1], "--quoting-style=escape"],
                           capture_output=True, check=True).stdout.split(b"\n"))
import tarfile, io
data = subprocess.run(["zstd", "-dc", sys.argv[1]], capture_output=True, check=True).stdout
with tarfile.open(fileobj=io.BytesIO(data), encoding="utf-8", errors="surrogateescape") as t:
    got = {m.name.encode("utf-8", "surrogateescape") for m in t.getmembers()}
d = sys.argv[2].encode()
for n in (b"plain", b"a b", b"new\nline", b"q\"uote'", b"back\\slash", b"bad\xff\xfe", b"-dash"):
    assert b"root" + d + b"/in/" + n in got, n
assert b"root" + d + b"/in/big.bin" not in got
assert b"provtrace/command" in got and b"provtrace/nodes/" + b"" in b"".join(got)
PY
rm -r out/*
rerun c rerun
# the rerun lacks exactly the output of the file that was not packed
assert_eq 1 "$rc" "rerun of the C job without big.bin: the outputs differ ($(cat "$T/rerun.err"))"
assert_eq "  - $D/out/big.bin" "$(grep '^  [-+~] /' "$T/rerun.out" | grep '/out/' | sed 's/  xxh3.*//')" \
	"rerun: the outputs that differ ($(cat "$T/rerun.out"))"
# packed whole, it reproduces every output
provtrace-pack "$RUN" -o "$T/c2.tar.zst" 2>"$T/pack2.err" || fail "pack 2 ($(cat "$T/pack2.err"))"
rerun c2 rerun2
assert_eq "0 same outputs (8 files)" "$rc $(cat "$T/rerun2.out")" \
	"rerun of the C job ($(cat "$T/rerun2.err"))"
# the rerun ran in its own tree: the host's outputs are untouched
assert_eq 0 "$(nfiles out)" "files the rerun wrote outside its tree"

# the ML pipeline
ml_shards 8
ptrun ml "$PY" "$top_srcdir/examples/train_pool.py" data ckpt
assert_eq 0 "$rc" "train_pool.py ($(cat "$T/ml.err"))"
provtrace-pack "$RUN" -o "$T/ml.tar.zst" 2>"$T/mlpack.err" || fail "pack ml ($(cat "$T/mlpack.err"))"
rm -r ckpt
rerun ml mlrerun
assert_eq "0 same outputs (3 files)" "$rc $(tail -1 "$T/mlrerun.out")" \
	"rerun of the ML pipeline ($(tail -5 "$T/mlrerun.err"))"
assert_eq 3 "$(grep -c '^epoch' "$T/mlrerun.out")" "epochs the rerun reported"
exit 0
