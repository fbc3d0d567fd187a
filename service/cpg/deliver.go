package cpg

import (
	"goais/service"
)

// Deliver applies one exec message of service 2 in agreed order
// (corosync's exec handlers). sender is the Totem sender: CPG trusts it,
// not the source field inside MCAST. A malformed message is logged and
// dropped; it cannot panic.
func (c *CPG) Deliver(sender service.NodeID, fn uint16, msg []byte, bigEndian bool) {
	switch fn {
	case FnProcJoin:
		m, err := DecodeProcJoin(msg, bigEndian)
		if err != nil {
			c.malformed(sender, err)
			return
		}
		c.log.Debug("got procjoin message", "nodeid", sender, "pid", m.PID, "group", m.Group)
		// The reason on the wire is JOIN; corosync notifies JOIN
		// whatever it says.
		c.procJoin(m.Group, m.PID, sender, ReasonJoin)
	case FnProcLeave:
		m, err := DecodeProcLeave(msg, bigEndian)
		if err != nil {
			c.malformed(sender, err)
			return
		}
		c.log.Debug("got procleave message", "nodeid", sender, "pid", m.PID, "group", m.Group, "reason", m.Reason)
		c.procLeave(m.Group, m.PID, sender, m.Reason)
	case FnJoinList:
		entries, err := DecodeJoinList(msg, bigEndian)
		if err != nil {
			c.malformed(sender, err)
			return
		}
		c.log.Debug("got joinlist message", "nodeid", sender, "entries", len(entries))
		for _, e := range entries {
			c.sync.joinlists = append(c.sync.joinlists, joinlistEntry{sender: sender, pid: e.PID, group: e.Group})
		}
	case FnMcast:
		m, err := DecodeMcast(msg, bigEndian)
		if err != nil {
			c.malformed(sender, err)
			return
		}
		c.deliverMcast(sender, m)
	case FnDownlistOld:
		m, err := DecodeDownlistOld(msg, bigEndian)
		if err != nil {
			c.malformed(sender, err)
			return
		}
		c.log.Debug("downlist OLD received", "nodeid", sender, "left_nodes", len(m.Left))
	case FnDownlist:
		m, err := DecodeDownlist(msg, bigEndian)
		if err != nil {
			c.malformed(sender, err)
			return
		}
		c.log.Debug("downlist received", "nodeid", sender, "left_nodes", len(m.Left), "old_members", m.OldMembers)
	case FnPartialMcast:
		m, err := DecodePartialMcast(msg, bigEndian)
		if err != nil {
			c.malformed(sender, err)
			return
		}
		c.deliverPartial(sender, m)
	default:
		c.log.Warn("dropping an exec message with an unknown fn", "nodeid", sender, "fn", fn, "max", fnCount-1)
	}
}

func (c *CPG) malformed(sender service.NodeID, err error) {
	c.log.Warn("dropping a malformed message", "nodeid", sender, "err", err)
}

// receives reports whether a local client gets messages to its group:
// joined, or leaving but not yet gone.
func (cl *conn) receives() bool {
	return cl.state == joinCompleted || cl.state == leaveStarted
}

// hasReceivers reports whether some local client gets messages to group.
func (c *CPG) hasReceivers(group string) bool {
	for _, cl := range c.byGroup[group] {
		if cl.receives() {
			return true
		}
	}
	return false
}

// handOut delivers one whole message to the local receivers of group.
func (c *CPG) handOut(group string, sender service.NodeID, pid uint32, msg []byte) {
	for _, cl := range c.byGroup[group] {
		if cl.receives() {
			c.clients.Deliver(cl.id, group, sender, pid, msg)
		}
	}
}

// deliverMcast hands an MCAST to the local members of its group, but only
// if the process list holds some process of the sending node in that group
// (message_handler_req_exec_cpg_mcast): a node whose processes were purged
// must not reach the group.
func (c *CPG) deliverMcast(sender service.NodeID, m Mcast) {
	if !c.hasReceivers(m.Group) {
		return
	}
	if !c.known(m.Group, sender) {
		c.log.Debug("Unknown node -> we will not deliver message", "nodeid", sender, "group", m.Group, "pid", m.PID)
		return
	}
	c.handOut(m.Group, sender, m.PID, m.Msg)
}
