/* consume.c — mapping regions and reading their slots (see consume.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "consume.h"
#include "protocol.h"
#include "wire.h"

static int geometry_ok(const struct pt_region_hdr *h, uint64_t file_size)
{
	struct pt_region_hdr g;

	if (h->nslots < 2 || h->nslots > 1024 || h->nsess > (1u << 20) ||
	    h->slot_size < 2 * PT_REC_MAX || h->slot_size > (1u << 30) ||
	    (h->slot_size & (h->slot_size - 1)))
		return 0;
	pt_region_geometry(&g, h->nslots, h->slot_size, h->nsess);
	return g.ctl_off == h->ctl_off && g.sess_off == h->sess_off &&
	       g.data_off == h->data_off && g.size == h->size && h->size <= file_size;
}

int pt_rmap_open(int dirfd, const char *name, int fd, struct pt_rmap *m)
{
	struct pt_region_hdr h;
	struct stat st;
	void *base;
	int own = 0, err;

	memset(m, 0, sizeof *m);
	m->fd = -1;
	if (fd < 0) {
		fd = openat(dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return errno;
		own = 1;
	}
	if (fstat(fd, &st) < 0) {
		err = errno;
		goto fail;
	}
	err = EINVAL;
	if (!S_ISREG(st.st_mode))
		goto fail;
	if ((uint64_t)st.st_size < PT_PAGE) {
		err = EAGAIN;
		goto fail;
	}
	if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) {
		err = EAGAIN;
		goto fail;
	}
	if (h.magic == 0) {
		err = EAGAIN;        /* created, header not yet published */
		goto fail;
	}
	if (h.magic != PT_REGION_MAGIC || h.version != PT_REGION_VERSION ||
	    h.proto != PT_PROTO_VERSION || !geometry_ok(&h, (uint64_t)st.st_size))
		goto fail;
	base = mmap(NULL, h.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		err = errno;
		goto fail;
	}
	m->fd = own ? fd : dup(fd);
	m->base = base;
	m->size = h.size;
	m->hdr = base;
	m->id = h;
	m->id.host[PT_HOST_MAX - 1] = 0;
	snprintf(m->name, sizeof m->name, "%s", name);
	if (own && m->fd != fd)
		close(fd);
	return 0;
fail:
	if (own)
		close(fd);
	return err;
}

void pt_rmap_close(struct pt_rmap *m)
{
	if (m->base)
		munmap(m->base, m->size);
	if (m->fd >= 0)
		close(m->fd);
	m->base = NULL;
	m->fd = -1;
}

static struct pt_slot *slot_of(const struct pt_rmap *m, uint32_t i)
{
	return pt_region_slot(m->base, &m->id, i);
}

uint64_t pt_rmap_pending(const struct pt_rmap *m, uint32_t slot, uint64_t pos)
{
	uint64_t head = atomic_load_explicit(&slot_of(m, slot)->head, memory_order_acquire);

	return head > pos ? head - pos : 0;
}

int pt_rmap_drain(struct pt_rmap *m, uint32_t slot, uint64_t *pos, uint64_t budget,
		  pt_rec_fn fn, void *ctx, uint64_t *corrupt)
{
	static uint8_t buf[PT_REC_MAX];
	const uint64_t size = m->id.slot_size, mask = size - 1;
	const uint8_t *ring = pt_region_ring(m->base, &m->id, slot);
	uint64_t head = atomic_load_explicit(&slot_of(m, slot)->head, memory_order_acquire);
	uint64_t p = *pos, stop;
	int r = 0;

	/* a head more than a ring ahead of what was read cannot come from a correct producer */
	if (head < p || head - p > size) {
		(*corrupt)++;
		*pos = head;
		return 0;
	}
	stop = head - p > budget ? p + budget : head;
	while (p < stop) {
		uint64_t off = p & mask;
		uint32_t len;

		memcpy(&len, ring + off, 4);
		if (len == PT_REC_WRAP) {
			p += size - off;
			continue;
		}
		if (len == 0 || len > PT_REC_MAX || off + pt_rec_span(len) > size ||
		    p + pt_rec_span(len) > head) {
			(*corrupt)++;
			p = head;
			break;
		}
		memcpy(buf, ring + off + 4, len);
		r = fn(ctx, slot, buf, len);
		if (r)
			break;
		p += pt_rec_span(len);
	}
	*pos = p;
	return r;
}

static void punch(int fd, uint64_t off, uint64_t len)
{
	if (len)
		fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len);
}

int pt_rmap_release(struct pt_rmap *m, uint32_t slot, uint64_t pos, int force)
{
	struct pt_slot *s = slot_of(m, slot);
	const uint64_t size = m->id.slot_size;
	uint64_t old = atomic_load_explicit(&s->tail, memory_order_relaxed);
	uint64_t head = atomic_load_explicit(&s->head, memory_order_relaxed);

	if (pos <= old)
		return 0;
	/* Hand space back in steps of a MiB (or when the producer needs it), so that the
	 * pages consumed can go back to the file system whole. */
	if (!force && pos - old < (1u << 20) && head - old < size / 2)
		return 0;
	/* Only [old, pos) is safe to punch: the producer may already have reused the ring
	 * offsets of positions before the published tail `old`. */
	uint64_t a = (old + PT_PAGE - 1) & ~(uint64_t)(PT_PAGE - 1);
	uint64_t b = pos & ~(uint64_t)(PT_PAGE - 1);
	if (b > a) {
		uint64_t data = m->id.data_off + (uint64_t)slot * size;
		uint64_t ao = a & (size - 1), len = b - a;

		if (ao + len <= size) {
			punch(m->fd, data + ao, len);
		} else {
			punch(m->fd, data + ao, size - ao);
			punch(m->fd, data, len - (size - ao));
		}
	}
	atomic_store_explicit(&s->tail, pos, memory_order_release);
	return 1;
}

/* ---- the MPI counters an image left */

int pt_mpi_side_name(const char *name, char *out, size_t n)
{
	size_t len = strlen(name), sl = strlen(PT_REGION_SUFFIX);

	if (len >= sl && !strcmp(name + len - sl, PT_REGION_SUFFIX))
		len -= sl;
	if ((size_t)snprintf(out, n, "%.*s" PT_MPI_SIDE_SUFFIX, (int)len, name) >= n)
		return ENAMETOOLONG;
	return 0;
}

static int side_emit(pt_rec_fn fn, void *ctx, int type, uint64_t ts, const int64_t *f,
		     unsigned nf)
{
	uint8_t buf[128];
	struct pt_mpw w;

	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 2 + nf);
	pt_mpw_uint(&w, (uint64_t)type);
	pt_mpw_uint(&w, ts);
	for (unsigned i = 0; i < nf; i++)
		pt_mpw_int(&w, f[i]);
	return fn(ctx, 0, buf, (uint32_t)(w.p - buf));
}

int pt_mpi_side_replay(int dirfd, const char *name, uint64_t ts, pt_rec_fn fn, void *ctx)
{
	char side[256];
	struct pt_mpi_side g;
	struct stat sb;
	int fd, err = 0;
	char *base;

	if ((err = pt_mpi_side_name(name, side, sizeof side)))
		return err;
	if ((fd = openat(dirfd, side, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return errno == ENOENT ? 0 : errno;
	if (fstat(fd, &sb) < 0 || (uint64_t)sb.st_size < PT_PAGE) {
		close(fd);
		return EINVAL;
	}
	base = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED)
		return errno;
	const struct pt_mpi_side *h = (const void *)base;
	if (atomic_load_explicit(&h->magic, memory_order_acquire) != PT_MPI_SIDE_MAGIC ||
	    pt_mpi_side_geometry(&g, h->size) != h->file_size || g.comm_off != h->comm_off ||
	    g.p2p_off != h->p2p_off || g.file_size > (uint64_t)sb.st_size) {
		munmap(base, (size_t)sb.st_size);
		return EINVAL;
	}
	const struct pt_mpi_agg *p2p = (const void *)(base + g.p2p_off);
	for (uint64_t i = 0; !err && i < (uint64_t)(PT_MPI_P2P_OPS - 1) * g.size; i++) {
		const struct pt_mpi_agg *a = &p2p[i];
		int64_t f[] = { (int64_t)(i % g.size), (int64_t)(i / g.size + 1), (int64_t)a->n,
				(int64_t)a->bytes, (int64_t)a->first };
		if (a->n > a->flushed)
			err = side_emit(fn, ctx, PT_EV_MPI_P2P, ts, f, 5);
	}
	const struct pt_mpi_side_comm *c = (const void *)(base + g.comm_off);
	for (unsigned i = 0; !err && i < PT_MPI_NCOMM; i++) {
		uint32_t id1 = atomic_load_explicit(&c[i].id1, memory_order_acquire);
		for (unsigned op = 1; id1 && !err && op < PT_MPI_COLL_OPS; op++) {
			for (unsigned s = 0; !err && s < PT_MPI_ROOTS; s++) {
				const struct pt_mpi_cagg *a = &c[i].agg[op][s];
				int64_t root = s < PT_MPI_ROOTS - 1 && a->rootp1 ? (int64_t)a->rootp1 - 1 : -1;
				int64_t f[] = { id1 - 1, op, root, (int64_t)a->calls, (int64_t)a->sent,
						(int64_t)a->recvd, (int64_t)a->first };
				if (a->calls > a->flushed)
					err = side_emit(fn, ctx, PT_EV_MPI_COLL, ts, f, 7);
			}
		}
	}
	munmap(base, (size_t)sb.st_size);
	return err;
}
