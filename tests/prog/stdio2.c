/* stdio2.c — streams read and written only through what no wrapper sees: the
 * getc_unlocked and putc_unlocked macros (libc is called only to refill or flush the
 * buffer), the scanf family and the wide-character family (refills inside libc), for
 * tests/shim/stdio2.sh.
 *
 * Usage: stdio2 DIR   (DIR holds nums, text, wide, mixed, open-scanf, app, aplus, rplus,
 *                     reread, fdin, fre: made by the test)
 *   nums        read to the end with fscanf("%d")                 -> closed
 *   text        read to the end with getc_unlocked                -> closed
 *   wide        read to the end with fgetws (C.UTF-8)             -> closed
 *   mixed       fread of 10 bytes, then getc_unlocked to the end  -> closed
 *   out-putc    5000 bytes by putc_unlocked                       -> closed
 *   out-wide    fputws and fwprintf of non-ASCII text (C.UTF-8)   -> closed
 *   open-scanf  read to the end with fscanf                       -> left open at exit
 *   open-putc   3000 bytes by putc_unlocked                       -> left open at exit
 * and in the other stream modes, and streams the shim did not see open:
 *   app         "a": 700 bytes appended by putc_unlocked
 *   aplus       "a+": read to the end by getc_unlocked, fseek to the end, 10 bytes
 *               appended by putc_unlocked
 *   wplus       "w+": 3000 bytes by putc_unlocked, rewind, read back by getc_unlocked
 *   rplus       "r+": 500 bytes overwritten by putc_unlocked, fflush, the rest read by
 *               getc_unlocked
 *   reread      "r": 5000 bytes by getc_unlocked, fseek to 0, all of it again
 *   fdin        through fdopen of an open(2) descriptor, read by getc_unlocked
 *   fre         opened, then freopen(NULL, "r"), read by getc_unlocked
 *   a tmpfile   2000 bytes by putc_unlocked
 * Then libm is loaded and unloaded (dlopen, dlclose), and the checksum goes to the
 * standard output by printf.
 */
#include <dlfcn.h>
#include <fcntl.h>
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

	f = open_in(argv[1], "app", "a");
	for (int i = 0; i < 700; i++)
		putc_unlocked('p', f);
	need(fclose(f) == 0, "fclose app");

	f = open_in(argv[1], "aplus", "a+");
	while ((c = getc_unlocked(f)) != EOF)
		sum += c;
	need(fseek(f, 0, SEEK_END) == 0, "fseek aplus");
	for (int i = 0; i < 10; i++)
		putc_unlocked('z', f);
	need(fclose(f) == 0, "fclose aplus");

	f = open_in(argv[1], "wplus", "w+");
	for (int i = 0; i < 3000; i++)
		putc_unlocked('w', f);
	rewind(f);
	while ((c = getc_unlocked(f)) != EOF)
		sum += c;
	need(fclose(f) == 0, "fclose wplus");

	f = open_in(argv[1], "rplus", "r+");
	for (int i = 0; i < 500; i++)
		putc_unlocked('x', f);
	need(fflush(f) == 0, "fflush rplus");
	while ((c = getc_unlocked(f)) != EOF)
		sum += c;
	need(fclose(f) == 0, "fclose rplus");

	f = open_in(argv[1], "reread", "r");
	for (int i = 0; i < 5000; i++)
		sum += getc_unlocked(f);
	need(fseek(f, 0, SEEK_SET) == 0, "fseek reread");
	while ((c = getc_unlocked(f)) != EOF)
		sum += c;
	need(fclose(f) == 0, "fclose reread");

	char p[4096];
	int fd = open(path_in(p, sizeof p, argv[1], "fdin"), O_RDONLY);
	need(fd >= 0 && (f = fdopen(fd, "r")) != NULL, "fdopen fdin");
	while ((c = getc_unlocked(f)) != EOF)
		sum += c;
	need(fclose(f) == 0, "fclose fdopen");

	f = open_in(argv[1], "fre", "r");
	need(freopen(NULL, "r", f) == f, "freopen NULL fre");
	while ((c = getc_unlocked(f)) != EOF)
		sum += c;
	need(fclose(f) == 0, "fclose fre");

	need((f = tmpfile()) != NULL, "tmpfile");
	for (int i = 0; i < 2000; i++)
		putc_unlocked('t', f);
	need(fclose(f) == 0, "fclose tmpfile");

	void *h = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
	need(h != NULL && dlclose(h) == 0, "dlopen, dlclose libm.so.6");

	f = open_in(argv[1], "open-scanf", "r");
	while (fscanf(f, "%d", &x) == 1)
		sum += x;
	f = open_in(argv[1], "open-putc", "w");
	for (int i = 0; i < 3000; i++)
		putc_unlocked('z', f);
	printf("%ld\n", sum);
	return 0;   /* the last two streams are flushed and closed by exit */
}
