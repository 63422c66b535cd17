/* ipc.c — the endpoints data crosses processes through: pipes, socket pairs and
 * Unix-domain sockets.  Each endpoint is an object named as /proc/PID/fd names it
 * ("pipe:[INO]", "socket:[INO]"), so a worker's write and its parent's read meet. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "shim.h"
#include "sys.h"

static void endpoint_open(int fd, const char *kind, int flags, int call)
{
	char name[64];
	struct stat st;
	int n;

	if (pt_sys2(SYS_fstat, fd, &st) < 0)
		return;
	n = snprintf(name, sizeof name, "%s:[%llu]", kind, (unsigned long long)st.st_ino);
	pt_sess_open(fd, name, (size_t)n, flags, 0,
		     kind[0] == 'p' ? PT_KIND_PIPE : PT_KIND_SOCKET, call);
}

static int piped(int r, int *fds)
{
	int e = errno;

	if (r == 0 && pt.enabled && !pt_vforked) {
		endpoint_open(fds[0], "pipe", O_RDONLY, PT_CALL_PIPE);
		endpoint_open(fds[1], "pipe", O_WRONLY, PT_CALL_PIPE);
	}
	errno = e;
	return r;
}

PT_API int pipe(int fds[2]) { return piped(PT_REAL(pipe)(fds), fds); }
PT_API int pipe2(int fds[2], int fl) { return piped(PT_REAL(pipe2)(fds, fl), fds); }

PT_API int socketpair(int domain, int type, int proto, int sv[2])
{
	int r = PT_REAL(socketpair)(domain, type, proto, sv);
	int e = errno;
	struct stat a, b;
	struct pt_rec rec;

	if (r == 0 && domain == AF_UNIX && pt.enabled && !pt_vforked) {
		endpoint_open(sv[0], "socket", O_RDWR, PT_CALL_SOCKETPAIR);
		endpoint_open(sv[1], "socket", O_RDWR, PT_CALL_SOCKETPAIR);
		/* the two ends are distinct inodes: say that they are one channel */
		if (pt_sys2(SYS_fstat, sv[0], &a) == 0 && pt_sys2(SYS_fstat, sv[1], &b) == 0 &&
		    pt_rec_begin(&rec, PT_EV_SOCKPAIR, 2, 24) == 0) {
			pt_mpw_uint(&rec.w, a.st_ino);
			pt_mpw_uint(&rec.w, b.st_ino);
			pt_rec_end(&rec);
		}
	}
	errno = e;
	return r;
}

/* CONNECT / ACCEPT: [fd, ino, addr] for pathname Unix sockets, which join every client
 * of one address to the server's accepted ends. */
static void unix_endpoint(int type, int fd, const struct sockaddr_un *sa, socklen_t len)
{
	struct stat st;
	struct pt_rec r;
	size_t n;

	if (!sa || sa->sun_family != AF_UNIX || len <= offsetof(struct sockaddr_un, sun_path) ||
	    sa->sun_path[0] == 0)   /* unnamed or abstract */
		return;
	n = strnlen(sa->sun_path, len - offsetof(struct sockaddr_un, sun_path));
	if (pt_sys2(SYS_fstat, fd, &st) < 0)
		return;
	if (pt_sess_at(fd) && !atomic_load_explicit(&pt_sess_at(fd)->sid, memory_order_relaxed))
		pt_sess_adopt(fd, 0);
	if (pt_rec_begin(&r, type, 3, 32 + n) == 0) {
		pt_mpw_uint(&r.w, (uint64_t)fd);
		pt_mpw_uint(&r.w, st.st_ino);
		pt_mpw_bin(&r.w, sa->sun_path, n);
		pt_rec_end(&r);
	}
}

PT_API int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	int r = PT_REAL(connect)(fd, addr, len);
	int e = errno;

	if ((r == 0 || e == EINPROGRESS) && pt.enabled && !pt_vforked && addr &&
	    addr->sa_family == AF_UNIX)
		unix_endpoint(PT_EV_CONNECT, fd, (const struct sockaddr_un *)addr, len);
	errno = e;
	return r;
}

static int accepted(int lfd, int fd)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof sa;
	int e = errno;

	if (fd >= 0 && pt.enabled && !pt_vforked &&
	    pt_sys3(SYS_getsockname, lfd, &sa, &len) == 0)
		unix_endpoint(PT_EV_ACCEPT, fd, &sa, len);
	errno = e;
	return fd;
}

PT_API int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return accepted(fd, PT_REAL(accept)(fd, addr, len));
}

PT_API int accept4(int fd, struct sockaddr *addr, socklen_t *len, int fl)
{
	return accepted(fd, PT_REAL(accept4)(fd, addr, len, fl));
}
