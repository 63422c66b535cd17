/* uring.c — real file I/O through io_uring, which no preload can follow: the traced run
 * must say so with one io-uring gap for the process.  uring MODE FILE: opens FILE with
 * open(2), writes a line into it through a ring and reads it back through the ring, then
 * prints "ok BYTES".  The ring is set up
 *   liburing  by io_uring_queue_init (twice: two rings; the second stays open);
 *   syscall   by syscall(SYS_io_uring_setup) (twice), entered by syscall(SYS_io_uring_enter);
 *   asm       by inline system calls only, and left open at the exit.
 * Exit 77 when the kernel refuses io_uring (seccomp, io_uring_disabled), 3 when the mode
 * needs liburing and the program was built without it. */
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef HAVE_LIBURING
#include <liburing.h>
#endif

#include "prog.h"
#include "../../interpose/sys.h"   /* pt_sys6: a system call no wrapper sees */

static const char line[] = "written through a ring\n";

enum how { VIA_SYSCALL, VIA_ASM };


/* the kernel's answer as syscall() gives it: -1 and errno on failure */
static long sys(enum how how, long n, long a, long b, long c, long d, long e, long f)
{
	long r;

	if (how == VIA_SYSCALL)
		return syscall(n, a, b, c, d, e, f);
	r = pt_sys6(n, a, b, c, d, e, f);
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* A ring without liburing: the three mappings io_uring_setup(2) describes. */
struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static void refused(const char *what)
{
	if (errno == ENOSYS || errno == EPERM || errno == EACCES) {
		fprintf(stderr, "%s: the kernel refuses io_uring: %s\n", what, strerror(errno));
		exit(77);
	}
	need(0, what);
}

static void ring_init(struct ring *r, enum how how)
{
	struct io_uring_params p;
	size_t sq_len, cq_len;
	uint8_t *sq, *cq;

	memset(&p, 0, sizeof p);
	r->fd = (int)sys(how, __NR_io_uring_setup, 8, (long)&p, 0, 0, 0, 0);
	if (r->fd < 0)
		refused("io_uring_setup");
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if ((p.features & IORING_FEAT_SINGLE_MMAP) && cq_len > sq_len)
		sq_len = cq_len;
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	need(sq != MAP_FAILED, "mmap sq");
	cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
			  IORING_OFF_CQ_RING);
		need(cq != MAP_FAILED, "mmap cq");
	}
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	need(r->sqes != MAP_FAILED, "mmap sqes");
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
}

/* One operation, submitted and waited for; its result. */
static int ring_do(struct ring *r, enum how how, int op, int fd, void *buf, unsigned len)
{
	unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *s = &r->sqes[idx];
	int res;

	memset(s, 0, sizeof *s);
	s->opcode = (uint8_t)op;
	s->fd = fd;
	s->addr = (uint64_t)(uintptr_t)buf;
	s->len = len;
	s->off = 0;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	need(sys(how, __NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, 0, 0) == 1,
	     "io_uring_enter");
	head = __atomic_load_n(r->cq_head, __ATOMIC_ACQUIRE);
	need(head != __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE), "no completion");
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

static int raw_rw(const char *path, enum how how, char *back)
{
	struct ring r, other;
	int fd, n;

	ring_init(&r, how);
	if (how == VIA_SYSCALL)
		ring_init(&other, how);   /* a second ring: still one gap */
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	need(fd >= 0, path);
	need(ring_do(&r, how, IORING_OP_WRITE, fd, (void *)line, sizeof line - 1) ==
	     (int)sizeof line - 1, "ring write");
	n = ring_do(&r, how, IORING_OP_READ, fd, back, 256);
	need(close(fd) == 0, "close");
	if (how == VIA_SYSCALL)
		need(close(r.fd) == 0 && close(other.fd) == 0, "close the rings");
	return n;   /* the asm ring stays open: the exit finds it */
}

#ifdef HAVE_LIBURING
static int uring_once(struct io_uring *ring, int op, int fd, void *buf, unsigned len)
{
	struct io_uring_sqe *s = io_uring_get_sqe(ring);
	struct io_uring_cqe *c;
	int res;

	need(s != NULL, "io_uring_get_sqe");
	if (op == IORING_OP_WRITE)
		io_uring_prep_write(s, fd, buf, len, 0);
	else
		io_uring_prep_read(s, fd, buf, len, 0);
	need(io_uring_submit(ring) == 1, "io_uring_submit");
	errno = -io_uring_wait_cqe(ring, &c);
	need(errno == 0, "io_uring_wait_cqe");
	res = c->res;
	io_uring_cqe_seen(ring, c);
	return res;
}

static int liburing_rw(const char *path, char *back)
{
	struct io_uring ring, other;
	int fd, n;

	if ((errno = -io_uring_queue_init(8, &ring, 0)))
		refused("io_uring_queue_init");
	if ((errno = -io_uring_queue_init(4, &other, 0)))
		refused("io_uring_queue_init");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	need(fd >= 0, path);
	need(uring_once(&ring, IORING_OP_WRITE, fd, (void *)line, sizeof line - 1) ==
	     (int)sizeof line - 1, "ring write");
	n = uring_once(&ring, IORING_OP_READ, fd, back, 256);
	need(close(fd) == 0, "close");
	io_uring_queue_exit(&ring);
	return n;   /* `other` stays open */
}
#endif

int main(int argc, char **argv)
{
	char back[256];
	int n;

	if (argc != 3) {
		fprintf(stderr, "usage: uring liburing|syscall|asm FILE\n");
		return 2;
	}
	memset(back, 0, sizeof back);
	if (strcmp(argv[1], "syscall") == 0) {
		n = raw_rw(argv[2], VIA_SYSCALL, back);
	} else if (strcmp(argv[1], "asm") == 0) {
		n = raw_rw(argv[2], VIA_ASM, back);
	} else if (strcmp(argv[1], "liburing") == 0) {
#ifdef HAVE_LIBURING
		n = liburing_rw(argv[2], back);
#else
		fprintf(stderr, "uring: built without liburing\n");
		return 3;
#endif
	} else {
		fprintf(stderr, "uring: unknown mode %s\n", argv[1]);
		return 2;
	}
	need(n == (int)sizeof line - 1 && memcmp(back, line, sizeof line - 1) == 0,
	     "the ring read back what it wrote");
	printf("ok %d\n", n);
	return 0;
}
