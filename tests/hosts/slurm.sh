#!/bin/sh
# slurm.sh — issue 19 with Slurm: a real two-node cluster of simulated hosts (slurmctld and
# a slurmd per host, tests/hosts/hlib.sh), `provtrace run -- srun` in an sbatch script on
# two nodes.  The agents' step (srun --overlap, one task per node) starts a collector on
# each node; the job's tasks are recorded on their own node with the job's identity.
# nodeb's collector is killed (SIGKILL) while the tasks wait: its agent starts another, and
# nothing is lost — each task's output derives from its input, every process ended.
. "$top_srcdir/tests/hosts/hlib.sh"

host_up nodea nodeb
slurm_up
D="$T/data"
mkdir -p "$D"
echo zero >"$D/in.0"
echo one >"$D/in.1"
# each task: one.P from in.P, then (once the test says go) two.P from both
cat >"$T/task.sh" <<'TASK'
#!/bin/sh
D=$1 P=$SLURM_PROCID
cat "$D/in.$P" >"$D/one.$P"
: >"$D/ready.$P"
while [ ! -e "$D/go" ]; do sleep 0.05; done
cat "$D/one.$P" "$D/in.$P" >"$D/two.$P"
TASK
cat >"$T/job.sh" <<JOB
#!/bin/sh
provtrace-run -q -o "$T/run" -- srun -N 2 -n 2 --ntasks-per-node=1 /bin/sh "$T/task.sh" "$D"
echo "provtrace run: \$?"
JOB
chmod +x "$T/task.sh" "$T/job.sh"
JOB=$(on nodea sbatch --parsable -N 2 -o "$T/job.out" "$T/job.sh") || fail "sbatch refused the job"
wait_files "$D/ready.*" 2
c=$(host_pids_of nodeb provtrace-colle)
[ -n "$c" ] && [ "$(echo "$c" | wc -l)" = 1 ] || fail "nodeb's collector: pids '$c'"
kill -9 "$c"
touch "$D/go"
_i=0
while on nodea squeue -h -j "$JOB" 2>/dev/null | grep -q .; do
	_i=$((_i + 1))
	[ $_i -lt 600 ] || fail "job $JOB still running after 60 s"
	sleep 0.1
done
RUN="$T/run"
assert_eq "provtrace run: 0" "$(tail -1 "$T/job.out")" "the job script's provtrace run (output: $(cat "$T/job.out"))"
assert_eq "provtrace run: the collector of nodeb was killed by signal 9 during the job; restarted it on the same spool and store" \
	"$(cat "$RUN/nodes/agents.log")" "what nodeb's agent said"
assert_eq "nodea.mdb nodeb.mdb" "$(cd "$RUN/nodes" && echo *.mdb)" "a store per node"
assert_eq "$JOB srun [\"nodea\", \"nodeb\"]" \
	"$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["slurm_job_id"], d["launcher"], json.dumps(d["nodes"]))' "$RUN/run.json")" \
	"run.json: the job, the launcher, the nodes"
assert_eq "2 True 0" "$(stat_of nodes complete running)" "nodes, complete, processes still running"
for p in 0 1; do
	assert_eq "in.$p one.$p" "$(lineage_in "$D" --ancestors "$D/two.$p")" "two.$p's sources"
done
# each task's cat ran on its own node, with the job's identity
for h in nodea nodeb; do
	LOG="$T/$h.jsonl"
	provtrace-dump --log "$RUN/nodes/$h.mdb" >"$LOG"
	assert_eq "$h" "$(ev rec C_PROC -f host | sort -u)" "host of the processes recorded on $h"
done
assert_eq "0 $JOB nodea
1 $JOB nodeb" "$(provtrace-dump --log "$RUN"/nodes/*.mdb | "$PY" -c '
import json, sys
seen = set()
for line in sys.stdin:
    r = json.loads(line)
    e = r.get("env", {})
    if r["type"] == "PROC_START" and r.get("exe") == "/usr/bin/cat" and "SLURM_PROCID" in e:
        seen.add("%s %s %s" % (e["SLURM_PROCID"], e.get("SLURM_JOB_ID"), e.get("SLURMD_NODENAME")))
print("\n".join(sorted(seen)))')" "the tasks' cat: task, job, node"
