"""crosscheck.py DIR FACTS — what provtrace-describe -H said of the fixtures in DIR
(FACTS: file<TAB>item<TAB>key<TAB>value lines) against what numpy, h5py and netCDF4
themselves read from the same files: dtype and shape of every array, dataset and
variable.  Prints each disagreement and exits 1 on any."""
import sys

import h5py
import netCDF4
import numpy as np

d, facts_path = sys.argv[1], sys.argv[2]
facts = {}
for line in open(facts_path, encoding="utf-8"):
    f, item, key, value = line.rstrip("\n").split("\t")
    facts[(f, item, key)] = value
bad = []


def want(f, item, key, value):
    got = facts.get((f, item, key))
    if got != value:
        bad.append(f"{f} {item!r} {key}: expected {value!r}, got {got!r}")


def shape(s):
    return "[" + ", ".join(str(x) for x in s) + "]"


for f in ("a.npy", "big.npy", "fortran.npy", "scalar.npy", "words.npy"):
    a = np.load(f"{d}/{f}", mmap_mode="r")
    want(f, "", "dtype", a.dtype.name if a.dtype.kind != "U" else a.dtype.str[1:])
    want(f, "", "shape", shape(a.shape))
    want(f, "", "bytes", str(a.nbytes))
for f in ("arrays.npz", "packed.npz"):
    with np.load(f"{d}/{f}") as z:
        want(f, "", "entries", str(len(z.files)))
        for k in z.files:
            want(f, k, "dtype", z[k].dtype.name)
            want(f, k, "shape", shape(z[k].shape))
            want(f, k, "bytes", str(z[k].nbytes))

with h5py.File(f"{d}/data.h5", "r") as h:
    n = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and h.get(name, getlink=True).__class__ is h5py.HardLink:
            n.append(name)
            dt = obj.dtype
            if h5py.check_string_dtype(dt) and h5py.check_string_dtype(dt).length is None:
                name_ = "string"
            else:
                name_ = dt.name
            want("data.h5", "/" + name, "dtype", name_)
            want("data.h5", "/" + name, "shape", "null" if obj.shape is None else shape(obj.shape))
    h.visititems(visit)
    want("data.h5", "", "datasets", str(len(n)))
    for k, v in h.attrs.items():
        want("data.h5", "", "attr." + k, v if isinstance(v, str) else str(v))

with netCDF4.Dataset(f"{d}/data.nc") as nc:
    def group(g, prefix):
        for name, v in g.variables.items():
            want("data.nc", prefix + name, "dtype", v.dtype.name)
            want("data.nc", prefix + name, "shape", shape(v.shape))
            want("data.nc", prefix + name, "dims", "[" + ", ".join(v.dimensions) + "]")
        for name, sub in g.groups.items():
            group(sub, prefix + name + "/")
    group(nc, "")
    for name, dim in nc.dimensions.items():
        want("data.nc", "", "dim." + name, str(len(dim)))

for b in bad:
    print(b)
print(f"{len(bad)} disagreements")
sys.exit(1 if bad else 0)
