/* rw.c — data on open descriptors: read, write, pread, pwrite, readv, writev, preadv,
 * pwritev, a pwrite64 at 5 GiB into a sparse file, and the in-kernel copies sendfile and
 * copy_file_range. */
#include "config.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <unistd.h>

#include "prog.h"

int main(int argc, char **argv)
{
	char p[4096], buf[64], a[8], b[8], c[8];
	struct iovec wv[3] = { { "aaaaaa", 6 }, { "bbbbbbb", 7 }, { "cccccccc", 8 } };
	struct iovec pv[2] = { { "dddd", 4 }, { "eeeee", 5 } };
	struct iovec rv[2] = { { a, 3 }, { b, 4 } };
	struct iovec prv[2] = { { a, 6 }, { c, 4 } };
	int fd;

	need(argc == 2, "usage: rw DIR");
	fd = open(path_in(p, sizeof p, argv[1], "f"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0, "open f");
	need(write(fd, "0123456789", 10) == 10, "write");
	need(writev(fd, wv, 3) == 21, "writev");
	need(pwrite(fd, "PPPPP", 5, 100) == 5, "pwrite at 100");
	need(pwritev(fd, pv, 2, 200) == 9, "pwritev at 200");
	need(pread(fd, buf, 4, 2) == 4, "pread at 2");
	need(lseek(fd, 0, SEEK_SET) == 0, "lseek");
	need(read(fd, buf, 8) == 8, "read");
	need(readv(fd, rv, 2) == 7, "readv");
	need(preadv(fd, prv, 2, 0) == 10, "preadv at 0");
	/* failures move no data */
	need(pwrite(fd, "x", 1, -1) < 0 && errno == EINVAL, "pwrite at -1");
	need(read(-1, buf, 1) < 0 && errno == EBADF, "read of -1");
	need(close(fd) == 0, "close f");

	/* a sparse file with data past 4 GiB */
	fd = open(path_in(p, sizeof p, argv[1], "big"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0, "open big");
	need(pwrite64(fd, "5GiB+7!", 7, 5LL << 30) == 7, "pwrite64 at 5 GiB");
	need(pread64(fd, buf, 3, (5LL << 30) + 1) == 3, "pread64 at 5 GiB + 1");
	need(close(fd) == 0, "close big");

	/* in-kernel copies: a read of the source and a write of the destination */
	char data[100];
	int in, out1, out2;
	memset(data, 'k', sizeof data);
	in = open(path_in(p, sizeof p, argv[1], "src"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	need(in >= 0 && write(in, data, sizeof data) == (ssize_t)sizeof data, "write src");
	need(lseek(in, 0, SEEK_SET) == 0, "lseek src");
	out1 = open(path_in(p, sizeof p, argv[1], "copy1"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	need(out1 >= 0 && sendfile(out1, in, NULL, 40) == 40, "sendfile 40 bytes");
	out2 = open(path_in(p, sizeof p, argv[1], "copy2"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
#ifdef HAVE_COPY_FILE_RANGE
	need(out2 >= 0 && copy_file_range(in, NULL, out2, NULL, 60, 0) == 60, "copy_file_range");
#else
	need(out2 >= 0 && sendfile(out2, in, NULL, 60) == 60, "sendfile 60 bytes");
#endif
	need(close(in) == 0 && close(out1) == 0 && close(out2) == 0, "close the copies");
	return 0;
}
