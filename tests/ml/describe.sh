#!/bin/sh
# describe.sh — data and model descriptions from headers (issue 18, part 3): a traced job
# reads two NPY shards and an HDF5 file and writes a safetensors model and a NetCDF file,
# then starts an evaluator that writes a CSV metric log (its series evaluates the model of
# its parent, the nearest ancestor that wrote one; the log is not described as data);
# after the job one shard grows and the NetCDF file is rewritten with its size and mtime
# put back.  provtrace stat shows the descriptions and the "changed since the job" gaps
# (size, then the content hash); the export parses, puts each description on the version
# the job last read or wrote, and the query of the shapes of the arrays that trained each
# model gives exact rows in roqet and rdflib.
. "${top_srcdir:-.}/tests/lib.sh"

"$PY" -c 'import numpy, h5py, netCDF4, rdflib' 2>/dev/null ||
	skip "$PY cannot import numpy, h5py, netCDF4 and rdflib (python3-numpy python3-h5py python3-netcdf4 python3-rdflib)"
command -v roqet >/dev/null || skip "roqet not found (apt-get install rasqal-utils)"
command -v rapper >/dev/null || skip "rapper not found (apt-get install raptor2-utils)"
export PROVTRACE_RULES="$top_srcdir/share/ml.rules"
D=$(cd "$T" && pwd -P)/desc
mkdir "$D"
cd "$D"
"$PY" - <<'PY'
import numpy as np, h5py
np.save("shard-0.npy", np.arange(600, dtype=np.float64).reshape(200, 3))
np.save("shard-1.npy", np.ones((100, 3), dtype=np.float32))
np.save("shard-2.npy", np.zeros((10, 3), dtype=np.int16))
with h5py.File("feats.h5", "w") as f:
    f.create_dataset("x", data=np.zeros((50, 4), dtype=np.float32))
    f.create_dataset("labels/y", data=np.zeros(50, dtype=np.int64))
PY
cat >train.py <<'PY'
import json, struct, numpy as np, h5py, netCDF4
a = np.load("shard-0.npy")
b = np.load("shard-1.npy")
c = np.load("shard-2.npy")
with h5py.File("feats.h5", "r") as f:
    x = f["x"][:]
    y = f["labels/y"][:]
w = np.full((3, 16), 0.5, dtype=np.float32)
bias = np.zeros(16, dtype=np.float32)
hdr = {"w": {"dtype": "F32", "shape": [3, 16], "data_offsets": [0, w.nbytes]},
       "b": {"dtype": "F32", "shape": [16], "data_offsets": [w.nbytes, w.nbytes + bias.nbytes]}}
h = json.dumps(hdr).encode()
with open("model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + w.tobytes() + bias.tobytes())
with netCDF4.Dataset("stats.nc", "w", format="NETCDF3_CLASSIC") as n:
    n.createDimension("epoch", 5)
    v = n.createVariable("loss", "f8", ("epoch",))
    v[:] = [0.5, 0.4, 0.3, 0.2, 0.1]
import subprocess, sys
subprocess.run([sys.executable, "evaluate.py"], check=True)
print(len(a) + len(b) + len(c), x.shape[0], y.shape[0])
PY
cat >evaluate.py <<'PY'
with open("eval.csv", "w") as f:
    f.write("step,acc\n1,0.5\n2,0.75\n")
PY
ptrun desc "$PY" train.py
assert_eq 0 "$rc" "the job's exit status ($(cat "$T/desc.err"))"
assert_eq "310 50 50" "$(cat "$T/desc.out")" "the job's output"
# after the job: a shard grows; stats.nc gets other bytes, its size and mtime put back
"$PY" - <<'PY'
import os
with open("shard-2.npy", "ab") as f:
    f.write(b"\0" * 6)
st = os.stat("stats.nc")
with open("stats.nc", "r+b") as f:
    f.seek(st.st_size - 8)
    f.write(b"\x3f\xf0\0\0\0\0\0\0")
os.utime("stats.nc", ns=(st.st_atime_ns, st.st_mtime_ns))
PY

provtrace stat "$RUN" | sed -n '/^ml /,/^index/p' | sed "s|$D/||; s|pid [0-9]*: $PY |pid N: PY |" >"$T/stat.txt"
cat >"$T/want-stat" <<'WANT'
ml         1 process with hyperparameters or metrics, read from the job's files now; 2 files not read
  pid N: PY evaluate.py
    metric         acc: last 0.75 at step 2, best 0.75 at step 2, 2 points  (eval.csv)
  not read:
    shard-2.npy (describe): changed since the job
    stats.nc (describe): changed since the job (same size and mtime, other content)
  described:
    shard-0.npy (npy): float64 [200, 3]
    shard-1.npy (npy): float32 [100, 3]
    feats.h5 (hdf5): /labels/y int64 [50], /x float32 [50, 4]
    model.safetensors (safetensors): w float32 [3, 16], b float32 [16]
index      complete
WANT
diff -u "$T/want-stat" "$T/stat.txt" || fail "provtrace stat: descriptions and gaps"
provtrace stat --json "$RUN" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
for f in d["ml_descriptions"]:
    print(f["path"].rsplit("/", 1)[-1], f["format"],
          ";".join("%s %s %s" % (a["item"], a["dtype"], a["shape"]) for a in f["arrays"]))
' >"$T/stat-json"
cat >"$T/want-json" <<'WANT'
shard-0.npy npy  float64 [200, 3]
shard-1.npy npy  float32 [100, 3]
feats.h5 hdf5 /labels/y int64 [50];/x float32 [50, 4]
model.safetensors safetensors w float32 [3, 16];b float32 [16]
WANT
diff -u "$T/want-json" "$T/stat-json" || fail "provtrace stat --json: ml_descriptions"

provtrace export -q -o "$T/desc.ttl" "$RUN"
rapper -q -i turtle -c "$T/desc.ttl" 2>/dev/null || fail "rapper: the export does not parse"
cat >"$T/want-shapes" <<WANT
model,data,item,dtype,shape
$D/model.safetensors,$D/feats.h5,/labels/y,int64,[50]
$D/model.safetensors,$D/feats.h5,/x,float32,"[50, 4]"
$D/model.safetensors,$D/shard-0.npy,,float64,"[200, 3]"
$D/model.safetensors,$D/shard-1.npy,,float32,"[100, 3]"
WANT
rq="$top_srcdir/tests/ml/rq/data-shapes.rq"
roqet -q -i sparql -W 0 -D "$T/desc.ttl" -r csv "$rq" 2>"$T/roqet.err" | tr -d '\r' >"$T/roqet-shapes" ||
	fail "roqet: $(cat "$T/roqet.err")"
diff -u "$T/want-shapes" "$T/roqet-shapes" || fail "roqet: the shapes of the arrays that trained a model"
# each description is on the version the job read or wrote, and on no other
"$PY" - "$T/desc.ttl" "$rq" >"$T/rdflib-shapes" 2>"$T/rdflib.err" <<'PY' || fail "rdflib: $(cat "$T/rdflib.err")"
import csv, sys, rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format="turtle")
res = g.query(open(sys.argv[2]).read())
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow([str(v) for v in res.vars])
for row in res:
    w.writerow(["" if x is None else str(x) for x in row])
q = """PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX pt: <https://w3id.org/provtrace/ns#>
SELECT ?path (COUNT(?d) AS ?n) ?how WHERE {
  ?v pt:description ?d ; prov:specializationOf/pt:path ?path .
  OPTIONAL { ?v prov:wasGeneratedBy ?p . BIND("written" AS ?w) }
  OPTIONAL { ?u prov:used ?v . BIND("read" AS ?r) }
  BIND(COALESCE(?w, ?r, "neither") AS ?how)
} GROUP BY ?path ?how ORDER BY ?path"""
for row in g.query(q):
    print("#", str(row.path).rsplit("/", 1)[-1], row.n, row.how, file=sys.stderr)
PY
diff -u "$T/want-shapes" "$T/rdflib-shapes" || fail "rdflib: the shapes of the arrays that trained a model"
grep '^#' "$T/rdflib.err" >"$T/versions"
cat >"$T/want-versions" <<'WANT'
# feats.h5 7 read
# model.safetensors 8 written
# shard-0.npy 6 read
# shard-1.npy 6 read
WANT
diff -u "$T/want-versions" "$T/versions" || fail "descriptions on the versions the job read or wrote"
# the evaluator wrote no model: its series evaluates its parent's, the model's only version
cat >"$T/evaluates.rq" <<'RQ'
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX mls: <http://www.w3.org/ns/mls#>
PREFIX pt: <https://w3id.org/provtrace/ns#>
SELECT ?measure ?value ?model ?writer WHERE {
  ?e a mls:ModelEvaluation ; pt:measure ?measure ; mls:hasValue ?value ; pt:evaluates ?m .
  ?m a mls:Model ; prov:specializationOf ?mfile ; prov:wasGeneratedBy ?p .
  ?mfile pt:path ?model .
  ?p pt:argv ?writer .
}
RQ
printf 'measure,value,model,writer\nacc,0.75,%s,"[""%s"",""train.py""]"\n' "$D/model.safetensors" "$PY" \
	>"$T/want-evaluates"
roqet -q -i sparql -W 0 -D "$T/desc.ttl" -r csv "$T/evaluates.rq" 2>"$T/roqet.err" | tr -d '\r' >"$T/evaluates" ||
	fail "roqet: $(cat "$T/roqet.err")"
diff -u "$T/want-evaluates" "$T/evaluates" || fail "the evaluator's series evaluates its parent's model"
# every term the export uses is declared
"$PY" "$top_srcdir/tests/rdf/check.py" vocab "$T/desc.ttl" "$top_srcdir/share/provtrace.ttl" >/dev/null ||
	fail "terms of the export missing from share/provtrace.ttl"
"$PY" "$top_srcdir/tests/rdf/check.py" graph "$T/desc.ttl" turtle >"$T/prov-check" 2>&1 ||
	fail "PROV-O constraints of the export: $(head -5 "$T/prov-check")"
exit 0
