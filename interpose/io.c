/* io.c — wrappers for POSIX file I/O: the open family (fortified entry points included),
 * data on open descriptors (the hot path), descriptors, mmap, and the namespace. */
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

static int duped(int oldfd, int newfd)
{
	int e = errno;

	if (newfd >= 0 && newfd != oldfd && pt.enabled)
		pt_sess_dup(oldfd, newfd);
	errno = e;
	return newfd;
}

PT_API int dup(int fd) { return duped(fd, PT_REAL(dup)(fd)); }
PT_API int dup2(int fd, int nfd) { return duped(fd, PT_REAL(dup2)(fd, nfd)); }
PT_API int dup3(int fd, int nfd, int fl) { return duped(fd, PT_REAL(dup3)(fd, nfd, fl)); }

static int fcntl_done(int fd, int cmd, int r)
{
	if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		duped(fd, r);
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
