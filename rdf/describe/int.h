/* int.h — what the format describers of rdf/describe/ share: the call's state (limits,
 * deadline, the file and the bytes read of it), the gathered facts, and the helpers that
 * bound every value.  Not installed; the API is rdf/describe.h. */
#ifndef PT_DESCRIBE_INT_H
#define PT_DESCRIBE_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rdf/describe.h"

struct pt_d {
	const char *path;
	int fd;
	uint64_t size;          /* the file's, at the start */
	uint64_t nread;         /* bytes read of it so far (budget: max_bytes) */
	struct pt_dlimits lim;  /* defaults filled in */
	uint64_t deadline_ns;   /* CLOCK_MONOTONIC */
	unsigned items;         /* counted items taken so far */
	uint64_t omitted;       /* and left out */
	/* facts: records of type byte, item, key, value, each NUL-terminated */
	char *facts;
	size_t flen, fcap;
	char *err;
	size_t errlen;
};

/* Set the gap's reason; returns -1 for `return pt_d_gap(...)`.  A reason set before
 * stays (the first cause is the one said). */
int pt_d_gap(struct pt_d *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pt_d_has_gap(const struct pt_d *d);
/* -1 with "timed out" when max_ms has passed, else 0. */
int pt_d_late(struct pt_d *d);
uint64_t pt_d_now_ns(void);
/* Exactly n bytes at off into buf: 0, or -1 with "truncated header" (past the end),
 * "over the size limit" (the budget) or "read error: ...". */
int pt_d_read(struct pt_d *d, uint64_t off, void *buf, size_t n);
/* Charge n bytes read by other means (libzip's reads through our source). */
int pt_d_charge(struct pt_d *d, uint64_t n);

/* A new counted item (array, tensor, column, entry, attribute): 0 to report it, 1 when
 * max_items is reached (it is counted as omitted and must not be reported). */
int pt_d_take(struct pt_d *d);
/* Record a fact (value cut at PT_DESCRIBE_MAX_VALUE).  Never fails: out of memory
 * aborts, as the tools do. */
void pt_d_fact(struct pt_d *d, const char *item, const char *key, int type, const char *value);
void pt_d_factf(struct pt_d *d, const char *item, const char *key, int type,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void pt_d_fact_int(struct pt_d *d, const char *item, const char *key, int64_t v);
void pt_d_fact_uint(struct pt_d *d, const char *item, const char *key, uint64_t v);
void pt_d_fact_bool(struct pt_d *d, const char *item, const char *key, int v);

/* A bounded text builder for list values ("[3, 224, 224]"). */
struct pt_dstr {
	char s[PT_DESCRIBE_MAX_VALUE];
	size_t n;
	int cut;
};
void pt_dstr_init(struct pt_dstr *b);
void pt_dstr_add(struct pt_dstr *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pt_dstr_addn(struct pt_dstr *b, const char *s, size_t n);
const char *pt_dstr_get(struct pt_dstr *b);
/* "[a, b, c]" of n unsigned values (more than PT_DESCRIBE_MAX_LIST are not cut: shapes
 * are shown whole, up to the value's length). */
void pt_dstr_dims(struct pt_dstr *b, const uint64_t *v, size_t n);

/* The shortest text that reads back as v (as a float when single): 0.1, not
 * 0.10000000000000001; "inf", "-inf", "nan" */
void pt_d_fmt_double(struct pt_dstr *b, double v, int single);

/* numpy's dtype name for a numpy type string ("<f4" -> "float32"); 0, or -1 for one it
 * cannot read.  *big: the data is big-endian (multi-byte only); *itemsize: bytes. */
int pt_d_numpy_dtype(const char *descr, char *name, size_t len, int *big, uint64_t *itemsize);

/* The NPY header in buf (the whole file's first n bytes at least up to the header's
 * end) describes item: facts dtype, shape, fortran_order, byteorder, descr and, if
 * data_bytes is not NULL, the data's size there.  *hlen: the header's total length. */
int pt_d_npy_header(struct pt_d *d, const uint8_t *buf, size_t n, const char *item,
		    uint64_t *hlen, uint64_t *data_bytes);
/* The NPY header's length from its first 12 bytes: 0 or -1 (gap set). */
int pt_d_npy_hlen(struct pt_d *d, const uint8_t *buf, size_t n, uint64_t *hlen);

/* The describers: 0 or -1 with the gap set. */
int pt_d_npy(struct pt_d *d);
int pt_d_npz(struct pt_d *d);
int pt_d_pytorch(struct pt_d *d);
int pt_d_safetensors(struct pt_d *d);
int pt_d_onnx(struct pt_d *d);
int pt_d_csv(struct pt_d *d);
int pt_d_hdf5(struct pt_d *d);
int pt_d_netcdf(struct pt_d *d);

/* In the child of an HDF5-based file libnetcdf could not open: libhdf5's own reason as
 * the gap (-1), or 0 when libhdf5 opens it (or is absent). */
int pt_d_hdf5_open_gap(struct pt_d *d);

/* Run describe(d) in a child process (for the libraries that may crash or abort):
 * its facts and gap come back through a pipe; lib names the library in a crash's gap. */
int pt_d_isolated(struct pt_d *d, int (*describe)(struct pt_d *), const char *lib);

#endif /* PT_DESCRIBE_INT_H */
