package udpsock

import (
	"errors"
	"log/slog"
	"net/netip"
	"testing"

	"goais/transport"
)

// modes are the two I/O paths.
var modes = []struct {
	name  string
	batch bool
}{{"single", false}, {"batch", true}}

// openPair opens two sockets on loopback addresses with kernel-chosen
// ports, and a Dest for each.
func openPair(t testing.TB, batch bool) (socks [2]*Socket, dests [2]*Dest) {
	t.Helper()
	for i, bind := range []string{"127.0.0.1:0", "127.0.0.2:0"} {
		s, err := Open(Config{Name: "test", Network: "udp4", Bind: netip.MustParseAddrPort(bind), Batch: batch, MTU: 1500, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		d, err := NewDest(s.LocalAddr())
		if err != nil {
			t.Fatal(err)
		}
		socks[i], dests[i] = s, d
	}
	return socks, dests
}

func packets(n int) []transport.Packet {
	pkts := make([]transport.Packet, n)
	for i := range pkts {
		pkts[i].Buf = make([]byte, transport.MaxDatagram)
	}
	return pkts
}

// recvN receives exactly n datagrams into pkts (Recv blocks until each
// arrives) and returns the last one.
func recvN(t testing.TB, s *Socket, pkts []transport.Packet, n int) transport.Packet {
	var last transport.Packet
	for n > 0 {
		k, err := s.Recv(pkts[:min(n, len(pkts))])
		if err != nil {
			t.Fatal(err)
		}
		last = pkts[k-1]
		n -= k
	}
	return last
}

// TestQueueFlushRecv sends to both sockets from one, refusing an oversize
// datagram on the way, and checks what arrives and what is counted.
func TestQueueFlushRecv(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			socks, dests := openPair(t, m.batch)
			a, b := socks[0], socks[1]
			if a.Batched() != m.batch {
				t.Fatalf("Batched() = %v, want %v", a.Batched(), m.batch)
			}
			a.Queue(dests[1], []byte("to b"))
			a.Queue(dests[1], make([]byte, 65508)) // one byte more than IPv4 carries
			a.Queue(dests[0], []byte("to self"))
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
			pkts := packets(4)
			if p := recvN(t, b, pkts, 1); string(p.Data()) != "to b" || p.From != a.LocalAddr() {
				t.Fatalf("b received %q from %v, want %q from %v", p.Data(), p.From, "to b", a.LocalAddr())
			}
			if p := recvN(t, a, pkts, 1); string(p.Data()) != "to self" || p.From != a.LocalAddr() {
				t.Fatalf("a received %q from %v, want %q from itself", p.Data(), p.From, "to self")
			}
			a.CountUnknownTargets(2)
			a.CountRejected()
			want := transport.Stats{SentDatagrams: 2, SentBytes: 11, SendErrors: 1, RecvDatagrams: 1, RecvBytes: 7, Rejected: 1, UnknownTargets: 2}
			if st := a.Stats(); st != want {
				t.Fatalf("stats %+v, want %+v", st, want)
			}
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			if err := a.Flush(); !errors.Is(err, transport.ErrClosed) {
				t.Fatalf("Flush after Close: %v, want ErrClosed", err)
			}
			if _, err := a.Recv(pkts); !errors.Is(err, transport.ErrClosed) {
				t.Fatalf("Recv after Close: %v, want ErrClosed", err)
			}
		})
	}
}

// TestSteadyStateDoesNotAllocate sends a burst to both sockets and receives
// it, all in one goroutine: once the buffers are grown, none of it may
// allocate on either path.
func TestSteadyStateDoesNotAllocate(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			socks, dests := openPair(t, m.batch)
			data := [][]byte{make([]byte, 1400), make([]byte, 64), make([]byte, 700)}
			pkts := packets(4)
			round := func() {
				for _, d := range data {
					for _, to := range dests {
						socks[0].Queue(to, d)
					}
				}
				if err := socks[0].Flush(); err != nil {
					t.Fatal(err)
				}
				for _, s := range socks {
					recvN(t, s, pkts, len(data))
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
