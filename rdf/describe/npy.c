/* npy.c — NumPy's .npy header (format versions 1.0 to 3.0): magic, version, header
 * length, then a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': ...}
 * read by a small bounded parser (no C library reads it).  Shared with npz.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "int.h"

#define NPY_MAX_HEADER (1u << 20)   /* numpy itself refuses more than 10000 by default */
#define NPY_MAX_DIMS 64

int pt_d_numpy_dtype(const char *s, char *name, size_t len, int *big, uint64_t *itemsize)
{
	char order = '|', kind;
	unsigned long long n = 0;
	const char *unit = NULL;
	int digits = 0;

	if (*s == '<' || *s == '>' || *s == '|' || *s == '=')
		order = *s++;
	kind = *s;
	if (!kind)
		return -1;
	s++;
	while (*s >= '0' && *s <= '9' && digits < 12) {
		n = n * 10 + (unsigned long long)(*s++ - '0');
		digits++;
	}
	if (*s == '[') {
		unit = s;
		if (!strchr(s, ']') || strchr(s, ']')[1])
			return -1;
	} else if (*s) {
		return -1;
	}
	*itemsize = n;
	switch (kind) {
	case 'b':
		if (n != 1)
			return -1;
		snprintf(name, len, "bool");
		break;
	case 'i': case 'u':
		if (n != 1 && n != 2 && n != 4 && n != 8)
			return -1;
		snprintf(name, len, "%sint%llu", kind == 'u' ? "u" : "", n * 8);
		break;
	case 'f':
		if (n != 2 && n != 4 && n != 8 && n != 12 && n != 16)
			return -1;
		snprintf(name, len, "float%llu", n * 8);
		break;
	case 'c':
		if (n != 8 && n != 16 && n != 24 && n != 32)
			return -1;
		snprintf(name, len, "complex%llu", n * 8);
		break;
	case 'M': case 'm':
		if (n != 8)
			return -1;
		snprintf(name, len, "%s64%s", kind == 'M' ? "datetime" : "timedelta",
			 unit ? unit : "");
		break;
	case 'O':
		if (n != 0 && n != 8)
			return -1;
		*itemsize = 8;
		snprintf(name, len, "object");
		break;
	case 'S': case 'a': case 'U': case 'V':
		if (unit)
			return -1;
		snprintf(name, len, "%c%llu", kind == 'a' ? 'S' : kind, n);
		if (kind == 'U')
			*itemsize = n * 4;
		break;
	default:
		return -1;
	}
	if (unit && kind != 'M' && kind != 'm')
		return -1;
	*big = order == '>' && *itemsize > 1 && kind != 'S' && kind != 'a' && kind != 'V';
	return 0;
}

/* ---- the header's dict literal */

struct lit {
	const char *p, *end;
};

static void ws(struct lit *l)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r'))
		l->p++;
}

static int eat(struct lit *l, char c)
{
	ws(l);
	if (l->p < l->end && *l->p == c) {
		l->p++;
		return 1;
	}
	return 0;
}

/* A quoted string into out (cut to outlen-1): 0 or -1 */
static int str(struct lit *l, char *out, size_t outlen)
{
	size_t n = 0;
	char q;

	ws(l);
	if (l->p >= l->end || (*l->p != '\'' && *l->p != '"'))
		return -1;
	q = *l->p++;
	while (l->p < l->end && *l->p != q) {
		char c = *l->p++;
		if (c == '\\') {
			if (l->p >= l->end)
				return -1;
			c = *l->p++;
		}
		if (n + 1 < outlen)
			out[n++] = c;
	}
	if (l->p >= l->end)
		return -1;
	l->p++;
	out[n] = 0;
	return 0;
}

/* Any value, skipped (strings, names, numbers, nested brackets to depth 16) */
static int skip(struct lit *l, int depth)
{
	char tmp[2];

	ws(l);
	if (l->p >= l->end || depth > 16)
		return -1;
	if (*l->p == '\'' || *l->p == '"')
		return str(l, tmp, sizeof tmp);
	if (*l->p == '(' || *l->p == '[' || *l->p == '{') {
		char close = *l->p == '(' ? ')' : *l->p == '[' ? ']' : '}';
		l->p++;
		for (;;) {
			if (eat(l, close))
				return 0;
			if (skip(l, depth + 1) < 0)
				return -1;
			if (eat(l, ':') && skip(l, depth + 1) < 0)
				return -1;
			if (!eat(l, ',')) {
				if (eat(l, close))
					return 0;
				return -1;
			}
		}
	}
	const char *s = l->p;
	while (l->p < l->end && (strchr("+-._", *l->p) ||
				 (*l->p >= '0' && *l->p <= '9') ||
				 (*l->p >= 'a' && *l->p <= 'z') || (*l->p >= 'A' && *l->p <= 'Z')))
		l->p++;
	return l->p > s ? 0 : -1;
}

static int shape(struct lit *l, uint64_t *dims, size_t *nd)
{
	*nd = 0;
	if (!eat(l, '('))
		return -1;
	for (;;) {
		if (eat(l, ')'))
			return 0;
		ws(l);
		uint64_t v = 0;
		int digits = 0;
		while (l->p < l->end && *l->p >= '0' && *l->p <= '9') {
			if (v > (UINT64_MAX - 9) / 10)
				return -1;
			v = v * 10 + (uint64_t)(*l->p++ - '0');
			digits++;
		}
		if (l->p < l->end && *l->p == 'L')   /* Python 2's longs */
			l->p++;
		if (!digits || *nd >= NPY_MAX_DIMS)
			return -1;
		dims[(*nd)++] = v;
		if (!eat(l, ',')) {
			if (eat(l, ')'))
				return 0;
			return -1;
		}
	}
}

int pt_d_npy_hlen(struct pt_d *d, const uint8_t *b, size_t n, uint64_t *hlen)
{
	if (n < 10)
		return pt_d_gap(d, n >= 6 && !memcmp(b, "\x93NUMPY", 6) ? "truncated header"
								     : "not an NPY file");
	if (memcmp(b, "\x93NUMPY", 6))
		return pt_d_gap(d, "not an NPY file");
	if (b[6] == 1) {
		*hlen = 10 + (uint64_t)(b[8] | b[9] << 8);
	} else if (b[6] == 2 || b[6] == 3) {
		if (n < 12)
			return pt_d_gap(d, "truncated header");
		*hlen = 12 + ((uint64_t)b[8] | (uint64_t)b[9] << 8 | (uint64_t)b[10] << 16 |
			      (uint64_t)b[11] << 24);
	} else {
		return pt_d_gap(d, "bad header: NPY version %u.%u", b[6], b[7]);
	}
	if (*hlen > NPY_MAX_HEADER)
		return pt_d_gap(d, "bad header: %llu bytes long", (unsigned long long)*hlen);
	return 0;
}

int pt_d_npy_header(struct pt_d *d, const uint8_t *b, size_t n, const char *item,
		    uint64_t *hlen, uint64_t *data_bytes)
{
	struct lit l;
	char key[32], descr[64] = "", name[64];
	const char *descr_at = NULL, *descr_end = NULL;
	uint64_t dims[NPY_MAX_DIMS], itemsize = 0, bytes;
	size_t nd = 0;
	int fortran = -1, have_shape = 0, big = 0, structured = 0;

	if (pt_d_npy_hlen(d, b, n, hlen) < 0)
		return -1;
	if (n < *hlen)
		return pt_d_gap(d, "truncated header");
	l.p = (const char *)b + (b[6] == 1 ? 10 : 12);
	l.end = (const char *)b + *hlen;
	if (!eat(&l, '{'))
		return pt_d_gap(d, "bad header: not a dict");
	while (!eat(&l, '}')) {
		if (str(&l, key, sizeof key) < 0 || !eat(&l, ':'))
			return pt_d_gap(d, "bad header: not a dict");
		ws(&l);
		if (!strcmp(key, "descr")) {
			descr_at = l.p;
			if (l.p < l.end && *l.p == '[') {
				structured = 1;
				if (skip(&l, 0) < 0)
					return pt_d_gap(d, "bad header: descr");
				descr_end = l.p;
			} else if (str(&l, descr, sizeof descr) < 0) {
				return pt_d_gap(d, "bad header: descr");
			}
		} else if (!strcmp(key, "fortran_order")) {
			if ((size_t)(l.end - l.p) >= 4 && !memcmp(l.p, "True", 4))
				fortran = 1, l.p += 4;
			else if ((size_t)(l.end - l.p) >= 5 && !memcmp(l.p, "False", 5))
				fortran = 0, l.p += 5;
			else
				return pt_d_gap(d, "bad header: fortran_order");
		} else if (!strcmp(key, "shape")) {
			if (shape(&l, dims, &nd) < 0)
				return pt_d_gap(d, "bad header: shape");
			have_shape = 1;
		} else if (skip(&l, 0) < 0) {
			return pt_d_gap(d, "bad header: not a dict");
		}
		if (!eat(&l, ',')) {
			if (eat(&l, '}'))
				break;
			return pt_d_gap(d, "bad header: not a dict");
		}
	}
	if (!descr_at || fortran < 0 || !have_shape)
		return pt_d_gap(d, "bad header: a key is missing");
	if (structured) {
		snprintf(name, sizeof name, "structured");
	} else if (pt_d_numpy_dtype(descr, name, sizeof name, &big, &itemsize) < 0) {
		return pt_d_gap(d, "bad header: dtype '%.40s'", descr);
	}
	bytes = structured || !strcmp(name, "object") ? UINT64_MAX : itemsize;
	for (size_t i = 0; i < nd && bytes != UINT64_MAX; i++) {
		if (dims[i] && bytes > UINT64_MAX / dims[i] - 1)
			return pt_d_gap(d, "bad header: shape too large");
		bytes *= dims[i];
	}
	struct pt_dstr s;
	pt_dstr_init(&s);
	pt_dstr_dims(&s, dims, nd);
	pt_d_fact(d, item, "dtype", PT_DV_STR, name);
	pt_d_fact(d, item, "shape", PT_DV_STR, pt_dstr_get(&s));
	pt_d_fact_bool(d, item, "fortran_order", fortran);
	if (big)
		pt_d_fact(d, item, "byteorder", PT_DV_STR, "big");
	if (structured) {
		pt_dstr_init(&s);
		pt_dstr_addn(&s, descr_at, (size_t)(descr_end - descr_at));
		pt_d_fact(d, item, "descr", PT_DV_STR, pt_dstr_get(&s));
	}
	if (bytes != UINT64_MAX)
		pt_d_fact_uint(d, item, "bytes", bytes);
	*data_bytes = bytes;
	return 0;
}

int pt_d_npy(struct pt_d *d)
{
	uint8_t pre[12];
	uint64_t hlen, bytes;
	size_t n = d->size < sizeof pre ? (size_t)d->size : sizeof pre;
	uint8_t *h;
	int rc;

	if (pt_d_read(d, 0, pre, n) < 0 || pt_d_npy_hlen(d, pre, n, &hlen) < 0)
		return -1;
	h = malloc(hlen);
	if (!h)
		abort();
	pt_d_factf(d, "", "version", PT_DV_STR, "%u.%u", pre[6], pre[7]);
	rc = pt_d_read(d, 0, h, hlen);
	if (rc == 0)
		rc = pt_d_npy_header(d, h, hlen, "", &hlen, &bytes);
	free(h);
	if (rc == 0 && bytes != UINT64_MAX && d->size - hlen < bytes)
		rc = pt_d_gap(d, "truncated data");
	return rc;
}
