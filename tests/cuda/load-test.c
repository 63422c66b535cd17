/* load-test.c — libprovtrace-cuda.so in a process without a GPU: load it, call its entry
 * point the way the CUDA driver does, and check that the program saw nothing of it.
 * usage: load-test LIB EXPECTED_NEW_THREADS */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/check.h"

static int threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	CHECK(d != NULL);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	int (*init)(void);
	int before, r;
	void *h;

	if (argc != 3) {
		fprintf(stderr, "usage: load-test LIB EXPECTED_NEW_THREADS\n");
		return 2;
	}
	before = threads();
	if (!(h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL))) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	init = (int (*)(void))dlsym(h, "InitializeInjection");
	CHECK(init != NULL);
	/* the entry point is all it exports */
	CHECK(dlsym(h, "ptc_launch") == NULL);
	CHECK(dlsym(h, "ptc_init") == NULL);
	CHECK(dlsym(h, "ptc_debug_on") == NULL);
	errno = EDOM;
	r = init();
	CHECK_INT(r, ==, 1);
	CHECK_INT(errno, ==, EDOM);
	/* the driver calls it once; a second call changes nothing */
	CHECK_INT(init(), ==, 1);
	CHECK_INT(threads() - before, ==, atoi(argv[2]));
	/* exit() runs whatever exit handler the module registered */
	exit(0);
}
