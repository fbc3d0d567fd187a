package rrp

import (
	"encoding/binary"
	"testing"
	"time"
)

// activeLoad feeds token rounds the way two healthy rings deliver them:
// an MCAST on each ring, the token on ring 0 then ring 1.
type activeLoad struct {
	loseEvery uint32 // every so many rounds ring 1 loses the token (0: never)
	m         *Monitor
	tok, msg  []byte
	seq       uint32
	now       time.Time
}

func newActiveLoad(tb testing.TB, loseEvery uint32) *activeLoad {
	// A short decrement period takes each problem back before the next.
	m, _ := newMonitor(tb, Active, func(c *Config) { c.ProblemCountTimeout = MinTimeout })
	return &activeLoad{loseEvery: loseEvery, m: m, tok: token(r1, 0, 0), msg: mcast(r1, 0), now: t0}
}

func (l *activeLoad) round(tb testing.TB) {
	l.seq++
	l.now = l.now.Add(time.Millisecond)
	binary.LittleEndian.PutUint32(l.tok[17:], l.seq) // token_seq
	binary.LittleEndian.PutUint32(l.msg[17:], l.seq) // seq
	if l.m.Receive(l.now, 0, l.msg) != Deliver || l.m.Receive(l.now, 1, l.msg) != Deliver ||
		l.m.Receive(l.now, 0, l.tok) != Held || l.m.Receive(l.now, 1, l.tok) != Deliver {
		tb.Fatal("unexpected verdict")
	}
	if l.loseEvery != 0 && l.seq%l.loseEvery == 0 {
		// Ring 1 loses the token: held, released by the timer, with a
		// problem counted (and its status text formatted) and later
		// decremented.
		l.seq++
		binary.LittleEndian.PutUint32(l.tok[17:], l.seq)
		l.m.Receive(l.now, 0, l.tok)
		l.now = l.now.Add(expired)
		l.m.Tick(l.now)
		if len(l.m.Released()) != 1 {
			tb.Fatal("held token not released")
		}
	}
}

// passiveLoad: the token overtakes the last MCAST on the other ring, is
// held, and is released when the MCAST arrives.
type passiveLoad struct {
	m        *Monitor
	tok, msg []byte
	seq      uint32
	now      time.Time
}

func newPassiveLoad(tb testing.TB) *passiveLoad {
	m, _ := newMonitor(tb, Passive)
	l := &passiveLoad{m: m, tok: token(r1, 0, 0), msg: mcast(r1, 0), now: t0}
	m.Receive(t0, 0, l.tok) // tracks r1
	return l
}

func (l *passiveLoad) round(tb testing.TB) {
	l.seq++
	l.now = l.now.Add(time.Millisecond)
	r := int(l.seq % 2)
	binary.LittleEndian.PutUint32(l.msg[17:], 2*l.seq-1)
	if l.m.Receive(l.now, r, l.msg) != Deliver {
		tb.Fatal("MCAST not delivered")
	}
	binary.LittleEndian.PutUint32(l.tok[13:], 2*l.seq) // seq
	binary.LittleEndian.PutUint32(l.tok[17:], l.seq)   // token_seq
	if l.m.Receive(l.now, r, l.tok) != Held {
		tb.Fatal("token not held")
	}
	binary.LittleEndian.PutUint32(l.msg[17:], 2*l.seq)
	if l.m.Receive(l.now, 1-r, l.msg) != Deliver || len(l.m.Released()) != 1 {
		tb.Fatal("token not released by the MCAST")
	}
}

func TestSteadyStateDoesNotAllocate(t *testing.T) {
	a := newActiveLoad(t, 0)
	p := newPassiveLoad(t)
	for range 100 { // warm up buffers and decode scratch
		a.round(t)
		p.round(t)
	}
	if n := testing.AllocsPerRun(1000, func() { a.round(t) }); n != 0 {
		t.Errorf("active: %v allocations per round", n)
	}
	if n := testing.AllocsPerRun(1000, func() { p.round(t) }); n != 0 {
		t.Errorf("passive: %v allocations per round", n)
	}
	send := mcast(r1, 1)
	dst := make([]int, 0, 2)
	if n := testing.AllocsPerRun(1000, func() {
		dst = a.m.SendRings(send, dst[:0])
		dst = p.m.SendRings(send, dst[:0])
	}); n != 0 {
		t.Errorf("SendRings: %v allocations", n)
	}
}

// BenchmarkReceiveActive reports the cost per received datagram.
func BenchmarkReceiveActive(b *testing.B) {
	l := newActiveLoad(b, 64)
	b.ReportAllocs()
	for b.Loop() {
		l.round(b)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(4*b.N), "ns/datagram")
}

// BenchmarkReceivePassive reports the cost per received datagram.
func BenchmarkReceivePassive(b *testing.B) {
	l := newPassiveLoad(b)
	b.ReportAllocs()
	for b.Loop() {
		l.round(b)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(3*b.N), "ns/datagram")
}

func BenchmarkSendRings(b *testing.B) {
	for _, mode := range []Mode{Active, Passive} {
		b.Run(mode.String(), func(b *testing.B) {
			m, _ := newMonitor(b, mode)
			d := token(r1, 1, 1)
			dst := make([]int, 0, 2)
			b.ReportAllocs()
			for b.Loop() {
				dst = m.SendRings(d, dst[:0])
			}
		})
	}
}
