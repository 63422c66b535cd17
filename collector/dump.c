/* dump.c — provtrace-dump: print the records of region files as JSON lines, for
 * debugging the transport and for the tests that check what the shim wrote. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consume.h"
#include "event.h"
#include "store.h"

static int print_rec(void *ctx, uint32_t slot, const uint8_t *rec, uint32_t len)
{
	struct pt_ev ev;
	uint64_t *bad = ctx;

	(void)slot;
	if (pt_ev_parse(rec, len, &ev)) {
		(*bad)++;
		return 0;
	}
	pt_ev_json(stdout, &ev, NULL);
	return 0;
}

static int dump_region(const char *path, int header_only)
{
	struct pt_rmap m;
	uint64_t corrupt = 0, bad = 0;
	int r;

	r = pt_rmap_open(AT_FDCWD, path, -1, &m);
	if (r) {
		fprintf(stderr, "provtrace-dump: %s: %s\n", path,
			r == EINVAL ? "not a provtrace region" : strerror(r));
		return 1;
	}
	struct pt_region_hdr *h = m.hdr;
	printf("{\"type\":\"REGION\",\"host\":");
	pt_json_bytes(stdout, (const uint8_t *)m.id.host, strnlen(m.id.host, PT_HOST_MAX));
	printf(",\"pid\":%d,\"ppid\":%d,\"uid\":%u,\"start_ns\":%llu,\"parent_start_ns\":%llu,"
	       "\"state\":%u,\"exit_status\":%d,\"end_ns\":%llu,\"dropped\":%llu,\"sess_hi\":%u}\n",
	       m.id.pid, m.id.ppid, m.id.uid, (unsigned long long)m.id.start_ns,
	       (unsigned long long)m.id.parent_start_ns, atomic_load(&h->state), h->exit_status,
	       (unsigned long long)atomic_load(&h->end_ns),
	       (unsigned long long)atomic_load(&h->dropped), atomic_load(&h->sess_hi));
	if (header_only)
		goto out;
	for (uint32_t i = 0; i < m.id.nslots; i++) {
		struct pt_slot *s = pt_region_slot(m.base, &m.id, i);
		uint64_t pos = atomic_load(&s->tail);
		pt_rmap_drain(&m, i, &pos, UINT64_MAX, print_rec, &bad, &corrupt);
		if (atomic_load(&s->writing))
			printf("{\"type\":\"TORN\",\"slot\":%u}\n", i);
	}
	/* sessions still open in the table */
	struct pt_sess *sess = pt_region_sess(m.base, &m.id);
	uint32_t hi = atomic_load(&h->sess_hi);
	for (uint32_t fd = 0; fd < hi && fd < m.id.nsess; fd++) {
		uint64_t sid = atomic_load(&sess[fd].sid);
		struct pt_sess_totals t;
		if (!sid)
			continue;
		pt_sess_totals(&sess[fd], &t);   /* every thread's counts */
		printf("{\"type\":\"OPEN_SESSION\",\"fd\":%u,\"sid\":%llu,\"kind\":%u,"
		       "\"rbytes\":%llu,\"rops\":%llu,\"wbytes\":%llu,\"wops\":%llu,"
		       "\"rmax\":%llu,\"wmax\":%llu}\n",
		       fd, (unsigned long long)sid, sess[fd].kind,
		       (unsigned long long)t.rbytes, (unsigned long long)t.rops,
		       (unsigned long long)t.wbytes, (unsigned long long)t.wops,
		       (unsigned long long)t.rmax, (unsigned long long)t.wmax);
	}
	if (corrupt || bad)
		printf("{\"type\":\"CORRUPT\",\"slots\":%llu,\"records\":%llu}\n",
		       (unsigned long long)corrupt, (unsigned long long)bad);
out:
	pt_rmap_close(&m);
	return 0;
}

static int print_log(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	struct pt_ev ev;

	(void)ctx;
	if (pt_ev_parse(rec, len, &ev)) {
		printf("{\"seq\":%llu,\"proc\":%u,\"type\":\"CORRUPT\"}\n",
		       (unsigned long long)seq, proc);
		return 0;
	}
	char extra[64];
	snprintf(extra, sizeof extra, "\"seq\":%llu,\"proc\":%u", (unsigned long long)seq, proc);
	pt_ev_json(stdout, &ev, extra);
	return 0;
}

static int dump_log(const char *path)
{
	pt_store *st;
	int r = pt_store_open(path, PT_STORE_RDONLY | PT_STORE_ASIS, &st);

	if (r) {
		fprintf(stderr, "provtrace-dump: %s: %s\n", path, pt_strerror(r));
		return 1;
	}
	r = pt_store_each_log(st, 0, print_log, NULL);
	pt_store_close(st);
	return r ? 1 : 0;
}

int main(int argc, char **argv)
{
	int header = 0, rc = 0, i = 1, log = 0;

	if (argc > 1 && strcmp(argv[1], "--header") == 0) {
		header = 1;
		i++;
	} else if (argc > 1 && strcmp(argv[1], "--log") == 0) {
		log = 1;
		i++;
	}
	if (i >= argc || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
		fprintf(i >= argc ? stderr : stdout,
			"usage: provtrace-dump [--header] REGION.ptr...\n"
			"       provtrace-dump --log STORE.mdb...\n");
		return i >= argc ? 2 : 0;
	}
	for (; i < argc; i++)
		rc |= log ? dump_log(argv[i]) : dump_region(argv[i], header);
	return rc;
}
