/* json.c — the small JSON reader of json.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

void pt_json_init(struct pt_json *j, const void *text, size_t len)
{
	j->p = text;
	j->end = j->p + len;
	j->depth = 0;
}

int pt_json_load(const char *path, struct pt_buf *text)
{
	char chunk[4096];
	size_t n;
	FILE *f;

	text->len = 0;
	if (!(f = fopen(path, "re")))
		return errno;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && text->len < PT_JSON_MAX)
		pt_buf_put(text, chunk, n);
	fclose(f);
	return 0;
}

void pt_json_ws(struct pt_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int jhex4(struct pt_json *j, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		if (j->p >= j->end)
			return -1;
		uint8_t c = *j->p++;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

static void put_utf8(struct pt_buf *b, unsigned cp)
{
	if (cp < 0x80) {
		pt_buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		pt_buf_putc(b, (char)(0xc0 | cp >> 6));
		pt_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		pt_buf_putc(b, (char)(0xe0 | cp >> 12));
		pt_buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		pt_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		pt_buf_putc(b, (char)(0xf0 | cp >> 18));
		pt_buf_putc(b, (char)(0x80 | (cp >> 12 & 0x3f)));
		pt_buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		pt_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

int pt_json_str(struct pt_json *j, struct pt_buf *out)
{
	out->len = 0;
	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		uint8_t c = *j->p++;
		if (c != '\\') {
			pt_buf_putc(out, (char)c);
			continue;
		}
		if (j->p >= j->end)
			return -1;
		c = *j->p++;
		unsigned cp, lo;
		switch (c) {
		case '"': case '\\': case '/': pt_buf_putc(out, (char)c); break;
		case 'b': pt_buf_putc(out, '\b'); break;
		case 'f': pt_buf_putc(out, '\f'); break;
		case 'n': pt_buf_putc(out, '\n'); break;
		case 'r': pt_buf_putc(out, '\r'); break;
		case 't': pt_buf_putc(out, '\t'); break;
		case 'u':
			if (jhex4(j, &cp))
				return -1;
			if (cp >= 0xd800 && cp <= 0xdbff && j->end - j->p >= 6 && j->p[0] == '\\' &&
			    j->p[1] == 'u') {
				const uint8_t *save = j->p;
				j->p += 2;
				if (jhex4(j, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
					put_utf8(out, 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00));
					break;
				}
				j->p = save;
			}
			if (cp >= 0xdc80 && cp <= 0xdcff)
				pt_buf_putc(out, (char)(cp & 0xff));
			else if (cp >= 0xd800 && cp <= 0xdfff)
				put_utf8(out, 0xfffd);
			else
				put_utf8(out, cp);
			break;
		default:
			return -1;
		}
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	return 0;
}

int pt_json_num(struct pt_json *j, int64_t *v)
{
	int neg = 0;
	uint64_t u = 0;
	const uint8_t *start;

	if (j->p < j->end && *j->p == '-') {
		neg = 1;
		j->p++;
	}
	start = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		u = u * 10 + (uint64_t)(*j->p++ - '0');
	if (j->p == start)
		return -1;
	/* a fraction or exponent: not one of ours; skip it */
	while (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E' || *j->p == '+' ||
				 *j->p == '-' || (*j->p >= '0' && *j->p <= '9')))
		j->p++;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return 0;
}

int pt_json_skip(struct pt_json *j)
{
	struct pt_buf tmp = { 0 };
	int64_t n;
	int r = 0;

	pt_json_ws(j);
	if (j->p >= j->end || ++j->depth > 32)
		return -1;
	if (*j->p == '"') {
		r = pt_json_str(j, &tmp);
	} else if (*j->p == '{' || *j->p == '[') {
		uint8_t close = *j->p == '{' ? '}' : ']';
		int obj = *j->p == '{';
		j->p++;
		pt_json_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
		} else {
			for (;;) {
				if (obj) {
					pt_json_ws(j);
					if (pt_json_str(j, &tmp))
						goto bad;
					pt_json_ws(j);
					if (j->p >= j->end || *j->p++ != ':')
						goto bad;
				}
				if (pt_json_skip(j))
					goto bad;
				pt_json_ws(j);
				if (j->p < j->end && *j->p == ',') {
					j->p++;
					continue;
				}
				if (j->p < j->end && *j->p == close) {
					j->p++;
					break;
				}
				goto bad;
			}
		}
	} else if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) {
		r = pt_json_num(j, &n);
	} else {
		static const char *const words[] = { "true", "false", "null" };
		r = -1;
		for (int i = 0; i < 3; i++) {
			size_t k = strlen(words[i]);
			if ((size_t)(j->end - j->p) >= k && memcmp(j->p, words[i], k) == 0) {
				j->p += k;
				r = 0;
			}
		}
	}
	pt_buf_free(&tmp);
	j->depth--;
	return r;
bad:
	pt_buf_free(&tmp);
	return -1;
}

int pt_json_object(struct pt_json *j, pt_json_member_fn fn, void *ctx)
{
	struct pt_buf key = { 0 };
	int r = -1;

	pt_json_ws(j);
	if (j->p >= j->end || *j->p != '{')
		return -1;
	j->p++;
	for (;;) {
		pt_json_ws(j);
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			r = 0;
			break;
		}
		if (pt_json_str(j, &key))
			break;
		pt_buf_cstr(&key);
		pt_json_ws(j);
		if (j->p >= j->end || *j->p++ != ':')
			break;
		pt_json_ws(j);
		int k = fn(ctx, key.p, j);
		if (k < 0 || (k > 0 && pt_json_skip(j)))
			break;
		pt_json_ws(j);
		if (j->p < j->end && *j->p == ',')
			j->p++;
		else if (j->p >= j->end || *j->p != '}')
			break;
	}
	pt_buf_free(&key);
	return r;
}

int pt_json_strings(struct pt_json *j, pt_json_string_fn fn, void *ctx)
{
	struct pt_buf s = { 0 };
	int r = -1;

	pt_json_ws(j);
	if (j->p >= j->end || *j->p != '[')
		return -1;
	j->p++;
	pt_json_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return 0;
	}
	for (;;) {
		if (pt_json_str(j, &s) || fn(ctx, &s))
			break;
		pt_json_ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			r = 0;
			break;
		}
		if (j->p >= j->end || *j->p++ != ',')
			break;
		pt_json_ws(j);
	}
	pt_buf_free(&s);
	return r;
}
