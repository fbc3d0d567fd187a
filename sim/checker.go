package sim

import (
	"fmt"
	"strings"
	"time"

	"goais/totem"
)

// Property names carried by Violation.Property.
const (
	PropAgreedOrder         = "agreed-order"
	PropNoDuplication       = "no-duplication"
	PropNoCreation          = "no-creation"
	PropSelfDelivery        = "self-delivery"
	PropVirtualSynchrony    = "virtual-synchrony"
	PropConfigRules         = "config-rules"
	PropMembershipAgreement = "membership-agreement"
	PropSafeDelivery        = "safe-delivery"
	PropTransitionalHeld    = "transitional-held"
	PropLiveness            = "liveness"
)

// MsgID is the identity the simulator gives every application message. It is
// unique over a run: Counter starts at 1 and grows per message sent by one
// incarnation of Origin, and the simulator bumps Incarnation at each restart.
type MsgID struct {
	Origin      totem.NodeID
	Incarnation uint32
	Counter     uint64
}

// String formats id as origin.incarnation#counter, as in violation details.
func (id MsgID) String() string {
	return fmt.Sprintf("%d.%d#%d", id.Origin, id.Incarnation, id.Counter)
}

// HolderFunc reports whether node currently holds message seq of ring: it
// has received it, or has already delivered it. The simulator supplies it
// from the core of node's current incarnation.
type HolderFunc func(node totem.NodeID, ring totem.RingID, seq uint32) bool

// Violation is one broken invariant.
type Violation struct {
	Property string         // one of the Prop* constants
	Nodes    []totem.NodeID // the nodes involved; the first is the one whose event revealed it
	At       time.Duration  // virtual time of that event
	Detail   string         // what exactly went wrong, on one line
}

// Error gives the violation on one line: property, time, nodes, detail.
func (v *Violation) Error() string {
	return fmt.Sprintf("%s at %v nodes %v: %s", v.Property, v.At, v.Nodes, v.Detail)
}

// Stats are per-run counters for the final PASS/FAIL line.
type Stats struct {
	Sent          int // messages submitted
	Delivered     int // message deliveries, summed over all processes
	Configs       int // regular configurations installed, summed over all processes
	Transitionals int // transitional configurations delivered
	Crashes       int
	Restarts      int
}

// String gives the counters as key=value pairs for a summary line.
func (s Stats) String() string {
	return fmt.Sprintf("sent=%d delivered=%d configs=%d transitional=%d crashes=%d restarts=%d",
		s.Sent, s.Delivered, s.Configs, s.Transitionals, s.Crashes, s.Restarts)
}

// Configuration phase of a process.
const (
	chkNone           uint8 = iota // no configuration installed yet
	chkInRegular                   // in the regular configuration reg
	chkInTransitional              // between a transitional configuration and its regular one
)

// chkDeliv records that process proc delivered a message as the idx-th
// (1-based) message of its delivery sequence.
type chkDeliv struct {
	proc int32
	idx  int32
}

// chkRing is a regular configuration as first installed by any process.
type chkRing struct {
	ring    totem.RingID
	members []totem.NodeID
	slots   []int32  // node slots of members
	epoch   []uint32 // crash count of every node slot when first installed
	by      int32    // first installing process
	// ambiguous marks a ring id installed by a process that had forgotten
	// its ring seq and may be reusing an id (see Checker.ForgotRingSeq);
	// such a ring is kept out of the cross-process comparisons.
	ambiguous bool
}

// chkTrans is a transitional configuration as first delivered, keyed by
// (new ring, previous regular ring).
type chkTrans struct {
	members []totem.NodeID
	by      int32
}

type chkTransKey struct{ ring, prev totem.RingID }

// chkSegKey names the messages of a process between regular configuration
// from and the next one, to.
type chkSegKey struct{ from, to totem.RingID }

// chkSeg is the first process's account of a segment.
type chkSeg struct {
	proc              int32
	start, tr, end    int32 // log indices: regular install, transitional, next regular
	regHash, trHash   uint64
	regCount, trCount int32
}

// chkProc is one incarnation of a node: a restart starts a fresh process.
type chkProc struct {
	node  totem.NodeID
	slot  int32
	inc   uint32 // checker's incarnation number (0 for the first)
	alive bool
	log   []int32 // delivered messages (store indices), in delivery order

	phase   uint8
	reg     *chkRing // current regular configuration; while transitional, the previous one
	trRing  totem.RingID
	trMemb  []totem.NodeID
	trSlots []int32

	// Virtual-synchrony accumulators for the current segment: an
	// order-independent hash and a count of the messages delivered since reg
	// was installed, split at the transitional configuration.
	segStart, trStart int32
	regHash, trHash   uint64
	regCount, trCount int32

	// forgotUpTo: this incarnation started without its persisted ring seq,
	// so ring ids with a seq up to this value may repeat ones used before.
	forgotUpTo uint64
}

// Checker checks the Totem/EVS invariants over what the nodes of a simulated
// run hand upward. Feed it every event in the order the simulator produced
// them; it checks incrementally and remembers the first violation. After a
// violation it stops checking: every method returns at once and Err keeps
// returning that violation.
//
// Each incarnation of a node is a separate process: a restart starts a
// fresh delivery history and configuration sequence, while the history of
// the crashed incarnation stays for the checks that still involve it (agreed
// order, virtual synchrony, membership agreement).
//
// Calls that cannot come from a correct simulator (an unknown node, an event
// from a crashed node, a MsgID sent twice or from another origin) panic.
//
// A Checker is not safe for concurrent use.
type Checker struct {
	nodes   []totem.NodeID
	slotMap map[totem.NodeID]int32 // only for many nodes; else a linear scan
	cur     []int32                // current process of each node slot
	crashes []uint32               // crash count of each node slot
	procs   []*chkProc

	store chkStore

	// order[x][y] is, for processes x and y, the highest index in y's
	// delivery sequence of a message both delivered, as last updated
	// (1-based, 0 for none).
	order [][]int32

	rings  map[totem.RingID]*chkRing
	trans  map[chkTransKey]*chkTrans
	segs   map[chkSegKey]*chkSeg
	holder HolderFunc
	strict bool     // a first configuration must be Transitional{[self]}
	seen   []uint32 // per process: == stamp if it delivered the message at hand
	stamp  uint32

	stats Stats
	err   *Violation
}

// NewChecker returns a checker for a run over nodes, each of them starting
// in its first incarnation, alive and without any configuration.
func NewChecker(nodes []totem.NodeID) *Checker {
	c := &Checker{
		nodes:   append([]totem.NodeID(nil), nodes...),
		cur:     make([]int32, len(nodes)),
		crashes: make([]uint32, len(nodes)),
		rings:   make(map[totem.RingID]*chkRing),
		trans:   make(map[chkTransKey]*chkTrans),
		segs:    make(map[chkSegKey]*chkSeg),
	}
	c.store.init(len(nodes), max(len(nodes), 1))
	if len(nodes) > 16 {
		c.slotMap = make(map[totem.NodeID]int32, len(nodes))
	}
	for i, n := range nodes {
		for _, m := range nodes[:i] {
			if m == n {
				panic(fmt.Sprintf("sim: NewChecker: node %d listed twice", n))
			}
		}
		if c.slotMap != nil {
			c.slotMap[n] = int32(i)
		}
		c.cur[i] = c.newProc(n, int32(i), 0)
	}
	return c
}

// SetHolder supplies the query the safe-delivery and transitional-held
// checks need. Without it (nil), neither is checked.
func (c *Checker) SetHolder(f HolderFunc) { c.holder = f }

// SetStrictStart makes config-rules require that every process's first
// configuration be a transitional one, {self}, as the goais core delivers
// it. By default a first configuration that is a regular one is tolerated
// (see Config).
func (c *Checker) SetStrictStart(strict bool) { c.strict = strict }

// Err returns the first violation found, or nil.
func (c *Checker) Err() *Violation { return c.err }

// Stats returns the run's counters so far.
func (c *Checker) Stats() Stats { return c.stats }

func (c *Checker) newProc(n totem.NodeID, slot int32, inc uint32) int32 {
	pi := int32(len(c.procs))
	c.procs = append(c.procs, &chkProc{node: n, slot: slot, inc: inc, alive: true})
	for i := range c.order {
		c.order[i] = append(c.order[i], 0)
	}
	c.order = append(c.order, make([]int32, len(c.procs)))
	c.seen = append(c.seen, 0)
	return pi
}

func (c *Checker) slotOf(n totem.NodeID) (int32, bool) {
	if c.slotMap != nil {
		s, ok := c.slotMap[n]
		return s, ok
	}
	for i, m := range c.nodes {
		if m == n {
			return int32(i), true
		}
	}
	return -1, false
}

func (c *Checker) mustSlot(n totem.NodeID, op string) int32 {
	s, ok := c.slotOf(n)
	if !ok {
		panic(fmt.Sprintf("sim: Checker.%s: unknown node %d", op, n))
	}
	return s
}

// liveProc returns the current process of node, which must be alive.
func (c *Checker) liveProc(n totem.NodeID, op string) int32 {
	pi := c.cur[c.mustSlot(n, op)]
	if !c.procs[pi].alive {
		panic(fmt.Sprintf("sim: Checker.%s: node %d is crashed", op, n))
	}
	return pi
}

// pname names a process in details: "n3" for a node's first incarnation,
// "n3(2)" for its third.
func (c *Checker) pname(pi int32) string {
	p := c.procs[pi]
	if p.inc == 0 {
		return fmt.Sprintf("n%d", p.node)
	}
	return fmt.Sprintf("n%d(%d)", p.node, p.inc)
}

func (c *Checker) fail(now time.Duration, prop string, nodes []totem.NodeID, format string, args ...any) {
	c.err = &Violation{
		Property: prop,
		Nodes:    nodes,
		At:       now,
		Detail:   strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " "),
	}
}

// Sent records that node's current incarnation submitted message id, with
// the safe guarantee or not, and content hash sum. Call it before any
// delivery of id. id.Origin must be node and id must be new.
func (c *Checker) Sent(now time.Duration, node totem.NodeID, id MsgID, safe bool, sum uint64) {
	if c.err != nil {
		return
	}
	pi := c.liveProc(node, "Sent")
	if id.Origin != node {
		panic(fmt.Sprintf("sim: Checker.Sent: message %v sent by node %d", id, node))
	}
	m, _ := c.store.add(c.procs[pi].slot, id)
	m.sum, m.sentAt, m.origin, m.safe = sum, now, pi, safe
	c.stats.Sent++
}

// Crashed records that node lost all its state. Its current incarnation
// ends; what it delivered stays in the history.
func (c *Checker) Crashed(now time.Duration, node totem.NodeID) {
	if c.err != nil {
		return
	}
	s := c.mustSlot(node, "Crashed")
	p := c.procs[c.cur[s]]
	if !p.alive {
		return
	}
	p.alive = false
	c.crashes[s]++
	c.stats.Crashes++
}

// Restarted records that node came back as a new incarnation, with no
// configuration and an empty history. A restart of a node not reported
// crashed implies the crash.
func (c *Checker) Restarted(now time.Duration, node totem.NodeID) {
	if c.err != nil {
		return
	}
	s := c.mustSlot(node, "Restarted")
	c.Crashed(now, node)
	old := c.procs[c.cur[s]]
	c.cur[s] = c.newProc(node, s, old.inc+1)
	c.stats.Restarts++
}

// ForgotRingSeq records that node's current incarnation started without its
// persisted ring seq, which was upTo. Ring ids are unique only because nodes
// remember that seq (corosync persists it for this reason): until it hears
// a peer, the node forms rings of its own, with itself as representative,
// whose ids its earlier incarnations may already have used. Configurations
// it installs on a ring it represents with a seq up to upTo are still
// checked for the per-process rules, but not compared with other
// processes' configurations of the same id.
func (c *Checker) ForgotRingSeq(node totem.NodeID, upTo uint64) {
	if c.err != nil {
		return
	}
	c.procs[c.liveProc(node, "ForgotRingSeq")].forgotUpTo = upTo
}

// mix scrambles a message index for the order-independent set hashes.
func chkMix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Delivered records that node delivered message id, decoded from the
// payload whose content hash is sum, which was ordered as seq on ring and
// flagged safe or not on the wire. It checks no-creation, the ring rule of
// config-rules, no-duplication, agreed-order and, for a safe message,
// safe-delivery, and feeds the virtual-synchrony accounting. It does not
// allocate, except to grow the per-process delivery log.
func (c *Checker) Delivered(now time.Duration, node totem.NodeID, id MsgID, sum uint64, ring totem.RingID, seq uint32, safe bool) {
	if c.err != nil {
		return
	}
	pi := c.liveProc(node, "Delivered")
	p := c.procs[pi]
	c.stats.Delivered++

	// no-creation
	var mi int32
	ok := false
	if slot, known := c.slotOf(id.Origin); known {
		mi, ok = c.store.lookup(slot, id)
	}
	if !ok {
		c.fail(now, PropNoCreation, []totem.NodeID{node},
			"%s delivered %v (ring %v seq %d), which was never sent", c.pname(pi), id, ring, seq)
		return
	}
	m := c.store.msg(mi)
	if m.sum != sum || m.safe != safe {
		c.fail(now, PropNoCreation, []totem.NodeID{node, id.Origin},
			"%s delivered %v with content hash %#x safe=%v; %s sent it with hash %#x safe=%v",
			c.pname(pi), id, sum, safe, c.pname(m.origin), m.sum, m.safe)
		return
	}

	// config-rules: the ring a message was ordered on.
	switch p.phase {
	case chkNone:
		c.fail(now, PropConfigRules, []totem.NodeID{node},
			"%s delivered %v (ring %v) before any configuration", c.pname(pi), id, ring)
		return
	case chkInRegular:
		if ring != p.reg.ring {
			c.fail(now, PropConfigRules, []totem.NodeID{node},
				"%s delivered %v ordered on ring %v while in regular configuration %v",
				c.pname(pi), id, ring, p.reg.ring)
			return
		}
	case chkInTransitional:
		if p.reg == nil {
			c.fail(now, PropConfigRules, []totem.NodeID{node},
				"%s delivered %v (ring %v) in its first transitional configuration %v, which has no previous ring",
				c.pname(pi), id, ring, p.trRing)
			return
		}
		if ring != p.reg.ring {
			c.fail(now, PropConfigRules, []totem.NodeID{node},
				"%s delivered %v ordered on ring %v in transitional configuration %v; the previous ring is %v",
				c.pname(pi), id, ring, p.trRing, p.reg.ring)
			return
		}
	}

	// no-duplication and agreed-order, checked before any update.
	ix := int32(len(p.log)) + 1
	row := c.order[pi]
	dels := c.store.delivs(m)
	for _, d := range dels {
		if d.proc == pi {
			c.fail(now, PropNoDuplication, []totem.NodeID{node},
				"%s delivered %v twice: as its message %d and again as %d", c.pname(pi), id, d.idx, ix)
			return
		}
	}
	for _, d := range dels {
		if d.idx <= row[d.proc] {
			c.orderViolation(now, pi, d.proc, mi, d.idx)
			return
		}
	}

	// safe-delivery, and transitional-held for the other messages of the
	// transitional part.
	if c.holder != nil && (safe || p.phase == chkInTransitional) {
		if c.checkHeld(now, pi, m, ring, seq, safe) {
			return
		}
	}

	// Record it.
	for _, d := range dels {
		row[d.proc] = d.idx
		c.order[d.proc][pi] = ix
	}
	c.store.addDeliv(m, chkDeliv{proc: pi, idx: ix})
	p.log = append(p.log, mi)
	h := chkMix(uint64(mi))
	if p.phase == chkInTransitional {
		p.trHash += h
		p.trCount++
	} else {
		p.regHash += h
		p.regCount++
	}
}

// orderViolation reports that process x, delivering message mi as its
// newest, inverts the order of process y, which delivered mi at index j
// while order[x][y] >= j.
func (c *Checker) orderViolation(now time.Duration, x, y, mi int32, j int32) {
	px, py := c.procs[x], c.procs[y]
	k := c.order[x][y] // y's index of a message x delivered before mi
	other := py.log[k-1]
	var kx int32
	for _, d := range c.store.delivs(c.store.msg(other)) {
		if d.proc == x {
			kx = d.idx
		}
	}
	c.fail(now, PropAgreedOrder, []totem.NodeID{px.node, py.node},
		"%s delivered %v (its #%d) then %v (its #%d); %s delivered %v (its #%d) before %v (its #%d)",
		c.pname(x), c.store.msg(other).id, kx, c.store.msg(mi).id, len(px.log)+1,
		c.pname(y), c.store.msg(mi).id, j, c.store.msg(other).id, k)
}

// checkHeld checks that every member of p's configuration (the
// transitional one in the transitional part) that has not crashed since the
// ring was installed holds message m or delivered it: safe-delivery for a
// safe message, transitional-held for an agreed one delivered in the
// transitional part. It reports whether it found a violation.
func (c *Checker) checkHeld(now time.Duration, pi int32, m *chkMsg, ring totem.RingID, seq uint32, safe bool) bool {
	p := c.procs[pi]
	slots := p.reg.slots
	if p.phase == chkInTransitional {
		slots = p.trSlots
	}
	epochs := p.reg.epoch
	// Mark the processes that delivered m, for an O(1) test per member.
	c.stamp++
	if c.stamp == 0 {
		clear(c.seen)
		c.stamp = 1
	}
	for _, d := range c.store.delivs(m) {
		c.seen[d.proc] = c.stamp
	}
	for _, qs := range slots {
		if qs == p.slot {
			continue
		}
		qi := c.cur[qs]
		if !c.procs[qi].alive || c.crashes[qs] != epochs[qs] {
			continue
		}
		if c.seen[qi] == c.stamp {
			continue
		}
		q := c.nodes[qs]
		if c.holder(q, ring, seq) {
			continue
		}
		what := fmt.Sprintf("regular configuration %v %v", p.reg.ring, p.reg.members)
		if p.phase == chkInTransitional {
			what = fmt.Sprintf("transitional configuration %v %v", p.trRing, p.trMemb)
		}
		prop, kind := PropSafeDelivery, "safe message"
		if !safe {
			prop, kind = PropTransitionalHeld, "message"
		}
		c.fail(now, prop, []totem.NodeID{p.node, q},
			"%s delivered %s %v (ring %v seq %d) in %s, but member %s neither holds nor delivered it",
			c.pname(pi), kind, m.id, ring, seq, what, c.pname(qi))
		return true
	}
	return false
}
