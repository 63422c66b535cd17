/* store.h — the node store: one LMDB environment per node per run, holding the run's
 * append-only event log (the source of truth) and the indices that answer stat and
 * lineage without RDF.  Used by provtrace-collectd (the only writer) and by the tools.
 *
 * Lifecycle.  pt_store_open() → (writer) pt_store_begin() → pt_store_*() calls →
 * pt_store_commit() or pt_store_abort() → ... → pt_store_close().  A handle is used by
 * one thread.  Readers open a finished store (the copy in the run directory) read-only
 * and may keep it open while another reader does the same.  Do not open a store on
 * NFS or Lustre: LMDB needs a local file system.  A store handle must not cross fork().
 *
 * Errors.  Functions return 0, an errno value, an LMDB error (MDB_*), or PT_E* below;
 * pt_strerror() describes each.  PT_EFULL from a writer call means the batch could not
 * fit the map: the map has already been grown, and the caller aborts and replays the
 * batch (its records are still in the producers' rings).
 *
 * Layout.  Every sub-database (log, proc, procx, pidx, path, obj, sess, use, child, flow,
 * flowr, libs, gap, region, vfork, mpi, hash, fact, meta), its key and value, and which
 * of them ingest writes and which the indexer builds from the log: store-schema.h (internal
 * to collector/store*.c, which it also maps: core, write path, indexer, MPI, readers).
 */
#ifndef PT_STORE_H
#define PT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* 2: packed sess/use values, use keyed by direction, the vfork table, the indexed mark;
 * 3: the log in chunks, deferred indexing, the vfork table kept at ingest */
#define PT_STORE_SCHEMA 4
/* 4: the hash table (content identity) */

/* Errors of our own, below LMDB's reserved block (-30800 .. -30781) and PT_EWIRE. */
#define PT_EFULL   (-30950)   /* map full: grown, replay the batch */
#define PT_ESCHEMA (-30951)   /* store written by another schema version */
#define PT_ENOTFOUND (-30952)
#define PT_EPENDING (-30953)  /* a reader found indexing pending and cannot write the store */

const char *pt_strerror(int err);

typedef struct pt_store pt_store;

enum {
	PT_STORE_RDONLY = 1,      /* a finished store, read: see deferred indexing below */
	PT_STORE_CREATE = 2,      /* writer: create it when missing */
	PT_STORE_NOSYNC = 4,      /* writer: commits do not fsync (see the collector) */
	PT_STORE_ASIS = 8,        /* reader: never index; the indices may lag the log */
	PT_STORE_PENDING_OK = 16, /* reader: a store it cannot index opens as is */
	/* reader, with PT_STORE_ASIS: the store of a running collector, read through LMDB's
	 * lock file (STORE-lock) in read-only transactions; no flock wait, no indexing */
	PT_STORE_LIVE = 32,
};

/* Open the store file `path` (a single file, not a directory).
 *
 * Deferred indexing.  The collector only appends to the log while the job runs; the
 * indices (everything but log, proc, pidx, vfork, region, meta) are built after the run,
 * by the first reader: pt_store_open(PT_STORE_RDONLY) first waits for the store's writer
 * (the collector holds an exclusive flock(2) on the file while it runs), then, when the
 * indices lag the log, indexes it in place under an exclusive flock (concurrent readers
 * wait, then find it done), in steps that each commit their progress (a reader killed
 * half way loses nothing; the next resumes).  Only then does it open the snapshot it
 * reads, so no reader ever sees a partial index.  Errors: those of open(2) and LMDB,
 * PT_ESCHEMA, and PT_EPENDING when indexing is due and the file cannot be written
 * (EACCES, EPERM, EROFS) —
 * unless PT_STORE_PENDING_OK, which opens it as it is (pt_store_index_info() then says
 * how much is missing).  PT_STORE_ASIS never indexes (raw dumps). */
int pt_store_open(const char *path, unsigned flags, pt_store **out);

/* Readers: records the indices do not cover (nonzero only with PT_STORE_PENDING_OK or
 * PT_STORE_ASIS), and how many this open indexed first.  A writer: its index lag. */
int pt_store_index_info(pt_store *st, uint64_t *pending, uint64_t *indexed_now);

/* Writers: flush everything committed to the disk (after NOSYNC commits). */
int pt_store_sync(pt_store *st);
void pt_store_close(pt_store *st);

/* Write a copy of the store to `path` (which must not exist), synced; compacted when the
 * store is larger than 64 MiB (below that, compacting costs more than it saves). */
int pt_store_copy(pt_store *st, const char *path);

/* ---- writer */

int pt_store_begin(pt_store *st);
int pt_store_commit(pt_store *st);
void pt_store_abort(pt_store *st);

/* Identity of a process image, as the collector establishes it. */
struct pt_ident {
	int32_t pid, ppid;
	uint32_t uid, gid;
	uint64_t start_ns;
	uint64_t parent_start_ns;   /* known exactly for a fork child, else 0 */
	uint64_t proc_ticks;
	int verified;               /* pid and uid from SO_PEERCRED, not from the region */
	char host[64];
	char region[200];
};

/* Add a process image: assigns its id, links it to its parent or to the image it
 * replaced by exec, and logs a C_PROC record. */
int pt_store_proc_add(pt_store *st, const struct pt_ident *id, uint32_t *proc);

/* Append one record produced by image `proc` to the log.  A malformed record, or one of
 * the collector's own types, is refused with PT_EWIRE and not stored (the caller counts
 * it as corrupt).  Ingest only appends: the indices follow in pt_store_index() (at commit,
 * unless pt_store_defer_index()), so that storing can keep up with producers and
 * indexing catch up when they pause. */
int pt_store_event(pt_store *st, uint32_t proc, const uint8_t *rec, uint32_t len);

/* Apply up to `budget` logged records, in log order, to the indices (inside a batch);
 * *done tells whether the log is indexed to its end.  Progress is kept in the store, in
 * the same transaction.  Readers of a finished store see it fully indexed. */
int pt_store_index(pt_store *st, uint64_t budget, int *done);
/* By default a commit first indexes what its batch logged; a writer that indexes in
 * steps of its own (the collector) turns that off. */
void pt_store_defer_index(pt_store *st, int defer);
/* Records logged and not yet indexed: a writer inside a batch, or a reader's snapshot. */
int pt_store_index_lag(pt_store *st, uint64_t *lag);

/* The image's region was drained for the last time: it ended (`state`, enum
 * pt_end_state; `status`, the wait status its region gives, or -1) at end_ns (0: keep
 * the time its exit record gave), with these losses.  Logs a C_PROC_END record. */
int pt_store_proc_end(pt_store *st, uint32_t proc, uint32_t state, int32_t status,
		      uint64_t end_ns, uint64_t dropped, uint64_t torn, uint64_t corrupt);

/* A session still open in the image's table when its region was finished: logs a
 * C_SESS_END record with the table's counters, unless its CLOSE is already stored. */
struct pt_sess;
int pt_store_sess_end(pt_store *st, uint32_t proc, int fd, const struct pt_sess *s,
		      uint64_t end_ns);

/* Record a coverage gap of image `proc` (0: of the node). */
int pt_store_gap(pt_store *st, uint32_t proc, uint32_t kind, const void *detail, size_t len);

/* A process `pid` announced that it records nothing (PROVTRACE_DISABLE, no region):
 * a node gap of kind PT_GAP_SHIM_DISABLED, and the pid is kept so that, when it was a
 * vfork child, pt_store_untraced_children() does not count it a second time. */
int pt_store_unrecorded(pt_store *st, int32_t pid, const void *detail, size_t len);

/* At the end of a run: every vfork child whose pid never showed a traced image (an
 * exec of a static or set-id program, a child without the preload) becomes a gap of the
 * image that forked it, unless it said it records nothing (pt_store_unrecorded). */
int pt_store_untraced_children(pt_store *st);

/* Report from the launcher: how the job's top process ended. */
int pt_store_top_status(pt_store *st, int32_t pid, int32_t wait_status, uint64_t end_ns);

/* Per-region read progress, stored with the events it covers. */
struct pt_region_rec {
	uint32_t proc;
	uint32_t nslots;
	uint32_t finished;          /* drained completely and closed: never read again */
	uint32_t pad;
};

int pt_store_region_get(pt_store *st, const char *name, struct pt_region_rec *r,
			uint64_t *off, uint32_t max);
int pt_store_region_put(pt_store *st, const char *name, const struct pt_region_rec *r,
			const uint64_t *off);

int pt_store_meta_put(pt_store *st, const char *key, const void *val, size_t len);

/* ---- records of the indices */

struct pt_proc_rec {
	uint32_t id, parent, exec_from, exec_to;
	int32_t pid, ppid;
	uint32_t uid, gid;
	uint64_t start_ns, end_ns;
	uint32_t end_state;         /* enum pt_end_state; 0 while running */
	int32_t status;             /* wait status; -1 unknown */
	uint32_t status_from;       /* 0 unknown, 1 its own exit record, 2 its parent's wait,
				       3 the launcher */
	uint32_t how;               /* PROC_START.how */
	uint64_t utime_us, stime_us, maxrss_kb;
	uint64_t rbytes, wbytes;    /* data moved through files */
	uint64_t dropped, torn, corrupt;
	uint32_t verified, flags;
	char host[64];
};

struct pt_sess_rec {
	uint32_t obj, kind;
	int32_t fd;
	uint32_t flags;             /* open(2) flags */
	uint64_t open_ns, close_ns; /* close_ns 0 while open */
	uint64_t rbytes, rops, wbytes, wops;
	uint64_t rfirst, rlast, wfirst, wlast;
	uint64_t rmax, wmax;
	uint64_t dev, ino, size, mtime;
	uint32_t how;               /* PT_CLOSE_*, or 0xff when ended by the image's end */
	uint32_t call;              /* PT_CALL_* */
};

/* A session that moved data, indexed by object.  `end` is when data could last have
 * moved (the close, or the image's end). */
struct pt_use_rec {
	uint32_t dirs;              /* 1 = read, 2 = written */
	uint32_t kind;
	uint64_t rfirst, wfirst, end;
	uint64_t rbytes, wbytes;
	/* the file's identity the close saw, as in the session (a store indexed by an
	 * earlier provtrace has none: has_id 0, ask pt_store_sess) */
	int has_id;
	uint64_t dev, ino, size, mtime;
};

#define PT_USE_READ 1u
#define PT_USE_WRITE 2u

/* Object kinds (obj's first byte): enum pt_kind, plus the address of a Unix socket. */
#define PT_OBJ_UNIX 16

/* child edges (how) */
#define PT_CHILD_FORK 1     /* forked: a copy of the parent's memory */
#define PT_CHILD_SPAWN 2    /* started by the parent (posix_spawn, vfork + exec, ...) */
#define PT_CHILD_EXEC 3     /* the image that replaced the parent by exec */

/* flow edges (kind): data in `from` before ts is in `to` after ts */
#define PT_FLOW_RENAME 1
#define PT_FLOW_LINK 2
#define PT_FLOW_SYMLINK 3     /* ts 0: reading the link reads the target, at any time */
#define PT_FLOW_CHANNEL 4     /* ts 0: two ends of one channel, at any time */

struct pt_counters {
	uint64_t events;            /* records in the log */
	uint64_t procs;
	uint64_t files;             /* file objects that moved data */
	uint64_t sessions;
	uint64_t bytes_read, bytes_written;   /* through files */
	uint64_t dropped;           /* lost in producers (full ring, reentrancy) */
	uint64_t torn;              /* records cut by the death of their writer */
	uint64_t corrupt;           /* unreadable records or slots */
	uint64_t gaps;              /* coverage gaps */
	uint64_t ipc_bytes;         /* through pipes and sockets */
};

/* ---- readers (any open store; the writer too, inside a batch) */

int pt_store_counters(pt_store *st, struct pt_counters *c);
int pt_store_meta_get(pt_store *st, const char *key, void *val, size_t *len);

int pt_store_proc(pt_store *st, uint32_t proc, struct pt_proc_rec *r);
/* The PROC_START record of the image, parsed; argv and env stay msgpack. */
int pt_store_proc_start(pt_store *st, uint32_t proc, struct pt_ev *ev);
/* Image of `pid` that was running at time t (the latest started at or before t). */
int pt_store_proc_at(pt_store *st, int32_t pid, uint64_t t, uint32_t *proc);

/* Object of a name; returns PT_ENOTFOUND when the store never saw it. */
int pt_store_obj_find(pt_store *st, const void *name, size_t len, uint32_t *obj);
/* Name and kind of an object: *name points into the store, valid until the next call. */
int pt_store_obj_name(pt_store *st, uint32_t obj, const uint8_t **name, size_t *len,
		      uint32_t *kind);

/* Iterators: the callback returns 0 to go on, anything else stops and is returned. */
typedef int (*pt_proc_fn)(void *ctx, const struct pt_proc_rec *r);
typedef int (*pt_sess_fn)(void *ctx, uint32_t proc, uint64_t sid, const struct pt_sess_rec *s);
typedef int (*pt_use_fn)(void *ctx, uint32_t obj, uint32_t proc, uint64_t sid,
			 const struct pt_use_rec *u);
typedef int (*pt_edge_fn)(void *ctx, uint32_t a, uint32_t b, uint64_t ts, uint32_t kind);
typedef int (*pt_log_fn)(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec,
			 uint32_t len);

int pt_store_each_proc(pt_store *st, pt_proc_fn fn, void *ctx);
int pt_store_each_sess(pt_store *st, uint32_t proc, pt_sess_fn fn, void *ctx);
/* The session sid of proc (PT_ENOTFOUND when the store has none). */
int pt_store_sess(pt_store *st, uint32_t proc, uint64_t sid, struct pt_sess_rec *s);
int pt_store_each_use(pt_store *st, uint32_t obj, pt_use_fn fn, void *ctx);  /* obj 0: all */
/* Only the sessions of obj that read it (dir PT_USE_READ) or wrote it (PT_USE_WRITE). */
int pt_store_each_use_dir(pt_store *st, uint32_t obj, uint32_t dir, pt_use_fn fn, void *ctx);
/* Children of a process (b = child, kind = how) or, with parent = 0, every edge. */
int pt_store_each_child(pt_store *st, uint32_t parent, pt_edge_fn fn, void *ctx);
/* Data-flow edges out of obj (flow) or into it (reverse != 0). */
int pt_store_each_flow(pt_store *st, uint32_t obj, int reverse, pt_edge_fn fn, void *ctx);
int pt_store_each_log(pt_store *st, uint64_t from_seq, pt_log_fn fn, void *ctx);
int pt_store_each_lib(pt_store *st, uint32_t proc, pt_edge_fn fn, void *ctx);
int pt_store_each_gap(pt_store *st, pt_log_fn fn, void *ctx);

/* Every object, in id order (added for provtrace-export, which walks the files a store
 * knows whether or not they moved data): kind (first byte of obj) and name, which points
 * into the reader's snapshot and is valid during the callback. */
typedef int (*pt_obj_fn)(void *ctx, uint32_t obj, uint32_t kind, const uint8_t *name,
			 size_t len);
int pt_store_each_obj(pt_store *st, pt_obj_fn fn, void *ctx);

/* ---- content identity (collector/hash.h): a file version is (dev, ino, size, mtime) at
 * a session's close */

struct pt_file_id {
	uint64_t dev, ino, size, mtime;
};

enum pt_hash_state {
	PT_HASH_DONE = 1,         /* hash holds XXH3-128 of the version's bytes */
	PT_HASH_CHANGED = 2,      /* the file had changed (or was gone) before it was read */
	PT_HASH_LARGE = 3,        /* over the size limit: hashed on request only */
	PT_HASH_UNREADABLE = 4,   /* open or read failed */
	PT_HASH_PENDING = 5,      /* the collector stopped before it was hashed */
};

struct pt_hash_rec {
	uint32_t state;
	uint8_t hash[16];
};

/* Writer: store a result (a later result for the same identity replaces it). */
int pt_store_hash_put(pt_store *st, const struct pt_file_id *id, const struct pt_hash_rec *h);
/* Writer: the identity a loaded image's path had when it was hashed. */
int pt_store_hash_path_put(pt_store *st, const void *path, size_t len,
			   const struct pt_file_id *id);
/* Readers: PT_ENOTFOUND when the store has no result for it. */
int pt_store_hash_get(pt_store *st, const struct pt_file_id *id, struct pt_hash_rec *h);
int pt_store_hash_path(pt_store *st, const void *path, size_t len, struct pt_file_id *id);
/* Every result, in key order. */
typedef int (*pt_hash_fn)(void *ctx, const struct pt_file_id *id, const struct pt_hash_rec *h);
int pt_store_each_hash(pt_store *st, pt_hash_fn fn, void *ctx);

/* ---- MPI: ranks, communicators and traffic (records 128-191, see protocol.h).  A job
 * is named by a 64-bit hash of MPI_INIT.job, the same in every rank of every node. */

struct pt_mpi_rank {
	uint64_t job;
	int32_t rank, size;
	uint32_t thread, how;       /* MPI_INIT.thread, .how */
	uint64_t init_ns, fini_ns;  /* fini_ns 0: MPI_Finalize not seen */
	uint64_t dropped;           /* MPI_FINI.dropped */
	uint64_t foreign, foreign_bytes;   /* MPI_FINI's: messages with other jobs' ranks */
};

#define PT_MPI_COMM_RIDENTITY 0x100u   /* pt_mpi_comm.flags: the remote group is ranks 0.. */

struct pt_mpi_comm {
	int32_t size, rank, rsize;  /* rank: the image's own in the communicator */
	uint32_t flags;             /* PT_MPI_COMM_INTER, _IDENTITY, PT_MPI_COMM_RIDENTITY */
};

/* Point-to-point traffic of an image with one peer in one operation kind; last is the
 * time of the latest record (an upper bound of the latest message). */
struct pt_mpi_traffic {
	uint64_t msgs, bytes, first, last;
};

/* A collective of an image in one communicator, per operation and root. */
struct pt_mpi_calls {
	uint64_t calls, sent, recvd, first, last;
};

/* A spawn by the image, as its root (MPI_SPAWN); times are the call's. */
struct pt_mpi_spawn {
	uint64_t start_ns, end_ns;
	uint32_t spawn, comm, how, flags;   /* MPI_SPAWN's; comm UINT32_MAX: unknown */
	int32_t status, procs, maxprocs;
	uint32_t ncmds;
};

/* An image that MPI_Comm_get_parent says was spawned (MPI_PARENT): the spawning rank, as
 * (job, rank, spawn), or job 0 (rank -1, spawn 0) when the image was not told. */
struct pt_mpi_parent {
	uint64_t job;
	int32_t rank;
	uint32_t spawn;
	int32_t size;               /* the parent group's */
	uint32_t pad;
};

int pt_store_mpi_rank(pt_store *st, uint32_t proc, struct pt_mpi_rank *m);
/* PT_ENOTFOUND: the image was not spawned (or is no rank). */
int pt_store_mpi_parent(pt_store *st, uint32_t proc, struct pt_mpi_parent *p);
/* The image's spawn number `spawn` (PT_ENOTFOUND: not in this store). */
int pt_store_mpi_spawn(pt_store *st, uint32_t proc, uint32_t spawn, struct pt_mpi_spawn *s);
/* The image that was `rank` of `job` in this store (PT_ENOTFOUND: another node's). */
int pt_store_mpi_find(pt_store *st, uint64_t job, int32_t rank, uint32_t *proc);
/* The job's name, copied (not terminated) into name[*len]; *len becomes its length. */
int pt_store_mpi_job(pt_store *st, uint64_t job, char *name, size_t *len);
/* A communicator of an image, and (ranks != NULL) the world ranks of its local group, or
 * with remote != 0 of an intercommunicator's remote group, up to max of them (-1 where
 * a member is unknown). */
int pt_store_mpi_comm(pt_store *st, uint32_t proc, uint32_t comm, int remote,
		      struct pt_mpi_comm *c, int32_t *ranks, size_t max);

typedef int (*pt_mpi_rank_fn)(void *ctx, uint32_t proc, const struct pt_mpi_rank *m);
typedef int (*pt_mpi_p2p_fn)(void *ctx, uint32_t proc, int32_t peer, uint32_t op,
			     const struct pt_mpi_traffic *t);
typedef int (*pt_mpi_coll_fn)(void *ctx, uint32_t proc, uint32_t comm, uint32_t op,
			      int32_t root, const struct pt_mpi_calls *c);
int pt_store_each_mpi_rank(pt_store *st, pt_mpi_rank_fn fn, void *ctx);
/* The spawns of one image (proc != 0) or of all, in (image, spawn) order; cmd is the
 * first command, pointing into the reader's snapshot (valid during the callback). */
typedef int (*pt_mpi_spawn_fn)(void *ctx, uint32_t proc, const struct pt_mpi_spawn *s,
			       const uint8_t *cmd, size_t len);
int pt_store_each_mpi_spawn(pt_store *st, uint32_t proc, pt_mpi_spawn_fn fn, void *ctx);
/* The images of this store that rank `rank` of `job` spawned, in (spawn, image) order. */
typedef int (*pt_mpi_child_fn)(void *ctx, uint32_t spawn, uint32_t proc);
int pt_store_each_mpi_child(pt_store *st, uint64_t job, int32_t rank, pt_mpi_child_fn fn,
			    void *ctx);
/* Of one image (proc != 0) or of all, in (image, peer, op) order. */
int pt_store_each_mpi_p2p(pt_store *st, uint32_t proc, pt_mpi_p2p_fn fn, void *ctx);
/* Of one image (proc != 0) or of all; root is a world rank, -1 for none or several. */
int pt_store_each_mpi_coll(pt_store *st, uint32_t proc, pt_mpi_coll_fn fn, void *ctx);

/* The times lineage and the PROV export bound MPI data flow by, one rule for both:
 * when image `proc` last sent to world rank `peer` (coll_op 0: point to point) or last
 * called collective `coll_op` (any communicator); and when it first received from
 * `peer` (or first completed `coll_op`).  0 when its store does not say. */
uint64_t pt_store_mpi_last_send(pt_store *st, uint32_t proc, int32_t peer, uint32_t coll_op);
uint64_t pt_store_mpi_first_recv(pt_store *st, uint32_t proc, int32_t peer, uint32_t coll_op);

/* Does one call of collective `op` carry data from the member of rank `from` to the one
 * of rank `to` (ranks in the communicator; root likewise, -1 unknown: then it may)? */
int pt_mpi_coll_flows(uint32_t op, int32_t from, int32_t to, int32_t root);

/* Readers: give back to the kernel the pages of the map this process has touched, so
 * that a tool walking a store larger than memory keeps a small resident size.  Nothing
 * is dropped while the process holds under 32 MiB of file pages (its own text included):
 * a tool reading many stores keeps their upper pages instead of faulting them in again.
 * Pointers into the map stay valid: the next access reads the page again from the page
 * cache.  EINVAL for a writer; ENOENT if the map is not in /proc/self/maps. */
int pt_store_drop_pages(pt_store *st);

/* ---- facts (the fact table: store-schema.h; its values are rdf/facts.h's business) */

/* Change a finished store in place, as deferred indexing does: under the exclusive flock,
 * in one batch that fn fills through the writer calls below (it may read with every
 * reader call too); replayed from the start when the map had to grow (fn must cope).
 * Errors: open(2)'s (EACCES, EROFS: not writable here), LMDB's, or fn's. */
typedef int (*pt_update_fn)(void *ctx, pt_store *st);
int pt_store_update(const char *path, pt_update_fn fn, void *ctx);
/* Inside such a batch: drop every fact; add one (an existing key is replaced). */
int pt_store_fact_clear(pt_store *st);
int pt_store_fact_put(pt_store *st, const void *key, size_t kn, const void *v, size_t vn);
/* The facts whose keys start with prefix (all: plen 0), in key order; k and v point into
 * the snapshot, valid during the callback. */
typedef int (*pt_fact_fn)(void *ctx, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn);
int pt_store_each_fact(pt_store *st, const void *prefix, size_t plen, pt_fact_fn fn, void *ctx);

#endif /* PT_STORE_H */
