// Package totem is the Totem single-ring ordering and membership protocol
// (SRP) as a deterministic state machine, wire-compatible with corosync 3.1.
//
// # Usage
//
// A [Node] is driven by its owner, one goroutine at a time, in the style of
// etcd raft's RawNode:
//
//	n, err := totem.NewNode(cfg, now)
//	for {
//		// feed input: a received datagram, expired timers, or a message to send
//		n.Step(now, datagram)   // or n.Tick(now), n.Propose(now, payload, safe)
//		if n.HasReady() {
//			rd := n.Ready()
//			// 1. persist rd.RingSeq if rd.PersistRingSeq
//			// 2. send rd.Datagrams (To == 0: to every configured node, self included)
//			// 3. hand rd.Events upward in order
//			n.Advance()
//		}
//		// wait until n.NextDeadline() or the next datagram
//	}
//
// The node has no goroutines, sockets, clock or global random source: time
// arrives as the now argument and randomness (send_join jitter) from
// Config.Rand. The same inputs always give the same outputs, which is what
// lets package sim replay any failing run from its seed.
//
// # How the code maps onto the protocol
//
// The reference is ../shared/reference/corosync-wire.md; section numbers
// below are its own, and function names in parentheses are corosync's
// exec/totemsrp.c ones that each piece mirrors.
//
//   - membership.go — §3.3 GATHER: [Node.gatherEnter]
//     (memb_state_gather_enter), join processing (message_handler_memb_join,
//     memb_join_process), consensus and its timeout, merge detect, token
//     hold cancel, the LEAVE join.
//   - commit.go — §3.4 COMMIT: the commit token's creation by the lowest
//     agreed node (ring seq = highest seen + 4), its two rotations, commit
//     entry (old ring state saved, new ring id persisted through
//     [Ready.PersistRingSeq]), the initial ORF token.
//   - recovery.go — §3.5 RECOVERY: transitional membership, encapsulated
//     retransmission of old-ring messages, then OPERATIONAL entry with the
//     delivery order of §3.8: old-ring messages, TRANSITIONAL configuration,
//     remaining old-ring messages of transitional members, REGULAR
//     configuration, new-ring messages.
//   - token.go — §3.6 the ORF token: seq assignment, aru/aru_addr,
//     retransmit requests and answers, flow control (window_size,
//     max_messages, backlog, fcc), message release, fail_to_recv_const,
//     token hold by an idle representative and the recovery exit logic.
//   - mcast.go, deliver.go — MCAST reception into the regular or recovery
//     sort queue (sortqueue.go, §2.8) and in-order delivery.
//   - timers.go — §3.2: token, token_retransmit, hold, join, consensus,
//     merge and send_join, all fired by [Node.Tick].
//   - config.go — every timer and constant under its openais.conf(5) name
//     with corosync 3.1.7's default.
//   - package wire — the six messages of §2, byte for byte.
//
// # Safe delivery
//
// corosync 3.x carries the guarantee field but treats every message as
// agreed. goais honours it: a message sent with safe set is delivered in its
// regular configuration only once the token's aru has covered it on two
// consecutive visits to this node, which proves every member holds it. If
// the ring breaks first it is delivered after the transitional
// configuration, as extended virtual synchrony prescribes. Agreed messages
// behave exactly as in corosync, so mixed rings see the same order.
//
// # Where goais deliberately differs
//
//   - Decoding never panics and never trusts a count: malformed datagrams are
//     rejected with an error naming the field (corosync asserts on some).
//   - Messages are released only after the token is accepted as ours (not
//     before the ring id check), and the commit token is accepted in GATHER
//     only by the member it is addressed to, in COMMIT only with our ring
//     id and member list.
//   - Three membership corner cases the simulator found livelocking or
//     misfiling: a node in RECOVERY that receives a join from a member of
//     the new ring first takes the new membership and an empty failed list
//     (what that member itself holds after OPERATIONAL entry), instead of
//     keeping the previous round's failed list; a join that changes neither
//     list no longer re-enters GATHER (two nodes of different rings would
//     otherwise answer each other's joins forever); and a regular message of
//     a ring committed to but not yet installed is dropped rather than
//     stored among the old ring's messages under a colliding seq (our aru
//     holds the ring's aru down until it is retransmitted).
//   - RECOVERY entry resets the exit counters (retrans_flg count, rotation
//     count, the "I set retrans_flg" mark), which corosync clears only on
//     OPERATIONAL entry. After a token loss in RECOVERY, counts carried
//     into the next attempt skipped setting install_seq and let a node
//     leave RECOVERY before the others had the recovery copies, delivering
//     old-ring messages, safe ones too, that some transitional members did
//     not hold (the simulator's token drop fault finds it). Local state
//     only: nothing on the wire changes.
//   - Message buffers are pooled, so the steady-state token path does not
//     allocate; a buffer released during a step is reused only after
//     [Node.Advance], because that step's Ready may still point into it.
package totem
