"""mkhostile.py FIXTURES OUT — hostile variants of the fixtures mkfixtures.py wrote:
files cut short, files with bytes flipped (seeded: the same every run), and files
crafted to strain each parser.  Writes OUT/manifest: NAME<TAB>the gap expected, or "*"
where any gap or a description will do (the test then asks only for no crash and one
well-formed line)."""
import json
import os
import random
import struct
import sys
import zipfile

fx, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
manifest = []


def put(name, data, expect):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    manifest.append(f"{name}\t{expect}")


def read(name):
    with open(os.path.join(fx, name), "rb") as f:
        return f.read()


# ---- cut short: exact gaps at chosen lengths, any gap at the others
exact = {
    "a.npy": {9: "truncated header", 60: "truncated header", -1: "truncated data"},
    "arrays.npz": {30: "truncated header", -2: "truncated header"},
    "data.h5": {1000: "truncated header", -2: "truncated header"},
    "data.nc": {2000: "truncated header", -2: "truncated header"},
    "classic.nc": {20: "truncated header"},
    "model.safetensors": {7: "truncated header", 50: "truncated header",
                          -1: "truncated data"},
    "model.pt": {100: "truncated header", -1: "truncated header"},
    "model.onnx": {1: "truncated header", 200: "truncated header",
                   -1: "truncated header"},
}
for name, cuts in exact.items():
    data = read(name)
    stem, ext = name.rsplit(".", 1)
    for n, expect in cuts.items():
        n = n if n >= 0 else len(data) + n
        put(f"cut{n}-{stem}.{ext}", data[:n], expect)
    step = max(1, len(data) // 12)
    for n in range(1, len(data), step):
        if n not in cuts:
            put(f"cut{n}-{stem}.{ext}", data[:n], "*")

# ---- bytes flipped, seeded
rng = random.Random(18)
for name in ("a.npy", "arrays.npz", "packed.npz", "data.h5", "data.nc", "classic.nc",
             "model.safetensors", "model.pt", "model.onnx", "table.csv"):
    data = read(name)
    stem, ext = name.rsplit(".", 1)
    for k in range(8):
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(min(len(b), 600) if k % 2 else len(b))
            b[i] = rng.randrange(256)
        put(f"flip{k}-{stem}.{ext}", bytes(b), "*")

# ---- crafted
npy = b"\x93NUMPY"
put("hlen.npy", npy + b"\x02\x00" + struct.pack("<I", 0xFFFFFFF0) + b"{", "bad header: 4294967292 bytes long")


def npy1(header):
    h = header.encode()
    return npy + b"\x01\x00" + struct.pack("<H", len(h)) + h


put("bigshape.npy", npy1("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }\n"),
    "bad header: shape too large")
put("deep.npy", npy1("{'descr': " + "[" * 40 + "]" * 40 + ", 'fortran_order': False, 'shape': (1,), }\n"),
    "bad header: descr")
put("nodict.npy", npy1("[1, 2, 3]\n"), "bad header: not a dict")
put("nokey.npy", npy1("{'descr': '<f4', 'shape': (2,), }\n"), "bad header: a key is missing")
put("dtype.npy", npy1("{'descr': '<q9', 'fortran_order': False, 'shape': (2,), }\n"),
    "bad header: dtype '<q9'")
put("quote.npy", npy1("{'descr': '<f4"), "bad header: descr")
put("version.npy", npy + b"\x07\x00\x00\x00", "bad header: NPY version 7.0")
put("notnpy.npy", b"\x93NUMPX\x01\x00\x10\x00" + b" " * 16, "not an NPY file")
put("notnpy.bin", b"\x93NUMPX\x01\x00\x10\x00" + b" " * 16, "unknown format")


def st(header, data=b""):
    h = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data


put("huge.safetensors", struct.pack("<Q", 1 << 62) + b"{}", "not a safetensors file")
put("deep.safetensors", st(b'{"a":' + b"[" * 100 + b"]" * 100 + b"}"),
    "bad header: nesting too deep")
put("offsets.safetensors", st({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, bytes(8)),
    "truncated data")
put("mismatch.safetensors", st({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, bytes(8)),
    "bad header: tensor w: 8 bytes for its shape")
put("negative.safetensors", st({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, bytes(4)),
    "bad header: tensor w: shape")
put("overflow.safetensors", st({"w": {"dtype": "F32", "shape": [2**62, 2**62], "data_offsets": [0, 0]}}),
    "bad header: tensor w: 0 bytes for its shape")
put("array.safetensors", st(b"[1, 2]"), "not a safetensors file")
put("trailing.safetensors", st(b'{"__metadata__": {"a": "b"}} x'), "bad header: bytes after the JSON")
put("garbage.safetensors", st(b'{"a": tru}'), "bad header: boolean expected")

# protobuf: an 11-byte varint, a length past the end, a group wire type, no graph
put("varint.onnx", b"\x08" + b"\xff" * 11, "not an ONNX model")
put("length.onnx", b"\x3a\xff\xff\xff\xff\x0f" + b"\x00" * 10, "truncated header")
put("group.onnx", b"\x0b\x0c", "not an ONNX model")
put("nograph.onnx", b"\x08\x08\x12\x01x", "not an ONNX model")
put("zero.onnx", b"\x00\x00\x00\x00", "not an ONNX model")
put("text.onnx", b"hello world, not a model\n", "*")


def zipped(entries):
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, d in entries:
            info = zipfile.ZipInfo(n, date_time=(2024, 1, 1, 0, 0, 0))
            z.writestr(info, d)
    return buf.getvalue()


put("nopkl.pt", zipped([("m/data/0", b"x" * 8), ("m/version", b"3")]), "not a PyTorch checkpoint")
put("flat.pt", zipped([("data.pkl", b"x")]), "not a PyTorch checkpoint")
put("notzip.npz", b"PK\x05\x06" + b"\xff" * 18, "*")
put("badnpy.npz", zipped([("x.npy", b"\x93NUMPY\x01\x00\xff\x00{")]), "truncated header")
put("text.npz", zipped([("x.npy", b"hello")]), "not an NPY file")
put("cutdata.npz", zipped([("x.npy", read("a.npy")[:-4])]), "truncated data")

put("nul.csv", b"a,b\x00,c\n1,2,3\n", "not a CSV file")
put("quote.csv", b'a,"b\n1,2\n', "truncated header")
put("long.csv", b"a" * (1 << 20) + b",b\n", "bad header: first line longer than 1 MiB")

put("notcdf.nc", b"CDF\x01" + b"\xff" * 60, "*")
put("nothdf.h5", b"\x89HDF\r\n\x1a\n" + b"\xff" * 200, "*")

with open(os.path.join(out, "manifest"), "w") as f:
    f.write("\n".join(manifest) + "\n")
