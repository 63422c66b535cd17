#!/bin/sh
# hyper.sh — hyperparameters and metrics read from a traced ML job's own files after the
# job (issue 18): examples/train_ml.py run three times (YAML configurations, argparse
# flags, a Hydra-style override; CSV logs, TensorBoard event files, models) and a fourth
# process that reads a malformed YAML file and writes a cut event file and an MLflow
# store.  provtrace stat shows each process's settings (with where each came from) and
# final metrics; files that cannot be read are named gaps; the facts are extracted once
# and remembered; the export answers the paper's questions in SPARQL, by rdflib and by
# Redland's roqet, with exact rows.
. "${top_srcdir:-.}/tests/lib.sh"

"$PY" -c 'import numpy, yaml, rdflib' 2>/dev/null ||
	skip "$PY cannot import numpy, yaml and rdflib (python3-numpy python3-yaml python3-rdflib)"
command -v roqet >/dev/null || skip "roqet not found (apt-get install rasqal-utils)"
export PROVTRACE_RULES="$top_srcdir/share/ml.rules"
D=$(cd "$T" && pwd -P)/ml
mkdir "$D"
cd "$D"
"$PY" - <<'PY'
import numpy as np
for s, (a, b) in enumerate([(37, 61), (53, 29)]):
    rows = []
    for i in range(200):
        x1 = ((i * a) % 100) / 50 - 1
        x2 = ((i * b) % 100) / 50 - 1
        rows.append((x1, x2, 1.0 if x1 + 0.5 * x2 > 0 else 0.0))
    np.save(f"shard-{s}.npy", np.array(rows))
open("small.yaml", "w").write("""# a small run
model:
  hidden: 16
  activation: relu
optimizer:
  name: sgd
  lr: 0.05
  momentum: 0.9
batch_size: 32
epochs: 4
""")
open("big.yaml", "w").write("""model: {hidden: 64, activation: relu}
optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
batch_size: 64
epochs: 5
""")
open("bad.yaml", "w").write("a: [1, 2\nb: 3\n")
PY
cat >other.py <<'PY'
import io, os, sys
sys.path.insert(0, sys.argv[1])
from train_ml import EventWriter
open("bad.yaml").read()
buf = io.BytesIO()
w = EventWriter(buf)
w.scalar("x", 1.5, 1)
w.scalar("x", 2.5, 2)
with open("cut.tfevents", "wb") as f:
    f.write(buf.getvalue()[:-3])
os.makedirs("D/events", exist_ok=True)
os.rename("cut.tfevents", "D/events/events.out.tfevents.1.cut")
for sub in ("metrics", "params"):
    os.makedirs(f"D/mlruns/0/r1/{sub}", exist_ok=True)
with open("D/mlruns/0/r1/metrics/loss", "w") as f:
    f.write("1700000000000 0.5 0\n1700000000001 0.25 1\n1700000000002 0.375 2\n")
with open("D/mlruns/0/r1/params/lr", "w") as f:
    f.write("0.01")
PY
ex="$top_srcdir/examples/train_ml.py"
ptrun ml sh -c "'$PY' '$ex' --config small.yaml --data shard-0.npy --out A --lr 0.05 &&
	'$PY' '$ex' --config big.yaml --data shard-0.npy --data shard-1.npy --out B --lr=0.1 &&
	'$PY' '$ex' --config big.yaml --data shard-1.npy --out C --batch-size 128 optimizer.momentum=0.5 &&
	'$PY' other.py '$top_srcdir/examples'"
assert_eq 0 "$rc" "the job's exit status ($(cat "$T/ml.err"))"
assert_eq "A: loss 0.113426 val_acc 0.94
B: loss 0.099028 val_acc 0.96
C: loss 0.135673 val_acc 0.96" "$(cat "$T/ml.out")" "the trainings' results"
# a log changed after the job is not read as if it were the job's
echo "6,0.1,0.97" >>C/log.csv

summary() {
	provtrace stat --json "$RUN" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print("extracted_now", d["ml_extracted_now"])
for p in d["ml_processes"]:
    print("process", p["command"].split(" ", 2)[2])
    for h in p["hyperparameters"]:
        src = h["source"].rsplit("/", 1)[-1] + (":" + h["source_key"] if "source_key" in h else "")
        print("  hp", h["key"], json.dumps(h["value"]), src)
    for m in p["metrics"]:
        print("  metric", m["measure"], m.get("last"), m.get("last_step"), m.get("best"),
              m.get("best_step"), m["points"], m["source"].rsplit("/", 1)[-1],
              json.dumps(m["series"]))
for g in d["ml_gaps"]:
    print("gap", g["path"].rsplit("/", 1)[-1], g["extractor"], g["reason"])
'
}
summary >"$T/stat1"
cat >"$T/want" <<'WANT'
extracted_now 1
process --config small.yaml --data shard-0.npy --out A --lr 0.05
  hp config "small.yaml" argv[2]
  hp data "shard-0.npy" argv[4]
  hp out "A" argv[6]
  hp lr 0.05 argv[8]
  hp model.hidden 16 small.yaml:model.hidden
  hp model.activation "relu" small.yaml:model.activation
  hp optimizer.name "sgd" small.yaml:optimizer.name
  hp optimizer.lr 0.05 small.yaml:optimizer.lr
  hp optimizer.momentum 0.9 small.yaml:optimizer.momentum
  hp batch_size 32 small.yaml:batch_size
  hp epochs 4 small.yaml:epochs
  metric train/loss 0.113426 4 0.113426 4 4 events.out.tfevents.0.example [[1, 0.392775], [2, 0.151895], [3, 0.123143], [4, 0.113426]]
  metric val/acc 0.94 4 0.94 4 4 events.out.tfevents.0.example [[1, 0.5], [2, 0.8], [3, 0.8], [4, 0.94]]
  metric loss 0.113426 4 0.113426 4 4 log.csv [[1, 0.392775], [2, 0.151895], [3, 0.123143], [4, 0.113426]]
  metric val_acc 0.94 4 0.94 4 4 log.csv [[1, 0.5], [2, 0.8], [3, 0.8], [4, 0.94]]
process --config big.yaml --data shard-0.npy --data shard-1.npy --out B --lr=0.1
  hp config "big.yaml" argv[2]
  hp data "shard-0.npy" argv[4]
  hp data "shard-1.npy" argv[6]
  hp out "B" argv[8]
  hp lr 0.1 argv[10]
  hp model.hidden 64 big.yaml:model.hidden
  hp model.activation "relu" big.yaml:model.activation
  hp optimizer.name "sgd" big.yaml:optimizer.name
  hp optimizer.lr 0.1 big.yaml:optimizer.lr
  hp optimizer.momentum 0.9 big.yaml:optimizer.momentum
  hp batch_size 64 big.yaml:batch_size
  hp epochs 5 big.yaml:epochs
  metric train/loss 0.099028 5 0.099028 5 5 events.out.tfevents.0.example [[1, 0.34114], [2, 0.133243], [3, 0.12523], [4, 0.119858], [5, 0.099028]]
  metric val/acc 0.96 5 0.98 1 5 events.out.tfevents.0.example [[1, 0.98], [2, 0.79], [3, 0.97], [4, 0.92], [5, 0.96]]
  metric loss 0.099028 5 0.099028 5 5 log.csv [[1, 0.34114], [2, 0.133243], [3, 0.12523], [4, 0.119858], [5, 0.099028]]
  metric val_acc 0.96 5 0.98 1 5 log.csv [[1, 0.98], [2, 0.79], [3, 0.97], [4, 0.92], [5, 0.96]]
process --config big.yaml --data shard-1.npy --out C --batch-size 128 optimizer.momentum=0.5
  hp config "big.yaml" argv[2]
  hp data "shard-1.npy" argv[4]
  hp out "C" argv[6]
  hp batch_size 128 argv[8]
  hp optimizer.momentum 0.5 argv[10]
  hp model.hidden 64 big.yaml:model.hidden
  hp model.activation "relu" big.yaml:model.activation
  hp optimizer.name "sgd" big.yaml:optimizer.name
  hp optimizer.lr 0.1 big.yaml:optimizer.lr
  hp optimizer.momentum 0.9 big.yaml:optimizer.momentum
  hp batch_size 64 big.yaml:batch_size
  hp epochs 5 big.yaml:epochs
  metric train/loss 0.135673 5 0.135673 5 5 events.out.tfevents.0.example [[1, 0.470558], [2, 0.337928], [3, 0.225229], [4, 0.165542], [5, 0.135673]]
  metric val/acc 0.96 5 0.96 5 5 events.out.tfevents.0.example [[1, 0.52], [2, 0.52], [3, 0.76], [4, 0.9], [5, 0.96]]
process TOP/examples
  hp lr 0.01 lr:params
  metric loss 0.375 2 0.25 1 3 loss [[0, 0.5], [1, 0.25], [2, 0.375]]
  metric x 1.5 1 1.5 1 1 events.out.tfevents.1.cut [[1, 1.5]]
gap log.csv csv changed since the job
gap bad.yaml yaml YAML: line 2: did not find expected ',' or ']'
gap events.out.tfevents.1.cut tfevents truncated frame at byte 81
WANT
sed "s|TOP/examples|$top_srcdir/examples|" "$T/want" >"$T/want2"
diff -u "$T/want2" "$T/stat1" || fail "provtrace stat --json: hyperparameters, metrics and gaps"

# remembered in the store: the next reader finds the facts there
summary >"$T/stat2"
sed 's/^extracted_now 1$/extracted_now 0/' "$T/stat1" | diff -u - "$T/stat2" ||
	fail "the second stat: the same facts, none extracted again"
provtrace stat "$RUN" >"$T/stat.txt"
grep -qx "ml         4 processes with hyperparameters or metrics, read from the job's files; 3 files not read" \
	"$T/stat.txt" || fail "provtrace stat: the ml line ($(grep '^ml' "$T/stat.txt"))"
grep -q "^    hyperparameter config = small.yaml  (argv\[2\])$" "$T/stat.txt" ||
	fail "provtrace stat: A's first hyperparameter"
grep -q "^    metric         train/loss: last 0.113426 at step 4, best 0.113426 at step 4, 4 points  (events.out.tfevents.0.example)$" \
	"$T/stat.txt" || fail "provtrace stat: A's first metric"

# the export, and the questions of the paper's taxonomy in SPARQL
provtrace export -q -o "$T/ml.ttl" "$RUN"
rapper -q -i turtle -c "$T/ml.ttl" 2>/dev/null || fail "rapper: the export does not parse"
sed "s|\"/data/shard-0.npy\"|\"$D/shard-0.npy\"|" "$top_srcdir/tests/ml/rq/models-of-shard.rq" >"$T/models.rq"
cp "$top_srcdir/tests/ml/rq/best-model.rq" "$top_srcdir/tests/ml/rq/batch-size.rq" "$T/"
cat >"$T/want-models" <<WANT
model,key,value,loss
$D/A/model.pt,batch_size,32,0.113426
$D/A/model.pt,config,small.yaml,0.113426
$D/A/model.pt,data,shard-0.npy,0.113426
$D/A/model.pt,epochs,4,0.113426
$D/A/model.pt,lr,0.05,0.113426
$D/A/model.pt,model.activation,relu,0.113426
$D/A/model.pt,model.hidden,16,0.113426
$D/A/model.pt,optimizer.lr,0.05,0.113426
$D/A/model.pt,optimizer.momentum,0.9,0.113426
$D/A/model.pt,optimizer.name,sgd,0.113426
$D/A/model.pt,out,A,0.113426
$D/B/model.pt,batch_size,64,0.099028
$D/B/model.pt,config,big.yaml,0.099028
$D/B/model.pt,data,shard-0.npy,0.099028
$D/B/model.pt,data,shard-1.npy,0.099028
$D/B/model.pt,epochs,5,0.099028
$D/B/model.pt,lr,0.1,0.099028
$D/B/model.pt,model.activation,relu,0.099028
$D/B/model.pt,model.hidden,64,0.099028
$D/B/model.pt,optimizer.lr,0.1,0.099028
$D/B/model.pt,optimizer.momentum,0.9,0.099028
$D/B/model.pt,optimizer.name,sgd,0.099028
$D/B/model.pt,out,B,0.099028
WANT
cat >"$T/want-best-model" <<WANT
model,best,data
$D/B/model.pt,0.98,$D/shard-0.npy
$D/B/model.pt,0.98,$D/shard-1.npy
WANT
cat >"$T/want-batch-size" <<WANT
out,batch_size,file,arg
B,64,$D/big.yaml,
C,64,$D/big.yaml,
C,128,,argv[8]
WANT
for q in models best-model batch-size; do
	[ "$q" = models ] && rq="$T/models.rq" || rq="$T/$q.rq"
	roqet -q -i sparql -D "$T/ml.ttl" -r csv "$rq" 2>"$T/roqet.err" | tr -d '\r' >"$T/roqet-$q" ||
		fail "roqet $q: $(cat "$T/roqet.err")"
	diff -u "$T/want-$q" "$T/roqet-$q" || fail "roqet: $q"
	"$PY" - "$T/ml.ttl" "$rq" >"$T/rdflib-$q" <<'PY' || fail "rdflib: $q"
import sys, rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format="turtle")
res = g.query(open(sys.argv[2]).read())
print(",".join(str(v) for v in res.vars))
for row in res:
    print(",".join("" if x is None else str(x) for x in row))
PY
	diff -u "$T/want-$q" "$T/rdflib-$q" || fail "rdflib: $q"
done
# every provtrace term the export uses is declared in the vocabulary
"$PY" "$top_srcdir/tests/rdf/check.py" vocab "$T/ml.ttl" "$top_srcdir/share/provtrace.ttl" >/dev/null ||
	fail "terms of the export missing from share/provtrace.ttl"
# and PROV-O's constraints hold (every described subject has a PROV type: the settings,
# evaluations, hyperparameters and measures are prov:Entity)
"$PY" "$top_srcdir/tests/rdf/check.py" graph "$T/ml.ttl" turtle >"$T/prov-check" 2>&1 ||
	fail "PROV-O constraints of the ML export: $(head -5 "$T/prov-check")"
