package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"goais/totem"
)

// chkBruteOrder is the O(P²·M) reference for agreed order: for every pair of
// processes, walk x's delivery sequence and check that the positions in y's
// sequence of the messages both delivered increase. It returns a
// description of the first inverted pair found, or "".
func chkBruteOrder(hists [][]MsgID) string {
	for y, hy := range hists {
		pos := make(map[MsgID]int, len(hy))
		for i, id := range hy {
			pos[id] = i
		}
		for x, hx := range hists {
			if x == y {
				continue
			}
			last, lastID := -1, MsgID{}
			for _, id := range hx {
				j, ok := pos[id]
				if !ok {
					continue
				}
				if j < last {
					return fmt.Sprintf("process %d delivers %v before %v, process %d the reverse", x, lastID, id, y)
				}
				last, lastID = j, id
			}
		}
	}
	return ""
}

// chkOrderEvent is one delivery by process proc (an index into the
// histories) or, with restart set, the restart of node that ends proc-1 and
// begins proc.
type chkOrderEvent struct {
	proc    int
	node    totem.NodeID
	id      MsgID
	seq     uint32
	restart bool
}

// chkRandomHistory makes the delivery histories of random processes over a
// common total order, some of them perturbed by a swap (which may or may
// not invert a pair that another process shares), and a random
// interleaving of them as events. Some nodes restart halfway, so their
// second incarnation is a separate process that may deliver the same
// messages again.
func chkRandomHistory(r *rand.Rand) (nodes []totem.NodeID, msgs []MsgID, procNode []totem.NodeID, events []chkOrderEvent) {
	n := 2 + r.IntN(5)
	k := 1 + r.IntN(25)
	for i := range n {
		nodes = append(nodes, totem.NodeID(i+1))
	}
	counter := map[totem.NodeID]uint64{}
	for range k {
		o := nodes[r.IntN(n)]
		counter[o]++
		msgs = append(msgs, MsgID{Origin: o, Counter: counter[o]})
	}
	subseq := func() []int {
		var s []int
		keep := r.Float64()
		for i := range k {
			if r.Float64() < keep {
				s = append(s, i)
			}
		}
		if len(s) >= 2 && r.IntN(2) == 0 {
			i, j := r.IntN(len(s)), r.IntN(len(s))
			s[i], s[j] = s[j], s[i]
		}
		return s
	}
	// Per node, a stream of events: deliveries of its first process, then
	// possibly a restart and the deliveries of its second.
	streams := make([][]chkOrderEvent, n)
	for i, node := range nodes {
		incs := 1
		if r.IntN(4) == 0 {
			incs = 2
		}
		for inc := range incs {
			proc := len(procNode)
			procNode = append(procNode, node)
			if inc > 0 {
				streams[i] = append(streams[i], chkOrderEvent{proc: proc, node: node, restart: true})
			}
			for _, mi := range subseq() {
				streams[i] = append(streams[i], chkOrderEvent{proc: proc, node: node, id: msgs[mi], seq: uint32(mi + 1)})
			}
		}
	}
	for {
		var open []int
		for i, s := range streams {
			if len(s) > 0 {
				open = append(open, i)
			}
		}
		if len(open) == 0 {
			return nodes, msgs, procNode, events
		}
		i := open[r.IntN(len(open))]
		events = append(events, streams[i][0])
		streams[i] = streams[i][1:]
	}
}

// chkHistories gives the per-process delivery sequences that events make.
func chkHistories(nproc int, events []chkOrderEvent) [][]MsgID {
	h := make([][]MsgID, nproc)
	for _, e := range events {
		if !e.restart {
			h[e.proc] = append(h[e.proc], e.id)
		}
	}
	return h
}

// TestAgreedOrderMatchesBruteForce checks on random histories that the
// incremental agreed-order check reports a violation exactly at the first
// event after which the brute-force check finds an inverted pair.
func TestAgreedOrderMatchesBruteForce(t *testing.T) {
	iters := 4000
	if testing.Short() {
		iters = 500
	}
	ring := totem.RingID{Rep: 1, Seq: 4}
	var violations int
	for seed := range uint64(iters) {
		r := rand.New(rand.NewPCG(seed, 0x5eed))
		nodes, msgs, procNode, events := chkRandomHistory(r)
		c := NewChecker(nodes)
		for _, id := range msgs {
			c.Sent(0, id.Origin, id, false, chkSum(id))
		}
		for _, n := range nodes {
			c.Config(0, n, totem.ConfigChange{Type: totem.Transitional, Ring: ring, Members: []totem.NodeID{n}})
			c.Config(0, n, totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: nodes, Joined: chkMinus(nodes, []totem.NodeID{n})})
		}
		if err := c.Err(); err != nil {
			t.Fatalf("seed %d: setup: %v", seed, err)
		}
		at := -1
		for i, e := range events {
			if e.restart {
				c.Restarted(0, e.node)
				c.Config(0, e.node, totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: nodes, Joined: chkMinus(nodes, []totem.NodeID{e.node})})
			} else {
				c.Delivered(0, e.node, e.id, chkSum(e.id), ring, e.seq, false)
			}
			if c.Err() != nil {
				at = i
				break
			}
		}
		if at < 0 {
			if inv := chkBruteOrder(chkHistories(len(procNode), events)); inv != "" {
				t.Fatalf("seed %d: incremental check missed: %s", seed, inv)
			}
			continue
		}
		violations++
		if v := c.Err(); v.Property != PropAgreedOrder {
			t.Fatalf("seed %d: unexpected %v", seed, v)
		}
		if inv := chkBruteOrder(chkHistories(len(procNode), events[:at])); inv != "" {
			t.Fatalf("seed %d: incremental check reported late (at event %d): %s", seed, at, inv)
		}
		if chkBruteOrder(chkHistories(len(procNode), events[:at+1])) == "" {
			t.Fatalf("seed %d: brute force finds no inversion for %v", seed, c.Err())
		}
	}
	t.Logf("%d of %d random histories inverted", violations, iters)
	if violations < iters/10 || violations > iters*9/10 {
		t.Fatalf("generator unbalanced: %d of %d histories inverted", violations, iters)
	}
}

// TestBruteOrder pins the reference itself.
func TestBruteOrder(t *testing.T) {
	a, b, c := MsgID{Origin: 1, Counter: 1}, MsgID{Origin: 1, Counter: 2}, MsgID{Origin: 2, Counter: 1}
	for _, tc := range []struct {
		hists [][]MsgID
		bad   bool
	}{
		{[][]MsgID{{a, b, c}, {a, c}, {b}}, false},
		{[][]MsgID{{a, b, c}, {c, a}}, true},
		{[][]MsgID{{a, b}, {c}, {b, c, a}}, true},
		{[][]MsgID{{}, {a}}, false},
	} {
		if got := chkBruteOrder(tc.hists) != ""; got != tc.bad {
			t.Errorf("%v: inverted = %v, want %v", tc.hists, got, tc.bad)
		}
	}
}
