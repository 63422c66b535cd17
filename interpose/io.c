/* io.c — wrappers for POSIX file I/O: the open family (fortified entry points included),
 * data on open descriptors (the hot path), descriptors, mmap, the namespace, and the same
 * calls made through syscall(). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.h"
#include "sys.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* ---- opening */

static int open_kind(const char *path, int flags)
{
	if (flags & O_DIRECTORY)
		return PT_KIND_DIR;
	if (strncmp(path, "/dev/", 5) == 0 && strncmp(path, "/dev/shm/", 9) != 0)
		return PT_KIND_DEVICE;
	return PT_KIND_FILE;
}

/* Record a successful open of `path` (relative to dirfd) as descriptor fd. */
static void opened(int dirfd, const char *path, int flags, int mode, int fd, int call)
{
	char abs[PATH_MAX];
	size_t n;
	int e = errno;

	if (fd < 0 || !pt.enabled || pt_vforked || !path)
		return;
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		int k = pt_fd_path(fd, abs, sizeof abs);   /* "/dir/#123 (deleted)" */
		n = k > 0 ? (size_t)k : 0;
	} else {
		n = pt_path_abs(dirfd, path, abs, sizeof abs);
	}
	if (n)
		pt_sess_open(fd, abs, n, flags, mode, open_kind(abs, flags), call);
	else
		pt_sess_adopt(fd, 0);
	errno = e;
}

static inline int needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

#define VA_MODE(flags, last)                                                              \
	({                                                                               \
		int m_ = 0;                                                              \
		if (needs_mode(flags)) {                                                 \
			va_list ap_;                                                     \
			va_start(ap_, last);                                             \
			m_ = va_arg(ap_, int);                                           \
			va_end(ap_);                                                     \
		}                                                                        \
		m_;                                                                      \
	})

PT_API int open(const char *path, int flags, ...)
{
	int mode = VA_MODE(flags, flags);
	int fd = PT_REAL(open)(path, flags, mode);

	opened(AT_FDCWD, path, flags, mode, fd, PT_CALL_OPEN);
	return fd;
}

PT_API int open64(const char *path, int flags, ...)
{
	int mode = VA_MODE(flags, flags);
	int fd = PT_REAL(open64)(path, flags, mode);

	opened(AT_FDCWD, path, flags, mode, fd, PT_CALL_OPEN);
	return fd;
}

PT_API int openat(int dirfd, const char *path, int flags, ...)
{
	int mode = VA_MODE(flags, flags);
	int fd = PT_REAL(openat)(dirfd, path, flags, mode);

	opened(dirfd, path, flags, mode, fd, PT_CALL_OPENAT);
	return fd;
}

PT_API int openat64(int dirfd, const char *path, int flags, ...)
{
	int mode = VA_MODE(flags, flags);
	int fd = PT_REAL(openat64)(dirfd, path, flags, mode);

	opened(dirfd, path, flags, mode, fd, PT_CALL_OPENAT);
	return fd;
}

PT_API int creat(const char *path, mode_t mode)
{
	int fd = PT_REAL(creat)(path, mode);

	opened(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, (int)mode, fd, PT_CALL_CREAT);
	return fd;
}

PT_API int creat64(const char *path, mode_t mode)
{
	int fd = PT_REAL(creat64)(path, mode);

	opened(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, (int)mode, fd, PT_CALL_CREAT);
	return fd;
}

/* -D_FORTIFY_SOURCE=2 turns open(path, flags) without a mode into these; glibc's own
 * __open_2 calls its internal open, so each access is recorded here, once. */
PT_API int __open_2(const char *path, int flags)
{
	int fd = PT_REAL(__open_2)(path, flags);

	opened(AT_FDCWD, path, flags, 0, fd, PT_CALL_OPEN_2);
	return fd;
}

PT_API int __open64_2(const char *path, int flags)
{
	int fd = PT_REAL(__open64_2)(path, flags);

	opened(AT_FDCWD, path, flags, 0, fd, PT_CALL_OPEN_2);
	return fd;
}

PT_API int __openat_2(int dirfd, const char *path, int flags)
{
	int fd = PT_REAL(__openat_2)(dirfd, path, flags);

	opened(dirfd, path, flags, 0, fd, PT_CALL_OPEN_2);
	return fd;
}

PT_API int __openat64_2(int dirfd, const char *path, int flags)
{
	int fd = PT_REAL(__openat64_2)(dirfd, path, flags);

	opened(dirfd, path, flags, 0, fd, PT_CALL_OPEN_2);
	return fd;
}

/* mkstemp and friends open through glibc's internals: the template holds the name. */
static int made_temp(char *tmpl, int fd, int flags)
{
	opened(AT_FDCWD, tmpl, O_RDWR | O_CREAT | O_EXCL | flags, 0600, fd, PT_CALL_MKSTEMP);
	return fd;
}

PT_API int mkstemp(char *t) { return made_temp(t, PT_REAL(mkstemp)(t), 0); }
PT_API int mkstemp64(char *t) { return made_temp(t, PT_REAL(mkstemp64)(t), 0); }
PT_API int mkostemp(char *t, int fl) { return made_temp(t, PT_REAL(mkostemp)(t, fl), fl); }
PT_API int mkostemp64(char *t, int fl) { return made_temp(t, PT_REAL(mkostemp64)(t, fl), fl); }
PT_API int mkstemps(char *t, int sfx) { return made_temp(t, PT_REAL(mkstemps)(t, sfx), 0); }
PT_API int mkostemps(char *t, int sfx, int fl)
{
	return made_temp(t, PT_REAL(mkostemps)(t, sfx, fl), fl);
}

/* ---- data on an open descriptor: the hot path.  Each wrapper is the real call plus a
 * few loads and stores into the descriptor's session; trace mode adds one record. */

static inline uint64_t trace_t0(void)
{
	return pt_unlikely(pt.trace) ? pt_now() : 0;
}

/* The counting helpers leave errno alone by construction (no libc call that can fail on
 * the fast path; pt_sess_adopt and pt_trace_io save it themselves), so these skip the
 * errno save and restore that would cost a call to __errno_location per operation. */
static inline ssize_t did_read(int fd, ssize_t r, int op, int64_t off, uint64_t t0)
{
	pt_io_read(fd, r, off >= 0 && r > 0 ? (uint64_t)off + (uint64_t)r : 0);
	if (pt_unlikely(t0))
		pt_trace_io(fd, op, off, r, t0);
	return r;
}

static inline ssize_t did_write(int fd, ssize_t r, int op, int64_t off, uint64_t t0)
{
	pt_io_write(fd, r, off >= 0 && r > 0 ? (uint64_t)off + (uint64_t)r : 0);
	if (pt_unlikely(t0))
		pt_trace_io(fd, op, off, r, t0);
	return r;
}

PT_API ssize_t read(int fd, void *buf, size_t n)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(read)(fd, buf, n), PT_IO_READ, -1, t0);
}

PT_API ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(__read_chk)(fd, buf, n, buflen), PT_IO_READ, -1, t0);
}

PT_API ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(pread)(fd, buf, n, off), PT_IO_PREAD, off, t0);
}

PT_API ssize_t pread64(int fd, void *buf, size_t n, off64_t off)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(pread64)(fd, buf, n, off), PT_IO_PREAD, off, t0);
}

PT_API ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(__pread_chk)(fd, buf, n, off, buflen), PT_IO_PREAD, off, t0);
}

PT_API ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(__pread64_chk)(fd, buf, n, off, buflen), PT_IO_PREAD, off,
			t0);
}

PT_API ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(readv)(fd, iov, cnt), PT_IO_READV, -1, t0);
}

PT_API ssize_t preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(preadv)(fd, iov, cnt, off), PT_IO_PREADV, off, t0);
}

PT_API ssize_t preadv64(int fd, const struct iovec *iov, int cnt, off64_t off)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(preadv64)(fd, iov, cnt, off), PT_IO_PREADV, off, t0);
}

PT_API ssize_t preadv2(int fd, const struct iovec *iov, int cnt, off_t off, int fl)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(preadv2)(fd, iov, cnt, off, fl), PT_IO_PREADV, off, t0);
}

PT_API ssize_t preadv64v2(int fd, const struct iovec *iov, int cnt, off64_t off, int fl)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(preadv64v2)(fd, iov, cnt, off, fl), PT_IO_PREADV, off, t0);
}

PT_API ssize_t write(int fd, const void *buf, size_t n)
{
	uint64_t t0 = trace_t0();
	return did_write(fd, PT_REAL(write)(fd, buf, n), PT_IO_WRITE, -1, t0);
}

PT_API ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	uint64_t t0 = trace_t0();
	return did_write(fd, PT_REAL(pwrite)(fd, buf, n, off), PT_IO_PWRITE, off, t0);
}

PT_API ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	uint64_t t0 = trace_t0();
	return did_write(fd, PT_REAL(pwrite64)(fd, buf, n, off), PT_IO_PWRITE, off, t0);
}

PT_API ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	uint64_t t0 = trace_t0();
	return did_write(fd, PT_REAL(writev)(fd, iov, cnt), PT_IO_WRITEV, -1, t0);
}

PT_API ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	uint64_t t0 = trace_t0();
	return did_write(fd, PT_REAL(pwritev)(fd, iov, cnt, off), PT_IO_PWRITEV, off, t0);
}

PT_API ssize_t pwritev64(int fd, const struct iovec *iov, int cnt, off64_t off)
{
	uint64_t t0 = trace_t0();
	return did_write(fd, PT_REAL(pwritev64)(fd, iov, cnt, off), PT_IO_PWRITEV, off, t0);
}

PT_API ssize_t pwritev2(int fd, const struct iovec *iov, int cnt, off_t off, int fl)
{
	uint64_t t0 = trace_t0();
	return did_write(fd, PT_REAL(pwritev2)(fd, iov, cnt, off, fl), PT_IO_PWRITEV, off, t0);
}

PT_API ssize_t pwritev64v2(int fd, const struct iovec *iov, int cnt, off64_t off, int fl)
{
	uint64_t t0 = trace_t0();
	return did_write(fd, PT_REAL(pwritev64v2)(fd, iov, cnt, off, fl), PT_IO_PWRITEV, off,
			 t0);
}

PT_API ssize_t recv(int fd, void *buf, size_t n, int fl)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(recv)(fd, buf, n, fl), PT_IO_READ, -1, t0);
}

PT_API ssize_t recvfrom(int fd, void *buf, size_t n, int fl, struct sockaddr *a, socklen_t *al)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(recvfrom)(fd, buf, n, fl, a, al), PT_IO_READ, -1, t0);
}

PT_API ssize_t recvmsg(int fd, struct msghdr *m, int fl)
{
	uint64_t t0 = trace_t0();
	return did_read(fd, PT_REAL(recvmsg)(fd, m, fl), PT_IO_READV, -1, t0);
}

PT_API ssize_t send(int fd, const void *buf, size_t n, int fl)
{
	uint64_t t0 = trace_t0();
	return did_write(fd, PT_REAL(send)(fd, buf, n, fl), PT_IO_WRITE, -1, t0);
}

PT_API ssize_t sendto(int fd, const void *buf, size_t n, int fl, const struct sockaddr *a,
		      socklen_t al)
{
	uint64_t t0 = trace_t0();
	return did_write(fd, PT_REAL(sendto)(fd, buf, n, fl, a, al), PT_IO_WRITE, -1, t0);
}

PT_API ssize_t sendmsg(int fd, const struct msghdr *m, int fl)
{
	uint64_t t0 = trace_t0();
	return did_write(fd, PT_REAL(sendmsg)(fd, m, fl), PT_IO_WRITEV, -1, t0);
}

/* In-kernel copies: a read of `in` and a write of `out` by this process. */
static ssize_t copied(int in, int out, ssize_t r, int op, uint64_t t0)
{
	int e = errno;

	pt_io_read(in, r, 0);
	pt_io_write(out, r, 0);
	if (pt_unlikely(t0)) {
		pt_trace_io(in, op, -1, r, t0);
		pt_trace_io(out, op, -1, r, t0);
	}
	errno = e;
	return r;
}

PT_API ssize_t sendfile(int out, int in, off_t *off, size_t n)
{
	uint64_t t0 = trace_t0();
	return copied(in, out, PT_REAL(sendfile)(out, in, off, n), PT_IO_SENDFILE, t0);
}

PT_API ssize_t sendfile64(int out, int in, off64_t *off, size_t n)
{
	uint64_t t0 = trace_t0();
	return copied(in, out, PT_REAL(sendfile64)(out, in, off, n), PT_IO_SENDFILE, t0);
}

PT_API ssize_t copy_file_range(int in, off64_t *inoff, int out, off64_t *outoff, size_t n,
			       unsigned int fl)
{
	uint64_t t0 = trace_t0();
	return copied(in, out, PT_REAL(copy_file_range)(in, inoff, out, outoff, n, fl),
		      PT_IO_COPY, t0);
}

PT_API ssize_t splice(int in, off64_t *inoff, int out, off64_t *outoff, size_t n,
		      unsigned int fl)
{
	uint64_t t0 = trace_t0();
	return copied(in, out, PT_REAL(splice)(in, inoff, out, outoff, n, fl), PT_IO_COPY, t0);
}

/* A file mapping is a read of the mapped length; a shared writable one also a write. */
static void *mapped(void *p, size_t len, int prot, int flags, int fd, int64_t off)
{
	struct pt_sess *s;
	struct pt_rec r;
	int e = errno;

	if (p == MAP_FAILED || fd < 0 || (flags & MAP_ANONYMOUS) || !pt.enabled)
		return p;
	s = pt_sess_at(fd);
	if (s && !atomic_load_explicit(&s->sid, memory_order_relaxed))
		s = pt_sess_adopt(fd, 1);
	if (s && s->kind != PT_KIND_IGNORED) {
		if (pt_rec_begin(&r, PT_EV_MMAP, 5, 48) == 0) {
			pt_mpw_uint(&r.w, atomic_load_explicit(&s->sid, memory_order_relaxed));
			pt_mpw_uint(&r.w, len);
			pt_mpw_int(&r.w, off);
			pt_mpw_uint(&r.w, (uint64_t)(unsigned)prot);
			pt_mpw_uint(&r.w, (uint64_t)(unsigned)flags);
			pt_rec_end(&r);
		}
		if (prot & PROT_READ)
			pt_io_read(fd, (ssize_t)len, (uint64_t)off + len);
		if ((prot & PROT_WRITE) && (flags & MAP_SHARED))
			pt_io_write(fd, (ssize_t)len, (uint64_t)off + len);
	}
	errno = e;
	return p;
}

PT_API void *mmap(void *a, size_t len, int prot, int flags, int fd, off_t off)
{
	return mapped(PT_REAL(mmap)(a, len, prot, flags, fd, off), len, prot, flags, fd, off);
}

PT_API void *mmap64(void *a, size_t len, int prot, int flags, int fd, off64_t off)
{
	return mapped(PT_REAL(mmap64)(a, len, prot, flags, fd, off), len, prot, flags, fd, off);
}

/* ---- descriptors */

/* was, st: newfd's session as pt_sess_replaced read it before a dup2 or dup3 */
static int duped(int oldfd, int newfd, uint64_t was, const struct stat *st)
{
	int e = errno;

	if (newfd >= 0 && newfd != oldfd && pt.enabled)
		pt_sess_dup(oldfd, newfd, was, st);
	errno = e;
	return newfd;
}

PT_API int dup(int fd) { return duped(fd, PT_REAL(dup)(fd), 0, NULL); }

/* dup2 and dup3 close what nfd named: when that was a session, its file's identity is
 * read first, as close does.  Out of line, so that the common call (nothing on nfd) keeps
 * a frame without the 144 bytes of a struct stat. */
static __attribute__((noinline)) int dup_onto_session(int fd, int nfd, int fl, int three)
{
	struct stat st;
	uint64_t was = pt_sess_replaced(nfd, &st);

	return duped(fd, three ? PT_REAL(dup3)(fd, nfd, fl) : PT_REAL(dup2)(fd, nfd), was, &st);
}

PT_API int dup2(int fd, int nfd)
{
	if (pt_unlikely(fd != nfd && pt_sess_live(nfd)))
		return dup_onto_session(fd, nfd, 0, 0);
	return duped(fd, PT_REAL(dup2)(fd, nfd), 0, NULL);
}

PT_API int dup3(int fd, int nfd, int fl)
{
	if (pt_unlikely(fd != nfd && pt_sess_live(nfd)))
		return dup_onto_session(fd, nfd, fl, 1);
	return duped(fd, PT_REAL(dup3)(fd, nfd, fl), 0, NULL);
}

static int fcntl_done(int fd, int cmd, int r)
{
	if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		duped(fd, r, 0, NULL);
	return r;
}

PT_API int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_done(fd, cmd, PT_REAL(fcntl)(fd, cmd, arg));
}

PT_API int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_done(fd, cmd, PT_REAL(fcntl64)(fd, cmd, arg));
}

/* Sessions end before the real close: afterwards another thread may reuse the number. */
PT_API int close(int fd)
{
	int e = errno;

	if (pt.enabled)
		pt_sess_close(fd, PT_CLOSE_CLOSE);
	errno = e;
	return PT_REAL(close)(fd);
}

static void closing_range(unsigned first, unsigned last)
{
	uint32_t hi;
	int e = errno;

	if (!pt.enabled || pt_vforked)
		return;
	hi = atomic_load_explicit(&pt.hdr->sess_hi, memory_order_relaxed);
	for (unsigned fd = first; fd < hi && fd <= last; fd++)
		pt_sess_close((int)fd, PT_CLOSE_RANGE);
	errno = e;
}

PT_API int close_range(unsigned int first, unsigned int last, int flags)
{
	if (!(flags & CLOSE_RANGE_CLOEXEC))
		closing_range(first, last);
	return PT_REAL(close_range)(first, last, flags);
}

PT_API void closefrom(int lowfd)
{
	closing_range(lowfd < 0 ? 0 : (unsigned)lowfd, ~0u);
	PT_REAL(closefrom)(lowfd);
}

/* ---- the namespace */

static void path_record(int type, int dirfd, const char *path, uint64_t arg, int has_arg)
{
	char abs[PATH_MAX];
	size_t n;
	struct pt_rec r;
	int e = errno;

	if (!pt.enabled || pt_vforked || !(n = pt_path_abs(dirfd, path, abs, sizeof abs)))
		return;
	if (!pt_path_excluded(abs, n) &&
	    pt_rec_begin(&r, type, has_arg ? 2u : 1u, 16 + n) == 0) {
		pt_mpw_bin(&r.w, abs, n);
		if (has_arg)
			pt_mpw_uint(&r.w, arg);
		pt_rec_end(&r);
	}
	errno = e;
}

/* RENAME and LINK: two paths (symlink's target is kept as written). */
static void two_paths(int type, int fd1, const char *p1, int fd2, const char *p2, int sym)
{
	char a[PATH_MAX], b[PATH_MAX];
	size_t na, nb;
	struct pt_rec r;
	int e = errno;

	if (!pt.enabled || pt_vforked)
		return;
	if (sym) {
		na = strnlen(p1, sizeof a - 1);
		memcpy(a, p1, na);
	} else if (!(na = pt_path_abs(fd1, p1, a, sizeof a))) {
		goto out;
	}
	if (!(nb = pt_path_abs(fd2, p2, b, sizeof b)))
		goto out;
	if (pt_path_excluded(b, nb))
		goto out;
	if (pt_rec_begin(&r, type, type == PT_EV_LINK ? 3 : 2, 24 + na + nb) == 0) {
		pt_mpw_bin(&r.w, a, na);
		pt_mpw_bin(&r.w, b, nb);
		if (type == PT_EV_LINK)
			pt_mpw_uint(&r.w, (uint64_t)sym);
		pt_rec_end(&r);
	}
out:
	errno = e;
}

PT_API int rename(const char *from, const char *to)
{
	int r = PT_REAL(rename)(from, to);
	if (r == 0)
		two_paths(PT_EV_RENAME, AT_FDCWD, from, AT_FDCWD, to, 0);
	return r;
}

PT_API int renameat(int fd1, const char *from, int fd2, const char *to)
{
	int r = PT_REAL(renameat)(fd1, from, fd2, to);
	if (r == 0)
		two_paths(PT_EV_RENAME, fd1, from, fd2, to, 0);
	return r;
}

PT_API int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned int fl)
{
	int r = PT_REAL(renameat2)(fd1, from, fd2, to, fl);
	if (r == 0)
		two_paths(PT_EV_RENAME, fd1, from, fd2, to, 0);
	return r;
}

PT_API int link(const char *from, const char *to)
{
	int r = PT_REAL(link)(from, to);
	if (r == 0)
		two_paths(PT_EV_LINK, AT_FDCWD, from, AT_FDCWD, to, 0);
	return r;
}

PT_API int linkat(int fd1, const char *from, int fd2, const char *to, int fl)
{
	int r = PT_REAL(linkat)(fd1, from, fd2, to, fl);
	if (r == 0)
		two_paths(PT_EV_LINK, fd1, from, fd2, to, 0);
	return r;
}

PT_API int symlink(const char *target, const char *to)
{
	int r = PT_REAL(symlink)(target, to);
	if (r == 0)
		two_paths(PT_EV_LINK, AT_FDCWD, target, AT_FDCWD, to, 1);
	return r;
}

PT_API int symlinkat(const char *target, int fd, const char *to)
{
	int r = PT_REAL(symlinkat)(target, fd, to);
	if (r == 0)
		two_paths(PT_EV_LINK, AT_FDCWD, target, fd, to, 1);
	return r;
}

PT_API int unlink(const char *path)
{
	int r = PT_REAL(unlink)(path);
	if (r == 0)
		path_record(PT_EV_UNLINK, AT_FDCWD, path, 0, 1);
	return r;
}

PT_API int unlinkat(int fd, const char *path, int fl)
{
	int r = PT_REAL(unlinkat)(fd, path, fl);
	if (r == 0)
		path_record(PT_EV_UNLINK, fd, path, (fl & AT_REMOVEDIR) ? 1 : 0, 1);
	return r;
}

PT_API int rmdir(const char *path)
{
	int r = PT_REAL(rmdir)(path);
	if (r == 0)
		path_record(PT_EV_UNLINK, AT_FDCWD, path, 1, 1);
	return r;
}

PT_API int mkdir(const char *path, mode_t mode)
{
	int r = PT_REAL(mkdir)(path, mode);
	if (r == 0)
		path_record(PT_EV_MKDIR, AT_FDCWD, path, mode, 1);
	return r;
}

PT_API int mkdirat(int fd, const char *path, mode_t mode)
{
	int r = PT_REAL(mkdirat)(fd, path, mode);
	if (r == 0)
		path_record(PT_EV_MKDIR, fd, path, mode, 1);
	return r;
}

/* TRUNCATE: [path, sid, length]; truncate(2) names a path, ftruncate(2) a session. */
static void truncated(const char *path, int fd, int64_t len)
{
	char abs[PATH_MAX];
	size_t n = 0;
	struct pt_sess *s = NULL;
	struct pt_rec r;
	int e = errno;

	if (!pt.enabled || pt_vforked)
		return;
	if (path) {
		if (!(n = pt_path_abs(AT_FDCWD, path, abs, sizeof abs)) || pt_path_excluded(abs, n))
			goto out;
	} else {
		s = pt_sess_at(fd);
		if (s && !atomic_load_explicit(&s->sid, memory_order_relaxed))
			s = pt_sess_adopt(fd, 1);
		if (!s || s->kind == PT_KIND_IGNORED)
			goto out;
	}
	if (pt_rec_begin(&r, PT_EV_TRUNCATE, 3, 32 + n) == 0) {
		pt_mpw_bin(&r.w, abs, n);
		pt_mpw_uint(&r.w, s ? atomic_load_explicit(&s->sid, memory_order_relaxed) : 0);
		pt_mpw_int(&r.w, len);
		pt_rec_end(&r);
	}
	/* truncation changes the content: it counts as a write of the session */
	if (s)
		pt_sess_count(s, 0, 0, 1, r.ts ? r.ts : pt_now());
out:
	errno = e;
}

PT_API int truncate(const char *path, off_t len)
{
	int r = PT_REAL(truncate)(path, len);
	if (r == 0)
		truncated(path, -1, len);
	return r;
}

PT_API int truncate64(const char *path, off64_t len)
{
	int r = PT_REAL(truncate64)(path, len);
	if (r == 0)
		truncated(path, -1, len);
	return r;
}

PT_API int ftruncate(int fd, off_t len)
{
	int r = PT_REAL(ftruncate)(fd, len);
	if (r == 0)
		truncated(NULL, fd, len);
	return r;
}

PT_API int ftruncate64(int fd, off64_t len)
{
	int r = PT_REAL(ftruncate64)(fd, len);
	if (r == 0)
		truncated(NULL, fd, len);
	return r;
}

PT_API int chdir(const char *path)
{
	int r = PT_REAL(chdir)(path);
	int e = errno;

	if (r == 0 && pt.enabled && !pt_vforked)
		pt_cwd_refresh();
	errno = e;
	return r;
}

PT_API int fchdir(int fd)
{
	int r = PT_REAL(fchdir)(fd);
	int e = errno;

	if (r == 0 && pt.enabled && !pt_vforked)
		pt_cwd_refresh();
	errno = e;
	return r;
}

/* ---- syscall(): the file system calls a program makes through libc's generic entry
 * point.  The call is made as asked (never through the wrapper of its name: read() is a
 * cancellation point, syscall() is not), then recorded as that wrapper records it.  File
 * calls the shim cannot follow are a gap, once per image; system calls made without libc
 * (inline assembly, Go's runtime) are not seen at all. */

#ifndef CLONE_VM
#define CLONE_VM 0x00000100
#define CLONE_VFORK 0x00004000
#define CLONE_THREAD 0x00010000
#endif

struct pt_open_how { uint64_t flags, mode, resolve; };   /* openat2(2)'s struct open_how */

/* Before the call: what ends or begins with it.  A dup2 or dup3 returns what
 * pt_sess_replaced read of the session it ends (*st), for syscall_after. */
static uint64_t syscall_before(long nr, const long a[6], struct stat *st)
{
	switch (nr) {
	case SYS_close:
		if (pt.enabled)
			pt_sess_close((int)a[0], PT_CLOSE_CLOSE);
		break;
#ifdef SYS_dup2
	case SYS_dup2:
#endif
	case SYS_dup3:
		if (a[0] != a[1] && pt_sess_live((int)a[1]))
			return pt_sess_replaced((int)a[1], st);
		break;
	case SYS_close_range:
		if (!(a[2] & CLOSE_RANGE_CLOEXEC))
			closing_range((unsigned)a[0], (unsigned)a[1]);
		break;
	case SYS_exit_group:
		pt_record_exit(PT_EXIT__EXIT, (int)((a[0] & 0xff) << 8));
		pt_record_libs();
		break;
	default:
		break;
	}
	return 0;
}

/* A fork the atfork handlers do not see: the child needs a region of its own before
 * its first event. */
static int raw_fork(long nr, const long a[6])
{
#ifdef SYS_fork
	if (nr == SYS_fork)
		return 1;
#endif
	return nr == SYS_clone && !(a[0] & (CLONE_VM | CLONE_VFORK | CLONE_THREAD)) && a[1] == 0;
}

static void aio_gap(const char *call)
{
	char d[128];

	if (pt_vforked || __atomic_exchange_n(&pt.aio_said, 1, __ATOMIC_ACQ_REL))
		return;
	snprintf(d, sizeof d, "syscall(SYS_%s): Linux AIO: the file operations it submits "
		 "are not recorded", call);
	pt_gap(PT_GAP_RAW_SYSCALL, d);
}

/* After a successful call (r >= 0): the record its wrapper would make (was, st: from
 * syscall_before). */
static void syscall_after(long nr, const long a[6], long r, uint64_t t0, uint64_t was,
			  const struct stat *st)
{
	int fd0 = (int)a[0];
	const char *p0 = (const char *)a[0], *p1 = (const char *)a[1];

	switch (nr) {
#ifdef SYS_open
	case SYS_open:
		opened(AT_FDCWD, p0, (int)a[1], needs_mode((int)a[1]) ? (int)a[2] : 0, (int)r,
		       PT_CALL_OPEN);
		break;
	case SYS_creat:
		opened(AT_FDCWD, p0, O_CREAT | O_WRONLY | O_TRUNC, (int)a[1], (int)r, PT_CALL_CREAT);
		break;
#endif
	case SYS_openat:
		opened(fd0, p1, (int)a[2], needs_mode((int)a[2]) ? (int)a[3] : 0, (int)r,
		       PT_CALL_OPENAT);
		break;
#ifdef SYS_openat2
	case SYS_openat2: {
		const struct pt_open_how *how = (const struct pt_open_how *)a[2];
		opened(fd0, p1, (int)how->flags, (int)how->mode, (int)r, PT_CALL_OPENAT2);
		break;
	}
#endif
	case SYS_open_by_handle_at: {
		struct pt_sess *s = pt_sess_at((int)r);
		if (s && !atomic_load_explicit(&s->sid, memory_order_relaxed))
			pt_sess_adopt((int)r, 0);
		break;
	}
	case SYS_read:
		did_read(fd0, r, PT_IO_READ, -1, t0);
		break;
	case SYS_write:
		did_write(fd0, r, PT_IO_WRITE, -1, t0);
		break;
	case SYS_pread64:
		did_read(fd0, r, PT_IO_PREAD, a[3], t0);
		break;
	case SYS_pwrite64:
		did_write(fd0, r, PT_IO_PWRITE, a[3], t0);
		break;
	case SYS_readv:
	case SYS_recvmsg:
		did_read(fd0, r, PT_IO_READV, -1, t0);
		break;
	case SYS_writev:
	case SYS_sendmsg:
		did_write(fd0, r, PT_IO_WRITEV, -1, t0);
		break;
	case SYS_recvfrom:
		did_read(fd0, r, PT_IO_READ, -1, t0);
		break;
	case SYS_sendto:
		did_write(fd0, r, PT_IO_WRITE, -1, t0);
		break;
	/* the offset is pos_l (all of it on a 64-bit system); -1 with the v2 forms: the
	 * file position */
	case SYS_preadv:
	case SYS_preadv2:
		did_read(fd0, r, PT_IO_PREADV, a[3], t0);
		break;
	case SYS_pwritev:
	case SYS_pwritev2:
		did_write(fd0, r, PT_IO_PWRITEV, a[3], t0);
		break;
	case SYS_sendfile:
		copied((int)a[1], fd0, r, PT_IO_SENDFILE, t0);
		break;
	case SYS_copy_file_range:
	case SYS_splice:
		copied(fd0, (int)a[2], r, PT_IO_COPY, t0);
		break;
	case SYS_mmap:
		mapped((void *)r, (size_t)a[1], (int)a[2], (int)a[3], (int)a[4], a[5]);
		break;
#ifdef SYS_dup2
	case SYS_dup2:
#endif
	case SYS_dup:
	case SYS_dup3:
		duped(fd0, (int)r, was, st);
		break;
	case SYS_fcntl:
		fcntl_done(fd0, (int)a[1], (int)r);
		break;
#ifdef SYS_rename
	case SYS_rename:
		two_paths(PT_EV_RENAME, AT_FDCWD, p0, AT_FDCWD, p1, 0);
		break;
	case SYS_link:
		two_paths(PT_EV_LINK, AT_FDCWD, p0, AT_FDCWD, p1, 0);
		break;
	case SYS_symlink:
		two_paths(PT_EV_LINK, AT_FDCWD, p0, AT_FDCWD, p1, 1);
		break;
	case SYS_unlink:
		path_record(PT_EV_UNLINK, AT_FDCWD, p0, 0, 1);
		break;
	case SYS_rmdir:
		path_record(PT_EV_UNLINK, AT_FDCWD, p0, 1, 1);
		break;
	case SYS_mkdir:
		path_record(PT_EV_MKDIR, AT_FDCWD, p0, (uint64_t)a[1], 1);
		break;
#endif
	case SYS_renameat:
	case SYS_renameat2:
		two_paths(PT_EV_RENAME, fd0, p1, (int)a[2], (const char *)a[3], 0);
		break;
	case SYS_linkat:
		two_paths(PT_EV_LINK, fd0, p1, (int)a[2], (const char *)a[3], 0);
		break;
	case SYS_symlinkat:
		two_paths(PT_EV_LINK, AT_FDCWD, p0, (int)a[1], (const char *)a[2], 1);
		break;
	case SYS_unlinkat:
		path_record(PT_EV_UNLINK, fd0, p1, (a[2] & AT_REMOVEDIR) ? 1 : 0, 1);
		break;
	case SYS_mkdirat:
		path_record(PT_EV_MKDIR, fd0, p1, (uint64_t)a[2], 1);
		break;
	case SYS_truncate:
		truncated(p0, -1, a[1]);
		break;
	case SYS_ftruncate:
		truncated(NULL, fd0, a[1]);
		break;
	case SYS_chdir:
	case SYS_fchdir:
		pt_cwd_refresh();
		break;
	case SYS_io_uring_setup:
		pt_gap_uring("syscall(SYS_io_uring_setup)");
		break;
	case SYS_io_uring_enter:
		pt_gap_uring("syscall(SYS_io_uring_enter)");
		break;
	case SYS_io_uring_register:
		pt_gap_uring("syscall(SYS_io_uring_register)");
		break;
	case SYS_io_setup:
		aio_gap("io_setup");
		break;
	case SYS_io_submit:
		aio_gap("io_submit");
		break;
	default:
		break;
	}
}

PT_API long syscall(long nr, ...)
{
	va_list ap;
	long a[6], r;
	uint64_t t0, was = 0;
	struct stat st;
	int e, fork_ = 0;

	/* the kernel takes six arguments: read what the caller may not have passed, as
	 * glibc's own syscall() does, and hand them on unchanged */
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	/* A vfork child would come back through this frame on its parent's stack and spoil
	 * it for the parent's return: make it a fork, as vfork's contract allows. */
#ifdef SYS_vfork
	if (nr == SYS_vfork)
		nr = SYS_fork;
#endif
	if (nr == SYS_clone && (a[0] & CLONE_VFORK) && a[1] == 0)
		a[0] &= ~(long)(CLONE_VM | CLONE_VFORK);
	if (pt.enabled && !pt_vforked) {
		e = errno;
		was = syscall_before(nr, a, &st);
		if ((fork_ = raw_fork(nr, a)))
			pt_tls.fork_ns = pt_now();
		errno = e;
	}
	t0 = trace_t0();
	r = PT_REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (r < 0 || !pt.enabled || pt_vforked)
		return r;
	e = errno;
	if (fork_ && r == 0)
		pt_fork_child();
	else if (fork_)
		pt_record_fork((pid_t)r);
	else
		syscall_after(nr, a, r, t0, was, &st);
	errno = e;
	return r;
}
