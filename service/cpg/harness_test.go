package cpg

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"

	"goais/internal/svcharness"
	"goais/service"
)

// cluster is the test bench of the interaction scripts (see
// internal/svcharness): CPG instances on a fake bus, driven through sync
// rounds in corosync's order, whose Clients turn every callback into a
// transcript line.
type cluster struct {
	*svcharness.Cluster[*CPG]
}

func newCluster(t *testing.T) *cluster {
	c := new(cluster)
	c.Cluster = svcharness.New[*CPG](t, svcharness.Config{
		Message:  Message,
		Describe: describe,
		Refused:  func(fn uint16) string { return fmt.Sprintf("env: %s refused, try again", FnName(fn)) },
		Raw:      raw,
		LogLevel: slog.LevelInfo,
		Commands: c.command,
		Check:    c.check,
	})
	return c
}

// clients are the Clients of node id: every callback becomes a line of the
// transcript.
type clients struct {
	c  *cluster
	id service.NodeID
}

func (cl clients) Confchg(client ClientID, group string, members, left, joined []Member) {
	cl.c.Say(cl.id, "c%d confchg %s members=%s left=%s joined=%s", client, group,
		fmtMembers(members), fmtMembers(left), fmtMembers(joined))
}

func (cl clients) Deliver(client ClientID, group string, nodeid service.NodeID, pid uint32, msg []byte) {
	cl.c.Say(cl.id, "c%d deliver %s from %d/%d: %s", client, group, nodeid, pid, svcharness.Payload(msg))
}

func (cl clients) TotemConfchg(client ClientID, ring service.RingID, members []service.NodeID) {
	cl.c.Say(cl.id, "c%d totem ring=%d.%d members=%v", client, ring.Rep, ring.Seq, members)
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

// check asserts what every quiet moment must show: every node's process
// list is sorted, and nodes in the same ring agree on it.
func (c *cluster) check(pos string) {
	if !c.Quiet() {
		return
	}
	views := make(map[service.RingID]string)
	owner := make(map[service.RingID]service.NodeID)
	for _, n := range c.Nodes {
		if !slices.IsSortedFunc(n.Svc.procs, func(a, b process) int {
			if a.node != b.node {
				return int(a.node) - int(b.node)
			}
			return int(a.pid) - int(b.pid)
		}) {
			c.T.Fatalf("%s: node %d: process list not sorted: %+v", pos, n.ID, n.Svc.procs)
		}
		if n.Ring == (service.RingID{}) {
			continue
		}
		v := fmt.Sprint(n.Svc.Groups())
		if w, ok := views[n.Ring]; ok && w != v {
			c.T.Fatalf("%s: nodes %d and %d of ring %v disagree:\n%s\n%s", pos, owner[n.Ring], n.ID, n.Ring, w, v)
		}
		views[n.Ring], owner[n.Ring] = v, n.ID
	}
}

// groupArg is group=NAME, or name-len=N for a name of N bytes.
func groupArg(d *svcharness.Case) string {
	if d.Has("name-len") {
		return strings.Repeat("n", int(d.Need("name-len")))
	}
	return d.Str("group", "")
}

func result(err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return "ok"
}

// command runs one of CPG's own script commands; false if d is none.
func (c *cluster) command(d *svcharness.Case) bool {
	switch d.Cmd {
	case "nodes":
		for _, id := range d.IDs("ids") {
			c.Add(id, func(n *svcharness.Node[*CPG]) *CPG { return New(n, clients{c, id}, c.Logger(id)) })
		}
		c.AddForeign(d.IDs("foreign")...)
	case "syncing":
		c.NodeArg(d).Svc.SetSyncing(d.Has("on"))
	case "flush":
		n := c.NodeArg(d)
		c.Say(n.ID, "flush: %s", result(n.Svc.Flush()))
	case "connect":
		c.NodeArg(d).Svc.Connect(ClientID(d.Need("client")))
	case "join":
		n := c.NodeArg(d)
		cl, pid, g := d.Need("client"), d.Need("pid"), groupArg(d)
		c.Say(n.ID, "join c%d pid=%d %s: %s", cl, pid, g, result(n.Svc.Join(ClientID(cl), uint32(pid), g)))
	case "leave":
		n := c.NodeArg(d)
		cl, g := d.Need("client"), groupArg(d)
		c.Say(n.ID, "leave c%d %s: %s", cl, g, result(n.Svc.Leave(ClientID(cl), g)))
	case "mcast":
		n := c.NodeArg(d)
		cl, g := d.Need("client"), d.Str("group", "")
		msg := []byte(d.Str("msg", ""))
		if d.Has("size") {
			msg = svcharness.Pattern(int(d.Need("size")))
		}
		c.Say(n.ID, "mcast c%d %s %s: %s", cl, g, svcharness.Payload(msg), result(n.Svc.Mcast(ClientID(cl), g, msg)))
	case "gone":
		n := c.NodeArg(d)
		cl := d.Need("client")
		n.Svc.ClientGone(ClientID(cl))
		c.Say(n.ID, "client c%d gone", cl)
	case "groups":
		for _, n := range c.Nodes {
			gs := n.Svc.Groups()
			if len(gs) == 0 {
				c.Say(n.ID, "no groups")
			}
			for _, g := range gs {
				c.Say(n.ID, "group %s %s", g.Name, fmtMembers(g.Members))
			}
			if d.Has("pending") {
				c.Say(n.ID, "outbox %d, syncing %v", len(n.Svc.outbox), n.Svc.Syncing())
			}
		}
	case "membership":
		n := c.NodeArg(d)
		g := groupArg(d)
		ring, members := n.Svc.TotemMembership()
		c.Say(n.ID, "membership %s %s local=%d ring=%d.%d nodes=%v", g, fmtMembers(n.Svc.MembershipGet(g)),
			n.Svc.LocalNodeID(), ring.Rep, ring.Seq, members)
	default:
		return false
	}
	return true
}

// raw builds the exec message of a "raw" command as node from sends it,
// in byte order o: what a corosync peer (or a broken one) would put on
// the wire.
func raw(d *svcharness.Case, from service.NodeID, o binary.ByteOrder) (uint16, []byte) {
	group := d.Str("group", "")
	pid := uint32(d.Num("pid", 0))
	var msg []byte
	var err error
	var fn uint16
	switch d.Str("fn", "") {
	case "procjoin":
		fn = FnProcJoin
		msg, err = ProcJoin{Group: group, PID: pid, Reason: ReasonJoin}.encode(o, fn)
	case "procleave":
		fn = FnProcLeave
		msg, err = ProcJoin{Group: group, PID: pid, Reason: Reason(d.Num("reason", uint64(ReasonLeave)))}.encode(o, fn)
	case "joinlist":
		fn = FnJoinList
		var es []JoinEntry
		for _, e := range strings.Split(d.Str("entries", ""), ",") {
			if e == "" {
				continue
			}
			p, g, _ := strings.Cut(e, ":")
			v, perr := strconv.ParseUint(p, 10, 32)
			if perr != nil {
				d.Failf("bad entry %q", e)
			}
			es = append(es, JoinEntry{PID: uint32(v), Group: g})
		}
		msg, err = encodeJoinList(o, es)
	case "mcast":
		fn = FnMcast
		msg, err = Mcast{Group: group, PID: pid, Source: service.NodeID(d.Num("source", uint64(from))),
			Msg: []byte(d.Str("msg", ""))}.encode(o)
	case "partial":
		fn = FnPartialMcast
		typ := map[string]FragType{"first": FragFirst, "continued": FragContinued, "last": FragLast}[d.Str("type", "")]
		if typ == 0 {
			typ = FragType(d.Need("type"))
		}
		msg, err = PartialMcast{Group: group, PID: pid, Type: typ, MsgLen: uint32(d.Need("msglen")),
			Source: from, Fragment: []byte(d.Str("data", ""))}.encode(o)
	case "downlist":
		fn = FnDownlist
		msg, err = Downlist{OldMembers: uint32(d.Num("old", 0)), Left: d.IDs("left")}.encode(o)
	case "downlist-old":
		fn = FnDownlistOld
		msg, err = DownlistOld{Left: d.IDs("left")}.encode(o)
	case "bytes":
		// A message of the given fn whose size field says size but that
		// holds only len bytes: malformed on purpose.
		fn = uint16(d.Need("id"))
		msg = d.Sized(o, service.CPG, fn)
	default:
		d.Failf("unknown raw fn %q", d.Str("fn", ""))
	}
	if err != nil {
		d.Failf("%v", err)
	}
	return fn, msg
}

func TestInteraction(t *testing.T) {
	svcharness.Run(t, func(t *testing.T) func(*svcharness.Case) string { return newCluster(t).Do })
}
