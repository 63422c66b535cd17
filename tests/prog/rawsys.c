/* rawsys.c — file I/O through libc's syscall() only, never through the named functions:
 * each call must be recorded as its wrapper would record it (or, for Linux AIO, said as a
 * gap).  rawsys DIR:
 *   DIR/a  openat, write 10 bytes, pwrite64 2 at offset 20, close;
 *          open, read (22), pread64 5 at 0, close; openat2, readv (22), close;
 *          then renamed to DIR/b by renameat2
 *   DIR/c  creat, dup, writev 6 through the duplicate, close both; unlinkat
 *   DIR/g  open, write 3, then its descriptor replaced by dup3 (its session ends)
 *   DIR/d  opened with open(), written 4 bytes by io_submit (Linux AIO)
 *   DIR/e  written 5 bytes by a child made by syscall(SYS_fork)
 * and the process leaves by syscall(SYS_exit_group, 3). */
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prog.h"

int main(int argc, char **argv)
{
	char p[4096], q[4096], buf[64];
	struct open_how how = { .flags = O_RDONLY };
	struct iovec iov[2];
	long fd, fd2, n;

	if (argc != 2) {
		fprintf(stderr, "usage: rawsys DIR\n");
		return 2;
	}
	path_in(p, sizeof p, argv[1], "a");
	fd = syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	need(fd >= 0, "openat");
	need(syscall(SYS_write, fd, "raw write\n", 10) == 10, "write");
	need(syscall(SYS_pwrite64, fd, "XY", 2, 20) == 2, "pwrite64");
	need(syscall(SYS_close, fd) == 0, "close");

	fd = syscall(SYS_open, p, O_RDONLY);
	need(fd >= 0, "open");
	need(syscall(SYS_read, fd, buf, sizeof buf) == 22, "read");
	need(syscall(SYS_pread64, fd, buf, 5, 0) == 5, "pread64");
	need(syscall(SYS_close, fd) == 0, "close");

	fd = syscall(SYS_openat2, AT_FDCWD, p, &how, sizeof how);
	if (fd < 0 && errno == ENOSYS) {
		fprintf(stderr, "openat2: %s\n", strerror(errno));
		return 77;
	}
	need(fd >= 0, "openat2");
	iov[0] = (struct iovec){ buf, 12 };
	iov[1] = (struct iovec){ buf + 12, 20 };
	need(syscall(SYS_readv, fd, iov, 2) == 22, "readv");
	need(syscall(SYS_close, fd) == 0, "close");
	path_in(q, sizeof q, argv[1], "b");
	need(syscall(SYS_renameat2, AT_FDCWD, p, AT_FDCWD, q, 0) == 0, "renameat2");

	path_in(p, sizeof p, argv[1], "c");
	fd = syscall(SYS_creat, p, 0600);
	need(fd >= 0, "creat");
	fd2 = syscall(SYS_dup, fd);
	need(fd2 >= 0, "dup");
	iov[0] = (struct iovec){ "abc", 3 };
	iov[1] = (struct iovec){ "def", 3 };
	need(syscall(SYS_writev, fd2, iov, 2) == 6, "writev");
	need(syscall(SYS_close, fd) == 0 && syscall(SYS_close, fd2) == 0, "close");
	need(syscall(SYS_unlinkat, AT_FDCWD, p, 0) == 0, "unlinkat");

	/* dup3 onto a descriptor with a session: that session ends with g's identity */
	path_in(p, sizeof p, argv[1], "g");
	fd = syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0 && syscall(SYS_write, fd, "ggg", 3) == 3, "write g");
	fd2 = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
	need(fd2 >= 0 && syscall(SYS_dup3, fd2, fd, 0) == fd, "dup3 onto g's descriptor");
	need(syscall(SYS_close, fd) == 0 && syscall(SYS_close, fd2) == 0, "close");

	/* Linux AIO: the kernel writes, no call the shim can count */
	{
		aio_context_t ctx = 0;
		struct iocb cb, *cbs[1] = { &cb };
		struct io_event ev;

		path_in(p, sizeof p, argv[1], "d");
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		need(fd >= 0, "open d");
		need(syscall(SYS_io_setup, 4, &ctx) == 0, "io_setup");
		memset(&cb, 0, sizeof cb);
		cb.aio_fildes = (uint32_t)fd;
		cb.aio_lio_opcode = IOCB_CMD_PWRITE;
		cb.aio_buf = (uint64_t)(uintptr_t)"aio\n";
		cb.aio_nbytes = 4;
		need(syscall(SYS_io_submit, ctx, 1, cbs) == 1, "io_submit");
		need(syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) == 1 && ev.res == 4,
		     "io_getevents");
		need(syscall(SYS_io_destroy, ctx) == 0, "io_destroy");
		need(close((int)fd) == 0, "close d");
	}

	/* a fork the atfork handlers never see: the child writes in its own name */
	path_in(p, sizeof p, argv[1], "e");
	n = syscall(SYS_fork);
	need(n >= 0, "fork");
	if (n == 0) {
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		need(fd >= 0 && write((int)fd, "child", 5) == 5 && close((int)fd) == 0, "child");
		_exit(0);
	}
	{
		int st;
		need(waitpid((pid_t)n, &st, 0) == (pid_t)n && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		     "waitpid");
	}
	printf("ok\n");
	fflush(stdout);
	syscall(SYS_exit_group, 3);
	return 1;
}
