// Package sim is the deterministic simulation of Totem nodes in virtual
// time, with invariant checks after every step.
//
// A run puts 2–16 protocol cores (goais/totem) on an in-memory network,
// drives them in virtual time from a seed (loss, duplication, reordering,
// partitions, merges, pauses, crashes and restarts, and nodes that throw
// away the tokens they receive), offers application messages, and after
// every step feeds what each node handed upward to a Checker. The same
// seed replays the same run, step for step, so a failing seed is a
// reproducible bug report.
//
// # The checker
//
// Checker receives five kinds of events: Sent (the simulator submitted a
// message), Delivered (a node delivered one), Config (a node delivered a
// configuration change), Crashed and Restarted. Every application message
// carries a MsgID (origin, origin incarnation, counter) and the checker
// knows its content hash and safe flag from Sent. Each incarnation of a node
// is a separate process: a restart starts a fresh delivery history and
// configuration sequence, and the crashed incarnation's history stays for
// the checks that still involve it. The checks are incremental, cost O(N)
// per delivery for N processes and do not allocate in the common case; the
// first violation is kept (Checker.Err) and checking stops there. At the end
// of a run CheckFinal adds self-delivery and liveness.
//
// A Violation names the property (the identifiers below), the nodes
// involved (the first is the one whose event revealed it), the virtual time
// and a one-line detail: which messages in which order, which members, which
// rings.
//
// # Properties
//
// In what follows a process is one incarnation of a node; C, C' are regular
// configurations and T a transitional one, named by ring id.
//
//   - agreed-order: any two processes deliver the messages they both deliver
//     in the same order. Checked per delivery in O(N): every process keeps
//     the index of each message in its delivery sequence, and for each
//     ordered pair (x, y) M[x][y] is the highest y-index among messages both
//     delivered, as last updated. When x delivers m, which y delivered at
//     index j: a violation if j <= M[x][y]; else M[x][y] = j and M[y][x] =
//     x's index of m. For an inverted pair the last of the four deliveries
//     is a delivery of x's or y's later message, and M already holds the
//     other message's index there. A brute-force checker in the tests
//     agrees with it on random histories.
//   - no-duplication: a process delivers a MsgID at most once.
//   - no-creation: every delivered MsgID was sent, with the same content
//     hash and safe flag.
//   - self-delivery (CheckFinal): a process alive at the end delivered every
//     message it sent.
//   - virtual-synchrony: processes that install the same C and then the same
//     next C' delivered the same set of messages between them (C's regular
//     part plus the transitional part before C'), and the same set in the
//     transitional part. Each process keeps an order-independent 64-bit hash
//     and a count per part; the second process to install C' compares with
//     the first, and only on a mismatch is the symmetric difference worked
//     out from the delivery logs.
//   - config-rules, per process:
//     member lists ascending without duplicates, of known nodes, and the
//     process's own node among the members of every configuration it
//     delivers; a Transitional has no Joined and a Regular no Left;
//     configurations alternate Transitional, Regular, Transitional, ...: a
//     Transitional is followed by the Regular of the same ring, and every
//     Regular but a process's very first configuration is preceded by its
//     Transitional; T ⊆ previous C, T ⊆ new C', Left = C − T and Joined =
//     C' − T; ring seqs strictly increase across a process's regular
//     configurations (and a T's ring exceeds the current one); messages
//     delivered in C were ordered on C's ring, and those delivered between
//     T and its C' on the previous regular ring.
//     Before its first configuration a process counts as the only member of
//     a ring of its own, with no ring id: its first configuration is
//     normally Transitional{[self]} (so Left is empty) followed by a Regular
//     of the same ring, and no message may be delivered before that Regular.
//     A first configuration that is a Regular is tolerated, with Joined =
//     Members − {self} (or all Members), unless Checker.SetStrictStart
//     requires the transitional start.
//   - membership-agreement: Regular configurations with the same ring id
//     have the same members, over all processes; Transitional
//     configurations with the same ring id delivered by processes coming
//     from the same previous regular ring have the same members. A ring id
//     reused with other members (e.g. a restarted node forming a ring with
//     a seq it already used) is a violation.
//   - safe-delivery: when a process delivers a safe message in C, every
//     member of C that has not crashed since C was first installed holds
//     it: it delivered it already, or the simulator's HolderFunc says its
//     core has it. In the transitional part the guarantee is checked
//     against the members of T only. Without a HolderFunc this is not
//     checked.
//   - transitional-held: the same for every message, safe or agreed,
//     delivered in the transitional part: every member of T that has not
//     crashed holds it or delivered it. This is Totem's recovery rule
//     rather than extended virtual synchrony's (which asks it of safe
//     messages only): no member leaves RECOVERY before the token's aru has
//     shown, on two rotations, that every member received the recovery
//     copies of the old-ring messages any of them had, so whatever is
//     delivered after the transitional configuration is held everywhere
//     in T. A node that leaves too early breaks it with any message,
//     where safe-delivery needs a safe one.
//   - liveness (CheckFinal, called at least a bound after the last fault
//     healed): every alive process's latest configuration is the same
//     Regular, whose members are exactly the alive nodes, and every message
//     sent by an alive process at or after healing was delivered by every
//     alive process.
package sim
