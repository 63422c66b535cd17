/* stdio3.c — the rest of the FILE surface, for tests/shim/stdio3.sh: streams with no file
 * (memory, cookie), popen, dprintf, the unlocked and fortified entry points, streams open
 * for update that read to the end of the file and then write with no call between, and
 * counts that a clean phase must get right without asking the kernel.  Built twice: plain,
 * and fortified (stdio3-fortify: __fread_unlocked_chk, __fgets_unlocked_chk,
 * __dprintf_chk, __vdprintf_chk, __fwprintf_chk); the record must be the same.
 *
 * Usage: stdio3 DIR      the standard input is DIR/in (10 bytes); DIR holds in, pin, fu,
 *                        rpu, rpf, apw, rpg, mix, items, nul (made by the test)
 *   memory streams   open_memstream, fmemopen, fopencookie, open_wmemstream: written,
 *                    read, repositioned, flushed, closed; then 5 bytes of the standard input
 *   popen            "cat DIR/pin" read to the end by fread; "cat > DIR/pout" fed 2000
 *                    bytes by fputs
 *   dp               dprintf 30 bytes, vdprintf 20, on an open(2) descriptor
 *   fu               fread_unlocked 20 bytes, fgets_unlocked one line of 21
 *   rpu   "r+"       read to the end by getc_unlocked, then 200 bytes by putc_unlocked
 *   rpf   "r+"       read to the end by fscanf, then fputs of 4 bytes
 *   apw   "a+"       read to the end by fgetws (C.UTF-8), then fwprintf of 6 bytes
 *   rpg   "r+"       the function forms (through pointers): read to the end by
 *                    getc_unlocked, then 100 bytes by putc_unlocked
 *   mix   "r"        fread 10, getc_unlocked 5 (inside the buffer), fread 10
 *   items "r"        fread of 4-byte items on 7 bytes: one item, 7 bytes gone
 *   nul   "r"        fgets on "ab\0cd" (no newline): 5 bytes gone, a string of 2
 *   fdw              open(2), lseek to 50, fdopen "w", 30 bytes by putc_unlocked
 *   fla   "r+"       100 bytes by putc_unlocked, fflush(NULL), the rest (200) by
 *                    getc_unlocked
 *   vbuf  "r"        setvbuf with a buffer of the program's, fread 10, getc_unlocked 20
 * Usage: stdio3 clean DIR   what needs no position (tests/shim/stdio3.sh counts lseek):
 *   DIR/cr read by fgets to the end, DIR/cw written by fprintf, DIR/cp ("r+") fputs,
 *   fflush, fgets, DIR/ca ("a") fputs, DIR/cr again by fread of 4096.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <wchar.h>

#include "prog.h"

static FILE *open_in(const char *dir, const char *name, const char *mode)
{
	char p[4096];
	FILE *f = fopen(path_in(p, sizeof p, dir, name), mode);

	need(f != NULL, name);
	return f;
}

/* a cookie stream over a static buffer */
static char cookie_buf[256];
static size_t cookie_len, cookie_pos;

static ssize_t cookie_read(void *c, char *b, size_t n)
{
	(void)c;
	if (n > cookie_len - cookie_pos)
		n = cookie_len - cookie_pos;
	memcpy(b, cookie_buf + cookie_pos, n);
	cookie_pos += n;
	return (ssize_t)n;
}

static ssize_t cookie_write(void *c, const char *b, size_t n)
{
	(void)c;
	if (n > sizeof cookie_buf - cookie_len)
		n = sizeof cookie_buf - cookie_len;
	memcpy(cookie_buf + cookie_len, b, n);
	cookie_len += n;
	return (ssize_t)n;
}

static int vd(int fd, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vdprintf(fd, fmt, ap);
	va_end(ap);
	return r;
}

static long memory_streams(void)
{
	char *p = NULL, line[64];
	wchar_t *wp = NULL;
	size_t n = 0, wn = 0;
	long sum = 0;
	int x, c;
	FILE *f;

	/* first, while the heap is fresh: glibc leaves a string stream's descriptor field to
	 * the allocator (0 here), which must not be taken for the standard input */
	need((f = open_memstream(&p, &n)) != NULL, "open_memstream");
	need(fprintf(f, "%0100d", 7) == 100, "fprintf memstream");
	need(fputs("tail", f) >= 0, "fputs memstream");
	for (int i = 0; i < 10; i++)
		putc_unlocked('m', f);
	need(fflush(f) == 0 && n == 114, "fflush memstream");
	need(fseek(f, 0, SEEK_SET) == 0, "fseek memstream");
	need(fclose(f) == 0, "fclose memstream");
	free(p);

	char buf[256];
	need((f = fmemopen(buf, sizeof buf, "w+")) != NULL, "fmemopen");
	need(fprintf(f, "%d %d\n", 12, 34) == 6, "fprintf fmemopen");
	rewind(f);
	need(fscanf(f, "%d", &x) == 1 && x == 12, "fscanf fmemopen");
	while ((c = getc_unlocked(f)) != EOF && c != '\n')
		sum += c;
	need(fclose(f) == 0, "fclose fmemopen");

	cookie_io_functions_t io = { .read = cookie_read, .write = cookie_write };
	need((f = fopencookie(NULL, "w+", io)) != NULL, "fopencookie");
	need(fprintf(f, "cookie %d\n", 1) == 9, "fprintf cookie");
	need(fflush(f) == 0 && cookie_len == 9, "fflush cookie");
	need(fgets(line, sizeof line, f) && strcmp(line, "cookie 1\n") == 0, "fgets cookie");
	need(fclose(f) == 0, "fclose cookie");

	need((f = (FILE *)open_wmemstream(&wp, &wn)) != NULL, "open_wmemstream");
	need(fwprintf(f, L"%ls", L"w\u00e9") == 2, "fwprintf wmemstream");
	need(fclose(f) == 0 && wn == 2, "fclose wmemstream");
	free(wp);

	need(fread(line, 1, 5, stdin) == 5, "fread stdin");
	return sum + x;
}

static long pipes(const char *dir)
{
	char cmd[4200], p[4096], buf[4096];
	size_t n, got = 0;
	FILE *f;

	snprintf(cmd, sizeof cmd, "cat %s", path_in(p, sizeof p, dir, "pin"));
	need((f = popen(cmd, "r")) != NULL, "popen r");
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		got += n;
	need(pclose(f) == 0 && got == 3000, "pclose r");
	snprintf(cmd, sizeof cmd, "cat > %s", path_in(p, sizeof p, dir, "pout"));
	need((f = popen(cmd, "w")) != NULL, "popen w");
	for (int i = 0; i < 40; i++)
		need(fputs("0123456789012345678901234567890123456789012345678\n", f) >= 0, "fputs");
	need(pclose(f) == 0, "pclose w");
	return (long)got;
}

int main(int argc, char **argv)
{
	char p[4096], buf[64], line[64];
	wchar_t wl[64];
	long sum = 0;
	int c, fd, x;
	FILE *f;
	/* the function forms, whatever the optimisation */
	int (*volatile gu)(FILE *) = getc_unlocked;
	int (*volatile pu)(int, FILE *) = putc_unlocked;
	/* sizes the compiler cannot see: no inline expansion of the unlocked calls */
	size_t twenty = (size_t)argc * 10, sixty = (size_t)argc * 32;

	if (argc == 3 && strcmp(argv[1], "clean") == 0) {
		const char *d = argv[2];
		f = open_in(d, "cr", "r");
		while (fgets(line, sizeof line, f))
			sum += line[0];
		need(fclose(f) == 0, "fclose cr");
		f = open_in(d, "cw", "w");
		for (int i = 0; i < 100; i++)
			need(fprintf(f, "line %03d\n", i) == 9, "fprintf cw");
		need(fclose(f) == 0, "fclose cw");
		f = open_in(d, "cp", "r+");
		need(fputs("HEAD", f) >= 0 && fflush(f) == 0, "fputs, fflush cp");
		while (fgets(line, sizeof line, f))
			sum += line[0];
		need(fclose(f) == 0, "fclose cp");
		f = open_in(d, "ca", "a");
		need(fputs("more\n", f) >= 0, "fputs ca");
		need(fclose(f) == 0, "fclose ca");
		f = open_in(d, "cr", "r");
		while (fread(buf, 1, sizeof buf, f) > 0)
			sum += buf[0];
		need(fclose(f) == 0, "fclose cr 2");
		printf("%ld\n", sum);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: stdio3 [clean] DIR\n");
		return 2;
	}
	need(setlocale(LC_ALL, "C.UTF-8") != NULL, "setlocale C.UTF-8");
	sum += memory_streams();
	sum += pipes(argv[1]);

	need((fd = open(path_in(p, sizeof p, argv[1], "dp"), O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0,
	     "open dp");
	need(dprintf(fd, "%030d", argc) == 30, "dprintf");
	need(vd(fd, "%020d", argc) == 20, "vdprintf");
	need(close(fd) == 0, "close dp");

	f = open_in(argv[1], "fu", "r");
	need(fread_unlocked(buf, 1, twenty, f) == 20, "fread_unlocked fu");
	need(fgets_unlocked(line, (int)sixty, f) && strlen(line) == 21, "fgets_unlocked fu");
	need(fclose(f) == 0, "fclose fu");

	f = open_in(argv[1], "rpu", "r+");
	while ((c = getc_unlocked(f)) != EOF)
		sum += c;
	for (int i = 0; i < 200; i++)
		putc_unlocked('u', f);
	need(fclose(f) == 0, "fclose rpu");

	f = open_in(argv[1], "rpf", "r+");
	while (fscanf(f, "%d", &x) == 1)
		sum += x;
	need(fputs("END\n", f) >= 0, "fputs rpf");
	need(fclose(f) == 0, "fclose rpf");

	f = open_in(argv[1], "apw", "a+");
	while (fgetws(wl, 64, f))
		sum += (long)wcslen(wl);
	need(fwprintf(f, L"%ls\n", L"\u00e9t\u00e9") == 4, "fwprintf apw");   /* 6 bytes */
	need(fclose(f) == 0, "fclose apw");

	f = open_in(argv[1], "rpg", "r+");
	while ((c = gu(f)) != EOF)
		sum += c;
	for (int i = 0; i < 100; i++)
		pu('g', f);
	need(fclose(f) == 0, "fclose rpg");

	f = open_in(argv[1], "mix", "r");
	need(fread(buf, 1, 10, f) == 10, "fread mix");
	for (int i = 0; i < 5; i++)
		sum += getc_unlocked(f);
	need(fread(buf, 1, 10, f) == 10, "fread mix 2");
	need(fclose(f) == 0, "fclose mix");

	f = open_in(argv[1], "items", "r");
	need(fread(buf, 4, 10, f) == 1, "fread items");
	need(fclose(f) == 0, "fclose items");

	f = open_in(argv[1], "nul", "r");
	need(fgets(line, sizeof line, f) && strlen(line) == 2, "fgets nul");
	need(fclose(f) == 0, "fclose nul");

	need((fd = open(path_in(p, sizeof p, argv[1], "fdw"), O_WRONLY)) >= 0 &&
	     lseek(fd, 50, SEEK_SET) == 50 && (f = fdopen(fd, "w")) != NULL, "fdopen fdw");
	for (int i = 0; i < 30; i++)
		putc_unlocked('w', f);
	need(fclose(f) == 0, "fclose fdw");

	f = open_in(argv[1], "fla", "r+");
	for (int i = 0; i < 100; i++)
		putc_unlocked('f', f);
	need(fflush(NULL) == 0, "fflush(NULL)");
	while ((c = getc_unlocked(f)) != EOF)
		sum += c;
	need(fclose(f) == 0, "fclose fla");

	static char vb[8192];
	f = open_in(argv[1], "vbuf", "r");
	need(setvbuf(f, vb, _IOFBF, sizeof vb) == 0, "setvbuf vbuf");
	need(fread(buf, 1, 10, f) == 10, "fread vbuf");
	for (int i = 0; i < 20; i++)
		sum += getc_unlocked(f);
	need(fclose(f) == 0, "fclose vbuf");

	printf("%ld\n", sum);
	return 0;
}
