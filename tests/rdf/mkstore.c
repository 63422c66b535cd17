/* mkstore.c — writes run directories through the store API, with fixed times and ids, for
 * the export tests (a small run whose export is compared with golden files) and for the
 * export benchmark (a store of any number of events).
 *
 *   mkstore small RUNDIR        two nodes: a Pool-like training job, hostile file names,
 *                               a rename, a rewrite, an exec, a gap, a cross-node read
 *   mkstore mpi RUNDIR          two nodes: MPI ranks that send, receive, broadcast and
 *                               reduce across them, one rank never traced, and MPI-IO
 *   mkstore bench N RUNDIR      about N events: groups of a driver and 8 forked workers
 *                               that read shards, talk over pipes and write outputs
 *   mkstore strip-ids STORE     the store's use index as an earlier provtrace wrote it
 *                               (no identity beside each session), for versions.sh
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "collector/store.h"
#include "collector/wire.h"

#define T0 1700000000000000000ull   /* 2023-11-14T22:13:20Z */
#define MS 1000000ull

static pt_store *st;
static uint64_t nevents;

static void die(const char *what, int r)
{
	fprintf(stderr, "mkstore: %s: %s\n", what, pt_strerror(r));
	exit(1);
}

/* A full map poisons the batch: later calls fail with PT_EFULL, or with MDB_BAD_TXN
 * when they read (the store hands LMDB's error on); the bench aborts the batch, which
 * grows the map, and replays it.  Any other error ends the program. */
static int batch_full;

static int full(int r)
{
	if (r == PT_EFULL || r == MDB_BAD_TXN) {
		batch_full = 1;
		return 1;
	}
	return 0;
}

#define CHECK(x)                                                                           \
	do {                                                                               \
		int r_ = (x);                                                              \
		if (r_ && !full(r_))                                                       \
			die(#x, r_);                                                       \
	} while (0)

/* ---- records */

struct rec {
	uint8_t buf[65536];
	struct pt_mpw w;
};

static void rec_begin(struct rec *r, uint32_t type, uint64_t ts, uint32_t nfields)
{
	pt_mpw_init(&r->w, r->buf, sizeof r->buf);
	pt_mpw_array(&r->w, 2 + nfields);
	pt_mpw_uint(&r->w, type);
	pt_mpw_uint(&r->w, ts);
}

static int rec_put(struct rec *r, uint32_t proc)
{
	if (r->w.overflow)
		die("record", PT_EWIRE);
	nevents++;
	return pt_store_event(st, proc, r->buf, (uint32_t)(r->w.p - r->buf));
}

static int ev_start(uint32_t proc, uint64_t ts, const char *exe, const char *const *argv,
		    const char *cwd, const char *const *env, int32_t ppid, int forked)
{
	struct rec r;
	uint32_t n = 0, m = 0;

	while (argv[n])
		n++;
	while (env && env[2 * m])
		m++;
	rec_begin(&r, PT_EV_PROC_START, ts, 11);
	pt_mpw_cstr(&r.w, exe);
	pt_mpw_array(&r.w, n);
	for (uint32_t i = 0; i < n; i++)
		pt_mpw_cstr(&r.w, argv[i]);
	pt_mpw_cstr(&r.w, cwd);
	pt_mpw_map(&r.w, m);
	for (uint32_t i = 0; i < m; i++) {
		pt_mpw_cstr(&r.w, env[2 * i]);
		pt_mpw_cstr(&r.w, env[2 * i + 1]);
	}
	for (int i = 0; i < 4; i++)
		pt_mpw_uint(&r.w, 1000);
	pt_mpw_int(&r.w, ppid);
	pt_mpw_uint(&r.w, forked ? PT_START_FORK : PT_START_EXEC);
	pt_mpw_uint(&r.w, 0);
	return rec_put(&r, proc);
}

static int ev_libs(uint32_t proc, uint64_t ts, const char *const *libs)
{
	struct rec r;
	uint32_t n = 0;

	while (libs[n])
		n++;
	rec_begin(&r, PT_EV_LIBS, ts, 1);
	pt_mpw_array(&r.w, n);
	for (uint32_t i = 0; i < n; i++) {
		pt_mpw_array(&r.w, 2);
		pt_mpw_cstr(&r.w, libs[i]);
		pt_mpw_uint(&r.w, 0x7f0000000000ull + i * 0x100000ull);
	}
	return rec_put(&r, proc);
}

static int ev_open(uint32_t proc, uint64_t ts, uint64_t sid, int fd, const void *path,
		   size_t len, uint32_t flags, uint32_t kind)
{
	struct rec r;

	rec_begin(&r, PT_EV_OPEN, ts, 8);
	pt_mpw_uint(&r.w, sid);
	pt_mpw_int(&r.w, fd);
	pt_mpw_bin(&r.w, path, len);
	pt_mpw_uint(&r.w, flags);
	pt_mpw_uint(&r.w, 0644);
	pt_mpw_uint(&r.w, kind);
	pt_mpw_uint(&r.w, kind == PT_KIND_PIPE ? PT_CALL_PIPE : PT_CALL_OPEN);
	pt_mpw_array(&r.w, 0);
	return rec_put(&r, proc);
}

/* A session's end: bytes read (first at rf) and written (first at wf). */
/* the identity the next closes give their file (dev, ino, size, mtime), when set */
static struct pt_file_id close_id;

static int ev_close(uint32_t proc, uint64_t ts, uint64_t sid, int fd, uint64_t rb, uint64_t rf,
		    uint64_t wb, uint64_t wf)
{
	struct rec r;

	rec_begin(&r, PT_EV_CLOSE, ts, 17);
	pt_mpw_uint(&r.w, sid);
	pt_mpw_int(&r.w, fd);
	pt_mpw_uint(&r.w, rb);
	pt_mpw_uint(&r.w, rb ? 1 + rb / 65536 : 0);
	pt_mpw_uint(&r.w, wb);
	pt_mpw_uint(&r.w, wb ? 1 + wb / 65536 : 0);
	pt_mpw_uint(&r.w, rb ? rf : 0);
	pt_mpw_uint(&r.w, rb ? ts : 0);
	pt_mpw_uint(&r.w, wb ? wf : 0);
	pt_mpw_uint(&r.w, wb ? ts : 0);
	for (int i = 0; i < 2; i++)
		pt_mpw_uint(&r.w, 0);
	pt_mpw_uint(&r.w, close_id.dev);
	pt_mpw_uint(&r.w, close_id.ino);
	pt_mpw_uint(&r.w, close_id.size);
	pt_mpw_uint(&r.w, close_id.mtime);
	pt_mpw_uint(&r.w, PT_CLOSE_CLOSE);
	return rec_put(&r, proc);
}

static int ev_inherit(uint32_t proc, uint64_t ts, uint64_t sid, int fd, uint64_t psid)
{
	struct rec r;

	rec_begin(&r, PT_EV_INHERIT, ts, 4);
	pt_mpw_uint(&r.w, sid);
	pt_mpw_int(&r.w, fd);
	pt_mpw_uint(&r.w, psid);
	pt_mpw_uint(&r.w, PT_KIND_PIPE);
	return rec_put(&r, proc);
}

static int ev_rename(uint32_t proc, uint64_t ts, const char *from, const char *to, int link)
{
	struct rec r;

	rec_begin(&r, link ? PT_EV_LINK : PT_EV_RENAME, ts, link ? 3 : 2);
	pt_mpw_cstr(&r.w, from);
	pt_mpw_cstr(&r.w, to);
	if (link)
		pt_mpw_uint(&r.w, link == 2);
	return rec_put(&r, proc);
}

static int ev_exit(uint32_t proc, uint64_t ts, int status)
{
	struct rec r;

	rec_begin(&r, PT_EV_PROC_EXIT, ts, 9);
	pt_mpw_uint(&r.w, PT_EXIT_EXIT);
	pt_mpw_int(&r.w, status);
	pt_mpw_uint(&r.w, 1500);
	pt_mpw_uint(&r.w, 300);
	pt_mpw_uint(&r.w, 20480);
	for (int i = 0; i < 4; i++)
		pt_mpw_uint(&r.w, 0);
	return rec_put(&r, proc);
}

static int ev_gap(uint32_t proc, uint64_t ts, uint32_t kind, const char *detail)
{
	struct rec r;

	rec_begin(&r, PT_EV_GAP, ts, 2);
	pt_mpw_uint(&r.w, kind);
	pt_mpw_cstr(&r.w, detail);
	return rec_put(&r, proc);
}

/* CUDA summaries as libprovtrace-cuda.so sends them: a device, kernels, copies, drops */
static void ev_cuda(uint32_t proc, uint64_t ts)
{
	static const uint8_t uuid[16] = { 0x5e, 0x1f, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e, 0x7f,
					  0x80, 0x91, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf7 };
	static const char *const kern[] = { "_Z6matmulPfS_S_i", "_Z6matmulPfS_S_i",
					    "void at::native::elementwise_kernel<128, 4>" };
	static const uint64_t launches[] = { 10, 25, 3 }, rounds[] = { 1, 2, 2 };
	struct rec r;

	rec_begin(&r, PT_EV_CUDA_DEVICE, ts, 9);
	pt_mpw_uint(&r.w, 0);
	pt_mpw_cstr(&r.w, "NVIDIA H100 80GB HBM3");
	pt_mpw_bin(&r.w, uuid, sizeof uuid);
	pt_mpw_uint(&r.w, 9);
	pt_mpw_uint(&r.w, 0);
	pt_mpw_uint(&r.w, 85899345920ull);
	pt_mpw_int(&r.w, 12040);
	pt_mpw_int(&r.w, 12020);
	pt_mpw_uint(&r.w, 132);
	CHECK(rec_put(&r, proc));
	for (int i = 0; i < 3; i++) {
		rec_begin(&r, PT_EV_CUDA_KERNEL, ts + 1000 * (uint64_t)(i + 1), 11);
		pt_mpw_cstr(&r.w, kern[i]);
		pt_mpw_uint(&r.w, launches[i]);
		pt_mpw_uint(&r.w, i == 1 ? 250000 : 0);
		pt_mpw_uint(&r.w, i == 1 ? 9000 : 0);
		pt_mpw_uint(&r.w, i == 1 ? 11000 : 0);
		pt_mpw_array(&r.w, 3);
		for (int k = 0; k < 3; k++)
			pt_mpw_uint(&r.w, k ? 1 : 64);
		pt_mpw_array(&r.w, 3);
		for (int k = 0; k < 3; k++)
			pt_mpw_uint(&r.w, k ? 1 : 256);
		pt_mpw_uint(&r.w, 1024);
		pt_mpw_uint(&r.w, i == 1 ? 32 : 0);
		pt_mpw_uint(&r.w, i == 1 ? 25 : 0);
		pt_mpw_uint(&r.w, rounds[i]);
		CHECK(rec_put(&r, proc));
	}
	rec_begin(&r, PT_EV_CUDA_MEMCPY, ts + 5000, 5);
	pt_mpw_uint(&r.w, PT_COPY_HTOD);
	pt_mpw_uint(&r.w, 4);
	pt_mpw_uint(&r.w, 1u << 20);
	pt_mpw_uint(&r.w, 5000);
	pt_mpw_uint(&r.w, 2);
	CHECK(rec_put(&r, proc));
	rec_begin(&r, PT_EV_CUDA_MEMSET, ts + 6000, 4);
	pt_mpw_uint(&r.w, 2);
	pt_mpw_uint(&r.w, 8192);
	pt_mpw_uint(&r.w, 0);
	pt_mpw_uint(&r.w, 2);
	CHECK(rec_put(&r, proc));
	rec_begin(&r, PT_EV_CUDA_DROPS, ts + 7000, 3);
	pt_mpw_uint(&r.w, 7);
	pt_mpw_uint(&r.w, PT_CUDA_DROP_CUPTI);
	pt_mpw_uint(&r.w, 2);
	CHECK(rec_put(&r, proc));
}

static uint32_t proc_add(const char *host, int32_t pid, int32_t ppid, uint64_t start,
			 uint64_t parent_start)
{
	struct pt_ident id = { 0 };
	uint32_t proc;
	int r;

	id.pid = pid;
	id.ppid = ppid;
	id.uid = id.gid = 1000;
	id.start_ns = start;
	id.parent_start_ns = parent_start;
	id.verified = 1;
	snprintf(id.host, sizeof id.host, "%s", host);
	snprintf(id.region, sizeof id.region, "%s.%d.%llu.ptr", host, pid,
		 (unsigned long long)start);
	if ((r = pt_store_proc_add(st, &id, &proc)) && full(r))
		return 0;
	if (r)
		die("proc_add", r);
	nevents++;
	return proc;
}

static void proc_end(uint32_t proc, uint32_t state, uint64_t ts)
{
	int r = pt_store_proc_end(st, proc, state, -1, ts, 0, 0, 0);

	if (r && !full(r))
		die("proc_end", r);
	nevents++;
}


/* A whole read or write session: open at t, data from t+1us, close at t+len. */
static void file_read(uint32_t p, uint64_t t, uint64_t sid, const char *path, uint64_t bytes)
{
	CHECK(ev_open(p, t, sid, 3, path, strlen(path), 0, PT_KIND_FILE));
	CHECK(ev_close(p, t + 50000, sid, 3, bytes, t + 1000, 0, 0));
}

static void file_write(uint32_t p, uint64_t t, uint64_t sid, const void *path, size_t len,
		       uint64_t bytes)
{
	CHECK(ev_open(p, t, sid, 4, path, len, 01101, PT_KIND_FILE));
	CHECK(ev_close(p, t + 50000, sid, 4, 0, 0, bytes, t + 1000));
}

/* ---- opening and finishing a node store */

static char tmpstore[8400], finalstore[8400];

static void node_open(const char *rundir, const char *host)
{
	char nodes[4200];
	int r;

	snprintf(nodes, sizeof nodes, "%s/nodes", rundir);
	mkdir(rundir, 0700);
	mkdir(nodes, 0700);
	snprintf(tmpstore, sizeof tmpstore, "%s/.%s.build", nodes, host);
	snprintf(finalstore, sizeof finalstore, "%s/%s.mdb", nodes, host);
	unlink(tmpstore);
	unlink(finalstore);
	if ((r = pt_store_open(tmpstore, PT_STORE_CREATE, &st)))
		die(tmpstore, r);
	CHECK(pt_store_begin(st));
	CHECK(pt_store_meta_put(st, "host", host, strlen(host)));
	CHECK(pt_store_commit(st));
}

static void node_close(void)
{
	char lock[8500];
	int r;

	if ((r = pt_store_copy(st, finalstore)))
		die(finalstore, r);
	pt_store_close(st);
	st = NULL;
	unlink(tmpstore);
	snprintf(lock, sizeof lock, "%s-lock", tmpstore);
	unlink(lock);
}

static void run_json(const char *rundir, const char *host, uint64_t start, uint64_t end,
		     const char *cmd)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof path, "%s/run.json", rundir);
	mkdir(rundir, 0700);
	if (!(f = fopen(path, "w")))
		die(path, errno);
	fprintf(f, "{\n  \"provtrace\": \"0.1.0\",\n  \"command\": [%s],\n  \"host\": \"%s\",\n"
		   "  \"user\": 1000,\n  \"pid\": 100,\n  \"start_ns\": %llu,\n  \"end_ns\": %llu,\n"
		   "  \"exit\": 0,\n  \"slurm_job_id\": \"4242\"\n}\n",
		cmd, host, (unsigned long long)start, (unsigned long long)end);
	fclose(f);
}

/* ---- the small run */

static void small(const char *rundir)
{
	static const char *const py_argv[] = { "/usr/bin/python3", "train.py", "data", "ckpt", NULL };
	static const char *const env[] = { "SLURM_JOB_ID", "4242", "CUDA_VISIBLE_DEVICES", "0",
					   "OMP_NUM_THREADS", "caf\xc3\xa9\xff", NULL };
	static const char *const libs[] = { "/lib/x86_64-linux-gnu/libc.so.6",
					    "/usr/lib/python3/dist-packages/numpy/core/_multiarray_umath.so",
					    NULL };
	static const char *const sh_argv[] = { "/bin/sh", "-c", "echo done > /job/done", NULL };
	uint64_t t = T0;

	run_json(rundir, "n1", T0 - MS, T0 + 900 * MS,
		 "\"/usr/bin/python3\", \"train.py\", \"data\", \"ckpt\"");

	/* node n1: the training job */
	node_open(rundir, "n1");
	CHECK(pt_store_begin(st));
	uint32_t drv = proc_add("n1", 100, 99, t, 0);
	CHECK(ev_start(drv, t + 10000, "/usr/bin/python3.11", py_argv, "/job", env, 99, 0));
	CHECK(ev_libs(drv, t + 20000, libs));
	file_read(drv, t + 1 * MS, 1, "/usr/lib/python3.11/os.py", 40000);
	file_read(drv, t + 2 * MS, 2, "/job/train.py", 1800);
	/* two pipes: tasks to the workers (sids 3, 4), results back (sids 5, 6) */
	CHECK(ev_open(drv, t + 3 * MS, 3, 5, "pipe:[500]", 10, 0, PT_KIND_PIPE));
	CHECK(ev_open(drv, t + 3 * MS, 4, 6, "pipe:[500]", 10, 1, PT_KIND_PIPE));
	CHECK(ev_open(drv, t + 3 * MS, 5, 7, "pipe:[501]", 10, 0, PT_KIND_PIPE));
	CHECK(ev_open(drv, t + 3 * MS, 6, 8, "pipe:[501]", 10, 1, PT_KIND_PIPE));
	uint32_t w[2];
	for (int i = 0; i < 2; i++) {
		uint64_t ws = t + (10 + (uint64_t)i) * MS;
		w[i] = proc_add("n1", 101 + i, 100, ws, t);
		CHECK(ev_inherit(w[i], ws + 1000, 1, 5, 3));
		CHECK(ev_inherit(w[i], ws + 1000, 2, 8, 6));
		CHECK(ev_start(w[i], ws + 2000, "/usr/bin/python3.11", py_argv, "/job", env, 100, 1));
	}
	for (int i = 0; i < 2; i++) {
		uint64_t ws = t + (100 + 50 * (uint64_t)i) * MS;
		char shard[64];
		snprintf(shard, sizeof shard, "/job/data/shard-%d.npz", i);
		/* shard 0's content is known (the collector's hash table) */
		struct pt_file_id id = { 2049, 1000 + (uint64_t)i, 80000, 1700000000000000000ull };
		struct pt_hash_rec h = { PT_HASH_DONE, { 0x5a, 0x4d, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
							  10, 11, 12, 0xff } };
		if (i == 0)
			close_id = id;
		file_read(w[i], ws, 10, shard, 80000);
		memset(&close_id, 0, sizeof close_id);
		if (i == 0)
			CHECK(pt_store_hash_put(st, &id, &h));
		/* the task pipe read before, the result written after */
		CHECK(ev_close(w[i], ws + 20 * MS, 1, 5, 200, t + 50 * MS, 0, 0));
		CHECK(ev_close(w[i], ws + 30 * MS, 2, 8, 0, 0, 1700, ws + 25 * MS));
		CHECK(ev_exit(w[i], ws + 40 * MS, 0));
	}
	CHECK(ev_close(drv, t + 60 * MS, 4, 6, 0, 0, 400, t + 40 * MS));
	CHECK(ev_close(drv, t + 300 * MS, 5, 7, 3400, t + 130 * MS, 0, 0));
	CHECK(ev_close(drv, t + 300 * MS, 3, 5, 0, 0, 0, 0));
	CHECK(ev_close(drv, t + 300 * MS, 6, 8, 0, 0, 0, 0));
	/* the checkpoint, through a temporary name */
	/* its content known, and the same as the evaluation's output on n2 below */
	struct pt_file_id mid = { 2049, 77, 4096, 1700000000500000000ull };
	struct pt_hash_rec mh = { PT_HASH_DONE, { 0xc0, 0xff, 0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						  0, 0, 0, 0x01 } };
	close_id = mid;
	file_write(drv, t + 400 * MS, 7, "/job/ckpt/model.pt.tmp", 22, 4096);
	memset(&close_id, 0, sizeof close_id);
	CHECK(pt_store_hash_put(st, &mid, &mh));
	CHECK(ev_rename(drv, t + 410 * MS, "/job/ckpt/model.pt.tmp", "/job/ckpt/model.pt", 0));
	CHECK(ev_rename(drv, t + 415 * MS, "/job/ckpt/model.pt", "/job/ckpt/latest.pt", 2));
	/* a log written twice: a revision */
	file_write(drv, t + 420 * MS, 8, "/job/log.txt", 12, 100);
	file_write(drv, t + 430 * MS, 9, "/job/log.txt", 12, 200);
	ev_cuda(drv, t + 440 * MS);
	/* hostile names, each written once */
	static const char *const hostile[] = {
		"/job/out/a b", "/job/out/q\"uote'", "/job/out/<angle>", "/job/out/back\\slash",
		"/job/out/hash#query?", "/job/out/cr\rx", "/job/out/lf\nx", "/job/out/tab\tx",
		"/job/out/bad\xff\xfe", "/job/out/caf\xc3\xa9", "/job/out/cafe\xcc\x81",
		"/job/out/100%", "/job/out/ctl\x01\x7f", NULL
	};
	uint64_t sid = 20;
	for (int i = 0; hostile[i]; i++, sid++)
		file_write(drv, t + (500 + (uint64_t)i) * MS, sid, hostile[i], strlen(hostile[i]), 10);
	char longpath[4200] = "/job/out/long";
	while (strlen(longpath) < 4090)
		strcat(longpath, "/abcdefghijklmnopqrstuvwxyz0123456789");
	file_write(drv, t + 600 * MS, sid++, longpath, strlen(longpath), 10);
	/* a child that execs a shell, and a static tool the shim cannot see */
	uint32_t c = proc_add("n1", 103, 100, t + 700 * MS, 0);
	CHECK(ev_start(c, t + 700 * MS + 1000, "/usr/bin/python3.11", py_argv, "/job", NULL, 100, 0));
	uint32_t sh = proc_add("n1", 103, 100, t + 710 * MS, 0);
	CHECK(ev_start(sh, t + 710 * MS + 1000, "/bin/sh", sh_argv, "/job", NULL, 100, 0));
	CHECK(ev_gap(sh, t + 711 * MS, PT_GAP_STATIC_EXEC, "/usr/local/bin/static-tool"));
	file_write(sh, t + 712 * MS, 1, "/job/done", 9, 5);
	CHECK(ev_exit(sh, t + 720 * MS, 0));
	proc_end(sh, PT_END_EXITED, 0);
	CHECK(ev_exit(drv, t + 800 * MS, 0));
	for (int i = 0; i < 2; i++)
		proc_end(w[i], PT_END_EXITED, 0);
	proc_end(drv, PT_END_EXITED, 0);
	CHECK(pt_store_top_status(st, 100, 0, t + 800 * MS));
	CHECK(pt_store_commit(st));
	node_close();

	/* node n2: an evaluation that reads the checkpoint over the shared file system */
	static const char *const ev_argv[] = { "/usr/bin/python3", "eval.py", NULL };
	node_open(rundir, "n2");
	CHECK(pt_store_begin(st));
	uint32_t e = proc_add("n2", 200, 1, t + 500 * MS, 0);
	CHECK(ev_start(e, t + 500 * MS + 1000, "/usr/bin/python3.11", ev_argv, "/job", NULL, 1, 0));
	file_read(e, t + 510 * MS, 1, "/job/ckpt/model.pt", 4096);
	file_read(e, t + 520 * MS, 2, "/job/data/shard-0.npz", 80000);
	file_write(e, t + 530 * MS, 3, "/job/eval.json", 14, 64);
	CHECK(ev_exit(e, t + 540 * MS, 0));
	proc_end(e, PT_END_EXITED, 0);
	/* one that was still running when the collector stopped */
	uint32_t z = proc_add("n2", 201, 1, t + 550 * MS, 0);
	CHECK(ev_start(z, t + 550 * MS + 1000, "/usr/bin/python3.11", ev_argv, "/job", NULL, 1, 0));
	CHECK(pt_store_proc_end(st, z, PT_END_RUNNING, -1, t + 560 * MS, 3, 1, 0));
	CHECK(pt_store_commit(st));
	node_close();
}

/* ---- the MPI run */

static const char mpi_job[] = "prterun-m1-4242@1";

static void mpi_init(uint32_t proc, uint64_t ts, int32_t rank, int32_t size)
{
	struct rec r;

	rec_begin(&r, PT_EV_MPI_INIT, ts, 7);
	pt_mpw_int(&r.w, rank);
	pt_mpw_int(&r.w, size);
	pt_mpw_cstr(&r.w, mpi_job);
	pt_mpw_uint(&r.w, 0);
	pt_mpw_cstr(&r.w, "m1");
	/* as Open MPI gives it: the terminating NUL counted */
	pt_mpw_bin(&r.w, "Open MPI v4.1.4, package: Debian OpenMPI\n", 42);
	pt_mpw_uint(&r.w, 0);
	CHECK(rec_put(&r, proc));
	/* MPI_COMM_WORLD: rank i is world rank i */
	rec_begin(&r, PT_EV_MPI_COMM, ts + 1000, 6);
	pt_mpw_uint(&r.w, 0);
	pt_mpw_int(&r.w, size);
	pt_mpw_int(&r.w, rank);
	pt_mpw_uint(&r.w, PT_MPI_COMM_IDENTITY);
	pt_mpw_uint(&r.w, 0);
	pt_mpw_array(&r.w, 0);
	CHECK(rec_put(&r, proc));
}

/* A communicator of the image other than the world: its members as world ranks. */
static void mpi_comm(uint32_t proc, uint64_t ts, uint32_t comm, int32_t rank,
		     const int32_t *members, uint32_t n)
{
	struct rec r;

	rec_begin(&r, PT_EV_MPI_COMM, ts, 6);
	pt_mpw_uint(&r.w, comm);
	pt_mpw_int(&r.w, (int32_t)n);
	pt_mpw_int(&r.w, rank);
	pt_mpw_uint(&r.w, 0);
	pt_mpw_uint(&r.w, 0);
	pt_mpw_array(&r.w, n);
	for (uint32_t i = 0; i < n; i++)
		pt_mpw_int(&r.w, members[i]);
	CHECK(rec_put(&r, proc));
}

/* Cumulative point-to-point traffic with one peer, as of ts (the record's time). */
static void mpi_p2p(uint32_t proc, uint64_t ts, int32_t peer, uint32_t op, uint64_t msgs,
		    uint64_t bytes, uint64_t first)
{
	struct rec r;

	rec_begin(&r, PT_EV_MPI_P2P, ts, 5);
	pt_mpw_int(&r.w, peer);
	pt_mpw_uint(&r.w, op);
	pt_mpw_uint(&r.w, msgs);
	pt_mpw_uint(&r.w, bytes);
	pt_mpw_uint(&r.w, first);
	CHECK(rec_put(&r, proc));
}

static void mpi_coll(uint32_t proc, uint64_t ts, uint32_t comm, uint32_t op, int32_t root,
		     uint64_t calls, uint64_t sent, uint64_t recvd, uint64_t first)
{
	struct rec r;

	rec_begin(&r, PT_EV_MPI_COLL, ts, 7);
	pt_mpw_uint(&r.w, comm);
	pt_mpw_uint(&r.w, op);
	pt_mpw_int(&r.w, root);
	pt_mpw_uint(&r.w, calls);
	pt_mpw_uint(&r.w, sent);
	pt_mpw_uint(&r.w, recvd);
	pt_mpw_uint(&r.w, first);
	CHECK(rec_put(&r, proc));
}

/* An MPI-IO session: open at t, data from t + 100us, close at t + 2 ms. */
static void mpi_file(uint32_t proc, uint64_t t, uint64_t sid, const char *path, uint64_t rb,
		     uint64_t wb)
{
	struct rec r;

	rec_begin(&r, PT_EV_MPI_FOPEN, t, 4);
	pt_mpw_uint(&r.w, sid);
	pt_mpw_cstr(&r.w, path);
	pt_mpw_uint(&r.w, wb ? 5 : 2);
	pt_mpw_uint(&r.w, 0);
	CHECK(rec_put(&r, proc));
	rec_begin(&r, PT_EV_MPI_FCLOSE, t + 2 * MS, 13);
	pt_mpw_uint(&r.w, sid);
	pt_mpw_uint(&r.w, 0);
	pt_mpw_uint(&r.w, rb);
	pt_mpw_uint(&r.w, rb ? 1 : 0);
	pt_mpw_uint(&r.w, wb);
	pt_mpw_uint(&r.w, wb ? 1 : 0);
	pt_mpw_uint(&r.w, rb ? t + 100000 : 0);
	pt_mpw_uint(&r.w, rb ? t + 100000 : 0);
	pt_mpw_uint(&r.w, wb ? t + 100000 : 0);
	pt_mpw_uint(&r.w, wb ? t + 100000 : 0);
	pt_mpw_uint(&r.w, 0);
	pt_mpw_uint(&r.w, 0);
	pt_mpw_uint(&r.w, 0);
	CHECK(rec_put(&r, proc));
}

static void mpi_fini(uint32_t proc, uint64_t ts, uint64_t dropped)
{
	struct rec r;

	rec_begin(&r, PT_EV_MPI_FINI, ts, 1);
	pt_mpw_uint(&r.w, dropped);
	CHECK(rec_put(&r, proc));
}

/* Ranks 0 and 1 on m1, 2 on m2, 3 never traced (world size 4).  Times in ms:
 *   0: reads a.dat (10); sends 4096 bytes to 1 (20); bcast root 0 (30); barrier (35);
 *      allreduce with 2 on their split (45); hears 2 twice (54-56); reads late.dat (60);
 *      writes e.dat (65): not from f.dat, which 1 sent it later (74)
 *   1: receives from 0 (20.5, recorded at 62) and from the untraced 3 (22); bcast,
 *      barrier; writes b.dat (70): from a.dat only — late.dat came after 0's last send
 *      though before 1's receive record, c.dat from a rank that never sent to 1, and 0
 *      heard c.dat's reader only after; reads f.dat (72), sends it to 0 (74)
 *   2: reads c.dat (5); bcast, barrier, allreduce; writes d.dat (50); sends to 0 (54)
 *   1 and 2 write io.dat through MPI-IO (80), 1 aggregating the POSIX write of both
 *   halves; 2 reads it back (90) through MPI-IO and the POSIX read underneath */
static void mpi_run(const char *rundir)
{
	static const char *const argv[] = { "/job/solver", "--in", "/job/in", NULL };
	static const char *const libs[] = { "/lib/x86_64-linux-gnu/libc.so.6",
					    "/lib/x86_64-linux-gnu/libmpi.so.40", NULL };
	static const int32_t even[] = { 0, 2 };
	uint64_t t = T0;
	uint32_t r0, r1, r2;

	run_json(rundir, "m1", T0 - MS, T0 + 200 * MS, "\"mpirun\", \"-np\", \"4\", \"/job/solver\"");

	node_open(rundir, "m1");
	CHECK(pt_store_begin(st));
	r0 = proc_add("m1", 300, 299, t, 0);
	r1 = proc_add("m1", 301, 299, t + 100000, 0);
	CHECK(ev_start(r0, t + 10000, "/job/solver", argv, "/job", NULL, 299, 0));
	CHECK(ev_start(r1, t + 110000, "/job/solver", argv, "/job", NULL, 299, 0));
	CHECK(ev_libs(r0, t + 20000, libs));
	CHECK(ev_libs(r1, t + 120000, libs));
	mpi_init(r0, t + 1 * MS, 0, 4);
	mpi_init(r1, t + 1 * MS + 100000, 1, 4);
	mpi_comm(r0, t + 2 * MS, 1, 0, even, 2);

	file_read(r0, t + 10 * MS, 1, "/job/in/a.dat", 4096);
	mpi_p2p(r0, t + 20 * MS + 100000, 1, PT_MPI_SEND, 1, 4096, t + 20 * MS + 100000);
	mpi_p2p(r1, t + 22 * MS + 500000, 3, PT_MPI_RECV, 1, 8, t + 22 * MS);
	mpi_coll(r0, t + 30 * MS + 500000, 0, PT_MPI_BCAST, 0, 1, 256, 256, t + 30 * MS);
	mpi_coll(r1, t + 31 * MS, 0, PT_MPI_BCAST, 0, 1, 256, 256, t + 30 * MS + 200000);
	mpi_coll(r0, t + 35 * MS + 500000, 0, PT_MPI_BARRIER, -1, 1, 0, 0, t + 35 * MS);
	mpi_coll(r1, t + 35 * MS + 500000, 0, PT_MPI_BARRIER, -1, 1, 0, 0, t + 35 * MS);
	mpi_coll(r0, t + 46 * MS, 1, PT_MPI_ALLREDUCE, -1, 3, 24, 24, t + 45 * MS);
	mpi_p2p(r0, t + 56 * MS, 2, PT_MPI_IRECV, 2, 64, t + 54 * MS + 200000);
	/* 1's receive from 0 recorded late: the record's time bounds the last receipt */
	mpi_p2p(r1, t + 62 * MS, 0, PT_MPI_RECV, 1, 4096, t + 20 * MS + 500000);
	file_read(r0, t + 60 * MS, 2, "/job/in/late.dat", 100);
	file_write(r0, t + 65 * MS, 3, "/job/out/e.dat", 14, 300);
	file_write(r1, t + 70 * MS, 1, "/job/out/b.dat", 14, 4096);
	file_read(r1, t + 72 * MS, 2, "/job/in/f.dat", 16);
	mpi_p2p(r1, t + 74 * MS + 100000, 0, PT_MPI_SEND, 1, 16, t + 74 * MS);
	mpi_p2p(r0, t + 75 * MS, 1, PT_MPI_RECV, 1, 16, t + 74 * MS + 500000);
	mpi_file(r1, t + 80 * MS, 20, "/job/out/io.dat", 0, 500);
	CHECK(ev_open(r1, t + 80 * MS, 21, 9, "/job/out/io.dat", 15, 02, PT_KIND_FILE));
	CHECK(ev_close(r1, t + 82 * MS, 21, 9, 0, 0, 1000, t + 81 * MS));
	mpi_fini(r0, t + 95 * MS, 0);
	mpi_fini(r1, t + 95 * MS, 2);
	CHECK(ev_exit(r0, t + 96 * MS, 0));
	CHECK(ev_exit(r1, t + 96 * MS, 0));
	proc_end(r0, PT_END_EXITED, 0);
	proc_end(r1, PT_END_EXITED, 0);
	CHECK(pt_store_commit(st));
	node_close();

	node_open(rundir, "m2");
	CHECK(pt_store_begin(st));
	r2 = proc_add("m2", 400, 399, t + 200000, 0);
	CHECK(ev_start(r2, t + 210000, "/job/solver", argv, "/job", NULL, 399, 0));
	CHECK(ev_libs(r2, t + 220000, libs));
	mpi_init(r2, t + 1 * MS + 200000, 2, 4);
	mpi_comm(r2, t + 2 * MS, 1, 1, even, 2);
	file_read(r2, t + 5 * MS, 1, "/job/in/c.dat", 1024);
	mpi_coll(r2, t + 31 * MS, 0, PT_MPI_BCAST, 0, 1, 256, 256, t + 30 * MS + 300000);
	mpi_coll(r2, t + 35 * MS + 500000, 0, PT_MPI_BARRIER, -1, 1, 0, 0, t + 35 * MS);
	mpi_coll(r2, t + 46 * MS, 1, PT_MPI_ALLREDUCE, -1, 3, 24, 24, t + 45 * MS);
	file_write(r2, t + 50 * MS, 2, "/job/out/d.dat", 14, 1024);
	mpi_p2p(r2, t + 54 * MS + 500000, 0, PT_MPI_SEND, 2, 64, t + 54 * MS);
	mpi_file(r2, t + 80 * MS, 20, "/job/out/io.dat", 0, 500);
	mpi_file(r2, t + 90 * MS, 22, "/job/out/io.dat", 500, 0);
	file_read(r2, t + 90 * MS, 23, "/job/out/io.dat", 500);
	mpi_fini(r2, t + 95 * MS, 0);
	CHECK(ev_exit(r2, t + 96 * MS, 0));
	proc_end(r2, PT_END_EXITED, 0);
	CHECK(pt_store_commit(st));
	node_close();
}

/* ---- the benchmark run */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* One group: a driver and 8 workers; returns the time after it.  Deterministic from g. */
static const char *bench_host = "bench";   /* the node `group` writes for */

static uint64_t group(uint32_t g, uint64_t t, uint32_t reads, int32_t *pid)
{
	static const char *const argv[] = { "/usr/bin/python3", "train.py", "--epochs", "3", NULL };
	static const char *const env[] = { "SLURM_JOB_ID", "4242", "OMP_NUM_THREADS", "4", NULL };
	static const char *const libs[] = { "/lib/x86_64-linux-gnu/libc.so.6",
					    "/lib/x86_64-linux-gnu/libm.so.6",
					    "/usr/lib/python3/dist-packages/numpy/core/_multiarray_umath.so",
					    NULL };
	char path[256], pipe[64];
	int32_t dpid = (*pid)++;
	uint32_t drv = proc_add(bench_host, dpid, 1, t, 0);
	uint64_t sid = 1;

	CHECK(ev_start(drv, t + 1000, "/usr/bin/python3.11", argv, "/job", env, 1, 0));
	CHECK(ev_libs(drv, t + 2000, libs));
	for (uint32_t i = 0; i < 20; i++) {
		snprintf(path, sizeof path, "/usr/lib/python3.11/m%02u.pyc", rnd(200));
		file_read(drv, t + (3 + i) * 100000, sid++, path, 4000);
	}
	snprintf(pipe, sizeof pipe, "pipe:[%u]", 100000 + g);
	uint64_t psid = sid++;
	CHECK(ev_open(drv, t + 5 * MS, psid, 9, pipe, strlen(pipe), 0, PT_KIND_PIPE));
	uint64_t wsid = sid++;
	CHECK(ev_open(drv, t + 5 * MS, wsid, 10, pipe, strlen(pipe), 1, PT_KIND_PIPE));
	uint64_t tw = t + 6 * MS;
	for (uint32_t k = 0; k < 8; k++) {
		uint64_t ws = t + (6 + k) * MS;
		uint32_t w = proc_add(bench_host, (*pid)++, dpid, ws, t);
		uint64_t ss = 3;
		CHECK(ev_inherit(w, ws + 1000, 1, 10, wsid));
		CHECK(ev_start(w, ws + 2000, "/usr/bin/python3.11", argv, "/job", env, dpid, 1));
		uint64_t u = ws + 3000;
		for (uint32_t i = 0; i < reads; i++, u += 200000) {
			snprintf(path, sizeof path, "/data/shards/shard-%06u.npz", rnd(100000));
			file_read(w, u, ss++, path, 65536 + rnd(65536));
		}
		snprintf(path, sizeof path, "/job/out/g%06u/w%u.npy", g, k);
		file_write(w, u, ss++, path, strlen(path), 100000);
		u += 100000;
		CHECK(ev_close(w, u, 1, 10, 0, 0, 4096, u - 50000));
		CHECK(ev_exit(w, u + 1000, 0));
		proc_end(w, PT_END_EXITED, 0);
		if (u > tw)
			tw = u;
	}
	CHECK(ev_close(drv, tw + MS, psid, 9, 8 * 4096, t + 7 * MS, 0, 0));
	CHECK(ev_close(drv, tw + MS, wsid, 10, 0, 0, 0, 0));
	snprintf(path, sizeof path, "/job/ckpt/g%06u.pt", g);
	char tmp[300];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	file_write(drv, tw + 2 * MS, sid++, tmp, strlen(tmp), 1 << 20);
	CHECK(ev_rename(drv, tw + 3 * MS, tmp, path, 0));
	CHECK(ev_exit(drv, tw + 4 * MS, 0));
	proc_end(drv, PT_END_EXITED, 0);
	return tw + 5 * MS;
}

static uint64_t bench_node(const char *rundir, uint64_t target);

static void bench(const char *rundir, uint64_t target)
{
	uint64_t t = bench_node(rundir, target);

	run_json(rundir, "bench", T0 - MS, t, "\"/usr/bin/python3\", \"train.py\"");
	fprintf(stderr, "mkstore: %llu events\n", (unsigned long long)nevents);
}

/* One job on `k` nodes (node00, node01, ...), target/k events each, as the stores of the
 * job's node collectors: the many-node merge of bench/ (no run.json: the run of a
 * launcher that does not list its nodes). */
static void bench_nodes(const char *rundir, unsigned k, uint64_t target)
{
	char host[16];
	uint64_t total = 0;

	for (unsigned i = 0; i < k; i++) {
		snprintf(host, sizeof host, "node%02u", i);
		bench_host = host;
		nevents = 0;
		bench_node(rundir, target / k);
		total += nevents;
	}
	fprintf(stderr, "mkstore: %llu events on %u nodes\n", (unsigned long long)total, k);
}

/* The synthetic job's groups into node store bench_host until `target` events; returns
 * the end time. */
static uint64_t bench_node(const char *rundir, uint64_t target)
{
	const uint32_t reads = 100;
	uint64_t t = T0;
	int32_t pid = 1000;
	uint32_t g = 0;

	node_open(rundir, bench_host);
	while (nevents < target) {
		/* one group per batch; a full map grows and the batch is replayed */
		uint64_t save_rng = rng, save_n = nevents;
		int32_t save_pid = pid;
		uint64_t next;
		int r;
		for (;;) {
			batch_full = 0;
			CHECK(pt_store_begin(st));
			next = group(g, t, reads, &pid);
			if (batch_full) {
				pt_store_abort(st);
				r = PT_EFULL;
			} else {
				r = pt_store_commit(st);
			}
			if (r != PT_EFULL)
				break;
			rng = save_rng;
			nevents = save_n;
			pid = save_pid;
		}
		if (r)
			die("commit", r);
		t = next;
		g++;
	}
	node_close();
	return t;
}

/* ---- a store as an earlier provtrace indexed it: use entries without the identity their
 * close saw (their first 7 fields); prints how many entries it rewrote */
static void strip_ids(const char *path)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *c;
	MDB_val k, v;
	unsigned long n = 0;
	int r;

	if ((r = mdb_env_create(&env)) || (r = mdb_env_set_maxdbs(env, 64)) ||
	    (r = mdb_env_open(env, path, MDB_NOSUBDIR, 0600)) ||
	    (r = mdb_txn_begin(env, NULL, 0, &txn)) || (r = mdb_dbi_open(txn, "use", 0, &dbi)) ||
	    (r = mdb_cursor_open(txn, dbi, &c)))
		die(path, r);
	for (r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0; r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct pt_mpr rd;
		struct pt_mpw w;
		uint8_t buf[128];
		uint64_t x[7];
		uint32_t count;
		pt_mpr_init(&rd, v.mv_data, v.mv_size);
		if (pt_mpr_array(&rd, &count) || count <= 7)
			continue;
		for (int i = 0; i < 7; i++)
			if (pt_mpr_uint(&rd, &x[i]))
				die("use entry", PT_EWIRE);
		pt_mpw_init(&w, buf, sizeof buf);
		pt_mpw_array(&w, 7);
		for (int i = 0; i < 7; i++)
			pt_mpw_uint(&w, x[i]);
		/* the key points into the page the put rewrites: copied first */
		uint8_t kb[64];
		if (k.mv_size > sizeof kb)
			die("use key", PT_EWIRE);
		memcpy(kb, k.mv_data, k.mv_size);
		MDB_val nk = { k.mv_size, kb }, nv = { (size_t)(w.p - buf), buf };
		if ((r = mdb_cursor_put(c, &nk, &nv, MDB_CURRENT)))
			die("put", r);
		n++;
	}
	if (r != MDB_NOTFOUND)
		die("walk", r);
	mdb_cursor_close(c);
	if ((r = mdb_txn_commit(txn)))
		die("commit", r);
	mdb_env_close(env);
	printf("%lu\n", n);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "strip-ids") == 0) {
		strip_ids(argv[2]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "small") == 0) {
		small(argv[2]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "mpi") == 0) {
		mpi_run(argv[2]);
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "nodes") == 0) {
		bench_nodes(argv[4], (unsigned)strtoul(argv[2], NULL, 10), strtoull(argv[3], NULL, 10));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "bench") == 0) {
		bench(argv[3], strtoull(argv[2], NULL, 10));
		return 0;
	}
	fprintf(stderr, "usage: mkstore small RUNDIR | mkstore mpi RUNDIR | "
			"mkstore bench EVENTS RUNDIR | mkstore nodes K EVENTS RUNDIR | "
			"mkstore strip-ids STORE.mdb\n");
	return 2;
}
