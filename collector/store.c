/* store.c — the node store's core: open (with deferred indexing by the first reader),
 * close, copy, batches and map growth, pt_store_update, meta, the log's chunk format and
 * the packed session values.  The layout and what each store*.c owns: store-schema.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "progress.h"
#include "store-schema.h"
#include "wmap.h"

static const char *const db_names[DB_COUNT] = {
	"log", "proc", "procx", "pidx", "path", "obj", "sess", "use", "child",
	"flow", "flowr", "libs", "gap", "region", "meta", "vfork", "mpi", "hash", "fact",
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

/* ---- the log's chunks */

static uint32_t chunk_count(const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n, *rec;
	uint32_t proc, len, count = 0;

	while (p < end && pt_st_chunk_next(&p, end, &proc, &rec, &len) == 0)
		count++;
	return count;
}

void pt_st_chunk_reset(pt_store *st)
{
	struct log_chunk *c = st->chunk;

	c->seq = st->next_seq;
	c->n = c->len = 0;
	c->stored = c->dirty = 0;
}

/* Write the open chunk's entry (append a new one, or rewrite the one continued). */
int pt_st_chunk_flush(pt_store *st)
{
	struct log_chunk *c = st->chunk;
	uint8_t k[8];
	int r;

	if (!c->dirty)
		return 0;
	be64(k, c->seq);
	if ((r = pt_st_put(st, DB_LOG, k, 8, c->buf, c->len, c->stored ? 0 : MDB_APPEND)))
		return r;
	c->stored = 1;
	c->dirty = 0;
	return 0;
}

/* The log's end in `txn`: the seq the next record gets, and the last chunk (v->mv_size
 * 0 when the log is empty).  v points into the map, valid while txn lasts. */
int pt_st_log_end(pt_store *st, MDB_txn *txn, uint64_t *next, uint64_t *last_key, MDB_val *v)
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
	int r = pt_st_log_end(st, st->txn, &st->next_seq, &first, &v);

	if (r)
		return r;
	pt_st_chunk_reset(st);
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

int pt_st_txn_get(pt_store *st, MDB_txn **txn, int *temp)
{
	*temp = 0;
	if (st->txn) {
		*txn = st->txn;
		return 0;
	}
	*temp = 1;
	return mdb_txn_begin(st->env, NULL, MDB_RDONLY, txn);
}

void pt_st_txn_put(MDB_txn *txn, int temp)
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

int pt_st_open(const char *path, unsigned flags, unsigned envflags, pt_store **out)
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
/* A finished store opened to be written after the run (deferred indexing, extraction):
 * under an exclusive flock on the file (readers wait; LMDB's own lock file is not used),
 * without per-commit syncs (the caller syncs once at the end).  *fd holds the lock. */
static int locked_writer_open(const char *path, int *fd, pt_store **st)
{
	*st = NULL;
	if ((*fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return errno;
	while (flock(*fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return errno;
	int r = pt_st_open(path, 0, MDB_NOLOCK | MDB_NOSYNC, st);
	if (r == 0)
		pt_store_defer_index(*st, 1);
	return r;
}

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
	if ((r = locked_writer_open(path, &fd, &st)))
		goto out;
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

	r = pt_st_open(path, flags, 0, out);
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
		if ((r = pt_st_open(path, flags, 0, out)) == 0)
			(*out)->pending = lag;
		return r;
	}
	if (r)
		return r;
	if ((r = pt_st_open(path, flags, 0, out)) == 0)
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

int pt_st_last_key(MDB_txn *txn, MDB_dbi dbi, uint8_t *key, size_t n, int *found)
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
	if ((r = pt_st_last_key(st->txn, st->dbi[DB_PROC], k, 4, &found)))
		goto fail;
	st->next_proc = found ? rd32(k) + 1 : 1;
	if ((r = pt_st_last_key(st->txn, st->dbi[DB_OBJ], k, 4, &found)))
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
	if ((r = pt_st_chunk_flush(st))) {
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
	r = pt_st_put(st, DB_META, "counters", 8, &st->c, sizeof st->c, 0);
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
	return pt_st_put(st, DB_META, key, strlen(key), v, n, 0);
}

int pt_store_meta_get(pt_store *st, const char *key, void *out, size_t *n)
{
	MDB_val v;
	MDB_txn *txn;
	int temp, r;

	if ((r = pt_st_txn_get(st, &txn, &temp)))
		return r;
	MDB_val k = val(key, strlen(key));
	r = mdb_get(txn, st->dbi[DB_META], &k, &v);
	if (r == 0) {
		size_t m = v.mv_size < *n ? v.mv_size : *n;
		memcpy(out, v.mv_data, m);
		*n = v.mv_size;
	}
	pt_st_txn_put(txn, temp);
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

size_t pt_st_sess_pack(const struct pt_sess_rec *s, uint8_t *buf, size_t n)
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

static int unpack_uints(const void *p, size_t n, uint64_t *v, uint32_t max, uint32_t *fields)
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
	if (fields)
		*fields = count;
	return 0;
}

int pt_st_sess_unpack(const void *p, size_t n, struct pt_sess_rec *s)
{
	uint64_t v[SESS_FIELDS];

	if (unpack_uints(p, n, v, SESS_FIELDS, NULL))
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

size_t pt_st_use_pack(const struct pt_use_rec *u, uint8_t *buf, size_t n)
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
	pt_mpw_uint(&w, u->dev);
	pt_mpw_uint(&w, u->ino);
	pt_mpw_uint(&w, u->size);
	pt_mpw_uint(&w, t_off(u->mtime, u->end));
	return w.overflow ? 0 : (size_t)(w.p - buf);
}

int pt_st_use_unpack(const void *p, size_t n, struct pt_use_rec *u)
{
	uint64_t v[USE_FIELDS];
	uint32_t fields;

	if (unpack_uints(p, n, v, USE_FIELDS, &fields))
		return PT_EWIRE;
	u->dirs = (uint32_t)v[0];
	u->kind = (uint32_t)v[1];
	u->rfirst = v[2];
	u->wfirst = t_abs(v[3], v[2]);
	u->end = t_abs(v[4], v[2]);
	u->rbytes = v[5];
	u->wbytes = v[6];
	u->has_id = fields >= USE_FIELDS;
	u->dev = v[7];
	u->ino = v[8];
	u->size = v[9];
	u->mtime = t_abs(v[10], u->end);
	return 0;
}

/* ---- facts: what rdf/extract.c read from the job's files after the job */

int pt_store_update(const char *path, pt_update_fn fn, void *ctx)
{
	pt_store *st = NULL;
	int fd, r = 0;

	/* the same lock as deferred indexing: one writer, readers wait */
	if ((r = locked_writer_open(path, &fd, &st)))
		goto out;
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

