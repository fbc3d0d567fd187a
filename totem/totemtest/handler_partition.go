package totemtest

import (
	"fmt"
	"strings"

	"goais/totem"
)

// handlePartition is "partition 1,2 3,4,5": datagrams flow only inside a
// group; a node named in no group is cut off from all others. Datagrams
// already in flight are checked when delivered.
func (env *InteractionEnv) handlePartition(d *TestData) error {
	groups := map[totem.NodeID]int{}
	for i, g := range d.positional() {
		for s := range strings.SplitSeq(g, ",") {
			id, err := parseNodeID(s)
			if err != nil {
				return err
			}
			if _, err := env.node(id); err != nil {
				return err
			}
			if _, dup := groups[id]; dup {
				return fmt.Errorf("node %d is in two groups", id)
			}
			groups[id] = i + 1
		}
	}
	next := len(d.positional()) + 1
	for _, n := range env.nodes {
		if _, ok := groups[n.id]; !ok {
			groups[n.id] = next
			next++
		}
	}
	env.groups = groups
	return nil
}
