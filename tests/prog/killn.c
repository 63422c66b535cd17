/* killn.c — SIGKILL after N writes: a child makes N write sessions (open, write, close)
 * and then N writes on one descriptor it never closes, tells its parent through a pipe,
 * and waits to be killed with SIGKILL.  Every write that returned must be in the store. */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prog.h"

int main(int argc, char **argv)
{
	char p[4096], name[64], c;
	int ready[2], st, n;
	pid_t pid;

	need(argc == 3, "usage: killn DIR N");
	n = atoi(argv[2]);
	need(pipe(ready) == 0, "pipe");
	pid = fork();
	need(pid >= 0, "fork");
	if (pid == 0) {
		close(ready[0]);
		for (int i = 0; i < n; i++) {
			snprintf(name, sizeof name, "w%04d", i);
			int fd = open(path_in(p, sizeof p, argv[1], name), O_WRONLY | O_CREAT | O_TRUNC, 0600);
			need(fd >= 0 && write(fd, "0123456789", 10) == 10, "write a session");
			need(close(fd) == 0, "close");
		}
		int fd = open(path_in(p, sizeof p, argv[1], "open"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		need(fd >= 0, "open the last file");
		for (int i = 0; i < n; i++)
			need(write(fd, "abcdefg", 7) == 7, "write");
		need(write(ready[1], "R", 1) == 1, "tell the parent");
		for (;;)
			pause();
	}
	close(ready[1]);
	need(read(ready[0], &c, 1) == 1 && c == 'R', "hear from the child");
	need(kill(pid, SIGKILL) == 0, "kill");
	need(waitpid(pid, &st, 0) == pid, "waitpid");
	need(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "killed by SIGKILL");
	printf("%d\n", (int)pid);
	return 0;
}
