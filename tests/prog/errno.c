/* errno.c — errno after wrapped calls (RELIABILITY.md case 12): each call runs with
 * errno preset, and its result and errno are printed.  tests/shim/errno.sh compares
 * the output with the shim and without it: they must be identical. */
#include "config.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prog.h"

extern char **environ;

#define PRESET 7777

static void show(const char *what, long ret)
{
	int e = errno;

	printf("%-28s %ld errno=%d\n", what, ret, e == PRESET ? -1 : e);
	errno = PRESET;
}

int main(int argc, char **argv)
{
	char p[4096], q[4096], buf[64];
	struct iovec iov = { buf, 4 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	volatile int bad_count = -1;
	int fd, fd2, sv[2], st;
	char *args[] = { "x", NULL };
	pid_t pid;
	FILE *fp;

	need(argc == 2, "usage: errno DIR");
	const char *d = argv[1];
	errno = PRESET;

	show("open", fd = open(path_in(p, sizeof p, d, "e1"), O_RDWR | O_CREAT | O_TRUNC, 0600));
	show("open missing", open(path_in(q, sizeof q, d, "none/x"), O_RDONLY));
	show("open64 missing", open64(q, O_RDONLY));
	show("openat bad dirfd", openat(999, "x", O_RDONLY));
	show("creat missing dir", creat(q, 0600));
	show("write", write(fd, "abcdefgh", 8));
	show("write bad fd", write(999, "x", 1));
	show("pwrite", pwrite(fd, "xy", 2, 3));
	show("pwrite negative offset", pwrite(fd, "xy", 2, -1));
	show("lseek", lseek(fd, 0, SEEK_SET));
	show("read", read(fd, buf, 4));
	show("read bad fd", read(999, buf, 4));
	show("pread", pread(fd, buf, 4, 1));
	show("pread negative offset", pread(fd, buf, 4, -5));
	show("readv bad fd", readv(999, &iov, 1));
	show("writev", writev(fd, &iov, 1));
	show("preadv bad count", preadv(fd, &iov, bad_count, 0));
	show("ftruncate", ftruncate(fd, 2));
	show("ftruncate negative", ftruncate(fd, -1));
	show("fcntl F_GETFL", fcntl(fd, F_GETFL) & O_ACCMODE);
	show("fcntl F_DUPFD bad fd", fcntl(999, F_DUPFD, 0));
	show("dup", fd2 = dup(fd));
	show("dup bad fd", dup(999));
	show("dup2 bad fd", dup2(999, 3));
	show("dup3 onto itself", dup3(fd, fd, 0));
	void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	show("mmap", m == MAP_FAILED ? -1 : 0);
	if (m != MAP_FAILED)
		munmap(m, 4096);
	show("mmap bad fd", mmap(NULL, 4096, PROT_READ, MAP_SHARED, 999, 0) == MAP_FAILED ? -1 : 0);
	show("close", close(fd2));
	show("close again", close(fd2));
	show("close -1", close(-1));
#ifdef HAVE_CLOSE_RANGE
	show("close_range first > last", close_range(10, 5, 0));
#endif
	show("sendfile bad fd", sendfile(999, fd, NULL, 4));
#ifdef HAVE_COPY_FILE_RANGE
	show("copy_file_range bad fd", copy_file_range(999, NULL, fd, NULL, 4, 0));
#endif
	show("recv not a socket", recv(fd, buf, 4, 0));
	show("send not a socket", send(fd, buf, 4, 0));
	show("accept not a socket", accept(fd, NULL, NULL));
	show("close e1", close(fd));

	fp = fopen(path_in(p, sizeof p, d, "e2"), "w");
	show("fopen", fp != NULL);
	show("fwrite", (long)fwrite("abc", 1, 3, fp));
	show("fprintf", fprintf(fp, "%d", 12345));
	show("fread on a write stream", (long)fread(buf, 1, 4, fp));
	clearerr(fp);
	show("fclose", fclose(fp));
	char e4[4096];
	fp = fopen(path_in(e4, sizeof e4, d, "e4"), "w+");
	show("fopen w+", fp != NULL);
	putc_unlocked('x', fp);
	show("fflush", fflush(fp));
	show("fseek bad whence", fseek(fp, 0, 12345));
	show("fseek", fseek(fp, 0, SEEK_SET));
	show("getc_unlocked", getc_unlocked(fp));
	rewind(fp);
	show("rewind", 0);
	show("fseeko before the start", fseeko(fp, -10, SEEK_SET));
	show("fclose", fclose(fp));
	fp = tmpfile();
	show("tmpfile", fp != NULL);
	show("fclose", fclose(fp));
	show("fdopen bad descriptor", fdopen(999, "r") != NULL);
	show("fopen missing", fopen(q, "r") != NULL);
	fp = fopen(p, "r");
	show("fgets", fgets(buf, sizeof buf, fp) != NULL);
	show("fgets at EOF", fgets(buf, sizeof buf, fp) != NULL);
	show("fgetc at EOF", fgetc(fp));
	show("fclose", fclose(fp));

	show("rename", rename(p, path_in(q, sizeof q, d, "e3")));
	show("rename missing", rename(p, q));
	show("link exists", link(q, q));
	show("symlink exists", symlink("x", q));
	show("unlink", unlink(q));
	show("unlink missing", unlink(q));
	show("mkdir", mkdir(path_in(p, sizeof p, d, "dd"), 0700));
	show("mkdir exists", mkdir(p, 0700));
	show("rmdir", rmdir(p));
	show("rmdir missing", rmdir(p));
	show("truncate missing", truncate(p, 1));
	show("chdir missing", chdir(p));
	show("chdir", chdir(d));

	show("pipe", pipe(sv));
	close(sv[0]);
	close(sv[1]);
	show("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path_in(p, sizeof p, d, "nosock"));
	show("connect missing", connect(fd, (struct sockaddr *)&sa, sizeof sa));
	close(fd);

	show("execv missing", execv("/nonexistent/provtrace-test", args));
	show("execve not executable", execve(path_in(p, sizeof p, d, "."), args, environ));
	show("execvp missing", execvp("provtrace-no-such-program", args));
	show("fexecve bad fd", fexecve(999, args, environ));
	show("posix_spawn missing", posix_spawn(&pid, "/nonexistent/x", NULL, NULL, args, environ));
	show("waitpid no child", waitpid(-1, &st, WNOHANG));
	show("wait no child", wait(&st));
	char tmpl[] = "bad";
	show("mkstemp bad template", mkstemp(tmpl));
	fflush(stdout);
	show("_exit follows", 0);
	fflush(stdout);
	errno = ENOENT;
	return 0;
}
