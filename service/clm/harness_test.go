package clm

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	clmapi "goais/client/clm"
	"goais/internal/datadriven"
	"goais/ipc"
	"goais/service"
	"goais/totem"
)

// cluster is the bench of the interaction scripts: CLM instances fed one
// ordered stream of exec messages per ring by a fake bus, a scripted sync
// driver that calls ConfigChange, SyncInit, SyncProcess and SyncActivate
// in the engine's order, and fake library connections whose responses and
// callbacks become transcript lines. "Foreign" members are ring members
// without an instance (corosync nodes), whose messages the script may
// inject byte for byte.
type cluster struct {
	t        *testing.T
	nodes    []*node // ascending id
	foreign  map[service.NodeID]service.RingID
	known    map[service.NodeID]bool // what Lookup knows
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
	clm     *CLM
	boot    time.Time
	ring    service.RingID
	members []service.NodeID
	script  []bool // outcomes of the next Mcasts: true refuses
	conns   map[uint64]*fakeConn
}

// base is the epoch of the scripts' boot times: node n first boots at
// base + n seconds.
var base = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func newCluster(t *testing.T) *cluster {
	return &cluster{t: t, foreign: make(map[service.NodeID]service.RingID), known: make(map[service.NodeID]bool),
		logLevel: slog.LevelWarn, out: make(map[service.NodeID][]string)}
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

func addrOf(id service.NodeID) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, 0, byte(id)}) }

// start creates (or restarts) the instance of node id.
func (c *cluster) start(id service.NodeID, boot time.Time) *node {
	n := &node{c: c, id: id, boot: boot, conns: make(map[uint64]*fakeConn)}
	n.clm = New(n, Config{
		Self: NodeInfo{Address: addrOf(id), Name: fmt.Sprintf("node%d", id), BootTime: boot},
		Lookup: func(x service.NodeID) (NodeInfo, bool) {
			if !c.known[x] {
				return NodeInfo{}, false
			}
			return NodeInfo{Address: addrOf(x), Name: fmt.Sprintf("cfg%d", x)}, true
		},
	}, slog.New(logHandler{c, id}))
	return n
}

// fakeConn is a library connection; what the service sends it becomes
// transcript lines.
type fakeConn struct {
	n  *node
	id uint64
}

func (f *fakeConn) ID() uint64     { return f.id }
func (f *fakeConn) Cred() ipc.Cred { return ipc.Cred{PID: 1000 + int(f.id)} }
func (f *fakeConn) Backlog() int   { return 0 }

func (f *fakeConn) Respond(reqID uint32, fn uint16, status ipc.Status, body []byte) {
	s := fmt.Sprintf("c%d %s: %v", f.id, fnName(fn), status)
	if len(body) > 0 {
		switch fn {
		case clmapi.FnTrack:
			buf, err := clmapi.DecodeBuffer(body)
			s += " " + fmtBufferOrErr(buf, err)
		case clmapi.FnNodeGet:
			n, err := clmapi.DecodeNode(body)
			if err != nil {
				s += " undecodable: " + err.Error()
			} else {
				s += " " + fmtNode(n)
			}
		default:
			s += fmt.Sprintf(" body %x", body)
		}
	}
	f.n.c.say(f.n.id, "%s", s)
}

func (f *fakeConn) Callback(fn uint16, body []byte) {
	switch fn {
	case clmapi.CbTrack:
		cb, err := clmapi.DecodeTrackCallback(body)
		if err != nil {
			f.n.c.say(f.n.id, "c%d track callback undecodable: %v", f.id, err)
			return
		}
		f.n.c.say(f.n.id, "c%d track callback %v members=%d %s", f.id, cb.Status, cb.NumberOfMembers, fmtBuffer(cb.Buffer))
	case clmapi.CbNodeGet:
		cb, err := clmapi.DecodeNodeGetCallback(body)
		if err != nil {
			f.n.c.say(f.n.id, "c%d node get callback undecodable: %v", f.id, err)
			return
		}
		s := fmt.Sprintf("c%d node get callback inv=%d %v", f.id, cb.Invocation, cb.Status)
		if cb.Status == ipc.StatusOK {
			s += " " + fmtNode(cb.Node)
		}
		f.n.c.say(f.n.id, "%s", s)
	default:
		f.n.c.say(f.n.id, "c%d callback fn %d: %x", f.id, fn, body)
	}
}

func fnName(fn uint16) string {
	switch fn {
	case clmapi.FnTrack:
		return "track"
	case clmapi.FnTrackStop:
		return "track stop"
	case clmapi.FnNodeGet:
		return "node get"
	case clmapi.FnNodeGetAsync:
		return "node get async"
	}
	return fmt.Sprintf("fn %d", fn)
}

// fmtNode renders a node compactly: id, name, address, boot time as
// seconds after base, initial view, and "left" for a non-member.
func fmtNode(n clmapi.ClusterNode) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d(%q", n.NodeID, n.NodeName)
	if n.NodeAddress.Family != clmapi.AddressNone {
		fmt.Fprintf(&b, " %v %s", n.NodeAddress.Family, n.NodeAddress.Value)
	} else {
		b.WriteString(" no-address")
	}
	if !n.BootTimestamp.IsZero() {
		fmt.Fprintf(&b, " boot=%s", n.BootTimestamp.Sub(base))
	}
	fmt.Fprintf(&b, " iv=%d", n.InitialViewNumber)
	if !n.Member {
		b.WriteString(" non-member")
	}
	b.WriteString(")")
	return b.String()
}

func fmtBuffer(buf clmapi.ClusterNotificationBuffer) string {
	parts := make([]string, len(buf.Notification))
	for i, it := range buf.Notification {
		parts[i] = it.ClusterChange.String() + " " + fmtNode(it.ClusterNode)
	}
	return fmt.Sprintf("view=%d [%s]", buf.ViewNumber, strings.Join(parts, ", "))
}

func fmtBufferOrErr(buf clmapi.ClusterNotificationBuffer, err error) string {
	if err != nil {
		return "undecodable: " + err.Error()
	}
	return fmtBuffer(buf)
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
				n.clm.Deliver(m.from, m.fn, m.msg, m.be)
			}
		}
	}
}

func describe(fn uint16, msg []byte, be bool) string {
	var s string
	if fn == FnNodeJoin {
		n, err := DecodeNodeJoin(msg, be)
		if err != nil {
			s = fmt.Sprintf("NODEJOIN malformed (%d bytes)", len(msg))
		} else {
			s = "NODEJOIN " + fmtNode(n.ClusterNode(true))
		}
	} else {
		s = fmt.Sprintf("%s (%d bytes)", FnName(fn), len(msg))
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
	fmt.Fprintf(&b, "log %s %s", r.Level, strings.ReplaceAll(r.Message, "\t", "    "))
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
// SyncInit. phase=init stops there; otherwise SyncProcess runs on every
// member, in node order, until all are done, queued messages delivered
// between passes; phase=process stops there, before activation.
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
			n.clm.SyncAbort()
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
		n.clm.ConfigChange(totem.ConfigChange{Type: totem.Transitional, Ring: ring, Members: tr})
		n.clm.ConfigChange(totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: ids})
		n.ring, n.members = ring, slices.Clone(ids)
		n.clm.SyncInit(tr, ids, ring)
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
			if !n.clm.SyncProcess() {
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
		n.clm.SyncActivate()
	}
	c.pending = nil
}

// check asserts what every quiet moment must show: nodes in the same ring
// that adopted it agree on the view, and every view lists the ring's
// members.
func (c *cluster) check(pos string) {
	if len(c.bus) > 0 || len(c.pending) > 0 {
		return
	}
	views := make(map[service.RingID]string)
	owner := make(map[service.RingID]service.NodeID)
	for _, n := range c.nodes {
		view, nodes, ok := n.clm.View()
		if !ok || view != n.ring.Seq/4 {
			continue // not adopted (an interrupted round)
		}
		var ids []service.NodeID
		for _, x := range nodes {
			ids = append(ids, x.ID)
		}
		if !slices.Equal(ids, n.members) {
			c.t.Fatalf("%s: node %d: view %d lists %v, the ring has %v", pos, n.id, view, ids, n.members)
		}
		v := fmt.Sprint(view, nodes)
		if w, ok := views[n.ring]; ok && w != v {
			c.t.Fatalf("%s: nodes %d and %d of ring %v disagree:\n%s\n%s", pos, owner[n.ring], n.id, n.ring, w, v)
		}
		views[n.ring], owner[n.ring] = v, n.id
	}
}

// ddCase wraps one script command with the accessors the harness uses.
type ddCase struct {
	*datadriven.TestData
	t *testing.T
}

func (d *ddCase) arg(key, def string) string {
	if !d.Has(key) {
		return def
	}
	v, _ := d.Value(key)
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

// trackFlags reads flags=current,changes,changes-only or a number.
func (d *ddCase) trackFlags() clmapi.TrackFlags {
	a, _ := d.Arg("flags")
	var f clmapi.TrackFlags
	for _, v := range a.Vals {
		switch v {
		case "current":
			f |= clmapi.TrackCurrent
		case "changes":
			f |= clmapi.TrackChanges
		case "changes-only":
			f |= clmapi.TrackChangesOnly
		default:
			n, err := strconv.ParseUint(v, 0, 8)
			if err != nil {
				d.Fatalf(d.t, "bad flag %q", v)
			}
			f |= clmapi.TrackFlags(n)
		}
	}
	return f
}

// request sends one library request on a node's connection.
func (c *cluster) request(d *ddCase, fn uint16, body []byte) {
	n := c.node(service.NodeID(d.num("node", required)))
	id := d.num("conn", required)
	fc, ok := n.conns[id]
	if !ok {
		fc = &fakeConn{n: n, id: id}
		n.conns[id] = fc
	}
	n.clm.LibRequest(fc, uint32(len(c.out)+1), fn, body)
}

// run executes one script command.
func (c *cluster) run(d *ddCase) string {
	switch d.Cmd {
	case "nodes":
		for _, id := range d.ids("ids") {
			c.nodes = append(c.nodes, c.start(id, base.Add(time.Duration(id)*time.Second)))
		}
		slices.SortFunc(c.nodes, func(a, b *node) int { return int(a.id) - int(b.id) })
		for _, id := range d.ids("foreign") {
			c.foreign[id] = service.RingID{}
		}
		for _, id := range d.ids("known") {
			c.known[id] = true
		}
	case "restart":
		// The node's executive restarts: a fresh instance, a later boot
		// time, no ring and no clients.
		old := c.node(service.NodeID(d.num("node", required)))
		n := c.start(old.id, old.boot.Add(100*time.Second))
		c.nodes[slices.Index(c.nodes, old)] = n
		c.pending = slices.DeleteFunc(c.pending, func(p *node) bool { return p == old })
	case "ring":
		c.ring(d.ids("nodes"), d.arg("phase", ""))
	case "activate":
		c.activate()
	case "deliver":
		c.deliver()
	case "log":
		if err := c.logLevel.UnmarshalText([]byte(d.arg("level", "warn"))); err != nil {
			d.Fatalf(c.t, "%v", err)
		}
	case "busy":
		n := c.node(service.NodeID(d.num("node", required)))
		a, _ := d.Arg("script")
		for _, s := range a.Vals {
			n.script = append(n.script, s == "fail")
		}
	case "connect":
		n := c.node(service.NodeID(d.num("node", required)))
		id := d.num("conn", required)
		fc := &fakeConn{n: n, id: id}
		n.conns[id] = fc
		n.clm.LibConnect(fc)
	case "disconnect":
		n := c.node(service.NodeID(d.num("node", required)))
		id := d.num("conn", required)
		n.clm.LibDisconnect(n.conns[id])
		delete(n.conns, id)
	case "track":
		c.request(d, clmapi.FnTrack, clmapi.AppendTrackRequest(nil, d.trackFlags(), d.Has("buffer")))
	case "stop":
		c.request(d, clmapi.FnTrackStop, nil)
	case "get":
		c.request(d, clmapi.FnNodeGet, clmapi.AppendNodeGetRequest(nil, clmapi.NodeID(d.num("id", required))))
	case "getasync":
		c.request(d, clmapi.FnNodeGetAsync, clmapi.AppendNodeGetAsyncRequest(nil,
			clmapi.Invocation(d.num("inv", required)), clmapi.NodeID(d.num("id", required))))
	case "request":
		body, err := hex.DecodeString(d.arg("hex", ""))
		if err != nil {
			d.Fatalf(c.t, "bad hex: %v", err)
		}
		c.request(d, uint16(d.num("fn", required)), body)
	case "view":
		for _, n := range c.nodes {
			view, nodes, ok := n.clm.View()
			if !ok {
				c.say(n.id, "no view")
				continue
			}
			parts := make([]string, len(nodes))
			for i, x := range nodes {
				parts[i] = fmtNode(x.ClusterNode(true))
			}
			s := fmt.Sprintf("view %d [%s]", view, strings.Join(parts, ", "))
			if st := n.clm.Stats(); st != (Stats{}) {
				s += fmt.Sprintf(" malformed=%d stale=%d bad-requests=%d", st.Malformed, st.Stale, st.BadRequests)
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
// script asks for.
func (c *cluster) raw(d *ddCase) {
	from := service.NodeID(d.num("from", required))
	be := d.Has("be")
	var o binary.ByteOrder = binary.LittleEndian
	if be {
		o = binary.BigEndian
	}
	var msg []byte
	fn := uint16(d.num("fn", 0))
	switch d.arg("kind", "nodejoin") {
	case "nodejoin":
		n := Node{ID: service.NodeID(d.num("id", uint64(from))), Name: d.arg("name", ""), InitialView: d.num("iv", 0)}
		if s := d.arg("addr", ""); s != "" {
			n.Address = netip.MustParseAddr(s)
		}
		if d.Has("boot") {
			n.BootTime = base.Add(time.Duration(d.num("boot", 0)) * time.Second)
		}
		var err error
		if msg, err = n.encode(o); err != nil {
			d.Fatalf(c.t, "%v", err)
		}
		fn = FnNodeJoin
	case "bytes":
		// A message whose size field says size but that holds len
		// bytes: malformed on purpose.
		msg = make([]byte, d.num("len", required))
		if len(msg) >= 16 {
			o.PutUint32(msg, uint32(service.CLM)<<16|uint32(fn))
			o.PutUint32(msg[8:], uint32(d.num("size", uint64(len(msg)))))
		}
	default:
		d.Fatalf(c.t, "unknown kind")
	}
	ring, ok := c.foreign[from]
	if !ok {
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
