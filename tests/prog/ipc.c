/* ipc.c — data that crosses processes: a forked child reads a file through a descriptor
 * it inherited and sends the bytes to its parent through a pipe or a socket pair; the
 * parent writes them to a file.  Right after the fork the parent closes its copy of that
 * descriptor and opens a decoy on the same number, racing the child's start. */
#include "config.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prog.h"

/* One round: returns the bytes the child sent. */
static ssize_t round_trip(int sock, const char *d, char *buf, size_t cap)
{
	char p[4096];
	int ch[2], fd, in, st;
	ssize_t n, got = 0;
	pid_t pid;

	in = open(path_in(p, sizeof p, d, "in"), O_RDONLY);
	need(in >= 0, "open in");
	if (sock)
		need(socketpair(AF_UNIX, SOCK_STREAM, 0, ch) == 0, "socketpair");
	else
		need(pipe(ch) == 0, "pipe");
	pid = fork();
	need(pid >= 0, "fork");
	if (pid == 0) {
		close(ch[0]);
		n = read(in, buf, cap);
		need(n > 0, "read in");
		if (sock)
			need(send(ch[1], buf, (size_t)n, 0) == n, "send");
		else
			need(write(ch[1], buf, (size_t)n) == n, "write to the pipe");
		close(ch[1]);
		_exit(0);
	}
	close(ch[1]);
	close(in);
	fd = open(path_in(p, sizeof p, d, "decoy"), O_RDWR | O_CREAT | O_APPEND, 0600);
	need(fd == in, "the decoy on the number the child reads");
	need(write(fd, "decoy\n", 6) == 6, "write decoy");
	close(fd);
	while ((n = sock ? recv(ch[0], buf + got, cap - (size_t)got, 0)
			 : read(ch[0], buf + got, cap - (size_t)got)) > 0)
		got += n;
	need(n == 0, "read from the child");
	close(ch[0]);
	need(waitpid(pid, &st, 0) == pid && st == 0, "the child");
	return got;
}

int main(int argc, char **argv)
{
	char p[4096], buf[4096];
	int fd, sock, rounds;
	ssize_t got, total = 0;

	need(argc == 4, "usage: ipc pipe|sock DIR ROUNDS");
	sock = strcmp(argv[1], "sock") == 0;
	rounds = atoi(argv[3]);
	const char *d = argv[2];

	fd = open(path_in(p, sizeof p, d, "out"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0, "open out");
	for (int i = 0; i < rounds; i++) {
		got = round_trip(sock, d, buf, sizeof buf);
		need(write(fd, buf, (size_t)got) == got, "write out");
		total += got;
	}
	close(fd);
	/* read after out was written: not among out's ancestors */
	fd = open(path_in(p, sizeof p, d, "late"), O_RDONLY);
	need(fd >= 0 && read(fd, buf, sizeof buf) > 0, "read late");
	close(fd);
	printf("%zd\n", total);
	return 0;
}
