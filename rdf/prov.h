/* prov.h — the PROV-O mapping of a run: a streaming, deterministic producer of the
 * triples that describe every node store of a run directory (or one store file).
 *
 * The producer hands each triple to a callback and keeps no graph: memory grows with the
 * largest single process (its sessions) and the largest single file (its accesses), and
 * with bounded caches, not with the number of events.  The same stores always give the
 * same triples in the same order: stores in name order, processes and objects in store id
 * order, everything else sorted by stable keys (never by hash or pointer).
 *
 * Lifecycle.  pt_prov_open() → pt_prov_emit() (once) → pt_prov_close().  A handle is used
 * by one thread and must not cross fork().  Between open and emit a caller may read the
 * run IRI, the graph IRI and the prefixes.
 *
 * Errors.  Functions return 0, an errno value, or a store error (see pt_strerror());
 * pt_prov_emit() also returns the first non-zero value the callback returned, at which
 * point it stops.
 *
 * The mapping (terms in provtrace-export(1) and share/provtrace.ttl):
 *   run (run.json)          → prov:Activity, pt:Run
 *   process image           → prov:Activity, pt:Process: times, wasInformedBy its parent,
 *                             pre-exec image and IPC peers, wasAssociatedWith its user,
 *                             qualifiedAssociation with hadPlan the executable, atLocation
 *                             its host, argv/cwd/env/exit/rusage/libraries, pt:run
 *   file path               → prov:Entity, pt:File, <file:///...>
 *   file version            → prov:Entity, pt:FileVersion specializationOf its file: one per
 *                             write session, one per rename or link, one for the content a
 *                             file had before the run (when read); wasGeneratedBy,
 *                             wasRevisionOf, wasDerivedFrom what the writer (or the
 *                             processes it heard from, or its parent before the fork)
 *                             read before the write ended
 *   read session            → prov:used + prov:qualifiedUsage
 *   MPI rank                → pt:mpiRank, pt:mpiWorldSize, pt:mpiJob, pt:mpiLibrary on its
 *                             process; wasInformedBy each rank it received data from (found
 *                             on any node), with a qualified pt:MPIPointToPoint (messages,
 *                             bytes) or pt:MPICollective (calls, per sending member) per
 *                             record; versions derive from what those peers read before
 *                             they last sent, as provtrace lineage walks it
 *   MPI-IO session          → a read or write session like POSIX ones, pt:MPIIOAccess with
 *                             pt:mpiioBytes (the POSIX I/O underneath keeps pt:bytes)
 *   coverage gap            → pt:CoverageGap; losses as counts on processes and nodes
 */
#ifndef PT_PROV_H
#define PT_PROV_H

#include <stddef.h>
#include <stdint.h>

#include "collector/store.h"
#include "iri.h"
#include "rules.h"

typedef struct pt_prov pt_prov;

/* Receives one triple.  Terms are valid only during the call.  Return 0 to go on. */
typedef int (*pt_triple_fn)(void *ctx, const struct pt_term *s, const struct pt_term *p,
			    const struct pt_term *o);

struct pt_prov_opts {
	const char *base;            /* run IRI (absolute, see pt_iri_ok); NULL: derived */
	const pt_rules *rules;       /* ML typing; NULL: none (the handle does not own it) */
	int all_sources;             /* derive from system files too (/usr, /lib, /etc, ...) */
	uint64_t max_sources;        /* per version; 0: no limit */
	size_t cache_bytes;          /* the caches' budget in bytes; 0: PT_PROV_CACHE_BYTES */
};

/* The default budget of the export's caches: the least recently used of its file
 * histories and process inputs go beyond it (and are rebuilt if needed again). */
#define PT_PROV_CACHE_BYTES ((size_t)32 << 20)

/* Take o->cache_bytes from PROVTRACE_EXPORT_CACHE (bytes, or with k, M or G) when set;
 * a value that is not a size: a line on stderr, prefixed with prog, and -1. */
int pt_prov_cache_env(struct pt_prov_opts *o, const char *prog);

#define PT_PROV_MAX_SOURCES 4096

/* Open the run at `path` (a run directory or one store file). */
int pt_prov_open(const char *path, const struct pt_prov_opts *o, pt_prov **out);
void pt_prov_close(pt_prov *pv);

/* The run activity's IRI, and the named graph that N-Quads put the run in. */
const char *pt_prov_run_iri(const pt_prov *pv);
const char *pt_prov_graph_iri(const pt_prov *pv);

/* Namespace prefixes the output uses, in a fixed order: i from 0 while it returns 1. */
int pt_prov_prefix(const pt_prov *pv, size_t i, const char **name, const char **iri);

/* Produce every triple of the run. */
int pt_prov_emit(pt_prov *pv, pt_triple_fn fn, void *ctx);

/* Where the producer is, for a progress line: a phase name and counts. */
struct pt_prov_progress {
	const char *phase;           /* "processes", "files", ... */
	uint64_t done, total;        /* in this phase (total 0: unknown) */
	uint64_t triples;
};
void pt_prov_progress(const pt_prov *pv, struct pt_prov_progress *p);

/* What the caches did (PROVTRACE_DEBUG's line after an export). */
struct pt_prov_cache_stats {
	size_t budget, peak;         /* bytes: the most allowed, the most held */
	uint64_t fills, evictions;   /* items read from the stores; safe points that evicted */
};
void pt_prov_cache_stats(const pt_prov *pv, struct pt_prov_cache_stats *s);

#endif /* PT_PROV_H */
