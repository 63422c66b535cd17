/* lineage.c — provtrace-lineage (`provtrace lineage`): the files a file came from, or the
 * files made from it, transitively, straight from the stores' indices (Redland's SPARQL
 * has no property paths).  The walk itself is in walk.c. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "runset.h"
#include "sets.h"
#include "walk.h"

static struct pt_strset out;

static void add_file(void *ctx, const uint8_t *name, size_t len)
{
	(void)ctx;
	pt_strset_add(&out, name, len);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace lineage [--ancestors|--descendants] [--depth N] [--all] [-0] "
		   "[--hash] PATH RUNDIR\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ancestors", no_argument, 0, 'a' }, { "descendants", no_argument, 0, 'd' },
		{ "depth", required_argument, 0, 'n' }, { "all", no_argument, 0, 'A' },
		{ "null", no_argument, 0, '0' }, { "hash", no_argument, 0, 'H' },
		{ "help", no_argument, 0, 'h' }, { 0 }
	};
	const struct pt_walk_cb cb = { add_file, NULL, NULL };
	struct pt_runset rs;
	unsigned max_depth = ~0u;
	char path[8192], sep = '\n';
	size_t plen;
	int c, r, back = 1, all = 0, hash = 0;

	while ((c = getopt_long(argc, argv, "adn:A0Hh", opts, NULL)) != -1) {
		switch (c) {
		case 'a': back = 1; break;
		case 'd': back = 0; break;
		case 'n': max_depth = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'A': all = 1; break;
		case '0': sep = 0; break;
		case 'H': hash = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 2 != argc) {
		usage(stderr);
		return 2;
	}
	if (!(plen = pt_path_normalise(argv[optind], path, sizeof path))) {
		fprintf(stderr, "provtrace lineage: path too long: %s\n", argv[optind]);
		return 2;
	}
	if ((r = pt_runset_open(argv[optind + 1], &rs))) {
		fprintf(stderr, "provtrace lineage: %s: %s\n", argv[optind + 1],
			r == ENOENT ? "no node store in this run directory" : pt_strerror(r));
		return 1;
	}
	if (rs.nmissing) {
		char names[1024];
		fprintf(stderr, "provtrace lineage: warning: the record of %s is incomplete: no store "
			"for node%s %s, which run.json lists; links through %s are not known\n",
			argv[optind + 1], rs.nmissing == 1 ? "" : "s",
			pt_runset_missing(&rs, names, sizeof names), rs.nmissing == 1 ? "it" : "them");
	}
	pt_live_say("provtrace lineage", &rs);
	if (pt_walk(&rs, (const uint8_t *)path, plen, back, max_depth, all, &cb)) {
		fprintf(stderr, "provtrace lineage: %s: not in the run's provenance\n", path);
		pt_runset_close(&rs);
		return 1;
	}
	struct pt_str *v = pt_strset_sorted(&out);
	for (size_t i = 0; i < out.n; i++) {
		if (hash) {   /* the content of the file's latest version in the run */
			char h[PT_HASH_STR];
			pt_content_latest(&rs, (const char *)v[i].p, v[i].len, 0, h);
			printf("%s\t", h);
		}
		fwrite(v[i].p, 1, v[i].len, stdout);
		putchar(sep);
	}
	free(v);
	pt_strset_free(&out);
	pt_runset_close(&rs);
	return 0;
}
