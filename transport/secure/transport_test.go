package secure

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"goais/transport"
	"goais/transport/internal/transporttest"
)

// payload returns n bytes that differ with n and seed.
func payload(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i) + seed
	}
	return b
}

var roundTripSizes = []int{1, 2, 15, 16, 17, 100, 1000, 1024, 1472, 4096, 8999, 9000}

// TestRoundTrip: two nodes with one key exchange multicasts and unicasts
// of every size in both directions; each receiver gets exactly the
// plaintext, from the sender's inner address.
func TestRoundTrip(t *testing.T) {
	var fn fakeNet
	a, b := newNode(t, &fn, 1), newNode(t, &fn, 2)
	for _, size := range roundTripSizes {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			mA, uA := payload(size, 1), payload(size, 2)
			a.send(t, transport.Datagram{To: 0, Data: mA}, transport.Datagram{To: 2, Data: uA})
			mB, uB := payload(size, 3), payload(size, 4)
			b.send(t, transport.Datagram{To: 0, Data: mB}, transport.Datagram{To: 1, Data: uB})

			checkGot(t, "node 1", a.recvAll(t), []want{{mA, a}, {mB, b}, {uB, b}})
			checkGot(t, "node 2", b.recvAll(t), []want{{mA, a}, {uA, a}, {mB, b}})
		})
	}
	if s := b.Stats(); s.BadDigest+s.Replayed+s.ShortEnvelope+s.Plaintext != 0 {
		t.Fatalf("drops in a clean exchange: %+v", s)
	}
}

type want struct {
	data []byte
	from *node
}

func checkGot(t *testing.T, who string, got []transport.Packet, ws []want) {
	t.Helper()
	if len(got) != len(ws) {
		t.Fatalf("%s received %d datagrams, want %d", who, len(got), len(ws))
	}
	for i, w := range ws {
		if !bytes.Equal(got[i].Data(), w.data) {
			t.Errorf("%s datagram %d: %d bytes %x..., want %d bytes %x...", who, i, got[i].N, head(got[i].Data()), len(w.data), head(w.data))
		}
		if got[i].From != w.from.end.addr {
			t.Errorf("%s datagram %d from %v, want %v", who, i, got[i].From, w.from.end.addr)
		}
	}
}

func head(b []byte) []byte { return b[:min(len(b), 8)] }

// TestSealedOnce: a multicast is sealed once, so every destination gets
// the same bytes, each one Overhead longer than the plaintext, and every
// datagram of a call gets the next counter.
func TestSealedOnce(t *testing.T) {
	var fn fakeNet
	a := newNode(t, &fn, 1)
	newNode(t, &fn, 2)
	newNode(t, &fn, 3)
	a.send(t, transport.Datagram{To: 0, Data: []byte("m")}, transport.Datagram{To: 3, Data: []byte("u")})
	var got [][]byte
	for _, e := range fn.nodes {
		for {
			select {
			case f := <-e.inbox:
				got = append(got, f.data)
				continue
			default:
			}
			break
		}
	}
	if len(got) != 4 {
		t.Fatalf("%d datagrams delivered, want 4 (3 multicast copies, 1 unicast)", len(got))
	}
	for i, g := range got {
		if len(g) != 1+Overhead {
			t.Errorf("datagram %d is %d bytes, want %d", i, len(g), 1+Overhead)
		}
	}
	// Delivery order: node 1, node 2, node 3 the multicast, then node 3 the
	// unicast.
	if !bytes.Equal(got[0], got[1]) || !bytes.Equal(got[0], got[2]) {
		t.Errorf("multicast copies differ: %x %x %x", got[0], got[1], got[2])
	}
	hm, _ := parse(got[0])
	hu, _ := parse(got[3])
	if hm.counter != 1000 || hu.counter != 1001 {
		t.Errorf("counters %d and %d, want 1000 (the Start) and 1001", hm.counter, hu.counter)
	}
}

// TestBatchCompaction: a batch mixing good and bad datagrams returns the
// good ones, in order; a batch of only bad ones makes Recv read again
// rather than return 0.
func TestBatchCompaction(t *testing.T) {
	var fn fakeNet
	a, b := newNode(t, &fn, 1), newNode(t, &fn, 2)
	good := func(s string) []byte { return sealOne(t, a, 2, []byte(s)) }
	g1, g2, g3 := good("one"), good("two"), good("three")
	b.drainInner()
	bad := bytes.Clone(g2)
	bad[len(bad)-1] ^= 1
	plain := append([]byte{0x70, 0xc0}, make([]byte, 60)...)
	for _, d := range [][]byte{plain, g1, bad, []byte("short"), g2, g1, g3, bad} {
		b.end.inject(a.end.addr, d)
	}
	pkts := packets(8)
	k, err := b.Recv(pkts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pkts[:k] {
		got = append(got, string(p.Data()))
	}
	if strings.Join(got, ",") != "one,two,three" {
		t.Fatalf("Recv returned %q, want one, two, three", got)
	}
	s := b.Stats()
	// The first bad copy fails authentication; the second carries g2's
	// counter, accepted by then, so the replay check drops it first.
	if s.Plaintext != 1 || s.BadDigest != 1 || s.ShortEnvelope != 1 || s.Replayed != 2 {
		t.Fatalf("drop counters %+v, want 1 plaintext, 1 bad digest, 1 short, 2 replayed", s)
	}

	// Only bad ones in the first inner batch (of 3): Recv must read again.
	g4 := good("four")
	b.drainInner()
	for _, d := range [][]byte{bad, plain, g1, g4} {
		b.end.inject(a.end.addr, d)
	}
	calls := b.end.recvCalls
	k, err = b.Recv(pkts[:3])
	if err != nil || k != 1 || string(pkts[0].Data()) != "four" {
		t.Fatalf("Recv after an all-bad batch = %d, %v (first %q), want 1 datagram \"four\"", k, err, pkts[0].Data())
	}
	if c := b.end.recvCalls - calls; c != 2 {
		t.Fatalf("inner Recv called %d times, want 2 (the all-bad batch, then the good one)", c)
	}
}

// TestBlockingReader runs Recv in its own goroutine, as the executive does,
// while Send and Stats run in others (for the race detector).
func TestBlockingReader(t *testing.T) {
	var fn fakeNet
	a, b := newNode(t, &fn, 1), newNode(t, &fn, 2)
	b.end.blocking = true
	r := transporttest.StartReader(t, b.Transport, 4, transport.MaxDatagram)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			_ = b.Stats()
		}
	}()
	for i := range 50 {
		a.send(t, transport.Datagram{To: 2, Data: fmt.Appendf(nil, "dg %d", i)})
	}
	for i := range 50 {
		r.Expect(t, "node 2", fmt.Sprintf("dg %d", i), a.end.addr)
	}
	<-done
	if s := b.Stats(); s.RecvDatagrams != 50 {
		t.Fatalf("RecvDatagrams = %d, want 50", s.RecvDatagrams)
	}
}

// TestStats: RecvDatagrams and RecvBytes count accepted datagrams only
// (their sealed size); the inner send counters pass through; an empty
// datagram is refused and counted in SendErrors.
func TestStats(t *testing.T) {
	var fn fakeNet
	a, b := newNode(t, &fn, 1), newNode(t, &fn, 2)
	a.send(t, transport.Datagram{To: 2, Data: []byte("hello")}, transport.Datagram{To: 2, Data: nil})
	b.end.inject(a.end.addr, make([]byte, 50)) // version 0: bad digest
	if got := b.recvAll(t); len(got) != 1 {
		t.Fatalf("received %d datagrams, want 1", len(got))
	}
	sa, sb := a.Stats(), b.Stats()
	if sa.SentDatagrams != 1 || sa.SentBytes != 5+Overhead || sa.SendErrors != 1 {
		t.Errorf("sender stats %+v, want 1 datagram of %d bytes sent, 1 send error", sa, 5+Overhead)
	}
	if sb.RecvDatagrams != 1 || sb.RecvBytes != 5+Overhead || sb.BadDigest != 1 {
		t.Errorf("receiver stats %+v, want 1 datagram of %d bytes, 1 bad digest", sb, 5+Overhead)
	}
	if inner := b.end.Stats(); inner.RecvDatagrams != 2 {
		t.Errorf("inner RecvDatagrams = %d, want 2 (the test's premise)", inner.RecvDatagrams)
	}
}

// TestCloseAndMembers: SetMembers reaches the inner transport; after Close,
// Send and Recv return transport.ErrClosed.
func TestCloseAndMembers(t *testing.T) {
	var fn fakeNet
	a := newNode(t, &fn, 1)
	ms := []transport.Member{{NodeID: 1}, {NodeID: 2}}
	a.SetMembers(ms)
	if len(a.end.members) != 2 {
		t.Fatalf("inner members %v, want %v", a.end.members, ms)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Send([]transport.Datagram{{To: 0, Data: []byte("x")}}); !errors.Is(err, transport.ErrClosed) {
		t.Errorf("Send after Close = %v, want ErrClosed", err)
	}
	if _, err := a.Recv(packets(1)); !errors.Is(err, transport.ErrClosed) {
		t.Errorf("Recv after Close = %v, want ErrClosed", err)
	}
}

// TestNewChecksConfig: the required fields are named when missing.
func TestNewChecksConfig(t *testing.T) {
	_, err := New(Config{})
	for _, w := range []string{"Inner", "Key", "NodeID"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("New(Config{}) = %v, want an error naming %s", err, w)
		}
	}
}

// TestStartLog: New logs the fingerprint and the overhead.
func TestStartLog(t *testing.T) {
	var fn fakeNet
	a := newNode(t, &fn, 1)
	want := "secauth on: AES-256-GCM, key fingerprint " + testKey(t, 1).Fingerprint() + ", overhead 37 bytes per datagram"
	if l := a.log.lines(want); len(l) != 1 || !strings.HasPrefix(l[0], "level=INFO") {
		t.Fatalf("start log %q, want one info line %q", a.log.String(), want)
	}
}
