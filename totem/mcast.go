package totem

import (
	"time"

	"goais/totem/wire"
)

// handleMcast is message_handler_mcast: store a message of our ring in the
// sort queue of its kind (regular or encapsulated recovery copy), advance
// the aru and, when operational, deliver.
func (n *Node) handleMcast(now time.Time, data []byte, m *wire.Mcast) {
	q := n.regular
	if m.Header.Encapsulated == wire.Encapsulated {
		q = n.recovery
	}
	if m.Ring != n.ringID {
		n.handleForeign(now, m.SystemFrom, "foreign message")
		return
	}
	// A message is stored only in the queue that tracks its ring: regular
	// messages in the regular queue while it holds that ring's messages,
	// recovery copies in the recovery queue while recovering. A regular
	// message of a ring we committed to but have not installed yet (another
	// member finished recovery first) would otherwise land among the old
	// ring's messages under a colliding seq; dropping it is safe, because
	// our aru holds the token's aru down until we have it again.
	switch {
	case m.Header.Encapsulated == wire.Encapsulated && n.state != StateRecovery:
		return
	case m.Header.Encapsulated != wire.Encapsulated && m.Ring != n.regularRing:
		return
	}
	if q.inRange(m.Seq) && !q.inuse(m.Seq) {
		buf := n.allocBuf(len(data))
		copy(buf, data)
		if wire.SeqLT(n.myHighSeqRcv, m.Seq) {
			n.myHighSeqRcv = m.Seq
		}
		q.add(m.Seq, buf)
	}
	n.updateARU()
	if n.state == StateOperational {
		n.deliverToApp(n.myHighSeqRcv, deliverRegular)
	}
}
