package votequorum

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"goais/internal/datadriven"
	"goais/logging"
	"goais/service"
	"goais/totem"
)

// cluster is the bench of the interaction scripts: Votequorum instances
// fed one ordered stream of exec messages per ring by a fake bus, and a
// scripted sync driver that calls ConfigChange, SyncInit, SyncProcess and
// SyncActivate in the engine's order. "Foreign" members are ring members
// without an instance (corosync nodes), whose messages the script injects
// byte for byte.
type cluster struct {
	t        *testing.T
	nodes    []*node // ascending id
	foreign  map[service.NodeID]service.RingID
	bus      []busMsg
	seq      uint64
	pending  []*node // nodes whose sync round waits for "activate"
	logLevel slog.Level

	busOut []string
	out    map[service.NodeID][]string
}

type busMsg struct {
	from service.NodeID
	ring service.RingID
	fn   uint16
	msg  []byte // header included
	be   bool
}

type node struct {
	c          *cluster
	id         service.NodeID
	cfg        Config
	vq         *Votequorum
	ring       service.RingID
	activeRing service.RingID // the ring of the last activated round
	members    []service.NodeID
	script     []bool // outcomes of the next Mcasts: true refuses
}

func newCluster(t *testing.T) *cluster {
	return &cluster{t: t, foreign: make(map[service.NodeID]service.RingID), logLevel: logging.LevelNotice,
		out: make(map[service.NodeID][]string)}
}

func (n *node) NodeID() service.NodeID { return n.id }

func (n *node) Mcast(fn uint16, body []byte) error {
	if len(n.script) > 0 {
		refuse := n.script[0]
		n.script = n.script[1:]
		if refuse {
			n.c.say(n.id, "env: %s refused, try again", FnName(fn))
			return service.ErrTryAgain
		}
	}
	n.c.bus = append(n.c.bus, busMsg{from: n.id, ring: n.ring, fn: fn, msg: Message(fn, body)})
	return nil
}

func (c *cluster) start(id service.NodeID, cfg Config) *node {
	n := &node{c: c, id: id, cfg: cfg}
	n.vq = New(n, cfg, slog.New(logHandler{c, id}))
	return n
}

func (c *cluster) say(id service.NodeID, format string, args ...any) {
	c.out[id] = append(c.out[id], fmt.Sprintf(format, args...))
}

// flushOutput returns this command's transcript: the bus trace, then each
// node's lines in node order.
func (c *cluster) flushOutput() string {
	var b strings.Builder
	for _, l := range c.busOut {
		b.WriteString("bus: " + l + "\n")
	}
	ids := make([]service.NodeID, 0, len(c.out))
	for id := range c.out {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for _, l := range c.out[id] {
			fmt.Fprintf(&b, "n%d: %s\n", id, l)
		}
	}
	c.busOut = nil
	c.out = make(map[service.NodeID][]string)
	return b.String()
}

func (c *cluster) node(id service.NodeID) *node {
	for _, n := range c.nodes {
		if n.id == id {
			return n
		}
	}
	c.t.Fatalf("no node %d", id)
	return nil
}

// deliver hands every queued message, in order, to the instances in the
// ring it was sent in.
func (c *cluster) deliver() {
	for len(c.bus) > 0 {
		m := c.bus[0]
		c.bus = c.bus[1:]
		c.busOut = append(c.busOut, fmt.Sprintf("n%d %s", m.from, describe(m.fn, m.msg, m.be)))
		for _, n := range c.nodes {
			if n.ring == m.ring {
				n.vq.Deliver(m.from, m.fn, m.msg, m.be)
			}
		}
	}
}

func describe(fn uint16, msg []byte, be bool) string {
	var s string
	var err error
	switch fn {
	case FnNodeInfo:
		var m NodeInfo
		if m, err = DecodeNodeInfo(msg, be); err == nil {
			s = fmt.Sprintf("NODEINFO node=%d votes=%d expected=%d flags=%#x", m.NodeID, m.Votes, m.ExpectedVotes, m.Flags)
		}
	case FnReconfigure:
		var m Reconfigure
		if m, err = DecodeReconfigure(msg, be); err == nil {
			s = fmt.Sprintf("RECONFIGURE node=%d value=%d param=%d", m.NodeID, m.Value, m.Param)
		}
	case FnQdeviceReg:
		var m QdeviceReg
		if m, err = DecodeQdeviceReg(msg, be); err == nil {
			s = fmt.Sprintf("QDEVICE_REG operation=%d name=%q", m.Operation, m.Name)
		}
	case FnQdeviceReconfigure:
		var m QdeviceReconfigure
		if m, err = DecodeQdeviceReconfigure(msg, be); err == nil {
			s = fmt.Sprintf("QDEVICE_RECONFIGURE old=%q new=%q", m.OldName, m.NewName)
		}
	default:
		s = FnName(fn)
	}
	if err != nil {
		s = FnName(fn) + " malformed"
	}
	s += fmt.Sprintf(" (%d bytes)", len(msg))
	if be {
		s += " (big-endian)"
	}
	return s
}

// logHandler turns a node's log records at or above the cluster's level
// into transcript lines.
type logHandler struct {
	c  *cluster
	id service.NodeID
}

func (h logHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.c.logLevel }

func (h logHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "log %s %s", strings.TrimSpace(logging.LevelName(r.Level)), r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	h.c.say(h.id, "%s", b.String())
	return nil
}

func (h logHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h logHandler) WithGroup(string) slog.Handler      { return h }

// ring forms a new ring of ids, as the engine drives it: pending messages
// of older rings are delivered first, a round still waiting is aborted,
// then every member gets the transitional and regular configurations and
// SyncInit. phase=init stops after SyncInit; otherwise SyncProcess runs
// on every member until all are done, queued messages delivered between
// passes; phase=process stops there, before activation.
func (c *cluster) ring(ids []service.NodeID, phase string) {
	c.deliver()
	var members []*node
	for _, id := range ids {
		if _, ok := c.foreign[id]; ok {
			continue
		}
		members = append(members, c.node(id))
	}
	for _, n := range members {
		if i := slices.Index(c.pending, n); i >= 0 {
			c.say(n.id, "sync abort")
			n.vq.SyncAbort()
			c.pending = slices.Delete(c.pending, i, i+1)
		}
	}
	c.seq += 4
	ring := service.RingID{Rep: slices.Min(ids), Seq: c.seq}
	ringOf := func(id service.NodeID) service.RingID {
		if r, ok := c.foreign[id]; ok {
			return r
		}
		return c.node(id).ring
	}
	trans := make(map[service.NodeID][]service.NodeID)
	for _, n := range members {
		trans[n.id] = []service.NodeID{n.id}
		if n.ring != (service.RingID{}) {
			trans[n.id] = slices.DeleteFunc(slices.Clone(ids), func(id service.NodeID) bool { return ringOf(id) != n.ring })
		}
	}
	for _, id := range ids {
		if _, ok := c.foreign[id]; ok {
			c.foreign[id] = ring
		}
	}
	for _, n := range members {
		tr := trans[n.id]
		n.vq.ConfigChange(totem.ConfigChange{Type: totem.Transitional, Ring: ring, Members: tr})
		n.vq.ConfigChange(totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: ids})
		n.ring, n.members = ring, slices.Clone(ids)
		n.vq.SyncInit(tr, ids, ring)
	}
	if phase == "init" {
		return
	}
	todo := slices.Clone(members)
	for pass := 0; len(todo) > 0; pass++ {
		if pass == 10 {
			c.t.Fatalf("sync process not done after %d passes", pass)
		}
		var again []*node
		for _, n := range todo {
			if !n.vq.SyncProcess() {
				c.say(n.id, "sync process not done, called again later")
				again = append(again, n)
			}
		}
		todo = again
		if len(todo) > 0 {
			c.deliver()
		}
	}
	c.pending = append(c.pending, members...)
	if phase != "process" {
		c.activate()
	}
}

// activate delivers the round's messages and activates every waiting
// member, in node order.
func (c *cluster) activate() {
	c.deliver()
	slices.SortFunc(c.pending, func(a, b *node) int { return int(a.id) - int(b.id) })
	for _, n := range c.pending {
		n.vq.SyncActivate()
		n.activeRing = n.ring
	}
	c.pending = nil
}

// check asserts what every status must show, recomputed here from its
// node list: a node that activated its ring lists exactly the ring's
// members, and the totals follow the quorum arithmetic.
func (c *cluster) check(pos string) {
	for _, n := range c.nodes {
		s := n.vq.Status()
		var ids []service.NodeID
		var total, highest uint64 = 0, uint64(s.ExpectedVotes)
		for _, ns := range s.Nodes {
			ids = append(ids, ns.NodeID)
			if ns.HasInfo && ns.Flags&FlagLeaving == 0 {
				total += uint64(ns.Votes)
				highest = max(highest, uint64(ns.ExpectedVotes))
			}
		}
		highest = max(highest, total)
		quorum := highest/2 + 1
		if n.cfg.TwoNode && highest == 2 {
			quorum = 1
		}
		if n.activeRing == n.ring && n.ring != (service.RingID{}) && !slices.Equal(ids, n.members) {
			c.t.Fatalf("%s: node %d lists %v, its ring has %v", pos, n.id, ids, n.members)
		}
		if uint64(s.TotalVotes) != min(total, math.MaxUint32) || uint64(s.HighestExpected) != min(highest, math.MaxUint32) || uint64(s.Quorum) != min(quorum, math.MaxUint32) ||
			(s.Quorate && total < quorum) || (!s.Quorate && total >= quorum && !n.cfg.WaitForAll) {
			c.t.Fatalf("%s: node %d: status %+v does not add up (total %d highest %d quorum %d)", pos, n.id, s, total, highest, quorum)
		}
	}
}

// ddCase wraps one script command with the accessors the harness uses.
type ddCase struct {
	*datadriven.TestData
	t *testing.T
}

func (d *ddCase) arg(key, def string) string {
	v, ok := d.Value(key)
	if !ok {
		return def
	}
	return v
}

const required = ^uint64(0)

func (d *ddCase) num(key string, def uint64) uint64 {
	s := d.arg(key, "")
	if s == "" {
		if def == required {
			d.Fatalf(d.t, "needs %s=", key)
		}
		return def
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		d.Fatalf(d.t, "bad %s=%q", key, s)
	}
	return v
}

func (d *ddCase) ids(key string) []service.NodeID {
	var out []service.NodeID
	a, ok := d.Arg(key)
	if !ok {
		return nil
	}
	for _, f := range a.Vals {
		v, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			d.Fatalf(d.t, "bad node id %q", f)
		}
		out = append(out, service.NodeID(v))
	}
	return out
}

// config reads votes=, expected=, nodelist=id:votes,… (votes may be
// omitted: id alone), two-node and wfa.
func (d *ddCase) config() Config {
	cfg := Config{
		Votes:         uint32(d.num("votes", 0)),
		ExpectedVotes: uint32(d.num("expected", 0)),
		TwoNode:       d.Has("two-node"),
		WaitForAll:    d.Has("wfa"),
	}
	if a, ok := d.Arg("nodelist"); ok {
		cfg.NodeVotes = make(map[service.NodeID]uint32)
		for _, f := range a.Vals {
			id, votes, _ := strings.Cut(f, ":")
			i, err := strconv.ParseUint(id, 10, 32)
			if err != nil {
				d.Fatalf(d.t, "bad nodelist entry %q", f)
			}
			var v uint64
			if votes != "" {
				if v, err = strconv.ParseUint(votes, 10, 32); err != nil {
					d.Fatalf(d.t, "bad nodelist entry %q", f)
				}
			}
			cfg.NodeVotes[service.NodeID(i)] = uint32(v)
		}
	}
	return cfg
}

// fmtStatus renders a status compactly: each node as id:votes/expected,
// flags when set, "-" without NODEINFO.
func fmtStatus(s Status) string {
	var parts []string
	for _, n := range s.Nodes {
		if !n.HasInfo {
			parts = append(parts, fmt.Sprintf("%d:-", n.NodeID))
			continue
		}
		p := fmt.Sprintf("%d:%d/%d", n.NodeID, n.Votes, n.ExpectedVotes)
		if n.Flags != 0 {
			p += fmt.Sprintf("/%#x", n.Flags)
		}
		parts = append(parts, p)
	}
	q := "no"
	if s.Quorate {
		q = "yes"
	}
	return fmt.Sprintf("quorate=%s total=%d quorum=%d highest=%d expected=%d [%s]",
		q, s.TotalVotes, s.Quorum, s.HighestExpected, s.ExpectedVotes, strings.Join(parts, " "))
}

// run executes one script command.
func (c *cluster) run(d *ddCase) string {
	switch d.Cmd {
	case "node":
		// node id=N [votes=V] [expected=E] [nodelist=…] [two-node] [wfa]
		c.nodes = append(c.nodes, c.start(service.NodeID(d.num("id", required)), d.config()))
		slices.SortFunc(c.nodes, func(a, b *node) int { return int(a.id) - int(b.id) })
	case "foreign":
		for _, id := range d.ids("ids") {
			c.foreign[id] = service.RingID{}
		}
	case "restart":
		old := c.node(service.NodeID(d.num("node", required)))
		c.nodes[slices.Index(c.nodes, old)] = c.start(old.id, d.config())
		c.pending = slices.DeleteFunc(c.pending, func(p *node) bool { return p == old })
	case "ring":
		c.ring(d.ids("nodes"), d.arg("phase", ""))
	case "activate":
		c.activate()
	case "deliver":
		c.deliver()
	case "log":
		l, err := logging.ParseLevel(d.arg("level", "notice"))
		if err != nil {
			d.Fatalf(c.t, "%v", err)
		}
		c.logLevel = l
	case "busy":
		n := c.node(service.NodeID(d.num("node", required)))
		a, _ := d.Arg("script")
		for _, s := range a.Vals {
			n.script = append(n.script, s == "fail")
		}
	case "status":
		// status [nodes=…]: every node, or the ones listed.
		only := d.ids("nodes")
		for _, n := range c.nodes {
			if only != nil && !slices.Contains(only, n.id) {
				continue
			}
			s := fmtStatus(n.vq.Status())
			if st := n.vq.Stats(); st != (Stats{}) {
				s += fmt.Sprintf(" malformed=%d unknown=%d ignored=%d qdevice=%d", st.Malformed, st.Unknown, st.Ignored, st.Qdevice)
			}
			c.say(n.id, "%s", s)
		}
	case "raw":
		c.raw(d)
	default:
		d.Fatalf(c.t, "unknown command")
	}
	out := c.flushOutput()
	c.check(d.Pos)
	return out
}

// raw queues an exec message as node from sends it, in the byte order the
// script asks for (be):
//
//	raw from=N [kind=nodeinfo] [id=I] [votes=V] [expected=E] [flags=F]
//	raw from=N kind=reconfigure id=I value=V param=P
//	raw from=N kind=qdevreg [op=O] name=S
//	raw from=N kind=qdevreconf old=S new=S
//	raw from=N kind=bytes len=L [size=S] [fn=F]
//
// via=M orders the message in node M's ring whatever from's ring is.
func (c *cluster) raw(d *ddCase) {
	from := service.NodeID(d.num("from", required))
	be := d.Has("be")
	o := order(be)
	var msg []byte
	var fn uint16
	var err error
	switch d.arg("kind", "nodeinfo") {
	case "nodeinfo":
		fn = FnNodeInfo
		msg = NodeInfo{NodeID: service.NodeID(d.num("id", uint64(from))), Votes: uint32(d.num("votes", 1)),
			ExpectedVotes: uint32(d.num("expected", 0)), Flags: uint32(d.num("flags", 0))}.encode(o)
	case "reconfigure":
		fn = FnReconfigure
		msg = Reconfigure{NodeID: service.NodeID(d.num("id", uint64(from))), Value: uint32(d.num("value", required)),
			Param: uint8(d.num("param", required))}.encode(o)
	case "qdevreg":
		fn = FnQdeviceReg
		msg, err = QdeviceReg{Operation: uint32(d.num("op", 0)), Name: d.arg("name", "")}.encode(o)
	case "qdevreconf":
		fn = FnQdeviceReconfigure
		msg, err = QdeviceReconfigure{OldName: d.arg("old", ""), NewName: d.arg("new", "")}.encode(o)
	case "bytes":
		// A message whose size field says size but that holds len bytes.
		fn = uint16(d.num("fn", 0))
		msg = make([]byte, d.num("len", required))
		if len(msg) >= 16 {
			o.PutUint32(msg, uint32(service.Votequorum)<<16|uint32(fn))
			o.PutUint32(msg[8:], uint32(d.num("size", uint64(len(msg)))))
		}
	default:
		d.Fatalf(c.t, "unknown kind")
	}
	if err != nil {
		d.Fatalf(c.t, "%v", err)
	}
	var ring service.RingID
	switch r, ok := c.foreign[from]; {
	case d.Has("via"):
		ring = c.node(service.NodeID(d.num("via", required))).ring
	case ok:
		ring = r
	default:
		ring = c.node(from).ring
	}
	c.bus = append(c.bus, busMsg{from: from, ring: ring, fn: fn, msg: msg, be: be})
}

func TestInteraction(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		c := newCluster(t)
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			return c.run(&ddCase{TestData: d, t: t})
		})
	})
}
