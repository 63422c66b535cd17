/* ns.c — the namespace: rename, renameat, link, linkat, symlink, unlink, unlinkat,
 * truncate, ftruncate, mkdir, mkdirat, rmdir; failures record nothing. */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prog.h"

int main(int argc, char **argv)
{
	char a[4096], b[4096], c[4096];
	int fd, dfd;

	need(argc == 2, "usage: ns DIR");
	const char *d = argv[1];

	fd = open(path_in(a, sizeof a, d, "a"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0 && write(fd, "0123456789", 10) == 10, "write a");
	need(ftruncate(fd, 4) == 0, "ftruncate a");
	need(close(fd) == 0, "close a");
	need(rename(a, path_in(b, sizeof b, d, "b")) == 0, "rename a b");
	need(link(b, path_in(c, sizeof c, d, "c")) == 0, "link b c");
	need(symlink("b", path_in(a, sizeof a, d, "s")) == 0, "symlink b s");
	need(unlink(c) == 0, "unlink c");
	need(truncate(b, 3) == 0, "truncate b");
	need(mkdir(path_in(a, sizeof a, d, "sub"), 0750) == 0, "mkdir sub");
	need(rmdir(a) == 0, "rmdir sub");

	dfd = open(d, O_RDONLY | O_DIRECTORY);
	need(dfd >= 0, "open DIR");
	need(renameat(dfd, "b", dfd, "b2") == 0, "renameat b b2");
	need(linkat(dfd, "b2", dfd, "l2", 0) == 0, "linkat b2 l2");
	need(unlinkat(dfd, "l2", 0) == 0, "unlinkat l2");
	need(mkdirat(dfd, "sub2", 0700) == 0, "mkdirat sub2");
	need(unlinkat(dfd, "sub2", AT_REMOVEDIR) == 0, "unlinkat sub2");
	need(close(dfd) == 0, "close DIR");

	/* failures */
	need(rename(path_in(a, sizeof a, d, "none"), b) < 0 && errno == ENOENT, "rename none");
	need(unlink(a) < 0 && errno == ENOENT, "unlink none");
	need(truncate(a, 1) < 0 && errno == ENOENT, "truncate none");
	need(mkdir(d, 0700) < 0 && errno == EEXIST, "mkdir DIR");
	return 0;
}
