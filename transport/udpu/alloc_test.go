package udpu_test

import (
	"testing"

	"goais/transport"
	"goais/transport/internal/transporttest"
)

// TestSteadyStateDoesNotAllocate sends a multicast and a unicast and
// receives them on every node, all in one goroutine: once the buffers are
// grown, none of it may allocate.
func TestSteadyStateDoesNotAllocate(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			trs, err := startTransports(loopback3, freePort(t, loopback3[0]), m.batch)
			if err != nil {
				t.Fatal(err)
			}
			for _, tr := range trs {
				defer tr.Close()
			}
			dgs := []transport.Datagram{{To: 0, Data: make([]byte, 1400)}, {To: 2, Data: make([]byte, 64)}}
			pkts := transporttest.Packets(4, transport.MaxDatagram)
			// Each node receives the multicast; node 2 also the unicast.
			want := []int{1, 2, 1}
			round := func() {
				if err := trs[0].Send(dgs); err != nil {
					t.Fatal(err)
				}
				for i, tr := range trs {
					transporttest.RecvN(t, tr, pkts, want[i])
				}
			}
			for range 100 {
				round()
			}
			if a := testing.AllocsPerRun(1000, round); a != 0 {
				t.Fatalf("%v allocations per round, want 0", a)
			}
		})
	}
}
