package udp_test

import (
	"fmt"
	"testing"

	"goais/transport"
	"goais/transport/internal/transporttest"
	"goais/transport/udp"
)

var benchSizes = []int{64, 1400}

// benchNodes starts a transport on every host of a fresh LAN; host 0 uses
// batch, the others batch on. members, if not nil, is every node's member
// list.
func benchNodes(b *testing.B, batch bool, members []transport.Member) []transport.Transport {
	lan := newLAN(b)
	trs := make([]transport.Transport, len(lan.Hosts))
	for i, h := range lan.Hosts {
		mode := true
		if i == 0 {
			mode = batch
		}
		if err := h.Do(func() error {
			tr, err := udp.New(udp.Config{Local: hostAddr4[i], Group: group4, Batch: mode, Members: members})
			if err == nil {
				trs[i] = tr
			}
			return err
		}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { trs[i].Close() })
	}
	return trs
}

// payload returns a datagram of size bytes that starts like a Totem MCAST,
// the bulk of real traffic.
func payload(size int) []byte {
	m := mcast(2, "")
	if size <= len(m) {
		return m[:size]
	}
	return append(m, make([]byte, size-len(m))...)
}

// BenchmarkSendMulticast measures Send of a burst of 16 multicasts (one
// datagram each, which the bridge copies to three hosts, the sender's own
// copy coming back by multicast loopback). The hosts are drained outside
// the timer every 64 operations.
func BenchmarkSendMulticast(b *testing.B) {
	const burst = 16
	for _, m := range modes {
		for _, size := range benchSizes {
			b.Run(fmt.Sprintf("%s/%dB", m.name, size), func(b *testing.B) {
				trs := benchNodes(b, m.batch, nil)
				dgs := make([]transport.Datagram, burst)
				for i := range dgs {
					dgs[i].Data = payload(size)
				}
				transporttest.BenchSend(b, trs[0], trs, dgs, burst)
			})
		}
	}
}

// BenchmarkRecv measures Recv with 64 buffers on host 0: host 1 fills its
// socket with 256 unicasts outside the timer, then the timed part takes
// them out (learning check included). One operation is one datagram.
func BenchmarkRecv(b *testing.B) {
	const fill = 256
	for _, m := range modes {
		for _, size := range benchSizes {
			b.Run(fmt.Sprintf("%s/%dB", m.name, size), func(b *testing.B) {
				trs := benchNodes(b, m.batch, []transport.Member{{NodeID: 1, Addr: hostAddr4[0]}})
				dgs := make([]transport.Datagram, fill)
				for i := range dgs {
					dgs[i] = transport.Datagram{To: 1, Data: payload(size)}
				}
				transporttest.BenchRecv(b, trs[1], trs[0], dgs)
			})
		}
	}
}
