package lab

import (
	"fmt"
	"strconv"
	"strings"
)

// RingState is a goais node's ais-cfgtool -s, parsed.
type RingState struct {
	Mode    string // redundant ring mode: none, active, passive
	Secauth string // "off" or "on (…)"
	Rings   []RingLine
	// Dropped counts received datagrams dropped, by the words of the
	// "Dropped datagrams:" line: "invalid digest", "truncated",
	// "plaintext", "replayed", "unknown source", "oversized", "malformed".
	Dropped map[string]uint64
	Text    string
}

// RingLine is one RING ID block.
type RingLine struct {
	Number int
	Addr   string
	Status string
}

// Faulty reports whether ring n's status says FAULTY.
func (s RingState) Faulty(n int) bool {
	for _, r := range s.Rings {
		if r.Number == n {
			return strings.Contains(r.Status, "FAULTY")
		}
	}
	return false
}

// AllActive reports whether every ring is "active with no faults".
func (s RingState) AllActive() bool {
	for _, r := range s.Rings {
		if r.Status != fmt.Sprintf("ring %d active with no faults", r.Number) {
			return false
		}
	}
	return len(s.Rings) > 0
}

// RingStatus runs ais-cfgtool -s on a goais node and parses it.
func (d *Daemon) RingStatus() (RingState, error) {
	out, err := d.Tool(d.lab.Bin("ais-cfgtool"), "-s")
	if err != nil {
		return RingState{}, err
	}
	return ParseRingStatus(out)
}

// ParseRingStatus parses ais-cfgtool -s output.
func ParseRingStatus(out string) (RingState, error) {
	s := RingState{Dropped: map[string]uint64{}, Text: out}
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "Redundant ring mode "):
			rest := strings.TrimPrefix(line, "Redundant ring mode ")
			mode, sec, _ := strings.Cut(rest, ", secauth ")
			s.Mode, s.Secauth = mode, sec
		case strings.HasPrefix(line, "RING ID "):
			n, err := strconv.Atoi(strings.TrimPrefix(line, "RING ID "))
			if err != nil {
				return s, fmt.Errorf("lab: bad ring status line %q", line)
			}
			s.Rings = append(s.Rings, RingLine{Number: n})
		case strings.HasPrefix(line, "\tid\t= ") && len(s.Rings) > 0:
			s.Rings[len(s.Rings)-1].Addr = strings.TrimPrefix(line, "\tid\t= ")
		case strings.HasPrefix(line, "\tstatus\t= ") && len(s.Rings) > 0:
			s.Rings[len(s.Rings)-1].Status = strings.TrimPrefix(line, "\tstatus\t= ")
		case strings.HasPrefix(line, "Dropped datagrams: "):
			for _, f := range strings.Split(strings.TrimPrefix(line, "Dropped datagrams: "), ", ") {
				i := strings.LastIndexByte(f, ' ')
				if i < 0 {
					return s, fmt.Errorf("lab: bad dropped counter %q", f)
				}
				n, err := strconv.ParseUint(f[i+1:], 10, 64)
				if err != nil {
					return s, fmt.Errorf("lab: bad dropped counter %q", f)
				}
				s.Dropped[f[:i]] = n
			}
		}
	}
	if len(s.Rings) == 0 {
		return s, fmt.Errorf("lab: no ring in ais-cfgtool -s output:\n%s", out)
	}
	return s, nil
}
