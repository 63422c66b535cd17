# slib.sh — sourced by the Slurm tests: the single-node Slurm of scripts/slurm-local.sh
# (started here if CI's start_services did not), and a job submitted and waited for.
. "$top_srcdir/tests/lib.sh"

out=$("$top_srcdir/scripts/slurm-local.sh" start 2>"$T/slurm-start.err")
case $? in
0) ;;
77) skip "no Slurm here: $(cat "$T/slurm-start.err")" ;;
*) fail "scripts/slurm-local.sh start: $(cat "$T/slurm-start.err")" ;;
esac
export SLURM_CONF="${out#SLURM_CONF=}"
# jobs read and write under $T: slurmd runs their tasks as root here
chmod 755 "$T"

# sbatch_wait JOBSCRIPT [SBATCH-OPTION...] — submit, wait until it left the queue (at most
# PT_SLURM_WAIT seconds); sets JOB (its id) and JOBOUT (its output file)
sbatch_wait() {
	_script=$1
	shift
	JOBOUT="$T/job.%j.out"
	JOB=$(sbatch --parsable -o "$JOBOUT" "$@" "$_script") || fail "sbatch refused the job"
	JOB=${JOB%%;*}
	JOBOUT="$T/job.$JOB.out"
	_i=0
	while squeue -h -j "$JOB" -o %T 2>/dev/null | grep -q .; do
		_i=$((_i + 1))
		[ $_i -lt $((${PT_SLURM_WAIT:-180} * 5)) ] || {
			scancel "$JOB"
			fail "job $JOB still queued or running after ${PT_SLURM_WAIT:-180} s: $(squeue -j "$JOB" 2>&1)"
		}
		sleep 0.2
	done
	[ -f "$JOBOUT" ] || fail "job $JOB left no output"
}

# task_procs RUN EXE — "PROCID JOBID STEPID" of each image of EXE with a Slurm task
# identity, sorted
task_procs() {
	provtrace-dump --log "$1"/nodes/*.mdb | "$PY" -c '
import json, sys
exe = sys.argv[1]
for line in sys.stdin:
    r = json.loads(line)
    if r["type"] == "PROC_START" and r.get("exe") == exe and "SLURM_PROCID" in r.get("env", {}):
        e = r["env"]
        print(e["SLURM_PROCID"], e.get("SLURM_JOB_ID"), e.get("SLURM_STEP_ID"))' "$2" | sort
}
