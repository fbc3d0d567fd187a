// Package totemtest drives Totem SRP cores ([totem.Node]) through scripted
// interactions and prints what they do, for golden-transcript tests in the
// style of etcd raft's rafttest: testdata/*.txt files hold commands and the
// transcript each one produced, and a test fails when a transcript changes.
//
// # Script format
//
// A script is a sequence of blocks:
//
//	# comments and blank lines between blocks are kept
//	command arg key=value key=(a,b) key="a b"
//	----
//	expected output, up to the first blank line
//
// Regenerate the transcripts with the -rewrite flag (go test ./totem/ -run
// TestInteraction -rewrite) and read the diff: a transcript is only as good
// as the reading it got. [RunTest] parses and rewrites the files; [Walk]
// runs one subtest per file.
//
// # The environment
//
// [InteractionEnv] holds nodes 1..N, a virtual clock that starts at a fixed
// epoch (transcripts print times relative to it: t=3.65s) and the datagrams
// in flight, in send order. Nothing moves unless a command moves it: the
// network has no latency of its own, and time passes only through tick and
// stabilize. A multicast (Datagram.To == 0) goes to every node, its sender
// included; a multicast's copies can be delivered separately (deliver to=Y).
// Connectivity is checked when a datagram is delivered: a copy for a node
// that is down or on the other side of a partition is lost.
//
// After every input the environment acts on the node's Ready: it records a
// persisted ring seq, queues the datagrams, prints the events and calls
// Advance. A REGULAR configuration is acknowledged at once (TransAck), as
// the sync layer above eventually does. Per-node output and the core's log
// lines are indented under the line that caused them.
//
// # Commands
//
//	add-nodes N [option=value ...] [ring_seq=S]
//	    Create nodes 1..N with nodelist 1..N. Options use the openais.conf
//	    names: token, token_coefficient, token_retransmit, hold, join,
//	    send_join, consensus, merge, downcheck, max_network_delay (durations:
//	    3000ms, 1.5s, or bare milliseconds), retransmits_before_loss,
//	    fail_recv_const, seqno_unchanged_const, heartbeat_failures_allowed,
//	    window_size, max_messages, miss_count_const, netmtu. ring_seq is the
//	    persisted ring seq every node starts from. Prints the joins sent.
//	tick D
//	    Advance the clock by D, firing expired timers in deadline order (one
//	    "t=... timers fire on ..." line per instant) and printing what they
//	    send ("sent ..."). Nothing is delivered.
//	deliver [from=X] [to=Y] [type=T] [limit=N] [drop]
//	    Deliver (or drop) the datagrams in flight that match, in send order,
//	    one line each; datagrams sent meanwhile wait for the next command. T
//	    is token, mcast, join, commit, merge or hold_cancel; from is the
//	    node that put the datagram on the network.
//	pending
//	    List the datagrams in flight.
//	stabilize [quiet]
//	    Deliver everything in flight, and when nothing is, advance the clock
//	    to the earliest timer, until settled: no datagram but ORF tokens in
//	    flight, and in each connected group of live nodes every node
//	    OPERATIONAL on one ring whose members are exactly the group, nothing
//	    queued, everything received delivered (aru = high seq = delivered,
//	    equal across the group and to any token's seq). Gives up after 20000
//	    steps. quiet prints only the time it settled at.
//	propose node=X data=S [count=N] [safe]
//	    Queue S (or S-1..S-N) for multicast at node X, with the safe
//	    guarantee if asked.
//	partition 1,2 3,4,5
//	    Only nodes of the same group can reach each other; a node named in
//	    no group is alone. Datagrams already in flight are subject to it.
//	heal
//	    Undo the partition.
//	crash X
//	    Stop node X at once; its persisted ring seq survives.
//	restart X [keep-seq | ring_seq=S]
//	    Start node X afresh from ring seq 0, from what it persisted
//	    (keep-seq), or from S; crash it first if it is up.
//	leave X
//	    Graceful shutdown: node X sends its LEAVE, then goes down.
//	pause X / resume X
//	    Freeze node X (a stopped process): its timers stop and datagrams
//	    for it wait in flight, to be delivered in order after resume X. A
//	    paused node does not count for stabilize.
//	status [node=X]
//	    Print each node's state, ring, members, aru, highest seq received
//	    and delivered (proc and failed lists outside OPERATIONAL).
//	holds ring=R seq=S
//	    Print which nodes that are up hold message S of ring R (rep.seq),
//	    by totem.Node.Holds: the question the simulator's checker asks of
//	    every member when a safe message, or any message after a
//	    transitional configuration, is delivered.
//	log-level debug|info|warn|error|none
//	    Route the cores' slog output at or above the level into the
//	    transcript, without time stamps ("INFO 1: a new membership was
//	    formed ring=1.13 ..."). Off (none) by default.
//
// # Output
//
// A datagram is printed as sender->receiver and its decoded fields. The
// receiver is a node id for a unicast, * for a multicast that reached every
// node, or the list of nodes it reached; "dropped" marks a datagram nobody
// received.
//
//	1->2 token seq=3 tseq=7 aru=3 aru_addr=0 rtr=[] ring=1.9 fcc=0 backlog=0 retrans_flg=0
//	1->* mcast seq=4 ring=1.9 from=1 "hello"
//	1->1,3 mcast encapsulated seq=1 ring=1.13 from=1 (seq=3 ring=1.9 from=1 "m-3")
//	1->* join proc=[1 2 3] failed=[] ring_seq=9
//	3->1,2 join nodeid=0 (leave) system_from=3 proc=[1 2] failed=[3] ring_seq=9
//	2->3 commit ring=1.13 tseq=2 idx=2 memb=[1 2 3] old=[{1.9 aru=3 hd=3 rf=1} {1.9 aru=0 hd=0 rf=0} {}]
//	1->* merge_detect ring=1.9
//	2->* hold_cancel ring=1.9
//
// Ring ids print as rep.seq. A commit token's old entries are {old ring,
// aru, high delivered, received_flg}, {} while unfilled. Events:
//
//	node 2: persist ring_seq=13
//	node 2: deliver from=1 ring=1.9 seq=3 "hello"
//	node 2: TRANSITIONAL ring=1.13 members=[1 2] left=[3]
//	node 2: REGULAR ring=1.13 members=[1 2 4] joined=[4]
//
// Everything is deterministic: nodes are visited in id order, the network
// is a FIFO queue, and the cores get their time and randomness from the
// environment.
package totemtest
