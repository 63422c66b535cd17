/* ptb-io.c — the per-call microbenchmarks of `make bench`: pread/read/write of 8 bytes
 * and open+close, timed in process; DFTracer's 1,000 x 4 KiB reader; the ingest producer.
 *
 * Usage:
 *   ptb-io pair OP FILE BATCH NBATCH     interleave batches of libc's OP (looked up in
 *                                        libc.so.6 itself) with the OP the process links
 *                                        to (the shim's when preloaded); JSON to stdout
 *   ptb-io loop OP FILE BATCH NBATCH     plain calls through the PLT (what strace, ltrace
 *                                        and Darshan see); JSON: ns per call of each batch
 *   ptb-io cg OP FILE N                  N plain calls inside ptb_cg_loop(), for
 *                                        valgrind --toggle-collect=ptb_cg_loop
 *   ptb-io dft FILE NREADS SIZE          open, NREADS reads of SIZE bytes, close
 *   ptb-io churn FILE NPAIRS NTHREADS    each thread opens and closes its own copy of
 *                                        FILE NPAIRS times, at full speed; JSON
 *   ptb-io getc FILE                     fopen, getc_unlocked to the end, fclose (inside
 *                                        ptb_getc_loop(), for callgrind too)
 * OP is pread, read, write, openclose or fopenclose (fopen, fgetc, fclose: a stream that
 * read a byte), or, in loop and cg only, dup2 (dup2 of a descriptor the shim never saw
 * onto the next number: no session on either) or dup2s (an 8-byte pwrite through the
 * next number, then dup2 onto it: the session it replaces is a file that moved data).
 * Each dup2 goes through ptb_dup2(), for valgrind --toggle-collect=ptb_dup2.  FILE must
 * hold at least 1 MiB for read ops.
 *
 * Why "pair" exists: on a shared two-core machine two processes timed minutes apart do
 * not see the same machine, and a ~10 ns difference drowns.  Alternating batches of the
 * real and the wrapped function inside one process gives paired samples a few
 * milliseconds apart, under the same cache and frequency state.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PTB_REWIND (1u << 16)    /* sequential read/write go back to 0 this often */

enum { OP_PREAD, OP_READ, OP_WRITE, OP_OPENCLOSE, OP_FOPENCLOSE, OP_DUP2, OP_DUP2S, OP_COUNT };

typedef ssize_t (*pread_fn)(int, void *, size_t, off_t);
typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*open_fn)(const char *, int, ...);
typedef int (*close_fn)(int);
typedef FILE *(*fopen_fn)(const char *, const char *);
typedef int (*fgetc_fn)(FILE *);
typedef int (*fclose_fn)(FILE *);

struct ops {
	pread_fn pread;
	read_fn read;
	write_fn write;
	open_fn open;
	close_fn close;
	fopen_fn fopen;
	fgetc_fn fgetc;
	fclose_fn fclose;
};

static const char *const op_names[] = { "pread", "read", "write", "openclose", "fopenclose",
					"dup2", "dup2s" };

static void die(const char *what)
{
	fprintf(stderr, "ptb-io: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int op_parse(const char *s)
{
	for (int i = 0; i < OP_COUNT; i++)
		if (strcmp(s, op_names[i]) == 0)
			return i;
	fprintf(stderr, "ptb-io: unknown op %s\n", s);
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One batch of n calls through the given table; returns ns per call.  noinline so the
 * compiler cannot merge the two tables' loops or hoist anything across batches. */
static __attribute__((noinline)) double batch(const struct ops *o, int op, int fd,
					      const char *path, unsigned n)
{
	char buf[8] = "ptbench";
	uint64_t t0 = now_ns();

	switch (op) {
	case OP_PREAD:
		for (unsigned i = 0; i < n; i++)
			if (o->pread(fd, buf, 8, 0) != 8)
				die("pread");
		break;
	case OP_READ:
		for (unsigned i = 0; i < n; i++) {
			if ((i & (PTB_REWIND - 1)) == 0)
				lseek(fd, 0, SEEK_SET);
			if (o->read(fd, buf, 8) != 8)
				die("read");
		}
		break;
	case OP_WRITE:
		for (unsigned i = 0; i < n; i++) {
			if ((i & (PTB_REWIND - 1)) == 0)
				lseek(fd, 0, SEEK_SET);
			if (o->write(fd, buf, 8) != 8)
				die("write");
		}
		break;
	case OP_OPENCLOSE:
		for (unsigned i = 0; i < n; i++) {
			int f = o->open(path, O_RDONLY);
			if (f < 0)
				die(path);
			o->close(f);
		}
		break;
	case OP_FOPENCLOSE:
		for (unsigned i = 0; i < n; i++) {
			FILE *f = o->fopen(path, "r");
			if (!f || o->fgetc(f) == EOF)
				die(path);
			o->fclose(f);
		}
		break;
	}
	return (double)(now_ns() - t0) / n;
}

/* The descriptor the data ops work on, opened through the linked open(), so that the
 * shim knows it as a session exactly as it would in a program (dup2: through libc's, so
 * that it does not; dup2s: with its duplicate on the next number). */
static int op_fd(int op, const char *path)
{
	int fd;

	if (op == OP_OPENCLOSE || op == OP_FOPENCLOSE)
		return -1;
	if (op == OP_DUP2) {
		/* libc's own open, whatever LD_PRELOAD put in front of it: no session */
		void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
		open_fn real_open = libc ? (open_fn)dlsym(libc, "open") : NULL;
		if (!real_open)
			die("libc.so.6");
		fd = real_open(path, O_RDONLY);
	} else {
		fd = open(path, op == OP_WRITE || op == OP_DUP2S ? O_RDWR : O_RDONLY);
		if (fd >= 0 && op == OP_DUP2S && dup2(fd, fd + 1) != fd + 1)
			die("dup2");
	}
	if (fd < 0)
		die(path);
	return fd;
}

static void json_list(const char *name, const double *v, unsigned n)
{
	printf("\"%s\":[", name);
	for (unsigned i = 0; i < n; i++)
		printf("%s%.2f", i ? "," : "", v[i]);
	printf("]");
}

static int cmd_pair(int op, const char *path, unsigned n, unsigned nb)
{
	if (op == OP_DUP2 || op == OP_DUP2S) {
		fprintf(stderr, "ptb-io: pair does not take %s\n", op_names[op]);
		exit(2);
	}
	struct ops real, linked = { pread, read, write, (open_fn)open, close, fopen, fgetc, fclose };
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	double *a = calloc(nb, sizeof *a), *b = calloc(nb, sizeof *b);
	int fd = op_fd(op, path);

	if (!libc || !a || !b)
		die("libc.so.6");
	/* libc's own entry points, whatever LD_PRELOAD put in front of them */
	real.pread = (pread_fn)dlsym(libc, "pread");
	real.read = (read_fn)dlsym(libc, "read");
	real.write = (write_fn)dlsym(libc, "write");
	real.open = (open_fn)dlsym(libc, "open");
	real.close = (close_fn)dlsym(libc, "close");
	real.fopen = (fopen_fn)dlsym(libc, "fopen");
	real.fgetc = (fgetc_fn)dlsym(libc, "fgetc");
	real.fclose = (fclose_fn)dlsym(libc, "fclose");
	/* what a program's call resolves to: the first definition in the global scope */
	linked.pread = (pread_fn)dlsym(RTLD_DEFAULT, "pread");
	linked.read = (read_fn)dlsym(RTLD_DEFAULT, "read");
	linked.write = (write_fn)dlsym(RTLD_DEFAULT, "write");
	linked.open = (open_fn)dlsym(RTLD_DEFAULT, "open");
	linked.close = (close_fn)dlsym(RTLD_DEFAULT, "close");
	linked.fopen = (fopen_fn)dlsym(RTLD_DEFAULT, "fopen");
	linked.fgetc = (fgetc_fn)dlsym(RTLD_DEFAULT, "fgetc");
	linked.fclose = (fclose_fn)dlsym(RTLD_DEFAULT, "fclose");
	batch(&real, op, fd, path, n);     /* warm up both paths */
	batch(&linked, op, fd, path, n);
	for (unsigned i = 0; i < nb; i++) {
		/* alternate which goes first, so a trend inside a pair cancels out */
		if (i & 1) {
			b[i] = batch(&linked, op, fd, path, n);
			a[i] = batch(&real, op, fd, path, n);
		} else {
			a[i] = batch(&real, op, fd, path, n);
			b[i] = batch(&linked, op, fd, path, n);
		}
	}
	printf("{\"op\":\"%s\",\"batch\":%u,\"interposed\":%s,", op_names[op], n,
	       linked.pread != real.pread ? "true" : "false");
	json_list("real", a, nb);
	printf(",");
	json_list("linked", b, nb);
	printf("}\n");
	return 0;
}

__attribute__((noinline)) int ptb_dup2(int fd, int nfd);
__attribute__((noinline)) int ptb_dup2(int fd, int nfd)
{
	return dup2(fd, nfd);
}

/* Direct calls through the PLT (no table): the program's real call path, PLT -> (shim
 * ->) libc, which is also what ltrace hooks and what callgrind counts. */
__attribute__((noinline)) void ptb_cg_loop(int op, int fd, const char *path, unsigned n);
__attribute__((noinline)) void ptb_cg_loop(int op, int fd, const char *path, unsigned n)
{
	char buf[8] = "ptbench";

	switch (op) {
	case OP_PREAD:
		for (unsigned i = 0; i < n; i++)
			if (pread(fd, buf, 8, 0) != 8)
				die("pread");
		break;
	case OP_READ:
		for (unsigned i = 0; i < n; i++) {
			if ((i & (PTB_REWIND - 1)) == 0 && i)
				lseek(fd, 0, SEEK_SET);
			if (read(fd, buf, 8) != 8)
				die("read");
		}
		break;
	case OP_WRITE:
		for (unsigned i = 0; i < n; i++) {
			if ((i & (PTB_REWIND - 1)) == 0 && i)
				lseek(fd, 0, SEEK_SET);
			if (write(fd, buf, 8) != 8)
				die("write");
		}
		break;
	case OP_OPENCLOSE:
		for (unsigned i = 0; i < n; i++) {
			int f = open(path, O_RDONLY);
			if (f < 0)
				die(path);
			close(f);
		}
		break;
	case OP_FOPENCLOSE:
		for (unsigned i = 0; i < n; i++) {
			FILE *f = fopen(path, "r");
			if (!f || fgetc(f) == EOF)
				die(path);
			fclose(f);
		}
		break;
	case OP_DUP2:
		for (unsigned i = 0; i < n; i++)
			if (ptb_dup2(fd, fd + 1) != fd + 1)
				die("dup2");
		break;
	case OP_DUP2S:
		for (unsigned i = 0; i < n; i++)
			if (pwrite(fd + 1, buf, 8, 0) != 8 || ptb_dup2(fd, fd + 1) != fd + 1)
				die("dup2");
		break;
	}
}

static int cmd_loop(int op, const char *path, unsigned n, unsigned nb)
{
	double *a = calloc(nb, sizeof *a);
	int fd = op_fd(op, path);

	if (!a)
		die("calloc");
	ptb_cg_loop(op, fd, path, n < 1000 ? n : 1000);     /* warm up */
	for (unsigned i = 0; i < nb; i++) {
		uint64_t t0;

		if (op == OP_READ || op == OP_WRITE)
			lseek(fd, 0, SEEK_SET);
		t0 = now_ns();
		ptb_cg_loop(op, fd, path, n);
		a[i] = (double)(now_ns() - t0) / n;
	}
	printf("{\"op\":\"%s\",\"batch\":%u,", op_names[op], n);
	json_list("ns", a, nb);
	printf("}\n");
	return 0;
}

static int cmd_cg(int op, const char *path, unsigned n)
{
	int fd = op_fd(op, path);

	/* n stays below PTB_REWIND for read/write: no lseek inside the counted loop */
	if (op == OP_READ || op == OP_WRITE)
		lseek(fd, 0, SEEK_SET);
	ptb_cg_loop(op, fd, path, n);
	return 0;
}

static int cmd_dft(const char *path, unsigned nreads, size_t size)
{
	char *buf = malloc(size);
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !buf)
		die(path);
	for (unsigned i = 0; i < nreads; i++)
		if (read(fd, buf, size) != (ssize_t)size)
			die("read");
	close(fd);
	free(buf);
	return 0;
}

struct churn {
	char path[4096];
	unsigned n;
};

static void *churn_thread(void *arg)
{
	struct churn *c = arg;

	for (unsigned i = 0; i < c->n; i++) {
		int fd = open(c->path, O_RDONLY);
		if (fd < 0)
			die(c->path);
		close(fd);
	}
	return NULL;
}

static int cmd_churn(const char *path, unsigned n, unsigned nt)
{
	pthread_t *t = calloc(nt, sizeof *t);
	struct churn *c = calloc(nt, sizeof *c);
	uint64_t t0;

	if (!t || !c)
		die("calloc");
	for (unsigned i = 0; i < nt; i++) {
		/* one file per thread: separate objects, the same path length */
		snprintf(c[i].path, sizeof c[i].path, "%s.%03u", path, i);
		int fd = open(c[i].path, O_RDONLY | O_CREAT, 0600);
		if (fd < 0)
			die(c[i].path);
		close(fd);
		c[i].n = n;
	}
	t0 = now_ns();
	for (unsigned i = 0; i < nt; i++)
		if ((errno = pthread_create(&t[i], NULL, churn_thread, &c[i])))
			die("pthread_create");
	for (unsigned i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	printf("{\"pairs\":%llu,\"ns\":%llu}\n", (unsigned long long)n * nt,
	       (unsigned long long)(now_ns() - t0));
	return 0;
}

/* The getc_unlocked loop of row (10): the macro works in the stream's buffer and calls
 * into libc (__uflow) once per refill. */
__attribute__((noinline)) unsigned long ptb_getc_loop(const char *path);
__attribute__((noinline)) unsigned long ptb_getc_loop(const char *path)
{
	unsigned long sum = 0, n = 0;
	FILE *f = fopen(path, "r");
	int c;

	if (!f)
		die(path);
	while ((c = getc_unlocked(f)) != EOF) {
		sum += (unsigned)c;
		n++;
	}
	fclose(f);
	return sum ^ n;
}

static int cmd_getc(const char *path)
{
	printf("%lu\n", ptb_getc_loop(path));
	return 0;
}

static unsigned num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*end || v == 0 || v > 0xffffffffu) {
		fprintf(stderr, "ptb-io: bad number %s\n", s);
		exit(2);
	}
	return (unsigned)v;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "pair") == 0)
		return cmd_pair(op_parse(argv[2]), argv[3], num(argv[4]), num(argv[5]));
	if (argc == 6 && strcmp(argv[1], "loop") == 0)
		return cmd_loop(op_parse(argv[2]), argv[3], num(argv[4]), num(argv[5]));
	if (argc == 5 && strcmp(argv[1], "cg") == 0)
		return cmd_cg(op_parse(argv[2]), argv[3], num(argv[4]));
	if (argc == 5 && strcmp(argv[1], "dft") == 0)
		return cmd_dft(argv[2], num(argv[3]), num(argv[4]));
	if (argc == 5 && strcmp(argv[1], "churn") == 0)
		return cmd_churn(argv[2], num(argv[3]), num(argv[4]));
	if (argc == 3 && strcmp(argv[1], "getc") == 0)
		return cmd_getc(argv[2]);
	fprintf(stderr, "usage: ptb-io pair|loop OP FILE BATCH NBATCH | cg OP FILE N |\n"
			"       ptb-io dft FILE NREADS SIZE | churn FILE NPAIRS NTHREADS | getc FILE\n");
	return 2;
}
