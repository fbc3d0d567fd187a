package rrp

import (
	"fmt"
	"log/slog"
	"time"

	"goais/logging"
)

// activeToken handles an ORF token received on ring r in active mode: the
// core gets each token once, when every working ring has delivered a copy
// or when rrp_token_expired_timeout expires.
func (m *Monitor) activeToken(r int, now time.Time, data []byte) Verdict {
	id, ok := m.decodeToken(data)
	if !ok {
		return Deliver // the core rejects and logs it
	}
	superseded := false
	if m.roundOK {
		switch {
		case id.ring == m.round.ring && id.tokenSeq == m.round.tokenSeq:
			if m.roundDone {
				m.rings[r].stats.DuplicateTokens++
				return Drop
			}
			m.roundGot[r] = true
			if !m.roundComplete() {
				return Held // the held copy stands for this one too
			}
			m.roundDone = true
			m.discard()
			return Deliver
		case !m.round.before(id):
			// A token of an older ring, or an older token of this ring:
			// the core has moved past it.
			m.rings[r].stats.DuplicateTokens++
			return Drop
		}
		// A newer token while the current one is still awaited (a new
		// ring, or a token the ring regenerated): the old one goes to the
		// core first, without counting problems, as openais restarts its
		// round.
		if m.holding {
			m.release()
			superseded = true
		}
	}
	m.round = id
	m.roundOK = true
	m.roundDone = false
	m.roundGot = [maxRings]bool{}
	m.roundGot[r] = true
	if m.roundComplete() {
		m.roundDone = true
		if superseded {
			m.queueCopy(data)
			return Held
		}
		return Deliver
	}
	m.hold(r, now, data, id)
	return Held
}

// roundComplete reports whether every working ring delivered the current
// token.
func (m *Monitor) roundComplete() bool {
	for i := range m.rings {
		if !m.rings[i].faulty && !m.roundGot[i] {
			return false
		}
	}
	return true
}

// activeExpired is openais's timer_function_active_token_expired: every
// working ring that did not deliver the token gets a problem, a ring at
// the threshold is marked faulty, and the caller releases the token.
func (m *Monitor) activeExpired(now time.Time) {
	m.roundDone = true
	threshold := m.cfg.ProblemCountThreshold
	for i := range m.rings {
		r := &m.rings[i]
		if r.faulty || m.roundGot[i] {
			continue
		}
		if r.problems < threshold {
			r.problems++
		}
		r.stats.Problems++
		if m.decrement.IsZero() {
			m.decrement = now.Add(m.cfg.ProblemCountTimeout)
		}
		r.status = fmt.Sprintf("Incrementing problem counter for seqid %d iface %s to [%d of %d]",
			m.round.tokenSeq, r.addr, r.problems, threshold)
		m.logf(logging.LevelNotice, "%s", r.status)
	}
	for i := range m.rings {
		r := &m.rings[i]
		if r.faulty || r.problems < threshold {
			continue
		}
		m.markFaultyHere(now, i, fmt.Sprintf("Marking seqid %d ringid %d interface %s FAULTY - administrative intervention required.",
			m.round.tokenSeq, i, r.addr))
	}
	if !m.anyProblems() {
		m.decrement = time.Time{}
	}
}

// decremented is openais's timer_function_active_problem_decrementer:
// every working ring's problem counter drops by one; the timer runs again
// while any is above zero. A faulty ring keeps its count.
func (m *Monitor) decremented(now time.Time) {
	m.decrement = time.Time{}
	for i := range m.rings {
		r := &m.rings[i]
		if r.faulty || r.problems == 0 {
			continue
		}
		r.problems--
		if r.problems == 0 {
			r.status = noFaults(i)
		} else {
			r.status = fmt.Sprintf("Decrementing problem counter for iface %s to [%d of %d]",
				r.addr, r.problems, m.cfg.ProblemCountThreshold)
		}
		m.logf(slog.LevelDebug, "%s", r.status)
	}
	if m.anyProblems() {
		m.decrement = now.Add(m.cfg.ProblemCountTimeout)
	}
}

// anyProblems reports whether a working ring has a problem count to
// decrement.
func (m *Monitor) anyProblems() bool {
	for i := range m.rings {
		if !m.rings[i].faulty && m.rings[i].problems > 0 {
			return true
		}
	}
	return false
}
