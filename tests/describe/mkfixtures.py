"""mkfixtures.py DIR — the files tests/describe/*.sh describe: NPY and NPZ by numpy,
HDF5 by h5py, NetCDF by netCDF4, and safetensors, a PyTorch checkpoint and an ONNX model
written here byte by byte from their specifications (torch and onnx are not installed).
Deterministic: the same bytes every run (zip times fixed)."""
import json
import os
import pickle
import struct
import sys
import zipfile

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name)


# ---- NPY / NPZ
np.save(path("a.npy"), np.arange(12, dtype="<f4").reshape(3, 4))
np.save(path("big.npy"), np.array([1, 2], dtype=">i8"))
np.save(path("fortran.npy"), np.asfortranarray(np.zeros((2, 3), dtype=np.int16)))
np.save(path("scalar.npy"), np.float64(2.5))
np.save(path("when.npy"), np.array(["2024-01-01"], dtype="datetime64[ns]"))
np.save(path("words.npy"), np.array(["ab", "cde"], dtype="<U5"))
np.save(path("rec.npy"), np.zeros(2, dtype=[("x", "<f4"), ("y", "<i8")]))
np.savez(path("arrays.npz"), x=np.arange(5, dtype=np.int64), y=np.ones((2, 3)))
np.savez_compressed(path("packed.npz"), m=np.eye(4, dtype=np.uint8))

# ---- HDF5 (h5py)
import h5py  # noqa: E402

with h5py.File(path("data.h5"), "w") as f:
    f.attrs["title"] = "demo"
    f.attrs["version"] = np.int64(3)
    f.attrs["scale"] = 0.5
    g = f.create_group("grp")
    g.attrs["note"] = np.bytes_(b"fixed")
    g.create_dataset("data", data=np.zeros((3, 4, 5), dtype="<f4"))
    lab = f.create_dataset("labels", data=np.arange(10, dtype=np.int64))
    lab.attrs["units"] = "none"
    lab.attrs["ticks"] = np.array([1, 2, 3], dtype=np.int32)
    lab.attrs["ratio"] = np.float32(0.1)
    f.create_dataset("flags", data=np.array([True, False, True, True]))
    f.create_dataset("z", data=np.array([1 + 2j, 3 - 1j], dtype=np.complex64))
    f.create_dataset("names", data=["a", "bc"], dtype=h5py.string_dtype())
    f.create_dataset("empty", data=h5py.Empty("f8"))
    f.create_group("nothing")
    f["alias"] = h5py.SoftLink("/labels")
    f["outside"] = h5py.ExternalLink("other.h5", "/x")

# ---- NetCDF (netCDF4): netCDF-4 with a group, and classic
import netCDF4  # noqa: E402

with netCDF4.Dataset(path("data.nc"), "w", format="NETCDF4") as nc:
    nc.title = "test"
    nc.createDimension("time", None)
    nc.createDimension("lat", 3)
    nc.createDimension("lon", 4)
    t = nc.createVariable("temp", "f4", ("time", "lat", "lon"))
    t.units = "K"
    t.valid_range = np.array([0, 400], dtype="f4")
    t[0:2] = np.zeros((2, 3, 4))
    obs = nc.createGroup("obs")
    obs.site = "north"
    c = obs.createVariable("count", "i4", ("lat",))
    c.factor = np.int32(7)
with netCDF4.Dataset(path("classic.nc"), "w", format="NETCDF3_CLASSIC") as nc:
    nc.createDimension("x", 5)
    v = nc.createVariable("v", "f8", ("x",))
    v.long_name = "a value"
    v[:] = np.arange(5)

# ---- safetensors: an 8-byte little-endian header length, the JSON header, the data
header = {
    "__metadata__": {"format": "pt", "source": "test"},
    "weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
    "bias": {"dtype": "BF16", "shape": [3], "data_offsets": [24, 30]},
}
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
with open(path("model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + bytes(30))


# ---- PyTorch: torch.save's zip (stored entries under one folder, data.pkl first)
def zentry(z, name, data):
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    z.writestr(info, data)


with zipfile.ZipFile(path("model.pt"), "w") as z:
    zentry(z, "model/data.pkl", pickle.dumps({"w": 1}, protocol=2))
    zentry(z, "model/byteorder", b"little")
    zentry(z, "model/data/0", bytes(24))
    zentry(z, "model/version", b"3\n")
    zentry(z, "model/.data/serialization_id", b"1234567890")
with open(path("legacy.pt"), "wb") as f:
    f.write(b"\x80\x02" + pickle.dumps(1, protocol=2)[2:])


# ---- ONNX: protobuf's wire format by hand (ModelProto, GraphProto, ValueInfoProto)
def varint(v):
    b = bytearray()
    while True:
        x = v & 0x7F
        v >>= 7
        if v:
            b.append(x | 0x80)
        else:
            b.append(x)
            return bytes(b)


def fld(n, wt, payload):
    tag = varint(n << 3 | wt)
    if wt == 0:
        return tag + varint(payload)
    return tag + varint(len(payload)) + payload


def s(n, text):
    return fld(n, 2, text.encode())


def tensor_vi(name, elem, dims):
    dim = b"".join(fld(1, 2, fld(1, 0, d) if isinstance(d, int) else s(2, d)) for d in dims)
    ttype = fld(1, 0, elem) + fld(2, 2, dim)
    return s(1, name) + fld(2, 2, fld(1, 2, ttype))


node = s(1, "x") + s(2, "h") + s(4, "Relu")
init = fld(1, 0, 10) + fld(2, 0, 1) + s(8, "w") + fld(9, 2, bytes(1000))
graph = (fld(1, 2, node) + fld(1, 2, s(1, "h") + s(2, "y") + s(4, "Identity")) + s(2, "g") +
         fld(5, 2, init) + fld(11, 2, tensor_vi("x", 1, ["N", 3, 224, 224])) +
         fld(12, 2, tensor_vi("y", 7, ["N", 10])) +
         fld(12, 2, s(1, "seq") + fld(2, 2, fld(4, 2, b""))))
model = (fld(1, 0, 8) + s(2, "pt-test") + s(3, "1.0") + fld(7, 2, graph) +
         fld(8, 2, s(1, "") + fld(2, 0, 17)) + fld(8, 2, s(1, "com.microsoft") + fld(2, 0, 1)) +
         fld(14, 2, s(1, "author") + s(2, "me")))
with open(path("model.onnx"), "wb") as f:
    f.write(model)

# ---- CSV
with open(path("table.csv"), "w", newline="") as f:
    f.write('a,b,"c,d"\n1,2,3\n4,"5\n5",6\n\n')
with open(path("names.csv"), "w", newline="") as f:
    f.write("x,,x\r\n1,2,3\r\n")
with open(path("table.tsv"), "w", newline="") as f:
    f.write("p\tq\n1\t2\n")
