package transporttest

import (
	"testing"

	"goais/transport"
)

// benchBuffers is how many packets the benchmarks receive into per Recv.
const benchBuffers = 64

// ReportPerDatagram adds ns/datagram and datagrams/s to a benchmark whose
// operations each moved perOp datagrams.
func ReportPerDatagram(b *testing.B, perOp int) {
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N*perOp)
	b.ReportMetric(ns, "ns/datagram")
	b.ReportMetric(1e9/ns, "datagrams/s")
}

// BenchSend times sender.Send(dgs), one call per operation, as Totem sends
// a window of messages when it holds the token. Every one of receivers gets
// len(dgs) datagrams per operation; they are drained outside the timer every
// 64 operations, so that their queues never overflow (an overflowing queue
// makes sending cheaper than it is). perOp is the number of datagrams one
// operation hands to the kernel, for the per-datagram figures.
func BenchSend(b *testing.B, sender transport.Transport, receivers []transport.Transport, dgs []transport.Datagram, perOp int) {
	const drainEvery = 64
	pkts := Packets(benchBuffers, transport.MaxDatagram)
	owed := 0
	drain := func() {
		for _, rx := range receivers {
			RecvN(b, rx, pkts, owed)
		}
		owed = 0
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := sender.Send(dgs); err != nil {
			b.Fatal(err)
		}
		owed += len(dgs)
		if i%drainEvery == drainEvery-1 {
			b.StopTimer()
			drain()
			b.StartTimer()
		}
	}
	b.StopTimer()
	ReportPerDatagram(b, perOp)
}

// BenchRecv times rx.Recv with 64 buffers: sender fills rx's socket with
// (up to) all of dgs, each addressed to rx, outside the timer; then the
// timed part takes them out. One operation is one datagram.
func BenchRecv(b *testing.B, sender, rx transport.Transport, dgs []transport.Datagram) {
	pkts := Packets(benchBuffers, transport.MaxDatagram)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		k := min(len(dgs), b.N-done)
		b.StopTimer()
		if err := sender.Send(dgs[:k]); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		RecvN(b, rx, pkts, k)
		done += k
	}
	b.StopTimer()
	ReportPerDatagram(b, 1)
}
