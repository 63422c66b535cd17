/* shim.h — internals of libprovtrace.so shared by its source files, declared by layer:
 * the core (the real-function table, time, the region and the record writer), the
 * sessions, the wrappers by concern, the process image.  docs/ARCHITECTURE.md draws them.
 *
 * What it owns: `pt`, the image's state (configuration, the region mapped from the spool,
 * its session table), `pt_tls` (each thread's slot and clock), `pt_real` (the functions
 * the wrappers stand in front of).  Each file calls only into lower layers
 * (tests/shim/layers.sh); the MPI module's flush is the one upcall, registered at MPI_Init.
 *
 * Lifecycle: the constructor (proc.c) resolves pt_real, reads the configuration, creates
 * and announces the region, then records the start; a fork child makes a region of its own
 * before its first event; a vfork child (pt_vforked) touches nothing shared; every exit
 * path records the exit once; an internal failure stops the recording (pt_disable).
 * Errors: the raw calls of sys.h return -errno; pt_rec_begin() returns -1 when the record
 * cannot be written (counted as dropped); nothing here changes the program's errno.
 *
 * Rules every wrapper follows (see STYLE.md):
 *  - call the real function first, save errno, record, restore errno, return;
 *  - never print to the program's streams, never exit, never take a lock the program
 *    could be holding (the only waits are bounded spins on the shim's own slot);
 *  - the shim's own I/O goes through pt_real.* or raw system calls, never its wrappers;
 *  - in a vfork child (pt_vforked) nothing in shared state is touched.
 */
#ifndef PT_SHIM_H
#define PT_SHIM_H

#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <wchar.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "../collector/protocol.h"
#include "../collector/region.h"
#include "../collector/wire.h"

#define PT_API __attribute__((visibility("default")))
#define PT_TLS_IE __thread __attribute__((tls_model("initial-exec")))
#define pt_likely(x) __builtin_expect(!!(x), 1)
#define pt_unlikely(x) __builtin_expect(!!(x), 0)

#if defined(__x86_64__) || defined(__i386__)
#define pt_cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define pt_cpu_relax() __asm__ volatile("yield")
#else
#define pt_cpu_relax() ((void)0)
#endif

/* ---- the wrapped functions: declared once, from wrappers.def */

/* glibc may define some stdio entry points as macros when optimising */
#undef fread_unlocked
#undef fwrite_unlocked
#undef getc
#undef putc
#undef fgetc
#undef fputc

#define PT_WRAP(ret, name, params) PT_API ret name params;
#include "wrappers.def"
#undef PT_WRAP

/* ---- the real functions */

#define PT_WRAP(ret, name, params) typedef ret (*pt_fn_##name) params;
#include "wrappers.def"
#undef PT_WRAP

struct pt_real_table {
#define PT_WRAP(ret, name, params) pt_fn_##name name;
#include "wrappers.def"
#undef PT_WRAP
};

extern struct pt_real_table pt_real;

/* Resolve one real function (idx: its position in wrappers.def); returns it or NULL. */
void *pt_real_resolve(unsigned idx);
void pt_real_resolve_all(void);

enum pt_real_index {
#define PT_WRAP(ret, name, params) PT_REAL_##name,
#include "wrappers.def"
#undef PT_WRAP
	PT_REAL_COUNT
};

/* pt_real.NAME, resolved on first use.  Wrappers that can run before the constructor
 * (another library's constructor, an allocator's initialisation) go through this. */
#define PT_REAL(name)                                                                     \
	(pt_likely(pt_real.name != NULL) ? pt_real.name                                  \
					 : (pt_fn_##name)pt_real_resolve(PT_REAL_##name))

/* ---- per-thread state */

struct pt_tls {
	uint64_t clock;    /* time of this thread's latest event: a cheap lower bound of now */
	uint32_t slot;     /* claimed slot + 1, 0 = none */
	uint32_t gen;      /* pt.gen the slot belongs to (a fork child starts a new one) */
	int32_t tid;
	uint8_t busy;      /* inside the shim's recording code */
	uint64_t fork_ns;  /* when this thread last began a fork (read by the child) */
	/* the descriptors' sessions when it began, for the child: the parent runs on and
	 * changes its table while the child starts */
	struct pt_fork_sess { uint64_t sid; uint32_t kind, flags; } *snap;
	uint32_t nsnap, capsnap;
};

extern PT_TLS_IE struct pt_tls pt_tls;

/* Set by the vfork wrapper (vfork-x86_64.S) before the system call, so only the child,
 * which shares this thread's memory and TLS, runs with it set; the parent clears it. */
extern PT_TLS_IE uint8_t pt_vforked;

/* ---- per-process state */

#define PT_EXCLUDE_MAX 16   /* bits of exclude_by[] */

struct pt_state {
	/* region; sess/nsess are what the hot path reads: nsess == 0 turns counting off */
	void *base;
	struct pt_region_hdr *hdr;
	struct pt_sess *sess;
	uint32_t nsess;
	uint32_t gen;
	int enabled;            /* recording on: a region exists and the shim is healthy */
	int initialised;

	pid_t pid;
	uint64_t start_ns;

	/* configuration, read once from the environment */
	int trace;              /* PROVTRACE_TRACE: one IO record per call */
	int stacks;             /* PROVTRACE_STACKS: frames recorded at each open */
	int debug;              /* PROVTRACE_DEBUG */
	uint32_t nslots, slot_size;
	uint32_t nsess_cfg;      /* session table size for the next region */
	uint32_t wait_ms;       /* bounded wait on a full ring */
	char spool[PATH_MAX];
	char sock[108];
	char host[PT_HOST_MAX];
	char self[PATH_MAX];    /* absolute path of libprovtrace.so, for LD_PRELOAD */
	char *exclude[PT_EXCLUDE_MAX];
	size_t exclude_len[PT_EXCLUDE_MAX];
	uint64_t exclude_head[PT_EXCLUDE_MAX];   /* a prefix's first 8 bytes, little-endian, */
	uint64_t exclude_mask[PT_EXCLUDE_MAX];   /* ... and which of them it has */
	int nexclude;
	uint16_t exclude_by[256];    /* by a path's second byte: the prefixes it may begin with */

	/* saved PROVTRACE_* settings that an exec into a cleared environment gets back */
	char *env_saved[16];
	int nenv_saved;

	/* cached working directory, under a sequence counter (odd while it changes) */
	_Atomic unsigned cwd_seq;
	atomic_flag cwd_lock;
	char cwd[PATH_MAX];

	/* the program's argv, from the constructor */
	int argc;
	char **argv;
	int exit_recorded;

	/* gaps said once per image (gaps.c, io.c): an io_uring ring, Linux AIO */
	int uring_said;
	int aio_said;
};

extern struct pt_state pt;

/* ==== layer 0, the core (shim.c): time, diagnostics, configuration, the region and
 * the record writer.  It calls nothing above it. */

/* ---- time */

uint64_t pt_now(void);

/* ---- diagnostics: only with PROVTRACE_DEBUG, only on stderr */

void pt_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Stop recording in this image (the region stays readable); said once with the reason. */
void pt_disable(const char *why);

/* ---- configuration and the region (the constructor and the fork child call these) */

/* Read the PROVTRACE_* settings from the environment into pt (once, at start). */
void pt_config_read(void);
/* One more excluded path prefix (start-up only; the string must outlive the process). */
void pt_exclude_add(const char *prefix);
/* Create this image's region, make it current and announce it (how: PT_START_EXEC from
 * the constructor, PT_START_FORK in a fork child, which copies its inherited sessions);
 * on failure recording stays off and the collector is told why. */
void pt_region_create(int how);
/* Tell the collector this image records nothing (counted there as a gap). */
void pt_announce_unrecorded(const char *why);
/* The per-thread slot key: a thread's slot is released when it ends. */
void pt_slots_init(void);

/* ---- records
 *
 *	struct pt_rec r;
 *	if (pt_rec_begin(&r, PT_EV_OPEN, 6, 64 + len) == 0) {
 *		pt_mpw_uint(&r.w, sid); ...
 *		pt_rec_end(&r);
 *	}
 *
 * begin claims the thread's slot, reserves `max` payload bytes contiguously and writes
 * [type, ts]; `nfields` counts the fields after those two.  end publishes the record, or
 * drops it (counted) if the writer overflowed `max`.  Between the two calls the thread is
 * marked busy: a signal handler's I/O passes straight through (and is counted as dropped).
 */
struct pt_rec {
	struct pt_mpw w;
	struct pt_slot *slot;
	uint8_t *ring;
	uint64_t head;          /* slot head before this record */
	uint64_t pos;           /* ring offset of the length word */
	uint64_t span;          /* bytes consumed from head, including any wrap padding */
	uint64_t ts;
	int shared;
};

int pt_rec_begin(struct pt_rec *r, int type, uint32_t nfields, size_t max);
/* Set by the MPI wrappers (mpi.c) when traffic awaits its records: pt_rec_begin() calls
 * the hook first, so that the MPI records precede the file event that follows them. */
extern int pt_mpi_pending;
extern void (*pt_mpi_flush_hook)(void);
void pt_rec_end(struct pt_rec *r);
void pt_count_drop(void);
/* A GAP record: what the shim knows it cannot see (kind: PT_GAP_*, detail: a line). */
void pt_gap(int kind, const char *detail);

/* ==== layer 1, sessions and paths (session.c): per-descriptor access sessions in the
 * region, the working directory, path normalisation and exclusion.  Calls the core only. */

/* ---- sessions */

static inline struct pt_sess *pt_sess_at(int fd)
{
	if (pt_unlikely((unsigned)fd >= pt.nsess || pt_vforked))
		return NULL;
	return &pt.sess[fd];
}

struct pt_sess *pt_sess_adopt(int fd, int how);

/* Count one successful data operation of n bytes on fd; end is offset+n for positioned
 * I/O (0 otherwise).  The inline part is the steady state of a session that has already
 * seen an operation in that direction, on the thread that counts it: a few loads and
 * stores, no call, no lock, no allocation.  Everything else (a descriptor to adopt, the
 * first operation, which takes the time, an excluded file, another thread on the same
 * descriptor, which adds atomically) goes out of line, to the cold pt_io_first(). */
void pt_io_first(int fd, ssize_t n, uint64_t end, int write);
void pt_sess_count(struct pt_sess *s, uint64_t n, uint64_t end, int write, uint64_t now);

/* The same on fd's session s (pt_sess_at(fd), not NULL), for callers that hold it. */
static inline void pt_io_read_at(struct pt_sess *s, int fd, ssize_t n, uint64_t end)
{
	if (pt_unlikely(s->rfirst == 0 || atomic_load_explicit(&s->sid, memory_order_relaxed) == 0 ||
			atomic_load_explicit(&s->owner, memory_order_relaxed) != (uint32_t)pt_tls.tid)) {
		pt_io_first(fd, n, end, 0);
		return;
	}
	s->rbytes += (uint64_t)n;
	s->rops++;
	/* this thread's clock may lag the thread that did the first read */
	s->rlast = pt_likely(pt_tls.clock >= s->rfirst) ? pt_tls.clock : s->rfirst;
	if (end > s->rmax)
		s->rmax = end;
}

static inline void pt_io_write_at(struct pt_sess *s, int fd, ssize_t n, uint64_t end)
{
	if (pt_unlikely(s->wfirst == 0 || atomic_load_explicit(&s->sid, memory_order_relaxed) == 0 ||
			atomic_load_explicit(&s->owner, memory_order_relaxed) != (uint32_t)pt_tls.tid)) {
		pt_io_first(fd, n, end, 1);
		return;
	}
	s->wbytes += (uint64_t)n;
	s->wops++;
	s->wlast = pt_likely(pt_tls.clock >= s->wfirst) ? pt_tls.clock : s->wfirst;
	if (end > s->wmax)
		s->wmax = end;
}

static inline void pt_io_read(int fd, ssize_t n, uint64_t end)
{
	struct pt_sess *s;

	if (n <= 0 || !(s = pt_sess_at(fd)))
		return;
	pt_io_read_at(s, fd, n, end);
}

static inline void pt_io_write(int fd, ssize_t n, uint64_t end)
{
	struct pt_sess *s;

	if (n <= 0 || !(s = pt_sess_at(fd)))
		return;
	pt_io_write_at(s, fd, n, end);
}

/* Trace mode: one IO record per call (PROVTRACE_TRACE=1). */
void pt_trace_io(int fd, int op, int64_t off, ssize_t len, uint64_t t0);

/* A session began on fd for `path` (already absolute and normalised). */
void pt_sess_open(int fd, const char *path, size_t len, int flags, int mode, int kind,
		  int call);
/* The session on fd ended; emits CLOSE.  No-op for an fd without a session. */
void pt_sess_close(int fd, int how);

/* Whether fd has a session now (recording on). */
static inline int pt_sess_live(int fd)
{
	struct pt_sess *s = pt.enabled ? pt_sess_at(fd) : NULL;

	return s && atomic_load_explicit(&s->sid, memory_order_relaxed);
}

/* Before a dup2 or dup3 onto fd, which ends fd's session with the real call: when that
 * session leaves a version (a file that moved data), *st gets the file's identity while
 * the number still names it, and the session's id is returned; 0 otherwise (st not
 * written).  Callers check pt_sess_live(fd) first: without a session, no call. */
struct stat;
uint64_t pt_sess_replaced(int fd, struct stat *st);

/* newfd now refers to the same open file as oldfd (dup family); newfd's own session, if
 * any, ended (CLOSE, how PT_CLOSE_DUP2) with the identity in was_st when `was` (from
 * pt_sess_replaced before the call) is still its id. */
void pt_sess_dup(int oldfd, int newfd, uint64_t was, const struct stat *was_st);

/* ---- paths */

/* Make path absolute (relative to dirfd, AT_FDCWD = the working directory) and remove
 * "//", "/./" and "/../" lexically.  Returns the length written to out (< outsz), or 0. */
size_t pt_path_abs(int dirfd, const char *path, char *out, size_t outsz);
int pt_path_excluded(const char *path, size_t len);
void pt_cwd_refresh(void);
int pt_fd_path(int fd, char *out, size_t outsz);   /* readlink /proc/self/fd/FD */
int pt_fd_kind(int fd, uint64_t *ino);

/* ==== layer 2, wrappers by concern: io.c (descriptors, paths, mmap), stdio.c (streams),
 * ipc.c (pipes, sockets), gaps.c (what cannot be seen), mpi.c (MPI, through PMPI).  They
 * call layers 0-1; what the layers above use of them is declared here. */

/* ---- streams (stdio.c) */

/* Streams still open at exit: count what they moved outside the wrappers. */
void pt_streams_settle(void);

/* ---- what the shim cannot see (gaps.c): said once per image */

/* The image set up an io_uring ring (`how`: the call that showed it). */
void pt_gap_uring(const char *how);
/* At the exit: a ring still open that no call showed (inline system calls). */
void pt_gaps_at_exit(void);

/* ==== layer 3, the process image (proc.c): the constructor and destructor, the fork
 * handlers, the start, exit and library records, and the exec, spawn, fork and wait
 * wrappers.  Calls layers 0-2 (an exit settles the streams and the gaps first). */

void pt_record_start(int how);
void pt_record_exit(int how, int status);
void pt_record_libs(void);
void pt_record_fork(pid_t child);
/* A child made by a fork the atfork handlers did not see (syscall(SYS_fork)). */
void pt_fork_child(void);
/* The vfork wrapper's parent half (vfork-x86_64.S calls it). */
long pt_vfork_parent(long ret);

/* ==== layer 4: io.c's syscall() wrapper, which dispatches a raw call to the record its
 * libc wrapper would make, process exits and forks included (so io.c sits above proc.c). */

#endif /* PT_SHIM_H */
