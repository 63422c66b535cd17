/* mpi.c — MPI through the profiling interface: MPI_Name and PMPI_Name wrappers (from
 * mpi.def) that count traffic per peer, collectives per communicator, and MPI-IO per file,
 * and tie spawned jobs to the rank that spawned them.
 *
 * The wrapper bodies that share one shape (forward, then count what succeeded: sends,
 * receives, collectives, MPI-IO reads and writes) are generated from mpi.def by
 * mpi-gen.awk into mpi-bodies.h at build time; this file holds what they count and the
 * bodies marked HAND there, whose semantics need code (requests, matched messages, Init
 * and Finalize, freed handles, spawns, file close).
 *
 * The shim never links libmpi: each wrapper forwards to the next definition of its name,
 * found on first use with dlsym(RTLD_NEXT) (another PMPI tool, or libmpi), else to
 * PMPI_Name in the libmpi the process loaded (mpi4py loads it without RTLD_GLOBAL).  So a
 * program without MPI never loads it, and mpirun, orted or prted, which load the shim
 * too, never call into this file.
 *
 * Both names are wrapped so that the shim sees the calls wherever it sits in a chain of
 * tools: first (the program's MPI_Send reaches it; another tool's wrapper then calls
 * PMPI_Send, which the thread-local ptm_in lets through uncounted), or after another
 * tool (whose wrapper calls PMPI_Send, which reaches the shim).  Calls libmpi makes into
 * its own API while inside a wrapped call pass through the same way.
 *
 * The hot path (a send, a receive, a collective) takes no lock and allocates nothing:
 * a type-size cache per thread, a communicator table read without locks, and counters
 * in tables allocated at MPI_Init.  Counters are cumulative; pt_rec_begin() writes those
 * that changed (MPI_P2P, MPI_COLL) before the image's next record, so the time of each
 * bounds the traffic it covers (see protocol.h).  Threads: counters are updated with
 * atomic instructions only under MPI_THREAD_MULTIPLE; other levels let one thread at a
 * time call MPI, and plain relaxed stores suffice.
 *
 * The handles and the status layout are Open MPI's (<mpi.h> of the build): on another
 * library's ABI the module records nothing and says so with a GAP (PT_GAP_MPI).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include <mpi.h>

#include "shim.h"
#include "sys.h"

/* ---- the next definitions */

enum ptm_index {
#define PT_MPI(name, params, args, how) PTM_##name,
#include "mpi.def"
#undef PT_MPI
	PTM_COUNT
};

#define PT_MPI(name, params, args, how) typedef __typeof__(PMPI_##name) *ptm_fn_##name;
#include "mpi.def"
#undef PT_MPI

static const char *const ptm_names[PTM_COUNT] = {
#define PT_MPI(name, params, args, how) #name,
#include "mpi.def"
#undef PT_MPI
};

/* [0]: what MPI_Name forwards to; [1]: what PMPI_Name forwards to */
static void *ptm_next[2][PTM_COUNT];

/* A call whose next definition does not exist (a library older than <mpi.h>). */
static int ptm_missing(void)
{
	return MPI_ERR_INTERN;
}

static int libmpi_find(struct dl_phdr_info *info, size_t size, void *arg)
{
	const char *n = info->dlpi_name, *b;

	(void)size;
	if (!n || !(b = strrchr(n, '/')))
		return 0;
	if (strncmp(b, "/libmpi.so", 10) == 0) {
		*(const char **)arg = n;
		return 1;
	}
	return 0;
}

/* The libmpi this process loaded, also when it is not in the global scope. */
static void *libmpi(void)
{
	static void *h;
	const char *name = NULL;

	if (h)
		return h;
	dl_iterate_phdr(libmpi_find, &name);
	if (name)
		h = dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
	return h;
}

static void *ptm_sym(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name), *h;

	if (!f && (h = libmpi()))
		f = dlsym(h, name);
	return f;
}

static void *ptm_resolve(unsigned idx, int lvl)
{
	char name[80];
	void *f;
	int e = errno;

	snprintf(name, sizeof name, "PMPI_%s", ptm_names[idx]);
	f = dlsym(RTLD_NEXT, lvl ? name : name + 1);
	if (!f)
		f = ptm_sym(name);
	if (!f) {
		pt_debug("%s: no definition to forward to", name + !lvl);
		f = (void *)ptm_missing;
	}
	__atomic_store_n(&ptm_next[lvl][idx], f, __ATOMIC_RELEASE);
	errno = e;
	return f;
}

#define NEXT(name, lvl)                                                                    \
	((ptm_fn_##name)(pt_likely(__atomic_load_n(&ptm_next[lvl][PTM_##name],              \
						   __ATOMIC_ACQUIRE) != NULL)                 \
				 ? ptm_next[lvl][PTM_##name]                                \
				 : ptm_resolve(PTM_##name, lvl)))

/* ---- state */

/* the counters live in the image's MPI file (collector/region.h), which outlives it */
#define ptm_agg pt_mpi_agg
#define ptm_cagg pt_mpi_cagg
#define PTM_ROOTS PT_MPI_ROOTS
#define PTM_NCOMM PT_MPI_NCOMM
#define PTM_NH 8192u              /* outstanding requests and matched messages */
#define PTM_NFILE 256u            /* open MPI-IO files */
#define PTM_TOMB ((uintptr_t)1)   /* a freed slot of an open-addressed table */
#define PTM_CHUNK 8192u           /* ranks per MPI_COMM record */

struct ptm_comm {
	_Atomic uintptr_t handle;   /* the MPI_Comm; 0 never used, PTM_TOMB freed */
	struct pt_mpi_side_comm *side;   /* its counters, in the MPI file: fixed per slot */
	uint32_t id;                /* MPI_COMM.comm */
	int32_t size, rank, rsize;
	uint32_t flags;             /* PT_MPI_COMM_* */
	_Atomic uint32_t dirty;     /* a collective since the last flush */
	int32_t *ranks, *rranks;    /* world ranks of the local and remote group; NULL: i */
	size_t ranks_map, rranks_map;
};

enum { H_IRECV = 1, H_PRECV = 2, H_PSEND = 3, H_MSG = 4 };

struct ptm_h {                    /* an outstanding request or matched message */
	_Atomic uintptr_t key;
	uint32_t kind, op;
	int32_t peer;               /* H_PSEND: the world rank it sends to */
	uint32_t pad;
	uint64_t bytes;             /* H_PSEND */
	struct ptm_comm *c;
};

struct ptm_file {
	_Atomic uintptr_t key;      /* the MPI_File */
	uint64_t sid;
	uint64_t rbytes, rops, wbytes, wops, rfirst, rlast, wfirst, wlast, views;
};

static struct {
	int on;                     /* recording: after MPI_Init, before MPI_Finalize */
	int mt;                     /* MPI_THREAD_MULTIPLE */
	int started;
	MPI_Comm world;
	int32_t rank, size;
	struct ptm_agg *p2p;        /* [op - 1][peer] */
	_Atomic uint32_t *touched;  /* p2p index + 1, in order of first use */
	_Atomic uint32_t ntouched;
	struct ptm_comm *comms;     /* open addressing on the handle */
	struct ptm_comm *cworld;
	uint32_t next_comm;
	struct ptm_h *h;
	_Atomic int32_t nh;
	struct ptm_file *files;
	_Atomic uint64_t dropped;
	uint64_t foreign, foreign_bytes;   /* messages with ranks of another job */
	_Atomic uint32_t tgen;      /* bumped by MPI_Type_free: cached sizes are stale */
	atomic_flag flushing, reg;
	_Atomic uint64_t last_flush;
	MPI_Group wgroup;

	/* libmpi's own, for the module's questions */
	int (*comm_rank)(MPI_Comm, int *);
	int (*comm_size)(MPI_Comm, int *);
	int (*comm_test_inter)(MPI_Comm, int *);
	int (*comm_remote_size)(MPI_Comm, int *);
	int (*comm_group)(MPI_Comm, MPI_Group *);
	int (*comm_remote_group)(MPI_Comm, MPI_Group *);
	int (*group_translate)(MPI_Group, int, const int[], MPI_Group, int[]);
	int (*group_free)(MPI_Group *);
	int (*type_size)(MPI_Datatype, int *);
	int (*processor)(char *, int *);
	int (*library)(char *, int *);
	int (*query_thread)(int *);
	int (*create_keyval)(MPI_Comm_copy_attr_function *, MPI_Comm_delete_attr_function *,
			     int *, void *);
	int (*set_attr)(MPI_Comm, int, void *);
	int keyval;                 /* the module's attribute: its delete callback retires */

	/* dynamic processes (NULL: not linked, and the children are told nothing) */
	int (*get_parent)(MPI_Comm *);
	int (*info_create)(MPI_Info *);
	int (*info_dup)(MPI_Info, MPI_Info *);
	int (*info_get)(MPI_Info, const char *, int, char *, int *);
	int (*info_get_valuelen)(MPI_Info, const char *, int *, int *);
	int (*info_set)(MPI_Info, const char *, const char *);
	int (*info_free)(MPI_Info *);
	MPI_Comm comm_null;
	MPI_Info info_null;
	_Atomic uint32_t spawns;    /* MPI_SPAWN.spawn of the latest */
	char job[256];              /* MPI_INIT.job, which the children of a spawn are told */
} ptm = { .flushing = ATOMIC_FLAG_INIT, .reg = ATOMIC_FLAG_INIT, .keyval = MPI_KEYVAL_INVALID };

/* Inside a wrapped call: calls that reach the wrappers now are the library's own or
 * another tool's forwarding, and are not counted again. */
static PT_TLS_IE uint8_t ptm_in;

/* ---- counters */

static inline uint64_t ld(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Add v; returns the new value. */
static inline uint64_t add(uint64_t *p, uint64_t v)
{
	uint64_t n;

	if (pt_unlikely(ptm.mt))
		return __atomic_add_fetch(p, v, __ATOMIC_RELAXED);
	n = __atomic_load_n(p, __ATOMIC_RELAXED) + v;
	__atomic_store_n(p, n, __ATOMIC_RELAXED);
	return n;
}

static inline void mark_pending(void)
{
	if (!__atomic_load_n(&pt_mpi_pending, __ATOMIC_RELAXED))
		__atomic_store_n(&pt_mpi_pending, 1, __ATOMIC_RELAXED);
}

static void ptm_flush(void);

/* Every 4096 messages of a key: a flush when none happened for a second, so that a
 * job killed while it only communicates still leaves recent counts behind. */
static void ptm_tick(void)
{
	uint64_t last = atomic_load_explicit(&ptm.last_flush, memory_order_relaxed);

	if (pt_now() > last + 1000000000ull)
		ptm_flush();
}

static inline uint64_t trace_t0(void)
{
	return pt_unlikely(pt.trace) ? pt_now() : 0;
}

/* Around a forwarded call: the clock for trace mode, and the guard. */
static inline uint64_t enter(void)
{
	uint64_t t0 = trace_t0();

	ptm_in = 1;
	return t0;
}

static inline int leave(int r)
{
	ptm_in = 0;
	return r == MPI_SUCCESS;
}

static void drop(void)
{
	atomic_fetch_add_explicit(&ptm.dropped, 1, memory_order_relaxed);
}

/* ---- datatype sizes: a small cache per thread, invalidated by MPI_Type_free */

struct ptm_tcache {
	const void *h[16];
	uint64_t sz[16];
	uint32_t gen;
};

static PT_TLS_IE struct ptm_tcache ptm_tc;

static uint64_t tsize_slow(MPI_Datatype dt, unsigned i)
{
	uint32_t gen = atomic_load_explicit(&ptm.tgen, memory_order_relaxed);
	uint8_t in = ptm_in;
	int s = 0, e = errno;

	if (ptm_tc.gen != gen) {
		memset(ptm_tc.h, 0, sizeof ptm_tc.h);
		ptm_tc.gen = gen;
	}
	ptm_in = 1;
	if (ptm.type_size(dt, &s) != MPI_SUCCESS || s < 0)
		s = 0;
	ptm_in = in;
	errno = e;
	ptm_tc.h[i] = (const void *)dt;
	ptm_tc.sz[i] = (uint64_t)s;
	return (uint64_t)s;
}

static inline uint64_t tsize(MPI_Datatype dt)
{
	unsigned i = (unsigned)(((uintptr_t)dt * 0x9e3779b97f4a7c15ull) >> 60);

	if (pt_likely(ptm_tc.h[i] == (const void *)dt &&
		      ptm_tc.gen == atomic_load_explicit(&ptm.tgen, memory_order_relaxed)))
		return ptm_tc.sz[i];
	return tsize_slow(dt, i);
}

/* Bytes of count elements; a count of 0 never looks at the type (it may be invalid). */
static inline uint64_t nbytes(int count, MPI_Datatype dt)
{
	return count > 0 ? (uint64_t)count * tsize(dt) : 0;
}

static uint64_t sum_counts(const int *counts, int n, MPI_Datatype dt)
{
	uint64_t s = 0;

	if (!counts)
		return 0;
	for (int i = 0; i < n; i++)
		if (counts[i] > 0)
			s += (uint64_t)counts[i];
	return s ? s * tsize(dt) : 0;
}

static uint64_t sum_counts_w(const int *counts, const MPI_Datatype *dts, int n)
{
	uint64_t s = 0;

	if (!counts || !dts)
		return 0;
	for (int i = 0; i < n; i++)
		s += nbytes(counts[i], dts[i]);
	return s;
}

static inline uint64_t status_bytes(const MPI_Status *st)
{
#if defined(OPEN_MPI)
	return (uint64_t)st->_ucount;
#else
#error "provtrace: the MPI module reads Open MPI's status; add this library's"
#endif
}

static inline int status_cancelled(const MPI_Status *st)
{
#if defined(OPEN_MPI)
	return st->_cancelled;
#endif
}

/* ---- memory outside the program's allocator: raw anonymous maps */

static void *map(size_t n)
{
	void *p = pt_sys_mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return pt_sys_failed((long)p) ? NULL : p;
}

/* The counters' file beside the image's region (collector/region.h), which the collector
 * reads when the image is gone; without a spool (no collector), private memory.  Sets
 * ptm.p2p; returns the communicators' counters, or NULL. */
static struct pt_mpi_side_comm *side_open(uint32_t size)
{
	struct pt_mpi_side g = { 0 };
	uint64_t len = pt_mpi_side_geometry(&g, size);
	char name[PATH_MAX];
	char *base = NULL;
	int fd = -1;

	if (pt.spool[0] && pt.hdr &&
	    snprintf(name, sizeof name, "%s/%s.%d.%llu" PT_MPI_SIDE_SUFFIX, pt.spool, pt.host,
		     (int)pt.pid, (unsigned long long)pt.start_ns) < (int)sizeof name &&
	    (fd = pt_sys_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) >= 0) {
		if (pt_sys2(SYS_ftruncate, fd, len) == 0) {
			base = pt_sys_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (pt_sys_failed((long)base))
				base = NULL;
		}
		pt_sys_close(fd);
		if (!base)
			pt_sys1(SYS_unlink, name);
	}
	if (!base && !(base = map(len)))
		return NULL;
	memcpy(base + sizeof g.magic, (char *)&g + sizeof g.magic, sizeof g - sizeof g.magic);
	atomic_store_explicit(&((struct pt_mpi_side *)(void *)base)->magic, PT_MPI_SIDE_MAGIC,
			      memory_order_release);
	ptm.p2p = (struct ptm_agg *)(void *)(base + g.p2p_off);
	return (struct pt_mpi_side_comm *)(void *)(base + g.comm_off);
}

/* Per-thread scratch for the completion calls on many requests. */
static PT_TLS_IE struct { void *p; size_t cap; } ptm_scratch[2];

static void *scratch(int which, size_t n)
{
	if (n > ptm_scratch[which].cap) {
		size_t cap = pt_align_page(n < 65536 ? 65536 : n);
		void *p = map(cap);
		if (!p)
			return NULL;
		if (ptm_scratch[which].p)
			pt_sys_munmap(ptm_scratch[which].p, ptm_scratch[which].cap);
		ptm_scratch[which].p = p;
		ptm_scratch[which].cap = cap;
	}
	return ptm_scratch[which].p;
}

/* ---- records */

static void rec_comm(const struct ptm_comm *c)
{
	struct pt_rec r;

	for (int remote = 0; remote < 2; remote++) {
		const int32_t *m = remote ? c->rranks : c->ranks;
		int32_t n = remote ? c->rsize : c->size;
		uint32_t flags = c->flags | (remote ? PT_MPI_COMM_REMOTE : 0);

		if (remote && !(c->flags & PT_MPI_COMM_INTER))
			break;
		if (!m)
			flags |= PT_MPI_COMM_IDENTITY;
		for (int32_t off = 0; off == 0 || off < n; off += PTM_CHUNK) {
			uint32_t k = !m ? 0 : (uint32_t)(n - off < (int32_t)PTM_CHUNK ? n - off : (int32_t)PTM_CHUNK);
			if (pt_rec_begin(&r, PT_EV_MPI_COMM, 6, 64 + 5 * (size_t)k) < 0)
				break;
			pt_mpw_uint(&r.w, c->id);
			pt_mpw_uint(&r.w, (uint64_t)n);
			pt_mpw_int(&r.w, remote ? -1 : c->rank);
			pt_mpw_uint(&r.w, flags);
			pt_mpw_uint(&r.w, (uint64_t)off);
			pt_mpw_array(&r.w, k);
			for (uint32_t i = 0; i < k; i++)
				pt_mpw_int(&r.w, m[off + (int32_t)i]);
			pt_rec_end(&r);
			if (!m)
				break;
		}
	}
}

static void trace_msg(int op, const struct ptm_comm *c, int32_t peer, uint64_t bytes, int tag,
		      uint64_t t0)
{
	struct pt_rec r;
	int e = errno;

	if (pt_rec_begin(&r, PT_EV_MPI_MSG, 6, 64) == 0) {
		pt_mpw_uint(&r.w, (uint64_t)op);
		pt_mpw_int(&r.w, peer);
		pt_mpw_uint(&r.w, bytes);
		pt_mpw_int(&r.w, tag);
		pt_mpw_uint(&r.w, c->id);
		pt_mpw_uint(&r.w, r.ts > t0 ? r.ts - t0 : 0);
		pt_rec_end(&r);
	}
	errno = e;
}

static void trace_call(int op, const struct ptm_comm *c, int32_t root, uint64_t sent,
		       uint64_t recvd, uint64_t t0)
{
	struct pt_rec r;
	int e = errno;

	if (pt_rec_begin(&r, PT_EV_MPI_CALL, 6, 64) == 0) {
		pt_mpw_uint(&r.w, (uint64_t)op);
		pt_mpw_uint(&r.w, c->id);
		pt_mpw_int(&r.w, root);
		pt_mpw_uint(&r.w, sent);
		pt_mpw_uint(&r.w, recvd);
		pt_mpw_uint(&r.w, r.ts > t0 ? r.ts - t0 : 0);
		pt_rec_end(&r);
	}
	errno = e;
}

/* Write the counters that changed since the last flush.  One flusher at a time; another
 * thread arriving meanwhile leaves the work to it (the flag stays set). */
static void flush_p2p(void)
{
	uint32_t n = atomic_load_explicit(&ptm.ntouched, memory_order_acquire);
	struct pt_rec r;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t idx = atomic_load_explicit(&ptm.touched[i], memory_order_acquire);
		struct ptm_agg *a;
		uint64_t cnt;

		if (!idx--)
			continue;     /* its first message is being counted right now */
		a = &ptm.p2p[idx];
		cnt = ld(&a->n);
		if (cnt == a->flushed)
			continue;
		if (pt_rec_begin(&r, PT_EV_MPI_P2P, 5, 64) < 0) {
			mark_pending();
			return;
		}
		pt_mpw_int(&r.w, (int32_t)(idx % (uint32_t)ptm.size));
		pt_mpw_uint(&r.w, idx / (uint32_t)ptm.size + 1);
		pt_mpw_uint(&r.w, cnt);
		pt_mpw_uint(&r.w, ld(&a->bytes));
		pt_mpw_uint(&r.w, ld(&a->first));
		pt_rec_end(&r);
		a->flushed = cnt;
	}
}

static void flush_comm(struct ptm_comm *c, int all)
{
	struct pt_rec r;

	if (!atomic_exchange_explicit(&c->dirty, 0, memory_order_acquire) && !all)
		return;
	for (unsigned op = 1; op < PT_MPI_COLL_OPS; op++) {
		for (unsigned s = 0; s < PTM_ROOTS; s++) {
			struct ptm_cagg *a = &c->side->agg[op][s];
			uint64_t calls = ld(&a->calls);
			uint32_t rootp1;

			if (calls == a->flushed)
				continue;
			if (pt_rec_begin(&r, PT_EV_MPI_COLL, 7, 80) < 0) {
				atomic_store_explicit(&c->dirty, 1, memory_order_relaxed);
				mark_pending();
				return;
			}
			rootp1 = __atomic_load_n(&a->rootp1, __ATOMIC_RELAXED);
			pt_mpw_uint(&r.w, c->id);
			pt_mpw_uint(&r.w, op);
			pt_mpw_int(&r.w, s < PTM_ROOTS - 1 && rootp1 ? (int64_t)rootp1 - 1 : -1);
			pt_mpw_uint(&r.w, calls);
			pt_mpw_uint(&r.w, ld(&a->sent));
			pt_mpw_uint(&r.w, ld(&a->recvd));
			pt_mpw_uint(&r.w, ld(&a->first));
			pt_rec_end(&r);
			a->flushed = calls;
		}
	}
}

static void flush_all(int all)
{
	int e = errno;

	if (atomic_flag_test_and_set_explicit(&ptm.flushing, memory_order_acquire))
		return;
	__atomic_store_n(&pt_mpi_pending, 0, __ATOMIC_RELAXED);
	if (ptm.started && pt.enabled && !pt_vforked) {
		flush_p2p();
		for (unsigned i = 0; i < PTM_NCOMM; i++)
			if (atomic_load_explicit(&ptm.comms[i].handle, memory_order_acquire) > PTM_TOMB)
				flush_comm(&ptm.comms[i], all);
		atomic_store_explicit(&ptm.last_flush, pt_now(), memory_order_relaxed);
	}
	atomic_flag_clear_explicit(&ptm.flushing, memory_order_release);
	errno = e;
}

static void ptm_flush(void)
{
	flush_all(0);
}

/* ---- communicators: world ranks of each group, learnt at first use */

static inline unsigned hash_ptr(uintptr_t k, unsigned mask)
{
	return (unsigned)((k * 0x9e3779b97f4a7c15ull) >> 40) & mask;
}

static struct ptm_comm *comm_find(MPI_Comm comm)
{
	uintptr_t k = (uintptr_t)comm;
	unsigned i = hash_ptr(k, PTM_NCOMM - 1);

	for (unsigned n = 0; n < PTM_NCOMM; n++, i = (i + 1) & (PTM_NCOMM - 1)) {
		uintptr_t h = atomic_load_explicit(&ptm.comms[i].handle, memory_order_acquire);
		if (h == k)
			return &ptm.comms[i];
		if (h == 0)
			break;
	}
	return NULL;
}

/* The group's members as world ranks; NULL (with *map 0) when rank i is world rank i. */
static int32_t *translate(MPI_Group g, int32_t n, size_t *mapped)
{
	int32_t *seq, *out;
	size_t len = pt_align_page((size_t)n * 8);
	int identity = 1;

	*mapped = 0;
	if (n <= 0 || !(seq = map(len)))
		return NULL;
	out = seq + n;
	for (int32_t i = 0; i < n; i++)
		seq[i] = i;
	if (ptm.group_translate(g, n, seq, ptm.wgroup, out) != MPI_SUCCESS) {
		pt_sys_munmap(seq, len);
		return NULL;
	}
	for (int32_t i = 0; i < n; i++) {
		if (out[i] < 0 || out[i] >= ptm.size)
			out[i] = -1;    /* not of this world (a spawned job) */
		if (out[i] != i)
			identity = 0;
	}
	if (identity) {
		pt_sys_munmap(seq, len);
		return NULL;
	}
	*mapped = len;
	return out;
}

static void comm_fill(struct ptm_comm *c, MPI_Comm comm)
{
	MPI_Group g;
	int inter = 0, n = 0, rank = -1;

	ptm.comm_test_inter(comm, &inter);
	ptm.comm_size(comm, &n);
	ptm.comm_rank(comm, &rank);
	c->size = n;
	c->rank = rank;
	c->flags = inter ? PT_MPI_COMM_INTER : 0;
	if (ptm.comm_group(comm, &g) == MPI_SUCCESS) {
		c->ranks = translate(g, n, &c->ranks_map);
		ptm.group_free(&g);
	}
	if (inter && ptm.comm_remote_size(comm, &c->rsize) == MPI_SUCCESS &&
	    ptm.comm_remote_group(comm, &g) == MPI_SUCCESS) {
		c->rranks = translate(g, c->rsize, &c->rranks_map);
		ptm.group_free(&g);
	}
}

/* The first use of a communicator the module has not seen: learn its groups.  A bounded
 * try on the module's own flag (never the program's), so that two threads do not add it
 * twice; one that cannot get it gives up and the call goes uncounted (and counted). */
static struct ptm_comm *comm_slow(MPI_Comm comm)
{
	uintptr_t k = (uintptr_t)comm;
	struct ptm_comm *c = NULL;
	unsigned i = hash_ptr(k, PTM_NCOMM - 1);
	uint8_t in = ptm_in;
	int e = errno;

	for (unsigned spin = 0; atomic_flag_test_and_set_explicit(&ptm.reg, memory_order_acquire); spin++) {
		if (spin > 1u << 16) {
			drop();
			return NULL;
		}
		pt_cpu_relax();
	}
	if ((c = comm_find(comm)))
		goto out;
	for (unsigned n = 0; n < PTM_NCOMM; n++, i = (i + 1) & (PTM_NCOMM - 1)) {
		uintptr_t h = atomic_load_explicit(&ptm.comms[i].handle, memory_order_relaxed);
		if (h == 0 || h == PTM_TOMB) {
			c = &ptm.comms[i];
			break;
		}
	}
	if (!c) {
		drop();
		goto out;
	}
	ptm_in = 1;
	c->id = ptm.next_comm++;
	atomic_store_explicit(&c->side->id1, c->id + 1, memory_order_release);
	comm_fill(c, comm);
	/* however the communicator goes away (a free nested in another one's delete
	 * callback, MPI_Finalize's, a disconnect), the attribute's callback retires it */
	if (ptm.keyval != MPI_KEYVAL_INVALID)
		ptm.set_attr(comm, ptm.keyval, NULL);
	ptm_in = in;
	atomic_store_explicit(&c->handle, k, memory_order_release);
	rec_comm(c);
out:
	atomic_flag_clear_explicit(&ptm.reg, memory_order_release);
	errno = e;
	return c;
}

static inline struct ptm_comm *comm_get(MPI_Comm comm)
{
	struct ptm_comm *c;

	if (pt_likely(comm == ptm.world))
		return ptm.cworld;
	c = comm_find(comm);
	return pt_likely(c != NULL) ? c : comm_slow(comm);
}

/* A retired communicator's counters, written already: the slot starts again at zero (only
 * the entries used are touched, so that the file's pages stay unallocated). */
static void side_clear(struct pt_mpi_side_comm *sc)
{
	atomic_store_explicit(&sc->id1, 0, memory_order_release);
	for (unsigned op = 1; op < PT_MPI_COLL_OPS; op++)
		for (unsigned s = 0; s < PTM_ROOTS; s++)
			if (sc->agg[op][s].calls || sc->agg[op][s].rootp1)
				memset(&sc->agg[op][s], 0, sizeof sc->agg[op][s]);
}

/* A communicator was freed: its counters are written, and its slot may serve another
 * (Open MPI reuses the memory of a freed communicator for the next one). */
static void comm_retire(uintptr_t k)
{
	struct ptm_comm *c = comm_find((MPI_Comm)k);

	int locked = 0;

	if (!c || c == ptm.cworld)
		return;
	for (unsigned spin = 0; spin < 1u << 20 && !(locked = !atomic_flag_test_and_set_explicit(
							 &ptm.reg, memory_order_acquire)); spin++)
		pt_cpu_relax();
	flush_all(1);
	if (c->ranks_map)
		pt_sys_munmap(c->ranks - c->size, c->ranks_map);
	if (c->rranks_map)
		pt_sys_munmap(c->rranks - c->rsize, c->rranks_map);
	atomic_store_explicit(&c->handle, PTM_TOMB, memory_order_release);
	side_clear(c->side);
	memset(&c->id, 0, sizeof *c - offsetof(struct ptm_comm, id));
	if (locked)
		atomic_flag_clear_explicit(&ptm.reg, memory_order_release);
}

/* The module's attribute on a communicator it follows: never copied to a duplicate (a
 * duplicate is a communicator of its own, learnt at its first use), and its deletion is
 * the communicator's end, whoever frees it and however deep in other MPI calls. */
static int comm_nocopy(MPI_Comm comm, int keyval, void *extra, void *in, void *out, int *flag)
{
	(void)comm, (void)keyval, (void)extra, (void)in, (void)out;
	*flag = 0;
	return MPI_SUCCESS;
}

static int comm_deleted(MPI_Comm comm, int keyval, void *attr, void *extra)
{
	(void)keyval, (void)attr, (void)extra;
	comm_retire((uintptr_t)comm);
	return MPI_SUCCESS;
}

/* Rank r of the group (the remote one of an intercommunicator) as a world rank, or -1. */
static inline int32_t to_world(const struct ptm_comm *c, int r, int remote)
{
	const int32_t *m = remote ? c->rranks : c->ranks;
	int32_t n = remote ? c->rsize : c->size;

	if ((unsigned)r >= (unsigned)n)
		return -1;
	return m ? m[r] : r;
}

/* ---- point to point */

static void agg_first(struct ptm_agg *a, uint32_t idx)
{
	uint64_t zero = 0;

	if (__atomic_compare_exchange_n(&a->first, &zero, pt_now(), 0, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED)) {
		uint32_t i = atomic_fetch_add_explicit(&ptm.ntouched, 1, memory_order_relaxed);
		atomic_store_explicit(&ptm.touched[i], idx + 1, memory_order_release);
	}
}

static inline void p2p_count(int op, const struct ptm_comm *c, int r, uint64_t bytes,
			     int tag, uint64_t t0)
{
	int32_t peer = to_world(c, r, c->flags & PT_MPI_COMM_INTER);
	struct ptm_agg *a;
	uint32_t idx;

	if (pt_unlikely(peer < 0)) {
		/* a process of another job: no world rank to name it by; counted */
		add(&ptm.foreign, 1);
		add(&ptm.foreign_bytes, bytes);
		return;
	}
	idx = (uint32_t)(op - 1) * (uint32_t)ptm.size + (uint32_t)peer;
	a = &ptm.p2p[idx];
	add(&a->bytes, bytes);
	if (pt_unlikely((add(&a->n, 1) & 0xfff) == 0))
		ptm_tick();
	if (pt_unlikely(ld(&a->first) == 0))
		agg_first(a, idx);
	mark_pending();
	if (pt_unlikely(t0))
		trace_msg(op, c, peer, bytes, tag, t0);
}

static inline void sent(int op, MPI_Comm comm, int dest, uint64_t bytes, int tag, uint64_t t0)
{
	struct ptm_comm *c;

	if (dest < 0 || !(c = comm_get(comm)))
		return;
	p2p_count(op, c, dest, bytes, tag, t0);
}

static inline void received(int op, const struct ptm_comm *c, const MPI_Status *st, uint64_t t0)
{
	if (!c || st->MPI_SOURCE < 0 || status_cancelled(st))
		return;
	p2p_count(op, c, st->MPI_SOURCE, status_bytes(st), st->MPI_TAG, t0);
}

/* ---- requests and matched messages: what a completion must still count */

static inline int32_t h_live(void)
{
	return atomic_load_explicit(&ptm.nh, memory_order_relaxed);
}

static struct ptm_h *h_find(uintptr_t key)
{
	unsigned i = hash_ptr(key, PTM_NH - 1);

	if (!key || key == PTM_TOMB)
		return NULL;
	for (unsigned n = 0; n < 64; n++, i = (i + 1) & (PTM_NH - 1)) {
		uintptr_t k = atomic_load_explicit(&ptm.h[i].key, memory_order_acquire);
		if (k == key)
			return &ptm.h[i];
		if (k == 0)
			break;
	}
	return NULL;
}

/* The live count: locked instructions only when threads call MPI at the same time. */
static inline void h_count(int32_t d)
{
	if (pt_unlikely(ptm.mt))
		atomic_fetch_add_explicit(&ptm.nh, d, memory_order_relaxed);
	else
		atomic_store_explicit(&ptm.nh, atomic_load_explicit(&ptm.nh, memory_order_relaxed) + d,
				      memory_order_relaxed);
}

static void h_del(struct ptm_h *q)
{
	atomic_store_explicit(&q->key, PTM_TOMB, memory_order_release);
	h_count(-1);
}

static void h_add(uintptr_t key, uint32_t kind, uint32_t op, struct ptm_comm *c, int32_t peer,
		  uint64_t bytes)
{
	unsigned i = hash_ptr(key, PTM_NH - 1);
	struct ptm_h *q;

	if (!key || key == PTM_TOMB || !c)
		return;
	if ((q = h_find(key)))        /* a stale entry: its completion went unseen */
		h_del(q);
	for (unsigned n = 0; n < 64; n++, i = (i + 1) & (PTM_NH - 1)) {
		uintptr_t k = atomic_load_explicit(&ptm.h[i].key, memory_order_relaxed);
		if ((k == 0 || k == PTM_TOMB) &&
		    (!ptm.mt || atomic_compare_exchange_strong(&ptm.h[i].key, &k, PTM_TOMB))) {
			q = &ptm.h[i];
			q->kind = kind;
			q->op = op;
			q->c = c;
			q->peer = peer;
			q->bytes = bytes;
			h_count(1);
			atomic_store_explicit(&q->key, key, memory_order_release);
			return;
		}
	}
	drop();
}

/* A request completed (its handle before the call was key). */
static void completed(uintptr_t key, const MPI_Status *st, uint64_t t0)
{
	struct ptm_h *q = h_find(key);

	if (!q)
		return;
	switch (q->kind) {
	case H_IRECV:
		received((int)q->op, q->c, st, t0);
		h_del(q);
		break;
	case H_PRECV:
		received((int)q->op, q->c, st, t0);   /* stays: persistent */
		break;
	default:
		break;
	}
}

/* ---- collectives */

static struct ptm_cagg *coll_slot(struct ptm_comm *c, int op, int root)
{
	uint32_t want;

	if (root < 0)
		return &c->side->agg[op][0];
	want = (uint32_t)to_world(c, root, 0) + 1;
	for (unsigned s = 0; s < PTM_ROOTS - 1; s++) {
		uint32_t v = __atomic_load_n(&c->side->agg[op][s].rootp1, __ATOMIC_RELAXED);
		if (v == want)
			return &c->side->agg[op][s];
		if (v == 0 && (__atomic_compare_exchange_n(&c->side->agg[op][s].rootp1, &v, want, 0,
							    __ATOMIC_RELAXED, __ATOMIC_RELAXED) ||
			       v == want))
			return &c->side->agg[op][s];
	}
	return &c->side->agg[op][PTM_ROOTS - 1];
}

/* root: the root's rank in the communicator, or -1 for an operation without one. */
static void coll_count(struct ptm_comm *c, int op, int root, uint64_t s, uint64_t rv,
		       uint64_t t0)
{
	struct ptm_cagg *a;
	uint64_t zero = 0;

	if (!c)
		return;
	if (c->flags & PT_MPI_COMM_INTER)
		root = -1, s = rv = 0;      /* counted as calls only (see man/provtrace.7) */
	a = coll_slot(c, op, root);
	if (s)
		add(&a->sent, s);
	if (rv)
		add(&a->recvd, rv);
	if (pt_unlikely((add(&a->calls, 1) & 0xfff) == 0))
		ptm_tick();
	if (pt_unlikely(ld(&a->first) == 0))
		__atomic_compare_exchange_n(&a->first, &zero, pt_now(), 0, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
	if (!atomic_load_explicit(&c->dirty, memory_order_relaxed))
		atomic_store_explicit(&c->dirty, 1, memory_order_release);
	mark_pending();
	if (pt_unlikely(t0))
		trace_call(op, c, root >= 0 ? to_world(c, root, 0) : -1, s, rv, t0);
}

/* ---- MPI-IO files */

static struct ptm_file *file_find(uintptr_t key)
{
	unsigned i = hash_ptr(key, PTM_NFILE - 1);

	for (unsigned n = 0; n < PTM_NFILE; n++, i = (i + 1) & (PTM_NFILE - 1)) {
		uintptr_t k = atomic_load_explicit(&ptm.files[i].key, memory_order_acquire);
		if (k == key)
			return &ptm.files[i];
		if (k == 0)
			break;
	}
	return NULL;
}

/* "ufs:/data/x" (ROMIO's file system prefix) names /data/x. */
static const char *mpiio_name(const char *name)
{
	const char *colon = strchr(name, ':'), *slash = strchr(name, '/');

	if (colon && colon - name >= 2 && (!slash || colon < slash))
		return colon + 1;
	return name;
}

static void file_opened(MPI_Comm comm, const char *name, int amode, MPI_File fh)
{
	char abs[PATH_MAX];
	uintptr_t key = (uintptr_t)fh;
	unsigned i = hash_ptr(key, PTM_NFILE - 1);
	struct ptm_comm *c = comm_get(comm);
	struct ptm_file *f = NULL;
	struct pt_rec r;
	size_t n;
	int e = errno;

	if (!name || !(n = pt_path_abs(AT_FDCWD, mpiio_name(name), abs, sizeof abs)) ||
	    pt_path_excluded(abs, n))
		goto out;
	for (unsigned k = 0; k < PTM_NFILE; k++, i = (i + 1) & (PTM_NFILE - 1)) {
		uintptr_t h = atomic_load_explicit(&ptm.files[i].key, memory_order_relaxed);
		if ((h == 0 || h == PTM_TOMB) &&
		    atomic_compare_exchange_strong(&ptm.files[i].key, &h, PTM_TOMB)) {
			f = &ptm.files[i];
			break;
		}
	}
	if (!f) {
		drop();
		goto out;
	}
	memset((char *)f + sizeof f->key, 0, sizeof *f - sizeof f->key);
	f->sid = atomic_fetch_add_explicit(&pt.hdr->next_sid, 1, memory_order_relaxed);
	if (pt_rec_begin(&r, PT_EV_MPI_FOPEN, 4, 48 + n) == 0) {
		pt_mpw_uint(&r.w, f->sid);
		pt_mpw_bin(&r.w, abs, n);
		pt_mpw_uint(&r.w, (uint64_t)(unsigned)amode);
		pt_mpw_uint(&r.w, c ? c->id : 0);
		pt_rec_end(&r);
	}
	atomic_store_explicit(&f->key, key, memory_order_release);
out:
	errno = e;
}

static void file_closed(struct ptm_file *f)
{
	struct pt_rec r;
	int e = errno;

	if (pt_rec_begin(&r, PT_EV_MPI_FCLOSE, 13, 13 * 9 + 8) == 0) {
		pt_mpw_uint(&r.w, f->sid);
		pt_mpw_uint(&r.w, 0);
		pt_mpw_uint(&r.w, f->rbytes);
		pt_mpw_uint(&r.w, f->rops);
		pt_mpw_uint(&r.w, f->wbytes);
		pt_mpw_uint(&r.w, f->wops);
		pt_mpw_uint(&r.w, f->rfirst);
		pt_mpw_uint(&r.w, f->rlast);
		pt_mpw_uint(&r.w, f->wfirst);
		pt_mpw_uint(&r.w, f->wlast);
		pt_mpw_uint(&r.w, 0);
		pt_mpw_uint(&r.w, 0);
		pt_mpw_uint(&r.w, f->views);
		pt_rec_end(&r);
	}
	atomic_store_explicit(&f->key, PTM_TOMB, memory_order_release);
	errno = e;
}

/* One read or write of bytes on fh (MPI-IO calls take microseconds: a clock read each is
 * cheap beside them). */
static void file_io(MPI_File fh, int op, int64_t off, uint64_t bytes, uint64_t t0)
{
	struct ptm_file *f = file_find((uintptr_t)fh);
	uint64_t now;
	struct pt_rec r;

	if (!f)
		return;
	now = pt_now();
	if (op == PT_MPI_FREAD) {
		add(&f->rbytes, bytes);
		if (add(&f->rops, 1) == 1)
			f->rfirst = now;
		f->rlast = now;
	} else {
		add(&f->wbytes, bytes);
		if (add(&f->wops, 1) == 1)
			f->wfirst = now;
		f->wlast = now;
	}
	if (pt_unlikely(t0) && pt_rec_begin(&r, PT_EV_MPI_FIO, 5, 64) == 0) {
		int e = errno;
		pt_mpw_uint(&r.w, f->sid);
		pt_mpw_uint(&r.w, (uint64_t)op);
		pt_mpw_int(&r.w, off);
		pt_mpw_uint(&r.w, bytes);
		pt_mpw_uint(&r.w, r.ts > t0 ? r.ts - t0 : 0);
		pt_rec_end(&r);
		errno = e;
	}
}

/* ---- Open MPI's own transport: the shared-memory segments between the ranks of a node
 * and the session directory (the PMIx data store).  What crosses them is recorded as MPI
 * traffic; recorded as files too, they would join every rank to every other.  Excluded
 * before MPI_Init opens them: this runs after the shim's constructor (101). */

__attribute__((constructor(102))) static void ptm_exclude(void)
{
	static char session[PATH_MAX];
	const char *s = getenv("OMPI_MCA_orte_top_session_dir"), *tmp;
	struct utsname u;
	int n = 0;

	pt_exclude_add("/dev/shm/vader_segment.");
	if (s && s[0] == '/') {
		n = snprintf(session, sizeof session, "%s/", s);
	} else if (uname(&u) == 0) {
		/* mpirun and orted are not told: the name Open MPI gives it, from its base
		 * directory, the host name without its domain and the user */
		if (!(tmp = getenv("TMPDIR")) && !(tmp = getenv("TEMP")) && !(tmp = getenv("TMP")))
			tmp = "/tmp";
		n = snprintf(session, sizeof session, "%s/ompi.%.*s.%u/", tmp,
			     (int)strcspn(u.nodename, "."), u.nodename, (unsigned)getuid());
	}
	if (n > 0 && (size_t)n < sizeof session && session[0] == '/')
		pt_exclude_add(session);
}

/* ---- MPI_Init, MPI_Finalize */

static void job_name(char *out, size_t n)
{
	const char *s, *step;

	if ((s = getenv("PMIX_NAMESPACE")) && *s)
		snprintf(out, n, "%s", s);
	else if ((s = getenv("OMPI_MCA_ess_base_jobid")) && *s)
		snprintf(out, n, "ompi:%s", s);
	else if ((s = getenv("SLURM_JOB_ID")) && *s && (step = getenv("SLURM_STEP_ID")))
		snprintf(out, n, "slurm:%s.%s", s, step);
	else
		snprintf(out, n, "%s:%d:%llu", pt.host, (int)pt.pid,
			 (unsigned long long)pt.start_ns);
}

static void atfork_child(void)
{
	/* a child of an MPI process may not call MPI; its counters are the parent's */
	ptm.on = 0;
	ptm.started = 0;
}

/* A predefined handle (MPI_COMM_WORLD, MPI_INFO_NULL, ...) is the address of a libmpi
 * object; a program that names it holds a copy (a copy relocation) that libmpi itself
 * then uses: the global scope finds that one. */
static void *predefined(const char *name)
{
	void *w = dlsym(RTLD_DEFAULT, name), *h;

	if (!w && (h = libmpi()))
		w = dlsym(h, name);
	return w;
}

static MPI_Comm world_handle(void)
{
	return (MPI_Comm)predefined("ompi_mpi_comm_world");
}

static int resolve_own(void)
{
#define OWN(field, name) (ptm.field = (__typeof__(ptm.field))ptm_sym(name)) != NULL
	return OWN(comm_rank, "PMPI_Comm_rank") && OWN(comm_size, "PMPI_Comm_size") &&
	       OWN(comm_test_inter, "PMPI_Comm_test_inter") &&
	       OWN(comm_remote_size, "PMPI_Comm_remote_size") &&
	       OWN(comm_group, "PMPI_Comm_group") &&
	       OWN(comm_remote_group, "PMPI_Comm_remote_group") &&
	       OWN(group_translate, "PMPI_Group_translate_ranks") &&
	       OWN(group_free, "PMPI_Group_free") && OWN(type_size, "PMPI_Type_size") &&
	       OWN(processor, "PMPI_Get_processor_name") &&
	       OWN(library, "PMPI_Get_library_version") &&
	       OWN(query_thread, "PMPI_Query_thread");
#undef OWN
}

static void rec_parent(void);

/* What spawns need, looked up once; without all of it they are only forwarded. */
static void resolve_spawn(void)
{
#define OWN(field, name) (ptm.field = (__typeof__(ptm.field))ptm_sym(name)) != NULL
	if (!(OWN(get_parent, "PMPI_Comm_get_parent") && OWN(info_create, "PMPI_Info_create") &&
	      OWN(info_dup, "PMPI_Info_dup") && OWN(info_get, "PMPI_Info_get") &&
	      OWN(info_get_valuelen, "PMPI_Info_get_valuelen") &&
	      OWN(info_set, "PMPI_Info_set") && OWN(info_free, "PMPI_Info_free") &&
	      (ptm.comm_null = (MPI_Comm)predefined("ompi_mpi_comm_null")) &&
	      (ptm.info_null = (MPI_Info)predefined("ompi_mpi_info_null"))))
		ptm.get_parent = NULL;
#undef OWN
}

static void init_done(int how, int provided)
{
	static int atfork;
	char job[256], proc[MPI_MAX_PROCESSOR_NAME + 1], lib[MPI_MAX_LIBRARY_VERSION_STRING + 1];
	int plen = 0, llen = 0, rank = -1, size = 0;
	struct ptm_comm *w;
	struct pt_rec r;
	size_t nagg;
	int e = errno;

	if (!pt.enabled || pt_vforked || ptm.started)
		goto out;
	ptm_in = 1;
	/* the attribute that retires a communicator however it is freed (without it, only
	 * the frees the wrappers see do) */
	ptm.create_keyval = (__typeof__(ptm.create_keyval))ptm_sym("PMPI_Comm_create_keyval");
	ptm.set_attr = (__typeof__(ptm.set_attr))ptm_sym("PMPI_Comm_set_attr");
	if (!resolve_own() || !(ptm.world = world_handle())) {
		pt_gap(PT_GAP_MPI, "MPI library without Open MPI's interface: MPI not recorded");
		goto done;
	}
	if (how == 0 && ptm.query_thread(&provided) != MPI_SUCCESS)
		provided = MPI_THREAD_SINGLE;
	ptm.comm_rank(ptm.world, &rank);
	ptm.comm_size(ptm.world, &size);
	if (rank < 0 || size <= 0 || ptm.comm_group(ptm.world, &ptm.wgroup) != MPI_SUCCESS)
		goto done;
	nagg = (size_t)(PT_MPI_P2P_OPS - 1) * (size_t)size;
	/* untouched pages of these maps cost nothing: a peer never talked to takes no memory */
	if (!ptm.p2p) {
		struct pt_mpi_side_comm *sc = side_open((uint32_t)size);
		ptm.touched = map(pt_align_page(nagg * sizeof *ptm.touched));
		ptm.comms = map(pt_align_page(PTM_NCOMM * sizeof *ptm.comms));
		ptm.h = map(pt_align_page(PTM_NH * sizeof *ptm.h));
		ptm.files = map(pt_align_page(PTM_NFILE * sizeof *ptm.files));
		for (unsigned i = 0; sc && ptm.comms && i < PTM_NCOMM; i++)
			ptm.comms[i].side = &sc[i];
	}
	if (!ptm.p2p || !ptm.touched || !ptm.comms || !ptm.h || !ptm.files) {
		pt_gap(PT_GAP_MPI, "no memory for the MPI tables: MPI not recorded");
		goto done;
	}
	ptm.rank = rank;
	ptm.size = size;
	ptm.mt = provided == MPI_THREAD_MULTIPLE;
	if (ptm.keyval == MPI_KEYVAL_INVALID && ptm.create_keyval && ptm.set_attr &&
	    ptm.create_keyval(comm_nocopy, comm_deleted, &ptm.keyval, NULL) != MPI_SUCCESS)
		ptm.keyval = MPI_KEYVAL_INVALID;
	if (ptm.processor(proc, &plen) != MPI_SUCCESS || plen < 0)
		plen = 0;
	if (ptm.library(lib, &llen) != MPI_SUCCESS || llen < 0)
		llen = 0;
	while (llen > 0 && (lib[llen - 1] == '\n' || lib[llen - 1] == 0))
		llen--;
	job_name(job, sizeof job);
	memcpy(ptm.job, job, sizeof ptm.job);
	resolve_spawn();

	/* MPI_COMM_WORLD: communicator 0, rank i is world rank i */
	w = &ptm.comms[hash_ptr((uintptr_t)ptm.world, PTM_NCOMM - 1)];
	w->id = 0;
	atomic_store_explicit(&w->side->id1, 1, memory_order_release);
	w->size = size;
	w->rank = rank;
	ptm.next_comm = 1;
	atomic_store_explicit(&w->handle, (uintptr_t)ptm.world, memory_order_release);
	ptm.cworld = w;

	if (pt_rec_begin(&r, PT_EV_MPI_INIT, 7, 64 + sizeof job + sizeof proc + sizeof lib) == 0) {
		pt_mpw_int(&r.w, rank);
		pt_mpw_int(&r.w, size);
		pt_mpw_str(&r.w, job, strlen(job));
		pt_mpw_uint(&r.w, (uint64_t)provided);
		pt_mpw_bin(&r.w, proc, (size_t)plen);
		pt_mpw_bin(&r.w, lib, (size_t)llen);
		pt_mpw_uint(&r.w, (uint64_t)how);
		pt_rec_end(&r);
	}
	rec_comm(w);
	rec_parent();
	if (!atfork) {
		atfork = 1;
		pthread_atfork(NULL, NULL, atfork_child);
	}
	atomic_store_explicit(&ptm.last_flush, pt_now(), memory_order_relaxed);
	pt_mpi_flush_hook = ptm_flush;
	ptm.started = 1;
	ptm.on = 1;
done:
	ptm_in = 0;
out:
	errno = e;
}

static int w_Init(ptm_fn_Init fn, int *argc, char ***argv)
{
	int r;

	if (ptm_in)
		return fn(argc, argv);
	ptm_in = 1;
	r = fn(argc, argv);
	ptm_in = 0;
	if (r == MPI_SUCCESS)
		init_done(0, MPI_THREAD_SINGLE);
	return r;
}

static int w_Init_thread(ptm_fn_Init_thread fn, int *argc, char ***argv, int required,
			 int *provided)
{
	int r;

	if (ptm_in)
		return fn(argc, argv, required, provided);
	ptm_in = 1;
	r = fn(argc, argv, required, provided);
	ptm_in = 0;
	if (r == MPI_SUCCESS)
		init_done(1, provided ? *provided : required);
	return r;
}

static int w_Finalize(ptm_fn_Finalize fn)
{
	struct pt_rec r;
	int ret, e = errno;

	if (ptm_in || !ptm.on)
		return fn();
	for (unsigned i = 0; i < PTM_NFILE; i++)   /* files the program left open */
		if (atomic_load_explicit(&ptm.files[i].key, memory_order_acquire) > PTM_TOMB)
			file_closed(&ptm.files[i]);
	flush_all(1);
	if (pt_rec_begin(&r, PT_EV_MPI_FINI, 3, 32) == 0) {
		pt_mpw_uint(&r.w, atomic_load_explicit(&ptm.dropped, memory_order_relaxed));
		pt_mpw_uint(&r.w, ld(&ptm.foreign));
		pt_mpw_uint(&r.w, ld(&ptm.foreign_bytes));
		pt_rec_end(&r);
	}
	ptm.on = 0;
	errno = e;
	ptm_in = 1;
	ret = fn();
	ptm_in = 0;
	return ret;
}

/* ---- point to point: the wrappers */

/* What the generated wrappers (mpi.def) count once the call succeeded. */

static void sendrecv_done(MPI_Comm comm, int dest, uint64_t bytes, int tag, const MPI_Status *st,
			  uint64_t t0)
{
	sent(PT_MPI_SENDRECV_SEND, comm, dest, bytes, tag, t0);
	received(PT_MPI_SENDRECV_RECV, comm_get(comm), st, t0);
}

/* A posted receive (kind H_IRECV) or persistent one (H_PRECV) is counted when it
 * completes: only then are the source and the size known. */
static void recv_posted(MPI_Request req, uint32_t kind, struct ptm_comm *c)
{
	h_add((uintptr_t)req, kind, PT_MPI_IRECV, c, -1, 0);
}

/* A persistent send: counted at each start (started() below). */
static void psend_posted(MPI_Request req, MPI_Comm comm, int dest, int count, MPI_Datatype dt)
{
	struct ptm_comm *c;

	if (dest >= 0 && (c = comm_get(comm)))
		h_add((uintptr_t)req, H_PSEND, PT_MPI_ISEND, c, dest, nbytes(count, dt));
}

/* A persistent send is counted each time it starts. */
static void started(uintptr_t key, uint64_t t0)
{
	struct ptm_h *q = h_find(key);

	if (q && q->kind == H_PSEND)
		p2p_count((int)q->op, q->c, q->peer, q->bytes, -1, t0);
}

static int w_Start(ptm_fn_Start fn, MPI_Request *req)
{
	uintptr_t key;
	uint64_t t0;
	int r;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(req);
	key = (uintptr_t)*req;
	t0 = trace_t0();
	ptm_in = 1;
	r = fn(req);
	ptm_in = 0;
	if (r == MPI_SUCCESS && h_live())
		started(key, t0);
	return r;
}

static int w_Startall(ptm_fn_Startall fn, int n, MPI_Request reqs[])
{
	uint64_t t0;
	int r;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(n, reqs);
	t0 = trace_t0();
	ptm_in = 1;
	r = fn(n, reqs);
	ptm_in = 0;
	if (r == MPI_SUCCESS && h_live())
		for (int i = 0; i < n; i++)   /* persistent: the handles did not change */
			started((uintptr_t)reqs[i], t0);
	return r;
}

static int w_Mprobe(ptm_fn_Mprobe fn, int src, int tag, MPI_Comm comm, MPI_Message *msg,
		    MPI_Status *st)
{
	MPI_Status local;
	int r;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(src, tag, comm, msg, st);
	if (st == MPI_STATUS_IGNORE)
		st = &local;
	ptm_in = 1;
	r = fn(src, tag, comm, msg, st);
	ptm_in = 0;
	/* the message carries no communicator the module could ask for: remember it */
	if (r == MPI_SUCCESS && st->MPI_SOURCE >= 0)
		h_add((uintptr_t)*msg, H_MSG, 0, comm_get(comm), -1, 0);
	return r;
}

static int w_Improbe(ptm_fn_Improbe fn, int src, int tag, MPI_Comm comm, int *flag,
		     MPI_Message *msg, MPI_Status *st)
{
	MPI_Status local;
	int r;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(src, tag, comm, flag, msg, st);
	if (st == MPI_STATUS_IGNORE)
		st = &local;
	ptm_in = 1;
	r = fn(src, tag, comm, flag, msg, st);
	ptm_in = 0;
	if (r == MPI_SUCCESS && *flag && st->MPI_SOURCE >= 0)
		h_add((uintptr_t)*msg, H_MSG, 0, comm_get(comm), -1, 0);
	return r;
}

/* The communicator a matched message came through; forgets the message. */
static struct ptm_comm *message_comm(uintptr_t key)
{
	struct ptm_h *q = h_live() ? h_find(key) : NULL;
	struct ptm_comm *c;

	if (!q || q->kind != H_MSG)
		return NULL;
	c = q->c;
	h_del(q);
	return c;
}

static int w_Mrecv(ptm_fn_Mrecv fn, void *buf, int count, MPI_Datatype dt, MPI_Message *msg,
		   MPI_Status *st)
{
	MPI_Status local;
	struct ptm_comm *c;
	uint64_t t0;
	int r;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(buf, count, dt, msg, st);
	c = message_comm((uintptr_t)*msg);
	if (st == MPI_STATUS_IGNORE)
		st = &local;
	t0 = trace_t0();
	ptm_in = 1;
	r = fn(buf, count, dt, msg, st);
	ptm_in = 0;
	if (r == MPI_SUCCESS)
		received(PT_MPI_RECV, c, st, t0);
	return r;
}

static int w_Imrecv(ptm_fn_Imrecv fn, void *buf, int count, MPI_Datatype dt, MPI_Message *msg,
		    MPI_Request *req)
{
	struct ptm_comm *c;
	int r;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(buf, count, dt, msg, req);
	c = message_comm((uintptr_t)*msg);
	ptm_in = 1;
	r = fn(buf, count, dt, msg, req);
	ptm_in = 0;
	if (r == MPI_SUCCESS && c)
		h_add((uintptr_t)*req, H_IRECV, PT_MPI_IRECV, c, -1, 0);
	return r;
}

/* ---- completion: the handles are copied before the call (it frees them) */

static int w_Wait(ptm_fn_Wait fn, MPI_Request *req, MPI_Status *st)
{
	MPI_Status local;
	uintptr_t key;
	uint64_t t0;
	int r, tracked;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(req, st);
	key = (uintptr_t)*req;
	tracked = h_live() && h_find(key);
	if (tracked && st == MPI_STATUS_IGNORE)
		st = &local;
	t0 = tracked ? trace_t0() : 0;
	ptm_in = 1;
	r = fn(req, st);
	ptm_in = 0;
	if (tracked && r == MPI_SUCCESS)
		completed(key, st, t0);
	return r;
}

static int w_Test(ptm_fn_Test fn, MPI_Request *req, int *flag, MPI_Status *st)
{
	MPI_Status local;
	uintptr_t key;
	uint64_t t0;
	int r, tracked;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(req, flag, st);
	key = (uintptr_t)*req;
	tracked = h_live() && h_find(key);
	if (tracked && st == MPI_STATUS_IGNORE)
		st = &local;
	t0 = tracked ? trace_t0() : 0;
	ptm_in = 1;
	r = fn(req, flag, st);
	ptm_in = 0;
	if (tracked && r == MPI_SUCCESS && *flag)
		completed(key, st, t0);
	return r;
}

/* Before a call on n requests: their handles, and (sts != NULL) statuses to read when
 * the program ignores them.  Returns 0 when none of them is one the module follows. */
static int many_before(int n, MPI_Request reqs[], MPI_Status **sts, uintptr_t **keys)
{
	int tracked = 0;

	*keys = NULL;
	if (n <= 0 || !h_live())
		return 0;
	if (!(*keys = scratch(0, (size_t)n * sizeof **keys))) {
		drop();
		return 0;
	}
	for (int i = 0; i < n; i++) {
		(*keys)[i] = (uintptr_t)reqs[i];
		if (!tracked && h_find((*keys)[i]))
			tracked = 1;
	}
	if (tracked && sts && *sts == MPI_STATUSES_IGNORE &&
	    !(*sts = scratch(1, (size_t)n * sizeof **sts))) {
		*sts = MPI_STATUSES_IGNORE;
		drop();
		return 0;
	}
	return tracked;
}

static int w_Waitall(ptm_fn_Waitall fn, int n, MPI_Request reqs[], MPI_Status *sts)
{
	uintptr_t *keys;
	uint64_t t0;
	int r, tracked;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(n, reqs, sts);
	tracked = many_before(n, reqs, &sts, &keys);
	t0 = tracked ? trace_t0() : 0;
	ptm_in = 1;
	r = fn(n, reqs, sts);
	ptm_in = 0;
	if (tracked && (r == MPI_SUCCESS || r == MPI_ERR_IN_STATUS))
		for (int i = 0; i < n; i++)
			if (r == MPI_SUCCESS || sts[i].MPI_ERROR == MPI_SUCCESS)
				completed(keys[i], &sts[i], t0);
	return r;
}

static int w_Testall(ptm_fn_Testall fn, int n, MPI_Request reqs[], int *flag, MPI_Status sts[])
{
	uintptr_t *keys;
	uint64_t t0;
	int r, tracked;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(n, reqs, flag, sts);
	tracked = many_before(n, reqs, &sts, &keys);
	t0 = tracked ? trace_t0() : 0;
	ptm_in = 1;
	r = fn(n, reqs, flag, sts);
	ptm_in = 0;
	if (tracked && *flag && (r == MPI_SUCCESS || r == MPI_ERR_IN_STATUS))
		for (int i = 0; i < n; i++)
			if (r == MPI_SUCCESS || sts[i].MPI_ERROR == MPI_SUCCESS)
				completed(keys[i], &sts[i], t0);
	return r;
}

static int w_Waitany(ptm_fn_Waitany fn, int n, MPI_Request reqs[], int *idx, MPI_Status *st)
{
	MPI_Status local;
	uintptr_t *keys;
	uint64_t t0;
	int r, tracked;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(n, reqs, idx, st);
	tracked = many_before(n, reqs, NULL, &keys);
	if (tracked && st == MPI_STATUS_IGNORE)
		st = &local;
	t0 = tracked ? trace_t0() : 0;
	ptm_in = 1;
	r = fn(n, reqs, idx, st);
	ptm_in = 0;
	if (tracked && r == MPI_SUCCESS && *idx >= 0 && *idx < n)
		completed(keys[*idx], st, t0);
	return r;
}

static int w_Testany(ptm_fn_Testany fn, int n, MPI_Request reqs[], int *idx, int *flag,
		     MPI_Status *st)
{
	MPI_Status local;
	uintptr_t *keys;
	uint64_t t0;
	int r, tracked;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(n, reqs, idx, flag, st);
	tracked = many_before(n, reqs, NULL, &keys);
	if (tracked && st == MPI_STATUS_IGNORE)
		st = &local;
	t0 = tracked ? trace_t0() : 0;
	ptm_in = 1;
	r = fn(n, reqs, idx, flag, st);
	ptm_in = 0;
	if (tracked && r == MPI_SUCCESS && *flag && *idx >= 0 && *idx < n)
		completed(keys[*idx], st, t0);
	return r;
}

static inline int some_(int (*fn)(int, MPI_Request[], int *, int[], MPI_Status[]), int n,
			MPI_Request reqs[], int *outn, int idxs[], MPI_Status sts[])
{
	uintptr_t *keys;
	uint64_t t0;
	int r, tracked;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(n, reqs, outn, idxs, sts);
	tracked = many_before(n, reqs, &sts, &keys);
	t0 = tracked ? trace_t0() : 0;
	ptm_in = 1;
	r = fn(n, reqs, outn, idxs, sts);
	ptm_in = 0;
	if (tracked && (r == MPI_SUCCESS || r == MPI_ERR_IN_STATUS) && *outn != MPI_UNDEFINED)
		for (int k = 0; k < *outn; k++)
			if (idxs[k] >= 0 && idxs[k] < n &&
			    (r == MPI_SUCCESS || sts[k].MPI_ERROR == MPI_SUCCESS))
				completed(keys[idxs[k]], &sts[k], t0);
	return r;
}

static int w_Waitsome(ptm_fn_Waitsome fn, int n, MPI_Request reqs[], int *outn, int idxs[],
		      MPI_Status sts[])
{
	return some_(fn, n, reqs, outn, idxs, sts);
}

static int w_Testsome(ptm_fn_Testsome fn, int n, MPI_Request reqs[], int *outn, int idxs[],
		      MPI_Status sts[])
{
	return some_(fn, n, reqs, outn, idxs, sts);
}

static int w_Request_free(ptm_fn_Request_free fn, MPI_Request *req)
{
	struct ptm_h *q;
	uintptr_t key;
	int r;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(req);
	key = (uintptr_t)*req;
	ptm_in = 1;
	r = fn(req);
	ptm_in = 0;
	if (r == MPI_SUCCESS && h_live() && (q = h_find(key))) {
		if (q->kind == H_IRECV)
			drop();      /* its data arrives where the module cannot see it */
		h_del(q);
	}
	return r;
}

/* ---- collectives: what their wrappers (generated, mpi.def) count.  A datatype is only
 * looked at where the standard says it is significant (an MPI_IN_PLACE call, a non-root
 * rank, may pass anything). */

static void barrier_(MPI_Comm comm, int nb, uint64_t t0)
{
	coll_count(comm_get(comm), PT_MPI_BARRIER | nb, -1, 0, 0, t0);
}

static void bcast_(int op, int count, MPI_Datatype dt, int root, MPI_Comm comm, uint64_t t0)
{
	struct ptm_comm *c = comm_get(comm);
	uint64_t b;

	if (!c)
		return;
	b = nbytes(count, dt);
	coll_count(c, op, root, c->rank == root ? b : 0, c->rank == root ? 0 : b, t0);
}

static void reduce_(int op, int count, MPI_Datatype dt, int root, MPI_Comm comm, uint64_t t0)
{
	struct ptm_comm *c = comm_get(comm);
	uint64_t b;

	if (!c)
		return;
	b = nbytes(count, dt);
	coll_count(c, op, root, b, c->rank == root ? b : 0, t0);
}

static void all_(int op, int count, MPI_Datatype dt, MPI_Comm comm, uint64_t t0)
{
	uint64_t b = nbytes(count, dt);

	coll_count(comm_get(comm), op, -1, b, b, t0);
}

static void gather_(int op, const void *sbuf, int scount, MPI_Datatype sdt, int rcount,
		    const int *rcounts, MPI_Datatype rdt, int root, MPI_Comm comm, uint64_t t0)
{
	struct ptm_comm *c = comm_get(comm);
	int me_root;
	uint64_t s, rv = 0;

	if (!c || (c->flags & PT_MPI_COMM_INTER)) {
		coll_count(c, op, -1, 0, 0, t0);
		return;
	}
	me_root = c->rank == root;
	s = me_root && sbuf == MPI_IN_PLACE ? 0 : nbytes(scount, sdt);
	if (me_root)
		rv = rcounts ? sum_counts(rcounts, c->size, rdt) : (uint64_t)c->size * nbytes(rcount, rdt);
	coll_count(c, op, root, s, rv, t0);
}

static void scatter_(int op, int scount, const int *scounts, MPI_Datatype sdt, void *rbuf,
		     int rcount, MPI_Datatype rdt, int root, MPI_Comm comm, uint64_t t0)
{
	struct ptm_comm *c = comm_get(comm);
	int me_root;
	uint64_t s = 0, rv;

	if (!c || (c->flags & PT_MPI_COMM_INTER)) {
		coll_count(c, op, -1, 0, 0, t0);
		return;
	}
	me_root = c->rank == root;
	if (me_root)
		s = scounts ? sum_counts(scounts, c->size, sdt) : (uint64_t)c->size * nbytes(scount, sdt);
	rv = me_root && rbuf == MPI_IN_PLACE ? 0 : nbytes(rcount, rdt);
	coll_count(c, op, root, s, rv, t0);
}

static void allgather_(int op, const void *sbuf, int scount, MPI_Datatype sdt, int rcount,
		       const int *rcounts, MPI_Datatype rdt, MPI_Comm comm, uint64_t t0)
{
	struct ptm_comm *c = comm_get(comm);
	uint64_t s, rv;

	if (!c || (c->flags & PT_MPI_COMM_INTER)) {
		coll_count(c, op, -1, 0, 0, t0);
		return;
	}
	if (sbuf != MPI_IN_PLACE)
		s = nbytes(scount, sdt);
	else
		s = rcounts ? (c->rank >= 0 ? nbytes(rcounts[c->rank], rdt) : 0) : nbytes(rcount, rdt);
	rv = rcounts ? sum_counts(rcounts, c->size, rdt) : (uint64_t)c->size * nbytes(rcount, rdt);
	coll_count(c, op, -1, s, rv, t0);
}

static void alltoall_(int op, const void *sbuf, int scount, const int *scounts,
		      MPI_Datatype sdt, int rcount, const int *rcounts, MPI_Datatype rdt,
		      MPI_Comm comm, uint64_t t0)
{
	struct ptm_comm *c = comm_get(comm);
	uint64_t s, rv;

	if (!c || (c->flags & PT_MPI_COMM_INTER)) {
		coll_count(c, op, -1, 0, 0, t0);
		return;
	}
	rv = rcounts ? sum_counts(rcounts, c->size, rdt) : (uint64_t)c->size * nbytes(rcount, rdt);
	if (sbuf == MPI_IN_PLACE)
		s = rv;
	else
		s = scounts ? sum_counts(scounts, c->size, sdt) : (uint64_t)c->size * nbytes(scount, sdt);
	coll_count(c, op, -1, s, rv, t0);
}

static void alltoallw_(int op, const void *sbuf, const int *scounts, const MPI_Datatype *sdts,
		       const int *rcounts, const MPI_Datatype *rdts, MPI_Comm comm, uint64_t t0)
{
	struct ptm_comm *c = comm_get(comm);
	uint64_t s, rv;

	if (!c || (c->flags & PT_MPI_COMM_INTER)) {
		coll_count(c, op, -1, 0, 0, t0);
		return;
	}
	rv = sum_counts_w(rcounts, rdts, c->size);
	s = sbuf == MPI_IN_PLACE ? rv : sum_counts_w(scounts, sdts, c->size);
	coll_count(c, op, -1, s, rv, t0);
}

static void reduce_scatter_(int op, int rcount, const int *rcounts, MPI_Datatype dt,
			    MPI_Comm comm, uint64_t t0)
{
	struct ptm_comm *c = comm_get(comm);
	uint64_t s, rv;

	if (!c || (c->flags & PT_MPI_COMM_INTER)) {
		coll_count(c, op, -1, 0, 0, t0);
		return;
	}
	if (rcounts) {
		s = sum_counts(rcounts, c->size, dt);
		rv = c->rank >= 0 ? nbytes(rcounts[c->rank], dt) : 0;
	} else {
		rv = nbytes(rcount, dt);
		s = (uint64_t)c->size * rv;
	}
	coll_count(c, op, -1, s, rv, t0);
}

/* ---- handles whose reuse would make the module's tables lie */

/* The attribute's callback retires a freed communicator; these retire it too, nested in
 * another wrapped call or not (a communicator the module never used has no entry). */
static int comm_gone(int (*fn)(MPI_Comm *), MPI_Comm *comm)
{
	uintptr_t key;
	uint8_t in = ptm_in;
	int r;

	if (pt_unlikely(!ptm.on))
		return fn(comm);
	key = (uintptr_t)*comm;
	ptm_in = 1;
	r = fn(comm);
	ptm_in = in;
	if (r == MPI_SUCCESS)
		comm_retire(key);
	return r;
}

static int w_Comm_free(ptm_fn_Comm_free fn, MPI_Comm *comm)
{
	return comm_gone(fn, comm);
}

static int w_Comm_disconnect(ptm_fn_Comm_disconnect fn, MPI_Comm *comm)
{
	return comm_gone(fn, comm);
}

static int w_Type_free(ptm_fn_Type_free fn, MPI_Datatype *dt)
{
	int r = fn(dt);

	if (r == MPI_SUCCESS)
		atomic_fetch_add_explicit(&ptm.tgen, 1, memory_order_relaxed);
	return r;
}

/* ---- dynamic processes: MPI_Comm_spawn, MPI_Comm_spawn_multiple
 *
 * The children are started by the MPI runtime's daemons: traced when the daemon is (its
 * exec wrapper puts the preload back) or its environment carries the shim, as under
 * provtrace run; but a daemon started otherwise, or the program's own "env" info key
 * (Open MPI: NAME=VALUE lines that the processes it starts get), can leave them without,
 * and nothing tells a child which rank spawned it.  So the root of a spawn hands MPI a copy of
 * each info it was given (or a new one for MPI_INFO_NULL) whose "env" holds the program's
 * lines, LD_PRELOAD with the shim put first, then PROVTRACE_MPI_PARENT ("SPAWN RANK JOB",
 * which the children's MPI_PARENT records repeat) and the shim's settings the program did
 * not set, as many as MPI_MAX_INFO_VAL holds (the others the children inherit, as every
 * rank does).  The program's info objects are never changed; the copies are freed when
 * the call returns.  Other ranks' info is not looked at by MPI, nor by the module. */

struct spawn_env {
	char v[MPI_MAX_INFO_VAL + 1];
	size_t len;
	uint32_t flags;             /* PT_MPI_SPAWN_* */
};

/* Append one line, if it fits. */
static int env_put(struct spawn_env *e, const char *line, size_t n)
{
	if (!n)
		return 1;
	/* Open MPI takes a value shorter than MPI_MAX_INFO_VAL (256 bytes fail) */
	if (e->len + n + (e->len != 0) >= MPI_MAX_INFO_VAL) {
		e->flags |= PT_MPI_SPAWN_ENV_CUT;
		return 0;
	}
	if (e->len)
		e->v[e->len++] = '\n';
	memcpy(e->v + e->len, line, n);
	e->len += n;
	e->v[e->len] = 0;
	return 1;
}

/* The value of NAME in the lines of list, or NULL. */
static const char *env_get(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p; p += strcspn(p, "\n"), p += *p == '\n')
		if (!strncmp(p, name, n) && p[n] == '=')
			return p + n + 1;
	return NULL;
}

/* The program's lines, LD_PRELOAD with the shim first when `preload`. */
static int env_program(struct spawn_env *e, const char *prog, int preload)
{
	char line[MPI_MAX_INFO_VAL + 1];
	size_t self = strlen(pt.self);

	e->len = 0;
	e->v[0] = 0;
	for (const char *p = prog; *p;) {
		size_t n = strcspn(p, "\n");
		int k;
		if (preload && n > 11 && !memcmp(p, "LD_PRELOAD=", 11) &&
		    !memmem(p + 11, n - 11, pt.self, self)) {
			k = snprintf(line, sizeof line, "LD_PRELOAD=%s:%.*s", pt.self, (int)(n - 11),
				     p + 11);
			if (k <= 0 || (size_t)k >= sizeof line || !env_put(e, line, (size_t)k))
				return 0;
		} else if (!env_put(e, p, n)) {
			return 0;
		}
		p += n;
		p += *p == '\n';
	}
	return 1;
}

static void env_build(struct spawn_env *e, const char *prog, uint32_t spawn)
{
	static const char *const first[] = { "PROVTRACE_SOCKET", "PROVTRACE_SPOOL" };
	char line[MPI_MAX_INFO_VAL + 1];
	const char *v = env_get(prog, "PROVTRACE_DISABLE"), *cur;
	size_t n = v ? strcspn(v, "\n") : 0;
	int k;

	e->flags = 0;
	if (n && !(n == 1 && v[0] == '0')) {
		e->flags = PT_MPI_SPAWN_UNTRACED;   /* meant to run untraced: nothing added */
		return;
	}
	/* all of the program's lines, the shim added to its LD_PRELOAD if they still fit */
	if (!pt.self[0] || !env_program(e, prog, 1)) {
		env_program(e, prog, 0);
		e->flags |= pt.self[0] ? PT_MPI_SPAWN_ENV_CUT : 0;
	}
	k = snprintf(line, sizeof line, "PROVTRACE_MPI_PARENT=%u %d %s", spawn, (int)ptm.rank,
		     ptm.job);
	if (!env_get(prog, "PROVTRACE_MPI_PARENT") && k > 0 && (size_t)k < sizeof line)
		env_put(e, line, (size_t)k);
	if (pt.self[0] && !env_get(prog, "LD_PRELOAD")) {
		cur = getenv("LD_PRELOAD");
		if (cur && strstr(cur, pt.self))
			k = snprintf(line, sizeof line, "LD_PRELOAD=%s", cur);
		else
			k = snprintf(line, sizeof line, "LD_PRELOAD=%s%s%s", pt.self,
				     cur && *cur ? ":" : "", cur ? cur : "");
		if (k > 0 && (size_t)k < sizeof line)
			env_put(e, line, (size_t)k);
	}
	/* the collector's address first: without it a child records nothing */
	for (unsigned pass = 0; pass < 2; pass++) {
		for (int i = 0; i < pt.nenv_saved; i++) {
			const char *kv = pt.env_saved[i], *eq = strchr(kv, '=');
			size_t nl = eq ? (size_t)(eq - kv) : 0;
			int is_first = 0;
			if (!nl || nl >= 64)
				continue;
			for (unsigned j = 0; j < sizeof first / sizeof first[0]; j++)
				is_first |= strlen(first[j]) == nl && !memcmp(first[j], kv, nl);
			if (is_first != !pass)
				continue;
			memcpy(line, kv, nl);
			line[nl] = 0;
			if (!env_get(prog, line))
				env_put(e, kv, strlen(kv));
		}
	}
	if (strcmp(e->v, prog))
		e->flags |= PT_MPI_SPAWN_ENV;
}

/* The info MPI gets from the root for one command: a copy of the program's with "env" as
 * built, which *made says to free; the program's own when nothing is to be added or a
 * step fails (never an error of the module's making: values are checked first). */
static MPI_Info spawn_info(MPI_Info info, uint32_t spawn, uint32_t *flags, int *made)
{
	char prog[MPI_MAX_INFO_VAL + 1] = "";
	struct spawn_env e;
	MPI_Info mine;
	int flag = 0, len = 0;

	*made = 0;
	if (info != ptm.info_null) {
		if (ptm.info_get_valuelen(info, "env", &len, &flag) != MPI_SUCCESS)
			return info;
		if (flag && (len < 0 || len > MPI_MAX_INFO_VAL ||
			     ptm.info_get(info, "env", MPI_MAX_INFO_VAL, prog, &flag)))
			return info;
	}
	env_build(&e, prog, spawn);
	*flags |= e.flags;
	if (!(e.flags & PT_MPI_SPAWN_ENV))
		return info;
	if (info == ptm.info_null ? ptm.info_create(&mine) : ptm.info_dup(info, &mine))
		return info;
	if (ptm.info_set(mine, "env", e.v) != MPI_SUCCESS) {
		ptm.info_free(&mine);
		return info;
	}
	*made = 1;
	return mine;
}

/* This image is the root of the spawn (the only one whose arguments MPI reads). */
static int spawn_root(MPI_Comm comm, int root)
{
	int me = -1;

	return ptm.get_parent && ptm.comm_rank(comm, &me) == MPI_SUCCESS && me == root;
}

#define PTM_SPAWN_BYTES 8192u   /* of commands and arguments in an MPI_SPAWN record */

static uint32_t args_fit(char *const *argv, size_t *budget, uint32_t *flags)
{
	uint32_t n = 0;

	for (; argv && argv[n]; n++) {
		size_t need = strlen(argv[n]) + 5;
		if (need > *budget) {
			*flags |= PT_F_TRUNCATED;
			break;
		}
		*budget -= need;
	}
	return n;
}

/* The commands that fit the record, and (w != NULL) write them. */
static uint32_t put_cmds(struct pt_mpw *w, int count, char *const cmds[], char **const argvs[],
			 const int maxprocs[], uint32_t *flags)
{
	size_t budget = PTM_SPAWN_BYTES;
	uint32_t n = 0;

	for (; n < (uint32_t)count; n++) {
		size_t need = strlen(cmds[n]) + 16;
		if (need > budget) {
			*flags |= PT_F_TRUNCATED;
			break;
		}
		budget -= need;
		uint32_t na = args_fit(argvs ? argvs[n] : NULL, &budget, flags);
		if (!w)
			continue;
		pt_mpw_array(w, 3);
		pt_mpw_cstr(w, cmds[n]);
		pt_mpw_array(w, na);
		for (uint32_t i = 0; i < na; i++)
			pt_mpw_cstr(w, argvs[n][i]);
		pt_mpw_int(w, maxprocs[n]);
	}
	return n;
}

static void rec_spawn(uint32_t spawn, MPI_Comm comm, int how, int status, MPI_Comm *inter,
		      int count, char *const cmds[], char **const argvs[], const int maxprocs[],
		      uint32_t flags, uint64_t t0)
{
	struct ptm_comm *c = comm_get(comm);
	uint32_t ncmd = put_cmds(NULL, count, cmds, argvs, maxprocs, &flags);
	int64_t want = 0;
	int procs = 0;
	struct pt_rec r;

	for (int i = 0; i < count; i++)
		want += maxprocs[i] > 0 ? maxprocs[i] : 0;
	if (status == MPI_SUCCESS) {
		ptm_in = 1;
		if (ptm.comm_remote_size(*inter, &procs) != MPI_SUCCESS)
			procs = 0;
		ptm_in = 0;
	}
	if (pt_rec_begin(&r, PT_EV_MPI_SPAWN, 9, 128 + PTM_SPAWN_BYTES + 16 * (size_t)ncmd) < 0)
		return;
	pt_mpw_uint(&r.w, spawn);
	pt_mpw_int(&r.w, c ? (int64_t)c->id : -1);
	pt_mpw_uint(&r.w, (uint64_t)how);
	pt_mpw_int(&r.w, status);
	pt_mpw_int(&r.w, procs);
	pt_mpw_int(&r.w, want);
	pt_mpw_array(&r.w, ncmd);
	put_cmds(&r.w, count, cmds, argvs, maxprocs, &flags);
	pt_mpw_uint(&r.w, flags);
	pt_mpw_uint(&r.w, r.ts > t0 ? r.ts - t0 : 0);
	pt_rec_end(&r);
}

static int w_Comm_spawn(ptm_fn_Comm_spawn fn, const char *cmd, char *argv[], int maxprocs,
			MPI_Info info, int root, MPI_Comm comm, MPI_Comm *inter, int errs[])
{
	uint32_t spawn = 0, flags = 0;
	MPI_Info use = info;
	uint64_t t0;
	int made = 0, r, e;

	if (ptm_in || !ptm.on)
		return fn(cmd, argv, maxprocs, info, root, comm, inter, errs);
	ptm_in = 1;
	if (spawn_root(comm, root)) {
		spawn = atomic_fetch_add_explicit(&ptm.spawns, 1, memory_order_relaxed) + 1;
		use = spawn_info(info, spawn, &flags, &made);
	}
	t0 = pt_now();
	r = fn(cmd, argv, maxprocs, use, root, comm, inter, errs);
	e = errno;
	if (made)
		ptm.info_free(&use);
	ptm_in = 0;
	if (spawn)
		rec_spawn(spawn, comm, 0, r, inter, 1, (char *const[]){ (char *)cmd },
			  (char **const[]){ argv }, &maxprocs, flags, t0);
	errno = e;
	return r;
}

static int w_Comm_spawn_multiple(ptm_fn_Comm_spawn_multiple fn, int count, char *cmds[],
				 char **argvs[], const int maxprocs[], const MPI_Info infos[],
				 int root, MPI_Comm comm, MPI_Comm *inter, int errs[])
{
	const MPI_Info *use = infos;
	MPI_Info *mine = NULL;
	uint32_t spawn = 0, flags = 0;
	size_t len = 0;
	uint64_t t0;
	int r, e, made = 0;

	if (ptm_in || !ptm.on)
		return fn(count, cmds, argvs, maxprocs, infos, root, comm, inter, errs);
	ptm_in = 1;
	if (count > 0 && spawn_root(comm, root)) {
		spawn = atomic_fetch_add_explicit(&ptm.spawns, 1, memory_order_relaxed) + 1;
		len = pt_align_page((size_t)count * (sizeof *mine + 1));
		if ((mine = map(len))) {
			uint8_t *own = (uint8_t *)(mine + count);
			for (int i = 0; i < count; i++) {
				int m = 0;
				mine[i] = spawn_info(infos[i], spawn, &flags, &m);
				own[i] = (uint8_t)m;
				made |= m;
			}
			use = mine;
		}
	}
	t0 = pt_now();
	r = fn(count, cmds, argvs, maxprocs, use, root, comm, inter, errs);
	e = errno;
	if (mine) {
		uint8_t *own = (uint8_t *)(mine + count);
		for (int i = 0; made && i < count; i++)
			if (own[i])
				ptm.info_free(&mine[i]);
		pt_sys_munmap(mine, len);
	}
	ptm_in = 0;
	if (spawn)
		rec_spawn(spawn, comm, 1, r, inter, count, cmds, argvs, maxprocs, flags, t0);
	errno = e;
	return r;
}

/* In MPI_Init of a spawned image: the rank that spawned it, as its environment says. */
static void rec_parent(void)
{
	const char *v = getenv("PROVTRACE_MPI_PARENT"), *job = "";
	MPI_Comm parent;
	long spawn = 0, rank = -1;
	int size = 0;
	struct pt_rec r;

	if (!ptm.get_parent || ptm.get_parent(&parent) != MPI_SUCCESS || parent == ptm.comm_null)
		return;
	if (ptm.comm_remote_size(parent, &size) != MPI_SUCCESS)
		size = 0;
	if (v) {
		/* "SPAWN RANK JOB" */
		char *end;
		spawn = strtol(v, &end, 10);
		if (end != v && *end == ' ') {
			rank = strtol(end + 1, &end, 10);
			if (*end == ' ' && spawn > 0 && spawn <= UINT32_MAX && rank >= 0)
				job = end + 1;
		}
		if (!*job)
			spawn = 0, rank = -1;
	}
	if (pt_rec_begin(&r, PT_EV_MPI_PARENT, 4, 64 + sizeof ptm.job) == 0) {
		pt_mpw_str(&r.w, job, strnlen(job, sizeof ptm.job - 1));
		pt_mpw_int(&r.w, rank);
		pt_mpw_uint(&r.w, (uint64_t)spawn);
		pt_mpw_int(&r.w, size);
		pt_rec_end(&r);
	}
}

/* ---- MPI-IO */

static int w_File_close(ptm_fn_File_close fn, MPI_File *fh)
{
	struct ptm_file *f;
	int r;

	if (pt_unlikely(ptm_in || !ptm.on))
		return fn(fh);
	f = file_find((uintptr_t)*fh);
	ptm_in = 1;
	r = fn(fh);
	ptm_in = 0;
	if (r == MPI_SUCCESS && f)
		file_closed(f);
	return r;
}

/* MPI_File_set_view: the views a file had are counted with its session. */
static void file_viewed(MPI_File fh)
{
	struct ptm_file *f = file_find((uintptr_t)fh);

	if (f)
		add(&f->views, 1);
}

/* ---- the wrappers of one shape, generated from mpi.def (mpi-gen.awk): the reads and
 * writes of MPI-IO count the size MPI reports in the status when they are blocking, the
 * size asked for when they are posted (nonblocking, split collective) */

#include "interpose/mpi-bodies.h"

/* ---- the entry points: MPI_Name and PMPI_Name for each line of mpi.def */

#define PTM_ARGS(...) , ##__VA_ARGS__
#define PT_MPI(name, params, args, how)                                                    \
	PT_API int MPI_##name params { return w_##name(NEXT(name, 0) PTM_ARGS args); }      \
	PT_API int PMPI_##name params { return w_##name(NEXT(name, 1) PTM_ARGS args); }
#include "mpi.def"
#undef PT_MPI
