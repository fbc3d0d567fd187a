// Package cpg is the replicated state of the closed process group service
// as corosync 3.1.7's exec/cpg.c keeps it (reference corosync-wire.md §6),
// so that a goais node and real corosync nodes in one ring agree on every
// group's members and deliver the same messages.
//
// The package is pure: no sockets, no goroutines, no clock. The executive
// feeds a [CPG] the ordered stream of exec messages and configuration
// changes (it implements [service.Syncer]), and the IPC glue calls the
// local client side ([CPG.Join], [CPG.Leave], [CPG.Mcast],
// [CPG.ClientGone]). Everything a connected library must hear goes out
// through the [Clients] interface.
//
// # Replicated state
//
// Every node holds the same process list: (nodeid, pid, group) entries
// sorted by nodeid, then pid. PROCJOIN and PROCLEAVE messages change it in
// agreed order; after each membership change the sync round repairs it:
// processes of nodes that left go (NODEDOWN), every node multicasts a
// JOINLIST of its own processes, processes of nodes that arrived are added
// (NODEUP), and remote processes that no JOINLIST mentioned are purged as
// zombies (PROCDOWN). A node's own processes are never touched by sync:
// only its own PROCLEAVE removes them.
//
// # Wire format
//
// wire.go and the files beside it encode and decode the seven exec
// messages of service 2 byte for byte (§6.1). Every field is 8-byte
// aligned as in corosync's structs, integers are written little-endian and
// read in the sender's byte order, and decoders return a [*DecodeError]
// naming the message, field and offset instead of panicking.
//
// # Local clients
//
// A [ClientID] is one library connection (corosync's cpg_pd). As in
// corosync a client joins at most one group at a time; it becomes a member
// when its own PROCJOIN comes back in agreed order, and that delivery is
// what hands it its first configuration change. Requests that need the
// ring fail with [service.ErrTryAgain] while a sync round is open or the
// send queue is full.
//
// # Wiring
//
// The executive registers the CPG with the service engine, which feeds it
// Deliver, ConfigChange and the Syncer calls. Around that it:
//
//   - calls Connect and ClientGone as library connections come and go,
//     and Join, Leave, Mcast, MembershipGet and Groups for their requests;
//   - may call SetSyncing(true) at each configuration change and
//     SetSyncing(false) from the engine's OnSyncComplete, to hold requests
//     for the whole round as corosync does (by itself CPG holds them from
//     the configuration change until its own SyncActivate);
//   - calls Flush when its send queue has room again and Pending reports
//     queued messages: the PROCLEAVEs of clients that died while the ring
//     was busy, and the later fragments of a large message.
package cpg
