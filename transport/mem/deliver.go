package mem

import "time"

// Next returns the earliest delivery time among the queued packets, and
// false if nothing is queued. The packet may still be dropped by Pop if its
// path is cut when it falls due.
func (n *Network) Next() (time.Time, bool) {
	if n.q.len() == 0 {
		return time.Time{}, false
	}
	return n.q.items[0].at, true
}

// Pop removes and returns the earliest packet due at or before now; among
// packets due at the same time the one sent first comes first. It returns
// false if no packet is due. Packets whose path is cut at the time of the
// call are dropped (counted as Blocked) and skipped.
//
// The returned Data belongs to the caller; give it back with
// [Network.Release] once done to avoid an allocation on a later send.
func (n *Network) Pop(now time.Time) (Packet, bool) {
	for n.q.len() > 0 && !n.q.items[0].at.After(now) {
		it := n.q.pop()
		if n.cut(it.link) {
			n.stats.Blocked++
			n.recycle(it.data)
			continue
		}
		n.stats.Delivered++
		return Packet{From: it.link.src.id, To: it.link.dst.id, Data: it.data, At: it.at}, true
	}
	return Packet{}, false
}

// Pending returns the number of queued packets, including ones that Pop will
// drop because their path is cut.
func (n *Network) Pending() int { return n.q.len() }

// Release returns the buffer of a packet obtained from Pop to the network
// for reuse by later sends. Call it at most once per packet, and do not use
// p.Data afterwards: the next send may overwrite it. Releasing is optional.
func (n *Network) Release(p Packet) { n.recycle(p.Data) }

func (n *Network) recycle(b []byte) {
	if cap(b) > 0 {
		n.free = append(n.free, b[:0])
	}
}

// copyData copies data into a buffer from the free list, or a new one if
// the list is empty. A free buffer that is too small is dropped and replaced
// by a bigger one, so with varied sizes the pool converges on buffers of the
// largest size in use and stops allocating.
func (n *Network) copyData(data []byte) []byte {
	var buf []byte
	if k := len(n.free); k > 0 {
		buf = n.free[k-1]
		n.free[k-1] = nil
		n.free = n.free[:k-1]
	}
	return append(buf[:0], data...)
}
