// Package cmap is the part of corosync's cmap service (service 0) that
// travels on the ring: the totem.config_version every node announces in
// sync, so that a goais node is a full member of a ring of corosync 3.1.7
// daemons (reference corosync-wire.md §5.3, §5.4). The configuration map
// itself (icmap and its library) is not here.
//
// The package is pure: no sockets, no goroutines, no clock. The executive
// registers a [CMAP] with its service engine, which feeds it exec messages,
// configuration changes and the sync calls ([service.Syncer]).
//
// # What goes on the wire
//
// In every sync round (SyncProcess) the node multicasts one MCAST, reason
// SYNC, with exactly one item, totem.config_version: a UINT64 when the
// configuration sets it (also to 0), else NOT_EXIST with no value, as
// corosync does; the latter is the 328-byte message real nodes send.
// Receivers record it as runtime.members.<id>.config_version.
//
// # Leaving a cluster whose configuration is newer
//
// SyncActivate mirrors corosync 3.1.7's cmap_sync_activate. On the first
// round that brings this node from a membership of its own into a shared
// one, if this node's config version is set and not 0 and another member
// reported a higher one in that round, the node logs, at error level,
// corosync's "Received config version (N) is different than my config
// version (M)! Exiting" and asks the executive to exit
// ([Config].Shutdown). The reference does this so that a node started with
// an outdated corosync.conf leaves instead of running in a cluster it is
// configured differently from (corosync-wire.md §7); doing the same keeps a
// mixed ring's behaviour independent of which nodes are goais. Later
// rounds (a partition healing, a node joining us) never shut down; nor
// does a node without a version or with version 0; nor does a member
// reporting a lower version than ours (that member is the outdated one
// and leaves by the same rule).
//
// Decisions where the reference is loose:
//
//   - The highest version is taken over the other members' reports, and
//     only a higher one shuts down, as the reference describes it (§5.3:
//     "if any other member reports a higher version"). The log text is
//     the 3.1.7 binary's, which says "different".
//   - corosync skips its startup round, whose transitional list is empty
//     ("Single node sync -> no action"), without using up the first
//     round. goais's Totem core carries a starting node into its
//     singleton ring with itself as the transitional member, so a round
//     whose members are this node alone is skipped the same way; otherwise
//     the startup round would use up the check before the node ever met
//     the cluster.
//   - NEW_CONFIG_VERSION (sent after a configuration reload) is recorded
//     for its sender and logged at info level; it never shuts down.
//
// # Wire format
//
// wire.go encodes and decodes MCAST (reference §5.4): every field 8-byte
// aligned, items of 280 bytes plus the value padded to 8, the header's
// size the whole message. Integers are written little-endian and read in
// the sender's byte order, numeric values included (as corosync's endian
// conversion swaps them by type). Decoders return a [*DecodeError] naming
// the field and its offset; malformed messages are dropped, counted
// ([CMAP.Stats]) and logged the first time and then at every power of two.
package cmap
