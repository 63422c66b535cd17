/* wmap.h — a write-back map for the indexer: the session and process records one
 * indexing step reads and rewrites, kept in memory under their (a, b) key and written to
 * LMDB once at the step's end, instead of a B-tree get and put for every record that
 * touches them (an open, each close, each byte total).
 *
 * Values are fixed-size blobs, zeroed when added.  The map owns its memory; pointers it
 * returns stay valid until the next pt_wmap_add (which may grow it) or pt_wmap_clear.
 * Not thread-safe; one map per store handle.
 */
#ifndef PT_WMAP_H
#define PT_WMAP_H

#include <stddef.h>
#include <stdint.h>

struct pt_wmap;

/* A map of values of vsize bytes; NULL when out of memory. */
struct pt_wmap *pt_wmap_new(size_t vsize);
void pt_wmap_free(struct pt_wmap *m);

/* Forget every entry (the memory is kept for the next step). */
void pt_wmap_clear(struct pt_wmap *m);

/* The value under (a, b), or NULL. */
void *pt_wmap_find(struct pt_wmap *m, uint32_t a, uint64_t b);

/* The value under (a, b), added zeroed and clean when absent; NULL when out of memory.
 * `dirty` (when not NULL) says whether the entry must be written back: set it. */
void *pt_wmap_add(struct pt_wmap *m, uint32_t a, uint64_t b, uint8_t **dirty);

size_t pt_wmap_count(const struct pt_wmap *m);

/* Put the entries in (a, b) order, for writing back: after it only pt_wmap_each_dirty
 * and pt_wmap_clear may be called. */
void pt_wmap_sort(struct pt_wmap *m);

/* Call fn for each dirty entry, in the order they were added (or sorted); stops at, and
 * returns, fn's first nonzero result. */
typedef int (*pt_wmap_fn)(void *ctx, uint32_t a, uint64_t b, const void *v);
int pt_wmap_each_dirty(struct pt_wmap *m, pt_wmap_fn fn, void *ctx);

#endif /* PT_WMAP_H */
