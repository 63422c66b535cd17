/* wmap.c — the indexer's write-back map (wmap.h): entries in one array, in the order they
 * were added, found through an open-addressing table of their indices. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wmap.h"

struct ent {
	uint64_t b;
	uint32_t a;
	uint8_t dirty;
	/* then the value, at offsetof-aligned VOFF */
};

#define VOFF ((sizeof(struct ent) + 15) & ~(size_t)15)

struct pt_wmap {
	size_t vsize, esize;
	uint8_t *ents;        /* n entries of esize bytes */
	size_t n, cap;
	uint32_t *slot;       /* 1 + entry index; 0 empty */
	size_t nslot;         /* a power of two, at least twice n */
};

static uint64_t hash(uint32_t a, uint64_t b)
{
	uint64_t h = (b ^ ((uint64_t)a << 32 | a)) * 0x9e3779b97f4a7c15ull;

	return h ^ h >> 29;
}

static struct ent *ent_at(const struct pt_wmap *m, size_t i)
{
	return (struct ent *)(m->ents + i * m->esize);
}

struct pt_wmap *pt_wmap_new(size_t vsize)
{
	struct pt_wmap *m = calloc(1, sizeof *m);

	if (!m)
		return NULL;
	m->vsize = vsize;
	m->esize = (VOFF + vsize + 15) & ~(size_t)15;
	return m;
}

void pt_wmap_free(struct pt_wmap *m)
{
	if (!m)
		return;
	free(m->ents);
	free(m->slot);
	free(m);
}

void pt_wmap_clear(struct pt_wmap *m)
{
	m->n = 0;
	if (m->slot)
		memset(m->slot, 0, m->nslot * sizeof *m->slot);
}

size_t pt_wmap_count(const struct pt_wmap *m)
{
	return m->n;
}

/* the table slot holding (a, b), or the empty one where it would go */
static uint32_t *lookup(struct pt_wmap *m, uint32_t a, uint64_t b)
{
	size_t mask = m->nslot - 1;

	for (size_t i = hash(a, b) & mask;; i = (i + 1) & mask) {
		uint32_t s = m->slot[i];
		if (!s)
			return &m->slot[i];
		struct ent *e = ent_at(m, s - 1);
		if (e->a == a && e->b == b)
			return &m->slot[i];
	}
}

void *pt_wmap_find(struct pt_wmap *m, uint32_t a, uint64_t b)
{
	uint32_t s;

	if (!m->n)
		return NULL;
	s = *lookup(m, a, b);
	return s ? (uint8_t *)ent_at(m, s - 1) + VOFF : NULL;
}

static int grow(struct pt_wmap *m)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		uint8_t *e = realloc(m->ents, cap * m->esize);
		if (!e)
			return -1;
		m->ents = e;
		m->cap = cap;
	}
	if (2 * (m->n + 1) > m->nslot) {
		size_t nslot = m->nslot ? m->nslot * 2 : 4096;
		uint32_t *t = calloc(nslot, sizeof *t);
		if (!t)
			return -1;
		free(m->slot);
		m->slot = t;
		m->nslot = nslot;
		for (size_t i = 0; i < m->n; i++) {
			struct ent *e = ent_at(m, i);
			*lookup(m, e->a, e->b) = (uint32_t)(i + 1);
		}
	}
	return 0;
}

void *pt_wmap_add(struct pt_wmap *m, uint32_t a, uint64_t b, uint8_t **dirty)
{
	uint32_t *s;
	struct ent *e;

	if (m->n && (s = lookup(m, a, b)) && *s) {
		e = ent_at(m, *s - 1);
	} else {
		if (m->n >= UINT32_MAX - 1 || grow(m) < 0)
			return NULL;
		s = lookup(m, a, b);
		e = ent_at(m, m->n);
		memset(e, 0, m->esize);
		e->a = a;
		e->b = b;
		*s = (uint32_t)++m->n;
	}
	if (dirty)
		*dirty = &e->dirty;
	return (uint8_t *)e + VOFF;
}

int pt_wmap_each_dirty(struct pt_wmap *m, pt_wmap_fn fn, void *ctx)
{
	for (size_t i = 0; i < m->n; i++) {
		struct ent *e = ent_at(m, i);
		int r;
		if (e->dirty && (r = fn(ctx, e->a, e->b, (uint8_t *)e + VOFF)))
			return r;
	}
	return 0;
}

static int by_key(const void *x, const void *y)
{
	const struct ent *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

void pt_wmap_sort(struct pt_wmap *m)
{
	if (m->n > 1)
		qsort(m->ents, m->n, m->esize, by_key);
	/* the table no longer matches: only a clear may follow */
	if (m->slot)
		memset(m->slot, 0, m->nslot * sizeof *m->slot);
}
