package totemtest

import (
	"fmt"
	"strconv"
	"time"

	"goais/totem"
)

// positional returns the bare words of the command line, in order.
func (d *TestData) positional() []string {
	var out []string
	for _, a := range d.Args {
		if a.Vals == nil {
			out = append(out, a.Key)
		}
	}
	return out
}

// has reports whether a bare word or key is present.
func (d *TestData) has(key string) bool { return d.Has(key) }

// value returns the single value of key=value, joining a list back.
func (d *TestData) value(key string) (string, bool) { return d.Value(key) }

func (d *TestData) intArg(key string) (int, bool, error) {
	s, ok := d.value(key)
	if !ok {
		return 0, false, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, false, fmt.Errorf("%s=%s: %v", key, s, err)
	}
	return v, true, nil
}

func parseNodeID(s string) (totem.NodeID, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("bad node id %q", s)
	}
	return totem.NodeID(v), nil
}

// nodeArg reads node=X, or else the first positional word.
func (d *TestData) nodeArg() (totem.NodeID, error) {
	if s, ok := d.value("node"); ok {
		return parseNodeID(s)
	}
	if pos := d.positional(); len(pos) > 0 {
		return parseNodeID(pos[0])
	}
	return 0, fmt.Errorf("%s: which node?", d.Cmd)
}

// parseDuration accepts Go durations ("3650ms", "1.5s") and bare numbers
// of milliseconds, the unit of openais.conf.
func parseDuration(s string) (time.Duration, error) {
	if ms, err := strconv.Atoi(s); err == nil {
		return time.Duration(ms) * time.Millisecond, nil
	}
	return time.ParseDuration(s)
}
