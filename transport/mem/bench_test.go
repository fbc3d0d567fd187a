package mem_test

import (
	"testing"
	"time"

	"goais/transport/mem"
)

// steady runs one send and the pops due at the same step, keeping about
// 100 packets in flight, as a simulator in steady state does.
func steady(n *mem.Network, now *time.Time, data []byte) {
	*now = now.Add(10 * time.Microsecond)
	n.Send(*now, 1, 2, data)
	for {
		p, ok := n.Pop(*now)
		if !ok {
			return
		}
		n.Release(p)
	}
}

func faulty() mem.LinkConfig {
	return mem.LinkConfig{Loss: 0.01, Dup: 0.01, Reorder: 0.01, Delay: time.Millisecond, Jitter: 100 * time.Microsecond}
}

func TestSteadyStateDoesNotAllocate(t *testing.T) {
	n := newNet(1, faulty(), 1, 2)
	data := make([]byte, 1400)
	now := t0
	for range 10_000 { // warm up the heap and the free list
		steady(n, &now, data)
	}
	if a := testing.AllocsPerRun(10_000, func() { steady(n, &now, data) }); a != 0 {
		t.Fatalf("%v allocations per packet in steady state, want 0", a)
	}
}

func BenchmarkSendPop(b *testing.B) {
	n := newNet(1, faulty(), 1, 2)
	data := make([]byte, 1400)
	now := t0
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		steady(n, &now, data)
	}
}

func BenchmarkMulticastPop(b *testing.B) {
	n := newNet(1, faulty(), 1, 2, 3, 4, 5)
	data := make([]byte, 1400)
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(10 * time.Microsecond)
		n.Multicast(now, 1, data)
		for {
			p, ok := n.Pop(now)
			if !ok {
				break
			}
			n.Release(p)
		}
	}
}
