package mem_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"goais/totem/wire"
	"goais/transport/mem"
)

// script drives a network through a pseudo-random but seed-determined mix of
// unicasts, multicasts, deliveries and topology changes with every fault
// enabled, and returns the delivery trace.
func script(netSeed uint64) ([]delivery, mem.Stats) {
	def := mem.LinkConfig{Loss: 0.1, Dup: 0.1, Reorder: 0.2, Delay: time.Millisecond, Jitter: 500 * time.Microsecond}
	n := newNet(netSeed, def, 1, 2, 3, 4, 5)
	n.SetLink(2, 3, mem.LinkConfig{Loss: 0.5, Delay: 3 * time.Millisecond})
	drive := rand.New(rand.NewPCG(99, 99)) // the workload, the same for every netSeed
	now := t0
	var trace []delivery
	for i := range 5000 {
		now = now.Add(time.Duration(drive.IntN(300)) * time.Microsecond)
		from := wire.NodeID(1 + drive.IntN(5))
		switch drive.IntN(10) {
		case 0:
			n.Multicast(now, from, payload(i))
		case 1:
			if i%500 == 1 {
				n.Partition([]wire.NodeID{1, 2, 3}, []wire.NodeID{4, 5})
			} else if i%500 == 2 {
				n.Heal()
			}
		default:
			n.Send(now, from, wire.NodeID(1+drive.IntN(5)), payload(i))
		}
		for {
			p, ok := n.Pop(now)
			if !ok {
				break
			}
			trace = append(trace, delivery{p.From, p.To, p.At, string(p.Data)})
			n.Release(p)
		}
	}
	trace = append(trace, drain(n)...)
	return trace, n.Stats()
}

func TestDeterminism(t *testing.T) {
	a, sa := script(7)
	b, sb := script(7)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed gave different traces (%d and %d deliveries)", len(a), len(b))
	}
	if sa != sb {
		t.Fatalf("same seed gave different stats: %+v and %+v", sa, sb)
	}
	c, _ := script(8)
	if slices.Equal(a, c) {
		t.Fatalf("seeds 7 and 8 gave the same trace; is the rng used at all?")
	}
	if sa.Lost == 0 || sa.Duplicated == 0 || sa.Reordered == 0 || sa.Blocked == 0 {
		t.Errorf("script did not exercise every fault: %+v", sa)
	}
}

func TestMulticastReachesAllAttachedIncludingSelf(t *testing.T) {
	n := newNet(1, mem.LinkConfig{}, 5, 1, 3)
	n.Attach(9)
	n.Detach(9)
	n.Multicast(t0, 3, []byte("hi"))
	got := drain(n)
	want := []delivery{
		{3, 1, t0, "hi"},
		{3, 3, t0, "hi"},
		{3, 5, t0, "hi"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	checkConservation(t, n)
}

func TestSelfDeliveryUsesSelfLink(t *testing.T) {
	n := newNet(1, mem.LinkConfig{}, 1, 2)
	n.SetLink(1, 1, mem.LinkConfig{Loss: 1})
	n.Multicast(t0, 1, []byte("x"))
	got := drain(n)
	if len(got) != 1 || got[0].To != 2 {
		t.Fatalf("got %v, want only the copy to 2", got)
	}
	n.ClearLink(1, 1)
	n.Multicast(t0, 1, []byte("x"))
	if got := drain(n); len(got) != 2 {
		t.Fatalf("after ClearLink got %v, want 2 copies", got)
	}
}

func TestZeroDelayKeepsSendOrder(t *testing.T) {
	n := newNet(1, mem.LinkConfig{}, 1, 2, 3)
	// Different links, same instant: global send order decides.
	n.Send(t0, 3, 1, []byte("a"))
	n.Send(t0, 1, 2, []byte("b"))
	n.Multicast(t0, 2, []byte("c"))
	n.Send(t0, 2, 1, []byte("d"))
	var got []string
	for _, d := range drain(n) {
		got = append(got, string(d.Data)+string('0'+rune(d.To)))
	}
	want := "a1 b2 c1 c2 c3 d1"
	if s := strings.Join(got, " "); s != want {
		t.Fatalf("order %q, want %q", s, want)
	}
}

func TestPopHonoursNow(t *testing.T) {
	n := newNet(1, mem.LinkConfig{Delay: 10 * time.Millisecond}, 1, 2)
	n.Send(t0, 1, 2, []byte("early"))
	n.Send(t0.Add(5*time.Millisecond), 1, 2, []byte("late"))

	if at, ok := n.Next(); !ok || !at.Equal(t0.Add(10*time.Millisecond)) {
		t.Fatalf("Next = %v, %v; want t0+10ms", at, ok)
	}
	if p, ok := n.Pop(t0.Add(10*time.Millisecond - 1)); ok {
		t.Fatalf("Pop before due time returned %q", p.Data)
	}
	// Late caller: both are due, the earlier comes first and keeps its At.
	now := t0.Add(time.Second)
	p, ok := n.Pop(now)
	if !ok || string(p.Data) != "early" || !p.At.Equal(t0.Add(10*time.Millisecond)) {
		t.Fatalf("Pop = %+v, %v; want early at t0+10ms", p, ok)
	}
	p, ok = n.Pop(now)
	if !ok || string(p.Data) != "late" || !p.At.Equal(t0.Add(15*time.Millisecond)) {
		t.Fatalf("Pop = %+v, %v; want late at t0+15ms", p, ok)
	}
	if _, ok := n.Pop(now); ok {
		t.Fatal("Pop on an empty network returned a packet")
	}
	if _, ok := n.Next(); ok {
		t.Fatal("Next on an empty network returned ok")
	}
}

func TestDetachDropsQueued(t *testing.T) {
	n := newNet(1, mem.LinkConfig{Delay: time.Millisecond}, 1, 2, 3)
	for i := range 10 {
		n.Multicast(t0, wire.NodeID(1+i%3), payload(i))
	}
	n.Detach(2)
	if got, want := n.Nodes(), []wire.NodeID{1, 3}; !slices.Equal(got, want) {
		t.Fatalf("Nodes = %v, want %v", got, want)
	}
	n.Send(t0, 1, 2, []byte("to the dead"))
	n.Send(t0, 2, 1, []byte("from the dead"))
	got := drain(n)
	if len(got) != 20 {
		t.Errorf("delivered %d, want 20 (10 multicasts × 2 live nodes)", len(got))
	}
	for _, d := range got {
		if d.To == 2 {
			t.Errorf("delivered %v to the detached node", d)
		}
	}
	if s := n.Stats(); s.Unattached != 12 {
		t.Errorf("Unattached = %d, want 12 (10 queued + 2 sends)", s.Unattached)
	}
	checkConservation(t, n)

	// Back up: the node receives again, without waiting behind dropped packets.
	n.Attach(2)
	n.Send(t0, 1, 2, []byte("welcome back"))
	if got := drain(n); len(got) != 1 || got[0].At != t0.Add(time.Millisecond) {
		t.Fatalf("after re-attach got %v", got)
	}
}

func TestDetachKeepsPacketsSentBeforeCrash(t *testing.T) {
	n := newNet(1, mem.LinkConfig{Delay: time.Millisecond}, 1, 2)
	n.Send(t0, 1, 2, []byte("last words"))
	n.Detach(1)
	if got := drain(n); len(got) != 1 {
		t.Fatalf("got %v, want the packet sent before the crash", got)
	}
}

func TestNodes(t *testing.T) {
	n := newNet(1, mem.LinkConfig{}, 30, 10, 20, 10)
	got := n.Nodes()
	if want := []wire.NodeID{10, 20, 30}; !slices.Equal(got, want) {
		t.Fatalf("Nodes = %v, want %v", got, want)
	}
	got[0] = 99 // the caller owns the slice
	if n.Nodes()[0] != 10 {
		t.Fatal("Nodes returned the internal slice")
	}
	n.Detach(20)
	n.Detach(42)
	if got, want := n.Nodes(), []wire.NodeID{10, 30}; !slices.Equal(got, want) {
		t.Fatalf("Nodes = %v, want %v", got, want)
	}
}

func TestSendCopiesData(t *testing.T) {
	n := newNet(1, mem.LinkConfig{}, 1, 2)
	buf := []byte("abc")
	n.Send(t0, 1, 2, buf)
	buf[0] = 'X'
	if got := drain(n); got[0].Data != "abc" {
		t.Fatalf("got %q, want abc", got[0].Data)
	}
}

func TestReleaseReusesBuffers(t *testing.T) {
	n := newNet(1, mem.LinkConfig{}, 1, 2)
	n.Send(t0, 1, 2, []byte("first"))
	p, _ := n.Pop(t0)
	first := &p.Data[:1][0]
	n.Release(p)
	n.Send(t0, 1, 2, []byte("again"))
	q, _ := n.Pop(t0)
	if &q.Data[:1][0] != first || string(q.Data) != "again" {
		t.Fatalf("released buffer not reused (got %q)", q.Data)
	}
}

func TestInvalidConfigPanics(t *testing.T) {
	for _, c := range []mem.LinkConfig{
		{Loss: -0.1}, {Dup: 1.5}, {Reorder: 2}, {Delay: -1}, {Jitter: -time.Second},
	} {
		if c.Validate() == nil {
			t.Errorf("Validate(%+v) = nil, want an error", c)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SetDefault(%+v) did not panic", c)
				}
			}()
			newNet(1, mem.LinkConfig{}).SetDefault(c)
		}()
	}
	if err := (mem.LinkConfig{Loss: 1, Dup: 0, Reorder: 0.5, Delay: time.Second}).Validate(); err != nil {
		t.Errorf("Validate of a valid config: %v", err)
	}
}
