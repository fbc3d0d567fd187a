package cpg

import (
	"goais/service"
)

// maxReassembly bounds the message a PARTIAL_MCAST chain may announce.
// libcpg senders can exceed our own MaxMessageSize; memory grows only with
// the fragments actually received.
const maxReassembly = 64 << 20

// partialKey names one chain of fragments: a process of a node sending to
// a group.
type partialKey struct {
	node  service.NodeID
	pid   uint32
	group string
}

// assembly is a message being put back together.
type assembly struct {
	msgLen uint32
	buf    []byte
}

// deliverPartial adds a PARTIAL_MCAST fragment to its chain and delivers
// the whole message when the LAST fragment arrives. corosync hands each
// fragment to libcpg, which reassembles them per (nodeid, pid); we do it
// here so that clients see whole messages either way. The rules for
// MCAST apply per fragment: no local member, nothing to do; unknown
// sender, dropped. A chain that breaks is discarded with a log line.
func (c *CPG) deliverPartial(sender service.NodeID, m PartialMcast) {
	key := partialKey{sender, m.PID, m.Group}
	if !c.hasReceivers(m.Group) {
		delete(c.partials, key)
		return
	}
	if !c.known(m.Group, sender) {
		delete(c.partials, key)
		c.log.Debug("Unknown node -> we will not deliver message", "nodeid", sender, "group", m.Group, "pid", m.PID)
		return
	}
	a := c.partials[key]
	switch m.Type {
	case FragFirst:
		if a != nil {
			c.brokenChain(key, "a first fragment arrived before the last one", len(a.buf), a.msgLen)
		}
		if m.MsgLen > maxReassembly || uint32(len(m.Fragment)) > m.MsgLen {
			c.brokenChain(key, "bad message length", len(m.Fragment), m.MsgLen)
			return
		}
		a = &assembly{msgLen: m.MsgLen, buf: make([]byte, 0, min(int(m.MsgLen), 2*len(m.Fragment)))}
		a.buf = append(a.buf, m.Fragment...)
		c.partials[key] = a
		return
	case FragContinued, FragLast:
		if a == nil {
			c.log.Debug("dropping a fragment without its first fragment", "nodeid", sender, "pid", m.PID,
				"group", m.Group, "type", m.Type)
			return
		}
	default:
		c.log.Warn("dropping a fragment of unknown type", "nodeid", sender, "pid", m.PID, "group", m.Group, "type", m.Type)
		return
	}
	if m.MsgLen != a.msgLen || int64(len(a.buf))+int64(len(m.Fragment)) > int64(a.msgLen) {
		c.brokenChain(key, "fragments do not add up to the message length", len(a.buf)+len(m.Fragment), a.msgLen)
		return
	}
	a.buf = append(a.buf, m.Fragment...)
	if m.Type == FragContinued {
		return
	}
	delete(c.partials, key)
	if len(a.buf) != int(a.msgLen) {
		c.brokenChain(key, "the last fragment came early", len(a.buf), a.msgLen)
		return
	}
	c.handOut(m.Group, sender, m.PID, a.buf)
}

// brokenChain discards a chain and says why.
func (c *CPG) brokenChain(key partialKey, why string, have int, msgLen uint32) {
	delete(c.partials, key)
	c.log.Warn("discarding a fragmented message: "+why, "nodeid", key.node, "pid", key.pid,
		"group", key.group, "bytes", have, "msglen", msgLen)
}
