# hlib.sh — sourced by the multi-host tests: simulated hosts on one machine.  Each host is a
# process holding a UTS and a mount namespace of its own: its own host name, a private /tmp
# and /dev/shm (node-local disk: the spool and the live store), the same network (loopback
# only), and the test's directory and the build tree at the same paths on every host, as a
# cluster file system.  Open MPI reaches them through tests/hosts/nsrsh as through ssh.
. "$top_srcdir/tests/mpi/mlib.sh"

unshare --uts --mount true 2>/dev/null ||
	skip "cannot create UTS and mount namespaces here (unshare --uts --mount: not root, or a container without CAP_SYS_ADMIN)"
PT_HOSTS="$T/hosts"
mkdir -p "$PT_HOSTS"
export PT_HOSTS
HOSTS_LIST=
# node-local directories: each host's own /tmp and /dev/shm, as provtrace picks them
unset PROVTRACE_TMPDIR PROVTRACE_SPOOL_DIR

# host_up NAME... — start the hosts; every name resolves to the loopback
host_up() {
	for h in "$@"; do
		printf '127.0.0.1\t%s\n' "$h" >>"$PT_HOSTS/etc-hosts"
	done
	grep -v '^127\.0\.0\.1' /etc/hosts >>"$PT_HOSTS/etc-hosts" || true
	printf '127.0.0.1\tlocalhost\n' >>"$PT_HOSTS/etc-hosts"
	for h in "$@"; do
		unshare --uts --mount --propagation private -- /bin/sh -c '
			set -e
			hostname "$1"
			cd /tmp   # the host machine'"'"'s /tmp, still reachable from here
			mount -t tmpfs -o mode=1777 "tmp-$1" /tmp
			mount -t tmpfs -o mode=1777 "shm-$1" /dev/shm
			# parents first (a source tree holds its build tree under make
			# distcheck): a path inside one already bound comes with it
			bound=
			for p in $(printf "%s\n" "$3" "$4" "$5" | sort -u); do
				case $p in /tmp/*) ;; *) continue ;; esac
				for b in $bound; do
					case $p/ in "$b"/*) continue 2 ;; esac
				done
				mkdir -p "$p"
				mount -c --bind "./${p#/tmp/}" "$p"
				bound="$bound $p"
			done
			mount --bind "$2/etc-hosts" /etc/hosts
			echo $$ >"$2/$1.pid"
			exec sleep 100000' sh "$h" "$PT_HOSTS" "$T" "$top_builddir" "$top_srcdir" \
			</dev/null >"$PT_HOSTS/$h.log" 2>&1 &
		HOSTS_LIST="$HOSTS_LIST $h"
	done
	for h in "$@"; do
		i=0
		while [ ! -s "$PT_HOSTS/$h.pid" ]; do
			i=$((i + 1))
			[ $i -lt 100 ] || fail "host $h did not come up: $(cat "$PT_HOSTS/$h.log")"
			sleep 0.1
		done
	done
}

# host_down — stop every host (their /tmp and /dev/shm go with them) and its daemons
host_down() {
	[ -z "${SLURM_DIR:-}" ] || slurm_down
	for h in $HOSTS_LIST; do
		[ -s "$PT_HOSTS/$h.pid" ] && kill "$(cat "$PT_HOSTS/$h.pid")" 2>/dev/null || true
	done
	HOSTS_LIST=
}
trap '_rc=$?; host_down; (exit $_rc); cleanup' EXIT

# on HOST CMD... — run CMD on HOST, in the test's environment
on() {
	_h=$1
	shift
	nsenter -t "$(cat "$PT_HOSTS/$_h.pid")" -u -m -- env TMPDIR=/tmp "$@"
}

# Open MPI over the hosts: nsrsh as its ssh, the nodes kept apart (their names resolve to
# one address), TCP over the loopback between them and shared memory within each
HMPIRUN="mpirun --oversubscribe --mca plm_rsh_agent $top_srcdir/tests/hosts/nsrsh \
--mca if_base_do_not_resolve 1 --mca btl self,vader,tcp --mca btl_tcp_if_include lo \
--mca oob_tcp_if_include lo"

# host_pids HOST — the processes running on HOST (its namespace holder excepted)
host_pids() {
	_ns=$(readlink "/proc/$(cat "$PT_HOSTS/$1.pid")/ns/uts")
	for _p in /proc/[0-9]*; do
		[ "$(readlink "$_p/ns/uts" 2>/dev/null)" = "$_ns" ] || continue
		_p=${_p#/proc/}
		[ "$_p" = "$(cat "$PT_HOSTS/$1.pid")" ] || echo "$_p"
	done
}

# host_pids_of HOST NAME — those whose command name (comm, 15 bytes at most) is NAME
host_pids_of() {
	for _p in $(host_pids "$1"); do
		[ "$(cat "/proc/$_p/comm" 2>/dev/null)" != "$2" ] || echo "$_p"
	done
}

# phases_data DIR N — the inputs of tests/hosts/phases.py for N ranks, and the files
# whose time each rank sets between the phases
phases_data() {
	mkdir -p "$1"
	_i=0
	while [ $_i -lt "$2" ]; do
		head -c 64 /dev/urandom >"$1/in.$_i"
		touch -d @1 "$1/ready.$_i"
		_i=$((_i + 1))
	done
}

# between_phases DIR N — wait until the N ranks of phases.py are between the phases (60 s
# at most)
between_phases() {
	_i=0
	while [ "$(stat -c %Y "$1"/ready.* | grep -cvx 1)" -lt "$2" ]; do
		_i=$((_i + 1))
		[ $_i -lt 600 ] || fail "the ranks did not all reach the end of phase 1 in 60 s"
		sleep 0.1
	done
}

# phases_run — tests/hosts/phases.py over nodea:2,nodeb:2, traced from nodea into $RUN, in
# the background ($job); its inputs in $D
phases_run() {
	D="$T/data"
	RUN="$T/run"
	phases_data "$D" 4
	on nodea provtrace-run -o "$RUN" -- $HMPIRUN -np 4 --host nodea:2,nodeb:2 \
		"$PY" "$top_srcdir/tests/hosts/phases.py" "$D" >"$T/out" 2>"$T/err" &
	job=$!
}

# phases_wait — the end of phases_run; rc its status
phases_wait() {
	rc=0
	wait "$job" || rc=$?
}

# The traffic of phases.py (see mpi_peers): phase 1 alone (64 bytes to r+1), and both
# phases (then 32 bytes more)
PHASE1_PEERS="0 1 1 64 0 0
0 3 0 0 1 64
1 0 0 0 1 64
1 2 1 64 0 0
2 1 0 0 1 64
2 3 1 64 0 0
3 0 1 64 0 0
3 2 0 0 1 64"
PHASES_PEERS="0 1 2 96 0 0
0 3 0 0 2 96
1 0 0 0 2 96
1 2 2 96 0 0
2 1 0 0 2 96
2 3 2 96 0 0
3 0 2 96 0 0
3 2 0 0 2 96"

# node_local HOST — what provtrace left in HOST's node-local directories
node_local() {
	on "$1" find /tmp/provtrace-0 /dev/shm/provtrace-0 -mindepth 1 2>/dev/null || true
}

# slurm_up — a Slurm cluster of the hosts (host_up first): slurmctld on the first, a
# slurmd on each, every daemon in its host's namespaces (each slurmd knows its node by
# the host name), on ports of its own so that the single-node Slurm of
# scripts/slurm-local.sh is left alone; SLURM_CONF names its configuration.  Clients run
# on a host (`on nodea sbatch ...`), where the hosts' names resolve.
slurm_up() {
	for _p in slurmctld slurmd sbatch srun munge unmunge; do
		command -v "$_p" >/dev/null 2>&1 || skip "$_p not found (apt-get install slurm-wlm munge)"
	done
	munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 ||
		skip "munged does not answer (scripts/slurm-local.sh start starts it)"
	SLURM_DIR="$T/slurm"
	mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/log"
	chmod 755 "$T" "$SLURM_DIR"
	_port=${PT_HOSTS_SLURM_PORT:-16837}
	_first=$(echo $HOSTS_LIST | cut -d' ' -f1)
	{
		echo "ClusterName=pthosts"
		echo "SlurmctldHost=$_first"
		echo "SlurmctldPort=$_port"
		echo "SlurmUser=root"
		echo "SlurmdUser=root"
		echo "AuthType=auth/munge"
		echo "StateSaveLocation=$SLURM_DIR/state"
		echo "SlurmdSpoolDir=$SLURM_DIR/spool-%n"
		echo "SlurmctldPidFile=$SLURM_DIR/slurmctld.pid"
		echo "SlurmdPidFile=$SLURM_DIR/slurmd-%n.pid"
		echo "SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log"
		echo "SlurmdLogFile=$SLURM_DIR/log/slurmd-%n.log"
		echo "ProctrackType=proctrack/linuxproc"
		echo "TaskPlugin=task/none"
		echo "JobAcctGatherType=jobacct_gather/none"
		echo "AccountingStorageType=accounting_storage/none"
		echo "MpiDefault=none"
		echo "SelectType=select/cons_tres"
		echo "SelectTypeParameters=CR_Core"
		echo "ReturnToService=2"
		echo "InactiveLimit=0"
		echo "KillWait=30"
		_i=1
		for _h in $HOSTS_LIST; do
			echo "NodeName=$_h NodeAddr=127.0.0.1 Port=$((_port + _i)) CPUs=2 State=UNKNOWN"
			_i=$((_i + 1))
		done
		echo "PartitionName=hosts Nodes=$(echo $HOSTS_LIST | tr ' ' ',') Default=YES MaxTime=INFINITE State=UP"
	} >"$SLURM_DIR/slurm.conf"
	export SLURM_CONF="$SLURM_DIR/slurm.conf"
	on "$_first" slurmctld -i || fail "slurmctld did not start: $(cat "$SLURM_DIR/log/slurmctld.log")"
	for _h in $HOSTS_LIST; do
		on "$_h" slurmd || fail "slurmd on $_h did not start: $(cat "$SLURM_DIR/log/slurmd-$_h.log")"
	done
	_i=0
	until [ "$(on "$_first" sinfo -h -o %t 2>/dev/null)" = idle ]; do
		_i=$((_i + 1))
		[ $_i -lt 300 ] || fail "the nodes are not idle after 30 s: $(on "$_first" sinfo 2>&1)"
		sleep 0.1
	done
}

# slurm_down — stop the daemons of slurm_up, and wait until they are gone (they write in
# the test's directory until then)
slurm_down() {
	_pids=
	for _f in "$SLURM_DIR"/*.pid; do
		[ -s "$_f" ] && _pids="$_pids $(cat "$_f")"
	done
	[ -z "$_pids" ] || kill $_pids 2>/dev/null || true
	for _p in $_pids; do
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ $_i -lt 100 ]; do
			_i=$((_i + 1))
			sleep 0.1
		done
	done
}

# wait_files PATTERN COUNT — until COUNT files match PATTERN (60 s at most)
wait_files() {
	_i=0
	while [ "$(ls $1 2>/dev/null | wc -l)" -lt "$2" ]; do
		_i=$((_i + 1))
		[ $_i -lt 600 ] || fail "waited 60 s for $2 files $1"
		sleep 0.1
	done
}
