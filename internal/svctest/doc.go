// Package svctest runs services on a few in-process nodes that share one
// agreed-order message stream, with a real IPC server per node, so that
// client libraries and services can be tested end to end without Totem,
// sockets between nodes or daemon processes.
//
// A [Cluster] has one loop goroutine that owns every node's
// [service.Engine] and services, as the executive's loop does: IPC events
// of all nodes, test actions ([Cluster.Do], [Cluster.Crash], [Cluster.Add])
// and deliveries all run on it. Env.Mcast and the engines' sync messages
// append to the stream; the loop delivers the stream to every live node in
// order after each event, never inside the call that sent. Configuration
// changes are delivered in order with the messages: the transitional
// configuration, then the regular one, which starts the engines' real sync
// protocol.
package svctest
