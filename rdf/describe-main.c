/* describe-main.c — provtrace-describe (`provtrace describe`): what data and model files
 * hold, from their headers (rdf/describe.h), as item<TAB>key<TAB>value lines. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdf/describe.h"

struct out {
	const char *file;   /* a prefix column, or NULL */
	int types;
};

/* Tabs, newlines, backslashes and other control bytes escaped, so that a line is a fact */
static void put(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '\t': fputs("\\t", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				printf("\\x%02x", *p);
			else
				putchar(*p);
		}
	}
}

static int fact(void *ctx, const char *item, const char *key, int type, const char *value)
{
	static const char *const types[] = { "str", "int", "double", "bool" };
	struct out *o = ctx;

	if (o->file) {
		put(o->file);
		putchar('\t');
	}
	put(item);
	putchar('\t');
	put(key);
	putchar('\t');
	if (o->types)
		printf("%s\t", type >= 0 && type <= 3 ? types[type] : "?");
	put(value);
	putchar('\n');
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: provtrace describe [-Hht] [-f FORMAT] [--max-bytes N] [--max-ms N]\n"
	      "                          [--max-items N] FILE...\n"
	      "FORMAT: npy npz hdf5 netcdf safetensors pytorch onnx csv (default: sniffed)\n",
	      f);
}

static int number(const char *opt, const char *s, unsigned long long max,
		  unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *v == 0 || *v > max) {
		fprintf(stderr, "provtrace-describe: %s wants a number from 1 to %llu, not '%s'\n",
			opt, max, s);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "max-bytes", required_argument, NULL, 'B' },
		{ "max-ms", required_argument, NULL, 'M' },
		{ "max-items", required_argument, NULL, 'I' },
		{ "types", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct pt_dlimits lim = { 0 };
	struct out o = { 0 };
	const char *format = NULL;
	int c, names = -1, bad = 0;
	unsigned long long v;

	while ((c = getopt_long(argc, argv, "f:Hht", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'H': names = 1; break;
		case 'h': names = 0; break;
		case 't': o.types = 1; break;
		case 'B':
			if (number("--max-bytes", optarg, UINT64_MAX, &v) < 0)
				return 2;
			lim.max_bytes = v;
			break;
		case 'M':
			if (number("--max-ms", optarg, 86400000u, &v) < 0)
				return 2;
			lim.max_ms = (unsigned)v;
			break;
		case 'I':
			if (number("--max-items", optarg, 100000000u, &v) < 0)
				return 2;
			lim.max_items = (unsigned)v;
			break;
		case 'u':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (names < 0)
		names = argc - optind > 1;
	for (int i = optind; i < argc; i++) {
		char err[512];
		o.file = names ? argv[i] : NULL;
		if (pt_describe(argv[i], format, &lim, fact, &o, err, sizeof err) < 0) {
			fflush(stdout);
			fprintf(stderr, "provtrace-describe: %s: %s\n", argv[i], err);
			bad = 1;
		}
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "provtrace-describe: writing the output: %s\n", strerror(errno));
		return 1;
	}
	return bad;
}
