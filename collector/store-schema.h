/* store-schema.h — internal to collector/store*.c: the sub-databases of a node store,
 * the layout of their keys and values, the handle's internals, and what the store's files
 * share.  Only collector/store*.c include it; the API is store.h.
 *
 * The store's files, by what they own:
 *   store.c        the core: open (and deferred indexing by the first reader), close,
 *                  copy, batches (begin, commit, abort, map growth), pt_store_update,
 *                  meta, the log's chunk format, the packed sess/use values
 *   store-write.c  ingest, the collector's writes: the log (pt_store_event, ...), and the
 *                  tables kept at ingest: proc, pidx, child (exec and parent links),
 *                  vfork, region, hash, fact
 *   store-index.c  pt_store_index and what it applies from the log: procx, path, obj,
 *                  sess, use, flow, flowr, libs, gap, and the proc records' later fields
 *   store-mpi.c    the mpi table: built by the indexer (MPI records), read by its getters
 *   store-read.c   the readers' getters and walkers, used by rdf/ and the tools
 *
 * Layout (all integers in keys big-endian, so that keys sort by number).  "ingest": the
 * collector writes it as records arrive; "index": pt_store_index() builds it from the log.
 *   log      seq:u64 (of the chunk's first record)                            [ingest]
 *                                         → chunk: records in sequence, each
 *                                           varint proc | varint len | record (msgpack,
 *                                           as produced); a chunk holds up to ~56 KiB
 *   proc     proc:u32                     → struct pt_proc_rec  [ingest; index updates it]
 *   procx    proc:u32                     → the PROC_START record (exe, argv, cwd, env)
 *                                                                               [index]
 *   pidx     pid:u32 | start_ns:u64        → proc:u32                          [ingest]
 *   path     path (≤ 400 bytes) or 0xff | fnv64 | probe → obj:u32               [index]
 *   obj      obj:u32                      → kind:u8 | name bytes                [index]
 *   sess     proc:u32 | sid:u64            → struct pt_sess_rec, packed (varints) [index]
 *   use      obj:u32 | dir:u8 | proc:u32 | sid:u64
 *                                         → struct pt_use_rec, packed (sessions that moved
 *                                           data; one entry per direction, 1 read 2 write;
 *                                           with the file's identity its close saw, so
 *                                           that a file's history needs no session
 *                                           lookup: 11 fields, 7 when indexed before)
 *                                                                               [index]
 *   child    parent:u32 | child:u32        → how:u8 | ts:u64                   [ingest]
 *   flow     from:u32 | to:u32 | ts:u64    → kind:u8   (data in `from` before ts is in `to`)
 *                                                                               [index]
 *   flowr    to:u32 | from:u32 | ts:u64    → kind:u8   (the same edges, by destination)
 *                                                                               [index]
 *   libs     proc:u32 | obj:u32            → base:u64                           [index]
 *   gap      seq:u64                      → proc:u32 | kind:u32 | detail       [index]
 *   region   name                         → struct pt_region_rec + u64 offset per slot
 *                                                                              [ingest]
 *   vfork    pid:u32 | ts:u64              → proc:u32 (vfork children not seen yet; proc
 *                                           0xffffffff: a pid that announced it records
 *                                           nothing)                           [ingest]
 *   mpi      'r' proc:u32                  → struct pt_mpi_rank (an image's MPI rank)
 *            'j' job:u64 | rank:u32         → proc:u32 (the image of a rank)
 *            'J' job:u64                    → the job's name (MPI_INIT.job)
 *            'C' proc:u32 | comm:u32         → struct pt_mpi_comm
 *            'm' proc:u32 | comm:u32 | remote:u8 | offset:u32 → members, int32 world ranks
 *            'p' proc:u32 | peer:u32 | op:u8  → struct pt_mpi_traffic
 *            'c' proc:u32 | comm:u32 | op:u8 | root+1:u32 → struct pt_mpi_calls
 *            'S' proc:u32 | spawn:u32        → struct pt_mpi_spawn | its first command
 *            'P' proc:u32                  → struct pt_mpi_parent (a spawned image)
 *            'k' job:u64 | rank:u32 | spawn:u32 | proc:u32 → nothing (the images a
 *                                           rank spawned, by the spawning rank)
 *            (the table is absent from stores written before it: read as empty) [index]
 *   hash     'f' dev:u64 | ino:u64 | size:u64 | mtime:u64
 *                                         → state:u8 | xxh3-128:16 bytes (high, low
 *                                           64-bit halves, big-endian); see collector/hash.h
 *            'p' path (≤ 400 bytes)        → dev:u64 | ino:u64 | size:u64 | mtime:u64 (a
 *                                           loaded library or executable, as hashed)
 *            (written by the collector from the files themselves, like proc and pidx
 *            not rebuildable from the log: the bytes hashed may be gone)      [ingest]
 *   fact     subject:u8 ('p' proc, 'o' obj) | id:u32 | n:u32
 *                                         → kind:u8 | type:u8 | src:u32 (obj read, 0 none)
 *                                           | pos:u32 (argv index + 1, 0 none) | item NUL
 *                                           | key NUL | value NUL | where NUL | [points]
 *                                           (hyperparameters, metric series, descriptions
 *                                           and gaps read from the job's files after the
 *                                           job: rdf/facts.h; absent until extracted;
 *                                           written through pt_store_update)
 *   meta     "schema", "host", "run", "counters", "indexed" (last seq applied to the indices),
 *            "top" (the launcher's pid and wait status), "facts" (what extracted the fact
 *            table: rdf/extract.c's stamp)
 */
#ifndef PT_STORE_SCHEMA_H
#define PT_STORE_SCHEMA_H

#include <errno.h>
#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"
#include "store.h"
#include "wmap.h"

/* The sub-databases, in the order of their names in store.c's db_names. */
enum {
	DB_LOG, DB_PROC, DB_PROCX, DB_PIDX, DB_PATH, DB_OBJ, DB_SESS, DB_USE, DB_CHILD,
	DB_FLOW, DB_FLOWR, DB_LIBS, DB_GAP, DB_REGION, DB_META, DB_VFORK, DB_MPI, DB_HASH, DB_FACT,
	DB_COUNT
};

/* The log is stored in chunks: one LMDB entry keyed by the sequence number of its first
 * record holds consecutive records, each as varint proc | varint length | bytes.  One put
 * per chunk instead of one per record is what lets ingest keep up with producers, and it
 * saves LMDB's 16 bytes of node and key per record.  The writer keeps the last chunk
 * open in memory across batches while it is small, rewriting its entry at each commit,
 * so that slow trickles of records still fill chunks. */
#define PT_CHUNK_TARGET (56u * 1024u)   /* close a chunk once it holds this much */
#define PT_CHUNK_REOPEN (8u * 1024u)    /* a last chunk smaller than this is continued */
#define PT_CHUNK_HDR 10u                /* two varints of at most 5 bytes */

struct log_chunk {
	uint64_t seq;             /* key: the sequence number of its first record */
	uint32_t n;               /* records in it */
	uint32_t len;             /* bytes used */
	int stored;               /* an entry with this key exists (rewrite, not append) */
	int dirty;                /* holds records the map does not have yet */
	uint8_t buf[PT_CHUNK_TARGET + PT_REC_MAX + PT_CHUNK_HDR];
};

struct pt_store {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	MDB_txn *txn;             /* the writer's batch, or a reader's snapshot */
	int rdonly;
	int full;                 /* MDB_MAP_FULL seen in this batch */
	int defer_index;          /* commits leave indexing to pt_store_index() calls */
	int no_mpi;               /* a store written before the mpi table: it has none */
	int no_fact;              /* nothing extracted yet (no fact table): read as none */
	size_t mapsize;
	uint64_t next_seq;
	uint32_t next_proc, next_obj;
	struct pt_counters c;
	struct log_chunk *chunk;  /* the writer's open log chunk (writers only) */
	uint64_t pending;         /* readers: records the indices do not cover */
	uint64_t indexed_now;     /* readers: records indexed when this handle was opened */
	/* readers: LMDB's map of the file, found in /proc/self/maps at the first
	 * pt_store_drop_pages() (a reader's map never moves: it keeps one snapshot) */
	void *map;
	size_t map_len;
	/* inside pt_store_index(): the step's sessions and processes, written back at its end */
	struct pt_wmap *wsess, *wproc;
	int wback;
	uint8_t namebuf[8192];    /* pt_store_obj_name() result */
};

/* ---- big-endian keys */

static inline void be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static inline void be64(uint8_t *p, uint64_t v)
{
	be32(p, (uint32_t)(v >> 32));
	be32(p + 4, (uint32_t)v);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static inline MDB_val val(const void *p, size_t n)
{
	MDB_val v = { n, (void *)p };
	return v;
}

/* path: names up to this long are their own key; longer ones are keyed by hash */
#define PT_PATH_KEY_MAX 400

/* hash: the key of a file version's result, 'f' | dev | ino | size | mtime (33 bytes) */
static inline void hash_key(uint8_t *k, const struct pt_file_id *id)
{
	k[0] = 'f';
	be64(k + 1, id->dev);
	be64(k + 9, id->ino);
	be64(k + 17, id->size);
	be64(k + 25, id->mtime);
}

/* ---- on every record's path, so inline (out of line, a call across files: 0.2-0.3 %
 * more instructions for ingest and indexing under callgrind) */

/* Every write goes through here: a full map poisons the batch, which the caller
 * replays once pt_store_abort() has grown the map. */
static inline int pt_st_put(pt_store *st, int db, const void *k, size_t kn, const void *v,
			    size_t vn, unsigned flags)
{
	MDB_val key = val(k, kn), data = val(v, vn);
	int r;

	if (st->full)
		return PT_EFULL;
	r = mdb_put(st->txn, st->dbi[db], &key, &data, flags);
	if (r == MDB_MAP_FULL) {
		st->full = 1;
		return PT_EFULL;
	}
	return r;
}

/* Point lookups hand out pointers into the map: only inside the writer's batch or a
 * reader's snapshot, both of which outlive the caller's use of the value. */
static inline int pt_st_get(pt_store *st, int db, const void *k, size_t kn, MDB_val *v)
{
	MDB_val key = val(k, kn);
	int r;

	if (!st->txn)
		return EINVAL;
	r = mdb_get(st->txn, st->dbi[db], &key, v);
	return r == MDB_NOTFOUND ? PT_ENOTFOUND : r;
}

/* The log's chunks: a record is varint proc | varint len | bytes. */
static inline int get_varint(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
	uint32_t x = 0;

	for (int shift = 0; shift < 35 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		x |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return PT_EWIRE;
}

/* The next record of a chunk; PT_EWIRE at a malformed one (the rest is not trusted). */
static inline int pt_st_chunk_next(const uint8_t **p, const uint8_t *end, uint32_t *proc,
				   const uint8_t **rec, uint32_t *len)
{
	if (get_varint(p, end, proc) || get_varint(p, end, len) ||
	    *len > (uint64_t)(end - *p))
		return PT_EWIRE;
	*rec = *p;
	*p += *len;
	return 0;
}

/* ---- store.c: the core */

/* Open the environment and its tables (no deferred indexing: pt_store_open does that). */
int pt_st_open(const char *path, unsigned flags, unsigned envflags, pt_store **out);
/* The batch's or snapshot's transaction, else a temporary read-only one (*temp), which
 * pt_st_txn_put() ends. */
int pt_st_txn_get(pt_store *st, MDB_txn **txn, int *temp);
void pt_st_txn_put(MDB_txn *txn, int temp);
/* The first n bytes of the table's last key (*found 0: the table is empty). */
int pt_st_last_key(MDB_txn *txn, MDB_dbi dbi, uint8_t *key, size_t n, int *found);

/* The log's open chunk started afresh or written to the map, and the log's end in a
 * transaction. */
void pt_st_chunk_reset(pt_store *st);
int pt_st_chunk_flush(pt_store *st);
int pt_st_log_end(pt_store *st, MDB_txn *txn, uint64_t *next, uint64_t *last_key, MDB_val *v);

/* The packed values of sess and use (0 from a pack: the buffer was too small). */
#define SESS_FIELDS 22
#define USE_FIELDS 11      /* 7 in a store indexed before the close's identity was kept */
size_t pt_st_sess_pack(const struct pt_sess_rec *s, uint8_t *buf, size_t n);
int pt_st_sess_unpack(const void *p, size_t n, struct pt_sess_rec *s);
size_t pt_st_use_pack(const struct pt_use_rec *u, uint8_t *buf, size_t n);
int pt_st_use_unpack(const void *p, size_t n, struct pt_use_rec *u);

/* ---- store-index.c: the indexer's records, also used at ingest and by readers */

uint64_t pt_st_fnv64(const void *p, size_t n);
/* The object named `name`; with `kind` != 0, created when missing. */
int pt_st_obj_lookup(pt_store *st, const void *name, size_t len, uint32_t kind, uint32_t *obj);
/* Process and session records, through the indexing step's write-back maps while a step
 * runs (st->wback), else straight from and to the tables. */
int pt_st_proc_get(pt_store *st, uint32_t proc, struct pt_proc_rec *r);
int pt_st_proc_put(pt_store *st, const struct pt_proc_rec *r);
int pt_st_sess_begin(pt_store *st, uint32_t proc, uint64_t sid, uint32_t obj, uint32_t kind,
		     int fd, uint32_t flags, uint32_t call, uint64_t ts);
/* CLOSE, C_SESS_END and MPI_FCLOSE (from_table: C_SESS_END's fields only). */
int pt_st_sess_end(pt_store *st, uint32_t proc, const struct pt_ev *ev, int from_table);

/* ---- store-mpi.c */

/* Apply an MPI record (types 128-191) to the mpi table. */
int pt_st_apply_mpi(pt_store *st, uint32_t proc, const struct pt_ev *ev);

/* ---- store-read.c: walking a table */

typedef int (*kv_fn)(void *ctx, const MDB_val *k, const MDB_val *v);

/* The public walkers' callback and context, for the kv_fn that calls it. */
struct walk_ctx {
	void *fn;
	void *ctx;
	uint32_t dir;     /* use walks: the one direction asked for, or 0 */
};

/* Walk the entries whose keys start with prefix (all of them when plen is 0). */
int pt_st_walk(pt_store *st, int db, const void *prefix, size_t plen, kv_fn fn, void *ctx);

#endif /* PT_STORE_SCHEMA_H */
