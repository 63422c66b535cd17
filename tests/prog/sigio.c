/* sigio.c — RELIABILITY.md case 11: a signal handler that does I/O interrupts a thread
 * that is inside the shim, thousands of times.  Prints the handler's invocations. */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include "prog.h"

static char hpath[4096];
static volatile sig_atomic_t handled, failed;

static void handler(int sig)
{
	int e = errno;
	int fd = open(hpath, O_WRONLY | O_CREAT | O_APPEND, 0600);

	(void)sig;
	if (fd < 0 || write(fd, "h", 1) != 1 || close(fd) != 0)
		failed = 1;
	handled++;
	errno = e;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { 0 };
	struct itimerval it = { { 0, 50 }, { 0, 50 } };
	char p[4096];
	int n;

	need(argc == 3, "usage: sigio DIR N");
	n = atoi(argv[2]);
	path_in(hpath, sizeof hpath, argv[1], "h");
	path_in(p, sizeof p, argv[1], "m");
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	need(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
	need(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer");
	for (int i = 0; i < n; i++) {
		int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0600);
		need(fd >= 0, "open m");
		need(write(fd, "mm", 2) == 2, "write m");
		need(close(fd) == 0, "close m");
	}
	memset(&it, 0, sizeof it);
	need(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer off");
	need(!failed, "the handler's I/O");
	printf("%d\n", (int)handled);
	return 0;
}
