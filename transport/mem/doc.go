// Package mem is a deterministic in-memory datagram network with fault
// injection. The discrete-event simulator (package sim) runs every Totem
// core on one [Network] in virtual time, and daemon tests use it in place of
// UDP sockets.
//
// # Usage
//
// Create a network with a seeded random source and a default link
// configuration, attach the nodes, then alternate between sending and
// delivering:
//
//	n := mem.NewNetwork(rand.New(rand.NewPCG(seed, 0)), mem.LinkConfig{Delay: time.Millisecond})
//	n.Attach(1)
//	n.Attach(2)
//	n.Multicast(now, 1, datagram)
//	for {
//		at, ok := n.Next() // when the simulator must wake up next
//		if !ok {
//			break
//		}
//		p, ok := n.Pop(at)
//		if !ok {
//			continue // dropped at delivery (partition, block)
//		}
//		deliver(p.To, p.From, p.Data)
//		n.Release(p)
//	}
//
// # Determinism
//
// The package has no goroutines, never reads the wall clock and never uses
// the global random source: time is the now argument of [Network.Send],
// [Network.Multicast] and [Network.Pop], and every random decision is drawn
// from the *rand.Rand given to [NewNetwork]. Two networks built from the same
// seed and driven by the same sequence of calls deliver the same packets, at
// the same times, in the same order. Multicast fans out in ascending node
// order, and packets due at the same instant come out in send order, so
// zero delay is still well defined.
//
// # Fault model
//
// Every directed link (from, to) has a [LinkConfig], the network default
// unless [Network.SetLink] overrides it. A node's own link (from, from)
// carries self-delivery and is faulted like any other link. For each copy
// handed to the network:
//
//   - Loss drops it before it is queued.
//   - Dup schedules a second, independent copy (own delay, own reordering).
//   - Each copy travels for Delay plus a uniform jitter in [0, Jitter].
//   - Links are FIFO: a copy never overtakes an earlier one on the same
//     link, so jitter alone does not reorder. With probability Reorder a
//     copy instead gets an extra delay, uniform between 1 ms and
//     1 ms + max(3×(Delay+Jitter), 1 ms), outside the FIFO discipline, so
//     that later copies overtake it. Reorder = 0 means the link never
//     reorders.
//
// Connectivity faults are [Network.Partition] (symmetric groups; a node is
// never cut from itself) and [Network.Block] (one direction, including a
// node's own link if asked for explicitly). They are checked twice: at send
// time, and again at delivery time, so a packet in flight when a partition
// starts is dropped when it falls due if the path is cut at that moment,
// while one sent before a heal still dies if the path is cut when it
// arrives. This models a cable pulled with packets on the wire, and it means
// [Network.Next] may announce a packet that [Network.Pop] then drops.
//
// Nodes come and go with [Network.Attach] and [Network.Detach]. A detached
// node (crashed, powered off) loses everything queued to it, cannot send,
// and everything sent to it is lost. Packets it sent before detaching stay
// in flight. [Stats] counts every outcome.
//
// # Buffer ownership
//
// Send and Multicast copy the datagram, so the caller may reuse its buffer
// at once. A [Packet] returned by Pop owns its Data; when the consumer is
// done with it, [Network.Release] returns the buffer to a free list that
// later sends reuse, which keeps the steady state free of per-packet
// allocations. Release each packet at most once and do not touch its Data
// afterwards. A packet that is never released is simply garbage collected.
//
// # Concurrency
//
// A Network is not safe for concurrent use. The simulator drives it from one
// goroutine; concurrent users must serialize calls themselves.
package mem
