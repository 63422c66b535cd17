/* ptb-spawn.c — times whole processes for `make bench`: posix_spawn, wait, repeat; the
 * environment changes (LD_PRELOAD ...) apply to the child only, never to this timer.
 *
 * Usage: ptb-spawn [-n N] [-e VAR=VAL]... [-u VAR]... [-L LIST] [-k] -- CMD [ARG...]
 *   -n N      run N times (default 1)
 *   -e, -u    set / unset a variable in the child's environment
 *   -L LIST   run once per line of LIST (per repetition), "{}" in ARGs replaced by the line
 *   -k        keep the child's standard output (default: /dev/null)
 * Prints one JSON object: {"ns":[...], "cpu_ns":[...], "minflt":[...], "fail":K, "status":S}
 * where cpu_ns is the user+system time of the child and its waited-for descendants, and minflt
 * their page faults (on a VM a fault can cost 10 us: the count explains what time cannot).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

static void oom(void)
{
	fputs("ptb-spawn: out of memory\n", stderr);
	exit(2);
}

/* env minus the names in unset[] and the names of set[], plus set[] */
static char **child_env(char **set, int nset, char **unset, int nunset)
{
	size_t n = 0;
	char **out;

	while (environ[n])
		n++;
	if (!(out = calloc(n + (size_t)nset + 1, sizeof *out)))
		oom();
	n = 0;
	for (char **e = environ; *e; e++) {
		size_t len = strcspn(*e, "=");
		int drop = 0;

		for (int i = 0; i < nunset && !drop; i++)
			drop = strlen(unset[i]) == len && strncmp(*e, unset[i], len) == 0;
		for (int i = 0; i < nset && !drop; i++)
			drop = strcspn(set[i], "=") == len && strncmp(*e, set[i], len) == 0;
		if (!drop)
			out[n++] = *e;
	}
	for (int i = 0; i < nset; i++)
		out[n++] = set[i];
	out[n] = NULL;
	return out;
}

static char **lines_of(const char *path, size_t *count)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, **v = NULL;
	size_t cap = 0, n = 0, sz = 0;
	ssize_t k;

	if (!f) {
		perror(path);
		exit(2);
	}
	while ((k = getline(&line, &sz, f)) > 0) {
		if (line[k - 1] == '\n')
			line[--k] = 0;
		if (!k)
			continue;
		if (n == cap && !(v = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v)))
			oom();
		if (!(v[n++] = strdup(line)))
			oom();
	}
	free(line);
	fclose(f);
	*count = n;
	return v;
}

int main(int argc, char **argv)
{
	char *set[64], *unset[64];
	int nset = 0, nunset = 0, keep = 0, c, fails = 0, last = 0;
	unsigned reps = 1;
	const char *list = NULL;
	char **lines = NULL, **env, **args;
	size_t nlines = 1, nargs;
	posix_spawn_file_actions_t fa;
	int first = 1;

	while ((c = getopt(argc, argv, "+n:e:u:L:k")) != -1) {
		switch (c) {
		case 'n': reps = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'e': if (nset < 64) set[nset++] = optarg; break;
		case 'u': if (nunset < 64) unset[nunset++] = optarg; break;
		case 'L': list = optarg; break;
		case 'k': keep = 1; break;
		default: return 2;
		}
	}
	if (optind >= argc || reps == 0) {
		fputs("usage: ptb-spawn [-n N] [-e VAR=VAL]... [-u VAR]... [-L LIST] [-k] -- CMD...\n",
		      stderr);
		return 2;
	}
	if (list)
		lines = lines_of(list, &nlines);
	env = child_env(set, nset, unset, nunset);
	nargs = (size_t)(argc - optind);
	if (!(args = calloc(nargs + 1, sizeof *args)))
		oom();
	posix_spawn_file_actions_init(&fa);
	if (!keep)
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);

	printf("{\"ns\":[");
	fflush(stdout);
	/* cpu times go in a second list, collected here */
	uint64_t *cpu = calloc((size_t)reps * nlines, sizeof *cpu);
	uint64_t *flt = calloc((size_t)reps * nlines, sizeof *flt);
	size_t ncpu = 0;
	if (!cpu || !flt)
		oom();
	for (unsigned r = 0; r < reps; r++) {
		for (size_t l = 0; l < nlines; l++) {
			struct rusage ru;
			pid_t pid;
			int st, e;
			uint64_t t0, t1;

			for (size_t i = 0; i < nargs; i++)
				args[i] = lines && strcmp(argv[optind + i], "{}") == 0 ? lines[l]
										       : argv[optind + i];
			t0 = now_ns();
			e = posix_spawnp(&pid, args[0], &fa, NULL, args, env);
			if (e) {
				fprintf(stderr, "ptb-spawn: %s: %s\n", args[0], strerror(e));
				return 2;
			}
			while (wait4(pid, &st, 0, &ru) < 0)
				if (errno != EINTR) {
					perror("wait4");
					return 2;
				}
			t1 = now_ns();
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				fails++;
			last = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			flt[ncpu] = (uint64_t)ru.ru_minflt;
			cpu[ncpu++] = tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
			printf("%s%llu", first ? "" : ",", (unsigned long long)(t1 - t0));
			first = 0;
		}
	}
	printf("],\"cpu_ns\":[");
	for (size_t i = 0; i < ncpu; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)cpu[i]);
	printf("],\"minflt\":[");
	for (size_t i = 0; i < ncpu; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)flt[i]);
	printf("],\"fail\":%d,\"status\":%d}\n", fails, last);
	return 0;
}
