package lab

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Cluster is one lab with one ring started on it, for tests: it starts
// the nodes, CPG peers on them, and checks rounds of messages.
type Cluster struct {
	T       testing.TB
	Lab     *Lab
	Ring    *Ring
	Daemons map[uint32]*Daemon
	Sent    map[*Peer]int // messages each peer has sent so far
}

// NewCluster builds a lab with opts and starts every node of ring. The lab
// is closed when the test ends; when the test failed, the tail of every
// daemon's log is printed first.
func NewCluster(t testing.TB, opts Options, ring *Ring) *Cluster {
	t.Helper()
	l, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{T: t, Lab: l, Ring: ring, Daemons: map[uint32]*Daemon{}, Sent: map[*Peer]int{}}
	t.Cleanup(func() {
		if t.Failed() {
			for _, n := range ring.Nodes {
				if d := c.Daemons[n.ID]; d != nil {
					t.Logf("---- log of %s node %d:\n%s", n.Kind, n.ID, Tail(d.Log(), 60))
				}
			}
		}
		if err := l.Close(); err != nil {
			t.Errorf("lab cleanup: %v", err)
		}
	})
	for _, n := range ring.Nodes {
		c.Start(n.ID)
	}
	return c
}

// Tail is the last lines of s.
func Tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// Start starts node id (again, after a kill).
func (c *Cluster) Start(id uint32) *Daemon {
	c.T.Helper()
	d, err := c.Lab.Start(c.Ring, id)
	if err != nil {
		c.T.Fatal(err)
	}
	c.Daemons[id] = d
	return d
}

// IDs are the node ids of the ring of the given kind (all when none).
func (c *Cluster) IDs(kinds ...Kind) []uint32 {
	var out []uint32
	for _, n := range c.Ring.Nodes {
		if len(kinds) == 0 || slices.Contains(kinds, n.Kind) {
			out = append(out, n.ID)
		}
	}
	return out
}

// WaitMembers waits until every daemon in ids lists exactly ids.
func (c *Cluster) WaitMembers(ids ...uint32) {
	c.T.Helper()
	var ds []*Daemon
	for _, id := range ids {
		ds = append(ds, c.Daemons[id])
	}
	if err := WaitMembers(ds, ids, 60*time.Second); err != nil {
		c.T.Fatal(err)
	}
}

// Peer starts a CPG peer in group on node id.
func (c *Cluster) Peer(id uint32, group string) *Peer {
	c.T.Helper()
	p, err := c.Lab.StartPeer(c.Daemons[id], group, fmt.Sprintf("n%dp%d", id, len(c.Sent)))
	if err != nil {
		c.T.Fatal(err)
	}
	c.Sent[p] = 0
	if _, err := p.Do("verbose on", 30*time.Second); err != nil {
		c.T.Fatal(err)
	}
	return p
}

// WaitGroup waits until every peer's latest confchg lists exactly peers,
// and returns those lists' common value.
func (c *Cluster) WaitGroup(peers ...*Peer) {
	c.T.Helper()
	var want []string
	for _, p := range peers {
		want = append(want, fmt.Sprintf("%d:%d", p.NodeID, p.PID))
	}
	slices.Sort(want)
	for _, p := range peers {
		_, err := p.WaitEvents(func(ev []string) bool {
			ccs, err := Confchgs(ev)
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
			ccs, _ := Confchgs(p.Events())
			c.T.Fatalf("peer %s: the group never became %v: %v (confchgs: %+v)", p.Tag, want, err, ccs)
		}
	}
}

// WaitLeft waits until every peer saw gone leave the group with reason.
func (c *Cluster) WaitLeft(peers []*Peer, gone *Peer, reason uint32) {
	c.T.Helper()
	for _, p := range peers {
		_, err := p.WaitEvents(func(ev []string) bool {
			ccs, _ := Confchgs(ev)
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
			ccs, _ := Confchgs(p.Events())
			c.T.Fatalf("peer %s never saw %s (%d:%d) leave with reason %d: %v (confchgs: %+v)", p.Tag, gone.Tag, gone.NodeID, gone.PID, reason, err, ccs)
		}
	}
}

// SendRound has every peer send n messages of each size at once, then
// checks that every peer received every message of the round exactly
// once, intact, each sender's in order, and all in one identical order.
func (c *Cluster) SendRound(peers []*Peer, n int, sizes ...int) {
	c.T.Helper()
	marks := map[*Peer]int{}
	for _, p := range peers {
		marks[p] = len(p.Events())
	}
	errs := make(chan error, len(peers))
	for _, p := range peers {
		go func(p *Peer) {
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
			c.T.Fatal(err)
		}
	}
	// Every message of the round, by key.
	want := map[string]bool{}
	for _, p := range peers {
		for k := range n * len(sizes) {
			want[fmt.Sprintf("%d/%d/%s/%d", p.NodeID, p.PID, p.Tag, c.Sent[p]+k+1)] = true
		}
	}
	var first []string
	var firstTag string
	for _, p := range peers {
		ev, err := p.WaitEvents(func(ev []string) bool {
			ds, _ := Deliveries(ev[marks[p]:])
			return len(ds) >= len(want)
		}, 120*time.Second)
		ds, _ := Deliveries(ev[marks[p]:])
		if err != nil {
			c.T.Fatalf("peer %s received %d of %d messages: %v", p.Tag, len(ds), len(want), err)
		}
		var keys []string
		seen := map[string]bool{}
		last := map[string]int{}
		for _, d := range ds {
			k := d.Key()
			if !d.OK {
				c.T.Errorf("peer %s: message %s (%d bytes) arrived corrupted", p.Tag, k, d.Len)
			}
			if !want[k] {
				c.T.Errorf("peer %s: message %s was not sent in this round", p.Tag, k)
			}
			if seen[k] {
				c.T.Errorf("peer %s: message %s arrived twice", p.Tag, k)
			}
			seen[k] = true
			var seq int
			fmt.Sscan(d.Seq, &seq)
			if seq <= last[d.Tag] {
				c.T.Errorf("peer %s: %s's message %d arrived after its message %d", p.Tag, d.Tag, seq, last[d.Tag])
			}
			last[d.Tag] = seq
			keys = append(keys, k)
		}
		if first == nil {
			first, firstTag = keys, p.Tag
		} else if i := firstDiff(first, keys); i >= 0 {
			c.T.Fatalf("peers %s and %s received the round in different orders, first at position %d: %s vs %s", firstTag, p.Tag, i, at(first, i), at(keys, i))
		}
	}
	for _, p := range peers {
		c.Sent[p] += n * len(sizes)
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

// GroupOnEveryNode starts one peer per node in group and waits until all
// see the same group.
func (c *Cluster) GroupOnEveryNode(group string) []*Peer {
	c.T.Helper()
	var peers []*Peer
	for _, id := range c.IDs() {
		peers = append(peers, c.Peer(id, group))
	}
	c.WaitGroup(peers...)
	return peers
}
