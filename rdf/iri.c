/* iri.c — IRIs, literals and their N-Triples spelling (see iri.h for the rules).
 * Kept free of raptor and librdf so that the writers and the unit test need neither. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iri.h"

static const char hexdig[] = "0123456789ABCDEF";

void pt_buf_grow(struct pt_buf *b, size_t more)
{
	size_t want = b->len + more + 1;

	if (want <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		fputs("provtrace: out of memory\n", stderr);
		abort();
	}
	b->p = p;
	b->cap = cap;
}

void pt_buf_put(struct pt_buf *b, const void *p, size_t n)
{
	pt_buf_grow(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void pt_buf_puts(struct pt_buf *b, const char *s)
{
	pt_buf_put(b, s, strlen(s));
}

void pt_buf_putc(struct pt_buf *b, char c)
{
	pt_buf_grow(b, 1);
	b->p[b->len++] = c;
}

void pt_buf_u64(struct pt_buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof tmp;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	pt_buf_put(b, tmp + i, sizeof tmp - i);
}

void pt_buf_i64(struct pt_buf *b, int64_t v)
{
	if (v < 0) {
		pt_buf_putc(b, '-');
		pt_buf_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		pt_buf_u64(b, (uint64_t)v);
	}
}

const char *pt_buf_cstr(struct pt_buf *b)
{
	pt_buf_grow(b, 0);
	b->p[b->len] = 0;
	return b->p;
}

void pt_buf_free(struct pt_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ---- IRIs */

static int unreserved(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

void pt_iri_pct(struct pt_buf *b, const void *p, size_t n, int keep_slash)
{
	const uint8_t *s = p;

	pt_buf_grow(b, n * 3);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (unreserved(c) || (keep_slash && c == '/')) {
			b->p[b->len++] = (char)c;
		} else {
			b->p[b->len++] = '%';
			b->p[b->len++] = hexdig[c >> 4];
			b->p[b->len++] = hexdig[c & 15];
		}
	}
}

int pt_iri_file(struct pt_buf *b, const void *path, size_t n)
{
	if (n == 0 || ((const uint8_t *)path)[0] != '/')
		return EINVAL;
	/* RFC 8089: an empty authority, then the absolute path */
	pt_buf_put(b, "file://", 7);
	pt_iri_pct(b, path, n, 1);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

size_t pt_iri_unpct(const char *s, size_t n, uint8_t *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[o++] = (uint8_t)s[i];
			continue;
		}
		if (i + 2 >= n)
			return (size_t)-1;
		int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
		if (hi < 0 || lo < 0)
			return (size_t)-1;
		out[o++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return o;
}

int pt_iri_ok(const char *s, size_t n)
{
	size_t i = 0;

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while (i < n && s[i] != ':') {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '-' || c == '.'))
			return 0;
		i++;
	}
	if (i == n)
		return 0;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || strchr("<>\"{}|^`\\", c))
			return 0;
	}
	return 1;
}

/* ---- literals */

/* Length of the well-formed UTF-8 sequence at p (at most n bytes), or 0. */
size_t pt_utf8_seq(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int pt_utf8_text(const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i = 0;

	while (i < n) {
		if (s[i] == 0)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = pt_utf8_seq(s + i, n - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

void pt_raw_bytes(struct pt_buf *b, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i = 0;

	pt_buf_grow(b, n * 3);
	while (i < n) {
		size_t k = s[i] && s[i] != '%' ? pt_utf8_seq(s + i, n - i) : 0;
		if (k) {
			memcpy(b->p + b->len, s + i, k);
			b->len += k;
			i += k;
		} else {
			b->p[b->len++] = '%';
			b->p[b->len++] = hexdig[s[i] >> 4];
			b->p[b->len++] = hexdig[s[i] & 15];
			i++;
		}
	}
}

size_t pt_xsd_datetime_fmt(char *out, uint64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000u);
	unsigned us = (unsigned)(ns % 1000000000u / 1000u);
	struct tm tm;

	gmtime_r(&secs, &tm);
	int k = snprintf(out, PT_DATETIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, us);
	return k > 0 && k < PT_DATETIME_MAX ? (size_t)k : 0;
}

void pt_xsd_datetime(struct pt_buf *b, uint64_t ns)
{
	char tmp[PT_DATETIME_MAX];

	pt_buf_put(b, tmp, pt_xsd_datetime_fmt(tmp, ns));
}

void pt_lit_escape(struct pt_buf *b, const void *p, size_t n)
{
	const uint8_t *s = p;

	pt_buf_grow(b, n + 8);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		const char *e = NULL;
		unsigned cp = 0;

		switch (c) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\t': e = "\\t"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		default:
			if (c < 0x20 || c == 0x7f)
				cp = c;
			else if (c == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
				cp = s[++i];    /* C1 control, U+0080..U+009F */
			break;
		}
		if (e) {
			pt_buf_puts(b, e);
		} else if (cp) {
			char u[8] = { '\\', 'u', '0', '0', hexdig[cp >> 4], hexdig[cp & 15], 0 };
			pt_buf_put(b, u, 6);
		} else {
			pt_buf_putc(b, (char)c);
		}
	}
}

void pt_term_nt(struct pt_buf *b, const struct pt_term *t)
{
	switch (t->kind) {
	case PT_TERM_IRI:
		pt_buf_putc(b, '<');
		pt_buf_put(b, t->s, t->len);
		pt_buf_putc(b, '>');
		break;
	case PT_TERM_BLANK:
		pt_buf_put(b, "_:", 2);
		pt_buf_put(b, t->s, t->len);
		break;
	default:
		pt_buf_putc(b, '"');
		pt_lit_escape(b, t->s, t->len);
		pt_buf_putc(b, '"');
		if (t->dt) {
			pt_buf_put(b, "^^<", 3);
			pt_buf_puts(b, t->dt);
			pt_buf_putc(b, '>');
		}
		break;
	}
}
