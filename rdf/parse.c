/* parse.c — readers of configurations, metric logs and command lines (parse.h).
 * Input is hostile: every length is checked against what is left, nesting is bounded,
 * and the sink's item and time limits stop a reader early with a reason. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <yaml.h>

#include "facts.h"
#include "iri.h"
#include "parse.h"

#define MAX_DEPTH 64
#define MAX_KEY 1024

static int failf(struct pt_psink *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	return -1;
}

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* one more item: within the limits? */
static int item(struct pt_psink *s)
{
	s->items++;
	if (s->max_items && s->items > s->max_items)
		return failf(s, "more than %llu items", (unsigned long long)s->max_items);
	if (s->deadline_ns && (s->items & 255) == 0 && now_ns() > s->deadline_ns)
		return failf(s, "took longer than its time limit");
	return 0;
}

/* some work without items (a long run of lines that say nothing) */
static int tick(struct pt_psink *s, uint64_t i)
{
	if (s->deadline_ns && (i & 4095) == 0 && now_ns() > s->deadline_ns)
		return failf(s, "took longer than its time limit");
	return 0;
}

int pt_value_type(const char *v)
{
	const char *p = v;
	int digit = 0, other = 0;

	if (!strcmp(v, "true") || !strcmp(v, "false") || !strcmp(v, "True") ||
	    !strcmp(v, "False") || !strcmp(v, "TRUE") || !strcmp(v, "FALSE"))
		return PT_FV_BOOL;
	if (*p == '+' || *p == '-')
		p++;
	for (const char *q = p; *q; q++) {
		if (isdigit((unsigned char)*q))
			digit = 1;
		else if (!strchr("+-.eE", *q))
			return PT_FV_STR;
		else if (*q != '+' && *q != '-')
			other = 1;
	}
	if (!digit)
		return PT_FV_STR;
	char *end;
	errno = 0;
	if (!other && !strchr(p, '+') && !strchr(p, '-')) {
		(void)strtoll(v, &end, 10);
		if (!*end && !errno)
			return PT_FV_INT;
	}
	errno = 0;
	(void)strtod(v, &end);
	return *end || end == v ? PT_FV_STR : PT_FV_DOUBLE;
}

/* hand a scalar over, typed: `type` -1 means "by its look" */
static int param(struct pt_psink *s, const char *key, int type, const char *v, const char *where)
{
	char norm[64];

	if (!*key)
		return 0;
	if (item(s))
		return -1;
	if (type < 0)
		type = pt_value_type(v);
	if (type == PT_FV_INT) {
		snprintf(norm, sizeof norm, "%lld", strtoll(v, NULL, 10));
		v = norm;
	} else if (type == PT_FV_DOUBLE) {
		pt_fact_double(norm, sizeof norm, strtod(v, NULL));
		v = norm;
	} else if (type == PT_FV_BOOL) {
		v = (v[0] == 't' || v[0] == 'T' || v[0] == 'y' || v[0] == 'Y' ||
		     ((v[0] == 'o' || v[0] == 'O') && (v[1] == 'n' || v[1] == 'N'))) ? "true" : "false";
	}
	return s->param ? s->param(s->ctx, key, type, v, where ? where : key) : 0;
}

int pt_parse_setting(struct pt_psink *s, const char *key, const char *value, const char *where)
{
	return param(s, key, -1, value, where);
}

static int point(struct pt_psink *s, const char *measure, int64_t step, double v)
{
	if (item(s))
		return -1;
	return s->point ? s->point(s->ctx, measure, step, v) : 0;
}

/* ---- keys: a path of names joined by '.' */

struct key {
	char p[MAX_KEY + 1];
	size_t len;
	size_t mark[MAX_DEPTH + 1];
	int depth;
};

static int key_push(struct key *k, const char *name, size_t n, struct pt_psink *s)
{
	if (k->depth >= MAX_DEPTH)
		return failf(s, "nested deeper than %d", MAX_DEPTH);
	k->mark[k->depth++] = k->len;
	if (k->len + 1 + n > MAX_KEY)
		return failf(s, "key longer than %d bytes", MAX_KEY);
	if (k->len)
		k->p[k->len++] = '.';
	memcpy(k->p + k->len, name, n);
	k->len += n;
	k->p[k->len] = 0;
	return 0;
}

static int key_pushi(struct key *k, uint64_t i, struct pt_psink *s)
{
	char b[24];
	return key_push(k, b, (size_t)snprintf(b, sizeof b, "%llu", (unsigned long long)i), s);
}

static void key_pop(struct key *k)
{
	if (k->depth > 0)
		k->len = k->mark[--k->depth];
	k->p[k->len] = 0;
}

/* ---- JSON (json-c) */

static int json_walk(struct json_object *o, struct key *k, struct pt_psink *s)
{
	char num[64];

	switch (json_object_get_type(o)) {
	case json_type_object: {
		struct json_object_iterator it = json_object_iter_begin(o);
		struct json_object_iterator end = json_object_iter_end(o);
		for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
			const char *name = json_object_iter_peek_name(&it);
			if (key_push(k, name, strlen(name), s) ||
			    json_walk(json_object_iter_peek_value(&it), k, s))
				return -1;
			key_pop(k);
		}
		return 0;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			if (key_pushi(k, i, s) || json_walk(json_object_array_get_idx(o, i), k, s))
				return -1;
			key_pop(k);
		}
		return 0;
	case json_type_int:
		snprintf(num, sizeof num, "%lld", (long long)json_object_get_int64(o));
		return param(s, k->p, PT_FV_INT, num, NULL);
	case json_type_double:
		pt_fact_double(num, sizeof num, json_object_get_double(o));
		return param(s, k->p, PT_FV_DOUBLE, num, NULL);
	case json_type_boolean:
		return param(s, k->p, PT_FV_BOOL, json_object_get_boolean(o) ? "true" : "false",
			     NULL);
	case json_type_string:
		return param(s, k->p, PT_FV_STR, json_object_get_string(o), NULL);
	default:
		return 0;   /* null sets nothing */
	}
}

static struct json_object *json_doc(const char *buf, size_t n, struct pt_psink *s)
{
	struct json_tokener *t = json_tokener_new_ex(MAX_DEPTH);
	struct json_object *o;

	if (!t) {
		failf(s, "out of memory");
		return NULL;
	}
	if (n > (size_t)0x7fffffff) {
		json_tokener_free(t);
		failf(s, "too large");
		return NULL;
	}
	o = json_tokener_parse_ex(t, buf, (int)n);
	if (!o || json_tokener_get_error(t) != json_tokener_success) {
		enum json_tokener_error e = json_tokener_get_error(t);
		failf(s, "JSON: %s", e == json_tokener_continue ? "truncated"
								: json_tokener_error_desc(e));
		json_object_put(o);
		o = NULL;
	} else if (json_tokener_get_parse_end(t) < n) {
		/* trailing text after the document: only blanks may follow */
		for (size_t i = json_tokener_get_parse_end(t); i < n; i++)
			if (!isspace((unsigned char)buf[i])) {
				failf(s, "JSON: text after the document at byte %zu", i);
				json_object_put(o);
				o = NULL;
				break;
			}
	}
	json_tokener_free(t);
	return o;
}

int pt_parse_json(const char *buf, size_t n, struct pt_psink *s)
{
	struct json_object *o = json_doc(buf, n, s);
	struct key k = { .len = 0 };
	int r;

	if (!o)
		return -1;
	r = json_walk(o, &k, s);
	json_object_put(o);
	return r;
}

/* ---- YAML (libyaml's event parser: no alias is ever expanded) */

struct yframe {
	int map;          /* 1 mapping, 0 sequence */
	int want_key;     /* mapping: the next scalar is a key */
	uint64_t index;   /* sequence: the next item's index */
	int pushed;       /* this container's own key is on the key path */
};

static int yaml_bool(const char *v)
{
	static const char *const words[] = {
		"true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES",
		"no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strcmp(v, words[i]))
			return 1;
	return 0;
}

static int yaml_null(const char *v)
{
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

/* Before a value (scalar or container) in the current frame: push its key. */
static int yaml_value_key(struct yframe *f, struct key *k, struct pt_psink *s)
{
	if (!f)
		return 0;
	if (f->map)
		return 0;   /* the key was pushed when it was read */
	return key_pushi(k, f->index++, s);
}

int pt_parse_yaml(const char *buf, size_t n, struct pt_psink *s)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct yframe st[MAX_DEPTH + 1];
	struct key k = { .len = 0 };
	int depth = 0, r = 0, done = 0;
	uint64_t events = 0;

	if (!yaml_parser_initialize(&p))
		return failf(s, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, n);
	while (!done && !r) {
		if (!yaml_parser_parse(&p, &ev)) {
			r = failf(s, "YAML: line %zu: %s", p.problem_mark.line + 1,
				  p.problem ? p.problem : "error");
			break;
		}
		struct yframe *f = depth ? &st[depth - 1] : NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (f && f->map && f->want_key) {
				r = failf(s, "YAML: line %zu: a key that is not a scalar",
					  ev.start_mark.line + 1);
				break;
			}
			if (depth >= MAX_DEPTH) {
				r = failf(s, "nested deeper than %d", MAX_DEPTH);
				break;
			}
			if ((r = yaml_value_key(f, &k, s)))
				break;
			st[depth].map = ev.type == YAML_MAPPING_START_EVENT;
			st[depth].want_key = 1;
			st[depth].index = 0;
			st[depth].pushed = f != NULL;
			depth++;
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			if (depth && st[depth - 1].pushed)
				key_pop(&k);
			if (depth)
				depth--;
			if (depth && st[depth - 1].map)
				st[depth - 1].want_key = 1;
			break;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;
			int plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			if (f && f->map && f->want_key) {
				if ((r = key_push(&k, v, ev.data.scalar.length, s)))
					break;
				f->want_key = 0;
				break;
			}
			if ((r = yaml_value_key(f, &k, s)))
				break;
			if (!(plain && yaml_null(v))) {
				int type = !plain ? PT_FV_STR : yaml_bool(v) ? PT_FV_BOOL : -1;
				if (strlen(v) != ev.data.scalar.length)
					type = PT_FV_STR;   /* a NUL inside: kept up to it */
				r = param(s, k.p, type, v, NULL);
			}
			if (f)
				key_pop(&k);
			if (f && f->map)
				f->want_key = 1;
			break;
		}
		case YAML_ALIAS_EVENT:
			/* a reference to another node: its value is not repeated */
			if (f && f->map && f->want_key) {
				r = failf(s, "YAML: line %zu: an alias as a key", ev.start_mark.line + 1);
				break;
			}
			if (f && !f->map)
				f->index++;
			if (f && f->map) {
				key_pop(&k);
				f->want_key = 1;
			}
			break;
		default:
			break;
		}
		if (!r)
			r = tick(s, ++events);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return r;
}

/* ---- TOML (tables, arrays of tables, dotted and quoted keys, strings of the four
 * kinds, numbers, booleans, dates as text, arrays and inline tables) */

struct cur {
	const char *p, *end;
	size_t line;
	struct pt_psink *s;
	struct key k;
	struct pt_buf v;
};

static void ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

/* blanks, newlines and comments (inside arrays) */
static void wsnl(struct cur *c)
{
	for (;;) {
		ws(c);
		if (c->p < c->end && *c->p == '#')
			while (c->p < c->end && *c->p != '\n')
				c->p++;
		if (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
			if (*c->p == '\n')
				c->line++;
			c->p++;
			continue;
		}
		return;
	}
}

static int tfail(struct cur *c, const char *what)
{
	return failf(c->s, "TOML: line %zu: %s", c->line, what);
}

static int bare(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

static int tstring(struct cur *c, struct pt_buf *out)
{
	char q = *c->p;
	int multi = c->end - c->p >= 3 && c->p[1] == q && c->p[2] == q;

	out->len = 0;
	c->p += multi ? 3 : 1;
	if (multi && c->p < c->end && *c->p == '\n') {
		c->line++;
		c->p++;
	}
	while (c->p < c->end) {
		char ch = *c->p;
		if (ch == q && (!multi || (c->end - c->p >= 3 && c->p[1] == q && c->p[2] == q))) {
			c->p += multi ? 3 : 1;
			pt_buf_cstr(out);
			return 0;
		}
		if (ch == '\n') {
			if (!multi)
				return tfail(c, "newline in a string");
			c->line++;
		}
		if (ch == '\\' && q == '"') {
			if (c->end - c->p < 2)
				break;
			char e = c->p[1];
			c->p += 2;
			switch (e) {
			case 'n': pt_buf_putc(out, '\n'); break;
			case 't': pt_buf_putc(out, '\t'); break;
			case 'r': pt_buf_putc(out, '\r'); break;
			case 'b': pt_buf_putc(out, '\b'); break;
			case 'f': pt_buf_putc(out, '\f'); break;
			case '"': pt_buf_putc(out, '"'); break;
			case '\\': pt_buf_putc(out, '\\'); break;
			case 'u': case 'U': {
				size_t nd = e == 'u' ? 4 : 8;
				unsigned long cp = 0;
				if ((size_t)(c->end - c->p) < nd)
					return tfail(c, "truncated escape");
				for (size_t i = 0; i < nd; i++) {
					if (!isxdigit((unsigned char)c->p[i]))
						return tfail(c, "bad escape");
					cp = cp * 16 + (unsigned long)(isdigit((unsigned char)c->p[i])
						? c->p[i] - '0' : (tolower((unsigned char)c->p[i]) - 'a' + 10));
				}
				c->p += nd;
				if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0)
					return tfail(c, "bad escape");
				char u[4];
				size_t un;
				if (cp < 0x80) { u[0] = (char)cp; un = 1; }
				else if (cp < 0x800) { u[0] = (char)(0xc0 | cp >> 6); u[1] = (char)(0x80 | (cp & 63)); un = 2; }
				else if (cp < 0x10000) { u[0] = (char)(0xe0 | cp >> 12); u[1] = (char)(0x80 | (cp >> 6 & 63)); u[2] = (char)(0x80 | (cp & 63)); un = 3; }
				else { u[0] = (char)(0xf0 | cp >> 18); u[1] = (char)(0x80 | (cp >> 12 & 63)); u[2] = (char)(0x80 | (cp >> 6 & 63)); u[3] = (char)(0x80 | (cp & 63)); un = 4; }
				pt_buf_put(out, u, un);
				break;
			}
			case '\n':
				if (!multi)
					return tfail(c, "bad escape");
				c->line++;
				while (c->p < c->end && isspace((unsigned char)*c->p)) {
					if (*c->p == '\n')
						c->line++;
					c->p++;
				}
				break;
			default:
				return tfail(c, "bad escape");
			}
			continue;
		}
		if (ch == 0)
			return tfail(c, "NUL in a string");
		pt_buf_putc(out, ch);
		c->p++;
	}
	return tfail(c, "unterminated string");
}

/* one key part (bare or quoted) pushed on the key path */
static int tkey_part(struct cur *c)
{
	ws(c);
	if (c->p < c->end && (*c->p == '"' || *c->p == '\'')) {
		struct pt_buf b = { 0 };
		int r = tstring(c, &b);
		if (!r)
			r = key_push(&c->k, b.p ? b.p : "", b.len, c->s);
		pt_buf_free(&b);
		return r;
	}
	const char *b = c->p;
	while (c->p < c->end && bare(*c->p))
		c->p++;
	if (c->p == b)
		return tfail(c, "expected a key");
	return key_push(&c->k, b, (size_t)(c->p - b), c->s);
}

/* a dotted key; *parts gets how many parts were pushed */
static int tkey(struct cur *c, int *parts)
{
	*parts = 0;
	for (;;) {
		if (tkey_part(c))
			return -1;
		(*parts)++;
		ws(c);
		if (c->p < c->end && *c->p == '.') {
			c->p++;
			continue;
		}
		return 0;
	}
}

static int tvalue(struct cur *c, int depth);

static int tkeyval(struct cur *c, int depth)
{
	int parts, r;

	if (tkey(c, &parts))
		return -1;
	ws(c);
	if (c->p >= c->end || *c->p != '=')
		return tfail(c, "expected =");
	c->p++;
	ws(c);
	r = tvalue(c, depth);
	while (parts--)
		key_pop(&c->k);
	return r;
}

static int tvalue(struct cur *c, int depth)
{
	if (depth > MAX_DEPTH)
		return failf(c->s, "nested deeper than %d", MAX_DEPTH);
	if (c->p >= c->end)
		return tfail(c, "expected a value");
	char ch = *c->p;
	if (ch == '"' || ch == '\'') {
		if (tstring(c, &c->v))
			return -1;
		return param(c->s, c->k.p, PT_FV_STR, c->v.p ? c->v.p : "", NULL);
	}
	if (ch == '[') {
		uint64_t i = 0;
		c->p++;
		for (;;) {
			wsnl(c);
			if (c->p >= c->end)
				return tfail(c, "unterminated array");
			if (*c->p == ']') {
				c->p++;
				return 0;
			}
			if (key_pushi(&c->k, i++, c->s) || tvalue(c, depth + 1))
				return -1;
			key_pop(&c->k);
			wsnl(c);
			if (c->p < c->end && *c->p == ',')
				c->p++;
			else if (c->p < c->end && *c->p != ']')
				return tfail(c, "expected , or ]");
		}
	}
	if (ch == '{') {
		c->p++;
		ws(c);
		if (c->p < c->end && *c->p == '}') {
			c->p++;
			return 0;
		}
		for (;;) {
			if (tkeyval(c, depth + 1))
				return -1;
			ws(c);
			if (c->p < c->end && *c->p == ',') {
				c->p++;
				continue;
			}
			if (c->p < c->end && *c->p == '}') {
				c->p++;
				return 0;
			}
			return tfail(c, "expected , or }");
		}
	}
	/* a bare value: number, boolean, date or time, up to a delimiter */
	const char *b = c->p;
	while (c->p < c->end && !strchr(",]}#\n\r", *c->p) &&
	       !(*c->p == ' ' && !(c->p + 1 < c->end && isdigit((unsigned char)c->p[1]))))
		c->p++;
	while (c->p > b && (c->p[-1] == ' ' || c->p[-1] == '\t'))
		c->p--;
	if (c->p == b)
		return tfail(c, "expected a value");
	c->v.len = 0;
	for (const char *q = b; q < c->p; q++)
		if (*q != '_')
			pt_buf_putc(&c->v, *q);
	const char *v = pt_buf_cstr(&c->v);
	int type = pt_value_type(v);
	if (!strcmp(v, "true") || !strcmp(v, "false"))
		type = PT_FV_BOOL;
	else if (type == PT_FV_BOOL)
		return tfail(c, "booleans are lower case");
	else if (type == PT_FV_STR && !(isdigit((unsigned char)*v) || !strcmp(v, "inf") ||
				       !strcmp(v, "nan") || !strcmp(v, "+inf") || !strcmp(v, "-inf")))
		return tfail(c, "not a value");
	if (!strcmp(v, "inf") || !strcmp(v, "+inf") || !strcmp(v, "-inf") || !strcmp(v, "nan"))
		type = PT_FV_DOUBLE;
	return param(c->s, c->k.p, type, v, NULL);
}

int pt_parse_toml(const char *buf, size_t n, struct pt_psink *s)
{
	struct cur c = { buf, buf + n, 1, s, { .len = 0 }, { 0 } };
	int table_parts = 0, r = 0;
	/* [[name]]: a counter per array-of-tables name */
	struct { char name[MAX_KEY + 1]; uint64_t n; } *aot = NULL;
	size_t naot = 0;

	while (!r) {
		wsnl(&c);
		if (c.p >= c.end)
			break;
		if ((r = tick(s, c.line)))
			break;
		if (*c.p == '[') {
			int arr = c.end - c.p >= 2 && c.p[1] == '[';
			while (table_parts--)
				key_pop(&c.k);
			c.p += arr ? 2 : 1;
			if ((r = tkey(&c, &table_parts)))
				break;
			if (c.end - c.p < (arr ? 2 : 1) || c.p[0] != ']' || (arr && c.p[1] != ']')) {
				r = tfail(&c, "expected ]");
				break;
			}
			c.p += arr ? 2 : 1;
			if (arr) {
				size_t i;
				for (i = 0; i < naot && strcmp(aot[i].name, c.k.p); i++)
					;
				if (i == naot) {
					void *q = realloc(aot, (naot + 1) * sizeof *aot);
					if (!q) {
						r = failf(s, "out of memory");
						break;
					}
					aot = q;
					snprintf(aot[naot].name, sizeof aot[naot].name, "%s", c.k.p);
					aot[naot++].n = 0;
				}
				if ((r = key_pushi(&c.k, aot[i].n++, s)))
					break;
				table_parts++;
			}
		} else {
			r = tkeyval(&c, 0);
		}
		if (r)
			break;
		ws(&c);
		if (c.p < c.end && *c.p == '#')
			while (c.p < c.end && *c.p != '\n')
				c.p++;
		if (c.p < c.end && *c.p == '\r')
			c.p++;
		if (c.p < c.end && *c.p != '\n')
			r = tfail(&c, "text after the value");
	}
	free(aot);
	pt_buf_free(&c.v);
	return r;
}

/* ---- INI ([section] then key = value or key: value; ; and # comments) */

static const char *trim(char *b, char *e)
{
	while (b < e && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	*e = 0;
	return b;
}

int pt_parse_ini(const char *buf, size_t n, struct pt_psink *s)
{
	char section[MAX_KEY / 2] = "", key[MAX_KEY + 1];
	struct pt_buf line = { 0 };
	size_t lno = 0;
	int r = 0;

	for (const char *p = buf, *end = buf + n; p < end && !r;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		lno++;
		if ((r = tick(s, lno)))
			break;
		line.len = 0;
		pt_buf_put(&line, p, (size_t)(le - p));
		pt_buf_cstr(&line);
		p = nl ? nl + 1 : end;
		if (memchr(line.p, 0, line.len)) {
			r = failf(s, "INI: line %zu: NUL byte", lno);
			break;
		}
		char *b = line.p, *e = line.p + line.len;
		const char *t = trim(b, e);
		if (!*t || *t == ';' || *t == '#')
			continue;
		if (*t == '[') {
			const char *close = strchr(t, ']');
			if (!close || (size_t)(close - t - 1) >= sizeof section) {
				r = failf(s, "INI: line %zu: bad section", lno);
				break;
			}
			memcpy(section, t + 1, (size_t)(close - t - 1));
			section[close - t - 1] = 0;
			continue;
		}
		char *eq = strpbrk((char *)t, "=:");
		if (!eq) {
			r = failf(s, "INI: line %zu: expected key = value", lno);
			break;
		}
		const char *k = trim((char *)t, eq);
		const char *v = trim(eq + 1, line.p + line.len);
		if (!*k)
			continue;
		if ((size_t)snprintf(key, sizeof key, "%s%s%s", section, *section ? "." : "", k) >=
		    sizeof key) {
			r = failf(s, "key longer than %d bytes", MAX_KEY);
			break;
		}
		size_t vl = strlen(v);
		int type = -1;
		if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
			((char *)v)[vl - 1] = 0;
			v++;
			type = PT_FV_STR;
		}
		r = param(s, key, type, v, NULL);
	}
	pt_buf_free(&line);
	return r;
}

/* ---- metric logs */

static int step_name(const char *h)
{
	static const char *const names[] = { "step", "global_step", "iteration", "iter", "epoch" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcasecmp(h, names[i]))
			return (int)i;
	return -1;
}

static int parse_step(const char *v, int64_t *step)
{
	char *end;
	double d;

	if (!*v)
		return -1;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (!*end && !errno) {
		*step = x;
		return 0;
	}
	d = strtod(v, &end);
	if (*end || !(d > -9e18 && d < 9e18) || d != floor(d))
		return -1;
	*step = (int64_t)d;
	return 0;
}

static int parse_num(const char *v, double *d)
{
	char *end;

	if (!*v || pt_value_type(v) == PT_FV_STR) {
		/* nan and inf as Python's csv module writes them */
		if (!strcasecmp(v, "nan")) { *d = NAN; return 0; }
		if (!strcasecmp(v, "inf")) { *d = INFINITY; return 0; }
		if (!strcasecmp(v, "-inf")) { *d = -INFINITY; return 0; }
		return -1;
	}
	*d = strtod(v, &end);
	return 0;
}

/* Split one CSV record (quotes as RFC 4180, inside one line) into NUL-ended fields. */
static size_t csv_fields(char *line, char sep, char **f, size_t max)
{
	size_t n = 0;
	char *w = line, *p = line;

	while (n < max) {
		f[n++] = w;
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p)
					break;
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*w++ = *p++;
				}
			}
		}
		while (*p && *p != sep)
			*w++ = *p++;
		int more = *p == sep;
		*w++ = 0;
		if (!more)
			break;
		p++;
	}
	for (size_t i = 0; i < n; i++) {
		char *e = f[i] + strlen(f[i]);
		while (e > f[i] && (e[-1] == '\r' || e[-1] == ' '))
			*--e = 0;
		while (*f[i] == ' ')
			f[i]++;
	}
	return n;
}

#define CSV_COLS 256

int pt_parse_csv(const char *buf, size_t n, char sep, struct pt_psink *s)
{
	struct pt_buf line = { 0 };
	char *head[CSV_COLS], *f[CSV_COLS], *hcopy = NULL;
	size_t nh = 0, lno = 0;
	int stepcol = -1, best = 99, r = 0;

	for (const char *p = buf, *end = buf + n; p < end && !r;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line.len = 0;
		pt_buf_put(&line, p, (size_t)(le - p));
		pt_buf_cstr(&line);
		p = nl ? nl + 1 : end;
		lno++;
		if ((r = tick(s, lno)))
			break;
		if (memchr(line.p, 0, line.len)) {
			r = failf(s, "CSV: line %zu: NUL byte", lno);
			break;
		}
		if (!line.len || (line.len == 1 && line.p[0] == '\r'))
			continue;
		if (!hcopy) {
			hcopy = strdup(line.p);
			if (!hcopy) {
				r = failf(s, "out of memory");
				break;
			}
			nh = csv_fields(hcopy, sep, head, CSV_COLS);
			for (size_t i = 0; i < nh; i++) {
				int k = step_name(head[i]);
				if (k >= 0 && k < best) {
					best = k;
					stepcol = (int)i;
				}
			}
			if (stepcol < 0)
				break;   /* not a metric log: nothing to read */
			continue;
		}
		size_t nf = csv_fields(line.p, sep, f, CSV_COLS);
		int64_t step;
		if ((size_t)stepcol >= nf || parse_step(f[stepcol], &step))
			continue;
		for (size_t i = 0; i < nf && i < nh && !r; i++) {
			double d;
			if ((int)i == stepcol || !*head[i] || parse_num(f[i], &d))
				continue;
			r = point(s, head[i], step, d);
		}
	}
	free(hcopy);
	pt_buf_free(&line);
	return r;
}

int pt_parse_jsonl(const char *buf, size_t n, struct pt_psink *s)
{
	size_t lno = 0;
	int r = 0;

	for (const char *p = buf, *end = buf + n; p < end && !r;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *b = p;
		p = nl ? nl + 1 : end;
		lno++;
		if ((r = tick(s, lno)))
			break;
		while (b < le && isspace((unsigned char)*b))
			b++;
		if (b == le)
			continue;
		struct json_object *o = json_doc(b, (size_t)(le - b), s);
		if (!o) {
			char why[sizeof s->err];
			snprintf(why, sizeof why, "%s", s->err);
			r = failf(s, "line %zu: %s", lno, why);
			break;
		}
		if (json_object_get_type(o) == json_type_object) {
			struct json_object_iterator it = json_object_iter_begin(o);
			struct json_object_iterator e = json_object_iter_end(o);
			struct json_object *sv = NULL;
			int bestk = 99;
			for (; !json_object_iter_equal(&it, &e); json_object_iter_next(&it)) {
				int k = step_name(json_object_iter_peek_name(&it));
				struct json_object *v = json_object_iter_peek_value(&it);
				if (k >= 0 && k < bestk && json_object_get_type(v) == json_type_int) {
					bestk = k;
					sv = v;
				}
			}
			if (sv) {
				int64_t step = json_object_get_int64(sv);
				it = json_object_iter_begin(o);
				for (; !r && !json_object_iter_equal(&it, &e); json_object_iter_next(&it)) {
					struct json_object *v = json_object_iter_peek_value(&it);
					enum json_type t = json_object_get_type(v);
					if (v == sv || (t != json_type_int && t != json_type_double))
						continue;
					r = point(s, json_object_iter_peek_name(&it), step,
						  json_object_get_double(v));
				}
			}
		}
		json_object_put(o);
	}
	return r;
}

/* ---- TensorBoard: TFRecord frames of Event protos */

uint32_t pt_crc32c(const void *data, size_t n)
{
	static uint32_t table[256];
	static int ready;
	const uint8_t *p = data;
	uint32_t c = 0xffffffffu;

	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t x = i;
			for (int k = 0; k < 8; k++)
				x = x & 1 ? (x >> 1) ^ 0x82f63b78u : x >> 1;
			table[i] = x;
		}
		ready = 1;
	}
	while (n--)
		c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static uint32_t masked(uint32_t crc)
{
	return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* protobuf's wire format: one field at a time */
struct pbf {
	uint32_t field, wt;
	uint64_t v;                 /* varint, fixed64, fixed32 */
	const uint8_t *b;           /* length-delimited */
	size_t n;
};

static int pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (int sh = 0; sh < 64; sh += 7) {
		if (*p >= end)
			return -1;
		uint8_t c = *(*p)++;
		*v |= (uint64_t)(c & 0x7f) << sh;
		if (!(c & 0x80))
			return 0;
	}
	return -1;
}

/* 1 a field, 0 the end, -1 malformed */
static int pb_next(const uint8_t **p, const uint8_t *end, struct pbf *f)
{
	uint64_t key;

	if (*p >= end)
		return 0;
	if (pb_varint(p, end, &key))
		return -1;
	f->field = (uint32_t)(key >> 3);
	f->wt = (uint32_t)(key & 7);
	switch (f->wt) {
	case 0:
		return pb_varint(p, end, &f->v) ? -1 : 1;
	case 1:
		if (end - *p < 8)
			return -1;
		f->v = le64(*p);
		*p += 8;
		return 1;
	case 5:
		if (end - *p < 4)
			return -1;
		f->v = le32(*p);
		*p += 4;
		return 1;
	case 2:
		if (pb_varint(p, end, &f->v) || f->v > (uint64_t)(end - *p))
			return -1;
		f->b = *p;
		f->n = (size_t)f->v;
		*p += f->n;
		return 1;
	default:
		return -1;
	}
}

/* A float32 as the decimal its writer meant: the shortest text that reads back as the
 * same float (0.113426, not 0.11342599987983704), as a double. */
static double f32(uint64_t bits)
{
	uint32_t b = (uint32_t)bits;
	float x;
	char t[32];

	memcpy(&x, &b, sizeof x);
	if (!isfinite(x))
		return x;
	for (int prec = 1; prec <= 9; prec++) {
		snprintf(t, sizeof t, "%.*g", prec, (double)x);
		if (strtof(t, NULL) == x)
			return strtod(t, NULL);
	}
	return x;
}

static double f64(uint64_t bits)
{
	double x;
	memcpy(&x, &bits, sizeof x);
	return x;
}

/* A TensorProto holding one float or double (TF2's scalar summaries). */
static int tensor_scalar(const uint8_t *p, const uint8_t *end, double *out)
{
	struct pbf f;
	uint64_t dtype = 0;
	int r, have = 0;

	while ((r = pb_next(&p, end, &f)) == 1) {
		if (f.field == 1 && f.wt == 0)
			dtype = f.v;
		else if (f.field == 4 && f.wt == 2 && f.n == 4 && dtype != 2)
			*out = f32(le32(f.b)), have = 1;
		else if (f.field == 4 && f.wt == 2 && f.n == 8 && dtype == 2)
			*out = f64(le64(f.b)), have = 1;
		else if (f.field == 5 && f.wt == 5)
			*out = f32(f.v), have = 1;
		else if (f.field == 5 && f.wt == 2 && f.n == 4)
			*out = f32(le32(f.b)), have = 1;
		else if (f.field == 6 && f.wt == 1)
			*out = f64(f.v), have = 1;
		else if (f.field == 6 && f.wt == 2 && f.n == 8)
			*out = f64(le64(f.b)), have = 1;
	}
	return r < 0 || !have ? -1 : 0;
}

static int summary_value(const uint8_t *p, const uint8_t *end, int64_t step, struct pt_psink *s)
{
	struct pbf f;
	char tag[512];
	int r, have_tag = 0, have = 0;
	double v = 0;

	while ((r = pb_next(&p, end, &f)) == 1) {
		if (f.field == 1 && f.wt == 2) {
			if (f.n >= sizeof tag || memchr(f.b, 0, f.n))
				return failf(s, "a tag longer than %zu bytes", sizeof tag - 1);
			memcpy(tag, f.b, f.n);
			tag[f.n] = 0;
			have_tag = 1;
		} else if (f.field == 2 && f.wt == 5) {
			v = f32(f.v);
			have = 1;
		} else if (f.field == 8 && f.wt == 2) {
			have = tensor_scalar(f.b, f.b + f.n, &v) == 0;
		}
	}
	if (r < 0)
		return failf(s, "a malformed summary value");
	return have && have_tag && *tag ? point(s, tag, step, v) : 0;
}

static int event(const uint8_t *p, const uint8_t *end, struct pt_psink *s)
{
	struct pbf f;
	int64_t step = 0;
	const uint8_t *sum = NULL;
	size_t sumn = 0;
	int r;

	while ((r = pb_next(&p, end, &f)) == 1) {
		if (f.field == 2 && f.wt == 0)
			step = (int64_t)f.v;
		else if (f.field == 5 && f.wt == 2)
			sum = f.b, sumn = f.n;
	}
	if (r < 0)
		return failf(s, "a malformed event");
	if (!sum)
		return 0;
	p = sum;
	end = sum + sumn;
	while ((r = pb_next(&p, end, &f)) == 1)
		if (f.field == 1 && f.wt == 2 && summary_value(f.b, f.b + f.n, step, s))
			return -1;
	return r < 0 ? failf(s, "a malformed summary") : 0;
}

int pt_parse_tfevents(const char *buf, size_t n, struct pt_psink *s)
{
	const uint8_t *p = (const uint8_t *)buf, *end = p + n;
	uint64_t frames = 0;

	while (p < end) {
		size_t at = (size_t)(p - (const uint8_t *)buf);
		if (tick(s, ++frames))
			return -1;
		if (end - p < 12)
			return failf(s, "truncated frame at byte %zu", at);
		uint64_t len = le64(p);
		if (masked(pt_crc32c(p, 8)) != le32(p + 8))
			return failf(s, "bad length checksum at byte %zu", at);
		if (len > (uint64_t)(end - p - 12) || (uint64_t)(end - p - 12) - len < 4)
			return failf(s, "truncated frame at byte %zu", at);
		const uint8_t *d = p + 12;
		if (masked(pt_crc32c(d, (size_t)len)) != le32(d + len))
			return failf(s, "bad data checksum at byte %zu", at);
		if (event(d, d + len, s))
			return -1;
		p = d + len + 4;
	}
	return 0;
}

/* ---- MLflow's file store */

int pt_parse_mlflow_metric(const char *buf, size_t n, const char *name, struct pt_psink *s)
{
	struct pt_buf line = { 0 };
	size_t lno = 0;
	int r = 0;

	for (const char *p = buf, *end = buf + n; p < end && !r;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line.len = 0;
		pt_buf_put(&line, p, (size_t)(le - p));
		pt_buf_cstr(&line);
		p = nl ? nl + 1 : end;
		lno++;
		if (memchr(line.p, 0, line.len)) {
			r = failf(s, "line %zu: NUL byte", lno);
			break;
		}
		char *w[4], *save = NULL;
		size_t nw = 0;
		for (char *t = strtok_r(line.p, " \t\r", &save); t && nw < 4;
		     t = strtok_r(NULL, " \t\r", &save))
			w[nw++] = t;
		if (!nw)
			continue;
		double v;
		int64_t step = 0;
		if (nw < 2 || nw > 3 || parse_num(w[1], &v) || (nw == 3 && parse_step(w[2], &step))) {
			r = failf(s, "line %zu: expected timestamp value step", lno);
			break;
		}
		r = point(s, name, step, v);
	}
	pt_buf_free(&line);
	return r;
}

int pt_parse_mlflow_param(const char *buf, size_t n, const char *name, struct pt_psink *s)
{
	struct pt_buf v = { 0 };
	int r;

	if (memchr(buf, 0, n))
		return failf(s, "NUL byte");
	pt_buf_put(&v, buf, n);
	while (v.len && (v.p[v.len - 1] == '\n' || v.p[v.len - 1] == '\r'))
		v.len--;
	r = param(s, name, -1, pt_buf_cstr(&v), "params");
	pt_buf_free(&v);
	return r;
}

/* ---- command lines */

static int key_word(const char *k, size_t n)
{
	if (!n || !(isalpha((unsigned char)k[0]) || k[0] == '_'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)k[i]) || strchr("_.-/", k[i])))
			return 0;
	return 1;
}

static int negative_number(const char *w)
{
	return w[0] == '-' && pt_value_type(w) != PT_FV_STR;
}

int pt_parse_argv(const char *const *argv, size_t argc, struct pt_psink *s)
{
	char key[MAX_KEY + 1], where[32];

	for (size_t i = 1; i < argc; i++) {
		const char *w = argv[i], *eq;
		size_t kn;
		int dash = 0;

		if (!strcmp(w, "--"))
			break;
		snprintf(where, sizeof where, "argv[%zu]", i);
		if (w[0] == '-' && w[1] == '-') {
			w += 2;
			dash = 1;
		} else if (w[0] == '+') {
			w += w[1] == '+' ? 2 : 1;   /* Hydra: append, or append or override */
		} else if (w[0] == '-') {
			continue;                    /* a short option: its value is anyone's guess */
		}
		eq = strchr(w, '=');
		kn = eq ? (size_t)(eq - w) : strlen(w);
		if (!key_word(w, kn) || kn > MAX_KEY || (!dash && !eq))
			continue;
		memcpy(key, w, kn);
		key[kn] = 0;
		if (dash)
			for (char *q = key; *q; q++)
				if (*q == '-')
					*q = '_';
		const char *v;
		int type = -1;
		if (eq) {
			v = eq + 1;
		} else if (i + 1 < argc && (argv[i + 1][0] != '-' || negative_number(argv[i + 1])) &&
			   strcmp(argv[i + 1], "--")) {
			v = argv[++i];
		} else {
			v = "true";
			type = PT_FV_BOOL;
		}
		if (param(s, key, type, v, where))
			return -1;
	}
	return 0;
}
