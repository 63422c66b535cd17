#!/bin/sh
# taskprolog.sh — the site-wide mode (provtrace-slurm(8)): the TaskProlog and TaskEpilog
# of scripts/slurm/, which scripts/slurm-local.sh configures, trace a job that asks for it
# (PROVTRACE_SLURM=1) without provtrace in its script: one run per job step, both tasks
# captured, the collector stopped by the last task's epilog; a job that does not ask is
# left alone.
. "$top_srcdir/tests/slurm/slib.sh"

cat >"$T/job.sh" <<JOB
#!/bin/sh
srun -n 2 /bin/sh -c 'cat /etc/hostname >"$T/out.\$SLURM_PROCID"'
JOB
chmod +x "$T/job.sh"
export PROVTRACE_LIB="$SHIM" PROVTRACE_COLLECTD="$top_builddir/provtrace-collectd"
export PROVTRACE_SLURM_RUNDIR="$T/prov-%j.%s"

# not asked for: nothing
sbatch_wait "$T/job.sh" -n 2
assert_eq "" "$(ls -d "$T"/prov-"$JOB".* 2>/dev/null)" "runs of a job that did not ask"

PROVTRACE_SLURM=1 sbatch_wait "$T/job.sh" -n 2
RUN=$(ls -d "$T"/prov-"$JOB".* 2>/dev/null)
assert_eq "$T/prov-$JOB.0" "$RUN" "the run of the job's step"
[ -f "$RUN/nodes/$(hostname).mdb" ] || fail "the step's collector did not finish: $(cat "$RUN"/nodes/*.log)"
tasks=$(task_procs "$RUN" /usr/bin/cat)
assert_eq "0 $JOB 0
1 $JOB 0" "$tasks" "both tasks of step 0, with the job id"
# the collector is gone and its directories with it
[ -d "${PROVTRACE_TMPDIR:-/tmp}/provtrace-$(id -u)/slurm-$JOB.0" ] &&
	fail "the step's work directory is left behind"
pgrep -f "slurm-$JOB\\.0/c\\.sock" >/dev/null && fail "the step's collector still runs"
exit 0
