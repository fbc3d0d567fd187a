package rrp

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// lastRingLogInterval limits the "last working ring" error: once the
// condition holds it is true on every token (active) or datagram
// (passive), and a line per datagram would drown the log.
const lastRingLogInterval = 10 * time.Second

// RingStatus is one ring's line of openais-cfgtool -s.
type RingStatus struct {
	Ring   int
	Addr   string
	Faulty bool
	// ProblemCount is the active mode's problem counter. In passive mode
	// it is how many tokens the ring lags behind the best working ring,
	// the figure compared with rrp_problem_count_threshold.
	ProblemCount int
	// Status is the last status text, in openais's words.
	Status string
}

// RingStats counts what one ring carried. All fields only grow, except
// that nothing resets them (Reenable keeps them).
type RingStats struct {
	Datagrams         uint64 // datagrams received on the ring
	Malformed         uint64 // of which without a valid Totem header (delivered anyway)
	Tokens            uint64 // ORF tokens received
	Messages          uint64 // other datagrams received (MCAST, JOIN, commit token, ...)
	TokensHeld        uint64 // tokens whose copy from this ring was held
	ReleasedByTimeout uint64 // of those, released by rrp_token_expired_timeout
	DuplicateTokens   uint64 // token copies dropped: already delivered or stale (active)
	Problems          uint64 // problem counter increments (active)
}

// Stats holds the counters of every ring, ring 0 first.
type Stats struct {
	Rings []RingStats
}

// Status returns every ring's status, ring 0 first.
func (m *Monitor) Status() []RingStatus {
	out := make([]RingStatus, len(m.rings))
	for i := range m.rings {
		r := &m.rings[i]
		out[i] = RingStatus{Ring: i, Addr: r.addr, Faulty: r.faulty, ProblemCount: r.problems, Status: r.status}
		if m.mode == Passive {
			out[i].ProblemCount = int(m.lag(i, kindToken))
		}
	}
	return out
}

// Stats returns the counters so far.
func (m *Monitor) Stats() Stats {
	s := Stats{Rings: make([]RingStats, len(m.rings))}
	for i := range m.rings {
		s.Rings[i] = m.rings[i].stats
	}
	return s
}

// noFaults is the status of a healthy ring.
func noFaults(i int) string {
	return "ring " + strconv.Itoa(i) + " active with no faults"
}

// working counts the rings not marked faulty.
func (m *Monitor) working() int {
	n := 0
	for i := range m.rings {
		if !m.rings[i].faulty {
			n++
		}
	}
	return n
}

// markFaulty marks ring i faulty with the given status text, unless it is
// the last working ring: openais would then stop all traffic, so the ring
// stays in use and an error says why (at most every lastRingLogInterval).
// It reports whether the ring was marked.
func (m *Monitor) markFaulty(now time.Time, i int, status string) bool {
	r := &m.rings[i]
	if m.working() <= 1 {
		r.status = fmt.Sprintf("ring %d interface %s would be marked FAULTY, but it is the last working ring", i, r.addr)
		if r.warned.IsZero() || now.Sub(r.warned) >= lastRingLogInterval {
			r.warned = now
			m.logf(slog.LevelError, "%s", r.status)
		}
		return false
	}
	r.faulty = true
	r.status = status
	m.logf(slog.LevelError, "%s", status)
	return true
}

// markFaultyHere marks ring i faulty on this node's own evidence, and
// remembers it for NewlyFaulty.
func (m *Monitor) markFaultyHere(now time.Time, i int, status string) {
	if m.markFaulty(now, i, status) {
		m.newly = append(m.newly, i)
	}
}

// NewlyFaulty returns the rings this node marked faulty on its own evidence
// since the last call, and forgets them. The executive multicasts them so
// that every node stops using the ring (see MarkFaulty).
func (m *Monitor) NewlyFaulty() []int {
	n := m.newly
	m.newly = nil
	return n
}

// MarkFaulty applies another node's report that ring i is faulty there.
// A broken link of one node makes its ring useless for everyone: in
// passive mode the others would keep sending it every other message over
// the broken link, in active mode every token would wait for a copy that
// never comes. openais left each node to find out by itself, one
// neighbour at a time; goais marks the ring everywhere as soon as one node
// does. The last working ring is kept, as always. It reports whether the
// ring was marked.
func (m *Monitor) MarkFaulty(now time.Time, i int, reporter uint32) bool {
	if i < 0 || i >= len(m.rings) || m.rings[i].faulty {
		return false
	}
	return m.markFaulty(now, i, fmt.Sprintf("Marking ringid %d interface %s FAULTY - reported by node %d", i, m.rings[i].addr, reporter))
}

// logf logs at level, formatting only when the level is enabled.
func (m *Monitor) logf(level slog.Level, format string, args ...any) {
	if m.log.Enabled(context.Background(), level) {
		m.log.Log(context.Background(), level, fmt.Sprintf(format, args...))
	}
}
