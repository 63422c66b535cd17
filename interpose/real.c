/* real.c — finding the functions the wrappers stand in front of.
 * dlsym(RTLD_NEXT) keeps another preloaded tool's wrappers in the chain; while a lookup
 * is in progress (dlsym may call calloc, an allocator may open and read files) the
 * syscall-backed functions fall back to raw system calls instead of recursing. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/mman.h>

#include "shim.h"
#include "sys.h"

struct pt_real_table pt_real;

static const char *const real_names[PT_REAL_COUNT] = {
#define PT_WRAP(ret, name, params) #name,
#include "wrappers.def"
#undef PT_WRAP
};

static PT_TLS_IE int resolving;

/* ---- raw fallbacks, used only while dlsym itself is running */

static long raw_ret(long r)
{
	if (pt_sys_failed(r)) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static int raw_open(const char *path, int flags, ...)
{
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = va_arg(ap, int);
	va_end(ap);
	return (int)raw_ret(pt_sys4(SYS_openat, AT_FDCWD, path, flags, mode));
}

static int raw_openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = va_arg(ap, int);
	va_end(ap);
	return (int)raw_ret(pt_sys4(SYS_openat, dirfd, path, flags, mode));
}

static ssize_t raw_read(int fd, void *buf, size_t n)
{
	return raw_ret(pt_sys_read(fd, buf, n));
}

static ssize_t raw_write(int fd, const void *buf, size_t n)
{
	return raw_ret(pt_sys_write(fd, buf, n));
}

static ssize_t raw_pread(int fd, void *buf, size_t n, off_t off)
{
	return raw_ret(pt_sys4(SYS_pread64, fd, buf, n, off));
}

static int raw_close(int fd)
{
	return (int)raw_ret(pt_sys_close(fd));
}

static void *raw_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long r = (long)pt_sys_mmap(addr, len, prot, flags, fd, off);

	if (pt_sys_failed(r)) {
		errno = (int)-r;
		return MAP_FAILED;
	}
	return (void *)r;
}

static long raw_syscall(long nr, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return raw_ret(pt_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]));
}

static void *raw_fallback(unsigned idx)
{
	switch (idx) {
	case PT_REAL_open: case PT_REAL_open64: return (void *)raw_open;
	case PT_REAL_openat: case PT_REAL_openat64: return (void *)raw_openat;
	case PT_REAL_read: return (void *)raw_read;
	case PT_REAL_write: return (void *)raw_write;
	case PT_REAL_pread: case PT_REAL_pread64: return (void *)raw_pread;
	case PT_REAL_close: return (void *)raw_close;
	case PT_REAL_mmap: case PT_REAL_mmap64: return (void *)raw_mmap;
	case PT_REAL_syscall: return (void *)raw_syscall;
	default: return NULL;
	}
}

void *pt_real_resolve(unsigned idx)
{
	void **slot = (void **)&pt_real + idx;
	void *f;

	if (idx >= PT_REAL_COUNT)
		return NULL;
	if (*slot)
		return *slot;
	if (resolving)
		return raw_fallback(idx);
	resolving = 1;
	f = dlsym(RTLD_NEXT, real_names[idx]);
	resolving = 0;
	if (!f)
		f = raw_fallback(idx);
	__atomic_store_n(slot, f, __ATOMIC_RELEASE);
	return f;
}

/* Resolved at start-up: the functions a vfork child (Python's, dash's: close, dup2,
 * chdir, exec, _exit) or a signal handler (read, write) may call first, where dlsym,
 * which takes the loader's lock and may allocate, must not run.  The other ~120 resolve
 * on first use: a dlsym costs some 900 instructions, which a short process should not pay
 * for functions it never calls.  (A wrapper reached while a lookup is running falls back
 * to the raw system call: see raw_fallback.) */
static const unsigned early[] = {
	PT_REAL_read, PT_REAL_write, PT_REAL_close, PT_REAL_dup2, PT_REAL_execve,
	PT_REAL_execvpe, PT_REAL__exit, PT_REAL_chdir, PT_REAL_close_range,
	PT_REAL___libc_start_main,
};

void pt_real_resolve_all(void)
{
	for (unsigned i = 0; i < sizeof early / sizeof early[0]; i++)
		pt_real_resolve(early[i]);
}
