/* stat.c — provtrace-stat (`provtrace stat`): what a run recorded, from its node stores
 * alone: processes, files, bytes, events and what was lost or could not be seen. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runset.h"
#include "sets.h"

struct totals {
	uint64_t procs, exited, died, execed, running;
	uint64_t events, dropped, torn, corrupt, gaps;
	uint64_t bytes_read, bytes_written, ipc_bytes;
	struct pt_strset files, files_read, files_written;
	int have_top;
	int32_t top_status;
};

static int count_proc(void *ctx, const struct pt_proc_rec *p)
{
	struct totals *t = ctx;

	t->procs++;
	switch (p->end_state) {
	case PT_END_EXITED: t->exited++; break;
	case PT_END_DIED: t->died++; break;
	case PT_END_EXECED: t->execed++; break;
	default: t->running++; break;
	}
	return 0;
}

struct use_ctx {
	struct totals *t;
	pt_store *st;
};

static int count_use(void *ctx, uint32_t obj, uint32_t proc, uint64_t sid,
		     const struct pt_use_rec *u)
{
	struct use_ctx *c = ctx;
	const uint8_t *name;
	size_t len;
	uint32_t kind;

	(void)proc;
	(void)sid;
	if (u->kind != PT_KIND_FILE || pt_store_obj_name(c->st, obj, &name, &len, &kind))
		return 0;
	/* the same path on two nodes of a shared file system is one file */
	pt_strset_add(&c->t->files, name, len);
	if (u->dirs & PT_USE_READ)
		pt_strset_add(&c->t->files_read, name, len);
	if (u->dirs & PT_USE_WRITE)
		pt_strset_add(&c->t->files_written, name, len);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace stat [--json] RUNDIR\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, 0, 'j' }, { "help", no_argument, 0, 'h' }, { 0 }
	};
	static struct pt_runset rs;
	struct totals t = { 0 };
	int c, json = 0, r;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	if ((r = pt_runset_open(argv[optind], &rs))) {
		fprintf(stderr, "provtrace stat: %s: %s\n", argv[optind],
			r == ENOENT ? "no node store in this run directory" : pt_strerror(r));
		return 1;
	}
	for (size_t i = 0; i < rs.n; i++) {
		struct pt_counters k;
		struct use_ctx uc = { &t, rs.st[i] };
		int32_t top[2];
		size_t n = sizeof top;

		if ((r = pt_store_counters(rs.st[i], &k)) ||
		    (r = pt_store_each_proc(rs.st[i], count_proc, &t)) ||
		    (r = pt_store_each_use(rs.st[i], 0, count_use, &uc))) {
			fprintf(stderr, "provtrace stat: %s: %s\n", rs.name[i], pt_strerror(r));
			return 1;
		}
		t.events += k.events;
		t.dropped += k.dropped;
		t.torn += k.torn;
		t.corrupt += k.corrupt;
		t.gaps += k.gaps;
		t.bytes_read += k.bytes_read;
		t.bytes_written += k.bytes_written;
		t.ipc_bytes += k.ipc_bytes;
		if (pt_store_meta_get(rs.st[i], "top", top, &n) == 0 && n == sizeof top) {
			t.have_top = 1;
			t.top_status = top[1];
		}
	}
	uint64_t lost = t.dropped + t.torn + t.corrupt;
	if (json) {
		printf("{\"processes\":%llu,\"files\":%zu,\"bytes_read\":%llu,\"bytes_written\":%llu,"
		       "\"events\":%llu,\"dropped\":%llu,\"gaps\":%llu,"
		       "\"files_read\":%zu,\"files_written\":%zu,\"ipc_bytes\":%llu,"
		       "\"dropped_in_process\":%llu,\"torn\":%llu,\"corrupt\":%llu,"
		       "\"exited\":%llu,\"killed\":%llu,\"execed\":%llu,\"running\":%llu,\"nodes\":%zu}\n",
		       (unsigned long long)t.procs, t.files.n, (unsigned long long)t.bytes_read,
		       (unsigned long long)t.bytes_written, (unsigned long long)t.events,
		       (unsigned long long)lost, (unsigned long long)t.gaps, t.files_read.n,
		       t.files_written.n, (unsigned long long)t.ipc_bytes,
		       (unsigned long long)t.dropped, (unsigned long long)t.torn,
		       (unsigned long long)t.corrupt, (unsigned long long)t.exited,
		       (unsigned long long)t.died, (unsigned long long)t.execed,
		       (unsigned long long)t.running, rs.n);
	} else {
		printf("run        %s (%zu node%s)\n", argv[optind], rs.n, rs.n == 1 ? "" : "s");
		printf("processes  %llu: %llu exited, %llu replaced by exec, %llu killed, %llu still "
		       "running at the end\n",
		       (unsigned long long)t.procs, (unsigned long long)t.exited,
		       (unsigned long long)t.execed, (unsigned long long)t.died,
		       (unsigned long long)t.running);
		if (t.have_top) {
			int st = t.top_status;
			if ((st & 0x7f) == 0)
				printf("job        exited with status %d\n", (st >> 8) & 0xff);
			else
				printf("job        killed by signal %d\n", st & 0x7f);
		}
		printf("files      %zu (%zu read, %zu written)\n", t.files.n, t.files_read.n,
		       t.files_written.n);
		printf("bytes      %llu read, %llu written through files; %llu through pipes and "
		       "sockets\n",
		       (unsigned long long)t.bytes_read, (unsigned long long)t.bytes_written,
		       (unsigned long long)t.ipc_bytes);
		printf("events     %llu stored, %llu lost (%llu dropped in processes, %llu torn, "
		       "%llu corrupt)\n",
		       (unsigned long long)t.events, (unsigned long long)lost,
		       (unsigned long long)t.dropped, (unsigned long long)t.torn,
		       (unsigned long long)t.corrupt);
		printf("gaps       %llu%s\n", (unsigned long long)t.gaps,
		       t.gaps ? " (what the shim could not see: provtrace export lists them)" : "");
	}
	pt_strset_free(&t.files);
	pt_strset_free(&t.files_read);
	pt_strset_free(&t.files_written);
	pt_runset_close(&rs);
	return 0;
}
