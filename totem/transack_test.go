package totem_test

import (
	"slices"
	"testing"
)

// A message proposed while a configuration change awaits TransAck goes to
// the trans queue; if TransAck comes before the token takes it, it must
// still be sent and delivered rather than stranded.
func TestTransQueueDrainsAfterTransAck(t *testing.T) {
	r := newBenchRing(t, 3, 1<<12)
	n := r.nodes[0]
	r.manualAck = true
	r.nodes[2].Leave(r.now)
	r.flush(2)
	for steps := 0; steps < 1e6 && !n.WaitingTransAck(); steps++ {
		r.step()
	}
	if !n.WaitingTransAck() {
		t.Fatal("node 1 never opened the trans window")
	}
	if err := n.Propose(r.now, []byte("sync"), false); err != nil {
		t.Fatal(err)
	}
	// Acknowledge before any token has carried the message.
	for _, m := range r.nodes[:2] {
		m.TransAck()
	}
	r.manualAck = false
	var got []string
	r.onDeliver = func(p []byte) { got = append(got, string(p)) }
	for steps := 0; steps < 200000 && !slices.Contains(got, "sync"); steps++ {
		r.step()
	}
	if !slices.Contains(got, "sync") {
		t.Fatalf("node 1 delivered %q; the message proposed in the trans window was stranded", got)
	}
}
