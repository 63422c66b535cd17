/* stdio.c — streams under the shim: fopen, fwrite, fprintf, fputs, fputc, fread,
 * fgets, fgetc, getline, fdopen, fclose, each byte counted once. */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "prog.h"

int main(int argc, char **argv)
{
	char p[4096], data[100], buf[256], *line = NULL;
	size_t cap = 0;
	FILE *fp;
	int fd;

	need(argc == 2, "usage: stdio DIR");
	for (int i = 0; i < 100; i++)
		data[i] = (char)('a' + i % 26);

	/* 100 + 7 + 4 + 1 bytes in 4 calls */
	fp = fopen(path_in(p, sizeof p, argv[1], "s1"), "w");
	need(fp != NULL, "fopen s1 w");
	need(fwrite(data, 1, 100, fp) == 100, "fwrite");
	need(fprintf(fp, "%d-%s\n", 42, "abc") == 7, "fprintf");
	need(fputs("xyz\n", fp) >= 0, "fputs");
	need(fputc('!', fp) == '!', "fputc");
	need(fclose(fp) == 0, "fclose s1");

	/* 50 + 57 + 1 + 3 + 1 bytes in 5 calls; the EOF reads move nothing */
	fp = fopen(path_in(p, sizeof p, argv[1], "s1"), "r");
	need(fp != NULL, "fopen s1 r");
	need(fread(buf, 1, 50, fp) == 50, "fread");
	need(fgets(buf, sizeof buf, fp) != NULL && strlen(buf) == 57, "fgets");
	need(fgetc(fp) == 'x', "fgetc");
	need(getline(&line, &cap, fp) == 3, "getline");
	need(fgetc(fp) == '!', "fgetc !");
	need(fgetc(fp) == EOF, "fgetc at EOF");
	need(fread(buf, 1, 10, fp) == 0, "fread at EOF");
	need(fclose(fp) == 0, "fclose s1");
	free(line);

	/* a stream on a descriptor the shim already follows */
	fd = open(path_in(p, sizeof p, argv[1], "s2"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0, "open s2");
	fp = fdopen(fd, "w");
	need(fp != NULL, "fdopen s2");
	need(fprintf(fp, "%s", "fdopen\n") == 7, "fprintf s2");
	need(fclose(fp) == 0, "fclose s2");

	/* a failed fopen records nothing */
	need(fopen(path_in(p, sizeof p, argv[1], "missing"), "r") == NULL && errno == ENOENT,
	     "fopen of a missing file");
	return 0;
}
