/* session.c — access sessions (one per open descriptor, counters in the region) and the
 * paths they are recorded under: absolute, lexically normalised, checked against
 * PROVTRACE_EXCLUDE. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../collector/pathnorm.h"
#include "shim.h"
#include "sys.h"

/* ---- working directory cache: a sequence counter lets readers copy without a lock */

void pt_cwd_refresh(void)
{
	char buf[PATH_MAX];
	long n = pt_sys2(SYS_getcwd, buf, sizeof buf);

	if (n <= 0 || buf[0] != '/')
		return;
	/* writers only (chdir is rare): a bounded try, so that a chdir in a signal handler
	 * that interrupted another chdir gives up instead of spinning forever */
	for (int spin = 0; atomic_flag_test_and_set_explicit(&pt.cwd_lock, memory_order_acquire); spin++) {
		if (spin > 1000)
			return;
		pt_cpu_relax();
	}
	atomic_fetch_add_explicit(&pt.cwd_seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	memcpy(pt.cwd, buf, strlen(buf) + 1);
	atomic_fetch_add_explicit(&pt.cwd_seq, 1, memory_order_release);
	atomic_flag_clear_explicit(&pt.cwd_lock, memory_order_release);
}

static size_t cwd_copy(char *out, size_t outsz)
{
	for (int tries = 0; tries < 100; tries++) {
		unsigned s1 = atomic_load_explicit(&pt.cwd_seq, memory_order_acquire);
		size_t n;

		if (s1 & 1)
			continue;
		n = strnlen(pt.cwd, sizeof pt.cwd);
		if (n >= outsz)
			return 0;
		memcpy(out, pt.cwd, n);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&pt.cwd_seq, memory_order_relaxed) == s1)
			return n;
	}
	long n = pt_sys2(SYS_getcwd, out, outsz);
	return n > 0 ? strlen(out) : 0;
}

int pt_fd_path(int fd, char *out, size_t outsz)
{
	char link[32];
	long n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = pt_sys_readlink(link, out, outsz - 1);
	if (n <= 0)
		return -1;
	out[n] = 0;
	return (int)n;
}

/* Kind of object fd refers to, and its inode. */
int pt_fd_kind(int fd, uint64_t *ino)
{
	struct stat st;

	if (pt_sys2(SYS_fstat, fd, &st) < 0)
		return PT_KIND_OTHER;
	if (ino)
		*ino = st.st_ino;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG: return PT_KIND_FILE;
	case S_IFDIR: return PT_KIND_DIR;
	case S_IFIFO: return PT_KIND_PIPE;
	case S_IFSOCK: return PT_KIND_SOCKET;
	case S_IFCHR: case S_IFBLK: return PT_KIND_DEVICE;
	default: return PT_KIND_OTHER;
	}
}

/* No "//", no "." or ".." component, no trailing "/": normalising would change nothing. */
static int path_is_clean(const char *p, size_t n)
{
	if (n > 1 && p[n - 1] == '/')
		return 0;
	for (const char *s = memchr(p, '/', n); s; s = memchr(s + 1, '/', n - (size_t)(s + 1 - p))) {
		const char *c = s + 1;
		size_t left = n - (size_t)(c - p);
		if (left == 0)
			return n == 1;
		if (c[0] == '/' || (c[0] == '.' && (left == 1 || c[1] == '/' ||
						     (c[1] == '.' && (left == 2 || c[2] == '/')))))
			return 0;
	}
	return 1;
}

size_t pt_path_abs(int dirfd, const char *path, char *out, size_t outsz)
{
	size_t n = 0, len;

	if (!path)
		return 0;
	len = strlen(path);
	if (path[0] != '/') {
		if (dirfd == AT_FDCWD) {
			n = cwd_copy(out, outsz);
		} else {
			int k = pt_fd_path(dirfd, out, outsz);
			n = k > 0 ? (size_t)k : 0;
		}
		if (n == 0 || out[0] != '/')
			return 0;
		if (len == 0) {          /* AT_EMPTY_PATH: the directory descriptor itself */
			out[n] = 0;
			return pt_path_lexical(out, n);
		}
		if (n + 1 >= outsz)
			return 0;
		out[n++] = '/';
	}
	if (n + len >= outsz)
		return 0;
	memcpy(out + n, path, len + 1);
	if (n == 0 && path_is_clean(path, len))
		return len;   /* the common case: an absolute path with nothing to fold */
	return pt_path_lexical(out, n + len);
}

int pt_path_excluded(const char *path, size_t len)
{
	unsigned by = len < 2 ? 0 : pt.exclude_by[(uint8_t)path[1]];
	uint64_t w = 0;

	/* most paths share their second byte with no excluded prefix, the rest with one or
	 * two: 8 bytes compared at once, memcmp only past the 8 bytes of a match */
	if (!by)
		return 0;
	memcpy(&w, path, len < 8 ? len : 8);
	for (; by; by &= by - 1) {
		int i = __builtin_ctz(by);
		size_t n = pt.exclude_len[i];
		if ((w & pt.exclude_mask[i]) == pt.exclude_head[i] && len >= n &&
		    (n <= 8 || memcmp(path + 8, pt.exclude[i] + 8, n - 8) == 0))
			return 1;
	}
	return 0;
}

/* ---- sessions */

static void sess_reset(struct pt_sess *s, int kind, int flags, uint64_t now)
{
	s->kind = (uint32_t)kind;
	s->flags = (uint32_t)flags;
	s->rbytes = s->rops = s->rlast = 0;
	s->wbytes = s->wops = s->wlast = 0;
	s->rfirst = s->wfirst = s->rmax = s->wmax = 0;
	s->open_ns = now;
	s->stream = 0;
	atomic_store_explicit(&s->owner, 0, memory_order_relaxed);
	atomic_store_explicit(&s->xrbytes, 0, memory_order_relaxed);
	atomic_store_explicit(&s->xrops, 0, memory_order_relaxed);
	atomic_store_explicit(&s->xwbytes, 0, memory_order_relaxed);
	atomic_store_explicit(&s->xwops, 0, memory_order_relaxed);
	atomic_store_explicit(&s->xrmax, 0, memory_order_relaxed);
	atomic_store_explicit(&s->xwmax, 0, memory_order_relaxed);
}

static void sess_hi(int fd)
{
	uint32_t hi = atomic_load_explicit(&pt.hdr->sess_hi, memory_order_relaxed);

	while ((uint32_t)fd + 1 > hi &&
	       !atomic_compare_exchange_weak_explicit(&pt.hdr->sess_hi, &hi, (uint32_t)fd + 1,
						      memory_order_relaxed, memory_order_relaxed))
		;
}

static void gap_fd_range(int fd)
{
	static _Atomic int said;

	if (pt.enabled && !pt_vforked && fd >= (int)pt.nsess && !atomic_exchange(&said, 1)) {
		char d[32];
		snprintf(d, sizeof d, "fd %d", fd);
		pt_gap(PT_GAP_FD_RANGE, d);
	}
}

static size_t stack_capture(uint64_t *ips, int max);

void pt_sess_open(int fd, const char *path, size_t len, int flags, int mode, int kind,
		  int call)
{
	struct pt_sess *s = pt_sess_at(fd);
	uint64_t ips[64];
	size_t nips = 0;
	struct pt_rec r;
	uint64_t sid;

	r.ts = 0;
	if (!s) {
		gap_fd_range(fd);
		return;
	}
	if (atomic_load_explicit(&s->sid, memory_order_relaxed))
		pt_sess_close(fd, PT_CLOSE_REOPEN);   /* closed behind the shim's back */
	if (kind != PT_KIND_PIPE && kind != PT_KIND_SOCKET && pt_path_excluded(path, len))
		kind = PT_KIND_IGNORED;
	sid = atomic_fetch_add_explicit(&pt.hdr->next_sid, 1, memory_order_relaxed);
	if (kind != PT_KIND_IGNORED) {
		if (pt.stacks)
			nips = stack_capture(ips, pt.stacks);
		if (pt_rec_begin(&r, PT_EV_OPEN, 8, 64 + len + 10 * nips) == 0) {
			pt_mpw_uint(&r.w, sid);
			pt_mpw_uint(&r.w, (uint64_t)fd);
			pt_mpw_bin(&r.w, path, len);
			pt_mpw_uint(&r.w, (uint64_t)(unsigned)flags);
			pt_mpw_uint(&r.w, (uint64_t)(unsigned)mode);
			pt_mpw_uint(&r.w, (uint64_t)kind);
			pt_mpw_uint(&r.w, (uint64_t)call);
			pt_mpw_array(&r.w, (uint32_t)nips);
			for (size_t i = 0; i < nips; i++)
				pt_mpw_uint(&r.w, ips[i]);
			pt_rec_end(&r);
		}
	}
	sess_reset(s, kind, flags, r.ts);
	sess_hi(fd);
	atomic_store_explicit(&s->sid, sid, memory_order_release);
}

/* A file session that moved data leaves a version, identified by what the file is at the
 * session's end (dev, inode, size, mtime): the collector hashes its content. */
static int sess_leaves_version(const struct pt_sess *s, const struct pt_sess_totals *t)
{
	return s->kind == PT_KIND_FILE && (t->wops || t->rops);
}

uint64_t pt_sess_replaced(int fd, struct stat *st)
{
	struct pt_sess *s = pt_sess_at(fd);
	struct pt_sess_totals t;
	uint64_t sid;

	if (!s || !(sid = atomic_load_explicit(&s->sid, memory_order_acquire)))
		return 0;
	pt_sess_totals(s, &t);
	if (!sess_leaves_version(s, &t) || pt_sys2(SYS_fstat, fd, st) < 0)
		return 0;
	return sid;
}

/* was: the session's id when st was read before a dup2 took the number away (0: none). */
static void sess_end(int fd, int how, uint64_t was, const struct stat *was_st)
{
	struct pt_sess *s = pt_sess_at(fd);
	uint64_t sid;
	struct pt_rec r;
	struct stat st;
	int have_st = 0;

	if (!s || !(sid = atomic_load_explicit(&s->sid, memory_order_acquire)))
		return;
	if (s->kind != PT_KIND_IGNORED) {
		struct pt_sess_totals t;
		pt_sess_totals(s, &t);
		if (was && was == sid) {
			st = *was_st;
			have_st = 1;
		} else if (sess_leaves_version(s, &t) && how != PT_CLOSE_EXEC &&
			   how != PT_CLOSE_DUP2) {
			/* after dup2 the number names another file: the identity, if any, was
			 * read before the call (pt_sess_replaced) */
			have_st = pt_sys2(SYS_fstat, fd, &st) == 0;
		}
		if (pt_rec_begin(&r, PT_EV_CLOSE, 17, 17 * 9) == 0) {
			pt_mpw_uint(&r.w, sid);
			pt_mpw_uint(&r.w, (uint64_t)fd);
			pt_mpw_uint(&r.w, t.rbytes);
			pt_mpw_uint(&r.w, t.rops);
			pt_mpw_uint(&r.w, t.wbytes);
			pt_mpw_uint(&r.w, t.wops);
			pt_mpw_uint(&r.w, s->rfirst);
			pt_mpw_uint(&r.w, s->rlast);
			pt_mpw_uint(&r.w, s->wfirst);
			pt_mpw_uint(&r.w, s->wlast);
			pt_mpw_uint(&r.w, t.rmax);
			pt_mpw_uint(&r.w, t.wmax);
			pt_mpw_uint(&r.w, have_st ? (uint64_t)st.st_dev : 0);
			pt_mpw_uint(&r.w, have_st ? (uint64_t)st.st_ino : 0);
			pt_mpw_uint(&r.w, have_st ? (uint64_t)st.st_size : 0);
			pt_mpw_uint(&r.w, have_st ? (uint64_t)st.st_mtim.tv_sec * 1000000000u +
							    (uint64_t)st.st_mtim.tv_nsec
						  : 0);
			pt_mpw_uint(&r.w, (uint64_t)how);
			pt_rec_end(&r);
		}
	}
	atomic_store_explicit(&s->sid, 0, memory_order_release);
}

void pt_sess_close(int fd, int how)
{
	sess_end(fd, how, 0, NULL);
}

void pt_sess_dup(int oldfd, int newfd, uint64_t was, const struct stat *was_st)
{
	struct pt_sess *o = pt_sess_at(oldfd), *n = pt_sess_at(newfd);
	uint64_t sid;
	struct pt_rec r;

	r.ts = 0;
	if (!n) {
		gap_fd_range(newfd);
		return;
	}
	if (atomic_load_explicit(&n->sid, memory_order_relaxed))
		sess_end(newfd, PT_CLOSE_DUP2, was, was_st);
	if (!o || !atomic_load_explicit(&o->sid, memory_order_acquire))
		return;      /* adopted lazily at the first operation */
	sid = atomic_fetch_add_explicit(&pt.hdr->next_sid, 1, memory_order_relaxed);
	if (o->kind != PT_KIND_IGNORED && pt_rec_begin(&r, PT_EV_DUP, 3, 32) == 0) {
		/* the new session continues the old one's object: the store links them */
		pt_mpw_uint(&r.w, sid);
		pt_mpw_uint(&r.w, atomic_load_explicit(&o->sid, memory_order_relaxed));
		pt_mpw_uint(&r.w, (uint64_t)newfd);
		pt_rec_end(&r);
	}
	sess_reset(n, (int)o->kind, (int)o->flags, r.ts);
	sess_hi(newfd);
	atomic_store_explicit(&n->sid, sid, memory_order_release);
}

/* A descriptor the shim never saw open (inherited from an untraced parent, received over
 * a socket, made by a call the shim does not wrap): name it by /proc/self/fd. */
struct pt_sess *pt_sess_adopt(int fd, int how)
{
	struct pt_sess *s = pt_sess_at(fd);
	char path[PATH_MAX];
	uint64_t ino = 0, sid;
	struct pt_rec r;
	int kind, n, e = errno;

	if (!s || !pt.enabled || pt_tls.busy)
		return NULL;
	kind = pt_fd_kind(fd, &ino);
	n = pt_fd_path(fd, path, sizeof path);
	if (n <= 0) {
		errno = e;
		return NULL;
	}
	if (kind == PT_KIND_OTHER || kind == PT_KIND_DIR ||
	    (kind != PT_KIND_PIPE && kind != PT_KIND_SOCKET && pt_path_excluded(path, (size_t)n)))
		kind = PT_KIND_IGNORED;
	sid = atomic_fetch_add_explicit(&pt.hdr->next_sid, 1, memory_order_relaxed);
	r.ts = 0;
	if (kind != PT_KIND_IGNORED && pt_rec_begin(&r, PT_EV_ADOPT, 5, 48 + (size_t)n) == 0) {
		pt_mpw_uint(&r.w, sid);
		pt_mpw_uint(&r.w, (uint64_t)fd);
		pt_mpw_bin(&r.w, path, (size_t)n);
		pt_mpw_uint(&r.w, (uint64_t)kind);
		pt_mpw_uint(&r.w, (uint64_t)how);
		pt_rec_end(&r);
	}
	sess_reset(s, kind, 0, r.ts);
	sess_hi(fd);
	atomic_store_explicit(&s->sid, sid, memory_order_release);
	errno = e;
	return s;
}

static void max_atomic(_Atomic uint64_t *m, uint64_t v)
{
	uint64_t cur = atomic_load_explicit(m, memory_order_relaxed);

	while (v > cur && !atomic_compare_exchange_weak_explicit(m, &cur, v, memory_order_relaxed,
								 memory_order_relaxed))
		;
}

/* Count an operation of n bytes (0 for a truncation) in s, from any thread, at time now:
 * the session's owner (the first thread to count in it) plainly, the others atomically.
 * The first operation in a direction sets its first time, whichever thread makes it. */
void pt_sess_count(struct pt_sess *s, uint64_t n, uint64_t end, int write, uint64_t now)
{
	uint32_t none = 0;

	if (!pt_tls.tid)
		pt_tls.tid = pt_sys_gettid();
	if (atomic_load_explicit(&s->owner, memory_order_relaxed) == 0)
		atomic_compare_exchange_strong_explicit(&s->owner, &none, (uint32_t)pt_tls.tid,
							memory_order_relaxed, memory_order_relaxed);
	uint64_t zero = 0, *first = write ? &s->wfirst : &s->rfirst;
	if (__atomic_load_n(first, __ATOMIC_RELAXED) == 0)
		__atomic_compare_exchange_n(first, &zero, now ? now : 1, 0, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
	if (atomic_load_explicit(&s->owner, memory_order_relaxed) == (uint32_t)pt_tls.tid) {
		if (write) {
			s->wops++;
			s->wbytes += n;
			s->wlast = now;
			if (end > s->wmax)
				s->wmax = end;
		} else {
			s->rops++;
			s->rbytes += n;
			s->rlast = now;
			if (end > s->rmax)
				s->rmax = end;
		}
		return;
	}
	if (write) {
		atomic_fetch_add_explicit(&s->xwops, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->xwbytes, n, memory_order_relaxed);
		s->wlast = now;   /* a time, not a sum: whichever thread wrote it last */
		if (end)
			max_atomic(&s->xwmax, end);
	} else {
		atomic_fetch_add_explicit(&s->xrops, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->xrbytes, n, memory_order_relaxed);
		s->rlast = now;
		if (end)
			max_atomic(&s->xrmax, end);
	}
}

/* The cold half of pt_io_read/pt_io_write (shim.h): the first operation of a session in
 * a direction, a descriptor the shim never saw open, an excluded file, a thread other
 * than the session's owner. */
__attribute__((cold, noinline)) void pt_io_first(int fd, ssize_t n, uint64_t end, int write)
{
	struct pt_sess *s = pt_sess_at(fd);
	uint64_t now;

	if (!s)
		return;
	if (atomic_load_explicit(&s->sid, memory_order_relaxed) == 0 && !(s = pt_sess_adopt(fd, 1)))
		return;
	if (s->kind == PT_KIND_IGNORED)
		return;
	/* another thread's operation in a session under way: its clock is recent enough, as
	 * on the owner's path */
	uint64_t first = write ? s->wfirst : s->rfirst;
	if (first && pt_tls.tid && atomic_load_explicit(&s->owner, memory_order_relaxed)) {
		pt_sess_count(s, (uint64_t)n, end, write, pt_tls.clock >= first ? pt_tls.clock : first);
		return;
	}
	now = pt_now();
	if (now > pt_tls.clock)
		pt_tls.clock = now;
	pt_sess_count(s, (uint64_t)n, end, write, now);
}

void pt_trace_io(int fd, int op, int64_t off, ssize_t len, uint64_t t0)
{
	struct pt_sess *s = pt_sess_at(fd);
	struct pt_rec r;
	uint64_t sid;
	int e = errno;

	if (!s || !(sid = atomic_load_explicit(&s->sid, memory_order_relaxed)) ||
	    s->kind == PT_KIND_IGNORED)
		return;
	if (pt_rec_begin(&r, PT_EV_IO, 5, 48) == 0) {
		pt_mpw_uint(&r.w, sid);
		pt_mpw_uint(&r.w, (uint64_t)op);
		pt_mpw_int(&r.w, off);
		pt_mpw_int(&r.w, len);
		pt_mpw_uint(&r.w, r.ts > t0 ? r.ts - t0 : 0);
		pt_rec_end(&r);
	}
	errno = e;
}

/* ---- call sites (PROVTRACE_STACKS=N): libunwind, loaded only when asked for */

#include <dlfcn.h>

static size_t stack_capture(uint64_t *ips, int max)
{
	static int (*bt)(void **, int);
	static _Atomic int state;   /* 0 unknown, 1 ready, -1 unavailable */
	void *frames[64];
	int n;

	if (atomic_load(&state) == 0) {
		void *h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
		bt = h ? (int (*)(void **, int))dlsym(h, "unw_backtrace") : NULL;
		atomic_store(&state, bt ? 1 : -1);
		if (!bt)
			pt_debug("PROVTRACE_STACKS: libunwind.so.8 not loadable");
	}
	if (atomic_load(&state) < 0)
		return 0;
	if (max > 64)
		max = 64;
	n = bt(frames, max);
	/* the first frames are the shim's own */
	int skip = n > 3 ? 3 : 0;
	for (int i = skip; i < n; i++)
		ips[i - skip] = (uint64_t)(uintptr_t)frames[i];
	return n > skip ? (size_t)(n - skip) : 0;
}
