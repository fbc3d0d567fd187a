package interop

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"goais/internal/lab"
)

// cluster is one lab with one ring started on it.
type cluster struct {
	t       *testing.T
	lab     *lab.Lab
	ring    *lab.Ring
	daemons map[uint32]*lab.Daemon
	sent    map[*lab.Peer]int // messages each peer has sent so far
}

// newCluster builds a lab of hosts hosts and starts every node of ring.
// When the test fails, the tail of every daemon's log is printed.
func newCluster(t *testing.T, hosts int, ring *lab.Ring) *cluster {
	t.Helper()
	l, err := lab.New(lab.Options{Prefix: "goaisinterop", Hosts: hosts, Bin: bin})
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, lab: l, ring: ring, daemons: map[uint32]*lab.Daemon{}, sent: map[*lab.Peer]int{}}
	t.Cleanup(func() {
		if t.Failed() {
			for _, n := range ring.Nodes {
				if d := c.daemons[n.ID]; d != nil {
					t.Logf("---- log of %s node %d:\n%s", n.Kind, n.ID, tail(d.Log(), 60))
				}
			}
		}
		if err := l.Close(); err != nil {
			t.Errorf("lab cleanup: %v", err)
		}
	})
	for _, n := range ring.Nodes {
		c.start(n.ID)
	}
	return c
}

func tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

func (c *cluster) start(id uint32) *lab.Daemon {
	c.t.Helper()
	d, err := c.lab.Start(c.ring, id)
	if err != nil {
		c.t.Fatal(err)
	}
	c.daemons[id] = d
	return d
}

// ids are the node ids of the ring of the given kind (all when none).
func (c *cluster) ids(kinds ...lab.Kind) []uint32 {
	var out []uint32
	for _, n := range c.ring.Nodes {
		if len(kinds) == 0 || slices.Contains(kinds, n.Kind) {
			out = append(out, n.ID)
		}
	}
	return out
}

// waitMembers waits until every daemon in ids lists exactly ids.
func (c *cluster) waitMembers(ids ...uint32) {
	c.t.Helper()
	var ds []*lab.Daemon
	for _, id := range ids {
		ds = append(ds, c.daemons[id])
	}
	if err := lab.WaitMembers(ds, ids, 60*time.Second); err != nil {
		c.t.Fatal(err)
	}
}

// peer starts a CPG peer in group on node id.
func (c *cluster) peer(id uint32, group string) *lab.Peer {
	c.t.Helper()
	p, err := c.lab.StartPeer(c.daemons[id], group, fmt.Sprintf("n%dp%d", id, len(c.sent)))
	if err != nil {
		c.t.Fatal(err)
	}
	c.sent[p] = 0
	if _, err := p.Do("verbose on", 30*time.Second); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// waitGroup waits until every peer's latest confchg lists exactly peers,
// and returns those lists' common value.
func (c *cluster) waitGroup(peers ...*lab.Peer) {
	c.t.Helper()
	var want []string
	for _, p := range peers {
		want = append(want, fmt.Sprintf("%d:%d", p.NodeID, p.PID))
	}
	slices.Sort(want)
	for _, p := range peers {
		_, err := p.WaitEvents(func(ev []string) bool {
			ccs, err := lab.Confchgs(ev)
			if err != nil || len(ccs) == 0 {
				return false
			}
			var got []string
			for _, m := range ccs[len(ccs)-1].Members {
				got = append(got, fmt.Sprintf("%d:%d", m.NodeID, m.PID))
			}
			slices.Sort(got)
			return slices.Equal(got, want)
		}, 60*time.Second)
		if err != nil {
			ccs, _ := lab.Confchgs(p.Events())
			c.t.Fatalf("peer %s: the group never became %v: %v (confchgs: %+v)", p.Tag, want, err, ccs)
		}
	}
}

// waitLeft waits until every peer saw gone leave the group with reason.
func (c *cluster) waitLeft(peers []*lab.Peer, gone *lab.Peer, reason uint32) {
	c.t.Helper()
	for _, p := range peers {
		_, err := p.WaitEvents(func(ev []string) bool {
			ccs, _ := lab.Confchgs(ev)
			for _, cc := range ccs {
				for _, m := range cc.Left {
					if m.NodeID == gone.NodeID && m.PID == gone.PID && m.Reason == reason {
						return true
					}
				}
			}
			return false
		}, 60*time.Second)
		if err != nil {
			ccs, _ := lab.Confchgs(p.Events())
			c.t.Fatalf("peer %s never saw %s (%d:%d) leave with reason %d: %v (confchgs: %+v)", p.Tag, gone.Tag, gone.NodeID, gone.PID, reason, err, ccs)
		}
	}
}

// sendRound has every peer send n messages of each size at once, then
// checks that every peer received every message of the round exactly
// once, intact, each sender's in order, and all in one identical order.
func (c *cluster) sendRound(peers []*lab.Peer, n int, sizes ...int) {
	c.t.Helper()
	marks := map[*lab.Peer]int{}
	for _, p := range peers {
		marks[p] = len(p.Events())
	}
	errs := make(chan error, len(peers))
	for _, p := range peers {
		go func(p *lab.Peer) {
			for _, size := range sizes {
				if _, err := p.Do(fmt.Sprintf("send %d %d", n, size), 120*time.Second); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}(p)
	}
	for range peers {
		if err := <-errs; err != nil {
			c.t.Fatal(err)
		}
	}
	// Every message of the round, by key.
	want := map[string]bool{}
	for _, p := range peers {
		for k := range n * len(sizes) {
			want[fmt.Sprintf("%d/%d/%s/%d", p.NodeID, p.PID, p.Tag, c.sent[p]+k+1)] = true
		}
	}
	var first []string
	var firstTag string
	for _, p := range peers {
		ev, err := p.WaitEvents(func(ev []string) bool {
			ds, _ := lab.Deliveries(ev[marks[p]:])
			return len(ds) >= len(want)
		}, 120*time.Second)
		ds, _ := lab.Deliveries(ev[marks[p]:])
		if err != nil {
			c.t.Fatalf("peer %s received %d of %d messages: %v", p.Tag, len(ds), len(want), err)
		}
		var keys []string
		seen := map[string]bool{}
		last := map[string]int{}
		for _, d := range ds {
			k := d.Key()
			if !d.OK {
				c.t.Errorf("peer %s: message %s (%d bytes) arrived corrupted", p.Tag, k, d.Len)
			}
			if !want[k] {
				c.t.Errorf("peer %s: message %s was not sent in this round", p.Tag, k)
			}
			if seen[k] {
				c.t.Errorf("peer %s: message %s arrived twice", p.Tag, k)
			}
			seen[k] = true
			var seq int
			fmt.Sscan(d.Seq, &seq)
			if seq <= last[d.Tag] {
				c.t.Errorf("peer %s: %s's message %d arrived after its message %d", p.Tag, d.Tag, seq, last[d.Tag])
			}
			last[d.Tag] = seq
			keys = append(keys, k)
		}
		if first == nil {
			first, firstTag = keys, p.Tag
		} else if i := firstDiff(first, keys); i >= 0 {
			c.t.Fatalf("peers %s and %s received the round in different orders, first at position %d: %s vs %s", firstTag, p.Tag, i, at(first, i), at(keys, i))
		}
	}
	for _, p := range peers {
		c.sent[p] += n * len(sizes)
	}
}

func firstDiff(a, b []string) int {
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return -1
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(nothing)"
}
