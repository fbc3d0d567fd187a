package sim

import (
	"slices"
	"testing"
	"time"

	"goais/totem"
)

func chkRID(rep totem.NodeID, seq uint64) totem.RingID { return totem.RingID{Rep: rep, Seq: seq} }

func chkIDs(ns ...totem.NodeID) []totem.NodeID { return ns }

func chkSum(id MsgID) uint64 {
	return chkMix(uint64(id.Origin)<<40 ^ uint64(id.Incarnation)<<32 ^ id.Counter)
}

// chkHist builds a synthetic history for a Checker, keeping the bookkeeping a
// correct core would (Left/Joined, current ring, seqs) so a test only says
// what happens.
type chkHist struct {
	t   *testing.T
	c   *Checker
	now time.Duration

	inc     map[totem.NodeID]uint32
	counter map[totem.NodeID]uint64
	ring    map[totem.NodeID]totem.RingID   // current regular ring
	regMemb map[totem.NodeID][]totem.NodeID // current regular members
	trMemb  map[totem.NodeID][]totem.NodeID // pending transitional members
	seqs    map[totem.RingID]uint32
	seqOf   map[MsgID]uint32
	held    map[totem.NodeID]bool // what the holder func answers (default false)
}

func newChkHist(t *testing.T, nodes ...totem.NodeID) *chkHist {
	t.Helper()
	h := &chkHist{
		t:       t,
		c:       NewChecker(nodes),
		inc:     map[totem.NodeID]uint32{},
		counter: map[totem.NodeID]uint64{},
		ring:    map[totem.NodeID]totem.RingID{},
		regMemb: map[totem.NodeID][]totem.NodeID{},
		trMemb:  map[totem.NodeID][]totem.NodeID{},
		seqs:    map[totem.RingID]uint32{},
		seqOf:   map[MsgID]uint32{},
		held:    map[totem.NodeID]bool{},
	}
	h.c.SetHolder(func(n totem.NodeID, _ totem.RingID, _ uint32) bool { return h.held[n] })
	return h
}

func (h *chkHist) tick() { h.now += time.Millisecond }

func (h *chkHist) send(n totem.NodeID, safe bool) MsgID {
	h.tick()
	h.counter[n]++
	id := MsgID{Origin: n, Incarnation: h.inc[n], Counter: h.counter[n]}
	h.c.Sent(h.now, n, id, safe, chkSum(id))
	return id
}

// deliver delivers ids on n's current regular ring (or, between a
// transitional and its regular configuration, the previous ring). A
// message gets a seq on first delivery.
func (h *chkHist) deliver(n totem.NodeID, ms ...MsgID) {
	for _, id := range ms {
		h.deliverOn(n, id, h.ring[n])
	}
}

func (h *chkHist) deliverOn(n totem.NodeID, id MsgID, ring totem.RingID) {
	h.tick()
	seq, ok := h.seqOf[id]
	if !ok {
		h.seqs[ring]++
		seq = h.seqs[ring]
		h.seqOf[id] = seq
	}
	safe := false
	if s, ok := h.c.slotOf(id.Origin); ok {
		if m, ok := h.c.store.lookup(s, id); ok {
			safe = h.c.store.msg(m).safe
		}
	}
	h.c.Delivered(h.now, n, id, chkSum(id), ring, seq, safe)
}

func (h *chkHist) cfg(n totem.NodeID, cc totem.ConfigChange) {
	h.tick()
	h.c.Config(h.now, n, cc)
}

// trans delivers a transitional configuration to n, with Left computed from
// its regular members ({n} before its first configuration).
func (h *chkHist) trans(n totem.NodeID, ring totem.RingID, members ...totem.NodeID) {
	prev, ok := h.regMemb[n]
	if !ok {
		prev = chkIDs(n)
	}
	h.trMemb[n] = members
	h.cfg(n, totem.ConfigChange{Type: totem.Transitional, Ring: ring, Members: members, Left: chkMinus(prev, members)})
}

// reg delivers a regular configuration to n, with Joined computed from its
// transitional members.
func (h *chkHist) reg(n totem.NodeID, ring totem.RingID, members ...totem.NodeID) {
	tr, ok := h.trMemb[n]
	if !ok {
		tr = chkIDs(n)
	}
	h.cfg(n, totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: members, Joined: chkMinus(members, tr)})
	h.ring[n] = ring
	h.regMemb[n] = members
	delete(h.trMemb, n)
}

// change moves n through transitional trMembers into regular members on ring.
func (h *chkHist) change(n totem.NodeID, ring totem.RingID, trMembers, members []totem.NodeID) {
	h.trans(n, ring, trMembers...)
	h.reg(n, ring, members...)
}

// boot gives every node of members the first configuration: a transitional
// {n} then the regular configuration of ring with all members.
func (h *chkHist) boot(ring totem.RingID, members ...totem.NodeID) {
	for _, n := range members {
		h.change(n, ring, chkIDs(n), members)
	}
}

func (h *chkHist) crash(n totem.NodeID) {
	h.tick()
	h.c.Crashed(h.now, n)
}

func (h *chkHist) restart(n totem.NodeID) {
	h.tick()
	h.c.Restarted(h.now, n)
	h.inc[n]++
	h.counter[n] = 0
	delete(h.ring, n)
	delete(h.regMemb, n)
	delete(h.trMemb, n)
}

func (h *chkHist) ok() {
	h.t.Helper()
	if err := h.c.Err(); err != nil {
		h.t.Fatalf("unexpected violation: %v", err)
	}
}

// want asserts that the first violation is prop, revealed by nodes[0] and
// involving exactly nodes.
func (h *chkHist) want(prop string, nodes ...totem.NodeID) *Violation {
	h.t.Helper()
	return chkWant(h.t, h.c.Err(), prop, nodes...)
}

func chkWant(t *testing.T, v *Violation, prop string, nodes ...totem.NodeID) *Violation {
	t.Helper()
	if v == nil {
		t.Fatalf("no violation, want %s %v", prop, nodes)
	}
	if v.Property != prop || !slices.Equal(v.Nodes, nodes) {
		t.Fatalf("got %v, want %s with nodes %v", v, prop, nodes)
	}
	t.Logf("reported: %v", v)
	return v
}
