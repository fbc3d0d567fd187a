package mem

import (
	"fmt"

	"goais/totem/wire"
)

// Partition splits the network into groups: traffic flows only between
// nodes of the same group, and nodes not listed (including ones attached
// later) are isolated. A node always reaches itself. Partition replaces any
// earlier partition; blocks stay. Partition() with no groups isolates every
// node. It panics if a node is listed in two groups.
//
// The cut applies to packets already in flight too: see the package
// documentation.
func (n *Network) Partition(groups ...[]wire.NodeID) {
	seen := make(map[wire.NodeID]int)
	for g, ids := range groups {
		for _, id := range ids {
			if h, ok := seen[id]; ok && h != g {
				panic(fmt.Sprintf("mem: Partition lists node %d in groups %d and %d", id, h, g))
			}
			seen[id] = g
		}
	}
	n.partitioned = true
	// Map iteration order does not matter: every node ends up with the
	// same group whatever the order.
	for _, nd := range n.nodes {
		nd.group = 0
	}
	for id, g := range seen {
		n.node(id).group = g + 1
	}
}

// Block cuts the directed link from → to; to → from is unaffected. Unlike
// a partition, a block of (id, id) does cut self-delivery.
func (n *Network) Block(from, to wire.NodeID) { n.link(from, to).blocked = true }

// Unblock undoes [Network.Block] for from → to.
func (n *Network) Unblock(from, to wire.NodeID) {
	if l := n.links[keyOf(from, to)]; l != nil {
		l.blocked = false
	}
}

// Heal removes the partition and every block. Link configurations stay.
func (n *Network) Heal() {
	n.partitioned = false
	for _, nd := range n.nodes {
		nd.group = 0
	}
	for _, l := range n.links {
		l.blocked = false
	}
}

// cut reports whether the path of l is cut right now.
func (n *Network) cut(l *link) bool {
	if l.blocked {
		return true
	}
	if !n.partitioned || l.src == l.dst {
		return false
	}
	return l.src.group == 0 || l.src.group != l.dst.group
}
