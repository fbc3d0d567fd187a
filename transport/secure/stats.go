package secure

import (
	"sync/atomic"

	"goais/transport"
)

// counters are written by Send and Recv and read by Stats from any
// goroutine.
type counters struct {
	recvDatagrams, recvBytes              atomic.Uint64
	badDigest, short, plaintext, replayed atomic.Uint64
	sendRefused                           atomic.Uint64
}

func (c *counters) count(v verdict) {
	switch v {
	case dropBadDigest:
		c.badDigest.Add(1)
	case dropShort:
		c.short.Add(1)
	case dropPlaintext:
		c.plaintext.Add(1)
	case dropReplayed:
		c.replayed.Add(1)
	}
}

// Stats implements transport.Transport: the inner transport's counters,
// with the receive side replaced by this layer's. RecvDatagrams counts the
// datagrams Recv returned (those that authenticated and were not replays)
// and RecvBytes their size on the wire, envelope included, as the inner
// SentBytes counts sealed bytes. Datagrams the inner transport dropped
// (Rejected, Truncated) stay in its counters; the secure drops are in
// BadDigest, ShortEnvelope, Plaintext and Replayed. SendErrors adds the
// datagrams Send refused (empty ones) to the inner transport's.
func (t *Transport) Stats() transport.Stats {
	s := t.inner.Stats()
	s.RecvDatagrams = t.c.recvDatagrams.Load()
	s.RecvBytes = t.c.recvBytes.Load()
	s.SendErrors += t.c.sendRefused.Load()
	s.BadDigest = t.c.badDigest.Load()
	s.ShortEnvelope = t.c.short.Load()
	s.Plaintext = t.c.plaintext.Load()
	s.Replayed = t.c.replayed.Load()
	return s
}
