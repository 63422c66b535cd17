/* event.c — parsing records into positional values, and writing them as JSON lines
 * for provtrace-dump and the tests. */
#include "config.h"

#include <string.h>

#include "event.h"

/* Most fields are unsigned integers: those are read here, in line (the indexer parses
 * every record of the log); everything else goes through the general reader. */
static int uint_fast(struct pt_mpr *r, struct pt_val *v)
{
	const uint8_t *p = r->p;
	size_t left = (size_t)(r->end - p);
	uint64_t u;

	if (!left)
		return 0;
	if (p[0] <= 0x7f) {
		u = p[0];
		r->p = p + 1;
	} else if (p[0] == 0xcc && left >= 2) {
		u = p[1];
		r->p = p + 2;
	} else if (p[0] == 0xcd && left >= 3) {
		u = (uint64_t)p[1] << 8 | p[2];
		r->p = p + 3;
	} else if (p[0] == 0xce && left >= 5) {
		u = (uint64_t)p[1] << 24 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 8 | p[4];
		r->p = p + 5;
	} else if (p[0] == 0xcf && left >= 9) {
		u = 0;
		for (int i = 1; i <= 8; i++)
			u = u << 8 | p[i];
		r->p = p + 9;
	} else {
		return 0;
	}
	v->kind = PT_MP_UINT;
	v->u = u;
	v->i = u <= INT64_MAX ? (int64_t)u : 0;
	v->b = (struct pt_bytes){ 0 };
	v->count = 0;
	return 1;
}

static int value(struct pt_mpr *r, struct pt_val *v)
{
	const uint8_t *start = r->p;
	int k;

	if (uint_fast(r, v))
		return 0;
	k = pt_mpr_peek(r);
	memset(v, 0, sizeof *v);
	v->kind = k;
	switch (k) {
	case PT_MP_UINT:
		if (pt_mpr_uint(r, &v->u))
			return PT_EWIRE;
		v->i = v->u <= INT64_MAX ? (int64_t)v->u : 0;
		return 0;
	case PT_MP_INT:
		if (pt_mpr_int(r, &v->i))
			return PT_EWIRE;
		v->u = v->i >= 0 ? (uint64_t)v->i : 0;
		return 0;
	case PT_MP_STR: case PT_MP_BIN:
		return pt_mpr_bytes(r, &v->b);
	case PT_MP_BOOL:
		v->u = *r->p == 0xc3;
		r->p++;
		return 0;
	case PT_MP_ARRAY: case PT_MP_MAP: {
		struct pt_mpr peek = *r;
		if ((k == PT_MP_ARRAY ? pt_mpr_array(&peek, &v->count) : pt_mpr_map(&peek, &v->count)))
			return PT_EWIRE;
		if (pt_mpr_skip(r))
			return PT_EWIRE;
		v->b.p = start;
		v->b.len = (uint32_t)(r->p - start);
		return 0;
	}
	case -1:
		return PT_EWIRE;
	default:
		if (pt_mpr_skip(r))
			return PT_EWIRE;
		v->b.p = start;
		v->b.len = (uint32_t)(r->p - start);
		return 0;
	}
}

int pt_ev_parse(const void *rec, size_t len, struct pt_ev *ev)
{
	struct pt_mpr r;
	uint32_t n;
	uint64_t type, ts;

	pt_mpr_init(&r, rec, len);
	memset(ev, 0, offsetof(struct pt_ev, v));
	if (pt_mpr_array(&r, &n) || n < 2)
		return PT_EWIRE;
	if (pt_mpr_uint(&r, &type) || type == 0 || type > PT_EV_MAX || pt_mpr_uint(&r, &ts))
		return PT_EWIRE;
	ev->type = (uint32_t)type;
	ev->ts = ts;
	for (uint32_t i = 2; i < n; i++) {
		struct pt_val scratch;
		struct pt_val *v = ev->n < PT_EV_FIELDS ? &ev->v[ev->n] : &scratch;
		if (value(&r, v))
			return PT_EWIRE;
		if (ev->n < PT_EV_FIELDS)
			ev->n++;
	}
	return pt_mpr_left(&r) == 0 ? 0 : PT_EWIRE;
}

uint64_t pt_ev_u(const struct pt_ev *ev, unsigned i)
{
	if (i >= ev->n)
		return 0;
	return ev->v[i].kind == PT_MP_UINT || ev->v[i].kind == PT_MP_INT ||
			       ev->v[i].kind == PT_MP_BOOL
		       ? ev->v[i].u
		       : 0;
}

int64_t pt_ev_i(const struct pt_ev *ev, unsigned i)
{
	if (i >= ev->n)
		return 0;
	return ev->v[i].kind == PT_MP_UINT || ev->v[i].kind == PT_MP_INT ? ev->v[i].i : 0;
}

struct pt_bytes pt_ev_b(const struct pt_ev *ev, unsigned i)
{
	struct pt_bytes none = { (const uint8_t *)"", 0 };

	if (i >= ev->n || (ev->v[i].kind != PT_MP_STR && ev->v[i].kind != PT_MP_BIN))
		return none;
	return ev->v[i].b;
}

/* ---- names, from the table in protocol.h */

struct type_desc {
	uint32_t num;
	const char *name;
	const char *fields;
};

static const struct type_desc types[] = {
#define PT_X(name, num, fields) { num, #name, fields },
	PT_EVENT_TYPES(PT_X)
#undef PT_X
};

static const struct type_desc *desc(uint32_t type)
{
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (types[i].num == type)
			return &types[i];
	return NULL;
}

const char *pt_ev_name(uint32_t type)
{
	const struct type_desc *d = desc(type);

	return d ? d->name : NULL;
}

const char *pt_ev_field(uint32_t type, unsigned i, char *buf, size_t bufsz)
{
	const struct type_desc *d = desc(type);
	const char *p;

	if (!d || !bufsz)
		return NULL;
	p = d->fields;
	while (i-- > 0) {
		p = strchr(p, ',');
		if (!p)
			return NULL;
		p += 2;
	}
	size_t n = strcspn(p, ",[{");
	if (n >= bufsz)
		n = bufsz - 1;
	memcpy(buf, p, n);
	buf[n] = 0;
	return buf;
}

/* ---- JSON */

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if it is not one. */
static size_t utf8_seq(const uint8_t *p, size_t left)
{
	size_t n;
	uint32_t c;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2; c = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3; c = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4; c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

void pt_json_bytes(FILE *out, const uint8_t *p, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(p + i, len - i);
		uint8_t c = p[i];

		if (n == 0) {
			fprintf(out, "\\udc%02x", c);
			i++;
		} else if (n > 1) {
			fwrite(p + i, 1, n, out);
			i += n;
		} else {
			if (c == '"' || c == '\\')
				fprintf(out, "\\%c", c);
			else if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
			i++;
		}
	}
	fputc('"', out);
}

static void json_value(FILE *out, const struct pt_val *v, int depth);

static void json_container(FILE *out, const struct pt_val *v, int depth)
{
	struct pt_mpr r;
	uint32_t n;
	int map = v->kind == PT_MP_MAP;

	pt_mpr_init(&r, v->b.p, v->b.len);
	if ((map ? pt_mpr_map(&r, &n) : pt_mpr_array(&r, &n)) || depth > PT_MPR_DEPTH) {
		fputs("null", out);
		return;
	}
	fputc(map ? '{' : '[', out);
	for (uint32_t i = 0; i < n; i++) {
		struct pt_val k, e;
		if (i)
			fputc(',', out);
		if (map) {
			if (value(&r, &k))
				break;
			if (k.kind == PT_MP_STR || k.kind == PT_MP_BIN)
				pt_json_bytes(out, k.b.p, k.b.len);
			else
				fprintf(out, "\"%llu\"", (unsigned long long)k.u);
			fputc(':', out);
		}
		if (value(&r, &e))
			break;
		json_value(out, &e, depth + 1);
	}
	fputc(map ? '}' : ']', out);
}

static void json_value(FILE *out, const struct pt_val *v, int depth)
{
	switch (v->kind) {
	case PT_MP_UINT: fprintf(out, "%llu", (unsigned long long)v->u); break;
	case PT_MP_INT: fprintf(out, "%lld", (long long)v->i); break;
	case PT_MP_BOOL: fputs(v->u ? "true" : "false", out); break;
	case PT_MP_STR: case PT_MP_BIN: pt_json_bytes(out, v->b.p, v->b.len); break;
	case PT_MP_ARRAY: case PT_MP_MAP: json_container(out, v, depth); break;
	default: fputs("null", out); break;
	}
}

void pt_ev_json(FILE *out, const struct pt_ev *ev, const char *extra)
{
	const char *name = pt_ev_name(ev->type);
	char fbuf[32];

	fputc('{', out);
	if (extra)
		fprintf(out, "%s,", extra);
	if (name)
		fprintf(out, "\"type\":\"%s\",\"ts\":%llu", name, (unsigned long long)ev->ts);
	else
		fprintf(out, "\"type\":%u,\"ts\":%llu", ev->type, (unsigned long long)ev->ts);
	for (unsigned i = 0; i < ev->n; i++) {
		const char *f = pt_ev_field(ev->type, i, fbuf, sizeof fbuf);
		if (f)
			fprintf(out, ",\"%s\":", f);
		else
			fprintf(out, ",\"f%u\":", i);
		json_value(out, &ev->v[i], 0);
	}
	fputs("}\n", out);
}
