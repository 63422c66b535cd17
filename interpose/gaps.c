/* gaps.c — what the shim cannot see, said once per image instead of missed in silence:
 * io_uring rings, found at liburing's entry points, at syscall() (io.c), or at the exit. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "shim.h"
#include "sys.h"

/* The operations a program submits to a ring are done by the kernel, with no call the
 * preload could stand in front of: the ring is a gap of the image, one however many rings
 * it sets up and however many ways show them. */
void pt_gap_uring(const char *how)
{
	char d[160];

	/* a vfork child shares its parent's memory: the flag is the parent's */
	if (!pt.enabled || pt_vforked || __atomic_exchange_n(&pt.uring_said, 1, __ATOMIC_ACQ_REL))
		return;
	snprintf(d, sizeof d, "%s: the ring's file operations are not recorded", how);
	pt_gap(PT_GAP_IO_URING, d);
}

/* ---- liburing: its entry points call one another (io_uring_queue_init calls
 * io_uring_queue_init_params), so the outermost one names the gap.  A program with
 * liburing linked in statically, or one that never calls these, is caught at its exit
 * when a ring is still open (below). */

static PT_TLS_IE int uring_depth;

static int uring_enter(void)
{
	if (uring_depth)
		return 0;
	uring_depth = 1;
	return 1;
}

static int uring_leave(int outer, int r, const char *name)
{
	if (outer) {
		int e = errno;

		uring_depth = 0;
		if (r >= 0)
			pt_gap_uring(name);
		errno = e;
	}
	return r;
}

/* Without liburing behind the shim (nobody but a program probing for it gets here), the
 * answer liburing itself gives when the kernel lacks io_uring. */
PT_API int io_uring_queue_init(unsigned entries, void *ring, unsigned flags)
{
	pt_fn_io_uring_queue_init f = PT_REAL(io_uring_queue_init);
	int outer;

	if (!f)
		return -ENOSYS;
	outer = uring_enter();
	return uring_leave(outer, f(entries, ring, flags), "io_uring_queue_init");
}

PT_API int io_uring_queue_init_params(unsigned entries, void *ring, void *params)
{
	pt_fn_io_uring_queue_init_params f = PT_REAL(io_uring_queue_init_params);
	int outer;

	if (!f)
		return -ENOSYS;
	outer = uring_enter();
	return uring_leave(outer, f(entries, ring, params), "io_uring_queue_init_params");
}

PT_API int io_uring_queue_init_mem(unsigned entries, void *ring, void *params, void *buf,
				   size_t size)
{
	pt_fn_io_uring_queue_init_mem f = PT_REAL(io_uring_queue_init_mem);
	int outer;

	if (!f)
		return -ENOSYS;
	outer = uring_enter();
	return uring_leave(outer, f(entries, ring, params, buf, size), "io_uring_queue_init_mem");
}

PT_API int io_uring_setup(unsigned entries, void *params)
{
	pt_fn_io_uring_setup f = PT_REAL(io_uring_setup);
	int outer;

	if (!f)
		return -ENOSYS;
	outer = uring_enter();
	return uring_leave(outer, f(entries, params), "io_uring_setup");
}

/* ---- at the exit: a ring set up by inline system calls and still open.  Once per
 * image, in two steps that cost a few microseconds (each system call costs ~2 us on a VM;
 * opening /proc/self/fd and reading every link cost 40 us): ppoll(2) tells which
 * descriptors are open (POLLNVAL: not), and only those the shim does not follow as files,
 * directories, pipes, sockets or devices (a ring is none of those) are read by readlink.
 * A new descriptor takes the lowest free number, so the scan goes from 3 to 64 past the
 * highest the shim followed (at least to 128, at most to 1024).  A ring closed before the
 * exit, one on descriptor 0-2 or past that bound, or one open in an image killed by a
 * signal is not found. */

#define SCAN_FIRST 3
#define SCAN_MIN_END 128
#define SCAN_MAX_END 1024
#define SCAN_CHUNK 128     /* pollfds on the stack of whichever thread exits */

static const char uring_link[] = "anon_inode:[io_uring]";

static int is_ring(int fd)
{
	char target[sizeof uring_link + 1], link[32];

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	return pt_sys_readlink(link, target, sizeof target) == (long)sizeof uring_link - 1 &&
	       memcmp(target, uring_link, sizeof uring_link - 1) == 0;
}

void pt_gaps_at_exit(void)
{
	struct pollfd p[SCAN_CHUNK];
	struct timespec zero = { 0, 0 };
	int found = -1, end;

	if (!pt.enabled || pt_vforked || __atomic_load_n(&pt.uring_said, __ATOMIC_ACQUIRE))
		return;
	end = (int)atomic_load_explicit(&pt.hdr->sess_hi, memory_order_relaxed) + 64;
	end = end < SCAN_MIN_END ? SCAN_MIN_END : end > SCAN_MAX_END ? SCAN_MAX_END : end;
	for (int base = SCAN_FIRST; base < end && found < 0; base += SCAN_CHUNK) {
		int n = end - base < SCAN_CHUNK ? end - base : SCAN_CHUNK;

		for (int i = 0; i < n; i++)
			p[i] = (struct pollfd){ base + i, 0, 0 };
		if (pt_sys4(SYS_ppoll, p, n, &zero, NULL) < 0)
			return;
		for (int i = 0; i < n && found < 0; i++) {
			struct pt_sess *s = pt_sess_at(p[i].fd);

			if (p[i].revents & POLLNVAL)
				continue;
			if (s && atomic_load_explicit(&s->sid, memory_order_relaxed) &&
			    s->kind != PT_KIND_IGNORED && s->kind != PT_KIND_OTHER)
				continue;
			if (is_ring(p[i].fd))
				found = p[i].fd;
		}
	}
	if (found >= 0) {
		char how[64];
		snprintf(how, sizeof how, "descriptor %d open at the exit", found);
		pt_gap_uring(how);
	}
}
