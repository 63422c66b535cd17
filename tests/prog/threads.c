/* threads.c — T threads on one shared descriptor (or stream), N calls of 8 bytes each, for
 * tests/shim/threads.sh: the session's totals must be exact whatever the interleaving.
 *
 * Usage: threads DIR T N
 *   DIR/pread   4096 bytes, preads at offsets cycling over the whole file
 *   DIR/read    T*N*8 bytes read with read(), the threads sharing the file offset
 *   DIR/write   written with write(), shared offset: T*N*8 bytes
 *   DIR/fwrite  written with fwrite() on one FILE
 *   DIR/fread   T*N*8 bytes read with fread() on one FILE
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "prog.h"

enum { PREAD, READ, WRITE, FWRITE, FREAD, NCASE };

static int fd[NCASE];
static FILE *fp[NCASE];
static long N;
static int which;
static pthread_barrier_t go;

static void *worker(void *arg)
{
	char buf[8] = "abcdefgh";
	long id = (long)arg;

	pthread_barrier_wait(&go);
	for (long i = 0; i < N; i++) {
		switch (which) {
		case PREAD:
			need(pread(fd[PREAD], buf, 8, ((id * N + i) % 512) * 8) == 8, "pread");
			break;
		case READ:
			need(read(fd[READ], buf, 8) == 8, "read");
			break;
		case WRITE:
			need(write(fd[WRITE], buf, 8) == 8, "write");
			break;
		case FWRITE:
			need(fwrite(buf, 8, 1, fp[FWRITE]) == 1, "fwrite");
			break;
		case FREAD:
			need(fread(buf, 8, 1, fp[FREAD]) == 1, "fread");
			break;
		}
	}
	return NULL;
}

/* a file of n bytes, written untimed before the threads start */
static void fill(const char *path, long n)
{
	static char block[65536];
	int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	need(f >= 0, path);
	for (long left = n; left > 0; left -= (long)sizeof block)
		need(write(f, block, left < (long)sizeof block ? (size_t)left : sizeof block) > 0,
		     "fill");
	need(close(f) == 0, "close");
}

int main(int argc, char **argv)
{
	char p[NCASE][4096];
	static const char *const names[NCASE] = { "pread", "read", "write", "fwrite", "fread" };
	pthread_t th[64];
	long T;

	if (argc != 4 || (T = atol(argv[2])) < 1 || T > 64 || (N = atol(argv[3])) < 1) {
		fprintf(stderr, "usage: threads DIR T N (1 <= T <= 64)\n");
		return 2;
	}
	for (int c = 0; c < NCASE; c++)
		path_in(p[c], sizeof p[c], argv[1], names[c]);
	fill(p[PREAD], 4096);
	fill(p[READ], T * N * 8);
	fill(p[FREAD], T * N * 8);
	need((fd[PREAD] = open(p[PREAD], O_RDONLY)) >= 0, "open pread");
	need((fd[READ] = open(p[READ], O_RDONLY)) >= 0, "open read");
	need((fd[WRITE] = open(p[WRITE], O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0, "open write");
	need((fp[FWRITE] = fopen(p[FWRITE], "w")) != NULL, "fopen fwrite");
	need((fp[FREAD] = fopen(p[FREAD], "r")) != NULL, "fopen fread");
	for (which = 0; which < NCASE; which++) {
		need(pthread_barrier_init(&go, NULL, (unsigned)T) == 0, "barrier");
		for (long t = 0; t < T; t++)
			need(pthread_create(&th[t], NULL, worker, (void *)t) == 0, "pthread_create");
		for (long t = 0; t < T; t++)
			need(pthread_join(th[t], NULL) == 0, "pthread_join");
		pthread_barrier_destroy(&go);
	}
	need(close(fd[PREAD]) == 0 && close(fd[READ]) == 0 && close(fd[WRITE]) == 0, "close");
	need(fclose(fp[FWRITE]) == 0 && fclose(fp[FREAD]) == 0, "fclose");
	return 0;
}
