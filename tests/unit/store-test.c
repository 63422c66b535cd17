/* store-test.c — the node store (collector/store.c) on a temporary file: process linking,
 * sessions and their indices, long and colliding paths, MDB_MAP_FULL, read progress. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/region.h"
#include "collector/store.h"
#include "collector/wire.h"
#include "tests/check.h"

static char dir[512];

/* ---- building records with the shim's writer */

static uint8_t rec[PT_REC_MAX];
static struct pt_mpw W;

static void rb(int type, uint64_t ts, uint32_t nfields)
{
	pt_mpw_init(&W, rec, sizeof rec);
	pt_mpw_array(&W, nfields + 2);
	pt_mpw_uint(&W, (uint64_t)type);
	pt_mpw_uint(&W, ts);
}

static size_t rec_len(void)
{
	CHECK(!W.overflow);
	return (size_t)(W.p - rec);
}

/* Apply what is logged to the indices (ingest only appends; see pt_store_index). */
static void index_all(pt_store *st)
{
	int done = 0, r = pt_store_index(st, UINT64_MAX, &done);

	if (r || !done) {
		fprintf(stderr, "pt_store_index: %s (done %d)\n", pt_strerror(r), done);
		exit(1);
	}
}

static void put_event(pt_store *st, uint32_t proc)
{
	int r = pt_store_event(st, proc, rec, (uint32_t)rec_len());

	if (r) {
		fprintf(stderr, "pt_store_event: %s\n", pt_strerror(r));
		exit(1);
	}
	index_all(st);
}

static void ev_open(pt_store *st, uint32_t proc, uint64_t ts, uint64_t sid, int fd,
		    const void *path, size_t len, int flags, int kind, int call)
{
	rb(PT_EV_OPEN, ts, 8);
	pt_mpw_uint(&W, sid);
	pt_mpw_uint(&W, (uint64_t)fd);
	pt_mpw_bin(&W, path, len);
	pt_mpw_uint(&W, (uint64_t)flags);
	pt_mpw_uint(&W, 0644);
	pt_mpw_uint(&W, (uint64_t)kind);
	pt_mpw_uint(&W, (uint64_t)call);
	pt_mpw_array(&W, 0);
	put_event(st, proc);
}

struct io {
	uint64_t rbytes, rops, wbytes, wops, rfirst, rlast, wfirst, wlast, rmax, wmax;
};

static void ev_close(pt_store *st, uint32_t proc, uint64_t ts, uint64_t sid, int fd,
		     const struct io *io, int how)
{
	rb(PT_EV_CLOSE, ts, 17);
	pt_mpw_uint(&W, sid);
	pt_mpw_uint(&W, (uint64_t)fd);
	pt_mpw_uint(&W, io->rbytes);
	pt_mpw_uint(&W, io->rops);
	pt_mpw_uint(&W, io->wbytes);
	pt_mpw_uint(&W, io->wops);
	pt_mpw_uint(&W, io->rfirst);
	pt_mpw_uint(&W, io->rlast);
	pt_mpw_uint(&W, io->wfirst);
	pt_mpw_uint(&W, io->wlast);
	pt_mpw_uint(&W, io->rmax);
	pt_mpw_uint(&W, io->wmax);
	pt_mpw_uint(&W, 11);       /* dev */
	pt_mpw_uint(&W, 22);       /* ino */
	pt_mpw_uint(&W, 33);       /* size */
	pt_mpw_uint(&W, 44);       /* mtime */
	pt_mpw_uint(&W, (uint64_t)how);
	put_event(st, proc);
}

static uint32_t add_proc(pt_store *st, int pid, int ppid, uint64_t start, uint64_t pstart)
{
	struct pt_ident id = { 0 };
	uint32_t proc = 0;
	int r;

	id.pid = pid;
	id.ppid = ppid;
	id.uid = 1000;
	id.gid = 1000;
	id.start_ns = start;
	id.parent_start_ns = pstart;
	id.verified = 1;
	strcpy(id.host, "node1");
	snprintf(id.region, sizeof id.region, "node1.%d.%llu.ptr", pid, (unsigned long long)start);
	if ((r = pt_store_proc_add(st, &id, &proc))) {
		fprintf(stderr, "pt_store_proc_add: %s\n", pt_strerror(r));
		exit(1);
	}
	return proc;
}

static struct pt_proc_rec proc_of(pt_store *st, uint32_t proc)
{
	struct pt_proc_rec p;

	CHECK_INT(pt_store_proc(st, proc, &p), ==, 0);
	CHECK_UINT(p.id, ==, proc);
	return p;
}

/* ---- reading the indices back */

struct found_sess {
	int n;
	struct pt_sess_rec s;
	uint64_t want_sid;
};

static int sess_cb(void *ctx, uint32_t proc, uint64_t sid, const struct pt_sess_rec *s)
{
	struct found_sess *f = ctx;

	(void)proc;
	if (sid == f->want_sid) {
		f->n++;
		f->s = *s;
	}
	return 0;
}

static struct pt_sess_rec sess_of(pt_store *st, uint32_t proc, uint64_t sid)
{
	struct found_sess f = { 0 };

	f.want_sid = sid;
	CHECK_INT(pt_store_each_sess(st, proc, sess_cb, &f), ==, 0);
	if (f.n != 1) {
		fprintf(stderr, "session %llu of process %u: found %d times\n",
			(unsigned long long)sid, proc, f.n);
		exit(1);
	}
	return f.s;
}

static int count_sess(pt_store *st, uint32_t proc)
{
	struct found_sess f = { 0 };

	f.want_sid = UINT64_MAX;
	CHECK_INT(pt_store_each_sess(st, proc, sess_cb, &f), ==, 0);
	return f.n;
}

struct uses {
	int n;
	uint32_t proc[16];
	uint64_t sid[16];
	struct pt_use_rec u[16];
};

static int use_cb(void *ctx, uint32_t obj, uint32_t proc, uint64_t sid, const struct pt_use_rec *u)
{
	struct uses *x = ctx;

	(void)obj;
	if (x->n < 16) {
		x->proc[x->n] = proc;
		x->sid[x->n] = sid;
		x->u[x->n] = *u;
	}
	x->n++;
	return 0;
}

struct edges {
	int n;
	uint32_t a[16], b[16], kind[16];
	uint64_t ts[16];
};

static int edge_cb(void *ctx, uint32_t a, uint32_t b, uint64_t ts, uint32_t kind)
{
	struct edges *e = ctx;

	if (e->n < 16) {
		e->a[e->n] = a;
		e->b[e->n] = b;
		e->ts[e->n] = ts;
		e->kind[e->n] = kind;
	}
	e->n++;
	return 0;
}

static uint32_t obj_of(pt_store *st, const void *name, size_t len)
{
	uint32_t obj = 0;
	int r = pt_store_obj_find(st, name, len, &obj);

	if (r) {
		fprintf(stderr, "object of a %zu-byte name: %s\n", len, pt_strerror(r));
		exit(1);
	}
	return obj;
}

static void check_name(pt_store *st, uint32_t obj, const void *name, size_t len, uint32_t kind)
{
	const uint8_t *n;
	size_t nl;
	uint32_t k;

	CHECK_INT(pt_store_obj_name(st, obj, &n, &nl, &k), ==, 0);
	CHECK_UINT(nl, ==, len);
	CHECK_MEM(n, name, len);
	CHECK_UINT(k, ==, kind);
}

struct logscan {
	uint64_t n, last_seq;
	int gap;
	uint32_t type_count[256];
	/* the latest C_PROC seen: [pid, ppid, uid, start, host, parent, exec_from, ...] */
	uint64_t cproc_exec_from[32], cproc_parent[32];
};

static int log_cb(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *r, uint32_t len)
{
	struct logscan *l = ctx;
	struct pt_ev ev;

	if (seq != l->last_seq + 1)
		l->gap = 1;
	l->last_seq = seq;
	l->n++;
	CHECK_INT(pt_ev_parse(r, len, &ev), ==, 0);
	l->type_count[ev.type]++;
	if (ev.type == PT_EV_C_PROC && proc < 32) {
		l->cproc_parent[proc] = pt_ev_u(&ev, 5);
		l->cproc_exec_from[proc] = pt_ev_u(&ev, 6);
	}
	return 0;
}

/* ---- the scenario */

/* Two names of 4 KiB that FNV-1a 64 (the store's hash of long paths) maps to one value:
 * "/c/" + 16 letters found by a distinguished-point search, then a common tail. */
#define COLLIDE_A "gjhompcmncdeiach"
#define COLLIDE_B "nolodokdkjikdlpc"

static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static size_t long_name(uint8_t *out, const char *mid, size_t total)
{
	size_t n = (size_t)sprintf((char *)out, "/c/%s/", mid);

	for (; n < total; n++)
		out[n] = (uint8_t)('a' + n % 26);
	return n;
}

enum { P_A, P_B, P_C, P_D, P_E, P_G, NPROC };

static void write_scenario(const char *path, uint32_t *ids)
{
	pt_store *st;
	struct pt_counters c;
	int r;

	CHECK_INT(pt_store_open(path, PT_STORE_CREATE, &st), ==, 0);
	CHECK_INT(pt_store_begin(st), ==, 0);
	CHECK_INT(pt_store_begin(st), ==, EINVAL);   /* one batch at a time */

	/* processes */
	ids[P_A] = add_proc(st, 100, 1, 1000, 0);
	ids[P_B] = add_proc(st, 101, 100, 2000, 1000);     /* fork child of A */
	ids[P_C] = add_proc(st, 102, 100, 3000, 0);        /* spawned by A */
	ids[P_D] = add_proc(st, 102, 100, 4000, 0);        /* C after an exec */
	CHECK_UINT(ids[P_A], ==, 1);
	CHECK_UINT(ids[P_D], ==, 4);

	/* sessions of A: a read, a write continued by a dup */
	static const char in[] = "/data/in", out[] = "/data/out";
	struct io io = { 0 };
	ev_open(st, ids[P_A], 1100, 1, 3, in, strlen(in), O_RDONLY, PT_KIND_FILE, PT_CALL_OPEN);
	io = (struct io){ .rbytes = 4096, .rops = 2, .rfirst = 1200, .rlast = 1300 };
	ev_close(st, ids[P_A], 1400, 1, 3, &io, PT_CLOSE_CLOSE);
	ev_open(st, ids[P_A], 1500, 2, 4, out, strlen(out), O_WRONLY | O_CREAT, PT_KIND_FILE,
		PT_CALL_CREAT);
	rb(PT_EV_DUP, 1550, 3);
	pt_mpw_uint(&W, 3);     /* sid */
	pt_mpw_uint(&W, 2);     /* old sid */
	pt_mpw_uint(&W, 5);     /* new fd */
	put_event(st, ids[P_A]);
	rb(PT_EV_DUP, 1560, 3); /* a dup of a session the store never saw: ignored */
	pt_mpw_uint(&W, 4);
	pt_mpw_uint(&W, 999);
	pt_mpw_uint(&W, 6);
	put_event(st, ids[P_A]);
	io = (struct io){ 0 };
	ev_close(st, ids[P_A], 1600, 2, 4, &io, PT_CLOSE_CLOSE);   /* moved nothing */
	io = (struct io){ .wbytes = 10, .wops = 1, .wfirst = 1700, .wlast = 1700, .wmax = 10 };
	ev_close(st, ids[P_A], 1800, 3, 5, &io, PT_CLOSE_CLOSE);

	/* B inherited A's descriptor 4 (session 2) at its fork */
	rb(PT_EV_INHERIT, 2000, 4);
	pt_mpw_uint(&W, 7);
	pt_mpw_uint(&W, 4);
	pt_mpw_uint(&W, 2);
	pt_mpw_uint(&W, PT_KIND_FILE);
	put_event(st, ids[P_B]);
	io = (struct io){ .wbytes = 5, .wops = 5, .wfirst = 2100, .wlast = 2200, .wmax = 15 };
	ev_close(st, ids[P_B], 2300, 7, 4, &io, PT_CLOSE_CLOSE);

	/* how children ended: B by its own exit record (a WAIT does not override it), C by
	 * a signal that only its parent's WAIT saw */
	rb(PT_EV_PROC_EXIT, 2600, 9);
	pt_mpw_uint(&W, PT_EXIT_EXIT);
	pt_mpw_int(&W, 3 << 8);
	for (int i = 0; i < 7; i++)
		pt_mpw_uint(&W, 10 + i);
	put_event(st, ids[P_B]);
	rb(PT_EV_WAIT, 2700, 2);
	pt_mpw_int(&W, 101);
	pt_mpw_int(&W, 9);
	put_event(st, ids[P_A]);
	CHECK_INT(pt_store_proc_end(st, ids[P_B], PT_END_EXITED, -1, 2650, 2, 1, 0), ==, 0);
	index_all(st);
	rb(PT_EV_WAIT, 3500, 2);
	pt_mpw_int(&W, 102);
	pt_mpw_int(&W, 15);     /* SIGTERM */
	put_event(st, ids[P_A]);

	/* pid 101 again, after B ended: a new process, not an exec of B */
	ids[P_E] = add_proc(st, 101, 100, 7000, 0);
	/* a parent the store never saw */
	ids[P_G] = add_proc(st, 200, 999, 8000, 0);
	rb(PT_EV_INHERIT, 8000, 4);   /* nothing to inherit from: ignored */
	pt_mpw_uint(&W, 1);
	pt_mpw_uint(&W, 4);
	pt_mpw_uint(&W, 2);
	pt_mpw_uint(&W, PT_KIND_FILE);
	put_event(st, ids[P_G]);

	/* long names: at LMDB's key limit and past it, then a 4 KiB one, then a collision */
	static uint8_t n400[400], n401[401], n4k[4096], ca[4096], cb[4096];
	memset(n400, 'q', sizeof n400);
	n400[0] = '/';
	memset(n401, 'q', sizeof n401);
	n401[0] = '/';
	for (size_t i = 0; i < sizeof n4k; i++)
		n4k[i] = i == 0 ? '/' : (uint8_t)('A' + i % 23);
	long_name(ca, COLLIDE_A, sizeof ca);
	long_name(cb, COLLIDE_B, sizeof cb);
	CHECK_UINT(fnv1a64(ca, sizeof ca), ==, fnv1a64(cb, sizeof cb));
	CHECK(memcmp(ca, cb, sizeof ca) != 0);
	ev_open(st, ids[P_A], 1900, 10, 6, n400, sizeof n400, O_RDONLY, PT_KIND_FILE, PT_CALL_OPEN);
	ev_open(st, ids[P_A], 1901, 11, 7, n401, sizeof n401, O_RDONLY, PT_KIND_FILE, PT_CALL_OPEN);
	ev_open(st, ids[P_A], 1902, 12, 8, n4k, sizeof n4k, O_RDONLY, PT_KIND_FILE, PT_CALL_OPENAT);
	ev_open(st, ids[P_A], 1903, 13, 9, ca, sizeof ca, O_RDONLY, PT_KIND_FILE, PT_CALL_OPEN);
	ev_open(st, ids[P_A], 1904, 14, 10, cb, sizeof cb, O_RDONLY, PT_KIND_FILE, PT_CALL_OPEN);
	ev_open(st, ids[P_A], 1905, 15, 11, ca, sizeof ca, O_RDONLY, PT_KIND_FILE, PT_CALL_OPEN);
	io = (struct io){ .rbytes = 1, .rops = 1, .rfirst = 1950, .rlast = 1950 };
	ev_close(st, ids[P_A], 1960, 12, 8, &io, PT_CLOSE_CLOSE);
	uint32_t oa = obj_of(st, ca, sizeof ca), ob = obj_of(st, cb, sizeof cb);
	CHECK_UINT(oa, !=, ob);
	CHECK_UINT(sess_of(st, ids[P_A], 13).obj, ==, oa);
	CHECK_UINT(sess_of(st, ids[P_A], 14).obj, ==, ob);
	CHECK_UINT(sess_of(st, ids[P_A], 15).obj, ==, oa);

	/* a session the image never closed, ended from its region's table */
	static const char log_[] = "/data/log";
	ev_open(st, ids[P_D], 4100, 20, 9, log_, strlen(log_), O_RDONLY, PT_KIND_FILE,
		PT_CALL_FOPEN);
	struct pt_sess t = { 0 };
	atomic_store(&t.sid, 20);
	t.kind = PT_KIND_FILE;
	t.rbytes = 77;
	t.rops = 3;
	t.rfirst = 4150;
	t.rlast = 4160;
	t.rmax = 64;
	/* what threads other than the session's owner counted: summed in */
	atomic_store(&t.xrbytes, 23);
	atomic_store(&t.xrops, 2);
	atomic_store(&t.xrmax, 96);
	CHECK_INT(pt_store_counters(st, &c), ==, 0);
	uint64_t before = c.events;
	CHECK_INT(pt_store_sess_end(st, ids[P_D], 9, &t, 4500), ==, 0);
	index_all(st);
	CHECK_INT(pt_store_counters(st, &c), ==, 0);
	CHECK_UINT(c.events, ==, before + 1);
	CHECK_UINT(sess_of(st, ids[P_D], 20).close_ns, ==, 4500);
	CHECK_UINT(sess_of(st, ids[P_D], 20).rbytes, ==, 100);
	CHECK_UINT(sess_of(st, ids[P_D], 20).rops, ==, 5);
	CHECK_UINT(sess_of(st, ids[P_D], 20).rmax, ==, 96);
	/* again, and for a session already closed by its CLOSE: logged, and ignored by the
	 * indexer (the first end stands) */
	struct pt_sess_rec a1 = sess_of(st, ids[P_A], 1);
	CHECK_INT(pt_store_sess_end(st, ids[P_D], 9, &t, 4600), ==, 0);
	atomic_store(&t.sid, 1);
	CHECK_INT(pt_store_sess_end(st, ids[P_A], 3, &t, 4600), ==, 0);
	index_all(st);
	CHECK_INT(pt_store_counters(st, &c), ==, 0);
	CHECK_UINT(c.events, ==, before + 3);
	CHECK_UINT(sess_of(st, ids[P_D], 20).close_ns, ==, 4500);
	CHECK_UINT(sess_of(st, ids[P_A], 1).close_ns, ==, a1.close_ns);
	CHECK_UINT(sess_of(st, ids[P_A], 1).rbytes, ==, a1.rbytes);

	/* a symbolic link whose target is relative: the target is the link directory's file */
	rb(PT_EV_LINK, 4700, 3);
	pt_mpw_bin(&W, "../x/./t", 8);
	pt_mpw_bin(&W, "/data/sub/l", 11);
	pt_mpw_uint(&W, 1);
	put_event(st, ids[P_D]);

	/* read progress, stored with the batch */
	struct pt_region_rec rr = { ids[P_A], 3, 0, 0 };
	uint64_t off[3] = { 10, 20, 1ull << 40 }, got[4];
	CHECK_INT(pt_store_region_put(st, "node1.100.1000.ptr", &rr, off), ==, 0);
	memset(&rr, 0, sizeof rr);
	CHECK_INT(pt_store_region_get(st, "node1.100.1000.ptr", &rr, got, 4), ==, 0);
	CHECK_UINT(rr.proc, ==, ids[P_A]);
	CHECK_UINT(got[2], ==, 1ull << 40);

	/* the collector's own record types are refused from a process */
	rb(PT_EV_C_PROC_END, 1, 0);
	CHECK_INT(pt_store_event(st, ids[P_A], rec, (uint32_t)rec_len()), ==, PT_EWIRE);
	CHECK_INT(pt_store_event(st, ids[P_A], rec, 1), ==, PT_EWIRE);

	if ((r = pt_store_commit(st))) {
		fprintf(stderr, "commit: %s\n", pt_strerror(r));
		exit(1);
	}
	/* outside a batch nothing is written */
	CHECK_INT(pt_store_event(st, ids[P_A], rec, (uint32_t)rec_len()), ==, EINVAL);
	pt_store_close(st);
}

static void check_scenario(pt_store *st, const uint32_t *ids)
{
	struct pt_proc_rec a = proc_of(st, ids[P_A]), b = proc_of(st, ids[P_B]),
			   c = proc_of(st, ids[P_C]), d = proc_of(st, ids[P_D]),
			   e = proc_of(st, ids[P_E]), g = proc_of(st, ids[P_G]);
	struct pt_counters k;
	struct edges ed = { 0 };
	struct uses us = { 0 };
	struct logscan ls = { 0 };
	uint32_t proc;

	/* parents and images */
	CHECK_UINT(a.parent, ==, 0);
	CHECK_UINT(b.parent, ==, ids[P_A]);
	CHECK_INT(b.pid, ==, 101);
	CHECK_UINT(c.parent, ==, ids[P_A]);
	CHECK_UINT(c.exec_to, ==, ids[P_D]);
	CHECK_UINT(c.end_state, ==, PT_END_EXECED);
	CHECK_UINT(c.end_ns, ==, 4000);
	CHECK_UINT(d.exec_from, ==, ids[P_C]);
	CHECK_UINT(d.parent, ==, 0);          /* linked through the image it replaced */
	CHECK_UINT(e.exec_from, ==, 0);
	CHECK_UINT(e.parent, ==, ids[P_A]);
	CHECK_UINT(g.parent, ==, 0);
	CHECK_UINT(g.exec_from, ==, 0);
	CHECK_INT(pt_store_proc_at(st, 102, 3500, &proc), ==, 0);
	CHECK_UINT(proc, ==, ids[P_C]);
	CHECK_INT(pt_store_proc_at(st, 102, 4000, &proc), ==, 0);
	CHECK_UINT(proc, ==, ids[P_D]);
	CHECK_INT(pt_store_proc_at(st, 102, 2999, &proc), ==, PT_ENOTFOUND);
	CHECK_INT(pt_store_proc_at(st, 103, 5000, &proc), ==, PT_ENOTFOUND);

	CHECK_INT(pt_store_each_child(st, ids[P_A], edge_cb, &ed), ==, 0);
	CHECK_INT(ed.n, ==, 3);
	CHECK_UINT(ed.b[0], ==, ids[P_B]);
	CHECK_UINT(ed.kind[0], ==, PT_CHILD_FORK);
	CHECK_UINT(ed.ts[0], ==, 2000);
	CHECK_UINT(ed.b[1], ==, ids[P_C]);
	CHECK_UINT(ed.kind[1], ==, PT_CHILD_SPAWN);
	CHECK_UINT(ed.b[2], ==, ids[P_E]);
	CHECK_UINT(ed.kind[2], ==, PT_CHILD_SPAWN);
	memset(&ed, 0, sizeof ed);
	CHECK_INT(pt_store_each_child(st, ids[P_C], edge_cb, &ed), ==, 0);
	CHECK_INT(ed.n, ==, 1);
	CHECK_UINT(ed.b[0], ==, ids[P_D]);
	CHECK_UINT(ed.kind[0], ==, PT_CHILD_EXEC);
	CHECK_UINT(ed.ts[0], ==, 4000);

	/* exit statuses */
	CHECK_INT(b.status, ==, 3 << 8);
	CHECK_UINT(b.status_from, ==, 1);
	CHECK_UINT(b.end_state, ==, PT_END_EXITED);
	CHECK_UINT(b.end_ns, ==, 2600);
	CHECK_UINT(b.utime_us, ==, 10);
	CHECK_UINT(b.stime_us, ==, 11);
	CHECK_UINT(b.maxrss_kb, ==, 12);
	CHECK_UINT(b.dropped, ==, 2);
	CHECK_UINT(b.torn, ==, 1);
	CHECK_INT(c.status, ==, 15);
	CHECK_UINT(c.status_from, ==, 2);
	CHECK_INT(a.status, ==, -1);

	/* sessions */
	uint32_t oin = obj_of(st, "/data/in", 8), oout = obj_of(st, "/data/out", 9);
	check_name(st, oin, "/data/in", 8, PT_KIND_FILE);
	struct pt_sess_rec s = sess_of(st, ids[P_A], 1);
	CHECK_UINT(s.obj, ==, oin);
	CHECK_UINT(s.kind, ==, PT_KIND_FILE);
	CHECK_INT(s.fd, ==, 3);
	CHECK_UINT(s.flags, ==, O_RDONLY);
	CHECK_UINT(s.open_ns, ==, 1100);
	CHECK_UINT(s.close_ns, ==, 1400);
	CHECK_UINT(s.rbytes, ==, 4096);
	CHECK_UINT(s.rops, ==, 2);
	CHECK_UINT(s.rfirst, ==, 1200);
	CHECK_UINT(s.rlast, ==, 1300);
	CHECK_UINT(s.wops, ==, 0);
	CHECK_UINT(s.dev, ==, 11);
	CHECK_UINT(s.ino, ==, 22);
	CHECK_UINT(s.size, ==, 33);
	CHECK_UINT(s.mtime, ==, 44);
	CHECK_UINT(s.how, ==, PT_CLOSE_CLOSE);
	CHECK_UINT(s.call, ==, PT_CALL_OPEN);
	s = sess_of(st, ids[P_A], 2);
	CHECK_UINT(s.obj, ==, oout);
	CHECK_UINT(s.call, ==, PT_CALL_CREAT);
	CHECK_UINT(s.close_ns, ==, 1600);
	s = sess_of(st, ids[P_A], 3);                 /* the dup */
	CHECK_UINT(s.obj, ==, oout);
	CHECK_INT(s.fd, ==, 5);
	CHECK_UINT(s.flags, ==, O_WRONLY | O_CREAT);
	CHECK_UINT(s.call, ==, PT_CALL_CREAT);
	CHECK_UINT(s.open_ns, ==, 1550);
	CHECK_UINT(s.wbytes, ==, 10);
	CHECK_UINT(s.wmax, ==, 10);
	s = sess_of(st, ids[P_B], 7);                 /* the inherited one */
	CHECK_UINT(s.obj, ==, oout);
	CHECK_INT(s.fd, ==, 4);
	CHECK_UINT(s.open_ns, ==, 2000);
	CHECK_UINT(s.wops, ==, 5);
	CHECK_INT(count_sess(st, ids[P_G]), ==, 0);
	s = sess_of(st, ids[P_D], 20);                /* ended from the table */
	CHECK_UINT(s.close_ns, ==, 4500);
	CHECK_UINT(s.how, ==, 0xff);
	CHECK_UINT(s.rbytes, ==, 77 + 23);            /* the owner's and the other threads' */
	CHECK_UINT(s.rops, ==, 3 + 2);
	CHECK_UINT(s.call, ==, PT_CALL_FOPEN);

	/* the use index: sessions that moved data, by object */
	CHECK_INT(pt_store_each_use(st, oin, use_cb, &us), ==, 0);
	CHECK_INT(us.n, ==, 1);
	CHECK_UINT(us.proc[0], ==, ids[P_A]);
	CHECK_UINT(us.sid[0], ==, 1);
	CHECK_UINT(us.u[0].dirs, ==, PT_USE_READ);
	CHECK_UINT(us.u[0].rfirst, ==, 1200);
	CHECK_UINT(us.u[0].end, ==, 1400);
	CHECK_UINT(us.u[0].rbytes, ==, 4096);
	memset(&us, 0, sizeof us);
	CHECK_INT(pt_store_each_use(st, oout, use_cb, &us), ==, 0);
	CHECK_INT(us.n, ==, 2);                       /* session 2 moved nothing */
	CHECK_UINT(us.proc[0], ==, ids[P_A]);
	CHECK_UINT(us.sid[0], ==, 3);
	CHECK_UINT(us.u[0].dirs, ==, PT_USE_WRITE);
	CHECK_UINT(us.u[0].wfirst, ==, 1700);
	CHECK_UINT(us.u[0].wbytes, ==, 10);
	CHECK_UINT(us.proc[1], ==, ids[P_B]);
	CHECK_UINT(us.sid[1], ==, 7);
	CHECK_UINT(us.u[1].wbytes, ==, 5);
	CHECK_UINT(a.rbytes, ==, 4096 + 1);
	CHECK_UINT(a.wbytes, ==, 10);
	CHECK_UINT(b.wbytes, ==, 5);

	/* long and colliding names */
	static uint8_t n400[400], n401[401], n4k[4096], ca[4096], cb[4096];
	memset(n400, 'q', sizeof n400);
	n400[0] = '/';
	memset(n401, 'q', sizeof n401);
	n401[0] = '/';
	for (size_t i = 0; i < sizeof n4k; i++)
		n4k[i] = i == 0 ? '/' : (uint8_t)('A' + i % 23);
	long_name(ca, COLLIDE_A, sizeof ca);
	long_name(cb, COLLIDE_B, sizeof cb);
	uint32_t o400 = obj_of(st, n400, sizeof n400), o401 = obj_of(st, n401, sizeof n401);
	uint32_t o4k = obj_of(st, n4k, sizeof n4k);
	uint32_t oa = obj_of(st, ca, sizeof ca), ob = obj_of(st, cb, sizeof cb);
	CHECK_UINT(o400, !=, o401);
	CHECK_UINT(oa, !=, ob);
	check_name(st, o400, n400, sizeof n400, PT_KIND_FILE);
	check_name(st, o401, n401, sizeof n401, PT_KIND_FILE);
	check_name(st, o4k, n4k, sizeof n4k, PT_KIND_FILE);
	check_name(st, oa, ca, sizeof ca, PT_KIND_FILE);
	check_name(st, ob, cb, sizeof cb, PT_KIND_FILE);
	CHECK_UINT(sess_of(st, ids[P_A], 12).obj, ==, o4k);
	CHECK_UINT(sess_of(st, ids[P_A], 12).rops, ==, 1);
	CHECK_UINT(sess_of(st, ids[P_A], 12).call, ==, PT_CALL_OPENAT);
	CHECK_UINT(sess_of(st, ids[P_A], 15).obj, ==, oa);
	n4k[4095] ^= 1;          /* one byte off: never seen */
	CHECK_INT(pt_store_obj_find(st, n4k, sizeof n4k, &proc), ==, PT_ENOTFOUND);
	cb[3] = 'z';             /* a long name never seen */
	CHECK_INT(pt_store_obj_find(st, cb, sizeof cb, &proc), ==, PT_ENOTFOUND);
	CHECK_INT(pt_store_obj_find(st, "/data/none", 10, &proc), ==, PT_ENOTFOUND);

	/* the relative symbolic link: an edge from the file it resolves to, at any time */
	uint32_t olink = obj_of(st, "/data/sub/l", 11), otarget = obj_of(st, "/data/x/t", 9);
	memset(&ed, 0, sizeof ed);
	CHECK_INT(pt_store_each_flow(st, olink, 1, edge_cb, &ed), ==, 0);
	CHECK_INT(ed.n, ==, 1);
	CHECK_UINT(ed.a[0], ==, olink);
	CHECK_UINT(ed.b[0], ==, otarget);
	CHECK_UINT(ed.ts[0], ==, 0);
	CHECK_UINT(ed.kind[0], ==, PT_FLOW_SYMLINK);
	CHECK_INT(pt_store_obj_find(st, "../x/./t", 8, &proc), ==, PT_ENOTFOUND);

	/* counters */
	CHECK_INT(pt_store_counters(st, &k), ==, 0);
	CHECK_UINT(k.procs, ==, 6);
	/* sessions begun: 1, 2, 3 (dup), 7 (inherit), 10-15, 20 */
	CHECK_UINT(k.sessions, ==, 11);
	CHECK_UINT(k.files, ==, 4);                   /* in, out, the 4 KiB one, /data/log */
	CHECK_UINT(k.bytes_read, ==, 4096 + 1 + 77 + 23);
	CHECK_UINT(k.bytes_written, ==, 15);
	CHECK_UINT(k.dropped, ==, 2);
	CHECK_UINT(k.torn, ==, 1);

	/* the log: every record once, in order, with no gap */
	CHECK_INT(pt_store_each_log(st, 0, log_cb, &ls), ==, 0);
	CHECK_UINT(ls.n, ==, k.events);
	CHECK_INT(ls.gap, ==, 0);
	CHECK_UINT(ls.type_count[PT_EV_C_PROC], ==, 6);
	CHECK_UINT(ls.type_count[PT_EV_C_PROC_END], ==, 1);
	/* one for the session the table ended, two the indexer ignored (see above) */
	CHECK_UINT(ls.type_count[PT_EV_C_SESS_END], ==, 3);
	CHECK_UINT(ls.type_count[PT_EV_OPEN], ==, 9);
	CHECK_UINT(ls.type_count[PT_EV_CLOSE], ==, 5);
	CHECK_UINT(ls.type_count[PT_EV_DUP], ==, 2);
	CHECK_UINT(ls.type_count[PT_EV_INHERIT], ==, 2);
	CHECK_UINT(ls.type_count[PT_EV_WAIT], ==, 2);
	CHECK_UINT(ls.type_count[PT_EV_PROC_EXIT], ==, 1);
	CHECK_UINT(ls.type_count[PT_EV_LINK], ==, 1);
	CHECK_UINT(ls.n, ==, 6 + 1 + 3 + 9 + 5 + 2 + 2 + 2 + 1 + 1);
	CHECK_UINT(ls.cproc_exec_from[ids[P_D]], ==, ids[P_C]);
	CHECK_UINT(ls.cproc_parent[ids[P_B]], ==, ids[P_A]);

	/* read progress */
	struct pt_region_rec rr;
	uint64_t off[4];
	CHECK_INT(pt_store_region_get(st, "node1.100.1000.ptr", &rr, off, 4), ==, 0);
	CHECK_UINT(rr.proc, ==, ids[P_A]);
	CHECK_UINT(rr.nslots, ==, 3);
	CHECK_UINT(rr.finished, ==, 0);
	CHECK_UINT(off[0], ==, 10);
	CHECK_UINT(off[1], ==, 20);
	CHECK_UINT(off[2], ==, 1ull << 40);
	CHECK_INT(pt_store_region_get(st, "node1.100.1000.ptr", &rr, off, 2), ==, PT_EWIRE);
	CHECK_INT(pt_store_region_get(st, "node1.1.1.ptr", &rr, off, 4), ==, PT_ENOTFOUND);
}

/* ---- MDB_MAP_FULL: grow and replay, nothing lost or doubled */

#define FULL_N 3000

static void full_open(uint8_t *name, size_t *len, uint32_t i)
{
	*len = (size_t)snprintf((char *)name, 1200, "/full/%06u/", i);
	for (; *len < 700; (*len)++)
		name[*len] = (uint8_t)('a' + (i + *len) % 26);
}

static int full_batch(pt_store *st, uint32_t first, uint32_t n, int with_proc)
{
	uint8_t name[1200];
	size_t len;
	uint32_t proc = 1;
	int r;

	if ((r = pt_store_begin(st)))
		return r;
	if (with_proc) {
		struct pt_ident id = { .pid = 7, .ppid = 1, .start_ns = 1, .verified = 1 };
		if ((r = pt_store_proc_add(st, &id, &proc)))
			goto abort;
		CHECK_UINT(proc, ==, 1);
	}
	for (uint32_t i = first; i < first + n; i++) {
		full_open(name, &len, i);
		rb(PT_EV_OPEN, 100 + i, 8);
		pt_mpw_uint(&W, i + 1);
		pt_mpw_uint(&W, 3);
		pt_mpw_bin(&W, name, len);
		pt_mpw_uint(&W, 0);
		pt_mpw_uint(&W, 0);
		pt_mpw_uint(&W, PT_KIND_FILE);
		pt_mpw_uint(&W, PT_CALL_OPEN);
		pt_mpw_array(&W, 0);
		if ((r = pt_store_event(st, proc, rec, (uint32_t)rec_len())))
			goto abort;
	}
	/* the indices of the batch too: a full map may strike there as well */
	int done;
	if ((r = pt_store_index(st, UINT64_MAX, &done)))
		goto abort;
	return pt_store_commit(st);
abort:
	pt_store_abort(st);
	return r;
}

/* Replay a batch the way the collector does; returns how many times the map was full. */
static int full_replay(pt_store *st, uint32_t first, uint32_t n, int with_proc)
{
	int fulls = 0, r;

	for (int attempt = 0; attempt < 30; attempt++) {
		r = full_batch(st, first, n, with_proc);
		if (r == 0)
			return fulls;
		if (r != PT_EFULL) {
			fprintf(stderr, "batch: %s\n", pt_strerror(r));
			exit(1);
		}
		fulls++;
	}
	fprintf(stderr, "the batch never fitted after %d growths\n", fulls);
	exit(1);
}

struct fullscan {
	uint64_t n;
	int bad;
};

static int full_log_cb(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *r, uint32_t len)
{
	struct fullscan *f = ctx;
	struct pt_ev ev;
	uint8_t name[1200];
	size_t nl;

	f->n++;
	if (seq != f->n || proc != 1 || pt_ev_parse(r, len, &ev)) {
		f->bad = 1;
		return 1;
	}
	if (seq == 1) {
		if (ev.type != PT_EV_C_PROC)
			f->bad = 1;
		return f->bad;
	}
	/* OPEN number seq - 2, with its own name */
	full_open(name, &nl, (uint32_t)(seq - 2));
	if (ev.type != PT_EV_OPEN || pt_ev_u(&ev, 0) != seq - 1 || pt_ev_b(&ev, 2).len != nl ||
	    memcmp(pt_ev_b(&ev, 2).p, name, nl) != 0) {
		fprintf(stderr, "log record %llu is not OPEN %llu\n", (unsigned long long)seq,
			(unsigned long long)(seq - 2));
		f->bad = 1;
	}
	return f->bad;
}

static void check_full(pt_store *st, uint64_t nopens)
{
	struct fullscan f = { 0 };
	struct pt_counters c;
	uint8_t name[1200];
	size_t len;
	uint32_t obj;

	CHECK_INT(pt_store_each_log(st, 0, full_log_cb, &f), ==, 0);
	CHECK_INT(f.bad, ==, 0);
	CHECK_UINT(f.n, ==, nopens + 1);
	CHECK_INT(pt_store_counters(st, &c), ==, 0);
	CHECK_UINT(c.events, ==, nopens + 1);
	CHECK_UINT(c.procs, ==, 1);
	CHECK_UINT(c.sessions, ==, nopens);
	full_open(name, &len, (uint32_t)nopens - 1);
	CHECK_INT(pt_store_obj_find(st, name, len, &obj), ==, 0);
	CHECK_UINT(obj, ==, nopens);          /* objects numbered without a hole */
	CHECK_UINT(sess_of(st, 1, nopens).obj, ==, nopens);
}

static void map_full(const char *path)
{
	pt_store *st;

	/* a map far smaller than one batch */
	setenv("PROVTRACE_MAP_INITIAL", "262144", 1);
	CHECK_INT(pt_store_open(path, PT_STORE_CREATE, &st), ==, 0);
	unsetenv("PROVTRACE_MAP_INITIAL");
	int fulls = full_replay(st, 0, FULL_N, 1);
	if (fulls < 1) {
		fprintf(stderr, "the map never filled: the test proves nothing\n");
		exit(1);
	}
	CHECK_INT(pt_store_begin(st), ==, 0);    /* the writer reads inside a batch */
	check_full(st, FULL_N);
	pt_store_abort(st);
	/* a second batch after the growth, and another growth in its middle */
	fulls = full_replay(st, FULL_N, 3 * FULL_N, 0);
	CHECK_INT(fulls, >=, 1);
	CHECK_INT(pt_store_begin(st), ==, 0);
	check_full(st, 4 * FULL_N);
	pt_store_abort(st);
	pt_store_close(st);

	CHECK_INT(pt_store_open(path, PT_STORE_RDONLY, &st), ==, 0);
	check_full(st, 4 * FULL_N);
	pt_store_close(st);
}

/* ---- vfork children: FORK(vfork) before or after the child's image, or never one */

static void ev_vfork(pt_store *st, uint32_t proc, uint64_t ts, int pid)
{
	rb(PT_EV_FORK, ts, 2);
	pt_mpw_int(&W, pid);
	pt_mpw_uint(&W, PT_SPAWN_VFORK);
	put_event(st, proc);
}

static void vforks(const char *path)
{
	struct pt_counters c;
	pt_store *st;
	uint32_t a, b, e;

	CHECK_INT(pt_store_open(path, PT_STORE_CREATE, &st), ==, 0);
	CHECK_INT(pt_store_begin(st), ==, 0);
	a = add_proc(st, 300, 1, 1000, 0);
	ev_vfork(st, a, 1100, 301);           /* the parent's record first (the usual order) */
	b = add_proc(st, 301, 300, 1200, 0);  /* then the image the child exec'd */
	CHECK_UINT(proc_of(st, b).parent, ==, a);
	e = add_proc(st, 302, 300, 1300, 0);  /* the image first, the record after */
	ev_vfork(st, a, 1400, 302);
	ev_vfork(st, a, 1500, 303);           /* a child that never showed an image */
	CHECK_UINT(proc_of(st, e).parent, ==, a);
	CHECK_INT(pt_store_untraced_children(st), ==, 0);
	index_all(st);    /* the gap is a logged GAP record, indexed like the others */
	CHECK_INT(pt_store_counters(st, &c), ==, 0);
	CHECK_UINT(c.gaps, ==, 1);
	CHECK_INT(pt_store_commit(st), ==, 0);
	pt_store_close(st);
}

/* ---- MPI spawns: the root's MPI_SPAWN, each child's MPI_PARENT (one not told who), an
 * MPI_FINI of the older single field */

static void ev_mpi_init(pt_store *st, uint32_t proc, uint64_t ts, int rank, const char *job)
{
	rb(PT_EV_MPI_INIT, ts, 7);
	pt_mpw_int(&W, rank);
	pt_mpw_int(&W, 2);
	pt_mpw_str(&W, job, strlen(job));
	pt_mpw_uint(&W, 0);
	pt_mpw_bin(&W, "n", 1);
	pt_mpw_bin(&W, "lib", 3);
	pt_mpw_uint(&W, 0);
	put_event(st, proc);
}

static void ev_mpi_parent(pt_store *st, uint32_t proc, uint64_t ts, const char *job, int rank,
			  uint32_t spawn)
{
	rb(PT_EV_MPI_PARENT, ts, 4);
	pt_mpw_str(&W, job, strlen(job));
	pt_mpw_int(&W, rank);
	pt_mpw_uint(&W, spawn);
	pt_mpw_int(&W, 1);
	put_event(st, proc);
}

struct spawn_seen {
	uint32_t n, proc, spawn;
	char cmd[64];
	struct pt_mpi_spawn s;
	uint32_t kids[4], nkids, kspawn;
};

static int spawn_cb(void *ctx, uint32_t proc, const struct pt_mpi_spawn *s, const uint8_t *cmd,
		    size_t len)
{
	struct spawn_seen *w = ctx;

	w->n++;
	w->proc = proc;
	w->s = *s;
	snprintf(w->cmd, sizeof w->cmd, "%.*s", (int)len, (const char *)cmd);
	return 0;
}

static int kid_cb(void *ctx, uint32_t spawn, uint32_t proc)
{
	struct spawn_seen *w = ctx;

	w->kspawn = spawn;
	if (w->nkids < 4)
		w->kids[w->nkids++] = proc;
	return 0;
}

static void spawns(const char *path)
{
	struct spawn_seen w = { 0 };
	struct pt_mpi_parent p;
	struct pt_mpi_rank m;
	struct pt_mpi_spawn sp;
	char job[16];
	size_t n = sizeof job;
	pt_store *st;
	uint32_t root, c0, c1, lost;

	CHECK_INT(pt_store_open(path, PT_STORE_CREATE, &st), ==, 0);
	CHECK_INT(pt_store_begin(st), ==, 0);
	root = add_proc(st, 400, 1, 1000, 0);
	ev_mpi_init(st, root, 1100, 1, "pjob");
	rb(PT_EV_MPI_SPAWN, 1500, 9);
	pt_mpw_uint(&W, 1);                      /* spawn */
	pt_mpw_int(&W, 0);                       /* comm */
	pt_mpw_uint(&W, 1);                      /* how: spawn_multiple */
	pt_mpw_int(&W, 0);                       /* status */
	pt_mpw_int(&W, 2);
	pt_mpw_int(&W, 3);
	pt_mpw_array(&W, 2);
	pt_mpw_array(&W, 3);
	pt_mpw_cstr(&W, "/bin/prog");
	pt_mpw_array(&W, 1);
	pt_mpw_cstr(&W, "x");
	pt_mpw_int(&W, 1);
	pt_mpw_array(&W, 3);
	pt_mpw_cstr(&W, "/bin/other");
	pt_mpw_array(&W, 0);
	pt_mpw_int(&W, 2);
	pt_mpw_uint(&W, PT_MPI_SPAWN_ENV);
	pt_mpw_uint(&W, 300);                    /* dur_ns */
	put_event(st, root);
	rb(PT_EV_MPI_FINI, 1600, 1);             /* before foreign and foreign_bytes */
	pt_mpw_uint(&W, 0);
	put_event(st, root);
	c0 = add_proc(st, 401, 1, 1200, 0);
	ev_mpi_init(st, c0, 1300, 0, "cjob");
	ev_mpi_parent(st, c0, 1301, "pjob", 1, 1);
	c1 = add_proc(st, 402, 1, 1210, 0);
	ev_mpi_init(st, c1, 1310, 1, "cjob");
	ev_mpi_parent(st, c1, 1311, "pjob", 1, 1);
	lost = add_proc(st, 403, 1, 1220, 0);
	ev_mpi_init(st, lost, 1320, 0, "ojob");
	ev_mpi_parent(st, lost, 1321, "", -1, 0);

	CHECK_INT(pt_store_mpi_spawn(st, root, 1, &sp), ==, 0);
	CHECK_UINT(sp.start_ns, ==, 1200);
	CHECK_UINT(sp.end_ns, ==, 1500);
	CHECK_UINT(sp.how, ==, 1);
	CHECK_INT(sp.procs, ==, 2);
	CHECK_INT(sp.maxprocs, ==, 3);
	CHECK_UINT(sp.ncmds, ==, 2);
	CHECK_UINT(sp.flags, ==, PT_MPI_SPAWN_ENV);
	CHECK_INT(pt_store_mpi_spawn(st, root, 2, &sp), ==, PT_ENOTFOUND);
	CHECK_INT(pt_store_each_mpi_spawn(st, 0, spawn_cb, &w), ==, 0);
	CHECK_UINT(w.n, ==, 1);
	CHECK_UINT(w.proc, ==, root);
	CHECK_MEM(w.cmd, "/bin/prog", sizeof "/bin/prog");
	CHECK_INT(pt_store_mpi_rank(st, root, &m), ==, 0);
	CHECK_UINT(m.fini_ns, ==, 1600);
	CHECK_UINT(m.foreign, ==, 0);
	/* the children name the root by (job, rank, spawn); the root finds them back */
	CHECK_INT(pt_store_mpi_parent(st, c1, &p), ==, 0);
	CHECK_UINT(p.job, ==, m.job);
	CHECK_INT(p.rank, ==, 1);
	CHECK_UINT(p.spawn, ==, 1);
	CHECK_INT(p.size, ==, 1);
	CHECK_INT(pt_store_mpi_job(st, p.job, job, &n), ==, 0);
	CHECK_UINT(n, ==, 4);
	CHECK_INT(pt_store_each_mpi_child(st, m.job, 1, kid_cb, &w), ==, 0);
	CHECK_UINT(w.nkids, ==, 2);
	CHECK_UINT(w.kspawn, ==, 1);
	CHECK_UINT(w.kids[0], ==, c0);
	CHECK_UINT(w.kids[1], ==, c1);
	CHECK_INT(pt_store_each_mpi_child(st, m.job, 0, kid_cb, &w), ==, 0);
	CHECK_UINT(w.nkids, ==, 2);
	/* spawned, not told by whom */
	CHECK_INT(pt_store_mpi_parent(st, lost, &p), ==, 0);
	CHECK_UINT(p.job, ==, 0);
	CHECK_INT(p.rank, ==, -1);
	CHECK_INT(pt_store_mpi_parent(st, root, &p), ==, PT_ENOTFOUND);
	CHECK_INT(pt_store_commit(st), ==, 0);
	pt_store_close(st);
}

/* ---- the log's chunks: records of every size, across batches, an aborted batch, seeks
 * into the middle of a chunk, and the first reader's deferred indexing */

struct chunkscan {
	uint64_t n, first, last;
	int bad;
};

static int chunk_cb(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *r, uint32_t len)
{
	struct chunkscan *c = ctx;
	struct pt_ev ev;

	if (!c->n)
		c->first = seq;
	else if (seq != c->last + 1)
		c->bad = 1;
	c->last = seq;
	c->n++;
	/* each record says which seq it was written as: ts = seq, proc = 100 + seq */
	if (pt_ev_parse(r, len, &ev) || ev.ts != seq || proc != 100 + seq ||
	    pt_ev_b(&ev, 1).len != (seq * 7919) % 3000 + (seq % 50 == 0 ? 60000 : 0))
		c->bad = 1;
	return 0;
}

static void chunk_rec(pt_store *st, uint64_t seq)
{
	static uint8_t detail[64000];
	uint32_t n = (uint32_t)((seq * 7919) % 3000 + (seq % 50 == 0 ? 60000 : 0));

	memset(detail, (int)(seq & 0xff), n);
	rb(PT_EV_GAP, seq, 2);
	pt_mpw_uint(&W, 99);
	pt_mpw_bin(&W, detail, n);
	CHECK_INT(pt_store_event(st, (uint32_t)(100 + seq), rec, (uint32_t)rec_len()), ==, 0);
}

static struct chunkscan chunk_scan(pt_store *st, uint64_t from)
{
	struct chunkscan c = { 0 };

	CHECK_INT(pt_store_each_log(st, from, chunk_cb, &c), ==, 0);
	CHECK_INT(c.bad, ==, 0);
	return c;
}

static void chunks(const char *path, const char *copy)
{
	pt_store *st;
	uint64_t seq = 0, pending, now;
	struct chunkscan c;

	CHECK_INT(pt_store_open(path, PT_STORE_CREATE, &st), ==, 0);
	pt_store_defer_index(st, 1);
	/* 400 records (8 of them 60 KB, alone in their chunk), then three of one, then a
	 * batch thrown away, then two more */
	CHECK_INT(pt_store_begin(st), ==, 0);
	while (seq < 400)
		chunk_rec(st, ++seq);
	CHECK_INT(pt_store_commit(st), ==, 0);
	for (int b = 0; b < 3; b++) {
		CHECK_INT(pt_store_begin(st), ==, 0);
		chunk_rec(st, ++seq);
		CHECK_INT(pt_store_commit(st), ==, 0);
	}
	CHECK_INT(pt_store_begin(st), ==, 0);
	chunk_rec(st, seq + 1);
	chunk_rec(st, seq + 2);
	pt_store_abort(st);
	CHECK_INT(pt_store_begin(st), ==, 0);
	chunk_rec(st, ++seq);
	chunk_rec(st, ++seq);
	/* inside the batch the writer reads its own records, then goes on appending */
	c = chunk_scan(st, 0);
	CHECK_UINT(c.n, ==, seq);
	chunk_rec(st, ++seq);
	CHECK_INT(pt_store_index_info(st, &pending, &now), ==, 0);
	CHECK_UINT(pending, ==, seq);
	CHECK_INT(pt_store_commit(st), ==, 0);
	CHECK_INT(pt_store_copy(st, copy), ==, 0);
	pt_store_close(st);
	CHECK_UINT(seq, ==, 406);

	/* as it is: every record once, in order; a walk from any point starts exactly there */
	CHECK_INT(pt_store_open(copy, PT_STORE_RDONLY | PT_STORE_ASIS, &st), ==, 0);
	CHECK_INT(pt_store_index_info(st, &pending, &now), ==, 0);
	CHECK_UINT(pending, ==, 406);
	CHECK_UINT(now, ==, 0);
	c = chunk_scan(st, 0);
	CHECK_UINT(c.first, ==, 1);
	CHECK_UINT(c.n, ==, 406);
	const uint64_t froms[] = { 1, 2, 49, 50, 51, 100, 217, 400, 401, 404, 406 };
	for (size_t i = 0; i < sizeof froms / sizeof froms[0]; i++) {
		c = chunk_scan(st, froms[i]);
		CHECK_UINT(c.first, ==, froms[i]);
		CHECK_UINT(c.n, ==, 406 - froms[i] + 1);
	}
	c = chunk_scan(st, 407);
	CHECK_UINT(c.n, ==, 0);
	pt_store_close(st);

	/* the first reader indexes it all; the next finds nothing to do */
	CHECK_INT(pt_store_open(copy, PT_STORE_RDONLY, &st), ==, 0);
	CHECK_INT(pt_store_index_info(st, &pending, &now), ==, 0);
	CHECK_UINT(pending, ==, 0);
	CHECK_UINT(now, ==, 406);
	struct pt_counters k;
	CHECK_INT(pt_store_counters(st, &k), ==, 0);
	CHECK_UINT(k.gaps, ==, 406);
	CHECK_UINT(k.events, ==, 406);
	pt_store_close(st);
	CHECK_INT(pt_store_open(copy, PT_STORE_RDONLY, &st), ==, 0);
	CHECK_INT(pt_store_index_info(st, &pending, &now), ==, 0);
	CHECK_UINT(now, ==, 0);
	c = chunk_scan(st, 0);
	CHECK_UINT(c.n, ==, 406);
	pt_store_close(st);

	/* the writer reopened continues where the log ends */
	CHECK_INT(pt_store_open(path, 0, &st), ==, 0);
	pt_store_defer_index(st, 1);
	CHECK_INT(pt_store_begin(st), ==, 0);
	chunk_rec(st, ++seq);
	CHECK_INT(pt_store_commit(st), ==, 0);
	CHECK_INT(pt_store_begin(st), ==, 0);
	c = chunk_scan(st, 0);
	CHECK_UINT(c.n, ==, 407);
	pt_store_abort(st);
	pt_store_close(st);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[600], path2[600], path3[600], copy[600], lock[700];
	uint32_t ids[NPROC];
	pt_store *st;

	snprintf(dir, sizeof dir, "%s/pt-store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/s.mdb", dir);
	snprintf(path2, sizeof path2, "%s/full.mdb", dir);
	snprintf(copy, sizeof copy, "%s/copy.mdb", dir);

	CHECK_INT(pt_store_open(path, 0, &st), ==, ENOENT);       /* no CREATE */
	write_scenario(path, ids);

	/* the writer sees it inside a batch; a reader after the writer closed */
	CHECK_INT(pt_store_open(path, 0, &st), ==, 0);
	CHECK_INT(pt_store_begin(st), ==, 0);
	check_scenario(st, ids);
	pt_store_abort(st);
	CHECK_INT(pt_store_copy(st, copy), ==, 0);
	CHECK_INT(pt_store_copy(st, copy), ==, EEXIST);
	pt_store_close(st);
	CHECK_INT(pt_store_open(path, PT_STORE_RDONLY, &st), ==, 0);
	check_scenario(st, ids);
	CHECK_INT(pt_store_begin(st), ==, EINVAL);                /* read-only */
	pt_store_close(st);
	CHECK_INT(pt_store_open(copy, PT_STORE_RDONLY, &st), ==, 0);
	check_scenario(st, ids);
	pt_store_close(st);

	map_full(path2);
	unlink(path2);
	unlink(copy);
	chunks(path2, copy);
	snprintf(path3, sizeof path3, "%s/vfork.mdb", dir);
	vforks(path3);
	unlink(path3);
	snprintf(lock, sizeof lock, "%s-lock", path3);
	unlink(lock);
	spawns(path3);
	unlink(path3);
	unlink(lock);

	unlink(path);
	unlink(path2);
	unlink(copy);
	snprintf(lock, sizeof lock, "%s-lock", path);
	unlink(lock);
	snprintf(lock, sizeof lock, "%s-lock", path2);
	unlink(lock);
	rmdir(dir);
	printf("store: all checks passed\n");
	return 0;
}
