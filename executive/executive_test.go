package executive

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"goais/logging"
	"goais/totem"
)

// cluster runs executives on one memNet inside a synctest bubble.
type cluster struct {
	t     *testing.T
	net   *memNet
	ids   []totem.NodeID
	nodes map[totem.NodeID]*testNode
	state string // shared state dir root
}

type testNode struct {
	ex     *Executive
	port   *memPort
	cancel context.CancelFunc
	done   chan error
	log    *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newCluster(t *testing.T, n int) *cluster {
	c := &cluster{t: t, net: newMemNet(), nodes: map[totem.NodeID]*testNode{}, state: t.TempDir()}
	for i := 1; i <= n; i++ {
		c.ids = append(c.ids, totem.NodeID(i))
	}
	for _, id := range c.ids {
		c.start(id)
	}
	return c
}

func (c *cluster) start(id totem.NodeID) *testNode {
	c.t.Helper()
	buf := &syncBuffer{}
	h, err := logging.New(logging.Options{Stderr: buf})
	if err != nil {
		c.t.Fatal(err)
	}
	port := c.net.attach(uint32(id))
	ex, err := New(Settings{
		Totem:         totem.Config{NodeID: id, Nodes: c.ids, Token: time.Second, Consensus: 1200 * time.Millisecond},
		Transport:     port,
		TransportName: "mem",
		StateDir:      c.state,
		Logger:        slog.New(h),
	})
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tn := &testNode{ex: ex, port: port, cancel: cancel, done: make(chan error, 1), log: buf}
	go func() { tn.done <- ex.Run(ctx) }()
	c.nodes[id] = tn
	return tn
}

// crash stops a node without a leave message.
func (c *cluster) crash(id totem.NodeID) {
	tn := c.nodes[id]
	tn.port.Close()
	if err := <-tn.done; err != nil {
		c.t.Fatalf("node %d: %v", id, err)
	}
	tn.cancel()
	delete(c.nodes, id)
}

// stop shuts a node down cleanly.
func (c *cluster) stop(id totem.NodeID) {
	tn := c.nodes[id]
	tn.cancel()
	if err := <-tn.done; err != nil {
		c.t.Fatalf("node %d: %v", id, err)
	}
	delete(c.nodes, id)
}

func (c *cluster) stopAll() {
	for id := range c.nodes {
		c.stop(id)
	}
}

// waitRing waits (in virtual time) until every running node is
// operational in one ring with exactly want as members.
func (c *cluster) waitRing(want ...totem.NodeID) string {
	c.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		ring, ok := "", true
		for _, tn := range c.nodes {
			st, err := tn.ex.Status(context.Background())
			if err != nil || st.State != "OPERATIONAL" || !slices.Equal(st.Members, nodeIDs(want)) || (ring != "" && st.Ring != ring) {
				ok = false
				break
			}
			ring = st.Ring
		}
		if ok {
			return ring
		}
		time.Sleep(50 * time.Millisecond)
	}
	for id, tn := range c.nodes {
		st, _ := tn.ex.Status(context.Background())
		c.t.Logf("node %d: %+v\n%s", id, st, tn.log.String())
	}
	c.t.Fatalf("no ring of %v within a minute", want)
	return ""
}

func TestRingFormsCarriesLoadAndSurvivesFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, 3)
		defer c.stopAll()
		ring := c.waitRing(1, 2, 3)
		for _, tn := range c.nodes {
			if !strings.Contains(tn.log.String(), "A new membership ("+ring+") was formed.") {
				t.Errorf("log of node %d lacks the membership line for %s:\n%s", tn.ex.NodeID(), ring, tn.log.String())
			}
		}

		// Load from two senders, one with messages that need fragmenting.
		ctx := context.Background()
		if err := c.nodes[1].ex.StartLoad(ctx, 1000, 100); err != nil {
			t.Fatal(err)
		}
		if err := c.nodes[2].ex.StartLoad(ctx, 300, 5000); err != nil {
			t.Fatal(err)
		}
		reports := c.waitDelivered(1300)
		hash := reports[1].OrderHash
		for id, r := range reports {
			if r.OrderHash != hash {
				t.Errorf("node %d order hash %s, node 1 %s", id, r.OrderHash, hash)
			}
			for from, f := range r.Senders {
				if f.Gaps != 0 || f.Dups != 0 {
					t.Errorf("node %d from %s: %+v", id, from, f)
				}
			}
		}

		// A crash: the survivors re-form and say the leave message was missing.
		c.crash(3)
		c.waitRing(1, 2)
		if l := c.nodes[1].log.String(); !strings.Contains(l, "Failed to receive the leave message. failed: 3") ||
			!strings.Contains(l, "A processor failed, forming new configuration") {
			t.Errorf("node 1 log after the crash of 3:\n%s", l)
		}

		// The crashed node restarts from its persisted ring seq and rejoins.
		c.start(3)
		c.waitRing(1, 2, 3)

		// A clean leave: no failure is reported.
		before := len(c.nodes[1].log.String())
		c.stop(2)
		c.waitRing(1, 3)
		after := c.nodes[1].log.String()[before:]
		if !strings.Contains(after, "Members left: 2") || strings.Contains(after, "Failed to receive the leave message") ||
			strings.Contains(after, "A processor failed") {
			t.Errorf("node 1 log after the clean leave of 2:\n%s", after)
		}
	})
}

// waitDelivered waits until every running node delivered n load messages.
func (c *cluster) waitDelivered(n uint64) map[totem.NodeID]reportT {
	c.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		out := map[totem.NodeID]reportT{}
		done := true
		for id, tn := range c.nodes {
			r, err := tn.ex.LoadReport(context.Background())
			if err != nil {
				c.t.Fatal(err)
			}
			out[id] = r
			if r.Delivered < n {
				done = false
			}
		}
		if done {
			return out
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("not every node delivered %d load messages within a minute: %+v", n, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRingSeqPersisted(t *testing.T) {
	dir := t.TempDir()
	if seq, err := loadRingSeq(dir, 7); err != nil || seq != 0 {
		t.Fatalf("fresh dir: %d, %v", seq, err)
	}
	if err := storeRingSeq(dir, 7, 0x1234); err != nil {
		t.Fatal(err)
	}
	if seq, err := loadRingSeq(dir, 7); err != nil || seq != 0x1234 {
		t.Fatalf("after store: %d, %v", seq, err)
	}
	if err := writeFile(ringSeqFile(dir, 8), []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := loadRingSeq(dir, 8); err == nil || !strings.Contains(err.Error(), "holds 3 bytes") {
		t.Fatalf("short file: %v", err)
	}
}

// A loop that is not scheduled for longer than 0.8 × token says so, in
// corosync's words; a shorter stall is not reported.
func TestSchedulingPauseIsReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, 1)
		defer c.stopAll()
		c.waitRing(1)
		tn := c.nodes[1]
		stall := func(d time.Duration) {
			if err := tn.ex.do(context.Background(), func() { time.Sleep(d) }); err != nil {
				t.Fatal(err)
			}
			// Let the loop wake up after the stall and block again.
			synctest.Wait()
		}
		stall(700 * time.Millisecond)
		if strings.Contains(tn.log.String(), "not scheduled") {
			t.Fatalf("a 700 ms stall with token 1000 ms was reported:\n%s", tn.log.String())
		}
		stall(1500 * time.Millisecond)
		if !strings.Contains(tn.log.String(), "Main process was not scheduled") ||
			!strings.Contains(tn.log.String(), "(threshold is 800.0000 ms). Consider token timeout increase.") {
			t.Fatalf("a 1500 ms stall was not reported:\n%s", tn.log.String())
		}
	})
}
