package rrp

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestActiveSendRings(t *testing.T) {
	m, _ := newMonitor(t, Active)
	for _, d := range [][]byte{token(r1, 1, 0), mcast(r1, 1), join(), commitToken(r1), {0xff}} {
		wantRings(t, m, d, 0, 1)
	}
	m.rings[1].faulty = true
	wantRings(t, m, token(r1, 1, 0), 0)
	wantRings(t, m, mcast(r1, 1), 0)
	m.rings[1].faulty, m.rings[0].faulty = false, true
	wantRings(t, m, token(r1, 1, 0), 1)
	if got := m.SendRings(mcast(r1, 1), []int{9}); !slices.Equal(got, []int{9, 1}) {
		t.Fatalf("SendRings does not append: %v", got)
	}
}

func TestActiveMessagesPassThrough(t *testing.T) {
	m, _ := newMonitor(t, Active)
	// Every copy of a message is delivered: the core removes duplicates by
	// seq, and a retransmission carries the same seq as the original.
	for _, d := range [][]byte{mcast(r1, 1), join(), commitToken(r1), mergeDetect(), holdCancel()} {
		for ring := range 2 {
			recv(t, m, t0, ring, d, Deliver)
			recv(t, m, t0, ring, d, Deliver)
		}
	}
	if !m.NextDeadline().IsZero() {
		t.Fatal("a message armed the token timer")
	}
}

func TestActiveTokenGating(t *testing.T) {
	m, _ := newMonitor(t, Active)
	tok := token(r1, 7, 3)
	recv(t, m, t0, 0, tok, Held)
	if d := m.NextDeadline(); !d.Equal(t0.Add(expired)) {
		t.Fatalf("deadline %v, want first copy + %v", d, expired)
	}
	// The same copy again (retransmitted on ring 0): still waiting.
	recv(t, m, t0.Add(time.Millisecond), 0, tok, Held)
	recv(t, m, t0.Add(2*time.Millisecond), 1, tok, Deliver)
	if !m.NextDeadline().IsZero() || m.Released() != nil {
		t.Fatal("token delivered but timer armed or something released")
	}
	// Late copies of the delivered round, and older tokens, are dropped.
	recv(t, m, t0.Add(3*time.Millisecond), 1, tok, Drop)
	recv(t, m, t0.Add(3*time.Millisecond), 0, token(r1, 6, 3), Drop)
	// The next token on ring 1 first.
	next := token(r1, 11, 4)
	recv(t, m, t0.Add(10*time.Millisecond), 1, next, Held)
	recv(t, m, t0.Add(11*time.Millisecond), 0, next, Deliver)
	// A new ring's token (its token_seq starts again from 0).
	recv(t, m, t0.Add(20*time.Millisecond), 0, token(r2, 0, 0), Held)
	recv(t, m, t0.Add(20*time.Millisecond), 1, token(r2, 0, 0), Deliver)
	// A token of the old ring is stale.
	recv(t, m, t0.Add(30*time.Millisecond), 0, token(r1, 12, 4), Drop)

	st := m.Stats().Rings
	if st[0].TokensHeld != 2 || st[1].TokensHeld != 1 || st[0].DuplicateTokens != 2 || st[1].DuplicateTokens != 1 {
		t.Fatalf("stats %+v", st)
	}
	if st[0].Problems+st[1].Problems != 0 || statuses(m)[1] != noFaults(1) {
		t.Fatalf("problems counted without a timeout: %+v %q", st, statuses(m))
	}
}

func TestActiveNewerTokenSupersedes(t *testing.T) {
	m, _ := newMonitor(t, Active)
	old, newer := token(r1, 7, 3), token(r2, 0, 0)
	recv(t, m, t0, 0, old, Held)
	recv(t, m, t0.Add(time.Millisecond), 0, newer, Held)
	if rel := released(m); len(rel) != 1 || !bytes.Equal(rel[0], old) {
		t.Fatalf("released %d datagrams, want the superseded token", len(rel))
	}
	if d := m.NextDeadline(); !d.Equal(t0.Add(time.Millisecond + expired)) {
		t.Fatalf("deadline %v, want the new round's", d)
	}
	recv(t, m, t0.Add(2*time.Millisecond), 1, newer, Deliver)
	if m.Stats().Rings[1].Problems != 0 {
		t.Fatal("a superseded round counted a problem")
	}

	// With ring 1 faulty the newer token is complete at once; it still
	// must reach the core after the superseded one, so both are released.
	m, _ = newMonitor(t, Active)
	recv(t, m, t0, 1, old, Held) // ring 0 (the only working ring later) has not delivered it
	m.rings[1].faulty = true
	recv(t, m, t0.Add(time.Millisecond), 0, newer, Held)
	rel := released(m)
	if len(rel) != 2 || !bytes.Equal(rel[0], old) || !bytes.Equal(rel[1], newer) {
		t.Fatalf("released %d datagrams, want old then new", len(rel))
	}
	if !m.NextDeadline().IsZero() {
		t.Fatal("timer armed after both were released")
	}
}

func TestActiveExpiryCountsProblems(t *testing.T) {
	m, lb := newMonitor(t, Active)
	tok := token(r1, 7, 3)
	recv(t, m, t0, 0, tok, Held)
	m.Tick(t0.Add(expired - time.Nanosecond))
	if m.Released() != nil {
		t.Fatal("released before the deadline")
	}
	now := t0.Add(expired)
	m.Tick(now)
	if rel := released(m); len(rel) != 1 || !bytes.Equal(rel[0], tok) {
		t.Fatalf("released %d datagrams, want the held token", len(rel))
	}
	wantStatus(t, m, 1, "Incrementing problem counter for seqid 7 iface 10.0.1.1 to [1 of 10]")
	wantStatus(t, m, 0, noFaults(0))
	if got := lb.take(); !slices.Equal(got, []string{"notice: Incrementing problem counter for seqid 7 iface 10.0.1.1 to [1 of 10]"}) {
		t.Fatalf("log %q", got)
	}
	if d := m.NextDeadline(); !d.Equal(now.Add(2 * time.Second)) {
		t.Fatalf("decrement deadline %v, want %v", d, now.Add(2*time.Second))
	}
	if s := m.Status()[1]; s.ProblemCount != 1 || s.Faulty {
		t.Fatalf("status %+v", s)
	}
	// The late copy is a duplicate now.
	recv(t, m, now, 1, tok, Drop)
	st := m.Stats().Rings
	if st[0].ReleasedByTimeout != 1 || st[1].Problems != 1 || st[1].DuplicateTokens != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// slowDecrement keeps the decrement timer out of tests that count to the
// threshold.
func slowDecrement(c *Config) { c.ProblemCountTimeout = time.Hour }

// loseRing runs n token rounds, one every gap, in which only ring from
// delivers the token; each round ends at its expiry.
func loseRing(t *testing.T, m *Monitor, now time.Time, from int, seq uint32, n int, gap time.Duration) (time.Time, uint32) {
	t.Helper()
	for range n {
		seq++
		recv(t, m, now, from, token(r1, seq, 0), Held)
		now = now.Add(expired)
		m.Tick(now)
		if len(m.Released()) != 1 {
			t.Fatalf("token %d not released at its expiry", seq)
		}
		now = now.Add(gap)
	}
	return now, seq
}

func TestActiveFaultyAtThreshold(t *testing.T) {
	m, lb := newMonitor(t, Active, slowDecrement)
	now, seq := loseRing(t, m, t0, 0, 0, 9, time.Millisecond)
	wantStatus(t, m, 1, "Incrementing problem counter for seqid 9 iface 10.0.1.1 to [9 of 10]")
	lb.take()
	now, seq = loseRing(t, m, now, 0, seq, 1, time.Millisecond)
	wantStatus(t, m, 1, "Marking seqid 10 ringid 1 interface 10.0.1.1 FAULTY - administrative intervention required.")
	if got := lb.take(); !slices.Equal(got, []string{
		"notice: Incrementing problem counter for seqid 10 iface 10.0.1.1 to [10 of 10]",
		"error: Marking seqid 10 ringid 1 interface 10.0.1.1 FAULTY - administrative intervention required.",
	}) {
		t.Fatalf("log %q", got)
	}
	if s := m.Status()[1]; !s.Faulty || s.ProblemCount != 10 {
		t.Fatalf("status %+v", s)
	}
	// No more transmissions on ring 1, and it is not waited for.
	wantRings(t, m, token(r1, 1, 0), 0)
	seq++
	recv(t, m, now, 0, token(r1, seq, 0), Deliver)
	recv(t, m, now, 1, token(r1, seq, 0), Drop)
	// The decrement timer leaves the faulty ring's counter alone and stops.
	if d := m.NextDeadline(); !d.IsZero() {
		t.Fatalf("decrement timer still armed at %v with only a faulty ring counting", d)
	}
	m.Tick(now.Add(time.Hour))
	if s := m.Status()[1]; s.ProblemCount != 10 || !s.Faulty {
		t.Fatalf("after an hour: %+v", s)
	}
}

func TestActiveDecrement(t *testing.T) {
	m, lb := newMonitor(t, Active)
	now, _ := loseRing(t, m, t0, 0, 0, 2, time.Millisecond)
	dec := m.NextDeadline()
	first := t0.Add(expired) // the first problem armed the timer
	if !dec.Equal(first.Add(2 * time.Second)) {
		t.Fatalf("decrement at %v, want %v", dec, first.Add(2*time.Second))
	}
	_ = now
	lb.take()
	m.Tick(dec)
	wantStatus(t, m, 1, "Decrementing problem counter for iface 10.0.1.1 to [1 of 10]")
	if got := lb.take(); !slices.Equal(got, []string{"debug: Decrementing problem counter for iface 10.0.1.1 to [1 of 10]"}) {
		t.Fatalf("log %q", got)
	}
	if d := m.NextDeadline(); !d.Equal(dec.Add(2 * time.Second)) {
		t.Fatalf("decrement re-armed at %v", d)
	}
	m.Tick(dec.Add(2 * time.Second))
	wantStatus(t, m, 1, "ring 1 active with no faults")
	if s := m.Status()[1]; s.ProblemCount != 0 || !m.NextDeadline().IsZero() {
		t.Fatalf("after the second decrement: %+v, deadline %v", s, m.NextDeadline())
	}
	if got := lb.take(); !slices.Equal(got, []string{"debug: ring 1 active with no faults"}) {
		t.Fatalf("log %q", got)
	}
}

// TestActiveDecrementKeepsUpWithRareProblems: problems spread wider than
// the decrement period never reach the threshold.
func TestActiveDecrementKeepsUpWithRareProblems(t *testing.T) {
	m, _ := newMonitor(t, Active)
	now, seq := t0, uint32(0)
	for range 50 {
		now, seq = loseRing(t, m, now, 1, seq, 1, 2*time.Second)
		m.Tick(now)
	}
	if s := m.Status()[0]; s.Faulty || s.ProblemCount > 1 {
		t.Fatalf("ring 0 %+v after rare problems", s)
	}
}

func TestActiveLastRingIsNeverFaulty(t *testing.T) {
	m, lb := newMonitor(t, Active, slowDecrement)
	// Ring 1 goes first.
	now, seq := loseRing(t, m, t0, 0, 0, 10, time.Millisecond)
	if !m.Status()[1].Faulty {
		t.Fatal("ring 1 not faulty")
	}
	lb.take()
	// Now only ring 1 (faulty here, still used by the sender) carries the
	// token: ring 0 collects problems but stays in use.
	now, seq = loseRing(t, m, now, 1, seq, 10, time.Millisecond)
	const lastRing = "ring 0 interface 10.0.0.1 would be marked FAULTY, but it is the last working ring"
	wantStatus(t, m, 0, lastRing)
	if s := m.Status()[0]; s.Faulty || s.ProblemCount != 10 {
		t.Fatalf("ring 0 %+v", s)
	}
	wantRings(t, m, token(r1, 1, 0), 0)
	errorsLogged := func() int {
		n := 0
		for _, l := range lb.take() {
			if l == "error: "+lastRing {
				n++
			}
		}
		return n
	}
	if n := errorsLogged(); n != 1 {
		t.Fatalf("%d last-ring errors, want 1", n)
	}
	// Rate limited: more rounds within 10 s log nothing more, and the
	// counter stays at the threshold.
	now, seq = loseRing(t, m, now, 1, seq, 5, time.Second)
	if n := errorsLogged(); n != 0 {
		t.Fatalf("%d more last-ring errors within the rate limit", n)
	}
	wantStatus(t, m, 0, lastRing)
	if s := m.Status()[0]; s.ProblemCount != 10 {
		t.Fatalf("ring 0 count %d", s.ProblemCount)
	}
	loseRing(t, m, now.Add(10*time.Second), 1, seq, 1, time.Millisecond)
	if n := errorsLogged(); n != 1 {
		t.Fatalf("%d last-ring errors after the rate limit, want 1", n)
	}
}

func TestActiveReenable(t *testing.T) {
	m, lb := newMonitor(t, Active, slowDecrement)
	now, seq := loseRing(t, m, t0, 0, 0, 10, time.Millisecond)
	if !m.Status()[1].Faulty {
		t.Fatal("ring 1 not faulty")
	}
	seq++
	tok := token(r1, seq, 0)
	// A token held on ring 1 only (ring 0 lost it) while ring 1 is faulty.
	recv(t, m, now, 1, tok, Held)
	deadline := m.NextDeadline()
	lb.take()
	m.Reenable(now)
	if got := lb.take(); !slices.Equal(got, []string{"notice: Rings re-enabled by administrative request"}) {
		t.Fatalf("log %q", got)
	}
	for i, s := range m.Status() {
		if s.Faulty || s.ProblemCount != 0 || s.Status != fmt.Sprintf("ring %d active with no faults", i) {
			t.Fatalf("after Reenable: %+v", s)
		}
	}
	wantRings(t, m, token(r1, 1, 0), 0, 1)
	if !m.NextDeadline().Equal(deadline) {
		t.Fatalf("Reenable changed the held token's deadline: %v, want %v", m.NextDeadline(), deadline)
	}
	recv(t, m, now.Add(time.Millisecond), 0, tok, Deliver)
}

func TestActiveBigEndian(t *testing.T) {
	m, _ := newMonitor(t, Active)
	tok := bigEndian(t, token(r1, 7, 3))
	recv(t, m, t0, 1, tok, Held)
	recv(t, m, t0, 0, tok, Deliver)
	recv(t, m, t0, 0, tok, Drop)
	recv(t, m, t0, 0, bigEndian(t, token(r1, 6, 3)), Drop)
	// The same token from a little-endian sender is the same round.
	recv(t, m, t0, 0, token(r1, 7, 3), Drop)
	recv(t, m, t0, 1, bigEndian(t, token(r1, 0x01000000, 3)), Held) // would be 1 if read little-endian
	recv(t, m, t0, 0, token(r1, 0x01000000, 3), Deliver)
}

func TestUnparsableIsDelivered(t *testing.T) {
	tok := token(r1, 7, 3)
	for _, mode := range []Mode{None, Active, Passive} {
		m, _ := newMonitor(t, mode)
		for _, d := range [][]byte{nil, {0x70}, tok[:20], append(slices.Clone(tok[:4]), 0xff), mcast(r1, 1)[:30]} {
			recv(t, m, t0, 0, d, Deliver)
		}
		recv(t, m, t0, 5, tok, Deliver)
		recv(t, m, t0, -1, tok, Deliver)
		if !m.NextDeadline().IsZero() {
			t.Fatalf("%v: an unparsable datagram armed a timer", mode)
		}
		if st := m.Stats().Rings[0]; st.Datagrams != 5 || st.Malformed != 3 {
			t.Fatalf("%v: stats %+v", mode, st)
		}
	}
}
