/* othertool.c — a second preloaded tracer for RELIABILITY 1: it wraps open, read and
 * write through dlsym(RTLD_NEXT) as tools do, counts the calls, and at exit writes the
 * program's name and counts to $OTHERTOOL_OUT, so that the test sees both tools chained. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned long opens, reads, writes;

int open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	va_list ap;
	int mode;

	if (!real)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	va_start(ap, flags);
	mode = va_arg(ap, int);
	va_end(ap);
	opens++;
	return real(path, flags, mode);
}

ssize_t read(int fd, void *buf, size_t n)
{
	static ssize_t (*real)(int, void *, size_t);

	if (!real)
		real = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	reads++;
	return real(fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	writes++;
	return real(fd, buf, n);
}

__attribute__((destructor)) static void report(void)
{
	const char *out = getenv("OTHERTOOL_OUT");
	FILE *f;

	if (out && (f = fopen(out, "a"))) {
		fprintf(f, "%s %lu %lu %lu\n", program_invocation_short_name, opens, reads, writes);
		fclose(f);
	}
}
