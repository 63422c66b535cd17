/* lgraph.h — the lineage of files as a graph in PROV's conventions (file versions as
 * yellow ellipses, processes as blue boxes, users as orange houses, edges back in time,
 * one cluster per node), laid out by Graphviz: provtrace-graph and provtrace-report. */
#ifndef PT_LGRAPH_H
#define PT_LGRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runset.h"

typedef struct pt_lgraph pt_lgraph;

/* A graph over the run `rs`, which must stay open until pt_lgraph_free(); `all` also
 * draws files under system prefixes (see pt_walk_shown()).  Aborts on allocation
 * failure, as the tools do. */
pt_lgraph *pt_lgraph_new(struct pt_runset *rs, int all);

/* Add the lineage of `path` (normalised, see pt_path_normalise()) back in time (`back`)
 * or forward, up to `max_depth` processes away (~0u: no bound).  Walks add up: a vertex
 * reached twice is drawn once.  Returns 0, ENOENT when no store knows the path, EINVAL
 * once the graph has been written or rendered. */
int pt_lgraph_walk(pt_lgraph *g, const uint8_t *path, size_t plen, int back,
		   unsigned max_depth);

/* Vertices so far; *entities (may be NULL) of them file versions, *edges the edges. */
size_t pt_lgraph_count(const pt_lgraph *g, size_t *entities, size_t *edges);

/* Lay the graph out and write it to f as `format` ("svg", "png", or "dot": the graph as
 * built, unlaid, the same bytes on every machine).  0, or EIO when Graphviz fails. */
int pt_lgraph_write(pt_lgraph *g, const char *format, FILE *f);

/* The same into memory (not "dot"): *data, *len; free *data with pt_lgraph_render_free(). */
int pt_lgraph_render(pt_lgraph *g, const char *format, char **data, size_t *len);
void pt_lgraph_render_free(char *data);

void pt_lgraph_free(pt_lgraph *g);

#endif /* PT_LGRAPH_H */
