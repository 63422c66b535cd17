#!/bin/sh
# quickstart.sh — from a fresh clone on Debian 12 to a traced ML job in one command:
# installs the Debian packages, builds with autotools, and runs examples/train_pool.py
# under `provtrace run`, then shows `provtrace stat` and the lineage of its checkpoint.
# Run it as root or as a user with sudo (only the package step needs root); idempotent.
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)

say() { printf '\n==> %s\n' "$*"; }

say "installing the Debian packages (scripts/install-deps.sh)"
scripts/install-deps.sh

say "building (./bootstrap, ./configure, make)"
./bootstrap
./configure -q
make -j"$(nproc)" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/provtrace-quickstart.XXXXXX")
data=$work/data
ckpt=$work/ckpt
run=$work/run
provtrace=$top/scripts/provtrace

say "making 16 training shards in $data"
/usr/bin/python3 examples/make_shards.py "$data" 16

say "provtrace run -o $run -- /usr/bin/python3 examples/train_pool.py $data $ckpt"
"$provtrace" run -o "$run" -- /usr/bin/python3 examples/train_pool.py "$data" "$ckpt"

say "provtrace stat $run"
"$provtrace" stat "$run"

say "provtrace lineage --ancestors $ckpt/model-3.pt $run"
"$provtrace" lineage --ancestors "$ckpt/model-3.pt" "$run" | tee "$work/ancestors.txt"

# The workers read the shards and sent their gradients to the parent through pipes;
# the parent wrote the checkpoint.  Every shard must be an ancestor, unused.npz none.
found=$(grep -c '/data/shard-[0-9]*\.npz$' "$work/ancestors.txt" || true)
if [ "$found" -ne 16 ] || grep -q 'unused\.npz$' "$work/ancestors.txt"; then
	echo "quickstart: unexpected lineage: $found of 16 shards (see $work/ancestors.txt)" >&2
	exit 1
fi

say "done: all 16 shards are ancestors of model-3.pt, unused.npz is not"
echo "run directory: $run"
echo "try: $provtrace lineage --descendants $data/shard-007.npz $run"
