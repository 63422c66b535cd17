/* forkstress.c — RELIABILITY.md case 7: threads doing I/O while another thread forks
 * again and again.  Each child writes its pid into DIR/c/N and leaves; each I/O thread
 * counts its sessions on DIR/tK, printed at the end as "K COUNT". */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "prog.h"

static const char *dir;
static atomic_int stop;
static long counts[64];

static void *io_thread(void *arg)
{
	long k = (long)arg;
	struct timespec pace = { 0, 2000000 };
	char p[4096], name[16];

	snprintf(name, sizeof name, "t%ld", k);
	path_in(p, sizeof p, dir, name);
	while (!atomic_load(&stop)) {
		int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0600);
		need(fd >= 0, "thread: open");
		need(write(fd, "threadio", 8) == 8, "thread: write");
		need(close(fd) == 0, "thread: close");
		counts[k]++;
		nanosleep(&pace, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	char p[4096], name[32], pidtext[32];
	int nforks, nthreads, st;

	need(argc == 4, "usage: forkstress DIR FORKS THREADS");
	dir = argv[1];
	nforks = atoi(argv[2]);
	nthreads = atoi(argv[3]);
	need(nthreads > 0 && nthreads <= 64, "1 to 64 threads");
	need(mkdir(path_in(p, sizeof p, dir, "c"), 0700) == 0, "mkdir c");
	for (long k = 0; k < nthreads; k++)
		need(pthread_create(&t[k], NULL, io_thread, (void *)k) == 0, "pthread_create");
	for (int i = 0; i < nforks; i++) {
		pid_t pid = fork();
		need(pid >= 0, "fork");
		if (pid == 0) {
			snprintf(name, sizeof name, "c/%d", i);
			int fd = open(path_in(p, sizeof p, dir, name), O_WRONLY | O_CREAT | O_TRUNC, 0600);
			int n = snprintf(pidtext, sizeof pidtext, "%d", (int)getpid());
			if (fd < 0 || write(fd, pidtext, (size_t)n) != n || close(fd) != 0)
				_exit(3);
			_exit(0);
		}
		need(waitpid(pid, &st, 0) == pid, "waitpid");
		if (st != 0) {
			fprintf(stderr, "child %d: status %#x\n", i, st);
			return 2;
		}
	}
	atomic_store(&stop, 1);
	for (long k = 0; k < nthreads; k++)
		pthread_join(t[k], NULL);
	for (int k = 0; k < nthreads; k++)
		printf("%d %ld\n", k, counts[k]);
	return 0;
}
