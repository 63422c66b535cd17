/* onnx.c — an ONNX model's signature: IR version, producer, opsets, metadata, and the
 * graph's inputs and outputs with element type and shape.  A hand decoder of protobuf's
 * wire format for these few fields, not protobuf-c: protobuf-c unpacks a whole message
 * from memory, and a ModelProto holds the model's weights (initializers, often GBs), so
 * the file would have to be read whole.  Here everything else is skipped by its length,
 * through a window of the file, and only the fields named below are read. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "int.h"

#define PB_WINDOW 65536u

struct pb {
	struct pt_d *d;
	uint64_t pos;
	uint8_t buf[PB_WINDOW];
	uint64_t boff;
	size_t blen;
	unsigned ticks;
};

static int pb_byte(struct pb *r, uint64_t end, uint8_t *b)
{
	if (r->pos >= end)
		return pt_d_gap(r->d, "truncated header");
	if (r->pos < r->boff || r->pos >= r->boff + r->blen) {
		uint64_t n = r->d->size - r->pos < PB_WINDOW ? r->d->size - r->pos : PB_WINDOW;
		uint64_t left = r->d->lim.max_bytes - r->d->nread;
		if (n > left && left > 0)
			n = left;   /* a smaller window rather than a refusal */
		if (pt_d_read(r->d, r->pos, r->buf, (size_t)n) < 0)
			return -1;
		r->boff = r->pos;
		r->blen = (size_t)n;
	}
	*b = r->buf[r->pos++ - r->boff];
	return 0;
}

static int pb_varint(struct pb *r, uint64_t end, uint64_t *v)
{
	uint8_t b = 0;

	*v = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (pb_byte(r, end, &b) < 0)
			return -1;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return pt_d_gap(r->d, "not an ONNX model");
}

/* A length-delimited field's extent: [r->pos, *fend) within end */
static int pb_len(struct pb *r, uint64_t end, uint64_t *fend)
{
	uint64_t n;

	if (pb_varint(r, end, &n) < 0)
		return -1;
	if (n > end - r->pos)
		return pt_d_gap(r->d, "truncated header");
	*fend = r->pos + n;
	return 0;
}

/* The next field's tag: 1 with *field and *wt, 0 at end, -1 on error */
static int pb_tag(struct pb *r, uint64_t end, uint64_t *field, int *wt)
{
	uint64_t t;

	if (r->pos >= end)
		return 0;
	if (++r->ticks % 4096 == 0 && pt_d_late(r->d) < 0)
		return -1;
	if (pb_varint(r, end, &t) < 0)
		return -1;
	*field = t >> 3;
	*wt = (int)(t & 7);
	if (!*field || *field > 536870911u)
		return pt_d_gap(r->d, "not an ONNX model");
	return 1;
}

static int pb_skip(struct pb *r, uint64_t end, int wt)
{
	uint64_t v, fend = 0;

	switch (wt) {
	case 0:
		return pb_varint(r, end, &v);
	case 1:
	case 5:
		if ((uint64_t)(wt == 1 ? 8 : 4) > end - r->pos)
			return pt_d_gap(r->d, "truncated header");
		r->pos += wt == 1 ? 8 : 4;
		return 0;
	case 2:
		if (pb_len(r, end, &fend) < 0)
			return -1;
		r->pos = fend;
		return 0;
	default:   /* groups (3, 4) are not in ONNX's schema */
		return pt_d_gap(r->d, "not an ONNX model");
	}
}

/* A string field into out (cut to PT_DESCRIBE_MAX_VALUE - 1 bytes, NUL-terminated) */
static int pb_str(struct pb *r, uint64_t end, int wt, char *out)
{
	uint64_t fend = 0;
	size_t n = 0;

	if (wt != 2)
		return pt_d_gap(r->d, "not an ONNX model");
	if (pb_len(r, end, &fend) < 0)
		return -1;
	while (r->pos < fend && n < PT_DESCRIBE_MAX_VALUE - 1) {
		uint8_t b;
		if (pb_byte(r, fend, &b) < 0)
			return -1;
		out[n++] = b ? (char)b : '?';   /* a NUL would end the value */
	}
	out[n] = 0;
	r->pos = fend;
	return 0;
}

static int pb_uint(struct pb *r, uint64_t end, int wt, uint64_t *v)
{
	if (wt != 0)
		return pt_d_gap(r->d, "not an ONNX model");
	return pb_varint(r, end, v);
}

static int pb_msg(struct pb *r, uint64_t end, int wt, uint64_t *fend)
{
	if (wt != 2)
		return pt_d_gap(r->d, "not an ONNX model");
	return pb_len(r, end, fend);
}

static const char *const elem_types[] = {
	"undefined", "float32", "uint8", "int8", "uint16", "int16", "int32", "int64",
	"string", "bool", "float16", "float64", "uint32", "uint64", "complex64",
	"complex128", "bfloat16", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2",
	"float8_e5m2fnuz", "uint4", "int4",
};

struct vinfo {
	char name[PT_DESCRIBE_MAX_VALUE];
	const char *kind;
	int64_t elem;          /* -1: none */
	int has_shape;
	struct pt_dstr shape;
};

/* TensorShapeProto: dims as numbers, names, or "?" */
static int shape(struct pb *r, uint64_t end, struct vinfo *v)
{
	uint64_t field, dend = 0;
	int wt, rc, first = 1;
	char param[PT_DESCRIBE_MAX_VALUE];

	v->has_shape = 1;
	pt_dstr_addn(&v->shape, "[", 1);
	while ((rc = pb_tag(r, end, &field, &wt)) > 0) {
		if (field != 1) {
			if (pb_skip(r, end, wt) < 0)
				return -1;
			continue;
		}
		if (pb_msg(r, end, wt, &dend) < 0)
			return -1;
		int have = 0;
		uint64_t val = 0;
		param[0] = 0;
		while ((rc = pb_tag(r, dend, &field, &wt)) > 0) {
			if (field == 1) {
				if (pb_uint(r, dend, wt, &val) < 0)
					return -1;
				have = 1;
			} else if (field == 2) {
				if (pb_str(r, dend, wt, param) < 0)
					return -1;
				have = 2;
			} else if (pb_skip(r, dend, wt) < 0) {
				return -1;
			}
		}
		if (rc < 0)
			return -1;
		pt_dstr_add(&v->shape, "%s", first ? "" : ", ");
		first = 0;
		if (have == 1)
			pt_dstr_add(&v->shape, "%" PRId64, (int64_t)val);
		else if (have == 2 && param[0])
			pt_dstr_add(&v->shape, "%s", param);
		else
			pt_dstr_addn(&v->shape, "?", 1);
	}
	pt_dstr_addn(&v->shape, "]", 1);
	return rc;
}

/* TypeProto.Tensor (and SparseTensor, laid out alike) */
static int tensor_type(struct pb *r, uint64_t end, struct vinfo *v)
{
	uint64_t field, fend = 0, e;
	int wt, rc;

	while ((rc = pb_tag(r, end, &field, &wt)) > 0) {
		if (field == 1) {
			if (pb_uint(r, end, wt, &e) < 0)
				return -1;
			v->elem = (int64_t)(e & 0x7fffffff);
		} else if (field == 2) {
			if (pb_msg(r, end, wt, &fend) < 0 || shape(r, fend, v) < 0)
				return -1;
		} else if (pb_skip(r, end, wt) < 0) {
			return -1;
		}
	}
	return rc;
}

static int type_proto(struct pb *r, uint64_t end, struct vinfo *v)
{
	uint64_t field, fend = 0;
	int wt, rc;

	while ((rc = pb_tag(r, end, &field, &wt)) > 0) {
		if (field == 1 || field == 8) {
			if (field == 8)
				v->kind = "sparse_tensor";
			if (pb_msg(r, end, wt, &fend) < 0 || tensor_type(r, fend, v) < 0)
				return -1;
		} else {
			if (field == 4)
				v->kind = "sequence";
			else if (field == 5)
				v->kind = "map";
			else if (field == 9)
				v->kind = "optional";
			if (pb_skip(r, end, wt) < 0)
				return -1;
		}
	}
	return rc;
}

static int value_info(struct pb *r, uint64_t end, const char *role)
{
	struct vinfo v = { .kind = NULL, .elem = -1 };
	uint64_t field, fend = 0;
	int wt, rc;

	pt_dstr_init(&v.shape);
	while ((rc = pb_tag(r, end, &field, &wt)) > 0) {
		if (field == 1) {
			if (pb_str(r, end, wt, v.name) < 0)
				return -1;
		} else if (field == 2) {
			if (pb_msg(r, end, wt, &fend) < 0 || type_proto(r, fend, &v) < 0)
				return -1;
		} else if (pb_skip(r, end, wt) < 0) {
			return -1;
		}
	}
	if (rc < 0)
		return -1;
	if (pt_d_take(r->d))
		return 0;
	if (!v.name[0])
		strcpy(v.name, "(unnamed)");
	pt_d_fact(r->d, v.name, "role", PT_DV_STR, role);
	if (v.kind)
		pt_d_fact(r->d, v.name, "kind", PT_DV_STR, v.kind);
	if (v.elem >= 0 && (size_t)v.elem < sizeof elem_types / sizeof elem_types[0])
		pt_d_fact(r->d, v.name, "dtype", PT_DV_STR, elem_types[v.elem]);
	else if (v.elem >= 0)
		pt_d_factf(r->d, v.name, "dtype", PT_DV_STR, "unknown(%" PRId64 ")", v.elem);
	if (v.has_shape)
		pt_d_fact(r->d, v.name, "shape", PT_DV_STR, pt_dstr_get(&v.shape));
	return 0;
}

static int graph(struct pb *r, uint64_t end)
{
	uint64_t field, fend = 0, nodes = 0, inits = 0;
	char name[PT_DESCRIBE_MAX_VALUE];
	int wt, rc;

	while ((rc = pb_tag(r, end, &field, &wt)) > 0) {
		if (field == 2) {
			if (pb_str(r, end, wt, name) < 0)
				return -1;
			pt_d_fact(r->d, "", "graph", PT_DV_STR, name);
		} else if (field == 11 || field == 12) {
			if (pb_msg(r, end, wt, &fend) < 0 ||
			    value_info(r, fend, field == 11 ? "input" : "output") < 0)
				return -1;
			r->pos = fend;
		} else {
			nodes += field == 1;
			inits += field == 5 || field == 15;
			if (pb_skip(r, end, wt) < 0)
				return -1;
		}
	}
	if (rc < 0)
		return -1;
	pt_d_fact_uint(r->d, "", "nodes", nodes);
	pt_d_fact_uint(r->d, "", "initializers", inits);
	return 0;
}

static int opset(struct pb *r, uint64_t end)
{
	char domain[PT_DESCRIBE_MAX_VALUE] = "", key[PT_DESCRIBE_MAX_VALUE + 8];
	uint64_t field, version = 0;
	int wt, rc;

	while ((rc = pb_tag(r, end, &field, &wt)) > 0) {
		if (field == 1)
			rc = pb_str(r, end, wt, domain);
		else if (field == 2)
			rc = pb_uint(r, end, wt, &version);
		else
			rc = pb_skip(r, end, wt);
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (!domain[0] || !strcmp(domain, "ai.onnx"))
		snprintf(key, sizeof key, "opset");
	else
		snprintf(key, sizeof key, "opset.%s", domain);
	pt_d_fact_int(r->d, "", key, (int64_t)version);
	return 0;
}

static int metadata(struct pb *r, uint64_t end)
{
	char k[PT_DESCRIBE_MAX_VALUE] = "", v[PT_DESCRIBE_MAX_VALUE] = "";
	char key[PT_DESCRIBE_MAX_VALUE + 16];
	uint64_t field;
	int wt, rc;

	while ((rc = pb_tag(r, end, &field, &wt)) > 0) {
		if (field == 1)
			rc = pb_str(r, end, wt, k);
		else if (field == 2)
			rc = pb_str(r, end, wt, v);
		else
			rc = pb_skip(r, end, wt);
		if (rc < 0)
			return -1;
	}
	if (rc < 0 || pt_d_take(r->d))
		return rc;
	snprintf(key, sizeof key, "metadata.%s", k);
	pt_d_fact(r->d, "", key, PT_DV_STR, v);
	return 0;
}

static int model(struct pb *r)
{
	static const char *const names[] = { NULL, "ir_version", "producer",
					     "producer_version", "domain", "model_version" };
	char s[PT_DESCRIBE_MAX_VALUE];
	uint64_t field, fend = 0, v, end = r->d->size;
	int wt, rc, seen = 0;

	while ((rc = pb_tag(r, end, &field, &wt)) > 0) {
		if (field == 1 || field == 5) {
			if (pb_uint(r, end, wt, &v) < 0)
				return -1;
			pt_d_fact_int(r->d, "", names[field], (int64_t)v);
			seen |= field == 1;
		} else if (field >= 2 && field <= 4) {
			if (pb_str(r, end, wt, s) < 0)
				return -1;
			pt_d_fact(r->d, "", names[field], PT_DV_STR, s);
		} else if (field == 7 || field == 8 || field == 14) {
			if (pb_msg(r, end, wt, &fend) < 0)
				return -1;
			rc = field == 7 ? graph(r, fend) : field == 8 ? opset(r, fend)
										: metadata(r, fend);
			if (rc < 0)
				return -1;
			r->pos = fend;
			seen |= field == 7 ? 2 : 0;
		} else if (pb_skip(r, end, wt) < 0) {
			return -1;
		}
	}
	if (rc < 0)
		return -1;
	if (seen != 3)   /* a model has both; an empty or foreign message has not */
		return pt_d_gap(r->d, "not an ONNX model");
	return 0;
}

int pt_d_onnx(struct pt_d *d)
{
	struct pb *r = calloc(1, sizeof *r);
	int rc;

	if (!r)
		abort();
	r->d = d;
	rc = model(r);
	free(r);
	return rc;
}
