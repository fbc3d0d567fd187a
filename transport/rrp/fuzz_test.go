package rrp

import (
	"testing"
	"time"

	"goais/totem/wire"
)

// FuzzReceive drives a Monitor with a script decoded from the input:
// structured tokens and MCASTs (so that rounds, holds and counters are
// reached), other messages, raw bytes, ticks, re-enables, sends and
// drains. After every step the Monitor must not have panicked and its
// timers must agree with its state: a held token always has a deadline.
func FuzzReceive(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 4, 60, 7})
	f.Add([]byte{1, 0, 0, 0, 3, 3, 0, 4, 70, 7, 0, 1, 0, 4, 3, 0, 4, 70, 7, 5, 0, 0, 0, 5, 5, 1})
	f.Add([]byte{2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 2, 5, 0, 0, 0, 1, 6, 0, 6, 1, 7, 4, 255})
	f.Add([]byte{1, 3, 30, 0x70, 0xc0, 3, 0, 0, 3, 12, 0xc0, 0x70, 3, 0, 1, 2, 3})
	f.Fuzz(func(t *testing.T, script []byte) {
		if len(script) == 0 {
			return
		}
		in := &fuzzInput{b: script}
		mode := Mode(in.next() % 3)
		m, _ := newMonitor(t, mode, func(c *Config) { c.ProblemCountThreshold = MinProblemCountThreshold })
		now := t0
		for step := 0; in.more() && step < 2000; step++ {
			switch in.next() % 8 {
			case 0: // an ORF token
				r, ring := in.ring(), in.ringID()
				d := token(ring, uint32(in.next()%8), uint32(in.next()%8))
				m.Receive(now, r, in.order(t, d))
			case 1: // an MCAST
				r, ring := in.ring(), in.ringID()
				m.Receive(now, r, in.order(t, mcast(ring, uint32(in.next()%8))))
			case 2: // another message
				d := [][]byte{join(), commitToken(r1), mergeDetect(), holdCancel()}[in.next()%4]
				m.Receive(now, in.ring(), d)
			case 3: // raw bytes, often starting like a Totem header
				n := int(in.next() % 64)
				m.Receive(now, in.ring(), in.take(n))
			case 4: // time passes
				now = now.Add(time.Duration(in.next()) * 4 * time.Millisecond)
				m.Tick(now)
				if d := m.NextDeadline(); !d.IsZero() && !d.After(now) {
					t.Fatalf("deadline %v not after now %v after Tick", d, now)
				}
			case 5:
				m.Reenable(now)
			case 6:
				rings := m.SendRings(in.take(int(in.next()%64)), nil)
				if len(rings) == 0 {
					t.Fatal("SendRings returned no ring")
				}
				for _, r := range rings {
					if r < 0 || r >= len(m.rings) || (mode != None && m.rings[r].faulty) {
						t.Fatalf("SendRings returned ring %d (rings %+v)", r, m.Status())
					}
				}
			case 7:
				for _, d := range m.Released() {
					if h, _, err := wire.PeekHeader(d); err != nil || h.Type != wire.TypeORFToken {
						t.Fatalf("released something that is not an ORF token: %x (%v)", d, err)
					}
				}
			}
			checkInvariants(t, m)
		}
		// Whatever is held comes out at its deadline.
		m.Tick(now.Add(time.Hour))
		if m.holding {
			t.Fatal("a token is still held an hour later")
		}
	})
}

func checkInvariants(t *testing.T, m *Monitor) {
	t.Helper()
	if m.holding == m.expire.IsZero() {
		t.Fatalf("holding %v but token timer %v", m.holding, m.expire)
	}
	if m.holding && (m.NextDeadline().IsZero() || m.NextDeadline().After(m.expire)) {
		t.Fatalf("held token expires at %v, NextDeadline %v", m.expire, m.NextDeadline())
	}
	if m.working() == 0 {
		t.Fatal("every ring is faulty")
	}
	if m.mode == Active && m.anyProblems() == m.decrement.IsZero() {
		t.Fatalf("problem counters %+v but decrement timer %v", m.Status(), m.decrement)
	}
	if m.mode != Active && !m.decrement.IsZero() {
		t.Fatal("decrement timer armed outside active mode")
	}
	for _, s := range m.Status() {
		if m.mode == Active && (s.ProblemCount < 0 || s.ProblemCount > m.cfg.ProblemCountThreshold) {
			t.Fatalf("problem count %d out of [0, %d]", s.ProblemCount, m.cfg.ProblemCountThreshold)
		}
		if s.Status == "" {
			t.Fatal("empty status")
		}
	}
}

// fuzzInput reads a script; past its end every byte reads as zero.
type fuzzInput struct {
	b []byte
	i int
}

func (in *fuzzInput) more() bool { return in.i < len(in.b) }

func (in *fuzzInput) next() byte {
	if in.i >= len(in.b) {
		return 0
	}
	in.i++
	return in.b[in.i-1]
}

func (in *fuzzInput) take(n int) []byte {
	n = min(n, len(in.b)-in.i)
	out := in.b[in.i : in.i+n]
	in.i += n
	return out
}

// ring picks ring 0 or 1, and now and then one out of range.
func (in *fuzzInput) ring() int {
	switch r := in.next() % 9; r {
	case 8:
		return 2
	default:
		return int(r % 2)
	}
}

func (in *fuzzInput) ringID() wire.RingID {
	return []wire.RingID{r1, r2, {Rep: 2, Seq: 8}}[in.next()%3]
}

// order byte-swaps the datagram now and then, as a big-endian sender.
func (in *fuzzInput) order(t *testing.T, d []byte) []byte {
	if in.next()%4 == 3 {
		return bigEndian(t, d)
	}
	return d
}
