/* mmap.c — file mappings: a private read mapping counts as a read of its length, a
 * shared writable one as a read and a write. */
#include "config.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "prog.h"

int main(int argc, char **argv)
{
	char p[4096], data[8192];
	unsigned sum = 0;
	char *m;
	int fd;

	need(argc == 2, "usage: mmap DIR");
	memset(data, 'm', sizeof data);
	fd = open(path_in(p, sizeof p, argv[1], "m"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0, "open m");
	need(write(fd, data, sizeof data) == (ssize_t)sizeof data, "write m");
	need(close(fd) == 0, "close m");

	fd = open(p, O_RDONLY);
	need(fd >= 0, "open m to read");
	m = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	need(m != MAP_FAILED, "mmap read");
	for (int i = 0; i < 8192; i++)
		sum += (unsigned char)m[i];
	need(sum == 8192u * 'm', "the mapping's bytes");
	need(munmap(m, 8192) == 0, "munmap");
	need(close(fd) == 0, "close m");

	fd = open(p, O_RDWR);
	need(fd >= 0, "open m to write");
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
	need(m != MAP_FAILED, "mmap shared write");
	memset(m, 'w', 4096);
	need(msync(m, 4096, MS_SYNC) == 0, "msync");
	need(munmap(m, 4096) == 0, "munmap");
	/* anonymous memory is no file */
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(m != MAP_FAILED, "mmap anonymous");
	need(munmap(m, 4096) == 0, "munmap");
	need(close(fd) == 0, "close m");
	return 0;
}
