#!/bin/sh
# slurm-local.sh — a real single-node Slurm for the tests and CI: munge, slurmctld and
# slurmd on this machine, with a configuration of their own (nothing under /etc/slurm).
#
#   scripts/slurm-local.sh start [DIR]    configure, start what is not running, wait until
#                                         the node is idle; prints SLURM_CONF=DIR/slurm.conf
#   scripts/slurm-local.sh stop [DIR]     stop slurmd and slurmctld (munge keeps running)
#   scripts/slurm-local.sh status [DIR]   exit 0 when the cluster answers and the node is up
#
# DIR defaults to $PROVTRACE_SLURM_DIR, else /var/tmp/provtrace-slurm.  Needs root (the
# daemons run as root, munged as the user munge, with the key in /etc/munge).  Exit
# status 77 with a reason on stderr when this machine cannot run Slurm, so that a test
# can skip.  The cluster is one node named after this host, with its CPUs, one partition,
# ProctrackType=proctrack/linuxproc and TaskPlugin=task/none (no cgroups needed), and
# the provtrace TaskProlog/TaskEpilog of scripts/slurm/ (they do nothing for a job that
# does not ask for provtrace: see provtrace-slurm(8)).
set -u

cmd=${1:-start}
DIR=${2:-${PROVTRACE_SLURM_DIR:-/var/tmp/provtrace-slurm}}
CONF="$DIR/slurm.conf"
here=$(cd "$(dirname "$0")" && pwd)
HOST=$(hostname -s 2>/dev/null || hostname)
# an own port pair, so that a site's Slurm on this machine is left alone
PORT=${PROVTRACE_SLURM_PORT:-16817}

say() { echo "slurm-local: $*" >&2; }
cannot() { say "$*"; exit 77; }

export SLURM_CONF="$CONF"

answers() {
	timeout 10 sinfo -h -n "$HOST" -o %t 2>/dev/null | head -1
}

status() {
	case $(answers) in
	idle*|mix*|alloc*|comp*) return 0 ;;
	*) return 1 ;;
	esac
}

munge_up() {
	munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1
}

start_munge() {
	munge_up && return 0
	if [ ! -r /etc/munge/munge.key ] && command -v mungekey >/dev/null 2>&1; then
		mungekey --create --keyfile=/etc/munge/munge.key >/dev/null 2>&1 &&
			chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
	fi
	[ -r /etc/munge/munge.key ] || cannot "no /etc/munge/munge.key (apt-get install munge)"
	mkdir -p /run/munge /var/log/munge /var/lib/munge
	chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null
	chmod 0755 /run/munge
	if command -v runuser >/dev/null 2>&1; then
		runuser -u munge -- /usr/sbin/munged >/dev/null 2>&1
	else
		su -s /bin/sh munge -c /usr/sbin/munged >/dev/null 2>&1
	fi
	for _ in $(seq 50); do
		munge_up && return 0
		sleep 0.1
	done
	cannot "munged does not answer (see /var/log/munge/munged.log)"
}

write_conf() {
	cpus=$(nproc)
	mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
	chmod 755 "$DIR"
	cat >"$CONF.new" <<EOF
# written by provtrace's scripts/slurm-local.sh: a single node for tests and CI
ClusterName=provtrace
SlurmctldHost=$HOST
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdTimeout=300
InactiveLimit=0
KillWait=30
TaskProlog=$here/slurm/task-prolog
TaskEpilog=$here/slurm/task-epilog
NodeName=$HOST CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
	if [ -f "$CONF" ] && cmp -s "$CONF" "$CONF.new"; then
		rm -f "$CONF.new"
	else
		mv "$CONF.new" "$CONF"
	fi
}

alive() {   # alive PIDFILE
	[ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

start() {
	[ "$(id -u)" = 0 ] || cannot "not root: cannot start slurmctld and slurmd"
	for p in munged munge slurmctld slurmd sinfo sbatch srun; do
		command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] ||
			cannot "$p not found (apt-get install slurm-wlm munge)"
	done
	start_munge
	write_conf
	if ! alive "$DIR/slurmctld.pid"; then
		/usr/sbin/slurmctld -f "$CONF" >>"$DIR/log/start.log" 2>&1 ||
			cannot "slurmctld did not start: $(tail -3 "$DIR/log/slurmctld.log" 2>/dev/null)"
	fi
	if ! alive "$DIR/slurmd.pid"; then
		/usr/sbin/slurmd -f "$CONF" >>"$DIR/log/start.log" 2>&1 ||
			cannot "slurmd did not start: $(tail -3 "$DIR/log/slurmd.log" 2>/dev/null)"
	fi
	for i in $(seq 120); do
		state=$(answers)
		case $state in
		idle*|mix*|alloc*|comp*)
			echo "SLURM_CONF=$CONF"
			return 0 ;;
		down*|drain*|fail*|unk*)
			[ $((i % 10)) = 0 ] && scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 ;;
		esac
		sleep 0.5
	done
	cannot "the node did not become idle (state '${state:-none}'; see $DIR/log/)"
}

stop() {
	for d in slurmd slurmctld; do
		if alive "$DIR/$d.pid"; then
			kill "$(cat "$DIR/$d.pid")"
		fi
	done
	for _ in $(seq 100); do
		alive "$DIR/slurmd.pid" || alive "$DIR/slurmctld.pid" || return 0
		sleep 0.1
	done
	say "slurmd or slurmctld still running"
	return 1
}

case $cmd in
start) start ;;
stop) stop ;;
status) status ;;
*) echo "usage: $0 start|stop|status [DIR]" >&2; exit 2 ;;
esac
