// Package evs is the extended virtual synchrony service (service id 16),
// openais's exec/evs.c: library connections join 32-byte groups and
// multicast messages to groups; every connection, on any node, that joined
// one of a message's groups receives it in agreed order, the sender's own
// connection included, and every connection receives each node-level
// configuration change in order with the messages.
//
// The package is pure: no sockets, goroutines or clock. An [EVS] is a
// [service.Service] fed the ordered stream of exec messages and
// configuration changes, a [service.Library] that serves the client
// library goais/client/evs (whose proto.go defines the request, response
// and callback bodies), and a [service.SyncWatcher].
//
// # Replicated and local state
//
// Groups are local: a join or leave changes only the connection's own set
// and sends nothing, as in openais. What is replicated is the stream of
// MCAST exec messages (wire.go), each carrying its destination groups, so
// every node decides delivery to its own connections from the message
// alone. EVS keeps no state to synchronise after a membership change and
// is not a [service.Syncer]; it only holds multicasts (TRY_AGAIN) while the
// engine's sync round is open, as corosync's sync_in_process did, so that
// no message of the new ring overtakes the other services' sync.
//
// # Requests
//
//	join            add groups; > 50 in one call or > 1024 in all: EVS_ERR_TOO_MANY_GROUPS (30)
//	leave           remove groups; one not joined: NOT_EXIST, none removed
//	mcast_joined    to the connection's groups; none joined: NOT_EXIST
//	mcast_groups    to the groups named; none: INVALID_PARAM; > 1024: TOO_MANY_GROUPS
//	membership_get  this node's id and the members of the latest configuration change
//
// A multicast longer than client/evs.MaxMessage(groups) gets TOO_BIG, one
// made while syncing or while the send queue is full TRY_AGAIN. Every
// guarantee (UNORDERED, FIFO, AGREED, SAFE) is accepted and delivered in
// agreed order: openais did the same. A malformed body gets INVALID_PARAM
// and the connection stays; a malformed exec message is dropped, counted
// in [Stats] and logged (the first, then one in a thousand, as warnings).
//
// # Wiring
//
// The executive registers the EVS with the service engine, which feeds it
// Deliver, ConfigChange and SetSyncing, and routes the IPC connections
// whose hello names service 16 to LibConnect, LibRequest and
// LibDisconnect. Like the engine, an EVS starts out syncing: it sends
// nothing until the engine's first SetSyncing(false), at the end of the
// first sync round.
package evs
