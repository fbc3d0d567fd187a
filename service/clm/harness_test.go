package clm

import (
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
	"goais/internal/svcharness"
	"goais/ipc"
	"goais/service"
)

// cluster is the bench of the interaction scripts (see
// internal/svcharness): CLM instances on a fake bus, driven through sync
// rounds in the engine's order, and fake library connections whose
// responses and callbacks become transcript lines. Foreign members
// (corosync nodes) are ring members without an instance, whose messages
// the script may inject byte for byte.
type cluster struct {
	*svcharness.Cluster[*instance]
	known map[service.NodeID]bool // what Lookup knows
}

// instance is a node's CLM with its boot time and library connections.
type instance struct {
	*CLM
	boot  time.Time
	conns map[uint64]*fakeConn
	reqs  uint32 // requests sent, for their ids
}

// base is the epoch of the scripts' boot times: node n first boots at
// base + n seconds.
var base = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func newCluster(t *testing.T) *cluster {
	c := &cluster{known: make(map[service.NodeID]bool)}
	c.Cluster = svcharness.New[*instance](t, svcharness.Config{
		Message:  Message,
		Describe: describe,
		Refused:  func(fn uint16) string { return fmt.Sprintf("env: %s refused, try again", FnName(fn)) },
		Raw:      raw,
		LogLevel: slog.LevelWarn,
		Commands: c.command,
		Check:    c.check,
	})
	return c
}

func addrOf(id service.NodeID) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, 0, byte(id)}) }

// start returns how to build the instance of a node booted at boot.
func (c *cluster) start(boot time.Time) func(n *svcharness.Node[*instance]) *instance {
	return func(n *svcharness.Node[*instance]) *instance {
		id := n.ID
		return &instance{New(n, Config{
			Self: NodeInfo{Address: addrOf(id), Name: fmt.Sprintf("node%d", id), BootTime: boot},
			Lookup: func(x service.NodeID) (NodeInfo, bool) {
				if !c.known[x] {
					return NodeInfo{}, false
				}
				return NodeInfo{Address: addrOf(x), Name: fmt.Sprintf("cfg%d", x)}, true
			},
		}, c.Logger(id)), boot, make(map[uint64]*fakeConn), 0}
	}
}

// fakeConn is a library connection of node; what the service sends it
// becomes transcript lines.
type fakeConn struct {
	svcharness.Conn
	c    *cluster
	node service.NodeID
}

func (c *cluster) newConn(node service.NodeID, id uint64) *fakeConn {
	return &fakeConn{svcharness.Conn{ConnID: id, PID: 1000 + int(id)}, c, node}
}

func (f *fakeConn) Respond(reqID uint32, fn uint16, status ipc.Status, body []byte) {
	s := fmt.Sprintf("c%d %s: %v", f.ConnID, fnName(fn), status)
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
	f.c.Say(f.node, "%s", s)
}

func (f *fakeConn) Callback(fn uint16, body []byte) {
	switch fn {
	case clmapi.CbTrack:
		cb, err := clmapi.DecodeTrackCallback(body)
		if err != nil {
			f.c.Say(f.node, "c%d track callback undecodable: %v", f.ConnID, err)
			return
		}
		f.c.Say(f.node, "c%d track callback %v members=%d %s", f.ConnID, cb.Status, cb.NumberOfMembers, fmtBuffer(cb.Buffer))
	case clmapi.CbNodeGet:
		cb, err := clmapi.DecodeNodeGetCallback(body)
		if err != nil {
			f.c.Say(f.node, "c%d node get callback undecodable: %v", f.ConnID, err)
			return
		}
		s := fmt.Sprintf("c%d node get callback inv=%d %v", f.ConnID, cb.Invocation, cb.Status)
		if cb.Status == ipc.StatusOK {
			s += " " + fmtNode(cb.Node)
		}
		f.c.Say(f.node, "%s", s)
	default:
		f.c.Say(f.node, "c%d callback fn %d: %x", f.ConnID, fn, body)
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

// check asserts what every quiet moment must show: nodes in the same ring
// that adopted it agree on the view, and every view lists the ring's
// members.
func (c *cluster) check(pos string) {
	if !c.Quiet() {
		return
	}
	views := make(map[service.RingID]string)
	owner := make(map[service.RingID]service.NodeID)
	for _, n := range c.Nodes {
		view, nodes, ok := n.Svc.View()
		if !ok || view != n.Ring.Seq/4 {
			continue // not adopted (an interrupted round)
		}
		var ids []service.NodeID
		for _, x := range nodes {
			ids = append(ids, x.ID)
		}
		if !slices.Equal(ids, n.Members) {
			c.T.Fatalf("%s: node %d: view %d lists %v, the ring has %v", pos, n.ID, view, ids, n.Members)
		}
		v := fmt.Sprint(view, nodes)
		if w, ok := views[n.Ring]; ok && w != v {
			c.T.Fatalf("%s: nodes %d and %d of ring %v disagree:\n%s\n%s", pos, owner[n.Ring], n.ID, n.Ring, w, v)
		}
		views[n.Ring], owner[n.Ring] = v, n.ID
	}
}

// trackFlags reads flags=current,changes,changes-only or a number.
func trackFlags(d *svcharness.Case) clmapi.TrackFlags {
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
				d.Failf("bad flag %q", v)
			}
			f |= clmapi.TrackFlags(n)
		}
	}
	return f
}

// request sends one library request on a node's connection conn=N,
// which the request opens if it is new.
func (c *cluster) request(d *svcharness.Case, fn uint16, body []byte) {
	n := c.NodeArg(d)
	id := d.Need("conn")
	fc, ok := n.Svc.conns[id]
	if !ok {
		fc = c.newConn(n.ID, id)
		n.Svc.conns[id] = fc
	}
	n.Svc.reqs++
	n.Svc.LibRequest(fc, n.Svc.reqs, fn, body)
}

// command runs one of CLM's own script commands; false if d is none.
func (c *cluster) command(d *svcharness.Case) bool {
	switch d.Cmd {
	case "nodes":
		for _, id := range d.IDs("ids") {
			c.Add(id, c.start(base.Add(time.Duration(id)*time.Second)))
		}
		c.AddForeign(d.IDs("foreign")...)
		for _, id := range d.IDs("known") {
			c.known[id] = true
		}
	case "restart":
		// The node's executive restarts: a fresh instance, a later boot
		// time, no ring and no clients.
		id := service.NodeID(d.Need("node"))
		c.Restart(id, c.start(c.Node(id).Svc.boot.Add(100*time.Second)))
	case "connect":
		n := c.NodeArg(d)
		id := d.Need("conn")
		fc := c.newConn(n.ID, id)
		n.Svc.conns[id] = fc
		n.Svc.LibConnect(fc)
	case "disconnect":
		n := c.NodeArg(d)
		id := d.Need("conn")
		n.Svc.LibDisconnect(n.Svc.conns[id])
		delete(n.Svc.conns, id)
	case "track":
		c.request(d, clmapi.FnTrack, clmapi.AppendTrackRequest(nil, trackFlags(d), d.Has("buffer")))
	case "stop":
		c.request(d, clmapi.FnTrackStop, nil)
	case "get":
		c.request(d, clmapi.FnNodeGet, clmapi.AppendNodeGetRequest(nil, clmapi.NodeID(d.Need("id"))))
	case "getasync":
		c.request(d, clmapi.FnNodeGetAsync, clmapi.AppendNodeGetAsyncRequest(nil,
			clmapi.Invocation(d.Need("inv")), clmapi.NodeID(d.Need("id"))))
	case "request":
		body, err := hex.DecodeString(d.Str("hex", ""))
		if err != nil {
			d.Failf("bad hex: %v", err)
		}
		c.request(d, uint16(d.Need("fn")), body)
	case "view":
		for _, n := range c.Nodes {
			view, nodes, ok := n.Svc.View()
			if !ok {
				c.Say(n.ID, "no view")
				continue
			}
			parts := make([]string, len(nodes))
			for i, x := range nodes {
				parts[i] = fmtNode(x.ClusterNode(true))
			}
			s := fmt.Sprintf("view %d [%s]", view, strings.Join(parts, ", "))
			if st := n.Svc.Stats(); st != (Stats{}) {
				s += fmt.Sprintf(" malformed=%d stale=%d bad-requests=%d", st.Malformed, st.Stale, st.BadRequests)
			}
			c.Say(n.ID, "%s", s)
		}
	default:
		return false
	}
	return true
}

// raw builds the exec message of a "raw" command as node from sends it,
// in byte order o (be):
//
//	raw from=N [kind=nodejoin] [id=I] [name=S] [addr=A] [boot=SECONDS] [iv=V]
//	raw from=N kind=bytes len=L [size=S] [fn=F]
func raw(d *svcharness.Case, from service.NodeID, o binary.ByteOrder) (uint16, []byte) {
	var msg []byte
	fn := uint16(d.Num("fn", 0))
	switch d.Str("kind", "nodejoin") {
	case "nodejoin":
		n := Node{ID: service.NodeID(d.Num("id", uint64(from))), Name: d.Str("name", ""), InitialView: d.Num("iv", 0)}
		if s := d.Str("addr", ""); s != "" {
			n.Address = netip.MustParseAddr(s)
		}
		if d.Has("boot") {
			n.BootTime = base.Add(time.Duration(d.Num("boot", 0)) * time.Second)
		}
		var err error
		if msg, err = n.encode(o); err != nil {
			d.Failf("%v", err)
		}
		fn = FnNodeJoin
	case "bytes":
		// A message whose size field says size but that holds len
		// bytes: malformed on purpose.
		msg = d.Sized(o, service.CLM, fn)
	default:
		d.Failf("unknown kind")
	}
	return fn, msg
}

func TestInteraction(t *testing.T) {
	svcharness.Run(t, func(t *testing.T) func(*svcharness.Case) string { return newCluster(t).Do })
}
