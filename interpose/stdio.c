/* stdio.c — wrappers for stdio streams.  glibc's fopen, fread and fwrite reach the kernel
 * through internal calls that never pass the open/read/write wrappers, so streams are
 * recorded here: a session per fopen, bytes as the program reads and writes them. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "shim.h"
#include "sys.h"

static inline int stream_fd(FILE *fp)
{
	/* glibc's FILE layout is public; memory streams have no descriptor (-1) */
	return fp ? fp->_fileno : -1;
}

static int mode_flags(const char *mode)
{
	int fl;

	if (!mode)
		return O_RDONLY;
	switch (mode[0]) {
	case 'w': fl = O_WRONLY | O_CREAT | O_TRUNC; break;
	case 'a': fl = O_WRONLY | O_CREAT | O_APPEND; break;
	default: fl = O_RDONLY; break;
	}
	for (const char *p = mode + 1; *p && *p != ','; p++) {
		if (*p == '+')
			fl = (fl & ~(O_RDONLY | O_WRONLY)) | O_RDWR;
		else if (*p == 'x')
			fl |= O_EXCL;
		else if (*p == 'e')
			fl |= O_CLOEXEC;
	}
	return fl;
}

/* ---- what a stream moves outside the wrappers
 *
 * The getc_unlocked and putc_unlocked macros work in the stream's buffer and call into
 * libc only to refill or flush it; the scanf and wide-character families refill and flush
 * through libc's internal calls.  None of that passes a wrapper, so a stream's life is cut
 * into phases at the points the shim does see — its opening, fseek/fseeko/fsetpos/rewind,
 * fflush of a stream open for update, fclose/freopen, and the exit — and at the end of
 * each phase the stream's position says what the phase moved: the distance from where the
 * phase began, less what the wrappers counted meanwhile, is counted now as one operation,
 * read or written as the stream's mode is at that moment (glibc's put-mode flag; a stream
 * open for reading or writing only has one direction).  ISO C requires such a point
 * between writing and reading on a "+" stream (reading to EOF and then writing is the
 * exception: that phase counts as written).  An appending stream writes at the end
 * whatever its position, so its writes are the file's growth instead.
 *
 * The session keeps, for its stream: spbase, the position where the phase began less the
 * bytes (both directions) counted by then, and ssbase, for an appending stream, the size
 * less the bytes written counted by then.  Sequential streams come out exact, whatever
 * their mode; a wide stream being read counts what libc has converted (up to a buffer
 * ahead of the program) when the phase ends before the end of the file; a stream used by
 * several threads at once is settled without its lock, as exit flushes it. */

/* glibc's stream flags (libio.h, unchanged since glibc 2.1; not in the public header) */
#define IOF_NO_READS 0x0004
#define IOF_NO_WRITES 0x0008
#define IOF_PUTTING 0x0800
#define IOF_APPENDING 0x1000

static inline int stream_writing(const FILE *fp)
{
	if (fp->_flags & IOF_NO_READS)
		return 1;
	if (fp->_flags & IOF_NO_WRITES)
		return 0;
	return (fp->_flags & IOF_PUTTING) || fp->_IO_write_ptr > fp->_IO_write_base;
}

static inline int stream_updates(const FILE *fp)
{
	return !(fp->_flags & (IOF_NO_READS | IOF_NO_WRITES));
}

/* The stream's position as glibc's ftell computes it, without the stream's lock and,
 * where glibc caches the descriptor's offset (after a seek), without a system call. */
static int64_t stream_pos(const FILE *fp, int fd)
{
	int64_t base = fp->_offset;

	if (base < 0 && (base = pt_sys3(SYS_lseek, fd, 0, SEEK_CUR)) < 0)
		return -1;
	if (!fp->_IO_buf_base)
		return base;
	if (stream_writing(fp))
		return base + (fp->_IO_write_ptr - fp->_IO_read_end);
	return base - (fp->_IO_read_end - fp->_IO_read_ptr);
}

static int64_t fd_size(int fd)
{
	struct stat st;

	return pt_sys2(SYS_fstat, fd, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* s is fp's session (kind FILE): a phase begins here */
static void stream_mark(FILE *fp, struct pt_sess *s, int fd)
{
	struct pt_sess_totals t;
	int64_t pos = stream_pos(fp, fd);

	pt_sess_totals(s, &t);
	if (pos >= 0)
		s->spbase = pos - (int64_t)(t.rbytes + t.wbytes);
}

/* Follow fp over descriptor fd from now on.  known_pos: its position when known without
 * asking (0 after fopen in any mode but "a"), else -1. */
static void stream_link(FILE *fp, int fd, int64_t known_pos)
{
	struct pt_sess *s = pt_sess_at(fd);
	struct pt_sess_totals t;

	if (!s || !atomic_load_explicit(&s->sid, memory_order_relaxed) || s->kind != PT_KIND_FILE)
		return;
	s->stream = (uintptr_t)fp;
	pt_sess_totals(s, &t);
	if (known_pos >= 0)
		s->spbase = known_pos - (int64_t)(t.rbytes + t.wbytes);
	else
		stream_mark(fp, s, fd);
	if (fp->_flags & IOF_APPENDING) {
		int64_t size = fd_size(fd);
		s->ssbase = size >= 0 ? size - (int64_t)t.wbytes : INT64_MAX;
	}
}

/* fp's session, if the shim follows fp */
static inline struct pt_sess *stream_sess(FILE *fp, int *fdp)
{
	int fd = stream_fd(fp);
	struct pt_sess *s = pt_sess_at(fd);

	if (!s || s->stream != (uintptr_t)fp || !atomic_load_explicit(&s->sid, memory_order_relaxed))
		return NULL;
	*fdp = fd;
	return s;
}

/* The end of a phase: count what it moved beyond the wrappers' counts.  What the wide
 * functions buffered reaches the byte buffer only by a flush, and an appending stream's
 * growth only once written: flush those first (nolock: at exit, as exit flushes). */
static void stream_settle(FILE *fp, struct pt_sess *s, int fd, int nolock)
{
	struct pt_sess_totals t;
	int64_t at, extra;
	int w = stream_writing(fp);

	if (w && (fp->_mode > 0 || ((fp->_flags & IOF_APPENDING) &&
				    fp->_IO_write_ptr > fp->_IO_write_base)))
		nolock ? fflush_unlocked(fp) : PT_REAL(fflush)(fp);
	pt_sess_totals(s, &t);
	if (w && (fp->_flags & IOF_APPENDING)) {
		if ((at = fd_size(fd)) < 0)
			return;
		extra = at - (int64_t)t.wbytes - s->ssbase;
	} else {
		if ((at = stream_pos(fp, fd)) < 0)
			return;
		extra = at - (int64_t)(t.rbytes + t.wbytes) - s->spbase;
	}
	if (extra > 0)
		pt_sess_count(s, (uint64_t)extra, 0, w, pt_now());
}

static FILE *stream_opened(FILE *fp, const char *path, const char *mode, int call)
{
	char abs[PATH_MAX];
	size_t n;
	int fd, e = errno;

	if (!fp || !pt.enabled || pt_vforked || (fd = stream_fd(fp)) < 0)
		return fp;
	if ((n = pt_path_abs(AT_FDCWD, path, abs, sizeof abs)) != 0) {
		pt_sess_open(fd, abs, n, mode_flags(mode), 0666, PT_KIND_FILE, call);
		/* "a" (and only "a") begins at the end */
		stream_link(fp, fd, mode && mode[0] == 'a' && !strchr(mode, '+') ? -1 : 0);
	}
	errno = e;
	return fp;
}

/* A stream over a descriptor the shim may not know (tmpfile, freopen without a path,
 * fdopen of an inherited descriptor): named by /proc/self/fd. */
static FILE *stream_adopted(FILE *fp)
{
	struct pt_sess *s;
	int fd, e = errno;

	if (!fp || !pt.enabled || pt_vforked || !(s = pt_sess_at(fd = stream_fd(fp))))
		return fp;
	if (atomic_load_explicit(&s->sid, memory_order_relaxed) || pt_sess_adopt(fd, 0))
		stream_link(fp, fd, -1);
	errno = e;
	return fp;
}

/* Call fn for each stream the shim follows that is still open. */
static void streams_each(void (*fn)(FILE *, struct pt_sess *, int))
{
	uint32_t hi;

	if (!pt.enabled || pt_vforked || !pt.hdr)
		return;
	hi = atomic_load_explicit(&pt.hdr->sess_hi, memory_order_relaxed);
	for (uint32_t fd = 0; fd < hi && fd < pt.nsess; fd++) {
		struct pt_sess *s = &pt.sess[fd];
		if (!s->stream || !atomic_load_explicit(&s->sid, memory_order_acquire))
			continue;
		/* a descriptor closed behind the stream's back (fcloseall): its FILE may be
		 * gone, not touched */
		if (pt_sys3(SYS_fcntl, fd, F_GETFD, 0) < 0)
			continue;
		fn((FILE *)(uintptr_t)s->stream, s, (int)fd);
	}
}

static void exit_settle(FILE *fp, struct pt_sess *s, int fd)
{
	/* exit flushes the rest a moment later anyway, and, as exit does, without the
	 * stream's lock (another thread may hold it forever) */
	if (stream_writing(fp))
		fflush_unlocked(fp);
	stream_settle(fp, s, fd, 1);
}

/* At exit (exit, return from main, a destructor), streams still open: their buffers are
 * flushed after this, by libc. */
void pt_streams_settle(void)
{
	streams_each(exit_settle);
}

PT_API FILE *fopen(const char *path, const char *mode)
{
	return stream_opened(PT_REAL(fopen)(path, mode), path, mode, PT_CALL_FOPEN);
}

PT_API FILE *fopen64(const char *path, const char *mode)
{
	return stream_opened(PT_REAL(fopen64)(path, mode), path, mode, PT_CALL_FOPEN);
}

/* fdopen wraps a descriptor the shim already follows (or adopts now): the stream is
 * followed from the descriptor's offset. */
PT_API FILE *fdopen(int fd, const char *mode)
{
	return stream_adopted(PT_REAL(fdopen)(fd, mode));
}

PT_API FILE *tmpfile(void)
{
	return stream_adopted(PT_REAL(tmpfile)());
}

PT_API FILE *tmpfile64(void)
{
	return stream_adopted(PT_REAL(tmpfile64)());
}

static void stream_closing(FILE *fp, int how)
{
	struct pt_sess *s;
	int fd, e = errno;

	if (!pt.enabled || (fd = stream_fd(fp)) < 0 || !(s = pt_sess_at(fd)))
		return;
	/* flush first, so that the size recorded at close is the size written (a stream
	 * written only by the wide functions or the putc_unlocked macro has counted nothing:
	 * its buffer still holds what it wrote) */
	if ((s->wfirst || (s->flags & O_ACCMODE) != O_RDONLY || (s->stream == (uintptr_t)fp &&
	     stream_writing(fp))) && atomic_load_explicit(&s->sid, memory_order_relaxed))
		PT_REAL(fflush)(fp);
	if (s->stream == (uintptr_t)fp && atomic_load_explicit(&s->sid, memory_order_relaxed))
		stream_settle(fp, s, fd, 0);
	pt_sess_close(fd, how);
	errno = e;
}

PT_API FILE *freopen(const char *path, const char *mode, FILE *fp)
{
	stream_closing(fp, PT_CLOSE_FCLOSE);
	fp = PT_REAL(freopen)(path, mode, fp);
	return path ? stream_opened(fp, path, mode, PT_CALL_FREOPEN) : stream_adopted(fp);
}

PT_API FILE *freopen64(const char *path, const char *mode, FILE *fp)
{
	stream_closing(fp, PT_CLOSE_FCLOSE);
	fp = PT_REAL(freopen64)(path, mode, fp);
	return path ? stream_opened(fp, path, mode, PT_CALL_FREOPEN) : stream_adopted(fp);
}

PT_API int fclose(FILE *fp)
{
	stream_closing(fp, PT_CLOSE_FCLOSE);
	return PT_REAL(fclose)(fp);
}

/* ---- the ends of phases: repositioning, and a flush of a stream open for update */

/* Before a repositioning: settle the phase; after it: the next one begins. */
static inline struct pt_sess *seek_begin(FILE *fp, int *fd)
{
	struct pt_sess *s;
	int e = errno;

	if (!pt.enabled || !(s = stream_sess(fp, fd)))
		return NULL;
	stream_settle(fp, s, *fd, 0);
	errno = e;
	return s;
}

static inline int seek_end(FILE *fp, struct pt_sess *s, int fd, int r)
{
	int e = errno;

	if (s && s->stream == (uintptr_t)fp)
		stream_mark(fp, s, fd);
	errno = e;
	return r;
}

PT_API int fseek(FILE *fp, long off, int whence)
{
	int fd = -1;
	struct pt_sess *s = seek_begin(fp, &fd);
	return seek_end(fp, s, fd, PT_REAL(fseek)(fp, off, whence));
}

PT_API int fseeko(FILE *fp, off_t off, int whence)
{
	int fd = -1;
	struct pt_sess *s = seek_begin(fp, &fd);
	return seek_end(fp, s, fd, PT_REAL(fseeko)(fp, off, whence));
}

PT_API int fseeko64(FILE *fp, off64_t off, int whence)
{
	int fd = -1;
	struct pt_sess *s = seek_begin(fp, &fd);
	return seek_end(fp, s, fd, PT_REAL(fseeko64)(fp, off, whence));
}

PT_API int fsetpos(FILE *fp, const fpos_t *pos)
{
	int fd = -1;
	struct pt_sess *s = seek_begin(fp, &fd);
	return seek_end(fp, s, fd, PT_REAL(fsetpos)(fp, pos));
}

PT_API int fsetpos64(FILE *fp, const fpos64_t *pos)
{
	int fd = -1;
	struct pt_sess *s = seek_begin(fp, &fd);
	return seek_end(fp, s, fd, PT_REAL(fsetpos64)(fp, pos));
}

PT_API void rewind(FILE *fp)
{
	int fd = -1;
	struct pt_sess *s = seek_begin(fp, &fd);
	PT_REAL(rewind)(fp);
	seek_end(fp, s, fd, 0);
}

static void flush_settle(FILE *fp, struct pt_sess *s, int fd)
{
	if (stream_updates(fp)) {
		stream_settle(fp, s, fd, 0);
		stream_mark(fp, s, fd);
	}
}

/* After the flush of a stream open for update, the stream may turn from writing to
 * reading: the phase ends (one that only reads or only writes keeps going). */
PT_API int fflush(FILE *fp)
{
	int r = PT_REAL(fflush)(fp), e = errno, fd;
	struct pt_sess *s;

	if (!pt.enabled || pt_vforked)
		return r;
	if (!fp)
		streams_each(flush_settle);
	else if (stream_updates(fp) && (s = stream_sess(fp, &fd)))
		flush_settle(fp, s, fd);
	errno = e;
	return r;
}

/* ---- data: counted as the program sees it (bytes in and out of the stream) */

/* pt_io_read/pt_io_write leave errno alone (see io.c) */
static inline size_t stream_read(FILE *fp, size_t bytes)
{
	pt_io_read(stream_fd(fp), (ssize_t)bytes, 0);
	return bytes;
}

static inline size_t stream_write(FILE *fp, size_t bytes)
{
	pt_io_write(stream_fd(fp), (ssize_t)bytes, 0);
	return bytes;
}

PT_API size_t fread(void *buf, size_t sz, size_t n, FILE *fp)
{
	size_t r = PT_REAL(fread)(buf, sz, n, fp);
	stream_read(fp, r * sz);
	return r;
}

PT_API size_t fread_unlocked(void *buf, size_t sz, size_t n, FILE *fp)
{
	size_t r = PT_REAL(fread_unlocked)(buf, sz, n, fp);
	stream_read(fp, r * sz);
	return r;
}

PT_API size_t __fread_chk(void *buf, size_t buflen, size_t sz, size_t n, FILE *fp)
{
	size_t r = PT_REAL(__fread_chk)(buf, buflen, sz, n, fp);
	stream_read(fp, r * sz);
	return r;
}

PT_API size_t fwrite(const void *buf, size_t sz, size_t n, FILE *fp)
{
	size_t r = PT_REAL(fwrite)(buf, sz, n, fp);
	stream_write(fp, r * sz);
	return r;
}

PT_API size_t fwrite_unlocked(const void *buf, size_t sz, size_t n, FILE *fp)
{
	size_t r = PT_REAL(fwrite_unlocked)(buf, sz, n, fp);
	stream_write(fp, r * sz);
	return r;
}

static char *line_read(FILE *fp, char *r)
{
	if (r)
		stream_read(fp, strlen(r));
	return r;
}

PT_API char *fgets(char *s, int n, FILE *fp)
{
	return line_read(fp, PT_REAL(fgets)(s, n, fp));
}

PT_API char *fgets_unlocked(char *s, int n, FILE *fp)
{
	return line_read(fp, PT_REAL(fgets_unlocked)(s, n, fp));
}

PT_API char *__fgets_chk(char *s, size_t size, int n, FILE *fp)
{
	return line_read(fp, PT_REAL(__fgets_chk)(s, size, n, fp));
}

static int char_read(FILE *fp, int c)
{
	if (c != EOF)
		stream_read(fp, 1);
	return c;
}

PT_API int fgetc(FILE *fp) { return char_read(fp, PT_REAL(fgetc)(fp)); }
PT_API int getc(FILE *fp) { return char_read(fp, PT_REAL(getc)(fp)); }

static int char_written(FILE *fp, int c)
{
	if (c != EOF)
		stream_write(fp, 1);
	return c;
}

PT_API int fputc(int c, FILE *fp) { return char_written(fp, PT_REAL(fputc)(c, fp)); }
PT_API int putc(int c, FILE *fp) { return char_written(fp, PT_REAL(putc)(c, fp)); }

static int string_written(FILE *fp, const char *s, int r)
{
	if (r != EOF && s)
		stream_write(fp, strlen(s));
	return r;
}

PT_API int fputs(const char *s, FILE *fp)
{
	return string_written(fp, s, PT_REAL(fputs)(s, fp));
}

PT_API int fputs_unlocked(const char *s, FILE *fp)
{
	return string_written(fp, s, PT_REAL(fputs_unlocked)(s, fp));
}

static ssize_t delim_read(FILE *fp, ssize_t r)
{
	if (r > 0)
		stream_read(fp, (size_t)r);
	return r;
}

PT_API ssize_t getline(char **line, size_t *n, FILE *fp)
{
	return delim_read(fp, PT_REAL(getline)(line, n, fp));
}

PT_API ssize_t getdelim(char **line, size_t *n, int d, FILE *fp)
{
	return delim_read(fp, PT_REAL(getdelim)(line, n, d, fp));
}

PT_API ssize_t __getdelim(char **line, size_t *n, int d, FILE *fp)
{
	return delim_read(fp, PT_REAL(__getdelim)(line, n, d, fp));
}

static int printed(FILE *fp, int r)
{
	if (r > 0)
		stream_write(fp, (size_t)r);
	return r;
}

PT_API int vfprintf(FILE *fp, const char *fmt, va_list ap)
{
	return printed(fp, PT_REAL(vfprintf)(fp, fmt, ap));
}

PT_API int fprintf(FILE *fp, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(vfprintf)(fp, fmt, ap);
	va_end(ap);
	return printed(fp, r);
}

PT_API int __vfprintf_chk(FILE *fp, int flag, const char *fmt, va_list ap)
{
	return printed(fp, PT_REAL(__vfprintf_chk)(fp, flag, fmt, ap));
}

PT_API int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(__vfprintf_chk)(fp, flag, fmt, ap);
	va_end(ap);
	return printed(fp, r);
}

/* ---- the standard output: the printf family writes to it through libc's own calls */

PT_API int printf(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(vprintf)(fmt, ap);
	va_end(ap);
	return printed(stdout, r);
}

PT_API int vprintf(const char *fmt, va_list ap)
{
	return printed(stdout, PT_REAL(vprintf)(fmt, ap));
}

PT_API int __printf_chk(int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(__vprintf_chk)(flag, fmt, ap);
	va_end(ap);
	return printed(stdout, r);
}

PT_API int __vprintf_chk(int flag, const char *fmt, va_list ap)
{
	return printed(stdout, PT_REAL(__vprintf_chk)(flag, fmt, ap));
}

PT_API int puts(const char *s)
{
	int r = PT_REAL(puts)(s);

	if (r != EOF)
		stream_write(stdout, strlen(s) + 1);
	return r;
}
