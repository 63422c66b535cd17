/* fdclobber.c — RELIABILITY.md case 10: the program closes every descriptor from 3 up and
 * puts its own file on the low numbers (closefrom, dup2); children and an exec'd image
 * start meanwhile.  No byte of the shim's may ever land in the program's file. */
#include "config.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prog.h"

static void lines(int fd, const char *who, int n)
{
	char buf[64];

	for (int i = 0; i < n; i++) {
		int k = snprintf(buf, sizeof buf, "%s %d\n", who, i);
		need(write(fd, buf, (size_t)k) == k, "write a line");
	}
}

int main(int argc, char **argv)
{
	char p[4096], self[4096];
	int fd, st;
	ssize_t n;

	need(argc >= 2, "usage: fdclobber DIR [exec]");
	if (argc == 3) {
		/* the exec'd image: its descriptor 3 is still the program's file */
		lines(3, "exec", 50);
		return 0;
	}
#ifdef HAVE_CLOSEFROM
	closefrom(3);
#else
	for (int i = 3; i < 1024; i++)
		close(i);
#endif
	fd = open(path_in(p, sizeof p, argv[1], "user"), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
	need(fd == 3, "the program's file on descriptor 3");
	for (int i = 4; i < 10; i++)
		need(dup2(fd, i) == i, "dup2 onto a low descriptor");
	lines(3, "parent", 10);
	for (int c = 0; c < 10; c++) {
		pid_t pid = fork();
		need(pid >= 0, "fork");
		if (pid == 0) {
			char name[32];
			snprintf(name, sizeof name, "k%d", c);
			int k = open(path_in(p, sizeof p, argv[1], name), O_WRONLY | O_CREAT | O_TRUNC, 0600);
			need(k == 10, "the child's file on descriptor 10");
			lines(k, "k", 3);
			close(k);
			lines(4 + c % 6, "child", 5);
			_exit(0);
		}
		need(waitpid(pid, &st, 0) == pid && st == 0, "child");
	}
	/* close the duplicates one by one and reopen: the numbers are reused */
	for (int i = 4; i < 10; i++) {
		need(close(i) == 0, "close a duplicate");
		need(dup(3) == i, "dup into the freed number");
	}
	lines(9, "parent", 10);
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	need(n > 0, "readlink");
	self[n] = 0;
	pid_t pid = fork();
	need(pid >= 0, "fork");
	if (pid == 0) {
		for (int i = 4; i < 10; i++)
			close(i);
		execl(self, self, argv[1], "exec", (char *)NULL);
		_exit(127);
	}
	need(waitpid(pid, &st, 0) == pid && st == 0, "exec'd child");
	return 0;
}
