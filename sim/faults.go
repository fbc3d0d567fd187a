package sim

import (
	"math/rand/v2"
	"slices"
	"time"

	"goais/totem"
	"goais/transport/mem"
)

// faultEvent is one scheduled change to the world.
type faultEvent struct {
	at   time.Duration
	kind string // "link", "partition", "block", "heal", "pause", "resume", "crash", "restart", "tokendrop"
	node totem.NodeID
	// link faults
	link mem.LinkConfig
	// partition groups
	groups [][]totem.NodeID
	// one-way blocks (from, to)
	blocks [][2]totem.NodeID
	// restart: whether the persisted ring seq survives
	keepSeq bool
	// tokendrop: the probabilities that node drops an ORF token and an
	// MCAST it receives (both 0 end the episode)
	prob, mcastProb float64
}

// schedule draws the fault episodes of a run from its seed. Episodes of
// every enabled kind start in [0, duration) and are over by duration, when
// the world heals completely.
func schedule(rng *rand.Rand, o Options, ids []totem.NodeID, token time.Duration, base mem.LinkConfig) []faultEvent {
	var ev []faultEvent
	if o.Faults == 0 {
		return nil
	}
	var kinds []Fault
	for _, fn := range faultNames {
		if o.Faults&fn.f != 0 {
			kinds = append(kinds, fn.f)
		}
	}
	// Roughly one episode per two token timeouts, at least three.
	episodes := max(3, int(o.Duration/(2*token)))
	between := o.Duration / time.Duration(episodes+1)
	// busyUntil keeps pause and crash episodes of one node apart.
	busyUntil := map[totem.NodeID]time.Duration{}
	down := 0
	for i := range episodes {
		start := between*time.Duration(i) + time.Duration(rng.Int64N(int64(between)))
		if start >= o.Duration {
			break
		}
		limit := o.Duration - start
		k := kinds[rng.IntN(len(kinds))]
		dur := func(lo, hi time.Duration) time.Duration {
			d := lo + time.Duration(rng.Int64N(int64(hi-lo)+1))
			return min(d, limit)
		}
		switch k {
		case FaultLoss, FaultDup, FaultReorder:
			c := base
			switch k {
			case FaultLoss:
				c.Loss = []float64{0.01, 0.05, 0.1, 0.2, 0.3}[rng.IntN(5)]
			case FaultDup:
				c.Dup = []float64{0.01, 0.05, 0.1, 0.3}[rng.IntN(4)]
			case FaultReorder:
				c.Reorder = []float64{0.01, 0.05, 0.1, 0.3}[rng.IntN(4)]
			}
			d := dur(token/4, 4*token)
			ev = append(ev, faultEvent{at: start, kind: "link", link: c},
				faultEvent{at: start + d, kind: "link", link: base})
		case FaultPartition:
			if rng.IntN(4) == 0 {
				// One-way loss: some links carry traffic in one direction
				// only, the case that tests fail_to_recv_const and the
				// failed-list rules.
				var blocks [][2]totem.NodeID
				for range 1 + rng.IntN(len(ids)) {
					a, b := ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]
					if a != b {
						blocks = append(blocks, [2]totem.NodeID{a, b})
					}
				}
				d := dur(token/2, 3*token)
				ev = append(ev, faultEvent{at: start, kind: "block", blocks: blocks},
					faultEvent{at: start + d, kind: "heal"})
				break
			}
			perm := slices.Clone(ids)
			rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			parts := 2 + rng.IntN(2)
			parts = min(parts, len(perm))
			groups := make([][]totem.NodeID, parts)
			for i, id := range perm {
				g := i % parts
				if i >= parts {
					g = rng.IntN(parts)
				}
				groups[g] = append(groups[g], id)
			}
			d := dur(token/2, 3*token)
			ev = append(ev, faultEvent{at: start, kind: "partition", groups: groups},
				faultEvent{at: start + d, kind: "heal"})
		case FaultTokenDrop:
			// Most tokens are dropped but, over the few retransmissions
			// before a token timeout, one gets through now and then: a
			// RECOVERY often makes some rotations before it loses its
			// token, and the next one starts from state the last one
			// left. The node also misses some of the messages, as behind
			// a bad link, so that it lacks old-ring messages and some of
			// their recovery copies. (Dropping every token stops each
			// RECOVERY in its first rotation; losing commit tokens and
			// joins too only adds membership churn: the simulator found
			// stale recovery counters less often with either.)
			id := ids[rng.IntN(len(ids))]
			p := []float64{0.7, 0.8, 0.9, 0.95}[rng.IntN(4)]
			q := []float64{0.1, 0.3, 0.5}[rng.IntN(3)]
			d := dur(token/2, 4*token)
			ev = append(ev, faultEvent{at: start, kind: "tokendrop", node: id, prob: p, mcastProb: q},
				faultEvent{at: start + d, kind: "tokendrop", node: id})
		case FaultPause, FaultCrash:
			id := ids[rng.IntN(len(ids))]
			if busyUntil[id] > start || down >= len(ids)/2 {
				continue
			}
			var d time.Duration
			if rng.IntN(2) == 0 {
				d = dur(token/10, token*8/10) // shorter than the token timeout
			} else {
				d = dur(token*12/10, 3*token) // longer
			}
			busyUntil[id] = start + d + token
			if k == FaultPause {
				ev = append(ev, faultEvent{at: start, kind: "pause", node: id},
					faultEvent{at: start + d, kind: "resume", node: id})
			} else {
				ev = append(ev, faultEvent{at: start, kind: "crash", node: id},
					faultEvent{at: start + d, kind: "restart", node: id, keepSeq: rng.IntN(2) == 0})
			}
		}
	}
	slices.SortStableFunc(ev, func(a, b faultEvent) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	_ = down
	return ev
}
