package svcharness

import (
	"slices"

	"goais/service"
	"goais/totem"
)

// Phase is how far Ring drives the sync round of a new ring.
type Phase int

const (
	// Activated runs the round to its end: SyncActivate on every member.
	Activated Phase = iota
	// Processed stops when every member's SyncProcess is done; the
	// members wait for Activate (or a new ring aborts them).
	Processed
	// Initialized stops after SyncInit.
	Initialized
)

// ParsePhase reads a "ring" command's phase=: init, process, or anything
// else (usually nothing) for the whole round.
func ParsePhase(s string) Phase {
	switch s {
	case "init":
		return Initialized
	case "process":
		return Processed
	}
	return Activated
}

// Ring forms a new ring of ids, as the engine drives it, and runs the
// members' sync round up to phase. The messages of older rings are
// delivered first and a member's round still waiting is aborted; then
// every member gets the transitional configuration (the members that come
// from its own previous ring; a fresh node brings only itself, or nobody
// with emptyTrans, as corosync reports its startup ring), the regular one
// and SyncInit. SyncProcess runs on every member, in the order of ids,
// until all are done, queued messages delivered between passes.
func (c *Cluster[S]) Ring(ids []service.NodeID, phase Phase, emptyTrans bool) {
	c.Deliver()
	var members []*Node[S]
	for _, id := range ids {
		if _, ok := c.Foreign[id]; !ok {
			members = append(members, c.Node(id))
		}
	}
	for _, n := range members {
		if i := slices.Index(c.pending, n); i >= 0 {
			c.Say(n.ID, "sync abort")
			c.syncer(n).SyncAbort()
			c.pending = slices.Delete(c.pending, i, i+1)
		}
	}
	c.seq += 4
	ring := service.RingID{Rep: slices.Min(ids), Seq: c.seq}
	ringOf := func(id service.NodeID) service.RingID {
		if r, ok := c.Foreign[id]; ok {
			return r
		}
		return c.Node(id).Ring
	}
	trans := make(map[service.NodeID][]service.NodeID)
	for _, n := range members {
		switch {
		case n.Ring != (service.RingID{}):
			trans[n.ID] = slices.DeleteFunc(slices.Clone(ids), func(id service.NodeID) bool { return ringOf(id) != n.Ring })
		case !emptyTrans:
			trans[n.ID] = []service.NodeID{n.ID}
		}
	}
	for _, id := range ids {
		if _, ok := c.Foreign[id]; ok {
			c.Foreign[id] = ring
		}
	}
	for _, n := range members {
		tr := trans[n.ID]
		var left, joined []service.NodeID
		for _, m := range n.Members {
			if !slices.Contains(tr, m) {
				left = append(left, m)
			}
		}
		for _, m := range ids {
			if !slices.Contains(tr, m) {
				joined = append(joined, m)
			}
		}
		n.Svc.ConfigChange(totem.ConfigChange{Type: totem.Transitional, Ring: ring, Members: tr, Left: left})
		n.Svc.ConfigChange(totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: ids, Joined: joined})
		n.Ring, n.Members = ring, slices.Clone(ids)
		c.syncer(n).SyncInit(tr, ids, ring)
	}
	if phase == Initialized {
		return
	}
	todo := slices.Clone(members)
	for pass := 0; len(todo) > 0; pass++ {
		if pass == 10 {
			c.T.Fatalf("sync process not done after %d passes", pass)
		}
		var again []*Node[S]
		for _, n := range todo {
			if !c.syncer(n).SyncProcess() {
				c.Say(n.ID, "sync process not done, called again later")
				again = append(again, n)
			}
		}
		todo = again
		if len(todo) > 0 {
			c.Deliver()
		}
	}
	c.pending = append(c.pending, members...)
	if phase == Activated {
		c.Activate(members)
	}
}

// Activate delivers the queued messages and activates the given waiting
// nodes (every waiting node if which is nil), in node order.
func (c *Cluster[S]) Activate(which []*Node[S]) {
	c.Deliver()
	if which == nil {
		which = slices.Clone(c.pending)
	}
	slices.SortFunc(which, func(a, b *Node[S]) int { return int(a.ID) - int(b.ID) })
	for _, n := range which {
		c.syncer(n).SyncActivate()
		n.Active = n.Ring
		c.pending = slices.DeleteFunc(c.pending, func(p *Node[S]) bool { return p == n })
	}
}

// syncer is n's instance as the sync driver calls it.
func (c *Cluster[S]) syncer(n *Node[S]) service.Syncer {
	s, ok := any(n.Svc).(service.Syncer)
	if !ok {
		c.T.Fatalf("node %d: %T takes no part in sync", n.ID, n.Svc)
	}
	return s
}
