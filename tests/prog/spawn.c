/* spawn.c — every way a process starts another: fork, vfork + exec, posix_spawn,
 * posix_spawnp, system, popen, each exec variant (fexecve and execveat too), exec of a
 * missing file, and env -i / env -u LD_PRELOAD.  Each child image writes DIR/NAME.txt. */
#include "config.h"

#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prog.h"

extern char **environ;

static char self[4096], selfdir[4096], dir[4096];

static int child(const char *name)
{
	char p[4096];
	int fd = open(path_in(p, sizeof p, dir, name), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	need(fd >= 0, "child: open");
	need(write(fd, name, strlen(name)) == (ssize_t)strlen(name), "child: write");
	need(close(fd) == 0, "child: close");
	return 0;
}

static void wait_for(pid_t pid, int code, const char *what)
{
	int st;

	need(pid > 0, what);
	need(waitpid(pid, &st, 0) == pid, what);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != code) {
		fprintf(stderr, "%s: child status %#x, expected exit %d\n", what, st, code);
		exit(2);
	}
}

/* exec variant `how` in a forked child, which then writes HOW.txt */
static void exec_in_child(const char *how)
{
	char name[64];
	char *args[] = { "spawn", "child", dir, name, NULL };
	pid_t pid;

	snprintf(name, sizeof name, "%s.txt", how);
	args[0] = self;
	pid = fork();
	need(pid >= 0, "fork");
	if (pid == 0) {
		if (!strcmp(how, "execl"))
			execl(self, self, "child", dir, name, (char *)NULL);
		else if (!strcmp(how, "execlp"))
			execlp("spawn", "spawn", "child", dir, name, (char *)NULL);
		else if (!strcmp(how, "execle"))
			execle(self, self, "child", dir, name, (char *)NULL, environ);
		else if (!strcmp(how, "execv"))
			execv(self, args);
		else if (!strcmp(how, "execvp"))
			execvp("spawn", args);
		else if (!strcmp(how, "execvpe"))
			execvpe("spawn", args, environ);
		else if (!strcmp(how, "execve"))
			execve(self, args, environ);
		else if (!strcmp(how, "fexecve")) {
			int fd = open(self, O_RDONLY);
			need(fd >= 0, "open self");
			fexecve(fd, args, environ);
		}
#ifdef HAVE_EXECVEAT
		else if (!strcmp(how, "execveat")) {
			int dfd = open(selfdir, O_RDONLY | O_DIRECTORY);
			need(dfd >= 0, "open the program's directory");
			execveat(dfd, "spawn", args, environ, 0);
		}
#endif
		else if (!strcmp(how, "envi"))
			execl("/usr/bin/env", "env", "-i", self, "child", dir, name, (char *)NULL);
		else if (!strcmp(how, "envu"))
			execl("/usr/bin/env", "env", "-u", "LD_PRELOAD", self, "child", dir, name,
			      (char *)NULL);
		else if (!strcmp(how, "missing")) {
			/* fails: errno is the program's, exactly as without the shim */
			errno = 0;
			execv("/nonexistent/provtrace-test", args);
			_exit(errno == ENOENT ? 42 : 43);
		}
		fprintf(stderr, "%s: %s\n", how, strerror(errno));
		_exit(127);
	}
	wait_for(pid, strcmp(how, "missing") ? 0 : 42, how);
}

int main(int argc, char **argv)
{
	char *args[] = { self, "child", dir, NULL, NULL };
	char p[4096], cmd[8192];
	pid_t pid;
	ssize_t n;

	need(argc >= 2, "usage: spawn DIR | spawn child DIR NAME");
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	need(n > 0, "readlink /proc/self/exe");
	self[n] = 0;
	if (!strcmp(argv[1], "child")) {
		need(argc == 4, "usage: spawn child DIR NAME");
		snprintf(dir, sizeof dir, "%s", argv[2]);
		return child(argv[3]);
	}
	snprintf(dir, sizeof dir, "%s", argv[1]);
	snprintf(selfdir, sizeof selfdir, "%s", self);
	char *dn = dirname(selfdir);
	memmove(selfdir, dn, strlen(dn) + 1);
	/* execlp and friends find this program by name */
	const char *path = getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin";
	need(snprintf(p, sizeof p, "%s:%s", selfdir, path) < (int)sizeof p, "PATH too long");
	need(setenv("PATH", p, 1) == 0, "setenv PATH");

	pid = fork();
	need(pid >= 0, "fork");
	if (pid == 0)
		exit(child("fork.txt"));
	wait_for(pid, 0, "fork");

	args[3] = "vfork.txt";
	pid = vfork();
	if (pid == 0) {
		execv(self, args);
		_exit(127);
	}
	wait_for(pid, 0, "vfork");

	args[3] = "posix_spawn.txt";
	need(posix_spawn(&pid, self, NULL, NULL, args, environ) == 0, "posix_spawn");
	wait_for(pid, 0, "posix_spawn");
	args[3] = "posix_spawnp.txt";
	need(posix_spawnp(&pid, "spawn", NULL, NULL, args, environ) == 0, "posix_spawnp");
	wait_for(pid, 0, "posix_spawnp");
	/* a spawn that fails: the error comes back */
	need(posix_spawn(&pid, "/nonexistent/provtrace-test", NULL, NULL, args, environ) == ENOENT,
	     "posix_spawn of a missing file");

	snprintf(cmd, sizeof cmd, "echo system > '%s/system.txt'", dir);
	need(system(cmd) == 0, "system");
	snprintf(cmd, sizeof cmd, "cat > '%s/popen.txt'", dir);
	FILE *fp = popen(cmd, "w");
	need(fp != NULL, "popen");
	need(fputs("popen\n", fp) >= 0, "write to popen");
	need(pclose(fp) == 0, "pclose");

	static const char *const execs[] = {
		"execl", "execlp", "execle", "execv", "execvp", "execvpe", "execve", "fexecve",
#ifdef HAVE_EXECVEAT
		"execveat",
#endif
		"envi", "envu", "missing",
	};
	for (size_t i = 0; i < sizeof execs / sizeof execs[0]; i++)
		exec_in_child(execs[i]);
	return 0;
}
