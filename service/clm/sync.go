package clm

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	clmapi "goais/client/clm"
	"goais/ipc"
	"goais/logging"
	"goais/service"
)

// viewOf is the CLM view number of a ring: its sequence number divided by
// 4, as openais numbered views (Totem adds 4 per ring).
func viewOf(ring service.RingID) uint64 { return ring.Seq / 4 }

// SyncInit starts a round (openais's clm_sync_init): forget what an
// earlier round collected, and drop from the nodes that stayed those the
// transitional configuration did not carry over.
func (c *CLM) SyncInit(trans, members []service.NodeID, ring service.RingID) {
	c.round = round{
		open:    true,
		ring:    ring,
		members: slices.Sorted(slices.Values(members)),
		records: make(map[service.NodeID]Node),
	}
	for id := range c.continuous {
		if !slices.Contains(trans, id) {
			delete(c.continuous, id)
		}
	}
}

// SyncProcess multicasts this node's own record (clm_sync_process). When
// the ring has no room it returns false and is called again; the record
// goes out once per round.
func (c *CLM) SyncProcess() bool {
	if !c.round.open || c.round.sent {
		return true
	}
	n := c.self
	n.InitialView = c.selfInitial
	if n.InitialView == 0 {
		// Not adopted any view yet: this round's is the first.
		n.InitialView = viewOf(c.round.ring)
	}
	body, err := n.Body()
	if err == nil {
		err = c.env.Mcast(FnNodeJoin, body)
	}
	if errors.Is(err, service.ErrTryAgain) {
		return false
	}
	if err != nil {
		// The other nodes fall back on their configuration for us.
		c.log.Error("cannot send this node's record", "err", err)
	}
	c.round.sent = true
	return true
}

// SyncAbort forgets the round (clm_sync_abort); the next SyncInit starts
// over. It may come twice.
func (c *CLM) SyncAbort() {
	c.round = round{}
}

// SyncActivate adopts the round's view (clm_sync_activate). Each member's
// record is the one it sent this round; for a member that sent none, the
// record it had if it stayed, else what Lookup knows, else its id alone.
// Members that did not stay are JOINED, members that stayed with a changed
// record RECONFIGURED, and nodes of the old view that are gone LEFT. Every
// tracking client hears of the changes here, so at the same point of the
// ordered stream on every node.
func (c *CLM) SyncActivate() {
	if !c.round.open {
		return
	}
	r := c.round
	view := viewOf(r.ring)
	next := make(map[service.NodeID]Node, len(r.members))
	var all, changes []clmapi.ClusterNotification
	var joined []service.NodeID
	for _, id := range r.members {
		old, had := c.nodes[id]
		stayed := had && c.continuous[id]
		rec, ok := r.records[id]
		switch {
		case ok:
		case stayed:
			rec = old
		case id == c.env.NodeID():
			rec = c.self // our own record did not come back; we know it anyway
		default:
			rec = Node{ID: id}
			if c.look != nil {
				if info, ok := c.look(id); ok {
					rec = c.record(id, info)
				}
			}
		}
		if id == c.env.NodeID() {
			if c.selfInitial == 0 {
				c.selfInitial = view
			}
			rec.InitialView = c.selfInitial
		}
		if rec.InitialView == 0 {
			// The node did not say: the view this node saw it join in.
			rec.InitialView = view
			if stayed {
				rec.InitialView = old.InitialView
			}
		}
		next[id] = rec
		change := clmapi.NoChange
		switch {
		case !stayed:
			change = clmapi.Joined
			joined = append(joined, id)
		case !sameAttrs(old, rec):
			change = clmapi.Reconfigured
		}
		item := clmapi.ClusterNotification{ClusterNode: rec.ClusterNode(true), ClusterChange: change}
		all = append(all, item)
		if change != clmapi.NoChange {
			changes = append(changes, item)
		}
	}
	var left []Node
	for _, id := range c.members {
		if _, ok := next[id]; ok {
			continue
		}
		left = append(left, c.nodes[id])
		item := clmapi.ClusterNotification{ClusterNode: c.nodes[id].ClusterNode(false), ClusterChange: clmapi.Left}
		all = append(all, item)
		changes = append(changes, item)
	}

	c.haveView, c.view, c.members, c.nodes = true, view, r.members, next
	c.continuous = make(map[service.NodeID]bool, len(r.members))
	for _, id := range r.members {
		c.continuous[id] = true
	}
	c.round = round{}
	c.logView(joined, left)
	if len(changes) > 0 {
		c.notify(all, changes)
	}
}

// logView logs the new view in openais's words.
func (c *CLM) logView(joined []service.NodeID, left []Node) {
	lines := []string{"CLM CONFIGURATION CHANGE", "New Configuration:"}
	for _, id := range c.members {
		lines = append(lines, "\t"+c.describe(c.nodes[id]))
	}
	lines = append(lines, "Members Left:")
	for _, n := range left {
		lines = append(lines, "\t"+c.describe(n))
	}
	lines = append(lines, "Members Joined:")
	for _, id := range joined {
		lines = append(lines, "\t"+c.describe(c.nodes[id]))
	}
	for _, l := range lines {
		c.log.Log(context.Background(), logging.LevelNotice, l)
	}
}

func (c *CLM) describe(n Node) string {
	var b strings.Builder
	fmt.Fprintf(&b, "node %d", n.ID)
	if n.Address.IsValid() {
		fmt.Fprintf(&b, " ip(%s)", n.Address)
	}
	if n.Name != "" {
		fmt.Fprintf(&b, " name(%s)", n.Name)
	}
	return b.String()
}

// notify sends the track callback of a view change to every tracking
// client, in ascending connection id: the whole membership to TrackChanges
// clients, the changed entries to TrackChangesOnly ones.
func (c *CLM) notify(all, changes []clmapi.ClusterNotification) {
	members := uint32(len(c.members))
	var full, delta []byte
	for _, id := range slices.Sorted(maps.Keys(c.clients)) {
		cl := c.clients[id]
		var body *[]byte
		var items []clmapi.ClusterNotification
		switch {
		case cl.flags&clmapi.TrackChanges != 0:
			body, items = &full, all
		case cl.flags&clmapi.TrackChangesOnly != 0:
			body, items = &delta, changes
		default:
			continue
		}
		if *body == nil {
			b, err := clmapi.AppendTrackCallback(nil, clmapi.TrackCallback{Status: ipc.StatusOK, NumberOfMembers: members,
				Buffer: clmapi.ClusterNotificationBuffer{ViewNumber: c.view, Notification: items}})
			if err != nil {
				c.log.Error("cannot encode the track callback", "err", err)
				return
			}
			*body = b
		}
		cl.conn.Callback(clmapi.CbTrack, *body)
	}
}
