/* walk.h — the lineage walk over a run's node stores, shared by provtrace-lineage (the
 * list of files) and provtrace-graph (the PROV picture): what it reaches, and how.
 *
 * A graph node is a 64-bit handle: the store's index in the run set, whether it is an
 * object (file, pipe, socket) or a process image, and its id in that store. */
#ifndef PT_WALK_H
#define PT_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "runset.h"

enum { PT_WALK_OBJ = 0, PT_WALK_PROC = 1 };

#define PT_WALK_NODE(store, type, id) \
	((uint64_t)(store) << 40 | (uint64_t)(type) << 32 | (id))
#define PT_WALK_STORE(n) ((size_t)((n) >> 40))
#define PT_WALK_TYPE(n) ((int)((n) >> 32 & 0xff))
#define PT_WALK_ID(n) ((uint32_t)(n))

/* Edges in PROV's direction (from the later to the earlier): */
enum pt_walk_edge {
	PT_WALK_GENERATED = 1,  /* object `a` written by process `b`; t: its first write */
	PT_WALK_USED = 2,       /* process `a` read object `b`; t: its first read */
	PT_WALK_INFORMED = 3,   /* process `a` began from, or heard from, process `b` */
	PT_WALK_DERIVED = 4,    /* object `a` holds data object `b` held (rename, link,
				   channel); t: when it moved, 0 for always */
};

struct pt_walk_cb {
	/* a file reached as data (what lineage lists): not the start, filtered unless
	 * `all`; name valid during the call.  May be NULL. */
	void (*file)(void *ctx, const uint8_t *name, size_t len);
	/* an edge between two nodes reached within the depth bound.  May be NULL; the
	 * same edge may be reported more than once. */
	void (*edge)(void *ctx, int kind, uint64_t a, uint64_t b, uint64_t t);
	void *ctx;
};

/* Walk from `path` (normalised, see pt_path_normalise()) back in time (`back`) or
 * forward, up to `max_depth` processes away (~0u: no bound); `all` also reports files
 * under system prefixes.  Returns 0, or ENOENT when no store knows the path (nothing is
 * reported then).  Aborts on allocation failure, as the tools do. */
int pt_walk(struct pt_runset *rs, const uint8_t *path, size_t plen, int back,
	    unsigned max_depth, int all, const struct pt_walk_cb *cb);

/* Whether a path is shown by default (not under /usr/, /lib/, /etc/, ...). */
int pt_walk_shown(const uint8_t *p, size_t n);

#endif /* PT_WALK_H */
