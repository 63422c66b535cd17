/* stdio.c — wrappers for stdio streams.  glibc's fopen, fread and fwrite reach the kernel
 * through internal calls that never pass the open/read/write wrappers, so streams are
 * recorded here: a session per fopen, bytes as the program reads and writes them. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

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

static FILE *stream_opened(FILE *fp, const char *path, const char *mode, int call)
{
	char abs[PATH_MAX];
	struct pt_sess *s;
	size_t n;
	int fd, e = errno;

	if (!fp || !pt.enabled || pt_vforked || (fd = stream_fd(fp)) < 0)
		return fp;
	if ((n = pt_path_abs(AT_FDCWD, path, abs, sizeof abs)) != 0) {
		pt_sess_open(fd, abs, n, mode_flags(mode), 0666, PT_KIND_FILE, call);
		if ((s = pt_sess_at(fd)) && atomic_load_explicit(&s->sid, memory_order_relaxed))
			s->stream = (uintptr_t)fp;
	}
	errno = e;
	return fp;
}

/* What a stream moved that no wrapper saw.  The getc_unlocked and putc_unlocked macros
 * work in the stream's buffer and call into libc only to refill or flush it; the scanf
 * and wide-character families refill through libc's internal calls.  So, when a stream
 * opened for reading only or writing only (from the start: "r" or "w") is closed, or the
 * process exits with it open, its position says how much the program consumed or
 * produced: the descriptor's offset less what still waits in the read buffer, or plus
 * what waits in the write buffer (the exit flushes it).  Whatever exceeds the bytes
 * counted call by call is counted now, as one operation.  Sequential streams come out
 * exact; one that seeked back is counted by its calls, a lower bound. */
static void stream_settle(FILE *fp, struct pt_sess *s, int fd)
{
	struct pt_sess_totals t;
	int acc = (int)(s->flags & O_ACCMODE);
	long pos;
	uint64_t at;

	if (s->kind != PT_KIND_FILE || (s->flags & O_APPEND) || (acc != O_RDONLY && acc != O_WRONLY))
		return;
	pos = pt_sys3(SYS_lseek, fd, 0, SEEK_CUR);
	if (pos < 0)
		return;
	pt_sess_totals(s, &t);
	if (acc == O_RDONLY) {
		long unread = fp->_IO_read_ptr && fp->_IO_read_end >= fp->_IO_read_ptr
				      ? (long)(fp->_IO_read_end - fp->_IO_read_ptr) : 0;
		at = pos > unread ? (uint64_t)(pos - unread) : 0;
		if (at > t.rbytes)
			pt_sess_count(s, at - t.rbytes, 0, 0, pt_now());
	} else {
		long pending = fp->_IO_write_ptr && fp->_IO_write_ptr >= fp->_IO_write_base
				       ? (long)(fp->_IO_write_ptr - fp->_IO_write_base) : 0;
		at = (uint64_t)pos + (uint64_t)pending;
		if (at > t.wbytes)
			pt_sess_count(s, at - t.wbytes, 0, 1, pt_now());
	}
}

/* At exit (exit, return from main, a destructor), streams still open: their buffers are
 * flushed after this, by libc. */
void pt_streams_settle(void)
{
	uint32_t hi;

	if (!pt.enabled || pt_vforked || !pt.hdr)
		return;
	hi = atomic_load_explicit(&pt.hdr->sess_hi, memory_order_relaxed);
	for (uint32_t fd = 0; fd < hi && fd < pt.nsess; fd++) {
		struct pt_sess *s = &pt.sess[fd];
		if (!s->stream || !atomic_load_explicit(&s->sid, memory_order_acquire))
			continue;
		FILE *fp = (FILE *)(uintptr_t)s->stream;
		/* a descriptor closed behind the stream's back (fcloseall): not touched */
		if (pt_sys3(SYS_fcntl, fd, F_GETFD, 0) < 0)
			continue;
		/* what the wide functions buffered is converted only by a flush: exit would
		 * flush it a moment later anyway, and, as exit does, without the stream's lock
		 * (another thread may hold it forever) */
		if ((s->flags & O_ACCMODE) == O_WRONLY)
			fflush_unlocked(fp);
		stream_settle(fp, s, (int)fd);
	}
}

PT_API FILE *fopen(const char *path, const char *mode)
{
	return stream_opened(PT_REAL(fopen)(path, mode), path, mode, PT_CALL_FOPEN);
}

PT_API FILE *fopen64(const char *path, const char *mode)
{
	return stream_opened(PT_REAL(fopen64)(path, mode), path, mode, PT_CALL_FOPEN);
}

/* fdopen wraps a descriptor the shim already follows; nothing new begins. */
PT_API FILE *fdopen(int fd, const char *mode)
{
	return PT_REAL(fdopen)(fd, mode);
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
	if ((s->wfirst || (s->flags & O_ACCMODE) != O_RDONLY) &&
	    atomic_load_explicit(&s->sid, memory_order_relaxed))
		fflush(fp);
	if (s->stream == (uintptr_t)fp && atomic_load_explicit(&s->sid, memory_order_relaxed))
		stream_settle(fp, s, fd);
	pt_sess_close(fd, how);
	errno = e;
}

PT_API FILE *freopen(const char *path, const char *mode, FILE *fp)
{
	stream_closing(fp, PT_CLOSE_FCLOSE);
	fp = PT_REAL(freopen)(path, mode, fp);
	return path ? stream_opened(fp, path, mode, PT_CALL_FREOPEN) : fp;
}

PT_API FILE *freopen64(const char *path, const char *mode, FILE *fp)
{
	stream_closing(fp, PT_CLOSE_FCLOSE);
	fp = PT_REAL(freopen64)(path, mode, fp);
	return path ? stream_opened(fp, path, mode, PT_CALL_FREOPEN) : fp;
}

PT_API int fclose(FILE *fp)
{
	stream_closing(fp, PT_CLOSE_FCLOSE);
	return PT_REAL(fclose)(fp);
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
