package pg

import "testing"

// Packing 100-byte service messages: about 13 share each packet.
func BenchmarkPackSmall(b *testing.B) {
	p := NewPacker(0, &discardSink{})
	payload := make([]byte, 100)
	groups := []string{"a"}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	i := 0
	for b.Loop() {
		if err := p.Mcast(groups, payload); err != nil {
			b.Fatal(err)
		}
		if i++; i%64 == 0 { // a token visit now and then
			_ = p.Flush()
		}
	}
}

// Fragmenting a 64 KiB message into 47 packets.
func BenchmarkPackFragment64K(b *testing.B) {
	p := NewPacker(0, &discardSink{})
	payload := make([]byte, 64<<10)
	groups := []string{"a"}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if err := p.Mcast(groups, payload); err != nil {
			b.Fatal(err)
		}
		_ = p.Flush()
	}
}

// packetsFor packs n messages of size bytes and returns the packets.
func packetsFor(b *testing.B, n, size int) [][]byte {
	sink := newRecordSink()
	p := NewPacker(0, sink)
	for i := range n {
		if err := p.Mcast([]string{"a"}, pattern(i, size)); err != nil {
			b.Fatal(err)
		}
	}
	_ = p.Flush()
	return sink.packets
}

// Unpacking packets of 100-byte messages; reported per packet.
func BenchmarkAssembleSmall(b *testing.B) {
	packets := packetsFor(b, 13*64, 100)
	a := NewAssembler()
	n := 0
	fn := func([]byte) { n++ }
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := a.Deliver(1, packets[i%len(packets)], false, fn); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// Reassembling a 64 KiB message from its 47 fragments.
func BenchmarkAssembleFragment64K(b *testing.B) {
	packets := packetsFor(b, 1, 64<<10)
	a := NewAssembler()
	fn := func([]byte) {}
	b.ReportAllocs()
	b.SetBytes(64 << 10)
	for b.Loop() {
		for _, pk := range packets {
			if err := a.Deliver(1, pk, false, fn); err != nil {
				b.Fatal(err)
			}
		}
	}
}
