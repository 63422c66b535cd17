/* copyfile.c — copies a file with open/read/write, 100 reads of 512 bytes, and prints
 * a checksum: the program the preload-combination test runs under every mix of tools. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[512];
	unsigned long sum = 0;
	int in, out;
	ssize_t n;

	if (argc != 3)
		return 2;
	in = open(argv[1], O_RDONLY);
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0)
		return 1;
	while ((n = read(in, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			sum = sum * 31 + (unsigned char)buf[i];
		if (write(out, buf, (size_t)n) != n)
			return 1;
		/* the allocator preloaded beside the shim gets work too */
		free(strdup(buf));
	}
	close(in);
	close(out);
	printf("%lu\n", sum);
	return 0;
}
