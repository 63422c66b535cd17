/* facts.c — the fact table's values: encoding, decoding and series summaries (facts.h).
 * All integers big-endian, as the store's keys, so that a store reads the same anywhere. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"

static void w32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t r32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t r64(const uint8_t *p)
{
	return (uint64_t)r32(p) << 32 | r32(p + 4);
}

void pt_fact_key(uint8_t key[9], uint8_t subject, uint32_t id, uint32_t n)
{
	key[0] = subject;
	w32(key + 1, id);
	w32(key + 5, n);
}

static void put_str(struct pt_buf *b, const char *s)
{
	pt_buf_put(b, s ? s : "", s ? strlen(s) + 1 : 1);
}

void pt_fact_encode(struct pt_buf *b, const struct pt_fact *f, const uint8_t *points,
		    size_t npoints)
{
	uint8_t h[10];

	h[0] = (uint8_t)f->kind;
	h[1] = (uint8_t)f->type;
	w32(h + 2, f->src);
	w32(h + 6, f->pos);
	pt_buf_put(b, h, sizeof h);
	put_str(b, f->item);
	put_str(b, f->key);
	put_str(b, f->value);
	put_str(b, f->where);
	if (npoints)
		pt_buf_put(b, points, npoints * 16);
}

static const char *take_str(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *z = memchr(*p, 0, (size_t)(end - *p));
	const char *s = (const char *)*p;

	if (!z)
		return NULL;
	*p = z + 1;
	return s;
}

int pt_fact_decode(const uint8_t *k, size_t kn, const uint8_t *v, size_t vn, struct pt_fact *f)
{
	const uint8_t *p = v + 10, *end = v + vn;

	memset(f, 0, sizeof *f);
	if (kn != 9 || vn < 14)
		return EINVAL;
	f->subject = k[0];
	f->id = r32(k + 1);
	f->n = r32(k + 5);
	f->kind = v[0];
	f->type = v[1];
	f->src = r32(v + 2);
	f->pos = r32(v + 6);
	if (!(f->item = take_str(&p, end)) || !(f->key = take_str(&p, end)) ||
	    !(f->value = take_str(&p, end)) || !(f->where = take_str(&p, end)))
		return EINVAL;
	if (f->kind == PT_FACT_SERIES) {
		if ((size_t)(end - p) % 16)
			return EINVAL;
		f->points = p;
		f->npoints = (size_t)(end - p) / 16;
	} else if (p != end) {
		return EINVAL;
	}
	return 0;
}

void pt_fact_point(const struct pt_fact *f, size_t i, int64_t *step, double *value)
{
	uint64_t s = r64(f->points + i * 16), x = r64(f->points + i * 16 + 8);

	memcpy(step, &s, sizeof s);
	memcpy(value, &x, sizeof x);
}

struct each {
	pt_fact_each_fn fn;
	void *ctx;
};

static int each_cb(void *ctx, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
	struct each *e = ctx;
	struct pt_fact f;

	if (pt_fact_decode(k, kn, v, vn, &f))
		return 0;
	return e->fn(e->ctx, &f);
}

int pt_facts_each(pt_store *st, uint8_t subject, uint32_t id, pt_fact_each_fn fn, void *ctx)
{
	uint8_t prefix[5];
	struct each e = { fn, ctx };

	prefix[0] = subject;
	w32(prefix + 1, id);
	return pt_store_each_fact(st, prefix, !subject ? 0 : id ? 5 : 1, each_cb, &e);
}

int pt_measure_lower_better(const char *name)
{
	static const char *const words[] = {
		"loss", "error", "err", "mse", "mae", "rmse", "perplexity", "ppl", "wer", "cer",
	};
	char low[256];
	size_t i;

	for (i = 0; name[i] && i + 1 < sizeof low; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = 0;
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strstr(low, words[i]))
			return 1;
	return 0;
}

void pt_series_sum(const struct pt_fact *f, struct pt_series_sum *s)
{
	memset(s, 0, sizeof *s);
	s->lower_better = pt_measure_lower_better(f->item);
	for (size_t i = 0; i < f->npoints; i++) {
		int64_t step;
		double v;
		pt_fact_point(f, i, &step, &v);
		if (isnan(v))
			continue;
		if (!s->n || (s->lower_better ? v < s->best : v > s->best)) {
			s->best = v;
			s->best_step = step;
		}
		s->last = v;
		s->last_step = step;
		s->n++;
	}
}

void pt_fact_double(char *buf, size_t n, double v)
{
	if (isnan(v)) {
		snprintf(buf, n, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, n, v < 0 ? "-INF" : "INF");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	/* an xsd:double lexical form that no reader takes for an integer */
	if (!strpbrk(buf, ".eE") && strlen(buf) + 3 < n)
		strcat(buf, ".0");
}
