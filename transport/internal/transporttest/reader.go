package transporttest

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"goais/transport"
)

// WaitLimit bounds every wait in the transport tests.
const WaitLimit = 10 * time.Second

// Got is one received datagram, copied out of the receive buffer.
type Got struct {
	Data string
	From netip.AddrPort
}

// Reader runs Recv on a transport in a goroutine and feeds what arrives
// into RX.
type Reader struct {
	RX   chan Got
	Done chan error // the reader's final error
}

// StartReader runs Recv with npkts buffers of bufSize bytes until the
// transport closes. The test's cleanup closes the transport and waits for
// the reader.
func StartReader(tb testing.TB, tr transport.Transport, npkts, bufSize int) *Reader {
	r := &Reader{RX: make(chan Got, 1024), Done: make(chan error, 1)}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pkts := Packets(npkts, bufSize)
		for {
			k, err := tr.Recv(pkts)
			if err != nil {
				r.Done <- err
				return
			}
			for _, p := range pkts[:k] {
				select {
				case r.RX <- Got{string(p.Data()), p.From}:
				case <-stop:
					return
				}
			}
		}
	}()
	tb.Cleanup(func() {
		close(stop)
		tr.Close()
		wg.Wait()
	})
	return r
}

// Expect waits for the next datagram and checks its bytes and source; who
// names the receiver in failure messages.
//
// A from with a zero port matches any port of that address, and an invalid
// from matches any source (a node's copy of its own multicast may carry
// any of its addresses).
func (r *Reader) Expect(tb testing.TB, who, data string, from netip.AddrPort) {
	tb.Helper()
	select {
	case g := <-r.RX:
		fromOK := !from.IsValid() || g.From == from || (from.Port() == 0 && g.From.Addr() == from.Addr())
		if g.Data != data || !fromOK {
			tb.Fatalf("%s received %q from %v, want %q from %v", who, Trim(g.Data), g.From, Trim(data), from)
		}
	case err := <-r.Done:
		tb.Fatalf("%s: Recv failed while waiting for %q: %v", who, Trim(data), err)
	case <-time.After(WaitLimit):
		tb.Fatalf("%s received nothing in %v, want %q from %v", who, WaitLimit, Trim(data), from)
	}
}

// Trim keeps failure messages short for big datagrams.
func Trim(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%s...(%d bytes)", s[:20], len(s))
	}
	return s
}
