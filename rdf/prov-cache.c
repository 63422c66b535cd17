/* prov-cache.c — the memory of the PROV-O mapping (see prov-int.h): sets of 128-bit keys
 * emptied in O(1), and the caches of timelines, IPC channels and read lists, weighed in
 * bytes, whose least recently used items go at safe points when they weigh more than the
 * budget. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov-int.h"

/* ---- kset */

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull + (a << 6) + (a >> 2));

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h;
}

void pt_pv_kset_reset(struct kset *s)
{
	s->n = 0;
	if (++s->cur == 0) {
		if (s->cap)
			memset(s->gen, 0, s->cap * sizeof *s->gen);
		s->cur = 1;
	}
}

static size_t kset_slot(const struct kset *s, uint64_t k1, uint64_t k2)
{
	size_t mask = s->cap - 1, i = mix(k1, k2) & mask;

	while (s->gen[i] == s->cur && !(s->k1[i] == k1 && s->k2[i] == k2))
		i = (i + 1) & mask;
	return i;
}

uint64_t *pt_pv_kset_get(struct kset *s, uint64_t k1, uint64_t k2, uint64_t init, int *fresh)
{
	if (!s->cur)
		s->cur = 1;
	if ((s->n + 1) * 2 > s->cap) {
		struct kset big = { 0 };
		big.cap = s->cap ? s->cap * 2 : 1024;
		big.cur = 1;
		big.k1 = xmalloc(big.cap * 8);
		big.k2 = xmalloc(big.cap * 8);
		big.val = xmalloc(big.cap * 8);
		big.gen = calloc(big.cap, sizeof *big.gen);
		if (!big.gen)
			abort();
		for (size_t i = 0; i < s->cap; i++) {
			if (s->gen[i] != s->cur)
				continue;
			size_t j = kset_slot(&big, s->k1[i], s->k2[i]);
			big.gen[j] = 1;
			big.k1[j] = s->k1[i];
			big.k2[j] = s->k2[i];
			big.val[j] = s->val[i];
		}
		big.n = s->n;
		free(s->k1);
		free(s->k2);
		free(s->val);
		free(s->gen);
		*s = big;
	}
	size_t i = kset_slot(s, k1, k2);
	*fresh = s->gen[i] != s->cur;
	if (*fresh) {
		s->gen[i] = s->cur;
		s->k1[i] = k1;
		s->k2[i] = k2;
		s->val[i] = init;
		s->n++;
	}
	return &s->val[i];
}

void pt_pv_kset_free(struct kset *s)
{
	free(s->k1);
	free(s->k2);
	free(s->val);
	free(s->gen);
	memset(s, 0, sizeof *s);
}

/* ---- caches: filled on demand, each item weighed in bytes; at a safe point (between two
 * top-level items, so that no pointer into them dangles mid-item) the least recently used
 * go when all three weigh more than the budget */

/* What a slot and its index entry cost beside the item's own bytes. */
#define SLOT_BYTES (sizeof(struct cslot) + 2 * (2 * sizeof(uint64_t) + 1))

void *pt_pv_cache_find(pt_prov *pv, struct cache *c, uint64_t key)
{
	const uint64_t *v = pt_u64map_find(&c->idx, key);

	if (!v || !*v)
		return NULL;
	c->item[*v - 1].used = ++pv->clock;
	return c->item[*v - 1].p;
}

/* The stores' pages a walk touches count in its resident size: hand them back now and
 * then (they stay in the page cache), every so many items and cache fills. */
static void drop_pages(pt_prov *pv)
{
	for (size_t i = 0; i < pv->rs.n; i++)
		pt_store_drop_pages(pv->rs.st[i]);
}

void pt_pv_cache_put(pt_prov *pv, struct cache *c, uint64_t key, void *item, size_t bytes)
{
	int fresh;
	uint64_t *v = pt_u64map_get(&c->idx, key, 0, &fresh);

	GROW(c->item, c->n, c->cap);
	c->item[c->n++] = (struct cslot){ key, ++pv->clock, bytes + SLOT_BYTES, item };
	*v = c->n;
	pv->weight += bytes + SLOT_BYTES;
	if (pv->weight > pv->peak)
		pv->peak = pv->weight;
	if ((++pv->fills & 0x3f) == 0)
		drop_pages(pv);
}

/* Keep the items used after `cut` (all when cut is 0, none when UINT64_MAX); returns the
 * bytes freed.  The index is rebuilt for the slots that stay. */
static size_t cache_keep(struct cache *c, uint64_t cut)
{
	size_t freed = 0, k = 0;

	pt_u64map_free(&c->idx);
	for (size_t i = 0; i < c->n; i++) {
		if (c->item[i].used <= cut) {
			freed += c->item[i].bytes;
			c->free_item(c->item[i].p);
			continue;
		}
		int fresh;
		c->item[k++] = c->item[i];
		*pt_u64map_get(&c->idx, c->item[k - 1].key, 0, &fresh) = k;
	}
	c->n = k;
	if (!k) {
		free(c->item);
		c->item = NULL;
		c->cap = 0;
	}
	return freed;
}

static void tl_free(void *p)
{
	struct tl *t = p;
	free(t->e);
	free(t);
}

static void comp_free(void *p)
{
	struct comp *c = p;
	free(c->w);
	free(c);
}

static void pl_free(void *p)
{
	struct plist *l = p;
	free(l->r);
	free(l->e);
	free(l->m);
	free(l);
}

void pt_pv_caches_init(pt_prov *pv)
{
	pv->tl.free_item = tl_free;
	pv->comp.free_item = comp_free;
	pv->pl.free_item = pl_free;
}

void pt_pv_caches_clear(pt_prov *pv)
{
	struct cache *all[] = { &pv->tl, &pv->comp, &pv->pl };

	for (size_t i = 0; i < 3; i++)
		cache_keep(all[i], UINT64_MAX);
	pv->weight = 0;
}

struct age {
	uint64_t used;
	size_t bytes;
};

static int age_cmp(const void *a, const void *b)
{
	const struct age *x = a, *y = b;
	return (x->used > y->used) - (x->used < y->used);
}

/* Evict the least recently used items of the k caches c until all weigh at most `to`:
 * their ages sorted, the cut is the last use of the youngest item that goes. */
static void evict_lru(pt_prov *pv, struct cache **c, size_t k, size_t to)
{
	size_t n = 0, m = 0, w = pv->weight;

	for (size_t i = 0; i < k; i++)
		n += c[i]->n;
	if (!n)
		return;
	struct age *a = xmalloc(n * sizeof *a);
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < c[i]->n; j++)
			a[m++] = (struct age){ c[i]->item[j].used, c[i]->item[j].bytes };
	qsort(a, n, sizeof *a, age_cmp);
	uint64_t cut = 0;
	for (size_t i = 0; i < n && w > to; i++) {
		w -= a[i].bytes;
		cut = a[i].used;
	}
	free(a);
	for (size_t i = 0; i < k && cut; i++)
		pv->weight -= cache_keep(c[i], cut);
}

/* Down to half the budget: first the read lists and IPC channels, each rebuilt from the
 * sessions of one process or channel, then, only if they are not enough, the timelines,
 * small but each rebuilt from every use of its file in every store, and needed by every
 * process that read the file. */
static void evict(pt_prov *pv)
{
	struct cache *lists[] = { &pv->pl, &pv->comp }, *all[] = { &pv->pl, &pv->comp, &pv->tl };

	evict_lru(pv, lists, 2, pv->budget / 2);
	if (pv->weight > pv->budget / 2)
		evict_lru(pv, all, 3, pv->budget / 2);
	pv->evictions++;
}

void pt_pv_safe_point(pt_prov *pv)
{
	if (pv->weight > pv->budget)
		evict(pv);
	if ((++pv->items & 0x1ff) == 0)
		drop_pages(pv);
}

void pt_prov_cache_stats(const pt_prov *pv, struct pt_prov_cache_stats *s)
{
	*s = (struct pt_prov_cache_stats){ pv->budget, pv->peak, pv->fills, pv->evictions };
}
