// Package clm is the SA Forum Cluster Membership service (CLM B.01.01) of
// the executive: a table of node records replicated the way openais's
// exec/clm.c kept it, and the library side that goais/client/clm talks
// to.
//
// The package is pure: no sockets, no goroutines, no clock. The executive
// registers a [CLM] with its service engine, which feeds it exec messages,
// configuration changes and the sync calls ([service.Syncer]), and routes
// the CLM library connections to it ([service.Library]).
//
// # Replication
//
// After every regular configuration each node multicasts its own record
// in one NODEJOIN during the sync round (SyncProcess). SyncActivate, which
// comes at the same point of the agreed stream on every member, adopts
// the new view: its number is the ring's sequence number divided by 4;
// its members are the ring's members. A member's record is the one it sent
// in the round; a member that sent none (a corosync node of a mixed ring
// runs no CLM) keeps the record it had if it stayed, else gets what
// [Config].Lookup knows, else its id alone with no address.
//
// A member is JOINED when it was not in the previous view, or when it left
// and came back since (it was missing from a transitional configuration in
// between, so a node that restarted within an interrupted round is JOINED
// again rather than NO_CHANGE); RECONFIGURED when it stayed but its
// address, name or boot time changed; and the previous view's nodes that
// are gone are LEFT. Track callbacks go out from SyncActivate, so every
// node's clients hear of a change at the same point of the stream; a view
// in which nothing changed (the ring re-formed with the same nodes) sends
// none.
//
// # Decisions where openais and the spec part
//
//   - nodeName is the name Config.Self carries, which the executive takes
//     from the nodelist name of the node or else sets to the printable
//     ring-0 address; openais always used the address.
//   - nodeId is the Totem node id.
//   - initialViewNumber is the first view the node adopted after it
//     started, as the node itself says in its NODEJOIN, so every node
//     reports the same value; for a node that sends no record, the view in
//     which this node saw it join, kept while it stays.
//   - Notification buffers are never truncated: every entry is returned
//     (openais truncated to the caller's array instead of NO_SPACE).
//   - ClusterNodeGet of a node outside the current view is NOT_EXIST;
//     ClusterNodeGetAsync of one is accepted and its callback carries
//     INVALID_PARAM, as openais did.
//   - Track flags of zero are BAD_FLAGS, like unknown bits and
//     TrackChanges with TrackChangesOnly.
//   - Requests are answered from the last adopted view, also while a sync
//     round runs; before the first view, TrackCurrent, ClusterNodeGet and
//     ClusterNodeGetAsync get TRY_AGAIN.
//
// # Wire format
//
// wire.go encodes and decodes NODEJOIN (function 0 of service 17); see
// the layout there. Integers are written little-endian and read in the
// sender's byte order; decoders return a [*DecodeError] naming the field
// and its offset. Malformed messages are dropped and counted ([CLM.Stats]).
// The library protocol lives in goais/client/clm (proto.go).
package clm
