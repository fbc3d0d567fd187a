package sim

import (
	"fmt"
	"testing"

	"goais/totem"
)

// BenchmarkDelivered measures one Delivered call on a ring of n nodes where
// every node delivers every message in the same order (so each call checks
// against up to n-1 earlier deliverers). One op also carries 1/n of the
// message's Sent. Like a simulator run, a fresh checker starts every 2^20
// deliveries. In the safe variant every message is safe and the holder
// query (answering true) is asked for the members that have not delivered
// it yet.
func BenchmarkDelivered(b *testing.B) {
	for _, safe := range []bool{false, true} {
		for _, n := range []int{5, 16} {
			name := fmt.Sprintf("agreed/nodes=%d", n)
			if safe {
				name = fmt.Sprintf("safe/nodes=%d", n)
			}
			b.Run(name, func(b *testing.B) { benchDelivered(b, n, safe) })
		}
	}
}

func benchDelivered(b *testing.B, n int, safe bool) {
	nodes := make([]totem.NodeID, n)
	for i := range nodes {
		nodes[i] = totem.NodeID(i + 1)
	}
	ring := totem.RingID{Rep: 1, Seq: 4}
	fresh := func() *Checker {
		c := NewChecker(nodes)
		c.SetHolder(func(totem.NodeID, totem.RingID, uint32) bool { return true })
		for _, x := range nodes {
			c.Config(0, x, totem.ConfigChange{Type: totem.Transitional, Ring: ring, Members: []totem.NodeID{x}})
			c.Config(0, x, totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: nodes, Joined: chkMinus(nodes, []totem.NodeID{x})})
		}
		return c
	}
	c := fresh()
	var id MsgID
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if i == 1<<20 {
			c, i = fresh(), 0
		}
		k := i % n
		if k == 0 {
			m := i / n
			id = MsgID{Origin: nodes[m%n], Counter: uint64(m/n + 1)}
			c.Sent(0, id.Origin, id, safe, 42)
		}
		c.Delivered(0, nodes[k], id, 42, ring, uint32(i/n+1), safe)
		i++
	}
	if err := c.Err(); err != nil {
		b.Fatal(err)
	}
}
