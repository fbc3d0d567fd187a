package sim

import (
	"fmt"
	"slices"
	"time"

	"goais/totem"
)

// CheckFinal runs the end-of-run checks, self-delivery then liveness, and
// returns the first violation of the run (which Err returns from then on),
// or nil. alive lists the nodes whose current incarnation is up at the end;
// healed is the virtual time after which no fault was active. The simulator
// calls it once it has run fault-free long enough for the ring to settle
// (now >= healed + a bound).
//
// self-delivery: every message sent by a process alive at the end was
// delivered by that process. liveness: every alive process's latest
// configuration is the same regular configuration, whose members are
// exactly the alive nodes, and every message sent at or after healed by an
// alive process was delivered by every alive process.
func (c *Checker) CheckFinal(now time.Duration, alive []totem.NodeID, healed time.Duration) *Violation {
	if c.err != nil {
		return c.err
	}
	want := slices.Clone(alive)
	slices.Sort(want)
	want = slices.Compact(want)
	live := make([]int32, len(want)) // alive processes, in node order
	bit := make([]uint64, len(c.procs))
	for i, n := range want {
		pi := c.cur[c.mustSlot(n, "CheckFinal")]
		if !c.procs[pi].alive {
			panic(fmt.Sprintf("sim: Checker.CheckFinal: node %d is crashed", n))
		}
		live[i] = pi
		bit[pi] = 1 << (i % 64)
	}

	// self-delivery
	for mi := range c.store.n {
		m := c.store.msg(mi)
		if bit[m.origin] == 0 || c.store.deliveredBy(m, m.origin) {
			continue
		}
		missing := 0
		for mj := mi; mj < c.store.n; mj++ {
			if o := c.store.msg(mj); bit[o.origin] != 0 && !c.store.deliveredBy(o, o.origin) {
				missing++
			}
		}
		c.fail(now, PropSelfDelivery, []totem.NodeID{m.id.Origin},
			"%s never delivered its own message %v sent at %v (%d own messages undelivered by alive processes)",
			c.pname(m.origin), m.id, m.sentAt, missing)
		return c.err
	}

	// liveness: one common regular configuration of exactly the alive nodes.
	var ring *chkRing
	for _, pi := range live {
		p := c.procs[pi]
		if p.phase != chkInRegular {
			what := "no configuration"
			if p.phase == chkInTransitional {
				what = fmt.Sprintf("transitional configuration %v %v", p.trRing, p.trMemb)
			}
			c.fail(now, PropLiveness, []totem.NodeID{p.node},
				"%s ends in %s, %v after faults healed at %v", c.pname(pi), what, now-healed, healed)
			return c.err
		}
		if ring == nil {
			ring = p.reg
			continue
		}
		// Compare ids and members, not the records: a process that forgot
		// its ring seq keeps its own record of a ring (see ForgotRingSeq).
		if p.reg.ring != ring.ring || !slices.Equal(p.reg.members, ring.members) {
			q := c.procs[live[0]]
			c.fail(now, PropLiveness, []totem.NodeID{p.node, q.node},
				"%s ends in regular configuration %v %v, %s in %v %v, %v after faults healed",
				c.pname(pi), p.reg.ring, p.reg.members, c.pname(live[0]), ring.ring, ring.members, now-healed)
			return c.err
		}
	}
	if ring != nil && !slices.Equal(ring.members, want) {
		c.fail(now, PropLiveness, want,
			"alive nodes %v end in regular configuration %v with members %v, %v after faults healed",
			want, ring.ring, ring.members, now-healed)
		return c.err
	}

	// liveness: messages sent after healing reach every alive process.
	full := uint64(0)
	for i := range live {
		full |= 1 << (i % 64)
	}
	if len(live) > 64 {
		full = ^uint64(0)
	}
	for mi := range c.store.n {
		m := c.store.msg(mi)
		if m.sentAt < healed || bit[m.origin] == 0 {
			continue
		}
		got := uint64(0)
		for _, d := range c.store.delivs(m) {
			got |= bit[d.proc]
		}
		if got == full && len(live) <= 64 {
			continue
		}
		var missing []totem.NodeID
		for _, pi := range live {
			if !c.store.deliveredBy(m, pi) {
				missing = append(missing, c.procs[pi].node)
			}
		}
		if len(missing) == 0 {
			continue
		}
		c.fail(now, PropLiveness, missing,
			"message %v sent by %s at %v (after faults healed at %v) not delivered by %v",
			m.id, c.pname(m.origin), m.sentAt, healed, missing)
		return c.err
	}
	return nil
}
