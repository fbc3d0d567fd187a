package udpsock

import (
	"log/slog"
	"net/netip"
	"testing"

	"goais/transport"
)

// TestKeepCompactsAroundDrops hands keep a batch as recvmmsg leaves it: a
// truncated datagram (N < 0) and one that Accept refuses sit between
// accepted ones. The accepted ones must come first, in order, each with the
// buffer that holds its bytes, and be counted.
func TestKeepCompactsAroundDrops(t *testing.T) {
	from := netip.MustParseAddrPort("10.0.0.1:5405")
	stranger := netip.MustParseAddrPort("10.0.0.9:5405")
	var rejected int
	s := &Socket{log: slog.New(slog.DiscardHandler), accept: func(p *transport.Packet) bool {
		if p.From == stranger {
			rejected++
			return false
		}
		return true
	}}
	pkt := func(data string, n int, src netip.AddrPort) transport.Packet {
		return transport.Packet{Buf: []byte(data), N: n, From: src}
	}
	pkts := []transport.Packet{
		pkt("a", 1, from),
		pkt("trunc", -1, from),
		pkt("b-", 1, from), // only the first byte was received
		pkt("x", 1, stranger),
		pkt("ccc", 3, from),
	}
	if n := s.keep(pkts); n != 3 {
		t.Fatalf("kept %d, want 3", n)
	}
	for i, want := range []string{"a", "b", "ccc"} {
		if got := string(pkts[i].Data()); got != want || pkts[i].From != from {
			t.Fatalf("entry %d holds %q from %v, want %q from %v", i, got, pkts[i].From, want, from)
		}
	}
	if st := s.Stats(); rejected != 1 || st.Truncated != 1 || st.RecvDatagrams != 3 || st.RecvBytes != 5 {
		t.Fatalf("rejected %d, stats %+v; want 1 rejected, 1 truncated, 3 datagrams of 5 bytes", rejected, st)
	}
	// Every buffer is still somewhere in pkts: exchanged, never lost.
	seen := map[string]bool{}
	for _, p := range pkts {
		seen[string(p.Buf)] = true
	}
	if len(seen) != 5 {
		t.Fatalf("buffers after keep: %v, want all five", seen)
	}
}
