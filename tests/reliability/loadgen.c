/* loadgen.c — load for the reliability tests: P processes x T threads, each opening,
 * writing 8 bytes to and closing its own file as fast as it can for D seconds.  Prints
 * the operations that returned and the longest single iteration (how long a producer
 * was held up), so that the test can check stored + counted drops == operations. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
	unsigned long ops[1024];
	unsigned long max_ns[1024];
};

static struct shared *sh;
static const char *dir;
static double seconds;
static int nthreads;

static unsigned long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000000000ul + (unsigned long)ts.tv_nsec;
}

static void *worker(void *arg)
{
	long id = (long)arg;
	char path[4096];
	unsigned long end, t0, t1, ops = 0, worst = 0;

	snprintf(path, sizeof path, "%s/load-%ld", dir, id);
	end = now_ns() + (unsigned long)(seconds * 1e9);
	while ((t0 = now_ns()) < end) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0) {
			perror("open");
			exit(1);
		}
		if (write(fd, "12345678", 8) != 8)
			exit(1);
		close(fd);
		ops++;
		t1 = now_ns();
		if (t1 - t0 > worst)
			worst = t1 - t0;
	}
	sh->ops[id] = ops;
	sh->max_ns[id] = worst;
	return NULL;
}

int main(int argc, char **argv)
{
	int nproc;
	unsigned long total = 0, worst = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: loadgen DIR PROCESSES THREADS SECONDS\n");
		return 2;
	}
	dir = argv[1];
	nproc = atoi(argv[2]);
	nthreads = atoi(argv[3]);
	seconds = atof(argv[4]);
	if (nproc * nthreads > 1024)
		return 2;
	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	for (int p = 0; p < nproc; p++) {
		if (fork() == 0) {
			pthread_t t[1024];
			for (long i = 0; i < nthreads; i++)
				pthread_create(&t[i], NULL, worker, (void *)(long)(p * nthreads + i));
			for (int i = 0; i < nthreads; i++)
				pthread_join(t[i], NULL);
			_exit(0);
		}
	}
	for (int p = 0; p < nproc; p++)
		wait(NULL);
	for (int i = 0; i < nproc * nthreads; i++) {
		total += sh->ops[i];
		if (sh->max_ns[i] > worst)
			worst = sh->max_ns[i];
	}
	printf("ops %lu max_block_ms %.3f\n", total, worst / 1e6);
	return 0;
}
