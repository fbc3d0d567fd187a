package rrp

import (
	"log/slog"
	"strconv"
	"time"

	"goais/logging"
	"goais/totem/wire"
)

// Verdict tells the caller what to do with a received datagram.
type Verdict int

const (
	// Deliver: step the core with the datagram now.
	Deliver Verdict = iota
	// Held: the Monitor took a copy (or already had one); it comes out of
	// [Monitor.Released] when it is due, possibly right after this call.
	Held
	// Drop: discard the datagram (a copy of a token already delivered).
	Drop
)

// String returns "deliver", "held" or "drop".
func (v Verdict) String() string {
	switch v {
	case Deliver:
		return "deliver"
	case Held:
		return "held"
	case Drop:
		return "drop"
	}
	return "verdict(" + strconv.Itoa(int(v)) + ")"
}

// maxRings is the most rings any mode drives.
const maxRings = 2

// tokenID names an ORF token: its ring, its token_seq (bumped by every
// forwarder) and its seq (the highest message seq of the ring).
type tokenID struct {
	ring     wire.RingID
	tokenSeq uint32
	seq      uint32
}

// before reports whether token a precedes b: b is of a newer ring, or of
// the same ring with a greater token_seq. Ring ids only grow (a new ring's
// seq exceeds that of every member's previous ring), so a ring with a
// smaller seq is stale. Two different rings with the same seq cannot be
// ordered; each counts as newer than the other, so a token of either
// starts a round.
func (a tokenID) before(b tokenID) bool {
	if a.ring != b.ring {
		return a.ring.Seq <= b.ring.Seq
	}
	return wire.SeqLT(a.tokenSeq, b.tokenSeq)
}

// ring is the per-ring state.
type ring struct {
	addr     string
	faulty   bool
	problems int       // active: problem counter
	counts   [2]uint32 // passive: tokens and messages received (kindToken, kindMessage)
	status   string
	warned   time.Time // last "last working ring" log, for the rate limit
	stats    RingStats
}

// Counter kinds of ring.counts.
const (
	kindToken   = 0
	kindMessage = 1
)

// Monitor is the redundant ring state machine of one node. It sits between
// the executive and its ring transports: [Monitor.SendRings] picks the
// rings for each outgoing datagram, [Monitor.Receive] decides for each
// incoming one, [Monitor.Tick] fires its timers. It has no goroutines and
// reads no clock; it is not safe for concurrent use.
type Monitor struct {
	mode  Mode
	cfg   Config
	log   *slog.Logger
	rings []ring

	// Decode scratch, reused so that the receive path does not allocate.
	tok wire.Token
	mc  wire.Mcast

	// The held token (both modes) and rrp_token_expired_timeout. expire is
	// armed exactly while holding.
	holding  bool
	held     []byte
	heldRing int
	heldID   tokenID
	expire   time.Time

	// Active: the current token round and the problem decrement timer.
	round     tokenID
	roundOK   bool // a round has started
	roundDone bool // its token was delivered (or released)
	roundGot  [maxRings]bool
	decrement time.Time

	// Passive: the message round-robin index, the last token passed on
	// (copies of it on the other ring are dropped) and the messages seen
	// on the ring of the last token.
	msgNext   int
	last      tokenID
	lastOK    bool
	trackRing wire.RingID
	trackOK   bool // a token named trackRing
	trackSeen bool // an MCAST of trackRing arrived
	trackHigh uint32

	// Rings this node marked faulty since the last NewlyFaulty, for the
	// executive to tell the other nodes.
	newly []int

	// Released tokens: pending until Released hands them out, lent until
	// the next call, then free for the next hold.
	pending [][]byte
	lent    [][]byte
	free    [][]byte
}

// New returns a Monitor for c, with defaults applied, or the validation
// error.
func New(c Config) (*Monitor, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	m := &Monitor{mode: c.Mode, cfg: c, log: c.Logger}
	m.rings = make([]ring, len(c.Addrs))
	for i := range m.rings {
		m.rings[i].addr = c.Addrs[i]
		m.rings[i].status = noFaults(i)
	}
	m.cfg.Addrs = nil // not kept: the caller owns the slice
	return m, nil
}

// Mode returns the monitor's mode.
func (m *Monitor) Mode() Mode { return m.mode }

// isToken reports whether a datagram is sent as a token (ORF or commit
// token, corosync's token_send) rather than as a message.
func isToken(t wire.MessageType) bool {
	return t == wire.TypeORFToken || t == wire.TypeCommitToken
}

// SendRings appends to dst the rings to send data on and returns it: ring
// 0 in mode None, every working ring in active mode, the next working ring
// in turn for a message in passive mode, and every working ring for a
// passive token.
// It never returns an empty list.
func (m *Monitor) SendRings(data []byte, dst []int) []int {
	switch m.mode {
	case Active:
		for i := range m.rings {
			if !m.rings[i].faulty {
				dst = append(dst, i)
			}
		}
		return dst
	case Passive:
		if h, _, err := wire.PeekHeader(data); err == nil && isToken(h.Type) {
			// Unlike openais, a token goes on every working ring: it is
			// small, and a token lost on a broken link costs the ring a
			// token_retransmit, several of which lose the membership
			// before the link is marked faulty. Every ring then carries
			// every token, so a broken ring lags by one per token and is
			// found within rrp_problem_count_threshold tokens.
			for i := range m.rings {
				if !m.rings[i].faulty {
					dst = append(dst, i)
				}
			}
			return dst
		}
		return append(dst, m.nextRing(&m.msgNext))
	}
	return append(dst, 0)
}

// nextRing returns the first working ring at or after *idx and moves *idx
// past it. There is always one: the last working ring is never marked
// faulty.
func (m *Monitor) nextRing(idx *int) int {
	n := len(m.rings)
	for k := range n {
		r := (*idx + k) % n
		if !m.rings[r].faulty {
			*idx = (r + 1) % n
			return r
		}
	}
	return 0
}

// Receive decides what to do with data, received on ring at now. data is
// only read during the call; whatever the Monitor holds it copies. A
// datagram it cannot parse is delivered (the core rejects and logs it), as
// is one from a ring number out of range. After Receive the caller steps
// the core with data if the verdict is Deliver, then with every datagram
// of [Monitor.Released], in order.
func (m *Monitor) Receive(now time.Time, ringNo int, data []byte) Verdict {
	m.recycle()
	if ringNo < 0 || ringNo >= len(m.rings) {
		return Deliver
	}
	st := &m.rings[ringNo].stats
	st.Datagrams++
	h, _, err := wire.PeekHeader(data)
	if err != nil {
		st.Malformed++
		return Deliver
	}
	if h.Type == wire.TypeORFToken {
		st.Tokens++
	} else {
		st.Messages++
	}
	switch m.mode {
	case Active:
		if h.Type != wire.TypeORFToken {
			return Deliver
		}
		return m.activeToken(ringNo, now, data)
	case Passive:
		return m.passiveReceive(ringNo, now, h.Type, data)
	}
	return Deliver
}

// decodeToken decodes an ORF token's identity, or reports that it cannot.
func (m *Monitor) decodeToken(data []byte) (tokenID, bool) {
	if err := wire.DecodeToken(data, &m.tok); err != nil {
		return tokenID{}, false
	}
	return tokenID{ring: m.tok.Ring, tokenSeq: m.tok.TokenSeq, seq: m.tok.Seq}, true
}

// Released returns the held datagrams that are now due, in the order the
// core must see them, and forgets them. The slices belong to the Monitor
// and stay valid until the next call of Receive, Tick, Reenable or
// Released.
func (m *Monitor) Released() [][]byte {
	m.recycle()
	if len(m.pending) == 0 {
		return nil
	}
	m.lent, m.pending = m.pending, m.lent
	return m.lent
}

// recycle returns the buffers lent by the previous Released to the free
// list.
func (m *Monitor) recycle() {
	for i, b := range m.lent {
		m.free = append(m.free, b[:0])
		m.lent[i] = nil
	}
	m.lent = m.lent[:0]
}

// buffer returns an empty buffer from the free list, or nil.
func (m *Monitor) buffer() []byte {
	n := len(m.free)
	if n == 0 {
		return nil
	}
	b := m.free[n-1]
	m.free[n-1] = nil
	m.free = m.free[:n-1]
	return b
}

// hold keeps a copy of the token data from ring r and arms the expiry.
func (m *Monitor) hold(r int, now time.Time, data []byte, id tokenID) {
	m.held = append(m.buffer(), data...)
	m.holding = true
	m.heldRing = r
	m.heldID = id
	m.expire = now.Add(m.cfg.TokenExpiredTimeout)
	m.rings[r].stats.TokensHeld++
}

// release moves the held token to the released list and disarms the
// expiry.
func (m *Monitor) release() {
	m.pending = append(m.pending, m.held)
	m.dropHeld()
}

// discard throws the held copy away (another copy is being delivered).
func (m *Monitor) discard() {
	m.free = append(m.free, m.held[:0])
	m.dropHeld()
}

func (m *Monitor) dropHeld() {
	m.held = nil
	m.holding = false
	m.expire = time.Time{}
}

// queueCopy appends a copy of data to the released list: a datagram that
// must reach the core after a token released in the same call.
func (m *Monitor) queueCopy(data []byte) {
	m.pending = append(m.pending, append(m.buffer(), data...))
}

// Tick fires every timer due at or before now, earliest first.
func (m *Monitor) Tick(now time.Time) {
	m.recycle()
	for {
		exp := !m.expire.IsZero() && !m.expire.After(now)
		dec := !m.decrement.IsZero() && !m.decrement.After(now)
		switch {
		case exp && (!dec || !m.decrement.Before(m.expire)):
			m.expired(now)
		case dec:
			m.decremented(now)
		default:
			return
		}
	}
}

// expired handles rrp_token_expired_timeout.
func (m *Monitor) expired(now time.Time) {
	if m.mode == Active {
		m.activeExpired(now)
	}
	if m.holding {
		m.rings[m.heldRing].stats.ReleasedByTimeout++
		if m.mode == Passive {
			m.giveUp(m.heldID)
		}
		m.release()
	}
	m.expire = time.Time{}
}

// NextDeadline returns when Tick must be called next, or the zero time if
// no timer is armed.
func (m *Monitor) NextDeadline() time.Time {
	switch {
	case m.expire.IsZero():
		return m.decrement
	case m.decrement.IsZero() || m.expire.Before(m.decrement):
		return m.expire
	}
	return m.decrement
}

// Reenable clears every faulty mark and counter, as openais-cfgtool -r
// does on every node: all rings carry traffic again and start from "ring N
// active with no faults". A held token stays held; its timer still runs.
//
// now is the time of the request; nothing is armed by it, it is taken for
// symmetry with the other inputs.
func (m *Monitor) Reenable(now time.Time) {
	_ = now
	m.recycle()
	for i := range m.rings {
		r := &m.rings[i]
		r.faulty = false
		r.problems = 0
		r.counts = [2]uint32{}
		r.status = noFaults(i)
		r.warned = time.Time{}
	}
	m.msgNext = 0
	m.decrement = time.Time{}
	m.logf(logging.LevelNotice, "Rings re-enabled by administrative request")
}
