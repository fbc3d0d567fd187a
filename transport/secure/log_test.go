package secure

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"goais/transport"
)

// TestWrongKey: a node with another key gets nothing through; each
// datagram counts as BadDigest, and the warning appears once, then at most
// every 10 s of the Config.Now clock with the number held back.
func TestWrongKey(t *testing.T) {
	clk := newFakeClock()
	var fn fakeNet
	a := newNode(t, &fn, 1, withKey(testKey(t, 99)))
	b := newNode(t, &fn, 2, withClock(clk))
	sendN := func(n int) {
		for range n {
			a.send(t, transport.Datagram{To: 0, Data: []byte("join")})
		}
		if got := b.recvAll(t); len(got) != 0 {
			t.Fatalf("accepted %d datagrams sealed with another key", len(got))
		}
	}
	sendN(5)
	lines := func() []string { return b.log.lines(msgBadDigest) }
	if l := lines(); len(l) != 1 || !strings.Contains(l[0], "level=WARN") || !strings.Contains(l[0], "from=10.0.0.1:5405 node=1 suppressed=0") {
		t.Fatalf("after 5 bad datagrams: %q, want one warning with from, node, suppressed=0", l)
	}
	clk.advance(9 * time.Second)
	sendN(3)
	if l := lines(); len(l) != 1 {
		t.Fatalf("within 10 s: %d lines, want still 1", len(l))
	}
	clk.advance(time.Second)
	sendN(1)
	if l := lines(); len(l) != 2 || !strings.Contains(l[1], "suppressed=7") {
		t.Fatalf("after 10 s: %q, want a second line with suppressed=7", l)
	}
	if s := b.Stats(); s.BadDigest != 9 || s.RecvDatagrams != 0 {
		t.Fatalf("stats %+v, want 9 bad digests, nothing received", s)
	}
	// No state is kept for a sender that never authenticated, and its
	// boot's key was derived once, not per datagram.
	if n := len(b.peers); n != 0 {
		t.Fatalf("%d peers kept for unauthenticated senders, want 0", n)
	}
	var cached int
	for _, c := range b.cand {
		if c.aead != nil {
			cached++
		}
	}
	if cached != 1 {
		t.Fatalf("%d candidate keys cached, want 1 (the stranger's boot)", cached)
	}
}

// TestShortLog: the truncated-datagram warning names the size.
func TestShortLog(t *testing.T) {
	var fn fakeNet
	b := newNode(t, &fn, 2)
	b.end.inject(netipFrom("10.9.9.9:1"), []byte{1, 2, 3})
	b.recvAll(t)
	if l := b.log.lines(msgShort); len(l) != 1 || !strings.Contains(l[0], "from=10.9.9.9:1 bytes=3 suppressed=0") {
		t.Fatalf("log %q, want a truncated-datagram warning with from and bytes", b.log.String())
	}
}

// TestLimiter: the first message passes, then one per interval with the
// count of those held back.
func TestLimiter(t *testing.T) {
	var l limiter
	t0 := time.Unix(100, 0)
	steps := []struct {
		at   time.Duration
		ok   bool
		supp uint64
	}{
		{0, true, 0}, {time.Second, false, 0}, {9 * time.Second, false, 0},
		{10 * time.Second, true, 2}, {11 * time.Second, false, 0}, {time.Hour, true, 1}, {time.Hour, false, 0},
	}
	for i, s := range steps {
		ok, n := l.allow(t0.Add(s.at))
		if ok != s.ok || n != s.supp {
			t.Fatalf("step %d at %v: allow = %v, %d; want %v, %d", i, s.at, ok, n, s.ok, s.supp)
		}
	}
}

func netipFrom(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
