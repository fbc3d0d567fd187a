package rrp

import (
	"bytes"
	"slices"
	"testing"
	"time"
)

func TestPassiveSendAlternates(t *testing.T) {
	m, _ := newMonitor(t, Passive)
	tok, msg := token(r1, 1, 0), mcast(r1, 1)
	// Tokens (ORF and commit) go on every working ring.
	wantRings(t, m, tok, 0, 1)
	wantRings(t, m, commitToken(r1), 0, 1)
	var got []string
	send := func(d []byte) {
		rings := m.SendRings(d, nil)
		if len(rings) != 1 {
			t.Fatalf("passive SendRings(%s) %v, want one ring", describe(d), rings)
		}
		got = append(got, describe(d)[:1]+string(rune('0'+rings[0])))
	}
	// Messages take turns, whatever tokens go in between.
	for _, d := range [][]byte{msg, msg, join(), mergeDetect(), holdCancel(), {0xff}} {
		send(d)
		m.SendRings(tok, nil)
	}
	want := []string{"m0", "m1", "j0", "m1", "t0", "u1"}
	if !slices.Equal(got, want) {
		t.Fatalf("rings %q, want %q", got, want)
	}
	// A faulty ring is skipped.
	m.rings[0].faulty = true
	wantRings(t, m, tok, 1)
	wantRings(t, m, msg, 1)
	wantRings(t, m, msg, 1)
}

// The copy of a token from the other ring is dropped, but counted.
func TestPassiveDropsTokenCopies(t *testing.T) {
	m, _ := newMonitor(t, Passive)
	recv(t, m, t0, 0, token(r1, 1, 0), Deliver)
	recv(t, m, t0, 1, token(r1, 1, 0), Drop)
	recv(t, m, t0, 1, token(r1, 2, 0), Deliver)
	recv(t, m, t0, 0, token(r1, 2, 0), Drop)
	recv(t, m, t0, 0, token(r1, 1, 0), Drop) // older
	if s := m.Stats(); s.Rings[0].DuplicateTokens != 2 || s.Rings[1].DuplicateTokens != 1 {
		t.Fatalf("duplicates %+v", s)
	}
	if st := m.Status(); st[0].ProblemCount != 0 || st[1].ProblemCount != 1 {
		t.Fatalf("lags %+v", st)
	}
}

// A report from another node marks the ring here too, once; the last
// working ring is kept.
func TestMarkFaultyReported(t *testing.T) {
	for _, mode := range []Mode{Active, Passive} {
		m, lb := newMonitor(t, mode)
		if !m.MarkFaulty(t0, 1, 7) || m.MarkFaulty(t0, 1, 8) {
			t.Fatalf("%v: MarkFaulty did not mark once", mode)
		}
		const want = "Marking ringid 1 interface 10.0.1.1 FAULTY - reported by node 7"
		wantStatus(t, m, 1, want)
		if got := lb.take(); !slices.Equal(got, []string{"error: " + want}) {
			t.Fatalf("%v: log %q", mode, got)
		}
		if n := m.NewlyFaulty(); n != nil {
			t.Fatalf("%v: a reported ring is news to report again: %v", mode, n)
		}
		if m.MarkFaulty(t0, 0, 7) || m.Status()[0].Faulty {
			t.Fatalf("%v: the last working ring was marked", mode)
		}
		if m.MarkFaulty(t0, 5, 7) {
			t.Fatalf("%v: ring 5 marked", mode)
		}
	}
}

func TestPassiveHoldUntilMessagesArrive(t *testing.T) {
	m, _ := newMonitor(t, Passive)
	recv(t, m, t0, 0, token(r1, 1, 0), Deliver) // the ring to track
	for seq := uint32(1); seq <= 3; seq++ {
		recv(t, m, t0, int(seq%2), mcast(r1, seq), Deliver)
	}
	recv(t, m, t0, 0, token(r1, 5, 3), Deliver) // nothing missing
	tok := token(r1, 9, 5)
	recv(t, m, t0, 1, tok, Held) // 4 and 5 still on their way
	if d := m.NextDeadline(); !d.Equal(t0.Add(expired)) {
		t.Fatalf("deadline %v", d)
	}
	// The retransmitted token (on the other ring) is the held one again.
	recv(t, m, t0, 0, tok, Drop)
	recv(t, m, t0.Add(time.Millisecond), 0, mcast(r1, 4), Deliver)
	if m.Released() != nil {
		t.Fatal("released while 5 is missing")
	}
	recv(t, m, t0.Add(2*time.Millisecond), 1, mcast(r1, 5), Deliver)
	if rel := released(m); len(rel) != 1 || !bytes.Equal(rel[0], tok) {
		t.Fatalf("released %d datagrams, want the held token after the last MCAST", len(rel))
	}
	if !m.NextDeadline().IsZero() {
		t.Fatal("timer armed after the release")
	}
	// A retransmission of an old message releases nothing and holds nothing.
	recv(t, m, t0.Add(3*time.Millisecond), 0, mcast(r1, 2), Deliver)
	recv(t, m, t0.Add(3*time.Millisecond), 0, token(r1, 13, 5), Deliver)
	st := m.Stats().Rings
	if st[1].TokensHeld != 1 || st[1].ReleasedByTimeout != 0 || st[0].DuplicateTokens != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPassiveReleaseByTimeout(t *testing.T) {
	m, lb := newMonitor(t, Passive)
	recv(t, m, t0, 0, token(r1, 1, 0), Deliver)
	recv(t, m, t0, 0, mcast(r1, 1), Deliver)
	tok := token(r1, 5, 2)
	recv(t, m, t0, 0, tok, Held)
	m.Tick(t0.Add(expired - 1))
	if m.Released() != nil {
		t.Fatal("released early")
	}
	m.Tick(t0.Add(expired))
	if rel := released(m); len(rel) != 1 || !bytes.Equal(rel[0], tok) {
		t.Fatalf("released %d datagrams at the expiry", len(rel))
	}
	if st := m.Stats().Rings[0]; st.ReleasedByTimeout != 1 || st.TokensHeld != 1 || st.Problems != 0 {
		t.Fatalf("stats %+v", st)
	}
	if !m.NextDeadline().IsZero() || len(lb.take()) != 0 {
		t.Fatal("passive expiry armed a timer or logged")
	}
	// The next token announces nothing beyond what was given up: the
	// missing message is retransmitted only after this node forwards the
	// token, so holding it again would only delay the ring.
	recv(t, m, t0.Add(expired+1), 0, token(r1, 6, 2), Deliver)
	recv(t, m, t0.Add(expired+1), 0, token(r1, 7, 3), Held) // 3 is new
	// The message arriving late releases nothing more.
	recv(t, m, t0.Add(expired+2), 1, mcast(r1, 2), Deliver)
	if m.Released() != nil {
		t.Fatal("released by a message below the token's seq")
	}
}

func TestPassiveNewRingIsNotGated(t *testing.T) {
	m, _ := newMonitor(t, Passive)
	// Before any MCAST of the token's ring, nothing is known to be missing.
	recv(t, m, t0, 0, token(r1, 3, 10), Deliver)
	recv(t, m, t0, 0, mcast(r1, 4), Deliver)
	recv(t, m, t0, 0, token(r1, 4, 10), Held)
	// MCASTs of another ring (a merge partner) do not count for r1.
	recv(t, m, t0, 1, mcast(r2, 10), Deliver)
	if m.Released() != nil {
		t.Fatal("an MCAST of another ring released the token")
	}
	// The next ring's first token: the held one goes first, and the new
	// one, with nothing known missing, follows it.
	newer := token(r2, 0, 10)
	recv(t, m, t0, 0, newer, Held)
	rel := released(m)
	if len(rel) != 2 || !bytes.Equal(rel[0], token(r1, 4, 10)) || !bytes.Equal(rel[1], newer) {
		t.Fatalf("released %d datagrams, want the old token then the new", len(rel))
	}
	if !m.NextDeadline().IsZero() {
		t.Fatal("timer armed")
	}
	// From now on r2 is tracked.
	recv(t, m, t0, 1, mcast(r2, 11), Deliver)
	recv(t, m, t0, 0, token(r2, 1, 12), Held)
	// A newer token replaces the held one, which is released first.
	recv(t, m, t0, 1, token(r2, 2, 13), Held)
	if rel := released(m); len(rel) != 1 || !bytes.Equal(rel[0], token(r2, 1, 12)) {
		t.Fatalf("released %d datagrams, want the replaced token", len(rel))
	}
	recv(t, m, t0, 0, mcast(r2, 13), Deliver)
	if rel := released(m); len(rel) != 1 || !bytes.Equal(rel[0], token(r2, 2, 13)) {
		t.Fatalf("released %d datagrams, want the newer token", len(rel))
	}
}

func TestPassiveTokenLag(t *testing.T) {
	m, lb := newMonitor(t, Passive)
	// Tokens on ring 0 only: at a lag of 11 (more than 10), ring 1 goes.
	for i := range 11 {
		recv(t, m, t0, 0, token(r1, uint32(i+1), 0), Deliver)
		if i < 10 && m.Status()[1].Faulty {
			t.Fatalf("ring 1 faulty at a lag of %d", i+1)
		}
	}
	const faulty = "Marking ringid 1 interface 10.0.1.1 FAULTY - administrative intervention required."
	wantStatus(t, m, 1, faulty)
	if s := m.Status()[1]; !s.Faulty {
		t.Fatalf("ring 1 %+v", s)
	}
	if got := lb.take(); !slices.Equal(got, []string{"error: " + faulty}) {
		t.Fatalf("log %q", got)
	}
	if n := m.NewlyFaulty(); !slices.Equal(n, []int{1}) || m.NewlyFaulty() != nil {
		t.Fatalf("NewlyFaulty %v, want [1] once", n)
	}
	wantRings(t, m, token(r1, 1, 0), 0)
	wantRings(t, m, token(r1, 1, 0), 0)
	wantRings(t, m, mcast(r1, 1), 0)
	// Ring 0 alone never lags itself.
	for i := range 50 {
		recv(t, m, t0, 0, token(r1, uint32(i+12), 0), Deliver)
	}
	if m.Status()[0].Faulty || m.working() != 1 {
		t.Fatal("the last ring was marked faulty")
	}
}

func TestPassiveMessageLag(t *testing.T) {
	m, _ := newMonitor(t, Passive)
	// Balanced traffic keeps both rings.
	for i := range 1000 {
		recv(t, m, t0, i%2, mcast(r1, uint32(i+1)), Deliver)
	}
	// Messages on ring 1 only (JOINs count as messages too): ring 0 goes
	// at a lag of 101 (more than 10 × 10).
	for i := range 101 {
		if m.Status()[0].Faulty {
			t.Fatalf("ring 0 faulty at a lag of %d", i)
		}
		d := join()
		if i%2 == 0 {
			d = mcast(r1, uint32(2000+i))
		}
		recv(t, m, t0, 1, d, Deliver)
	}
	wantStatus(t, m, 0, "Marking ringid 0 interface 10.0.0.1 FAULTY - administrative intervention required.")
	if m.Status()[1].Faulty {
		t.Fatal("ring 1 faulty")
	}
	// Tokens keep their own count: ring 1 stays.
	wantStatus(t, m, 1, noFaults(1))
}

func TestPassiveCounterRebase(t *testing.T) {
	m, _ := newMonitor(t, Passive)
	m.rings[0].counts[kindToken] = counterRebase
	m.rings[1].counts[kindToken] = counterRebase - 5
	tseq := uint32(0)
	next := func() []byte { tseq++; return token(r1, tseq, 0) }
	recv(t, m, t0, 0, next(), Deliver)
	if c0, c1 := m.rings[0].counts[kindToken], m.rings[1].counts[kindToken]; c0 != 6 || c1 != 0 {
		t.Fatalf("counters %d, %d after the rebase, want 6, 0", c0, c1)
	}
	if s := m.Status(); s[1].ProblemCount != 6 || s[0].ProblemCount != 0 {
		t.Fatalf("lags %d, %d", s[0].ProblemCount, s[1].ProblemCount)
	}
	for range 4 {
		recv(t, m, t0, 0, next(), Deliver)
	}
	if m.Status()[1].Faulty {
		t.Fatal("ring 1 faulty at a lag of 10")
	}
	recv(t, m, t0, 0, next(), Deliver)
	if !m.Status()[1].Faulty {
		t.Fatal("ring 1 not faulty at a lag of 11 after the rebase")
	}
	// A faulty ring that stopped counting does not stop the rebase.
	m.rings[0].counts[kindToken] = counterRebase
	recv(t, m, t0, 0, next(), Deliver)
	if c := m.rings[0].counts[kindToken]; c != 0 {
		t.Fatalf("working counter %d after the rebase with a faulty ring", c)
	}
}

func TestPassiveReenable(t *testing.T) {
	m, lb := newMonitor(t, Passive)
	recv(t, m, t0, 0, token(r1, 1, 0), Deliver)
	recv(t, m, t0, 0, mcast(r1, 1), Deliver)
	for i := range 11 {
		recv(t, m, t0, 0, token(r1, uint32(i+2), 1), Deliver)
	}
	if !m.Status()[1].Faulty {
		t.Fatal("ring 1 not faulty")
	}
	held := token(r1, 20, 5)
	recv(t, m, t0, 0, held, Held)
	m.SendRings(mcast(r1, 1), nil)
	lb.take()
	m.Reenable(t0.Add(time.Millisecond))
	if got := lb.take(); !slices.Equal(got, []string{"notice: Rings re-enabled by administrative request"}) {
		t.Fatalf("log %q", got)
	}
	for i, s := range m.Status() {
		if s.Faulty || s.ProblemCount != 0 || s.Status != noFaults(i) {
			t.Fatalf("after Reenable %+v", s)
		}
		if m.rings[i].counts != [2]uint32{} {
			t.Fatalf("ring %d counters %v", i, m.rings[i].counts)
		}
	}
	// Round-robin starts again at ring 0, for both kinds.
	wantRings(t, m, mcast(r1, 1), 0)
	wantRings(t, m, token(r1, 1, 0), 0, 1)
	// The held token is still held, on its old deadline.
	if d := m.NextDeadline(); !d.Equal(t0.Add(expired)) {
		t.Fatalf("deadline %v", d)
	}
	m.Tick(t0.Add(expired))
	if rel := released(m); len(rel) != 1 || !bytes.Equal(rel[0], held) {
		t.Fatal("held token lost by Reenable")
	}
}

func TestPassiveBigEndian(t *testing.T) {
	m, _ := newMonitor(t, Passive)
	recv(t, m, t0, 0, bigEndian(t, token(r1, 1, 0)), Deliver)
	recv(t, m, t0, 1, bigEndian(t, mcast(r1, 0x100)), Deliver)
	// 0x100 read little-endian would be 0x10000 and cover the token.
	tok := bigEndian(t, token(r1, 2, 0x200))
	recv(t, m, t0, 0, tok, Held)
	recv(t, m, t0, 1, bigEndian(t, mcast(r1, 0x1ff)), Deliver)
	if m.Released() != nil {
		t.Fatal("released with 0x200 missing")
	}
	recv(t, m, t0, 1, mcast(r1, 0x200), Deliver) // a little-endian sender's MCAST counts the same
	if rel := released(m); len(rel) != 1 || !bytes.Equal(rel[0], tok) {
		t.Fatal("big-endian token not released")
	}
}
