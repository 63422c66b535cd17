#!/bin/sh
# srun.sh — `provtrace run -- srun` in a batch job (a real single-node Slurm): the agent
# step starts the node's collector (srun --overlap), the job step runs with the shim
# (--export=ALL kept), both tasks are captured with the job's identity, run.json names
# the job; a step that asks for --export=NONE is traced and still gets no more of the
# user's environment than that.
. "$top_srcdir/tests/slurm/slib.sh"

cat >"$T/job.sh" <<JOB
#!/bin/sh
provtrace-run -q -o "$T/run-%j" -- srun -n 2 /bin/sh -c 'cat /etc/hostname >"$T/out.\$SLURM_PROCID"'
echo "provtrace run: \$?"
JOB
chmod +x "$T/job.sh"
sbatch_wait "$T/job.sh" -n 2
assert_eq "provtrace run: 0" "$(tail -1 "$JOBOUT")" "the job script's provtrace run (output: $(cat "$JOBOUT"))"
RUN="$T/run-$JOB"
[ -f "$RUN/nodes/$(hostname).mdb" ] || fail "no store of this node in $RUN: $(ls -R "$RUN")"

# both tasks, each with the job id and the same step
tasks=$(task_procs "$RUN" /usr/bin/cat)
assert_eq "2" "$(echo "$tasks" | wc -l)" "task images of cat (got: $tasks)"
assert_eq "0 $JOB" "$(echo "$tasks" | sed -n 1p | cut -d' ' -f1,2)" "task 0 and its job id"
assert_eq "1 $JOB" "$(echo "$tasks" | sed -n 2p | cut -d' ' -f1,2)" "task 1 and its job id"
assert_eq "1" "$(echo "$tasks" | cut -d' ' -f3 | sort -u | wc -l)" "one step for both tasks"
# what they wrote
LOG="$T/log.jsonl"
provtrace-dump --log "$RUN"/nodes/*.mdb >"$LOG"
for i in 0 1; do
	assert_eq "1" "$(ev sess "$T/out.$i" wops!=0 | head -1)" "the write of task $i"
done
# the job, named in run.json
assert_eq "$JOB srun" "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["slurm_job_id"], d["launcher"])' "$RUN/run.json")" "run.json"

# ---- --export=NONE: the shim's variables are added by name, nothing else of the user's
cat >"$T/job2.sh" <<JOB
#!/bin/sh
provtrace-run -q -o "$T/none-%j" -- srun --export=NONE -n 1 /usr/bin/env >"$T/env.out"
echo "provtrace run: \$?"
JOB
chmod +x "$T/job2.sh"
sbatch_wait "$T/job2.sh" -n 2
assert_eq "provtrace run: 0" "$(tail -1 "$JOBOUT")" "the second job's provtrace run (output: $(cat "$JOBOUT"))"
grep -q '^PATH=' "$T/env.out" && fail "--export=NONE let PATH through: $(cat "$T/env.out")"
grep -q '^PROVTRACE_SOCKET=' "$T/env.out" || fail "the shim's settings did not reach the task"
assert_eq "0 $JOB" "$(task_procs "$T/none-$JOB" /usr/bin/env | cut -d' ' -f1,2)" "the task, traced"
