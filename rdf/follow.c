/* follow.c — `provtrace publish --follow [--interval N]`: while the run is live, publish
 * it again every N seconds (each round replaces the run's graph, as any publish does),
 * then once more after its collectors have stopped, and stop.  Each round is a plain
 * publish in a child process, so every round has the plain publish's bounded memory and
 * its all-or-nothing replacement.  While the job runs there is no run.json, so the run's
 * IRI comes from its first process's start rather than the launcher's: a graph published
 * live under another name than the final one is dropped after the final round. */
#include "config.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "follow.h"
#include "runset.h"

extern char **environ;

static const char *me = "provtrace publish --follow";

int pt_follow_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--follow"))
			return 1;
	return 0;
}

/* Run this program with `argv`; its stdout's first line (the graph's IRI) into iri. */
static int round_once(char **argv, char *iri, size_t n)
{
	posix_spawn_file_actions_t fa;
	int fd[2], st = 0;
	pid_t pid;
	FILE *f;

	iri[0] = 0;
	if (pipe(fd) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	posix_spawn_file_actions_addclose(&fa, fd[1]);
	int e = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (e) {
		close(fd[0]);
		fprintf(stderr, "%s: cannot run a publish: %s\n", me, strerror(e));
		return -1;
	}
	if ((f = fdopen(fd[0], "r"))) {
		if (fgets(iri, (int)n, f))
			iri[strcspn(iri, "\n")] = 0;
		while (fgetc(f) != EOF)
			;
		fclose(f);
	} else {
		close(fd[0]);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* Sleep `secs`, waking each 200 ms to see whether the run ended. */
static void nap(const char *rundir, unsigned secs)
{
	for (unsigned i = 0; i < secs * 5 && pt_live_running(rundir); i++)
		nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
}

int pt_follow(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 4, sizeof *args);
	char live_iri[4096] = "", iri[4096];
	unsigned interval = 10;
	int n = 0, rc = 1, rounds = 0, quiet = 0, endpoints = 0;
	const char *rundir = argc > 1 ? argv[argc - 1] : NULL;

	if (!args)
		return 1;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--follow"))
			continue;
		if (!strcmp(argv[i], "--interval") && i + 1 < argc) {
			char *end;
			unsigned long v = strtoul(argv[++i], &end, 10);
			if (*end || !v || v > 86400) {
				fprintf(stderr, "%s: --interval: 1 to 86400 seconds, not %s\n", me, argv[i]);
				free(args);
				return 2;
			}
			interval = (unsigned)v;
			continue;
		}
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = 1;
		if (!strncmp(argv[i], "sqlite:", 7))
			endpoints = -1;
		args[n++] = argv[i];
	}
	if (endpoints < 0) {
		fprintf(stderr, "%s: follows HTTP stores only (an sqlite: store is for one "
			"publish of a finished run)\n", me);
		free(args);
		return 2;
	}
	for (;;) {
		int live = pt_live_running(rundir);
		rounds++;
		rc = round_once(args, iri, sizeof iri);
		if (!quiet)
			fprintf(stderr, "%s: round %d (%s): %s\n", me, rounds,
				live ? "the run is live" : "the run has ended",
				rc ? "failed" : "published");
		if (!live)
			break;
		if (rc == 0)
			snprintf(live_iri, sizeof live_iri, "%s", iri);
		nap(rundir, interval);
	}
	if (rc == 0 && live_iri[0] && strcmp(live_iri, iri)) {
		/* the live rounds' graph had the provisional name: drop it */
		args[n - 1] = "--drop-graph";
		args[n] = live_iri;
		args[n + 1] = (char *)rundir;
		args[n + 2] = NULL;
		char ignored[16];
		if (round_once(args, ignored, sizeof ignored))
			fprintf(stderr, "%s: cannot drop <%s>, the graph published while the run was "
				"live\n", me, live_iri);
	}
	if (rc == 0)
		printf("%s\n", iri);
	free(args);
	return rc ? 1 : (fflush(stdout) ? 1 : 0);
}
