/* ptb-store.c — store-side helpers of `make bench`, on the store API (collector/store.h):
 * a generator of large synthetic provenance stores, and readers for counters and capture.
 *
 * Usage:
 *   ptb-store gen [options] LIVE COPY   build LIVE through pt_store_event() in batches,
 *                                       then write its compacted copy to COPY
 *       -e N   events to reach (default 10000000)      -c H   chain of H hops (10000)
 *       -s S   stages per workflow (12)   -w W  width (4)   -f F  inputs per process (2)
 *       -p P   shared read-only files (64)   -k K  of them read by each process (8)
 *       -b B   events per transaction (10000)   -r SEED
 *       -D     defer indexing, as the collector does: LIVE and COPY hold the log only
 *              and the first reader of COPY indexes it
 *       -q FILE  write query targets (one path a line; -Q of them, default 200)
 *       -t FILE  write the first -G workflows (default 100) as N-Triples (PROV-O subset)
 *       -T FILE  write query targets taken from those -G workflows only
 *   ptb-store counters STORE|RUNDIR     JSON: the store counters and file sizes
 *   ptb-store readers RUNDIR SUBSTR     JSON: per process, the files whose path contains
 *                                       SUBSTR that it read, and the bytes
 *
 * The synthetic store mirrors what the collector stores for a batch of workflows: every
 * process has the records the shim writes (PROC_START, OPEN/CLOSE per file, PROC_EXIT)
 * and those the collector adds (C_PROC, C_PROC_END); each stage reads F outputs of the
 * previous stage plus K of P shared files (an interpreter's library: read by everyone,
 * written by no one), and writes one output.  A separate chain of H processes, each
 * reading the previous link and writing the next, gives the long-lineage case.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector/protocol.h"
#include "collector/store.h"
#include "collector/wire.h"
#include "rdf/runset.h"
#include "rdf/sets.h"

static void fail(const char *what, int err)
{
	fprintf(stderr, "ptb-store: %s: %s\n", what, pt_strerror(err));
	exit(1);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: seeded, so that two runs generate the same store */
static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- the generator */

static struct {
	pt_store *st;
	uint64_t events, in_txn, batch, clock, txns;
	int32_t next_pid;
	FILE *nt;                /* N-Triples of the current workflow, or NULL */
} G = { .next_pid = 1000, .clock = 1700000000000000000ull };

static uint64_t tick(void)
{
	return G.clock += 1000;   /* one event a microsecond */
}

/* The operations of the open batch, kept so that a batch the map could not hold can be
 * replayed once pt_store_abort() has grown the map (the collector replays from the rings;
 * the generator from this log).  Process ids come out the same: the store assigns them
 * from its last key. */
enum { OP_ADD, OP_EVENT, OP_END };

struct op {
	int kind;
	uint32_t proc;
	uint64_t end;
	size_t off, len;          /* the record (OP_EVENT) or the pt_ident (OP_ADD) in arena */
};

static struct {
	struct op *v;
	size_t n, cap;
	uint8_t *arena;
	size_t used, size;
	uint64_t replays;
} B;

static size_t arena_put(const void *p, size_t n)
{
	size_t off = B.used;

	if (B.used + n > B.size) {
		B.size = (B.size + n) * 2;
		if (!(B.arena = realloc(B.arena, B.size)))
			fail("realloc", ENOMEM);
	}
	memcpy(B.arena + B.used, p, n);
	B.used += n;
	return off;
}

static int op_apply(const struct op *o, uint32_t *proc)
{
	switch (o->kind) {
	case OP_ADD:
		return pt_store_proc_add(G.st, (const struct pt_ident *)(B.arena + o->off), proc);
	case OP_EVENT:
		return pt_store_event(G.st, o->proc, B.arena + o->off, (uint32_t)o->len);
	default:
		return pt_store_proc_end(G.st, o->proc, PT_END_EXITED, -1, o->end, 0, 0, 0);
	}
}

/* Abort, grow, begin again and apply the batch's operations once more. */
static void replay(void)
{
	int r;

	for (;;) {
		pt_store_abort(G.st);     /* grows the map after PT_EFULL */
		B.replays++;
		if ((r = pt_store_begin(G.st)))
			fail("begin", r);
		r = 0;
		for (size_t i = 0; i < B.n && !r; i++) {
			uint32_t id;
			r = op_apply(&B.v[i], &id);
			if (!r && B.v[i].kind == OP_ADD && id != B.v[i].proc)
				fail("replay gave another process id", EINVAL);
		}
		if (r == 0)
			return;
		if (r != PT_EFULL)
			fail("replay", r);
	}
}

static uint32_t op_do(int kind, uint32_t proc, uint64_t end, const void *p, size_t len)
{
	struct op o = { kind, proc, end, 0, len };
	uint32_t id = 0;
	int r;

	if (B.n == B.cap) {
		B.cap = B.cap ? B.cap * 2 : 16384;
		if (!(B.v = realloc(B.v, B.cap * sizeof *B.v)))
			fail("realloc", ENOMEM);
	}
	if (p)
		o.off = arena_put(p, len);
	r = op_apply(&o, &id);
	if (r == PT_EFULL) {
		replay();            /* the ops before this one */
		r = op_apply(&o, &id);
	}
	if (r)
		fail(kind == OP_ADD ? "proc_add" : kind == OP_EVENT ? "event" : "proc_end", r);
	if (kind == OP_ADD)
		o.proc = id;
	B.v[B.n++] = o;
	G.events++;
	G.in_txn++;
	return id;
}

static void txn_check(void)
{
	int r;

	if (G.in_txn < G.batch)
		return;
	while ((r = pt_store_commit(G.st)) == PT_EFULL)
		replay();
	if (r)
		fail("commit", r);
	G.txns++;
	G.in_txn = 0;
	B.n = 0;
	B.used = 0;
	if ((r = pt_store_begin(G.st)))
		fail("begin", r);
}

static void event(uint32_t proc, const uint8_t *rec, size_t len)
{
	op_do(OP_EVENT, proc, 0, rec, len);
}

struct gproc {
	uint32_t id;
	int32_t pid;
	uint64_t sid;
};

static void proc_begin(struct gproc *p, int32_t ppid, const char *exe)
{
	struct pt_ident id = { 0 };
	uint8_t buf[512];
	struct pt_mpw w;

	txn_check();
	p->pid = G.next_pid++;
	p->sid = 0;
	id.pid = p->pid;
	id.ppid = ppid;
	id.uid = 1000;
	id.gid = 1000;
	id.start_ns = tick();
	id.verified = 1;
	snprintf(id.host, sizeof id.host, "bench");
	snprintf(id.region, sizeof id.region, "bench.%d.%llu.ptr", p->pid,
		 (unsigned long long)id.start_ns);
	p->id = op_do(OP_ADD, 0, 0, &id, sizeof id);     /* logs its C_PROC record */

	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 13);
	pt_mpw_uint(&w, PT_EV_PROC_START);
	pt_mpw_uint(&w, tick());
	pt_mpw_cstr(&w, exe);
	pt_mpw_array(&w, 2);
	pt_mpw_cstr(&w, exe);
	pt_mpw_cstr(&w, "--stage");
	pt_mpw_cstr(&w, "/bench/work");
	pt_mpw_map(&w, 1);
	pt_mpw_str(&w, "SLURM_JOB_ID", 12);
	pt_mpw_cstr(&w, "4242");
	for (int i = 0; i < 4; i++)
		pt_mpw_uint(&w, 1000);
	pt_mpw_uint(&w, (uint64_t)ppid);
	pt_mpw_uint(&w, PT_START_EXEC);
	pt_mpw_uint(&w, 0);
	event(p->id, buf, (size_t)(w.p - buf));
}

static void proc_end(struct gproc *p)
{
	uint8_t buf[128];
	struct pt_mpw w;
	uint64_t end = tick();

	txn_check();
	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 11);
	pt_mpw_uint(&w, PT_EV_PROC_EXIT);
	pt_mpw_uint(&w, end);
	pt_mpw_uint(&w, PT_EXIT_RETURN);
	pt_mpw_int(&w, 0);
	for (int i = 0; i < 7; i++)
		pt_mpw_uint(&w, 1000 + (uint64_t)i);
	event(p->id, buf, (size_t)(w.p - buf));
	op_do(OP_END, p->id, end, NULL, 0);              /* logs its C_PROC_END record */
}

/* One access session: OPEN then CLOSE with the counters of `bytes` read or written. */
static void access_file(struct gproc *p, const char *path, int write, uint64_t bytes)
{
	uint8_t buf[PT_REC_MAX];
	struct pt_mpw w;
	uint64_t sid = ++p->sid, t_open, t_close;
	uint64_t ops = bytes / 4096 + 1;

	txn_check();
	t_open = tick();
	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 10);
	pt_mpw_uint(&w, PT_EV_OPEN);
	pt_mpw_uint(&w, t_open);
	pt_mpw_uint(&w, sid);
	pt_mpw_uint(&w, 3);
	pt_mpw_cstr(&w, path);
	pt_mpw_uint(&w, write ? (O_WRONLY | O_CREAT | O_TRUNC) : O_RDONLY);
	pt_mpw_uint(&w, write ? 0644 : 0);
	pt_mpw_uint(&w, PT_KIND_FILE);
	pt_mpw_uint(&w, PT_CALL_OPENAT);
	pt_mpw_array(&w, 0);
	event(p->id, buf, (size_t)(w.p - buf));

	t_close = tick();
	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 19);
	pt_mpw_uint(&w, PT_EV_CLOSE);
	pt_mpw_uint(&w, t_close);
	pt_mpw_uint(&w, sid);
	pt_mpw_uint(&w, 3);
	pt_mpw_uint(&w, write ? 0 : bytes);
	pt_mpw_uint(&w, write ? 0 : ops);
	pt_mpw_uint(&w, write ? bytes : 0);
	pt_mpw_uint(&w, write ? ops : 0);
	pt_mpw_uint(&w, write ? 0 : t_open + 100);
	pt_mpw_uint(&w, write ? 0 : t_close - 100);
	pt_mpw_uint(&w, write ? t_open + 100 : 0);
	pt_mpw_uint(&w, write ? t_close - 100 : 0);
	pt_mpw_uint(&w, 0);
	pt_mpw_uint(&w, 0);
	pt_mpw_uint(&w, write ? 2049 : 0);
	pt_mpw_uint(&w, write ? 1000000 + G.events : 0);
	pt_mpw_uint(&w, write ? bytes : 0);
	pt_mpw_uint(&w, write ? t_close : 0);
	pt_mpw_uint(&w, PT_CLOSE_CLOSE);
	event(p->id, buf, (size_t)(w.p - buf));

	if (G.nt) {
		if (write)
			fprintf(G.nt, "<file://%s> <http://www.w3.org/ns/prov#wasGeneratedBy> "
				"<urn:ptb:proc:%d> .\n<file://%s> "
				"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
				"<http://www.w3.org/ns/prov#Entity> .\n",
				path, p->pid, path);
		else
			fprintf(G.nt, "<urn:ptb:proc:%d> <http://www.w3.org/ns/prov#used> <file://%s> .\n",
				p->pid, path);
	}
}

/* The process as a prov:Activity, informed by the one that started it (the driver). */
static void nt_proc(const struct gproc *p, int32_t parent)
{
	if (!G.nt)
		return;
	fprintf(G.nt, "<urn:ptb:proc:%d> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
		"<http://www.w3.org/ns/prov#Activity> .\n", p->pid);
	if (parent)
		fprintf(G.nt, "<urn:ptb:proc:%d> <http://www.w3.org/ns/prov#wasInformedBy> "
			"<urn:ptb:proc:%d> .\n", p->pid, parent);
}

struct gen_opts {
	uint64_t events;
	unsigned chain, stages, width, fanin, pool, per_proc, nq, nt_groups;
	const char *qfile, *ntfile, *qsubfile;
	int defer;
};

static void out_path(char *buf, size_t n, unsigned g, unsigned s, unsigned i)
{
	snprintf(buf, n, "/bench/wf%06u/stage%02u/part-%u.npz", g, s, i);
}

/* One workflow: a driver that reads its configuration and starts S stages of W processes;
 * stage 0 reads raw inputs, stage s > 0 reads F outputs of stage s - 1. */
static void workflow(const struct gen_opts *o, unsigned g)
{
	struct gproc drv, p;
	char path[256];

	proc_begin(&drv, 1, "/usr/bin/bash");
	nt_proc(&drv, 0);
	snprintf(path, sizeof path, "/bench/wf%06u/config.yaml", g);
	access_file(&drv, path, 0, 2048);
	for (unsigned s = 0; s < o->stages; s++) {
		for (unsigned i = 0; i < o->width; i++) {
			proc_begin(&p, drv.pid, "/usr/bin/python3");
			nt_proc(&p, drv.pid);
			for (unsigned k = 0; k < o->per_proc; k++) {
				snprintf(path, sizeof path, "/usr/lib/python3.11/mod%03u.py",
					 (unsigned)(rng() % o->pool));
				access_file(&p, path, 0, 16384);
			}
			for (unsigned f = 0; f < o->fanin; f++) {
				unsigned src = (i + f) % o->width;
				if (s == 0)
					snprintf(path, sizeof path, "/bench/wf%06u/raw/input-%u.bin", g, src);
				else
					out_path(path, sizeof path, g, s - 1, src);
				access_file(&p, path, 0, 1 << 20);
			}
			out_path(path, sizeof path, g, s, i);
			access_file(&p, path, 1, 1 << 20);
			proc_end(&p);
		}
	}
	proc_end(&drv);
}

static void chain(unsigned hops)
{
	struct gproc drv, p;
	char in[128], out[128];

	proc_begin(&drv, 1, "/usr/bin/bash");
	for (unsigned i = 1; i <= hops; i++) {
		proc_begin(&p, drv.pid, "/usr/bin/python3");
		snprintf(in, sizeof in, "/bench/chain/link-%05u.bin", i - 1);
		snprintf(out, sizeof out, "/bench/chain/link-%05u.bin", i);
		access_file(&p, in, 0, 4096);
		access_file(&p, out, 1, 4096);
		proc_end(&p);
	}
	proc_end(&drv);
}

static off_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size : -1;
}

static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static int cmd_gen(int argc, char **argv)
{
	struct gen_opts o = { 10000000, 10000, 12, 4, 2, 64, 8, 200, 100, NULL, NULL, NULL, 0 };
	uint64_t seed = 42, t0, t1, t2, chain_events;
	unsigned groups, per_group;
	int c, r;

	G.batch = 10000;
	while ((c = getopt(argc, argv, "De:c:s:w:f:p:k:b:r:q:Q:t:G:T:")) != -1) {
		switch (c) {
		case 'D': o.defer = 1; break;
		case 'e': o.events = strtoull(optarg, NULL, 10); break;
		case 'c': o.chain = (unsigned)atoi(optarg); break;
		case 's': o.stages = (unsigned)atoi(optarg); break;
		case 'w': o.width = (unsigned)atoi(optarg); break;
		case 'f': o.fanin = (unsigned)atoi(optarg); break;
		case 'p': o.pool = (unsigned)atoi(optarg); break;
		case 'k': o.per_proc = (unsigned)atoi(optarg); break;
		case 'b': G.batch = strtoull(optarg, NULL, 10); break;
		case 'r': seed = strtoull(optarg, NULL, 10); break;
		case 'q': o.qfile = optarg; break;
		case 'Q': o.nq = (unsigned)atoi(optarg); break;
		case 't': o.ntfile = optarg; break;
		case 'G': o.nt_groups = (unsigned)atoi(optarg); break;
		case 'T': o.qsubfile = optarg; break;
		default: return 2;
		}
	}
	if (argc - optind != 2 || !o.stages || !o.width || !o.pool || !G.batch ||
	    o.fanin > o.width) {
		fputs("usage: ptb-store gen [options] LIVE COPY\n", stderr);
		return 2;
	}
	if (o.per_proc > o.pool)
		o.per_proc = o.pool;
	rng_state = seed;
	/* events of one workflow: see workflow(); C_PROC + PROC_START + PROC_EXIT + C_PROC_END
	 * per process, two per file access */
	per_group = 4 + 2 + o.stages * o.width * (4 + 2 * (o.per_proc + o.fanin + 1));
	chain_events = 4 + (uint64_t)o.chain * (4 + 4);
	groups = o.events > chain_events ? (unsigned)((o.events - chain_events + per_group - 1) /
						      per_group) : 1;
	unlink(argv[optind]);
	if ((r = pt_store_open(argv[optind], PT_STORE_CREATE, &G.st)))
		fail(argv[optind], r);
	pt_store_defer_index(G.st, o.defer);
	if ((r = pt_store_begin(G.st)))
		fail("begin", r);
	t0 = mono_ns();
	if (o.ntfile)
		G.nt = open_out(o.ntfile);
	for (unsigned g = 0; g < groups; g++) {
		if (G.nt && g == o.nt_groups) {
			fclose(G.nt);
			G.nt = NULL;
		}
		workflow(&o, g);
	}
	if (G.nt) {
		fclose(G.nt);
		G.nt = NULL;
	}
	if (o.chain)
		chain(o.chain);
	while ((r = pt_store_commit(G.st)) == PT_EFULL)
		replay();
	if (r)
		fail("commit", r);
	G.txns++;
	t1 = mono_ns();

	/* query targets: last-stage outputs of workflows drawn at random */
	char path[256];
	for (int pass = 0; pass < 2; pass++) {
		const char *file = pass ? o.qsubfile : o.qfile;
		unsigned range = pass ? (o.nt_groups < groups ? o.nt_groups : groups) : groups;
		if (!file)
			continue;
		FILE *f = open_out(file);
		for (unsigned i = 0; i < o.nq; i++) {
			out_path(path, sizeof path, (unsigned)(rng() % range), o.stages - 1,
				 (unsigned)(rng() % o.width));
			fprintf(f, "%s\n", path);
		}
		fclose(f);
	}

	unlink(argv[optind + 1]);
	t2 = mono_ns();
	if ((r = pt_store_copy(G.st, argv[optind + 1])))
		fail(argv[optind + 1], r);
	uint64_t t3 = mono_ns();
	struct pt_counters cnt;
	pt_store_counters(G.st, &cnt);
	pt_store_close(G.st);

	printf("{\"events\":%llu,\"store_events\":%llu,\"procs\":%llu,\"workflows\":%u,"
	       "\"chain\":%u,\"txns\":%llu,\"replays\":%llu,\"ingest_s\":%.3f,\"copy_s\":%.3f,"
	       "\"live_bytes\":%lld,\"copy_bytes\":%lld}\n",
	       (unsigned long long)G.events, (unsigned long long)cnt.events,
	       (unsigned long long)cnt.procs, groups, o.chain, (unsigned long long)G.txns, (unsigned long long)B.replays,
	       (double)(t1 - t0) / 1e9, (double)(t3 - t2) / 1e9,
	       (long long)file_size(argv[optind]), (long long)file_size(argv[optind + 1]));
	return 0;
}

/* ---- readers */

/* Bytes of every node store of an open run (or of the one store `path`). */
static long long run_bytes(const struct pt_runset *rs, const char *path)
{
	char file[8300];
	long long bytes = 0;

	for (size_t i = 0; i < rs->n; i++) {
		if (rs->dir[0])
			snprintf(file, sizeof file, "%s/nodes/%s.mdb", rs->dir, rs->name[i]);
		else
			snprintf(file, sizeof file, "%s", path);
		bytes += (long long)file_size(file);
	}
	return bytes;
}

static int cmd_counters(const char *path)
{
	struct pt_runset rs;
	struct pt_counters c, t = { 0 };
	long long log_bytes;
	int r;

	/* the size as the collector left it (log only), then as its first reader indexed it */
	if ((r = pt_runset_open_as(path, PT_STORE_ASIS, &rs)))
		fail(path, r);
	log_bytes = run_bytes(&rs, path);
	pt_runset_close(&rs);
	if ((r = pt_runset_open(path, &rs)))
		fail(path, r);
	for (size_t i = 0; i < rs.n; i++) {
		if ((r = pt_store_counters(rs.st[i], &c)))
			fail("counters", r);
		t.events += c.events;
		t.procs += c.procs;
		t.dropped += c.dropped;
		t.torn += c.torn;
		t.corrupt += c.corrupt;
		t.sessions += c.sessions;
		t.files += c.files;
		t.bytes_read += c.bytes_read;
	}
	printf("{\"events\":%llu,\"procs\":%llu,\"sessions\":%llu,\"files\":%llu,"
	       "\"bytes_read\":%llu,\"dropped\":%llu,\"torn\":%llu,\"corrupt\":%llu,"
	       "\"store_bytes\":%lld,\"log_bytes\":%lld}\n",
	       (unsigned long long)t.events, (unsigned long long)t.procs,
	       (unsigned long long)t.sessions, (unsigned long long)t.files,
	       (unsigned long long)t.bytes_read, (unsigned long long)t.dropped,
	       (unsigned long long)t.torn, (unsigned long long)t.corrupt, run_bytes(&rs, path),
	       log_bytes);
	pt_runset_close(&rs);
	return 0;
}

struct reader {
	uint32_t proc;
	uint64_t bytes, sessions;
	struct pt_strset files;
};

static struct {
	pt_store *st;
	const char *substr;
	struct reader *r;
	size_t n, cap;
	struct pt_strset all;
} R;

static struct reader *reader_of(uint32_t proc)
{
	for (size_t i = 0; i < R.n; i++)
		if (R.r[i].proc == proc)
			return &R.r[i];
	if (R.n == R.cap) {
		R.cap = R.cap ? R.cap * 2 : 64;
		if (!(R.r = realloc(R.r, R.cap * sizeof *R.r)))
			fail("realloc", ENOMEM);
	}
	memset(&R.r[R.n], 0, sizeof R.r[R.n]);
	R.r[R.n].proc = proc;
	return &R.r[R.n++];
}

static int on_use(void *ctx, uint32_t obj, uint32_t proc, uint64_t sid,
		  const struct pt_use_rec *u)
{
	const uint8_t *name;
	size_t len;
	uint32_t kind;
	char copy[4096];

	(void)ctx;
	(void)sid;
	if (!(u->dirs & PT_USE_READ) || pt_store_obj_name(R.st, obj, &name, &len, &kind))
		return 0;
	if (len >= sizeof copy)
		return 0;
	memcpy(copy, name, len);
	copy[len] = 0;
	if (!strstr(copy, R.substr))
		return 0;
	struct reader *r = reader_of(proc);
	r->bytes += u->rbytes;
	r->sessions++;
	pt_strset_add(&r->files, copy, len);
	pt_strset_add(&R.all, copy, len);
	return 0;
}

static int cmd_readers(const char *path, const char *substr)
{
	struct pt_runset rs;
	int r;

	if ((r = pt_runset_open(path, &rs)))
		fail(path, r);
	if (rs.n != 1) {
		fprintf(stderr, "ptb-store: readers: one node store expected, found %zu\n", rs.n);
		return 1;
	}
	R.st = rs.st[0];
	R.substr = substr;
	if ((r = pt_store_each_use(R.st, 0, on_use, NULL)))
		fail("uses", r);
	printf("{\"files\":%zu,\"procs\":[", R.all.n);
	for (size_t i = 0; i < R.n; i++) {
		struct pt_proc_rec p;
		if (pt_store_proc(R.st, R.r[i].proc, &p))
			memset(&p, 0, sizeof p);
		printf("%s{\"proc\":%u,\"pid\":%d,\"parent\":%u,\"files\":%zu,\"sessions\":%llu,"
		       "\"bytes\":%llu}", i ? "," : "", R.r[i].proc, p.pid, p.parent,
		       R.r[i].files.n, (unsigned long long)R.r[i].sessions,
		       (unsigned long long)R.r[i].bytes);
	}
	/* every process of the run, so the caller can tell workers that read nothing */
	printf("],\"all\":[");
	struct pt_proc_rec p;
	int first = 1;
	for (uint32_t id = 1; pt_store_proc(R.st, id, &p) == 0; id++) {
		printf("%s{\"proc\":%u,\"pid\":%d,\"parent\":%u}", first ? "" : ",", id, p.pid,
		       p.parent);
		first = 0;
	}
	printf("]}\n");
	pt_runset_close(&rs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "gen") == 0)
		return cmd_gen(argc - 1, argv + 1);
	if (argc == 3 && strcmp(argv[1], "counters") == 0)
		return cmd_counters(argv[2]);
	if (argc == 4 && strcmp(argv[1], "readers") == 0)
		return cmd_readers(argv[2], argv[3]);
	fputs("usage: ptb-store gen [options] LIVE COPY | counters STORE|RUNDIR |"
	      " readers RUNDIR SUBSTR\n", stderr);
	return 2;
}
