package rrp

import (
	"fmt"
	"time"

	"goais/totem/wire"
)

// counterRebase is where passive receive counters are shifted down: when
// the largest working counter passes it, the smallest working count is
// subtracted from every counter, which keeps every lag and never wraps.
const counterRebase = 1 << 30

// passiveReceive handles a datagram of type typ received on ring r in
// passive mode.
func (m *Monitor) passiveReceive(r int, now time.Time, typ wire.MessageType, data []byte) Verdict {
	switch typ {
	case wire.TypeORFToken:
		m.count(now, r, kindToken)
		return m.passiveToken(r, now, data)
	case wire.TypeMcast:
		m.count(now, r, kindMessage)
		if wire.DecodeMcast(data, &m.mc) == nil && m.trackOK && m.mc.Ring == m.trackRing {
			if !m.trackSeen || wire.SeqLT(m.trackHigh, m.mc.Seq) {
				m.trackHigh = m.mc.Seq
			}
			m.trackSeen = true
		}
		if m.holding && !m.missing(m.heldID) {
			// Delivered after this MCAST, which the caller steps first.
			m.release()
		}
	default:
		m.count(now, r, kindMessage)
	}
	return Deliver
}

// passiveToken holds an ORF token while messages it announces have not
// arrived, so that the core does not request retransmissions of messages
// still travelling on the other ring.
func (m *Monitor) passiveToken(r int, now time.Time, data []byte) Verdict {
	id, ok := m.decodeToken(data)
	if !ok {
		return Deliver // the core rejects and logs it
	}
	if m.lastOK && !m.last.before(id) {
		// The copy from the other ring of a token already passed on or
		// held, or an older token.
		m.rings[r].stats.DuplicateTokens++
		return Drop
	}
	m.last, m.lastOK = id, true
	superseded := false
	if m.holding {
		m.release() // the older token reaches the core first
		superseded = true
	}
	if !m.trackOK || id.ring != m.trackRing {
		// A new ring: track its messages from now on. Nothing is known to
		// be missing until one of its MCASTs has arrived.
		m.trackRing, m.trackOK, m.trackSeen, m.trackHigh = id.ring, true, false, 0
	}
	if m.missing(id) {
		m.hold(r, now, data, id)
		return Held
	}
	if superseded {
		m.queueCopy(data)
		return Held
	}
	return Deliver
}

// giveUp is called when token id was released by the timer: the messages
// it announced did not come. The core now asks for them on the token, and
// they are retransmitted only after this node forwards it, so holding
// another token for them would only delay the ring once per node and
// rotation. Count them as seen.
func (m *Monitor) giveUp(id tokenID) {
	if m.trackOK && id.ring == m.trackRing && (!m.trackSeen || wire.SeqLT(m.trackHigh, id.seq)) {
		m.trackHigh, m.trackSeen = id.seq, true
	}
}

// missing reports whether token id announces messages that have not come
// in yet: the highest MCAST seq seen on its ring is below the token's seq.
func (m *Monitor) missing(id tokenID) bool {
	return m.trackOK && m.trackSeen && id.ring == m.trackRing && wire.SeqLT(m.trackHigh, id.seq)
}

// count is openais's passive_monitor: ring r received one more datagram
// of kind; a working ring that lags the best working ring by more than
// the kind's threshold is marked faulty.
func (m *Monitor) count(now time.Time, r int, kind int) {
	m.rings[r].counts[kind]++
	var high, low uint32
	first := true
	for i := range m.rings {
		if m.rings[i].faulty {
			continue
		}
		c := m.rings[i].counts[kind]
		if first {
			high, low, first = c, c, false
			continue
		}
		high, low = max(high, c), min(low, c)
	}
	if high > counterRebase {
		for i := range m.rings {
			c := &m.rings[i].counts[kind]
			*c -= min(*c, low)
		}
		high -= low
	}
	threshold := uint32(m.cfg.ProblemCountThreshold)
	if kind == kindMessage {
		threshold = uint32(m.cfg.ProblemCountMcastThreshold)
	}
	for i := range m.rings {
		rg := &m.rings[i]
		if rg.faulty || high-rg.counts[kind] <= threshold {
			continue
		}
		m.markFaultyHere(now, i, fmt.Sprintf("Marking ringid %d interface %s FAULTY - administrative intervention required.", i, rg.addr))
	}
}

// lag returns how far ring i's count of kind is behind the best working
// ring's.
func (m *Monitor) lag(i, kind int) uint32 {
	var high uint32
	for j := range m.rings {
		if !m.rings[j].faulty {
			high = max(high, m.rings[j].counts[kind])
		}
	}
	return high - min(high, m.rings[i].counts[kind])
}
