/* sys.h — the shim's own system calls, made directly so that they never pass through
 * its wrappers (nor another preloaded tool's).  Each returns -errno on failure and leaves
 * the program's errno alone.
 */
#ifndef PT_SYS_H
#define PT_SYS_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Raw syscall without errno: the kernel's return value as is. */
static inline long pt_sys6(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
#if defined(__x86_64__)
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	ret = x0;
#else
#error "provtrace: add the raw system call sequence for this architecture"
#endif
	return ret;
}

#define pt_sys0(n)             pt_sys6((n), 0, 0, 0, 0, 0, 0)
#define pt_sys1(n, a)          pt_sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define pt_sys2(n, a, b)       pt_sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define pt_sys3(n, a, b, c)    pt_sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define pt_sys4(n, a, b, c, d) pt_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static inline int pt_sys_open(const char *path, int flags, int mode)
{
	return (int)pt_sys4(SYS_openat, AT_FDCWD, path, flags, mode);
}

static inline long pt_sys_read(int fd, void *buf, size_t n)
{
	return pt_sys3(SYS_read, fd, buf, n);
}

static inline long pt_sys_write(int fd, const void *buf, size_t n)
{
	return pt_sys3(SYS_write, fd, buf, n);
}

static inline int pt_sys_close(int fd)
{
	return (int)pt_sys1(SYS_close, fd);
}

static inline long pt_sys_readlink(const char *path, char *buf, size_t n)
{
	return pt_sys4(SYS_readlinkat, AT_FDCWD, path, buf, n);
}

static inline int pt_sys_gettid(void)
{
	return (int)pt_sys0(SYS_gettid);
}

static inline int pt_sys_getpid(void)
{
	return (int)pt_sys0(SYS_getpid);
}

static inline void *pt_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	return (void *)pt_sys6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off);
}

static inline int pt_sys_munmap(void *addr, size_t len)
{
	return (int)pt_sys2(SYS_munmap, addr, len);
}

/* A raw call's result is an error when it lies in [-4095, -1]. */
static inline int pt_sys_failed(long r)
{
	return (unsigned long)r > -4096UL;
}

#endif /* PT_SYS_H */
