/* prov-int.h — what the files of the PROV-O mapping (API: prov.h) share: the handle, the
 * keys of file versions, the items its caches hold, and the helpers that make triples.
 * Not installed.
 *
 * The files:
 *   prov.c             the driver: open, the walk in its fixed order, close; the API of
 *                      prov.h
 *   prov-activities.c  the run, hosts, users; each process's block and the blocks of its
 *                      qualified terms; coverage gaps
 *   prov-cache.c       memory: the key sets, the caches and their safe points
 *   prov-iri.c         the IRIs of the run's things: run, processes, hosts, users, files,
 *                      versions
 *   prov-entities.c    files and versions: usages, generations, revisions, sources,
 *                      content identity; initial, external and moved versions
 *   prov-versions.c    a file's timeline over every store; the version a read saw or a
 *                      write revised; external changes
 *   prov-derive.c      derivations: what each process read, whom it heard from over pipes,
 *                      sockets and MPI, and the walk that gives a version its sources
 *   prov-mpi.c         ranks: the flows of data into each, its properties and
 *                      communications, spawns; the run's send/receive check
 *   prov-ml.c          ML facts: hyperparameters, model evaluations, file descriptions
 *   prov-cuda.c        the one pass over the logs (CUDA summaries, MPI_INIT); GPUs and
 *                      kernel, copy and set summaries
 *
 * Lifecycle of a handle (one thread): pt_prov_open() reads run.json and the stores'
 * processes once (hosts, users, executables) and names the run; pt_prov_emit() makes one
 * pass over the logs (CUDA summaries, MPI_INIT), then writes the run, its hosts and users,
 * counts the coverage gaps per process, and walks, store by store in name order, the
 * processes (each in two passes: its own block, then the blocks of its qualified terms
 * and the versions it wrote), the files, the executables no store opened, and the gaps.
 * Every triple goes through emit() to the caller's pt_triple_fn (rdf/export.c's
 * serializers, query.c's model, publish.c's upload).  The first non-zero return of the
 * callback is kept in pv->err: emit() makes no more calls and the walks stop at their
 * next check.
 *
 * Caches.  Timelines, IPC channels and per-process read lists are filled
 * on demand from the stores, each weighed in the bytes it holds.  At a safe point (between
 * two processes or two files), when all three weigh more than the budget, the least
 * recently used items go until they weigh half of it: a pointer into a cache is valid
 * until the next safe point.  An evicted item is rebuilt, the same, when it is needed
 * again, so the budget changes time and memory, never the triples.
 *
 * Names.  The triple helpers are static inline here, as they were static in one file, so
 * that each file's constant predicates still fold into their calls. */
#ifndef PT_PROV_INT_H
#define PT_PROV_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/store.h"
#include "iri.h"
#include "prov.h"
#include "rules.h"
#include "runset.h"
#include "sets.h"

/* ---- vocabulary */

#define RDF_TYPE PT_NS_RDF "type"
#define RDFS_LABEL PT_NS_RDFS "label"
#define PROV(x) PT_NS_PROV x
#define PT(x) PT_NS_PT x

/* ---- keys */

enum { V_NONE = 0, V_V0 = 1, V_WRITE = 2, V_MOVE = 3, V_EXT = 4 };

/* A file version: V0 (canonical store, obj), WRITE (store, proc, sid), MOVE (store,
 * destination obj, ts), EXT (canonical store, obj, first read of it).  Packed into two
 * words for sets and sorting. */
struct ver {
	uint32_t kind, store, id;
	uint64_t x;
};

static inline uint64_t ver_k1(const struct ver *v)
{
	return (uint64_t)v->kind << 56 | (uint64_t)v->store << 32 | v->id;
}

static inline int ver_cmp(const void *a, const void *b)
{
	const struct ver *x = a, *y = b;
	uint64_t a1 = ver_k1(x), b1 = ver_k1(y);

	if (a1 != b1)
		return a1 < b1 ? -1 : 1;
	return (x->x > y->x) - (x->x < y->x);
}

enum { E_WRITE = 1, E_MOVE = 2, E_GONE = 3, E_EXT = 4 };

struct tl_ent {
	uint64_t t, x;          /* time; WRITE: sid, MOVE: ts, EXT: the read that saw it */
	uint32_t id, src;       /* WRITE: proc; MOVE: destination obj, source obj */
	uint16_t store;
	uint8_t kind, flow;     /* MOVE: PT_FLOW_RENAME or PT_FLOW_LINK */
};

/* The timeline of one file path. */
struct tl {
	int is_file, has_v0, sys, has_sym;
	uint32_t cstore, cobj;          /* canonical: the first store that knows the path */
	uint32_t sym_store, sym_obj;    /* a symbolic link: its target */
	size_t n;
	struct tl_ent *e;
};

struct rd {                     /* a read of a file by a process */
	uint64_t t;
	struct ver v;
	int sys;
};

struct ie {                     /* data heard from another process over IPC */
	uint64_t t, rend, wfirst, wend;
	uint32_t q;
};

/* Data heard from an MPI peer, on any node: from its first receipt (t) on, the peer as
 * it was up to `reach`, the earlier of the latest receipt and the peer's latest send to
 * this rank.  Sorted by peer and t, with reach the furthest of the peer's entries so far,
 * and only the entries that reach further kept: the last entry of a peer that began
 * before a bound says how far the peer is walked, however many kinds of messages and
 * collectives carried its data. */
struct mpe {
	uint64_t t, reach;
	uint32_t qs, q;
};

struct plist {
	struct pt_proc_rec rec;
	struct rd *r;
	size_t nr;
	struct ie *e;
	size_t ne;
	struct mpe *m;
	size_t nm;
	int spawned;                 /* an MPI rank whose spawning rank is in the run: */
	uint32_t sps, sp;            /* its store and image */
};

struct cw {                     /* a write session into an IPC channel */
	uint32_t proc;
	uint64_t wfirst, end;
};

struct comp {
	struct cw *w;
	size_t n;
};

/* One cached item: its key, its weight in bytes (what it holds in the heap) and when it
 * was last found or put (pv->clock), for eviction. */
struct cslot {
	uint64_t key, used;
	size_t bytes;
	void *p;
};

struct cache {
	struct pt_u64map idx;   /* key → slot + 1 */
	struct cslot *item;
	size_t n, cap;
	void (*free_item)(void *);
};

/* A file session of one process: the identity its close saw. */
struct sid_ent {
	uint64_t sid, close;
	struct pt_file_id id;
};

/* A set of 128-bit keys with a value each, emptied in O(1) by a generation stamp. */
struct kset {
	uint64_t *k1, *k2, *val;
	uint32_t *gen;
	size_t cap, n;
	uint32_t cur;
};

struct runinfo {
	int have;
	struct pt_buf host, version, slurm, command;
	int have_host, have_version, have_slurm, have_command;
	uint64_t start_ns, end_ns;
	int64_t exit, signal, user;
	int have_start, have_end, have_exit, have_signal, have_user;
};

struct stack_item;            /* the derivation walk's stack (prov-derive.c) */
struct cuda_list;             /* the log pass's records of one store (prov-cuda.c) */

struct pt_prov {
	struct pt_runset rs;
	struct pt_strset v0content;   /* initial versions whose content was said, with it */
	struct pt_prov_opts opt;
	struct runinfo ri;
	char *run;
	size_t runlen;
	char *graph;
	const pt_rules *rules;
	pt_rules *own_rules;

	pt_triple_fn fn;
	void *ctx;
	int err;
	uint64_t triples;
	const char *phase;
	uint64_t done, total;

	struct cache tl, comp, pl;
	size_t weight, budget;       /* bytes the caches hold, and the most they may */
	size_t peak;                 /* the most they held */
	uint64_t clock;              /* cache uses so far: the age of an item */
	uint64_t evictions;          /* safe points that evicted */

	struct pt_strset exes, hosts;
	struct pt_u64map uids;
	struct pt_u64map gaps_of;    /* store << 32 | image -> coverage gaps it holds */
	struct kset vset, memo;
	struct kset ranks;           /* (MPI job, rank) -> store << 32 | image, found once */
	struct stack_item *stack;
	size_t nstack, capstack;
	struct ver *srcs;
	size_t nsrcs, capsrcs;

	/* scratch: the subject, an object, and the names and words they are built from */
	struct pt_buf s, o, o2, name, tmp, words;
	uint32_t cur_proc;           /* the process whose block is being written */
	struct cuda_list *cuda;      /* per store, sorted */
	struct pt_strset gpus;       /* devices described so far */
	struct pt_strset mlterms;    /* hyperparameters and measures described so far */
	int ml;                      /* the rules extract facts: write them */
	int depth;                   /* timelines being filled inside one another */
	uint64_t items;              /* top-level items walked (safe points) */
	uint64_t fills;              /* cache entries filled from the stores */
};

static inline void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fputs("provtrace: out of memory\n", stderr);
		abort();
	}
	return p;
}

static inline void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("provtrace: out of memory\n", stderr);
		abort();
	}
	return p;
}

#define GROW(arr, n, cap)                                                               \
	do {                                                                             \
		if ((n) == (cap)) {                                                      \
			(cap) = (cap) ? (cap) * 2 : 64;                                  \
			(arr) = xrealloc((arr), (cap) * sizeof *(arr));                  \
		}                                                                        \
	} while (0)

/* A session that moved a file's data: POSIX I/O, or MPI-IO as the rank asked for it (the
 * POSIX I/O underneath, maybe another rank's, is a session of its own). */
static inline int file_session(uint32_t kind)
{
	return kind == PT_KIND_FILE || kind == PT_KIND_MPI_FILE;
}

/* ---- emitting */

static inline int emit(pt_prov *pv, const struct pt_buf *s, const char *p,
		       const struct pt_term *o)
{
	struct pt_term ts = { PT_TERM_IRI, s->p, s->len, NULL };
	struct pt_term tp = { PT_TERM_IRI, p, strlen(p), NULL };

	if (pv->err)
		return pv->err;
	pv->triples++;
	pv->err = pv->fn(pv->ctx, &ts, &tp, o);
	return pv->err;
}

static inline void e_iri(pt_prov *pv, const struct pt_buf *s, const char *p, const char *iri,
			 size_t n)
{
	struct pt_term o = { PT_TERM_IRI, iri, n, NULL };
	emit(pv, s, p, &o);
}

static inline void e_buf(pt_prov *pv, const struct pt_buf *s, const char *p,
			 const struct pt_buf *o)
{
	e_iri(pv, s, p, o->p, o->len);
}

static inline void e_type(pt_prov *pv, const struct pt_buf *s, const char *cls)
{
	e_iri(pv, s, RDF_TYPE, cls, strlen(cls));
}

static inline void e_lit(pt_prov *pv, const struct pt_buf *s, const char *p, const char *lex,
			 size_t n, const char *dt)
{
	struct pt_term o = { PT_TERM_LITERAL, lex, n, dt };
	emit(pv, s, p, &o);
}

static inline void e_int(pt_prov *pv, const struct pt_buf *s, const char *p, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
	e_lit(pv, s, p, tmp, (size_t)n, PT_DT_INTEGER);
}

static inline void e_uint(pt_prov *pv, const struct pt_buf *s, const char *p, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
	e_lit(pv, s, p, tmp, (size_t)n, PT_DT_INTEGER);
}

static inline void e_bool(pt_prov *pv, const struct pt_buf *s, const char *p, int v)
{
	e_lit(pv, s, p, v ? "true" : "false", v ? 4 : 5, PT_DT_BOOLEAN);
}

static inline void e_time(pt_prov *pv, const struct pt_buf *s, const char *p, uint64_t ns)
{
	char tmp[PT_DATETIME_MAX];
	size_t n = pt_xsd_datetime_fmt(tmp, ns);

	e_lit(pv, s, p, tmp, n, PT_DT_DATETIME);
}

/* Bytes from the program: a plain string when they are text, else pt:rawBytes. */
static inline void e_text(pt_prov *pv, const struct pt_buf *s, const char *p,
			  const void *bytes, size_t n)
{
	if (pt_utf8_text(bytes, n)) {
		e_lit(pv, s, p, bytes, n, NULL);
		return;
	}
	pv->tmp.len = 0;
	pt_raw_bytes(&pv->tmp, bytes, n);
	e_lit(pv, s, p, pv->tmp.p, pv->tmp.len, PT_DT_RAWBYTES);
}

static inline void e_str(pt_prov *pv, const struct pt_buf *s, const char *p, const char *str)
{
	e_lit(pv, s, p, str, strlen(str), NULL);
}

/* ---- rule terms */

static inline void e_rules(pt_prov *pv, const struct pt_buf *s, int kind, const char *subject,
			  const char *pred)
{
	const char *terms[64];
	size_t n = pt_rules_match(pv->rules, kind, subject, terms, 64);

	for (size_t i = 0; i < n; i++)
		e_iri(pv, s, pred, terms[i], strlen(terms[i]));
}

static inline int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* ---- memory (prov-cache.c) */

/* Empty the set, in O(1). */
void pt_pv_kset_reset(struct kset *s);
/* The value of (k1, k2); a fresh key (*fresh 1) gets init.  Valid until the next get. */
uint64_t *pt_pv_kset_get(struct kset *s, uint64_t k1, uint64_t k2, uint64_t init, int *fresh);
void pt_pv_kset_free(struct kset *s);

/* Set up the three caches (their items' free functions). */
void pt_pv_caches_init(pt_prov *pv);
/* The item cached under key, or NULL (a use: it ages last). */
void *pt_pv_cache_find(pt_prov *pv, struct cache *c, uint64_t key);
/* Cache a item just filled from the stores, after a find of key that gave NULL; bytes:
 * what it holds in the heap (PT_PV_FIT gives each array's).  Its stores' pages go back
 * now and then. */
void pt_pv_cache_put(pt_prov *pv, struct cache *c, uint64_t key, void *item, size_t bytes);
/* Free every cached item (they weigh nothing after). */
void pt_pv_caches_clear(pt_prov *pv);
/* Between two top-level items: evict the least recently used items when over budget. */
void pt_pv_safe_point(pt_prov *pv);

/* arr (n elements) shrunk to fit; evaluates to the bytes it holds. */
static inline void *pt_pv_shrink(void *p, size_t bytes)
{
	void *q = p && bytes ? realloc(p, bytes) : NULL;

	return q ? q : p;
}
#define PT_PV_FIT(arr, n) ((arr) = pt_pv_shrink((arr), (n) * sizeof *(arr)), (n) * sizeof *(arr))

/* ---- the IRIs of the run's things (prov-iri.c), each written into b from its start */

/* RUN followed by tail */
void pt_pv_iri_run(pt_prov *pv, struct pt_buf *b, const char *tail);
/* RUN/proc/HOST/PID/START_NS; an image the store's index lost: RUN/proc/STORE/id/ID */
void pt_pv_iri_proc_rec(pt_prov *pv, struct pt_buf *b, const struct pt_proc_rec *r);
void pt_pv_iri_proc(pt_prov *pv, struct pt_buf *b, size_t s, uint32_t proc);
void pt_pv_iri_host(pt_prov *pv, struct pt_buf *b, const char *host, size_t n);
void pt_pv_iri_user(pt_prov *pv, struct pt_buf *b, uint64_t uid);
/* The name of object obj of store s, NUL-terminated, into out (the store's own buffer is
 * reused by its next lookup); its kind, or 0 when the store does not know it. */
uint32_t pt_pv_obj_name(pt_prov *pv, size_t s, uint32_t obj, struct pt_buf *out);
/* file:///PATH */
void pt_pv_iri_file(struct pt_buf *b, const struct pt_buf *path);
/* A version: PROCESS/wSID, RUN/v0PATH, RUN/vx/READ_NS PATH, RUN/mv/STORE/NS PATH.  The
 * path is looked up into pv->name. */
void pt_pv_iri_ver(pt_prov *pv, struct pt_buf *b, const struct ver *v);

/* ---- the log pass, CUDA (prov-cuda.c) */

/* Read every store's log once: its CUDA summaries and MPI_INIT records, kept until
 * pt_pv_cuda_free(). */
int pt_pv_cuda_collect(pt_prov *pv);
void pt_pv_cuda_free(pt_prov *pv);
/* The CUDA of pv->cur_proc of store s, process P: pass 1, the properties in its block;
 * pass 2, the blocks of its GPUs (once per run) and summaries. */
void pt_pv_emit_cuda(pt_prov *pv, size_t s, const struct pt_buf *P, int pass);
/* The MPI_INIT record of image proc of store s, parsed into ev: 1, or 0 when none. */
int pt_pv_log_mpi_init(const pt_prov *pv, size_t s, uint32_t proc, struct pt_ev *ev);

/* ---- file versions (prov-versions.c) */

/* The timeline of the path of object obj of store s (is_file 0: not a file's path). */
struct tl *pt_pv_get_tl(pt_prov *pv, size_t s, uint32_t obj);
/* The version of (s, obj) at time when, for a read or a write (V_NONE: none); depth: the
 * symbolic links followed so far, 0 from outside. */
struct ver pt_pv_resolve(pt_prov *pv, size_t s, uint32_t obj, uint64_t when, int for_write,
			 int depth);

/* One flow of data into the rank: a point-to-point record of a receiving kind, or one
 * sending member of a collective record. */
struct mpi_flow {
	int found;                   /* the sender is in a store of the run (else: qs, q 0) */
	uint32_t qs, q;              /* the sender's store and image */
	int32_t from, to;            /* its world rank, and the receiver's */
	uint32_t op;
	int coll;
	uint32_t comm;               /* collectives: the receiver's number for it */
	int32_t root;                /* a world rank, -1: none or several */
	struct pt_mpi_comm cm;
	const struct pt_mpi_traffic *t;
	const struct pt_mpi_calls *c;
};

typedef void (*mpi_flow_fn)(pt_prov *pv, void *ctx, const struct mpi_flow *f);

/* ---- processes */

struct proc_emit {
	pt_prov *pv;
	size_t store;
	const struct pt_proc_rec *rec;
	struct pt_buf piri;          /* the process's IRI */
	struct pt_buf path;          /* a file's path */
	struct pt_buf x;             /* another IRI */
	int pass;
	struct pt_buf models;        /* the model versions it wrote: obj:u32 | IRI NUL, ... */
};

/* ---- MPI (prov-mpi.c) */

/* Each flow of data into image proc of store s, to fn, in the store's order (point to
 * point by peer and kind, then collectives by communicator, kind, root and sending
 * member), senders that no store holds included; 0 when the image is not a rank. */
int pt_pv_mpi_flows(pt_prov *pv, size_t s, uint32_t proc, mpi_flow_fn fn, void *ctx);
/* The rank that spawned image proc of store s, when a store of the run holds it: 1. */
int pt_pv_mpi_spawner(pt_prov *pv, size_t s, uint32_t proc, uint32_t *qs, uint32_t *q);
/* The run's pt:mpiConsistent and pt:mpiMismatch, on S. */
void pt_pv_emit_mpi_check(pt_prov *pv, const struct pt_buf *S);
/* A rank's MPI: pass 1, what its process's block says (inf: the images of its store
 * already said to inform it, sorted); pass 2, the blocks of its communications. */
void pt_pv_emit_mpi(pt_prov *pv, struct proc_emit *pe, const struct plist *l,
		    const uint32_t *inf, size_t ninf, int pass);

/* ---- derivations (prov-derive.c) */

/* What image proc of store s read, heard over IPC and MPI, and who spawned it (cached). */
struct plist *pt_pv_get_plist(pt_prov *pv, size_t s, uint32_t proc);
/* The sources of version self, written by image proc of store s until t, into pv->srcs
 * (sorted); 1 when max_sources cut the list. */
int pt_pv_sources(pt_prov *pv, size_t s, uint32_t proc, uint64_t t, const struct ver *self);

/* ---- ML facts (prov-ml.c), when the rules extract them (pv->ml) */

/* Keep ver, the version of object obj that pe's process wrote, when its path's rules
 * type it mls:Model (pe->path: the path): the models its evaluations evaluate. */
void pt_pv_ml_model(pt_prov *pv, struct proc_emit *pe, uint32_t obj, const struct pt_buf *ver);
/* pe's process's hyperparameter settings and model evaluations. */
void pt_pv_ml_proc(pt_prov *pv, struct proc_emit *pe);
/* The descriptions and extraction gaps of object obj of store store, file F. */
void pt_pv_ml_file(pt_prov *pv, size_t store, uint32_t obj, const struct pt_buf *F);

/* ---- files */

struct file_emit {
	pt_prov *pv;
	size_t store;
	struct pt_buf f;     /* the file's IRI */
	struct pt_buf x;
};

/* ---- files and versions (prov-entities.c) */

/* A pt_store_each_sess() callback (ctx: struct proc_emit) for each session of a process:
 * pass 1, prov:qualifiedUsage of each read in its block; pass 2, the blocks of the
 * usages, generations and the versions written. */
int pt_pv_sess_each(void *ctx, uint32_t proc, uint64_t sid, const struct pt_sess_rec *x);
/* A pt_store_each_obj() callback (ctx: struct file_emit): a file's block and those of its
 * initial, external and moved versions, on the first store that knows its path. */
int pt_pv_file_each(void *ctx, uint32_t obj, uint32_t kind, const uint8_t *name, size_t len);
/* The executables that no store knows as a file (exec'd, never opened). */
void pt_pv_emit_exes(pt_prov *pv);

/* ---- coverage gaps */

struct gap_emit {
	pt_prov *pv;
	size_t store;
};

/* ---- activities and agents (prov-activities.c) */

/* Read dir/run.json into pv->ri (none: nothing said; not a run's: said on stderr). */
int pt_pv_run_json(pt_prov *pv, const char *dir);
/* The run's block, then its hosts' and users'. */
void pt_pv_emit_run(pt_prov *pv);
void pt_pv_emit_hosts(pt_prov *pv);
void pt_pv_emit_users(pt_prov *pv);
/* A pt_store_each_proc() callback (ctx: struct proc_emit): a process's block, the blocks
 * of its qualified terms, its versions (pt_pv_sess_each) and ML facts. */
int pt_pv_proc_each(void *ctx, const struct pt_proc_rec *r);
/* pt_store_each_gap() callbacks (ctx: struct gap_emit): count each image's gaps into
 * pv->gaps_of (before the processes), and a gap's block. */
int pt_pv_gap_count(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len);
int pt_pv_gap_each(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len);

#endif /* PT_PROV_INT_H */
