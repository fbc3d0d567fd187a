package udpsock

import (
	"sync/atomic"
	"time"

	"goais/transport"
)

// counters are the transport's statistics. The Send and Recv goroutines
// update them once per call, not once per datagram, and Stats may read them
// from anywhere.
type counters struct {
	sentDatagrams, sentBytes, sendErrors atomic.Uint64
	recvDatagrams, recvBytes             atomic.Uint64
	rejected, truncated, unknownTargets  atomic.Uint64
}

// Stats returns the counters so far, those the transport adds with the
// Count methods included.
func (s *Socket) Stats() transport.Stats {
	c := &s.cnt
	return transport.Stats{
		SentDatagrams:  c.sentDatagrams.Load(),
		SentBytes:      c.sentBytes.Load(),
		SendErrors:     c.sendErrors.Load(),
		RecvDatagrams:  c.recvDatagrams.Load(),
		RecvBytes:      c.recvBytes.Load(),
		Rejected:       c.rejected.Load(),
		Truncated:      c.truncated.Load(),
		UnknownTargets: c.unknownTargets.Load(),
	}
}

// CountRejected counts one received datagram the transport's Accept
// refused for its source.
func (s *Socket) CountRejected() { s.cnt.rejected.Add(1) }

// CountUnknownTargets counts n datagrams of one Send that had no known
// destination.
func (s *Socket) CountUnknownTargets(n uint64) { add(&s.cnt.unknownTargets, n) }

// add adds a non-zero delta; most calls have nothing to add to most
// counters, and skipping them keeps the cache lines shared.
func add(c *atomic.Uint64, delta uint64) {
	if delta != 0 {
		c.Add(delta)
	}
}

// logInterval is the least time between two debug messages about the same
// kind of dropped datagram: a flood must not turn into a flood of logs.
const logInterval = time.Second

// Limiter lets one message through per second and counts the ones it
// holds back, so that the next message can say how many were suppressed.
// The zero Limiter is ready; it may be used from any goroutine.
type Limiter struct {
	next       atomic.Int64 // unix nanoseconds before which messages are held back
	suppressed atomic.Uint64
}

// Allow reports whether a message may be written now, and how many were
// held back since the last one that was.
func (l *Limiter) Allow() (ok bool, suppressed uint64) {
	now := time.Now().UnixNano()
	next := l.next.Load()
	if now < next || !l.next.CompareAndSwap(next, now+int64(logInterval)) {
		l.suppressed.Add(1)
		return false, 0
	}
	return true, l.suppressed.Swap(0)
}
