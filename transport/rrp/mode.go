package rrp

import (
	"fmt"
	"strconv"
)

// Mode is the redundant ring mode (rrp_mode).
type Mode int

const (
	// None runs Totem over a single ring.
	None Mode = iota
	// Active sends every datagram on every working ring and delivers an
	// ORF token only once it came in on all of them.
	Active
	// Passive alternates messages over the working rings, sends tokens on
	// all of them, and holds a token while messages it covers are still
	// missing.
	Passive
)

// String returns the openais.conf word for m: "none", "active" or
// "passive" ("mode(N)" for a value outside the three).
func (m Mode) String() string {
	switch m {
	case None:
		return "none"
	case Active:
		return "active"
	case Passive:
		return "passive"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// ParseMode parses the value of rrp_mode.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "none":
		return None, nil
	case "active":
		return Active, nil
	case "passive":
		return Passive, nil
	}
	return None, fmt.Errorf("rrp_mode %q: must be none, active or passive", s)
}
