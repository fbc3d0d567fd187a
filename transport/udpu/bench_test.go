package udpu_test

import (
	"fmt"
	"net/netip"
	"testing"

	"goais/transport"
	"goais/transport/internal/transporttest"
	"goais/transport/udpu"
)

var benchSizes = []int{64, 1400}

// BenchmarkSendMulticast measures Send of a burst of 16 multicasts to three
// members on 127.0.0.1-3 (48 datagrams per operation), as Totem sends a
// window of messages when it holds the token. The receivers are drained
// outside the timer every 64 operations.
func BenchmarkSendMulticast(b *testing.B) {
	const burst = 16
	for _, m := range modes {
		for _, size := range benchSizes {
			b.Run(fmt.Sprintf("%s/%dB", m.name, size), func(b *testing.B) {
				trs, err := startTransports(loopback3, freePort(b, loopback3[0]), m.batch)
				if err != nil {
					b.Fatal(err)
				}
				receivers := make([]transport.Transport, len(trs))
				for i, tr := range trs {
					defer tr.Close()
					receivers[i] = tr
				}
				dgs := make([]transport.Datagram, burst)
				for i := range dgs {
					dgs[i].Data = make([]byte, size)
				}
				transporttest.BenchSend(b, trs[0], receivers, dgs, burst*len(trs))
			})
		}
	}
}

// BenchmarkRecv measures Recv with 64 buffers: a batched peer fills the
// socket with 256 datagrams outside the timer, then the timed part takes
// them out. One operation is one datagram.
func BenchmarkRecv(b *testing.B) {
	const fill = 256
	for _, m := range modes {
		for _, size := range benchSizes {
			b.Run(fmt.Sprintf("%s/%dB", m.name, size), func(b *testing.B) {
				port := freePort(b, loopback3[0])
				two := loopback3[:2]
				rx, err := udpu.New(udpu.Config{Local: netip.AddrPortFrom(two[0], port), Members: members(two), BlockUnlistedIPs: true, Batch: m.batch})
				if err != nil {
					b.Fatal(err)
				}
				defer rx.Close()
				sender, err := udpu.New(udpu.Config{Local: netip.AddrPortFrom(two[1], port), Members: members(two), Batch: true})
				if err != nil {
					b.Fatal(err)
				}
				defer sender.Close()
				dgs := make([]transport.Datagram, fill)
				for i := range dgs {
					dgs[i] = transport.Datagram{To: 1, Data: make([]byte, size)}
				}
				transporttest.BenchRecv(b, sender, rx, dgs)
			})
		}
	}
}
