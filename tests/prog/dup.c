/* dup.c — descriptors: dup, dup2, dup3, fcntl(F_DUPFD*) continue a session on the same
 * file; dup2 onto a descriptor in use ends that one's session; close_range and
 * closefrom end every session in their range. */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "prog.h"

static int wr(int fd, int n)
{
	static const char x[16] = "xxxxxxxxxxxxxxx";
	return write(fd, x, (size_t)n) == n;
}

static int opened(const char *dir, const char *name)
{
	char p[4096];
	int fd = open(path_in(p, sizeof p, dir, name), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	need(fd >= 0, name);
	return fd;
}

int main(int argc, char **argv)
{
	int fd, d1, d2, d3, d4, d5;

	need(argc == 2, "usage: dup DIR");
	const char *dir = argv[1];

	fd = opened(dir, "d");
	need(wr(fd, 1), "write d");
	d1 = dup(fd);
	need(d1 >= 0 && wr(d1, 2), "dup");
	d2 = dup2(fd, 50);
	need(d2 == 50 && wr(d2, 3), "dup2");
	d3 = fcntl(fd, F_DUPFD, 60);
	need(d3 >= 60 && wr(d3, 4), "F_DUPFD");
	d4 = fcntl(fd, F_DUPFD_CLOEXEC, 70);
	need(d4 >= 70 && wr(d4, 5), "F_DUPFD_CLOEXEC");
	d5 = dup3(fd, 80, O_CLOEXEC);
	need(d5 == 80 && wr(d5, 6), "dup3");
	need(dup2(fd, fd) == fd, "dup2 onto itself");   /* nothing new */
	need(wr(fd, 7), "write d again");
	need(close(fd) == 0 && close(d1) == 0 && close(d2) == 0 && close(d3) == 0 &&
	     close(d4) == 0 && close(d5) == 0, "close the d descriptors");

	/* dup2 onto a descriptor with a session of its own: that one ends */
	int g1 = opened(dir, "g1"), g2 = opened(dir, "g2");
	need(wr(g1, 1) && wr(g2, 2), "write g1, g2");
	need(dup2(g1, g2) == g2, "dup2 g1 onto g2");
	need(wr(g2, 8), "write g1 through g2's number");
	need(close(g1) == 0 && close(g2) == 0, "close g");

	/* close_range: three sessions end with it */
	int e1 = opened(dir, "e1"), e2 = opened(dir, "e2"), e3 = opened(dir, "e3");
	need(e2 == e1 + 1 && e3 == e2 + 1, "consecutive descriptors");
	need(wr(e1, 1) && wr(e2, 2) && wr(e3, 3), "write e");
#ifdef HAVE_CLOSE_RANGE
	need(close_range((unsigned)e1, (unsigned)e3, 0) == 0, "close_range");
#else
	need(close(e1) == 0 && close(e2) == 0 && close(e3) == 0, "close e");
#endif
	need(write(e2, "x", 1) < 0 && errno == EBADF, "e2 closed");

	/* closefrom: everything from the lowest of these */
	int f1 = opened(dir, "f1"), f2 = opened(dir, "f2");
	need(wr(f1, 4) && wr(f2, 5), "write f");
#ifdef HAVE_CLOSEFROM
	closefrom(f1 < f2 ? f1 : f2);
#else
	need(close(f1) == 0 && close(f2) == 0, "close f");
#endif
	need(write(f1, "x", 1) < 0 && errno == EBADF, "f1 closed");
	return 0;
}
