package mem_test

import (
	"math"
	"testing"
	"time"

	"goais/transport/mem"
)

const many = 100_000

// within reports whether got/total is within tol of p.
func within(got uint64, total int, p, tol float64) bool {
	return math.Abs(float64(got)/float64(total)-p) <= tol
}

// sigmas returns k standard deviations of the observed rate of a
// Bernoulli(p) event over total trials. The seed is fixed, so the tests are
// deterministic; the width only keeps them from breaking if the generator
// or the order of draws changes.
func sigmas(k float64, p float64, total int) float64 {
	return k * math.Sqrt(p*(1-p)/float64(total))
}

func TestLossRate(t *testing.T) {
	for _, p := range []float64{0, 0.01, 0.2, 0.5, 1} {
		n := newNet(3, mem.LinkConfig{Loss: p}, 1, 2)
		for i := range many {
			n.Send(t0, 1, 2, payload(i))
		}
		got := len(drain(n))
		s := n.Stats()
		if !within(s.Lost, many, p, sigmas(5, p, many)) || int(s.Delivered) != got || got+int(s.Lost) != many {
			t.Errorf("Loss=%v: lost %d, delivered %d of %d", p, s.Lost, got, many)
		}
		checkConservation(t, n)
	}
}

func TestDuplication(t *testing.T) {
	n := newNet(4, mem.LinkConfig{Dup: 0.3, Delay: time.Millisecond, Jitter: time.Millisecond}, 1, 2)
	for i := range many {
		n.Send(t0.Add(time.Duration(i)*time.Microsecond), 1, 2, payload(i))
	}
	seen := make([]int, many)
	for _, d := range drain(n) {
		seen[index(d.Data)]++
	}
	dups := 0
	for i, c := range seen {
		switch c {
		case 1:
		case 2:
			dups++
		default:
			t.Fatalf("packet %d delivered %d times", i, c)
		}
	}
	s := n.Stats()
	if uint64(dups) != s.Duplicated || !within(s.Duplicated, many, 0.3, sigmas(5, 0.3, many)) {
		t.Errorf("%d duplicates delivered, Stats.Duplicated = %d, want ≈ 30%% of %d", dups, s.Duplicated, many)
	}
	checkConservation(t, n)
}

// inversions counts deliveries of a packet sent before the previous one.
func inversions(ds []delivery) int {
	inv, last := 0, -1
	for _, d := range ds {
		i := index(d.Data)
		if i < last {
			inv++
		}
		last = max(last, i)
	}
	return inv
}

func TestReorderReorders(t *testing.T) {
	for _, c := range []mem.LinkConfig{
		{Reorder: 0.1, Delay: time.Millisecond, Jitter: time.Millisecond},
		{Reorder: 0.1}, // zero delay: the 1 ms floor still lets later packets pass
	} {
		n := newNet(5, c, 1, 2)
		const count = 10_000
		for i := range count {
			n.Send(t0.Add(time.Duration(i)*100*time.Microsecond), 1, 2, payload(i))
		}
		got := drain(n)
		if len(got) != count {
			t.Fatalf("%+v: delivered %d, want %d", c, len(got), count)
		}
		s := n.Stats()
		if !within(s.Reordered, count, 0.1, sigmas(5, 0.1, count)) {
			t.Errorf("%+v: Reordered = %d, want ≈ 10%% of %d", c, s.Reordered, count)
		}
		if inv := inversions(got); inv < count/20 {
			t.Errorf("%+v: only %d inversions in %d deliveries", c, inv, count)
		}
	}
}

func TestJitterWithoutReorderIsFIFO(t *testing.T) {
	n := newNet(6, mem.LinkConfig{Delay: time.Millisecond, Jitter: 5 * time.Millisecond}, 1, 2)
	const count = 10_000
	for i := range count {
		n.Send(t0.Add(time.Duration(i)*100*time.Microsecond), 1, 2, payload(i))
	}
	got := drain(n)
	if inv := inversions(got); inv != 0 {
		t.Fatalf("%d inversions on a link with Reorder = 0", inv)
	}
	for _, d := range got {
		sent := t0.Add(time.Duration(index(d.Data)) * 100 * time.Microsecond)
		// The lower bound is the delay; FIFO may hold a copy back behind a
		// slower predecessor, but never beyond the latest possible arrival
		// of a packet sent before it.
		if lat := d.At.Sub(sent); lat < time.Millisecond || lat > 6*time.Millisecond {
			t.Fatalf("packet %d took %v, want within [1ms, 6ms]", index(d.Data), lat)
		}
	}
}

func TestDelayAndJitterBounds(t *testing.T) {
	n := newNet(7, mem.LinkConfig{Delay: 2 * time.Millisecond, Jitter: time.Millisecond}, 1, 2, 3)
	var lo, hi time.Duration = time.Hour, 0
	for i := range 1000 {
		// One packet per link per instant, far apart, so FIFO never clamps.
		n.Send(t0.Add(time.Duration(i)*time.Second), 1, 2, nil)
	}
	for _, d := range drain(n) {
		lat := d.At.Sub(t0.Truncate(time.Second)) % time.Second
		lo, hi = min(lo, lat), max(hi, lat)
	}
	if lo < 2*time.Millisecond || hi > 3*time.Millisecond || hi-lo < 900*time.Microsecond {
		t.Fatalf("latencies in [%v, %v], want spread over [2ms, 3ms]", lo, hi)
	}
}

func TestPerLinkConfig(t *testing.T) {
	n := newNet(8, mem.LinkConfig{Delay: time.Millisecond}, 1, 2)
	n.SetLink(1, 2, mem.LinkConfig{Delay: 7 * time.Millisecond})
	n.Send(t0, 1, 2, []byte("slow"))
	n.Send(t0, 2, 1, []byte("fast"))
	got := drain(n)
	if len(got) != 2 || got[0].Data != "fast" || got[0].At != t0.Add(time.Millisecond) ||
		got[1].Data != "slow" || got[1].At != t0.Add(7*time.Millisecond) {
		t.Fatalf("got %v", got)
	}
	n.SetDefault(mem.LinkConfig{Loss: 1})
	n.Send(t0, 1, 2, nil) // still the override
	n.Send(t0, 2, 1, nil) // the new default: lost
	if got := drain(n); len(got) != 1 || got[0].From != 1 {
		t.Fatalf("got %v, want only 1→2", got)
	}
}
