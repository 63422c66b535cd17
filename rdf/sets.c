/* sets.c — open-addressing hash tables for the tools (see sets.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sets.h"

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	if (!p) {
		fputs("provtrace: out of memory\n", stderr);
		abort();
	}
	return p;
}

uint64_t pt_hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

static size_t str_find(const struct pt_strset *set, const void *s, size_t len)
{
	size_t mask = set->cap - 1, i = pt_hash_bytes(s, len) & mask;

	while (set->slot[i].p) {
		if (set->slot[i].len == len && memcmp(set->slot[i].p, s, len) == 0)
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

static void str_grow(struct pt_strset *set)
{
	struct pt_strset big = { xcalloc(set->cap ? set->cap * 2 : 64, sizeof *big.slot),
				 set->cap ? set->cap * 2 : 64, set->n };

	for (size_t i = 0; i < set->cap; i++)
		if (set->slot[i].p)
			big.slot[str_find(&big, set->slot[i].p, set->slot[i].len)] = set->slot[i];
	free(set->slot);
	*set = big;
}

int pt_strset_add(struct pt_strset *set, const void *s, size_t len)
{
	size_t i;

	if ((set->n + 1) * 2 > set->cap)
		str_grow(set);
	i = str_find(set, s, len);
	if (set->slot[i].p)
		return 0;
	set->slot[i].p = xcalloc(len + 1, 1);
	memcpy(set->slot[i].p, s, len);
	set->slot[i].len = len;
	set->n++;
	return 1;
}

int pt_strset_has(const struct pt_strset *set, const void *s, size_t len)
{
	return set->cap && set->slot[str_find(set, s, len)].p != NULL;
}

static int str_cmp(const void *a, const void *b)
{
	const struct pt_str *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

struct pt_str *pt_strset_sorted(const struct pt_strset *set)
{
	struct pt_str *v = xcalloc(set->n + 1, sizeof *v);
	size_t k = 0;

	for (size_t i = 0; i < set->cap; i++)
		if (set->slot[i].p)
			v[k++] = set->slot[i];
	qsort(v, k, sizeof *v, str_cmp);
	return v;
}

void pt_strset_free(struct pt_strset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slot[i].p);
	free(set->slot);
	memset(set, 0, sizeof *set);
}

static size_t u64_find(const struct pt_u64map *m, uint64_t key)
{
	size_t mask = m->cap - 1, i = (key * 0x9e3779b97f4a7c15ull) >> 20 & mask;

	while (m->used[i] && m->key[i] != key)
		i = (i + 1) & mask;
	return i;
}

const uint64_t *pt_u64map_find(const struct pt_u64map *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = u64_find(m, key);
	return m->used[i] ? &m->val[i] : NULL;
}

uint64_t *pt_u64map_get(struct pt_u64map *m, uint64_t key, uint64_t init, int *fresh)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct pt_u64map big;
		big.cap = m->cap ? m->cap * 2 : 256;
		big.n = m->n;
		big.key = xcalloc(big.cap, 8);
		big.val = xcalloc(big.cap, 8);
		big.used = xcalloc(big.cap, 1);
		for (size_t j = 0; j < m->cap; j++) {
			if (!m->used[j])
				continue;
			size_t k = u64_find(&big, m->key[j]);
			big.used[k] = 1;
			big.key[k] = m->key[j];
			big.val[k] = m->val[j];
		}
		pt_u64map_free(m);
		*m = big;
	}
	i = u64_find(m, key);
	*fresh = !m->used[i];
	if (*fresh) {
		m->used[i] = 1;
		m->key[i] = key;
		m->val[i] = init;
		m->n++;
	}
	return &m->val[i];
}

void pt_u64map_free(struct pt_u64map *m)
{
	free(m->key);
	free(m->val);
	free(m->used);
	memset(m, 0, sizeof *m);
}
