/* store.c — the node store on LMDB (see store.h for the layout and the rules).
 * Ingest applies each record to the indices in the same write transaction that appends
 * it to the log, so the indices never disagree with the log. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "pathnorm.h"
#include "progress.h"
#include "region.h"
#include "store.h"
#include "wmap.h"

enum {
	DB_LOG, DB_PROC, DB_PROCX, DB_PIDX, DB_PATH, DB_OBJ, DB_SESS, DB_USE, DB_CHILD,
	DB_FLOW, DB_FLOWR, DB_LIBS, DB_GAP, DB_REGION, DB_META, DB_VFORK, DB_MPI, DB_HASH, DB_FACT,
	DB_COUNT
};

static const char *const db_names[DB_COUNT] = {
	"log", "proc", "procx", "pidx", "path", "obj", "sess", "use", "child",
	"flow", "flowr", "libs", "gap", "region", "meta", "vfork", "mpi", "hash", "fact",
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
	/* inside pt_store_index(): the step's sessions and processes, written back at its end */
	struct pt_wmap *wsess, *wproc;
	int wback;
	uint8_t namebuf[8192];    /* pt_store_obj_name() result */
};

#define PT_MAP_INITIAL ((size_t)64 << 20)
#define PT_COPY_COMPACT_MIN ((uint64_t)64 << 20)   /* smaller stores are copied as they are */

const char *pt_strerror(int err)
{
	switch (err) {
	case PT_EFULL: return "store map full (grown; replay the batch)";
	case PT_ESCHEMA: return "store written by an incompatible provtrace version";
	case PT_ENOTFOUND: return "not found in the store";
	case PT_EPENDING: return "store not indexed yet and not writable here (its owner's "
				 "first query indexes it)";
	case PT_EWIRE: return "malformed record";
	default: return err < 0 ? mdb_strerror(err) : strerror(err);
	}
}

/* ---- big-endian keys */

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static void be64(uint8_t *p, uint64_t v)
{
	be32(p, (uint32_t)(v >> 32));
	be32(p + 4, (uint32_t)v);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static MDB_val val(const void *p, size_t n)
{
	MDB_val v = { n, (void *)p };
	return v;
}

static int put(pt_store *st, int db, const void *k, size_t kn, const void *v, size_t vn,
	       unsigned flags);

/* ---- the log's chunks */

static uint8_t *put_varint(uint8_t *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static int get_varint(const uint8_t **p, const uint8_t *end, uint32_t *v)
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
static int chunk_next(const uint8_t **p, const uint8_t *end, uint32_t *proc,
		      const uint8_t **rec, uint32_t *len)
{
	if (get_varint(p, end, proc) || get_varint(p, end, len) ||
	    *len > (uint64_t)(end - *p))
		return PT_EWIRE;
	*rec = *p;
	*p += *len;
	return 0;
}

static uint32_t chunk_count(const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n, *rec;
	uint32_t proc, len, count = 0;

	while (p < end && chunk_next(&p, end, &proc, &rec, &len) == 0)
		count++;
	return count;
}

static void chunk_reset(pt_store *st)
{
	struct log_chunk *c = st->chunk;

	c->seq = st->next_seq;
	c->n = c->len = 0;
	c->stored = c->dirty = 0;
}

/* Write the open chunk's entry (append a new one, or rewrite the one continued). */
static int chunk_flush(pt_store *st)
{
	struct log_chunk *c = st->chunk;
	uint8_t k[8];
	int r;

	if (!c->dirty)
		return 0;
	be64(k, c->seq);
	if ((r = put(st, DB_LOG, k, 8, c->buf, c->len, c->stored ? 0 : MDB_APPEND)))
		return r;
	c->stored = 1;
	c->dirty = 0;
	return 0;
}

/* The log's end in `txn`: the seq the next record gets, and the last chunk (v->mv_size
 * 0 when the log is empty).  v points into the map, valid while txn lasts. */
static int log_end(pt_store *st, MDB_txn *txn, uint64_t *next, uint64_t *last_key, MDB_val *v)
{
	MDB_cursor *cur;
	MDB_val k;
	int r = mdb_cursor_open(txn, st->dbi[DB_LOG], &cur);

	if (r)
		return r;
	*next = 1;
	v->mv_size = 0;
	r = mdb_cursor_get(cur, &k, v, MDB_LAST);
	if (r == 0 && k.mv_size == 8) {
		*last_key = rd64(k.mv_data);
		*next = *last_key + chunk_count(v->mv_data, v->mv_size);
	} else {
		v->mv_size = 0;
	}
	mdb_cursor_close(cur);
	return r == MDB_NOTFOUND ? 0 : r;
}

/* The writer's batch begins: next_seq, and the last chunk continued when it is small. */
static int log_tail(pt_store *st)
{
	struct log_chunk *c = st->chunk;
	uint64_t first = 0;
	MDB_val v;
	int r = log_end(st, st->txn, &st->next_seq, &first, &v);

	if (r)
		return r;
	chunk_reset(st);
	if (v.mv_size && v.mv_size < PT_CHUNK_REOPEN) {
		c->seq = first;
		c->n = (uint32_t)(st->next_seq - first);
		c->len = (uint32_t)v.mv_size;
		memcpy(c->buf, v.mv_data, v.mv_size);
		c->stored = 1;
	}
	return 0;
}

/* ---- open, close */

static int txn_get(pt_store *st, MDB_txn **txn, int *temp)
{
	*temp = 0;
	if (st->txn) {
		*txn = st->txn;
		return 0;
	}
	*temp = 1;
	return mdb_txn_begin(st->env, NULL, MDB_RDONLY, txn);
}

static void txn_put(MDB_txn *txn, int temp)
{
	if (temp)
		mdb_txn_abort(txn);
}

static int open_dbis(pt_store *st, MDB_txn *txn, unsigned flags)
{
	for (int i = 0; i < DB_COUNT; i++) {
		int r = mdb_dbi_open(txn, db_names[i], flags, &st->dbi[i]);
		if (r == MDB_NOTFOUND && i == DB_MPI && !(flags & MDB_CREATE)) {
			st->no_mpi = 1;   /* older stores: read as holding no MPI data */
			continue;
		}
		if (r == MDB_NOTFOUND && i == DB_FACT && !(flags & MDB_CREATE)) {
			st->no_fact = 1;
			continue;
		}
		if (r)
			return r;
	}
	return 0;
}

static int store_open(const char *path, unsigned flags, unsigned envflags, pt_store **out)
{
	pt_store *st = calloc(1, sizeof *st);
	MDB_txn *txn = NULL;
	struct stat sb;
	int r;

	if (!st)
		return ENOMEM;
	st->rdonly = !!(flags & PT_STORE_RDONLY);
	if (!st->rdonly && !(st->chunk = malloc(sizeof *st->chunk))) {
		r = ENOMEM;
		goto fail;
	}
	if ((r = mdb_env_create(&st->env)))
		goto fail;
	mdb_env_set_maxdbs(st->env, DB_COUNT + 2);
	envflags |= MDB_NOSUBDIR | MDB_NOTLS;
	if (st->rdonly) {
		/* a live reader shares LMDB's lock file with the collector writing beside it */
		envflags |= MDB_RDONLY | (flags & PT_STORE_LIVE ? 0 : MDB_NOLOCK);
	} else {
		const char *sync = getenv("PROVTRACE_SYNC");
		if ((flags & PT_STORE_NOSYNC) || (sync && strcmp(sync, "0") == 0))
			envflags |= MDB_NOSYNC;
		if (!(flags & PT_STORE_CREATE) && stat(path, &sb) < 0) {
			r = errno;
			goto fail;
		}
		st->mapsize = PT_MAP_INITIAL;
		/* tests shrink the first map to make MDB_MAP_FULL happen (tests/unit/store-test) */
		const char *initial = getenv("PROVTRACE_MAP_INITIAL");
		if (initial && *initial)
			st->mapsize = (size_t)strtoull(initial, NULL, 0);
		if (stat(path, &sb) == 0 && (size_t)sb.st_size > st->mapsize / 2)
			st->mapsize = (size_t)sb.st_size * 2;
		if ((r = mdb_env_set_mapsize(st->env, st->mapsize)))
			goto fail;
	}
	if ((r = mdb_env_open(st->env, path, envflags, 0600)))
		goto fail;
	if (st->rdonly) {
		uint32_t schema = 0;
		MDB_val k = val("schema", 6), v;

		if ((r = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn)))
			goto fail;
		/* the schema first: another version's store may lack tables this one has */
		r = mdb_dbi_open(txn, db_names[DB_META], 0, &st->dbi[DB_META]);
		if (r == 0)
			r = mdb_get(txn, st->dbi[DB_META], &k, &v);
		if (r == 0 && v.mv_size == sizeof schema)
			memcpy(&schema, v.mv_data, sizeof schema);
		if (r == MDB_NOTFOUND || (r == 0 && schema != PT_STORE_SCHEMA))
			r = PT_ESCHEMA;
		if (r || (r = open_dbis(st, txn, 0)))
			goto fail;
		st->txn = txn;   /* readers keep one snapshot for their lifetime */
		txn = NULL;
	} else {
		if ((r = mdb_txn_begin(st->env, NULL, 0, &txn)))
			goto fail;
		if ((r = open_dbis(st, txn, MDB_CREATE)))
			goto fail;
		uint32_t schema = PT_STORE_SCHEMA;
		MDB_val k = val("schema", 6), v;
		r = mdb_get(txn, st->dbi[DB_META], &k, &v);
		if (r == MDB_NOTFOUND) {
			v = val(&schema, sizeof schema);
			r = mdb_put(txn, st->dbi[DB_META], &k, &v, 0);
		} else if (r == 0 && (v.mv_size != sizeof schema || memcmp(v.mv_data, &schema, 4))) {
			r = PT_ESCHEMA;
		}
		if (r || (r = mdb_txn_commit(txn))) {
			txn = NULL;
			goto fail;
		}
		txn = NULL;
	}
	*out = st;
	return 0;
fail:
	if (txn)
		mdb_txn_abort(txn);
	pt_store_close(st);
	return r;
}

/* Deferred indexing, done by the first reader: in place, one process at a time (an
 * exclusive flock on the store file; LMDB's own lock file is not used, so nothing is left
 * beside the store), in steps that each commit their progress, so that a reader killed
 * half way loses nothing and the next one resumes.  *done: records it indexed. */
#define PT_INDEX_STEP 100000

static int store_complete(const char *path, uint64_t *done)
{
	static unsigned passes;
	const char *step_env = getenv("PROVTRACE_INDEX_STEP");   /* tests take small steps */
	uint64_t step = step_env && *step_env ? strtoull(step_env, NULL, 10) : PT_INDEX_STEP;
	pt_store *st = NULL;
	uint64_t lag = 0, before = 0;
	int fd, r, finished_step = 0;
	struct pt_progress bar = { 0 };   /* a bar on a terminal: 10^7 records take seconds */

	*done = 0;
	if (!step)
		step = PT_INDEX_STEP;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			r = errno;
			goto out;
		}
	if ((r = store_open(path, 0, MDB_NOLOCK | MDB_NOSYNC, &st)))
		goto out;
	pt_store_defer_index(st, 1);
	for (int attempt = 0; attempt < 64 && !finished_step;) {
		int all = 0;

		if ((r = pt_store_begin(st)))
			break;
		if ((r = pt_store_index_lag(st, &lag)) == 0 && !lag) {
			pt_store_abort(st);   /* another reader finished it meanwhile */
			finished_step = 1;
			break;
		}
		if (!before) {
			const char *base = strrchr(path, '/');
			char what[96];
			before = lag;
			snprintf(what, sizeof what, "provtrace: indexing %.60s", base ? base + 1 : path);
			pt_progress_start(&bar, what, "records", before);
		}
		pt_progress_set(&bar, before - lag, 0);
		if (r == 0)
			r = pt_store_index(st, step, &all);
		/* reliability tests: die here, a step indexed and not committed */
		if (pt_fault_hit(getenv("PROVTRACE_FAULT"), "index", &passes))
			raise(SIGKILL);
		if (r == 0)
			r = pt_store_commit(st);
		else
			pt_store_abort(st);
		if (r == PT_EFULL) {
			attempt++;    /* the map has grown: replay the step */
			continue;
		}
		if (r)
			break;
		finished_step = all;
	}
	if (r == 0 && !finished_step)
		r = PT_EFULL;
	if (r == 0 && (r = mdb_env_sync(st->env, 1)) == 0) {
		*done = before;
		pt_progress_set(&bar, before, 0);
	}
	pt_progress_end(&bar);
out:
	pt_store_close(st);
	close(fd);   /* and the lock with it */
	return r;
}

/* `lockfd` holds a shared flock: it is dropped before indexing takes the exclusive one. */
static int reader_open(const char *path, unsigned flags, pt_store **out, int lockfd)
{
	uint64_t lag, done;
	int r;

	r = store_open(path, flags, 0, out);
	if (r || !(flags & PT_STORE_RDONLY))
		return r;
	if ((r = pt_store_index_lag(*out, &lag)) || !lag || (flags & PT_STORE_ASIS)) {
		if (r) {
			pt_store_close(*out);
			*out = NULL;
		} else {
			(*out)->pending = lag;
		}
		return r;
	}
	pt_store_close(*out);
	*out = NULL;
	if (lockfd >= 0)
		flock(lockfd, LOCK_UN);
	r = store_complete(path, &done);
	if (r == EACCES || r == EROFS || r == EPERM) {
		if (!(flags & PT_STORE_PENDING_OK))
			return PT_EPENDING;
		if ((r = store_open(path, flags, 0, out)) == 0)
			(*out)->pending = lag;
		return r;
	}
	if (r)
		return r;
	if ((r = store_open(path, flags, 0, out)) == 0)
		(*out)->indexed_now = done;
	return r;
}

int pt_store_open(const char *path, unsigned flags, pt_store **out)
{
	int r, fd = -1;

	/* a reader first waits for whoever writes the store: its collector (a live run)
	 * or another reader indexing it, both of which hold an exclusive flock */
	if ((flags & PT_STORE_RDONLY) && !(flags & PT_STORE_ASIS) &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0)
		while (flock(fd, LOCK_SH) < 0 && errno == EINTR)
			;
	r = reader_open(path, flags, out, fd);
	if (fd >= 0)
		close(fd);
	return r;
}

int pt_store_index_info(pt_store *st, uint64_t *pending, uint64_t *indexed_now)
{
	if (indexed_now)
		*indexed_now = st->indexed_now;
	if (!st->rdonly)
		return pt_store_index_lag(st, pending);
	*pending = st->pending;
	return 0;
}

int pt_store_sync(pt_store *st)
{
	return st->rdonly ? 0 : mdb_env_sync(st->env, 1);
}

void pt_store_close(pt_store *st)
{
	if (!st)
		return;
	if (st->txn)
		mdb_txn_abort(st->txn);
	if (st->env)
		mdb_env_close(st->env);
	free(st->chunk);
	pt_wmap_free(st->wsess);
	pt_wmap_free(st->wproc);
	free(st);
}

int pt_store_copy(pt_store *st, const char *path)
{
	static unsigned passes;
	int fd, r;

	if ((r = pt_fault_hit(getenv("PROVTRACE_FAULT"), "copy", &passes)))
		return r;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	/* Compacting pays for a 2 MiB buffer and a thread (7 ms on a VM whose page faults
	 * cost 15 us): worth it only where free pages may weigh, in a large store. */
	MDB_envinfo info;
	MDB_stat ms;
	unsigned cflags = MDB_CP_COMPACT;
	if (mdb_env_info(st->env, &info) == 0 && mdb_env_stat(st->env, &ms) == 0 &&
	    (uint64_t)(info.me_last_pgno + 1) * ms.ms_psize < PT_COPY_COMPACT_MIN)
		cflags = 0;
	r = mdb_env_copyfd2(st->env, fd, cflags);
	if (r == 0 && fsync(fd) < 0)
		r = errno;
	if (close(fd) < 0 && r == 0)
		r = errno;
	if (r)
		unlink(path);
	return r;
}

/* ---- batches */

static int last_key(MDB_txn *txn, MDB_dbi dbi, uint8_t *key, size_t n, int *found)
{
	MDB_cursor *c;
	MDB_val k, v;
	int r = mdb_cursor_open(txn, dbi, &c);

	*found = 0;
	if (r)
		return r;
	r = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (r == 0 && k.mv_size >= n) {
		memcpy(key, k.mv_data, n);
		*found = 1;
	}
	mdb_cursor_close(c);
	return r == MDB_NOTFOUND ? 0 : r;
}

int pt_store_begin(pt_store *st)
{
	uint8_t k[8];
	size_t n = sizeof st->c;
	int r, found;

	if (st->rdonly || st->txn)
		return EINVAL;
	if ((r = mdb_txn_begin(st->env, NULL, 0, &st->txn)))
		return r;
	st->full = 0;
	if ((r = log_tail(st)))
		goto fail;
	if ((r = last_key(st->txn, st->dbi[DB_PROC], k, 4, &found)))
		goto fail;
	st->next_proc = found ? rd32(k) + 1 : 1;
	if ((r = last_key(st->txn, st->dbi[DB_OBJ], k, 4, &found)))
		goto fail;
	st->next_obj = found ? rd32(k) + 1 : 1;
	memset(&st->c, 0, sizeof st->c);
	r = pt_store_meta_get(st, "counters", &st->c, &n);
	if (r == PT_ENOTFOUND)
		r = 0;
	if (r)
		goto fail;
	return 0;
fail:
	mdb_txn_abort(st->txn);
	st->txn = NULL;
	return r;
}

/* Every write goes through here: a full map poisons the batch, which the caller
 * replays once pt_store_abort() has grown the map. */
static int put(pt_store *st, int db, const void *k, size_t kn, const void *v, size_t vn,
	       unsigned flags)
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
static int get(pt_store *st, int db, const void *k, size_t kn, MDB_val *v)
{
	MDB_val key = val(k, kn);
	int r;

	if (!st->txn)
		return EINVAL;
	r = mdb_get(st->txn, st->dbi[db], &key, v);
	return r == MDB_NOTFOUND ? PT_ENOTFOUND : r;
}

int pt_store_commit(pt_store *st)
{
	static unsigned passes;
	int r;

	if (!st->txn)
		return EINVAL;
	if ((r = pt_fault_hit(getenv("PROVTRACE_FAULT"), "commit", &passes))) {
		pt_store_abort(st);
		return r;
	}
	if (st->full) {
		pt_store_abort(st);
		return PT_EFULL;
	}
	if ((r = chunk_flush(st))) {
		pt_store_abort(st);
		return r;
	}
	if (!st->defer_index) {
		int done;
		if ((r = pt_store_index(st, UINT64_MAX, &done))) {
			pt_store_abort(st);
			return r;
		}
	}
	r = put(st, DB_META, "counters", 8, &st->c, sizeof st->c, 0);
	if (r) {
		pt_store_abort(st);
		return r;
	}
	r = mdb_txn_commit(st->txn);
	st->txn = NULL;
	if (r == MDB_MAP_FULL) {
		st->full = 1;
		pt_store_abort(st);
		return PT_EFULL;
	}
	return r;
}

void pt_store_abort(pt_store *st)
{
	if (st->txn && !st->rdonly) {
		mdb_txn_abort(st->txn);
		st->txn = NULL;
	}
	if (st->full) {
		/* no transaction is open now: the map may grow */
		st->mapsize *= 2;
		mdb_env_set_mapsize(st->env, st->mapsize);
		st->full = 0;
	}
}

/* ---- meta */

int pt_store_meta_put(pt_store *st, const char *key, const void *v, size_t n)
{
	return put(st, DB_META, key, strlen(key), v, n, 0);
}

int pt_store_meta_get(pt_store *st, const char *key, void *out, size_t *n)
{
	MDB_val v;
	MDB_txn *txn;
	int temp, r;

	if ((r = txn_get(st, &txn, &temp)))
		return r;
	MDB_val k = val(key, strlen(key));
	r = mdb_get(txn, st->dbi[DB_META], &k, &v);
	if (r == 0) {
		size_t m = v.mv_size < *n ? v.mv_size : *n;
		memcpy(out, v.mv_data, m);
		*n = v.mv_size;
	}
	txn_put(txn, temp);
	return r == MDB_NOTFOUND ? PT_ENOTFOUND : r;
}

int pt_store_counters(pt_store *st, struct pt_counters *c)
{
	size_t n = sizeof *c;
	int r;

	if (st->txn && !st->rdonly) {
		*c = st->c;
		return 0;
	}
	memset(c, 0, sizeof *c);
	r = pt_store_meta_get(st, "counters", c, &n);
	return r == PT_ENOTFOUND ? 0 : r;
}

/* ---- objects: names interned to ids */

static uint64_t fnv64(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#define PT_PATH_KEY_MAX 400

/* Find the object named `name`; with `kind` != 0, create it when missing. */
static int obj_lookup(pt_store *st, const void *name, size_t len, uint32_t kind, uint32_t *obj)
{
	uint8_t key[PT_PATH_KEY_MAX + 1];
	size_t kn;
	MDB_val v;
	int r;

	for (unsigned probe = 0; probe < 256; probe++) {
		if (len <= PT_PATH_KEY_MAX) {
			memcpy(key, name, len);
			kn = len;
			if (len == 0) {
				key[0] = 0;   /* LMDB keys cannot be empty */
				kn = 1;
			}
		} else {
			/* a path past LMDB's key limit: keyed by hash, the name kept whole in obj */
			key[0] = 0xff;
			be64(key + 1, fnv64(name, len));
			key[9] = (uint8_t)probe;
			kn = 10;
		}
		r = get(st, DB_PATH, key, kn, &v);
		if (r == 0) {
			uint32_t id;
			const uint8_t *nm;
			size_t nl;
			uint32_t k2;

			if (v.mv_size != 4)
				return PT_EWIRE;
			memcpy(&id, v.mv_data, 4);
			if (len <= PT_PATH_KEY_MAX) {
				*obj = id;
				return 0;
			}
			if ((r = pt_store_obj_name(st, id, &nm, &nl, &k2)))
				return r;
			if (nl == len && memcmp(nm, name, len) == 0) {
				*obj = id;
				return 0;
			}
			continue;    /* another long name with the same hash: next probe */
		}
		if (r != PT_ENOTFOUND)
			return r;
		if (!kind)
			return PT_ENOTFOUND;
		/* create */
		uint32_t id = st->next_obj;
		uint8_t ok[4];
		uint8_t *ov = malloc(len + 1);

		if (!ov)
			return ENOMEM;
		be32(ok, id);
		ov[0] = (uint8_t)kind;
		memcpy(ov + 1, name, len);
		r = put(st, DB_OBJ, ok, 4, ov, len + 1, MDB_APPEND);
		free(ov);
		if (r || (r = put(st, DB_PATH, key, kn, &id, 4, 0)))
			return r;
		st->next_obj++;
		*obj = id;
		return 0;
	}
	return PT_EWIRE;
}

int pt_store_obj_find(pt_store *st, const void *name, size_t len, uint32_t *obj)
{
	return obj_lookup(st, name, len, 0, obj);
}

int pt_store_obj_name(pt_store *st, uint32_t obj, const uint8_t **name, size_t *len,
		      uint32_t *kind)
{
	uint8_t k[4];
	MDB_val v;
	MDB_txn *txn;
	int temp, r;

	be32(k, obj);
	if ((r = txn_get(st, &txn, &temp)))
		return r;
	MDB_val key = val(k, 4);
	r = mdb_get(txn, st->dbi[DB_OBJ], &key, &v);
	if (r == 0) {
		size_t n = v.mv_size - 1 < sizeof st->namebuf ? v.mv_size - 1 : sizeof st->namebuf;
		*kind = ((uint8_t *)v.mv_data)[0];
		memcpy(st->namebuf, (uint8_t *)v.mv_data + 1, n);
		*name = st->namebuf;
		*len = n;
	}
	txn_put(txn, temp);
	return r == MDB_NOTFOUND ? PT_ENOTFOUND : r;
}

/* ---- processes */

/* Writing back in key order: a key past the table's last one is appended (MDB_APPEND
 * fills pages instead of splitting them in half), the others are put where they go.
 * Most of a step's sessions and processes are new ones, with the highest keys. */
struct flush {
	pt_store *st;
	uint8_t last[12];   /* the table's last key, big-endian, zeros when empty */
	int any;
};

static int flush_start(struct flush *f, pt_store *st, int db, size_t kn)
{
	memset(f, 0, sizeof *f);
	f->st = st;
	return last_key(st->txn, st->dbi[db], f->last, kn, &f->any);
}

static unsigned flush_flags(struct flush *f, const uint8_t *k, size_t kn)
{
	if (f->any && memcmp(k, f->last, kn) <= 0)
		return 0;
	memcpy(f->last, k, kn);
	f->any = 1;
	return MDB_APPEND;
}

/* Process and session records go through the step's write-back maps while an indexing
 * step runs (st->wback): a get finds the step's own version first, a put stays in memory
 * until wback_flush() writes each changed record once. */
static int wback_keep(struct pt_wmap *m, uint32_t a, uint64_t b, const void *v, size_t n,
		      int dirty)
{
	uint8_t *d;
	void *e = pt_wmap_add(m, a, b, &d);

	if (!e)
		return ENOMEM;
	memcpy(e, v, n);
	*d |= (uint8_t)dirty;
	return 0;
}

static int proc_get(pt_store *st, uint32_t proc, struct pt_proc_rec *r)
{
	uint8_t k[4];
	MDB_val v;
	void *c;
	int e;

	if (st->wback && (c = pt_wmap_find(st->wproc, proc, 0))) {
		memcpy(r, c, sizeof *r);
		return 0;
	}
	be32(k, proc);
	if ((e = get(st, DB_PROC, k, 4, &v)))
		return e;
	memset(r, 0, sizeof *r);
	memcpy(r, v.mv_data, v.mv_size < sizeof *r ? v.mv_size : sizeof *r);
	return st->wback ? wback_keep(st->wproc, proc, 0, r, sizeof *r, 0) : 0;
}

/* A process record into the table; f: written back in key order (NULL: plainly) */
static int proc_write(pt_store *st, uint32_t proc, const struct pt_proc_rec *r, struct flush *f)
{
	uint8_t k[4];

	be32(k, proc);
	return put(st, DB_PROC, k, 4, r, sizeof *r, f ? flush_flags(f, k, 4) : 0);
}

static int proc_put(pt_store *st, const struct pt_proc_rec *r)
{
	if (st->wback)
		return wback_keep(st->wproc, r->id, 0, r, sizeof *r, 1);
	return proc_write(st, r->id, r, NULL);
}

int pt_store_proc(pt_store *st, uint32_t proc, struct pt_proc_rec *r)
{
	return proc_get(st, proc, r);
}

int pt_store_proc_start(pt_store *st, uint32_t proc, struct pt_ev *ev)
{
	uint8_t k[4];
	MDB_val v;
	int r;

	be32(k, proc);
	if ((r = get(st, DB_PROCX, k, 4, &v)))
		return r;
	/* ev points into the store: valid while the snapshot lasts (readers keep theirs) */
	return pt_ev_parse(v.mv_data, v.mv_size, ev);
}

int pt_store_proc_at(pt_store *st, int32_t pid, uint64_t t, uint32_t *proc)
{
	uint8_t k[12];
	MDB_cursor *c;
	MDB_val key, v;
	MDB_txn *txn;
	int temp, r;

	be32(k, (uint32_t)pid);
	be64(k + 4, t == UINT64_MAX ? t : t + 1);
	if ((r = txn_get(st, &txn, &temp)))
		return r;
	if ((r = mdb_cursor_open(txn, st->dbi[DB_PIDX], &c))) {
		txn_put(txn, temp);
		return r;
	}
	key = val(k, 12);
	/* the first entry past (pid, t]: the one before it is the latest at or before t */
	r = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	if (r == 0)
		r = mdb_cursor_get(c, &key, &v, MDB_PREV);
	else if (r == MDB_NOTFOUND)
		r = mdb_cursor_get(c, &key, &v, MDB_LAST);
	if (r == 0 && key.mv_size == 12 && rd32(key.mv_data) == (uint32_t)pid && v.mv_size == 4)
		memcpy(proc, v.mv_data, 4);
	else if (r == 0 || r == MDB_NOTFOUND)
		r = PT_ENOTFOUND;
	mdb_cursor_close(c);
	txn_put(txn, temp);
	return r;
}

/* Every record enters the log here, into the open chunk. */
static int log_append(pt_store *st, uint32_t proc, const uint8_t *rec, size_t len)
{
	struct log_chunk *c = st->chunk;
	uint8_t *p;
	int r;

	if (len > PT_REC_MAX)
		return PT_EWIRE;
	if (st->full)
		return PT_EFULL;
	if (c->n && c->len + PT_CHUNK_HDR + len > PT_CHUNK_TARGET) {
		if ((r = chunk_flush(st)))
			return r;
		chunk_reset(st);
	}
	p = put_varint(c->buf + c->len, proc);
	p = put_varint(p, (uint32_t)len);
	memcpy(p, rec, len);
	c->len = (uint32_t)(p + len - c->buf);
	c->n++;
	c->dirty = 1;
	st->next_seq++;
	st->c.events++;
	return 0;
}

static int child_put(pt_store *st, uint32_t parent, uint32_t child, uint32_t how, uint64_t ts)
{
	uint8_t k[8], v[9];

	be32(k, parent);
	be32(k + 4, child);
	v[0] = (uint8_t)how;
	memcpy(v + 1, &ts, 8);
	return put(st, DB_CHILD, k, 8, v, 9, 0);
}

/* An image of pid whose parent is `parent` appeared: the vfork child of that parent
 * with that pid was traced after all.  (The parent logs the vfork once the child has
 * exec'd, so the record may come before or after the child's image.) */
static int vfork_seen(pt_store *st, int32_t pid, uint32_t parent)
{
	uint8_t k[12];
	MDB_cursor *c;
	MDB_val key, v;
	int r;

	if (!parent)
		return 0;
	be32(k, (uint32_t)pid);
	be64(k + 4, 0);
	if ((r = mdb_cursor_open(st->txn, st->dbi[DB_VFORK], &c)))
		return r;
	key = val(k, 12);
	r = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	while (r == 0 && key.mv_size == 12 && rd32(key.mv_data) == (uint32_t)pid) {
		uint32_t forker;

		memcpy(&forker, v.mv_data, 4);
		if (v.mv_size != 4 || forker != parent) {
			r = mdb_cursor_get(c, &key, &v, MDB_NEXT);
			continue;
		}
		if ((r = mdb_cursor_del(c, 0)))
			break;
		/* a delete that empties the table leaves the cursor nowhere (GET_CURRENT then
		 * answers EINVAL, which failed every batch): look the pid up again */
		key = val(k, 12);
		r = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	}
	mdb_cursor_close(c);
	if (r == MDB_MAP_FULL) {
		st->full = 1;
		return PT_EFULL;
	}
	return r == MDB_NOTFOUND || r == 0 ? 0 : r;
}

/* A vfork-table entry that is no vfork: a pid that said it records nothing. */
#define VFORK_UNRECORDED 0xffffffffu

int pt_store_unrecorded(pt_store *st, int32_t pid, const void *detail, size_t n)
{
	uint32_t mark = VFORK_UNRECORDED;
	struct timespec ts;
	uint8_t k[12];
	int r;

	if ((r = pt_store_gap(st, 0, PT_GAP_SHIM_DISABLED, detail, n)))
		return r;
	clock_gettime(CLOCK_REALTIME, &ts);
	be32(k, (uint32_t)pid);
	be64(k + 4, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	return put(st, DB_VFORK, k, 12, &mark, 4, 0);
}

static int pid_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

int pt_store_untraced_children(pt_store *st)
{
	MDB_cursor *c;
	MDB_val key, v;
	struct { uint32_t proc; int32_t pid; } found[256];
	int32_t *quiet = NULL;   /* pids already counted by pt_store_unrecorded, sorted */
	size_t n, nquiet = 0, cap = 0;
	int r;

	if ((r = mdb_cursor_open(st->txn, st->dbi[DB_VFORK], &c)))
		return r;
	for (r = mdb_cursor_get(c, &key, &v, MDB_FIRST); r == 0;
	     r = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
		uint32_t proc;

		if (key.mv_size != 12 || v.mv_size != 4)
			continue;
		memcpy(&proc, v.mv_data, 4);
		if (proc != VFORK_UNRECORDED)
			continue;
		if (nquiet == cap) {
			cap = cap ? 2 * cap : 64;
			if (!(quiet = realloc(quiet, cap * sizeof *quiet)))
				abort();
		}
		quiet[nquiet++] = (int32_t)rd32(key.mv_data);
	}
	mdb_cursor_close(c);
	if (r != MDB_NOTFOUND) {
		free(quiet);
		return r;
	}
	/* collect, then report: a gap is a put into another table of this batch */
	do {
		n = 0;
		if ((r = mdb_cursor_open(st->txn, st->dbi[DB_VFORK], &c)))
			return r;
		r = mdb_cursor_get(c, &key, &v, MDB_FIRST);
		while (r == 0 && n < sizeof found / sizeof found[0]) {
			if (key.mv_size == 12 && v.mv_size == 4) {
				found[n].pid = (int32_t)rd32(key.mv_data);
				memcpy(&found[n].proc, v.mv_data, 4);
				n++;
			}
			if ((r = mdb_cursor_del(c, 0)))
				break;
			r = mdb_cursor_get(c, &key, &v, MDB_FIRST);
		}
		mdb_cursor_close(c);
		if (r && r != MDB_NOTFOUND)
			goto out;
		r = 0;
		for (size_t i = 0; i < n; i++) {
			char d[128];
			int len;

			/* a child that said it records nothing is one gap already */
			if (found[i].proc == VFORK_UNRECORDED ||
			    (nquiet && bsearch(&found[i].pid, quiet, nquiet, sizeof *quiet, pid_cmp)))
				continue;
			len = snprintf(d, sizeof d, "vfork child %d ran no traced image "
				       "(static or set-id, or its preload was removed)",
				       (int)found[i].pid);
			if ((r = pt_store_gap(st, found[i].proc, PT_GAP_UNTRACED_CHILD, d, (size_t)len)))
				goto out;
		}
	} while (n == sizeof found / sizeof found[0]);
out:
	free(quiet);
	if (r == MDB_MAP_FULL) {
		st->full = 1;
		return PT_EFULL;
	}
	return r == MDB_NOTFOUND ? 0 : r;
}

int pt_store_proc_add(pt_store *st, const struct pt_ident *id, uint32_t *out)
{
	struct pt_proc_rec p = { 0 }, prev;
	uint32_t prev_id, parent = 0, how = PT_CHILD_SPAWN;
	uint8_t k[12], buf[512];
	struct pt_mpw w;
	int r;

	p.id = st->next_proc;
	p.pid = id->pid;
	p.ppid = id->ppid;
	p.uid = id->uid;
	p.gid = id->gid;
	p.start_ns = id->start_ns;
	p.status = -1;
	p.verified = (uint32_t)id->verified;
	snprintf(p.host, sizeof p.host, "%s", id->host);

	/* the image this one replaced by exec: the same pid, still running */
	r = id->start_ns ? pt_store_proc_at(st, id->pid, id->start_ns - 1, &prev_id) : PT_ENOTFOUND;
	if (r == 0 && (r = proc_get(st, prev_id, &prev)) == 0 &&
	    (prev.end_state == 0 || prev.end_state == PT_END_EXECED) && prev.exec_to == 0) {
		p.exec_from = prev_id;
		prev.exec_to = p.id;
		prev.end_state = PT_END_EXECED;
		if (!prev.end_ns || prev.end_ns > id->start_ns)
			prev.end_ns = id->start_ns;
		if ((r = proc_put(st, &prev)) || (r = child_put(st, prev_id, p.id, PT_CHILD_EXEC, id->start_ns)))
			return r;
	} else if (r && r != PT_ENOTFOUND) {
		return r;
	} else {
		/* the parent: exactly, for a fork child; else the image of ppid running then */
		if (id->parent_start_ns) {
			be32(k, (uint32_t)id->ppid);
			be64(k + 4, id->parent_start_ns);
			MDB_val v;
			r = get(st, DB_PIDX, k, 12, &v);
			if (r == 0 && v.mv_size == 4)
				memcpy(&parent, v.mv_data, 4);
			how = PT_CHILD_FORK;
		} else {
			r = pt_store_proc_at(st, id->ppid, id->start_ns, &parent);
		}
		if (r && r != PT_ENOTFOUND)
			return r;
		p.parent = r == 0 ? parent : 0;
		if (p.parent && (r = child_put(st, p.parent, p.id, how, id->start_ns)))
			return r;
	}
	if ((r = proc_put(st, &p)))
		return r;
	be32(k, (uint32_t)id->pid);
	be64(k + 4, id->start_ns);
	if ((r = put(st, DB_PIDX, k, 12, &p.id, 4, 0)))
		return r;
	if ((r = vfork_seen(st, id->pid, p.parent)))
		return r;

	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 11);
	pt_mpw_uint(&w, PT_EV_C_PROC);
	pt_mpw_uint(&w, id->start_ns);
	pt_mpw_int(&w, id->pid);
	pt_mpw_int(&w, id->ppid);
	pt_mpw_uint(&w, id->uid);
	pt_mpw_uint(&w, id->start_ns);
	pt_mpw_bin(&w, id->host, strnlen(id->host, sizeof id->host));
	pt_mpw_uint(&w, p.parent);
	pt_mpw_uint(&w, p.exec_from);
	pt_mpw_uint(&w, (uint64_t)id->verified);
	pt_mpw_bin(&w, id->region, strnlen(id->region, sizeof id->region));
	if (w.overflow)
		return PT_EWIRE;
	if ((r = log_append(st, p.id, buf, (size_t)(w.p - buf))))
		return r;
	st->next_proc++;
	st->c.procs++;
	*out = p.id;
	return 0;
}

/* ---- sessions */

/* Compact values for the two biggest tables: fields as msgpack unsigned integers (a zero
 * takes one byte), times as offsets from a base time, zigzag-coded so that a time just
 * before the base packs small too, and 0 kept for "no time". */
static uint64_t t_off(uint64_t t, uint64_t base)
{
	int64_t d = (int64_t)(t - base);

	return t ? (((uint64_t)d << 1) ^ (uint64_t)(d >> 63)) + 1 : 0;
}

static uint64_t t_abs(uint64_t z, uint64_t base)
{
	if (!z--)
		return 0;
	return base + (uint64_t)((int64_t)(z >> 1) ^ -(int64_t)(z & 1));
}

#define SESS_FIELDS 22

static size_t sess_pack(const struct pt_sess_rec *s, uint8_t *buf, size_t n)
{
	struct pt_mpw w;
	const uint64_t b = s->open_ns;

	pt_mpw_init(&w, buf, n);
	pt_mpw_array(&w, SESS_FIELDS);
	pt_mpw_uint(&w, s->obj);
	pt_mpw_uint(&w, s->kind);
	pt_mpw_uint(&w, (uint64_t)(uint32_t)s->fd);
	pt_mpw_uint(&w, s->flags);
	pt_mpw_uint(&w, s->open_ns);
	pt_mpw_uint(&w, t_off(s->close_ns, b));
	pt_mpw_uint(&w, s->rbytes);
	pt_mpw_uint(&w, s->rops);
	pt_mpw_uint(&w, s->wbytes);
	pt_mpw_uint(&w, s->wops);
	pt_mpw_uint(&w, t_off(s->rfirst, b));
	pt_mpw_uint(&w, t_off(s->rlast, b));
	pt_mpw_uint(&w, t_off(s->wfirst, b));
	pt_mpw_uint(&w, t_off(s->wlast, b));
	pt_mpw_uint(&w, s->rmax);
	pt_mpw_uint(&w, s->wmax);
	pt_mpw_uint(&w, s->dev);
	pt_mpw_uint(&w, s->ino);
	pt_mpw_uint(&w, s->size);
	pt_mpw_uint(&w, s->mtime);
	pt_mpw_uint(&w, s->how);
	pt_mpw_uint(&w, s->call);
	return w.overflow ? 0 : (size_t)(w.p - buf);
}

static int unpack_uints(const void *p, size_t n, uint64_t *v, uint32_t max)
{
	struct pt_mpr r;
	uint32_t count;

	memset(v, 0, max * sizeof *v);
	pt_mpr_init(&r, p, n);
	if (pt_mpr_array(&r, &count))
		return PT_EWIRE;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t x;
		if (i < max ? pt_mpr_uint(&r, &x) : pt_mpr_skip(&r))
			return PT_EWIRE;
		if (i < max)
			v[i] = x;
	}
	return 0;
}

static int sess_unpack(const void *p, size_t n, struct pt_sess_rec *s)
{
	uint64_t v[SESS_FIELDS];

	if (unpack_uints(p, n, v, SESS_FIELDS))
		return PT_EWIRE;
	s->obj = (uint32_t)v[0];
	s->kind = (uint32_t)v[1];
	s->fd = (int32_t)(uint32_t)v[2];
	s->flags = (uint32_t)v[3];
	s->open_ns = v[4];
	s->close_ns = t_abs(v[5], v[4]);
	s->rbytes = v[6];
	s->rops = v[7];
	s->wbytes = v[8];
	s->wops = v[9];
	s->rfirst = t_abs(v[10], v[4]);
	s->rlast = t_abs(v[11], v[4]);
	s->wfirst = t_abs(v[12], v[4]);
	s->wlast = t_abs(v[13], v[4]);
	s->rmax = v[14];
	s->wmax = v[15];
	s->dev = v[16];
	s->ino = v[17];
	s->size = v[18];
	s->mtime = v[19];
	s->how = (uint32_t)v[20];
	s->call = (uint32_t)v[21];
	return 0;
}

#define USE_FIELDS 7

static size_t use_pack(const struct pt_use_rec *u, uint8_t *buf, size_t n)
{
	struct pt_mpw w;

	pt_mpw_init(&w, buf, n);
	pt_mpw_array(&w, USE_FIELDS);
	pt_mpw_uint(&w, u->dirs);
	pt_mpw_uint(&w, u->kind);
	pt_mpw_uint(&w, u->rfirst);
	pt_mpw_uint(&w, t_off(u->wfirst, u->rfirst));
	pt_mpw_uint(&w, t_off(u->end, u->rfirst));
	pt_mpw_uint(&w, u->rbytes);
	pt_mpw_uint(&w, u->wbytes);
	return w.overflow ? 0 : (size_t)(w.p - buf);
}

static int use_unpack(const void *p, size_t n, struct pt_use_rec *u)
{
	uint64_t v[USE_FIELDS];

	if (unpack_uints(p, n, v, USE_FIELDS))
		return PT_EWIRE;
	u->dirs = (uint32_t)v[0];
	u->kind = (uint32_t)v[1];
	u->rfirst = v[2];
	u->wfirst = t_abs(v[3], v[2]);
	u->end = t_abs(v[4], v[2]);
	u->rbytes = v[5];
	u->wbytes = v[6];
	return 0;
}

static int sess_get(pt_store *st, uint32_t proc, uint64_t sid, struct pt_sess_rec *s)
{
	uint8_t k[12];
	MDB_val v;
	void *c;
	int r;

	if (st->wback && (c = pt_wmap_find(st->wsess, proc, sid))) {
		memcpy(s, c, sizeof *s);
		return 0;
	}
	be32(k, proc);
	be64(k + 4, sid);
	if ((r = get(st, DB_SESS, k, 12, &v)))
		return r;
	memset(s, 0, sizeof *s);
	if ((r = sess_unpack(v.mv_data, v.mv_size, s)))
		return r;
	return st->wback ? wback_keep(st->wsess, proc, sid, s, sizeof *s, 0) : 0;
}

/* A session record into the table; f: written back in key order (NULL: plainly) */
static int sess_write(pt_store *st, uint32_t proc, uint64_t sid, const struct pt_sess_rec *s,
		      struct flush *f)
{
	uint8_t k[12], v[SESS_FIELDS * 9 + 4];
	size_t n = sess_pack(s, v, sizeof v);

	be32(k, proc);
	be64(k + 4, sid);
	return n ? put(st, DB_SESS, k, 12, v, n, f ? flush_flags(f, k, 12) : 0) : PT_EWIRE;
}

static int sess_put(pt_store *st, uint32_t proc, uint64_t sid, const struct pt_sess_rec *s)
{
	if (st->wback)
		return wback_keep(st->wsess, proc, sid, s, sizeof *s, 1);
	return sess_write(st, proc, sid, s, NULL);
}

static int flush_sess(void *ctx, uint32_t proc, uint64_t sid, const void *v)
{
	struct flush *f = ctx;

	return sess_write(f->st, proc, sid, v, f);
}

static int flush_proc(void *ctx, uint32_t proc, uint64_t unused, const void *v)
{
	struct flush *f = ctx;

	(void)unused;
	return proc_write(f->st, proc, v, f);
}

/* Start (on) or end (off) an indexing step's write-back; at the end, write what changed
 * unless the step failed (its transaction is aborted anyway). */
static int wback(pt_store *st, int on, int write)
{
	int r = 0;

	if (on) {
		if ((!st->wsess && !(st->wsess = pt_wmap_new(sizeof(struct pt_sess_rec)))) ||
		    (!st->wproc && !(st->wproc = pt_wmap_new(sizeof(struct pt_proc_rec)))))
			return ENOMEM;
		pt_wmap_clear(st->wsess);
		pt_wmap_clear(st->wproc);
		st->wback = 1;
		return 0;
	}
	st->wback = 0;
	if (write) {
		struct flush f;
		pt_wmap_sort(st->wsess);
		pt_wmap_sort(st->wproc);
		if (!(r = flush_start(&f, st, DB_SESS, 12)))
			r = pt_wmap_each_dirty(st->wsess, flush_sess, &f);
		if (!r && !(r = flush_start(&f, st, DB_PROC, 4)))
			r = pt_wmap_each_dirty(st->wproc, flush_proc, &f);
	}
	pt_wmap_clear(st->wsess);
	pt_wmap_clear(st->wproc);
	return r;
}

static int sess_begin(pt_store *st, uint32_t proc, uint64_t sid, uint32_t obj, uint32_t kind,
		      int fd, uint32_t flags, uint32_t call, uint64_t ts)
{
	struct pt_sess_rec s = { 0 };

	s.obj = obj;
	s.kind = kind;
	s.fd = fd;
	s.flags = flags;
	s.call = call;
	s.open_ns = ts;
	st->c.sessions++;
	return sess_put(st, proc, sid, &s);
}

static uint32_t obj_kind(uint32_t kind)
{
	return kind >= PT_KIND_FILE && kind <= PT_KIND_OTHER ? kind : PT_KIND_OTHER;
}

/* Has any session of obj moved data before? (a cursor on the use index's prefix) */
static int obj_used(pt_store *st, uint32_t obj, int *used)
{
	uint8_t k[4];
	MDB_cursor *c;
	MDB_val key, v;
	int r;

	be32(k, obj);
	*used = 0;
	if ((r = mdb_cursor_open(st->txn, st->dbi[DB_USE], &c)))
		return r;
	key = val(k, 4);
	r = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	if (r == 0 && key.mv_size >= 4 && memcmp(key.mv_data, k, 4) == 0)
		*used = 1;
	mdb_cursor_close(c);
	return r == MDB_NOTFOUND ? 0 : r;
}

/* CLOSE and C_SESS_END share their first twelve fields. */
static int sess_end(pt_store *st, uint32_t proc, const struct pt_ev *ev, int from_table)
{
	struct pt_sess_rec s;
	struct pt_proc_rec p;
	uint64_t sid = pt_ev_u(ev, 0);
	int r, used;

	r = sess_get(st, proc, sid, &s);
	if (r == PT_ENOTFOUND)
		return 0;        /* its OPEN was lost (counted as dropped by the producer) */
	if (r)
		return r;
	if (s.close_ns)
		return 0;        /* already closed: a CLOSE published just before a kill */
	s.rbytes = pt_ev_u(ev, 2);
	s.rops = pt_ev_u(ev, 3);
	s.wbytes = pt_ev_u(ev, 4);
	s.wops = pt_ev_u(ev, 5);
	s.rfirst = pt_ev_u(ev, 6);
	s.rlast = pt_ev_u(ev, 7);
	s.wfirst = pt_ev_u(ev, 8);
	s.wlast = pt_ev_u(ev, 9);
	s.rmax = pt_ev_u(ev, 10);
	s.wmax = pt_ev_u(ev, 11);
	if (!from_table) {
		s.dev = pt_ev_u(ev, 12);
		s.ino = pt_ev_u(ev, 13);
		s.size = pt_ev_u(ev, 14);
		s.mtime = pt_ev_u(ev, 15);
		s.how = (uint32_t)pt_ev_u(ev, 16);
	} else {
		s.how = 0xff;
	}
	s.close_ns = ev->ts ? ev->ts : 1;
	if ((r = sess_put(st, proc, sid, &s)))
		return r;
	if (!s.obj || (!s.rops && !s.wops))
		return 0;

	struct pt_use_rec u = { 0 };
	uint8_t k[17];
	u.dirs = (s.rops ? PT_USE_READ : 0) | (s.wops ? PT_USE_WRITE : 0);
	u.kind = s.kind;
	u.rfirst = s.rfirst ? s.rfirst : s.open_ns;
	u.wfirst = s.wfirst ? s.wfirst : s.open_ns;
	u.end = s.close_ns;
	u.rbytes = s.rbytes;
	u.wbytes = s.wbytes;
	if ((r = obj_used(st, s.obj, &used)))
		return r;
	/* one entry per direction, so that a walk back seeks the writers of an object and
	 * a walk forward its readers, without stepping over the other kind */
	uint8_t v[USE_FIELDS * 9 + 4];
	size_t vn = use_pack(&u, v, sizeof v);
	if (!vn)
		return PT_EWIRE;
	be32(k, s.obj);
	be32(k + 5, proc);
	be64(k + 9, sid);
	for (uint32_t dir = PT_USE_READ; dir <= PT_USE_WRITE; dir <<= 1) {
		if (!(u.dirs & dir))
			continue;
		k[4] = (uint8_t)dir;
		if ((r = put(st, DB_USE, k, 17, v, vn, 0)))
			return r;
	}
	if (s.kind == PT_KIND_FILE) {
		if (!used)
			st->c.files++;
		st->c.bytes_read += s.rbytes;
		st->c.bytes_written += s.wbytes;
		if ((r = proc_get(st, proc, &p)))
			return r == PT_ENOTFOUND ? 0 : r;
		p.rbytes += s.rbytes;
		p.wbytes += s.wbytes;
		return proc_put(st, &p);
	}
	if (s.kind == PT_KIND_PIPE || s.kind == PT_KIND_SOCKET)
		st->c.ipc_bytes += s.rbytes + s.wbytes;
	return 0;
}

/* ---- data-flow edges */

static int flow_put(pt_store *st, uint32_t from, uint32_t to, uint64_t ts, uint32_t kind)
{
	uint8_t k[16], v = (uint8_t)kind;
	int r;

	be32(k, from);
	be32(k + 4, to);
	be64(k + 8, ts);
	if ((r = put(st, DB_FLOW, k, 16, &v, 1, 0)))
		return r;
	be32(k, to);
	be32(k + 4, from);
	return put(st, DB_FLOWR, k, 16, &v, 1, 0);
}

static int endpoint(pt_store *st, const char *fmt, uint64_t ino, uint32_t *obj)
{
	char name[64];
	int n = snprintf(name, sizeof name, fmt, (unsigned long long)ino);

	return obj_lookup(st, name, (size_t)n, PT_KIND_SOCKET, obj);
}

/* ---- applying records */

static int gap_index(pt_store *st, uint32_t proc, uint32_t kind, const void *detail, size_t n);
static int apply_mpi(pt_store *st, uint32_t proc, const struct pt_ev *ev);

static int apply(pt_store *st, uint32_t proc, const struct pt_ev *ev, const uint8_t *rec,
		 uint32_t len)
{
	struct pt_proc_rec p, c;
	struct pt_sess_rec s;
	struct pt_bytes b, b2;
	uint32_t obj, obj2, child;
	uint8_t k[8];
	int r;

	switch (ev->type) {
	case PT_EV_PROC_START:
		be32(k, proc);
		if ((r = put(st, DB_PROCX, k, 4, rec, len, 0)))
			return r;
		if ((r = proc_get(st, proc, &p)))
			return r == PT_ENOTFOUND ? 0 : r;
		p.how = (uint32_t)pt_ev_u(ev, 9);
		p.flags |= (uint32_t)pt_ev_u(ev, 10);
		return proc_put(st, &p);

	case PT_EV_PROC_EXIT:
		if ((r = proc_get(st, proc, &p)))
			return r == PT_ENOTFOUND ? 0 : r;
		if (pt_ev_u(ev, 0) != PT_EXIT_DESTRUCTOR) {
			p.status = (int32_t)pt_ev_i(ev, 1);
			p.status_from = 1;
		}
		p.end_ns = ev->ts;
		p.utime_us = pt_ev_u(ev, 2);
		p.stime_us = pt_ev_u(ev, 3);
		p.maxrss_kb = pt_ev_u(ev, 4);
		return proc_put(st, &p);

	case PT_EV_WAIT:
		/* how a child ended, seen by its parent: the only witness of a signal */
		if ((r = pt_store_proc_at(st, (int32_t)pt_ev_i(ev, 0), ev->ts, &child)))
			return r == PT_ENOTFOUND ? 0 : r;
		if ((r = proc_get(st, child, &c)))
			return r == PT_ENOTFOUND ? 0 : r;
		if (c.status_from != 1) {
			c.status = (int32_t)pt_ev_i(ev, 1);
			c.status_from = 2;
			return proc_put(st, &c);
		}
		return 0;

	case PT_EV_LIBS: {
		struct pt_mpr m;
		uint32_t n, two;
		if (ev->n < 1 || ev->v[0].kind != PT_MP_ARRAY)
			return 0;
		pt_mpr_init(&m, ev->v[0].b.p, ev->v[0].b.len);
		if (pt_mpr_array(&m, &n))
			return PT_EWIRE;
		while (n--) {
			uint64_t base = 0;
			uint8_t lk[8];
			if (pt_mpr_array(&m, &two) || two < 2 || pt_mpr_bytes(&m, &b) ||
			    pt_mpr_uint(&m, &base))
				return PT_EWIRE;
			for (uint32_t i = 2; i < two; i++)
				if (pt_mpr_skip(&m))
					return PT_EWIRE;
			if ((r = obj_lookup(st, b.p, b.len, PT_KIND_FILE, &obj)))
				return r;
			be32(lk, proc);
			be32(lk + 4, obj);
			if ((r = put(st, DB_LIBS, lk, 8, &base, 8, 0)))
				return r;
		}
		return 0;
	}

	case PT_EV_OPEN:
	case PT_EV_ADOPT: {
		uint32_t kind = (uint32_t)pt_ev_u(ev, 3 + (ev->type == PT_EV_OPEN ? 2 : 0));
		b = pt_ev_b(ev, 2);
		if ((r = obj_lookup(st, b.p, b.len, obj_kind(kind), &obj)))
			return r;
		return sess_begin(st, proc, pt_ev_u(ev, 0), obj, kind, (int)pt_ev_i(ev, 1),
				  ev->type == PT_EV_OPEN ? (uint32_t)pt_ev_u(ev, 3) : 0,
				  ev->type == PT_EV_OPEN ? (uint32_t)pt_ev_u(ev, 6) : 0xff, ev->ts);
	}

	case PT_EV_INHERIT:
		/* the parent's session gives the object */
		if ((r = proc_get(st, proc, &p)))
			return r == PT_ENOTFOUND ? 0 : r;
		r = p.parent ? sess_get(st, p.parent, pt_ev_u(ev, 2), &s) : PT_ENOTFOUND;
		if (r == PT_ENOTFOUND)
			return 0;
		if (r)
			return r;
		return sess_begin(st, proc, pt_ev_u(ev, 0), s.obj, s.kind, (int)pt_ev_i(ev, 1),
				  s.flags, s.call, ev->ts);

	case PT_EV_DUP:
		r = sess_get(st, proc, pt_ev_u(ev, 1), &s);
		if (r == PT_ENOTFOUND)
			return 0;
		if (r)
			return r;
		return sess_begin(st, proc, pt_ev_u(ev, 0), s.obj, s.kind, (int)pt_ev_i(ev, 2),
				  s.flags, s.call, ev->ts);

	case PT_EV_CLOSE:
		return sess_end(st, proc, ev, 0);

	case PT_EV_RENAME:
	case PT_EV_LINK: {
		uint32_t kind = ev->type == PT_EV_RENAME ? PT_FLOW_RENAME
			       : pt_ev_u(ev, 2) ? PT_FLOW_SYMLINK : PT_FLOW_LINK;
		uint8_t *joined = NULL;
		b = pt_ev_b(ev, 0);
		b2 = pt_ev_b(ev, 1);
		/* a relative target (kept as written in the log) names a file of the link's
		 * own directory: the object is that file, as the kernel resolves it */
		if (kind == PT_FLOW_SYMLINK && b.len && b.p[0] != '/' && b2.len && b2.p[0] == '/') {
			size_t dir = b2.len;
			while (dir > 0 && b2.p[dir - 1] != '/')
				dir--;
			if (!(joined = malloc(dir + b.len + 1)))
				return ENOMEM;
			memcpy(joined, b2.p, dir);
			memcpy(joined + dir, b.p, b.len);
			b.len = (uint32_t)pt_path_lexical((char *)joined, dir + b.len);
			b.p = joined;
		}
		if ((r = obj_lookup(st, b.p, b.len, PT_KIND_FILE, &obj)) == 0)
			r = obj_lookup(st, b2.p, b2.len, PT_KIND_FILE, &obj2);
		free(joined);
		if (r)
			return r;
		return flow_put(st, obj, obj2, kind == PT_FLOW_SYMLINK ? 0 : ev->ts, kind);
	}

	case PT_EV_SOCKPAIR:
		if ((r = endpoint(st, "socket:[%llu]", pt_ev_u(ev, 0), &obj)) ||
		    (r = endpoint(st, "socket:[%llu]", pt_ev_u(ev, 1), &obj2)) ||
		    (r = flow_put(st, obj, obj2, 0, PT_FLOW_CHANNEL)))
			return r;
		return flow_put(st, obj2, obj, 0, PT_FLOW_CHANNEL);

	case PT_EV_CONNECT:
	case PT_EV_ACCEPT: {
		uint8_t name[PT_PATH_KEY_MAX];
		b = pt_ev_b(ev, 2);
		if (b.len + 5 > sizeof name)
			return 0;
		memcpy(name, "unix:", 5);
		memcpy(name + 5, b.p, b.len);
		if ((r = endpoint(st, "socket:[%llu]", pt_ev_u(ev, 1), &obj)) ||
		    (r = obj_lookup(st, name, b.len + 5, PT_OBJ_UNIX, &obj2)) ||
		    (r = flow_put(st, obj, obj2, 0, PT_FLOW_CHANNEL)))
			return r;
		return flow_put(st, obj2, obj, 0, PT_FLOW_CHANNEL);
	}

	case PT_EV_GAP:
		b = pt_ev_b(ev, 1);
		return gap_index(st, proc, (uint32_t)pt_ev_u(ev, 0), b.p, b.len);

	case PT_EV_MPI_INIT: case PT_EV_MPI_FINI: case PT_EV_MPI_COMM: case PT_EV_MPI_P2P:
	case PT_EV_MPI_COLL: case PT_EV_MPI_FOPEN: case PT_EV_MPI_FCLOSE:
	case PT_EV_MPI_SPAWN: case PT_EV_MPI_PARENT:
		return apply_mpi(st, proc, ev);

	default:
		/* EXEC, EXEC_FAIL, FORK, SPAWN, MMAP, UNLINK, TRUNCATE, MKDIR, IO, and types
		 * newer than this collector: kept in the log only */
		return 0;
	}
}

/* The check at ingest: one msgpack array [type, ts, ...] of a process's record type,
 * well-formed all through, nothing after it.  Cheaper than a parse; the indexer parses. */
static int rec_check(const uint8_t *rec, uint32_t len, uint64_t *type)
{
	struct pt_mpr r;
	uint64_t ts;
	uint32_t n;

	pt_mpr_init(&r, rec, len);
	if (pt_mpr_array(&r, &n) || n < 2 || pt_mpr_uint(&r, type) || *type == 0 ||
	    *type >= PT_EV_C_PROC || pt_mpr_uint(&r, &ts))
		return PT_EWIRE;
	for (uint32_t i = 2; i < n; i++)
		if (pt_mpr_skip(&r))
			return PT_EWIRE;
	return pt_mpr_left(&r) ? PT_EWIRE : 0;
}

/* A vfork child whose exec the shim could not see into: remembered until its image
 * appears (pt_store_proc_add) or the run ends without it (pt_store_untraced_children).
 * Kept at ingest, like the process table, so that the collector can tell at the run's
 * end, before anything is indexed. */
static int vfork_child(pt_store *st, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	struct pt_proc_rec c;
	struct pt_ev ev;
	uint32_t child;
	uint8_t vk[12];
	int r;

	if (pt_ev_parse(rec, len, &ev) || pt_ev_u(&ev, 1) != PT_SPAWN_VFORK || pt_ev_i(&ev, 0) <= 0)
		return 0;
	/* its image may be here already: the latest of the pid, forked by us */
	r = pt_store_proc_at(st, (int32_t)pt_ev_i(&ev, 0), UINT64_MAX, &child);
	if (r == 0 && (r = proc_get(st, child, &c)) == 0 && c.parent == proc)
		return 0;
	if (r && r != PT_ENOTFOUND)
		return r;
	be32(vk, (uint32_t)pt_ev_i(&ev, 0));
	be64(vk + 4, ev.ts);
	return put(st, DB_VFORK, vk, 12, &proc, 4, 0);
}

int pt_store_event(pt_store *st, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	uint64_t type;
	int r;

	if (!st->txn || st->rdonly)
		return EINVAL;
	if (rec_check(rec, len, &type))
		return PT_EWIRE;
	if (type == PT_EV_FORK && (r = vfork_child(st, proc, rec, len)))
		return r;
	return log_append(st, proc, rec, len);
}

/* C_PROC_END: how the image ended and what its region lost. */
static int proc_ended(pt_store *st, uint32_t proc, const struct pt_ev *ev)
{
	struct pt_proc_rec p;
	uint64_t end_ns = pt_ev_u(ev, 2);
	int r;

	if ((r = proc_get(st, proc, &p)))
		return r == PT_ENOTFOUND ? 0 : r;
	if (p.end_state != PT_END_EXECED)
		p.end_state = (uint32_t)pt_ev_u(ev, 0);
	if (end_ns && (!p.end_ns || p.end_state == PT_END_DIED || p.end_state == PT_END_RUNNING))
		p.end_ns = end_ns;
	if (p.status_from == 0 && p.end_state == PT_END_EXITED && pt_ev_i(ev, 1) >= 0) {
		p.status = (int32_t)pt_ev_i(ev, 1);
		p.status_from = 1;
	}
	p.dropped += pt_ev_u(ev, 3);
	p.torn += pt_ev_u(ev, 4);
	p.corrupt += pt_ev_u(ev, 5);
	st->c.dropped += pt_ev_u(ev, 3);
	st->c.torn += pt_ev_u(ev, 4);
	st->c.corrupt += pt_ev_u(ev, 5);
	return proc_put(st, &p);
}

struct index_ctx {
	pt_store *st;
	uint64_t budget, done, last;
	int err;
};

static int index_one(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	struct index_ctx *x = ctx;
	struct pt_ev ev;
	int r = 0;

	if (x->done == x->budget)
		return 1;
	x->done++;
	x->last = seq;
	if (pt_ev_parse(rec, len, &ev)) {
		x->st->c.corrupt++;   /* checked at ingest: only a newer writer's record gets here */
		return 0;
	}
	switch (ev.type) {
	case PT_EV_C_PROC:
		break;                /* applied by pt_store_proc_add itself */
	case PT_EV_C_SESS_END:
		r = sess_end(x->st, proc, &ev, 1);
		break;
	case PT_EV_C_PROC_END:
		r = proc_ended(x->st, proc, &ev);
		break;
	default:
		r = apply(x->st, proc, &ev, rec, len);
		break;
	}
	if (r) {
		x->err = r;
		return 1;
	}
	return 0;
}

int pt_store_index(pt_store *st, uint64_t budget, int *done)
{
	struct index_ctx x = { st, budget, 0, 0, 0 };
	uint64_t from = 0;
	size_t n = sizeof from;
	int r;

	if (!st->txn || st->rdonly)
		return EINVAL;
	r = pt_store_meta_get(st, "indexed", &from, &n);
	if (r && r != PT_ENOTFOUND)
		return r;
	if ((r = wback(st, 1, 0)))
		return r;
	r = pt_store_each_log(st, from + 1, index_one, &x);
	if (x.err)
		r = x.err;
	else if (r == 1)
		r = 0;
	/* the step's sessions and processes, each written once */
	int w = wback(st, 0, r == 0);
	if (r || (r = w))
		return r;
	*done = x.done < budget;
	if (x.done && (r = pt_store_meta_put(st, "indexed", &x.last, sizeof x.last)))
		return r;
	return 0;
}

void pt_store_defer_index(pt_store *st, int defer)
{
	st->defer_index = defer;
}

int pt_store_index_lag(pt_store *st, uint64_t *lag)
{
	uint64_t indexed = 0, next = st->next_seq, first;
	size_t n = sizeof indexed;
	MDB_val v;
	int r = pt_store_meta_get(st, "indexed", &indexed, &n);

	if (r && r != PT_ENOTFOUND)
		return r;
	/* the writer knows its log's end; a reader looks at its snapshot's */
	if (st->rdonly && (r = log_end(st, st->txn, &next, &first, &v)))
		return r;
	*lag = next > indexed + 1 ? next - indexed - 1 : 0;
	return 0;
}

/* The gap index and counter; the GAP record is in the log already. */
static int gap_index(pt_store *st, uint32_t proc, uint32_t kind, const void *detail, size_t n)
{
	uint8_t k[8];
	uint8_t v[8 + 1024];

	if (n > 1024)
		n = 1024;
	memcpy(v, &proc, 4);
	memcpy(v + 4, &kind, 4);
	if (n)
		memcpy(v + 8, detail, n);
	st->c.gaps++;
	be64(k, st->c.gaps);
	return put(st, DB_GAP, k, 8, v, 8 + n, 0);
}

/* A gap the collector found: logged as a GAP record of the image (0: of the node), so
 * that the log alone still tells everything. */
int pt_store_gap(pt_store *st, uint32_t proc, uint32_t kind, const void *detail, size_t n)
{
	uint8_t buf[1100];
	struct pt_mpw w;
	struct timespec ts;

	if (n > 1024)
		n = 1024;
	clock_gettime(CLOCK_REALTIME, &ts);
	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 4);
	pt_mpw_uint(&w, PT_EV_GAP);
	pt_mpw_uint(&w, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	pt_mpw_uint(&w, kind);
	pt_mpw_bin(&w, detail, n);
	/* indexed, like every logged record, by pt_store_index() */
	return log_append(st, proc, buf, (size_t)(w.p - buf));
}

int pt_store_proc_end(pt_store *st, uint32_t proc, uint32_t state, int32_t status,
		      uint64_t end_ns, uint64_t dropped, uint64_t torn, uint64_t corrupt)
{
	uint8_t buf[128];
	struct pt_mpw w;

	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 8);
	pt_mpw_uint(&w, PT_EV_C_PROC_END);
	pt_mpw_uint(&w, end_ns);
	pt_mpw_uint(&w, state);
	pt_mpw_int(&w, status);
	pt_mpw_uint(&w, end_ns);
	pt_mpw_uint(&w, dropped);
	pt_mpw_uint(&w, torn);
	pt_mpw_uint(&w, corrupt);
	return log_append(st, proc, buf, (size_t)(w.p - buf));
}

int pt_store_sess_end(pt_store *st, uint32_t proc, int fd, const struct pt_sess *t,
		      uint64_t end_ns)
{
	uint64_t sid = atomic_load_explicit(&t->sid, memory_order_acquire);
	struct pt_sess_totals sum;
	uint8_t buf[256];
	struct pt_mpw w;

	if (!sid || t->kind == PT_KIND_IGNORED)
		return 0;
	pt_sess_totals(t, &sum);   /* every thread's counts */
	/* the indexer drops it if the session's CLOSE came first (a close published just
	 * before a kill, the table entry not yet cleared) */
	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 14);
	pt_mpw_uint(&w, PT_EV_C_SESS_END);
	pt_mpw_uint(&w, end_ns);
	pt_mpw_uint(&w, sid);
	pt_mpw_uint(&w, (uint64_t)fd);
	pt_mpw_uint(&w, sum.rbytes);
	pt_mpw_uint(&w, sum.rops);
	pt_mpw_uint(&w, sum.wbytes);
	pt_mpw_uint(&w, sum.wops);
	pt_mpw_uint(&w, t->rfirst);
	pt_mpw_uint(&w, t->rlast);
	pt_mpw_uint(&w, t->wfirst);
	pt_mpw_uint(&w, t->wlast);
	pt_mpw_uint(&w, sum.rmax);
	pt_mpw_uint(&w, sum.wmax);
	return w.overflow ? PT_EWIRE : log_append(st, proc, buf, (size_t)(w.p - buf));
}

int pt_store_top_status(pt_store *st, int32_t pid, int32_t status, uint64_t end_ns)
{
	struct pt_proc_rec p;
	uint32_t proc;
	int32_t top[2] = { pid, status };
	int r;

	if ((r = pt_store_meta_put(st, "top", top, sizeof top)))
		return r;
	r = pt_store_proc_at(st, pid, end_ns ? end_ns : UINT64_MAX, &proc);
	if (r == PT_ENOTFOUND)
		return 0;
	if (r || (r = proc_get(st, proc, &p)))
		return r;
	if (p.status_from != 1) {
		p.status = status;
		p.status_from = 3;
		return proc_put(st, &p);
	}
	return 0;
}

/* ---- regions */

int pt_store_region_get(pt_store *st, const char *name, struct pt_region_rec *rr,
			uint64_t *off, uint32_t max)
{
	MDB_val v;
	int r = get(st, DB_REGION, name, strlen(name), &v);

	if (r)
		return r;
	if (v.mv_size < sizeof *rr)
		return PT_EWIRE;
	memcpy(rr, v.mv_data, sizeof *rr);
	if (rr->nslots > max || v.mv_size != sizeof *rr + rr->nslots * 8u)
		return PT_EWIRE;
	memcpy(off, (uint8_t *)v.mv_data + sizeof *rr, rr->nslots * 8u);
	return 0;
}

int pt_store_region_put(pt_store *st, const char *name, const struct pt_region_rec *rr,
			const uint64_t *off)
{
	size_t n = sizeof *rr + rr->nslots * 8u;
	uint8_t *v = malloc(n);
	int r;

	if (!v)
		return ENOMEM;
	memcpy(v, rr, sizeof *rr);
	memcpy(v + sizeof *rr, off, rr->nslots * 8u);
	r = put(st, DB_REGION, name, strlen(name), v, n, 0);
	free(v);
	return r;
}

/* ---- iteration */

typedef int (*kv_fn)(void *ctx, const MDB_val *k, const MDB_val *v);

/* Walk the entries whose keys start with prefix (all of them when plen is 0). */
static int walk(pt_store *st, int db, const void *prefix, size_t plen, kv_fn fn, void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	MDB_txn *txn;
	int temp, r;

	if ((r = txn_get(st, &txn, &temp)))
		return r;
	if ((r = mdb_cursor_open(txn, st->dbi[db], &c))) {
		txn_put(txn, temp);
		return r;
	}
	k = val(prefix, plen);
	r = plen ? mdb_cursor_get(c, &k, &v, MDB_SET_RANGE) : mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (r == 0) {
		if (plen && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
			break;
		if ((r = fn(ctx, &k, &v)))
			break;
		r = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	txn_put(txn, temp);
	return r == MDB_NOTFOUND ? 0 : r;
}

struct walk_ctx {
	void *fn;
	void *ctx;
	uint32_t dir;     /* use walks: the one direction asked for, or 0 */
};

static int proc_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct walk_ctx *w = ctx;
	struct pt_proc_rec p = { 0 };

	(void)k;
	memcpy(&p, v->mv_data, v->mv_size < sizeof p ? v->mv_size : sizeof p);
	return ((pt_proc_fn)w->fn)(w->ctx, &p);
}

int pt_store_each_proc(pt_store *st, pt_proc_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	return walk(st, DB_PROC, NULL, 0, proc_cb, &w);
}

static int sess_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct walk_ctx *w = ctx;
	struct pt_sess_rec s = { 0 };

	if (k->mv_size != 12 || sess_unpack(v->mv_data, v->mv_size, &s))
		return 0;
	return ((pt_sess_fn)w->fn)(w->ctx, rd32(k->mv_data), rd64((uint8_t *)k->mv_data + 4), &s);
}

int pt_store_each_sess(pt_store *st, uint32_t proc, pt_sess_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	uint8_t k[4];

	be32(k, proc);
	return walk(st, DB_SESS, k, proc ? 4 : 0, sess_cb, &w);
}

static int use_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct walk_ctx *w = ctx;
	struct pt_use_rec u = { 0 };
	const uint8_t *p = k->mv_data;

	if (k->mv_size != 17 || use_unpack(v->mv_data, v->mv_size, &u))
		return 0;
	/* a session that read and wrote has an entry per direction: report it once, from
	 * the entry of its highest direction, unless the walk asked for one direction */
	if (!w->dir && p[4] == PT_USE_READ && (u.dirs & PT_USE_WRITE))
		return 0;
	return ((pt_use_fn)w->fn)(w->ctx, rd32(p), rd32(p + 5), rd64(p + 9), &u);
}

int pt_store_each_use(pt_store *st, uint32_t obj, pt_use_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	uint8_t k[4];

	be32(k, obj);
	return walk(st, DB_USE, k, obj ? 4 : 0, use_cb, &w);
}

int pt_store_each_use_dir(pt_store *st, uint32_t obj, uint32_t dir, pt_use_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, dir };
	uint8_t k[5];

	if (dir != PT_USE_READ && dir != PT_USE_WRITE)
		return EINVAL;
	be32(k, obj);
	k[4] = (uint8_t)dir;
	return walk(st, DB_USE, k, 5, use_cb, &w);
}

static int edge_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct walk_ctx *w = ctx;
	const uint8_t *p = k->mv_data, *d = v->mv_data;
	uint64_t ts = 0;

	if (k->mv_size == 16 && v->mv_size >= 1)   /* flow, flowr */
		return ((pt_edge_fn)w->fn)(w->ctx, rd32(p), rd32(p + 4), rd64(p + 8), d[0]);
	if (k->mv_size == 8 && v->mv_size == 9) {  /* child */
		memcpy(&ts, d + 1, 8);
		return ((pt_edge_fn)w->fn)(w->ctx, rd32(p), rd32(p + 4), ts, d[0]);
	}
	if (k->mv_size == 8 && v->mv_size == 8) {  /* libs: ts carries the base address */
		memcpy(&ts, d, 8);
		return ((pt_edge_fn)w->fn)(w->ctx, rd32(p), rd32(p + 4), ts, 0);
	}
	return 0;
}

int pt_store_each_child(pt_store *st, uint32_t parent, pt_edge_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	uint8_t k[4];

	be32(k, parent);
	return walk(st, DB_CHILD, k, parent ? 4 : 0, edge_cb, &w);
}

int pt_store_each_flow(pt_store *st, uint32_t obj, int reverse, pt_edge_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	uint8_t k[4];

	be32(k, obj);
	return walk(st, reverse ? DB_FLOWR : DB_FLOW, k, obj ? 4 : 0, edge_cb, &w);
}

int pt_store_each_lib(pt_store *st, uint32_t proc, pt_edge_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	uint8_t k[4];

	be32(k, proc);
	return walk(st, DB_LIBS, k, proc ? 4 : 0, edge_cb, &w);
}

int pt_store_each_log(pt_store *st, uint64_t from, pt_log_fn fn, void *ctx)
{
	MDB_cursor *c;
	MDB_val key, v;
	MDB_txn *txn;
	uint8_t k[8];
	int temp, r;

	/* the writer's own batch: what it logged is read back too */
	if (st->txn && !st->rdonly && (r = chunk_flush(st)))
		return r;
	if ((r = txn_get(st, &txn, &temp)))
		return r;
	if ((r = mdb_cursor_open(txn, st->dbi[DB_LOG], &c))) {
		txn_put(txn, temp);
		return r;
	}
	/* the chunk holding `from`: the last one that starts at or before it */
	be64(k, from);
	key = val(k, 8);
	r = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	if (r == 0 && key.mv_size == 8 && rd64(key.mv_data) > from) {
		r = mdb_cursor_get(c, &key, &v, MDB_PREV);
		if (r == MDB_NOTFOUND)
			r = mdb_cursor_get(c, &key, &v, MDB_FIRST);
	} else if (r == MDB_NOTFOUND) {
		r = mdb_cursor_get(c, &key, &v, MDB_LAST);
	}
	while (r == 0) {
		const uint8_t *p = v.mv_data, *end = p + v.mv_size, *rec;
		uint64_t seq = key.mv_size == 8 ? rd64(key.mv_data) : 0;
		uint32_t proc, len;

		while (r == 0 && p < end && chunk_next(&p, end, &proc, &rec, &len) == 0) {
			if (seq >= from)
				r = fn(ctx, seq, proc, rec, len);
			seq++;
		}
		if (r)
			break;
		r = mdb_cursor_get(c, &key, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	txn_put(txn, temp);
	return r == MDB_NOTFOUND ? 0 : r;
}

static int gap_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct walk_ctx *w = ctx;
	uint32_t proc;

	if (k->mv_size != 8 || v->mv_size < 8)
		return 0;
	memcpy(&proc, v->mv_data, 4);
	/* the record handed over is kind:u32 | detail */
	return ((pt_log_fn)w->fn)(w->ctx, rd64(k->mv_data), proc, (uint8_t *)v->mv_data + 4,
				  (uint32_t)(v->mv_size - 4));
}

int pt_store_each_gap(pt_store *st, pt_log_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	return walk(st, DB_GAP, NULL, 0, gap_cb, &w);
}

static int obj_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct walk_ctx *w = ctx;

	if (k->mv_size != 4 || v->mv_size < 1)
		return 0;
	return ((pt_obj_fn)w->fn)(w->ctx, rd32(k->mv_data), ((uint8_t *)v->mv_data)[0],
				  (uint8_t *)v->mv_data + 1, v->mv_size - 1);
}

int pt_store_each_obj(pt_store *st, pt_obj_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	return walk(st, DB_OBJ, NULL, 0, obj_cb, &w);
}

int pt_store_drop_pages(pt_store *st)
{
	struct stat sb;
	char line[512];
	mdb_filehandle_t fd;
	FILE *f;
	int r = 0;

	if (!st->rdonly)
		return EINVAL;
	/* LMDB does not say where its map is (me_mapaddr is only set for MDB_FIXEDMAP):
	 * find the mappings of the store's file, by device and inode */
	if ((r = mdb_env_get_fd(st->env, &fd)) || fstat(fd, &sb) < 0)
		return r ? r : errno;
	if (!(f = fopen("/proc/self/maps", "re")))
		return errno;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi, off, ino;
		unsigned maj, min;
		char perm[8];
		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &lo, &hi, perm, &off, &maj, &min,
			   &ino) != 7 || ino != (unsigned long)sb.st_ino ||
		    makedev(maj, min) != sb.st_dev || perm[1] == 'w')
			continue;
		/* a read-only shared file mapping: dropping its pages loses nothing */
		if (madvise((void *)lo, hi - lo, MADV_DONTNEED) < 0)
			r = errno;
	}
	fclose(f);
	return r;
}

/* ---- MPI (records 128-191): ranks, communicators, traffic.  One table, "mpi", whose
 * keys begin with a letter saying what they hold (store.h lists them).  A store written
 * before the table existed opens without it and answers as one without MPI traffic. */

#define MPI_KEY_MAX 16

static int mpi_get(pt_store *st, const uint8_t *k, size_t kn, void *out, size_t outn)
{
	MDB_val key = val(k, kn), v;
	MDB_txn *txn;
	int temp, r;

	if (st->no_mpi)
		return PT_ENOTFOUND;
	if ((r = txn_get(st, &txn, &temp)))
		return r;
	r = mdb_get(txn, st->dbi[DB_MPI], &key, &v);
	if (r == 0) {
		memset(out, 0, outn);
		memcpy(out, v.mv_data, v.mv_size < outn ? v.mv_size : outn);
	}
	txn_put(txn, temp);
	return r == MDB_NOTFOUND ? PT_ENOTFOUND : r;
}

static size_t mpi_key(uint8_t *k, char what, uint32_t proc)
{
	k[0] = (uint8_t)what;
	be32(k + 1, proc);
	return 5;
}

/* The latest record of a cumulative key wins: counts only grow, and its time is when
 * the traffic was last seen (the records of one image may arrive out of order when
 * several of its threads wrote them). */
static void mpi_merge(uint64_t *count, uint64_t *first, uint64_t *last, uint64_t ncount,
		      uint64_t nfirst, uint64_t ts)
{
	if (ncount >= *count)
		*count = ncount;
	if (nfirst && (!*first || nfirst < *first))
		*first = nfirst;
	if (ts > *last)
		*last = ts;
}

#define MPI_CMD_MAX 1024   /* bytes of a spawn's first command kept in its entry */

static int spawn_put(pt_store *st, uint32_t proc, const struct pt_ev *ev)
{
	uint8_t k[MPI_KEY_MAX], v[sizeof(struct pt_mpi_spawn) + MPI_CMD_MAX];
	struct pt_mpi_spawn s = { 0 };
	struct pt_bytes cmd = { 0 };
	uint64_t dur = pt_ev_u(ev, 8);
	int64_t comm = pt_ev_i(ev, 1);
	size_t kn;

	s.spawn = (uint32_t)pt_ev_u(ev, 0);
	s.comm = comm < 0 || comm > UINT32_MAX ? UINT32_MAX : (uint32_t)comm;
	s.how = (uint32_t)pt_ev_u(ev, 2);
	s.status = (int32_t)pt_ev_i(ev, 3);
	s.procs = (int32_t)pt_ev_i(ev, 4);
	s.maxprocs = (int32_t)pt_ev_i(ev, 5);
	s.flags = (uint32_t)pt_ev_u(ev, 7);
	s.end_ns = ev->ts;
	s.start_ns = ev->ts > dur ? ev->ts - dur : 0;
	if (ev->n > 6 && ev->v[6].kind == PT_MP_ARRAY) {
		/* [[command, argv[], maxprocs]...]: the first command */
		struct pt_mpr m;
		uint32_t n, three;
		s.ncmds = ev->v[6].count;
		pt_mpr_init(&m, ev->v[6].b.p, ev->v[6].b.len);
		if (pt_mpr_array(&m, &n) ||
		    (n && (pt_mpr_array(&m, &three) || pt_mpr_bytes(&m, &cmd))))
			return PT_EWIRE;
	}
	if (cmd.len > MPI_CMD_MAX)
		cmd.len = MPI_CMD_MAX;
	memcpy(v, &s, sizeof s);
	if (cmd.len)
		memcpy(v + sizeof s, cmd.p, cmd.len);
	kn = mpi_key(k, 'S', proc);
	be32(k + kn, s.spawn);
	return put(st, DB_MPI, k, kn + 4, v, sizeof s + cmd.len, 0);
}

static int apply_mpi(pt_store *st, uint32_t proc, const struct pt_ev *ev)
{
	uint8_t k[MPI_KEY_MAX];
	struct pt_bytes b;
	size_t kn;
	uint32_t obj;
	int r;

	switch (ev->type) {
	case PT_EV_MPI_INIT: {
		struct pt_mpi_rank m = { 0 };
		b = pt_ev_b(ev, 2);
		m.job = fnv64(b.p, b.len);
		m.rank = (int32_t)pt_ev_i(ev, 0);
		m.size = (int32_t)pt_ev_i(ev, 1);
		m.thread = (uint32_t)pt_ev_u(ev, 3);
		m.how = (uint32_t)pt_ev_u(ev, 6);
		m.init_ns = ev->ts;
		kn = mpi_key(k, 'r', proc);
		if ((r = put(st, DB_MPI, k, kn, &m, sizeof m, 0)))
			return r;
		k[0] = 'J';
		be64(k + 1, m.job);
		if ((r = put(st, DB_MPI, k, 9, b.p, b.len, 0)))
			return r;
		k[0] = 'j';
		be32(k + 9, (uint32_t)m.rank);
		return put(st, DB_MPI, k, 13, &proc, 4, 0);
	}

	case PT_EV_MPI_FINI: {
		struct pt_mpi_rank m;
		kn = mpi_key(k, 'r', proc);
		if ((r = mpi_get(st, k, kn, &m, sizeof m)))
			return r == PT_ENOTFOUND ? 0 : r;
		m.fini_ns = ev->ts;
		m.dropped = pt_ev_u(ev, 0);
		m.foreign = pt_ev_u(ev, 1);
		m.foreign_bytes = pt_ev_u(ev, 2);
		return put(st, DB_MPI, k, kn, &m, sizeof m, 0);
	}

	case PT_EV_MPI_COMM: {
		uint32_t flags = (uint32_t)pt_ev_u(ev, 3), remote = !!(flags & PT_MPI_COMM_REMOTE);
		struct pt_mpi_comm c = { 0 };
		struct pt_mpr m;
		uint32_t n;
		int32_t *ranks;
		kn = mpi_key(k, 'C', proc);
		be32(k + kn, (uint32_t)pt_ev_u(ev, 0));
		kn += 4;
		if ((r = mpi_get(st, k, kn, &c, sizeof c)) && r != PT_ENOTFOUND)
			return r;
		if (remote) {
			c.rsize = (int32_t)pt_ev_u(ev, 1);
			c.flags |= flags & PT_MPI_COMM_IDENTITY ? PT_MPI_COMM_RIDENTITY : 0;
		} else {
			c.size = (int32_t)pt_ev_u(ev, 1);
			c.rank = (int32_t)pt_ev_i(ev, 2);
			c.flags |= flags & (PT_MPI_COMM_INTER | PT_MPI_COMM_IDENTITY);
		}
		if ((r = put(st, DB_MPI, k, kn, &c, sizeof c, 0)))
			return r;
		if (ev->n < 6 || ev->v[5].kind != PT_MP_ARRAY || !ev->v[5].count)
			return 0;
		/* the members, as 32-bit world ranks in native order, per chunk */
		pt_mpr_init(&m, ev->v[5].b.p, ev->v[5].b.len);
		if (pt_mpr_array(&m, &n) || !(ranks = malloc((size_t)n * 4)))
			return n ? ENOMEM : PT_EWIRE;
		for (uint32_t i = 0; i < n; i++) {
			int64_t v;
			if (pt_mpr_int(&m, &v)) {
				free(ranks);
				return PT_EWIRE;
			}
			ranks[i] = (int32_t)v;
		}
		k[0] = 'm';
		k[kn] = (uint8_t)remote;
		be32(k + kn + 1, (uint32_t)pt_ev_u(ev, 4));
		r = put(st, DB_MPI, k, kn + 5, ranks, (size_t)n * 4, 0);
		free(ranks);
		return r;
	}

	case PT_EV_MPI_P2P: {
		struct pt_mpi_traffic t = { 0 };
		uint64_t bytes = pt_ev_u(ev, 3), msgs = pt_ev_u(ev, 2);
		kn = mpi_key(k, 'p', proc);
		be32(k + kn, (uint32_t)pt_ev_i(ev, 0));
		k[kn + 4] = (uint8_t)pt_ev_u(ev, 1);
		kn += 5;
		if ((r = mpi_get(st, k, kn, &t, sizeof t)) && r != PT_ENOTFOUND)
			return r;
		if (msgs >= t.msgs)
			t.bytes = bytes;
		mpi_merge(&t.msgs, &t.first, &t.last, msgs, pt_ev_u(ev, 4), ev->ts);
		return put(st, DB_MPI, k, kn, &t, sizeof t, 0);
	}

	case PT_EV_MPI_COLL: {
		struct pt_mpi_calls c = { 0 };
		uint64_t calls = pt_ev_u(ev, 3);
		kn = mpi_key(k, 'c', proc);
		be32(k + kn, (uint32_t)pt_ev_u(ev, 0));
		k[kn + 4] = (uint8_t)pt_ev_u(ev, 1);
		be32(k + kn + 5, (uint32_t)(pt_ev_i(ev, 2) + 1));
		kn += 9;
		if ((r = mpi_get(st, k, kn, &c, sizeof c)) && r != PT_ENOTFOUND)
			return r;
		if (calls >= c.calls) {
			c.sent = pt_ev_u(ev, 4);
			c.recvd = pt_ev_u(ev, 5);
		}
		mpi_merge(&c.calls, &c.first, &c.last, calls, pt_ev_u(ev, 6), ev->ts);
		return put(st, DB_MPI, k, kn, &c, sizeof c, 0);
	}

	case PT_EV_MPI_FOPEN:
		/* a session of the file's object, so that lineage and export see who read and
		 * wrote it through MPI-IO (the POSIX I/O underneath may be another rank's) */
		b = pt_ev_b(ev, 1);
		if ((r = obj_lookup(st, b.p, b.len, PT_KIND_FILE, &obj)))
			return r;
		return sess_begin(st, proc, pt_ev_u(ev, 0), obj, PT_KIND_MPI_FILE, -1,
				  (uint32_t)pt_ev_u(ev, 2), PT_CALL_MPI_FILE, ev->ts);

	case PT_EV_MPI_FCLOSE:
		/* C_SESS_END's first twelve fields: ended like a session the table held */
		return sess_end(st, proc, ev, 1);

	case PT_EV_MPI_SPAWN:
		return spawn_put(st, proc, ev);

	case PT_EV_MPI_PARENT: {
		struct pt_mpi_parent p = { 0, -1, 0, 0, 0 };
		uint8_t ck[21];
		b = pt_ev_b(ev, 0);
		p.size = (int32_t)pt_ev_i(ev, 3);
		if (b.len) {
			p.job = fnv64(b.p, b.len);
			p.rank = (int32_t)pt_ev_i(ev, 1);
			p.spawn = (uint32_t)pt_ev_u(ev, 2);
		}
		kn = mpi_key(k, 'P', proc);
		if ((r = put(st, DB_MPI, k, kn, &p, sizeof p, 0)) || !p.job)
			return r;
		/* the parent job's name, for a reader whose store has none of its ranks */
		k[0] = 'J';
		be64(k + 1, p.job);
		if ((r = put(st, DB_MPI, k, 9, b.p, b.len, 0)))
			return r;
		ck[0] = 'k';
		be64(ck + 1, p.job);
		be32(ck + 9, (uint32_t)p.rank);
		be32(ck + 13, p.spawn);
		be32(ck + 17, proc);
		return put(st, DB_MPI, ck, sizeof ck, "", 0, 0);
	}
	}
	return 0;
}

int pt_store_mpi_rank(pt_store *st, uint32_t proc, struct pt_mpi_rank *m)
{
	uint8_t k[MPI_KEY_MAX];

	return mpi_get(st, k, mpi_key(k, 'r', proc), m, sizeof *m);
}

int pt_store_mpi_find(pt_store *st, uint64_t job, int32_t rank, uint32_t *proc)
{
	uint8_t k[13];

	k[0] = 'j';
	be64(k + 1, job);
	be32(k + 9, (uint32_t)rank);
	return mpi_get(st, k, sizeof k, proc, sizeof *proc);
}

int pt_store_mpi_job(pt_store *st, uint64_t job, char *name, size_t *len)
{
	MDB_val key, v;
	MDB_txn *txn;
	uint8_t k[9];
	int temp, r;

	if (st->no_mpi)
		return PT_ENOTFOUND;
	k[0] = 'J';
	be64(k + 1, job);
	key = val(k, sizeof k);
	if ((r = txn_get(st, &txn, &temp)))
		return r;
	r = mdb_get(txn, st->dbi[DB_MPI], &key, &v);
	if (r == 0) {
		size_t n = v.mv_size < *len ? v.mv_size : *len;
		memcpy(name, v.mv_data, n);
		*len = v.mv_size;
	}
	txn_put(txn, temp);
	return r == MDB_NOTFOUND ? PT_ENOTFOUND : r;
}

int pt_store_mpi_parent(pt_store *st, uint32_t proc, struct pt_mpi_parent *p)
{
	uint8_t k[MPI_KEY_MAX];

	return mpi_get(st, k, mpi_key(k, 'P', proc), p, sizeof *p);
}

int pt_store_mpi_spawn(pt_store *st, uint32_t proc, uint32_t spawn, struct pt_mpi_spawn *s)
{
	uint8_t k[MPI_KEY_MAX];
	size_t kn = mpi_key(k, 'S', proc);

	be32(k + kn, spawn);
	return mpi_get(st, k, kn + 4, s, sizeof *s);
}

struct mpi_walk {
	void *fn, *ctx;
};

static int mpi_spawn_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct mpi_walk *w = ctx;
	struct pt_mpi_spawn s = { 0 };
	size_t n = v->mv_size < sizeof s ? v->mv_size : sizeof s;

	if (k->mv_size != 9)
		return 0;
	memcpy(&s, v->mv_data, n);
	return ((pt_mpi_spawn_fn)w->fn)(w->ctx, rd32((uint8_t *)k->mv_data + 1), &s,
					 (const uint8_t *)v->mv_data + n, v->mv_size - n);
}

int pt_store_each_mpi_spawn(pt_store *st, uint32_t proc, pt_mpi_spawn_fn fn, void *ctx)
{
	struct mpi_walk w = { (void *)fn, ctx };
	uint8_t k[MPI_KEY_MAX];

	if (st->no_mpi)
		return 0;
	return walk(st, DB_MPI, k, proc ? mpi_key(k, 'S', proc) : (k[0] = 'S', 1), mpi_spawn_cb,
		    &w);
}

static int mpi_child_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct mpi_walk *w = ctx;
	const uint8_t *p = k->mv_data;

	(void)v;
	if (k->mv_size != 21)
		return 0;
	return ((pt_mpi_child_fn)w->fn)(w->ctx, rd32(p + 13), rd32(p + 17));
}

int pt_store_each_mpi_child(pt_store *st, uint64_t job, int32_t rank, pt_mpi_child_fn fn,
			    void *ctx)
{
	struct mpi_walk w = { (void *)fn, ctx };
	uint8_t k[13];

	if (st->no_mpi)
		return 0;
	k[0] = 'k';
	be64(k + 1, job);
	be32(k + 9, (uint32_t)rank);
	return walk(st, DB_MPI, k, sizeof k, mpi_child_cb, &w);
}

static int mpi_rank_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct mpi_walk *w = ctx;
	struct pt_mpi_rank m = { 0 };

	if (k->mv_size != 5)
		return 0;
	memcpy(&m, v->mv_data, v->mv_size < sizeof m ? v->mv_size : sizeof m);
	return ((pt_mpi_rank_fn)w->fn)(w->ctx, rd32((uint8_t *)k->mv_data + 1), &m);
}

int pt_store_each_mpi_rank(pt_store *st, pt_mpi_rank_fn fn, void *ctx)
{
	struct mpi_walk w = { (void *)fn, ctx };

	return st->no_mpi ? 0 : walk(st, DB_MPI, "r", 1, mpi_rank_cb, &w);
}

static int mpi_p2p_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct mpi_walk *w = ctx;
	struct pt_mpi_traffic t = { 0 };
	const uint8_t *p = k->mv_data;

	if (k->mv_size != 10)
		return 0;
	memcpy(&t, v->mv_data, v->mv_size < sizeof t ? v->mv_size : sizeof t);
	return ((pt_mpi_p2p_fn)w->fn)(w->ctx, rd32(p + 1), (int32_t)rd32(p + 5), p[9], &t);
}

int pt_store_each_mpi_p2p(pt_store *st, uint32_t proc, pt_mpi_p2p_fn fn, void *ctx)
{
	struct mpi_walk w = { (void *)fn, ctx };
	uint8_t k[5];

	if (st->no_mpi)
		return 0;
	return walk(st, DB_MPI, k, proc ? mpi_key(k, 'p', proc) : (k[0] = 'p', 1), mpi_p2p_cb, &w);
}

static int mpi_coll_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct mpi_walk *w = ctx;
	struct pt_mpi_calls c = { 0 };
	const uint8_t *p = k->mv_data;

	if (k->mv_size != 14)
		return 0;
	memcpy(&c, v->mv_data, v->mv_size < sizeof c ? v->mv_size : sizeof c);
	return ((pt_mpi_coll_fn)w->fn)(w->ctx, rd32(p + 1), rd32(p + 5), p[9],
				       (int32_t)rd32(p + 10) - 1, &c);
}

int pt_store_each_mpi_coll(pt_store *st, uint32_t proc, pt_mpi_coll_fn fn, void *ctx)
{
	struct mpi_walk w = { (void *)fn, ctx };
	uint8_t k[5];

	if (st->no_mpi)
		return 0;
	return walk(st, DB_MPI, k, proc ? mpi_key(k, 'c', proc) : (k[0] = 'c', 1), mpi_coll_cb, &w);
}

struct mpi_members {
	int32_t *out;
	size_t max, n;
};

static int mpi_member_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct mpi_members *m = ctx;
	uint32_t off = rd32((uint8_t *)k->mv_data + 10);
	size_t n = v->mv_size / 4;

	if (off >= m->max)
		return 0;
	if (n > m->max - off)
		n = m->max - off;
	memcpy(m->out + off, v->mv_data, n * 4);
	if (off + n > m->n)
		m->n = off + n;
	return 0;
}

int pt_store_mpi_comm(pt_store *st, uint32_t proc, uint32_t comm, int remote,
		      struct pt_mpi_comm *c, int32_t *ranks, size_t max)
{
	uint8_t k[MPI_KEY_MAX];
	size_t kn = mpi_key(k, 'C', proc), size;
	struct mpi_members m = { ranks, max, 0 };
	int r;

	be32(k + kn, comm);
	kn += 4;
	if ((r = mpi_get(st, k, kn, c, sizeof *c)))
		return r;
	if (!ranks)
		return 0;
	size = (size_t)(remote ? c->rsize : c->size);
	if (size > max)
		size = max;
	if (c->flags & (remote ? PT_MPI_COMM_RIDENTITY : PT_MPI_COMM_IDENTITY)) {
		for (size_t i = 0; i < size; i++)
			ranks[i] = (int32_t)i;
		return 0;
	}
	for (size_t i = 0; i < size; i++)
		ranks[i] = -1;
	k[0] = 'm';
	k[kn] = (uint8_t)!!remote;
	return walk(st, DB_MPI, k, kn + 1, mpi_member_cb, &m);
}

int pt_mpi_coll_flows(uint32_t op, int32_t from, int32_t to, int32_t root)
{
	if (from == to)
		return 0;
	switch (op & ~(uint32_t)PT_MPI_NB) {
	case PT_MPI_BARRIER:
		return 0;
	case PT_MPI_BCAST: case PT_MPI_SCATTER: case PT_MPI_SCATTERV:
		return root < 0 || from == root;
	case PT_MPI_REDUCE: case PT_MPI_GATHER: case PT_MPI_GATHERV:
		return root < 0 || to == root;
	case PT_MPI_SCAN: case PT_MPI_EXSCAN:
		return from < to;
	default:
		return 1;   /* the all-to-all kinds, and kinds newer than this reader */
	}
}

/* ---- the MPI times that bound data flow (lineage and export share them) */

struct mpi_when {
	int32_t peer;
	uint32_t op;            /* collective, or 0: point to point */
	int first;              /* first receipt, else last send */
	uint64_t t;
};

static void when_take(struct mpi_when *w, uint64_t first, uint64_t last)
{
	if (w->first) {
		if (first && (!w->t || first < w->t))
			w->t = first;
	} else if (last > w->t) {
		w->t = last;
	}
}

static int when_p2p(void *ctx, uint32_t proc, int32_t peer, uint32_t op,
		    const struct pt_mpi_traffic *t)
{
	struct mpi_when *w = ctx;

	(void)proc;
	if (peer == w->peer && (w->first ? !PT_MPI_P2P_SENDS(op) : PT_MPI_P2P_SENDS(op)))
		when_take(w, t->first, t->last);
	return 0;
}

static int when_coll(void *ctx, uint32_t proc, uint32_t comm, uint32_t op, int32_t root,
		     const struct pt_mpi_calls *c)
{
	struct mpi_when *w = ctx;

	(void)proc;
	(void)comm;
	(void)root;
	if (op == w->op)
		when_take(w, c->first, c->last);
	return 0;
}

static uint64_t mpi_when(pt_store *st, uint32_t proc, int32_t peer, uint32_t op, int first)
{
	struct mpi_when w = { peer, op, first, 0 };

	if (op)
		pt_store_each_mpi_coll(st, proc, when_coll, &w);
	else
		pt_store_each_mpi_p2p(st, proc, when_p2p, &w);
	return w.t;
}

uint64_t pt_store_mpi_last_send(pt_store *st, uint32_t proc, int32_t peer, uint32_t coll_op)
{
	return mpi_when(st, proc, peer, coll_op, 0);
}

uint64_t pt_store_mpi_first_recv(pt_store *st, uint32_t proc, int32_t peer, uint32_t coll_op)
{
	return mpi_when(st, proc, peer, coll_op, 1);
}

/* ---- content identity (the hash table; collector/hash.h computes the results) */

static void hash_key(uint8_t *k, const struct pt_file_id *id)
{
	k[0] = 'f';
	be64(k + 1, id->dev);
	be64(k + 9, id->ino);
	be64(k + 17, id->size);
	be64(k + 25, id->mtime);
}

int pt_store_hash_put(pt_store *st, const struct pt_file_id *id, const struct pt_hash_rec *h)
{
	uint8_t k[33], v[17];

	hash_key(k, id);
	v[0] = (uint8_t)h->state;
	memcpy(v + 1, h->hash, 16);
	return put(st, DB_HASH, k, sizeof k, v, sizeof v, 0);
}

int pt_store_hash_path_put(pt_store *st, const void *path, size_t len,
			   const struct pt_file_id *id)
{
	uint8_t k[401], v[33];

	if (len == 0 || len > 400)
		return 0;   /* not kept: readers find no identity for it */
	k[0] = 'p';
	memcpy(k + 1, path, len);
	hash_key(v, id);
	return put(st, DB_HASH, k, len + 1, v + 1, 32, 0);
}

int pt_store_hash_get(pt_store *st, const struct pt_file_id *id, struct pt_hash_rec *h)
{
	uint8_t k[33];
	MDB_val v;
	int r;

	hash_key(k, id);
	if ((r = get(st, DB_HASH, k, sizeof k, &v)))
		return r;
	if (v.mv_size != 17)
		return PT_EWIRE;
	h->state = ((const uint8_t *)v.mv_data)[0];
	memcpy(h->hash, (const uint8_t *)v.mv_data + 1, 16);
	return 0;
}

int pt_store_hash_path(pt_store *st, const void *path, size_t len, struct pt_file_id *id)
{
	uint8_t k[401];
	MDB_val v;
	int r;

	if (len == 0 || len > 400)
		return PT_ENOTFOUND;
	k[0] = 'p';
	memcpy(k + 1, path, len);
	if ((r = get(st, DB_HASH, k, len + 1, &v)))
		return r;
	if (v.mv_size != 32)
		return PT_EWIRE;
	const uint8_t *p = v.mv_data;
	id->dev = rd64(p);
	id->ino = rd64(p + 8);
	id->size = rd64(p + 16);
	id->mtime = rd64(p + 24);
	return 0;
}

struct hash_walk {
	pt_hash_fn fn;
	void *ctx;
};

static int hash_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct hash_walk *w = ctx;
	const uint8_t *p = k->mv_data;
	struct pt_file_id id;
	struct pt_hash_rec h;

	if (k->mv_size != 33 || v->mv_size != 17)
		return 0;
	id.dev = rd64(p + 1);
	id.ino = rd64(p + 9);
	id.size = rd64(p + 17);
	id.mtime = rd64(p + 25);
	h.state = ((const uint8_t *)v->mv_data)[0];
	memcpy(h.hash, (const uint8_t *)v->mv_data + 1, 16);
	return w->fn(w->ctx, &id, &h);
}

int pt_store_each_hash(pt_store *st, pt_hash_fn fn, void *ctx)
{
	struct hash_walk w = { fn, ctx };

	return walk(st, DB_HASH, "f", 1, hash_cb, &w);
}

/* ---- facts: what rdf/extract.c read from the job's files after the job */

int pt_store_update(const char *path, pt_update_fn fn, void *ctx)
{
	pt_store *st = NULL;
	int fd, r = 0;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	/* the same exclusive lock as deferred indexing: one writer, readers wait */
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			r = errno;
			goto out;
		}
	if ((r = store_open(path, 0, MDB_NOLOCK | MDB_NOSYNC, &st)))
		goto out;
	pt_store_defer_index(st, 1);
	for (int attempt = 0; attempt < 16; attempt++) {
		if ((r = pt_store_begin(st)))
			break;
		r = fn(ctx, st);
		if (r == 0 && st->full)
			r = PT_EFULL;
		if (r == 0)
			r = pt_store_commit(st);
		else
			pt_store_abort(st);
		if (r != PT_EFULL)
			break;   /* the map has grown: run it again */
	}
	if (r == 0)
		r = mdb_env_sync(st->env, 1);
out:
	pt_store_close(st);
	close(fd);
	return r;
}

int pt_store_fact_clear(pt_store *st)
{
	if (st->rdonly || !st->txn)
		return EINVAL;
	return mdb_drop(st->txn, st->dbi[DB_FACT], 0);
}

int pt_store_fact_put(pt_store *st, const void *key, size_t kn, const void *v, size_t vn)
{
	if (st->rdonly || !st->txn)
		return EINVAL;
	return put(st, DB_FACT, key, kn, v, vn, 0);
}

struct fact_walk {
	pt_fact_fn fn;
	void *ctx;
};

static int fact_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct fact_walk *w = ctx;
	return w->fn(w->ctx, k->mv_data, k->mv_size, v->mv_data, v->mv_size);
}

int pt_store_each_fact(pt_store *st, const void *prefix, size_t plen, pt_fact_fn fn, void *ctx)
{
	struct fact_walk w = { fn, ctx };
	return st->no_fact ? 0 : walk(st, DB_FACT, prefix, plen, fact_cb, &w);
}
