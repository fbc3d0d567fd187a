package mem_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"goais/totem/wire"
	"goais/transport/mem"
)

func Example() {
	n := mem.NewNetwork(rand.New(rand.NewPCG(1, 2)), mem.LinkConfig{Delay: time.Millisecond})
	for id := wire.NodeID(1); id <= 3; id++ {
		n.Attach(id)
	}
	n.Partition([]wire.NodeID{1, 2}, []wire.NodeID{3})

	start := time.Unix(0, 0).UTC()
	n.Multicast(start, 1, []byte("hello"))
	for {
		at, ok := n.Next()
		if !ok {
			break
		}
		p, ok := n.Pop(at)
		if !ok {
			continue
		}
		fmt.Printf("%v: %d→%d %s\n", p.At.Sub(start), p.From, p.To, p.Data)
		n.Release(p)
	}
	fmt.Printf("%+v\n", n.Stats())
	// Output:
	// 1ms: 1→1 hello
	// 1ms: 1→2 hello
	// {Sent:3 Delivered:2 Lost:0 Duplicated:0 Reordered:0 Blocked:1 Unattached:0}
}
