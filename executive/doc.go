// Package executive is the aisexec daemon minus its command line: one event
// loop goroutine that owns the Totem core and every piece of service state,
// fed by a transport reader goroutine, the local IPC server and timers.
//
// # The loop
//
// Run starts one goroutine that reads datagrams from the transport in
// batches into preallocated buffers and hands each batch to the loop over a
// channel; the loop steps the core with every datagram and returns the
// batch for reuse, so receiving allocates nothing per datagram. After every
// input the loop acts on the core's Ready in the order the core requires:
// persist the ring seq, send the datagrams, then deliver the events upward
// (packing layer, services, logs). Timers come from the core's next
// deadline. Nothing else touches the core, so the protocol needs no locks.
//
// Requests from local clients arrive as ipc events and are answered from
// the loop; a client never runs code on the loop's behalf and the loop never
// blocks on a client (package ipc queues replies and drops clients that do
// not read them).
//
// # Process pauses
//
// The loop also checks that it is being scheduled: if more than 0.8 × token
// passes between two wake-ups it logs, as corosync does, that the main
// process was not scheduled and that the token timeout may be too short.
// The token path allocates nothing per message and the daemon raises the GC
// target (see cmd/aisexec), so a collection never costs a token.
//
// # Services
//
// The cfg service (service id 1, as in corosync) answers ais-cfgtool: ring
// status, the member list and shutdown. A small load service (id 32, not a
// corosync id, so real corosync nodes ignore its messages) sends numbered
// messages and checks at every node that none is lost, duplicated or
// reordered; the multi-process and network tests use it. The service engine
// with sync, CPG, EVS and CLM builds on the same loop.
package executive
