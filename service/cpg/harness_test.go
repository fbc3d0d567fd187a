package cpg

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"

	"goais/service"
	"goais/totem"
)

// cluster is the test bench of the interaction scripts: CPG instances fed
// ONE ordered stream of exec messages per ring by a fake bus, and a
// scripted sync driver that calls ConfigChange, SyncInit, SyncProcess and
// SyncActivate in corosync's order. "Foreign" members are ring members
// without an instance, whose messages the script injects byte for byte,
// the way a corosync node (or a broken one) would send them.
type cluster struct {
	t        *testing.T
	nodes    []*node // ascending id
	foreign  map[service.NodeID]service.RingID
	bus      []busMsg
	seq      uint64
	pending  []*node // nodes whose sync round waits for "activate"
	logLevel slog.Level

	busOut []string                    // this command's bus trace
	out    map[service.NodeID][]string // this command's lines per node
}

// busMsg is one exec message in agreed order.
type busMsg struct {
	from service.NodeID
	ring service.RingID
	fn   uint16
	msg  []byte // header included
	be   bool
}

// node is one CPG instance with its Env and Clients.
type node struct {
	c       *cluster
	id      service.NodeID
	cpg     *CPG
	ring    service.RingID
	members []service.NodeID
	// script holds the outcomes of the next Env.Mcast calls: true refuses
	// with ErrTryAgain. Empty: accept.
	script []bool
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
			n.c.say(n.id, "env: %s refused, try again", FnName(fn))
			return service.ErrTryAgain
		}
	}
	n.c.bus = append(n.c.bus, busMsg{from: n.id, ring: n.ring, fn: fn, msg: Message(fn, body)})
	return nil
}

// Clients of a node: every callback becomes a line of the transcript.

func (n *node) Confchg(client ClientID, group string, members, left, joined []Member) {
	n.c.say(n.id, "c%d confchg %s members=%s left=%s joined=%s", client, group,
		fmtMembers(members), fmtMembers(left), fmtMembers(joined))
}

func (n *node) Deliver(client ClientID, group string, nodeid service.NodeID, pid uint32, msg []byte) {
	n.c.say(n.id, "c%d deliver %s from %d/%d: %s", client, group, nodeid, pid, fmtPayload(msg))
}

func (n *node) TotemConfchg(client ClientID, ring service.RingID, members []service.NodeID) {
	n.c.say(n.id, "c%d totem ring=%d.%d members=%v", client, ring.Rep, ring.Seq, members)
}

func fmtMembers(ms []Member) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%d/%d", m.NodeID, m.PID)
		if m.Reason != ReasonUndefined {
			parts[i] += " " + m.Reason.String()
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// fmtPayload shows short printable messages as text, others by length and
// digest.
func fmtPayload(b []byte) string {
	printable := len(b) <= 64
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			printable = false
		}
	}
	if printable {
		return strconv.Quote(string(b))
	}
	sum := sha256.Sum256(b)
	return fmt.Sprintf("%d bytes sha256:%x", len(b), sum[:6])
}

// pattern is the content of a generated message of n bytes.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>9)
	}
	return b
}

func (c *cluster) say(id service.NodeID, format string, args ...any) {
	c.out[id] = append(c.out[id], fmt.Sprintf(format, args...))
}

// flushOutput returns this command's transcript: the bus trace, then each
// node's lines in node order, and resets it.
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
				n.cpg.Deliver(m.from, m.fn, m.msg, m.be)
			}
		}
	}
}

// describe renders an exec message for the bus trace.
func describe(fn uint16, msg []byte, be bool) string {
	var s string
	var err error
	switch fn {
	case FnProcJoin, FnProcLeave:
		var m ProcJoin
		if m, err = decodeProcJoin(FnName(fn), msg, be); err == nil {
			s = fmt.Sprintf("%s %s pid=%d reason=%s", FnName(fn), m.Group, m.PID, m.Reason)
		}
	case FnJoinList:
		var es []JoinEntry
		if es, err = DecodeJoinList(msg, be); err == nil {
			parts := make([]string, len(es))
			for i, e := range es {
				parts[i] = fmt.Sprintf("%d %s", e.PID, e.Group)
			}
			s = "JOINLIST [" + strings.Join(parts, ", ") + "]"
		}
	case FnMcast:
		var m Mcast
		if m, err = DecodeMcast(msg, be); err == nil {
			s = fmt.Sprintf("MCAST %s pid=%d source=%d len=%d", m.Group, m.PID, m.Source, len(m.Msg))
		}
	case FnPartialMcast:
		var m PartialMcast
		if m, err = DecodePartialMcast(msg, be); err == nil {
			s = fmt.Sprintf("PARTIAL_MCAST %s pid=%d %s fraglen=%d msglen=%d", m.Group, m.PID, m.Type, len(m.Fragment), m.MsgLen)
		}
	case FnDownlist:
		var m Downlist
		if m, err = DecodeDownlist(msg, be); err == nil {
			s = fmt.Sprintf("DOWNLIST old_members=%d left=%v", m.OldMembers, m.Left)
		}
	case FnDownlistOld:
		var m DownlistOld
		if m, err = DecodeDownlistOld(msg, be); err == nil {
			s = fmt.Sprintf("DOWNLIST_OLD left=%v", m.Left)
		}
	default:
		s = fmt.Sprintf("%s (%d bytes)", FnName(fn), len(msg))
	}
	if err != nil {
		s = fmt.Sprintf("%s malformed (%d bytes)", FnName(fn), len(msg))
	}
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

// ring forms a new ring of ids on those of them that have instances (and
// the foreign ones): the pending messages of older rings are delivered
// first, then every member gets the transitional and regular
// configurations and SyncInit, then SyncProcess runs on every member,
// in node order, until all are done; queued messages are delivered between
// passes.
func (c *cluster) ring(ids []service.NodeID, activate bool) {
	c.deliver()
	var members []*node
	for _, id := range ids {
		if _, ok := c.foreign[id]; ok {
			continue
		}
		members = append(members, c.node(id))
	}
	// A new configuration interrupts a round still waiting.
	for _, n := range members {
		if i := slices.Index(c.pending, n); i >= 0 {
			c.say(n.id, "sync abort")
			n.cpg.SyncAbort()
			c.pending = slices.Delete(c.pending, i, i+1)
		}
	}
	c.seq += 4
	ring := service.RingID{Rep: slices.Min(ids), Seq: c.seq}
	// A member's transitional configuration is the members that come
	// from its own previous ring; a fresh node brings only itself.
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
		var left, joined []service.NodeID
		for _, m := range n.members {
			if !slices.Contains(tr, m) {
				left = append(left, m)
			}
		}
		for _, m := range ids {
			if !slices.Contains(tr, m) {
				joined = append(joined, m)
			}
		}
		n.cpg.ConfigChange(totem.ConfigChange{Type: totem.Transitional, Ring: ring, Members: tr, Left: left})
		n.cpg.ConfigChange(totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: ids, Joined: joined})
		n.ring, n.members = ring, slices.Clone(ids)
		n.cpg.SyncInit(tr, ids, ring)
	}
	todo := slices.Clone(members)
	for pass := 0; len(todo) > 0; pass++ {
		if pass == 10 {
			c.t.Fatalf("sync process not done after %d passes", pass)
		}
		var again []*node
		for _, n := range todo {
			if !n.cpg.SyncProcess() {
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
	if activate {
		c.activate(members)
	}
}

// activate delivers the round's messages and activates the given waiting
// members (all of them if nil).
func (c *cluster) activate(which []*node) {
	c.deliver()
	if which == nil {
		which = slices.Clone(c.pending)
	}
	slices.SortFunc(which, func(a, b *node) int { return int(a.id) - int(b.id) })
	for _, n := range which {
		n.cpg.SyncActivate()
		c.pending = slices.DeleteFunc(c.pending, func(p *node) bool { return p == n })
	}
}

// check asserts what every quiet moment must show: every node's process
// list is sorted, and nodes in the same ring agree on it.
func (c *cluster) check(pos string) {
	if len(c.bus) > 0 || len(c.pending) > 0 {
		return
	}
	views := make(map[service.RingID]string)
	owner := make(map[service.RingID]service.NodeID)
	for _, n := range c.nodes {
		if !slices.IsSortedFunc(n.cpg.procs, func(a, b process) int {
			if a.node != b.node {
				return int(a.node) - int(b.node)
			}
			return int(a.pid) - int(b.pid)
		}) {
			c.t.Fatalf("%s: node %d: process list not sorted: %+v", pos, n.id, n.cpg.procs)
		}
		if n.ring == (service.RingID{}) {
			continue
		}
		v := fmt.Sprint(n.cpg.Groups())
		if w, ok := views[n.ring]; ok && w != v {
			c.t.Fatalf("%s: nodes %d and %d of ring %v disagree:\n%s\n%s", pos, owner[n.ring], n.id, n.ring, w, v)
		}
		views[n.ring], owner[n.ring] = v, n.id
	}
}

func ids(t *testing.T, s string) []service.NodeID {
	var out []service.NodeID
	if s == "" {
		return out
	}
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			t.Fatalf("bad node id %q", f)
		}
		out = append(out, service.NodeID(v))
	}
	return out
}

func num(t *testing.T, d *ddCase, key string, def uint64) uint64 {
	s := d.arg(key, "")
	if s == "" {
		if def == ^uint64(0) {
			t.Fatalf("%s: %s needs %s=", d.pos, d.cmd, key)
		}
		return def
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		t.Fatalf("%s: bad %s=%q", d.pos, key, s)
	}
	return v
}

const required = ^uint64(0)

// groupArg is group=NAME, or name-len=N for a name of N bytes.
func groupArg(t *testing.T, d *ddCase) string {
	if d.has("name-len") {
		return strings.Repeat("n", int(num(t, d, "name-len", required)))
	}
	return d.arg("group", "")
}

func result(err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return "ok"
}

// run executes one script command.
func (c *cluster) run(d *ddCase) string {
	t := c.t
	switch d.cmd {
	case "nodes":
		for _, id := range ids(t, d.arg("ids", "")) {
			n := &node{c: c, id: id}
			n.cpg = New(n, n, slog.New(logHandler{c, id}))
			c.nodes = append(c.nodes, n)
		}
		for _, id := range ids(t, d.arg("foreign", "")) {
			c.foreign[id] = service.RingID{}
		}
	case "ring":
		c.ring(ids(t, d.arg("nodes", "")), d.arg("phase", "") != "process")
	case "activate":
		c.activate(nil)
	case "deliver":
		c.deliver()
	case "log":
		if err := c.logLevel.UnmarshalText([]byte(d.arg("level", "info"))); err != nil {
			t.Fatalf("%s: %v", d.pos, err)
		}
	case "busy":
		n := c.node(service.NodeID(num(t, d, "node", required)))
		for _, s := range strings.Split(d.arg("script", ""), ",") {
			n.script = append(n.script, s == "fail")
		}
	case "syncing":
		n := c.node(service.NodeID(num(t, d, "node", required)))
		n.cpg.SetSyncing(d.has("on"))
	case "flush":
		n := c.node(service.NodeID(num(t, d, "node", required)))
		c.say(n.id, "flush: %s", result(n.cpg.Flush()))
	case "connect":
		n := c.node(service.NodeID(num(t, d, "node", required)))
		n.cpg.Connect(ClientID(num(t, d, "client", required)))
	case "join":
		n := c.node(service.NodeID(num(t, d, "node", required)))
		cl, pid, g := num(t, d, "client", required), num(t, d, "pid", required), groupArg(t, d)
		c.say(n.id, "join c%d pid=%d %s: %s", cl, pid, g, result(n.cpg.Join(ClientID(cl), uint32(pid), g)))
	case "leave":
		n := c.node(service.NodeID(num(t, d, "node", required)))
		cl, g := num(t, d, "client", required), groupArg(t, d)
		c.say(n.id, "leave c%d %s: %s", cl, g, result(n.cpg.Leave(ClientID(cl), g)))
	case "mcast":
		n := c.node(service.NodeID(num(t, d, "node", required)))
		cl, g := num(t, d, "client", required), d.arg("group", "")
		msg := []byte(d.arg("msg", ""))
		if d.has("size") {
			msg = pattern(int(num(t, d, "size", required)))
		}
		c.say(n.id, "mcast c%d %s %s: %s", cl, g, fmtPayload(msg), result(n.cpg.Mcast(ClientID(cl), g, msg)))
	case "gone":
		n := c.node(service.NodeID(num(t, d, "node", required)))
		cl := num(t, d, "client", required)
		n.cpg.ClientGone(ClientID(cl))
		c.say(n.id, "client c%d gone", cl)
	case "groups":
		for _, n := range c.nodes {
			gs := n.cpg.Groups()
			if len(gs) == 0 {
				c.say(n.id, "no groups")
			}
			for _, g := range gs {
				c.say(n.id, "group %s %s", g.Name, fmtMembers(g.Members))
			}
			if d.has("pending") {
				c.say(n.id, "outbox %d, syncing %v", len(n.cpg.outbox), n.cpg.Syncing())
			}
		}
	case "membership":
		n := c.node(service.NodeID(num(t, d, "node", required)))
		g := groupArg(t, d)
		ring, members := n.cpg.TotemMembership()
		c.say(n.id, "membership %s %s local=%d ring=%d.%d nodes=%v", g, fmtMembers(n.cpg.MembershipGet(g)),
			n.cpg.LocalNodeID(), ring.Rep, ring.Seq, members)
	case "raw":
		c.raw(d)
	default:
		t.Fatalf("%s: unknown command %q", d.pos, d.cmd)
	}
	out := c.flushOutput()
	c.check(d.pos)
	return out
}

// raw queues an exec message as node from sends it, in the byte order the
// script asks for: what a corosync peer (or a broken one) would put on
// the wire.
func (c *cluster) raw(d *ddCase) {
	t := c.t
	from := service.NodeID(num(t, d, "from", required))
	be := d.has("be")
	var o binary.ByteOrder = binary.LittleEndian
	if be {
		o = binary.BigEndian
	}
	group := d.arg("group", "")
	pid := uint32(num(t, d, "pid", 0))
	var msg []byte
	var err error
	var fn uint16
	switch d.arg("fn", "") {
	case "procjoin":
		fn = FnProcJoin
		msg, err = ProcJoin{Group: group, PID: pid, Reason: ReasonJoin}.encode(o, fn)
	case "procleave":
		fn = FnProcLeave
		msg, err = ProcJoin{Group: group, PID: pid, Reason: Reason(num(t, d, "reason", uint64(ReasonLeave)))}.encode(o, fn)
	case "joinlist":
		fn = FnJoinList
		var es []JoinEntry
		for _, e := range strings.Split(d.arg("entries", ""), ",") {
			if e == "" {
				continue
			}
			p, g, _ := strings.Cut(e, ":")
			v, perr := strconv.ParseUint(p, 10, 32)
			if perr != nil {
				t.Fatalf("%s: bad entry %q", d.pos, e)
			}
			es = append(es, JoinEntry{PID: uint32(v), Group: g})
		}
		msg, err = encodeJoinList(o, es)
	case "mcast":
		fn = FnMcast
		msg, err = Mcast{Group: group, PID: pid, Source: service.NodeID(num(t, d, "source", uint64(from))),
			Msg: []byte(d.arg("msg", ""))}.encode(o)
	case "partial":
		fn = FnPartialMcast
		typ := map[string]FragType{"first": FragFirst, "continued": FragContinued, "last": FragLast}[d.arg("type", "")]
		if typ == 0 {
			typ = FragType(num(t, d, "type", required))
		}
		msg, err = PartialMcast{Group: group, PID: pid, Type: typ, MsgLen: uint32(num(t, d, "msglen", required)),
			Source: from, Fragment: []byte(d.arg("data", ""))}.encode(o)
	case "downlist":
		fn = FnDownlist
		msg, err = Downlist{OldMembers: uint32(num(t, d, "old", 0)), Left: ids(t, d.arg("left", ""))}.encode(o)
	case "downlist-old":
		fn = FnDownlistOld
		msg, err = DownlistOld{Left: ids(t, d.arg("left", ""))}.encode(o)
	case "bytes":
		// A message of the given fn whose size field says size but that
		// holds only len bytes: malformed on purpose.
		fn = uint16(num(t, d, "id", required))
		msg = make([]byte, num(t, d, "len", required))
		if len(msg) >= 16 {
			o.PutUint32(msg, uint32(service.CPG)<<16|uint32(fn))
			o.PutUint32(msg[8:], uint32(num(t, d, "size", uint64(len(msg)))))
		}
	default:
		t.Fatalf("%s: unknown raw fn %q", d.pos, d.arg("fn", ""))
	}
	if err != nil {
		t.Fatalf("%s: %v", d.pos, err)
	}
	ring, ok := c.foreign[from]
	if !ok {
		ring = c.node(from).ring
	}
	c.bus = append(c.bus, busMsg{from: from, ring: ring, fn: fn, msg: msg, be: be})
}

func TestInteraction(t *testing.T) {
	walkScripts(t, func(t *testing.T, path string) {
		c := newCluster(t)
		runScript(t, path, c.run)
	})
}
