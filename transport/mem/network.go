package mem

import (
	"math/rand/v2"
	"slices"
	"time"

	"goais/totem/wire"
)

// Packet is a datagram delivered by [Network.Pop].
type Packet struct {
	From, To wire.NodeID
	// Data is owned by the receiver until it calls [Network.Release].
	Data []byte
	// At is the scheduled delivery time. It may be earlier than the now
	// given to Pop when the caller lags behind.
	At time.Time
}

// Network is an in-memory datagram network in virtual time. See the package
// documentation for the determinism contract and the fault model. The zero
// value is not usable; call [NewNetwork].
type Network struct {
	rng   *rand.Rand
	def   LinkConfig
	nodes map[wire.NodeID]*node
	links map[linkKey]*link
	order []wire.NodeID // attached nodes, ascending: the multicast fan-out order

	partitioned bool // whether node groups restrict traffic

	q     queue
	seq   uint64   // next send sequence number
	free  [][]byte // released buffers, reused by later sends
	stats Stats
}

// node is the state of one node ID. It is created on first mention and never
// deleted, so links can point at it.
type node struct {
	id       wire.NodeID
	attached bool
	group    int // partition group, 1-based; 0 means isolated while partitioned
}

type linkKey uint64

func keyOf(from, to wire.NodeID) linkKey { return linkKey(from)<<32 | linkKey(to) }

// link is the state of one directed link, created on first use and never
// deleted: queued items and the hot path hold pointers to it, which saves
// map lookups per packet.
type link struct {
	src, dst *node
	override bool       // cfg applies instead of the network default
	cfg      LinkConfig // valid when override
	blocked  bool       // cut by Block
	lastAt   time.Time  // delivery time of the newest in-order copy, for FIFO
}

// NewNetwork returns an empty network that draws every random decision from
// rng and uses def for links without an override. It panics if rng is nil or
// def is invalid.
func NewNetwork(rng *rand.Rand, def LinkConfig) *Network {
	if rng == nil {
		panic("mem: NewNetwork with a nil *rand.Rand")
	}
	mustValidate(def)
	return &Network{
		rng:   rng,
		def:   def,
		nodes: make(map[wire.NodeID]*node),
		links: make(map[linkKey]*link),
	}
}

func (n *Network) node(id wire.NodeID) *node {
	nd := n.nodes[id]
	if nd == nil {
		nd = &node{id: id}
		n.nodes[id] = nd
	}
	return nd
}

func (n *Network) link(from, to wire.NodeID) *link {
	k := keyOf(from, to)
	l := n.links[k]
	if l == nil {
		l = &link{src: n.node(from), dst: n.node(to)}
		n.links[k] = l
	}
	return l
}

func (n *Network) config(l *link) *LinkConfig {
	if l.override {
		return &l.cfg
	}
	return &n.def
}

// Attach brings up the interface of node id: it can send and receive from
// now on. Attaching an attached node does nothing. A node keeps the
// partition group it was given while detached.
func (n *Network) Attach(id wire.NodeID) {
	nd := n.node(id)
	if nd.attached {
		return
	}
	nd.attached = true
	i, _ := slices.BinarySearch(n.order, id)
	n.order = slices.Insert(n.order, i, id)
}

// Detach takes node id off the network, as a crash or power-off does:
// everything queued to it is dropped, and until it is attached again it
// cannot send and whatever is sent to it is lost. Packets it sent earlier
// stay in flight. Detaching a node that is not attached does nothing.
func (n *Network) Detach(id wire.NodeID) {
	nd := n.nodes[id]
	if nd == nil || !nd.attached {
		return
	}
	nd.attached = false
	if i, ok := slices.BinarySearch(n.order, id); ok {
		n.order = slices.Delete(n.order, i, i+1)
	}

	// Filter the heap in place and re-heapify: O(pending), but detaching is
	// rare, and doing it eagerly keeps Next and Pending exact.
	kept := n.q.items[:0]
	for _, it := range n.q.items {
		if it.link.dst == nd {
			n.stats.Unattached++
			n.recycle(it.data)
			continue
		}
		kept = append(kept, it)
	}
	clear(n.q.items[len(kept):])
	n.q.items = kept
	n.q.init()

	// Nothing is in flight to it any more, so FIFO must not hold a rebooted
	// node's first packets back behind the dropped ones. The order of map
	// iteration does not matter here.
	for _, l := range n.links {
		if l.dst == nd {
			l.lastAt = time.Time{}
		}
	}
}

// Nodes returns the attached nodes in ascending order, in a new slice.
func (n *Network) Nodes() []wire.NodeID { return slices.Clone(n.order) }

// SetDefault sets the configuration of every link without an override. It
// applies to packets sent from now on. It panics if c is invalid.
func (n *Network) SetDefault(c LinkConfig) {
	mustValidate(c)
	n.def = c
}

// SetLink overrides the configuration of the directed link from → to for
// packets sent from now on. (from, from) configures self-delivery. It
// panics if c is invalid.
func (n *Network) SetLink(from, to wire.NodeID, c LinkConfig) {
	mustValidate(c)
	l := n.link(from, to)
	l.override = true
	l.cfg = c
}

// ClearLink removes the override of from → to, so the link follows the
// network default again.
func (n *Network) ClearLink(from, to wire.NodeID) {
	if l := n.links[keyOf(from, to)]; l != nil {
		l.override = false
		l.cfg = LinkConfig{}
	}
}
