package clm

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"time"

	clmapi "goais/client/clm"
	"goais/service"
	"goais/totem"
)

// NodeInfo is what is known of a node without asking it: its ring-0
// address, its name and when its executive started.
type NodeInfo struct {
	Address  netip.Addr
	Name     string
	BootTime time.Time
}

// Config configures a CLM.
type Config struct {
	// Self is this node's record. The executive fills Name from the
	// nodelist name of this node, or else with the printable ring-0
	// address (openais always used the address), and BootTime with its
	// start time.
	Self NodeInfo
	// Lookup gives what the configuration knows about another node. It
	// serves members that never send a record, such as real corosync
	// nodes in a mixed ring, which do not run this service. Nil knows
	// nothing; such a member still appears, with its id and no address.
	Lookup func(service.NodeID) (NodeInfo, bool)
}

// Node is one node's record as CLM keeps and replicates it.
type Node struct {
	ID       service.NodeID
	Address  netip.Addr // invalid when unknown
	Name     string
	BootTime time.Time // zero when unknown
	// InitialView is the view in which the node joined: the first view
	// the node adopted after it started, as its own record says; 0 when
	// unknown.
	InitialView uint64
}

// ClusterNode is the library's form of n, with the given member flag.
func (n Node) ClusterNode(member bool) clmapi.ClusterNode {
	return clmapi.ClusterNode{
		NodeID:            clmapi.NodeID(n.ID),
		NodeAddress:       clmapi.AddressOf(n.Address),
		NodeName:          n.Name,
		Member:            member,
		BootTimestamp:     n.BootTime,
		InitialViewNumber: n.InitialView,
	}
}

// sameAttrs reports whether a and b describe the node alike; the initial
// view is not an attribute that a RECONFIGURED change would report.
func sameAttrs(a, b Node) bool {
	return a.ID == b.ID && a.Address == b.Address && a.Name == b.Name && a.BootTime.Equal(b.BootTime)
}

// CLM is the cluster membership service of one node: the replicated table
// of node records, the sync participant that keeps it, and the library
// side. It implements service.Syncer and service.Library. It belongs to
// the executive's loop goroutine and is not safe for concurrent use.
type CLM struct {
	env  service.Env
	self Node // InitialView unset; see selfInitial
	look func(service.NodeID) (NodeInfo, bool)
	log  *slog.Logger

	// The adopted view: set by SyncActivate.
	haveView bool
	view     uint64
	members  []service.NodeID // ascending
	nodes    map[service.NodeID]Node
	// selfInitial is the number of the first view this node adopted; 0
	// until then.
	selfInitial uint64
	// continuous holds the members of the adopted view that were in
	// every transitional configuration since: the nodes that stayed. A
	// member that left and came back between two views is JOINED again.
	continuous map[service.NodeID]bool

	round round

	clients map[uint64]*client

	stats Stats
}

// round is the sync round in progress.
type round struct {
	open    bool // between SyncInit and SyncActivate or SyncAbort
	sent    bool // our NODEJOIN went out
	ring    service.RingID
	members []service.NodeID // ascending
	records map[service.NodeID]Node
}

// Stats counts messages CLM did not use.
type Stats struct {
	// Malformed: NODEJOINs that did not decode, or whose node id was
	// not their sender's, and messages of unknown function ids.
	Malformed uint64
	// Stale: well-formed NODEJOINs that arrived outside a sync round or
	// from a node outside the round's membership, such as one a node
	// queued for a ring that ended before it went out.
	Stale uint64
	// BadRequests: library requests whose body did not decode.
	BadRequests uint64
}

var (
	_ service.Syncer  = (*CLM)(nil)
	_ service.Library = (*CLM)(nil)
)

// New returns the CLM service of the node env belongs to. A Self.Name
// longer than clmapi.NameMax bytes is cut to fit, with a warning. log may
// be nil; the executive gives it the subsystem CLM.
func New(env service.Env, cfg Config, log *slog.Logger) *CLM {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &CLM{
		env:        env,
		look:       cfg.Lookup,
		log:        log,
		nodes:      make(map[service.NodeID]Node),
		continuous: make(map[service.NodeID]bool),
		clients:    make(map[uint64]*client),
	}
	c.self = c.record(env.NodeID(), cfg.Self)
	return c
}

// record makes a Node of what the configuration says, its name cut to
// NameMax.
func (c *CLM) record(id service.NodeID, info NodeInfo) Node {
	name := info.Name
	if len(name) > clmapi.NameMax {
		c.log.Warn("node name too long, cut", "nodeid", id, "bytes", len(name), "max", clmapi.NameMax)
		name = name[:clmapi.NameMax]
	}
	return Node{ID: id, Address: info.Address.Unmap().WithZone(""), Name: name, BootTime: info.BootTime}
}

// ID is service.CLM.
func (c *CLM) ID() service.ID { return service.CLM }

// Name is "clm".
func (c *CLM) Name() string { return "clm" }

// ConfigChange needs no work: the view changes only at the end of the sync
// round that follows (SyncActivate), so that every node changes it at the
// same point of the ordered stream.
func (c *CLM) ConfigChange(totem.ConfigChange) {}

// View returns the adopted view: its number and its members' records in
// ascending node id. ok is false before the first view.
func (c *CLM) View() (view uint64, nodes []Node, ok bool) {
	for _, id := range c.members {
		nodes = append(nodes, c.nodes[id])
	}
	return c.view, nodes, c.haveView
}

// Stats returns the counts of messages CLM dropped.
func (c *CLM) Stats() Stats { return c.stats }

// Deliver applies one exec message of the CLM service.
func (c *CLM) Deliver(sender service.NodeID, fn uint16, msg []byte, bigEndian bool) {
	if fn != FnNodeJoin {
		c.malformed(sender, fmt.Errorf("clm: unknown exec function %d", fn))
		return
	}
	n, err := DecodeNodeJoin(msg, bigEndian)
	if err != nil {
		c.malformed(sender, err)
		return
	}
	if n.ID != sender {
		c.malformed(sender, fmt.Errorf("clm: NODEJOIN carries the record of node %d", n.ID))
		return
	}
	if !c.round.open || !slices.Contains(c.round.members, sender) {
		c.stats.Stale++
		c.debug("ignoring NODEJOIN from node %d outside a sync round or its membership", sender)
		return
	}
	c.round.records[sender] = n
}

// malformed counts a dropped message and logs it, the first and then at
// every power of two, so that a flood cannot flood the log.
func (c *CLM) malformed(sender service.NodeID, err error) {
	c.stats.Malformed++
	if k := c.stats.Malformed; k&(k-1) == 0 {
		c.log.Warn("dropping exec message", "sender", sender, "err", err, "dropped", k)
	}
}

// debug logs at debug level, formatting only when enabled.
func (c *CLM) debug(format string, args ...any) {
	if c.log.Enabled(context.Background(), slog.LevelDebug) {
		c.log.Debug(fmt.Sprintf(format, args...))
	}
}
