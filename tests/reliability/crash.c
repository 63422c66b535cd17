/* crash.c — writes N files (each opened, written, closed), then dies the way argv[1]
 * says: abort, segv (a null write) or exit-thread (exit() from a secondary thread while
 * the main thread is still writing).  For RELIABILITY 14: what happened before the
 * death is stored. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *dir;

static void write_files(int n, const char *tag)
{
	char path[4096];

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s%d", dir, tag, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, "0123456789", 10) != 10)
			_exit(90);
		close(fd);
	}
}

/* a real fault, not one the sanitizer build would turn into a report */
__attribute__((no_sanitize("undefined"))) static void fault(void)
{
	*(volatile int *)(uintptr_t)0 = 1;
}

static void *exiter(void *arg)
{
	(void)arg;
	exit(42);
}

int main(int argc, char **argv)
{
	int n;

	if (argc != 4)
		return 2;
	dir = argv[2];
	n = atoi(argv[3]);
	write_files(n, "f");
	if (strcmp(argv[1], "abort") == 0) {
		abort();
	} else if (strcmp(argv[1], "segv") == 0) {
		signal(SIGSEGV, SIG_DFL);
		fault();
	} else if (strcmp(argv[1], "exit-thread") == 0) {
		pthread_t t;
		/* the main thread keeps writing: its sessions that finished are stored */
		pthread_create(&t, NULL, exiter, NULL);
		for (;;)
			write_files(1, "g");
	}
	return 3;
}
