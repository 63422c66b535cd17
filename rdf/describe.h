/* describe.h — what a data or model file holds, read from its headers only: the arrays,
 * datasets, variables, tensors or columns of NPY, NPZ, HDF5, NetCDF, safetensors,
 * PyTorch, ONNX and CSV files, as facts (item, key, typed value) that become attributes
 * of the file's version entity.  A malformed, truncated or hostile file is a named gap
 * (one line of text), never a crash of the caller.
 *
 * Threads and processes: pt_describe() keeps no global state of its own and may be
 * called from several threads at once for NPY, NPZ, safetensors, PyTorch, ONNX and CSV.
 * HDF5 and NetCDF are described in a child process (fork(2)), because their libraries
 * print to stderr, keep global state and may crash or abort on a corrupt file: the child
 * sends its facts back through a pipe, a crash or a time-out in it is a gap, and the
 * caller's own libhdf5 (if any) is never touched.  The child may map at most 1 GiB more
 * than the caller had (RLIMIT_AS; not in AddressSanitizer builds): a header that asks
 * the library for more gets an allocation failure, a gap.  A caller that forbids fork should not
 * ask for those two formats.
 *
 * Reading: only the parts that say what the file holds are read (a header, a zip's
 * central directory and the first bytes of its entries, an ONNX model's graph signature
 * with its weights skipped by seeking), never the data, except that a CSV file no
 * larger than max_bytes is read through to count its rows.
 *
 * ----------------------------------------------------------------------------------
 * Facts.  Each fact is (item, key, type, value), all NUL-terminated strings.  The value
 * is text of the given type: PT_DV_STR any bytes as stored in the file (not checked to
 * be UTF-8; at most PT_DESCRIBE_MAX_VALUE bytes, a longer one is cut and ends "..."),
 * PT_DV_INT a decimal integer ("-3", "1024"), PT_DV_DOUBLE a number printed with "%.17g",
 * PT_DV_BOOL "true" or "false".  A list (shape, small attribute arrays) is PT_DV_STR
 * written like "[3, 224, 224]" ("[]" for a scalar); lists of more than
 * PT_DESCRIBE_MAX_LIST elements end with ", ...]".
 *
 * item "" is the file itself.  Its keys, for every format:
 *   format       str   npy | npz | hdf5 | netcdf | safetensors | pytorch | onnx | csv
 *                      (always the first fact)
 *   omitted      int   items and attributes not reported because of max_items (the
 *                      attributes of an item left out are not counted again); the
 *                      last fact, absent when nothing was left out
 * and by format:
 *   npy          version (str "1.0"), dtype, shape, fortran_order (bool), bytes (int,
 *                the data's size), byteorder (str "big", only for big-endian data),
 *                descr (str, the raw numpy descr, only for structured dtypes)
 *   npz          entries (int: zip entries), compressed (bool: any entry deflated)
 *   hdf5         datasets (int), groups (int, the root not counted), attr.NAME (the root
 *                group's attributes)
 *   netcdf       kind (str classic | 64bit_offset | cdf5 | netcdf4 | netcdf4_classic),
 *                dimensions (int), variables (int), dim.NAME (int, current length),
 *                unlimited (str, "[time]": the unlimited dimensions), attr.NAME (global)
 *   safetensors  tensors (int), metadata.KEY (str, from __metadata__)
 *   pytorch      entries (int), archive (str, the top folder), pickle (str, the data.pkl
 *                entry: never unpickled), version (str, the `version` entry's text),
 *                byteorder (str, the `byteorder` entry's text)
 *   onnx         ir_version (int), producer (str), producer_version (str), domain (str),
 *                model_version (int), graph (str, the graph's name), nodes (int),
 *                initializers (int), opset (int, the default domain's), opset.DOMAIN
 *                (int, other domains), metadata.KEY (str, metadata_props)
 *   csv          delimiter (str: "," "\t" ";" or "|"), columns (int), rows (int, data
 *                rows after the header: only when the file is no larger than max_bytes)
 *
 * Other items, in file order (the archive's, the header's, HDF5's name order):
 *   npz          the array's name (entry name less ".npy"): dtype, shape, fortran_order,
 *                byteorder, descr and bytes as for npy; an entry that is not an .npy:
 *                its name, bytes (int, uncompressed size)
 *   hdf5         a dataset's path ("/group/data"): dtype, shape ("null" for an empty
 *                dataspace), attr.NAME; a group's path: attr.NAME (a group without
 *                attributes gives no fact); a soft or external link's path: link (str,
 *                "/target" or "file.h5:/target": never followed)
 *   netcdf       a variable's name ("group/name" inside netCDF-4 groups): dtype, shape,
 *                dims (str "[time, lat, lon]"), attr.NAME; a group ("group"): dim.NAME,
 *                unlimited and attr.NAME as the file has them
 *   safetensors  a tensor's name: dtype, shape, bytes (int)
 *   pytorch      a zip entry's name: bytes (int, uncompressed)
 *   onnx         a graph input's or output's name: role (str "input" | "output"),
 *                dtype, shape (symbolic dimensions by name, unknown ones as "?"),
 *                kind (str sequence | map | optional | sparse_tensor, for non-tensors)
 *   csv          a column's name (an empty header cell is "Unnamed: N", N counted from
 *                0 as pandas does): index (int, from 0)
 *
 * dtype is numpy's name: bool, int8 ... int64, uint8 ... uint64, float16, float32,
 * float64, float128, complex64, complex128, complex256, bfloat16, float8_e4m3fn,
 * float8_e5m2 (and the ONNX float8 variants, int4, uint4), datetime64[UNIT],
 * timedelta64[UNIT], object, Sn (bytes of n), Un (n characters), Vn (opaque n bytes),
 * string (variable-length), structured, compound, enum, vlen, array, reference, opaque,
 * or "unknown(CODE)" for a code this version does not name.
 * attr.NAME values: numbers as int or double, text as str, a list of up to
 * PT_DESCRIBE_MAX_LIST numbers as str "[1, 2, 3]", anything else as str "TYPE[SHAPE]".
 *
 * ----------------------------------------------------------------------------------
 * Gaps.  pt_describe() returns -1 and writes one line (no newline) into err, among:
 *   "cannot open: <strerror>"       "not a regular file"       "read error: <strerror>"
 *   "empty file", "unknown format"  (sniffing found none)
 *   "unknown format NAME"           (format argument not one of the eight)
 *   "unsupported: built without libhdf5" (libnetcdf, libzip, json-c likewise)
 *   "unsupported: legacy PyTorch pickle file" (torch.save before 1.6)
 *   "not an NPY file", "not a safetensors file", "not a zip archive", "not an HDF5
 *   file", "not a NetCDF file", "not an ONNX model", "not a PyTorch checkpoint", "not a
 *   CSV file" (a NUL byte in its first line)
 *   "truncated header", "truncated data" (an NPY file shorter than its header says)
 *   "bad header: <what>"           (a header that is complete but wrong)
 *   "over the size limit"          (the header needs more than max_bytes)
 *   "timed out"                    (max_ms passed)
 *   "HDF5 library crashed (signal N)" / "NetCDF library crashed (signal N)", "...
 *   library failed (exit N)", "cannot run the ... library: <strerror>" (fork, pipe)
 *   "stopped by the callback"      (fn returned nonzero)
 * When pt_describe() fails, fn has not been called: facts are gathered first (at most
 * max_items items, each value bounded) and handed over only for a described file.
 */
#ifndef PT_DESCRIBE_H
#define PT_DESCRIBE_H

#include <stddef.h>
#include <stdint.h>

enum { PT_DV_STR = 0, PT_DV_INT = 1, PT_DV_DOUBLE = 2, PT_DV_BOOL = 3 };

#define PT_DESCRIBE_MAX_VALUE 1024   /* bytes of one value, "..." included */
#define PT_DESCRIBE_MAX_LIST 16      /* elements of a listed attribute value */

/* Limits on one call.  A field left 0 takes its default: */
#define PT_DLIMIT_BYTES (64u << 20)   /* 64 MiB */
#define PT_DLIMIT_MS 10000u           /* 10 s */
#define PT_DLIMIT_ITEMS 10000u

struct pt_dlimits {
	uint64_t max_bytes;   /* of the file read, at most (for HDF5 and NetCDF, whose
				 libraries do the reading: the bytes the child read,
				 counted by the kernel, checked when it ends) */
	unsigned max_ms;      /* wall time, from the call to its return */
	unsigned max_items;   /* arrays/tensors/columns/attributes reported; the file's
				 own facts (item "") other than attr.NAME are not counted */
};

/* One fact; item, key and value are valid during the call only.  A nonzero return
 * stops: pt_describe() then returns -1 with "stopped by the callback". */
typedef int (*pt_dfact_fn)(void *ctx, const char *item, const char *key, int type,
			   const char *value);

/* Describe the file at path.
 *   format  "npy", "npz", "hdf5", "netcdf", "safetensors", "pytorch", "onnx", "csv", or
 *           NULL to sniff it from the first bytes and the name (pt_describe_sniff()).
 *   lim     the limits, or NULL for the defaults.
 *   fn      called once per fact in order, after the whole file was read.
 *   err     errlen bytes for the gap's reason (may be NULL with errlen 0).
 * Returns 0 when the file was described (fn saw every fact), -1 otherwise with the
 * reason in err (see "Gaps" above).  Does not change errno's meaning for the caller,
 * never writes to stdout or stderr, never follows a zip entry, HDF5 external link or
 * NetCDF URL outside the file, and allocates no more than about the limits allow. */
int pt_describe(const char *path, const char *format, const struct pt_dlimits *lim,
		pt_dfact_fn fn, void *ctx, char *err, size_t errlen);

/* The format of a file from its first n bytes (the more the better; 512 suffice) and
 * its name (may be NULL): one of the format names above as a static string, or NULL.
 * Magic numbers first (NPY, zip, HDF5, NetCDF classic, safetensors' header); zip
 * archives are told apart by their first entry's name (".npy" -> npz, ".../data.pkl"
 * -> pytorch) or the name's extension; with no magic number, the extension alone
 * (.npy .npz .h5 .hdf5 .hdf .he5 .nc .nc4 .cdf .netcdf .safetensors .pt .pth .ckpt
 * .onnx .csv .tsv), so that ONNX and CSV, which have none, are found, and a file whose
 * name and content disagree gets the named format's gap ("not an NPY file"). */
const char *pt_describe_sniff(const unsigned char *head, size_t n, const char *name);

#endif /* PT_DESCRIBE_H */
