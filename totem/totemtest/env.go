package totemtest

import (
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"goais/totem"
	"goais/totem/wire"
)

// epoch is the virtual clock's origin; transcripts print times relative to
// it, so its value never shows.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// maxStabilizeSteps bounds the deliveries and timer firings of one
// stabilize command.
const maxStabilizeSteps = 20000

// InteractionEnv holds the nodes of one script, the virtual clock and the
// datagrams in flight. Create it with NewInteractionEnv and feed it every
// command of a script through Handle.
type InteractionEnv struct {
	now    time.Time
	nodes  []*envNode // nodes[i] has id i+1
	queue  []*packet  // datagrams in flight, in send order
	groups map[totem.NodeID]int

	logOn    bool
	logLevel slog.Level

	out    strings.Builder
	indent string
}

// envNode is one processor: a core while it is up, and what survives a
// crash (its configuration and persisted ring seq).
type envNode struct {
	id        totem.NodeID
	core      *totem.Node // nil while down
	cfg       totem.Config
	persisted uint64
	down      string // "" when up, else "crashed" or "left"
	paused    bool   // frozen: no timers, datagrams for it wait in flight
}

// active reports whether the node is up and not paused.
func (n *envNode) active() bool { return n.core != nil && !n.paused }

// packet is a datagram in flight. A multicast keeps the destinations it
// has not reached yet.
type packet struct {
	from  totem.NodeID
	to    []totem.NodeID
	mcast bool
	typ   wire.MessageType
	data  []byte
}

// NewInteractionEnv returns an empty environment at time 0.
func NewInteractionEnv() *InteractionEnv {
	return &InteractionEnv{now: epoch}
}

// Handle runs one command and returns its output.
func (env *InteractionEnv) Handle(t *testing.T, d *TestData) string {
	env.out.Reset()
	env.indent = ""
	var err error
	switch d.Cmd {
	case "add-nodes":
		err = env.handleAddNodes(d)
	case "tick":
		err = env.handleTick(d)
	case "deliver":
		err = env.handleDeliver(d)
	case "pending":
		env.handlePending()
	case "stabilize":
		env.handleStabilize(d)
	case "propose":
		err = env.handlePropose(d)
	case "partition":
		err = env.handlePartition(d)
	case "heal":
		env.handleHeal()
	case "crash":
		err = env.handleCrash(d)
	case "restart":
		err = env.handleRestart(d)
	case "leave":
		err = env.handleLeave(d)
	case "pause":
		err = env.handlePause(d)
	case "resume":
		err = env.handleResume(d)
	case "status":
		err = env.handleStatus(d)
	case "holds":
		err = env.handleHolds(d)
	case "log-level":
		err = env.handleLogLevel(d)
	default:
		t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	}
	if err != nil {
		env.printf("error: %v", err)
	}
	return env.out.String()
}

// printf writes one line of output at the current indentation.
func (env *InteractionEnv) printf(format string, args ...any) {
	env.out.WriteString(env.indent)
	fmt.Fprintf(&env.out, format, args...)
	env.out.WriteString("\n")
}

func (env *InteractionEnv) elapsed() string { return env.now.Sub(epoch).String() }

func (env *InteractionEnv) node(id totem.NodeID) (*envNode, error) {
	if id == 0 || int(id) > len(env.nodes) {
		return nil, fmt.Errorf("no node %d", id)
	}
	return env.nodes[id-1], nil
}

func (env *InteractionEnv) upNode(id totem.NodeID) (*envNode, error) {
	n, err := env.node(id)
	if err == nil && n.core == nil {
		err = fmt.Errorf("node %d is down (%s)", id, n.down)
	}
	if err == nil && n.paused {
		err = fmt.Errorf("node %d is paused", id)
	}
	return n, err
}

// deliverable returns the destinations of p that can take it now: all but
// paused nodes, whose copies stay in flight until they resume.
func (env *InteractionEnv) deliverable(p *packet) []totem.NodeID {
	var out []totem.NodeID
	for _, id := range p.to {
		if !env.nodes[id-1].paused {
			out = append(out, id)
		}
	}
	return out
}

func (env *InteractionEnv) allIDs() []totem.NodeID {
	ids := make([]totem.NodeID, len(env.nodes))
	for i := range env.nodes {
		ids[i] = totem.NodeID(i + 1)
	}
	return ids
}

// start creates the core of n with the given persisted ring seq and
// processes its first Ready (the join that opens its singleton ring).
func (env *InteractionEnv) start(n *envNode, ringSeq uint64) error {
	cfg := n.cfg
	cfg.RingSeq = ringSeq
	cfg.Logger = slog.New(&logHandler{env: env}).With("node", uint32(n.id))
	core, err := totem.NewNode(cfg, env.now)
	if err != nil {
		return err
	}
	n.core, n.down, n.paused = core, "", false
	env.processReady(n, true)
	return nil
}

// processReady acts on the node's Ready: it records the persisted ring
// seq, queues the datagrams (printing them when printSends is set: outside
// of a delivery they would otherwise go unseen until delivered), prints the
// events and calls Advance. A regular configuration is acknowledged at once
// (TransAck), as the sync layer would eventually do.
func (env *InteractionEnv) processReady(n *envNode, printSends bool) {
	for n.core != nil && n.core.HasReady() {
		rd := n.core.Ready()
		if rd.PersistRingSeq {
			n.persisted = rd.RingSeq
			env.printf("node %d: persist ring_seq=%d", n.id, rd.RingSeq)
		}
		for _, dg := range rd.Datagrams {
			p := &packet{from: n.id, data: slices.Clone(dg.Data), typ: wire.MessageType(dg.Data[3])}
			if dg.To == 0 {
				p.mcast, p.to = true, env.allIDs()
			} else {
				p.to = []totem.NodeID{dg.To}
			}
			env.queue = append(env.queue, p)
			if printSends {
				env.printf("sent %s", env.formatPacket(p, p.to))
			}
		}
		regular := false
		for _, ev := range rd.Events {
			env.printf("%s", formatEvent(n.id, ev))
			regular = regular || ev.Kind == totem.EventConfig && ev.Config.Type == totem.Regular
		}
		n.core.Advance()
		if regular {
			n.core.TransAck()
		}
	}
}

// reachable reports whether a datagram from from can reach to now.
func (env *InteractionEnv) reachable(from, to totem.NodeID) bool {
	n := env.nodes[to-1]
	if n.core == nil {
		return false
	}
	return env.groups == nil || env.groups[from] == env.groups[to]
}

// deliver hands p to dests (or drops it there), printing one line for the
// datagram and, indented below it, what each receiver did.
func (env *InteractionEnv) deliver(p *packet, dests []totem.NodeID, drop bool) {
	var ok []totem.NodeID
	if !drop {
		for _, id := range dests {
			if env.reachable(p.from, id) {
				ok = append(ok, id)
			}
		}
	}
	if len(ok) == 0 {
		env.printf("%s dropped", env.formatPacket(p, dests))
		return
	}
	env.printf("%s", env.formatPacket(p, ok))
	saved := env.indent
	env.indent += "  "
	for _, id := range ok {
		n := env.nodes[id-1]
		// Each receiver gets its own copy, as from its own socket.
		if err := n.core.Step(env.now, slices.Clone(p.data)); err != nil {
			env.printf("node %d: step error: %v", id, err)
		}
		env.processReady(n, false)
	}
	env.indent = saved
}

// take removes dests from p's pending destinations and drops p from the
// queue once it has none left.
func (env *InteractionEnv) take(p *packet, dests []totem.NodeID) {
	p.to = slices.DeleteFunc(p.to, func(id totem.NodeID) bool { return slices.Contains(dests, id) })
	if len(p.to) == 0 {
		env.queue = slices.DeleteFunc(env.queue, func(q *packet) bool { return q == p })
	}
}

// nextDeadline is the earliest armed timer of the nodes that are up.
func (env *InteractionEnv) nextDeadline() time.Time {
	var best time.Time
	for _, n := range env.nodes {
		if !n.active() {
			continue
		}
		if dl := n.core.NextDeadline(); !dl.IsZero() && (best.IsZero() || dl.Before(best)) {
			best = dl
		}
	}
	return best
}

// advanceTo moves the clock to at (never backwards) and ticks, in id
// order, every node with an expired timer.
func (env *InteractionEnv) advanceTo(at time.Time, printSends bool) {
	if at.After(env.now) {
		env.now = at
	}
	var fired []*envNode
	var ids []string
	for _, n := range env.nodes {
		if !n.active() {
			continue
		}
		if dl := n.core.NextDeadline(); !dl.IsZero() && !dl.After(env.now) {
			fired = append(fired, n)
			ids = append(ids, strconv.Itoa(int(n.id)))
		}
	}
	env.printf("t=%s timers fire on %s", env.elapsed(), strings.Join(ids, ","))
	saved := env.indent
	env.indent += "  "
	for _, n := range fired {
		n.core.Tick(env.now)
		env.processReady(n, printSends)
	}
	env.indent = saved
}

// settled reports whether stabilize may stop: no datagram but ORF tokens in
// flight (copies waiting for a paused node do not count), and in every
// connected group of live nodes all are OPERATIONAL on
// one ring whose members are exactly the group, with nothing queued, every
// message received delivered and no token announcing more.
func (env *InteractionEnv) settled() bool {
	for _, p := range env.queue {
		if p.typ != wire.TypeORFToken && len(env.deliverable(p)) > 0 {
			return false
		}
	}
	for _, group := range env.components() {
		var first totem.Status
		for i, id := range group {
			st := env.nodes[id-1].core.Status()
			if i == 0 {
				first = st
			}
			if st.State != totem.StateOperational || st.Ring != first.Ring ||
				!slices.Equal(st.Members, group) || st.Queued != 0 ||
				env.nodes[id-1].core.WaitingTransAck() ||
				st.ARU != st.HighSeqRecv || st.HighDelivered != st.HighSeqRecv ||
				st.HighSeqRecv != first.HighSeqRecv {
				return false
			}
		}
		for _, p := range env.queue {
			m, err := wire.Decode(p.data)
			if err != nil {
				continue
			}
			if tok, ok := m.(*wire.Token); ok && tok.Ring == first.Ring && tok.Seq != first.HighSeqRecv {
				return false
			}
		}
	}
	return true
}

// components returns the live (up and not paused) nodes grouped by
// connectivity, each group and the list of groups in ascending id order.
func (env *InteractionEnv) components() [][]totem.NodeID {
	var out [][]totem.NodeID
	index := map[int]int{}
	for _, n := range env.nodes {
		if !n.active() {
			continue
		}
		g := 0
		if env.groups != nil {
			g = env.groups[n.id]
		}
		i, ok := index[g]
		if !ok {
			i = len(out)
			index[g] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], n.id)
	}
	return out
}
