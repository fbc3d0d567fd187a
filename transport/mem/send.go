package mem

import (
	"time"

	"goais/totem/wire"
)

// Send hands one datagram from → to to the network at time now. The data is
// copied. The copy may be lost, duplicated, delayed or reordered according
// to the link's configuration, and is dropped if either end is detached or
// the path is cut.
func (n *Network) Send(now time.Time, from, to wire.NodeID, data []byte) {
	n.send(now, n.link(from, to), data)
}

// Multicast sends data from from to every attached node, from included, in
// ascending node order. This is what corosync's udpu transport does: it
// fans out to every nodelist member, itself included. Each copy goes
// through its own link, (from, from) for the self copy, and meets that
// link's faults independently; a partition never cuts the self copy.
func (n *Network) Multicast(now time.Time, from wire.NodeID, data []byte) {
	// send never changes n.order, so ranging over it directly is safe.
	for _, to := range n.order {
		n.send(now, n.link(from, to), data)
	}
}

func (n *Network) send(now time.Time, l *link, data []byte) {
	n.stats.Sent++
	if !l.src.attached || !l.dst.attached {
		n.stats.Unattached++
		return
	}
	if n.cut(l) {
		n.stats.Blocked++
		return
	}
	// Random numbers are drawn in a fixed order (loss, the first copy's
	// delay, duplication, the second copy's delay), and not at all for a
	// zero probability or jitter, so the stream of draws depends only on the
	// calls made and the configuration.
	c := n.config(l)
	if c.Loss > 0 && n.rng.Float64() < c.Loss {
		n.stats.Lost++
		return
	}
	n.schedule(now, l, c, data)
	if c.Dup > 0 && n.rng.Float64() < c.Dup {
		n.stats.Duplicated++
		n.schedule(now, l, c, data)
	}
}

// schedule queues one copy of data on l.
func (n *Network) schedule(now time.Time, l *link, c *LinkConfig, data []byte) {
	d := c.Delay
	if c.Jitter > 0 {
		d += time.Duration(n.rng.Uint64N(uint64(c.Jitter) + 1))
	}
	at := now.Add(d)
	if c.Reorder > 0 && n.rng.Float64() < c.Reorder {
		// Out of the FIFO discipline: lastAt is left alone so that the
		// next copies are not held back behind this one and overtake it.
		n.stats.Reordered++
		span := max(reorderFactor*(c.Delay+c.Jitter), reorderMin)
		at = at.Add(reorderMin + time.Duration(n.rng.Uint64N(uint64(span)+1)))
	} else {
		// FIFO: never overtake the previous in-order copy on this link.
		// Equal times are fine; seq keeps them in send order.
		if at.Before(l.lastAt) {
			at = l.lastAt
		}
		l.lastAt = at
	}
	n.q.push(item{at: at, seq: n.seq, link: l, data: n.copyData(data)})
	n.seq++
}
