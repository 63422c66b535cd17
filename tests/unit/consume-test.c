/* consume-test.c — the collector's side of a region (collector/consume.c): headers it must
 * refuse, records it must never read early, records that wrap the ring, corrupt lengths. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/consume.h"
#include "collector/protocol.h"
#include "collector/region.h"
#include "tests/check.h"

static char dir[512];
static int dirfd_;

/* A region file as a producer would lay it out; returns its mapping (the producer's). */
static void *make_region(const char *name, uint32_t nslots, uint32_t slot_size,
			 struct pt_region_hdr **hp)
{
	struct pt_region_hdr g = { 0 };
	uint64_t size = pt_region_geometry(&g, nslots, slot_size, 64);
	int fd = openat(dirfd_, name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	void *base;

	CHECK(fd >= 0);
	CHECK_INT(ftruncate(fd, (off_t)size), ==, 0);
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(base != MAP_FAILED);
	close(fd);
	struct pt_region_hdr *h = base;
	*h = g;
	h->version = PT_REGION_VERSION;
	h->proto = PT_PROTO_VERSION;
	h->pid = 4242;
	h->ppid = 1;
	h->uid = (uint32_t)getuid();
	h->start_ns = 1000;
	strcpy(h->host, "testhost");
	atomic_store(&h->magic, PT_REGION_MAGIC);
	*hp = h;
	return base;
}

static void drop_region(const char *name, void *base, struct pt_region_hdr *h)
{
	munmap(base, h->size);
	unlinkat(dirfd_, name, 0);
}

static int open_of(const char *name)
{
	struct pt_rmap m;
	int r = pt_rmap_open(dirfd_, name, -1, &m);

	if (r == 0)
		pt_rmap_close(&m);
	return r;
}

/* ---- headers */

static void headers(void)
{
	struct pt_region_hdr *h;
	void *base = make_region("r.ptr", 4, 2 * PT_REC_MAX, &h);
	struct pt_region_hdr good = *h;
	struct pt_rmap m;

	CHECK_INT(pt_rmap_open(dirfd_, "r.ptr", -1, &m), ==, 0);
	CHECK_INT(m.id.pid, ==, 4242);
	CHECK_UINT(m.id.nslots, ==, 4);
	CHECK_UINT(m.id.slot_size, ==, 2 * PT_REC_MAX);
	CHECK_UINT(m.size, ==, good.size);
	CHECK(strcmp(m.id.host, "testhost") == 0);
	pt_rmap_close(&m);

	h->magic = 0;                       /* created, header not yet published */
	CHECK_INT(open_of("r.ptr"), ==, EAGAIN);
	h->magic = 0x12345678;
	CHECK_INT(open_of("r.ptr"), ==, EINVAL);
	*h = good;
	h->version = PT_REGION_VERSION + 1;
	CHECK_INT(open_of("r.ptr"), ==, EINVAL);
	*h = good;
	h->proto = PT_PROTO_VERSION + 1;
	CHECK_INT(open_of("r.ptr"), ==, EINVAL);

	/* geometry that does not fit the file */
	*h = good;
	h->size = good.size + PT_PAGE;
	CHECK_INT(open_of("r.ptr"), ==, EINVAL);
	*h = good;
	pt_region_geometry(h, 8, 2 * PT_REC_MAX, 64);   /* self-consistent, larger than the file */
	CHECK_INT(open_of("r.ptr"), ==, EINVAL);
	*h = good;
	h->data_off += PT_PAGE;                         /* inconsistent offsets */
	CHECK_INT(open_of("r.ptr"), ==, EINVAL);
	*h = good;
	h->ctl_off = 0;                                 /* controls over the header */
	CHECK_INT(open_of("r.ptr"), ==, EINVAL);
	*h = good;
	h->nslots = 1;
	CHECK_INT(open_of("r.ptr"), ==, EINVAL);
	*h = good;
	h->nslots = 0x40000000u;                        /* geometry that overflows */
	CHECK_INT(open_of("r.ptr"), ==, EINVAL);

	/* a slot size that is not a power of two, its geometry otherwise consistent and
	 * inside the file */
	*h = good;
	pt_region_geometry(h, 2, 3 * PT_REC_MAX, 64);
	CHECK(h->size <= good.size);
	CHECK_INT(open_of("r.ptr"), ==, EINVAL);
	/* too small for the largest record */
	*h = good;
	pt_region_geometry(h, 4, PT_REC_MAX, 64);
	CHECK_INT(open_of("r.ptr"), ==, EINVAL);

	*h = good;
	CHECK_INT(open_of("r.ptr"), ==, 0);
	drop_region("r.ptr", base, h);

	/* a file shorter than its header page: still being created */
	int fd = openat(dirfd_, "short.ptr", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, &good, sizeof good), ==, (ssize_t)sizeof good);
	close(fd);
	CHECK_INT(open_of("short.ptr"), ==, EAGAIN);
	unlinkat(dirfd_, "short.ptr", 0);
	CHECK_INT(open_of("missing.ptr"), ==, ENOENT);
}

/* ---- a producer, the way interpose/shim.c writes a record */

struct prod {
	uint8_t *ring;
	struct pt_slot *s;
	uint64_t size;
	uint64_t wraps;
};

static void prod_init(struct prod *p, void *base, struct pt_region_hdr *h, uint32_t slot)
{
	p->ring = pt_region_ring(base, h, slot);
	p->s = pt_region_slot(base, h, slot);
	p->size = h->slot_size;
	p->wraps = 0;
}

/* Write a record; publish it or leave it half-done (`writing` set, head unmoved).
 * Returns 0, or -1 when the ring has no room. */
static int produce(struct prod *p, const uint8_t *payload, uint32_t len, int publish)
{
	uint64_t head = atomic_load(&p->s->head), tail = atomic_load(&p->s->tail);
	uint64_t pos = head & (p->size - 1), need = pt_rec_span(len);
	uint64_t pad = p->size - pos < need ? p->size - pos : 0;

	if (head + pad + need - tail > p->size)
		return -1;
	atomic_store(&p->s->writing, 1);
	if (pad) {
		uint32_t wrap = PT_REC_WRAP;
		memcpy(p->ring + pos, &wrap, 4);
		pos = 0;
		p->wraps++;
	}
	memcpy(p->ring + pos, &len, 4);
	memcpy(p->ring + pos + 4, payload, len);
	if (!publish)
		return 0;
	atomic_store_explicit(&p->s->head, head + pad + need, memory_order_release);
	atomic_store(&p->s->writing, 0);
	return 0;
}

static void fill(uint8_t *b, uint32_t len, uint32_t seq)
{
	for (uint32_t i = 0; i < len; i++)
		b[i] = (uint8_t)(seq * 31 + i * 7);
	if (len >= 4)
		memcpy(b, &seq, 4);
}

struct got {
	uint32_t n;
	uint32_t next_seq;
	uint32_t expect_len[8192];
	int bad;
};

static int on_rec(void *ctx, uint32_t slot, const uint8_t *rec, uint32_t len)
{
	struct got *g = ctx;
	static uint8_t want[PT_REC_MAX];
	uint32_t seq = g->next_seq++;

	(void)slot;
	g->n++;
	if (len != g->expect_len[seq % 8192]) {
		fprintf(stderr, "record %u: length %u, expected %u\n", seq, len,
			g->expect_len[seq % 8192]);
		g->bad = 1;
		return 1;
	}
	fill(want, len, seq);
	if (memcmp(rec, want, len) != 0) {
		fprintf(stderr, "record %u (%u bytes) differs from what was written\n", seq, len);
		g->bad = 1;
		return 1;
	}
	return 0;
}

/* ---- records */

static void unpublished(void)
{
	struct pt_region_hdr *h;
	void *base = make_region("u.ptr", 2, 2 * PT_REC_MAX, &h);
	static struct got g;
	struct pt_rmap m;
	struct prod p;
	uint8_t buf[256];
	uint64_t pos = 0, corrupt = 0;

	prod_init(&p, base, h, 1);
	CHECK_INT(pt_rmap_open(dirfd_, "u.ptr", -1, &m), ==, 0);
	memset(&g, 0, sizeof g);
	g.expect_len[0] = 100;
	g.expect_len[1] = 200;
	fill(buf, 100, 0);
	CHECK_INT(produce(&p, buf, 100, 0), ==, 0);      /* written, not published */
	CHECK_UINT(pt_rmap_pending(&m, 1, pos), ==, 0);
	CHECK_INT(pt_rmap_drain(&m, 1, &pos, UINT64_MAX, on_rec, &g, &corrupt), ==, 0);
	CHECK_UINT(g.n, ==, 0);
	CHECK_UINT(pos, ==, 0);
	CHECK_UINT(corrupt, ==, 0);
	/* the writer finishes: now, and only now, it is read */
	atomic_store_explicit(&p.s->head, pt_rec_span(100), memory_order_release);
	atomic_store(&p.s->writing, 0);
	fill(buf, 200, 1);
	CHECK_INT(produce(&p, buf, 200, 0), ==, 0);      /* the next one torn by a "kill" */
	CHECK_UINT(pt_rmap_pending(&m, 1, pos), ==, pt_rec_span(100));
	CHECK_INT(pt_rmap_drain(&m, 1, &pos, UINT64_MAX, on_rec, &g, &corrupt), ==, 0);
	CHECK_INT(g.bad, ==, 0);
	CHECK_UINT(g.n, ==, 1);
	CHECK_UINT(pos, ==, pt_rec_span(100));
	CHECK_UINT(corrupt, ==, 0);
	CHECK_UINT(atomic_load(&p.s->writing), ==, 1);
	/* another slot saw nothing */
	uint64_t pos0 = 0;
	CHECK_INT(pt_rmap_drain(&m, 0, &pos0, UINT64_MAX, on_rec, &g, &corrupt), ==, 0);
	CHECK_UINT(g.n, ==, 1);
	pt_rmap_close(&m);
	drop_region("u.ptr", base, h);
}

static void wrapping(void)
{
	struct pt_region_hdr *h;
	void *base = make_region("w.ptr", 2, 2 * PT_REC_MAX, &h);
	static struct got g;
	static uint8_t buf[PT_REC_MAX];
	struct pt_rmap m;
	struct prod p;
	uint64_t pos = 0, corrupt = 0, rng = 88172645463325252ull;
	uint32_t written = 0;

	prod_init(&p, base, h, 0);
	CHECK_INT(pt_rmap_open(dirfd_, "w.ptr", -1, &m), ==, 0);
	memset(&g, 0, sizeof g);
	while (written < 3000) {
		/* fill the ring as far as it goes, then drain a part of it, then release */
		for (;;) {
			uint32_t len;
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			switch (rng % 4) {
			case 0: len = 1 + (uint32_t)(rng >> 8) % 64; break;
			case 1: len = 1 + (uint32_t)(rng >> 8) % 4096; break;
			case 2: len = PT_REC_MAX - (uint32_t)(rng >> 8) % 16; break;
			default: len = 1 + (uint32_t)(rng >> 8) % PT_REC_MAX; break;
			}
			fill(buf, len, written);
			g.expect_len[written % 8192] = len;
			if (produce(&p, buf, len, 1) < 0)
				break;
			written++;
		}
		CHECK_INT(pt_rmap_drain(&m, 0, &pos, (rng >> 20) % PT_REC_MAX + 1, on_rec, &g,
					&corrupt), ==, 0);
		CHECK_INT(g.bad, ==, 0);
		pt_rmap_release(&m, 0, pos, 1);
		CHECK_UINT(atomic_load(&p.s->tail), ==, pos);
	}
	CHECK_INT(pt_rmap_drain(&m, 0, &pos, UINT64_MAX, on_rec, &g, &corrupt), ==, 0);
	CHECK_INT(g.bad, ==, 0);
	CHECK_UINT(g.n, ==, written);
	CHECK_UINT(pos, ==, atomic_load(&p.s->head));
	CHECK_UINT(corrupt, ==, 0);
	if (p.wraps < 100) {
		fprintf(stderr, "only %llu wraps in %u records\n", (unsigned long long)p.wraps,
			written);
		exit(1);
	}
	pt_rmap_close(&m);
	drop_region("w.ptr", base, h);
}

static void corrupt_lengths(void)
{
	struct pt_region_hdr *h;
	void *base = make_region("c.ptr", 2, 2 * PT_REC_MAX, &h);
	static struct got g;
	uint8_t buf[512];
	struct pt_rmap m;
	struct prod p;
	uint64_t pos = 0, corrupt = 0, at;
	uint32_t bad;

	prod_init(&p, base, h, 0);
	CHECK_INT(pt_rmap_open(dirfd_, "c.ptr", -1, &m), ==, 0);
	memset(&g, 0, sizeof g);
	for (uint32_t i = 0; i < 8; i++)
		g.expect_len[i] = 40 + i;

	/* record 0 good, record 1's length word overwritten after it was published */
	fill(buf, 40, 0);
	CHECK_INT(produce(&p, buf, 40, 1), ==, 0);
	at = atomic_load(&p.s->head);
	fill(buf, 41, 1);
	CHECK_INT(produce(&p, buf, 41, 1), ==, 0);
	bad = PT_REC_MAX + 1;
	memcpy(p.ring + at, &bad, 4);
	CHECK_INT(pt_rmap_drain(&m, 0, &pos, UINT64_MAX, on_rec, &g, &corrupt), ==, 0);
	CHECK_INT(g.bad, ==, 0);
	CHECK_UINT(g.n, ==, 1);
	CHECK_UINT(corrupt, ==, 1);
	CHECK_UINT(pos, ==, atomic_load(&p.s->head));   /* skipped, not retried */

	/* a zero length, then one that runs past the published head */
	g.next_seq = 2;
	at = atomic_load(&p.s->head);
	fill(buf, 42, 2);
	CHECK_INT(produce(&p, buf, 42, 1), ==, 0);
	bad = 0;
	memcpy(p.ring + (at & (p.size - 1)), &bad, 4);
	CHECK_INT(pt_rmap_drain(&m, 0, &pos, UINT64_MAX, on_rec, &g, &corrupt), ==, 0);
	CHECK_UINT(g.n, ==, 1);
	CHECK_UINT(corrupt, ==, 2);
	at = atomic_load(&p.s->head);
	fill(buf, 43, 3);
	CHECK_INT(produce(&p, buf, 43, 1), ==, 0);
	bad = 400;       /* plausible, but longer than what was published */
	memcpy(p.ring + (at & (p.size - 1)), &bad, 4);
	CHECK_INT(pt_rmap_drain(&m, 0, &pos, UINT64_MAX, on_rec, &g, &corrupt), ==, 0);
	CHECK_UINT(g.n, ==, 1);
	CHECK_UINT(corrupt, ==, 3);
	CHECK_UINT(pos, ==, atomic_load(&p.s->head));

	/* later records are read normally */
	g.next_seq = 4;
	fill(buf, 44, 4);
	CHECK_INT(produce(&p, buf, 44, 1), ==, 0);
	fill(buf, 45, 5);
	CHECK_INT(produce(&p, buf, 45, 1), ==, 0);
	CHECK_INT(pt_rmap_drain(&m, 0, &pos, UINT64_MAX, on_rec, &g, &corrupt), ==, 0);
	CHECK_INT(g.bad, ==, 0);
	CHECK_UINT(g.n, ==, 3);
	CHECK_UINT(corrupt, ==, 3);

	/* a head more than a ring ahead of what was read */
	atomic_store(&p.s->head, pos + p.size + 8);
	CHECK_INT(pt_rmap_drain(&m, 0, &pos, UINT64_MAX, on_rec, &g, &corrupt), ==, 0);
	CHECK_UINT(g.n, ==, 3);
	CHECK_UINT(corrupt, ==, 4);
	/* a head behind what was read */
	uint64_t back = pos;
	atomic_store(&p.s->head, back - 8);
	CHECK_INT(pt_rmap_drain(&m, 0, &pos, UINT64_MAX, on_rec, &g, &corrupt), ==, 0);
	CHECK_UINT(corrupt, ==, 5);
	CHECK_UINT(g.n, ==, 3);
	pt_rmap_close(&m);
	drop_region("c.ptr", base, h);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/pt-consume.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(dir) != NULL);
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dirfd_ >= 0);
	headers();
	unpublished();
	wrapping();
	corrupt_lengths();
	close(dirfd_);
	rmdir(dir);
	printf("consume: all checks passed\n");
	return 0;
}
