package secure

import (
	"errors"
	"log/slog"
	"math"
	"time"

	"goais/transport"
)

// Config describes a secure transport.
type Config struct {
	// Inner is the transport that carries the sealed datagrams (udpu, udp).
	// Required. The secure Transport owns it from now on: its Close closes
	// Inner.
	Inner transport.Transport
	// Key is the cluster secret (LoadKey). Required.
	Key *Key
	// NodeID is this node's Totem nodeid, written in every envelope it
	// seals. Required, not 0.
	NodeID uint32
	// Start is the counter of the first datagram sealed. Every later boot
	// of this node must start above every counter this one used, or the
	// other nodes drop its datagrams as replays until it passes them: use
	// NextStart with the value the previous boot used. Zero means the wall
	// clock in nanoseconds, which works while the clock never goes back.
	Start uint64
	// Logger receives the rate-limited warnings about dropped datagrams
	// and the key fingerprint at start. Nil discards them.
	Logger *slog.Logger
	// Now is the clock of the log rate limits. Nil means time.Now.
	Now func() time.Time
}

// check validates c and fills in the defaults.
func (c Config) check() (Config, error) {
	var errs []error
	if c.Inner == nil {
		errs = append(errs, errors.New("secure: Config.Inner is nil"))
	}
	if c.Key == nil {
		errs = append(errs, errors.New("secure: Config.Key is nil"))
	}
	if c.NodeID == 0 {
		errs = append(errs, errors.New("secure: Config.NodeID is 0"))
	}
	if c.Start == 0 {
		c.Start = unixNanos(time.Now())
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, errors.Join(errs...)
}

// bootGap is how far above the previous boot's start a boot starts when
// the clock alone would not put it higher. A normal restart starts at the
// clock, which advanced by more nanoseconds than the previous boot sealed
// datagrams; the gap matters only when the clock went back, and then
// covers a previous boot of up to 2^32 datagrams (hours at a million a
// second, weeks at a busy ring's real rate). It is kept small so that a
// crash loop cannot use up the 2^64 counters: that takes 2^32 restarts.
const bootGap = 1 << 32

// NextStart returns the Start a later boot of this node must use so that
// its counters stay above every counter a boot that started at prev can use
// for a very long time: max(now in nanoseconds, prev + 2^32). The executive
// persists each boot's Start in its state directory and passes it as prev
// (0 when there is no record, which gives the clock). The result saturates
// at the largest counter rather than wrapping.
func NextStart(prev uint64, now time.Time) uint64 {
	next := uint64(math.MaxUint64)
	if prev <= math.MaxUint64-bootGap {
		next = prev + bootGap
	}
	return max(next, unixNanos(now))
}

// unixNanos is t in nanoseconds since 1970, at least 1 (a clock before
// 1970 must not make a counter wrap).
func unixNanos(t time.Time) uint64 {
	return uint64(max(t.UnixNano(), 1))
}
