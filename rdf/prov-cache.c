/* prov-cache.c — the memory of the PROV-O mapping (see prov-int.h): sets of 128-bit keys
 * emptied in O(1), and the caches of timelines, session lists, IPC channels and read
 * lists, emptied as a whole at safe points when they weigh more than the budget. */
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

/* ---- caches: filled on demand, emptied as a whole between two top-level items when
 * they hold more than the budget (so that no pointer into them dangles mid-item) */

void *pt_pv_cache_find(struct cache *c, uint64_t key)
{
	int fresh;
	uint64_t *v = pt_u64map_get(&c->idx, key, 0, &fresh);

	return *v ? c->item[*v - 1] : NULL;
}

void pt_pv_cache_put(struct cache *c, uint64_t key, void *item)
{
	int fresh;
	uint64_t *v = pt_u64map_get(&c->idx, key, 0, &fresh);

	GROW(c->item, c->n, c->cap);
	c->item[c->n++] = item;
	*v = c->n;
}

static void cache_clear(struct cache *c, void (*free_item)(void *))
{
	for (size_t i = 0; i < c->n; i++)
		free_item(c->item[i]);
	free(c->item);
	pt_u64map_free(&c->idx);
	memset(c, 0, sizeof *c);
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

static void sidl_free(void *p)
{
	struct sidl *l = p;
	free(l->e);
	free(l);
}

void pt_pv_caches_clear(pt_prov *pv)
{
	cache_clear(&pv->sids, sidl_free);
	cache_clear(&pv->tl, tl_free);
	cache_clear(&pv->comp, comp_free);
	cache_clear(&pv->pl, pl_free);
	pv->weight = 0;
}

/* The stores' pages a walk touches count in its resident size: hand them back now and
 * then (they stay in the page cache), every so many items and cache fills. */
static void drop_pages(pt_prov *pv)
{
	for (size_t i = 0; i < pv->rs.n; i++)
		pt_store_drop_pages(pv->rs.st[i]);
}

void pt_pv_filled(pt_prov *pv)
{
	if ((++pv->fills & 0x3f) == 0)
		drop_pages(pv);
}

void pt_pv_safe_point(pt_prov *pv)
{
	if (pv->weight > pv->budget)
		pt_pv_caches_clear(pv);
	if ((++pv->items & 0x1ff) == 0)
		drop_pages(pv);
}
