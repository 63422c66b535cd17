/* open.c — the open family under the shim: open, open64, openat with a directory
 * descriptor, creat, a path to normalise; built twice, once with -D_FORTIFY_SOURCE=2. */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prog.h"

int main(int argc, char **argv)
{
	/* not known at compile time: a fortified build calls __open_2 and __read_chk */
	volatile int rdonly = O_RDONLY, wr_create = O_WRONLY | O_CREAT;
	volatile size_t want = 64;
	char p[4096], buf[64];
	int fd, dfd;

	need(argc == 2, "usage: open DIR");
	const char *d = argv[1];

	fd = open(path_in(p, sizeof p, d, "o1"), O_WRONLY | O_CREAT | O_TRUNC, 0640);
	need(fd >= 0, "open o1");
	need(write(fd, "hello world", 11) == 11, "write o1");
	need(close(fd) == 0, "close o1");

	fd = open64(path_in(p, sizeof p, d, "o1"), O_RDONLY);
	need(fd >= 0, "open64 o1");
	need(read(fd, buf, sizeof buf) == 11, "read o1");
	need(read(fd, buf, sizeof buf) == 0, "read o1 at its end");
	need(close(fd) == 0, "close o1");

	dfd = open(d, O_RDONLY | O_DIRECTORY);
	need(dfd >= 0, "open DIR");
	fd = openat(dfd, "o2", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0, "openat o2");
	need(write(fd, "12345", 5) == 5, "write o2");
	need(close(fd) == 0, "close o2");

	fd = creat(path_in(p, sizeof p, d, "o3"), 0600);
	need(fd >= 0, "creat o3");
	need(write(fd, "abc", 3) == 3, "write o3");
	need(close(fd) == 0, "close o3");

	/* recorded as DIR/o4 */
	need(mkdir(path_in(p, sizeof p, d, "sub"), 0700) == 0, "mkdir sub");
	fd = open(path_in(p, sizeof p, d, "./sub//../o4"), O_WRONLY | O_CREAT, 0600);
	need(fd >= 0, "open o4");
	need(close(fd) == 0, "close o4");

	/* the fortified entry points (plain open and openat without them) */
	fd = open(path_in(p, sizeof p, d, "o1"), rdonly);
	need(fd >= 0, "open o1 (flags unknown at compile time)");
	need(read(fd, buf, want) == 11, "read o1 (length unknown at compile time)");
	need(close(fd) == 0, "close o1");
	fd = openat(dfd, "o5", wr_create, 0600);
	need(fd >= 0, "openat o5");
	need(close(fd) == 0, "close o5");
	fd = openat(dfd, "o5", rdonly);
	need(fd >= 0, "openat o5 (flags unknown at compile time)");
	need(close(fd) == 0, "close o5");
	need(close(dfd) == 0, "close DIR");

	/* a failed open records nothing */
	need(open(path_in(p, sizeof p, d, "missing"), O_RDONLY) < 0 && errno == ENOENT,
	     "open of a missing file");
	return 0;
}
