/* graph.c — provtrace-graph (`provtrace graph`): the lineage of one file as a picture in
 * PROV's conventions, laid out by Graphviz, as SVG, PNG or DOT (lgraph.c draws it). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lgraph.h"
#include "runset.h"

#define PROG "provtrace graph"

static struct pt_runset rs;

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace graph [--ancestors|--descendants] [--depth N] [--all] "
		   "PATH RUNDIR -o FILE.svg|FILE.dot|FILE.png\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ancestors", no_argument, 0, 'a' }, { "descendants", no_argument, 0, 'd' },
		{ "depth", required_argument, 0, 'n' }, { "all", no_argument, 0, 'A' },
		{ "output", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0 }
	};
	unsigned max_depth = ~0u;
	const char *out = NULL, *ext, *format;
	char path[8192], *tmp = NULL;
	size_t plen;
	int c, r, back = 1, fd = -1, rc = 1, all = 0;
	FILE *f = NULL;
	pt_lgraph *g = NULL;

	while ((c = getopt_long(argc, argv, "adn:Ao:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': back = 1; break;
		case 'd': back = 0; break;
		case 'n': max_depth = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'A': all = 1; break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 2 != argc || !out) {
		usage(stderr);
		return 2;
	}
	ext = strrchr(out, '.');
	if (ext && !strcmp(ext, ".svg"))
		format = "svg";
	else if (ext && !strcmp(ext, ".png"))
		format = "png";
	else if (ext && !strcmp(ext, ".dot"))
		format = "dot";
	else {
		fprintf(stderr, PROG ": %s: the output's name must end in .svg, .png or .dot\n", out);
		return 2;
	}
	if (!(plen = pt_path_normalise(argv[optind], path, sizeof path))) {
		fprintf(stderr, PROG ": path too long: %s\n", argv[optind]);
		return 2;
	}
	if ((r = pt_runset_open(argv[optind + 1], &rs))) {
		fprintf(stderr, PROG ": %s: %s\n", argv[optind + 1],
			r == ENOENT ? "not a run directory (no node store)" : pt_strerror(r));
		return 1;
	}
	if (rs.nmissing) {
		char names[1024];
		fprintf(stderr, PROG ": warning: the record of %s is incomplete: no store for "
			"node%s %s, which run.json lists\n", argv[optind + 1],
			rs.nmissing == 1 ? "" : "s", pt_runset_missing(&rs, names, sizeof names));
	}
	/* the output is written next to its final name and renamed into place: no partial
	 * file, whatever fails */
	if (!(tmp = malloc(strlen(out) + 8)))
		abort();
	sprintf(tmp, "%s.XXXXXX", out);
	if ((fd = mkstemp(tmp)) < 0 || !(f = fdopen(fd, "w"))) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", out, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		goto out;
	}
	mode_t mask = umask(0);   /* mkstemp makes it 0600: give it what open(2) would */
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	g = pt_lgraph_new(&rs, all);
	if (pt_lgraph_walk(g, (const uint8_t *)path, plen, back, max_depth)) {
		fprintf(stderr, PROG ": %s: not in the run's provenance\n", path);
		goto fail;
	}
	if (pt_lgraph_write(g, format, f)) {
		fprintf(stderr, PROG ": %s: Graphviz could not draw the graph as %s\n", out, format);
		goto fail;
	}
	if (fflush(f) || ferror(f) || fsync(fd)) {
		fprintf(stderr, PROG ": %s: %s\n", out, strerror(errno));
		goto fail;
	}
	if (fclose(f)) {
		f = NULL;
		fprintf(stderr, PROG ": %s: %s\n", out, strerror(errno));
		unlink(tmp);
		goto out;
	}
	f = NULL;
	if (rename(tmp, out)) {
		fprintf(stderr, PROG ": %s: %s\n", out, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
	goto out;
fail:
	fclose(f);
	f = NULL;
	unlink(tmp);
out:
	pt_lgraph_free(g);
	free(tmp);
	pt_runset_close(&rs);
	return rc;
}
