/* sets.h — the two hash tables the tools need: a set of byte strings (paths) and a map
 * from 64-bit keys to 64-bit values (graph nodes to time bounds).  Open addressing;
 * the tools abort on allocation failure. */
#ifndef PT_SETS_H
#define PT_SETS_H

#include <stddef.h>
#include <stdint.h>

struct pt_str {
	uint8_t *p;
	size_t len;
};

struct pt_strset {
	struct pt_str *slot;
	size_t cap, n;
};

/* Add a copy of s; returns 1 when it was new, 0 when present. */
int pt_strset_add(struct pt_strset *set, const void *s, size_t len);
int pt_strset_has(const struct pt_strset *set, const void *s, size_t len);
/* The members in byte order (memcmp, shorter first on a tie); free the array only. */
struct pt_str *pt_strset_sorted(const struct pt_strset *set);
void pt_strset_free(struct pt_strset *set);

struct pt_u64map {
	uint64_t *key, *val;
	uint8_t *used;
	size_t cap, n;
};

/* Pointer to the value of key, inserting it (with value `init`) when missing;
 * *fresh tells which. */
uint64_t *pt_u64map_get(struct pt_u64map *m, uint64_t key, uint64_t init, int *fresh);
/* The value of key, or NULL; inserts nothing. */
const uint64_t *pt_u64map_find(const struct pt_u64map *m, uint64_t key);
void pt_u64map_free(struct pt_u64map *m);

uint64_t pt_hash_bytes(const void *p, size_t n);

#endif /* PT_SETS_H */
