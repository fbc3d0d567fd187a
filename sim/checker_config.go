package sim

import (
	"fmt"
	"slices"
	"time"

	"goais/totem"
)

// Config records that node delivered configuration change cc, and checks
// the configuration rules, membership agreement and, when cc is a regular
// configuration that ends a segment, virtual synchrony.
//
// Before its first configuration a process counts as the only member of a
// ring of its own with no ring id. So its first configuration is normally
// Transitional{Members: [self], Left: []} followed by the Regular of the
// same ring with Joined = Members − {self}, and it may deliver no message
// before that Regular. A first configuration that is a Regular is
// tolerated (Joined = Members − {self}, or all Members) unless
// SetStrictStart is on.
func (c *Checker) Config(now time.Duration, node totem.NodeID, cc totem.ConfigChange) {
	if c.err != nil {
		return
	}
	pi := c.liveProc(node, "Config")
	if !c.checkLists(now, pi, cc) {
		return
	}
	switch cc.Type {
	case totem.Transitional:
		c.transitional(now, pi, cc)
	case totem.Regular:
		c.regular(now, pi, cc)
	default:
		c.fail(now, PropConfigRules, []totem.NodeID{node},
			"%s delivered a configuration of unknown type %d (ring %v)", c.pname(pi), cc.Type, cc.Ring)
	}
}

// checkLists checks the rules that hold for every configuration: member
// lists ascending without duplicates, members known, the node itself a
// member, Joined empty in a transitional and Left empty in a regular one.
func (c *Checker) checkLists(now time.Duration, pi int32, cc totem.ConfigChange) bool {
	p := c.procs[pi]
	bad := func(format string, args ...any) bool {
		c.fail(now, PropConfigRules, []totem.NodeID{p.node}, "%s delivered %s configuration %v: %s",
			c.pname(pi), cc.Type, cc.Ring, fmt.Sprintf(format, args...))
		return false
	}
	for _, l := range []struct {
		name string
		ids  []totem.NodeID
	}{{"members", cc.Members}, {"left", cc.Left}, {"joined", cc.Joined}} {
		if !chkAscending(l.ids) {
			return bad("%s %v not ascending without duplicates", l.name, l.ids)
		}
		for _, n := range l.ids {
			if _, ok := c.slotOf(n); !ok {
				return bad("%s %v contain unknown node %d", l.name, l.ids, n)
			}
		}
	}
	if !chkContains(cc.Members, p.node) {
		return bad("members %v do not include the node itself", cc.Members)
	}
	if cc.Type == totem.Transitional && len(cc.Joined) != 0 {
		return bad("joined %v must be empty in a transitional configuration", cc.Joined)
	}
	if cc.Type == totem.Regular && len(cc.Left) != 0 {
		return bad("left %v must be empty in a regular configuration", cc.Left)
	}
	return true
}

func (c *Checker) transitional(now time.Duration, pi int32, cc totem.ConfigChange) {
	p := c.procs[pi]
	bad := func(format string, args ...any) {
		c.fail(now, PropConfigRules, []totem.NodeID{p.node}, "%s delivered transitional configuration %v %v: %s",
			c.pname(pi), cc.Ring, cc.Members, fmt.Sprintf(format, args...))
	}
	// The previous regular membership; before the first configuration a
	// process counts as being in a ring of its own.
	prev := []totem.NodeID{p.node}
	var prevRing totem.RingID
	switch p.phase {
	case chkInTransitional:
		bad("follows transitional configuration %v without its regular configuration", p.trRing)
		return
	case chkInRegular:
		prev, prevRing = p.reg.members, p.reg.ring
		if cc.Ring.Seq <= prevRing.Seq {
			bad("ring seq does not exceed that of the current ring %v", prevRing)
			return
		}
	}
	if !chkSubset(cc.Members, prev) {
		bad("members not a subset of the previous regular members %v", prev)
		return
	}
	if left := chkMinus(prev, cc.Members); !slices.Equal(left, cc.Left) {
		bad("left %v, want previous members %v minus transitional members = %v", cc.Left, prev, left)
		return
	}

	// membership-agreement: same new ring, same previous ring, same members.
	// A first transitional configuration is {self} (checked above) and has
	// no previous ring to agree on.
	ambiguous := p.reusable(cc.Ring) || (p.reg != nil && p.reg.ambiguous)
	if p.phase != chkNone && !ambiguous {
		key := chkTransKey{ring: cc.Ring, prev: prevRing}
		if r, ok := c.trans[key]; !ok {
			c.trans[key] = &chkTrans{members: slices.Clone(cc.Members), by: pi}
		} else if !slices.Equal(r.members, cc.Members) {
			c.fail(now, PropMembershipAgreement, []totem.NodeID{p.node, c.procs[r.by].node},
				"transitional configuration %v from ring %v: %s has members %v, %s had %v",
				cc.Ring, prevRing, c.pname(pi), cc.Members, c.pname(r.by), r.members)
			return
		}
	}

	p.phase = chkInTransitional
	p.trRing = cc.Ring
	p.trMemb = slices.Clone(cc.Members)
	p.trSlots = c.slotsOf(cc.Members)
	p.trStart = int32(len(p.log))
	p.trHash, p.trCount = 0, 0
	c.stats.Transitionals++
}

func (c *Checker) regular(now time.Duration, pi int32, cc totem.ConfigChange) {
	p := c.procs[pi]
	bad := func(format string, args ...any) {
		c.fail(now, PropConfigRules, []totem.NodeID{p.node}, "%s delivered regular configuration %v %v: %s",
			c.pname(pi), cc.Ring, cc.Members, fmt.Sprintf(format, args...))
	}
	switch p.phase {
	case chkInRegular:
		bad("not preceded by a transitional configuration (current regular configuration %v)", p.reg.ring)
		return
	case chkNone:
		// A process's very first configuration may be a regular one: its
		// implicit transitional set is {itself}, so Joined is the others;
		// Joined listing every member is tolerated too.
		if c.strict {
			bad("a process's first configuration must be transitional {%d}", p.node)
			return
		}
		if others := chkMinus(cc.Members, []totem.NodeID{p.node}); !slices.Equal(cc.Joined, others) &&
			!slices.Equal(cc.Joined, cc.Members) {
			bad("first configuration: joined %v, want %v (or all members)", cc.Joined, others)
			return
		}
	case chkInTransitional:
		if cc.Ring != p.trRing {
			bad("ring differs from the preceding transitional configuration's %v", p.trRing)
			return
		}
		if !chkSubset(p.trMemb, cc.Members) {
			bad("members do not include the transitional members %v", p.trMemb)
			return
		}
		if joined := chkMinus(cc.Members, p.trMemb); !slices.Equal(joined, cc.Joined) {
			bad("joined %v, want members minus transitional members %v = %v", cc.Joined, p.trMemb, joined)
			return
		}
		if p.reg != nil && cc.Ring.Seq <= p.reg.ring.Seq {
			bad("ring seq does not exceed that of the previous regular configuration %v", p.reg.ring)
			return
		}
	}

	// membership-agreement
	ambiguous := p.reusable(cc.Ring)
	r, ok := c.rings[cc.Ring]
	if ambiguous {
		r, ok = &chkRing{
			ring:      cc.Ring,
			members:   slices.Clone(cc.Members),
			slots:     c.slotsOf(cc.Members),
			epoch:     slices.Clone(c.crashes),
			by:        pi,
			ambiguous: true,
		}, false
	} else if ok {
		if !slices.Equal(r.members, cc.Members) {
			c.fail(now, PropMembershipAgreement, []totem.NodeID{p.node, c.procs[r.by].node},
				"regular configuration %v: %s has members %v, %s had %v",
				cc.Ring, c.pname(pi), cc.Members, c.pname(r.by), r.members)
			return
		}
	} else if !ambiguous {
		r = &chkRing{
			ring:    cc.Ring,
			members: slices.Clone(cc.Members),
			slots:   c.slotsOf(cc.Members),
			epoch:   slices.Clone(c.crashes),
			by:      pi,
		}
		c.rings[cc.Ring] = r
	}

	// virtual-synchrony: the segment from the previous regular
	// configuration to this one.
	if p.phase == chkInTransitional && p.reg != nil && !p.reg.ambiguous && !r.ambiguous {
		end := int32(len(p.log))
		key := chkSegKey{from: p.reg.ring, to: cc.Ring}
		if s, ok := c.segs[key]; ok {
			if c.compareSegment(now, pi, s, end) {
				return
			}
		} else {
			c.segs[key] = &chkSeg{
				proc: pi, start: p.segStart, tr: p.trStart, end: end,
				regHash: p.regHash, trHash: p.trHash, regCount: p.regCount, trCount: p.trCount,
			}
		}
	}

	p.phase = chkInRegular
	p.reg = r
	p.segStart = int32(len(p.log))
	p.regHash, p.regCount = 0, 0
	p.trHash, p.trCount = 0, 0
	c.stats.Configs++
}

// compareSegment compares process pi's current segment (ending at log
// index end) with the first recorded one s for the same pair of regular
// configurations. It reports whether it found a violation.
func (c *Checker) compareSegment(now time.Duration, pi int32, s *chkSeg, end int32) bool {
	p, q := c.procs[pi], c.procs[s.proc]
	from, to := p.reg.ring, p.trRing
	if p.regHash+p.trHash != s.regHash+s.trHash || p.regCount+p.trCount != s.regCount+s.trCount {
		onlyP, onlyQ := chkSetDiff(p.log[p.segStart:end], q.log[s.start:s.end])
		c.fail(now, PropVirtualSynchrony, []totem.NodeID{p.node, q.node},
			"%s and %s both went from regular configuration %v to %v but delivered different messages in between (%d vs %d): only %s: %s; only %s: %s",
			c.pname(pi), c.pname(s.proc), from, to, end-p.segStart, s.end-s.start,
			c.pname(pi), c.idList(onlyP), c.pname(s.proc), c.idList(onlyQ))
		return true
	}
	if p.trHash != s.trHash || p.trCount != s.trCount {
		onlyP, onlyQ := chkSetDiff(p.log[p.trStart:end], q.log[s.tr:s.end])
		c.fail(now, PropVirtualSynchrony, []totem.NodeID{p.node, q.node},
			"%s and %s both went from regular configuration %v to %v but delivered different messages in the transitional configuration (%d vs %d): only %s: %s; only %s: %s",
			c.pname(pi), c.pname(s.proc), from, to, end-p.trStart, s.end-s.tr,
			c.pname(pi), c.idList(onlyP), c.pname(s.proc), c.idList(onlyQ))
		return true
	}
	return false
}

// setDiff returns the elements only in a and only in b, in their order.
func chkSetDiff(a, b []int32) (onlyA, onlyB []int32) {
	inA := make(map[int32]bool, len(a))
	for _, x := range a {
		inA[x] = true
	}
	inB := make(map[int32]bool, len(b))
	for _, x := range b {
		inB[x] = true
		if !inA[x] {
			onlyB = append(onlyB, x)
		}
	}
	for _, x := range a {
		if !inB[x] {
			onlyA = append(onlyA, x)
		}
	}
	return onlyA, onlyB
}

// idList formats the first few message ids of a list of message indices.
func (c *Checker) idList(ms []int32) string {
	const show = 5
	s := "["
	for i, mi := range ms {
		if i == show {
			s += fmt.Sprintf(" …%d more", len(ms)-show)
			break
		}
		if i > 0 {
			s += " "
		}
		s += c.store.msg(mi).id.String()
	}
	return s + "]"
}

func (c *Checker) slotsOf(ids []totem.NodeID) []int32 {
	s := make([]int32, len(ids))
	for i, n := range ids {
		s[i], _ = c.slotOf(n)
	}
	return s
}

func chkAscending(ids []totem.NodeID) bool {
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			return false
		}
	}
	return true
}

func chkContains(sorted []totem.NodeID, n totem.NodeID) bool {
	_, ok := slices.BinarySearch(sorted, n)
	return ok
}

// subset reports whether every element of sorted a is in sorted b.
func chkSubset(a, b []totem.NodeID) bool {
	for _, n := range a {
		if !chkContains(b, n) {
			return false
		}
	}
	return true
}

// minus returns sorted a without the elements of sorted b (nil if empty).
func chkMinus(a, b []totem.NodeID) []totem.NodeID {
	var out []totem.NodeID
	for _, n := range a {
		if !chkContains(b, n) {
			out = append(out, n)
		}
	}
	return out
}

// reusable reports whether ring may repeat an id used before this process
// forgot its ring seq (see Checker.ForgotRingSeq).
func (p *chkProc) reusable(ring totem.RingID) bool {
	return ring.Rep == p.node && ring.Seq <= p.forgotUpTo
}
