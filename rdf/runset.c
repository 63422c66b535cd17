/* runset.c — opening every node store of a run (see runset.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/pathnorm.h"
#include "runset.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pt_runset_open(const char *path, struct pt_runset *rs)
{
	return pt_runset_open_as(path, 0, rs);
}

int pt_runset_open_as(const char *path, unsigned flags, struct pt_runset *rs)
{
	char nodes[4096], file[8192];
	struct stat sb;
	struct dirent *e;
	char **names = NULL;
	size_t nn = 0, cap = 0;
	DIR *d;
	int r = 0;

	memset(rs, 0, sizeof *rs);
	if (stat(path, &sb) < 0)
		return errno;
	if (S_ISREG(sb.st_mode)) {
		if ((r = pt_store_open(path, PT_STORE_RDONLY | flags, &rs->st[0])))
			return r;
		const char *base = strrchr(path, '/');
		rs->name[0] = strdup(base ? base + 1 : path);
		rs->n = 1;
		return 0;
	}
	snprintf(rs->dir, sizeof rs->dir, "%s", path);
	snprintf(nodes, sizeof nodes, "%s/nodes", path);
	if (!(d = opendir(nodes)))
		return errno == ENOENT ? ENOENT : errno;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l <= 4 || strcmp(e->d_name + l - 4, ".mdb") != 0 || e->d_name[0] == '.')
			continue;
		if (nn == cap) {
			cap = cap ? cap * 2 : 16;
			char **nb = realloc(names, cap * sizeof *names);
			if (!nb) {
				r = ENOMEM;
				break;
			}
			names = nb;
		}
		names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	if (!r && nn == 0)
		r = ENOENT;
	if (!r)
		qsort(names, nn, sizeof *names, by_name);
	for (size_t i = 0; !r && i < nn && i < PT_RUNSET_MAX; i++) {
		snprintf(file, sizeof file, "%s/%s", nodes, names[i]);
		if ((r = pt_store_open(file, PT_STORE_RDONLY | flags, &rs->st[rs->n])))
			break;
		names[i][strlen(names[i]) - 4] = 0;
		rs->name[rs->n++] = names[i];
		names[i] = NULL;
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (r)
		pt_runset_close(rs);
	return r;
}

void pt_runset_close(struct pt_runset *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		pt_store_close(rs->st[i]);
		free(rs->name[i]);
	}
	rs->n = 0;
}

size_t pt_path_normalise(const char *in, char *out, size_t outsz)
{
	size_t n = 0, len = strlen(in);

	if (in[0] != '/') {
		if (!getcwd(out, outsz))
			return 0;
		n = strlen(out);
		if (n + 1 >= outsz)
			return 0;
		out[n++] = '/';
	}
	if (n + len >= outsz)
		return 0;
	memcpy(out + n, in, len + 1);
	return pt_path_lexical(out, n + len);
}

int pt_runset_counters(const struct pt_runset *rs, struct pt_counters *sum)
{
	int err = 0;

	memset(sum, 0, sizeof *sum);
	for (size_t i = 0; i < rs->n; i++) {
		struct pt_counters c;
		int r = pt_store_counters(rs->st[i], &c);

		if (r) {              /* the others still add up; the first error is returned */
			if (!err)
				err = r;
			continue;
		}
		sum->events += c.events;
		sum->procs += c.procs;
		sum->files += c.files;
		sum->sessions += c.sessions;
		sum->bytes_read += c.bytes_read;
		sum->bytes_written += c.bytes_written;
		sum->dropped += c.dropped;
		sum->torn += c.torn;
		sum->corrupt += c.corrupt;
		sum->gaps += c.gaps;
		sum->ipc_bytes += c.ipc_bytes;
	}
	return err;
}
