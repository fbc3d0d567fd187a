package cmap

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"

	"goais/internal/datadriven"
	"goais/service"
	"goais/totem"
)

// cluster is the bench of the interaction scripts: CMAP instances fed one
// ordered stream of exec messages per ring by a fake bus, and a scripted
// sync driver that calls ConfigChange, SyncInit, SyncProcess and
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
	c       *cluster
	id      service.NodeID
	cfg     Config
	cmap    *CMAP
	ring    service.RingID
	members []service.NodeID
	script  []bool // outcomes of the next Mcasts: true refuses
}

func newCluster(t *testing.T) *cluster {
	return &cluster{t: t, foreign: make(map[service.NodeID]service.RingID), logLevel: slog.LevelInfo,
		out: make(map[service.NodeID][]string)}
}

func (n *node) NodeID() service.NodeID { return n.id }

func (n *node) Mcast(fn uint16, body []byte) error {
	if len(n.script) > 0 {
		refuse := n.script[0]
		n.script = n.script[1:]
		if refuse {
			n.c.say(n.id, "env: MCAST refused, try again")
			return service.ErrTryAgain
		}
	}
	n.c.bus = append(n.c.bus, busMsg{from: n.id, ring: n.ring, fn: fn, msg: Message(fn, body)})
	return nil
}

// start creates (or restarts) the instance of node id with cfg.
func (c *cluster) start(id service.NodeID, cfg Config) *node {
	n := &node{c: c, id: id}
	cfg.Shutdown = func(reason string) { c.say(id, "shutdown requested: %s", reason) }
	n.cfg = cfg
	n.cmap = New(n, cfg, slog.New(logHandler{c, id}))
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
	for _, id := range slices.Sorted(func(yield func(service.NodeID) bool) {
		for id := range c.out {
			if !yield(id) {
				return
			}
		}
	}) {
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
				n.cmap.Deliver(m.from, m.fn, m.msg, m.be)
			}
		}
	}
}

func describe(fn uint16, msg []byte, be bool) string {
	s := fmt.Sprintf("fn %d (%d bytes)", fn, len(msg))
	if fn == FnMcast {
		m, err := DecodeMcast(msg, be)
		if err != nil {
			s = fmt.Sprintf("MCAST malformed (%d bytes)", len(msg))
		} else {
			var items []string
			for _, it := range m.Items {
				items = append(items, fmtItem(it))
			}
			s = fmt.Sprintf("MCAST %v [%s] (%d bytes)", m.Reason, strings.Join(items, ", "), len(msg))
		}
	}
	if be {
		s += " (big-endian)"
	}
	return s
}

func fmtItem(it Item) string {
	switch {
	case it.Type == TypeNotExist:
		return it.Key + "=NOT_EXIST"
	case it.Type == TypeUint64:
		v, _ := it.Uint64()
		return fmt.Sprintf("%s=UINT64 %d", it.Key, v)
	}
	return fmt.Sprintf("%s=%v %x", it.Key, it.Type, it.Value)
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
	fmt.Fprintf(&b, "log %s %s", r.Level, r.Message)
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
// SyncInit. A node without a ring yet (just started) is its own
// transitional member, as goais's Totem core reports it; with emptyTrans
// it has none, as corosync reports its startup ring. phase=init stops
// after SyncInit; otherwise SyncProcess runs on every member until all are
// done, queued messages delivered between passes; phase=process stops
// there, before activation.
func (c *cluster) ring(ids []service.NodeID, phase string, emptyTrans bool) {
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
			n.cmap.SyncAbort()
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
		switch {
		case n.ring != (service.RingID{}):
			trans[n.id] = slices.DeleteFunc(slices.Clone(ids), func(id service.NodeID) bool { return ringOf(id) != n.ring })
		case !emptyTrans:
			trans[n.id] = []service.NodeID{n.id}
		}
	}
	for _, id := range ids {
		if _, ok := c.foreign[id]; ok {
			c.foreign[id] = ring
		}
	}
	for _, n := range members {
		tr := trans[n.id]
		n.cmap.ConfigChange(totem.ConfigChange{Type: totem.Transitional, Ring: ring, Members: tr})
		n.cmap.ConfigChange(totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: ids})
		n.ring, n.members = ring, slices.Clone(ids)
		n.cmap.SyncInit(tr, ids, ring)
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
			if !n.cmap.SyncProcess() {
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
		n.cmap.SyncActivate()
	}
	c.pending = nil
}

// check asserts what every quiet moment must show: each node lists its
// ring's members, and nodes of one ring agree on the versions.
func (c *cluster) check(pos string) {
	if len(c.bus) > 0 || len(c.pending) > 0 {
		return
	}
	seen := make(map[service.RingID]string)
	for _, n := range c.nodes {
		ms := n.cmap.Members()
		var ids []service.NodeID
		for _, m := range ms {
			ids = append(ids, m.NodeID)
		}
		if !slices.Equal(ids, n.members) {
			c.t.Fatalf("%s: node %d lists %v, its ring has %v", pos, n.id, ids, n.members)
		}
		v := fmt.Sprint(ms)
		if w, ok := seen[n.ring]; ok && w != v {
			c.t.Fatalf("%s: nodes of ring %v disagree:\n%s\n%s", pos, n.ring, w, v)
		}
		seen[n.ring] = v
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

// config reads version=N (a set totem.config_version) or nothing.
func (d *ddCase) config() Config {
	if !d.Has("version") {
		return Config{}
	}
	return Config{ConfigVersion: d.num("version", required), HasConfigVersion: true}
}

// run executes one script command.
func (c *cluster) run(d *ddCase) string {
	switch d.Cmd {
	case "node":
		// node id=N [version=V]: start a goais node.
		c.nodes = append(c.nodes, c.start(service.NodeID(d.num("id", required)), d.config()))
		slices.SortFunc(c.nodes, func(a, b *node) int { return int(a.id) - int(b.id) })
	case "foreign":
		for _, id := range d.ids("ids") {
			c.foreign[id] = service.RingID{}
		}
	case "restart":
		// The node's executive restarts: a fresh instance, no ring.
		old := c.node(service.NodeID(d.num("node", required)))
		c.nodes[slices.Index(c.nodes, old)] = c.start(old.id, d.config())
		c.pending = slices.DeleteFunc(c.pending, func(p *node) bool { return p == old })
	case "ring":
		c.ring(d.ids("nodes"), d.arg("phase", ""), d.Has("empty-trans"))
	case "activate":
		c.activate()
	case "deliver":
		c.deliver()
	case "log":
		if err := c.logLevel.UnmarshalText([]byte(d.arg("level", "info"))); err != nil {
			d.Fatalf(c.t, "%v", err)
		}
	case "busy":
		n := c.node(service.NodeID(d.num("node", required)))
		a, _ := d.Arg("script")
		for _, s := range a.Vals {
			n.script = append(n.script, s == "fail")
		}
	case "members":
		for _, n := range c.nodes {
			var parts []string
			for _, m := range n.cmap.Members() {
				s := fmt.Sprintf("%d:", m.NodeID)
				if m.Reported {
					s += strconv.FormatUint(m.ConfigVersion, 10)
				} else {
					s += "-"
				}
				parts = append(parts, s)
			}
			s := fmt.Sprintf("members [%s]", strings.Join(parts, " "))
			if st := n.cmap.Stats(); st != (Stats{}) {
				s += fmt.Sprintf(" malformed=%d unknown=%d stale=%d", st.Malformed, st.Unknown, st.Stale)
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
// script asks for:
//
//	raw from=N [be] [reason=sync|new] [version=V|type=T] [key=K]
//	raw from=N kind=hex hex=... [fn=F]
//	raw from=N kind=bytes len=L [size=S] [fn=F]
//
// via=M orders the message in node M's ring whatever from's ring is.
func (c *cluster) raw(d *ddCase) {
	from := service.NodeID(d.num("from", required))
	be := d.Has("be")
	o := order(be)
	fn := uint16(d.num("fn", uint64(FnMcast)))
	var msg []byte
	switch d.arg("kind", "mcast") {
	case "mcast":
		m := Mcast{Reason: ReasonSync}
		if d.arg("reason", "sync") == "new" {
			m.Reason = ReasonNewConfigVersion
		}
		it := Item{Key: d.arg("key", KeyConfigVersion), Type: TypeNotExist}
		switch {
		case d.Has("version"):
			v := Uint64Item(it.Key, d.num("version", required))
			it.Type, it.Value = v.Type, v.Value
		case d.Has("type"):
			// An item of another type, with a zero value of its size.
			it.Type = ValueType(d.num("type", required))
			it.Value = make([]byte, max(it.Type.size(), 4))
		}
		m.Items = []Item{it}
		var err error
		if msg, err = m.encode(o); err != nil {
			d.Fatalf(c.t, "%v", err)
		}
	case "hex":
		var err error
		if msg, err = hex.DecodeString(d.arg("hex", "")); err != nil {
			d.Fatalf(c.t, "%v", err)
		}
	case "bytes":
		// A message whose size field says size but that holds len bytes.
		msg = make([]byte, d.num("len", required))
		if len(msg) >= 16 {
			o.PutUint32(msg, uint32(service.CMAP)<<16|uint32(fn))
			o.PutUint32(msg[8:], uint32(d.num("size", uint64(len(msg)))))
		}
	default:
		d.Fatalf(c.t, "unknown kind")
	}
	var ring service.RingID
	switch r, ok := c.foreign[from]; {
	case d.Has("via"):
		// A sender outside the ring, ordered in node via's ring.
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
