package evs

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	api "goais/client/evs"
	"goais/internal/svcharness"
	"goais/ipc"
	"goais/service"
	"goais/totem"
)

// cluster is the bench of the interaction scripts (see
// internal/svcharness): EVS instances fed ONE ordered stream of exec
// messages by a fake bus, with fake connections that turn every response
// and callback into a transcript line, decoded with the client library's
// decoders as a real client would.
type cluster struct {
	*svcharness.Cluster[*instance]
}

// instance is a node's EVS and its library connections.
type instance struct {
	*EVS
	conns map[uint64]*fakeConn
	reqID uint32 // of the last request
}

func newCluster(t *testing.T) *cluster {
	c := new(cluster)
	c.Cluster = svcharness.New[*instance](t, svcharness.Config{
		Message:  Message,
		Describe: describe,
		Refused:  func(uint16) string { return "env: queue full, try again" },
		Commands: c.command,
	})
	return c
}

// fakeConn is a library connection of node that records what it receives.
type fakeConn struct {
	svcharness.Conn
	c    *cluster
	node service.NodeID
}

func (f *fakeConn) Respond(_ uint32, fn uint16, status ipc.Status, body []byte) {
	line := fmt.Sprintf("c%d %s: %s", f.ConnID, fnName(fn), api.StatusName(status))
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
	f.c.Say(f.node, "%s", line)
}

func (f *fakeConn) Callback(fn uint16, body []byte) {
	switch fn {
	case api.CallbackDeliver:
		d, err := api.DecodeDeliver(body)
		if err != nil {
			f.c.Say(f.node, "c%d undecodable delivery: %v", f.ConnID, err)
			return
		}
		f.c.Say(f.node, "c%d deliver from %d: %s", f.ConnID, d.Sender, svcharness.Payload(d.Msg))
	case api.CallbackConfChg:
		cc, err := api.DecodeConfChg(body)
		if err != nil {
			f.c.Say(f.node, "c%d undecodable confchg: %v", f.ConnID, err)
			return
		}
		f.c.Say(f.node, "c%d confchg %s members=%v left=%v joined=%v", f.ConnID, cc.Type, cc.Members, cc.Left, cc.Joined)
	default:
		f.c.Say(f.node, "c%d callback fn %d: %x", f.ConnID, fn, body)
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

// conn returns the connection conn=N of the command's node, connecting it
// if new.
func (c *cluster) conn(d *svcharness.Case) (*svcharness.Node[*instance], *fakeConn) {
	n := c.NodeArg(d)
	id := d.Num("conn", 0)
	f, ok := n.Svc.conns[id]
	if !ok {
		f = &fakeConn{svcharness.Conn{ConnID: id, PID: 1000 + int(id)}, c, n.ID}
		n.Svc.conns[id] = f
		n.Svc.LibConnect(f)
	}
	return n, f
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
	return fmt.Sprintf("MCAST%s groups=%s guarantee=%s msg=%s", order, fmtGroups(m.Groups), m.Guarantee, svcharness.Payload(m.Msg))
}

// fmtGroups lists up to 8 groups; longer lists by their ends and count.
func fmtGroups(gs []api.Group) string {
	if len(gs) <= 8 {
		return fmt.Sprint(gs)
	}
	return fmt.Sprintf("%v … %v (%d)", gs[:3], gs[len(gs)-2:], len(gs))
}

// groupsArg reads groups=(a,b) as zero-padded names, x:<hex> as raw keys,
// and count=N as N more groups <prefix>1…<prefix>N (prefix=, default g).
func groupsArg(d *svcharness.Case) []api.Group {
	a, _ := d.Arg("groups")
	var gs []api.Group
	for _, v := range a.Vals {
		if h, ok := strings.CutPrefix(v, "x:"); ok {
			raw, err := hex.DecodeString(h)
			if err != nil || len(raw) > api.GroupSize {
				d.Failf("bad hex group %q", v)
			}
			var g api.Group
			copy(g[:], raw)
			gs = append(gs, g)
			continue
		}
		g, err := api.NewGroup(v)
		if err != nil {
			d.Failf("%v", err)
		}
		gs = append(gs, g)
	}
	prefix, ok := d.Value("prefix")
	if !ok {
		prefix = "g"
	}
	for i := uint64(1); i <= d.Num("count", 0); i++ {
		gs = append(gs, api.MustGroup(fmt.Sprintf("%s%d", prefix, i)))
	}
	return gs
}

// msgArg reads msg=text or size=N.
func msgArg(d *svcharness.Case) []byte {
	if v, ok := d.Value("msg"); ok {
		return []byte(v)
	}
	if d.Has("size") {
		return svcharness.Pattern(int(d.Num("size", 0)))
	}
	return nil
}

func guaranteeArg(d *svcharness.Case) api.Guarantee {
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
		d.Failf("guarantee %q", v)
	}
	return api.Guarantee(i)
}

// command runs one of EVS's own script commands; false if d is none.
func (c *cluster) command(d *svcharness.Case) bool {
	switch d.Cmd {
	case "nodes":
		for _, id := range d.IDs("ids") {
			c.Add(id, func(n *svcharness.Node[*instance]) *instance {
				return &instance{EVS: New(n, nil), conns: make(map[uint64]*fakeConn)}
			})
		}
	case "crash":
		c.Remove(service.NodeID(d.Need("node")))
	case "connect":
		c.conn(d)
	case "disconnect":
		n := c.NodeArg(d)
		id := d.Num("conn", 0)
		f, ok := n.Svc.conns[id]
		if !ok {
			d.Failf("no conn %d", id)
		}
		delete(n.Svc.conns, id)
		n.Svc.LibDisconnect(f)
	case "join", "leave":
		n, f := c.conn(d)
		fn := api.FnJoin
		if d.Cmd == "leave" {
			fn = api.FnLeave
		}
		c.request(n, f, fn, api.AppendGroups(nil, groupsArg(d)))
	case "mcast":
		n, f := c.conn(d)
		c.request(n, f, api.FnMcastJoined, api.AppendMcastJoined(nil, guaranteeArg(d), msgArg(d)))
	case "mcast-groups":
		n, f := c.conn(d)
		c.request(n, f, api.FnMcastGroups, api.AppendMcastGroups(nil, guaranteeArg(d), groupsArg(d), msgArg(d)))
	case "membership":
		n, f := c.conn(d)
		c.request(n, f, api.FnMembershipGet, nil)
	case "request":
		n, f := c.conn(d)
		h, _ := d.Value("hex")
		body, err := hex.DecodeString(h)
		if err != nil {
			d.Failf("hex: %v", err)
		}
		c.request(n, f, uint16(d.Num("fn", 0)), body)
	case "confchg":
		cc := totem.ConfigChange{Type: totem.Regular, Members: d.IDs("members"),
			Left: d.IDs("left"), Joined: d.IDs("joined")}
		if v, _ := d.Value("type"); v == "transitional" {
			cc.Type = totem.Transitional
		}
		targets := d.IDs("nodes")
		for _, n := range c.Nodes {
			if len(targets) == 0 || slices.Contains(targets, n.ID) {
				// The engine opens the sync window before every
				// configuration change reaches the services.
				n.Svc.SetSyncing(true)
				n.Svc.ConfigChange(cc)
			}
		}
	case "syncing":
		on := d.Has("on")
		if !on && !d.Has("off") {
			d.Failf("syncing on|off")
		}
		targets := d.IDs("nodes")
		for _, n := range c.Nodes {
			if len(targets) == 0 || slices.Contains(targets, n.ID) {
				n.Svc.SetSyncing(on)
			}
		}
	case "refuse":
		// The node's next n Mcasts (1 by default) find the queue full.
		c.NodeArg(d).Refuse = slices.Repeat([]bool{true}, int(d.Num("n", 1)))
	case "inject":
		c.inject(d)
	case "stats":
		for _, n := range c.Nodes {
			s := n.Svc.Stats()
			var conns []string
			for _, cl := range n.Svc.clients {
				conns = append(conns, fmt.Sprintf("c%d%s", cl.conn.ID(), fmtGroups(cl.groups)))
			}
			c.Say(n.ID, "sent=%d delivered=%d callbacks=%d dropped=%d members=%v conns=[%s]",
				s.Sent, s.Delivered, s.Callbacks, s.Dropped, n.Svc.Members(), strings.Join(conns, " "))
		}
	default:
		return false
	}
	return true
}

// request sends one library request on connection f of node n.
func (c *cluster) request(n *svcharness.Node[*instance], f *fakeConn, fn uint16, body []byte) {
	n.Svc.reqID++
	n.Svc.LibRequest(f, n.Svc.reqID, fn, body)
}

// inject puts an exec message on the bus as a peer would send it: raw
// (hex=…) or encoded from groups, msg and guarantee, big-endian with be.
func (c *cluster) inject(d *svcharness.Case) {
	from := service.NodeID(d.Num("from", 0))
	fn := uint16(d.Num("fn", uint64(FnMcast)))
	be := d.Has("be")
	var msg []byte
	if h, ok := d.Value("hex"); ok {
		raw, err := hex.DecodeString(h)
		if err != nil {
			d.Failf("hex: %v", err)
		}
		msg = raw
	} else {
		o := svcharness.Order(be)
		msg = encodeMcast(o, Mcast{Guarantee: guaranteeArg(d), Groups: groupsArg(d), Msg: msgArg(d)})
		if fn != FnMcast {
			o.PutUint32(msg[0:], uint32(service.EVS)<<16|uint32(fn))
		}
	}
	c.Queue(svcharness.Msg{From: from, Fn: fn, Msg: msg, BE: be})
}

func TestScripts(t *testing.T) {
	svcharness.Run(t, func(t *testing.T) func(*svcharness.Case) string { return newCluster(t).Do })
}
