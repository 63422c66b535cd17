/* fuzz-record.c — libFuzzer target for everything the collector does with bytes a
 * traced process wrote: the slot reader (length words, wrap markers), the record parser
 * and the store's ingest of each record.  Input: a slot's ring contents. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/consume.h"
#include "collector/event.h"
#include "collector/store.h"

static pt_store *st;
static FILE *devnull;

static int on_record(void *ctx, uint32_t slot, const uint8_t *rec, uint32_t len)
{
	struct pt_ev ev;

	(void)ctx;
	(void)slot;
	if (pt_ev_parse(rec, len, &ev) == 0)
		pt_ev_json(devnull, &ev, NULL);
	pt_store_event(st, 1, rec, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *base;
	static struct pt_region_hdr geo;
	struct pt_rmap m;
	uint64_t pos = 0, corrupt = 0;

	if (!st) {
		char path[] = "/tmp/pt-fuzz.XXXXXX";
		int fd = mkstemp(path);
		struct pt_ident id = { .pid = 42, .ppid = 1, .start_ns = 1 };
		uint32_t proc;

		close(fd);
		unlink(path);
		devnull = fopen("/dev/null", "w");
		if (pt_store_open(path, PT_STORE_CREATE, &st) || pt_store_begin(st) ||
		    pt_store_proc_add(st, &id, &proc) || pt_store_commit(st))
			abort();
		pt_region_geometry(&geo, 2, 2 * PT_REC_MAX, 8);
		base = calloc(1, geo.size);
	}
	if (size > geo.slot_size)
		size = geo.slot_size;
	/* a one-slot region whose ring holds the input, all of it published */
	memset(&m, 0, sizeof m);
	m.base = base;
	m.size = geo.size;
	m.hdr = (struct pt_region_hdr *)base;
	m.id = geo;
	m.fd = -1;
	memcpy(pt_region_ring(base, &geo, 0), data, size);
	atomic_store(&pt_region_slot(base, &geo, 0)->head, size);
	if (pt_store_begin(st))
		abort();
	pt_rmap_drain(&m, 0, &pos, UINT64_MAX, on_record, NULL, &corrupt);
	int done;
	pt_store_index(st, UINT64_MAX, &done);   /* the indexer's parse and apply too */
	pt_store_abort(st);   /* every input starts from the same store */
	memset(pt_region_ring(base, &geo, 0), 0, size);
	return 0;
}
