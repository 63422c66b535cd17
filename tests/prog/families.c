/* families.c — every file read to its end or written whole through one stdio family, in
 * every stream mode, for tests/cover/groundtruth.sh: the bytes provtrace records per file
 * must equal the file's size.
 *
 * Usage: families DIR
 * DIR holds the inputs the test made: r-NAME (read by the function or mode NAME) is a copy
 * of text (ASCII lines), nums (integers, whitespace between them) or utf8 (UTF-8 lines),
 * and rw-r+ and w-r+-fwprintf are copies of nums.  The program writes w-NAME (written
 * whole by NAME), rw-w+ and rw-r+ (written then read back, or read then overwritten), and
 * leaves o-* open at exit.  It prints a checksum of what it read (printf, to the test's
 * file), and loads and unloads libm (dlopen, dlclose).
 */
#define _GNU_SOURCE   /* fgets_unlocked, fputs_unlocked, fread_unlocked, ... */
#include <dlfcn.h>
#include <fcntl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <wchar.h>

#include "prog.h"

#define OUT_BYTES 9000   /* what each writer writes: more than two 4 KiB buffers */

static const char *dir;
static long sum;

static FILE *f_open(const char *name, const char *mode)
{
	char p[4096];
	FILE *f = fopen(path_in(p, sizeof p, dir, name), mode);

	need(f != NULL, name);
	return f;
}

static void f_close(FILE *f, const char *name)
{
	need(fclose(f) == 0, name);
}

/* ---- readers: each consumes its file to the end through one function */

static void r_fgets(FILE *f) { char b[64]; while (fgets(b, sizeof b, f)) sum += b[0]; }
static void r_fread(FILE *f) { char b[1000]; size_t n; while ((n = fread(b, 1, sizeof b, f)) > 0) sum += (long)n; }
static void r_fgetc(FILE *f) { int c; while ((c = fgetc(f)) != EOF) sum += c; }
static void r_getc(FILE *f) { int c; while ((c = getc(f)) != EOF) sum += c; }
static void r_getline(FILE *f)
{
	char *l = NULL;
	size_t n = 0;

	while (getline(&l, &n, f) > 0)
		sum += l[0];
	free(l);
}
static void r_getdelim(FILE *f)
{
	char *l = NULL;
	size_t n = 0;

	while (getdelim(&l, &n, ' ', f) > 0)
		sum += l[0];
	free(l);
}
static void r_fscanf(FILE *f) { int x; while (fscanf(f, "%d", &x) == 1) sum += x; }
static int v_scan(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfscanf(f, fmt, ap);
	va_end(ap);
	return r;
}
static void r_vfscanf(FILE *f) { int x; while (v_scan(f, "%d", &x) == 1) sum += x; }
static void r_getc_unlocked(FILE *f) { int c; while ((c = getc_unlocked(f)) != EOF) sum += c; }
static void r_fgetc_unlocked(FILE *f) { int c; while ((c = fgetc_unlocked(f)) != EOF) sum += c; }
static void r_fread_unlocked(FILE *f) { char b[700]; size_t n; while ((n = fread_unlocked(b, 1, sizeof b, f)) > 0) sum += (long)n; }
static void r_fgets_unlocked(FILE *f) { char b[64]; while (fgets_unlocked(b, sizeof b, f)) sum += b[0]; }
static void r_fgetws(FILE *f) { wchar_t b[64]; while (fgetws(b, 64, f)) sum += (long)wcslen(b); }
static void r_fwscanf(FILE *f) { wchar_t w[256]; while (fwscanf(f, L"%255ls", w) == 1) sum += (long)wcslen(w); }
static void r_fgetwc(FILE *f) { wint_t c; while ((c = fgetwc(f)) != WEOF) sum += (long)c; }
static void r_getwc(FILE *f) { wint_t c; while ((c = getwc(f)) != WEOF) sum += (long)c; }

static const struct reader {
	const char *name, *mode;
	void (*fn)(FILE *);
} readers[] = {
	{ "r-fgets", "r", r_fgets }, { "r-fread", "r", r_fread }, { "r-fgetc", "r", r_fgetc },
	{ "r-getc", "r", r_getc }, { "r-getline", "r", r_getline },
	{ "r-getdelim", "r", r_getdelim },
	{ "r-fscanf", "r", r_fscanf }, { "r-vfscanf", "r", r_vfscanf },
	{ "r-getc_unlocked", "r", r_getc_unlocked },
	{ "r-fgetc_unlocked", "r", r_fgetc_unlocked },
	{ "r-fread_unlocked", "r", r_fread_unlocked },
	{ "r-fgets_unlocked", "r", r_fgets_unlocked },
	{ "r-fgetws", "r", r_fgetws }, { "r-fwscanf", "r", r_fwscanf },
	{ "r-fgetwc", "r", r_fgetwc }, { "r-getwc", "r", r_getwc },
	/* the other modes that read: "r+" and "a+" streams read from the start */
	{ "r-r+-fscanf", "r+", r_fscanf }, { "r-a+-getc_unlocked", "a+", r_getc_unlocked },
	{ "r-r+-fgetws", "r+", r_fgetws },
};

/* ---- writers: each writes OUT_BYTES through one function */

static void w_fprintf(FILE *f) { for (int i = 0; i < OUT_BYTES / 10; i++) need(fprintf(f, "%9d\n", i) == 10, "fprintf"); }
static int v_print(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}
static void w_vfprintf(FILE *f) { for (int i = 0; i < OUT_BYTES / 10; i++) need(v_print(f, "%9d\n", i) == 10, "vfprintf"); }
static void w_fputs(FILE *f) { for (int i = 0; i < OUT_BYTES / 10; i++) need(fputs("012345678\n", f) >= 0, "fputs"); }
static void w_fwrite(FILE *f) { for (int i = 0; i < OUT_BYTES / 10; i++) need(fwrite("012345678\n", 1, 10, f) == 10, "fwrite"); }
static void w_fputc(FILE *f) { for (int i = 0; i < OUT_BYTES; i++) need(fputc('a' + i % 26, f) != EOF, "fputc"); }
static void w_putc(FILE *f) { for (int i = 0; i < OUT_BYTES; i++) need(putc('a' + i % 26, f) != EOF, "putc"); }
static void w_putc_unlocked(FILE *f) { for (int i = 0; i < OUT_BYTES; i++) putc_unlocked('a' + i % 26, f); }
static void w_fputc_unlocked(FILE *f) { for (int i = 0; i < OUT_BYTES; i++) fputc_unlocked('a' + i % 26, f); }
static void w_fwrite_unlocked(FILE *f) { for (int i = 0; i < OUT_BYTES / 10; i++) need(fwrite_unlocked("012345678\n", 1, 10, f) == 10, "fwrite_unlocked"); }
static void w_fputs_unlocked(FILE *f) { for (int i = 0; i < OUT_BYTES / 10; i++) need(fputs_unlocked("012345678\n", f) >= 0, "fputs_unlocked"); }
/* the wide writers: "\u00e9" is 2 bytes in UTF-8, so each line is 10 bytes */
static void w_fputws(FILE *f) { for (int i = 0; i < OUT_BYTES / 10; i++) need(fputws(L"caf\u00e9 123\n", f) >= 0, "fputws"); }
static void w_fwprintf(FILE *f) { for (int i = 0; i < OUT_BYTES / 10; i++) need(fwprintf(f, L"\u00e9%7d\n", i) == 9, "fwprintf"); }
static void w_fputwc(FILE *f) { for (int i = 0; i < OUT_BYTES / 2; i++) need(fputwc(L'\u00e9', f) != WEOF, "fputwc"); }
static void w_putwc(FILE *f) { for (int i = 0; i < OUT_BYTES / 2; i++) need(putwc(L'\u00e9', f) != WEOF, "putwc"); }

static const struct writer {
	const char *name, *mode;
	void (*fn)(FILE *);
} writers[] = {
	{ "w-fprintf", "w", w_fprintf }, { "w-vfprintf", "w", w_vfprintf },
	{ "w-fputs", "w", w_fputs }, { "w-fwrite", "w", w_fwrite },
	{ "w-fputc", "w", w_fputc }, { "w-putc", "w", w_putc },
	{ "w-putc_unlocked", "w", w_putc_unlocked },
	{ "w-fputc_unlocked", "w", w_fputc_unlocked },
	{ "w-fwrite_unlocked", "w", w_fwrite_unlocked },
	{ "w-fputs_unlocked", "w", w_fputs_unlocked },
	{ "w-fputws", "w", w_fputws }, { "w-fwprintf", "w", w_fwprintf },
	{ "w-fputwc", "w", w_fputwc }, { "w-putwc", "w", w_putwc },
	/* the other modes that write, on new files */
	{ "w-a-putc_unlocked", "a", w_putc_unlocked }, { "w-a-fputws", "a", w_fputws },
	{ "w-a+-putc_unlocked", "a+", w_putc_unlocked },
	{ "w-w+-putc_unlocked", "w+", w_putc_unlocked }, { "w-w+-fwprintf", "w+", w_fwprintf },
};

int main(int argc, char **argv)
{
	char p[4096];
	FILE *f;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: families DIR\n");
		return 2;
	}
	dir = argv[1];
	need(setlocale(LC_ALL, "C.UTF-8") != NULL, "setlocale C.UTF-8");

	for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
		f = f_open(readers[i].name, readers[i].mode);
		readers[i].fn(f);
		need(!ferror(f), readers[i].name);
		f_close(f, readers[i].name);
	}
	for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++) {
		f = f_open(writers[i].name, writers[i].mode);
		writers[i].fn(f);
		f_close(f, writers[i].name);
	}

	/* "r+" over an existing file: every byte overwritten by fwprintf, none read */
	f = f_open("w-r+-fwprintf", "r+");
	w_fwprintf(f);
	f_close(f, "w-r+-fwprintf");

	/* streams over a descriptor: fdopen of an open(2) descriptor, and freopen */
	fd = open(path_in(p, sizeof p, dir, "r-fdopen-getc_unlocked"), O_RDONLY);
	need(fd >= 0 && (f = fdopen(fd, "r")) != NULL, "fdopen r");
	r_getc_unlocked(f);
	f_close(f, "r-fdopen-getc_unlocked");
	fd = open(path_in(p, sizeof p, dir, "w-fdopen-putc_unlocked"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	need(fd >= 0 && (f = fdopen(fd, "w")) != NULL, "fdopen w");
	w_putc_unlocked(f);
	f_close(f, "w-fdopen-putc_unlocked");
	f = f_open("r-fgets", "r");
	need(freopen(path_in(p, sizeof p, dir, "r-freopen-fscanf"), "r", f) == f, "freopen");
	r_fscanf(f);
	f_close(f, "r-freopen-fscanf");

	/* both directions: written then read back ("w+"), read then overwritten ("r+") */
	f = f_open("rw-w+", "w+");
	w_putc_unlocked(f);
	rewind(f);
	r_getc_unlocked(f);
	f_close(f, "rw-w+");
	f = f_open("rw-r+", "r+");
	r_fscanf(f);
	rewind(f);
	while (ftell(f) < OUT_BYTES)   /* the file has OUT_BYTES bytes: overwritten whole */
		putc_unlocked('x', f);
	f_close(f, "rw-r+");

	/* a tmpfile has no name: it is the descriptor's (deleted) path */
	f = tmpfile();
	need(f != NULL, "tmpfile");
	w_putc_unlocked(f);
	f_close(f, "tmpfile");

	/* a library loaded and unloaded before the exit: in the record all the same */
	void *h = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
	need(h != NULL && dlclose(h) == 0, "dlopen libm.so.6");

	/* left open: the exit settles them */
	r_fgetws(f_open("o-r+-fgetws", "r+"));
	w_putc_unlocked(f_open("o-a-putc_unlocked", "a"));
	w_fputws(f_open("o-w+-fputws", "w+"));
	printf("%ld\n", sum);
	return 0;
}
