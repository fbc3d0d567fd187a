package votequorum

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"goais/internal/svcharness"
	"goais/logging"
	"goais/service"
)

// cluster is the bench of the interaction scripts (see
// internal/svcharness): Votequorum instances on a fake bus, driven through
// sync rounds in the engine's order, with foreign members whose messages
// the script injects byte for byte.
type cluster struct {
	*svcharness.Cluster[*instance]
}

// instance is a node's Votequorum and the configuration it started with.
type instance struct {
	*Votequorum
	conf Config
}

func newCluster(t *testing.T) *cluster {
	c := new(cluster)
	c.Cluster = svcharness.New[*instance](t, svcharness.Config{
		Message:    Message,
		Describe:   describe,
		Raw:        raw,
		Refused:    func(fn uint16) string { return fmt.Sprintf("env: %s refused, try again", FnName(fn)) },
		LogLevel:   logging.LevelNotice,
		LevelName:  func(l slog.Level) string { return strings.TrimSpace(logging.LevelName(l)) },
		ParseLevel: logging.ParseLevel,
		Commands:   c.command,
		Check:      c.check,
	})
	return c
}

// start returns how to build the instance of a node with cfg.
func (c *cluster) start(cfg Config) func(n *svcharness.Node[*instance]) *instance {
	return func(n *svcharness.Node[*instance]) *instance {
		return &instance{New(n, cfg, c.Logger(n.ID)), cfg}
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

// check asserts what every status must show, recomputed here from its
// node list: a node that activated its ring lists exactly the ring's
// members, and the totals follow the quorum arithmetic.
func (c *cluster) check(pos string) {
	for _, n := range c.Nodes {
		s := n.Svc.Status()
		ids, total, highest := tally(s)
		quorum := highest/2 + 1
		if n.Svc.conf.TwoNode && highest == 2 {
			quorum = 1
		}
		if n.Active == n.Ring && n.Ring != (service.RingID{}) && !slices.Equal(ids, n.Members) {
			c.T.Fatalf("%s: node %d lists %v, its ring has %v", pos, n.ID, ids, n.Members)
		}
		if uint64(s.TotalVotes) != min(total, math.MaxUint32) || uint64(s.HighestExpected) != min(highest, math.MaxUint32) || uint64(s.Quorum) != min(quorum, math.MaxUint32) ||
			(s.Quorate && total < quorum) || (!s.Quorate && total >= quorum && !n.Svc.conf.WaitForAll) {
			c.T.Fatalf("%s: node %d: status %+v does not add up (total %d highest %d quorum %d)", pos, n.ID, s, total, highest, quorum)
		}
	}
}

// tally recomputes a status's sums from its node list: the nodes listed,
// the votes of those with NODEINFO that are not leaving, and the highest
// expected votes, at least the total.
func tally(s Status) (ids []service.NodeID, total, highest uint64) {
	highest = uint64(s.ExpectedVotes)
	for _, n := range s.Nodes {
		ids = append(ids, n.NodeID)
		if n.HasInfo && n.Flags&FlagLeaving == 0 {
			total += uint64(n.Votes)
			highest = max(highest, uint64(n.ExpectedVotes))
		}
	}
	return ids, total, max(highest, total)
}

// config reads votes=, expected=, nodelist=id:votes,… (votes may be
// omitted: id alone), two-node and wfa.
func config(d *svcharness.Case) Config {
	cfg := Config{
		Votes:         uint32(d.Num("votes", 0)),
		ExpectedVotes: uint32(d.Num("expected", 0)),
		TwoNode:       d.Has("two-node"),
		WaitForAll:    d.Has("wfa"),
	}
	if a, ok := d.Arg("nodelist"); ok {
		cfg.NodeVotes = make(map[service.NodeID]uint32)
		for _, f := range a.Vals {
			id, votes, _ := strings.Cut(f, ":")
			i, err := strconv.ParseUint(id, 10, 32)
			if err != nil {
				d.Failf("bad nodelist entry %q", f)
			}
			var v uint64
			if votes != "" {
				if v, err = strconv.ParseUint(votes, 10, 32); err != nil {
					d.Failf("bad nodelist entry %q", f)
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

// command runs one of Votequorum's own script commands; false if d is none.
func (c *cluster) command(d *svcharness.Case) bool {
	switch d.Cmd {
	case "node":
		// node id=N [votes=V] [expected=E] [nodelist=…] [two-node] [wfa]
		c.Add(service.NodeID(d.Need("id")), c.start(config(d)))
	case "restart":
		c.Restart(service.NodeID(d.Need("node")), c.start(config(d)))
	case "status":
		// status [nodes=…]: every node, or the ones listed.
		only := d.IDs("nodes")
		for _, n := range c.Nodes {
			if only != nil && !slices.Contains(only, n.ID) {
				continue
			}
			s := fmtStatus(n.Svc.Status())
			if st := n.Svc.Stats(); st != (Stats{}) {
				s += fmt.Sprintf(" malformed=%d unknown=%d ignored=%d qdevice=%d", st.Malformed, st.Unknown, st.Ignored, st.Qdevice)
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
//	raw from=N [kind=nodeinfo] [id=I] [votes=V] [expected=E] [flags=F]
//	raw from=N kind=reconfigure id=I value=V param=P
//	raw from=N kind=qdevreg [op=O] name=S
//	raw from=N kind=qdevreconf old=S new=S
//	raw from=N kind=bytes len=L [size=S] [fn=F]
//
// via=M orders the message in node M's ring whatever from's ring is.
func raw(d *svcharness.Case, from service.NodeID, o binary.ByteOrder) (uint16, []byte) {
	var msg []byte
	var fn uint16
	var err error
	switch d.Str("kind", "nodeinfo") {
	case "nodeinfo":
		fn = FnNodeInfo
		msg = NodeInfo{NodeID: service.NodeID(d.Num("id", uint64(from))), Votes: uint32(d.Num("votes", 1)),
			ExpectedVotes: uint32(d.Num("expected", 0)), Flags: uint32(d.Num("flags", 0))}.encode(o)
	case "reconfigure":
		fn = FnReconfigure
		msg = Reconfigure{NodeID: service.NodeID(d.Num("id", uint64(from))), Value: uint32(d.Need("value")),
			Param: uint8(d.Need("param"))}.encode(o)
	case "qdevreg":
		fn = FnQdeviceReg
		msg, err = QdeviceReg{Operation: uint32(d.Num("op", 0)), Name: d.Str("name", "")}.encode(o)
	case "qdevreconf":
		fn = FnQdeviceReconfigure
		msg, err = QdeviceReconfigure{OldName: d.Str("old", ""), NewName: d.Str("new", "")}.encode(o)
	case "bytes":
		// A message whose size field says size but that holds len bytes.
		fn = uint16(d.Num("fn", 0))
		msg = d.Sized(o, service.Votequorum, fn)
	default:
		d.Failf("unknown kind")
	}
	if err != nil {
		d.Failf("%v", err)
	}
	return fn, msg
}

func TestInteraction(t *testing.T) {
	svcharness.Run(t, func(t *testing.T) func(*svcharness.Case) string { return newCluster(t).Do })
}
