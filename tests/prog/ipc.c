/* ipc.c — data that crosses processes: a forked child reads a file through a descriptor
 * it inherited and sends the bytes to its parent through a pipe, a socket pair or a
 * Unix socket at a path; the parent writes them to a file.  Right after the fork the
 * parent closes its copy of that descriptor and opens a decoy on the same number,
 * racing the child's start. */
#include "config.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prog.h"

enum { PIPE, SOCKPAIR, UNIX };

/* One round: returns the bytes the child sent. */
static ssize_t round_trip(int mode, const char *d, char *buf, size_t cap)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char p[4096];
	int ch[2] = { -1, -1 }, fd, in, st, lsn = -1;
	ssize_t n, got = 0;
	pid_t pid;

	in = open(path_in(p, sizeof p, d, "in"), O_RDONLY);
	need(in >= 0, "open in");
	need(snprintf(sa.sun_path, sizeof sa.sun_path, "%s/sock", d) < (int)sizeof sa.sun_path,
	     "socket path too long");
	if (mode == UNIX) {
		unlink(sa.sun_path);
		lsn = socket(AF_UNIX, SOCK_STREAM, 0);
		need(lsn >= 0 && bind(lsn, (struct sockaddr *)&sa, sizeof sa) == 0 &&
		     listen(lsn, 1) == 0, "listen");
	} else if (mode == SOCKPAIR) {
		need(socketpair(AF_UNIX, SOCK_STREAM, 0, ch) == 0, "socketpair");
	} else {
		need(pipe(ch) == 0, "pipe");
	}
	pid = fork();
	need(pid >= 0, "fork");
	if (pid == 0) {
		if (mode == UNIX) {
			close(lsn);
			ch[1] = socket(AF_UNIX, SOCK_STREAM, 0);
			need(ch[1] >= 0 && connect(ch[1], (struct sockaddr *)&sa, sizeof sa) == 0,
			     "connect");
		} else {
			close(ch[0]);
		}
		n = read(in, buf, cap);
		need(n > 0, "read in");
		if (mode == PIPE)
			need(write(ch[1], buf, (size_t)n) == n, "write to the pipe");
		else
			need(send(ch[1], buf, (size_t)n, 0) == n, "send");
		close(ch[1]);
		_exit(0);
	}
	if (mode != UNIX)
		close(ch[1]);
	close(in);
	fd = open(path_in(p, sizeof p, d, "decoy"), O_RDWR | O_CREAT | O_APPEND, 0600);
	need(fd == in, "the decoy on the number the child reads");
	need(write(fd, "decoy\n", 6) == 6, "write decoy");
	close(fd);
	if (mode == UNIX) {
		ch[0] = accept(lsn, NULL, NULL);
		need(ch[0] >= 0, "accept");
		close(lsn);
	}
	while ((n = mode == PIPE ? read(ch[0], buf + got, cap - (size_t)got)
				 : recv(ch[0], buf + got, cap - (size_t)got, 0)) > 0)
		got += n;
	need(n == 0, "read from the child");
	close(ch[0]);
	need(waitpid(pid, &st, 0) == pid && st == 0, "the child");
	return got;
}

int main(int argc, char **argv)
{
	char p[4096], buf[4096];
	int fd, mode, rounds;
	ssize_t got, total = 0;

	need(argc == 4, "usage: ipc pipe|sock|unix DIR ROUNDS");
	mode = !strcmp(argv[1], "sock") ? SOCKPAIR : !strcmp(argv[1], "unix") ? UNIX : PIPE;
	rounds = atoi(argv[3]);
	const char *d = argv[2];

	fd = open(path_in(p, sizeof p, d, "out"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0, "open out");
	for (int i = 0; i < rounds; i++) {
		got = round_trip(mode, d, buf, sizeof buf);
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
