// Package votequorum is corosync's votequorum service (service 5) as a
// member of the ring: every node tells the others its votes and expected
// votes in each sync round, and each computes quorum from what the members
// said. With it corosync daemons count a goais node's votes ("Total votes:
// 3") instead of listing it with 0 votes and "Unable to get node N info"
// (reference corosync-wire.md §5.3, §5.5).
//
// The package is pure: no sockets, no goroutines, no clock. The executive
// registers a [Votequorum] with its service engine, which feeds it exec
// messages, configuration changes and the sync calls ([service.Syncer]).
//
// # What this node sends
//
// Only its own NODEINFO, once per sync round: its node id, votes, expected
// votes, and flags 0. That is the combination the reference verified
// against real daemons, and every bit we leave out is one a receiver would
// act on:
//
//   - QUORATE: a receiver that is inquorate adopts the expected votes of a
//     quorate sender as its own. A goais node that computed quorum
//     slightly differently, or was configured with another expectation,
//     could so make a corosync partition quorate or not. With flags 0
//     receivers take our votes and keep their own expectation for us.
//   - LEAVING: receivers stop counting the node (and, with
//     allow_downscale, lower quorum); it must not be claimed by a node
//     that stays.
//   - WFA status, FIRST, and the qdevice bits: they drive wait_for_all
//     and quorum device logic on the receivers that this package does not
//     take part in.
//
// It never sends a NODEINFO for node 0 (the quorum device): a real daemon
// that gets one from a sender whose own NODEINFO it has not seen aborts on
// an assertion. It never sends RECONFIGURE (a cluster-wide change that
// belongs to an administrator's tool) nor QDEVICE_* (goais runs no quorum
// device).
//
// # What this node computes
//
// Quorum as votequorum computes it, from the NODEINFO of the current
// members (see [Votequorum.Status] and recompute in quorum.go): total
// votes of the members that sent NODEINFO, a member without counting 0;
// the highest expectation among them and this node, raised to the total
// when that is higher; quorum is half of it plus one, or 1 with two_node
// when the highest expectation is 2; wait_for_all keeps the node
// inquorate until all its expected votes were present at once. It is
// computed at the end of every sync round and when a RECONFIGURE or a
// changed NODEINFO arrives outside one. Changes of the quorate state and
// the members are logged at notice level in corosync's words ("This node
// is within the primary component and will provide service.",
// "Members[3]: 1 2 3").
//
// RECONFIGURE (from corosync-quorumtool -e / -v on any node) sets the
// expected votes of every node with NODEINFO and this node's (param 1;
// 0 is ignored, as corosync ignores it), the votes of one node (param 2),
// or ends wait_for_all (param 3, as corosync 3.1.7 does). Quorum device
// messages are logged and ignored. Members that leave are forgotten at the
// regular configuration; a node that returns counts nothing until its
// next NODEINFO.
//
// Where corosync's votequorum does more than this package, the results
// agree for the configurations goais supports (every node with the same
// expected_votes or nodelist):
//
//   - corosync replaces the expected votes of a sender without QUORATE by
//     its own and never lowers quorum except on request; here every
//     member's stated expectation counts and quorum follows the members.
//   - A quorate member's NODEINFO without the WFA status bit ends
//     wait_for_all here as in corosync, so that a node joining a running
//     cluster does not wait for members that are gone. Nothing re-arms
//     it.
//   - NODEINFO about a node other than its sender is ignored (corosync
//     applies it; no real daemon sends one).
//   - auto_tie_breaker, last_man_standing, allow_downscale,
//     expected_votes_tracking and quorum devices are not implemented.
//
// # Wire format
//
// wire.go encodes and decodes the four exec messages of service 5 (see
// the layouts there). Integers are written little-endian and read in the
// sender's byte order; decoders return a [*DecodeError] naming the field
// and its offset. Malformed messages and unknown function ids are dropped,
// counted ([Votequorum.Stats]) and logged the first time and then at
// every power of two.
package votequorum
