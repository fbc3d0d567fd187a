package rrp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"goais/sim"
	"goais/totem"
	"goais/transport/mem"
)

// This file runs real Totem cores over two in-memory networks, ring 0 and
// ring 1, each node with its own Monitor, in virtual time: the executive's
// loop in miniature. The simulator's checker watches every delivery and
// configuration change.

type clusterNode struct {
	id       totem.NodeID
	core     *totem.Node
	mon      *Monitor
	log      *logBuf
	counter  uint64
	every    time.Duration
	nextSend time.Duration
	rings    []int
}

type cluster struct {
	t         *testing.T
	rng       *rand.Rand
	nets      [2]*mem.Network
	nodes     []*clusterNode
	ids       []totem.NodeID
	chk       *sim.Checker
	now       time.Duration
	load      bool
	stable    bool
	stableAt  time.Duration
	configs   []string // configuration changes after the ring was stable
	sent      int
	events    int
	delivered []int // per node
	buf       []byte
}

// newCluster starts n nodes (ids 1..n) in mode, with token 1000 ms and
// rrp_token_expired_timeout as openais computes it from token and the
// threshold (95 ms). (With token_retransmit, 238 ms, passive mode lost
// the ring in about one seed in five of a sweep: a lost token and a held
// one each cost that much at every node of a rotation.)
func newCluster(t *testing.T, mode Mode, n int, seed uint64) *cluster {
	c := &cluster{t: t, rng: rand.New(rand.NewPCG(seed, 0x727270))}
	link := mem.LinkConfig{Delay: 200 * time.Microsecond, Jitter: 400 * time.Microsecond}
	for r := range c.nets {
		c.nets[r] = mem.NewNetwork(rand.New(rand.NewPCG(c.rng.Uint64(), uint64(r))), link)
	}
	for i := 1; i <= n; i++ {
		c.ids = append(c.ids, totem.NodeID(i))
	}
	c.delivered = make([]int, n)
	c.chk = sim.NewChecker(c.ids)
	c.chk.SetStrictStart(true)
	c.chk.SetHolder(func(node totem.NodeID, ring totem.RingID, seq uint32) bool {
		return c.nodes[node-1].core.Holds(ring, seq)
	})
	for _, id := range c.ids {
		core, err := totem.NewNode(totem.Config{
			NodeID: id,
			Nodes:  c.ids,
			Token:  time.Second,
			Rand:   rand.New(rand.NewPCG(c.rng.Uint64(), uint64(id))),
		}, t0)
		if err != nil {
			t.Fatal(err)
		}
		lb := &logBuf{}
		mon, err := New(Config{
			Mode:                mode,
			Addrs:               []string{fmt.Sprintf("10.0.0.%d", id), fmt.Sprintf("10.0.1.%d", id)},
			TokenExpiredTimeout: DefaultTokenExpiredTimeout(core.Config().Token, 0),
			Logger:              slog.New(lb),
		})
		if err != nil {
			t.Fatal(err)
		}
		nd := &clusterNode{id: id, core: core, mon: mon, log: lb,
			every: time.Duration(30+c.rng.IntN(40)) * time.Millisecond}
		c.nodes = append(c.nodes, nd)
		for _, nw := range c.nets {
			nw.Attach(id)
		}
	}
	for _, nd := range c.nodes {
		c.process(nd)
	}
	return c
}

func (c *cluster) at() time.Time { return t0.Add(c.now) }

// run advances virtual time to end, or until cond holds (checked every
// 50 ms); it reports whether cond held.
func (c *cluster) run(end time.Duration, cond func() bool) bool {
	c.t.Helper()
	nextCheck := c.now
	for {
		if v := c.chk.Err(); v != nil {
			c.t.Fatalf("checker: %v\n%s", v, c.summary())
		}
		if cond != nil && c.now >= nextCheck {
			if cond() {
				return true
			}
			nextCheck = c.now + 50*time.Millisecond
		}
		t := end
		if cond != nil {
			t = min(t, nextCheck)
		}
		t = c.nextEvent(t)
		if t >= end && (cond == nil || nextCheck > end) {
			c.now = end
			return cond != nil && cond()
		}
		c.now = t
		c.step()
		c.events++
	}
}

// nextEvent returns the earliest pending event, or bound if none is due
// before it.
func (c *cluster) nextEvent(bound time.Duration) time.Duration {
	best := bound
	consider := func(at time.Time) {
		if !at.IsZero() {
			best = min(best, max(at.Sub(t0), c.now))
		}
	}
	for _, nw := range c.nets {
		if at, ok := nw.Next(); ok {
			consider(at)
		}
	}
	for _, nd := range c.nodes {
		consider(nd.core.NextDeadline())
		consider(nd.mon.NextDeadline())
		if c.load {
			best = min(best, max(nd.nextSend, c.now))
		}
	}
	return best
}

// step handles everything due now: packets in time order (ring 0 first on
// ties), then timers, then the load.
func (c *cluster) step() {
	now := c.at()
	for {
		r := -1
		var first time.Time
		for i, nw := range c.nets {
			if at, ok := nw.Next(); ok && !at.After(now) && (r < 0 || at.Before(first)) {
				r, first = i, at
			}
		}
		if r < 0 {
			break
		}
		p, ok := c.nets[r].Pop(now)
		if !ok {
			continue
		}
		c.receive(c.nodes[p.To-1], r, p.Data)
		c.nets[r].Release(p)
	}
	for _, nd := range c.nodes {
		if d := nd.core.NextDeadline(); !d.IsZero() && !d.After(now) {
			nd.core.Tick(now)
			c.process(nd)
		}
		if d := nd.mon.NextDeadline(); !d.IsZero() && !d.After(now) {
			nd.mon.Tick(now)
			c.drain(nd)
		}
		if c.load && nd.nextSend <= c.now {
			c.propose(nd)
			nd.nextSend = c.now + nd.every
		}
	}
}

// receive is the executive's receive path: ask the Monitor, step the core
// with the datagram if it says so, then with whatever it released.
func (c *cluster) receive(nd *clusterNode, ring int, data []byte) {
	if nd.mon.Receive(c.at(), ring, data) == Deliver {
		c.stepCore(nd, data)
	}
	c.drain(nd)
}

func (c *cluster) drain(nd *clusterNode) {
	for _, d := range nd.mon.Released() {
		c.stepCore(nd, d)
	}
}

func (c *cluster) stepCore(nd *clusterNode, data []byte) {
	if err := nd.core.Step(c.at(), data); err != nil {
		c.t.Fatalf("node %d rejected a datagram: %v", nd.id, err)
	}
	c.process(nd)
}

// propose multicasts one message: origin, incarnation 0, counter, filler.
func (c *cluster) propose(nd *clusterNode) {
	size := 16 + c.rng.IntN(200)
	id := sim.MsgID{Origin: nd.id, Counter: nd.counter + 1}
	c.buf = binary.LittleEndian.AppendUint32(c.buf[:0], uint32(id.Origin))
	c.buf = binary.LittleEndian.AppendUint32(c.buf, 0)
	c.buf = binary.LittleEndian.AppendUint64(c.buf, id.Counter)
	for len(c.buf) < size {
		c.buf = append(c.buf, byte(len(c.buf))+byte(id.Counter))
	}
	safe := c.rng.IntN(10) == 0
	if err := nd.core.Propose(c.at(), c.buf, safe); err != nil {
		if errors.Is(err, totem.ErrQueueFull) {
			return
		}
		c.t.Fatalf("node %d: Propose: %v", nd.id, err)
	}
	nd.counter++
	c.sent++
	c.chk.Sent(c.now, nd.id, id, safe, sum(c.buf))
	c.process(nd)
}

func sum(p []byte) uint64 {
	h := fnv.New64a()
	h.Write(p)
	return h.Sum64()
}

// process acts on a core's Ready: every datagram goes out on the rings the
// Monitor picks, every event to the checker.
func (c *cluster) process(nd *clusterNode) {
	if !nd.core.HasReady() {
		return
	}
	rd := nd.core.Ready()
	now := c.at()
	for _, d := range rd.Datagrams {
		nd.rings = nd.mon.SendRings(d.Data, nd.rings[:0])
		for _, r := range nd.rings {
			if d.To == 0 {
				c.nets[r].Multicast(now, nd.id, d.Data)
			} else {
				c.nets[r].Send(now, nd.id, d.To, d.Data)
			}
		}
	}
	for i := range rd.Events {
		ev := &rd.Events[i]
		switch ev.Kind {
		case totem.EventDeliver:
			d := &ev.Deliver
			if len(d.Payload) < 16 {
				c.t.Fatalf("node %d delivered a %d-byte payload", nd.id, len(d.Payload))
			}
			id := sim.MsgID{
				Origin:      totem.NodeID(binary.LittleEndian.Uint32(d.Payload)),
				Incarnation: binary.LittleEndian.Uint32(d.Payload[4:]),
				Counter:     binary.LittleEndian.Uint64(d.Payload[8:]),
			}
			c.chk.Delivered(c.now, nd.id, id, sum(d.Payload), d.Ring, d.Seq, d.Safe)
			c.delivered[nd.id-1]++
		case totem.EventConfig:
			c.chk.Config(c.now, nd.id, ev.Config)
			if c.stable {
				c.configs = append(c.configs, fmt.Sprintf("%v node %d %s ring %d/%d members %v",
					c.now, nd.id, ev.Config.Type, ev.Config.Ring.Rep, ev.Config.Ring.Seq, ev.Config.Members))
			}
			if ev.Config.Type == totem.Regular {
				nd.core.TransAck()
			}
		}
	}
	nd.core.Advance()
}

// converged: every core operational on one ring of every node.
func (c *cluster) converged() bool {
	ring := c.nodes[0].core.Status().Ring
	for _, nd := range c.nodes {
		st := nd.core.Status()
		if st.State != totem.StateOperational || len(st.Members) != len(c.nodes) || st.Ring != ring {
			return false
		}
	}
	return true
}

// drained: nothing queued, everything received delivered, on every node.
func (c *cluster) drained() bool {
	high := c.nodes[0].core.Status().HighSeqRecv
	for _, nd := range c.nodes {
		st := nd.core.Status()
		if st.Queued != 0 || st.ARU != st.HighSeqRecv || st.HighDelivered != st.HighSeqRecv || st.HighSeqRecv != high {
			return false
		}
	}
	return true
}

func (c *cluster) faulty(id totem.NodeID, ring int) bool {
	return c.nodes[id-1].mon.Status()[ring].Faulty
}

// allFaulty reports whether ring is marked faulty on every listed node.
func (c *cluster) allFaulty(ring int, ids ...totem.NodeID) func() bool {
	return func() bool {
		for _, id := range ids {
			if !c.faulty(id, ring) {
				return false
			}
		}
		return true
	}
}

// healthy: every ring of every node back to "ring N active with no faults".
func (c *cluster) healthy() bool {
	for _, nd := range c.nodes {
		for i, s := range nd.mon.Status() {
			// (In passive mode ProblemCount is the current lag, which
			// balanced traffic keeps small but not zero.)
			if s.Faulty || (nd.mon.Mode() == Active && s.ProblemCount != 0) || s.Status != noFaults(i) {
				return false
			}
		}
	}
	return true
}

func (c *cluster) stats() [][]RingStats {
	out := make([][]RingStats, len(c.nodes))
	for i, nd := range c.nodes {
		out[i] = nd.mon.Stats().Rings
	}
	return out
}

func (c *cluster) summary() string {
	var b strings.Builder
	for _, nd := range c.nodes {
		st := nd.core.Status()
		fmt.Fprintf(&b, "node %d %s ring %d/%d members %v aru %d high %d queued %d\n",
			nd.id, st.State, st.Ring.Rep, st.Ring.Seq, st.Members, st.ARU, st.HighSeqRecv, st.Queued)
		for _, s := range nd.mon.Status() {
			fmt.Fprintf(&b, "  ring %d faulty=%v count=%d %s\n", s.Ring, s.Faulty, s.ProblemCount, s.Status)
		}
		fmt.Fprintf(&b, "  stats %+v\n", nd.mon.Stats().Rings)
	}
	return b.String()
}

// TestClusterRingFailure is the end-to-end test: four cores with their
// Monitors on two rings; one node loses its link on one ring, then the
// whole ring fails, then it heals and is re-enabled. Every message is
// delivered once and in one order throughout, the membership never
// changes, the broken ring is marked faulty where the fault is seen, and
// after the re-enable both rings carry traffic again.
func TestClusterRingFailure(t *testing.T) {
	for _, mode := range []Mode{Active, Passive} {
		for _, bad := range []int{1, 0} {
			for seed := uint64(1); seed <= 3; seed++ {
				t.Run(fmt.Sprintf("%v/ring%d/seed%d", mode, bad, seed), func(t *testing.T) {
					t.Parallel()
					ringFailure(t, mode, bad, seed)
				})
			}
		}
	}
}

func ringFailure(t *testing.T, mode Mode, bad int, seed uint64) {
	c := newCluster(t, mode, 4, seed)
	if !c.run(10*time.Second, c.converged) {
		t.Fatalf("no ring of 4 within 10 s\n%s", c.summary())
	}
	ring := c.nodes[0].core.Status().Ring
	c.stable, c.stableAt, c.load = true, c.now, true

	// Healthy: both rings carry traffic on every node.
	c.run(c.now+time.Second, nil)
	if !c.healthy() {
		t.Fatalf("a ring has problems on a healthy network\n%s", c.summary())
	}
	for i, st := range c.stats() {
		if st[0].Tokens == 0 || st[1].Tokens == 0 || st[0].Messages == 0 || st[1].Messages == 0 {
			t.Fatalf("node %d: a ring carried no tokens or messages: %+v", i+1, st)
		}
	}

	// phase runs until cond holds, then calls then and runs one more
	// second; throughout, every node must keep delivering, at least a
	// fraction atLeast of what was sent. (In passive mode a half-broken
	// ring delivers slowly until every node marked it faulty: every
	// datagram that takes the broken link is lost, retransmissions
	// included, as in openais.)
	phase := func(name string, end time.Duration, atLeast float64, cond func() bool, then func()) {
		t.Helper()
		sent, delivered := c.sent, append([]int(nil), c.delivered...)
		if !c.run(c.now+end, cond) {
			t.Fatalf("%s: not done within %v\n%s", name, end, c.summary())
		}
		then()
		c.run(c.now+time.Second, nil)
		for i := range c.nodes {
			if n := c.delivered[i] - delivered[i]; n == 0 || float64(n) < atLeast*float64(c.sent-sent) {
				t.Fatalf("%s: node %d delivered %d messages while %d were sent\n%s", name, i+1, n, c.sent-sent, c.summary())
			}
		}
	}
	// Node 2 loses its link on the bad ring. It sees the fault on what it
	// receives, and so does node 3, which receives the token from it.
	for _, id := range c.ids {
		if id != 2 {
			c.nets[bad].Block(2, id)
			c.nets[bad].Block(id, 2)
		}
	}
	phase("node 2's link", 20*time.Second, 0, c.allFaulty(bad, 2, 3), func() {
		if mode == Active && c.faulty(1, bad) {
			// Active mode watches tokens only, and node 1 gets its
			// tokens from node 4 on both rings. It follows only once
			// the ring went faulty on 3, then on 4, and they stopped
			// sending on it: openais's faulty marks spread along the
			// ring.
			t.Fatalf("active: ring %d faulty on node 1 as soon as on nodes 2 and 3\n%s", bad, c.summary())
		}
	})
	want := fmt.Sprintf("Marking ringid %d interface 10.0.%d.2 FAULTY - administrative intervention required.", bad, bad)
	if mode == Active {
		want = fmt.Sprintf("ringid %d interface 10.0.%d.2 FAULTY - administrative intervention required.", bad, bad)
	}
	if s := c.nodes[1].mon.Status()[bad].Status; !strings.HasSuffix(s, want) {
		t.Fatalf("node 2 ring %d status %q, want ...%q", bad, s, want)
	}
	if !logged(c.nodes[1].log, "error: ", want) {
		t.Fatalf("node 2 did not log %q", want)
	}
	wantSendRings(t, c.nodes[1].mon, 1-bad)

	// The whole ring fails.
	c.nets[bad].Partition([]totem.NodeID{1}, []totem.NodeID{2}, []totem.NodeID{3}, []totem.NodeID{4})
	phase("whole ring", 30*time.Second, 0, c.allFaulty(bad, c.ids...), func() {})
	for _, nd := range c.nodes {
		if nd.mon.Status()[1-bad].Faulty {
			t.Fatalf("node %d: the working ring is faulty\n%s", nd.id, c.summary())
		}
		wantSendRings(t, nd.mon, 1-bad)
	}
	if len(c.configs) != 0 {
		t.Fatalf("membership changed:\n%s", strings.Join(c.configs, "\n"))
	}

	// Healed and re-enabled on every node (ais-cfgtool -r).
	c.nets[bad].Heal()
	for _, nd := range c.nodes {
		nd.mon.Reenable(c.at())
	}
	before := c.stats()
	// Tokens in flight at the re-enable went out on one ring only: in
	// active mode each costs its receiver a problem, which the decrement
	// timer takes back within rrp_problem_count_timeout.
	c.run(c.now+3*time.Second, nil)
	phase("re-enable", 10*time.Second, 0.5, c.healthy, func() {})
	if !c.healthy() {
		t.Fatalf("rings not healthy after the re-enable\n%s", c.summary())
	}
	for i, st := range c.stats() {
		for r := range 2 {
			if st[r].Tokens == before[i][r].Tokens || st[r].Messages == before[i][r].Messages {
				t.Fatalf("node %d: ring %d carries no traffic after the re-enable: %+v", i+1, r, st[r])
			}
		}
	}
	for _, nd := range c.nodes {
		wantSendRings(t, nd.mon, 0, 1)
	}

	// Drain, then every message sent on the stable ring reached everyone,
	// once, in one order, and the ring never changed.
	c.load = false
	if !c.run(c.now+10*time.Second, c.drained) {
		t.Fatalf("not drained\n%s", c.summary())
	}
	if v := c.chk.CheckFinal(c.now, c.ids, c.stableAt); v != nil {
		t.Fatalf("checker: %v\n%s", v, c.summary())
	}
	if len(c.configs) != 0 {
		t.Fatalf("membership changed:\n%s", strings.Join(c.configs, "\n"))
	}
	for _, nd := range c.nodes {
		if st := nd.core.Status(); st.Ring != ring || st.Stats.TokenLost != 0 {
			t.Fatalf("node %d: ring %v (started on %v), %d token losses", nd.id, st.Ring, ring, st.Stats.TokenLost)
		}
	}
	if c.sent < 300 {
		t.Fatalf("only %d messages sent", c.sent)
	}
	t.Logf("%v: %d messages, %d steps, %v virtual", mode, c.sent, c.events, c.now)
}

// wantSendRings checks the set of rings m sends messages on. Active mode
// lists every working ring; passive mode takes turns, so it is asked
// twice (which moves its turn on, as two sends would).
func wantSendRings(t *testing.T, m *Monitor, want ...int) {
	t.Helper()
	got := m.SendRings(mcast(r1, 1), nil)
	if m.Mode() == Passive {
		got = m.SendRings(mcast(r1, 1), got)
		if got[0] == got[1] {
			got = got[:1]
		}
		if len(got) == 2 && got[0] > got[1] {
			got[0], got[1] = got[1], got[0]
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("sends on rings %v, want %v", got, want)
	}
}

func logged(lb *logBuf, prefix, suffix string) bool {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	for _, l := range lb.lines {
		if strings.HasPrefix(l, prefix) && strings.HasSuffix(l, suffix) {
			return true
		}
	}
	return false
}
