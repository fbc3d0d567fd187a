package lab

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Members returns the node ids the daemon lists as current members: from
// corosync-cmapctl runtime.members (status joined) on a corosync node,
// from ais-cfgtool -m on a goais node.
func (d *Daemon) Members() ([]uint32, error) {
	var ids []uint32
	switch d.Node.Kind {
	case Corosync:
		out, err := d.Tool("corosync-cmapctl", "-b", "runtime.members")
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(out, "\n") {
			// runtime.members.3.status (str) = joined
			rest, ok := strings.CutPrefix(line, "runtime.members.")
			if !ok || !strings.HasSuffix(line, ".status (str) = joined") {
				continue
			}
			id, _, _ := strings.Cut(rest, ".")
			n, err := strconv.ParseUint(id, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("lab: node %d: bad runtime.members line %q", d.Node.ID, line)
			}
			ids = append(ids, uint32(n))
		}
	case Goais:
		out, err := d.Tool(d.lab.Bin("ais-cfgtool"), "-m")
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) < 2 || !strings.Contains(line, "member") {
				continue
			}
			n, err := strconv.ParseUint(f[0], 10, 32)
			if err != nil {
				continue // the header line
			}
			ids = append(ids, uint32(n))
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// WaitMembers waits until every daemon lists exactly ids as members.
func WaitMembers(daemons []*Daemon, ids []uint32, timeout time.Duration) error {
	want := slices.Clone(ids)
	slices.Sort(want)
	deadline := time.Now().Add(timeout)
	for {
		var bad []string
		for _, d := range daemons {
			got, err := d.Members()
			if err != nil {
				bad = append(bad, err.Error())
			} else if !slices.Equal(got, want) {
				bad = append(bad, fmt.Sprintf("node %d lists %v", d.Node.ID, got))
			}
		}
		if len(bad) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("lab: members %v not agreed within %v: %s", want, timeout, strings.Join(bad, "; "))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
