package secure

import (
	"bytes"
	"errors"
	"testing"

	"goais/transport"
)

// fuzzSalt makes the fuzz sender's datagrams the same in every run, so that
// a corpus of them stays meaningful.
var fuzzSalt = [saltSize]byte{0x5a, 1, 2, 3, 4, 5, 6, 7}

// genuine seals a few datagrams from node 1 with the fuzz salt and key seed
// 1, and returns them with their plaintexts.
func genuine(tb testing.TB) (sealed, plain [][]byte) {
	end := (&fakeNet{}).attach(1)
	end.record = true
	tr, err := newTransport(Config{Inner: end, Key: testKey(tb, 1), NodeID: 1, Start: 1 << 40}, fuzzSalt)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range [][]byte{{0}, []byte("hello"), payload(100, 1), payload(1472, 2)} {
		if err := tr.Send([]transport.Datagram{{To: 0, Data: p}}); err != nil {
			tb.Fatal(err)
		}
		plain = append(plain, p)
	}
	return end.sent(), plain
}

// FuzzOpen feeds arbitrary bytes to the receive path of a fresh receiver
// with the cluster key and to the envelope decoder. Nothing panics, and
// nothing is accepted but a byte-exact genuine datagram, which must then
// decrypt to its plaintext. Every drop moves exactly one counter.
func FuzzOpen(f *testing.F) {
	sealed, plain := genuine(f)
	for _, s := range sealed {
		f.Add(s)
		f.Add(s[:len(s)-1])
		flipped := bytes.Clone(s)
		flipped[HeaderSize] ^= 0x80
		f.Add(flipped)
	}
	f.Add([]byte{0x70, 0xc0, 1, 2})
	f.Add(append([]byte{0xc0, 0x70}, make([]byte, 60)...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, v := parse(data); v == accepted && (len(data) < Overhead+1 || data[0] != version) {
			t.Fatalf("parse accepted %d bytes starting %#x", len(data), data[:min(1, len(data))])
		}

		var fn fakeNet
		end := fn.attach(2)
		rx, err := New(Config{Inner: end, Key: testKey(t, 1), NodeID: 2})
		if err != nil {
			t.Fatal(err)
		}
		end.inject(end.addr, data)
		pkts := packets(2)
		k, err := rx.Recv(pkts)
		if (k == 0 && !errors.Is(err, errDrained)) || (k > 0 && err != nil) {
			t.Fatalf("Recv = %d, %v; want the datagram or the fake's drained error", k, err)
		}
		s := rx.Stats()
		drops := s.BadDigest + s.ShortEnvelope + s.Plaintext + s.Replayed
		want := -1
		for i, g := range sealed {
			if bytes.Equal(g, data) {
				want = i
			}
		}
		switch {
		case want < 0 && (k != 0 || drops != 1):
			t.Fatalf("%d bytes %x: accepted %d, %d drops counted; want dropped once", len(data), head(data), k, drops)
		case want >= 0 && (k != 1 || drops != 0 || !bytes.Equal(pkts[0].Data(), plain[want])):
			t.Fatalf("genuine datagram %d: accepted %d (%x), %d drops", want, k, head(pkts[0].Data()), drops)
		}
	})
}

// FuzzRoundTrip seals an arbitrary payload from an arbitrary nodeid and
// opens it on another node: the payload comes out unchanged. A nodeid of 0
// must be refused by New, and an empty payload by Send.
func FuzzRoundTrip(f *testing.F) {
	_, plain := genuine(f)
	for i, p := range plain {
		f.Add(p, uint32(i+1), uint64(i)<<50)
	}
	f.Add([]byte{}, uint32(7), uint64(0))
	f.Add([]byte("x"), uint32(0), uint64(1))
	f.Add([]byte("y"), uint32(0xffffffff), uint64(1<<64-1))
	f.Fuzz(func(t *testing.T, p []byte, id uint32, start uint64) {
		var fn fakeNet
		end := fn.attach(id)
		rxEnd := fn.attach(id + 1) // another endpoint; its nodeid does not matter
		tx, err := New(Config{Inner: end, Key: testKey(t, 1), NodeID: id, Start: start})
		if id == 0 {
			if err == nil {
				t.Fatal("New accepted nodeid 0")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		rx, err := New(Config{Inner: rxEnd, Key: testKey(t, 1), NodeID: 9})
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Send([]transport.Datagram{{To: 0, Data: p}}); err != nil {
			t.Fatal(err)
		}
		pkts := packets(2)
		k, _ := rx.Recv(pkts)
		switch {
		case len(p) == 0 && (k != 0 || tx.Stats().SendErrors != 1):
			t.Fatalf("empty payload: received %d, SendErrors %d; want refused at Send", k, tx.Stats().SendErrors)
		case len(p) > 0 && (k != 1 || !bytes.Equal(pkts[0].Data(), p)):
			t.Fatalf("received %d datagrams (%x), want the %d-byte payload %x", k, head(pkts[0].Data()), len(p), head(p))
		}
		if len(p) > 0 {
			h, v := parse(end.inboxPeek(t))
			if v != accepted || h.node != id || (start != 0 && h.counter != start) {
				t.Fatalf("own copy: verdict %d, header %+v; want node %d, counter %d", v, h, id, start)
			}
		}
	})
}
