/* isolate.c — a describer run in a child process, for libraries (libhdf5, libnetcdf)
 * that print to stderr, keep global state, and may crash or abort on a hostile file: the
 * child gathers the facts, sends them through a pipe and exits; a signal, an abort or the
 * deadline in the child is a gap for the file, never the caller's end. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "int.h"

#define ISOLATE_MAX_REPLY (512u << 20)
/* what the child may map beyond what it inherits: a header asking libhdf5 or libnetcdf
 * for an 8 GiB buffer (seen by the fuzzer) gets an allocation failure, a gap */
#define ISOLATE_MAX_MEM (1ull << 30)

/* AddressSanitizer reserves terabytes of address space: no RLIMIT_AS under it */
#if defined(__SANITIZE_ADDRESS__)
#define PT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PT_ASAN 1
#endif
#endif

static void limit_memory(void)
{
#ifndef PT_ASAN
	unsigned long long pages = 0;
	struct rlimit rl;
	FILE *f = fopen("/proc/self/statm", "re");

	if (!f)
		return;
	if (fscanf(f, "%llu", &pages) == 1) {
		rl.rlim_cur = rl.rlim_max = pages * (unsigned long long)sysconf(_SC_PAGESIZE) +
					    ISOLATE_MAX_MEM;
		setrlimit(RLIMIT_AS, &rl);
	}
	fclose(f);
#endif
}

/* Bytes this process read through read(2)-like calls (the kernel's count). */
static uint64_t rchar(void)
{
	char buf[512];
	unsigned long long v = 0;
	int fd = open("/proc/self/io", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	if (sscanf(buf, "rchar: %llu", &v) != 1)
		return 0;
	return v;
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

static void child(struct pt_d *d, int (*describe)(struct pt_d *), int out)
{
	char err[256] = "";
	uint64_t before, used, hdr[4];
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* the libraries' own messages go nowhere */
	if (null >= 0) {
		dup2(null, 1);
		dup2(null, 2);
	}
	signal(SIGPIPE, SIG_DFL);
	limit_memory();
	d->err = err;
	d->errlen = sizeof err;
	before = rchar();
	describe(d);
	used = rchar() - before;
	if (!err[0] && used > d->lim.max_bytes)
		pt_d_gap(d, "over the size limit");
	hdr[0] = err[0] ? 0 : d->flen;
	hdr[1] = d->items;
	hdr[2] = d->omitted;
	hdr[3] = strlen(err);
	if (write_all(out, hdr, sizeof hdr) < 0 || write_all(out, err, hdr[3]) < 0 ||
	    (hdr[0] && write_all(out, d->facts, hdr[0]) < 0))
		_exit(3);
	_exit(0);
}

static int take_reply(struct pt_d *d, const char *buf, size_t n)
{
	uint64_t hdr[4];

	if (n < sizeof hdr)
		return -1;
	memcpy(hdr, buf, sizeof hdr);
	if (hdr[3] > n - sizeof hdr || hdr[0] != n - sizeof hdr - hdr[3])
		return -1;
	if (hdr[3]) {
		pt_d_gap(d, "%.*s", (int)hdr[3], buf + sizeof hdr);
		return 1;
	}
	free(d->facts);
	d->facts = malloc(hdr[0] ? hdr[0] : 1);
	if (!d->facts)
		abort();
	if (hdr[0])
		memcpy(d->facts, buf + sizeof hdr, hdr[0]);
	d->flen = d->fcap = hdr[0];
	d->items = (unsigned)hdr[1];
	d->omitted = hdr[2];
	return 0;
}

/* Read the child's reply until it closes the pipe or the deadline; 0, or -1 for the
 * deadline (the child is then killed). */
static int read_reply(struct pt_d *d, int in, char **buf, size_t *n)
{
	size_t cap = 0;

	*buf = NULL;
	*n = 0;
	for (;;) {
		uint64_t now = pt_d_now_ns();
		struct pollfd p = { .fd = in, .events = POLLIN };
		if (now >= d->deadline_ns)
			return -1;
		int ms = (int)((d->deadline_ns - now) / 1000000u) + 1;
		int r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			continue;   /* the deadline check above decides */
		if (cap - *n < 65536) {
			if (cap >= ISOLATE_MAX_REPLY)
				return 0;   /* more than any limit allows: malformed */
			cap = cap ? cap * 2 : 65536;
			char *b = realloc(*buf, cap);
			if (!b)
				abort();
			*buf = b;
		}
		ssize_t got = read(in, *buf + *n, cap - *n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		*n += (size_t)got;
	}
}

int pt_d_isolated(struct pt_d *d, int (*describe)(struct pt_d *), const char *lib)
{
	int fds[2], status = 0, late, rc = -1;
	char *buf = NULL;
	size_t n = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return pt_d_gap(d, "cannot run the %s library: %s", lib, strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return pt_d_gap(d, "cannot run the %s library: %s", lib, strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		child(d, describe, fds[1]);
	}
	close(fds[1]);
	late = read_reply(d, fds[0], &buf, &n) < 0;
	close(fds[0]);
	if (late)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (late)
		pt_d_gap(d, "timed out");
	else if (WIFSIGNALED(status))
		pt_d_gap(d, "%s library crashed (signal %d)", lib, WTERMSIG(status));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		pt_d_gap(d, "%s library failed (exit %d)", lib, WEXITSTATUS(status));
	else if ((rc = take_reply(d, buf, n)) != 0) {
		if (rc < 0)
			pt_d_gap(d, "%s library: malformed reply", lib);
		rc = -1;
	}
	free(buf);
	return rc;
}
