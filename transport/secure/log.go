package secure

import (
	"context"
	"log/slog"
	"net/netip"
	"time"
)

// logInterval is the least time between two log lines of one kind.
const logInterval = 10 * time.Second

// limiter lets the first message of a kind through, then at most one per
// logInterval, counting the ones it holds back so that the next line can
// say how many. Only the Recv goroutine uses the receive-side limiters.
type limiter struct {
	started    bool
	next       time.Time
	suppressed uint64
}

// allow reports whether a line may be written at now, and how many were
// held back since the last one.
func (l *limiter) allow(now time.Time) (bool, uint64) {
	if l.started && now.Before(l.next) {
		l.suppressed++
		return false, 0
	}
	l.started = true
	l.next = now.Add(logInterval)
	n := l.suppressed
	l.suppressed = 0
	return true, n
}

// The drop messages. The bad digest one is corosync's, with the advice
// that its operators need.
const (
	msgBadDigest = "Invalid digest... ignoring the datagram: key mismatch? Every node needs the same authkey (ais-keygen)"
	msgPlaintext = "Received a plaintext datagram, but secauth is on here: key mismatch? Every node needs secauth and the same authkey"
	msgShort     = "Dropping a truncated datagram"
	msgReplayed  = "Dropping a replayed datagram"
)

// logDrop writes the rate-limited warning for one dropped datagram.
func (t *Transport) logDrop(v verdict, from netip.AddrPort, size int, h header, why replayReason) {
	l := &t.limits[v]
	ok, n := l.allow(t.now())
	if !ok {
		return
	}
	fromAttr := slog.String("from", from.String())
	sup := slog.Uint64("suppressed", n)
	ctx := context.Background()
	switch v {
	case dropBadDigest:
		t.log.LogAttrs(ctx, slog.LevelWarn, msgBadDigest, fromAttr, slog.Uint64("node", uint64(h.node)), sup)
	case dropPlaintext:
		t.log.LogAttrs(ctx, slog.LevelWarn, msgPlaintext, fromAttr, sup)
	case dropShort:
		t.log.LogAttrs(ctx, slog.LevelWarn, msgShort, fromAttr, slog.Int("bytes", size), sup)
	case dropReplayed:
		t.log.LogAttrs(ctx, slog.LevelWarn, msgReplayed, fromAttr, slog.Uint64("node", uint64(h.node)),
			slog.Uint64("counter", h.counter), slog.String("reason", why.String()), sup)
	}
}
