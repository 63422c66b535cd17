/* mkregion.c — writes a region file the way a producer would, with chosen defects, for
 * the tests of what the collector does with a corrupt or torn region (RELIABILITY 14,
 * 18) and of how it tells a reused pid apart.  Built from region.h and wire.h, so it
 * follows the layout wherever it goes. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "collector/protocol.h"
#include "collector/region.h"
#include "collector/wire.h"

static uint8_t *base;
static struct pt_region_hdr *h;

/* Append a record with this payload to slot i; publish it unless `torn`. */
static void put(uint32_t slot, const uint8_t *payload, uint32_t len, int torn, uint32_t lenword)
{
	struct pt_slot *s = pt_region_slot(base, h, slot);
	uint8_t *ring = pt_region_ring(base, h, slot);
	uint64_t head = atomic_load(&s->head);

	memcpy(ring + head, &lenword, 4);
	memcpy(ring + head + 4, payload, len);
	if (torn)
		atomic_store(&s->writing, 1);
	else
		atomic_store(&s->head, head + pt_rec_span(len));
}

static uint32_t gap(uint8_t *buf, const char *detail)
{
	struct pt_mpw w;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	pt_mpw_init(&w, buf, 256);
	pt_mpw_array(&w, 4);
	pt_mpw_uint(&w, PT_EV_GAP);
	pt_mpw_uint(&w, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	pt_mpw_uint(&w, 99);
	pt_mpw_bin(&w, detail, strlen(detail));
	return (uint32_t)(w.p - buf);
}

int main(int argc, char **argv)
{
	struct pt_region_hdr g = { 0 };
	uint8_t rec[256];
	uint64_t size;
	uint32_t n;
	char path[4096];
	int fd;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: mkregion DIR PID START_NS [BOOT_MS]\n");
		return 2;
	}
	size = pt_region_geometry(&g, 4, 4 * PT_REC_MAX, 64);
	snprintf(path, sizeof path, "%s/testhost.%s.%s" PT_REGION_SUFFIX, argv[1], argv[2], argv[3]);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		perror(path);
		return 1;
	}
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		return 1;
	h = (struct pt_region_hdr *)base;
	*h = g;
	h->version = PT_REGION_VERSION;
	h->proto = PT_PROTO_VERSION;
	h->pid = atoi(argv[2]);
	h->ppid = 1;
	h->uid = (uint32_t)getuid();
	h->gid = (uint32_t)getgid();
	h->start_ns = strtoull(argv[3], NULL, 10);
	if (argc == 5) {
		/* the image began BOOT_MS from now (CLOCK_BOOTTIME, the clock of /proc's
		 * starttime): what the collector tells a reused pid by */
		struct timespec bt;
		clock_gettime(CLOCK_BOOTTIME, &bt);
		h->start_boot_ns = (uint64_t)((int64_t)bt.tv_sec * 1000000000 + bt.tv_nsec +
					      strtoll(argv[4], NULL, 10) * 1000000);
	}
	strcpy(h->host, "testhost");
	atomic_store(&h->state, PT_RS_RUNNING);

	/* slot 0: two good records, then a length word no producer writes */
	n = gap(rec, "slot0-a");
	put(0, rec, n, 0, n);
	n = gap(rec, "slot0-b");
	put(0, rec, n, 0, n);
	put(0, rec, n, 0, PT_REC_MAX + 1);
	/* slot 1: a record that is not msgpack, then a good one */
	memset(rec, 0xc1, 8);
	put(1, rec, 8, 0, 8);
	n = gap(rec, "slot1-c");
	put(1, rec, n, 0, n);
	/* slot 2: a record its writer died writing */
	n = gap(rec, "slot2-torn");
	put(2, rec, n, 1, n);
	atomic_store(&h->magic, PT_REGION_MAGIC);
	munmap(base, size);
	close(fd);
	puts(path);
	return 0;
}
