package ringtest

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"goais/internal/lab"
)

// waitLimit bounds every wait on a condition: a deadline to fail with a
// message, not a claim about speed.
const waitLimit = 60 * time.Second

// waitStatus polls ais-cfgtool -s on d until ok says yes.
func waitStatus(t *testing.T, d *lab.Daemon, what string, ok func(lab.RingState) bool) lab.RingState {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		s, err := d.RingStatus()
		if err == nil && ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %d: %s never happened (last error %v):\n%s", d.Node.ID, what, err, s.Text)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func ringStatus(t *testing.T, d *lab.Daemon) lab.RingState {
	t.Helper()
	s, err := d.RingStatus()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var ringRE = regexp.MustCompile(`Membership information \(ring ([0-9a-f]+\.[0-9a-f]+)\)`)

// ringID is the ring a goais node is in, from ais-cfgtool -m.
func ringID(t *testing.T, d *lab.Daemon) string {
	t.Helper()
	out, err := d.Tool(d.Lab().Bin("ais-cfgtool"), "-m")
	if err != nil {
		t.Fatal(err)
	}
	m := ringRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("node %d: no ring id in ais-cfgtool -m:\n%s", d.Node.ID, out)
	}
	return m[1]
}

// sameRing fails unless every node is still in the ring it was in.
func sameRing(t *testing.T, c *lab.Cluster, before map[uint32]string) {
	t.Helper()
	for id, ring := range before {
		if now := ringID(t, c.Daemons[id]); now != ring {
			t.Errorf("node %d moved from ring %s to ring %s: the fault disturbed the membership", id, ring, now)
		}
	}
}

func rings(t *testing.T, c *lab.Cluster, ids ...uint32) map[uint32]string {
	t.Helper()
	m := map[uint32]string{}
	for _, id := range ids {
		m[id] = ringID(t, c.Daemons[id])
	}
	return m
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func describe(s lab.RingState) string { return fmt.Sprintf("%+v", s.Rings) }
