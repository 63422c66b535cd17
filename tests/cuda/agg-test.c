/* agg-test.c — the CUDA module's record -> table -> event path without a GPU: real CUPTI
 * activity structures and launch calls in, CUDA records out, parsed and checked exactly. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collector/event.h"
#include "collector/protocol.h"
#include "interpose/cuda/ptcuda.h"
#include "tests/check.h"
#include "tests/cuda/records.h"

/* ---- a stand-in for the shim: keeps each record as the shim would write it */

#define MAXREC 64

static struct {
	uint8_t rec[MAXREC][PTC_NAME_MAX + 256];
	size_t len[MAXREC];
	int n;
	int fail;              /* refuse the next `fail` records with `fail_code` */
	int fail_code;
	int calls;
} cap;

static int capture(int type, uint32_t nfields, const void *fields, size_t len)
{
	struct pt_mpw w;

	cap.calls++;
	if (cap.fail) {
		cap.fail--;
		return cap.fail_code;
	}
	CHECK(cap.n < MAXREC);
	pt_mpw_init(&w, cap.rec[cap.n], sizeof cap.rec[0]);
	pt_mpw_array(&w, nfields + 2);
	pt_mpw_uint(&w, (uint64_t)type);
	pt_mpw_uint(&w, 1700000000000000000ull + (uint64_t)cap.calls);
	CHECK(pt_mpw_room(&w, len));
	memcpy(w.p, fields, len);
	w.p += len;
	CHECK(!w.overflow);
	cap.len[cap.n] = (size_t)(w.p - cap.rec[cap.n]);
	cap.n++;
	return 0;
}

static int round_(void)
{
	cap.n = 0;
	return ptc_emit_round();
}

/* Position of a documented field, from the table in protocol.h: a test that asks for a
 * name the protocol does not document fails. */
static unsigned fidx(uint32_t type, const char *name)
{
	char buf[64];
	const char *f;

	for (unsigned i = 0; (f = pt_ev_field(type, i, buf, sizeof buf)); i++)
		if (strcmp(f, name) == 0)
			return i;
	fprintf(stderr, "%s has no field '%s'\n", pt_ev_name(type), name);
	exit(1);
}

static unsigned nfields(uint32_t type)
{
	char buf[64];
	unsigned i = 0;

	while (pt_ev_field(type, i, buf, sizeof buf))
		i++;
	return i;
}

static uint64_t fu(const struct pt_ev *ev, const char *name)
{
	unsigned i = fidx(ev->type, name);

	CHECK_UINT(i, <, ev->n);
	CHECK(ev->v[i].kind == PT_MP_UINT);
	return ev->v[i].u;
}

static struct pt_bytes fb(const struct pt_ev *ev, const char *name)
{
	unsigned i = fidx(ev->type, name);

	CHECK_UINT(i, <, ev->n);
	CHECK(ev->v[i].kind == PT_MP_BIN);
	return ev->v[i].b;
}

/* A [x, y, z] field, or n = 0 for []. */
static unsigned farr(const struct pt_ev *ev, const char *name, uint64_t out[3])
{
	unsigned i = fidx(ev->type, name);
	struct pt_mpr r;
	uint32_t n;

	CHECK_UINT(i, <, ev->n);
	CHECK(ev->v[i].kind == PT_MP_ARRAY);
	pt_mpr_init(&r, ev->v[i].b.p, ev->v[i].b.len);
	CHECK(pt_mpr_array(&r, &n) == 0);
	CHECK_UINT(n, <=, 3);
	for (uint32_t j = 0; j < n; j++)
		CHECK(pt_mpr_uint(&r, &out[j]) == 0);
	return n;
}

static int name_is(struct pt_bytes b, const char *s)
{
	return b.len == strlen(s) && memcmp(b.p, s, b.len) == 0;
}

/* The parsed record of this round with that type and key (a kernel name, a copy kind,
 * a drop kind; -1/NULL: none). */
static int get(struct pt_ev *ev, uint32_t type, const char *name, int64_t key)
{
	for (int i = 0; i < cap.n; i++) {
		CHECK(pt_ev_parse(cap.rec[i], cap.len[i], ev) == 0);
		if (ev->type != type)
			continue;
		CHECK_UINT(ev->n, ==, nfields(type));
		if (type == PT_EV_CUDA_KERNEL && !name_is(fb(ev, "name"), name))
			continue;
		if (type == PT_EV_CUDA_MEMCPY && (int64_t)fu(ev, "kind") != key)
			continue;
		if (type == PT_EV_CUDA_DROPS && (int64_t)fu(ev, "how") != key)
			continue;
		return 1;
	}
	return 0;
}

static void need(struct pt_ev *ev, uint32_t type, const char *name, int64_t key)
{
	if (!get(ev, type, name, key)) {
		fprintf(stderr, "no %s record for %s/%lld among %d\n", pt_ev_name(type),
			name ? name : "-", (long long)key, cap.n);
		exit(1);
	}
}

static void check_kernel(const char *name, uint64_t launches, uint64_t timed, uint64_t total,
			 uint64_t min, uint64_t max, const uint64_t *grid, const uint64_t *block,
			 uint64_t shared, uint64_t registers, uint64_t round)
{
	struct pt_ev ev;
	uint64_t g[3], b[3];

	need(&ev, PT_EV_CUDA_KERNEL, name, -1);
	CHECK_UINT(fu(&ev, "launches"), ==, launches);
	CHECK_UINT(fu(&ev, "timed"), ==, timed);
	CHECK_UINT(fu(&ev, "total_ns"), ==, total);
	CHECK_UINT(fu(&ev, "min_ns"), ==, min);
	CHECK_UINT(fu(&ev, "max_ns"), ==, max);
	CHECK_UINT(farr(&ev, "grid", g), ==, grid ? 3 : 0);
	CHECK_UINT(farr(&ev, "block", b), ==, block ? 3 : 0);
	for (int i = 0; grid && i < 3; i++)
		CHECK_UINT(g[i], ==, grid[i]);
	for (int i = 0; block && i < 3; i++)
		CHECK_UINT(b[i], ==, block[i]);
	CHECK_UINT(fu(&ev, "shared"), ==, shared);
	CHECK_UINT(fu(&ev, "registers"), ==, registers);
	CHECK_UINT(fu(&ev, "round"), ==, round);
}

static void check_sum(uint32_t type, int kind, uint64_t count, uint64_t bytes, uint64_t ns,
		      uint64_t round)
{
	struct pt_ev ev;

	need(&ev, type, NULL, kind);
	CHECK_UINT(fu(&ev, "count"), ==, count);
	CHECK_UINT(fu(&ev, "bytes"), ==, bytes);
	CHECK_UINT(fu(&ev, "total_ns"), ==, ns);
	CHECK_UINT(fu(&ev, "round"), ==, round);
}

static void check_drops(unsigned how, uint64_t n, uint64_t round)
{
	struct pt_ev ev;

	need(&ev, PT_EV_CUDA_DROPS, NULL, how);
	CHECK_UINT(fu(&ev, "dropped"), ==, n);
	CHECK_UINT(fu(&ev, "round"), ==, round);
}

/* ---- the scenario */

#define K1 ((const void *)0x1000)   /* CUfunction handles */
#define K2 ((const void *)0x2000)
#define K3 ((const void *)0x3000)
#define K4 ((const void *)0x4000)

static const char *namer(const void *key)
{
	return key == K4 ? "_Z5namedv" : NULL;
}

static void test_launches_and_kernels(void)
{
	static const int g1[3] = { 4, 2, 1 }, b1[3] = { 32, 4, 1 }, g0[3] = { 9, 9, 9 };
	/* CUPTI's own copy of a name: the same text at another address */
	static char axpy_cupti[] = "_Z4axpyfPKfPf";
	struct ptc_config c1 = { { 128, 1, 1 }, { 256, 1, 1 }, 0 };
	struct ptc_config c2 = { { 64, 1, 1 }, { 512, 1, 1 }, 99 };
	struct ptc_config c3 = { { 1, 1, 1 }, { 1024, 1, 1 }, 4096 };
	CUpti_ActivityKernel10 k;

	for (int i = 0; i < 3; i++)
		ptc_launch(K1, "_Z4axpyfPKfPf", &c1, 1);
	ptc_launch(K1, "_Z4axpyfPKfPf", &c2, 1);           /* only the first config is kept */
	ptc_launch(K2, "_Z4axpyfPKfPf", &c2, 1);           /* another context's handle */
	ptc_launch(K3, "_Z6reducePfi", &c3, 1);
	ptc_launch(K4, NULL, NULL, 1);                     /* named by the namer */

	/* the full mode's activity records: times for host launches, no extra launches */
	k = rec_kernel(axpy_cupti, 1000, 2000, g0, g0, 0, 32, 0);
	ptc_activity(&k);
	k = rec_kernel(axpy_cupti, 5000, 5500, g0, g0, 0, 32, 0);
	ptc_activity(&k);
	k = rec_kernel(axpy_cupti, 9000, 11000, g0, g0, 0, 32, 0);
	ptc_activity(&k);
	k = rec_kernel(axpy_cupti, 0, 0, g0, g0, 0, 32, 0);   /* no timestamps: not timed */
	ptc_activity(&k);
	/* kernels of a graph: launched without a launch callback */
	k = rec_kernel("_Z9graphnodev", 100, 400, g1, b1, 128, 16, 5);
	ptc_activity(&k);
	k = rec_kernel("_Z9graphnodev", 1000, 1100, g1, b1, 128, 16, 5);
	ptc_activity(&k);
	ptc_graph_launch();

	CHECK_INT(round_(), ==, 5);
	CHECK_INT(cap.n, ==, 5);
	check_kernel("_Z4axpyfPKfPf", 5, 3, 3500, 500, 2000, (uint64_t[]){ 128, 1, 1 },
		     (uint64_t[]){ 256, 1, 1 }, 0, 32, 1);
	check_kernel("_Z6reducePfi", 1, 0, 0, 0, 0, (uint64_t[]){ 1, 1, 1 },
		     (uint64_t[]){ 1024, 1, 1 }, 4096, 0, 1);
	check_kernel("_Z5namedv", 1, 0, 0, 0, 0, NULL, NULL, 0, 0, 1);
	check_kernel("_Z9graphnodev", 2, 2, 400, 100, 300, (uint64_t[]){ 4, 2, 1 },
		     (uint64_t[]){ 32, 4, 1 }, 128, 16, 1);
	check_kernel(PTC_GRAPH, 1, 0, 0, 0, 0, NULL, NULL, 0, 0, 1);
}

static void test_copies_sets_devices(void)
{
	CUpti_ActivityMemcpy6 m;
	CUpti_ActivityMemcpyPtoP4 p;
	CUpti_ActivityMemset4 s;
	CUpti_ActivityDevice5 d;
	struct pt_ev ev;
	struct pt_bytes b;

	m = rec_copy(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, 4096, 0x10000, 0x10000 + 1000, 1);
	ptc_activity(&m);
	m = rec_copy(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, 8192, 2000, 2500, 1);
	ptc_activity(&m);
	m = rec_copy(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, 300, 4000, 4100, 3);   /* a batch of 3 */
	ptc_activity(&m);
	m = rec_copy(CUPTI_ACTIVITY_MEMCPY_KIND_DTOH, 100, 3000, 3200, 1);
	ptc_activity(&m);
	m = rec_copy(CUPTI_ACTIVITY_MEMCPY_KIND_DTOD, 1 << 20, 5000, 4000, 1); /* end < start */
	ptc_activity(&m);
	m = rec_copy(42, 7, 0, 0, 0);                   /* a kind we do not know: UNKNOWN */
	ptc_activity(&m);
	p = rec_peer(1 << 20, 6000, 7000);
	ptc_activity(&p);
	s = rec_set(512, 100, 150);
	ptc_activity(&s);
	ptc_activity(&s);
	d = rec_device(0, "NVIDIA H200", 0xa0, 9, 0, 150ull << 30, 132);
	ptc_activity(&d);
	d = rec_device(0, "another name", 0x10, 1, 1, 1, 1);   /* the first description wins */
	ptc_activity(&d);
	ptc_set_versions(13000, 13000);

	CHECK_INT(round_(), ==, 7);
	check_sum(PT_EV_CUDA_MEMCPY, PT_COPY_HTOD, 5, 12588, 1600, 2);
	check_sum(PT_EV_CUDA_MEMCPY, PT_COPY_DTOH, 1, 100, 200, 2);
	check_sum(PT_EV_CUDA_MEMCPY, PT_COPY_DTOD, 1, 1 << 20, 0, 2);
	check_sum(PT_EV_CUDA_MEMCPY, PT_COPY_PTOP, 1, 1 << 20, 1000, 2);
	check_sum(PT_EV_CUDA_MEMCPY, PT_COPY_UNKNOWN, 1, 7, 0, 2);
	check_sum(PT_EV_CUDA_MEMSET, -1, 2, 1024, 100, 2);
	need(&ev, PT_EV_CUDA_DEVICE, NULL, -1);
	CHECK_UINT(fu(&ev, "device"), ==, 0);
	CHECK(name_is(fb(&ev, "name"), "NVIDIA H200"));
	b = fb(&ev, "uuid");
	CHECK_UINT(b.len, ==, 16);
	for (int i = 0; i < 16; i++)
		CHECK_UINT(b.p[i], ==, 0xa0 + i);
	CHECK_UINT(fu(&ev, "cc_major"), ==, 9);
	CHECK_UINT(fu(&ev, "cc_minor"), ==, 0);
	CHECK_UINT(fu(&ev, "memory"), ==, 150ull << 30);
	CHECK_UINT(fu(&ev, "driver"), ==, 13000);
	CHECK_UINT(fu(&ev, "runtime"), ==, 13000);
	CHECK_UINT(fu(&ev, "multiprocessors"), ==, 132);
	/* kernels did not change: not sent again */
	CHECK(!get(&ev, PT_EV_CUDA_KERNEL, "_Z4axpyfPKfPf", -1));
}

static void test_rounds(void)
{
	struct ptc_config c = { { 2, 2, 2 }, { 8, 8, 1 }, 0 };
	struct pt_ev ev;

	/* nothing changed: nothing sent, the device once only */
	CHECK_INT(round_(), ==, 0);
	/* one kernel changed: only it, cumulative, with the new round */
	ptc_launch(K3, "_Z6reducePfi", &c, 1);
	CHECK_INT(round_(), ==, 1);
	check_kernel("_Z6reducePfi", 2, 0, 0, 0, 0, (uint64_t[]){ 1, 1, 1 },
		     (uint64_t[]){ 1024, 1, 1 }, 4096, 0, 4);
	/* the shim refuses a record (full ring): the round stops, the record waits */
	ptc_launch(K1, "_Z4axpyfPKfPf", NULL, 1);
	ptc_launch(NULL, "_Z6reducePfi", NULL, 1);          /* no handle: found by name */
	ptc_copy(PT_COPY_HTOD, 1, 4, 0, 0);
	cap.fail = 1;
	cap.fail_code = -EAGAIN;
	CHECK_INT(round_(), ==, 0);
	CHECK_INT(cap.n, ==, 0);
	CHECK_INT(round_(), ==, 3);
	check_kernel("_Z4axpyfPKfPf", 6, 3, 3500, 500, 2000, (uint64_t[]){ 128, 1, 1 },
		     (uint64_t[]){ 256, 1, 1 }, 0, 32, 6);
	check_kernel("_Z6reducePfi", 3, 0, 0, 0, 0, (uint64_t[]){ 1, 1, 1 },
		     (uint64_t[]){ 1024, 1, 1 }, 4096, 0, 6);
	check_sum(PT_EV_CUDA_MEMCPY, PT_COPY_HTOD, 6, 12592, 1600, 6);
	CHECK(!get(&ev, PT_EV_CUDA_DEVICE, NULL, -1));
}

struct thr {
	const void *key;
	int n;
};

static void *hammer(void *arg)
{
	struct thr *t = arg;

	for (int i = 0; i < t->n; i++)
		ptc_launch(t->key, "_Z4axpyfPKfPf", NULL, 1);
	return NULL;
}

static void test_threads(void)
{
	/* new handles and known ones, from four threads at once: no launch lost */
	struct thr t[4] = { { K1, 100000 }, { (const void *)0x5000, 100000 },
			    { (const void *)0x6000, 100000 }, { K2, 100000 } };
	pthread_t id[4];

	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&id[i], NULL, hammer, &t[i]) == 0);
	for (int i = 0; i < 4; i++)
		pthread_join(id[i], NULL);
	CHECK_INT(round_(), ==, 1);
	check_kernel("_Z4axpyfPKfPf", 400006, 3, 3500, 500, 2000, (uint64_t[]){ 128, 1, 1 },
		     (uint64_t[]){ 256, 1, 1 }, 0, 32, 7);
}

static void test_losses(void)
{
	static const int g[3] = { 1, 1, 1 };
	CUpti_ActivityKernel10 k;

	/* the table holds 8: [other], [cuGraphLaunch] and six names; four are taken */
	ptc_launch((const void *)0x7000, "_Z2k5v", NULL, 1);
	ptc_launch((const void *)0x7100, "_Z2k6v", NULL, 1);
	for (int i = 0; i < 4; i++)
		ptc_launch((const void *)0x7200, "_Z2k7v", NULL, 1);
	k = rec_kernel("_Z2k8v", 10, 20, g, g, 0, 8, 3);
	ptc_activity(&k);
	ptc_drop(PT_CUDA_DROP_CUPTI, 7);
	CHECK_INT(round_(), ==, 5);
	check_kernel("_Z2k5v", 1, 0, 0, 0, 0, NULL, NULL, 0, 0, 8);
	check_kernel("_Z2k6v", 1, 0, 0, 0, 0, NULL, NULL, 0, 0, 8);
	check_kernel(PTC_OTHER, 5, 1, 10, 10, 10, (uint64_t[]){ 1, 1, 1 },
		     (uint64_t[]){ 1, 1, 1 }, 0, 8, 8);
	check_drops(PT_CUDA_DROP_TABLE, 5, 8);
	check_drops(PT_CUDA_DROP_CUPTI, 7, 8);
}

static void test_fork(void)
{
	pid_t pid = fork();
	int st;

	CHECK(pid >= 0);
	if (pid == 0) {
		/* the child starts from nothing: the parent's counts are the parent's */
		CHECK_INT(ptc_child(), ==, 0);
		CHECK_INT(round_(), ==, 0);
		ptc_launch(K1, "_Z4axpyfPKfPf", NULL, 1);
		CHECK_INT(round_(), ==, 1);
		check_kernel("_Z4axpyfPKfPf", 1, 0, 0, 0, 0, NULL, NULL, 0, 0, 2);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK_INT(st, ==, 0);
	/* the parent's tables are untouched */
	ptc_launch(K1, "_Z4axpyfPKfPf", NULL, 1);
	CHECK_INT(round_(), ==, 1);
	check_kernel("_Z4axpyfPKfPf", 400007, 3, 3500, 500, 2000, (uint64_t[]){ 128, 1, 1 },
		     (uint64_t[]){ 256, 1, 1 }, 0, 32, 9);
}

static void test_not_recording(void)
{
	/* the shim says it is not recording: the module stops, and stays cheap */
	ptc_launch(K3, "_Z6reducePfi", NULL, 1);
	cap.fail = 1;
	cap.fail_code = -ENODEV;
	CHECK_INT(round_(), ==, -ENODEV);
	CHECK_INT(ptc_off(), ==, 1);
	ptc_launch(K3, "_Z6reducePfi", NULL, 1);
	ptc_copy(PT_COPY_HTOD, 1, 4, 0, 0);
	CHECK_INT(round_(), ==, -ENODEV);
	CHECK_INT(cap.n, ==, 0);
}

int main(void)
{
	CHECK_INT(ptc_init(capture, 8, 64), ==, 0);
	ptc_set_namer(namer);
	CHECK_INT(ptc_off(), ==, 0);
	test_launches_and_kernels();
	test_copies_sets_devices();
	test_rounds();
	test_threads();
	test_losses();
	test_fork();
	test_not_recording();
	return 0;
}
