package evs

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	api "goais/client/evs"
	"goais/internal/datadriven"
	"goais/ipc"
	"goais/service"
	"goais/totem"
)

// cluster is the bench of the interaction scripts: EVS instances fed ONE
// ordered stream of exec messages by a fake bus, with fake connections
// that turn every response and callback into a transcript line, decoded
// with the client library's decoders as a real client would.
type cluster struct {
	t     *testing.T
	nodes []*node // ascending id
	bus   []busMsg

	busOut []string
	out    map[service.NodeID][]string
}

type busMsg struct {
	from service.NodeID
	fn   uint16
	msg  []byte // header included
	be   bool
}

// node is one EVS instance and its Env.
type node struct {
	c      *cluster
	id     service.NodeID
	evs    *EVS
	conns  map[uint64]*fakeConn
	refuse int // the next refuse Mcasts return ErrTryAgain
	reqID  uint32
}

func (n *node) NodeID() service.NodeID { return n.id }

func (n *node) Mcast(fn uint16, body []byte) error {
	if n.refuse > 0 {
		n.refuse--
		n.c.say(n.id, "env: queue full, try again")
		return service.ErrTryAgain
	}
	n.c.bus = append(n.c.bus, busMsg{from: n.id, fn: fn, msg: Message(fn, body)})
	return nil
}

// fakeConn is a library connection that records what it receives.
type fakeConn struct {
	n  *node
	id uint64
}

func (f *fakeConn) ID() uint64     { return f.id }
func (f *fakeConn) Cred() ipc.Cred { return ipc.Cred{PID: 1000 + int(f.id)} }
func (f *fakeConn) Backlog() int   { return 0 }

func (f *fakeConn) Respond(_ uint32, fn uint16, status ipc.Status, body []byte) {
	line := fmt.Sprintf("c%d %s: %s", f.id, fnName(fn), api.StatusName(status))
	if fn == api.FnMembershipGet && status == ipc.StatusOK {
		local, members, err := api.DecodeMembership(body)
		if err != nil {
			line += " undecodable: " + err.Error()
		} else {
			line += fmt.Sprintf(" local=%d members=%v", local, members)
		}
	} else if len(body) > 0 {
		line += fmt.Sprintf(" unexpected body %x", body)
	}
	f.n.c.say(f.n.id, "%s", line)
}

func (f *fakeConn) Callback(fn uint16, body []byte) {
	switch fn {
	case api.CallbackDeliver:
		d, err := api.DecodeDeliver(body)
		if err != nil {
			f.n.c.say(f.n.id, "c%d undecodable delivery: %v", f.id, err)
			return
		}
		f.n.c.say(f.n.id, "c%d deliver from %d: %s", f.id, d.Sender, fmtPayload(d.Msg))
	case api.CallbackConfChg:
		cc, err := api.DecodeConfChg(body)
		if err != nil {
			f.n.c.say(f.n.id, "c%d undecodable confchg: %v", f.id, err)
			return
		}
		f.n.c.say(f.n.id, "c%d confchg %s members=%v left=%v joined=%v", f.id, cc.Type, cc.Members, cc.Left, cc.Joined)
	default:
		f.n.c.say(f.n.id, "c%d callback fn %d: %x", f.id, fn, body)
	}
}

func fnName(fn uint16) string {
	switch fn {
	case api.FnJoin:
		return "join"
	case api.FnLeave:
		return "leave"
	case api.FnMcastJoined:
		return "mcast_joined"
	case api.FnMcastGroups:
		return "mcast_groups"
	case api.FnMembershipGet:
		return "membership_get"
	}
	return fmt.Sprintf("fn %d", fn)
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

// flush returns this command's transcript, the bus trace first, then each
// node's lines in node order.
func (c *cluster) flush() string {
	var b strings.Builder
	for _, l := range c.busOut {
		b.WriteString("bus: " + l + "\n")
	}
	for _, n := range c.nodes {
		for _, l := range c.out[n.id] {
			fmt.Fprintf(&b, "n%d: %s\n", n.id, l)
		}
	}
	c.busOut = nil
	c.out = make(map[service.NodeID][]string)
	return b.String()
}

func (c *cluster) node(d *datadriven.TestData) *node {
	id := service.NodeID(intArg(c.t, d, "node", 0))
	for _, n := range c.nodes {
		if n.id == id {
			return n
		}
	}
	d.Fatalf(c.t, "no node %d", id)
	return nil
}

// conn returns the connection conn=N of the command's node, connecting it
// if new.
func (c *cluster) conn(d *datadriven.TestData) (*node, *fakeConn) {
	n := c.node(d)
	id := uint64(intArg(c.t, d, "conn", 0))
	f, ok := n.conns[id]
	if !ok {
		f = &fakeConn{n: n, id: id}
		n.conns[id] = f
		n.evs.LibConnect(f)
	}
	return n, f
}

// deliver hands every queued message, in order, to every instance.
func (c *cluster) deliver() {
	for len(c.bus) > 0 {
		m := c.bus[0]
		c.bus = c.bus[1:]
		c.busOut = append(c.busOut, fmt.Sprintf("n%d %s", m.from, describe(m.fn, m.msg, m.be)))
		for _, n := range c.nodes {
			n.evs.Deliver(m.from, m.fn, m.msg, m.be)
		}
	}
}

// describe renders an exec message for the bus trace.
func describe(fn uint16, msg []byte, be bool) string {
	if fn != FnMcast {
		return fmt.Sprintf("fn %d (%d bytes)", fn, len(msg))
	}
	m, err := DecodeMcast(msg, be)
	if err != nil {
		return "MCAST malformed: " + err.Error()
	}
	order := ""
	if be {
		order = " big-endian"
	}
	return fmt.Sprintf("MCAST%s groups=%s guarantee=%s msg=%s", order, fmtGroups(m.Groups), m.Guarantee, fmtPayload(m.Msg))
}

// fmtGroups lists up to 8 groups; longer lists by their ends and count.
func fmtGroups(gs []api.Group) string {
	if len(gs) <= 8 {
		return fmt.Sprint(gs)
	}
	return fmt.Sprintf("%v … %v (%d)", gs[:3], gs[len(gs)-2:], len(gs))
}

func intArg(t *testing.T, d *datadriven.TestData, key string, def int) int {
	v, ok := d.Value(key)
	if !ok {
		return def
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		d.Fatalf(t, "%s=%q: %v", key, v, err)
	}
	return i
}

func nodeList(t *testing.T, d *datadriven.TestData, key string) []service.NodeID {
	a, _ := d.Arg(key)
	var ids []service.NodeID
	for _, v := range a.Vals {
		i, err := strconv.Atoi(v)
		if err != nil {
			d.Fatalf(t, "%s: %q: %v", key, v, err)
		}
		ids = append(ids, service.NodeID(i))
	}
	return ids
}

// groupsArg reads groups=(a,b) as zero-padded names, x:<hex> as raw keys,
// and count=N as N more groups <prefix>1…<prefix>N (prefix=, default g).
func groupsArg(t *testing.T, d *datadriven.TestData) []api.Group {
	a, _ := d.Arg("groups")
	var gs []api.Group
	for _, v := range a.Vals {
		if h, ok := strings.CutPrefix(v, "x:"); ok {
			raw, err := hex.DecodeString(h)
			if err != nil || len(raw) > api.GroupSize {
				d.Fatalf(t, "bad hex group %q", v)
			}
			var g api.Group
			copy(g[:], raw)
			gs = append(gs, g)
			continue
		}
		g, err := api.NewGroup(v)
		if err != nil {
			d.Fatalf(t, "%v", err)
		}
		gs = append(gs, g)
	}
	prefix, ok := d.Value("prefix")
	if !ok {
		prefix = "g"
	}
	for i := 1; i <= intArg(t, d, "count", 0); i++ {
		gs = append(gs, api.MustGroup(fmt.Sprintf("%s%d", prefix, i)))
	}
	return gs
}

// msgArg reads msg=text or size=N.
func msgArg(t *testing.T, d *datadriven.TestData) []byte {
	if v, ok := d.Value("msg"); ok {
		return []byte(v)
	}
	if d.Has("size") {
		return pattern(intArg(t, d, "size", 0))
	}
	return nil
}

func guaranteeArg(t *testing.T, d *datadriven.TestData) api.Guarantee {
	v, ok := d.Value("guarantee")
	if !ok {
		return api.Agreed
	}
	for g := api.Unordered; g <= api.Safe; g++ {
		if g.String() == v {
			return g
		}
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		d.Fatalf(t, "guarantee %q", v)
	}
	return api.Guarantee(i)
}

// run executes one command and returns its transcript.
func (c *cluster) run(d *datadriven.TestData) string {
	t := c.t
	switch d.Cmd {
	case "nodes":
		for _, id := range nodeList(t, d, "ids") {
			n := &node{c: c, id: id, conns: make(map[uint64]*fakeConn)}
			n.evs = New(n, nil)
			c.nodes = append(c.nodes, n)
		}
		slices.SortFunc(c.nodes, func(a, b *node) int { return int(a.id) - int(b.id) })
	case "crash":
		n := c.node(d)
		c.nodes = slices.DeleteFunc(c.nodes, func(x *node) bool { return x == n })
	case "connect":
		c.conn(d)
	case "disconnect":
		n := c.node(d)
		id := uint64(intArg(t, d, "conn", 0))
		f, ok := n.conns[id]
		if !ok {
			d.Fatalf(t, "no conn %d", id)
		}
		delete(n.conns, id)
		n.evs.LibDisconnect(f)
	case "join", "leave":
		n, f := c.conn(d)
		fn := api.FnJoin
		if d.Cmd == "leave" {
			fn = api.FnLeave
		}
		c.request(n, f, fn, api.AppendGroups(nil, groupsArg(t, d)))
	case "mcast":
		n, f := c.conn(d)
		c.request(n, f, api.FnMcastJoined, api.AppendMcastJoined(nil, guaranteeArg(t, d), msgArg(t, d)))
	case "mcast-groups":
		n, f := c.conn(d)
		c.request(n, f, api.FnMcastGroups, api.AppendMcastGroups(nil, guaranteeArg(t, d), groupsArg(t, d), msgArg(t, d)))
	case "membership":
		n, f := c.conn(d)
		c.request(n, f, api.FnMembershipGet, nil)
	case "request":
		n, f := c.conn(d)
		h, _ := d.Value("hex")
		body, err := hex.DecodeString(h)
		if err != nil {
			d.Fatalf(t, "hex: %v", err)
		}
		c.request(n, f, uint16(intArg(t, d, "fn", 0)), body)
	case "confchg":
		cc := totem.ConfigChange{Type: totem.Regular, Members: nodeList(t, d, "members"),
			Left: nodeList(t, d, "left"), Joined: nodeList(t, d, "joined")}
		if v, _ := d.Value("type"); v == "transitional" {
			cc.Type = totem.Transitional
		}
		targets := nodeList(t, d, "nodes")
		for _, n := range c.nodes {
			if len(targets) == 0 || slices.Contains(targets, n.id) {
				// The engine opens the sync window before every
				// configuration change reaches the services.
				n.evs.SetSyncing(true)
				n.evs.ConfigChange(cc)
			}
		}
	case "syncing":
		on := d.Has("on")
		if !on && !d.Has("off") {
			d.Fatalf(t, "syncing on|off")
		}
		targets := nodeList(t, d, "nodes")
		for _, n := range c.nodes {
			if len(targets) == 0 || slices.Contains(targets, n.id) {
				n.evs.SetSyncing(on)
			}
		}
	case "refuse":
		c.node(d).refuse = intArg(t, d, "n", 1)
	case "deliver":
		c.deliver()
	case "inject":
		c.inject(d)
	case "stats":
		for _, n := range c.nodes {
			s := n.evs.Stats()
			var conns []string
			for _, cl := range n.evs.clients {
				conns = append(conns, fmt.Sprintf("c%d%s", cl.conn.ID(), fmtGroups(cl.groups)))
			}
			c.say(n.id, "sent=%d delivered=%d callbacks=%d dropped=%d members=%v conns=[%s]",
				s.Sent, s.Delivered, s.Callbacks, s.Dropped, n.evs.Members(), strings.Join(conns, " "))
		}
	default:
		d.Fatalf(t, "unknown command")
	}
	return c.flush()
}

func (c *cluster) request(n *node, f *fakeConn, fn uint16, body []byte) {
	n.reqID++
	n.evs.LibRequest(f, n.reqID, fn, body)
}

// inject puts an exec message on the bus as a peer would send it: raw
// (hex=…) or encoded from groups, msg and guarantee, big-endian with be.
func (c *cluster) inject(d *datadriven.TestData) {
	t := c.t
	from := service.NodeID(intArg(t, d, "from", 0))
	fn := uint16(intArg(t, d, "fn", int(FnMcast)))
	be := d.Has("be")
	var msg []byte
	if h, ok := d.Value("hex"); ok {
		raw, err := hex.DecodeString(h)
		if err != nil {
			d.Fatalf(t, "hex: %v", err)
		}
		msg = raw
	} else {
		var o binary.ByteOrder = binary.LittleEndian
		if be {
			o = binary.BigEndian
		}
		msg = encodeMcast(o, Mcast{Guarantee: guaranteeArg(t, d), Groups: groupsArg(t, d), Msg: msgArg(t, d)})
		if fn != FnMcast {
			o.PutUint32(msg[0:], uint32(service.EVS)<<16|uint32(fn))
		}
	}
	c.bus = append(c.bus, busMsg{from: from, fn: fn, msg: msg, be: be})
}

func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		c := &cluster{t: t, out: make(map[service.NodeID][]string)}
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			return c.run(d)
		})
	})
}
