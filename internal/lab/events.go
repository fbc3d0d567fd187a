package lab

import (
	"fmt"
	"strconv"
	"strings"
)

// Delivery is one "deliver" line of a peer.
type Delivery struct {
	NodeID, PID uint32
	Tag         string
	Seq         string // the payload's sequence number as text ("-" for a foreign payload)
	Len         int
	OK          bool // the payload matched the peers' pattern
}

// Key identifies the message: its sender and sequence.
func (d Delivery) Key() string { return fmt.Sprintf("%d/%d/%s/%s", d.NodeID, d.PID, d.Tag, d.Seq) }

// Member is one entry of a confchg list.
type Member struct {
	NodeID, PID, Reason uint32
}

// Confchg is one "confchg" line.
type Confchg struct {
	Mono                  int64
	Members, Left, Joined []Member
}

// Totem is one "totem" line.
type Totem struct {
	Mono    int64
	Ring    string
	Members []uint32
}

// Deliveries parses the deliver lines among events.
func Deliveries(events []string) ([]Delivery, error) {
	var out []Delivery
	for _, e := range events {
		rest, ok := strings.CutPrefix(e, "deliver ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 6 {
			return nil, fmt.Errorf("lab: bad deliver line %q", e)
		}
		id, err1 := strconv.ParseUint(f[0], 10, 32)
		pid, err2 := strconv.ParseUint(f[1], 10, 32)
		n, err3 := strconv.Atoi(f[4])
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("lab: bad deliver line %q", e)
		}
		out = append(out, Delivery{NodeID: uint32(id), PID: uint32(pid), Tag: f[2], Seq: f[3], Len: n, OK: f[5] == "ok"})
	}
	return out, nil
}

// Confchgs parses the confchg lines among events.
func Confchgs(events []string) ([]Confchg, error) {
	var out []Confchg
	for _, e := range events {
		rest, ok := strings.CutPrefix(e, "confchg ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 4 {
			return nil, fmt.Errorf("lab: bad confchg line %q", e)
		}
		var c Confchg
		var err error
		if c.Mono, err = strconv.ParseInt(f[0], 10, 64); err != nil {
			return nil, fmt.Errorf("lab: bad confchg line %q", e)
		}
		for i, dst := range []*[]Member{&c.Members, &c.Left, &c.Joined} {
			key := [...]string{"members=", "left=", "joined="}[i]
			list, ok := strings.CutPrefix(f[i+1], key)
			if !ok {
				return nil, fmt.Errorf("lab: bad confchg line %q", e)
			}
			if *dst, err = parseMembers(list); err != nil {
				return nil, fmt.Errorf("lab: bad confchg line %q: %v", e, err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func parseMembers(list string) ([]Member, error) {
	var out []Member
	if list == "" {
		return out, nil
	}
	for _, item := range strings.Split(list, ",") {
		f := strings.Split(item, ":")
		if len(f) < 2 || len(f) > 3 {
			return nil, fmt.Errorf("member %q", item)
		}
		var v [3]uint64
		for i, s := range f {
			n, err := strconv.ParseUint(s, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("member %q", item)
			}
			v[i] = n
		}
		out = append(out, Member{NodeID: uint32(v[0]), PID: uint32(v[1]), Reason: uint32(v[2])})
	}
	return out, nil
}

// Totems parses the totem lines among events.
func Totems(events []string) ([]Totem, error) {
	var out []Totem
	for _, e := range events {
		rest, ok := strings.CutPrefix(e, "totem ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 3 {
			return nil, fmt.Errorf("lab: bad totem line %q", e)
		}
		mono, err := strconv.ParseInt(f[0], 10, 64)
		ring, ok1 := strings.CutPrefix(f[1], "ring=")
		list, ok2 := strings.CutPrefix(f[2], "members=")
		if err != nil || !ok1 || !ok2 {
			return nil, fmt.Errorf("lab: bad totem line %q", e)
		}
		t := Totem{Mono: mono, Ring: ring}
		if list != "" {
			for _, s := range strings.Split(list, ",") {
				n, err := strconv.ParseUint(s, 10, 32)
				if err != nil {
					return nil, fmt.Errorf("lab: bad totem line %q", e)
				}
				t.Members = append(t.Members, uint32(n))
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// Fields parses the "key=value" words of a result line, such as
// "stats delivered=10 bytes=640 …".
func Fields(line string) map[string]string {
	m := map[string]string{}
	for _, w := range strings.Fields(line) {
		if k, v, ok := strings.Cut(w, "="); ok {
			m[k] = v
		}
	}
	return m
}

// Int is Fields(line)[key] as an integer (0 if absent or malformed).
func Int(line, key string) int64 {
	n, _ := strconv.ParseInt(Fields(line)[key], 10, 64)
	return n
}

// Float is Fields(line)[key] as a float (0 if absent or malformed).
func Float(line, key string) float64 {
	f, _ := strconv.ParseFloat(Fields(line)[key], 64)
	return f
}
