/* stdio.c — wrappers for stdio streams.  glibc's fopen, fread and fwrite reach the kernel
 * through internal calls that never pass the open/read/write wrappers, so streams are
 * recorded here: a session per fopen, bytes as the program reads and writes them. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>

#include "shim.h"
#include "sys.h"

/* glibc's stream flags (libio.h, unchanged since glibc 2.1; not in the public header) */
#define IOF_NO_READS 0x0004
#define IOF_NO_WRITES 0x0008
#define IOF_EOF_SEEN 0x0010
#define IOF_ERR_SEEN 0x0020
#define IOF_PUTTING 0x0800
#define IOF_APPENDING 0x1000
#define IOF_IS_FILEBUF 0x2000

static inline int stream_fd(const FILE *fp)
{
	/* as glibc's fileno(): a stream with no file under it is not a file buffer (a string
	 * stream such as open_memstream's leaves _fileno unset, whatever the allocator left
	 * there), and a cookie stream (fmemopen, fopencookie) has -2 */
	return fp && (fp->_flags & IOF_IS_FILEBUF) ? fp->_fileno : -1;
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
 * libc only to refill or flush it (__uflow, __overflow); the scanf and wide-character
 * families refill and flush through libc's internal calls.  None of that is counted call
 * by call, so a stream's life is cut into phases at the points the shim does see — its
 * opening, fseek/fseeko/fsetpos/rewind, fflush of a stream open for update, the first
 * write after reading on such a stream, fclose/freopen, and the exit — and at the end of
 * each phase the stream's position says what the phase moved: the distance from where the
 * phase began, less what the wrappers counted meanwhile, is counted now as one operation,
 * read or written as the stream's mode is at that moment (glibc's put-mode flag; a stream
 * open for reading or writing only has one direction).  ISO C requires a flush or a
 * repositioning between writing and reading on a "+" stream, and a repositioning between
 * reading and writing unless the reading met the end of the file: that turn is seen where
 * the write begins — every wrapped write and __overflow, which the putc_unlocked macro
 * calls when the buffer is not in put mode — and ends the reading phase there.  An
 * appending stream writes at the end whatever its position, so its writes are the file's
 * growth instead.
 *
 * Most phases need no position: when every byte went through a wrapper that counted it,
 * the phase is clean and ends without a system call.  The counting wrappers keep the
 * buffer's cursor (stream_cursor) as they leave it and check that the next one finds it
 * there (the macros move it with no call); whatever else moves bytes marks the phase dirty
 * — a refill or flush by __uflow/__overflow or by the unlocked functions, the scanf
 * family, a short fread or fwrite of items wider than a byte, a line fgets cannot measure
 * (no newline: the end of the file, or a NUL inside), a failed write — and a wide stream,
 * which converts between two buffers inside libc, is never clean.  A dirty phase asks for
 * the position: glibc's cached offset when it has one (after a seek), else an lseek, and
 * fstat for an appending stream.  What no wrapper sees at all (glibc's legacy _IO_*
 * entry points, the passwd/group/mount entry readers) moves the cursor, which is enough
 * unless it refilled the buffer and stopped exactly where the last counted call had left it.
 *
 * The session keeps, for its stream: spbase, the position where the phase began less the
 * bytes (both directions) counted by then; ssbase, for an appending stream, the size less
 * the bytes written counted by then; scur, the cursor as the last counted call left it;
 * sdirty.  Sequential streams come out exact, whatever their mode; a wide stream being
 * read counts what libc has converted (up to a buffer ahead of the program) when the
 * phase ends before the end of the file; a stream used by several threads at once is
 * settled without its lock, as exit flushes it (calls racing on it can make its phase
 * dirty, never clean). */

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

/* Moves with every byte the program takes from or puts into the buffer: in a phase only
 * one of the two pointers moves, and the macros only advance it. */
static inline uintptr_t stream_cursor(const FILE *fp)
{
	return (uintptr_t)fp->_IO_read_ptr + (uintptr_t)fp->_IO_write_ptr;
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
	s->sdirty = 0;
	s->scur = stream_cursor(fp);
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
	if (known_pos >= 0 || (fp->_flags & (IOF_NO_READS | IOF_APPENDING)) ==
				      (IOF_NO_READS | IOF_APPENDING)) {
		/* an "a" stream never reads and writes at the end: its position is never
		 * asked for */
		s->spbase = (known_pos >= 0 ? known_pos : 0) - (int64_t)(t.rbytes + t.wbytes);
		s->sdirty = 0;
		s->scur = stream_cursor(fp);
	} else {
		stream_mark(fp, s, fd);
	}
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

/* Nothing moved in this phase beyond what the wrappers counted; c0 is the cursor before
 * whatever flush the caller made. */
static inline int stream_clean(const FILE *fp, const struct pt_sess *s, uintptr_t c0)
{
	return !s->sdirty && fp->_mode <= 0 && s->scur == c0;
}

/* The end of a phase: count what it moved beyond the wrappers' counts; the next phase
 * begins where this one ended.  What the wide functions buffered reaches the byte buffer
 * only by a flush, and an appending stream's growth only once written: flush those first
 * (nolock: at exit, as exit flushes). */
static void stream_settle(FILE *fp, struct pt_sess *s, int fd, int nolock, int clean)
{
	struct pt_sess_totals t;
	int64_t at, extra, counted;
	int w;

	if (clean)
		goto out;
	w = stream_writing(fp);
	if (w && (fp->_mode > 0 || ((fp->_flags & IOF_APPENDING) &&
				    fp->_IO_write_ptr > fp->_IO_write_base)))
		nolock ? PT_REAL(fflush_unlocked)(fp) : PT_REAL(fflush)(fp);
	pt_sess_totals(s, &t);
	if (w && (fp->_flags & IOF_APPENDING)) {
		if ((at = fd_size(fd)) < 0)
			goto out;
		counted = (int64_t)t.wbytes;
		extra = at - counted - s->ssbase;
		s->ssbase = at - counted - (extra > 0 ? extra : 0);
	} else {
		if ((at = stream_pos(fp, fd)) < 0)
			goto out;
		counted = (int64_t)(t.rbytes + t.wbytes);
		extra = at - counted - s->spbase;
		s->spbase = at - counted - (extra > 0 ? extra : 0);
	}
	if (extra > 0)
		pt_sess_count(s, (uint64_t)extra, 0, w, pt_now());
	s->sdirty = 0;
out:
	s->scur = stream_cursor(fp);
}

/* Bytes moved that no wrapper counts: the phase will be settled by position. */
static inline void stream_touched(FILE *fp)
{
	struct pt_sess *s;
	int fd;

	if (fp && (s = stream_sess(fp, &fd)))
		s->sdirty = 1;
}

/* A stream open for update, not in put mode, is about to be written: the phase that read
 * (or that has not moved yet) ends here. */
static __attribute__((cold, noinline)) void stream_turn(FILE *fp)
{
	struct pt_sess *s;
	int fd, e = errno;

	if ((s = stream_sess(fp, &fd)))
		stream_settle(fp, s, fd, 0, stream_clean(fp, s, stream_cursor(fp)));
	errno = e;
}

static inline void stream_turning(FILE *fp)
{
	if (pt_unlikely(fp && !(fp->_flags & (IOF_NO_READS | IOF_NO_WRITES | IOF_PUTTING))))
		stream_turn(fp);
}

/* The cursor before a counted call (any pointer: fread of nothing takes a NULL stream) */
static inline uintptr_t stream_c0(const FILE *fp)
{
	return fp ? stream_cursor(fp) : 0;
}

/* ... and before a counted write, which may end a reading phase */
static inline uintptr_t stream_c0w(FILE *fp)
{
	stream_turning(fp);
	return stream_c0(fp);
}

/* After a call that moved the buffer's pointers but no byte (a flush of a stream that
 * goes on in the same direction, setvbuf): the phase stays what it was. */
static void stream_moved(FILE *fp, struct pt_sess *s, uintptr_t c0)
{
	if (s->scur == c0)
		s->scur = stream_cursor(fp);
	else
		s->sdirty = 1;
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
	int clean = stream_clean(fp, s, stream_cursor(fp));

	/* exit flushes the rest a moment later anyway, and, as exit does, without the
	 * stream's lock (another thread may hold it forever) */
	if (stream_writing(fp))
		PT_REAL(fflush_unlocked)(fp);
	stream_settle(fp, s, fd, 1, clean);
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

/* fmemopen, open_memstream and fopencookie are not wrapped: their streams have no
 * descriptor (stream_fd), so no wrapper counts or settles anything on them. */

static void stream_closing(FILE *fp, int how)
{
	struct pt_sess *s;
	uintptr_t c0;
	int fd, e = errno, linked;

	if (!pt.enabled || (fd = stream_fd(fp)) < 0 || !(s = pt_sess_at(fd)))
		return;
	linked = s->stream == (uintptr_t)fp && atomic_load_explicit(&s->sid, memory_order_relaxed);
	c0 = stream_cursor(fp);
	/* flush first, so that the size recorded at close is the size written (a stream
	 * written only by the wide functions or the putc_unlocked macro has counted nothing:
	 * its buffer still holds what it wrote) */
	if ((s->wfirst || (s->flags & O_ACCMODE) != O_RDONLY || (linked && stream_writing(fp))) &&
	    atomic_load_explicit(&s->sid, memory_order_relaxed))
		PT_REAL(fflush)(fp);
	if (linked)
		stream_settle(fp, s, fd, 0, stream_clean(fp, s, c0));
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
	stream_settle(fp, s, *fd, 0, stream_clean(fp, s, stream_cursor(fp)));
	errno = e;
	return s;
}

static inline int seek_end(FILE *fp, struct pt_sess *s, int fd, int r)
{
	int e = errno;

	/* after a seek glibc knows the offset: no system call here */
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

/* After the flush of a stream open for update, the stream may turn from writing to
 * reading: the phase ends (one that only reads or only writes keeps going).  clean: the
 * phase as it was before the flush moved the buffer's pointers. */
static void flush_settle(FILE *fp, struct pt_sess *s, int fd, int clean)
{
	int w;

	if (!stream_updates(fp)) {
		if (clean)
			s->scur = stream_cursor(fp);
		else
			s->sdirty = 1;   /* the cursor no longer shows it */
		return;
	}
	w = stream_writing(fp);
	stream_settle(fp, s, fd, 0, clean);
	/* an appending stream wrote at the end: a reading phase would begin there */
	if (w && (fp->_flags & IOF_APPENDING))
		stream_mark(fp, s, fd);
}

/* fflush(NULL): whether each phase was clean is decided before the flush */
static void flush_all_before(FILE *fp, struct pt_sess *s, int fd)
{
	(void)fd;
	if (!stream_clean(fp, s, stream_cursor(fp)))
		s->sdirty = 1;
}

static void flush_all_after(FILE *fp, struct pt_sess *s, int fd)
{
	flush_settle(fp, s, fd, !s->sdirty && fp->_mode <= 0);
}

static int flushed(FILE *fp, int (*real)(FILE *))
{
	struct pt_sess *s = NULL;
	uintptr_t c0 = 0;
	int r, e, fd;

	if (!pt.enabled || pt_vforked)
		return real(fp);
	if (!fp)
		streams_each(flush_all_before);
	else if ((s = stream_sess(fp, &fd)))
		c0 = stream_cursor(fp);
	r = real(fp);
	e = errno;
	if (!fp)
		streams_each(flush_all_after);
	else if (s && s->stream == (uintptr_t)fp)
		flush_settle(fp, s, fd, stream_clean(fp, s, c0));
	errno = e;
	return r;
}

PT_API int fflush(FILE *fp)
{
	return flushed(fp, PT_REAL(fflush));
}

PT_API int fflush_unlocked(FILE *fp)
{
	return flushed(fp, PT_REAL(fflush_unlocked));
}

/* setvbuf and its kin move the buffer's pointers, no byte */
static void rebuffered(FILE *fp, struct pt_sess *s, uintptr_t c0)
{
	int e = errno;

	if (s && s->stream == (uintptr_t)fp)
		stream_moved(fp, s, c0);
	errno = e;
}

PT_API int setvbuf(FILE *fp, char *buf, int mode, size_t size)
{
	int fd;
	struct pt_sess *s = pt.enabled ? stream_sess(fp, &fd) : NULL;
	uintptr_t c0 = s ? stream_cursor(fp) : 0;
	int r = PT_REAL(setvbuf)(fp, buf, mode, size);

	rebuffered(fp, s, c0);
	return r;
}

PT_API void setbuffer(FILE *fp, char *buf, size_t size)
{
	int fd;
	struct pt_sess *s = pt.enabled ? stream_sess(fp, &fd) : NULL;
	uintptr_t c0 = s ? stream_cursor(fp) : 0;

	PT_REAL(setbuffer)(fp, buf, size);
	rebuffered(fp, s, c0);
}

PT_API void setbuf(FILE *fp, char *buf)
{
	int fd;
	struct pt_sess *s = pt.enabled ? stream_sess(fp, &fd) : NULL;
	uintptr_t c0 = s ? stream_cursor(fp) : 0;

	PT_REAL(setbuf)(fp, buf);
	rebuffered(fp, s, c0);
}

/* ---- data: counted as the program sees it (bytes in and out of the stream)
 *
 * Each counting wrapper takes the cursor before the call (stream_c0, or stream_c0w for a
 * write, which may end a reading phase first) and gives it to stream_read/stream_write
 * with whether its count is all the call moved.  pt_io_read/pt_io_write leave errno
 * alone (see io.c), and so does everything here on the way. */

/* Count a call's bytes on fp's descriptor; then, if the shim follows fp, the cursor the
 * call found (c0) must be where the last counted call left it, or something moved bytes
 * in between; exact: the count is all the call moved. */
static inline __attribute__((always_inline)) void stream_count(FILE *fp, uintptr_t c0,
							      size_t bytes, int exact, int write)
{
	int fd = stream_fd(fp);
	struct pt_sess *s = pt_sess_at(fd);

	if (!s)
		return;
	if ((ssize_t)bytes > 0) {
		if (write)
			pt_io_write_at(s, fd, (ssize_t)bytes, 0);
		else
			pt_io_read_at(s, fd, (ssize_t)bytes, 0);
	}
	if (s->stream == (uintptr_t)fp) {
		if (pt_unlikely(s->scur != c0 || !exact))
			s->sdirty = 1;
		s->scur = stream_cursor(fp);
	}
}

static inline __attribute__((always_inline)) void stream_read(FILE *fp, uintptr_t c0,
							     size_t bytes, int exact)
{
	stream_count(fp, c0, bytes, exact, 0);
}

static inline __attribute__((always_inline)) void stream_write(FILE *fp, uintptr_t c0,
							      size_t bytes, int exact)
{
	stream_count(fp, c0, bytes, exact, 1);
}

/* fread and fwrite count whole items: short of n, a part of one may have moved too */
static inline size_t items_read(FILE *fp, uintptr_t c0, size_t sz, size_t n, size_t r)
{
	stream_read(fp, c0, r * sz, r == n || sz == 1);
	return r;
}

static inline size_t items_written(FILE *fp, uintptr_t c0, size_t sz, size_t n, size_t r)
{
	stream_write(fp, c0, r * sz, r == n || sz == 1);
	return r;
}

PT_API size_t fread(void *buf, size_t sz, size_t n, FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return items_read(fp, c0, sz, n, PT_REAL(fread)(buf, sz, n, fp));
}

PT_API size_t fread_unlocked(void *buf, size_t sz, size_t n, FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return items_read(fp, c0, sz, n, PT_REAL(fread_unlocked)(buf, sz, n, fp));
}

PT_API size_t __fread_chk(void *buf, size_t buflen, size_t sz, size_t n, FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return items_read(fp, c0, sz, n, PT_REAL(__fread_chk)(buf, buflen, sz, n, fp));
}

PT_API size_t __fread_unlocked_chk(void *buf, size_t buflen, size_t sz, size_t n, FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return items_read(fp, c0, sz, n, PT_REAL(__fread_unlocked_chk)(buf, buflen, sz, n, fp));
}

PT_API size_t fwrite(const void *buf, size_t sz, size_t n, FILE *fp)
{
	uintptr_t c0 = stream_c0w(fp);
	return items_written(fp, c0, sz, n, PT_REAL(fwrite)(buf, sz, n, fp));
}

PT_API size_t fwrite_unlocked(const void *buf, size_t sz, size_t n, FILE *fp)
{
	uintptr_t c0 = stream_c0w(fp);
	return items_written(fp, c0, sz, n, PT_REAL(fwrite_unlocked)(buf, sz, n, fp));
}

/* fgets reads to a newline or a full buffer; otherwise (the end of the file, an error)
 * its string's length may not be what it took: a NUL may be inside */
static char *line_read(FILE *fp, uintptr_t c0, int n, char *r)
{
	size_t k;

	if (!r) {
		stream_read(fp, c0, 0, !(fp->_flags & IOF_ERR_SEEN));
		return r;
	}
	k = strlen(r);
	stream_read(fp, c0, k, (k > 0 && r[k - 1] == '\n') || (n > 0 && k == (size_t)n - 1));
	return r;
}

PT_API char *fgets(char *s, int n, FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return line_read(fp, c0, n, PT_REAL(fgets)(s, n, fp));
}

PT_API char *fgets_unlocked(char *s, int n, FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return line_read(fp, c0, n, PT_REAL(fgets_unlocked)(s, n, fp));
}

PT_API char *__fgets_chk(char *s, size_t size, int n, FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return line_read(fp, c0, n, PT_REAL(__fgets_chk)(s, size, n, fp));
}

PT_API char *__fgets_unlocked_chk(char *s, size_t size, int n, FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return line_read(fp, c0, n, PT_REAL(__fgets_unlocked_chk)(s, size, n, fp));
}

static inline int char_read(FILE *fp, uintptr_t c0, int c)
{
	stream_read(fp, c0, c != EOF, 1);
	return c;
}

PT_API int fgetc(FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return char_read(fp, c0, PT_REAL(fgetc)(fp));
}

PT_API int getc(FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return char_read(fp, c0, PT_REAL(getc)(fp));
}

PT_API int getchar(void)
{
	uintptr_t c0 = stream_c0(stdin);
	return char_read(stdin, c0, PT_REAL(getchar)());
}

static inline int char_written(FILE *fp, uintptr_t c0, int c)
{
	stream_write(fp, c0, c != EOF, c != EOF);
	return c;
}

PT_API int fputc(int c, FILE *fp)
{
	uintptr_t c0 = stream_c0w(fp);
	return char_written(fp, c0, PT_REAL(fputc)(c, fp));
}

PT_API int putc(int c, FILE *fp)
{
	uintptr_t c0 = stream_c0w(fp);
	return char_written(fp, c0, PT_REAL(putc)(c, fp));
}

PT_API int putchar(int c)
{
	uintptr_t c0 = stream_c0w(stdout);
	return char_written(stdout, c0, PT_REAL(putchar)(c));
}

/* getw and putw move an int; getw's EOF may also be a value */
PT_API int getw(FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	int r = PT_REAL(getw)(fp);
	int part = r == EOF && fp && (fp->_flags & (IOF_EOF_SEEN | IOF_ERR_SEEN));

	stream_read(fp, c0, part ? 0 : sizeof(int), !part);
	return r;
}

PT_API int putw(int w, FILE *fp)
{
	uintptr_t c0 = stream_c0w(fp);
	int r = PT_REAL(putw)(w, fp);

	stream_write(fp, c0, r == 0 ? sizeof(int) : 0, r == 0);
	return r;
}

static int string_written(FILE *fp, uintptr_t c0, const char *s, int r)
{
	stream_write(fp, c0, r != EOF && s ? strlen(s) : 0, r != EOF);
	return r;
}

PT_API int fputs(const char *s, FILE *fp)
{
	uintptr_t c0 = stream_c0w(fp);
	return string_written(fp, c0, s, PT_REAL(fputs)(s, fp));
}

PT_API int fputs_unlocked(const char *s, FILE *fp)
{
	uintptr_t c0 = stream_c0w(fp);
	return string_written(fp, c0, s, PT_REAL(fputs_unlocked)(s, fp));
}

static ssize_t delim_read(FILE *fp, uintptr_t c0, ssize_t r)
{
	/* the count holds NULs too; -1 is the end of the file, or an error part-way */
	stream_read(fp, c0, r > 0 ? (size_t)r : 0, r >= 0 || !(fp->_flags & IOF_ERR_SEEN));
	return r;
}

PT_API ssize_t getline(char **line, size_t *n, FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return delim_read(fp, c0, PT_REAL(getline)(line, n, fp));
}

PT_API ssize_t getdelim(char **line, size_t *n, int d, FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return delim_read(fp, c0, PT_REAL(getdelim)(line, n, d, fp));
}

PT_API ssize_t __getdelim(char **line, size_t *n, int d, FILE *fp)
{
	uintptr_t c0 = stream_c0(fp);
	return delim_read(fp, c0, PT_REAL(__getdelim)(line, n, d, fp));
}

static int printed(FILE *fp, uintptr_t c0, int r)
{
	stream_write(fp, c0, r > 0 ? (size_t)r : 0, r >= 0);
	return r;
}

PT_API int vfprintf(FILE *fp, const char *fmt, va_list ap)
{
	uintptr_t c0 = stream_c0w(fp);
	return printed(fp, c0, PT_REAL(vfprintf)(fp, fmt, ap));
}

PT_API int fprintf(FILE *fp, const char *fmt, ...)
{
	uintptr_t c0 = stream_c0w(fp);
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(vfprintf)(fp, fmt, ap);
	va_end(ap);
	return printed(fp, c0, r);
}

PT_API int __vfprintf_chk(FILE *fp, int flag, const char *fmt, va_list ap)
{
	uintptr_t c0 = stream_c0w(fp);
	return printed(fp, c0, PT_REAL(__vfprintf_chk)(fp, flag, fmt, ap));
}

PT_API int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...)
{
	uintptr_t c0 = stream_c0w(fp);
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(__vfprintf_chk)(fp, flag, fmt, ap);
	va_end(ap);
	return printed(fp, c0, r);
}

/* ---- the standard output: the printf family writes to it through libc's own calls */

PT_API int printf(const char *fmt, ...)
{
	uintptr_t c0 = stream_c0w(stdout);
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(vprintf)(fmt, ap);
	va_end(ap);
	return printed(stdout, c0, r);
}

PT_API int vprintf(const char *fmt, va_list ap)
{
	uintptr_t c0 = stream_c0w(stdout);
	return printed(stdout, c0, PT_REAL(vprintf)(fmt, ap));
}

PT_API int __printf_chk(int flag, const char *fmt, ...)
{
	uintptr_t c0 = stream_c0w(stdout);
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(__vprintf_chk)(flag, fmt, ap);
	va_end(ap);
	return printed(stdout, c0, r);
}

PT_API int __vprintf_chk(int flag, const char *fmt, va_list ap)
{
	uintptr_t c0 = stream_c0w(stdout);
	return printed(stdout, c0, PT_REAL(__vprintf_chk)(flag, fmt, ap));
}

PT_API int puts(const char *s)
{
	uintptr_t c0 = stream_c0w(stdout);
	int r = PT_REAL(puts)(s);

	stream_write(stdout, c0, r != EOF ? strlen(s) + 1 : 0, r != EOF);
	return r;
}

/* ---- a descriptor, no stream: dprintf formats into a stream of its own on the stack and
 * writes with libc's internal write */

static int fd_printed(int fd, int r)
{
	if (r > 0)
		pt_io_write(fd, r, 0);
	return r;
}

PT_API int vdprintf(int fd, const char *fmt, va_list ap)
{
	return fd_printed(fd, PT_REAL(vdprintf)(fd, fmt, ap));
}

PT_API int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(vdprintf)(fd, fmt, ap);
	va_end(ap);
	return fd_printed(fd, r);
}

PT_API int __vdprintf_chk(int fd, int flag, const char *fmt, va_list ap)
{
	return fd_printed(fd, PT_REAL(__vdprintf_chk)(fd, flag, fmt, ap));
}

PT_API int __dprintf_chk(int fd, int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(__vdprintf_chk)(fd, flag, fmt, ap);
	va_end(ap);
	return fd_printed(fd, r);
}

/* ---- what moves bytes uncounted: the phase is dirty (see the top of this file)
 *
 * __uflow and __overflow are what the getc_unlocked and putc_unlocked macros (and the
 * fread_unlocked/fwrite_unlocked macros of constant small sizes) call when the buffer is
 * empty or full, or not in their direction: once per buffer, never per byte.  The
 * function forms of the unlocked calls (a program built without optimisation, or taking
 * their address) do the same inside libc: their wrappers look at the buffer as the macro
 * would, and mark the phase only when a refill or a flush is due. */

PT_API int __uflow(FILE *fp)
{
	int c = PT_REAL(__uflow)(fp);

	stream_touched(fp);
	return c;
}

PT_API int __underflow(FILE *fp)
{
	int c = PT_REAL(__underflow)(fp);

	stream_touched(fp);
	return c;
}

PT_API int __overflow(FILE *fp, int c)
{
	int r;

	stream_turning(fp);
	r = PT_REAL(__overflow)(fp, c);
	stream_touched(fp);
	return r;
}

static inline int refill_due(const FILE *fp)
{
	return fp && fp->_IO_read_ptr >= fp->_IO_read_end;
}

static inline int flush_due(FILE *fp)
{
	if (!fp || fp->_IO_write_ptr < fp->_IO_write_end)
		return 0;
	stream_turning(fp);
	return 1;
}

PT_API int getc_unlocked(FILE *fp)
{
	int due = refill_due(fp), c = PT_REAL(getc_unlocked)(fp);

	if (pt_unlikely(due))
		stream_touched(fp);
	return c;
}

PT_API int fgetc_unlocked(FILE *fp)
{
	int due = refill_due(fp), c = PT_REAL(fgetc_unlocked)(fp);

	if (pt_unlikely(due))
		stream_touched(fp);
	return c;
}

PT_API int getchar_unlocked(void)
{
	int due = refill_due(stdin), c = PT_REAL(getchar_unlocked)();

	if (pt_unlikely(due))
		stream_touched(stdin);
	return c;
}

PT_API int putc_unlocked(int c, FILE *fp)
{
	int due = flush_due(fp), r = PT_REAL(putc_unlocked)(c, fp);

	if (pt_unlikely(due))
		stream_touched(fp);
	return r;
}

PT_API int fputc_unlocked(int c, FILE *fp)
{
	int due = flush_due(fp), r = PT_REAL(fputc_unlocked)(c, fp);

	if (pt_unlikely(due))
		stream_touched(fp);
	return r;
}

PT_API int putchar_unlocked(int c)
{
	int due = flush_due(stdout), r = PT_REAL(putchar_unlocked)(c);

	if (pt_unlikely(due))
		stream_touched(stdout);
	return r;
}

/* The scanf family reads ahead and pushes back inside libc.  This file's headers name
 * the C99 entry points (__isoc99_fscanf, ...) fscanf and so on; a program built for the
 * older GNU scanf (C89 with _GNU_SOURCE) links to the plain names, defined here under
 * their own. */
PT_API int pt_fscanf_gnu(FILE *fp, const char *fmt, ...) __asm__("fscanf");
PT_API int pt_vfscanf_gnu(FILE *fp, const char *fmt, va_list ap) __asm__("vfscanf");
PT_API int pt_scanf_gnu(const char *fmt, ...) __asm__("scanf");
PT_API int pt_vscanf_gnu(const char *fmt, va_list ap) __asm__("vscanf");

static inline int scanned(FILE *fp, int r)
{
	stream_touched(fp);
	return r;
}

PT_API int __isoc99_vfscanf(FILE *fp, const char *fmt, va_list ap)
{
	return scanned(fp, PT_REAL(__isoc99_vfscanf)(fp, fmt, ap));
}

PT_API int pt_vfscanf_gnu(FILE *fp, const char *fmt, va_list ap)
{
	return scanned(fp, PT_REAL(vfscanf)(fp, fmt, ap));
}

PT_API int __isoc99_fscanf(FILE *fp, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(__isoc99_vfscanf)(fp, fmt, ap);
	va_end(ap);
	return scanned(fp, r);
}

PT_API int pt_fscanf_gnu(FILE *fp, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(vfscanf)(fp, fmt, ap);
	va_end(ap);
	return scanned(fp, r);
}

PT_API int __isoc99_vscanf(const char *fmt, va_list ap)
{
	return scanned(stdin, PT_REAL(__isoc99_vscanf)(fmt, ap));
}

PT_API int pt_vscanf_gnu(const char *fmt, va_list ap)
{
	return scanned(stdin, PT_REAL(vscanf)(fmt, ap));
}

PT_API int __isoc99_scanf(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(__isoc99_vscanf)(fmt, ap);
	va_end(ap);
	return scanned(stdin, r);
}

PT_API int pt_scanf_gnu(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = PT_REAL(vscanf)(fmt, ap);
	va_end(ap);
	return scanned(stdin, r);
}

/* ---- the wide writers: a wide stream is always settled by position, so these only look
 * for the turn from reading to writing (the wide readers need nothing) */

PT_API wint_t __woverflow(FILE *fp, wint_t c)
{
	stream_turning(fp);
	return PT_REAL(__woverflow)(fp, c);
}

PT_API wint_t fputwc(wchar_t c, FILE *fp)
{
	stream_turning(fp);
	return PT_REAL(fputwc)(c, fp);
}

PT_API wint_t putwc(wchar_t c, FILE *fp)
{
	stream_turning(fp);
	return PT_REAL(putwc)(c, fp);
}

PT_API wint_t fputwc_unlocked(wchar_t c, FILE *fp)
{
	stream_turning(fp);
	return PT_REAL(fputwc_unlocked)(c, fp);
}

PT_API wint_t putwc_unlocked(wchar_t c, FILE *fp)
{
	stream_turning(fp);
	return PT_REAL(putwc_unlocked)(c, fp);
}

PT_API wint_t putwchar(wchar_t c)
{
	stream_turning(stdout);
	return PT_REAL(putwchar)(c);
}

PT_API wint_t putwchar_unlocked(wchar_t c)
{
	stream_turning(stdout);
	return PT_REAL(putwchar_unlocked)(c);
}

PT_API int fputws(const wchar_t *ws, FILE *fp)
{
	stream_turning(fp);
	return PT_REAL(fputws)(ws, fp);
}

PT_API int fputws_unlocked(const wchar_t *ws, FILE *fp)
{
	stream_turning(fp);
	return PT_REAL(fputws_unlocked)(ws, fp);
}

PT_API int vfwprintf(FILE *fp, const wchar_t *fmt, va_list ap)
{
	stream_turning(fp);
	return PT_REAL(vfwprintf)(fp, fmt, ap);
}

PT_API int fwprintf(FILE *fp, const wchar_t *fmt, ...)
{
	va_list ap;
	int r;

	stream_turning(fp);
	va_start(ap, fmt);
	r = PT_REAL(vfwprintf)(fp, fmt, ap);
	va_end(ap);
	return r;
}

PT_API int __vfwprintf_chk(FILE *fp, int flag, const wchar_t *fmt, va_list ap)
{
	stream_turning(fp);
	return PT_REAL(__vfwprintf_chk)(fp, flag, fmt, ap);
}

PT_API int __fwprintf_chk(FILE *fp, int flag, const wchar_t *fmt, ...)
{
	va_list ap;
	int r;

	stream_turning(fp);
	va_start(ap, fmt);
	r = PT_REAL(__vfwprintf_chk)(fp, flag, fmt, ap);
	va_end(ap);
	return r;
}

PT_API int vwprintf(const wchar_t *fmt, va_list ap)
{
	stream_turning(stdout);
	return PT_REAL(vwprintf)(fmt, ap);
}

PT_API int wprintf(const wchar_t *fmt, ...)
{
	va_list ap;
	int r;

	stream_turning(stdout);
	va_start(ap, fmt);
	r = PT_REAL(vwprintf)(fmt, ap);
	va_end(ap);
	return r;
}

PT_API int __vwprintf_chk(int flag, const wchar_t *fmt, va_list ap)
{
	stream_turning(stdout);
	return PT_REAL(__vwprintf_chk)(flag, fmt, ap);
}

PT_API int __wprintf_chk(int flag, const wchar_t *fmt, ...)
{
	va_list ap;
	int r;

	stream_turning(stdout);
	va_start(ap, fmt);
	r = PT_REAL(__vwprintf_chk)(flag, fmt, ap);
	va_end(ap);
	return r;
}
