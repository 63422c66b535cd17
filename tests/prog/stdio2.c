/* stdio2.c — streams read and written only through what no wrapper sees: the
 * getc_unlocked and putc_unlocked macros (libc is called only to refill or flush the
 * buffer), the scanf family and the wide-character family (refills inside libc), for
 * tests/shim/stdio2.sh.
 *
 * Usage: stdio2 DIR   (DIR holds nums, text, wide, mixed, open-scanf: made by the test)
 *   nums        read to the end with fscanf("%d")                 -> closed
 *   text        read to the end with getc_unlocked                -> closed
 *   wide        read to the end with fgetws (C.UTF-8)             -> closed
 *   mixed       fread of 10 bytes, then getc_unlocked to the end  -> closed
 *   out-putc    5000 bytes by putc_unlocked                       -> closed
 *   out-wide    fputws and fwprintf of non-ASCII text (C.UTF-8)   -> closed
 *   open-scanf  read to the end with fscanf                       -> left open at exit
 *   open-putc   3000 bytes by putc_unlocked                       -> left open at exit
 */
#include <locale.h>
#include <stdio.h>
#include <wchar.h>

#include "prog.h"

static FILE *open_in(const char *dir, const char *name, const char *mode)
{
	char p[4096];
	FILE *f = fopen(path_in(p, sizeof p, dir, name), mode);

	need(f != NULL, name);
	return f;
}

int main(int argc, char **argv)
{
	char buf[16];
	wchar_t wl[256];
	int x, c;
	long sum = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: stdio2 DIR\n");
		return 2;
	}
	need(setlocale(LC_ALL, "C.UTF-8") != NULL, "setlocale C.UTF-8");

	f = open_in(argv[1], "nums", "r");
	while (fscanf(f, "%d", &x) == 1)
		sum += x;
	need(fclose(f) == 0, "fclose nums");

	f = open_in(argv[1], "text", "r");
	while ((c = getc_unlocked(f)) != EOF)
		sum += c;
	need(fclose(f) == 0, "fclose text");

	f = open_in(argv[1], "wide", "r");
	while (fgetws(wl, 256, f))
		sum += (long)wcslen(wl);
	need(fclose(f) == 0, "fclose wide");

	f = open_in(argv[1], "mixed", "r");
	need(fread(buf, 1, 10, f) == 10, "fread mixed");
	while ((c = getc_unlocked(f)) != EOF)
		sum += c;
	need(fclose(f) == 0, "fclose mixed");

	f = open_in(argv[1], "out-putc", "w");
	for (int i = 0; i < 5000; i++)
		putc_unlocked('a' + i % 26, f);
	need(fclose(f) == 0, "fclose out-putc");

	f = open_in(argv[1], "out-wide", "w");
	need(fputws(L"d\u00e9j\u00e0 vu\n", f) >= 0, "fputws");       /* 10 bytes in UTF-8 */
	need(fwprintf(f, L"%ls=%d\n", L"\u00fc", 42) == 5, "fwprintf"); /* 6 bytes */
	need(fclose(f) == 0, "fclose out-wide");

	f = open_in(argv[1], "open-scanf", "r");
	while (fscanf(f, "%d", &x) == 1)
		sum += x;
	f = open_in(argv[1], "open-putc", "w");
	for (int i = 0; i < 3000; i++)
		putc_unlocked('z', f);
	printf("%ld\n", sum);
	return 0;   /* the last two streams are flushed and closed by exit */
}
