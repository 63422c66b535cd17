/* staticprog.c — a statically linked program (no loader, so no LD_PRELOAD): what the
 * shim cannot see, which the run must report as a coverage gap (RELIABILITY 4). */
#include <stdio.h>

int main(int argc, char **argv)
{
	FILE *f = argc > 1 ? fopen(argv[1], "w") : NULL;

	if (f) {
		fputs("made by a static program\n", f);
		fclose(f);
	}
	puts("static ok");
	return 7;
}
