#!/bin/sh
# commfree.sh — issue 20: communicators freed where no wrapper sees them (one freed by
# another's attribute delete callback, nested in MPI_Comm_free, as mpi4py frees its
# internal copies), then communicators in reverse rank order and duplicated
# intercommunicators that Open MPI may place at a freed one's handle.  Every message is
# credited to the world ranks that sent and received it, at 2, 3, 4 and 5 ranks: the
# exact per-pair counts, each pair's sends matching its receives, no rank sending to
# itself (provtrace stat checks both, and reports a message sent and never received).
. "$top_srcdir/tests/mpi/mlib.sh"

[ -x "$MPIDIR/commfree" ] || skip "tests/mpi/commfree not built"
for N in 2 3 4 5; do
	ptrun "n$N" $MPIRUN -np $N "$MPIDIR/commfree"
	assert_eq 0 "$rc" "$N ranks: mpirun's status (stderr: $(tail -5 "$T/n$N.err"))"
	assert_eq ok "$(cat "$T/n$N.out")" "$N ranks: the program's output"
	# what commfree.c sends: on A one 8-byte message to r+1; six rounds of two 4-byte
	# messages to r-1 (the reversed splits); with N even, six rounds of one 4-byte message
	# between 2k and 2k+1 (the duplicated intercommunicator)
	want=$("$PY" - "$N" <<'PY'
import sys
n = int(sys.argv[1])
sent = {}
def msg(a, b, size):
    m = sent.setdefault((a, b), [0, 0])
    m[0] += 1
    m[1] += size
for r in range(n):
    msg(r, (r + 1) % n, 8)
    for _ in range(6):
        msg(r, (r - 1) % n, 4)
        msg(r, (r - 1) % n, 4)
        if n % 2 == 0:
            msg(r, r + 1 if r % 2 == 0 else r - 1, 4)
for r in range(n):
    for p in range(n):
        s = sent.get((r, p), [0, 0])
        g = sent.get((p, r), [0, 0])
        if s != [0, 0] or g != [0, 0]:
            print(r, p, s[0], s[1], g[0], g[1])
PY
)
	assert_eq "$want" "$(mpi_peers)" "$N ranks: messages and bytes per pair of ranks"
	assert_eq "True 0 []" "$(mpi_stat mpi_consistent) $(mpi_stat mpi_self_messages) $(mpi_stat mpi_mismatches)" \
		"$N ranks: the sends of every pair match its receives, no rank sent to itself"
	provtrace-stat "$RUN" | grep -q "^mpi check  every rank's sends to a peer match" ||
		fail "$N ranks: stat does not say the traffic is consistent"
done

# a message sent and never received: said, not hidden
ptrun unmatched $MPIRUN -np 2 "$MPIDIR/commfree" unmatched
assert_eq 0 "$rc" "unmatched: mpirun's status (stderr: $(tail -5 "$T/unmatched.err"))"
assert_eq "False" "$(mpi_stat mpi_consistent)" "unmatched: not consistent"
assert_eq '[{"job": "'"$(ev rec MPI_INIT -f job | head -1)"'", "peer": 1, "peer_received_bytes": 0, "peer_received_messages": 0, "rank": 0, "sent_bytes": 4, "sent_messages": 1}]' \
	"$(mpi_stat mpi_mismatches)" "unmatched: the pair that disagrees"
provtrace-stat "$RUN" | grep -q "^MISMATCH   rank 0 -> 1: 1 messages, 4 bytes sent; rank 1 received 0 messages, 0 bytes from 0" ||
	fail "unmatched: stat does not report the mismatch: $(provtrace-stat "$RUN" | grep -i mismatch)"
# ... and the export, as the run's pt:mpiConsistent and pt:mpiMismatch
provtrace-export -f ntriples -o "$T/unmatched.nt" "$RUN"
NS='https://w3id.org/provtrace/ns#'
assert_eq 1 "$(grep -c "<${NS}mpiConsistent> \"false\"" "$T/unmatched.nt")" "unmatched: the export's verdict"
assert_eq 1 "$(grep -c "<${NS}mpiMismatch> \"job [^\"]*: rank 0 -> 1: 1 messages, 4 bytes sent; 0 messages, 0 bytes received\"" "$T/unmatched.nt")" \
	"unmatched: the export's mismatch"
provtrace-export -f ntriples -o "$T/n5.nt" "$T/n5"
assert_eq "1 0" "$(grep -c "<${NS}mpiConsistent> \"true\"" "$T/n5.nt") $(grep -c "<${NS}mpiMismatch>" "$T/n5.nt")" \
	"5 ranks: the export says the traffic is consistent"
