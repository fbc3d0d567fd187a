package udp_test

import (
	"testing"

	"goais/transport"
	"goais/transport/internal/transporttest"
	"goais/transport/udp"
)

// TestSteadyStateDoesNotAllocate: node 2 multicasts joins (which every node
// learns from) and node 1 sends it a token by its learned address, all
// received in this goroutine. Once the address is learned and the buffers
// grown, none of it may allocate.
func TestSteadyStateDoesNotAllocate(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			lan := newLAN(t)
			trs := make([]*udp.Transport, len(lan.Hosts))
			for i, h := range lan.Hosts {
				if err := h.Do(func() (err error) {
					trs[i], err = udp.New(udp.Config{Local: hostAddr4[i], Group: group4, Batch: m.batch})
					return err
				}); err != nil {
					t.Fatal(err)
				}
				defer trs[i].Close()
			}
			hello := []transport.Datagram{{To: 0, Data: join(2)}}
			token := []transport.Datagram{{To: 2, Data: make([]byte, 100)}}
			pkts := transporttest.Packets(4, transport.MaxDatagram)
			round := func() {
				if err := trs[1].Send(hello); err != nil {
					t.Fatal(err)
				}
				for _, tr := range trs {
					transporttest.RecvN(t, tr, pkts, 1)
				}
				if err := trs[0].Send(token); err != nil {
					t.Fatal(err)
				}
				transporttest.RecvN(t, trs[1], pkts, 1)
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
