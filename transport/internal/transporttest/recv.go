package transporttest

import (
	"errors"
	"testing"
	"time"

	"goais/transport"
)

// Packets returns n packets with bufSize-byte buffers.
func Packets(n, bufSize int) []transport.Packet {
	pkts := make([]transport.Packet, n)
	for i := range pkts {
		pkts[i].Buf = make([]byte, bufSize)
	}
	return pkts
}

// RecvN receives exactly n datagrams into pkts (Recv blocks until each
// arrives). It allocates nothing, so that allocation tests can call it.
func RecvN(tb testing.TB, tr transport.Transport, pkts []transport.Packet, n int) {
	for n > 0 {
		k, err := tr.Recv(pkts[:min(n, len(pkts))])
		if err != nil {
			tb.Fatal(err)
		}
		n -= k
	}
}

// CheckCloseUnblocksRecv closes tr while a Recv waits on it: that Recv,
// every later Send and Recv return transport.ErrClosed, and a second Close
// does nothing.
func CheckCloseUnblocksRecv(t *testing.T, tr transport.Transport) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		_, err := tr.Recv(Packets(2, transport.MaxDatagram))
		errc <- err
	}()
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, transport.ErrClosed) {
			t.Fatalf("Recv after Close: %v, want ErrClosed", err)
		}
	case <-time.After(WaitLimit):
		t.Fatal("Recv still blocked after Close")
	}
	if err := tr.Send([]transport.Datagram{{Data: []byte("x")}}); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Send after Close: %v, want ErrClosed", err)
	}
	if _, err := tr.Recv(make([]transport.Packet, 1)); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Recv after Close: %v, want ErrClosed", err)
	}
	if err := tr.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
