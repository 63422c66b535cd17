/* safetensors.c — a safetensors file's header: an 8-byte little-endian length, then a
 * JSON object (read with json-c) of tensors {dtype, shape, data_offsets} and an optional
 * "__metadata__" of strings.  Offsets are checked against the file and the shape. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "int.h"

#ifndef PT_HAVE_JSONC

int pt_d_safetensors(struct pt_d *d)
{
	return pt_d_gap(d, "unsupported: built without json-c");
}

#else
#include <json.h>

#define ST_MAX_HEADER 100000000u   /* the format's own bound (100 MB) */
#define ST_MAX_DIMS 64
#define ST_MAX_DEPTH 16

static const struct { const char *st, *np; unsigned size; } dtypes[] = {
	{ "BOOL", "bool", 1 }, { "U8", "uint8", 1 }, { "I8", "int8", 1 },
	{ "U16", "uint16", 2 }, { "I16", "int16", 2 }, { "F16", "float16", 2 },
	{ "BF16", "bfloat16", 2 }, { "U32", "uint32", 4 }, { "I32", "int32", 4 },
	{ "F32", "float32", 4 }, { "U64", "uint64", 8 }, { "I64", "int64", 8 },
	{ "F64", "float64", 8 }, { "F8_E4M3", "float8_e4m3fn", 1 },
	{ "F8_E5M2", "float8_e5m2", 1 }, { "C64", "complex64", 8 },
};

/* A non-negative JSON integer: 0 or -1 */
static int uint_of(json_object *v, uint64_t *out)
{
	if (!v || json_object_get_type(v) != json_type_int || json_object_get_int64(v) < 0)
		return -1;
	*out = json_object_get_uint64(v);
	return 0;
}

static int tensor(struct pt_d *d, const char *name, json_object *t, uint64_t data_len)
{
	json_object *dt, *sh, *off;
	uint64_t dims[ST_MAX_DIMS], b, e, count = 1;
	const char *np = NULL;
	unsigned size = 0;
	size_t nd;
	int over = 0;

	if (!name[0])
		return pt_d_gap(d, "bad header: a tensor with no name");
	if (!json_object_is_type(t, json_type_object) ||
	    !json_object_object_get_ex(t, "dtype", &dt) || !json_object_is_type(dt, json_type_string) ||
	    !json_object_object_get_ex(t, "shape", &sh) || !json_object_is_type(sh, json_type_array) ||
	    !json_object_object_get_ex(t, "data_offsets", &off) ||
	    !json_object_is_type(off, json_type_array) || json_object_array_length(off) != 2)
		return pt_d_gap(d, "bad header: tensor %.200s", name);
	nd = json_object_array_length(sh);
	if (nd > ST_MAX_DIMS)
		return pt_d_gap(d, "bad header: tensor %.200s: %zu dimensions", name, nd);
	for (size_t i = 0; i < nd; i++) {
		if (uint_of(json_object_array_get_idx(sh, i), &dims[i]) < 0)
			return pt_d_gap(d, "bad header: tensor %.200s: shape", name);
		if (dims[i] && count > UINT64_MAX / dims[i])
			over = 1;
		count *= dims[i];
	}
	if (uint_of(json_object_array_get_idx(off, 0), &b) < 0 ||
	    uint_of(json_object_array_get_idx(off, 1), &e) < 0 || b > e)
		return pt_d_gap(d, "bad header: tensor %.200s: data_offsets", name);
	if (e > data_len)
		return pt_d_gap(d, "truncated data");
	for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
		if (!strcmp(json_object_get_string(dt), dtypes[i].st))
			np = dtypes[i].np, size = dtypes[i].size;
	if (np && (over || (count && size > UINT64_MAX / count) || count * size != e - b))
		return pt_d_gap(d, "bad header: tensor %.200s: %llu bytes for its shape", name,
				(unsigned long long)(e - b));
	struct pt_dstr s;
	pt_dstr_init(&s);
	pt_dstr_dims(&s, dims, nd);
	if (np)
		pt_d_fact(d, name, "dtype", PT_DV_STR, np);
	else
		pt_d_factf(d, name, "dtype", PT_DV_STR, "unknown(%.40s)", json_object_get_string(dt));
	pt_d_fact(d, name, "shape", PT_DV_STR, pt_dstr_get(&s));
	pt_d_fact_uint(d, name, "bytes", e - b);
	return 0;
}

static int metadata(struct pt_d *d, json_object *m)
{
	char key[PT_DESCRIBE_MAX_VALUE];

	if (json_object_is_type(m, json_type_null))
		return 0;
	if (!json_object_is_type(m, json_type_object))
		return pt_d_gap(d, "bad header: __metadata__");
	json_object_object_foreach(m, k, v) {
		if (pt_d_take(d))
			continue;
		snprintf(key, sizeof key, "metadata.%s", k);
		pt_d_fact(d, "", key, PT_DV_STR,
			  json_object_is_type(v, json_type_string) ? json_object_get_string(v)
			  : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	}
	return 0;
}

static int parse(struct pt_d *d, const char *text, uint64_t n)
{
	struct json_tokener *tok = json_tokener_new_ex(ST_MAX_DEPTH);
	json_object *root;
	uint64_t tensors = 0;
	int rc = 0;

	if (!tok)
		abort();
	root = json_tokener_parse_ex(tok, text, (int)n);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		rc = pt_d_gap(d, "bad header: %s",
			      json_tokener_get_error(tok) == json_tokener_continue
				      ? "JSON cut short"
				      : json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	/* only the spaces the format pads with may follow */
	for (size_t i = json_tokener_get_parse_end(tok); i < n; i++)
		if (text[i] != ' ') {
			rc = pt_d_gap(d, "bad header: bytes after the JSON");
			goto out;
		}
	if (!json_object_is_type(root, json_type_object)) {
		rc = pt_d_gap(d, "not a safetensors file");
		goto out;
	}
	json_object_object_foreach(root, k, v)
		if (strcmp(k, "__metadata__"))
			tensors++;
	pt_d_fact_uint(d, "", "tensors", tensors);
	json_object_object_foreach(root, k2, v2) {
		if (pt_d_late(d) < 0) {
			rc = -1;
			break;
		}
		if (!strcmp(k2, "__metadata__"))
			rc = metadata(d, v2);
		else if (!pt_d_take(d))
			rc = tensor(d, k2, v2, d->size - 8 - n);
		if (rc < 0)
			break;
	}
out:
	json_object_put(root);
	json_tokener_free(tok);
	return rc;
}

int pt_d_safetensors(struct pt_d *d)
{
	uint8_t pre[8];
	uint64_t n = 0;
	char *text;
	int rc;

	if (d->size < 8)
		return pt_d_gap(d, d->size ? "truncated header" : "not a safetensors file");
	if (pt_d_read(d, 0, pre, 8) < 0)
		return -1;
	for (int i = 7; i >= 0; i--)
		n = n << 8 | pre[i];
	if (n > ST_MAX_HEADER && n > d->size)
		return pt_d_gap(d, "not a safetensors file");
	if (n < 2 || n > ST_MAX_HEADER)
		return pt_d_gap(d, "bad header: %llu bytes long", (unsigned long long)n);
	if (n > d->size - 8)
		return pt_d_gap(d, "truncated header");
	if (n + 8 > d->lim.max_bytes)
		return pt_d_gap(d, "over the size limit");
	text = malloc(n + 1);
	if (!text)
		abort();
	rc = pt_d_read(d, 8, text, n);
	if (rc == 0 && text[0] != '{')
		rc = pt_d_gap(d, "not a safetensors file");
	if (rc == 0) {
		text[n] = 0;
		rc = parse(d, text, n);
	}
	free(text);
	return rc;
}
#endif /* PT_HAVE_JSONC */
