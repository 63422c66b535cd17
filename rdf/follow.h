/* follow.h — `provtrace publish --follow` (follow.c): publish a run again while it runs. */
#ifndef PT_FOLLOW_H
#define PT_FOLLOW_H

/* Whether argv asks for --follow. */
int pt_follow_wanted(int argc, char **argv);
/* Publish (this program without --follow and --interval N) every N seconds while the run
 * (argv's last argument) is live, then once after its end.  Returns the exit status. */
int pt_follow(int argc, char **argv);

#endif /* PT_FOLLOW_H */
