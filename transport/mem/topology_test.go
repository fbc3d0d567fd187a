package mem_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"goais/totem/wire"
	"goais/transport/mem"
)

// reach multicasts from every attached node and returns the set of
// delivered "from→to" pairs.
func reach(n *mem.Network, now time.Time) []string {
	for _, id := range n.Nodes() {
		n.Multicast(now, id, nil)
	}
	var out []string
	for _, d := range drain(n) {
		out = append(out, fmt.Sprintf("%d→%d", d.From, d.To))
	}
	slices.Sort(out)
	return out
}

func TestPartitionSymmetric(t *testing.T) {
	n := newNet(1, mem.LinkConfig{Delay: time.Millisecond}, 1, 2, 3, 4)
	n.Partition([]wire.NodeID{1, 2}, []wire.NodeID{3})
	got := reach(n, t0)
	// 4 is not listed: isolated, but it still reaches itself.
	want := []string{"1→1", "1→2", "2→1", "2→2", "3→3", "4→4"}
	if !slices.Equal(got, want) {
		t.Fatalf("reach = %v, want %v", got, want)
	}
	// A node attached during the partition is isolated too.
	n.Attach(5)
	if got := reach(n, t0); !slices.Contains(got, "5→5") || len(got) != 7 {
		t.Fatalf("reach with new node 5 = %v", got)
	}
	// A new Partition replaces the old one.
	n.Partition([]wire.NodeID{1, 4})
	got = reach(n, t0)
	want = []string{"1→1", "1→4", "2→2", "3→3", "4→1", "4→4", "5→5"}
	if !slices.Equal(got, want) {
		t.Fatalf("reach = %v, want %v", got, want)
	}
	checkConservation(t, n)
}

func TestPartitionIsolatesEveryoneWithoutGroups(t *testing.T) {
	n := newNet(1, mem.LinkConfig{}, 1, 2)
	n.Partition()
	if got, want := reach(n, t0), []string{"1→1", "2→2"}; !slices.Equal(got, want) {
		t.Fatalf("reach = %v, want %v", got, want)
	}
}

func TestPartitionPanicsOnOverlap(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a node in two groups")
		}
	}()
	newNet(1, mem.LinkConfig{}).Partition([]wire.NodeID{1, 2}, []wire.NodeID{2, 3})
}

func TestBlockAsymmetric(t *testing.T) {
	n := newNet(1, mem.LinkConfig{}, 1, 2, 3)
	n.Block(1, 2)
	got := reach(n, t0)
	want := []string{"1→1", "1→3", "2→1", "2→2", "2→3", "3→1", "3→2", "3→3"}
	if !slices.Equal(got, want) {
		t.Fatalf("reach = %v, want %v", got, want)
	}
	n.Unblock(1, 2)
	n.Block(3, 3) // an explicit block does cut self-delivery
	got = reach(n, t0)
	if slices.Contains(got, "3→3") || !slices.Contains(got, "1→2") || len(got) != 8 {
		t.Fatalf("reach = %v", got)
	}
	if s := n.Stats(); s.Blocked != 2 {
		t.Errorf("Blocked = %d, want 2", s.Blocked)
	}
}

func TestHeal(t *testing.T) {
	n := newNet(1, mem.LinkConfig{}, 1, 2, 3)
	n.SetLink(1, 2, mem.LinkConfig{Delay: 5 * time.Millisecond})
	n.Partition([]wire.NodeID{1}, []wire.NodeID{2, 3})
	n.Block(2, 3)
	n.Heal()
	if got := reach(n, t0); len(got) != 9 {
		t.Fatalf("after Heal reach = %v, want all 9 pairs", got)
	}
	// The link configuration survived.
	n.Send(t0, 1, 2, nil)
	if got := drain(n); got[0].At != t0.Add(5*time.Millisecond) {
		t.Fatalf("link config lost by Heal: delivered at %v", got[0].At)
	}
}

func TestInFlightDroppedOnPartition(t *testing.T) {
	n := newNet(1, mem.LinkConfig{Delay: 10 * time.Millisecond}, 1, 2, 3)
	n.Multicast(t0, 1, []byte("in flight"))
	n.Partition([]wire.NodeID{1, 3}, []wire.NodeID{2})
	if n.Pending() != 3 {
		t.Fatalf("Pending = %d, want 3 (dropped only when due)", n.Pending())
	}
	got := drain(n)
	var to []wire.NodeID
	for _, d := range got {
		to = append(to, d.To)
	}
	if want := []wire.NodeID{1, 3}; !slices.Equal(to, want) {
		t.Fatalf("delivered to %v, want %v", to, want)
	}
	if s := n.Stats(); s.Blocked != 1 {
		t.Errorf("Blocked = %d, want 1", s.Blocked)
	}

	// Still partitioned {1, 3} {2}. A packet sent across the cut is dropped
	// at once and a heal does not bring it back; a packet in flight when a
	// cut starts survives if the cut is healed before it falls due.
	n.Send(t0, 1, 2, []byte("cut at send"))
	n.Send(t0, 3, 1, []byte("in flight"))
	n.Partition([]wire.NodeID{1}, []wire.NodeID{3})
	n.Heal()
	if got := drain(n); len(got) != 1 || got[0].Data != "in flight" {
		t.Fatalf("got %v, want only the in-flight packet", got)
	}
	if s := n.Stats(); s.Blocked != 2 {
		t.Errorf("Blocked = %d, want 2", s.Blocked)
	}
	checkConservation(t, n)
}

func TestInFlightDroppedOnBlock(t *testing.T) {
	n := newNet(1, mem.LinkConfig{Delay: 10 * time.Millisecond}, 1, 2)
	n.Send(t0, 1, 2, nil)
	n.Send(t0, 2, 1, nil)
	n.Block(1, 2)
	if got := drain(n); len(got) != 1 || got[0].From != 2 {
		t.Fatalf("got %v, want only 2→1", got)
	}
}
