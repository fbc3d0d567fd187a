package svcharness

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"slices"
	"testing"

	"goais/service"
)

// Config is what a Cluster needs to know of the service it runs.
type Config struct {
	// Message prepends the exec header to a body, as Env.Mcast does: the
	// service's own Message function.
	Message func(fn uint16, body []byte) []byte
	// Describe renders an exec message for the bus trace.
	Describe func(fn uint16, msg []byte, be bool) string
	// Refused is the transcript line of an Mcast of fn that the node's
	// script refused.
	Refused func(fn uint16) string
	// Raw builds the exec message of a "raw" command (see
	// Cluster.Command) as node from sends it, in byte order o: the
	// message's fn, and the message, header included. Nil: the service's
	// scripts have no "raw" command.
	Raw func(d *Case, from service.NodeID, o binary.ByteOrder) (fn uint16, msg []byte)
	// Commands runs the service's own script commands (creating nodes,
	// client requests, dumps of its state), reporting false for any
	// other: Do runs those with Command.
	Commands func(d *Case) bool
	// Check, if not nil, asserts what must hold after every command (pos
	// is the command's position), failing the test if it does not.
	Check func(pos string)

	// LogLevel is the level of the log records that become transcript
	// lines at first, and after a "log" command without level=.
	LogLevel slog.Level
	// LevelName names a record's level in its line; nil:
	// slog.Level.String.
	LevelName func(slog.Level) string
	// ParseLevel reads the "log" command's level=; nil:
	// slog.Level.UnmarshalText.
	ParseLevel func(string) (slog.Level, error)
}

// Cluster is the bench of a service's interaction scripts: instances of
// type S, each with its Node, and the fake bus between them. All of it
// runs on the test's goroutine.
type Cluster[S service.Service] struct {
	Transcript
	T *testing.T
	// Nodes are the nodes with an instance, in ascending id.
	Nodes []*Node[S]
	// Foreign maps each ring member without an instance to the ring it
	// is in (zero before its first).
	Foreign map[service.NodeID]service.RingID
	// LogLevel is the level of the log records that become lines.
	LogLevel slog.Level

	cfg     Config
	bus     []Msg
	seq     uint64     // of the last ring formed
	pending []*Node[S] // nodes whose sync round waits for activation
}

// Node is one node with an instance: the instance's service.Env, which
// puts what it multicasts on the bus in the node's ring.
type Node[S service.Service] struct {
	ID  service.NodeID
	Svc S
	// Ring is the ring of the node's last configuration, zero before its
	// first; Members are that ring's members.
	Ring    service.RingID
	Members []service.NodeID
	// Active is the ring of the node's last activated sync round.
	Active service.RingID
	// Refuse holds the outcomes of the next Mcasts: true refuses with
	// service.ErrTryAgain, false accepts. Empty: accept.
	Refuse []bool

	c *Cluster[S]
}

// Msg is one exec message on the bus.
type Msg struct {
	From service.NodeID
	// Ring is the ring the message is ordered in: only the nodes in it
	// get it.
	Ring service.RingID
	Fn   uint16
	Msg  []byte // header included
	BE   bool   // the sender wrote its integers big-endian
}

// New returns an empty bench for the service cfg describes.
func New[S service.Service](t *testing.T, cfg Config) *Cluster[S] {
	return &Cluster[S]{T: t, Foreign: make(map[service.NodeID]service.RingID), LogLevel: cfg.LogLevel, cfg: cfg}
}

// NodeID is the node's id.
func (n *Node[S]) NodeID() service.NodeID { return n.ID }

// Mcast queues the message on the bus in the node's ring, unless the
// node's script refuses it.
func (n *Node[S]) Mcast(fn uint16, body []byte) error {
	if len(n.Refuse) > 0 {
		refuse := n.Refuse[0]
		n.Refuse = n.Refuse[1:]
		if refuse {
			n.c.Say(n.ID, "%s", n.c.cfg.Refused(fn))
			return service.ErrTryAgain
		}
	}
	n.c.Queue(Msg{From: n.ID, Ring: n.Ring, Fn: fn, Msg: n.c.cfg.Message(fn, body)})
	return nil
}

// Add starts node id, whose instance start builds with the node as its
// Env, and returns it.
func (c *Cluster[S]) Add(id service.NodeID, start func(n *Node[S]) S) *Node[S] {
	n := c.newNode(id, start)
	c.Nodes = append(c.Nodes, n)
	slices.SortFunc(c.Nodes, func(a, b *Node[S]) int { return int(a.ID) - int(b.ID) })
	return n
}

// Restart replaces node id by a fresh one, as a restarted executive: a
// new instance, no ring, no round waiting, and returns it.
func (c *Cluster[S]) Restart(id service.NodeID, start func(n *Node[S]) S) *Node[S] {
	old := c.Node(id)
	n := c.newNode(id, start)
	c.Nodes[slices.Index(c.Nodes, old)] = n
	c.pending = slices.DeleteFunc(c.pending, func(p *Node[S]) bool { return p == old })
	return n
}

func (c *Cluster[S]) newNode(id service.NodeID, start func(n *Node[S]) S) *Node[S] {
	n := &Node[S]{ID: id, c: c}
	n.Svc = start(n)
	return n
}

// Remove takes node id off the bench, as a crash: it gets nothing more.
func (c *Cluster[S]) Remove(id service.NodeID) {
	n := c.Node(id)
	c.Nodes = slices.DeleteFunc(c.Nodes, func(x *Node[S]) bool { return x == n })
	c.pending = slices.DeleteFunc(c.pending, func(p *Node[S]) bool { return p == n })
}

// Node returns node id, failing the test if there is none.
func (c *Cluster[S]) Node(id service.NodeID) *Node[S] {
	for _, n := range c.Nodes {
		if n.ID == id {
			return n
		}
	}
	c.T.Fatalf("no node %d", id)
	return nil
}

// NodeArg returns the node a command names with node=N.
func (c *Cluster[S]) NodeArg(d *Case) *Node[S] {
	return c.Node(service.NodeID(d.Need("node")))
}

// AddForeign makes ids ring members without an instance.
func (c *Cluster[S]) AddForeign(ids ...service.NodeID) {
	for _, id := range ids {
		c.Foreign[id] = service.RingID{}
	}
}

// Queue puts m on the bus, after what is queued already.
func (c *Cluster[S]) Queue(m Msg) { c.bus = append(c.bus, m) }

// inject queues msg as node from sends it: in from's ring, a foreign
// member's or a node's, or with via=M in node M's ring whatever from's
// ring is (a sender outside the ring).
func (c *Cluster[S]) inject(d *Case, from service.NodeID, fn uint16, msg []byte, be bool) {
	var ring service.RingID
	switch r, ok := c.Foreign[from]; {
	case d.Has("via"):
		ring = c.Node(service.NodeID(d.Need("via"))).Ring
	case ok:
		ring = r
	default:
		ring = c.Node(from).Ring
	}
	c.Queue(Msg{From: from, Ring: ring, Fn: fn, Msg: msg, BE: be})
}

// Deliver hands every queued message, in order, to the instances in the
// ring it was sent in, and traces it on the bus; messages sent meanwhile
// follow.
func (c *Cluster[S]) Deliver() {
	for len(c.bus) > 0 {
		m := c.bus[0]
		c.bus = c.bus[1:]
		c.trace(fmt.Sprintf("n%d %s", m.From, c.cfg.Describe(m.Fn, m.Msg, m.BE)))
		for _, n := range c.Nodes {
			if n.Ring == m.Ring {
				n.Svc.Deliver(m.From, m.Fn, m.Msg, m.BE)
			}
		}
	}
}

// Quiet reports whether nothing is on the bus and no round waits: the
// moments at which nodes of one ring must agree.
func (c *Cluster[S]) Quiet() bool { return len(c.bus) == 0 && len(c.pending) == 0 }
