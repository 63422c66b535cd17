/* netcdf.c — a NetCDF file (classic, 64-bit offset, CDF5, netCDF-4) through libnetcdf:
 * dimensions, variables with type, shape and dimension names, global, group and variable
 * attributes.  Runs in a child process (isolate.c), as libnetcdf sits on libhdf5. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "int.h"

#ifndef PT_HAVE_NETCDF

int pt_d_netcdf(struct pt_d *d)
{
	return pt_d_gap(d, "unsupported: built without libnetcdf");
}

#else
#include <netcdf.h>

#define NC_MAX_DEPTH 32

static void nc_dtype(int ncid, nc_type t, char *out, size_t len)
{
	static const char *const names[] = {
		[NC_BYTE] = "int8", [NC_CHAR] = "S1", [NC_SHORT] = "int16",
		[NC_INT] = "int32", [NC_FLOAT] = "float32", [NC_DOUBLE] = "float64",
		[NC_UBYTE] = "uint8", [NC_USHORT] = "uint16", [NC_UINT] = "uint32",
		[NC_INT64] = "int64", [NC_UINT64] = "uint64", [NC_STRING] = "string",
	};
	int cls = 0;

	if (t > 0 && (size_t)t < sizeof names / sizeof names[0] && names[t]) {
		snprintf(out, len, "%s", names[t]);
		return;
	}
	if (nc_inq_user_type(ncid, t, NULL, NULL, NULL, NULL, &cls) == NC_NOERR) {
		snprintf(out, len, "%s", cls == NC_VLEN ? "vlen" : cls == NC_OPAQUE ? "opaque"
				       : cls == NC_ENUM ? "enum" : cls == NC_COMPOUND ? "compound"
				       : "unknown");
		return;
	}
	snprintf(out, len, "unknown(%d)", (int)t);
}

static void attr(struct pt_d *d, int ncid, int varid, const char *item, const char *name)
{
	char key[PT_DESCRIBE_MAX_VALUE + 8], dt[64];
	nc_type t;
	size_t n;
	struct pt_dstr s;
	int done = 0;

	snprintf(key, sizeof key, "attr.%s", name);
	if (nc_inq_att(ncid, varid, name, &t, &n) != NC_NOERR)
		return;
	pt_dstr_init(&s);
	if (t == NC_CHAR && n <= 65536) {
		char *text = calloc(1, n + 1);
		if (!text)
			abort();
		if (nc_get_att_text(ncid, varid, name, text) == NC_NOERR) {
			pt_d_fact(d, item, key, PT_DV_STR, text);
			done = 1;
		}
		free(text);
	} else if (t == NC_STRING && n == 1) {
		char *str[1] = { NULL };
		if (nc_get_att_string(ncid, varid, name, str) == NC_NOERR) {
			pt_d_fact(d, item, key, PT_DV_STR, str[0] ? str[0] : "");
			nc_free_string(1, str);
			done = 1;
		}
	} else if (t >= NC_BYTE && t <= NC_UINT64 && t != NC_CHAR && t != NC_STRING && n >= 1 &&
		   n <= PT_DESCRIBE_MAX_LIST) {
		double dv[PT_DESCRIBE_MAX_LIST];
		long long iv[PT_DESCRIBE_MAX_LIST];
		unsigned long long uv[PT_DESCRIBE_MAX_LIST];
		int isfloat = t == NC_FLOAT || t == NC_DOUBLE, isu64 = t == NC_UINT64;
		int r = isfloat ? nc_get_att_double(ncid, varid, name, dv)
			: isu64 ? nc_get_att_ulonglong(ncid, varid, name, uv)
				: nc_get_att_longlong(ncid, varid, name, iv);
		if (r == NC_NOERR) {
			if (n > 1)
				pt_dstr_addn(&s, "[", 1);
			for (size_t i = 0; i < n; i++) {
				if (i)
					pt_dstr_addn(&s, ", ", 2);
				if (isfloat)
					pt_d_fmt_double(&s, dv[i], t == NC_FLOAT);
				else if (isu64)
					pt_dstr_add(&s, "%llu", uv[i]);
				else
					pt_dstr_add(&s, "%lld", iv[i]);
			}
			if (n > 1)
				pt_dstr_addn(&s, "]", 1);
			pt_d_fact(d, item, key, n > 1 ? PT_DV_STR : isfloat ? PT_DV_DOUBLE : PT_DV_INT,
				  pt_dstr_get(&s));
			done = 1;
		}
	}
	if (!done) {
		nc_dtype(ncid, t, dt, sizeof dt);
		pt_d_factf(d, item, key, PT_DV_STR, "%s[%zu]", dt, n);
	}
}

static int attrs(struct pt_d *d, int ncid, int varid, const char *item, int natts)
{
	char name[NC_MAX_NAME + 1];

	for (int i = 0; i < natts; i++) {
		if (pt_d_late(d) < 0)
			return -1;
		if (nc_inq_attname(ncid, varid, i, name) != NC_NOERR || pt_d_take(d))
			continue;
		attr(d, ncid, varid, item, name);
	}
	return 0;
}

/* The fact key of item: the names of dimensions ids[0..n), as "[time, lat]" */
static void dim_names(struct pt_d *d, int ncid, const char *item, const char *key,
		      const int *ids, int n)
{
	struct pt_dstr s;

	pt_dstr_init(&s);
	pt_dstr_addn(&s, "[", 1);
	for (int i = 0; i < n; i++) {
		char dn[NC_MAX_NAME + 1] = "?";
		nc_inq_dimname(ncid, ids[i], dn);
		pt_dstr_add(&s, "%s%s", i ? ", " : "", dn);
	}
	pt_dstr_addn(&s, "]", 1);
	pt_d_fact(d, item, key, PT_DV_STR, pt_dstr_get(&s));
}

static int variable(struct pt_d *d, int ncid, int varid, const char *prefix)
{
	char name[NC_MAX_NAME + 1], item[PT_DESCRIBE_MAX_VALUE + NC_MAX_NAME + 2], dt[64];
	int dimids[NC_MAX_VAR_DIMS], ndims = 0, natts = 0;
	uint64_t lens[NC_MAX_VAR_DIMS];
	struct pt_dstr s;
	nc_type t;

	if (nc_inq_var(ncid, varid, name, &t, &ndims, NULL, &natts) != NC_NOERR ||
	    ndims < 0 || ndims > NC_MAX_VAR_DIMS ||
	    nc_inq_var(ncid, varid, NULL, NULL, NULL, dimids, NULL) != NC_NOERR)
		return 0;
	if (pt_d_take(d))
		return 0;
	snprintf(item, sizeof item, "%s%s", prefix, name);
	nc_dtype(ncid, t, dt, sizeof dt);
	pt_d_fact(d, item, "dtype", PT_DV_STR, dt);
	for (int i = 0; i < ndims; i++) {
		size_t len = 0;
		nc_inq_dimlen(ncid, dimids[i], &len);
		lens[i] = len;
	}
	pt_dstr_init(&s);
	pt_dstr_dims(&s, lens, (size_t)ndims);
	pt_d_fact(d, item, "shape", PT_DV_STR, pt_dstr_get(&s));
	dim_names(d, ncid, item, "dims", dimids, ndims);
	return attrs(d, ncid, varid, item, natts);
}

/* A group's dimensions, attributes, variables, then its subgroups; item is "" for the
 * root, "g1/g2" below it */
static int group(struct pt_d *d, int ncid, const char *item, int depth, uint64_t *nvars)
{
	int ndims = 0, nunlim = 0, natts = 0, nv = 0, ng = 0;
	int *ids = NULL;
	char name[NC_MAX_NAME + 1], key[NC_MAX_NAME + 8], prefix[PT_DESCRIBE_MAX_VALUE];
	int rc = 0;

	if (depth > NC_MAX_DEPTH || pt_d_late(d) < 0)
		return depth > NC_MAX_DEPTH ? 0 : -1;
	if (nc_inq_dimids(ncid, &ndims, NULL, 0) == NC_NOERR && ndims > 0) {
		ids = calloc((size_t)ndims, sizeof *ids);
		if (!ids)
			abort();
		nc_inq_dimids(ncid, &ndims, ids, 0);
	}
	if (!item[0])
		pt_d_fact_int(d, "", "dimensions", ndims);
	for (int i = 0; i < ndims; i++) {
		size_t len = 0;
		if (nc_inq_dim(ncid, ids[i], name, &len) != NC_NOERR)
			continue;
		snprintf(key, sizeof key, "dim.%s", name);
		pt_d_fact_uint(d, item, key, len);
	}
	free(ids);
	ids = NULL;
	if (nc_inq_unlimdims(ncid, &nunlim, NULL) == NC_NOERR && nunlim > 0) {
		ids = calloc((size_t)nunlim, sizeof *ids);
		if (!ids)
			abort();
		nc_inq_unlimdims(ncid, &nunlim, ids);
		dim_names(d, ncid, item, "unlimited", ids, nunlim);
		free(ids);
		ids = NULL;
	}
	if (nc_inq_natts(ncid, &natts) == NC_NOERR && attrs(d, ncid, NC_GLOBAL, item, natts) < 0)
		return -1;
	snprintf(prefix, sizeof prefix, "%s%s", item, item[0] ? "/" : "");
	if (nc_inq_varids(ncid, &nv, NULL) == NC_NOERR && nv > 0) {
		ids = calloc((size_t)nv, sizeof *ids);
		if (!ids)
			abort();
		nc_inq_varids(ncid, &nv, ids);
		for (int i = 0; i < nv && rc == 0; i++) {
			(*nvars)++;
			rc = variable(d, ncid, ids[i], prefix);
			if (rc == 0)
				rc = pt_d_late(d);
		}
		free(ids);
		ids = NULL;
	}
	if (rc == 0 && nc_inq_grps(ncid, &ng, NULL) == NC_NOERR && ng > 0) {
		ids = calloc((size_t)ng, sizeof *ids);
		if (!ids)
			abort();
		nc_inq_grps(ncid, &ng, ids);
		for (int i = 0; i < ng && rc == 0; i++) {
			char sub[PT_DESCRIBE_MAX_VALUE + NC_MAX_NAME + 2];
			if (nc_inq_grpname(ids[i], name) != NC_NOERR)
				continue;
			snprintf(sub, sizeof sub, "%s%s", prefix, name);
			rc = group(d, ids[i], sub, depth + 1, nvars);
		}
		free(ids);
	}
	return rc;
}

/* ---- libnetcdf copies a classic header's names whole into its caller's NC_MAX_NAME + 1
 * bytes, whatever length the file gives them (and reads a cut file's missing bytes as
 * zeros): the header is walked first, and a name longer than NC_MAX_NAME, or a header
 * that runs past the end of the file, is a gap before libnetcdf sees the file.  Layout:
 * the NetCDF classic format specification (CDF-1, -2 and -5: counts of 8 bytes in CDF-5,
 * offsets of 8 bytes from CDF-2 on). */

struct nc3 {
	struct pt_d *d;
	uint64_t off;
	int wide;     /* CDF-5 */
};

static int nc3_u(struct nc3 *h, int wide, uint64_t *v)
{
	uint8_t b[8];
	int n = wide ? 8 : 4;

	if (pt_d_read(h->d, h->off, b, (size_t)n) < 0)
		return -1;
	h->off += (uint64_t)n;
	*v = 0;
	for (int i = 0; i < n; i++)
		*v = *v << 8 | b[i];
	return 0;
}

static int nc3_skip(struct nc3 *h, uint64_t n)
{
	n = (n + 3) & ~(uint64_t)3;
	if (n > h->d->size - h->off)
		return pt_d_gap(h->d, "truncated header");
	h->off += n;
	return 0;
}

static int nc3_name(struct nc3 *h)
{
	uint64_t n;

	if (nc3_u(h, h->wide, &n) < 0)
		return -1;
	if (n > NC_MAX_NAME)
		return pt_d_gap(h->d, "bad header: a name of %llu bytes (at most %d)",
				(unsigned long long)n, NC_MAX_NAME);
	return nc3_skip(h, n);
}

/* A list's tag (ABSENT is zero and a zero count) and its count */
static int nc3_list(struct nc3 *h, uint64_t tag, uint64_t *count)
{
	uint64_t t;

	if (nc3_u(h, 0, &t) < 0 || nc3_u(h, h->wide, count) < 0)
		return -1;
	if (t != tag && !(t == 0 && *count == 0))
		return pt_d_gap(h->d, "bad header: a list tagged %llu", (unsigned long long)t);
	if (*count > h->d->size / 4)
		return pt_d_gap(h->d, "bad header: a list of %llu entries in %llu bytes",
				(unsigned long long)*count, (unsigned long long)h->d->size);
	return 0;
}

static int nc3_attrs(struct nc3 *h)
{
	static const uint8_t size[] = { 0, 1, 1, 2, 4, 4, 8, 1, 2, 4, 8, 8 };
	uint64_t n, t, count;

	if (nc3_list(h, 0x0C, &n) < 0)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		if (nc3_name(h) < 0 || nc3_u(h, 0, &t) < 0 || nc3_u(h, h->wide, &count) < 0)
			return -1;
		if (t == 0 || t >= sizeof size)
			return pt_d_gap(h->d, "bad header: an attribute of type %llu",
					(unsigned long long)t);
		if (count > h->d->size / size[t])
			return pt_d_gap(h->d, "bad header: an attribute of %llu values",
					(unsigned long long)count);
		if (nc3_skip(h, count * size[t]) < 0)
			return -1;
	}
	return 0;
}

static int nc3_check(struct pt_d *d, int version)
{
	struct nc3 h = { d, 4, version == 5 };
	uint64_t n, v;

	if (nc3_u(&h, h.wide, &v) < 0 || nc3_list(&h, 0x0A, &n) < 0)   /* numrecs, dims */
		return -1;
	for (uint64_t i = 0; i < n; i++)
		if (nc3_name(&h) < 0 || nc3_u(&h, h.wide, &v) < 0)
			return -1;
	if (nc3_attrs(&h) < 0 || nc3_list(&h, 0x0B, &n) < 0)   /* global attributes, vars */
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t ndims;
		if (nc3_name(&h) < 0 || nc3_u(&h, h.wide, &ndims) < 0)
			return -1;
		if (ndims > d->size / 4)
			return pt_d_gap(d, "bad header: a variable of %llu dimensions",
					(unsigned long long)ndims);
		if (nc3_skip(&h, ndims * (h.wide ? 8 : 4)) < 0 || nc3_attrs(&h) < 0 ||
		    nc3_u(&h, 0, &v) < 0 || nc3_u(&h, h.wide, &v) < 0 ||    /* type, vsize */
		    nc3_u(&h, version != 1, &v) < 0)                         /* begin */
			return -1;
	}
	return 0;
}

static int describe(struct pt_d *d)
{
	static const char *const kinds[] = {
		[NC_FORMAT_CLASSIC] = "classic", [NC_FORMAT_64BIT_OFFSET] = "64bit_offset",
		[NC_FORMAT_NETCDF4] = "netcdf4", [NC_FORMAT_NETCDF4_CLASSIC] = "netcdf4_classic",
		[NC_FORMAT_CDF5] = "cdf5",
	};
	char *path = NULL;
	int ncid, fmt = 0, r, rc;
	uint64_t nvars = 0;

	/* a name netCDF could take for a URL is made plainly a path */
	if (d->path[0] != '/' && strstr(d->path, "://")) {
		path = malloc(strlen(d->path) + 3);
		if (!path)
			abort();
		strcpy(path, "./");
		strcat(path, d->path);
	}
	r = nc_open(path ? path : d->path, NC_NOWRITE, &ncid);
	free(path);
	if (r != NC_NOERR) {
		if (r == NC_ENOTNC)
			return pt_d_gap(d, "not a NetCDF file");
		if (r == NC_EHDFERR && pt_d_hdf5_open_gap(d) < 0)
			return -1;   /* netCDF-4: libhdf5 says why */
		return pt_d_gap(d, "bad header: %s", nc_strerror(r));
	}
	nc_inq_format(ncid, &fmt);
	pt_d_fact(d, "", "kind", PT_DV_STR,
		  fmt > 0 && (size_t)fmt < sizeof kinds / sizeof kinds[0] && kinds[fmt] ? kinds[fmt]
											 : "unknown");
	rc = group(d, ncid, "", 0, &nvars);
	if (rc == 0)
		pt_d_fact_uint(d, "", "variables", nvars);
	nc_close(ncid);
	return rc;
}

int pt_d_netcdf(struct pt_d *d)
{
	uint8_t magic[4];
	int classic = d->size >= 4 && pt_d_read(d, 0, magic, 4) == 0 &&
		      !memcmp(magic, "CDF", 3);

	/* classic files: libnetcdf reads past the end as zeros, so a cut header looks
	 * empty; 32 bytes is the least a classic header takes (magic, numrecs, 3 lists) */
	if (classic && d->size < 32)
		return pt_d_gap(d, "truncated header");
	if (classic && (magic[3] == 1 || magic[3] == 2 || magic[3] == 5) &&
	    nc3_check(d, magic[3]) < 0)
		return -1;
	d->nread = 0;
	return pt_d_isolated(d, describe, "NetCDF");
}
#endif /* PT_HAVE_NETCDF */
