package sim

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"goais/totem"
	"goais/totem/wire"
	"goais/transport/mem"
)

// epoch is virtual time zero; only differences matter.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// world is the state of one run.
type world struct {
	opts    Options
	rng     *rand.Rand
	dropRng *rand.Rand // FaultTokenDrop's decisions
	net     *mem.Network
	base    mem.LinkConfig
	nodes   []*simNode
	ids     []totem.NodeID
	chk     *Checker
	now     time.Duration
	token   time.Duration
	faults  []faultEvent
	nextFlt int
	loadOn  bool
	buf     []byte
	res     Result
}

// Run simulates opts and reports the outcome. The same options give the
// same result, step for step.
func Run(opts Options) (Result, error) {
	if err := opts.validate(); err != nil {
		return Result{}, err
	}
	w := &world{opts: opts, loadOn: true}
	w.res.Options = opts
	w.rng = rand.New(rand.NewPCG(opts.Seed, uint64(opts.Nodes)<<32|uint64(opts.Faults)))
	// Token drops draw from a stream of their own, and only while an
	// episode runs, so that runs without one are unchanged by it.
	w.dropRng = rand.New(rand.NewPCG(opts.Seed, 0x746f6b656e64726f)) // "tokendro"
	w.base = mem.LinkConfig{
		Delay:  time.Duration(100+w.rng.IntN(900)) * time.Microsecond,
		Jitter: time.Duration(w.rng.IntN(500)) * time.Microsecond,
	}
	w.net = mem.NewNetwork(rand.New(rand.NewPCG(w.rng.Uint64(), w.rng.Uint64())), w.base)
	for i := 1; i <= opts.Nodes; i++ {
		w.ids = append(w.ids, totem.NodeID(i))
	}
	w.chk = NewChecker(w.ids)
	w.chk.SetHolder(w.holds)
	// The core always opens with Transitional{self} before its first
	// regular configuration, so a missing one is a bug.
	w.chk.SetStrictStart(true)
	for _, id := range w.ids {
		sn := &simNode{id: id}
		// Offered load: one message every 5..50 ms per node.
		sn.sendEvery = time.Duration(5+w.rng.IntN(46)) * time.Millisecond
		sn.nextSend = time.Duration(w.rng.Int64N(int64(sn.sendEvery)))
		w.nodes = append(w.nodes, sn)
		if err := w.start(sn); err != nil {
			return Result{}, err
		}
	}
	w.token = w.nodes[0].core.Config().Token
	consensus := w.nodes[0].core.Config().Consensus
	w.faults = schedule(w.rng, opts, w.ids, w.token, w.base)

	// Phase 1: faults and load until Duration. Phase 2: healed; wait for
	// one ring of every live node within the liveness bound. Phase 3: load
	// for a while on that ring, then drain and check that every message
	// sent on it reached everyone.
	bound := 4*(w.token+consensus) + 10*time.Second
	if err := w.runUntil(opts.Duration, nil); err != nil {
		return w.res, err
	}
	w.heal()
	if w.res.Violation == nil {
		converged := w.runUntil(opts.Duration+bound, w.converged)
		if errors.Is(converged, errStop) {
			w.res.Converged = w.now
		} else if w.res.Violation == nil {
			w.violate(PropLiveness, w.ids, "live nodes did not form one ring within %v of healing: %s", bound, w.ringSummary())
		}
	}
	if w.res.Violation == nil {
		stable := w.now
		w.runUntil(stable+2*time.Second, nil)
		// Stop the load and let the ring drain: queues that grew while
		// the membership churned can take a while on 16 nodes. The wait
		// ends when every node has sent and delivered everything, or at a
		// bound after which the final checks report what is missing.
		w.loadOn = false
		w.runUntil(w.now+10*w.token+60*time.Second, w.drained)
		w.runUntil(w.now+time.Second, nil)
		if w.res.Violation == nil {
			if v := w.chk.CheckFinal(w.now, w.aliveIDs(), stable); v != nil {
				w.res.Violation = v
			}
		}
	}
	w.res.Stats = w.chk.Stats()
	w.res.End = w.now
	if w.res.Violation != nil {
		for _, sn := range w.nodes {
			if sn.core == nil {
				w.trace("%v node %d down", w.now, sn.id)
				continue
			}
			st := sn.core.Status()
			w.trace("%v node %d %s ring %d.%d members %v aru %d high %d delivered %d queued %d held %v",
				w.now, sn.id, st.State, st.Ring.Rep, st.Ring.Seq, st.Members, st.ARU, st.HighSeqRecv, st.HighDelivered, st.Queued, st.TokenHeld)
		}
	}
	return w.res, nil
}

var errStop = errors.New("condition met")

// runUntil advances virtual time to end, processing every event in order.
// It stops early with errStop when cond holds (checked every 50 ms), or
// when the checker finds a violation.
func (w *world) runUntil(end time.Duration, cond func() bool) error {
	nextCheck := w.now
	for w.res.Violation == nil {
		if v := w.chk.Err(); v != nil {
			w.res.Violation = v
			return nil
		}
		if cond != nil && w.now >= nextCheck {
			if cond() {
				return errStop
			}
			nextCheck = w.now + 50*time.Millisecond
		}
		t, ok := w.nextEvent(end)
		if cond != nil && nextCheck < t {
			t = nextCheck
		}
		if !ok && (cond == nil || nextCheck > end) {
			w.now = end
			return nil
		}
		if t > end {
			w.now = end
			return nil
		}
		w.now = t
		w.step()
		w.res.Events++
	}
	return nil
}

// nextEvent returns the earliest pending event at or before end.
func (w *world) nextEvent(end time.Duration) (time.Duration, bool) {
	best, found := end+1, false
	consider := func(t time.Duration) {
		if t < best {
			best, found = t, true
		}
	}
	if at, ok := w.net.Next(); ok {
		consider(max(at.Sub(epoch), w.now))
	}
	for _, sn := range w.nodes {
		if sn.core == nil || sn.paused {
			continue
		}
		if d := sn.core.NextDeadline(); !d.IsZero() {
			consider(max(d.Sub(epoch), w.now))
		}
		if w.loadOn {
			consider(max(sn.nextSend, w.now))
		}
	}
	if w.nextFlt < len(w.faults) {
		consider(max(w.faults[w.nextFlt].at, w.now))
	}
	return best, found && best <= end
}

// step processes everything due at w.now, in a fixed order.
func (w *world) step() {
	for w.nextFlt < len(w.faults) && w.faults[w.nextFlt].at <= w.now {
		w.applyFault(w.faults[w.nextFlt])
		w.nextFlt++
	}
	now := epoch.Add(w.now)
	for {
		p, ok := w.net.Pop(now)
		if !ok {
			break
		}
		sn := w.nodes[p.To-1]
		switch {
		case sn.core == nil:
			w.net.Release(p)
		case sn.paused:
			if len(sn.backlog) < backlogLimit {
				sn.backlog = append(sn.backlog, p)
			} else {
				w.net.Release(p)
			}
		default:
			w.receive(sn, p)
			w.net.Release(p)
		}
		if w.chk.Err() != nil {
			return
		}
	}
	for _, sn := range w.nodes {
		if sn.core == nil || sn.paused {
			continue
		}
		if d := sn.core.NextDeadline(); !d.IsZero() && !d.After(now) {
			sn.core.Tick(now)
			w.process(sn)
		}
		if w.loadOn && sn.nextSend <= w.now {
			w.propose(sn)
			sn.nextSend = w.now + sn.sendEvery
		}
	}
}

func (w *world) receive(sn *simNode, p mem.Packet) {
	if sn.tokenDrop > 0 || sn.mcastDrop > 0 {
		switch datagramType(p.Data) {
		case wire.TypeORFToken:
			if w.dropRng.Float64() < sn.tokenDrop {
				w.res.TokensDropped++
				return
			}
		case wire.TypeMcast:
			if w.dropRng.Float64() < sn.mcastDrop {
				return
			}
		}
	}
	// Malformed input never reaches the core in the simulator; an error
	// here is a codec bug.
	if err := sn.core.Step(epoch.Add(w.now), p.Data); err != nil {
		w.violate("decode", []totem.NodeID{sn.id, p.From}, "node rejected a datagram: %v", err)
		return
	}
	w.process(sn)
}

// propose offers one application message from sn.
func (w *world) propose(sn *simNode) {
	size := payloadHeader + w.rng.IntN(sn.core.Config().MaxPayload()-payloadHeader+1)
	if w.rng.IntN(4) != 0 {
		size = payloadHeader + w.rng.IntN(200) // mostly small messages
	}
	safe := w.rng.IntN(10) == 0
	id := MsgID{Origin: sn.id, Incarnation: sn.incarnation, Counter: sn.counter + 1}
	w.buf = encodePayload(w.buf, id, size, byte(sn.counter))
	if err := sn.core.Propose(epoch.Add(w.now), w.buf, safe); err != nil {
		w.res.Refused++
		return
	}
	sn.counter++
	w.res.Proposed++
	w.chk.Sent(w.now, sn.id, id, safe, payloadSum(w.buf))
	w.process(sn)
}

// process acts on a node's Ready: persist, send, hand events to the checker.
func (w *world) process(sn *simNode) {
	if !sn.core.HasReady() {
		return
	}
	rd := sn.core.Ready()
	now := epoch.Add(w.now)
	if rd.PersistRingSeq {
		sn.ringSeq = rd.RingSeq
	}
	for _, d := range rd.Datagrams {
		if d.To == 0 {
			w.net.Multicast(now, sn.id, d.Data)
		} else {
			w.net.Send(now, sn.id, d.To, d.Data)
		}
	}
	for i := range rd.Events {
		ev := &rd.Events[i]
		switch ev.Kind {
		case totem.EventDeliver:
			d := &ev.Deliver
			id, ok := decodePayload(d.Payload)
			if !ok || id.Origin != d.Sender {
				w.violate(PropNoCreation, []totem.NodeID{sn.id, d.Sender}, "undecodable or misattributed payload from %d seq %d", d.Sender, d.Seq)
				break
			}
			w.chk.Delivered(w.now, sn.id, id, payloadSum(d.Payload), d.Ring, d.Seq, d.Safe)
		case totem.EventConfig:
			w.chk.Config(w.now, sn.id, ev.Config)
			if ev.Config.Type == totem.Regular {
				// The simulator has no sync protocol above: acknowledge
				// the configuration at once.
				sn.core.TransAck()
				w.trace("%v node %d regular ring %d.%d members %v", w.now, sn.id, ev.Config.Ring.Rep, ev.Config.Ring.Seq, ev.Config.Members)
			}
		}
	}
	sn.core.Advance()
}

// start creates a node's core (first boot or restart).
func (w *world) start(sn *simNode) error {
	cfg := totem.Config{
		NodeID:  sn.id,
		Nodes:   w.ids,
		RingSeq: sn.ringSeq,
		Rand:    rand.New(rand.NewPCG(w.rng.Uint64(), uint64(sn.id))),
		Logger:  nodeLogger(w.opts.Logger, sn.id),
	}
	core, err := totem.NewNode(cfg, epoch.Add(w.now))
	if err != nil {
		return fmt.Errorf("sim: node %d: %w", sn.id, err)
	}
	if sn.id == 1 {
		// Defects go to node 1 only, so the others show what is right.
		core.SetDefects(w.opts.Defects)
	}
	sn.core = core
	w.net.Attach(sn.id)
	w.process(sn)
	return nil
}

func (w *world) applyFault(f faultEvent) {
	switch f.kind {
	case "link":
		w.net.SetDefault(f.link)
		w.trace("%v link loss=%.2f dup=%.2f reorder=%.2f", w.now, f.link.Loss, f.link.Dup, f.link.Reorder)
	case "partition":
		w.net.Partition(f.groups...)
		w.trace("%v partition %v", w.now, f.groups)
	case "block":
		for _, b := range f.blocks {
			w.net.Block(b[0], b[1])
		}
		w.trace("%v block %v", w.now, f.blocks)
	case "heal":
		w.net.Heal()
		w.trace("%v heal", w.now)
	case "pause":
		sn := w.nodes[f.node-1]
		if sn.core != nil {
			sn.paused = true
			w.trace("%v pause node %d", w.now, f.node)
		}
	case "resume":
		w.resume(w.nodes[f.node-1])
	case "crash":
		sn := w.nodes[f.node-1]
		if sn.core == nil {
			return
		}
		w.crash(sn)
	case "restart":
		w.restart(w.nodes[f.node-1], f.keepSeq)
	case "tokendrop":
		sn := w.nodes[f.node-1]
		sn.tokenDrop, sn.mcastDrop = f.prob, f.mcastProb
		w.trace("%v node %d drops received tokens with probability %.2f, messages %.2f", w.now, f.node, f.prob, f.mcastProb)
	}
}

// datagramType reads a datagram's type from its header (TypeUnknown if it
// has none).
func datagramType(data []byte) wire.MessageType {
	h, _, err := wire.PeekHeader(data)
	if err != nil {
		return wire.TypeUnknown
	}
	return h.Type
}

func (w *world) resume(sn *simNode) {
	if !sn.paused {
		return
	}
	sn.paused = false
	w.trace("%v resume node %d (%d queued packets)", w.now, sn.id, len(sn.backlog))
	if sn.core == nil {
		return
	}
	// Timers that expired during the pause fire first, as a process that
	// wakes up sees its timers due before it reads its socket.
	sn.core.Tick(epoch.Add(w.now))
	w.process(sn)
	for _, p := range sn.backlog {
		if sn.core != nil {
			w.receive(sn, p)
		}
		w.net.Release(p)
	}
	clear(sn.backlog)
	sn.backlog = sn.backlog[:0]
}

func (w *world) crash(sn *simNode) {
	w.trace("%v crash node %d", w.now, sn.id)
	sn.core = nil
	sn.paused = false
	for _, p := range sn.backlog {
		w.net.Release(p)
	}
	sn.backlog = sn.backlog[:0]
	w.net.Detach(sn.id)
	w.chk.Crashed(w.now, sn.id)
}

func (w *world) restart(sn *simNode, keepSeq bool) {
	if sn.core != nil {
		return
	}
	// Ring ids are unique only because some node remembers the highest
	// ring seq: a node that forgets its seq relies on a live peer that
	// knows at least as much. When none is up, forgetting would let ring
	// ids repeat, a hazard of the deployment (corosync persists the seq for
	// this reason) rather than of the protocol, so the seq is kept.
	forgotten := sn.ringSeq
	if !keepSeq && w.peerRemembers(sn) {
		sn.ringSeq = 0
	} else {
		keepSeq = true
	}
	sn.incarnation++
	sn.counter = 0
	w.trace("%v restart node %d (ring seq %d)", w.now, sn.id, sn.ringSeq)
	w.chk.Restarted(w.now, sn.id)
	if !keepSeq {
		w.chk.ForgotRingSeq(sn.id, forgotten)
	}
	if err := w.start(sn); err != nil {
		w.violate("restart", []totem.NodeID{sn.id}, "%v", err)
	}
}

// heal ends every fault: links back to the base, partitions gone, paused
// nodes resumed and crashed nodes restarted.
func (w *world) heal() {
	w.nextFlt = len(w.faults)
	w.net.SetDefault(w.base)
	w.net.Heal()
	for _, sn := range w.nodes {
		sn.tokenDrop, sn.mcastDrop = 0, 0
		if sn.paused {
			w.resume(sn)
		}
		if sn.core == nil {
			w.restart(sn, true)
		}
	}
	w.trace("%v healed", w.now)
}

// converged reports whether every live node is OPERATIONAL on one ring
// whose members are exactly the live nodes, with its queue drained of the
// configuration change.
func (w *world) converged() bool {
	var ring totem.RingID
	for i, sn := range w.nodes {
		if sn.core == nil {
			continue
		}
		st := sn.core.Status()
		if st.State != totem.StateOperational || len(st.Members) != len(w.nodes) {
			return false
		}
		if i == 0 {
			ring = st.Ring
		} else if st.Ring != ring {
			return false
		}
	}
	return true
}

// drained reports whether every live node has sent everything it queued
// and delivered everything it received, at the same point.
func (w *world) drained() bool {
	var high uint32
	first := true
	for _, sn := range w.nodes {
		if sn.core == nil {
			continue
		}
		st := sn.core.Status()
		if st.Queued != 0 || st.ARU != st.HighSeqRecv || st.HighDelivered != st.HighSeqRecv {
			return false
		}
		if first {
			high, first = st.HighSeqRecv, false
		} else if st.HighSeqRecv != high {
			return false
		}
	}
	return true
}

func (w *world) ringSummary() string {
	s := ""
	for _, sn := range w.nodes {
		if sn.core == nil {
			s += fmt.Sprintf("[%d down]", sn.id)
			continue
		}
		st := sn.core.Status()
		s += fmt.Sprintf("[%d %s ring %d.%d members %v]", sn.id, st.State, st.Ring.Rep, st.Ring.Seq, st.Members)
	}
	return s
}

// peerRemembers reports whether another node is up with a persisted ring
// seq at least sn's.
func (w *world) peerRemembers(sn *simNode) bool {
	for _, o := range w.nodes {
		if o != sn && o.core != nil && o.ringSeq >= sn.ringSeq {
			return true
		}
	}
	return false
}

func (w *world) aliveIDs() []totem.NodeID {
	var out []totem.NodeID
	for _, sn := range w.nodes {
		if sn.core != nil {
			out = append(out, sn.id)
		}
	}
	return out
}

func (w *world) holds(node totem.NodeID, ring totem.RingID, seq uint32) bool {
	sn := w.nodes[node-1]
	if sn.core == nil {
		return false
	}
	return sn.core.Holds(ring, seq)
}

func (w *world) violate(prop string, nodes []totem.NodeID, format string, args ...any) {
	if w.res.Violation != nil {
		return
	}
	w.res.Violation = &Violation{Property: prop, Nodes: nodes, At: w.now, Detail: fmt.Sprintf(format, args...)}
}

func (w *world) trace(format string, args ...any) {
	if w.opts.Trace != nil {
		w.opts.Trace(fmt.Sprintf(format, args...))
	}
}

// nodeLogger tags a core's log lines with its node id, since the simulator
// interleaves the logs of every node.
func nodeLogger(l *slog.Logger, id totem.NodeID) *slog.Logger {
	if l == nil {
		return nil
	}
	return l.With("node", uint32(id))
}
