// Package rrp is openais's redundant ring protocol (exec/totemrrp.c): Totem
// over two networks, ring 0 and ring 1, so that a node keeps its ring when
// one network fails. A [Monitor] is a pure, deterministic state machine
// between the executive and its two ring transports. It has no goroutines
// and no sockets and never reads a clock: time is an argument.
//
// # Usage
//
// The executive owns one Monitor next to its Totem core, in its event loop:
//
//	for each datagram d of the core's Ready:
//		for _, r := range m.SendRings(d.Data, rings[:0]) { transport[r].Send(d) }
//	on a datagram from ring r:
//		if m.Receive(now, r, data) == rrp.Deliver { core.Step(now, data) }
//		for _, t := range m.Released() { core.Step(now, t) }
//	when m.NextDeadline() passes:
//		m.Tick(now)
//		for _, t := range m.Released() { core.Step(now, t) }
//	on a re-enable request (openais-cfgtool -r, on every node): m.Reenable(now)
//
// [Monitor.Released] returns the held tokens that are now due, in order;
// they must reach the core after the datagram of the same Receive, which is
// why the caller steps that one first.
//
// Datagrams are classified by the Totem header's type byte, read through
// package wire, which also handles big-endian senders: for sending, ORF and
// commit tokens are "tokens" (corosync sends them with token_send) and
// everything else is a "message"; on receipt only the ORF token is a token.
// A datagram without a valid Totem header is always delivered: the core
// rejects and logs it, and the Monitor never drops what it cannot parse.
//
// # Modes
//
// None: one ring. Everything goes out on ring 0 and is delivered.
//
// Active: every datagram goes out on every working ring. Messages are
// delivered from any ring, every copy: the core removes duplicates by seq,
// and a retransmission carries the same seq as the original, so the
// Monitor must not deduplicate them. An ORF token, named by its ring id and
// token_seq, is held until every working ring has delivered a copy; the
// first copy arms rrp_token_expired_timeout. Later copies of a delivered
// token, and tokens older than it, are dropped. When the timer fires,
// every working ring that did not deliver the token gets its problem
// counter raised ("Incrementing problem counter for seqid S iface A to [n
// of T]", a notice) and the token is released anyway. A counter reaching
// rrp_problem_count_threshold marks the ring faulty ("Marking seqid S
// ringid N interface A FAULTY - administrative intervention required.", an
// error). While a working ring's counter is above zero, a timer lowers it
// by one every rrp_problem_count_timeout ("Decrementing problem counter for
// iface A to [n of T]", back to "ring N active with no faults" at zero,
// debug lines). A faulty ring gets no more transmissions, is not waited
// for, and keeps its count.
//
// Passive: messages take turns over the working rings; tokens (ORF and
// commit) go on every working ring, and the copy that comes second is
// dropped (see below for why). Every received datagram is counted per ring, tokens
// and messages apart. After each count, a working ring that lags the best
// working ring by more than the threshold (rrp_problem_count_threshold for
// tokens, rrp_problem_count_mcast_threshold for messages) is marked faulty
// ("Marking ringid N interface A FAULTY - administrative intervention
// required."). Counters are rebased (the smallest working count subtracted
// from all) before they pass 2^30, so they never wrap. The Monitor tracks
// the highest MCAST seq of the ring named by the last ORF token; a token
// that announces a higher seq is held until that MCAST arrives (released
// right after it) or until rrp_token_expired_timeout, so that the core
// does not ask for messages still travelling on the other ring. A newer
// token releases a held one first; a copy of the held token is dropped.
// Messages a token was released without are given up: they are requested
// on that token and retransmitted only after this node forwards it, so no
// later token is held for them.
//
// Every ring starts as "ring N active with no faults". [Monitor.Status] is
// the per-ring text openais-cfgtool -s prints; [Monitor.Stats] counts
// datagrams, tokens, messages, holds, releases by timeout, dropped token
// copies and problems per ring.
//
// # Configuration
//
// [Config] carries the rrp_* options of openais.conf(5): mode (1 ring for
// none, 2 otherwise), rrp_problem_count_timeout (default 2000 ms),
// rrp_problem_count_threshold (default 10, minimum 5),
// rrp_problem_count_mcast_threshold (default 10 × the threshold, minimum
// 5) and rrp_token_expired_timeout (required). Timeouts must be at least
// 30 ms, three of openais's 10 ms timer ticks. Errors name the option.
//
// The man page's guideline for operators: rrp_problem_count_threshold ×
// rrp_token_expired_timeout should stay at least 50 ms below token, or a
// complete reconfiguration may occur before a ring is declared faulty.
// When the option is not set, openais calculates it that way from token
// and the threshold: [DefaultTokenExpiredTimeout] (95 ms for token 1000
// ms and threshold 10). Until a broken ring is marked faulty, a token
// waits that long at every node that missed its copy (active) or a
// message (passive), on top of the core's token_retransmit for a token
// lost on the broken ring, so a rotation of an N-node ring can take
// several timeouts. token_retransmit as rrp_token_expired_timeout (238 ms
// for token 1000 ms) is too long for that: passive rings of four nodes
// lost their membership in about one simulated run in five.
//
// # Where goais differs from openais
//
//   - The last working ring is never marked faulty: openais could mark both
//     rings and stop all traffic. Instead the ring stays in use, its status
//     reads "ring N interface A would be marked FAULTY, but it is the last
//     working ring", and an error says the same at most every 10 s.
//   - A token is named by ring id and token_seq, not token_seq alone, so
//     the first token of a new ring (token_seq 0 again) starts a round.
//   - Only ORF tokens are gated; commit tokens and joins are delivered like
//     messages, as in openais, whose token test matches ORF tokens only.
//   - In active mode, a ring that did not deliver the token is counted
//     only if it is working, and marking one ring faulty does not stop the
//     decrement timer for the other (openais cancelled it).
//   - Passive mode really holds tokens while messages are missing (openais
//     asked totemsrp, whose answer was a TODO that always said none were),
//     and its counters cannot wrap.
//   - In passive mode tokens go on every working ring, not in turns. In
//     openais a token sent over a broken link is lost, and the ring waits
//     a token_retransmit (392 ms for a 1650 ms token) for it, once or
//     twice per rotation, until every node has marked the link faulty;
//     with the message holds on top, rotations passed the token timeout
//     and the membership was lost. A token is small: sending it twice
//     costs little, no token is lost to one broken link, and a broken ring
//     lags by one per token, so it is found within the threshold's number
//     of tokens. Messages, the bulk of the traffic, still take turns.
//   - A ring marked faulty here is reported to every node (the executive
//     multicasts [Monitor.NewlyFaulty]; each node applies
//     [Monitor.MarkFaulty], "Marking ringid N interface A FAULTY - reported
//     by node X"). In openais a faulty mark spread by itself, slowly: a
//     node that marks a ring stops sending on it, so its neighbours see the
//     ring as broken in turn, and in passive mode a node whose own receive
//     counts never lagged kept sending every other message over the broken
//     link.
//   - The status texts spell "administrative" (openais: "adminisrtative").
//
// The ring comes back only by [Monitor.Reenable] on every node
// (ais-cfgtool -r).
package rrp
