package cpg

import (
	"errors"
	"maps"
	"slices"

	"goais/service"
)

// syncStep is where SyncProcess stands in a round (corosync's
// my_sync_state).
type syncStep uint8

const (
	stepIdle syncStep = iota
	stepDownlist
	stepJoinlist
	stepDone
)

// joinlistEntry is one stored JOINLIST entry and who sent it.
type joinlistEntry struct {
	sender service.NodeID
	pid    uint32
	group  string
}

// syncState is CPG's part of the sync protocol (reference §6.2).
type syncState struct {
	// roundOpen is set from New and every configuration change until the
	// round's SyncActivate; engine is the executive's own view (see
	// SetSyncing). Either blocks requests.
	roundOpen bool
	engine    bool

	oldMembers []service.NodeID // members of the last synced ring (my_old_member_list)
	oldRing    service.RingID   // the last synced ring
	members    []service.NodeID // members of the ring being synced
	ring       service.RingID   // the ring being synced (last_sync_ring_id)
	left       []service.NodeID // oldMembers not carried over: this round's downlist
	oldCount   int              // len(oldMembers) at SyncInit, for DOWNLIST
	step       syncStep

	// joinlists holds the JOINLIST entries delivered since the last
	// activate or abort, in arrival order. corosync pushes each entry on
	// the front of its list, so it walks them newest first; so do we.
	joinlists []joinlistEntry
}

// Syncing reports whether requests that need the ring get
// service.ErrTryAgain because of sync: from start-up and every
// configuration change until this service's SyncActivate, and while the
// executive says so through SetSyncing.
func (c *CPG) Syncing() bool { return c.sync.roundOpen || c.sync.engine }

// SetSyncing lets the executive hold requests for the whole sync round,
// as corosync's sync_in_process does, rather than only until CPG's own
// activate: it calls SetSyncing(true) at a configuration change and
// SetSyncing(false) when the round completes. Without it CPG still holds
// requests through its own part of the round.
func (c *CPG) SetSyncing(on bool) {
	c.sync.engine = on
	if !c.Syncing() {
		_ = c.Flush() // what does not go now waits for the next Flush
	}
}

// TotemMembership is the ring and members of the last completed sync, as
// the totem membership callback reported them.
func (c *CPG) TotemMembership() (service.RingID, []service.NodeID) {
	return c.sync.oldRing, slices.Clone(c.sync.oldMembers)
}

// SyncInit starts a round (cpg_sync_init): the nodes that left are the
// previous ring's members missing from the transitional configuration.
func (c *CPG) SyncInit(trans, members []service.NodeID, ring service.RingID) {
	s := &c.sync
	s.roundOpen = true
	s.step = stepDownlist
	s.members = slices.Clone(members)
	s.ring = ring
	s.left = nil
	for _, n := range s.oldMembers {
		if !slices.Contains(trans, n) {
			s.left = append(s.left, n)
		}
	}
	s.oldCount = len(s.oldMembers)
}

// SyncProcess sends this node's sync messages (cpg_sync_process): a
// DOWNLIST, which receivers only log, then a JOINLIST of every local
// process if there is one. When the ring refuses one it returns false and
// resumes there on the next call, so nothing goes out twice.
func (c *CPG) SyncProcess() bool {
	s := &c.sync
	if s.step == stepDownlist {
		left := s.left[:min(len(s.left), DownlistNodesMax)]
		body, err := Downlist{OldMembers: uint32(s.oldCount), Left: left}.Body()
		if err == nil {
			err = c.env.Mcast(FnDownlist, body)
		}
		if errors.Is(err, service.ErrTryAgain) {
			return false
		}
		if err != nil {
			c.log.Error("cannot send the downlist", "err", err)
		}
		s.step = stepJoinlist
	}
	if s.step == stepJoinlist {
		self := c.env.NodeID()
		var entries []JoinEntry
		for _, p := range c.procs {
			if p.node == self {
				entries = append(entries, JoinEntry{PID: p.pid, Group: p.group})
			}
		}
		if len(entries) > 0 {
			body, err := JoinListBody(entries)
			if err == nil {
				err = c.env.Mcast(FnJoinList, body)
			}
			if errors.Is(err, service.ErrTryAgain) {
				return false
			}
			if err != nil {
				c.log.Error("cannot send the joinlist; other nodes will drop our processes",
					"processes", len(entries), "err", err)
			}
		}
		s.step = stepDone
	}
	return true
}

// SyncActivate adopts the round (cpg_sync_activate): processes of nodes
// that left go with NODEDOWN, processes other nodes listed are added with
// NODEUP, remote processes no JOINLIST listed are purged with PROCDOWN, and
// every client hears the new totem membership.
func (c *CPG) SyncActivate() {
	s := &c.sync
	s.oldMembers, s.oldRing = slices.Clone(s.members), s.ring
	c.downlistInform()
	c.joinlistInform()
	s.joinlists = nil
	s.step = stepIdle
	c.totemMembership()
	s.roundOpen = false
	_ = c.Flush() // what does not go now waits for the next Flush
}

// SyncAbort forgets the round's JOINLISTs (cpg_sync_abort); the next
// SyncInit starts over.
func (c *CPG) SyncAbort() {
	c.sync.joinlists = nil
	c.sync.step = stepIdle
}

// downlistInform removes every process of a node that left and sends one
// configuration change per affected group, groups in name order, each
// listing all its departed processes with NODEDOWN (corosync's
// downlist_inform_clients).
func (c *CPG) downlistInform() {
	left := c.sync.left
	if len(left) == 0 {
		return
	}
	gone := make(map[string][]Member)
	for i := 0; i < len(c.procs); {
		p := c.procs[i]
		if !slices.Contains(left, p.node) {
			i++
			continue
		}
		gone[p.group] = append(gone[p.group], Member{NodeID: p.node, PID: p.pid, Reason: ReasonNodeDown})
		c.removeAt(i)
	}
	for k := range c.partials {
		if slices.Contains(left, k.node) {
			delete(c.partials, k)
		}
	}
	for _, g := range slices.Sorted(maps.Keys(gone)) {
		c.log.Debug("processes left with their nodes", "group", g, "count", len(gone[g]))
		c.notify(g, nil, gone[g])
	}
}

// joinlistInform adds the processes other nodes listed, with NODEUP, then
// purges the zombies (corosync's joinlist_inform_clients).
func (c *CPG) joinlistInform() {
	self := c.env.NodeID()
	jl := c.sync.joinlists
	listed := make(map[process]bool, len(jl))
	for i := len(jl) - 1; i >= 0; i-- {
		e := jl[i]
		if e.sender == self {
			continue
		}
		listed[process{node: e.sender, pid: e.pid, group: e.group}] = true
		c.procJoin(e.group, e.pid, e.sender, ReasonNodeUp)
	}
	// Remote processes that no JOINLIST of this round mentioned are
	// zombies: their node did not re-announce them, so every node drops
	// them (joinlist_remove_zombie_pi_entries).
	for i := 0; i < len(c.procs); {
		p := c.procs[i]
		if p.node == self || listed[p] {
			i++
			continue
		}
		c.log.Debug("purging a process no joinlist mentioned", "group", p.group, "nodeid", p.node, "pid", p.pid)
		c.procLeave(p.group, p.pid, p.node, ReasonProcDown)
	}
}

// totemMembership sends the ring and its members to every connected
// client, in ClientID order.
func (c *CPG) totemMembership() {
	for _, id := range slices.Sorted(maps.Keys(c.conns)) {
		c.clients.TotemConfchg(id, c.sync.ring, c.sync.members)
	}
}
