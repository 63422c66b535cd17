/* hdf5.c — an HDF5 file's structure through libhdf5: every dataset's type and shape,
 * every group's and dataset's attributes (small values read, large ones summarised),
 * soft and external links named but never followed.  Runs in a child process
 * (isolate.c): libhdf5 keeps global state and may abort on a corrupt file. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "int.h"

#ifndef PT_HAVE_HDF5

int pt_d_hdf5(struct pt_d *d)
{
	return pt_d_gap(d, "unsupported: built without libhdf5");
}

int pt_d_hdf5_open_gap(struct pt_d *d)
{
	return 0;
}

#else
#include <hdf5.h>

#if H5_VERSION_GE(1, 12, 0)
typedef H5L_info2_t pt_h5linfo;
typedef H5O_info2_t pt_h5oinfo;
#define pt_h5_oinfo(loc, name, info) H5Oget_info_by_name3(loc, name, info, H5O_INFO_BASIC, H5P_DEFAULT)
#else
typedef H5L_info_t pt_h5linfo;
typedef H5O_info_t pt_h5oinfo;
#define pt_h5_oinfo(loc, name, info) H5Oget_info_by_name2(loc, name, info, H5O_INFO_BASIC, H5P_DEFAULT)
#endif

/* numpy's name for an HDF5 type (h5py's conventions: a {r, i} compound of floats is
 * complex, a FALSE/TRUE enum of one byte is bool) */
static void pt_h5_dtype(hid_t t, char *out, size_t len)
{
	size_t size = t >= 0 ? H5Tget_size(t) : 0;
	int n;

	switch (t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS) {
	case H5T_INTEGER:
		snprintf(out, len, "%sint%zu", H5Tget_sign(t) == H5T_SGN_NONE ? "u" : "", size * 8);
		return;
	case H5T_FLOAT:
		snprintf(out, len, "float%zu", size * 8);
		return;
	case H5T_STRING:
		if (H5Tis_variable_str(t) > 0)
			snprintf(out, len, "string");
		else
			snprintf(out, len, "S%zu", size);
		return;
	case H5T_BITFIELD:
		snprintf(out, len, "V%zu", size);
		return;
	case H5T_OPAQUE:
		snprintf(out, len, "opaque");
		return;
	case H5T_COMPOUND:
		n = H5Tget_nmembers(t);
		if (n == 2 && H5Tget_member_class(t, 0) == H5T_FLOAT &&
		    H5Tget_member_class(t, 1) == H5T_FLOAT) {
			char *a = H5Tget_member_name(t, 0), *b = H5Tget_member_name(t, 1);
			int cplx = a && b && !strcmp(a, "r") && !strcmp(b, "i");
			H5free_memory(a);
			H5free_memory(b);
			if (cplx) {
				snprintf(out, len, "complex%zu", size * 8);
				return;
			}
		}
		snprintf(out, len, "compound");
		return;
	case H5T_ENUM:
		n = H5Tget_nmembers(t);
		if (n == 2 && size == 1) {
			char *a = H5Tget_member_name(t, 0), *b = H5Tget_member_name(t, 1);
			int isbool = a && b && !strcmp(a, "FALSE") && !strcmp(b, "TRUE");
			H5free_memory(a);
			H5free_memory(b);
			if (isbool) {
				snprintf(out, len, "bool");
				return;
			}
		}
		snprintf(out, len, "enum");
		return;
	case H5T_REFERENCE:
		snprintf(out, len, "reference");
		return;
	case H5T_VLEN:
		snprintf(out, len, "vlen");
		return;
	case H5T_ARRAY:
		snprintf(out, len, "array");
		return;
	default:
		snprintf(out, len, "unknown(%d)", t >= 0 ? (int)H5Tget_class(t) : -1);
	}
}

/* "[3, 4]", "[]" for a scalar, "null" for an empty dataspace */
static void pt_h5_shape(hid_t sp, struct pt_dstr *s)
{
	hsize_t dims[H5S_MAX_RANK];
	uint64_t v[H5S_MAX_RANK];
	int nd;

	if (sp < 0 || H5Sget_simple_extent_type(sp) == H5S_NULL) {
		pt_dstr_add(s, "null");
		return;
	}
	nd = H5Sget_simple_extent_ndims(sp);
	if (nd < 0 || nd > H5S_MAX_RANK || H5Sget_simple_extent_dims(sp, dims, NULL) < 0) {
		pt_dstr_add(s, "?");
		return;
	}
	for (int i = 0; i < nd; i++)
		v[i] = dims[i];
	pt_dstr_dims(s, v, (size_t)nd);
}

struct pt_h5attrs {
	struct pt_d *d;
	const char *item;
};

/* An attribute's value: a scalar number or string as itself, up to PT_DESCRIBE_MAX_LIST
 * numbers as a list, anything else as "DTYPE[SHAPE]" */
static void attr_value(struct pt_d *d, const char *item, const char *key, hid_t a)
{
	hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
	H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
	hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
	int scalar = sp >= 0 && H5Sget_simple_extent_type(sp) == H5S_SCALAR;
	size_t size = t >= 0 ? H5Tget_size(t) : 0;
	struct pt_dstr s;
	char dt[64];
	int done = 0;

	pt_dstr_init(&s);
	if (cls == H5T_STRING && np == 1 && H5Tis_variable_str(t) > 0) {
		hid_t m = H5Tcopy(H5T_C_S1);
		char *str = NULL;
		H5Tset_size(m, H5T_VARIABLE);
		H5Tset_cset(m, H5Tget_cset(t));
		if (H5Aread(a, m, &str) >= 0) {
			pt_d_fact(d, item, key, PT_DV_STR, str ? str : "");
			H5free_memory(str);
			done = 1;
		}
		H5Tclose(m);
	} else if (cls == H5T_STRING && np == 1 && size > 0 && size <= 65536) {
		char *str = calloc(1, size + 1);
		hid_t m = H5Tcopy(t);
		if (!str)
			abort();
		if (H5Aread(a, m, str) >= 0) {
			pt_d_fact(d, item, key, PT_DV_STR, str);
			done = 1;
		}
		H5Tclose(m);
		free(str);
	} else if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && np >= 1 &&
		   np <= PT_DESCRIBE_MAX_LIST && size <= 8) {
		double dv[PT_DESCRIBE_MAX_LIST];
		long long iv[PT_DESCRIBE_MAX_LIST];
		unsigned long long uv[PT_DESCRIBE_MAX_LIST];
		int isfloat = cls == H5T_FLOAT, isuns = !isfloat && H5Tget_sign(t) == H5T_SGN_NONE;
		herr_t r = H5Aread(a, isfloat ? H5T_NATIVE_DOUBLE : isuns ? H5T_NATIVE_ULLONG
							       : H5T_NATIVE_LLONG,
				   isfloat ? (void *)dv : isuns ? (void *)uv : (void *)iv);
		if (r >= 0) {
			if (!scalar)
				pt_dstr_addn(&s, "[", 1);
			for (hssize_t i = 0; i < np; i++) {
				if (i)
					pt_dstr_addn(&s, ", ", 2);
				if (isfloat)
					pt_d_fmt_double(&s, dv[i], size == 4);
				else if (isuns)
					pt_dstr_add(&s, "%llu", uv[i]);
				else
					pt_dstr_add(&s, "%lld", iv[i]);
			}
			if (!scalar)
				pt_dstr_addn(&s, "]", 1);
			pt_d_fact(d, item, key, scalar ? (isfloat ? PT_DV_DOUBLE : PT_DV_INT)
						       : PT_DV_STR, pt_dstr_get(&s));
			done = 1;
		}
	} else if (cls == H5T_ENUM && np == 1 && size == 1) {
		pt_h5_dtype(t, dt, sizeof dt);
		unsigned char v = 0;
		if (!strcmp(dt, "bool") && H5Aread(a, t, &v) >= 0) {
			pt_d_fact_bool(d, item, key, v != 0);
			done = 1;
		}
	}
	if (!done) {
		pt_h5_dtype(t, dt, sizeof dt);
		pt_dstr_init(&s);
		pt_dstr_add(&s, "%s", dt);
		pt_h5_shape(sp, &s);
		pt_d_fact(d, item, key, PT_DV_STR, pt_dstr_get(&s));
	}
	if (t >= 0)
		H5Tclose(t);
	if (sp >= 0)
		H5Sclose(sp);
}

static herr_t pt_h5_attr(hid_t loc, const char *name, const H5A_info_t *info, void *op)
{
	struct pt_h5attrs *x = op;
	char key[PT_DESCRIBE_MAX_VALUE + 8];
	hid_t a;

	if (pt_d_late(x->d) < 0)
		return -1;
	if (pt_d_take(x->d))
		return 0;
	a = H5Aopen(loc, name, H5P_DEFAULT);
	if (a < 0)
		return 0;
	snprintf(key, sizeof key, "attr.%s", name);
	attr_value(x->d, x->item, key, a);
	H5Aclose(a);
	return 0;
}

struct walk {
	struct pt_d *d;
	hid_t file;
	uint64_t datasets, groups;
	char item[PT_DESCRIBE_MAX_VALUE];
};

static int attrs_of(struct pt_d *d, hid_t obj, const char *item)
{
	struct pt_h5attrs a = { .d = d, .item = item };

	if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, NULL, pt_h5_attr, &a) < 0)
		return pt_d_has_gap(d) ? -1 : 0;   /* an unreadable attribute list: none */
	return 0;
}

static int dataset(struct walk *w, const char *name)
{
	hid_t ds = H5Dopen2(w->file, name, H5P_DEFAULT);
	struct pt_dstr s;
	char dt[64];
	int rc = 0;

	w->datasets++;
	if (ds < 0)
		return 0;   /* counted; its description unreadable */
	if (pt_d_take(w->d)) {
		H5Dclose(ds);
		return 0;
	}
	hid_t t = H5Dget_type(ds), sp = H5Dget_space(ds);
	pt_h5_dtype(t, dt, sizeof dt);
	pt_d_fact(w->d, w->item, "dtype", PT_DV_STR, dt);
	pt_dstr_init(&s);
	pt_h5_shape(sp, &s);
	pt_d_fact(w->d, w->item, "shape", PT_DV_STR, pt_dstr_get(&s));
	if (t >= 0)
		H5Tclose(t);
	if (sp >= 0)
		H5Sclose(sp);
	rc = attrs_of(w->d, ds, w->item);
	H5Dclose(ds);
	return rc;
}

static herr_t visit(hid_t g, const char *name, const pt_h5linfo *li, void *op)
{
	struct walk *w = op;
	pt_h5oinfo oi;

	if (pt_d_late(w->d) < 0)
		return -1;
	snprintf(w->item, sizeof w->item, "/%s", name);
	if (li->type == H5L_TYPE_SOFT || li->type == H5L_TYPE_EXTERNAL) {
		char val[PT_DESCRIBE_MAX_VALUE];
		const char *file = NULL, *path = NULL;
		unsigned flags;
		size_t n = li->u.val_size < sizeof val ? li->u.val_size : sizeof val;
		if (pt_d_take(w->d))
			return 0;
		if (n == 0 || H5Lget_val(g, name, val, n, H5P_DEFAULT) < 0)
			return 0;
		val[n - 1] = 0;
		if (li->type == H5L_TYPE_SOFT) {
			pt_d_fact(w->d, w->item, "link", PT_DV_STR, val);
		} else if (H5Lunpack_elink_val(val, n, &flags, &file, &path) >= 0 && file && path) {
			pt_d_factf(w->d, w->item, "link", PT_DV_STR, "%s:%s", file, path);
		}
		return 0;
	}
	if (li->type != H5L_TYPE_HARD || pt_h5_oinfo(g, name, &oi) < 0)
		return 0;
	if (oi.type == H5O_TYPE_DATASET)
		return dataset(w, name) < 0 ? -1 : 0;
	if (oi.type == H5O_TYPE_GROUP) {
		hid_t o = H5Gopen2(g, name, H5P_DEFAULT);
		int rc = 0;
		w->groups++;
		if (o >= 0) {
			rc = attrs_of(w->d, o, w->item);
			H5Gclose(o);
		}
		return rc < 0 ? -1 : 0;
	}
	return 0;
}

struct h5why {
	int truncated;
	char desc[160];   /* the innermost error's */
};

static herr_t why_walk(unsigned n, const H5E_error2_t *e, void *op)
{
	struct h5why *w = op;

	if (e->min_num == H5E_TRUNCATED)
		w->truncated = 1;
	if (e->desc)
		snprintf(w->desc, sizeof w->desc, "%s", e->desc);
	return 0;
}

/* Why libhdf5 could not open a file (its error stack, just after the failure) */
static int open_gap(struct pt_d *d)
{
	struct h5why w = { 0 };

	H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, why_walk, &w);
	if (w.truncated)
		return pt_d_gap(d, "truncated header");
	return pt_d_gap(d, "bad header: %s", w.desc[0] ? w.desc : "libhdf5 cannot open it");
}

int pt_d_hdf5_open_gap(struct pt_d *d)
{
	hid_t f;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	f = H5Fopen(d->path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f >= 0) {
		H5Fclose(f);
		return 0;
	}
	return open_gap(d);
}

static int describe(struct pt_d *d)
{
	struct walk w = { .d = d };
	htri_t is;
	hid_t root;
	int rc = 0;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	is = H5Fis_hdf5(d->path);
	if (is == 0)
		return pt_d_gap(d, "not an HDF5 file");
	w.file = H5Fopen(d->path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (w.file < 0)
		return open_gap(d);
	root = H5Gopen2(w.file, "/", H5P_DEFAULT);
	if (root >= 0) {
		rc = attrs_of(d, root, "");
		if (rc == 0 && H5Lvisit(root, H5_INDEX_NAME, H5_ITER_INC, visit, &w) < 0 &&
		    pt_d_has_gap(d))
			rc = -1;
		H5Gclose(root);
	}
	if (rc == 0) {
		pt_d_fact_uint(d, "", "datasets", w.datasets);
		pt_d_fact_uint(d, "", "groups", w.groups);
	}
	H5Fclose(w.file);
	return rc;
}

int pt_d_hdf5(struct pt_d *d)
{
	uint8_t magic[8];

	/* a foreign file is said without starting the library (at offset 0 only: a user
	 * block before the superblock is left to libhdf5) */
	if (d->size < 8)
		return pt_d_gap(d, "not an HDF5 file");
	if (pt_d_read(d, 0, magic, 8) < 0)
		return -1;
	d->nread = 0;
	return pt_d_isolated(d, describe, "HDF5");
}
#endif /* PT_HAVE_HDF5 */
