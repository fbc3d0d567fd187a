package cmap

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"

	"goais/internal/svcharness"
	"goais/service"
)

// cluster is the bench of the interaction scripts (see
// internal/svcharness): CMAP instances on a fake bus, driven through sync
// rounds in the engine's order, with foreign members (corosync nodes)
// whose messages the script injects byte for byte.
type cluster struct {
	*svcharness.Cluster[*CMAP]
}

func newCluster(t *testing.T) *cluster {
	c := new(cluster)
	c.Cluster = svcharness.New[*CMAP](t, svcharness.Config{
		Message:  Message,
		Describe: describe,
		Refused:  func(uint16) string { return "env: MCAST refused, try again" },
		Raw:      raw,
		LogLevel: slog.LevelInfo,
		Commands: c.command,
		Check:    c.check,
	})
	return c
}

// start returns how to build the instance of a node with cfg: a shutdown
// it asks for becomes a transcript line.
func (c *cluster) start(cfg Config) func(n *svcharness.Node[*CMAP]) *CMAP {
	return func(n *svcharness.Node[*CMAP]) *CMAP {
		cfg.Shutdown = func(reason string) { c.Say(n.ID, "shutdown requested: %s", reason) }
		return New(n, cfg, c.Logger(n.ID))
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

// check asserts what every quiet moment must show: each node lists its
// ring's members, and nodes of one ring agree on the versions.
func (c *cluster) check(pos string) {
	if !c.Quiet() {
		return
	}
	seen := make(map[service.RingID]string)
	for _, n := range c.Nodes {
		ms := n.Svc.Members()
		var ids []service.NodeID
		for _, m := range ms {
			ids = append(ids, m.NodeID)
		}
		if !slices.Equal(ids, n.Members) {
			c.T.Fatalf("%s: node %d lists %v, its ring has %v", pos, n.ID, ids, n.Members)
		}
		v := fmt.Sprint(ms)
		if w, ok := seen[n.Ring]; ok && w != v {
			c.T.Fatalf("%s: nodes of ring %v disagree:\n%s\n%s", pos, n.Ring, w, v)
		}
		seen[n.Ring] = v
	}
}

// config reads version=N (a set totem.config_version) or nothing.
func config(d *svcharness.Case) Config {
	if !d.Has("version") {
		return Config{}
	}
	return Config{ConfigVersion: d.Need("version"), HasConfigVersion: true}
}

// command runs one of CMAP's own script commands; false if d is none.
func (c *cluster) command(d *svcharness.Case) bool {
	switch d.Cmd {
	case "node":
		// node id=N [version=V]: start a goais node.
		c.Add(service.NodeID(d.Need("id")), c.start(config(d)))
	case "restart":
		// The node's executive restarts: a fresh instance, no ring.
		c.Restart(service.NodeID(d.Need("node")), c.start(config(d)))
	case "members":
		for _, n := range c.Nodes {
			var parts []string
			for _, m := range n.Svc.Members() {
				s := fmt.Sprintf("%d:", m.NodeID)
				if m.Reported {
					s += strconv.FormatUint(m.ConfigVersion, 10)
				} else {
					s += "-"
				}
				parts = append(parts, s)
			}
			s := fmt.Sprintf("members [%s]", strings.Join(parts, " "))
			if st := n.Svc.Stats(); st != (Stats{}) {
				s += fmt.Sprintf(" malformed=%d unknown=%d stale=%d", st.Malformed, st.Unknown, st.Stale)
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
//	raw from=N [be] [reason=sync|new] [version=V|type=T] [key=K]
//	raw from=N kind=hex hex=... [fn=F]
//	raw from=N kind=bytes len=L [size=S] [fn=F]
//
// via=M orders the message in node M's ring whatever from's ring is.
func raw(d *svcharness.Case, from service.NodeID, o binary.ByteOrder) (uint16, []byte) {
	fn := uint16(d.Num("fn", uint64(FnMcast)))
	var msg []byte
	switch d.Str("kind", "mcast") {
	case "mcast":
		m := Mcast{Reason: ReasonSync}
		if d.Str("reason", "sync") == "new" {
			m.Reason = ReasonNewConfigVersion
		}
		it := Item{Key: d.Str("key", KeyConfigVersion), Type: TypeNotExist}
		switch {
		case d.Has("version"):
			v := Uint64Item(it.Key, d.Need("version"))
			it.Type, it.Value = v.Type, v.Value
		case d.Has("type"):
			// An item of another type, with a zero value of its size.
			it.Type = ValueType(d.Need("type"))
			it.Value = make([]byte, max(it.Type.size(), 4))
		}
		m.Items = []Item{it}
		var err error
		if msg, err = m.encode(o); err != nil {
			d.Failf("%v", err)
		}
	case "hex":
		var err error
		if msg, err = hex.DecodeString(d.Str("hex", "")); err != nil {
			d.Failf("%v", err)
		}
	case "bytes":
		// A message whose size field says size but that holds len bytes.
		msg = d.Sized(o, service.CMAP, fn)
	default:
		d.Failf("unknown kind")
	}
	return fn, msg
}

func TestInteraction(t *testing.T) {
	svcharness.Run(t, func(t *testing.T) func(*svcharness.Case) string { return newCluster(t).Do })
}
