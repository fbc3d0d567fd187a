package cpg

import (
	"errors"
	"fmt"
	"slices"

	"goais/service"
	"goais/totem/pg"
)

// Message size limits.
const (
	// MaxMessageSize bounds one Mcast, like corosync's 1 MiB IPC limit.
	MaxMessageSize = 1 << 20

	// groupHeaderA is the totempg group header of group "a" that every
	// exec message carries: count u16, length u16, "a".
	groupHeaderA = 5
	// MaxAtomicMessage is the largest message that goes out as one MCAST:
	// header, group header and message must fit in one totempg message.
	// Longer ones go out as PARTIAL_MCAST fragments, as libcpg sends
	// messages larger than its IPC chunk.
	MaxAtomicMessage = pg.MaxMessageSize - groupHeaderA - McastHeader
	// fragmentSize is the payload of each PARTIAL_MCAST we send.
	fragmentSize = pg.MaxMessageSize - groupHeaderA - PartialHeader
)

// errSyncing holds requests while a sync round is open.
var errSyncing = fmt.Errorf("cpg: sync in progress: %w", service.ErrTryAgain)

// connState is corosync's cpd_state.
type connState uint8

const (
	unjoined connState = iota
	joinStarted
	joinCompleted
	leaveStarted
)

// conn is one connected client (corosync's cpg_pd).
type conn struct {
	id    ClientID
	state connState
	pid   uint32
	group string
}

// Connect registers a client that connected (cpg_initialize): from now on
// it receives the totem membership callback. Join registers unknown
// clients by itself.
func (c *CPG) Connect(client ClientID) {
	if _, ok := c.conns[client]; !ok {
		c.conns[client] = &conn{id: client}
	}
}

// sendable is corosync's flow control for requests that need the ring:
// not while a sync round is open, and not while older messages still wait
// in the outbox (they must go first).
func (c *CPG) sendable() error {
	if c.Syncing() {
		return errSyncing
	}
	return c.Flush()
}

// Join is cpg_join: client, a process with id pid, joins group. On success
// the PROCJOIN is on its way; the client becomes a member, and receives
// its first configuration change, when the PROCJOIN comes back in agreed
// order. A client joins one group at a time.
func (c *CPG) Join(client ClientID, pid uint32, group string) error {
	if err := checkName(group); err != nil {
		return err
	}
	if err := c.sendable(); err != nil {
		return err
	}
	for _, cl := range c.byGroup[group] {
		if cl.pid == pid {
			return fmt.Errorf("%w: pid %d is in group %q through client %d", ErrExist, pid, group, cl.id)
		}
	}
	if c.find(c.env.NodeID(), pid, group) >= 0 {
		return fmt.Errorf("cpg: the leave of pid %d from %q has not come back yet: %w", pid, group, service.ErrTryAgain)
	}
	c.Connect(client)
	cl := c.conns[client]
	switch cl.state {
	case leaveStarted:
		return fmt.Errorf("%w: client %d is still leaving %q", ErrBusy, client, cl.group)
	case joinStarted, joinCompleted:
		return fmt.Errorf("%w: client %d is in group %q", ErrExist, client, cl.group)
	}
	if err := c.sendProc(FnProcJoin, group, pid, ReasonJoin); err != nil {
		return err
	}
	cl.state, cl.pid, cl.group = joinStarted, pid, group
	c.index(cl)
	return nil
}

// Leave is cpg_leave: client leaves group. Its membership ends when the
// PROCLEAVE comes back, with a last configuration change that lists it as
// left.
func (c *CPG) Leave(client ClientID, group string) error {
	cl, ok := c.conns[client]
	if !ok || cl.state == unjoined || cl.group != group {
		return ErrNotExist
	}
	switch cl.state {
	case leaveStarted:
		return fmt.Errorf("%w: client %d is leaving %q already", ErrExist, client, group)
	case joinStarted:
		return fmt.Errorf("%w: client %d is still joining %q", ErrBusy, client, group)
	}
	if err := c.sendable(); err != nil {
		return err
	}
	if err := c.sendProc(FnProcLeave, group, cl.pid, ReasonLeave); err != nil {
		return err
	}
	cl.state = leaveStarted
	return nil
}

// Mcast is cpg_mcast_joined: multicast msg to the group client joined (or
// is joining: its PROCJOIN precedes the message in the agreed order).
// Every member, the sender included, receives it in agreed order. A
// message longer than MaxAtomicMessage goes out as PARTIAL_MCAST fragments
// and is reassembled by receivers; once its first fragment is out, the
// rest follow through the outbox even if the queue fills.
func (c *CPG) Mcast(client ClientID, group string, msg []byte) error {
	cl, ok := c.conns[client]
	if !ok || cl.group != group || (cl.state != joinStarted && cl.state != joinCompleted) {
		return ErrNotExist
	}
	if len(msg) > MaxMessageSize {
		return fmt.Errorf("%w: %d bytes, max %d", ErrTooBig, len(msg), MaxMessageSize)
	}
	if err := c.sendable(); err != nil {
		return err
	}
	self := c.env.NodeID()
	if len(msg) <= MaxAtomicMessage {
		body, err := Mcast{Group: group, PID: cl.pid, Source: self, Msg: msg}.Body()
		if err != nil {
			return err
		}
		return c.env.Mcast(FnMcast, body)
	}
	var frags []outMsg
	for off := 0; off < len(msg); off += fragmentSize {
		end := min(off+fragmentSize, len(msg))
		typ := FragContinued
		switch {
		case off == 0:
			typ = FragFirst
		case end == len(msg):
			typ = FragLast
		}
		body, err := PartialMcast{Group: group, MsgLen: uint32(len(msg)), PID: cl.pid,
			Type: typ, Source: self, Fragment: msg[off:end]}.Body()
		if err != nil {
			return err
		}
		frags = append(frags, outMsg{fn: FnPartialMcast, body: body})
	}
	if err := c.env.Mcast(frags[0].fn, frags[0].body); err != nil {
		return err
	}
	c.outbox = append(c.outbox, frags[1:]...)
	_ = c.Flush() // what does not go now waits for the next Flush
	return nil
}

// ClientGone is called when a client's connection closed (corosync's
// cpg_lib_exit_fn). If it had joined, or was joining, a PROCLEAVE with
// reason PROCDOWN tells every node; it is queued if the ring cannot take
// it now. The client gets no further callbacks.
func (c *CPG) ClientGone(client ClientID) {
	cl, ok := c.conns[client]
	if !ok {
		return
	}
	delete(c.conns, client)
	if cl.state == unjoined {
		return
	}
	c.unindex(cl)
	if cl.state == leaveStarted {
		return // its PROCLEAVE is on the way already
	}
	body, err := ProcJoin{Group: cl.group, PID: cl.pid, Reason: ReasonProcDown}.Body()
	if err != nil {
		c.log.Error("cannot encode the procleave of a dead client", "client", client, "err", err)
		return
	}
	c.outbox = append(c.outbox, outMsg{fn: FnProcLeave, body: body})
	_ = c.Flush() // what does not go now waits for the next Flush
}

// sendProc multicasts a PROCJOIN or PROCLEAVE.
func (c *CPG) sendProc(fn uint16, group string, pid uint32, reason Reason) error {
	body, err := ProcJoin{Group: group, PID: pid, Reason: reason}.Body()
	if err != nil {
		return err
	}
	return c.env.Mcast(fn, body)
}

// index adds a joining client to byGroup, keeping ClientID order.
func (c *CPG) index(cl *conn) {
	list := c.byGroup[cl.group]
	i, _ := slices.BinarySearchFunc(list, cl.id, func(x *conn, id ClientID) int {
		switch {
		case x.id < id:
			return -1
		case x.id > id:
			return 1
		}
		return 0
	})
	c.byGroup[cl.group] = slices.Insert(list, i, cl)
}

// unindex removes a client from byGroup.
func (c *CPG) unindex(cl *conn) {
	list := slices.DeleteFunc(c.byGroup[cl.group], func(x *conn) bool { return x == cl })
	if len(list) == 0 {
		delete(c.byGroup, cl.group)
		return
	}
	c.byGroup[cl.group] = list
}

// unjoin ends a client's membership after its own LEAVE came back.
func (c *CPG) unjoin(cl *conn) {
	c.unindex(cl)
	cl.state, cl.pid, cl.group = unjoined, 0, ""
}

// outMsg is one exec message waiting in the outbox.
type outMsg struct {
	fn   uint16
	body []byte
}

// Pending reports whether the outbox holds messages for Flush.
func (c *CPG) Pending() bool { return len(c.outbox) > 0 }

// Flush sends what waits in the outbox, in order, until the ring refuses
// (service.ErrTryAgain, returned) or the outbox is empty. The executive
// calls it when its send queue has room again; CPG also tries on every
// request and when sync ends. Nothing goes out while a sync round is open.
func (c *CPG) Flush() error {
	if len(c.outbox) == 0 {
		return nil
	}
	if c.Syncing() {
		return errSyncing
	}
	for len(c.outbox) > 0 {
		m := c.outbox[0]
		if err := c.env.Mcast(m.fn, m.body); err != nil {
			if errors.Is(err, service.ErrTryAgain) {
				return err
			}
			// A message the ring can never take would block the outbox
			// for good; drop it loudly.
			c.log.Error("dropping a queued message the ring refused", "fn", FnName(m.fn), "err", err)
		}
		c.outbox[0] = outMsg{}
		c.outbox = c.outbox[1:]
	}
	c.outbox = nil
	return nil
}
