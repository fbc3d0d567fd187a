package pg_test

import (
	"fmt"

	"goais/totem/pg"
)

// queue stands in for the Totem core's new-message queue.
type queue struct{ packets [][]byte }

func (q *queue) Propose(b []byte) error {
	q.packets = append(q.packets, append([]byte(nil), b...))
	return nil
}

func (q *queue) Room() int { return 1000 }

func Example() {
	q := &queue{}
	p := pg.NewPacker(pg.DefaultPacketSize, q)
	_ = p.Mcast([]string{"a"}, []byte("hello"))
	_ = p.Mcast([]string{"sync"}, make([]byte, 3000)) // fragmented
	_ = p.Flush()                                     // the token arrived

	a := pg.NewAssembler()
	for _, packet := range q.packets {
		// The Totem core hands over each MCAST payload in agreed order,
		// with the sender's nodeid and byte order.
		err := a.Deliver(2, packet, false, func(msg []byte) {
			if payload, ok, _ := pg.MatchGroup(msg, "a", false); ok {
				fmt.Printf("a: %q\n", payload)
			}
			if payload, ok, _ := pg.MatchGroup(msg, "sync", false); ok {
				fmt.Printf("sync: %d bytes\n", len(payload))
			}
		})
		if err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println(len(q.packets), "packets")
	// Output:
	// a: "hello"
	// sync: 3000 bytes
	// 3 packets
}
