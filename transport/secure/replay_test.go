package secure

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"goais/transport"
)

// TestWindow checks the bitmap against a plain set on a sequence that
// slides the window by small and large steps and revisits its edges.
func TestWindow(t *testing.T) {
	var w window
	seen := map[uint64]bool{}
	var high uint64
	first := true
	try := func(c uint64) {
		t.Helper()
		want := fresh
		switch {
		case first || c > high:
		case high >= windowBits && c <= high-windowBits:
			want = tooOld
		case seen[c]:
			want = duplicate
		}
		// The first counter of a sender is accepted by the caller without
		// a window check; mark starts the window.
		got := w.check(c)
		if first {
			got = fresh
		}
		if got != want {
			t.Fatalf("check(%d) with high %d = %v, want %v", c, high, got, want)
		}
		if got == fresh {
			w.mark(c)
			seen[c] = true
			high = max(high, c)
			first = false
		}
	}
	seq := []uint64{5000, 5000, 4999, 2953, 2952, 2953, 5001, 5063, 5064, 5127, 5128, 5000}
	for c := uint64(5100); c < 5300; c += 3 {
		seq = append(seq, c, c-2047, c-2048, c-1)
	}
	seq = append(seq, 9000, 9000-2047, 9000-2048, 6953, 20000, 17952, 17953, 20000, 19999)
	for _, c := range seq {
		try(c)
	}
	// Every counter in the final window: those seen are duplicates, the
	// others fresh.
	for c := high - windowBits + 1; c <= high; c++ {
		try(c)
		try(c)
	}
	// And a window near the top of the counter space.
	try(math.MaxUint64 - 1)
	try(math.MaxUint64)
	try(math.MaxUint64 - 1)
	try(math.MaxUint64 - windowBits)
}

// TestClearRange compares clearRange with clearing bit by bit.
func TestClearRange(t *testing.T) {
	for _, r := range [][2]uint64{{0, 0}, {0, 63}, {1, 62}, {63, 64}, {60, 200}, {2000, 2100}, {2047, 2047}, {100, 2146}, {5, 2052}} {
		var w, ref window
		for i := range w.bits {
			w.bits[i], ref.bits[i] = ^uint64(0), ^uint64(0)
		}
		w.clearRange(r[0], r[1])
		for c := r[0]; c <= r[1]; c++ {
			ref.bits[(c/64)%(windowBits/64)] &^= 1 << (c % 64)
		}
		if w.bits != ref.bits {
			t.Errorf("clearRange(%d, %d) differs from bit-by-bit clearing", r[0], r[1])
		}
	}
}

// capture makes n send count unicasts to node 2 and returns the sealed
// bytes, with node 2's inbox emptied.
func capture(t *testing.T, a, b *node, count int) [][]byte {
	t.Helper()
	a.end.record = true
	before := len(a.end.sent())
	for i := range count {
		a.send(t, transport.Datagram{To: 2, Data: fmt.Appendf(nil, "%d", i)})
	}
	b.drainInner()
	return a.end.sent()[before:]
}

func deliver(t *testing.T, b *node, from *node, dgs ...[]byte) []string {
	t.Helper()
	for _, d := range dgs {
		b.end.inject(from.end.addr, d)
	}
	var out []string
	for _, p := range b.recvAll(t) {
		out = append(out, string(p.Data()))
	}
	return out
}

// TestReplay: re-delivered datagrams are dropped; out-of-order delivery
// within the window is accepted once each; datagrams older than the window
// are dropped.
func TestReplay(t *testing.T) {
	var fn fakeNet
	a, b := newNode(t, &fn, 1), newNode(t, &fn, 2)
	dgs := capture(t, a, b, 3000)

	// 0..99 in reverse order, then all of them again.
	rev := slices.Clone(dgs[:100])
	slices.Reverse(rev)
	if got := deliver(t, b, a, rev...); len(got) != 100 || got[0] != "99" || got[99] != "0" {
		t.Fatalf("reverse delivery accepted %d datagrams (%v...), want all 100", len(got), got[:min(3, len(got))])
	}
	if got := deliver(t, b, a, dgs[:100]...); len(got) != 0 {
		t.Fatalf("replay accepted %d datagrams", len(got))
	}
	if r := b.Stats().Replayed; r != 100 {
		t.Fatalf("Replayed = %d, want 100", r)
	}

	// Jump to 2900: 852 is at H-2048 (too old), 853 the oldest in the
	// window, and 100..852 never arrived but are now out of reach.
	got := deliver(t, b, a, dgs[2900], dgs[852], dgs[853], dgs[100], dgs[2899], dgs[2899])
	if strings.Join(got, ",") != "2900,853,2899" {
		t.Fatalf("accepted %v, want 2900, 853, 2899", got)
	}
	if l := b.log.lines(msgReplayed); len(l) != 1 || !strings.Contains(l[0], "node=1") || !strings.Contains(l[0], "counter=") || !strings.Contains(l[0], "from=10.0.0.1:5405") {
		t.Fatalf("replay log %q, want one line with from, node and counter", l)
	}
}

// TestNewBoot: a restarted sender (new salt) whose Start comes from
// NextStart is accepted after its old boot; the old boot's datagrams,
// delivered or not, are then refused as an older boot, and so is a boot
// whose counters went back.
func TestNewBoot(t *testing.T) {
	clk := newFakeClock()
	var fn fakeNet
	a, b := newNode(t, &fn, 1), newNode(t, &fn, 2, withClock(clk))
	old := capture(t, a, b, 10)
	if got := deliver(t, b, a, old[:5]...); len(got) != 5 {
		t.Fatalf("old boot: accepted %d of 5", len(got))
	}

	a2 := rebootNode(t, a, NextStart(1000, time.Unix(0, 0)))
	if got := deliver(t, b, a2, capture(t, a2, b, 3)...); len(got) != 3 {
		t.Fatalf("new boot: accepted %d of 3", len(got))
	}
	clk.advance(time.Minute) // let the next replay line through
	if got := deliver(t, b, a, old...); len(got) != 0 {
		t.Fatalf("old boot after the new one: accepted %v", got)
	}
	if r := b.Stats().Replayed; r != 10 {
		t.Fatalf("Replayed = %d, want 10", r)
	}
	if l := b.log.lines(`reason="older boot (replayed, or the sender's clock and state directory went back)"`); len(l) != 1 {
		t.Fatalf("log %q, want one older-boot replay line", b.log.String())
	}

	// A boot whose Start went back below what b has seen is refused too.
	a3 := rebootNode(t, a, 5000)
	if got := deliver(t, b, a3, capture(t, a3, b, 2)...); len(got) != 0 {
		t.Fatalf("a boot that went back: accepted %v", got)
	}
	// The current boot is still accepted.
	if got := deliver(t, b, a2, capture(t, a2, b, 1)...); len(got) != 1 {
		t.Fatal("the current boot is refused after an older one was")
	}
}

// TestTwoSenders: windows are per sender nodeid, so equal counters from
// different nodes do not collide.
func TestTwoSenders(t *testing.T) {
	var fn fakeNet
	a, b, c := newNode(t, &fn, 1), newNode(t, &fn, 2), newNode(t, &fn, 3)
	da, dc := capture(t, a, b, 5), capture(t, c, b, 5) // both from Start 1000
	got := deliver(t, b, a, append(da, dc...)...)
	if len(got) != 10 {
		t.Fatalf("accepted %d of 10", len(got))
	}
	if len(b.peers) != 2 {
		t.Fatalf("%d peers kept, want 2", len(b.peers))
	}
}

// TestNextStart: the next boot starts at the clock or 2^48 above the last
// Start, whichever is higher, and never wraps.
func TestNextStart(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	ns := uint64(now.UnixNano())
	for _, tc := range []struct {
		prev, want uint64
		now        time.Time
	}{
		{0, ns, now},
		{ns - 1<<32 - 5, ns, now},
		{ns, ns + 1<<32, now},
		{ns + 7, ns + 7 + 1<<32, now},
		{math.MaxUint64 - 1<<32, math.MaxUint64, now},
		{math.MaxUint64 - 3, math.MaxUint64, now},
		{0, 1 << 32, time.Unix(-5, 0)}, // a clock before 1970 counts as 1 ns
	} {
		if got := NextStart(tc.prev, tc.now); got != tc.want {
			t.Errorf("NextStart(%d, %v) = %d, want %d", tc.prev, tc.now, got, tc.want)
		}
	}
}

// TestCounterExhaustion: the last counter is used once, then Send refuses.
func TestCounterExhaustion(t *testing.T) {
	var fn fakeNet
	a, b := newNode(t, &fn, 1, withStart(math.MaxUint64-1)), newNode(t, &fn, 2)
	a.send(t, transport.Datagram{To: 2, Data: []byte("a")}, transport.Datagram{To: 2, Data: []byte("b")}, transport.Datagram{To: 2, Data: []byte("c")})
	if got := deliver(t, b, a); strings.Join(got, "") != "ab" {
		t.Fatalf("received %v, want a and b", got)
	}
	if s := a.Stats(); s.SendErrors != 1 {
		t.Fatalf("SendErrors = %d, want 1", s.SendErrors)
	}
	if l := a.log.lines("counter is exhausted"); len(l) != 1 {
		t.Fatalf("log %q, want one exhaustion error", a.log.String())
	}
}
