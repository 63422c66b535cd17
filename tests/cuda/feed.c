/* feed.c — a CUDA process without a GPU, for tests/cuda/store.sh: it drives the CUDA
 * module's tables with launches and activity records and writes the summaries through
 * the preloaded shim's provtrace_emit(), in two rounds and from a forked child. */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interpose/cuda/ptcuda.h"
#include "tests/cuda/records.h"

#define AXPY ((const void *)0x1000)
#define REDUCE ((const void *)0x2000)

static int fail(const char *what)
{
	fprintf(stderr, "feed: %s\n", what);
	return 1;
}

int main(void)
{
	static const int g[3] = { 128, 1, 1 }, b[3] = { 256, 1, 1 };
	provtrace_emit_fn emit = (provtrace_emit_fn)dlsym(RTLD_DEFAULT, "provtrace_emit");
	struct ptc_config c = { { 128, 1, 1 }, { 256, 1, 1 }, 0 };
	CUpti_ActivityKernel10 k;
	CUpti_ActivityMemcpy6 m;
	CUpti_ActivityMemset4 s;
	CUpti_ActivityDevice5 d;
	pid_t pid;
	int st;

	if (!emit)
		return fail("provtrace_emit not found: run me under provtrace run");
	if (ptc_init(emit, PTC_KERNELS, PTC_FUNCS))
		return fail("ptc_init");
	d = rec_device(0, "NVIDIA H200", 0x40, 9, 0, 150ull << 30, 132);
	ptc_activity(&d);
	ptc_set_versions(13000, 13000);

	/* round 1: axpy x3, reduce x2, two copies to the device, one back, one set */
	for (int i = 0; i < 3; i++)
		ptc_launch(AXPY, "_Z4axpyfPKfPf", &c, 1);
	ptc_launch(REDUCE, "_Z6reducePfi", &c, 2);
	m = rec_copy(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, 4096, 1000, 2000, 1);
	ptc_activity(&m);
	ptc_activity(&m);
	m = rec_copy(CUPTI_ACTIVITY_MEMCPY_KIND_DTOH, 100, 3000, 3100, 1);
	ptc_activity(&m);
	s = rec_set(512, 10, 20);
	ptc_activity(&s);
	if (ptc_emit_round() != 6)
		return fail("round 1 did not write 6 records");

	/* round 2, cumulative: axpy x5 with two timed, a third copy to the device */
	ptc_launch(AXPY, "_Z4axpyfPKfPf", &c, 2);
	k = rec_kernel("_Z4axpyfPKfPf", 10000, 11000, g, b, 0, 32, 0);
	ptc_activity(&k);
	k = rec_kernel("_Z4axpyfPKfPf", 20000, 23000, g, b, 0, 32, 0);
	ptc_activity(&k);
	m = rec_copy(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, 4096, 5000, 6000, 1);
	ptc_activity(&m);
	if (ptc_emit_round() != 2)
		return fail("round 2 did not write 2 records");

	/* a forked child on the same device: its own summaries, from zero */
	if ((pid = fork()) < 0)
		return fail("fork");
	if (pid == 0) {
		if (ptc_child())
			_exit(fail("ptc_child"));
		d = rec_device(0, "NVIDIA H200", 0x40, 9, 0, 150ull << 30, 132);
		ptc_activity(&d);
		ptc_launch(REDUCE, "_Z6reducePfi", NULL, 7);
		m = rec_copy(CUPTI_ACTIVITY_MEMCPY_KIND_DTOH, 50, 1, 2, 1);
		ptc_activity(&m);
		exit(ptc_emit_round() == 3 ? 0 : fail("the child did not write 3 records"));
	}
	if (waitpid(pid, &st, 0) != pid || st != 0)
		return fail("the child failed");
	return 0;
}
