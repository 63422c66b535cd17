/* exit.c — every way a process ends: return from main, exit, _exit, _Exit, exit from a
 * secondary thread, death by a signal; "wait SIG" has a child killed by SIG and waits. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prog.h"

static int code;

static void *exiter(void *arg)
{
	(void)arg;
	exit(code);
}

int main(int argc, char **argv)
{
	need(argc == 3, "usage: exit ret|exit|_exit|_Exit|thread|sig|wait N");
	const char *how = argv[1];
	code = atoi(argv[2]);

	if (!strcmp(how, "ret"))
		return code;
	if (!strcmp(how, "exit"))
		exit(code);
	if (!strcmp(how, "_exit"))
		_exit(code);
	if (!strcmp(how, "_Exit"))
		_Exit(code);
	if (!strcmp(how, "thread")) {
		pthread_t t;
		need(pthread_create(&t, NULL, exiter, NULL) == 0, "pthread_create");
		for (;;)
			pause();
	}
	if (!strcmp(how, "sig")) {
		signal(code, SIG_DFL);
		raise(code);
		return 99;
	}
	if (!strcmp(how, "wait")) {
		int st;
		pid_t pid = fork();
		need(pid >= 0, "fork");
		if (pid == 0) {
			raise(code);
			_exit(99);
		}
		need(waitpid(pid, &st, 0) == pid, "waitpid");
		printf("%d %d\n", (int)pid, st);
		return 0;
	}
	fprintf(stderr, "unknown way to end: %s\n", how);
	return 2;
}
