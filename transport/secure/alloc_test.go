package secure

import (
	"testing"

	"goais/transport"
)

// TestSendDoesNotAllocate: once the sealing buffers have grown, Send
// allocates nothing.
func TestSendDoesNotAllocate(t *testing.T) {
	tr, err := New(Config{Inner: &discard{}, Key: testKey(t, 1), NodeID: 1})
	if err != nil {
		t.Fatal(err)
	}
	dgs := []transport.Datagram{{To: 0, Data: make([]byte, 1400)}, {To: 2, Data: make([]byte, 64)}, {To: 0, Data: make([]byte, 9000)}}
	send := func() {
		if err := tr.Send(dgs); err != nil {
			t.Fatal(err)
		}
	}
	send()
	if a := testing.AllocsPerRun(1000, send); a != 0 {
		t.Fatalf("%v allocations per Send, want 0", a)
	}
}

// TestRecvDoesNotAllocate: a steady exchange (Send, then Recv of every
// datagram) allocates nothing, on the fake inner transport that recycles
// its buffers.
func TestRecvDoesNotAllocate(t *testing.T) {
	var fn fakeNet
	a, b := newNode(t, &fn, 1), newNode(t, &fn, 2)
	dgs := []transport.Datagram{{To: 2, Data: make([]byte, 1400)}, {To: 2, Data: make([]byte, 64)}}
	pkts := packets(4)
	round := func() {
		if err := a.Send(dgs); err != nil {
			t.Fatal(err)
		}
		for got := 0; got < len(dgs); {
			k, err := b.Recv(pkts)
			if err != nil {
				t.Fatal(err)
			}
			got += k
		}
	}
	for range 10 {
		round()
	}
	if n := testing.AllocsPerRun(1000, round); n != 0 {
		t.Fatalf("%v allocations per round, want 0", n)
	}
}
