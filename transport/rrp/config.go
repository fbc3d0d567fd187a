package rrp

import (
	"fmt"
	"log/slog"
	"time"
)

// Defaults and limits of the rrp_* options.
const (
	// DefaultProblemCountTimeout is rrp_problem_count_timeout's default.
	DefaultProblemCountTimeout = 2000 * time.Millisecond
	// DefaultProblemCountThreshold is rrp_problem_count_threshold's default.
	DefaultProblemCountThreshold = 10
	// MinProblemCountThreshold is the smallest threshold openais accepts,
	// for rrp_problem_count_threshold and rrp_problem_count_mcast_threshold.
	MinProblemCountThreshold = 5
	// MinTimeout is the smallest rrp timeout openais accepts: three of its
	// 10 ms timer ticks.
	MinTimeout = 30 * time.Millisecond
)

// Config configures a [Monitor]. Zero fields take their defaults, except
// TokenExpiredTimeout, which the caller must set. A Config is copied by
// [New]; its Addrs slice is not kept.
type Config struct {
	// Mode is rrp_mode.
	Mode Mode
	// Addrs holds the interface address of each ring, ring 0 first, for
	// status text and logs. Its length is the number of rings: 1 for None,
	// 2 for Active and Passive.
	Addrs []string
	// ProblemCountTimeout (rrp_problem_count_timeout): in active mode, how
	// often every problem counter above zero is lowered by one. Default
	// 2000 ms.
	ProblemCountTimeout time.Duration
	// ProblemCountThreshold (rrp_problem_count_threshold): in active mode,
	// the problem count that marks a ring faulty; in passive mode, how many
	// tokens a ring may lag behind the best ring. Default 10, minimum 5.
	ProblemCountThreshold int
	// ProblemCountMcastThreshold (rrp_problem_count_mcast_threshold): in
	// passive mode, how many messages a ring may lag behind the best ring.
	// Default 10 × ProblemCountThreshold, minimum 5.
	ProblemCountMcastThreshold int
	// TokenExpiredTimeout (rrp_token_expired_timeout): how long a token is
	// held waiting for its copies (active) or for missing messages
	// (passive). Required; unless the option is set, the executive passes
	// [DefaultTokenExpiredTimeout] of token and the threshold.
	TokenExpiredTimeout time.Duration
	// Logger receives the ring status changes; nil discards them.
	Logger *slog.Logger
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.ProblemCountTimeout == 0 {
		c.ProblemCountTimeout = DefaultProblemCountTimeout
	}
	if c.ProblemCountThreshold == 0 {
		c.ProblemCountThreshold = DefaultProblemCountThreshold
	}
	if c.ProblemCountMcastThreshold == 0 {
		c.ProblemCountMcastThreshold = 10 * c.ProblemCountThreshold
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first problem with c, after defaults are applied.
// The error names the openais.conf option at fault.
func (c Config) Validate() error {
	return c.withDefaults().validate()
}

func (c Config) validate() error {
	switch c.Mode {
	case None:
		if len(c.Addrs) != 1 {
			if len(c.Addrs) > 1 {
				return fmt.Errorf("rrp_mode none: %d interfaces configured, but it uses only one; set rrp_mode to active or passive", len(c.Addrs))
			}
			return fmt.Errorf("rrp_mode none: needs one interface, got %d", len(c.Addrs))
		}
	case Active, Passive:
		if len(c.Addrs) != 2 {
			return fmt.Errorf("rrp_mode %s: needs 2 interfaces (ring 0 and ring 1), got %d", c.Mode, len(c.Addrs))
		}
	default:
		return fmt.Errorf("rrp_mode %s: must be none, active or passive", c.Mode)
	}
	if c.ProblemCountThreshold < MinProblemCountThreshold {
		return fmt.Errorf("rrp_problem_count_threshold %d: the minimum is %d", c.ProblemCountThreshold, MinProblemCountThreshold)
	}
	if c.ProblemCountMcastThreshold < MinProblemCountThreshold {
		return fmt.Errorf("rrp_problem_count_mcast_threshold %d: the minimum is %d", c.ProblemCountMcastThreshold, MinProblemCountThreshold)
	}
	if c.ProblemCountTimeout < MinTimeout {
		return fmt.Errorf("rrp_problem_count_timeout %v: the minimum is %v", c.ProblemCountTimeout, MinTimeout)
	}
	if c.TokenExpiredTimeout == 0 {
		return fmt.Errorf("rrp_token_expired_timeout: required (see DefaultTokenExpiredTimeout for the value openais computes)")
	}
	if c.TokenExpiredTimeout < MinTimeout {
		return fmt.Errorf("rrp_token_expired_timeout %v: the minimum is %v", c.TokenExpiredTimeout, MinTimeout)
	}
	return nil
}

// DefaultTokenExpiredTimeout returns the rrp_token_expired_timeout that
// openais.conf(5) describes as calculated from token and the problem count
// threshold when the option is not set: threshold × timeout stays 50 ms
// below token (openais's 47 ms for token 1000 ms and threshold 20). A
// threshold of zero means the default, 10; the result is at least
// [MinTimeout].
//
// Use it rather than token_retransmit: until a failed ring is marked
// faulty, every token waits this long at each node that missed a copy
// (active) or a message (passive), so a rotation of an N-node ring can
// take N times as long, and must stay well below token.
func DefaultTokenExpiredTimeout(token time.Duration, threshold int) time.Duration {
	if threshold <= 0 {
		threshold = DefaultProblemCountThreshold
	}
	return max((token-50*time.Millisecond)/time.Duration(threshold), MinTimeout)
}
