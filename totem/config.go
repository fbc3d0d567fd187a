package totem

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Config holds a node's identity and every Totem timer and constant. The
// field names follow the totem { } options of openais.conf(5); the defaults
// (applied by [Config.WithDefaults] to zero fields) are corosync 3.1.7's.
type Config struct {
	// NodeID is this processor's id (nodeid). Required, non-zero.
	NodeID NodeID
	// Nodes is the configured node list (nodelist), this node included.
	// Its length scales the default token timeout.
	Nodes []NodeID

	// Token is the token loss timeout (token). Default 3000 ms plus
	// TokenCoefficient per node beyond two.
	Token time.Duration
	// TokenCoefficient (token_coefficient) is added to Token for each node
	// beyond two when Token is defaulted. Default 650 ms.
	TokenCoefficient time.Duration
	// RetransmitsBeforeLoss (retransmits_before_loss, corosync's
	// token_retransmits_before_loss_const) sets the default TokenRetransmit
	// and Hold. Default 4.
	RetransmitsBeforeLoss int
	// TokenRetransmit (token_retransmit): resend the last token after this
	// long without a new one. Default Token / (RetransmitsBeforeLoss + 0.2).
	TokenRetransmit time.Duration
	// Hold (hold): how often the representative resends a held token on an
	// idle ring. Default TokenRetransmit*0.8 - 10 ms.
	Hold time.Duration
	// Join (join): join message resend interval. Default 50 ms.
	Join time.Duration
	// SendJoin (send_join): upper bound of a random delay before sending a
	// join. Default 0 (off).
	SendJoin time.Duration
	// Consensus (consensus): gather deadline. Default 1.2 × Token.
	Consensus time.Duration
	// Merge (merge): delay before an idle representative sends a merge
	// detect. Default 200 ms.
	Merge time.Duration
	// Downcheck (downcheck): interface recheck interval. Default 1000 ms.
	// Kept for configuration compatibility; the core has no interfaces.
	Downcheck time.Duration
	// FailToRecvConst (fail_to_recv_const, corosync's fail_recv_const):
	// token rotations with a stuck aru before this node declares itself
	// failed. Default 2500.
	FailToRecvConst int
	// SeqnoUnchangedConst (seqno_unchanged_const): idle rotations before the
	// token is held. Default 30.
	SeqnoUnchangedConst int
	// HeartbeatFailuresAllowed (heartbeat_failures_allowed): 0 disables the
	// heartbeat mechanism, as in corosync 3.x.
	HeartbeatFailuresAllowed int
	// MaxNetworkDelay (max_network_delay). Default 50 ms.
	MaxNetworkDelay time.Duration
	// WindowSize (window_size): messages per token rotation. Default 50.
	WindowSize int
	// MaxMessages (max_messages): messages one node sends per token.
	// Default 17.
	MaxMessages int
	// MissCountConst (miss_count_const): tokens a message may be missing
	// before it is put on the retransmit list. Default 5.
	MissCountConst int
	// NetMTU (netmtu): network MTU. Default 1500. A message payload may be
	// at most NetMTU - 90 bytes (corosync's totemsrp_net_mtu_adjust).
	NetMTU int
	// MaxQueue bounds the messages waiting to be sent (corosync's
	// new_message_queue). Default: room for four maximum-size (1 MiB)
	// messages, 4 MiB / NetMTU frames (2796 at MTU 1500), as corosync's
	// MESSAGE_QUEUE_MAX. The token takes at most window_size frames per
	// visit, so a longer queue adds only latency and memory (16384 frames
	// held 24 MB per node under a 64 KB flood).
	MaxQueue int

	// RingSeq is the ring seq persisted by an earlier run (0 if none). The
	// node starts on ring (NodeID, RingSeq+1) and forms its singleton ring
	// from there, as corosync does; see [Ready.PersistRingSeq].
	RingSeq uint64

	// Rand supplies randomness (send_join jitter). Default: a PCG seeded
	// from NodeID, so runs stay deterministic.
	Rand *rand.Rand
	// Logger receives protocol logs. Default: discard.
	Logger *slog.Logger
	// TokenHook, if set, runs each time a valid ORF token is accepted,
	// before this node sends new messages on it (corosync's token-received
	// callback; the packing layer flushes its partial packet here).
	TokenHook func()
}

// MaxPayload returns the largest Propose payload for the configured MTU.
func (c Config) MaxPayload() int { return c.NetMTU - 2*45 }

// Errors returned by configuration validation.
var ErrInvalidConfig = errors.New("totem: invalid configuration")

// WithDefaults returns a copy of c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.TokenCoefficient == 0 {
		c.TokenCoefficient = 650 * time.Millisecond
	}
	if c.Token == 0 {
		c.Token = 3000 * time.Millisecond
		if n := len(c.Nodes); n > 2 {
			c.Token += time.Duration(n-2) * c.TokenCoefficient
		}
	}
	if c.RetransmitsBeforeLoss == 0 {
		c.RetransmitsBeforeLoss = 4
	}
	if c.TokenRetransmit == 0 {
		c.TokenRetransmit = time.Duration(float64(c.Token) / (float64(c.RetransmitsBeforeLoss) + 0.2))
		c.TokenRetransmit = c.TokenRetransmit.Truncate(time.Millisecond)
	}
	if c.Hold == 0 {
		c.Hold = time.Duration(float64(c.TokenRetransmit)*0.8) - 10*time.Millisecond
		c.Hold = c.Hold.Truncate(time.Millisecond)
	}
	if c.Join == 0 {
		c.Join = 50 * time.Millisecond
	}
	if c.Consensus == 0 {
		c.Consensus = time.Duration(float64(c.Token) * 1.2)
	}
	if c.Merge == 0 {
		c.Merge = 200 * time.Millisecond
	}
	if c.Downcheck == 0 {
		c.Downcheck = 1000 * time.Millisecond
	}
	if c.FailToRecvConst == 0 {
		c.FailToRecvConst = 2500
	}
	if c.SeqnoUnchangedConst == 0 {
		c.SeqnoUnchangedConst = 30
	}
	if c.MaxNetworkDelay == 0 {
		c.MaxNetworkDelay = 50 * time.Millisecond
	}
	if c.WindowSize == 0 {
		c.WindowSize = 50
	}
	if c.MaxMessages == 0 {
		c.MaxMessages = 17
	}
	if c.MissCountConst == 0 {
		c.MissCountConst = 5
	}
	if c.NetMTU == 0 {
		c.NetMTU = 1500
	}
	if c.MaxQueue == 0 {
		c.MaxQueue = 4 << 20 / c.NetMTU
	}
	if c.Rand == nil {
		c.Rand = rand.New(rand.NewPCG(uint64(c.NodeID), 0x70746f74656d))
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first problem with a defaulted configuration.
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	switch {
	case c.NodeID == 0:
		return bad("nodeid must be non-zero")
	case c.Token <= 0:
		return bad("token must be positive, got %v", c.Token)
	case c.TokenRetransmit <= 0 || c.TokenRetransmit >= c.Token:
		return bad("token_retransmit %v must be positive and below token %v", c.TokenRetransmit, c.Token)
	case c.Hold <= 0:
		return bad("hold must be positive, got %v", c.Hold)
	case c.Consensus < c.Token:
		return bad("consensus %v must be at least token %v", c.Consensus, c.Token)
	case c.Join <= 0 || c.Merge <= 0:
		return bad("join and merge must be positive")
	case c.SendJoin < 0:
		return bad("send_join must not be negative")
	case c.WindowSize <= 0 || c.MaxMessages <= 0 || c.MaxMessages > c.WindowSize:
		return bad("window_size %d and max_messages %d must be positive with max_messages <= window_size", c.WindowSize, c.MaxMessages)
	case c.SeqnoUnchangedConst <= 0 || c.FailToRecvConst <= 0 || c.MissCountConst <= 0:
		return bad("seqno_unchanged_const, fail_to_recv_const and miss_count_const must be positive")
	case c.NetMTU < 576 || c.NetMTU > 65536:
		return bad("netmtu %d out of range [576, 65536]", c.NetMTU)
	case c.MaxQueue <= 0:
		return bad("message queue bound must be positive")
	}
	seen := map[NodeID]bool{}
	for _, id := range c.Nodes {
		if id == 0 {
			return bad("nodelist holds nodeid 0")
		}
		if seen[id] {
			return bad("nodelist holds nodeid %d twice", id)
		}
		seen[id] = true
	}
	return nil
}
